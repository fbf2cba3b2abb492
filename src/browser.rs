//! Handing the browser a URL that is a secret — the console's sign-in URL,
//! the login's authorize URL with its `state` — on a machine other users
//! share.
//!
//! A browser's command line is visible to every local user (`ps`,
//! `/proc/*/cmdline`), so the URL never goes there. The browser is given a
//! one-time page on 127.0.0.1 that redirects to the URL, and that page is
//! useless to anyone else:
//! - where the system says who owns a loopback connection (Linux's
//!   `/proc/net/tcp`), connections from other users are closed unanswered;
//! - elsewhere (macOS, or `SSOENV_FORCE_PORTABLE=1`), the browser opens a
//!   0600 file in a private directory that redirects to the page, whose
//!   random path is then only in that file.
//!
//! Each connection is answered on its own thread with a short timeout, so
//! one held open blocks nothing; the page answers once, and only the wait
//! for it tells whether the browser really came.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::endpoint::random_hex;
use crate::error::{Error, Result};
use crate::{fsutil, platform};

/// How long one connection may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections answered at once; more are closed unanswered (a browser
/// makes one or two).
const MAX_ANSWERING: usize = 32;

/// A one-time page that redirects the user's browser to a secret URL.
pub struct PrivatePage {
    listener: TcpListener,
    /// The page's random path, `/<64 hex digits>`.
    path: String,
    url: String,
    /// What the browser is told to open.
    address: String,
    /// The private directory of the file the browser opens, when it opens
    /// one; removed with the page.
    file_dir: Option<fsutil::TempDir>,
}

impl PrivatePage {
    /// Prepares the page for `url`.
    pub fn new(url: &str) -> Result<PrivatePage> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
            .map_err(|e| Error::new(format!("cannot listen on 127.0.0.1 for the browser: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::new(format!("cannot listen on 127.0.0.1 for the browser: {e}")))?
            .port();
        let path = format!("/{}", random_hex(32)?);
        let page = format!("http://127.0.0.1:{port}{path}");
        let (address, file_dir) = if platform::tells_loopback_owners() {
            (page, None)
        } else {
            let (file, dir) = redirect_file(&page)?;
            (file_url(&file), Some(dir))
        };
        Ok(PrivatePage {
            listener,
            path,
            url: url.to_owned(),
            address,
            file_dir,
        })
    }

    /// Starts the user's browser on the page.
    pub fn open_in_browser(&self) -> Result<()> {
        webbrowser::open(&self.address)
            .map_err(|e| Error::new(format!("could not open a browser ({e})")))
    }

    /// Serves the page until the user's browser has fetched it (`Ok(true)`)
    /// or `deadline` passes (`Ok(false)`).
    pub fn serve_until_fetched(self, deadline: Instant) -> Result<bool> {
        self.serve(deadline, &AtomicBool::new(false))
    }

    /// [`PrivatePage::serve_until_fetched`] on a thread of its own, for a
    /// caller with other things to wait for (the login's callback).
    pub fn serve_in_background(self, deadline: Instant) -> Background {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || self.serve(deadline, &stopping).unwrap_or(false));
        Background { stop, thread }
    }

    fn serve(self, deadline: Instant, stop: &AtomicBool) -> Result<bool> {
        let fetched = Arc::new(AtomicBool::new(false));
        let answering = Arc::new(AtomicUsize::new(0));
        let check_owner = self.file_dir.is_none();
        let shared = Arc::new((self.path.clone(), self.url.clone()));
        while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
            if fetched.load(Ordering::Relaxed) {
                return Ok(true);
            }
            let (stream, peer) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) => {
                    return Err(Error::new(format!(
                        "the loopback page for the browser failed: {e}"
                    )));
                }
            };
            if check_owner && !from_this_user(&stream, peer) {
                continue;
            }
            if answering.fetch_add(1, Ordering::Relaxed) >= MAX_ANSWERING {
                answering.fetch_sub(1, Ordering::Relaxed);
                continue;
            }
            let (shared, fetched, answering) = (shared.clone(), fetched.clone(), answering.clone());
            std::thread::spawn(move || {
                if answer(stream, &shared.0, &shared.1) {
                    fetched.store(true, Ordering::Relaxed);
                }
                answering.fetch_sub(1, Ordering::Relaxed);
            });
        }
        // A request answered just before the deadline still counts.
        std::thread::sleep(Duration::from_millis(50));
        Ok(fetched.load(Ordering::Relaxed))
    }
}

/// A page served on its own thread.
pub struct Background {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<bool>,
}

impl Background {
    /// Stops serving; whether the browser fetched the page.
    pub fn finish(self) -> bool {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(false)
    }
}

/// The connection comes from a process of this user's (checked before a
/// byte of it is read).
fn from_this_user(stream: &TcpStream, peer: SocketAddr) -> bool {
    stream
        .local_addr()
        .is_ok_and(|local| platform::loopback_peer_is_current_user(local, peer) == Some(true))
}

/// Answers one request: the redirect for `GET <path>`, 404 otherwise.
/// Returns whether the redirect was sent.
fn answer(mut stream: TcpStream, path: &str, url: &str) -> bool {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    // The request line is all that matters; stop at the end of the headers.
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let matches = request.starts_with(format!("GET {path} HTTP/").as_bytes());
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

/// A 0600 HTML file, in a new 0700 directory, that sends the browser on to
/// `page`. The directory goes when the returned handle is dropped.
fn redirect_file(page: &str) -> Result<(PathBuf, fsutil::TempDir)> {
    let dir = fsutil::private_temp_dir("ssoenv-open-", "the browser's page")?;
    let file = dir.path().join("open.html");
    let html = format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta http-equiv=\"refresh\" content=\"0;url={page}\">\n<title>ssoenv</title>\n\
         <p><a href=\"{page}\">Continue</a></p>\n"
    );
    fsutil::write_private_atomic(&file, html.as_bytes())?;
    Ok((file, dir))
}

/// `file://` and the path, percent-encoded where a URL needs it.
fn file_url(path: &Path) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    format!(
        "file://{}",
        percent_encoding::percent_encode(path.as_os_str().as_encoded_bytes(), KEEP)
    )
}
