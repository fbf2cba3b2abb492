//! zsh: the same `$'…'` quoting and statements as bash, except the private copy.

use super::{EnvName, IdleCheck, Shell, bash, line, render};

pub struct Zsh;

impl Shell for Zsh {
    fn hook(&self, exe: &str) -> String {
        render(include_str!("../../shell/hook.zsh"), &self.quote(exe))
    }

    fn set(&self, out: &mut String, name: &EnvName, value: &str) {
        bash::set(out, name, value);
    }

    fn unset(&self, out: &mut String, name: &EnvName) {
        bash::unset(out, name);
    }

    fn save(&self, out: &mut String, name: &EnvName) {
        // The export code runs inside the hook function: `-g` keeps the copy
        // global instead of local to it. Under `setopt allexport` an assignment
        // exports even with `typeset +x name=value`, so `+x` comes as a second
        // statement. The value is double-quoted because `\builtin typeset`
        // parses its arguments as ordinary words, which SH_WORD_SPLIT would split.
        let saved = name.saved();
        line(
            out,
            format_args!(
                "if [[ -n ${{{name}+set}} ]]; then \\builtin typeset -g {saved}=\"${{{name}}}\"; \
                 \\builtin typeset -g +x {saved}; else \\builtin unset -v {saved}; fi"
            ),
        );
    }

    fn restore(&self, out: &mut String, name: &EnvName) {
        bash::restore(out, name);
    }

    fn quote(&self, value: &str) -> String {
        bash::quote(value)
    }

    fn runs_idle_check(&self) -> bool {
        true
    }

    fn idle_check(&self, out: &mut String, check: &IdleCheck) {
        bash::idle_check(out, check, bash::Clock::Zsh);
    }
}
