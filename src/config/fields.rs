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
    MinTtl,
    Credentials,
    Profile,
    RoleArn,
    RoleSessionName,
    ExternalId,
    DurationSeconds,
    TokenStore,
}

impl Key {
    /// Every key, in the order messages list them.
    pub const ALL: [Key; 16] = [
        Key::StartUrl,
        Key::SsoRegion,
        Key::AccountId,
        Key::RoleName,
        Key::Session,
        Key::Scopes,
        Key::Region,
        Key::RefreshBefore,
        Key::MinTtl,
        Key::Credentials,
        Key::Profile,
        Key::RoleArn,
        Key::RoleSessionName,
        Key::ExternalId,
        Key::DurationSeconds,
        Key::TokenStore,
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
            Key::MinTtl => "min_ttl",
            Key::Credentials => "credentials",
            Key::Profile => "profile",
            Key::RoleArn => "role_arn",
            Key::RoleSessionName => "role_session_name",
            Key::ExternalId => "external_id",
            Key::DurationSeconds => "duration_seconds",
            Key::TokenStore => "token_store",
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

    /// The keys that only mean something next to `role_arn`: they describe
    /// the `sts:AssumeRole` call it asks for.
    pub fn qualifies_role_arn(self) -> bool {
        matches!(
            self,
            Key::RoleSessionName | Key::ExternalId | Key::DurationSeconds
        )
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

/// Checks a string value of `key` (not `refresh_before`, see `duration`,
/// not `sso_registration_scopes`, see [`check_scope`], and not
/// `duration_seconds`, see [`check_duration_seconds`]).
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
        Key::RoleArn => check_role_arn(value),
        Key::RoleSessionName => check_role_session_name(value),
        Key::ExternalId => check_external_id(value),
        Key::Credentials => check_credentials_mode(value).map(|_| ()),
        Key::TokenStore => check_token_store(value).map(|_| ()),
        Key::Scopes | Key::RefreshBefore | Key::MinTtl | Key::DurationSeconds => Ok(()),
    }
}

/// `credentials`: how the shell gets them.
pub(crate) fn check_credentials_mode(value: &str) -> Result<super::CredentialsMode, String> {
    match value {
        "variables" => Ok(super::CredentialsMode::Variables),
        "endpoint" => Ok(super::CredentialsMode::Endpoint),
        _ => Err(format!(
            "credentials must be \"variables\" (the three AWS_* key variables) or \"endpoint\" (a local endpoint SDKs renew from), got {value:?}"
        )),
    }
}

/// `token_store`: where the SSO token's secrets are kept.
pub(crate) fn check_token_store(value: &str) -> Result<super::TokenStoreKind, String> {
    match value {
        "aws-cli" => Ok(super::TokenStoreKind::AwsCli),
        "keyring" => Ok(super::TokenStoreKind::Keyring),
        _ => Err(format!(
            "token_store must be \"aws-cli\" (the AWS CLI's cache files, shared with it) or \"keyring\" (the refresh token in the OS keyring), got {value:?}"
        )),
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, the only kind of ARN
/// `sts:AssumeRole` takes. Checked here so a typo is a config error with a
/// location, not an AccessDenied from AWS a prompt later.
fn check_role_arn(value: &str) -> Result<(), String> {
    let wrong = || {
        format!(
            "role_arn must be an IAM role ARN like \"arn:aws:iam::123456789012:role/Deploy\", got {value:?} — copy it from the IAM console"
        )
    };
    let mut fields = value.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(wrong());
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        });
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let Some(path_and_name) = resource.strip_prefix("role/") else {
        return Err(wrong());
    };
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    let name_ok =
        !name.is_empty() && name.chars().count() <= 64 && name.chars().all(is_iam_name_char);
    let path_ok = path_and_name
        .chars()
        .all(|c| c == '/' || c.is_ascii_graphic());
    if partition_ok && account_ok && name_ok && path_ok {
        Ok(())
    } else {
        Err(wrong())
    }
}

/// STS's `[\w+=,.@-]`, where `\w` is ASCII letters, digits and `_`.
pub(crate) fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// `RoleSessionName`: 2–64 characters of `[\w+=,.@-]`, as STS requires.
fn check_role_session_name(value: &str) -> Result<(), String> {
    let length = value.chars().count();
    if (2..=64).contains(&length) && value.chars().all(is_iam_name_char) {
        Ok(())
    } else {
        Err(format!(
            "role_session_name must be 2 to 64 letters, digits or _+=,.@-, got {value:?} — e.g. \"alice\", or remove the line to use your SSO user name"
        ))
    }
}

/// `ExternalId`: 2–1224 characters of `[\w+=,.@:/-]`, as STS requires.
fn check_external_id(value: &str) -> Result<(), String> {
    let length = value.chars().count();
    let allowed = |c: char| is_iam_name_char(c) || c == ':' || c == '/';
    if (2..=1224).contains(&length) && value.chars().all(allowed) {
        Ok(())
    } else {
        Err(format!(
            "external_id must be 2 to 1224 letters, digits or _+=,.@:/-, got {value:?} — copy it exactly from the role's trust policy"
        ))
    }
}

/// The most a chained `sts:AssumeRole` may ask for: SSO role credentials are
/// already an assumed role, so every hop after them is role chaining, which
/// AWS limits to one hour.
pub(crate) const CHAINED_MAX_SECONDS: u64 = 3600;

/// The least STS grants.
pub(crate) const MIN_SESSION_SECONDS: u64 = 900;

/// `duration_seconds` of a chained role: 900 to 3600.
pub(crate) fn check_duration_seconds(seconds: i64) -> Result<u32, String> {
    if seconds > CHAINED_MAX_SECONDS as i64 {
        return Err(format!(
            "duration_seconds = {seconds} is more than {CHAINED_MAX_SECONDS}, the 1-hour limit AWS sets for role chaining (the SSO role is already an assumed role) — use at most {CHAINED_MAX_SECONDS}, or remove the line"
        ));
    }
    if seconds < MIN_SESSION_SECONDS as i64 {
        return Err(format!(
            "duration_seconds = {seconds} is less than {MIN_SESSION_SECONDS}, the shortest session STS grants — use {MIN_SESSION_SECONDS} to {CHAINED_MAX_SECONDS}"
        ));
    }
    Ok(seconds as u32)
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
    fn role_arns() {
        for ok in [
            "arn:aws:iam::123456789012:role/Deploy",
            "arn:aws:iam::123456789012:role/team/ci/Deploy-1+=,.@_",
            "arn:aws-cn:iam::123456789012:role/Deploy",
            "arn:aws-us-gov:iam::123456789012:role/Deploy",
        ] {
            assert_eq!(check(Key::RoleArn, ok), Ok(()), "{ok}");
        }
        for bad in [
            "Deploy",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345678901:role/Deploy",
            "arn:aws:sts::123456789012:assumed-role/Deploy/x",
            "arn:aws:iam:us-east-1:123456789012:role/Deploy",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/has space",
            "arn:AWS:iam::123456789012:role/Deploy",
            "arn:aws:iam::123456789012:role/Deploy:extra",
        ] {
            assert!(check(Key::RoleArn, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_names_external_ids_and_durations() {
        assert_eq!(check(Key::RoleSessionName, "alice@example.com"), Ok(()));
        assert!(check(Key::RoleSessionName, "a").is_err());
        assert!(check(Key::RoleSessionName, &"a".repeat(65)).is_err());
        assert!(check(Key::RoleSessionName, "a/b").is_err());
        assert_eq!(check(Key::ExternalId, "urn:ext/123-abc"), Ok(()));
        assert!(check(Key::ExternalId, "x").is_err());
        assert!(check(Key::ExternalId, "a b").is_err());
        assert_eq!(check_duration_seconds(900), Ok(900));
        assert_eq!(check_duration_seconds(3600), Ok(3600));
        assert!(
            check_duration_seconds(3601)
                .unwrap_err()
                .contains("role chaining")
        );
        assert!(
            check_duration_seconds(899)
                .unwrap_err()
                .contains("less than 900")
        );
        assert!(check_duration_seconds(-1).is_err());
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
