//! STS (`sts`, Query protocol): GetCallerIdentity and AssumeRole, with every
//! request's SigV4 signature verified against the credentials the emulator
//! issued.
//!
//! ssoenv hands SSO role credentials to other programs, which call STS with
//! them first (GetCallerIdentity to show who they are, AssumeRole to hop into
//! another account). These operations let tests prove those credentials are
//! usable, exactly as issued, and let tests build role chains whose
//! credentials expire on cue. Answers and errors use STS's XML, codes,
//! statuses and wording, checked in the order STS checks them, because
//! clients branch on them (an SDK refreshes on `ExpiredToken`, gives up on
//! `AccessDenied`).

use std::time::{Duration, SystemTime};

use crate::iam::{self, RoleArn};
use crate::server::Call;
use crate::sigv4::{self, Rejection, SignedRequest};
use crate::state::{SessionIdentity, SessionProblem, State};
use crate::timefmt;
use crate::wire::{ApiError, Reply, Xml};

/// The signing name of STS in credential scopes.
const SERVICE: &str = "sts";
/// AssumeRole's `DurationSeconds` bounds and default.
const MIN_DURATION_SECONDS: u64 = 900;
const MAX_DURATION_SECONDS: u64 = 43_200;
const DEFAULT_DURATION_SECONDS: u64 = 3600;
/// The most a role-chained session may last. Every emulator credential is
/// a role session, so every AssumeRole here is role chaining.
const ROLE_CHAINING_LIMIT_SECONDS: u64 = 3600;

/// `[\w+=,.@-]*`: the pattern of role session names and source identities.
const SESSION_NAME_PATTERN: &str = r"[\w+=,.@-]*";
/// The pattern of external ids: also `:` and `/`.
const EXTERNAL_ID_PATTERN: &str = r"[\w+=,.@:\/-]*";
/// The pattern of ARN members: printable characters, as STS prints it.
const ARN_PATTERN: &str =
    r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+";

/// The STS error for a `POST /` that names no operation this emulator has:
/// no `Action`, no `Version`, another version, or an unknown action.
pub(crate) fn unrouted(form: &[(String, String)]) -> ApiError {
    let parameter = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    match (parameter("Action"), parameter("Version")) {
        (None, _) => ApiError::new(
            400,
            "MissingAction",
            "The request must contain the parameter Action.",
        ),
        (Some(_), None) => ApiError::new(
            400,
            "MissingParameter",
            "The request must contain the parameter Version.",
        ),
        (Some(action), Some(version)) => ApiError::invalid_action(format!(
            "Could not find operation {action} for version {version}"
        )),
    }
}

/// The session behind a request, once nothing is left to doubt about it.
struct Caller {
    account_id: String,
    role_arn: String,
    caller_arn: String,
    user_id: String,
}

/// Verifies the request's signature and returns who made it, answering as
/// STS does, in its order: no `Authorization` header, a malformed one (or a
/// wrong scope, or a clock off by over 15 minutes), a key this emulator did
/// not issue, a missing or foreign session token, expired credentials, and
/// last a signature the secret does not make.
fn authenticate(state: &State, call: &Call, now: SystemTime) -> Result<Caller, ApiError> {
    let request = SignedRequest {
        method: &call.method,
        path: &call.path,
        raw_query: &call.raw_query,
        headers: &call.headers,
        body: &call.body,
    };
    let authorization =
        sigv4::parse(&request, SERVICE, now).map_err(|rejection| match rejection {
            Rejection::Missing => ApiError::missing_authentication_token(),
            Rejection::Incomplete(message) => ApiError::incomplete_signature(message),
            Rejection::Mismatch(message) => ApiError::signature_does_not_match(message),
        })?;
    let session = state
        .session_for(
            &authorization.access_key_id,
            call.header("x-amz-security-token"),
            now,
        )
        .map_err(|problem| match problem {
            SessionProblem::UnknownKey | SessionProblem::WrongToken => {
                ApiError::invalid_client_token_id()
            }
            SessionProblem::Expired => ApiError::expired_security_token(),
        })?;
    if !authorization.matches(&request, &session.secret_access_key) {
        return Err(ApiError::wrong_signature());
    }
    Ok(Caller {
        account_id: session.account_id.clone(),
        role_arn: session.role_arn.clone(),
        caller_arn: session.caller_arn.clone(),
        user_id: session.user_id.clone(),
    })
}

pub(crate) fn get_caller_identity(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let caller = authenticate(state, call, now)?;
    Ok(Reply::Query {
        action: "GetCallerIdentity",
        result: Xml::Parent(
            "GetCallerIdentityResult",
            vec![
                Xml::Text("Arn", caller.caller_arn),
                Xml::Text("UserId", caller.user_id),
                Xml::Text("Account", caller.account_id),
            ],
        ),
    })
}

pub(crate) fn assume_role(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    let caller = authenticate(state, call, now)?;
    let role_arn = call.form_param("RoleArn");
    let session_name = call.form_param("RoleSessionName");
    let external_id = call.form_param("ExternalId");
    let source_identity = call.form_param("SourceIdentity");

    let mut violations = Violations::default();
    violations.check("roleArn", role_arn, 20, 2048, ARN_PATTERN, is_arn_character);
    violations.check(
        "roleSessionName",
        session_name,
        2,
        64,
        SESSION_NAME_PATTERN,
        is_session_name_character,
    );
    let duration_seconds = violations.check_duration(call.form_param("DurationSeconds"));
    violations.check_optional(
        "externalId",
        external_id,
        2,
        1224,
        EXTERNAL_ID_PATTERN,
        is_external_id_character,
    );
    violations.check_optional(
        "sourceIdentity",
        source_identity,
        2,
        64,
        SESSION_NAME_PATTERN,
        is_session_name_character,
    );
    violations.into_result()?;
    // Both are present: a missing one is a violation above.
    let (Some(role_arn), Some(session_name)) = (role_arn, session_name) else {
        return Err(ApiError::validation_error(
            "RoleArn and RoleSessionName are required",
        ));
    };
    let Some(parsed_arn) = RoleArn::parse(role_arn) else {
        return Err(ApiError::validation_error("Request ARN is invalid"));
    };

    let requested = duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if duration_seconds.is_some_and(|seconds| seconds > ROLE_CHAINING_LIMIT_SECONDS) {
        return Err(ApiError::validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    let role = state.roles.get(role_arn);
    // Kept for AWS's order of checks, though no caller here reaches it: every
    // one is a role session, and the chaining limit is below any role's maximum.
    if let Some(role) = role
        && Duration::from_secs(requested) > role.max_session()
    {
        return Err(ApiError::validation_error(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let allowed = role.is_some_and(|role| {
        role.trusts(&caller.account_id, &caller.role_arn) && role.accepts_external_id(external_id)
    });
    if !allowed {
        return Err(ApiError::sts_access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.caller_arn
        )));
    }

    let lifetime = state
        .config
        .assumed_role_lifetime
        .unwrap_or(Duration::from_secs(requested));
    let assumed_role_arn = parsed_arn.assumed_role_arn(session_name);
    let assumed_role_id = format!("{}:{session_name}", iam::role_id(role_arn));
    let issued = state.issue_session(
        SessionIdentity {
            account_id: parsed_arn.account_id.to_owned(),
            role_arn: role_arn.to_owned(),
            caller_arn: assumed_role_arn.clone(),
            user_id: assumed_role_id.clone(),
        },
        now + lifetime,
    );
    let mut result = vec![
        Xml::Parent(
            "Credentials",
            vec![
                Xml::Text("AccessKeyId", issued.access_key_id),
                Xml::Text("SecretAccessKey", issued.secret_access_key),
                Xml::Text("SessionToken", issued.session_token),
                Xml::Text("Expiration", timefmt::format_utc(issued.expires_at)),
            ],
        ),
        Xml::Parent(
            "AssumedRoleUser",
            vec![
                Xml::Text("AssumedRoleId", assumed_role_id),
                Xml::Text("Arn", assumed_role_arn),
            ],
        ),
    ];
    if let Some(source_identity) = source_identity {
        result.push(Xml::Text("SourceIdentity", source_identity.to_owned()));
    }
    Ok(Reply::Query {
        action: "AssumeRole",
        result: Xml::Parent("AssumeRoleResult", result),
    })
}

/// Constraint violations of a request's members, reported together in the
/// words of AWS's request validation ("1 validation error detected: Value
/// 'x' at 'member' failed to satisfy constraint: Member must ...", joined
/// with "; ").
#[derive(Default)]
struct Violations(Vec<String>);

impl Violations {
    /// A required string member: present, within `min..=max` characters,
    /// and made only of characters `allowed` accepts (`pattern` is how AWS
    /// prints that rule).
    fn check(
        &mut self,
        member: &str,
        value: Option<&str>,
        min: usize,
        max: usize,
        pattern: &str,
        allowed: fn(char) -> bool,
    ) {
        match value {
            None => self.0.push(format!(
                "Value null at '{member}' failed to satisfy constraint: Member must not be null"
            )),
            Some(value) => self.check_optional(member, Some(value), min, max, pattern, allowed),
        }
    }

    /// As [`Violations::check`] for a member that may be left out.
    fn check_optional(
        &mut self,
        member: &str,
        value: Option<&str>,
        min: usize,
        max: usize,
        pattern: &str,
        allowed: fn(char) -> bool,
    ) {
        let Some(value) = value else { return };
        let length = value.chars().count();
        let prefix =
            format!("Value '{value}' at '{member}' failed to satisfy constraint: Member must");
        // A `+` pattern also refuses the empty string.
        if !value.chars().all(allowed) || (pattern.ends_with('+') && value.is_empty()) {
            self.0.push(format!(
                "{prefix} satisfy regular expression pattern: {pattern}"
            ));
        }
        if length < min {
            self.0.push(format!(
                "{prefix} have length greater than or equal to {min}"
            ));
        }
        if length > max {
            self.0
                .push(format!("{prefix} have length less than or equal to {max}"));
        }
    }

    /// `DurationSeconds`: absent, or an integer from 900 to 43200.
    fn check_duration(&mut self, value: Option<&str>) -> Option<u64> {
        let text = value?;
        let prefix = format!(
            "Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must"
        );
        let Ok(seconds) = text.parse::<u64>() else {
            self.0.push(format!("{prefix} be an integer"));
            return None;
        };
        if seconds < MIN_DURATION_SECONDS {
            self.0.push(format!(
                "{prefix} have value greater than or equal to {MIN_DURATION_SECONDS}"
            ));
        }
        if seconds > MAX_DURATION_SECONDS {
            self.0.push(format!(
                "{prefix} have value less than or equal to {MAX_DURATION_SECONDS}"
            ));
        }
        Some(seconds)
    }

    fn into_result(self) -> Result<(), ApiError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(ApiError::validation_error(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            count => Err(ApiError::validation_error(format!(
                "{count} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// `\w` as AWS's validation means it: ASCII letters, digits and `_`.
fn is_word_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_session_name_character(c: char) -> bool {
    is_word_character(c) || "+=,.@-".contains(c)
}

fn is_external_id_character(c: char) -> bool {
    is_word_character(c) || "+=,.@:/-".contains(c)
}

/// The character class of [`ARN_PATTERN`].
fn is_arn_character(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::STS_API_VERSION;

    fn violations_of(check: impl FnOnce(&mut Violations)) -> String {
        let mut violations = Violations::default();
        check(&mut violations);
        match violations.into_result() {
            Ok(()) => String::new(),
            Err(error) => {
                assert_eq!(
                    (error.status, error.name.as_str()),
                    (400, "ValidationError")
                );
                error.message
            }
        }
    }

    #[test]
    fn validation_messages_are_aws_words_counted_and_joined() {
        let session_name = |value| {
            violations_of(|v| {
                v.check(
                    "roleSessionName",
                    value,
                    2,
                    64,
                    SESSION_NAME_PATTERN,
                    is_session_name_character,
                );
            })
        };
        assert_eq!(session_name(Some("ci-run_7+=,.@")), "");
        assert_eq!(
            session_name(Some("has space")),
            r"1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*"
        );
        assert_eq!(
            session_name(Some("x")),
            "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
        );
        assert_eq!(
            session_name(None),
            "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            violations_of(|v| v.check(
                "roleArn",
                Some(""),
                20,
                2048,
                ARN_PATTERN,
                is_arn_character
            )),
            format!(
                "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: {ARN_PATTERN}; Value '' at 'roleArn' \
                 failed to satisfy constraint: Member must have length greater than or equal to 20"
            )
        );
        let duration = |value| {
            let mut seconds = None;
            let message = violations_of(|v| seconds = v.check_duration(value));
            (seconds, message)
        };
        assert_eq!(duration(None), (None, String::new()));
        assert_eq!(duration(Some("900")), (Some(900), String::new()));
        assert_eq!(
            duration(Some("43201")).1,
            "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"
        );
        assert_eq!(
            duration(Some("899")).1,
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
        );
        assert!(
            duration(Some("an hour"))
                .1
                .ends_with("Member must be an integer")
        );
    }

    #[test]
    fn unrouted_requests_get_the_query_protocol_errors() {
        let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(unrouted(&form(&[])).name, "MissingAction");
        assert_eq!(
            unrouted(&form(&[("Action", "GetCallerIdentity")])).name,
            "MissingParameter"
        );
        let wrong_version = unrouted(&form(&[
            ("Action", "GetCallerIdentity"),
            ("Version", "2011-06-16"),
        ]));
        assert_eq!(
            (
                wrong_version.status,
                wrong_version.name.as_str(),
                wrong_version.message.as_str()
            ),
            (
                400,
                "InvalidAction",
                "Could not find operation GetCallerIdentity for version 2011-06-16"
            )
        );
        assert_eq!(
            unrouted(&form(&[
                ("Action", "GetSessionToken"),
                ("Version", STS_API_VERSION)
            ]))
            .message,
            "Could not find operation GetSessionToken for version 2011-06-15"
        );
    }
}
