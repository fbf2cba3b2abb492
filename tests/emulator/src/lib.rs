//! A local emulator of the AWS services ssoenv and the programs it hands
//! credentials to talk to: the IAM Identity Center (SSO) portal API and the
//! SSO OIDC API, held to the wire contract in the project's AWS SSO
//! reference (paths, query names, JSON field names and types, millisecond vs
//! second time stamps, error names in both the `x-amzn-ErrorType` header and
//! `__type`); STS's GetCallerIdentity and AssumeRole (Query protocol, XML,
//! every request's SigV4 signature verified against the credentials issued
//! here); and the console sign-in endpoint (`/federation`'s getSigninToken
//! and login).
//!
//! No public emulator implements the SSO services, and nothing here can be
//! tested against AWS, so this crate is what the project's tests run against.
//! It is proven against the real Rust SDK clients and against botocore as an
//! independent client (see `tests/`).
//!
//! Every credential set it issues is an IAM role session: GetRoleCredentials
//! gives a session of the permission set's `AWSReservedSSO_…` role named
//! after the user, AssumeRole a session of the assumed role. Tests decide
//! which roles exist and whom they trust with [`AssumableRole`].
//!
//! ```no_run
//! use std::time::Duration;
//! use sso_emulator::{Emulator, Fault, Operation};
//!
//! let emulator = Emulator::start();
//! emulator.generate_accounts(250, &["AdministratorAccess", "ReadOnly"]);
//! let token = emulator.issue_token(Duration::from_secs(3600));
//! emulator.inject_fault(Operation::GetRoleCredentials, Fault::error(500, "InternalServerException", "boom").nth(1));
//! // ... point a client at emulator.url() with token.access_token ...
//! assert_eq!(emulator.calls(Operation::GetRoleCredentials), 0);
//! ```
//!
//! A role that SSO users of one permission set may assume from STS:
//!
//! ```no_run
//! use sso_emulator::{AssumableRole, Emulator};
//!
//! let emulator = Emulator::start();
//! let sso_role = emulator.sso_role_arn("100000000000", "AdministratorAccess");
//! emulator.create_role(AssumableRole::new("arn:aws:iam::222222222222:role/Deploy").trust_role(&sso_role));
//! ```

mod accounts;
mod federation;
pub mod harness;
mod iam;
mod model;
mod oidc;
mod portal;
mod secrets;
mod server;
mod sigv4;
mod state;
mod sts;
mod timefmt;
pub mod token_cache;
mod wire;

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use tokio::sync::oneshot;

pub use model::{
    Account, AssumableRole, AuthorizeDecision, ClientRegistration, ConsoleSignIn, Fault, FaultKind,
    IssuedToken, Operation, RecordedRequest, STS_API_VERSION, Trigger,
};
pub use oidc::pkce_s256;
pub use timefmt::format_utc;

use accounts::AccountSet;
use server::Shared;
use state::{DEFAULT_SCOPE, DeviceStatus, State};

/// The loopback callback AWS CLI registers (without a port: the port is
/// chosen at login time and matched loosely).
pub const LOOPBACK_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

/// A running emulator. It serves on 127.0.0.1 from its own thread with its
/// own tokio runtime, so synchronous tests (which spawn binaries) and async
/// tests can both use it. Dropping it stops the server.
///
/// All controls take `&self`: the state sits behind a mutex shared with the
/// server, so a test can reconfigure the emulator while a client is talking
/// to it.
pub struct Emulator {
    shared: Arc<Shared>,
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts on a free port. Panics if the loopback interface cannot be
    /// bound, which only happens on a broken test machine.
    pub fn start() -> Emulator {
        Emulator::start_on_port(0).expect("could not start the SSO emulator on 127.0.0.1")
    }

    /// Starts on `port` (0 picks a free one).
    pub fn start_on_port(port: u16) -> io::Result<Emulator> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new()),
            base_url: format!("http://{address}"),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, shutdown_received) = oneshot::channel();
        let server_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("sso-emulator-{}", address.port()))
            .spawn(move || {
                runtime.block_on(server::serve(listener, server_shared, shutdown_received))
            })?;
        Ok(Emulator {
            shared,
            address,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: the endpoint for every emulated API: the
    /// portal, OIDC, STS and console sign-in (their paths and `Action`s are
    /// distinct, so one server serves them all).
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    // ----- what the portal serves -------------------------------------------------

    /// Serves exactly these accounts, in this order.
    pub fn set_accounts(&self, accounts: Vec<Account>) {
        self.state().accounts = AccountSet::Listed(accounts);
    }

    /// Serves `count` generated accounts, each with `role_names`. Account `i`
    /// (from 0) has id `100000000000 + i`, name `Account {i+1}`. Nothing is
    /// allocated per account: pages are computed when asked for, so a set of
    /// thousands costs only the pages a client reads.
    pub fn generate_accounts(&self, count: u64, role_names: &[&str]) {
        self.state().accounts = AccountSet::Generated {
            count,
            role_names: role_names.iter().map(|role| (*role).to_owned()).collect(),
        };
    }

    /// The account at listing position `index` (for tests that need real ids).
    pub fn account(&self, index: u64) -> Option<Account> {
        self.state()
            .accounts
            .get(index)
            .map(|account| account.into_owned())
    }

    /// Page size of ListAccounts / ListAccountRoles when the client sends no
    /// `max_result` (default 20, so that pagination is exercised).
    pub fn set_default_page_size(&self, page_size: u64) {
        self.state().config.default_page_size = page_size.clamp(1, 100);
    }

    /// How long role credentials from GetRoleCredentials live (default 1 h).
    pub fn set_credential_lifetime(&self, lifetime: Duration) {
        self.state().config.credential_lifetime = lifetime;
    }

    // ----- identities, roles and STS ---------------------------------------------

    /// The Identity Center user name (default `user@example.com`): the
    /// session name of SSO role credentials issued from now on, so the last
    /// segment of their assumed-role ARN.
    pub fn set_user_name(&self, user_name: &str) {
        self.state().config.user_name = user_name.to_owned();
    }

    /// Makes `role` assumable with AssumeRole (replacing a role with the
    /// same ARN). Roles not created here do not exist: AssumeRole answers
    /// AccessDenied for them, as AWS does for a role it cannot reveal.
    pub fn create_role(&self, role: AssumableRole) {
        self.state().roles.insert(role.arn().to_owned(), role);
    }

    /// The IAM role behind `permission_set` in `account_id`:
    /// `arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<PermissionSet>_<16 hex>`,
    /// the hex stable per account and permission set. This is what
    /// [`AssumableRole::trust_role`] names to trust that permission set.
    pub fn sso_role_arn(&self, account_id: &str, permission_set: &str) -> String {
        iam::sso_role_arn(account_id, permission_set)
    }

    /// What GetCallerIdentity answers for SSO role credentials of
    /// `permission_set` in `account_id` issued to the current user:
    /// `arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_<PermissionSet>_<16 hex>/<user>`.
    pub fn sso_caller_arn(&self, account_id: &str, permission_set: &str) -> String {
        let user_name = self.state().config.user_name.clone();
        portal::sso_caller_arn(account_id, permission_set, &user_name)
    }

    /// When `Some`, AssumeRole credentials live this long whatever
    /// `DurationSeconds` asks (which is still validated), so tests can watch
    /// them expire; `None` (the default) honours `DurationSeconds`.
    pub fn set_assumed_role_lifetime(&self, lifetime: Option<Duration>) {
        self.state().config.assumed_role_lifetime = lifetime;
    }

    /// Who the credentials with this access key id are, as GetCallerIdentity
    /// would answer (`None` for a key the emulator did not issue).
    pub fn caller_arn(&self, access_key_id: &str) -> Option<String> {
        self.state()
            .sessions
            .get(access_key_id)
            .map(|session| session.caller_arn.clone())
    }

    /// Every console page the sign-in endpoint served, in order.
    pub fn console_logins(&self) -> Vec<ConsoleSignIn> {
        self.state().console_logins.clone()
    }

    // ----- tokens and clients -----------------------------------------------------

    /// How long access tokens from CreateToken live (default 8 h).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state().config.token_lifetime = lifetime;
    }

    /// How long new client registrations are accepted (default 90 days).
    pub fn set_client_lifetime(&self, lifetime: Duration) {
        self.state().config.client_lifetime = lifetime;
    }

    /// Issues an access token without a login, not refreshable — what a
    /// legacy (no sso-session) AWS CLI login leaves in the cache. Tests use it
    /// to seed a token cache.
    pub fn issue_token(&self, lifetime: Duration) -> IssuedToken {
        self.state().issue_tokens(None, lifetime, SystemTime::now())
    }

    /// Registers an OIDC client without a RegisterClient call, the way AWS
    /// CLI registers for an sso-session: scope `sso:account:access` (so it
    /// gets refresh tokens) and the loopback redirect URI. It names no grant
    /// types, so it may use every grant.
    pub fn issue_client_registration(&self, lifetime: Duration) -> ClientRegistration {
        self.state().register_client(
            vec![DEFAULT_SCOPE.to_owned()],
            Vec::new(),
            vec![LOOPBACK_REDIRECT_URI.to_owned()],
            lifetime,
            SystemTime::now(),
        )
    }

    /// Issues an access token with a refresh token bound to `client` — what
    /// an sso-session login leaves in the cache.
    pub fn issue_refreshable_token(
        &self,
        client: &ClientRegistration,
        lifetime: Duration,
    ) -> IssuedToken {
        let mut token =
            self.state()
                .issue_tokens(Some(&client.client_id), lifetime, SystemTime::now());
        token.client = Some(client.clone());
        token
    }

    /// Revokes an access token (and its refresh token) or a refresh token, as
    /// a sign-out elsewhere would. Returns whether the token was known.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.state().revoke(token)
    }

    /// Whether the portal would accept this access token now.
    pub fn token_is_valid(&self, access_token: &str) -> bool {
        self.state()
            .access_token_is_valid(access_token, SystemTime::now())
    }

    // ----- device flow -----------------------------------------------------------

    /// Approves the device authorization with this user code (as the user
    /// would in the browser). Returns false if no such code awaits a decision.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.state().decide_device(user_code, true)
    }

    /// Denies it: the next CreateToken gets AccessDeniedException.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.state().decide_device(user_code, false)
    }

    /// User codes of device authorizations still waiting for a decision, so a
    /// test can approve a login it did not start itself.
    pub fn pending_user_codes(&self) -> Vec<String> {
        let state = self.state();
        let now = SystemTime::now();
        state
            .devices
            .values()
            .filter(|device| device.status == DeviceStatus::Pending && now < device.expires_at)
            .map(|device| device.user_code.clone())
            .collect()
    }

    /// New device authorizations start approved, so a login completes without
    /// a test approving it (default off).
    pub fn set_auto_approve(&self, auto_approve: bool) {
        self.state().config.auto_approve_devices = auto_approve;
    }

    /// How long a device code can be redeemed (`expiresIn`, default 10 min).
    pub fn set_device_code_lifetime(&self, lifetime: Duration) {
        self.state().config.device_code_lifetime = lifetime;
    }

    /// The polling `interval` sent with new device codes (default 1 s, as AWS
    /// sends). Polling a pending code sooner than this after the previous
    /// poll earns SlowDownException, unless turned off below.
    pub fn set_device_poll_interval(&self, interval: Duration) {
        self.state().config.device_poll_interval = interval;
    }

    /// Whether polling faster than the interval is answered with
    /// SlowDownException (default on).
    pub fn set_enforce_poll_interval(&self, enforce: bool) {
        self.state().config.enforce_poll_interval = enforce;
    }

    // ----- authorization-code flow ------------------------------------------------

    /// What `/authorize` does (default [`AuthorizeDecision::Approve`]: the
    /// browser is redirected straight back with a code).
    pub fn set_authorize_decision(&self, decision: AuthorizeDecision) {
        self.state().config.authorize_decision = decision;
    }

    // ----- faults and limits -----------------------------------------------------

    /// Makes `operation` misbehave as `fault` says. Several faults on one
    /// operation are checked in injection order; the first that fires wins.
    /// Rejected calls still count in [`Emulator::calls`].
    pub fn inject_fault(&self, operation: Operation, fault: Fault) {
        self.state().inject_fault(operation, fault);
    }

    /// Removes all injected faults.
    pub fn clear_faults(&self) {
        self.state().clear_faults();
    }

    /// Answers 429 TooManyRequestsException (STS: 400 Throttling) once more
    /// than `per_second` requests (over all operations) arrive within one
    /// second; `None` lifts it.
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        self.state().config.rate_limit = per_second;
    }

    // ----- what it saw -----------------------------------------------------------

    /// How many requests `operation` has received, including those answered
    /// by a fault or the rate limit.
    pub fn calls(&self, operation: Operation) -> u64 {
        self.state().calls.get(&operation).copied().unwrap_or(0)
    }

    /// Requests of all operations.
    pub fn total_calls(&self) -> u64 {
        self.state().calls.values().sum()
    }

    /// Every request received, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// Every secret the emulator has handed out so far: client secrets,
    /// access and refresh tokens, device and authorization codes, secret
    /// keys and session tokens (from GetRoleCredentials and AssumeRole),
    /// console sign-in tokens. For leak checks.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.state().issued_secrets.clone()
    }

    /// The role credentials' secret access keys and session tokens (from
    /// GetRoleCredentials and AssumeRole) and console sign-in tokens among
    /// [`Emulator::issued_secrets`]: what `export` may print, unlike SSO tokens.
    pub fn issued_role_secrets(&self) -> Vec<String> {
        self.state().issued_role_secrets.clone()
    }

    /// Every access key id handed out so far, by GetRoleCredentials and
    /// AssumeRole (not a secret, but shown only masked in some places).
    pub fn issued_access_key_ids(&self) -> Vec<String> {
        self.state().issued_access_key_ids.clone()
    }

    /// Forgets counters and recorded requests (tokens and clients stay).
    pub fn reset_calls(&self) {
        let mut state = self.state();
        state.calls.clear();
        state.requests.clear();
    }

    /// Prints one line per request on stderr (operation, method, path,
    /// status; never tokens). The program turns this on.
    pub fn set_log_requests(&self, log: bool) {
        self.state().config.log_requests = log;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}
