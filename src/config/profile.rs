//! SSO settings out of the AWS config file, following botocore's rules.
//!
//! A profile is an SSO profile when it names an `sso_session` (whose
//! `[sso-session NAME]` section holds the start URL, region and scopes) or,
//! in the legacy form, carries `sso_start_url` and `sso_region` itself. A key
//! set in both a profile and its session must agree: botocore refuses the
//! profile otherwise, and so does ssoenv, so that both tools always talk to
//! the same portal with the same token.
//!
//! A profile with `role_arn` is assumed from its `source_profile`, any number
//! of hops deep, until an SSO profile ends the chain (botocore's order: the
//! assume-role provider wins over the SSO keys of the same profile).

use super::aws_config::{self, AwsConfig, Section};
use super::fields::Key;
use super::source::{Located, Location};
use super::synced::SyncedRole;
use super::{RoleHop, SsoSession};
use crate::error::Result;

/// What a profile asks for.
#[derive(Debug, Clone)]
pub(crate) struct ProfileSso {
    pub session: SsoSession,
    pub account_id: String,
    pub role_name: String,
    /// The named profile's `region`, if it has one.
    pub region: Option<String>,
    /// The `role_arn` hops from the SSO profile to the named one.
    pub chain: Vec<RoleHop>,
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

/// Resolves profile `name`, following `role_arn` + `source_profile` to the
/// SSO profile the chain starts from, as the AWS CLI does. `named_by` is
/// where a `.awssso.toml` asked for it, so a missing profile is reported there.
pub(crate) fn resolve(
    config: &AwsConfig,
    name: &str,
    named_by: Option<&Location>,
) -> Result<ProfileSso> {
    let top = config
        .profile(name)
        .ok_or_else(|| aws_config::missing_profile(config, name, named_by))?;
    // The named profile's region, as botocore takes it for the whole chain.
    let region = top.get(Key::Region)?.map(|region| region.value);
    let mut chain = Vec::new();
    let mut visited = vec![top.title.clone()];
    let mut section = top;
    while let Some(role_arn) = section.get(Key::RoleArn)? {
        let source = source_profile(section)?;
        chain.push(RoleHop {
            role_arn: role_arn.value,
            session_name: section.get(Key::RoleSessionName)?.map(|v| v.value),
            external_id: section.get(Key::ExternalId)?.map(|v| v.value),
            duration_seconds: section.duration_seconds()?,
        });
        let next = config.profile(&source.value).ok_or_else(|| {
            source.at.error(format!(
                "source_profile {:?} of {} is not in {} — fix the name, or add the SSO profile the chain starts from",
                source.value, section.title, config.name
            ))
        })?;
        let looped = visited.contains(&next.title);
        visited.push(next.title.clone());
        if looped {
            return Err(source.at.error(format!(
                "source_profile makes a loop: {} — end the chain at an SSO profile",
                visited.join(" → ")
            )));
        }
        section = next;
    }
    // Collected from the named profile down to its source: hops run the other way.
    chain.reverse();
    let (session, account_id, role_name) = sso_role(config, section)?;
    Ok(ProfileSso {
        session,
        account_id,
        role_name,
        region,
        chain,
    })
}

/// The `source_profile` of a profile that has `role_arn`. ssoenv starts
/// every chain at an SSO profile, so the other ways the AWS CLI knows are
/// refused here with what to write instead.
fn source_profile(section: &Section) -> Result<Located<String>> {
    if let Some(credential_source) = section.raw("credential_source")? {
        return Err(credential_source.at.error(format!(
            "credential_source = {} in {}: ssoenv starts every role chain at an SSO profile — use source_profile = NAME of an SSO profile instead",
            credential_source.value, section.title
        )));
    }
    if let Some(mfa) = section.raw("mfa_serial")? {
        return Err(mfa.at.error(format!(
            "mfa_serial in {}: ssoenv renews credentials at the prompt, where it cannot ask for an MFA code — assume this role with the AWS CLI instead, or use a role without an MFA condition",
            section.title
        )));
    }
    match section.raw("source_profile")? {
        Some(source) if !source.value.is_empty() => Ok(source),
        _ => Err(section.at.error(format!(
            "{} has role_arn but no source_profile — add source_profile = NAME of the SSO profile the role is assumed from",
            section.title
        ))),
    }
}

/// The session, account and role of a profile that `ssoenv profiles sync
/// --credential-process` wrote: it holds no SSO keys (the AWS tools would
/// use them before the process), only the process line that names them.
pub(crate) fn synced_process_role(section: &Section) -> Result<Option<SyncedRole>> {
    if section.has(Key::Session) || section.has(Key::StartUrl) || section.has(Key::AccountId) {
        return Ok(None);
    }
    Ok(section
        .raw("credential_process")?
        .and_then(|line| SyncedRole::read(&line.value)))
}

/// The SSO session, account and permission set of an SSO profile.
fn sso_role(config: &AwsConfig, section: &Section) -> Result<(SsoSession, String, String)> {
    if let Some(synced) = synced_process_role(section)? {
        let session = session_section(config, &synced.session)?.ok_or_else(|| {
            section.at.error(format!(
                "{}'s credential_process names [sso-session {}], which is not in {} — run 'ssoenv profiles sync' again",
                section.title, synced.session, config.name
            ))
        })?;
        let session = SsoSession {
            name: Some(synced.session),
            start_url: session.start_url.value,
            region: session.region.value,
            scopes: session.scopes,
        };
        return Ok((session, synced.account_id, synced.role_name));
    }
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
    match (account_id, role_name) {
        (Some(account_id), Some(role_name)) => Ok((session, account_id.value, role_name.value)),
        (account_id, _) => {
            let missing = if account_id.is_some() {
                "sso_role_name"
            } else if section.has(Key::RoleName) {
                "sso_account_id"
            } else {
                "sso_account_id and sso_role_name"
            };
            Err(section.at.error(format!(
                "{} has no {missing}, so it can sign in but not pick a role — add it (aws configure sso writes both)",
                section.title
            )))
        }
    }
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
