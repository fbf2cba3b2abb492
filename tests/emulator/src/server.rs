//! The HTTP side: a hyper 1 server on its own thread and tokio runtime, and a
//! small hand router from method + path (and, for STS and the sign-in
//! endpoint, the `Action` parameter) to the operation handlers.
//!
//! hyper is used directly (no web framework) because fault injection needs to
//! close a connection without answering, which a service error does in hyper.

use std::fmt;
use std::net::TcpListener as StdTcpListener;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use http_body_util::BodyExt as _;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::model::{Operation, RecordedRequest};
use crate::state::{Interception, State};
use crate::wire::{self, ApiError, Body, ErrorFormat, Reply};
use crate::{federation, oidc, portal, sts};

/// What the server threads share with the [`crate::Emulator`] handle.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    /// `http://127.0.0.1:PORT`, for the URLs the OIDC API hands out.
    pub base_url: String,
}

impl Shared {
    /// The state, even if a test thread panicked while holding the lock:
    /// the emulator must keep answering so the failing test reports cleanly.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One request as the handlers see it.
pub(crate) struct Call {
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub raw_query: String,
    /// Lower-case names, arrival order, repeated names kept.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The decoded form body of an `application/x-www-form-urlencoded`
    /// request (STS's parameters); empty for other bodies.
    pub form: Vec<(String, String)>,
    pub base_url: String,
}

impl Call {
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A query parameter the operation cannot do without.
    pub(crate) fn required_query(&self, name: &str) -> Result<&str, ApiError> {
        self.query(name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| ApiError::invalid_request(format!("Missing required parameter: {name}")))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// A parameter of the form body.
    pub(crate) fn form_param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// `application/x-www-form-urlencoded`, with or without parameters such as
/// `; charset=utf-8` (which botocore sends), in any case.
fn is_form_content_type(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| {
            media_type
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The service error that makes hyper close the connection unanswered.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

/// Serves until `shutdown` fires. Each connection runs as its own task, so a
/// delayed answer does not hold up other clients.
pub(crate) async fn serve(
    listener: StdTcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener)
        .expect("listener is non-blocking and inside a runtime");
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: back off briefly
                    // instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(Arc::clone(&shared), request));
                    // Errors here are clients going away or injected drops.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| DropConnection)?.to_bytes();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();

    let query: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let content_type = parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let form: Vec<(String, String)> = if is_form_content_type(content_type) {
        form_urlencoded::parse(&body).into_owned().collect()
    } else {
        Vec::new()
    };
    // A POST's parameters travel in its form body, a GET's in its query.
    let parameters = if method == "POST" { &form } else { &query };

    let Some(operation) = Operation::route(&method, &path, parameters) else {
        let (format, error) = match (method.as_str(), path.as_str()) {
            ("POST", "/") => (ErrorFormat::StsXml, sts::unrouted(&form)),
            ("GET", "/federation") => (ErrorFormat::Text, federation::unrouted(&query)),
            _ => (
                ErrorFormat::Json,
                ApiError::new(
                    404,
                    "UnknownOperationException",
                    format!("No operation at {method} {path}"),
                ),
            ),
        };
        log(&shared, None, &method, &path, error.status);
        return Ok(wire::render_error_as(format, &error));
    };

    let recorded = RecordedRequest {
        operation,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: headers.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: SystemTime::now(),
    };

    let interception = shared.lock().intercept(recorded);
    match interception {
        Interception::Proceed => {}
        Interception::Delay(delay) => tokio::time::sleep(delay).await,
        Interception::Fail(error) => {
            log(&shared, Some(operation), &method, &path, error.status);
            return Ok(wire::render_error(Some(operation), &error));
        }
        Interception::Garbage => {
            log(&shared, Some(operation), &method, &path, 200);
            return Ok(wire::render_garbage());
        }
        Interception::Drop => {
            log(&shared, Some(operation), &method, &path, 0);
            return Err(DropConnection);
        }
    }

    let call = Call {
        method: method.clone(),
        path: path.clone(),
        query,
        raw_query,
        headers,
        body,
        form,
        base_url: shared.base_url.clone(),
    };
    let outcome = dispatch(&mut shared.lock(), operation, &call, SystemTime::now());
    let response = match outcome {
        Ok(reply) => wire::render_reply(reply),
        Err(error) => wire::render_error(Some(operation), &error),
    };
    log(
        &shared,
        Some(operation),
        &method,
        &path,
        response.status().as_u16(),
    );
    Ok(response)
}

fn dispatch(
    state: &mut State,
    operation: Operation,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let handler = match operation {
        Operation::GetRoleCredentials => portal::get_role_credentials,
        Operation::ListAccounts => portal::list_accounts,
        Operation::ListAccountRoles => portal::list_account_roles,
        Operation::Logout => portal::logout,
        Operation::RegisterClient => oidc::register_client,
        Operation::StartDeviceAuthorization => oidc::start_device_authorization,
        Operation::CreateToken => oidc::create_token,
        Operation::Authorize => oidc::authorize,
        Operation::VerifyDevice => oidc::verify_device,
        Operation::AssumeRole => sts::assume_role,
        Operation::GetCallerIdentity => sts::get_caller_identity,
        Operation::GetSigninToken => federation::get_signin_token,
        Operation::ConsoleLogin => federation::console_login,
    };
    handler(state, call, now)
}

/// One line per request on stderr when enabled (the program's default), so a
/// person trying ssoenv sees what it asks for. Paths only: no tokens, no
/// query strings (which hold PKCE challenges and user codes).
fn log(shared: &Shared, operation: Option<Operation>, method: &str, path: &str, status: u16) {
    if !shared.lock().config.log_requests {
        return;
    }
    let name = operation.map_or_else(|| "-".to_owned(), |operation| operation.to_string());
    let status = if status == 0 {
        "dropped".to_owned()
    } else {
        status.to_string()
    };
    eprintln!("{name} {method} {path} {status}");
}
