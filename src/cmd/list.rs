//! `ssoenv list`: the accounts and roles the SSO session can reach.

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::List;
use crate::config::Selection;
use crate::config::{self, DefaultSession, FoundSession};
use crate::error::{Error, Result};
use crate::portal_list::{self, Listing};
use crate::sso_token::{self, SignedIn};
use crate::{paths, trust, ui};

impl Run for List {
    fn run(&self) -> Result<ExitCode> {
        let found = session_for(&self.source)?;
        let (listing, _cached) = portal_list::accounts(&found.session, self.refresh)?;
        let mut out = anstream::stdout().lock();
        if self.json {
            out.write_all(json(&listing).as_bytes())?;
        } else {
            out.write_all(table(&listing).as_bytes())?;
        }
        out.flush()?;
        if listing.accounts.is_empty() && !self.json {
            ui::say(&format!(
                "the SSO session at {} gives access to no account — ask your AWS administrator for an assignment",
                listing.start_url
            ));
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The session `list` (and `init`, and `use`) works with: `--config FILE`'s,
/// `--profile NAME`'s, the nearest allowed `.awssso.toml`'s, else the
/// configured default (see [`config::default_session`]), else — with
/// nothing configured — the one portal the token cache is signed in to.
pub(super) fn session_for(source: &Selection) -> Result<FoundSession> {
    if let Some(name) = &source.profile {
        return config::profile_session(name);
    }
    if source.config.is_some() {
        let target = super::target_for(source)?;
        return Ok(FoundSession {
            from: paths::display(&target.origin),
            session: target.session,
        });
    }
    let cwd = super::current_dir()?;
    if let Some(file) = paths::find_project_file(&cwd)
        && trust::is_allowed(&file).unwrap_or(false)
        && let Ok(target) = config::load_project(&file)
    {
        return Ok(FoundSession {
            from: paths::display(&file),
            session: target.session,
        });
    }
    match config::configured_default_session()? {
        DefaultSession::Found(found) => Ok(found),
        DefaultSession::Unconfigured { defaults_file } => signed_in_session(&defaults_file),
    }
}

/// With nothing configured, the session of the one portal the token cache
/// is signed in to, said once on this command's stderr (a `use` keeps the
/// session in its choice, so its prompts do not ask again). Several: an
/// error that lists them and says how to choose.
fn signed_in_session(defaults_file: &str) -> Result<FoundSession> {
    let unconfigured = || DefaultSession::Unconfigured {
        defaults_file: defaults_file.to_owned(),
    };
    let signed_in = sso_token::signed_in_sessions()?;
    let portal = |s: &SignedIn| format!("{} ({})", s.start_url, s.region);
    match signed_in.as_slice() {
        [] => unconfigured().required(),
        [only] => {
            let Some(session) = only.session.clone() else {
                return Err(Error::new(format!(
                    "no SSO session is configured, and the token cache's one sign-in, to {}, is filed under an sso_session name ssoenv does not know — set sso_session, sso_start_url and sso_region in {defaults_file}, or pass --profile NAME",
                    portal(only)
                )));
            };
            ui::say(&format!(
                "no SSO session is configured — using the one the token cache is signed in to, {}; set sso_start_url and sso_region in {defaults_file} to choose another",
                portal(only)
            ));
            Ok(FoundSession {
                session,
                from: "the SSO token cache".to_owned(),
            })
        }
        several => Err(Error::new(format!(
            "no SSO session is configured, and the token cache is signed in to {} portals: {} — choose one: set sso_start_url and sso_region in {defaults_file}, or pass --profile NAME",
            several.len(),
            several.iter().map(portal).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The stable `--json` form: `{"start_url", "fetched_at", "accounts": [{"account_id",
/// "name", "email", "roles": [..]}]}`, sorted by name.
fn json(listing: &Listing) -> String {
    let value = serde_json::json!({
        "start_url": listing.start_url,
        "fetched_at": crate::timefmt::format_utc(crate::timefmt::from_epoch_secs(listing.fetched_at)),
        "accounts": listing.accounts,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).expect("JSON values always encode")
    )
}

/// One line per account: id, name, email, roles.
fn table(listing: &Listing) -> String {
    let width = |f: fn(&portal_list::Account) -> usize, title: &str| {
        listing
            .accounts
            .iter()
            .map(f)
            .max()
            .unwrap_or(0)
            .max(title.chars().count())
    };
    let name_w = width(|a| a.name.chars().count(), "NAME");
    let email_w = width(|a| a.email.chars().count(), "EMAIL");
    let mut out = String::new();
    let header = format!(
        "{:<12}  {:<name_w$}  {:<email_w$}  ROLES",
        "ACCOUNT", "NAME", "EMAIL"
    );
    out.push_str(&ui::paint(ui::HEADING, &header));
    out.push('\n');
    for account in &listing.accounts {
        let line = format!(
            "{:<12}  {:<name_w$}  {:<email_w$}  {}",
            account.account_id,
            account.name,
            account.email,
            account.roles.join(", ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
