//! PowerShell: single-quoted strings with every kind of single quote doubled.
//!
//! Cmdlets are module-qualified (`Microsoft.PowerShell.Management\Remove-Item`)
//! because PowerShell resolves aliases, then functions, before cmdlets: a
//! user's `Remove-Item` function would otherwise run instead.

use super::{EnvName, IdleCheck, Shell, line, render};

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

    fn runs_idle_check(&self) -> bool {
        true
    }

    /// A script block in the module's `$script:_ssoenv_unchanged`, which
    /// the prompt calls with `prompt` (PowerShell has no event before a
    /// command line). Only .NET calls, which no alias or function can
    /// shadow and Windows PowerShell 5.1 has: `DateTime.UtcNow.Ticks` for
    /// the clock, `File.Exists`, `Directory.Exists`,
    /// `File.GetLastWriteTimeUtc` (100 ns ticks, through symbolic links),
    /// `Environment.GetEnvironmentVariable` (`$null`: unset; compared with
    /// `-cne`, case and all), and `Process.GetProcessById`, which throws
    /// once the agent has exited. The directory is the current file-system
    /// location, which the hook passes to ssoenv as `PWD`.
    ///
    /// On equal times "newer" (`-gt`) is false, and the stamp is backdated
    /// so that equal means "written before ssoenv looked". For a missing
    /// file `GetLastWriteTimeUtc` gives the year 1601, never newer: a
    /// removed `.awssso.toml` shows in its directory's time, and a watched
    /// file is first tested for existence.
    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        let q = |value: &str| self.quote(value);
        let time = |path: &str| format!("[System.IO.File]::GetLastWriteTimeUtc({}).Ticks", q(path));
        let exists = |path: &str| {
            format!(
                "([System.IO.File]::Exists({path}) -or [System.IO.Directory]::Exists({path}))",
                path = q(path)
            )
        };
        let fail = |condition: String| format!("    if ({condition}) {{ return $false }}");
        let stamp = ticks(check.stamp_time);
        line(out, format_args!("$script:{SCRIPT_BLOCK} = {{"));
        line(out, format_args!("    param([string]$Moment)"));
        line(
            out,
            format_args!(
                "{}",
                fail(format!(
                    "$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath -cne {}",
                    q(&check.pwd)
                ))
            ),
        );
        if check.prompt_deadline.is_some() || check.command_deadline.is_some() {
            line(
                out,
                format_args!("    $now = [System.DateTime]::UtcNow.Ticks"),
            );
            let due = |deadline: Option<u64>| match deadline {
                Some(at) => format!("$now -ge {}", ticks(at)),
                None => "$false".to_owned(),
            };
            line(
                out,
                format_args!(
                    "{}",
                    fail(format!(
                        "($Moment -ceq 'command' -and ({})) -or ($Moment -cne 'command' -and ({}))",
                        due(check.command_deadline),
                        due(check.prompt_deadline)
                    ))
                ),
            );
        }
        for path in &check.not_files {
            line(
                out,
                format_args!("{}", fail(format!("[System.IO.File]::Exists({})", q(path)))),
            );
        }
        for path in &check.not_newer {
            line(
                out,
                format_args!("{}", fail(format!("{} -gt {stamp}", time(path)))),
            );
        }
        for path in &check.unchanged {
            line(
                out,
                format_args!(
                    "{}",
                    fail(format!(
                        "-not {} -or {} -gt {stamp}",
                        exists(path),
                        time(path)
                    ))
                ),
            );
        }
        for path in &check.absent {
            line(out, format_args!("{}", fail(exists(path))));
        }
        if let Some((exe, reference)) = &check.exe {
            line(
                out,
                format_args!("{}", fail(format!("{} -gt {}", time(exe), time(reference)))),
            );
        }
        let state = EnvName::new("SSOENV_STATE").ok();
        let vars = state
            .iter()
            .map(|name| (name, &check.state))
            .chain(check.vars.iter().map(|(name, value)| (name, value)));
        for (name, value) in vars {
            let read = format!("[System.Environment]::GetEnvironmentVariable('{name}')");
            let condition = match value {
                Some(value) => format!("{read} -cne {}", q(value)),
                None => format!("$null -ne {read}"),
            };
            line(out, format_args!("{}", fail(condition)));
        }
        if let Some(pid) = check.agent_pid {
            line(
                out,
                format_args!(
                    "    try {{ [System.Diagnostics.Process]::GetProcessById({pid}).Dispose() }} \
                     catch {{ return $false }}"
                ),
            );
        }
        line(out, format_args!("    $true"));
        line(out, format_args!("}}"));
    }
}

/// The module variable that holds the idle check's script block (a variable,
/// not a function: a dynamic module exports its functions).
const SCRIPT_BLOCK: &str = "_ssoenv_unchanged";

/// `DateTime` ticks (100 ns since 0001-01-01) of a time in seconds since the
/// epoch: what `UtcNow.Ticks` and `GetLastWriteTimeUtc(…).Ticks` give, in
/// every .NET that Windows PowerShell 5.1 runs on.
fn ticks(epoch_secs: u64) -> u64 {
    const EPOCH_TICKS: u64 = 621_355_968_000_000_000;
    EPOCH_TICKS.saturating_add(epoch_secs.saturating_mul(10_000_000))
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
