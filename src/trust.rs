//! Which `.awssso.toml` files the user has allowed.
//!
//! A record per file lives at `$XDG_DATA_HOME/ssoenv/allow/<sha256 of the
//! canonical path>`; it holds the SHA-256 of (path, content) at the time of
//! `ssoenv allow`. Editing the file changes the hash, so it must be allowed
//! again. One record per path lets the per-prompt check `stat` a single file.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::{fsutil, paths};

/// The trust record of the config file at `canonical` (an absolute, resolved path).
fn record_path(canonical: &Path) -> Result<PathBuf> {
    let name = hex(&Sha256::digest(canonical.as_os_str().as_encoded_bytes()));
    Ok(paths::data_dir()?.join("allow").join(name))
}

/// What a record holds: the hash of the path and the content together.
fn content_hash(canonical: &Path, content: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(canonical.as_os_str().as_encoded_bytes());
    hasher.update([0]);
    hasher.update(content);
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The canonical form of a config path, with a message that says what is wrong.
fn canonical(path: &Path) -> Result<PathBuf> {
    fs::canonicalize(path)
        .map_err(|e| Error::new(format!("cannot resolve {}: {e}", paths::display(path))))
}

/// True when the file at `path` is allowed with exactly its current content.
pub fn is_allowed(path: &Path) -> Result<bool> {
    check(path).map(|verdict| verdict.allowed)
}

/// The trust verdict on a config file, with the record the prompt watches.
pub struct Verdict {
    /// The file whose appearance, change or removal changes the verdict.
    pub record: PathBuf,
    pub allowed: bool,
}

/// Resolves `path` once and looks at its record and content.
pub fn check(path: &Path) -> Result<Verdict> {
    let canonical = canonical(path)?;
    let record = record_path(&canonical)?;
    let Some(recorded) = fsutil::read_private(&record)? else {
        return Ok(Verdict {
            record,
            allowed: false,
        });
    };
    let content = fs::read(&canonical)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", paths::display(path))))?;
    let current = content_hash(&canonical, &content);
    let allowed = String::from_utf8_lossy(&recorded).lines().next() == Some(current.as_str());
    Ok(Verdict { record, allowed })
}

/// Records the current content of `path` as allowed.
pub fn allow(path: &Path) -> Result<()> {
    let canonical = canonical(path)?;
    let content = fs::read(&canonical)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", paths::display(path))))?;
    // The path on the second line is for people looking at the directory.
    let record = format!(
        "{}\n{}\n",
        content_hash(&canonical, &content),
        canonical.display()
    );
    fsutil::write_private_atomic(&record_path(&canonical)?, record.as_bytes())
}

/// Removes the record; `false` when there was none.
pub fn deny(path: &Path) -> Result<bool> {
    fsutil::remove_if_exists(&record_path(&canonical(path)?)?)
}

/// The config file a PATH argument of `allow`/`deny` means: the file itself,
/// `.awssso.toml` in a directory, or the nearest one above `cwd`.
pub fn config_argument(path: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    match path {
        Some(path) if path.is_dir() => {
            let file = path.join(paths::PROJECT_FILE);
            if file.is_file() {
                Ok(file)
            } else {
                Err(Error::new(format!(
                    "no {} in {} — create one with 'ssoenv init'",
                    paths::PROJECT_FILE,
                    paths::display(path)
                )))
            }
        }
        Some(path) if path.is_file() => Ok(path.to_owned()),
        Some(path) => Err(Error::new(format!(
            "{} does not exist",
            paths::display(path)
        ))),
        None => paths::find_project_file(cwd).ok_or_else(|| {
            Error::new(format!(
                "no {} in {} or above — create one with 'ssoenv init', or pass its path",
                paths::PROJECT_FILE,
                paths::display(cwd)
            ))
        }),
    }
}
