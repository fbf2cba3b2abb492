use std::process::ExitCode;

use super::Run;
use crate::cli::Allow;
use crate::error::{Error, Result};

impl Run for Allow {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("allow"))
    }
}
