//! `ssoenv-core`: the full program behind `ssoenv` (see `src/main.rs`). It
//! parses the command line, runs the command, and turns errors into
//! `ssoenv: <message>` and an exit code.

use std::process::ExitCode;

use clap::Parser;
use ssoenv::cli::Cli;
use ssoenv::cmd::Run;

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli.command.run().unwrap_or_else(|err| err.report())
}
