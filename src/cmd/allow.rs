use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::Allow;
use crate::error::Result;
use crate::{config, paths, trust};

impl Run for Allow {
    fn run(&self) -> Result<ExitCode> {
        let cwd = super::current_dir()?;
        let file = trust::config_argument(self.path.as_deref(), &cwd)?;
        // Allowing a file that cannot load would only move the error to every prompt.
        let target = config::load_project(&file)?;
        trust::allow(&file)?;
        writeln!(
            std::io::stderr(),
            "ssoenv: allowed {} ({})",
            paths::display(&file),
            target.label()
        )?;
        Ok(ExitCode::SUCCESS)
    }
}
