use std::process::ExitCode;

use super::Run;
use crate::cli::Login;
use crate::error::{Error, Result};

impl Run for Login {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("login"))
    }
}
