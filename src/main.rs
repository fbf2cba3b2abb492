use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use ssoenv::cli::Cli;
use ssoenv::cmd::{Run, export};

fn main() -> ExitCode {
    // The per-prompt hot path: `ssoenv export <shell>` with nothing changed
    // returns before clap builds its parser or anything else is set up.
    if is_export_call() && export::nothing_changed() {
        return ExitCode::SUCCESS;
    }
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

/// `ssoenv export <target>` exactly, as the hook calls it.
fn is_export_call() -> bool {
    let mut args = std::env::args_os().skip(1);
    let (Some(verb), Some(target), None) = (args.next(), args.next(), args.next()) else {
        return false;
    };
    verb == "export"
        && ["bash", "zsh", "fish", "pwsh", "powershell", "json"]
            .iter()
            .any(|t| target == *t)
}
