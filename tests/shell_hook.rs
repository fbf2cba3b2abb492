//! The hook as a user meets it: real interactive bash, zsh, fish, Elvish, tcsh, xonsh and Nushell (driven
//! through tmux, see `support/interactive.rs`) with `ssoenv hook <shell>` in
//! their rc file, the real binary, a temporary home and the emulator.
//!
//! Every scenario runs in each shell as its own test (`bash::…`, `zsh::…`,
//! `fish::…`, `elvish::…`, `tcsh::…`, `xonsh::…`, `nu::…`). What is asserted is what a user would notice: the variables
//! the shell's commands see, what `aws` reports, the lines printed at the
//! prompt, how long the prompt takes, and how often AWS is asked.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use sso_emulator::{Fault, Operation};
use support::interactive::{Interactive, Kind, quoted};
use support::{Sandbox, aws_cli, env_lines, stderr, stdout};

const CREDENTIAL_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Everything ssoenv may set, credentials and region.
const MANAGED: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

const PROJECT_REGION: &str = "ap-northeast-1";

/// A sandbox with a valid, refreshable SSO login.
fn logged_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox
}

fn region_line() -> String {
    format!("region = \"{PROJECT_REGION}\"\n")
}

fn cd(shell: &mut Interactive, dir: &Path) {
    shell.run(&format!("cd {}", quoted(dir)));
}

/// What `ssoenv export-credentials --format env-no-export` gives in `dir`.
fn exported_credentials(sandbox: &Sandbox, dir: &Path) -> Vec<(String, String)> {
    let out = sandbox.ssoenv(dir, &["export-credentials", "--format", "env-no-export"]);
    assert!(
        out.status.success(),
        "export-credentials failed: {}",
        stderr(&out)
    );
    env_lines(&stdout(&out))
}

fn value<'a>(env: &'a BTreeMap<String, Vec<u8>>, name: &str) -> &'a str {
    let bytes = env
        .get(name)
        .unwrap_or_else(|| panic!("{name} is not in the shell's environment: {env:?}"));
    std::str::from_utf8(bytes).expect("UTF-8 value")
}

/// The AWS variables in `env`, by name.
fn aws_vars(env: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    env.keys()
        .map(String::as_str)
        .filter(|name| name.starts_with("AWS_") && MANAGED.contains(name))
        .collect()
}

fn role_calls(sandbox: &Sandbox) -> u64 {
    sandbox.emulator.calls(Operation::GetRoleCredentials)
}

/// A command line once renewal is due, and the prompt after the renewal.
/// Shells with a pre-command event renew before the command (less than
/// `min_ttl` is left); without one (tcsh) the prompt starts the renewal in
/// the background and returns, and a later prompt loads what it got. Either
/// way `renewed` (what the renewal leaves behind) is true before the second
/// prompt, which then has its result.
fn prompts_through_renewal(shell: &mut Interactive, sandbox: &Sandbox, renewed: impl Fn() -> bool) {
    shell.run("true");
    let give_up = Instant::now() + Duration::from_secs(15);
    while !renewed() || renewal_running(sandbox) {
        assert!(Instant::now() < give_up, "the renewal never happened");
        std::thread::sleep(Duration::from_millis(50));
    }
    shell.run("true");
}

/// True while a background renewal started by a prompt of this sandbox runs.
fn renewal_running(sandbox: &Sandbox) -> bool {
    !support::background_renewals(&sandbox.home().to_string_lossy()).is_empty()
}

/// True once a background renewal that failed left its note.
fn renewal_failure_noted(sandbox: &Sandbox) -> bool {
    fs::read_dir(sandbox.home().join(".cache/ssoenv/renewal-failures"))
        .is_ok_and(|mut entries| entries.next().is_some())
}

// ----- scenarios ---------------------------------------------------------------

/// Entering an allowed project sets the variables `export-credentials` gives,
/// and the AWS CLI picks them up from the environment.
fn entering_sets_credentials_the_aws_cli_uses(kind: Kind) {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", &region_line());
    let Some(aws) = aws_cli() else { return };
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    assert_eq!(aws_vars(&shell.env()), Vec::<&str>::new(), "nothing yet");

    cd(&mut shell, &project);
    let env = shell.env();
    let expected = exported_credentials(&sandbox, &project);
    let names: Vec<&str> = expected.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, CREDENTIAL_VARS);
    for (name, wanted) in &expected {
        assert_eq!(value(&env, name), wanted, "{name}");
    }
    assert_eq!(value(&env, "AWS_REGION"), PROJECT_REGION);
    assert_eq!(value(&env, "AWS_DEFAULT_REGION"), PROJECT_REGION);
    assert_eq!(
        role_calls(&sandbox),
        1,
        "one request for the shell and the check"
    );

    let listing = shell.output_of(&format!("{} configure list", quoted(&aws)));
    let listing = String::from_utf8_lossy(&listing);
    let access_key = listing
        .lines()
        .find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words.first() == Some(&"access_key")).then(|| words[1..].join(" "))
        })
        .unwrap_or_else(|| panic!("no access_key line in `aws configure list`:\n{listing}"));
    let key = value(&env, "AWS_ACCESS_KEY_ID");
    let masked = format!("****************{}", &key[key.len() - 4..]);
    assert_eq!(access_key, format!("{masked} env"), "\n{listing}");

    let lines = shell.ssoenv_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "ssoenv: loaded {}/AdministratorAccess (expires ",
            sandbox.account_id()
        )),
        "{lines:?}"
    );
}

/// Prompts where nothing changed, a `cd` within the project included, never
/// reach AWS.
fn idle_prompts_make_no_requests(kind: Kind) {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "ReadOnly", "");
    let subdir = project.join("src/deep");
    std::fs::create_dir_all(&subdir).unwrap();
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    cd(&mut shell, &project);
    let key = value(&shell.env(), "AWS_ACCESS_KEY_ID").to_owned();
    let after_load = sandbox.emulator.total_calls();
    assert_eq!(role_calls(&sandbox), 1);

    for _ in 0..5 {
        shell.run("true");
    }
    cd(&mut shell, &subdir);
    shell.run("true");
    cd(&mut shell, &project);
    shell.run("true");

    assert_eq!(value(&shell.env(), "AWS_ACCESS_KEY_ID"), key);
    assert_eq!(
        sandbox.emulator.total_calls(),
        after_load,
        "idle prompts called the emulator: {:?}",
        sandbox.emulator.requests()
    );
    assert_eq!(shell.ssoenv_lines().len(), 1, "only the `loaded` line");
}

/// Leaving puts back exactly what the shell had: hostile bytes, an empty
/// value, and "unset" for what was unset; nothing in the values runs.
fn leaving_restores_previous_values_byte_for_byte(kind: Kind) {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", &region_line());
    let pwned = sandbox.home().join("pwned");
    let pwned = quoted(&pwned);
    let hostile_key = format!(
        "it's \"q\" $(touch {pwned}) `touch {pwned}` \\n \\\n2nd line\t€ ’‘ !x ${{HOME}} %s \\"
    );
    let hostile_region = "-n  two  spaces\n".to_owned();
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    shell.export_from_file("AWS_ACCESS_KEY_ID", hostile_key.as_bytes());
    shell.export_from_file("AWS_SECRET_ACCESS_KEY", b"");
    shell.export_from_file("AWS_REGION", b"eu-west-3");
    shell.export_from_file("AWS_DEFAULT_REGION", hostile_region.as_bytes());
    let before = shell.env();
    assert_eq!(
        value(&before, "AWS_ACCESS_KEY_ID").as_bytes(),
        hostile_key.as_bytes(),
        "the test's own setup"
    );
    let set_before = shell.set_in_shell(&MANAGED);
    assert_eq!(
        set_before,
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_REGION",
            "AWS_DEFAULT_REGION"
        ]
    );

    cd(&mut shell, &project);
    let inside = shell.env();
    let expected = exported_credentials(&sandbox, &project);
    assert_eq!(
        value(&inside, "AWS_ACCESS_KEY_ID"),
        expected[0].1,
        "the project's key replaced the user's"
    );
    assert_eq!(value(&inside, "AWS_REGION"), PROJECT_REGION);
    assert_eq!(value(&inside, "AWS_DEFAULT_REGION"), PROJECT_REGION);

    cd(&mut shell, &sandbox.home());
    let mut after = shell.env();
    let mut before = before;
    // Set by the shell itself from the commands just run (Elvish exports
    // PWD from its first `cd` on; xonsh sets XONSH_APPEND_NEWLINE once a
    // command has printed; Nushell exports each line's CMD_DURATION_MS).
    for volatile in [
        "_",
        "OLDPWD",
        "PWD",
        "XONSH_APPEND_NEWLINE",
        "CMD_DURATION_MS",
    ] {
        before.remove(volatile);
        after.remove(volatile);
    }
    assert_eq!(after, before, "the environment after leaving");
    assert_eq!(
        shell.set_in_shell(&MANAGED),
        set_before,
        "unset stays unset"
    );
    assert!(
        !sandbox.home().join("pwned").exists(),
        "a value was executed"
    );
    let lines = shell.ssoenv_lines();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("ssoenv: unloaded AWS credentials"),
        "{lines:?}"
    );
}

/// A project inside a project: the nearest file wins; going back out uses the
/// outer project's cached credentials; leaving both restores "unset".
fn nested_projects_switch(kind: Kind) {
    let sandbox = logged_in();
    let outer = sandbox.allowed_project("a", "ReadOnly", "");
    let inner = sandbox.allowed_project("a/b", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };

    cd(&mut shell, &outer);
    let outer_key = value(&shell.env(), "AWS_ACCESS_KEY_ID").to_owned();
    assert_eq!(role_calls(&sandbox), 1);

    cd(&mut shell, &inner);
    let inner_key = value(&shell.env(), "AWS_ACCESS_KEY_ID").to_owned();
    assert_ne!(inner_key, outer_key, "a→a/b switches credentials");
    assert_eq!(inner_key, exported_credentials(&sandbox, &inner)[0].1);
    assert_eq!(role_calls(&sandbox), 2);

    cd(&mut shell, &outer);
    assert_eq!(
        value(&shell.env(), "AWS_ACCESS_KEY_ID"),
        outer_key,
        "a/b→a switches back"
    );
    assert_eq!(
        role_calls(&sandbox),
        2,
        "a's credentials come from the cache"
    );

    cd(&mut shell, &inner);
    cd(&mut shell, &sandbox.home());
    assert_eq!(shell.set_in_shell(&MANAGED), Vec::<String>::new());
    assert_eq!(role_calls(&sandbox), 2);
}

/// An untrusted file exports nothing and says so once; `ssoenv allow` typed
/// in the shell makes the next prompt load the credentials.
fn untrusted_project_exports_nothing_until_allowed(kind: Kind) {
    let sandbox = logged_in();
    let project = sandbox.project("untrusted", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };

    cd(&mut shell, &project);
    for _ in 0..3 {
        shell.run("true");
    }
    assert_eq!(aws_vars(&shell.env()), Vec::<&str>::new());
    assert_eq!(
        shell.ssoenv_lines(),
        ["ssoenv: .awssso.toml at ~/untrusted/.awssso.toml is not allowed — run 'ssoenv allow'"],
        "said once, not at every prompt"
    );
    assert_eq!(sandbox.emulator.total_calls(), 0);

    shell.run(&format!(
        "{} allow",
        quoted(Path::new(env!("CARGO_BIN_EXE_ssoenv")))
    ));
    let env = shell.env();
    let mut credential_vars = CREDENTIAL_VARS.to_vec();
    credential_vars.sort_unstable();
    assert_eq!(aws_vars(&env), credential_vars, "loaded after `allow`");
    assert_eq!(
        value(&env, "AWS_ACCESS_KEY_ID"),
        exported_credentials(&sandbox, &project)[0].1
    );
    assert_eq!(role_calls(&sandbox), 1);
}

/// Credentials with a 4 s lifetime are due for renewal after 2 s: the first
/// prompt after that renews them.
fn short_lived_credentials_are_renewed_at_a_later_prompt(kind: Kind) {
    let sandbox = logged_in();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(4));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    cd(&mut shell, &project);
    let first = shell.env();
    assert_eq!(role_calls(&sandbox), 1);
    shell.run("true");
    assert_eq!(role_calls(&sandbox), 1, "not renewed before it is due");

    // Due halfway through the lifetime, 2 s before the expiry (shown to the
    // second, so up to 1 s early), and still valid until then.
    sleep_until_system(expiration_of(&first) - Duration::from_millis(700));
    prompts_through_renewal(&mut shell, &sandbox, || role_calls(&sandbox) >= 2);
    let second = shell.env();
    assert_ne!(
        value(&second, "AWS_ACCESS_KEY_ID"),
        value(&first, "AWS_ACCESS_KEY_ID"),
        "renewed at the prompt"
    );
    assert!(
        expiration_of(&second) > expiration_of(&first),
        "the new expiry is later"
    );
    assert_eq!(role_calls(&sandbox), 2);
}

/// Before each command line, credentials with less than `min_ttl` left are
/// renewed first. With 60 s credentials (`min_ttl` clamped to half of that),
/// a command typed after 40 s at an idle prompt — no prompt in between —
/// already sees new ones, and still the user's `$?`. The user's own
/// pre-command hook (a DEBUG trap in bash, a preexec function in zsh, a
/// fish_preexec handler) still runs.
fn a_command_after_a_long_idle_prompt_gets_renewed_credentials(kind: Kind) {
    let sandbox = logged_in();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(60));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let log = sandbox.home().join("user-hook.log");
    let log_q = quoted(&log);
    let user_rc = match kind {
        Kind::Bash => format!("trap 'echo debug >> {log_q}' DEBUG"),
        Kind::Zsh => {
            format!(
                "user_preexec() {{ echo preexec >> {log_q}; }}\npreexec_functions+=(user_preexec)"
            )
        }
        Kind::Fish => {
            format!(
                "function user_preexec --on-event fish_preexec\n    echo preexec >> {log_q}\nend"
            )
        }
        Kind::Elvish => format!(
            "set edit:after-readline = [$@edit:after-readline {{|_| echo preexec >> {log_q} }}]"
        ),
        Kind::Xonsh => format!(
            "@events.on_precommand\ndef user_preexec(**_):\n    open({log_q}, 'a').write('preexec\\n')"
        ),
        Kind::Nu => format!(
            "$env.config.hooks.pre_execution = ($env.config.hooks.pre_execution | append {{|| \
             \"preexec\\n\" | save --append {log_q} }})"
        ),
        Kind::Tcsh => unreachable!("tcsh has no pre-command event ssoenv can use"),
    };
    let Some(mut shell) =
        Interactive::start_with_rc(&sandbox, kind, &sandbox.home(), &[], &user_rc)
    else {
        return;
    };
    cd(&mut shell, &project);
    let first = shell.env();
    let first_key = value(&first, "AWS_ACCESS_KEY_ID").to_owned();
    shell.run("true");
    assert_eq!(role_calls(&sandbox), 1, "nothing due yet: no renewal");
    let user_hook_runs = || fs::read_to_string(&log).unwrap_or_default().lines().count();
    let runs_before = user_hook_runs();
    assert!(runs_before > 0, "the user's own hook runs");

    // The last command failed; the next line must still see its status.
    let shown = shell.prompt_count();
    shell.send_line(if kind == Kind::Nu { "^false" } else { "false" });
    shell.wait_for_prompt(shown);

    // 20 s left: more than none, less than min_ttl (30 s here).
    sleep_until_system(expiration_of(&first) - Duration::from_secs(20));
    assert_eq!(role_calls(&sandbox), 1, "nothing renewed while idle");
    let key_file = sandbox.home().join("key-seen");
    let status_file = sandbox.home().join("status-seen");
    // Elvish has no exit status variable: a failure is an exception.
    let (status, key) = match kind {
        Kind::Fish => (Some("$status"), "\"$AWS_ACCESS_KEY_ID\""),
        Kind::Bash | Kind::Zsh => (Some("$?"), "\"$AWS_ACCESS_KEY_ID\""),
        Kind::Elvish => (None, "$E:AWS_ACCESS_KEY_ID"),
        Kind::Xonsh => (Some("$LAST_RETURN_CODE"), "$AWS_ACCESS_KEY_ID"),
        Kind::Nu => (Some("$env.LAST_EXIT_CODE"), "$env.AWS_ACCESS_KEY_ID"),
        Kind::Tcsh => unreachable!(),
    };
    if kind == Kind::Nu {
        // Values, not programs: Nushell saves them itself.
        shell.run_code(&format!(
            "{} | save -f {}; {key} | save -f {}",
            status.unwrap(),
            quoted(&status_file),
            quoted(&key_file)
        ));
    } else {
        let write_key = format!("printf %s {key} > {}", quoted(&key_file));
        match status {
            Some(status) => shell.run(&format!(
                "echo {status} > {}; {write_key}",
                quoted(&status_file)
            )),
            None => shell.run(&write_key),
        }
    }
    if status.is_some() {
        assert_eq!(
            fs::read_to_string(&status_file).unwrap().trim(),
            "1",
            "the command line saw the user's exit status"
        );
    }
    let seen = fs::read_to_string(&key_file).unwrap();
    assert!(seen.starts_with("ASIA"), "a key: {seen:?}");
    assert_ne!(seen, first_key, "the command saw renewed credentials");
    assert_eq!(role_calls(&sandbox), 2, "renewed once, before the command");
    assert!(user_hook_runs() > runs_before, "the user's hook still runs");
    let said = shell.ssoenv_lines();
    assert!(
        said.iter().any(|line| line.starts_with("ssoenv: renewed ")),
        "{said:?}"
    );
}

/// With AWS not answering, the prompt after `cd` comes back within the hook's
/// deadline, with one warning and no credentials, and later prompts do not
/// wait again.
fn a_hanging_endpoint_does_not_hold_the_prompt(kind: Kind) {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::delay(Duration::from_secs(30)),
    );
    let Some(mut shell) = Interactive::start(
        &sandbox,
        kind,
        &sandbox.home(),
        &[("SSOENV_HOOK_TIMEOUT", "1s")],
    ) else {
        return;
    };

    let started = Instant::now();
    cd(&mut shell, &project);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(2500),
        "the prompt took {waited:?} with a 1 s deadline"
    );
    assert_eq!(role_calls(&sandbox), 1, "it did try");

    for _ in 0..3 {
        shell.run("true");
    }
    assert_eq!(role_calls(&sandbox), 1, "no retry at every prompt");
    assert_eq!(aws_vars(&shell.env()), Vec::<&str>::new());
    let lines = shell.ssoenv_lines();
    assert_eq!(lines.len(), 1, "one warning: {lines:?}");
    assert!(
        lines[0].starts_with("ssoenv: no answer from the SSO portal"),
        "{lines:?}"
    );
}

/// Renewal fails (the portal drops connections) while the credentials still
/// work: they stay, the prompt says so once, and the next prompts do not try
/// again at once.
fn a_failed_renewal_keeps_still_valid_credentials(kind: Kind) {
    let sandbox = logged_in();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(6));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(
        &sandbox,
        kind,
        &sandbox.home(),
        &[("SSOENV_HOOK_TIMEOUT", "1s")],
    ) else {
        return;
    };
    cd(&mut shell, &project);
    let loaded = shell.env();
    sandbox
        .emulator
        .inject_fault(Operation::GetRoleCredentials, Fault::drop_connection());

    // Due 3 s before the expiry (shown to the second), valid for 2 s more.
    sleep_until_system(expiration_of(&loaded) - Duration::from_millis(1900));
    let started = Instant::now();
    shell.run("true");
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(2500),
        "the prompt took {waited:?}"
    );
    // Before the command (or, in tcsh, in the background).
    let give_up = Instant::now() + Duration::from_secs(10);
    while role_calls(&sandbox) < 2
        || renewal_running(&sandbox)
        || (kind == Kind::Tcsh && !renewal_failure_noted(&sandbox))
    {
        assert!(Instant::now() < give_up, "renewal was never attempted");
        std::thread::sleep(Duration::from_millis(50));
    }
    shell.run("true");
    let tried = role_calls(&sandbox);
    assert_eq!(
        value(&shell.env(), "AWS_ACCESS_KEY_ID"),
        value(&loaded, "AWS_ACCESS_KEY_ID"),
        "the still-valid credentials stay"
    );
    shell.run("true");
    assert_eq!(role_calls(&sandbox), tried, "no retry at the next prompt");
    let lines = shell.ssoenv_lines();
    let kept: Vec<&String> = lines.iter().filter(|l| l.contains("keeping")).collect();
    assert_eq!(kept.len(), 1, "one warning: {lines:?}");
}

/// The SSO session ends and cannot be refreshed: one line asking for a
/// login, the credentials kept while valid and removed once expired.
fn an_expired_session_says_so_once_and_drops_expired_credentials(kind: Kind) {
    let sandbox = Sandbox::new();
    let token_expires = Instant::now() + Duration::from_secs(3);
    // Not refreshable, like a legacy `aws sso login`.
    let token = sandbox.emulator.issue_token(Duration::from_secs(3));
    sandbox.write_token(support::SESSION, &token);
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(5));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    cd(&mut shell, &project);
    let loaded = shell.env();

    // Renewal is due and the token has expired, but the credentials still work.
    sleep_until(token_expires + Duration::from_millis(300));
    shell.run("true");
    assert_eq!(
        value(&shell.env(), "AWS_ACCESS_KEY_ID"),
        value(&loaded, "AWS_ACCESS_KEY_ID"),
        "still-valid credentials stay"
    );

    // Shown to the second: a second more and they have certainly expired.
    sleep_until_system(expiration_of(&loaded) + Duration::from_millis(1100));
    shell.run("true");
    shell.run("true");
    assert_eq!(shell.set_in_shell(&MANAGED), Vec::<String>::new());
    let lines = shell.ssoenv_lines();
    let expired: Vec<&String> = lines.iter().filter(|l| l.contains("expired")).collect();
    assert_eq!(
        expired,
        ["ssoenv: SSO session 'dev' expired — run 'ssoenv login'"],
        "said once: {lines:?}"
    );
    assert_eq!(role_calls(&sandbox), 1);
}

/// A chained `.awssso.toml`: the AWS CLI in the shell is the assumed role
/// (`aws sts get-caller-identity`, signed with what the hook exported and
/// verified by the emulator's STS), renewal at a prompt renews the chain, and
/// leaving restores what was there before.
fn a_chained_role_reaches_the_aws_cli_and_renews(kind: Kind) {
    const DEPLOY: &str = "arn:aws:iam::222222222222:role/Deploy";
    let sandbox = Sandbox::new();
    sandbox.emulator.set_user_name("alice@example.com");
    sandbox.login(Duration::from_secs(8 * 3600));
    let admin = sandbox
        .emulator
        .sso_role_arn(&sandbox.account_id(), "AdministratorAccess");
    sandbox
        .emulator
        .create_role(sso_emulator::AssumableRole::new(DEPLOY).trust_role(&admin));
    sandbox
        .emulator
        .set_assumed_role_lifetime(Some(Duration::from_secs(8)));
    let project = sandbox.allowed_project(
        "deploy",
        "AdministratorAccess",
        &format!("role_arn = \"{DEPLOY}\"\n{}", region_line()),
    );
    let Some(aws) = aws_cli() else { return };
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    shell.export_from_file("AWS_ACCESS_KEY_ID", b"AKIAUSERSOWN");
    assert_eq!(value(&shell.env(), "AWS_ACCESS_KEY_ID"), "AKIAUSERSOWN");

    cd(&mut shell, &project);
    let loaded = shell.env();
    let whoami = format!(
        "{} sts get-caller-identity --output text --query Arn",
        quoted(&aws)
    );
    let arn = String::from_utf8_lossy(&shell.output_of(&whoami))
        .trim()
        .to_owned();
    assert_eq!(
        arn,
        "arn:aws:sts::222222222222:assumed-role/Deploy/alice@example.com"
    );
    assert_eq!(sandbox.emulator.calls(Operation::AssumeRole), 1);
    let lines = shell.ssoenv_lines();
    assert!(
        lines[0].starts_with("ssoenv: loaded 222222222222/Deploy (expires "),
        "{lines:?}"
    );

    // Due halfway through its 8 s: the next prompt renews the hop (its
    // 1-hour SSO source stays), and the CLI is the same role with new keys.
    sleep_until_system(expiration_of(&loaded) - Duration::from_millis(2700));
    prompts_through_renewal(&mut shell, &sandbox, || {
        sandbox.emulator.calls(Operation::AssumeRole) >= 2
    });
    let renewed = shell.env();
    assert_ne!(
        value(&renewed, "AWS_ACCESS_KEY_ID"),
        value(&loaded, "AWS_ACCESS_KEY_ID")
    );
    assert_eq!(sandbox.emulator.calls(Operation::AssumeRole), 2);
    assert_eq!(role_calls(&sandbox), 1);
    let arn = String::from_utf8_lossy(&shell.output_of(&whoami))
        .trim()
        .to_owned();
    assert!(
        arn.ends_with(":assumed-role/Deploy/alice@example.com"),
        "{arn}"
    );

    cd(&mut shell, &sandbox.home());
    let left = shell.env();
    assert_eq!(
        value(&left, "AWS_ACCESS_KEY_ID"),
        "AKIAUSERSOWN",
        "restored"
    );
    assert_eq!(
        shell.set_in_shell(&MANAGED),
        ["AWS_ACCESS_KEY_ID"],
        "the rest was unset before, and is again"
    );
}

/// A portal 1 s away and 60-second credentials: the user types a command
/// every 3 s for 75 s and never waits for AWS — every command line comes
/// back at once — while the credentials are renewed ahead, in the
/// background, more than once.
fn a_slow_portal_never_holds_a_command_line(kind: Kind) {
    let sandbox = logged_in();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(60));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &sandbox.home(), &[]) else {
        return;
    };
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::delay(Duration::from_secs(1)),
    );
    cd(&mut shell, &project);
    let mut keys = vec![value(&shell.env(), "AWS_ACCESS_KEY_ID").to_owned()];
    let start = Instant::now();
    let mut timeline = Vec::new();
    for tick in 1..=25 {
        sleep_until(start + Duration::from_secs(3 * tick));
        let typed = Instant::now();
        shell.run("true");
        let took = typed.elapsed();
        let env = shell.env();
        let key = value(&env, "AWS_ACCESS_KEY_ID").to_owned();
        let left = expiration_of(&env)
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        timeline.push(format!(
            "{:>5.1}s  `true` back in {:>4} ms, {:>2} s left, key …{}",
            typed.duration_since(start).as_secs_f64(),
            took.as_millis(),
            left.as_secs(),
            &key[key.len() - 4..]
        ));
        assert!(
            took < Duration::from_millis(900),
            "a command line waited {took:?}:\n{}",
            timeline.join("\n")
        );
        if keys.last() != Some(&key) {
            keys.push(key);
        }
    }
    eprintln!("{kind:?}:\n{}", timeline.join("\n"));
    assert!(keys.len() >= 3, "renewed at least twice: {keys:?}");
}

fn sleep_until(when: Instant) {
    if let Some(left) = when.checked_duration_since(Instant::now()) {
        std::thread::sleep(left);
    }
}

fn sleep_until_system(when: SystemTime) {
    if let Ok(left) = when.duration_since(SystemTime::now()) {
        std::thread::sleep(left);
    }
}

/// `AWS_CREDENTIAL_EXPIRATION` as the shell has it.
fn expiration_of(env: &BTreeMap<String, Vec<u8>>) -> SystemTime {
    let text = value(env, "AWS_CREDENTIAL_EXPIRATION");
    humantime::parse_rfc3339(text)
        .unwrap_or_else(|err| panic!("AWS_CREDENTIAL_EXPIRATION {text:?}: {err}"))
}

/// One test per shell and scenario, so a failure names both and the runner
/// can spread them over cores. tcsh has no pre-command event (see
/// `shell/hook.tcsh`), so it runs every scenario but that one.
macro_rules! per_shell {
    (common: [$($scenario:ident),* $(,)?], pre_command: [$($pre:ident),* $(,)?] $(,)?) => {
        mod bash {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Bash) } )*
            $( #[test] fn $pre() { super::$pre(super::Kind::Bash) } )*
        }
        mod zsh {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Zsh) } )*
            $( #[test] fn $pre() { super::$pre(super::Kind::Zsh) } )*
        }
        mod fish {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Fish) } )*
            $( #[test] fn $pre() { super::$pre(super::Kind::Fish) } )*
        }
        mod elvish {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Elvish) } )*
            $( #[test] fn $pre() { super::$pre(super::Kind::Elvish) } )*
        }
        mod tcsh {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Tcsh) } )*
        }
        mod xonsh {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Xonsh) } )*
            $( #[test] fn $pre() { super::$pre(super::Kind::Xonsh) } )*
        }
        mod nu {
            $( #[test] fn $scenario() { super::$scenario(super::Kind::Nu) } )*
            $( #[test] fn $pre() { super::$pre(super::Kind::Nu) } )*
        }
    };
}

per_shell!(
    common: [
        entering_sets_credentials_the_aws_cli_uses,
        idle_prompts_make_no_requests,
        leaving_restores_previous_values_byte_for_byte,
        nested_projects_switch,
        untrusted_project_exports_nothing_until_allowed,
        short_lived_credentials_are_renewed_at_a_later_prompt,
        a_hanging_endpoint_does_not_hold_the_prompt,
        a_failed_renewal_keeps_still_valid_credentials,
        an_expired_session_says_so_once_and_drops_expired_credentials,
        a_chained_role_reaches_the_aws_cli_and_renews,
    ],
    pre_command: [a_command_after_a_long_idle_prompt_gets_renewed_credentials],
);

/// The slow portal under bash, zsh and fish: 75 s each.
mod slow_portal {
    use super::Kind;

    #[test]
    fn bash() {
        super::a_slow_portal_never_holds_a_command_line(Kind::Bash);
    }

    #[test]
    fn zsh() {
        super::a_slow_portal_never_holds_a_command_line(Kind::Zsh);
    }

    #[test]
    fn fish() {
        super::a_slow_portal_never_holds_a_command_line(Kind::Fish);
    }
}
