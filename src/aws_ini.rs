//! Edits sections of the AWS CLI's INI files — the shared credentials file
//! (`write-credentials`) and the config file (`profiles sync`) — and keeps
//! every other byte of the file.
//!
//! These files also hold the user's own keys and profiles and whatever other
//! tools put there, so ssoenv must never reformat them: it changes only the
//! lines of its own sections. To know which lines those are, and to be sure that the
//! result means to the AWS tools what ssoenv meant, this module reads the file
//! the way botocore does, with Python's `configparser.RawConfigParser()` and
//! its default settings, quirks included: lines indented deeper than an option
//! continue its value (even across blank and comment lines), `:` delimits like
//! `=`, key names are compared case-insensitively, and a repeated section or
//! key makes the whole file unreadable. A file that parser refuses is refused
//! here too, with the line to fix, because writing into it would only hide the
//! problem until the AWS CLI fails on it.
//!
//! Lines end as Python's universal newlines end them: `\r\n`, `\n` or a lone
//! `\r`. A UTF-8 byte-order mark at the start is kept and skipped when reading
//! (botocore itself reads such a file as one whose first line is no header).

use std::collections::{HashMap, HashSet};
use std::fmt;

/// Where a problem in the file is, 1-based line, with a one-line reason and fix.
///
/// `message` holds the reason and the fix only; `Display` puts `line N: ` in
/// front of it, so that a caller can print the error as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

const BYTE_ORDER_MARK: &str = "\u{feff}";

/// How ssoenv recognises the comment line it writes, so that a later run
/// replaces it instead of piling up one more.
const SSOENV_COMMENT_PREFIX: &str = "# ssoenv:";

/// configparser's name for the section whose options every other section
/// inherits; unlike other sections it may appear more than once.
const SHARED_DEFAULTS_SECTION: &str = "DEFAULT";

/// One change to one section, for [`apply`].
#[derive(Debug, Clone, Copy)]
pub enum Edit<'e> {
    /// `[name]` holds `keys` and the comment line `comment`, as [`upsert`]
    /// describes, and loses the options named in `drop` (compared ignoring
    /// case; a name also in `keys` stays). Appended at the end when missing.
    Upsert {
        name: &'e str,
        keys: &'e [(&'e str, &'e str)],
        drop: &'e [&'e str],
        comment: &'e str,
    },
    /// `[name]` goes, as [`remove`] describes; nothing when there is none.
    Remove { name: &'e str },
}

impl<'e> Edit<'e> {
    fn name(&self) -> &'e str {
        match self {
            Edit::Upsert { name, .. } | Edit::Remove { name } => name,
        }
    }
}

/// Returns the new text with section `[name]` holding exactly these `keys`
/// (in this order when inserted) and the comment line `comment` (written as
/// `# {comment}` as the first line after the header; replaced when a line
/// starting with `# ssoenv:` is already there). `comment` starts with "ssoenv:".
///
/// A key that is already in the section keeps its place and its indentation
/// (an indentation change could turn the lines after it into continuation
/// lines); keys that are not there go after the section's last option. If a
/// key appears more than once in `keys`, the last pair wins. Before returning,
/// the new text is read back, and an error is returned instead of a text in
/// which `[name]` would not hold these values or another section would read
/// differently, so that a caller never writes such a file.
pub fn upsert(
    text: &str,
    name: &str,
    keys: &[(&str, &str)],
    comment: &str,
) -> Result<String, ParseError> {
    apply(
        text,
        &[Edit::Upsert {
            name,
            keys,
            drop: &[],
            comment,
        }],
    )
}

/// Returns the text without section `[name]` (Ok(None) when there is no such section).
///
/// Removes the header through the section's last option, continuation or
/// `# ssoenv:` line; comments and blank lines after that stay, because they
/// usually introduce what follows. One empty line right before the header goes
/// too; failing that, when the section ended the file and carries the ssoenv
/// comment, the line ending before it goes, so that removing a section that
/// `upsert` appended gives back the file exactly as it was.
pub fn remove(text: &str, name: &str) -> Result<Option<String>, ParseError> {
    let document = Document::parse(text)?;
    if document.find_section(name)?.is_none() {
        return Ok(None);
    }
    apply_to(&document, &[Edit::Remove { name }]).map(Some)
}

/// Applies all `edits` in one pass: one parse, one new text, one read-back
/// check, however many sections change (a sync of thousands of profiles
/// would otherwise parse the file once per profile).
///
/// The result reads as applying the removals, last section first, then the
/// updates, then the additions in `edits` order, one call at a time, would
/// (the bytes differ only in corner cases: added lines take the original
/// file's line ending). Each section name appears in `edits` at most once (a repeat is
/// ignored). Nothing is returned that does not read back as asked, with every
/// section the edits do not name reading exactly as before.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, ParseError> {
    apply_to(&Document::parse(text)?, edits)
}

fn apply_to(document: &Document, edits: &[Edit]) -> Result<String, ParseError> {
    let headers = document.headers();
    let mut seen = HashSet::new();
    let mut planned = Vec::with_capacity(edits.len());
    for edit in edits {
        if seen.insert(edit.name()) {
            planned.push((*edit, document.span_of(&headers, edit.name())?));
        }
    }
    let mut rewrite = Rewrite::new(document.lines.len());
    let mut removals: Vec<&SectionSpan> = planned
        .iter()
        .filter_map(|(edit, span)| match edit {
            Edit::Remove { .. } => span.as_ref(),
            Edit::Upsert { .. } => None,
        })
        .collect();
    removals.sort_by_key(|span| std::cmp::Reverse(span.header));
    for span in removals {
        document.plan_removal(span, &mut rewrite);
    }
    let mut wanted_by_edit = Vec::with_capacity(planned.len());
    let mut appended = Vec::new();
    for (edit, span) in &planned {
        let Edit::Upsert {
            name,
            keys,
            drop,
            comment,
        } = edit
        else {
            wanted_by_edit.push(Vec::new());
            continue;
        };
        let wanted = wanted_keys(keys);
        let comment_line = ssoenv_comment_line(comment);
        match span {
            Some(span) => document.plan_update(span, &wanted, drop, comment_line, &mut rewrite),
            None => appended.push(AppendedSection {
                name,
                options: wanted.iter().map(|key| option_line("", key)).collect(),
                comment_line,
            }),
        }
        wanted_by_edit.push(wanted);
    }
    let new_text = document.render(&rewrite, &appended);
    check_result(document, &new_text, &planned, &wanted_by_edit)?;
    Ok(new_text)
}

/// What a section holds, for deciding whether it may be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    /// Its option names, lower-cased, in file order.
    pub keys: Vec<String>,
    /// Its first line is the `# ssoenv:` comment that `upsert` writes.
    pub written_by_ssoenv: bool,
}

/// What `[name]` holds (`Ok(None)` when there is no such section).
pub fn inspect(text: &str, name: &str) -> Result<Option<SectionInfo>, ParseError> {
    let document = Document::parse(text)?;
    let Some(section) = document.find_section(name)? else {
        return Ok(None);
    };
    let keys = document.lines[section.header + 1..section.end]
        .iter()
        .filter_map(|line| match &line.kind {
            LineKind::Option { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect();
    Ok(Some(SectionInfo {
        keys,
        written_by_ssoenv: section.ssoenv_comment.is_some(),
    }))
}

/// One section as the AWS tools read it, with ssoenv's comment if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The text between the brackets (`profile dev`, `sso-session corp`).
    pub name: String,
    /// 1-based line of the header.
    pub line: usize,
    /// The `# ssoenv: …` comment right after the header, without `# `.
    pub ssoenv_comment: Option<String>,
    /// Its options in file order: lower-cased key, value as configparser reads it.
    pub options: Vec<(String, String)>,
}

impl Section {
    /// The value of option `key` (lower-case).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }
}

/// Every section of the file, in file order ([DEFAULT] as often as it appears).
pub fn sections(text: &str) -> Result<Vec<Section>, ParseError> {
    let document = Document::parse(text)?;
    let mut sections: Vec<Section> = Vec::new();
    for (index, line) in document.lines.iter().enumerate() {
        match &line.kind {
            LineKind::Header { section } => {
                let ssoenv_comment = document
                    .lines
                    .get(index + 1)
                    .filter(|next| is_ssoenv_comment(next))
                    .map(|next| python_strip(next.content)[1..].trim_start().to_owned());
                sections.push(Section {
                    name: (*section).to_owned(),
                    line: index + 1,
                    ssoenv_comment,
                    options: Vec::new(),
                });
            }
            LineKind::Option { key, .. } => {
                if let Some(section) = sections.last_mut() {
                    section
                        .options
                        .push((key.clone(), document.option_value(index)));
                }
            }
            _ => {}
        }
    }
    Ok(sections)
}

/// The file split into lines, each classified the way configparser reads it.
struct Document<'a> {
    /// Kept verbatim in front of the output; empty when the file has none.
    byte_order_mark: &'a str,
    /// The text after the byte-order mark, which is what gets parsed.
    body: &'a str,
    lines: Vec<Line<'a>>,
    /// Line ending for lines ssoenv adds: CRLF as soon as the file has one,
    /// so that a Windows-style file stays Windows-style.
    added_line_ending: &'static str,
}

struct Line<'a> {
    /// The line without its ending.
    content: &'a str,
    /// `"\r\n"`, `"\n"`, `"\r"`, or `""` for a last line without one.
    ending: &'a str,
    kind: LineKind<'a>,
}

impl<'a> Line<'a> {
    /// The leading whitespace, which decides whether the next lines continue
    /// this one's value.
    fn indentation(&self) -> &'a str {
        leading_whitespace(self.content)
    }
}

enum LineKind<'a> {
    /// Empty or whitespace only.
    Blank,
    /// First non-whitespace character is `#` or `;`.
    Comment,
    Header {
        section: &'a str,
    },
    Option {
        /// Lower-cased, as configparser stores it.
        key: String,
        /// The part after the delimiter, stripped.
        inline_value: &'a str,
    },
    /// Indented deeper than the option line that it continues.
    Continuation {
        option_index: usize,
    },
    /// Only seen while parsing: configparser reads on after such a line and
    /// reports it at the end, unless a fatal problem comes first.
    Unreadable,
}

/// Where `[name]` is: from its header up to (not including) the next header.
struct SectionSpan {
    header: usize,
    end: usize,
    /// The line right after the header, when it is ssoenv's comment.
    ssoenv_comment: Option<usize>,
}

/// The line-level changes that [`apply`] plans before writing the text once.
struct Rewrite {
    /// Per line: left out of the new text.
    skipped: Vec<bool>,
    replaced: HashMap<usize, String>,
    /// New lines after a line (after its ending), in order.
    added_after: HashMap<usize, Vec<String>>,
    /// Headers that lose their indentation.
    unindented: HashSet<usize>,
    /// Lines written without their line ending.
    ending_dropped: HashSet<usize>,
    /// Every line from here on is skipped.
    tail_start: usize,
}

impl Rewrite {
    fn new(line_count: usize) -> Self {
        Rewrite {
            skipped: vec![false; line_count],
            replaced: HashMap::new(),
            added_after: HashMap::new(),
            unindented: HashSet::new(),
            ending_dropped: HashSet::new(),
            tail_start: line_count,
        }
    }

    fn add_after(&mut self, index: usize, line: String) {
        self.added_after.entry(index).or_default().push(line);
    }
}

/// A section that [`apply`] adds at the end of the file.
struct AppendedSection<'e> {
    name: &'e str,
    comment_line: String,
    options: Vec<String>,
}

/// One option as configparser ends up with it, used to check that an edit
/// changed nothing it was not meant to.
#[derive(Debug, PartialEq, Eq)]
struct Setting<'a> {
    section: &'a str,
    key: String,
    value: String,
}

struct WantedKey<'k> {
    name: &'k str,
    lowercase_name: String,
    value: &'k str,
}

impl<'a> Document<'a> {
    fn parse(text: &'a str) -> Result<Self, ParseError> {
        let (byte_order_mark, body) = match text.strip_prefix(BYTE_ORDER_MARK) {
            Some(rest) => (&text[..BYTE_ORDER_MARK.len()], rest),
            None => ("", text),
        };
        let mut parser = ParserState::default();
        let mut lines = Vec::new();
        for (index, (content, ending)) in split_lines(body).into_iter().enumerate() {
            let kind = parser.classify(index, content)?;
            lines.push(Line {
                content,
                ending,
                kind,
            });
        }
        if let Some(error) = parser.first_unreadable_line {
            return Err(error);
        }
        Ok(Document {
            byte_order_mark,
            body,
            lines,
            added_line_ending: if text.contains("\r\n") { "\r\n" } else { "\n" },
        })
    }

    /// Each section name's header lines, in file order (only [DEFAULT] can
    /// have more than one: any other repeat fails parsing).
    fn headers(&self) -> HashMap<&'a str, Vec<usize>> {
        let mut headers: HashMap<&'a str, Vec<usize>> = HashMap::new();
        for (index, line) in self.lines.iter().enumerate() {
            if let LineKind::Header { section } = line.kind {
                headers.entry(section).or_default().push(index);
            }
        }
        headers
    }

    fn find_section(&self, name: &str) -> Result<Option<SectionSpan>, ParseError> {
        self.span_of(&self.headers(), name)
    }

    fn span_of(
        &self,
        headers: &HashMap<&'a str, Vec<usize>>,
        name: &str,
    ) -> Result<Option<SectionSpan>, ParseError> {
        let Some(found) = headers.get(name) else {
            return Ok(None);
        };
        if let [_, second, ..] = found.as_slice() {
            return Err(ParseError {
                line: second + 1,
                message: format!(
                    "[{name}] appears more than once, so ssoenv cannot tell which one to change \
                     — merge them into one"
                ),
            });
        }
        let header = found[0];
        let end = (header + 1..self.lines.len())
            .find(|&index| matches!(self.lines[index].kind, LineKind::Header { .. }))
            .unwrap_or(self.lines.len());
        let ssoenv_comment =
            Some(header + 1).filter(|&index| index < end && is_ssoenv_comment(&self.lines[index]));
        Ok(Some(SectionSpan {
            header,
            end,
            ssoenv_comment,
        }))
    }

    /// Plans `wanted` into an existing section: a key already there is
    /// rewritten in place (its continuation lines go), a key in `drop` goes,
    /// the others are added after the section's last option.
    fn plan_update(
        &self,
        section: &SectionSpan,
        wanted: &[WantedKey],
        drop: &[&str],
        comment_line: String,
        rewrite: &mut Rewrite,
    ) {
        let body_range = section.header + 1..section.end;
        let dropped: Vec<String> = drop.iter().map(|key| key.to_lowercase()).collect();
        let mut already_present = vec![false; wanted.len()];
        let mut rewritten_options = HashSet::new();
        for index in body_range.clone() {
            let line = &self.lines[index];
            match &line.kind {
                LineKind::Option { key, .. } => {
                    if let Some(position) = wanted.iter().position(|w| &w.lowercase_name == key) {
                        already_present[position] = true;
                        rewritten_options.insert(index);
                        rewrite
                            .replaced
                            .insert(index, option_line(line.indentation(), &wanted[position]));
                    } else if dropped.contains(key) {
                        rewritten_options.insert(index);
                        rewrite.skipped[index] = true;
                    }
                }
                LineKind::Continuation { option_index }
                    if rewritten_options.contains(option_index) =>
                {
                    rewrite.skipped[index] = true;
                }
                _ => {}
            }
        }
        let insert_after = body_range
            .rev()
            .find(|&index| {
                matches!(
                    self.lines[index].kind,
                    LineKind::Option { .. } | LineKind::Continuation { .. }
                )
            })
            .or(section.ssoenv_comment)
            .unwrap_or(section.header);
        match section.ssoenv_comment {
            Some(index) => {
                rewrite.replaced.insert(index, comment_line);
            }
            None => rewrite.add_after(section.header, comment_line),
        }
        let new_key_indentation = self.indentation_for_new_options(section, rewrite);
        for (key, _) in wanted
            .iter()
            .zip(&already_present)
            .filter(|(_, present)| !**present)
        {
            rewrite.add_after(insert_after, option_line(new_key_indentation, key));
        }
    }

    /// Plans the removal of a section; removals are planned last section
    /// first, so that `rewrite.tail_start` tells whether this one ends the file.
    fn plan_removal(&self, section: &SectionSpan, rewrite: &mut Rewrite) {
        let header = section.header;
        let last_owned = (header + 1..section.end)
            .rev()
            .find(|&index| {
                Some(index) == section.ssoenv_comment
                    || matches!(
                        self.lines[index].kind,
                        LineKind::Option { .. } | LineKind::Continuation { .. }
                    )
            })
            .unwrap_or(header);
        // A line that is followed by another always has an ending, so an
        // empty content means a line that is nothing but its line ending.
        let empty_line_before = header > 0 && self.lines[header - 1].content.is_empty();
        let first_removed = if empty_line_before {
            header - 1
        } else {
            header
        };
        let ends_the_file = last_owned + 1 >= rewrite.tail_start;
        if !empty_line_before && header > 0 && ends_the_file && section.ssoenv_comment.is_some() {
            rewrite.ending_dropped.insert(header - 1);
        }
        // Without the section's header in between, an indented next header
        // could become a continuation of the option above it; unindenting it
        // keeps it a header.
        let next_header = (section.end..self.lines.len()).find(|&index| {
            !rewrite.skipped[index] && matches!(self.lines[index].kind, LineKind::Header { .. })
        });
        if let Some(next_header) = next_header
            && self.would_continue_an_option(
                first_removed,
                char_count(self.lines[next_header].indentation()),
            )
        {
            rewrite.unindented.insert(next_header);
        }
        for skipped in &mut rewrite.skipped[first_removed..=last_owned] {
            *skipped = true;
        }
        if ends_the_file {
            rewrite.tail_start = first_removed;
        }
    }

    /// The new text: the planned line changes, then the appended sections.
    fn render(&self, rewrite: &Rewrite, appended: &[AppendedSection]) -> String {
        let line_ending = self.added_line_ending;
        let mut body = String::with_capacity(self.body.len() + 256 * (appended.len() + 1));
        for (index, line) in self.lines.iter().enumerate() {
            if !rewrite.skipped[index] {
                let content = match rewrite.replaced.get(&index) {
                    Some(replacement) => replacement.as_str(),
                    None if rewrite.unindented.contains(&index) => {
                        line.content.trim_start_matches(is_python_whitespace)
                    }
                    None => line.content,
                };
                body.push_str(content);
                if !rewrite.ending_dropped.contains(&index) {
                    body.push_str(line.ending);
                }
            }
            for added in rewrite.added_after.get(&index).into_iter().flatten() {
                push_added_line(&mut body, added, line_ending);
            }
        }
        for section in appended {
            if body.is_empty() {
            } else if !body.ends_with(['\n', '\r']) {
                // Finishes the last line; no blank line, so that `remove` can
                // tell this case from the next one and undo exactly this.
                body.push_str(line_ending);
            } else if body.ends_with('\r') && line_ending == "\n" {
                // The blank line before the section; an LF right after a lone
                // CR would merge with it into one CRLF, so it gets a CR too.
                body.push('\r');
            } else {
                body.push_str(line_ending);
            }
            body.push('[');
            body.push_str(section.name);
            body.push(']');
            body.push_str(line_ending);
            push_added_line(&mut body, &section.comment_line, line_ending);
            for option in &section.options {
                push_added_line(&mut body, option, line_ending);
            }
        }
        format!("{}{body}", self.byte_order_mark)
    }

    /// Added options take the indentation of the section's last option, so
    /// that neither they nor the following header turn into continuation
    /// lines; in a section without options, that of its header, or of the next
    /// header if that one is indented deeper (it must stay a header).
    fn indentation_for_new_options(&self, section: &SectionSpan, rewrite: &Rewrite) -> &'a str {
        let last_option = (section.header + 1..section.end)
            .rev()
            .find(|&index| matches!(self.lines[index].kind, LineKind::Option { .. }));
        if let Some(index) = last_option {
            return self.lines[index].indentation();
        }
        // Headers as they will be written: removals are planned first, and
        // may have unindented a header or taken the next one away.
        let indentation_of_header = |index: usize| {
            if rewrite.unindented.contains(&index) {
                ""
            } else {
                self.lines[index].indentation()
            }
        };
        let header_indentation = indentation_of_header(section.header);
        let next_header = (section.end..self.lines.len()).find(|&index| {
            !rewrite.skipped[index] && matches!(self.lines[index].kind, LineKind::Header { .. })
        });
        match next_header.map(indentation_of_header) {
            Some(next_indentation)
                if char_count(next_indentation) > char_count(header_indentation) =>
            {
                next_indentation
            }
            _ => header_indentation,
        }
    }

    /// Whether a line with this indentation, placed right before line
    /// `before`, would be read as a continuation line.
    fn would_continue_an_option(&self, before: usize, indentation: usize) -> bool {
        for line in self.lines[..before].iter().rev() {
            match line.kind {
                LineKind::Blank | LineKind::Comment | LineKind::Continuation { .. } => {}
                LineKind::Option { .. } => return indentation > char_count(line.indentation()),
                LineKind::Header { .. } | LineKind::Unreadable => return false,
            }
        }
        false
    }

    /// Every option in file order, with its value as configparser builds it.
    fn settings(&self) -> Vec<Setting<'a>> {
        let mut section = None;
        let mut settings = Vec::new();
        for (index, line) in self.lines.iter().enumerate() {
            match &line.kind {
                LineKind::Header { section: name } => section = Some(*name),
                LineKind::Option { key, .. } => {
                    if let Some(section) = section {
                        settings.push(Setting {
                            section,
                            key: key.clone(),
                            value: self.option_value(index),
                        });
                    }
                }
                _ => {}
            }
        }
        settings
    }

    /// configparser's value: the stripped text after the delimiter, then each
    /// continuation line stripped and each blank line as an empty line, joined
    /// with LF, with trailing whitespace removed.
    fn option_value(&self, option_index: usize) -> String {
        let LineKind::Option { inline_value, .. } = &self.lines[option_index].kind else {
            return String::new();
        };
        let mut parts = vec![*inline_value];
        for line in &self.lines[option_index + 1..] {
            match line.kind {
                LineKind::Continuation { .. } => parts.push(python_strip(line.content)),
                LineKind::Blank => parts.push(""),
                LineKind::Comment => {}
                LineKind::Header { .. } | LineKind::Option { .. } | LineKind::Unreadable => break,
            }
        }
        parts
            .join("\n")
            .trim_end_matches(is_python_whitespace)
            .to_owned()
    }
}

/// configparser's reading state, carried from line to line.
#[derive(Default)]
struct ParserState<'a> {
    section: Option<&'a str>,
    /// The option that deeper-indented lines continue: none before the first
    /// option of a section, as after a header configparser has no option name.
    open_option: Option<usize>,
    /// Indentation of the last line that was neither blank, comment nor
    /// continuation; a line must be indented deeper to continue a value.
    indent_level: usize,
    section_first_line: HashMap<&'a str, usize>,
    option_first_line: HashMap<(&'a str, String), usize>,
    first_unreadable_line: Option<ParseError>,
}

impl<'a> ParserState<'a> {
    /// Classifies one line in configparser's order of checks. Missing headers
    /// and repeats fail at once and unreadable lines are kept for the end, as
    /// configparser does, so the reported line is the one the AWS CLI reports.
    fn classify(&mut self, index: usize, content: &'a str) -> Result<LineKind<'a>, ParseError> {
        let line = index + 1;
        let stripped = python_strip(content);
        if stripped.is_empty() {
            return Ok(LineKind::Blank);
        }
        if stripped.starts_with(['#', ';']) {
            return Ok(LineKind::Comment);
        }
        let indentation = char_count(leading_whitespace(content));
        if self.section.is_some()
            && let Some(option_index) = self.open_option
            && indentation > self.indent_level
        {
            return Ok(LineKind::Continuation { option_index });
        }
        self.indent_level = indentation;

        if let Some(section) = header_name(stripped) {
            if section != SHARED_DEFAULTS_SECTION {
                if let Some(&first) = self.section_first_line.get(section) {
                    return Err(ParseError {
                        line,
                        message: format!(
                            "[{section}] appears a second time (first on line {first}), and the \
                             AWS tools then refuse the whole file — merge the two into one"
                        ),
                    });
                }
                self.section_first_line.insert(section, line);
            }
            self.section = Some(section);
            self.open_option = None;
            return Ok(LineKind::Header { section });
        }

        let Some(section) = self.section else {
            return Err(ParseError {
                line,
                message: "this line comes before the first [profile] header — move it under a \
                          header, or start it with # to make it a comment"
                    .to_owned(),
            });
        };
        let Some(delimiter) = stripped.find(['=', ':']) else {
            let message = if stripped.starts_with('[') {
                "this looks like a section header but is not one — write it as [profile-name]"
            } else {
                "cannot read this line — write it as key = value, or start comments with #"
            };
            self.note_unreadable(line, message);
            return Ok(LineKind::Unreadable);
        };
        let written_key = stripped[..delimiter].trim_end_matches(is_python_whitespace);
        if written_key.is_empty() {
            self.note_unreadable(
                line,
                "this line has no key name before its = or : — write it as key = value, or \
                 start comments with #",
            );
        }
        let key = written_key.to_lowercase();
        if let Some(&first) = self.option_first_line.get(&(section, key.clone())) {
            return Err(ParseError {
                line,
                message: format!(
                    "`{written_key}` appears a second time in [{section}] (first on line \
                     {first}), and the AWS tools then refuse the whole file — delete one of them"
                ),
            });
        }
        self.option_first_line.insert((section, key.clone()), line);
        // An empty key name (already an error) cannot be continued.
        self.open_option = (!key.is_empty()).then_some(index);
        Ok(LineKind::Option {
            key,
            inline_value: python_strip(&stripped[delimiter + 1..]),
        })
    }

    fn note_unreadable(&mut self, line: usize, message: &str) {
        self.first_unreadable_line
            .get_or_insert_with(|| ParseError {
                line,
                message: message.to_owned(),
            });
    }
}

/// configparser's header pattern `\[(.+)\]` matched at the start of the
/// stripped line: the name runs to the last `]`, and text after it is ignored.
fn header_name(stripped: &str) -> Option<&str> {
    let inside = stripped.strip_prefix('[')?;
    let close = inside.rfind(']')?;
    (close > 0).then(|| &inside[..close])
}

/// Splits into (content, ending) pairs at `\r\n`, `\n` and lone `\r`, as
/// Python's universal newlines do when botocore opens the file.
fn split_lines(body: &str) -> Vec<(&str, &str)> {
    let mut lines = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let Some(break_at) = rest.find(['\r', '\n']) else {
            lines.push((rest, ""));
            break;
        };
        let ending_length = if rest[break_at..].starts_with("\r\n") {
            2
        } else {
            1
        };
        let (line, after) = rest.split_at(break_at + ending_length);
        lines.push(line.split_at(break_at));
        rest = after;
    }
    lines
}

/// Python's `str.isspace()`, which `strip()` and the regex `\s` use: Rust's
/// `char::is_whitespace` plus the four ASCII separators U+001C to U+001F.
fn is_python_whitespace(character: char) -> bool {
    character.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&character)
}

fn python_strip(text: &str) -> &str {
    text.trim_matches(is_python_whitespace)
}

fn leading_whitespace(text: &str) -> &str {
    let rest = text.trim_start_matches(is_python_whitespace);
    &text[..text.len() - rest.len()]
}

/// Indentation is compared in characters, as Python does, not in bytes.
fn char_count(text: &str) -> usize {
    text.chars().count()
}

fn is_ssoenv_comment(line: &Line) -> bool {
    matches!(line.kind, LineKind::Comment)
        && line
            .content
            .trim_start_matches(is_python_whitespace)
            .starts_with(SSOENV_COMMENT_PREFIX)
}

/// The comment line must stay one line and must be recognisable by the next
/// run, whatever the caller passed.
fn ssoenv_comment_line(comment: &str) -> String {
    let one_line: String = comment
        .chars()
        .map(|character| match character {
            '\r' | '\n' => ' ',
            other => other,
        })
        .collect();
    if one_line.starts_with("ssoenv:") {
        format!("# {one_line}")
    } else {
        format!("# ssoenv: {one_line}")
    }
}

/// Collapses keys that configparser would see as one (same name ignoring
/// case), the last pair winning, so the result never has a repeated key.
fn wanted_keys<'k>(keys: &[(&'k str, &'k str)]) -> Vec<WantedKey<'k>> {
    let mut wanted: Vec<WantedKey<'k>> = Vec::with_capacity(keys.len());
    for &(name, value) in keys {
        let lowercase_name = name.to_lowercase();
        match wanted
            .iter_mut()
            .find(|key| key.lowercase_name == lowercase_name)
        {
            Some(earlier) => {
                earlier.name = name;
                earlier.value = value;
            }
            None => wanted.push(WantedKey {
                name,
                lowercase_name,
                value,
            }),
        }
    }
    wanted
}

fn option_line(indentation: &str, key: &WantedKey) -> String {
    format!("{indentation}{} = {}", key.name, key.value)
}

/// Appends one new line, first ending the text's last line if it has no
/// ending yet (a lone CR counts as an ending, and must not get an LF after it).
fn push_added_line(body: &mut String, content: &str, line_ending: &str) {
    if !body.is_empty() && !body.ends_with(['\n', '\r']) {
        body.push_str(line_ending);
    }
    body.push_str(content);
    body.push_str(line_ending);
}

/// The settings of the `edited` sections, grouped by section.
fn by_section<'s, 'a>(
    settings: &'s [Setting<'a>],
    edited: &HashSet<&str>,
) -> HashMap<&'a str, Vec<&'s Setting<'a>>> {
    let mut grouped: HashMap<&'a str, Vec<&'s Setting<'a>>> = HashMap::new();
    for setting in settings {
        if edited.contains(setting.section) {
            grouped.entry(setting.section).or_default().push(setting);
        }
    }
    grouped
}

/// Reads the new text back and refuses it unless every edit reads as asked
/// and everything else as before: the sections no edit names, and in an
/// updated section the options that were neither written nor dropped.
fn check_result(
    original: &Document,
    new_text: &str,
    planned: &[(Edit, Option<SectionSpan>)],
    wanted_by_edit: &[Vec<WantedKey>],
) -> Result<(), ParseError> {
    let refusal = |(edit, span): &(Edit, Option<SectionSpan>)| match edit {
        Edit::Upsert { name, .. } => ParseError {
            line: span
                .as_ref()
                .map_or(original.lines.len() + 1, |span| span.header + 1),
            message: format!(
                "ssoenv could not write [{name}] so that it reads back as written (are the \
                 profile and key names valid?) — the file was left as it was"
            ),
        },
        Edit::Remove { name } => ParseError {
            line: span.as_ref().map_or(1, |span| span.header + 1),
            message: format!(
                "ssoenv could not remove [{name}] without changing other profiles — the file \
                 was left as it was"
            ),
        },
    };
    let Some(first) = planned.first() else {
        return Ok(());
    };
    let rewritten = Document::parse(new_text).map_err(|_| refusal(first))?;
    let edited: HashSet<&str> = planned.iter().map(|(edit, _)| edit.name()).collect();
    let old_settings = original.settings();
    let new_settings = rewritten.settings();
    let untouched = |settings: &[Setting<'_>]| -> Vec<(String, String, String)> {
        settings
            .iter()
            .filter(|setting| !edited.contains(setting.section))
            .map(|setting| {
                (
                    setting.section.to_owned(),
                    setting.key.clone(),
                    setting.value.clone(),
                )
            })
            .collect()
    };
    if untouched(&old_settings) != untouched(&new_settings) {
        return Err(refusal(first));
    }
    let old_by_section = by_section(&old_settings, &edited);
    let new_by_section = by_section(&new_settings, &edited);
    let new_headers = rewritten.headers();
    for (plan, wanted) in planned.iter().zip(wanted_by_edit) {
        let (edit, _) = plan;
        let name = edit.name();
        let old = old_by_section.get(name).map_or(&[][..], Vec::as_slice);
        let new = new_by_section.get(name).map_or(&[][..], Vec::as_slice);
        let reads_as_asked = match edit {
            Edit::Remove { .. } => !new_headers.contains_key(name) && new.is_empty(),
            Edit::Upsert { drop, .. } => {
                let dropped: Vec<String> = drop.iter().map(|key| key.to_lowercase()).collect();
                let is_owned = |key: &str| {
                    dropped.iter().any(|dropped| dropped == key)
                        || wanted.iter().any(|wanted| wanted.lowercase_name == key)
                };
                let kept = |settings: &[&Setting]| -> Vec<(String, String)> {
                    settings
                        .iter()
                        .filter(|setting| !is_owned(&setting.key))
                        .map(|setting| (setting.key.clone(), setting.value.clone()))
                        .collect()
                };
                let all_written = wanted.iter().all(|key| {
                    new.iter().any(|setting| {
                        setting.key == key.lowercase_name
                            && setting.value == python_strip(key.value)
                    })
                });
                let none_dropped_left = new.iter().all(|setting| {
                    !dropped.contains(&setting.key)
                        || wanted.iter().any(|key| key.lowercase_name == setting.key)
                });
                new_headers.get(name).is_some_and(|found| found.len() == 1)
                    && all_written
                    && none_dropped_left
                    && kept(old) == kept(new)
            }
        };
        if !reads_as_asked {
            return Err(refusal(plan));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const COMMENT: &str = "ssoenv: expires 2030-01-01T00:00:00Z";
    const KEYS: &[(&str, &str)] = &[
        ("aws_access_key_id", "ASIAEXAMPLE"),
        ("aws_secret_access_key", "wJalr/K7MDENG+bPxRfiCY"),
        ("aws_session_token", "FwoGZXIvYXdzEB0aDA=="),
    ];

    /// What `upsert` appends for `KEYS` and `COMMENT`.
    fn appended_section(name: &str, line_ending: &str) -> String {
        format!(
            "[{name}]{line_ending}# {COMMENT}{line_ending}\
             aws_access_key_id = ASIAEXAMPLE{line_ending}\
             aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY{line_ending}\
             aws_session_token = FwoGZXIvYXdzEB0aDA=={line_ending}"
        )
    }

    fn upserted(text: &str, name: &str) -> String {
        match upsert(text, name, KEYS, COMMENT) {
            Ok(new_text) => new_text,
            Err(error) => panic!("upsert failed on {text:?}: {error}"),
        }
    }

    fn error_line(result: Result<impl fmt::Debug, ParseError>) -> usize {
        match result {
            Ok(value) => panic!("expected an error, got {value:?}"),
            Err(error) => error.line,
        }
    }

    // ---- inspecting ------------------------------------------------------

    #[test]
    fn inspect_names_the_keys_and_the_writer() {
        let text = "[mine]\nAWS_Access_Key_Id = AKID\nregion: eu-west-1\n";
        assert_eq!(
            inspect(text, "mine"),
            Ok(Some(SectionInfo {
                keys: vec!["aws_access_key_id".to_owned(), "region".to_owned()],
                written_by_ssoenv: false,
            }))
        );
        let written = upserted(text, "sso");
        assert_eq!(
            inspect(&written, "sso").map(|info| info.map(|i| i.written_by_ssoenv)),
            Ok(Some(true))
        );
        assert_eq!(inspect(text, "absent"), Ok(None));
    }

    // ---- appending -------------------------------------------------------

    #[test]
    fn appending_to_an_empty_file_writes_only_the_section() {
        assert_eq!(upserted("", "sso"), appended_section("sso", "\n"));
    }

    #[test]
    fn appending_after_a_final_line_ending_leaves_one_blank_line() {
        let text = "[default]\nregion = eu-west-1\n";
        let expected = format!("{text}\n{}", appended_section("sso", "\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(&expected, "sso"), Ok(Some(text.to_owned())));
    }

    #[test]
    fn appending_to_a_file_without_final_line_ending_finishes_its_last_line() {
        let text = "[default]\nregion = eu-west-1";
        let expected = format!("{text}\n{}", appended_section("sso", "\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(&expected, "sso"), Ok(Some(text.to_owned())));
    }

    #[test]
    fn appending_to_a_file_ending_in_whitespace_without_line_ending_round_trips() {
        let text = "[default]\nregion = x\n   ";
        let expected = format!("{text}\n{}", appended_section("sso", "\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(&expected, "sso"), Ok(Some(text.to_owned())));
    }

    #[test]
    fn appending_to_a_crlf_file_uses_crlf() {
        let text = "[default]\r\nregion = eu-west-1\r\n";
        let expected = format!("{text}\r\n{}", appended_section("sso", "\r\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(&expected, "sso"), Ok(Some(text.to_owned())));
    }

    #[test]
    fn one_crlf_anywhere_makes_added_lines_crlf() {
        let text = "[default]\nregion = x\r\n[work]\nregion = y";
        let expected = format!("{text}\r\n{}", appended_section("sso", "\r\n"));
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn byte_order_mark_is_kept_and_not_read_as_text() {
        assert_eq!(
            upserted("\u{feff}", "sso"),
            format!("\u{feff}{}", appended_section("sso", "\n"))
        );
        let text = "\u{feff}[sso]\nregion = x\n";
        let expected = "\u{feff}[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\nregion = x\n\
                        aws_access_key_id = ASIAEXAMPLE\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n";
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(
            remove(expected, "sso"),
            Ok(Some("\u{feff}".to_owned())),
            "everything but the mark was the section"
        );
        assert_eq!(
            error_line(upsert("\u{feff}region = x\n", "sso", KEYS, COMMENT)),
            1
        );
    }

    #[test]
    fn section_names_are_compared_exactly() {
        let text = "[SSO]\nx = 1\n[ sso ]\ny = 2\n";
        let expected = format!("{text}\n{}", appended_section("sso", "\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(text, "sso"), Ok(None));
        assert_eq!(
            remove(text, " sso "),
            Ok(Some("[SSO]\nx = 1\n".to_owned())),
            "configparser keeps the spaces inside the brackets as part of the name"
        );
    }

    #[test]
    fn text_after_the_closing_bracket_is_ignored_like_configparser_does() {
        let text = "[sso] ; temporary\nregion = x\n";
        let expected = "[sso] ; temporary\n# ssoenv: expires 2030-01-01T00:00:00Z\nregion = x\n\
                        aws_access_key_id = ASIAEXAMPLE\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    // ---- updating in place ----------------------------------------------

    #[test]
    fn updating_a_section_in_the_middle_keeps_everything_else() {
        let text = "# my own keys\n[default]\naws_access_key_id = MINE\n\n\
                    [sso]\n# ssoenv: expires 2020-01-01\naws_access_key_id = OLD\n\
                    region = us-east-1\n; keep this note\naws_secret_access_key = OLDSECRET\n\
                    aws_session_token = OLDTOKEN\n\n# work account\n[work]\nregion = eu-central-1\n";
        let expected = "# my own keys\n[default]\naws_access_key_id = MINE\n\n\
                        [sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n\
                        aws_access_key_id = ASIAEXAMPLE\nregion = us-east-1\n; keep this note\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n\n\
                        # work account\n[work]\nregion = eu-central-1\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn keys_written_with_colons_odd_spacing_or_capitals_are_replaced() {
        // The first key is indented; it keeps that indentation, or the lines
        // below it would keep theirs and become continuation lines.
        let text = "[sso]\n  AWS_ACCESS_KEY_ID:old\n  Aws_Secret_Access_Key\t=   old  \n  \
                    aws_session_token :old\n";
        let expected = "[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n  \
                        aws_access_key_id = ASIAEXAMPLE\n  \
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n  \
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn continuation_lines_of_a_replaced_key_are_removed() {
        let text = "[sso]\naws_session_token =\n  part-one\n\n# inside the value\n  part-two\n\
                    region = x\n";
        let expected = "[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n\n# inside the value\n\
                        region = x\naws_access_key_id = ASIAEXAMPLE\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn missing_keys_go_after_the_last_option_not_after_trailing_comments() {
        let text = "[sso]\nregion = x\n  more\n\n# the work profile\n[work]\nregion = y\n";
        let expected = "[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\nregion = x\n  more\n\
                        aws_access_key_id = ASIAEXAMPLE\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n\n\
                        # the work profile\n[work]\nregion = y\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn each_kept_line_keeps_its_own_line_ending() {
        let text = "[sso]\r\nregion = x\naws_access_key_id = OLD\r\n";
        let expected = "[sso]\r\n# ssoenv: expires 2030-01-01T00:00:00Z\r\nregion = x\n\
                        aws_access_key_id = ASIAEXAMPLE\r\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\r\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\r\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn a_replaced_last_line_without_ending_stays_without_one() {
        let text = "[sso]\n# ssoenv: old\naws_access_key_id = OLD";
        let expected = "[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n\
                        aws_access_key_id = ASIAEXAMPLE\n\
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n\
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n";
        assert_eq!(upserted(text, "sso"), expected);
        let all_present = "[sso]\naws_session_token=1\naws_secret_access_key=2\n\
                           aws_access_key_id=3";
        assert!(upserted(all_present, "sso").ends_with("aws_access_key_id = ASIAEXAMPLE"));
    }

    #[test]
    fn a_header_without_line_ending_gets_one_before_the_new_lines() {
        assert_eq!(upserted("[sso]", "sso"), appended_section("sso", "\n"));
    }

    #[test]
    fn an_existing_ssoenv_comment_is_replaced_and_a_user_comment_kept() {
        let text = "[sso]\n# ssoenv: old run\n# mine\nregion = x\n";
        let once = upserted(text, "sso");
        assert!(once.starts_with("[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n# mine\n"));
        assert_eq!(once.matches("# ssoenv:").count(), 1);
        let text = "[sso]\n# mine\nregion = x\n";
        assert!(
            upserted(text, "sso")
                .starts_with("[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n# mine\n")
        );
    }

    #[test]
    fn upserting_twice_equals_upserting_once_with_the_second_values() {
        let text = "[default]\nregion = x\n\n[sso]\nregion = y\n\n[work]\nx = 1";
        let first = upsert(text, "sso", &[("aws_access_key_id", "ONE")], "ssoenv: one");
        let second = first.and_then(|first| upsert(&first, "sso", KEYS, COMMENT));
        assert_eq!(second, Ok(upserted(text, "sso")));
    }

    #[test]
    fn new_keys_keep_an_indented_next_header_a_header() {
        let text = "[sso]\n  [work]\nregion = y\n";
        let expected = "[sso]\n# ssoenv: expires 2030-01-01T00:00:00Z\n  \
                        aws_access_key_id = ASIAEXAMPLE\n  \
                        aws_secret_access_key = wJalr/K7MDENG+bPxRfiCY\n  \
                        aws_session_token = FwoGZXIvYXdzEB0aDA==\n  [work]\nregion = y\n";
        assert_eq!(upserted(text, "sso"), expected);
    }

    #[test]
    fn a_deeper_indented_header_is_a_continuation_line() {
        // `  [sso]` continues the value of x, so there is no [sso] yet.
        let text = "[a]\nx = 1\n  [sso]\n";
        let expected = format!("{text}\n{}", appended_section("sso", "\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(text, "sso"), Ok(None));
    }

    #[test]
    fn repeated_keys_in_the_request_are_written_once_with_the_last_value() {
        let result = upsert("", "sso", &[("k", "1"), ("K", "2")], COMMENT);
        assert_eq!(result, Ok(format!("[sso]\n# {COMMENT}\nK = 2\n")));
    }

    #[test]
    fn a_comment_with_line_breaks_stays_one_line_and_recognisable() {
        let result = upsert("", "sso", &[], "expires\nsoon");
        assert_eq!(result, Ok("[sso]\n# ssoenv: expires soon\n".to_owned()));
    }

    #[test]
    fn unicode_names_and_values_are_kept() {
        let text = "[café]\nrégion = 東京\n";
        let result = upsert(text, "日本", &[("aws_access_key_id", "ключ")], "ssoenv: ü");
        let expected = "[café]\nrégion = 東京\n\n[日本]\n# ssoenv: ü\naws_access_key_id = ключ\n";
        assert_eq!(result, Ok(expected.to_owned()));
        assert_eq!(remove(expected, "日本"), Ok(Some(text.to_owned())));
    }

    #[test]
    fn lone_carriage_returns_end_lines_as_in_python() {
        let text = "[a]\rx = 1\r";
        // An LF after the last CR would fuse with it, so the blank line is a CR.
        let expected = format!("{text}\r{}", appended_section("sso", "\n"));
        assert_eq!(upserted(text, "sso"), expected);
        assert_eq!(remove(&expected, "sso"), Ok(Some(text.to_owned())));
        assert_eq!(
            error_line(upsert("[a]\rx = 1\rjunk\r", "a", KEYS, COMMENT)),
            3
        );
    }

    #[test]
    fn several_default_sections_are_allowed_but_cannot_be_the_target() {
        let text = "[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n";
        assert!(upsert(text, "sso", KEYS, COMMENT).is_ok());
        assert_eq!(error_line(upsert(text, "DEFAULT", KEYS, COMMENT)), 3);
        assert_eq!(error_line(remove(text, "DEFAULT")), 3);
        // The shared defaults count as one section for repeated keys.
        assert_eq!(
            error_line(remove("[DEFAULT]\nx = 1\n[DEFAULT]\nX = 2\n", "a")),
            4
        );
    }

    // ---- removing --------------------------------------------------------

    #[test]
    fn removing_a_section_in_the_middle_takes_one_empty_line_before_it() {
        let text = "[default]\nregion = x\n\n[sso]\n# ssoenv: c\naws_access_key_id = A\n\n\
                    # work account\n[work]\nregion = y\n";
        let expected = "[default]\nregion = x\n\n# work account\n[work]\nregion = y\n";
        assert_eq!(remove(text, "sso"), Ok(Some(expected.to_owned())));
    }

    #[test]
    fn removing_keeps_comments_after_the_last_option() {
        let text = "[sso]\nregion = x\n  continued\n# about the next one\n\n[b]\ny = 1\n";
        let expected = "# about the next one\n\n[b]\ny = 1\n";
        assert_eq!(remove(text, "sso"), Ok(Some(expected.to_owned())));
    }

    #[test]
    fn removing_a_users_last_section_keeps_the_preceding_line_ending() {
        let text = "[a]\nx = 1\n[sso]\nk = v\n";
        assert_eq!(remove(text, "sso"), Ok(Some("[a]\nx = 1\n".to_owned())));
        let text = "[a]\nx = 1\n[sso]\n# ssoenv: c\nk = v\n";
        assert_eq!(
            remove(text, "sso"),
            Ok(Some("[a]\nx = 1".to_owned())),
            "an ssoenv section at the end, without an empty line before it, was appended \
             to a file without final line ending"
        );
    }

    #[test]
    fn removing_a_missing_section_returns_none() {
        assert_eq!(remove("", "sso"), Ok(None));
        assert_eq!(remove("[a]\nx = 1\n", "sso"), Ok(None));
    }

    #[test]
    fn removing_unindents_a_next_header_that_would_become_a_continuation() {
        let text = "[a]\nx = 1\n[sso]\n  [work]\nregion = y\n";
        let expected = "[a]\nx = 1\n[work]\nregion = y\n";
        assert_eq!(remove(text, "sso"), Ok(Some(expected.to_owned())));
    }

    #[test]
    fn removing_keeps_crlf_endings() {
        let text = "[a]\r\nx = 1\r\n\r\n[sso]\r\n# ssoenv: c\r\nk = v\r\n";
        assert_eq!(remove(text, "sso"), Ok(Some("[a]\r\nx = 1\r\n".to_owned())));
    }

    // ---- refusing --------------------------------------------------------

    #[test]
    fn a_repeated_section_is_refused_with_its_line() {
        let text = "[a]\nx = 1\n[b]\n[a]\n";
        assert_eq!(error_line(upsert(text, "sso", KEYS, COMMENT)), 4);
        assert_eq!(error_line(remove(text, "b")), 4);
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_line() {
        let text = "[a]\nRegion = x\n\nregion: y\n";
        assert_eq!(error_line(upsert(text, "a", KEYS, COMMENT)), 4);
    }

    #[test]
    fn a_key_before_any_section_is_refused() {
        let result = upsert("\n# fine\nregion = x\n[a]\n", "a", KEYS, COMMENT);
        assert_eq!(error_line(result), 3);
    }

    #[test]
    fn an_unreadable_line_is_refused_with_its_line_and_a_fix() {
        let result = upsert("[a]\nx = 1\njust some words\n", "sso", KEYS, COMMENT);
        let Err(error) = result else {
            panic!("expected an error, got {result:?}");
        };
        assert_eq!(
            error.to_string(),
            "line 3: cannot read this line — write it as key = value, or start comments with #"
        );
        assert_eq!(error_line(remove("[a]\n= 1\n", "a")), 2);
        assert_eq!(error_line(remove("[a]\n[]\n", "a")), 2);
    }

    #[test]
    fn a_repeat_is_reported_before_an_earlier_unreadable_line_like_configparser() {
        assert_eq!(error_line(remove("[a]\njunk\n[a]\n", "a")), 3);
        assert_eq!(error_line(remove("[a]\njunk\n[b]\nmore junk\n", "a")), 2);
    }

    #[test]
    fn invalid_names_are_refused_rather_than_written() {
        // `[]` is not a header to configparser, so the result would not parse.
        assert!(upsert("", "", KEYS, COMMENT).is_err());
        assert!(upsert("", "sso", &[("#key", "v")], COMMENT).is_err());
    }

    #[test]
    fn python_whitespace_includes_the_ascii_separators() {
        assert!(is_python_whitespace('\u{1c}'));
        assert!(is_python_whitespace('\u{3000}'));
        assert!(!is_python_whitespace('\u{feff}'));
        let text = "[a]\n\u{1f}x = 1\n";
        assert!(upsert(text, "a", KEYS, COMMENT).is_ok());
    }

    // ---- generated files -------------------------------------------------

    pub(crate) mod generated {
        use super::super::*;
        use proptest::prelude::*;
        use proptest::sample::{Index, select};

        /// An option's lower-cased key (empty for a filler line) and its lines.
        type OptionItem = (String, Vec<String>);
        /// A section's name, its header line with `{}` for the name, and its
        /// items.
        type GeneratedSection = (String, String, Vec<OptionItem>);

        /// A well-formed credentials file (mostly: a rare indented header can
        /// turn into a continuation line and bring in a repeated key).
        pub fn credentials_text() -> impl Strategy<Value = String> {
            let sections = prop::collection::vec(section_lines(), 0..5);
            let preamble = prop::collection::vec(filler_line(), 0..3);
            (
                preamble,
                sections,
                line_endings(),
                prop::bool::weighted(0.2),
                prop::bool::weighted(0.75),
            )
                .prop_flat_map(
                    |(preamble, sections, endings, byte_order_mark, final_ending)| {
                        let lines = assemble(preamble, sections);
                        let count = lines.len();
                        (
                            Just(lines),
                            prop::collection::vec(select(endings), count),
                            Just(byte_order_mark),
                            Just(final_ending),
                        )
                    },
                )
                .prop_map(|(lines, endings, byte_order_mark, final_ending)| {
                    join_lines(&lines, &endings, byte_order_mark, final_ending)
                })
        }

        pub fn join_lines(
            lines: &[String],
            endings: &[&str],
            byte_order_mark: bool,
            final_ending: bool,
        ) -> String {
            let mut text = String::new();
            if byte_order_mark {
                text.push_str(BYTE_ORDER_MARK);
            }
            for (index, (line, ending)) in lines.iter().zip(endings).enumerate() {
                text.push_str(line);
                if final_ending || index + 1 < lines.len() {
                    text.push_str(ending);
                }
            }
            text
        }

        fn line_endings() -> impl Strategy<Value = Vec<&'static str>> {
            prop_oneof![
                4 => Just(vec!["\n"]),
                3 => Just(vec!["\r\n"]),
                2 => Just(vec!["\n", "\r\n"]),
                1 => Just(vec!["\n", "\r\n", "\r"]),
            ]
        }

        pub fn section_name() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => "[A-Za-z0-9_.@-]{1,10}",
                1 => select(vec![
                    "default", "prod-é", "日本語", "ünï_cødé", "Ωmega", "DEFAULT", "a.b@c",
                ])
                    .prop_map(str::to_owned),
            ]
        }

        fn indentation(deeper: bool) -> impl Strategy<Value = &'static str> {
            if deeper {
                select(vec!["  ", "\t\t", "    ", "\u{3000}\u{3000}", " \t "])
            } else {
                select(vec!["", "", "", "", "", " "])
            }
        }

        fn filler_line() -> impl Strategy<Value = String> {
            prop_oneof![
                3 => select(vec!["", "", "  ", "\t"]).prop_map(str::to_owned),
                3 => (select(vec!["#", ";", "  #", "\t;", "# ssoenv: stale"]), "[^\r\n]{0,12}")
                    .prop_map(|(prefix, text)| format!("{prefix}{text}")),
            ]
        }

        fn value_text() -> impl Strategy<Value = String> {
            prop_oneof![
                2 => "[A-Za-z0-9+/=]{0,24}",
                1 => "[^\r\n]{0,12}",
            ]
        }

        /// An option line with its continuation lines (and fillers between
        /// them), with its lower-cased key so a section can skip repeats.
        fn option_lines() -> impl Strategy<Value = OptionItem> {
            let key = select(vec![
                "region",
                "output",
                "aws_access_key_id",
                "AWS_SECRET_ACCESS_KEY",
                "Aws_Session_Token",
                "credential_process",
                "mfa serial",
                "ключ",
                "x",
            ]);
            let spacing = select(vec!["", " ", "  ", "\t"]);
            let continuation = prop_oneof![
                2 => (indentation(true), "[^\r\n]{1,12}")
                    .prop_map(|(indent, text)| format!("{indent}{text}")),
                1 => filler_line(),
            ];
            (
                indentation(false),
                key,
                spacing.clone(),
                select(vec!["=", ":"]),
                spacing,
                value_text(),
                prop::collection::vec(continuation, 0..3),
            )
                .prop_map(|(indent, key, before, delimiter, after, value, more)| {
                    let mut lines = vec![format!("{indent}{key}{before}{delimiter}{after}{value}")];
                    lines.extend(more);
                    (key.to_lowercase(), lines)
                })
        }

        fn section_lines() -> impl Strategy<Value = GeneratedSection> {
            let header_style = prop_oneof![
                12 => Just(("", "")),
                1 => Just((" ", " ")),
                1 => Just(("", "  ; note")),
                1 => Just(("\t", "")),
            ];
            let item = prop_oneof![
                3 => option_lines(),
                2 => filler_line().prop_map(|line| (String::new(), vec![line])),
            ];
            (
                section_name(),
                header_style,
                prop::collection::vec(item, 0..6),
            )
                .prop_map(|(name, (before, after), items)| {
                    (name, format!("{before}[{{}}]{after}"), items)
                })
        }

        /// Builds the lines, renaming repeated sections and dropping repeated
        /// keys so that the file stays readable.
        fn assemble(preamble: Vec<String>, sections: Vec<GeneratedSection>) -> Vec<String> {
            let mut lines = preamble;
            let mut names: Vec<String> = Vec::new();
            for (index, (name, header_pattern, items)) in sections.into_iter().enumerate() {
                let name = if names.contains(&name) {
                    format!("{name}-{index}")
                } else {
                    name
                };
                lines.push(header_pattern.replace("{}", &name));
                names.push(name);
                let mut keys: Vec<String> = Vec::new();
                for (key, item_lines) in items {
                    if !key.is_empty() {
                        if keys.contains(&key) {
                            continue;
                        }
                        keys.push(key);
                    }
                    lines.extend(item_lines);
                }
            }
            lines
        }

        pub fn key_values() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(
                prop_oneof![
                    3 => "[A-Za-z0-9+/=]{0,40}",
                    1 => "[^\r\n\0]{0,16}",
                ],
                3,
            )
        }

        pub fn comment() -> impl Strategy<Value = String> {
            "[^\r\n]{0,20}".prop_map(|text| format!("ssoenv: {text}"))
        }

        pub fn pick_name() -> impl Strategy<Value = (Index, bool, String)> {
            (any::<Index>(), prop::bool::weighted(0.7), section_name())
        }

        /// A file from a small vocabulary full of configparser's edge cases,
        /// often unreadable, to compare this parser with Python's.
        pub fn tricky_text() -> impl Strategy<Value = String> {
            let indent = select(vec![
                "", "", "", "", " ", "  ", "\t", "\u{3000}", "\u{1c}", "\u{85}", "\u{a0}", "\u{b}",
            ]);
            let name = select(vec!["a", "b", "A", "DEFAULT", "default", " a ", "日本"]);
            let key = select(vec!["k", "K", "region", "aws_access_key_id", "x y", "ключ"]);
            let line = prop_oneof![
                3 => (indent.clone(), name, select(vec!["", "", " ; c", "x]", " ]"]))
                    .prop_map(|(indent, name, tail)| format!("{indent}[{name}]{tail}")),
                6 => (indent.clone(), key, select(vec!["=", ":", " = ", "\t: "]), "[^\r\n]{0,6}")
                    .prop_map(|(indent, key, delimiter, value)| {
                        format!("{indent}{key}{delimiter}{value}")
                    }),
                1 => (indent, "[^\r\n]{0,8}").prop_map(|(indent, text)| format!("{indent}{text}")),
                3 => select(vec![
                    "", "", "  ", "#c", ";c", "  # c", "# ssoenv: old", "[]", "[a", "= v",
                    ": v", "garbage", "]", "[]]", "\u{feff}[a]",
                ])
                .prop_map(str::to_owned),
            ];
            (
                prop::bool::weighted(0.8),
                prop::collection::vec(line, 0..12),
                line_endings(),
                any::<bool>(),
                prop::bool::weighted(0.8),
            )
                .prop_flat_map(
                    |(header_first, mut lines, endings, byte_order_mark, final_ending)| {
                        if header_first {
                            lines.insert(0, "[a]".to_owned());
                        }
                        let count = lines.len();
                        (
                            Just(lines),
                            prop::collection::vec(select(endings), count),
                            Just(byte_order_mark),
                            Just(final_ending),
                        )
                    },
                )
                .prop_map(|(lines, endings, byte_order_mark, final_ending)| {
                    join_lines(&lines, &endings, byte_order_mark, final_ending)
                })
        }
    }

    /// Section names in header order, as this parser reads `text`.
    fn section_names(text: &str) -> Vec<String> {
        match Document::parse(text) {
            Ok(document) => document
                .lines
                .iter()
                .filter_map(|line| match line.kind {
                    LineKind::Header { section } => Some(section.to_owned()),
                    _ => None,
                })
                .collect(),
            Err(error) => panic!("{text:?} does not parse: {error}"),
        }
    }

    /// The lines (with endings) before the first header, then those of each
    /// section from its header to the next.
    fn blocks(text: &str) -> Vec<(Option<String>, Vec<String>)> {
        let Ok(document) = Document::parse(text) else {
            panic!("{text:?} does not parse");
        };
        let mut blocks = vec![(None, Vec::new())];
        for line in &document.lines {
            if let LineKind::Header { section } = line.kind {
                blocks.push((Some(section.to_owned()), Vec::new()));
            }
            if let Some((_, lines)) = blocks.last_mut() {
                lines.push(format!("{}{}", line.content, line.ending));
            }
        }
        blocks
    }

    /// The lines of `[name]` that upsert must keep, without their endings:
    /// not blank, not ssoenv's comment, not one of `keys` or its continuation.
    fn kept_lines_of(text: &str, name: &str, keys: &[(&str, &str)]) -> Vec<String> {
        let Ok(document) = Document::parse(text) else {
            panic!("{text:?} does not parse");
        };
        let Ok(Some(section)) = document.find_section(name) else {
            return Vec::new();
        };
        let is_wanted = |index: usize| {
            matches!(&document.lines[index].kind, LineKind::Option { key, .. }
                if keys.iter().any(|(wanted, _)| wanted.to_lowercase() == *key))
        };
        (section.header + 1..section.end)
            .filter(|&index| Some(index) != section.ssoenv_comment)
            .filter(|&index| match document.lines[index].kind {
                LineKind::Blank => false,
                LineKind::Option { .. } => !is_wanted(index),
                LineKind::Continuation { option_index } => !is_wanted(option_index),
                _ => true,
            })
            .map(|index| document.lines[index].content.to_owned())
            .collect()
    }

    fn owned_settings(text: &str) -> Vec<(String, String, String)> {
        let Ok(document) = Document::parse(text) else {
            panic!("{text:?} does not parse");
        };
        document
            .settings()
            .into_iter()
            .map(|setting| (setting.section.to_owned(), setting.key, setting.value))
            .collect()
    }

    fn choose_target(text: &str, (index, existing, fresh): &(Index, bool, String)) -> String {
        let names = section_names(text);
        if *existing && !names.is_empty() {
            names[index.index(names.len())].clone()
        } else {
            fresh.clone()
        }
    }

    fn as_pairs(values: &[String]) -> Vec<(&'static str, &str)> {
        [
            "aws_access_key_id",
            "aws_secret_access_key",
            "aws_session_token",
        ]
        .into_iter()
        .zip(values.iter().map(String::as_str))
        .collect()
    }

    use proptest::prelude::*;
    use proptest::sample::Index;
    use proptest::test_runner::TestCaseError;

    fn parses(text: &str) -> bool {
        Document::parse(text).is_ok()
    }

    fn upsert_or_fail(
        text: &str,
        name: &str,
        keys: &[(&str, &str)],
        comment: &str,
    ) -> Result<String, TestCaseError> {
        upsert(text, name, keys, comment)
            .map_err(|error| TestCaseError::fail(format!("upsert failed: {error}")))
    }

    // ---- several edits at once ---------------------------------------------

    /// `apply`'s promise, done the slow way: removals last section first,
    /// then updates, then additions, one call each.
    fn one_at_a_time(text: &str, edits: &[Edit]) -> Result<String, ParseError> {
        let document = Document::parse(text)?;
        let headers = document.headers();
        let position = |name: &str| headers.get(name).map(|found| found[0]);
        let mut removals: Vec<&str> = edits
            .iter()
            .filter_map(|edit| match edit {
                Edit::Remove { name } => position(name).map(|_| *name),
                Edit::Upsert { .. } => None,
            })
            .collect();
        removals.sort_by_key(|name| std::cmp::Reverse(position(name)));
        let mut text = text.to_owned();
        for name in removals {
            text = remove(&text, name)?.expect("the section is there");
        }
        let (updates, additions): (Vec<&Edit>, Vec<&Edit>) = edits
            .iter()
            .filter(|edit| matches!(edit, Edit::Upsert { .. }))
            .partition(|edit| position(edit.name()).is_some());
        for edit in updates.into_iter().chain(additions) {
            text = apply(&text, &[*edit])?;
        }
        Ok(text)
    }

    #[test]
    fn several_edits_in_one_pass() {
        let text = "[default]\nregion = eu-west-1\n\n[profile old]\n# ssoenv: synced\n\
                    sso_account_id = 1\n\n[profile kept]\n# ssoenv: synced\nsso_account_id = 2\n\
                    mine = yes\n";
        let keys: &[(&str, &str)] = &[("sso_account_id", "3"), ("sso_role_name", "R")];
        let edits = [
            Edit::Remove {
                name: "profile old",
            },
            Edit::Upsert {
                name: "profile kept",
                keys,
                drop: &["credential_process"],
                comment: "ssoenv: synced",
            },
            Edit::Upsert {
                name: "profile new",
                keys,
                drop: &[],
                comment: "ssoenv: synced",
            },
        ];
        assert_eq!(
            apply(text, &edits).unwrap(),
            "[default]\nregion = eu-west-1\n\n[profile kept]\n# ssoenv: synced\n\
             sso_account_id = 3\nmine = yes\nsso_role_name = R\n\n[profile new]\n\
             # ssoenv: synced\nsso_account_id = 3\nsso_role_name = R\n"
        );
    }

    #[test]
    fn dropped_keys_go_with_their_continuation_lines() {
        let text = "[p]\n# ssoenv: x\nsso_account_id = 1\ncredential_process = a\n  b\nmine = 1\n";
        let edits = [Edit::Upsert {
            name: "p",
            keys: &[("sso_account_id", "1")],
            drop: &["Credential_Process"],
            comment: "ssoenv: x",
        }];
        assert_eq!(
            apply(text, &edits).unwrap(),
            "[p]\n# ssoenv: x\nsso_account_id = 1\nmine = 1\n"
        );
    }

    #[test]
    fn removing_every_appended_section_gives_back_a_file_without_final_newline() {
        let text = "[a]\nx = 1";
        let keys: &[(&str, &str)] = &[("k", "v")];
        let added: Vec<String> = (0..3).map(|n| format!("profile n{n}")).collect();
        let upserts: Vec<Edit> = added
            .iter()
            .map(|name| Edit::Upsert {
                name,
                keys,
                drop: &[],
                comment: "ssoenv: synced",
            })
            .collect();
        let written = apply(text, &upserts).unwrap();
        assert_eq!(
            written,
            "[a]\nx = 1\n[profile n0]\n# ssoenv: synced\nk = v\n\n[profile n1]\n\
             # ssoenv: synced\nk = v\n\n[profile n2]\n# ssoenv: synced\nk = v\n"
        );
        let removals: Vec<Edit> = added.iter().map(|name| Edit::Remove { name }).collect();
        assert_eq!(apply(&written, &removals).unwrap(), text);
    }

    #[test]
    fn sections_lists_every_section_with_its_comment_and_values() {
        let text = "[default]\nregion = x\n[profile p]\n# ssoenv: synced from dev\nK = a\n  b\n";
        let found = sections(text).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "default");
        assert_eq!(found[0].ssoenv_comment, None);
        assert_eq!(found[1].line, 3);
        assert_eq!(
            found[1].ssoenv_comment.as_deref(),
            Some("ssoenv: synced from dev")
        );
        assert_eq!(found[1].get("k"), Some("a\nb"));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn many_edits_at_once_read_as_the_same_edits_one_at_a_time(
            text in generated::credentials_text(),
            picks in prop::collection::vec((generated::pick_name(), 0..3u8), 0..6),
            values in generated::key_values(),
            comment in generated::comment(),
        ) {
            prop_assume!(parses(&text));
            let keys = as_pairs(&values);
            let mut names: Vec<String> = Vec::new();
            let mut kinds = Vec::new();
            for (pick, kind) in &picks {
                let name = choose_target(&text, pick);
                if name != SHARED_DEFAULTS_SECTION && !names.contains(&name) {
                    names.push(name);
                    kinds.push(*kind);
                }
            }
            let edits: Vec<Edit> = names
                .iter()
                .zip(&kinds)
                .map(|(name, kind)| match kind {
                    0 => Edit::Remove { name },
                    1 => Edit::Upsert { name, keys: &keys, drop: &[], comment: &comment },
                    _ => Edit::Upsert {
                        name,
                        keys: &keys[..1],
                        drop: &["aws_session_token"],
                        comment: &comment,
                    },
                })
                .collect();
            let expected = one_at_a_time(&text, &edits);
            prop_assume!(expected.is_ok());
            // Bytes can differ in corner cases (a line ending of a lone-CR
            // file, or a stale `# ssoenv:` comment that a removal moves under
            // another header); what the AWS tools read may not.
            let reading = |text: &str| {
                sections(text).map(|found| {
                    found
                        .into_iter()
                        .map(|section| (section.name, section.options))
                        .collect::<Vec<_>>()
                })
            };
            let batch = apply(&text, &edits);
            prop_assert!(batch.is_ok(), "apply failed: {:?}", batch);
            prop_assert_eq!(reading(&batch.unwrap()), reading(&expected.unwrap()));
        }

        #[test]
        fn adding_many_sections_then_removing_them_gives_back_the_file_exactly(
            text in generated::credentials_text(),
            count in 1..8usize,
            values in generated::key_values(),
            comment in generated::comment(),
        ) {
            prop_assume!(parses(&text));
            let existing = section_names(&text);
            let names: Vec<String> = (0..count)
                .map(|n| format!("profile added-{n}"))
                .filter(|name| !existing.contains(name))
                .collect();
            let keys = as_pairs(&values);
            let upserts: Vec<Edit> = names
                .iter()
                .map(|name| Edit::Upsert { name, keys: &keys, drop: &[], comment: &comment })
                .collect();
            let written = apply(&text, &upserts)
                .map_err(|error| TestCaseError::fail(format!("apply failed: {error}")))?;
            prop_assert!(written.starts_with(&text), "adding must not change the file before");
            let removals: Vec<Edit> = names.iter().map(|name| Edit::Remove { name }).collect();
            prop_assert_eq!(apply(&written, &removals), Ok(text));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn removing_an_upserted_new_section_gives_back_the_file_exactly(
            text in generated::credentials_text(),
            name in generated::section_name(),
            values in generated::key_values(),
            comment in generated::comment(),
        ) {
            prop_assume!(parses(&text));
            prop_assume!(!section_names(&text).contains(&name));
            let keys = as_pairs(&values);
            let written = upsert_or_fail(&text, &name, &keys, &comment)?;
            prop_assert!(written.starts_with(&text), "appending must not change the file before");
            prop_assert_eq!(remove(&written, &name), Ok(Some(text)));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn generated_files_upserted_twice_equal_upserted_once(
            text in generated::credentials_text(),
            target in generated::pick_name(),
            first_values in generated::key_values(),
            second_values in generated::key_values(),
            first_comment in generated::comment(),
            second_comment in generated::comment(),
        ) {
            prop_assume!(parses(&text));
            let name = choose_target(&text, &target);
            let once = upsert_or_fail(&text, &name, &as_pairs(&first_values), &first_comment)?;
            let twice = upsert_or_fail(&once, &name, &as_pairs(&second_values), &second_comment)?;
            let direct = upsert_or_fail(&text, &name, &as_pairs(&second_values), &second_comment)?;
            prop_assert_eq!(twice, direct);
        }

        #[test]
        fn upsert_writes_the_values_and_leaves_other_sections_alone(
            text in generated::credentials_text(),
            target in generated::pick_name(),
            values in generated::key_values(),
            comment in generated::comment(),
        ) {
            prop_assume!(parses(&text));
            let name = choose_target(&text, &target);
            let keys = as_pairs(&values);
            let written = upsert_or_fail(&text, &name, &keys, &comment)?;

            let settings = owned_settings(&written);
            for (key, value) in &keys {
                let found = settings.iter().find(|(section, found_key, _)| {
                    *section == name && found_key == key
                });
                prop_assert_eq!(
                    found.map(|(_, _, value)| value.as_str()),
                    Some(python_strip(value))
                );
            }
            let expected_sections = {
                let mut names = section_names(&text);
                if !names.contains(&name) {
                    names.push(name.clone());
                }
                names
            };
            prop_assert_eq!(section_names(&written), expected_sections);

            if section_names(&text).contains(&name) {
                let before = blocks(&text);
                let after = blocks(&written);
                prop_assert_eq!(before.len(), after.len());
                for (old, new) in before.iter().zip(&after) {
                    if old.0.as_deref() != Some(name.as_str()) {
                        prop_assert_eq!(old, new);
                    }
                }
                prop_assert_eq!(
                    kept_lines_of(&text, &name, &keys),
                    kept_lines_of(&written, &name, &keys)
                );
            } else {
                prop_assert!(written.starts_with(&text));
            }
            let comment_line = format!("# {comment}");
            let after_header = blocks(&written)
                .into_iter()
                .find(|(section, _)| section.as_deref() == Some(name.as_str()))
                .and_then(|(_, lines)| lines.get(1).cloned());
            prop_assert_eq!(
                after_header.as_deref().map(|line| line.trim_end_matches(['\r', '\n'])),
                Some(comment_line.as_str())
            );
        }

        #[test]
        fn remove_takes_out_only_the_section(
            text in generated::credentials_text(),
            target in generated::pick_name(),
        ) {
            prop_assume!(parses(&text));
            let names = section_names(&text);
            prop_assume!(!names.is_empty());
            let name = choose_target(&text, &(target.0, true, String::new()));
            let removed = remove(&text, &name)
                .map_err(|error| TestCaseError::fail(format!("remove failed: {error}")))?;
            let Some(removed) = removed else {
                return Err(TestCaseError::fail("the section was not found"));
            };
            let expected_names: Vec<String> =
                names.into_iter().filter(|section| *section != name).collect();
            prop_assert_eq!(section_names(&removed), expected_names);
            let expected_settings: Vec<_> = owned_settings(&text)
                .into_iter()
                .filter(|(section, _, _)| *section != name)
                .collect();
            prop_assert_eq!(owned_settings(&removed), expected_settings);
        }
    }

    // ---- against Python's configparser ----------------------------------

    /// What configparser holds after reading `text`, in the same form as the
    /// Python script below prints it: each string as UTF-8 hex.
    fn canonical_reading(text: &str) -> String {
        fn hex(text: &str) -> String {
            text.bytes().map(|byte| format!("{byte:02x}")).collect()
        }
        let document = match Document::parse(text) {
            Ok(document) => document,
            Err(error) => return format!("err {}", error.line),
        };
        let settings = document.settings();
        let mut sections: Vec<&str> = Vec::new();
        for line in &document.lines {
            if let LineKind::Header { section } = line.kind
                && section != SHARED_DEFAULTS_SECTION
                && !sections.contains(&section)
            {
                sections.push(section);
            }
        }
        let mut parts = vec!["ok".to_owned()];
        let options_of = |section: &str| -> Vec<String> {
            settings
                .iter()
                .filter(|setting| setting.section == section)
                .map(|setting| format!("{}={}", hex(&setting.key), hex(&setting.value)))
                .collect()
        };
        for section in sections {
            parts.push(format!("[{}]", hex(section)));
            parts.extend(options_of(section));
        }
        parts.push("{DEFAULT}".to_owned());
        parts.extend(options_of(SHARED_DEFAULTS_SECTION));
        parts.join(" ")
    }

    const PYTHON_READER: &str = r#"
import configparser, os, sys
directory, count = sys.argv[1], int(sys.argv[2])
hexed = lambda text: text.encode("utf-8").hex()
for number in range(count):
    path = os.path.join(directory, f"{number}.ini")
    parser = configparser.RawConfigParser()
    try:
        if parser.read(path, encoding="utf-8-sig") != [path]:
            print("unreadable")
            continue
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError,
            configparser.MissingSectionHeaderError) as error:
        print("err", error.lineno)
        continue
    except configparser.ParsingError as error:
        print("err", error.errors[0][0])
        continue
    parts = ["ok"]
    for section in parser.sections():
        parts.append("[" + hexed(section) + "]")
        parts += [hexed(k) + "=" + hexed(v) for k, v in parser._sections[section].items()]
    parts.append("{DEFAULT}")
    parts += [hexed(k) + "=" + hexed(v) for k, v in parser._defaults.items()]
    print(" ".join(parts))
"#;

    /// Generated files, and upsert's and remove's results for those that
    /// parse, read by configparser itself: it must read each exactly as this
    /// module does (and refuse the same files at the same line), and
    /// upsert's results must hold the written values.
    #[test]
    fn configparser_reads_the_files_as_this_module_does() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;

        if std::process::Command::new("python3")
            .arg("--version")
            .output()
            .is_err()
        {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "python3 is needed on CI to check against configparser"
            );
            println!("skipping: python3 is not installed");
            return;
        }

        let mut runner = TestRunner::deterministic();
        let mut files: Vec<String> = Vec::new();
        let mut upserts = 0;
        let strategy = (
            prop_oneof![generated::credentials_text(), generated::tricky_text()],
            generated::pick_name(),
            generated::key_values(),
            generated::comment(),
        );
        while upserts < 200 {
            let Ok(tree) = strategy.new_tree(&mut runner) else {
                panic!("could not generate a file");
            };
            let (text, target, values, comment) = tree.current();
            files.push(text.clone());
            if !parses(&text) {
                continue;
            }
            let name = choose_target(&text, &target);
            let keys = as_pairs(&values);
            match upsert(&text, &name, &keys, &comment) {
                Ok(written) => {
                    let settings = owned_settings(&written);
                    for (key, value) in &keys {
                        assert!(
                            settings.contains(&(
                                name.clone(),
                                (*key).to_owned(),
                                python_strip(value).to_owned()
                            )),
                            "{key} not written into {written:?}"
                        );
                    }
                    files.push(written);
                    upserts += 1;
                }
                Err(error) => assert!(
                    name == SHARED_DEFAULTS_SECTION && error.message.contains("more than once"),
                    "upsert refused {text:?}: {error}"
                ),
            }
            if let Ok(Some(removed)) = remove(&text, &name) {
                files.push(removed);
            }
        }

        let directory =
            std::env::temp_dir().join(format!("credentials-file-test-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("temporary directory");
        for (number, text) in files.iter().enumerate() {
            std::fs::write(directory.join(format!("{number}.ini")), text).expect("temporary file");
        }
        let output = std::process::Command::new("python3")
            .arg("-c")
            .arg(PYTHON_READER)
            .arg(&directory)
            .arg(files.len().to_string())
            .output()
            .expect("python3 runs");
        std::fs::remove_dir_all(&directory).expect("temporary directory removed");
        assert!(
            output.status.success(),
            "python3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let python_readings = String::from_utf8_lossy(&output.stdout);
        let python_lines: Vec<&str> = python_readings.lines().collect();
        assert_eq!(python_lines.len(), files.len());
        let refused = python_lines
            .iter()
            .filter(|line| line.starts_with("err"))
            .count();
        println!(
            "configparser read {} files ({upserts} upsert results), refused {refused}",
            files.len()
        );
        for (text, python_line) in files.iter().zip(python_lines) {
            assert_eq!(canonical_reading(text), python_line, "for file {text:?}");
        }
    }
}
