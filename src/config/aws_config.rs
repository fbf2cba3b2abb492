//! A reader for the AWS config file (`AWS_CONFIG_FILE` or `~/.aws/config`).
//!
//! The file is shared with the AWS CLI and every SDK, and it is often full of
//! things ssoenv does not care about (`s3 =` sub-sections, `[services]`,
//! plugins, hand-written oddities). So the reader is lenient where it does not
//! matter and exact where it does: it follows the SDKs' shared-config rules
//! (`[profile NAME]`, `[default]`, `[sso-session NAME]`, `key = value`, `#`/`;`
//! comments, indented continuation lines, case-insensitive keys, repeated
//! sections merged with later keys winning), remembers the line and column of
//! every value, and only complains about a line it cannot read when that line
//! sits in a section ssoenv actually uses.

use std::collections::HashMap;
use std::path::Path;

use super::fields::{self, Key};
use super::source::{self, Located, Location, SourceText};
use crate::error::{Error, Result};

/// One `key = value` line (plus any continuation lines).
#[derive(Debug, Clone)]
struct Entry {
    /// Lower-cased, as the SDKs compare keys.
    key: String,
    value: String,
    /// Where the value starts (where the key starts when the value is empty).
    at: Location,
}

/// One section, with repeated headers of the same name merged into it.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// `[profile dev]`, `[default]`, `[sso-session corp]`: for messages.
    pub title: String,
    /// `profile`, `default`, `sso-session`, or whatever else the header said.
    kind: String,
    name: String,
    /// The first header of this section.
    pub at: Location,
    entries: Vec<Entry>,
    /// Lines in this section that are neither `key = value` nor a comment.
    unreadable: Vec<Location>,
}

impl Section {
    /// The raw value of `key` (the last one, when repeated), unchecked.
    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|entry| entry.key == key)
    }

    /// Whether the section sets `key` at all.
    pub fn has(&self, key: Key) -> bool {
        self.entry(key.name()).is_some()
    }

    /// The value of `key`, checked like the same key in `.awssso.toml`.
    pub fn get(&self, key: Key) -> Result<Option<Located<String>>> {
        self.check_readable()?;
        let Some(entry) = self.entry(key.name()) else {
            return Ok(None);
        };
        fields::check(key, &entry.value).map_err(|message| entry.at.error(message))?;
        Ok(Some(Located {
            value: entry.value.clone(),
            at: entry.at.clone(),
        }))
    }

    /// The value of a key `.awssso.toml` does not have (`source_profile`,
    /// `credential_source`, `mfa_serial`), unchecked.
    pub fn raw(&self, key: &str) -> Result<Option<Located<String>>> {
        self.check_readable()?;
        Ok(self.entry(key).map(|entry| Located {
            value: entry.value.clone(),
            at: entry.at.clone(),
        }))
    }

    /// `duration_seconds`, checked like the same key in `.awssso.toml`.
    pub fn duration_seconds(&self) -> Result<Option<u32>> {
        let Some(entry) = self.raw(Key::DurationSeconds.name())? else {
            return Ok(None);
        };
        let seconds = entry.value.parse::<i64>().map_err(|_| {
            entry.at.error(format!(
                "duration_seconds must be a whole number of seconds, got {:?} — e.g. duration_seconds = 3600",
                entry.value
            ))
        })?;
        fields::check_duration_seconds(seconds)
            .map(Some)
            .map_err(|message| entry.at.error(message))
    }

    /// `sso_registration_scopes` (`a, b`), checked; empty when not set.
    pub fn scopes(&self) -> Result<Vec<String>> {
        self.check_readable()?;
        match self.entry(Key::Scopes.name()) {
            Some(entry) => {
                fields::split_scopes(&entry.value).map_err(|message| entry.at.error(message))
            }
            None => Ok(Vec::new()),
        }
    }

    /// A section ssoenv reads must not contain lines it cannot make sense of:
    /// a mangled `sso_account_id` line would otherwise read as "missing".
    fn check_readable(&self) -> Result<()> {
        match self.unreadable.first() {
            Some(at) => Err(at.error(format!(
                "cannot read this line of {} — write it as key = value, or start comments with #",
                self.title
            ))),
            None => Ok(()),
        }
    }
}

/// The AWS config file, parsed. A file that does not exist reads as empty
/// (the AWS CLI treats it the same way), with `exists` saying so for messages.
#[derive(Debug, Clone)]
pub(crate) struct AwsConfig {
    /// The path as messages show it.
    pub name: String,
    pub exists: bool,
    sections: Vec<Section>,
}

impl AwsConfig {
    /// Reads the file at `path`; `None` when no location could be worked out
    /// (no `HOME` and no `AWS_CONFIG_FILE`), which reads as a missing file.
    pub fn load(path: Option<&Path>, name: String) -> Result<AwsConfig> {
        let text = match path {
            Some(path) => source::read_optional(path, &name)?,
            None => None,
        };
        Ok(match text {
            Some(text) => AwsConfig {
                name,
                exists: true,
                sections: parse(&text),
            },
            None => AwsConfig {
                name,
                exists: false,
                sections: Vec::new(),
            },
        })
    }

    /// `[profile NAME]`; for `default` also the bare `[default]` header.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|section| {
            (section.kind == "profile" && section.name == name)
                || (name == "default" && section.kind == "default")
        })
    }

    /// The names of every `[sso-session NAME]`, in file order.
    pub fn sso_session_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for section in self.sections.iter().filter(|s| s.kind == "sso-session") {
            if !names.contains(&section.name.as_str()) {
                names.push(&section.name);
            }
        }
        names
    }

    /// `[sso-session NAME]`.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|section| section.kind == "sso-session" && section.name == name)
    }
}

/// Splits the file into sections. Never fails: problems are kept with the
/// section they occur in and reported only if that section is used.
fn parse(source: &SourceText) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    // Where each (kind, name) is in `sections`: a repeated header adds to the
    // first, and a file of thousands of profiles (`profiles sync`) must not
    // cost a search through all earlier ones per header.
    let mut positions: HashMap<(String, String), usize> = HashMap::new();
    // Index into `sections` of the section lines currently belong to; `None`
    // before the first header and after a header that cannot be read.
    let mut current: Option<usize> = None;
    // Whether the previous line was a property that continuation lines extend.
    let mut in_property = false;

    // A byte-order mark would otherwise hide the first section header.
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let location = |col: usize| Location {
            file: source.name.clone(),
            line: index + 1,
            col,
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indent = line.chars().take_while(|c| c.is_whitespace()).count();

        if trimmed.starts_with('[') {
            in_property = false;
            current = header(trimmed).map(|(kind, name)| {
                let found = positions.get(&(kind.clone(), name.clone())).copied();
                found.unwrap_or_else(|| {
                    // Messages show the title: a control character in a
                    // name must not reach the terminal raw.
                    let shown: String = name
                        .chars()
                        .map(|c| {
                            if c.is_control() {
                                c.escape_default().to_string()
                            } else {
                                c.to_string()
                            }
                        })
                        .collect();
                    let title = if name.is_empty() {
                        format!("[{kind}]")
                    } else {
                        format!("[{kind} {shown}]")
                    };
                    positions.insert((kind.clone(), name.clone()), sections.len());
                    sections.push(Section {
                        title,
                        kind,
                        name,
                        at: location(indent + 1),
                        entries: Vec::new(),
                        unreadable: Vec::new(),
                    });
                    sections.len() - 1
                })
            });
            continue;
        }

        let Some(section) = current.map(|index| &mut sections[index]) else {
            continue;
        };
        if indent > 0 && in_property {
            // A continuation line (or a sub-section property such as the
            // `max_concurrent_requests` under `s3 =`): part of the previous value.
            if let Some(entry) = section.entries.last_mut() {
                entry.value.push('\n');
                entry.value.push_str(strip_comment(trimmed));
            }
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                let value_start = line.len() - value.trim_start().len();
                let value = strip_comment(value.trim());
                let col = if value.is_empty() {
                    indent
                } else {
                    line[..value_start].chars().count()
                } + 1;
                section.entries.push(Entry {
                    key: key.trim().to_ascii_lowercase(),
                    value: value.to_owned(),
                    at: location(col),
                });
                in_property = true;
            }
            _ => {
                section.unreadable.push(location(indent + 1));
                in_property = false;
            }
        }
    }
    sections
}

/// `[profile dev]` → ("profile", "dev"); `[default]` → ("default", "").
/// Text after the closing bracket (a comment) is ignored, as the SDKs do.
fn header(line: &str) -> Option<(String, String)> {
    let inner = line.strip_prefix('[')?;
    let inner = &inner[..inner.find(']')?];
    let mut words = inner.split_whitespace();
    let kind = words.next()?.to_owned();
    let name = words.collect::<Vec<_>>().join(" ");
    Some((kind, name))
}

/// Drops a trailing comment from a value: `#` or `;` after whitespace, so that
/// URLs with `#` fragments survive (the SDKs' rule).
fn strip_comment(value: &str) -> &str {
    let mut previous_whitespace = false;
    for (index, c) in value.char_indices() {
        if (c == '#' || c == ';') && previous_whitespace {
            return value[..index].trim_end();
        }
        previous_whitespace = c.is_whitespace();
    }
    value
}

/// The error for a profile that is not in the file.
pub(crate) fn missing_profile(
    config: &AwsConfig,
    name: &str,
    named_by: Option<&Location>,
) -> Error {
    let message = if config.exists {
        format!(
            "profile {name:?} is not in {} — check the name (aws configure list-profiles), or set AWS_CONFIG_FILE",
            config.name
        )
    } else {
        format!(
            "profile {name:?} not found: {} does not exist — create the profile with aws configure sso, or set AWS_CONFIG_FILE",
            config.name
        )
    };
    match named_by {
        Some(at) => at.error(message),
        None => Error::new(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> AwsConfig {
        let source = SourceText {
            name: "cfg".to_owned(),
            text: text.to_owned(),
        };
        AwsConfig {
            name: "cfg".to_owned(),
            exists: true,
            sections: parse(&source),
        }
    }

    #[test]
    fn reads_sections_keys_comments_and_positions() {
        let config = config(
            "# top\n\
             [default]\n\
             region = us-west-2 ; comment\n\
             \n\
             [profile dev]            # no session\n\
             SSO_Account_Id=012345678901\n\
             s3 =\n  max_concurrent_requests = 20\n\
             sso_start_url = https://x.example/start#frag\n\
             [sso-session corp]\n\
             sso_registration_scopes = sso:account:access, codewhisperer:completions\n",
        );
        let default = config.profile("default").unwrap();
        assert_eq!(
            default.get(Key::Region).unwrap().unwrap().value,
            "us-west-2"
        );
        let dev = config.profile("dev").unwrap();
        assert_eq!(dev.title, "[profile dev]");
        assert_eq!(dev.at.to_string(), "cfg:5:1");
        let account = dev.get(Key::AccountId).unwrap().unwrap();
        assert_eq!(account.value, "012345678901");
        assert_eq!(account.at.to_string(), "cfg:6:16");
        assert_eq!(
            dev.get(Key::StartUrl).unwrap().unwrap().value,
            "https://x.example/start#frag"
        );
        assert_eq!(
            config.sso_session("corp").unwrap().scopes().unwrap(),
            ["sso:account:access", "codewhisperer:completions"]
        );
        assert!(config.profile("corp").is_none());
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let config = config("\u{feff}[default]\r\nregion = us-east-1\r\n");
        let region = config
            .profile("default")
            .unwrap()
            .get(Key::Region)
            .unwrap()
            .unwrap();
        assert_eq!(region.value, "us-east-1");
        assert_eq!(region.at.to_string(), "cfg:2:10");
    }

    #[test]
    fn repeated_sections_merge_and_later_keys_win() {
        let config = config(
            "[profile a]\nregion = us-east-1\n[profile b]\n[profile a]\nregion = eu-west-1\n",
        );
        assert_eq!(
            config
                .profile("a")
                .unwrap()
                .get(Key::Region)
                .unwrap()
                .unwrap()
                .value,
            "eu-west-1"
        );
    }

    #[test]
    fn unreadable_lines_matter_only_in_used_sections() {
        let config = config("[profile junk]\nthis is not ini\n[profile ok]\nregion = us-east-1\n");
        assert_eq!(
            config
                .profile("ok")
                .unwrap()
                .get(Key::Region)
                .unwrap()
                .unwrap()
                .value,
            "us-east-1"
        );
        let err = config
            .profile("junk")
            .unwrap()
            .get(Key::Region)
            .unwrap_err();
        assert_eq!(
            err.message(),
            "cfg:2:1: cannot read this line of [profile junk] — write it as key = value, or start comments with #"
        );
    }
}
