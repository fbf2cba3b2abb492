//! The per-user credential agent behind `credentials = "endpoint"`: one
//! process serving every shell of the user a loopback container-credential
//! endpoint (see [`crate::endpoint`]), so the SDKs of every tool started from
//! those shells renew credentials by themselves, for as long as they run.
//!
//! This half is what shells need: where the agent's files are, whether it
//! runs, and starting it. It does file I/O and at most spawns a process, so
//! the small prompt binary links it (no runtime, no TLS). The serving half is
//! [`serve`], run by `ssoenv agent` in `ssoenv-core`.
//!
//! The files, in a 0700 per-user runtime directory
//! (`$XDG_RUNTIME_DIR/ssoenv`, else `$XDG_CACHE_HOME/ssoenv/agent`):
//! - `agent.lock`: the running agent holds an exclusive `flock` on it for its
//!   whole life. The kernel drops the lock the moment the agent dies, however
//!   it dies, so "someone holds it" is the liveness test, with no pid to be
//!   reused and no network round trip; the prompt's check is an open and a
//!   non-blocking shared `flock`.
//! - `agent.json` (0600): pid and port, written once the agent serves. A new
//!   agent writes a new one, which changes its stamp, and every shell that
//!   watches it re-points its variables at the next prompt.
//! - `token` (0600): the token clients send, new at every agent start.
//! - `start.lock`: held by whoever is starting an agent, so two prompts
//!   racing to start one produce one.
//! - `agent.log`: the agent's stderr (the previous agent's is `agent.log.old`).

pub mod serve;

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::state::Source;
use crate::{paths, platform, scrubbed_env};

/// How long the agent waits without a request before it exits, unless
/// `SSOENV_AGENT_IDLE` (a duration such as `30m`) says otherwise.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(12 * 3600);

/// The variable that sets the idle time of agents started from a shell.
pub const IDLE_VAR: &str = "SSOENV_AGENT_IDLE";

/// The path clients ask for credentials under; the query names the project.
const CREDENTIALS_PATH: &str = "/v1/credentials?project=";

/// The same for a shell's `ssoenv use` choice: the query holds its value.
const SWITCH_PATH: &str = "/v1/credentials?use=";

/// What stays as it is in a project path inside the URL: unreserved
/// characters and `/`, so the variable stays readable.
const PATH_IN_QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The agent's files (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub dir: PathBuf,
    pub lock: PathBuf,
    pub state: PathBuf,
    pub token: PathBuf,
    pub start_lock: PathBuf,
    pub log: PathBuf,
    /// Why the per-user runtime directory was passed over for the fallback
    /// (it is not the user's own), when it was.
    pub runtime_refused: Option<String>,
}

impl Files {
    /// The files of this user's agent, from the environment: in the
    /// runtime directory when it is the user's own, else in the cache.
    pub fn locate() -> Result<Files> {
        let (dir, runtime_refused) = match fsutil::runtime_dir() {
            Ok(Some(runtime)) => (runtime.join("ssoenv"), None),
            Ok(None) => (paths::cache_dir()?.join("agent"), None),
            Err(refused) => (
                paths::cache_dir()?.join("agent"),
                Some(refused.message().to_owned()),
            ),
        };
        Ok(Files {
            runtime_refused,
            lock: dir.join("agent.lock"),
            state: dir.join("agent.json"),
            token: dir.join("token"),
            start_lock: dir.join("start.lock"),
            log: dir.join("agent.log"),
            dir,
        })
    }
}

/// `agent.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    v: u32,
    pid: u32,
    port: u16,
}

const RECORD_VERSION: u32 = 1;

/// A running agent.
#[derive(Debug, Clone)]
pub struct Running {
    pub pid: u32,
    pub port: u16,
    pub files: Files,
}

impl Running {
    /// The URL under which this agent serves the project whose file is
    /// `project` (an absolute path), for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn uri_for(&self, project: &Path) -> String {
        format!(
            "http://127.0.0.1:{}{CREDENTIALS_PATH}{}",
            self.port,
            percent_encoding::percent_encode(project.as_os_str().as_encoded_bytes(), PATH_IN_QUERY)
        )
    }

    /// The URL under which this agent serves what `source` names.
    pub fn uri_for_source(&self, source: &Source) -> String {
        match source {
            Source::Project(project) => self.uri_for(project),
            Source::Switch(value) => format!(
                "http://127.0.0.1:{}{SWITCH_PATH}{}",
                self.port,
                percent_encoding::utf8_percent_encode(value, NON_ALPHANUMERIC)
            ),
        }
    }
}

/// What a request path names: a project file or a switch (the inverse of
/// [`Running::uri_for_source`]).
pub fn source_of(path_and_query: &str) -> Option<Source> {
    if let Some(encoded) = path_and_query.strip_prefix(SWITCH_PATH) {
        if encoded.contains(['&', '#']) {
            return None;
        }
        let value = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .ok()?;
        return Some(Source::Switch(value.into_owned()));
    }
    project_of(path_and_query).map(Source::Project)
}

/// The project file a request path names (the inverse of [`Running::uri_for`]).
pub fn project_of(path_and_query: &str) -> Option<PathBuf> {
    let encoded = path_and_query.strip_prefix(CREDENTIALS_PATH)?;
    if encoded.contains(['&', '#']) {
        return None;
    }
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    let path = PathBuf::from(platform::os_string_from_bytes(bytes));
    (path.is_absolute() && path.file_name() == Some(paths::PROJECT_FILE.as_ref())).then_some(path)
}

/// True when an agent of this user holds the lock at `lock`: it is alive,
/// whatever happened to it before. The prompt's check: an open, an `fstat`
/// (a lock file another user could plant or rewrite proves nothing) and a
/// `flock`.
pub fn is_alive(lock: &Path) -> bool {
    let Ok(file) = File::open(lock) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|meta| fsutil::check_owned(lock, &meta).is_ok())
    {
        return false;
    }
    // A shared lock is granted only when no agent holds its exclusive one;
    // it goes again when `file` is closed.
    matches!(file.try_lock_shared(), Err(fs::TryLockError::WouldBlock))
}

/// The agent serving now, if one is.
pub fn running() -> Result<Option<Running>> {
    Ok(running_in(&Files::locate()?))
}

fn running_in(files: &Files) -> Option<Running> {
    if !is_alive(&files.lock) {
        return None;
    }
    // A starting agent holds the lock before it has written its record; a
    // record from before names a process that is gone.
    let record: Record = serde_json::from_slice(&fsutil::read_private(&files.state).ok()??).ok()?;
    (record.v == RECORD_VERSION && platform::process_exists(record.pid)).then(|| Running {
        pid: record.pid,
        port: record.port,
        files: files.clone(),
    })
}

/// The running agent, started first (detached) when there is none. Waits
/// for a new agent until `deadline` at most; past it, an error says it is
/// still starting (the next prompt finds it).
pub fn ensure_running(deadline: Instant) -> Result<Running> {
    let files = Files::locate()?;
    if let Some(running) = running_in(&files) {
        return Ok(running);
    }
    fsutil::ensure_private_dir(&files.dir).map_err(cannot_start)?;
    let _starting = FileLock::acquire(&files.start_lock, deadline).map_err(cannot_start)?;
    // Whoever held the start lock before may have started one.
    if let Some(running) = running_in(&files) {
        return Ok(running);
    }
    launch(&files, deadline)?;
    running_in(&files).ok_or_else(|| {
        cannot_start(Error::new(format!(
            "it said it was ready but {} does not name it",
            paths::display(&files.state)
        )))
    })
}

fn cannot_start(err: Error) -> Error {
    Error::transient(format!(
        "cannot start the credential agent: {}",
        err.message()
    ))
}

/// Starts `ssoenv-core agent --launched` in a session of its own, stderr to
/// the log, and waits until it says it serves (or `deadline`).
fn launch(files: &Files, deadline: Instant) -> Result<()> {
    let _ = fs::rename(&files.log, files.log.with_extension("log.old"));
    let log = platform::open_private(&files.log, platform::OpenPrivate::Append).map_err(|e| {
        cannot_start(Error::new(format!(
            "cannot open its log {}: {e}",
            paths::display(&files.log)
        )))
    })?;
    let core = paths::core_exe()?;
    let mut command = Command::new(&core);
    command
        .arg("agent")
        .arg("--launched")
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
    platform::detach(&mut command);
    scrubbed_env::apply(&mut command);
    let mut child = command.spawn().map_err(|e| {
        cannot_start(Error::new(format!(
            "cannot run {}: {e}",
            paths::display(&core)
        )))
    })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    match read_line_until(stdout, deadline) {
        Ok(line) if line.starts_with("ready ") => Ok(()),
        Ok(_) => {
            // It ended without serving: its last word is in the log.
            let _ = child.wait();
            let said = fs::read_to_string(&files.log).unwrap_or_default();
            let last = said
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .map_or("it exited without a message", |line| {
                    line.strip_prefix("ssoenv: ").unwrap_or(line)
                });
            Err(cannot_start(Error::new(last.to_owned())))
        }
        Err(err) => Err(Error::transient(format!(
            "the credential agent is still starting ({err}); the next prompt uses it"
        ))),
    }
}

/// The first line `pipe` gives before `deadline` (empty at end of file).
fn read_line_until(mut pipe: ChildStdout, deadline: Instant) -> io::Result<String> {
    let mut line = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "not ready in time"));
        }
        if !platform::wait_readable(&pipe, left)? {
            continue;
        }
        let mut chunk = [0u8; 256];
        let read = pipe.read(&mut chunk)?;
        if read == 0 {
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
        line.extend_from_slice(&chunk[..read]);
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
    }
}

/// The idle time for an agent started now: `SSOENV_AGENT_IDLE`, else 12 h.
pub fn idle_from_env() -> Result<Duration> {
    match std::env::var(IDLE_VAR) {
        Ok(text) if !text.trim().is_empty() => humantime::parse_duration(text.trim())
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                Error::new(format!(
                    "{IDLE_VAR}={text:?} is not a duration — write it like 30m or 12h"
                ))
            }),
        _ => Ok(DEFAULT_IDLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_survive_the_url() {
        let running = Running {
            pid: 1,
            port: 4321,
            // Only the port goes into the URL.
            files: Files {
                dir: "/r".into(),
                lock: "/r/l".into(),
                state: "/r/s".into(),
                token: "/r/t".into(),
                start_lock: "/r/sl".into(),
                log: "/r/log".into(),
                runtime_refused: None,
            },
        };
        // Absolute paths of the platform's kind.
        let root: &[u8] = if cfg!(windows) { b"C:\\" } else { b"/" };
        for rest in [
            b"home/a/p/.awssso.toml".to_vec(),
            b"home/a b/%41&x=1#?/.awssso.toml".to_vec(),
            b"tmp/\xff\xfe\n'\"$(x)/.awssso.toml".to_vec(),
        ] {
            let raw = [root, &rest].concat();
            let path = PathBuf::from(platform::os_string_from_bytes(raw));
            let uri = running.uri_for(&path);
            let rest = uri.strip_prefix("http://127.0.0.1:4321").unwrap();
            assert!(rest.bytes().all(|b| b.is_ascii_graphic()), "{uri}");
            assert_eq!(project_of(rest), Some(path));
        }
        assert_eq!(project_of("/v1/credentials?project=/etc/passwd"), None);
        assert_eq!(project_of("/v1/credentials?project=rel/.awssso.toml"), None);
        assert_eq!(
            project_of("/v1/credentials?project=/p/.awssso.toml&other=1"),
            None
        );
        assert_eq!(project_of("/other?project=/p/.awssso.toml"), None);
    }
}
