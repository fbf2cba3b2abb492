//! `token_store = "keyring"` against a real Secret Service: gnome-keyring
//! on a D-Bus session bus of its own (`dbus-run-session`), its login
//! keyring unlocked with a test password, `secret-tool` (libsecret) as the
//! independent client that looks into it, the AWS CLI as the tool that
//! must go on working off the access token, and the emulator counting the
//! refresh grants.
#![cfg(target_os = "linux")]

mod support;

use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sso_emulator::Operation;
use support::{REGION, SESSION, START_URL, Sandbox, harness, stderr, stdout};

/// gnome-keyring's Secret Service on a private session bus, for one test.
struct SecretService {
    /// `dbus-run-session -- sh -c '…; exec sleep'`, leader of its own
    /// process group: the bus (and the keyring daemon on it) end with it.
    session: Child,
    daemon: Option<Child>,
    bus: String,
    /// The daemon's home (its keyring files), apart from the sandbox's.
    _dir: tempfile::TempDir,
}

impl SecretService {
    /// `None` (a skip line, a failure under CI) when a tool is missing.
    fn start() -> Option<SecretService> {
        for tool in [
            "dbus-run-session",
            "gnome-keyring-daemon",
            "secret-tool",
            "dbus-send",
        ] {
            harness::require_tool(tool)?;
        }
        let dir = tempfile::tempdir().unwrap();
        let address_file = dir.path().join("bus");
        let script = format!(
            "printf %s \"$DBUS_SESSION_BUS_ADDRESS\" > '{}.tmp' && mv '{0}.tmp' '{0}' && exec sleep 600",
            address_file.display()
        );
        let session = Command::new("dbus-run-session")
            .args(["--", "sh", "-c", &script])
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start dbus-run-session");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !address_file.exists() {
            assert!(Instant::now() < deadline, "dbus-run-session gave no bus");
            std::thread::sleep(Duration::from_millis(20));
        }
        let bus = fs::read_to_string(&address_file).unwrap();
        let mut service = SecretService {
            session,
            daemon: None,
            bus,
            _dir: dir,
        };
        // Creates the login keyring with this password, unlocked; in the
        // foreground, so that the test ends it.
        let mut daemon = service
            .tool("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        let mut stdin = daemon.stdin.take().unwrap();
        stdin.write_all(b"test password").unwrap();
        drop(stdin);
        service.daemon = Some(daemon);
        // Asked before the daemon owns its name, the bus would start
        // another one (D-Bus activation), with no password: wait for it.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !service.name_owned() || service.collection_locked() != Some(false) {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not come up with an unlocked login keyring"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(service)
    }

    /// A tool on this bus.
    fn tool(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", self._dir.path())
            .env("XDG_RUNTIME_DIR", self._dir.path())
            .env_remove("GNOME_KEYRING_CONTROL")
            .stdin(Stdio::null());
        cmd
    }

    /// Sets this bus on a command of the sandbox.
    fn on<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
    }

    /// `secret-tool lookup service ssoenv username ACCOUNT`: the item's
    /// secret, when there is one.
    fn lookup(&self, account: &str) -> Option<String> {
        let out = run_bounded(
            self.tool("secret-tool")
                .args(["lookup", "service", "ssoenv", "username", account]),
        );
        out.status.success().then(|| stdout(&out))
    }

    /// `secret-tool search --all service ssoenv`: what a user finds.
    fn search(&self) -> String {
        let out = run_bounded(
            self.tool("secret-tool")
                .args(["search", "--all", "service", "ssoenv"]),
        );
        format!("{}{}", stdout(&out), stderr(&out))
    }

    /// Whether `org.freedesktop.secrets` has an owner on the bus, asked
    /// of the bus itself (which starts nothing).
    fn name_owned(&self) -> bool {
        let out = run_bounded(self.tool("dbus-send").args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ]));
        stdout(&out).contains("boolean true")
    }

    /// Whether the default collection is locked; `None` while there is
    /// none (the daemon is still starting).
    fn collection_locked(&self) -> Option<bool> {
        let out = run_bounded(self.tool("dbus-send").args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/aliases/default",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ]));
        out.status
            .success()
            .then(|| stdout(&out).contains("boolean true"))
    }

    /// Locks the login keyring, as the screen lock or a timeout does.
    fn lock(&self) {
        let out = run_bounded(self.tool("dbus-send").args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/aliases/default",
        ]));
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(self.collection_locked(), Some(true), "locked");
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(daemon) = &mut self.daemon {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
        // The whole group: dbus-run-session, its shell's sleep, the bus.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.session.id())])
            .status();
        let _ = self.session.wait();
    }
}

/// Runs a test tool, which must not take long.
fn run_bounded(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} hung");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// `ssoenv ARGS` in the sandbox, on the bus, with the keyring on through
/// the user-wide config.toml; bounded in time.
fn ssoenv(
    sandbox: &Sandbox,
    service: Option<&SecretService>,
    cwd: &Path,
    args: &[&str],
) -> (Output, Duration) {
    let mut cmd = sandbox.command(cwd);
    cmd.args(args);
    match service {
        Some(service) => {
            service.on(&mut cmd);
        }
        None => {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        }
    }
    let started = Instant::now();
    let out = run_bounded(&mut cmd);
    (out, started.elapsed())
}

fn keyring_on(sandbox: &Sandbox) {
    let dir = sandbox.home().join(".config/ssoenv");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("config.toml"), "token_store = \"keyring\"\n").unwrap();
}

fn keyring_off(sandbox: &Sandbox) {
    let _ = fs::remove_file(sandbox.home().join(".config/ssoenv/config.toml"));
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).expect("read file")).expect("JSON")
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The files under home that hold any of `needles`, with the needle.
fn files_holding(home: &Path, needles: &[&str]) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for file in walk(home) {
        let bytes = fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for needle in needles {
            if text.contains(needle) {
                found.push((file.clone(), (*needle).to_owned()));
            }
        }
    }
    found
}

/// The secrets the keyring holds for `dev`, as `secret-tool` reads them:
/// the first item is `COUNT\n{json}`.
fn keyring_secrets(service: &SecretService) -> serde_json::Value {
    let secret = service.lookup(SESSION).expect("secret-tool finds the item");
    let (count, json) = secret.split_once('\n').expect("count line");
    assert_eq!(count, "1", "the emulator's secrets fit one item");
    serde_json::from_str(json).expect("JSON in the item")
}

/// The registration's file of the AWS CLI, which holds a client secret.
fn registration_files(sandbox: &Sandbox) -> Vec<PathBuf> {
    walk(&sandbox.home().join(".aws/sso/cache"))
        .into_iter()
        .filter(|file| fs::read_to_string(file).is_ok_and(|text| text.contains("clientSecret")))
        .collect()
}

fn device_login(sandbox: &Sandbox, service: Option<&SecretService>, cwd: &Path) -> Output {
    sandbox.emulator.set_auto_approve(true);
    ssoenv(sandbox, service, cwd, &["login", "--device-code"]).0
}

/// `ssoenv export json` with the variables a previous prompt set: the
/// next variables and what it said.
fn export_json(
    sandbox: &Sandbox,
    service: &SecretService,
    cwd: &Path,
    env: &serde_json::Map<String, serde_json::Value>,
) -> (serde_json::Map<String, serde_json::Value>, String, Duration) {
    let mut cmd = sandbox.command(cwd);
    service.on(&mut cmd);
    for (name, value) in env {
        cmd.env(name, value.as_str().unwrap());
    }
    cmd.args(["export", "json"]);
    let started = Instant::now();
    let out = run_bounded(&mut cmd);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut next = env.clone();
    if !out.stdout.is_empty() {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for name in json["unset"].as_array().unwrap() {
            next.remove(name.as_str().unwrap());
        }
        for (name, value) in json["set"].as_object().unwrap() {
            next.insert(name.clone(), value.clone());
        }
    }
    (next, stderr(&out), took)
}

fn key_of(env: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    env.get("AWS_ACCESS_KEY_ID")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Makes the token file's access token expired (as an hour does) and
/// the role credentials gone, so the next prompt must renew through a
/// refresh.
fn expire_access_token_and_credentials(sandbox: &Sandbox) {
    let file = sandbox.token_cache_file();
    let mut token = read_json(&file);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    fs::write(&file, serde_json::to_vec_pretty(&token).unwrap()).unwrap();
    let credentials = sandbox.credential_cache_dir();
    for file in walk(&credentials) {
        if file.extension().is_some_and(|ext| ext == "json") {
            fs::remove_file(file).unwrap();
        }
    }
}

fn refresh_grants(sandbox: &Sandbox) -> Vec<serde_json::Value> {
    sandbox
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.operation == Operation::CreateToken)
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap())
        .filter(|body| body["grantType"] == "refresh_token")
        .collect()
}

fn write_aws_config(sandbox: &Sandbox) {
    let config = format!(
        "[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n\
         sso_registration_scopes = sso:account:access\n\n\
         [profile boto]\nsso_session = {SESSION}\nsso_account_id = {}\nsso_role_name = ReadOnly\nregion = {REGION}\n",
        sandbox.account_id()
    );
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(sandbox.home().join(".aws/config"), config).unwrap();
}

// ----- the tests ---------------------------------------------------------------------

#[test]
fn login_keeps_the_secrets_in_the_keyring_and_only_the_access_token_on_disk() {
    let Some(service) = SecretService::start() else {
        return;
    };
    let Some(aws) = support::aws_cli() else {
        return;
    };
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");

    // Without the setting, the AWS CLI's files hold every secret: what
    // the checks below would find if the keyring changed nothing.
    let out = device_login(&sandbox, Some(&service), &project);
    assert!(out.status.success(), "{}", stderr(&out));
    let whole = read_json(&sandbox.token_cache_file());
    let old_refresh = whole["refreshToken"]
        .as_str()
        .expect("a refresh token on disk")
        .to_owned();
    let old_client_secret = whole["clientSecret"].as_str().unwrap().to_owned();
    assert!(
        !registration_files(&sandbox).is_empty(),
        "a registration file"
    );
    assert!(!files_holding(&sandbox.home(), &[&old_refresh]).is_empty());
    assert_eq!(service.lookup(SESSION), None, "nothing in the keyring yet");

    // Switched on: the next login moves everything into the keyring.
    keyring_on(&sandbox);
    let out = device_login(&sandbox, Some(&service), &project);
    assert!(out.status.success(), "{}", stderr(&out));

    let secrets = keyring_secrets(&service);
    let refresh_token = secrets["refreshToken"]
        .as_str()
        .expect("refresh token in the keyring");
    let client_secret = secrets["clientSecret"]
        .as_str()
        .expect("client secret in the keyring");
    assert!(
        secrets["clientId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(secrets["registrationExpiresAt"].as_str().is_some());
    // The keyring had no registration, so login registered anew; the
    // AWS CLI's registration file (a client secret) is gone.
    assert!(
        registration_files(&sandbox).is_empty(),
        "{:?}",
        registration_files(&sandbox)
    );

    let file = read_json(&sandbox.token_cache_file());
    let mut keys: Vec<&str> = file
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["accessToken", "expiresAt", "region", "startUrl"]);
    let leaks = files_holding(
        &sandbox.home(),
        &[
            refresh_token,
            client_secret,
            &old_refresh,
            &old_client_secret,
            "refreshToken",
            "clientSecret",
        ],
    );
    assert!(leaks.is_empty(), "secrets on disk: {leaks:?}");

    // A user finds the item by its name.
    let found = service.search();
    assert!(found.contains("attribute.username = dev"), "{found}");
    assert!(
        found.contains("label = ssoenv: SSO session dev (d-1234567890.awsapps.com)"),
        "{found}"
    );

    // The AWS CLI works off the access token the file kept.
    write_aws_config(&sandbox);
    let mut cmd = Command::new(&aws);
    sandbox.apply_env(&mut cmd);
    let out = run_bounded(cmd.args([
        "sts",
        "get-caller-identity",
        "--profile",
        "boto",
        "--query",
        "Arn",
        "--output",
        "text",
    ]));
    assert!(out.status.success(), "aws failed: {}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        sandbox
            .emulator
            .sso_caller_arn(&sandbox.account_id(), "ReadOnly")
    );
    assert_eq!(
        refresh_grants(&sandbox).len(),
        0,
        "the AWS CLI did not refresh"
    );
}

#[test]
fn after_the_access_token_expires_the_renewal_refreshes_from_the_keyring() {
    let Some(service) = SecretService::start() else {
        return;
    };
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    keyring_on(&sandbox);
    let out = device_login(&sandbox, Some(&service), &project);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = keyring_secrets(&service);
    let stored_refresh = before["refreshToken"].as_str().unwrap().to_owned();

    let (env, said, _) = export_json(&sandbox, &service, &project, &serde_json::Map::new());
    let first_key = key_of(&env).unwrap_or_else(|| panic!("no keys: {said}"));
    assert_eq!(
        refresh_grants(&sandbox).len(),
        0,
        "a fresh token needs no refresh"
    );

    expire_access_token_and_credentials(&sandbox);
    let (env, said, _) = export_json(&sandbox, &service, &project, &env);
    let second_key = key_of(&env).unwrap_or_else(|| panic!("no keys: {said}"));
    assert_ne!(second_key, first_key, "new keys: {said}");
    assert!(
        said.contains("loaded") || said.contains("renewed"),
        "{said}"
    );

    // The emulator saw the refresh, with the refresh token of the keyring.
    let grants = refresh_grants(&sandbox);
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0]["refreshToken"], stored_refresh.as_str());

    // The file holds the new access token and again no refresh token;
    // the rotated one is in the keyring.
    let file = read_json(&sandbox.token_cache_file());
    assert!(
        file.get("refreshToken").is_none() && file.get("clientSecret").is_none(),
        "{file}"
    );
    assert_ne!(
        file["expiresAt"], "2020-01-01T00:00:00Z",
        "the new access token's time"
    );
    let after = keyring_secrets(&service);
    let rotated = after["refreshToken"].as_str().unwrap();
    assert_ne!(rotated, stored_refresh, "the rotated refresh token is kept");
    let leaks = files_holding(&sandbox.home(), &[rotated, &stored_refresh, "refreshToken"]);
    assert!(leaks.is_empty(), "secrets on disk: {leaks:?}");
}

#[test]
fn without_a_secret_service_login_fails_loudly_and_writes_nothing() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    keyring_on(&sandbox);
    let out = device_login(&sandbox, None, &project);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let error = text.lines().last().unwrap_or_default();
    assert!(
        error.starts_with("ssoenv: token_store = \"keyring\" in ~/.config/ssoenv/config.toml asks for the OS keyring, but there is none to use: no Secret Service on the session D-Bus"),
        "{text}"
    );
    assert!(error.contains(" — start one"), "{text}");
    // Failed before the browser: nothing registered, nothing on disk.
    assert_eq!(sandbox.emulator.calls(Operation::RegisterClient), 0);
    assert!(!sandbox.token_cache_file().exists());
    assert!(walk(&sandbox.home().join(".aws")).is_empty());

    // SSOENV_TOKEN_STORE says so for one shell, and is named.
    keyring_off(&sandbox);
    let mut cmd = sandbox.command(&project);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("SSOENV_TOKEN_STORE", "keyring")
        .args(["login", "--device-code"]);
    let out = run_bounded(&mut cmd);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("SSOENV_TOKEN_STORE=keyring asks for the OS keyring"),
        "{}",
        stderr(&out)
    );
    assert!(!sandbox.token_cache_file().exists());
}

#[test]
fn with_the_keyring_locked_login_fails_and_a_prompt_says_so_once_without_hanging() {
    let Some(service) = SecretService::start() else {
        return;
    };
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    keyring_on(&sandbox);
    let out = device_login(&sandbox, Some(&service), &project);
    assert!(out.status.success(), "{}", stderr(&out));
    let (env, said, _) = export_json(&sandbox, &service, &project, &serde_json::Map::new());
    assert!(key_of(&env).is_some(), "{said}");
    let stored = keyring_secrets(&service);
    let refresh_token = stored["refreshToken"].as_str().unwrap().to_owned();

    service.lock();
    expire_access_token_and_credentials(&sandbox);
    let token_file_before = fs::read(sandbox.token_cache_file()).unwrap();

    // The prompt that needs a renewal: said once, quickly, no refresh sent.
    let (env, said, took) = export_json(&sandbox, &service, &project, &env);
    assert_eq!(
        said,
        "ssoenv: keyring locked — unlock it, then run 'ssoenv login'\n"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let (_, said, took) = export_json(&sandbox, &service, &project, &env);
    assert_eq!(said, "", "said once");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(refresh_grants(&sandbox).len(), 0);

    // Login fails with the same cause and fix, and writes nothing.
    sandbox.emulator.reset_calls();
    let out = device_login(&sandbox, Some(&service), &project);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).lines().last().unwrap_or_default(),
        "ssoenv: keyring locked — unlock it, then run 'ssoenv login'"
    );
    assert_eq!(sandbox.emulator.calls(Operation::RegisterClient), 0);
    assert_eq!(
        fs::read(sandbox.token_cache_file()).unwrap(),
        token_file_before
    );
    let leaks = files_holding(
        &sandbox.home(),
        &[&refresh_token, "refreshToken", "clientSecret"],
    );
    assert!(leaks.is_empty(), "secrets on disk: {leaks:?}");
    assert_eq!(
        service.collection_locked(),
        Some(true),
        "ssoenv did not unlock it"
    );
}

#[test]
fn logout_removes_the_items() {
    let Some(service) = SecretService::start() else {
        return;
    };
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    keyring_on(&sandbox);
    let out = device_login(&sandbox, Some(&service), &project);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(service.lookup(SESSION).is_some());
    assert!(sandbox.token_cache_file().exists());

    let (out, _) = ssoenv(&sandbox, Some(&service), &project, &["logout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("removed the token"),
        "{}",
        stderr(&out)
    );
    assert_eq!(service.lookup(SESSION), None);
    assert!(!service.search().contains("ssoenv"), "{}", service.search());
    assert!(!sandbox.token_cache_file().exists());
}

#[test]
fn switched_on_a_token_on_disk_moves_into_the_keyring_at_its_refresh() {
    let Some(service) = SecretService::start() else {
        return;
    };
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    // Signed in before the setting was on: everything in the file.
    let out = device_login(&sandbox, Some(&service), &project);
    assert!(out.status.success(), "{}", stderr(&out));
    let whole = read_json(&sandbox.token_cache_file());
    let old_refresh = whole["refreshToken"].as_str().unwrap().to_owned();

    keyring_on(&sandbox);
    // Reading the access token does not open the keyring.
    let (env, said, _) = export_json(&sandbox, &service, &project, &serde_json::Map::new());
    assert!(key_of(&env).is_some(), "{said}");
    assert_eq!(service.lookup(SESSION), None);

    expire_access_token_and_credentials(&sandbox);
    let (env, said, _) = export_json(&sandbox, &service, &project, &env);
    assert!(key_of(&env).is_some(), "{said}");
    let grants = refresh_grants(&sandbox);
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0]["refreshToken"], old_refresh.as_str());
    let moved = keyring_secrets(&service);
    let rotated = moved["refreshToken"].as_str().unwrap();
    let client_secret = moved["clientSecret"].as_str().unwrap();
    assert_eq!(client_secret, whole["clientSecret"].as_str().unwrap());
    let file = read_json(&sandbox.token_cache_file());
    let mut keys: Vec<&str> = file
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["accessToken", "expiresAt", "region", "startUrl"]);
    let leaks = files_holding(&sandbox.home(), &[rotated, client_secret, "refreshToken"]);
    assert!(leaks.is_empty(), "secrets on disk: {leaks:?}");
}
