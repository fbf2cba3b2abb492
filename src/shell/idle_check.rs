//! The idle check: what a shell compares, with its own builtins, to know
//! that nothing changed since ssoenv last decided — so that an idle prompt
//! starts no process at all.
//!
//! After each decision `ssoenv export <shell>` prints, with the variables,
//! a definition of the shell function `_ssoenv_unchanged` (see
//! [`super::Shell::idle_check`]) holding the facts below. The hook calls it
//! first, at each prompt and before each command line, and starts ssoenv
//! only when it fails. It fails when any fact no longer holds, and it errs
//! on the side of failing: a failure costs one start of ssoenv, whose own
//! precise check (`crate::cmd::export::hot_path`) then prints a fresh
//! definition.
//!
//! It holds no secret: paths, times, the state variable (which holds none),
//! and the access key *id* the shell was given, which AWS does not treat
//! as secret and which the environment holds anyway — compared by value so
//! that a user who changed or unset it by hand is noticed.

use super::EnvName;

/// The facts an idle prompt checks; all hold, or ssoenv is asked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleCheck {
    /// The shell's `$PWD` when ssoenv decided.
    pub pwd: String,
    /// `.awssso.toml` paths that must still not be regular files: one in
    /// every directory from the current one up to the one whose file
    /// decided (up to the root when none did).
    pub not_files: Vec<String>,
    /// The deciding `.awssso.toml` and its directory, which must be no
    /// newer than [`Self::stamp`]: an edit changes the file's time, and a
    /// removal, or a file moved into place with its old time, the
    /// directory's.
    pub not_newer: Vec<String>,
    /// Watched files that existed and must still exist and be no newer
    /// than [`Self::stamp`].
    pub unchanged: Vec<String>,
    /// Watched paths that did not exist and must still not.
    pub absent: Vec<String>,
    /// A file whose modification time is [`Self::stamp_time`]: whole
    /// seconds, at least two before ssoenv began to look (the racy-git
    /// rule). A file written at any moment after ssoenv looked is newer than
    /// it even on a file system that keeps two-second times, whether the
    /// shell compares seconds or nanoseconds; one written in the two seconds
    /// before is newer too, which costs one more start of ssoenv, never a
    /// missed change.
    pub stamp: String,
    /// The stamp's time, in seconds since the epoch.
    pub stamp_time: u64,
    /// From this second on a prompt asks ssoenv again: a renewal (ahead
    /// in the background, or due), a retry, or an expiry.
    pub prompt_deadline: Option<u64>,
    /// The same before a command line, which needs `min_ttl` left.
    pub command_deadline: Option<u64>,
    /// The value `SSOENV_STATE` must still have (`None`: unset). It is
    /// ssoenv's own, so a shell may compare its length alone when it is
    /// ASCII (the length of anything else depends on the locale).
    pub state: Option<String>,
    /// Variables and the value each must still have (`None`: unset).
    pub vars: Vec<(EnvName, Option<String>)>,
    /// Endpoint mode: the agent that must still run.
    pub agent_pid: Option<u32>,
    /// The ssoenv binary, and a file with exactly its modification time:
    /// a newer binary (an upgrade) must decide again. Packages keep their
    /// build's time, which a later version's is after.
    pub exe: Option<(String, String)>,
}

impl IdleCheck {
    /// The stamp's age, in whole seconds, at which `deadline` falls: the
    /// form for a shell that reads the age of a file and not the clock.
    pub fn age_at(&self, deadline: u64) -> i64 {
        i64::try_from(deadline).unwrap_or(i64::MAX)
            - i64::try_from(self.stamp_time).unwrap_or(i64::MAX)
    }
}

/// The name of the function the generated code defines and the hooks call
/// with `prompt` or `command`.
pub const FUNCTION: &str = "_ssoenv_unchanged";
