//! `ssoenv login`: interactive sign-in to the SSO session of the current
//! directory's config (or `--config FILE` / `--profile NAME`, or outside
//! any project the user-wide defaults' session).

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::Login;
use crate::config::{self, Selection, SsoSession, Target};
use crate::error::{Error, Result};
use crate::{paths, signin, trust};

impl Run for Login {
    fn run(&self) -> Result<ExitCode> {
        let (session, _) = sign_in_target(&self.source)?;
        let session = &session;
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

/// The session `login` and `logout` act on, and the target it came from
/// when one named it: `--config FILE`'s or `--profile NAME`'s, the shell's
/// `ssoenv use` choice, the nearest `.awssso.toml`'s — which must be
/// allowed, as everywhere: a cloned repository must not choose where you
/// sign in (the message says both ways forward) — else, outside any
/// project, the session of the user-wide defaults.
pub(super) fn sign_in_target(source: &Selection) -> Result<(SsoSession, Option<Target>)> {
    if source.config.is_none() && source.profile.is_none() {
        let cwd = super::current_dir()?;
        let project = paths::find_project_file(&cwd);
        if project.is_none() && crate::switch::Switch::from_env().is_none() {
            return Ok((config::default_session()?.session, None));
        }
        if let Some(file) = project
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
    let target = super::target_for(source)?;
    Ok((target.session.clone(), Some(target)))
}
