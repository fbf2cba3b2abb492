//! `ssoenv exec`: the container-credential endpoint against real SDK clients
//! (boto3 and the Rust SDK's aws-config) over several short credential
//! lifetimes, the endpoint's authorization, signals, exit codes and cleanup.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sso_emulator::{Fault, Operation};
use support::{Platform, Sandbox, harness, stderr, stdout};

/// Short enough that three lifetimes fit in a test, long enough that a
/// loaded machine still sees valid credentials between renewals.
const LIFETIME: Duration = Duration::from_secs(5);

/// The child loops for longer than three lifetimes.
const RUN: Duration = Duration::from_secs(17);

const STATIC_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

// The helper's watch on the command and its cleanup, with this system's
// pidfd and with the portable twin macOS falls back on (a poll of pid and
// start time): each of these runs once with each.
support::on_both_platform_paths!(
    endpoint_answers_only_with_the_token_and_disappears_with_the_child,
    a_file_that_cannot_be_run_is_126_and_leaves_nothing_behind,
    sigint_reaches_the_child,
    sigterm_reaches_the_child,
    sighup_and_sigquit_reach_the_child,
    a_sigint_to_the_process_group_reaches_the_command_exactly_once,
    #[cfg_attr(
        not(target_os = "linux"),
        ignore = "finds ssoenv's processes through /proc"
    )]
    the_endpoint_lives_in_a_session_of_its_own_and_no_server_starts_nothing,
    kill_9_of_the_command_takes_the_endpoint_and_its_token_within_a_second,
    kill_9_of_the_helper_leaves_no_token_and_the_command_runs_on,
    ctrl_c_and_ctrl_z_at_an_interactive_bash_are_the_commands,
);

/// A signed-in sandbox with an allowed project whose role credentials live `lifetime`.
fn sandbox(lifetime: Duration) -> (Sandbox, PathBuf) {
    sandbox_on(Platform::Native, lifetime)
}

/// [`sandbox`] whose ssoenv processes use `platform`'s process watch.
fn sandbox_on(platform: Platform, lifetime: Duration) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::on(platform);
    sandbox.emulator.set_credential_lifetime(lifetime);
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project(
        "work/app",
        "AdministratorAccess",
        "region = \"eu-west-1\"\n",
    );
    (sandbox, project)
}

/// `ssoenv exec` with what the shell hook would have exported already in the
/// environment, to prove none of it reaches the child.
fn exec_command(sandbox: &Sandbox, cwd: &Path, args: &[&str]) -> Command {
    let mut command = sandbox.command(cwd);
    command
        .env("AWS_ACCESS_KEY_ID", "AKIASTALEFROMTHEHOOK")
        .env("AWS_SECRET_ACCESS_KEY", "stale-secret")
        .env("AWS_SESSION_TOKEN", "stale-token")
        .env("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z")
        .env("AWS_PROFILE", "somewhere-else")
        .env(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/x",
        )
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "inherited")
        .arg("exec")
        .args(args);
    command
}

#[test]
fn boto3_child_gets_rotating_valid_credentials_from_the_endpoint() {
    let Some(python) = harness::python() else {
        return;
    };
    let (sandbox, project) = sandbox(LIFETIME);
    let script = harness::workspace_root().join("tests/interop/exec_rotating_credentials.py");
    let out = exec_command(&sandbox, &project, &["--"])
        .arg(&python)
        .arg(&script)
        .arg(RUN.as_secs().to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["method"], "container-role", "{report}");
    let env: Vec<&str> = report["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        env,
        [
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_DEFAULT_REGION",
            "AWS_EC2_METADATA_DISABLED",
            "AWS_REGION",
        ],
        "no static credentials, no profile, no inherited container settings"
    );
    let observations = report["observations"].as_array().unwrap();
    let mut keys = BTreeSet::new();
    for seen in observations {
        let left = seen["seconds_left"].as_f64().unwrap();
        assert!(left > 0.0, "expired credentials handed out: {seen}");
        assert_eq!(seen["has_secret"], true);
        assert_eq!(seen["has_token"], true);
        keys.insert(seen["access_key"].as_str().unwrap().to_owned());
    }
    assert!(
        keys.len() >= 3,
        "only {} distinct keys over {RUN:?}: {keys:?}",
        keys.len()
    );
    assert!(!keys.contains("AKIASTALEFROMTHEHOOK"));
    assert!(sandbox.emulator.calls(Operation::GetRoleCredentials) >= 3);
}

/// The Rust SDK child: this test binary runs itself under `ssoenv exec`, in
/// [`aws_config_probe`], which does nothing unless this variable names a file.
const PROBE_OUT: &str = "SSOENV_TEST_AWS_CONFIG_PROBE_OUT";

#[test]
fn aws_config_child_gets_rotating_valid_credentials_from_the_endpoint() {
    let (sandbox, project) = sandbox(LIFETIME);
    let report = project.join("probe.json");
    let out = exec_command(&sandbox, &project, &["--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "aws_config_probe",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PROBE_OUT, &report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    let keys = support::sdk_chain_report(&report, &[]);
    assert!(
        keys.len() >= 3,
        "only {} distinct keys over {RUN:?}: {keys:?}",
        keys.len()
    );
}

/// Not a test on its own: the child of the test above.
#[test]
fn aws_config_probe() {
    if let Some(out) = std::env::var_os(PROBE_OUT) {
        support::sdk_chain_probe(Path::new(&out), RUN);
    }
}

/// A child that reports where the endpoint is, then waits for `stop` to appear.
const WAITING_CHILD: &str = r#"
printf '%s\n%s\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" > where.tmp
env > env.txt
mv where.tmp where.txt
while [ ! -e stop ]; do sleep 0.05; done
"#;

struct Running {
    child: Child,
    uri: String,
    token_file: PathBuf,
    env: String,
}

/// Starts `ssoenv exec -- sh -c WAITING_CHILD` in `project` and waits until the child has reported.
fn start_waiting_child(sandbox: &Sandbox, project: &Path, extra: &[&str]) -> Running {
    let _ = fs::remove_file(project.join("stop"));
    let _ = fs::remove_file(project.join("where.txt"));
    let mut args = extra.to_vec();
    args.extend(["--", "sh", "-c", WAITING_CHILD]);
    let child = exec_command(sandbox, project, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let report = wait_for_file(&project.join("where.txt"));
    let mut lines = report.lines();
    let uri = lines.next().unwrap().to_owned();
    let token_file = PathBuf::from(lines.next().unwrap());
    let env = fs::read_to_string(project.join("env.txt")).unwrap();
    Running {
        child,
        uri,
        token_file,
        env,
    }
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // A shell's `echo $$ > FILE` creates the file before it writes to
        // it: an empty file is one that has not been written yet.
        if let Ok(text) = fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A plain HTTP/1.1 GET, so the test depends on no HTTP client library.
fn http_get(uri: &str, path: Option<&str>, authorization: Option<&str>) -> (u16, String) {
    let rest = uri.strip_prefix("http://").expect("an http URI");
    let (host, own_path) = rest.split_once('/').unwrap();
    let path = path.map_or_else(|| format!("/{own_path}"), str::to_owned);
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let header = authorization.map_or_else(String::new, |a| format!("Authorization: {a}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{header}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn finish(running: Running, project: &Path) -> Output {
    fs::write(project.join("stop"), "").unwrap();
    running.child.wait_with_output().unwrap()
}

fn env_names(env: &str) -> BTreeSet<&str> {
    env.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
        .collect()
}

fn endpoint_answers_only_with_the_token_and_disappears_with_the_child(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let running = start_waiting_child(&sandbox, &project, &[]);
    let token = fs::read_to_string(&running.token_file).unwrap();

    // The token file: private, no trailing newline, a long random token.
    assert!(
        token.len() >= 43 && token.chars().all(|c| c.is_ascii_alphanumeric()),
        "{token:?}"
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&running.token_file), 0o600);
    let token_dir = running.token_file.parent().unwrap().to_path_buf();
    assert_eq!(mode(&token_dir), 0o700);

    // Loopback only, a random path.
    assert!(
        running.uri.starts_with("http://127.0.0.1:"),
        "{}",
        running.uri
    );

    // The child's environment: the endpoint, nothing static, nothing inherited.
    let names = env_names(&running.env);
    for var in STATIC_VARS.iter().chain(&[
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]) {
        assert!(!names.contains(var), "{var} reached the child");
    }
    assert!(running.env.contains("AWS_REGION=eu-west-1\n"));
    assert!(
        !running.env.contains(&token),
        "the token itself is not in the environment"
    );

    assert_eq!(http_get(&running.uri, None, None).0, 403, "no token");
    assert_eq!(
        http_get(&running.uri, None, Some("wrong")).0,
        403,
        "wrong token"
    );
    let longer = format!("{token}0");
    assert_eq!(
        http_get(&running.uri, None, Some(&longer)).0,
        403,
        "token with a suffix"
    );
    assert_eq!(
        http_get(&running.uri, None, Some(&token[..token.len() - 1])).0,
        403,
        "a prefix"
    );
    assert_eq!(
        http_get(&running.uri, Some("/"), None).0,
        403,
        "no token, other path"
    );
    assert_eq!(http_get(&running.uri, Some("/other"), Some(&token)).0, 404);
    let (status, body) = http_get(&running.uri, None, Some(&token));
    assert_eq!(status, 200, "{body}");
    let creds: serde_json::Value = serde_json::from_str(&body).unwrap();
    for field in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
        assert!(
            creds[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} in {body}"
        );
    }
    assert!(creds["Expiration"].as_str().unwrap().ends_with('Z'));

    let out = finish(running, &project);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!token_dir.exists(), "token directory left behind");
    assert!(!stderr(&out).contains(&token), "token in ssoenv's output");
    let host = http_host(&body_uri(&project));
    assert!(
        TcpStream::connect(host).is_err(),
        "endpoint still listening"
    );
}

/// The endpoint's URI as the child reported it.
fn body_uri(project: &Path) -> String {
    fs::read_to_string(project.join("where.txt"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned()
}

fn http_host(uri: &str) -> String {
    uri.strip_prefix("http://")
        .unwrap()
        .split_once('/')
        .unwrap()
        .0
        .to_owned()
}

#[test]
fn endpoint_serves_valid_credentials_while_renewal_fails_then_a_500_with_a_reason() {
    let (sandbox, project) = sandbox(Duration::from_secs(4));
    let running = start_waiting_child(&sandbox, &project, &[]);
    let token = fs::read_to_string(&running.token_file).unwrap();
    let (status, body) = http_get(&running.uri, None, Some(&token));
    assert_eq!(status, 200, "{body}");
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();

    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::error(400, "InvalidRequestException", "role assignment removed"),
    );
    // Due for renewal (half-way) but still valid: the same credentials.
    std::thread::sleep(Duration::from_millis(2300));
    let (status, body) = http_get(&running.uri, None, Some(&token));
    assert_eq!(status, 200, "{body}");
    let second: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(first["AccessKeyId"], second["AccessKeyId"]);

    // Expired and not renewable: a 500 whose JSON body says why.
    std::thread::sleep(Duration::from_millis(2500));
    let (status, body) = http_get(&running.uri, None, Some(&token));
    assert_eq!(status, 500, "{body}");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        error["Message"]
            .as_str()
            .unwrap()
            .contains("role assignment removed"),
        "{body}"
    );

    let out = finish(running, &project);
    assert!(out.status.success());
    let warnings = stderr(&out);
    assert_eq!(
        warnings
            .lines()
            .filter(|l| l.starts_with("ssoenv: "))
            .count(),
        2,
        "{warnings}"
    );
    assert!(warnings.contains("serving the current ones"), "{warnings}");
    assert!(
        warnings.contains("expired and cannot be renewed"),
        "{warnings}"
    );
}

#[test]
fn no_server_gives_static_variables() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let running = start_waiting_child(&sandbox, &project, &["--no-server"]);
    assert_eq!(running.uri, "", "no endpoint");
    let names = env_names(&running.env);
    for var in STATIC_VARS {
        assert!(names.contains(var), "{var} missing");
    }
    assert!(!running.env.contains("AKIASTALEFROMTHEHOOK"));
    assert!(!names.contains("AWS_PROFILE"));
    assert!(!names.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    assert!(finish(running, &project).status.success());
}

#[test]
fn exit_codes_propagate() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let run = |script: &str| {
        exec_command(&sandbox, &project, &["--", "sh", "-c", script])
            .output()
            .unwrap()
    };
    assert_eq!(run("exit 0").status.code(), Some(0));
    assert_eq!(run("exit 7").status.code(), Some(7));
    // Death by a signal is the command's own, not an exit code of ssoenv's.
    assert_eq!(run("kill -TERM $$").status.signal(), Some(15));
    assert_eq!(run("kill -KILL $$").status.signal(), Some(9));
}

#[test]
fn missing_program_is_a_clear_error_with_exit_127_and_no_network() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let out = exec_command(&sandbox, &project, &["--", "ssoenv-no-such-program", "arg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(
        stderr(&out),
        "ssoenv: ssoenv-no-such-program: command not found — check the name and your PATH\n"
    );
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 0);
}

/// Found but not runnable (no execute bit; a directory): 126 as a shell
/// gives, a line saying why, and nothing left by the helper that was already
/// serving when the exec failed.
fn a_file_that_cannot_be_run_is_126_and_leaves_nothing_behind(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let runtime_dir = sandbox.home().join("run");
    fs::create_dir_all(&runtime_dir).unwrap();
    let script = project.join("not-executable");
    fs::write(&script, "echo hi\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
    let cases = [
        (
            script.clone(),
            "permission denied — check its mode (chmod +x) and its directory's",
        ),
        (project.clone(), "it is a directory"),
    ];
    for (path, why) in &cases {
        for extra in [&[][..], &["--no-server"]] {
            let mut args = extra.to_vec();
            args.extend(["--", path.to_str().unwrap()]);
            let out = exec_command(&sandbox, &project, &args)
                .env("XDG_RUNTIME_DIR", &runtime_dir)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(126), "{extra:?}: {}", stderr(&out));
            assert_eq!(
                stderr(&out),
                format!("ssoenv: cannot run {}: {why}\n", path.display())
            );
            let left: Vec<_> = fs::read_dir(&runtime_dir).unwrap().flatten().collect();
            assert!(left.is_empty(), "{extra:?}: {left:?}");
        }
    }
    assert_eq!(
        sandbox.emulator.calls(Operation::GetRoleCredentials),
        1,
        "the credentials were fetched: each failure came at the exec"
    );

    // A path that does not exist fails before any of that.
    let missing = project.join("bin/missing");
    let out = exec_command(&sandbox, &project, &["--", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(
        stderr(&out),
        format!(
            "ssoenv: {}: no such file — check the path\n",
            missing.display()
        )
    );
}

/// A script that traps `signal`, records it and exits with `code`; it also
/// has a child of its own, as scripts do.
fn trapping_script(project: &Path, signal: &str, code: u8) -> String {
    let got = project.join(format!("got-{signal}"));
    format!(
        "trap 'echo {signal} > \"{got}\"; kill $sleeper 2>/dev/null; exit {code}' {signal}\n\
         sleep 60 & sleeper=$!\n\
         printf '%s\\n%s\\n' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \"$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\" > where.tmp\n\
         mv where.tmp where.txt\n\
         wait $sleeper\n",
        got = got.display()
    )
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn forwards(platform: Platform, signal_name: &str, code: u8) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let script = trapping_script(&project, signal_name, code);
    let child = exec_command(&sandbox, &project, &["--", "sh", "-c", &script])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let report = wait_for_file(&project.join("where.txt"));
    let token_file = PathBuf::from(report.lines().nth(1).unwrap());
    assert!(token_file.exists());
    signal(child.id(), signal_name);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(i32::from(code)), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(project.join(format!("got-{signal_name}")))
            .unwrap()
            .trim(),
        signal_name,
        "the child's trap ran"
    );
    assert!(!token_file.exists(), "token file left behind");
    assert!(
        !token_file.parent().unwrap().exists(),
        "token directory left behind"
    );
}

fn sigint_reaches_the_child(platform: Platform) {
    forwards(platform, "INT", 7);
}

fn sigterm_reaches_the_child(platform: Platform) {
    forwards(platform, "TERM", 9);
}

fn sighup_and_sigquit_reach_the_child(platform: Platform) {
    forwards(platform, "HUP", 11);
    forwards(platform, "QUIT", 12);
}

#[test]
fn min_ttl_renews_before_starting_and_warns_when_the_role_cannot_cover_it() {
    let (sandbox, project) = sandbox(Duration::from_secs(20));
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--", "true"]);
        exec_command(&sandbox, &project, &all).output().unwrap()
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    std::thread::sleep(Duration::from_secs(6));
    // About 13 s left: enough for the usual rule (renew in the last half)...
    assert!(run(&[]).status.success());
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    // ...but not for --min-ttl 16s: renewed first, and new ones (20 s) cover it.
    let out = run(&["--min-ttl", "16s"]);
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 2);
    // An hour cannot be had from 20 s credentials: one warning, and it still runs.
    let out = run(&["--min-ttl", "1h"]);
    assert!(out.status.success());
    let warning = stderr(&out);
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(warning.contains("less than --min-ttl 1h"), "{warning}");
}

// ----- exec is exec: one process, its own signals, nothing left behind ----------

/// Counts the SIGINTs it gets. It reports its pid in `<out>.pid` when ready;
/// one second after the first SIGINT (time for a second copy to arrive) it
/// asks the credential endpoint once more and writes `<count> <status>` to
/// `<out>` (status 0 with `--no-server`), then exits 0.
const SIGINT_COUNTER: &str = r#"
import os, signal, sys, time, urllib.request
out = sys.argv[1]
count = 0
def on_int(signum, frame):
    global count
    count += 1
signal.signal(signal.SIGINT, on_int)
with open(out + ".pid.tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(out + ".pid.tmp", out + ".pid")
deadline = time.monotonic() + 60
while count == 0 and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(1.0)
status = 0
uri = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
if uri:
    token = open(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]).read()
    request = urllib.request.Request(uri, headers={"Authorization": token})
    status = urllib.request.urlopen(request, timeout=10).status
with open(out + ".tmp", "w") as f:
    f.write(f"{count} {status}")
os.rename(out + ".tmp", out)
"#;

/// `ssoenv exec -- python3 SIGINT_COUNTER` started in a process group of its
/// own, as a CI runner or `timeout` starts a job; returns it once the counter
/// is ready, with the file it will write its count to.
fn start_sigint_counter(sandbox: &Sandbox, project: &Path, name: &str) -> Option<(Child, PathBuf)> {
    use std::os::unix::process::CommandExt;
    let python = harness::python()?;
    let out = project.join(name);
    let child = exec_command(sandbox, project, &["--"])
        .arg(&python)
        .args(["-c", SIGINT_COUNTER])
        .arg(&out)
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = wait_for_file(&out.with_extension("pid"));
    assert_eq!(
        pid,
        child.id().to_string(),
        "the command runs as the process the caller started"
    );
    Some((child, out))
}

fn kill(target: &str, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {target}");
}

/// Waits for the counter's report: the SIGINTs it got and the endpoint's answer.
fn counted(child: Child, out: &Path) -> String {
    let result = child.wait_with_output().unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    fs::read_to_string(out).unwrap()
}

fn a_sigint_to_the_process_group_reaches_the_command_exactly_once(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    // The counter counts: two signals to its pid, 0.3 s apart, are two.
    let Some((child, out)) = start_sigint_counter(&sandbox, &project, "twice") else {
        return;
    };
    kill(&child.id().to_string(), "INT");
    std::thread::sleep(Duration::from_millis(300));
    kill(&child.id().to_string(), "INT");
    assert_eq!(counted(child, &out), "2 200");

    // One to the pid: one. The endpoint still answers afterwards.
    let (child, out) = start_sigint_counter(&sandbox, &project, "pid").unwrap();
    kill(&child.id().to_string(), "INT");
    assert_eq!(counted(child, &out), "1 200");

    // One to the whole group (`kill -INT -PGID`): still one, and the
    // endpoint, in a session of its own, is not touched.
    let (child, out) = start_sigint_counter(&sandbox, &project, "group").unwrap();
    kill(&format!("-{}", child.id()), "INT");
    assert_eq!(counted(child, &out), "1 200");
}

#[test]
fn the_command_has_the_pid_the_caller_started() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    for extra in [&[][..], &["--no-server"]] {
        let mut args = extra.to_vec();
        args.extend(["--", "sh", "-c", "echo $$"]);
        let child = exec_command(&sandbox, &project, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), pid.to_string(), "{extra:?}");
    }
}

/// Processes of the full ssoenv program whose environment has this sandbox's HOME.
fn ssoenv_processes_of(sandbox: &Sandbox) -> Vec<u32> {
    let mut home = b"HOME=".to_vec();
    home.extend_from_slice(sandbox.home().as_os_str().as_encoded_bytes());
    home.push(0);
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let is_ssoenv = fs::read_link(entry.path().join("exe"))
            .is_ok_and(|exe| exe.file_name().is_some_and(|name| name == "ssoenv-core"));
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        if is_ssoenv && environ.windows(home.len()).any(|w| w == home.as_slice()) {
            found.push(pid);
        }
    }
    found
}

/// `(ppid, pgid, sid)` of a process, from `/proc/PID/stat`.
fn parent_group_session(pid: u32) -> (u32, u32, u32) {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<u32> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .skip(1)
        .take(3)
        .map(|f| f.parse().unwrap())
        .collect();
    (fields[0], fields[1], fields[2])
}

/// The helper's pid, from its token directory's name (`ssoenv-exec-PID-…`).
fn helper_pid(token_file: &Path) -> u32 {
    let dir = token_file.parent().unwrap().file_name().unwrap();
    dir.to_str()
        .unwrap()
        .strip_prefix("ssoenv-exec-")
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {dir:?}"))
}

fn the_endpoint_lives_in_a_session_of_its_own_and_no_server_starts_nothing(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let running = start_waiting_child(&sandbox, &project, &[]);
    let command = running.child.id();
    let helper = helper_pid(&running.token_file);
    let mut others = ssoenv_processes_of(&sandbox);
    others.sort_unstable();
    // The helper and its cleaner; the command itself is `sh`, not ssoenv.
    assert_eq!(others.len(), 2, "{others:?}");
    assert!(others.contains(&helper), "{others:?} lacks {helper}");
    assert!(!others.contains(&command));
    for pid in others {
        let (parent, group, session) = parent_group_session(pid);
        let (_, command_group, command_session) = parent_group_session(command);
        assert_ne!(
            parent, command,
            "the command has no child of ours to wait for"
        );
        assert_ne!(group, command_group);
        assert_ne!(session, command_session, "no terminal signal reaches it");
    }
    assert!(finish(running, &project).status.success());

    let running = start_waiting_child(&sandbox, &project, &["--no-server"]);
    assert_eq!(
        ssoenv_processes_of(&sandbox),
        Vec::<u32>::new(),
        "--no-server is a plain exec"
    );
    assert!(finish(running, &project).status.success());
}

/// The twin suite proves something only if forcing the twins changes what
/// runs: the native helper holds a pidfd on the command, the portable one
/// none (it polls the command's pid and start time).
#[cfg(target_os = "linux")]
#[test]
fn forcing_the_portable_twins_swaps_the_helper_s_watch() {
    for (platform, holds_a_pidfd) in [(Platform::Native, true), (Platform::PortableTwins, false)] {
        let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
        let running = start_waiting_child(&sandbox, &project, &[]);
        let helper = helper_pid(&running.token_file);
        let pidfds = fs::read_dir(format!("/proc/{helper}/fd"))
            .unwrap()
            .flatten()
            .filter(|fd| {
                fs::read_link(fd.path()).is_ok_and(|to| to.as_os_str() == "anon_inode:[pidfd]")
            })
            .count();
        assert_eq!(pidfds > 0, holds_a_pidfd, "{platform:?}: {pidfds} pidfds");
        assert!(finish(running, &project).status.success());
    }
}

/// Waits up to a second for the endpoint to stop listening and its token
/// directory to be gone.
fn assert_gone_within_a_second(uri: &str, token_dir: &Path) {
    let host = http_host(uri);
    let since = Instant::now();
    while TcpStream::connect(&host).is_ok() || token_dir.exists() {
        assert!(
            since.elapsed() < Duration::from_secs(1),
            "after 1 s: listening {}, token directory {}",
            TcpStream::connect(&host).is_ok(),
            token_dir.exists()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill_9_of_the_command_takes_the_endpoint_and_its_token_within_a_second(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let mut running = start_waiting_child(&sandbox, &project, &[]);
    let token = fs::read_to_string(&running.token_file).unwrap();
    assert_eq!(http_get(&running.uri, None, Some(&token)).0, 200, "serving");
    running.child.kill().unwrap();
    let status = running.child.wait().unwrap();
    assert_eq!(status.signal(), Some(9));
    assert_gone_within_a_second(&running.uri, running.token_file.parent().unwrap());
}

fn kill_9_of_the_helper_leaves_no_token_and_the_command_runs_on(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let mut running = start_waiting_child(&sandbox, &project, &[]);
    let token = fs::read_to_string(&running.token_file).unwrap();
    assert_eq!(http_get(&running.uri, None, Some(&token)).0, 200, "serving");
    kill(&helper_pid(&running.token_file).to_string(), "KILL");
    assert_gone_within_a_second(&running.uri, running.token_file.parent().unwrap());
    assert!(
        running.child.try_wait().unwrap().is_none(),
        "the command still runs"
    );
    assert!(finish(running, &project).status.success());
}

/// Ctrl-C and Ctrl-Z at a real terminal: the kernel signals the foreground
/// process group, which is the command's (bash made it a job), and nothing
/// else of ssoenv's is in it.
fn ctrl_c_and_ctrl_z_at_an_interactive_bash_are_the_commands(platform: Platform) {
    use support::interactive::{Interactive, Kind, quoted};
    let Some(python) = harness::python() else {
        return;
    };
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let Some(mut shell) = Interactive::start(&sandbox, Kind::Bash, &project, &[]) else {
        return;
    };
    let counter = project.join("counter.py");
    fs::write(&counter, SIGINT_COUNTER).unwrap();
    let ssoenv = quoted(Path::new(env!("CARGO_BIN_EXE_ssoenv")));
    let out = project.join("ctrl-c");
    shell.send_line(&format!(
        "{ssoenv} exec -- {} {} {}",
        quoted(&python),
        quoted(&counter),
        quoted(&out)
    ));
    wait_for_file(&out.with_extension("pid"));
    shell.send_key("C-c");
    assert_eq!(wait_for_file(&out), "1 200", "one Ctrl-C, one SIGINT");

    // Ctrl-Z stops the command itself, as a job of bash's; `fg` resumes it
    // and gives its exit status.
    let ready = project.join("stoppable");
    let stop = project.join("stop");
    let status = project.join("status");
    let shown = shell.prompt_count();
    shell.send_line(&format!(
        "{ssoenv} exec -- sh -c 'echo $$ > {ready}; while [ ! -e {stop} ]; do sleep 0.05; done; exit 5'",
        ready = ready.display(),
        stop = stop.display()
    ));
    let pid: u32 = wait_for_file(&ready).trim().parse().unwrap();
    shell.send_key("C-z");
    shell.wait_for_prompt(shown);
    let state = || support::process_state(pid).expect("the command runs");
    shell.wait_until("the stopped command", || state() == 'T');
    let jobs = shell.output_of("jobs -p");
    assert_eq!(
        String::from_utf8_lossy(&jobs).trim(),
        pid.to_string(),
        "bash's job is the command"
    );
    shell.send_line(&format!("fg; echo $? > {}", quoted(&status)));
    shell.wait_until("the resumed command", || state() != 'T');
    fs::write(&stop, "").unwrap();
    assert_eq!(wait_for_file(&status).trim(), "5");
}

/// An ssoenv killed outright (SIGKILL) cannot clean up; the next exec removes
/// token directories whose process is gone, and leaves live ones alone.
#[test]
fn token_directories_of_dead_runs_are_removed_by_the_next() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let runtime_dir = sandbox.home().join("run");
    fs::create_dir_all(&runtime_dir).unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let stale = runtime_dir.join(format!("ssoenv-exec-{dead_pid}-abc123"));
    let live = runtime_dir.join(format!("ssoenv-exec-{}-def456", std::process::id()));
    for dir in [&stale, &live] {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("token"), "x").unwrap();
    }
    let out = exec_command(
        &sandbox,
        &project,
        &[
            "--",
            "sh",
            "-c",
            "echo \"$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\"",
        ],
    )
    .env("XDG_RUNTIME_DIR", &runtime_dir)
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&runtime_dir.display().to_string()),
        "{}",
        stdout(&out)
    );
    assert!(!stale.exists(), "stale token directory kept");
    assert!(live.exists(), "a live run's directory was removed");
    let left: Vec<_> = fs::read_dir(&runtime_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn a_failed_renewal_runs_the_command_with_still_valid_cached_credentials() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(6));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let cached = support::access_key(&support::credentials_of(&sandbox, &project));
    std::thread::sleep(Duration::from_millis(3200)); // renewal due, still valid
    sandbox.emulator.inject_fault(
        Operation::GetRoleCredentials,
        Fault::error(500, "InternalServerException", "down"),
    );

    let out = sandbox
        .command(&project)
        .env("SSOENV_TIMEOUT", "1s")
        .args([
            "exec",
            "--no-server",
            "--",
            "sh",
            "-c",
            "printf %s \"$AWS_ACCESS_KEY_ID\"",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), cached, "the command ran with the cached key");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("ssoenv: the SSO portal refused the request (InternalServerException: down) — try again later — running with the cached credentials (expire in "),
        "{err}"
    );
}
