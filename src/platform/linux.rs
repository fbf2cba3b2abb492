//! Linux: pidfd, `/proc`, `sigtimedwait` and `$XDG_RUNTIME_DIR`.

use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags};
use rustix::process::{Pid, PidfdFlags};

/// The per-user runtime directory: `$XDG_RUNTIME_DIR` (in memory, private
/// to the user, emptied at logout), when it is set to an absolute path.
pub fn runtime_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
}

/// The start time of `pid` (clock ticks after boot) from `/proc/PID/stat`,
/// or `None` when it has exited (gone, or a zombie waiting to be reaped).
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold anything, up to the last ')'.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    // Field 22 of the file; `state` was field 3.
    fields.nth(18)?.parse().ok()
}

/// Threads of this process, from `/proc/self/status`.
pub fn thread_count() -> Option<usize> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// A pidfd: readable once the process has exited, and it cannot be
/// confused with a later process that reuses the pid.
pub struct ExitWatch(OwnedFd);

impl ExitWatch {
    /// `None` when no such process exists; an error when pidfds are not
    /// available (kernels before 5.3).
    pub fn attach(pid: u32) -> io::Result<Option<ExitWatch>> {
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            return Ok(None);
        };
        match rustix::process::pidfd_open(pid, PidfdFlags::empty()) {
            Ok(pidfd) => Ok(Some(ExitWatch(pidfd))),
            Err(rustix::io::Errno::SRCH) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    pub fn wait(&self) {
        loop {
            let mut fds = [PollFd::new(&self.0, PollFlags::IN)];
            match rustix::event::poll(&mut fds, None) {
                Err(rustix::io::Errno::INTR) => {}
                // Readable: it exited. An error: it cannot be watched, and
                // serving on unwatched could outlive it by far.
                _ => return,
            }
        }
    }
}

/// SIGTERM and SIGINT blocked in every thread, waited for with `sigtimedwait`.
pub struct SignalWait(libc::sigset_t);

impl SignalWait {
    /// Blocks the stop signals in this thread and every thread started
    /// after it.
    #[allow(unsafe_code)]
    pub fn block_stop_signals() -> Option<SignalWait> {
        // SAFETY: plain libc calls on a sigset_t we own; pthread_sigmask only
        // changes this thread's mask, which threads started later inherit.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGINT);
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return None;
            }
            Some(SignalWait(set))
        }
    }

    /// The signal that came within `timeout`, if any.
    #[allow(unsafe_code)]
    pub fn wait(&self, timeout: Duration) -> Option<&'static str> {
        let timeout = libc::timespec {
            tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: libc::c_long::from(timeout.subsec_nanos()),
        };
        // SAFETY: the set is initialised, the info pointer may be null.
        let signal = unsafe { libc::sigtimedwait(&self.0, std::ptr::null_mut(), &timeout) };
        match signal {
            libc::SIGTERM => Some("TERM"),
            libc::SIGINT => Some("INT"),
            // Timed out, or interrupted by another signal: look again.
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_ends_at_exit_before_the_reap() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let started = start_time(pid).expect("alive");
        assert_eq!(start_time(pid), Some(started), "stable");
        child.kill().unwrap();
        // A zombie until reaped: already gone for the watch.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while start_time(pid).is_some() {
            assert!(std::time::Instant::now() < deadline, "never seen as gone");
            std::thread::sleep(Duration::from_millis(10));
        }
        child.wait().unwrap();
        assert_eq!(start_time(pid), None);
    }
}
