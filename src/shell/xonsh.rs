//! xonsh: one Python call per line, which the hook records and then applies.
//!
//! `shell/hook.xsh` runs what `ssoenv export xonsh` prints as Python with
//! nothing in scope but `save`, `set`, `restore` and `unset` (no builtins),
//! and applies the recorded calls only once all of them have been read. The
//! user's previous values live in a dict inside the hook that is never
//! exported, so a nested xonsh starts with none, as the `Shell` trait asks.
//! Values are Python string literals, in which nothing expands.

use super::{EnvName, IdleCheck, Shell, double_quoted, line, render};

pub struct Xonsh;

impl Shell for Xonsh {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.xsh"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        line(out, format_args!("set(\"{name}\", {})", self.quote(value)));
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("unset(\"{name}\")"));
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("save(\"{name}\")"));
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        line(out, format_args!("restore(\"{name}\")"));
    }

    /// A double-quoted Python string (see `double_quoted`): nothing inside
    /// a Python string literal expands.
    fn quote(&self, value: &str) -> String {
        double_quoted(value)
    }

    fn runs_idle_check(&self) -> bool {
        true
    }

    /// One `idle(...)` call with the facts as Python literals, which the
    /// hook keeps and checks in-process (`os.stat`, `time.time`, its
    /// environment) before it runs ssoenv. Python reads nanoseconds where
    /// the file system keeps them; equal times hold, and a missing file
    /// fails, where it must exist.
    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        let q = |value: &str| self.quote(value);
        let list = |paths: &[String]| {
            let items: Vec<String> = paths.iter().map(|path| q(path)).collect();
            format!("[{}]", items.join(", "))
        };
        let number = |n: Option<u64>| n.map_or_else(|| "None".to_owned(), |n| n.to_string());
        let text = |value: Option<&str>| value.map_or_else(|| "None".to_owned(), q);
        let vars: Vec<String> = check
            .vars
            .iter()
            .map(|(name, value)| format!("(\"{name}\", {})", text(value.as_deref())))
            .collect();
        let exe = check.exe.as_ref().map_or_else(
            || "None".to_owned(),
            |(exe, reference)| format!("({}, {})", q(exe), q(reference)),
        );
        line(
            out,
            format_args!(
                "idle(pwd={}, not_files={}, not_newer={}, unchanged={}, absent={}, stamp={}, \
                 prompt_deadline={}, command_deadline={}, state={}, vars=[{}], agent_pid={}, agent_path={}, exe={})",
                q(&check.pwd),
                list(&check.not_files),
                list(&check.not_newer),
                list(&check.unchanged),
                list(&check.absent),
                q(&check.stamp),
                number(check.prompt_deadline),
                number(check.command_deadline),
                text(check.state.as_deref()),
                vars.join(", "),
                number(check.agent_pid.map(u64::from)),
                text(
                    check
                        .agent_pid
                        .and_then(crate::platform::process_path)
                        .as_deref()
                ),
                exe,
            ),
        );
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
            ("say \"hi\" it's", r#""say \"hi\" it's""#),
            ("$HOME @(x) `ls` {a}", r#""$HOME @(x) `ls` {a}""#),
            ("a\nb\t", r#""a\nb\t""#),
            ("\x01\x7f\u{85}", r#""\x01\x7f\u0085""#),
            ("\0", r#""""#),
            ("日本’", "\"日本’\""),
        ];
        for (value, expected) in cases {
            assert_eq!(Xonsh.quote(value), expected, "{value:?}");
        }
    }
}
