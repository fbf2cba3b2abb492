//! The `sso-emulator` program as a newcomer or a demo runs it: the first
//! stdout line, the options, serving, the token cache, and a clean exit on
//! SIGTERM.

#[path = "common/aws.rs"]
mod aws;
mod common;

use std::os::unix::fs::PermissionsExt as _;

use common::{Program, param, query_params, raw_request};

/// The access token in the cache file named `<sha1 hex>.json` under `home`.
fn cached_token(home: &std::path::Path, file_name: &str) -> serde_json::Value {
    let path = home.join(".aws/sso/cache").join(file_name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert_eq!(
        std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777,
        0o600,
        "cache file is private"
    );
    serde_json::from_str(&text).expect("cache file is JSON")
}

#[test]
fn prints_its_url_first_serves_the_generated_accounts_and_exits_cleanly() {
    let home = tempfile::tempdir().expect("temp HOME");
    let home_arg = home.path().to_str().expect("utf-8 path");
    let mut program = Program::start(&[
        "--accounts",
        "5",
        "--roles",
        "Admin,Dev,Audit",
        "--write-token-cache",
        home_arg,
        "--start-url",
        "https://d-9999999999.awsapps.com/start",
        "--region",
        "eu-west-1",
    ]);
    let port = program
        .url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| {
            panic!(
                "first line must be `listening on http://127.0.0.1:PORT`, got {:?}",
                program.first_line
            )
        });
    assert_ne!(port, 0);

    // Legacy (no --sso-session): keyed by the start URL, not refreshable.
    let name = format!(
        "{}.json",
        sha1_hex("https://d-9999999999.awsapps.com/start")
    );
    let cached = cached_token(home.path(), &name);
    assert_eq!(cached["startUrl"], "https://d-9999999999.awsapps.com/start");
    assert_eq!(cached["region"], "eu-west-1");
    assert!(
        cached.get("refreshToken").is_none() && cached.get("clientId").is_none(),
        "{cached}"
    );
    let expires_at = cached["expiresAt"].as_str().expect("expiresAt");
    assert!(
        expires_at.len() == 20 && expires_at.ends_with('Z') && expires_at.as_bytes()[10] == b'T',
        "{expires_at}"
    );
    let token = cached["accessToken"].as_str().expect("accessToken");

    let accounts = raw_request(
        &program.url,
        "GET",
        "/assignment/accounts?max_result=100",
        &[("x-amz-sso_bearer_token", token)],
        "",
    );
    assert_eq!(accounts.status, 200, "{accounts:?}");
    let body = accounts.json();
    assert_eq!(
        body["accountList"].as_array().map(Vec::len),
        Some(5),
        "{body}"
    );
    assert!(
        body.get("nextToken").is_none(),
        "one page holds all 5: {body}"
    );
    let account_id = body["accountList"][4]["accountId"]
        .as_str()
        .expect("accountId")
        .to_owned();
    let roles = raw_request(
        &program.url,
        "GET",
        &format!("/assignment/roles?account_id={account_id}"),
        &[("x-amz-sso_bearer_token", token)],
        "",
    );
    let role_names: Vec<_> = roles.json()["roleList"]
        .as_array()
        .expect("roleList")
        .iter()
        .map(|role| role["roleName"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(role_names, ["Admin", "Dev", "Audit"]);

    let (status, stderr) = program.stop();
    assert!(
        status.success(),
        "SIGTERM ends it with exit 0, got {status:?}"
    );
    assert_eq!(
        program.rest_of_stdout(),
        "",
        "the URL line is the only stdout"
    );
    assert!(
        stderr
            .iter()
            .any(|line| line == "ListAccounts GET /assignment/accounts 200"),
        "{stderr:?}"
    );
    assert!(
        stderr
            .iter()
            .any(|line| line.starts_with("wrote token cache ") && line.ends_with(&name)),
        "{stderr:?}"
    );
    assert!(
        !stderr.iter().any(|line| line.contains(token)),
        "tokens never reach the log"
    );
}

#[test]
fn sso_session_cache_is_refreshable_and_named_after_the_session() {
    let home = tempfile::tempdir().expect("temp HOME");
    let mut program = Program::start(&[
        "--write-token-cache",
        home.path().to_str().expect("utf-8"),
        "--sso-session",
        "dev",
        "--quiet",
    ]);
    // The reference's test vector: sha1("dev").
    let cached = cached_token(home.path(), "34c6fceca75e456f25e7e99531e2425c6c1de443.json");
    for field in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(cached[field].is_string(), "{field} missing: {cached}");
    }
    let refresh = raw_request(
        &program.url,
        "POST",
        "/token",
        &[("content-type", "application/json")],
        &serde_json::json!({
            "clientId": cached["clientId"],
            "clientSecret": cached["clientSecret"],
            "grantType": "refresh_token",
            "refreshToken": cached["refreshToken"],
        })
        .to_string(),
    );
    assert_eq!(
        refresh.status, 200,
        "the cached refresh token works: {refresh:?}"
    );
    let (status, stderr) = program.stop();
    assert!(status.success());
    assert!(
        !stderr.iter().any(|line| line.starts_with("CreateToken")),
        "--quiet logs no requests: {stderr:?}"
    );
}

#[test]
fn auto_approve_completes_device_and_browser_logins_without_a_person() {
    let mut program = Program::start(&["--auto-approve"]);
    let post = |path: &str, body: serde_json::Value| {
        let response = raw_request(
            &program.url,
            "POST",
            path,
            &[("content-type", "application/json")],
            &body.to_string(),
        );
        assert_eq!(response.status, 200, "{path}: {response:?}");
        response.json()
    };
    let client = post(
        "/client/register",
        serde_json::json!({"clientName": "demo", "clientType": "public", "scopes": ["sso:account:access"],
                           "grantTypes": ["authorization_code", "refresh_token"],
                           "redirectUris": ["http://127.0.0.1/oauth/callback"]}),
    );
    let authorize = raw_request(
        &program.url,
        "GET",
        &format!(
            "/authorize?response_type=code&client_id={}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Foauth%2Fcallback&state=s1&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            client["clientId"].as_str().expect("clientId")
        ),
        &[],
        "",
    );
    assert_eq!(authorize.status, 302, "{authorize:?}");
    let params = query_params(authorize.header("location").expect("Location"));
    let token = post(
        "/token",
        serde_json::json!({"clientId": client["clientId"], "clientSecret": client["clientSecret"],
                           "grantType": "authorization_code", "code": param(&params, "code"),
                           "redirectUri": "http://127.0.0.1:5000/oauth/callback",
                           "codeVerifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}),
    );
    assert!(
        token["accessToken"].is_string() && token["refreshToken"].is_string(),
        "{token}"
    );

    let legacy = post(
        "/client/register",
        serde_json::json!({"clientName": "demo", "clientType": "public"}),
    );
    let start = post(
        "/device_authorization",
        serde_json::json!({"clientId": legacy["clientId"], "clientSecret": legacy["clientSecret"], "startUrl": "https://x/start"}),
    );
    let token = post(
        "/token",
        serde_json::json!({"clientId": legacy["clientId"], "clientSecret": legacy["clientSecret"],
                           "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": start["deviceCode"]}),
    );
    assert!(
        token["accessToken"].is_string(),
        "approved at once: {token}"
    );
    assert!(program.stop().0.success());
}

#[test]
fn without_auto_approve_a_person_approves_on_the_device_page() {
    let mut program = Program::start(&["--quiet"]);
    let post = |path: &str, body: serde_json::Value| {
        raw_request(
            &program.url,
            "POST",
            path,
            &[("content-type", "application/json")],
            &body.to_string(),
        )
    };
    let client = post(
        "/client/register",
        serde_json::json!({"clientName": "demo", "clientType": "public"}),
    )
    .json();
    let start = post(
        "/device_authorization",
        serde_json::json!({"clientId": client["clientId"], "clientSecret": client["clientSecret"], "startUrl": "https://x/start"}),
    )
    .json();
    let poll = || {
        post(
            "/token",
            serde_json::json!({"clientId": client["clientId"], "clientSecret": client["clientSecret"],
                               "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": start["deviceCode"]}),
        )
    };
    assert_eq!(
        poll().header("x-amzn-ErrorType"),
        Some("AuthorizationPendingException")
    );

    let complete = start["verificationUriComplete"]
        .as_str()
        .expect("verificationUriComplete");
    let path = complete
        .strip_prefix(&program.url)
        .expect("served by the emulator");
    let page = raw_request(&program.url, "GET", path, &[], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("decision=allow"), "{}", page.body);
    let approved = raw_request(
        &program.url,
        "GET",
        &format!("{path}&decision=allow"),
        &[],
        "",
    );
    assert_eq!(approved.status, 200, "{approved:?}");
    assert_eq!(poll().status, 200, "approved on the page");
    assert!(program.stop().0.success());
}

#[test]
fn rate_limit_option_answers_429() {
    let mut program = Program::start(&["--rate-limit", "1", "--quiet"]);
    let first = raw_request(&program.url, "GET", "/assignment/accounts", &[], "");
    let second = raw_request(&program.url, "GET", "/assignment/accounts", &[], "");
    assert_eq!(first.status, 401, "within the limit: an ordinary answer");
    assert_eq!(second.status, 429, "{second:?}");
    assert_eq!(
        second.header("x-amzn-ErrorType"),
        Some("TooManyRequestsException")
    );
    assert!(program.stop().0.success());
}

#[test]
fn user_name_and_assumable_roles_shape_what_sts_answers() {
    let home = tempfile::tempdir().expect("temp HOME");
    let mut program = Program::start(&[
        "--write-token-cache",
        home.path().to_str().expect("utf-8"),
        "--user-name",
        "ada@example.com",
        "--assumable-role",
        "arn:aws:iam::222222222222:role/Demo",
        "--assumable-role",
        "arn:aws:iam::333333333333:role/team/Other",
    ]);
    let name = format!(
        "{}.json",
        sha1_hex("https://d-1234567890.awsapps.com/start")
    );
    let token = cached_token(home.path(), &name)["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned();
    let fetched = raw_request(
        &program.url,
        "GET",
        "/federation/credentials?role_name=ReadOnly&account_id=100000000001",
        &[("x-amz-sso_bearer_token", &token)],
        "",
    );
    assert_eq!(fetched.status, 200, "{fetched:?}");
    let credentials = &fetched.json()["roleCredentials"];
    let keys = aws::Keys {
        access_key_id: credentials["accessKeyId"].as_str().expect("key").to_owned(),
        secret_access_key: credentials["secretAccessKey"]
            .as_str()
            .expect("secret")
            .to_owned(),
        session_token: credentials["sessionToken"]
            .as_str()
            .expect("token")
            .to_owned(),
    };

    // The program is no `Emulator` handle: the client goes to its URL.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (sso_arn, demo_arn, other_arn) = runtime.block_on(async {
        let sts = |keys: &aws::Keys| aws::sts_at(&program.url, keys);
        let sso_arn = sts(&keys)
            .get_caller_identity()
            .send()
            .await
            .expect("GetCallerIdentity")
            .arn()
            .map(str::to_owned);
        let mut assumed = Vec::new();
        for role in [
            "arn:aws:iam::222222222222:role/Demo",
            "arn:aws:iam::333333333333:role/team/Other",
        ] {
            let output = sts(&keys)
                .assume_role()
                .role_arn(role)
                .role_session_name("demo")
                .send()
                .await
                .unwrap_or_else(|error| panic!("AssumeRole {role}: {error:?}"));
            assumed.push(output.assumed_role_user().map(|user| user.arn().to_owned()));
        }
        (sso_arn, assumed[0].clone(), assumed[1].clone())
    });
    let sso_arn = sso_arn.expect("Arn");
    assert!(
        sso_arn.starts_with("arn:aws:sts::100000000001:assumed-role/AWSReservedSSO_ReadOnly_")
            && sso_arn.ends_with("/ada@example.com"),
        "{sso_arn}"
    );
    assert_eq!(
        demo_arn.as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Demo/demo"),
        "every --assumable-role trusts any caller"
    );
    assert_eq!(
        other_arn.as_deref(),
        Some("arn:aws:sts::333333333333:assumed-role/Other/demo")
    );

    let (status, stderr) = program.stop();
    assert!(status.success());
    assert!(
        stderr
            .iter()
            .any(|line| line == "GetCallerIdentity POST / 200")
            && stderr
                .iter()
                .filter(|line| *line == "AssumeRole POST / 200")
                .count()
                == 2,
        "{stderr:?}"
    );
    assert!(
        !stderr.iter().any(
            |line| line.contains(&keys.session_token) || line.contains(&keys.secret_access_key)
        ),
        "no secrets in the log"
    );
}

#[test]
fn an_assumable_role_that_is_not_a_role_arn_is_refused_with_a_message() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sso-emulator"))
        .args(["--assumable-role", "arn:aws:iam::222222222222:user/Deploy"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'arn:aws:iam::222222222222:user/Deploy' is not an IAM role ARN"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_bad_duration_is_refused_with_a_message() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sso-emulator"))
        .args(["--token-lifetime", "forever"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid duration 'forever'"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no URL line when it does not serve"
    );
}

/// SHA-1 hex computed independently of the emulator (by `sha1sum`), so a
/// wrong cache file name in the program cannot go unnoticed.
fn sha1_hex(text: &str) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha1sum (coreutils)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("sha1sum output");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .expect("digest")
        .to_owned()
}
