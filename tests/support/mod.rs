//! What the root crate's integration tests share: a temporary home with an
//! emulator behind it, and a way to run the real `ssoenv` binary inside it.
#![allow(dead_code)] // each test file uses a different part of this

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub use sso_emulator::{Emulator, harness};

pub mod interactive;

pub const START_URL: &str = "https://d-1234567890.awsapps.com/start";
pub const SESSION: &str = "dev";
pub const REGION: &str = "us-east-1";

/// A temporary home where ssoenv runs against a fresh emulator.
pub struct Sandbox {
    pub emulator: Emulator,
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let emulator = Emulator::start();
        emulator.set_log_requests(false);
        let dir = tempfile::tempdir().expect("temporary directory");
        fs::create_dir_all(dir.path().join("home")).unwrap();
        Self { emulator, dir }
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
    }

    pub fn ssoenv(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(cwd).args(args).output().expect("run ssoenv")
    }

    /// The role-credential cache directory.
    pub fn credential_cache_dir(&self) -> PathBuf {
        self.home().join(".cache/ssoenv/credentials")
    }
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
