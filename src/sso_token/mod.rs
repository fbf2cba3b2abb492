//! The SSO access token, with one owner: reading it, deciding whether it
//! serves, refreshing it under the lock, storing it. The engine asks
//! [`usable_access_token`] and nothing more; sign-in hands a new token to
//! [`save_signed_in`], sign-out calls [`remove`], and `status` reads it.
//!
//! Where the token is kept is a [`TokenStore`]: by default the AWS CLI's
//! cache files ([`AwsCliCache`]), which share the login with the AWS CLI
//! and boto3; with `token_store = "keyring"` the OS keyring ([`Keyring`])
//! for the refresh token and the client registration, and the AWS CLI's
//! file for the access token alone. The callers above do not change.

mod aws_cli_cache;
mod keyring;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use aws_cli_cache::{AwsCliCache, Filed, SsoToken, registration_cache_path};
pub use keyring::Keyring;

use crate::config::{self, SsoSession, TokenStoreKind};
use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::{aws, log, paths};

/// Refresh a token when less than this is left (the Rust SDK uses 5 minutes).
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Where a session's token is kept.
pub trait TokenStore {
    /// The stored token of `session`; `None` when there is none.
    fn load(&self, session: &SsoSession) -> Result<Option<SsoToken>>;

    /// Stores `token` as `session`'s (a sign-in's new token).
    fn save(&self, session: &SsoSession, token: &SsoToken) -> Result<()>;

    /// Prepares replacing `session`'s token with one that a request is
    /// about to return (see [`PendingSave`]).
    fn prepare_save(&self, session: &SsoSession) -> Result<Box<dyn PendingSave>>;

    /// Removes `session`'s token; whether there was one.
    fn remove(&self, session: &SsoSession) -> Result<bool>;

    /// The file that changes whenever `session`'s token does: what a
    /// prompt `stat`s to notice a login, a logout or a refresh.
    fn watched_file(&self, session: &SsoSession) -> Result<PathBuf>;

    /// Whether a loaded token may be refreshable, as far as can be told
    /// without opening anything more.
    fn may_refresh(&self, token: &SsoToken) -> bool {
        token.refresh_grant().is_some()
    }

    /// `token` with what a refresh needs that is kept elsewhere; only
    /// called for a refresh, by `deadline`.
    fn complete(
        &self,
        _session: &SsoSession,
        token: SsoToken,
        _deadline: Instant,
    ) -> Result<SsoToken> {
        Ok(token)
    }
}

/// A replacement of a stored token, prepared before the request whose
/// answer it will hold: OIDC may rotate the refresh token, and the old one
/// is spent once it answers, so as little as possible may stand between
/// the answer and the store.
pub trait PendingSave {
    fn commit(self: Box<Self>, token: &SsoToken) -> Result<()>;
}

/// The store the user keeps tokens in (`token_store`).
fn store(_session: &SsoSession) -> Result<&'static dyn TokenStore> {
    Ok(match config::token_store()? {
        TokenStoreKind::AwsCli => &AwsCliCache,
        TokenStoreKind::Keyring => &Keyring,
    })
}

/// Where sign-in keeps a session's client registration.
pub enum RegistrationHome {
    /// The AWS CLI's registration cache file, shared with it.
    AwsCliFile,
    /// The keyring, with the token: the registration kept there, if any.
    Keyring(Option<KeptRegistration>),
}

/// A client registration as the keyring keeps it. Debug shows no secret.
pub struct KeptRegistration {
    pub client_id: String,
    pub client_secret: String,
    pub expires_at: std::time::SystemTime,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for KeptRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptRegistration")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// Where `session`'s client registration is kept, and with the keyring
/// on, the one kept there. Opens the keyring (sign-in only): a keyring
/// that cannot be used fails the sign-in before the browser opens.
pub fn registration_home(session: &SsoSession) -> Result<RegistrationHome> {
    match config::token_store()? {
        TokenStoreKind::AwsCli => Ok(RegistrationHome::AwsCliFile),
        TokenStoreKind::Keyring => {
            let kept = keyring::load_secrets(session, true, None)?.and_then(|secrets| {
                Some(KeptRegistration {
                    expires_at: crate::timefmt::parse_utc(&secrets.registration_expires_at)?,
                    client_id: secrets.client_id,
                    client_secret: secrets.client_secret,
                    scopes: secrets.scopes,
                })
            });
            Ok(RegistrationHome::Keyring(kept))
        }
    }
}

/// The SSO access token to use for `session`, refreshed first when it is
/// near expiry and refreshable.
pub async fn usable_access_token(session: &SsoSession, deadline: Instant) -> Result<String> {
    let store = store(session)?;
    let token = load_usable(store, session)?;
    log::trace(|| format!("SSO token: {token:?}"));
    if !token.needs_refresh() {
        return Ok(token.access_token);
    }
    if !store.may_refresh(&token) {
        log::debug(|| "SSO token is near expiry and has no refresh grant".to_owned());
        return if token.is_expired() {
            Err(aws::session_expired(session))
        } else {
            Ok(token.access_token)
        };
    }
    let _lock = FileLock::acquire(&lock_path(session)?, deadline)?;
    // Re-read: another process may have refreshed while we waited.
    let token = load_usable(store, session)?;
    if !token.needs_refresh() {
        return Ok(token.access_token);
    }
    log::debug(|| "refreshing the SSO token".to_owned());
    let refreshed = match store.complete(session, token.clone(), deadline) {
        Ok(complete) if complete.refresh_grant().is_none() => Err(aws::session_expired(session)),
        Ok(complete) => refresh(store, session, &complete, deadline).await,
        Err(err) => Err(err),
    };
    match refreshed {
        Ok(refreshed) => Ok(refreshed.access_token),
        // A token with minutes left still works; the next call retries the refresh.
        Err(err) if !token.is_expired() => {
            log::debug(|| format!("refresh failed ({err}); the token still works for now"));
            Ok(token.access_token)
        }
        Err(err) => Err(err),
    }
}

/// The stored token of `session` when ssoenv may use it: there is one, and
/// it was issued by the portal `session` names.
fn load_usable(store: &dyn TokenStore, session: &SsoSession) -> Result<SsoToken> {
    let token = store.load(session)?.ok_or_else(|| {
        Error::login_required(format!(
            "not signed in to SSO session {} — run 'ssoenv login'",
            session.label()
        ))
    })?;
    match start_url_conflict(session, &token) {
        Some(conflict) => Err(Error::new(conflict)),
        None => Ok(token),
    }
}

/// CreateToken(refresh_token), then the store rewritten, before anything
/// else is done with the answer.
async fn refresh(
    store: &dyn TokenStore,
    session: &SsoSession,
    token: &SsoToken,
    deadline: Instant,
) -> Result<SsoToken> {
    let grant = token
        .refresh_grant()
        .ok_or_else(|| aws::session_expired(session))?;
    let pending = store.prepare_save(session)?;
    let refreshed = aws::refresh_token(session, &grant, deadline).await?;
    let mut updated = token.clone();
    updated.access_token = refreshed.access_token;
    updated.expires_at = refreshed.expires_at;
    if let Some(refresh_token) = refreshed.refresh_token {
        updated.refresh_token = Some(refresh_token);
    }
    pending.commit(&updated)?;
    Ok(updated)
}

/// Stores a sign-in's new token for `session`, and says where. A prompt
/// refreshing the old token at this moment must not write after it, so
/// this takes the refresh lock first.
pub fn save_signed_in(session: &SsoSession, token: &SsoToken) -> Result<PathBuf> {
    let lock_deadline = Instant::now() + Duration::from_secs(10);
    let _lock = FileLock::acquire(&lock_path(session)?, lock_deadline)?;
    let store = store(session)?;
    store.save(session, token)?;
    remember_name(session);
    store.watched_file(session)
}

/// A portal the token cache holds a live sign-in to (no secret: the
/// token stays in the cache).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub start_url: String,
    pub region: String,
    /// The session whose token it is; `None` when the file is named after
    /// an `sso_session` ssoenv never signed in to, which it cannot find
    /// again without that name.
    pub session: Option<SsoSession>,
}

/// The portals the token cache is signed in to, sorted by start URL: for
/// when nothing is configured and the cache alone can say which portal the
/// user means. "Signed in" is what a command can use without a browser:
/// an unexpired access token, or an expired one with a refresh grant,
/// which [`usable_access_token`] renews silently. A token without
/// `startUrl` or `region` cannot name its portal and is left out.
pub fn signed_in_sessions() -> Result<Vec<SignedIn>> {
    let mut found: Vec<SignedIn> = Vec::new();
    // With the keyring on, a stripped file may still be refreshable.
    let keyring = config::token_store()? == TokenStoreKind::Keyring;
    for (filed, token) in AwsCliCache.tokens(&remembered_names())? {
        let live = !token.is_expired() || token.refresh_grant().is_some() || keyring;
        let (Some(start_url), Some(region)) = (token.start_url, token.region) else {
            continue;
        };
        if !live {
            continue;
        }
        let session = filed.map(|filed| SsoSession {
            name: match filed {
                Filed::ByStartUrl => None,
                Filed::ByName(name) => Some(name),
            },
            start_url: start_url.clone(),
            region: region.clone(),
            scopes: Vec::new(),
        });
        let portal = |url: &str| url.trim_end_matches('/').to_owned();
        // One portal filed under two keys is still one sign-in.
        match found
            .iter_mut()
            .find(|seen| portal(&seen.start_url) == portal(&start_url) && seen.region == region)
        {
            Some(seen) => {
                if seen.session.is_none() {
                    seen.session = session;
                }
            }
            None => found.push(SignedIn {
                start_url,
                region,
                session,
            }),
        }
    }
    found.sort_by(|a, b| (&a.start_url, &a.region).cmp(&(&b.start_url, &b.region)));
    Ok(found)
}

/// Where ssoenv notes the `sso_session` names it signed in to: the AWS
/// CLI's cache files are named by the name's hash, which cannot be read
/// back. Names only, no secret.
fn names_file() -> Result<PathBuf> {
    Ok(paths::cache_dir()?.join("sso-session-names"))
}

fn remembered_names() -> Vec<String> {
    names_file()
        .map(|file| fsutil::read_remembered(&file))
        .unwrap_or_default()
}

/// Adds `session`'s name to [`names_file`]. A failure only loses the
/// fallback of [`signed_in_sessions`], so it is not reported.
fn remember_name(session: &SsoSession) {
    let Some(name) = session.name.as_deref() else {
        return;
    };
    let mut names = remembered_names();
    if name.chars().any(char::is_control) || names.iter().any(|n| n == name) {
        return;
    }
    names.push(name.to_owned());
    if let Ok(file) = names_file() {
        fsutil::write_remembered(&file, &names);
    }
}

/// The stored token of `session`, whatever its age or portal; `None` when
/// there is none. For what reports on it (`status`) and what ends it.
pub fn load(session: &SsoSession) -> Result<Option<SsoToken>> {
    store(session)?.load(session)
}

/// Whether `token`, `session`'s stored token, can be renewed without the
/// user, as far as can be told without opening the keyring.
pub fn refreshable(session: &SsoSession, token: &SsoToken) -> bool {
    store(session).is_ok_and(|store| store.may_refresh(token))
}

/// Removes `session`'s token (at sign-out); whether there was one.
pub fn remove(session: &SsoSession) -> Result<bool> {
    store(session)?.remove(session)
}

/// The file to `stat` for changes of `session`'s token: the AWS CLI's
/// file, whichever the store (the keyring keeps no access token).
pub fn watched_file(session: &SsoSession) -> Result<PathBuf> {
    AwsCliCache.watched_file(session)
}

/// Where refreshes and logins of `session` serialise, so a refresh that
/// finishes after a login cannot overwrite the new token with an older one.
fn lock_path(session: &SsoSession) -> Result<PathBuf> {
    let hash = sha1_smol::Sha1::from(session.cache_key()).digest();
    Ok(paths::cache_dir()?
        .join("locks")
        .join(format!("token-{hash}.lock")))
}

/// When `token`, stored under `session`'s name, was issued by another
/// portal than the one `session` names: why ssoenv will not use it. A file
/// that reuses the name of an existing session with another start URL
/// must not quietly ride on that session's sign-in.
pub fn start_url_conflict(session: &SsoSession, token: &SsoToken) -> Option<String> {
    let name = session.name.as_deref()?;
    let signed_in = token.start_url.as_deref()?;
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    (!same(signed_in, &session.start_url)).then(|| {
        format!(
            "SSO session '{name}' is signed in to {signed_in}, but this configuration names {} for it — \
             ssoenv will not use that sign-in here; give this portal its own sso_session name, or correct sso_start_url",
            session.start_url
        )
    })
}

/// [`start_url_conflict`] with `session`'s stored token, if it has one.
pub fn signed_in_elsewhere(session: &SsoSession) -> Option<String> {
    let token = load(session).ok().flatten()?;
    start_url_conflict(session, &token)
}
