//! "Evidence: prior against posterior": for a run updated with evidence (`leverage update`),
//! what was observed, the health of the weighted sample, and each scenario's probability before
//! and after, with 95 % intervals; for a run not updated, how to update it.

use leverage_case::Case;
use leverage_case::evidence::Evidence;
use leverage_sim::update::Update;

use crate::Section;
use crate::case_section::{Tab, t};

fn pct(e: &leverage_sim::update::Estimate) -> String {
    format!(
        "{:.1} % ({:.1}–{:.1})",
        100.0 * e.p,
        100.0 * e.lo,
        100.0 * e.hi
    )
}

/// The section.
pub fn section(case: &Case, update: Option<(&Update, &[Evidence])>) -> Section {
    let Some((u, evidence)) = update else {
        let text = "This run has not been updated with evidence. `leverage update --run N --evidence FILE` reweights a stored run's paths by dated, sourced observations of the case's observables and stores the result as a new run; `leverage report --run` of that run shows here the scenario probabilities before and after (docs/updating.md).";
        return Section {
            id: "evidence".into(),
            title: "Evidence: prior against posterior".into(),
            html: format!("<p>{}</p>", crate::svg::esc(text)),
            markdown: text.into(),
            files: Vec::new(),
        };
    };
    let mut obs = Tab::new(&["observable", "date", "observed", "error", "origin"]);
    for e in evidence {
        for o in &e.observations {
            obs.row(vec![
                t(&o.observable),
                t(o.date.to_string()),
                t(o.observed_text()),
                t(o.error_text(case)),
                t(o.origin_text()),
            ]);
        }
    }
    let health = u.health();
    let last = u.years.len() - 1;
    let mut tab = Tab::new(&["scenario", "year", "prior (95 %)", "posterior (95 %)"]);
    let mut csv =
        String::from("scenario,year,prior,prior_lo,prior_hi,posterior,posterior_lo,posterior_hi\n");
    for (k, name) in u.scenarios.iter().enumerate() {
        for y in 0..u.years.len() {
            let (a, b) = (&u.prior[y][k], &u.posterior[y][k]);
            if y == last {
                tab.row(vec![
                    t(name),
                    t(u.years[y].to_string()),
                    t(pct(a)),
                    t(pct(b)),
                ]);
            }
            csv.push_str(&format!(
                "{name},{},{},{},{},{},{},{}\n",
                u.years[y], a.p, a.lo, a.hi, b.p, b.lo, b.hi
            ));
        }
    }
    let html = format!(
        "{}<p>{}</p>\n{}",
        obs.html(),
        crate::svg::esc(&health),
        tab.html()
    );
    let markdown = format!("{}{health}\n\n{}", obs.md(), tab.md());
    Section {
        id: "evidence".into(),
        title: "Evidence: prior against posterior".into(),
        html,
        markdown,
        files: vec![("evidence.csv".into(), csv)],
    }
}
