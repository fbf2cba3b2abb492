//! Settings layers + the AWS config file → one [`Target`].
//!
//! Precedence, most specific first:
//! 1. the project's `.awssso.toml`;
//! 2. the profile it names (for `profile = "NAME"`; also `--profile`);
//! 3. the user-wide defaults file.
//!
//! A target is the SSO role plus the `role_arn` hops of the profile chain it
//! came from, then the hop of the project's own `role_arn` (or the
//! defaults', when the project has none).
//!
//! A project is in *profile mode* when it sets `profile`, or when it sets no
//! `sso_*` key and the defaults name a profile; otherwise it is *inline*. In
//! profile mode the defaults' `sso_*` keys are ignored, in inline mode the
//! defaults' `profile` is.
//!
//! The session keys (`sso_start_url`, `sso_region`, `sso_session`,
//! `sso_registration_scopes`) are inherited as a group: a project that sets
//! its own `sso_start_url` or `sso_session` belongs to a different session
//! than the defaults describe, and mixing, say, the defaults' session name with
//! the project's start URL would file one portal's token under another's name.

use std::path::Path;
use std::time::Duration;

use super::aws_config::AwsConfig;
use super::fields::Key;
use super::profile::{self, SessionSection};
use super::project::{self, Layer};
use super::source::{self, Located};
use super::{
    CredentialsMode, DEFAULT_MIN_TTL, DEFAULT_REFRESH_BEFORE, Env, RoleHop, SsoSession, Target,
    TokenStoreKind,
};
use crate::error::{Error, Result};

/// Reads and resolves the project file at `path`.
pub(crate) fn project_target(env: &Env, path: &Path) -> Result<Target> {
    let defaults = defaults(env)?;
    let name = env.display(path);
    let project = project::parse(&source::read_required(path, &name)?)?;
    if let Some((_, at)) = project.keys.iter().find(|(key, _)| *key == Key::TokenStore) {
        // Where the user's tokens are kept is not a repository's choice.
        return Err(at.error(format!(
            "token_store is a setting of the user, not of a project — remove it here, and set it in {}",
            env.user_config
                .as_deref()
                .map_or_else(|| "the user-wide config.toml".to_owned(), |p| env.display(p))
        )));
    }

    let profile = project.profile.clone().or_else(|| {
        // The defaults' profile only serves projects that name no SSO settings.
        project
            .first_sso_key()
            .is_none()
            .then(|| defaults.profile.clone())
            .flatten()
    });
    let (session, account_id, role_name, profile_region, mut chain) = match profile {
        Some(profile) => {
            let sso = profile::resolve(&aws_config(env)?, &profile.value, Some(&profile.at))?;
            (
                sso.session,
                sso.account_id,
                sso.role_name,
                sso.region,
                sso.chain,
            )
        }
        None => {
            let inline = Inline::inherit(&project, &defaults);
            let (session, account_id, role_name) = inline.resolve(env, &name)?;
            (session, account_id, role_name, None, Vec::new())
        }
    };
    chain.extend(own_hop(&project).or_else(|| own_hop(&defaults)));
    Ok(Target {
        session,
        account_id,
        role_name,
        chain,
        region: value(project.region.clone())
            .or(profile_region)
            .or(value(defaults.region.clone())),
        refresh_before: refresh_before(&project, &defaults),
        min_ttl: min_ttl(&project, &defaults),
        credentials: credentials_mode(&project, &defaults),
        origin: path.to_path_buf(),
    })
}

/// The SSO keys of an inline project after inheriting from the defaults,
/// each still knowing which file set it.
struct Inline {
    start_url: Option<Located<String>>,
    sso_region: Option<Located<String>>,
    session: Option<Located<String>>,
    scopes: Option<Located<Vec<String>>>,
    account_id: Option<Located<String>>,
    role_name: Option<Located<String>>,
}

impl Inline {
    /// Project values win; the session keys are inherited only as a group
    /// (see the module docs), account and role individually.
    fn inherit(project: &Layer, defaults: &Layer) -> Inline {
        let own_session = project.start_url.is_some() || project.session.is_some();
        fn pick<T: Clone>(own: &Option<T>, default: &Option<T>, inherit: bool) -> Option<T> {
            own.clone()
                .or_else(|| if inherit { default.clone() } else { None })
        }
        Inline {
            start_url: pick(&project.start_url, &defaults.start_url, !own_session),
            sso_region: pick(&project.sso_region, &defaults.sso_region, !own_session),
            session: pick(&project.session, &defaults.session, !own_session),
            scopes: pick(&project.scopes, &defaults.scopes, !own_session),
            account_id: pick(&project.account_id, &defaults.account_id, true),
            role_name: pick(&project.role_name, &defaults.role_name, true),
        }
    }

    /// The session, account and role. An `sso_session` that the AWS config
    /// defines supplies start URL, region and scopes (and must agree with any
    /// the files also set); one it does not define only names the token cache
    /// entry, shared with the AWS CLI.
    fn resolve(self, env: &Env, name: &str) -> Result<(SsoSession, String, String)> {
        let aws_name = aws_config_name(env);
        let section = match &self.session {
            Some(session) => profile::session_section(&aws_config(env)?, &session.value)?,
            None => None,
        };
        let (start_url, sso_region, scopes) = match &section {
            Some(section) => {
                agree(
                    Key::StartUrl,
                    &self.start_url,
                    &section.start_url,
                    section,
                    &aws_name,
                )?;
                agree(
                    Key::SsoRegion,
                    &self.sso_region,
                    &section.region,
                    section,
                    &aws_name,
                )?;
                let scopes = match self.scopes {
                    Some(own) if !section.scopes.is_empty() && own.value != section.scopes => {
                        return Err(own.at.error(format!(
                            "sso_registration_scopes differs from the scopes of {} in {aws_name} — remove it here (the session sets it), or make them match",
                            section.title
                        )));
                    }
                    // A session without scopes of its own takes the files' scopes.
                    own if section.scopes.is_empty() => value(own).unwrap_or_default(),
                    _ => section.scopes.clone(),
                };
                (
                    Some(section.start_url.value.clone()),
                    Some(section.region.value.clone()),
                    scopes,
                )
            }
            None => (
                value(self.start_url),
                value(self.sso_region),
                value(self.scopes).unwrap_or_default(),
            ),
        };

        let account_id = value(self.account_id);
        let role_name = value(self.role_name);
        let missing: Vec<&str> = [
            (Key::StartUrl, start_url.is_none()),
            (Key::SsoRegion, sso_region.is_none()),
            (Key::AccountId, account_id.is_none()),
            (Key::RoleName, role_name.is_none()),
        ]
        .into_iter()
        .filter_map(|(key, missing)| missing.then_some(key.name()))
        .collect();
        match (start_url, sso_region, account_id, role_name) {
            (Some(start_url), Some(region), Some(account_id), Some(role_name)) => Ok((
                SsoSession {
                    name: value(self.session),
                    start_url,
                    region,
                    scopes,
                },
                account_id,
                role_name,
            )),
            (start_url, sso_region, _, _) => {
                let why = match &self.session {
                    Some(session) if start_url.is_none() || sso_region.is_none() => {
                        format!(" ({aws_name} has no [sso-session {}])", session.value)
                    }
                    _ => String::new(),
                };
                Err(Error::new(format!(
                    "{name}: missing {}{why} — run `ssoenv init` here, or set profile = \"NAME\" to use a profile of {aws_name}",
                    join_and(&missing)
                )))
            }
        }
    }
}

/// Resolves profile `name` of the AWS config file (for `--profile`).
pub(crate) fn profile_target(env: &Env, name: &str) -> Result<Target> {
    let defaults = defaults(env)?;
    let aws = aws_config(env)?;
    let sso = profile::resolve(&aws, name, None)?;
    Ok(Target {
        session: sso.session,
        account_id: sso.account_id,
        role_name: sso.role_name,
        chain: sso.chain,
        region: sso.region.or(value(defaults.region.clone())),
        refresh_before: refresh_before(&Layer::default(), &defaults),
        min_ttl: min_ttl(&Layer::default(), &defaults),
        credentials: credentials_mode(&Layer::default(), &defaults),
        // Without a path the profile lookup above has already failed.
        origin: env.aws_config.clone().unwrap_or_default(),
    })
}

/// The `role_arn` hop one settings file asks for, with its own qualifiers:
/// like the session keys, they are inherited as a group, so a project's
/// role never takes the defaults' external id.
fn own_hop(layer: &Layer) -> Option<RoleHop> {
    let role_arn = layer.role_arn.clone()?;
    Some(RoleHop {
        role_arn: role_arn.value,
        session_name: value(layer.role_session_name.clone()),
        external_id: value(layer.external_id.clone()),
        duration_seconds: value(layer.duration_seconds.clone()),
    })
}

/// `token_store` of the user-wide defaults file, if it sets one.
pub(crate) fn token_store_setting(env: &Env) -> Result<Option<TokenStoreKind>> {
    Ok(defaults(env)?.token_store.map(|located| located.value))
}

/// The user-wide defaults file; empty when it does not exist.
fn defaults(env: &Env) -> Result<Layer> {
    let Some(path) = &env.user_config else {
        return Ok(Layer::default());
    };
    match source::read_optional(path, &env.display(path))? {
        Some(text) => project::parse(&text),
        None => Ok(Layer::default()),
    }
}

fn aws_config(env: &Env) -> Result<AwsConfig> {
    AwsConfig::load(env.aws_config.as_deref(), aws_config_name(env))
}

/// The AWS config file as messages name it.
fn aws_config_name(env: &Env) -> String {
    match &env.aws_config {
        Some(path) => env.display(path),
        None => "the AWS config file (set HOME or AWS_CONFIG_FILE)".to_owned(),
    }
}

fn refresh_before(project: &Layer, defaults: &Layer) -> Duration {
    project
        .refresh_before
        .as_ref()
        .or(defaults.refresh_before.as_ref())
        .map_or(DEFAULT_REFRESH_BEFORE, |located| located.value)
}

fn credentials_mode(project: &Layer, defaults: &Layer) -> CredentialsMode {
    project
        .credentials
        .as_ref()
        .or(defaults.credentials.as_ref())
        .map_or_else(CredentialsMode::default, |located| located.value)
}

fn min_ttl(project: &Layer, defaults: &Layer) -> Duration {
    project
        .min_ttl
        .as_ref()
        .or(defaults.min_ttl.as_ref())
        .map_or(DEFAULT_MIN_TTL, |located| located.value)
}

/// A key the settings files set must match what the `[sso-session]` says:
/// botocore rejects the same disagreement.
fn agree(
    key: Key,
    own: &Option<Located<String>>,
    from_session: &Located<String>,
    section: &SessionSection,
    aws_name: &str,
) -> Result<()> {
    match own {
        Some(own) if own.value != from_session.value => Err(own.at.error(format!(
            "{} {:?} differs from {:?} in {} of {} — remove it here (the session sets it), or make them match",
            key.name(),
            own.value,
            from_session.value,
            section.title,
            aws_name
        ))),
        _ => Ok(()),
    }
}

fn value<T>(located: Option<Located<T>>) -> Option<T> {
    located.map(|located| located.value)
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The SSO role `account_id`/`role_name` through `[sso-session NAME]` of the
/// AWS config file, with the user-wide defaults (for `credential-process
/// --sso-session`, which profiles written by `profiles sync` call).
pub(crate) fn session_role_target(
    env: &Env,
    session_name: &str,
    account_id: &str,
    role_name: &str,
) -> Result<Target> {
    let aws = aws_config(env)?;
    let section = profile::session_section(&aws, session_name)?.ok_or_else(|| {
        Error::new(format!(
            "there is no [sso-session {session_name}] in {} — add it (aws configure sso-session), or run 'ssoenv profiles sync' again",
            aws.name
        ))
    })?;
    let session = SsoSession {
        name: Some(session_name.to_owned()),
        start_url: section.start_url.value,
        region: section.region.value,
        scopes: section.scopes,
    };
    role_target(env, session, account_id, role_name)
}

/// The SSO role `account_id`/`role_name` of `session`, with the user-wide
/// defaults (region, renewal margins, credentials mode).
pub(crate) fn role_target(
    env: &Env,
    session: SsoSession,
    account_id: &str,
    role_name: &str,
) -> Result<Target> {
    for (flag, key, value) in [
        ("--account-id", Key::AccountId, account_id),
        ("--role-name", Key::RoleName, role_name),
    ] {
        super::fields::check(key, value)
            .map_err(|message| Error::new(format!("{flag}: {message}")))?;
    }
    let defaults = defaults(env)?;
    Ok(Target {
        session,
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
        chain: Vec::new(),
        region: value(defaults.region.clone()),
        refresh_before: refresh_before(&Layer::default(), &defaults),
        min_ttl: min_ttl(&Layer::default(), &defaults),
        credentials: credentials_mode(&Layer::default(), &defaults),
        origin: env.aws_config.clone().unwrap_or_default(),
    })
}

/// `region` of the user-wide defaults file, if it sets one.
pub(crate) fn default_region(env: &Env) -> Result<Option<String>> {
    Ok(value(defaults(env)?.region))
}
