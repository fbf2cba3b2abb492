use std::process::ExitCode;

use super::Run;
use crate::cli::Exec;
use crate::error::{Error, Result};

impl Run for Exec {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("exec"))
    }
}
