//! Settings layers + the AWS config file → one [`Target`].
//!
//! Precedence, most specific first:
//! 1. the project's `.awssso.toml`;
//! 2. the profile it names (for `profile = "NAME"`; also `--profile`);
//! 3. the user-wide defaults file.
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
use super::{DEFAULT_REFRESH_BEFORE, Env, SsoSession, Target};
use crate::error::{Error, Result};

/// Reads and resolves the project file at `path`.
pub(crate) fn project_target(env: &Env, path: &Path) -> Result<Target> {
    let defaults = defaults(env)?;
    let name = env.display(path);
    let project = project::parse(&source::read_required(path, &name)?)?;

    let refresh_before = refresh_before(&project, &defaults);
    let profile_mode = project.profile.clone().or_else(|| {
        project
            .first_sso_key()
            .is_none()
            .then(|| defaults.profile.clone())
            .flatten()
    });
    if let Some(profile) = profile_mode {
        let aws = aws_config(env)?;
        let sso = profile::resolve(&aws, &profile.value, Some(&profile.at))?;
        return Ok(Target {
            session: sso.session,
            account_id: sso.account_id,
            role_name: sso.role_name,
            region: value(project.region)
                .or(sso.region)
                .or(value(defaults.region)),
            refresh_before,
            origin: path.to_path_buf(),
        });
    }

    let own_session = project.start_url.is_some() || project.session.is_some();
    let inherit = |own: Option<Located<String>>, default: &Option<Located<String>>| {
        own.or_else(|| if own_session { None } else { default.clone() })
    };
    let start_url = inherit(project.start_url.clone(), &defaults.start_url);
    let sso_region = inherit(project.sso_region.clone(), &defaults.sso_region);
    let session = inherit(project.session.clone(), &defaults.session);
    let scopes = project.scopes.clone().or_else(|| {
        if own_session {
            None
        } else {
            defaults.scopes.clone()
        }
    });
    let account_id = project.account_id.clone().or(defaults.account_id.clone());
    let role_name = project.role_name.clone().or(defaults.role_name.clone());

    // An `sso_session` that the AWS config defines supplies the session; one
    // it does not define only names the token cache entry.
    let aws_name = aws_config_name(env);
    let section = match &session {
        Some(session) => profile::session_section(&aws_config(env)?, &session.value)?,
        None => None,
    };
    let (start_url, sso_region, scopes) = match &section {
        Some(section) => {
            agree(
                Key::StartUrl,
                &start_url,
                &section.start_url,
                section,
                &aws_name,
            )?;
            agree(
                Key::SsoRegion,
                &sso_region,
                &section.region,
                section,
                &aws_name,
            )?;
            if let Some(own) = scopes
                .as_ref()
                .filter(|own| !section.scopes.is_empty() && own.value != section.scopes)
            {
                return Err(own.at.error(format!(
                    "sso_registration_scopes differs from the scopes of {} in {} — remove it here (the session sets it), or make them match",
                    section.title, aws_name
                )));
            }
            let scopes = if section.scopes.is_empty() {
                value(scopes).unwrap_or_default()
            } else {
                section.scopes.clone()
            };
            (
                Some(section.start_url.value.clone()),
                Some(section.region.value.clone()),
                scopes,
            )
        }
        None => (
            value(start_url),
            value(sso_region),
            value(scopes).unwrap_or_default(),
        ),
    };

    match (start_url, sso_region, value(account_id), value(role_name)) {
        (Some(start_url), Some(sso_region), Some(account_id), Some(role_name)) => Ok(Target {
            session: SsoSession {
                name: value(session),
                start_url,
                region: sso_region,
                scopes,
            },
            account_id,
            role_name,
            region: value(project.region).or(value(defaults.region)),
            refresh_before,
            origin: path.to_path_buf(),
        }),
        (start_url, sso_region, account_id, role_name) => {
            let missing: Vec<&str> = [
                (Key::StartUrl, start_url.is_none()),
                (Key::SsoRegion, sso_region.is_none()),
                (Key::AccountId, account_id.is_none()),
                (Key::RoleName, role_name.is_none()),
            ]
            .into_iter()
            .filter_map(|(key, missing)| missing.then_some(key.name()))
            .collect();
            let why = match (&session, start_url_or_region_missing(&missing)) {
                (Some(session), true) => {
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

/// Resolves profile `name` of the AWS config file (for `--profile`).
pub(crate) fn profile_target(env: &Env, name: &str) -> Result<Target> {
    let defaults = defaults(env)?;
    let aws = aws_config(env)?;
    let sso = profile::resolve(&aws, name, None)?;
    Ok(Target {
        session: sso.session,
        account_id: sso.account_id,
        role_name: sso.role_name,
        region: sso.region.or(value(defaults.region.clone())),
        refresh_before: refresh_before(&Layer::default(), &defaults),
        // Without a path the profile lookup above has already failed.
        origin: env.aws_config.clone().unwrap_or_default(),
    })
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

fn start_url_or_region_missing(missing: &[&str]) -> bool {
    missing
        .iter()
        .any(|key| *key == Key::StartUrl.name() || *key == Key::SsoRegion.name())
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
