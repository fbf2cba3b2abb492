//! `ssoenv write-credentials`: the SSO portal's second way of handing out
//! credentials — a profile section of the shared credentials file — for the
//! tools that read only that file.
//!
//! The file is the user's: it may hold long-lived keys, comments and other
//! tools' profiles. Only the one section changes (`aws_ini` keeps
//! every other byte), under a lock, by an atomic replace, and a section that
//! holds keys ssoenv did not write is never overwritten or removed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Run;
use crate::cli::WriteCredentials;
use crate::aws_ini::{self, ParseError, SectionInfo};
use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::{engine, paths, timefmt};

impl Run for WriteCredentials {
    fn run(&self) -> Result<ExitCode> {
        let target = super::target_for(&self.source)?;
        let (account, role) = target.final_role();
        let name = match &self.name {
            Some(name) => checked_section_name(name)?,
            None => format!("{account}_{role}"),
        };
        let file = credentials_file_path()?;
        let shown = paths::display(&file);
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
        check(&read_text(&file, &shown)?)?;
        let creds = if self.remove {
            None
        } else {
            Some(engine::obtain(
                &target,
                target.refresh_before,
                engine::command_deadline(),
            )?)
        };
        let _lock = FileLock::acquire(&lock_path(&file)?, engine::command_deadline())?;
        // Another writer may have changed the file meanwhile: decide on what is there now.
        let text = read_text(&file, &shown)?;
        check(&text)?;

        let mut stderr = std::io::stderr();
        match creds {
            None => match aws_ini::remove(&text, &name).map_err(at_line)? {
                Some(new_text) => {
                    fsutil::write_private_atomic_in_shared_dir(&file, new_text.as_bytes())?;
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
                let new_text =
                    aws_ini::upsert(&text, &name, &keys, &comment).map_err(at_line)?;
                fsutil::write_private_atomic_in_shared_dir(&file, new_text.as_bytes())?;
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

/// `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`, through a symlink
/// to the file it points at (dotfile repositories link it), so the atomic
/// replace swaps the real file instead of the link.
fn credentials_file_path() -> Result<PathBuf> {
    let path = paths::shared_credentials_file()?;
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(path);
    }
    std::fs::canonicalize(&path).map_err(|e| {
        Error::new(format!(
            "{} is a symbolic link that cannot be followed ({e}) — fix the link, or set AWS_SHARED_CREDENTIALS_FILE",
            paths::display(&path)
        ))
    })
}

/// Where writers of one credentials file take turns.
fn lock_path(file: &Path) -> Result<PathBuf> {
    let id = sha1_smol::Sha1::from(file.to_string_lossy().as_bytes())
        .digest()
        .to_string();
    Ok(paths::cache_dir()?
        .join("locks")
        .join(format!("credentials-file-{id}.lock")))
}

/// The file as text; empty when it does not exist yet.
fn read_text(file: &Path, shown: &str) -> Result<String> {
    let bytes = fsutil::read_optional(file)?.unwrap_or_default();
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let line = err.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::new(format!(
            "{shown}:{line}: this is not UTF-8 text — save the file as UTF-8; nothing was changed"
        ))
    })
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
