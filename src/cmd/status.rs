use std::process::ExitCode;

use super::Run;
use crate::cli::Status;
use crate::error::{Error, Result};

impl Run for Status {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("status"))
    }
}
