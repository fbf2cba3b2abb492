//! `ssoenv init`, by flags (as scripts use it) and through its pickers on a
//! real terminal (tmux), against the emulator.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::{REGION, SESSION, START_URL, Sandbox, harness, stderr};

/// Signed in to the `dev` session, which the AWS config file defines.
fn signed_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let config = sandbox.home().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n"),
    )
    .unwrap();
    sandbox
}

fn new_dir(sandbox: &Sandbox, name: &str) -> PathBuf {
    let dir = sandbox.home().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn flags_write_a_file_without_asking_or_fetching() {
    let sandbox = signed_in();
    let dir = new_dir(&sandbox, "scripted");
    let out = sandbox.ssoenv(
        &dir,
        &[
            "init",
            "--account",
            "100000000002",
            "--role",
            "ReadOnly",
            "--region",
            "eu-west-1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sandbox.emulator.total_calls(),
        0,
        "no request with every flag given"
    );
    let text = std::fs::read_to_string(dir.join(".awssso.toml")).unwrap();
    insta::assert_snapshot!("scripted_file", text);
    let err = stderr(&out);
    assert!(
        err.contains("ssoenv: wrote ~/scripted/.awssso.toml"),
        "{err}"
    );
    assert!(err.contains("run 'ssoenv allow'"), "{err}");

    // The file works: allowed, it loads credentials for that account and role.
    let out = sandbox.ssoenv(&dir, &["allow"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sandbox.ssoenv(&dir, &["export-credentials", "--format", "env-no-export"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn it_refuses_to_overwrite_without_force() {
    let sandbox = signed_in();
    let dir = new_dir(&sandbox, "existing");
    std::fs::write(dir.join(".awssso.toml"), "# mine\n").unwrap();
    let args = ["init", "--account", "100000000000", "--role", "ReadOnly"];
    let out = sandbox.ssoenv(&dir, &args);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join(".awssso.toml")).unwrap(),
        "# mine\n"
    );

    let mut forced = args.to_vec();
    forced.push("--force");
    let out = sandbox.ssoenv(&dir, &forced);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(dir.join(".awssso.toml"))
            .unwrap()
            .contains("100000000000")
    );
}

#[test]
fn without_a_terminal_a_missing_flag_is_named() {
    let sandbox = signed_in();
    let dir = new_dir(&sandbox, "ci");
    let out = sandbox.ssoenv(&dir, &["init", "--account", "100000000000"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("ssoenv: missing --role NAME"), "{err}");
    assert!(!dir.join(".awssso.toml").exists());
    assert_eq!(sandbox.emulator.total_calls(), 0);
}

#[test]
fn the_session_can_come_from_a_profile() {
    let sandbox = signed_in();
    let config = sandbox.home().join(".aws/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[sso-session other]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = eu-west-1\n");
    text.push_str(&format!("[profile dev-admin]\nsso_session = {SESSION}\n"));
    std::fs::write(&config, text).unwrap();
    let dir = new_dir(&sandbox, "profiled");
    // Two sessions: without --profile there is no telling which.
    let out = sandbox.ssoenv(
        &dir,
        &["init", "--account", "100000000000", "--role", "ReadOnly"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("several sso-sessions (dev, other)"),
        "{}",
        stderr(&out)
    );
    let out = sandbox.ssoenv(
        &dir,
        &[
            "init",
            "--profile",
            "dev-admin",
            "--account",
            "100000000000",
            "--role",
            "ReadOnly",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.join(".awssso.toml")).unwrap();
    assert!(written.contains("sso_session    = \"dev\""), "{written}");
}

/// `ssoenv init` on a tmux terminal: keys in, screen out.
struct Terminal {
    tmux: PathBuf,
    socket: String,
    _dir: tempfile::TempDir,
    marker: PathBuf,
}

impl Terminal {
    fn start(sandbox: &Sandbox, cwd: &Path, tmux: PathBuf) -> Terminal {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("exit-code");
        let socket = format!(
            "ssoenv-init-{}-{}",
            std::process::id(),
            cwd.file_name().unwrap().to_string_lossy()
        );
        let command = format!(
            "'{}' init; echo $? > '{}'; sleep 30",
            env!("CARGO_BIN_EXE_ssoenv"),
            marker.display()
        );
        let mut cmd = Command::new(&tmux);
        sandbox.apply_env(&mut cmd);
        cmd.env("TERM", "xterm-256color")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "150",
                "-y",
                "40",
                "-c",
            ])
            .arg(cwd)
            .arg(command);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "tmux: {}", stderr(&out));
        Terminal {
            tmux,
            socket,
            _dir: dir,
            marker,
        }
    }

    fn screen(&self) -> String {
        let out = Command::new(&self.tmux)
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new(&self.tmux)
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn type_text(&self, text: &str) {
        let status = Command::new(&self.tmux)
            .args(["-L", &self.socket, "send-keys", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn exit_code(&self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.marker)
                && text.ends_with('\n')
            {
                return text.trim().parse().unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "init did not end; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new(&self.tmux)
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn the_pickers_filter_and_choose_on_a_terminal() {
    let Some(tmux) = harness::require_tool("tmux") else {
        return;
    };
    let sandbox = signed_in();
    sandbox
        .emulator
        .generate_accounts(40, &["AdministratorAccess", "Billing", "ReadOnly"]);
    let dir = new_dir(&sandbox, "picked");
    let term = Terminal::start(&sandbox, &dir, tmux);

    term.wait_for("account (40, type to filter)");
    term.type_text("account27");
    let screen = term.wait_for("Account 27  100000000026");
    assert!(
        !screen.contains("Account 3 "),
        "the filter narrows the list:\n{screen}"
    );
    term.keys(&["Enter"]);

    term.wait_for("role");
    term.type_text("bil");
    term.wait_for("> Billing");
    term.keys(&["Enter"]);

    term.wait_for("allow it now");
    term.keys(&["Enter"]);
    assert_eq!(term.exit_code(), 0, "{}", term.screen());

    let text = std::fs::read_to_string(dir.join(".awssso.toml")).unwrap();
    assert!(text.contains("sso_account_id = \"100000000026\""), "{text}");
    assert!(text.contains("sso_role_name  = \"Billing\""), "{text}");
    assert!(
        text.contains("# The account and role to use: Account 27 (100000000026)."),
        "{text}"
    );
    let out = sandbox.ssoenv(&dir, &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["config"]["state"], "active", "init allowed the file");
}

#[test]
fn escape_cancels_and_writes_nothing() {
    let Some(tmux) = harness::require_tool("tmux") else {
        return;
    };
    let sandbox = signed_in();
    let dir = new_dir(&sandbox, "cancelled");
    let term = Terminal::start(&sandbox, &dir, tmux);
    term.wait_for("type to filter");
    term.keys(&["Escape"]);
    assert_eq!(term.exit_code(), 130);
    assert!(
        term.screen()
            .contains("ssoenv: cancelled — nothing was written")
    );
    assert!(!dir.join(".awssso.toml").exists());
}
