//! Private files: 0700 directories, 0600 files written atomically, and
//! advisory locks with a deadline. Every cache ssoenv writes goes through here,
//! so a crash at any point leaves either the old file or the new one.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Creates `dir` (and missing parents) with mode 0700, and tightens it to 0700
/// if it already exists with looser permissions.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_error("cannot create directory", dir, &e))?;
    let mode = fs::metadata(dir)
        .map_err(|e| io_error("cannot read", dir, &e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(dir, Permissions::from_mode(0o700))
            .map_err(|e| io_error("cannot make private", dir, &e))?;
    }
    Ok(())
}

/// Writes `contents` to `path` as a 0600 file: a temporary file in the same
/// directory is written, flushed to disk and renamed over `path`, so readers
/// never see a partial file.
pub fn write_private_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = parent(path)?;
    ensure_private_dir(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| io_error("cannot create a temporary file in", dir, &e))?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| io_error("cannot write", temp.path(), &e))?;
    temp.persist(path)
        .map_err(|e| io_error("cannot replace", path, &e.error))?;
    // The rename itself must reach the disk, or a crash could bring back the old file.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Reads a file, treating "does not exist" as `None`.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("cannot read", path, &e)),
    }
}

/// Removes a file, treating "already gone" as success.
pub fn remove_if_exists(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error("cannot remove", path, &e)),
    }
}

/// An exclusive advisory lock on a lock file, released on drop.
///
/// The lock lives in its own file (never the data file) because the data file
/// is replaced by rename, and a lock on a replaced inode protects nothing.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Waits for the lock until `deadline`; past it, says which file is held.
    pub fn acquire(path: &Path, deadline: Instant) -> Result<Self> {
        ensure_private_dir(parent(path)?)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io_error("cannot open lock file", path, &e))?;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(Self {
                        file,
                        path: path.to_owned(),
                    });
                }
                Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(10));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::transient(format!(
                        "another ssoenv process holds {} — try again in a moment",
                        crate::paths::display(path)
                    )));
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_error("cannot lock", path, &e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn parent(path: &Path) -> Result<&Path> {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| Error::new(format!("{} has no parent directory", path.display())))
}

fn io_error(what: &str, path: &Path, err: &io::Error) -> Error {
    Error::new(format!("{what} {}: {err}", crate::paths::display(path)))
}
