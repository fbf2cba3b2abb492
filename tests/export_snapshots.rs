//! Snapshots of what `ssoenv export <shell>` prints on entering and leaving a
//! project. Credential values and the state (it holds temporary paths) are
//! replaced by placeholders; the real shells run this code in shell_hook.rs.

mod support;

use std::time::Duration;

use support::{Sandbox, env_lines, stderr, stdout};

/// Replaces each secret value with its name, and the state line's value.
fn redact(text: &str, secrets: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    for (name, value) in secrets {
        text = text.replace(value.as_str(), &format!("<{name}>"));
    }
    if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(&text) {
        if let Some(state) = json["set"].get_mut("SSOENV_STATE") {
            *state = "<state>".into();
        }
        return serde_json::to_string_pretty(&json).unwrap();
    }
    // The state's value is the rest of the line that sets it (JSON, quoted).
    text.lines()
        .map(|line| match line.find("SSOENV_STATE") {
            Some(at) if line[at..].contains('{') => format!("{}SSOENV_STATE <state>", &line[..at]),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn export_output_per_shell() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.allowed_project("billing", "ReadOnly", "region = \"eu-west-1\"\n");
    let creds = env_lines(&stdout(&sandbox.ssoenv(
        &project,
        &["export-credentials", "--format", "env-no-export"],
    )));

    for shell in [
        "bash", "zsh", "fish", "pwsh", "elvish", "tcsh", "xonsh", "nu", "json",
    ] {
        let enter = sandbox.ssoenv(&project, &["export", shell]);
        assert!(enter.status.success(), "{shell}: {}", stderr(&enter));
        insta::assert_snapshot!(format!("enter_{shell}"), redact(&stdout(&enter), &creds));

        // Leaving: the shell now has the credentials and the state.
        let state = stdout(&sandbox.ssoenv(&project, &["export", "json"]));
        let json: serde_json::Value = serde_json::from_str(&state).unwrap();
        let mut leave = sandbox.command(&sandbox.home());
        for (name, value) in json["set"].as_object().unwrap() {
            leave.env(name, value.as_str().unwrap());
        }
        let leave = leave.args(["export", shell]).output().unwrap();
        assert!(leave.status.success());
        insta::assert_snapshot!(format!("leave_{shell}"), redact(&stdout(&leave), &creds));
        assert_eq!(stderr(&leave), "ssoenv: unloaded AWS credentials\n");
    }
}
