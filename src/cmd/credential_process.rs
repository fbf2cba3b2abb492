use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::CredentialProcess;
use crate::engine;
use crate::error::Result;

/// For `credential_process = ssoenv credential-process --profile NAME` in
/// `~/.aws/config` (or `--sso-session NAME --account-id ID --role-name
/// ROLE`, as `profiles sync --credential-process` writes it, since such a
/// profile has no SSO keys of its own): the SDK calls it whenever it needs
/// credentials.
impl Run for CredentialProcess {
    fn run(&self) -> Result<ExitCode> {
        let target = match (&self.sso_session, &self.account_id, &self.role_name) {
            (Some(session), Some(account_id), Some(role_name)) => {
                crate::config::load_session_role(session, account_id, role_name)?
            }
            _ => super::target_for(&self.source)?,
        };
        let creds = engine::obtain(&target, target.refresh_before, engine::command_deadline())?;
        writeln!(std::io::stdout(), "{}", creds.process_json())?;
        Ok(ExitCode::SUCCESS)
    }
}
