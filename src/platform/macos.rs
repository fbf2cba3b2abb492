//! macOS: kqueue (`EVFILT_PROC`), `proc_pidinfo`, and the per-user
//! `$TMPDIR`. The stop signals use the portable self-pipe of
//! [`super::unix`]: macOS has no `sigtimedwait`.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::time::Duration;

use rustix::event::kqueue::{self, Event, EventFilter, EventFlags, ProcessEvents};
use rustix::process::Pid;

use super::StoreProblem;

/// The per-user runtime directory: `$XDG_RUNTIME_DIR` when the user set
/// one, else `$TMPDIR`, which launchd gives each user's session
/// (`/var/folders/…/T/`: 0700, owned by the user, unlike `/tmp`).
pub fn runtime_dir() -> Option<PathBuf> {
    ["XDG_RUNTIME_DIR", "TMPDIR"].iter().find_map(|var| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute())
    })
}

/// Whether this session can open windows: on macOS, unless it came in
/// over SSH.
pub fn has_desktop() -> bool {
    !super::any_var_set(&["SSH_CONNECTION", "SSH_TTY"])
}

/// Whether this system can say who owns the other end of a loopback TCP
/// connection: not without parsing the kernel's private socket tables, so
/// the browser pages of [`crate::browser`] use a private file instead.
pub fn tells_loopback_owners() -> bool {
    false
}

/// See [`tells_loopback_owners`]: never known here.
pub fn loopback_peer_is_current_user(
    _local: std::net::SocketAddr,
    _peer: std::net::SocketAddr,
) -> Option<bool> {
    None
}

/// `proc_pidinfo` of `pid` for `flavor`, when it answers in full.
#[allow(unsafe_code)]
fn pid_info<T>(pid: u32, flavor: libc::c_int) -> Option<T> {
    let pid = libc::c_int::try_from(pid).ok()?;
    let size = libc::c_int::try_from(std::mem::size_of::<T>()).ok()?;
    let mut info = MaybeUninit::<T>::zeroed();
    // SAFETY: the buffer is `size` bytes of plain old data that the call
    // fills; it is read only when the call says it wrote all of it.
    unsafe {
        let wrote = libc::proc_pidinfo(pid, flavor, 0, info.as_mut_ptr().cast(), size);
        (wrote == size).then(|| info.assume_init())
    }
}

/// The start time of `pid` (microseconds since the epoch), or `None` when
/// it has exited (gone, or a zombie waiting to be reaped).
pub fn start_time(pid: u32) -> Option<u64> {
    let info: libc::proc_bsdinfo = pid_info(pid, libc::PROC_PIDTBSDINFO)?;
    if info.pbi_status == libc::SZOMB {
        return None;
    }
    Some(info.pbi_start_tvsec * 1_000_000 + info.pbi_start_tvusec)
}

/// Threads of this process.
pub fn thread_count() -> Option<usize> {
    let info: libc::proc_taskinfo = pid_info(std::process::id(), libc::PROC_PIDTASKINFO)?;
    usize::try_from(info.pti_threadnum).ok()
}

/// A kqueue with `EVFILT_PROC`/`NOTE_EXIT` registered for the process: it
/// follows that process, not its pid. A kqueue is not inherited across
/// `fork`, so the process that waits attaches it itself.
pub struct ExitWatch(OwnedFd);

impl ExitWatch {
    /// `None` when no such process exists.
    #[allow(unsafe_code)]
    pub fn attach(pid: u32) -> io::Result<Option<ExitWatch>> {
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            return Ok(None);
        };
        let queue = kqueue::kqueue()?;
        let exit = Event::new(
            EventFilter::Proc {
                pid,
                flags: ProcessEvents::EXIT,
            },
            EventFlags::ADD | EventFlags::ONESHOT,
            std::ptr::null_mut(),
        );
        let mut none: [MaybeUninit<Event>; 0] = [];
        // SAFETY: the event names a process, no file descriptor.
        match unsafe { kqueue::kevent(&queue, &[exit], &mut none, Some(Duration::ZERO)) } {
            Ok(_) => Ok(Some(ExitWatch(queue))),
            Err(rustix::io::Errno::SRCH) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    #[allow(unsafe_code)]
    pub fn wait(&self) {
        loop {
            let mut event: [MaybeUninit<Event>; 1] = [MaybeUninit::uninit()];
            // SAFETY: as in `attach`, no descriptor is involved.
            match unsafe { kqueue::kevent(&self.0, &[], &mut event, None) } {
                Err(rustix::io::Errno::INTR) => {}
                // The exit came. An error: it cannot be watched, and serving
                // on unwatched could outlive it by far.
                _ => return,
            }
        }
    }
}

/// macOS has no wait of its own for the stop signals: the portable
/// self-pipe serves. (No value of this type exists.)
pub enum SignalWait {}

impl SignalWait {
    pub fn block_stop_signals() -> Option<SignalWait> {
        None
    }

    pub fn wait(&self, _timeout: Duration) -> Option<&'static str> {
        match *self {}
    }
}

/// A path that exists while process `pid` runs, and not once it has
/// exited (a zombie keeps its `/proc` directory but not its `exe`), for a
/// shell's idle check: a path test needs no process, and `kill -0` would
/// take a zombie for alive.
pub fn process_path(pid: u32) -> Option<String> {
    let _ = pid;
    None
}

// ----- the credential store: the login Keychain ----------------------------

/// The user's default (login) Keychain. Unless `ask_user`, the Keychain's
/// dialogs are off while `work` runs: a locked Keychain, or an item that
/// asks whether this program may read it, answers "interaction not
/// allowed" instead of opening a window.
pub fn with_open_store<T>(
    ask_user: bool,
    work: impl FnOnce(std::sync::Arc<keyring_core::CredentialStore>) -> Result<T, StoreProblem>,
) -> Result<T, StoreProblem> {
    use security_framework::os::macos::keychain::SecKeychain;
    let _quiet = if ask_user {
        None
    } else {
        Some(
            SecKeychain::disable_user_interaction()
                .map_err(|err| StoreProblem::Failed(err.to_string()))?,
        )
    };
    let store = apple_native_keyring_store::keychain::Store::new().map_err(store_problem)?;
    work(store)
}

/// The Keychain shows the service and the account; nothing to add.
pub fn modifiers(_service: &str, _account: &str, _label: &str) -> Vec<(&'static str, String)> {
    Vec::new()
}

/// A store error as a [`StoreProblem`]: `errSecInteractionNotAllowed`
/// (dialogs off) and `errSecUserCanceled` mean the Keychain wanted the user.
pub fn store_problem(err: keyring_core::Error) -> StoreProblem {
    const INTERACTION_NOT_ALLOWED: i32 = -25308;
    const USER_CANCELED: i32 = -128;
    const AUTH_FAILED: i32 = -25293;
    let asked_user = |platform: &keyring_core::error::PlatformError| {
        platform
            .downcast_ref::<security_framework::base::Error>()
            .is_some_and(|err| {
                matches!(
                    err.code(),
                    INTERACTION_NOT_ALLOWED | USER_CANCELED | AUTH_FAILED
                )
            })
    };
    match err {
        keyring_core::Error::PlatformFailure(platform)
        | keyring_core::Error::NoStorageAccess(platform)
            if asked_user(&platform) =>
        {
            StoreProblem::Locked
        }
        other => StoreProblem::Failed(other.to_string()),
    }
}
