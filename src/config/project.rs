//! One TOML settings file (`.awssso.toml` or the user-wide defaults file) → [`Layer`].
//!
//! The file is parsed into toml's spanned document tree rather than through a
//! serde struct, so every message can point at the exact key or value and say
//! something better than serde's generic "unknown field": the closest known
//! key, the quoting fix for an account id written as a number, and so on.
//! Only the checks that concern a single value (or a single file) happen
//! here; combining layers with the AWS config file is `target`'s job.

use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::fields::{self, Key};
use super::source::{Located, Location, SourceText};
use super::{CredentialsMode, TokenStoreKind, duration};
use crate::error::{Error, Result};

/// The keys one settings file sets, each with where it was set.
#[derive(Debug, Default, Clone)]
pub(crate) struct Layer {
    pub start_url: Option<Located<String>>,
    pub sso_region: Option<Located<String>>,
    pub account_id: Option<Located<String>>,
    pub role_name: Option<Located<String>>,
    pub session: Option<Located<String>>,
    pub scopes: Option<Located<Vec<String>>>,
    pub region: Option<Located<String>>,
    pub refresh_before: Option<Located<Duration>>,
    pub min_ttl: Option<Located<Duration>>,
    pub credentials: Option<Located<CredentialsMode>>,
    pub profile: Option<Located<String>>,
    pub role_arn: Option<Located<String>>,
    pub role_session_name: Option<Located<String>>,
    pub external_id: Option<Located<String>>,
    pub duration_seconds: Option<Located<u32>>,
    /// Only the user-wide defaults may set it (see `target`).
    pub token_store: Option<Located<TokenStoreKind>>,
    /// Every key set, in document order, with where the key (not the value)
    /// starts: conflicts between keys are reported at the key.
    pub keys: Vec<(Key, Location)>,
}

impl Layer {
    /// The `sso_*` key written first in this file, if any, and where its key starts.
    pub fn first_sso_key(&self) -> Option<&(Key, Location)> {
        self.keys.iter().find(|(key, _)| key.is_sso())
    }
}

/// Parses and checks one settings file. The first problem in document order
/// is reported, as `file:line:col: what — fix`.
pub(crate) fn parse(source: &SourceText) -> Result<Layer> {
    let document = DeTable::parse(&source.text).map_err(|err| syntax_error(source, &err))?;
    // The tree is a sorted map; walk it in the order the user wrote it so the
    // error reported is the first one in the file.
    let mut entries: Vec<_> = document.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);

    let mut layer = Layer::default();
    for (key, value) in entries {
        let name: &str = key.get_ref();
        let Some(known) = Key::from_name(name) else {
            return Err(source.location(key.span().start).error(unknown_key(name)));
        };
        set(&mut layer, known, value, source)?;
        layer.keys.push((known, source.location(key.span().start)));
    }

    if layer.role_arn.is_none()
        && let Some((key, at)) = layer.keys.iter().find(|(key, _)| key.qualifies_role_arn())
    {
        return Err(at.error(format!(
            "{} describes the role that role_arn names, but this file sets no role_arn — add role_arn = \"arn:aws:iam::ACCOUNT:role/NAME\", or remove the line",
            key.name()
        )));
    }
    if let (Some(profile), Some((key, at))) = (&layer.profile, layer.first_sso_key()) {
        return Err(at.error(format!(
            "{} cannot be combined with profile = {:?} — the profile supplies the SSO settings; remove one of the two",
            key.name(),
            profile.value
        )));
    }
    Ok(layer)
}

/// Checks one value and stores it in the layer.
fn set(
    layer: &mut Layer,
    key: Key,
    value: &Spanned<DeValue<'_>>,
    source: &SourceText,
) -> Result<()> {
    let at = source.location(value.span().start);
    let checked = |at: Location| -> Result<Option<Located<String>>> {
        let text = string(key, value, &at)?;
        fields::check(key, text).map_err(|message| at.error(message))?;
        Ok(Some(Located {
            value: text.to_owned(),
            at,
        }))
    };
    match key {
        Key::StartUrl => layer.start_url = checked(at)?,
        Key::SsoRegion => layer.sso_region = checked(at)?,
        Key::AccountId => layer.account_id = checked(at)?,
        Key::RoleName => layer.role_name = checked(at)?,
        Key::Session => layer.session = checked(at)?,
        Key::Region => layer.region = checked(at)?,
        Key::Profile => layer.profile = checked(at)?,
        Key::RoleArn => layer.role_arn = checked(at)?,
        Key::RoleSessionName => layer.role_session_name = checked(at)?,
        Key::ExternalId => layer.external_id = checked(at)?,
        Key::DurationSeconds => {
            let seconds = match value.get_ref() {
                DeValue::Integer(number) => i64::from_str_radix(number.as_str(), number.radix())
                    .map_err(|_| {
                        at.error("duration_seconds must be a whole number of seconds, e.g. 3600")
                    })?,
                other => {
                    return Err(at.error(format!(
                        "duration_seconds must be a number of seconds, got {} — write it without quotes: duration_seconds = 3600",
                        describe(other)
                    )));
                }
            };
            let seconds =
                fields::check_duration_seconds(seconds).map_err(|message| at.error(message))?;
            layer.duration_seconds = Some(Located { value: seconds, at });
        }
        Key::Scopes => {
            layer.scopes = Some(Located {
                value: scopes(value, source)?,
                at,
            });
        }
        Key::RefreshBefore => {
            let text = string(key, value, &at)?;
            let parsed =
                duration::parse(key.name(), text, "10m").map_err(|message| at.error(message))?;
            layer.refresh_before = Some(Located { value: parsed, at });
        }
        Key::Credentials => {
            let text = string(key, value, &at)?;
            let mode = fields::check_credentials_mode(text).map_err(|message| at.error(message))?;
            layer.credentials = Some(Located { value: mode, at });
        }
        Key::TokenStore => {
            let text = string(key, value, &at)?;
            let kind = fields::check_token_store(text).map_err(|message| at.error(message))?;
            layer.token_store = Some(Located { value: kind, at });
        }
        Key::MinTtl => {
            let text = string(key, value, &at)?;
            let parsed =
                duration::parse(key.name(), text, "15m").map_err(|message| at.error(message))?;
            layer.min_ttl = Some(Located { value: parsed, at });
        }
    }
    Ok(())
}

/// The string a key must hold, or a message with the quoting fix.
fn string<'a>(key: Key, value: &'a Spanned<DeValue<'_>>, at: &Location) -> Result<&'a str> {
    match value.get_ref() {
        DeValue::String(text) => Ok(text),
        other => {
            // An account id typed as a bare number is the common case; show
            // the exact line to write. Other values get a placeholder.
            let example = match other {
                DeValue::Integer(number) => number.as_str().to_owned(),
                _ => "...".to_owned(),
            };
            Err(at.error(format!(
                "{name} must be a string, got {kind} — write it in quotes: {name} = \"{example}\"",
                name = key.name(),
                kind = describe(other),
            )))
        }
    }
}

/// `sso_registration_scopes` as the AWS config writes it (`"a, b"`) or as a
/// TOML array of strings.
fn scopes(value: &Spanned<DeValue<'_>>, source: &SourceText) -> Result<Vec<String>> {
    let at = source.location(value.span().start);
    match value.get_ref() {
        DeValue::String(text) => fields::split_scopes(text).map_err(|message| at.error(message)),
        DeValue::Array(items) => {
            if items.is_empty() {
                return Err(at.error(
                    "sso_registration_scopes is an empty list — list at least one scope, or remove the line to use the default \"sso:account:access\"",
                ));
            }
            items
                .iter()
                .map(|item| {
                    let at = source.location(item.span().start);
                    match item.get_ref() {
                        DeValue::String(scope) => fields::check_scope(scope)
                            .map(|()| scope.to_string())
                            .map_err(|message| at.error(message)),
                        other => Err(at.error(format!(
                            "sso_registration_scopes must list strings, got {} — put each scope in quotes",
                            describe(other)
                        ))),
                    }
                })
                .collect()
        }
        other => Err(at.error(format!(
            "sso_registration_scopes must be a string or a list of strings, got {} — write it as sso_registration_scopes = [\"sso:account:access\"]",
            describe(other)
        ))),
    }
}

/// "unknown key X — did you mean Y?" or the list of keys.
fn unknown_key(name: &str) -> String {
    let shown = shown_key(name);
    match Key::suggest(name) {
        Some(key) => format!("unknown key {shown} — did you mean {}?", key.name()),
        None => {
            let known: Vec<&str> = Key::ALL.iter().map(|key| key.name()).collect();
            format!("unknown key {shown} — the keys are {}", known.join(", "))
        }
    }
}

/// A key as the user would write it: bare when it can be, quoted otherwise.
fn shown_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        name.to_owned()
    } else {
        format!("{name:?}")
    }
}

/// A TOML value's kind, with its article, for messages.
fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// A TOML syntax error as `file:line:col: invalid TOML: message`, on one line.
fn syntax_error(source: &SourceText, err: &toml::de::Error) -> Error {
    let at = source.location(err.span().map_or(0, |span| span.start));
    let message = err
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let message = message
        .strip_suffix(", expected nothing")
        .unwrap_or(&message);
    let fix = if message.starts_with("duplicate key") {
        " — each key may be set once; remove one of them"
    } else {
        ""
    };
    at.error(format!("invalid TOML: {message}{fix}"))
}
