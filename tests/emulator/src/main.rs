//! `sso-emulator`: the emulator as a program, for trying ssoenv without an
//! AWS account and for demos. It serves the SSO portal, SSO OIDC, STS
//! (GetCallerIdentity, AssumeRole) and console sign-in on one address.
//! Prints `listening on http://127.0.0.1:PORT` as its first stdout line, logs
//! one line per request on stderr, and serves until SIGINT or SIGTERM.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sso_emulator::{AssumableRole, AuthorizeDecision, Emulator, Fault, Operation, token_cache};

#[derive(Parser)]
#[command(
    name = "sso-emulator",
    version,
    about = "A local emulator of the AWS SSO portal, SSO OIDC, STS and console sign-in"
)]
struct Options {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Number of generated accounts.
    #[arg(long, default_value_t = 3)]
    accounts: u64,

    /// Roles assigned in every generated account.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "AdministratorAccess,ReadOnly"
    )]
    roles: Vec<String>,

    /// Lifetime of role credentials (e.g. 1h, 15m, 90s).
    #[arg(long, value_parser = parse_duration, default_value = "1h")]
    credential_lifetime: Duration,

    /// Lifetime of SSO access tokens.
    #[arg(long, value_parser = parse_duration, default_value = "8h")]
    token_lifetime: Duration,

    /// Approve device codes and /authorize requests immediately instead of
    /// showing Allow / Deny pages.
    #[arg(long)]
    auto_approve: bool,

    /// Answer every GetRoleCredentials this much later (e.g. 300ms): a
    /// portal far away.
    #[arg(long, value_parser = parse_duration)]
    latency: Option<Duration>,

    /// Answer 429 TooManyRequestsException above this many requests per second.
    #[arg(long)]
    rate_limit: Option<u32>,

    /// Issue a token and write it to HOME/.aws/sso/cache/ as AWS CLI v2 does,
    /// so ssoenv and the AWS tools find a signed-in session.
    #[arg(long, value_name = "HOME")]
    write_token_cache: Option<PathBuf>,

    /// Cache the token for this sso-session (file named after the session;
    /// the token is refreshable). Without it the file is named after the
    /// start URL and the token is not refreshable, as for legacy profiles.
    #[arg(long, value_name = "NAME", requires = "write_token_cache")]
    sso_session: Option<String>,

    /// Start URL recorded in the cached token.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://d-1234567890.awsapps.com/start"
    )]
    start_url: String,

    /// SSO region recorded in the cached token.
    #[arg(long, default_value = "us-east-1")]
    region: String,

    /// The Identity Center user name: the session name in the assumed-role
    /// ARN STS reports for role credentials.
    #[arg(long, value_name = "NAME", default_value = "user@example.com")]
    user_name: String,

    /// A role STS AssumeRole can enter, trusting every caller, with the
    /// default 1 h maximum session (repeatable), e.g.
    /// arn:aws:iam::222222222222:role/Deploy.
    #[arg(long = "assumable-role", value_name = "ARN", value_parser = parse_assumable_role)]
    assumable_roles: Vec<AssumableRole>,

    /// Do not log requests on stderr.
    #[arg(long)]
    quiet: bool,
}

/// `90s`, `15m`, `1h`, `7d`, `500ms`, or combinations such as `1h30m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration '{text}' (use e.g. 90s, 15m, 1h, 1h30m)");
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_seconds_or_millis = match &rest[..unit_len] {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            "d" => Duration::from_secs(number * 86_400),
            _ => return Err(invalid()),
        };
        total += unit_seconds_or_millis;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// An IAM role ARN, as a role that trusts every principal.
fn parse_assumable_role(arn: &str) -> Result<AssumableRole, String> {
    AssumableRole::try_new(arn).map(AssumableRole::trust_any)
}

fn main() -> ExitCode {
    let options = Options::parse();
    match run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sso-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: Options) -> Result<(), String> {
    let emulator = Emulator::start_on_port(options.port)
        .map_err(|error| format!("cannot listen on 127.0.0.1:{}: {error}", options.port))?;
    let roles: Vec<&str> = options.roles.iter().map(String::as_str).collect();
    emulator.generate_accounts(options.accounts, &roles);
    emulator.set_credential_lifetime(options.credential_lifetime);
    emulator.set_token_lifetime(options.token_lifetime);
    emulator.set_rate_limit(options.rate_limit);
    if let Some(latency) = options.latency {
        emulator.inject_fault(Operation::GetRoleCredentials, Fault::delay(latency));
    }
    emulator.set_log_requests(!options.quiet);
    emulator.set_auto_approve(options.auto_approve);
    emulator.set_user_name(&options.user_name);
    for role in options.assumable_roles {
        emulator.create_role(role);
    }
    emulator.set_authorize_decision(if options.auto_approve {
        AuthorizeDecision::Approve
    } else {
        AuthorizeDecision::AskUser
    });

    // Written before the URL line, so whoever waits for that line finds the file.
    if let Some(home) = &options.write_token_cache {
        let (cache_key, token) = match &options.sso_session {
            Some(session) => {
                let client = emulator.issue_client_registration(Duration::from_secs(90 * 86_400));
                (
                    session.as_str(),
                    emulator.issue_refreshable_token(&client, options.token_lifetime),
                )
            }
            None => (
                options.start_url.as_str(),
                emulator.issue_token(options.token_lifetime),
            ),
        };
        let path = token_cache::write_token_cache(
            home,
            cache_key,
            &options.start_url,
            &options.region,
            &token,
        )
        .map_err(|error| {
            format!(
                "cannot write the token cache under {}: {error}",
                home.display()
            )
        })?;
        eprintln!("wrote token cache {}", path.display());
    }

    let termination = Termination::watch()?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", emulator.url())
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("cannot write to stdout: {error}"))?;

    termination.wait();
    drop(emulator);
    Ok(())
}

/// SIGINT and SIGTERM, watched from before the URL line is printed, so both
/// Ctrl-C and `kill` end the program cleanly (exit 0) instead of by the
/// default signal action, even when whoever waited for that line signals at
/// once.
struct Termination {
    runtime: tokio::runtime::Runtime,
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Termination {
    fn watch() -> Result<Termination, String> {
        use tokio::signal::unix::{SignalKind, signal};
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("cannot start a signal runtime: {error}"))?;
        let (terminate, interrupt) = {
            let _context = runtime.enter();
            (
                signal(SignalKind::terminate())
                    .map_err(|error| format!("cannot watch SIGTERM: {error}"))?,
                signal(SignalKind::interrupt())
                    .map_err(|error| format!("cannot watch SIGINT: {error}"))?,
            )
        };
        Ok(Termination {
            runtime,
            terminate,
            interrupt,
        })
    }

    /// Blocks until one of the two signals arrives.
    fn wait(mut self) {
        self.runtime.block_on(async {
            tokio::select! {
                _ = self.terminate.recv() => {}
                _ = self.interrupt.recv() => {}
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_in_the_documented_forms() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10").is_err(), "a unit is required");
        assert!(parse_duration("1x").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn assumable_roles_must_be_role_arns() {
        let role = parse_assumable_role("arn:aws:iam::222222222222:role/Deploy").expect("a role");
        assert_eq!(role.arn(), "arn:aws:iam::222222222222:role/Deploy");
        assert!(parse_assumable_role("arn:aws:iam::222222222222:user/Deploy").is_err());
        assert!(parse_assumable_role("Deploy").is_err());
    }
}
