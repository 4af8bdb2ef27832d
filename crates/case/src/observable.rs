//! Observables: what an analyst can see of a simulated path, and how it is seen.
//!
//! A case marks the quantities of its timeline that can be observed in the world with
//! `[[observable]]` records: a state variable (the integration signed, tension), an issue's
//! forecast, the subsidy or the oil price, a drawn parameter (the contract gas price), or a sign
//! that happens in a year (an event, a decision at a crisis, what the client does with a signed
//! deal). `leverage watch` ranks them as signposts; evidence files (`crate::evidence`) report
//! observations of them, and `leverage update` reweights a run's paths by them.
//!
//! ```toml
//! [[observable]]
//! id = "signed"
//! kind = "state"
//! of = "econ_signed"
//! label = "integration signed"
//! how = "the texts signed at the bilateral summits, scored on the issue's scale"
//! error = 5
//! judgement = "coding a treaty onto the 0-100 scale is uncertain by about one step"
//! ```
//!
//! The sign names of `event`, `decision` and `implementation` observables are the scenario
//! engine's vocabulary ([`EVENT_SIGNS`], [`DECISION_SIGNS`], [`IMPLEMENTATION_SIGNS`]).

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use toml::de::DeTable;

use crate::diag::Sink;
use crate::model::{Case, Provenance};
use crate::read::{Tbl, did_you_mean};

/// What an observable reads from a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObservableKind {
    /// A `[[state]]` variable at a year's end (`of` = its id).
    State,
    /// An issue's bargaining forecast in a year (`of` = the issue id).
    Issue,
    /// The subsidy at stake in a year, USD bn (no `of`).
    Subsidy,
    /// The oil price of a year, USD per barrel (no `of`).
    OilPrice,
    /// A drawn `[[param]]` (`of` = its id): the same in every year of a path.
    Param,
    /// An event of a year (`of` one of [`EVENT_SIGNS`]).
    Event,
    /// A decision at a crisis of a year (`of` one of [`DECISION_SIGNS`]).
    Decision,
    /// What the client did with a signed deal in a year (`of` one of [`IMPLEMENTATION_SIGNS`]).
    Implementation,
}

impl ObservableKind {
    /// Every kind with its name in the file.
    pub const ALL: [(&'static str, ObservableKind); 8] = [
        ("state", ObservableKind::State),
        ("issue", ObservableKind::Issue),
        ("subsidy", ObservableKind::Subsidy),
        ("oil_price", ObservableKind::OilPrice),
        ("param", ObservableKind::Param),
        ("event", ObservableKind::Event),
        ("decision", ObservableKind::Decision),
        ("implementation", ObservableKind::Implementation),
    ];
    /// The name in the file.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("state", |(n, _)| n)
    }
    /// True for signs that happen or not (an observation is `true` or `false`); false for
    /// quantities (an observation is a number).
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            ObservableKind::Event | ObservableKind::Decision | ObservableKind::Implementation
        )
    }
    /// The sign names `of` may take, for the binary kinds.
    pub fn signs(self) -> &'static [&'static str] {
        match self {
            ObservableKind::Event => EVENT_SIGNS,
            ObservableKind::Decision => DECISION_SIGNS,
            ObservableKind::Implementation => IMPLEMENTATION_SIGNS,
            _ => &[],
        }
    }
}

/// Events of a year, in the scenario engine's event-bit order.
pub const EVENT_SIGNS: &[&str] = &[
    "election",
    "succession",
    "regime_crisis",
    "regime_change",
    "intervention",
    "rival_support",
    "partner_support",
    "rival_opens",
    "rival_closes",
    "subsidy_cut",
    "demand_raised",
];

/// Decisions at a crisis of the economic track (and, prefixed `military_`, of the military
/// track): a demand made; the client's answer (accept, stall, refuse); what followed (the
/// patron backs down, the client capitulates to coercion or resists it).
pub const DECISION_SIGNS: &[&str] = &[
    "demand",
    "accept",
    "stall",
    "refuse",
    "back_down",
    "capitulate",
    "resist",
    "military_demand",
    "military_accept",
    "military_stall",
    "military_refuse",
    "military_back_down",
    "military_capitulate",
    "military_resist",
];

/// What the client did with a signed deal in a year.
pub const IMPLEMENTATION_SIGNS: &[&str] = &["implement", "stall", "withdraw"];

/// An `[[observable]]`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Observable {
    /// Identifier, named by evidence files.
    pub id: String,
    /// What it reads.
    pub kind: ObservableKind,
    /// The state, issue or parameter id, or the sign name (empty for `subsidy`, `oil_price`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub of: String,
    /// A short label for tables.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// How it is observed in the world.
    pub how: String,
    /// The usual measurement error: a standard deviation in the quantity's unit, or for a
    /// binary sign the probability that a report of it is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<f64>,
    /// Provenance of the error.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Range<usize>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `of` (the id's when absent).
    pub of_span: Range<usize>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `error` (the id's when absent).
    pub error_span: Range<usize>,
}

impl Observable {
    /// The label, or the id when none is given.
    pub fn name(&self) -> &str {
        if self.label.is_empty() {
            &self.id
        } else {
            &self.label
        }
    }
}

impl Case {
    /// The first simulated year: the year of `as_of` when it falls in January–June, else the
    /// next (the rule the scenario engine's wiring applies).
    pub fn first_simulated_year(&self) -> i32 {
        let a = &self.case.as_of;
        if a.month.is_some_and(|m| m <= 6) {
            a.year
        } else {
            a.year + 1
        }
    }
    /// The observable with this id.
    pub fn observable(&self, id: &str) -> Option<&Observable> {
        self.observables.iter().find(|o| o.id == id)
    }
}

/// Reads one `[[observable]]`.
pub(crate) fn read_observable(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    i: usize,
) -> Option<Observable> {
    let mut tb = Tbl::new(t, span, format!("[[observable]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let kind = tb.string(sink, "kind", true);
    let of = tb.string(sink, "of", false);
    let label = tb.string(sink, "label", false);
    let how = tb.string(sink, "how", true);
    let error = tb.float(sink, "error", false);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let (id, id_span) = id?;
    let (kind_s, kind_span) = kind?;
    let Some(kind) = ObservableKind::ALL
        .iter()
        .find(|(n, _)| *n == kind_s)
        .map(|(_, k)| *k)
    else {
        let names: Vec<&str> = ObservableKind::ALL.iter().map(|(n, _)| *n).collect();
        let mut b = sink
            .error(
                "case::bad-observable-kind",
                Some(kind_span),
                format!("unknown observable kind {kind_s:?}"),
            )
            .label("not an observable kind")
            .expected(format!("one of: {}", names.join(", ")));
        b = match did_you_mean(&kind_s, names.iter().copied()) {
            Some(best) => b.hint(format!("did you mean {best:?}?")),
            None => b.hint("see \"Observables\" in docs/case-format.md"),
        };
        b.push();
        return None;
    };
    let (of, of_span) = of.unwrap_or_else(|| (String::new(), id_span.clone()));
    Some(Observable {
        id,
        kind,
        of,
        label: label.map(|l| l.0).unwrap_or_default(),
        how: how?.0,
        error_span: error.as_ref().map_or(id_span.clone(), |e| e.1.clone()),
        error: error.map(|e| e.0),
        prov,
        span: id_span,
        of_span,
    })
}

/// Checks the observables against the rest of the case: unique ids, `of` naming a declared
/// state, issue or parameter or a known sign, and a usable measurement error.
pub(crate) fn validate_observables(case: &Case, sink: &mut Sink) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for o in &case.observables {
        if let Some(prev) = seen.insert(&o.id, o.span.start) {
            let (l, _) = sink.source().line_col(prev);
            sink.error(
                "case::duplicate-id",
                Some(o.span.clone()),
                format!("duplicate observable id {:?}", o.id),
            )
            .label("second use of this id")
            .expected(format!("an observable id not used before (line {l})"))
            .hint("rename one of them")
            .push();
        }
        let ids: Vec<&str> = match o.kind {
            ObservableKind::State => case.states.iter().map(|s| s.id.as_str()).collect(),
            ObservableKind::Issue => case.issues.iter().map(|s| s.id.as_str()).collect(),
            ObservableKind::Param => case
                .params
                .iter()
                .filter(|p| p.dist.options().is_none())
                .map(|p| p.id.as_str())
                .collect(),
            ObservableKind::Subsidy | ObservableKind::OilPrice => Vec::new(),
            k => k.signs().to_vec(),
        };
        let needs_of = !matches!(o.kind, ObservableKind::Subsidy | ObservableKind::OilPrice);
        if !needs_of && !o.of.is_empty() {
            sink.error(
                "case::observable-of",
                Some(o.of_span.clone()),
                format!(
                    "an observable of kind `{}` reads no record: `of` is not used",
                    o.kind.as_str()
                ),
            )
            .label("not used")
            .expected("no `of` for kind subsidy or oil_price")
            .hint("remove `of`")
            .push();
        } else if needs_of && !ids.contains(&o.of.as_str()) {
            let what = match o.kind {
                ObservableKind::State => "a declared [[state]]",
                ObservableKind::Issue => "a declared [[issue]]",
                ObservableKind::Param => "a declared numeric [[param]]",
                _ => "a sign of this kind",
            };
            let mut b = sink
                .error(
                    "case::unknown-observable-of",
                    Some(o.of_span.clone()),
                    if o.of.is_empty() {
                        format!("observable {:?} does not say what it reads", o.id)
                    } else {
                        format!(
                            "observable {:?} reads {:?}, which is not {what}",
                            o.id, o.of
                        )
                    },
                )
                .label("unknown here")
                .expected(format!("`of` = {what}: {}", ids.join(", ")));
            b = match did_you_mean(&o.of, ids.iter().copied()) {
                Some(best) => b.hint(format!("did you mean {best:?}?")),
                None => b.hint("see \"Observables\" in docs/case-format.md"),
            };
            b.push();
        }
        if let Some(e) = o.error {
            let ok = if o.kind.is_binary() {
                (0.0..0.5).contains(&e)
            } else {
                e > 0.0
            };
            if !ok {
                sink.error(
                    "case::observable-error",
                    Some(o.error_span.clone()),
                    format!("observable {:?} has a measurement error of {e}", o.id),
                )
                .label("out of range")
                .expected(if o.kind.is_binary() {
                    "for a sign, the probability that a report is wrong: at least 0, below 0.5"
                } else {
                    "a standard deviation above 0, in the quantity's unit"
                })
                .hint("leave `error` out for a sign that is seen without error")
                .push();
            }
            if case.case.require_sources && !o.prov.is_sourced() {
                sink.error(
                    "case::unsourced",
                    Some(o.error_span.clone()),
                    format!(
                        "the measurement error of observable {:?} has no source and no judgement",
                        o.id
                    ),
                )
                .label("unsourced")
                .expected("`source = \"<source id>\"` or `judgement = \"<one-line reason>\"`")
                .hint("say where the error comes from, or why you judge it so")
                .push();
            }
        }
    }
}
