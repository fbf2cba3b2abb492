//! Elvish: double-quoted strings (which never interpolate in Elvish) and the
//! environment builtins.
//!
//! The hook evaluates this code in a namespace of its own that lives as long
//! as the shell (`shell/hook.elv`), so the user's previous values are kept in
//! a map variable there, `$__ssoenv-saved`: Elvish variables are never
//! exported, and a nested shell starts with an empty map, as the `Shell`
//! trait asks.

use super::{EnvName, Shell, double_quoted, line, render};

pub struct Elvish;

/// The map of saved values in the hook's namespace.
const SAVED: &str = "__ssoenv-saved";

impl Shell for Elvish {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.elv"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        line(out, format_args!("set-env {name} {}", self.quote(value)));
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("unset-env {name}"));
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        // Names are [A-Z_][A-Z0-9_]*: a bare word is the string key.
        line(
            out,
            format_args!(
                "if (has-env {name}) {{ set {SAVED}[{name}] = (get-env {name}) }} \
                 else {{ set {SAVED} = (dissoc ${SAVED} {name}) }}"
            ),
        );
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        line(
            out,
            format_args!(
                "if (has-key ${SAVED} {name}) {{ set-env {name} ${SAVED}[{name}]; \
                 set {SAVED} = (dissoc ${SAVED} {name}) }} else {{ unset-env {name} }}"
            ),
        );
    }

    /// Always double-quoted: inside, Elvish expands nothing (no `$`, no
    /// command substitution) and knows C-style escapes, so `\` and `"` are
    /// escaped and control characters written as escapes, keeping the code on
    /// one line with no raw control character in it.
    fn quote(&self, value: &str) -> String {
        double_quoted(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("", r#""""#),
            ("abc", r#""abc""#),
            ("C:\\", r#""C:\\""#),
            ("say \"hi\"", r#""say \"hi\"""#),
            ("it's $HOME (id)", r#""it's $HOME (id)""#),
            ("a\nb\t", r#""a\nb\t""#),
            ("\x01\x7f", r#""\x01\x7f""#),
            ("\0", r#""""#),
            ("a\u{85}", r#""a\u0085""#),
            ("日本’", "\"日本’\""),
        ];
        for (value, expected) in cases {
            assert_eq!(Elvish.quote(value), expected, "{value:?}");
        }
    }
}
