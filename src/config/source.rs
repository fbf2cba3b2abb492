//! Config text with a name, and positions in it that users can jump to.
//!
//! Every message about a config value starts with `file:line:col` so editors
//! and terminals can link straight to it. Parsers hand out byte offsets; this
//! module turns them into 1-based lines and 1-based columns counted in
//! characters (not bytes), which is what editors show.

use std::fmt;
use std::io;
use std::path::Path;

use crate::error::{Error, Result};

/// Where a value was written: the displayed file name, line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

impl Location {
    /// An error about this place: `file:line:col: message`.
    pub fn error(&self, message: impl fmt::Display) -> Error {
        Error::new(format!("{self}: {message}"))
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located<T> {
    pub value: T,
    pub at: Location,
}

/// The text of one config file and the name messages use for it.
pub(crate) struct SourceText {
    /// The path as messages show it (`~/…`).
    pub name: String,
    pub text: String,
}

impl SourceText {
    /// The location of byte `offset` (clamped to the text, and to a character boundary).
    pub fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        // A byte-order mark (Windows editors write one) is not a column.
        let line = before[line_start..].trim_start_matches('\u{feff}');
        Location {
            file: self.name.clone(),
            line: before.matches('\n').count() + 1,
            col: line.chars().count() + 1,
        }
    }
}

/// Reads a config file as UTF-8 text; `Ok(None)` when it does not exist.
///
/// Bytes that are not UTF-8 are reported at their line and column, since a
/// stray Latin-1 character pasted from a web page is the usual cause.
pub(crate) fn read_optional(path: &Path, name: &str) -> Result<Option<SourceText>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) if err.kind() == io::ErrorKind::IsADirectory => {
            return Err(Error::new(format!(
                "{name} is a directory, not a file — give the path of the file itself"
            )));
        }
        Err(err) => {
            return Err(Error::new(format!(
                "cannot read {name}: {}",
                io_reason(&err)
            )));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(SourceText {
            name: name.to_owned(),
            text,
        })),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = SourceText {
                name: name.to_owned(),
                // Everything before `valid` is UTF-8 by definition.
                text: String::from_utf8_lossy(&bytes[..valid]).into_owned(),
            };
            Err(prefix
                .location(valid)
                .error("this is not UTF-8 text — save the file as UTF-8"))
        }
    }
}

/// Reads a config file that must exist.
pub(crate) fn read_required(path: &Path, name: &str) -> Result<SourceText> {
    read_optional(path, name)?
        .ok_or_else(|| Error::new(format!("{name} does not exist — check the path")))
}

/// An I/O error in words, without the `(os error N)` suffix users cannot act on.
fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::PermissionDenied => {
            "permission denied — check the file's permissions".to_owned()
        }
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_owned(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceText {
        SourceText {
            name: "f".to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let text = source("a = 1\né = \"x\"\n");
        assert_eq!(text.location(0).to_string(), "f:1:1");
        assert_eq!(text.location(4).to_string(), "f:1:5");
        assert_eq!(text.location(6).to_string(), "f:2:1");
        // `é` is two bytes but one column.
        assert_eq!(text.location(11).to_string(), "f:2:5");
        // Past the end, and inside a multi-byte character, stay in bounds.
        assert_eq!(text.location(1000).to_string(), "f:3:1");
        assert_eq!(text.location(7).to_string(), "f:2:1");
        let with_bom = source("\u{feff}a = 1\n");
        assert_eq!(with_bom.location(3).to_string(), "f:1:1");
    }
}
