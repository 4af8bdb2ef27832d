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
    }
}

/// Build the report of a case, with the default ensemble when the case can be simulated.
pub fn build(case: &Case) -> Report {
    build_with(case, &default_settings())
}

/// Build the report of a case: runs the pipeline (in the current rayon pool) when the case can
/// be simulated, then renders.
pub fn build_with(case: &Case, sim: &SimOptions) -> Report {
    let simulate = sim.draws > 0 && case.scenarios.iter().any(|s| s.rule.is_some());
    let bundle = simulate
        .then(|| leverage_sim::pipeline::run_case(case, sim, None, &|_| {}, None).ok())
        .flatten();
    let insights = bundle
        .as_ref()
        .map(|b| Insights::compute(case, &b.settings, None));
    let extra = insights
        .as_ref()
        .map_or_else(Extra::default, Insights::borrow);
    render_with(case, bundle.as_ref(), &extra)
}

/// What the report adds from recomputed draws: the signposts, the offers and, for a run
/// updated with evidence, its update.
#[derive(Debug, Clone)]
pub struct Insights {
    /// Signposts, or why there are none.
    pub watch: Result<leverage_sim::watch::Watch, String>,
    /// Offers, or why there are none.
    pub offers: Result<leverage_sim::offer::Offers, String>,
}

/// Draws the report's signposts and offers recompute at most (the run's seed, its first draws).
pub const INSIGHT_DRAWS: u64 = 20_000;

impl Insights {
    /// Signposts and offers of the run with these settings (its first [`INSIGHT_DRAWS`] draws),
    /// in `pool` (or the current rayon pool).
    pub fn compute(
        case: &Case,
        settings: &SimOptions,
        pool: Option<&rayon::ThreadPool>,
    ) -> Insights {
        let draws = settings.draws.min(INSIGHT_DRAWS);
        let wired = leverage_sim::wiring::spec(case)
            .and_then(|spec| Ok((spec, leverage_sim::wiring::sampler(case)?)))
            .map_err(|e| e.to_string());
        let watch = wired.clone().and_then(|(spec, sampler)| {
            let signs = leverage_sim::signs::resolve(case, &spec, &sampler.ids)
                .map_err(|e| format!("Nothing to watch: {e}."))?;
            Ok(leverage_sim::watch::watch(
                &spec,
                &sampler,
                settings.seed,
                draws,
                &signs,
                pool,
            ))
        });
        let offers = wired.map(|(spec, sampler)| {
            leverage_sim::offer::offers(&spec, &sampler, settings.seed, draws, pool)
        });
        Insights { watch, offers }
    }
    /// The borrowed form [`render_with`] takes.
    pub fn borrow(&self) -> Extra<'_> {
        Extra {
            watch: self.watch.as_ref().map_err(String::as_str),
            offers: self.offers.as_ref().ok(),
            update: None,
        }
    }
}

/// What [`render_with`] adds to a bundle's report.
#[derive(Debug, Clone, Copy)]
pub struct Extra<'a> {
    /// Signposts, or why there are none.
    pub watch: Result<&'a leverage_sim::watch::Watch, &'a str>,
    /// Offers.
    pub offers: Option<&'a leverage_sim::offer::Offers>,
    /// The update of a run updated with evidence, with its evidence files.
    pub update: Option<(
        &'a leverage_sim::update::Update,
        &'a [leverage_case::evidence::Evidence],
    )>,
}

impl Default for Extra<'_> {
    fn default() -> Self {
        Extra {
            watch: Err("Nothing was watched: the report was rendered without recomputing draws."),
            offers: None,
            update: None,
        }
    }
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
    let sobol = b.sobol.as_ref().and_then(|s| s.as_ref().ok());
    Some(sim_section::section(
        case,
        &sim_section::SimResults {
            ensemble: &b.ensemble,
            tornado: b
                .tornado
                .as_ref()
                .and_then(|t| t.as_ref().ok())
                .map(Vec::as_slice),
            sobol: sobol.map(|s| (s.inputs.as_slice(), s.outputs.as_slice(), &s.result)),
            tornado_draws: b.settings.tornado_draws,
            inert: &b.inert,
        },
    ))
}

/// Render the report of a case and its pipeline bundle (fresh, or decoded from a stored run):
/// nothing here runs the ensemble.
pub fn render(case: &Case, bundle: Option<&leverage_sim::pipeline::Bundle>) -> Report {
    render_with(case, bundle, &Extra::default())
}

/// [`render`] with the signposts, offers and update of `extra` (sections "What to watch",
/// "Evidence: prior against posterior" and "What would it take", after the simulation).
pub fn render_with(
    case: &Case,
    bundle: Option<&leverage_sim::pipeline::Bundle>,
    extra: &Extra<'_>,
) -> Report {
    let mut sections = case_section::sections(case);
    if let Some(f) = bargain_section::section(case) {
        let at = sections
            .iter()
            .position(|s| s.id == "issues")
            .map_or(sections.len(), |i| i + 1);
        sections.insert(at, f);
    }
    if let Some(econ) = econ_section::compute(case) {
        let at = sections
            .iter()
            .position(|s| s.id == "flows")
            .map_or(sections.len(), |i| i + 1);
        for (k, s) in econ_section::sections(case, &econ).into_iter().enumerate() {
            sections.insert(at + k, s);
        }
    }
    if let Some(g) = game_section::section(case) {
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
        let (w, why) = match extra.watch {
            Ok(w) => (Some(w), ""),
            Err(why) => (None, why),
        };
        let mut add = vec![
            watch_section::section(case, w, why),
            evidence_section::section(case, extra.update),
        ];
        if let Some(o) = extra.offers {
            add.push(offer_section::section(case, o));
        }
        for (k, s) in add.into_iter().enumerate() {
            sections.insert(at + k, s);
        }
    }
    if let Some(s) = bundle.and_then(|b| summary_section::section(case, b)) {
        sections.insert(0, s);
    }
    assemble(case, &sections)
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

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
.meta{color:#666}code{background:#f4f4f4;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top}
th{background:#f4f6f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.src{color:#666;font-size:.85em}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}svg{max-width:100%;height:auto}
nav ol{columns:2}footer{margin-top:3em;color:#777;font-size:.85em}";
