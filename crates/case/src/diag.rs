//! Diagnostics: what went wrong in a case file, where, what was expected, and how to fix it.
//!
//! Every problem the reader or the validator finds becomes one [`Diagnostic`]; they are collected,
//! never thrown, so a user sees all of them at once. A diagnostic points into a named source text
//! (the case file or a CSV series it references) by byte span; line and column are computed from
//! that span so plain-text and JSON renderings need no access to the file.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The case cannot be used.
    Error,
    /// The case can be used, but something looks wrong.
    Warning,
}

/// One text a diagnostic may point into (the case file or a CSV file it references).
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The name shown to the user (a path, or `<embedded>/...` for compiled-in files).
    pub name: Arc<str>,
    /// The full text.
    pub text: Arc<str>,
    /// Byte offset of each line's start, built on first use and shared by clones: locating a
    /// diagnostic is then a binary search, not a count from the start of the file (thousands of
    /// diagnostics on a large file would otherwise take quadratic time).
    lines: Arc<OnceLock<Vec<usize>>>,
}

impl PartialEq for SourceText {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.text == other.text
    }
}

impl Eq for SourceText {}

impl SourceText {
    /// A named text.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    /// Byte offsets of the starts of the lines (lines end at `\n`).
    pub fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        })
    }

    /// The 0-based line a byte offset is on.
    pub fn line_of(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The byte range of a 0-based line, without its line break.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let starts = self.line_starts();
        let start = starts.get(line).copied().unwrap_or(self.text.len());
        let end = starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        start..end.max(start)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        // Step back to a char boundary so slicing never panics.
        let mut off = offset;
        while !self.text.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.line_of(off);
        let line_start = self.line_starts()[line];
        let col = self.text[line_start..off].chars().count() + 1;
        (line + 1, col)
    }
}

/// One problem found in a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable machine-readable code, e.g. `case::unknown-actor`.
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file it is in.
    pub file: Arc<str>,
    /// Byte span in that file (absent when the problem concerns the whole file).
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    /// 1-based line of the span start (0 when there is no span).
    pub line: usize,
    /// 1-based column of the span start (0 when there is no span).
    pub column: usize,
    /// A short label printed under the offending text.
    pub label: String,
    /// What was expected there.
    pub expected: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
}

/// A builder used by the reader and the validator to collect diagnostics against one source.
#[derive(Debug)]
pub struct Sink {
    source: SourceText,
    pub(crate) diags: Vec<Diagnostic>,
}

/// A diagnostic under construction; call [`Builder::push`] to record it.
#[must_use = "call .push() to record the diagnostic"]
pub struct Builder<'a> {
    sink: &'a mut Sink,
    diag: Diagnostic,
}

impl Builder<'_> {
    /// What was expected at the location.
    pub fn expected(mut self, e: impl Into<String>) -> Self {
        self.diag.expected = Some(e.into());
        self
    }
    /// How to fix it.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.diag.hint = Some(h.into());
        self
    }
    /// The label under the offending text.
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.diag.label = l.into();
        self
    }
    /// Make it a warning rather than an error.
    pub fn warning(mut self) -> Self {
        self.diag.severity = Severity::Warning;
        self
    }
    /// Record it.
    pub fn push(self) {
        self.sink.diags.push(self.diag);
    }
}

impl Sink {
    /// A sink for problems in `source`.
    pub fn new(source: SourceText) -> Self {
        Self {
            source,
            diags: Vec::new(),
        }
    }

    /// The source this sink points into.
    pub fn source(&self) -> &SourceText {
        &self.source
    }

    /// Start an error at `span`.
    pub fn error(
        &mut self,
        code: &'static str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Builder<'_> {
        let (line, column) = match &span {
            Some(s) => self.source.line_col(s.start),
            None => (0, 0),
        };
        let diag = Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: self.source.name.clone(),
            span,
            line,
            column,
            label: String::from("here"),
            expected: None,
            hint: None,
        };
        Builder { sink: self, diag }
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }

    /// Take the diagnostics out.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }
}

/// The outcome of loading a case that had problems: every diagnostic and every text they point into.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the case has {} error(s)", self.error_count())]
pub struct Problems {
    /// The texts the diagnostics point into.
    pub sources: Vec<SourceText>,
    /// All problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Problems {
    /// Number of errors (warnings excluded).
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// The text a diagnostic points into.
    pub fn source_of(&self, d: &Diagnostic) -> Option<&SourceText> {
        self.sources.iter().find(|s| s.name == d.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let s = SourceText::new("x", "ab\n€cd\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        // '€' is three bytes: byte 6 is 'c', the second character of line 2.
        assert_eq!(s.line_col(6), (2, 2));
        // An offset inside a multi-byte char does not panic.
        assert_eq!(s.line_col(4), (2, 1));
        assert_eq!(s.line_col(999), (3, 1));
    }
}
