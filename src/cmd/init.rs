use std::process::ExitCode;

use super::Run;
use crate::cli::Init;
use crate::error::{Error, Result};

impl Run for Init {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("init"))
    }
}
