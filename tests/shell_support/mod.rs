//! Helpers shared by the `shell_*` tests: the shells, their tools and a fake ssoenv.
#![allow(dead_code)] // each test crate uses a different subset

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ssoenv::shell::HookShell;
use ssoenv::shell::{EnvName, Shell, shell_for};

/// The path every snapshot uses: a space and a quote make an unquoted or badly
/// quoted path visible at a glance.
pub const FAKE_EXE: &str = "/opt/ssoenv bin/it's/ssoenv";

pub const ALL: [HookShell; 8] = [
    HookShell::Bash,
    HookShell::Zsh,
    HookShell::Fish,
    HookShell::Pwsh,
    HookShell::Elvish,
    HookShell::Tcsh,
    HookShell::Xonsh,
    HookShell::Nu,
];

pub fn name_of(kind: HookShell) -> &'static str {
    match kind {
        HookShell::Bash => "bash",
        HookShell::Zsh => "zsh",
        HookShell::Fish => "fish",
        HookShell::Pwsh => "pwsh",
        HookShell::Elvish => "elvish",
        HookShell::Tcsh => "tcsh",
        HookShell::Xonsh => "xonsh",
        HookShell::Nu => "nu",
    }
}

pub fn shell(kind: HookShell) -> &'static dyn Shell {
    shell_for(kind)
}

pub fn env_name(name: &str) -> EnvName {
    EnvName::new(name).expect("test names are valid")
}

/// An idle check with every kind of fact, and paths and values that need
/// quoting, for the snapshots and the linters.
pub fn sample_idle_check() -> ssoenv::shell::IdleCheck {
    ssoenv::shell::IdleCheck {
        pwd: "/home/u/it's a $(project)".into(),
        not_files: vec!["/home/u/it's a $(project)/sub/.awssso.toml".into()],
        not_newer: vec![
            "/home/u/it's a $(project)/.awssso.toml".into(),
            "/home/u/it's a $(project)".into(),
        ],
        unchanged: vec!["/home/u/.cache/ssoenv/credentials/0123.json".into()],
        absent: vec!["/home/u/.aws/config".into()],
        stamp: "/home/u/.cache/ssoenv/idle/1796617601".into(),
        stamp_time: 1_796_617_601,
        prompt_deadline: Some(1_796_620_003),
        command_deadline: Some(1_796_619_000),
        state: Some(r#"{"v":1,"key":"1f4815983f07"}"#.into()),
        vars: vec![
            (
                env_name("AWS_ACCESS_KEY_ID"),
                Some("ASIAENQYB89SSV03RONI".into()),
            ),
            (env_name("SSOENV_USE"), None),
            (env_name("SSOENV_LOG"), None),
            (env_name("XDG_CONFIG_HOME"), Some(String::new())),
        ],
        agent_pid: Some(4242),
        exe: Some((
            FAKE_EXE.into(),
            "/home/u/.cache/ssoenv/idle/exe-1796617514.956432468".into(),
        )),
    }
}

/// A required external program: `None` with a skip line locally, a panic under CI.
pub fn tool(name: &str) -> Option<PathBuf> {
    sso_emulator::harness::require_tool(name)
}

/// Runs `command` with no stdin and returns its output, panicking if it cannot start.
pub fn output(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"))
}

/// Like [`output`], feeding `input` on stdin.
pub fn output_with_stdin(command: &mut Command, input: &str) -> Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"));
    // Written from a thread: a large input must not block while the child
    // fills its stdout pipe.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("child runs to the end");
    writer.join().expect("stdin writer");
    output
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a run succeeded quietly, showing both streams when it did not.
pub fn assert_quiet_success(what: &str, output: &Output) {
    assert!(
        output.status.success() && output.stdout.is_empty() && output.stderr.is_empty(),
        "{what}: {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// A stand-in for the ssoenv binary, at a path with a space and a quote in it.
///
/// `export <shell>` prints code that sets `SSOENV_FAKE` to a value needing
/// quoting (`it's set`), writes one line to stderr and fails, so tests see
/// that the code is evaluated, that stderr reaches the user and that the
/// failure does not replace the user's `$?`. The line is
/// `ssoenv: fake warning`, or `ssoenv: fake pre-command call` for the call
/// with `--before-command`.
pub fn fake_ssoenv(dir: &Path) -> PathBuf {
    let bin = dir.join("ssoenv bin").join("it's");
    fs::create_dir_all(&bin).expect("create fake bin dir");
    let exe = bin.join("ssoenv");
    let name = env_name("SSOENV_FAKE");
    let mut script = String::from("#!/bin/sh\ncase \"$2\" in\n");
    for kind in ALL {
        let mut code = String::new();
        shell(kind).set(&mut code, &name, "it's set");
        // Single-quoted for sh; none of the generated code contains a newline.
        let code = code.trim_end().replace('\'', r"'\''");
        script.push_str(&format!("{}) printf '%s\\n' '{code}' ;;\n", name_of(kind)));
    }
    script.push_str(
        "esac\nif [ \"$3\" = --before-command ]; then echo 'ssoenv: fake pre-command call' >&2; \
         else echo 'ssoenv: fake warning' >&2; fi\nexit 1\n",
    );
    fs::write(&exe, script).expect("write fake ssoenv");
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).expect("chmod fake ssoenv");
    exe
}

/// A stand-in for ssoenv that prints the file named by
/// `SSOENV_TEST_STATEMENTS`, whatever it is asked: the hook of a shell that
/// applies data (xonsh, Nushell) then gets exactly the statements a test
/// wrote. Returns the hook for `kind` calling it, written to `dir/name`,
/// and the stand-in.
pub fn hook_applying_statement_files(
    dir: &Path,
    kind: HookShell,
    name: &str,
) -> (PathBuf, PathBuf) {
    let exe = dir.join("prints-statements");
    fs::write(&exe, "#!/bin/sh\nexec cat -- \"$SSOENV_TEST_STATEMENTS\"\n")
        .expect("write the stand-in");
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).expect("chmod the stand-in");
    let hook = dir.join(name);
    fs::write(
        &hook,
        shell(kind).hook(exe.to_str().expect("UTF-8 temporary path")),
    )
    .expect("write the hook");
    (hook, exe)
}
