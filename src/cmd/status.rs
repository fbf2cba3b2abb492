//! `ssoenv status`: what this shell has, where it came from, when it runs
//! out, and what the next prompt will do about it — `aws configure list` for
//! ssoenv. Reads files and the environment only: no network, no locks, no
//! writes, so it is safe in a prompt and instant on a plane.
//!
//! "What the next prompt will do" follows `export`'s rules: the config file
//! must be allowed and valid; cached credentials are loaded while they are not
//! due for renewal ahead (see `crate::ahead`), and renewed in the background
//! while they are still valid; renewal needs an SSO token that is unexpired
//! or refreshable.

use std::env;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use serde::Serialize;

use super::Run;
use crate::cli::Status;
use crate::config::{SsoSession, Target};
use crate::credentials::{self, Credentials};
use crate::error::Result;
use crate::sso_token::{self, SsoToken};
use crate::state::State;
use crate::switch::{self, Switch};
use crate::{config, engine, paths, timefmt, trust, ui};

/// Version of the `--json` document; bumped only for changes that break readers.
pub const JSON_VERSION: u32 = 1;

impl Run for Status {
    fn run(&self) -> Result<ExitCode> {
        let cwd = super::current_dir()?;
        let report = Report::gather(&cwd);
        let mut out = anstream::stdout().lock();
        if self.json {
            let text = serde_json::to_string_pretty(&report).expect("the report encodes as JSON");
            writeln!(out, "{text}")?;
        } else {
            out.write_all(report.human().as_bytes())?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Everything `status` shows. Field names and values are the `--json` schema
/// (README, "status --json"): add fields freely, never rename or remove.
#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub config: ConfigReport,
    pub start_url: Option<String>,
    pub sso_session: Option<String>,
    pub sso_region: Option<String>,
    /// The account and role whose credentials the shell gets (the last
    /// assumed role of a chain).
    pub account_id: Option<String>,
    pub role_name: Option<String>,
    /// For a chain: the last role's ARN; null for an SSO role.
    pub role_arn: Option<String>,
    /// For a chain: the SSO role it starts from, `ACCOUNT/PERMISSION_SET`.
    pub assumed_from: Option<String>,
    /// Every role assumed after the SSO role, in order (ARNs); empty for an
    /// SSO role.
    pub chain: Vec<String>,
    /// Set when the file names an `sso_session` that is signed in to another
    /// portal than its `sso_start_url`: why ssoenv will not use that sign-in.
    pub start_url_conflict: Option<String>,
    pub region: Option<String>,
    pub credentials: CredentialsReport,
    pub session: Option<SessionReport>,
    pub next_prompt: NextPrompt,
    /// This shell's `ssoenv use` choice, which wins over the directory;
    /// null when it has none.
    #[serde(rename = "use")]
    pub switch: Option<SwitchReport>,
}

#[derive(Debug, Serialize)]
pub struct SwitchReport {
    /// How it is named: `Prod/AdministratorAccess`.
    pub label: String,
    /// The command that made it: `ssoenv use Prod/AdministratorAccess`.
    pub origin: String,
}

#[derive(Debug, Serialize)]
pub struct ConfigReport {
    /// `active`, `none`, `not_allowed`, `invalid`, or `waiting` (the shell
    /// is switched with `ssoenv use`; the file applies after `--off`).
    pub state: &'static str,
    /// The `.awssso.toml` in effect, `~`-abbreviated; null when none was found.
    pub path: Option<String>,
    /// Why an `invalid` file does not load.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CredentialsReport {
    /// `AWS_ACCESS_KEY_ID` of this shell with all but the last 4 characters masked.
    pub access_key: Option<String>,
    /// `ssoenv` (exported by ssoenv's hook), `other` (set by something else) or `none`.
    pub source: &'static str,
    /// When the credentials expire (RFC 3339, UTC).
    pub expires_at: Option<String>,
    /// Seconds left on them, 0 once expired.
    pub seconds_left: Option<u64>,
    /// Where the expiry was read: `environment` (AWS_CREDENTIAL_EXPIRATION) or `cache`.
    pub expiry_from: Option<&'static str>,
    /// How the config hands credentials over: `variables` or `endpoint`
    /// (null without an active config).
    pub mode: Option<&'static str>,
    /// In endpoint mode, the `AWS_CONTAINER_CREDENTIALS_FULL_URI` ssoenv
    /// exported to this shell (no secret: the token is in a file).
    pub endpoint: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SessionReport {
    /// `valid`, `expired` or `missing` (never signed in, or signed out).
    pub state: &'static str,
    pub expires_at: Option<String>,
    pub seconds_left: Option<u64>,
    /// The token can be renewed without the user (refresh token and client registration present).
    pub refreshable: bool,
}

#[derive(Debug, Serialize)]
pub struct NextPrompt {
    /// `nothing`, `load`, `renew`, `unload`, `allow`, `login` or `fix_config`.
    pub action: &'static str,
    /// The same in words.
    pub message: String,
}

impl Report {
    pub fn gather(cwd: &Path) -> Report {
        let state = State::from_env();
        let env_key = env::var("AWS_ACCESS_KEY_ID").ok().filter(|k| !k.is_empty());
        let endpoint = env::var("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .ok()
            .filter(|uri| {
                state
                    .served
                    .as_ref()
                    .is_some_and(|served| credentials::fingerprint(uri) == served.uri)
            });
        let ours = match (&env_key, &state.key) {
            _ if endpoint.is_some() => true,
            (Some(key), Some(fingerprint)) => credentials::fingerprint(key) == *fingerprint,
            _ => false,
        };
        let mut report = Report {
            version: JSON_VERSION,
            config: ConfigReport {
                state: "none",
                path: None,
                error: None,
            },
            start_url: None,
            sso_session: None,
            sso_region: None,
            account_id: None,
            role_name: None,
            role_arn: None,
            assumed_from: None,
            chain: Vec::new(),
            start_url_conflict: None,
            region: env::var("AWS_REGION").ok().filter(|r| !r.is_empty()),
            credentials: CredentialsReport {
                access_key: env_key.as_deref().map(mask),
                source: match (&env_key, ours) {
                    (_, true) => "ssoenv",
                    (None, false) => "none",
                    (Some(_), false) => "other",
                },
                expires_at: None,
                seconds_left: None,
                expiry_from: None,
                mode: None,
                endpoint,
            },
            session: None,
            next_prompt: NextPrompt {
                action: "nothing",
                message: String::new(),
            },
            switch: None,
        };
        if let Some(expiry) = env::var("AWS_CREDENTIAL_EXPIRATION")
            .ok()
            .and_then(|text| timefmt::parse_utc(&text))
            .filter(|_| env_key.is_some() || report.credentials.endpoint.is_some())
        {
            report.set_expiry(expiry, "environment");
        }

        if let Some((switch, raw)) = Switch::from_env().zip(env::var(switch::VAR).ok()) {
            return report.switched(cwd, &switch, &raw, ours, &state);
        }
        let Some(file) = paths::find_project_file(cwd) else {
            report.next_prompt = if ours {
                NextPrompt::new(
                    "unload",
                    "unload the AWS credentials (no .awssso.toml here)",
                )
            } else {
                NextPrompt::new(
                    "nothing",
                    format!(
                        "nothing — no {} in {} or above; create one with 'ssoenv init'",
                        paths::PROJECT_FILE,
                        paths::display(cwd)
                    ),
                )
            };
            return report;
        };
        report.config.path = Some(paths::display(&file));
        match trust::is_allowed(&file) {
            Ok(true) => {}
            Ok(false) => {
                report.config.state = "not_allowed";
                // What allowing it would do, as `allow` will say it.
                if let Ok(target) = config::load_project(&file) {
                    report.describe_target(&target);
                }
                report.next_prompt = NextPrompt::new(
                    "allow",
                    "ask you to allow it — run 'ssoenv allow' if you trust this file",
                );
                return report;
            }
            Err(err) => return report.invalid(err.message()),
        }
        let target = match config::load_project(&file) {
            Ok(target) => target,
            Err(err) => return report.invalid(err.message()),
        };
        report.config.state = "active";
        report.describe_target(&target);
        let loaded_here = ours
            && state
                .config
                .as_ref()
                .is_some_and(|seen| Path::new(&seen.path) == file);
        report.with_target(&target, ours, loaded_here, &state)
    }

    /// What the shell has of `target` (loaded here: by this shell's last
    /// prompt), and what its next prompt will do.
    fn with_target(
        mut self,
        target: &Target,
        ours: bool,
        loaded_here: bool,
        state: &State,
    ) -> Report {
        self.credentials.mode = Some(match target.credentials {
            config::CredentialsMode::Variables => "variables",
            config::CredentialsMode::Endpoint => "endpoint",
        });
        let cached = engine::cached(target).ok().flatten();
        if (self.credentials.expires_at.is_none() || !ours)
            && let Some(creds) = &cached
        {
            self.set_expiry(creds.expiration, "cache");
        }
        let token = sso_token::load(&target.session);
        self.session = Some(SessionReport::of(
            &target.session,
            token.as_ref().ok().and_then(Option::as_ref),
        ));
        self.next_prompt = next_prompt(target, cached.as_ref(), token, loaded_here, state);
        self
    }

    /// The report of a shell switched with `ssoenv use`: its choice, and
    /// the directory's file (which waits) only by name.
    fn switched(
        mut self,
        cwd: &Path,
        switch: &Switch,
        raw: &str,
        ours: bool,
        state: &State,
    ) -> Report {
        self.switch = Some(SwitchReport {
            label: switch.label.clone(),
            origin: switch.origin(),
        });
        if let Some(file) = paths::find_project_file(cwd) {
            self.config.path = Some(paths::display(&file));
            self.config.state = "waiting";
        }
        let target = match switch.target() {
            Ok(target) => target,
            Err(err) => {
                self.next_prompt = NextPrompt::new(
                    "fix_config",
                    format!("show the error and load nothing: {}", err.message()),
                );
                return self;
            }
        };
        self.describe_target(&target);
        let loaded_here =
            ours && state.switch.as_deref() == Some(credentials::fingerprint(raw).as_str());
        self.with_target(&target, ours, loaded_here, state)
    }

    fn invalid(mut self, error: &str) -> Report {
        self.config.state = "invalid";
        self.config.error = Some(error.to_owned());
        self.next_prompt = NextPrompt::new(
            "fix_config",
            "show the error and load nothing — fix the file, then 'ssoenv allow' it again",
        );
        self
    }

    fn describe_target(&mut self, target: &Target) {
        self.start_url = Some(target.session.start_url.clone());
        self.sso_session.clone_from(&target.session.name);
        self.sso_region = Some(target.session.region.clone());
        let (account, role) = target.final_role();
        self.account_id = Some(account.to_owned());
        self.role_name = Some(role.to_owned());
        if let Some(hop) = target.chain.last() {
            self.role_arn = Some(hop.role_arn.clone());
            self.assumed_from = Some(target.sso_role().label());
        }
        self.chain = target
            .chain
            .iter()
            .map(|hop| hop.role_arn.clone())
            .collect();
        self.start_url_conflict = sso_token::signed_in_elsewhere(&target.session);
        if target.region.is_some() {
            self.region.clone_from(&target.region);
        }
    }

    fn set_expiry(&mut self, expiry: SystemTime, from: &'static str) {
        self.credentials.expires_at = Some(timefmt::format_utc(expiry));
        self.credentials.seconds_left = Some(timefmt::remaining(expiry).as_secs());
        self.credentials.expiry_from = Some(from);
    }

    /// The `aws configure list`-style table.
    pub fn human(&self) -> String {
        let mut rows: Vec<(&str, String)> = Vec::new();
        if let Some(switch) = &self.switch {
            rows.push((
                "use",
                format!(
                    "{} ({}; 'ssoenv use --off' ends it)",
                    switch.label, switch.origin
                ),
            ));
        }
        let config = match self.config.state {
            "waiting" => format!(
                "{} {}",
                self.config.path.as_deref().unwrap_or(""),
                ui::paint(ui::DIM, "(applies after 'ssoenv use --off')")
            ),
            "active" => format!("{} (allowed)", self.config.path.as_deref().unwrap_or("")),
            "none" => ui::paint(ui::DIM, "none (no .awssso.toml here or above)"),
            "not_allowed" => format!(
                "{} {}",
                self.config.path.as_deref().unwrap_or(""),
                ui::paint(ui::WARN, "(not allowed)")
            ),
            _ => format!(
                "{} {}",
                self.config.path.as_deref().unwrap_or(""),
                ui::paint(ui::BAD, "(invalid)")
            ),
        };
        rows.push(("config", config));
        if let Some(error) = &self.config.error {
            rows.push(("error", ui::paint(ui::BAD, error)));
        }
        let none = || ui::paint(ui::DIM, "-");
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(none);
        let has_target =
            matches!(self.config.state, "active" | "not_allowed") || self.switch.is_some();
        if has_target && self.start_url.is_some() {
            rows.push(("start url", or_none(&self.start_url)));
            if let Some(conflict) = &self.start_url_conflict {
                rows.push(("warning", ui::paint(ui::BAD, conflict)));
            }
            let session = match (&self.sso_session, &self.sso_region) {
                (Some(name), Some(region)) => format!("{name} ({region})"),
                (None, Some(region)) => format!("- ({region})"),
                _ => none(),
            };
            rows.push(("sso session", session));
            rows.push(("account", or_none(&self.account_id)));
            rows.push(("role", or_none(&self.role_name)));
            if let (Some(arn), Some(from)) = (&self.role_arn, &self.assumed_from) {
                rows.push(("role arn", arn.clone()));
                rows.push(("assumed from", from.clone()));
            }
            if self.chain.len() > 1 {
                rows.push(("chain", self.chain.join(" → ")));
            }
        }
        rows.push(("region", or_none(&self.region)));
        let key = match (&self.credentials.access_key, self.credentials.source) {
            _ if self.credentials.endpoint.is_some() => {
                let uri = self.credentials.endpoint.as_deref().unwrap_or_default();
                let at = uri.split('/').nth(2).unwrap_or(uri);
                format!("served by the ssoenv agent at {at} (endpoint mode)")
            }
            (Some(key), "ssoenv") => format!("{key}  set by ssoenv"),
            (Some(key), _) => format!(
                "{key}  {}",
                ui::paint(ui::WARN, "set by something else, not ssoenv")
            ),
            (None, _) => none(),
        };
        rows.push(("access key", key));
        let expiry = match (self.credentials.seconds_left, &self.credentials.expires_at) {
            (Some(0), Some(at)) => ui::paint(ui::BAD, &format!("expired ({at})")),
            (Some(left), Some(at)) => {
                let text = format!("expire in {} ({at})", short(left));
                let style = if left < 600 { ui::WARN } else { ui::GOOD };
                ui::paint(style, &text)
            }
            _ => none(),
        };
        rows.push(("credentials", expiry));
        if let Some(session) = &self.session {
            let refresh = if session.refreshable {
                ", refreshable"
            } else {
                ", not refreshable"
            };
            let text = match (session.state, session.seconds_left, &session.expires_at) {
                ("missing", ..) => ui::paint(ui::BAD, "not signed in"),
                (_, Some(0), Some(at)) => ui::paint(ui::BAD, &format!("expired ({at}){refresh}")),
                (_, Some(left), Some(at)) => {
                    format!("expires in {} ({at}){refresh}", short(left))
                }
                _ => none(),
            };
            rows.push(("sso token", text));
        }
        let next = match self.next_prompt.action {
            "nothing" | "load" | "renew" | "unload" => self.next_prompt.message.clone(),
            "login" | "fix_config" => ui::paint(ui::BAD, &self.next_prompt.message),
            _ => ui::paint(ui::WARN, &self.next_prompt.message),
        };
        rows.push(("next prompt", next));

        let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (label, value) in rows {
            let padded = format!("{label:>width$}");
            out.push_str(&ui::paint(ui::HEADING, &padded));
            out.push_str("  ");
            out.push_str(&value);
            out.push('\n');
        }
        out
    }
}

impl NextPrompt {
    fn new(action: &'static str, message: impl Into<String>) -> Self {
        Self {
            action,
            message: message.into(),
        }
    }
}

impl SessionReport {
    fn of(session: &SsoSession, token: Option<&SsoToken>) -> SessionReport {
        match token {
            None => SessionReport {
                state: "missing",
                expires_at: None,
                seconds_left: None,
                refreshable: false,
            },
            Some(token) => SessionReport {
                state: if token.is_expired() {
                    "expired"
                } else {
                    "valid"
                },
                expires_at: Some(timefmt::format_utc(token.expires_at)),
                seconds_left: Some(timefmt::remaining(token.expires_at).as_secs()),
                refreshable: sso_token::refreshable(session, token),
            },
        }
    }
}

/// What `export` would do at the next prompt, worked out without the network.
fn next_prompt(
    target: &Target,
    cached: Option<&Credentials>,
    token: Result<Option<SsoToken>>,
    loaded_here: bool,
    state: &State,
) -> NextPrompt {
    let label = target.label();
    if let Some(creds) = cached.filter(|c| !c.due_ahead(target.command_margin())) {
        let renew_at = creds.renew_ahead_at(target.command_margin());
        let in_shell = loaded_here && state.key.as_deref() == Some(creds.fingerprint().as_str());
        return if in_shell {
            NextPrompt::new(
                "nothing",
                format!(
                    "nothing — {label} is loaded; renewal due in {}",
                    short(timefmt::remaining(renew_at).as_secs())
                ),
            )
        } else {
            NextPrompt::new(
                "load",
                format!("load {label} from the cache (no sign-in needed)"),
            )
        };
    }
    let usable = match &token {
        Ok(Some(token)) => !token.is_expired() || sso_token::refreshable(&target.session, token),
        _ => false,
    };
    if !usable {
        let why = match token {
            Err(err) => err.message().to_owned(),
            Ok(None) => "not signed in to the SSO session".to_owned(),
            Ok(Some(_)) => "the SSO session expired".to_owned(),
        };
        let still = if cached.is_some_and(|c| !c.is_expired()) {
            " (the current credentials work until they expire)"
        } else {
            ""
        };
        return NextPrompt::new(
            "login",
            format!("ask you to sign in: {why} — run 'ssoenv login'{still}"),
        );
    }
    match cached {
        Some(creds) if !creds.is_expired() => NextPrompt::new(
            "renew",
            format!(
                "renew {label} in the background with the SSO token (one request to AWS; the current ones stay meanwhile)"
            ),
        ),
        Some(_) => NextPrompt::new(
            "renew",
            format!("renew {label} with the SSO token (one request to AWS)"),
        ),
        None => NextPrompt::new(
            "load",
            format!("fetch and load {label} with the SSO token (one request to AWS)"),
        ),
    }
}

/// `****************WXYZ`: only the last 4 characters show, as `aws configure list`
/// does; a value too short to be a key id shows nothing.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let visible = if chars.len() < 12 {
        chars.len()
    } else {
        chars.len() - 4
    };
    "*".repeat(visible) + &chars[visible..].iter().collect::<String>()
}

fn short(secs: u64) -> String {
    timefmt::short_duration(std::time::Duration::from_secs(secs))
}
