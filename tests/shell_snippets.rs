//! Snapshots of everything the shell module writes: the rc snippets and the
//! per-variable statements, for every shell. A change to generated shell code
//! shows up here as a reviewed diff.

mod shell_support;

use shell_support::{ALL, FAKE_EXE, env_name, name_of, shell};

/// Values whose quoting a reviewer should see: plain, each quote kind, the
/// backslash cases, expansions, control characters and non-ASCII.
const SAMPLE_VALUES: &[&str] = &[
    "",
    "us-east-1",
    "AKIAEXAMPLEKEY/123+abc=",
    "a b",
    "it's",
    "‘curly’ ‚low‛ “double”",
    r"C:\",
    r"back\\slashes\",
    "$(touch canary) `touch canary` ;touch canary; (touch canary)",
    "${HOME} $env:HOME %PATH% !! ~ * ? [a] {a,b} # & | < >",
    "line\nbreak\r\n\ttab \x1b[31m \x07 \x7f",
    "日本語 ünïcödé 🦀 \u{a0}\u{2028}\u{85}",
    "nul\0inside",
];

#[test]
fn hook_snippets() {
    for kind in ALL {
        insta::assert_snapshot!(
            format!("hook_{}", name_of(kind)),
            shell(kind).hook(FAKE_EXE)
        );
    }
}

#[test]
fn statements() {
    let name = env_name("AWS_REGION");
    for kind in ALL {
        let shell = shell(kind);
        let mut out = String::new();
        shell.save(&mut out, &name);
        shell.set(&mut out, &name, "eu-west-1");
        shell.unset(&mut out, &name);
        shell.restore(&mut out, &name);
        insta::assert_snapshot!(format!("statements_{}", name_of(kind)), out);
    }
}

/// The idle check each shell defines after a decision; the shells that
/// cannot run one with builtins define none.
#[test]
fn idle_checks() {
    let check = shell_support::sample_idle_check();
    for kind in ALL {
        let shell = shell(kind);
        let mut out = String::new();
        shell.idle_check(&mut out, &check);
        assert_eq!(!out.is_empty(), shell.runs_idle_check(), "{kind:?}");
        if shell.runs_idle_check() {
            insta::assert_snapshot!(format!("idle_check_{}", name_of(kind)), out);
        }
    }
}

#[test]
fn quoting() {
    for kind in ALL {
        let shell = shell(kind);
        let table: String = SAMPLE_VALUES
            .iter()
            .map(|value| format!("{value:?}\n    {}\n", shell.quote(value)))
            .collect();
        insta::assert_snapshot!(format!("quote_{}", name_of(kind)), table);
    }
}
