//! Evidence files: dated, sourced observations of a case's observables, for updating a run.
//!
//! An evidence file is a small TOML file read the way cases are ([`parse`]: a span-keeping
//! tree, every problem at once with line, column, what was expected and a hint), then checked
//! against the case of the run it updates ([`validate_against`]): the case id, each observable
//! declared by the case (`crate::observable`), each date between the case's `as_of` and the end
//! of its horizon, and each value of the observable's kind.
//!
//! ```toml
//! [evidence]
//! case = "toy-patron-client"
//!
//! [[source]]
//! id = "summit"
//! citation = "Joint statement of the summit, 2020-12-20"
//!
//! [[observation]]
//! observable = "signed"        # an [[observable]] of the case
//! date = 2020-12-20            # the simulated year is the date's year
//! value = 45                   # a quantity: a value with an error, or min/max
//! error = 5                    # standard deviation; else the observable's own error
//! source = "summit"
//!
//! [[observation]]
//! observable = "subsidy_cut"
//! date = 2021-03
//! value = false                # a sign: true or false; `error` = chance the report is wrong
//! judgement = "no cut announced by March"
//! hypothetical = "an illustration, not a report"
//! ```
//!
//! A quantity observed without error has probability zero under a continuous model, so an exact
//! quantity is written as a range (`min`, `max`); a sign without error is exact.

use std::ops::Range;

use serde::Serialize;
use toml::de::DeTable;
use toml::de::DeValue;

use crate::diag::{Problems, Sink, SourceText};
use crate::model::{Case, PartialDate, Provenance, Source};
use crate::observable::ObservableKind;
use crate::outcomes::{SmallFile, duplicate_sources, finish, read_small};
use crate::read::{Tbl, did_you_mean};

/// What was observed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    /// A quantity's value (with a measurement error).
    Value(f64),
    /// A quantity known to lie in `[min, max]` (either end may be open).
    Range(f64, f64),
    /// A sign that happened (`true`) or did not.
    Sign(bool),
}

/// A range in words: "at most 35", "at least 10", "between 10 and 35".
pub fn range_text(lo: f64, hi: f64) -> String {
    match (lo.is_finite(), hi.is_finite()) {
        (false, true) => format!("at most {hi}"),
        (true, false) => format!("at least {lo}"),
        (true, true) => format!("between {lo} and {hi}"),
        (false, false) => "any value".into(),
    }
}

/// One observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// The id of the case's `[[observable]]`.
    pub observable: String,
    /// When it was observed.
    pub date: PartialDate,
    /// What was seen.
    pub observed: Observed,
    /// Its measurement error as written (standard deviation; for a sign, the chance a report is
    /// wrong); `None`: the observable's own error applies ([`Observation::error_for`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<f64>,
    /// Marked hypothetical, with the reason: an illustration, not a report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hypothetical: Option<String>,
    /// Where it comes from.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    /// Span of the record (its observable id).
    pub span: Range<usize>,
    #[serde(skip)]
    /// Span of the date.
    pub date_span: Range<usize>,
    #[serde(skip)]
    /// Span of the value (or of `min`/`max`).
    pub value_span: Range<usize>,
    #[serde(skip)]
    /// Span of the error (the value's when absent).
    pub error_span: Range<usize>,
}

impl Observation {
    /// What was observed, in words.
    pub fn observed_text(&self) -> String {
        match self.observed {
            Observed::Value(x) => format!("{x}"),
            Observed::Range(lo, hi) => range_text(lo, hi),
            Observed::Sign(b) => if b { "happened" } else { "did not happen" }.into(),
        }
    }
    /// The error that applies, in words (`exact` for a range or an observation without error).
    pub fn error_text(&self, case: &Case) -> String {
        match (self.observed, self.error_for(case)) {
            (Observed::Range(..), _) | (_, None) => "exact".into(),
            (_, Some(e)) => format!("{e}"),
        }
    }
    /// Where it comes from, or `HYPOTHETICAL: why`.
    pub fn origin_text(&self) -> String {
        match &self.hypothetical {
            Some(h) => format!("HYPOTHETICAL: {h}"),
            None => self.prov.describe(),
        }
    }
    /// The measurement error that applies: the observation's, else the observable's, else none
    /// (exact).
    pub fn error_for(&self, case: &Case) -> Option<f64> {
        self.error
            .or_else(|| case.observable(&self.observable).and_then(|o| o.error))
    }
}

/// A read evidence file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The id of the case this evidence speaks of.
    pub case: String,
    /// What the file covers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Sources the observations cite.
    #[serde(rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The observations, in file order.
    #[serde(rename = "observation")]
    pub observations: Vec<Observation>,
    #[serde(skip)]
    /// Span of the `case` value.
    pub case_span: Range<usize>,
    #[serde(skip)]
    /// The text it was read from (diagnostics of [`validate_against`] point into it).
    pub text: SourceText,
}

const TOP: [&str; 3] = ["evidence", "source", "observation"];

/// Read an evidence file. Every problem comes back at once as [`Problems`]: TOML syntax, missing
/// or unknown keys, wrong types, undeclared sources, observations without a source or
/// judgement, a value and a range given together.
pub fn parse(text: &str, file_name: &str) -> Result<Evidence, Problems> {
    let src = SourceText::new(file_name, text);
    let mut sink = Sink::new(src.clone());
    let out = read(&mut sink, &src);
    if let Some(e) = &out {
        check(&mut sink, e);
    }
    finish(sink, src, out)
}

fn read(sink: &mut Sink, src: &SourceText) -> Option<Evidence> {
    let file = SmallFile {
        head: "evidence",
        top: &TOP,
        codes: [
            "evidence::toml-syntax",
            "evidence::missing-table",
            "evidence::unknown-table",
        ],
        doc: "docs/updating.md",
        case_is: "the case it speaks of",
    };
    let (case, case_span, description, sources, observations) =
        read_small(sink, src, &file, |sink, top| {
            top.tables(sink, "observation")
                .into_iter()
                .enumerate()
                .filter_map(|(i, (t, sp))| read_observation(sink, t, sp, i))
                .collect::<Vec<Observation>>()
        })?;
    Some(Evidence {
        case,
        description,
        sources,
        observations,
        case_span,
        text: src.clone(),
    })
}

fn read_observation(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    i: usize,
) -> Option<Observation> {
    let mut tb = Tbl::new(t, span.clone(), format!("[[observation]] #{}", i + 1));
    let observable = tb.ident(sink, "observable", true);
    let date = tb.date(sink, "date", true);
    let bool_value = match t.get("value").map(|v| (v.get_ref(), v.span())) {
        Some((DeValue::Boolean(b), s)) => Some((*b, s)),
        _ => None,
    };
    let value = if bool_value.is_some() {
        // Asked for, so not reported as unknown; read as a boolean above.
        let _ = tb.boolean(sink, "value");
        None
    } else {
        tb.float(sink, "value", false)
    };
    let min = tb.float(sink, "min", false);
    let max = tb.float(sink, "max", false);
    let error = tb.float(sink, "error", false);
    let hypothetical = tb.string(sink, "hypothetical", false);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let (observable, obs_span) = observable?;
    let (date, date_span) = date?;
    let range_span = min
        .as_ref()
        .or(max.as_ref())
        .map(|x| x.1.clone())
        .unwrap_or_else(|| obs_span.clone());
    let (observed, value_span) = match (bool_value, value, &min, &max) {
        (Some((b, s)), None, None, None) => (Observed::Sign(b), s),
        (None, Some((x, s)), None, None) => (Observed::Value(x), s),
        (None, None, lo, hi) if lo.is_some() || hi.is_some() => {
            let lo = lo.as_ref().map_or(f64::NEG_INFINITY, |x| x.0);
            let hi = hi.as_ref().map_or(f64::INFINITY, |x| x.0);
            if lo > hi {
                sink.error(
                    "evidence::empty-range",
                    Some(range_span.clone()),
                    format!("the range [{lo}, {hi}] is empty"),
                )
                .label("min above max")
                .expected("min ≤ max")
                .hint("swap min and max")
                .push();
                return None;
            }
            (Observed::Range(lo, hi), range_span)
        }
        (None, None, None, None) => {
            sink.error(
                "evidence::no-value",
                Some(span),
                format!("[[observation]] #{} says nothing was seen", i + 1),
            )
            .label("no value")
            .expected("`value = <number>` or `value = true/false`, or `min`/`max`")
            .hint("write what was observed")
            .push();
            return None;
        }
        _ => {
            sink.error(
                "evidence::value-and-range",
                Some(range_span),
                "an observation gives a value or a range, not both",
            )
            .label("second form of the value")
            .expected("either `value` (with `error`) or `min`/`max`")
            .hint("keep one of them")
            .push();
            return None;
        }
    };
    Some(Observation {
        observable,
        date,
        observed,
        error_span: error.as_ref().map_or(value_span.clone(), |e| e.1.clone()),
        error: error.map(|e| e.0),
        hypothetical: hypothetical.map(|h| h.0),
        prov,
        span: obs_span,
        date_span,
        value_span,
    })
}

/// Checks that need nothing but the file itself: sources declared once and cited, every
/// observation sourced, judged or marked hypothetical.
fn check(sink: &mut Sink, e: &Evidence) {
    let source_ids: Vec<&str> = e.sources.iter().map(|s| s.id.as_str()).collect();
    duplicate_sources(sink, &e.sources, "evidence::duplicate-id");
    for o in &e.observations {
        if !o.prov.is_sourced() && o.hypothetical.is_none() {
            sink.error(
                "evidence::unsourced",
                Some(o.span.clone()),
                format!("the observation of {:?} has no source and no judgement", o.observable),
            )
            .label("unsourced")
            .expected("`source = \"<source id>\"`, `judgement = \"<one-line reason>\"` or `hypothetical = \"<why>\"`")
            .hint("evidence is a fact about the world: say where it is recorded; an illustration is marked hypothetical")
            .push();
        }
        if let Some(id) = o.prov.source_id() {
            if !source_ids.contains(&id) {
                let span = if o.prov.source_span.is_empty() {
                    o.span.clone()
                } else {
                    o.prov.source_span.clone()
                };
                let mut b = sink
                    .error(
                        "evidence::unknown-source",
                        Some(span),
                        format!("cites a source that is not declared: {id:?}"),
                    )
                    .label("no [[source]] has this id")
                    .expected("the id of a [[source]] of this file");
                b = match did_you_mean(id, source_ids.iter().copied()) {
                    Some(best) => b.hint(format!("did you mean {best:?}?")),
                    None => b.hint(format!("add [[source]] id = {id:?} with its citation")),
                };
                b.push();
            }
        }
    }
}

/// Check evidence against the case of the run it updates: the case id; each observable declared
/// (with a "did you mean"); each date on or after `as_of` and not after the horizon (and, for
/// anything but a parameter, in a simulated year); each value of its observable's kind, and its
/// error in range.
pub fn validate_against(e: &Evidence, case: &Case) -> Result<(), Problems> {
    let mut sink = Sink::new(e.text.clone());
    if e.case != case.case.id {
        sink.error(
            "evidence::wrong-case",
            Some(e.case_span.clone()),
            format!(
                "this evidence is about case {:?}, not {:?}",
                e.case, case.case.id
            ),
        )
        .label("another case")
        .expected(format!("case = {:?}", case.case.id))
        .hint("update a run of the case the evidence was written for, or fix the id")
        .push();
    }
    let as_of = case.case.as_of;
    let horizon = case.case.horizon;
    let first = case.first_simulated_year();
    let ids: Vec<&str> = case.observables.iter().map(|o| o.id.as_str()).collect();
    for o in &e.observations {
        let Some(obs) = case.observable(&o.observable) else {
            let mut b = sink
                .error(
                    "evidence::unknown-observable",
                    Some(o.span.clone()),
                    format!("the case has no observable {:?}", o.observable),
                )
                .label("no [[observable]] has this id")
                .expected(if ids.is_empty() {
                    "the id of an [[observable]] of the case (it declares none)".to_string()
                } else {
                    format!(
                        "the id of one of the case's observables: {}",
                        ids.join(", ")
                    )
                });
            b = match did_you_mean(&o.observable, ids.iter().copied()) {
                Some(best) => b.hint(format!("did you mean {best:?}?")),
                None => b.hint("declare it in the case with [[observable]], or fix the id"),
            };
            b.push();
            continue;
        };
        if as_of.is_after(&o.date) {
            sink.error(
                "evidence::before-as-of",
                Some(o.date_span.clone()),
                format!("{} is before the case's as_of date {as_of}", o.date),
            )
            .label("before as_of")
            .expected(format!("a date from {as_of} to the end of {horizon}"))
            .hint("what was known at as_of belongs in the case itself, not in evidence")
            .push();
        } else if o.date.year > horizon {
            sink.error(
                "evidence::after-horizon",
                Some(o.date_span.clone()),
                format!("{} is after the case's horizon {horizon}", o.date),
            )
            .label("after the horizon")
            .expected(format!("a date from {as_of} to the end of {horizon}"))
            .hint("the run simulates nothing after its horizon: remove it, or extend the horizon")
            .push();
        } else if o.date.year < first && obs.kind != ObservableKind::Param {
            sink.error(
                "evidence::before-first-year",
                Some(o.date_span.clone()),
                format!(
                    "{} falls before the first simulated year {first}: a {} observable has no value then",
                    o.date,
                    obs.kind.as_str()
                ),
            )
            .label("not simulated")
            .expected(format!("a date in {first}–{horizon}, or an observable of a parameter"))
            .hint("only a drawn parameter (kind = \"param\") can be observed between as_of and the first simulated year")
            .push();
        }
        let binary = obs.kind.is_binary();
        match (o.observed, binary) {
            (Observed::Sign(_), false) | (Observed::Value(_) | Observed::Range(..), true) => {
                sink.error(
                    "evidence::wrong-value",
                    Some(o.value_span.clone()),
                    format!(
                        "observable {:?} is a {}, so the observation is {}",
                        obs.id,
                        if binary { "sign" } else { "quantity" },
                        if binary {
                            "`true` or `false`"
                        } else {
                            "a number or a range"
                        }
                    ),
                )
                .label("wrong kind of value")
                .expected(if binary {
                    "value = true or value = false"
                } else {
                    "value = <number> with an error, or min/max"
                })
                .hint(format!(
                    "the case declares it as kind = {:?}",
                    obs.kind.as_str()
                ))
                .push();
            }
            (Observed::Value(_), false) if o.error_for(case).is_none() => {
                sink.error(
                    "evidence::exact-value",
                    Some(o.value_span.clone()),
                    format!(
                        "an exact value of the quantity {:?} has probability zero under the model",
                        obs.id
                    ),
                )
                .label("no measurement error")
                .expected("`error = <standard deviation>`, or the range it lies in (`min`, `max`)")
                .hint("give the error of the measurement, or write what is known as min/max")
                .push();
            }
            _ => {}
        }
        if let Some(err) = o.error {
            let ok = if binary {
                (0.0..0.5).contains(&err)
            } else {
                err > 0.0
            };
            if !ok || matches!(o.observed, Observed::Range(..)) {
                sink.error(
                    "evidence::bad-error",
                    Some(o.error_span.clone()),
                    format!("a measurement error of {err} cannot be used here"),
                )
                .label("unusable error")
                .expected(if matches!(o.observed, Observed::Range(..)) {
                    "no `error` with min/max (a range is exact)"
                } else if binary {
                    "for a sign, the chance a report is wrong: at least 0, below 0.5"
                } else {
                    "a standard deviation above 0"
                })
                .hint("fix or remove `error`")
                .push();
            }
        }
    }
    finish(sink, e.text.clone(), Some(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_ranges_and_signs() {
        let e = parse(
            r#"
[evidence]
case = "x"
[[observation]]
observable = "a"
date = 2020-05-01
value = 3.5
error = 1
judgement = "j"
[[observation]]
observable = "b"
date = "2021"
min = 10
judgement = "j"
[[observation]]
observable = "c"
date = 2021
value = true
hypothetical = "an example"
"#,
            "e.toml",
        )
        .unwrap();
        assert_eq!(e.observations.len(), 3);
        assert_eq!(e.observations[0].observed, Observed::Value(3.5));
        assert_eq!(
            e.observations[1].observed,
            Observed::Range(10.0, f64::INFINITY)
        );
        assert_eq!(e.observations[2].observed, Observed::Sign(true));
    }

    #[test]
    fn unsourced_and_double_values_are_located_errors() {
        let p = parse(
            "[evidence]\ncase = \"x\"\n[[observation]]\nobservable = \"a\"\ndate = 2020\nvalue = 1\nmin = 0\n",
            "e.toml",
        )
        .unwrap_err();
        let codes: Vec<&str> = p.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"evidence::value-and-range"), "{codes:?}");
        assert!(p.diagnostics.iter().all(|d| d.line > 0));
    }
}
