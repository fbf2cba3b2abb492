//! The OIDC client registration sign-in needs, cached where and as the AWS
//! CLI v2 caches it (`~/.aws/sso/cache/<sha1>.json`, `clientId`,
//! `clientSecret`, `expiresAt`, `scopes`, `grantTypes`), so `aws sso login`
//! and `ssoenv login` reuse one registration instead of piling up new ones.
//!
//! One registration serves both flows: it names the authorization-code, the
//! device-code and the refresh-token grants and the loopback redirect URI.
//! A cached registration is reused until 15 minutes before it expires (the
//! CLI's margin) when it allows the grant the flow needs and has the scopes
//! asked for; otherwise a new one replaces it.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::aws::{self, Service};
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::sso_token::{self, RegistrationHome};
use crate::{fsutil, timefmt};

pub(crate) const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
pub(crate) const REFRESH_TOKEN_GRANT: &str = "refresh_token";
pub(crate) const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// What the AWS CLI registers; the port is chosen at login time.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";
/// The scope that makes OIDC issue refresh tokens.
pub const DEFAULT_SCOPE: &str = crate::config::DEFAULT_SCOPE;
/// Re-register when less than this is left, as the AWS CLI does.
const EXPIRY_MARGIN: Duration = Duration::from_secs(15 * 60);

/// Which grant the registration must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    AuthorizationCode,
    DeviceCode,
}

/// A client registration. Debug shows no secret.
#[derive(Clone)]
pub(crate) struct Registration {
    pub client_id: String,
    pub client_secret: String,
    pub expires_at: SystemTime,
    pub scopes: Vec<String>,
    /// `None`: registered without naming grants (the CLI's device-flow
    /// registrations), which OIDC reads as device code + refresh token.
    pub grant_types: Option<Vec<String>>,
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("expires_at", &timefmt::format_utc(self.expires_at))
            .field("scopes", &self.scopes)
            .field("grant_types", &self.grant_types)
            .finish_non_exhaustive()
    }
}

impl Registration {
    fn usable_for(&self, need: Need, scopes: &[String]) -> bool {
        let fresh = timefmt::remaining(self.expires_at) > EXPIRY_MARGIN;
        let allows = match (&self.grant_types, need) {
            (None, Need::DeviceCode) => true,
            (None, Need::AuthorizationCode) => false,
            (Some(grants), need) => grants.iter().any(|grant| match need {
                Need::AuthorizationCode => grant == AUTHORIZATION_CODE_GRANT,
                Need::DeviceCode => grant == DEVICE_CODE_GRANT || grant == "device_code",
            }),
        };
        fresh && allows && self.scopes == scopes
    }
}

/// The registration file as the AWS CLI writes it; fields we do not know are kept.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    client_id: String,
    client_secret: String,
    expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grant_types: Option<Vec<String>>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

/// The scopes to register: `sso_registration_scopes`, else `sso:account:access`.
pub(crate) fn scopes_for(session: &SsoSession) -> Vec<String> {
    session.registration_scopes()
}

/// `~/.aws/sso/cache/<key>.json`, named as the AWS CLI names it.
pub(crate) fn cache_path(session: &SsoSession) -> Result<PathBuf> {
    sso_token::registration_cache_path(session)
}

/// A registration for `session` allowing `need`: the cached one when it
/// still serves, otherwise a new one (then cached).
pub(crate) async fn obtain(
    session: &SsoSession,
    need: Need,
    deadline: Instant,
) -> Result<Registration> {
    let scopes = scopes_for(session);
    match sso_token::registration_home(session)? {
        RegistrationHome::AwsCliFile => {
            let path = cache_path(session)?;
            if let Some(cached) = load(&path)
                && cached.usable_for(need, &scopes)
            {
                return Ok(cached);
            }
            let registration = register(session, &scopes, deadline).await?;
            store(&path, &registration)?;
            Ok(registration)
        }
        // With the keyring on, the registration is kept with the token,
        // which sign-in stores when it has one: nothing on disk.
        RegistrationHome::Keyring(kept) => {
            if let Some(kept) = kept {
                let kept = Registration {
                    client_id: kept.client_id,
                    client_secret: kept.client_secret,
                    expires_at: kept.expires_at,
                    scopes: kept.scopes,
                    grant_types: Some(all_grants()),
                };
                if kept.usable_for(need, &scopes) {
                    return Ok(kept);
                }
            }
            register(session, &scopes, deadline).await
        }
    }
}

/// RegisterClient for every grant sign-in uses.
async fn register(
    session: &SsoSession,
    scopes: &[String],
    deadline: Instant,
) -> Result<Registration> {
    let endpoint = Service::Oidc.endpoint(&session.region);
    let client = aws::oidc_client(&session.region, &endpoint, deadline)?;
    let request = client
        .register_client()
        .client_name("ssoenv")
        .client_type("public")
        .set_scopes(Some(scopes.to_vec()))
        .grant_types(AUTHORIZATION_CODE_GRANT)
        .grant_types(REFRESH_TOKEN_GRANT)
        .grant_types(DEVICE_CODE_GRANT)
        .redirect_uris(REDIRECT_URI)
        .issuer_url(&session.start_url)
        .send();
    let output = aws::with_deadline(request, deadline, Service::Oidc, &endpoint)
        .await?
        .map_err(|err| aws::failure(&err).into_error(Service::Oidc, &endpoint))?;
    let (Some(client_id), Some(client_secret)) = (output.client_id, output.client_secret) else {
        return Err(aws::bad_answer(
            Service::Oidc,
            &endpoint,
            "no clientId or clientSecret from RegisterClient",
        ));
    };
    let expires_at = u64::try_from(output.client_secret_expires_at)
        .ok()
        .filter(|secs| *secs > 0)
        .map(timefmt::from_epoch_secs)
        .ok_or_else(|| {
            aws::bad_answer(
                Service::Oidc,
                &endpoint,
                "no clientSecretExpiresAt from RegisterClient",
            )
        })?;
    Ok(Registration {
        client_id,
        client_secret,
        expires_at,
        scopes: scopes.to_vec(),
        grant_types: Some(all_grants()),
    })
}

/// The grants ssoenv registers a client for.
fn all_grants() -> Vec<String> {
    vec![
        AUTHORIZATION_CODE_GRANT.to_owned(),
        REFRESH_TOKEN_GRANT.to_owned(),
        DEVICE_CODE_GRANT.to_owned(),
    ]
}

/// A cached registration; anything unreadable counts as none (a new
/// registration replaces it, no harm done).
fn load(path: &std::path::Path) -> Option<Registration> {
    let bytes = fsutil::read_private(path).ok()??;
    let file: CacheFile = serde_json::from_slice(&bytes).ok()?;
    Some(Registration {
        client_id: file.client_id,
        client_secret: file.client_secret,
        expires_at: timefmt::parse_utc(&file.expires_at)?,
        scopes: file.scopes.unwrap_or_default(),
        grant_types: file.grant_types,
    })
}

fn store(path: &std::path::Path, registration: &Registration) -> Result<()> {
    let file = CacheFile {
        client_id: registration.client_id.clone(),
        client_secret: registration.client_secret.clone(),
        expires_at: timefmt::format_utc(registration.expires_at),
        scopes: Some(registration.scopes.clone()),
        grant_types: registration.grant_types.clone(),
        other: serde_json::Map::new(),
    };
    let json = serde_json::to_vec_pretty(&file)
        .map_err(|e| Error::new(format!("cannot encode the client registration: {e}")))?;
    fsutil::write_private_atomic(path, &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration(grants: Option<&[&str]>, left: Duration) -> Registration {
        Registration {
            client_id: "id".to_owned(),
            client_secret: "secret".to_owned(),
            expires_at: SystemTime::now() + left,
            scopes: vec![DEFAULT_SCOPE.to_owned()],
            grant_types: grants.map(|g| g.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn reuse_rules() {
        let scopes = vec![DEFAULT_SCOPE.to_owned()];
        let day = Duration::from_secs(86400);
        let all = [
            AUTHORIZATION_CODE_GRANT,
            REFRESH_TOKEN_GRANT,
            DEVICE_CODE_GRANT,
        ];
        assert!(registration(Some(&all), day).usable_for(Need::AuthorizationCode, &scopes));
        assert!(registration(Some(&all), day).usable_for(Need::DeviceCode, &scopes));
        // The CLI's device-flow registration has no redirect URI.
        assert!(!registration(None, day).usable_for(Need::AuthorizationCode, &scopes));
        assert!(registration(None, day).usable_for(Need::DeviceCode, &scopes));
        let pkce_only = [AUTHORIZATION_CODE_GRANT, REFRESH_TOKEN_GRANT];
        assert!(!registration(Some(&pkce_only), day).usable_for(Need::DeviceCode, &scopes));
        // Expiring within the margin, or other scopes: register again.
        let soon = Duration::from_secs(600);
        assert!(!registration(Some(&all), soon).usable_for(Need::DeviceCode, &scopes));
        assert!(!registration(Some(&all), day).usable_for(Need::DeviceCode, &["x".to_owned()]));
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", registration(None, Duration::from_secs(60)));
        assert!(
            !text.contains("secret\"") && !text.contains("\"id\""),
            "{text}"
        );
    }
}
