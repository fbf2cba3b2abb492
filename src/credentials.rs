//! Role credentials and ssoenv's own cache of them, one 0600 file per
//! target under `$XDG_CACHE_HOME/ssoenv/credentials`: per (SSO session,
//! account, role) for SSO roles, and per (that, chain of hops) for roles
//! assumed after them, so two chains never share a file.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{RoleHop, SsoSession, Target};
use crate::error::Result;
use crate::{fsutil, paths, timefmt};

/// How long before the latest renewal time a background renewal starts
/// (see [`Credentials::renew_ahead_at`]).
pub const AHEAD_LEAD: Duration = Duration::from_secs(5 * 60);

/// Short-lived credentials for one role.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    #[serde(with = "epoch_secs")]
    pub expiration: SystemTime,
    /// When ssoenv received them: with `expiration`, their lifetime.
    #[serde(with = "epoch_secs")]
    pub issued_at: SystemTime,
}

impl Credentials {
    /// When to renew: `refresh_before` ahead of expiry, but never earlier than
    /// half-way through their life, so short-lived credentials are not renewed
    /// at every use.
    pub fn renew_at(&self, refresh_before: Duration) -> SystemTime {
        self.expiration - refresh_before.min(self.lifetime() / 2)
    }

    /// When to start renewing them in the background (`crate::ahead`): a
    /// lead of [`AHEAD_LEAD`], at most a tenth of their lifetime, before
    /// [`Credentials::renew_at`], so that with a working network the new
    /// ones are in the cache before anything has to wait for them.
    pub fn renew_ahead_at(&self, margin: Duration) -> SystemTime {
        self.renew_at(margin) - AHEAD_LEAD.min(self.lifetime() / 10)
    }

    /// True when a background renewal of them is due.
    pub fn due_ahead(&self, margin: Duration) -> bool {
        SystemTime::now() >= self.renew_ahead_at(margin)
    }

    fn lifetime(&self) -> Duration {
        self.expiration
            .duration_since(self.issued_at)
            .unwrap_or_default()
    }

    /// True when they should be renewed before use.
    pub fn needs_renewal(&self, refresh_before: Duration) -> bool {
        SystemTime::now() >= self.renew_at(refresh_before)
    }

    pub fn is_expired(&self) -> bool {
        SystemTime::now() >= self.expiration
    }

    /// The access key id with all but its last 4 characters masked, as `aws configure list` shows it.
    pub fn masked_key(&self) -> String {
        let chars: Vec<char> = self.access_key_id.chars().collect();
        let visible = chars.len().saturating_sub(4);
        "*".repeat(visible) + &chars[visible..].iter().collect::<String>()
    }

    /// A short, non-secret fingerprint that tells these credentials apart from
    /// others (for bookkeeping that must never hold a secret).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.access_key_id)
    }

    /// `credential_process` output, Version 1: what `credential-process`,
    /// `export-credentials --format process` and a container's relay print.
    pub fn process_json(&self) -> String {
        serde_json::json!({
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": timefmt::format_utc(self.expiration),
        })
        .to_string()
    }
}

/// First 12 hex digits of SHA-256 of a (non-secret) value.
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.masked_key())
            .field("expiration", &timefmt::format_utc(self.expiration))
            .finish_non_exhaustive()
    }
}

/// The cache file of one target.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    version: u32,
    /// The session's token-cache key (its name, else its start URL), so
    /// logout finds every file of a session. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<String>,
    start_url: String,
    /// The SSO role the chain starts from.
    account_id: String,
    role_name: String,
    /// The roles assumed after the SSO role; empty for the SSO role itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    chain: Vec<RoleHop>,
    /// The session name the last hop was assumed with when the config names
    /// none (derived from the SSO user), kept so renewals need not ask again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    derived_session_name: Option<String>,
    credentials: Credentials,
}

const CACHE_VERSION: u32 = 1;

/// Where the credentials of `target` are cached. The name hashes the session
/// (its name, else its start URL), the account and the role.
pub fn cache_path(target: &Target) -> Result<PathBuf> {
    Ok(paths::cache_dir()?
        .join("credentials")
        .join(format!("{}.json", cache_id(target))))
}

/// Where concurrent renewals of `target` serialise.
pub fn lock_path(target: &Target) -> Result<PathBuf> {
    Ok(paths::cache_dir()?
        .join("locks")
        .join(format!("{}.lock", cache_id(target))))
}

fn cache_id(target: &Target) -> String {
    let session = target.session.cache_key();
    let mut key = format!("{session}\n{}\n{}", target.account_id, target.role_name);
    if !target.chain.is_empty() {
        // Every field of every hop: a different session name or external id
        // is a different session, never the same file.
        key.push('\n');
        key.push_str(&serde_json::to_string(&target.chain).expect("hops always encode as JSON"));
    }
    sha1_smol::Sha1::from(key).digest().to_string()
}

/// The cache file of `target`, if it is there, readable and really `target`'s.
fn load_file(target: &Target) -> Result<Option<CacheFile>> {
    let Some(bytes) = fsutil::read_private(&cache_path(target)?)? else {
        return Ok(None);
    };
    let Ok(file) = serde_json::from_slice::<CacheFile>(&bytes) else {
        return Ok(None);
    };
    let same_target = file.version == CACHE_VERSION
        && file.start_url == target.session.start_url
        && file.account_id == target.account_id
        && file.role_name == target.role_name
        && file.chain == target.chain;
    Ok(same_target.then_some(file))
}

/// The cached credentials of `target`, if any. A damaged file counts as absent:
/// it is rewritten by the next renewal.
pub fn load(target: &Target) -> Result<Option<Credentials>> {
    Ok(load_file(target)?.map(|file| file.credentials))
}

/// The session name the last renewal of `target` derived for its last hop.
pub fn derived_session_name(target: &Target) -> Result<Option<String>> {
    Ok(load_file(target)?.and_then(|file| file.derived_session_name))
}

/// Writes `credentials` as `target`'s, with the session name they were
/// assumed with when ssoenv derived it.
pub fn store(
    target: &Target,
    credentials: &Credentials,
    derived_session_name: Option<&str>,
) -> Result<()> {
    let file = CacheFile {
        version: CACHE_VERSION,
        session: Some(target.session.cache_key().to_owned()),
        start_url: target.session.start_url.clone(),
        account_id: target.account_id.clone(),
        role_name: target.role_name.clone(),
        chain: target.chain.clone(),
        derived_session_name: derived_session_name.map(str::to_owned),
        credentials: credentials.clone(),
    };
    let json = serde_json::to_vec_pretty(&file).expect("credentials always encode as JSON");
    // Damaged or old after a power cut, it is only renewed again: no fsync.
    fsutil::write_rebuildable_cache(&cache_path(target)?, &json)
}

/// Removes the cached credentials of every role of `session` (at sign-out).
/// Files from before the session key was recorded match by start URL.
/// Returns the SSO (account, role) each removed file started from.
pub fn remove_session(session: &SsoSession) -> Result<Vec<(String, String)>> {
    let dir = paths::cache_dir()?.join("credentials");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(crate::error::Error::new(format!(
                "cannot read {}: {e}",
                paths::display(&dir)
            )));
        }
    };
    let key = session.cache_key();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let Ok(Some(bytes)) = fsutil::read_private(&path) else {
            continue;
        };
        let Ok(file) = serde_json::from_slice::<CacheFile>(&bytes) else {
            continue;
        };
        let ours = match &file.session {
            Some(session_key) => session_key == key,
            None => file.start_url == session.start_url,
        };
        if ours && fsutil::remove_if_exists(&path)? {
            removed.push((file.account_id, file.role_name));
        }
    }
    Ok(removed)
}

mod epoch_secs {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(crate::timefmt::epoch_secs(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        u64::deserialize(d).map(crate::timefmt::from_epoch_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lasting(lifetime: Duration) -> Credentials {
        let issued_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expiration: issued_at + lifetime,
            issued_at,
        }
    }

    fn before_expiry(creds: &Credentials, at: SystemTime) -> Duration {
        creds.expiration.duration_since(at).unwrap()
    }

    #[test]
    fn renewal_ahead_leads_the_latest_renewal_by_five_minutes_or_a_tenth_of_the_life() {
        let margin = Duration::from_secs(15 * 60); // the defaults' max(refresh_before, min_ttl)
        // An hour: the latest renewal 15 min before the expiry, ahead 20 min before.
        let hour = lasting(Duration::from_secs(3600));
        assert_eq!(
            before_expiry(&hour, hour.renew_at(margin)).as_secs(),
            15 * 60
        );
        assert_eq!(
            before_expiry(&hour, hour.renew_ahead_at(margin)).as_secs(),
            20 * 60
        );
        // Twelve hours: the same, the lead stays 5 minutes.
        let long = lasting(Duration::from_secs(12 * 3600));
        assert_eq!(
            before_expiry(&long, long.renew_ahead_at(margin)).as_secs(),
            20 * 60
        );
        // Two minutes: the margin is capped at half (60 s), the lead at a
        // tenth (12 s).
        let short = lasting(Duration::from_secs(120));
        assert_eq!(before_expiry(&short, short.renew_at(margin)).as_secs(), 60);
        assert_eq!(
            before_expiry(&short, short.renew_ahead_at(margin)).as_secs(),
            72
        );
        assert!(
            short.renew_ahead_at(margin) > short.issued_at,
            "after they were issued"
        );
    }
}
