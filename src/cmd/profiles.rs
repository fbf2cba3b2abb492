//! `ssoenv profiles sync`: every account and role of the SSO session as a
//! profile of the AWS config file, for the tools that know only
//! `AWS_PROFILE`. The plan (names, ownership, what changes) is
//! `profiles_sync`'s; this file finds the session, lists the accounts and
//! edits the file under its lock.

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use super::aws_file::AwsFile;
use crate::cli::{Profiles, ProfilesCommand, ProfilesList, ProfilesSync};
use crate::config::{self, FoundSession};
use crate::error::{Error, Result};
use crate::profiles_sync::{self, Mode, NameTemplate, Plan, PlanError, Request, SessionSection};
use crate::{aws_ini, paths, portal_list, ui};

impl Run for Profiles {
    fn run(&self) -> Result<ExitCode> {
        match &self.command {
            ProfilesCommand::Sync(sync) => sync.run(),
            ProfilesCommand::List(list) => list.run(),
        }
    }
}

impl Run for ProfilesList {
    /// `[default]` and every `[profile NAME]`, in file order, as the AWS
    /// tools read the file.
    fn run(&self) -> Result<ExitCode> {
        let file = AwsFile::at(paths::aws_config_file()?, "AWS_CONFIG_FILE")?;
        let sections = aws_ini::sections(&file.read_text()?).map_err(|error| {
            Error::new(format!("{}:{}: {}", file.shown, error.line, error.message))
        })?;
        let mut out = std::io::stdout().lock();
        for section in &sections {
            let name = match section.name.as_str() {
                "default" => "default",
                other => match other.strip_prefix("profile ") {
                    Some(name) => name.trim(),
                    None => continue,
                },
            };
            writeln!(out, "{name}")?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}

impl Run for ProfilesSync {
    fn run(&self) -> Result<ExitCode> {
        // Everything that can be refused is, before the portal is asked.
        let names = NameTemplate::parse(&self.name).map_err(Error::new)?;
        if let Some(region) = &self.region {
            config::check_region(region)?;
        }
        let found = match &self.sso_session {
            Some(name) => config::named_session(name)?,
            None => super::list::session_for(&self.source)?,
        };
        let file = AwsFile::at(paths::aws_config_file()?, "AWS_CONFIG_FILE")?;
        let at_line = |error: aws_ini::ParseError| {
            Error::new(format!(
                "{}:{}: {} — nothing was changed",
                file.shown, error.line, error.message
            ))
        };
        aws_ini::sections(&file.read_text()?).map_err(at_line)?;
        let region = match &self.region {
            Some(region) => region.clone(),
            None => config::default_region()?.unwrap_or_else(|| found.session.region.clone()),
        };
        let mode = if self.credential_process {
            Mode::CredentialProcess {
                program: credential_process_program()?,
            }
        } else {
            Mode::Sso
        };

        let (listing, _cached) = portal_list::accounts(&found.session, self.refresh)?;
        let _lock = if self.dry_run {
            None
        } else {
            Some(file.lock()?)
        };
        // Another writer may have changed the file meanwhile: plan on what is there now.
        let text = file.read_text()?;
        let plan = profiles_sync::plan(
            &text,
            &Request {
                session: &found.session,
                accounts: &listing.accounts,
                region: &region,
                mode: &mode,
                names: &names,
                prune: self.prune,
                force: self.force,
            },
        )
        .map_err(|error| match error {
            PlanError::File(error) => at_line(error),
            PlanError::Request(message) => Error::new(format!("{}: {message}", file.shown)),
        })?;
        if self.dry_run {
            let mut out = std::io::stdout().lock();
            out.write_all(unified_diff(&text, &plan.new_text, &file.shown).as_bytes())?;
            out.flush()?;
        } else if plan.new_text != text {
            file.replace(&plan.new_text)?;
        }
        report(&plan, &found, &file.shown, self);
        Ok(ExitCode::SUCCESS)
    }
}

/// ssoenv as `credential_process` names it: the path the hook uses (through
/// a PATH link that survives upgrades); `profiles_sync` quotes it.
fn credential_process_program() -> Result<String> {
    let exe = super::hook::hook_exe().map_err(|e| {
        Error::new(format!(
            "cannot tell where ssoenv is installed ({e}) — run it by its full path"
        ))
    })?;
    let exe = exe.to_str().filter(|path| !path.contains('"')).ok_or_else(|| {
        Error::new(format!(
            "ssoenv's path {} cannot be written into credential_process (it is not UTF-8 or holds a \") — install ssoenv elsewhere",
            paths::display(&exe)
        ))
    })?;
    Ok(exe.to_owned())
}

fn unified_diff(old: &str, new: &str, shown: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(shown, shown)
        .to_string()
}

/// One line for what changed, then one per profile left out and a summary
/// of the stale ones.
fn report(plan: &Plan, found: &FoundSession, shown: &str, sync: &ProfilesSync) {
    let verb = if sync.dry_run { "would write" } else { "wrote" };
    let session = match plan.session_section {
        SessionSection::Added => format!(", and [sso-session {}]", plan.session_name),
        SessionSection::Removed => format!(", removed [sso-session {}]", plan.session_name),
        SessionSection::Reused | SessionSection::Kept | SessionSection::NotNeeded => String::new(),
    };
    let pruned = if sync.prune {
        format!(", removed {}", plan.removed.len())
    } else {
        String::new()
    };
    ui::say(&format!(
        "{shown}: {verb} {} new and {} changed profiles, {} already in step{pruned}{session} (sso-session {}, from {})",
        plan.added.len(),
        plan.updated.len(),
        plan.unchanged,
        plan.session_name,
        found.from,
    ));
    for skipped in &plan.skipped {
        let owner = match &skipped.synced_by {
            Some(session) => format!("synced from sso-session {session}"),
            None => "not written by ssoenv".to_owned(),
        };
        ui::say(&format!(
            "skipped {}/{}: [profile {}] is {owner} and stays as it is — pick other names with --name",
            skipped.account_id, skipped.role_name, skipped.profile
        ));
    }
    for kept in &plan.kept_own {
        ui::say(&format!(
            "kept [profile {}]: its account or role is gone, but you added {} to it — remove it by hand, or with --prune --force",
            kept.profile,
            kept.own_keys.join(", ")
        ));
    }
    let kept_stale = plan.stale.len() - plan.removed.len() - plan.kept_own.len();
    if kept_stale > 0 {
        const SHOWN: usize = 5;
        let mut names = plan.stale[..kept_stale.min(SHOWN)].join(", ");
        if kept_stale > SHOWN {
            names.push_str(&format!(" and {} more", kept_stale - SHOWN));
        }
        ui::say(&format!(
            "{kept_stale} profiles are stale (their account or role is gone): {names} — kept; remove them with --prune"
        ));
    }
}
