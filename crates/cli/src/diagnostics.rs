//! Rendering case problems as rustc-style reports with miette.
//!
//! miette is handed an [`Excerpt`], not the whole file: the few lines around the problem, each cut
//! to a window around the offending text and with control characters (a lone carriage return
//! among them) made visible. That keeps rendering time independent of the file's size (thousands
//! of diagnostics on a large file stay linear) and keeps miette's handler, which cannot lay out a
//! line wider than 65 535 columns, away from the files that used to crash it. Line and column
//! come from the source's line index. At most [`MAX_SHOWN`] diagnostics are printed; the rest are
//! counted.

use std::fmt;
use std::ops::Range;

use leverage_case::{Diagnostic, Loaded, Problems, Severity, SourceText};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

/// How many diagnostics are printed at most; the rest are counted in one closing line.
pub const MAX_SHOWN: usize = 100;

/// Lines longer than this (in bytes) are cut to a window around the offending text.
const MAX_LINE: usize = 240;

/// Where the window of a cut line starts, before the offending text (in bytes).
const WINDOW_BEFORE: usize = 80;

/// A span covering more lines than this is shown on its first line only.
const MAX_SPAN_LINES: usize = 40;

/// The lines around one diagnostic, prepared for miette (see the module documentation).
struct Excerpt {
    name: String,
    /// The excerpt's lines, each with its `\n` when the file has one.
    text: String,
    /// The 0-based line of the file the excerpt starts at.
    first_line: usize,
    /// The label's span inside `text`.
    label: Range<usize>,
    /// The 0-based line and column (in characters) of the diagnostic in the file.
    at: (usize, usize),
}

impl Excerpt {
    fn new(src: &SourceText, span: &Range<usize>, at: (usize, usize)) -> Self {
        let text: &str = &src.text;
        let snap = |mut o: usize| {
            o = o.min(text.len());
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            o
        };
        let start = snap(span.start);
        let mut end = snap(span.end).max(start);
        let start_line = src.line_of(start);
        let mut end_line = src.line_of(end.saturating_sub(1).max(start));
        if end_line - start_line > MAX_SPAN_LINES {
            end_line = start_line;
            end = end.min(src.line_range(start_line).end);
        }
        let last_line = src.line_starts().len() - 1;
        let first = start_line.saturating_sub(1);
        let last = (end_line + 1).min(last_line);
        let mut out = String::new();
        let (mut label_start, mut label_end) = (None, None);
        for line in first..=last {
            let r = src.line_range(line);
            // The part of the line shown: all of it, or a window around the span's start (or
            // end) when the line is too long.
            let anchor = if (r.start..=r.end).contains(&start) {
                start
            } else if (r.start..=r.end).contains(&end) {
                end
            } else {
                r.start
            };
            let (from, to) = if r.end - r.start <= MAX_LINE {
                (r.start, r.end)
            } else {
                let from = snap(anchor.saturating_sub(WINDOW_BEFORE).max(r.start));
                (from, snap((from + MAX_LINE).min(r.end)))
            };
            if from > r.start {
                out.push('…');
            }
            for (i, c) in text[from..to].char_indices() {
                let o = from + i;
                if o == start {
                    label_start = Some(out.len());
                }
                if o == end {
                    label_end = Some(out.len());
                }
                match c {
                    '\r' if o + 1 == r.end => {}
                    '\r' => out.push('␍'),
                    '\t' => out.push(c),
                    c if c.is_control() => out.push('\u{fffd}'),
                    c => out.push(c),
                }
            }
            if to == start {
                label_start = Some(out.len());
            }
            if (line == end_line && label_end.is_none()) || to == end {
                label_end = Some(out.len());
            }
            if to < r.end {
                out.push('…');
            }
            if r.end < text.len() {
                out.push('\n');
            }
        }
        let label_start = label_start.unwrap_or(0);
        let label_end = label_end.unwrap_or(label_start).max(label_start);
        Self {
            name: src.name.to_string(),
            text: out,
            first_line: first,
            label: label_start..label_end,
            at,
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        // The header's line:column is read from the label's own span: give the file's.
        let (line, column) = if span.offset() == self.label.start
            && context_lines_before == 0
            && context_lines_after == 0
        {
            self.at
        } else {
            (inner.line() + self.first_line, inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    src: Option<Excerpt>,
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = match &self.src {
            Some(x) => x.label.clone(),
            None => self.d.span.clone()?,
        };
        let len = span.end.saturating_sub(span.start);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.d.label.clone()),
            span.start,
            len,
        ))))
    }
}

fn handler() -> GraphicalReportHandler {
    use std::io::IsTerminal;
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Render one diagnostic against its source text.
pub fn render_one(d: &Diagnostic, src: Option<&SourceText>) -> String {
    let help = match (&d.expected, &d.hint) {
        (Some(e), Some(h)) => Some(format!("expected {e}\n{h}")),
        (Some(e), None) => Some(format!("expected {e}")),
        (None, Some(h)) => Some(h.clone()),
        (None, None) => None,
    };
    let report = Report {
        d,
        src: src.zip(d.span.as_ref()).map(|(s, span)| {
            Excerpt::new(
                s,
                span,
                (d.line.saturating_sub(1), d.column.saturating_sub(1)),
            )
        }),
        help,
    };
    let mut out = String::new();
    if handler().render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", d.code, d.message);
    }
    // Without a span miette prints no location: say which file it is.
    if d.span.is_none() {
        out.push_str(&format!("  in {}\n", d.file));
    }
    out.push('\n');
    out
}

/// The closing line when diagnostics were left out, or nothing.
fn not_shown(total: usize) -> String {
    if total > MAX_SHOWN {
        format!(
            "... and {} more diagnostic(s) not shown (the first {MAX_SHOWN} are above)\n\n",
            total - MAX_SHOWN
        )
    } else {
        String::new()
    }
}

/// Render the diagnostics of a failed load (the first [`MAX_SHOWN`] of them).
pub fn render(p: &Problems) -> String {
    let mut out: String = p
        .diagnostics
        .iter()
        .take(MAX_SHOWN)
        .map(|d| render_one(d, p.source_of(d)))
        .collect();
    out.push_str(&not_shown(p.diagnostics.len()));
    out
}

/// Print a loaded case's warnings to standard error (the first [`MAX_SHOWN`] of them).
pub fn print_warnings(l: &Loaded) {
    for d in l.warnings.iter().take(MAX_SHOWN) {
        let src = l.sources.iter().find(|s| s.name == d.file);
        eprint!("{}", render_one(d, src));
    }
    eprint!("{}", not_shown(l.warnings.len()));
}
