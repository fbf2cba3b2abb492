//! fish: its own quoting (POSIX single quotes are wrong for fish) and `set` scopes.
//!
//! Variables are set and erased in the global scope only: without a scope,
//! `set -e` would erase a universal variable, which fish persists to disk for
//! every session of the user.

use super::{EnvName, Shell, line, render};

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
