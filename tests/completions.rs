//! The committed completion scripts and man page match what the binary
//! generates, and each script loads in its own shell.
//!
//! After changing the command line: `SSOENV_UPDATE_COMPLETIONS=1 cargo test
//! --test completions` rewrites `completions/` and `man/`, then commit them.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use ssoenv::cli::CompletionShell as Shell;
use ssoenv::cmd::completions::{completion_file_name, completion_script, man_page};
use support::harness;

const SHELLS: [Shell; 6] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Powershell,
    Shell::Elvish,
    Shell::Nushell,
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("SSOENV_UPDATE_COMPLETIONS").is_some_and(|v| v == "1")
}

/// Compares `path` with `generated`, or rewrites it when updating.
fn check_committed(path: &Path, generated: &[u8]) {
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, generated).unwrap();
        return;
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the command line — run `SSOENV_UPDATE_COMPLETIONS=1 cargo test --test completions` and commit the result",
        path.display()
    );
}

#[test]
fn committed_completions_match_the_command_line() {
    for shell in SHELLS {
        let path = root().join("completions").join(completion_file_name(shell));
        check_committed(&path, &completion_script(shell));
    }
}

#[test]
fn committed_man_page_matches_the_command_line() {
    check_committed(&root().join("man/ssoenv.1"), &man_page().unwrap());
}

#[test]
fn the_binary_prints_the_committed_scripts() {
    for (shell, arg) in [
        (Shell::Bash, "bash"),
        (Shell::Zsh, "zsh"),
        (Shell::Fish, "fish"),
        (Shell::Powershell, "powershell"),
        (Shell::Powershell, "pwsh"),
        (Shell::Elvish, "elvish"),
        (Shell::Nushell, "nushell"),
        (Shell::Nushell, "nu"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ssoenv"))
            .args(["completions", arg])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, completion_script(shell), "{arg}");
    }
}

/// `ssoenv man` is how installs without a man page (`cargo install`) get one.
#[test]
fn the_binary_prints_the_committed_man_page() {
    let out = Command::new(env!("CARGO_BIN_EXE_ssoenv"))
        .arg("man")
        .output()
        .unwrap();
    assert_quiet_success(&out);
    assert!(
        out.stdout.starts_with(b".ie \\n(.g"),
        "not roff: {:?}",
        &out.stdout[..40]
    );
    assert_eq!(
        out.stdout,
        std::fs::read(root().join("man/ssoenv.1")).unwrap()
    );
}

#[test]
fn the_man_page_renders_without_warnings() {
    let Some(man) = harness::find_on_path("man") else {
        return; // `man` is optional: the roff is also checked by groff below when present
    };
    let out = Command::new(man)
        .args(["--warnings", "-l", "-Tutf8"])
        .arg(root().join("man/ssoenv.1"))
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    // Bold and underline come as overstrikes (`x\x08x`): keep the last character.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&out.stdout).chars() {
        if c == '\x08' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    assert_quiet_success(&out);
    for verb in ["SSOENV STATUS", "SSOENV LIST", "--refresh", "--force"] {
        assert!(text.contains(verb), "man page lacks {verb}");
    }
}

/// A run that succeeded and said nothing on stderr.
#[track_caller]
fn assert_quiet_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `program args…` with the script path; fails on a non-zero exit or any stderr.
fn load_in(program: &Path, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{} {args:?}: status {}\nstdout: {}\nstderr: {}",
        program.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn script(shell: Shell) -> String {
    root()
        .join("completions")
        .join(completion_file_name(shell))
        .display()
        .to_string()
}

#[test]
fn bash_sources_its_completions() {
    let Some(bash) = harness::require_tool("bash") else {
        return;
    };
    let file = script(Shell::Bash);
    let code = format!(
        "set -euo pipefail; source '{file}'; complete -p ssoenv | grep -q _ssoenv\n\
         COMP_WORDS=(ssoenv sta); COMP_CWORD=1; COMP_LINE='ssoenv sta'; COMP_POINT=10\n\
         _ssoenv ssoenv sta ssoenv; [[ \" ${{COMPREPLY[*]}} \" == *' status '* ]]"
    );
    load_in(&bash, &["--noprofile", "--norc", "-c", &code]);
}

#[test]
fn zsh_loads_its_completions() {
    let Some(zsh) = harness::require_tool("zsh") else {
        return;
    };
    let dir = root().join("completions");
    let code = format!(
        "set -eu; fpath=('{}' $fpath); autoload -Uz compinit; compinit -u -D; \
         autoload -Uz _ssoenv; (( $+functions[_ssoenv] )); [[ $_comps[ssoenv] == _ssoenv ]]",
        dir.display()
    );
    load_in(&zsh, &["--no-rcs", "-c", &code]);
}

#[test]
fn fish_sources_its_completions() {
    let Some(fish) = harness::require_tool("fish") else {
        return;
    };
    let file = script(Shell::Fish);
    let code = format!(
        "source '{file}'; and complete --do-complete 'ssoenv sta' | string match -q -r '^status'"
    );
    load_in(&fish, &["--no-config", "-c", &code]);
}

#[test]
fn elvish_evaluates_its_completions() {
    let Some(elvish) = harness::require_tool("elvish") else {
        return;
    };
    // `elvish -c` has no line editor, so no `edit:` module: the script runs
    // against stand-ins for the two editor names it uses.
    let script = std::fs::read_to_string(script(Shell::Elvish))
        .unwrap()
        .replace("edit:completion:arg-completer", "arg-completer")
        .replace("edit:complex-candidate", "complex-candidate");
    let code = format!(
        "var arg-completer = [&]\nfn complex-candidate {{|text &display=''| put $text }}\n{script}\n\
         if (not (has-value [($arg-completer[ssoenv] ssoenv '')] status)) {{ fail 'no status completion' }}\n\
         if (not (has-value [($arg-completer[ssoenv] ssoenv list '')] --refresh)) {{ fail 'no list --refresh' }}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("check.elv");
    std::fs::write(&file, code).unwrap();
    load_in(&elvish, &["-norc", &file.display().to_string()]);
}

#[test]
fn powershell_completions_parse() {
    let committed = std::fs::read_to_string(script(Shell::Powershell)).unwrap();
    // `$x.Where{ … }` (a method call whose only argument is a script block, no
    // parentheses) is valid PowerShell that the grammar does not know; the
    // parenthesised form means the same and parses.
    let sugar = "$completions.Where{ $_.CompletionText -like \"$wordToComplete*\" }";
    assert!(
        committed.contains(sugar),
        "clap_complete's output changed: revisit this test"
    );
    let text = committed.replace(
        sugar,
        "$completions.Where({ $_.CompletionText -like \"$wordToComplete*\" })",
    );
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(&text, None).unwrap();
    let mut errors = Vec::new();
    collect_errors(tree.root_node(), &text, &mut errors);
    assert!(
        errors.is_empty(),
        "the PowerShell completions do not parse:\n{}",
        errors.join("\n")
    );
    assert!(text.contains("Register-ArgumentCompleter"));
}

/// Every ERROR or MISSING node, with its line and text.
fn collect_errors(node: tree_sitter::Node<'_>, text: &str, out: &mut Vec<String>) {
    if node.is_error() || node.is_missing() {
        let snippet: String = text[node.byte_range()].chars().take(120).collect();
        out.push(format!(
            "line {}: {} {snippet:?}",
            node.start_position().row + 1,
            node.kind()
        ));
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_errors(child, text, out);
    }
}

/// Nushell's own completion engine (`nu --ide-complete`) completes from the
/// committed script: subcommands, and the values of `export`'s target.
#[test]
fn nushell_completes_from_its_script() {
    let Some(nu) = harness::require_tool("nu") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let complete = |line: &str| {
        let file = dir.path().join("line.nu");
        let code = format!("use '{}' *\n{line}", script(Shell::Nushell));
        std::fs::write(&file, &code).unwrap();
        let out = Command::new(&nu)
            .args([
                "--no-config-file",
                "--ide-complete",
                &code.len().to_string(),
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        reply["completions"].as_array().cloned().unwrap_or_default()
    };
    assert_eq!(complete("ssoenv sta"), [serde_json::json!("ssoenv status")]);
    let targets = complete("ssoenv export x");
    assert_eq!(targets, [serde_json::json!("xonsh")], "{targets:?}");
    let shells = complete("ssoenv hook n");
    assert_eq!(shells, [serde_json::json!("nu")], "{shells:?}");
}
