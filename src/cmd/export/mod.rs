//! `ssoenv export <shell>`: the per-prompt callback, also run before each
//! command line (`--before-command`) by the shells that have such an event.
//!
//! When nothing changed since the last prompt, the small `ssoenv` binary
//! answers before this code is reached ([`hot_path`]). Everything else
//! comes here: [`export`] works out what the AWS variables should be and
//! prints only the difference as shell code.
//!
//! The same code runs in both binaries, told by a [`Renewal`] how far it may
//! go for credentials. The small `ssoenv` binary runs it with [`CacheOnly`]:
//! leaving a project, entering one whose credentials are cached, an
//! untrusted or invalid `.awssso.toml` are all decided there, with no second
//! exec. Only when credentials must come from AWS does it hand the prompt
//! to `ssoenv-core`, which runs it again with the network.

pub mod hot_path;
mod idle_check;

use std::collections::BTreeMap;
use std::env;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use crate::agent;
use crate::cli::Export;
use crate::cmd::Run;
use crate::config::{CredentialsMode, Target};
use crate::credentials::{self, Credentials};
use crate::error::{Error, Kind, Result};
use crate::shell::{EnvName, ExportTarget, Shell, shell_for_export};
use crate::state::{self, Moment, Served, State, Watched};
use crate::{ahead, config, engine, log, paths, sso_token, switch, timefmt, trust, ui};

/// How one prompt may get credentials.
pub trait Renewal {
    /// Credentials of `target` with more than `min_ttl` left, renewed when
    /// due; `Ok(None)` when that takes a request to AWS and this process
    /// does not make requests.
    fn obtain(&self, target: &Target, min_ttl: Duration) -> Result<Option<Credentials>>;

    /// The agent for endpoint mode; `Ok(None)` when none runs and this
    /// process does not start one.
    fn agent(&self) -> Result<Option<agent::Running>>;
}

/// The small binary's renewal: the credential cache, and nothing else.
///
/// Generic code instantiated with this type links no AWS client, runtime
/// or TLS (`tests/hot_path.rs` checks the symbols).
pub struct CacheOnly;

impl Renewal for CacheOnly {
    fn obtain(&self, target: &Target, min_ttl: Duration) -> Result<Option<Credentials>> {
        engine::cached_fresh(target, min_ttl)
    }

    fn agent(&self) -> Result<Option<agent::Running>> {
        agent::running()
    }
}

/// `ssoenv-core`'s renewal: the engine, and starting the agent, both within
/// one deadline for the whole prompt.
struct OverNetwork {
    deadline: Instant,
}

impl Renewal for OverNetwork {
    fn obtain(&self, target: &Target, min_ttl: Duration) -> Result<Option<Credentials>> {
        engine::obtain(target, min_ttl, self.deadline).map(Some)
    }

    fn agent(&self) -> Result<Option<agent::Running>> {
        agent::ensure_running(self.deadline).map(Some)
    }
}

impl Run for Export {
    fn run(&self) -> Result<ExitCode> {
        let moment = if self.before_command {
            Moment::BeforeCommand
        } else {
            Moment::Prompt
        };
        let renewal = OverNetwork {
            deadline: hook_deadline(),
        };
        export(self.target, moment, &renewal)?.ok_or_else(|| {
            Error::new("the prompt's renewal gave no answer (a bug: please report it)")
        })
    }
}

/// Prints the changes for `target` at `moment`: shell code (or JSON) on
/// stdout, at most one message on stderr. `Ok(None)`, with nothing printed,
/// when credentials are due and `renewal` cannot get them.
pub fn export(
    target: ExportTarget,
    moment: Moment,
    renewal: &impl Renewal,
) -> Result<Option<ExitCode>> {
    let started = SystemTime::now();
    let previous = State::from_env();
    let cwd = super::current_dir()?;
    // Past the hot path: `SSOENV_LOG=debug` shows every prompt that gets here.
    log::debug(|| format!("{moment:?}: evaluating (the shell's state does not match)"));
    let Some(mut outcome) = evaluate(&cwd, &previous, moment, renewal) else {
        return Ok(None);
    };
    if let Some(shell) = shell_for_export(target) {
        outcome = refuse_unwritable(shell, outcome);
    }
    let mut code = render(target, &previous, &mut outcome)?;
    if let Some(shell) = shell_for_export(target) {
        let exported = |name| outcome.vars.get(name).cloned().flatten();
        let (key, uri) = (exported(KEY_ID), exported(CONTAINER_URI));
        let decision = idle_check::Decision {
            started,
            cwd: &cwd,
            state: &outcome.state,
            access_key_id: key.as_deref(),
            endpoint_uri: uri.as_deref(),
        };
        idle_check::append(shell, &mut code, &decision);
    }
    std::io::stdout().write_all(code.as_bytes())?;
    if let Some(message) = &outcome.message
        && outcome.state.said != previous.said
    {
        writeln!(std::io::stderr(), "ssoenv: {}", ui::printable(message))?;
    } else if outcome.vars.is_empty() && previous.key.is_some() && outcome.message.is_none() {
        writeln!(std::io::stderr(), "ssoenv: unloaded AWS credentials")?;
    }
    Ok(Some(ExitCode::SUCCESS))
}

/// An outcome the shell cannot write — a value it cannot quote (tcsh and
/// control characters) — becomes one that exports nothing for the target
/// and says why, once; the files stay watched, so a change is noticed.
fn refuse_unwritable(shell: &dyn Shell, outcome: Outcome) -> Outcome {
    let refused = outcome
        .vars
        .iter()
        .find_map(|(name, value)| Some((*name, shell.refuses(value.as_deref()?)?)));
    let Some((name, why)) = refused else {
        return outcome;
    };
    let mut refusal = Outcome::empty(outcome.state.config.clone());
    refusal.state.watch = outcome.state.watch;
    refusal.say(
        format!("unwritable:{name}"),
        format!(
            "{name} cannot be exported to this shell: its value holds {why} — nothing is exported here; use another shell, or 'ssoenv exec'"
        ),
    )
}

/// How long the hook may spend on the network per prompt: `SSOENV_HOOK_TIMEOUT`
/// (e.g. `5s`), default 3 seconds.
fn hook_deadline() -> Instant {
    engine::deadline_from_env("SSOENV_HOOK_TIMEOUT", Duration::from_secs(3))
}

/// After a failure that may pass (network, throttling), wait this long before
/// trying again, so a dead network does not cost every prompt a timeout.
const RETRY_AFTER: Duration = ahead::RETRY_AFTER;

/// The variables ssoenv may take over, in the order they are written.
const MANAGED: [&str; 11] = [
    KEY_ID,
    SECRET,
    SESSION_TOKEN,
    CONTAINER_URI,
    CONTAINER_TOKEN_FILE,
    CONTAINER_RELATIVE_URI,
    CONTAINER_TOKEN,
    "AWS_CREDENTIAL_EXPIRATION",
    PROMPT_NAME,
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// What prompts show as the profile: starship's `aws` module reads it (as
/// aws-sso-cli sets it), and no AWS SDK does — `AWS_PROFILE` would make
/// them look that profile up.
const PROMPT_NAME: &str = "AWS_SSO_PROFILE";

const KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const CONTAINER_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const CONTAINER_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// SDKs prefer these two over the two above (a relative URI over the full
/// one), so endpoint mode keeps a user's values out of the way.
const CONTAINER_RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const CONTAINER_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// What the environment should hold, with the new state and what to tell the user.
struct Outcome {
    /// `None`: the variable must be unset (the user's value is kept aside).
    vars: BTreeMap<&'static str, Option<String>>,
    /// The next state; its `said` is the short key of `message`, remembered
    /// so the message is said once.
    state: State,
    message: Option<String>,
}

impl Outcome {
    fn empty(config: Option<Watched>) -> Self {
        Self {
            vars: BTreeMap::new(),
            state: State {
                v: state::VERSION,
                config,
                ..State::default()
            },
            message: None,
        }
    }

    fn say(mut self, key: impl Into<String>, message: impl Into<String>) -> Self {
        self.state.said = Some(key.into());
        self.message = Some(message.into());
        self
    }
}

/// Decides what this directory should have. Never fails: every problem
/// becomes a one-line message and an environment without stale credentials.
/// `None` only when credentials are due and `renewal` cannot get them.
fn evaluate(
    cwd: &Path,
    previous: &State,
    moment: Moment,
    renewal: &impl Renewal,
) -> Option<Outcome> {
    if let Some((switch, raw)) = switch::Switch::from_env().zip(env::var(switch::VAR).ok()) {
        return evaluate_switch(cwd, &switch, &raw, previous, moment, renewal);
    }
    let Some(file) = paths::find_project_file(cwd) else {
        log::debug(|| format!("no {} above {}", paths::PROJECT_FILE, paths::display(cwd)));
        return Some(Outcome::empty(None));
    };
    log::debug(|| {
        format!(
            "evaluating {} (previous state: {previous:?})",
            paths::display(&file)
        )
    });
    let config = Some(Watched::now(&file));
    let verdict = match trust::check(&file) {
        Ok(verdict) => verdict,
        Err(err) => {
            let outcome = Outcome::empty(config);
            return Some(outcome.say(format!("error:{}", err.message()), err.message()));
        }
    };
    let mut outcome = Outcome::empty(config);
    outcome.state.watch.push(Watched::now(&verdict.record));
    watch_settings(&mut outcome.state);
    if !verdict.allowed {
        let shown = paths::display(&file);
        return Some(outcome.say(
            format!("untrusted:{shown}"),
            format!(
                "{} at {shown} is not allowed — run 'ssoenv allow'",
                paths::PROJECT_FILE
            ),
        ));
    }
    match config::load_project(&file) {
        Ok(target) => with_credentials(outcome, &target, previous, moment, renewal),
        Err(err) => Some(outcome.say(format!("invalid:{}", paths::display(&file)), err.message())),
    }
}

/// Watches the files a target's settings come from, besides the project
/// file: the user-wide `config.toml` and the AWS config file.
fn watch_settings(state: &mut State) {
    for file in [paths::user_config_file(), paths::aws_config_file()]
        .into_iter()
        .flatten()
    {
        state.watch.push(Watched::now(&file));
    }
}

/// The shell's `ssoenv use` choice wins over the directory. The nearest
/// project file is still watched, so that entering one is noticed and said
/// once: its settings wait for `ssoenv use --off`.
fn evaluate_switch(
    cwd: &Path,
    switch: &switch::Switch,
    raw: &str,
    previous: &State,
    moment: Moment,
    renewal: &impl Renewal,
) -> Option<Outcome> {
    let project = paths::find_project_file(cwd);
    let mut outcome = Outcome::empty(project.as_deref().map(Watched::now));
    outcome.state.switch = Some(credentials::fingerprint(raw));
    watch_settings(&mut outcome.state);
    let target = match switch.target() {
        Ok(target) => target,
        Err(err) => {
            let key = format!("use-error:{}:{}", switch.label, err.message());
            return Some(outcome.say(key, err.message()));
        }
    };
    let mut outcome = with_credentials(outcome, &target, previous, moment, renewal)?;
    if let Some(project) = project
        && outcome.message.is_none()
        && previous.config.as_ref().map(|seen| seen.path.as_str())
            != Some(&*project.to_string_lossy())
    {
        let message = format!(
            "using {} (ssoenv use); this project's {} applies after 'ssoenv use --off'",
            switch.label,
            paths::PROJECT_FILE
        );
        outcome = outcome.say(format!("use-project:{}", paths::display(&project)), message);
    }
    Some(outcome)
}

/// How much must be left on credentials at `moment` for this prompt to go
/// on without waiting for a renewal: nothing at a prompt (valid is enough),
/// and before a command `refresh_before` and `min_ttl` (capped at half their
/// lifetime). Renewal itself starts earlier, in the background (`crate::ahead`).
fn margin(target: &Target, moment: Moment) -> Duration {
    match moment {
        Moment::Prompt => Duration::ZERO,
        Moment::BeforeCommand => target.command_margin(),
    }
}

/// Fills in the credentials of `target`: renewed when due at `moment`, the
/// cached ones while they are still valid when renewal fails, none once they
/// expired. `None` when they are due and `renewal` cannot get them.
fn with_credentials(
    mut outcome: Outcome,
    target: &Target,
    previous: &State,
    moment: Moment,
    renewal: &impl Renewal,
) -> Option<Outcome> {
    let label = target.label();
    // The same source as before: the same switch, or no switch and the same file.
    let same_source = previous.switch == outcome.state.switch
        && (outcome.state.switch.is_some() || previous.config == outcome.state.config);
    let was_loaded = previous.key.is_some() && same_source;
    let obtained = renewal.obtain(target, margin(target, moment)).transpose()?;
    let agent = match target.credentials {
        CredentialsMode::Variables => None,
        // No agent and this process does not start one: `ssoenv-core` does.
        CredentialsMode::Endpoint => Some(renewal.agent().transpose()?),
    };
    let handover = Handover::new(agent);
    Some(match obtained {
        Ok(creds) => {
            let prompt_recheck = creds.renew_at(margin(target, Moment::Prompt));
            let command_recheck = creds.renew_at(margin(target, Moment::BeforeCommand));
            outcome.state.recheck_at = Some(timefmt::epoch_secs(prompt_recheck));
            outcome.state.command_recheck_at =
                (command_recheck < prompt_recheck).then(|| timefmt::epoch_secs(command_recheck));
            load(&mut outcome, target, &creds, &handover);
            let failed_ahead = ahead::plan(&mut outcome.state, target, &creds);
            if let Handover::Fallback { reason, .. } = &handover {
                let message =
                    format!("{reason} — the shell gets {label}'s keys as variables instead");
                return Some(outcome.say(format!("agent-failed:{label}"), message));
            }
            if let Some((key, message)) = failed_ahead {
                return Some(outcome.say(key, message));
            }
            let verb = match &previous.key {
                // The same credentials again (the user unset them, say): no news.
                Some(key) if was_loaded && *key == creds.fingerprint() => {
                    outcome.state.said.clone_from(&previous.said);
                    return Some(outcome);
                }
                Some(_) if was_loaded => "renewed",
                _ => "loaded",
            };
            let mut message = format!(
                "{verb} {label} (expires {})",
                timefmt::local_hh_mm(creds.expiration)
            );
            if let Handover::Endpoint(running) = &handover
                && let Some(refused) = &running.files.runtime_refused
            {
                message.push_str(&format!(
                    "; {refused} — the agent keeps its files in {}",
                    paths::display(&running.files.dir)
                ));
            }
            outcome.say(format!("{verb}:{label}:{}", creds.fingerprint()), message)
        }
        Err(err) => {
            let still_valid = engine::cached(target)
                .ok()
                .flatten()
                .filter(|c| !c.is_expired());
            let retry_at = SystemTime::now() + RETRY_AFTER;
            match (err.kind(), still_valid) {
                (Kind::LoginRequired, creds) => {
                    // Wait for a login: it rewrites the token cache.
                    if let Ok(path) = sso_token::watched_file(&target.session) {
                        outcome.state.watch.push(Watched::now(&path));
                    }
                    if let Some(creds) = creds {
                        outcome.state.recheck_at = Some(timefmt::epoch_secs(creds.expiration));
                        load(&mut outcome, target, &creds, &handover);
                    }
                    outcome.say(format!("login:{label}"), err.message())
                }
                (_, Some(creds)) => {
                    let recheck = retry_at.min(creds.expiration);
                    outcome.state.recheck_at = Some(timefmt::epoch_secs(recheck));
                    load(&mut outcome, target, &creds, &handover);
                    let message = format!(
                        "{} — keeping the current credentials (expire {})",
                        err.message(),
                        timefmt::describe_expiry(creds.expiration)
                    );
                    outcome.say(format!("kept:{label}"), message)
                }
                (_, None) => {
                    outcome.state.recheck_at = Some(timefmt::epoch_secs(retry_at));
                    outcome.say(format!("failed:{label}"), err.message())
                }
            }
        }
    })
}

/// How credentials reach the shell: variables, or the agent's endpoint.
enum Handover {
    Variables,
    Endpoint(agent::Running),
    /// Endpoint mode without an agent: variables, and why. The agent's
    /// record is watched, so a prompt after it comes up re-points the shell.
    Fallback {
        reason: String,
        record: Option<std::path::PathBuf>,
    },
}

impl Handover {
    fn new(agent: Option<Result<agent::Running>>) -> Self {
        match agent {
            None => Handover::Variables,
            Some(Ok(running)) => Handover::Endpoint(running),
            Some(Err(err)) => Handover::Fallback {
                reason: err.message().to_owned(),
                record: agent::Files::locate().ok().map(|files| files.state),
            },
        }
    }
}

/// Puts `creds` (or the endpoint serving them) and the region into the
/// outcome, watching the cache file so a logout elsewhere is noticed at the
/// next prompt.
fn load(outcome: &mut Outcome, target: &Target, creds: &Credentials, handover: &Handover) {
    let vars = &mut outcome.vars;
    match handover {
        Handover::Variables | Handover::Fallback { .. } => {
            vars.insert(KEY_ID, Some(creds.access_key_id.clone()));
            vars.insert(SECRET, Some(creds.secret_access_key.clone()));
            vars.insert(SESSION_TOKEN, Some(creds.session_token.clone()));
        }
        Handover::Endpoint(running) => {
            // The shell's switch, else its project file.
            let uri = match state::Source::of(&outcome.state) {
                Some(source) => running.uri_for_source(&source),
                None => running.uri_for(&target.origin),
            };
            outcome.state.served = Some(Served {
                uri: credentials::fingerprint(&uri),
                lock: running.files.lock.to_string_lossy().into_owned(),
                pid: Some(running.pid),
            });
            outcome.state.watch.push(Watched::now(&running.files.state));
            vars.insert(CONTAINER_URI, Some(uri));
            vars.insert(
                CONTAINER_TOKEN_FILE,
                Some(running.files.token.to_string_lossy().into_owned()),
            );
            // SDKs take static keys first, and these two over the two above.
            for hidden in [
                KEY_ID,
                SECRET,
                SESSION_TOKEN,
                CONTAINER_RELATIVE_URI,
                CONTAINER_TOKEN,
            ] {
                vars.insert(hidden, None);
            }
        }
    }
    if let Handover::Fallback {
        record: Some(record),
        ..
    } = handover
    {
        outcome.state.watch.push(Watched::now(record));
        let retry = timefmt::epoch_secs(SystemTime::now() + RETRY_AFTER);
        outcome.state.recheck_at = Some(outcome.state.recheck_at.map_or(retry, |at| at.min(retry)));
    }
    vars.insert(
        "AWS_CREDENTIAL_EXPIRATION",
        Some(timefmt::format_utc(creds.expiration)),
    );
    // The shell's `ssoenv use` choice by its name, else ACCOUNT/ROLE.
    let shown = switch::Switch::from_env()
        .filter(|_| outcome.state.switch.is_some())
        .map_or_else(|| target.label(), |switch| switch.label);
    vars.insert(PROMPT_NAME, Some(shown));
    if let Some(region) = &target.region {
        vars.insert("AWS_REGION", Some(region.clone()));
        vars.insert("AWS_DEFAULT_REGION", Some(region.clone()));
    }
    outcome.state.key = Some(creds.fingerprint());
    if let Ok(path) = credentials::cache_path(target) {
        outcome.state.watch.push(Watched::now(&path));
    }
}

/// The hot path's answer: the code that sets `SSOENV_STATE` to `state`
/// when `set_state` (it started a renewal ahead of time) and changes
/// nothing else, and a new idle check where the shell runs one.
pub fn print_state(
    target: ExportTarget,
    state: &State,
    set_state: bool,
    started: SystemTime,
) -> Result<()> {
    let mut changes = Changes::default();
    if set_state {
        changes.set.push((state::VAR, state.encode()));
    }
    let code = match shell_for_export(target) {
        Some(shell) => {
            let mut code = changes.to_shell(shell)?;
            if shell.runs_idle_check() {
                // Unchanged: the shell holds what the state says it does.
                let key = env::var(KEY_ID).ok();
                let uri = env::var(CONTAINER_URI).ok();
                let cwd = super::current_dir()?;
                let decision = idle_check::Decision {
                    started,
                    cwd: &cwd,
                    state,
                    access_key_id: key.as_deref(),
                    endpoint_uri: uri.as_deref(),
                };
                idle_check::append(shell, &mut code, &decision);
            }
            code
        }
        None => changes.to_json(),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(code.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The difference between what the shell has and `outcome`, as code for
/// `target`. Variables taken over for the first time are saved in the shell
/// first; variables no longer wanted get the user's value back.
fn render(target: ExportTarget, previous: &State, outcome: &mut Outcome) -> Result<String> {
    outcome.state.owned = outcome.vars.keys().map(|k| (*k).to_owned()).collect();
    let mut changes = Changes::default();
    for name in MANAGED {
        let owned_before = previous.owned.iter().any(|n| n == name);
        match outcome.vars.get(name) {
            Some(Some(value)) => {
                if !owned_before {
                    changes.save.push(name);
                }
                if env::var(name).ok().as_deref() != Some(value.as_str()) {
                    changes.set.push((name, value.clone()));
                }
            }
            Some(None) => {
                if !owned_before {
                    changes.save.push(name);
                }
                if env::var_os(name).is_some() {
                    changes.unset.push(name);
                }
            }
            None if owned_before => changes.restore.push(name),
            None => {}
        }
    }
    let state_value = (!outcome.state.is_empty()).then(|| outcome.state.encode());
    if env::var(state::VAR).ok() != state_value {
        match state_value {
            Some(value) => changes.set.push((state::VAR, value)),
            None => changes.unset.push(state::VAR),
        }
    }
    match shell_for_export(target) {
        Some(shell) => changes.to_shell(shell),
        None => Ok(changes.to_json()),
    }
}

/// The statements one prompt needs, grouped by kind.
#[derive(Default)]
struct Changes {
    save: Vec<&'static str>,
    set: Vec<(&'static str, String)>,
    restore: Vec<&'static str>,
    unset: Vec<&'static str>,
}

impl Changes {
    fn to_shell(&self, shell: &dyn Shell) -> Result<String> {
        let mut out = String::new();
        let name = |n: &str| EnvName::new(n);
        // Saves come first: they must copy the user's values before any set.
        for n in &self.save {
            shell.save(&mut out, &name(n)?);
        }
        for (n, value) in &self.set {
            shell.set(&mut out, &name(n)?, value);
        }
        for n in &self.restore {
            shell.restore(&mut out, &name(n)?);
        }
        for n in &self.unset {
            shell.unset(&mut out, &name(n)?);
        }
        Ok(out)
    }

    /// For other integrations: `{"set":{..},"unset":[..],"restore":[..]}`,
    /// empty output when nothing changed. A JSON consumer keeps the value a
    /// variable had before the first `set` or `unset` of it (other than of
    /// `SSOENV_STATE`) and puts it back on `restore`.
    fn to_json(&self) -> String {
        if self.set.is_empty() && self.unset.is_empty() && self.restore.is_empty() {
            return String::new();
        }
        let set: serde_json::Map<String, serde_json::Value> = self
            .set
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone().into()))
            .collect();
        let json = serde_json::json!({ "set": set, "unset": self.unset, "restore": self.restore });
        format!("{json}\n")
    }
}
