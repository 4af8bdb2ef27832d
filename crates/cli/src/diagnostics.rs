//! Rendering case problems as rustc-style reports with miette.

use std::fmt;

use leverage_case::{Diagnostic, Loaded, Problems, Severity, SourceText};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

struct Report<'a> {
    d: &'a Diagnostic,
    src: Option<NamedSource<String>>,
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
        let span = self.d.span.clone()?;
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
        src: src
            .filter(|_| d.span.is_some())
            .map(|s| NamedSource::new(&s.name, s.text.to_string())),
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

/// Render every diagnostic of a failed load.
pub fn render(p: &Problems) -> String {
    p.diagnostics
        .iter()
        .map(|d| render_one(d, p.source_of(d)))
        .collect()
}

/// Print a loaded case's warnings to standard error.
pub fn print_warnings(l: &Loaded) {
    for d in &l.warnings {
        let src = l.sources.iter().find(|s| s.name == d.file);
        eprint!("{}", render_one(d, src));
    }
}
