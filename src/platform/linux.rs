//! Linux: pidfd, `/proc`, `sigtimedwait` and `$XDG_RUNTIME_DIR`.

use std::fs;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags};
use rustix::process::{Pid, PidfdFlags};

use super::StoreProblem;

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

/// Whether this session can open windows: a display (X11 or Wayland).
pub fn has_desktop() -> bool {
    super::any_var_set(&["DISPLAY", "WAYLAND_DISPLAY"])
}

/// Whether this system can say who owns the other end of a loopback TCP
/// connection (see [`loopback_peer_is_current_user`]).
pub fn tells_loopback_owners() -> bool {
    !super::portable_forced() && std::path::Path::new("/proc/net/tcp").exists()
}

/// Whether the process at the other end of a loopback connection this
/// process accepted (`local` is ours, `peer` theirs) runs as this user.
/// Its socket is the line of `/proc/net/tcp` (or `tcp6`, for a dual-stack
/// client) whose local address is `peer` and whose remote one is `local`;
/// the line's uid column says whose it is. `None` when neither file can be
/// read; `Some(false)` when no such socket is listed.
pub fn loopback_peer_is_current_user(local: SocketAddr, peer: SocketAddr) -> Option<bool> {
    let (IpAddr::V4(local_ip), IpAddr::V4(peer_ip)) = (local.ip(), peer.ip()) else {
        return Some(false);
    };
    // The kernel prints each 32-bit word of an address in host order, and
    // the port as a plain number.
    let v4 = |ip: std::net::Ipv4Addr, port: u16| {
        format!("{:08X}:{port:04X}", u32::from_ne_bytes(ip.octets()))
    };
    let mapped = |ip: std::net::Ipv4Addr, port: u16| {
        let ffff = u32::from_ne_bytes([0, 0, 0xff, 0xff]);
        format!(
            "0000000000000000{ffff:08X}{:08X}:{port:04X}",
            u32::from_ne_bytes(ip.octets())
        )
    };
    let uid = rustix::process::getuid().as_raw().to_string();
    let mut readable = false;
    for (table, address) in [
        ("/proc/net/tcp", v4 as fn(_, _) -> _),
        ("/proc/net/tcp6", mapped),
    ] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        readable = true;
        let (theirs, ours) = (
            address(peer_ip, peer.port()),
            address(local_ip, local.port()),
        );
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(1) == Some(&theirs.as_str()) && fields.get(2) == Some(&ours.as_str()) {
                return Some(fields.get(7) == Some(&uid.as_str()));
            }
        }
    }
    readable.then_some(false)
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

/// A path that exists while process `pid` runs, and not once it has
/// exited (a zombie keeps its `/proc` directory but not its `exe`), for a
/// shell's idle check: a path test needs no process, and `kill -0` would
/// take a zombie for alive.
pub fn process_path(pid: u32) -> Option<String> {
    Some(format!("/proc/{pid}/exe"))
}

// ----- the credential store: the Secret Service ----------------------------

/// The Secret Service of the session D-Bus, when its default collection is
/// there and unlocked. ssoenv never asks it to unlock: that is a dialog on
/// a desktop, and a wait without end on a machine without one. `ask_user`
/// changes nothing here.
pub fn with_open_store<T>(
    _ask_user: bool,
    work: impl FnOnce(std::sync::Arc<keyring_core::CredentialStore>) -> Result<T, StoreProblem>,
) -> Result<T, StoreProblem> {
    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;
    // The store's own client, asked first: it tells a locked collection
    // without the unlock prompt the store would start.
    let service = SecretService::connect(EncryptionType::Plain).map_err(|err| {
        StoreProblem::Missing(format!("no Secret Service on the session D-Bus ({err})"))
    })?;
    let collection = service.get_default_collection().map_err(|err| match err {
        secret_service::Error::NoResult => {
            StoreProblem::Missing("the Secret Service has no default keyring".to_owned())
        }
        other => StoreProblem::Failed(other.to_string()),
    })?;
    if collection
        .is_locked()
        .map_err(|err| StoreProblem::Failed(err.to_string()))?
    {
        return Err(StoreProblem::Locked);
    }
    let store = zbus_secret_service_keyring_store::Store::new().map_err(store_problem)?;
    work(store)
}

/// The Secret Service's label (what Seahorse lists) is the item's `label`.
pub fn modifiers(_service: &str, _account: &str, label: &str) -> Vec<(&'static str, String)> {
    vec![("label", label.to_owned())]
}

/// A store error as a [`StoreProblem`]: the Secret Service reports a
/// locked item (or a dismissed prompt) as no access.
pub fn store_problem(err: keyring_core::Error) -> StoreProblem {
    match err {
        keyring_core::Error::NoStorageAccess(_) => StoreProblem::Locked,
        other => StoreProblem::Failed(other.to_string()),
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
