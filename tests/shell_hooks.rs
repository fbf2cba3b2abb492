//! The rc snippets run in the real shells: sourced twice under strict flags
//! they print nothing and install the hook once, and at a prompt they evaluate
//! what `ssoenv export` prints, let its stderr through and keep the user's `$?`.
//!
//! The binary is a fake (see `fake_ssoenv`) at a path with a space and a quote.

mod shell_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use shell_support::{
    assert_quiet_success, fake_ssoenv, hook_applying_statement_files, output, output_with_stdin,
    text,
};
use ssoenv::shell::HookShell;
use ssoenv::shell::shell_for;

const WARNING: &str = "ssoenv: fake warning";
const PRE_COMMAND: &str = "ssoenv: fake pre-command call";

/// Writes the hook for `kind`, calling a fake ssoenv, into `dir`.
fn hook_file(dir: &Path, kind: HookShell, file: &str) -> PathBuf {
    let exe = fake_ssoenv(dir);
    let path = dir.join(file);
    fs::write(&path, shell_for(kind).hook(exe.to_str().unwrap())).unwrap();
    path
}

/// `path` as a single-quoted word for a POSIX shell command line.
fn sh_word(path: &Path) -> String {
    format!("'{}'", path.to_str().unwrap().replace('\'', r"'\''"))
}

fn bash_strict(bash: &Path) -> Command {
    let mut command = Command::new(bash);
    command.args(["--noprofile", "--norc", "-e", "-u", "-o", "pipefail", "-c"]);
    command
}

#[test]
fn bash_hook_installs_once_under_strict_flags() {
    let Some(bash) = shell_support::tool("bash") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = sh_word(&hook_file(dir.path(), HookShell::Bash, "hook.bash"));
    // First the one-shot installer of the pre-command trap, then the hook
    // (`declare -p` shows the installer's quotes and `$` escaped).
    let first = r#"_ssoenv_install_preexec \"\$(\\builtin trap -p DEBUG)\" \"\$(\\builtin trap -p SIGINT)\";_ssoenv_hook"#;
    let cases = [
        ("", format!(r#"declare -- PROMPT_COMMAND="{first}""#)),
        (
            "PROMPT_COMMAND='echo hi'",
            format!(r#"declare -- PROMPT_COMMAND="{first};echo hi""#),
        ),
        (
            "PROMPT_COMMAND=(a 'b c')",
            format!(r#"declare -a PROMPT_COMMAND=([0]="{first}" [1]="a" [2]="b c")"#),
        ),
    ];
    for (setup, expected) in cases {
        let script = format!("{setup}\nsource {hook}\nsource {hook}\n");
        let run = output(bash_strict(&bash).arg(&script));
        assert_quiet_success(
            &format!("bash sourcing the hook twice after {setup:?}"),
            &run,
        );

        let run = output(bash_strict(&bash).arg(format!("{script}declare -p PROMPT_COMMAND")));
        assert_eq!(text(&run.stdout).trim_end(), expected, "after {setup:?}");
    }

    // The pre-command trap, installed at the first prompt (PROMPT_COMMAND run
    // as bash runs it), and its PS0 arming: once each, keeping the DEBUG trap
    // and PS0 the user already had; the installer removes itself.
    for setup in [
        "PROMPT_COMMAND='echo hi'",
        "PROMPT_COMMAND=(a 'b c'); a() { :; }",
    ] {
        let script = format!(
            "{setup}\nPS0='[ps0]'\ntrap 'echo user' DEBUG\nsource {hook}\nsource {hook}\n\
             eval \"$PROMPT_COMMAND\"\nsource {hook}\n\
             trap -p DEBUG\nprintf '%s\\n' \"$PS0\" \"${{PROMPT_COMMAND[0]}}\"\n"
        );
        let run = output(bash_strict(&bash).arg(&script));
        assert_eq!(
            text(&run.stdout)
                .lines()
                .filter(|line| !["user", "hi"].contains(line))
                .collect::<Vec<_>>(),
            [
                r#"trap -- '_ssoenv_preexec "$_"; echo user' DEBUG"#,
                "${PS0:0:$((_ssoenv_preexec_armed=1,0))}[ps0]",
                if setup.contains('(') {
                    "_ssoenv_hook"
                } else {
                    "_ssoenv_hook;echo hi"
                },
            ],
            "{setup}: {}",
            text(&run.stderr)
        );
    }
}

#[test]
fn bash_prompt_evaluates_export_and_keeps_status() {
    let Some(bash) = shell_support::tool("bash") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = sh_word(&hook_file(dir.path(), HookShell::Bash, "hook.bash"));
    // An interactive bash reading stdin still runs PROMPT_COMMAND and prints
    // PS1 (to stderr) before each line. A later PROMPT_COMMAND entry reports
    // the $? it sees, so the array form is covered too.
    let input = format!(
        "PROMPT_COMMAND=(report)\n\
         report() {{ echo \"report sees $?\" >&2; }}\n\
         PS1='[status=$?]\\n'\n\
         source {hook}; trap 'echo user-int' SIGINT\nsource {hook}\n\
         true; true | true; false\n\
         printf 'value=%s\\n' \"$SSOENV_FAKE\"\n\
         trap -p SIGINT\n\
         exit\n"
    );
    let run = output_with_stdin(
        Command::new(bash)
            .args(["--noprofile", "--norc", "-i"])
            .current_dir(dir.path()),
        &input,
    );
    let stderr = text(&run.stderr);
    // The SIGINT trap the user set after the hook (on its line, before the
    // first prompt) is still theirs after the hooks ran.
    assert_eq!(
        text(&run.stdout),
        "value=it's set\ntrap -- 'echo user-int' SIGINT\n",
        "stderr:\n{stderr}"
    );
    // Prompts after: source, source, false, printf, trap — one hook run each.
    assert_eq!(stderr.matches(WARNING).count(), 5, "{stderr}");
    // Once per line from the second source on (the first defines the
    // trap): source, the line of three commands, printf, trap, exit.
    assert_eq!(stderr.matches(PRE_COMMAND).count(), 5, "{stderr}");
    assert!(stderr.contains("report sees 1\n[status=1]"), "{stderr}");
}

#[test]
fn zsh_hook_installs_once_under_strict_flags() {
    let Some(zsh) = shell_support::tool("zsh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = sh_word(&hook_file(dir.path(), HookShell::Zsh, "hook.zsh"));
    let script = format!("source {hook}\nsource {hook}\n");
    let run = output(Command::new(&zsh).args(["--no-rcs", "-e", "-u", "-c", &script]));
    assert_quiet_success("zsh sourcing the hook twice", &run);

    let show =
        format!("{script}print -r -- \"$precmd_functions|$chpwd_functions|$preexec_functions\"");
    let run = output(Command::new(&zsh).args(["--no-rcs", "-e", "-u", "-c", &show]));
    assert_eq!(
        text(&run.stdout),
        "_ssoenv_hook|_ssoenv_hook|_ssoenv_preexec\n"
    );

    // chpwd: a `cd` evaluates the export at once (one run, not two).
    let cd = format!("{script}cd /\nprint -r -- \"$SSOENV_FAKE\"");
    let run = output(Command::new(&zsh).args(["--no-rcs", "-e", "-u", "-c", &cd]));
    assert_eq!(text(&run.stdout), "it's set\n");
    assert_eq!(text(&run.stderr), format!("{WARNING}\n"));
}

#[test]
fn zsh_prompt_evaluates_export_and_keeps_status() {
    let Some(zsh) = shell_support::tool("zsh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = sh_word(&hook_file(dir.path(), HookShell::Zsh, "hook.zsh"));
    // The user's own INT trap is still theirs after the hooks ran.
    let input = format!(
        "PS1=$'[status=%?]\\n'\n\
         trap 'echo user-int' INT\n\
         source {hook}\nsource {hook}\n\
         false\n\
         printf 'value=%s\\n' \"$SSOENV_FAKE\"\n\
         trap\n\
         exit\n"
    );
    let run = output_with_stdin(
        Command::new(zsh)
            .args(["--no-rcs", "-i"])
            .current_dir(dir.path()),
        &input,
    );
    let stderr = text(&run.stderr);
    assert_eq!(
        text(&run.stdout),
        "value=it's set\ntrap -- 'echo user-int' INT\n",
        "stderr:\n{stderr}"
    );
    assert_eq!(stderr.matches(WARNING).count(), 5, "{stderr}");
    // Before each line from the second source on: source, false, printf,
    // trap, exit.
    assert_eq!(stderr.matches(PRE_COMMAND).count(), 5, "{stderr}");
    assert!(stderr.contains("[status=1]"), "{stderr}");
}

#[test]
fn fish_hook_installs_once_and_runs_on_prompt_and_cd() {
    let Some(fish) = shell_support::tool("fish") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = hook_file(dir.path(), HookShell::Fish, "hook.fish");
    // fish -c takes the path as an argument: no quoting needed.
    let fish_run = |body: &str| {
        output(
            Command::new(&fish)
                .args(["--no-config", "-c"])
                .arg(format!("source $argv[1]; source $argv[1]; {body}"))
                .arg(&hook),
        )
    };
    assert_quiet_success("fish sourcing the hook twice", &fish_run(""));

    let handlers = text(&fish_run("functions --handlers").stdout);
    assert_eq!(handlers.matches("__ssoenv_hook").count(), 2, "{handlers}");
    assert!(handlers.contains("fish_prompt __ssoenv_hook"), "{handlers}");
    assert!(handlers.contains("PWD __ssoenv_hook"), "{handlers}");
    assert_eq!(
        handlers.matches("__ssoenv_preexec").count(),
        1,
        "{handlers}"
    );
    assert!(
        handlers.contains("fish_preexec __ssoenv_preexec"),
        "{handlers}"
    );
    let run = fish_run("emit fish_preexec; printf '%s\\n' $SSOENV_FAKE");
    assert_eq!(text(&run.stdout), "it's set\n");
    assert_eq!(text(&run.stderr), format!("{PRE_COMMAND}\n"));

    for trigger in ["emit fish_prompt", "cd /"] {
        let run = fish_run(&format!("{trigger}; printf '%s\\n' $SSOENV_FAKE"));
        assert_eq!(text(&run.stdout), "it's set\n", "{trigger}");
        assert_eq!(text(&run.stderr), format!("{WARNING}\n"), "{trigger}");
    }
}

#[test]
fn ssoenv_hook_prints_the_snippet_with_its_own_canonical_path() {
    let exe = Path::new(env!("CARGO_BIN_EXE_ssoenv"))
        .canonicalize()
        .unwrap();
    for (arg, kind) in [
        ("bash", HookShell::Bash),
        ("zsh", HookShell::Zsh),
        ("fish", HookShell::Fish),
        ("pwsh", HookShell::Pwsh),
        ("powershell", HookShell::Pwsh),
        ("elvish", HookShell::Elvish),
        ("tcsh", HookShell::Tcsh),
        ("xonsh", HookShell::Xonsh),
        ("nu", HookShell::Nu),
        ("nushell", HookShell::Nu),
    ] {
        let run = output(Command::new(&exe).args(["hook", arg]));
        assert!(run.status.success(), "hook {arg}: {}", text(&run.stderr));
        assert!(run.stderr.is_empty(), "hook {arg}: {}", text(&run.stderr));
        assert_eq!(
            text(&run.stdout),
            shell_for(kind).hook(exe.to_str().unwrap()),
            "{arg}"
        );
    }
}

#[test]
fn elvish_hook_installs_once_and_runs_on_prompt_cd_and_command_line() {
    let Some(elvish) = shell_support::tool("elvish") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = hook_file(dir.path(), HookShell::Elvish, "hook.elv");
    // Outside an interactive shell there is no `edit:` module: the hook is
    // loaded twice into a namespace with a stand-in for it, as rc.elv would.
    let elvish_run = |body: &str| {
        let script = dir.path().join("script.elv");
        fs::write(
            &script,
            format!(
                "var stub = (ns [&before-readline=[] &after-readline=[] &add-var~={{|@_| }}])\n\
                 var code = (slurp < $args[0])\n\
                 eval $code &ns=(ns [&edit:=$stub])\n\
                 eval $code &ns=(ns [&edit:=$stub])\n{body}\n"
            ),
        )
        .unwrap();
        output(Command::new(&elvish).arg(&script).arg(&hook))
    };
    let run = elvish_run(
        "echo (count $stub[before-readline]) (count $stub[after-readline]) (count $after-chdir)",
    );
    assert_eq!(text(&run.stdout), "1 1 1\n", "{}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "");

    for (trigger, said) in [
        ("for f $stub[before-readline] { $f }", WARNING),
        ("cd /", WARNING),
        (
            "for f $stub[after-readline] { $f 'aws s3 ls' }",
            PRE_COMMAND,
        ),
    ] {
        let run = elvish_run(&format!("{trigger}; echo $E:SSOENV_FAKE"));
        assert_eq!(
            text(&run.stdout),
            "it's set\n",
            "{trigger}: {}",
            text(&run.stderr)
        );
        assert_eq!(text(&run.stderr), format!("{said}\n"), "{trigger}");
    }
}

#[test]
fn tcsh_hook_installs_its_aliases_and_each_runs_the_export() {
    let Some(tcsh) = shell_support::tool("tcsh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = hook_file(dir.path(), HookShell::Tcsh, "hook.tcsh");
    // Interactive (reading stdin), so precmd runs before each prompt; the
    // hook is loaded twice as the rc line does.
    let load = format!(
        "set hook = '{}'\neval \"`cat $hook:q`\"\neval \"`cat $hook:q`\"\n",
        hook.display()
    );
    let tcsh_run = |lines: &str| {
        output_with_stdin(
            Command::new(&tcsh).args(["-f", "-i"]),
            &format!("{load}{lines}"),
        )
    };
    let noise = |stderr: &[u8]| -> Vec<String> {
        text(stderr)
            .lines()
            .filter(|l| {
                !l.starts_with("Warning: no access to tty")
                    && *l != "Thus no job control in this shell."
            })
            .map(str::to_owned)
            .collect()
    };
    let run = tcsh_run("alias\nprintenv SSOENV_FAKE\n");
    let out = text(&run.stdout);
    for name in ["precmd", "cwdcmd"] {
        let defined = out
            .lines()
            .filter(|l| l.contains(&format!("{name}\teval ")))
            .count();
        assert_eq!(defined, 1, "{name}: {out}");
    }
    assert!(!out.contains("postcmd"), "{out}");
    assert!(
        out.contains("it's set\n"),
        "the prompt's export was evaluated: {out}"
    );
    // One prompt before each of the four lines read (two loads, alias, printenv).
    let said = noise(&run.stderr);
    assert!(said.iter().all(|l| l == WARNING), "{said:?}");
    assert_eq!(said.len(), 4, "{said:?}");

    // cd runs it again, before the next prompt does.
    let said = noise(&tcsh_run("cd /\n").stderr);
    assert_eq!(said.len(), 3 + 1, "{said:?}");
    // A precmd of the user's own, composed as the hook's comment says.
    let run = tcsh_run("alias precmd \"$__ssoenv_precmd:q; echo mine\"\ntrue\n");
    assert!(text(&run.stdout).contains("mine"), "{}", text(&run.stdout));
    assert!(noise(&run.stderr).iter().all(|l| l == WARNING));
}

#[test]
fn xonsh_hook_registers_once_and_each_event_runs_the_export() {
    let Some(xonsh) = shell_support::tool("xonsh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = hook_file(dir.path(), HookShell::Xonsh, "hook.xsh");
    // Loaded twice as the rc line does; then one event fired by name.
    let xonsh_run = |body: &str| {
        let script = dir.path().join("script.xsh");
        fs::write(
            &script,
            format!(
                "import sys\ncode = open(sys.argv[1]).read()\nexecx(code)\nexecx(code)\n{body}\n"
            ),
        )
        .unwrap();
        output(Command::new(&xonsh).arg("--no-rc").arg(&script).arg(&hook))
    };
    assert_quiet_success("xonsh loading the hook twice", &xonsh_run(""));
    for (fire, said) in [
        ("events.on_pre_prompt.fire()", WARNING),
        ("events.on_chdir.fire(olddir='/', newdir='/tmp')", WARNING),
        ("events.on_precommand.fire(cmd='aws s3 ls')", PRE_COMMAND),
    ] {
        let run = xonsh_run(&format!("{fire}\nprint($SSOENV_FAKE)"));
        assert_eq!(
            text(&run.stdout),
            "it's set\n",
            "{fire}: {}",
            text(&run.stderr)
        );
        assert_eq!(
            text(&run.stderr),
            format!("{said}\n"),
            "{fire}: once, not twice"
        );
    }
}

/// The xonsh hook runs ssoenv's output with nothing in scope but its four
/// recorders, and applies nothing unless all of it reads: a line that is
/// not one of the calls (here one that would run a command) leaves the
/// environment as it was, with one line saying why.
#[test]
fn xonsh_hook_applies_all_of_the_output_or_none_of_it() {
    let Some(xonsh) = shell_support::tool("xonsh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let canary = dir.path().join("canary");
    let (hook, _) = hook_applying_statement_files(dir.path(), HookShell::Xonsh, "hook.xsh");
    let run_with = |statements: &str| {
        let file = dir.path().join("statements");
        fs::write(&file, statements).unwrap();
        let script = dir.path().join("script.xsh");
        fs::write(
            &script,
            "import sys\nexecx(open(sys.argv[1]).read())\n\
             events.on_pre_prompt.fire()\nprint(${...}.get('SSOENV_A', 'unset'))\n",
        )
        .unwrap();
        output(
            Command::new(&xonsh)
                .arg("--no-rc")
                .arg(&script)
                .arg(&hook)
                .env("SSOENV_TEST_STATEMENTS", &file)
                .env_remove("SSOENV_A"),
        )
    };
    // The precondition: well-formed output is applied.
    let good = run_with("save(\"SSOENV_A\")\nset(\"SSOENV_A\", \"1\")\n");
    assert_eq!(text(&good.stdout), "1\n", "{}", text(&good.stderr));
    assert_eq!(text(&good.stderr), "");

    let touch = format!("__import__(\"os\").system(\"touch {}\")", canary.display());
    let bad = run_with(&format!(
        "save(\"SSOENV_A\")\nset(\"SSOENV_A\", \"1\")\n{touch}\n"
    ));
    assert_eq!(text(&bad.stdout), "unset\n", "nothing half-applied");
    let said: Vec<String> = text(&bad.stderr).lines().map(str::to_owned).collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("ssoenv: the hook could not read ssoenv's output: "),
        "{said:?}"
    );
    assert!(!canary.exists(), "the line ran");
}

/// Nushell: sourced twice, the hook has one entry in each of its three
/// hook lists (next to the user's own), and each runs the export, applies
/// what it printed, lets its stderr through and keeps the exit status.
#[test]
fn nu_hook_installs_once_and_each_hook_runs_the_export() {
    let Some(nu) = shell_support::tool("nu") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = hook_file(dir.path(), HookShell::Nu, "hook.nu");
    let nu_run = |body: &str| {
        let script = dir.path().join("script.nu");
        fs::write(
            &script,
            format!(
                "$env.config.hooks.pre_prompt = [{{|| $env.USER_HOOK = 'ran' }}]\n\
                 source {hook}\nsource {hook}\n{body}\n",
                hook = sh_word(&hook).replace('\'', "\"")
            ),
        )
        .unwrap();
        output(Command::new(&nu).arg("--no-config-file").arg(&script))
    };
    let counts = nu_run(
        "print ([($env.config.hooks.pre_prompt | length) ($env.config.hooks.pre_execution | length) \
         ($env.config.hooks.env_change.PWD | length)] | str join ' ')",
    );
    assert_eq!(text(&counts.stdout), "2 1 1\n", "{}", text(&counts.stderr));
    assert_eq!(text(&counts.stderr), "", "sourcing is quiet");
    for (hook, said) in [
        ("do --env ($env.config.hooks.pre_prompt | last)", WARNING),
        (
            "do --env ($env.config.hooks.env_change.PWD | last) '/' '/tmp'",
            WARNING,
        ),
        (
            "do --env ($env.config.hooks.pre_execution | last)",
            PRE_COMMAND,
        ),
    ] {
        let run = nu_run(&format!(
            "$env.LAST_EXIT_CODE = 7\n{hook}\nprint $env.SSOENV_FAKE $env.LAST_EXIT_CODE"
        ));
        assert_eq!(
            text(&run.stdout),
            "it's set\n7\n",
            "{hook}: {}",
            text(&run.stderr)
        );
        assert_eq!(text(&run.stderr), format!("{said}\n"), "{hook}: once");
    }
    // The user's hook is still there and still runs.
    let theirs = nu_run("do --env ($env.config.hooks.pre_prompt | first)\nprint $env.USER_HOOK");
    assert_eq!(text(&theirs.stdout), "ran\n", "{}", text(&theirs.stderr));
}

/// The Nushell hook reads ssoenv's output as NUON data and applies nothing
/// unless all of it reads: a line that is not a constant record (here one
/// that would run a command) leaves the environment as it was, with one
/// line saying why.
#[test]
fn nu_hook_applies_all_of_the_output_or_none_of_it() {
    let Some(nu) = shell_support::tool("nu") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let canary = dir.path().join("canary");
    let (hook, exe) = hook_applying_statement_files(dir.path(), HookShell::Nu, "hook.nu");
    let run_with = |statements: &str| {
        let file = dir.path().join("statements");
        fs::write(&file, statements).unwrap();
        let script = dir.path().join("script.nu");
        fs::write(
            &script,
            format!(
                "source \"{}\"\ndo --env ($env.config.hooks.pre_prompt | last)\n\
                 print ($env.SSOENV_A? | default unset)\n",
                hook.display()
            ),
        )
        .unwrap();
        output(
            Command::new(&nu)
                .arg("--no-config-file")
                .arg(&script)
                .env("SSOENV_TEST_STATEMENTS", &file)
                .env_remove("SSOENV_A"),
        )
    };
    let good = "{op: save, name: SSOENV_A}\n{op: set, name: SSOENV_A, value: \"1\"}\n";
    // The precondition: well-formed output is applied.
    let applied = run_with(good);
    assert_eq!(text(&applied.stdout), "1\n", "{}", text(&applied.stderr));
    assert_eq!(text(&applied.stderr), "");

    let touch = format!(
        "{{op: set, name: SSOENV_B, value: (^touch \"{}\")}}",
        canary.display()
    );
    for bad in [
        touch.as_str(),
        "{op: set, name: SSOENV_B, value: \"unterminated}",
        "{op: rm, name: PATH}",
    ] {
        let run = run_with(&format!("{good}{bad}\n"));
        assert_eq!(
            text(&run.stdout),
            "unset\n",
            "nothing half-applied for {bad}"
        );
        let said: Vec<String> = text(&run.stderr).lines().map(str::to_owned).collect();
        assert_eq!(said.len(), 1, "{bad}: {said:?}");
        assert!(
            said[0].starts_with("ssoenv: the hook could not read ssoenv's output: "),
            "{said:?}"
        );
        assert!(!canary.exists(), "the line ran");
    }
    // A missing binary is said so, once.
    fs::remove_file(&exe).unwrap();
    let run = run_with(good);
    assert_eq!(text(&run.stdout), "unset\n");
    let said: Vec<String> = text(&run.stderr).lines().map(str::to_owned).collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("ssoenv: the hook could not run: "),
        "{said:?}"
    );
}

/// Homebrew keeps each version in a directory of its own (the Cellar), links
/// both binaries into a directory on PATH, and deletes the old version's
/// directory on upgrade. The hook names the link on PATH, so a shell opened
/// before the upgrade keeps working after it.
#[test]
fn the_hook_survives_an_upgrade_that_deletes_the_old_version() {
    let Some(bash) = shell_support::tool("bash") else {
        return;
    };
    let built = Path::new(env!("CARGO_BIN_EXE_ssoenv")).parent().unwrap();
    // Beside the built binaries, so they can be hard-linked, not copied.
    let prefix = tempfile::tempdir_in(built).unwrap();
    let home = prefix.path().join("home");
    fs::create_dir(&home).unwrap();
    let bin = prefix.path().join("bin");
    fs::create_dir(&bin).unwrap();
    let install = |version: &str| {
        let cellar = prefix
            .path()
            .join("Cellar/ssoenv")
            .join(version)
            .join("bin");
        fs::create_dir_all(&cellar).unwrap();
        for name in ["ssoenv", "ssoenv-core"] {
            fs::hard_link(built.join(name), cellar.join(name))
                .or_else(|_| fs::copy(built.join(name), cellar.join(name)).map(drop))
                .unwrap();
            let link = bin.join(name);
            let _ = fs::remove_file(&link);
            std::os::unix::fs::symlink(cellar.join(name), &link).unwrap();
        }
    };
    install("1");
    // A lone link to ssoenv elsewhere on PATH, without ssoenv-core beside it:
    // the small binary would not find the full one from there.
    let lone = prefix.path().join("lone");
    fs::create_dir(&lone).unwrap();
    std::os::unix::fs::symlink(bin.join("ssoenv"), lone.join("ssoenv")).unwrap();
    let path = format!("{}:{}:/usr/bin:/bin", lone.display(), bin.display());

    let run = output(
        Command::new(bin.join("ssoenv"))
            .args(["hook", "bash"])
            .env_clear()
            .env("HOME", &home)
            .env("PATH", &path),
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let hook = text(&run.stdout);
    assert_eq!(
        hook,
        shell_for(HookShell::Bash).hook(bin.join("ssoenv").to_str().unwrap())
    );

    install("2");
    fs::remove_dir_all(prefix.path().join("Cellar/ssoenv/1")).unwrap();
    let hook_file = prefix.path().join("hook.bash");
    fs::write(&hook_file, &hook).unwrap();
    let run = output(
        bash_strict(&bash)
            .arg(r#"source "$1"; cd "$HOME"; _ssoenv_hook; echo "prompt $?""#)
            .arg("bash")
            .arg(&hook_file)
            .env_clear()
            .env("HOME", &home)
            .env("PATH", &path),
    );
    assert_eq!(text(&run.stderr), "", "the prompt after the upgrade");
    assert_eq!(text(&run.stdout), "prompt 0\n");
}
