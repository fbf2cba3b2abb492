//! The shapes of answers on the wire: JSON bodies, AWS errors, redirects and
//! the two small HTML pages.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::model::Operation;

pub(crate) type Body = Full<Bytes>;

/// A successful answer of an operation.
pub(crate) enum Reply {
    Json(Value),
    /// 200 with an empty body (Logout).
    Empty,
    /// 302 to this location (the `/authorize` page sending the browser back).
    Redirect(String),
    /// A page for a person (status 200).
    Html(String),
}

/// An AWS error answer. Clients identify it by name, which is sent both in the
/// `x-amzn-ErrorType` header and as `__type` in the body, because the Rust SDK
/// and botocore look in different places first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub name: String,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, name: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            name: name.to_owned(),
            message: message.into(),
        }
    }

    /// The portal's answer to a missing, unknown, expired or revoked token.
    pub(crate) fn unauthorized() -> ApiError {
        ApiError::new(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        )
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidRequestException", message)
    }

    /// What the real portal answers for an account or role the user has no
    /// assignment for. The service model declares ResourceNotFoundException,
    /// but AWS answers `403 ForbiddenException: No access`, so clients must
    /// cope with an error name their SDK does not model.
    pub(crate) fn no_access() -> ApiError {
        ApiError::new(403, "ForbiddenException", "No access")
    }

    pub(crate) fn too_many_requests() -> ApiError {
        ApiError::new(429, "TooManyRequestsException", "Rate exceeded")
    }

    pub(crate) fn authorization_pending() -> ApiError {
        ApiError::new(
            400,
            "AuthorizationPendingException",
            "Authorization is still pending",
        )
    }

    pub(crate) fn slow_down() -> ApiError {
        ApiError::new(
            400,
            "SlowDownException",
            "Client is polling faster than the interval",
        )
    }

    pub(crate) fn expired_token() -> ApiError {
        ApiError::new(400, "ExpiredTokenException", "Device code has expired")
    }

    pub(crate) fn access_denied() -> ApiError {
        ApiError::new(
            400,
            "AccessDeniedException",
            "The user denied the authorization request",
        )
    }

    pub(crate) fn invalid_grant(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidGrantException", message)
    }

    pub(crate) fn invalid_client(message: impl Into<String>) -> ApiError {
        ApiError::new(401, "InvalidClientException", message)
    }

    pub(crate) fn unsupported_grant_type(grant: &str) -> ApiError {
        ApiError::new(
            400,
            "UnsupportedGrantTypeException",
            format!("Unsupported grant type: {grant}"),
        )
    }

    pub(crate) fn unauthorized_client(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "UnauthorizedClientException", message)
    }

    pub(crate) fn invalid_client_metadata(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidClientMetadataException", message)
    }

    pub(crate) fn invalid_redirect_uri(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidRedirectUriException", message)
    }
}

/// The OAuth 2.0 `error` code AWS's OIDC service puts next to each error name.
fn oauth_error_code(name: &str) -> Option<&'static str> {
    Some(match name {
        "AuthorizationPendingException" => "authorization_pending",
        "SlowDownException" => "slow_down",
        "ExpiredTokenException" => "expired_token",
        "AccessDeniedException" => "access_denied",
        "InvalidGrantException" => "invalid_grant",
        "InvalidClientException" => "invalid_client",
        "InvalidRequestException" => "invalid_request",
        "InvalidScopeException" => "invalid_scope",
        "UnauthorizedClientException" => "unauthorized_client",
        "UnsupportedGrantTypeException" => "unsupported_grant_type",
        "InvalidClientMetadataException" => "invalid_client_metadata",
        "InvalidRedirectUriException" => "invalid_redirect_uri",
        "InternalServerException" => "server_error",
        _ => return None,
    })
}

/// A fresh request id, sent as `x-amzn-RequestId` like AWS does.
fn request_id() -> String {
    let bytes = crate::secrets::random_bytes(16);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn response(status: u16, content_type: Option<&str>) -> hyper::http::response::Builder {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-amzn-RequestId", request_id());
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder
}

fn finish(builder: hyper::http::response::Builder, body: Bytes) -> Response<Body> {
    builder
        .body(Full::new(body))
        .expect("static header names and values are valid")
}

/// The HTTP answer for a successful reply.
pub(crate) fn render_reply(reply: Reply) -> Response<Body> {
    match reply {
        Reply::Json(value) => {
            let body = Bytes::from(value.to_string());
            finish(response(200, Some("application/json")), body)
        }
        Reply::Empty => finish(response(200, None), Bytes::new()),
        Reply::Redirect(location) => finish(
            response(302, Some("text/html; charset=utf-8")).header("location", location),
            Bytes::new(),
        ),
        Reply::Html(page) => {
            let body = Bytes::from(page);
            finish(response(200, Some("text/html; charset=utf-8")), body)
        }
    }
}

/// The HTTP answer for an error of `operation`.
pub(crate) fn render_error(operation: Option<Operation>, error: &ApiError) -> Response<Body> {
    if operation.is_some_and(Operation::is_browser_page) {
        let page = html_page(
            &format!("Error: {}", error.name),
            &format!("<p>{}</p>", html_escape(&error.message)),
        );
        let body = Bytes::from(page);
        return finish(
            response(error.status, Some("text/html; charset=utf-8"))
                .header("x-amzn-ErrorType", error.name.as_str()),
            body,
        );
    }
    let mut fields = Map::new();
    fields.insert("__type".into(), json!(error.name));
    fields.insert("message".into(), json!(error.message));
    if operation.is_some_and(Operation::is_oidc_api)
        && let Some(code) = oauth_error_code(&error.name)
    {
        fields.insert("error".into(), json!(code));
        fields.insert("error_description".into(), json!(error.message));
    }
    let body = Bytes::from(Value::Object(fields).to_string());
    finish(
        response(error.status, Some("application/json"))
            .header("x-amzn-ErrorType", error.name.as_str()),
        body,
    )
}

/// A 200 answer that claims to be JSON but is a proxy's HTML error page.
pub(crate) fn render_garbage() -> Response<Body> {
    let body = Bytes::from_static(b"<html><body><h1>502 Bad Gateway</h1></body></html>");
    finish(response(200, Some("application/json")), body)
}

pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal page; `body` is trusted HTML.
pub(crate) fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{0}</title></head>\
         <body><h1>{0}</h1>{1}<p><small>sso-emulator</small></p></body></html>",
        html_escape(title),
        body
    )
}
