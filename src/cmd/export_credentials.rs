use std::process::ExitCode;

use super::Run;
use crate::cli::ExportCredentials;
use crate::error::{Error, Result};

impl Run for ExportCredentials {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("export-credentials"))
    }
}
