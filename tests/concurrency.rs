//! Many ssoenv processes at once, and ssoenv processes killed at random
//! points: one request to AWS per renewal however many shells ask, and no
//! cache file that a crash leaves unreadable or readable by others.
//!
//! `SSOENV_KILL_TRIES` (default 200) sets the number of kill -9 tries and
//! `SSOENV_KILL_SEED` replays a run (the seed is printed).

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sso_emulator::Operation;
use support::{Sandbox, env_lines, stderr, stdout};

const PROCESSES: usize = 50;

fn epoch_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn signed_in_project() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    (sandbox, project)
}

/// The single role-credential cache file.
fn credential_cache(sandbox: &Sandbox) -> PathBuf {
    let files: Vec<PathBuf> = fs::read_dir(sandbox.credential_cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// Moves the cached credentials' expiry to `from_now` seconds from now
/// (negative: past), after a one-hour life.
fn age_credentials(sandbox: &Sandbox, from_now: i64) {
    let path = credential_cache(sandbox);
    let mut file: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let expiration = epoch_now() + from_now;
    file["credentials"]["expiration"] = expiration.into();
    file["credentials"]["issuedAt"] = (expiration - 3600).into();
    fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
}

/// Marks the cached SSO token expired (it stays refreshable).
fn expire_token(sandbox: &Sandbox) {
    let path = sandbox.token_cache_file();
    let mut token: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    token["expiresAt"] = "2000-01-01T00:00:00Z".into();
    fs::write(&path, serde_json::to_vec_pretty(&token).unwrap()).unwrap();
}

fn spawn_all(
    sandbox: &Sandbox,
    project: &Path,
    args: &[&str],
    env: &[(String, String)],
) -> Vec<Output> {
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            sandbox
                .command(project)
                .envs(env.iter().map(|(k, v)| (k, v)))
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn ssoenv")
        })
        .collect();
    children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect()
}

fn access_key_of(out: &Output) -> String {
    env_lines(&stdout(out))
        .into_iter()
        .find(|(k, _)| k == "AWS_ACCESS_KEY_ID")
        .unwrap_or_else(|| panic!("no key in {:?} / {:?}", stdout(out), stderr(out)))
        .1
}

#[test]
fn fifty_export_credentials_due_for_renewal_make_one_request() {
    let (sandbox, project) = signed_in_project();
    let first = sandbox.ssoenv(
        &project,
        &["export-credentials", "--format", "env-no-export"],
    );
    let old_key = access_key_of(&first);
    age_credentials(&sandbox, 120);
    sandbox.emulator.reset_calls();

    let outs = spawn_all(
        &sandbox,
        &project,
        &["export-credentials", "--format", "env-no-export"],
        &[],
    );
    let keys: BTreeSet<String> = outs
        .iter()
        .map(|out| {
            assert!(out.status.success(), "{}", stderr(out));
            access_key_of(out)
        })
        .collect();
    assert_eq!(keys.len(), 1, "all callers got the same credentials");
    assert!(!keys.contains(&old_key), "renewed, not the due ones");
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    assert_private_tree(&sandbox);
}

/// The `AWS_ACCESS_KEY_ID` that `ssoenv export bash` sets, if any.
fn exported_key(code: &str) -> Option<String> {
    code.lines()
        .find_map(|l| l.strip_prefix("\\builtin export AWS_ACCESS_KEY_ID="))
        .map(str::to_owned)
}

/// Fifty shells find a renewal due at the same moment (15 minutes left of
/// an hour: time to renew ahead, nothing expired). Every prompt returns with
/// the credentials the shell has; one background renewal asks AWS, once;
/// and every shell's next prompt loads the same new key.
#[test]
fn fifty_shells_due_for_renewal_start_one_background_renewal() {
    let (sandbox, project) = signed_in_project();
    // The first prompt loads credentials; its environment is what every shell has.
    let mut bash = std::process::Command::new("bash");
    sandbox.apply_env(&mut bash);
    let first = bash
        .current_dir(&project)
        .args([
            "--noprofile",
            "--norc",
            "-c",
            r#"eval "$("$0" export bash)" && env -0"#,
        ])
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let shell_env = support::ssoenv_vars_of_env_dump(&first.stdout);
    let old_key = shell_env
        .iter()
        .find(|(k, _)| k == "AWS_ACCESS_KEY_ID")
        .expect("loaded")
        .1
        .clone();
    age_credentials(&sandbox, 15 * 60);
    sandbox.emulator.reset_calls();
    // A portal 3 s away: a prompt that waited for it would show.
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        sso_emulator::Fault::delay(Duration::from_secs(3)),
    );

    let started = Instant::now();
    let outs = spawn_all(&sandbox, &project, &["export", "bash"], &shell_env);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the prompts took {:?}",
        started.elapsed()
    );
    for out in &outs {
        assert!(out.status.success(), "{}", stderr(out));
        assert_eq!(stderr(out), "", "a prompt spoke");
        let key = exported_key(&stdout(out));
        assert!(
            key.is_none() || key.as_deref() == Some(old_key.as_str()),
            "a prompt got new credentials before the portal answered: {}",
            stdout(out)
        );
    }
    // Every background renewal started, the one that asked and the ones
    // that found it running, has ended.
    let project_arg = project.join(".awssso.toml");
    let give_up = Instant::now() + Duration::from_secs(20);
    while !support::background_renewals(&project_arg.to_string_lossy()).is_empty() {
        assert!(
            Instant::now() < give_up,
            "background renewals still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);

    let outs = spawn_all(&sandbox, &project, &["export", "bash"], &shell_env);
    let keys: BTreeSet<String> = outs
        .iter()
        .map(|out| {
            assert!(out.status.success(), "{}", stderr(out));
            exported_key(&stdout(out))
                .unwrap_or_else(|| panic!("no new key exported: {}", stdout(out)))
        })
        .collect();
    assert_eq!(keys.len(), 1, "every shell got the same credentials");
    assert!(!keys.contains(&old_key));
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    assert_private_tree(&sandbox);
}

#[test]
fn fifty_callers_with_an_expired_token_refresh_it_once() {
    let (sandbox, project) = signed_in_project();
    expire_token(&sandbox);
    let outs = spawn_all(
        &sandbox,
        &project,
        &["export-credentials", "--format", "env-no-export"],
        &[],
    );
    for out in &outs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert_eq!(sandbox.emulator.calls(Operation::CreateToken), 1);
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    assert_private_tree(&sandbox);
}

#[test]
fn stale_temporary_files_are_removed_on_the_next_write_and_fresh_ones_kept() {
    let (sandbox, project) = signed_in_project();
    let dir = sandbox.credential_cache_dir();
    fs::create_dir_all(&dir).unwrap();
    let old = SystemTime::now() - Duration::from_secs(2 * 3600);
    let make = |name: &str, modified: SystemTime| {
        let path = dir.join(name);
        let file = fs::File::create(&path).unwrap();
        file.set_modified(modified).unwrap();
        path
    };
    let stale = make(".tmp-AbC123", old);
    let in_progress = make(".tmp-XyZ789", SystemTime::now());
    let not_ours = make(".tmp-something-else", old);

    let out = sandbox.ssoenv(&project, &["export-credentials"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stale.exists(), "a killed writer's temporary file stayed");
    assert!(in_progress.exists(), "another writer's file was removed");
    assert!(not_ours.exists(), "a file of another name was removed");
}

// ----- kill -9 at random points --------------------------------------------------

/// A small, seedable generator (xorshift64*), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What each try makes the killed processes write.
#[derive(Debug, Clone, Copy)]
enum Write {
    /// Role credentials (the cache was deleted).
    Credentials,
    /// Role credentials over an expired cache file.
    ExpiredCredentials,
    /// A token refresh, then role credentials.
    TokenAndCredentials,
    /// A trust record (`ssoenv allow` after an edit).
    TrustRecord,
}

#[test]
fn kill_9_at_random_points_never_leaves_a_broken_or_public_cache() {
    let tries: usize = std::env::var("SSOENV_KILL_TRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let seed = std::env::var("SSOENV_KILL_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill -9 loop: {tries} tries, SSOENV_KILL_SEED={seed}");
    let mut rng = Rng(seed);

    let (sandbox, project) = signed_in_project();
    let config = project.join(".awssso.toml");
    // How long an unhindered renewal takes here: kills land within it. The
    // fastest of three, so that one slow run (a busy machine) does not make
    // the window so long that most processes end before their kill.
    let quickest = (0..3)
        .map(|_| {
            let started = Instant::now();
            let out = sandbox.ssoenv(&project, &["export-credentials"]);
            assert!(out.status.success(), "{}", stderr(&out));
            started.elapsed()
        })
        .min()
        .unwrap();
    let window_ms = (quickest.as_millis() as u64 * 3 / 2).max(20);

    let mut killed = 0;
    let mut sessions_lost = 0;
    let mut temp_files_seen = BTreeSet::new();
    let run_started = Instant::now();
    for attempt in 0..tries {
        let write = match attempt % 4 {
            0 => Write::Credentials,
            1 => Write::ExpiredCredentials,
            2 => Write::TokenAndCredentials,
            _ => Write::TrustRecord,
        };
        let args: &[&str] = match write {
            Write::Credentials => {
                for path in json_files(&sandbox.credential_cache_dir()) {
                    fs::remove_file(path).unwrap();
                }
                &["export-credentials"]
            }
            Write::ExpiredCredentials => {
                if json_files(&sandbox.credential_cache_dir()).is_empty() {
                    let out = sandbox.ssoenv(&project, &["export-credentials"]);
                    assert!(out.status.success(), "{}", stderr(&out));
                }
                age_credentials(&sandbox, -10);
                &["export-credentials"]
            }
            Write::TokenAndCredentials => {
                expire_token(&sandbox);
                for path in json_files(&sandbox.credential_cache_dir()) {
                    fs::remove_file(path).unwrap();
                }
                &["export-credentials"]
            }
            Write::TrustRecord => {
                let mut text = fs::read_to_string(&config).unwrap();
                text.push_str(&format!("# edit {attempt}\n"));
                fs::write(&config, text).unwrap();
                &["allow"]
            }
        };
        // A few writers at once, as several shells would be.
        let writers = 1 + rng.below(3) as usize;
        let mut children: Vec<Child> = (0..writers)
            .map(|_| {
                sandbox
                    .command(&project)
                    .args(args)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_micros(rng.below(window_ms * 1000)));
        for child in &mut children {
            let _ = child.kill(); // SIGKILL
        }
        for mut child in children {
            let status = child.wait().unwrap();
            if status.signal() == Some(9) {
                killed += 1;
            }
        }

        let context = format!("try {attempt} ({write:?}, seed {seed})");
        check_every_cache(&sandbox, &context, &mut temp_files_seen);
        match write {
            Write::TrustRecord => {
                // Leave the project allowed for the next tries.
                let out = sandbox.ssoenv(&project, &["allow"]);
                assert!(out.status.success(), "{context}: {}", stderr(&out));
            }
            Write::TokenAndCredentials => {
                // The emulator rotates refresh tokens, as AWS may: a process
                // killed after CreateToken answered but before the cache was
                // rewritten has spent the cached refresh token, and only a
                // new login helps. The cache itself is intact (checked above).
                let out = sandbox.ssoenv(&project, &["export-credentials"]);
                if !out.status.success() {
                    assert_eq!(
                        stderr(&out),
                        "ssoenv: SSO session 'dev' expired — run 'ssoenv login'\n",
                        "{context}"
                    );
                    sessions_lost += 1;
                    sandbox.login(Duration::from_secs(8 * 3600));
                }
            }
            _ => {}
        }
    }
    eprintln!(
        "kill -9 loop: {killed} processes killed over {tries} tries in {:?}; {} distinct temporary files left behind; \
         {sessions_lost} sessions lost to a kill between a token refresh and its cache write",
        run_started.elapsed(),
        temp_files_seen.len()
    );
    assert!(
        killed >= tries / 4,
        "only {killed} processes were killed: the window is off"
    );

    // Readers ignore whatever temporary files the kills left: the next
    // command works, and sign-out removes the real caches but not them.
    expire_token(&sandbox);
    let out = sandbox.ssoenv(&project, &["export-credentials"]);
    assert!(out.status.success(), "after the kills: {}", stderr(&out));
    let out = sandbox.ssoenv(&project, &["status"]);
    assert!(
        out.status.success(),
        "status after the kills: {}",
        stderr(&out)
    );
    check_every_cache(&sandbox, "after the loop", &mut temp_files_seen);
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    files_in(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    match fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A temporary file of an interrupted atomic write: `.tmp-` + 6 characters.
fn is_temp_file(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.starts_with(".tmp-") && name.len() == 11
}

/// Every file a reader would look at parses; everything else is a private
/// temporary file of an interrupted write.
fn check_every_cache(sandbox: &Sandbox, context: &str, temp_files: &mut BTreeSet<PathBuf>) {
    let home = sandbox.home();
    let credentials = sandbox.credential_cache_dir();
    let tokens = home.join(".aws/sso/cache");
    let trust = home.join(".local/share/ssoenv/allow");
    for (dir, what) in [
        (&credentials, "credential cache"),
        (&tokens, "token cache"),
        (&trust, "trust record"),
    ] {
        for path in files_in(dir) {
            if is_temp_file(&path) {
                assert_eq!(mode(&path), 0o600, "{context}: {path:?}");
                temp_files.insert(path);
                continue;
            }
            let bytes = fs::read(&path).unwrap();
            let problem = match what {
                "credential cache" => check_credential_file(&bytes),
                "token cache" => check_token_file(&bytes),
                _ => check_trust_record(&bytes),
            };
            if let Err(problem) = problem {
                panic!(
                    "{context}: {what} {path:?} is broken ({problem}): {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            assert_eq!(mode(&path), 0o600, "{context}: {what} {path:?}");
        }
    }
    // Files ssoenv wrote or locked, in directories only the user can enter.
    for dir in [
        credentials.clone(),
        credentials.parent().unwrap().to_path_buf(),
        credentials.parent().unwrap().join("locks"),
        trust.clone(),
    ] {
        if dir.exists() {
            assert_eq!(mode(&dir), 0o700, "{context}: {dir:?}");
        }
    }
    for lock in files_in(&credentials.parent().unwrap().join("locks")) {
        assert_eq!(mode(&lock), 0o600, "{context}: {lock:?}");
    }
}

fn check_credential_file(bytes: &[u8]) -> Result<(), String> {
    let file: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let creds = &file["credentials"];
    for field in ["accessKeyId", "secretAccessKey", "sessionToken"] {
        if creds[field].as_str().is_none_or(str::is_empty) {
            return Err(format!("no {field}"));
        }
    }
    if !creds["expiration"].is_u64() || file["version"] != 1 {
        return Err("no expiration or version".into());
    }
    Ok(())
}

fn check_token_file(bytes: &[u8]) -> Result<(), String> {
    let token: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let expires = token["expiresAt"].as_str().ok_or("no expiresAt")?;
    if ssoenv::timefmt::parse_utc(expires).is_none() {
        return Err(format!("unreadable expiresAt {expires:?}"));
    }
    for field in ["accessToken", "refreshToken", "clientId", "clientSecret"] {
        if token[field].as_str().is_none_or(str::is_empty) {
            return Err(format!("no {field}"));
        }
    }
    Ok(())
}

fn check_trust_record(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut lines = text.lines();
    let hash = lines.next().ok_or("empty")?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("hash line {hash:?}"));
    }
    if !lines.next().is_some_and(|p| p.ends_with(".awssso.toml")) || !text.ends_with('\n') {
        return Err("no path line".into());
    }
    Ok(())
}

/// After concurrent renewals: every file private, no temporary leftovers.
fn assert_private_tree(sandbox: &Sandbox) {
    let mut temp_files = BTreeSet::new();
    check_every_cache(sandbox, "after concurrent callers", &mut temp_files);
    assert!(
        temp_files.is_empty(),
        "leftovers without a crash: {temp_files:?}"
    );
}
