//! `ssoenv-core`: the full program behind `ssoenv` (see `src/main.rs`). It
//! parses the command line, runs the command, and turns errors into
//! `ssoenv: <message>` and an exit code.

use std::process::ExitCode;

use clap::Parser;
use ssoenv::cli::{Cli, Command};
use ssoenv::cmd::Run;
use ssoenv::{ahead, exec_helper};

fn main() -> ExitCode {
    // `ssoenv exec`'s endpoint helper, which it starts as a fresh process.
    if exec_helper::is_launcher() {
        return ExitCode::from(u8::try_from(exec_helper::launch()).unwrap_or(1));
    }
    // A prompt's renewal ahead of time, started detached (see `ahead`).
    if let Some(source) = ahead::child_source(std::env::args_os().skip(1)) {
        return ahead::run_child(&source);
    }
    let mut cli = Cli::parse();
    // Only `use` has code to write; every other command ignores the file.
    if let Command::Use(cmd) = &mut cli.command {
        cmd.tcsh_code_file = cli.tcsh_use_code.take();
    }
    cli.command.run().unwrap_or_else(|err| err.report())
}
