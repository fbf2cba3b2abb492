//! `ssoenv use`: the account and role one shell chose by hand, whatever the
//! directory, kept in that shell's `SSOENV_USE` variable.
//!
//! The choice lives in the shell's own environment, so it is per shell by
//! construction: other shells never see it, a shell started from this one
//! inherits it like any exported variable, and the shell's end is its end.
//! The hook's `ssoenv` function evaluates what `ssoenv use` prints (the
//! variable, set or unset); the next prompt's `export` finds it and loads
//! that target instead of the directory's, renewed like a project's.
//!
//! The value names the choice (session, account and role, or a profile, or
//! a settings file) and never holds a credential.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{self, SsoSession, Target};
use crate::error::{Error, Result};
use crate::{paths, trust};

/// The variable that holds a shell's choice.
pub const VAR: &str = "SSOENV_USE";

/// Longer values are not ours.
const MAX_LEN: usize = 8 * 1024;

const VERSION: u32 = 1;

/// One shell's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    pub v: u32,
    pub choice: Choice,
    /// How messages and prompts name it: `Prod/AdministratorAccess`.
    pub label: String,
}

/// What was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Choice {
    /// An account and permission set of a session (`ssoenv use ACCOUNT/ROLE`).
    Role {
        session: SsoSession,
        account_id: String,
        role_name: String,
    },
    /// A profile of the AWS config file (`--profile NAME`).
    Profile { name: String },
    /// A settings file, which must be allowed (`--config FILE`).
    Config { path: PathBuf },
}

impl Switch {
    pub fn new(choice: Choice, label: String) -> Self {
        Switch {
            v: VERSION,
            choice,
            label,
        }
    }

    /// The shell's choice; `None` when it has none. A value that is not
    /// ours reads as none, as for `SSOENV_STATE`.
    pub fn from_env() -> Option<Switch> {
        Self::decode(&std::env::var(VAR).ok()?)
    }

    pub fn decode(text: &str) -> Option<Switch> {
        if text.len() > MAX_LEN {
            return None;
        }
        let switch: Switch = serde_json::from_str(text).ok()?;
        (switch.v == VERSION).then_some(switch)
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a switch always encodes as JSON")
    }

    /// Where the choice came from, for `status`, as a command that makes
    /// it again: "ssoenv use 111111111111/Admin".
    pub fn origin(&self) -> String {
        match &self.choice {
            Choice::Role {
                account_id,
                role_name,
                ..
            } => format!("ssoenv use {account_id}/{role_name}"),
            Choice::Profile { name } => format!("ssoenv use --profile {name}"),
            Choice::Config { path } => format!("ssoenv use --config {}", paths::display(path)),
        }
    }

    /// What the choice resolves to now, with the user's defaults. A
    /// settings file must still be allowed.
    pub fn target(&self) -> Result<Target> {
        match &self.choice {
            Choice::Role {
                session,
                account_id,
                role_name,
            } => config::load_role(session, account_id, role_name),
            Choice::Profile { name } => config::load_profile(name),
            Choice::Config { path } => allowed_config(path),
        }
    }
}

/// The target of a settings file named with `--config`, which must be allowed.
pub fn allowed_config(path: &Path) -> Result<Target> {
    if !trust::check(path)?.allowed {
        return Err(Error::new(format!(
            "{} is not allowed — run 'ssoenv allow {}'",
            paths::display(path),
            paths::display(path)
        )));
    }
    config::load_project(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_round_trips_and_foreign_values_are_none() {
        let switch = Switch::new(
            Choice::Role {
                session: SsoSession {
                    name: Some("corp".into()),
                    start_url: "https://d-1234567890.awsapps.com/start".into(),
                    region: "eu-west-1".into(),
                    scopes: Vec::new(),
                },
                account_id: "111111111111".into(),
                role_name: "Admin".into(),
            },
            "Prod/Admin".into(),
        );
        assert_eq!(Switch::decode(&switch.encode()), Some(switch.clone()));
        assert_eq!(switch.origin(), "ssoenv use 111111111111/Admin");
        assert_eq!(Switch::decode("{}"), None);
        assert_eq!(
            Switch::decode(&switch.encode().replace("\"v\":1", "\"v\":2")),
            None
        );
        assert_eq!(Switch::decode(&"x".repeat(MAX_LEN + 1)), None);
    }
}
