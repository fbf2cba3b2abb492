//! `ssoenv agent [status|stop]`: the per-user credential endpoint behind
//! `credentials = "endpoint"`. Shells start it when they need it; by hand it
//! runs in the foreground (Ctrl-C stops it).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::Run;
use crate::agent::{self, Files, serve};
use crate::cli::{Agent, AgentAction};
use crate::error::{Error, Result};
use crate::{paths, platform};

/// How long `stop` waits for the agent to let go of its lock.
const STOP_PATIENCE: Duration = Duration::from_secs(5);

impl Run for Agent {
    fn run(&self) -> Result<ExitCode> {
        match self.action {
            None => {
                let idle = match self.idle {
                    Some(idle) if !idle.is_zero() => idle,
                    Some(_) => return Err(Error::new("--idle must be longer than 0s")),
                    None => agent::idle_from_env()?,
                };
                serve::run(self.launched, idle)?;
                Ok(ExitCode::SUCCESS)
            }
            Some(AgentAction::Status) => status(),
            Some(AgentAction::Stop) => stop(),
        }
    }
}

fn status() -> Result<ExitCode> {
    let files = Files::locate()?;
    match agent::running()? {
        Some(running) => {
            println!(
                "agent {} serves http://127.0.0.1:{}/ (token {}, log {})",
                running.pid,
                running.port,
                paths::display(&files.token),
                paths::display(&files.log)
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!(
                "no agent is running; the next prompt in a project with credentials = \"endpoint\" starts one"
            );
            // Like `systemctl status`: scripts can tell the two apart.
            Ok(ExitCode::from(3))
        }
    }
}

fn stop() -> Result<ExitCode> {
    let Some(running) = agent::running()? else {
        println!("no agent is running");
        return Ok(ExitCode::SUCCESS);
    };
    platform::terminate(running.pid)
        .map_err(|e| Error::new(format!("cannot signal agent {}: {e}", running.pid)))?;
    let deadline = Instant::now() + STOP_PATIENCE;
    while agent::is_alive(&running.files.lock) {
        if Instant::now() > deadline {
            return Err(Error::new(format!(
                "agent {} did not stop within {}s — kill it with '{}'",
                running.pid,
                STOP_PATIENCE.as_secs(),
                platform::force_kill_command(running.pid)
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    println!("stopped agent {}", running.pid);
    Ok(ExitCode::SUCCESS)
}
