//! The per-prompt hot path, in one place.
//!
//! `ssoenv export <shell>` runs before every prompt, and `ssoenv export
//! <shell> --before-command` before every command line. When nothing changed
//! since the last prompt, [`check`] says so after reading
//! `SSOENV_STATE` and a few `stat`s, and the small `ssoenv` binary exits with
//! no output: no argument parser, no config parsing, no async runtime, no TLS,
//! no network. When only a renewal ahead of time is due, [`check`] says so
//! and [`renew_ahead`] starts it detached (`crate::ahead`) and updates the
//! state, at the same cost plus one fork. When something changed, the
//! small binary still decides locally whatever needs no AWS
//! (`crate::cmd::export` with its `CacheOnly` renewal); everything else
//! goes to `ssoenv-core` (see `src/main.rs`).

use std::env;
use std::ffi::OsStr;
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use super as export;
use crate::shell::ExportTarget;
use crate::state::{self, Moment, Served, State, Watched};
use crate::{agent, ahead, credentials, paths, switch};

/// The export targets the hook uses, as they appear on the command line
/// (clap's names and aliases for [`ExportTarget`]; a unit test keeps the two
/// in step).
const EXPORT_TARGETS: [(&str, ExportTarget); 11] = [
    ("bash", ExportTarget::Bash),
    ("zsh", ExportTarget::Zsh),
    ("fish", ExportTarget::Fish),
    ("pwsh", ExportTarget::Pwsh),
    ("powershell", ExportTarget::Pwsh),
    ("elvish", ExportTarget::Elvish),
    ("tcsh", ExportTarget::Tcsh),
    ("xonsh", ExportTarget::Xonsh),
    ("nu", ExportTarget::Nu),
    ("nushell", ExportTarget::Nu),
    ("json", ExportTarget::Json),
];

/// The flag of the hook's call before a command line (clap's name for
/// `Export::before_command`; the same unit test checks it).
const BEFORE_COMMAND: &str = "--before-command";

/// The target and moment of exactly `ssoenv export <target>` or `ssoenv
/// export <target> --before-command`, as the hook calls it; `None` for every
/// other command line.
pub fn export_call() -> Option<(ExportTarget, Moment)> {
    let mut args = env::args_os().skip(1);
    let (Some(verb), Some(target), flag, None) =
        (args.next(), args.next(), args.next(), args.next())
    else {
        return None;
    };
    if verb != "export" {
        return None;
    }
    let moment = match flag {
        None => Moment::Prompt,
        Some(flag) if flag == BEFORE_COMMAND => Moment::BeforeCommand,
        Some(_) => return None,
    };
    EXPORT_TARGETS
        .iter()
        .find(|(name, _)| target == *name)
        .map(|(_, target)| (*target, moment))
}

/// What the prompt needs.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// Nothing: the shell is as it should be. Its idle check failed all the
    /// same (a file written in the second ssoenv looked, say), so
    /// [`unchanged`] gives it a new one.
    Unchanged(Box<State>),
    /// Nothing but a renewal ahead of time, which [`renew_ahead`] starts.
    RenewAhead(Box<State>),
    /// Something changed or is due: the full evaluation.
    Changed,
}

/// What this shell's prompt needs at `moment`. `Unchanged` when its state
/// still describes the world: the same `.awssso.toml` (path and stamp) is
/// the nearest one, the watched files (trust record, credential or token
/// cache) are untouched, no renewal or retry is due at
/// `moment`, and the shell still has the access key that was exported — or,
/// in endpoint mode, the endpoint's URL, and the agent behind it is alive.
pub fn check(moment: Moment) -> Check {
    let Ok(cwd) = env::current_dir() else {
        return Check::Changed;
    };
    check_given(
        &Inputs {
            state_var: env::var_os(state::VAR).as_deref(),
            switch_var: env::var_os(switch::VAR).as_deref(),
            cwd: &cwd,
            access_key_id: env::var_os("AWS_ACCESS_KEY_ID").as_deref(),
            container_uri: env::var_os(CONTAINER_URI).as_deref(),
        },
        moment,
        SystemTime::now(),
    )
}

/// The variable endpoint mode points SDKs at the agent with.
const CONTAINER_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

/// What [`check`] reads from the process: the raw `SSOENV_STATE` and
/// `SSOENV_USE` values, the working directory, and the raw
/// `AWS_ACCESS_KEY_ID` and `AWS_CONTAINER_CREDENTIALS_FULL_URI`. The values
/// are whatever the environment holds, so anything at all must give an
/// answer (the fuzz tests hold it to that).
pub struct Inputs<'a> {
    pub state_var: Option<&'a OsStr>,
    pub switch_var: Option<&'a OsStr>,
    pub cwd: &'a Path,
    pub access_key_id: Option<&'a OsStr>,
    pub container_uri: Option<&'a OsStr>,
}

/// [`check`] with the process's inputs and the time passed in.
pub fn check_given(inputs: &Inputs, moment: Moment, now: SystemTime) -> Check {
    let Inputs {
        state_var,
        switch_var,
        cwd,
        access_key_id,
        container_uri,
    } = *inputs;
    let state = match state_var.map(OsStr::to_str) {
        Some(Some(text)) => match State::decode(text) {
            Some(state) => state,
            None => return Check::Changed,
        },
        None => State::default(),
        Some(None) => return Check::Changed,
    };
    let config_same = match (&state.config, paths::find_project_file(cwd)) {
        // Variables taken over with no project behind them: give them back,
        // unless the shell's `ssoenv use` choice is behind them.
        (None, None) => state.owned.is_empty() || state.switch.is_some(),
        (Some(seen), Some(found)) => Path::new(&seen.path) == found && seen.unchanged(),
        _ => false,
    };
    // The shell's `ssoenv use` choice: the same one as at the last
    // evaluation (hashed only while there is one).
    let switch_same = match (switch_var, &state.switch) {
        (None, None) => true,
        (Some(value), Some(seen)) => value
            .to_str()
            .is_some_and(|value| credentials::fingerprint(value) == *seen),
        _ => false,
    };
    let unchanged = config_same
        && switch_same
        && state.watch.iter().all(Watched::unchanged)
        && !state.recheck_due(now, moment)
        && match &state.served {
            None => key_still_exported(state.key.as_deref(), access_key_id),
            Some(served) => endpoint_still_served(served, container_uri),
        };
    if !unchanged {
        Check::Changed
    } else if state.ahead_due(now) {
        Check::RenewAhead(Box::new(state))
    } else {
        Check::Unchanged(Box::new(state))
    }
}

/// Prints a new idle check for the unchanged `state`, where the shell runs
/// one, so that the next prompts start no process (see
/// [`crate::shell::IdleCheck`]). `started`: before [`check`] began.
pub fn unchanged(target: ExportTarget, state: &State, started: SystemTime) -> ExitCode {
    match export::print_state(target, state, false, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => err.report(),
    }
}

/// Starts the renewal ahead that [`Check::RenewAhead`] found due, and
/// prints the state that says so, so the next prompts are idle again.
pub fn renew_ahead(target: ExportTarget, mut state: Box<State>, started: SystemTime) -> ExitCode {
    ahead::start_planned(&mut state);
    match export::print_state(target, &state, true, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => err.report(),
    }
}

/// The shell still points at the endpoint we exported, and the agent
/// serving it is alive (an open and a `flock`, see `crate::agent`).
fn endpoint_still_served(served: &Served, container_uri: Option<&OsStr>) -> bool {
    container_uri
        .and_then(OsStr::to_str)
        .is_some_and(|uri| credentials::fingerprint(uri) == served.uri)
        && agent::is_alive(Path::new(&served.lock))
}

/// The shell still has the access key we exported (the user did not unset or
/// replace it). Compared by fingerprint: the state never holds the key.
fn key_still_exported(fingerprint: Option<&str>, access_key_id: Option<&OsStr>) -> bool {
    match fingerprint {
        None => true,
        Some(expected) => access_key_id
            .and_then(OsStr::to_str)
            .is_some_and(|key| credentials::fingerprint(key) == expected),
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn the_export_targets_are_clap_s_names_and_aliases() {
        let mut from_clap: Vec<(String, ExportTarget)> = ExportTarget::value_variants()
            .iter()
            .flat_map(|target| {
                let value = target.to_possible_value().expect("no hidden targets");
                value
                    .get_name_and_aliases()
                    .map(|name| (name.to_owned(), *target))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut here: Vec<(String, ExportTarget)> = EXPORT_TARGETS
            .iter()
            .map(|(name, target)| ((*name).to_owned(), *target))
            .collect();
        from_clap.sort_by(|a, b| a.0.cmp(&b.0));
        here.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(here, from_clap);
    }

    #[test]
    fn the_before_command_flag_is_clap_s() {
        use clap::CommandFactory;
        let command = crate::cli::Cli::command();
        let export = command
            .find_subcommand("export")
            .expect("an export subcommand");
        let flag = export
            .get_arguments()
            .find(|arg| arg.get_id() == "before_command")
            .and_then(|arg| arg.get_long())
            .expect("export --before-command");
        assert_eq!(format!("--{flag}"), BEFORE_COMMAND);
    }
}
