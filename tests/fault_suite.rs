//! Every emulator fault on every path that talks to AWS: the prompt hook
//! (entering a project, renewing credentials that are still valid, renewing
//! credentials that have expired meanwhile), `ssoenv exec` (endpoint and
//! `--no-server`) and `export-credentials` when nothing is cached yet.
//!
//! For each pair the test asserts what the user would notice:
//! - the command returns within its deadline (`SSOENV_HOOK_TIMEOUT` /
//!   `SSOENV_TIMEOUT` = 1 s) plus a margin for process start-up;
//! - stderr is exactly one line, and that line names the cause;
//! - no expired credentials are left exported (for the hook, the printed code
//!   is evaluated in bash and the resulting environment inspected);
//!   still-valid ones stay;
//! - the caches (role credentials, SSO token, trust records) are byte-identical;
//! - the hook does not repeat the message at the next prompt.
//!
//! `tests/engine.rs` already covers `export-credentials` renewing due
//! credentials under the portal faults; here it runs without a cache.
//!
//! Each (fault, path) pair is its own test, named `<fault>::<path>`, so they
//! run in parallel and a failure says which pair broke.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sso_emulator::Operation;
use support::{SESSION, Sandbox, stderr, stdout};

/// The deadline given to every command under test.
const DEADLINE: &str = "1s";
/// What a command may take: the deadline, plus process start-up and the
/// work after the deadline fires, on a loaded 2-core CI machine.
const MAX_DURATION: Duration = Duration::from_millis(2500);

/// What the emulator (or the token cache) does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// GetRoleCredentials answers 500 InternalServerException.
    Status500,
    /// GetRoleCredentials answers 429 TooManyRequestsException.
    Status429,
    /// GetRoleCredentials answers after 30 s, far past the deadline.
    Delay,
    /// GetRoleCredentials answers 200 with a body that is not JSON.
    GarbageJson,
    /// GetRoleCredentials closes the connection without an answer.
    DroppedConnection,
    /// The SSO access token was revoked (a sign-out elsewhere).
    RevokedToken,
    /// The SSO access token expired and cannot be refreshed.
    ExpiredToken,
}

impl Fault {
    /// The message after `ssoenv: `, as the engine words it.
    fn message(self, sandbox: &Sandbox) -> String {
        let url = sandbox.emulator.url();
        match self {
            Fault::Status500 => "the SSO portal refused the request (InternalServerException: boom) — try again later".into(),
            Fault::Status429 => "the SSO portal is throttling requests (TooManyRequestsException) — try again in a minute".into(),
            Fault::Delay => format!("no answer from the SSO portal at {url} in time — check your network, or try again"),
            Fault::GarbageJson => format!("the SSO portal at {url} sent an answer ssoenv cannot use (unreadable response) — try again later"),
            Fault::DroppedConnection => format!("cannot reach the SSO portal at {url} (connection closed before message completed) — check your network and AWS_ENDPOINT_URL_SSO"),
            Fault::RevokedToken | Fault::ExpiredToken => {
                format!("SSO session '{SESSION}' expired — run 'ssoenv login'")
            }
        }
    }

    /// Only the user can fix it: the hook keeps valid credentials but says
    /// "login" rather than "keeping".
    fn needs_login(self) -> bool {
        matches!(self, Fault::RevokedToken | Fault::ExpiredToken)
    }

    fn arm(self, sandbox: &Sandbox, token: &sso_emulator::IssuedToken) {
        use sso_emulator::Fault as F;
        let portal_fault = match self {
            Fault::Status500 => F::error(500, "InternalServerException", "boom"),
            Fault::Status429 => F::error(429, "TooManyRequestsException", "slow down"),
            Fault::Delay => F::delay(Duration::from_secs(30)),
            Fault::GarbageJson => F::garbage_body(),
            Fault::DroppedConnection => F::drop_connection(),
            Fault::RevokedToken => {
                assert!(sandbox.emulator.revoke_token(&token.access_token));
                return;
            }
            Fault::ExpiredToken => {
                let mut expired = sandbox.emulator.issue_token(Duration::from_secs(3600));
                expired.expires_at = SystemTime::now() - Duration::from_secs(60);
                sandbox.write_token(SESSION, &expired);
                return;
            }
        };
        sandbox
            .emulator
            .inject_fault(Operation::GetRoleCredentials, portal_fault);
    }
}

/// Which command meets the fault, in which situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// `ssoenv export bash` on entering a project, nothing cached.
    HookEntering,
    /// The next prompt after loading, with credentials due for renewal but
    /// still valid for almost 3 minutes.
    HookRenewingValid,
    /// The next prompt after loading, with the loaded credentials expired.
    HookRenewingExpired,
    /// `ssoenv exec -- CMD` (container endpoint), nothing cached.
    ExecEndpoint,
    /// `ssoenv exec --no-server -- CMD`, nothing cached.
    ExecNoServer,
    /// `ssoenv export-credentials`, nothing cached.
    ExportCredentials,
}

/// The environment of a bash that evaluated the hook's output.
type ShellEnv = BTreeMap<String, String>;

const CREDENTIAL_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

struct Scene {
    sandbox: Sandbox,
    project: PathBuf,
    token: sso_emulator::IssuedToken,
}

impl Scene {
    fn new() -> Scene {
        let sandbox = Sandbox::new();
        let token = sandbox.login(Duration::from_secs(8 * 3600));
        let project = sandbox.allowed_project("app", "ReadOnly", "region = \"eu-west-1\"\n");
        Scene {
            sandbox,
            project,
            token,
        }
    }

    /// One prompt: bash evaluates `ssoenv export bash` in `env` (the
    /// environment the previous prompt left) and reports its environment.
    fn prompt(&self, env: &ShellEnv) -> (Output, Duration, ShellEnv) {
        let mut cmd = Command::new("bash");
        self.sandbox.apply_env(&mut cmd);
        cmd.envs(env)
            .env("SSOENV_HOOK_TIMEOUT", DEADLINE)
            // What bounds a renewal the prompt starts in the background.
            .env("SSOENV_TIMEOUT", DEADLINE)
            .current_dir(&self.project)
            .stdin(Stdio::null())
            .args(["--noprofile", "--norc", "-c"])
            .arg(r#"code=$("$0" export bash) || exit 99; eval "$code" || exit 98; env -0"#)
            .arg(env!("CARGO_BIN_EXE_ssoenv"));
        let started = Instant::now();
        let out = cmd.output().expect("run bash");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "the hook failed ({:?}): {}",
            out.status,
            stderr(&out)
        );
        let env = out
            .stdout
            .split(|b| *b == 0)
            .filter_map(|entry| {
                let entry = String::from_utf8_lossy(entry);
                let (k, v) = entry.split_once('=')?;
                // Only what ssoenv manages; the rest is bash's own.
                (k.starts_with("AWS_") || k.starts_with("SSOENV_"))
                    .then(|| (k.to_owned(), v.to_owned()))
            })
            .filter(|(k, _)| !self.sandbox_var(k))
            .collect();
        (out, took, env)
    }

    /// Variables the sandbox itself sets (endpoints, config paths).
    fn sandbox_var(&self, name: &str) -> bool {
        matches!(
            name,
            "AWS_CONFIG_FILE"
                | "AWS_SHARED_CREDENTIALS_FILE"
                | "AWS_ENDPOINT_URL_SSO"
                | "AWS_ENDPOINT_URL_SSO_OIDC"
                | "AWS_EC2_METADATA_DISABLED"
                | "SSOENV_HOOK_TIMEOUT"
                | "SSOENV_TIMEOUT"
        )
    }

    fn run(&self, args: &[&str]) -> (Output, Duration) {
        let mut cmd = self.sandbox.command(&self.project);
        cmd.env("SSOENV_TIMEOUT", DEADLINE).args(args);
        let started = Instant::now();
        let out = cmd.output().expect("run ssoenv");
        (out, started.elapsed())
    }

    /// The role-credential cache file (there is exactly one after a load).
    fn credential_cache(&self) -> PathBuf {
        let files: Vec<PathBuf> = fs::read_dir(self.sandbox.credential_cache_dir())
            .expect("credential cache directory")
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files[0].clone()
    }

    /// Makes the cached credentials expire `from_now` (negative: in the
    /// past) after a one-hour life, so renewal is due at the next prompt.
    fn age_cached_credentials(&self, from_now: i64) {
        let path = self.credential_cache();
        let mut file: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let expiration = now + from_now;
        file["credentials"]["expiration"] = (expiration).into();
        file["credentials"]["issuedAt"] = (expiration - 3600).into();
        fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    }

    /// Waits until a background renewal has failed, left its note and ended.
    fn wait_for_failure_note(&self, context: &str) {
        let notes = self.sandbox.home().join(".cache/ssoenv/renewal-failures");
        let give_up = Instant::now() + MAX_DURATION * 2;
        while !fs::read_dir(&notes).is_ok_and(|mut entries| entries.next().is_some())
            || !support::background_renewals(&self.project.join(".awssso.toml").to_string_lossy())
                .is_empty()
        {
            assert!(
                Instant::now() < give_up,
                "{context}: the background renewal left no note"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every cache and record file under the sandbox home, with its bytes.
    fn caches(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let home = self.sandbox.home();
        let mut files = BTreeMap::new();
        for dir in [
            home.join(".cache/ssoenv/credentials"),
            home.join(".aws/sso/cache"),
            home.join(".local/share/ssoenv/allow"),
        ] {
            collect_files(&dir, &mut files);
        }
        files
    }
}

fn collect_files(dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            into.insert(path.clone(), fs::read(&path).unwrap());
        }
    }
}

/// The single line of `out`'s stderr.
fn one_line(out: &Output, context: &str) -> String {
    let text = stderr(out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{context}: expected exactly one line on stderr, got {text:?}"
    );
    assert!(text.ends_with('\n'), "{context}: {text:?}");
    lines[0].to_owned()
}

fn assert_no_credentials(env: &ShellEnv, context: &str) {
    for name in CREDENTIAL_VARS {
        assert!(
            !env.contains_key(name),
            "{context}: {name} is still exported: {env:?}"
        );
    }
}

fn expiration(env: &ShellEnv) -> SystemTime {
    let text = env
        .get("AWS_CREDENTIAL_EXPIRATION")
        .expect("AWS_CREDENTIAL_EXPIRATION");
    ssoenv::timefmt::parse_utc(text).unwrap_or_else(|| panic!("unreadable expiration {text:?}"))
}

fn check(fault: Fault, route: Route) {
    let scene = Scene::new();
    let context = format!("{fault:?} on {route:?}");
    let expected = format!("ssoenv: {}", fault.message(&scene.sandbox));

    // A previous prompt that loaded credentials, for the renewal routes.
    let loaded = match route {
        Route::HookRenewingValid | Route::HookRenewingExpired => {
            let (out, _, env) = scene.prompt(&ShellEnv::new());
            assert!(
                env.contains_key("AWS_ACCESS_KEY_ID"),
                "{context}: the first prompt loaded nothing: {}",
                stderr(&out)
            );
            scene.age_cached_credentials(if route == Route::HookRenewingValid {
                170
            } else {
                -10
            });
            Some(env)
        }
        _ => None,
    };
    fault.arm(&scene.sandbox, &scene.token);
    let before = scene.caches();
    let calls_before = scene.sandbox.emulator.total_calls();

    match route {
        Route::HookEntering | Route::HookRenewingValid | Route::HookRenewingExpired => {
            let previous = loaded.clone().unwrap_or_default();
            let (mut out, took, mut env) = scene.prompt(&previous);
            assert!(took < MAX_DURATION, "{context}: the prompt took {took:?}");
            if route == Route::HookRenewingValid {
                // Still valid: the prompt does not wait. It starts the
                // renewal in the background, which meets the fault and
                // leaves a note, and the next prompt says so.
                assert_eq!(
                    stderr(&out),
                    "",
                    "{context}: the prompt spoke before the renewal"
                );
                for name in &CREDENTIAL_VARS[..3] {
                    assert_eq!(
                        env.get(*name),
                        previous.get(*name),
                        "{context}: {name} changed"
                    );
                }
                scene.wait_for_failure_note(&context);
                let (next, took, next_env) = scene.prompt(&env);
                assert!(
                    took < MAX_DURATION,
                    "{context}: the next prompt took {took:?}"
                );
                (out, env) = (next, next_env);
            }
            let line = one_line(&out, &context);
            assert!(
                env.contains_key("SSOENV_STATE"),
                "{context}: no state kept, so the next prompt would try again at once"
            );
            if route == Route::HookRenewingValid {
                let previous = loaded.as_ref().unwrap();
                let wanted = if fault.needs_login() {
                    expected.clone()
                } else {
                    format!("{expected} — keeping the current credentials (expire in 2m)")
                };
                assert_eq!(line, wanted, "{context}");
                for name in &CREDENTIAL_VARS[..3] {
                    assert_eq!(
                        env.get(*name),
                        previous.get(*name),
                        "{context}: still-valid {name} was not kept"
                    );
                }
                // The expiry is the cache's (moved closer by this test), still ahead.
                let left = expiration(&env)
                    .duration_since(SystemTime::now())
                    .unwrap_or_else(|_| panic!("{context}: expired credentials exported"));
                assert!(left <= Duration::from_secs(170), "{context}: {left:?}");
            } else {
                assert_eq!(line, expected, "{context}");
                assert_no_credentials(&env, &context);
            }
            assert_eq!(
                env.contains_key("AWS_REGION"),
                route == Route::HookRenewingValid,
                "{context}: the region goes with the credentials"
            );

            // The next prompt stays quiet and does not ask AWS again.
            let calls = scene.sandbox.emulator.total_calls();
            let (again, _, env_again) = scene.prompt(&env);
            assert_eq!(stderr(&again), "", "{context}: the message was repeated");
            assert_eq!(env_again, env, "{context}: the next prompt changed things");
            assert_eq!(
                scene.sandbox.emulator.total_calls(),
                calls,
                "{context}: the next prompt asked AWS again"
            );
        }
        Route::ExecEndpoint | Route::ExecNoServer => {
            let marker = scene.project.join("child-ran");
            let mut args = vec!["exec"];
            if route == Route::ExecNoServer {
                args.push("--no-server");
            }
            args.extend(["--", "sh", "-c", "touch child-ran"]);
            let (out, took) = scene.run(&args);
            assert!(took < MAX_DURATION, "{context}: exec took {took:?}");
            assert_eq!(out.status.code(), Some(1), "{context}: {}", stderr(&out));
            assert_eq!(one_line(&out, &context), expected, "{context}");
            assert_eq!(stdout(&out), "", "{context}");
            assert!(
                !marker.exists(),
                "{context}: the command ran without credentials"
            );
        }
        Route::ExportCredentials => {
            let (out, took) = scene.run(&["export-credentials", "--format", "env"]);
            assert!(took < MAX_DURATION, "{context}: took {took:?}");
            assert_eq!(out.status.code(), Some(1), "{context}: {}", stderr(&out));
            assert_eq!(one_line(&out, &context), expected, "{context}");
            assert_eq!(stdout(&out), "", "{context}: printed something anyway");
        }
    }

    assert_eq!(
        scene.caches(),
        before,
        "{context}: a cache or trust record changed"
    );
    let calls = scene.sandbox.emulator.total_calls() - calls_before;
    if fault == Fault::ExpiredToken {
        assert_eq!(calls, 0, "{context}: nothing to ask AWS without a token");
    } else {
        assert!(calls >= 1, "{context}: the fault was never met");
    }
}

macro_rules! fault_matrix {
    ($($module:ident => $fault:ident,)*) => {$(
        mod $module {
            use super::{Fault, Route, check};

            #[test]
            fn hook_entering() {
                check(Fault::$fault, Route::HookEntering);
            }

            #[test]
            fn hook_renewing_valid_credentials() {
                check(Fault::$fault, Route::HookRenewingValid);
            }

            #[test]
            fn hook_renewing_expired_credentials() {
                check(Fault::$fault, Route::HookRenewingExpired);
            }

            #[test]
            fn exec_endpoint() {
                check(Fault::$fault, Route::ExecEndpoint);
            }

            #[test]
            fn exec_no_server() {
                check(Fault::$fault, Route::ExecNoServer);
            }

            #[test]
            fn export_credentials() {
                check(Fault::$fault, Route::ExportCredentials);
            }
        }
    )*};
}

fault_matrix! {
    status_500 => Status500,
    status_429 => Status429,
    delay_past_deadline => Delay,
    garbage_json => GarbageJson,
    dropped_connection => DroppedConnection,
    revoked_token => RevokedToken,
    expired_token => ExpiredToken,
}
