//! The sign-in lifecycle end to end: `ssoenv login` (PKCE with the test
//! playing the browser, and the device code), refresh tokens, `ssoenv
//! logout`, and the files shared with botocore — the real binary, a
//! temporary home and the emulator on loopback.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use std::{fs, thread};

use sso_emulator::{AuthorizeDecision, Fault, Operation, pkce_s256};
use support::{
    REGION, SESSION, START_URL, Sandbox, access_key, credentials_of, harness, stderr, stdout,
};

// ----- helpers ---------------------------------------------------------------------

/// `ssoenv login ...` running as a child, its stderr read line by line.
struct LoginChild {
    child: Child,
    lines: Receiver<String>,
    all: Arc<Mutex<String>>,
}

impl LoginChild {
    fn spawn(sandbox: &Sandbox, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = sandbox.command(cwd);
        cmd.arg("login").args(args).envs(env.iter().copied());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn ssoenv login");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::channel();
        let all = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&all);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = sender.send(line);
            }
        });
        Self { child, lines, all }
    }

    /// The first stderr line that satisfies `want`.
    fn line_where(&self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if want(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no such line on stderr; so far:\n{}",
                    self.all.lock().unwrap()
                ),
            }
        }
    }

    /// Waits for the exit; returns the status and all of stderr.
    fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "login did not finish; stderr:\n{}",
                    self.all.lock().unwrap()
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "", "login prints nothing on stdout");
        // Let the reader thread drain what is left.
        thread::sleep(Duration::from_millis(100));
        let text = self.all.lock().unwrap().clone();
        (status, text)
    }
}

/// A GET over plain HTTP, as a browser would send it: status, Location, body.
fn http_get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: test-browser\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let location = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    (status, location, body.to_owned())
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).expect("read file")).expect("JSON")
}

/// The cached token's secrets never reach the terminal.
fn assert_no_secrets(text: &str, token_file: &Path) {
    let token = read_json(token_file);
    for field in ["accessToken", "refreshToken", "clientSecret"] {
        if let Some(secret) = token[field].as_str() {
            assert!(!text.contains(secret), "{field} printed:\n{text}");
        }
    }
}

/// The JSON bodies the emulator received for `operation`.
fn bodies(sandbox: &Sandbox, operation: Operation) -> Vec<serde_json::Value> {
    sandbox
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.operation == operation)
        .map(|r| serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null))
        .collect()
}

fn write_aws_config(sandbox: &Sandbox, role: &str) {
    let config = format!(
        "[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n\
         sso_registration_scopes = sso:account:access\n\n\
         [profile boto]\nsso_session = {SESSION}\nsso_account_id = {}\nsso_role_name = {role}\n",
        sandbox.account_id()
    );
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(sandbox.home().join(".aws/config"), config).unwrap();
}

fn botocore_credentials(sandbox: &Sandbox, python: &Path) -> serde_json::Value {
    let script = harness::workspace_root().join("tests/interop/profile_credentials.py");
    let mut cmd = Command::new(python);
    sandbox.apply_env(&mut cmd);
    let out = cmd.arg(script).arg("boto").output().expect("run python");
    assert!(
        out.status.success(),
        "botocore failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the botocore script")
}

/// A device-code login the emulator approves by itself.
fn device_login(sandbox: &Sandbox, cwd: &Path) -> String {
    sandbox.emulator.set_auto_approve(true);
    let out = sandbox.ssoenv(cwd, &["login", "--device-code"]);
    assert!(out.status.success(), "login failed: {}", stderr(&out));
    stderr(&out)
}

// ----- PKCE ------------------------------------------------------------------------

#[test]
fn pkce_login_end_to_end_with_the_test_as_the_browser() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--no-browser"], &[]);
    let url = login
        .line_where(|line| line.contains("/authorize?"))
        .trim()
        .to_owned();
    assert!(url.starts_with(&format!("{}/authorize?", sandbox.emulator.url())));
    let redirect_uri = query_param(&url, "redirect_uri").expect("redirect_uri");
    assert!(
        redirect_uri.starts_with("http://127.0.0.1:") && redirect_uri.ends_with("/oauth/callback"),
        "{redirect_uri}"
    );

    // Requests that are not our callback are answered and do not end the login.
    let (status, _, _) = http_get(&redirect_uri.replace("/oauth/callback", "/favicon.ico"));
    assert_eq!(status, 404);
    let forged = format!("{redirect_uri}?code=forged-code&state=not-the-state");
    let (status, _, body) = http_get(&forged);
    assert_eq!(status, 400, "a wrong state is refused");
    assert!(body.contains("state mismatch"), "{body}");
    let (status, _, _) = http_get(&format!("{redirect_uri}?code=forged-code"));
    assert_eq!(status, 400, "a missing state is refused");

    // The browser: the authorize page redirects back to the listener.
    let (status, location, _) = http_get(&url);
    assert_eq!(status, 302);
    let callback = location.expect("Location");
    assert!(callback.starts_with(&redirect_uri), "{callback}");
    assert_eq!(
        query_param(&callback, "state"),
        query_param(&url, "state"),
        "the emulator hands the state back"
    );
    let (status, _, body) = http_get(&callback);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Signed in"), "{body}");

    let (status, text) = login.finish();
    assert!(status.success(), "{text}");
    assert!(
        text.contains("refused a sign-in response that does not belong to this login"),
        "{text}"
    );
    assert!(
        text.contains("signed in to SSO session 'dev' — the token expires in 7h 59m")
            || text.contains("signed in to SSO session 'dev' — the token expires in 8h"),
        "{text}"
    );
    assert_eq!(text.matches("refused a sign-in").count(), 2, "{text}");

    // The AWS CLI's cache file, with everything a refresh needs.
    let cache = sandbox.token_cache_file();
    assert_no_secrets(&text, &cache);
    assert_eq!(
        fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let token = read_json(&cache);
    assert_eq!(token["startUrl"], START_URL);
    assert_eq!(token["region"], REGION);
    for field in [
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(token[field].is_string(), "{field} missing: {token}");
    }
    let expires = token["expiresAt"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");
    assert!(
        sandbox
            .emulator
            .token_is_valid(token["accessToken"].as_str().unwrap())
    );

    // What went over the wire: a registration for the code flow, and the
    // verifier whose S256 is the challenge the browser carried.
    let register = &bodies(&sandbox, Operation::RegisterClient)[0];
    let grants: Vec<&str> = register["grantTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert!(grants.contains(&"authorization_code") && grants.contains(&"refresh_token"));
    assert_eq!(
        register["scopes"],
        serde_json::json!(["sso:account:access"])
    );
    assert_eq!(
        register["redirectUris"],
        serde_json::json!(["http://127.0.0.1/oauth/callback"])
    );
    assert_eq!(register["issuerUrl"], START_URL);
    assert_eq!(register["clientType"], "public");
    let exchanges = bodies(&sandbox, Operation::CreateToken);
    assert_eq!(exchanges.len(), 1, "the forged code was never redeemed");
    let exchange = &exchanges[0];
    assert_eq!(exchange["grantType"], "authorization_code");
    assert_eq!(exchange["redirectUri"], redirect_uri.as_str());
    let verifier = exchange["codeVerifier"].as_str().unwrap();
    assert!((43..=128).contains(&verifier.len()));
    assert_eq!(
        Some(pkce_s256(verifier)),
        query_param(&url, "code_challenge")
    );
    assert!(!url.contains(verifier) && !text.contains(verifier));

    // And the credentials follow.
    let vars = credentials_of(&sandbox, &project);
    assert!(access_key(&vars).starts_with("ASIA"));
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);

    // The registration sits where and as the AWS CLI keeps it.
    let registrations: Vec<PathBuf> = fs::read_dir(sandbox.home().join(".aws/sso/cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &cache)
        .collect();
    assert_eq!(registrations.len(), 1, "{registrations:?}");
    let registration = read_json(&registrations[0]);
    assert_eq!(registration["clientId"], token["clientId"]);
    assert!(registration["expiresAt"].is_string());
    assert_eq!(
        registration["scopes"],
        serde_json::json!(["sso:account:access"])
    );
    if let Some(python) = harness::python() {
        // Python's own json.dumps names the file, as the AWS CLI does.
        let script = format!(
            "import hashlib, json; print(hashlib.sha1(json.dumps({{'tool': 'botocore', 'startUrl': '{START_URL}', \
             'region': '{REGION}', 'scopes': None, 'session_name': '{SESSION}'}}, sort_keys=True).encode()).hexdigest())"
        );
        let out = Command::new(python).args(["-c", &script]).output().unwrap();
        let expected = format!("{}.json", stdout(&out).trim());
        assert_eq!(
            registrations[0].file_name().unwrap().to_str().unwrap(),
            expected
        );
    }
}

#[test]
fn pkce_login_denied_in_the_browser_fails_and_writes_nothing() {
    let sandbox = Sandbox::new();
    sandbox
        .emulator
        .set_authorize_decision(AuthorizeDecision::Deny);
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--no-browser"], &[]);
    let url = login
        .line_where(|line| line.contains("/authorize?"))
        .trim()
        .to_owned();
    let (status, location, _) = http_get(&url);
    assert_eq!(status, 302);
    let callback = location.unwrap();
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    let (status, _, _) = http_get(&callback);
    assert_eq!(status, 400);
    let (status, text) = login.finish();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.ends_with(
            "ssoenv: sign-in was denied in the browser — run 'ssoenv login' to try again\n"
        ),
        "{text}"
    );
    assert!(!sandbox.token_cache_file().exists());
    assert_eq!(sandbox.emulator.calls(Operation::CreateToken), 0);
}

#[test]
fn pkce_code_the_server_refuses_fails_the_login_without_leaking_it() {
    // The right state with a code the emulator never issued: ssoenv redeems
    // it and OIDC refuses it (as it refuses a wrong verifier).
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--no-browser"], &[]);
    let url = login
        .line_where(|line| line.contains("/authorize?"))
        .trim()
        .to_owned();
    let redirect_uri = query_param(&url, "redirect_uri").unwrap();
    let state = query_param(&url, "state").unwrap();
    let code = "made-up-authorization-code";
    let callback = format!("{redirect_uri}?code={code}&state={state}");
    let (status, _, body) = http_get(&callback);
    assert_eq!(status, 400, "{body}");
    let (status, text) = login.finish();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(text.contains("InvalidGrantException"), "{text}");
    assert!(!text.contains(code), "{text}");
    assert!(!sandbox.token_cache_file().exists());
}

#[test]
fn pkce_login_times_out_with_a_clear_message() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let started = Instant::now();
    let login = LoginChild::spawn(
        &sandbox,
        &project,
        &["--no-browser"],
        &[("SSOENV_LOGIN_TIMEOUT", "2s")],
    );
    let (status, text) = login.finish();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(
        text.ends_with(
            "ssoenv: sign-in was not completed within 2s — run 'ssoenv login' again \
             (SSOENV_LOGIN_TIMEOUT sets how long it waits)\n"
        ),
        "{text}"
    );
    assert!(!sandbox.token_cache_file().exists());
}

// ----- device code ---------------------------------------------------------------------

#[test]
fn device_flow_pending_then_slow_down_then_approved() {
    let sandbox = Sandbox::new();
    sandbox
        .emulator
        .set_device_poll_interval(Duration::from_secs(1));
    sandbox.emulator.inject_fault(
        Operation::CreateToken,
        Fault::error(400, "SlowDownException", "Client is polling too fast").nth(2),
    );
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--device-code"], &[]);
    let shown = login.line_where(|line| line.contains("/device?user_code="));
    let user_code = query_param(shown.trim(), "user_code").unwrap();
    wait_until("the slow_down answer", || {
        sandbox.emulator.calls(Operation::CreateToken) >= 2
    });
    assert_eq!(
        sandbox.emulator.pending_user_codes(),
        vec![user_code.clone()]
    );
    assert!(sandbox.emulator.approve_device(&user_code));
    let (status, text) = login.finish();
    assert!(status.success(), "{text}");
    assert!(
        text.contains(&format!("confirm the code {user_code}")),
        "{text}"
    );

    // pending, slow_down, then the token; each poll after the server's interval,
    // and 5 s more after slow_down.
    let polls: Vec<SystemTime> = sandbox
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.operation == Operation::CreateToken)
        .map(|r| r.at)
        .collect();
    assert_eq!(polls.len(), 3, "{text}");
    let gap = |i: usize| polls[i + 1].duration_since(polls[i]).unwrap();
    assert!(gap(0) >= Duration::from_millis(950), "{:?}", gap(0));
    assert!(gap(1) >= Duration::from_millis(5950), "{:?}", gap(1));
    let exchange = &bodies(&sandbox, Operation::CreateToken)[2];
    assert_eq!(
        exchange["grantType"],
        "urn:ietf:params:oauth:grant-type:device_code"
    );

    let cache = sandbox.token_cache_file();
    assert_no_secrets(&text, &cache);
    assert!(read_json(&cache)["refreshToken"].is_string());
    credentials_of(&sandbox, &project);
}

#[test]
fn device_flow_polls_on_through_a_dropped_connection() {
    let sandbox = Sandbox::new();
    sandbox
        .emulator
        .set_device_poll_interval(Duration::from_secs(1));
    sandbox
        .emulator
        .inject_fault(Operation::CreateToken, Fault::drop_connection().nth(1));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--device-code"], &[]);
    let shown = login.line_where(|line| line.contains("/device?user_code="));
    let user_code = query_param(shown.trim(), "user_code").unwrap();
    wait_until("the dropped poll", || {
        sandbox.emulator.calls(Operation::CreateToken) >= 1
    });
    assert!(sandbox.emulator.approve_device(&user_code));
    let (status, text) = login.finish();
    assert!(status.success(), "{text}");
    assert!(sandbox.token_cache_file().exists());
    credentials_of(&sandbox, &project);
}

#[test]
fn device_flow_denied() {
    let sandbox = Sandbox::new();
    sandbox
        .emulator
        .set_device_poll_interval(Duration::from_secs(1));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--device-code"], &[]);
    let shown = login.line_where(|line| line.contains("/device?user_code="));
    let user_code = query_param(shown.trim(), "user_code").unwrap();
    assert!(sandbox.emulator.deny_device(&user_code));
    let (status, text) = login.finish();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.ends_with(
            "ssoenv: sign-in was denied in the browser — run 'ssoenv login' to try again\n"
        ),
        "{text}"
    );
    assert!(!sandbox.token_cache_file().exists());
}

#[test]
fn device_flow_expired() {
    let sandbox = Sandbox::new();
    sandbox
        .emulator
        .set_device_poll_interval(Duration::from_secs(1));
    sandbox
        .emulator
        .set_device_code_lifetime(Duration::from_secs(2));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let login = LoginChild::spawn(&sandbox, &project, &["--device-code"], &[]);
    let shown = login.line_where(|line| line.contains("/device?user_code="));
    let user_code = query_param(shown.trim(), "user_code").unwrap();
    let (status, text) = login.finish();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.ends_with(&format!(
            "ssoenv: the code {user_code} expired before it was confirmed — run 'ssoenv login' again\n"
        )),
        "{text}"
    );
    assert!(!sandbox.token_cache_file().exists());
    // Polled at the interval until the server said expired_token, never faster.
    let polls = sandbox.emulator.calls(Operation::CreateToken);
    assert!((2..=3).contains(&polls), "{polls} polls");
}

#[test]
fn without_a_browser_login_uses_a_device_code_and_reuses_the_registration() {
    // The sandbox has no DISPLAY and no BROWSER, like an SSH session.
    let sandbox = Sandbox::new();
    sandbox.emulator.set_auto_approve(true);
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    for _ in 0..2 {
        let out = sandbox.ssoenv(&project, &["login"]);
        let text = stderr(&out);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("no browser can be opened here (no DISPLAY, or an SSH session) — using a device code"),
            "{text}"
        );
        assert_no_secrets(&text, &sandbox.token_cache_file());
    }
    assert_eq!(sandbox.emulator.calls(Operation::RegisterClient), 1);
    assert_eq!(
        sandbox.emulator.calls(Operation::StartDeviceAuthorization),
        2
    );
}

#[test]
fn an_unallowed_project_cannot_choose_where_you_sign_in() {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_auto_approve(true);
    let project = sandbox.project("cloned", "ReadOnly", "");
    let out = sandbox.ssoenv(&project, &["login", "--device-code"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ssoenv: .awssso.toml at ~/cloned/.awssso.toml is not allowed, so it cannot choose where you sign in — \
         check its sso_start_url, then run 'ssoenv allow' (or pass --config ~/cloned/.awssso.toml)\n"
    );
    assert_eq!(sandbox.emulator.total_calls(), 0);
    // Naming the file explicitly is the user's choice.
    let out = sandbox.ssoenv(
        &project,
        &["login", "--device-code", "--config", ".awssso.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn outside_any_project_login_and_logout_use_the_user_wide_defaults_session() {
    let sandbox = Sandbox::new();
    let home = sandbox.home();
    // Nothing configured: the error names the file to write.
    let out = sandbox.ssoenv(&home, &["login", "--device-code"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no SSO session is configured"),
        "{}",
        stderr(&out)
    );
    assert!(!sandbox.token_cache_file().exists());
    fs::create_dir_all(home.join(".config/ssoenv")).unwrap();
    fs::write(
        home.join(".config/ssoenv/config.toml"),
        format!("sso_session = \"{SESSION}\"\nsso_start_url = \"{START_URL}\"\nsso_region = \"{REGION}\"\n"),
    )
    .unwrap();
    let text = device_login(&sandbox, &home);
    assert!(
        text.contains(&format!(
            "ssoenv: signing in to SSO session '{SESSION}' ({START_URL})"
        )),
        "{text}"
    );
    assert!(sandbox.token_cache_file().exists(), "{text}");
    // The token serves the projects of that session.
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let out = sandbox.ssoenv(&project, &["export-credentials", "--format", "process"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // And logout from home ends it.
    let out = sandbox.ssoenv(&home, &["logout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!(
            "ssoenv: signed out of SSO session '{SESSION}': removed the token"
        )),
        "{}",
        stderr(&out)
    );
    assert!(!sandbox.token_cache_file().exists());
}

/// Another portal's sign-in, written to the token cache under its start
/// URL, as `aws sso login` leaves a profile without an sso-session.
const OTHER_START_URL: &str = "https://d-0987654321.awsapps.com/start";

fn write_other_token(sandbox: &Sandbox, region: &str, token: &sso_emulator::IssuedToken) {
    sso_emulator::token_cache::write_token_cache(
        &sandbox.home(),
        OTHER_START_URL,
        OTHER_START_URL,
        region,
        token,
    )
    .unwrap();
}

/// `ssoenv use ACCOUNT/ROLE` run from home by the hook's function in bash,
/// then the first prompt's export: its exit status, stderr and whether the
/// shell ended with a key.
fn use_from_home(sandbox: &Sandbox, choice: &str) -> (bool, String, bool) {
    let mut bash = Command::new("bash");
    sandbox.apply_env(&mut bash);
    let out = bash
        .current_dir(sandbox.home())
        .args([
            "--noprofile",
            "--norc",
            "-c",
            r#"code="$("$0" use --shell bash "$1")" || exit 1; eval "$code"; eval "$("$0" export bash)"; printenv AWS_ACCESS_KEY_ID SSOENV_USE"#,
        ])
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .arg(choice)
        .output()
        .unwrap();
    let has_key = stdout(&out).lines().any(|line| line.starts_with("ASIA"));
    (out.status.success(), stderr(&out), has_key)
}

const CACHE_NOTICE: &str =
    "ssoenv: no SSO session is configured — using the one the token cache is signed in to";

#[test]
fn with_nothing_configured_use_takes_the_one_signed_in_session_and_says_so_once() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    device_login(&sandbox, &project);
    // An expired sign-in that cannot be renewed is not one.
    write_other_token(
        &sandbox,
        "eu-west-1",
        &sandbox.emulator.issue_token(Duration::ZERO),
    );
    let choice = format!("{}/ReadOnly", sandbox.account_id());
    let (ok, err, has_key) = use_from_home(&sandbox, &choice);
    assert!(ok, "{err}");
    assert!(has_key, "{err}");
    assert_eq!(
        err.lines()
            .filter(|line| line.starts_with(CACHE_NOTICE))
            .count(),
        1,
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{CACHE_NOTICE}, {START_URL} ({REGION}); set sso_start_url and sso_region in ~/.config/ssoenv/config.toml to choose another\n"
        )),
        "{err}"
    );
    assert!(!err.contains(OTHER_START_URL), "{err}");
}

#[test]
fn with_nothing_configured_and_two_signed_in_sessions_use_lists_them_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    device_login(&sandbox, &project);
    write_other_token(
        &sandbox,
        "eu-west-1",
        &sandbox.emulator.issue_token(Duration::from_secs(3600)),
    );
    let choice = format!("{}/ReadOnly", sandbox.account_id());
    let out = sandbox.ssoenv(&sandbox.home(), &["use", "--shell", "bash", &choice]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the shell is left as it was");
    assert_eq!(
        stderr(&out),
        format!(
            "ssoenv: no SSO session is configured, and the token cache is signed in to 2 portals: \
             {OTHER_START_URL} (eu-west-1), {START_URL} ({REGION}) — choose one: set sso_start_url and sso_region \
             in ~/.config/ssoenv/config.toml, or pass --profile NAME\n"
        )
    );
    let (ok, err, has_key) = use_from_home(&sandbox, &choice);
    assert!(!ok && !has_key, "{err}");
}

/// A sign-in filed under an sso_session name ssoenv never signed in to (the
/// AWS CLI's, or an older ssoenv's): the cache cannot say the name, so the
/// error says what to set.
#[test]
fn with_nothing_configured_a_sign_in_under_an_unknown_name_says_what_to_set() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let choice = format!("{}/ReadOnly", sandbox.account_id());
    let out = sandbox.ssoenv(&sandbox.home(), &["use", "--shell", "bash", &choice]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        format!(
            "ssoenv: no SSO session is configured, and the token cache's one sign-in, to {START_URL} ({REGION}), \
             is filed under an sso_session name ssoenv does not know — set sso_session, sso_start_url and sso_region \
             in ~/.config/ssoenv/config.toml, or pass --profile NAME\n"
        )
    );
}

// ----- botocore --------------------------------------------------------------------------

#[test]
fn botocore_uses_the_token_ssoenv_wrote() {
    let Some(python) = harness::python() else {
        return;
    };
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    device_login(&sandbox, &project);
    write_aws_config(&sandbox, "ReadOnly");
    let boto = botocore_credentials(&sandbox, &python);
    assert_eq!(boto["method"], "sso");
    assert!(boto["access_key_id"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
    assert_eq!(
        sandbox.emulator.calls(Operation::CreateToken),
        1,
        "botocore took the token as it was"
    );
}

#[test]
fn ssoenv_uses_a_token_botocore_refreshed() {
    let Some(python) = harness::python() else {
        return;
    };
    let sandbox = Sandbox::new();
    // 8 minutes left: inside botocore's refresh window (15 min), outside ssoenv's (5 min).
    let old = sandbox.login(Duration::from_secs(8 * 60));
    write_aws_config(&sandbox, "ReadOnly");
    let boto = botocore_credentials(&sandbox, &python);
    assert_eq!(boto["method"], "sso");
    assert_eq!(
        sandbox.emulator.calls(Operation::CreateToken),
        1,
        "botocore refreshed"
    );
    let refreshed = read_json(&sandbox.token_cache_file());
    assert_ne!(refreshed["accessToken"], old.access_token.as_str());
    // Only the refreshed token works now.
    assert!(sandbox.emulator.revoke_token(&old.access_token));

    let project = sandbox.allowed_project("app", "ReadOnly", "");
    credentials_of(&sandbox, &project);
    assert_eq!(
        sandbox.emulator.calls(Operation::CreateToken),
        1,
        "ssoenv made no CreateToken call of its own"
    );
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 2);
}

// ----- refresh tokens --------------------------------------------------------------------

#[test]
fn a_refresh_rejected_with_invalid_grant_asks_for_a_login() {
    let sandbox = Sandbox::new();
    let mut token = sandbox.login(Duration::from_secs(3600));
    token.expires_at = SystemTime::now() - Duration::from_secs(60);
    sandbox.write_token(SESSION, &token);
    sandbox
        .emulator
        .revoke_token(token.refresh_token.as_deref().unwrap());
    let project = sandbox.allowed_project("app", "ReadOnly", "");

    let out = sandbox.ssoenv(&project, &["export-credentials"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ssoenv: SSO session 'dev' expired — run 'ssoenv login'\n"
    );
    assert_eq!(sandbox.emulator.calls(Operation::CreateToken), 1);
    let body = &bodies(&sandbox, Operation::CreateToken)[0];
    assert_eq!(body["grantType"], "refresh_token");
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 0);
    // The cache is left as it was for the user's next login.
    assert_eq!(
        read_json(&sandbox.token_cache_file())["accessToken"],
        token.access_token.as_str()
    );
}

#[test]
fn a_token_with_minutes_left_still_works_when_its_refresh_fails() {
    let sandbox = Sandbox::new();
    let token = sandbox.login(Duration::from_secs(3 * 60));
    sandbox.emulator.inject_fault(
        Operation::CreateToken,
        Fault::error(
            400,
            "InvalidGrantException",
            "Invalid refresh token provided",
        ),
    );
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    credentials_of(&sandbox, &project);
    assert_eq!(sandbox.emulator.calls(Operation::CreateToken), 1);
    assert_eq!(
        read_json(&sandbox.token_cache_file())["accessToken"],
        token.access_token.as_str()
    );
}

#[test]
fn a_token_near_expiry_is_refreshed_and_rotated() {
    let sandbox = Sandbox::new();
    let token = sandbox.login(Duration::from_secs(3 * 60));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    credentials_of(&sandbox, &project);
    assert_eq!(sandbox.emulator.calls(Operation::CreateToken), 1);
    let refreshed = read_json(&sandbox.token_cache_file());
    assert_ne!(refreshed["accessToken"], token.access_token.as_str());
    assert_ne!(
        refreshed["refreshToken"],
        token.refresh_token.as_deref().unwrap(),
        "the rotated refresh token is kept"
    );
    assert_eq!(
        refreshed["clientSecret"],
        token.client.as_ref().unwrap().client_secret.as_str()
    );
}

// ----- the hook and login / logout ---------------------------------------------------

/// `ssoenv export json` in `cwd` with the variables a previous prompt set.
fn export_json(
    sandbox: &Sandbox,
    cwd: &Path,
    env: &serde_json::Map<String, serde_json::Value>,
) -> (serde_json::Map<String, serde_json::Value>, String) {
    let mut cmd = sandbox.command(cwd);
    for (name, value) in env {
        cmd.env(name, value.as_str().unwrap());
    }
    let out = cmd.args(["export", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut next = env.clone();
    if out.stdout.is_empty() {
        // Nothing changed: the hook's fast path prints nothing.
        return (next, stderr(&out));
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in json["unset"].as_array().unwrap() {
        next.remove(name.as_str().unwrap());
    }
    for (name, value) in json["set"].as_object().unwrap() {
        next.insert(name.clone(), value.clone());
    }
    (next, stderr(&out))
}

#[test]
fn the_hook_never_logs_in_and_picks_up_a_login_at_the_next_prompt() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let (env, said) = export_json(&sandbox, &project, &serde_json::Map::new());
    assert_eq!(
        said,
        "ssoenv: not signed in to SSO session 'dev' — run 'ssoenv login'\n"
    );
    assert!(!env.contains_key("AWS_ACCESS_KEY_ID"));
    assert_eq!(
        sandbox.emulator.total_calls(),
        0,
        "the hook starts no login"
    );
    // Said once, not at every prompt.
    let (env, said) = export_json(&sandbox, &project, &env);
    assert_eq!(said, "");

    let login_said = device_login(&sandbox, &project);
    assert!(login_said.contains("shells in its projects pick up credentials at their next prompt"));
    let (env, said) = export_json(&sandbox, &project, &env);
    assert!(env.contains_key("AWS_ACCESS_KEY_ID"), "{said}");
    assert!(said.starts_with("ssoenv: loaded "), "{said}");
}

#[test]
fn logout_ends_the_session_and_removes_its_token_and_every_role_credential() {
    let sandbox = Sandbox::new();
    let token = sandbox.login(Duration::from_secs(3600));
    let app = sandbox.allowed_project("app", "ReadOnly", "");
    let admin = sandbox.allowed_project("admin", "AdministratorAccess", "");
    // Another session on the same start URL keeps its token and credentials.
    let other_token = sandbox.emulator.issue_token(Duration::from_secs(3600));
    let other_cache = sandbox.write_token("other", &other_token);
    let other = sandbox.home().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(
        other.join(".awssso.toml"),
        format!(
            "sso_session = \"other\"\nsso_start_url = \"{START_URL}\"\nsso_region = \"{REGION}\"\n\
             sso_account_id = \"{}\"\nsso_role_name = \"ReadOnly\"\n",
            sandbox.account_id()
        ),
    )
    .unwrap();
    assert!(sandbox.ssoenv(&other, &["allow"]).status.success());
    credentials_of(&sandbox, &admin);
    credentials_of(&sandbox, &other);
    // The shell in `app` has credentials loaded by the hook.
    let (env, _) = export_json(&sandbox, &app, &serde_json::Map::new());
    assert!(env.contains_key("AWS_ACCESS_KEY_ID"));
    let cached = fs::read_dir(sandbox.credential_cache_dir())
        .unwrap()
        .count();
    assert_eq!(cached, 3);
    // And the AWS CLI cached role credentials for the same role.
    let cli_cache = sandbox.home().join(".aws/cli/cache");
    fs::create_dir_all(&cli_cache).unwrap();
    let cli_key = support::sha1_hex(&format!(
        "{{\"accountId\":\"{}\",\"roleName\":\"ReadOnly\",\"sessionName\":\"dev\"}}",
        sandbox.account_id()
    ));
    let cli_file = cli_cache.join(format!("{cli_key}.json"));
    fs::write(&cli_file, "{\"ProviderType\":\"sso\",\"Credentials\":{}}").unwrap();

    let out = sandbox.ssoenv(&app, &["logout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "ssoenv: signed out of SSO session 'dev': removed the token and 3 cached role credentials\n"
    );
    assert_eq!(sandbox.emulator.calls(Operation::Logout), 1);
    assert!(!sandbox.emulator.token_is_valid(&token.access_token));
    assert!(!sandbox.token_cache_file().exists());
    assert!(!cli_file.exists());
    let left: Vec<PathBuf> = fs::read_dir(sandbox.credential_cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(other_cache.exists());
    assert!(sandbox.emulator.token_is_valid(&other_token.access_token));
    credentials_of(&sandbox, &other);

    // The shell drops the credentials at its next prompt.
    let mut cmd = sandbox.command(&app);
    for (name, value) in &env {
        cmd.env(name, value.as_str().unwrap());
    }
    let out = cmd.args(["export", "bash"]).output().unwrap();
    let code = stdout(&out);
    assert!(
        code.contains("else \\builtin unset -v AWS_ACCESS_KEY_ID; fi"),
        "{code}"
    );
    let old_key = env["AWS_ACCESS_KEY_ID"].as_str().unwrap();
    assert!(!code.contains(old_key), "{code}");
    assert_eq!(
        stderr(&out),
        "ssoenv: not signed in to SSO session 'dev' — run 'ssoenv login'\n"
    );

    // Again: nothing left to do.
    let out = sandbox.ssoenv(&app, &["logout"]);
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        "ssoenv: not signed in to SSO session 'dev'; nothing to remove\n"
    );
    assert_eq!(sandbox.emulator.calls(Operation::Logout), 1);
}

#[test]
fn logout_cleans_up_even_when_the_portal_fails() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let app = sandbox.allowed_project("app", "ReadOnly", "");
    credentials_of(&sandbox, &app);
    sandbox.emulator.inject_fault(
        Operation::Logout,
        Fault::error(400, "InvalidRequestException", "nope"),
    );
    let out = sandbox.ssoenv(&app, &["logout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "ssoenv: the SSO portal did not confirm the sign-out (the SSO portal refused the request \
         (InvalidRequestException: nope)); removed the local token and credentials anyway\n\
         ssoenv: signed out of SSO session 'dev': removed the token and 1 cached role credential\n"
    );
    assert!(!sandbox.token_cache_file().exists());
    assert_eq!(
        fs::read_dir(sandbox.credential_cache_dir())
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn logout_after_the_session_ended_elsewhere_is_quiet() {
    let sandbox = Sandbox::new();
    let token = sandbox.login(Duration::from_secs(3600));
    sandbox.emulator.revoke_token(&token.access_token);
    let app = sandbox.allowed_project("app", "ReadOnly", "");
    let out = sandbox.ssoenv(&app, &["logout"]);
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        "ssoenv: signed out of SSO session 'dev': removed the token and 0 cached role credentials\n"
    );
    assert!(!sandbox.token_cache_file().exists());
}
