//! Renewal ahead of time, in the background: a prompt never waits for AWS
//! while the shell's credentials are still valid.
//!
//! Credentials loaded into a shell have three times:
//!
//! - **ahead** ([`Credentials::renew_ahead_at`]): a prompt or pre-command
//!   call that finds it passed starts `ssoenv-core __renew-ahead FILE`
//!   detached — a session of its own, no terminal, no stdout or stderr of
//!   the shell's (a `$(…)` must not wait for it) — and returns at the cost
//!   of an idle prompt. The renewal uses the same engine, cache and lock as
//!   any other; a later prompt sees the cache file change (one `stat`) and
//!   loads the new keys.
//! - **command** (`max(refresh_before, min_ttl)`, capped at half the
//!   lifetime): a command line
//!   that would start with less than that left waits for a renewal, as
//!   before, unless a background one has already produced new credentials.
//! - **expiry**: a prompt with expired (or no) credentials waits.
//!
//! One renewal at a time: a background renewal that finds the credentials'
//! lock held (another renewal runs) exits at once, and a prompt that started
//! one does not start another for [`RETRY_AFTER`]. A background renewal that
//! fails leaves a note in `renewal-failures/` of the cache directory and
//! touches the credential cache, which every prompt watches already: the
//! next prompt reads the note and says it once. It is bounded by
//! `SSOENV_TIMEOUT`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::config::{self, Target};
use crate::credentials::{self, Credentials};
use crate::error::{Error, Kind, Result};
use crate::fsutil;
use crate::state::{Source, State, Watched};
use crate::{engine, log, paths, platform, scrubbed_env, sso_token, switch, timefmt, trust};

/// `ssoenv-core`'s first argument when it is a background renewal. Not a
/// command users see: `ssoenv-core` answers it before parsing arguments.
pub const CHILD_ARG: &str = "__renew-ahead";

/// After a failed renewal (in the background or not), wait this long before
/// trying again, so a dead network does not cost every prompt an attempt.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The flag before a switch's value in the child's arguments.
const SWITCH_FLAG: &str = "--use";

/// The source named by `ssoenv-core`'s arguments (after the program name),
/// when they are a background renewal's: `__renew-ahead FILE` or
/// `__renew-ahead --use VALUE`.
pub fn child_source(mut args: impl Iterator<Item = std::ffi::OsString>) -> Option<Source> {
    if args.next()? != CHILD_ARG {
        return None;
    }
    let source = match (args.next()?, args.next()) {
        (flag, Some(value)) if flag == SWITCH_FLAG => Source::Switch(value.into_string().ok()?),
        (file, None) => Source::Project(PathBuf::from(file)),
        _ => return None,
    };
    args.next().is_none().then_some(source)
}

/// The target `source` names now, or why not (a project file no longer
/// allowed or readable, a switch value that is not ours).
pub fn target_of(source: &Source) -> Result<Target> {
    match source {
        Source::Project(file) => {
            if !trust::check(file)?.allowed {
                return Err(Error::new(format!(
                    "{} is not allowed (or changed since it was) — run 'ssoenv allow' in its directory",
                    paths::display(file)
                )));
            }
            config::load_project(file)
        }
        Source::Switch(value) => switch::Switch::decode(value)
            .ok_or_else(|| {
                Error::new("the shell's SSOENV_USE is not ssoenv's — run 'ssoenv use' again")
            })?
            .target(),
    }
}

/// Starts a detached background renewal of the credentials of `source`,
/// without waiting for it to start. It exits at once if another renewal of
/// them runs.
pub fn start(source: &Source) -> Result<()> {
    let core = paths::core_exe()?;
    let mut command = Command::new(&core);
    command.arg(CHILD_ARG);
    match source {
        Source::Project(file) => command.arg(file),
        Source::Switch(value) => command.arg(SWITCH_FLAG).arg(value),
    };
    scrubbed_env::apply(&mut command);
    platform::spawn_detached(&mut command).map_err(|e| {
        Error::new(format!(
            "cannot start {} for a background renewal ({e})",
            paths::display(&core)
        ))
    })
}

/// `ssoenv-core __renew-ahead FILE` (or `--use VALUE`): renews the
/// credentials of `source` if it still resolves (a project must still be
/// allowed) and nobody else is renewing them, and leaves a note when that
/// fails. Its output goes nowhere; its exit status is nobody's business.
pub fn run_child(source: &Source) -> ExitCode {
    // Holding none of the descriptors the shell left open to its commands
    // (the session of its own and /dev/null come from `start`).
    platform::close_inherited_descriptors();
    // The prompt's own evaluation says what is wrong with a source that
    // no longer resolves.
    let Ok(target) = target_of(source) else {
        return ExitCode::SUCCESS;
    };
    match engine::renew_ahead_unless_busy(&target, engine::command_deadline()) {
        // Another renewal runs: it leaves (or clears) the note itself.
        Ok(None) => {}
        Ok(Some(_)) => {
            if let Ok(note) = failure_path(&target) {
                let _ = fsutil::remove_if_exists(&note);
            }
        }
        Err(err) => {
            log::debug(|| format!("{}: background renewal failed: {err}", target.label()));
            let failure = Failure {
                at: timefmt::epoch_secs(SystemTime::now()),
                message: err.message().to_owned(),
                login: err.kind() == Kind::LoginRequired,
            };
            if let Ok(note) = failure_path(&target) {
                let json = serde_json::to_vec(&failure).expect("a failure note encodes");
                let _ = fsutil::write_rebuildable_cache(&note, &json);
            }
            // The prompts watch the cache: a new stamp has them look again
            // (and read the note).
            if let Ok(cache) = credentials::cache_path(&target) {
                let _ = std::fs::File::options()
                    .append(true)
                    .open(&cache)
                    .and_then(|file| file.set_modified(SystemTime::now()));
            }
        }
    }
    ExitCode::SUCCESS
}

/// What a failed background renewal leaves: when, the message (which names
/// the cause, never a secret), and whether only a login can fix it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Failure {
    at: u64,
    message: String,
    login: bool,
}

/// Where the failure note of `target`'s background renewal lives: under
/// the credential cache's name, in a directory of its own.
fn failure_path(target: &Target) -> Result<PathBuf> {
    let cache = credentials::cache_path(target)?;
    let name = cache.file_name().unwrap_or_default();
    Ok(paths::cache_dir()?.join("renewal-failures").join(name))
}

/// The failure note of `target`, if it still stands: newer than `creds`,
/// and for a failure only a login fixes, newer than the SSO token.
fn failure_since(target: &Target, creds: &Credentials) -> Option<Failure> {
    let bytes = fsutil::read_private(&failure_path(target).ok()?)
        .ok()
        .flatten()?;
    let failure: Failure = serde_json::from_slice(&bytes).ok()?;
    let signed_in_since = || {
        let token = sso_token::watched_file(&target.session).ok()?;
        let modified = std::fs::metadata(token).ok()?.modified().ok()?;
        Some(timefmt::epoch_secs(modified) > failure.at)
    };
    let stands = failure.at >= timefmt::epoch_secs(creds.issued_at)
        && !(failure.login && signed_in_since() == Some(true));
    stands.then_some(failure)
}

/// Plans the renewal ahead of `creds` (of `target`, loaded into `state` for
/// the project `state.config`) and starts it when it is due. Returns what
/// to say once (key and message) when a background renewal of them failed.
pub fn plan(state: &mut State, target: &Target, creds: &Credentials) -> Option<(String, String)> {
    let now = SystemTime::now();
    let mut at = creds.renew_ahead_at(target.command_margin());
    let mut report = None;
    if let Some(failure) = failure_since(target, creds) {
        let retry = SystemTime::UNIX_EPOCH + Duration::from_secs(failure.at) + RETRY_AFTER;
        at = at.max(retry);
        // Said as a failed renewal at a prompt says it, under the same key,
        // so the two never both speak of one failure.
        let label = target.label();
        report = Some(if failure.login {
            // A login rewrites the token cache: news for the next prompt.
            if let Ok(token) = sso_token::watched_file(&target.session) {
                state.watch.push(Watched::now(&token));
            }
            (format!("login:{label}"), failure.message)
        } else {
            (
                format!("kept:{label}"),
                format!(
                    "{} — keeping the current credentials (expire {})",
                    failure.message,
                    timefmt::describe_expiry(creds.expiration)
                ),
            )
        });
    }
    if now >= at
        && let Some(source) = Source::of(state)
    {
        if let Err(err) = start(&source) {
            log::debug(|| format!("{}: {err}", target.label()));
        }
        at = now + RETRY_AFTER;
    }
    state.ahead_at = Some(timefmt::epoch_secs(at));
    report
}

/// The hot path's part: `state` says a renewal ahead is due and nothing
/// else changed. Starts it and moves the planned time on by
/// [`RETRY_AFTER`]; the renewal's result reaches a later prompt through the
/// cache file the state watches.
pub fn start_planned(state: &mut State) {
    if let Some(source) = Source::of(state) {
        let _ = start(&source);
    }
    state.ahead_at = Some(timefmt::epoch_secs(SystemTime::now() + RETRY_AFTER));
}
