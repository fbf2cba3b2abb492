//! `ssoenv exec [--min-ttl DUR] [--no-server] [--] CMD [ARGS…]`: CMD runs with
//! fresh credentials for the current directory's config (or `--config` /
//! `--profile`).
//!
//! ssoenv *becomes* CMD with `exec(2)`, as `env` does: the pid the caller
//! started, the process group, the terminal, job control, every signal and
//! the exit status are CMD's own, and nothing is forwarded. A signal sent to
//! the whole process group (`kill -INT -PGID`, a CI runner's timeout) reaches
//! CMD once, and Ctrl-C at a terminal once.
//!
//! By default CMD gets a loopback container-credential endpoint instead of
//! static variables, so AWS SDKs in a run that outlasts the credentials fetch
//! renewed ones by themselves. It is served by a helper process that lives as
//! long as CMD does ([`crate::exec_helper`]). The static
//! `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`/
//! `AWS_CREDENTIAL_EXPIRATION` are then removed from CMD's environment (even
//! when the shell hook had set them): SDKs prefer them over the endpoint and
//! would keep using them after they expire. `--no-server` gives static
//! variables, for tools that do not use an AWS SDK, and starts no helper.
//!
//! `--container`: CMD is a container engine's `run`. The engine CLI gets no
//! credentials; the container does, through a grant ([`crate::container`])
//! that the helper serves until CMD exits, whose flags go right after `run`.
//! Everything that can fail (the engine's grammar, the static build, the
//! credentials, the helper) is checked before CMD starts.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use super::Run;
use crate::cli::Exec;
use crate::config::Target;
use crate::container;
use crate::credentials::Credentials;
use crate::engine;
use crate::error::{Error, Kind, Result};
use crate::exec_helper::{self, GrantFor};
use crate::platform;
use crate::timefmt;

/// Variables that hand the child static credentials.
const STATIC_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Variables that point SDKs at a container endpoint (possibly another one).
const CONTAINER_VARS: [&str; 4] = [
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

impl Run for Exec {
    fn run(&self) -> Result<ExitCode> {
        let (program, _) = self.command.split_first().expect("clap requires CMD");
        // Check the command first: a typo should not cost a network round trip.
        let container = match self.container {
            true => {
                let at = container::insertion_point(&self.command)?;
                container::refuse_detached(&self.command, at)?;
                Some((at, container::static_build()?))
            }
            false => None,
        };
        let resolved = resolve(program)?;
        let target = super::target_for(&self.source)?;
        let creds = fresh_credentials(&target, self.min_ttl, self.no_server)?;

        let mut command = Command::new(&resolved);
        // A profile would send SDKs elsewhere than the credentials we give
        // them, and a container endpoint inherited from an outer run would
        // compete with ours.
        for var in STATIC_VARS.iter().chain(&CONTAINER_VARS) {
            command.env_remove(var);
        }
        command.env_remove("AWS_PROFILE");
        if let Some((at, relay)) = container {
            let mounted =
                exec_helper::grant_container(creds, &target, relay, GrantFor::ThisProcess)?;
            container::check_mountable(&mounted, false)?;
            let args = container::with_flags(&self.command, at, &container::flags(&mounted));
            command.args(&args[1..]);
            let err = platform::exec_replace(&mut command, program);
            return Err(exec_error(&resolved, &err));
        }
        let (_, args) = self.command.split_first().expect("clap requires CMD");
        command.args(args);
        if let Some(region) = &target.region {
            command
                .env("AWS_REGION", region)
                .env("AWS_DEFAULT_REGION", region);
        }
        if self.no_server {
            command
                .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
                .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
                .env("AWS_SESSION_TOKEN", &creds.session_token)
                .env(
                    "AWS_CREDENTIAL_EXPIRATION",
                    timefmt::format_utc(creds.expiration),
                );
        } else {
            let served = exec_helper::serve_until_this_process_exits(creds, &target)?;
            command
                .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", served.uri)
                .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", served.token_file);
        }
        // Returns only when exec failed; the helper then sees us exit.
        let err = platform::exec_replace(&mut command, program);
        Err(exec_error(&resolved, &err))
    }
}

/// Credentials good for the start of the run. Without `--min-ttl`, the usual
/// rule (renew within the target's `refresh_before`). With it, renew when less
/// than that is left and new credentials would last longer; warn when even
/// new ones cannot cover it.
fn fresh_credentials(
    target: &Target,
    min_ttl: Option<Duration>,
    no_server: bool,
) -> Result<Credentials> {
    let deadline = engine::command_deadline();
    let Some(min_ttl) = min_ttl else {
        return engine::obtain(target, target.refresh_before, deadline)
            .or_else(|err| still_valid_after(err, target));
    };
    let creds = engine::obtain_unless(target, deadline, |creds| {
        !creds.needs_renewal(target.refresh_before) && !worth_renewing(creds, min_ttl)
    })
    .or_else(|err| still_valid_after(err, target))?;
    let left = timefmt::remaining(creds.expiration);
    if left < min_ttl {
        let lifetime = lifetime(&creds);
        let consequence = if no_server {
            "they will expire during a run that long"
        } else {
            "AWS SDKs in the command get renewed ones from the endpoint"
        };
        eprintln!(
            "ssoenv: the role's credentials last {} (its session duration), less than --min-ttl {}; running anyway — {consequence}",
            humantime::format_duration(round_secs(lifetime)),
            humantime::format_duration(round_secs(min_ttl)),
        );
    }
    Ok(creds)
}

/// When renewal fails for a reason that may pass (network, throttling) or
/// needs a login, cached credentials that are still valid run the command
/// anyway, as the prompt hook keeps them: a flaky network should not stop a
/// `terraform plan` that has 40 minutes of credentials left.
fn still_valid_after(err: Error, target: &Target) -> Result<Credentials> {
    if !matches!(err.kind(), Kind::Transient | Kind::LoginRequired) {
        return Err(err);
    }
    match engine::cached(target)?.filter(|creds| !creds.is_expired()) {
        Some(creds) => {
            eprintln!(
                "ssoenv: {err} — running with the cached credentials (expire {})",
                crate::timefmt::describe_expiry(creds.expiration)
            );
            Ok(creds)
        }
        None => Err(err),
    }
}

/// Less than `min_ttl` left, and new credentials (which last about as long as
/// these did when new) would have noticeably more.
fn worth_renewing(creds: &Credentials, min_ttl: Duration) -> bool {
    let left = timefmt::remaining(creds.expiration);
    let lifetime = lifetime(creds);
    left < min_ttl && left < lifetime.mul_f64(0.95)
}

fn lifetime(creds: &Credentials) -> Duration {
    creds
        .expiration
        .duration_since(creds.issued_at)
        .unwrap_or_default()
}

fn round_secs(duration: Duration) -> Duration {
    Duration::from_secs(duration.as_secs())
}

/// The program to exec: a name is looked up in PATH, and a path (anything
/// with a `/`, as shells do, or a `\` on Windows) is taken as it is once it
/// exists. Whether it can
/// be run is the kernel's to say, at the exec.
fn resolve(program: &OsStr) -> Result<PathBuf> {
    let shown = program.to_string_lossy();
    if program
        .as_encoded_bytes()
        .iter()
        .any(|&byte| std::path::is_separator(char::from(byte)))
    {
        let path = PathBuf::from(program);
        if path.symlink_metadata().is_err() {
            return Err(Error::with_code(
                format!("{shown}: no such file — check the path"),
                127,
            ));
        }
        return Ok(path);
    }
    which::which(program).map_err(|_| {
        Error::with_code(
            format!("{shown}: command not found — check the name and your PATH"),
            127,
        )
    })
}

/// Why `exec(2)` failed, with the exit code a shell would give (126: found
/// but cannot be run).
fn exec_error(resolved: &Path, err: &std::io::Error) -> Error {
    let program = resolved.display();
    let (message, code) = if resolved.is_dir() {
        (format!("cannot run {program}: it is a directory"), 126)
    } else if err.kind() == std::io::ErrorKind::PermissionDenied {
        (
            format!(
                "cannot run {program}: permission denied — check its mode (chmod +x) and its directory's"
            ),
            126,
        )
    } else if err.raw_os_error() == Some(ENOEXEC) {
        (
            format!(
                "cannot run {program}: not a program this system can run — a script needs a #! line"
            ),
            126,
        )
    } else {
        (format!("cannot run {program}: {err}"), 1)
    };
    Error::with_code(message, code)
}

/// `ENOEXEC` on Linux: the file's format is not one the kernel runs.
const ENOEXEC: i32 = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn creds(age: u64, lifetime: u64) -> Credentials {
        let issued_at = SystemTime::now() - Duration::from_secs(age);
        Credentials {
            access_key_id: "AKIA".into(),
            secret_access_key: "s".into(),
            session_token: "t".into(),
            issued_at,
            expiration: issued_at + Duration::from_secs(lifetime),
        }
    }

    #[test]
    fn min_ttl_renews_only_when_new_credentials_would_last_longer() {
        let hour = Duration::from_secs(3600);
        // 40 minutes left of an hour, 45 asked: new ones would give 60.
        assert!(worth_renewing(&creds(20 * 60, 3600), hour * 3 / 4));
        // 40 left, 30 asked: fine as they are.
        assert!(!worth_renewing(&creds(20 * 60, 3600), hour / 2));
        // Brand new hour-long credentials, 2 h asked: renewing cannot help.
        assert!(!worth_renewing(&creds(0, 3600), hour * 2));
    }
}
