//! The environment of ssoenv's own long-lived processes (the agent, and
//! `exec`'s endpoint helper): only what they need to find files, reach AWS
//! and log, never what the shell that started them happened to hold. A
//! shell in a variables-mode project has `AWS_SECRET_ACCESS_KEY` and
//! friends; an agent that inherited them would keep them for its whole life.

use std::ffi::OsStr;
use std::process::Command;

/// Variables passed on by name.
const KEPT: [&str; 39] = [
    // Who and where: files live under HOME and the XDG directories.
    "HOME",
    "USER",
    "LOGNAME",
    "PATH",
    "TMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_RUNTIME_DIR",
    // Messages and times ("expires 14:05").
    "LANG",
    "TZ",
    "TZDIR",
    "NO_COLOR",
    // The AWS config file and how AWS is reached.
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "all_proxy",
    // What a Windows process needs to run at all (SystemRoot: sockets and
    // crypto), and where Windows keeps the user's files.
    "SystemRoot",
    "SystemDrive",
    "windir",
    "ComSpec",
    "PATHEXT",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "USERNAME",
    "APPDATA",
    "LOCALAPPDATA",
    "ProgramData",
];

/// Variables passed on by prefix: locale categories, endpoint overrides
/// (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SSO`, …) and ssoenv's settings.
const KEPT_PREFIXES: [&str; 3] = ["LC_", "AWS_ENDPOINT_URL", "SSOENV_"];

/// ssoenv's variables that describe one shell, not the user.
const SHELL_ONLY: [&str; 1] = [crate::state::VAR];

/// Whether a variable of this name passes to a background process.
fn kept(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    // Windows reads `Path` as `PATH`: compare as the system does.
    let same = |a: &str, b: &str| {
        a == b || (crate::platform::ENV_NAMES_IGNORE_CASE && a.eq_ignore_ascii_case(b))
    };
    let starts = |prefix: &str| {
        name.get(..prefix.len())
            .is_some_and(|start| same(start, prefix))
    };
    !SHELL_ONLY.iter().any(|only| same(only, name))
        && (KEPT.iter().any(|kept| same(kept, name)) || KEPT_PREFIXES.iter().any(|p| starts(p)))
}

/// Starts `command` with only the variables of this process that
/// background work needs.
pub fn apply(command: &mut Command) {
    command.env_clear();
    command.envs(std::env::vars_os().filter(|(name, _)| kept(name)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_shell_state_stay_behind() {
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_PROFILE",
            "SSOENV_STATE",
            "GITHUB_TOKEN",
            "OLDPWD",
        ] {
            assert!(!kept(OsStr::new(name)), "{name}");
        }
        for name in [
            "HOME",
            "XDG_RUNTIME_DIR",
            "AWS_CONFIG_FILE",
            "AWS_ENDPOINT_URL_SSO",
            "LC_TIME",
            "SSOENV_LOG",
            "SSOENV_AGENT_IDLE",
        ] {
            assert!(kept(OsStr::new(name)), "{name}");
        }
    }
}
