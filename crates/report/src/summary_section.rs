//! The report's first section: the headline in a few lines, read from the pipeline's bundle.
//! The probability of each scenario in the last simulated year with its interval, the most
//! frequent paths, and the three inputs that move the most likely scenario most (from the
//! tornado), so a reader gets the answer before the evidence.

use std::fmt::Write;

use leverage_case::Case;
use leverage_sim::pipeline::Bundle;

use crate::Section;
use crate::svg::esc;

fn pct(p: f64) -> String {
    format!("{:.0} %", 100.0 * p)
}

/// The summary, when the report has an ensemble.
pub fn section(case: &Case, bundle: &Bundle) -> Option<Section> {
    let e = &bundle.ensemble;
    let last = e.years.len().checked_sub(1)?;
    let year = e.years[last];
    let title_of = |id: &str| {
        case.scenarios
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_string(), |s| s.title.clone())
    };
    // Scenarios in the last year, most likely first (the "unclassified" column only if used).
    let mut ranked: Vec<(usize, f64)> = e.probabilities[last]
        .iter()
        .enumerate()
        .filter(|(k, p)| *k + 1 < e.scenarios.len() || p.count > 0)
        .map(|(k, p)| (k, p.p))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (top, top_p) = *ranked.first()?;
    let mut md = String::new();
    let mut html = String::new();
    let head = format!(
        "{} and {} in {year}: the most likely scenario is {} ({}, 95 % interval {}–{}; {} draws, seed {}). The others: {}.",
        case.patron_name(),
        case.client_name(),
        title_of(&e.scenarios[top]),
        pct(top_p),
        pct(e.probabilities[last][top].lo),
        pct(e.probabilities[last][top].hi),
        e.draws,
        e.seed,
        ranked
            .iter()
            .skip(1)
            .map(|&(k, p)| format!("{} {}", title_of(&e.scenarios[k]), pct(p)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(md, "{head}\n");
    let _ = writeln!(html, "<p><strong>{}</strong></p>", esc(&head));
    // The most frequent paths.
    if !e.sequences.is_empty() {
        let _ = writeln!(md, "The most frequent paths:\n");
        html.push_str("<p>The most frequent paths:</p>\n<ul>\n");
        for s in e.sequences.iter().take(3) {
            let runs = s
                .runs(&e.years)
                .iter()
                .map(|(sc, a, b)| {
                    if a == b {
                        format!("{} {a}", title_of(sc))
                    } else {
                        format!("{} {a}–{b}", title_of(sc))
                    }
                })
                .collect::<Vec<_>>()
                .join(" → ");
            let line = format!("{runs}: {}", pct(s.p.p));
            let _ = writeln!(md, "- {line}");
            let _ = writeln!(html, "<li>{}</li>", esc(&line));
        }
        html.push_str("</ul>\n");
        md.push('\n');
    }
    // The strongest drivers of the most likely scenario.
    if let Some(Ok(t)) = &bundle.tornado
        && let Some(st) = t.iter().find(|s| s.scenario == e.scenarios[top])
    {
        let bars: Vec<String> = st
            .tornado
            .bars
            .iter()
            .take(3)
            .map(|b| {
                // A structural choice by its options' names, a number as it is.
                let value = |v: f64| {
                    case.param(&b.name)
                        .and_then(|p| p.dist.options())
                        .and_then(|o| o.get(v.round().max(0.0) as usize).cloned())
                        .unwrap_or_else(|| format!("{:.3}", (v * 1000.0).round() / 1000.0))
                };
                format!(
                    "{} ({} → {} moves it from {} to {})",
                    b.name,
                    value(b.low_value),
                    value(b.high_value),
                    pct(b.output_low),
                    pct(b.output_high)
                )
            })
            .collect();
        if !bars.is_empty() {
            let line = format!(
                "What moves it most (each input from its 10th to its 90th percentile, the others at their central values): {}.",
                bars.join("; ")
            );
            let _ = writeln!(md, "{line}\n");
            let _ = writeln!(html, "<p>{}</p>", esc(&line));
        }
    }
    if !bundle.inert.is_empty() {
        let line = format!(
            "Inputs that move no scenario (total Sobol index below 0.01): {}.",
            bundle.inert.join(", ")
        );
        let _ = writeln!(md, "{line}\n");
        let _ = writeln!(html, "<p class=\"src\">{}</p>", esc(&line));
    }
    Some(Section {
        id: "summary".into(),
        title: "Summary".into(),
        html,
        markdown: md,
        files: Vec::new(),
    })
}
