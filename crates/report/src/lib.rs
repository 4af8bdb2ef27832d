//! # leverage-report: what an analyst reads
//!
//! Turns engine results into one self-contained HTML file (inline SVG, no scripts, no network),
//! the same content as Markdown (with the charts as SVG files beside it), and the CSV/JSON the
//! charts and tables are drawn from, so every number in the report can be checked. The report is
//! a list of sections; each engine's results add their own section. This crate builds strings
//! only: the caller decides where the files go.
#![deny(missing_docs)]

mod bargain_section;
mod case_section;
pub mod chart;
pub mod econ_section;
mod evidence_section;
pub mod game_section;
mod offer_section;
#[cfg(feature = "png")]
pub mod png;
pub mod sim_section;
mod summary_section;
pub mod svg;
pub mod tree_svg;
mod watch_section;

use leverage_case::Case;
use leverage_sim::analyses::Analyses;

/// A finished report: file names (relative to the output folder) and their contents.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// `report.html`, `report.md`, charts (SVG, and PNG with the `png` feature) and data files.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Report {
    /// The text of a file of the report, if it is there and is text.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, b)| std::str::from_utf8(b).ok())
    }
}

/// One section of the report, rendered both ways.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// Anchor id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// HTML body (may hold inline SVG).
    pub html: String,
    /// Markdown body (charts referenced as files).
    pub markdown: String,
    /// Extra files the section brings (charts as SVG, data as CSV/JSON).
    pub files: Vec<(String, String)>,
}

/// How much simulation the report runs (the pipeline's settings).
pub type SimOptions = leverage_sim::pipeline::Settings;

/// The report's default settings: a 20 000-draw ensemble, seed 42, 2 000 draws per tornado
/// ensemble, 1 024 Sobol rows with 200 bootstrap resamples.
pub fn default_settings() -> SimOptions {
    SimOptions {
        draws: 20_000,
        seed: 42,
        tornado_draws: 2_000,
        sobol_rows: 1_024,
        bootstrap: 200,
        analyses: true,
    }
}

/// Build the report of a case, with the default ensemble when the case can be simulated.
pub fn build(case: &Case) -> Report {
    build_with(case, &default_settings())
}

/// Build the report of a case: runs the pipeline (in the current rayon pool) when the case can
/// be simulated, else the single-run analyses alone, then renders.
pub fn build_with(case: &Case, sim: &SimOptions) -> Report {
    let simulate = sim.draws > 0 && case.scenarios.iter().any(|s| s.rule.is_some());
    let bundle = simulate
        .then(|| leverage_sim::pipeline::run_case(case, sim, None, &|_| {}, None).ok())
        .flatten();
    render(
        case,
        &analyses_of(case, bundle.as_ref(), None),
        bundle.as_ref(),
    )
}

/// The single-run analyses a report renders: the bundle's, or, for a case that was not
/// simulated (or a run saved before bundles kept them), computed now (in `pool`, or the
/// current rayon pool).
pub fn analyses_of(
    case: &Case,
    bundle: Option<&leverage_sim::pipeline::Bundle>,
    pool: Option<&rayon::ThreadPool>,
) -> Analyses {
    match bundle {
        Some(b) => match &b.analyses {
            Some(a) => a.clone(),
            None => leverage_sim::analyses::analyse_run(case, &b.settings, pool),
        },
        None => leverage_sim::analyses::analyse(case),
    }
}

/// What [`render_with`] adds to a report: the update of a run updated with evidence.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra<'a> {
    /// The update of a run updated with evidence, with its evidence files.
    pub update: Option<(
        &'a leverage_sim::update::Update,
        &'a [leverage_case::evidence::Evidence],
    )>,
}

/// The simulation section of a bundle; without one, a case with scenario rules says why it
/// was not simulated.
fn simulation(case: &Case, bundle: Option<&leverage_sim::pipeline::Bundle>) -> Option<Section> {
    let Some(b) = bundle else {
        if case.scenarios.iter().all(|s| s.rule.is_none()) {
            return None;
        }
        let why = match leverage_sim::wiring::spec(case) {
            Err(e) => e.to_string(),
            Ok(_) => "no ensemble was run".to_string(),
        };
        return Some(Section {
            id: "simulation".into(),
            title: "Scenario probabilities (Monte Carlo)".into(),
            html: format!("<p>Not simulated: {}</p>", svg::esc(&why)),
            markdown: format!("Not simulated: {why}"),
            files: Vec::new(),
        });
    };
    Some(sim_section::section(case, &sim_section::SimResults::of(b)))
}

/// Render the report of a case, its single-run analyses and its pipeline bundle (fresh, or
/// decoded from a stored run): nothing here runs an engine.
pub fn render(
    case: &Case,
    analyses: &Analyses,
    bundle: Option<&leverage_sim::pipeline::Bundle>,
) -> Report {
    render_with(case, analyses, bundle, &Extra::default())
}

/// [`render`] with the update of `extra` (the section "Evidence: prior against posterior"); the
/// signposts ("What to watch") and offers ("What would it take") come from the analyses.
pub fn render_with(
    case: &Case,
    analyses: &Analyses,
    bundle: Option<&leverage_sim::pipeline::Bundle>,
    extra: &Extra<'_>,
) -> Report {
    assemble(case, &sections(case, analyses, bundle, extra))
}

/// The report's sections in reading order, for a front end that lays them out itself (the
/// dashboard of `leverage serve` shows them as panels); [`render_with`] assembles them into the
/// report's files.
pub fn sections(
    case: &Case,
    analyses: &Analyses,
    bundle: Option<&leverage_sim::pipeline::Bundle>,
    extra: &Extra<'_>,
) -> Vec<Section> {
    let mut sections = case_section::sections(case);
    if let Some(f) = bargain_section::section(case, &analyses.forecasts) {
        let at = sections
            .iter()
            .position(|s| s.id == "issues")
            .map_or(sections.len(), |i| i + 1);
        sections.insert(at, f);
    }
    if let Some(econ) = &analyses.econ {
        let at = sections
            .iter()
            .position(|s| s.id == "flows")
            .map_or(sections.len(), |i| i + 1);
        for (k, s) in econ_section::sections(case, econ).into_iter().enumerate() {
            sections.insert(at + k, s);
        }
    }
    if let Some(g) = game_section::section(case, analyses.game.as_ref()) {
        let at = sections
            .iter()
            .position(|s| s.id == "scenarios")
            .map_or(sections.len(), |i| i);
        sections.insert(at, g);
    }
    if let Some(s) = simulation(case, bundle) {
        let at = sections
            .iter()
            .position(|s| s.id == "scenarios")
            .map_or(sections.len(), |i| i + 1);
        sections.insert(at, s);
    }
    if bundle.is_some() {
        let at = sections
            .iter()
            .position(|s| s.id == "simulation")
            .map_or(sections.len(), |i| i + 1);
        let (w, why) = match &analyses.watch {
            Some(Ok(w)) => (Some(w), ""),
            Some(Err(why)) => (None, why.as_str()),
            None => (
                None,
                "Nothing was watched: the run's analyses were not computed.",
            ),
        };
        let mut add = vec![
            watch_section::section(case, w, why),
            evidence_section::section(case, extra.update),
        ];
        if let Some(Ok(o)) = &analyses.offers {
            add.push(offer_section::section(case, o));
        }
        for (k, s) in add.into_iter().enumerate() {
            sections.insert(at + k, s);
        }
    }
    if let Some(s) = bundle.and_then(|b| summary_section::section(case, b)) {
        sections.insert(0, s);
    }
    sections
}

fn assemble(case: &Case, sections: &[Section]) -> Report {
    let m = &case.case;
    let mut html = String::new();
    html.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n<header><h1>{}</h1>\n<p class=\"meta\">Case <code>{}</code> · as of {} · horizon {} · leverage {}</p>\n<p>{}</p></header>\n<nav><ol>\n",
        svg::esc(&m.title),
        CSS,
        svg::esc(&m.title),
        svg::esc(&m.id),
        m.as_of,
        m.horizon,
        env!("CARGO_PKG_VERSION"),
        svg::esc(&m.description)
    ));
    for s in sections {
        html.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>\n",
            s.id,
            svg::esc(&s.title)
        ));
    }
    html.push_str("</ol></nav>\n");
    let mut md = format!(
        "# {}\n\nCase `{}` · as of {} · horizon {} · leverage {}\n\n{}\n\n",
        m.title,
        m.id,
        m.as_of,
        m.horizon,
        env!("CARGO_PKG_VERSION"),
        m.description
    );
    let mut files = Vec::new();
    for s in sections {
        html.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n",
            s.id,
            svg::esc(&s.title),
            s.html
        ));
        md.push_str(&format!("## {}\n\n{}\n\n", s.title, s.markdown.trim_end()));
        files.extend(s.files.iter().cloned());
    }
    html.push_str("<footer>Written by leverage. Every number cites its source or is marked as a judgement; the data files beside this report hold every value shown.</footer>\n</body>\n</html>\n");
    let mut all: Vec<(String, Vec<u8>)> = vec![
        ("report.html".to_string(), html.into_bytes()),
        ("report.md".to_string(), md.into_bytes()),
    ];
    #[cfg(feature = "png")]
    let pngs: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(n, _)| {
            n.starts_with("figure")
                || n.starts_with("maneuver-")
                || n.starts_with("game-tree")
                || n.starts_with("sim-")
        })
        .filter(|(n, _)| n.ends_with(".svg"))
        .filter_map(|(n, svg)| Some((n.replace(".svg", ".png"), png::svg_to_png(svg, 1400)?)))
        .collect();
    all.extend(files.into_iter().map(|(n, t)| (n, t.into_bytes())));
    #[cfg(feature = "png")]
    all.extend(pngs);
    Report { files: all }
}

/// The report's style sheet (the dashboard styles the sections it shows with it too).
pub const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
.meta{color:#666}code{background:#f4f4f4;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top}
th{background:#f4f6f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.src{color:#666;font-size:.85em}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}svg{max-width:100%;height:auto}
details.long>summary{cursor:pointer;color:#1f4e79;margin:.4em 0}
nav ol{columns:2}footer{margin-top:3em;color:#777;font-size:.85em}.wide{overflow-x:auto}
@media print{details.long>summary{display:none}details::details-content{content-visibility:visible;display:contents}details:not([open])>*:not(summary){display:block}body{max-width:none;margin:0;font-size:10pt}.wide{overflow:visible}table{font-size:8pt;page-break-inside:auto}tr{page-break-inside:avoid}figure,svg{page-break-inside:avoid}nav{display:none}}";

#[cfg(test)]
mod tests {
    use super::*;

    /// Long tables fold on screen and open in print; short ones are plain tables.
    #[test]
    fn long_tables_fold_on_screen_and_open_in_print() {
        use case_section::{LONG_TABLE_ROWS, Tab, t};
        let mut tab = Tab::new(&["a"]);
        for i in 0..LONG_TABLE_ROWS {
            tab.row(vec![t(format!("r{i}"))]);
        }
        assert!(tab.html().starts_with("<table>"));
        tab.row(vec![t("one more")]);
        let html = tab.html();
        assert!(html.starts_with("<details class=\"long\"><summary>Table of 21 rows"));
        assert!(html.contains("one more"));
        let print = &CSS[CSS.find("@media print").unwrap()..];
        assert!(print.contains("details::details-content{content-visibility:visible"));
        assert!(print.contains("details.long>summary{display:none}"));
    }

    /// The report shows the analyses it is given, not numbers it computed itself: a forecast, a
    /// ledger total and a game outcome changed in the analyses come out in the report.
    #[test]
    fn render_shows_the_analyses_it_is_given() {
        let case = leverage_sim::links::default_case()
            .expect("default case")
            .case;
        let mut a = leverage_sim::analyses::analyse(&case);
        let plain = render(&case, &a, None);
        let md = plain.text("report.md").unwrap().to_string();
        assert!(!md.contains("| 13.7 |"), "the marker is already there");
        let f = &mut a.forecasts.issues[0].forecasts[1];
        f.outcome = 13.7;
        let g = a.game.as_mut().unwrap().as_mut().unwrap();
        g.equilibrium.outcomes[0].label = "marker_outcome".into();
        let marked = render(&case, &a, None);
        let md2 = marked.text("report.md").unwrap();
        assert!(
            md2.contains("| 13.7 |"),
            "the changed forecast is not shown"
        );
        assert!(
            md2.contains("marker_outcome"),
            "the changed outcome is not shown"
        );
        // Without econ results there is no ledger section.
        a.econ = None;
        let no_econ = render(&case, &a, None);
        assert!(md.contains("## Integration subsidies: the ledger"));
        assert!(
            !no_econ
                .text("report.md")
                .unwrap()
                .contains("## Integration subsidies: the ledger")
        );
    }
}
