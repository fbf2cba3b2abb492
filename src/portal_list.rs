//! The accounts and roles an SSO session can reach (`ssoenv list`, `ssoenv init`).
//!
//! One ListAccounts chain (100 per page) feeds one ListAccountRoles chain per
//! account; at most [`IN_FLIGHT`] requests run at once and every request goes
//! through one [`Limiter`], which paces requests, slows down when the portal
//! answers TooManyRequestsException and speeds up again while it does not.
//! The SDK's own retries are off for these calls: its retry quota would run
//! dry after a few dozen 429s and turn throttling into errors, and its backoff
//! knows nothing of the other requests in flight. A throttled request is
//! retried after the limiter has slowed down, never reported.
//!
//! The result is cached per session under `$XDG_CACHE_HOME/ssoenv/accounts`
//! for `SSOENV_LIST_TTL` (default 1 hour).

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_sso::config::retry::RetryConfig;
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::{self, Failure, Service};
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::{engine, fsutil, paths, sso_token, timefmt};

/// Requests in flight at once.
pub const IN_FLIGHT: usize = 8;

/// How long a listing is reused unless `SSOENV_LIST_TTL` says otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// One account and the roles the session may assume in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

/// Every account the session reaches, sorted by name then id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Listing {
    pub start_url: String,
    /// Epoch seconds.
    pub fetched_at: u64,
    pub accounts: Vec<Account>,
}

/// What fetching cost: for progress reports and tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub requests: u64,
    pub throttled: u64,
}

/// The listing for `session`: the cached one while it is younger than the
/// TTL (unless `refresh`), else fetched and cached. The flag says whether it
/// came from the cache.
pub fn accounts(session: &SsoSession, refresh: bool) -> Result<(Listing, bool)> {
    let ttl = ttl();
    if !refresh
        && !ttl.is_zero()
        && let Some(listing) = load_cached(session)?
    {
        let age = SystemTime::now()
            .duration_since(timefmt::from_epoch_secs(listing.fetched_at))
            .unwrap_or(Duration::MAX);
        if age < ttl {
            return Ok((listing, true));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))?;
    let progress = Progress::new();
    let fetched = runtime.block_on(async {
        let token = sso_token::usable_access_token(session, engine::command_deadline()).await?;
        fetch(session, &token, &progress).await
    });
    progress.finish();
    let (listing, _stats) = fetched?;
    if !ttl.is_zero() {
        store(session, &listing)?;
    }
    Ok((listing, false))
}

/// `SSOENV_LIST_TTL` (`30m`, `2h`, `0` to never cache), default [`DEFAULT_TTL`].
pub fn ttl() -> Duration {
    match std::env::var("SSOENV_LIST_TTL") {
        Ok(text) if text.trim() == "0" => Duration::ZERO,
        Ok(text) => humantime::parse_duration(text.trim()).unwrap_or(DEFAULT_TTL),
        Err(_) => DEFAULT_TTL,
    }
}

/// `$XDG_CACHE_HOME/ssoenv/accounts/<sha1 of the session key>.json`.
pub fn cache_path(session: &SsoSession) -> Result<PathBuf> {
    let hash = sha1_smol::Sha1::from(session.cache_key()).digest();
    Ok(paths::cache_dir()?
        .join("accounts")
        .join(format!("{hash}.json")))
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    #[serde(flatten)]
    listing: Listing,
}

const CACHE_VERSION: u32 = 1;

/// A damaged or foreign cache file counts as absent.
fn load_cached(session: &SsoSession) -> Result<Option<Listing>> {
    let Some(bytes) = fsutil::read_private(&cache_path(session)?)? else {
        return Ok(None);
    };
    Ok(serde_json::from_slice::<CacheFile>(&bytes)
        .ok()
        .filter(|f| f.version == CACHE_VERSION && f.listing.start_url == session.start_url)
        .map(|f| f.listing))
}

fn store(session: &SsoSession, listing: &Listing) -> Result<()> {
    let file = CacheFile {
        version: CACHE_VERSION,
        listing: listing.clone(),
    };
    let json = serde_json::to_vec(&file).expect("a listing always encodes as JSON");
    fsutil::write_private_atomic(&cache_path(session)?, &json)
}

/// Fetches every account and its roles with `access_token`.
pub async fn fetch(
    session: &SsoSession,
    access_token: &str,
    progress: &Progress,
) -> Result<(Listing, Stats)> {
    let endpoint = Service::Portal.endpoint(&session.region);
    // One attempt per call, bounded by SSOENV_TIMEOUT: retrying is ours (see the module docs).
    let client = aws::portal_client(&session.region, &endpoint, engine::command_deadline())?;
    let client = aws_sdk_sso::Client::from_conf(
        client
            .config()
            .to_builder()
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    let shared = Arc::new(Shared {
        client,
        token: access_token.to_owned(),
        session: session.clone(),
        endpoint,
        limiter: Limiter::new(),
        slots: Semaphore::new(IN_FLIGHT),
    });

    let mut accounts: Vec<Account> = Vec::new();
    let mut roles: JoinSet<Result<(usize, Vec<String>)>> = JoinSet::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = {
            let token = next_token.clone();
            shared
                .call(|| {
                    shared
                        .client
                        .list_accounts()
                        .access_token(&shared.token)
                        .max_results(100)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?
        };
        for info in page.account_list() {
            let index = accounts.len();
            let account_id = info.account_id().unwrap_or_default().to_owned();
            accounts.push(Account {
                account_id: account_id.clone(),
                name: info.account_name().unwrap_or_default().to_owned(),
                email: info.email_address().unwrap_or_default().to_owned(),
                roles: Vec::new(),
            });
            let shared = Arc::clone(&shared);
            roles.spawn(async move { Ok((index, shared.roles(&account_id).await?)) });
        }
        progress.update(&accounts, roles.len());
        // Surface a failure now rather than after listing every account.
        while let Some(done) = roles.try_join_next() {
            let (index, names) = joined(done)?;
            accounts[index].roles = names;
        }
        match page.next_token() {
            Some(token) if !token.is_empty() && next_token.as_deref() != Some(token) => {
                next_token = Some(token.to_owned());
            }
            _ => break,
        }
    }
    while let Some(done) = roles.join_next().await {
        let (index, names) = joined(done)?;
        accounts[index].roles = names;
        progress.update(&accounts, roles.len());
    }

    accounts.sort_by(|a, b| {
        (a.name.to_lowercase(), &a.account_id).cmp(&(b.name.to_lowercase(), &b.account_id))
    });
    let stats = shared.limiter.stats();
    Ok((
        Listing {
            start_url: session.start_url.clone(),
            fetched_at: timefmt::epoch_secs(SystemTime::now()),
            accounts,
        },
        stats,
    ))
}

fn joined<T>(done: std::result::Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    done.map_err(|e| Error::new(format!("listing roles failed: {e}")))?
}

/// What every request shares.
struct Shared {
    client: aws_sdk_sso::Client,
    token: String,
    session: SsoSession,
    endpoint: String,
    limiter: Limiter,
    slots: Semaphore,
}

/// A failed attempt, by what to do about it.
enum Verdict {
    Throttled,
    Transient(Error),
    Fatal(Error),
}

/// Throttled requests are retried until the portal has said no this many
/// times to the same one: by then something other than our pace is wrong.
const MAX_THROTTLED: u32 = 60;
/// Network trouble and 5xx, per request, with exponential backoff.
const MAX_TRANSIENT: u32 = 5;

impl Shared {
    async fn roles(&self, account_id: &str) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let token = next_token.clone();
            let page = self
                .call(|| {
                    self.client
                        .list_account_roles()
                        .access_token(&self.token)
                        .account_id(account_id)
                        .max_results(100)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            names.extend(
                page.role_list()
                    .iter()
                    .filter_map(|r| r.role_name().map(str::to_owned)),
            );
            match page.next_token() {
                Some(token) if !token.is_empty() && next_token.as_deref() != Some(token) => {
                    next_token = Some(token.to_owned());
                }
                _ => break,
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// One request: a slot, the limiter's go, and retries as the failure allows.
    async fn call<T, E, R, F, Fut>(&self, mut send: F) -> Result<T>
    where
        E: ProvideErrorMetadata,
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<T, SdkError<E, R>>>,
    {
        let mut throttled = 0;
        let mut transient = 0;
        loop {
            let outcome = {
                let _slot = self
                    .slots
                    .acquire()
                    .await
                    .map_err(|_| Error::new("listing was cancelled"))?;
                let sent = self.limiter.ready().await;
                send().await.map_err(|err| (sent, self.verdict(&err)))
            };
            match outcome {
                Ok(value) => {
                    self.limiter.succeeded();
                    return Ok(value);
                }
                Err((sent, Verdict::Throttled)) => {
                    self.limiter.throttled(sent);
                    throttled += 1;
                    if throttled >= MAX_THROTTLED {
                        return Err(Error::transient(
                            "the SSO portal kept throttling requests (TooManyRequestsException) — try again in a few minutes",
                        ));
                    }
                }
                Err((_, Verdict::Transient(err))) => {
                    transient += 1;
                    if transient >= MAX_TRANSIENT {
                        return Err(err);
                    }
                    let backoff = Duration::from_millis(200 * (1 << transient));
                    tokio::time::sleep(backoff + jitter(backoff / 2)).await;
                }
                Err((_, Verdict::Fatal(err))) => return Err(err),
            }
        }
    }

    /// The SDK's retry classes: throttling errors (by code, or HTTP 429) slow
    /// the limiter down; transient ones (timeouts, connection trouble, 5xx)
    /// are retried with backoff; anything else ends the listing.
    fn verdict<E: ProvideErrorMetadata, R>(&self, err: &SdkError<E, R>) -> Verdict {
        match aws::failure(err) {
            Failure::Service(code, _) if THROTTLING_CODES.contains(&code.as_str()) => {
                Verdict::Throttled
            }
            Failure::Service(code, _) if code == "UnauthorizedException" => {
                Verdict::Fatal(aws::session_expired(&self.session))
            }
            failure @ Failure::Service(..) => {
                let error = failure.into_error(Service::Portal, &self.endpoint);
                if error.kind() == crate::error::Kind::Transient {
                    Verdict::Transient(error)
                } else {
                    Verdict::Fatal(error)
                }
            }
            failure => Verdict::Transient(failure.into_error(Service::Portal, &self.endpoint)),
        }
    }
}

/// The error codes the AWS SDKs' standard retry strategy classes as throttling.
const THROTTLING_CODES: [&str; 11] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "SlowDown",
];

/// Up to `max`, from the clock's low bits: spreads retries without a RNG dependency.
fn jitter(max: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    max.mul_f64(f64::from(nanos % 1000) / 1000.0)
}

/// Paces requests at `rate` per second, evenly spaced (no bursts).
///
/// - Until the first throttle the rate doubles every second (slow start).
/// - A throttle cuts the rate to 80% of what the server granted over the
///   last second and remembers that as the ceiling. Throttles of requests sent before the last cut, or
///   within [`CUT_COOLDOWN`] after it, are the same congestion and do not cut again.
/// - Below the ceiling the rate climbs back quickly (5% of the gap per
///   success); at or above it, it probes by about one request per second
///   every second, so a limit that was raised is found again.
pub struct Limiter {
    state: Mutex<LimiterState>,
}

struct LimiterState {
    rate: f64,
    /// When the successes of the last second came back: the rate the server
    /// actually granted, which is what a cut starts from.
    recent: std::collections::VecDeque<Instant>,
    started: Instant,
    ceiling: Option<f64>,
    next_slot: Instant,
    last_cut: Instant,
    requests: u64,
    throttled: u64,
}

const INITIAL_RATE: f64 = 20.0;
/// Throttles of requests sent within this long after a cut belong to the same
/// congestion (a server's window is typically a second): one cut for all.
const CUT_COOLDOWN: Duration = Duration::from_secs(1);
const MIN_RATE: f64 = 0.5;
const MAX_RATE: f64 = 1000.0;

impl Limiter {
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(LimiterState {
                rate: INITIAL_RATE,
                recent: std::collections::VecDeque::new(),
                started: now,
                ceiling: None,
                next_slot: now,
                last_cut: now.checked_sub(CUT_COOLDOWN).unwrap_or(now),
                requests: 0,
                throttled: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for this request's slot; returns when it was sent.
    pub async fn ready(&self) -> Instant {
        let slot = {
            let mut state = self.lock();
            let slot = state.next_slot.max(Instant::now());
            state.next_slot = slot + Duration::from_secs_f64(1.0 / state.rate);
            state.requests += 1;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
        slot
    }

    pub fn succeeded(&self) {
        let mut state = self.lock();
        let now = Instant::now();
        state.recent.push_back(now);
        while state
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            state.recent.pop_front();
        }
        let rate = state.rate;
        state.rate = match state.ceiling {
            None => rate + 1.0,
            Some(ceiling) if rate < ceiling => rate + ((ceiling - rate) * 0.05).max(1.0 / rate),
            Some(_) => rate + 1.0 / rate,
        }
        .min(MAX_RATE);
    }

    pub fn throttled(&self, sent: Instant) {
        let mut state = self.lock();
        state.throttled += 1;
        if sent < state.last_cut + CUT_COOLDOWN {
            return;
        }
        let now = Instant::now();
        // What got through in the last second (scaled up when less than a
        // second has passed) is what the server grants; the commanded rate
        // may be far above it after a fast ramp.
        let window = now
            .duration_since(state.started)
            .min(Duration::from_secs(1));
        let granted = state.recent.len() as f64 / window.as_secs_f64().max(0.05);
        let base = state.rate.min(granted).max(MIN_RATE);
        state.ceiling = Some(base);
        state.rate = (base * 0.8).max(MIN_RATE);
        state.last_cut = now;
        // The next request waits a full new interval after the refusal.
        let pause = Duration::from_secs_f64(1.0 / state.rate);
        state.next_slot = state.next_slot.max(now + pause);
    }

    pub fn stats(&self) -> Stats {
        let state = self.lock();
        Stats {
            requests: state.requests,
            throttled: state.throttled,
        }
    }
}

impl Default for Limiter {
    fn default() -> Self {
        Self::new()
    }
}

/// "listing accounts… 1200 found, 340 to go" on a terminal's stderr, nothing elsewhere.
pub struct Progress {
    enabled: bool,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    pub fn new() -> Self {
        use std::io::IsTerminal;
        Self {
            enabled: std::io::stderr().is_terminal(),
            last: Mutex::new(None),
        }
    }

    /// No output at all (for callers that draw their own screen).
    pub fn silent() -> Self {
        Self {
            enabled: false,
            last: Mutex::new(None),
        }
    }

    fn update(&self, accounts: &[Account], pending: usize) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(200)) {
            return;
        }
        *last = Some(Instant::now());
        eprint!(
            "\r\x1b[2Kssoenv: listing accounts and roles… {} accounts, roles of {} to go",
            accounts.len(),
            pending
        );
    }

    fn finish(&self) {
        if self.enabled && self.last.lock().is_ok_and(|l| l.is_some()) {
            eprint!("\r\x1b[2K");
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}
