//! Windows: access control lists for what Unix does with file modes, a job
//! object and a console handler for what `exec` does, named events for the
//! stop signals, and process handles for pids and their start times.
//!
//! **Owner-only files.** Every file and directory ssoenv creates for a
//! secret gets, at creation (`CreateFileW` / `CreateDirectoryW` with a
//! security descriptor), a protected DACL with one entry: full control for
//! the user this process runs as ([`owner_only_sddl`]). Protected means no
//! entry of the parent directory is inherited, so a `~\.aws` that others can
//! read does not make the credentials file readable. A directory's entry is
//! inherited by what is later created in it, so a file that another library
//! creates there (a lock file, say) is the user's only as well.

#![allow(unsafe_code)]

use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::MetadataExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use std::os::windows::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_ALREADY_EXISTS, FILETIME, GENERIC_ALL, GENERIC_READ, GENERIC_WRITE,
    HANDLE, HANDLE_FLAG_INHERIT, INVALID_HANDLE_VALUE, LocalFree, SetHandleInformation,
    WAIT_OBJECT_0, WAIT_TIMEOUT,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW,
    GetNamedSecurityInfoW, SDDL_REVISION_1, SE_FILE_OBJECT, SetSecurityInfo,
};
use windows_sys::Win32::Security::{
    ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, DACL_SECURITY_INFORMATION, GetAce,
    GetSecurityDescriptorDacl, GetTokenInformation, INHERIT_ONLY_ACE, OWNER_SECURITY_INFORMATION,
    PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID, SECURITY_ATTRIBUTES,
    TOKEN_INFORMATION_CLASS, TOKEN_QUERY, TokenOwner, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::{
    CREATE_NEW, CreateDirectoryW, CreateFileW, DELETE, FILE_APPEND_DATA, FILE_ATTRIBUTE_NORMAL,
    FILE_DELETE_CHILD, FILE_FLAG_BACKUP_SEMANTICS, FILE_GENERIC_WRITE, FILE_SHARE_DELETE,
    FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_WRITE_DATA, OPEN_ALWAYS, OPEN_EXISTING, READ_CONTROL,
    SYNCHRONIZE, WRITE_DAC, WRITE_OWNER,
};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, FreeConsole, GetStdHandle, STD_ERROR_HANDLE,
    STD_HANDLE, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, SetConsoleCtrlHandler, SetStdHandle,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, IsProcessInJob, JOB_OBJECT_LIMIT_BREAKAWAY_OK,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JobObjectExtendedLimitInformation, QueryInformationJobObject, SetInformationJobObject,
};
use windows_sys::Win32::System::Pipes::PeekNamedPipe;
use windows_sys::Win32::System::SystemServices::ACCESS_ALLOWED_ACE_TYPE;
use windows_sys::Win32::System::Threading::{
    CREATE_BREAKAWAY_FROM_JOB, CREATE_NEW_PROCESS_GROUP, CreateEventW, DETACHED_PROCESS,
    EVENT_MODIFY_STATE, GetCurrentProcess, GetProcessTimes, INFINITE, OpenEventW, OpenProcess,
    OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE, SetEvent,
    TerminateProcess, WaitForSingleObject,
};

use super::{AppDir, Fork, OpenPrivate, ProcessId, StdStream, StoreProblem};

// Where things are.

/// The variable that names the home directory, for messages.
pub const HOME_VAR: &str = "USERPROFILE";

/// The user's home directory, `%USERPROFILE%`, where the AWS CLI keeps
/// `.aws` on Windows.
pub fn home_dir() -> Option<PathBuf> {
    absolute_var("USERPROFILE")
}

/// ssoenv's own directories by Windows convention: settings roam with the
/// user (`%APPDATA%\ssoenv`), caches and trust records stay on the machine
/// (`%LOCALAPPDATA%\ssoenv\cache`, `…\data`): a trust record names paths
/// of this machine.
pub fn default_app_dir(kind: AppDir) -> Option<PathBuf> {
    match kind {
        AppDir::Config => absolute_var("APPDATA").map(|dir| dir.join("ssoenv")),
        AppDir::Cache => absolute_var("LOCALAPPDATA").map(|dir| dir.join("ssoenv").join("cache")),
        AppDir::Data => absolute_var("LOCALAPPDATA").map(|dir| dir.join("ssoenv").join("data")),
    }
}

/// The variable [`default_app_dir`] needs for `kind`, for messages.
pub fn app_dir_var(kind: AppDir) -> &'static str {
    match kind {
        AppDir::Config => "APPDATA",
        AppDir::Cache | AppDir::Data => "LOCALAPPDATA",
    }
}

fn absolute_var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
}

/// Windows has no per-user runtime directory: the agent's files go to the
/// cache directory and `exec`'s token to `%TEMP%` (per user).
pub fn runtime_dir() -> Option<PathBuf> {
    None
}

/// Environment variable names are case-insensitive (`Path` is `PATH`).
pub const ENV_NAMES_IGNORE_CASE: bool = true;

/// Whether this session can open windows: unless it came in over SSH.
pub fn has_desktop() -> bool {
    !super::any_var_set(&["SSH_CONNECTION", "SSH_TTY"])
}

/// Whether this system can say who owns the other end of a loopback TCP
/// connection: not here, so the browser pages of [`crate::browser`] use a
/// private file instead.
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

// Security descriptors.

/// The SDDL of an owner-only security descriptor: a protected DACL (`P`:
/// nothing inherited from the parent) with one entry allowing (`A`) full
/// file access (`FA`) to `user_sid`; for a directory, that entry is
/// inherited by the files (`OI`) and directories (`CI`) created in it.
pub fn owner_only_sddl(user_sid: &str, directory: bool) -> String {
    let inherit = if directory { "OICI" } else { "" };
    format!("D:P(A;{inherit};FA;;;{user_sid})")
}

/// A security descriptor that `LocalFree` releases.
struct Descriptor(PSECURITY_DESCRIPTOR);

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: the pointer came from a Win32 call that allocates with LocalAlloc.
        unsafe { LocalFree(self.0) };
    }
}

impl Descriptor {
    /// The owner-only descriptor for the current user.
    fn owner_only(directory: bool) -> io::Result<Descriptor> {
        let sddl = wide(OsStr::new(&owner_only_sddl(current_user_sid()?, directory)));
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: a NUL-terminated string in, a LocalAlloc'd descriptor out.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Descriptor(descriptor))
    }

    fn dacl(&self) -> io::Result<*mut ACL> {
        let (mut present, mut defaulted) = (0, 0);
        let mut dacl: *mut ACL = std::ptr::null_mut();
        // SAFETY: a valid descriptor; the DACL pointer points into it.
        let ok =
            unsafe { GetSecurityDescriptorDacl(self.0, &mut present, &mut dacl, &mut defaulted) };
        if ok == 0 || present == 0 || dacl.is_null() {
            return Err(io::Error::other("the security descriptor has no DACL"));
        }
        Ok(dacl)
    }

    /// For the `lpSecurityAttributes` of a creating call; valid while `self` is.
    fn attributes(&self) -> SECURITY_ATTRIBUTES {
        SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: self.0,
            bInheritHandle: 0,
        }
    }
}

/// Who may do what to a file, as [`read_security`] found it.
#[derive(Debug)]
struct Security {
    owner: String,
    /// `None`: a NULL DACL, which lets everyone do everything.
    allowed: Option<Vec<(String, u32)>>,
}

/// The owner and the access-allowed entries (that apply to the object
/// itself) of `path`'s security descriptor.
fn read_security(path: &Path) -> io::Result<Security> {
    let name = wide(path.as_os_str());
    let mut owner: PSID = std::ptr::null_mut();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: out-pointers into a descriptor the call allocates; freed by `Descriptor`.
    let status = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != 0 {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    let descriptor = Descriptor(descriptor);
    let owner = sid_string(owner)?;
    let allowed = if dacl.is_null() {
        None
    } else {
        Some(allowed_entries(dacl)?)
    };
    drop(descriptor);
    Ok(Security { owner, allowed })
}

/// The access-allowed entries of `dacl` that apply to the object itself
/// (not inherit-only ones), as (SID, access mask).
fn allowed_entries(dacl: *mut ACL) -> io::Result<Vec<(String, u32)>> {
    // SAFETY: `dacl` points at a valid ACL inside a live descriptor.
    let count = unsafe { (*dacl).AceCount };
    let mut entries = Vec::new();
    for index in 0..u32::from(count) {
        let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: index < AceCount; the entry pointer points into the ACL.
        if unsafe { GetAce(dacl, index, &mut ace) } == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: every entry starts with a header.
        let header = unsafe { *(ace as *const ACE_HEADER) };
        if u32::from(header.AceType) != ACCESS_ALLOWED_ACE_TYPE
            || u32::from(header.AceFlags) & INHERIT_ONLY_ACE != 0
        {
            continue;
        }
        let allowed = ace as *const ACCESS_ALLOWED_ACE;
        // SAFETY: an access-allowed entry: mask, then the SID at SidStart.
        let (mask, sid) = unsafe {
            (
                (*allowed).Mask,
                std::ptr::addr_of!((*allowed).SidStart) as PSID,
            )
        };
        entries.push((sid_string(sid)?, mask));
    }
    Ok(entries)
}

/// `S-1-5-…` for a SID.
fn sid_string(sid: PSID) -> io::Result<String> {
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: a valid SID in, a LocalAlloc'd NUL-terminated string out.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: NUL-terminated, read before it is freed.
    let string = unsafe {
        let len = (0..).take_while(|&i| *text.add(i) != 0).count();
        String::from_utf16_lossy(std::slice::from_raw_parts(text, len))
    };
    // SAFETY: allocated by the call above.
    unsafe { LocalFree(text.cast()) };
    Ok(string)
}

/// The SID of a token field (`TokenUser` or `TokenOwner`) of this process.
fn token_sid(class: TOKEN_INFORMATION_CLASS) -> io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: the pseudo-handle of this process; the token handle is owned below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle the call above opened for us.
    let token = unsafe { OwnedHandle::from_raw_handle(token) };
    // TOKEN_USER and TOKEN_OWNER both start with the SID pointer; the SID
    // itself follows in the same buffer. 8-byte aligned.
    let mut buffer = vec![0u64; 64];
    let mut needed = 0u32;
    // SAFETY: the buffer is as large as we say.
    let ok = unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            class,
            buffer.as_mut_ptr().cast(),
            (buffer.len() * 8) as u32,
            &mut needed,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the buffer now starts with the SID pointer, which points into it.
    let sid = unsafe { *(buffer.as_ptr() as *const PSID) };
    sid_string(sid)
}

/// The SID of the user this process runs as.
fn current_user_sid() -> io::Result<&'static str> {
    static USER: OnceLock<String> = OnceLock::new();
    if let Some(user) = USER.get() {
        return Ok(user);
    }
    let sid = token_sid(TokenUser)?;
    Ok(USER.get_or_init(|| sid))
}

/// The SID new objects get as their owner: the user, or the Administrators
/// group in an elevated process.
fn default_owner_sid() -> Option<&'static str> {
    static OWNER: OnceLock<Option<String>> = OnceLock::new();
    OWNER.get_or_init(|| token_sid(TokenOwner).ok()).as_deref()
}

/// Principals that can do anything to any file anyway, as root can on Unix.
const SYSTEM_PRINCIPALS: [&str; 4] = [
    "S-1-5-18",                                                       // LocalSystem
    "S-1-5-32-544",                                                   // BUILTIN\Administrators
    "S-1-3-0", // CREATOR OWNER (stands for the owner in inherited entries)
    "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", // TrustedInstaller
];

/// Access rights that change a file, or a directory's entries.
const WRITE_RIGHTS: u32 = FILE_WRITE_DATA
    | FILE_APPEND_DATA
    | FILE_DELETE_CHILD
    | DELETE
    | WRITE_DAC
    | WRITE_OWNER
    | GENERIC_WRITE
    | GENERIC_ALL;

fn is_me(sid: &str) -> bool {
    current_user_sid().is_ok_and(|user| user == sid) || default_owner_sid() == Some(sid)
}

// Files.

/// Creates `dir` and its missing parents; the ones it creates are the
/// owner's only (see the module docs).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|a| !a.is_dir()).collect();
    let descriptor = Descriptor::owner_only(true)?;
    let attributes = descriptor.attributes();
    for ancestor in missing.into_iter().rev() {
        if ancestor.as_os_str().is_empty() {
            continue;
        }
        let name = wide(ancestor.as_os_str());
        // SAFETY: a NUL-terminated path and attributes valid for the call.
        if unsafe { CreateDirectoryW(name.as_ptr(), &attributes) } == 0 {
            let err = io::Error::last_os_error();
            // Created meanwhile by someone else: checked by the caller.
            if err.raw_os_error() != Some(ERROR_ALREADY_EXISTS as i32) {
                return Err(err);
            }
        }
    }
    Ok(())
}

/// True when no one but the user (and the system's own principals, as
/// [`writable_by_others`] says) is allowed any access to the file.
pub fn is_private(path: &Path, _meta: &Metadata) -> bool {
    read_security(path).is_ok_and(|security| {
        security.allowed.is_some_and(|allowed| {
            allowed
                .iter()
                .all(|(sid, _)| is_me(sid) || SYSTEM_PRINCIPALS.contains(&sid.as_str()))
        })
    })
}

/// Takes every access to `dir` away from everyone but the user, for it
/// and (inherited) what is in it.
pub fn restrict_dir_to_owner(dir: &Path) -> io::Result<()> {
    let descriptor = Descriptor::owner_only(true)?;
    let dacl = descriptor.dacl()?;
    let name = wide(dir.as_os_str());
    // SAFETY: a NUL-terminated path; no security attributes. Backup
    // semantics: the flag that lets CreateFileW open a directory.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            WRITE_DAC | READ_CONTROL,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            std::ptr::null(),
            OPEN_EXISTING,
            FILE_FLAG_BACKUP_SEMANTICS,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle the call above opened for us.
    let handle = unsafe { OwnedHandle::from_raw_handle(handle) };
    // SAFETY: an open handle with WRITE_DAC and a DACL inside a live descriptor.
    let status = unsafe {
        SetSecurityInfo(
            handle.as_raw_handle(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    };
    if status != 0 {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    Ok(())
}

/// Creates a new file at `path`, for reading and writing, that only the
/// user may open. Fails if it exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    create_with_descriptor(path, GENERIC_READ | GENERIC_WRITE, CREATE_NEW)
}

/// Opens `path` as `how` says, creating it owner-only when missing.
pub fn open_private(path: &Path, how: OpenPrivate) -> io::Result<File> {
    match how {
        OpenPrivate::CreateNew => create_with_descriptor(path, GENERIC_WRITE, CREATE_NEW),
        OpenPrivate::OpenOrCreate => create_with_descriptor(path, GENERIC_WRITE, OPEN_ALWAYS),
        // Appending is writing without the right to overwrite, as std does it.
        OpenPrivate::Append => {
            create_with_descriptor(path, FILE_GENERIC_WRITE & !FILE_WRITE_DATA, OPEN_ALWAYS)
        }
    }
}

fn create_with_descriptor(path: &Path, access: u32, disposition: u32) -> io::Result<File> {
    let descriptor = Descriptor::owner_only(false)?;
    let attributes = descriptor.attributes();
    let name = wide(path.as_os_str());
    // SAFETY: a NUL-terminated path and attributes valid for the call. The
    // sharing mode is std's: others may rename or delete the file while it
    // is open, which the atomic replace relies on.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            access,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            &attributes,
            disposition,
            FILE_ATTRIBUTE_NORMAL,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle the call above opened for us.
    Ok(File::from(unsafe { OwnedHandle::from_raw_handle(handle) }))
}

/// Creates the directory `path` (its parent exists) that only the user
/// may enter, with that descriptor from the start. Fails if it exists.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let descriptor = Descriptor::owner_only(true)?;
    let attributes = descriptor.attributes();
    let name = wide(path.as_os_str());
    // SAFETY: a NUL-terminated path and attributes valid for the call.
    if unsafe { CreateDirectoryW(name.as_ptr(), &attributes) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A file people write by hand (`.awssso.toml`): it keeps the access its
/// directory gives new files, as an editor's would.
pub fn make_public_file(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// A directory everyone may enter: nothing to change on Windows, where no
/// container mounts one (see `LocalListener`).
pub fn make_public_dir(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// What tells one version of a file from another, besides its size: the
/// last write time, and the creation time, which a replacement by rename
/// changes. (On the prompt's path: fields only.)
#[inline]
pub fn file_identity(meta: &Metadata) -> (i64, i64, u64) {
    (meta.last_write_time() as i64, 0, meta.creation_time())
}

/// True when the file belongs to the user this process runs as.
pub fn owned_by_current_user(path: &Path, _meta: &Metadata) -> bool {
    read_security(path).is_ok_and(|security| is_me(&security.owner))
}

/// True when others than the user (and the system's own principals, which
/// can do anything anyway) may change the file, or a directory's entries.
pub fn writable_by_others(path: &Path, _meta: &Metadata) -> bool {
    match read_security(path) {
        Ok(Security { allowed: None, .. }) => true,
        Ok(Security {
            allowed: Some(allowed),
            ..
        }) => allowed.iter().any(|(sid, mask)| {
            mask & WRITE_RIGHTS != 0 && !is_me(sid) && !SYSTEM_PRINCIPALS.contains(&sid.as_str())
        }),
        // Unreadable security: assume the worst.
        Err(_) => true,
    }
}

/// Who owns the file, as messages name it.
pub fn owner_of(path: &Path, _meta: &Metadata) -> String {
    read_security(path).map_or_else(|_| "an unknown owner".to_owned(), |s| s.owner)
}

/// The path (or other OS string) whose bytes these are; the inverse of
/// [`OsStr::as_encoded_bytes`] for every path that is valid Unicode (a path
/// with unpaired surrogates comes back with replacement characters).
pub fn os_string_from_bytes(bytes: Vec<u8>) -> OsString {
    match String::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned().into(),
    }
}

fn wide(text: &OsStr) -> Vec<u16> {
    text.encode_wide().chain(Some(0)).collect()
}

// Processes.

/// Runs `command` in place of this process, as near as Windows comes to
/// `exec`: as a child in a job object that dies with this process (so a
/// killed ssoenv takes the command's tree with it), with Ctrl-C and
/// Ctrl-Break left to the command (the console sends them to both; this
/// process ignores them and waits), and this process's exit code the
/// command's. Returns only when the command could not be started.
pub fn exec_replace(command: &mut Command, _arg0: &OsStr) -> io::Error {
    join_job_that_dies_with_us();
    run_in_place(command)
}

/// The command a user types to end process `pid` outright.
pub fn force_kill_command(pid: u32) -> String {
    format!("taskkill /F /PID {pid}")
}

/// How the prompt binary hands a command line over to `ssoenv-core`: as
/// [`exec_replace`] does, without the job. ssoenv-core starts processes
/// that must outlive it (the agent, `exec`'s endpoint), and outside a job
/// they need not leave one, which not every Windows (nor Wine) allows.
pub fn hand_over(command: &mut Command, _arg0: &OsStr) -> io::Error {
    run_in_place(command)
}

/// The command as a child, this process waiting through Ctrl-C and exiting
/// with its code.
fn run_in_place(command: &mut Command) -> io::Error {
    // The command gets std's duplicates of them; the originals would reach
    // whatever it starts that outlives it.
    keep_standard_handles_to_ourselves();
    // SAFETY: a handler that only returns; it stays installed for good.
    unsafe { SetConsoleCtrlHandler(Some(leave_console_stops_to_the_command), 1) };
    match command.spawn() {
        Ok(mut child) => {
            let code = match child.wait() {
                Ok(status) => status.code().unwrap_or(1),
                Err(_) => 1,
            };
            std::process::exit(code)
        }
        Err(err) => {
            // SAFETY: removes the handler installed above.
            unsafe { SetConsoleCtrlHandler(Some(leave_console_stops_to_the_command), 0) };
            err
        }
    }
}

/// Ctrl-C, Ctrl-Break: handled (by doing nothing), so this process lives
/// on while the command decides. Closing the console: not handled.
unsafe extern "system" fn leave_console_stops_to_the_command(event: u32) -> i32 {
    i32::from(event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
}

/// Puts this process in a new job object that kills every process in it
/// when its last handle closes, which is when this process exits. What it
/// starts from then on is in the job too, with no window between a start
/// and an assignment. Processes that must outlive it ([`detach`]) break
/// away. Best effort: where jobs do not nest (before Windows 8), the
/// command runs without one.
fn join_job_that_dies_with_us() {
    // SAFETY: plain Win32 calls on a handle we own and leak on purpose:
    // it must stay open until this process exits.
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return;
        }
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
        limits.BasicLimitInformation.LimitFlags =
            JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK;
        let set = SetInformationJobObject(
            job,
            JobObjectExtendedLimitInformation,
            (&raw const limits).cast(),
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        );
        if set == 0 || AssignProcessToJobObject(job, GetCurrentProcess()) == 0 {
            windows_sys::Win32::Foundation::CloseHandle(job);
        }
    }
}

/// The creation flags of a process that must outlive this one: no console
/// (nothing the user's console sends reaches it), a process group of its
/// own, and out of this process's job when the job allows it.
fn detached_flags() -> u32 {
    let mut flags = DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP;
    if job_allows_breakaway() {
        flags |= CREATE_BREAKAWAY_FROM_JOB;
    }
    flags
}

/// True when this process is in a job that lets its children leave it.
/// (Asking to leave a job that does not allow it fails the start.)
fn job_allows_breakaway() -> bool {
    // SAFETY: queries on this process's own job (a null handle names it).
    unsafe {
        let mut in_job = 0;
        if IsProcessInJob(GetCurrentProcess(), std::ptr::null_mut(), &mut in_job) == 0
            || in_job == 0
        {
            return false;
        }
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
        let ok = QueryInformationJobObject(
            std::ptr::null_mut(),
            JobObjectExtendedLimitInformation,
            (&raw mut limits).cast(),
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            std::ptr::null_mut(),
        );
        ok != 0 && limits.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_BREAKAWAY_OK != 0
    }
}

/// `command` will start without a console and outside this process's job:
/// the user's Ctrl-C and closing the console never reach it, and it
/// outlives the job of an `exec`.
pub fn detach(command: &mut Command) {
    keep_standard_handles_to_ourselves();
    command.creation_flags(detached_flags());
}

/// A child gets every inheritable handle of its starter, not only the three
/// it is given, and this process's standard handles are inheritable (it
/// inherited them). A process that outlives this one must not hold them: a
/// caller reading this process's output to its end would wait for that
/// process too. std duplicates the handles a child should have, so the
/// originals need not be inheritable.
fn keep_standard_handles_to_ourselves() {
    for which in [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
        // SAFETY: plain calls on this process's standard handles; a null
        // or invalid one is left alone.
        unsafe {
            let handle = GetStdHandle(which);
            if !handle.is_null() && handle != INVALID_HANDLE_VALUE {
                SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
            }
        }
    }
}

/// `exec`'s endpoint launcher must outlive the job [`exec_replace`] puts
/// the command in, which it cannot leave by itself as a Unix process
/// leaves its session: it starts detached.
pub fn detach_launcher(command: &mut Command) {
    detach(command);
}

/// Leaves the console this process shares with its starter, if any.
pub fn new_session() -> io::Result<()> {
    // SAFETY: no arguments; fails harmlessly without a console.
    unsafe { FreeConsole() };
    Ok(())
}

/// Nothing to do: std opens every handle non-inheritable, and the starter
/// of a detached process kept its standard handles to itself ([`detach`]).
pub fn close_inherited_descriptors() {}

/// Starts `command` detached ([`detach`]; stdin, stdout and stderr on NUL)
/// and returns without waiting for it.
pub fn spawn_detached(command: &mut Command) -> io::Result<()> {
    detach(command);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

/// Windows cannot fork: always `Unsupported`.
pub fn fork() -> io::Result<Fork> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Windows cannot fork",
    ))
}

/// Whether [`fork`] works here.
pub const FORKS: bool = false;

/// Ends this process with `code`.
pub fn exit_immediately(code: i32) -> ! {
    std::process::exit(code)
}

fn open_process(pid: u32, access: u32) -> io::Result<OwnedHandle> {
    // SAFETY: the handle, if any, is ours to close.
    let handle = unsafe { OpenProcess(access, 0, pid) };
    if handle.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle the call above opened for us.
    Ok(unsafe { OwnedHandle::from_raw_handle(handle) })
}

/// Whether the process of `handle` still runs.
fn still_running(handle: RawHandle) -> bool {
    // SAFETY: a process handle with SYNCHRONIZE access.
    unsafe { WaitForSingleObject(handle, 0) == WAIT_TIMEOUT }
}

/// When the process of `handle` started (100 ns units since 1601).
fn creation_time(handle: RawHandle) -> Option<u64> {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: a process handle with query access, and four out-structures.
    let ok = unsafe { GetProcessTimes(handle, &mut created, &mut exited, &mut kernel, &mut user) };
    (ok != 0).then(|| (u64::from(created.dwHighDateTime) << 32) | u64::from(created.dwLowDateTime))
}

/// True while a process with this pid exists.
pub fn process_exists(pid: u32) -> bool {
    match open_process(pid, PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE) {
        Ok(handle) => still_running(handle.as_raw_handle()),
        // Someone else's: it exists.
        Err(err) => err.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32),
    }
}

/// Asks the process to stop: the stop event its [`StopSignals`] waits on
/// when it has one, else it is terminated.
pub fn terminate(pid: u32) -> io::Result<()> {
    let name = wide(OsStr::new(&stop_event_name(pid)));
    // SAFETY: the handle, if any, is ours and closed below.
    let event = unsafe { OpenEventW(EVENT_MODIFY_STATE, 0, name.as_ptr()) };
    if !event.is_null() {
        // SAFETY: an event handle we opened; then owned and closed.
        let event = unsafe { OwnedHandle::from_raw_handle(event) };
        // SAFETY: as above.
        if unsafe { SetEvent(event.as_raw_handle()) } != 0 {
            return Ok(());
        }
    }
    let process = open_process(pid, PROCESS_TERMINATE)?;
    // SAFETY: a handle with PROCESS_TERMINATE access.
    if unsafe { TerminateProcess(process.as_raw_handle(), 1) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Waits until `pipe` has something to read (or its end) for at most
/// `timeout`; false when the time ran out first. Anonymous pipes cannot be
/// waited on, so this peeks every few milliseconds.
pub fn wait_readable(pipe: &ChildStdout, timeout: Duration) -> io::Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        let mut available = 0u32;
        // SAFETY: a pipe handle; only the count is asked for.
        let ok = unsafe {
            PeekNamedPipe(
                pipe.as_raw_handle(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
                &mut available,
                std::ptr::null_mut(),
            )
        };
        // An error is the writer gone: a read then sees the end.
        if ok == 0 || available > 0 {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn std_handle(stream: StdStream) -> STD_HANDLE {
    match stream {
        StdStream::Input => STD_INPUT_HANDLE,
        StdStream::Output => STD_OUTPUT_HANDLE,
        StdStream::Error => STD_ERROR_HANDLE,
    }
}

/// Points a standard stream of this process at `NUL` and closes what it
/// was: it then holds no console and keeps no pipe of the caller's open.
pub fn redirect_to_null(stream: StdStream) -> io::Result<()> {
    let null = File::options().read(true).write(true).open("NUL")?;
    let old = replace_std_handle(stream, OwnedHandle::from(null))?;
    drop(old);
    Ok(())
}

/// Makes `handle` the standard `stream` (std reads it at every use) and
/// returns the one it replaces, if it was a handle.
fn replace_std_handle(stream: StdStream, handle: OwnedHandle) -> io::Result<Option<OwnedHandle>> {
    let id = std_handle(stream);
    // SAFETY: reading and setting this process's standard handles; the new
    // one is leaked on purpose (it stays the standard handle), the old one
    // is returned to be owned by the caller.
    unsafe {
        let old = GetStdHandle(id);
        if SetStdHandle(id, handle.as_raw_handle()) == 0 {
            return Err(io::Error::last_os_error());
        }
        std::mem::forget(handle);
        Ok((!old.is_null() && old != INVALID_HANDLE_VALUE)
            .then(|| OwnedHandle::from_raw_handle(old)))
    }
}

/// What this process's stdout was, as a file of its own; stdout itself
/// goes to `NUL`. The file is then the only copy this process holds, so
/// closing it ends the reader's input.
pub fn take_stdout() -> io::Result<File> {
    let null = File::options().write(true).open("NUL")?;
    replace_std_handle(StdStream::Output, OwnedHandle::from(null))?
        .map(File::from)
        .ok_or_else(|| io::Error::other("this process has no stdout"))
}

/// From here on, what this process writes to stdout goes to its stderr;
/// what stdout was is closed.
pub fn redirect_stdout_to_stderr() {
    // SAFETY: the stderr handle is duplicated by std; nothing of ours closes it.
    let stderr = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
    if stderr.is_null() || stderr == INVALID_HANDLE_VALUE {
        return;
    }
    // SAFETY: borrowed for the duplication only.
    let borrowed = unsafe { std::os::windows::io::BorrowedHandle::borrow_raw(stderr) };
    if let Ok(copy) = borrowed.try_clone_to_owned() {
        let _ = replace_std_handle(StdStream::Output, copy);
    }
}

impl ProcessId {
    /// This process.
    pub fn current() -> io::Result<ProcessId> {
        // SAFETY: the pseudo-handle of this process needs no closing.
        let started = creation_time(unsafe { GetCurrentProcess() })
            .ok_or_else(|| io::Error::other("cannot read this process's start time"))?;
        Ok(ProcessId {
            pid: std::process::id(),
            started,
        })
    }

    /// The process that started this one: not looked up on Windows, where
    /// its only caller (`container-args`) has no socket to serve.
    pub fn parent() -> io::Result<ProcessId> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "serving containers needs Linux or macOS",
        ))
    }
}

/// Learns when a process (not necessarily a child) exits, however it exits:
/// a handle to it, which is signalled then.
pub struct ProcessWatch(OwnedHandle);

impl ProcessWatch {
    /// Starts watching `process`; `None` when it has exited already.
    pub fn attach(process: ProcessId) -> io::Result<Option<ProcessWatch>> {
        let handle =
            match open_process(process.pid, PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE) {
                Ok(handle) => handle,
                // No such process (anymore).
                Err(err) if err.raw_os_error() == Some(87) => return Ok(None),
                Err(err) => return Err(err),
            };
        // The handle holds this process; is it the one with this start time?
        let same = creation_time(handle.as_raw_handle()) == Some(process.started)
            && still_running(handle.as_raw_handle());
        Ok(same.then_some(ProcessWatch(handle)))
    }

    /// Returns once the process has exited.
    pub fn wait_for_exit(&self) {
        // SAFETY: a process handle with SYNCHRONIZE access.
        unsafe { WaitForSingleObject(self.0.as_raw_handle(), INFINITE) };
    }
}

/// The stop event of the process with `pid` (see [`StopSignals`]); in the
/// session's namespace, with the creator's default security: only the user
/// (and the system) may set it.
fn stop_event_name(pid: u32) -> String {
    format!("Local\\ssoenv-stop-{pid}")
}

/// The stop event of this process, for the console handler.
static STOP_EVENT: AtomicUsize = AtomicUsize::new(0);
/// Whether the last stop came from the console (Ctrl-C) rather than [`terminate`].
static STOP_FROM_CONSOLE: AtomicBool = AtomicBool::new(false);

/// Windows has no SIGTERM: [`terminate`] sets a named event this process
/// waits on, and Ctrl-C, Ctrl-Break or closing the console (when it has
/// one) sets it too.
pub struct StopSignals(OwnedHandle);

impl StopSignals {
    /// Creates the stop event and catches the console's stop events from
    /// here on.
    pub fn catch() -> io::Result<StopSignals> {
        let name = wide(OsStr::new(&stop_event_name(std::process::id())));
        // SAFETY: an auto-reset event, not signalled; the handle is owned below.
        let event = unsafe { CreateEventW(std::ptr::null(), 0, 0, name.as_ptr()) };
        if event.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a handle the call above created for us.
        let event = unsafe { OwnedHandle::from_raw_handle(event) };
        STOP_EVENT.store(event.as_raw_handle() as usize, Ordering::SeqCst);
        // SAFETY: the handler only sets the event, which lives as long as
        // the process waits for it.
        unsafe { SetConsoleCtrlHandler(Some(console_stop), 1) };
        Ok(StopSignals(event))
    }

    /// The stop that came within `timeout` ("TERM", or "INT" for the
    /// console), if any.
    pub fn wait(&self, timeout: Duration) -> Option<&'static str> {
        let millis = u32::try_from(timeout.as_millis()).unwrap_or(INFINITE - 1);
        // SAFETY: an event handle we own.
        let signalled = unsafe { WaitForSingleObject(self.0.as_raw_handle(), millis) };
        (signalled == WAIT_OBJECT_0).then(|| {
            if STOP_FROM_CONSOLE.swap(false, Ordering::SeqCst) {
                "INT"
            } else {
                "TERM"
            }
        })
    }
}

/// The console's Ctrl-C, Ctrl-Break and close: set the stop event.
unsafe extern "system" fn console_stop(event: u32) -> i32 {
    if !matches!(event, CTRL_C_EVENT | CTRL_BREAK_EVENT | CTRL_CLOSE_EVENT) {
        return 0;
    }
    let handle = STOP_EVENT.load(Ordering::SeqCst);
    if handle == 0 {
        return 0;
    }
    STOP_FROM_CONSOLE.store(true, Ordering::SeqCst);
    // SAFETY: the event handle stored by `StopSignals::catch`.
    unsafe { SetEvent(handle as HANDLE) };
    1
}

/// A path that exists while process `pid` runs, and not once it has
/// exited (a zombie keeps its `/proc` directory but not its `exe`), for a
/// shell's idle check: a path test needs no process, and `kill -0` would
/// take a zombie for alive.
pub fn process_path(pid: u32) -> Option<String> {
    let _ = pid;
    None
}

// Local sockets: none here (std has no Unix sockets on Windows), so
// `exec --container` and `container-args` say so at the start.

/// Never made on Windows.
pub enum LocalListener {}

/// Never made on Windows.
pub enum LocalStream {}

impl LocalListener {
    pub fn bind(_path: &Path) -> io::Result<LocalListener> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "serving containers needs Linux or macOS (Unix sockets)",
        ))
    }

    pub async fn accept(&self) -> io::Result<LocalStream> {
        match *self {}
    }
}

impl LocalStream {
    pub async fn send_and_close(self, _bytes: &[u8]) -> io::Result<()> {
        match self {}
    }
}

// ----- the credential store: Credential Manager ----------------------------

/// The user's Credential Manager (generic credentials), which the user's
/// logon unlocks: it never asks.
pub fn with_open_store<T>(
    _ask_user: bool,
    work: impl FnOnce(std::sync::Arc<keyring_core::CredentialStore>) -> Result<T, StoreProblem>,
) -> Result<T, StoreProblem> {
    let store = windows_native_keyring_store::Store::new().map_err(store_problem)?;
    work(store)
}

/// Credential Manager lists an item by its target name: `service:account`
/// (`ssoenv:dev`), which is what users look for.
pub fn modifiers(service: &str, account: &str, _label: &str) -> Vec<(&'static str, String)> {
    vec![("target", format!("{service}:{account}"))]
}

pub fn store_problem(err: keyring_core::Error) -> StoreProblem {
    match err {
        keyring_core::Error::NoStorageAccess(err) => StoreProblem::Missing(err.to_string()),
        other => StoreProblem::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_only_descriptor_allows_the_user_alone() {
        let user = current_user_sid().unwrap();
        assert!(user.starts_with("S-1-5-"), "{user}");
        assert_eq!(owner_only_sddl(user, false), format!("D:P(A;;FA;;;{user})"));
        assert_eq!(
            owner_only_sddl(user, true),
            format!("D:P(A;OICI;FA;;;{user})")
        );
        // What Windows builds from it: one entry, for the user, full access.
        for directory in [false, true] {
            let descriptor = Descriptor::owner_only(directory).unwrap();
            let entries = allowed_entries(descriptor.dacl().unwrap()).unwrap();
            assert_eq!(
                entries,
                vec![(
                    user.to_owned(),
                    windows_sys::Win32::Storage::FileSystem::FILE_ALL_ACCESS
                )]
            );
        }
    }

    #[test]
    fn private_files_and_directories_are_the_users_alone() {
        let base = tempfile::tempdir().unwrap();
        // The temporary directory lets others in: the new ones must not inherit that.
        let dir = base.path().join("a").join("b");
        create_private_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        drop(create_private_file(&file).unwrap());
        let user = current_user_sid().unwrap();
        for path in [&dir, &file] {
            let meta = std::fs::metadata(path).unwrap();
            let security = read_security(path).unwrap();
            // The user, and no one else but LocalSystem, which Wine (whose
            // descriptors come from the Unix mode) always names.
            let others: Vec<_> = (security.allowed.as_ref().unwrap().iter())
                .map(|(sid, _)| sid.as_str())
                .filter(|sid| *sid != user && *sid != "S-1-5-18")
                .collect();
            assert!(others.is_empty(), "{}: {security:?}", path.display());
            assert!(
                security
                    .allowed
                    .as_ref()
                    .unwrap()
                    .iter()
                    .any(|(sid, _)| sid == user)
            );
            assert!(is_private(path, &meta));
            assert!(owned_by_current_user(path, &meta));
            assert!(!writable_by_others(path, &meta));
        }
        // Refused to overwrite.
        assert!(create_private_file(&file).is_err());
        // Refused when it exists.
        assert_eq!(
            create_private_dir(&dir).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        // A directory made without ssoenv's descriptor lets others read it...
        let loose = base.path().join("loose");
        std::fs::create_dir(&loose).unwrap();
        assert!(!is_private(&loose, &std::fs::metadata(&loose).unwrap()));
        // ...until restricted. Wine keeps a directory's access in its Unix
        // mode and does not change that for a new DACL: shown on Windows.
        restrict_dir_to_owner(&loose).unwrap();
        if !running_under_wine() {
            assert!(is_private(&loose, &std::fs::metadata(&loose).unwrap()));
        }
    }

    /// True under Wine, whose ntdll has `wine_get_version`.
    fn running_under_wine() -> bool {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
        let ntdll = wide(OsStr::new("ntdll.dll"));
        // SAFETY: NUL-terminated names; ntdll is loaded in every process.
        unsafe {
            let module = GetModuleHandleW(ntdll.as_ptr());
            !module.is_null()
                && GetProcAddress(module, c"wine_get_version".as_ptr().cast()).is_some()
        }
    }

    #[test]
    fn a_process_is_watched_until_it_exits() {
        let me = ProcessId::current().unwrap();
        assert!(process_exists(me.pid));
        assert!(ProcessWatch::attach(me).unwrap().is_some());
        let other_start = ProcessId {
            started: me.started + 1,
            ..me
        };
        assert!(ProcessWatch::attach(other_start).unwrap().is_none());
        let mut child = Command::new("cmd").args(["/c", "exit 3"]).spawn().unwrap();
        let handle =
            open_process(child.id(), PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE).unwrap();
        child.wait().unwrap();
        assert!(!still_running(handle.as_raw_handle()));
    }
}
