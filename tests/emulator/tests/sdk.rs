//! The emulator driven by the real Rust SDK clients (`aws-sdk-sso`,
//! `aws-sdk-ssooidc`), built by hand the way ssoenv builds them. If the
//! emulator got a field name, a type, a unit or an error name wrong, these
//! clients would fail to parse it or would name the error differently.

mod common;

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_sso::config::retry::RetryConfig;
use aws_sdk_sso::config::timeout::TimeoutConfig;
use aws_sdk_sso::config::{BehaviorVersion, Region};
use aws_sdk_sso::error::{ProvideErrorMetadata as _, SdkError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use sso_emulator::{Account, AuthorizeDecision, Emulator, Fault, Operation};

use common::{now_epoch_seconds, param, query_params, raw_request};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const HOUR: Duration = Duration::from_secs(3600);

/// A portal client with retries off, so every call is exactly one request.
fn portal(emulator: &Emulator) -> aws_sdk_sso::Client {
    portal_with_timeout(emulator, None)
}

fn portal_with_timeout(emulator: &Emulator, timeout: Option<Duration>) -> aws_sdk_sso::Client {
    let mut timeouts = TimeoutConfig::builder();
    if let Some(timeout) = timeout {
        timeouts = timeouts.operation_timeout(timeout);
    }
    let config = aws_sdk_sso::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.url())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts.build())
        .build();
    aws_sdk_sso::Client::from_conf(config)
}

fn oidc(emulator: &Emulator) -> aws_sdk_ssooidc::Client {
    let config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new("us-east-1"))
        .endpoint_url(emulator.url())
        .retry_config(aws_sdk_ssooidc::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_ssooidc::Client::from_conf(config)
}

struct Registered {
    client_id: String,
    client_secret: String,
}

/// RegisterClient as AWS CLI does for a legacy (scope-less) device login,
/// or with `sso:account:access` when `scoped`.
async fn register(client: &aws_sdk_ssooidc::Client, scoped: bool) -> Registered {
    let mut request = client
        .register_client()
        .client_name("ssoenv-test")
        .client_type("public");
    if scoped {
        request = request.scopes("sso:account:access");
    }
    let output = request.send().await.expect("RegisterClient");
    Registered {
        client_id: output.client_id().expect("clientId").to_owned(),
        client_secret: output.client_secret().expect("clientSecret").to_owned(),
    }
}

fn device_token_request(
    client: &aws_sdk_ssooidc::Client,
    registered: &Registered,
    device_code: &str,
) -> aws_sdk_ssooidc::operation::create_token::builders::CreateTokenFluentBuilder {
    client
        .create_token()
        .client_id(&registered.client_id)
        .client_secret(&registered.client_secret)
        .grant_type(DEVICE_GRANT)
        .device_code(device_code)
}

// ----- OIDC: registration and device flow -------------------------------------------

#[tokio::test]
async fn register_client_answers_with_epoch_seconds_and_records_the_request() {
    let emulator = Emulator::start();
    let output = oidc(&emulator)
        .register_client()
        .client_name("ssoenv-test")
        .client_type("public")
        .scopes("sso:account:access")
        .send()
        .await
        .expect("RegisterClient");
    let now = now_epoch_seconds();
    assert!(
        !output.client_id().unwrap_or_default().is_empty(),
        "clientId"
    );
    assert!(
        !output.client_secret().unwrap_or_default().is_empty(),
        "clientSecret"
    );
    assert!(
        (output.client_id_issued_at() - now).abs() <= 5,
        "clientIdIssuedAt must be epoch seconds, got {}",
        output.client_id_issued_at()
    );
    let ninety_days = 90 * 86_400;
    assert!(
        (output.client_secret_expires_at() - (now + ninety_days)).abs() <= 5,
        "clientSecretExpiresAt must be epoch seconds 90 days ahead, got {}",
        output.client_secret_expires_at()
    );
    let recorded = emulator.requests();
    assert_eq!(recorded.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&recorded[0].body).expect("JSON body");
    assert_eq!(body["clientName"], "ssoenv-test");
    assert_eq!(body["clientType"], "public");
    assert_eq!(body["scopes"], serde_json::json!(["sso:account:access"]));
}

#[tokio::test]
async fn device_flow_is_pending_until_approved_then_issues_a_token_once() {
    let emulator = Emulator::start();
    let client = oidc(&emulator);
    let registered = register(&client, false).await;
    let start = client
        .start_device_authorization()
        .client_id(&registered.client_id)
        .client_secret(&registered.client_secret)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .expect("StartDeviceAuthorization");
    let user_code = start.user_code().expect("userCode").to_owned();
    let device_code = start.device_code().expect("deviceCode").to_owned();
    assert_eq!(start.interval(), 1, "AWS sends interval 1");
    assert_eq!(start.expires_in(), 600, "AWS sends expiresIn 600");
    assert_eq!(
        start.verification_uri(),
        Some(format!("{}/device", emulator.url()).as_str())
    );
    assert!(
        start
            .verification_uri_complete()
            .expect("verificationUriComplete")
            .ends_with(&format!("user_code={user_code}"))
    );
    assert_eq!(emulator.pending_user_codes(), vec![user_code.clone()]);

    let pending = device_token_request(&client, &registered, &device_code)
        .send()
        .await
        .expect_err("pending");
    assert!(
        pending
            .as_service_error()
            .is_some_and(|e| e.is_authorization_pending_exception()),
        "expected AuthorizationPendingException, got {pending:?}"
    );
    assert_eq!(
        pending.as_service_error().and_then(|e| e.code()),
        Some("AuthorizationPendingException")
    );

    assert!(
        emulator.approve_device(&user_code.to_lowercase()),
        "user codes are matched as people type them"
    );
    assert!(emulator.pending_user_codes().is_empty());
    let token = device_token_request(&client, &registered, &device_code)
        .send()
        .await
        .expect("token after approval");
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(
        token.expires_in(),
        8 * 3600,
        "default token lifetime is the 8 h Identity Center session"
    );
    assert_eq!(
        token.refresh_token(),
        None,
        "a scope-less registration gets no refresh token"
    );
    let access_token = token.access_token().expect("accessToken");
    assert!(emulator.token_is_valid(access_token));
    portal(&emulator)
        .list_accounts()
        .access_token(access_token)
        .send()
        .await
        .expect("the new token works on the portal");

    let again = device_token_request(&client, &registered, &device_code)
        .send()
        .await
        .expect_err("code is spent");
    assert!(
        again
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{again:?}"
    );
}

#[tokio::test]
async fn polling_faster_than_the_interval_earns_slow_down_unless_disabled() {
    let emulator = Emulator::start();
    emulator.set_device_poll_interval(Duration::from_secs(5));
    let client = oidc(&emulator);
    let registered = register(&client, false).await;
    let start = client
        .start_device_authorization()
        .client_id(&registered.client_id)
        .client_secret(&registered.client_secret)
        .start_url("https://x.awsapps.com/start")
        .send()
        .await
        .expect("StartDeviceAuthorization");
    assert_eq!(start.interval(), 5);
    let device_code = start.device_code().expect("deviceCode");
    let first = device_token_request(&client, &registered, device_code)
        .send()
        .await
        .expect_err("pending");
    assert!(
        first
            .as_service_error()
            .is_some_and(|e| e.is_authorization_pending_exception()),
        "first poll: {first:?}"
    );
    let second = device_token_request(&client, &registered, device_code)
        .send()
        .await
        .expect_err("too fast");
    assert!(
        second
            .as_service_error()
            .is_some_and(|e| e.is_slow_down_exception()),
        "second poll at once: {second:?}"
    );

    emulator.set_enforce_poll_interval(false);
    let third = device_token_request(&client, &registered, device_code)
        .send()
        .await
        .expect_err("pending");
    assert!(
        third
            .as_service_error()
            .is_some_and(|e| e.is_authorization_pending_exception()),
        "with enforcement off: {third:?}"
    );
}

#[tokio::test]
async fn denied_and_expired_device_codes_end_the_login() {
    let emulator = Emulator::start();
    let client = oidc(&emulator);
    let registered = register(&client, false).await;
    let start_one = || {
        client
            .start_device_authorization()
            .client_id(&registered.client_id)
            .client_secret(&registered.client_secret)
            .start_url("https://x.awsapps.com/start")
            .send()
    };

    let denied = start_one().await.expect("start");
    assert!(emulator.deny_device(denied.user_code().expect("userCode")));
    let error = device_token_request(
        &client,
        &registered,
        denied.device_code().expect("deviceCode"),
    )
    .send()
    .await
    .expect_err("denied");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_access_denied_exception()),
        "{error:?}"
    );
    assert!(
        !emulator.approve_device(denied.user_code().expect("userCode")),
        "a decided code cannot be approved"
    );

    emulator.set_device_code_lifetime(Duration::from_millis(150));
    let expiring = start_one().await.expect("start");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let error = device_token_request(
        &client,
        &registered,
        expiring.device_code().expect("deviceCode"),
    )
    .send()
    .await
    .expect_err("expired");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_expired_token_exception()),
        "{error:?}"
    );
}

#[tokio::test]
async fn scoped_registrations_get_refresh_tokens_that_rotate() {
    let emulator = Emulator::start();
    emulator.set_auto_approve(true);
    let client = oidc(&emulator);
    let registered = register(&client, true).await;
    let start = client
        .start_device_authorization()
        .client_id(&registered.client_id)
        .client_secret(&registered.client_secret)
        .start_url("https://x.awsapps.com/start")
        .send()
        .await
        .expect("start");
    let first = device_token_request(
        &client,
        &registered,
        start.device_code().expect("deviceCode"),
    )
    .send()
    .await
    .expect("auto-approved");
    let first_refresh = first
        .refresh_token()
        .expect("a scoped registration gets a refresh token")
        .to_owned();

    let refresh = |refresh_token: String| {
        client
            .create_token()
            .client_id(&registered.client_id)
            .client_secret(&registered.client_secret)
            .grant_type("refresh_token")
            .refresh_token(refresh_token)
            .send()
    };
    let second = refresh(first_refresh.clone()).await.expect("refresh");
    let second_refresh = second
        .refresh_token()
        .expect("rotated refresh token")
        .to_owned();
    assert_ne!(second_refresh, first_refresh, "refresh tokens rotate");
    assert_ne!(second.access_token(), first.access_token());
    assert!(emulator.token_is_valid(second.access_token().expect("accessToken")));

    let reused = refresh(first_refresh)
        .await
        .expect_err("a spent refresh token");
    assert!(
        reused
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{reused:?}"
    );
    assert!(emulator.revoke_token(&second_refresh));
    let revoked = refresh(second_refresh)
        .await
        .expect_err("a revoked refresh token");
    assert!(
        revoked
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{revoked:?}"
    );
    let unknown = refresh("aorNotIssuedHere".into())
        .await
        .expect_err("unknown refresh token");
    assert!(
        unknown
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn expired_or_wrong_client_credentials_are_invalid_client() {
    let emulator = Emulator::start();
    let client = oidc(&emulator);
    let seeded = emulator.issue_client_registration(Duration::ZERO);
    let token = emulator.issue_refreshable_token(&seeded, HOUR);
    let expired = client
        .create_token()
        .client_id(&seeded.client_id)
        .client_secret(&seeded.client_secret)
        .grant_type("refresh_token")
        .refresh_token(token.refresh_token.expect("refreshable"))
        .send()
        .await
        .expect_err("expired registration");
    let service_error = expired.as_service_error().expect("a service error");
    assert!(service_error.is_invalid_client_exception(), "{expired:?}");
    assert_eq!(
        expired.raw_response().map(|raw| raw.status().as_u16()),
        Some(401)
    );

    let registered = register(&client, false).await;
    let wrong_secret = client
        .start_device_authorization()
        .client_id(&registered.client_id)
        .client_secret("not-the-secret")
        .start_url("https://x.awsapps.com/start")
        .send()
        .await
        .expect_err("wrong secret");
    assert!(
        wrong_secret
            .as_service_error()
            .is_some_and(|e| e.is_invalid_client_exception()),
        "{wrong_secret:?}"
    );
}

#[test]
fn oidc_errors_carry_the_name_twice_and_the_oauth_code() {
    let emulator = Emulator::start();
    let response = raw_request(
        &emulator.url(),
        "POST",
        "/token",
        &[("content-type", "application/json")],
        r#"{"clientId":"nope","clientSecret":"nope","grantType":"refresh_token","refreshToken":"x"}"#,
    );
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("x-amzn-ErrorType"),
        Some("InvalidClientException")
    );
    let body = response.json();
    assert_eq!(body["__type"], "InvalidClientException");
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"].is_string(), "{body}");
}

// ----- OIDC: authorization code with PKCE --------------------------------------------

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

struct CodeFlow {
    emulator: Emulator,
    client: aws_sdk_ssooidc::Client,
    registered: Registered,
    redirect_uri: String,
}

/// Registers like AWS CLI >= 2.22 does for PKCE.
async fn code_flow() -> CodeFlow {
    let emulator = Emulator::start();
    let client = oidc(&emulator);
    let output = client
        .register_client()
        .client_name("ssoenv-test")
        .client_type("public")
        .scopes("sso:account:access")
        .grant_types("authorization_code")
        .grant_types("refresh_token")
        .redirect_uris("http://127.0.0.1/oauth/callback")
        .issuer_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .expect("RegisterClient for PKCE");
    assert_eq!(
        output.authorization_endpoint(),
        Some(format!("{}/authorize", emulator.url()).as_str())
    );
    let registered = Registered {
        client_id: output.client_id().expect("clientId").to_owned(),
        client_secret: output.client_secret().expect("clientSecret").to_owned(),
    };
    CodeFlow {
        emulator,
        client,
        registered,
        redirect_uri: "http://127.0.0.1:53682/oauth/callback".into(),
    }
}

impl CodeFlow {
    /// Plays the browser: GETs /authorize without following the redirect.
    fn authorize(&self, redirect_uri: &str, state: &str, challenge: &str) -> common::RawResponse {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.registered.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge_method", "S256")
            .append_pair("scopes", "sso:account:access")
            .append_pair("code_challenge", challenge)
            .finish();
        raw_request(
            &self.emulator.url(),
            "GET",
            &format!("/authorize?{query}"),
            &[],
            "",
        )
    }

    /// The `code` the redirect carries, after checking it goes to the callback with our state.
    fn authorize_code(&self, verifier: &str) -> String {
        let response = self.authorize(&self.redirect_uri, "state-123", &challenge_of(verifier));
        assert_eq!(response.status, 302, "{response:?}");
        let location = response.header("location").expect("Location header");
        assert!(
            location.starts_with(&format!("{}?", self.redirect_uri)),
            "redirects to the loopback callback: {location}"
        );
        let params = query_params(location);
        assert_eq!(param(&params, "state"), Some("state-123"));
        param(&params, "code")
            .expect("code in the redirect")
            .to_owned()
    }

    async fn exchange(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<
        aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
        SdkError<aws_sdk_ssooidc::operation::create_token::CreateTokenError>,
    > {
        self.client
            .create_token()
            .client_id(&self.registered.client_id)
            .client_secret(&self.registered.client_secret)
            .grant_type("authorization_code")
            .code(code)
            .redirect_uri(redirect_uri)
            .code_verifier(verifier)
            .send()
            .await
    }
}

const VERIFIER: &str = "a-verifier-of-at-least-43-characters-0123456789abcdef";

#[tokio::test]
async fn authorization_code_with_the_right_verifier_gets_refreshable_tokens() {
    let flow = code_flow().await;
    let code = flow.authorize_code(VERIFIER);
    let token = flow
        .exchange(&code, &flow.redirect_uri, VERIFIER)
        .await
        .expect("CreateToken authorization_code");
    assert!(
        flow.emulator
            .token_is_valid(token.access_token().expect("accessToken"))
    );
    assert!(
        token.refresh_token().is_some(),
        "scoped registration gets a refresh token"
    );
    let reused = flow
        .exchange(&code, &flow.redirect_uri, VERIFIER)
        .await
        .expect_err("codes are single-use");
    assert!(
        reused
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{reused:?}"
    );
}

#[tokio::test]
async fn authorization_code_with_a_wrong_verifier_or_redirect_is_refused() {
    let flow = code_flow().await;
    let code = flow.authorize_code(VERIFIER);
    let wrong = flow
        .exchange(
            &code,
            &flow.redirect_uri,
            "some-other-verifier-of-at-least-43-characters",
        )
        .await
        .expect_err("wrong verifier");
    assert!(
        wrong
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{wrong:?}"
    );

    let code = flow.authorize_code(VERIFIER);
    let other_port = flow
        .exchange(&code, "http://127.0.0.1:1/oauth/callback", VERIFIER)
        .await
        .expect_err("wrong redirectUri");
    assert!(
        other_port
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{other_port:?}"
    );
}

#[tokio::test]
async fn authorize_denies_or_refuses_unregistered_redirects() {
    let flow = code_flow().await;
    let unregistered = flow.authorize(
        "http://127.0.0.1:53682/elsewhere",
        "s",
        &challenge_of(VERIFIER),
    );
    assert_eq!(
        unregistered.status, 400,
        "no redirect to an unregistered URI: {unregistered:?}"
    );
    assert!(unregistered.header("location").is_none());

    flow.emulator
        .set_authorize_decision(AuthorizeDecision::Deny);
    let denied = flow.authorize(&flow.redirect_uri, "state-9", &challenge_of(VERIFIER));
    assert_eq!(denied.status, 302);
    let params = query_params(denied.header("location").expect("Location"));
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("state-9"));
    assert_eq!(param(&params, "code"), None);

    flow.emulator
        .set_authorize_decision(AuthorizeDecision::AskUser);
    let page = flow.authorize(&flow.redirect_uri, "state-9", &challenge_of(VERIFIER));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("decision=allow") && page.body.contains("decision=deny"),
        "{}",
        page.body
    );
    assert_eq!(flow.emulator.calls(Operation::Authorize), 3);
}

// ----- Portal ------------------------------------------------------------------------

#[tokio::test]
async fn list_accounts_pages_through_250_accounts_100_at_a_time() {
    let emulator = Emulator::start();
    emulator.generate_accounts(250, &["AdministratorAccess", "ReadOnly"]);
    let token = emulator.issue_token(HOUR);
    let accounts: Vec<_> = portal(&emulator)
        .list_accounts()
        .access_token(&token.access_token)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("all pages");
    assert_eq!(accounts.len(), 250);
    let ids: HashSet<_> = accounts
        .iter()
        .filter_map(|account| account.account_id())
        .collect();
    assert_eq!(ids.len(), 250, "no account twice");
    assert!(
        accounts
            .iter()
            .all(|a| a.account_name().is_some() && a.email_address().is_some())
    );
    let requests = emulator.requests();
    assert_eq!(
        emulator.calls(Operation::ListAccounts),
        3,
        "250 accounts in pages of 100"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.query_param("max_result") == Some("100"))
    );
    assert_eq!(requests[0].query_param("next_token"), None);
    assert!(requests[1].query_param("next_token").is_some());
}

#[tokio::test]
async fn thousands_of_generated_accounts_are_cheap_and_reachable() {
    let emulator = Emulator::start();
    emulator.generate_accounts(1_000_000, &["ReadOnly"]);
    let token = emulator.issue_token(HOUR);
    let client = portal(&emulator);
    let page = client
        .list_accounts()
        .access_token(&token.access_token)
        .send()
        .await
        .expect("first page");
    assert_eq!(page.account_list().len(), 20, "default page size");
    assert!(page.next_token().is_some());
    let last = emulator.account(999_999).expect("the last account");
    let credentials = client
        .get_role_credentials()
        .access_token(&token.access_token)
        .account_id(&last.account_id)
        .role_name("ReadOnly")
        .send()
        .await
        .expect("credentials in the last account");
    assert!(credentials.role_credentials().is_some());
}

#[tokio::test]
async fn list_accounts_rejects_out_of_range_page_sizes_and_foreign_tokens() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let error = portal(&emulator)
        .list_accounts()
        .access_token(&token.access_token)
        .max_results(101)
        .send()
        .await
        .expect_err("101");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_invalid_request_exception()),
        "{error:?}"
    );
    let error = portal(&emulator)
        .list_accounts()
        .access_token(&token.access_token)
        .next_token("garbage")
        .send()
        .await
        .expect_err("bad token");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_invalid_request_exception()),
        "{error:?}"
    );
}

#[tokio::test]
async fn list_account_roles_lists_assigned_roles_and_refuses_unknown_accounts() {
    let emulator = Emulator::start();
    emulator.set_accounts(vec![
        Account::new(
            "111111111111",
            "Dev",
            &["AdministratorAccess", "ReadOnly", "Billing"],
        ),
        Account::new("222222222222", "Prod", &["ReadOnly"]),
    ]);
    let token = emulator.issue_token(HOUR);
    let roles: Vec<_> = portal(&emulator)
        .list_account_roles()
        .access_token(&token.access_token)
        .account_id("111111111111")
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("roles");
    let names: Vec<_> = roles.iter().filter_map(|role| role.role_name()).collect();
    assert_eq!(names, ["AdministratorAccess", "ReadOnly", "Billing"]);
    assert!(
        roles
            .iter()
            .all(|role| role.account_id() == Some("111111111111"))
    );
    assert_eq!(
        emulator.calls(Operation::ListAccountRoles),
        2,
        "3 roles in pages of 2"
    );

    let error = portal(&emulator)
        .list_account_roles()
        .access_token(&token.access_token)
        .account_id("999999999999")
        .send()
        .await
        .expect_err("unknown account");
    assert_eq!(
        error.as_service_error().and_then(|e| e.code()),
        Some("ForbiddenException"),
        "{error:?}"
    );
}

#[tokio::test]
async fn get_role_credentials_returns_fresh_credentials_expiring_in_milliseconds() {
    let emulator = Emulator::start();
    emulator.set_accounts(vec![Account::new(
        "123456789012",
        "Dev",
        &["AdministratorAccess"],
    )]);
    emulator.set_credential_lifetime(2 * HOUR);
    let token = emulator.issue_token(HOUR);
    let client = portal(&emulator);
    let fetch = || {
        client
            .get_role_credentials()
            .access_token(&token.access_token)
            .account_id("123456789012")
            .role_name("AdministratorAccess")
            .send()
    };
    let first = fetch().await.expect("GetRoleCredentials");
    let credentials = first.role_credentials().expect("roleCredentials");
    let expected_ms = SystemTime::now()
        .checked_add(2 * HOUR)
        .expect("time")
        .duration_since(UNIX_EPOCH)
        .expect("epoch")
        .as_millis() as i64;
    assert!(
        (credentials.expiration() - expected_ms).abs() < 10_000,
        "expiration must be epoch milliseconds about 2 h ahead: got {}, expected about {expected_ms}",
        credentials.expiration()
    );
    let key = credentials.access_key_id().expect("accessKeyId");
    assert!(
        key.len() == 20
            && key.starts_with("ASIA")
            && key
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{key}"
    );
    assert_eq!(credentials.secret_access_key().expect("secret").len(), 40);
    assert!(credentials.session_token().expect("sessionToken").len() > 300);

    let second = fetch().await.expect("again");
    let second = second.role_credentials().expect("roleCredentials");
    assert_ne!(
        second.access_key_id(),
        credentials.access_key_id(),
        "credentials are new on every call"
    );
    assert_ne!(second.session_token(), credentials.session_token());

    let error = client
        .get_role_credentials()
        .access_token(&token.access_token)
        .account_id("123456789012")
        .role_name("NotAssigned")
        .send()
        .await
        .expect_err("unassigned role");
    assert_eq!(
        error.as_service_error().and_then(|e| e.code()),
        Some("ForbiddenException"),
        "{error:?}"
    );
    assert_eq!(
        error.raw_response().map(|raw| raw.status().as_u16()),
        Some(403)
    );
    let recorded = emulator.requests();
    assert_eq!(
        recorded[0].header("x-amz-sso_bearer_token"),
        Some(token.access_token.as_str())
    );
    assert_eq!(recorded[0].query_param("account_id"), Some("123456789012"));
    assert_eq!(
        recorded[0].query_param("role_name"),
        Some("AdministratorAccess")
    );
}

#[test]
fn role_credentials_expiration_is_a_json_number_on_the_wire() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let account = emulator.account(0).expect("a default account");
    let response = raw_request(
        &emulator.url(),
        "GET",
        &format!(
            "/federation/credentials?role_name=ReadOnly&account_id={}",
            account.account_id
        ),
        &[("x-amz-sso_bearer_token", &token.access_token)],
        "",
    );
    assert_eq!(response.status, 200, "{response:?}");
    let body = response.json();
    let expiration = &body["roleCredentials"]["expiration"];
    assert!(
        expiration.is_u64(),
        "expiration must be a JSON number: {body}"
    );
    assert!(
        expiration.as_u64().unwrap_or(0) > 1_000_000_000_000,
        "and in milliseconds: {expiration}"
    );
}

#[tokio::test]
async fn bad_expired_and_revoked_tokens_are_unauthorized() {
    let emulator = Emulator::start();
    let client = portal(&emulator);
    let expired = emulator.issue_token(Duration::ZERO);
    let revoked = emulator.issue_token(HOUR);
    assert!(emulator.revoke_token(&revoked.access_token));
    for (what, token) in [
        ("unknown", "not-a-token"),
        ("expired", expired.access_token.as_str()),
        ("revoked", revoked.access_token.as_str()),
    ] {
        let error = client
            .list_accounts()
            .access_token(token)
            .send()
            .await
            .expect_err(what);
        let service_error = error
            .as_service_error()
            .unwrap_or_else(|| panic!("{what}: not a service error: {error:?}"));
        assert!(
            service_error.is_unauthorized_exception(),
            "{what}: {error:?}"
        );
        assert_eq!(
            service_error.message(),
            Some("Session token not found or invalid")
        );
        assert_eq!(
            error.raw_response().map(|raw| raw.status().as_u16()),
            Some(401)
        );
    }
    let wire = raw_request(&emulator.url(), "GET", "/assignment/accounts", &[], "");
    assert_eq!(wire.status, 401, "missing header");
    assert_eq!(
        wire.header("x-amzn-ErrorType"),
        Some("UnauthorizedException")
    );
    assert_eq!(wire.json()["__type"], "UnauthorizedException");
}

#[tokio::test]
async fn logout_revokes_the_token_and_its_refresh_token() {
    let emulator = Emulator::start();
    let registration = emulator.issue_client_registration(HOUR);
    let token = emulator.issue_refreshable_token(&registration, HOUR);
    let client = portal(&emulator);
    client
        .logout()
        .access_token(&token.access_token)
        .send()
        .await
        .expect("Logout");
    assert!(!emulator.token_is_valid(&token.access_token));
    let error = client
        .list_accounts()
        .access_token(&token.access_token)
        .send()
        .await
        .expect_err("after logout");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_unauthorized_exception()),
        "{error:?}"
    );
    let refresh = oidc(&emulator)
        .create_token()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .grant_type("refresh_token")
        .refresh_token(token.refresh_token.expect("refreshable"))
        .send()
        .await
        .expect_err("refresh after logout");
    assert!(
        refresh
            .as_service_error()
            .is_some_and(|e| e.is_invalid_grant_exception()),
        "{refresh:?}"
    );
}

// ----- Faults, rate limit, counters --------------------------------------------------

async fn list_once(
    client: &aws_sdk_sso::Client,
    token: &str,
) -> Result<(), SdkError<aws_sdk_sso::operation::list_accounts::ListAccountsError>> {
    client
        .list_accounts()
        .access_token(token)
        .send()
        .await
        .map(|_| ())
}

#[tokio::test]
async fn an_error_fault_on_the_nth_call_hits_only_that_call() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let client = portal(&emulator);
    emulator.inject_fault(
        Operation::ListAccounts,
        Fault::error(503, "ServiceUnavailableException", "try later").nth(2),
    );
    list_once(&client, &token.access_token)
        .await
        .expect("call 1");
    let error = list_once(&client, &token.access_token)
        .await
        .expect_err("call 2");
    assert_eq!(
        error.as_service_error().and_then(|e| e.code()),
        Some("ServiceUnavailableException"),
        "{error:?}"
    );
    assert_eq!(
        error.as_service_error().and_then(|e| e.message()),
        Some("try later")
    );
    assert_eq!(
        error.raw_response().map(|raw| raw.status().as_u16()),
        Some(503)
    );
    list_once(&client, &token.access_token)
        .await
        .expect("call 3");
    assert_eq!(
        emulator.calls(Operation::ListAccounts),
        3,
        "the faulted call counts too"
    );
    assert_eq!(emulator.calls(Operation::GetRoleCredentials), 0);
}

#[tokio::test]
async fn a_times_fault_hits_the_next_n_calls_and_typed_errors_stay_typed() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let client = portal(&emulator);
    emulator.inject_fault(
        Operation::ListAccounts,
        Fault::error(401, "UnauthorizedException", "injected").times(2),
    );
    for call in 1..=2 {
        let error = list_once(&client, &token.access_token)
            .await
            .expect_err("faulted");
        assert!(
            error
                .as_service_error()
                .is_some_and(|e| e.is_unauthorized_exception()),
            "call {call}: {error:?}"
        );
    }
    list_once(&client, &token.access_token)
        .await
        .expect("call 3 is clean");
}

#[tokio::test]
async fn garbage_bodies_and_dropped_connections_fail_without_a_service_error() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let client = portal(&emulator);
    emulator.inject_fault(Operation::ListAccounts, Fault::garbage_body().nth(1));
    emulator.inject_fault(Operation::ListAccounts, Fault::drop_connection().nth(2));
    let garbage = list_once(&client, &token.access_token)
        .await
        .expect_err("garbage");
    // The SDK reports an unparseable 200 as an unhandled error with no code.
    assert_eq!(
        garbage.raw_response().map(|raw| raw.status().as_u16()),
        Some(200),
        "{garbage:?}"
    );
    assert!(
        garbage
            .as_service_error()
            .is_some_and(|e| e.code().is_none() && e.meta().message().is_none()),
        "a garbage body names no error: {garbage:?}"
    );
    let dropped = list_once(&client, &token.access_token)
        .await
        .expect_err("dropped");
    assert!(
        matches!(dropped, SdkError::DispatchFailure(_)),
        "a closed connection is a dispatch failure: {dropped:?}"
    );
    list_once(&client, &token.access_token)
        .await
        .expect("call 3 is clean");
    emulator.inject_fault(Operation::ListAccounts, Fault::drop_connection());
    list_once(&client, &token.access_token)
        .await
        .expect_err("always dropped");
    emulator.clear_faults();
    list_once(&client, &token.access_token)
        .await
        .expect("faults cleared");
}

#[tokio::test]
async fn a_delay_fault_trips_client_timeouts_and_then_passes() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let client = portal_with_timeout(&emulator, Some(Duration::from_millis(300)));
    emulator.inject_fault(
        Operation::ListAccounts,
        Fault::delay(Duration::from_secs(2)).nth(1),
    );
    let started = std::time::Instant::now();
    let error = list_once(&client, &token.access_token)
        .await
        .expect_err("slow");
    assert!(matches!(error, SdkError::TimeoutError(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the client gave up, not the server"
    );
    emulator.inject_fault(
        Operation::ListAccounts,
        Fault::delay(Duration::from_millis(50)).nth(1),
    );
    let started = std::time::Instant::now();
    list_once(&client, &token.access_token)
        .await
        .expect("a short delay answers normally");
    assert!(
        started.elapsed() >= Duration::from_millis(50),
        "the delay was applied"
    );
}

#[tokio::test]
async fn a_rate_limit_answers_too_many_requests() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    let client = portal(&emulator);
    emulator.set_rate_limit(Some(2));
    list_once(&client, &token.access_token).await.expect("1st");
    list_once(&client, &token.access_token).await.expect("2nd");
    let error = list_once(&client, &token.access_token)
        .await
        .expect_err("3rd within the second");
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_too_many_requests_exception()),
        "{error:?}"
    );
    assert_eq!(
        error.raw_response().map(|raw| raw.status().as_u16()),
        Some(429)
    );
    emulator.set_rate_limit(None);
    list_once(&client, &token.access_token)
        .await
        .expect("limit lifted");
}

#[tokio::test]
async fn counters_and_the_request_log_see_every_call_and_keep_secrets_out_of_debug() {
    let emulator = Emulator::start();
    let token = emulator.issue_token(HOUR);
    assert_eq!(
        emulator.total_calls(),
        0,
        "issuing a token is not a request"
    );
    let client = portal(&emulator);
    list_once(&client, &token.access_token).await.expect("list");
    list_once(&client, "bad")
        .await
        .expect_err("unauthorized still counts");
    assert_eq!(emulator.calls(Operation::ListAccounts), 2);
    assert_eq!(emulator.total_calls(), 2);
    let recorded = emulator.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].operation, Operation::ListAccounts);
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(recorded[0].path, "/assignment/accounts");
    let debug = format!("{recorded:?} {token:?}");
    assert!(
        !debug.contains(&token.access_token),
        "tokens must not appear in Debug output: {debug}"
    );

    let unknown = raw_request(&emulator.url(), "GET", "/no/such/path", &[], "");
    assert_eq!(unknown.status, 404);
    assert_eq!(
        emulator.total_calls(),
        2,
        "unrouted requests belong to no operation"
    );
    emulator.reset_calls();
    assert_eq!(emulator.calls(Operation::ListAccounts), 0);
    assert!(emulator.requests().is_empty());
}
