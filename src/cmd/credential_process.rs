use std::process::ExitCode;

use super::Run;
use crate::cli::CredentialProcess;
use crate::error::{Error, Result};

impl Run for CredentialProcess {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("credential-process"))
    }
}
