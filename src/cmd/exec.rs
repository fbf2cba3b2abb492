//! `ssoenv exec [--] CMD [ARGS…]`: CMD runs with fresh credentials for the
//! current directory's config (or `--config` / `--profile`), and ssoenv exits
//! with CMD's exit code.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitCode};

use super::Run;
use crate::cli::Exec;
use crate::engine;
use crate::error::{Error, Result};

impl Run for Exec {
    fn run(&self) -> Result<ExitCode> {
        let (program, args) = self.command.split_first().expect("clap requires CMD");
        // Resolve first: a typo should not cost a network round trip.
        let resolved = which::which(program).map_err(|_| {
            Error::with_code(
                format!(
                    "{}: command not found — check the name and your PATH",
                    program.to_string_lossy()
                ),
                127,
            )
        })?;
        let target = super::target_for(&self.source)?;
        let min_ttl = self.min_ttl.unwrap_or(target.refresh_before);
        let creds = engine::obtain(&target, min_ttl, engine::command_deadline())?;
        let mut command = Command::new(&resolved);
        command
            .arg0(program)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
            .env("AWS_SESSION_TOKEN", &creds.session_token)
            .env(
                "AWS_CREDENTIAL_EXPIRATION",
                crate::timefmt::format_utc(creds.expiration),
            );
        if let Some(region) = &target.region {
            command
                .env("AWS_REGION", region)
                .env("AWS_DEFAULT_REGION", region);
        }
        // A profile would send SDKs elsewhere than the credentials we give them.
        command.env_remove("AWS_PROFILE");
        let status = command.status().map_err(|e| {
            let code = if e.kind() == std::io::ErrorKind::PermissionDenied {
                126
            } else {
                1
            };
            Error::with_code(format!("cannot run {}: {e}", resolved.display()), code)
        })?;
        let code = status
            .code()
            .or_else(|| status.signal().map(|signal| 128 + signal))
            .unwrap_or(1);
        Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
    }
}
