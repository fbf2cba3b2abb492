use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::Deny;
use crate::error::Result;
use crate::{paths, trust};

impl Run for Deny {
    fn run(&self) -> Result<ExitCode> {
        let cwd = super::current_dir()?;
        let file = trust::config_argument(self.path.as_deref(), &cwd)?;
        let message = if trust::deny(&file)? {
            "denied"
        } else {
            "was not allowed; nothing to do for"
        };
        writeln!(
            std::io::stderr(),
            "ssoenv: {message} {}",
            paths::display(&file)
        )?;
        Ok(ExitCode::SUCCESS)
    }
}
