//! The scenario engine in the report: the probability of each named scenario by year (stacked
//! areas and a table with Wilson intervals), fan charts of the state, the issues at the
//! horizon, the tornado of every scenario's probability, and the Sobol indices.
//!
//! The ensemble and the sensitivity analysis are run by the caller (`leverage report` runs a
//! default ensemble) and passed in as [`SimResults`].

use std::fmt::Write;

use leverage_case::Case;
use leverage_sim::analysis::ScenarioTornado;
use leverage_sim::ensemble::Ensemble;
use leverage_sim::sensitivity::SobolResult;

use crate::Section;
use crate::case_section::{Tab, t};
use crate::svg::{Svg, esc};

/// What the section shows.
pub struct SimResults<'a> {
    /// The ensemble.
    pub ensemble: &'a Ensemble,
    /// The tornado of each scenario's horizon probability, if computed.
    pub tornado: Option<&'a [ScenarioTornado]>,
    /// Sobol indices: (inputs, outputs, result), if computed.
    pub sobol: Option<(&'a [String], &'a [String], &'a SobolResult)>,
    /// Draws per tornado ensemble and Sobol base rows, for the text.
    pub tornado_draws: u64,
    /// Sampled inputs the Sobol indices found inert.
    pub inert: &'a [String],
}

impl<'a> SimResults<'a> {
    /// What a pipeline bundle holds for the section (a failed tornado or Sobol analysis is left
    /// out).
    pub fn of(b: &'a leverage_sim::pipeline::Bundle) -> Self {
        SimResults {
            ensemble: &b.ensemble,
            tornado: b
                .tornado
                .as_ref()
                .and_then(|t| t.as_ref().ok())
                .map(Vec::as_slice),
            sobol: b
                .sobol
                .as_ref()
                .and_then(|s| s.as_ref().ok())
                .map(|s| (s.inputs.as_slice(), s.outputs.as_slice(), &s.result)),
            tornado_draws: b.settings.tornado_draws,
            inert: &b.inert,
        }
    }
}

const COLORS: [&str; 8] = [
    "#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#76b7b2", "#b07aa1", "#9c755f", "#bab0ac",
];

/// A scenario's tornado is drawn only when its baseline has at least this many draws: with
/// fewer, the differences between the p10 and p90 ensembles are mostly sampling noise.
const MIN_TORNADO_EVENTS: f64 = 50.0;

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}", 100.0 * x)
    } else {
        "—".into()
    }
}

fn title_of(case: &Case, id: &str) -> String {
    case.scenarios
        .iter()
        .find(|s| s.id == id)
        .map_or(id.to_string(), |s| s.title.clone())
}

/// Stacked areas of the scenario probabilities by year.
fn stacked_area(case: &Case, e: &Ensemble) -> String {
    let (w, h) = (900.0, 360.0);
    let (l, r, top, bottom) = (50.0, 330.0, 30.0, 40.0);
    let pw = w - l - r;
    let ph = h - top - bottom;
    let ny = e.years.len();
    let x = |i: usize| {
        if ny <= 1 {
            l + pw / 2.0
        } else {
            l + pw * i as f64 / (ny - 1) as f64
        }
    };
    let y = |p: f64| top + ph * (1.0 - p);
    let mut s = Svg::new(w, h);
    s.text(
        l,
        18.0,
        "Probability of each scenario at the end of each year",
        14.0,
        "start",
        "#222",
    );
    let mut below = vec![0.0; ny];
    for (k, name) in e.scenarios.iter().enumerate() {
        let vals: Vec<f64> = e.probabilities.iter().map(|row| row[k].p).collect();
        if vals.iter().all(|v| *v == 0.0) && name == "unclassified" {
            continue;
        }
        let mut pts = String::new();
        for i in 0..ny {
            let _ = write!(pts, "{:.1},{:.1} ", x(i), y(below[i] + vals[i]));
        }
        for i in (0..ny).rev() {
            let _ = write!(pts, "{:.1},{:.1} ", x(i), y(below[i]));
        }
        let color = COLORS[k % COLORS.len()];
        let tip = format!(
            "{}: {}",
            title_of(case, name),
            e.years
                .iter()
                .zip(&vals)
                .map(|(yr, p)| format!("{yr} {} %", pct(*p)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        s.polygon(&pts, color, 0.85, &tip);
        for i in 0..ny {
            below[i] += vals[i];
        }
        let ly = top + 16.0 * k as f64 + 8.0;
        s.rect(w - r + 16.0, ly - 9.0, 12.0, 12.0, color);
        s.text(
            w - r + 34.0,
            ly + 1.0,
            &title_of(case, name),
            11.0,
            "start",
            "#222",
        );
    }
    for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
        s.line((l, y(p)), (l + pw, y(p)), "#ccc", 0.5, None);
        s.text(
            l - 6.0,
            y(p) + 4.0,
            &format!("{:.0} %", 100.0 * p),
            10.0,
            "end",
            "#444",
        );
    }
    for (i, yr) in e.years.iter().enumerate() {
        s.text(
            x(i),
            h - bottom + 16.0,
            &yr.to_string(),
            11.0,
            "middle",
            "#444",
        );
    }
    s.finish("Scenario probabilities by year")
}

/// A fan chart: median line, 50 % and 90 % bands by year.
fn fan(e: &Ensemble, var: usize, label: &str) -> String {
    let (w, h) = (520.0, 300.0);
    let (l, r, top, bottom) = (56.0, 24.0, 34.0, 36.0);
    let pw = w - l - r;
    let ph = h - top - bottom;
    let bands = &e.fans[var];
    let ny = bands.len();
    let range = e.fan_variables[var].range;
    let lo = bands.iter().map(|b| b.p05).fold(f64::INFINITY, f64::min);
    let hi = bands
        .iter()
        .map(|b| b.p95)
        .fold(f64::NEG_INFINITY, f64::max);
    // A nice axis around the 90 % band, never past the variable's own range.
    let (lo, hi, ticks) = if lo.is_finite() && hi.is_finite() {
        let pad = (0.05 * (hi - lo)).max(0.5);
        crate::chart::axis_within(lo - pad, hi + pad, range)
    } else {
        crate::chart::axis_within(range.0, range.1, range)
    };
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        hi - lo
    };
    let x = |i: usize| {
        if ny <= 1 {
            l + pw / 2.0
        } else {
            l + pw * i as f64 / (ny - 1) as f64
        }
    };
    let y = |v: f64| top + ph * (1.0 - (v - lo) / (hi - lo));
    let mut s = Svg::new(w, h);
    s.text(l, 20.0, label, 14.0, "start", "#222");
    let band =
        |s: &mut Svg, a: &dyn Fn(usize) -> f64, b: &dyn Fn(usize) -> f64, op: f64, tip: &str| {
            let mut pts = String::new();
            for i in 0..ny {
                let _ = write!(pts, "{:.1},{:.1} ", x(i), y(b(i)));
            }
            for i in (0..ny).rev() {
                let _ = write!(pts, "{:.1},{:.1} ", x(i), y(a(i)));
            }
            s.polygon(&pts, "#4e79a7", op, tip);
        };
    band(
        &mut s,
        &|i| bands[i].p05,
        &|i| bands[i].p95,
        0.2,
        "90 % band",
    );
    band(
        &mut s,
        &|i| bands[i].p25,
        &|i| bands[i].p75,
        0.35,
        "50 % band",
    );
    let mut d = String::new();
    for (i, b) in bands.iter().enumerate() {
        let _ = write!(
            d,
            "{}{:.1},{:.1} ",
            if i == 0 { "M" } else { "L" },
            x(i),
            y(b.p50)
        );
    }
    s.path_styled(&d, "#1f3a5f", 2.0, None, "median");
    for &v in &ticks {
        s.line((l, y(v)), (l + pw, y(v)), "#ddd", 0.5, None);
        s.text(
            l - 5.0,
            y(v) + 4.0,
            &crate::chart::tick_label(v, step),
            11.0,
            "end",
            "#444",
        );
    }
    for (i, yr) in e.years.iter().enumerate() {
        s.text(
            x(i),
            h - bottom + 16.0,
            &yr.to_string(),
            11.0,
            "middle",
            "#444",
        );
    }
    s.finish(label)
}

/// A tornado: for the `top` widest bars, the probability with the parameter at p10 and p90.
fn tornado_svg(case: &Case, st: &ScenarioTornado, top: usize) -> String {
    let bars: Vec<_> = st.tornado.bars.iter().take(top).collect();
    let (w, row) = (760.0, 22.0);
    let (l, r, head) = (250.0, 60.0, 40.0);
    let h = head + row * bars.len() as f64 + 30.0;
    let lo = bars
        .iter()
        .flat_map(|b| [b.output_low, b.output_high])
        .chain([st.tornado.baseline])
        .fold(f64::INFINITY, f64::min);
    let hi = bars
        .iter()
        .flat_map(|b| [b.output_low, b.output_high])
        .chain([st.tornado.baseline])
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi, ticks) = crate::chart::axis_within(lo - 0.005, hi + 0.005, (0.0, 1.0));
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        hi - lo
    };
    let pw = w - l - r;
    let x = |p: f64| l + pw * (p - lo) / (hi - lo);
    let mut s = Svg::new(w, h);
    s.text(
        10.0,
        18.0,
        &format!(
            "{}: horizon probability {} % (each parameter at its 10th / 90th percentile)",
            title_of(case, &st.scenario),
            pct(st.tornado.baseline)
        ),
        13.0,
        "start",
        "#222",
    );
    for (i, b) in bars.iter().enumerate() {
        let yy = head + row * i as f64;
        s.text(l - 8.0, yy + 14.0, &b.name, 11.0, "end", "#222");
        let (a, c) = (x(b.output_low), x(b.output_high));
        let base = x(st.tornado.baseline);
        s.rect_titled(
            a.min(base),
            yy + 3.0,
            (a - base).abs().max(1.0),
            row - 6.0,
            "#76b7b2",
            &format!(
                "{} at p10 ({:.4}): {} %",
                b.name,
                b.low_value,
                pct(b.output_low)
            ),
        );
        s.rect_titled(
            c.min(base),
            yy + 3.0,
            (c - base).abs().max(1.0),
            row - 6.0,
            "#e15759",
            &format!(
                "{} at p90 ({:.4}): {} %",
                b.name,
                b.high_value,
                pct(b.output_high)
            ),
        );
    }
    let base = x(st.tornado.baseline);
    s.line((base, head - 4.0), (base, h - 26.0), "#222", 1.0, None);
    for &p in &ticks {
        s.text(
            x(p),
            h - 10.0,
            &format!("{} %", crate::chart::tick_label(100.0 * p, 100.0 * step)),
            10.0,
            "middle",
            "#444",
        );
    }
    s.rect(w - 200.0, 26.0, 10.0, 10.0, "#76b7b2");
    s.text(w - 186.0, 35.0, "at p10", 10.0, "start", "#222");
    s.rect(w - 130.0, 26.0, 10.0, 10.0, "#e15759");
    s.text(w - 116.0, 35.0, "at p90", 10.0, "start", "#222");
    s.finish(&format!("Tornado of {}", st.scenario))
}

/// The section.
pub fn section(case: &Case, r: &SimResults<'_>) -> Section {
    let e = r.ensemble;
    let mut html = String::new();
    let mut md = String::new();
    let mut files = Vec::new();
    let intro = format!(
        "{} draws of the case's uncertain parameters and structural choices (seed {}), each run \
         through the yearly process {}–{}: the subsidy from the economics engine's formula, \
         salience moved by the subsidy and the patron's resolve, each issue forecast under the \
         draw's actor weighting and terms model, the patron's staged demands and the crisis game \
         on discounted values at decision points (logit QRE), signing, implementing, stalling or \
         withdrawing, the military track, the client's stability and its outside partners; each \
         year's state is classified by the scenarios' rules with boundaries drawn per path \
         (docs/simulation.md).{}",
        e.draws,
        e.seed,
        e.years.first().copied().unwrap_or_default(),
        e.years.last().copied().unwrap_or_default(),
        if e.failed > 0 {
            format!(
                " {} draw(s) failed (their parameters could not be sampled) and are left out.",
                e.failed
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(html, "<p>{}</p>", esc(&intro));
    let _ = writeln!(md, "{intro}\n");

    let area = stacked_area(case, e);
    html.push_str(&area);
    md.push_str("![Scenario probabilities by year](sim-scenarios.svg)\n\n");
    files.push(("sim-scenarios.svg".to_string(), area));

    let mut head = vec!["scenario".to_string()];
    head.extend(e.years.iter().map(|y| format!("{y}, %")));
    let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut tab = Tab::new(&head_ref);
    let mut csv = String::from("year,scenario,probability,wilson95_lo,wilson95_hi,count,draws\n");
    for (k, name) in e.scenarios.iter().enumerate() {
        let empty = e.probabilities.iter().all(|row| row[k].count == 0);
        for (yr, row) in e.years.iter().zip(&e.probabilities) {
            let p = row[k];
            let _ = writeln!(
                csv,
                "{yr},{name},{:.6},{:.6},{:.6},{},{}",
                p.p, p.lo, p.hi, p.count, e.draws
            );
        }
        if empty && name == "unclassified" {
            continue;
        }
        let mut cells = vec![t(title_of(case, name))];
        for row in &e.probabilities {
            let p = row[k];
            cells.push((
                format!("{} ({}–{})", pct(p.p), pct(p.lo), pct(p.hi)),
                true,
                None,
            ));
        }
        tab.row(cells);
    }
    html.push_str("<p>Probability by year, % (Wilson 95 % interval):</p>\n");
    html.push_str(&tab.html());
    md.push_str("Probability by year, % (Wilson 95 % interval):\n\n");
    md.push_str(&tab.md());
    files.push(("sim-probabilities.csv".to_string(), csv));

    // Fan charts.
    html.push_str(
        "<p>Fan charts: median, 50 % and 90 % bands across draws.</p>\n<div class=\"fans\">\n",
    );
    md.push_str("Fan charts: median, 50 % and 90 % bands across draws.\n\n");
    let mut fan_csv = String::from("variable,year,p05,p25,p50,p75,p95,mean\n");
    for (j, v) in e.fan_variables.iter().enumerate() {
        for (yr, b) in e.years.iter().zip(&e.fans[j]) {
            let _ = writeln!(
                fan_csv,
                "{},{yr},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4}",
                v.name, b.p05, b.p25, b.p50, b.p75, b.p95, b.mean
            );
        }
    }
    // Every level state variable, labelled by the case, and the subsidy in money.
    let mut fans: Vec<(String, String)> = case
        .states
        .iter()
        .filter(|st| !matches!(st.kind, leverage_case::StateKind::Flag))
        .map(|st| {
            let label = if st.description.is_empty() {
                st.id.clone()
            } else {
                st.description
                    .split([':', ','])
                    .next()
                    .unwrap_or(&st.description)
                    .to_string()
            };
            (format!("state:{}", st.id), label)
        })
        .collect();
    fans.insert(
        1.min(fans.len()),
        ("subsidy_usd_bn".into(), "Subsidy at stake, USD bn".into()),
    );
    for (name, label) in &fans {
        let Some(j) = e.fan_variables.iter().position(|v| &v.name == name) else {
            continue;
        };
        if e.fans[j].iter().all(|b| !b.p50.is_finite()) {
            continue;
        }
        let svg = fan(e, j, label);
        html.push_str(&svg);
        let file = format!("sim-fan-{}.svg", name.trim_start_matches("state:"));
        let _ = writeln!(md, "![{label}]({file})\n");
        files.push((file, svg));
    }
    html.push_str("</div>\n");
    files.push(("sim-fans.csv".to_string(), fan_csv));

    // The most frequent paths.
    if !e.sequences.is_empty() {
        let txt = format!(
            "The most frequent paths: sequences of yearly scenarios ({} distinct among the draws), \
             consecutive years in one scenario shown once.",
            e.distinct_sequences
        );
        let _ = writeln!(html, "<p>{}</p>", esc(&txt));
        let _ = writeln!(md, "{txt}\n");
        let mut tab = Tab::new(&["path", "share, % (95 % CI)"]);
        let mut csv = String::from("rank,path,count,share,wilson95_lo,wilson95_hi\n");
        for (rank, sq) in e.sequences.iter().enumerate() {
            let parts: Vec<String> = sq
                .runs(&e.years)
                .iter()
                .map(|(sc, a, b)| {
                    let years = if a == b {
                        a.to_string()
                    } else {
                        format!("{a}–{b}")
                    };
                    format!("{} {years}", title_of(case, sc))
                })
                .collect();
            let path = parts.join(" → ");
            let _ = writeln!(
                csv,
                "{},\"{}\",{},{:.6},{:.6},{:.6}",
                rank + 1,
                sq.scenarios.join(" "),
                sq.count,
                sq.p.p,
                sq.p.lo,
                sq.p.hi
            );
            if rank < 8 {
                tab.row(vec![
                    t(path),
                    (
                        format!("{} ({}–{})", pct(sq.p.p), pct(sq.p.lo), pct(sq.p.hi)),
                        true,
                        None,
                    ),
                ]);
            }
        }
        html.push_str(&tab.html());
        md.push_str(&tab.md());
        files.push(("sim-paths.csv".to_string(), csv));
    }

    // Issues at the horizon.
    let last = e.years.len().saturating_sub(1);
    let mut tab = Tab::new(&[
        "issue",
        "median",
        "50 % band",
        "90 % band",
        "in the issue's unit",
    ]);
    for (id, b) in e.issue_bands(last) {
        let unit = case
            .issue(id)
            .and_then(|i| i.unit.as_ref())
            .map(|u| {
                let (m, lo, hi) = b.in_unit(u);
                format!("{m:.1} [{lo:.1}–{hi:.1}] {}", u.name)
            })
            .unwrap_or_default();
        tab.row(vec![
            t(id),
            (format!("{:.1}", b.p50), true, None),
            (format!("{:.1}–{:.1}", b.p25, b.p75), true, None),
            (format!("{:.1}–{:.1}", b.p05, b.p95), true, None),
            t(unit),
        ]);
    }
    let cap = format!(
        "Where each issue stands in {} (each draw's forecast under its actor weighting and terms model, 0–100 scale):",
        e.years.last().copied().unwrap_or_default()
    );
    let _ = writeln!(html, "<p>{}</p>", esc(&cap));
    html.push_str(&tab.html());
    let _ = writeln!(md, "{cap}\n");
    md.push_str(&tab.md());

    let (h, m, f) = sensitivity(case, r);
    html.push_str(&h);
    md.push_str(&m);
    files.extend(f);
    if let Ok(json) = serde_json::to_string_pretty(e) {
        files.push(("sim-ensemble.json".to_string(), json));
    }
    Section {
        id: "simulation".into(),
        title: "Scenario probabilities (Monte Carlo)".into(),
        html,
        markdown: md,
        files,
    }
}

/// The sensitivity part of the simulation section (the tornado and the Sobol indices, when the
/// run has them), as HTML, Markdown and the files it brings; empty without them. The dashboard
/// of `leverage serve` shows it as a panel of its own.
pub fn sensitivity(case: &Case, r: &SimResults<'_>) -> (String, String, Vec<(String, String)>) {
    let mut html = String::new();
    let mut md = String::new();
    let mut files = Vec::new();
    // Tornado.
    if let Some(ts) = r.tornado {
        let txt = format!(
            "Tornado: each scenario's probability at the horizon with one uncertain parameter held \
             at its 10th and at its 90th percentile, the others drawn as usual ({} draws per \
             ensemble, the same streams in each, so the differences are the parameter's effect). \
             The eight widest bars per scenario:",
            r.tornado_draws
        );
        let _ = writeln!(html, "<p>{}</p>", esc(&txt));
        let _ = writeln!(md, "{txt}\n");
        let mut csv = String::from(
            "scenario,baseline,parameter,low_value,high_value,p_at_low,p_at_high,swing\n",
        );
        for st in ts {
            for b in &st.tornado.bars {
                let _ = writeln!(
                    csv,
                    "{},{:.6},{},{:.6},{:.6},{:.6},{:.6},{:.6}",
                    st.scenario,
                    st.tornado.baseline,
                    b.name,
                    b.low_value,
                    b.high_value,
                    b.output_low,
                    b.output_high,
                    b.swing
                );
            }
            if st.tornado.bars.iter().all(|b| b.swing == 0.0) {
                continue;
            }
            // A rare scenario's tornado is noise: say so instead of drawing it.
            let events = st.tornado.baseline * r.tornado_draws as f64;
            if events < MIN_TORNADO_EVENTS {
                let note = format!(
                    "{}: {:.0} of {} draws at the baseline ({} %), too few for a tornado: its bars would be Monte Carlo noise (run more draws with --tornado-draws, or read the Sobol indices).",
                    title_of(case, &st.scenario),
                    events,
                    r.tornado_draws,
                    pct(st.tornado.baseline)
                );
                let _ = writeln!(html, "<p class=\"src\">{}</p>", esc(&note));
                let _ = writeln!(md, "{note}\n");
                continue;
            }
            let svg = tornado_svg(case, st, 8);
            html.push_str(&svg);
            let file = format!("sim-tornado-{}.svg", st.scenario);
            let _ = writeln!(md, "![Tornado of {}]({file})\n", st.scenario);
            files.push((file, svg));
        }
        files.push(("sim-tornado.csv".to_string(), csv));
    }

    // Sobol.
    if let Some((inputs, outputs, res)) = r.sobol {
        let txt = format!(
            "Variance-based sensitivity: first-order (S1) and total (ST) Sobol indices of each \
             scenario's indicator at the horizon and of the final subsidy at stake \
             (Saltelli et al. 2010 and Jansen 1999 estimators, {} model runs, 95 % bootstrap \
             intervals from {} resamples; inputs independent). The five parameters with the \
             largest total index per output:",
            res.evaluations, res.bootstrap
        );
        let _ = writeln!(html, "<p>{}</p>", esc(&txt));
        let _ = writeln!(md, "{txt}\n");
        let mut tab = Tab::new(&["output", "parameter", "S1 (95 % CI)", "ST (95 % CI)"]);
        // `outside_unit` names the estimates outside [0, 1] (Monte Carlo noise, never clamped).
        let mut csv = String::from("output,parameter,s1,s1_lo,s1_hi,st,st_lo,st_hi,outside_unit\n");
        let mut outside = false;
        for (o, name) in res.outputs.iter().zip(outputs) {
            for (i, input) in inputs.iter().enumerate() {
                let (a, b) = (o.first[i], o.total[i]);
                let ci = |e: &leverage_sim::sensitivity::Estimate| {
                    e.ci95.map_or((f64::NAN, f64::NAN), |x| x)
                };
                let flags = match (a.outside_unit(), b.outside_unit()) {
                    (true, true) => "s1 st",
                    (true, false) => "s1",
                    (false, true) => "st",
                    (false, false) => "",
                };
                let _ = writeln!(
                    csv,
                    "{name},{input},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{flags}",
                    a.value,
                    ci(&a).0,
                    ci(&a).1,
                    b.value,
                    ci(&b).0,
                    ci(&b).1
                );
            }
            if o.constant {
                tab.row(vec![
                    t(name.as_str()),
                    t("(constant in every run)"),
                    t(""),
                    t(""),
                ]);
                continue;
            }
            let mut idx: Vec<usize> = (0..inputs.len()).collect();
            idx.sort_by(|&a, &b| {
                o.total[b]
                    .value
                    .total_cmp(&o.total[a].value)
                    .then(a.cmp(&b))
            });
            for (k, &i) in idx.iter().take(5).enumerate() {
                outside |= o.first[i].outside_unit() || o.total[i].outside_unit();
                tab.row(vec![
                    t(if k == 0 { name.as_str() } else { "" }),
                    t(inputs[i].as_str()),
                    (o.first[i].text(), true, None),
                    (o.total[i].text(), true, None),
                ]);
            }
        }
        html.push_str(&tab.html());
        md.push_str(&tab.md());
        if outside {
            let note = leverage_sim::sensitivity::OUTSIDE_UNIT_NOTE;
            let _ = writeln!(html, "<p>{}</p>", esc(note));
            let _ = writeln!(md, "{note}\n");
        }
        files.push(("sim-sobol.csv".to_string(), csv));
        let note = if r.inert.is_empty() {
            "Every sampled input has a total index of at least 0.01 for some scenario.".to_string()
        } else {
            format!(
                "Inert: {} sampled input(s) have a total index below 0.01 for every scenario \
                 (they move no scenario; a candidate for removal or a sign of a mechanism that \
                 does not bite): {}.",
                r.inert.len(),
                r.inert.join(", ")
            )
        };
        let _ = writeln!(html, "<p>{}</p>", esc(&note));
        let _ = writeln!(md, "{note}\n");
    }
    (html, md, files)
}
