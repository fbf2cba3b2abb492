use std::process::ExitCode;

use super::Run;
use crate::cli::Logout;
use crate::error::{Error, Result};

impl Run for Logout {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("logout"))
    }
}
