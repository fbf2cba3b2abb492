//! The user guide (`docs/src/`) tells the truth: its examples are run or
//! checked here, as rustdoc runs the code blocks of API docs.
//!
//! - A ```` ```console ```` block is a session in the demo of `scripts/try`
//!   (a home signed in to the emulator, with the projects `billing`,
//!   `analytics`, `deploy` and `tools`): every `$ ` line runs in one bash
//!   per page, with the hook installed, and the prompt's hook runs after
//!   each line, as it does at a real prompt. What follows a command, up to
//!   the next one, is what the terminal must show (stdout and stderr, then
//!   what the prompt printed): `[..]` stands for any text within a line,
//!   and a line of `...` for any number of lines. A command ending in
//!   `<<'EOF'` takes the lines up to `EOF` as its here-document.
//! - Every other mention of an ssoenv command — in ```` ```sh ````,
//!   ```` ```text ```` and ```` ```powershell ```` blocks, and in inline
//!   code — is checked against the command line itself: the subcommand
//!   exists and so does every `--flag` it is given.
//! - Every relative link between pages leads to a page of the book.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use ssoenv::cli::Cli;
use support::harness;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One fenced block of a page.
#[derive(Debug)]
struct Block {
    info: String,
    /// Line number of the opening fence, for messages.
    line: usize,
    lines: Vec<String>,
}

/// One `$ ` command of a console block and the terminal text it must show.
#[derive(Debug)]
struct Step {
    command: String,
    expected: Vec<String>,
    line: usize,
}

fn pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let mut stack = vec![Path::new(ROOT).join("docs/src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("docs/src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    assert!(pages.len() >= 10, "docs/src has only {} pages", pages.len());
    pages
}

fn shown(page: &Path) -> String {
    page.strip_prefix(ROOT)
        .unwrap_or(page)
        .display()
        .to_string()
}

fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    // The block, and the indentation of its fence: a block inside a list
    // item is indented as the item is.
    let mut current: Option<(Block, usize)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            match current.take() {
                Some((block, _)) => blocks.push(block),
                None => {
                    let block = Block {
                        info: info.trim().to_owned(),
                        line: number + 1,
                        lines: Vec::new(),
                    };
                    current = Some((block, line.len() - trimmed.len()));
                }
            }
            continue;
        }
        if let Some((block, indent)) = current.as_mut() {
            let unindented = match line.get(..*indent) {
                Some(margin) if margin.trim().is_empty() => &line[*indent..],
                _ => trimmed,
            };
            block.lines.push(unindented.to_owned());
        }
    }
    assert!(current.is_none(), "a code fence is never closed");
    blocks
}

/// The steps of a console block.
fn steps(block: &Block) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = block.lines.iter().enumerate();
    while let Some((index, line)) = lines.next() {
        let Some(command) = line.strip_prefix("$ ") else {
            let step = steps.last_mut().unwrap_or_else(|| {
                panic!(
                    "line {}: a console block starts with a `$ ` command",
                    block.line + 1
                )
            });
            step.expected.push(line.trim_end().to_owned());
            continue;
        };
        let mut command = command.to_owned();
        // A here-document: its lines up to the terminator belong to the command.
        if let Some(tag) = heredoc_tag(&command) {
            for (_, body) in lines.by_ref() {
                command.push('\n');
                command.push_str(body);
                if *body == tag {
                    break;
                }
            }
        }
        steps.push(Step {
            command,
            expected: Vec::new(),
            line: block.line + index + 1,
        });
    }
    for step in &mut steps {
        while step.expected.last().is_some_and(String::is_empty) {
            step.expected.pop();
        }
    }
    steps
}

fn heredoc_tag(command: &str) -> Option<String> {
    let after = &command[command.find("<<")? + 2..];
    let tag = after.trim_start_matches('-').trim();
    let tag = tag.trim_matches(|c| c == '\'' || c == '"');
    (!tag.is_empty()).then(|| tag.to_owned())
}

/// Whether `actual` is what `expected` describes (`[..]`, `...`).
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, more)| line_matches(first, line) && matches(rest, more)),
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    let actual = actual.trim_end();
    let mut parts = expected.split("[..]");
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

const MARKER: &str = "::ssoenv-guide-step::";

/// Runs a page's console steps in the `scripts/try` demo and returns what
/// each printed.
fn run_session(page: &Path, steps: &[Step]) -> Vec<String> {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ssoenv"))
        .parent()
        .expect("the binary has a directory")
        .to_owned();
    assert!(
        bin_dir.join("sso-emulator").exists(),
        "{} is missing: build the emulator too (cargo build --workspace --bins; scripts/test does)",
        bin_dir.join("sso-emulator").display()
    );
    let mut script = String::from(
        "eval \"$(ssoenv hook bash)\"\n\
         _ssoenv_hook 2>/dev/null\n\
         guide_status=0\n",
    );
    for step in steps {
        script.push_str(&format!("printf '%s\\n' '{MARKER}'\n"));
        // `$?` in a command is the status of the one before, as at a prompt.
        script.push_str("(exit \"$guide_status\")\n");
        script.push_str(&format!("{{\n{}\n}} 2>&1\n", step.command));
        script.push_str("guide_status=$?\n_ssoenv_hook 2>&1\n");
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script_path = dir.path().join("session.bash");
    fs::write(&script_path, script).expect("write the session");
    let output = Command::new(Path::new(ROOT).join("scripts/try"))
        .args(["--", "bash", "--norc", "--noprofile"])
        .arg(&script_path)
        .env("SSOENV_TRY_BIN_DIR", &bin_dir)
        .env("TMPDIR", dir.path())
        .env("TZ", "UTC")
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR")
        // No terminal, as for a script: nothing stops to ask.
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run scripts/try");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut outputs: Vec<String> = text
        .split(&format!("{MARKER}\n"))
        .map(str::to_owned)
        .collect();
    let before = outputs.remove(0);
    assert!(
        outputs.len() == steps.len(),
        "{}: the session ended after {} of {} commands (exit {:?})\nbefore the first: {before}\nstderr: {}",
        shown(page),
        outputs.len(),
        steps.len(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    outputs
}

#[test]
fn console_examples_show_what_the_demo_shows() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).expect("a page is readable");
        let steps: Vec<Step> = blocks(&text)
            .iter()
            .filter(|block| block.info == "console")
            .flat_map(steps)
            .collect();
        if steps.is_empty() {
            continue;
        }
        if steps.iter().any(|step| step.command.starts_with("aws "))
            && harness::require_tool("aws").is_none()
        {
            continue;
        }
        let outputs = run_session(&page, &steps);
        for (step, output) in steps.iter().zip(&outputs) {
            ran += 1;
            let actual: Vec<&str> = output.lines().collect();
            if !matches(&step.expected, &actual) {
                failures.push(format!(
                    "{}:{}: `{}` shows\n{}\nwhere the guide says\n{}",
                    shown(&page),
                    step.line,
                    step.command,
                    indent(&actual.join("\n")),
                    indent(&step.expected.join("\n"))
                ));
            }
        }
    }
    assert!(ran >= 20, "only {ran} console commands in the guide");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    | {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `ssoenv …` invocation a page shows: in code blocks that are not
/// console sessions (those run) and in inline code.
fn invocations(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_block = false;
    let mut block_checked = false;
    let mut console = false;
    let mut info_is_text = false;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_block {
                in_block = false;
            } else {
                in_block = true;
                let info = info.trim();
                block_checked =
                    matches!(info, "sh" | "text" | "console" | "powershell" | "fish" | "");
                console = info == "console";
                info_is_text = info == "text";
            }
            continue;
        }
        let spans: Vec<&str> = if in_block {
            match (block_checked, console) {
                // In a session only the commands are commands: the rest is
                // what the terminal shows, ssoenv's messages included.
                (true, true) => trimmed.strip_prefix("$ ").into_iter().collect(),
                // A text block shows commands and what they print: its
                // commands are the lines that start with one.
                (true, false) if info_is_text => trimmed
                    .strip_prefix("$ ")
                    .or(trimmed.starts_with("ssoenv ").then_some(trimmed))
                    .into_iter()
                    .collect(),
                (true, false) => vec![line],
                (false, _) => Vec::new(),
            }
        } else {
            line.split('`').skip(1).step_by(2).collect()
        };
        for span in spans {
            let mut rest = span;
            while let Some(at) = rest.find("ssoenv ") {
                let before = rest[..at].chars().last();
                let after = &rest[at + "ssoenv ".len()..];
                rest = after;
                // A word of its own, not `ssoenv-core` or a path's tail.
                if before.is_some_and(|c| {
                    c.is_alphanumeric() || c == '-' || c == '_' || c == '/' || c == '.'
                }) {
                    continue;
                }
                // The invocation ends where the shell's syntax takes over.
                let own = after
                    .split([';', '|', '&', '>', '<', '#', ')', '`'])
                    .next()
                    .unwrap_or_default();
                let words: Vec<&str> = own.split_whitespace().collect();
                if words.first().is_some_and(|w| {
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_lowercase() || c == '-')
                }) {
                    found.push((number + 1, words.join(" ")));
                }
            }
        }
    }
    found
}

/// Checks `words` (what follows `ssoenv`) against clap: `None` when fine.
fn check_invocation(words: &str) -> Option<String> {
    let mut command = Cli::command();
    command.build();
    let mut current = &command;
    let mut words_iter = words.split_whitespace().peekable();
    // Subcommands, as deep as they go.
    while let Some(word) = words_iter.peek() {
        if word.starts_with('-') || current.get_subcommands().next().is_none() {
            break;
        }
        let word = word.trim_matches(|c: char| c == '"' || c == '\'' || c == ')' || c == '`');
        match current.find_subcommand(word) {
            Some(sub) => {
                current = sub;
                words_iter.next();
            }
            None if current.get_name() == "ssoenv" => {
                return Some(format!("`ssoenv {word}`: ssoenv has no command `{word}`"));
            }
            None => break,
        }
    }
    for word in words_iter {
        // What follows `--` is the command ssoenv runs, not ssoenv's.
        if word == "--" {
            break;
        }
        let Some(flag) = word.strip_prefix("--") else {
            continue;
        };
        let flag = flag
            .split(['=', '"', '\'', ')', '`', ',', '.'])
            .next()
            .unwrap_or_default();
        if flag.is_empty() {
            continue;
        }
        let known = flag == "help"
            || flag == "version"
            || current.get_arguments().any(|arg| {
                arg.get_long() == Some(flag)
                    || arg
                        .get_all_aliases()
                        .is_some_and(|aliases| aliases.contains(&flag))
            });
        if !known {
            return Some(format!(
                "`ssoenv {words}`: `{}` has no flag --{flag}",
                current.get_bin_name().unwrap_or(current.get_name())
            ));
        }
    }
    None
}

#[test]
fn every_command_the_guide_names_exists_with_its_flags() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).expect("a page is readable");
        for (line, words) in invocations(&text) {
            // `exec -- CMD` and `ssh HOST CMD`: the user's command is not ssoenv's.
            let own = words.split(" -- ").next().unwrap_or(&words);
            checked += 1;
            if let Some(problem) = check_invocation(own) {
                problems.push(format!("{}:{line}: {problem}", shown(&page)));
            }
        }
    }
    assert!(
        checked >= 50,
        "only {checked} ssoenv commands named in the guide"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_of_invocations_finds_a_wrong_command_or_flag() {
    assert_eq!(check_invocation("status --json"), None);
    assert_eq!(check_invocation("profiles sync --prune --dry-run"), None);
    assert_eq!(check_invocation("exec --min-ttl 30m"), None);
    assert!(check_invocation("stauts").is_some());
    assert!(check_invocation("status --jsn").is_some());
    assert!(check_invocation("profiles sync --purge").is_some());
    let found = invocations(
        "Run `ssoenv use --off`, not `ssoenv-core x`.\n```sh\neval \"$(ssoenv hook bash)\"\n```\n",
    );
    let words: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(words, ["use --off", "hook bash"]);
    assert!(matches(
        &["a[..]c".to_owned(), "...".to_owned(), "z".to_owned()],
        &["abc", "x", "y", "z"]
    ));
    assert!(!matches(&["a[..]c".to_owned()], &["abd"]));
}

#[test]
fn links_between_pages_lead_to_pages() {
    let pages = pages();
    let mut problems = Vec::new();
    let mut targets: BTreeMap<PathBuf, ()> = BTreeMap::new();
    for page in &pages {
        targets.insert(page.clone(), ());
    }
    for page in &pages {
        let text = fs::read_to_string(page).expect("a page is readable");
        for link in relative_links(&text) {
            let file = link.split('#').next().unwrap_or(link);
            let resolved = page.parent().expect("a page's directory").join(file);
            let resolved = normalise(&resolved);
            if file.ends_with(".md") && !targets.contains_key(&resolved) {
                problems.push(format!(
                    "{}: a link to {link}, which is no page",
                    shown(page)
                ));
            } else if !file.ends_with(".md") && !resolved.exists() {
                problems.push(format!(
                    "{}: a link to {link}, which does not exist",
                    shown(page)
                ));
            }
        }
    }
    let summary =
        fs::read_to_string(Path::new(ROOT).join("docs/src/SUMMARY.md")).expect("SUMMARY.md");
    for page in &pages {
        let name = page
            .strip_prefix(Path::new(ROOT).join("docs/src"))
            .expect("under docs/src");
        if name != Path::new("SUMMARY.md") && !summary.contains(&format!("({})", name.display())) {
            problems.push(format!(
                "{}: not in SUMMARY.md, so not in the book",
                shown(page)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The targets of a Markdown text's links that point into the repository:
/// not a URL, not an anchor of the same page.
fn relative_links(text: &str) -> Vec<&str> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find(')') else { break };
        let link = &rest[..end];
        if !link.contains("://") && !link.starts_with('#') && !link.starts_with("mailto:") {
            links.push(link);
        }
    }
    links
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The command reference and the command line agree both ways: every
/// command and subcommand of `ssoenv --help` has its section in
/// `reference/commands.md` (`## ssoenv NAME`, `### ssoenv NAME SUB`), and
/// every flag it takes is named in that section. (The other way round —
/// no flag the guide names is missing from `--help` — is
/// [`every_command_the_guide_names_exists_with_its_flags`].)
#[test]
fn the_command_reference_covers_every_command_and_flag() {
    let text = fs::read_to_string(Path::new(ROOT).join("docs/src/reference/commands.md"))
        .expect("reference/commands.md");
    let mut sections: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        }
        if !in_block
            && let Some(title) = line
                .strip_prefix("### ssoenv ")
                .or_else(|| line.strip_prefix("## ssoenv "))
        {
            let name = title
                .split_whitespace()
                .take_while(|w| !w.starts_with(['<', '[', '-']))
                .collect::<Vec<_>>()
                .join(" ");
            sections.insert(name.clone(), String::new());
            current = Some(name);
            continue;
        }
        if let Some(name) = &current {
            let section = sections.get_mut(name).expect("the current section");
            section.push_str(line);
            section.push('\n');
        }
    }
    let mut command = Cli::command();
    command.build();
    let mut problems = Vec::new();
    let mut stack: Vec<(String, &clap::Command)> = command
        .get_subcommands()
        .map(|sub| (sub.get_name().to_owned(), sub))
        .collect();
    let mut seen = 0;
    while let Some((name, sub)) = stack.pop() {
        if sub.is_hide_set() || name.ends_with("help") {
            continue;
        }
        seen += 1;
        stack.extend(
            sub.get_subcommands()
                .map(|inner| (format!("{name} {}", inner.get_name()), inner)),
        );
        let Some(section) = sections.get(&name) else {
            problems.push(format!("`ssoenv {name}` has no section (## ssoenv {name})"));
            continue;
        };
        for arg in sub.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if arg.is_hide_set() || long == "help" || long == "version" {
                continue;
            }
            if !section.contains(&format!("--{long}")) {
                problems.push(format!(
                    "the section of `ssoenv {name}` does not name --{long}"
                ));
            }
        }
    }
    assert!(seen >= 20, "only {seen} commands found in the command line");
    assert!(
        problems.is_empty(),
        "reference/commands.md and --help disagree:\n{}",
        problems.join("\n")
    );
}

/// The rc line of each shell is the same in `ssoenv hook --help` (and so
/// the man page), the guide's Shells page and the README.
#[test]
fn the_hook_lines_agree_in_help_guide_and_readme() {
    let help = ssoenv::cli::HOOK_LINES;
    for file in ["docs/src/shells.md", "README.md"] {
        let text = fs::read_to_string(Path::new(ROOT).join(file)).expect("readable");
        let mut rows = 0;
        for line in text.lines() {
            // | shell | file | `line` |
            let cells: Vec<&str> = line.split(" | ").collect();
            if cells.len() != 3 || !line.starts_with("| ") || !line.contains("ssoenv hook") {
                continue;
            }
            let cell = cells[2].trim_end_matches(" |").trim();
            // ``…`` holds a line with backticks in it (tcsh's); otherwise
            // each `…` is a line (Nushell has two: env.nu's and config.nu's).
            let spans: Vec<&str> = match cell.strip_prefix("``").and_then(|c| c.split("``").next())
            {
                Some(span) => vec![span],
                None => cell.split('`').skip(1).step_by(2).collect(),
            };
            for span in spans {
                let code = span.trim().replace("\\|", "|");
                rows += 1;
                assert!(
                    help.contains(&code),
                    "{file}: the line `{code}` is not what `ssoenv hook --help` says:\n{help}"
                );
            }
        }
        assert!(
            rows >= 7,
            "{file}: only {rows} hook lines found in its table"
        );
    }
}

/// The README, CONTRIBUTING.md and the developer's pages link to files
/// that exist (the guide's pages are checked above).
#[test]
fn links_of_the_readme_and_the_developer_pages_lead_somewhere() {
    let mut files = vec![
        Path::new(ROOT).join("README.md"),
        Path::new(ROOT).join("CONTRIBUTING.md"),
    ];
    for entry in fs::read_dir(Path::new(ROOT).join("docs/dev"))
        .expect("docs/dev")
        .flatten()
    {
        files.push(entry.path());
    }
    let mut problems = Vec::new();
    let mut links = 0;
    for file in &files {
        let text = fs::read_to_string(file).expect("readable");
        for link in relative_links(&text) {
            links += 1;
            let target = link.split('#').next().unwrap_or(link);
            let resolved = normalise(&file.parent().expect("a directory").join(target));
            if !resolved.exists() {
                problems.push(format!(
                    "{}: a link to {link}, which does not exist",
                    shown(file)
                ));
            }
        }
    }
    assert!(links >= 20, "only {links} links found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Ways of installing that need a release (Homebrew, Scoop, the release
/// page, crates.io). Nothing is released yet, so each must be marked as
/// coming with the first release.
const RELEASE_ONLY_INSTALLS: &[&str] = &[
    "brew install",
    "scoop install",
    "scoop bucket add",
    "cargo install ssoenv",
    "cargo install --locked ssoenv",
    "/releases",
];

/// Where `text` offers a release-only install outside a paragraph, or a
/// section, that says it comes with the first release: "LINE: PHRASE".
fn unreleased_installs_offered(text: &str) -> Vec<String> {
    let marked = |s: &str| s.to_lowercase().contains("first release");
    // (level, marked) of the headings above the current paragraph.
    let mut headings: Vec<(usize, bool)> = Vec::new();
    let mut found = Vec::new();
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    let mut in_fence = false;
    let mut check = |paragraph: &mut Vec<(usize, &str)>, headings: &[(usize, bool)]| {
        let whole: String = paragraph
            .iter()
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join(" ");
        if !marked(&whole) && !headings.iter().any(|(_, m)| *m) {
            for (number, line) in paragraph.iter() {
                for phrase in RELEASE_ONLY_INSTALLS {
                    if line.contains(phrase) {
                        found.push(format!("{number}: {phrase}"));
                    }
                }
            }
        }
        paragraph.clear();
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let level = line.chars().take_while(|c| *c == '#').count();
        if !in_fence && level > 0 && line[level..].starts_with(' ') {
            check(&mut paragraph, &headings);
            headings.retain(|(above, _)| *above < level);
            headings.push((level, marked(line)));
        } else if !in_fence && line.trim().is_empty() {
            check(&mut paragraph, &headings);
        } else {
            paragraph.push((index + 1, line));
        }
    }
    check(&mut paragraph, &headings);
    found
}

/// Nothing has been released: the README and the guide lead with what works
/// today and offer Homebrew, Scoop, the release page and crates.io only as
/// "from the first release".
#[test]
fn installs_that_need_a_release_are_marked_as_such() {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    files.extend(pages());
    let mut problems = Vec::new();
    let mut offered = 0;
    for file in &files {
        let text = fs::read_to_string(file).expect("readable");
        offered += RELEASE_ONLY_INSTALLS
            .iter()
            .map(|phrase| text.matches(phrase).count())
            .sum::<usize>();
        for place in unreleased_installs_offered(&text) {
            problems.push(format!(
                "{}:{place} is offered, but nothing is released: say it comes with the first release",
                shown(file)
            ));
        }
    }
    // The README and the install page do name them, as what is to come.
    assert!(offered >= 6, "only {offered} release-only installs named");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_of_unreleased_installs_finds_one_offered_as_available() {
    let unmarked = "# Install\n\nRun `brew install ssoenv/tap/ssoenv`.\n\n## From the first release\n\n`scoop install ssoenv`\n";
    assert_eq!(
        unreleased_installs_offered(unmarked),
        ["3: brew install"],
        "the Homebrew line is unmarked, the Scoop one is under a marked heading"
    );
    let marked = "From the first release: `cargo install ssoenv`\nand the\n[release page](https://example.com/releases).\n";
    assert!(unreleased_installs_offered(marked).is_empty());
}
