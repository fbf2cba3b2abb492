//! Builds the shell's idle check (see [`crate::shell::IdleCheck`]) from a
//! decision: the state it leaves, the directory it was made in, and the
//! values it gave the shell.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::shell::{EnvName, IdleCheck, Shell};
use crate::state::State;
use crate::{fsutil, paths, switch, timefmt};

/// Settings read from the environment that can change a decision: a new
/// value sends the next prompt to ssoenv.
const SETTINGS: [&str; 13] = [
    switch::VAR,
    "SSOENV_LOG",
    "SSOENV_HOOK_TIMEOUT",
    "SSOENV_AGENT_IDLE",
    "SSOENV_TOKEN_STORE",
    crate::platform::FORCE_PORTABLE_VAR,
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_RUNTIME_DIR",
];

/// How far the stamp is set back from the moment ssoenv began to look: a
/// file system that keeps times in two-second steps (FAT) can date a
/// later write up to that much earlier.
const STAMP_BACKDATE: Duration = Duration::from_secs(2);

/// Stamps older than this are removed when a new one is made; a shell
/// still holding one starts ssoenv once and gets a new one.
const STAMP_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A decision, as the idle check needs it.
pub struct Decision<'a> {
    /// When ssoenv began to look at the files and the environment.
    pub started: SystemTime,
    /// The directory decided for.
    pub cwd: &'a Path,
    /// The state the shell will hold.
    pub state: &'a State,
    /// The shell's `AWS_ACCESS_KEY_ID` once the output is applied, when it
    /// is ssoenv's.
    pub access_key_id: Option<&'a str>,
    /// The shell's `AWS_CONTAINER_CREDENTIALS_FULL_URI` once the output is
    /// applied, in endpoint mode.
    pub endpoint_uri: Option<&'a str>,
}

/// Appends the idle check for `decision` in `shell`. Nothing when the shell
/// has none, or when a fact cannot be put into it (a path that is not
/// UTF-8, no `PWD` that names the directory, no place for the stamp): the
/// shell then starts ssoenv at every prompt, as without the check.
pub fn append(shell: &dyn Shell, out: &mut String, decision: &Decision) {
    if !shell.runs_idle_check() {
        return;
    }
    if let Some(check) = build(decision) {
        shell.idle_check(out, &check);
    }
}

fn build(decision: &Decision) -> Option<IdleCheck> {
    let Decision {
        started,
        cwd,
        state,
        access_key_id,
        endpoint_uri,
    } = *decision;
    let pwd = shell_pwd(cwd)?;
    let mut not_files = Vec::new();
    let mut not_newer = Vec::new();
    let mut unchanged = Vec::new();
    let mut absent = Vec::new();
    let deciding = state.config.as_ref().map(|config| Path::new(&config.path));
    let mut found = false;
    for dir in cwd.ancestors() {
        let candidate = dir.join(paths::PROJECT_FILE);
        if Some(candidate.as_path()) == deciding {
            found = true;
            break;
        }
        not_files.push(utf8(&candidate)?);
    }
    if let Some(config) = &state.config {
        // The state names a file above that is not among the candidates (or
        // one that was gone): nothing the shell could check.
        if !found || config.stamp.is_none() {
            return None;
        }
        let file = Path::new(&config.path);
        not_newer.push(config.path.clone());
        not_newer.push(utf8(file.parent()?)?);
    }
    for watched in &state.watch {
        match watched.stamp {
            Some(_) => unchanged.push(watched.path.clone()),
            None => absent.push(watched.path.clone()),
        }
    }

    let stamp_time = timefmt::epoch_secs(started.checked_sub(STAMP_BACKDATE)?);
    // Made private with the hour's folder, the first time in each hour.
    let dir = paths::cache_dir().ok()?.join("idle");
    let stamp = stamp(&dir, stamp_time)?;

    let deadline = |times: &[Option<u64>]| times.iter().flatten().min().copied();
    let prompt_deadline = deadline(&[state.recheck_at, state.ahead_at]);
    let command_deadline = deadline(&[prompt_deadline, state.command_recheck_at]);

    let mut vars = Vec::new();
    // In endpoint mode the keys are unset, and the endpoint's URL counts.
    if state.key.is_some() && state.served.is_none() {
        vars.push((
            EnvName::new("AWS_ACCESS_KEY_ID").ok()?,
            Some(access_key_id?.to_owned()),
        ));
    }
    if state.served.is_some() {
        vars.push((
            EnvName::new("AWS_CONTAINER_CREDENTIALS_FULL_URI").ok()?,
            Some(endpoint_uri?.to_owned()),
        ));
    }
    for name in SETTINGS {
        let value = match env::var(name) {
            Ok(value) => Some(value),
            Err(env::VarError::NotPresent) => None,
            Err(env::VarError::NotUnicode(_)) => return None,
        };
        vars.push((EnvName::new(name).ok()?, value));
    }
    let agent_pid = match &state.served {
        Some(served) => Some(served.pid?),
        None => None,
    };
    Some(IdleCheck {
        pwd,
        not_files,
        not_newer,
        unchanged,
        absent,
        stamp: utf8(&stamp)?,
        stamp_time,
        prompt_deadline,
        command_deadline,
        state: (!state.is_empty()).then(|| state.encode()),
        vars,
        agent_pid,
        exe: exe_reference(&dir),
    })
}

/// The shell's `$PWD`, when it names `cwd`: the shell compares its own
/// `$PWD`, which may run through symbolic links; ssoenv looked up from the
/// physical directory.
fn shell_pwd(cwd: &Path) -> Option<String> {
    let pwd = env::var("PWD").ok()?;
    (Path::new(&pwd) == cwd || fs::canonicalize(&pwd).ok()? == cwd).then_some(pwd)
}

/// The stamp for `time`, made when missing, in a folder of its hour
/// (`idle/HOUR/SECONDS`): a new hour's folder clears away those of past
/// days, which is one listing of a few folders an hour, however many
/// stamps there are.
fn stamp(dir: &Path, time: u64) -> Option<PathBuf> {
    let hour = time / 3600;
    let hour_dir = dir.join(format!("h{hour}"));
    if !hour_dir.is_dir() {
        fsutil::ensure_private_dir(&hour_dir).ok()?;
        let oldest = hour.saturating_sub(STAMP_LIFETIME.as_secs() / 3600);
        for entry in fs::read_dir(dir).ok()?.flatten() {
            let name = entry.file_name();
            let past = name
                .to_str()
                .and_then(|name| name.strip_prefix('h'))
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|old| old < oldest);
            if past {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let path = hour_dir.join(time.to_string());
    fsutil::reference_file(&path, timefmt::from_epoch_secs(time)).then_some(path)
}

/// The binary the hook runs (its path as the hook gave it, which an
/// upgrade replaces even through a symbolic link) and a reference file
/// with exactly its modification time.
fn exe_reference(dir: &Path) -> Option<(String, String)> {
    let exe = env::args_os()
        .next()
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| env::current_exe().ok())?;
    let modified = fs::metadata(&exe).and_then(|meta| meta.modified()).ok()?;
    let since_epoch = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    let reference = dir.join(format!(
        "exe-{}.{:09}",
        since_epoch.as_secs(),
        since_epoch.subsec_nanos()
    ));
    fsutil::reference_file(&reference, modified).then_some(())?;
    Some((utf8(&exe)?, utf8(&reference)?))
}

fn utf8(path: &Path) -> Option<String> {
    path.to_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_has_its_time_and_a_new_hour_clears_past_days() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_796_617_601;
        let hour = now / 3600;
        let stale = dir.path().join(format!("h{}", hour - 25));
        let recent = dir.path().join(format!("h{}", hour - 2));
        for old in [&stale, &recent] {
            fs::create_dir_all(old).unwrap();
            fs::write(old.join("1"), "").unwrap();
        }

        let path = stamp(dir.path(), now).expect("a stamp");
        let modified = fs::metadata(&path).unwrap().modified().unwrap();
        assert_eq!(modified, timefmt::from_epoch_secs(now));
        assert!(!stale.exists(), "a day-old hour is cleared");
        assert!(recent.exists(), "an hour of today stays");
        // The same second again: the same file, left as it is.
        assert_eq!(stamp(dir.path(), now), Some(path));
    }
}
