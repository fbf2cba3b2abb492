//! The idle prompt starts no process: in a loaded project, real bash, zsh,
//! fish and Nushell (under tmux, with the real hook) decide with their own
//! builtins that nothing changed, and start ssoenv only when something did.
//!
//! The shell runs under `strace -f`, which sees every process and program
//! it starts. Each test first proves the tracer sees one when the shell
//! does start a program.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use support::interactive::{Interactive, Kind, quoted};
use support::process_trace::ProcessTrace;
use support::{Sandbox, stderr};

fn logged_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox
}

fn key(env: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    env.get("AWS_ACCESS_KEY_ID")
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

/// A command line that does nothing, with the shell's own means (in xonsh
/// a Python statement: `:` would be a program to look for).
fn nothing_line(kind: Kind) -> &'static str {
    match kind {
        Kind::Xonsh => "pass",
        Kind::Nu => "null",
        _ => ":",
    }
}

/// Runs [`nothing_line`] and waits for the next prompt; its marker file is
/// written with the shell's own means too.
fn run_nothing(shell: &mut Interactive) {
    match shell.kind() {
        kind @ (Kind::Xonsh | Kind::Nu) => shell.run_code(nothing_line(kind)),
        kind => shell.run(nothing_line(kind)),
    }
}

/// Runs a line that appends the shell's `AWS_ACCESS_KEY_ID` (empty when
/// unset) to `file`, with builtins only.
fn record_key(shell: &mut Interactive, file: &Path) {
    match shell.kind() {
        Kind::Xonsh => shell.run_code(&format!(
            "open({}, 'a').write(__xonsh__.env.get('AWS_ACCESS_KEY_ID', '') + '\\n')",
            quoted(file)
        )),
        Kind::Nu => shell.run_code(&format!(
            "$\"($env.AWS_ACCESS_KEY_ID? | default '')\\n\" | save --append {}",
            quoted(file)
        )),
        _ => shell.run(&format!(
            "printf '%s\\n' \"$AWS_ACCESS_KEY_ID\" >> {}",
            quoted(file)
        )),
    }
}

/// Runs `ssoenv …` through the hook's wrapper (a function in most shells, a
/// custom command in Nushell, where `run` would start `^ssoenv`).
fn run_ssoenv(shell: &mut Interactive, args: &str) {
    let line = format!("ssoenv {args}");
    match shell.kind() {
        Kind::Nu => shell.run_code(&line),
        _ => shell.run(&line),
    }
}

/// Runs idle command lines until one starts no process: the decision that
/// loaded the project wrote files in the seconds the stamp covers, and the
/// first prompts after it ask ssoenv again, which then finds nothing
/// changed and gives the shell a new check.
fn settle(shell: &mut Interactive) {
    let give_up = Instant::now() + Duration::from_secs(30);
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let trace = ProcessTrace::attach(shell.shell_pid()).expect("strace");
        run_nothing(shell);
        if trace.stop().execs.is_empty() {
            return;
        }
        assert!(Instant::now() < give_up, "the idle check never settled");
    }
}

/// Sets the file's modification time to the whole second `at`.
fn set_mtime(path: &Path, at: SystemTime) {
    let secs = at.duration_since(UNIX_EPOCH).unwrap().as_secs();
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

/// Thirty command lines of a builtin start no process and no program. Then
/// every change the decision rests on still shows at the very next prompt:
/// an edit of `.awssso.toml` in the same second as the last prompt,
/// `ssoenv deny`, leaving and entering the project.
fn idle_lines_start_nothing_and_changes_still_show(kind: Kind) {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("app", "AdministratorAccess", "region = \"eu-west-1\"\n");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &project, &[]) else {
        return;
    };
    let loaded = key(&shell.env()).expect("the project's credentials are loaded");
    settle(&mut shell);

    // The tracer sees a program the shell runs: the count below can fail.
    let trace = ProcessTrace::attach(shell.shell_pid()).expect("strace");
    shell.run("/bin/true");
    let seen = trace.stop();
    assert!(
        !seen.execs.is_empty() && !seen.starts.is_empty(),
        "strace saw no process for /bin/true: {seen:?}"
    );

    let trace = ProcessTrace::attach(shell.shell_pid()).expect("strace");
    for _ in 0..30 {
        let shown = shell.prompt_count();
        shell.send_line(nothing_line(kind));
        shell.wait_for_prompt(shown);
    }
    let idle = trace.stop();
    assert!(
        idle.starts.is_empty() && idle.execs.is_empty(),
        "{}: 30 idle lines started processes: {idle:?}",
        kind.name()
    );
    let env = shell.env();
    assert_eq!(key(&env).as_deref(), Some(loaded.as_str()), "still loaded");

    // An edit in the same second as the last prompt, re-allowed: the new
    // region shows at the next prompt.
    run_nothing(&mut shell);
    let prompt_second = SystemTime::now();
    let file = project.join(".awssso.toml");
    let edited = fs::read_to_string(&file)
        .unwrap()
        .replace("eu-west-1", "ap-south-1");
    fs::write(&file, edited).unwrap();
    let allow = sandbox.ssoenv(&project, &["allow"]);
    assert!(allow.status.success(), "allow: {}", stderr(&allow));
    set_mtime(&file, prompt_second);
    run_nothing(&mut shell);
    let env = shell.env();
    assert_eq!(
        env.get("AWS_REGION").map(Vec::as_slice),
        Some(&b"ap-south-1"[..]),
        "{}: the edit shows at the next prompt",
        kind.name()
    );

    // `ssoenv deny` unloads at the next prompt.
    assert!(key(&env).is_some(), "loaded before the deny");
    run_ssoenv(&mut shell, "deny");
    assert_eq!(key(&shell.env()), None, "{}: deny unloads", kind.name());

    // Allowed again: loaded; leaving unloads, entering loads.
    run_ssoenv(&mut shell, "allow");
    assert!(key(&shell.env()).is_some(), "{}: allow loads", kind.name());
    shell.run(&format!("cd {}", quoted(&sandbox.home())));
    assert_eq!(key(&shell.env()), None, "{}: leaving unloads", kind.name());
    shell.run(&format!("cd {}", quoted(&project)));
    assert!(
        key(&shell.env()).is_some(),
        "{}: entering loads",
        kind.name()
    );
}

/// Endpoint mode: the check looks for the agent with the shell's own means,
/// and idle lines start nothing there either.
fn endpoint_mode_idle_lines_start_nothing(kind: Kind) {
    let sandbox = logged_in();
    let project =
        sandbox.allowed_project("app", "AdministratorAccess", "credentials = \"endpoint\"\n");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &project, &[]) else {
        return;
    };
    let env = shell.env();
    assert!(
        env.contains_key("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        "{}: endpoint mode is on",
        kind.name()
    );
    assert!(sandbox.agent_record().is_some(), "the agent runs");
    settle(&mut shell);
    let trace = ProcessTrace::attach(shell.shell_pid()).expect("strace");
    for _ in 0..10 {
        let shown = shell.prompt_count();
        shell.send_line(nothing_line(kind));
        shell.wait_for_prompt(shown);
    }
    let idle = trace.stop();
    assert!(
        idle.starts.is_empty() && idle.execs.is_empty(),
        "{}: 10 idle lines in endpoint mode started processes: {idle:?}",
        kind.name()
    );
}

/// 60-second credentials and a command line every 3 s for 75 s: the key is
/// renewed and never missing, and ssoenv starts a handful of times, not
/// twice per line (52 times). Measured: 9 to 12; each renewal costs about
/// three (the call that starts it in the background, the prompt that loads
/// its result, one more in the stamp's two seconds), and so does the load.
fn renews_with_a_handful_of_starts(kind: Kind) {
    let sandbox = logged_in();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(60));
    let project = sandbox.allowed_project("app", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &project, &[]) else {
        return;
    };
    assert!(key(&shell.env()).is_some(), "loaded");
    let keys = shell.scratch_file("keys");

    let trace = ProcessTrace::attach(shell.shell_pid()).expect("strace");
    let started = Instant::now();
    let mut lines = 0;
    while started.elapsed() < Duration::from_secs(75) {
        let next = started + Duration::from_secs(3 * lines);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        record_key(&mut shell, &keys);
        lines += 1;
    }
    let seen = trace.stop();

    let written = fs::read_to_string(&keys).unwrap();
    let recorded: Vec<&str> = written.lines().collect();
    assert_eq!(recorded.len() as u64, lines, "one key per line");
    assert!(
        recorded.iter().all(|key| !key.is_empty()),
        "{}: a line ran without a key: {recorded:?}",
        kind.name()
    );
    let mut distinct = recorded.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 2,
        "{}: never renewed in 75 s: {distinct:?}",
        kind.name()
    );
    let starts = seen.runs_of("ssoenv");
    eprintln!(
        "{}: {lines} lines, {} keys, ssoenv started {starts} times",
        kind.name(),
        distinct.len()
    );
    assert!(
        (1..=16).contains(&starts),
        "{}: ssoenv started {starts} times for {lines} lines (twice per line would be {})",
        kind.name(),
        2 * lines
    );
}

macro_rules! shells {
    ($($shell:ident => $kind:expr),* $(,)?) => {$(
        mod $shell {
            use super::*;

            #[test]
            fn idle_lines_start_nothing_and_changes_still_show() {
                super::idle_lines_start_nothing_and_changes_still_show($kind);
            }

            #[test]
            fn endpoint_mode_idle_lines_start_nothing() {
                super::endpoint_mode_idle_lines_start_nothing($kind);
            }

            #[test]
            fn renews_with_a_handful_of_starts() {
                super::renews_with_a_handful_of_starts($kind);
            }
        }
    )*};
}

shells! {
    bash => Kind::Bash,
    zsh => Kind::Zsh,
    fish => Kind::Fish,
    xonsh => Kind::Xonsh,
    nu => Kind::Nu,
}

/// tcsh and Elvish (0.19, as Debian ships it) have no clock builtin, which
/// the deadlines need (tcsh reads a file's time with `filetest -M`, but
/// has no time of day outside its prompt string; Elvish's `time` times a
/// function, and it has no `stat` either), so they keep running ssoenv at
/// each prompt: the count each reaches, and that it is ssoenv and nothing
/// else.
fn starts_only_ssoenv_per_idle_line(kind: Kind, per_line: usize) {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("app", "AdministratorAccess", "");
    let Some(mut shell) = Interactive::start(&sandbox, kind, &project, &[]) else {
        return;
    };
    assert!(key(&shell.env()).is_some(), "loaded");
    std::thread::sleep(Duration::from_secs(3));
    run_nothing(&mut shell);
    let trace = ProcessTrace::attach(shell.shell_pid()).expect("strace");
    for _ in 0..10 {
        let shown = shell.prompt_count();
        shell.send_line(nothing_line(kind));
        shell.wait_for_prompt(shown);
    }
    let seen = trace.stop();
    let ssoenv = seen.runs_of("ssoenv");
    eprintln!(
        "{}: 10 idle lines: {} programs, {} processes, {ssoenv} of them ssoenv",
        kind.name(),
        seen.execs.len(),
        seen.starts.len()
    );
    assert_eq!(ssoenv, 10 * per_line, "{}: {seen:?}", kind.name());
    // Besides ssoenv, only the test's own prompt counter (tcsh has no
    // `printf` builtin).
    let others: Vec<&String> = seen
        .execs
        .iter()
        .filter(|line| !line.contains("/ssoenv\"") && !line.contains("\"printf\", \"x\""))
        .collect();
    assert!(others.is_empty(), "{}: {others:?}", kind.name());
}

#[test]
fn tcsh_starts_ssoenv_once_per_idle_line() {
    starts_only_ssoenv_per_idle_line(Kind::Tcsh, 1);
}

/// Elvish runs it twice: before the prompt and before the command line.
#[test]
fn elvish_starts_ssoenv_twice_per_idle_line() {
    starts_only_ssoenv_per_idle_line(Kind::Elvish, 2);
}
