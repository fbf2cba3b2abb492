//! The agent itself (`ssoenv agent`): serves every allowed project it is
//! asked for through [`crate::endpoint::Server`], renewing through the same
//! engine, cache and locks as the prompt, until it has had no request for
//! its idle time, is told to stop (SIGTERM, SIGINT), or finds its record
//! gone or replaced.
//!
//! Each request names a project file. It is served only while that file is
//! allowed with exactly its current content (checked at every request, so
//! an edit or `ssoenv deny` refuses it at once), and with the settings it
//! holds now.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Files, RECORD_VERSION, Record, source_of};
use crate::config::{self, Target};
use crate::endpoint::{Route, Router, Server, Slot, Token};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::platform::{self, StopSignals};
use crate::state::Source;
use crate::switch::Switch;
use crate::{engine, paths, timefmt, trust};

/// How often the agent looks at its record while idle.
const RECORD_CHECK: Duration = Duration::from_secs(30);

/// How long a new agent waits for the lock while prompts probe it (they
/// hold a shared lock for microseconds).
const LOCK_PATIENCE: Duration = Duration::from_millis(500);

/// Serves until stopped. `launched`: stdout is the pipe of the prompt that
/// started us, told `ready PORT` and then closed.
pub fn run(launched: bool, idle: Duration) -> Result<()> {
    let files = Files::locate()?;
    fsutil::ensure_private_dir(&files.dir)?;
    let _lock = take_lock(&files)?;
    // A record left by a killed agent names a dead one; nobody may read it now.
    let _ = fs::remove_file(&files.state);
    let token = Token::random()?;
    write_token(&files, &token)?;
    // Before any thread starts, so every thread inherits how they are
    // handled, and they wait for `stop_signals.wait` instead of killing us.
    let stop_signals = StopSignals::catch()
        .map_err(|e| Error::new(format!("cannot catch the stop signals: {e}")))?;
    let server = Server::start(&token, Arc::new(Projects::default()))?;
    let pid = std::process::id();
    let record = Record {
        v: RECORD_VERSION,
        pid,
        port: server.port(),
    };
    let json = serde_json::to_vec(&record).expect("the record encodes");
    fsutil::write_rebuildable_cache(&files.state, &json)?;

    if launched {
        let mut stdout = std::io::stdout();
        writeln!(stdout, "ready {}", server.port())?;
        stdout.flush()?;
        // The starter stops reading here; later output belongs in the log.
        platform::redirect_stdout_to_stderr();
    }
    say(&format!(
        "agent {pid} serves 127.0.0.1:{} for the projects its shells name; it exits after {} without a request",
        server.port(),
        timefmt::short_duration(idle)
    ));

    let why = loop {
        let left = idle.saturating_sub(server.idle_for());
        if left.is_zero() {
            break format!("no request for {}", timefmt::short_duration(idle));
        }
        if let Some(signal) = stop_signals.wait(left.min(RECORD_CHECK)) {
            break format!("stopped by signal {signal}");
        }
        if !record_is(&files.state, &record) {
            break format!(
                "{} is gone or names another agent",
                paths::display(&files.state)
            );
        }
    };
    say(&format!("agent {pid} exits: {why}"));
    server.stop();
    if record_is(&files.state, &record) {
        let _ = fs::remove_file(&files.state);
        let _ = fs::remove_file(&files.token);
    }
    Ok(())
}

fn take_lock(files: &Files) -> Result<fsutil::FileLock> {
    fsutil::FileLock::acquire(&files.lock, std::time::Instant::now() + LOCK_PATIENCE).map_err(
        |_| match super::running_in(files) {
            Some(running) => Error::new(format!(
                "an agent is already running (pid {}) — 'ssoenv agent stop' stops it",
                running.pid
            )),
            None => Error::new(format!(
                "another agent is starting ({} is held) — try again in a moment",
                paths::display(&files.lock)
            )),
        },
    )
}

/// A new token file replaces the old one in one rename: a client reading it
/// gets the old token or the new one, never half of one.
fn write_token(files: &Files, token: &Token) -> Result<()> {
    let staged = files.dir.join(format!(".token-{}", std::process::id()));
    let _ = fs::remove_file(&staged);
    token.write_to(&staged)?;
    fs::rename(&staged, &files.token).map_err(|e| {
        let _ = fs::remove_file(&staged);
        Error::new(format!(
            "cannot put the agent's token in place at {}: {e}",
            paths::display(&files.token)
        ))
    })
}

fn record_is(path: &Path, record: &Record) -> bool {
    fsutil::read_private(path)
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice::<Record>(&bytes).ok())
        .is_some_and(|found| found == *record)
}

/// One line in the log (the agent's stderr).
fn say(message: &str) {
    eprintln!(
        "ssoenv: {} {message}",
        timefmt::format_utc(std::time::SystemTime::now())
    );
}

/// The projects and switches served so far, each with the settings it was
/// served with.
#[derive(Default)]
struct Projects {
    slots: Mutex<HashMap<SlotKey, (Target, Arc<Slot>)>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SlotKey {
    Project(PathBuf),
    Switch(String),
}

impl Router for Projects {
    fn route(&self, path_and_query: &str) -> Route {
        let (key, shown, target) = match source_of(path_and_query) {
            None => return Route::NotFound,
            Some(Source::Project(file)) => {
                let shown = paths::display(&file);
                match trust::check(&file) {
                    Ok(verdict) if verdict.allowed => {}
                    Ok(_) => {
                        return Route::Forbidden(format!(
                            "{shown} is not allowed (or changed since it was) — run 'ssoenv allow' in its directory"
                        ));
                    }
                    Err(err) => return Route::Forbidden(err.message().to_owned()),
                }
                match config::load_project(&file) {
                    Ok(target) => (SlotKey::Project(file), shown, target),
                    Err(err) => return Route::Unavailable(err.message().to_owned()),
                }
            }
            // A shell's `ssoenv use` choice: it names only what the user
            // could ask for anyway, and a settings file must be allowed.
            Some(Source::Switch(value)) => {
                let Some(switch) = Switch::decode(&value) else {
                    return Route::NotFound;
                };
                match switch.target() {
                    Ok(target) => (SlotKey::Switch(value), switch.origin(), target),
                    Err(err) => return Route::Forbidden(err.message().to_owned()),
                }
            }
        };
        let mut slots = self.slots.lock().expect("agent projects");
        if let Some((known, slot)) = slots.get(&key)
            && *known == target
        {
            return Route::Serve(slot.clone());
        }
        let renewing = target.clone();
        let slot = Slot::new(
            format!("credentials of {} for {shown}", target.label()),
            engine::cached(&target).ok().flatten(),
            target.command_margin(),
            Box::new(move || engine::obtain_ahead(&renewing, engine::command_deadline())),
        );
        slots.insert(key, (target, slot.clone()));
        Route::Serve(slot)
    }
}
