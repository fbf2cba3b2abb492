//! Settings: what a directory (or a profile) asks for, resolved into a [`Target`].

use std::path::PathBuf;
use std::time::Duration;

/// The SSO session a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// `sso_session` name; when set, the AWS CLI token cache is keyed by it.
    pub name: Option<String>,
    pub start_url: String,
    /// The region of the Identity Center instance (portal + OIDC endpoints).
    pub region: String,
    /// `sso_registration_scopes`; empty means the default `sso:account:access`.
    pub scopes: Vec<String>,
}

/// Everything needed to obtain and export credentials for one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub session: SsoSession,
    pub account_id: String,
    pub role_name: String,
    /// `region`: exported as AWS_REGION and AWS_DEFAULT_REGION when set.
    pub region: Option<String>,
    /// Renew when less than this is left (default 10 minutes).
    pub refresh_before: Duration,
    /// The file the settings were read from (for messages).
    pub origin: PathBuf,
}

pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(600);
