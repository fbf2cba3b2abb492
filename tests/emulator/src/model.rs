//! The public vocabulary of the emulator: operations, accounts, faults, and
//! what it hands out or records.

use std::fmt;
use std::time::{Duration, SystemTime};

/// The `Version` every STS Query request must name.
pub const STS_API_VERSION: &str = "2011-06-15";

/// Every request the emulator answers belongs to one operation; faults,
/// counters and the request log are all keyed by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// Portal `GET /federation/credentials`.
    GetRoleCredentials,
    /// Portal `GET /assignment/accounts`.
    ListAccounts,
    /// Portal `GET /assignment/roles`.
    ListAccountRoles,
    /// Portal `POST /logout`.
    Logout,
    /// OIDC `POST /client/register`.
    RegisterClient,
    /// OIDC `POST /device_authorization`.
    StartDeviceAuthorization,
    /// OIDC `POST /token` (all grant types).
    CreateToken,
    /// `GET /authorize`: the page a browser opens in the authorization-code flow.
    Authorize,
    /// `GET /device`: the verification page a user opens in the device flow.
    VerifyDevice,
    /// STS `POST /` with `Action=AssumeRole` (SigV4-signed, XML answers).
    AssumeRole,
    /// STS `POST /` with `Action=GetCallerIdentity` (SigV4-signed, XML answers).
    GetCallerIdentity,
    /// Console sign-in `GET /federation?Action=getSigninToken`: session
    /// credentials in, a one-time sign-in token out (JSON).
    GetSigninToken,
    /// Console sign-in `GET /federation?Action=login`: the page a browser
    /// opens with a sign-in token, standing in for the AWS console.
    ConsoleLogin,
}

impl Operation {
    /// All operations, for iterating over counters.
    pub const ALL: [Operation; 13] = [
        Operation::GetRoleCredentials,
        Operation::ListAccounts,
        Operation::ListAccountRoles,
        Operation::Logout,
        Operation::RegisterClient,
        Operation::StartDeviceAuthorization,
        Operation::CreateToken,
        Operation::Authorize,
        Operation::VerifyDevice,
        Operation::AssumeRole,
        Operation::GetCallerIdentity,
        Operation::GetSigninToken,
        Operation::ConsoleLogin,
    ];

    /// The operation a request is for, if any. Most are told apart by method
    /// and path alone; the two endpoints that serve several operations are
    /// told apart by the request's `parameters` (decoded, in order): STS's
    /// `POST /` by the form body's `Action`, which counts only with
    /// `Version=2011-06-15`, and the sign-in endpoint's `GET /federation` by
    /// the query's `Action`.
    pub fn route(method: &str, path: &str, parameters: &[(String, String)]) -> Option<Operation> {
        let parameter = |name: &str| {
            parameters
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        Some(match (method, path) {
            ("GET", "/federation/credentials") => Operation::GetRoleCredentials,
            ("GET", "/assignment/accounts") => Operation::ListAccounts,
            ("GET", "/assignment/roles") => Operation::ListAccountRoles,
            ("POST", "/logout") => Operation::Logout,
            ("POST", "/client/register") => Operation::RegisterClient,
            ("POST", "/device_authorization") => Operation::StartDeviceAuthorization,
            ("POST", "/token") => Operation::CreateToken,
            ("GET", "/authorize") => Operation::Authorize,
            ("GET", "/device") => Operation::VerifyDevice,
            ("POST", "/") if parameter("Version") == Some(STS_API_VERSION) => {
                match parameter("Action")? {
                    "AssumeRole" => Operation::AssumeRole,
                    "GetCallerIdentity" => Operation::GetCallerIdentity,
                    _ => return None,
                }
            }
            ("GET", "/federation") => match parameter("Action")? {
                "getSigninToken" => Operation::GetSigninToken,
                "login" => Operation::ConsoleLogin,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// True for the OIDC JSON API, whose errors also carry OAuth
    /// `error` / `error_description` fields.
    pub fn is_oidc_api(self) -> bool {
        matches!(
            self,
            Operation::RegisterClient
                | Operation::StartDeviceAuthorization
                | Operation::CreateToken
        )
    }

    /// True for STS (the Query protocol): answers and errors are XML.
    pub fn is_sts_api(self) -> bool {
        matches!(self, Operation::AssumeRole | Operation::GetCallerIdentity)
    }

    /// True for the pages a person opens in a browser (HTML, not JSON).
    pub fn is_browser_page(self) -> bool {
        matches!(
            self,
            Operation::Authorize | Operation::VerifyDevice | Operation::ConsoleLogin
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// An AWS account the signed-in user can reach, with the roles (permission
/// sets) assigned to them in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// 12-digit account id.
    pub account_id: String,
    /// Display name, as ListAccounts returns it.
    pub account_name: String,
    /// Root e-mail address, as ListAccounts returns it.
    pub email_address: String,
    /// Role names ListAccountRoles returns and GetRoleCredentials accepts.
    pub role_names: Vec<String>,
}

impl Account {
    /// An account with a derived e-mail address (`<name>@example.com`, lower case).
    pub fn new(account_id: &str, account_name: &str, role_names: &[&str]) -> Account {
        Account {
            account_id: account_id.to_owned(),
            account_name: account_name.to_owned(),
            email_address: format!(
                "{}@example.com",
                account_name.to_lowercase().replace(' ', "-")
            ),
            role_names: role_names.iter().map(|role| (*role).to_owned()).collect(),
        }
    }
}

/// What `/authorize` does with a browser that arrives there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizeDecision {
    /// Redirect straight back with `code` and `state` (a user who clicks "Allow").
    Approve,
    /// Redirect straight back with `error=access_denied` and `state`.
    Deny,
    /// Show a page with Allow / Deny links, for a person using the program.
    AskUser,
}

/// When an injected fault fires. Calls are counted per operation from the
/// moment the fault is injected, starting at 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Every call.
    Always,
    /// Only the n-th call (e.g. `Nth(2)`: the first call succeeds, the second
    /// fails, the third succeeds again — a retry should get through).
    Nth(u64),
    /// The next n calls.
    Times(u64),
}

/// What an injected fault does instead of (or before) the normal answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status and AWS error name (header and body as for real errors).
    Error {
        /// HTTP status, e.g. 500.
        status: u16,
        /// Error name, e.g. `InternalServerException`.
        name: String,
        /// Human-readable message.
        message: String,
    },
    /// Wait this long, then answer normally (for client timeouts).
    Delay(Duration),
    /// A 200 answer whose body is not the JSON the client expects.
    GarbageBody,
    /// Close the connection without answering.
    DropConnection,
}

/// A fault to inject into one operation: a kind plus a trigger.
///
/// Built as `Fault::error(500, "InternalServerException", "boom").nth(2)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// On which calls.
    pub trigger: Trigger,
}

impl Fault {
    /// An error answer on every call (narrow it with [`Fault::nth`] / [`Fault::times`]).
    pub fn error(status: u16, name: &str, message: &str) -> Fault {
        Fault::always(FaultKind::Error {
            status,
            name: name.to_owned(),
            message: message.to_owned(),
        })
    }

    /// A delay before the normal answer.
    pub fn delay(delay: Duration) -> Fault {
        Fault::always(FaultKind::Delay(delay))
    }

    /// A 200 answer with a body that is not the expected JSON.
    pub fn garbage_body() -> Fault {
        Fault::always(FaultKind::GarbageBody)
    }

    /// The connection is closed without an answer.
    pub fn drop_connection() -> Fault {
        Fault::always(FaultKind::DropConnection)
    }

    fn always(kind: FaultKind) -> Fault {
        Fault {
            kind,
            trigger: Trigger::Always,
        }
    }

    /// Fire only on the n-th call after injection (1-based).
    pub fn nth(self, n: u64) -> Fault {
        Fault {
            trigger: Trigger::Nth(n),
            ..self
        }
    }

    /// Fire on the next n calls after injection.
    pub fn times(self, n: u64) -> Fault {
        Fault {
            trigger: Trigger::Times(n),
            ..self
        }
    }
}

/// Who may assume an [`AssumableRole`]: the principals of its trust policy.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TrustedPrincipal {
    /// Any principal of this account (`"AWS": "arn:aws:iam::ACCOUNT:root"`).
    Account(String),
    /// Sessions of exactly this IAM role.
    Role(String),
    /// Anyone (`"AWS": "*"`).
    Any,
}

/// An IAM role that AssumeRole can enter, with its trust policy reduced to
/// what tests vary: who is trusted, whether an external id is required, and
/// how long sessions may last. A role trusts nobody until told.
///
/// ```
/// use std::time::Duration;
/// use sso_emulator::AssumableRole;
///
/// let role = AssumableRole::new("arn:aws:iam::222222222222:role/Deploy")
///     .trust_account("111111111111")
///     .external_id("shared-with-the-deployer")
///     .max_session_duration(Duration::from_secs(2 * 3600));
/// # let _ = role;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AssumableRole {
    arn: String,
    account_id: String,
    trusted: Vec<TrustedPrincipal>,
    external_id: Option<String>,
    max_session_duration: Duration,
}

impl AssumableRole {
    /// A role with this IAM role ARN (`arn:aws:iam::ACCOUNT:role/[PATH/]NAME`),
    /// trusting nobody, with the default one-hour maximum session.
    ///
    /// # Panics
    ///
    /// When `role_arn` is not an IAM role ARN: a test that names a role
    /// wrongly should fail where it does so. [`AssumableRole::try_new`]
    /// returns the problem instead.
    pub fn new(role_arn: &str) -> AssumableRole {
        AssumableRole::try_new(role_arn).unwrap_or_else(|problem| panic!("{problem}"))
    }

    /// Like [`AssumableRole::new`], but says what is wrong with an ARN that
    /// is not an IAM role ARN instead of panicking (for the program's flags).
    pub fn try_new(role_arn: &str) -> Result<AssumableRole, String> {
        let parsed = crate::iam::RoleArn::parse(role_arn).ok_or_else(|| {
            format!("'{role_arn}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        })?;
        Ok(AssumableRole {
            arn: role_arn.to_owned(),
            account_id: parsed.account_id.to_owned(),
            trusted: Vec::new(),
            external_id: None,
            max_session_duration: Duration::from_secs(3600),
        })
    }

    /// Trusts every principal of this account, as a trust policy naming
    /// `arn:aws:iam::ACCOUNT:root` does.
    pub fn trust_account(mut self, account_id: &str) -> AssumableRole {
        self.trusted
            .push(TrustedPrincipal::Account(account_id.to_owned()));
        self
    }

    /// Trusts sessions of exactly this IAM role. For SSO credentials that is
    /// the role behind the permission set, as
    /// [`crate::Emulator::sso_role_arn`] names it.
    pub fn trust_role(mut self, role_arn: &str) -> AssumableRole {
        self.trusted
            .push(TrustedPrincipal::Role(role_arn.to_owned()));
        self
    }

    /// Trusts every caller (`"Principal": {"AWS": "*"}`).
    pub fn trust_any(mut self) -> AssumableRole {
        self.trusted.push(TrustedPrincipal::Any);
        self
    }

    /// Requires AssumeRole to send exactly this `ExternalId` (the trust
    /// policy's `sts:ExternalId` condition).
    pub fn external_id(mut self, external_id: &str) -> AssumableRole {
        self.external_id = Some(external_id.to_owned());
        self
    }

    /// The role's `MaxSessionDuration` (default 1 h).
    ///
    /// # Panics
    ///
    /// Outside 1 to 12 hours, the range AWS allows.
    pub fn max_session_duration(mut self, duration: Duration) -> AssumableRole {
        assert!(
            (Duration::from_secs(3600)..=Duration::from_secs(12 * 3600)).contains(&duration),
            "AWS allows a MaxSessionDuration of 1 to 12 hours, not {duration:?}"
        );
        self.max_session_duration = duration;
        self
    }

    /// The role's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The account the role lives in.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The longest session AssumeRole may ask for.
    pub fn max_session(&self) -> Duration {
        self.max_session_duration
    }

    /// Whether the trust policy lets a session of `caller_role_arn`, in
    /// `caller_account_id`, assume the role (external id aside).
    pub(crate) fn trusts(&self, caller_account_id: &str, caller_role_arn: &str) -> bool {
        self.trusted.iter().any(|principal| match principal {
            TrustedPrincipal::Account(account_id) => account_id == caller_account_id,
            TrustedPrincipal::Role(role_arn) => role_arn == caller_role_arn,
            TrustedPrincipal::Any => true,
        })
    }

    /// Whether `sent` satisfies the external-id condition, if there is one.
    pub(crate) fn accepts_external_id(&self, sent: Option<&str>) -> bool {
        match &self.external_id {
            None => true,
            Some(required) => sent == Some(required.as_str()),
        }
    }
}

impl fmt::Debug for AssumableRole {
    /// The external id is left out: it is not meant to be a secret, but it
    /// is the one value that lets a third party in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumableRole")
            .field("arn", &self.arn)
            .field("trusted", &self.trusted)
            .field(
                "external_id",
                &self.external_id.as_ref().map(|_| "<redacted>"),
            )
            .field("max_session_duration", &self.max_session_duration)
            .finish()
    }
}

/// A console sign-in the emulator served: what the `login` page showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleSignIn {
    /// The account of the session that signed in.
    pub account_id: String,
    /// The session's assumed-role ARN.
    pub arn: String,
    /// The region the destination asked for (`us-east-1` when it named none).
    pub region: String,
    /// The `Destination` URL, as sent.
    pub destination: String,
    /// The `Issuer` parameter, if any.
    pub issuer: Option<String>,
    /// When the page was served.
    pub at: SystemTime,
}

/// An OIDC client registration, as RegisterClient creates it. Tests use it to
/// seed a refreshable token cache entry without a login.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret` (redacted in `Debug`).
    pub client_secret: String,
    /// When the registration stops being accepted (`clientSecretExpiresAt`).
    pub expires_at: SystemTime,
    /// Scopes registered; a registration with scopes gets refresh tokens.
    pub scopes: Vec<String>,
}

impl fmt::Debug for ClientRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRegistration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// An SSO access token the emulator accepts, issued directly by a test
/// (see [`crate::Emulator::issue_token`]) instead of through a login.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// Value for `x-amz-sso_bearer_token` / the cache's `accessToken`.
    pub access_token: String,
    /// Present when the token is refreshable.
    pub refresh_token: Option<String>,
    /// When the portal starts answering 401 for it.
    pub expires_at: SystemTime,
    /// The client registration a refreshable token is bound to.
    pub client: Option<ClientRegistration>,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("client", &self.client)
            .finish()
    }
}

/// One request as the emulator saw it, so tests can assert what a client sent
/// (or that it sent nothing).
#[derive(Clone)]
pub struct RecordedRequest {
    /// The operation it was routed to.
    pub operation: Operation,
    /// `GET` / `POST`.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Decoded query parameters in order.
    pub query: Vec<(String, String)>,
    /// Headers with lower-case names, in order.
    pub headers: Vec<(String, String)>,
    /// The request body as text (JSON for the OIDC API).
    pub body: String,
    /// When it arrived.
    pub at: SystemTime,
}

impl RecordedRequest {
    /// The first query parameter named `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl fmt::Debug for RecordedRequest {
    /// Bearer tokens, session tokens, the sign-in endpoint's credentials and
    /// tokens, and bodies (which hold client secrets, device codes and refresh
    /// tokens) are left out so a failing assertion does not print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SECRET_HEADERS: [&str; 3] = [
            "x-amz-sso_bearer_token",
            "authorization",
            "x-amz-security-token",
        ];
        const SECRET_PARAMETERS: [&str; 2] = ["Session", "SigninToken"];
        let redact = |pairs: &'_ [(String, String)], secret: &[&str]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(name, value)| {
                    let shown = if secret.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                        "<redacted>".to_owned()
                    } else {
                        value.clone()
                    };
                    (name.clone(), shown)
                })
                .collect()
        };
        let headers = redact(&self.headers, &SECRET_HEADERS);
        let query = redact(&self.query, &SECRET_PARAMETERS);
        f.debug_struct("RecordedRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("at", &self.at)
            .finish()
    }
}
