//! `ssoenv container-args`: the flags of `exec --container`, one per line,
//! for `docker run $(ssoenv container-args) …` in scripts and Makefiles.
//!
//! The grant is served for the process that ran this one: in `$(…)` that
//! is the shell running the script (command substitution forks a subshell
//! that execs ssoenv, whose parent is the shell itself), so the grant
//! lasts as long as the script or shell, and goes with it.
//!
//! `--dir` prints only the grant's directory, for recipes that name the
//! mount themselves (a dev container's `mounts`, a compose override).

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::ContainerArgs;
use crate::container;
use crate::engine;
use crate::error::Result;
use crate::exec_helper::{self, GrantFor};

impl Run for ContainerArgs {
    fn run(&self) -> Result<ExitCode> {
        let relay = container::static_build()?;
        let target = super::target_for(&self.source)?;
        let creds = engine::obtain(&target, target.refresh_before, engine::command_deadline())?;
        let mounted = exec_helper::grant_container(creds, &target, relay, GrantFor::Parent)?;
        container::check_mountable(&mounted, true)?;
        let mut out = std::io::stdout().lock();
        if self.dir {
            writeln!(out, "{}", mounted.display())?;
            return Ok(ExitCode::SUCCESS);
        }
        for flag in container::flags(&mounted) {
            writeln!(out, "{flag}")?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
