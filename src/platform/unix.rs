//! What Linux and macOS share: POSIX file modes, `exec`, sessions, `fork`,
//! and the portable twins of the process watch and the signal wait.

use std::ffi::{OsStr, OsString};
use std::fs::{DirBuilder, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::process::{Pid, Signal};

use super::{AppDir, Fork, OpenPrivate, ProcessId, StdStream, os};

// Files.

/// The variable that names the home directory, for messages.
pub const HOME_VAR: &str = "HOME";

/// The user's home directory, `$HOME`.
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
}

/// ssoenv's own directories where the XDG base directory specification
/// puts them when its variables are unset: `~/.config/ssoenv`,
/// `~/.cache/ssoenv`, `~/.local/share/ssoenv`.
pub fn default_app_dir(kind: AppDir) -> Option<PathBuf> {
    let base = match kind {
        AppDir::Config => ".config",
        AppDir::Cache => ".cache",
        AppDir::Data => ".local/share",
    };
    Some(home_dir()?.join(base).join("ssoenv"))
}

/// The variable [`default_app_dir`] needs, for messages.
pub fn app_dir_var(_kind: AppDir) -> &'static str {
    HOME_VAR
}

/// Environment variable names are case-sensitive.
pub const ENV_NAMES_IGNORE_CASE: bool = false;

/// Creates `dir` and its missing parents; the ones it creates are the
/// owner's only (0700).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// True when neither the group nor others have any access to the file.
pub fn is_private(_path: &Path, meta: &Metadata) -> bool {
    meta.mode() & 0o077 == 0
}

/// Takes every access to `dir` away from the group and others (0700).
pub fn restrict_dir_to_owner(dir: &Path) -> io::Result<()> {
    std::fs::set_permissions(dir, Permissions::from_mode(0o700))
}

/// Creates a new file at `path`, for reading and writing, that only its
/// owner may open (0600). Fails if it exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Opens `path` as `how` says, creating it 0600 when missing.
pub fn open_private(path: &Path, how: OpenPrivate) -> io::Result<File> {
    let mut options = OpenOptions::new();
    match how {
        OpenPrivate::CreateNew => options.write(true).create_new(true),
        OpenPrivate::OpenOrCreate => options.write(true).create(true).truncate(false),
        OpenPrivate::Append => options.append(true).create(true),
    };
    options.mode(0o600).open(path)
}

/// Creates the directory `path` (its parent exists) that only its owner
/// may enter: 0700 from the start (mkdir applies the umask, which can only
/// take bits away). Fails if it exists.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new().mode(0o700).create(path)
}

/// A file everyone may read and its owner may write (0644), as editors
/// leave the files people write by hand.
pub fn make_public_file(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(0o644))
}

/// A directory everyone may enter and list (0755): for one that is bind-mounted
/// into a container, whose users need not be the owner.
pub fn make_public_dir(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(0o755))
}

/// What tells one version of a file from another, besides its size: the
/// modification time (seconds and nanoseconds) and the inode, which a
/// replacement by rename changes. (On the prompt's path: fields only.)
#[inline]
pub fn file_identity(meta: &Metadata) -> (i64, i64, u64) {
    (meta.mtime(), meta.mtime_nsec(), meta.ino())
}

/// True when the file belongs to the user this process runs as.
pub fn owned_by_current_user(_path: &Path, meta: &Metadata) -> bool {
    meta.uid() == rustix::process::getuid().as_raw()
}

/// True when others than the owner may write to the file (or create and
/// delete files in the directory). For a directory the owner's group does
/// not count: with the user-private groups of most Linux systems (umask
/// 002), tools such as the AWS CLI leave their directories group-writable,
/// and that group has the user alone.
pub fn writable_by_others(_path: &Path, meta: &Metadata) -> bool {
    let others = if meta.is_dir() { 0o002 } else { 0o022 };
    meta.mode() & others != 0
}

/// Who owns the file, as messages name it.
pub fn owner_of(_path: &Path, meta: &Metadata) -> String {
    format!("uid {}", meta.uid())
}

/// The path (or other OS string) whose bytes these are; the inverse of
/// [`OsStr::as_encoded_bytes`].
pub fn os_string_from_bytes(bytes: Vec<u8>) -> OsString {
    OsString::from_vec(bytes)
}

// Processes.

/// The command a user types to end process `pid` outright.
pub fn force_kill_command(pid: u32) -> String {
    format!("kill -9 {pid}")
}

/// How the prompt binary hands a command line over to `ssoenv-core`:
/// [`exec_replace`].
pub fn hand_over(command: &mut Command, arg0: &OsStr) -> io::Error {
    exec_replace(command, arg0)
}

/// Replaces this process with `command` (same pid), which sees `arg0` as its
/// name. Returns only when that failed.
pub fn exec_replace(command: &mut Command, arg0: &OsStr) -> io::Error {
    command.arg0(arg0).exec()
}

/// `command` will start in a session of its own, without a controlling
/// terminal: the shell's job control, Ctrl-C and hangup never reach it.
pub fn detach(command: &mut Command) {
    // SAFETY: `setsid` is async-signal-safe and touches no memory of ours.
    #[allow(unsafe_code)]
    unsafe {
        command.pre_exec(|| rustix::process::setsid().map(drop).map_err(io::Error::from));
    }
}

/// Nothing to do for `exec`'s endpoint launcher: it leaves the caller's
/// session by itself (`setsid`, then `fork`).
pub fn detach_launcher(_command: &mut Command) {}

/// Puts this process in a session of its own (see [`detach`]).
pub fn new_session() -> io::Result<()> {
    rustix::process::setsid().map(drop).map_err(io::Error::from)
}

/// Closes every descriptor above stderr that this process inherited, for a
/// process that must not keep its starter's files, pipes or terminal open
/// (a shell may leave descriptors of its own open to the commands it runs).
/// Called first thing, before this process opened anything of its own.
pub fn close_inherited_descriptors() {
    // /dev/fd lists this process's descriptors on Linux and macOS alike;
    // the listing's own descriptor is among them, closed (or gone) by the
    // time the loop reaches it.
    let Ok(entries) = std::fs::read_dir("/dev/fd") else {
        return;
    };
    let inherited: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in inherited {
        // SAFETY: nothing in this process owns these descriptors yet (see
        // above), so no open `File` is left holding a closed number.
        #[allow(unsafe_code)]
        unsafe {
            libc::close(fd);
        }
    }
}

/// True while a process with this pid exists (perhaps as a zombie).
pub fn process_exists(pid: u32) -> bool {
    to_pid(pid)
        .is_some_and(|pid| rustix::process::test_kill_process(pid) != Err(rustix::io::Errno::SRCH))
}

/// Asks the process to stop (SIGTERM).
pub fn terminate(pid: u32) -> io::Result<()> {
    let pid = to_pid(pid).ok_or_else(|| io::Error::other(format!("{pid} is not a valid pid")))?;
    rustix::process::kill_process(pid, Signal::TERM).map_err(io::Error::from)
}

fn to_pid(pid: u32) -> Option<Pid> {
    Pid::from_raw(i32::try_from(pid).ok()?)
}

/// Waits until `pipe` has something to read (or its end) for at most
/// `timeout`; false when the time ran out first.
pub fn wait_readable(pipe: &ChildStdout, timeout: Duration) -> io::Result<bool> {
    let timeout = Timespec::try_from(timeout).unwrap_or(Timespec {
        tv_sec: 1,
        tv_nsec: 0,
    });
    let mut fds = [PollFd::new(pipe, PollFlags::IN)];
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(0) | Err(rustix::io::Errno::INTR) => Ok(false),
        Ok(_) => Ok(true),
        Err(err) => Err(err.into()),
    }
}

/// Points a standard stream of this process at `/dev/null`: it then holds
/// no terminal and keeps no pipe of the caller's open.
pub fn redirect_to_null(stream: StdStream) -> io::Result<()> {
    let null = File::options().read(true).write(true).open("/dev/null")?;
    match stream {
        StdStream::Input => rustix::stdio::dup2_stdin(&null),
        StdStream::Output => rustix::stdio::dup2_stdout(&null),
        StdStream::Error => rustix::stdio::dup2_stderr(&null),
    }
    .map_err(io::Error::from)
}

/// What this process's stdout was, as a file of its own (closed on exec);
/// stdout itself goes to `/dev/null`. The file is then the only copy this
/// process holds, so closing it ends the reader's input.
pub fn take_stdout() -> io::Result<File> {
    let taken = io::stdout().as_fd().try_clone_to_owned()?;
    redirect_to_null(StdStream::Output)?;
    Ok(File::from(taken))
}

/// From here on, what this process writes to stdout goes to its stderr.
pub fn redirect_stdout_to_stderr() {
    let _ = rustix::stdio::dup2_stdout(io::stderr());
}

/// Whether [`fork`] works here.
pub const FORKS: bool = true;

/// Forks this process. Refused while other threads run: the child's copy of
/// memory could hold a lock one of them had taken.
pub fn fork() -> io::Result<Fork> {
    if let Some(threads) = os::thread_count()
        && threads > 1
    {
        return Err(io::Error::other(format!(
            "cannot fork with {threads} threads running"
        )));
    }
    // SAFETY: this process has a single thread (checked above), so the
    // child's copy of the address space holds no lock another thread had
    // taken; the C library's own fork handlers reset malloc's.
    #[allow(unsafe_code)]
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Fork::Child),
        pid => Ok(Fork::Parent(pid.unsigned_abs())),
    }
}

/// Starts `command` detached — a session of its own, stdin, stdout and
/// stderr on /dev/null — and returns without waiting for it to start: a
/// fork, then setsid, the redirections and exec in the child. What the
/// prompt binary uses to start a background renewal: a spawn would wait
/// for the exec of a large binary, and would bring the C library's
/// `posix_spawn` family into the prompt binary, whose every imported symbol
/// the dynamic loader resolves before each idle prompt. This process must
/// have a single thread (see [`fork`]). The child is not reaped here: the
/// prompt exits right after, and the child is the init process's.
pub fn spawn_detached(command: &mut Command) -> io::Result<()> {
    match fork()? {
        Fork::Parent(_) => Ok(()),
        Fork::Child => {
            let _ = new_session();
            for stream in [StdStream::Input, StdStream::Output, StdStream::Error] {
                let _ = redirect_to_null(stream);
            }
            // Returns only when the exec failed; nobody is there to tell.
            let _ = command.exec();
            exit_immediately(127)
        }
    }
}

/// Ends this process at once with `code`: no exit handlers, no flushing of
/// buffers a forked child shares with its parent.
pub fn exit_immediately(code: i32) -> ! {
    // SAFETY: `_exit` ends the process; nothing runs after it.
    #[allow(unsafe_code)]
    unsafe {
        libc::_exit(code)
    }
}

impl ProcessId {
    /// This process.
    pub fn current() -> io::Result<ProcessId> {
        let pid = std::process::id();
        let started = os::start_time(pid)
            .ok_or_else(|| io::Error::other("cannot read this process's start time"))?;
        Ok(ProcessId { pid, started })
    }

    /// The process that started this one (a shell, for `$(ssoenv …)`).
    pub fn parent() -> io::Result<ProcessId> {
        let pid = std::os::unix::process::parent_id();
        let started = os::start_time(pid)
            .ok_or_else(|| io::Error::other("cannot read the parent process's start time"))?;
        Ok(ProcessId { pid, started })
    }

    /// True until it exits (a zombie waiting to be reaped has exited).
    fn is_running(&self) -> bool {
        os::start_time(self.pid) == Some(self.started)
    }
}

/// Learns when a process (not necessarily a child) exits, however it exits.
pub struct ProcessWatch(Watch);

enum Watch {
    /// The system's own notification: a pidfd, or a kqueue.
    Native(os::ExitWatch),
    /// The portable twin: pid and start time, looked at every [`POLL_INTERVAL`].
    Polled(ProcessId),
}

/// How often the polled watch looks.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

impl ProcessWatch {
    /// Starts watching `process`; `None` when it has exited already.
    pub fn attach(process: ProcessId) -> io::Result<Option<ProcessWatch>> {
        let watch = if super::portable_forced() {
            Watch::Polled(process)
        } else {
            match os::ExitWatch::attach(process.pid) {
                Ok(Some(native)) => Watch::Native(native),
                Ok(None) => return Ok(None),
                // No pidfd (Linux before 5.3) or no kqueue: poll instead.
                Err(_) => Watch::Polled(process),
            }
        };
        // Checked once the native watch holds the process, so it follows
        // the one with this start time and not a later one with its pid.
        Ok(process.is_running().then_some(ProcessWatch(watch)))
    }

    /// Returns once the process has exited.
    pub fn wait_for_exit(&self) {
        match &self.0 {
            Watch::Native(native) => native.wait(),
            Watch::Polled(process) => {
                while process.is_running() {
                    std::thread::sleep(POLL_INTERVAL);
                }
            }
        }
    }
}

/// SIGTERM and SIGINT, caught so that the main thread can wait for them
/// with a timeout instead of being killed by them.
pub struct StopSignals(Stops);

enum Stops {
    /// The system's own wait (`sigtimedwait` on Linux).
    Native(os::SignalWait),
    /// The portable twin: a handler writes to one socket per signal.
    SelfPipe { term: UnixStream, int: UnixStream },
}

impl StopSignals {
    /// Catches the stop signals from here on. Call it before any thread
    /// starts: threads inherit how the signals are handled.
    pub fn catch() -> io::Result<StopSignals> {
        if !super::portable_forced()
            && let Some(native) = os::SignalWait::block_stop_signals()
        {
            return Ok(StopSignals(Stops::Native(native)));
        }
        let pipe = |signal| -> io::Result<UnixStream> {
            let (read, write) = UnixStream::pair()?;
            signal_hook::low_level::pipe::register(signal, write)?;
            Ok(read)
        };
        Ok(StopSignals(Stops::SelfPipe {
            term: pipe(libc::SIGTERM)?,
            int: pipe(libc::SIGINT)?,
        }))
    }

    /// The stop signal that came within `timeout` ("TERM" or "INT"), if any.
    pub fn wait(&self, timeout: Duration) -> Option<&'static str> {
        match &self.0 {
            Stops::Native(native) => native.wait(timeout),
            Stops::SelfPipe { term, int } => {
                let timeout = Timespec::try_from(timeout).ok()?;
                let mut fds = [
                    PollFd::new(term, PollFlags::IN),
                    PollFd::new(int, PollFlags::IN),
                ];
                // Interrupted (by the signal itself, often): look again.
                rustix::event::poll(&mut fds, Some(&timeout)).ok()?;
                let came = |fd: &PollFd<'_>| !fd.revents().is_empty();
                let (term_came, int_came) = (came(&fds[0]), came(&fds[1]));
                if term_came {
                    drain(term);
                    return Some("TERM");
                }
                if int_came {
                    drain(int);
                    return Some("INT");
                }
                None
            }
        }
    }
}

/// Reads what the signal handler wrote, so the next wait waits again.
fn drain(mut socket: &UnixStream) {
    let _ = socket.set_nonblocking(true);
    let mut buf = [0u8; 64];
    while matches!(socket.read(&mut buf), Ok(n) if n > 0) {}
}

// Local sockets.

/// A Unix socket listening at a path, for a container engine to bind-mount.
pub struct LocalListener(tokio::net::UnixListener);

/// One connection accepted by a [`LocalListener`].
pub struct LocalStream(tokio::net::UnixStream);

impl LocalListener {
    /// Listens at `path` (which must not exist), connectable by any user who
    /// can reach it: callers put it in a directory of their own, and whoever
    /// holds the path — a container it is mounted into — is the grantee.
    /// Must be called inside a tokio runtime.
    pub fn bind(path: &Path) -> io::Result<LocalListener> {
        let listener = std::os::unix::net::UnixListener::bind(path)?;
        std::fs::set_permissions(path, Permissions::from_mode(0o666))?;
        listener.set_nonblocking(true)?;
        tokio::net::UnixListener::from_std(listener).map(LocalListener)
    }

    pub async fn accept(&self) -> io::Result<LocalStream> {
        self.0.accept().await.map(|(stream, _)| LocalStream(stream))
    }
}

impl LocalStream {
    /// Sends `bytes` and closes the connection.
    pub async fn send_and_close(mut self, bytes: &[u8]) -> io::Result<()> {
        use tokio::io::AsyncWriteExt;
        self.0.write_all(bytes).await?;
        self.0.shutdown().await
    }
}
