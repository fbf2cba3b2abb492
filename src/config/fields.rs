//! The settings keys and what each accepts.
//!
//! The same names and the same checks apply to `.awssso.toml`, the user-wide
//! defaults file and the AWS config file, so a bad account id reads the same
//! wherever it was written. Checks return a one-line message without a
//! location; the parsers prefix `file:line:col`.
//!
//! No key holds a path today. One that does must pass its value through
//! `paths::expand_path` when read, as the spec promises `~` and `$VAR` in
//! path values.

/// A key of `.awssso.toml` (named like its `~/.aws/config` counterpart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    StartUrl,
    SsoRegion,
    AccountId,
    RoleName,
    Session,
    Scopes,
    Region,
    RefreshBefore,
    Profile,
}

impl Key {
    /// Every key, in the order messages list them.
    pub const ALL: [Key; 9] = [
        Key::StartUrl,
        Key::SsoRegion,
        Key::AccountId,
        Key::RoleName,
        Key::Session,
        Key::Scopes,
        Key::Region,
        Key::RefreshBefore,
        Key::Profile,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Key::StartUrl => "sso_start_url",
            Key::SsoRegion => "sso_region",
            Key::AccountId => "sso_account_id",
            Key::RoleName => "sso_role_name",
            Key::Session => "sso_session",
            Key::Scopes => "sso_registration_scopes",
            Key::Region => "region",
            Key::RefreshBefore => "refresh_before",
            Key::Profile => "profile",
        }
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|key| key.name() == name)
    }

    /// The keys that describe an SSO session or role, which `profile` supplies
    /// itself and so must not be combined with it.
    pub fn is_sso(self) -> bool {
        self.name().starts_with("sso_")
    }

    /// The known key an unknown `name` was most likely meant to be: a small
    /// typo (`sso_acount_id`), or a key written without/with extra words
    /// (`account_id`, `aws_region`, `refresh`).
    pub fn suggest(name: &str) -> Option<Key> {
        let name = name.to_ascii_lowercase().replace('-', "_");
        let typo_budget = (name.chars().count() / 4).clamp(1, 3);
        Key::ALL
            .into_iter()
            .filter_map(|key| {
                let known = key.name();
                let distance = edit_distance(&name, known);
                let related = (name.len() >= 4 && known.contains(name.as_str()))
                    || (known.len() >= 6 && name.contains(known));
                (distance <= typo_budget || related).then_some((distance, key))
            })
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, key)| key)
    }
}

/// Checks a string value of `key` (not `refresh_before`, see `duration`, and
/// not `sso_registration_scopes`, see [`check_scope`]).
pub(crate) fn check(key: Key, value: &str) -> Result<(), String> {
    let name = key.name();
    if value.is_empty() {
        return Err(format!(
            "{name} must not be empty — set a value or remove the line"
        ));
    }
    match key {
        Key::AccountId => check_account_id(value),
        Key::StartUrl => check_start_url(value),
        Key::SsoRegion | Key::Region => check_region(name, value),
        Key::RoleName => check_role_name(value),
        Key::Session => check_name(value).map_err(|()| {
            format!(
                "sso_session must be a name without spaces or brackets, got {value:?} — use the NAME of an [sso-session NAME] section"
            )
        }),
        Key::Profile => check_name(value).map_err(|()| {
            format!(
                "profile must be a name without spaces or brackets, got {value:?} — use the NAME of a [profile NAME] section"
            )
        }),
        Key::Scopes | Key::RefreshBefore => Ok(()),
    }
}

/// Account ids are exactly 12 ASCII digits; the console shows them with
/// dashes (`1234-5678-9012`), which is worth a specific hint.
fn check_account_id(value: &str) -> Result<(), String> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let undashed: String = value.chars().filter(|&c| c != '-').collect();
    if undashed.len() == 12 && undashed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "sso_account_id must be 12 digits without dashes, got {value:?} — write \"{undashed}\""
        ));
    }
    Err(format!(
        "sso_account_id must be 12 digits, got {value:?} — copy the account id from the SSO portal"
    ))
}

/// The AWS access portal URL; `http://` is accepted so tests and emulators on
/// loopback work.
fn check_start_url(value: &str) -> Result<(), String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !value.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(format!(
            "sso_start_url must be an https:// URL, got {value:?} — copy the AWS access portal URL, e.g. \"https://d-1234567890.awsapps.com/start\""
        )),
    }
}

/// Region codes: lowercase words of letters and digits joined by dashes, the
/// first word letters only (`us-east-1`, `us-gov-west-1`, `eu-central-2`).
fn check_region(name: &str, value: &str) -> Result<(), String> {
    let mut parts = value.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|first| !first.is_empty() && first.bytes().all(|b| b.is_ascii_lowercase()));
    let mut rest = parts.peekable();
    let rest_ok = rest.peek().is_some()
        && rest.all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "{name} must be a region code like \"us-east-1\", got {value:?} — use lowercase letters, digits and dashes"
        ))
    }
}

/// Permission-set / IAM role names: up to 64 of letters, digits and `+=,.@_-`.
fn check_role_name(value: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if value.chars().count() <= 64 && value.chars().all(allowed) {
        Ok(())
    } else {
        Err(format!(
            "sso_role_name must be a role name of letters, digits and +=,.@_-, got {value:?} — copy the permission set name from the SSO portal"
        ))
    }
}

/// Section names of the AWS config file cannot hold whitespace or brackets
/// (`[profile my dev]` does not name "my dev" the same way in every SDK).
fn check_name(value: &str) -> Result<(), ()> {
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '[' || c == ']')
    {
        Err(())
    } else {
        Ok(())
    }
}

/// One OAuth scope of `sso_registration_scopes`, e.g. `sso:account:access`.
pub(crate) fn check_scope(scope: &str) -> Result<(), String> {
    if scope.is_empty() {
        return Err(
            "sso_registration_scopes has an empty scope — list scopes like \"sso:account:access\" separated by commas"
                .to_owned(),
        );
    }
    if scope.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "sso_registration_scopes: a scope cannot contain spaces, got {scope:?} — separate scopes with commas"
        ));
    }
    Ok(())
}

/// Splits the AWS config form of `sso_registration_scopes` (`"a, b"`) and checks each scope.
pub(crate) fn split_scopes(value: &str) -> Result<Vec<String>, String> {
    value
        .split(',')
        .map(|scope| {
            let scope = scope.trim();
            check_scope(scope).map(|()| scope.to_owned())
        })
        .collect()
}

/// Levenshtein distance over characters; the inputs are key names, so tiny.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let suggest = |name| Key::suggest(name).map(Key::name);
        assert_eq!(suggest("sso_acount_id"), Some("sso_account_id"));
        assert_eq!(suggest("account_id"), Some("sso_account_id"));
        assert_eq!(suggest("start_url"), Some("sso_start_url"));
        assert_eq!(suggest("aws_region"), Some("region"));
        assert_eq!(suggest("sso-region"), Some("sso_region"));
        assert_eq!(suggest("refresh"), Some("refresh_before"));
        assert_eq!(suggest("profil"), Some("profile"));
        assert_eq!(suggest("scopes"), Some("sso_registration_scopes"));
        assert_eq!(suggest("colour"), None);
        assert_eq!(suggest("output"), None);
    }

    #[test]
    fn regions() {
        for ok in ["us-east-1", "us-gov-west-1", "eu-central-2", "cn-north-1"] {
            assert_eq!(check(Key::Region, ok), Ok(()), "{ok}");
        }
        for bad in [
            "US-EAST-1",
            "useast1",
            "us_east_1",
            "-us-east-1",
            "us--east-1",
            "us-east-1-",
            "1-us",
            "tokyo",
        ] {
            assert!(check(Key::Region, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn account_ids() {
        assert_eq!(check(Key::AccountId, "012345678901"), Ok(()));
        assert!(
            check(Key::AccountId, "1234-5678-9012")
                .unwrap_err()
                .contains("write \"123456789012\"")
        );
        assert!(
            check(Key::AccountId, "12345")
                .unwrap_err()
                .contains("12 digits")
        );
        assert!(check(Key::AccountId, "１２３４５６７８９０１２").is_err());
    }

    #[test]
    fn scopes_split_on_commas() {
        assert_eq!(
            split_scopes("sso:account:access, codewhisperer:completions"),
            Ok(vec![
                "sso:account:access".to_owned(),
                "codewhisperer:completions".to_owned()
            ])
        );
        assert!(split_scopes("a,,b").is_err());
        assert!(split_scopes("a b").is_err());
    }
}
