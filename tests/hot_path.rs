//! The idle prompt: `ssoenv export <shell>` with nothing changed must stay a
//! few `stat`s — no config parsing, no async runtime, no TLS, no network.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{Sandbox, harness, stderr, stdout};

#[test]
fn the_prompt_binary_links_no_runtime_tls_sdk_or_config_parser() {
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
    for crate_name in [
        "tokio::",
        "rustls::",
        "aws_sdk_",
        "aws_smithy_",
        "hyper::",
        "clap_builder::",
        "toml::",
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
