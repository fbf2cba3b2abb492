//! Finding the external tools tests need, with one rule for every crate's
//! tests: under CI (`CI=true`) a missing tool fails the test, because a CI run
//! that silently skips proves nothing; on a developer machine the test says
//! `skipping: ...` on stderr and passes, so a missing Python does not block
//! unrelated work.
//!
//! ```no_run
//! let Some(python) = sso_emulator::harness::python() else { return };
//! # let _ = python;
//! ```

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the emulator crate lives at <root>/tests/emulator")
        .to_path_buf()
}

/// Whether the suite runs under CI, where nothing may be skipped.
pub fn running_in_ci() -> bool {
    env::var("CI").is_ok_and(|value| value == "true")
}

/// Reports a missing tool: panics under CI (at the calling test, thanks to
/// `track_caller`), otherwise prints one `skipping: ...` line and returns
/// `None` for the caller to return on.
#[track_caller]
pub fn missing<T>(what: &str, how_to_fix: &str) -> Option<T> {
    if running_in_ci() {
        panic!("{what} is required under CI=true but was not found: {how_to_fix}");
    }
    eprintln!("skipping: {what} not found ({how_to_fix})");
    None
}

/// A Python interpreter that can `import botocore`: `$SSOENV_TEST_PYTHON`,
/// else `<workspace>/.venv/bin/python`. `None` (or a panic under CI) when
/// neither works.
#[track_caller]
pub fn python() -> Option<PathBuf> {
    let candidate = match env::var_os("SSOENV_TEST_PYTHON") {
        Some(explicit) => PathBuf::from(explicit),
        None => workspace_root().join(".venv").join("bin").join("python"),
    };
    let imports_botocore = Command::new(&candidate)
        .args(["-c", "import botocore, boto3"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if imports_botocore {
        return Some(candidate);
    }
    missing(
        &format!(
            "a Python with botocore and boto3 (tried {})",
            candidate.display()
        ),
        "create it with `python3 -m venv .venv && .venv/bin/pip install botocore boto3 awscli`, \
         or set SSOENV_TEST_PYTHON",
    )
}

/// An executable named `name` on `PATH`, under the same CI rule.
#[track_caller]
pub fn require_tool(name: &str) -> Option<PathBuf> {
    match find_on_path(name) {
        Some(path) => Some(path),
        None => missing(&format!("`{name}` on PATH"), &format!("install {name}")),
    }
}

/// The first executable file called `name` in the `PATH` directories.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|directory| directory.join(format!("{name}{}", env::consts::EXE_SUFFIX)))
        .find(|candidate| candidate.metadata().is_ok_and(|meta| is_executable(&meta)))
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

/// Windows runs any file by its extension: a file is enough.
#[cfg(not(unix))]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    meta.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_and_not_a_made_up_tool() {
        assert!(find_on_path("sh").is_some(), "every Unix has sh on PATH");
        assert!(find_on_path("sso-emulator-no-such-tool").is_none());
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        let manifest =
            std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("root manifest");
        assert!(manifest.contains("[workspace]"));
    }
}
