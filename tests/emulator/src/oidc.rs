//! The SSO OIDC API (`sso-oidc`, restJson1, POST + camelCase JSON) and the two
//! pages a person would open in a browser: `/authorize` for the
//! authorization-code flow with PKCE and `/device` for the device flow.

use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::model::AuthorizeDecision;
use crate::server::Call;
use crate::state::{AuthCodeRecord, DeviceRecord, DeviceStatus, State};
use crate::wire::{ApiError, Reply, html_escape, html_page};
use crate::{secrets, timefmt};

pub(crate) const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_TOKEN_GRANT: &str = "refresh_token";
const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
/// Authorization codes are short-lived, as OAuth recommends.
const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientRequest {
    client_name: Option<String>,
    client_type: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    grant_types: Vec<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    start_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    device_code: Option<String>,
    refresh_token: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

fn parse_body<T: DeserializeOwned>(call: &Call) -> Result<T, ApiError> {
    serde_json::from_slice(&call.body).map_err(|error| {
        ApiError::invalid_request(format!(
            "Request body is not valid JSON for this operation: {error}"
        ))
    })
}

/// A required string field: missing or empty is an InvalidRequestException.
fn required(field: Option<String>, name: &str) -> Result<String, ApiError> {
    field
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::invalid_request(format!("Missing required parameter: {name}")))
}

pub(crate) fn register_client(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let request: RegisterClientRequest = parse_body(call)?;
    required(request.client_name, "clientName")?;
    let client_type = required(request.client_type, "clientType")?;
    if client_type != "public" {
        return Err(ApiError::invalid_client_metadata(format!(
            "Unsupported clientType: {client_type}"
        )));
    }
    if let Some(grant) = request.grant_types.iter().find(|grant| {
        ![
            DEVICE_CODE_GRANT,
            "device_code",
            REFRESH_TOKEN_GRANT,
            AUTHORIZATION_CODE_GRANT,
        ]
        .contains(&grant.as_str())
    }) {
        return Err(ApiError::unsupported_grant_type(grant));
    }
    let uses_code_flow = request
        .grant_types
        .iter()
        .any(|grant| grant == AUTHORIZATION_CODE_GRANT);
    if uses_code_flow && request.redirect_uris.is_empty() {
        return Err(ApiError::invalid_redirect_uri(
            "redirectUris is required for the authorization_code grant",
        ));
    }
    if let Some(bad) = request
        .redirect_uris
        .iter()
        .find(|uri| !is_loopback_http(uri))
    {
        return Err(ApiError::invalid_redirect_uri(format!(
            "Redirect URI must be a loopback http URI: {bad}"
        )));
    }
    let lifetime = state.config.client_lifetime;
    let registration = state.register_client(
        request.scopes,
        request.grant_types,
        request.redirect_uris,
        lifetime,
        now,
    );
    let mut body = json!({
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "clientIdIssuedAt": timefmt::epoch_seconds(now),
        "clientSecretExpiresAt": timefmt::epoch_seconds(registration.expires_at),
    });
    if uses_code_flow {
        body["authorizationEndpoint"] = json!(format!("{}/authorize", call.base_url));
        body["tokenEndpoint"] = json!(format!("{}/token", call.base_url));
    }
    Ok(Reply::Json(body))
}

pub(crate) fn start_device_authorization(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let request: StartDeviceAuthorizationRequest = parse_body(call)?;
    let client_id = required(request.client_id, "clientId")?;
    let client_secret = required(request.client_secret, "clientSecret")?;
    required(request.start_url, "startUrl")?;
    let client = state.authenticate_client(&client_id, &client_secret, now)?;
    if !client.allows_grant(DEVICE_CODE_GRANT) {
        return Err(ApiError::unauthorized_client(
            "Client is not registered for the device_code grant",
        ));
    }
    let device_code = secrets::opaque("", 48);
    state.issued_secrets.push(device_code.clone());
    let user_code = secrets::user_code();
    let lifetime = state.config.device_code_lifetime;
    let interval = state.config.device_poll_interval;
    let status = if state.config.auto_approve_devices {
        DeviceStatus::Approved
    } else {
        DeviceStatus::Pending
    };
    state.devices.insert(
        device_code.clone(),
        DeviceRecord {
            client_id,
            user_code: user_code.clone(),
            expires_at: now + lifetime,
            interval,
            status,
            last_poll: None,
        },
    );
    let verification_uri = format!("{}/device", call.base_url);
    Ok(Reply::Json(json!({
        "deviceCode": device_code,
        "userCode": user_code,
        "verificationUri": verification_uri,
        "verificationUriComplete": format!("{verification_uri}?user_code={user_code}"),
        "expiresIn": lifetime.as_secs(),
        // Whole seconds on the wire; rounded up so a client that obeys it is
        // never told to slow down.
        "interval": interval.as_millis().div_ceil(1000),
    })))
}

pub(crate) fn create_token(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let request: CreateTokenRequest = parse_body(call)?;
    let client_id = required(request.client_id.clone(), "clientId")?;
    let client_secret = required(request.client_secret.clone(), "clientSecret")?;
    let grant_type = required(request.grant_type.clone(), "grantType")?;
    let client = state.authenticate_client(&client_id, &client_secret, now)?;
    let known_grant = [
        DEVICE_CODE_GRANT,
        REFRESH_TOKEN_GRANT,
        AUTHORIZATION_CODE_GRANT,
    ]
    .contains(&grant_type.as_str());
    if !known_grant {
        return Err(ApiError::unsupported_grant_type(&grant_type));
    }
    if !client.allows_grant(&grant_type) {
        return Err(ApiError::unauthorized_client(format!(
            "Client is not registered for the {grant_type} grant"
        )));
    }
    let refreshable = client.gets_refresh_tokens();
    match grant_type.as_str() {
        DEVICE_CODE_GRANT => redeem_device_code(state, &client_id, request, refreshable, now),
        REFRESH_TOKEN_GRANT => redeem_refresh_token(state, &client_id, request, now),
        _ => redeem_authorization_code(state, &client_id, request, refreshable, now),
    }
}

fn token_reply(state: &mut State, refresh_client: Option<&str>, now: SystemTime) -> Reply {
    let lifetime = state.config.token_lifetime;
    let token = state.issue_tokens(refresh_client, lifetime, now);
    let mut body = json!({
        "accessToken": token.access_token,
        "tokenType": "Bearer",
        "expiresIn": lifetime.as_secs(),
    });
    if let Some(refresh_token) = token.refresh_token {
        body["refreshToken"] = json!(refresh_token);
    }
    Reply::Json(body)
}

fn redeem_device_code(
    state: &mut State,
    client_id: &str,
    request: CreateTokenRequest,
    refreshable: bool,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let device_code = required(request.device_code, "deviceCode")?;
    let device = match state.devices.get_mut(&device_code) {
        Some(device) if device.client_id == client_id => device,
        _ => return Err(ApiError::invalid_grant("Invalid device code provided")),
    };
    if now >= device.expires_at {
        return Err(ApiError::expired_token());
    }
    match device.status {
        DeviceStatus::Denied => Err(ApiError::access_denied()),
        DeviceStatus::Redeemed => Err(ApiError::invalid_grant("Device code has already been used")),
        DeviceStatus::Pending => {
            let polled = Instant::now();
            let too_soon = state.config.enforce_poll_interval
                && device
                    .last_poll
                    .is_some_and(|last| polled.duration_since(last) < device.interval);
            device.last_poll = Some(polled);
            Err(if too_soon {
                ApiError::slow_down()
            } else {
                ApiError::authorization_pending()
            })
        }
        DeviceStatus::Approved => {
            device.status = DeviceStatus::Redeemed;
            Ok(token_reply(state, refreshable.then_some(client_id), now))
        }
    }
}

fn redeem_refresh_token(
    state: &mut State,
    client_id: &str,
    request: CreateTokenRequest,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let refresh_token = required(request.refresh_token, "refreshToken")?;
    match state.refresh_tokens.get_mut(&refresh_token) {
        Some(record) if !record.revoked && record.client_id == client_id => {
            // Rotation: the old refresh token is spent.
            record.revoked = true;
            Ok(token_reply(state, Some(client_id), now))
        }
        _ => Err(ApiError::invalid_grant("Invalid refresh token provided")),
    }
}

fn redeem_authorization_code(
    state: &mut State,
    client_id: &str,
    request: CreateTokenRequest,
    refreshable: bool,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let code = required(request.code, "code")?;
    let redirect_uri = required(request.redirect_uri, "redirectUri")?;
    let code_verifier = required(request.code_verifier, "codeVerifier")?;
    // A code is spent by any attempt to redeem it, right or wrong.
    let record = match state.auth_codes.remove(&code) {
        Some(record) if record.client_id == client_id && now < record.expires_at => record,
        _ => {
            return Err(ApiError::invalid_grant(
                "Invalid authorization code provided",
            ));
        }
    };
    if record.redirect_uri != redirect_uri {
        return Err(ApiError::invalid_grant(
            "redirectUri does not match the one sent to /authorize",
        ));
    }
    if pkce_s256(&code_verifier) != record.code_challenge {
        return Err(ApiError::invalid_grant(
            "codeVerifier does not match the code_challenge",
        ));
    }
    Ok(token_reply(state, refreshable.then_some(client_id), now))
}

/// The S256 PKCE challenge of a verifier: base64url without padding of its SHA-256.
pub fn pkce_s256(code_verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()))
}

/// `http://127.0.0.1[:port]/...` (or `localhost` / `[::1]`): the only
/// redirect targets a CLI's loopback listener can have.
fn is_loopback_http(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let host = host_without_port(rest.split('/').next().unwrap_or(""));
    ["127.0.0.1", "localhost", "[::1]"].contains(&host)
}

fn host_without_port(authority: &str) -> &str {
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// The URI with any port removed from its authority, so the port the CLI
/// picks at login time can match a registration made without one.
fn without_port(uri: &str) -> String {
    let Some(rest) = uri.strip_prefix("http://") else {
        return uri.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    format!("http://{}{path}", host_without_port(authority))
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        query.append_pair(key, value);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}", query.finish())
}

pub(crate) fn authorize(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let client_id = call.required_query("client_id")?;
    let client = match state.clients.get(client_id) {
        Some(client) if now < client.expires_at => client,
        Some(_) => return Err(ApiError::invalid_client("Client registration has expired")),
        None => return Err(ApiError::invalid_client("Unknown client")),
    };
    if call.query("response_type") != Some("code") {
        return Err(ApiError::invalid_request("response_type must be 'code'"));
    }
    let redirect_uri = call.required_query("redirect_uri")?;
    let registered = client
        .redirect_uris
        .iter()
        .any(|uri| without_port(uri) == without_port(redirect_uri));
    if !is_loopback_http(redirect_uri) || !registered {
        return Err(ApiError::invalid_redirect_uri(format!(
            "redirect_uri is not registered for this client: {redirect_uri}"
        )));
    }
    if call.query("code_challenge_method") != Some("S256") {
        return Err(ApiError::invalid_request(
            "code_challenge_method must be 'S256'",
        ));
    }
    let code_challenge = call.required_query("code_challenge")?;
    let state_param = call.query("state").unwrap_or("");

    let decision = match (state.config.authorize_decision, call.query("decision")) {
        (AuthorizeDecision::AskUser, Some("allow")) => AuthorizeDecision::Approve,
        (AuthorizeDecision::AskUser, Some("deny")) => AuthorizeDecision::Deny,
        (configured, _) => configured,
    };
    match decision {
        AuthorizeDecision::Approve => {
            let code = secrets::opaque("", 32);
            state.issued_secrets.push(code.clone());
            state.auth_codes.insert(
                code.clone(),
                AuthCodeRecord {
                    client_id: client_id.to_owned(),
                    redirect_uri: redirect_uri.to_owned(),
                    code_challenge: code_challenge.to_owned(),
                    expires_at: now + AUTHORIZATION_CODE_LIFETIME,
                },
            );
            Ok(Reply::Redirect(with_query(
                redirect_uri,
                &[("code", &code), ("state", state_param)],
            )))
        }
        AuthorizeDecision::Deny => Ok(Reply::Redirect(with_query(
            redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied access"),
                ("state", state_param),
            ],
        ))),
        AuthorizeDecision::AskUser => {
            let here = format!("/authorize?{}", call.raw_query);
            let body = format!(
                "<p>Allow the application to access your AWS accounts?</p>\
                 <p><a href=\"{0}\">Allow</a> &nbsp; <a href=\"{1}\">Deny</a></p>",
                html_escape(&with_query(&here, &[("decision", "allow")])),
                html_escape(&with_query(&here, &[("decision", "deny")])),
            );
            Ok(Reply::Html(html_page("Authorize request", &body)))
        }
    }
}

pub(crate) fn verify_device(
    state: &mut State,
    call: &Call,
    _now: SystemTime,
) -> Result<Reply, ApiError> {
    let Some(user_code) = call.query("user_code").filter(|code| !code.is_empty()) else {
        let form = "<form method=\"get\" action=\"/device\"><label>Code <input name=\"user_code\"></label> \
                    <button>Continue</button></form>";
        return Ok(Reply::Html(html_page("Authorize device", form)));
    };
    let approve = match call.query("decision") {
        None => {
            let here = with_query("/device", &[("user_code", user_code)]);
            let body = format!(
                "<p>Code <b>{0}</b>: allow this device to access your AWS accounts?</p>\
                 <p><a href=\"{1}\">Allow</a> &nbsp; <a href=\"{2}\">Deny</a></p>",
                html_escape(user_code),
                html_escape(&with_query(&here, &[("decision", "allow")])),
                html_escape(&with_query(&here, &[("decision", "deny")])),
            );
            return Ok(Reply::Html(html_page("Authorize device", &body)));
        }
        Some("allow") => true,
        Some("deny") => false,
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "decision must be allow or deny, got '{other}'"
            )));
        }
    };
    if !state.decide_device(user_code, approve) {
        return Err(ApiError::invalid_request(format!(
            "No pending authorization with code {user_code}"
        )));
    }
    let outcome = if approve {
        "Request approved"
    } else {
        "Request denied"
    };
    Ok(Reply::Html(html_page(
        outcome,
        "<p>You can close this window.</p>",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_the_rfc_7636_example() {
        // RFC 7636 appendix B.
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn loopback_redirects_match_registrations_without_port() {
        assert!(is_loopback_http("http://127.0.0.1:49152/oauth/callback"));
        assert!(is_loopback_http("http://127.0.0.1/oauth/callback"));
        assert!(!is_loopback_http("https://127.0.0.1/oauth/callback"));
        assert!(!is_loopback_http("http://evil.example/oauth/callback"));
        assert!(!is_loopback_http(
            "http://127.0.0.1.evil.example/oauth/callback"
        ));
        assert_eq!(
            without_port("http://127.0.0.1:49152/oauth/callback"),
            "http://127.0.0.1/oauth/callback"
        );
    }
}
