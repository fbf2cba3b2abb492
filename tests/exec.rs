//! `ssoenv exec`: the container-credential endpoint against real SDK clients
//! (boto3 and the Rust SDK's aws-config) over several short credential
//! lifetimes, the endpoint's authorization, signals, exit codes and cleanup.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sso_emulator::{Fault, Operation};
use support::{Sandbox, harness, stderr, stdout};

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

/// A signed-in sandbox with an allowed project whose role credentials live `lifetime`.
fn sandbox(lifetime: Duration) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
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
    let lines = fs::read_to_string(&report).expect("the probe ran and wrote its report");
    let mut keys = BTreeSet::new();
    let mut count = 0;
    for line in lines.lines() {
        let seen: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(env) = seen.get("static_env") {
            assert_eq!(
                env,
                &serde_json::json!([]),
                "static credentials visible to the child"
            );
            continue;
        }
        count += 1;
        assert!(seen["millis_left"].as_i64().unwrap() > 0, "expired: {seen}");
        keys.insert(seen["access_key"].as_str().unwrap().to_owned());
    }
    assert!(
        count > 10,
        "the probe loaded credentials only {count} times"
    );
    assert!(
        keys.len() >= 3,
        "only {} distinct keys over {RUN:?}: {keys:?}",
        keys.len()
    );
}

/// Not a test on its own: the child of the test above.
#[test]
fn aws_config_probe() {
    let Some(out) = std::env::var_os(PROBE_OUT) else {
        return;
    };
    use aws_credential_types::provider::ProvideCredentials;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut report = fs::File::create(out).unwrap();
    let static_env: Vec<&str> = STATIC_VARS
        .into_iter()
        .filter(|v| std::env::var_os(v).is_some())
        .collect();
    writeln!(
        report,
        "{}",
        serde_json::json!({ "static_env": static_env })
    )
    .unwrap();
    runtime.block_on(async {
        // The SDK's default chain: environment, profile, web identity, then
        // the container endpoint. It must end up at the endpoint.
        let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
            .build()
            .await;
        let deadline = Instant::now() + RUN;
        while Instant::now() < deadline {
            let creds = chain
                .provide_credentials()
                .await
                .expect("credentials from the chain");
            let expiry = creds.expiry().expect("container credentials expire");
            let left = expiry
                .duration_since(SystemTime::now())
                .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap().max(1));
            writeln!(
                report,
                "{}",
                serde_json::json!({ "access_key": creds.access_key_id(), "millis_left": left })
            )
            .unwrap();
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
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
        if let Ok(text) = fs::read_to_string(path) {
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

#[test]
fn endpoint_answers_only_with_the_token_and_disappears_with_the_child() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
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
    assert_eq!(
        run("kill -TERM $$").status.code(),
        Some(143),
        "killed by TERM: 128+15"
    );
    assert_eq!(run("kill -KILL $$").status.code(), Some(137));
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

fn forwards(signal_name: &str, code: u8) {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
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

#[test]
fn sigint_reaches_the_child() {
    forwards("INT", 7);
}

#[test]
fn sigterm_reaches_the_child() {
    forwards("TERM", 9);
}

#[test]
fn sighup_and_sigquit_reach_the_child() {
    forwards("HUP", 11);
    forwards("QUIT", 12);
}

#[test]
fn a_child_killed_by_a_forwarded_signal_gives_128_plus_the_signal() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let ready = project.join("ready");
    let script = format!("touch \"{}\"; exec sleep 60", ready.display());
    let child = exec_command(&sandbox, &project, &["--", "sh", "-c", &script])
        .spawn()
        .unwrap();
    wait_for_file(&ready);
    std::thread::sleep(Duration::from_millis(100)); // past the exec
    signal(child.id(), "TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
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

/// Ctrl-C at a terminal: the kernel sends SIGINT to the whole foreground
/// process group, child included. ssoenv must not send it a second time
/// (terraform force-quits on a second Ctrl-C). A Python pty plays the terminal.
#[test]
fn terminal_ctrl_c_reaches_the_child_exactly_once() {
    let Some(python) = harness::python() else {
        return;
    };
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let ready = project.join("ready");
    let count = project.join("count");
    let script = format!(
        "trap 'echo INT >> \"{count}\"' INT\n\
         touch \"{ready}\"\n\
         i=0; while [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done\n\
         exit 3\n",
        count = count.display(),
        ready = ready.display()
    );
    let terminal = r#"
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
os.write(fd, b"\x03")
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"#;
    let mut command = Command::new(&python);
    sandbox.apply_env(&mut command);
    let out = command
        .current_dir(&project)
        .args(["-c", terminal])
        .arg(&ready)
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .args(["exec", "--", "sh", "-c", &script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "3",
        "the child ran to its end: {}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(&count).unwrap(),
        "INT\n",
        "delivered exactly once"
    );
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
