//! The process that serves `ssoenv exec`'s credential endpoint, so that
//! ssoenv itself can become the command with `exec(2)`.
//!
//! ```text
//! ssoenv exec (pid P) ─ fork ─> intermediate ─ setsid; fork ─> helper: serves the endpoint
//!   │                                        └──────── fork ─> cleaner: removes the token
//!   │                                                          directory once the helper is gone
//!   ├ reaps the intermediate (which exits at once) and reads the helper's report
//!   └ exec ─> the command, still pid P
//! ```
//!
//! Why this shape:
//! - **Two forks.** Once the intermediate has exited, the helper is nobody's
//!   child that the command knows of: a command that waits for all its
//!   children (`wait` in a script, an init such as tini) must not find ours.
//! - **`setsid`.** The helper and the cleaner are in a session of their own,
//!   without a terminal, so what is meant for the command — Ctrl-C, Ctrl-Z, a
//!   hangup, `kill -INT -PGID` from a CI runner or `timeout` — never reaches
//!   them, and the command gets each signal exactly once, from the kernel.
//! - **A pidfd.** P opens one for itself before the first fork; the helper
//!   inherits it and polls it, so it learns the moment P — by then the
//!   command — exits, however it exits, and the pid cannot be confused with a
//!   later process that reuses it. (Kernels before 5.3 have no pidfd: then
//!   the helper polls `/proc/P/stat`, comparing the start time.)
//! - **A cleaner.** The helper removes the token directory when it stops. The
//!   cleaner covers the one exit it cannot see, its own SIGKILL: it holds the
//!   read end of a pipe only the helper writes to, and end-of-file on it
//!   means the helper is gone. (A port held by a killed helper is closed by
//!   the kernel at once.)
//!
//! If the helper dies while the command runs, the command keeps the
//! credentials its SDKs already fetched; their next refresh fails to connect.
//!
//! Forking is safe here because P has a single thread when it forks (the
//! runtime that fetched the first credentials has been dropped; checked in
//! debug builds): the children start with every lock free, and only the
//! helper, after its own fork, starts threads of its own.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags};
use rustix::process::{Pid, PidfdFlags, WaitOptions};

use crate::config::Target;
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::engine;
use crate::error::{Error, Result};

/// Where the command finds the endpoint.
pub struct Served {
    /// For `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub uri: String,
    /// For `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    pub token_file: PathBuf,
}

/// Starts the helper serving `initial` (renewed for `target`) until this
/// process exits, and returns once it is serving.
pub fn serve_until_this_process_exits(initial: Credentials, target: &Target) -> Result<Served> {
    debug_assert_eq!(thread_count(), Some(1), "fork with other threads running");
    let watch = Watch::this_process()?;
    let (report_read, report_write) = pipe()?;
    match fork().map_err(cannot_start)? {
        Fork::Child => {
            drop(report_read);
            exit_with(|| intermediate(watch, report_write, initial, target))
        }
        Fork::Parent(intermediate) => {
            drop(report_write);
            drop(watch);
            while let Err(rustix::io::Errno::INTR) =
                rustix::process::waitpid(Some(intermediate), WaitOptions::empty())
            {}
            read_report(report_read)
        }
    }
}

/// In the intermediate: a new session, then the helper and the cleaner.
fn intermediate(watch: Watch, report: OwnedFd, initial: Credentials, target: &Target) -> i32 {
    let _ = rustix::process::setsid();
    // Hold no terminal input, no output pipe and no directory of the caller's
    // (stderr stays: the helper says there when a renewal fails).
    let _ = File::options()
        .read(true)
        .write(true)
        .open("/dev/null")
        .and_then(|null| {
            rustix::stdio::dup2_stdin(&null)?;
            rustix::stdio::dup2_stdout(&null)?;
            Ok(())
        });
    let _ = std::env::set_current_dir("/");
    let (gone_read, gone_write) = match pipe() {
        Ok(pipe) => pipe,
        Err(err) => return send_report(report, Err(err.to_string())),
    };
    match fork() {
        Ok(Fork::Child) => {
            drop(gone_read);
            exit_with(|| helper(watch, report, gone_write, initial, target))
        }
        Ok(Fork::Parent(_)) => {}
        Err(err) => return send_report(report, Err(cannot_start(err).to_string())),
    }
    drop((gone_write, report, watch));
    // Without a cleaner, the helper still cleans up after itself.
    if let Ok(Fork::Child) = fork() {
        exit_with(|| cleaner(gone_read))
    }
    0
}

/// In the helper: serve until the watched process exits, then clean up.
fn helper(
    watch: Watch,
    report: OwnedFd,
    gone: OwnedFd,
    initial: Credentials,
    target: &Target,
) -> i32 {
    let renewing = target.clone();
    let endpoint = match Endpoint::start(
        initial,
        target.refresh_before,
        Box::new(move || {
            engine::obtain(
                &renewing,
                renewing.refresh_before,
                engine::command_deadline(),
            )
        }),
    ) {
        Ok(endpoint) => endpoint,
        Err(err) => return send_report(report, Err(err.to_string())),
    };
    // The cleaner learns what to remove; the pipe stays open while we live.
    let mut gone = File::from(gone);
    if let Some(dir) = endpoint.token_file().parent() {
        let _ = gone.write_all(dir.as_os_str().as_bytes());
    }
    send_report(report, Ok(&endpoint));
    watch.wait_for_exit();
    endpoint.stop();
    0
}

/// In the cleaner: wait for the helper to be gone, then remove its directory.
fn cleaner(gone: OwnedFd) -> i32 {
    let _ = File::options()
        .write(true)
        .open("/dev/null")
        .and_then(|null| rustix::stdio::dup2_stderr(&null).map_err(io::Error::from));
    let mut dir = Vec::new();
    // End of file: every copy of the write end is closed, so the helper is gone.
    let _ = File::from(gone).read_to_end(&mut dir);
    if !dir.is_empty() {
        let _ = fs::remove_dir_all(OsString::from_vec(dir));
    }
    0
}

/// The helper's one message to P: `ok NUL uri NUL token-file`, or
/// `error NUL message`. Returns the helper's exit code.
fn send_report(report: OwnedFd, result: std::result::Result<&Endpoint, String>) -> i32 {
    let (message, code) = match result {
        Ok(endpoint) => {
            let mut message = b"ok\0".to_vec();
            message.extend_from_slice(endpoint.uri().as_bytes());
            message.push(0);
            message.extend_from_slice(endpoint.token_file().as_os_str().as_bytes());
            (message, 0)
        }
        Err(err) => ([b"error\0", err.as_bytes()].concat(), 1),
    };
    let _ = File::from(report).write_all(&message);
    code
}

fn read_report(report: OwnedFd) -> Result<Served> {
    let mut message = Vec::new();
    File::from(report)
        .read_to_end(&mut message)
        .map_err(cannot_start)?;
    let mut parts = message.splitn(3, |&b| b == 0);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(b"ok"), Some(uri), Some(token_file)) => Ok(Served {
            uri: String::from_utf8_lossy(uri).into_owned(),
            token_file: PathBuf::from(OsString::from_vec(token_file.to_vec())),
        }),
        (Some(b"error"), Some(err), None) => Err(Error::new(String::from_utf8_lossy(err))),
        _ => Err(Error::new(
            "the credential endpoint's helper process ended before it started serving — \
             use --no-server to give the command static credentials instead",
        )),
    }
}

fn cannot_start(err: impl Into<io::Error>) -> Error {
    Error::new(format!(
        "cannot start the credential endpoint's helper process: {} — \
         use --no-server to give the command static credentials instead",
        err.into()
    ))
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(cannot_start)
}

/// How the helper learns that P has exited.
enum Watch {
    Pidfd(OwnedFd),
    /// No pidfd (Linux before 5.3): P's pid and start time, polled.
    Proc {
        pid: Pid,
        started: u64,
    },
}

/// How often the `/proc` fallback looks.
const PROC_POLL: Duration = Duration::from_millis(100);

impl Watch {
    fn this_process() -> Result<Watch> {
        let pid = rustix::process::getpid();
        if let Ok(pidfd) = rustix::process::pidfd_open(pid, PidfdFlags::empty()) {
            return Ok(Watch::Pidfd(pidfd));
        }
        let started = start_time_while_alive(pid).ok_or_else(|| {
            Error::new(
                "cannot watch this process (no pidfd and no /proc) for the credential endpoint — \
                 use --no-server to give the command static credentials instead",
            )
        })?;
        Ok(Watch::Proc { pid, started })
    }

    fn wait_for_exit(&self) {
        match self {
            Watch::Pidfd(pidfd) => loop {
                let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
                match rustix::event::poll(&mut fds, None) {
                    Err(rustix::io::Errno::INTR) => {}
                    // Readable: it exited. An error: it cannot be watched,
                    // and serving on unwatched could outlive it by far.
                    _ => return,
                }
            },
            Watch::Proc { pid, started } => {
                while start_time_while_alive(*pid) == Some(*started) {
                    std::thread::sleep(PROC_POLL);
                }
            }
        }
    }
}

/// The start time (clock ticks after boot) of `pid` from `/proc/PID/stat`,
/// or `None` when it has exited (gone, or a zombie waiting to be reaped).
fn start_time_while_alive(pid: Pid) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{}/stat", pid.as_raw_nonzero())).ok()?;
    // `pid (comm) state ppid …`: comm may hold anything, up to the last ')'.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    // Field 22 of the file; `state` was field 3.
    fields.nth(18)?.parse().ok()
}

/// Threads of this process, from `/proc/self/status` (debug check only).
fn thread_count() -> Option<usize> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

enum Fork {
    Child,
    Parent(Pid),
}

#[allow(unsafe_code)]
fn fork() -> std::result::Result<Fork, rustix::io::Errno> {
    // SAFETY: the caller is single-threaded (see the module docs), so the
    // child's copy of the address space holds no lock another thread had
    // taken; glibc's own fork handlers reset malloc's.
    match unsafe { libc::fork() } {
        -1 => Err(rustix::io::Errno::from_raw_os_error(
            io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EAGAIN),
        )),
        0 => Ok(Fork::Child),
        pid => Ok(Fork::Parent(
            Pid::from_raw(pid).expect("fork returns a positive pid to the parent"),
        )),
    }
}

/// Runs a forked child's work and ends the child with its code, without
/// running P's exit handlers or flushing P's buffers a second time, and
/// without unwinding into P's code should the work panic.
fn exit_with(work: impl FnOnce() -> i32) -> ! {
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or(101);
    #[allow(unsafe_code)]
    // SAFETY: `_exit` ends the process at once; nothing runs after it.
    unsafe {
        libc::_exit(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fallback_sees_exit_before_the_reap() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
        let started = start_time_while_alive(pid).expect("alive");
        assert_eq!(start_time_while_alive(pid), Some(started), "stable");
        child.kill().unwrap();
        // A zombie until reaped: already gone for the watch.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while start_time_while_alive(pid).is_some() {
            assert!(std::time::Instant::now() < deadline, "never seen as gone");
            std::thread::sleep(Duration::from_millis(10));
        }
        child.wait().unwrap();
        assert_eq!(start_time_while_alive(pid), None);
    }
}
