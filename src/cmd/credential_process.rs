use std::io::Write;
use std::process::ExitCode;

use super::Run;
use super::export_credentials::process_json;
use crate::cli::CredentialProcess;
use crate::engine;
use crate::error::Result;

/// For `credential_process = ssoenv credential-process --profile NAME` in
/// `~/.aws/config`: the SDK calls it whenever it needs credentials.
impl Run for CredentialProcess {
    fn run(&self) -> Result<ExitCode> {
        let target = super::target_for(&self.source)?;
        let creds = engine::obtain(&target, target.refresh_before, engine::command_deadline())?;
        writeln!(std::io::stdout(), "{}", process_json(&creds))?;
        Ok(ExitCode::SUCCESS)
    }
}
