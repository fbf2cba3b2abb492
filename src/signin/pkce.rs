//! The authorization-code flow with PKCE (RFC 7636, S256): a random verifier
//! and state, the authorize URL, and a one-shot loopback listener on
//! 127.0.0.1 that receives the browser's redirect.
//!
//! The listener answers every request (browsers also ask for /favicon.ico),
//! refuses callbacks whose `state` is not ours with 400 and keeps waiting, so
//! a stray or forged request can neither complete nor abort the sign-in. The
//! first callback with our state ends it: a code, or an `error`.

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{Error, Result};

pub(crate) const CALLBACK_PATH: &str = "/oauth/callback";
/// A request line and headers bigger than this are not a browser's redirect.
const MAX_REQUEST: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The per-login secrets. Debug shows none of them.
pub(crate) struct Pkce {
    pub verifier: String,
    pub challenge: String,
    pub state: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce").finish_non_exhaustive()
    }
}

impl Pkce {
    /// 64 random bytes make an 86-character verifier (RFC 7636: 43–128);
    /// the state is 32 random bytes.
    pub fn new() -> Result<Self> {
        let verifier = random_urlsafe(64)?;
        let challenge = challenge_s256(&verifier);
        let state = random_urlsafe(32)?;
        Ok(Self {
            verifier,
            challenge,
            state,
        })
    }
}

/// base64url (no padding) of SHA-256 of the verifier.
pub(crate) fn challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn random_urlsafe(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|e| Error::new(format!("cannot get random bytes from the system: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// `{oidc endpoint}/authorize?...` as the AWS CLI builds it.
pub(crate) fn authorize_url(
    oidc_endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    pkce: &Pkce,
) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", &pkce.state)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scopes", &scopes.join(","))
        .append_pair("code_challenge", &pkce.challenge);
    format!(
        "{}/authorize?{}",
        oidc_endpoint.trim_end_matches('/'),
        query.finish()
    )
}

/// What the browser brought back with our state.
pub(crate) enum Outcome {
    Code(String),
    /// `error=` from the authorization server (e.g. `access_denied`).
    Refused(String),
}

/// The loopback listener on 127.0.0.1 at a port the system picks.
pub(crate) struct Listener {
    listener: TcpListener,
    port: u16,
}

impl Listener {
    pub async fn bind() -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            Error::new(format!(
                "cannot listen on 127.0.0.1 for the browser's redirect ({e}) — try 'ssoenv login --device-code'"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::new(format!("cannot read the listener's port: {e}")))?
            .port();
        Ok(Self { listener, port })
    }

    /// `http://127.0.0.1:PORT/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits until `deadline` for the callback carrying `state`. Returns the
    /// outcome and the browser's connection, still open so the caller can
    /// answer it once it knows whether sign-in worked. `on_refused` is told
    /// about a callback that carried another state.
    pub async fn wait(
        &self,
        state: &str,
        deadline: Instant,
        mut on_refused: impl FnMut(),
    ) -> Result<Option<(Outcome, TcpStream)>> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(accepted) = tokio::time::timeout(left, self.listener.accept()).await else {
                return Ok(None);
            };
            let Ok((mut stream, _)) = accepted else {
                continue;
            };
            let Some(target) = read_request_target(&mut stream).await else {
                respond(
                    &mut stream,
                    400,
                    "Bad request",
                    "This is not a request ssoenv understands.",
                )
                .await;
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            if path != CALLBACK_PATH {
                respond(&mut stream, 404, "Not found", "Nothing here.").await;
                continue;
            }
            let mut code = None;
            let mut error = None;
            let mut their_state = None;
            for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                match key.as_ref() {
                    "code" => code = Some(value.into_owned()),
                    "error" => error = Some(value.into_owned()),
                    "state" => their_state = Some(value.into_owned()),
                    _ => {}
                }
            }
            if !their_state.is_some_and(|theirs| same(&theirs, state)) {
                on_refused();
                respond(
                    &mut stream,
                    400,
                    "Sign-in refused",
                    "This sign-in response does not belong to the running 'ssoenv login' (state mismatch).",
                )
                .await;
                continue;
            }
            match (code, error) {
                (_, Some(error)) => return Ok(Some((Outcome::Refused(error), stream))),
                (Some(code), None) if !code.is_empty() => {
                    return Ok(Some((Outcome::Code(code), stream)));
                }
                _ => {
                    respond(&mut stream, 400, "Bad request", "The response has no code.").await;
                }
            }
        }
    }
}

/// Equality that takes the same time wherever the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The request target of a `GET`, or `None` for anything else, too big or too slow.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let read = async {
        let mut buffer = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 || buffer.len() + n > MAX_REQUEST {
                return None;
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        Some(buffer)
    };
    let buffer = tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    let line_end = buffer.iter().position(|b| *b == b'\r')?;
    let line = std::str::from_utf8(&buffer[..line_end]).ok()?;
    let mut parts = line.split(' ');
    let (Some("GET"), Some(target)) = (parts.next(), parts.next()) else {
        return None;
    };
    Some(target.to_owned())
}

/// Answers with a small HTML page and closes. Failures to answer are ignored:
/// the browser's tab is a courtesy, the terminal tells the real story.
pub(crate) async fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Error",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif\"><h1>{title}</h1><p>{text}</p></body></html>",
        title = html_escape(title),
        text = html_escape(text),
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(READ_TIMEOUT, async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifier_and_state_are_random_and_well_formed() {
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        assert_ne!(a.verifier, b.verifier);
        assert_ne!(a.state, b.state);
        assert!((43..=128).contains(&a.verifier.len()));
        assert!(
            a.verifier
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c))
        );
        assert_eq!(a.challenge, challenge_s256(&a.verifier));
        assert_eq!(format!("{a:?}"), "Pkce { .. }");
    }

    #[test]
    fn authorize_url_has_every_parameter() {
        let pkce = Pkce::new().unwrap();
        let url = authorize_url(
            "http://127.0.0.1:9/",
            "cid",
            "http://127.0.0.1:5/oauth/callback",
            &["sso:account:access".to_owned()],
            &pkce,
        );
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "http://127.0.0.1:9/authorize");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(
            get("redirect_uri"),
            Some("http://127.0.0.1:5/oauth/callback")
        );
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("code_challenge"), Some(pkce.challenge.as_str()));
        assert_eq!(get("state"), Some(pkce.state.as_str()));
        assert_eq!(get("scopes"), Some("sso:account:access"));
        assert!(!url.contains(&pkce.verifier));
    }

    #[test]
    fn constant_time_equality() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
