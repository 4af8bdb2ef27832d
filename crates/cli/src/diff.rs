//! `leverage runs diff A B`: two stored runs side by side. A header names both runs (id, case,
//! draws, seed, date) and the settings that differ; a table gives, for each year and scenario,
//! each run's probability with its Wilson 95 % interval, the difference in percentage points,
//! and whether it lies outside both intervals (each run's estimate outside the other's
//! interval). `--output json` holds the same content.

use comfy_table::Cell;
use leverage_sim::ensemble::{Ensemble, Probability};
use leverage_store::{MetaChange, ParamChange, Run, RunRef, Store};
use serde::Serialize;

use crate::args::Output;
use crate::show::table;
use crate::sim::right;
use crate::{Failure, Result, pretty_json};

/// How many differing parameters the table lists (JSON lists them all).
const PARAMETERS_SHOWN: usize = 20;

/// A run as the header names it.
#[derive(Debug, Serialize)]
struct Header {
    id: i64,
    case_id: String,
    case_title: String,
    draws: u64,
    seed: u64,
    created: String,
}

impl Header {
    fn of(run: &Run) -> Header {
        Header {
            id: run.id.0,
            case_id: run.meta.case_id.clone(),
            case_title: run.meta.case_title.clone(),
            draws: run.meta.n_draws,
            seed: run.meta.seed,
            created: run.created.clone(),
        }
    }
}

/// A scenario's probability in one year, in either run (absent: not in that run).
#[derive(Debug, Serialize)]
struct Row {
    year: i32,
    scenario: String,
    a: Option<Probability>,
    b: Option<Probability>,
    /// (p_b − p_a) × 100.
    difference_points: Option<f64>,
    /// Each run's probability lies outside the other run's Wilson 95 % interval.
    outside_both_intervals: bool,
}

/// Everything `runs diff` says.
#[derive(Debug, Serialize)]
struct Comparison {
    a: Header,
    b: Header,
    /// Run fields that differ (case, seed, draws, threads, version, scenarios).
    meta: Vec<MetaChange>,
    /// Parameters added, removed or changed.
    parameters: Vec<ParamChange>,
    /// Every year and scenario of either run (rows where both runs give 0 are left out).
    probabilities: Vec<Row>,
}

/// The ensemble a run saved as its aggregates.
pub fn ensemble_of(run: &Run) -> Result<Ensemble> {
    serde_json::from_value(run.aggregates.clone()).map_err(|e| {
        Failure::User(format!(
            "error: run {} holds aggregates this version cannot read: {e}\n  help: read it with the leverage version that saved it ({})",
            run.id, run.meta.version
        ))
    })
}

fn probability(e: &Ensemble, year: i32, scenario: &str) -> Option<Probability> {
    let y = e.years.iter().position(|&x| x == year)?;
    let k = e.scenarios.iter().position(|s| s == scenario)?;
    e.probabilities.get(y)?.get(k).copied()
}

fn rows(ea: &Ensemble, eb: &Ensemble) -> Vec<Row> {
    let mut years: Vec<i32> = ea.years.iter().chain(&eb.years).copied().collect();
    years.sort_unstable();
    years.dedup();
    let mut scenarios: Vec<&String> = ea.scenarios.iter().collect();
    scenarios.extend(eb.scenarios.iter().filter(|s| !ea.scenarios.contains(s)));
    let mut out = Vec::new();
    for &year in &years {
        for &scenario in &scenarios {
            let (a, b) = (
                probability(ea, year, scenario),
                probability(eb, year, scenario),
            );
            if a.is_none_or(|p| p.p == 0.0) && b.is_none_or(|p| p.p == 0.0) {
                continue;
            }
            let (difference_points, outside_both_intervals) = match (a, b) {
                (Some(a), Some(b)) => (
                    Some(100.0 * (b.p - a.p)),
                    !(a.lo..=a.hi).contains(&b.p) && !(b.lo..=b.hi).contains(&a.p),
                ),
                _ => (None, false),
            };
            out.push(Row {
                year,
                scenario: scenario.clone(),
                a,
                b,
                difference_points,
                outside_both_intervals,
            });
        }
    }
    out
}

/// `runs diff A B`.
pub fn run(store: &Store, a: RunRef, b: RunRef, output: Output) -> Result<()> {
    let user = |e: leverage_store::StoreError| Failure::User(format!("error: {e}"));
    let (ra, rb) = (store.show(a).map_err(user)?, store.show(b).map_err(user)?);
    let d = store
        .diff(RunRef::Id(ra.id), RunRef::Id(rb.id))
        .map_err(user)?;
    let c = Comparison {
        a: Header::of(&ra),
        b: Header::of(&rb),
        probabilities: rows(&ensemble_of(&ra)?, &ensemble_of(&rb)?),
        meta: d.meta,
        parameters: d.parameters,
    };
    match output {
        Output::Json => println!("{}", pretty_json(&c)?),
        Output::Table => print_table(&c),
        Output::Csv => return Err(crate::io::csv_refused("runs diff")),
    }
    Ok(())
}

fn pct(p: Option<Probability>) -> String {
    match p {
        Some(p) if p.p.is_finite() => format!(
            "{:.1} ({:.1}–{:.1})",
            100.0 * p.p,
            100.0 * p.lo,
            100.0 * p.hi
        ),
        _ => "—".into(),
    }
}

fn print_table(c: &Comparison) {
    for (label, h) in [("A", &c.a), ("B", &c.b)] {
        println!(
            "Run {label}: {} — case {} ({}), {} draws, seed {}, {}",
            h.id, h.case_id, h.case_title, h.draws, h.seed, h.created
        );
    }
    if c.meta.is_empty() && c.parameters.is_empty() {
        println!("Same settings.");
    } else {
        println!("Settings that differ (A → B):");
        for m in &c.meta {
            println!("  {}: {} → {}", m.field, m.a, m.b);
        }
        let value =
            |v: &Option<serde_json::Value>| v.as_ref().map_or("—".into(), |v| v.to_string());
        for p in c.parameters.iter().take(PARAMETERS_SHOWN) {
            println!("  {}: {} → {}", p.path, value(&p.old), value(&p.new));
        }
        if c.parameters.len() > PARAMETERS_SHOWN {
            println!(
                "  … and {} more parameters (--output json lists them all)",
                c.parameters.len() - PARAMETERS_SHOWN
            );
        }
    }
    let mut t = table(&[
        "year",
        "scenario",
        "A: % (95 %)",
        "B: % (95 %)",
        "B − A, points",
        "outside both\n95 % intervals",
    ]);
    for r in &c.probabilities {
        t.add_row(vec![
            Cell::new(r.year),
            Cell::new(&r.scenario),
            right(pct(r.a)),
            right(pct(r.b)),
            right(
                r.difference_points
                    .map_or("—".into(), |d| format!("{d:+.1}")),
            ),
            Cell::new(if r.outside_both_intervals { "yes" } else { "" }),
        ]);
    }
    println!("Scenario probabilities by year, run A against run B:");
    println!("{t}");
    let n = c
        .probabilities
        .iter()
        .filter(|r| r.outside_both_intervals)
        .count();
    println!(
        "{n} of {} differences lie outside both runs' Wilson 95 % intervals.",
        c.probabilities.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ensemble(years: Vec<i32>, scenarios: &[&str], p: Vec<Vec<(f64, f64, f64)>>) -> Ensemble {
        let mut e: Ensemble = serde_json::from_value(serde_json::json!({
            "draws": 100, "failed": 0, "seed": 1, "years": [], "scenarios": [],
            "probabilities": [], "terminal_counts": [], "military_counts": [],
            "implementation_counts": [], "event_counts": [], "sequences": [],
            "distinct_sequences": 0, "fan_variables": [], "fans": [], "summary_names": [],
            "issue_outcomes": []
        }))
        .unwrap();
        e.years = years;
        e.scenarios = scenarios.iter().map(|s| s.to_string()).collect();
        e.probabilities = p
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(p, lo, hi)| Probability {
                        count: (p * 100.0) as u64,
                        p,
                        lo,
                        hi,
                    })
                    .collect()
            })
            .collect();
        e
    }

    #[test]
    fn rows_pair_years_and_scenarios_and_flag_only_separated_estimates() {
        let a = ensemble(
            vec![2020],
            &["x", "y", "z"],
            vec![vec![(0.5, 0.4, 0.6), (0.5, 0.4, 0.6), (0.0, 0.0, 0.03)]],
        );
        let b = ensemble(
            vec![2020, 2021],
            &["x", "y", "w"],
            vec![
                vec![(0.55, 0.45, 0.65), (0.3, 0.2, 0.38), (0.15, 0.1, 0.2)],
                vec![(1.0, 0.96, 1.0), (0.0, 0.0, 0.04), (0.0, 0.0, 0.04)],
            ],
        );
        let r = rows(&a, &b);
        let got: Vec<(i32, &str, Option<f64>, bool)> = r
            .iter()
            .map(|r| {
                (
                    r.year,
                    r.scenario.as_str(),
                    r.difference_points.map(|d| (d * 10.0).round() / 10.0),
                    r.outside_both_intervals,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (2020, "x", Some(5.0), false),
                (2020, "y", Some(-20.0), true),
                (2020, "w", None, false),
                (2021, "x", None, false),
            ]
        );
    }
}
