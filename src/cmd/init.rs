//! `ssoenv init`: writes a commented `.awssso.toml` in the current directory.
//!
//! Account and role come from `--account` / `--role`, or from a picker over
//! `ssoenv list` (type to filter, fuzzy). The SSO session comes from
//! `--profile NAME`, else the nearest allowed `.awssso.toml` above, else the
//! user-wide defaults file, else the AWS config file's only
//! `[sso-session]` (see `config::default_session`). With `--account` and
//! `--role` given nothing is asked and nothing is fetched, so scripts work
//! offline; without a terminal, a missing flag is an error that names it.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use inquire::{Confirm, Select};

use super::Run;
use crate::cli::Init;
use crate::config::Selection;
use crate::config::{self, SsoSession};
use crate::error::{Error, Result};
use crate::portal_list::{self, Account};
use crate::{paths, trust, ui};

impl Run for Init {
    fn run(&self) -> Result<ExitCode> {
        let cwd = super::current_dir()?;
        let path = cwd.join(paths::PROJECT_FILE);
        if path.exists() && !self.force {
            return Err(Error::new(format!(
                "{} already exists — edit it, or pass --force to replace it",
                paths::display(&path)
            )));
        }
        // A profile that names an account and role (one `profiles sync`
        // wrote, say) answers both questions.
        let profile_role = match (&self.profile, &self.account, &self.role) {
            (Some(name), None, None) => config::load_profile(name)
                .ok()
                .filter(|target| target.chain.is_empty())
                .map(|target| (target.account_id, target.role_name)),
            _ => None,
        };
        let account = self
            .account
            .clone()
            .or_else(|| profile_role.as_ref().map(|(account, _)| account.clone()));
        let role = self
            .role
            .clone()
            .or_else(|| profile_role.map(|(_, role)| role));
        let interactive = std::io::stdin().is_terminal();
        if !interactive {
            let missing: Vec<&str> = [
                ("--account ID", account.is_none()),
                ("--role NAME", role.is_none()),
            ]
            .into_iter()
            .filter_map(|(flag, missing)| missing.then_some(flag))
            .collect();
            if !missing.is_empty() {
                return Err(Error::with_code(
                    format!(
                        "missing {} — without a terminal 'ssoenv init' cannot ask; see 'ssoenv list' for the accounts and roles",
                        missing.join(" and ")
                    ),
                    2,
                ));
            }
        }
        let found = super::list::session_for(&Selection {
            config: None,
            profile: self.profile.clone(),
        })?;
        let session = found.session;

        let (account, role) = match (account, role) {
            (Some(account), Some(role)) => (
                Chosen {
                    id: account,
                    about: None,
                },
                role,
            ),
            (account, role) => pick(&session, account.as_deref(), role.as_deref())?,
        };
        let text = render(&session, &account, &role, self.region.as_deref());
        write(&path, &text, self.force)?;
        // A file that does not load would only fail at every prompt: say so now.
        config::load_project(&path)?;
        let what = match &account.about {
            Some(about) => format!("{about} / {role}"),
            None => format!("{}/{role}", account.id),
        };
        ui::say(&format!("wrote {} for {what}", paths::display(&path)));

        let allow = interactive
            && ask(Confirm::new(&ui::prompt_label(
                "allow it now, so this directory loads it?",
            ))
            .with_default(true)
            .with_render_config(super::pick::render_config())
            .prompt())?;
        if allow {
            trust::allow(&path)?;
            ui::say(&format!(
                "allowed {} — the next prompt loads {}/{role}",
                paths::display(&path),
                account.id
            ));
        } else {
            ui::say("run 'ssoenv allow' to use it");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The account written, and how to describe it (name and email, when listed).
struct Chosen {
    id: String,
    about: Option<String>,
}

/// Picks what the flags left open from `ssoenv list`.
fn pick(
    session: &SsoSession,
    account: Option<&str>,
    role: Option<&str>,
) -> Result<(Chosen, String)> {
    let (listing, _) = portal_list::accounts(session, false)?;
    if listing.accounts.is_empty() {
        return Err(Error::new(format!(
            "the SSO session at {} gives access to no account — ask your AWS administrator for an assignment",
            session.start_url
        )));
    }
    let account: Account = match account {
        Some(id) => listing
            .accounts
            .iter()
            .find(|a| a.account_id == id)
            .cloned()
            .ok_or_else(|| {
                Error::new(format!(
                    "account {id} is not among the {} accounts this SSO session can reach — check the id with 'ssoenv list'",
                    listing.accounts.len()
                ))
            })?,
        None => {
            let choices: Vec<AccountChoice> = listing.accounts.into_iter().map(AccountChoice).collect();
            let count = choices.len();
            ask(Select::new(
                &ui::prompt_label(&format!("account ({count}, type to filter)")),
                choices,
            )
            .with_page_size(12)
            .with_render_config(super::pick::render_config())
            .prompt())?
            .0
        }
    };
    let role = match role {
        Some(role) if account.roles.iter().any(|r| r == role) => role.to_owned(),
        Some(role) => {
            return Err(Error::new(format!(
                "role {role} is not assigned to you in account {} (roles: {}) — pick one of those",
                account.account_id,
                account.roles.join(", ")
            )));
        }
        None => match account.roles.as_slice() {
            [] => {
                return Err(Error::new(format!(
                    "you have no role in account {} — ask your AWS administrator, or pick another account",
                    account.account_id
                )));
            }
            [only] => only.clone(),
            roles => ask(Select::new(&ui::prompt_label("role"), roles.to_vec())
                .with_render_config(super::pick::render_config())
                .prompt())?,
        },
    };
    Ok((
        Chosen {
            about: Some(format!("{} ({})", account.name, account.account_id)),
            id: account.account_id,
        },
        role,
    ))
}

struct AccountChoice(Account);

impl fmt::Display for AccountChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.0;
        write!(f, "{}  {}  {}", a.name, a.account_id, a.email)
    }
}

fn ask<T>(answer: std::result::Result<T, inquire::InquireError>) -> Result<T> {
    super::pick::ask(
        answer,
        "nothing was written",
        "pass --account ID and --role NAME",
    )
}

fn render(session: &SsoSession, account: &Chosen, role: &str, region: Option<&str>) -> String {
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut out = String::new();
    out.push_str("# AWS credentials for this directory and everything below it, loaded by\n");
    out.push_str("# ssoenv's shell hook. Written by `ssoenv init`; after editing, run\n");
    out.push_str("# `ssoenv allow` again. `ssoenv status` shows what is in effect.\n\n");
    match &session.name {
        Some(name) => {
            out.push_str(&format!(
                "# The SSO session; its token is shared with the AWS CLI's [sso-session {name}].\n"
            ));
            out.push_str(&format!("sso_session    = {}\n", q(name)));
        }
        None => out.push_str("# The SSO session (IAM Identity Center portal and its region).\n"),
    }
    out.push_str(&format!("sso_start_url  = {}\n", q(&session.start_url)));
    out.push_str(&format!("sso_region     = {}\n", q(&session.region)));
    if !session.scopes.is_empty() {
        let scopes = toml::Value::Array(
            session
                .scopes
                .iter()
                .map(|s| toml::Value::String(s.clone()))
                .collect(),
        );
        out.push_str(&format!("sso_registration_scopes = {scopes}\n"));
    }
    out.push('\n');
    match &account.about {
        Some(about) => out.push_str(&format!("# The account and role to use: {about}.\n")),
        None => out.push_str("# The account and role to use.\n"),
    }
    out.push_str(&format!("sso_account_id = {}\n", q(&account.id)));
    out.push_str(&format!("sso_role_name  = {}\n\n", q(role)));
    out.push_str("# Exported as AWS_REGION and AWS_DEFAULT_REGION.\n");
    match region {
        Some(region) => out.push_str(&format!("region         = {}\n", q(region))),
        None => out.push_str("# region       = \"us-east-1\"\n"),
    }
    out.push_str("\n# Renew the credentials when less than this is left (default 10m).\n");
    out.push_str("# refresh_before = \"10m\"\n");
    out.push_str("\n# Before each command the shell runs, renew first when less than this is left (default 15m).\n");
    out.push_str("# min_ttl = \"15m\"\n");
    out.push_str(
        "\n# \"endpoint\": the shell gets a local credential endpoint instead of keys, and SDK tools\n# renew by themselves for as long as they run (default \"variables\").\n",
    );
    out.push_str("# credentials = \"variables\"\n");
    out
}

/// Writes the file in one step (a temporary file renamed into place), without
/// replacing an existing one unless `force`.
fn write(path: &Path, text: &str, force: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let failed = |e: &dyn fmt::Display| {
        Error::new(format!(
            "cannot write {} ({e}) — check the directory's permissions",
            paths::display(path)
        ))
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".awssso.toml.")
        .tempfile_in(dir)
        .map_err(|e| failed(&e))?;
    temp.write_all(text.as_bytes()).map_err(|e| failed(&e))?;
    // Not a secret: readable like any project file.
    crate::platform::make_public_file(temp.path()).map_err(|e| failed(&e))?;
    let persisted = if force {
        temp.persist(path).map(drop)
    } else {
        temp.persist_noclobber(path).map(drop)
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(format!(
                "{} already exists — edit it, or pass --force to replace it",
                paths::display(path)
            ))
        } else {
            failed(&e.error)
        }
    })
}
