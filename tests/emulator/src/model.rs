//! The public vocabulary of the emulator: operations, accounts, faults, and
//! what it hands out or records.

use std::fmt;
use std::time::{Duration, SystemTime};

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
}

impl Operation {
    /// All operations, for iterating over counters.
    pub const ALL: [Operation; 9] = [
        Operation::GetRoleCredentials,
        Operation::ListAccounts,
        Operation::ListAccountRoles,
        Operation::Logout,
        Operation::RegisterClient,
        Operation::StartDeviceAuthorization,
        Operation::CreateToken,
        Operation::Authorize,
        Operation::VerifyDevice,
    ];

    /// The operation served at `method` + `path`, if any.
    pub fn route(method: &str, path: &str) -> Option<Operation> {
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

    /// True for the pages a person opens in a browser (HTML, not JSON).
    pub fn is_browser_page(self) -> bool {
        matches!(self, Operation::Authorize | Operation::VerifyDevice)
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
    /// Bearer tokens and bodies (which hold client secrets, device codes and
    /// refresh tokens) are left out so a failing assertion does not print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name == "x-amz-sso_bearer_token" || name == "authorization" {
                    "<redacted>"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("at", &self.at)
            .finish()
    }
}
