//! Renewal ahead of time: while the shell's credentials are still valid, no
//! prompt and no command line waits for AWS. A slow portal (0.5 s per
//! call), a hanging one, fifty shells at once (`tests/concurrency.rs`), the
//! detached renewal's own process, and `kill -9` of it.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use sso_emulator::{Fault, Operation};
use support::json_shell::{Moment, Shell};
use support::{Sandbox, stderr};

fn role_calls(sandbox: &Sandbox) -> u64 {
    sandbox.emulator.calls(Operation::GetRoleCredentials)
}

/// What the shell's credentials have left, from `AWS_CREDENTIAL_EXPIRATION`.
fn left(shell: &Shell) -> Duration {
    let text = shell
        .get("AWS_CREDENTIAL_EXPIRATION")
        .expect("an expiration in the shell");
    humantime::parse_rfc3339(text)
        .expect("RFC 3339")
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
}

/// A signed-in sandbox whose role credentials live `lifetime`, with an
/// allowed project of default settings.
fn project_with_lifetime(lifetime: Duration) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox.emulator.set_credential_lifetime(lifetime);
    let project = sandbox.allowed_project("app", "AdministratorAccess", "");
    (sandbox, project)
}

/// The process of the background renewal of `project`, if one runs.
fn renewal_process(project: &Path) -> Option<u32> {
    support::background_renewals(&project.join(".awssso.toml").to_string_lossy())
        .first()
        .copied()
}

/// The scenario of the issue: 120-second credentials, default settings
/// (`refresh_before` 10m and `min_ttl` 15m, both capped at half the
/// lifetime: 60 s), a portal 0.5 s away, and a prompt and a pre-command
/// call every 2 s for 140 s. After the first load no call takes 150 ms, the
/// key is never missing, no command line starts with less than 60 s left,
/// and the credentials are renewed at least twice with at most 4 requests.
#[test]
fn a_slow_portal_never_holds_a_prompt_or_a_command_line() {
    let (sandbox, project) = project_with_lifetime(Duration::from_secs(120));
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::delay(Duration::from_millis(500)),
    );
    let mut shell = Shell::new(&sandbox, &project);
    let (said, took) = shell.call(Moment::Prompt);
    assert!(said.starts_with("ssoenv: loaded "), "{said}");
    assert!(
        took >= Duration::from_millis(500),
        "the first load waits: {took:?}"
    );
    let start = Instant::now();
    let mut keys = vec![shell.get("AWS_ACCESS_KEY_ID").unwrap().to_owned()];
    let mut timeline = Vec::new();
    let mut slowest = Duration::ZERO;
    let mut tick = 1;
    while start.elapsed() < Duration::from_secs(140) {
        let next = start + Duration::from_secs(2 * tick);
        tick += 1;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        for moment in [Moment::Prompt, Moment::BeforeCommand] {
            let (said, took) = shell.call(moment);
            let key = shell
                .get("AWS_ACCESS_KEY_ID")
                .unwrap_or_else(|| panic!("no key at {:?} ({said})", start.elapsed()))
                .to_owned();
            let left = left(&shell);
            timeline.push(format!(
                "{:>6.1}s {moment:?}: {:>3} ms, {:>3}s left{}",
                start.elapsed().as_secs_f64(),
                took.as_millis(),
                left.as_secs(),
                if said.is_empty() {
                    String::new()
                } else {
                    format!(", said {:?}", said.trim())
                }
            ));
            slowest = slowest.max(took);
            assert!(
                took < Duration::from_millis(150),
                "a call took {took:?}:\n{}",
                timeline.join("\n")
            );
            if moment == Moment::BeforeCommand {
                assert!(
                    left >= Duration::from_secs(59),
                    "a command line started with {left:?} left:\n{}",
                    timeline.join("\n")
                );
            }
            if keys.last() != Some(&key) {
                keys.push(key);
            }
        }
    }
    eprintln!("{}", timeline.join("\n"));
    let calls = role_calls(&sandbox);
    eprintln!(
        "{} keys, {calls} GetRoleCredentials, slowest call {slowest:?}",
        keys.len()
    );
    assert!(keys.len() >= 3, "renewed at least twice: {keys:?}");
    assert!((3..=4).contains(&calls), "{calls} requests");
}

/// The network hangs (the portal takes connections and never answers)
/// while the credentials are due: every prompt stays quick until they
/// actually expire, and the failure is said once.
#[test]
fn a_hanging_portal_holds_no_prompt_and_is_reported_once() {
    let (sandbox, project) = project_with_lifetime(Duration::from_secs(30));
    let mut shell = Shell::new(&sandbox, &project);
    shell.extra.push(("SSOENV_TIMEOUT".into(), "4s".into()));
    shell.prompt();
    let key = shell.get("AWS_ACCESS_KEY_ID").unwrap().to_owned();
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::delay(Duration::from_secs(3600)),
    );
    let mut said = Vec::new();
    let mut slowest = Duration::ZERO;
    // Renewal ahead is due 18 s before expiry (15 s, half the lifetime, and
    // a lead of a tenth); the background attempt gives up after 4 s.
    while left(&shell) > Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(500));
        let (line, took) = shell.call(Moment::Prompt);
        slowest = slowest.max(took);
        assert!(took < Duration::from_millis(150), "a prompt took {took:?}");
        assert_eq!(shell.get("AWS_ACCESS_KEY_ID"), Some(key.as_str()), "kept");
        if !line.is_empty() {
            said.push(line);
        }
    }
    eprintln!("slowest prompt {slowest:?}; said {said:?}");
    assert!(role_calls(&sandbox) >= 2, "a renewal was tried");
    assert_eq!(said.len(), 1, "said once: {said:?}");
    assert!(
        said[0].starts_with("ssoenv: no answer from the SSO portal")
            && said[0].contains("keeping the current credentials (expire in "),
        "{said:?}"
    );
}

/// The renewal a prompt starts is detached: the `$(…)` that ran the prompt
/// returns while the renewal still waits for a slow portal, and the
/// renewal's process leads a session of its own, has no terminal, and
/// holds none of the shell's descriptors (only /dev/null). `kill -9` of it
/// leaves nothing the next prompts cannot handle: the call before a
/// command, with less than `min_ttl` left, renews as it always could.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "reads the renewal's process from /proc"
)]
fn the_background_renewal_is_detached_and_kill_9_of_it_is_harmless() {
    let (sandbox, project) = project_with_lifetime(Duration::from_secs(3600));
    let mut shell = Shell::new(&sandbox, &project);
    shell.prompt();
    let loaded = shell.get("AWS_ACCESS_KEY_ID").unwrap().to_owned();
    // 10 minutes left of an hour: due ahead, and for a command.
    age_credentials(&sandbox, 600);
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::delay(Duration::from_secs(3600)),
    );
    let mut bash = Command::new("bash");
    sandbox.apply_env(&mut bash);
    bash.current_dir(&project)
        .envs(&shell.env)
        .args(["--noprofile", "--norc", "-c"])
        // A descriptor the shell keeps open for the commands it runs.
        .arg(r#"exec 7>"$HOME/shell-fd" && code=$("$0" export bash) && printf %s "$code""#)
        .arg(env!("CARGO_BIN_EXE_ssoenv"));
    let started = Instant::now();
    let out = bash.output().unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(took < Duration::from_secs(1), "$(…) waited {took:?}");

    let give_up = Instant::now() + Duration::from_secs(10);
    let pid = loop {
        if let Some(pid) = renewal_process(&project) {
            break pid;
        }
        assert!(Instant::now() < give_up, "no background renewal runs");
        std::thread::sleep(Duration::from_millis(20));
    };
    // Asking the portal, which does not answer.
    while role_calls(&sandbox) < 2 {
        assert!(Instant::now() < give_up, "the renewal never asked");
        std::thread::sleep(Duration::from_millis(20));
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    assert_eq!(fields[3], pid.to_string(), "a session of its own: {stat}");
    assert_eq!(fields[4], "0", "no controlling terminal: {stat}");
    for fd in 0..3 {
        let target = fs::read_link(format!("/proc/{pid}/fd/{fd}")).unwrap();
        assert_eq!(target, Path::new("/dev/null"), "fd {fd}");
    }
    let fds: Vec<String> = fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let target = fs::read_link(entry.path()).unwrap_or_default();
            format!(
                "{} -> {}",
                entry.file_name().to_string_lossy(),
                target.display()
            )
        })
        .collect();
    eprintln!("{fds:?}");
    for fd in &fds {
        assert!(
            !fd.contains("pipe:") && !fd.contains("/dev/pts"),
            "holds {fds:?}"
        );
    }

    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    while renewal_process(&project).is_some() {
        assert!(Instant::now() < give_up, "kill -9 did not end it");
        std::thread::sleep(Duration::from_millis(20));
    }
    sandbox.emulator.clear_faults();
    let (said, _) = shell.call(Moment::Prompt);
    assert_eq!(
        shell.get("AWS_ACCESS_KEY_ID"),
        Some(loaded.as_str()),
        "{said}"
    );
    let (said, _) = shell.call(Moment::BeforeCommand);
    assert!(said.starts_with("ssoenv: renewed "), "{said}");
    assert_ne!(shell.get("AWS_ACCESS_KEY_ID"), Some(loaded.as_str()));
}

/// Moves the cached credentials' expiry to `from_now` seconds from now,
/// after a one-hour life.
fn age_credentials(sandbox: &Sandbox, from_now: u64) {
    let dir = sandbox.credential_cache_dir();
    let path = fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let mut file: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    file["credentials"]["expiration"] = (now + from_now).into();
    file["credentials"]["issuedAt"] = (now + from_now - 3600).into();
    fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
}
