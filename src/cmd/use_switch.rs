//! `ssoenv use`: this shell, switched to an account and role whatever the
//! directory, until `ssoenv use --off` (see `crate::switch`).
//!
//! A command cannot change its shell's environment, so the hook defines an
//! `ssoenv` function that runs `ssoenv use --shell SHELL …` and evaluates
//! what it prints: one statement that sets (or unsets) `SSOENV_USE`. The
//! next prompt's export does the rest, renewal included. Before printing
//! anything, the choice is resolved and its credentials obtained, so that a
//! choice that cannot work fails here, with the environment unchanged.

use std::io::{IsTerminal, Write};

use inquire::Select;
use std::process::ExitCode;

use super::Run;
use crate::cli::{HookShell, Use};
use crate::config::Selection;
use crate::config::Target;
use crate::error::{Error, Result};
use crate::portal_list::{self, Account};
use crate::shell::{EnvName, shell_for};
use crate::switch::{self, Choice, Switch};
use crate::{config, engine, fsutil, paths, timefmt, ui};

impl Run for Use {
    fn run(&self) -> Result<ExitCode> {
        let shell = match &self.tcsh_code_file {
            Some(_) => Some(HookShell::Tcsh),
            None => self.shell,
        };
        let Some(shell) = shell else {
            return Err(Error::with_code(
                "ssoenv use changes this shell's environment, which a command cannot do by itself — load the shell hook (eval \"$(ssoenv hook bash)\", or your shell's line from 'ssoenv hook --help'); its ssoenv function runs use".to_owned(),
                2,
            ));
        };
        let name = EnvName::new(switch::VAR).expect("SSOENV_USE is a valid name");
        let mut code = String::new();
        if self.off {
            match Switch::from_env() {
                Some(previous) => {
                    shell_for(shell).unset(&mut code, &name);
                    ui::say(&format!(
                        "stopped using {} — this shell follows the directory again",
                        previous.label
                    ));
                }
                None => ui::say("this shell has no 'ssoenv use' choice — nothing to end"),
            }
        } else {
            let switch = self.resolve()?;
            let target = switch.target()?;
            let creds = engine::obtain(&target, target.refresh_before, engine::command_deadline())?;
            if let Choice::Role {
                account_id,
                role_name,
                ..
            } = &switch.choice
            {
                remember(account_id, role_name);
            }
            shell_for(shell).set(&mut code, &name, &switch.encode());
            ui::say(&format!(
                "using {} in this shell (expires {}) — 'ssoenv use --off' goes back to the directory's",
                switch.label,
                timefmt::local_hh_mm(creds.expiration)
            ));
        }
        if let Some(file) = &self.tcsh_code_file {
            // A file the alias has just made with mktemp (private), for it
            // to source: a name and a value, no secret.
            std::fs::write(file, code.as_bytes()).map_err(|e| {
                Error::new(format!(
                    "cannot write {}: {e} — this shell is as it was; check that the temporary directory is writable",
                    paths::display(file)
                ))
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut out = std::io::stdout().lock();
        out.write_all(code.as_bytes())?;
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}

impl Use {
    /// The choice the arguments name, checked against what exists.
    fn resolve(&self) -> Result<Switch> {
        if let Some(name) = &self.profile {
            config::load_profile(name)?;
            return Ok(Switch::new(
                Choice::Profile { name: name.clone() },
                name.clone(),
            ));
        }
        if let Some(file) = &self.config {
            let cwd = super::current_dir()?;
            let path = cwd.join(file);
            let path = if path.is_dir() {
                path.join(paths::PROJECT_FILE)
            } else {
                path
            };
            let path = std::fs::canonicalize(&path)
                .map_err(|e| Error::new(format!("cannot read {}: {e}", paths::display(&path))))?;
            let target: Target = switch::allowed_config(&path)?;
            return Ok(Switch::new(Choice::Config { path }, target.label()));
        }
        let Some(wanted) = &self.choice else {
            let on_a_terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
            if !on_a_terminal {
                return Err(Error::with_code(
                    "name what to use: ssoenv use ACCOUNT/ROLE (see 'ssoenv list'), --profile NAME or --config FILE — without a terminal there is no picker".to_owned(),
                    2,
                ));
            }
            return self.pick();
        };
        let (account, role) = wanted.rsplit_once('/').ok_or_else(|| {
            Error::with_code(
                format!("{wanted:?} is not ACCOUNT/ROLE — e.g. 123456789012/AdministratorAccess or Prod/ReadOnly"),
                2,
            )
        })?;
        let found = super::list::session_for(&Selection::default())?;
        let (listing, _) = portal_list::accounts(&found.session, self.refresh)?;
        let account = find_account(&listing.accounts, account)?;
        if !account.roles.iter().any(|r| r == role) {
            return Err(Error::new(format!(
                "role {role} is not yours in {} ({}) — you have {}",
                account.name,
                account.account_id,
                account.roles.join(", ")
            )));
        }
        Ok(Switch::new(
            Choice::Role {
                session: found.session,
                account_id: account.account_id.clone(),
                role_name: role.to_owned(),
            },
            format!("{}/{role}", account.name),
        ))
    }
}

impl Use {
    /// Every account and role of the session in one list, recent choices
    /// first; typing filters (fuzzy) by account name, id and role.
    fn pick(&self) -> Result<Switch> {
        let found = super::list::session_for(&Selection::default())?;
        let (listing, _) = portal_list::accounts(&found.session, self.refresh)?;
        let recent = recent();
        let mut choices: Vec<RoleChoice> = listing
            .accounts
            .iter()
            .flat_map(|account| {
                account.roles.iter().map(|role| RoleChoice {
                    account_id: account.account_id.clone(),
                    account_name: account.name.clone(),
                    role: role.clone(),
                })
            })
            .collect();
        if choices.is_empty() {
            return Err(Error::new(format!(
                "the SSO session at {} gives access to no account — ask your AWS administrator for an assignment",
                found.session.start_url
            )));
        }
        choices.sort_by_key(|choice| {
            recent
                .iter()
                .position(|seen| *seen == format!("{}/{}", choice.account_id, choice.role))
                .unwrap_or(usize::MAX)
        });
        let count = choices.len();
        let chosen = super::pick::ask(
            Select::new(
                &ui::prompt_label(&format!("account/role ({count}, type to filter)")),
                choices,
            )
            .with_page_size(12)
            .with_render_config(super::pick::render_config())
            .prompt(),
            "this shell is as it was",
            "name it: ssoenv use ACCOUNT/ROLE",
        )?;
        Ok(Switch::new(
            Choice::Role {
                session: found.session,
                account_id: chosen.account_id,
                role_name: chosen.role.clone(),
            },
            format!("{}/{}", chosen.account_name, chosen.role),
        ))
    }
}

/// One line of the picker.
struct RoleChoice {
    account_id: String,
    account_name: String,
    role: String,
}

impl std::fmt::Display for RoleChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}  {}  {}",
            self.account_name, self.account_id, self.role
        )
    }
}

/// How many choices the picker remembers.
const RECENT: usize = 20;

/// Where: `ACCOUNT_ID/ROLE` lines, newest first (no secret).
fn recent_file() -> Result<std::path::PathBuf> {
    Ok(paths::cache_dir()?.join("use-recent"))
}

fn recent() -> Vec<String> {
    recent_file()
        .map(|file| fsutil::read_remembered(&file))
        .unwrap_or_default()
}

/// Puts `account_id/role` first among the recent choices. A failure only
/// loses the order, so it is not reported.
fn remember(account_id: &str, role: &str) {
    let entry = format!("{account_id}/{role}");
    let mut lines = vec![entry.clone()];
    lines.extend(
        recent()
            .into_iter()
            .filter(|line| *line != entry)
            .take(RECENT - 1),
    );
    if let Ok(file) = recent_file() {
        fsutil::write_remembered(&file, &lines);
    }
}

/// The account `wanted` names: its id, or its exact name when that is unique.
fn find_account<'a>(accounts: &'a [Account], wanted: &str) -> Result<&'a Account> {
    if let Some(account) = accounts.iter().find(|a| a.account_id == wanted) {
        return Ok(account);
    }
    let named: Vec<&Account> = accounts.iter().filter(|a| a.name == wanted).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => {
            let close: Vec<&str> = accounts
                .iter()
                .filter(|a| a.name.to_lowercase().contains(&wanted.to_lowercase()))
                .map(|a| a.name.as_str())
                .take(5)
                .collect();
            let hint = if close.is_empty() {
                format!(
                    "the session reaches {} accounts; see 'ssoenv list'",
                    accounts.len()
                )
            } else {
                format!("did you mean {}?", close.join(", "))
            };
            Err(Error::new(format!("no account {wanted:?} — {hint}")))
        }
        several => Err(Error::new(format!(
            "{} accounts are named {wanted:?} ({}) — use the account id",
            several.len(),
            several
                .iter()
                .map(|a| a.account_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: &str) -> Account {
        Account {
            account_id: id.into(),
            name: name.into(),
            email: String::new(),
            roles: vec!["Admin".into()],
        }
    }

    #[test]
    fn accounts_are_found_by_id_or_unique_name_and_misses_say_what_exists() {
        let accounts = [
            account("111111111111", "Prod"),
            account("222222222222", "Sandbox"),
            account("333333333333", "Sandbox"),
        ];
        assert_eq!(
            find_account(&accounts, "111111111111").unwrap().name,
            "Prod"
        );
        assert_eq!(
            find_account(&accounts, "Prod").unwrap().account_id,
            "111111111111"
        );
        let ambiguous = find_account(&accounts, "Sandbox").unwrap_err();
        assert_eq!(
            ambiguous.message(),
            "2 accounts are named \"Sandbox\" (222222222222, 333333333333) — use the account id"
        );
        let close = find_account(&accounts, "prod").unwrap_err();
        assert_eq!(close.message(), "no account \"prod\" — did you mean Prod?");
        let none = find_account(&accounts, "Billing").unwrap_err();
        assert_eq!(
            none.message(),
            "no account \"Billing\" — the session reaches 3 accounts; see 'ssoenv list'"
        );
    }
}
