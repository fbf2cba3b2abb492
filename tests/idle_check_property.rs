//! The idle check is never wrong: over random sequences of `cd`, edits of
//! `.awssso.toml`, allow and deny, writes and removals of the credential
//! cache, settings changed in the shell and the clock moving on, whenever
//! the shell's own check says "nothing changed", a full evaluation
//! (`ssoenv-core export`, which has no shortcut) agrees: it would change
//! no variable the user has (its own bookkeeping in `SSOENV_STATE` aside).
//!
//! One real bash per case runs the sequence; the check and the full
//! evaluation are compared inside it, at each prompt and before each
//! command line.

mod support;

use std::cell::Cell;
use std::fmt::Write as _;
use std::fs;
use std::process::Command;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError, TestRunner};
use support::interactive::quoted;
use support::{Sandbox, harness};

/// What happens between two prompts.
#[derive(Debug, Clone)]
enum Step {
    /// Into one of the places (see [`PLACES`]).
    Cd(usize),
    /// The region of a project's file changes; allowed again or not.
    Edit {
        project: usize,
        allow: bool,
    },
    /// The same contents written again: a new time, nothing else.
    Rewrite(usize),
    Allow(usize),
    Deny(usize),
    /// Another process renews: the credential cache is written again.
    TouchCache,
    /// A logout elsewhere: the credential cache is gone.
    RemoveCache,
    /// A setting changes in the shell.
    SetLog(bool),
    /// The user replaces or unsets the key by hand.
    ReplaceKey,
    UnsetKey,
    /// The clock moves on.
    Sleep(u64),
}

/// Two projects, a directory inside the first, and a place outside both.
const PLACES: [&str; 4] = ["one", "one/sub", "two", "elsewhere"];
const PROJECTS: [&str; 2] = ["one", "two"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..PLACES.len()).prop_map(Step::Cd),
        2 => (0..PROJECTS.len(), any::<bool>()).prop_map(|(project, allow)| Step::Edit { project, allow }),
        1 => (0..PROJECTS.len()).prop_map(Step::Rewrite),
        1 => (0..PROJECTS.len()).prop_map(Step::Allow),
        1 => (0..PROJECTS.len()).prop_map(Step::Deny),
        1 => Just(Step::TouchCache),
        1 => Just(Step::RemoveCache),
        1 => any::<bool>().prop_map(Step::SetLog),
        1 => Just(Step::ReplaceKey),
        1 => Just(Step::UnsetKey),
        3 => (1..=3u64).prop_map(Step::Sleep),
    ]
}

/// The bash code of one step; `edits` numbers the regions written.
fn code(step: &Step, sandbox: &Sandbox, edits: &mut u32) -> String {
    let home = sandbox.home();
    let project = |i: usize| quoted(&home.join(PROJECTS[i]));
    let cache = quoted(&sandbox.credential_cache_dir());
    match step {
        Step::Cd(i) => format!("cd {}", quoted(&home.join(PLACES[*i]))),
        Step::Edit { project: i, allow } => {
            *edits += 1;
            let file = format!("{}/.awssso.toml", project(*i));
            let region = format!("eu-west-{}", *edits % 3 + 1);
            let mut code = format!("sed -i 's/^region = .*/region = \"{region}\"/' {file}");
            if *allow {
                write!(code, "; ssoenv allow {} 2>/dev/null", project(*i)).unwrap();
            }
            code
        }
        Step::Rewrite(i) => {
            let file = format!("{}/.awssso.toml", project(*i));
            format!("cp {file} {file}.new && cat {file}.new > {file} && rm {file}.new")
        }
        Step::Allow(i) => format!("ssoenv allow {} 2>/dev/null", project(*i)),
        Step::Deny(i) => format!("ssoenv deny {} 2>/dev/null", project(*i)),
        Step::TouchCache => format!("touch {cache}/*.json 2>/dev/null; true"),
        Step::RemoveCache => format!("rm -f {cache}/*.json"),
        Step::SetLog(true) => "export SSOENV_LOG=warn".to_owned(),
        Step::SetLog(false) => "unset SSOENV_LOG".to_owned(),
        Step::ReplaceKey => "export AWS_ACCESS_KEY_ID=ASIAREPLACEDBYHAND00".to_owned(),
        Step::UnsetKey => "unset AWS_ACCESS_KEY_ID".to_owned(),
        Step::Sleep(seconds) => format!("sleep {seconds}"),
    }
}

/// At a prompt (`prompt`) or before a command line (`command`): when the
/// check holds, the full evaluation must change no variable; either way the
/// shell then does what the hook does.
const MOMENT: &str = r#"
moment() { # moment prompt|command STEP
	local flag=
	[[ $1 == command ]] && flag=--before-command
	# A renewal an earlier prompt started in the background changes the
	# cache at a moment of its own: let it end first, so that the check and
	# the full evaluation below look at the same world.
	while ps -eo args= | grep -F -e "__renew""-ahead" | grep -qF -e "$HOME"; do sleep 0.05; done
	if _ssoenv_unchanged "$1"; then
		skips=$((skips + 1))
		local full
		# What it would change for the user: its own bookkeeping aside
		# (a renewal's planned second can come out one apart), and the
		# new idle check.
		full=$("$SSOENV_CORE" export bash $flag 2>/dev/null |
			sed -e '/^_ssoenv_unchanged() {$/,/^}$/d' -e '/^\\builtin export SSOENV_STATE=/d')
		if [[ -n $full ]]; then
			printf 'WRONG SKIP (%s after step %s, at %s): the full evaluation prints:\n%s\nwhere the shell has SSOENV_STATE=%s\n' "$1" "$2" "${EPOCHSECONDS}" "$full" "${SSOENV_STATE-}"
			exit 1
		fi
	else
		execs=$((execs + 1))
		eval "$(ssoenv export bash $flag 2>/dev/null)"
	fi
}
"#;

fn run_case(steps: &[Step]) -> Result<(u32, u32), String> {
    let Some(bash) = harness::require_tool("bash") else {
        return Ok((1, 0));
    };
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    // Short credentials: a renewal comes due within a case.
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(20));
    for name in PROJECTS {
        sandbox.allowed_project(name, "AdministratorAccess", "region = \"eu-west-1\"\n");
    }
    fs::create_dir_all(sandbox.home().join("one/sub")).unwrap();
    fs::create_dir_all(sandbox.home().join("elsewhere")).unwrap();

    let exe = env!("CARGO_BIN_EXE_ssoenv");
    let hook = sandbox.ssoenv(&sandbox.home(), &["hook", "bash"]);
    assert!(hook.status.success(), "ssoenv hook bash");
    let dir = tempfile::tempdir().unwrap();
    let hook_file = dir.path().join("hook.bash");
    fs::write(&hook_file, &hook.stdout).unwrap();

    let mut script = format!(
        "export PWD\nsource {}\nskips=0 execs=0\n{MOMENT}\ncd {}\nmoment prompt start\n\
         sleep 3\nmoment prompt settled\n",
        quoted(&hook_file),
        quoted(&sandbox.home().join("one"))
    );
    let mut edits = 0;
    for (n, step) in steps.iter().enumerate() {
        writeln!(script, "{}", code(step, &sandbox, &mut edits)).unwrap();
        writeln!(script, "moment prompt {n}\nmoment command {n}").unwrap();
    }
    script.push_str("echo \"counts $skips $execs\"\n");

    let mut command = Command::new(bash);
    sandbox.apply_env(&mut command);
    let path = format!(
        "{}:{}",
        std::path::Path::new(exe).parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    command
        .env("PATH", path)
        .env("SSOENV_CORE", env!("CARGO_BIN_EXE_ssoenv-core"))
        .current_dir(sandbox.home())
        .args(["--norc", "--noprofile", "-c", &script]);
    let out = command.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let counts = stdout
        .lines()
        .find_map(|line| line.strip_prefix("counts "))
        .ok_or_else(|| format!("no counts: {stdout}"))?;
    let mut numbers = counts.split(' ').map(|n| n.parse::<u32>().unwrap());
    Ok((numbers.next().unwrap(), numbers.next().unwrap()))
}

#[test]
fn the_shell_skips_only_when_a_full_evaluation_changes_nothing() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 10,
        // Each case takes seconds: a short shrink, then the failure.
        max_shrink_iters: 8,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/idle_check.txt",
        ))),
        ..ProptestConfig::default()
    });
    let (skips, execs) = (Cell::new(0), Cell::new(0));
    let result = runner.run(&proptest::collection::vec(step(), 4..12), |steps| {
        let (skipped, executed) = run_case(&steps)
            .map_err(|why| TestCaseError::fail(format!("{why}\nsteps: {steps:?}")))?;
        skips.set(skips.get() + skipped);
        execs.set(execs.get() + executed);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    eprintln!(
        "the check held {} times and failed {} times",
        skips.get(),
        execs.get()
    );
    // The check must have held, and failed, often enough to prove anything.
    assert!(skips.get() >= 10 && execs.get() >= 10);
}
