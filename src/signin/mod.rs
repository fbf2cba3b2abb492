//! Signing in to and out of an SSO session: what `ssoenv login` and `ssoenv
//! logout` do.
//!
//! Sign-in registers an OIDC client (or reuses the cached registration, see
//! [`registration`]), gets a token through the browser with PKCE ([`pkce`])
//! or with a device code ([`device`]), and writes it to the AWS CLI's token
//! cache with the client and refresh token, so the AWS CLI, botocore and the
//! prompt hook all refresh it without the user. Nothing here prints a token,
//! a secret, a code or the verifier.

mod device;
mod pkce;
pub mod registration;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::aws::{self, Failure, Service};
use crate::browser::PrivatePage;
use crate::config::{SsoSession, Target};
use crate::error::{Error, Result};
use crate::sso_token::{self, SsoToken};
use crate::{credentials, engine, fsutil, paths};

use registration::{Need, Registration};

/// How long a login waits for the user, unless `SSOENV_LOGIN_TIMEOUT` says otherwise.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How the user asked to sign in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--device-code`.
    pub device_code: bool,
    /// `--no-browser`: print the URL, open nothing.
    pub no_browser: bool,
}

/// What a successful sign-in left in the token cache.
#[derive(Debug)]
pub struct SignedIn {
    pub expires_at: SystemTime,
    pub refreshable: bool,
    pub cache_file: PathBuf,
}

/// Signs in to `session` interactively and stores the token.
pub fn login(session: &SsoSession, options: Options) -> Result<SignedIn> {
    runtime()?.block_on(login_async(session, options))
}

async fn login_async(session: &SsoSession, options: Options) -> Result<SignedIn> {
    let ui = Ui::new();
    let deadline = Instant::now() + login_timeout();
    let can_open = !options.no_browser && browser_available();
    let use_device_code = options.device_code || (!options.no_browser && !can_open);
    if use_device_code && !options.device_code {
        ui.say(
            "no browser can be opened here (no DISPLAY, or an SSH session) — using a device code",
        );
    }
    let need = if use_device_code {
        Need::DeviceCode
    } else {
        Need::AuthorizationCode
    };
    let registration =
        registration::obtain(session, need, request_deadline(Some(deadline))).await?;
    let issued = if use_device_code {
        device::sign_in(session, &registration, can_open, &ui, deadline).await?
    } else {
        browser_flow(session, &registration, can_open, &ui, deadline).await?
    };
    let token = SsoToken {
        start_url: Some(session.start_url.clone()),
        region: Some(session.region.clone()),
        access_token: issued.access_token,
        expires_at: SystemTime::now() + issued.expires_in,
        client_id: Some(registration.client_id.clone()),
        client_secret: Some(registration.client_secret.clone()),
        registration_expires_at: Some(registration.expires_at),
        refresh_token: issued.refresh_token,
        other: serde_json::Map::new(),
    };
    let cache_file = sso_token::save_signed_in(session, &token)?;
    Ok(SignedIn {
        expires_at: token.expires_at,
        refreshable: token.refresh_grant().is_some(),
        cache_file,
    })
}

/// The authorization-code flow: listener, browser, code, token.
async fn browser_flow(
    session: &SsoSession,
    registration: &Registration,
    open: bool,
    ui: &Ui,
    deadline: Instant,
) -> Result<Issued> {
    let listener = pkce::Listener::bind().await?;
    let secrets = pkce::Pkce::new()?;
    let redirect_uri = listener.redirect_uri();
    let url = pkce::authorize_url(
        &Service::Oidc.endpoint(&session.region),
        &registration.client_id,
        &redirect_uri,
        &registration.scopes,
        &secrets,
    );
    // The URL carries the login's `state`: the browser gets it through a
    // page no other user can fetch, so none can end this login with a
    // forged callback (see `crate::browser`).
    let mut page = None;
    if open {
        ui.say(&format!(
            "opening your browser to sign in; if it does not open, visit:\n\n  {url}\n"
        ));
        match PrivatePage::new(&url).and_then(|new| new.open_in_browser().map(|()| new)) {
            Ok(opened) => page = Some(opened.serve_in_background(deadline)),
            Err(err) => ui.say(&format!("{} — open the URL above yourself", err.message())),
        }
    } else {
        ui.say(&format!(
            "to sign in, open this URL in a browser on this machine (on another machine, use --device-code):\n\n  {url}\n"
        ));
    }
    let spinner = ui.spinner("waiting for the browser…");
    let waited = listener
        .wait(&secrets.state, deadline, || {
            spinner.suspend(|| {
                ui.say("refused a sign-in response that does not belong to this login");
            });
        })
        .await;
    spinner.finish_and_clear();
    if let Some(page) = page {
        page.finish();
    }
    let Some((outcome, mut stream)) = waited? else {
        return Err(timed_out());
    };
    let code = match outcome {
        pkce::Outcome::Code(code) => code,
        pkce::Outcome::Refused(error) => {
            pkce::respond(
                &mut stream,
                400,
                "Sign-in failed",
                "Return to the terminal.",
            )
            .await;
            return Err(browser_refusal(&error));
        }
    };
    let grant = Grant::AuthorizationCode {
        code: &code,
        redirect_uri: &redirect_uri,
        verifier: &secrets.verifier,
    };
    match create_token(session, registration, grant, Some(deadline)).await {
        Ok(issued) => {
            pkce::respond(
                &mut stream,
                200,
                "Signed in",
                "ssoenv is signed in. You can close this tab and return to the terminal.",
            )
            .await;
            Ok(issued)
        }
        Err(refused) => {
            pkce::respond(
                &mut stream,
                400,
                "Sign-in failed",
                "Return to the terminal.",
            )
            .await;
            Err(refused.into_error())
        }
    }
}

/// `error=` from the authorize page, named only when it looks like an OAuth code.
fn browser_refusal(error: &str) -> Error {
    if error == "access_denied" {
        return Error::new("sign-in was denied in the browser — run 'ssoenv login' to try again");
    }
    let named = !error.is_empty()
        && error.len() <= 64
        && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let what = if named {
        error
    } else {
        "an unrecognised error"
    };
    Error::new(format!(
        "the sign-in page answered with {what} — run 'ssoenv login' to try again"
    ))
}

/// The grants sign-in redeems with CreateToken.
pub(crate) enum Grant<'a> {
    DeviceCode(&'a str),
    AuthorizationCode {
        code: &'a str,
        redirect_uri: &'a str,
        verifier: &'a str,
    },
}

/// A token from CreateToken. No Debug: everything in it is secret but the lifetime.
pub(crate) struct Issued {
    access_token: String,
    expires_in: Duration,
    refresh_token: Option<String>,
}

/// Why CreateToken gave no token.
pub(crate) enum Refused {
    Pending,
    SlowDown,
    Expired,
    Denied,
    Other(Error),
}

impl Refused {
    fn into_error(self) -> Error {
        match self {
            Refused::Pending | Refused::SlowDown => {
                Error::new("the sign-in was not completed — run 'ssoenv login' again")
            }
            Refused::Expired => {
                Error::new("the sign-in expired before it was completed — run 'ssoenv login' again")
            }
            Refused::Denied => Error::new("sign-in was denied — run 'ssoenv login' to try again"),
            Refused::Other(err) => err,
        }
    }
}

/// One CreateToken attempt, no retries: the caller decides what each refusal means.
pub(crate) async fn create_token(
    session: &SsoSession,
    registration: &Registration,
    grant: Grant<'_>,
    login_deadline: Option<Instant>,
) -> Result<Issued, Refused> {
    let endpoint = Service::Oidc.endpoint(&session.region);
    let deadline = request_deadline(login_deadline);
    let client = aws::oidc_client_single_attempt(&session.region, &endpoint, deadline)
        .map_err(Refused::Other)?;
    let request = client
        .create_token()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret);
    let request = match grant {
        Grant::DeviceCode(device_code) => request
            .grant_type(registration::DEVICE_CODE_GRANT)
            .device_code(device_code),
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            verifier,
        } => request
            .grant_type(registration::AUTHORIZATION_CODE_GRANT)
            .code(code)
            .redirect_uri(redirect_uri)
            .code_verifier(verifier),
    };
    let output = aws::with_deadline(request.send(), deadline, Service::Oidc, &endpoint)
        .await
        .map_err(Refused::Other)?
        .map_err(|err| match aws::failure(&err) {
            Failure::Service(code, message) => match code.as_str() {
                "AuthorizationPendingException" => Refused::Pending,
                "SlowDownException" => Refused::SlowDown,
                "ExpiredTokenException" => Refused::Expired,
                "AccessDeniedException" => Refused::Denied,
                _ => Refused::Other(
                    Failure::Service(code, message).into_error(Service::Oidc, &endpoint),
                ),
            },
            other => Refused::Other(other.into_error(Service::Oidc, &endpoint)),
        })?;
    let bad = |what| Refused::Other(aws::bad_answer(Service::Oidc, &endpoint, what));
    let access_token = output.access_token.ok_or_else(|| bad("no accessToken"))?;
    let expires_in = u64::try_from(output.expires_in)
        .ok()
        .filter(|secs| *secs > 0)
        .ok_or_else(|| bad("no expiresIn"))?;
    Ok(Issued {
        access_token,
        expires_in: Duration::from_secs(expires_in),
        refresh_token: output.refresh_token.filter(|t| !t.is_empty()),
    })
}

/// `SSOENV_LOGIN_TIMEOUT` (e.g. `10m`), default [`DEFAULT_LOGIN_TIMEOUT`].
fn login_timeout() -> Duration {
    std::env::var("SSOENV_LOGIN_TIMEOUT")
        .ok()
        .and_then(|text| humantime::parse_duration(text.trim()).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(DEFAULT_LOGIN_TIMEOUT)
}

fn timed_out() -> Error {
    Error::new(format!(
        "sign-in was not completed within {} — run 'ssoenv login' again (SSOENV_LOGIN_TIMEOUT sets how long it waits)",
        humantime::format_duration(login_timeout())
    ))
}

/// The deadline of one request: `SSOENV_TIMEOUT` from now, but not past the login's.
fn request_deadline(login_deadline: Option<Instant>) -> Instant {
    let request = engine::command_deadline();
    login_deadline.map_or(request, |login| request.min(login))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))
}

/// Whether a browser can be shown to the user from here: `$BROWSER` is set,
/// or the system has a desktop this session can open windows on.
pub(crate) fn browser_available() -> bool {
    std::env::var_os("BROWSER").is_some_and(|v| !v.is_empty()) || crate::platform::has_desktop()
}

/// Opens `url`, which a server sent, in the browser; if that fails the
/// printed URL still works. Only a web page: never a local file or another
/// application's URL scheme.
fn open_browser(url: &str, ui: &Ui) {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        ui.say("not opening a browser: the sign-in page is not a web address — open the URL above yourself");
        return;
    }
    if let Err(err) = webbrowser::open(url) {
        ui.say(&format!(
            "could not open a browser ({err}) — open the URL above yourself"
        ));
    }
}

/// Messages and the spinner, both on stderr; the spinner only on a terminal.
pub(crate) struct Ui {
    interactive: bool,
}

impl Ui {
    fn new() -> Self {
        Self {
            interactive: std::io::stderr().is_terminal(),
        }
    }

    pub(crate) fn say(&self, text: &str) {
        let _ = writeln!(std::io::stderr(), "ssoenv: {text}");
    }

    pub(crate) fn spinner(&self, text: &str) -> ProgressBar {
        if !self.interactive {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_message(text.to_owned());
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    }
}

// ----- sign-out ------------------------------------------------------------------

/// What the portal said to Logout.
#[derive(Debug)]
pub enum PortalLogout {
    /// The session ended on the server.
    Done,
    /// There was no cached token to sign out with.
    NoToken,
    /// The server no longer knew the token (expired or signed out elsewhere).
    AlreadyEnded,
    /// The call failed; the local files were removed anyway.
    Failed(Error),
}

/// What a sign-out did.
#[derive(Debug)]
pub struct SignedOut {
    pub portal: PortalLogout,
    pub token_removed: bool,
    /// Role credentials removed from ssoenv's cache and the AWS CLI's.
    pub credentials_removed: usize,
}

/// Signs out of `session`: the portal's Logout with the cached token, then
/// the token cache file and every role credential cached for the session
/// (ssoenv's, and the AWS CLI's for the roles ssoenv knows, and for
/// `target`'s SSO role when the sign-out is for one) removed. Local cleanup
/// happens whatever the portal says.
pub fn logout(session: &SsoSession, target: Option<&Target>) -> Result<SignedOut> {
    // A damaged token file cannot be used to sign out, but is still removed.
    let token = sso_token::load(session).ok().flatten();
    let portal = match &token {
        None => PortalLogout::NoToken,
        Some(token) => runtime()?.block_on(portal_logout(session, &token.access_token)),
    };
    // A keyring that cannot remove its items fails the sign-out, but only
    // after the role credentials are gone too.
    let token_removed = sso_token::remove(session);
    let mut roles = credentials::remove_session(session)?;
    let mut removed = roles.len();
    if let Some(target) = target {
        roles.push((target.account_id.clone(), target.role_name.clone()));
    }
    roles.sort();
    roles.dedup();
    let cli_cache = paths::home()?.join(".aws").join("cli").join("cache");
    for (account_id, role_name) in &roles {
        let key = cli_role_cache_key(session, account_id, role_name);
        if fsutil::remove_if_exists(&cli_cache.join(format!("{key}.json")))? {
            removed += 1;
        }
    }
    let token_removed = token_removed?;
    Ok(SignedOut {
        portal,
        token_removed,
        credentials_removed: removed,
    })
}

async fn portal_logout(session: &SsoSession, access_token: &str) -> PortalLogout {
    let endpoint = Service::Portal.endpoint(&session.region);
    let deadline = engine::command_deadline();
    let client = match aws::portal_client(&session.region, &endpoint, deadline) {
        Ok(client) => client,
        Err(err) => return PortalLogout::Failed(err),
    };
    let request = client.logout().access_token(access_token).send();
    match aws::with_deadline(request, deadline, Service::Portal, &endpoint).await {
        Err(err) => PortalLogout::Failed(err),
        Ok(Ok(_)) => PortalLogout::Done,
        Ok(Err(err)) => match aws::failure(&err) {
            Failure::Service(code, _) if code == "UnauthorizedException" => {
                PortalLogout::AlreadyEnded
            }
            other => PortalLogout::Failed(other.into_error(Service::Portal, &endpoint)),
        },
    }
}

/// The AWS CLI's role-credential cache key: SHA-1 of
/// `json.dumps({"accountId":..,"roleName":..,"sessionName" or "startUrl":..},
/// sort_keys=True, separators=(",", ":"))`.
fn cli_role_cache_key(session: &SsoSession, account_id: &str, role_name: &str) -> String {
    let json = |s: &str| serde_json::Value::from(s).to_string();
    let last = match &session.name {
        Some(name) => format!("\"sessionName\":{}", json(name)),
        None => format!("\"startUrl\":{}", json(&session.start_url)),
    };
    let text = format!(
        "{{\"accountId\":{},\"roleName\":{},{last}}}",
        json(account_id),
        json(role_name)
    );
    sha1_smol::Sha1::from(text).digest().to_string()
}

/// For `login`'s last line: "expires in 7h 59m".
pub fn describe_expiry(time: SystemTime) -> String {
    format!("expires {}", crate::timefmt::describe_expiry(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_role_cache_key_matches_the_aws_cli() {
        let session = SsoSession {
            name: Some("dev".to_owned()),
            start_url: "https://d-abc123.awsapps.com/start".to_owned(),
            region: "us-east-1".to_owned(),
            scopes: Vec::new(),
        };
        assert_eq!(
            cli_role_cache_key(&session, "012345678901", "SampleRole"),
            "4f0072b03f86a95e613340c2868ab49e9cc60d6e"
        );
    }

    #[test]
    fn browser_errors_are_named_only_when_they_look_like_oauth_codes() {
        assert!(
            browser_refusal("access_denied")
                .message()
                .contains("denied")
        );
        assert!(
            browser_refusal("server_error")
                .message()
                .contains("server_error")
        );
        let odd = browser_refusal("<script>");
        assert!(!odd.message().contains("script"), "{}", odd.message());
    }
}
