use std::process::ExitCode;

use super::Run;
use crate::cli::Deny;
use crate::error::{Error, Result};

impl Run for Deny {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("deny"))
    }
}
