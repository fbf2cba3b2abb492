//! What the root crate's integration tests share: a temporary home with an
//! emulator behind it, and a way to run the real `ssoenv` binary inside it.
#![allow(dead_code)] // each test file uses a different part of this

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub use sso_emulator::{Emulator, harness};

pub mod interactive;
pub mod json_shell;
pub mod process_trace;

pub const START_URL: &str = "https://d-1234567890.awsapps.com/start";
pub const SESSION: &str = "dev";
pub const REGION: &str = "us-east-1";

/// A temporary home where ssoenv runs against a fresh emulator.
pub struct Sandbox {
    pub emulator: Emulator,
    dir: tempfile::TempDir,
    platform: Platform,
}

/// Which implementation of the platform layer's process watch and signal
/// wait the ssoenv processes of a sandbox use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// This system's own (a pidfd and `sigtimedwait` on Linux).
    Native,
    /// The portable twins macOS relies on (a poll of pid and start time, a
    /// self-pipe), forced on with `SSOENV_FORCE_PORTABLE=1`.
    PortableTwins,
}

/// Makes a test of each named function (which takes a [`Platform`]): a
/// module of the same name holding `native` and `portable_twins`, the same
/// body and assertions run with each.
#[allow(unused_macros)] // used by the exec and agent suites
macro_rules! on_both_platform_paths {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            $(#[$meta])*
            fn native() {
                super::$name(crate::support::Platform::Native);
            }

            #[test]
            $(#[$meta])*
            fn portable_twins() {
                super::$name(crate::support::Platform::PortableTwins);
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use on_both_platform_paths;

impl Sandbox {
    pub fn new() -> Self {
        Self::on(Platform::Native)
    }

    /// A sandbox whose ssoenv processes use `platform`'s implementations.
    pub fn on(platform: Platform) -> Self {
        let emulator = Emulator::start();
        emulator.set_log_requests(false);
        let dir = tempfile::tempdir().expect("temporary directory");
        fs::create_dir_all(dir.path().join("home")).unwrap();
        Self {
            emulator,
            dir,
            platform,
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The first generated account's id (the emulator serves a few by default).
    pub fn account_id(&self) -> String {
        self.emulator
            .account(0)
            .expect("the emulator serves accounts")
            .account_id
    }

    /// Writes a refreshable token for the `dev` sso-session into the AWS CLI
    /// cache, as `aws sso login` leaves it.
    pub fn login(&self, lifetime: Duration) -> sso_emulator::IssuedToken {
        let client = self
            .emulator
            .issue_client_registration(Duration::from_secs(90 * 86400));
        let token = self.emulator.issue_refreshable_token(&client, lifetime);
        self.write_token(SESSION, &token);
        token
    }

    /// Writes `token` to the AWS CLI cache under `key` (session name or start URL).
    pub fn write_token(&self, key: &str, token: &sso_emulator::IssuedToken) -> PathBuf {
        sso_emulator::token_cache::write_token_cache(&self.home(), key, START_URL, REGION, token)
            .expect("write token cache")
    }

    /// The AWS CLI token cache file of the `dev` session.
    pub fn token_cache_file(&self) -> PathBuf {
        self.home()
            .join(".aws/sso/cache")
            .join(format!("{}.json", sha1_hex(SESSION)))
    }

    /// Creates `dir` (relative to home) with a `.awssso.toml` for `role` in the
    /// first account, plus `extra` lines. Returns the directory.
    pub fn project(&self, dir: &str, role: &str, extra: &str) -> PathBuf {
        let path = self.home().join(dir);
        fs::create_dir_all(&path).unwrap();
        let config = format!(
            "sso_session = \"{SESSION}\"\nsso_start_url = \"{START_URL}\"\nsso_region = \"{REGION}\"\n\
             sso_account_id = \"{}\"\nsso_role_name = \"{role}\"\n{extra}",
            self.account_id()
        );
        fs::write(path.join(".awssso.toml"), config).unwrap();
        path
    }

    /// A project that is already allowed.
    pub fn allowed_project(&self, dir: &str, role: &str, extra: &str) -> PathBuf {
        let path = self.project(dir, role, extra);
        let out = self.ssoenv(&path, &["allow"]);
        assert!(out.status.success(), "allow failed: {}", stderr(&out));
        path
    }

    /// `ssoenv` as a command with this sandbox's environment and nothing of
    /// the developer's: HOME, XDG dirs, AWS config and endpoints all point here.
    pub fn command(&self, cwd: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ssoenv"));
        self.apply_env(&mut cmd);
        cmd.current_dir(cwd).stdin(Stdio::null());
        cmd
    }

    /// Sets this sandbox's environment on any command (shells, python).
    pub fn apply_env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("LANG", "C.UTF-8")
            .env("AWS_CONFIG_FILE", self.home().join(".aws/config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home().join(".aws/credentials"),
            )
            .env("AWS_ENDPOINT_URL_SSO", self.emulator.url())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", self.emulator.url())
            .env("AWS_ENDPOINT_URL_STS", self.emulator.url())
            .env("AWS_ENDPOINT_URL_SIGNIN", self.emulator.url())
            .env("AWS_EC2_METADATA_DISABLED", "true");
        if self.platform == Platform::PortableTwins {
            cmd.env(ssoenv::platform::FORCE_PORTABLE_VAR, "1");
        }
    }

    pub fn ssoenv(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(cwd).args(args).output().expect("run ssoenv")
    }

    /// The role-credential cache directory.
    pub fn credential_cache_dir(&self) -> PathBuf {
        self.home().join(".cache/ssoenv/credentials")
    }

    /// The credential agent's directory (there is no XDG_RUNTIME_DIR here).
    pub fn agent_dir(&self) -> PathBuf {
        self.home().join(".cache/ssoenv/agent")
    }

    /// Pid and port from the agent's record, if it has one.
    pub fn agent_record(&self) -> Option<(u32, u16)> {
        let text = fs::read_to_string(self.agent_dir().join("agent.json")).ok()?;
        let record: serde_json::Value = serde_json::from_str(&text).ok()?;
        Some((
            u32::try_from(record["pid"].as_u64()?).ok()?,
            u16::try_from(record["port"].as_u64()?).ok()?,
        ))
    }
}

impl Drop for Sandbox {
    /// An agent a test started would otherwise serve its deleted home for 12 h.
    fn drop(&mut self) {
        if let Some((pid, _)) = self.agent_record() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The `AWS_*` and `SSOENV_*` variables of an `env -0` dump: what a shell
/// carries from one prompt to the next, as far as ssoenv is concerned.
pub fn ssoenv_vars_of_env_dump(dump: &[u8]) -> Vec<(String, String)> {
    dump.split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (name, value) = entry.split_once('=')?;
            (name.starts_with("AWS_") || name.starts_with("SSOENV_"))
                .then(|| (name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// The state letter `ps` shows for `pid` (`R`, `S`, `T` stopped, `Z`
/// zombie…), or `None` when there is no such process. `ps` answers alike on
/// Linux and macOS.
pub fn process_state(pid: u32) -> Option<char> {
    let out = Command::new("ps")
        .args(["-o", "stat=", "-p", &pid.to_string()])
        .output()
        .expect("run ps");
    String::from_utf8_lossy(&out.stdout).trim().chars().next()
}

/// True while `pid` runs (a zombie has exited).
/// The pids of the background renewals a prompt started (`ssoenv-core
/// __renew-ahead FILE`, see `src/ahead.rs`) whose command line holds
/// `needle`: a project file, or a sandbox's home.
pub fn background_renewals(needle: &str) -> Vec<u32> {
    let out = Command::new("ps")
        .args(["-eo", "pid=,args="])
        .output()
        .expect("run ps");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| line.contains("__renew-ahead ") && line.contains(needle))
        .filter_map(|line| line.split_whitespace().next()?.parse().ok())
        .collect()
}

pub fn process_alive(pid: u32) -> bool {
    process_state(pid).is_some_and(|state| state != 'Z')
}

/// The AWS CLI (v1, installed next to the test venv's Python), or `None`
/// with a skip line locally (a failure under CI).
#[track_caller]
pub fn aws_cli() -> Option<PathBuf> {
    let python = harness::python()?;
    let aws = python.with_file_name("aws");
    if aws.is_file() {
        Some(aws)
    } else {
        harness::missing(
            &format!("the AWS CLI next to {}", python.display()),
            "install awscli into the test venv",
        )
    }
}

/// The static Linux build of ssoenv-relay that containers run:
/// `$SSOENV_TEST_RELAY` (scripts/test builds it and sets it), else the musl
/// release build in `target/`; `None` with a skip line locally (a failure
/// under CI).
#[track_caller]
pub fn static_relay() -> Option<PathBuf> {
    let relay = match std::env::var_os("SSOENV_TEST_RELAY") {
        Some(path) => PathBuf::from(path),
        None => harness::workspace_root().join(format!(
            "target/{}-unknown-linux-musl/release/ssoenv-relay",
            std::env::consts::ARCH
        )),
    };
    if relay.is_file() {
        return Some(relay);
    }
    harness::missing(
        &format!("the static relay build {}", relay.display()),
        &format!(
            "rustup target add {0}-unknown-linux-musl; cargo build --release -p ssoenv-relay \
             --target {0}-unknown-linux-musl (scripts/test does)",
            std::env::consts::ARCH
        ),
    )
}

pub fn sha1_hex(text: &str) -> String {
    sha1_smol::Sha1::from(text).digest().to_string()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `NAME=value` lines from `export-credentials --format env-no-export`.
pub fn env_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// `export-credentials --format env-no-export` in `cwd`, as `NAME=value` pairs.
pub fn credentials_of(sandbox: &Sandbox, cwd: &Path) -> Vec<(String, String)> {
    let out = sandbox.ssoenv(cwd, &["export-credentials", "--format", "env-no-export"]);
    assert!(
        out.status.success(),
        "export-credentials failed: {}",
        stderr(&out)
    );
    env_lines(&stdout(&out))
}

/// The AWS_ACCESS_KEY_ID among `vars`.
pub fn access_key(vars: &[(String, String)]) -> String {
    vars.iter()
        .find(|(k, _)| k == "AWS_ACCESS_KEY_ID")
        .expect("AWS_ACCESS_KEY_ID")
        .1
        .clone()
}

/// The static credential variables an SDK would prefer to an endpoint.
const STATIC_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// The Rust SDK as a child program: its default credential chain, asked
/// every 250 ms for `run`, one JSON line per answer into `out` (after one
/// line listing the static variables it could see).
pub fn sdk_chain_probe(out: &Path, run: Duration) {
    use std::io::Write;
    use std::time::{Instant, SystemTime};

    use aws_credential_types::provider::ProvideCredentials;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut report = fs::File::create(out).unwrap();
    let static_env: Vec<&str> = STATIC_VARS
        .into_iter()
        .filter(|v| std::env::var_os(v).is_some())
        .collect();
    writeln!(
        report,
        "{}",
        serde_json::json!({ "static_env": static_env })
    )
    .unwrap();
    runtime.block_on(async {
        // The SDK's default chain: environment, profile, web identity, then
        // the container endpoint. It must end up at the endpoint.
        let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
            .build()
            .await;
        let deadline = Instant::now() + run;
        while Instant::now() < deadline {
            let creds = chain
                .provide_credentials()
                .await
                .expect("credentials from the chain");
            let expiry = creds.expiry().expect("container credentials expire");
            let left = expiry
                .duration_since(SystemTime::now())
                .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap().max(1));
            writeln!(
                report,
                "{}",
                serde_json::json!({ "access_key": creds.access_key_id(), "millis_left": left })
            )
            .unwrap();
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
}

/// What [`sdk_chain_probe`] saw: the distinct access keys, after checking
/// that of the static variables it saw exactly `expected_static`, answered
/// more than ten times and never with expired credentials.
#[track_caller]
pub fn sdk_chain_report(
    report: &Path,
    expected_static: &[&str],
) -> std::collections::BTreeSet<String> {
    let lines = fs::read_to_string(report).expect("the probe ran and wrote its report");
    let mut keys = std::collections::BTreeSet::new();
    let mut count = 0;
    for line in lines.lines() {
        let seen: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(env) = seen.get("static_env") {
            assert_eq!(
                env,
                &serde_json::json!(expected_static),
                "static credentials visible to the child"
            );
            continue;
        }
        count += 1;
        assert!(seen["millis_left"].as_i64().unwrap() > 0, "expired: {seen}");
        keys.insert(seen["access_key"].as_str().unwrap().to_owned());
    }
    assert!(
        count > 10,
        "the probe loaded credentials only {count} times"
    );
    keys
}
