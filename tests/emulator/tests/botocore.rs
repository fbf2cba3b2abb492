//! Fidelity with an independent client: botocore (the AWS CLI's and boto3's
//! core) drives the emulator through the Python scripts in `botocore/`. The
//! endpoint reaches botocore the way users point it elsewhere, through
//! `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_STS`.
//! For STS that makes botocore an independent SigV4 signer, which the
//! emulator must verify.
//!
//! Needs a Python with botocore and boto3 (see `sso_emulator::harness`):
//! skipped with a message on a developer machine without one, a failure
//! under `CI=true`.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use sso_emulator::{Account, AssumableRole, Emulator, harness};

use common::{Program, now_epoch_seconds, raw_request};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("botocore")
        .join(name)
}

/// A hermetic environment: nothing from the developer's AWS setup leaks in
/// (no profile, no credentials, no config), and no metadata-service probes.
fn python_command(python: &Path, home: &Path, script_name: &str) -> Command {
    let mut command = Command::new(python);
    command
        .arg(script(script_name))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    command
}

/// The JSON summary a script prints as its last stdout line.
fn last_json_line(output: &Output, what: &str) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("{what} printed nothing; stderr:\n{stderr}"));
    serde_json::from_str(line)
        .unwrap_or_else(|error| panic!("{what}: last line is not JSON ({error}): {line}"))
}

#[test]
fn botocore_registers_starts_device_authorization_and_gets_a_token_after_approval() {
    let Some(python) = harness::python() else {
        return;
    };
    let emulator = Emulator::start();
    let home = tempfile::tempdir().expect("temp HOME");
    let mut child = python_command(&python, home.path(), "device_flow.py")
        .env("AWS_ENDPOINT_URL_SSO_OIDC", emulator.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|error| {
        let mut stderr = String::new();
        let _ = child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr);
        panic!("device_flow.py did not print its user code ({error}): {first:?}\nstderr:\n{stderr}")
    });
    let user_code = started["userCode"].as_str().expect("userCode");
    assert!(
        emulator.approve_device(user_code),
        "the code botocore printed is pending in the emulator"
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"approved\n")
        .expect("tell the script");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("rest of stdout");
    let output = child.wait_with_output().expect("wait");
    let summary = last_json_line(
        &Output {
            stdout: rest.into_bytes(),
            ..output
        },
        "device_flow.py",
    );

    let now = now_epoch_seconds();
    let issued_at = summary["registration"]["clientIdIssuedAt"]
        .as_i64()
        .expect("clientIdIssuedAt is an integer");
    assert!(
        (issued_at - now).abs() < 30,
        "clientIdIssuedAt in epoch seconds: {summary}"
    );
    let expires_at = summary["registration"]["clientSecretExpiresAt"]
        .as_i64()
        .expect("clientSecretExpiresAt");
    assert!(
        expires_at > now + 89 * 86_400,
        "registration lasts ~90 days: {summary}"
    );
    assert_eq!(summary["start"]["interval"], 1);
    assert_eq!(summary["start"]["expiresIn"], 600);
    assert_eq!(
        summary["pending"]["code"], "AuthorizationPendingException",
        "botocore must see the pending poll as its modelled AuthorizationPendingException: {summary}"
    );
    assert_eq!(summary["pending"]["status"], 400);
    assert_eq!(summary["token"]["tokenType"], "Bearer");
    assert_eq!(summary["token"]["expiresIn"], 8 * 3600);
    let access_token = summary["token"]["accessToken"]
        .as_str()
        .expect("accessToken");
    assert!(
        emulator.token_is_valid(access_token),
        "the token botocore received is accepted by the portal"
    );
    assert_eq!(emulator.calls(sso_emulator::Operation::CreateToken), 2);
}

#[test]
fn botocore_pages_accounts_gets_role_credentials_and_names_unauthorized() {
    let Some(python) = harness::python() else {
        return;
    };
    let emulator = Emulator::start();
    emulator.generate_accounts(250, &["AdministratorAccess", "ReadOnly"]);
    emulator.set_credential_lifetime(Duration::from_secs(3600));
    let token = emulator.issue_token(Duration::from_secs(3600));
    let home = tempfile::tempdir().expect("temp HOME");
    let output = python_command(&python, home.path(), "portal.py")
        .arg(&token.access_token)
        .env("AWS_ENDPOINT_URL_SSO", emulator.url())
        .output()
        .expect("run python");
    let summary = last_json_line(&output, "portal.py");

    let ids: Vec<&str> = summary["accountIds"]
        .as_array()
        .expect("accountIds")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        ids.len(),
        250,
        "botocore's paginator must see every account once"
    );
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 250, "no account twice");
    assert_eq!(summary["pages"], 3, "PageSize 100 over 250 accounts");
    assert_eq!(
        summary["roles"],
        serde_json::json!(["AdministratorAccess", "ReadOnly"])
    );
    assert_eq!(summary["roleAccountIds"], serde_json::json!([ids[249]]));

    let credentials = &summary["credentials"];
    let key = credentials["accessKeyId"].as_str().expect("accessKeyId");
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(credentials["secretAccessKeyLength"], 40);
    assert!(credentials["sessionTokenLength"].as_u64().unwrap_or(0) > 300);
    assert_eq!(
        credentials["expirationIsInt"], true,
        "botocore parses expiration as an integer (a JSON number)"
    );
    let expiration_ms = credentials["expiration"].as_i64().expect("expiration");
    let expected_ms = (now_epoch_seconds() + 3600) * 1000;
    assert!(
        (expiration_ms - expected_ms).abs() < 30_000,
        "expiration in epoch ms, 1 h ahead: {expiration_ms} vs {expected_ms}"
    );

    assert_eq!(
        summary["badToken"],
        serde_json::json!({
            "modeled": true,
            "code": "UnauthorizedException",
            "message": "Session token not found or invalid",
            "status": 401
        }),
        "botocore must raise its modelled UnauthorizedException for a bad token"
    );
}

/// Runs `sso-emulator --write-token-cache` and lets botocore's SSO credential
/// provider load that cache for a profile; the emulator must have served
/// exactly one GetRoleCredentials.
fn credential_provider_reads_the_cache(cache_args: &[&str], config: &str) {
    let Some(python) = harness::python() else {
        return;
    };
    let home = tempfile::tempdir().expect("temp HOME");
    let home_arg = home.path().to_str().expect("utf-8 temp path");
    let mut args = vec![
        "--credential-lifetime",
        "2h",
        "--write-token-cache",
        home_arg,
    ];
    args.extend_from_slice(cache_args);
    let mut program = Program::start(&args);
    std::fs::write(home.path().join("aws-config"), config).expect("write AWS config");

    let output = python_command(&python, home.path(), "credential_provider.py")
        .arg("emu")
        .env("AWS_ENDPOINT_URL_SSO", &program.url)
        .output()
        .expect("run python");
    let (status, stderr) = program.stop();
    let summary = last_json_line(&output, "credential_provider.py");
    assert!(
        status.success(),
        "the program exits cleanly on SIGTERM: {status:?}"
    );

    assert_eq!(
        summary["method"], "sso",
        "botocore used its SSO provider: {summary}"
    );
    let key = summary["accessKeyId"].as_str().expect("accessKeyId");
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(summary["secretAccessKeyLength"], 40);
    assert!(summary["sessionTokenLength"].as_u64().unwrap_or(0) > 300);
    let expires_in = summary["expiresInSeconds"].as_f64().expect("expiry");
    assert!(
        (expires_in - 7200.0).abs() < 60.0,
        "botocore reads the 2 h expiry from epoch ms: {expires_in}"
    );
    let fetches = stderr
        .iter()
        .filter(|line| line.starts_with("GetRoleCredentials ") && line.ends_with(" 200"))
        .count();
    assert_eq!(
        fetches,
        1,
        "exactly one GetRoleCredentials; emulator log:\n{}",
        stderr.join("\n")
    );
    assert!(
        stderr
            .iter()
            .any(|line| line.starts_with("wrote token cache ")),
        "{stderr:?}"
    );
}

#[test]
fn botocore_sso_session_profile_uses_the_token_cache_the_program_wrote() {
    credential_provider_reads_the_cache(
        &[
            "--sso-session",
            "dev",
            "--start-url",
            "https://d-1234567890.awsapps.com/start",
            "--region",
            "us-east-1",
        ],
        "[profile emu]\n\
         sso_session = dev\n\
         sso_account_id = 100000000001\n\
         sso_role_name = ReadOnly\n\
         region = eu-west-1\n\
         \n\
         [sso-session dev]\n\
         sso_start_url = https://d-1234567890.awsapps.com/start\n\
         sso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n",
    );
}

#[test]
fn botocore_legacy_profile_uses_the_start_url_keyed_cache_the_program_wrote() {
    credential_provider_reads_the_cache(
        &[
            "--start-url",
            "https://d-1234567890.awsapps.com/start",
            "--region",
            "us-east-1",
        ],
        "[profile emu]\n\
         sso_start_url = https://d-1234567890.awsapps.com/start\n\
         sso_region = us-east-1\n\
         sso_account_id = 100000000002\n\
         sso_role_name = AdministratorAccess\n",
    );
}

/// Role credentials from the portal, as the JSON object `sts.py` reads.
fn portal_keys(emulator: &Emulator, account_id: &str, role_name: &str) -> Value {
    let token = emulator.issue_token(Duration::from_secs(3600));
    let response = raw_request(
        &emulator.url(),
        "GET",
        &format!("/federation/credentials?role_name={role_name}&account_id={account_id}"),
        &[("x-amz-sso_bearer_token", &token.access_token)],
        "",
    );
    assert_eq!(response.status, 200, "{response:?}");
    let credentials = &response.json()["roleCredentials"];
    json!({
        "accessKeyId": credentials["accessKeyId"],
        "secretAccessKey": credentials["secretAccessKey"],
        "sessionToken": credentials["sessionToken"],
    })
}

#[test]
fn botocore_signs_sts_calls_the_emulator_verifies_and_its_assume_role_provider_chains() {
    let Some(python) = harness::python() else {
        return;
    };
    let emulator = Emulator::start();
    emulator.set_accounts(vec![Account::new("111111111111", "Dev", &["Admin"])]);
    emulator.set_user_name("grace@example.com");
    let role_arn = "arn:aws:iam::222222222222:role/Deploy";
    emulator.create_role(
        AssumableRole::new(role_arn)
            .trust_role(&emulator.sso_role_arn("111111111111", "Admin"))
            .external_id("botocore-external-id"),
    );
    emulator.set_credential_lifetime(Duration::from_secs(1));
    let expired = portal_keys(&emulator, "111111111111", "Admin");
    emulator.set_credential_lifetime(Duration::from_secs(3600));
    let sso = portal_keys(&emulator, "111111111111", "Admin");
    std::thread::sleep(Duration::from_millis(1200));

    let home = tempfile::tempdir().expect("temp HOME");
    std::fs::write(
        home.path().join("aws-credentials"),
        format!(
            "[source]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            sso["accessKeyId"].as_str().expect("key"),
            sso["secretAccessKey"].as_str().expect("secret"),
            sso["sessionToken"].as_str().expect("token"),
        ),
    )
    .expect("write the credentials file");
    std::fs::write(
        home.path().join("aws-config"),
        format!(
            "[profile source]\nregion = eu-west-1\n\n\
             [profile chained]\nrole_arn = {role_arn}\nsource_profile = source\n\
             role_session_name = botocore-provider\nexternal_id = botocore-external-id\n\
             region = eu-west-1\n"
        ),
    )
    .expect("write the config file");

    let mut child = python_command(&python, home.path(), "sts.py")
        .env("AWS_ENDPOINT_URL_STS", emulator.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    let input = json!({
        "sso": sso,
        "expired": expired,
        "roleArn": role_arn,
        "externalId": "botocore-external-id",
    });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("hand the credentials over");
    let output = child.wait_with_output().expect("wait");
    let summary = last_json_line(&output, "sts.py");

    let sso_caller = emulator.sso_caller_arn("111111111111", "Admin");
    assert!(sso_caller.ends_with("/grace@example.com"), "{sso_caller}");
    assert_eq!(summary["identity"]["arn"], sso_caller.as_str(), "{summary}");
    assert_eq!(summary["identity"]["account"], "111111111111");
    let user_id = summary["identity"]["userId"].as_str().expect("UserId");
    assert!(
        user_id.starts_with("AROA") && user_id.ends_with(":grace@example.com"),
        "{user_id}"
    );

    assert_eq!(
        summary["assumed"]["arn"],
        "arn:aws:sts::222222222222:assumed-role/Deploy/botocore-test"
    );
    assert!(
        summary["assumed"]["assumedRoleId"]
            .as_str()
            .is_some_and(|id| id.starts_with("AROA") && id.ends_with(":botocore-test")),
        "{summary}"
    );
    assert!(
        summary["assumed"]["expiration"]
            .as_str()
            .is_some_and(|expiration| expiration.ends_with("+00:00")),
        "botocore parsed Expiration as a UTC timestamp: {summary}"
    );
    assert_eq!(
        summary["assumedIdentity"],
        json!({
            "arn": "arn:aws:sts::222222222222:assumed-role/Deploy/botocore-test",
            "account": "222222222222"
        })
    );

    assert_eq!(
        summary["badSignature"],
        json!({
            "code": "SignatureDoesNotMatch",
            "message": "The request signature we calculated does not match the signature you provided. \
                        Check your AWS Secret Access Key and signing method. Consult the service \
                        documentation for details.",
            "type": "Sender",
            "status": 403
        })
    );
    assert_eq!(
        summary["expired"],
        json!({
            "code": "ExpiredToken",
            "message": "The security token included in the request is expired",
            "type": "Sender",
            "status": 400
        })
    );

    assert_eq!(
        summary["provider"]["method"], "assume-role",
        "botocore's own AssumeRoleProvider made the credentials: {summary}"
    );
    assert_eq!(
        summary["provider"]["arn"],
        "arn:aws:sts::222222222222:assumed-role/Deploy/botocore-provider"
    );
    let provided_key = summary["provider"]["accessKeyId"].as_str().expect("key");
    assert_eq!(
        emulator.caller_arn(provided_key).as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/botocore-provider"),
        "the provider's credentials are the emulator's"
    );
    assert_eq!(
        emulator.calls(sso_emulator::Operation::AssumeRole),
        2,
        "the script's AssumeRole and the provider's"
    );
}
