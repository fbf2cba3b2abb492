//! Shell code generation: one file per shell behind the small [`Shell`] trait.
//!
//! Two kinds of output live here. The rc snippets (`ssoenv hook <shell>`) are
//! real files under `shell/` with one placeholder for the binary's path; the
//! per-variable statements (`set`, `unset`, `save`, `restore`) are the only
//! shell code built in Rust, one short statement each, so `ssoenv export` can
//! print just what changed.
//!
//! Every value reaches a shell through [`Shell::quote`], an explicit quoter per
//! target shell: a generic escaper is how such tools end up executing a
//! credential that happens to contain `$(…)`.

mod bash;
mod elvish;
mod fish;
mod idle_check;
mod nu;
mod pwsh;
mod tcsh;
mod xonsh;
mod zsh;

use std::fmt;

use clap::ValueEnum;

pub use bash::Bash;
pub use elvish::Elvish;
pub use fish::Fish;
pub use idle_check::{FUNCTION as IDLE_CHECK_FUNCTION, IdleCheck};
pub use nu::Nu;
pub use pwsh::Pwsh;
pub use tcsh::Tcsh;
pub use xonsh::Xonsh;
pub use zsh::Zsh;

use crate::error::{Error, Result};

/// Shells the prompt hook supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookShell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "powershell")]
    Pwsh,
    Elvish,
    Tcsh,
    Xonsh,
    #[value(alias = "nushell")]
    Nu,
}

/// Targets of `ssoenv export`: the hook shells plus JSON for other integrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "powershell")]
    Pwsh,
    Elvish,
    Tcsh,
    Xonsh,
    #[value(alias = "nushell")]
    Nu,
    Json,
}

/// The one placeholder in every file under `shell/`: where the quoted binary path goes.
///
/// A bare word in every supported shell, so the raw templates still parse.
const EXE_PLACEHOLDER: &str = "__SSOENV_EXE__";

/// Prefix of the shell-private variables that hold a value saved by [`Shell::save`].
const SAVED_PREFIX: &str = "__ssoenv_saved_";

/// A validated environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
///
/// Names are written into shell code unquoted (they cannot be quoted in
/// `export NAME=…` or `$env:NAME`), so anything else is refused outright.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnvName(String);

impl EnvName {
    pub fn new(name: &str) -> Result<Self> {
        let mut chars = name.chars();
        let valid_start = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if valid_start && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            Ok(Self(name.to_owned()))
        } else {
            // The name is not a secret; showing it (escaped) tells the user what was refused.
            Err(Error::new(format!(
                "{name:?} is not a usable environment variable name \
                 (letters, digits and _, not starting with a digit)"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shell-private variable that holds this variable's saved value.
    ///
    /// Still a valid name: the prefix is made of allowed characters.
    fn saved(&self) -> String {
        format!("{SAVED_PREFIX}{}", self.0)
    }
}

impl fmt::Display for EnvName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EnvName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What ssoenv needs from a shell: its rc snippet, and code for one variable at a time.
///
/// Values are never read back by ssoenv: `save` and `restore` move a user's
/// value between the variable and a private copy inside the shell, so a secret
/// the user set never passes through ssoenv's arguments, environment or state.
///
/// NUL cannot be part of an environment variable (`execve` takes C strings), so
/// [`Shell::quote`] and [`Shell::set`] drop NUL characters rather than emit
/// code that each shell would truncate or reject in its own way.
pub trait Shell: Sync {
    /// The rc snippet from `shell/`, calling the binary at `exe` (quoted for this shell).
    ///
    /// `exe` is a `&str` because a path that is not UTF-8 cannot be written
    /// byte-exactly in every shell; `ssoenv hook` refuses such a path.
    fn hook(&self, exe: &str) -> String;

    /// Appends code that sets `name` to `value` and exports it.
    fn set(&self, out: &mut String, name: &EnvName, value: &str);

    /// Appends code that removes `name` from the environment.
    fn unset(&self, out: &mut String, name: &EnvName);

    /// Appends code that copies the current value of `name` into a shell-private,
    /// non-exported variable, or discards any old copy when `name` is unset.
    ///
    /// Call it once when taking a variable over, not again while ssoenv owns it:
    /// a second save would copy ssoenv's own value over the user's.
    fn save(&self, out: &mut String, name: &EnvName);

    /// Appends code that puts back (and exports) the value saved for `name` and
    /// drops the copy; when there is no copy (nothing was saved, the variable was
    /// unset when saved, or this is a nested shell that inherited the
    /// environment but not the private copies) it unsets `name`.
    fn restore(&self, out: &mut String, name: &EnvName);

    /// `value` as one literal word (an expression, for PowerShell) of this shell.
    fn quote(&self, value: &str) -> String;

    /// Why `value` cannot be written for this shell at all, when it cannot:
    /// the export then refuses the target, saying so, rather than emit code
    /// that might run. (Only tcsh refuses anything: control characters.)
    fn refuses(&self, value: &str) -> Option<&'static str> {
        let _ = value;
        None
    }

    /// Appends the definition of the idle check (see [`IdleCheck`]) where
    /// this shell can run it with its builtins alone. The others append
    /// nothing and start ssoenv at every prompt.
    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        let _ = (out, check);
    }

    /// Whether [`Shell::idle_check`] appends anything, so that the facts
    /// are gathered only for a shell that checks them.
    fn runs_idle_check(&self) -> bool {
        false
    }
}

/// The shell that `ssoenv hook <shell>` targets.
pub fn shell_for(kind: HookShell) -> &'static dyn Shell {
    match kind {
        HookShell::Bash => &Bash,
        HookShell::Zsh => &Zsh,
        HookShell::Fish => &Fish,
        HookShell::Pwsh => &Pwsh,
        HookShell::Elvish => &Elvish,
        HookShell::Tcsh => &Tcsh,
        HookShell::Xonsh => &Xonsh,
        HookShell::Nu => &Nu,
    }
}

/// The shell that `ssoenv export <target>` writes for; `None` for JSON.
pub fn shell_for_export(target: ExportTarget) -> Option<&'static dyn Shell> {
    match target {
        ExportTarget::Bash => Some(&Bash),
        ExportTarget::Zsh => Some(&Zsh),
        ExportTarget::Fish => Some(&Fish),
        ExportTarget::Pwsh => Some(&Pwsh),
        ExportTarget::Elvish => Some(&Elvish),
        ExportTarget::Tcsh => Some(&Tcsh),
        ExportTarget::Xonsh => Some(&Xonsh),
        ExportTarget::Nu => Some(&Nu),
        ExportTarget::Json => None,
    }
}

/// Puts the already-quoted binary path into a template from `shell/` (once
/// for each hook the template installs).
fn render(template: &str, quoted_exe: &str) -> String {
    debug_assert!(template.contains(EXE_PLACEHOLDER));
    template.replace(EXE_PLACEHOLDER, quoted_exe)
}

/// `value` in double quotes with C-style escapes: `\\` and `"` escaped,
/// newline, tab and carriage return as `\n`, `\t`, `\r`, other C0 controls
/// and DEL as `\xHH`, C1 controls as `\u00HH`, NUL dropped (see the trait),
/// everything else as it is. Elvish and Python (xonsh) read it alike, and
/// neither expands anything inside.
fn double_quoted(value: &str) -> String {
    double_quoted_with(value, |c| {
        if c.is_ascii_control() {
            format!("\\x{:02x}", u32::from(c))
        } else {
            format!("\\u{:04x}", u32::from(c))
        }
    })
}

/// [`double_quoted`], with the other control characters (C0 but newline,
/// tab and carriage return, DEL, C1) written by `control`.
fn double_quoted_with(value: &str, control: impl Fn(char) -> String) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\0' => {}
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() => quoted.push_str(&control(c)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Appends one statement and its newline. Writing into a `String` cannot fail.
fn line(out: &mut String, statement: fmt::Arguments<'_>) {
    fmt::Write::write_fmt(out, statement).expect("writing to a String cannot fail");
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_validated() {
        for good in ["A", "_", "AWS_ACCESS_KEY_ID", "a1", "_9"] {
            assert_eq!(EnvName::new(good).unwrap().as_str(), good);
        }
        for bad in [
            "", "1A", "A-B", "A B", "A=B", "Ä", "A$", "A\n", "A\0", "env:X", "A.B",
        ] {
            assert!(EnvName::new(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn saved_names_are_valid_names() {
        let saved = EnvName::new("AWS_REGION").unwrap().saved();
        assert_eq!(saved, "__ssoenv_saved_AWS_REGION");
        assert!(EnvName::new(&saved).is_ok());
    }

    #[test]
    fn every_template_calls_the_binary_once_per_hook_and_in_its_function() {
        // The prompt hook, the pre-command hook where the shell has one, and
        // the `ssoenv` function (its `use` call and everything else).
        for (kind, calls) in [
            (HookShell::Bash, 4),
            (HookShell::Zsh, 4),
            (HookShell::Fish, 4),
            (HookShell::Pwsh, 3),
            // One closure serves all three of its hooks; then its function.
            (HookShell::Elvish, 3),
            // Kept in an alias that the others use.
            (HookShell::Tcsh, 1),
            // One function serves its three event handlers; then its alias.
            (HookShell::Xonsh, 3),
            // One command serves its three hooks; then its `ssoenv` command.
            (HookShell::Nu, 3),
        ] {
            let hook = shell_for(kind).hook("/x/ssoenv");
            assert!(!hook.contains(EXE_PLACEHOLDER), "{kind:?}");
            assert_eq!(hook.matches("/x/ssoenv").count(), calls, "{kind:?}");
        }
    }

    #[test]
    fn export_targets_map_to_the_same_shells() {
        assert!(shell_for_export(ExportTarget::Json).is_none());
        let pairs = [
            (ExportTarget::Bash, HookShell::Bash),
            (ExportTarget::Zsh, HookShell::Zsh),
            (ExportTarget::Fish, HookShell::Fish),
            (ExportTarget::Pwsh, HookShell::Pwsh),
            (ExportTarget::Elvish, HookShell::Elvish),
            (ExportTarget::Tcsh, HookShell::Tcsh),
            (ExportTarget::Xonsh, HookShell::Xonsh),
            (ExportTarget::Nu, HookShell::Nu),
        ];
        for (target, kind) in pairs {
            let a = shell_for_export(target).unwrap().hook("x");
            assert_eq!(a, shell_for(kind).hook("x"));
        }
    }
}
