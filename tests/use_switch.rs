//! `ssoenv use`: one shell switched to any account and role, in real
//! interactive shells under tmux, against the emulator.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use std::time::Duration;

use support::interactive::{Interactive, Kind, quoted};
use support::{REGION, SESSION, START_URL, Sandbox};

const USERS_OWN_KEY: &str = "AKIAUSERSOWNKEY0001";

/// Signed in, with the session in the AWS config file (as outside any
/// project `use` takes the default session) and an allowed project for the
/// first account's AdministratorAccess.
fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let config = sandbox.home().join(".aws/config");
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(
        &config,
        format!("[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n"),
    )
    .unwrap();
    sandbox.allowed_project("billing", "AdministratorAccess", "");
    sandbox
}

fn value(env: &BTreeMap<String, Vec<u8>>, name: &str) -> Option<String> {
    env.get(name)
        .map(|bytes| String::from_utf8(bytes.clone()).unwrap())
}

/// Whose key the shell has now: the ARN STS shows for it.
fn caller(sandbox: &Sandbox, shell: &mut Interactive) -> Option<String> {
    let env = shell.env();
    let key = value(&env, "AWS_ACCESS_KEY_ID")?;
    Some(
        sandbox
            .emulator
            .caller_arn(&key)
            .unwrap_or_else(|| format!("not issued by the emulator: {key}")),
    )
}

/// `ssoenv status --json` by the binary's path (Nushell's harness runs
/// programs, not the hook's command).
fn status_command() -> String {
    format!(
        "{} status --json",
        quoted(Path::new(env!("CARGO_BIN_EXE_ssoenv")))
    )
}

/// Types `ssoenv use ARGS` as a user would: the hook's `ssoenv` (a
/// function, or a command in Nushell, where the harness's `run` would call
/// the program itself).
fn run_use(shell: &mut Interactive, args: &str) {
    let line = format!("ssoenv use {args}");
    if shell.kind() == Kind::Nu {
        shell.run_code(&line);
    } else {
        shell.run(&line);
    }
}

/// The walk, in one shell: switch outside any project, keep the
/// switch inside one, `--off` there gives the project's role, leaving gives
/// back the user's own key; an unknown role changes nothing.
fn switch_follows_the_shell_not_the_directory(kind: Kind) {
    let sandbox = sandbox();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let first = sandbox.account_id();
    let Some(mut shell) = Interactive::start(
        &sandbox,
        kind,
        &sandbox.home(),
        &[("AWS_ACCESS_KEY_ID", USERS_OWN_KEY)],
    ) else {
        return;
    };
    let env = shell.env();
    assert_eq!(
        value(&env, "AWS_ACCESS_KEY_ID").as_deref(),
        Some(USERS_OWN_KEY),
        "precondition"
    );

    run_use(&mut shell, &format!("{second}/ReadOnly"));
    let switched = sandbox.emulator.sso_caller_arn(&second, "ReadOnly");
    let now = caller(&sandbox, &mut shell);
    assert_eq!(
        now,
        Some(switched.clone()),
        "the next command has the role: {}",
        shell.screen()
    );
    let said = shell.ssoenv_lines();
    assert!(
        said.iter()
            .any(|line| line.starts_with("ssoenv: using Account 2/ReadOnly in this shell")),
        "{said:?}"
    );

    let status: serde_json::Value =
        serde_json::from_slice(&shell.output_of(&status_command())).unwrap();
    assert_eq!(status["use"]["label"], "Account 2/ReadOnly", "{status}");
    assert_eq!(
        status["use"]["origin"],
        format!("ssoenv use {second}/ReadOnly")
    );
    assert_eq!(status["account_id"], second.as_str());
    assert_eq!(status["next_prompt"]["action"], "nothing", "{status}");

    let project = sandbox.home().join("billing");
    shell.run(&format!("cd {}", quoted(&project)));
    assert_eq!(
        caller(&sandbox, &mut shell),
        Some(switched),
        "entering a project keeps the switch"
    );
    let said = shell.ssoenv_lines();
    let note = "ssoenv: using Account 2/ReadOnly (ssoenv use); this project's .awssso.toml applies after 'ssoenv use --off'";
    assert_eq!(
        said.iter().filter(|line| *line == note).count(),
        1,
        "{said:?}"
    );

    let status: serde_json::Value =
        serde_json::from_slice(&shell.output_of(&status_command())).unwrap();
    assert_eq!(status["config"]["state"], "waiting", "{status}");

    run_use(&mut shell, "--off");
    assert_eq!(
        caller(&sandbox, &mut shell),
        Some(
            sandbox
                .emulator
                .sso_caller_arn(&first, "AdministratorAccess")
        ),
        "off: the project's role"
    );

    shell.run(&format!("cd {}", quoted(&sandbox.home())));
    let env = shell.env();
    assert_eq!(
        value(&env, "AWS_ACCESS_KEY_ID").as_deref(),
        Some(USERS_OWN_KEY),
        "the user's own key is back"
    );
    assert_eq!(value(&env, "SSOENV_USE"), None);

    let failing = format!("ssoenv use {second}/NoSuchRole");
    match kind {
        Kind::Fish => shell.run(&format!("{failing}; echo \"exit=$status\"")),
        Kind::Elvish => shell.run(&format!("try {{ {failing} }} catch {{ echo exit=1 }}")),
        Kind::Nu => shell.run_code(&format!("{failing}; print $\"exit=($env.LAST_EXIT_CODE)\"")),
        _ => shell.run(&format!("{failing}; echo \"exit=$?\"")),
    }
    let said = shell.settled_screen();
    assert!(
        said.contains("role NoSuchRole is not yours in Account 2"),
        "{said}"
    );
    assert!(said.contains("exit=1"), "{said}");
    // What ssoenv could have changed (shells keep variables of their own,
    // such as Nushell's CMD_DURATION_MS, which change with every command).
    let ours = |env: BTreeMap<String, Vec<u8>>| {
        env.into_iter()
            .filter(|(name, _)| name.starts_with("AWS_") || name.starts_with("SSOENV_"))
            .collect::<BTreeMap<_, _>>()
    };
    let after = shell.env();
    assert_eq!(ours(after), ours(env), "a failed use changes nothing");
}

mod bash {
    #[test]
    fn switch_follows_the_shell_not_the_directory() {
        super::switch_follows_the_shell_not_the_directory(super::Kind::Bash);
    }
}

mod zsh {
    #[test]
    fn switch_follows_the_shell_not_the_directory() {
        super::switch_follows_the_shell_not_the_directory(super::Kind::Zsh);
    }
}

mod fish {
    #[test]
    fn switch_follows_the_shell_not_the_directory() {
        super::switch_follows_the_shell_not_the_directory(super::Kind::Fish);
    }
}

mod elvish {
    #[test]
    fn switch_follows_the_shell_not_the_directory() {
        super::switch_follows_the_shell_not_the_directory(super::Kind::Elvish);
    }
}

mod nu {
    #[test]
    fn switch_follows_the_shell_not_the_directory() {
        super::switch_follows_the_shell_not_the_directory(super::Kind::Nu);
    }
}

/// Without the hook's function there is nothing `use` can change: it says
/// how to get it, with a usage exit code.
#[test]
fn without_the_hook_use_says_how_to_load_it() {
    let sandbox = sandbox();
    let out = sandbox.ssoenv(&sandbox.home(), &["use", "x/y"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("load the shell hook"),
        "{}",
        support::stderr(&out)
    );
    assert!(out.stdout.is_empty());
}
