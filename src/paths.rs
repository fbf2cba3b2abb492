//! Where files live. Everything derives from the environment (`HOME`, `XDG_*`,
//! `AWS_CONFIG_FILE`), so tests run against a temporary home.

use std::env;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::platform::{self, AppDir};

/// The name of the per-project config file.
pub const PROJECT_FILE: &str = ".awssso.toml";

/// The user's home directory: `HOME`, or `USERPROFILE` on Windows (where
/// the AWS CLI keeps `.aws`).
pub fn home() -> Result<PathBuf> {
    platform::home_dir().ok_or_else(|| {
        Error::new(format!(
            "{} is not set; set it to your home directory",
            platform::HOME_VAR
        ))
    })
}

/// `$<var>/ssoenv` when `var` (an `XDG_*_HOME`) is an absolute path,
/// otherwise where the system keeps such files ([`platform::default_app_dir`]).
fn app_dir(var: &str, kind: AppDir) -> Result<PathBuf> {
    match env::var_os(var).map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => Ok(dir.join("ssoenv")),
        _ => platform::default_app_dir(kind).ok_or_else(|| {
            Error::new(format!(
                "{} is not set; set it, or {var}",
                platform::app_dir_var(kind)
            ))
        }),
    }
}

/// `$XDG_CONFIG_HOME/ssoenv` (`~/.config/ssoenv`, `%APPDATA%\ssoenv`): the
/// user-wide defaults file lives here.
pub fn config_dir() -> Result<PathBuf> {
    app_dir("XDG_CONFIG_HOME", AppDir::Config)
}

/// `$XDG_CACHE_HOME/ssoenv` (`~/.cache/ssoenv`,
/// `%LOCALAPPDATA%\ssoenv\cache`): role credentials and locks (private).
pub fn cache_dir() -> Result<PathBuf> {
    app_dir("XDG_CACHE_HOME", AppDir::Cache)
}

/// `$XDG_DATA_HOME/ssoenv` (`~/.local/share/ssoenv`,
/// `%LOCALAPPDATA%\ssoenv\data`): trust records.
pub fn data_dir() -> Result<PathBuf> {
    app_dir("XDG_DATA_HOME", AppDir::Data)
}

/// The user-wide defaults file, `$XDG_CONFIG_HOME/ssoenv/config.toml`.
pub fn user_config_file() -> Result<PathBuf> {
    Ok(config_dir()?.join("config.toml"))
}

/// The AWS config file: `AWS_CONFIG_FILE` (with `~` expanded) or `~/.aws/config`.
pub fn aws_config_file() -> Result<PathBuf> {
    match env::var("AWS_CONFIG_FILE") {
        Ok(path) if !path.is_empty() => Ok(expand_path(&path)?),
        _ => Ok(home()?.join(".aws").join("config")),
    }
}

/// The shared credentials file: `AWS_SHARED_CREDENTIALS_FILE` (with `~`
/// expanded) or `~/.aws/credentials`.
pub fn shared_credentials_file() -> Result<PathBuf> {
    match env::var("AWS_SHARED_CREDENTIALS_FILE") {
        Ok(path) if !path.is_empty() => Ok(expand_path(&path)?),
        _ => Ok(home()?.join(".aws").join("credentials")),
    }
}

/// The AWS CLI's SSO token cache directory, `~/.aws/sso/cache`.
pub fn sso_cache_dir() -> Result<PathBuf> {
    Ok(home()?.join(".aws").join("sso").join("cache"))
}

/// The full program's file name, installed next to `ssoenv`.
pub const CORE: &str = "ssoenv-core";

/// `ssoenv-core` next to the running binary (either of the two).
pub fn core_exe() -> Result<PathBuf> {
    env::current_exe()
        .map(|exe| exe.with_file_name(exe_name(CORE)))
        .map_err(|e| Error::new(format!("cannot find its own location ({e})")))
}

/// A program's file name on this system: `ssoenv.exe` on Windows.
pub fn exe_name(program: &str) -> String {
    format!("{program}{}", env::consts::EXE_SUFFIX)
}

/// Expands `~` and `$VAR` / `${VAR}` in a path taken from a config value.
pub fn expand_path(text: &str) -> Result<PathBuf> {
    shellexpand::full(text)
        .map(|expanded| PathBuf::from(expanded.as_ref()))
        .map_err(|e| Error::new(format!("cannot expand `{text}`: {e}")))
}

/// The nearest `.awssso.toml` at or above `dir`: one `stat` per level, nothing read.
pub fn find_project_file(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|ancestor| ancestor.join(PROJECT_FILE))
        .find(|candidate| candidate.is_file())
}

/// `path` as messages show it: under the home directory it reads `~/…`, which
/// is shorter and does not leak the user name into pasted error reports,
/// and control characters in names are escaped (see [`crate::ui::printable`]).
pub fn display(path: &Path) -> String {
    display_from(path, home().ok().as_deref())
}

/// [`display`] against an explicit home directory, for callers that carry
/// their own idea of home (the config loader, and tests that run in parallel
/// with different temporary homes).
pub fn display_from(path: &Path, home: Option<&Path>) -> String {
    let shown = match home.filter(|home| home.parent().is_some()) {
        Some(home) => match path.strip_prefix(home) {
            Ok(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
            // `~\` on Windows, as PowerShell shows it.
            Ok(rest) => format!("~{}{}", std::path::MAIN_SEPARATOR, rest.display()),
            Err(_) => path.display().to_string(),
        },
        None => path.display().to_string(),
    };
    crate::ui::printable(&shown).into_owned()
}
