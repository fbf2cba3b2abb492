//! One error type for every command: a message for the user and an exit code.

use std::fmt;

/// What went wrong, in words a user can act on, plus the exit status to use.
#[derive(Debug)]
pub struct Error {
    message: String,
    exit_code: u8,
    broken_pipe: bool,
}

impl Error {
    /// A failure of the command (exit status 1).
    pub fn new(message: impl Into<String>) -> Self {
        Self::with_code(message, 1)
    }

    /// A failure with a specific exit status (2 for usage, 127 for a missing program, ...).
    pub fn with_code(message: impl Into<String>, exit_code: u8) -> Self {
        Self {
            message: message.into(),
            exit_code,
            broken_pipe: false,
        }
    }

    /// A command whose behaviour has not been built yet: says so instead of pretending.
    pub fn not_implemented(command: &str) -> Self {
        Self::with_code(format!("`ssoenv {command}` is not yet implemented"), 2)
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }

    /// True when writing our output failed because the reader went away.
    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Output errors: a closed pipe is remembered so `main` can exit quietly.
impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        let broken_pipe = err.kind() == std::io::ErrorKind::BrokenPipe;
        Self {
            message: format!("cannot write output: {err}"),
            exit_code: 1,
            broken_pipe,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
