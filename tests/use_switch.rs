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

/// The issue's walk, in one shell: switch outside any project, keep the
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
    // The AWS CLI itself, run in the shell, signs as the switched role.
    let aws = support::aws_cli().expect("the AWS CLI is installed");
    let arn_file = sandbox.home().join("arn-seen");
    let (aws, arn) = (quoted(&aws), quoted(&arn_file));
    let identity = "sts get-caller-identity --region us-east-1 --query Arn --output text";
    match kind {
        Kind::Nu => shell.run_code(&format!("^{aws} {identity} | save -f {arn}")),
        _ => shell.run(&format!("{aws} {identity} > {arn}")),
    }
    assert_eq!(fs::read_to_string(&arn_file).unwrap().trim(), switched);

    let env = shell.env();
    // What prompts show (starship's `aws` module reads these two).
    assert_eq!(
        value(&env, "AWS_SSO_PROFILE").as_deref(),
        Some("Account 2/ReadOnly")
    );
    assert!(value(&env, "AWS_CREDENTIAL_EXPIRATION").is_some_and(|at| at.ends_with('Z')));
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

    assert_eq!(
        value(&shell.env(), "AWS_SSO_PROFILE"),
        Some(format!("{first}/AdministratorAccess")),
        "a project's prompt name is its ACCOUNT/ROLE"
    );

    shell.run(&format!("cd {}", quoted(&sandbox.home())));
    let env = shell.env();
    assert_eq!(
        value(&env, "AWS_SSO_PROFILE"),
        None,
        "gone with the credentials"
    );
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
        Kind::Xonsh => shell.run_code(&format!("print('exit=' + str(![{failing}].returncode))")),
        Kind::Tcsh => shell.run(&format!("{failing}; echo \"exit=$status\"")),
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

/// Where `ssoenv use`'s messages go when the user redirects them.
#[derive(Clone, Copy, PartialEq)]
enum Stderr {
    /// With stdout, into the file (`> FILE 2>&1`).
    ToFile,
    /// Thrown away (`2>/dev/null`), stdout into the file.
    Discarded,
}

impl Stderr {
    /// The redirection of stderr in the shells that write it the Bourne way.
    fn redirection(self) -> &'static str {
        match self {
            Stderr::ToFile => "2>&1",
            Stderr::Discarded => "2>/dev/null",
        }
    }
}

/// Runs `command` (a line calling the hook's `ssoenv`) with its stdout into
/// `file` and its stderr as `stderr` says, each shell's own way, and then
/// appends `rc=STATUS`, its exit status as that shell reports it.
fn run_redirected(shell: &mut Interactive, command: &str, stderr: Stderr, file: &Path) {
    let f = quoted(file);
    let err = stderr.redirection();
    match (shell.kind(), stderr) {
        (Kind::Bash | Kind::Zsh, _) => {
            shell.run(&format!("{command} > {f} {err}; echo \"rc=$?\" >> {f}"));
        }
        (Kind::Fish, _) => {
            shell.run(&format!("{command} > {f} {err}; echo \"rc=$status\" >> {f}"));
        }
        // A failed command raises; its exception holds the status.
        (Kind::Elvish, _) => shell.run(&format!(
            "try {{ {command} > {f} {err}; echo rc=0 >> {f} }} catch e {{ echo rc=$e[reason][exit-status] >> {f} }}"
        )),
        (Kind::Nu, _) => {
            let redirect = match stderr {
                Stderr::ToFile => format!("o+e> {f}"),
                Stderr::Discarded => format!("o> {f} e> /dev/null"),
            };
            shell.run_code(&format!(
                "{command} {redirect}; $\"rc=($env.LAST_EXIT_CODE)\\n\" | save -a {f}"
            ));
        }
        // A failed `![…]` whose value is the statement's raises
        // ($XONSH_SUBPROC_RAISE_ERROR); its return code does not.
        (Kind::Xonsh, _) => shell.run_code(&format!(
            "rc = ![{command} > {f} {err}].returncode; _ = open({f}, 'a').write(f'rc={{rc}}\\n')"
        )),
        (Kind::Tcsh, Stderr::ToFile) => {
            shell.run(&format!("{command} >& {f}; echo \"rc=$status\" >> {f}"));
        }
        // tcsh redirects stderr only with stdout: the classic subshell.
        (Kind::Tcsh, Stderr::Discarded) => shell.run(&format!(
            "( {command} > {f} ) >& /dev/null; echo \"rc=$status\" >> {f}"
        )),
    }
}

const NO_SUCH_ROLE: &str = "role NoSuchRole is not yours in Account 2";

/// The issue: in fish the hook's `ssoenv` ran the binary inside a command
/// substitution, whose stderr fish sends to the terminal, not to the
/// function call's redirection. A failed use redirected to a file leaves
/// its message and its status there, and nothing on the terminal.
fn a_failed_use_redirected_leaves_its_message_and_status_in_the_file(kind: Kind) {
    let sandbox = sandbox();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    let file = shell.scratch_file("use-failed");
    run_redirected(
        &mut shell,
        &format!("ssoenv use {second}/NoSuchRole"),
        Stderr::ToFile,
        &file,
    );
    let written = fs::read_to_string(&file).unwrap_or_default();
    let screen = shell.settled_screen();
    assert!(
        written.contains(NO_SUCH_ROLE),
        "the message is in the file: {written:?}; the screen:\n{screen}"
    );
    assert!(
        written.lines().any(|line| line.trim() == "rc=1"),
        "the status is kept: {written:?}"
    );
    assert!(
        !screen.contains(NO_SUCH_ROLE),
        "nothing on the terminal: {screen}"
    );
}

/// A failed use with stderr thrown away shows nothing, and still fails.
fn a_failed_use_with_stderr_discarded_shows_nothing(kind: Kind) {
    let sandbox = sandbox();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    let failing = format!("ssoenv use {second}/NoSuchRole");
    // Precondition: not redirected, it says why on the terminal.
    match kind {
        Kind::Xonsh => shell.run_code(&format!("rc = ![{failing}].returncode")),
        _ => run_use(&mut shell, &format!("{second}/NoSuchRole")),
    }
    let said = |screen: &str| screen.matches(NO_SUCH_ROLE).count();
    let before = said(&shell.settled_screen());
    assert_eq!(before, 1, "precondition: {}", shell.screen());

    let file = shell.scratch_file("use-quiet");
    run_redirected(&mut shell, &failing, Stderr::Discarded, &file);
    let written = fs::read_to_string(&file).unwrap_or_default();
    let screen = shell.settled_screen();
    assert_eq!(
        said(&screen),
        before,
        "nothing more on the terminal: {screen}"
    );
    assert!(
        written.lines().any(|line| line.trim() == "rc=1"),
        "it ran and failed: {written:?}"
    );
    assert!(!written.contains(NO_SUCH_ROLE), "{written:?}");
}

/// A successful use with its messages redirected still switches the shell:
/// its message is in the file, its status is 0, and the next command has
/// the role's credentials.
fn a_redirected_use_still_switches_the_shell(kind: Kind) {
    let sandbox = sandbox();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let Some(mut shell) = Interactive::start(
        &sandbox,
        kind,
        &sandbox.home(),
        &[("AWS_ACCESS_KEY_ID", USERS_OWN_KEY)],
    ) else {
        return;
    };
    assert_eq!(
        value(&shell.env(), "AWS_ACCESS_KEY_ID").as_deref(),
        Some(USERS_OWN_KEY),
        "precondition"
    );
    let file = shell.scratch_file("use-switched");
    run_redirected(
        &mut shell,
        &format!("ssoenv use {second}/ReadOnly"),
        Stderr::ToFile,
        &file,
    );
    let written = fs::read_to_string(&file).unwrap_or_default();
    let screen = shell.settled_screen();
    assert!(
        written.contains("ssoenv: using Account 2/ReadOnly in this shell"),
        "the message is in the file: {written:?}; the screen:\n{screen}"
    );
    assert!(
        written.lines().any(|line| line.trim() == "rc=0"),
        "{written:?}"
    );
    assert_eq!(
        caller(&sandbox, &mut shell),
        Some(sandbox.emulator.sso_caller_arn(&second, "ReadOnly")),
        "the next command has the role: {}",
        shell.screen()
    );
}

/// Each scenario, in each shell with the hook's `ssoenv` command.
macro_rules! in_each_shell {
    ($($scenario:ident),* $(,)?) => {
        mod bash { $( #[test] fn $scenario() { super::$scenario(super::Kind::Bash); } )* }
        mod zsh { $( #[test] fn $scenario() { super::$scenario(super::Kind::Zsh); } )* }
        mod fish { $( #[test] fn $scenario() { super::$scenario(super::Kind::Fish); } )* }
        mod elvish { $( #[test] fn $scenario() { super::$scenario(super::Kind::Elvish); } )* }
        mod nu { $( #[test] fn $scenario() { super::$scenario(super::Kind::Nu); } )* }
        mod xonsh { $( #[test] fn $scenario() { super::$scenario(super::Kind::Xonsh); } )* }
    };
}

in_each_shell!(
    switch_follows_the_shell_not_the_directory,
    a_command_after_a_long_idle_prompt_gets_a_renewed_key,
    a_failed_use_redirected_leaves_its_message_and_status_in_the_file,
    a_failed_use_with_stderr_discarded_shows_nothing,
    a_redirected_use_still_switches_the_shell,
);

/// tcsh renews at the prompt and after `cd` only (it has no pre-command
/// event ssoenv can use), so it has the walk but not the idle renewal.
mod tcsh {
    #[test]
    fn switch_follows_the_shell_not_the_directory() {
        super::switch_follows_the_shell_not_the_directory(super::Kind::Tcsh);
    }
    #[test]
    fn a_failed_use_redirected_leaves_its_message_and_status_in_the_file() {
        super::a_failed_use_redirected_leaves_its_message_and_status_in_the_file(super::Kind::Tcsh);
    }
    #[test]
    fn a_failed_use_with_stderr_discarded_shows_nothing() {
        super::a_failed_use_with_stderr_discarded_shows_nothing(super::Kind::Tcsh);
    }
    #[test]
    fn a_redirected_use_still_switches_the_shell() {
        super::a_redirected_use_still_switches_the_shell(super::Kind::Tcsh);
    }
}

/// With 60-second credentials, a command line typed after 40 s at an idle
/// prompt (20 s left, less than the margin a command needs) sees a renewed
/// key of the same role.
fn a_command_after_a_long_idle_prompt_gets_a_renewed_key(kind: Kind) {
    let sandbox = sandbox();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(60));
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    run_use(&mut shell, &format!("{second}/ReadOnly"));
    let first_key = value(&shell.env(), "AWS_ACCESS_KEY_ID").expect("switched");
    std::thread::sleep(Duration::from_secs(40));
    let seen = sandbox.home().join("key-seen");
    let file = quoted(&seen);
    match kind {
        Kind::Elvish => shell.run(&format!("echo $E:AWS_ACCESS_KEY_ID > {file}")),
        Kind::Nu => shell.run_code(&format!("$env.AWS_ACCESS_KEY_ID | save -f {file}")),
        Kind::Xonsh => shell.run(&format!("echo $AWS_ACCESS_KEY_ID > {file}")),
        _ => shell.run(&format!("echo \"$AWS_ACCESS_KEY_ID\" > {file}")),
    }
    let key = fs::read_to_string(&seen).unwrap().trim().to_owned();
    assert_ne!(key, first_key, "renewed before the command");
    assert_eq!(
        sandbox.emulator.caller_arn(&key),
        Some(sandbox.emulator.sso_caller_arn(&second, "ReadOnly"))
    );
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

/// A bash that ran `ssoenv use CHOICE` and then its first prompt: the AWS
/// and SSOENV variables it ends with.
fn switched_shell_env(sandbox: &Sandbox, choice: &str) -> Vec<(String, String)> {
    let mut bash = std::process::Command::new("bash");
    sandbox.apply_env(&mut bash);
    let out = bash
        .current_dir(sandbox.home())
        .args([
            "--noprofile",
            "--norc",
            "-c",
            r#"eval "$("$0" use --shell bash "$1")" && eval "$("$0" export bash)" && env -0"#,
        ])
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .arg(choice)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    support::ssoenv_vars_of_env_dump(&out.stdout)
}

fn var<'a>(env: &'a [(String, String)], name: &str) -> &'a str {
    &env.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {env:?}"))
        .1
}

/// Moves every cached credential's expiry to `from_now` seconds from now,
/// after a one-hour life.
fn age_cached_credentials(sandbox: &Sandbox, from_now: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for entry in fs::read_dir(sandbox.credential_cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let mut file: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let expiration = now + from_now;
        file["credentials"]["expiration"] = expiration.into();
        file["credentials"]["issuedAt"] = (expiration - 3600).into();
        fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    }
}

/// Two shells switched to different accounts each keep their own; fifty
/// shells switched to one role and due for renewal at once make one
/// request, and every next prompt loads the same new key.
#[test]
fn switched_shells_keep_their_own_and_renew_once_together() {
    use sso_emulator::Operation;
    let sandbox = sandbox();
    let first = sandbox.account_id();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let one = switched_shell_env(&sandbox, &format!("{first}/ReadOnly"));
    let other = switched_shell_env(&sandbox, &format!("{second}/AdministratorAccess"));
    let whose =
        |env: &[(String, String)]| sandbox.emulator.caller_arn(var(env, "AWS_ACCESS_KEY_ID"));
    assert_eq!(
        whose(&one),
        Some(sandbox.emulator.sso_caller_arn(&first, "ReadOnly"))
    );
    assert_eq!(
        whose(&other),
        Some(
            sandbox
                .emulator
                .sso_caller_arn(&second, "AdministratorAccess")
        )
    );
    // Each shell's next prompt keeps what it has: nothing to do.
    for env in [&one, &other] {
        let out = sandbox
            .command(&sandbox.home())
            .envs(env.iter().cloned())
            .args(["export", "bash"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            support::stdout(&out),
            "",
            "an idle switched prompt prints nothing"
        );
    }

    let old_key = var(&one, "AWS_ACCESS_KEY_ID").to_owned();
    age_cached_credentials(&sandbox, 60);
    sandbox.emulator.reset_calls();
    let children: Vec<std::process::Child> = (0..50)
        .map(|_| {
            sandbox
                .command(&sandbox.home())
                .envs(one.iter().cloned())
                .args(["export", "bash", "--before-command"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys: std::collections::BTreeSet<String> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", support::stderr(&out));
            support::stdout(&out)
                .lines()
                .find_map(|line| line.strip_prefix("\\builtin export AWS_ACCESS_KEY_ID="))
                .unwrap_or_else(|| panic!("no new key: {}", support::stdout(&out)))
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 1, "every shell got the same credentials");
    assert!(!keys.contains(&old_key), "renewed");
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
}

/// No argument on a terminal: a picker over every account and role. Typing
/// part of an account name and Enter switches to it; the next picker lists
/// that choice first, so Enter alone takes it again.
#[test]
fn the_picker_switches_to_what_was_typed_and_remembers_it() {
    let sandbox = sandbox();
    let third = sandbox.emulator.account(2).unwrap().account_id;
    let Some(mut shell) = Interactive::start(&sandbox, Kind::Bash, &sandbox.home(), &[]) else {
        return;
    };
    let pick = |shell: &mut Interactive, typed: &str| {
        let shown = shell.prompt_count();
        shell.send_line("ssoenv use");
        shell.wait_until("the picker", || shell.screen().contains("account/role ("));
        if !typed.is_empty() {
            shell.send_text(typed);
            shell.wait_until("the filter", || {
                shell
                    .screen()
                    .lines()
                    .any(|line| line.trim_start().starts_with('>') && line.contains(typed))
            });
        }
        shell.send_key("Enter");
        shell.wait_for_prompt(shown);
    };
    pick(&mut shell, "Account 3");
    let expected = sandbox
        .emulator
        .sso_caller_arn(&third, "AdministratorAccess");
    assert_eq!(caller(&sandbox, &mut shell), Some(expected.clone()));

    run_use(&mut shell, "--off");
    assert_eq!(
        caller(&sandbox, &mut shell),
        None,
        "off, outside any project"
    );
    pick(&mut shell, "");
    assert_eq!(
        caller(&sandbox, &mut shell),
        Some(expected),
        "the recent choice comes first"
    );
}

/// Choosing an account and role by hand needs no `allow`; a settings file
/// named with `--config` does, and until then nothing changes.
#[test]
fn use_config_needs_an_allowed_file() {
    let sandbox = sandbox();
    let dir = sandbox.project("unallowed", "ReadOnly", "");
    let file = dir.join(".awssso.toml");
    let run = |args: &[&str]| {
        let mut all = vec!["use", "--shell", "bash"];
        all.extend_from_slice(args);
        sandbox.ssoenv(&sandbox.home(), &all)
    };
    let out = run(&["--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing to evaluate");
    assert!(
        support::stderr(&out).contains("is not allowed — run 'ssoenv allow"),
        "{}",
        support::stderr(&out)
    );
    let allowed = sandbox.ssoenv(&dir, &["allow"]);
    assert!(allowed.status.success());
    let out = run(&["--config", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(support::stdout(&out).starts_with("\\builtin export SSOENV_USE="));
}

/// `--profile` takes an SSO profile of the AWS config file; with no
/// argument and no terminal there is no picker, and `use` says what to pass.
#[test]
fn use_profile_and_no_choice_without_a_terminal() {
    let sandbox = sandbox();
    let config = sandbox.home().join(".aws/config");
    let mut text = fs::read_to_string(&config).unwrap();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    text.push_str(&format!(
        "[profile reader]\nsso_session = {SESSION}\nsso_account_id = {second}\nsso_role_name = ReadOnly\n"
    ));
    fs::write(&config, text).unwrap();
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &["use", "--shell", "bash", "--profile", "reader"],
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).starts_with("ssoenv: using reader in this shell"),
        "{}",
        support::stderr(&out)
    );
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &["use", "--shell", "bash", "--profile", "nope"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());

    let out = sandbox.ssoenv(&sandbox.home(), &["use", "--shell", "bash"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        support::stderr(&out).contains("without a terminal there is no picker"),
        "{}",
        support::stderr(&out)
    );
}

/// Commands that act on "this directory" act on the shell's choice while
/// it is switched, as its prompt does.
#[test]
fn commands_in_a_switched_shell_use_its_choice() {
    let sandbox = sandbox();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let env = switched_shell_env(&sandbox, &format!("{second}/ReadOnly"));
    let project = sandbox.home().join("billing");
    let out = sandbox
        .command(&project)
        .envs(
            env.iter()
                .filter(|&(name, _)| name == "SSOENV_USE")
                .cloned(),
        )
        .args(["export-credentials", "--format", "process"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        sandbox
            .emulator
            .caller_arn(json["AccessKeyId"].as_str().unwrap()),
        Some(sandbox.emulator.sso_caller_arn(&second, "ReadOnly")),
        "the switch, not the project the command runs in"
    );
}

/// The idle prompt of a switched shell outside any project is the hot path:
/// nothing printed, nothing logged even at trace level, no request.
#[test]
fn an_idle_switched_prompt_is_the_hot_path() {
    let sandbox = sandbox();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let env = switched_shell_env(&sandbox, &format!("{second}/ReadOnly"));
    let calls = sandbox.emulator.total_calls();
    for flags in [&[][..], &["--before-command"][..]] {
        let out = sandbox
            .command(&sandbox.home())
            .envs(env.iter().cloned())
            .env("SSOENV_LOG", "trace")
            .args(["export", "bash"])
            .args(flags)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(support::stdout(&out), "", "{flags:?}: no code");
        assert_eq!(
            support::stderr(&out),
            "",
            "{flags:?}: nothing said or logged"
        );
    }
    assert_eq!(sandbox.emulator.total_calls(), calls, "no request");
}
