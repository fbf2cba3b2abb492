//! tcsh: single quotes, with `!` and `'` written outside them, and one
//! statement per `;`. Renewal at the prompt and after `cd` only: tcsh has no
//! pre-command event that may evaluate code (see `shell/hook.tcsh`).
//!
//! The hook evaluates ``eval "`ssoenv export tcsh`"``, which joins the
//! printed lines into one command line: every statement ends with `;`. An
//! interactive tcsh applies history substitution to that line, inside single
//! quotes too, so every `!` is written as `\!` outside the quotes.
//!
//! tcsh has no way to write a control character (a newline, a tab, an
//! escape) in a quoted word without a raw one, and a raw newline would end
//! the command line: such values are refused ([`Shell::refuses`]), and
//! nothing is exported for the target.
//!
//! Saved values are shell variables (`__ssoenv_saved_NAME`), which tcsh
//! never exports.

use super::{EnvName, Shell, line, render};

pub struct Tcsh;

impl Shell for Tcsh {
    /// The template without its comment lines: joined into one command line
    /// by `eval "`…`"`, a `#` would comment out everything after it. The
    /// path is quoted twice: the alias that calls it must hold its quoted
    /// text, which tcsh reads again where the alias is used.
    fn hook(&self, exe: &str) -> String {
        let template: String = include_str!("../../shell/hook.tcsh")
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| format!("{line}\n"))
            .collect();
        render(&template, &self.quote(&self.quote(exe)))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        line(out, format_args!("setenv {name} {};", self.quote(value)));
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("unsetenv {name};"));
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        // csh substitutes the whole line of a one-line `if` before it tests
        // the condition, so `$NAME` (undefined, or with a `)` in it) must
        // wait inside `eval '…'`. `:q` keeps the value one word, unexpanded.
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if ($?{name}) eval 'set {saved} = ${name}:q'; if (! $?{name}) unset {saved};"
            ),
        );
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if ($?{saved}) eval 'setenv {name} ${saved}:q'; if (! $?{saved}) unsetenv {name}; unset {saved};"
            ),
        );
    }

    /// Runs of other characters in single quotes; `'` as `\'` and `!` as
    /// `\!` between them. Control characters cannot be written (see the
    /// module docs): [`Tcsh::refuses`] keeps them from reaching here, and
    /// they are dropped should they arrive anyway.
    fn quote(&self, value: &str) -> String {
        let mut quoted = String::with_capacity(value.len() + 2);
        let mut in_quotes = false;
        for c in value.chars() {
            if c.is_control() {
                continue;
            }
            if c == '\'' || c == '!' {
                if in_quotes {
                    quoted.push('\'');
                    in_quotes = false;
                }
                quoted.push('\\');
                quoted.push(c);
                continue;
            }
            if !in_quotes {
                quoted.push('\'');
                in_quotes = true;
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

    fn refuses(&self, value: &str) -> Option<&'static str> {
        value
            .chars()
            .any(|c| c.is_control() && c != '\0')
            .then_some("a control character (a newline, a tab, an escape), which tcsh cannot write in a quoted word")
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
            ("it's", "'it'\\''s'"),
            ("a!b", "'a'\\!'b'"),
            ("!", "\\!"),
            ("'", "\\'"),
            ("$HOME `id` \"q\" \\ ~ *", "'$HOME `id` \"q\" \\ ~ *'"),
            ("日本’", "'日本’'"),
        ];
        for (value, expected) in cases {
            assert_eq!(Tcsh.quote(value), expected, "{value:?}");
            assert_eq!(Tcsh.refuses(value), None, "{value:?}");
        }
        for refused in ["a\nb", "\t", "\x1b[31m", "\x7f", "a\u{85}"] {
            assert!(Tcsh.refuses(refused).is_some(), "{refused:?}");
        }
        assert_eq!(
            Tcsh.refuses("nul\0"),
            None,
            "NUL is dropped, as in every shell"
        );
    }
}
