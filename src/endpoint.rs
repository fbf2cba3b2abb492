//! The one loopback container-credential server in ssoenv. It serves
//! `ssoenv exec`'s command ([`Endpoint`], from the helper process of
//! [`crate::exec_helper`]) and, for `credentials = "endpoint"`, every shell
//! of the user (the agent, `crate::agent::serve`), so AWS SDKs in a long run
//! fetch renewed credentials by themselves.
//!
//! The SDKs' side of the protocol (reference §5): they read
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and the token in
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, send the token verbatim as the
//! `Authorization` header, and expect
//! `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`.
//!
//! What this side promises:
//! - it listens on 127.0.0.1 only, on a random port;
//! - a request from a web page gets 403: one that carries an `Origin`
//!   header, or a `Host` other than the server's own `127.0.0.1:PORT` (a DNS
//!   rebinding page names its own host);
//! - a missing or wrong `Authorization` header gets 403 (compared in constant
//!   time), before the path is looked at;
//! - which credentials a path names is the [`Router`]'s business: one set
//!   under a random path for `exec`, one per allowed project for the agent;
//! - credentials are renewed through [`crate::engine`] once they are within
//!   the target's refresh window; a renewal that fails while the current
//!   credentials are still valid serves those, and only when nothing valid is
//!   left does the client get a 500 whose JSON body the SDKs show;
//! - it cannot be taken down by other local users: a client has
//!   [`HEADER_TIMEOUT`] to send its request headers, at most
//!   [`MAX_CONNECTIONS`] connections are open (a new one pushes out the
//!   oldest that never sent the token), and a failing `accept` (out of file
//!   descriptors) backs off instead of spinning;
//! - the token is never in argv or logs;
//! - the server runs on its own thread with its own single-threaded runtime,
//!   started only in the process that serves it.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue, ORIGIN};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::{platform, timefmt};

/// Gets new credentials (blocking; called on a blocking thread of the runtime).
pub type Renew = Box<dyn Fn() -> Result<Credentials> + Send + Sync>;

/// How long a request waits for a renewal in progress while the current
/// credentials are still valid: SDKs give up on the endpoint after a couple of
/// seconds, and an answer in time beats a fresher one too late.
const RENEWAL_PATIENCE: Duration = Duration::from_millis(1500);

/// After a failed renewal, requests serve what is valid for this long before
/// the next attempt, so a polling SDK does not turn an outage into a storm.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// How long a client has to send a request's headers, on a new connection
/// and between requests on a kept-alive one. SDKs send theirs at once; a
/// half-sent request is dropped after this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections open at once. Far below the usual 1024 descriptors per
/// process, so the server never runs out of them, and far above what the
/// SDKs of one user's tools keep open.
pub const MAX_CONNECTIONS: usize = 256;

/// The longest pause after a failing `accept`.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Prefix of `exec`'s private directories holding token files.
const DIR_PREFIX: &str = "ssoenv-exec-";

/// The secret clients must send. Not `Debug`, not `Display`: it leaves the
/// process only through [`Token::write_to`].
pub struct Token(String);

impl Token {
    /// 256 random bits, as 64 hex digits.
    pub fn random() -> Result<Token> {
        random_hex(32).map(Token)
    }

    /// Writes the token to `path` with no trailing newline (SDKs reject
    /// CR/LF), mode 0600. A plain write, neither renamed into place nor
    /// synced: callers pass a new path in a private directory that no reader
    /// knows before this returns, and a token means nothing after a crash.
    pub fn write_to(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        platform::open_private(path, platform::OpenPrivate::CreateNew)
            .and_then(|mut file| file.write_all(self.0.as_bytes()))
            .map_err(|e| {
                Error::new(format!(
                    "cannot write the endpoint token {}: {e}",
                    path.display()
                ))
            })
    }

    fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// What a request's path (with its query) asks for.
pub enum Route {
    Serve(Arc<Slot>),
    NotFound,
    /// 403 with this message (for example: the project is not allowed).
    Forbidden(String),
    /// 500 with this message (for example: the project's file is broken).
    Unavailable(String),
}

/// Maps request paths to credentials. Called on a blocking thread, so it may
/// read files.
pub trait Router: Send + Sync + 'static {
    fn route(&self, path_and_query: &str) -> Route;
}

/// One set of credentials served, with its renewal.
pub struct Slot {
    /// How messages name them ("the command's credentials").
    what: String,
    /// Served without waiting for a renewal while more than this is left;
    /// renewed ahead, in the background, from `renew_ahead_at(margin)` on.
    margin: Duration,
    renew: Arc<Renew>,
    current: Mutex<Current>,
    /// Held by the one renewal in flight.
    renewing: tokio::sync::Mutex<()>,
    /// Set once the task that renews ahead without a request runs.
    timer_started: AtomicBool,
}

impl Slot {
    /// Serves `initial` (none: renew at the first request), renewed with
    /// `renew` ahead of time (see `Credentials::renew_ahead_at`), so that a
    /// request waits for a renewal only when less than `margin` (capped at
    /// half their lifetime, as everywhere in ssoenv) is left.
    pub fn new(
        what: String,
        initial: Option<Credentials>,
        margin: Duration,
        renew: Renew,
    ) -> Arc<Slot> {
        Arc::new(Slot {
            what,
            margin,
            renew: Arc::new(renew),
            current: Mutex::new(Current {
                credentials: initial,
                last_failure: None,
                warned: Warned::No,
            }),
            renewing: tokio::sync::Mutex::new(()),
            timer_started: AtomicBool::new(false),
        })
    }
}

struct Current {
    credentials: Option<Credentials>,
    last_failure: Option<Instant>,
    /// What was last said on stderr, so a polling SDK does not repeat it.
    warned: Warned,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Warned {
    No,
    ServingOld,
    NothingValid,
}

/// A running server. Stopping it (or dropping it) shuts it down.
pub struct Server {
    port: u16,
    /// Seconds since `started` of the last request.
    last_request: Arc<AtomicU64>,
    started: Instant,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on 127.0.0.1 (a random port) and serves what `router` names
    /// to clients that send `token`.
    pub fn start(token: &Token, router: Arc<dyn Router>) -> Result<Server> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| Error::new(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::new(format!("cannot read the server's address: {e}")))?
            .port();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))?;
        let started = Instant::now();
        let last_request = Arc::new(AtomicU64::new(0));
        let state = Arc::new(State {
            token_digest: token.digest(),
            host: format!("127.0.0.1:{port}"),
            router,
            started,
            last_request: last_request.clone(),
        });
        let (shutdown, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("ssoenv-endpoint".into())
            .spawn(move || runtime.block_on(serve(listener, state, stopped)))
            .map_err(|e| Error::new(format!("cannot start the server thread: {e}")))?;
        Ok(Server {
            port,
            last_request,
            started,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How long ago the last request came (or the server started).
    pub fn idle_for(&self) -> Duration {
        let last = Duration::from_secs(self.last_request.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// `ssoenv exec`'s endpoint: one set of credentials under a random path,
/// the token in a 0600 file in a 0700 directory of its own that goes away
/// with the endpoint.
pub struct Endpoint {
    server: Option<Server>,
    uri: String,
    token_file: PathBuf,
    dir: Option<PathBuf>,
}

/// The router of [`Endpoint`]: its one path.
struct OnePath {
    path: String,
    slot: Arc<Slot>,
}

impl Router for OnePath {
    fn route(&self, path_and_query: &str) -> Route {
        if path_and_query == self.path {
            Route::Serve(self.slot.clone())
        } else {
            Route::NotFound
        }
    }
}

impl Endpoint {
    /// Starts serving `initial`, renewed with `renew` ahead of time; a
    /// request waits for a renewal only once less than `margin` (capped at
    /// half their lifetime) is left (see [`Slot::new`]).
    pub fn start(initial: Credentials, margin: Duration, renew: Renew) -> Result<Endpoint> {
        let token = Token::random()?;
        let path = format!("/ssoenv/{}", random_hex(16)?);
        let dir = private_dir(DIR_PREFIX, "the endpoint's token")?;
        // From here on, dropping `endpoint` removes the directory.
        let mut endpoint = Endpoint {
            server: None,
            uri: String::new(),
            token_file: dir.join("token"),
            dir: Some(dir),
        };
        token.write_to(&endpoint.token_file)?;
        let slot = Slot::new(
            "the command's credentials".into(),
            Some(initial),
            margin,
            renew,
        );
        let server = Server::start(
            &token,
            Arc::new(OnePath {
                path: path.clone(),
                slot,
            }),
        )
        .map_err(|e| {
            Error::new(format!(
                "cannot start the credential endpoint: {} — use --no-server to give the command static credentials instead",
                e.message()
            ))
        })?;
        endpoint.uri = format!("http://127.0.0.1:{}{path}", server.port());
        endpoint.server = Some(server);
        Ok(endpoint)
    }

    /// `http://127.0.0.1:PORT/ssoenv/<random>`, for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The 0600 file holding the token, for `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    pub fn token_file(&self) -> &Path {
        &self.token_file
    }

    /// Stops serving and removes the token file and its directory.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
        if let Some(dir) = self.dir.take() {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.shut_down();
    }
}

struct State {
    token_digest: [u8; 32],
    /// The only `Host` header accepted: `127.0.0.1:PORT`.
    host: String,
    router: Arc<dyn Router>,
    started: Instant,
    last_request: Arc<AtomicU64>,
}

async fn serve(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let open = Arc::new(Mutex::new(OpenConnections::default()));
    let mut backoff = Duration::ZERO;
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => {
                        backoff = Duration::ZERO;
                        accepted
                    }
                    // Out of descriptors, most likely: retrying at once would
                    // spin a core and fail again.
                    Err(_) => {
                        backoff = (backoff * 2).clamp(Duration::from_millis(10), ACCEPT_BACKOFF_MAX);
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                };
                if !is_loopback(peer) {
                    continue;
                }
                serve_connection(stream, &state, &open);
            }
        }
    }
}

/// The connections being served, oldest first, each with whether it has
/// sent the right token (so it is kept when room is needed).
#[derive(Default)]
struct OpenConnections {
    next_id: u64,
    by_age: std::collections::BTreeMap<u64, (Arc<AtomicBool>, tokio::task::AbortHandle)>,
}

impl OpenConnections {
    /// Makes room for one more: drops the oldest connection that never sent
    /// the token, else the oldest of all.
    fn make_room(&mut self) {
        if self.by_age.len() < MAX_CONNECTIONS {
            return;
        }
        let victim = self
            .by_age
            .iter()
            .find(|(_, (authenticated, _))| !authenticated.load(Ordering::Relaxed))
            .or_else(|| self.by_age.iter().next())
            .map(|(id, _)| *id);
        if let Some((_, abort)) = victim.and_then(|id| self.by_age.remove(&id)) {
            abort.abort();
        }
    }
}

/// Serves one connection on its own task, registered in `open` while it lasts.
fn serve_connection(
    stream: tokio::net::TcpStream,
    state: &Arc<State>,
    open: &Arc<Mutex<OpenConnections>>,
) {
    let authenticated = Arc::new(AtomicBool::new(false));
    let mut connections = open.lock().expect("open connections");
    connections.make_room();
    let id = connections.next_id;
    connections.next_id += 1;
    let (state, open_again, flag) = (state.clone(), open.clone(), authenticated.clone());
    let task = tokio::spawn(async move {
        let service = hyper::service::service_fn(move |request| {
            let (state, flag) = (state.clone(), flag.clone());
            async move { Ok::<_, std::convert::Infallible>(handle(&state, &flag, request).await) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service)
            .await;
        open_again
            .lock()
            .expect("open connections")
            .by_age
            .remove(&id);
    });
    connections
        .by_age
        .insert(id, (authenticated, task.abort_handle()));
}

fn is_loopback(peer: SocketAddr) -> bool {
    peer.ip().is_loopback()
}

async fn handle(
    state: &Arc<State>,
    authenticated: &AtomicBool,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    state
        .last_request
        .store(state.started.elapsed().as_secs(), Ordering::Relaxed);
    let headers = request.headers();
    if headers.contains_key(ORIGIN) {
        return forbidden("requests from web pages (with an Origin header) are refused");
    }
    if headers.get(HOST).map(HeaderValue::as_bytes) != Some(state.host.as_bytes()) {
        return forbidden("wrong Host header: only 127.0.0.1 with this server's port is served");
    }
    if !authorized(state, headers.get(AUTHORIZATION)) {
        return forbidden("missing or wrong Authorization header");
    }
    authenticated.store(true, Ordering::Relaxed);
    if request.method() != hyper::Method::GET {
        return error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "use GET",
        );
    }
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let router = state.router.clone();
    let route = tokio::task::spawn_blocking(move || router.route(&path_and_query))
        .await
        .unwrap_or_else(|_| Route::Unavailable("the request's lookup failed".into()));
    let slot = match route {
        Route::Serve(slot) => slot,
        Route::NotFound => {
            return error_response(StatusCode::NOT_FOUND, "NotFound", "no such resource");
        }
        Route::Forbidden(message) => return forbidden(&message),
        Route::Unavailable(message) => {
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "CredentialsUnavailable",
                &message,
            );
        }
    };
    match credentials(&slot).await {
        Ok(creds) => json_response(StatusCode::OK, &credentials_json(&creds)),
        Err(message) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "CredentialsUnavailable",
            &message,
        ),
    }
}

fn forbidden(message: &str) -> Response<Full<Bytes>> {
    error_response(StatusCode::FORBIDDEN, "AccessDenied", message)
}

/// Compares digests of the offered and the real token byte by byte without
/// stopping early: neither the position of the first difference nor the
/// token's length shows in the timing.
fn authorized(state: &State, offered: Option<&HeaderValue>) -> bool {
    let Some(offered) = offered else {
        return false;
    };
    let digest: [u8; 32] = Sha256::digest(offered.as_bytes()).into();
    let difference = digest
        .iter()
        .zip(state.token_digest.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

/// The credentials to serve: the current ones while they are not due for
/// renewal ahead; then the current ones too while more than the margin is
/// left, with a renewal started in the background; else the result of a
/// renewal (waited for briefly when the current ones are still valid).
pub async fn credentials(slot: &Arc<Slot>) -> std::result::Result<Credentials, String> {
    let (current, retry_too_soon) = {
        let current = slot.current.lock().expect("endpoint state");
        let too_soon = current
            .last_failure
            .is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE);
        (current.credentials.clone(), too_soon)
    };
    if !slot.timer_started.swap(true, Ordering::SeqCst) {
        tokio::spawn(renew_on_time(Arc::downgrade(slot)));
    }
    let valid = current.filter(|c| !c.is_expired());
    if let Some(creds) = &valid
        && (!creds.due_ahead(slot.margin) || retry_too_soon)
    {
        return Ok(creds.clone());
    }
    // Detached, so a renewal outlives a client that stopped waiting for it.
    let renewal = tokio::spawn(renew(slot.clone()));
    let Some(valid) = valid else {
        return renewal
            .await
            .unwrap_or_else(|_| Err("the renewal task failed".into()));
    };
    if !valid.needs_renewal(slot.margin) {
        return Ok(valid);
    }
    match tokio::time::timeout(RENEWAL_PATIENCE, renewal).await {
        Ok(Ok(Ok(fresh))) => Ok(fresh),
        // Failed or still running: the current ones are still good.
        _ => Ok(valid),
    }
}

/// Renews the slot's credentials ahead of time even when no request comes
/// (an SDK asks only when its own copy runs low): at their renewal-ahead
/// time, and after a failure once [`crate::ahead::RETRY_AFTER`] has passed.
/// Ends with the slot, or when there is nothing to renew yet.
async fn renew_on_time(slot: std::sync::Weak<Slot>) {
    loop {
        let wake = {
            let Some(slot) = slot.upgrade() else { return };
            let current = slot.current.lock().expect("endpoint state");
            let Some(creds) = &current.credentials else {
                return;
            };
            let ahead = creds.renew_ahead_at(slot.margin);
            match current.last_failure {
                Some(failed) if SystemTime::now() >= ahead => {
                    let retry = crate::ahead::RETRY_AFTER.saturating_sub(failed.elapsed());
                    SystemTime::now() + retry
                }
                _ => ahead,
            }
        };
        // At least a second between rounds, whatever the clocks say.
        let wait = wake
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .max(Duration::from_secs(1));
        tokio::time::sleep(wait).await;
        let Some(slot) = slot.upgrade() else { return };
        // Not due (renewed at a request meanwhile): renew() returns at once.
        let _ = renew(slot).await;
    }
}

/// One renewal at a time; a request that waited for another's renewal uses its result.
async fn renew(slot: Arc<Slot>) -> std::result::Result<Credentials, String> {
    let _renewing = slot.renewing.lock().await;
    {
        let current = slot.current.lock().expect("endpoint state");
        if let Some(creds) = &current.credentials
            && !creds.due_ahead(slot.margin)
        {
            return Ok(creds.clone());
        }
    }
    let renew_fn = slot.renew.clone();
    let result = tokio::task::spawn_blocking(move || renew_fn())
        .await
        .unwrap_or_else(|_| Err(Error::new("the renewal thread failed")));
    let mut current = slot.current.lock().expect("endpoint state");
    let what = &slot.what;
    match result {
        Ok(fresh) => {
            current.credentials = Some(fresh.clone());
            current.last_failure = None;
            if current.warned != Warned::No {
                warn(&format!("{what} renewed again"));
                current.warned = Warned::No;
            }
            Ok(fresh)
        }
        Err(err) => {
            current.last_failure = Some(Instant::now());
            let valid = current
                .credentials
                .clone()
                .filter(|creds| !creds.is_expired());
            let now = if valid.is_some() {
                Warned::ServingOld
            } else {
                Warned::NothingValid
            };
            if current.warned != now {
                current.warned = now;
                match &valid {
                    Some(creds) => warn(&format!(
                        "cannot renew {what} ({err}); serving the current ones until they expire at {}",
                        timefmt::format_utc(creds.expiration)
                    )),
                    None => warn(&format!("{what} expired and cannot be renewed: {err}")),
                }
            }
            valid.ok_or_else(|| format!("ssoenv cannot renew the credentials: {err}"))
        }
    }
}

/// One line on stderr: the terminal the command shares for `exec`, the log
/// file for the agent.
fn warn(message: &str) {
    eprintln!("ssoenv: {}", crate::ui::printable(message));
}

fn credentials_json(creds: &Credentials) -> serde_json::Value {
    serde_json::json!({
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": timefmt::format_utc(creds.expiration),
    })
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    json_response(
        status,
        &serde_json::json!({ "Code": code, "Message": message }),
    )
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `bytes` random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::new(format!("cannot get random bytes from the system: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new 0700 directory named `<prefix><pid>-<random>` (`ssoenv-exec-…` for
/// the endpoint's token) in the per-user runtime directory when there is
/// one, else the temp directory, for `what` to name in messages.
/// Directories with the prefix left by an ssoenv that was killed outright
/// are removed on the way.
pub fn private_dir(prefix: &str, what: &str) -> Result<PathBuf> {
    let dir =
        crate::fsutil::private_temp_dir(&format!("{prefix}{}-", std::process::id()), what)?.keep();
    if let Some(base) = dir.parent() {
        remove_stale_dirs(base, prefix);
    }
    Ok(dir)
}

/// Removes `<prefix><pid>-*` directories of ours whose process is gone.
fn remove_stale_dirs(base: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let ours = entry.metadata().is_ok_and(|meta| {
            meta.is_dir() && platform::owned_by_current_user(&entry.path(), &meta)
        });
        if ours && !platform::process_exists(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(key: &str, lifetime: Duration) -> Credentials {
        let now = SystemTime::now();
        Credentials {
            access_key_id: key.into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expiration: now + lifetime,
            issued_at: now,
        }
    }

    /// The access key id in a served body.
    fn key(body: &str) -> String {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An endpoint serving hour-long credentials that need no renewal, and its token.
    fn serving_an_hour() -> (Endpoint, String) {
        let endpoint = Endpoint::start(
            creds("AKIAFIRST", Duration::from_secs(3600)),
            Duration::from_secs(600),
            Box::new(|| panic!("no renewal expected")),
        )
        .unwrap();
        let token = fs::read_to_string(endpoint.token_file()).unwrap();
        (endpoint, token)
    }

    fn get(endpoint: &Endpoint, path: Option<&str>, auth: Option<&str>) -> (u16, String) {
        let host = own_host(endpoint);
        request(endpoint, path, auth, &format!("Host: {host}\r\n"))
    }

    fn own_host(endpoint: &Endpoint) -> String {
        let uri = endpoint.uri().strip_prefix("http://").unwrap();
        uri.split_once('/').unwrap().0.to_owned()
    }

    /// A GET with exactly `headers` (each ending in CRLF) besides the token.
    fn request(
        endpoint: &Endpoint,
        path: Option<&str>,
        auth: Option<&str>,
        headers: &str,
    ) -> (u16, String) {
        use std::io::{Read, Write};
        let uri = endpoint.uri().strip_prefix("http://").unwrap();
        let (host, own_path) = uri.split_once('/').unwrap();
        let path = path.map_or_else(|| format!("/{own_path}"), str::to_owned);
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        let auth = auth.map_or_else(String::new, |a| format!("Authorization: {a}\r\n"));
        write!(
            stream,
            "GET {path} HTTP/1.1\r\n{headers}{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
        (status, body)
    }

    #[test]
    fn refuses_web_pages_and_foreign_hosts_even_with_the_token() {
        let (endpoint, token) = serving_an_hour();
        let host = own_host(&endpoint);
        let port = host.rsplit_once(':').unwrap().1;
        // The precondition: this exact request with the right headers works.
        let ok = request(&endpoint, None, Some(&token), &format!("Host: {host}\r\n"));
        assert_eq!(ok.0, 200, "{}", ok.1);
        for headers in [
            String::new(),
            format!("Host: localhost:{port}\r\n"),
            format!("Host: attacker.example:{port}\r\n"),
            "Host: 127.0.0.1\r\n".to_owned(),
            format!("Host: {host}\r\nOrigin: http://attacker.example\r\n"),
            format!("Host: {host}\r\nOrigin: null\r\n"),
        ] {
            let (status, body) = request(&endpoint, None, Some(&token), &headers);
            assert_eq!(status, 403, "{headers:?}: {body}");
            assert!(!body.contains("AKIA"), "{body}");
        }
    }

    #[test]
    fn serves_only_with_the_token_and_cleans_up() {
        let (endpoint, token) = serving_an_hour();
        assert_eq!(token.len(), 64);
        assert!(!token.ends_with('\n'));
        let private = |p: &Path| platform::is_private(p, &fs::metadata(p).unwrap());
        assert!(private(endpoint.token_file()));
        let dir = endpoint.token_file().parent().unwrap().to_path_buf();
        assert!(private(&dir));

        assert_eq!(get(&endpoint, None, None).0, 403);
        assert_eq!(get(&endpoint, None, Some("wrong")).0, 403);
        assert_eq!(get(&endpoint, None, Some(&format!("{token}x"))).0, 403);
        assert_eq!(get(&endpoint, Some("/other"), None).0, 403);
        assert_eq!(get(&endpoint, Some("/other"), Some(&token)).0, 404);
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["AccessKeyId"], "AKIAFIRST");
        assert_eq!(json["Token"], "token");
        assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));

        endpoint.stop();
        assert!(!dir.exists(), "token directory removed");
    }

    #[test]
    fn idle_and_half_sent_connections_cannot_crowd_out_a_client_with_the_token() {
        use std::io::{Read, Write};
        let (endpoint, token) = serving_an_hour();
        let host = own_host(&endpoint);
        // More idle connections than the server keeps, then a half-sent request.
        let idle: Vec<_> = (0..MAX_CONNECTIONS + 50)
            .map(|_| std::net::TcpStream::connect(&host).unwrap())
            .collect();
        let mut half = std::net::TcpStream::connect(&host).unwrap();
        half.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
        let started = Instant::now();
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        // The half-sent request is dropped once its headers are overdue.
        half.set_read_timeout(Some(HEADER_TIMEOUT + Duration::from_secs(3)))
            .unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = half.read_to_end(&mut rest);
        assert!(
            started.elapsed() < HEADER_TIMEOUT + Duration::from_secs(2),
            "held for {:?}",
            started.elapsed()
        );
        drop(idle);
    }

    #[test]
    fn renews_ahead_in_the_background_serving_the_current_ones_meanwhile() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let now = SystemTime::now();
        // 100 s credentials with 45 s left: past their renewal-ahead time
        // (a margin of 40 s and a lead of 10 s: 50 s before the expiry),
        // short of the margin.
        let endpoint = Endpoint::start(
            Credentials {
                issued_at: now - Duration::from_secs(55),
                expiration: now + Duration::from_secs(45),
                ..creds("AKIAOLD", Duration::ZERO)
            },
            Duration::from_secs(40),
            Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(1));
                Ok(creds("AKIANEW", Duration::from_secs(100)))
            }),
        )
        .unwrap();
        let token = fs::read_to_string(endpoint.token_file()).unwrap();
        let asked = Instant::now();
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!((status, key(&body)), (200, "AKIAOLD".into()));
        assert!(
            asked.elapsed() < Duration::from_millis(500),
            "{:?}",
            asked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(1500));
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!((status, key(&body)), (200, "AKIANEW".into()));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn renews_when_due_and_serves_valid_ones_when_renewal_fails() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let endpoint = Endpoint::start(
            // Half-way through a 2 s life: due at once with a 10 min window.
            Credentials {
                issued_at: SystemTime::now() - Duration::from_secs(2),
                ..creds("AKIAOLD", Duration::from_secs(2))
            },
            Duration::from_secs(600),
            Box::new(move || match counter.fetch_add(1, Ordering::SeqCst) {
                0 => Ok(creds("AKIANEW", Duration::from_secs(3))),
                _ => Err(Error::transient("network down")),
            }),
        )
        .unwrap();
        let token = fs::read_to_string(endpoint.token_file()).unwrap();
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!((status, key(&body)), (200, "AKIANEW".into()));
        // Due again after 1.5 s; the renewal fails, the valid ones are served.
        std::thread::sleep(Duration::from_millis(1700));
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!((status, key(&body)), (200, "AKIANEW".into()));
        // Expired and not renewable: a 500 whose body says why.
        std::thread::sleep(Duration::from_millis(1500));
        let (status, body) = get(&endpoint, None, Some(&token));
        assert_eq!(status, 500, "{body}");
        assert!(body.contains("network down"), "{body}");
        assert!(calls.load(Ordering::SeqCst) >= 2);
    }
}
