//! The console sign-in endpoint (`signin.aws.amazon.com/federation`):
//! `getSigninToken` trades session credentials for a one-time sign-in
//! token, and `login` spends that token in a browser, landing on the AWS
//! console.
//!
//! A program that opens the console for the current credentials builds a
//! URL that is a bearer secret, so tests need to see that it gets the
//! credentials, the token rules (one use, 15 minutes) and the destination
//! right. The `login` page stands in for the console: it names the account,
//! the session's assumed-role ARN and the region the destination asks for,
//! in elements with fixed ids that tests read. Every refusal is a 400 that
//! names the problem without echoing a secret.

use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::json;

use crate::model::ConsoleSignIn;
use crate::secrets;
use crate::server::Call;
use crate::state::{SessionProblem, SigninTokenRecord, State, secrets_equal};
use crate::wire::{ApiError, Reply, html_escape, html_page};

/// How long a sign-in token can be spent, as AWS documents it.
const SIGNIN_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// The region the console opens in when the destination names none.
const DEFAULT_REGION: &str = "us-east-1";
/// The console hosts of the three partitions. A destination must be one of
/// these or a subdomain (`eu-west-1.console.aws.amazon.com`,
/// `s3.console.aws.amazon.com`): the endpoint is no open redirect.
const CONSOLE_DOMAINS: [&str; 3] = [
    "console.aws.amazon.com",
    "console.amazonaws.cn",
    "console.amazonaws-us-gov.com",
];

/// The `Session` parameter of getSigninToken.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionParameter {
    session_id: String,
    session_key: String,
    session_token: String,
}

fn bad_request(name: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(400, name, message)
}

/// The answer to `GET /federation` with an `Action` other than
/// `getSigninToken` and `login`.
pub(crate) fn unrouted(query: &[(String, String)]) -> ApiError {
    match query.iter().find(|(key, _)| key == "Action") {
        None => bad_request("MissingAction", "Action parameter is required"),
        Some((_, action)) => bad_request(
            "UnsupportedAction",
            format!("Unsupported Action '{action}': use getSigninToken or login"),
        ),
    }
}

pub(crate) fn get_signin_token(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let Some(session) = call.query("Session").filter(|value| !value.is_empty()) else {
        return Err(bad_request(
            "MissingSession",
            "Session parameter is required",
        ));
    };
    let session: SessionParameter = serde_json::from_str(session).map_err(|_| {
        bad_request(
            "MalformedSession",
            "Session must be JSON with sessionId, sessionKey and sessionToken",
        )
    })?;
    let record = state
        .session_for(&session.session_id, Some(&session.session_token), now)
        .map_err(|problem| match problem {
            SessionProblem::UnknownKey => bad_request(
                "InvalidCredentials",
                "sessionId is not an access key id this service issued",
            ),
            SessionProblem::WrongToken => bad_request(
                "InvalidCredentials",
                "sessionToken is not the session token issued with sessionId",
            ),
            SessionProblem::Expired => {
                bad_request("ExpiredCredentials", "The session credentials have expired")
            }
        })?;
    if !secrets_equal(&session.session_key, &record.secret_access_key) {
        return Err(bad_request(
            "InvalidCredentials",
            "sessionKey is not the secret access key of sessionId",
        ));
    }
    // Every emulator credential is an SSO or role-chained session, and AWS
    // refuses SessionDuration for both.
    if call.query("SessionDuration").is_some() {
        return Err(bad_request(
            "SessionDurationNotAllowed",
            "SessionDuration cannot be used with role-chained or IAM Identity Center credentials",
        ));
    }

    let token = secrets::opaque("", 384);
    state.issued_secrets.push(token.clone());
    state.issued_role_secrets.push(token.clone());
    state.signin_tokens.insert(
        token.clone(),
        SigninTokenRecord {
            access_key_id: session.session_id,
            expires_at: now + SIGNIN_TOKEN_LIFETIME,
            used: false,
        },
    );
    Ok(Reply::Json(json!({ "SigninToken": token })))
}

pub(crate) fn console_login(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let Some(token) = call.query("SigninToken").filter(|value| !value.is_empty()) else {
        return Err(bad_request(
            "MissingSigninToken",
            "SigninToken parameter is required",
        ));
    };
    let Some(destination) = call.query("Destination").filter(|value| !value.is_empty()) else {
        return Err(bad_request(
            "MissingDestination",
            "Destination parameter is required",
        ));
    };
    let Some(region) = console_region(destination) else {
        return Err(bad_request(
            "InvalidDestination",
            "Destination must be an https URL of the AWS console",
        ));
    };
    let issuer = call.query("Issuer").map(str::to_owned);

    // Checked before the token is spent, so a bad link does not burn it.
    let Some(record) = state.signin_tokens.get_mut(token) else {
        return Err(bad_request(
            "InvalidSigninToken",
            "The sign-in token is not valid",
        ));
    };
    if record.used {
        return Err(bad_request(
            "InvalidSigninToken",
            "The sign-in token has already been used",
        ));
    }
    if now >= record.expires_at {
        return Err(bad_request(
            "InvalidSigninToken",
            "The sign-in token has expired",
        ));
    }
    record.used = true;
    let access_key_id = record.access_key_id.clone();
    let Some(session) = state
        .sessions
        .get(&access_key_id)
        .filter(|session| now < session.expires_at)
    else {
        return Err(bad_request(
            "ExpiredCredentials",
            "The session behind the sign-in token has expired",
        ));
    };

    let signed_in = ConsoleSignIn {
        account_id: session.account_id.clone(),
        arn: session.caller_arn.clone(),
        region,
        destination: destination.to_owned(),
        issuer,
        at: now,
    };
    let page = console_page(&signed_in);
    state.console_logins.push(signed_in);
    Ok(Reply::Html(page))
}

/// The stand-in for the console: who is signed in, where, and where the
/// link was going, each in an element with a fixed id.
fn console_page(signed_in: &ConsoleSignIn) -> String {
    let mut body = format!(
        "<p>Signed in as <code id=\"arn\">{}</code></p>\
         <dl>\
         <dt>Account</dt><dd id=\"account\">{}</dd>\
         <dt>Region</dt><dd id=\"region\">{}</dd>\
         <dt>Destination</dt><dd id=\"destination\">{}</dd>",
        html_escape(&signed_in.arn),
        html_escape(&signed_in.account_id),
        html_escape(&signed_in.region),
        html_escape(&signed_in.destination),
    );
    if let Some(issuer) = &signed_in.issuer {
        body.push_str(&format!(
            "<dt>Issuer</dt><dd id=\"issuer\">{}</dd>",
            html_escape(issuer)
        ));
    }
    body.push_str("</dl>");
    html_page("AWS Management Console", &body)
}

/// The region a console URL opens in: its `region=` query parameter, else
/// a `<region>.console.` host prefix, else us-east-1. `None` when the URL is
/// not an https URL of a console host.
fn console_region(destination: &str) -> Option<String> {
    let rest = destination.strip_prefix("https://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    if authority.contains('@') {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
    .to_ascii_lowercase();
    let subdomain = CONSOLE_DOMAINS.iter().find_map(|domain| {
        if host == *domain {
            Some("")
        } else {
            host.strip_suffix(domain)?.strip_suffix('.')
        }
    })?;

    let query = after
        .split_once('?')
        .map_or("", |(_, query)| query)
        .split('#')
        .next()
        .unwrap_or("");
    let from_query = form_urlencoded::parse(query.as_bytes())
        .find(|(key, value)| key == "region" && !value.is_empty())
        .map(|(_, value)| value.into_owned());
    let from_host = subdomain
        .rsplit('.')
        .next()
        .filter(|label| looks_like_region(label))
        .map(str::to_owned);
    Some(
        from_query
            .or(from_host)
            .unwrap_or_else(|| DEFAULT_REGION.to_owned()),
    )
}

/// `eu-west-1`, `us-gov-east-1`, `ap-southeast-4`: two letters, words, a
/// number. Service subdomains such as `s3` are not regions.
fn looks_like_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_query_then_the_host_then_the_default() {
        let region = |url: &str| console_region(url);
        assert_eq!(
            region("https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"),
            Some("eu-west-1".to_owned())
        );
        assert_eq!(
            region("https://ap-southeast-2.console.aws.amazon.com/console/home"),
            Some("ap-southeast-2".to_owned())
        );
        assert_eq!(
            region("https://eu-west-1.console.aws.amazon.com/s3/home?region=us-west-2"),
            Some("us-west-2".to_owned()),
            "the query wins over the host"
        );
        assert_eq!(
            region("https://s3.console.aws.amazon.com/s3/home"),
            Some("us-east-1".to_owned()),
            "a service subdomain is not a region"
        );
        assert_eq!(
            region("https://console.aws.amazon.com"),
            Some("us-east-1".to_owned())
        );
        assert_eq!(
            region("https://us-gov-west-1.console.amazonaws-us-gov.com/"),
            Some("us-gov-west-1".to_owned())
        );
        assert_eq!(
            region("https://console.amazonaws.cn/console/home?region=cn-north-1"),
            Some("cn-north-1".to_owned())
        );
    }

    #[test]
    fn destinations_off_the_console_are_refused() {
        for url in [
            "http://console.aws.amazon.com/",
            "https://console.aws.amazon.com.evil.example/",
            "https://evilconsole.aws.amazon.com/",
            "https://console.aws.amazon.com@evil.example/",
            "https://example.com/?region=eu-west-1",
            "console.aws.amazon.com",
            "",
        ] {
            assert_eq!(console_region(url), None, "{url}");
        }
    }
}
