//! The AWS CLI's SSO token cache, `~/.aws/sso/cache/<sha1>.json`, read and
//! written exactly as AWS CLI v2 and botocore do, so a login by either tool
//! serves the other.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::{fsutil, paths, timefmt};

/// Refresh a token when less than this is left (the Rust SDK uses 5 minutes).
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The cache key: the sso-session name when there is one, else the start URL.
pub fn cache_key(session: &SsoSession) -> &str {
    session.name.as_deref().unwrap_or(&session.start_url)
}

/// `~/.aws/sso/cache/<sha1 hex of the key>.json`.
pub fn cache_path(session: &SsoSession) -> Result<PathBuf> {
    let hash = sha1_smol::Sha1::from(cache_key(session))
        .digest()
        .to_string();
    Ok(paths::sso_cache_dir()?.join(format!("{hash}.json")))
}

/// Where refreshes and logins of `session` serialise, so a refresh that
/// finishes after a login cannot overwrite the new token with an older one.
pub fn lock_path(session: &SsoSession) -> Result<PathBuf> {
    let hash = sha1_smol::Sha1::from(cache_key(session)).digest();
    Ok(paths::cache_dir()?
        .join("locks")
        .join(format!("token-{hash}.lock")))
}

/// One cached SSO token. Fields keep the AWS CLI's names; fields we do not
/// know are carried through unchanged when we rewrite the file.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoToken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub access_token: String,
    #[serde(with = "cli_time")]
    pub expires_at: SystemTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "cli_time_opt"
    )]
    pub registration_expires_at: Option<SystemTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl SsoToken {
    pub fn is_expired(&self) -> bool {
        self.expires_at <= SystemTime::now()
    }

    /// True when less than [`REFRESH_WINDOW`] is left.
    pub fn needs_refresh(&self) -> bool {
        timefmt::remaining(self.expires_at) < REFRESH_WINDOW
    }

    /// The client registration and refresh token a refresh needs, when all are
    /// present and the registration has not expired (botocore's rule).
    pub fn refresh_grant(&self) -> Option<RefreshGrant<'_>> {
        let registration_expires_at = self.registration_expires_at?;
        if registration_expires_at <= SystemTime::now() {
            return None;
        }
        Some(RefreshGrant {
            client_id: self.client_id.as_deref()?,
            client_secret: self.client_secret.as_deref()?,
            refresh_token: self.refresh_token.as_deref()?,
        })
    }
}

/// What CreateToken(grant_type=refresh_token) needs.
pub struct RefreshGrant<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub refresh_token: &'a str,
}

// Secrets stay out of logs and panics: Debug shows only what is safe.
impl fmt::Debug for SsoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoToken")
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .field("expires_at", &timefmt::format_utc(self.expires_at))
            .field("refreshable", &self.refresh_grant().is_some())
            .finish_non_exhaustive()
    }
}

/// Reads the cached token for `session`; `None` when there is none. A file
/// that does not parse is reported, since the fix (log in again) is the user's.
pub fn load(session: &SsoSession) -> Result<Option<SsoToken>> {
    let path = cache_path(session)?;
    let Some(bytes) = fsutil::read_private(&path)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::login_required(format!(
            "the SSO token cache {} is unreadable ({e}) — run 'ssoenv login'",
            paths::display(&path)
        ))
    })
}

/// When `token`, cached under `session`'s name, was issued by another
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

/// [`start_url_conflict`] with `session`'s cached token, if it has one.
pub fn signed_in_elsewhere(session: &SsoSession) -> Option<String> {
    let token = load(session).ok().flatten()?;
    start_url_conflict(session, &token)
}

/// Writes the token for `session` in the AWS CLI's format (0600, atomically).
pub fn store(session: &SsoSession, token: &SsoToken) -> Result<()> {
    fsutil::write_private_atomic(&cache_path(session)?, &encode(token)?)
}

/// The rewrite of `session`'s cache file after a refresh, prepared before the
/// refresh is sent: OIDC may rotate the refresh token, and the one in the
/// file is spent once it answers, so the new one must reach the file with as
/// little as possible in between (see [`fsutil::StagedReplace`]).
pub struct PendingStore(fsutil::StagedReplace);

pub fn prepare_store(session: &SsoSession) -> Result<PendingStore> {
    fsutil::StagedReplace::new(&cache_path(session)?).map(PendingStore)
}

impl PendingStore {
    pub fn store(self, token: &SsoToken) -> Result<()> {
        self.0.commit(&encode(token)?)
    }
}

fn encode(token: &SsoToken) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(token)
        .map_err(|e| Error::new(format!("cannot encode the SSO token cache: {e}")))
}

/// Serde for the CLI's `YYYY-MM-DDTHH:MM:SSZ` timestamps.
mod cli_time {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::timefmt::format_utc(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(d)?;
        crate::timefmt::parse_utc(&text)
            .ok_or_else(|| de::Error::custom(format!("unrecognised timestamp {text:?}")))
    }
}

mod cli_time_opt {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => super::cli_time::serialize(time, s),
            None => s.serialize_none(),
        }
    }

    /// An unparsable registration expiry makes the token unrefreshable rather
    /// than unusable: the access token itself may still be good.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        Ok(text.as_deref().and_then(crate::timefmt::parse_utc))
    }
}
