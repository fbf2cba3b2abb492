//! One error type for every command: a message for the user and an exit code.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

/// What went wrong, in words a user can act on, plus the exit status to use.
#[derive(Debug)]
pub struct Error {
    message: String,
    exit_code: u8,
    kind: Kind,
}

/// What a caller can do about an error: the prompt hook treats these differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything else: bad input, a refused request, a bug in the environment.
    Other,
    /// Nothing can renew credentials without the user signing in again.
    LoginRequired,
    /// Network trouble, throttling, a timeout: trying again later may work.
    Transient,
    /// Writing our output failed because the reader went away.
    BrokenPipe,
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
            kind: Kind::Other,
        }
    }

    /// The SSO session is gone for good: the user must run `ssoenv login`.
    pub fn login_required(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::LoginRequired,
            ..Self::new(message)
        }
    }

    /// A failure that may pass by itself (network, throttling, timeouts, locks).
    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Transient,
            ..Self::new(message)
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }

    /// True when writing our output failed because the reader went away.
    pub fn is_broken_pipe(&self) -> bool {
        self.kind == Kind::BrokenPipe
    }

    /// Ends a failed command, in either binary: `ssoenv: <message>` on
    /// stderr and the error's exit status — or quietly with success when the
    /// reader went away (`ssoenv list | head`), as there is no one to tell.
    pub fn report(&self) -> ExitCode {
        if self.is_broken_pipe() {
            return ExitCode::SUCCESS;
        }
        let _ = writeln!(
            std::io::stderr(),
            "ssoenv: {}",
            crate::ui::printable(&self.message)
        );
        ExitCode::from(self.exit_code)
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
        let kind = if err.kind() == std::io::ErrorKind::BrokenPipe {
            Kind::BrokenPipe
        } else {
            Kind::Other
        };
        Self {
            message: format!("cannot write output: {err}"),
            exit_code: 1,
            kind,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
