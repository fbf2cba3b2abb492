//! `ssoenv console`: the AWS console in the browser, signed in as exactly
//! the role this directory's credentials are for, in its region.
//!
//! The sign-in URL is a bearer secret for 15 minutes, so it goes to the
//! browser through a one-shot page on 127.0.0.1: the browser's command line
//! (visible to every process of the machine) holds only a random loopback
//! address that works once, and the page redirects to the real URL.

use std::io::{IsTerminal, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::Run;
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

/// Opens a random one-shot loopback address in the browser and answers its
/// request with a redirect to `url`.
fn hand_to_browser(url: &str) -> Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
        .map_err(|e| Error::new(format!("cannot listen on 127.0.0.1 for the browser: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::new(format!("cannot listen on 127.0.0.1 for the browser: {e}")))?
        .port();
    let mut nonce = [0u8; 32];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::new(format!("no randomness from the operating system: {e}")))?;
    let path: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    webbrowser::open(&format!("http://127.0.0.1:{port}/{path}")).map_err(|e| {
        Error::new(format!(
            "could not open a browser ({e}) — run 'ssoenv console --print' and open the URL yourself"
        ))
    })?;
    let deadline = Instant::now() + BROWSER_WAIT;
    while Instant::now() < deadline {
        match listener.accept() {
            // Anything else that connects (a favicon request, a port
            // scanner) gets a 404; only the random path gets the URL.
            Ok((stream, _)) => {
                if answer(stream, &path, url) {
                    return Ok(());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                return Err(Error::new(format!(
                    "the loopback page for the browser failed: {e}"
                )));
            }
        }
    }
    Err(Error::new(format!(
        "the browser did not open the sign-in page within {}s — run 'ssoenv console --print' and open the URL yourself",
        BROWSER_WAIT.as_secs()
    )))
}

/// Answers one request: the redirect for `GET /<path>`, 404 otherwise.
/// Returns whether the redirect was sent.
fn answer(mut stream: TcpStream, path: &str, url: &str) -> bool {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    // The request line is all that matters; stop at the end of the headers.
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let wanted = format!("GET /{path} HTTP/");
    let matches = request.starts_with(wanted.as_bytes());
    let response = if matches {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {url}\r\nCache-Control: no-store\r\n\
             Referrer-Policy: no-referrer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    };
    matches && stream.write_all(response.as_bytes()).is_ok()
}
