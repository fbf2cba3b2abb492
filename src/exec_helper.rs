//! The process that serves `ssoenv exec`'s credential endpoint, so that
//! ssoenv itself can become the command with `exec(2)`.
//!
//! ```text
//! ssoenv exec (pid P) ─ spawn ─> launcher ─ setsid; fork ─> helper: serves the endpoint
//!   │    (ssoenv-core __exec-helper)      └──────── fork ─> cleaner: removes the token
//!   │                                                       directory once the helper is gone
//!   ├ sends the request on the launcher's stdin, reads the helper's report
//!   │ on its stdout, and reaps the launcher (which exits at once)
//!   └ exec ─> the command, still pid P
//! ```
//!
//! Why this shape:
//! - **A fresh launcher.** P has used the TLS stack (on macOS, the system's
//!   certificate store) before it starts the helper, and a forked copy of
//!   such a process may not use them again: Apple's frameworks refuse to
//!   run after a fork without an exec. The launcher is a new program that
//!   forks before anything of the kind has run. The request (P's identity,
//!   the first credentials, the target) travels on a pipe, never in argv.
//! - **Two forks.** Once the launcher has exited, the helper is nobody's
//!   child that the command knows of: a command that waits for all its
//!   children (`wait` in a script, an init such as tini) must not find ours.
//! - **`setsid`.** The helper and the cleaner are in a session of their own,
//!   without a terminal, so what is meant for the command — Ctrl-C, Ctrl-Z, a
//!   hangup, `kill -INT -PGID` from a CI runner or `timeout` — never reaches
//!   them, and the command gets each signal exactly once, from the kernel.
//! - **A watch on P** ([`platform::ProcessWatch`]: a pidfd on Linux, a
//!   kqueue on macOS). The helper attaches it while P waits for the report,
//!   so P is alive then; P's start time, sent in the request, tells P apart
//!   from a later process that reuses its pid. The helper learns the moment
//!   P — by then the command — exits, however it exits.
//! - **A cleaner.** The helper removes the token directory when it stops. The
//!   cleaner covers the one exit it cannot see, its own SIGKILL: it holds the
//!   read end of a pipe only the helper writes to, and end-of-file on it
//!   means the helper is gone. (A port held by a killed helper is closed by
//!   the kernel at once.)
//!
//! If the helper dies while the command runs, the command keeps the
//! credentials its SDKs already fetched; their next refresh fails to connect.
//!
//! The same helper serves a container's grant ([`crate::container`]) instead
//! of the loopback endpoint: for `exec --container` until P (by then the
//! engine's `run`) exits, for `container-args` until P's parent (the shell
//! that ran it) does.

use std::fs::{self, File};
use std::io::{self, IsTerminal, PipeReader, PipeWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::config::Target;
use crate::container::Grant;
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::platform::{self, Fork, ProcessId, ProcessWatch, StdStream};
use crate::{engine, paths, scrubbed_env};

/// What ends the messages of a helper that could not start: for `exec`,
/// whose command can do without one. A container cannot: see
/// [`for_containers`].
const NO_SERVER_HINT: &str = " — use --no-server to give the command static credentials instead";

/// `ssoenv-core`'s first argument when it is to be the launcher. Not a
/// command users see: `ssoenv-core` answers it before parsing arguments.
const LAUNCHER_ARG: &str = "__exec-helper";

/// Where the command finds the endpoint.
pub struct Served {
    /// For `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub uri: String,
    /// For `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    pub token_file: PathBuf,
}

/// What P tells the launcher, on its stdin.
#[derive(Serialize, Deserialize)]
struct Request {
    /// The process the helper serves for until it exits: P, or its parent.
    serve_for: ProcessId,
    initial: Credentials,
    target: Target,
    /// Serve a container's grant, with this static build as its relay,
    /// instead of the loopback endpoint.
    container_relay: Option<PathBuf>,
}

/// Starts the helper serving `initial` (renewed for `target`) until this
/// process exits, and returns once it is serving.
pub fn serve_until_this_process_exits(initial: Credentials, target: &Target) -> Result<Served> {
    let request = Request {
        serve_for: ProcessId::current().map_err(cannot_start)?,
        initial,
        target: target.clone(),
        container_relay: None,
    };
    match start_helper(&request)?.as_slice() {
        [uri, token_file] => Ok(Served {
            uri: uri.to_string_lossy().into_owned(),
            token_file: PathBuf::from(token_file),
        }),
        _ => Err(helper_ended()),
    }
}

/// Whom a container's grant lasts for.
pub enum GrantFor {
    /// This process, which becomes the engine's `run` (`exec --container`).
    ThisProcess,
    /// The process that started this one (`container-args`: its shell).
    Parent,
}

/// Starts the helper serving a container's grant of `initial` (renewed for
/// `target`, relayed by the static build `relay`) for as long as `whom`
/// lives; returns the directory the container mounts.
pub fn grant_container(
    initial: Credentials,
    target: &Target,
    relay: PathBuf,
    whom: GrantFor,
) -> Result<PathBuf> {
    let serve_for = match whom {
        GrantFor::ThisProcess => ProcessId::current(),
        GrantFor::Parent => ProcessId::parent(),
    };
    let request = Request {
        serve_for: serve_for.map_err(cannot_start)?,
        initial,
        target: target.clone(),
        container_relay: Some(relay),
    };
    match start_helper(&request).map_err(for_containers)?.as_slice() {
        [mounted] => Ok(PathBuf::from(mounted)),
        _ => Err(for_containers(helper_ended())),
    }
}

/// A helper's failure, with the fix for a container run in place of
/// `--no-server`, which a container cannot use.
fn for_containers(err: Error) -> Error {
    match err.message().strip_suffix(NO_SERVER_HINT) {
        Some(cause) => Error::new(format!(
            "{cause} — check that ssoenv-core runs here, then start the container again"
        )),
        None => err,
    }
}

/// Starts the launcher with `request` and returns the parts of the
/// helper's report once it serves.
fn start_helper(request: &Request) -> Result<Vec<std::ffi::OsString>> {
    let request = serde_json::to_vec(request).expect("the request encodes");
    let core = paths::core_exe()?;
    let mut launcher = Command::new(&core);
    scrubbed_env::apply(&mut launcher);
    platform::detach_launcher(&mut launcher);
    let mut launcher = launcher
        .arg(LAUNCHER_ARG)
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            cannot_start(io::Error::other(format!(
                "cannot run {}: {e}",
                paths::display(&core)
            )))
        })?;
    let sent = launcher
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&request);
    let report = read_report(launcher.stdout.take().expect("stdout is piped"));
    // A launcher that forks exits at once, and is reaped so the command
    // never finds it among its children. One that cannot fork serves (see
    // `launch`): it outlives this process, which must not wait for it.
    if platform::FORKS {
        let _ = launcher.wait();
    }
    // A launcher that failed says why in its report, which is the better message.
    let served = report?;
    sent.map_err(cannot_start)?;
    Ok(served)
}

/// What the helper serves.
enum Serving {
    Endpoint(Endpoint),
    Grant(Grant),
}

impl Serving {
    /// What to remove once the helper is gone.
    fn dir(&self) -> Option<&std::path::Path> {
        match self {
            Serving::Endpoint(endpoint) => endpoint.token_file().parent(),
            Serving::Grant(grant) => Some(grant.dir()),
        }
    }

    /// The report's parts after `ok`.
    fn report(&self) -> Vec<&[u8]> {
        match self {
            Serving::Endpoint(endpoint) => vec![
                endpoint.uri().as_bytes(),
                endpoint.token_file().as_os_str().as_encoded_bytes(),
            ],
            Serving::Grant(grant) => vec![grant.mounted().as_os_str().as_encoded_bytes()],
        }
    }

    fn stop(self) {
        match self {
            Serving::Endpoint(endpoint) => endpoint.stop(),
            Serving::Grant(grant) => grant.stop(),
        }
    }
}

/// True when this process was started as the launcher.
pub fn is_launcher() -> bool {
    let mut args = std::env::args_os().skip(1);
    args.next().is_some_and(|arg| arg == LAUNCHER_ARG) && args.next().is_none()
}

/// The launcher: reads the request, starts the helper and the cleaner in a
/// session of its own, and exits with 0 (1 when it could not).
pub fn launch() -> i32 {
    // stdout is the report pipe to P: the helper's to close once it serves.
    let report = match platform::take_stdout() {
        Ok(report) => report,
        Err(err) => {
            eprintln!("ssoenv: {}", cannot_start(err).message());
            return 1;
        }
    };
    let request = match read_request() {
        Ok(request) => request,
        Err(err) => return send_report(report, Err(err.message().to_owned())),
    };
    let _ = platform::new_session();
    // Hold no terminal input and no directory of the caller's (stderr stays:
    // the helper says there when a renewal fails).
    let _ = platform::redirect_to_null(StdStream::Input);
    let (gone_read, gone_write) = match io::pipe() {
        Ok(pipe) => pipe,
        Err(err) => return send_report(report, Err(cannot_start(err).message().to_owned())),
    };
    match platform::fork() {
        Ok(Fork::Child) => {
            drop(gone_read);
            exit_with(|| helper(request, report, Some(gone_write)))
        }
        Ok(Fork::Parent(_)) => {}
        // Windows: the launcher is the helper, started detached by P. Its
        // own `stop` removes the token directory; should it be killed, the
        // next endpoint's start sweeps the directory of a dead process.
        Err(_) if !platform::FORKS => return helper(request, report, None),
        Err(err) => return send_report(report, Err(cannot_start(err).message().to_owned())),
    }
    drop((gone_write, report));
    // Without a cleaner, the helper still cleans up after itself.
    if let Ok(Fork::Child) = platform::fork() {
        exit_with(|| cleaner(gone_read))
    }
    0
}

fn read_request() -> Result<Request> {
    let mut stdin = io::stdin();
    if stdin.is_terminal() {
        return Err(Error::new(format!(
            "'{LAUNCHER_ARG}' is started by 'ssoenv exec', not by hand"
        )));
    }
    let mut request = Vec::new();
    stdin.read_to_end(&mut request).map_err(cannot_start)?;
    serde_json::from_slice(&request).map_err(|e| {
        cannot_start(io::Error::other(format!(
            "the request from 'ssoenv exec' is not one this version reads ({e})"
        )))
    })
}

/// In the helper: serve until P exits, then clean up.
fn helper(request: Request, report: File, gone: Option<PipeWriter>) -> i32 {
    let watch = match ProcessWatch::attach(request.serve_for) {
        Ok(Some(watch)) => watch,
        Ok(None) => {
            return send_report(
                report,
                Err("ssoenv exec ended before its credential endpoint started".into()),
            );
        }
        Err(err) => {
            return send_report(
                report,
                Err(format!(
                    "cannot watch the command's process for the credential endpoint ({err}){NO_SERVER_HINT}"
                )),
            );
        }
    };
    let target = request.target;
    let renewing = target.clone();
    let renew: crate::endpoint::Renew =
        Box::new(move || engine::obtain_ahead(&renewing, engine::command_deadline()));
    let started = match &request.container_relay {
        None => {
            Endpoint::start(request.initial, target.command_margin(), renew).map(Serving::Endpoint)
        }
        Some(relay) => Grant::start(
            request.initial,
            target.command_margin(),
            renew,
            relay,
            target.region.as_deref(),
        )
        .map(Serving::Grant),
    };
    let serving = match started {
        Ok(serving) => serving,
        Err(err) => return send_report(report, Err(err.to_string())),
    };
    // The cleaner learns what to remove; the pipe stays open while we live.
    let _gone = gone.inspect(|mut pipe| {
        if let Some(dir) = serving.dir() {
            let _ = pipe.write_all(dir.as_os_str().as_encoded_bytes());
        }
    });
    send_report(report, Ok(&serving));
    watch.wait_for_exit();
    serving.stop();
    0
}

/// In the cleaner: wait for the helper to be gone, then remove its directory.
fn cleaner(mut gone: PipeReader) -> i32 {
    let _ = platform::redirect_to_null(StdStream::Error);
    let mut dir = Vec::new();
    // End of file: every copy of the write end is closed, so the helper is gone.
    let _ = gone.read_to_end(&mut dir);
    if !dir.is_empty() {
        let _ = fs::remove_dir_all(platform::os_string_from_bytes(dir));
    }
    0
}

/// The helper's one message to P: `ok NUL uri NUL token-file` (for a
/// grant: `ok NUL mounted-dir`), or `error NUL message`. Returns the
/// helper's exit code.
fn send_report(mut report: File, result: std::result::Result<&Serving, String>) -> i32 {
    let (message, code) = match result {
        Ok(serving) => {
            let mut message = b"ok".to_vec();
            for part in serving.report() {
                message.push(0);
                message.extend_from_slice(part);
            }
            (message, 0)
        }
        Err(err) => ([b"error\0", err.as_bytes()].concat(), 1),
    };
    let _ = report.write_all(&message);
    code
}

fn read_report(mut report: impl Read) -> Result<Vec<std::ffi::OsString>> {
    let mut message = Vec::new();
    report.read_to_end(&mut message).map_err(cannot_start)?;
    if let Some(err) = message.strip_prefix(b"error\0") {
        return Err(Error::new(String::from_utf8_lossy(err)));
    }
    match message.strip_prefix(b"ok\0") {
        Some(parts) => Ok(parts
            .split(|&b| b == 0)
            .map(|part| platform::os_string_from_bytes(part.to_vec()))
            .collect()),
        None => Err(helper_ended()),
    }
}

fn helper_ended() -> Error {
    Error::new(format!(
        "the credential endpoint's helper process ended before it started serving{NO_SERVER_HINT}"
    ))
}

fn cannot_start(err: impl Into<io::Error>) -> Error {
    Error::new(format!(
        "cannot start the credential endpoint's helper process: {}{NO_SERVER_HINT}",
        err.into()
    ))
}

/// Runs a forked child's work and ends the child with its code, without
/// running the launcher's exit handlers or flushing its buffers a second
/// time, and without unwinding into the launcher's code should it panic.
fn exit_with(work: impl FnOnce() -> i32) -> ! {
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or(101);
    platform::exit_immediately(code)
}
