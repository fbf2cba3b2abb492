//! The shapes of answers on the wire: JSON bodies, STS's Query-protocol XML,
//! AWS errors in each API's own format, redirects and the small HTML pages.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::model::Operation;

pub(crate) type Body = Full<Bytes>;

/// The XML namespace of every STS answer, errors included.
pub(crate) const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// A successful answer of an operation.
pub(crate) enum Reply {
    Json(Value),
    /// An STS (Query protocol) answer: `<{action}Response>` holding the
    /// `<{action}Result>` element and the request id.
    Query {
        action: &'static str,
        result: Xml,
    },
    /// 200 with an empty body (Logout).
    Empty,
    /// 302 to this location (the `/authorize` page sending the browser back).
    Redirect(String),
    /// A page for a person (status 200).
    Html(String),
}

/// A small XML tree, enough for Query answers. Text is escaped when written,
/// so no value handed in can break the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Xml {
    /// `<name>text</name>`.
    Text(&'static str, String),
    /// `<name>children</name>`.
    Parent(&'static str, Vec<Xml>),
}

impl Xml {
    /// Writes the element pretty-printed, two spaces per level, as AWS does.
    fn write(&self, depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        match self {
            Xml::Text(name, text) => {
                out.push_str(&format!("{indent}<{name}>{}</{name}>\n", xml_escape(text)));
            }
            Xml::Parent(name, children) => {
                out.push_str(&format!("{indent}<{name}>\n"));
                for child in children {
                    child.write(depth + 1, out);
                }
                out.push_str(&format!("{indent}</{name}>\n"));
            }
        }
    }
}

/// An AWS error answer. For the JSON APIs clients identify it by name, which
/// is sent both in the `x-amzn-ErrorType` header and as `__type` in the
/// body, because the Rust SDK and botocore look in different places first;
/// STS sends it as `<Code>` in an XML `ErrorResponse`.
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

    // ----- STS, in its codes, statuses and words --------------------------------

    pub(crate) fn missing_authentication_token() -> ApiError {
        ApiError::new(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        )
    }

    pub(crate) fn incomplete_signature(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "IncompleteSignature", message)
    }

    /// An access key the service never issued, or a session token that is
    /// not the one issued with it.
    pub(crate) fn invalid_client_token_id() -> ApiError {
        ApiError::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    }

    /// Temporary credentials past their expiration.
    pub(crate) fn expired_security_token() -> ApiError {
        ApiError::new(
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        )
    }

    pub(crate) fn signature_does_not_match(message: impl Into<String>) -> ApiError {
        ApiError::new(403, "SignatureDoesNotMatch", message)
    }

    /// The wrong secret (or a request changed after signing).
    pub(crate) fn wrong_signature() -> ApiError {
        ApiError::signature_does_not_match(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.",
        )
    }

    pub(crate) fn validation_error(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "ValidationError", message)
    }

    pub(crate) fn sts_access_denied(message: impl Into<String>) -> ApiError {
        ApiError::new(403, "AccessDenied", message)
    }

    pub(crate) fn invalid_action(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidAction", message)
    }

    /// STS's answer to the global rate limit (its SDKs retry this code).
    pub(crate) fn throttling() -> ApiError {
        ApiError::new(400, "Throttling", "Rate exceeded")
    }

    /// Whose fault it is, as STS's `<Type>` says: the server's for 5xx.
    fn sts_fault_type(&self) -> &'static str {
        if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        }
    }
}

/// The format an error goes out in, which is the format of the API it
/// belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorFormat {
    /// `{"__type","message"}` plus `x-amzn-ErrorType` (the portal, and
    /// requests no operation matched).
    Json,
    /// As `Json`, plus the OAuth `error` / `error_description` fields.
    OidcJson,
    /// STS's `<ErrorResponse>`.
    StsXml,
    /// A page with the message in `id="error"`.
    Html,
    /// A short plain-text line (the sign-in endpoint's token API).
    Text,
}

impl ErrorFormat {
    pub(crate) fn of(operation: Option<Operation>) -> ErrorFormat {
        match operation {
            Some(operation) if operation.is_browser_page() => ErrorFormat::Html,
            Some(operation) if operation.is_sts_api() => ErrorFormat::StsXml,
            Some(operation) if operation.is_oidc_api() => ErrorFormat::OidcJson,
            Some(Operation::GetSigninToken) => ErrorFormat::Text,
            _ => ErrorFormat::Json,
        }
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
    response_with_id(status, content_type, &request_id())
}

/// As [`response`], for answers that also quote the request id in the body.
fn response_with_id(
    status: u16,
    content_type: Option<&str>,
    request_id: &str,
) -> hyper::http::response::Builder {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-amzn-RequestId", request_id);
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
        Reply::Query { action, result } => {
            let request_id = request_id();
            let body = query_document(action, &result, &request_id);
            finish(
                response_with_id(200, Some("text/xml"), &request_id),
                Bytes::from(body),
            )
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

/// `<{action}Response>` around the result and the response metadata, as STS
/// answers every successful call.
fn query_document(action: &str, result: &Xml, request_id: &str) -> String {
    let mut document = format!("<{action}Response xmlns=\"{STS_NAMESPACE}\">\n");
    result.write(1, &mut document);
    Xml::Parent(
        "ResponseMetadata",
        vec![Xml::Text("RequestId", request_id.to_owned())],
    )
    .write(1, &mut document);
    document.push_str(&format!("</{action}Response>\n"));
    document
}

/// STS's `<ErrorResponse>`: whose fault, code and message, and the request id.
fn sts_error_document(error: &ApiError, request_id: &str) -> String {
    let mut document = format!("<ErrorResponse xmlns=\"{STS_NAMESPACE}\">\n");
    Xml::Parent(
        "Error",
        vec![
            Xml::Text("Type", error.sts_fault_type().to_owned()),
            Xml::Text("Code", error.name.clone()),
            Xml::Text("Message", error.message.clone()),
        ],
    )
    .write(1, &mut document);
    Xml::Text("RequestId", request_id.to_owned()).write(1, &mut document);
    document.push_str("</ErrorResponse>\n");
    document
}

/// The HTTP answer for an error of `operation`, in that API's format.
pub(crate) fn render_error(operation: Option<Operation>, error: &ApiError) -> Response<Body> {
    render_error_as(ErrorFormat::of(operation), error)
}

/// The HTTP answer for an error in `format` (also for requests that reached
/// an API's endpoint but matched none of its operations).
pub(crate) fn render_error_as(format: ErrorFormat, error: &ApiError) -> Response<Body> {
    match format {
        ErrorFormat::Html => {
            let page = html_page(
                &format!("Error: {}", error.name),
                &format!("<p id=\"error\">{}</p>", html_escape(&error.message)),
            );
            finish(
                response(error.status, Some("text/html; charset=utf-8"))
                    .header("x-amzn-ErrorType", error.name.as_str()),
                Bytes::from(page),
            )
        }
        ErrorFormat::StsXml => {
            let request_id = request_id();
            let body = sts_error_document(error, &request_id);
            finish(
                response_with_id(error.status, Some("text/xml"), &request_id),
                Bytes::from(body),
            )
        }
        ErrorFormat::Text => finish(
            response(error.status, Some("text/plain; charset=utf-8"))
                .header("x-amzn-ErrorType", error.name.as_str()),
            Bytes::from(format!("{}\n", error.message)),
        ),
        ErrorFormat::Json | ErrorFormat::OidcJson => {
            let mut fields = Map::new();
            fields.insert("__type".into(), json!(error.name));
            fields.insert("message".into(), json!(error.message));
            if format == ErrorFormat::OidcJson
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
    }
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

/// Text made safe inside XML: the five predefined entities escaped, and
/// characters XML 1.0 cannot carry at all (most control characters, the
/// non-characters U+FFFE and U+FFFF) replaced with U+FFFD.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' => escaped.push(c),
            // A raw CR would be normalised away by the reader.
            '\r' => escaped.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            _ => escaped.push(c),
        }
    }
    escaped
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_covers_markup_quotes_and_characters_xml_cannot_hold() {
        assert_eq!(
            xml_escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
        assert_eq!(xml_escape("tab\tline\nreturn\r"), "tab\tline\nreturn&#13;");
        assert_eq!(
            xml_escape("nul\u{0}bell\u{7}\u{ffff}"),
            "nul\u{fffd}bell\u{fffd}\u{fffd}"
        );
        assert_eq!(xml_escape("ünïcödé ✓"), "ünïcödé ✓");
    }

    #[test]
    fn xml_trees_escape_every_value_and_indent_by_two() {
        let mut out = String::new();
        Xml::Parent(
            "Credentials",
            vec![Xml::Text("AccessKeyId", "<ASIA&>".to_owned())],
        )
        .write(1, &mut out);
        assert_eq!(
            out,
            "  <Credentials>\n    <AccessKeyId>&lt;ASIA&amp;&gt;</AccessKeyId>\n  </Credentials>\n"
        );
    }

    #[test]
    fn query_answers_and_errors_have_sts_s_envelopes() {
        let result = Xml::Parent(
            "GetCallerIdentityResult",
            vec![
                Xml::Text(
                    "Arn",
                    "arn:aws:sts::111111111111:assumed-role/R/s".to_owned(),
                ),
                Xml::Text("UserId", "AROAEXAMPLE:s".to_owned()),
                Xml::Text("Account", "111111111111".to_owned()),
            ],
        );
        assert_eq!(
            query_document("GetCallerIdentity", &result, "req-1"),
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
             \x20 <GetCallerIdentityResult>\n\
             \x20   <Arn>arn:aws:sts::111111111111:assumed-role/R/s</Arn>\n\
             \x20   <UserId>AROAEXAMPLE:s</UserId>\n\
             \x20   <Account>111111111111</Account>\n\
             \x20 </GetCallerIdentityResult>\n\
             \x20 <ResponseMetadata>\n\
             \x20   <RequestId>req-1</RequestId>\n\
             \x20 </ResponseMetadata>\n\
             </GetCallerIdentityResponse>\n"
        );
        assert_eq!(
            sts_error_document(&ApiError::sts_access_denied("User: <a&b>"), "req-2"),
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
             \x20 <Error>\n\
             \x20   <Type>Sender</Type>\n\
             \x20   <Code>AccessDenied</Code>\n\
             \x20   <Message>User: &lt;a&amp;b&gt;</Message>\n\
             \x20 </Error>\n\
             \x20 <RequestId>req-2</RequestId>\n\
             </ErrorResponse>\n"
        );
    }

    #[test]
    fn sts_errors_are_xml_with_the_fault_side_and_request_id() {
        let response = render_error(
            Some(Operation::AssumeRole),
            &ApiError::sts_access_denied("User: <me> is not authorized"),
        );
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"text/xml"[..])
        );
        let server_side = render_error(
            Some(Operation::GetCallerIdentity),
            &ApiError::new(500, "InternalFailure", "boom"),
        );
        assert_eq!(server_side.status(), 500);
        assert_eq!(
            ApiError::new(500, "InternalFailure", "").sts_fault_type(),
            "Receiver"
        );
        assert_eq!(ApiError::throttling().sts_fault_type(), "Sender");
    }
}
