//! Every difference between the systems ssoenv runs on, in one place. The
//! rest of ssoenv calls these functions and never names an operating system,
//! the way Rust's own `std` keeps its `sys` layer apart from portable code.
//!
//! - [`unix`]: what Linux and macOS share: file modes, `exec`, sessions,
//!   `fork`, the self-pipe signal wait and the polled process watch.
//! - `linux`: pidfd, `/proc`, `sigtimedwait`, `$XDG_RUNTIME_DIR`.
//! - `macos`: kqueue (`EVFILT_PROC`), `proc_pidinfo`, the per-user `$TMPDIR`.
//!
//! **Portable twins.** Where a system has a mechanism of its own and a
//! portable one does the same job (watching a process: a pidfd or kqueue,
//! or a poll of its pid and start time; waiting for a stop signal:
//! `sigtimedwait`, or a self-pipe), [`FORCE_PORTABLE_VAR`]`=1` makes the
//! process use the portable one. macOS relies on the portable signal wait,
//! and on the poll wherever kqueue cannot help; forcing them on in the
//! Linux test suite runs that logic on every CI run.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(unix)]
mod unix;

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
compile_error!("ssoenv's platform layer knows Linux and macOS: add the system to src/platform/");

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(target_os = "macos")]
use macos as os;

pub use os::{
    has_desktop, loopback_peer_is_current_user, runtime_dir, tells_loopback_owners, thread_count,
};
pub use unix::{
    Fork, ProcessId, ProcessWatch, StdStream, StopSignals, close_inherited_descriptors,
    create_private_dir_all, detach, exec_replace, exit_immediately, file_identity, fork,
    is_private, new_session, os_string_from_bytes, owned_by_current_user, owner_of, owner_only,
    private_dir_permissions, private_file_permissions, process_exists, public_file_permissions,
    reap, redirect_stdout_to_stderr, redirect_to_null, restrict_dir_to_owner, spawn_detached,
    take_stdout, terminate, wait_readable, writable_by_others,
};

/// Set to `1`, this process (and those it starts) uses the portable twins
/// of the process watch and the signal wait (see the module docs). For
/// tests; users never need it.
pub const FORCE_PORTABLE_VAR: &str = "SSOENV_FORCE_PORTABLE";

/// True when [`FORCE_PORTABLE_VAR`] asks for the portable twins.
fn portable_forced() -> bool {
    std::env::var_os(FORCE_PORTABLE_VAR).is_some_and(|value| value == "1")
}
