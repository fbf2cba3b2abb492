use std::process::ExitCode;

use super::Run;
use crate::cli::Hook;
use crate::error::{Error, Result};

impl Run for Hook {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("hook"))
    }
}
