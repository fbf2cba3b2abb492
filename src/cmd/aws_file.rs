//! One of the AWS CLI's own files (`~/.aws/credentials`, `~/.aws/config`) as
//! the commands that edit it see it: where it really is, its text, and the
//! lock that writers of it take turns on.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::{engine, paths};

pub(super) struct AwsFile {
    /// The file itself, through a symlink.
    pub path: PathBuf,
    /// How messages name it (`~/.aws/config`).
    pub shown: String,
}

impl AwsFile {
    /// `path` (which `variable` can move), through a symlink to the file it
    /// points at: dotfile repositories link these files, and the atomic
    /// replace must swap the real file, not the link.
    pub fn at(path: PathBuf, variable: &str) -> Result<AwsFile> {
        let shown = paths::display(&path);
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok(AwsFile { path, shown });
        }
        let path = std::fs::canonicalize(&path).map_err(|e| {
            Error::new(format!(
                "{shown} is a symbolic link that cannot be followed ({e}) — fix the link, or set {variable}"
            ))
        })?;
        Ok(AwsFile { path, shown })
    }

    /// The file as text; empty when it does not exist yet.
    pub fn read_text(&self) -> Result<String> {
        let bytes = fsutil::read_optional(&self.path)?.unwrap_or_default();
        String::from_utf8(bytes).map_err(|err| {
            let valid = err.utf8_error().valid_up_to();
            let line = err.as_bytes()[..valid]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Error::new(format!(
                "{}:{line}: this is not UTF-8 text — save the file as UTF-8; nothing was changed",
                self.shown
            ))
        })
    }

    /// Waits for the other writers of this file (ssoenv processes) to finish.
    pub fn lock(&self) -> Result<FileLock> {
        FileLock::acquire(&lock_path(&self.path)?, engine::command_deadline())
    }

    /// Replaces the file at once (readers see the old text or the new one).
    pub fn replace(&self, text: &str) -> Result<()> {
        fsutil::write_private_atomic_in_shared_dir(&self.path, text.as_bytes())
    }
}

/// Where writers of one file take turns.
fn lock_path(file: &Path) -> Result<PathBuf> {
    let id = sha1_smol::Sha1::from(file.to_string_lossy().as_bytes())
        .digest()
        .to_string();
    Ok(paths::cache_dir()?
        .join("locks")
        .join(format!("credentials-file-{id}.lock")))
}
