//! Importers: the tables analysts already have, turned into cases.
//!
//! - [`eu_table`]: the common expected-utility layout (Actor, Capability, Position, Salience; one
//!   issue per file, several `<issue> Position`/`<issue> Salience` column pairs, or a long layout
//!   with an `Issue` column);
//! - [`ktab`]: KTAB's CSV layout (scenario row, header row, one row per actor);
//! - [`deu`]: the DEU TSV layout (one row per issue, `p<actor>`/`s<actor>` columns).
//!
//! Every imported value keeps its origin: the case gets a `[[source]]` for the file, and each
//! number cites it with the row it came from (`source = "import#row 7"`), so an imported case
//! validates with `require_sources = true`. Importers take text, never paths: the caller reads
//! the file.

use std::collections::{BTreeMap, HashMap};

use crate::model::*;
use crate::read::{is_ident, suggest_ident};

/// Why an import failed: what, where (1-based line, 0 if none), and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
#[non_exhaustive]
pub struct ImportError {
    /// The file name as given.
    pub file: String,
    /// 1-based line (0 when the problem concerns the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The layouts [`import`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Expected-utility table.
    EuTable,
    /// KTAB CSV.
    Ktab,
    /// DEU TSV.
    Deu,
}

/// How DEU actors get their capability (DEU codes none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeuCapability {
    /// Council votes under the treaty in force at each proposal's date (Amsterdam, the 2004
    /// Act of Accession, Nice; see [`deu`]); the Commission and the Parliament get the largest
    /// member states' weight (a stated judgement).
    #[default]
    CouncilVotes,
    /// The GDP-based weights in the file's second row.
    Gdp,
    /// Everyone 1.
    Equal,
}

/// The most lines a table may have: 50 000, five times a 500-actor × 20-issue EU table (one
/// row per actor and issue). Importing takes memory in proportion to the rows (about 7 kB a
/// row, the generated case included), so a longer table is refused before it is parsed.
pub const MAX_LINES: usize = 50_000;

/// Refuses a table of more than [`MAX_LINES`] lines, pointing at the first line past the limit.
pub fn check_size(file: &str, text: &str) -> Result<(), ImportError> {
    match text.lines().nth(MAX_LINES) {
        None => Ok(()),
        Some(_) => Err(err(
            file,
            MAX_LINES + 1,
            format!("the table has more than {MAX_LINES} lines; tables are limited to {MAX_LINES}"),
            "split it into several cases (a forecast of more than a few thousand actors says little)",
        )),
    }
}

/// Import `text` (named `file`) in the given layout.
pub fn import(file: &str, text: &str, format: Format) -> Result<Case, ImportError> {
    check_size(file, text)?;
    match format {
        Format::EuTable => eu_table::import(file, text),
        Format::Ktab => ktab::import(file, text),
        Format::Deu => deu::import(file, text, DeuCapability::default()),
    }
}

pub(crate) fn err(
    file: &str,
    line: usize,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> ImportError {
    ImportError {
        file: file.to_string(),
        line,
        message: message.into(),
        hint: hint.into(),
    }
}

/// The 1-based line of a CSV record or error position. The `csv` crate places a record after a
/// CRLF line end at the line end's `\n`, on the line before, and counts its lines that way: the
/// line here is that of the first character at or after the position that ends no line.
pub(crate) struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        LineIndex {
            text: text.as_bytes(),
            starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }
    /// The line of a position (0 when there is none).
    pub(crate) fn line(&self, pos: Option<&csv::Position>) -> usize {
        pos.map_or(0, |p| {
            let mut b = p.byte() as usize;
            while b < self.text.len() && matches!(self.text[b], b'\r' | b'\n') {
                b += 1;
            }
            self.starts.partition_point(|&start| start <= b)
        })
    }
}

/// The 1-based line an imported value was read from (0 when it has none): see [`row`].
fn line_of(p: &Provenance) -> usize {
    p.source
        .as_deref()
        .and_then(|s| s.strip_prefix("import#row "))
        .and_then(|n| {
            // "12" or "12 (salience 0.5 on 0–1, ×100)".
            let digits = n.find(|c: char| !c.is_ascii_digit()).unwrap_or(n.len());
            n[..digits].parse().ok()
        })
        .unwrap_or(0)
}

/// The checks the case validator would make on an imported table's values, made here so that a
/// mistake in the user's table is reported at its row of the user's file (the generated case has
/// no lines the user wrote): capabilities positive and at most [`MAX_CAPABILITY`], positions and
/// saliences on 0–100 and not all 0 on an issue, one row per actor and issue.
pub(crate) fn check(file: &str, case: Case) -> Result<Case, ImportError> {
    for a in &case.actors {
        let c = a.capability.value;
        let line = line_of(&a.capability.prov).max(line_of(&a.prov));
        if c.is_nan() || c <= 0.0 {
            return Err(err(
                file,
                line,
                format!(
                    "actor {:?} has capability {}; capability must be positive",
                    a.name,
                    show(c)
                ),
                "leave out an actor without power, or give it a small positive capability",
            ));
        }
        if c > MAX_CAPABILITY {
            return Err(err(
                file,
                line,
                format!(
                    "actor {:?} has capability {}; capability must be at most {MAX_CAPABILITY:e}",
                    a.name,
                    show(c)
                ),
                "capabilities are relative: divide them all by the same factor",
            ));
        }
    }
    for i in &case.issues {
        if let Some(first) = i.positions.first()
            && i.positions.iter().all(|p| p.salience.value == 0.0)
        {
            return Err(err(
                file,
                line_of(&first.salience.prov).max(line_of(&first.prov)),
                format!(
                    "no actor gives issue {:?} any salience: every salience is 0",
                    i.id
                ),
                "give the actors who care about the issue their salience (every model weighs positions by it)",
            ));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for p in &i.positions {
            let line = line_of(&p.position.prov).max(line_of(&p.prov));
            if let Some(first) = seen.insert(&p.actor, line) {
                return Err(err(
                    file,
                    line,
                    format!(
                        "actor {:?} has a second position on issue {:?} (the first is on line {first})",
                        p.actor, i.id
                    ),
                    "give each actor one row per issue: remove or rename one of them",
                ));
            }
            for (what, n) in [("position", &p.position), ("salience", &p.salience)] {
                if !(0.0..=100.0).contains(&n.value) {
                    return Err(err(
                        file,
                        line_of(&n.prov).max(line),
                        format!(
                            "the {what} of {:?} on issue {:?} is {}, outside [0, 100]",
                            p.actor,
                            i.id,
                            show(n.value)
                        ),
                        format!("{what}s are on a 0–100 scale: rescale the column"),
                    ));
                }
            }
        }
    }
    Ok(case)
}

/// A number as a message shows it: plain when short, in scientific notation when huge.
fn show(v: f64) -> String {
    if v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The file's base name, for ids and titles.
fn stem(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    base.rsplit_once('.').map_or(base, |(s, _)| s).to_string()
}

/// A skeleton case for an import.
pub(crate) fn skeleton(file: &str, title: String, description: String) -> Case {
    let id = suggest_ident(&stem(file));
    Case {
        case: CaseMeta {
            id,
            title,
            description,
            // Imported tables carry no date: the caller sets `as_of` (the CLI uses `--as-of`,
            // default today); nothing imported is dated, so any date validates.
            as_of: PartialDate {
                year: 2000,
                month: Some(1),
                day: Some(1),
            },
            horizon: 2000,
            require_sources: true,
            patron: None,
            client: None,
            as_of_span: 0..0,
            horizon_span: 0..0,
            patron_span: 0..0,
            client_span: 0..0,
        },
        sources: vec![Source {
            id: "import".into(),
            citation: format!("imported from {file}"),
            url: None,
            note: Some("each value cites the row of the file it was read from".into()),
            span: 0..0,
        }],
        actors: Vec::new(),
        issues: Vec::new(),
        flows: Vec::new(),
        series: Vec::new(),
        schedules: Vec::new(),
        events: Vec::new(),
        params: Vec::new(),
        figures: Vec::new(),
        scenarios: Vec::new(),
        econ: Vec::new(),
        game: Vec::new(),
        states: Vec::new(),
        correlations: Vec::new(),
        observables: Vec::new(),
        sim: Vec::new(),
    }
}

/// The provenance of a row of the imported file.
pub(crate) fn row(line: usize) -> Provenance {
    Provenance {
        source: Some(format!("import#row {line}")),
        ..Default::default()
    }
}

/// A bare number covered by its record's provenance (written as `x = 1.0` beside `source`).
pub(crate) fn cited(value: f64, line: usize) -> Num {
    let mut n = Num::bare(value);
    n.prov = row(line);
    n
}

/// A unique identifier from a display name.
pub(crate) fn unique_id(name: &str, taken: &mut BTreeMap<String, usize>) -> String {
    let base = if is_ident(name) {
        name.to_string()
    } else {
        suggest_ident(name)
    };
    let n = taken.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 { base } else { format!("{base}-{n}") }
}

/// Parse a number cell (trimmed); `None` for an empty cell.
pub(crate) fn number(
    file: &str,
    line: usize,
    col: &str,
    cell: &str,
) -> Result<Option<f64>, ImportError> {
    let c = cell.trim();
    if c.is_empty() {
        return Ok(None);
    }
    match c.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(err(
            file,
            line,
            format!("column {col:?}: {c:?} is not a number"),
            "write plain numbers (no units, no thousands separators)",
        )),
    }
}

pub mod deu;
pub mod eu_table;
pub mod ktab;

#[cfg(test)]
mod line_tests {
    use super::*;

    /// Found by the fuzz test: a table whose saliences are all 0 imported into a case that does
    /// not validate, and rows after CRLF line ends were cited one line too early.
    #[test]
    fn all_zero_salience_is_refused_at_its_row_with_crlf_line_ends() {
        for end in ["\n", "\r\n"] {
            let text = [
                "actor,capability,position,salience",
                "A,10,10,0",
                "B,5,20,0",
                "",
            ]
            .join(end);
            let e = import("t.csv", &text, Format::EuTable).unwrap_err();
            assert_eq!(e.line, 2, "{e}");
            assert!(e.message.contains("any salience"), "{e}");
            let text = text.replace("B,5,20,0", "B,5,20,1").replace("A,10", "A,0");
            let e = import("t.csv", &text, Format::EuTable).unwrap_err();
            assert_eq!(e.line, 2, "{end:?}: {e}");
        }
    }
}
