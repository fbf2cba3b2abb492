//! Static checks of the generated shell code with each shell's own tools: the
//! rc snippets, and a script of every per-variable statement.

mod shell_support;

use std::fs;
use std::path::Path;
use std::process::Command;

use shell_support::{FAKE_EXE, assert_quiet_success, env_name, output, output_with_stdin, text};
use ssoenv::shell::HookShell;
use ssoenv::shell::shell_for;

/// One script with every statement the shell module writes, for the linters.
fn statements(kind: HookShell) -> String {
    let shell = shell_for(kind);
    let name = env_name("AWS_SECRET_ACCESS_KEY");
    let mut out = String::new();
    shell.save(&mut out, &name);
    shell.set(&mut out, &name, "it's $(hostile)\n\\");
    shell.unset(&mut out, &name);
    shell.restore(&mut out, &name);
    shell.idle_check(&mut out, &shell_support::sample_idle_check());
    out
}

#[test]
fn bash_passes_shellcheck() {
    let Some(shellcheck) = shell_support::tool("shellcheck") else {
        return;
    };
    let hook = shell_for(HookShell::Bash).hook(FAKE_EXE);
    // The statements are evaluated inside the hook, so they are checked as bash
    // too; the snippet's own shellcheck directives justify each exception.
    for (what, code) in [("hook", hook), ("statements", statements(HookShell::Bash))] {
        let run = output_with_stdin(
            Command::new(&shellcheck).args(["--enable=all", "--shell=bash", "-"]),
            &code,
        );
        assert_quiet_success(&format!("shellcheck of the bash {what}"), &run);
    }
}

#[test]
fn bash_hook_is_shfmt_formatted() {
    let Some(shfmt) = shell_support::tool("shfmt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hook.bash");
    fs::write(&path, shell_for(HookShell::Bash).hook(FAKE_EXE)).unwrap();
    let run = output(Command::new(shfmt).arg("-d").arg(&path));
    assert_quiet_success("shfmt -d of the bash hook", &run);
}

#[test]
fn zsh_parses() {
    let Some(zsh) = shell_support::tool("zsh") else {
        return;
    };
    let hook = shell_for(HookShell::Zsh).hook(FAKE_EXE);
    for (what, code) in [("hook", hook), ("statements", statements(HookShell::Zsh))] {
        let run = output_with_stdin(Command::new(&zsh).args(["--no-rcs", "-n"]), &code);
        assert_quiet_success(&format!("zsh -n of the {what}"), &run);
    }
}

#[test]
fn fish_parses() {
    let Some(fish) = shell_support::tool("fish") else {
        return;
    };
    let hook = shell_for(HookShell::Fish).hook(FAKE_EXE);
    for (what, code) in [("hook", hook), ("statements", statements(HookShell::Fish))] {
        let run = output_with_stdin(
            Command::new(&fish).args(["--no-config", "--no-execute"]),
            &code,
        );
        assert_quiet_success(&format!("fish --no-execute of the {what}"), &run);
    }
}

#[test]
fn fish_hook_is_fish_indent_formatted() {
    let Some(fish_indent) = shell_support::tool("fish_indent") else {
        return;
    };
    let hook = shell_for(HookShell::Fish).hook(FAKE_EXE);
    let run = output_with_stdin(&mut Command::new(fish_indent), &hook);
    assert!(
        run.status.success(),
        "fish_indent failed: {}",
        text(&run.stderr)
    );
    assert_eq!(
        text(&run.stdout),
        hook,
        "the fish hook differs from fish_indent's output"
    );
}

/// Outside an interactive shell there is no `edit:` module; a stand-in with
/// the two hook lists and `add-var` lets the compiler resolve the rest.
const ELVISH_EDIT_STUB: &str =
    "var edit: = (ns [&before-readline=[] &after-readline=[] &add-var~={|@_| }])\n";

#[test]
fn elvish_compiles() {
    let Some(elvish) = shell_support::tool("elvish") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = shell_for(HookShell::Elvish).hook(FAKE_EXE);
    // The statements run in the hook's namespace, which holds the saved map.
    let statements = format!(
        "var __ssoenv-saved = [&]\n{}",
        statements(HookShell::Elvish)
    );
    for (what, code) in [
        ("hook", format!("{ELVISH_EDIT_STUB}{hook}")),
        ("statements", statements),
    ] {
        let path = dir.path().join(what);
        fs::write(&path, &code).unwrap();
        let run = output(Command::new(&elvish).arg("-compileonly").arg(&path));
        assert_quiet_success(&format!("elvish -compileonly of the {what}"), &run);
    }
    // The check can fail: an unknown variable does not compile.
    let path = dir.path().join("broken");
    fs::write(&path, "set-env A $no-such-variable\n").unwrap();
    let run = output(Command::new(&elvish).arg("-compileonly").arg(&path));
    assert!(
        !run.status.success(),
        "elvish -compileonly accepted a broken script"
    );
}

#[test]
fn tcsh_parses() {
    let Some(tcsh) = shell_support::tool("tcsh") else {
        return;
    };
    let hook = shell_for(HookShell::Tcsh).hook(FAKE_EXE);
    // The hook is evaluated as one line: check it joined, as eval sees it.
    let joined = hook.lines().collect::<Vec<_>>().join(" ");
    for (what, code) in [
        ("hook", joined),
        (
            "statements",
            statements(HookShell::Tcsh)
                .lines()
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ] {
        let run = output_with_stdin(Command::new(&tcsh).args(["-f", "-n"]), &code);
        assert_quiet_success(&format!("tcsh -n of the {what}"), &run);
    }
    let run = output_with_stdin(
        Command::new(&tcsh).args(["-f", "-n"]),
        "setenv A 'unterminated\n",
    );
    assert!(
        !run.status.success() || !run.stderr.is_empty(),
        "tcsh -n accepted a broken line"
    );
}

#[test]
fn xonsh_parses() {
    let Some(xonsh) = shell_support::tool("xonsh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = shell_for(HookShell::Xonsh).hook(FAKE_EXE);
    for (what, code) in [("hook", hook), ("statements", statements(HookShell::Xonsh))] {
        let path = dir.path().join(format!("{what}.xsh"));
        fs::write(&path, &code).unwrap();
        let run = output(Command::new(&xonsh).args(["--no-rc", "-n"]).arg(&path));
        assert!(
            run.status.success(),
            "xonsh -n of the {what}: {}\n{code}",
            text(&run.stderr)
        );
    }
    // The check can fail.
    let path = dir.path().join("broken.xsh");
    fs::write(&path, "$A = \"unterminated\n").unwrap();
    let run = output(Command::new(&xonsh).args(["--no-rc", "-n"]).arg(&path));
    assert!(!run.status.success(), "xonsh -n accepted a broken script");
}

/// Errors in `nu --ide-check` output (one JSON object per line; hints and
/// type annotations are not errors).
fn nu_errors(nu: &Path, file: &Path) -> Vec<String> {
    let run = output(
        Command::new(nu)
            .args(["--no-config-file", "--ide-check", "100"])
            .arg(file),
    );
    assert!(
        run.status.success(),
        "nu --ide-check: {}",
        text(&run.stderr)
    );
    text(&run.stdout)
        .lines()
        .filter(|line| line.contains(r#""type":"diagnostic""#))
        .map(str::to_owned)
        .collect()
}

#[test]
fn nu_checks_the_hook_and_reads_every_record() {
    let Some(nu) = shell_support::tool("nu") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hook = dir.path().join("hook.nu");
    fs::write(&hook, shell_for(HookShell::Nu).hook(FAKE_EXE)).unwrap();
    let errors = nu_errors(&nu, &hook);
    assert!(errors.is_empty(), "nu --ide-check of the hook: {errors:?}");
    // The check can fail.
    let broken = dir.path().join("broken.nu");
    fs::write(&broken, "def x [] {\n  let a = (\n").unwrap();
    assert!(
        !nu_errors(&nu, &broken).is_empty(),
        "nu --ide-check found nothing in a broken script"
    );

    // The statements are data: each line reads with `from nuon`, which is
    // what the hook does with them, and gives a record with the fields
    // the hook uses (the idle check's own are read by the real-shell tests).
    let records = dir.path().join("records");
    fs::write(&records, statements(HookShell::Nu)).unwrap();
    let check = "open --raw $env.RECORDS | lines | each {|line| $line | from nuon } \
                 | each {|r| $'($r.op) ($r.name) (if $r.name == __ssoenv_idle { $r.value.pwd })' } | str join (char nl)";
    let run = output(
        Command::new(&nu)
            .args(["--no-config-file", "-c", check])
            .env("RECORDS", &records),
    );
    assert!(run.status.success(), "from nuon: {}", text(&run.stderr));
    let read: Vec<String> = text(&run.stdout).lines().map(str::to_owned).collect();
    assert_eq!(
        read.len(),
        statements(HookShell::Nu).lines().count(),
        "{read:?}"
    );
    for op in ["set", "unset", "save", "restore"] {
        assert!(
            read.iter().any(|line| line.starts_with(&format!("{op} "))),
            "{op}: {read:?}"
        );
    }
    let idle = "set __ssoenv_idle /home/u/it's a $(project)";
    assert!(read.iter().any(|line| line == idle), "{idle}: {read:?}");
}

#[test]
fn powershell_parses_without_errors() {
    let hook = shell_for(HookShell::Pwsh).hook(FAKE_EXE);
    for (what, code) in [("hook", hook), ("statements", statements(HookShell::Pwsh))] {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_powershell::LANGUAGE.into())
            .expect("grammar and tree-sitter versions match");
        let tree = parser.parse(&code, None).expect("parse ran");
        // has_error covers both ERROR nodes and MISSING (inserted) nodes.
        assert!(
            !tree.root_node().has_error(),
            "the PowerShell {what} has parse errors:\n{}\n{code}",
            tree.root_node().to_sexp()
        );
    }
}

/// A parse error is reported: the check above can fail.
#[test]
fn powershell_check_detects_errors() {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse("$env:X = 'unterminated", None).unwrap();
    assert!(tree.root_node().has_error());
}

/// Windows PowerShell 5.1, which every Windows has, reads the hook, the
/// statements and the completions: none of the operators PowerShell 7 added
/// (pipeline chains, null-coalescing and null-conditional, the ternary).
#[test]
fn powershell_code_is_windows_powershell_5_1_syntax() {
    let completions =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/_ssoenv.ps1"))
            .unwrap();
    for (what, code) in [
        ("hook", shell_for(HookShell::Pwsh).hook(FAKE_EXE)),
        ("statements", statements(HookShell::Pwsh)),
        ("completions", completions),
    ] {
        let found = powershell_7_only(&code);
        assert!(found.is_empty(), "the PowerShell {what} uses {found:?}");
    }
    // The check finds them, each on its own.
    for code in [
        "Get-Item a && Get-Item b",
        "Get-Item a || Get-Item b",
        "$a = $b ?? 'c'",
        "$a ??= 'c'",
        "$a = $b ? 'c' : 'd'",
        "${a}?.Length",
    ] {
        assert!(!powershell_7_only(code).is_empty(), "not found in {code:?}");
    }
}

/// The PowerShell 7 operators in `code`, as the grammar reads them.
fn powershell_7_only(code: &str) -> Vec<String> {
    const ONLY_IN_7: [&str; 6] = ["&&", "||", "??", "??=", "?.", "?"];
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(code, None).unwrap();
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let text = &code[node.byte_range()];
        if (!node.is_named() && ONLY_IN_7.contains(&node.kind()))
            || node.kind().contains("ternary")
            || (node.is_error() && ONLY_IN_7.iter().any(|op| text.contains(op)))
        {
            found.push(format!("{} {text:?}", node.kind()));
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    found
}

/// The Nushell the tests run is the one pinned for them (scripts/test
/// installs it from its npm package).
#[test]
fn nu_is_the_pinned_version() {
    let Some(nu) = shell_support::tool("nu") else {
        return;
    };
    let pinned = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/nushell-version"),
    )
    .unwrap();
    let run = output(Command::new(&nu).arg("--version"));
    assert_eq!(text(&run.stdout).trim(), pinned.trim(), "{}", nu.display());
}

/// The project's own bash scripts (CI, release, packaging, bench), which
/// nothing else runs on every push: shellcheck-clean and shfmt-formatted.
#[test]
fn project_scripts_pass_shellcheck_and_shfmt() {
    let (Some(shellcheck), Some(shfmt)) = (
        shell_support::tool("shellcheck"),
        shell_support::tool("shfmt"),
    ) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut scripts: Vec<_> = ["scripts", "bench", ".ci"]
        .iter()
        .flat_map(|dir| fs::read_dir(root.join(dir)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| text(&fs::read(path).unwrap()).starts_with("#!/usr/bin/env bash"))
        .collect();
    scripts.sort();
    for needed in [
        ".ci/run",
        "scripts/dist",
        "scripts/check-packaging",
        "scripts/test",
    ] {
        assert!(
            scripts.contains(&root.join(needed)),
            "{needed} is among the scripts checked: {scripts:?}"
        );
    }
    let run = output(Command::new(shellcheck).args(&scripts));
    assert_quiet_success("shellcheck of the project's scripts", &run);
    let run = output(Command::new(shfmt).arg("-d").args(&scripts));
    assert_quiet_success("shfmt -d of the project's scripts", &run);
}
