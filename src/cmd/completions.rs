//! `ssoenv completions <shell>`, and the man page: both generated from the
//! clap types, both committed (`completions/`, `man/`) and checked for drift
//! by `tests/completions.rs`.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Run;
use crate::cli::{Cli, CompletionShell, Completions};
use crate::error::Result;

impl Run for Completions {
    fn run(&self) -> Result<ExitCode> {
        let mut out = std::io::stdout().lock();
        out.write_all(&completion_script(self.shell))?;
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}

/// The completion script for `shell`.
pub fn completion_script(shell: CompletionShell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    let name = "ssoenv";
    match shell {
        CompletionShell::Bash => clap_complete::generate(Shell::Bash, &mut command, name, &mut out),
        CompletionShell::Zsh => clap_complete::generate(Shell::Zsh, &mut command, name, &mut out),
        CompletionShell::Fish => clap_complete::generate(Shell::Fish, &mut command, name, &mut out),
        CompletionShell::Powershell => {
            clap_complete::generate(Shell::PowerShell, &mut command, name, &mut out)
        }
        CompletionShell::Elvish => {
            clap_complete::generate(Shell::Elvish, &mut command, name, &mut out)
        }
        CompletionShell::Nushell => {
            clap_complete::generate(clap_complete_nushell::Nushell, &mut command, name, &mut out)
        }
    }
    offer_profile_names(shell, out)
}

/// How the scripts ask for the names `--profile` takes: the binary reads
/// the AWS config file as the AWS tools do, and a broken file completes
/// nothing instead of printing an error into the command line.
const PROFILE_NAMES: &str = "ssoenv profiles list 2>/dev/null";

/// clap's scripts complete `--profile` with file names, as they know no
/// better for a free-form value; in bash, zsh and fish this rewrites those
/// lines to offer the config file's profile names (`profiles sync` writes
/// hundreds). clap_complete's own dynamic completion would make every
/// completion a call into the binary; this makes only `--profile` one.
fn offer_profile_names(shell: CompletionShell, script: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(script).expect("clap writes UTF-8 scripts");
    let mut out = String::with_capacity(text.len() + 1024);
    let mut after_profile_case = false;
    for line in text.split_inclusive('\n') {
        let rewritten = match shell {
            CompletionShell::Bash if after_profile_case => line.replace(
                "COMPREPLY=($(compgen -f \"${cur}\"))",
                &format!("COMPREPLY=($(compgen -W \"$({PROFILE_NAMES})\" -- \"${{cur}}\"))"),
            ),
            CompletionShell::Zsh if line.starts_with("'--profile=[") => line.replacen(
                ":_default'",
                &format!(":{{compadd -- ${{(f)\"$({PROFILE_NAMES})\"}}}}'"),
                1,
            ),
            CompletionShell::Fish if line.contains(" -l profile ") => {
                line.replacen(" -r\n", &format!(" -r -f -a \"({PROFILE_NAMES})\"\n"), 1)
            }
            _ => line.to_owned(),
        };
        after_profile_case = line.trim() == "--profile)";
        out.push_str(&rewritten);
    }
    out.into_bytes()
}

/// Where the committed copy of each shell's script lives, under `completions/`.
pub fn completion_file_name(shell: CompletionShell) -> &'static str {
    match shell {
        CompletionShell::Bash => "ssoenv.bash",
        CompletionShell::Zsh => "_ssoenv",
        CompletionShell::Fish => "ssoenv.fish",
        CompletionShell::Powershell => "_ssoenv.ps1",
        CompletionShell::Elvish => "ssoenv.elv",
        CompletionShell::Nushell => "ssoenv.nu",
    }
}

/// `man/ssoenv.1`: the main page, then one section per command with its
/// synopsis and options, so `man ssoenv` answers every flag question.
pub fn man_page() -> Result<Vec<u8>> {
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("ssoenv {}", sub.get_name());
        let sub = sub.clone().bin_name(name.clone());
        let man = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        if sub
            .get_arguments()
            .any(|a| !a.is_hide_set() && !a.is_positional())
        {
            man.render_options_section(&mut section)?;
        }
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(out, "{}", roff_text(&about.to_string()))?;
        }
        out.extend(demoted(&section));
    }
    Ok(out)
}

/// Sections rendered for a command become subsections of its own section.
fn demoted(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::new();
    for line in text.lines() {
        match line.strip_prefix(".SH ") {
            Some(title) => {
                out.push_str(".SS ");
                out.push_str(title);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// Text safe on a roff line: no leading control character, backslashes doubled.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
