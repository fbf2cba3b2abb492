//! The console sign-in endpoint as a program that opens the console would
//! use it: getSigninToken with session credentials from the portal or from
//! AssumeRole, then the `login` URL in a browser (played here by raw HTTP,
//! which sees exactly what a browser would). Each refusal follows a proof
//! that the same request succeeds when right.

#[path = "common/aws.rs"]
mod aws;
mod common;

use std::time::Duration;

use sso_emulator::{AssumableRole, Emulator, Fault, Operation};

use aws::{Keys, PERMISSION_SET, SSO_ACCOUNT, assume, emulator, sso_keys};
use common::{RawResponse, raw_request};

const CONSOLE_EC2: &str = "https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:";

/// `/federation?...` with these parameters, encoded.
fn federation_path(parameters: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in parameters {
        query.append_pair(name, value);
    }
    format!("/federation?{}", query.finish())
}

/// The `Session` JSON of getSigninToken.
fn session_json(keys: &Keys) -> String {
    serde_json::json!({
        "sessionId": keys.access_key_id,
        "sessionKey": keys.secret_access_key,
        "sessionToken": keys.session_token,
    })
    .to_string()
}

fn get_signin_token(emulator: &Emulator, session: &str, extra: &[(&str, &str)]) -> RawResponse {
    let mut parameters = vec![("Action", "getSigninToken"), ("Session", session)];
    parameters.extend_from_slice(extra);
    raw_request(
        &emulator.url(),
        "GET",
        &federation_path(&parameters),
        &[],
        "",
    )
}

/// A sign-in token for `keys`, which must be granted.
fn signin_token(emulator: &Emulator, keys: &Keys) -> String {
    let response = get_signin_token(emulator, &session_json(keys), &[]);
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.header("content-type"), Some("application/json"));
    let token = response.json()["SigninToken"]
        .as_str()
        .expect("SigninToken")
        .to_owned();
    assert!(token.len() > 100, "an opaque, long token");
    token
}

fn login(emulator: &Emulator, token: &str, destination: &str) -> RawResponse {
    raw_request(
        &emulator.url(),
        "GET",
        &federation_path(&[
            ("Action", "login"),
            ("Issuer", "ssoenv"),
            ("Destination", destination),
            ("SigninToken", token),
        ]),
        &[],
        "",
    )
}

/// The text of the element with `id` on a page.
fn element<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let marker = format!("id=\"{id}\">");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('<')? + start;
    Some(&page[start..end])
}

#[tokio::test]
async fn sso_credentials_sign_in_and_the_console_names_account_session_and_region() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let token = signin_token(&emulator, &keys);
    assert!(
        emulator.issued_secrets().contains(&token)
            && emulator.issued_role_secrets().contains(&token),
        "the sign-in token is a secret leak checks know"
    );

    let page = login(&emulator, &token, CONSOLE_EC2);
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.body.contains("<h1>AWS Management Console</h1>"),
        "{}",
        page.body
    );
    assert_eq!(element(&page.body, "account"), Some(SSO_ACCOUNT));
    assert_eq!(
        element(&page.body, "arn"),
        Some(
            emulator
                .sso_caller_arn(SSO_ACCOUNT, PERMISSION_SET)
                .as_str()
        )
    );
    assert_eq!(element(&page.body, "region"), Some("eu-west-1"));
    assert_eq!(
        element(&page.body, "destination"),
        Some("https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:")
    );
    assert_eq!(element(&page.body, "issuer"), Some("ssoenv"));
    assert!(!page.body.contains(&keys.secret_access_key) && !page.body.contains(&token));

    let logins = emulator.console_logins();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].account_id, SSO_ACCOUNT);
    assert_eq!(logins[0].region, "eu-west-1");
    assert_eq!(logins[0].destination, CONSOLE_EC2);
    assert_eq!(logins[0].issuer.as_deref(), Some("ssoenv"));
    assert_eq!(emulator.calls(Operation::GetSigninToken), 1);
    assert_eq!(emulator.calls(Operation::ConsoleLogin), 1);
    let debug = format!("{:?}", emulator.requests());
    assert!(
        !debug.contains(&token) && !debug.contains(&keys.session_token),
        "tokens stay out of the request log's Debug: {debug}"
    );
}

#[tokio::test]
async fn assumed_role_credentials_sign_in_as_the_assumed_role_in_the_host_region() {
    let emulator = emulator();
    let role = "arn:aws:iam::222222222222:role/Deploy";
    emulator.create_role(AssumableRole::new(role).trust_account(SSO_ACCOUNT));
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let deploy = assume(&emulator, &sso, role, "console").await;
    let token = signin_token(&emulator, &deploy);
    let page = login(
        &emulator,
        &token,
        "https://ap-southeast-2.console.aws.amazon.com/console/home",
    );
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(element(&page.body, "account"), Some("222222222222"));
    assert_eq!(
        element(&page.body, "arn"),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/console")
    );
    assert_eq!(element(&page.body, "region"), Some("ap-southeast-2"));

    let plain = login(
        &emulator,
        &signin_token(&emulator, &deploy),
        "https://console.aws.amazon.com/",
    );
    assert_eq!(
        element(&plain.body, "region"),
        Some("us-east-1"),
        "the default"
    );
}

#[tokio::test]
async fn a_signin_token_works_once_and_tampered_or_unknown_tokens_get_the_error_page() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let token = signin_token(&emulator, &keys);

    let mut tampered = token.clone();
    let last = tampered.pop().expect("non-empty");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for (what, bad) in [("tampered", tampered.as_str()), ("unknown", "not-a-token")] {
        let page = login(&emulator, bad, CONSOLE_EC2);
        assert_eq!(page.status, 400, "{what}: {page:?}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            element(&page.body, "error"),
            Some("The sign-in token is not valid"),
            "{what}"
        );
    }
    // A link to somewhere that is not the console is refused without spending the token.
    let elsewhere = login(
        &emulator,
        &token,
        "https://evil.example/console.aws.amazon.com",
    );
    assert_eq!(elsewhere.status, 400);
    assert!(element(&elsewhere.body, "error").is_some());

    let first = login(&emulator, &token, CONSOLE_EC2);
    assert_eq!(first.status, 200, "the real token still works: {first:?}");
    let reused = login(&emulator, &token, CONSOLE_EC2);
    assert_eq!(reused.status, 400, "{reused:?}");
    assert_eq!(
        element(&reused.body, "error"),
        Some("The sign-in token has already been used")
    );
    assert_eq!(emulator.console_logins().len(), 1);
}

#[tokio::test]
async fn credentials_that_expire_after_the_token_was_issued_do_not_sign_in() {
    let emulator = emulator();
    emulator.set_credential_lifetime(Duration::from_secs(2));
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let token = signin_token(&emulator, &keys);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let page = login(&emulator, &token, CONSOLE_EC2);
    assert_eq!(page.status, 400, "{page:?}");
    assert_eq!(
        element(&page.body, "error"),
        Some("The session behind the sign-in token has expired")
    );
    let again = get_signin_token(&emulator, &session_json(&keys), &[]);
    assert_eq!(again.status, 400);
    assert_eq!(again.body.trim(), "The session credentials have expired");
}

#[tokio::test]
async fn bad_credentials_are_a_400_that_names_the_problem_and_echoes_no_secret() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let other = sso_keys(&emulator, SSO_ACCOUNT, "ReadOnly").await;
    signin_token(&emulator, &keys); // precondition

    let cases = [
        (
            "unknown key",
            session_json(&Keys {
                access_key_id: "ASIAXXXXXXXXXXXXXXXX".to_owned(),
                ..keys.clone()
            }),
            "sessionId is not an access key id this service issued",
        ),
        (
            "altered secret",
            session_json(&keys.with_altered_secret()),
            "sessionKey is not the secret access key of sessionId",
        ),
        (
            "another session's token",
            session_json(&Keys {
                session_token: other.session_token.clone(),
                ..keys.clone()
            }),
            "sessionToken is not the session token issued with sessionId",
        ),
        (
            "not JSON",
            "sessionId=x".to_owned(),
            "Session must be JSON with sessionId, sessionKey and sessionToken",
        ),
    ];
    for (what, session, message) in cases {
        let response = get_signin_token(&emulator, &session, &[]);
        assert_eq!(response.status, 400, "{what}: {response:?}");
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(response.body.trim(), message, "{what}");
        for secret in [
            &keys.secret_access_key,
            &keys.session_token,
            &other.session_token,
        ] {
            assert!(
                !response.body.contains(secret.as_str()),
                "{what}: a secret was echoed"
            );
        }
    }
    let missing = raw_request(
        &emulator.url(),
        "GET",
        "/federation?Action=getSigninToken",
        &[],
        "",
    );
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body.trim(), "Session parameter is required");
}

#[tokio::test]
async fn session_duration_is_refused_for_sso_and_chained_credentials() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    signin_token(&emulator, &keys); // precondition: the same request without it
    let response = get_signin_token(
        &emulator,
        &session_json(&keys),
        &[("SessionDuration", "3600")],
    );
    assert_eq!(response.status, 400, "{response:?}");
    assert_eq!(
        response.body.trim(),
        "SessionDuration cannot be used with role-chained or IAM Identity Center credentials"
    );
}

#[tokio::test]
async fn faults_answer_in_each_endpoint_s_format_and_other_actions_are_refused() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    emulator.inject_fault(
        Operation::GetSigninToken,
        Fault::error(503, "ServiceUnavailable", "try later").nth(1),
    );
    let response = get_signin_token(&emulator, &session_json(&keys), &[]);
    assert_eq!(response.status, 503);
    assert_eq!(response.body.trim(), "try later");
    let token = signin_token(&emulator, &keys);

    emulator.inject_fault(
        Operation::ConsoleLogin,
        Fault::error(500, "InternalFailure", "<console down>").nth(1),
    );
    let page = login(&emulator, &token, CONSOLE_EC2);
    assert_eq!(page.status, 500);
    assert_eq!(element(&page.body, "error"), Some("&lt;console down&gt;"));
    assert_eq!(
        login(&emulator, &token, CONSOLE_EC2).status,
        200,
        "not spent by the fault"
    );

    let other = raw_request(&emulator.url(), "GET", "/federation?Action=logout", &[], "");
    assert_eq!(other.status, 400);
    assert_eq!(
        other.body.trim(),
        "Unsupported Action 'logout': use getSigninToken or login"
    );
    // The portal's own /federation/credentials is still the portal.
    let portal = raw_request(&emulator.url(), "GET", "/federation/credentials", &[], "");
    assert_eq!(portal.status, 401);
    assert_eq!(portal.json()["__type"], "UnauthorizedException");
}
