//! "What to watch, and what each sign would mean": the case's observables ranked as signposts of
//! each scenario (`leverage_sim::watch`), with their likelihood ratios and the year each becomes
//! informative.

use leverage_case::Case;
use leverage_sim::watch::{Condition, Watch};

use crate::Section;
use crate::case_section::{Tab, t};

/// Signs shown per scenario.
const TOP: usize = 3;

fn condition(c: &Condition) -> String {
    match c {
        Condition::Happens => "happens".into(),
        Condition::AtLeast(x) => format!("at least {x:.1}"),
    }
}

/// The section; `None` when nothing was watched (say why in `why`).
pub fn section(case: &Case, w: Option<&Watch>, why: &str) -> Section {
    let mut html = String::new();
    let mut md = String::new();
    let Some(w) = w else {
        return Section {
            id: "watch".into(),
            title: "What to watch".into(),
            html: format!("<p>{}</p>", crate::svg::esc(why)),
            markdown: why.to_string(),
            files: Vec::new(),
        };
    };
    let intro = format!(
        "For each scenario of {} and {} at the horizon, the observables that best tell it from the others ({} draws, seed {}). A ratio above 1 raises the scenario's odds by that factor, one below 1 lowers them; \"bits\" is what watching the sign tells on average (mutual information); \"from\" is the first year a ratio reaches 2 or ½. Each sign says how it is observed.",
        case.patron_name(),
        case.client_name(),
        w.draws,
        w.seed
    );
    html.push_str(&format!("<p>{}</p>\n", crate::svg::esc(&intro)));
    md.push_str(&intro);
    md.push_str("\n\n");
    let mut csv = String::from(
        "scenario,observable,year,condition,p_given,p_given_not,lr_seen,lr_not_seen,bits,informative_from\n",
    );
    for s in &w.scenarios {
        let title = case
            .scenarios
            .iter()
            .find(|x| x.id == s.scenario)
            .map_or(s.scenario.clone(), |x| x.title.clone());
        let head = format!("{title} ({:.0} % at the horizon)", 100.0 * s.p);
        html.push_str(&format!("<h3>{}</h3>\n", crate::svg::esc(&head)));
        md.push_str(&format!("**{head}**\n\n"));
        let mut tab = Tab::new(&[
            "sign",
            "year",
            "condition",
            "LR if seen",
            "LR if not",
            "bits",
            "from",
            "how it is observed",
        ]);
        for sp in s.signs.iter().take(TOP) {
            tab.row(vec![
                t(&sp.label),
                t(sp.year.to_string()),
                t(condition(&sp.condition)),
                t(format!("{:.2}", sp.lr_seen)),
                t(format!("{:.2}", sp.lr_not_seen)),
                t(format!("{:.3}", sp.bits)),
                t(sp.informative_from.map_or("—".into(), |y| y.to_string())),
                t(&sp.how),
            ]);
        }
        html.push_str(&tab.html());
        md.push_str(&tab.md());
        for sp in &s.signs {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                s.scenario,
                sp.observable,
                sp.year,
                crate::case_section::csv_field(&condition(&sp.condition)),
                sp.p_given,
                sp.p_given_not,
                sp.lr_seen,
                sp.lr_not_seen,
                sp.bits,
                sp.informative_from.map_or(String::new(), |y| y.to_string())
            ));
        }
    }
    Section {
        id: "watch".into(),
        title: "What to watch, and what each sign would mean".into(),
        html,
        markdown: md,
        files: vec![("watch.csv".into(), csv)],
    }
}
