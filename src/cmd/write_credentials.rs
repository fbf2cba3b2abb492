//! `ssoenv write-credentials`: the SSO portal's second way of handing out
//! credentials — a profile section of the shared credentials file — for the
//! tools that read only that file.
//!
//! The file is the user's: it may hold long-lived keys, comments and other
//! tools' profiles. Only the one section changes (`aws_ini` keeps
//! every other byte), under a lock, by an atomic replace, and a section that
//! holds keys ssoenv did not write is never overwritten or removed.

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use super::aws_file::AwsFile;
use crate::aws_ini::{self, ParseError, SectionInfo};
use crate::cli::WriteCredentials;
use crate::error::{Error, Result};
use crate::{engine, paths, timefmt};

impl Run for WriteCredentials {
    fn run(&self) -> Result<ExitCode> {
        let target = super::target_for(&self.source)?;
        let (account, role) = target.final_role();
        let name = match &self.name {
            Some(name) => checked_section_name(name)?,
            None => format!("{account}_{role}"),
        };
        let file = AwsFile::at(
            paths::shared_credentials_file()?,
            "AWS_SHARED_CREDENTIALS_FILE",
        )?;
        let shown = file.shown.clone();
        let at_line = |err: ParseError| {
            Error::new(format!(
                "{shown}:{}: {} — nothing was changed",
                err.line, err.message
            ))
        };
        let check = |text: &str| -> Result<()> {
            let existing = aws_ini::inspect(text, &name).map_err(at_line)?;
            refuse_foreign_keys(existing.as_ref(), &name, &shown)
        };
        // Refuse before asking AWS for anything; the network comes before
        // the lock, so the lock is held only for the edit.
        check(&file.read_text()?)?;
        let creds = if self.remove {
            None
        } else {
            Some(engine::obtain(
                &target,
                target.refresh_before,
                engine::command_deadline(),
            )?)
        };
        let _lock = file.lock()?;
        // Another writer may have changed the file meanwhile: decide on what is there now.
        let text = file.read_text()?;
        check(&text)?;

        let mut stderr = std::io::stderr();
        match creds {
            None => match aws_ini::remove(&text, &name).map_err(at_line)? {
                Some(new_text) => {
                    file.replace(&new_text)?;
                    writeln!(stderr, "ssoenv: removed [{name}] from {shown}")?;
                }
                None => writeln!(
                    stderr,
                    "ssoenv: {shown} has no [{name}] — nothing to remove"
                )?,
            },
            Some(creds) => {
                let expires = timefmt::format_utc(creds.expiration);
                let comment = format!(
                    "ssoenv: {} until {expires} — renew with 'ssoenv write-credentials'",
                    target.label()
                );
                let keys = [
                    ("aws_access_key_id", creds.access_key_id.as_str()),
                    ("aws_secret_access_key", creds.secret_access_key.as_str()),
                    ("aws_session_token", creds.session_token.as_str()),
                ];
                let new_text = aws_ini::upsert(&text, &name, &keys, &comment).map_err(at_line)?;
                file.replace(&new_text)?;
                writeln!(
                    stderr,
                    "ssoenv: wrote [{name}] to {shown} ({}, expires {}) — use it with --profile {name}",
                    target.label(),
                    timefmt::local_hh_mm(creds.expiration)
                )?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Refuses to touch a section that holds keys ssoenv did not write and that
/// are not temporary ones (no session token): someone's long-lived keys.
/// A section pasted from the SSO portal (temporary keys) may be replaced.
fn refuse_foreign_keys(existing: Option<&SectionInfo>, name: &str, shown: &str) -> Result<()> {
    let Some(info) = existing else {
        return Ok(());
    };
    let has = |key: &str| info.keys.iter().any(|k| k == key);
    let long_lived =
        (has("aws_access_key_id") || has("aws_secret_access_key")) && !has("aws_session_token");
    if long_lived && !info.written_by_ssoenv {
        return Err(Error::new(format!(
            "[{name}] in {shown} holds long-lived keys that ssoenv did not write — pass --name to use another section, or edit the file yourself; nothing was changed"
        )));
    }
    Ok(())
}

/// A section name the AWS tools read back as written.
fn checked_section_name(name: &str) -> Result<String> {
    let bad = name.is_empty()
        || name.trim() != name
        || name.chars().any(|c| c.is_control() || c == '[' || c == ']')
        || name == "DEFAULT";
    if bad {
        return Err(Error::new(format!(
            "--name {name:?} cannot be a profile name in the credentials file — use letters, digits and -_.@ (e.g. 123456789012_AdministratorAccess)"
        )));
    }
    Ok(name.to_owned())
}
