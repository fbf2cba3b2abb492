use std::process::ExitCode;

use super::Run;
use crate::cli::List;
use crate::error::{Error, Result};

impl Run for List {
    fn run(&self) -> Result<ExitCode> {
        Err(Error::not_implemented("list"))
    }
}
