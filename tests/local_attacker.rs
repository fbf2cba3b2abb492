//! Another user of the same machine ("mallory") against a signed-in user's
//! real ssoenv processes: the console's one-time page, the login's
//! callback, the agent's endpoint under a connection flood, a fake agent in
//! a runtime directory mallory made; then what any user sees by `cd` alone
//! (terminal escapes in directory names), what `allow` must show, and the
//! environment the agent and `exec`'s helper keep.
//!
//! The attacks run as a second, unprivileged user that the suite creates
//! (`ssoenv-mallory`), so they need root, as CI has: mallory is this test
//! binary, run as that user, executing the ignored test `mallory`.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sso_emulator::Operation;
use support::{Sandbox, harness, stderr, stdout};

const MALLORY: &str = "ssoenv-mallory";

// ---------------------------------------------------------------------------
// The victim's side.

/// Mallory's uid and gid, creating the user once; `None` (a failure under
/// CI) when the suite does not run as root.
#[track_caller]
fn mallory_user() -> Option<(u32, u32)> {
    let id = |flag: &str, user: Option<&str>| -> Option<u32> {
        let out = Command::new("id").arg(flag).args(user).output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    if id("-u", None) != Some(0) {
        return harness::missing(
            "root, to create a second user for the attacks",
            "run the suite as root, as CI does",
        );
    }
    if id("-u", Some(MALLORY)).is_none() {
        // Tests run in parallel processes: one creates the user.
        let lock = fs::File::create(std::env::temp_dir().join("ssoenv-mallory.lock")).unwrap();
        lock.lock().unwrap();
        if id("-u", Some(MALLORY)).is_none() {
            let status = Command::new("useradd")
                .args([
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    MALLORY,
                ])
                .status()
                .expect("run useradd");
            assert!(status.success(), "useradd {MALLORY}");
        }
    }
    Some((id("-u", Some(MALLORY))?, id("-g", Some(MALLORY))?))
}

/// Mallory at work: what she reports, line by line.
struct Attack {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Attack {
    /// Starts `attack` with `args` as mallory, and waits until she is ready.
    fn start(user: (u32, u32), attack: &str, args: &[String]) -> Attack {
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            // Many connections need more descriptors than the soft limit.
            .arg("ulimit -n 8192 2>/dev/null; exec \"$0\" \"$@\"")
            .arg(&exe)
            .args([
                "--ignored",
                "--exact",
                "mallory",
                "--nocapture",
                "--test-threads=1",
            ])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("SSOENV_MALLORY", attack)
            .env("SSOENV_MALLORY_ARGS", args.join("\n"))
            .current_dir("/")
            .uid(user.0)
            .gid(user.1)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mallory");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                // libtest prints `test mallory ... ` before her first line.
                if let Some((_, said)) = line.split_once("mallory: ") {
                    seen.lock().unwrap().push(said.to_owned());
                }
            }
        });
        let attack = Attack { child, lines };
        attack.wait_for("ready", |line| line == "ready");
        attack
    }

    /// Waits (up to 20 s) for a report matching `wanted`, and returns it.
    #[track_caller]
    fn wait_for(&self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.lines.lock().unwrap().iter().find(|l| wanted(l)) {
                return line.clone();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "mallory never reported {what}: {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops her; everything she reported.
    fn stop(mut self) -> Vec<String> {
        self.end();
        std::thread::sleep(Duration::from_millis(50));
        self.lines.lock().unwrap().clone()
    }

    fn end(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test that fails half-way still stops her.
impl Drop for Attack {
    fn drop(&mut self) {
        self.end();
    }
}

/// A signed-in sandbox with an allowed project (`extra` lines added).
fn victim(extra: &str) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_user_name("victim@example.com");
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project("work/app", "AdministratorAccess", extra);
    (sandbox, project)
}

/// A "browser" that, like a slow real one, waits a second before it goes
/// where it was sent — a loopback page, or a file whose refresh names one —
/// and records where it was redirected (`follow`: where it landed after
/// every redirect). Like a real browser, it keeps the pages it visits out
/// of command lines: curl reads the URL on stdin.
fn slow_browser(dir: &Path, landed: &Path, follow: bool) -> PathBuf {
    let browser = dir.join("browser");
    let (redirects, write_out) = if follow {
        ("-L", "%{url_effective}")
    } else {
        ("", "%{redirect_url}")
    };
    fs::write(
        &browser,
        format!(
            "#!/bin/sh\n# script(1) hangs up its terminal once ssoenv exits; finish anyway.\ntrap '' HUP\nsleep 1\nurl=$1\n\
             case $url in file://*) url=$(sed -n 's/.*http-equiv=\"refresh\" content=\"0;url=\\([^\"]*\\)\".*/\\1/p' \"${{url#file://}}\") ;; esac\n\
             printf 'url = \"%s\"\\n' \"$url\" | curl -s -o /dev/null {redirects} -w '{write_out}' -K - > '{landed}.tmp'\n\
             mv '{landed}.tmp' '{landed}'\n",
            landed = landed.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    browser
}

#[track_caller]
fn wait_for_file(path: &Path) -> String {
    let started = Instant::now();
    loop {
        if let Ok(text) = fs::read_to_string(path) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The loopback ports the sandbox's emulator listens on, which mallory
/// leaves alone.
fn emulator_port(sandbox: &Sandbox) -> String {
    sandbox
        .emulator
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned()
}

// 1. The console's one-time page.

fn console_page_is_useless_to_another_user(platform: support::Platform) {
    let Some(user) = mallory_user() else { return };
    let Some(script) = harness::require_tool("script") else {
        return;
    };
    let Some(_) = harness::require_tool("curl") else {
        return;
    };
    let sandbox = Sandbox::on(platform);
    sandbox.emulator.set_user_name("victim@example.com");
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project(
        "work/app",
        "AdministratorAccess",
        "region = \"eu-west-1\"\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let landed = dir.path().join("landed");
    let browser = slow_browser(dir.path(), &landed, false);
    let attack = Attack::start(user, "pages", &[emulator_port(&sandbox)]);

    let mut cmd = Command::new(script);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .env("BROWSER", &browser)
        .current_dir(&project)
        .args([
            "-qec",
            &format!("{} console", env!("CARGO_BIN_EXE_ssoenv")),
            "/dev/null",
        ])
        .output()
        .unwrap();
    let terminal = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{terminal}");
    let landed = wait_for_file(&landed);
    let said = attack.stop();

    // The attack ran: mallory saw what the browser was given, and tried it.
    let seen: Vec<&String> = said.iter().filter(|l| l.starts_with("saw ")).collect();
    assert!(
        !seen.is_empty(),
        "mallory saw no browser argument: {said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l.starts_with("fetched ") || l.starts_with("read ")),
        "mallory never tried the page: {said:?}"
    );
    // And got nothing: no redirect, no readable file.
    for line in &said {
        assert!(
            !line.contains("SigninToken"),
            "mallory got the sign-in URL: {line}"
        );
        assert!(!line.contains(" 302 "), "mallory got a redirect: {line}");
        assert!(
            !line.ends_with("-> readable"),
            "mallory read the page: {line}"
        );
    }
    // The user's browser, a second late, still lands in the console.
    assert!(out.status.success(), "{terminal}");
    assert!(
        terminal.contains("ssoenv: opened the AWS console as"),
        "{terminal}"
    );
    assert!(
        landed.contains("Action=login") && landed.contains("SigninToken="),
        "{landed}"
    );
}

support::on_both_platform_paths!(console_page_is_useless_to_another_user);

// 6. The login's callback.

fn another_user_cannot_end_a_login(platform: support::Platform) {
    let Some(user) = mallory_user() else { return };
    let Some(_) = harness::require_tool("curl") else {
        return;
    };
    let sandbox = Sandbox::on(platform);
    let project = sandbox.allowed_project("work/app", "ReadOnly", "");
    let dir = tempfile::tempdir().unwrap();
    let landed = dir.path().join("landed");
    let browser = slow_browser(dir.path(), &landed, true);
    let attack = Attack::start(user, "pages", &[emulator_port(&sandbox)]);
    let out = sandbox
        .command(&project)
        .env("BROWSER", &browser)
        .args(["login"])
        .output()
        .unwrap();
    let said = attack.stop();
    let text = stderr(&out);

    // The attack ran: mallory saw the browser's argument and sent an
    // error callback to the login's listener, which answered her.
    assert!(said.iter().any(|l| l.starts_with("saw ")), "{said:?}");
    assert!(
        said.iter()
            .any(|l| l.starts_with("callback ") && l.contains("HTTP/1.1 400")),
        "mallory never reached the login's callback: {said:?}"
    );
    assert!(
        !said
            .iter()
            .any(|l| l.contains("state=") && l.starts_with("saw ")),
        "{said:?}"
    );
    // The login went on and succeeded with the user's browser.
    assert!(out.status.success(), "{text}");
    assert!(text.contains("signed in to SSO session 'dev'"), "{text}");
    assert!(
        text.contains("refused a sign-in response that does not belong to this login"),
        "{text}"
    );
    assert!(wait_for_file(&landed).contains("/oauth/callback?code="));
}

support::on_both_platform_paths!(another_user_cannot_end_a_login);

// 2. The agent under a connection flood.

/// The agent's CPU time so far, in clock ticks, from `/proc/PID/stat`.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15; `state` (index 0 here) is field 3.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// One credentials request with the token: status and how long it took.
fn timed_request(uri: &str, token: &str) -> (u16, Duration) {
    let rest = uri.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let started = Instant::now();
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}

/// The agent's URI and token, from a prompt in an endpoint-mode project.
fn start_agent(sandbox: &Sandbox, project: &Path) -> (String, String, u32) {
    let out = sandbox.ssoenv(project, &["export", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = json["set"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        .as_str()
        .unwrap()
        .to_owned();
    let token_file = json["set"]["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        .as_str()
        .unwrap();
    let token = fs::read_to_string(token_file).unwrap();
    let (pid, _) = sandbox.agent_record().unwrap();
    (uri, token, pid)
}

#[test]
fn a_flood_of_idle_connections_does_not_take_the_agent_down() {
    let Some(user) = mallory_user() else { return };
    let (sandbox, project) = victim("credentials = \"endpoint\"\n");
    let (uri, token, agent) = start_agent(&sandbox, &project);
    let port = uri
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(timed_request(&uri, &token).0, 200, "the agent serves");

    let attack = Attack::start(user, "flood", &[port, "1100".into()]);
    let holding = attack.wait_for("holding", |l| l.starts_with("holding "));
    assert_eq!(
        holding,
        "holding 1100 idle connections and a half-sent request"
    );

    // While she holds them: the user's requests are served at once, and the
    // agent does not spin.
    let ticks = cpu_ticks(agent);
    let window = Instant::now();
    let mut slowest = Duration::ZERO;
    while window.elapsed() < Duration::from_secs(3) {
        let (status, took) = timed_request(&uri, &token);
        assert_eq!(status, 200);
        slowest = slowest.max(took);
        std::thread::sleep(Duration::from_millis(200));
    }
    let busy = (cpu_ticks(agent) - ticks) as f64 / 100.0 / window.elapsed().as_secs_f64();
    assert!(
        slowest < Duration::from_millis(100),
        "a request took {slowest:?}"
    );
    assert!(busy < 0.10, "the agent used {:.0}% of a core", busy * 100.0);

    // Her half-sent request is dropped once its headers are overdue (5 s),
    // and the cap pushed most of her idle connections out.
    let dropped = attack.wait_for("the half-sent request dropped", |l| {
        l.starts_with("half-sent request dropped after ")
    });
    let secs: f64 = dropped
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches('s')
        .parse()
        .unwrap();
    assert!((4.0..7.0).contains(&secs), "{dropped}");
    let said = attack.stop();
    let closed = said
        .iter()
        .find_map(|l| l.strip_prefix("closed by the agent within a second: "))
        .unwrap_or("0");
    assert!(closed.parse::<u32>().unwrap() >= 800, "{said:?}");
    assert_eq!(timed_request(&uri, &token).0, 200, "the agent still serves");
}

// 3. A fake agent in a runtime directory another user made.

#[test]
fn a_runtime_directory_of_another_user_is_refused_with_one_line() {
    let Some(user) = mallory_user() else { return };
    let (sandbox, project) = victim("credentials = \"endpoint\"\n");
    let runtime = std::env::temp_dir().join(format!("ssoenv-xdg-{}", std::process::id()));
    let _ = fs::remove_dir_all(&runtime);
    let attack = Attack::start(user, "fake-agent", &[runtime.display().to_string()]);
    let fake = attack.wait_for("the fake agent", |l| l.starts_with("fake agent on port "));
    let fake_port = fake.rsplit(' ').next().unwrap().to_owned();

    // What she planted is what an agent looks like: a held lock and a record.
    let files = runtime.join("ssoenv");
    let lock = fs::File::open(files.join("agent.lock")).unwrap();
    assert!(matches!(
        lock.try_lock_shared(),
        Err(fs::TryLockError::WouldBlock)
    ));
    let record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(files.join("agent.json")).unwrap()).unwrap();
    assert_eq!(record["port"].to_string(), fake_port);

    let prompt = || {
        sandbox
            .command(&project)
            .env("XDG_RUNTIME_DIR", &runtime)
            .args(["export", "json"])
            .output()
            .unwrap()
    };
    let out = prompt();
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.contains(&format!(
            "ignoring the runtime directory {}: it belongs to uid {}, not to you",
            runtime.display(),
            user.0
        )),
        "{said}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = json["set"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        .as_str()
        .unwrap();
    assert!(
        !uri.contains(&format!(":{fake_port}/")),
        "the shell got her agent: {uri}"
    );
    let token_file = json["set"]["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        .as_str()
        .unwrap();
    assert!(
        token_file.starts_with(&sandbox.agent_dir().display().to_string()),
        "{token_file}"
    );
    // Said once: the next prompt in the same shell is quiet.
    let state = json["set"]["SSOENV_STATE"].as_str().unwrap();
    let again = sandbox
        .command(&project)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("SSOENV_STATE", state)
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)
        .args(["export", "json"])
        .output()
        .unwrap();
    assert_eq!(stderr(&again), "");
    let said = attack.stop();
    assert!(
        !said.iter().any(|l| l.starts_with("asked ")),
        "her agent was asked: {said:?}"
    );
    let _ = fs::remove_dir_all(&runtime);
}

/// The rule for files ssoenv trusts, without a second user: only the user
/// may write to them, and nobody but the user (and the user's own group,
/// as umask 002 leaves directories) to their directory.
#[test]
fn trusted_files_must_be_writable_by_the_user_alone() {
    use ssoenv::fsutil::read_private;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.json");
    fs::write(&file, "{}").unwrap();
    let set = |path: &Path, mode: u32| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    };
    set(dir.path(), 0o700);
    set(&file, 0o600);
    assert_eq!(read_private(&file).unwrap().as_deref(), Some(&b"{}"[..]));
    set(dir.path(), 0o775);
    assert!(
        read_private(&file).is_ok(),
        "a user-private group's directory"
    );
    set(dir.path(), 0o777);
    let refused = read_private(&file).unwrap_err().to_string();
    assert!(refused.contains("others can write to it"), "{refused}");
    set(dir.path(), 0o700);
    set(&file, 0o660);
    assert!(read_private(&file).is_err(), "a file its group can write");
}

// 4. Terminal escapes in directory names.

/// Lines of text with no control character but their newlines.
#[track_caller]
fn assert_one_line_each(output: &[u8]) {
    assert!(
        !output.iter().any(|b| b.is_ascii_control() && *b != b'\n'),
        "{}",
        visible(output)
    );
}

/// Output with its control characters shown, for messages.
fn visible(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

#[test]
fn directory_names_cannot_write_escape_sequences_to_the_terminal() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let name = "esc\u{1b}]0;TITLE\u{7}\u{1b}[2K\rmsg";
    let project = sandbox.project(name, "ReadOnly", "");
    let shown = "~/esc\\u{1b}]0;TITLE\\u{7}\\u{1b}[2K\\rmsg/.awssso.toml";
    let account = sandbox.account_id();
    let expect = |out: &Output, text: &str| {
        assert_eq!(out.stderr, text.as_bytes(), "{}", visible(&out.stderr));
    };

    let out = sandbox.ssoenv(&project, &["export", "bash"]);
    expect(
        &out,
        &format!("ssoenv: .awssso.toml at {shown} is not allowed — run 'ssoenv allow'\n"),
    );
    let out = sandbox.ssoenv(&project, &["status"]);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("config  {shown} (not allowed)")),
        "{}",
        visible(&out.stdout)
    );
    assert_one_line_each(&out.stdout);
    let out = sandbox.ssoenv(&project, &["allow"]);
    expect(
        &out,
        &format!(
            "ssoenv: allowed {shown} — portal d-1234567890.awsapps.com, SSO role {account}/ReadOnly\n"
        ),
    );
    let out = sandbox.ssoenv(&project, &["status"]);
    assert!(
        stdout(&out).contains(&format!("config  {shown}")),
        "{}",
        visible(&out.stdout)
    );
    assert_one_line_each(&out.stdout);
}

// 5. What `allow` and `status` show.

#[test]
fn allow_and_status_show_the_portal_the_sso_role_and_every_hop() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let account = sandbox.account_id();
    let hop = "arn:aws:iam::222222222222:role/Deploy";
    let project = sandbox.project(
        "chained",
        "AdministratorAccess",
        &format!("role_arn = \"{hop}\"\n"),
    );
    let out = sandbox.ssoenv(&project, &["allow"]);
    assert_eq!(
        stderr(&out),
        format!(
            "ssoenv: allowed ~/chained/.awssso.toml — portal d-1234567890.awsapps.com, SSO role {account}/AdministratorAccess, then {hop}\n"
        )
    );
    let out = sandbox.ssoenv(&project, &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["chain"], serde_json::json!([hop]));
    assert_eq!(json["start_url"], support::START_URL);
}

#[test]
fn a_file_that_borrows_a_session_name_for_another_portal_is_called_out_and_not_served() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    // The precondition: the user's own file with that session name loads.
    let own = sandbox.allowed_project("own", "ReadOnly", "");
    let out = sandbox.ssoenv(&own, &["export", "json"]);
    assert!(
        stdout(&out).contains("AWS_ACCESS_KEY_ID"),
        "{}",
        stderr(&out)
    );
    let calls = sandbox.emulator.calls(Operation::GetRoleCredentials);
    assert_eq!(calls, 1);

    // A cloned repository's file: the user's session name, another portal.
    let evil = sandbox.home().join("cloned");
    fs::create_dir_all(&evil).unwrap();
    fs::write(
        evil.join(".awssso.toml"),
        format!(
            "sso_session = \"dev\"\nsso_start_url = \"https://evil.example/start\"\nsso_region = \"us-east-1\"\n\
             sso_account_id = \"{}\"\nsso_role_name = \"ReadOnly\"\n",
            sandbox.account_id()
        ),
    )
    .unwrap();
    let conflict = format!(
        "SSO session 'dev' is signed in to {}, but this configuration names https://evil.example/start for it — \
         ssoenv will not use that sign-in here; give this portal its own sso_session name, or correct sso_start_url",
        support::START_URL
    );
    let out = sandbox.ssoenv(&evil, &["allow"]);
    assert_eq!(
        stderr(&out),
        format!(
            "ssoenv: allowed ~/cloned/.awssso.toml — portal evil.example, SSO role {}/ReadOnly\nssoenv: warning: {conflict}\n",
            sandbox.account_id()
        )
    );
    let out = sandbox.ssoenv(&evil, &["status"]);
    assert!(
        stdout(&out).contains(&format!("warning  {conflict}")),
        "{}",
        stdout(&out)
    );
    let out = sandbox.ssoenv(&evil, &["export", "json"]);
    assert_eq!(stderr(&out), format!("ssoenv: {conflict}\n"));
    assert!(
        !stdout(&out).contains("AWS_ACCESS_KEY_ID\":\""),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        sandbox.emulator.calls(Operation::GetRoleCredentials),
        calls,
        "the token was not used"
    );
}

// 7. What the agent and exec's helper keep of the shell's environment.

/// `/proc/PID/environ` as a set of `NAME=value` entries.
fn environ(pid: u32) -> BTreeSet<Vec<u8>> {
    fs::read(format!("/proc/{pid}/environ"))
        .unwrap()
        .split(|b| *b == 0)
        .filter(|entry| !entry.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// What a background process of the sandbox must have: its variables that
/// say where files are and how AWS is reached.
fn expected_environ(sandbox: &Sandbox) -> BTreeSet<Vec<u8>> {
    let mut probe = Command::new("env");
    sandbox.apply_env(&mut probe);
    let env = probe.output().unwrap().stdout;
    String::from_utf8(env)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("AWS_EC2_METADATA_DISABLED="))
        .map(|line| line.as_bytes().to_vec())
        .collect()
}

/// Secrets of a loaded variables-mode shell, and other things of the shell's.
const SHELL_SECRETS: [(&str, &str); 6] = [
    ("AWS_ACCESS_KEY_ID", "ASIASHELLKEY00000000"),
    ("AWS_SECRET_ACCESS_KEY", "shell-secret-key"),
    ("AWS_SESSION_TOKEN", "shell-session-token"),
    ("AWS_PROFILE", "someone"),
    ("GITHUB_TOKEN", "ghp_shelltoken"),
    ("SSOENV_STATE", "{\"v\":1}"),
];

#[test]
fn the_agent_and_exec_s_helper_keep_nothing_of_the_shell_but_what_they_need() {
    let (sandbox, project) = victim("credentials = \"endpoint\"\n");
    let mut prompt = sandbox.command(&project);
    prompt.envs(SHELL_SECRETS).args(["export", "json"]);
    let out = prompt.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (agent, _) = sandbox.agent_record().unwrap();
    let expected = expected_environ(&sandbox);
    assert!(
        expected.iter().any(|e| e.starts_with(b"HOME=")),
        "{expected:?}"
    );
    assert_eq!(environ(agent), expected, "the agent's environment");

    // exec's helper, started from the same shell.
    let mut exec = sandbox.command(&project);
    let report = project.join("token-file");
    exec.envs(SHELL_SECRETS).args([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "echo \"$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\" > {}; exec sleep 5",
            report.display()
        ),
    ]);
    let mut child = exec
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let token_file = PathBuf::from(wait_for_file(&report).trim());
    let dir = token_file
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let helper: u32 = dir
        .strip_prefix("ssoenv-exec-")
        .unwrap()
        .split('-')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(environ(helper), expected, "the exec helper's environment");
    let _ = child.kill();
    let _ = child.wait();
}

// ---------------------------------------------------------------------------
// Mallory's side: run by the tests above as another user.

#[test]
#[ignore = "mallory's half of the attacks above, which run it as another user"]
fn mallory() {
    let attack = std::env::var("SSOENV_MALLORY").expect("started by the attack tests of this file");
    // Whatever happens to the test that started her, she does not linger.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(60));
        std::process::exit(0);
    });
    let args: Vec<String> = std::env::var("SSOENV_MALLORY_ARGS")
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    match attack.as_str() {
        "pages" => steal_pages(&args),
        "flood" => flood(&args[0], args[1].parse().unwrap()),
        "fake-agent" => fake_agent(Path::new(&args[0])),
        other => panic!("no attack {other}"),
    }
}

fn report(line: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "mallory: {line}");
    let _ = out.flush();
}

/// GET `path` from `host`: the status line and any Location, or what
/// happened instead.
fn raw_get(host: &str, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(host) else {
        return "refused".into();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    if response.is_empty() {
        return "closed without an answer".into();
    }
    let status = response.lines().next().unwrap_or_default();
    let location = response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("location:"));
    format!("{status} {}", location.unwrap_or_default())
}

/// Watches every command line for a page handed to a browser, and every
/// new loopback listener of other users for a login callback; tries each.
fn steal_pages(excluded_ports: &[String]) {
    let mut seen = BTreeSet::new();
    let me = std::process::id().to_string();
    report("ready");
    loop {
        for entry in fs::read_dir("/proc").unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == me || !name.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
            for arg in cmdline.split(|b| *b == 0).map(String::from_utf8_lossy) {
                let arg = arg.into_owned();
                let page = arg.starts_with("http://127.0.0.1:") || arg.starts_with("file://");
                if !page || !seen.insert(arg.clone()) {
                    continue;
                }
                report(format!("saw {arg}"));
                std::thread::spawn(move || try_page(&arg));
            }
        }
        for port in listeners_of_others() {
            if excluded_ports.contains(&port.to_string()) || !seen.insert(format!("port {port}")) {
                continue;
            }
            std::thread::spawn(move || {
                let answer = raw_get(
                    &format!("127.0.0.1:{port}"),
                    "/oauth/callback?error=access_denied&state=forged",
                );
                report(format!("callback {port} -> {answer}"));
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn try_page(arg: &str) {
    if let Some(path) = arg.strip_prefix("file://") {
        let outcome = match fs::read_to_string(path) {
            Ok(_) => "readable".to_owned(),
            Err(err) => format!("{:?}", err.kind()),
        };
        report(format!("read {path} -> {outcome}"));
        return;
    }
    let rest = arg.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    // One connection held open, to stall a page that answers one at a time.
    let held = TcpStream::connect(host);
    report(format!(
        "fetched {arg} -> {}",
        raw_get(host, &format!("/{path}"))
    ));
    std::thread::sleep(Duration::from_secs(5));
    drop(held);
}

/// Listening loopback TCP ports that belong to other users.
fn listeners_of_others() -> Vec<u16> {
    let me = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let text = fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (address, port) = fields.get(1)?.split_once(':')?;
            let listening = fields.get(3) == Some(&"0A");
            (listening && address == "0100007F" && fields.get(7) != Some(&me.as_str()))
                .then(|| u16::from_str_radix(port, 16).ok())
                .flatten()
        })
        .collect()
}

/// Opens `count` idle connections to the agent and one half-sent request,
/// and reports how the agent treats them.
fn flood(port: &str, count: usize) {
    report("ready");
    let host = format!("127.0.0.1:{port}");
    let idle: Vec<TcpStream> = (0..count)
        .filter_map(|_| TcpStream::connect(&host).ok())
        .collect();
    let mut half = TcpStream::connect(&host).unwrap();
    half.write_all(b"GET /v1/credentials HTTP/1.1\r\nHost: 127.0.0.1")
        .unwrap();
    let sent = Instant::now();
    report(format!(
        "holding {} idle connections and a half-sent request",
        idle.len()
    ));
    // A second later, long before any header timeout: how many the agent
    // closed to keep room (end of file or a reset; open: nothing to read).
    std::thread::sleep(Duration::from_secs(1));
    let closed = idle
        .iter()
        .filter(|stream| {
            let _ = stream.set_nonblocking(true);
            let mut byte = [0u8; 1];
            !matches!((&**stream).read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        })
        .count();
    report(format!("closed by the agent within a second: {closed}"));
    half.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = half.read_to_end(&mut rest);
    report(format!(
        "half-sent request dropped after {:.1}s",
        sent.elapsed().as_secs_f64()
    ));
    std::thread::sleep(Duration::from_secs(60));
}

/// Plants an agent in `runtime` (a directory she creates): a lock she holds,
/// a record naming her server, a token; and serves fake credentials.
fn fake_agent(runtime: &Path) {
    let files = runtime.join("ssoenv");
    fs::create_dir_all(&files).unwrap();
    for dir in [runtime, files.as_path()] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let lock = fs::File::create(files.join("agent.lock")).unwrap();
    lock.lock().unwrap();
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    fs::write(files.join("token"), "mallorys-token").unwrap();
    fs::write(
        files.join("agent.json"),
        format!("{{\"v\":1,\"pid\":{},\"port\":{port}}}", std::process::id()),
    )
    .unwrap();
    for file in ["agent.lock", "agent.json", "token"] {
        fs::set_permissions(files.join(file), fs::Permissions::from_mode(0o644)).unwrap();
    }
    report("ready");
    report(format!("fake agent on port {port}"));
    for stream in server.incoming().flatten() {
        let mut stream = stream;
        let mut request = [0u8; 1024];
        let n = stream.read(&mut request).unwrap_or(0);
        report(format!(
            "asked {}",
            String::from_utf8_lossy(&request[..n])
                .lines()
                .next()
                .unwrap_or_default()
        ));
        let body = "{\"AccessKeyId\":\"ASIAMALLORY\",\"SecretAccessKey\":\"x\",\"Token\":\"y\",\"Expiration\":\"2099-01-01T00:00:00Z\"}";
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    }
    drop(lock);
}
