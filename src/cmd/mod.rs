//! One file per command; each implements [`Run`]. This file only dispatches.

mod agent;
mod allow;
mod aws_file;
pub mod completions;
mod console;
mod container_args;
mod credential_process;
mod deny;
mod exec;
pub mod export;
mod export_credentials;
mod hook;
mod init;
mod list;
mod login;
mod logout;
mod man;
mod pick;
mod profiles;
mod status;
mod use_switch;
mod write_credentials;

use std::process::ExitCode;

use crate::cli::Command;
use crate::error::Result;

/// A command: does its work and says how the process should exit.
pub trait Run {
    fn run(&self) -> Result<ExitCode>;
}

impl Run for Command {
    fn run(&self) -> Result<ExitCode> {
        match self {
            Command::Hook(cmd) => cmd.run(),
            Command::Export(cmd) => cmd.run(),
            Command::Allow(cmd) => cmd.run(),
            Command::Deny(cmd) => cmd.run(),
            Command::Exec(cmd) => cmd.run(),
            Command::Login(cmd) => cmd.run(),
            Command::Logout(cmd) => cmd.run(),
            Command::Status(cmd) => cmd.run(),
            Command::List(cmd) => cmd.run(),
            Command::Init(cmd) => cmd.run(),
            Command::CredentialProcess(cmd) => cmd.run(),
            Command::ContainerArgs(cmd) => cmd.run(),
            Command::ExportCredentials(cmd) => cmd.run(),
            Command::Console(cmd) => cmd.run(),
            Command::WriteCredentials(cmd) => cmd.run(),
            Command::Profiles(cmd) => cmd.run(),
            Command::Use(cmd) => cmd.run(),
            Command::Completions(cmd) => cmd.run(),
            Command::Man(cmd) => cmd.run(),
            Command::Agent(cmd) => cmd.run(),
        }
    }
}

/// The working directory, with a message for the rare case it is gone.
fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().map_err(|e| {
        crate::error::Error::new(format!(
            "cannot read the current directory ({e}) — cd to an existing directory"
        ))
    })
}

/// The settings a command acts on: `--config FILE`, `--profile NAME`, the
/// shell's `ssoenv use` choice, or the nearest `.awssso.toml` above the
/// working directory. A file found by walking
/// up must be allowed, as for the prompt hook: a repository you cloned does
/// not get to pick an account just because you ran ssoenv inside it.
fn target_for(source: &crate::config::Selection) -> Result<crate::config::Target> {
    let cwd = current_dir()?;
    if source.config.is_none() && source.profile.is_none() {
        // This shell's `ssoenv use` choice wins over the directory, for
        // every command as for the prompt.
        if let Some(switch) = crate::switch::Switch::from_env() {
            return switch.target();
        }
        let file = crate::paths::find_project_file(&cwd).ok_or_else(|| {
            crate::error::Error::new(format!(
                "no {} in {} or above — create one with 'ssoenv init', or pass --config FILE or --profile NAME",
                crate::paths::PROJECT_FILE,
                crate::paths::display(&cwd)
            ))
        })?;
        if !crate::trust::is_allowed(&file)? {
            return Err(crate::error::Error::new(format!(
                "{} at {} is not allowed — run 'ssoenv allow'",
                crate::paths::PROJECT_FILE,
                crate::paths::display(&file)
            )));
        }
        return crate::config::load_project(&file);
    }
    crate::config::resolve(source, &cwd)
}
