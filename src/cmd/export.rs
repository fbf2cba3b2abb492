use std::process::ExitCode;

use super::Run;
use crate::cli::Export;
use crate::error::{Error, Result};

impl Run for Export {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("export"))
    }
}
