//! From a [`Target`] to credentials: the role-credential cache first, the
//! network only when needed, one renewal for all concurrent callers.
//!
//! A target is the SSO role plus zero or more `sts:AssumeRole` hops, and
//! every hop is a target of its own here: cached in its own file, renewed
//! under its own lock. Order of work when renewal is due: take the
//! per-target lock, look at the cache again (another process may have just
//! renewed), then get the source — for the SSO role a usable access token
//! from its owner ([`crate::sso_token`]) and GetRoleCredentials; for a hop the source target's credentials, renewed
//! first when they are due — then write the cache atomically. Locks are
//! always taken from the last hop towards the SSO role, so callers of
//! different hops of one chain never wait on each other in a cycle.

use std::time::{Duration, Instant};

use crate::config::{self, Target};
use crate::credentials::{self, Credentials};
use crate::error::{Error, Result};
use crate::fsutil::FileLock;
use crate::{aws, log, sso_token};

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

/// Cached credentials of `target` that [`obtain`] would use as they are;
/// never touches the network.
pub fn cached_fresh(target: &Target, min_ttl: Duration) -> Result<Option<Credentials>> {
    Ok(credentials::load(target)?.filter(fresh_for(min_ttl)))
}

/// Credentials for `target` with more than `min_ttl` left (bounded by half
/// their lifetime, see [`Credentials::renew_at`]), renewing them if needed,
/// all within `deadline`.
pub fn obtain(target: &Target, min_ttl: Duration, deadline: Instant) -> Result<Credentials> {
    obtain_unless(target, deadline, fresh_for(min_ttl))
}

/// The test [`obtain`] applies to cached credentials.
fn fresh_for(min_ttl: Duration) -> impl Fn(&Credentials) -> bool {
    move |creds| !creds.needs_renewal(min_ttl)
}

/// Like [`obtain`], with the caller deciding which cached credentials are
/// good enough (`ssoenv exec --min-ttl` asks for more than the usual window).
pub fn obtain_unless(
    target: &Target,
    deadline: Instant,
    good_enough: impl Fn(&Credentials) -> bool,
) -> Result<Credentials> {
    if let Some(creds) = credentials::load(target)?
        && good_enough(&creds)
    {
        log::debug(|| format!("{}: cached credentials {creds:?} are fresh", target.label()));
        return Ok(creds);
    }
    let waited = Instant::now();
    let lock = FileLock::acquire(&credentials::lock_path(target)?, deadline)?;
    log::trace(|| {
        format!(
            "{}: renewal lock taken after {:?}",
            target.label(),
            waited.elapsed()
        )
    });
    renew_locked(target, &lock, deadline, good_enough)
}

/// Credentials for `target` that are not yet due for renewal ahead (see
/// `crate::ahead`), renewing them when they are, waiting for another
/// process's renewal if one is running. What long-lived servers of
/// credentials (the agent, `exec`'s endpoint) renew with.
pub fn obtain_ahead(target: &Target, deadline: Instant) -> Result<Credentials> {
    let margin = target.command_margin();
    obtain_unless(target, deadline, move |creds| !creds.due_ahead(margin))
}

/// A background renewal ahead of time (see `crate::ahead`): like
/// [`obtain_ahead`], but `Ok(None)` at once when another process is
/// renewing `target` already.
pub fn renew_ahead_unless_busy(target: &Target, deadline: Instant) -> Result<Option<Credentials>> {
    let Some(lock) = FileLock::try_acquire(&credentials::lock_path(target)?)? else {
        log::debug(|| format!("{}: another process is renewing", target.label()));
        return Ok(None);
    };
    let margin = target.command_margin();
    renew_locked(target, &lock, deadline, move |creds| {
        !creds.due_ahead(margin)
    })
    .map(Some)
}

/// The renewal itself, under `target`'s lock: the cache once more (another
/// process may have just renewed), else the source and a request to AWS,
/// and the cache written.
fn renew_locked(
    target: &Target,
    _lock: &FileLock,
    deadline: Instant,
    good_enough: impl Fn(&Credentials) -> bool,
) -> Result<Credentials> {
    let label = || target.label();
    if let Some(creds) = credentials::load(target)?
        && good_enough(&creds)
    {
        log::debug(|| format!("{}: renewed meanwhile by another process", label()));
        return Ok(creds);
    }
    log::debug(|| format!("{}: renewing credentials", label()));
    let (creds, derived_session_name) = match target.source() {
        None => {
            let runtime = runtime()?;
            let access_token =
                runtime.block_on(sso_token::usable_access_token(&target.session, deadline))?;
            let creds =
                runtime.block_on(aws::get_role_credentials(target, &access_token, deadline))?;
            (creds, None)
        }
        Some(source) => assume_last_hop(target, &source, deadline)?,
    };
    credentials::store(target, &creds, derived_session_name.as_deref())?;
    log::debug(|| format!("{}: stored {creds:?}", label()));
    Ok(creds)
}

/// Credentials of `target`'s last hop, assumed from `source` (renewed first
/// when due), and the session name ssoenv derived when the config names none.
fn assume_last_hop(
    target: &Target,
    source: &Target,
    deadline: Instant,
) -> Result<(Credentials, Option<String>)> {
    let hop = target
        .chain
        .last()
        .expect("a target with a source has a last hop");
    let source_creds = obtain(source, target.refresh_before, deadline)?;
    let (session_name, derived) = match &hop.session_name {
        Some(name) => (name.clone(), None),
        None => {
            let name = match credentials::derived_session_name(target)? {
                Some(known) => known,
                None => sso_user_session_name(target, deadline)?,
            };
            (name.clone(), Some(name))
        }
    };
    let creds = runtime()?.block_on(aws::assume_role(
        source,
        &source_creds,
        hop,
        &session_name,
        deadline,
    ))?;
    Ok((creds, derived))
}

/// The session name a hop gets when the config names none: the SSO user's
/// name, which AWS uses as the SSO role's session name (the last part of
/// its `assumed-role/AWSReservedSSO_…/<user>` ARN), sanitised to what STS
/// accepts; `ssoenv` when nothing usable is left.
fn sso_user_session_name(target: &Target, deadline: Instant) -> Result<String> {
    let sso_role = target.sso_role();
    let sso_creds = obtain(&sso_role, target.refresh_before, deadline)?;
    let arn = runtime()?.block_on(aws::caller_arn(&sso_role, &sso_creds, deadline))?;
    Ok(session_name_from(
        arn.rsplit('/').next().unwrap_or_default(),
    ))
}

/// `raw` as an STS `RoleSessionName`: characters outside `[\w+=,.@-]`
/// become `-`, at most 64 of them; `ssoenv` when fewer than 2 remain.
pub fn session_name_from(raw: &str) -> String {
    let name: String = raw
        .chars()
        .map(|c| {
            if config::is_role_session_char(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if name.chars().filter(|c| *c != '-').count() < 2 {
        "ssoenv".to_owned()
    } else {
        name
    }
}

/// A single-threaded runtime, built only when a request is about to be made:
/// commands that find everything cached never start one.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_sanitised_for_sts() {
        assert_eq!(session_name_from("alice@example.com"), "alice@example.com");
        assert_eq!(session_name_from("Jürgen Müller"), "J-rgen-M-ller");
        assert_eq!(session_name_from(&"x".repeat(80)), "x".repeat(64));
        assert_eq!(session_name_from(""), "ssoenv");
        assert_eq!(session_name_from("ü"), "ssoenv");
        assert_eq!(session_name_from("a"), "ssoenv");
    }
}
