//! The SSO session alone — no account, no role — for commands that come
//! before a project has a `.awssso.toml`: `list` and `init`.
//!
//! Where it comes from, first match wins:
//! 1. `--profile NAME`: that profile's session (its account and role, if any,
//!    are not needed);
//! 2. the user-wide defaults file: its `profile`, its `sso_session` (looked up
//!    in the AWS config file), or its `sso_start_url` + `sso_region`;
//! 3. the AWS config file's `[sso-session NAME]`, when there is exactly one.

use super::aws_config::{AwsConfig, Section};
use super::fields::Key;
use super::profile;
use super::project::{self, Layer};
use super::source::{self, Located};
use super::{Env, SsoSession};
use crate::error::{Error, Result};

/// A session and, for messages, where it was found.
#[derive(Debug, Clone)]
pub struct FoundSession {
    pub session: SsoSession,
    /// "profile dev-admin", "~/.config/ssoenv/config.toml", "[sso-session dev] of ~/.aws/config".
    pub from: String,
}

/// The session of profile `name` of the AWS config file.
pub fn profile_session(name: &str) -> Result<FoundSession> {
    profile_session_in(name, &Env::from_process())
}

/// The session `list` and `init` use when nothing more specific names one.
pub fn default_session() -> Result<FoundSession> {
    default_session_in(&Env::from_process())
}

/// What the configuration says about the default session: one, or nothing
/// at all — the case where a caller allowed to read the token cache may
/// look there instead (`ssoenv use` and `list` outside any project).
pub enum DefaultSession {
    Found(FoundSession),
    /// No file names a session; `defaults_file` is where to set one.
    Unconfigured {
        defaults_file: String,
    },
}

impl DefaultSession {
    /// The session, or the error that says how to configure one.
    pub fn required(self) -> Result<FoundSession> {
        match self {
            Self::Found(found) => Ok(found),
            Self::Unconfigured { defaults_file } => Err(Error::new(format!(
                "no SSO session is configured — set sso_start_url and sso_region (or sso_session) in {defaults_file}, or pass --profile NAME"
            ))),
        }
    }
}

/// [`default_session`], with nothing configured told apart from an error.
pub fn configured_default_session() -> Result<DefaultSession> {
    configured_default_session_in(&Env::from_process())
}

/// The AWS config file's `[sso-session NAME]`.
pub fn named_session(name: &str) -> Result<FoundSession> {
    let env = Env::from_process();
    let aws = load_aws(&env)?;
    let section = profile::session_section(&aws, name)?.ok_or_else(|| {
        let known = aws.sso_session_names();
        let hint = if known.is_empty() {
            "set one up with aws configure sso-session".to_owned()
        } else {
            format!("it has {}", known.join(", "))
        };
        Error::new(format!(
            "there is no [sso-session {name}] in {} — {hint}",
            aws.name
        ))
    })?;
    Ok(FoundSession {
        session: SsoSession {
            name: Some(name.to_owned()),
            start_url: section.start_url.value,
            region: section.region.value,
            scopes: section.scopes,
        },
        from: format!("{} of {}", section.title, aws.name),
    })
}

pub fn profile_session_in(name: &str, env: &Env) -> Result<FoundSession> {
    let aws = load_aws(env)?;
    let section = aws.profile(name).ok_or_else(|| {
        Error::new(format!(
            "there is no [profile {name}] in {} — check the name, or set it up with aws configure sso",
            aws.name
        ))
    })?;
    Ok(FoundSession {
        session: section_session(&aws, section)?,
        from: format!("profile {name}"),
    })
}

pub fn default_session_in(env: &Env) -> Result<FoundSession> {
    configured_default_session_in(env)?.required()
}

pub fn configured_default_session_in(env: &Env) -> Result<DefaultSession> {
    let defaults_name = env
        .user_config
        .as_deref()
        .map_or_else(|| "the ssoenv config file".to_owned(), |p| env.display(p));
    let defaults = match &env.user_config {
        Some(path) => match source::read_optional(path, &defaults_name)? {
            Some(text) => project::parse(&text)?,
            None => Layer::default(),
        },
        None => Layer::default(),
    };
    if let Some(profile) = &defaults.profile {
        return profile_session_in(&profile.value, env).map(DefaultSession::Found);
    }
    let aws = load_aws(env)?;
    if let Some(name) = &defaults.session
        && let Some(section) = profile::session_section(&aws, &name.value)?
    {
        return Ok(DefaultSession::Found(FoundSession {
            session: SsoSession {
                name: Some(name.value.clone()),
                start_url: section.start_url.value,
                region: section.region.value,
                scopes: section.scopes,
            },
            from: format!("{} of {}", section.title, aws.name),
        }));
    }
    if let (Some(start_url), Some(region)) = (&defaults.start_url, &defaults.sso_region) {
        return Ok(DefaultSession::Found(FoundSession {
            session: SsoSession {
                name: defaults.session.as_ref().map(|s| s.value.clone()),
                start_url: start_url.value.clone(),
                region: region.value.clone(),
                scopes: defaults
                    .scopes
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default(),
            },
            from: defaults_name,
        }));
    }
    let names = aws.sso_session_names();
    match names.as_slice() {
        [only] => {
            let section =
                profile::session_section(&aws, only)?.expect("the section was just listed");
            Ok(DefaultSession::Found(FoundSession {
                session: SsoSession {
                    name: Some((*only).to_owned()),
                    start_url: section.start_url.value,
                    region: section.region.value,
                    scopes: section.scopes,
                },
                from: format!("{} of {}", section.title, aws.name),
            }))
        }
        [] => Ok(DefaultSession::Unconfigured {
            defaults_file: defaults_name,
        }),
        several => Err(Error::new(format!(
            "{} has several sso-sessions ({}) — pass --profile NAME, or set sso_session = \"NAME\" in {defaults_name}",
            aws.name,
            several.join(", ")
        ))),
    }
}

fn load_aws(env: &Env) -> Result<AwsConfig> {
    let name = env.aws_config.as_deref().map_or_else(
        || "the AWS config file (set HOME or AWS_CONFIG_FILE)".to_owned(),
        |p| env.display(p),
    );
    AwsConfig::load(env.aws_config.as_deref(), name)
}

/// A profile's session: through `sso_session`, or the legacy inline keys.
fn section_session(aws: &AwsConfig, section: &Section) -> Result<SsoSession> {
    let synced_session = profile::synced_process_role(section)?.map(|synced| Located {
        value: synced.session,
        at: section.at.clone(),
    });
    if let Some(name) = section.get(Key::Session)?.or(synced_session) {
        let found = profile::session_section(aws, &name.value)?.ok_or_else(|| {
            name.at.error(format!(
                "there is no [sso-session {}] section in {} — add it (aws configure sso-session), or fix the name",
                name.value, aws.name
            ))
        })?;
        return Ok(SsoSession {
            name: Some(name.value),
            start_url: found.start_url.value,
            region: found.region.value,
            scopes: found.scopes,
        });
    }
    match (section.get(Key::StartUrl)?, section.get(Key::SsoRegion)?) {
        (Some(start_url), Some(region)) => Ok(SsoSession {
            name: None,
            start_url: start_url.value,
            region: region.value,
            scopes: Vec::new(),
        }),
        _ => Err(section.at.error(format!(
            "{} is not an SSO profile (it needs sso_session, or sso_start_url and sso_region) — set one up with aws configure sso",
            section.title
        ))),
    }
}
