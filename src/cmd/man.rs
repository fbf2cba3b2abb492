//! `ssoenv man`: the man page on stdout, for installs that do not put it
//! where `man` looks (`cargo install`, the release archives unpacked by hand).

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use super::completions::man_page;
use crate::cli::Man;
use crate::error::Result;

impl Run for Man {
    fn run(&self) -> Result<ExitCode> {
        let mut out = std::io::stdout().lock();
        out.write_all(&man_page()?)?;
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}
