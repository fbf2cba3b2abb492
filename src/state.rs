//! `SSOENV_STATE`: what the previous prompt left behind, in one env var.
//!
//! It holds only names, paths, file stamps, a fingerprint and times — never a
//! credential or token. The per-prompt fast path compares it with a few
//! `stat`s; anything different sends `ssoenv export` down the full path.
//!
//! The value comes from the environment, which anything can set, so decoding
//! is strict: anything unexpected reads as "no state".

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::{platform, timefmt};

/// The bookkeeping variable's name.
pub const VAR: &str = "SSOENV_STATE";

/// Longer values are not ours: refuse them before parsing.
const MAX_LEN: usize = 16 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Format version; other versions read as no state.
    pub v: u32,
    /// The `.awssso.toml` in effect at the last evaluation (none: no file above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Watched>,
    /// The file whose change could change the outcome: the trust record of the
    /// config, the role-credential cache, or the SSO token cache.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<Watched>,
    /// Variables ssoenv has taken over; the shell keeps the user's own values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned: Vec<String>,
    /// Fingerprint of the AWS_ACCESS_KEY_ID exported (see `credentials::fingerprint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// In endpoint mode: the agent the shell's variables point at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served: Option<Served>,
    /// Look again at or after this time (epoch seconds): renewal or retry is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck_at: Option<u64>,
    /// Before a command line runs, look again at or after this time instead,
    /// when it comes earlier: less than `min_ttl` is left by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_recheck_at: Option<u64>,
    /// Start a renewal in the background at or after this time (epoch
    /// seconds; see `crate::ahead`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahead_at: Option<u64>,
    /// Fingerprint of the shell's `SSOENV_USE` at the last evaluation (see
    /// `crate::switch`): a new choice, or none any more, is a change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch: Option<String>,
    /// The last message shown, so it is not repeated at every prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<String>,
}

pub const VERSION: u32 = 1;

/// What a shell's credentials follow: a project file (the directory's), or
/// the shell's `ssoenv use` choice (its `SSOENV_USE` value, which names
/// the choice and holds no secret). Background renewals and the agent's
/// URLs name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Project(std::path::PathBuf),
    Switch(String),
}

impl Source {
    /// What the prompt that left `state` follows: its switch (whose value
    /// is the shell's `SSOENV_USE`), else its project.
    pub fn of(state: &State) -> Option<Source> {
        if state.switch.is_some() {
            return std::env::var(crate::switch::VAR).ok().map(Source::Switch);
        }
        state
            .config
            .as_ref()
            .map(|project| Source::Project(std::path::PathBuf::from(&project.path)))
    }
}

/// What endpoint mode exported, as the prompt checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Served {
    /// Fingerprint of the `AWS_CONTAINER_CREDENTIALS_FULL_URI` exported.
    pub uri: String,
    /// The agent's lock file: held while it lives (see `crate::agent`).
    pub lock: String,
    /// The agent's process, which the shell's idle check looks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

/// A file as it was seen: path and stamp (`None` when it did not exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Watched {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
}

impl Watched {
    /// Looks at `path` now.
    pub fn now(path: &Path) -> Self {
        Self {
            path: path.to_string_lossy().into_owned(),
            stamp: Stamp::of(path),
        }
    }

    /// True when the file still looks as it did.
    pub fn unchanged(&self) -> bool {
        Stamp::of(Path::new(&self.path)) == self.stamp
    }
}

/// What `stat` says about a file that tells an edit apart: mtime, size, inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stamp {
    pub mtime: i64,
    pub nsec: i64,
    pub size: u64,
    pub ino: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Self> {
        fs::metadata(path).ok().map(|m| {
            let (mtime, nsec, ino) = platform::file_identity(&m);
            Self {
                mtime,
                nsec,
                size: m.len(),
                ino,
            }
        })
    }
}

impl State {
    /// The state of this shell, from the environment.
    pub fn from_env() -> Self {
        std::env::var(VAR)
            .ok()
            .and_then(|text| Self::decode(&text))
            .unwrap_or_default()
    }

    /// Strict decoding: an oversized, malformed or foreign value is no state.
    pub fn decode(text: &str) -> Option<Self> {
        if text.len() > MAX_LEN {
            return None;
        }
        let state: Self = serde_json::from_str(text).ok()?;
        let names_ok = state
            .owned
            .iter()
            .all(|n| crate::shell::EnvName::new(n).is_ok());
        (state.v == VERSION && names_ok).then_some(state)
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("state always encodes as JSON")
    }

    /// True when nothing is loaded, watched or remembered: the variable can go.
    pub fn is_empty(&self) -> bool {
        *self
            == Self {
                v: self.v,
                ..Self::default()
            }
    }

    /// True when a renewal or retry is due at `moment`.
    pub fn recheck_due(&self, now: SystemTime, moment: Moment) -> bool {
        let at = match moment {
            Moment::Prompt => self.recheck_at,
            Moment::BeforeCommand => match (self.recheck_at, self.command_recheck_at) {
                (Some(prompt), Some(command)) => Some(prompt.min(command)),
                (prompt, command) => prompt.or(command),
            },
        };
        at.is_some_and(|at| timefmt::epoch_secs(now) >= at)
    }

    /// True when a renewal ahead of time is due to start.
    pub fn ahead_due(&self, now: SystemTime) -> bool {
        self.ahead_at
            .is_some_and(|at| timefmt::epoch_secs(now) >= at)
    }
}

/// When the hook runs `ssoenv export`: before a prompt (wait for a renewal
/// only without valid credentials), or before a command line the user
/// submitted (wait for one with less than `max(refresh_before, min_ttl)`
/// left, so the command starts with enough time). Renewal ahead, in the
/// background, serves both (`crate::ahead`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Prompt,
    BeforeCommand,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let state = State {
            v: VERSION,
            config: Some(Watched {
                path: "/p/.awssso.toml".into(),
                stamp: None,
            }),
            watch: vec![],
            owned: vec!["AWS_REGION".into()],
            key: Some("abc".into()),
            served: Some(Served {
                uri: "0123456789ab".into(),
                lock: "/run/ssoenv/agent.lock".into(),
                pid: Some(42),
            }),
            recheck_at: Some(5),
            command_recheck_at: Some(3),
            ahead_at: Some(2),
            switch: Some("def".into()),
            said: None,
        };
        assert_eq!(State::decode(&state.encode()), Some(state));
    }

    #[test]
    fn refuses_foreign_values() {
        assert_eq!(State::decode(""), None);
        assert_eq!(State::decode("{}"), None, "no version");
        assert_eq!(State::decode(r#"{"v":2}"#), None);
        assert_eq!(State::decode(r#"{"v":1,"extra":1}"#), None);
        assert_eq!(State::decode(r#"{"v":1,"owned":["A;rm -rf /"]}"#), None);
        assert_eq!(State::decode(&"x".repeat(MAX_LEN + 1)), None);
        assert!(State::decode(r#"{"v":1}"#).is_some());
    }

    #[test]
    fn a_command_rechecks_at_the_earlier_time_a_prompt_at_its_own() {
        let at = |secs| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        let state = State {
            v: VERSION,
            recheck_at: Some(100),
            command_recheck_at: Some(60),
            ..State::default()
        };
        assert!(!state.recheck_due(at(70), Moment::Prompt));
        assert!(state.recheck_due(at(70), Moment::BeforeCommand));
        assert!(!state.recheck_due(at(59), Moment::BeforeCommand));
        assert!(state.recheck_due(at(100), Moment::Prompt));
        // Without a time of its own, a command rechecks when a prompt would.
        let prompt_only = State {
            command_recheck_at: None,
            ..state
        };
        assert!(!prompt_only.recheck_due(at(70), Moment::BeforeCommand));
        assert!(prompt_only.recheck_due(at(100), Moment::BeforeCommand));
    }
}
