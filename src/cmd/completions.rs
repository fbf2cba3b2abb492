use std::process::ExitCode;

use super::Run;
use crate::cli::Completions;
use crate::error::{Error, Result};

impl Run for Completions {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("completions"))
    }
}
