//! PowerShell: single-quoted strings with every kind of single quote doubled.
//!
//! Cmdlets are module-qualified (`Microsoft.PowerShell.Management\Remove-Item`)
//! because PowerShell resolves aliases, then functions, before cmdlets: a
//! user's `Remove-Item` function would otherwise run instead.

use super::{EnvName, Shell, line, render};

pub struct Pwsh;

/// Characters PowerShell's tokenizer reads as a single quote: `'` and U+2018–U+201B.
/// Inside a single-quoted string any of them must be doubled to stay literal.
const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

impl Shell for Pwsh {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.ps1"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        line(out, format_args!("$env:{name} = {}", self.quote(value)));
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("{}", remove_env(name)));
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        // Evaluated inside the hook's module, so `$script:` is the module's scope.
        // An unset variable saves $null, which `restore` turns back into "unset".
        // The .NET call cannot be shadowed and does not trip Set-StrictMode.
        let saved = name.saved();
        line(
            out,
            format_args!(
                "$script:{saved} = [System.Environment]::GetEnvironmentVariable('{name}')"
            ),
        );
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        // Get-Variable with -ErrorAction Ignore reads a copy that may not exist
        // without failing under Set-StrictMode (a nested shell has none).
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if ($null -ne (Microsoft.PowerShell.Utility\\Get-Variable -Scope Script \
                 -Name {saved} -ValueOnly -ErrorAction Ignore)) {{ $env:{name} = $script:{saved} }} \
                 else {{ {} }}",
                remove_env(name)
            ),
        );
        line(
            out,
            format_args!(
                "Microsoft.PowerShell.Utility\\Remove-Variable -Scope Script -Name {saved} \
                 -ErrorAction Ignore"
            ),
        );
    }

    /// A single-quoted string, where nothing expands and only single-quote
    /// characters need doubling. Control characters are instead written as
    /// `[char]0xHH` and joined with `+` into one parenthesised expression:
    /// PowerShell reads a native command's output line by line, so a CR or LF
    /// inside a string literal would come back as the platform's newline.
    fn quote(&self, value: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut literal = String::new();
        for c in value.chars() {
            if c == '\0' {
                continue; // cannot be in the environment: see the `Shell` trait
            }
            // C0, DEL and C1 (U+0080–U+009F): never raw in the code.
            if c.is_control() {
                // The first operand must be a string, or `+` would add char codes.
                if !literal.is_empty() || parts.is_empty() {
                    parts.push(single_quoted(&literal));
                    literal.clear();
                }
                parts.push(format!("[char]0x{:02X}", u32::from(c)));
            } else {
                literal.push(c);
            }
        }
        if parts.is_empty() {
            return single_quoted(&literal);
        }
        if !literal.is_empty() {
            parts.push(single_quoted(&literal));
        }
        format!("({})", parts.join(" + "))
    }
}

fn single_quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('\'');
    for c in text.chars() {
        if SINGLE_QUOTES.contains(&c) {
            quoted.push(c);
        }
        quoted.push(c);
    }
    quoted.push('\'');
    quoted
}

/// Removing the item is what unsets a variable; it may already be gone.
fn remove_env(name: &EnvName) -> String {
    format!(
        "Microsoft.PowerShell.Management\\Remove-Item -LiteralPath Env:{name} -ErrorAction Ignore"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("", "''"),
            ("abc", "'abc'"),
            ("C:\\", "'C:\\'"),
            ("it's", "'it''s'"),
            (
                "\u{2018}\u{2019}\u{201A}\u{201B}",
                "'\u{2018}\u{2018}\u{2019}\u{2019}\u{201A}\u{201A}\u{201B}\u{201B}'",
            ),
            ("$(id) `n \"x\"", "'$(id) `n \"x\"'"),
            ("a\nb", "('a' + [char]0x0A + 'b')"),
            ("\r\n", "('' + [char]0x0D + [char]0x0A)"),
            ("\u{9b}", "('' + [char]0x9B)"),
            ("a\0b", "'ab'"),
        ];
        for (value, expected) in cases {
            assert_eq!(Pwsh.quote(value), expected, "{value:?}");
        }
    }
}
