//! From a [`Target`] to credentials: the role-credential cache first, the
//! network only when needed, one renewal for all concurrent callers.
//!
//! Order of work when renewal is due: take the per-target lock, look at the
//! cache again (another process may have just renewed), make sure the SSO
//! token is good (refreshing it under its own lock when it is near expiry),
//! call GetRoleCredentials, write the cache atomically.

use std::time::{Duration, Instant};

use crate::config::{SsoSession, Target};
use crate::credentials::{self, Credentials};
use crate::error::{Error, Result};
use crate::fsutil::FileLock;
use crate::token_cache::{self, SsoToken};
use crate::{aws, log};

/// How long a command waits for AWS (and for other ssoenv processes) in total,
/// unless `SSOENV_TIMEOUT` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The deadline for a command's network work: now + `SSOENV_TIMEOUT` (a
/// duration such as `30s`), default [`DEFAULT_TIMEOUT`].
pub fn command_deadline() -> Instant {
    deadline_from_env("SSOENV_TIMEOUT", DEFAULT_TIMEOUT)
}

/// Now + the duration in `var`, or `default` when it is unset or unreadable.
pub fn deadline_from_env(var: &str, default: Duration) -> Instant {
    let timeout = std::env::var(var)
        .ok()
        .and_then(|text| humantime::parse_duration(text.trim()).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(default);
    Instant::now() + timeout
}

/// Cached credentials of `target`, whatever their age; never touches the network.
pub fn cached(target: &Target) -> Result<Option<Credentials>> {
    credentials::load(target)
}

/// Credentials for `target` with more than `min_ttl` left (bounded by half
/// their lifetime, see [`Credentials::renew_at`]), renewing them if needed,
/// all within `deadline`.
pub fn obtain(target: &Target, min_ttl: Duration, deadline: Instant) -> Result<Credentials> {
    obtain_unless(target, deadline, |creds| !creds.needs_renewal(min_ttl))
}

/// Like [`obtain`], with the caller deciding which cached credentials are
/// good enough (`ssoenv exec --min-ttl` asks for more than the usual window).
pub fn obtain_unless(
    target: &Target,
    deadline: Instant,
    good_enough: impl Fn(&Credentials) -> bool,
) -> Result<Credentials> {
    let label = || format!("{}/{}", target.account_id, target.role_name);
    if let Some(creds) = credentials::load(target)?
        && good_enough(&creds)
    {
        log::debug(|| format!("{}: cached credentials {creds:?} are fresh", label()));
        return Ok(creds);
    }
    let waited = Instant::now();
    let _lock = FileLock::acquire(&credentials::lock_path(target)?, deadline)?;
    log::trace(|| {
        format!(
            "{}: renewal lock taken after {:?}",
            label(),
            waited.elapsed()
        )
    });
    // Another process may have renewed while we waited for the lock.
    if let Some(creds) = credentials::load(target)?
        && good_enough(&creds)
    {
        log::debug(|| format!("{}: renewed meanwhile by another process", label()));
        return Ok(creds);
    }
    log::debug(|| format!("{}: renewing credentials", label()));
    let runtime = runtime()?;
    let access_token = runtime.block_on(usable_access_token(&target.session, deadline))?;
    let creds = runtime.block_on(aws::get_role_credentials(target, &access_token, deadline))?;
    credentials::store(target, &creds)?;
    log::debug(|| format!("{}: stored {creds:?}", label()));
    Ok(creds)
}

/// A single-threaded runtime, built only when a request is about to be made:
/// commands that find everything cached never start one.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))
}

/// The SSO access token to use for `session`, refreshed first when it is near
/// expiry and refreshable.
pub async fn usable_access_token(session: &SsoSession, deadline: Instant) -> Result<String> {
    let token = load_token(session)?;
    log::trace(|| format!("SSO token: {token:?}"));
    if !token.needs_refresh() {
        return Ok(token.access_token);
    }
    if token.refresh_grant().is_none() {
        log::debug(|| "SSO token is near expiry and has no refresh grant".to_owned());
        return if token.is_expired() {
            Err(aws::session_expired(session))
        } else {
            Ok(token.access_token)
        };
    }
    let _lock = FileLock::acquire(&token_cache::lock_path(session)?, deadline)?;
    // Re-read: another process may have refreshed while we waited.
    let token = load_token(session)?;
    if !token.needs_refresh() {
        return Ok(token.access_token);
    }
    log::debug(|| "refreshing the SSO token".to_owned());
    match refresh(session, &token, deadline).await {
        Ok(refreshed) => Ok(refreshed.access_token),
        // A token with minutes left still works; the next call retries the refresh.
        Err(err) if !token.is_expired() => {
            log::debug(|| format!("refresh failed ({err}); the token still works for now"));
            Ok(token.access_token)
        }
        Err(err) => Err(err),
    }
}

fn load_token(session: &SsoSession) -> Result<SsoToken> {
    token_cache::load(session)?.ok_or_else(|| {
        Error::login_required(format!(
            "not signed in to SSO session {} — run 'ssoenv login'",
            session.label()
        ))
    })
}

/// CreateToken(refresh_token), then the AWS CLI cache file rewritten in place.
async fn refresh(session: &SsoSession, token: &SsoToken, deadline: Instant) -> Result<SsoToken> {
    let grant = token
        .refresh_grant()
        .ok_or_else(|| aws::session_expired(session))?;
    let refreshed = aws::refresh_token(session, &grant, deadline).await?;
    let mut updated = token.clone();
    updated.access_token = refreshed.access_token;
    updated.expires_at = refreshed.expires_at;
    if let Some(refresh_token) = refreshed.refresh_token {
        updated.refresh_token = Some(refresh_token);
    }
    token_cache::store(session, &updated)?;
    Ok(updated)
}
