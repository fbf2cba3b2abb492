//! bash: `$'…'` quoting, and the statements zsh shares with it.
//!
//! Every command is written as `\builtin …`: the code is evaluated in the
//! user's interactive shell, where an alias or function named `export` or
//! `unset` would otherwise run instead.

use super::{EnvName, IdleCheck, Shell, idle_check::FUNCTION, line, render};

pub struct Bash;

impl Shell for Bash {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.bash"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        set(out, name, value);
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        unset(out, name);
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        // `${NAME+set}` tests "is set" without tripping `set -u`. `export -n`
        // keeps the copy private even under `set -a` (allexport).
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if [[ -n ${{{name}+set}} ]]; then {saved}=${{{name}}}; \\builtin export -n {saved}; \
                 else \\builtin unset -v {saved}; fi"
            ),
        );
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        restore(out, name);
    }

    fn quote(&self, value: &str) -> String {
        quote(value)
    }

    fn runs_idle_check(&self) -> bool {
        true
    }

    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        idle_check(out, check, Clock::Bash);
    }
}

/// Where bash and zsh read the time without starting a process.
#[derive(Clone, Copy)]
pub(super) enum Clock {
    /// `EPOCHSECONDS` (bash >= 5.0), else `printf '%(%s)T'` (bash >= 4.2);
    /// an older bash fails the check and starts ssoenv, as it always did.
    Bash,
    /// `EPOCHSECONDS`, from the `zsh/datetime` module the hook loads.
    Zsh,
}

/// The idle check for bash and zsh: `_ssoenv_unchanged prompt|command`
/// succeeds only while every fact holds. The file and variable facts go in
/// one `[[ … ]]`, each in its cheapest form (this runs at every prompt):
/// one test command costs the shell less than one per fact, the unset
/// variables are one test, and `SSOENV_STATE` is compared by length.
///
/// On equal times `-nt` is false, and the stamp is backdated so that equal
/// means "written before ssoenv looked"; `-nt` is also false for a missing
/// file, so a watched file is first tested with `-e` (a removed
/// `.awssso.toml` shows in its directory's time instead). Both shells
/// compare nanoseconds where the file system keeps them.
pub(super) fn idle_check(out: &mut String, check: &IdleCheck, clock: Clock) {
    line(out, format_args!("{FUNCTION}() {{"));
    line(
        out,
        format_args!(
            "\t[[ ${{PWD-}} == {} ]] || \\builtin return 1",
            quote(&check.pwd)
        ),
    );
    if check.prompt_deadline.is_some() || check.command_deadline.is_some() {
        line(
            out,
            format_args!("\t\\builtin local now=${{EPOCHSECONDS-}}"),
        );
        match clock {
            Clock::Bash => line(
                out,
                format_args!(
                    "\t[[ -n ${{now}} ]] || {{ \\builtin printf -v now '%(%s)T' -1 2>/dev/null \
                     && [[ ${{now}} =~ ^[0-9]+$ ]]; }} || \\builtin return 1"
                ),
            ),
            Clock::Zsh => line(
                out,
                format_args!("\t[[ -n ${{now}} ]] || \\builtin return 1"),
            ),
        }
        let before = |deadline: Option<u64>| match deadline {
            Some(at) => format!("((now < {at}))"),
            None => "true".to_owned(),
        };
        line(
            out,
            format_args!(
                "\tif [[ ${{1-}} == command ]]; then {} || \\builtin return 1; \
                 else {} || \\builtin return 1; fi",
                before(check.command_deadline),
                before(check.prompt_deadline),
            ),
        );
    }
    let stamp = quote(&check.stamp);
    let mut facts: Vec<String> = Vec::new();
    facts.extend(
        check
            .not_files
            .iter()
            .map(|path| format!("! -f {}", quote(path))),
    );
    facts.extend(
        check
            .not_newer
            .iter()
            .map(|path| format!("! {} -nt {stamp}", quote(path))),
    );
    facts.extend(check.unchanged.iter().map(|path| {
        let path = quote(path);
        format!("-e {path} && ! {path} -nt {stamp}")
    }));
    facts.extend(
        check
            .absent
            .iter()
            .map(|path| format!("! -e {}", quote(path))),
    );
    if let Some((exe, reference)) = &check.exe {
        facts.push(format!("! {} -nt {}", quote(exe), quote(reference)));
    }
    facts.push(match &check.state {
        Some(state) if state.is_ascii() => {
            format!(
                "-n ${{SSOENV_STATE+1}} && ${{#SSOENV_STATE}} -eq {}",
                state.len()
            )
        }
        Some(state) => format!("${{SSOENV_STATE-}} == {}", quote(state)),
        None => "-z ${SSOENV_STATE+1}".to_owned(),
    });
    let unset: String = check
        .vars
        .iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| format!("${{{name}+1}}"))
        .collect();
    if !unset.is_empty() {
        facts.push(format!("-z {unset}"));
    }
    for (name, value) in &check.vars {
        match value.as_deref() {
            Some("") => facts.push(format!("-n ${{{name}+1}} && -z ${{{name}}}")),
            Some(value) => facts.push(format!("${{{name}-}} == {}", quote(value))),
            None => {}
        }
    }
    line(
        out,
        format_args!("\t[[ {} ]] || \\builtin return 1", facts.join(" && ")),
    );
    // The agent: its path where the system has one (`kill -0` takes a
    // process that exited but was not yet reaped for alive), else a signal.
    if let Some(pid) = check.agent_pid {
        match crate::platform::process_path(pid) {
            Some(path) => line(
                out,
                format_args!("\t[[ -e {} ]] || \\builtin return 1", quote(&path)),
            ),
            None => line(
                out,
                format_args!("\t\\builtin kill -0 {pid} 2>/dev/null || \\builtin return 1"),
            ),
        }
    }
    line(out, format_args!("}}"));
}

pub(super) fn set(out: &mut String, name: &EnvName, value: &str) {
    line(
        out,
        format_args!("\\builtin export {name}={}", quote(value)),
    );
}

pub(super) fn unset(out: &mut String, name: &EnvName) {
    line(out, format_args!("\\builtin unset -v {name}"));
}

pub(super) fn restore(out: &mut String, name: &EnvName) {
    let saved = name.saved();
    line(
        out,
        format_args!(
            "if [[ -n ${{{saved}+set}} ]]; then \\builtin export {name}=\"${{{saved}}}\"; \
             \\builtin unset -v {saved}; else \\builtin unset -v {name}; fi"
        ),
    );
}

/// Quotes for bash and zsh, byte-exact.
///
/// Words made only of characters that no expansion touches stay bare (paths,
/// regions, key ids read better that way); everything else becomes `$'…'`,
/// where `\` and `'` are escaped and control characters are written as
/// escapes (C0, DEL and C1 alike), so the code stays on one line and no
/// terminal sees a raw control character. Other characters, non-ASCII
/// included, pass through: inside `$'…'` only a backslash is special, and
/// UTF-8 never uses the byte of `\` or `'` inside a multi-byte character. `=` and `~` are not bare-safe because zsh expands
/// them at the start of a word.
pub(super) fn quote(value: &str) -> String {
    let bare_safe = |c: char| c.is_ascii_alphanumeric() || "_-./:,+@".contains(c);
    if !value.is_empty() && value.chars().all(bare_safe) {
        return value.to_owned();
    }
    let mut quoted = String::with_capacity(value.len() + 3);
    quoted.push_str("$'");
    for c in value.chars() {
        match c {
            '\0' => {} // cannot be in the environment: see the `Shell` trait
            '\\' => quoted.push_str("\\\\"),
            '\'' => quoted.push_str("\\'"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            // Always two hex digits: `\xH` followed by a hex digit would read as `\xHH`.
            // C1 controls (U+0080–U+009F) too, as their UTF-8 bytes: a raw one
            // can drive a terminal that shows the code, and bytes are exact in
            // any locale, where bash's `\u` depends on it.
            c if c.is_control() => {
                let mut utf8 = [0; 4];
                for byte in c.encode_utf8(&mut utf8).bytes() {
                    quoted.push_str(&format!("\\x{byte:02x}"));
                }
            }
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("", "$''"),
            ("us-east-1", "us-east-1"),
            ("/opt/ssoenv/bin/ssoenv", "/opt/ssoenv/bin/ssoenv"),
            ("a b", "$'a b'"),
            ("it's", "$'it\\'s'"),
            ("C:\\", "$'C:\\\\'"),
            ("$(id)", "$'$(id)'"),
            ("a\nb\r\t\x1b\x7f", "$'a\\nb\\r\\t\\x1b\\x7f'"),
            ("=x", "$'=x'"),
            ("~", "$'~'"),
            ("日本’", "$'日本’'"),
            ("a\0b", "$'ab'"),
            ("\u{85}x\u{9b}", "$'\\xc2\\x85x\\xc2\\x9b'"),
            ("\u{a0}", "$'\u{a0}'"),
        ];
        for (value, expected) in cases {
            assert_eq!(quote(value), expected, "{value:?}");
        }
    }

    #[test]
    fn statements() {
        let name = EnvName::new("AWS_REGION").unwrap();
        let mut out = String::new();
        Bash.set(&mut out, &name, "eu west");
        Bash.unset(&mut out, &name);
        assert_eq!(
            out,
            "\\builtin export AWS_REGION=$'eu west'\n\\builtin unset -v AWS_REGION\n"
        );
    }
}
