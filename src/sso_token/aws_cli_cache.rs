//! The AWS CLI's SSO token cache, `~/.aws/sso/cache/<sha1>.json`, read and
//! written exactly as AWS CLI v2 and botocore do, so a login by either tool
//! serves the other: the token's format, and the store that keeps it there.

use std::fmt;
use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{PendingSave, REFRESH_WINDOW, TokenStore};
use crate::aws::RefreshGrant;
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::{fsutil, paths, timefmt};

/// `~/.aws/sso/cache/<sha1 hex of the session's cache key>.json`.
pub fn cache_path(session: &SsoSession) -> Result<PathBuf> {
    let hash = sha1_smol::Sha1::from(session.cache_key())
        .digest()
        .to_string();
    Ok(paths::sso_cache_dir()?.join(format!("{hash}.json")))
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

/// The AWS CLI's cache files: the whole token, secrets included, in the
/// file the AWS CLI and botocore read (the default store, which shares the
/// login with them).
pub struct AwsCliCache;

impl TokenStore for AwsCliCache {
    /// A file that does not parse is reported, since the fix (log in
    /// again) is the user's.
    fn load(&self, session: &SsoSession) -> Result<Option<SsoToken>> {
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

    fn save(&self, session: &SsoSession, token: &SsoToken) -> Result<()> {
        fsutil::write_private_atomic(&cache_path(session)?, &encode(token)?)
    }

    /// The rewrite is staged before a refresh is sent: OIDC may rotate the
    /// refresh token, and the one in the file is spent once it answers, so
    /// the new one must reach the file with as little as possible in
    /// between (see [`fsutil::StagedReplace`]).
    fn prepare_save(&self, session: &SsoSession) -> Result<Box<dyn PendingSave>> {
        let staged = fsutil::StagedReplace::new(&cache_path(session)?)?;
        Ok(Box::new(StagedFile(staged)))
    }

    fn remove(&self, session: &SsoSession) -> Result<bool> {
        fsutil::remove_if_exists(&cache_path(session)?)
    }

    fn watched_file(&self, session: &SsoSession) -> Result<PathBuf> {
        cache_path(session)
    }
}

impl AwsCliCache {
    /// Every token file of the cache with a start URL and a region, and
    /// the key it is filed under when that can be told: the start URL's
    /// own hash, else one of `names` whose hash names the file. Files that
    /// are not tokens (client registrations) or do not parse are skipped:
    /// they are someone else's business, not this listing's.
    pub fn tokens(&self, names: &[String]) -> Result<Vec<(Option<Filed>, SsoToken)>> {
        let dir = paths::sso_cache_dir()?;
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::new(format!(
                    "cannot read the SSO token cache {}: {e}",
                    paths::display(&dir)
                )));
            }
        };
        let hash = |key: &str| sha1_smol::Sha1::from(key).digest().to_string();
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            let Ok(Some(bytes)) = fsutil::read_private(&path) else {
                continue;
            };
            let Ok(token) = serde_json::from_slice::<SsoToken>(&bytes) else {
                continue;
            };
            let Some(start_url) = token.start_url.as_deref() else {
                continue;
            };
            let filed = if hash(start_url) == stem {
                Some(Filed::ByStartUrl)
            } else {
                names
                    .iter()
                    .find(|name| hash(name) == stem)
                    .map(|name| Filed::ByName(name.clone()))
            };
            found.push((filed, token));
        }
        Ok(found)
    }
}

/// What a token file's name is the hash of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    ByStartUrl,
    /// An `sso_session` name.
    ByName(String),
}

/// A rewrite of the cache file, staged (0600, atomically on commit).
struct StagedFile(fsutil::StagedReplace);

impl PendingSave for StagedFile {
    fn commit(self: Box<Self>, token: &SsoToken) -> Result<()> {
        self.0.commit(&encode(token)?)
    }
}

fn encode(token: &SsoToken) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(token)
        .map_err(|e| Error::new(format!("cannot encode the SSO token cache: {e}")))
}

/// The client registration cache file of `session`,
/// `~/.aws/sso/cache/<key>.json`, named as the AWS CLI names it.
pub fn registration_cache_path(session: &SsoSession) -> Result<PathBuf> {
    Ok(paths::sso_cache_dir()?.join(format!("{}.json", registration_cache_key(session))))
}

/// SHA-1 of `json.dumps({"tool": "botocore", "startUrl": .., "region": ..,
/// "scopes": .., "session_name": ..}, sort_keys=True)`, byte for byte as
/// Python writes it. The CLI passes the configured `sso_registration_scopes`
/// (null when there are none) and the session name (null for a profile
/// without an sso-session).
pub(crate) fn registration_cache_key(session: &SsoSession) -> String {
    let scopes = if session.scopes.is_empty() {
        "null".to_owned()
    } else {
        let items: Vec<String> = session.scopes.iter().map(|s| python_json_str(s)).collect();
        format!("[{}]", items.join(", "))
    };
    let session_name = session
        .name
        .as_deref()
        .map_or_else(|| "null".to_owned(), python_json_str);
    // Keys in sorted order: region, scopes, session_name, startUrl, tool.
    let text = format!(
        "{{\"region\": {}, \"scopes\": {scopes}, \"session_name\": {session_name}, \"startUrl\": {}, \"tool\": \"botocore\"}}",
        python_json_str(&session.region),
        python_json_str(&session.start_url),
    );
    sha1_smol::Sha1::from(text).digest().to_string()
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii=True`).
fn python_json_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: Option<&str>, scopes: &[&str]) -> SsoSession {
        SsoSession {
            name: name.map(str::to_owned),
            start_url: "https://d-abc123.awsapps.com/start".to_owned(),
            region: "us-east-1".to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn cache_key_matches_the_aws_cli() {
        // The reference's test vector: session dev, no scopes configured.
        assert_eq!(
            registration_cache_key(&session(Some("dev"), &[])),
            "f84477c4544ffee122d4e7b0f5d942797620c4b1"
        );
    }

    #[test]
    fn python_escapes_non_ascii_and_controls() {
        assert_eq!(python_json_str("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(python_json_str("é😀\u{1}"), r#""\u00e9\ud83d\ude00\u0001""#);
        assert_eq!(python_json_str("/x"), r#""/x""#);
    }
}
