//! SSO settings out of the AWS config file, following botocore's rules.
//!
//! A profile is an SSO profile when it names an `sso_session` (whose
//! `[sso-session NAME]` section holds the start URL, region and scopes) or,
//! in the legacy form, carries `sso_start_url` and `sso_region` itself. A key
//! set in both a profile and its session must agree: botocore refuses the
//! profile otherwise, and so does ssoenv, so that both tools always talk to
//! the same portal with the same token.

use super::SsoSession;
use super::aws_config::{self, AwsConfig, Section};
use super::fields::Key;
use super::source::{Located, Location};
use crate::error::Result;

/// What a profile asks for.
#[derive(Debug, Clone)]
pub(crate) struct ProfileSso {
    pub session: SsoSession,
    pub account_id: String,
    pub role_name: String,
    /// The profile's `region`, if it has one.
    pub region: Option<String>,
}

/// The session settings of an `[sso-session NAME]` section.
#[derive(Debug, Clone)]
pub(crate) struct SessionSection {
    pub title: String,
    pub start_url: Located<String>,
    pub region: Located<String>,
    pub scopes: Vec<String>,
}

/// Reads `[sso-session NAME]`: `Ok(None)` when there is no such section, an
/// error when it lacks what every session needs.
pub(crate) fn session_section(config: &AwsConfig, name: &str) -> Result<Option<SessionSection>> {
    let Some(section) = config.sso_session(name) else {
        return Ok(None);
    };
    let start_url = section.get(Key::StartUrl)?;
    let region = section.get(Key::SsoRegion)?;
    let scopes = section.scopes()?;
    match (start_url, region) {
        (Some(start_url), Some(region)) => Ok(Some(SessionSection {
            title: section.title.clone(),
            start_url,
            region,
            scopes,
        })),
        (start_url, _) => {
            let missing = if start_url.is_some() {
                "sso_region"
            } else if section.has(Key::SsoRegion) {
                "sso_start_url"
            } else {
                "sso_start_url and sso_region"
            };
            Err(section.at.error(format!(
                "{} has no {missing} — add it (aws configure sso-session writes both)",
                section.title
            )))
        }
    }
}

/// Resolves profile `name`. `named_by` is where a `.awssso.toml` asked for
/// it, so a missing profile is reported there.
pub(crate) fn resolve(
    config: &AwsConfig,
    name: &str,
    named_by: Option<&Location>,
) -> Result<ProfileSso> {
    let section = config
        .profile(name)
        .ok_or_else(|| aws_config::missing_profile(config, name, named_by))?;
    let own_start_url = section.get(Key::StartUrl)?;
    let own_region = section.get(Key::SsoRegion)?;

    let session = match section.get(Key::Session)? {
        Some(session_name) => {
            let Some(session) = session_section(config, &session_name.value)? else {
                return Err(session_name.at.error(format!(
                    "there is no [sso-session {}] section in {} — add it (aws configure sso-session), or fix the name",
                    session_name.value, config.name
                )));
            };
            for (key, own, from_session) in [
                (Key::StartUrl, &own_start_url, &session.start_url),
                (Key::SsoRegion, &own_region, &session.region),
            ] {
                if let Some(own) = own.as_ref().filter(|own| own.value != from_session.value) {
                    return Err(own.at.error(format!(
                        "{} {:?} of {} differs from {:?} in {} — remove it from the profile (the session sets it)",
                        key.name(),
                        own.value,
                        section.title,
                        from_session.value,
                        session.title
                    )));
                }
            }
            SsoSession {
                name: Some(session_name.value),
                start_url: session.start_url.value,
                region: session.region.value,
                scopes: session.scopes,
            }
        }
        None => legacy_session(section, own_start_url, own_region)?,
    };

    let account_id = section.get(Key::AccountId)?;
    let role_name = section.get(Key::RoleName)?;
    let (account_id, role_name) = match (account_id, role_name) {
        (Some(account_id), Some(role_name)) => (account_id.value, role_name.value),
        (account_id, _) => {
            let missing = if account_id.is_some() {
                "sso_role_name"
            } else if section.has(Key::RoleName) {
                "sso_account_id"
            } else {
                "sso_account_id and sso_role_name"
            };
            return Err(section.at.error(format!(
                "{} has no {missing}, so it can sign in but not pick a role — add it (aws configure sso writes both)",
                section.title
            )));
        }
    };
    Ok(ProfileSso {
        session,
        account_id,
        role_name,
        region: section.get(Key::Region)?.map(|region| region.value),
    })
}

/// A profile without `sso_session`: start URL and region written inline (the
/// pre-2022 form; its token is keyed by the start URL and cannot be refreshed).
fn legacy_session(
    section: &Section,
    start_url: Option<Located<String>>,
    region: Option<Located<String>>,
) -> Result<SsoSession> {
    match (start_url, region) {
        (Some(start_url), Some(region)) => Ok(SsoSession {
            name: None,
            start_url: start_url.value,
            region: region.value,
            scopes: Vec::new(),
        }),
        (Some(_), None) => Err(section.at.error(format!(
            "{} has sso_start_url but no sso_region — add sso_region, the region of your IAM Identity Center",
            section.title
        ))),
        (None, _) => Err(section.at.error(format!(
            "{} is not an SSO profile (it has neither sso_session nor sso_start_url) — use an SSO profile, or set one up with aws configure sso",
            section.title
        ))),
    }
}
