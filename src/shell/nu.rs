//! Nushell: data, not code. Nushell cannot evaluate generated code, so
//! `ssoenv export nu` prints one NUON record per line, which the hook
//! (`shell/hook.nu`) reads with `from nuon` (it evaluates nothing) and
//! applies: `{op: set, name: NAME, value: "…"}`, and `save`, `restore` and
//! `unset` records without a value. The user's previous values live in
//! `$env.__ssoenv_saved`, a record, which Nushell never passes to other
//! programs, so a nested Nushell starts with none, as the `Shell` trait asks.
//!
//! The idle check is data too: one `set` of `__ssoenv_idle` whose value is
//! a record of the facts (see [`IdleCheck`]), which the hook keeps in
//! `$env.__ssoenv_idle` and compares with Nushell's own commands. A `set`
//! because a hook from before the idle check (in a shell started before an
//! upgrade) then stores a record it never reads, rather than failing on an
//! operation it does not know and applying nothing.

use super::{EnvName, IdleCheck, Shell, double_quoted_with, line, render};

pub struct Nu;

impl Shell for Nu {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.nu"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        line(
            out,
            format_args!("{{op: set, name: {name}, value: {}}}", self.quote(value)),
        );
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("{{op: unset, name: {name}}}"));
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("{{op: save, name: {name}}}"));
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("{{op: restore, name: {name}}}"));
    }

    /// A double-quoted Nushell string, which expands nothing (only `$"…"`
    /// interpolates): `\\` and `"` escaped, newline, tab and carriage
    /// return as `\n`, `\t`, `\r`, every other control character as
    /// `\u{…}`, NUL dropped (see the trait), everything else as it is.
    fn quote(&self, value: &str) -> String {
        double_quoted_with(value, |c| format!("\\u{{{:x}}}", u32::from(c)))
    }

    fn runs_idle_check(&self) -> bool {
        true
    }

    /// `{op: set, name: __ssoenv_idle, value: {…}}` on one line: the paths as lists of strings, the
    /// times in seconds since the epoch (`null`: none), `vars` a record of
    /// the values the variables must still have (`SSOENV_STATE` among
    /// them; `null`: unset), `process` a path that exists while the agent
    /// runs. The hook turns the times into dates once, when it stores the record.
    /// Nothing in endpoint mode where no path tells that the agent runs.
    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        let process = match check.agent_pid {
            Some(pid) => match crate::platform::process_path(pid) {
                Some(dir) => Some(dir),
                None => return,
            },
            None => None,
        };
        let q = |value: &str| self.quote(value);
        let list = |paths: &[String]| {
            let quoted: Vec<String> = paths.iter().map(|path| q(path)).collect();
            format!("[{}]", quoted.join(", "))
        };
        let or_null = |value: Option<String>| value.unwrap_or_else(|| "null".to_owned());
        let time = |at: Option<u64>| or_null(at.map(|at| at.to_string()));
        let state = EnvName::new("SSOENV_STATE").ok();
        let vars: Vec<String> = state
            .iter()
            .map(|name| (name, &check.state))
            .chain(check.vars.iter().map(|(name, value)| (name, value)))
            .map(|(name, value)| {
                format!("{}: {}", q(name.as_str()), or_null(value.as_deref().map(q)))
            })
            .collect();
        let (exe, exe_reference) = match &check.exe {
            Some((exe, reference)) => (Some(q(exe)), Some(q(reference))),
            None => (None, None),
        };
        line(
            out,
            format_args!(
                "{{op: set, name: {IDLE_VAR}, value: {{pwd: {}, not_files: {}, not_newer: {}, unchanged: {}, absent: {}, \
                 stamp: {}, stamp_time: {}, prompt_deadline: {}, command_deadline: {}, \
                 vars: {{{}}}, process: {}, exe: {}, exe_reference: {}}}}}",
                q(&check.pwd),
                list(&check.not_files),
                list(&check.not_newer),
                list(&check.unchanged),
                list(&check.absent),
                q(&check.stamp),
                check.stamp_time,
                time(check.prompt_deadline),
                time(check.command_deadline),
                vars.join(", "),
                or_null(process.as_deref().map(q)),
                or_null(exe),
                or_null(exe_reference),
            ),
        );
    }
}

/// The variable that holds the idle check: a record, which Nushell passes
/// to no program.
const IDLE_VAR: &str = "__ssoenv_idle";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("", r#""""#),
            ("abc", r#""abc""#),
            ("C:\\", r#""C:\\""#),
            ("say \"hi\" it's", r#""say \"hi\" it's""#),
            ("$HOME $(ls) (ls) {a} #c", r#""$HOME $(ls) (ls) {a} #c""#),
            ("a\nb\t\r", r#""a\nb\t\r""#),
            ("\x01\x1b\x7f\u{85}", r#""\u{1}\u{1b}\u{7f}\u{85}""#),
            ("\0", r#""""#),
            ("日本’", "\"日本’\""),
        ];
        for (value, expected) in cases {
            assert_eq!(Nu.quote(value), expected, "{value:?}");
        }
    }

    #[test]
    fn records_are_one_line_each() {
        let name = EnvName::new("AWS_REGION").unwrap();
        let mut out = String::new();
        Nu.save(&mut out, &name);
        Nu.set(&mut out, &name, "eu-west-1\n");
        Nu.restore(&mut out, &name);
        Nu.unset(&mut out, &name);
        assert_eq!(
            out,
            "{op: save, name: AWS_REGION}\n\
             {op: set, name: AWS_REGION, value: \"eu-west-1\\n\"}\n\
             {op: restore, name: AWS_REGION}\n\
             {op: unset, name: AWS_REGION}\n"
        );
    }
}
