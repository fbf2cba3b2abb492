use std::process::ExitCode;

use super::Run;
use crate::cli::Allow;
use crate::error::Result;
use crate::{config, paths, sso_token, trust, ui};

impl Run for Allow {
    fn run(&self) -> Result<ExitCode> {
        let cwd = super::current_dir()?;
        let file = trust::config_argument(self.path.as_deref(), &cwd)?;
        // Allowing a file that cannot load would only move the error to every prompt.
        let target = config::load_project(&file)?;
        trust::allow(&file)?;
        // What the file does, in full: a file that names another portal or
        // chains elsewhere must not look like the one the user meant.
        ui::say(&format!(
            "allowed {} — {}",
            paths::display(&file),
            target.route()
        ));
        if let Some(conflict) = sso_token::signed_in_elsewhere(&target.session) {
            ui::say(&format!("warning: {conflict}"));
        }
        Ok(ExitCode::SUCCESS)
    }
}
