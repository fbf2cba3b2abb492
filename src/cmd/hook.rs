use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Run;
use crate::cli::Hook;
use crate::error::{Error, Result};
use crate::paths;
use crate::shell::shell_for;

impl Run for Hook {
    fn run(&self) -> Result<ExitCode> {
        // The snippet calls the binary by absolute path: the hook runs before every
        // prompt, where a PATH lookup would cost time and could find another copy.
        let exe = hook_exe().map_err(|err| {
            Error::new(format!("cannot find the path of the ssoenv binary: {err}"))
        })?;
        let exe = exe.to_str().ok_or_else(|| {
            Error::new(format!(
                "the path of the ssoenv binary is not UTF-8 ({}); install it under a UTF-8 path",
                exe.display()
            ))
        })?;
        let snippet = shell_for(self.shell).hook(exe);
        let mut stdout = io::stdout().lock();
        stdout.write_all(snippet.as_bytes())?;
        stdout.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}

/// The path the hook calls `ssoenv` by.
///
/// This runs in `ssoenv-core`; the hook must call the small `ssoenv` next to
/// it, which answers idle prompts by itself (see src/main.rs). Its path is
/// canonicalised, because `current_exe` may report a path through `..` or a
/// relative argv[0] on some platforms, with one exception: a package manager
/// that keeps each version in a directory of its own and links it into a
/// directory on PATH (Homebrew's Cellar) deletes the old version's directory
/// on upgrade, and a hook naming that directory would fail at every prompt of
/// every shell opened before. So when a PATH entry leads to this very pair of
/// binaries, the hook names that entry, which upgrades keep pointing at the
/// installed version.
pub(super) fn hook_exe() -> io::Result<PathBuf> {
    // dunce: on Windows, the plain `C:\…` form where std gives `\\?\C:\…`,
    // which a PowerShell user would not recognise in the hook.
    let core = dunce::canonicalize(std::env::current_exe()?)?;
    let exe = dunce::canonicalize(core.with_file_name(paths::exe_name("ssoenv")))?;
    let leads_here = |candidate: &Path| {
        dunce::canonicalize(candidate).is_ok_and(|c| c == exe)
            // `ssoenv` finds `ssoenv-core` next to the path it was started by.
            && dunce::canonicalize(candidate.with_file_name(paths::exe_name(paths::CORE)))
                .is_ok_and(|c| c == core)
    };
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(exe.file_name().unwrap_or_default()))
        .find(|candidate| leads_here(candidate));
    Ok(on_path.unwrap_or(exe))
}
