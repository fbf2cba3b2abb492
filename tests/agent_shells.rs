//! Endpoint mode from real interactive shells under tmux: programs started
//! at the prompt (no `ssoenv exec`) renew by themselves through the agent —
//! boto3 in bash, zsh and fish, and the Rust SDK's default chain — for much
//! longer than a credential lifetime; leaving gives back all the user's
//! values; a `kill -9` of the agent is mended by the next prompt.
//!
//! One test runs the four shells at once, each in a sandbox of its own: the
//! runs wait out several credential lifetimes, and in parallel they cost the
//! suite one such wait instead of four.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::interactive::{Interactive, Kind, quoted};
use support::{Sandbox, harness};

const LIFETIME: Duration = Duration::from_secs(20);
const RUN: Duration = Duration::from_secs(70);

/// The Rust SDK child: this test binary runs itself from the shell, in
/// [`sdk_chain_probe`], which does nothing unless this variable names a file.
const PROBE_OUT: &str = "SSOENV_TEST_SDK_PROBE_OUT";

/// The user's own values before entering the project, hostile on purpose.
const PREVIOUS: [(&str, &[u8]); 6] = [
    (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        b"http://169.254.170.2/v2/creds?x='1'&y=\"2\"",
    ),
    (
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        b"/run/it's $HOME/`tok`\nen",
    ),
    ("AWS_REGION", b"eu-north-1 \\ ;"),
    ("AWS_DEFAULT_REGION", b"\xc3\xa9t\xc3\xa9 %s $(true)"),
    ("AWS_CREDENTIAL_EXPIRATION", b"2000-01-01T00:00:00Z\r\n"),
    ("AWS_ACCESS_KEY_ID", b"AKIAUSERSOWNKEY!"),
];

#[derive(Clone, Copy, Debug)]
enum Program {
    Boto3,
    RustSdk,
}

#[test]
fn sdks_started_at_the_prompt_renew_through_the_agent() {
    let Some(python) = harness::python() else {
        return;
    };
    let Some(aws) = support::aws_cli() else {
        return;
    };
    let runs = [
        (Kind::Bash, Program::Boto3),
        (Kind::Zsh, Program::Boto3),
        (Kind::Fish, Program::Boto3),
        (Kind::Bash, Program::RustSdk),
    ];
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|&(kind, program)| {
                let (python, aws) = (&python, &aws);
                scope.spawn(move || one_shell(kind, program, python, aws))
            })
            .collect();
        let failures: Vec<String> = handles
            .into_iter()
            .zip(runs)
            .filter_map(|(handle, run)| {
                handle.join().err().map(|panic| {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    format!("{run:?}: {why}")
                })
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    });
}

fn one_shell(kind: Kind, program: Program, python: &Path, aws: &Path) {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_credential_lifetime(LIFETIME);
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project(
        "work/app",
        "AdministratorAccess",
        "region = \"eu-west-1\"\ncredentials = \"endpoint\"\n",
    );
    let home = sandbox.home();
    let Some(mut shell) = Interactive::start(&sandbox, kind, &home, &[]) else {
        return;
    };
    for (name, value) in PREVIOUS {
        shell.export_from_file(name, value);
    }
    let before = shell.env();
    for (name, value) in PREVIOUS {
        assert_eq!(
            before.get(name).map(Vec::as_slice),
            Some(value),
            "{name} set up"
        );
    }

    shell.run(&format!("cd {}", quoted(&project)));
    let inside = shell.env();
    let uri = text(&inside, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let (_, port) = sandbox
        .agent_record()
        .expect("the prompt started the agent");
    assert!(
        uri.starts_with(&format!("http://127.0.0.1:{port}/")),
        "{uri}"
    );
    assert_eq!(
        text(&inside, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
        sandbox.agent_dir().join("token").display().to_string()
    );
    assert_eq!(text(&inside, "AWS_REGION"), "eu-west-1");
    assert!(
        !inside.contains_key("AWS_ACCESS_KEY_ID"),
        "static key hidden"
    );
    let listed =
        String::from_utf8(shell.output_of(&format!("{} configure list", quoted(aws)))).unwrap();
    assert!(
        listed
            .lines()
            .any(|l| l.contains("access_key") && l.contains("container-role")),
        "{listed}"
    );

    let keys = run_program(&mut shell, program, python, RUN);
    assert!(
        keys.len() >= 3,
        "{kind:?}/{program:?}: only {keys:?} over {RUN:?}"
    );

    // Leaving gives back every value byte for byte.
    shell.run(&format!("cd {}", quoted(&home)));
    let outside = shell.env();
    for (name, value) in PREVIOUS {
        assert_eq!(
            outside.get(name).map(Vec::as_slice),
            Some(value),
            "{name} given back"
        );
    }
    assert!(!outside.contains_key("AWS_SECRET_ACCESS_KEY"));

    // kill -9 of the agent; the next prompt starts another and re-points.
    shell.run(&format!("cd {}", quoted(&project)));
    let (old_pid, _) = sandbox.agent_record().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-9", &old_pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let gone = || !support::process_alive(old_pid);
    shell.wait_until("the agent to die", gone);
    shell.run("true");
    let (new_pid, new_port) = sandbox.agent_record().expect("a new agent");
    assert_ne!(new_pid, old_pid);
    let repointed = shell.env();
    let uri = text(&repointed, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    assert!(
        uri.starts_with(&format!("http://127.0.0.1:{new_port}/")),
        "{uri}"
    );
    let keys = run_program(&mut shell, program, python, Duration::from_secs(5));
    assert!(!keys.is_empty());
}

/// Runs `program` at the prompt for `run` and returns the keys it saw, after
/// checking it saw only valid credentials through the endpoint.
fn run_program(
    shell: &mut Interactive,
    program: Program,
    python: &Path,
    run: Duration,
) -> BTreeSet<String> {
    let report = shell.scratch_file("report");
    let command = match program {
        Program::Boto3 => format!(
            "{} {} {} > {} 2>&1",
            quoted(python),
            quoted(&harness::workspace_root().join("tests/interop/exec_rotating_credentials.py")),
            run.as_secs(),
            quoted(&report)
        ),
        Program::RustSdk => {
            let assign = match shell.kind() {
                Kind::Fish => format!("env {PROBE_OUT}={}", quoted(&report)),
                _ => format!("{PROBE_OUT}={}", quoted(&report)),
            };
            format!(
                "{assign} SSOENV_TEST_PROBE_SECONDS={} {} --exact sdk_chain_probe --nocapture --test-threads=1 > /dev/null 2>&1",
                run.as_secs(),
                quoted(&std::env::current_exe().unwrap())
            )
        }
    };
    shell.run_within(&command, run + Duration::from_secs(60));
    match program {
        // Endpoint mode keeps the expiry for prompts to show; without the keys
        // no SDK takes it for credentials.
        Program::RustSdk => support::sdk_chain_report(&report, &["AWS_CREDENTIAL_EXPIRATION"]),
        Program::Boto3 => boto3_report(&report),
    }
}

fn boto3_report(report: &Path) -> BTreeSet<String> {
    let text = fs::read_to_string(report).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(text.trim()).unwrap_or_else(|_| panic!("boto3 said: {text}"));
    assert_eq!(report["method"], "container-role", "{report}");
    let env: Vec<&str> = report["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for hidden in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        assert!(!env.contains(&hidden), "{hidden} in {env:?}");
    }
    let mut keys = BTreeSet::new();
    for seen in report["observations"].as_array().unwrap() {
        assert!(
            seen["seconds_left"].as_f64().unwrap() > 0.0,
            "expired: {seen}"
        );
        assert_eq!(seen["has_token"], true);
        keys.insert(seen["access_key"].as_str().unwrap().to_owned());
    }
    keys
}

fn text(env: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        env.get(name)
            .unwrap_or_else(|| panic!("{name} is not set"))
            .clone(),
    )
    .unwrap()
}

/// Not a test on its own: the Rust SDK child of the test above.
#[test]
fn sdk_chain_probe() {
    let Some(out) = std::env::var_os(PROBE_OUT) else {
        return;
    };
    let seconds = std::env::var("SSOENV_TEST_PROBE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(RUN.as_secs());
    support::sdk_chain_probe(&PathBuf::from(out), Duration::from_secs(seconds));
}
