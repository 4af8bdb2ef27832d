//! Semantic validation: everything the TOML reader cannot see on its own.
//!
//! Unique ids, references to declared actors and sources, values on their scales, coherent
//! distributions, a GDP value for every flow year, sources on every number when the case requires
//! them, and nothing dated after `as_of` unless declared an assumption. Every check adds to the
//! same [`Sink`], so a user sees all problems in one pass.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::diag::Sink;
use crate::model::*;
use crate::read::did_you_mean;
use crate::rule;

/// Ids of one kind with their spans.
type IdList<'a> = Vec<(&'a str, Range<usize>)>;

struct V<'a> {
    case: &'a Case,
    sink: &'a mut Sink,
    /// In declaration order (the hints' candidates).
    actor_ids: Vec<&'a str>,
    /// The same, for lookups in constant time (a case may have thousands of actors).
    actor_set: std::collections::HashSet<&'a str>,
    source_ids: Vec<&'a str>,
    source_set: std::collections::HashSet<&'a str>,
}

/// Check a case that was read without fatal errors; problems go to `sink`. A link of a table in
/// `tables` must name a record of the kind its key declares; a link of any other table, some
/// record of the case.
pub fn validate(case: &Case, sink: &mut Sink, tables: &[LinkTable]) {
    let mut v = V {
        case,
        sink,
        actor_ids: case.actors.iter().map(|a| a.id.as_str()).collect(),
        actor_set: case.actors.iter().map(|a| a.id.as_str()).collect(),
        source_ids: case.sources.iter().map(|s| s.id.as_str()).collect(),
        source_set: case.sources.iter().map(|s| s.id.as_str()).collect(),
    };
    v.meta();
    v.unique_ids();
    v.actors();
    v.issues();
    v.flows_and_series();
    v.schedules();
    v.events();
    v.params();
    v.figures();
    v.scenarios();
    v.links(tables);
    v.states();
    v.rules();
    v.correlations();
    v.observables();
    v.placeholders();
}

/// The word a starter case marks the numbers still to replace with.
pub const PLACEHOLDER: &str = "PLACEHOLDER";

impl V<'_> {
    /// The `[[observable]]` records (`crate::observable`), and their sources.
    fn observables(&mut self) {
        crate::observable::validate_observables(self.case, self.sink);
        for o in &self.case.observables {
            self.prov_ref(&o.prov, o.span.clone());
        }
    }

    /// One warning for the values a starter case marks as placeholders, at the first of them.
    fn placeholders(&mut self) {
        let text = &self.sink.source().text;
        // Inside strings only (a judgement that starts with the word), not in comments.
        let hits: Vec<usize> = text
            .match_indices(&format!("\"{PLACEHOLDER}"))
            .map(|(i, _)| i + 1)
            .collect();
        let Some(&first) = hits.first() else { return };
        let n = hits.len();
        self.sink
            .error(
                "case::placeholder",
                Some(first..first + PLACEHOLDER.len()),
                format!("{n} value(s) are still placeholders from the starter case"),
            )
            .warning()
            .label("the first one")
            .expected("the pair's own figure with its source, or a judgement with its reason")
            .hint("replace each PLACEHOLDER judgement; until then the results describe the template, not the pair")
            .push();
    }

    fn meta(&mut self) {
        let m = &self.case.case;
        if m.horizon < m.as_of.year {
            self.sink
                .error(
                    "case::horizon-before-as-of",
                    Some(m.horizon_span.clone()),
                    format!(
                        "the horizon {} lies before the year of `as_of` ({})",
                        m.horizon, m.as_of.year
                    ),
                )
                .label("horizon")
                .expected(format!("horizon ≥ {}", m.as_of.year))
                .hint("the horizon is the last year a simulation runs to; set it after as_of")
                .push();
        }
        if let Some(p) = &m.patron {
            self.actor_ref(p, m.patron_span.clone(), "`patron`");
        }
        if let Some(c) = &m.client {
            self.actor_ref(c, m.client_span.clone(), "`client`");
        }
    }

    fn actor_ref(&mut self, id: &str, span: Range<usize>, what: &str) -> bool {
        if self.actor_set.contains(id) {
            return true;
        }
        let mut b = self
            .sink
            .error(
                "case::unknown-actor",
                Some(span),
                format!("{what} names an actor that is not declared: {id:?}"),
            )
            .label("no [[actor]] has this id")
            .expected("the id of a declared [[actor]]");
        b = match did_you_mean(id, self.actor_ids.iter().copied()) {
            Some(best) => b.hint(format!("did you mean {best:?}?")),
            None => b.hint(format!(
                "declare it with [[actor]] id = {id:?}, or fix the id"
            )),
        };
        b.push();
        false
    }

    /// Check the source reference of a provenance (once per place it was written).
    fn prov_ref(&mut self, prov: &Provenance, span: Range<usize>) {
        let Some(id) = prov.source_id() else { return };
        let span = if prov.source_span.is_empty() {
            span
        } else {
            prov.source_span.clone()
        };
        if id.is_empty() || self.source_set.contains(id) {
            return;
        }
        let mut b = self
            .sink
            .error(
                "case::unknown-source",
                Some(span),
                format!("cites a source that is not declared: {id:?}"),
            )
            .label("no [[source]] has this id")
            .expected("the id of a declared [[source]], optionally followed by `#locator`");
        b = match did_you_mean(id, self.source_ids.iter().copied()) {
            Some(best) => b.hint(format!("did you mean {best:?}?")),
            None => b.hint(format!(
                "add [[source]] id = {id:?} with its citation, or fix the id"
            )),
        };
        b.push();
    }

    /// A number: its own source reference, and a source at all when the case requires one.
    fn num(&mut self, n: &Num, what: &str) {
        if n.value.is_nan() {
            return; // a missing number, already reported by the reader
        }
        if n.own_prov {
            self.prov_ref(&n.prov, n.span.clone());
        }
        if self.case.case.require_sources && !n.prov.is_sourced() {
            self.sink
                .error(
                    "case::unsourced",
                    Some(n.span.clone()),
                    format!("{what} has no source and no judgement"),
                )
                .label("unsourced number")
                .expected("`source = \"<source id>\"` or `judgement = \"<one-line reason>\"`")
                .hint(format!(
                    "write {{ value = {}, source = \"…\" }}, or add `source`/`judgement` to the record; require_sources = true in [case] asks for it",
                    n.value
                ))
                .push();
        }
    }

    fn record_sourced(&mut self, prov: &Provenance, span: Range<usize>, what: &str) {
        self.prov_ref(prov, span.clone());
        if self.case.case.require_sources && !prov.is_sourced() {
            self.sink
                .error(
                    "case::unsourced",
                    Some(span),
                    format!("{what} has no source and no judgement"),
                )
                .label("unsourced")
                .expected("`source = \"<source id>\"` or `judgement = \"<one-line reason>\"`")
                .hint("require_sources = true in [case] asks every number for its origin")
                .push();
        }
    }

    fn scale(&mut self, n: &Num, what: &str, lo: f64, hi: f64) {
        if n.value < lo || n.value > hi {
            self.sink
                .error(
                    "case::out-of-range",
                    Some(n.span.clone()),
                    format!("{what} is {}, outside [{lo}, {hi}]", n.value),
                )
                .label("out of range")
                .expected(format!("a number from {lo} to {hi}"))
                .hint("positions and saliences are on a 0–100 scale; rescale the data")
                .push();
        }
    }

    fn after_as_of_year(&mut self, year: i32, prov: &Provenance, span: Range<usize>, what: &str) {
        let as_of = self.case.case.as_of;
        if year > as_of.year && prov.assumption.is_none() {
            self.sink
                .error(
                    "case::after-as-of",
                    Some(span),
                    format!("{what} is for {year}, after the case's as_of ({as_of})"),
                )
                .label("after as_of")
                .expected(format!("a year up to {}, or a value marked as an assumption", as_of.year))
                .hint("nothing known only after as_of may enter as an input: add `assumption = \"<one-line reason>\"` if it is a projection or a planned value")
                .push();
        }
    }

    fn unique_ids(&mut self) {
        let c = self.case;
        let groups: [(&str, IdList<'_>); 10] = [
            (
                "state",
                c.states
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "source",
                c.sources
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "actor",
                c.actors
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "issue",
                c.issues
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "flow or series",
                c.flows
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .chain(c.series.iter().map(|x| (x.id.as_str(), x.span.clone())))
                    .collect(),
            ),
            (
                "schedule",
                c.schedules
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "event",
                c.events
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "param",
                c.params
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "figure",
                c.figures
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
            (
                "scenario",
                c.scenarios
                    .iter()
                    .map(|x| (x.id.as_str(), x.span.clone()))
                    .collect(),
            ),
        ];
        for (kind, ids) in groups {
            let mut first: HashMap<&str, Range<usize>> = HashMap::new();
            for (id, span) in ids {
                if let Some(prev) = first.get(id) {
                    let (l, _) = self.sink.source().line_col(prev.start);
                    self.sink
                        .error(
                            "case::duplicate-id",
                            Some(span),
                            format!("duplicate {kind} id {id:?}"),
                        )
                        .label("second use of this id")
                        .expected(format!(
                            "a {kind} id not used before (first used on line {l})"
                        ))
                        .hint("rename one of them, or merge the two records")
                        .push();
                } else {
                    first.insert(id, span);
                }
            }
        }
    }

    fn actors(&mut self) {
        for a in &self.case.actors {
            self.prov_ref(&a.prov, a.span.clone());
            self.num(
                &a.capability,
                &format!("the capability of actor `{}`", a.id),
            );
            if a.capability.value <= 0.0 {
                self.sink
                    .error(
                        "case::non-positive-capability",
                        Some(a.capability.span.clone()),
                        format!(
                            "actor `{}` has capability {}; capability must be positive",
                            a.id, a.capability.value
                        ),
                    )
                    .label("not > 0")
                    .expected("a number greater than 0")
                    .hint("an actor without power should be left out, or given a small positive capability")
                    .push();
            } else if a.capability.value > MAX_CAPABILITY {
                self.sink
                    .error(
                        "case::capability-too-large",
                        Some(a.capability.span.clone()),
                        format!(
                            "actor `{}` has capability {:e}; capability must be at most {MAX_CAPABILITY:e}",
                            a.id, a.capability.value
                        ),
                    )
                    .label("too large")
                    .expected(format!("a number at most {MAX_CAPABILITY:e}"))
                    .hint("capabilities are relative: divide them all by the same factor")
                    .push();
            }
        }
    }

    fn issues(&mut self) {
        for i in &self.case.issues {
            self.prov_ref(&i.prov, i.span.clone());
            if let Some(sq) = &i.status_quo {
                self.num(sq, &format!("the status quo of issue `{}`", i.id));
                self.scale(
                    sq,
                    &format!("the status quo of issue `{}`", i.id),
                    0.0,
                    100.0,
                );
            }
            if let Some(u) = &i.unit {
                if u.at_0 == u.at_100 {
                    self.sink
                        .error(
                            "case::degenerate-unit",
                            Some(u.span.clone()),
                            format!(
                                "issue `{}` maps both ends of its scale to {} {}",
                                i.id, u.at_0, u.name
                            ),
                        )
                        .label("at_0 = at_100")
                        .expected("at_0 ≠ at_100")
                        .hint("give the unit values at 0 and at 100 on the scale")
                        .push();
                }
            }
            if i.positions.is_empty() {
                self.sink
                    .error(
                        "case::no-positions",
                        Some(i.span.clone()),
                        format!("issue `{}` has no positions", i.id),
                    )
                    .label("no actor takes a position")
                    .hint("add [[issue.position]] entries, or remove the issue")
                    .warning()
                    .push();
            } else if i.positions.iter().all(|p| p.salience.value == 0.0) {
                // Every model weighs positions by salience: with no weight anywhere there is no
                // forecast to make (it would be 0/0).
                self.sink
                    .error(
                        "case::no-salience",
                        Some(i.span.clone()),
                        format!("no actor gives issue `{}` any salience", i.id),
                    )
                    .label("every salience is 0")
                    .expected("at least one position with a salience above 0")
                    .hint("give the actors who care about the issue their salience, or remove the issue")
                    .push();
            }
            let mut seen: HashMap<&str, Range<usize>> = HashMap::new();
            for p in &i.positions {
                if self.actor_ref(
                    &p.actor,
                    p.span.clone(),
                    &format!("a position on issue `{}`", i.id),
                ) {
                    if let Some(prev) = seen.get(p.actor.as_str()) {
                        let (l, _) = self.sink.source().line_col(prev.start);
                        self.sink
                            .error(
                                "case::duplicate-position",
                                Some(p.span.clone()),
                                format!("actor `{}` has two positions on issue `{}`", p.actor, i.id),
                            )
                            .label("second position")
                            .expected(format!("one position per actor (the first is on line {l})"))
                            .hint("remove one; a second dimension of the question should be its own issue")
                            .push();
                    } else {
                        seen.insert(&p.actor, p.span.clone());
                    }
                }
                self.prov_ref(&p.prov, p.span.clone());
                let what = format!("the position of `{}` on `{}`", p.actor, i.id);
                self.num(&p.position, &what);
                self.scale(&p.position, &what, 0.0, 100.0);
                let what = format!("the salience of `{}` on `{}`", p.actor, i.id);
                self.num(&p.salience, &what);
                self.scale(&p.salience, &what, 0.0, 100.0);
            }
        }
    }

    fn values(&mut self, values: &[YearValue], what: &str) {
        let mut years = BTreeSet::new();
        for v in values {
            if !years.insert(v.year) {
                self.sink
                    .error(
                        "case::duplicate-year",
                        Some(v.span.clone()),
                        format!("{what} has two values for {}", v.year),
                    )
                    .label("second value for this year")
                    .expected("one value per year")
                    .push();
            }
            self.num(&v.value, &format!("the {} value of {what}", v.year));
        }
    }

    fn flows_and_series(&mut self) {
        let gdp_years: BTreeSet<i32> = self
            .case
            .series
            .iter()
            .filter(|s| s.measure == "gdp")
            .flat_map(|s| s.values.iter().map(|v| v.year))
            .collect();
        let has_gdp = self.case.series.iter().any(|s| s.measure == "gdp");
        for f in &self.case.flows {
            let what = format!("flow `{}`", f.id);
            self.record_sourced_if_csv(&f.prov, f.span.clone(), f.csv.is_some(), &what);
            if let Some(a) = &f.from {
                self.actor_ref(a, f.from_span.clone(), &format!("`from` of {what}"));
            }
            if let Some(a) = &f.to {
                self.actor_ref(a, f.to_span.clone(), &format!("`to` of {what}"));
            }
            self.values(&f.values, &what);
            for v in &f.values {
                self.after_as_of_year(
                    v.year,
                    &v.value.prov,
                    v.span.clone(),
                    &format!("a value of {what}"),
                );
                if has_gdp && !gdp_years.contains(&v.year) {
                    self.sink
                        .error(
                            "case::flow-year-without-gdp",
                            Some(v.span.clone()),
                            format!("{what} has a value for {} but no GDP series covers that year", v.year),
                        )
                        .label("no GDP for this year")
                        .expected(format!(
                            "a GDP value for {} (GDP years present: {})",
                            v.year,
                            year_ranges(&gdp_years)
                        ))
                        .hint("add the year to the GDP series (measure = \"gdp\"), or drop the flow value")
                        .push();
                }
            }
            if !has_gdp && !f.values.is_empty() {
                self.sink
                    .error(
                        "case::no-gdp",
                        Some(f.span.clone()),
                        format!("{what} has yearly values but the case has no GDP series"),
                    )
                    .label("flow without GDP")
                    .expected("a [[series]] with measure = \"gdp\" covering the flow's years")
                    .hint("shares of GDP need the year's GDP in current dollars: add a GDP series")
                    .push();
            }
        }
        for s in &self.case.series {
            let what = format!("series `{}`", s.id);
            self.record_sourced_if_csv(&s.prov, s.span.clone(), s.csv.is_some(), &what);
            if let Some(a) = &s.of {
                self.actor_ref(a, s.of_span.clone(), &format!("`of` of {what}"));
            }
            self.values(&s.values, &what);
            for v in &s.values {
                self.after_as_of_year(
                    v.year,
                    &v.value.prov,
                    v.span.clone(),
                    &format!("a value of {what}"),
                );
            }
        }
    }

    fn record_sourced_if_csv(
        &mut self,
        prov: &Provenance,
        span: Range<usize>,
        csv: bool,
        what: &str,
    ) {
        if csv {
            // CSV rows cite their row; the record must name the data set they come from.
            self.prov_ref(prov, span.clone());
            if self.case.case.require_sources && prov.source.is_none() && prov.judgement.is_none() {
                self.sink
                    .error(
                        "case::unsourced",
                        Some(span),
                        format!("{what} reads a CSV file but names no source for it"),
                    )
                    .label("data set without a source")
                    .expected("`source = \"<source id>\"` naming the data set")
                    .hint("declare the data set in [[source]] and cite it on the record")
                    .push();
            }
        } else {
            self.prov_ref(prov, span);
        }
    }

    fn schedules(&mut self) {
        let as_of = self.case.case.as_of;
        for s in &self.case.schedules {
            let what = format!("schedule `{}`", s.id);
            self.prov_ref(&s.prov, s.span.clone());
            if s.enacted.is_after(&as_of) && s.prov.assumption.is_none() {
                self.sink
                    .error(
                        "case::after-as-of",
                        Some(s.enacted_span.clone()),
                        format!("{what} was enacted on {}, after the case's as_of ({as_of})", s.enacted),
                    )
                    .label("after as_of")
                    .expected(format!("a decision taken by {as_of}, or one marked as an assumption"))
                    .hint("a policy decided after as_of was not known then: add `assumption = \"<reason>\"` or remove it")
                    .push();
            }
            self.values(&s.values, &what);
        }
    }

    fn events(&mut self) {
        let as_of = self.case.case.as_of;
        for e in &self.case.events {
            self.prov_ref(&e.prov, e.span.clone());
            for (a, sp) in e.actors.iter().zip(&e.actor_spans) {
                self.actor_ref(a, sp.clone(), &format!("event `{}`", e.id));
            }
            if e.date.is_after(&as_of) && e.prov.assumption.is_none() {
                self.sink
                    .error(
                        "case::after-as-of",
                        Some(e.date_span.clone()),
                        format!("event `{}` is dated {}, after the case's as_of ({as_of})", e.id, e.date),
                    )
                    .label("after as_of")
                    .expected(format!("a date up to {as_of}, or an event marked as an assumption"))
                    .hint("a scheduled or expected event is an assumption: add `assumption = \"<one-line reason>\"`")
                    .push();
            }
            if self.case.case.require_sources && !e.prov.is_sourced() && e.prov.assumption.is_none()
            {
                self.sink
                    .error(
                        "case::unsourced",
                        Some(e.span.clone()),
                        format!("event `{}` has no source", e.id),
                    )
                    .label("unsourced event")
                    .expected("`source = \"<source id>\"` or `judgement = \"…\"`")
                    .push();
            }
        }
    }

    fn params(&mut self) {
        for p in &self.case.params {
            self.record_sourced(&p.prov, p.span.clone(), &format!("parameter `{}`", p.id));
            if let Some(pr) = dist_problem(&p.dist) {
                // The key's own span comes first, then (for an array) its elements'.
                let mut at_key = p.dist_spans.iter().filter(|(k, _)| *k == pr.key);
                let whole = at_key.next();
                let span = pr
                    .item
                    .and_then(|i| at_key.nth(i))
                    .or(whole)
                    .map_or_else(|| p.span.clone(), |(_, s)| s.clone());
                self.sink
                    .error(
                        "case::bad-distribution",
                        Some(span),
                        format!("parameter `{}`: {}", p.id, pr.problem),
                    )
                    .label(format!(
                        "`{}` of the {} distribution",
                        pr.key,
                        p.dist.name()
                    ))
                    .expected(pr.expected)
                    .hint(pr.hint)
                    .push();
            }
        }
    }

    fn figures(&mut self) {
        for f in &self.case.figures {
            self.prov_ref(&f.prov, f.span.clone());
            for n in [&f.value, &f.min, &f.max].into_iter().flatten() {
                self.num(n, &format!("figure `{}`", f.id));
            }
            if let (Some(lo), Some(hi)) = (&f.min, &f.max) {
                if lo.value > hi.value {
                    self.sink
                        .error(
                            "case::min-above-max",
                            Some(lo.span.clone()),
                            format!(
                                "figure `{}` has min {} above max {}",
                                f.id, lo.value, hi.value
                            ),
                        )
                        .label("min")
                        .expected("min ≤ max")
                        .hint("swap them")
                        .push();
                }
            }
        }
    }

    fn links(&mut self, schemas: &[LinkTable]) {
        let c = self.case;
        let tables = [("econ", &c.econ), ("game", &c.game), ("sim", &c.sim)];
        for (table, links) in tables {
            let schema = schemas.iter().find(|t| t.name == table);
            for l in links {
                let (kind, what) = match schema {
                    Some(t) => match t.key(&l.key) {
                        Some(k) => (Some(k.kind), k.meaning),
                        None => continue,
                    },
                    None => (None, "a record of this case"),
                };
                let (found, names): (bool, Vec<&str>) = match kind {
                    None => {
                        let all: Vec<&str> = c
                            .flows
                            .iter()
                            .map(|f| f.id.as_str())
                            .chain(c.series.iter().map(|f| f.id.as_str()))
                            .chain(c.schedules.iter().map(|f| f.id.as_str()))
                            .chain(c.params.iter().map(|f| f.id.as_str()))
                            .chain(c.issues.iter().map(|f| f.id.as_str()))
                            .collect();
                        (all.contains(&l.id.as_str()), all)
                    }
                    Some(LinkKind::Flow) => (
                        c.flow(&l.id).is_some(),
                        c.flows.iter().map(|f| f.id.as_str()).collect(),
                    ),
                    Some(LinkKind::Series) => (
                        c.series(&l.id).is_some(),
                        c.series.iter().map(|f| f.id.as_str()).collect(),
                    ),
                    Some(LinkKind::FlowOrSeries) => (
                        c.flow(&l.id).is_some() || c.series(&l.id).is_some(),
                        c.flows
                            .iter()
                            .map(|f| f.id.as_str())
                            .chain(c.series.iter().map(|f| f.id.as_str()))
                            .collect(),
                    ),
                    Some(LinkKind::Schedule) => (
                        c.schedule(&l.id).is_some(),
                        c.schedules.iter().map(|f| f.id.as_str()).collect(),
                    ),
                    Some(LinkKind::Param) => (
                        c.param(&l.id).is_some(),
                        c.params.iter().map(|f| f.id.as_str()).collect(),
                    ),
                    Some(LinkKind::Issue) => (
                        c.issue(&l.id).is_some(),
                        c.issues.iter().map(|f| f.id.as_str()).collect(),
                    ),
                };
                if found {
                    continue;
                }
                let kind_name = match kind {
                    None => "record",
                    Some(LinkKind::Flow) => "[[flow]]",
                    Some(LinkKind::Series) => "[[series]]",
                    Some(LinkKind::FlowOrSeries) => "[[flow]] or [[series]]",
                    Some(LinkKind::Schedule) => "[[schedule]]",
                    Some(LinkKind::Param) => "[[param]]",
                    Some(LinkKind::Issue) => "[[issue]]",
                };
                let mut b = self
                    .sink
                    .error(
                        "case::unknown-link",
                        Some(l.span.clone()),
                        format!(
                            "[{table}] `{}` names {:?}, which is not a {kind_name} of this case",
                            l.key, l.id
                        ),
                    )
                    .label(format!("no {kind_name} has this id"))
                    .expected(format!("the id of a {kind_name}: {what}"));
                b = match did_you_mean(&l.id, names.iter().copied()) {
                    Some(best) => b.hint(format!("did you mean {best:?}?")),
                    None => b.hint(format!("declare the {kind_name}, or remove the link")),
                };
                b.push();
            }
        }
    }

    fn scenarios(&mut self) {
        for s in &self.case.scenarios {
            self.prov_ref(&s.prov, s.span.clone());
        }
    }

    fn states(&mut self) {
        for st in &self.case.states {
            self.prov_ref(&st.prov, st.span.clone());
            self.num(
                &st.initial,
                &format!("the initial value of state `{}`", st.id),
            );
            let (min, max) = (st.min, st.max);
            if st.kind == StateKind::Flag {
                for (key, v, want, span) in [
                    ("min", min, 0.0, &st.min_span),
                    ("max", max, 1.0, &st.max_span),
                ] {
                    if v != want {
                        self.sink
                            .error(
                                "case::bad-flag",
                                Some(span.clone()),
                                format!("state `{}` is a flag, but its {key} is {v}", st.id),
                            )
                            .label(format!("{key} of a flag"))
                            .expected(format!("{key} = {want} (a flag is 0 or 1)"))
                            .hint("drop `min` and `max` for a flag, or make it `kind = \"level\"`")
                            .push();
                    }
                }
                let x = st.initial.value;
                if !x.is_nan() && x != 0.0 && x != 1.0 {
                    self.sink
                        .error(
                            "case::out-of-range",
                            Some(st.initial.span.clone()),
                            format!("state `{}` is a flag, but its initial value is {x}", st.id),
                        )
                        .label("not 0 or 1")
                        .expected("0 or 1")
                        .hint("a flag is off (0) or on (1)")
                        .push();
                }
                continue;
            }
            if min.is_nan() || max.is_nan() {
                continue; // a missing bound, already reported
            }
            if min >= max {
                self.sink
                    .error(
                        "case::min-above-max",
                        Some(st.min_span.clone()),
                        format!("state `{}` has min {min}, not below its max {max}", st.id),
                    )
                    .label("min")
                    .expected("min < max")
                    .hint(if min > max {
                        "swap min and max"
                    } else {
                        "a variable that cannot change is a parameter, not a state"
                    })
                    .push();
                continue;
            }
            let x = st.initial.value;
            if !x.is_nan() && (x < min || x > max) {
                self.sink
                    .error(
                        "case::out-of-range",
                        Some(st.initial.span.clone()),
                        format!(
                            "the initial value {x} of state `{}` is outside [{min}, {max}]",
                            st.id
                        ),
                    )
                    .label("out of range")
                    .expected(format!("a number from {min} to {max}"))
                    .hint("fix the value, or widen min and max")
                    .push();
            }
        }
    }

    /// Where a rule problem is in the file: the exact characters when the rule's string maps
    /// one-to-one onto the file, else the whole string.
    fn rule_span(s: &Scenario, r: &Range<usize>) -> Range<usize> {
        match s.rule_offset {
            Some(o) => o + r.start..o + r.end,
            None => s.rule_span.clone(),
        }
    }

    fn rules(&mut self) {
        let c = self.case;
        if !c.scenarios.iter().any(|s| s.rule.is_some()) {
            return;
        }
        let mut ok = true;
        for s in c.scenarios.iter().filter(|s| s.rule.is_none()) {
            ok = false;
            let with: Vec<&str> = c
                .scenarios
                .iter()
                .filter(|s| s.rule.is_some())
                .map(|s| s.id.as_str())
                .collect();
            self.sink
                .error(
                    "case::rule-missing",
                    Some(s.span.clone()),
                    format!(
                        "scenario `{}` has no rule, but {} {} one",
                        s.id,
                        with.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", "),
                        if with.len() == 1 { "has" } else { "have" }
                    ),
                )
                .label("no `rule`")
                .expected("`rule = \"…\"` on every scenario once one has a rule")
                .hint("the rules classify every simulated state into exactly one scenario; add a rule here (e.g. the negation of the others)")
                .push();
        }
        let ids: Vec<&str> = c.states.iter().map(|s| s.id.as_str()).collect();
        let mut compiled = Vec::new();
        for s in &c.scenarios {
            let Some(text) = &s.rule else { continue };
            match rule::compile_str(text, &ids) {
                Ok(r) => compiled.push((s, r)),
                Err(e) => {
                    ok = false;
                    let col = e.column(text);
                    let mut b = self
                        .sink
                        .error(
                            "case::bad-rule",
                            Some(Self::rule_span(s, &e.span)),
                            format!(
                                "the rule of scenario `{}`: {} (column {col} of the rule)",
                                s.id, e.message
                            ),
                        )
                        .label(e.message.clone())
                        .expected(e.expected.clone());
                    if let Some(h) = &e.hint {
                        b = b.hint(h.clone());
                    }
                    b.push();
                }
            }
        }
        let box_ok = c.states.iter().all(|s| s.min < s.max);
        if !ok || !box_ok {
            return;
        }
        let dims = c.state_box();
        let rules: Vec<&rule::CompiledRule> = compiled.iter().map(|(_, r)| r).collect();
        let p = rule::check_partition(&rules, &dims);
        let mut show: Vec<usize> = rules.iter().flat_map(|r| r.vars()).collect();
        show.sort_unstable();
        show.dedup();
        let how = if p.exact {
            String::new()
        } else {
            format!(
                " (found by a sampled check of {} points: a rule compares sums, products or two state variables, so the state box cannot be split exactly)",
                p.points
            )
        };
        for (i, j, point) in &p.overlaps {
            let (a, b) = (compiled[*i].0, compiled[*j].0);
            let at = rule::describe_point(point, &dims, &show);
            self.sink
                .error(
                    "case::rule-overlap",
                    Some(b.rule_span.clone()),
                    format!(
                        "the rules of scenarios `{}` and `{}` both hold at {at}{how}",
                        a.id, b.id
                    ),
                )
                .label(format!("overlaps with `{}`", a.id))
                .expected("rules that exclude each other: exactly one scenario for every state")
                .hint(format!(
                    "tighten one of the two rules (mind `>=` against `>` at a shared threshold), or add `&& !({})` to this one",
                    a.rule.as_deref().unwrap_or("…")
                ))
                .push();
        }
        if !p.gaps.is_empty() {
            let last = compiled[compiled.len() - 1].0;
            let examples: Vec<String> = p
                .gaps
                .iter()
                .map(|g| rule::describe_point(g, &dims, &show))
                .collect();
            let more = p.gap_count.saturating_sub(p.gaps.len());
            let unit = if p.exact { "cells" } else { "points" };
            self.sink
                .error(
                    "case::rule-gap",
                    Some(last.rule_span.clone()),
                    format!(
                        "no scenario's rule holds at {}{}{how}",
                        examples.join("; at "),
                        if more > 0 {
                            format!(" (and {more} more {unit})")
                        } else {
                            String::new()
                        }
                    ),
                )
                .label("the rules leave states unclassified")
                .expected("rules that together cover every state of the box [min, max] of each [[state]]")
                .hint("widen a rule (mind `<` against `<=` at a shared threshold), or add a scenario whose rule covers the rest")
                .push();
        }
    }

    fn correlations(&mut self) {
        let c = self.case;
        let param_ids: Vec<&str> = c.params.iter().map(|p| p.id.as_str()).collect();
        let mut ok = true;
        let mut pairs: HashMap<(&str, &str), Range<usize>> = HashMap::new();
        for k in &c.correlations {
            self.prov_ref(&k.prov, k.a_span.clone());
            self.num(
                &k.rho,
                &format!("the correlation of `{}` and `{}`", k.a, k.b),
            );
            let r = k.rho.value;
            if r <= -1.0 || r >= 1.0 {
                ok = false;
                self.sink
                    .error(
                        "case::out-of-range",
                        Some(k.rho.span.clone()),
                        format!("the correlation of `{}` and `{}` is {r}", k.a, k.b),
                    )
                    .label("not strictly between -1 and 1")
                    .expected("a rank correlation in (-1, 1)")
                    .hint("a correlation of ±1 makes one parameter a function of the other: keep one of them, or use e.g. 0.9")
                    .push();
            }
            for (id, span) in [(&k.a, &k.a_span), (&k.b, &k.b_span)] {
                match c.param(id) {
                    None => {
                        ok = false;
                        let mut b = self
                            .sink
                            .error(
                                "case::unknown-param",
                                Some(span.clone()),
                                format!(
                                    "the correlation names a parameter that is not declared: {id:?}"
                                ),
                            )
                            .label("no [[param]] has this id")
                            .expected("the id of an uncertain [[param]]");
                        b = match did_you_mean(id, param_ids.iter().copied()) {
                            Some(best) => b.hint(format!("did you mean {best:?}?")),
                            None => b.hint("declare the parameter, or fix the id"),
                        };
                        b.push();
                    }
                    Some(p) if matches!(p.dist, Dist::Choice { .. }) => {
                        ok = false;
                        self.sink
                            .error(
                                "case::correlated-choice",
                                Some(span.clone()),
                                format!(
                                    "parameter `{id}` is a choice among named options, so it cannot be rank-correlated"
                                ),
                            )
                            .label("a choice parameter")
                            .expected("a numeric uncertain parameter (pert, normal, uniform, …)")
                            .hint("the order of a choice's options means nothing, so a rank correlation with it has no meaning; remove the correlation")
                            .push();
                    }
                    Some(p) if matches!(p.dist, Dist::Fixed { .. }) => {
                        ok = false;
                        self.sink
                            .error(
                                "case::correlated-fixed",
                                Some(span.clone()),
                                format!("parameter `{id}` is fixed, so it cannot be correlated"),
                            )
                            .label("a fixed parameter")
                            .expected("an uncertain parameter (one with `dist`)")
                            .hint("give the parameter a distribution, or remove the correlation")
                            .push();
                    }
                    Some(_) => {}
                }
            }
            if k.a == k.b {
                ok = false;
                self.sink
                    .error(
                        "case::self-correlation",
                        Some(k.b_span.clone()),
                        format!("`{}` is correlated with itself", k.a),
                    )
                    .label("same parameter as `a`")
                    .expected("two different parameters")
                    .hint(
                        "a parameter's correlation with itself is always 1; name another parameter",
                    )
                    .push();
                continue;
            }
            let key = if k.a < k.b {
                (k.a.as_str(), k.b.as_str())
            } else {
                (k.b.as_str(), k.a.as_str())
            };
            if let Some(prev) = pairs.get(&key) {
                ok = false;
                let (l, _) = self.sink.source().line_col(prev.start);
                self.sink
                    .error(
                        "case::duplicate-correlation",
                        Some(k.a_span.clone()),
                        format!("`{}` and `{}` are correlated twice", k.a, k.b),
                    )
                    .label("second correlation of this pair")
                    .expected(format!(
                        "one [[correlation]] per pair (the first is on line {l})"
                    ))
                    .hint("remove one of them")
                    .push();
            } else {
                pairs.insert(key, k.a_span.clone());
            }
        }
        if !ok {
            return;
        }
        let m = c.correlation_matrix();
        if let Err(k) = m.cholesky() {
            let involved = &m.params[..=k.min(m.len().saturating_sub(1))];
            let mut listed = Vec::new();
            let mut span = None;
            for r in &c.correlations {
                if involved.contains(&r.a) && involved.contains(&r.b) {
                    listed.push(format!("{}–{} {}", r.a, r.b, r.rho.value));
                    if r.a == m.params[k] || r.b == m.params[k] {
                        span = Some(r.rho.span.clone());
                    }
                }
            }
            self.sink
                .error(
                    "case::correlation-not-positive-definite",
                    span,
                    format!(
                        "the correlations of {} cannot hold together (their matrix is not positive definite)",
                        involved.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .label("inconsistent with the other correlations")
                .expected("correlations some joint distribution can have (a positive definite matrix)")
                .hint(format!(
                    "weaken one of these pairs: {} (e.g. if A–B and B–C are strongly positive, A–C cannot be strongly negative)",
                    listed.join(", ")
                ))
                .push();
        }
    }
}

fn year_ranges(years: &BTreeSet<i32>) -> String {
    if years.is_empty() {
        return "none".into();
    }
    let mut out = Vec::new();
    let mut it = years.iter().copied();
    let mut start = it.next().unwrap_or_default();
    let mut prev = start;
    for y in it {
        if y != prev + 1 {
            out.push(if start == prev {
                format!("{start}")
            } else {
                format!("{start}–{prev}")
            });
            start = y;
        }
        prev = y;
    }
    out.push(if start == prev {
        format!("{start}")
    } else {
        format!("{start}–{prev}")
    });
    out.join(", ")
}

/// What is wrong with a distribution, and which key to point at.
#[derive(Debug, Clone, PartialEq)]
pub struct DistProblem {
    /// The key at fault (`min`, `mode`, `sd`, `weights`, …).
    pub key: &'static str,
    /// What is wrong.
    pub problem: String,
    /// What was expected.
    pub expected: String,
    /// How to fix it.
    pub hint: String,
    /// The element of the key's array at fault (0-based), when one element is (a repeated
    /// option, a negative weight).
    pub item: Option<usize>,
}

fn dp(key: &'static str, problem: String, expected: &str, hint: &str) -> Option<DistProblem> {
    Some(DistProblem {
        key,
        problem,
        expected: expected.into(),
        hint: hint.into(),
        item: None,
    })
}

/// A problem with element `item` of the array under `key`.
fn dp_item(
    key: &'static str,
    item: usize,
    problem: String,
    expected: &str,
    hint: &str,
) -> Option<DistProblem> {
    dp(key, problem, expected, hint).map(|p| DistProblem {
        item: Some(item),
        ..p
    })
}

/// What is wrong with a choice's options and weights, if anything.
fn choice_problem(options: &[String], weights: &[f64]) -> Option<DistProblem> {
    if options.is_empty() {
        return dp(
            "options",
            "no options".into(),
            "at least one option name",
            "list the alternatives, e.g. options = [\"compromise\", \"median\", \"nbs\"]",
        );
    }
    for (i, o) in options.iter().enumerate() {
        if o.trim().is_empty() {
            return dp_item(
                "options",
                i,
                format!("option {} has an empty name", i + 1),
                "a non-empty name for every option",
                "name the alternative, e.g. \"median\", or remove the empty entry",
            );
        }
        if let Some(first) = options[..i].iter().position(|p| p == o) {
            return dp_item(
                "options",
                i,
                format!(
                    "option {o:?} is listed twice (options {} and {})",
                    first + 1,
                    i + 1
                ),
                "distinct option names",
                "remove the repeat; to make an option more likely, raise its weight",
            );
        }
    }
    if weights.len() != options.len() {
        return dp(
            "weights",
            format!("{} options but {} weights", options.len(), weights.len()),
            "one weight per option",
            "make `options` and `weights` the same length, or drop `weights` for equal weights",
        );
    }
    for (i, w) in weights.iter().enumerate() {
        if !w.is_finite() {
            return dp_item(
                "weights",
                i,
                format!("the weight of {:?} is {w}", options[i]),
                "finite weights",
                "weights are relative probabilities such as 0.5 or 2",
            );
        }
        if *w < 0.0 {
            return dp_item(
                "weights",
                i,
                format!("the weight of {:?} is negative ({w})", options[i]),
                "weights ≥ 0",
                "weights are relative probabilities; give 0 to an option that is never to be drawn",
            );
        }
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return dp(
            "weights",
            "the weights are all zero".into(),
            "weights with a positive sum",
            "give at least one option a positive weight",
        );
    }
    if !total.is_finite() {
        return dp(
            "weights",
            format!("the weights sum to {total}"),
            "weights with a finite sum",
            "scale the weights down, e.g. to probabilities that sum to 1",
        );
    }
    None
}

/// What is wrong with a distribution, if anything.
pub fn dist_problem(d: &Dist) -> Option<DistProblem> {
    let bounds = |min: f64, mode: Option<f64>, max: f64| -> Option<DistProblem> {
        if min > max {
            return dp(
                "min",
                format!("min {min} is greater than max {max}"),
                "min < max",
                "swap min and max",
            );
        }
        if min == max {
            return dp(
                "max",
                format!("min and max are both {min}"),
                "min < max",
                "for a fixed value, drop `dist` and write `value = …`",
            );
        }
        match mode {
            Some(m) if m < min || m > max => dp(
                "mode",
                format!("mode {m} lies outside [{min}, {max}]"),
                "min ≤ mode ≤ max",
                "the most likely value must lie between min and max",
            ),
            _ => None,
        }
    };
    match d {
        Dist::Fixed { .. } => None,
        Dist::Pert { min, mode, max } | Dist::Triangular { min, mode, max } => {
            bounds(*min, Some(*mode), *max)
        }
        Dist::Uniform { min, max } => bounds(*min, None, *max),
        Dist::Normal { sd, .. } if *sd <= 0.0 => dp(
            "sd",
            format!("sd is {sd}"),
            "sd > 0",
            "a standard deviation must be positive; for a fixed value write `value = …`",
        ),
        Dist::Lognormal { sigma, .. } if *sigma <= 0.0 => dp(
            "sigma",
            format!("sigma is {sigma}"),
            "sigma > 0",
            "sigma is the standard deviation of the log and must be positive",
        ),
        Dist::Normal { .. } | Dist::Lognormal { .. } => None,
        Dist::Beta {
            alpha,
            beta,
            min,
            max,
        } => {
            if *alpha <= 0.0 || *beta <= 0.0 {
                dp(
                    if *alpha <= 0.0 { "alpha" } else { "beta" },
                    format!("shapes alpha = {alpha}, beta = {beta} are not both positive"),
                    "alpha > 0 and beta > 0",
                    "e.g. alpha = 2, beta = 5 for a value usually near the low end",
                )
            } else {
                bounds(*min, None, *max)
            }
        }
        Dist::Discrete { values, weights } => {
            if values.is_empty() {
                dp(
                    "values",
                    "no values".into(),
                    "at least one value",
                    "list the possible values in `values`",
                )
            } else if values.len() != weights.len() {
                dp(
                    "weights",
                    format!("{} values but {} weights", values.len(), weights.len()),
                    "one weight per value",
                    "make `values` and `weights` the same length",
                )
            } else if weights.iter().any(|w| *w < 0.0) {
                dp(
                    "weights",
                    "a weight is negative".into(),
                    "weights ≥ 0",
                    "weights are relative probabilities",
                )
            } else if weights.iter().sum::<f64>() <= 0.0 {
                dp(
                    "weights",
                    "the weights sum to zero".into(),
                    "weights with a positive sum",
                    "give at least one value a positive weight",
                )
            } else {
                None
            }
        }
        Dist::Choice { options, weights } => choice_problem(options, weights),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ranges_compress() {
        let y: BTreeSet<i32> = [2005, 2006, 2007, 2010, 2012, 2013].into_iter().collect();
        assert_eq!(year_ranges(&y), "2005–2007, 2010, 2012–2013");
    }

    #[test]
    fn dist_checks() {
        assert!(
            dist_problem(&Dist::Pert {
                min: 1.0,
                mode: 2.0,
                max: 3.0
            })
            .is_none()
        );
        assert!(
            dist_problem(&Dist::Pert {
                min: 3.0,
                mode: 2.0,
                max: 1.0
            })
            .is_some()
        );
        assert!(
            dist_problem(&Dist::Triangular {
                min: 0.0,
                mode: 5.0,
                max: 3.0
            })
            .is_some()
        );
        assert!(dist_problem(&Dist::Normal { mean: 0.0, sd: 0.0 }).is_some());
        assert!(
            dist_problem(&Dist::Discrete {
                values: vec![1.0],
                weights: vec![0.0]
            })
            .is_some()
        );
        assert!(
            dist_problem(&Dist::Beta {
                alpha: 2.0,
                beta: 5.0,
                min: 0.0,
                max: 1.0
            })
            .is_none()
        );
    }

    #[test]
    fn choice_checks() {
        let names = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let problem = |o: &[&str], w: &[f64]| {
            dist_problem(&Dist::Choice {
                options: names(o),
                weights: w.to_vec(),
            })
            .map(|p| (p.key, p.item))
        };
        assert_eq!(problem(&["a", "b"], &[0.5, 0.5]), None);
        assert_eq!(problem(&["a", "b"], &[0.0, 1.0]), None);
        // Weights built directly need not be normalised.
        assert_eq!(problem(&["a", "b"], &[3.0, 1.0]), None);
        assert_eq!(problem(&[], &[]), Some(("options", None)));
        assert_eq!(
            problem(&["a", " "], &[0.5, 0.5]),
            Some(("options", Some(1)))
        );
        assert_eq!(
            problem(&["a", "b", "a"], &[0.2, 0.3, 0.5]),
            Some(("options", Some(2)))
        );
        assert_eq!(problem(&["a", "b"], &[1.0]), Some(("weights", None)));
        assert_eq!(
            problem(&["a", "b"], &[1.0, -0.5]),
            Some(("weights", Some(1)))
        );
        assert_eq!(
            problem(&["a", "b"], &[f64::NAN, 1.0]),
            Some(("weights", Some(0)))
        );
        assert_eq!(problem(&["a", "b"], &[0.0, 0.0]), Some(("weights", None)));
        assert_eq!(
            problem(&["a", "b"], &[f64::MAX, f64::MAX]),
            Some(("weights", None))
        );
        // The normalising constructor: equal weights by default, invalid weights kept as given.
        let d = Dist::choice(names(&["a", "b", "c", "d"]), None);
        assert_eq!(
            d,
            Dist::Choice {
                options: names(&["a", "b", "c", "d"]),
                weights: vec![0.25; 4]
            }
        );
        let d = Dist::choice(names(&["a", "b"]), Some(vec![3.0, 1.0]));
        assert_eq!(
            d,
            Dist::Choice {
                options: names(&["a", "b"]),
                weights: vec![0.75, 0.25]
            }
        );
        let d = Dist::choice(names(&["a", "b"]), Some(vec![-1.0, 2.0]));
        assert!(matches!(&d, Dist::Choice { weights, .. } if weights == &[-1.0, 2.0]));
        assert!(dist_problem(&d).is_some());
    }
}
