//! `credentials = "endpoint"` and the per-user agent, outside interactive
//! shells: what the prompt exports and gives back, the agent's refusals, its
//! files, start races, `kill -9`, idle exit, a broken runtime directory, and
//! fifty shells' children asking at once. (`tests/agent_shells.rs` runs the
//! SDKs from real interactive shells.)

mod support;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sso_emulator::Operation;
use support::json_shell::Shell;
use support::{Platform, Sandbox, harness, stderr, stdout};

const STATIC_KEYS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];
const URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// A signed-in sandbox with an allowed endpoint-mode project.
fn sandbox(lifetime: Duration) -> (Sandbox, PathBuf) {
    sandbox_on(Platform::Native, lifetime)
}

/// [`sandbox`] whose agents wait for their stop signals with `platform`'s
/// signal wait.
fn sandbox_on(platform: Platform, lifetime: Duration) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::on(platform);
    sandbox.emulator.set_credential_lifetime(lifetime);
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project(
        "work/app",
        "AdministratorAccess",
        "region = \"eu-west-1\"\ncredentials = \"endpoint\"\n",
    );
    (sandbox, project)
}

/// GET `uri` with `token` (when given) and exactly `headers` besides.
fn get(uri: &str, token: Option<&str>, headers: &str) -> (u16, String) {
    try_get(uri, token, headers).unwrap_or_else(|err| panic!("GET {uri}: {err}"))
}

/// [`get`], with whatever goes wrong on the way as an error.
fn try_get(uri: &str, token: Option<&str>, headers: &str) -> std::io::Result<(u16, String)> {
    let malformed = || std::io::Error::other("not an HTTP answer");
    let rest = uri.strip_prefix("http://").expect("an http URI");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let auth = token.map_or_else(String::new, |t| format!("Authorization: {t}\r\n"));
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\n{headers}{auth}Connection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .ok_or_else(malformed)?;
    let body = response
        .split_once("\r\n\r\n")
        .ok_or_else(malformed)?
        .1
        .to_owned();
    Ok((status, body))
}

/// GET as an SDK does it: its own Host header and the token.
fn sdk_get(uri: &str, token: &str) -> (u16, String) {
    let host = uri
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    get(uri, Some(token), &format!("Host: {host}\r\n"))
}

/// The status of an SDK-style GET, or `None` when nothing answers HTTP.
fn status_if_any(uri: &str, token: &str) -> Option<u16> {
    let host = uri.strip_prefix("http://")?.split('/').next()?;
    try_get(uri, Some(token), &format!("Host: {host}\r\n"))
        .ok()
        .map(|(status, _)| status)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn pid_alive(pid: u32) -> bool {
    support::process_alive(pid)
}

#[track_caller]
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what}: not within 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Agent processes serving this sandbox's home (found through /proc).
fn agents_of(sandbox: &Sandbox) -> Vec<u32> {
    let home = format!("HOME={}", sandbox.home().display());
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let is_agent = args.first().is_some_and(|a| a.ends_with(b"ssoenv-core"))
            && args.get(1) == Some(&&b"agent"[..]);
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        if is_agent && environ.split(|b| *b == 0).any(|e| e == home.as_bytes()) && pid_alive(pid) {
            found.push(pid);
        }
    }
    found
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "finds agents through /proc")]
fn endpoint_mode_exports_the_agent_and_leaving_gives_every_value_back() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let mut shell = Shell::new(&sandbox, &project);
    // The user's own values of everything endpoint mode touches.
    let previous = [
        ("AWS_ACCESS_KEY_ID", "AKIAUSERSOWN"),
        ("AWS_SECRET_ACCESS_KEY", "user's $(secret) `x`"),
        (URI, "http://169.254.170.23/v1/credentials"),
        (TOKEN_FILE, "/var/run/secrets/it's mine\nreally"),
        (
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/abc",
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer x;y"),
        ("AWS_REGION", "ap-south-1 \\ 'q'"),
        ("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z"),
    ];
    for (name, value) in previous {
        shell.env.insert(name.into(), value.into());
    }
    let said = shell.prompt();
    assert!(said.contains("loaded"), "{said}");

    let (pid, port) = sandbox.agent_record().expect("the prompt started an agent");
    assert_eq!(agents_of(&sandbox), [pid]);
    let uri = shell.get(URI).expect("the endpoint is exported").to_owned();
    assert!(
        uri.starts_with(&format!("http://127.0.0.1:{port}/v1/credentials?project=/")),
        "{uri}"
    );
    assert!(uri.ends_with("/work/app/.awssso.toml"), "{uri}");
    let token_file = PathBuf::from(shell.get(TOKEN_FILE).unwrap());
    assert_eq!(token_file, sandbox.agent_dir().join("token"));
    assert_eq!(mode(&token_file), 0o600);
    assert_eq!(mode(&sandbox.agent_dir()), 0o700);
    assert_eq!(mode(&sandbox.agent_dir().join("agent.json")), 0o600);
    for hidden in STATIC_KEYS.iter().chain(&[
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]) {
        assert_eq!(shell.get(hidden), None, "{hidden} left for SDKs to prefer");
    }
    assert_eq!(shell.get("AWS_REGION"), Some("eu-west-1"));
    assert_eq!(shell.get("AWS_DEFAULT_REGION"), Some("eu-west-1"));
    let state = shell.get("SSOENV_STATE").unwrap().to_owned();
    let token = fs::read_to_string(&token_file).unwrap();
    assert_eq!(token.len(), 64);
    assert!(!state.contains(&token) && !state.contains(&uri));

    // What an SDK gets, and what the cache holds, are the same credentials.
    let (status, body) = sdk_get(&uri, &token);
    assert_eq!(status, 200, "{body}");
    let expiration = shell.get("AWS_CREDENTIAL_EXPIRATION").unwrap().to_owned();
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served["Expiration"], expiration);
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);

    // An idle prompt changes nothing.
    let before = shell.env.clone();
    assert_eq!(shell.prompt(), "");
    assert_eq!(shell.env, before);

    // `status` knows the shell is served by the agent.
    let status = sandbox
        .command(&project)
        .args(["status", "--json"])
        .envs(&shell.env)
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["credentials"]["mode"], "endpoint", "{status}");
    assert_eq!(status["credentials"]["source"], "ssoenv", "{status}");
    assert_eq!(status["credentials"]["endpoint"], uri.as_str(), "{status}");
    assert_eq!(status["credentials"]["expires_at"], expiration, "{status}");
    assert_eq!(status["next_prompt"]["action"], "nothing", "{status}");

    shell.cwd = sandbox.home();
    let said = shell.prompt();
    assert!(said.contains("unloaded"), "{said}");
    for (name, value) in previous {
        assert_eq!(shell.get(name), Some(value), "{name} given back");
    }
    assert_eq!(shell.get("AWS_DEFAULT_REGION"), None, "was unset");
    assert_eq!(shell.get("AWS_SESSION_TOKEN"), None, "was unset");
    assert_eq!(shell.get("SSOENV_STATE"), None);
}

#[test]
fn the_agent_refuses_web_pages_foreign_hosts_bad_tokens_and_untrusted_projects() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let mut shell = Shell::new(&sandbox, &project);
    shell.prompt();
    let uri = shell.get(URI).unwrap().to_owned();
    let token = fs::read_to_string(shell.get(TOKEN_FILE).unwrap()).unwrap();
    let host = uri
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let port = host.rsplit_once(':').unwrap().1.to_owned();
    let own = format!("Host: {host}\r\n");
    // The precondition: the same request with the right headers is served.
    let (status, body) = get(&uri, Some(&token), &own);
    assert_eq!(status, 200, "{body}");

    let refused = [
        ("no token", None, own.clone()),
        ("a wrong token", Some("0".repeat(64)), own.clone()),
        ("the token and more", Some(format!("{token}0")), own.clone()),
        ("no Host", Some(token.clone()), String::new()),
        (
            "a foreign Host",
            Some(token.clone()),
            format!("Host: attacker.example:{port}\r\n"),
        ),
        (
            "localhost as Host",
            Some(token.clone()),
            format!("Host: localhost:{port}\r\n"),
        ),
        (
            "an Origin header",
            Some(token.clone()),
            format!("{own}Origin: http://attacker.example\r\n"),
        ),
    ];
    for (what, token, headers) in &refused {
        let (status, body) = get(&uri, token.as_deref(), headers);
        assert_eq!(status, 403, "{what}: {body}");
        assert!(
            !body.contains("ASIA") && !body.contains("AKIA"),
            "{what}: {body}"
        );
    }
    // Paths that are not a project file are not found (with the token).
    let base = uri.split_once("?project=").unwrap().0;
    for other in [
        format!("{base}?project=/etc/passwd"),
        format!("http://{host}/"),
        format!("{base}?project=relative/.awssso.toml"),
    ] {
        assert_eq!(get(&other, Some(&token), &own).0, 404, "{other}");
    }

    // An edit withdraws trust at once; allowing it again serves it again.
    let file = project.join(".awssso.toml");
    let original = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("{original}# edited\n")).unwrap();
    let (status, body) = get(&uri, Some(&token), &own);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("not allowed"), "{body}");
    assert!(sandbox.ssoenv(&project, &["allow"]).status.success());
    assert_eq!(get(&uri, Some(&token), &own).0, 200);
    // So does `ssoenv deny`.
    assert!(sandbox.ssoenv(&project, &["deny"]).status.success());
    let (status, body) = get(&uri, Some(&token), &own);
    assert_eq!(status, 403, "{body}");
    // And the prompt takes the endpoint away.
    let said = shell.prompt();
    assert!(said.contains("not allowed"), "{said}");
    assert_eq!(shell.get(URI), None);
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "finds agents through /proc")]
fn kill_9_of_the_agent_is_noticed_by_the_next_prompt_which_starts_a_new_one() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let mut shell = Shell::new(&sandbox, &project);
    shell.prompt();
    let (old_pid, _) = sandbox.agent_record().unwrap();
    let old_uri = shell.get(URI).unwrap().to_owned();
    let token_file = shell.get(TOKEN_FILE).unwrap().to_owned();
    let old_token = fs::read_to_string(&token_file).unwrap();
    assert_eq!(sdk_get(&old_uri, &old_token).0, 200);
    assert_eq!(shell.prompt(), "", "idle before the kill");

    Command::new("kill")
        .args(["-9", &old_pid.to_string()])
        .status()
        .unwrap();
    wait_for("the agent to die", || !pid_alive(old_pid));
    // Nothing serves the old URL any more (its port may already be another
    // test's, which does not know the token, or refuses or resets).
    assert_ne!(
        status_if_any(&old_uri, &old_token),
        Some(200),
        "the old agent still serves"
    );

    shell.prompt();
    let (new_pid, new_port) = sandbox.agent_record().expect("a new agent");
    assert_ne!(new_pid, old_pid);
    assert_eq!(agents_of(&sandbox), [new_pid]);
    let new_uri = shell.get(URI).unwrap().to_owned();
    assert!(
        new_uri.starts_with(&format!("http://127.0.0.1:{new_port}/")),
        "{new_uri}"
    );
    let new_token = fs::read_to_string(&token_file).unwrap();
    assert_ne!(new_token, old_token, "a new agent, a new token");
    assert_eq!(
        sdk_get(&new_uri, &old_token).0,
        403,
        "the old token is dead"
    );
    assert_eq!(sdk_get(&new_uri, &new_token).0, 200);
    assert_eq!(shell.prompt(), "", "idle again");
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "finds agents through /proc")]
fn racing_prompts_start_one_agent() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    // Credentials cached first, so the race is only about the agent.
    assert!(
        sandbox
            .ssoenv(&project, &["export-credentials"])
            .status
            .success()
    );
    let children: Vec<_> = (0..8)
        .map(|_| {
            sandbox
                .command(&project)
                .args(["export", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let uris: Vec<String> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
            json["set"][URI]
                .as_str()
                .unwrap_or_else(|| panic!("{json}"))
                .to_owned()
        })
        .collect();
    assert!(uris.iter().all(|uri| *uri == uris[0]), "{uris:#?}");
    let (pid, _) = sandbox.agent_record().unwrap();
    assert_eq!(agents_of(&sandbox), [pid]);
}

// Stopping by signal and leaving when idle, with `sigtimedwait` and with the
// self-pipe that macOS uses: each runs once with each.
support::on_both_platform_paths!(status_stop_and_idle_exit);

fn status_stop_and_idle_exit(platform: Platform) {
    let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
    let status = sandbox.ssoenv(&project, &["agent", "status"]);
    assert_eq!(status.status.code(), Some(3), "{}", stdout(&status));
    assert!(stdout(&status).contains("no agent is running"));

    let mut shell = Shell::new(&sandbox, &project);
    shell.prompt();
    let (pid, port) = sandbox.agent_record().unwrap();
    let status = sandbox.ssoenv(&project, &["agent", "status"]);
    assert!(status.status.success());
    assert!(stdout(&status).contains(&format!("agent {pid} serves http://127.0.0.1:{port}/")));
    let stop = sandbox.ssoenv(&project, &["agent", "stop"]);
    assert!(stop.status.success(), "{}", stderr(&stop));
    assert!(!pid_alive(pid), "stopped means gone");
    assert!(!sandbox.agent_dir().join("agent.json").exists());
    assert!(!sandbox.agent_dir().join("token").exists());
    let log = fs::read_to_string(sandbox.agent_dir().join("agent.log")).unwrap();
    assert!(log.contains("stopped by signal TERM"), "{log}");
    assert!(!log.contains(&fs::read_to_string(sandbox.token_cache_file()).unwrap()));

    // With a short idle time set in the shell, the next agent leaves by itself.
    shell.extra.push(("SSOENV_AGENT_IDLE".into(), "2s".into()));
    shell.prompt();
    let (pid, _) = sandbox.agent_record().unwrap();
    let uri = shell.get(URI).unwrap().to_owned();
    let token = fs::read_to_string(shell.get(TOKEN_FILE).unwrap()).unwrap();
    assert_eq!(sdk_get(&uri, &token).0, 200);
    std::thread::sleep(Duration::from_millis(1200));
    assert!(pid_alive(pid), "a request restarts the idle clock");
    wait_for("the idle agent to exit", || !pid_alive(pid));
    let log = fs::read_to_string(sandbox.agent_dir().join("agent.log")).unwrap();
    assert!(log.contains("no request for 2s"), "{log}");
    // The next prompt notices, and starts one again.
    shell.prompt();
    assert_ne!(sandbox.agent_record().unwrap().0, pid);
}

/// The stop signals as `/proc` shows them: (blocked in some thread,
/// caught by a handler). (The thread waiting in `sigtimedwait` shows them
/// unblocked while it waits; the threads it started keep them blocked.)
#[cfg(target_os = "linux")]
fn stop_signals_blocked_and_caught(pid: u32) -> (bool, bool) {
    let mask = |status: &str, field: &str| {
        let hex = status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .unwrap()
            .trim();
        u64::from_str_radix(hex, 16).unwrap()
    };
    // Bit N-1 stands for signal N: SIGINT is 2, SIGTERM 15.
    let stop = (1 << 1) | (1 << 14);
    let blocked = fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .filter_map(|task| fs::read_to_string(task.path().join("status")).ok())
        .any(|status| mask(&status, "SigBlk:") & stop == stop);
    let process = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    (blocked, mask(&process, "SigCgt:") & stop == stop)
}

/// The twin suite above proves something only if forcing the twins changes
/// what runs: the native agent blocks the stop signals and waits for them
/// with `sigtimedwait`; the portable one catches them with a handler.
#[cfg(target_os = "linux")]
#[test]
fn forcing_the_portable_twins_swaps_the_agent_s_signal_wait() {
    for (platform, expected) in [
        (Platform::Native, (true, false)),
        (Platform::PortableTwins, (false, true)),
    ] {
        let (sandbox, project) = sandbox_on(platform, Duration::from_secs(3600));
        let mut shell = Shell::new(&sandbox, &project);
        shell.prompt();
        let (pid, _) = sandbox.agent_record().unwrap();
        // A thread being created has every signal blocked for a moment
        // (glibc's pthread_create): look until the agent has settled.
        let started = Instant::now();
        let mut seen = stop_signals_blocked_and_caught(pid);
        while seen != expected && started.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(20));
            seen = stop_signals_blocked_and_caught(pid);
        }
        assert_eq!(seen, expected, "{platform:?}");
    }
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "finds agents through /proc")]
fn an_unusable_runtime_directory_gives_one_line_and_static_variables() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let runtime = sandbox.home().join("run");
    fs::create_dir_all(&runtime).unwrap();
    // Where the agent's directory must go, a file: not even root can use it.
    fs::write(runtime.join("ssoenv"), "").unwrap();
    let mut shell = Shell::new(&sandbox, &project);
    shell
        .extra
        .push(("XDG_RUNTIME_DIR".into(), runtime.display().to_string()));
    let said = shell.prompt();
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("ssoenv: cannot start the credential agent: "),
        "{said}"
    );
    assert!(said.contains("run/ssoenv"), "names the directory: {said}");
    assert!(said.contains("keys as variables instead"), "{said}");
    assert!(
        shell
            .get("AWS_ACCESS_KEY_ID")
            .is_some_and(|k| k.starts_with("ASIA"))
    );
    assert_eq!(shell.get(URI), None);
    assert!(agents_of(&sandbox).is_empty());
    // Said once: the next prompt is quiet and keeps the variables.
    assert_eq!(shell.prompt(), "");
    assert!(shell.get("AWS_ACCESS_KEY_ID").is_some());
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "finds agents through /proc")]
fn fifty_shells_whose_children_ask_at_once_cause_one_renewal() {
    let Some(python) = harness::python() else {
        return;
    };
    const LIFETIME: Duration = Duration::from_secs(20);
    let (sandbox, project) = sandbox(LIFETIME);
    let mut first = Shell::new(&sandbox, &project);
    first.prompt();
    let issued = Instant::now();
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    let go = sandbox.home().join("go");
    let fetch = r#"
import json, os, urllib.request
token = open(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]).read()
request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], headers={"Authorization": token})
print(json.load(urllib.request.urlopen(request, timeout=30))["AccessKeyId"])
"#;
    let script = sandbox.home().join("fetch.py");
    fs::write(&script, fetch).unwrap();
    let shells: Vec<_> = (0..50)
        .map(|_| {
            let mut bash = Command::new("bash");
            sandbox.apply_env(&mut bash);
            bash.current_dir(&project)
                .arg("-c")
                .arg(format!(
                    "eval \"$('{}' export bash)\" && while [ ! -e '{}' ]; do sleep 0.05; done && exec '{}' '{}'",
                    env!("CARGO_BIN_EXE_ssoenv"),
                    go.display(),
                    python.display(),
                    script.display()
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            bash.spawn().unwrap()
        })
        .collect();
    // Half-way through their life the credentials are due: every child's
    // request finds them due, and one renewal must serve them all.
    let due = LIFETIME / 2 + Duration::from_millis(500);
    std::thread::sleep(due.saturating_sub(issued.elapsed()));
    let before = sandbox.emulator.calls(Operation::GetRoleCredentials);
    assert_eq!(before, 1, "the shells' prompts used the cache");
    fs::write(&go, "").unwrap();
    let outputs: Vec<Output> = shells
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut keys = std::collections::BTreeSet::new();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
        keys.insert(stdout(out).trim().to_owned());
    }
    assert!(keys.iter().all(|k| k.starts_with("ASIA")), "{keys:?}");
    assert_eq!(
        sandbox.emulator.calls(Operation::GetRoleCredentials) - before,
        1,
        "fifty children, one renewal"
    );
    assert!(
        keys.len() <= 2,
        "at most the old key and the renewed one: {keys:?}"
    );
    assert_eq!(agents_of(&sandbox).len(), 1);
}

/// The agent renews ahead by itself: the credentials it serves are renewed
/// at their renewal-ahead time although no SDK asks (an SDK asks only when
/// its own copy runs low), so the request that comes later gets new ones
/// at once.
#[test]
fn the_agent_renews_ahead_without_a_request() {
    let (sandbox, project) = sandbox(Duration::from_secs(30));
    let mut shell = Shell::new(&sandbox, &project);
    shell.prompt();
    let uri = shell.get(URI).expect("endpoint mode").to_owned();
    let token = fs::read_to_string(shell.get(TOKEN_FILE).unwrap()).unwrap();
    let key = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (status, body) = sdk_get(&uri, &token);
    assert_eq!(status, 200, "{body}");
    let first = key(&body);
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    // Ahead 18 s before the expiry (15 s, half the lifetime, and a lead of a
    // tenth): 12 s in. No prompt and no request until after that.
    std::thread::sleep(Duration::from_secs(14));
    assert_eq!(
        sandbox.emulator.calls(Operation::GetRoleCredentials),
        2,
        "the agent renewed by itself"
    );
    let asked = Instant::now();
    let (status, body) = sdk_get(&uri, &token);
    let took = asked.elapsed();
    assert_eq!(status, 200, "{body}");
    assert_ne!(key(&body), first, "the renewed credentials are served");
    assert!(
        took < Duration::from_millis(300),
        "the request waited {took:?}"
    );
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 2);
}

#[test]
fn variables_mode_is_untouched_by_the_agent() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project("work/plain", "ReadOnly", "");
    let mut shell = Shell::new(&sandbox, &project);
    shell.prompt();
    assert!(shell.get("AWS_ACCESS_KEY_ID").is_some());
    assert_eq!(shell.get(URI), None);
    assert!(!sandbox.agent_dir().exists(), "no agent for variables mode");
}

/// A shell switched with `ssoenv use` in endpoint mode (the user's defaults
/// say `credentials = "endpoint"`): the agent serves the switched role
/// under a URL that names the choice, and a project the shell enters
/// meanwhile does not change what it serves.
#[test]
fn a_switched_shell_in_endpoint_mode_is_served_its_choice() {
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let defaults = sandbox.home().join(".config/ssoenv/config.toml");
    fs::create_dir_all(defaults.parent().unwrap()).unwrap();
    fs::write(&defaults, "credentials = \"endpoint\"\n").unwrap();
    let config = sandbox.home().join(".aws/config");
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(
        &config,
        format!(
            "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\n",
            support::SESSION,
            support::START_URL,
            support::REGION
        ),
    )
    .unwrap();
    let second = sandbox.emulator.account(1).unwrap().account_id;
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &["use", "--shell", "bash", &format!("{second}/ReadOnly")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The value, as bash reads what `use` printed.
    let read = Command::new("bash")
        .args([
            "--norc",
            "-c",
            "eval \"$1\"; printf %s \"$SSOENV_USE\"",
            "bash",
        ])
        .arg(stdout(&out))
        .output()
        .unwrap();
    let value = stdout(&read);
    assert!(value.starts_with('{'), "{value}");

    let mut shell = Shell::new(&sandbox, &sandbox.home());
    shell.env.insert("SSOENV_USE".into(), value.clone());
    let said = shell.prompt();
    assert!(said.contains("loaded"), "{said}");
    let uri = shell.get(URI).expect("the endpoint is exported").to_owned();
    assert!(uri.contains("/v1/credentials?use="), "{uri}");
    let token = fs::read_to_string(shell.get(TOKEN_FILE).unwrap()).unwrap();
    let (status, body) = sdk_get(&uri, token.trim());
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    let key = served["AccessKeyId"].as_str().unwrap();
    assert_eq!(
        sandbox.emulator.caller_arn(key),
        Some(sandbox.emulator.sso_caller_arn(&second, "ReadOnly"))
    );

    shell.cwd = project.clone();
    let said = shell.prompt();
    assert!(said.contains("applies after 'ssoenv use --off'"), "{said}");
    assert_eq!(shell.get(URI), Some(uri.as_str()), "the same endpoint");
}
