//! Outcomes files: what really happened after a case's `as_of`, for scoring forecasts.
//!
//! An outcomes file is a small TOML file beside a case: which named scenario each year turned out
//! to be, and where issues actually ended up on their 0–100 scales. It is read the way cases are
//! ([`parse`]: a span-keeping tree, every problem reported at once with line, column, what was
//! expected and a hint), then checked against the case it scores ([`validate_against`]).
//!
//! ```toml
//! [outcomes]
//! case = "toy-patron-client"
//!
//! [[source]]
//! id = "news"
//! citation = "News reports, 2020"
//!
//! [[year]]
//! year = 2020
//! scenario = "status_quo"
//! source = "news"
//!
//! [[position]]
//! issue = "gas_price"
//! year = 2020
//! position = 63
//! judgement = "the price stayed at USD 127 per 1000 m³"
//! ```

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use toml::de::DeTable;

use crate::diag::{Problems, Sink, SourceText};
use crate::model::{Case, Num, Provenance, Source};
use crate::read::{Tbl, did_you_mean, read_source, syntax_hint};

/// The realised scenario of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearOutcome {
    /// The year.
    pub year: i32,
    /// The id of the case's `[[scenario]]` that the year turned out to be.
    pub scenario: String,
    /// Where that judgement comes from.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    /// Span of the year.
    pub year_span: Range<usize>,
    #[serde(skip)]
    /// Span of the scenario id.
    pub scenario_span: Range<usize>,
}

/// The realised position of one issue in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionOutcome {
    /// The id of the case's `[[issue]]`.
    pub issue: String,
    /// The year.
    pub year: i32,
    /// Where the issue ended up on its 0–100 scale (with provenance).
    pub position: Num,
    /// Provenance covering `position` if bare.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    /// Span of the issue id.
    pub issue_span: Range<usize>,
    #[serde(skip)]
    /// Span of the year.
    pub year_span: Range<usize>,
}

/// A read outcomes file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcomes {
    /// The id of the case these outcomes score.
    pub case: String,
    /// What the file covers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Sources the outcomes cite.
    #[serde(rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Realised scenarios by year.
    #[serde(rename = "year", skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<YearOutcome>,
    /// Realised issue positions.
    #[serde(rename = "position", skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<PositionOutcome>,
    #[serde(skip)]
    /// Span of the `case` value.
    pub case_span: Range<usize>,
    #[serde(skip)]
    /// The text it was read from (diagnostics of [`validate_against`] point into it).
    pub text: SourceText,
}

impl Outcomes {
    /// The realised scenario of a year, if recorded.
    pub fn scenario_in(&self, year: i32) -> Option<&str> {
        self.years
            .iter()
            .find(|y| y.year == year)
            .map(|y| y.scenario.as_str())
    }
    /// The realised position of an issue in a year, if recorded.
    pub fn position_of(&self, issue: &str, year: i32) -> Option<f64> {
        self.positions
            .iter()
            .find(|p| p.issue == issue && p.year == year)
            .map(|p| p.position.value)
    }
}

const TOP: [&str; 4] = ["outcomes", "source", "year", "position"];

/// Read an outcomes file. Every problem comes back at once as [`Problems`]: TOML syntax, missing
/// or unknown keys, wrong types, undeclared sources, values without a source or judgement,
/// positions outside [0, 100], and a year (or an issue's year) given twice.
pub fn parse(text: &str, file_name: &str) -> Result<Outcomes, Problems> {
    let src = SourceText::new(file_name, text);
    let mut sink = Sink::new(src.clone());
    let out = read(&mut sink, &src);
    if let Some(o) = &out {
        check(&mut sink, o);
    }
    finish(sink, src, out)
}

/// The problems collected in `sink`, or `out` when none is an error (shared with evidence files).
pub(crate) fn finish<T>(sink: Sink, src: SourceText, out: Option<T>) -> Result<T, Problems> {
    let errors = sink.has_errors();
    let mut diagnostics = sink.into_diagnostics();
    diagnostics.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
    match out {
        Some(o) if !errors => Ok(o),
        _ => Err(Problems {
            sources: vec![src],
            diagnostics,
        }),
    }
}

/// What differs between the small sourced files read by [`read_small`] (outcomes, evidence).
pub(crate) struct SmallFile {
    /// The head table's name (`outcomes`), also the first of `top`.
    pub head: &'static str,
    /// The top-level keys the file may have: the head, `source`, its record tables.
    pub top: &'static [&'static str],
    /// Diagnostic codes: TOML syntax, no head table, unknown top-level key.
    pub codes: [&'static str; 3],
    /// Where the format is documented, for hints.
    pub doc: &'static str,
    /// What the head's `case` names, for the hint: "the case it scores".
    pub case_is: &'static str,
}

/// Reads a small sourced file: TOML syntax errors (all of them, and nothing else then), the
/// head table's `case` and `description`, the `[[source]]` records, the file's own records (by
/// `records`), and unknown top-level keys. `None` when the head is missing or unreadable.
#[allow(clippy::type_complexity)]
pub(crate) fn read_small<T>(
    sink: &mut Sink,
    src: &SourceText,
    f: &SmallFile,
    records: impl FnOnce(&mut Sink, &mut Tbl<'_, '_>) -> T,
) -> Option<(String, Range<usize>, String, Vec<Source>, T)> {
    let (doc, errors) = DeTable::parse_recoverable(&src.text);
    for e in &errors {
        let msg = e.message().trim().to_string();
        sink.error(f.codes[0], e.span(), format!("invalid TOML: {msg}"))
            .label(msg.lines().next().unwrap_or("here").to_string())
            .expected(format!("valid TOML (see {})", f.doc))
            .hint(syntax_hint(&msg))
            .push();
    }
    if !errors.is_empty() {
        return None;
    }
    let root = doc.get_ref();
    let mut top = Tbl::new(root, 0..0, "the top level".to_string());
    let head = match top.table(sink, f.head) {
        None if root.get(f.head).is_some() => None, // wrong type, reported
        None => {
            sink.error(
                f.codes[1],
                Some(0..0),
                format!("the file has no [{}] table", f.head),
            )
            .label(format!("expected [{}] here", f.head))
            .expected(format!("an [{}] table with `case = \"<case id>\"`", f.head))
            .hint(format!(
                "start the file with [{}] and the id of {}",
                f.head, f.case_is
            ))
            .push();
            None
        }
        Some((t, span)) => {
            let mut tb = Tbl::new(t, span, format!("[{}]", f.head));
            let case = tb.ident(sink, "case", true);
            let description = tb.string(sink, "description", false);
            tb.finish(sink);
            case.map(|c| (c, description.map(|d| d.0).unwrap_or_default()))
        }
    };
    let sources: Vec<Source> = top
        .tables(sink, "source")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_source(sink, t, sp, i))
        .collect();
    let body = records(sink, &mut top);
    let listed = f
        .top
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if i == 0 {
                format!("[{k}]")
            } else {
                format!("[[{k}]]")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    for (k, _) in root.iter() {
        let key: &str = k.get_ref();
        if f.top.contains(&key) {
            continue;
        }
        let mut b = sink
            .error(
                f.codes[2],
                Some(k.span()),
                format!("unknown table or key `{key}` at the top level"),
            )
            .label(format!("not part of the {} format", f.head))
            .expected(format!("one of: {listed}"));
        b = match did_you_mean(key, f.top.iter().copied()) {
            Some(best) => b.hint(format!("did you mean `{best}`?")),
            None => b.hint(format!("see {}", f.doc)),
        };
        b.push();
    }
    let ((case, case_span), description) = head?;
    Some((case, case_span, description, sources, body))
}

fn read(sink: &mut Sink, src: &SourceText) -> Option<Outcomes> {
    let file = SmallFile {
        head: "outcomes",
        top: &TOP,
        codes: [
            "outcomes::toml-syntax",
            "outcomes::missing-table",
            "outcomes::unknown-table",
        ],
        doc: "\"Outcomes files\" in docs/case-format.md",
        case_is: "the case it scores",
    };
    let (case, case_span, description, sources, (years, positions)) =
        read_small(sink, src, &file, |sink, top| {
            let years: Vec<YearOutcome> = top
                .tables(sink, "year")
                .into_iter()
                .enumerate()
                .filter_map(|(i, (t, sp))| {
                    let mut tb = Tbl::new(t, sp, format!("[[year]] #{}", i + 1));
                    let year = tb.integer(sink, "year", true);
                    let scenario = tb.ident(sink, "scenario", true);
                    let prov = tb.provenance(sink);
                    tb.finish(sink);
                    let (year, year_span) = year?;
                    let (scenario, scenario_span) = scenario?;
                    Some(YearOutcome {
                        year: year as i32,
                        scenario,
                        prov,
                        year_span,
                        scenario_span,
                    })
                })
                .collect();
            let positions: Vec<PositionOutcome> = top
                .tables(sink, "position")
                .into_iter()
                .enumerate()
                .filter_map(|(i, (t, sp))| {
                    let mut tb = Tbl::new(t, sp, format!("[[position]] #{}", i + 1));
                    let issue = tb.ident(sink, "issue", true);
                    let year = tb.integer(sink, "year", true);
                    let position = tb.num(sink, "position", true);
                    let prov = tb.provenance(sink);
                    tb.finish(sink);
                    let (issue, issue_span) = issue?;
                    let (year, year_span) = year?;
                    let mut position = position?;
                    position.prov.inherit(&prov);
                    Some(PositionOutcome {
                        issue,
                        year: year as i32,
                        position,
                        prov,
                        issue_span,
                        year_span,
                    })
                })
                .collect();
            (years, positions)
        })?;
    Some(Outcomes {
        case,
        description,
        sources,
        years,
        positions,
        case_span,
        text: src.clone(),
    })
}

/// Reports a source id declared twice (shared with evidence files).
pub(crate) fn duplicate_sources(sink: &mut Sink, sources: &[Source], code: &'static str) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for s in sources {
        if seen.insert(&s.id, s.span.start).is_some() {
            sink.error(
                code,
                Some(s.span.clone()),
                format!("duplicate source id {:?}", s.id),
            )
            .label("second use of this id")
            .expected("a source id not used before")
            .hint("rename one of them, or merge the two records")
            .push();
        }
    }
}

/// Checks that need nothing but the file itself.
fn check(sink: &mut Sink, o: &Outcomes) {
    let source_ids: Vec<&str> = o.sources.iter().map(|s| s.id.as_str()).collect();
    duplicate_sources(sink, &o.sources, "outcomes::duplicate-id");
    let prov_check = |sink: &mut Sink, prov: &Provenance, span: Range<usize>, what: &str| {
        if !prov.is_sourced() {
            sink.error(
                "outcomes::unsourced",
                Some(span.clone()),
                format!("{what} has no source and no judgement"),
            )
            .label("unsourced")
            .expected("`source = \"<source id>\"` or `judgement = \"<one-line reason>\"`")
            .hint("an outcome is a fact about the world: say where it is recorded, or why you judge so")
            .push();
        }
        if let Some(id) = prov.source_id() {
            if !source_ids.contains(&id) {
                let span = if prov.source_span.is_empty() {
                    span
                } else {
                    prov.source_span.clone()
                };
                let mut b = sink
                    .error(
                        "outcomes::unknown-source",
                        Some(span),
                        format!("cites a source that is not declared: {id:?}"),
                    )
                    .label("no [[source]] has this id")
                    .expected(
                        "the id of a [[source]] of this file, optionally followed by `#locator`",
                    );
                b = match did_you_mean(id, source_ids.iter().copied()) {
                    Some(best) => b.hint(format!("did you mean {best:?}?")),
                    None => b.hint(format!("add [[source]] id = {id:?} with its citation")),
                };
                b.push();
            }
        }
    };
    let mut years: HashMap<i32, usize> = HashMap::new();
    for y in &o.years {
        prov_check(
            sink,
            &y.prov,
            y.year_span.clone(),
            &format!("the outcome of {}", y.year),
        );
        if let Some(prev) = years.insert(y.year, y.year_span.start) {
            let (l, _) = sink.source().line_col(prev);
            sink.error(
                "outcomes::duplicate-year",
                Some(y.year_span.clone()),
                format!("{} has two outcomes", y.year),
            )
            .label("second [[year]] for this year")
            .expected(format!("one scenario per year (the first is on line {l})"))
            .hint("a year ends in one scenario: remove one of them")
            .push();
        }
    }
    let mut pos: HashMap<(&str, i32), usize> = HashMap::new();
    for p in &o.positions {
        let what = format!("the {} position on `{}`", p.year, p.issue);
        prov_check(sink, &p.position.prov, p.position.span.clone(), &what);
        let x = p.position.value;
        if !(0.0..=100.0).contains(&x) {
            sink.error(
                "outcomes::out-of-range",
                Some(p.position.span.clone()),
                format!("{what} is {x}, outside [0, 100]"),
            )
            .label("out of range")
            .expected("a position on the issue's 0–100 scale")
            .hint("convert a unit value to the scale with the issue's `unit` mapping")
            .push();
        }
        if let Some(prev) = pos.insert((&p.issue, p.year), p.year_span.start) {
            let (l, _) = sink.source().line_col(prev);
            sink.error(
                "outcomes::duplicate-position",
                Some(p.year_span.clone()),
                format!("issue `{}` has two positions for {}", p.issue, p.year),
            )
            .label("second position for this issue and year")
            .expected(format!(
                "one position per issue and year (the first is on line {l})"
            ))
            .hint("remove one of them")
            .push();
        }
    }
}

/// Check outcomes against the case they score: the case id, the scenario and issue ids (with a
/// "did you mean"), and years from the year of the case's `as_of` to its horizon. Outcomes of
/// another case get that one error alone.
pub fn validate_against(o: &Outcomes, case: &Case) -> Result<(), Problems> {
    let mut sink = Sink::new(o.text.clone());
    if o.case != case.case.id {
        sink.error(
            "outcomes::wrong-case",
            Some(o.case_span.clone()),
            format!(
                "these outcomes are for case {:?}, not {:?}",
                o.case, case.case.id
            ),
        )
        .label("another case")
        .expected(format!("case = {:?}", case.case.id))
        .hint("score a case with the outcomes written for it, or fix the id")
        .push();
        // Its years, scenarios and issues are another case's: checking them against this one
        // would only add follow-on errors.
        return finish(sink, o.text.clone(), Some(()));
    }
    let (from, to) = (case.case.as_of.year, case.case.horizon);
    let year_range = |sink: &mut Sink, year: i32, span: &Range<usize>| {
        if year < from || year > to {
            sink.error(
                "outcomes::year-out-of-range",
                Some(span.clone()),
                format!("{year} lies outside the case's timeline {from}–{to}"),
            )
            .label("outside the timeline")
            .expected(format!("a year from {from} (as_of) to {to} (horizon)"))
            .hint(
                "the case forecasts nothing for this year: remove it, or extend the case's horizon",
            )
            .push();
        }
    };
    let scen: Vec<&str> = case.scenarios.iter().map(|s| s.id.as_str()).collect();
    for y in &o.years {
        year_range(&mut sink, y.year, &y.year_span);
        if !scen.contains(&y.scenario.as_str()) {
            unknown(
                &mut sink,
                &y.scenario,
                &y.scenario_span,
                "[[scenario]]",
                &scen,
            );
        }
    }
    let issues: Vec<&str> = case.issues.iter().map(|i| i.id.as_str()).collect();
    for p in &o.positions {
        year_range(&mut sink, p.year, &p.year_span);
        if !issues.contains(&p.issue.as_str()) {
            unknown(&mut sink, &p.issue, &p.issue_span, "[[issue]]", &issues);
        }
    }
    finish(sink, o.text.clone(), Some(()))
}

fn unknown(sink: &mut Sink, id: &str, span: &Range<usize>, kind: &str, ids: &[&str]) {
    let mut b = sink
        .error(
            "outcomes::unknown-id",
            Some(span.clone()),
            format!("the case has no {kind} {id:?}"),
        )
        .label(format!("no {kind} has this id"))
        .expected(format!(
            "the id of one of the case's {kind}s: {}",
            ids.join(", ")
        ));
    b = match did_you_mean(id, ids.iter().copied()) {
        Some(best) => b.hint(format!("did you mean {best:?}?")),
        None => b.hint("outcomes name the case's own ids; fix the id"),
    };
    b.push();
}
