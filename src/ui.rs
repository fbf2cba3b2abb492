//! How ssoenv talks to people: every message starts with `ssoenv: `, says
//! what happened and, when something is wrong, what to do next. Colour goes
//! only to terminals and never when `NO_COLOR` is set (anstream decides, as
//! it does for clap's own help).

use std::borrow::Cow;
use std::io::Write;

use anstyle::{AnsiColor, Style};

/// Labels and headings.
pub const HEADING: Style = Style::new().bold();
/// Something fine: valid credentials, nothing to do.
pub const GOOD: Style = AnsiColor::Green.on_default();
/// Something that will need attention soon.
pub const WARN: Style = AnsiColor::Yellow.on_default();
/// Something that does not work until the user acts.
pub const BAD: Style = AnsiColor::Red.on_default().bold();
/// Secondary detail.
pub const DIM: Style = Style::new().dimmed();

/// The prefix of every message on stderr.
pub const PREFIX: &str = "ssoenv: ";

/// `text` in `style` (escape codes are stripped later for non-terminals).
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// One line on stderr: `ssoenv: <message>`.
pub fn say(message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{}{}", paint(DIM, PREFIX), printable(message));
}

/// `text` safe to show on a terminal: every control character (C0, DEL and
/// C1: escape sequences, carriage returns, bells, newlines) is written as
/// its escape (`\u{1b}`, `\r`), so a directory or file name cannot retitle
/// the terminal, erase the line or fake a message.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// A question for the user, as prompts show it (no newline).
pub fn prompt_label(text: &str) -> String {
    format!("{PREFIX}{text}")
}
