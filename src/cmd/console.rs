//! `ssoenv console`: the AWS console in the browser, signed in as exactly
//! the role this directory's credentials are for, in its region.
//!
//! The sign-in URL is a bearer secret for 15 minutes, so it never goes on
//! the browser's command line (visible to every user of the machine): the
//! browser gets a one-time page only this user can fetch, which redirects
//! to it ([`crate::browser`]). ssoenv says it opened the console only once
//! the browser has fetched that page.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::Run;
use crate::browser::PrivatePage;
use crate::cli::Console;
use crate::error::{Error, Result};
use crate::{config, engine, federation, signin};

/// How long the browser has to fetch the loopback page.
const BROWSER_WAIT: Duration = Duration::from_secs(60);

impl Run for Console {
    fn run(&self) -> Result<ExitCode> {
        let target = super::target_for(&self.source)?;
        let region = match &self.region {
            Some(region) => {
                config::check_region(region)?;
                region.clone()
            }
            None => target
                .region
                .clone()
                .unwrap_or_else(|| target.session.region.clone()),
        };
        let destination = federation::destination_url(&region, self.destination.as_deref())?;
        let endpoint = federation::signin_endpoint(&region)?;
        let deadline = engine::command_deadline();
        let creds = engine::obtain(&target, target.refresh_before, deadline)?;
        let token = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))?
            .block_on(federation::signin_token(&endpoint, &creds, deadline))?;
        let url = federation::login_url(&endpoint, &destination, &token);

        let label = target.label();
        let use_browser =
            !self.print && std::io::stdout().is_terminal() && signin::browser_available();
        if use_browser {
            hand_to_browser(&url)?;
            writeln!(
                std::io::stderr(),
                "ssoenv: opened the AWS console as {label} in {region}"
            )?;
        } else {
            writeln!(std::io::stdout(), "{url}")?;
            writeln!(
                std::io::stderr(),
                "ssoenv: sign-in URL for the AWS console as {label} in {region} — it works once, within 15 minutes"
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Gives the browser a private one-time page that redirects to `url` (see
/// [`browser`]) and waits until it has fetched it.
fn hand_to_browser(url: &str) -> Result<()> {
    let page = PrivatePage::new(url)?;
    page.open_in_browser().map_err(|e| {
        Error::new(format!(
            "{} — run 'ssoenv console --print' and open the URL yourself",
            e.message()
        ))
    })?;
    if page.serve_until_fetched(Instant::now() + BROWSER_WAIT)? {
        return Ok(());
    }
    Err(Error::new(format!(
        "the browser did not open the sign-in page within {}s — run 'ssoenv console --print' and open the URL yourself",
        BROWSER_WAIT.as_secs()
    )))
}
