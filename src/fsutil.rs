//! Private files: 0700 directories, 0600 files written atomically, and
//! advisory locks with a deadline. Every cache ssoenv writes goes through here,
//! so a crash at any point leaves either the old file or the new one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::{paths, platform};

/// Creates `dir` (and missing parents) with mode 0700, and tightens it to 0700
/// if it already exists with looser permissions. One that belongs to
/// another user is refused.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    platform::create_private_dir_all(dir)
        .map_err(|e| io_error("cannot create directory", dir, &e))?;
    let meta = fs::metadata(dir).map_err(|e| io_error("cannot read", dir, &e))?;
    if !platform::owned_by_current_user(dir, &meta) {
        return Err(foreign(dir, &meta));
    }
    if !platform::is_private(dir, &meta) {
        platform::restrict_dir_to_owner(dir)
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
    replace(dir, path, contents, Durability::Synced)
}

/// Like [`write_private_atomic`] for a cache that can be rebuilt from other
/// state (role credentials, renewed from the SSO token): just as atomic —
/// a reader or a killed writer still sees the old file or the new one — but
/// not forced to disk. A power cut may bring back the old file or leave a
/// damaged one, which the reader treats as absent; in exchange a renewal at
/// the prompt does not wait for two `fsync`s (half a millisecond on a
/// virtual disk, far more on a busy laptop one).
pub fn write_rebuildable_cache(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = parent(path)?;
    ensure_private_dir(dir)?;
    replace(dir, path, contents, Durability::Cache)
}

/// A short list ssoenv keeps for convenience (recent `use` choices, the
/// session names it signed in with): one entry per line, no secret. A
/// missing or unreadable list reads as empty.
pub fn read_remembered(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Writes a [`read_remembered`] list as a rebuildable cache. A failure only
/// loses the convenience, so it is not reported.
pub fn write_remembered(path: &Path, entries: &[String]) {
    let _ = write_rebuildable_cache(path, format!("{}\n", entries.join("\n")).as_bytes());
}

/// Like [`write_private_atomic`] for a file in a directory the user chose
/// and shares with other tools (`~/.aws`): created 0700 when missing, but
/// left as it is when it exists.
pub fn write_private_atomic_in_shared_dir(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = parent(path)?;
    if !dir.is_dir() {
        ensure_private_dir(dir)?;
    }
    replace(dir, path, contents, Durability::Synced)
}

/// Whether a replaced file must survive a power cut.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// On disk before the call returns: data, then the rename.
    Synced,
    /// Atomic only: see [`write_rebuildable_cache`].
    Cache,
}

fn replace(dir: &Path, path: &Path, contents: &[u8], durability: Durability) -> Result<()> {
    let synced = durability == Durability::Synced;
    let mut temp = new_temp_file(dir)?;
    temp.write_all(contents)
        .and_then(|()| {
            if synced {
                temp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|e| io_error("cannot write", temp.path(), &e))?;
    temp.persist(path)
        .map_err(|e| io_error("cannot replace", path, &e.error))?;
    // The rename itself must reach the disk, or a crash could bring back the old file.
    if synced {
        sync_dir(dir);
    }
    remove_stale_temp_files(dir);
    Ok(())
}

fn new_temp_file(dir: &Path) -> Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .rand_bytes(TEMP_RAND_LEN)
        .make_in(dir, platform::create_private_file)
        .map_err(|e| io_error("cannot create a temporary file in", dir, &e))
}

fn sync_dir(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// The replacement of a private file whose new contents will come from a
/// one-time answer, such as a rotated refresh token: the server has spent the
/// old contents once it answers, so a process killed before the new ones are
/// in place loses them. Everything that can happen before the answer (the
/// directory, the temporary file) happens in [`StagedReplace::new`], and
/// [`StagedReplace::commit`] does the least it can before the rename — one
/// write — and makes the result durable only after it.
pub struct StagedReplace {
    temp: tempfile::NamedTempFile,
    dir: PathBuf,
    path: PathBuf,
}

impl StagedReplace {
    /// Prepares a 0600 temporary file beside `path` (in a 0700 directory).
    /// Dropped without a commit, it is removed and `path` is untouched.
    pub fn new(path: &Path) -> Result<StagedReplace> {
        let dir = parent(path)?;
        ensure_private_dir(dir)?;
        Ok(StagedReplace {
            temp: new_temp_file(dir)?,
            dir: dir.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Writes `contents` and renames them over the file at once; a kill
    /// after this returns or during the fsyncs that follow keeps the new
    /// file. (A power cut in the few milliseconds before they finish may
    /// cost it, which the reader treats as "log in again", the same as a
    /// lost refresh token.)
    pub fn commit(mut self, contents: &[u8]) -> Result<()> {
        self.temp
            .write_all(contents)
            .map_err(|e| io_error("cannot write", self.temp.path(), &e))?;
        let file = self
            .temp
            .persist(&self.path)
            .map_err(|e| io_error("cannot replace", &self.path, &e.error))?;
        let _ = file.sync_all();
        sync_dir(&self.dir);
        remove_stale_temp_files(&self.dir);
        Ok(())
    }
}

/// Temporary files of [`write_private_atomic`]: `.tmp-` and 6 random characters.
const TEMP_PREFIX: &str = ".tmp-";
const TEMP_RAND_LEN: usize = 6;

/// A temporary file this old belongs to a writer that died (killed between
/// creating and renaming it); no write takes anywhere near this long.
const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);

/// Removes temporary files left in `dir` by writers that were killed, so
/// they do not pile up. Best effort: a file that cannot be removed stays.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_ours = name.to_str().is_some_and(|name| {
            name.len() == TEMP_PREFIX.len() + TEMP_RAND_LEN && name.starts_with(TEMP_PREFIX)
        });
        let stale = || {
            entry
                .metadata()
                .ok()
                .filter(fs::Metadata::is_file)
                .and_then(|m| m.modified().ok())
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > STALE_TEMP_AGE)
        };
        if is_ours && stale() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The rule ssh and gpg apply to their files, for what ssoenv trusts: it
/// belongs to the user, and no one else can write to it (or, for a
/// directory, put files in it; see [`platform::writable_by_others`]).
/// Anything else is refused with the fix.
pub fn check_owned(path: &Path, meta: &fs::Metadata) -> Result<()> {
    if !platform::owned_by_current_user(path, meta) {
        return Err(foreign(path, meta));
    }
    if let Some(why) = not_the_users(path, meta) {
        let shown = paths::display(path);
        return Err(Error::new(format!(
            "refusing {shown}: {why} — run 'chmod go-w {shown}' if it is yours"
        )));
    }
    Ok(())
}

/// Why a file or directory fails [`check_owned`], in words; `None` when it
/// passes.
pub fn not_the_users(path: &Path, meta: &fs::Metadata) -> Option<String> {
    if !platform::owned_by_current_user(path, meta) {
        Some(format!(
            "it belongs to {}, not to you",
            platform::owner_of(path, meta)
        ))
    } else if platform::writable_by_others(path, meta) {
        Some("others can write to it".to_owned())
    } else {
        None
    }
}

fn foreign(path: &Path, meta: &fs::Metadata) -> Error {
    Error::new(format!(
        "refusing {}: it belongs to {}, not to you — remove it, or point ssoenv elsewhere",
        paths::display(path),
        platform::owner_of(path, meta)
    ))
}

/// The per-user runtime directory ([`crate::platform::runtime_dir`]) when it
/// is safe to keep the agent's files and `exec`'s token in: missing (ssoenv
/// then creates it, private), or a directory of the user's that no one else
/// can write to, the rule ssh and gpg apply to theirs. `Ok(None)` when the
/// system names none; an error with the reason when it names one that is
/// not the user's own, and callers use their fallback.
pub fn runtime_dir() -> Result<Option<PathBuf>> {
    let Some(dir) = crate::platform::runtime_dir() else {
        return Ok(None);
    };
    match std::fs::metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(dir)),
        Err(e) => Err(Error::new(format!(
            "cannot use the runtime directory {}: {e}",
            paths::display(&dir)
        ))),
        Ok(meta) => match not_the_users(&dir, &meta) {
            None => Ok(Some(dir)),
            Some(why) => Err(Error::new(format!(
                "ignoring the runtime directory {}: {why}",
                paths::display(&dir)
            ))),
        },
    }
}

/// A new directory only the user may enter (0700; `prefix` and random
/// characters) for short-lived secrets such as `exec`'s token or the
/// browser's page, for `what` to name in messages: in the per-user runtime
/// directory when it is usable, else the temporary directory. A runtime
/// directory that is not the user's own is passed over with one line.
/// Removed when the handle is dropped, unless kept.
pub fn private_temp_dir(prefix: &str, what: &str) -> Result<TempDir> {
    let base = match runtime_dir() {
        Ok(dir) => dir.filter(|dir| dir.is_dir()),
        Err(refused) => {
            crate::ui::say(&format!(
                "{} — {what} goes to the temporary directory instead",
                refused.message()
            ));
            None
        }
    }
    .unwrap_or_else(std::env::temp_dir);
    let cannot = |e: &dyn std::fmt::Display| {
        Error::new(format!(
            "cannot create a private directory in {} for {what}: {e}",
            paths::display(&base)
        ))
    };
    // Made private as it is created (never loosened and then tightened);
    // a name someone else took meanwhile is passed over.
    for _ in 0..16 {
        let mut random = [0u8; 6];
        getrandom::fill(&mut random).map_err(|e| cannot(&e))?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = base.join(format!("{prefix}{suffix}"));
        match platform::create_private_dir(&path) {
            Ok(()) => return Ok(TempDir { path: Some(path) }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(cannot(&e)),
        }
    }
    Err(cannot(&"every name tried was taken"))
}

/// A directory [`private_temp_dir`] made, removed with what is in it when
/// dropped unless kept. (tempfile's own can be made private at creation
/// only with a Unix mode; on Windows the access list must come with the
/// `CreateDirectoryW` call, which [`platform::create_private_dir`] makes.)
#[derive(Debug)]
pub struct TempDir {
    path: Option<PathBuf>,
}

impl TempDir {
    pub fn path(&self) -> &Path {
        self.path
            .as_deref()
            .expect("a TempDir has its path until kept")
    }

    /// Leaves the directory in place; its path.
    pub fn keep(mut self) -> PathBuf {
        self.path.take().expect("a TempDir has its path until kept")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = fs::remove_dir_all(path);
        }
    }
}

/// Like [`read_optional`] for a file ssoenv trusts (a cache, a trust
/// record, the agent's record): it and its directory must pass
/// [`check_owned`], checked on the open file, so a file another user planted
/// or can rewrite is never believed.
pub fn read_private(path: &Path) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot read", path, &e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| io_error("cannot read", path, &e))?;
    check_owned(path, &meta)?;
    let dir = parent(path)?;
    let dir_meta = fs::metadata(dir).map_err(|e| io_error("cannot read", dir, &e))?;
    check_owned(dir, &dir_meta)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| io_error("cannot read", path, &e))?;
    Ok(Some(bytes))
}

/// Reads a file, treating "does not exist" as `None`.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("cannot read", path, &e)),
    }
}

/// Makes `path` a private empty file whose modification time is exactly
/// `time`, for shells to compare other files with (`-nt`, `-ot`). One that
/// already has that time is left alone; two processes making the same file
/// at once both leave it with that time. `false` when it cannot be made.
pub fn reference_file(path: &Path, time: std::time::SystemTime) -> bool {
    let has_time = || {
        fs::metadata(path)
            .and_then(|meta| meta.modified())
            .is_ok_and(|modified| modified == time)
    };
    if has_time() {
        return true;
    }
    platform::open_private(path, platform::OpenPrivate::OpenOrCreate)
        .and_then(|file| file.set_modified(time))
        .is_ok()
        && has_time()
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
        let file = Self::open(path)?;
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
                        paths::display(path)
                    )));
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_error("cannot lock", path, &e)),
            }
        }
    }

    /// The lock if nobody holds it now; `None`, at once, if somebody does.
    pub fn try_acquire(path: &Path) -> Result<Option<Self>> {
        let file = Self::open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self {
                file,
                path: path.to_owned(),
            })),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(io_error("cannot lock", path, &e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file, created owner-only in a private directory if need be.
    fn open(path: &Path) -> Result<File> {
        ensure_private_dir(parent(path)?)?;
        platform::open_private(path, platform::OpenPrivate::OpenOrCreate)
            .map_err(|e| io_error("cannot open lock file", path, &e))
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
    Error::new(format!("{what} {}: {err}", paths::display(path)))
}
