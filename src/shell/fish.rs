//! fish: its own quoting (POSIX single quotes are wrong for fish) and `set` scopes.
//!
//! Variables are set and erased in the global scope only: without a scope,
//! `set -e` would erase a universal variable, which fish persists to disk for
//! every session of the user.

use super::{EnvName, IdleCheck, Shell, idle_check::FUNCTION, line, render};

pub struct Fish;

impl Shell for Fish {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.fish"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        line(out, format_args!("set -gx {name} {}", self.quote(value)));
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("set -e -g {name}"));
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        // `-u` (unexport) keeps the copy out of the environment. Copying `$NAME`
        // as a list keeps a list-valued variable intact.
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if set -q {name}; set -g -u {saved} ${name}; else; set -e -g {saved}; end"
            ),
        );
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if set -q {saved}; set -gx {name} ${saved}; set -e -g {saved}; \
                 else; set -e -g {name}; end"
            ),
        );
    }

    /// Printable text goes in single quotes, where fish treats `\\` and `\'` as
    /// escapes (so both are escaped); control characters are written outside
    /// the quotes as fish escapes and concatenated (`'a'\n'b'`), keeping the
    /// code on one line. The result is always quoted, so no word is expanded.
    fn quote(&self, value: &str) -> String {
        let mut quoted = String::with_capacity(value.len() + 2);
        let mut in_quotes = false;
        for c in value.chars() {
            if c == '\0' {
                continue; // cannot be in the environment: see the `Shell` trait
            }
            if c.is_control() {
                if in_quotes {
                    quoted.push('\'');
                    in_quotes = false;
                }
                match c {
                    '\n' => quoted.push_str("\\n"),
                    '\t' => quoted.push_str("\\t"),
                    '\r' => quoted.push_str("\\r"),
                    // Two digits always, and the next part starts with a quote, so
                    // no following character is read as part of the escape.
                    c if c.is_ascii() => quoted.push_str(&format!("\\x{:02x}", u32::from(c))),
                    // C1 controls (U+0080–U+009F): the character, escaped, so no
                    // raw one reaches a terminal that shows the code.
                    c => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
                }
                continue;
            }
            if !in_quotes {
                quoted.push('\'');
                in_quotes = true;
            }
            if c == '\\' || c == '\'' {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        if in_quotes {
            quoted.push('\'');
        } else if quoted.is_empty() {
            quoted.push_str("''");
        }
        quoted
    }

    fn runs_idle_check(&self) -> bool {
        true
    }

    /// fish has no clock builtin (fish 3.6), but `path mtime --relative`
    /// (fish >= 3.5) gives a file's age in whole seconds: the stamp's age
    /// stands in for the time. `test -nt` compares nanoseconds where the file
    /// system keeps them, is false on equal times (the stamp is backdated, so
    /// equal means "before ssoenv looked") and false for a missing file, so
    /// each `unchanged` path is first tested with `-e`. The agent's liveness
    /// is a path that goes with it (`/proc/PID/exe`) where the system has
    /// one (fish has no `kill` builtin); elsewhere endpoint mode starts
    /// ssoenv at every prompt.
    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        let agent_path = match check.agent_pid {
            Some(pid) => match crate::platform::process_path(pid) {
                Some(dir) => Some(dir),
                None => return,
            },
            None => None,
        };
        let q = |value: &str| self.quote(value);
        let stamp = q(&check.stamp);
        line(out, format_args!("function {FUNCTION}"));
        line(
            out,
            format_args!("    test \"$PWD\" = {}; or return 1", q(&check.pwd)),
        );
        if check.prompt_deadline.is_some() || check.command_deadline.is_some() {
            line(
                out,
                format_args!("    set -l age (path mtime --relative -- {stamp}); or return 1"),
            );
            let before = |deadline: Option<u64>| match deadline {
                Some(at) => format!("test \"$age\" -lt {}; or return 1", check.age_at(at)),
                None => "true".to_owned(),
            };
            line(
                out,
                format_args!(
                    "    if test \"$argv[1]\" = command; {}; else; {}; end",
                    before(check.command_deadline),
                    before(check.prompt_deadline)
                ),
            );
        }
        for path in &check.not_files {
            line(out, format_args!("    test -f {}; and return 1", q(path)));
        }
        for path in &check.not_newer {
            line(
                out,
                format_args!("    not test {} -nt {stamp}; or return 1", q(path)),
            );
        }
        for path in &check.unchanged {
            let path = q(path);
            line(
                out,
                format_args!("    test -e {path}; and not test {path} -nt {stamp}; or return 1"),
            );
        }
        for path in &check.absent {
            line(out, format_args!("    test -e {}; and return 1", q(path)));
        }
        if let Some((exe, reference)) = &check.exe {
            let (exe, reference) = (q(exe), q(reference));
            line(
                out,
                format_args!("    not test {exe} -nt {reference}; or return 1"),
            );
        }
        match &check.state {
            Some(state) => line(
                out,
                format_args!(
                    "    set -q SSOENV_STATE; and test \"$SSOENV_STATE\" = {}; or return 1",
                    q(state)
                ),
            ),
            None => line(out, format_args!("    set -q SSOENV_STATE; and return 1")),
        }
        for (name, value) in &check.vars {
            match value {
                Some(value) => line(
                    out,
                    format_args!(
                        "    set -q {name}; and test \"${name}\" = {}; or return 1",
                        q(value)
                    ),
                ),
                None => line(out, format_args!("    set -q {name}; and return 1")),
            }
        }
        if let Some(path) = agent_path {
            line(out, format_args!("    test -e {}; or return 1", q(&path)));
        }
        line(out, format_args!("    return 0"));
        line(out, format_args!("end"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("", "''"),
            ("abc", "'abc'"),
            ("C:\\", "'C:\\\\'"),
            ("a\\\\b", "'a\\\\\\\\b'"),
            ("it's", "'it\\'s'"),
            ("a\nb", "'a'\\n'b'"),
            ("\n", "\\n"),
            ("\x01\x7f", "\\x01\\x7f"),
            ("(id) $HOME", "'(id) $HOME'"),
            ("日本’", "'日本’'"),
            ("\0", "''"),
            ("a\u{85}", "'a'\\u0085"),
            ("\u{a0}", "'\u{a0}'"),
        ];
        for (value, expected) in cases {
            assert_eq!(Fish.quote(value), expected, "{value:?}");
        }
    }
}
