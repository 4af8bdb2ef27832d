//! The forecasts section: for each issue, every model's forecast on the issue's scale (with its
//! unit), beside the actors' positions and the status quo; and, for models that play rounds,
//! the trajectories of positions by round.

use std::fmt::Write;

use leverage_bargain::eu::{EuRound, Relation};
use leverage_bargain::{Forecast, problem_from_issue};
use leverage_case::{Case, Issue};
use leverage_sim::analyses::Forecasts;

use crate::Section;
use crate::case_section::{Tab, csv_field, fmt, t};
use crate::svg::Svg;

const MODEL_COLORS: [&str; 5] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

/// Positions by round (one thin line per actor) with the round's weighted median in bold.
pub fn trajectories(issue: &Issue, names: &[String], f: &Forecast) -> String {
    let (left, right, top, bottom) = (60.0, 600.0, 30.0, 300.0);
    let mut s = Svg::new(780.0, 340.0);
    let n = f.rounds.len().max(2) - 1;
    let x = |k: usize| left + (right - left) * k as f64 / n as f64;
    let y = |v: f64| bottom - (bottom - top) * v.clamp(0.0, 100.0) / 100.0;
    s.text(
        (left + right) / 2.0,
        18.0,
        &format!("{}: positions by round ({})", issue.id, f.model),
        13.0,
        "middle",
        "#222",
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        s.line((left, y(tick)), (right, y(tick)), "#eeeeee", 1.0, None);
        s.text(left - 6.0, y(tick) + 4.0, &fmt(tick), 11.0, "end", "#444");
    }
    for k in 0..f.rounds.len() {
        s.text(x(k), bottom + 16.0, &k.to_string(), 11.0, "middle", "#444");
    }
    s.text(
        (left + right) / 2.0,
        bottom + 32.0,
        "round",
        11.0,
        "middle",
        "#444",
    );
    for (a, name) in names.iter().enumerate() {
        let d: String = f
            .rounds
            .iter()
            .enumerate()
            .map(|(k, r)| {
                format!(
                    "{}{:.1},{:.1} ",
                    if k == 0 { "M" } else { "L" },
                    x(k),
                    y(r.positions[a])
                )
            })
            .collect();
        s.path_styled(&d, "#9aa7b8", 1.2, None, name);
    }
    // Names at the lines' ends, moved apart so that they can be read.
    if let Some(last) = f.rounds.last() {
        let at: Vec<f64> = names
            .iter()
            .enumerate()
            .map(|(a, _)| y(last.positions.get(a).copied().unwrap_or(f64::NAN)))
            .collect();
        let placed = crate::svg::spread(&at, 10.0, 12.0, 336.0);
        for (a, name) in names.iter().enumerate() {
            if at[a].is_finite() {
                s.text(right + 6.0, placed[a] + 3.0, name, 9.0, "start", "#667");
            }
        }
    }
    let d: String = f
        .rounds
        .iter()
        .enumerate()
        .map(|(k, r)| {
            format!(
                "{}{:.1},{:.1} ",
                if k == 0 { "M" } else { "L" },
                x(k),
                y(r.median)
            )
        })
        .collect();
    s.path_styled(&d, "#c0392b", 3.0, None, "weighted median");
    s.text(
        left,
        bottom + 32.0,
        "bold: weighted median",
        10.0,
        "start",
        "#c0392b",
    );
    s.finish(&format!("Trajectories on {}", issue.id))
}

/// The challenge "quadrant" chart of the expected-utility model's first round, from one actor's
/// perspective: each other actor at (E^i(U_ij), E^i(U_ji)).
pub fn quadrant(issue: &Issue, names: &[String], focal: usize, round: &EuRound) -> String {
    let (cx, cy, half) = (300.0, 250.0, 200.0);
    let mut s = Svg::new(640.0, 500.0);
    let cells = &round.challenges[focal];
    let m = cells
        .iter()
        .flat_map(|c| [c.eu.abs(), c.eu_other.abs()])
        .filter(|v| v.is_finite())
        .fold(1e-9_f64, f64::max);
    let px = |v: f64| cx + half * v / m;
    let py = |v: f64| cy - half * v / m;
    s.text(
        cx,
        22.0,
        &format!(
            "{}: the challenge quadrants seen by {}",
            issue.id, names[focal]
        ),
        13.0,
        "middle",
        "#222",
    );
    s.line((cx - half, cy), (cx + half, cy), "#555", 1.0, None);
    s.line((cx, cy - half), (cx, cy + half), "#555", 1.0, None);
    for (tx, ty, label) in [
        (cx + half * 0.55, cy - half * 0.9, "conflict"),
        (
            cx + half * 0.55,
            cy + half * 0.9,
            "compromise / capitulation: they give",
        ),
        (
            cx - half * 0.55,
            cy - half * 0.9,
            "compromise / capitulation: I give",
        ),
        (cx - half * 0.55, cy + half * 0.9, "stalemate"),
    ] {
        s.text(tx, ty, label, 10.0, "middle", "#888");
    }
    s.text(
        cx + half,
        cy + 16.0,
        "my expected utility of challenging them →",
        10.0,
        "end",
        "#444",
    );
    s.text_rotated(
        cx - 14.0,
        cy - half / 2.0,
        "their expected utility of challenging me →",
        10.0,
        -90.0,
    );
    let mut labels = crate::svg::LabelPlacer::default();
    for (j, c) in cells.iter().enumerate() {
        if j == focal || !c.eu.is_finite() || !c.eu_other.is_finite() {
            continue;
        }
        let color = match c.relation {
            Relation::Conflict => "#c0392b",
            Relation::Compromise => "#2e6da4",
            Relation::Capitulation => "#27ae60",
            Relation::Stalemate => "#999999",
        };
        s.circle(
            px(c.eu),
            py(c.eu_other),
            5.0,
            color,
            &format!(
                "{}: {:?}, E(i→j) {:.3}, E(j→i) {:.3}",
                names[j], c.relation, c.eu, c.eu_other
            ),
        );
        let (tx, ty, anchor) = labels.place(px(c.eu), py(c.eu_other), 5.0, &names[j], 9.0);
        s.text(tx, ty, &names[j], 9.0, anchor, "#333");
    }
    s.finish(&format!("Challenge quadrants on {}", issue.id))
}

/// One row per model on the issue's scale, under a row of the actors' positions.
pub fn forecast_chart(case: &Case, issue: &Issue, fs: &[Forecast]) -> String {
    let (left, right, top, row) = (130.0, 770.0, 34.0, 26.0);
    let rows = fs.len() + 1;
    let bottom = top + row * rows as f64;
    let mut s = Svg::new(800.0, bottom + 60.0);
    let x = |v: f64| left + (right - left) * v.clamp(0.0, 100.0) / 100.0;
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        s.line(
            (x(tick), top - 6.0),
            (x(tick), bottom),
            "#e3e3e3",
            1.0,
            None,
        );
        s.text(x(tick), bottom + 15.0, &fmt(tick), 11.0, "middle", "#444");
        if let Some(u) = &issue.unit {
            s.text(
                x(tick),
                bottom + 29.0,
                &fmt((u.to_unit(tick) * 10.0).round() / 10.0),
                10.0,
                "middle",
                "#777",
            );
        }
    }
    s.line((left, bottom), (right, bottom), "#444", 1.0, None);
    if let Some(sq) = &issue.status_quo {
        s.line(
            (x(sq.value), top - 10.0),
            (x(sq.value), bottom),
            "#555",
            1.5,
            Some("5,4"),
        );
        s.text_within(
            x(sq.value),
            top - 14.0,
            &format!("status quo {}", fmt(sq.value)),
            10.0,
            "#555",
            800.0,
        );
    }
    // Actors: small grey dots, size by capability × salience.
    let y0 = top + row * 0.5;
    s.text(left - 8.0, y0 + 4.0, "actors", 11.0, "end", "#222");
    let p = problem_from_issue(case, issue);
    let max_w = p
        .players
        .iter()
        .map(|a| a.capability * a.salience)
        .fold(0.0_f64, f64::max);
    for (name, a) in p.names.iter().zip(&p.players) {
        let r = if max_w > 0.0 {
            2.0 + 6.0 * (a.capability * a.salience / max_w).sqrt()
        } else {
            3.0
        };
        s.circle(
            x(a.position),
            y0,
            r,
            "#999999",
            &format!("{name}: {}", fmt(a.position)),
        );
    }
    for (k, f) in fs.iter().enumerate() {
        let y = top + row * (k as f64 + 1.5);
        s.text(left - 8.0, y + 4.0, &f.model, 11.0, "end", "#222");
        s.line((left, y), (right, y), "#f2f2f2", 1.0, None);
        let label = match &issue.unit {
            Some(u) => format!(
                "{}: {:.1} ({} {})",
                f.model,
                f.outcome,
                fmt((u.to_unit(f.outcome) * 10.0).round() / 10.0),
                u.name
            ),
            None => format!("{}: {:.1}", f.model, f.outcome),
        };
        s.circle(
            x(f.outcome),
            y,
            6.0,
            MODEL_COLORS[k % MODEL_COLORS.len()],
            &label,
        );
        let short = match &issue.unit {
            Some(u) => format!(
                "{:.1} ({})",
                f.outcome,
                fmt((u.to_unit(f.outcome) * 10.0).round() / 10.0)
            ),
            None => format!("{:.1}", f.outcome),
        };
        let (tx, anchor) = if f.outcome > 80.0 {
            (x(f.outcome) - 10.0, "end")
        } else {
            (x(f.outcome) + 10.0, "start")
        };
        s.text(tx, y + 4.0, &short, 10.0, anchor, "#333");
    }
    s.finish(&format!("Forecasts on {}", issue.id))
}

/// The section.
pub fn section(case: &Case, forecasts: &Forecasts) -> Option<Section> {
    let mut html = String::from(
        "<p>Each model's forecast on the issue's 0–100 scale (second axis row: the issue's unit), beside the actors' positions (grey, area ∝ capability × salience) and the status quo. Compromise: the capability × salience weighted mean; median: the weighted median (the Condorcet winner with linear utility); NBS: the Nash bargaining solution with the status quo as disagreement point — it stays at the status quo when actors stand on both sides of it, since no move leaves everyone better off.</p>\n",
    );
    let mut md = String::from(
        "Each model's forecast on the issue's scale, beside the actors' positions and the status quo.\n\n",
    );
    let mut head = vec!["issue".to_string(), "status quo".to_string()];
    head.extend(
        forecasts
            .issues
            .first()
            .map(|f| {
                f.forecasts
                    .iter()
                    .map(|f| f.model.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut tab = Tab::new(&head_ref);
    let mut csv = String::from("issue,model,round,actor,position,median,mean\n");
    let mut files = Vec::new();
    let mut any = false;
    for found in &forecasts.issues {
        let Some(issue) = case.issue(&found.issue) else {
            continue;
        };
        let fs = &found.forecasts;
        any = true;
        let fmt_pos = |v: f64| match &issue.unit {
            Some(u) => format!(
                "{v:.1} ({} {})",
                fmt((u.to_unit(v) * 10.0).round() / 10.0),
                u.name
            ),
            None => format!("{v:.1}"),
        };
        let mut cells = vec![
            t(&issue.id),
            t(issue
                .status_quo
                .as_ref()
                .map_or("—".into(), |s| fmt_pos(s.value))),
        ];
        cells.extend(fs.iter().map(|f| (fmt_pos(f.outcome), true, None)));
        tab.row(cells);
        let chart = forecast_chart(case, issue, fs);
        let file = format!("forecast-{}.svg", issue.id);
        let _ = write!(
            html,
            "<h3>{}</h3>\n<figure>{chart}</figure>\n",
            crate::svg::esc(&issue.question)
        );
        let _ = write!(
            md,
            "### {}\n\n![Forecasts on {}]({file})\n\n",
            issue.question, issue.id
        );
        files.push((file, chart));
        let problem = problem_from_issue(case, issue);
        let names = problem.names.clone();
        // The expected-utility model's rounds and its first round's challenge matrix.
        let Some(eu) = fs.iter().find(|f| f.model == "eu") else {
            continue;
        };
        let traj = trajectories(issue, &names, eu);
        let tfile = format!("trajectories-{}.svg", issue.id);
        let focal = case
            .case
            .client
            .as_deref()
            .and_then(|c| names.iter().position(|n| n == c))
            .unwrap_or_else(|| {
                (0..problem.players.len())
                    .max_by(|&a, &b| {
                        let w =
                            |k: usize| problem.players[k].capability * problem.players[k].salience;
                        w(a).total_cmp(&w(b))
                    })
                    .unwrap_or(0)
            });
        let _ = writeln!(html, "<figure>{traj}</figure>");
        let _ = write!(md, "![Trajectories on {}]({tfile})\n\n", issue.id);
        files.push((tfile, traj));
        if let Some(r) = &found.eu_first_round {
            let q = quadrant(issue, &names, focal, r);
            let qfile = format!("quadrant-{}.svg", issue.id);
            let _ = writeln!(
                html,
                "<figure>{q}<figcaption>Round 1 of the expected-utility model: red conflict, blue compromise, green capitulation, grey stalemate.</figcaption></figure>"
            );
            let _ = write!(md, "![Challenge quadrants on {}]({qfile})\n\n", issue.id);
            files.push((qfile, q));
        }
        for f in fs {
            for (k, r) in f.rounds.iter().enumerate() {
                for (a, x) in names.iter().zip(&r.positions) {
                    let _ = writeln!(
                        csv,
                        "{},{},{k},{},{x:.6},{:.6},{:.6}",
                        csv_field(&issue.id),
                        f.model,
                        csv_field(a),
                        r.median,
                        r.mean
                    );
                }
            }
        }
    }
    if !any {
        return None;
    }
    files.push(("forecasts.csv".into(), csv));
    if !forecasts.trades.is_empty() {
        let mut tt = Tab::new(&[
            "gives on",
            "gains on",
            "actor moving on the first",
            "to",
            "actor moving on the second",
            "to",
            "gain each",
        ]);
        for tr in &forecasts.trades {
            tt.row(vec![
                t(forecasts.traded.get(tr.a).map_or("?", String::as_str)),
                t(forecasts.traded.get(tr.b).map_or("?", String::as_str)),
                t(&tr.j),
                (format!("{:.1}", tr.j_to), true, None),
                t(&tr.i),
                (format!("{:.1}", tr.i_to), true, None),
                (format!("{:.3}", tr.gain), true, None),
            ]);
        }
        html.push_str(&format!(
            "<h3>Trades across issues (exchange model)</h3>\n{}",
            tt.html()
        ));
        md.push_str(&format!(
            "### Trades across issues (exchange model)\n\n{}",
            tt.md()
        ));
    }
    Some(Section {
        id: "forecasts".into(),
        title: "Where the negotiations land: forecasts".into(),
        html: format!("{}\n{html}", tab.html()),
        markdown: format!("{}\n{md}", tab.md()),
        files,
    })
}
