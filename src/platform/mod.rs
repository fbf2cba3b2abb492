//! Every difference between the systems ssoenv runs on, in one place. The
//! rest of ssoenv calls these functions and never names an operating system,
//! the way Rust's own `std` keeps its `sys` layer apart from portable code.
//!
//! - [`unix`]: what Linux and macOS share: file modes, `exec`, sessions,
//!   `fork`, the self-pipe signal wait and the polled process watch.
//! - `linux`: pidfd, `/proc`, `sigtimedwait`, `$XDG_RUNTIME_DIR`.
//! - `macos`: kqueue (`EVFILT_PROC`), `proc_pidinfo`, the per-user `$TMPDIR`.
//! - `windows`: ACLs for file modes, a job object and a console handler for
//!   `exec`, named events for the stop signals, process handles, and
//!   Credential Manager.
//! - [`keyring`]: the OS credential store (the Secret Service, the login
//!   Keychain, Credential Manager) through one API.
//!
//! **Portable twins.** Where a system has a mechanism of its own and a
//! portable one does the same job (watching a process: a pidfd or kqueue,
//! or a poll of its pid and start time; waiting for a stop signal:
//! `sigtimedwait`, or a self-pipe), [`FORCE_PORTABLE_VAR`]`=1` makes the
//! process use the portable one. macOS relies on the portable signal wait,
//! and on the poll wherever kqueue cannot help; forcing them on in the
//! Linux test suite runs that logic on every CI run.

mod keyring;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
compile_error!(
    "ssoenv's platform layer knows Linux, macOS and Windows: add the system to src/platform/"
);

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(target_os = "macos")]
use macos as os;
#[cfg(windows)]
use windows as os;

pub use keyring::{CredentialItems, StoreProblem, with_credential_store};

#[cfg(unix)]
pub use os::{
    has_desktop, loopback_peer_is_current_user, process_path, runtime_dir, tells_loopback_owners,
};
#[cfg(unix)]
pub use unix::{
    ENV_NAMES_IGNORE_CASE, FORKS, HOME_VAR, LocalListener, LocalStream, ProcessWatch, StopSignals,
    app_dir_var, close_inherited_descriptors, create_private_dir, create_private_dir_all,
    create_private_file, default_app_dir, detach, detach_launcher, exec_replace, exit_immediately,
    file_identity, force_kill_command, fork, hand_over, home_dir, is_private, make_public_dir,
    make_public_file, new_session, open_private, os_string_from_bytes, owned_by_current_user,
    owner_of, process_exists, redirect_stdout_to_stderr, redirect_to_null, restrict_dir_to_owner,
    spawn_detached, take_stdout, terminate, wait_readable, writable_by_others,
};
#[cfg(windows)]
pub use windows::{
    ENV_NAMES_IGNORE_CASE, FORKS, HOME_VAR, LocalListener, LocalStream, ProcessWatch, StopSignals,
    app_dir_var, close_inherited_descriptors, create_private_dir, create_private_dir_all,
    create_private_file, default_app_dir, detach, detach_launcher, exec_replace, exit_immediately,
    file_identity, force_kill_command, fork, hand_over, has_desktop, home_dir, is_private,
    loopback_peer_is_current_user, make_public_dir, make_public_file, new_session, open_private,
    os_string_from_bytes, owned_by_current_user, owner_of, process_exists, process_path,
    redirect_stdout_to_stderr, redirect_to_null, restrict_dir_to_owner, runtime_dir,
    spawn_detached, take_stdout, tells_loopback_owners, terminate, wait_readable,
    writable_by_others,
};

/// ssoenv's own directories, whose places each system names
/// ([`default_app_dir`]) unless the user's `XDG_*` variables do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppDir {
    /// The user-wide defaults file.
    Config,
    /// Role credentials, locks, the agent's files.
    Cache,
    /// Trust records.
    Data,
}

/// How [`open_private`] opens a file; one it creates is the user's only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenPrivate {
    /// A new file, for writing; fails if it exists.
    CreateNew,
    /// The file, created when missing, for writing; nothing truncated.
    OpenOrCreate,
    /// The file, created when missing, for appending.
    Append,
}

/// Which standard stream of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdStream {
    Input,
    Output,
    Error,
}

/// A process, told apart from any later one that reuses its pid by its
/// start time (in the system's own unit: `ProcessId::current` and the
/// process watch of each system read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcessId {
    pub pid: u32,
    pub started: u64,
}

/// The two sides of a `fork` (which Windows has not: there it always fails,
/// and [`FORKS`] says so).
pub enum Fork {
    Child,
    Parent(u32),
}

/// Set to `1`, this process (and those it starts) uses the portable twins
/// of the process watch and the signal wait (see the module docs). For
/// tests; users never need it.
pub const FORCE_PORTABLE_VAR: &str = "SSOENV_FORCE_PORTABLE";

/// Whether any of these environment variables is set and not empty: how
/// each system's `has_desktop` reads `DISPLAY` or `SSH_CONNECTION`.
fn any_var_set(names: &[&str]) -> bool {
    names
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// True when [`FORCE_PORTABLE_VAR`] asks for the portable twins.
#[cfg(unix)]
fn portable_forced() -> bool {
    std::env::var_os(FORCE_PORTABLE_VAR).is_some_and(|value| value == "1")
}
