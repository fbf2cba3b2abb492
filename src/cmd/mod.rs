//! One file per command; each implements [`Run`]. This file only dispatches.

mod allow;
mod completions;
mod credential_process;
mod deny;
mod exec;
mod export;
mod export_credentials;
mod hook;
mod init;
mod list;
mod login;
mod logout;
mod status;

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
            Command::ExportCredentials(cmd) => cmd.run(),
            Command::Completions(cmd) => cmd.run(),
        }
    }
}
