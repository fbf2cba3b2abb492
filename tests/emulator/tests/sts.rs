//! The emulator's STS driven by the real Rust SDK client (`aws-sdk-sts`),
//! signing with credentials the portal issued, as a program that got them
//! from ssoenv would. If a signature check, a field, an XML element or an
//! error code were wrong, the SDK would fail to parse the answer or would
//! name the error differently. Each refusal is checked after the same call
//! has been shown to succeed with the right input.

#[path = "common/aws.rs"]
mod aws;
mod common;

use std::time::{Duration, SystemTime};

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use sso_emulator::{AssumableRole, Fault, Operation};

use aws::{
    Keys, PERMISSION_SET, SSO_ACCOUNT, assume, caller_arn, emulator, sso_keys, sts, sts_client,
};
use common::raw_request;

const DEPLOY_ROLE: &str = "arn:aws:iam::222222222222:role/Deploy";
const WRONG_SIGNATURE: &str = "The request signature we calculated does not match the signature \
                               you provided. Check your AWS Secret Access Key and signing method. \
                               Consult the service documentation for details.";
const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

/// Code, message and HTTP status of a failed call, as the SDK reports them.
fn failure<E: ProvideErrorMetadata>(error: &SdkError<E>) -> (String, String, u16) {
    (
        error.code().unwrap_or("<no code>").to_owned(),
        error.message().unwrap_or("<no message>").to_owned(),
        error.raw_response().map_or(0, |raw| raw.status().as_u16()),
    )
}

fn access_denied(caller: &str, role_arn: &str) -> (String, String, u16) {
    (
        "AccessDenied".to_owned(),
        format!(
            "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        ),
        403,
    )
}

// ----- GetCallerIdentity ----------------------------------------------------------

#[tokio::test]
async fn sso_credentials_are_a_session_of_the_permission_set_role_named_after_the_user() {
    let emulator = emulator();
    emulator.set_user_name("ada@example.com");
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let identity = sts(&emulator, &keys)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity with the SSO role credentials");

    let expected_arn = emulator.sso_caller_arn(SSO_ACCOUNT, PERMISSION_SET);
    assert!(
        expected_arn.starts_with(
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AdministratorAccess_"
        ) && expected_arn.ends_with("/ada@example.com"),
        "{expected_arn}"
    );
    assert_eq!(identity.arn(), Some(expected_arn.as_str()));
    assert_eq!(identity.account(), Some(SSO_ACCOUNT));
    let user_id = identity.user_id().expect("UserId");
    let (role_id, session) = user_id.split_once(':').expect("AROA…:session");
    assert!(
        role_id.len() == 20
            && role_id.starts_with("AROA")
            && role_id[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{user_id}"
    );
    assert_eq!(session, "ada@example.com");
    assert_eq!(
        emulator.caller_arn(&keys.access_key_id),
        Some(expected_arn.clone())
    );

    // The role behind it is the one trust policies name, suffix included.
    let role_arn = emulator.sso_role_arn(SSO_ACCOUNT, PERMISSION_SET);
    let role_name = expected_arn.split('/').nth(1).expect("role name");
    assert_eq!(
        role_arn,
        format!("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/{role_name}")
    );
    assert_ne!(
        role_arn,
        emulator.sso_role_arn(SSO_ACCOUNT, "ReadOnly"),
        "each permission set has its own role"
    );

    // Another permission set gives another role; the role id stays per role.
    let read_only = sso_keys(&emulator, SSO_ACCOUNT, "ReadOnly").await;
    let other = sts(&emulator, &read_only)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(
        other.arn(),
        Some(emulator.sso_caller_arn(SSO_ACCOUNT, "ReadOnly").as_str())
    );
    assert_ne!(other.user_id(), identity.user_id());
    let again = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let same_role = sts(&emulator, &again)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(same_role.user_id(), identity.user_id(), "stable role id");
    assert_eq!(emulator.calls(Operation::GetCallerIdentity), 3);
}

#[tokio::test]
async fn a_one_character_change_to_the_secret_is_signature_does_not_match() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    caller_arn(&emulator, &keys).await; // precondition: the real secret works

    let error = sts(&emulator, &keys.with_altered_secret())
        .get_caller_identity()
        .send()
        .await
        .expect_err("altered secret");
    assert_eq!(
        failure(&error),
        (
            "SignatureDoesNotMatch".to_owned(),
            WRONG_SIGNATURE.to_owned(),
            403
        ),
        "{error:?}"
    );
    // The same for AssumeRole into a role that would let the caller in.
    emulator.create_role(AssumableRole::new(DEPLOY_ROLE).trust_any());
    assume(&emulator, &keys, DEPLOY_ROLE, "ci").await;
    let error = sts(&emulator, &keys.with_altered_secret())
        .assume_role()
        .role_arn(DEPLOY_ROLE)
        .role_session_name("ci")
        .send()
        .await
        .expect_err("altered secret");
    assert_eq!(failure(&error).0, "SignatureDoesNotMatch", "{error:?}");
}

#[tokio::test]
async fn unknown_keys_and_missing_or_foreign_session_tokens_are_invalid_client_token_id() {
    let emulator = emulator();
    let keys = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let other = sso_keys(&emulator, SSO_ACCOUNT, "ReadOnly").await;
    caller_arn(&emulator, &keys).await; // precondition
    caller_arn(&emulator, &other).await;

    let unknown = Keys {
        access_key_id: "ASIAXXXXXXXXXXXXXXXX".to_owned(),
        ..keys.clone()
    };
    let foreign_token = Keys {
        session_token: other.session_token.clone(),
        ..keys.clone()
    };
    for (what, client) in [
        ("unknown key", sts(&emulator, &unknown)),
        ("another session's token", sts(&emulator, &foreign_token)),
        ("no session token", sts_client(&emulator, &keys, false)),
    ] {
        let error = client.get_caller_identity().send().await.expect_err(what);
        assert_eq!(
            failure(&error),
            (
                "InvalidClientTokenId".to_owned(),
                INVALID_TOKEN.to_owned(),
                403
            ),
            "{what}: {error:?}"
        );
    }
}

#[tokio::test]
async fn expired_credentials_are_expired_token_for_both_operations() {
    let emulator = emulator();
    emulator.create_role(AssumableRole::new(DEPLOY_ROLE).trust_any());
    emulator.set_assumed_role_lifetime(Some(Duration::from_secs(3)));
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let started = SystemTime::now();
    let output = sts(&emulator, &sso)
        .assume_role()
        .role_arn(DEPLOY_ROLE)
        .role_session_name("short")
        .send()
        .await
        .expect("AssumeRole");
    let credentials = output.credentials().expect("Credentials");
    let expiration = SystemTime::try_from(*credentials.expiration()).expect("a SystemTime");
    let lifetime = expiration.duration_since(started).unwrap_or(Duration::ZERO);
    assert!(
        lifetime <= Duration::from_secs(3),
        "the lifetime control wins over the default hour: {lifetime:?}"
    );
    let short = Keys {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: credentials.secret_access_key().to_owned(),
        session_token: credentials.session_token().to_owned(),
    };
    caller_arn(&emulator, &short).await; // precondition: valid right away

    tokio::time::sleep(Duration::from_millis(3500)).await;
    let expired = (
        "ExpiredToken".to_owned(),
        "The security token included in the request is expired".to_owned(),
        400,
    );
    let error = sts(&emulator, &short)
        .get_caller_identity()
        .send()
        .await
        .expect_err("expired");
    assert_eq!(failure(&error), expired, "{error:?}");
    let error = sts(&emulator, &short)
        .assume_role()
        .role_arn(DEPLOY_ROLE)
        .role_session_name("again")
        .send()
        .await
        .expect_err("expired");
    assert_eq!(failure(&error), expired, "{error:?}");
    // An expired key with a wrong secret is still "expired": expiry is checked first.
    let error = sts(&emulator, &short.with_altered_secret())
        .get_caller_identity()
        .send()
        .await
        .expect_err("expired");
    assert_eq!(failure(&error).0, "ExpiredToken");
    caller_arn(&emulator, &sso).await; // the source credentials live on
}

// ----- AssumeRole -------------------------------------------------------------------

#[tokio::test]
async fn assume_role_into_a_trusting_role_gives_a_session_of_that_role() {
    let emulator = emulator();
    let sso_role = emulator.sso_role_arn(SSO_ACCOUNT, PERMISSION_SET);
    emulator.create_role(AssumableRole::new(DEPLOY_ROLE).trust_role(&sso_role));
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;

    let before = SystemTime::now();
    let output = sts(&emulator, &sso)
        .assume_role()
        .role_arn(DEPLOY_ROLE)
        .role_session_name("ci-run@42")
        .send()
        .await
        .expect("AssumeRole");
    let user = output.assumed_role_user().expect("AssumedRoleUser");
    assert_eq!(
        user.arn(),
        "arn:aws:sts::222222222222:assumed-role/Deploy/ci-run@42"
    );
    let (role_id, session) = user.assumed_role_id().split_once(':').expect("id:session");
    assert!(
        role_id.starts_with("AROA") && role_id.len() == 20,
        "{role_id}"
    );
    assert_eq!(session, "ci-run@42");

    let credentials = output.credentials().expect("Credentials");
    let expiration = SystemTime::try_from(*credentials.expiration()).expect("a SystemTime");
    let lifetime = expiration.duration_since(before).expect("in the future");
    assert!(
        lifetime > Duration::from_secs(3590) && lifetime <= Duration::from_secs(3600),
        "DurationSeconds defaults to one hour: {lifetime:?}"
    );
    assert!(credentials.access_key_id().starts_with("ASIA"));
    assert_eq!(credentials.secret_access_key().len(), 40);
    assert!(credentials.session_token().len() > 300);
    assert!(
        emulator
            .issued_access_key_ids()
            .contains(&credentials.access_key_id().to_owned())
    );
    let role_secrets = emulator.issued_role_secrets();
    assert!(role_secrets.contains(&credentials.secret_access_key().to_owned()));
    assert!(role_secrets.contains(&credentials.session_token().to_owned()));

    let deploy = Keys {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: credentials.secret_access_key().to_owned(),
        session_token: credentials.session_token().to_owned(),
    };
    let identity = sts(&emulator, &deploy)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity with the assumed role's credentials");
    assert_eq!(identity.arn(), Some(user.arn()));
    assert_eq!(identity.account(), Some("222222222222"));
    assert_eq!(identity.user_id(), Some(user.assumed_role_id()));
    assert_eq!(
        emulator.caller_arn(&deploy.access_key_id).as_deref(),
        Some(user.arn())
    );

    // The session name and ExternalId travel in the form body the SDK signed.
    let recorded = emulator
        .requests()
        .into_iter()
        .find(|request| request.operation == Operation::AssumeRole)
        .expect("recorded");
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.path, "/");
    assert!(
        recorded.body.contains("Action=AssumeRole") && recorded.body.contains("Version=2011-06-15"),
        "{}",
        recorded.body
    );
    assert!(
        recorded
            .header("authorization")
            .is_some_and(|value| value.starts_with("AWS4-HMAC-SHA256 Credential=")
                && value.contains("/eu-west-1/sts/aws4_request"))
    );
    let debug = format!("{recorded:?}");
    assert!(
        !debug.contains(&sso.session_token) && !debug.contains(&sso.secret_access_key),
        "no session token in Debug: {debug}"
    );
}

#[tokio::test]
async fn a_three_hop_chain_works_each_hop_trusting_the_previous() {
    let emulator = emulator();
    let first = "arn:aws:iam::222222222222:role/team/Hop1";
    let second = "arn:aws:iam::333333333333:role/Hop2";
    let third = "arn:aws:iam::444444444444:role/Hop3";
    emulator.create_role(
        AssumableRole::new(first).trust_role(&emulator.sso_role_arn(SSO_ACCOUNT, PERMISSION_SET)),
    );
    emulator.create_role(AssumableRole::new(second).trust_role(first));
    emulator.create_role(AssumableRole::new(third).trust_account("333333333333"));

    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let hop1 = assume(&emulator, &sso, first, "one").await;
    assert_eq!(
        caller_arn(&emulator, &hop1).await,
        "arn:aws:sts::222222222222:assumed-role/Hop1/one",
        "the path is not part of the assumed-role ARN"
    );
    let hop2 = assume(&emulator, &hop1, second, "two").await;
    assert_eq!(
        caller_arn(&emulator, &hop2).await,
        "arn:aws:sts::333333333333:assumed-role/Hop2/two"
    );
    let hop3 = assume(&emulator, &hop2, third, "three").await;
    assert_eq!(
        caller_arn(&emulator, &hop3).await,
        "arn:aws:sts::444444444444:assumed-role/Hop3/three"
    );

    // Trust is per hop: the SSO session may not skip to the second role.
    let error = sts(&emulator, &sso)
        .assume_role()
        .role_arn(second)
        .role_session_name("skip")
        .send()
        .await
        .expect_err("not trusted");
    assert_eq!(
        failure(&error),
        access_denied(
            &emulator.sso_caller_arn(SSO_ACCOUNT, PERMISSION_SET),
            second
        )
    );
    assert_eq!(emulator.calls(Operation::AssumeRole), 4);
}

#[tokio::test]
async fn chained_sessions_over_an_hour_and_out_of_range_durations_are_validation_errors() {
    let emulator = emulator();
    emulator.create_role(
        AssumableRole::new(DEPLOY_ROLE)
            .trust_any()
            .max_session_duration(Duration::from_secs(12 * 3600)),
    );
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let with_duration = |seconds: i32| {
        sts(&emulator, &sso)
            .assume_role()
            .role_arn(DEPLOY_ROLE)
            .role_session_name("timed")
            .duration_seconds(seconds)
            .send()
    };
    let before = SystemTime::now();
    let output = with_duration(900).await.expect("15 minutes is allowed");
    let expiration = SystemTime::try_from(*output.credentials().expect("creds").expiration())
        .expect("a SystemTime");
    let lifetime = expiration.duration_since(before).expect("future");
    assert!(
        lifetime > Duration::from_secs(890) && lifetime <= Duration::from_secs(900),
        "{lifetime:?}"
    );
    with_duration(3600)
        .await
        .expect("one hour is the chaining limit");

    let error = with_duration(7200).await.expect_err("role chaining");
    assert_eq!(
        failure(&error),
        (
            "ValidationError".to_owned(),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
                .to_owned(),
            400
        ),
        "even though the role allows 12 hours"
    );
    let error = with_duration(899).await.expect_err("too short");
    assert_eq!(
        failure(&error).1,
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
    );
    let error = with_duration(43_201).await.expect_err("too long");
    assert_eq!(
        failure(&error).1,
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"
    );
}

#[tokio::test]
async fn bad_session_names_and_non_role_arns_are_validation_errors() {
    let emulator = emulator();
    emulator.create_role(AssumableRole::new(DEPLOY_ROLE).trust_any());
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    assume(&emulator, &sso, DEPLOY_ROLE, "a-good_name").await; // precondition
    let attempt = |role_arn: &str, session_name: &str| {
        sts(&emulator, &sso)
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .send()
    };
    let error = attempt(DEPLOY_ROLE, "has space")
        .await
        .expect_err("pattern");
    assert_eq!(
        failure(&error),
        (
            "ValidationError".to_owned(),
            r"1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*"
                .to_owned(),
            400
        )
    );
    let error = attempt(DEPLOY_ROLE, "x").await.expect_err("length");
    assert_eq!(
        failure(&error).1,
        "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
    );
    let long = "n".repeat(65);
    let error = attempt(DEPLOY_ROLE, &long).await.expect_err("length");
    assert_eq!(
        failure(&error).1,
        format!(
            "1 validation error detected: Value '{long}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"
        )
    );
    let error = attempt("arn:aws:iam::222222222222:user/Deploy", "ci")
        .await
        .expect_err("a user is not a role");
    assert_eq!(
        failure(&error),
        (
            "ValidationError".to_owned(),
            "Request ARN is invalid".to_owned(),
            400
        )
    );
}

#[tokio::test]
async fn untrusted_callers_missing_roles_and_external_id_mismatches_are_access_denied() {
    let emulator = emulator();
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    let caller = emulator.sso_caller_arn(SSO_ACCOUNT, PERMISSION_SET);
    let attempt = |role_arn: &str, external_id: Option<&str>| {
        sts(&emulator, &sso)
            .assume_role()
            .role_arn(role_arn)
            .role_session_name("ci")
            .set_external_id(external_id.map(str::to_owned))
            .send()
    };

    let error = attempt(DEPLOY_ROLE, None).await.expect_err("no such role");
    assert_eq!(failure(&error), access_denied(&caller, DEPLOY_ROLE));

    let trusts_other_account = "arn:aws:iam::222222222222:role/Other";
    emulator.create_role(AssumableRole::new(trusts_other_account).trust_account("999999999999"));
    let error = attempt(trusts_other_account, None)
        .await
        .expect_err("untrusted");
    assert_eq!(
        failure(&error),
        access_denied(&caller, trusts_other_account)
    );
    let trusts_other_role = "arn:aws:iam::222222222222:role/OtherRole";
    emulator.create_role(
        AssumableRole::new(trusts_other_role)
            .trust_role(&emulator.sso_role_arn(SSO_ACCOUNT, "ReadOnly")),
    );
    let error = attempt(trusts_other_role, None)
        .await
        .expect_err("untrusted");
    assert_eq!(failure(&error), access_denied(&caller, trusts_other_role));

    emulator.create_role(
        AssumableRole::new(DEPLOY_ROLE)
            .trust_account(SSO_ACCOUNT)
            .external_id("shared-secret-42"),
    );
    attempt(DEPLOY_ROLE, Some("shared-secret-42"))
        .await
        .expect("precondition: trusted, with the right external id");
    for (what, external_id) in [("missing", None), ("wrong", Some("shared-secret-43"))] {
        let error = attempt(DEPLOY_ROLE, external_id).await.expect_err(what);
        assert_eq!(
            failure(&error),
            access_denied(&caller, DEPLOY_ROLE),
            "{what} external id"
        );
    }
}

// ----- faults, limits and the wire -------------------------------------------------

#[tokio::test]
async fn injected_faults_and_the_rate_limit_answer_in_sts_xml_that_the_sdk_reads() {
    let emulator = emulator();
    let sso = sso_keys(&emulator, SSO_ACCOUNT, PERMISSION_SET).await;
    caller_arn(&emulator, &sso).await; // precondition
    emulator.inject_fault(
        Operation::GetCallerIdentity,
        Fault::error(500, "InternalFailure", "boom <&> \"quoted\"").nth(1),
    );
    let error = sts(&emulator, &sso)
        .get_caller_identity()
        .send()
        .await
        .expect_err("fault");
    assert_eq!(
        failure(&error),
        (
            "InternalFailure".to_owned(),
            "boom <&> \"quoted\"".to_owned(),
            500
        ),
        "the SDK parsed the escaped XML error: {error:?}"
    );
    caller_arn(&emulator, &sso).await; // only the first call after injection

    emulator.inject_fault(
        Operation::AssumeRole,
        Fault::error(
            400,
            "RegionDisabledException",
            "STS is not activated in this region",
        )
        .nth(1),
    );
    let error = sts(&emulator, &sso)
        .assume_role()
        .role_arn(DEPLOY_ROLE)
        .role_session_name("ci")
        .send()
        .await
        .expect_err("fault");
    let service_error = error.as_service_error().expect("a service error");
    assert!(
        service_error.is_region_disabled_exception(),
        "a modelled STS error comes out typed: {error:?}"
    );

    emulator.set_rate_limit(Some(1));
    let mut throttled = None;
    for _ in 0..3 {
        if let Err(error) = sts(&emulator, &sso).get_caller_identity().send().await {
            throttled = Some(failure(&error));
        }
    }
    assert_eq!(
        throttled,
        Some(("Throttling".to_owned(), "Rate exceeded".to_owned(), 400))
    );
}

/// The text of `<element>` in an XML body.
fn xml_text<'a>(body: &'a str, element: &str) -> Option<&'a str> {
    let open = format!("<{element}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{element}>"))? + start;
    Some(&body[start..end])
}

#[test]
fn unsigned_malformed_and_unknown_requests_get_sts_errors_on_the_wire() {
    let emulator = emulator();
    let form = [(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )];
    let unsigned = raw_request(
        &emulator.url(),
        "POST",
        "/",
        &form,
        "Action=GetCallerIdentity&Version=2011-06-15",
    );
    assert_eq!(unsigned.status, 403, "{unsigned:?}");
    assert_eq!(unsigned.header("content-type"), Some("text/xml"));
    assert!(
        unsigned
            .body
            .starts_with("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{}",
        unsigned.body
    );
    assert_eq!(xml_text(&unsigned.body, "Type"), Some("Sender"));
    assert_eq!(
        xml_text(&unsigned.body, "Code"),
        Some("MissingAuthenticationToken")
    );
    assert_eq!(
        xml_text(&unsigned.body, "Message"),
        Some("Request is missing Authentication Token")
    );
    assert_eq!(
        xml_text(&unsigned.body, "RequestId"),
        unsigned.header("x-amzn-RequestId"),
        "one request id in the header and the body"
    );

    let malformed = raw_request(
        &emulator.url(),
        "POST",
        "/",
        &[
            form[0],
            ("authorization", "AWS4-HMAC-SHA256 Credential=ASIA/20250101"),
            ("x-amz-date", "20250101T000000Z"),
        ],
        "Action=GetCallerIdentity&Version=2011-06-15",
    );
    assert_eq!(malformed.status, 400, "{malformed:?}");
    assert_eq!(
        xml_text(&malformed.body, "Code"),
        Some("IncompleteSignature")
    );

    // A well-formed header from 2020: refused for the clock before the key is looked up.
    let stale = raw_request(
        &emulator.url(),
        "POST",
        "/",
        &[
            form[0],
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=ASIAXXXXXXXXXXXXXXXX/20200101/us-east-1/sts/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=00",
            ),
            ("x-amz-date", "20200101T000000Z"),
        ],
        "Action=GetCallerIdentity&Version=2011-06-15",
    );
    assert_eq!(stale.status, 403, "{stale:?}");
    assert_eq!(xml_text(&stale.body, "Code"), Some("SignatureDoesNotMatch"));
    let message = xml_text(&stale.body, "Message").unwrap_or_default();
    assert!(
        message.starts_with("Signature expired: 20200101T000000Z is now earlier than ")
            && message.ends_with(" - 15 min.)"),
        "{message}"
    );
    assert_eq!(emulator.calls(Operation::GetCallerIdentity), 3);

    for (body, code, message) in [
        (
            "Action=GetFederationToken&Version=2011-06-15",
            "InvalidAction",
            "Could not find operation GetFederationToken for version 2011-06-15",
        ),
        (
            "Action=GetCallerIdentity&Version=2010-01-01",
            "InvalidAction",
            "Could not find operation GetCallerIdentity for version 2010-01-01",
        ),
        (
            "Version=2011-06-15",
            "MissingAction",
            "The request must contain the parameter Action.",
        ),
    ] {
        let response = raw_request(&emulator.url(), "POST", "/", &form, body);
        assert_eq!(response.status, 400, "{body}: {response:?}");
        assert_eq!(xml_text(&response.body, "Code"), Some(code), "{body}");
        assert_eq!(xml_text(&response.body, "Message"), Some(message), "{body}");
    }
    assert_eq!(
        emulator.total_calls(),
        3,
        "requests that name no operation are counted under none"
    );
}
