//! Everything the emulator remembers between requests, behind one mutex.
//!
//! Handlers take `&mut State` and never await while holding it, so a plain
//! `std::sync::Mutex` is enough and test threads can lock it directly.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use subtle::ConstantTimeEq as _;

use crate::accounts::AccountSet;
use crate::model::{
    AssumableRole, AuthorizeDecision, ClientRegistration, ConsoleSignIn, Fault, FaultKind,
    IssuedToken, Operation, RecordedRequest, Trigger,
};
use crate::secrets;
use crate::wire::ApiError;

/// The scope AWS tools register with; a registration with scopes is what
/// makes the service hand out refresh tokens.
pub(crate) const DEFAULT_SCOPE: &str = "sso:account:access";

/// Knobs tests turn. Defaults follow what AWS does out of the box.
pub(crate) struct Config {
    /// Role credentials: 1 h, the default permission-set session duration.
    pub credential_lifetime: Duration,
    /// Access tokens: 8 h, the default Identity Center session.
    pub token_lifetime: Duration,
    /// Client registrations: 90 days, as AWS issues them.
    pub client_lifetime: Duration,
    /// Device codes: 10 minutes (`expiresIn: 600`).
    pub device_code_lifetime: Duration,
    /// The `interval` sent with a device code: 1 s, as AWS sends.
    pub device_poll_interval: Duration,
    /// Whether polling faster than `interval` earns a SlowDownException.
    pub enforce_poll_interval: bool,
    /// Device codes start out approved (no user action needed).
    pub auto_approve_devices: bool,
    pub authorize_decision: AuthorizeDecision,
    /// Requests per second over all operations before 429s.
    pub rate_limit: Option<u32>,
    /// Page size when a list call sends no `max_result`.
    pub default_page_size: u64,
    /// Print one line per request on stderr (the program does; tests need not).
    pub log_requests: bool,
    /// The Identity Center user: the session name of SSO role credentials.
    pub user_name: String,
    /// When set, AssumeRole credentials live this long whatever
    /// `DurationSeconds` asks (tests need lifetimes of seconds).
    pub assumed_role_lifetime: Option<Duration>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            credential_lifetime: Duration::from_secs(3600),
            token_lifetime: Duration::from_secs(8 * 3600),
            client_lifetime: Duration::from_secs(90 * 24 * 3600),
            device_code_lifetime: Duration::from_secs(600),
            device_poll_interval: Duration::from_secs(1),
            enforce_poll_interval: true,
            auto_approve_devices: false,
            authorize_decision: AuthorizeDecision::Approve,
            rate_limit: None,
            default_page_size: 20,
            log_requests: false,
            user_name: "user@example.com".to_owned(),
            assumed_role_lifetime: None,
        }
    }
}

pub(crate) struct ClientRecord {
    pub secret: String,
    pub expires_at: SystemTime,
    pub scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
}

impl ClientRecord {
    /// A registration that names no grant types may use the device and
    /// refresh grants (what AWS CLI's legacy registration relies on); one
    /// that names them is held to them.
    pub(crate) fn allows_grant(&self, grant: &str) -> bool {
        let short = grant.rsplit(':').next().unwrap_or(grant);
        self.grant_types.is_empty()
            || self
                .grant_types
                .iter()
                .any(|allowed| allowed == grant || allowed == short)
    }

    /// Refresh tokens are issued only to registrations with scopes.
    pub(crate) fn gets_refresh_tokens(&self) -> bool {
        !self.scopes.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved,
    Denied,
    /// A token was issued; the code cannot be redeemed again.
    Redeemed,
}

pub(crate) struct DeviceRecord {
    pub client_id: String,
    pub user_code: String,
    pub expires_at: SystemTime,
    pub interval: Duration,
    pub status: DeviceStatus,
    pub last_poll: Option<Instant>,
}

pub(crate) struct AuthCodeRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub expires_at: SystemTime,
}

pub(crate) struct AccessTokenRecord {
    pub expires_at: SystemTime,
    pub revoked: bool,
    /// The refresh token issued with it, revoked with it at Logout.
    pub refresh_token: Option<String>,
}

pub(crate) struct RefreshTokenRecord {
    pub client_id: String,
    pub revoked: bool,
}

/// A set of temporary credentials the emulator issued (by GetRoleCredentials
/// or AssumeRole), which STS and the sign-in endpoint accept until it expires.
pub(crate) struct SessionRecord {
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_at: SystemTime,
    pub account_id: String,
    /// The IAM role this is a session of: what trust policies name.
    pub role_arn: String,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`: who the caller is.
    pub caller_arn: String,
    /// `AROA…:SESSION`, GetCallerIdentity's `UserId`.
    pub user_id: String,
}

/// Why presented session credentials were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionProblem {
    /// No session has this access key id.
    UnknownKey,
    /// The session token is missing or not the one issued with the key.
    WrongToken,
    /// The credentials are past their expiration.
    Expired,
}

/// Whether two secrets are equal, in a time that does not depend on where
/// they differ.
pub(crate) fn secrets_equal(presented: &str, issued: &str) -> bool {
    bool::from(presented.as_bytes().ct_eq(issued.as_bytes()))
}

/// Who a new session belongs to; the emulator adds the keys.
pub(crate) struct SessionIdentity {
    pub account_id: String,
    pub role_arn: String,
    pub caller_arn: String,
    pub user_id: String,
}

/// What a client is handed for a new session.
pub(crate) struct IssuedCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_at: SystemTime,
}

/// A console sign-in token from getSigninToken: good for one login within
/// 15 minutes.
pub(crate) struct SigninTokenRecord {
    /// The session it signs in as.
    pub access_key_id: String,
    pub expires_at: SystemTime,
    pub used: bool,
}

struct ArmedFault {
    operation: Operation,
    fault: Fault,
    calls_seen: u64,
    times_fired: u64,
}

/// What to do with a request before the operation's handler sees it.
pub(crate) enum Interception {
    Proceed,
    Fail(ApiError),
    Delay(Duration),
    Garbage,
    Drop,
}

pub(crate) struct State {
    pub config: Config,
    pub accounts: AccountSet,
    pub clients: HashMap<String, ClientRecord>,
    /// Keyed by device code.
    pub devices: HashMap<String, DeviceRecord>,
    pub auth_codes: HashMap<String, AuthCodeRecord>,
    pub access_tokens: HashMap<String, AccessTokenRecord>,
    pub refresh_tokens: HashMap<String, RefreshTokenRecord>,
    /// Issued temporary credentials, keyed by access key id.
    pub sessions: HashMap<String, SessionRecord>,
    /// Roles AssumeRole can enter, keyed by ARN.
    pub roles: HashMap<String, AssumableRole>,
    /// Console sign-in tokens, keyed by the token.
    pub signin_tokens: HashMap<String, SigninTokenRecord>,
    /// Every console page served, in order.
    pub console_logins: Vec<ConsoleSignIn>,
    faults: Vec<ArmedFault>,
    /// Start of the current one-second rate window and requests in it.
    rate_window: Option<(Instant, u32)>,
    pub calls: HashMap<Operation, u64>,
    pub requests: Vec<RecordedRequest>,
    /// Every secret handed out, so leak checks know what to look for.
    pub issued_secrets: Vec<String>,
    /// Every role-credential access key id handed out (not secret, but masked in places).
    pub issued_access_key_ids: Vec<String>,
    /// The role credentials' secret access keys and session tokens among `issued_secrets`.
    pub issued_role_secrets: Vec<String>,
}

impl State {
    /// A fresh emulator: three generated accounts, each with
    /// AdministratorAccess and ReadOnly, and no tokens.
    pub(crate) fn new() -> State {
        State {
            config: Config::default(),
            accounts: AccountSet::Generated {
                count: 3,
                role_names: vec!["AdministratorAccess".into(), "ReadOnly".into()],
            },
            clients: HashMap::new(),
            devices: HashMap::new(),
            auth_codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            sessions: HashMap::new(),
            roles: HashMap::new(),
            signin_tokens: HashMap::new(),
            console_logins: Vec::new(),
            faults: Vec::new(),
            rate_window: None,
            calls: HashMap::new(),
            requests: Vec::new(),
            issued_secrets: Vec::new(),
            issued_access_key_ids: Vec::new(),
            issued_role_secrets: Vec::new(),
        }
    }

    /// Counts and logs a request, then decides whether the rate limit or an
    /// injected fault answers it instead of the handler.
    pub(crate) fn intercept(&mut self, request: RecordedRequest) -> Interception {
        let operation = request.operation;
        *self.calls.entry(operation).or_default() += 1;
        self.requests.push(request);

        if let Some(limit) = self.config.rate_limit {
            let now = Instant::now();
            let window = match self.rate_window {
                Some((start, count)) if now.duration_since(start) < Duration::from_secs(1) => {
                    (start, count + 1)
                }
                _ => (now, 1),
            };
            self.rate_window = Some(window);
            if window.1 > limit {
                // Each API throttles in its own words.
                let error = if operation.is_sts_api() {
                    ApiError::throttling()
                } else {
                    ApiError::too_many_requests()
                };
                return Interception::Fail(error);
            }
        }

        let mut chosen = None;
        for armed in self
            .faults
            .iter_mut()
            .filter(|armed| armed.operation == operation)
        {
            armed.calls_seen += 1;
            let fires = match armed.fault.trigger {
                Trigger::Always => true,
                Trigger::Nth(n) => armed.calls_seen == n,
                Trigger::Times(n) => armed.times_fired < n,
            };
            if fires && chosen.is_none() {
                armed.times_fired += 1;
                chosen = Some(armed.fault.kind.clone());
            }
        }
        match chosen {
            None => Interception::Proceed,
            Some(FaultKind::Error {
                status,
                name,
                message,
            }) => Interception::Fail(ApiError::new(status, &name, message)),
            Some(FaultKind::Delay(delay)) => Interception::Delay(delay),
            Some(FaultKind::GarbageBody) => Interception::Garbage,
            Some(FaultKind::DropConnection) => Interception::Drop,
        }
    }

    pub(crate) fn inject_fault(&mut self, operation: Operation, fault: Fault) {
        self.faults.push(ArmedFault {
            operation,
            fault,
            calls_seen: 0,
            times_fired: 0,
        });
    }

    pub(crate) fn clear_faults(&mut self) {
        self.faults.clear();
    }

    pub(crate) fn register_client(
        &mut self,
        scopes: Vec<String>,
        grant_types: Vec<String>,
        redirect_uris: Vec<String>,
        lifetime: Duration,
        now: SystemTime,
    ) -> ClientRegistration {
        let client_id = secrets::opaque("", 24);
        let client_secret = secrets::opaque("", 96);
        self.issued_secrets.push(client_secret.clone());
        let expires_at = now + lifetime;
        self.clients.insert(
            client_id.clone(),
            ClientRecord {
                secret: client_secret.clone(),
                expires_at,
                scopes: scopes.clone(),
                grant_types,
                redirect_uris,
            },
        );
        ClientRegistration {
            client_id,
            client_secret,
            expires_at,
            scopes,
        }
    }

    /// The registration for `client_id` if the secret matches and it has not
    /// expired; otherwise the InvalidClientException every OIDC call answers.
    pub(crate) fn authenticate_client(
        &self,
        client_id: &str,
        client_secret: &str,
        now: SystemTime,
    ) -> Result<&ClientRecord, ApiError> {
        match self.clients.get(client_id) {
            Some(client) if client.secret != client_secret => {
                Err(ApiError::invalid_client("Client authentication failed"))
            }
            Some(client) if now >= client.expires_at => {
                Err(ApiError::invalid_client("Client registration has expired"))
            }
            Some(client) => Ok(client),
            None => Err(ApiError::invalid_client("Unknown client")),
        }
    }

    /// A new access token (and a refresh token bound to `refresh_client`
    /// when given).
    pub(crate) fn issue_tokens(
        &mut self,
        refresh_client: Option<&str>,
        lifetime: Duration,
        now: SystemTime,
    ) -> IssuedToken {
        let access_token = secrets::opaque("aoa", 96);
        self.issued_secrets.push(access_token.clone());
        let refresh_token = refresh_client.map(|client_id| {
            let token = secrets::opaque("aor", 96);
            self.issued_secrets.push(token.clone());
            self.refresh_tokens.insert(
                token.clone(),
                RefreshTokenRecord {
                    client_id: client_id.to_owned(),
                    revoked: false,
                },
            );
            token
        });
        let expires_at = now + lifetime;
        self.access_tokens.insert(
            access_token.clone(),
            AccessTokenRecord {
                expires_at,
                revoked: false,
                refresh_token: refresh_token.clone(),
            },
        );
        IssuedToken {
            access_token,
            refresh_token,
            expires_at,
            client: None,
        }
    }

    /// New temporary credentials for `identity`, valid until `expires_at`,
    /// recorded so STS and the sign-in endpoint accept them and listed among
    /// the issued secrets for leak checks.
    pub(crate) fn issue_session(
        &mut self,
        identity: SessionIdentity,
        expires_at: SystemTime,
    ) -> IssuedCredentials {
        let issued = IssuedCredentials {
            access_key_id: secrets::access_key_id(),
            secret_access_key: secrets::secret_access_key(),
            session_token: secrets::session_token(),
            expires_at,
        };
        self.issued_access_key_ids
            .push(issued.access_key_id.clone());
        for secret in [&issued.secret_access_key, &issued.session_token] {
            self.issued_secrets.push(secret.clone());
            self.issued_role_secrets.push(secret.clone());
        }
        self.sessions.insert(
            issued.access_key_id.clone(),
            SessionRecord {
                secret_access_key: issued.secret_access_key.clone(),
                session_token: issued.session_token.clone(),
                expires_at,
                account_id: identity.account_id,
                role_arn: identity.role_arn,
                caller_arn: identity.caller_arn,
                user_id: identity.user_id,
            },
        );
        issued
    }

    /// The session with this access key id, if `session_token` is the one
    /// issued with it and it has not expired, checked in that order (the
    /// order of STS's answers). The secret is not checked here: STS checks
    /// it through the signature, the sign-in endpoint directly.
    pub(crate) fn session_for(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
        now: SystemTime,
    ) -> Result<&SessionRecord, SessionProblem> {
        let session = self
            .sessions
            .get(access_key_id)
            .ok_or(SessionProblem::UnknownKey)?;
        if !session_token.is_some_and(|token| secrets_equal(token, &session.session_token)) {
            return Err(SessionProblem::WrongToken);
        }
        if now >= session.expires_at {
            return Err(SessionProblem::Expired);
        }
        Ok(session)
    }

    /// Whether the portal accepts `token` right now.
    pub(crate) fn access_token_is_valid(&self, token: &str, now: SystemTime) -> bool {
        self.access_tokens
            .get(token)
            .is_some_and(|record| !record.revoked && now < record.expires_at)
    }

    /// Revokes an access token (with its refresh token) or a refresh token.
    /// Returns whether anything was revoked.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        if let Some(record) = self.access_tokens.get_mut(token) {
            record.revoked = true;
            if let Some(refresh) = record.refresh_token.clone() {
                self.revoke(&refresh);
            }
            return true;
        }
        if let Some(record) = self.refresh_tokens.get_mut(token) {
            record.revoked = true;
            return true;
        }
        false
    }

    /// Sets the decision on the device authorization with this user code.
    /// Returns false when there is no such code still waiting for one.
    pub(crate) fn decide_device(&mut self, user_code: &str, approve: bool) -> bool {
        let wanted = normalize_user_code(user_code);
        match self
            .devices
            .values_mut()
            .find(|device| normalize_user_code(&device.user_code) == wanted)
        {
            Some(device) if device.status == DeviceStatus::Pending => {
                device.status = if approve {
                    DeviceStatus::Approved
                } else {
                    DeviceStatus::Denied
                };
                true
            }
            _ => false,
        }
    }
}

/// User codes are compared without case and dash, as people type them.
fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
