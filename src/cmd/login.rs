//! `ssoenv login`: interactive sign-in to the SSO session of the current
//! directory's config (or `--config FILE` / `--profile NAME`).

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::Login;
use crate::config::Selection;
use crate::config::Target;
use crate::error::{Error, Result};
use crate::{paths, signin, trust};

impl Run for Login {
    fn run(&self) -> Result<ExitCode> {
        let target = target_for(&self.source)?;
        let session = &target.session;
        let options = signin::Options {
            device_code: self.device_code,
            no_browser: self.no_browser,
        };
        writeln!(
            std::io::stderr(),
            "ssoenv: signing in to SSO session {} ({})",
            session.label(),
            session.start_url
        )?;
        let signed_in = signin::login(session, options)?;
        writeln!(
            std::io::stderr(),
            "ssoenv: signed in to SSO session {} — the token {}{}; shells in its projects pick up credentials at their next prompt",
            session.label(),
            signin::describe_expiry(signed_in.expires_at),
            if signed_in.refreshable {
                " and is refreshed automatically"
            } else {
                ""
            },
        )?;
        Ok(ExitCode::SUCCESS)
    }
}

/// The settings `login` and `logout` act on. A `.awssso.toml` found by
/// walking up must be allowed, as everywhere: a cloned repository must not
/// choose where you sign in. The message says both ways forward.
pub(super) fn target_for(source: &Selection) -> Result<Target> {
    if source.config.is_none() && source.profile.is_none() {
        let cwd = super::current_dir()?;
        if let Some(file) = paths::find_project_file(&cwd)
            && !trust::is_allowed(&file)?
        {
            let shown = paths::display(&file);
            return Err(Error::new(format!(
                "{} at {shown} is not allowed, so it cannot choose where you sign in — \
                 check its sso_start_url, then run 'ssoenv allow' (or pass --config {shown})",
                paths::PROJECT_FILE
            )));
        }
    }
    super::target_for(source)
}
