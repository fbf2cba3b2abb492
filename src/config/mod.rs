//! Settings: what a directory (or a profile) asks for, resolved into a [`Target`].
//!
//! Three files feed a [`Target`]: the project's `.awssso.toml`, the user-wide
//! defaults (`$XDG_CONFIG_HOME/ssoenv/config.toml`) and the AWS config file
//! (for `profile = "NAME"`, `--profile` and `[sso-session NAME]`). Every
//! problem is reported as one line, `file:line:col: what — how to fix it`,
//! with the home directory shown as `~`.
//!
//! The public functions read the process environment once and hand an [`Env`]
//! down; the `*_in` variants take the [`Env`] explicitly so that tests (which
//! run in parallel threads of one process) never have to touch `HOME`.
//!
//! - `project`: one TOML settings file → checked keys with locations;
//! - `aws_config`: the AWS CLI's INI file;
//! - `profile`: SSO profiles and sessions of that file, botocore's rules;
//! - `target`: how the layers combine (precedence, inheritance, conflicts);
//! - `fields`, `duration`: what each key accepts; `source`: positions.

mod aws_config;
mod duration;
mod fields;
mod profile;
mod project;
mod session;
mod source;
mod synced;
mod target;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use session::{
    DefaultSession, FoundSession, configured_default_session, configured_default_session_in,
    default_session, default_session_in, named_session, profile_session, profile_session_in,
};
pub use synced::{SyncedRole, is_profile_name_char};

use crate::error::{Error, Result};
use crate::paths;

/// Which settings a command uses when the current directory's are not
/// wanted: `--config FILE` or `--profile NAME` (the flags of every command
/// that acts for a directory).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Selection {
    /// Use this .awssso.toml instead of the one found above the current directory
    #[arg(long, value_name = "FILE", conflicts_with = "profile")]
    pub config: Option<PathBuf>,
    /// Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// The scope that makes OIDC issue refresh tokens.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// The SSO session a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SsoSession {
    /// `sso_session` name; when set, the AWS CLI token cache is keyed by it.
    pub name: Option<String>,
    pub start_url: String,
    /// The region of the Identity Center instance (portal + OIDC endpoints).
    pub region: String,
    /// `sso_registration_scopes`; empty means the default `sso:account:access`.
    pub scopes: Vec<String>,
}

impl SsoSession {
    /// How messages name the session: `'dev'`, or the start URL when it has no name.
    pub fn label(&self) -> String {
        self.name
            .as_deref()
            .map_or_else(|| self.start_url.clone(), |n| format!("'{n}'"))
    }

    /// What the session's caches are keyed by: its `sso_session` name when
    /// it has one, else its start URL — the AWS CLI's key for its token
    /// cache, and ssoenv's for the role credentials of the session.
    pub fn cache_key(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.start_url)
    }

    /// The scopes to register a client with: `sso_registration_scopes`,
    /// else [`DEFAULT_SCOPE`].
    pub fn registration_scopes(&self) -> Vec<String> {
        if self.scopes.is_empty() {
            vec![DEFAULT_SCOPE.to_owned()]
        } else {
            self.scopes.clone()
        }
    }

    /// The start URL's host (`d-1234567890.awsapps.com`): what tells one
    /// portal from another at a glance. The whole URL when it has none.
    pub fn portal_host(&self) -> &str {
        self.start_url
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(rest))
            .filter(|host| !host.is_empty())
            .unwrap_or(&self.start_url)
    }
}

/// Everything needed to obtain and export credentials for one place: a
/// source (the SSO role) plus zero or more `sts:AssumeRole` hops. It
/// crosses a pipe to `exec`'s helper process, hence serde.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    pub session: SsoSession,
    /// The SSO role's account and permission set: the source of the chain.
    pub account_id: String,
    pub role_name: String,
    /// Roles assumed one after the other, starting from the SSO role; the
    /// last one's credentials are what the target hands out.
    pub chain: Vec<RoleHop>,
    /// `region`: exported as AWS_REGION and AWS_DEFAULT_REGION when set.
    pub region: Option<String>,
    /// Renew when less than this is left (default 10 minutes).
    pub refresh_before: Duration,
    /// Before a command the shell runs, renew when less than this is left
    /// (default 15 minutes): a command started at the prompt should not
    /// run out of credentials minutes in.
    pub min_ttl: Duration,
    /// How the shell hook hands the credentials over.
    pub credentials: CredentialsMode,
    /// The file the settings were read from (for messages).
    #[serde(with = "path_as_bytes")]
    pub origin: PathBuf,
}

impl Target {
    /// How much must be left on credentials before a command starts:
    /// `refresh_before`, and `min_ttl` when that is more.
    pub fn command_margin(&self) -> Duration {
        self.refresh_before.max(self.min_ttl)
    }

    /// How messages name what this target hands out: `ACCOUNT/ROLE` of the
    /// last role (the SSO role's account and permission set without a chain).
    pub fn label(&self) -> String {
        let (account, role) = self.final_role();
        format!("{account}/{role}")
    }

    /// The account and role name whose credentials this target hands out.
    pub fn final_role(&self) -> (&str, &str) {
        match self.chain.last() {
            Some(hop) => (hop.account_id(), hop.role_name()),
            None => (&self.account_id, &self.role_name),
        }
    }

    /// The target one hop shorter: the source of the last hop. `None` for
    /// the SSO role itself.
    pub fn source(&self) -> Option<Target> {
        let (_, rest) = self.chain.split_last()?;
        let mut source = self.clone();
        source.chain = rest.to_vec();
        Some(source)
    }

    /// Where the credentials come from, in one line: the portal, the SSO
    /// role, and every role assumed after it, in order —
    /// `portal d-123.awsapps.com, SSO role 1111/Admin, then arn:…:role/Deploy`.
    pub fn route(&self) -> String {
        let mut route = format!(
            "portal {}, SSO role {}/{}",
            self.session.portal_host(),
            self.account_id,
            self.role_name
        );
        for hop in &self.chain {
            route.push_str(", then ");
            route.push_str(&hop.role_arn);
        }
        route
    }

    /// The SSO role at the root of the chain.
    pub fn sso_role(&self) -> Target {
        let mut root = self.clone();
        root.chain.clear();
        root
    }
}

/// One `sts:AssumeRole` call, with the AWS config file's key names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoleHop {
    /// `role_arn`, checked to be `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
    pub role_arn: String,
    /// `role_session_name`; `None` derives it from the SSO user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// `external_id`, when the role's trust policy asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// `duration_seconds` (900–3600); `None` lets STS choose (1 hour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
}

impl RoleHop {
    /// The account of `role_arn` (the fifth field).
    pub fn account_id(&self) -> &str {
        self.role_arn.split(':').nth(4).unwrap_or_default()
    }

    /// The role's name: the last segment of `role_arn`'s path.
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or_default()
    }
}

/// Checks a region code given on the command line (`--region`), with the
/// same rule and message as the `region` key.
pub fn check_region(value: &str) -> Result<()> {
    fields::check(fields::Key::Region, value).map_err(|message| Error::new(format!("--{message}")))
}

/// Whether STS accepts `c` in a role session name (`[\w+=,.@-]`).
pub fn is_role_session_char(c: char) -> bool {
    fields::is_iam_name_char(c)
}

/// A path of any bytes through serde (JSON strings must be UTF-8; paths
/// need not be).
mod path_as_bytes {
    use std::path::{Path, PathBuf};

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(path.as_os_str().as_encoded_bytes())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<PathBuf, D::Error> {
        let bytes = Vec::<u8>::deserialize(deserializer)?;
        Ok(PathBuf::from(crate::platform::os_string_from_bytes(bytes)))
    }
}

/// `credentials`: what the shell hook exports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CredentialsMode {
    /// The three static variables (`AWS_ACCESS_KEY_ID`, …), renewed at the
    /// prompt and before each command.
    #[default]
    Variables,
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and a token file, served by the
    /// per-user agent: SDK tools renew by themselves for as long as they run.
    Endpoint,
}

/// `token_store`: where the SSO token's secrets are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenStoreKind {
    /// The AWS CLI's cache files, whole: the login is shared with the AWS
    /// CLI and boto3, refresh token included.
    #[default]
    AwsCli,
    /// The refresh token and the client registration in the OS keyring;
    /// the AWS CLI's file keeps only the access token.
    Keyring,
}

/// The variable that sets `token_store` for one shell, over the file.
pub const TOKEN_STORE_VAR: &str = "SSOENV_TOKEN_STORE";

/// Where the user keeps SSO tokens: `SSOENV_TOKEN_STORE`, else
/// `token_store` of the user-wide defaults file, else the AWS CLI's files.
pub fn token_store() -> Result<TokenStoreKind> {
    token_store_in(&Env::from_process())
}

/// [`token_store`] with explicit file locations.
pub fn token_store_in(env: &Env) -> Result<TokenStoreKind> {
    if let Some(value) = std::env::var_os(TOKEN_STORE_VAR).filter(|v| !v.is_empty()) {
        let value = value.to_string_lossy();
        return fields::check_token_store(&value)
            .map_err(|message| Error::new(format!("{TOKEN_STORE_VAR}: {message}")));
    }
    Ok(target::token_store_setting(env)?.unwrap_or_default())
}

pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(600);

/// `min_ttl` when no file sets it.
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(900);

/// Where the settings files are, and what counts as home in messages.
///
/// `None` means the location could not be worked out (no `HOME` and no
/// override): a missing defaults file is simply absent, a missing AWS config
/// file reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// Shown as `~` in messages.
    pub home: Option<PathBuf>,
    /// The user-wide defaults file.
    pub user_config: Option<PathBuf>,
    /// The AWS config file.
    pub aws_config: Option<PathBuf>,
}

impl Env {
    /// The locations the process environment gives (`HOME`, `XDG_CONFIG_HOME`, `AWS_CONFIG_FILE`).
    pub fn from_process() -> Env {
        Env {
            home: paths::home().ok(),
            user_config: paths::user_config_file().ok(),
            aws_config: paths::aws_config_file().ok(),
        }
    }

    /// `path` as messages show it (`~/…` under home).
    pub fn display(&self, path: &Path) -> String {
        paths::display_from(path, self.home.as_deref())
    }
}

/// Read and resolve one .awssso.toml (merging user defaults, resolving `profile`).
pub fn load_project(path: &Path) -> Result<Target> {
    load_project_in(path, &Env::from_process())
}

/// Resolve a profile of the AWS config file.
pub fn load_profile(name: &str) -> Result<Target> {
    load_profile_in(name, &Env::from_process())
}

/// What commands with `--config FILE` / `--profile NAME` use: explicit file,
/// profile, or the nearest .awssso.toml above `cwd`.
pub fn resolve(source: &Selection, cwd: &Path) -> Result<Target> {
    resolve_in(source, cwd, &Env::from_process())
}

/// The SSO role `account_id`/`role_name` of the AWS config file's
/// `[sso-session NAME]`, with the user-wide defaults.
pub fn load_session_role(session_name: &str, account_id: &str, role_name: &str) -> Result<Target> {
    target::session_role_target(&Env::from_process(), session_name, account_id, role_name)
}

/// The SSO role `account_id`/`role_name` of `session`, with the user-wide defaults.
pub fn load_role(session: &SsoSession, account_id: &str, role_name: &str) -> Result<Target> {
    target::role_target(&Env::from_process(), session.clone(), account_id, role_name)
}

/// The user-wide defaults' `region`, if they set one.
pub fn default_region() -> Result<Option<String>> {
    target::default_region(&Env::from_process())
}

/// [`load_project`] with explicit file locations.
pub fn load_project_in(path: &Path, env: &Env) -> Result<Target> {
    target::project_target(env, path)
}

/// [`load_profile`] with explicit file locations.
pub fn load_profile_in(name: &str, env: &Env) -> Result<Target> {
    target::profile_target(env, name)
}

/// [`resolve`] with explicit file locations. A relative `--config` path is
/// taken relative to `cwd`; a directory stands for the `.awssso.toml` in it.
pub fn resolve_in(source: &Selection, cwd: &Path, env: &Env) -> Result<Target> {
    if let Some(config) = &source.config {
        let path = cwd.join(config);
        let path = if path.is_dir() {
            path.join(paths::PROJECT_FILE)
        } else {
            path
        };
        return load_project_in(&path, env);
    }
    if let Some(profile) = &source.profile {
        return load_profile_in(profile, env);
    }
    match paths::find_project_file(cwd) {
        Some(path) => load_project_in(&path, env),
        None => Err(Error::new(format!(
            "no {} in {} or any directory above it — run `ssoenv init` to create one, or pass --config FILE or --profile NAME",
            paths::PROJECT_FILE,
            env.display(cwd)
        ))),
    }
}
