//! `ssoenv-core`: the full program behind `ssoenv` (see `src/main.rs`). It
//! parses the command line, runs the command, and turns errors into
//! `ssoenv: <message>` and an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use ssoenv::cli::Cli;
use ssoenv::cmd::Run;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.run() {
        Ok(code) => code,
        Err(err) => {
            if err.is_broken_pipe() {
                // The reader went away (`ssoenv list | head`): nothing to report.
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "ssoenv: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
