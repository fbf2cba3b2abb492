//! The prompt binary: `ssoenv export <shell>` with nothing changed must stay
//! a few `stat`s — no config parsing, no async runtime, no TLS, no network —
//! and every prompt that needs no AWS request (leaving, entering with cached
//! credentials, an untrusted file) is answered by it alone, without exec'ing
//! `ssoenv-core`.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use sso_emulator::Operation;
use support::{Sandbox, harness, stderr, stdout};

#[test]
fn the_prompt_binary_links_no_runtime_tls_sdk_or_argument_parser() {
    let Some(nm) = harness::require_tool("nm") else {
        return;
    };
    let out = Command::new(nm)
        .arg("--demangle")
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .output()
        .expect("run nm");
    assert!(out.status.success(), "nm failed: {}", stderr(&out));
    let symbols = stdout(&out);
    assert!(
        symbols.lines().count() > 100,
        "nm listed too little to judge:\n{symbols}"
    );
    // The small binary parses `.awssso.toml` (toml) and JSON caches now;
    // what it must never carry is what makes ssoenv-core slow to start.
    // This is the debug binary, where shared generics make the linker pull
    // whole library objects and keep aws-lc's C constructor (not its Rust
    // wrappers, which are checked here); `.ci/run` checks the release binary
    // it installs for that too.
    for crate_name in [
        "tokio::",
        "rustls::",
        "aws_lc_rs::",
        "aws_sdk_",
        "aws_smithy_",
        "hyper::",
        "hyper_util::",
        "hyper_rustls::",
        "clap_builder::",
        "inquire::",
        "indicatif::",
        "ssoenv::aws::",
        "ssoenv::signin::",
        "ssoenv::endpoint::",
        "ssoenv::engine::obtain",
    ] {
        let linked: Vec<&str> = symbols
            .lines()
            .filter(|l| l.contains(crate_name))
            .take(3)
            .collect();
        assert!(
            linked.is_empty(),
            "the prompt binary links {crate_name}: {linked:?}"
        );
    }
}

#[test]
fn an_idle_prompt_prints_nothing_logs_nothing_and_calls_nothing() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "region = \"eu-west-1\"\n");
    let first = sandbox.ssoenv(&project.join("."), &["export", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&first.stdout).expect("export json");
    let calls = sandbox.emulator.total_calls();
    assert_eq!(calls, 1);

    for _ in 0..20 {
        let mut prompt = sandbox.command(&project);
        for (name, value) in changes["set"].as_object().unwrap() {
            prompt.env(name, value.as_str().unwrap());
        }
        // With trace logging on, any step past the hot path would say so.
        let out = prompt
            .env("SSOENV_LOG", "trace")
            .args(["export", "bash"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(stdout(&out), "", "an idle prompt prints no code");
        assert_eq!(stderr(&out), "", "an idle prompt says nothing");
    }
    assert_eq!(
        sandbox.emulator.total_calls(),
        calls,
        "no request from idle prompts"
    );
}

/// The prompt's environment after `ssoenv export json` printed `changes`.
fn prompt_after(sandbox: &Sandbox, project: &Path, changes: &serde_json::Value) -> Command {
    let mut prompt = sandbox.command(project);
    for (name, value) in changes["set"].as_object().unwrap() {
        prompt.env(name, value.as_str().unwrap());
    }
    prompt
}

#[test]
fn the_call_before_a_command_is_the_same_hot_path_when_nothing_is_due() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let first = sandbox.ssoenv(&project, &["export", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&first.stdout).expect("export json");
    let calls = sandbox.emulator.total_calls();
    assert_eq!(calls, 1);
    for _ in 0..10 {
        let out = prompt_after(&sandbox, &project, &changes)
            .env("SSOENV_LOG", "trace")
            .args(["export", "bash", "--before-command"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(stdout(&out), "", "nothing to change");
        assert_eq!(stderr(&out), "", "nothing past the hot path ran");
    }
    assert_eq!(sandbox.emulator.total_calls(), calls);
}

/// With 20 s credentials, `refresh_before = "2s"` and `min_ttl = "9s"` (both
/// under half the lifetime): once 8 s are left — less than `min_ttl`, and no
/// prompt in between started a renewal ahead — the call before a command
/// renews, and the command waits for it. (A prompt would not wait:
/// `tests/renew_ahead.rs`.)
#[test]
fn less_than_min_ttl_left_makes_the_call_before_a_command_renew() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(20));
    let project = sandbox.allowed_project(
        "app",
        "ReadOnly",
        "refresh_before = \"2s\"\nmin_ttl = \"9s\"\n",
    );
    let first = sandbox.ssoenv(&project, &["export", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&first.stdout).expect("export json");
    let role_calls = || sandbox.emulator.calls(Operation::GetRoleCredentials);
    assert_eq!(role_calls(), 1);
    std::thread::sleep(Duration::from_secs(12));
    assert_eq!(role_calls(), 1, "nothing renews while nobody asks");

    let before = prompt_after(&sandbox, &project, &changes)
        .args(["export", "json", "--before-command"])
        .output()
        .unwrap();
    assert!(before.status.success(), "{}", stderr(&before));
    assert_eq!(role_calls(), 2, "less than min_ttl left: renewed");
    let renewed: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_ne!(
        renewed["set"]["AWS_ACCESS_KEY_ID"], changes["set"]["AWS_ACCESS_KEY_ID"],
        "{renewed}"
    );
    assert!(
        stderr(&before).starts_with("ssoenv: renewed "),
        "{}",
        stderr(&before)
    );
}

/// Once a renewal ahead falls due, with nothing else changed, the prompt
/// binary answers by itself, at once and without a word even with trace
/// logging on: it starts the renewal in the background and prints the state
/// that says so, nothing else. A later prompt loads what the renewal got.
#[test]
fn a_renewal_ahead_is_started_by_the_hot_path_and_loaded_by_a_later_prompt() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    // 12 s: the latest renewal 6 s before the expiry, ahead 7.2 s before.
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(12));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let first = sandbox.ssoenv(&project, &["export", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&first.stdout).expect("export json");
    let role_calls = || sandbox.emulator.calls(Operation::GetRoleCredentials);
    assert_eq!(role_calls(), 1);
    std::thread::sleep(Duration::from_millis(5500));
    assert_eq!(role_calls(), 1, "nothing renews while nobody asks");

    let out = prompt_after(&sandbox, &project, &changes)
        .env("SSOENV_LOG", "trace")
        .args(["export", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "nothing past the hot path ran");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a state update");
    let set = answer["set"].as_object().unwrap();
    assert_eq!(set.keys().collect::<Vec<_>>(), ["SSOENV_STATE"], "{answer}");
    assert_eq!(answer["unset"], serde_json::json!([]));

    let give_up = std::time::Instant::now() + Duration::from_secs(10);
    while role_calls() < 2 {
        assert!(
            std::time::Instant::now() < give_up,
            "the renewal never asked"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut later = prompt_after(&sandbox, &project, &changes);
    later.env("SSOENV_STATE", set["SSOENV_STATE"].as_str().unwrap());
    let loaded = loop {
        let out = later.args(["export", "json"]).output().unwrap();
        let text = stdout(&out);
        if text.contains("AWS_ACCESS_KEY_ID") {
            assert!(
                stderr(&out).starts_with("ssoenv: renewed "),
                "{}",
                stderr(&out)
            );
            break serde_json::from_str::<serde_json::Value>(&text).unwrap();
        }
        assert!(
            std::time::Instant::now() < give_up,
            "no prompt loaded the renewal"
        );
        std::thread::sleep(Duration::from_millis(20));
        later = prompt_after(&sandbox, &project, &changes);
        later.env("SSOENV_STATE", set["SSOENV_STATE"].as_str().unwrap());
    };
    assert_ne!(
        loaded["set"]["AWS_ACCESS_KEY_ID"], changes["set"]["AWS_ACCESS_KEY_ID"],
        "{loaded}"
    );
    assert_eq!(role_calls(), 2);
}

#[test]
fn every_other_command_reaches_the_full_program() {
    let sandbox = Sandbox::new();
    let out = sandbox.ssoenv(&sandbox.home(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        format!("ssoenv {}\n", env!("CARGO_PKG_VERSION"))
    );
    // A changed directory goes past the hot path too: here, no project at all.
    let out = sandbox
        .command(&sandbox.home())
        .env("SSOENV_STATE", r#"{"v":1,"owned":["AWS_REGION"]}"#)
        .args(["export", "bash"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("AWS_REGION"),
        "the owned variable is given back: {}",
        stdout(&out)
    );
}

/// The small `ssoenv` binary copied alone into a directory of its own: any
/// prompt it cannot answer by itself fails to find `ssoenv-core`.
fn lone_prompt_binary(sandbox: &Sandbox) -> PathBuf {
    let dir = sandbox.home().join("lone-bin");
    fs::create_dir_all(&dir).unwrap();
    let lone = dir.join("ssoenv");
    fs::copy(env!("CARGO_BIN_EXE_ssoenv"), &lone).unwrap();
    lone
}

fn run_lone(sandbox: &Sandbox, lone: &Path, cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(lone);
    sandbox.apply_env(&mut cmd);
    cmd.current_dir(cwd).args(["export", "json"]);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("run the lone prompt binary")
}

#[test]
fn leaving_and_entering_with_cached_credentials_need_no_full_program() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "region = \"eu-west-1\"\n");
    let lone = lone_prompt_binary(&sandbox);

    // Nothing cached yet: the lone binary must hand over, proving it cannot
    // renew by itself (and that the checks below test the local path).
    let out = run_lone(&sandbox, &lone, &project, &[]);
    assert!(
        !out.status.success(),
        "renewal without ssoenv-core succeeded"
    );
    assert!(
        stderr(&out).contains("cannot run") && stderr(&out).contains("ssoenv-core"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&out),
        "",
        "nothing half-printed before the hand-over"
    );
    assert_eq!(sandbox.emulator.total_calls(), 0);

    // The full program renews once and fills the cache.
    let first = sandbox.ssoenv(&project, &["export", "json"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let calls = sandbox.emulator.total_calls();
    assert_eq!(calls, 1);

    // Entering with cached credentials: answered alone, no request.
    let out = run_lone(&sandbox, &lone, &project, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entered: serde_json::Value = serde_json::from_slice(&out.stdout).expect("export json");
    let set = &entered["set"];
    let key = set["AWS_ACCESS_KEY_ID"].as_str().expect("an access key");
    assert!(key.starts_with("ASIA"), "{key}");
    assert_eq!(set["AWS_REGION"], "eu-west-1");
    assert!(stderr(&out).contains("loaded"), "{}", stderr(&out));
    assert_eq!(
        sandbox.emulator.total_calls(),
        calls,
        "entering made a request"
    );

    // Leaving, in the shell state entering produced: answered alone too.
    let state = set["SSOENV_STATE"]
        .as_str()
        .expect("a state after entering");
    let shell = [("SSOENV_STATE", state), ("AWS_ACCESS_KEY_ID", key)];
    let out = run_lone(&sandbox, &lone, &sandbox.home(), &shell);
    assert!(out.status.success(), "{}", stderr(&out));
    let left: serde_json::Value = serde_json::from_slice(&out.stdout).expect("export json");
    let restored = left["restore"].as_array().expect("restore list");
    assert!(
        restored.contains(&"AWS_ACCESS_KEY_ID".into()) && restored.contains(&"AWS_REGION".into()),
        "leaving gives the variables back: {left}"
    );
    assert_eq!(left["unset"], serde_json::json!(["SSOENV_STATE"]));
    assert!(stderr(&out).contains("unloaded"), "{}", stderr(&out));

    // An untrusted file is a local decision as well.
    let other = sandbox.project("other", "ReadOnly", "");
    let out = run_lone(&sandbox, &lone, &other, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("not allowed"), "{}", stderr(&out));
    assert_eq!(sandbox.emulator.total_calls(), calls);
}

#[test]
fn an_idle_prompt_in_endpoint_mode_is_the_hot_path_while_the_agent_lives() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "credentials = \"endpoint\"\n");
    let first = sandbox.ssoenv(&project, &["export", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&first.stdout).expect("export json");
    assert!(
        changes["set"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"].is_string(),
        "{changes}"
    );
    for moment in [
        &["export", "bash"][..],
        &["export", "bash", "--before-command"],
    ] {
        for _ in 0..5 {
            let out = prompt_after(&sandbox, &project, &changes)
                .env("SSOENV_LOG", "trace")
                .args(moment)
                .output()
                .unwrap();
            assert!(out.status.success());
            assert_eq!(stdout(&out), "", "{moment:?}: nothing to change");
            assert_eq!(
                stderr(&out),
                "",
                "{moment:?}: nothing past the hot path ran"
            );
        }
    }
    // The same prompt with the agent gone is not idle: it re-points the shell.
    let (pid, _) = sandbox.agent_record().expect("an agent");
    let lock = sandbox.agent_dir().join("agent.lock");
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while ssoenv::agent::is_alive(&lock) {
        assert!(
            std::time::Instant::now() < deadline,
            "the killed agent's lock stays"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = prompt_after(&sandbox, &project, &changes)
        .args(["export", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("AWS_CONTAINER_CREDENTIALS_FULL_URI="),
        "re-pointed: {}",
        stdout(&out)
    );
    assert_ne!(sandbox.agent_record().unwrap().0, pid);
}
