//! `token_store = "keyring"`: the secrets of a sign-in — the refresh token,
//! the client secret and the client registration — in the OS credential
//! store, and in the AWS CLI's cache file only what the AWS CLI needs to
//! *use* the access token (`startUrl`, `region`, `accessToken`,
//! `expiresAt`): `aws` and boto3 work for the token's hour, and nothing on
//! disk can mint a new one.
//!
//! Items are service `ssoenv`, account the session's name (or start URL
//! for a session without one), so that a user finds them in Seahorse,
//! Keychain Access or Credential Manager. What they hold is JSON, split
//! over several items (`dev`, `dev #2`, …) when it is larger than
//! Credential Manager takes in one blob.
//!
//! The store is opened only when a secret is needed: to sign in, to sign
//! out, and for a refresh. Reading the access token never opens it. Every
//! call is bounded in time, and a store that would ask the user (a locked
//! collection, a dialog) is not asked outside `ssoenv login`: the caller
//! gets "keyring locked" instead.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::aws_cli_cache::{AwsCliCache, cache_path};
use super::{PendingSave, SsoToken, TokenStore};
use crate::config::{self, SsoSession};
use crate::error::{Error, Result};
use crate::platform::{self, CredentialItems, StoreProblem};
use crate::{fsutil, paths, timefmt};

/// The service every item of ssoenv is filed under.
pub const SERVICE: &str = "ssoenv";

/// Credential Manager's limit on one item's secret (`CRED_MAX_CREDENTIAL_BLOB_SIZE`).
pub const ITEM_LIMIT: usize = 2560;

/// How long one use of the store may take when the caller has no deadline
/// of its own, or a later one.
const STORE_TIMEOUT: Duration = Duration::from_secs(10);

/// The OS keyring as a [`TokenStore`].
pub struct Keyring;

/// What the keyring keeps for one session. Debug shows no secret.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Secrets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// When the client registration expires (the AWS CLI's time format).
    pub registration_expires_at: String,
    /// The scopes the client was registered with.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("registration_expires_at", &self.registration_expires_at)
            .field("scopes", &self.scopes)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl TokenStore for Keyring {
    /// The cache file, as it is: stripped (the secrets are in the
    /// keyring, see [`TokenStore::complete`]), or still whole when the
    /// setting was switched on since it was written.
    fn load(&self, session: &SsoSession) -> Result<Option<SsoToken>> {
        AwsCliCache.load(session)
    }

    /// The secrets go to the keyring first: when it cannot take them,
    /// nothing is written to disk in its place.
    fn save(&self, session: &SsoSession, token: &SsoToken) -> Result<()> {
        store_secrets(session, token, ask_user_at_login())?;
        AwsCliCache.save(session, &stripped(token))?;
        remove_registration_file(session)
    }

    /// The keyring is asked before the refresh is sent (it must take the
    /// refresh token the answer may rotate), and the file staged.
    fn prepare_save(&self, session: &SsoSession) -> Result<Box<dyn PendingSave>> {
        in_store(false, None, |_| Ok(()))?;
        let staged = fsutil::StagedReplace::new(&cache_path(session)?)?;
        Ok(Box::new(StagedKeyringSave {
            session: session.clone(),
            staged,
        }))
    }

    /// The file and the items, and the client registration's file if the
    /// AWS CLI left one. A keyring that cannot be reached is an error
    /// after the files are gone: the items are still there.
    fn remove(&self, session: &SsoSession) -> Result<bool> {
        let file = AwsCliCache.remove(session)?;
        remove_registration_file(session)?;
        let owned = session.clone();
        let items = in_store(ask_user_at_login(), None, move |items| {
            delete_items(items, &owned)
        })?;
        Ok(file || items)
    }

    fn watched_file(&self, session: &SsoSession) -> Result<std::path::PathBuf> {
        AwsCliCache.watched_file(session)
    }

    /// Whether the token may be refreshed is known once the keyring is
    /// open: a stripped file says nothing about it.
    fn may_refresh(&self, _token: &SsoToken) -> bool {
        true
    }

    /// A token whose file still holds its grant (written before the
    /// setting was on) is used as it is: its refresh moves it. Otherwise
    /// the grant comes from the keyring.
    fn complete(
        &self,
        session: &SsoSession,
        mut token: SsoToken,
        deadline: Instant,
    ) -> Result<SsoToken> {
        if token.refresh_grant().is_some() {
            return Ok(token);
        }
        if let Some(secrets) = load_secrets(session, false, Some(deadline))? {
            token.client_id = Some(secrets.client_id);
            token.client_secret = Some(secrets.client_secret);
            token.registration_expires_at = timefmt::parse_utc(&secrets.registration_expires_at);
            token.refresh_token = secrets.refresh_token;
        }
        Ok(token)
    }
}

/// A refresh's rewrite: the keyring, then the stripped file.
struct StagedKeyringSave {
    session: SsoSession,
    staged: fsutil::StagedReplace,
}

impl PendingSave for StagedKeyringSave {
    fn commit(self: Box<Self>, token: &SsoToken) -> Result<()> {
        store_secrets(&self.session, token, false)?;
        let json = serde_json::to_vec_pretty(&stripped(token))
            .map_err(|e| Error::new(format!("cannot encode the SSO token cache: {e}")))?;
        self.staged.commit(&json)?;
        // A sign-in from before the setting was on left its client secret
        // there too.
        remove_registration_file(&self.session)
    }
}

/// `token` without anything that can mint a new one: what the AWS CLI's
/// file keeps.
fn stripped(token: &SsoToken) -> SsoToken {
    SsoToken {
        start_url: token.start_url.clone(),
        region: token.region.clone(),
        access_token: token.access_token.clone(),
        expires_at: token.expires_at,
        client_id: None,
        client_secret: None,
        registration_expires_at: None,
        refresh_token: None,
        other: serde_json::Map::new(),
    }
}

/// Writes the secrets of `token` to the keyring (or removes the items,
/// for a token without a client registration).
fn store_secrets(session: &SsoSession, token: &SsoToken, ask_user: bool) -> Result<()> {
    let secrets = match (
        &token.client_id,
        &token.client_secret,
        token.registration_expires_at,
    ) {
        (Some(client_id), Some(client_secret), Some(expires_at)) => Some(Secrets {
            refresh_token: token.refresh_token.clone(),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            registration_expires_at: timefmt::format_utc(expires_at),
            scopes: session.registration_scopes(),
        }),
        _ => None,
    };
    let session = session.clone();
    in_store(ask_user, None, move |items| match &secrets {
        Some(secrets) => write_items(items, &session, secrets),
        None => delete_items(items, &session).map(|_| ()),
    })
}

/// The secrets the keyring holds for `session`, if any.
pub fn load_secrets(
    session: &SsoSession,
    ask_user: bool,
    deadline: Option<Instant>,
) -> Result<Option<Secrets>> {
    let session = session.clone();
    in_store(ask_user, deadline, move |items| read_items(items, &session))
}

/// Whether `ssoenv login` (and `logout`, which the user also runs at a
/// terminal) may let the store ask the user: on macOS, a dialog to unlock
/// the Keychain. The Secret Service is never asked to unlock.
fn ask_user_at_login() -> bool {
    true
}

/// The account of part `index` (0-based) of `session`'s items.
fn account(session: &SsoSession, index: usize) -> String {
    let key = session.cache_key();
    if index == 0 {
        key.to_owned()
    } else {
        format!("{key} #{}", index + 1)
    }
}

/// What users see next to the item in Seahorse.
fn label(session: &SsoSession, index: usize) -> String {
    let part = if index == 0 {
        String::new()
    } else {
        format!(", part {}", index + 1)
    };
    format!(
        "ssoenv: SSO session {} ({}){part}",
        session.cache_key(),
        session.portal_host()
    )
}

/// `payload` in pieces that each fit [`ITEM_LIMIT`], the first one led by
/// how many there are (`2\n{...`).
pub fn split(payload: &[u8]) -> Vec<Vec<u8>> {
    // The count line takes at most a few bytes of the first piece.
    const HEADER_ROOM: usize = 16;
    let first_room = ITEM_LIMIT - HEADER_ROOM;
    let rest = payload.get(first_room..).unwrap_or_default();
    let count = 1 + rest.len().div_ceil(ITEM_LIMIT);
    let mut first = format!("{count}\n").into_bytes();
    first.extend_from_slice(&payload[..payload.len().min(first_room)]);
    let mut parts = vec![first];
    parts.extend(rest.chunks(ITEM_LIMIT).map(<[u8]>::to_vec));
    parts
}

/// How many pieces the first one says there are, and its payload.
fn parse_first(first: &[u8]) -> Option<(usize, &[u8])> {
    let newline = first.iter().position(|b| *b == b'\n')?;
    let count = std::str::from_utf8(&first[..newline]).ok()?.parse().ok()?;
    Some((count, &first[newline + 1..]))
}

fn write_items(
    items: &CredentialItems,
    session: &SsoSession,
    secrets: &Secrets,
) -> std::result::Result<(), StoreProblem> {
    let payload = serde_json::to_vec(secrets)
        .map_err(|e| StoreProblem::Failed(format!("cannot encode the secrets: {e}")))?;
    let parts = split(&payload);
    // The later parts first: the first one, which counts them, last.
    for (index, part) in parts.iter().enumerate().rev() {
        items.write(
            SERVICE,
            &account(session, index),
            &label(session, index),
            part,
        )?;
    }
    // Parts a longer, earlier sign-in left.
    let mut index = parts.len();
    while items.delete(SERVICE, &account(session, index))? {
        index += 1;
    }
    Ok(())
}

fn read_items(
    items: &CredentialItems,
    session: &SsoSession,
) -> std::result::Result<Option<Secrets>, StoreProblem> {
    let Some(first) = items.read(SERVICE, &account(session, 0))? else {
        return Ok(None);
    };
    let damaged = || StoreProblem::Failed("the keyring item is damaged".to_owned());
    let (count, head) = parse_first(&first).ok_or_else(damaged)?;
    let mut payload = head.to_vec();
    for index in 1..count {
        let part = items
            .read(SERVICE, &account(session, index))?
            .ok_or_else(damaged)?;
        payload.extend_from_slice(&part);
    }
    serde_json::from_slice(&payload)
        .map(Some)
        .map_err(|_| damaged())
}

fn delete_items(
    items: &CredentialItems,
    session: &SsoSession,
) -> std::result::Result<bool, StoreProblem> {
    let mut index = 0;
    while items.delete(SERVICE, &account(session, index))? {
        index += 1;
    }
    Ok(index > 0)
}

/// The AWS CLI's client registration file of `session`, which holds the
/// client secret: with the keyring on, the registration is in the
/// keyring, and the AWS CLI registers anew when it needs one.
fn remove_registration_file(session: &SsoSession) -> Result<()> {
    fsutil::remove_if_exists(&super::registration_cache_path(session)?).map(|_| ())
}

/// Runs `work` with the OS credential store in a thread of its own, and
/// gives up waiting at `deadline` (or after [`STORE_TIMEOUT`]): a store
/// that hangs (a D-Bus service that never answers, a dialog nobody sees)
/// must not hang a prompt. The thread is left to finish on its own.
fn in_store<T: Send + 'static>(
    ask_user: bool,
    deadline: Option<Instant>,
    work: impl FnOnce(&CredentialItems) -> std::result::Result<T, StoreProblem> + Send + 'static,
) -> Result<T> {
    let limit = Instant::now()
        + if ask_user {
            LOGIN_TIMEOUT
        } else {
            STORE_TIMEOUT
        };
    let deadline = deadline.map_or(limit, |deadline| deadline.min(limit));
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".to_owned())
        .spawn(move || {
            let _ = sender.send(platform::with_credential_store(ask_user, work));
        })
        .map_err(|e| Error::new(format!("cannot start a thread for the keyring: {e}")))?;
    let wait = deadline.saturating_duration_since(Instant::now());
    match receiver.recv_timeout(wait) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(problem)) => Err(problem_error(&problem)),
        Err(_) => Err(Error::login_required(format!(
            "the keyring did not answer within {} — check that it runs and is unlocked, then run 'ssoenv login'",
            humantime::format_duration(Duration::from_secs(wait.as_secs().max(1)))
        ))),
    }
}

/// How long `ssoenv login` waits for the store, which may show a dialog.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(120);

/// A [`StoreProblem`] as the one-line error users see. They are all
/// "login required": a prompt says them once and waits for a login.
fn problem_error(problem: &StoreProblem) -> Error {
    let setting = setting_source();
    match problem {
        StoreProblem::Locked => {
            Error::login_required("keyring locked — unlock it, then run 'ssoenv login'".to_owned())
        }
        StoreProblem::Missing(why) => Error::login_required(format!(
            "{setting} asks for the OS keyring, but there is none to use: {why} — start one (a desktop session's keyring, or gnome-keyring-daemon), or remove the setting"
        )),
        StoreProblem::Failed(why) => Error::login_required(format!(
            "the OS keyring failed ({why}) — check it (e.g. in Seahorse, Keychain Access or Credential Manager), then run 'ssoenv login'"
        )),
    }
}

/// Where `token_store = "keyring"` came from, for messages.
fn setting_source() -> String {
    if std::env::var_os(config::TOKEN_STORE_VAR).is_some_and(|v| !v.is_empty()) {
        format!("{}=keyring", config::TOKEN_STORE_VAR)
    } else {
        let file = paths::user_config_file()
            .map(|path| paths::display(&path))
            .unwrap_or_else(|_| "config.toml".to_owned());
        format!("token_store = \"keyring\" in {file}")
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    #[test]
    fn small_payloads_take_one_item() {
        let parts = split(b"{\"a\":1}");
        assert_eq!(parts, vec![b"1\n{\"a\":1}".to_vec()]);
        assert_eq!(parse_first(&parts[0]), Some((1, &b"{\"a\":1}"[..])));
    }

    #[test]
    fn large_payloads_are_split_under_the_credential_manager_limit() {
        let payload: Vec<u8> = (0..7000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let parts = split(&payload);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|part| part.len() <= ITEM_LIMIT));
        let (count, head) = parse_first(&parts[0]).unwrap();
        assert_eq!(count, parts.len());
        let mut joined = head.to_vec();
        for part in &parts[1..] {
            joined.extend_from_slice(part);
        }
        assert_eq!(joined, payload);
    }

    /// The store of the system, for real: on Windows (and under Wine, see
    /// tests/windows.rs) Credential Manager, with secrets larger than one
    /// credential's blob split over several and joined again.
    #[cfg(windows)]
    #[test]
    fn credential_manager_round_trip_of_split_items() {
        let session = SsoSession {
            name: Some(format!("round-trip-{}", std::process::id())),
            start_url: "https://d-0000000000.awsapps.com/start".to_owned(),
            region: "us-east-1".to_owned(),
            scopes: Vec::new(),
        };
        let secrets = Secrets {
            refresh_token: Some("r".repeat(4000)),
            client_id: "client".to_owned(),
            client_secret: "s".repeat(1500),
            registration_expires_at: "2030-01-01T00:00:00Z".to_owned(),
            scopes: vec!["sso:account:access".to_owned()],
        };
        let read = |session: &SsoSession| {
            let session = session.clone();
            platform::with_credential_store(false, move |items| read_items(items, &session))
        };
        assert_eq!(read(&session).unwrap().map(|s| s.client_id), None);
        let (writer, deleter) = (session.clone(), session.clone());
        let written = secrets.clone();
        platform::with_credential_store(false, move |items| write_items(items, &writer, &written))
            .unwrap();
        let back = read(&session).unwrap().expect("the items are there");
        assert_eq!(back.refresh_token, secrets.refresh_token);
        assert_eq!(back.client_secret, secrets.client_secret);
        // Three items: the JSON is over twice the limit.
        let third = account(&session, 2);
        assert!(
            platform::with_credential_store(false, move |items| items.read(SERVICE, &third))
                .unwrap()
                .is_some()
        );
        assert!(
            platform::with_credential_store(false, move |items| delete_items(items, &deleter))
                .unwrap()
        );
        assert_eq!(read(&session).unwrap().map(|s| s.client_id), None);
    }

    #[test]
    fn debug_hides_the_secrets() {
        let secrets = Secrets {
            refresh_token: Some("refresh-secret".to_owned()),
            client_id: "client-id-value".to_owned(),
            client_secret: "client-secret-value".to_owned(),
            registration_expires_at: "2030-01-01T00:00:00Z".to_owned(),
            scopes: vec!["sso:account:access".to_owned()],
        };
        let text = format!("{secrets:?}");
        assert!(
            !text.contains("secret-value")
                && !text.contains("refresh-secret")
                && !text.contains("client-id-value"),
            "{text}"
        );
    }

    #[test]
    fn the_file_keeps_only_what_uses_the_access_token() {
        let token = SsoToken {
            start_url: Some("https://x.awsapps.com/start".to_owned()),
            region: Some("us-east-1".to_owned()),
            access_token: "access".to_owned(),
            expires_at: SystemTime::now(),
            client_id: Some("id".to_owned()),
            client_secret: Some("secret".to_owned()),
            registration_expires_at: Some(SystemTime::now()),
            refresh_token: Some("refresh".to_owned()),
            other: serde_json::Map::new(),
        };
        let json: serde_json::Value = serde_json::to_value(stripped(&token)).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["accessToken", "expiresAt", "region", "startUrl"]);
    }
}
