//! "What would it take": the least the patron must offer for the client to accept and the most
//! the patron would pay, by year (`leverage_sim::offer`), as a table and a chart of the two
//! curves with their bands — where they cross, there is room for a deal.

use leverage_case::Case;
use leverage_sim::offer::{OfferYear, Offers};

use crate::Section;
use crate::case_section::{Tab, t};
use crate::chart::{BarLineChart, LineSeries};

fn band(q: &[f64; 5]) -> String {
    if q[2].is_nan() {
        return "—".into();
    }
    format!("{:.2} ({:.2} to {:.2})", q[2], q[0], q[4])
}

fn chart(title: &str, rows: &[OfferYear], case: &Case) -> String {
    let v = |f: &dyn Fn(&OfferYear) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| Some(f(r)).filter(|x| x.is_finite()))
            .collect()
    };
    let least = format!("least {} must offer", case.patron_name());
    let most = format!("most {} would pay", case.patron_name());
    BarLineChart {
        title,
        categories: rows.iter().map(|r| r.year.to_string()).collect(),
        left_label: "",
        right_label: "USD bn a year",
        bars: Vec::new(),
        lines: vec![
            LineSeries {
                label: &least,
                color: "#c0392b",
                dashed: false,
                values: v(&|r| r.client_min[2]),
            },
            LineSeries {
                label: "25–75 %",
                color: "#e6a19a",
                dashed: true,
                values: v(&|r| r.client_min[1]),
            },
            LineSeries {
                label: "",
                color: "#e6a19a",
                dashed: true,
                values: v(&|r| r.client_min[3]),
            },
            LineSeries {
                label: &most,
                color: "#1f3a5f",
                dashed: false,
                values: v(&|r| r.patron_max[2]),
            },
            LineSeries {
                label: "25–75 %",
                color: "#8fa8c8",
                dashed: true,
                values: v(&|r| r.patron_max[1]),
            },
            LineSeries {
                label: "",
                color: "#8fa8c8",
                dashed: true,
                values: v(&|r| r.patron_max[3]),
            },
        ],
    }
    .svg()
}

/// The section.
pub fn section(case: &Case, o: &Offers) -> Section {
    let intro = format!(
        "At every crisis a path plays, the least {p} must offer for {c} to accept (what {c}'s best other answer is worth against accepting) and the most {p} would pay (accepting against its best alternative), in USD bn a year: annual equivalents of the discounted payoff streams the scenario engine's crisis game is played on ({} draws, seed {}). Where the most payment lies above the least offer there is room for a deal; a negative least offer means {c} would accept the terms as they stand.",
        o.draws,
        o.seed,
        p = case.patron_name(),
        c = case.client_name()
    );
    let mut html = format!("<p>{}</p>\n", crate::svg::esc(&intro));
    let mut md = format!("{intro}\n\n");
    let mut files = Vec::new();
    let mut csv = String::from(
        "track,year,decision_point,games,client_min_p05,client_min_p50,client_min_p95,patron_max_p05,patron_max_p50,patron_max_p95,zone\n",
    );
    for (name, key, rows) in [
        ("Economic track", "economic", &o.economic),
        ("Military track", "military", &o.military),
    ] {
        if rows.is_empty() {
            continue;
        }
        let svg = chart(
            &format!(
                "What would it take, {}: medians (solid) and 25–75 % bands (dashed) over the games played",
                name.to_lowercase()
            ),
            rows,
            case,
        );
        let file = format!("offer-{key}.svg");
        html.push_str(&format!("<h3>{name}</h3>\n<figure>{svg}</figure>\n"));
        md.push_str(&format!("**{name}**\n\n![{name}]({file})\n\n"));
        files.push((file, svg));
        let mut tab = Tab::new(&[
            "year",
            "decision point",
            "games",
            "least offer, median (5–95 %)",
            "most payment, median (5–95 %)",
            "room for a deal",
        ]);
        for r in rows.iter() {
            tab.row(vec![
                t(r.year.to_string()),
                t(if r.decision_point { "yes" } else { "" }),
                t(r.games.to_string()),
                t(band(&r.client_min)),
                t(band(&r.patron_max)),
                t(if r.zone.is_nan() {
                    "—".into()
                } else {
                    format!("{:.0} %", 100.0 * r.zone)
                }),
            ]);
            csv.push_str(&format!(
                "{key},{},{},{},{},{},{},{},{},{},{}\n",
                r.year,
                r.decision_point,
                r.games,
                r.client_min[0],
                r.client_min[2],
                r.client_min[4],
                r.patron_max[0],
                r.patron_max[2],
                r.patron_max[4],
                r.zone
            ));
        }
        html.push_str(&tab.html());
        md.push_str(&tab.md());
    }
    files.push(("offer.csv".into(), csv));
    Section {
        id: "offer".into(),
        title: "What would it take".into(),
        html,
        markdown: md,
        files,
    }
}
