//! The device-code flow (RFC 8628) for SSH sessions and machines without a
//! browser: StartDeviceAuthorization, show the URL and code, poll CreateToken
//! at the interval the server sets, 5 s slower after each `slow_down`.

use std::time::{Duration, Instant};

use crate::aws::{self, Service};
use crate::config::SsoSession;
use crate::error::{Error, Kind, Result};

use super::registration::Registration;
use super::{Grant, Issued, Refused, Ui};

/// Used when the server sends no (or a zero) interval: RFC 8628's default.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

struct Authorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    expires_at: Instant,
    interval: Duration,
}

/// Runs the flow until the user confirms, refuses, the code expires or
/// `deadline` passes.
pub(crate) async fn sign_in(
    session: &SsoSession,
    registration: &Registration,
    open_browser: bool,
    ui: &Ui,
    deadline: Instant,
) -> Result<Issued> {
    let authorization = start(session, registration).await?;
    ui.say(&format!(
        "to sign in, open this URL and confirm the code {}:\n\n  {}\n",
        authorization.user_code, authorization.verification_uri
    ));
    if open_browser {
        super::open_browser(&authorization.verification_uri, ui);
    }
    let spinner = ui.spinner(&format!(
        "waiting for the code {} to be confirmed…",
        authorization.user_code
    ));
    let result = poll(session, registration, &authorization, deadline).await;
    spinner.finish_and_clear();
    result
}

async fn start(session: &SsoSession, registration: &Registration) -> Result<Authorization> {
    let endpoint = Service::Oidc.endpoint(&session.region);
    let deadline = super::request_deadline(None);
    let client = aws::oidc_client(&session.region, &endpoint, deadline)?;
    let request = client
        .start_device_authorization()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .start_url(&session.start_url)
        .send();
    let started = Instant::now();
    let output = aws::with_deadline(request, deadline, Service::Oidc, &endpoint)
        .await?
        .map_err(|err| aws::failure(&err).into_error(Service::Oidc, &endpoint))?;
    let (Some(device_code), Some(user_code)) = (output.device_code, output.user_code) else {
        return Err(aws::bad_answer(
            Service::Oidc,
            &endpoint,
            "no deviceCode or userCode from StartDeviceAuthorization",
        ));
    };
    let verification_uri = output
        .verification_uri_complete
        .or(output.verification_uri)
        .ok_or_else(|| aws::bad_answer(Service::Oidc, &endpoint, "no verificationUri"))?;
    let interval = u64::try_from(output.interval)
        .ok()
        .filter(|secs| *secs > 0)
        .map_or(DEFAULT_INTERVAL, Duration::from_secs);
    let lifetime = Duration::from_secs(u64::try_from(output.expires_in).unwrap_or(0));
    Ok(Authorization {
        device_code,
        user_code,
        verification_uri,
        expires_at: started + lifetime,
        interval,
    })
}

async fn poll(
    session: &SsoSession,
    registration: &Registration,
    authorization: &Authorization,
    deadline: Instant,
) -> Result<Issued> {
    let mut interval = authorization.interval;
    loop {
        let wake = Instant::now() + interval;
        if wake >= deadline {
            return Err(super::timed_out());
        }
        tokio::time::sleep_until(wake.into()).await;
        let grant = Grant::DeviceCode(&authorization.device_code);
        match super::create_token(session, registration, grant, Some(deadline)).await {
            Ok(issued) => return Ok(issued),
            Err(Refused::Pending) => {}
            Err(Refused::SlowDown) => interval += SLOW_DOWN_STEP,
            Err(Refused::Expired) => {
                return Err(Error::new(format!(
                    "the code {} expired before it was confirmed — run 'ssoenv login' again",
                    authorization.user_code
                )));
            }
            Err(Refused::Denied) => {
                return Err(Error::new(
                    "sign-in was denied in the browser — run 'ssoenv login' to try again",
                ));
            }
            // A dropped connection or a throttled poll while the user is
            // still typing the code is no reason to make them start over.
            Err(Refused::Other(err)) if err.kind() == Kind::Transient => {
                crate::log::debug(|| format!("poll failed ({err}); polling on"));
            }
            Err(Refused::Other(err)) => return Err(err),
        }
        // The server ends the code with expired_token; this only guards
        // against a server that keeps saying "pending" past the code's life.
        if Instant::now() >= authorization.expires_at + interval {
            return Err(Error::new(format!(
                "the code {} expired before it was confirmed — run 'ssoenv login' again",
                authorization.user_code
            )));
        }
    }
}
