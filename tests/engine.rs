//! The credential engine end to end: the real binary, a temporary home, the
//! emulator on loopback, and botocore as the independent client.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use sso_emulator::{Fault, Operation};
use support::{Sandbox, access_key, credentials_of, env_lines, harness, stderr, stdout};

fn botocore_credentials(sandbox: &Sandbox, python: &Path, profile: &str) -> serde_json::Value {
    let script = harness::workspace_root().join("tests/interop/profile_credentials.py");
    let mut cmd = Command::new(python);
    sandbox.apply_env(&mut cmd);
    let out = cmd.arg(script).arg(profile).output().expect("run python");
    assert!(
        out.status.success(),
        "botocore failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the botocore script")
}

#[test]
fn a_token_cached_by_the_aws_cli_is_used_and_botocore_agrees_via_credential_process() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");

    let vars = credentials_of(&sandbox, &project);
    let names: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION"
        ],
        "same names and order as the AWS CLI"
    );
    let expiration = &vars[3].1;
    assert!(
        expiration.ends_with('Z') && expiration.len() == 20,
        "ISO 8601 UTC: {expiration}"
    );
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);

    let Some(python) = harness::python() else {
        return;
    };
    let config = format!(
        "[profile via-ssoenv]\ncredential_process = {} credential-process --config {}\n",
        env!("CARGO_BIN_EXE_ssoenv"),
        project.join(".awssso.toml").display()
    );
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(sandbox.home().join(".aws/config"), config).unwrap();
    let boto = botocore_credentials(&sandbox, &python, "via-ssoenv");
    assert_eq!(boto["method"], "custom-process");
    assert_eq!(boto["access_key_id"], access_key(&vars));
    assert_eq!(boto["secret_access_key"], vars[1].1);
    assert_eq!(boto["session_token"], vars[2].1);
    assert_eq!(
        sandbox.emulator.calls(Operation::GetRoleCredentials),
        1,
        "credential_process served botocore from the cache"
    );
}

#[test]
fn fifty_concurrent_callers_make_one_request_and_leave_a_private_cache() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "");

    let children: Vec<_> = (0..50)
        .map(|_| {
            sandbox
                .command(&project)
                .args(["export-credentials", "--format", "env-no-export"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn ssoenv")
        })
        .collect();
    let keys: Vec<String> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "a caller failed: {}", stderr(&out));
            access_key(&env_lines(&stdout(&out)))
        })
        .collect();
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "every caller got the same credentials"
    );
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);

    let dir = sandbox.credential_cache_dir();
    let files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one cache file, no temporary leftovers: {files:?}"
    );
    let parsed: serde_json::Value = serde_json::from_slice(&fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(parsed["credentials"]["accessKeyId"], keys[0]);
    assert_eq!(
        fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    for private_dir in [dir.as_path(), dir.parent().unwrap()] {
        assert_eq!(
            fs::metadata(private_dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}

#[test]
fn credentials_near_expiry_are_renewed() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(4));
    let project = sandbox.allowed_project("app", "ReadOnly", "");

    let first = access_key(&credentials_of(&sandbox, &project));
    let again = access_key(&credentials_of(&sandbox, &project));
    assert_eq!(first, again, "fresh credentials come from the cache");
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);

    // Past half their life the credentials are renewed (refresh_before is
    // capped at half the lifetime, so short-lived credentials stay usable).
    std::thread::sleep(Duration::from_millis(2300));
    let renewed = access_key(&credentials_of(&sandbox, &project));
    assert_ne!(first, renewed);
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 2);
}

#[test]
fn an_expired_refreshable_token_is_refreshed_and_the_result_still_loads_in_botocore() {
    let sandbox = Sandbox::new();
    let mut token = sandbox.login(Duration::from_secs(8 * 3600));
    token.expires_at = SystemTime::now() - Duration::from_secs(60);
    let cache = sandbox.write_token(support::SESSION, &token);
    let project = sandbox.allowed_project("app", "ReadOnly", "");

    credentials_of(&sandbox, &project);
    assert_eq!(
        sandbox.emulator.calls(Operation::CreateToken),
        1,
        "one refresh"
    );
    let refreshed: serde_json::Value = serde_json::from_slice(&fs::read(&cache).unwrap()).unwrap();
    assert_ne!(refreshed["accessToken"], token.access_token.as_str());
    assert_eq!(refreshed["startUrl"], support::START_URL);
    assert_eq!(
        refreshed["clientId"],
        token.client.as_ref().unwrap().client_id.as_str()
    );
    let expires = refreshed["expiresAt"].as_str().unwrap();
    assert!(
        expires.ends_with('Z') && expires.len() == 20,
        "CLI timestamp form: {expires}"
    );
    assert_eq!(
        fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let Some(python) = harness::python() else {
        return;
    };
    let config = format!(
        "[sso-session dev]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n\n\
         [profile boto]\nsso_session = dev\nsso_account_id = {}\nsso_role_name = ReadOnly\n",
        support::START_URL,
        support::REGION,
        sandbox.account_id()
    );
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(sandbox.home().join(".aws/config"), config).unwrap();
    let boto = botocore_credentials(&sandbox, &python, "boto");
    assert_eq!(boto["method"], "sso");
    assert_eq!(
        sandbox.emulator.calls(Operation::CreateToken),
        1,
        "botocore used the refreshed token as is"
    );
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 2);
}

#[test]
fn an_expired_token_that_cannot_be_refreshed_asks_for_a_login() {
    let sandbox = Sandbox::new();
    let mut token = sandbox.emulator.issue_token(Duration::from_secs(3600));
    token.expires_at = SystemTime::now() - Duration::from_secs(1);
    sandbox.write_token(support::SESSION, &token);
    let project = sandbox.allowed_project("app", "ReadOnly", "");

    let out = sandbox.ssoenv(&project, &["export-credentials"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ssoenv: SSO session 'dev' expired — run 'ssoenv login'\n"
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(
        sandbox.emulator.total_calls(),
        0,
        "nothing to ask AWS without a token"
    );
}

#[test]
fn without_any_login_the_error_says_how_to_sign_in() {
    let sandbox = Sandbox::new();
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let out = sandbox.ssoenv(&project, &["credential-process"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ssoenv: not signed in to SSO session 'dev' — run 'ssoenv login'\n"
    );
}

#[test]
fn a_revoked_token_asks_for_a_login() {
    let sandbox = Sandbox::new();
    let token = sandbox.login(Duration::from_secs(3600));
    sandbox.emulator.revoke_token(&token.access_token);
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let out = sandbox.ssoenv(&project, &["export-credentials"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ssoenv: SSO session 'dev' expired — run 'ssoenv login'\n"
    );
}

#[test]
fn an_untrusted_project_is_refused_until_allowed() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.project("app", "ReadOnly", "");
    let out = sandbox.ssoenv(&project, &["export-credentials"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ssoenv: .awssso.toml at ~/app/.awssso.toml is not allowed — run 'ssoenv allow'\n"
    );
    assert_eq!(sandbox.emulator.total_calls(), 0);
    // An explicit --config is the user's own choice and needs no allow.
    let out = sandbox.ssoenv(
        &project,
        &["export-credentials", "--config", ".awssso.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn every_output_format_names_the_same_credentials() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(3600));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    let key = access_key(&credentials_of(&sandbox, &project));
    let account = sandbox.account_id();
    let expect = [
        ("env", format!("export AWS_ACCESS_KEY_ID={key}\n")),
        ("fish", format!("set -gx AWS_ACCESS_KEY_ID {key}\n")),
        ("powershell", format!("$Env:AWS_ACCESS_KEY_ID=\"{key}\"\n")),
        (
            "ini",
            format!("[{account}_ReadOnly]\naws_access_key_id = {key}\n"),
        ),
    ];
    for (format, start) in expect {
        let out = sandbox.ssoenv(&project, &["export-credentials", "--format", format]);
        assert!(
            stdout(&out).starts_with(&start),
            "{format}: {}",
            stdout(&out)
        );
    }
    let out = sandbox.ssoenv(&project, &["export-credentials", "--format", "process"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], key.as_str());
    assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 1);
}

#[test]
fn portal_faults_give_one_clear_line_within_the_deadline_and_leave_caches_intact() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(4));
    let project = sandbox.allowed_project("app", "ReadOnly", "");
    credentials_of(&sandbox, &project);
    std::thread::sleep(Duration::from_millis(2300)); // renewal is now due
    let cache = fs::read_dir(sandbox.credential_cache_dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let cached = fs::read(&cache).unwrap();
    let token_cache = fs::read(sandbox.token_cache_file()).unwrap();
    let url = sandbox.emulator.url();

    let cases: [(Fault, String); 5] = [
        (
            Fault::error(500, "InternalServerException", "boom"),
            "ssoenv: the SSO portal refused the request (InternalServerException: boom) — try again later\n".into(),
        ),
        (
            Fault::error(429, "TooManyRequestsException", "slow down"),
            "ssoenv: the SSO portal is throttling requests (TooManyRequestsException) — try again in a minute\n".into(),
        ),
        (
            Fault::delay(Duration::from_secs(30)),
            format!("ssoenv: no answer from the SSO portal at {url} in time — check your network, or try again\n"),
        ),
        (
            Fault::garbage_body(),
            format!("ssoenv: the SSO portal at {url} sent an answer ssoenv cannot use (unreadable response) — try again later\n"),
        ),
        (
            Fault::drop_connection(),
            format!("ssoenv: cannot reach the SSO portal at {url} (connection closed before message completed) — check your network and AWS_ENDPOINT_URL_SSO\n"),
        ),
    ];
    for (fault, expected) in cases {
        sandbox.emulator.clear_faults();
        sandbox
            .emulator
            .inject_fault(Operation::GetRoleCredentials, fault);
        let started = Instant::now();
        let out = sandbox
            .command(&project)
            .env("SSOENV_TIMEOUT", "3s")
            .args(["export-credentials"])
            .output()
            .unwrap();
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(1), "{expected}");
        assert_eq!(stderr(&out), expected);
        assert!(stdout(&out).is_empty());
        assert!(
            took < Duration::from_millis(4500),
            "{expected} took {took:?}"
        );
        assert_eq!(
            fs::read(&cache).unwrap(),
            cached,
            "credential cache intact after {expected}"
        );
        assert_eq!(fs::read(sandbox.token_cache_file()).unwrap(), token_cache);
    }
}
