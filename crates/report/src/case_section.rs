//! The case summary sections: actors, issues with a position chart each, flows, schedules,
//! parameters, timeline, published figures, scenarios and sources.

use std::collections::BTreeSet;
use std::fmt::Write;

use leverage_case::{Case, Issue, Num, Provenance};

use crate::Section;
use crate::svg::{Svg, esc};

const PALETTE: [&str; 8] = [
    "#c0392b", "#2e6da4", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#7f8c8d", "#b03a2e",
];

/// A number with as few digits as it needs.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn side_color(case: &Case, side: Option<&str>) -> &'static str {
    let sides: BTreeSet<&str> = case
        .actors
        .iter()
        .filter_map(|a| a.side.as_deref())
        .collect();
    match side {
        Some(s) => {
            let i = sides.iter().position(|x| *x == s).unwrap_or(0);
            PALETTE[i % PALETTE.len()]
        }
        None => "#999999",
    }
}

fn origin_html(p: &Provenance) -> String {
    match (&p.source, &p.judgement) {
        (Some(s), _) => format!("<span class=\"src\">{}</span>", esc(s)),
        (None, Some(j)) => format!("<span class=\"src\">judgement: {}</span>", esc(j)),
        _ => String::new(),
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Tables with more rows than this are collapsed on screen.
pub(crate) const LONG_TABLE_ROWS: usize = 20;

/// A table rendered both ways: header and rows of (text, numeric?) cells.
pub(crate) struct Tab {
    head: Vec<String>,
    rows: Vec<Vec<(String, bool, Option<String>)>>,
}

impl Tab {
    pub(crate) fn new(head: &[&str]) -> Self {
        Self {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    /// Add a row; cells are (plain text, is numeric, optional HTML override).
    pub(crate) fn row(&mut self, cells: Vec<(String, bool, Option<String>)>) {
        self.rows.push(cells);
    }
    /// The table as HTML; one longer than [`LONG_TABLE_ROWS`] rows is folded into a
    /// `<details>` on screen (the print style sheet opens it, so print shows every row).
    pub(crate) fn html(&self) -> String {
        let table = self.table_html();
        if self.rows.len() > LONG_TABLE_ROWS {
            format!(
                "<details class=\"long\"><summary>Table of {} rows: show or hide</summary>\n{table}</details>\n",
                self.rows.len()
            )
        } else {
            table
        }
    }
    fn table_html(&self) -> String {
        let mut s = String::from("<table><thead><tr>");
        for h in &self.head {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr></thead><tbody>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for (text, num, html) in r {
                let cls = if *num { " class=\"n\"" } else { "" };
                let body = html.clone().unwrap_or_else(|| esc(text));
                let _ = write!(s, "<td{cls}>{body}</td>");
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table>\n");
        s
    }
    pub(crate) fn md(&self) -> String {
        let mut s = format!("| {} |\n|", self.head.join(" | "));
        for _ in &self.head {
            s.push_str("---|");
        }
        s.push('\n');
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|(t, _, _)| md_cell(t)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        s.push('\n');
        s
    }
}

pub(crate) fn t(s: impl Into<String>) -> (String, bool, Option<String>) {
    (s.into(), false, None)
}
pub(crate) fn n(x: f64) -> (String, bool, Option<String>) {
    (fmt(x), true, None)
}
pub(crate) fn src(p: &Provenance) -> (String, bool, Option<String>) {
    (p.describe(), false, Some(origin_html(p)))
}

/// All sections of the case summary.
pub fn sections(case: &Case) -> Vec<Section> {
    let mut out = vec![actors(case), issues(case)];
    if !case.flows.is_empty() || !case.series.is_empty() {
        out.push(flows(case));
    }
    if !case.schedules.is_empty() || !case.params.is_empty() {
        out.push(schedules_params(case));
    }
    if !case.events.is_empty() {
        out.push(timeline(case));
    }
    if !case.figures.is_empty() {
        out.push(figures(case));
    }
    if !case.scenarios.is_empty() {
        out.push(scenarios(case));
    }
    out.push(sources(case));
    out
}

fn actors(case: &Case) -> Section {
    let mut tab = Tab::new(&["id", "name", "kind", "side", "capability", "origin"]);
    for a in &case.actors {
        tab.row(vec![
            t(&a.id),
            t(&a.name),
            t(a.kind.as_str()),
            t(a.side.clone().unwrap_or_default()),
            n(a.capability.value),
            src(&a.capability.prov),
        ]);
    }
    let summary = format!(
        "{} actors, {} issues ({} positions), {} flows, {} series, {} schedules, {} events, {} parameters, {} published figures, {} scenarios, {} sources.",
        case.actors.len(),
        case.issues.len(),
        case.issues.iter().map(|i| i.positions.len()).sum::<usize>(),
        case.flows.len(),
        case.series.len(),
        case.schedules.len(),
        case.events.len(),
        case.params.len(),
        case.figures.len(),
        case.scenarios.len(),
        case.sources.len()
    );
    let json = serde_json::to_string_pretty(case).unwrap_or_default();
    Section {
        id: "actors".into(),
        title: "The case and its actors".into(),
        html: format!("<p>{}</p>\n{}", esc(&summary), tab.html()),
        markdown: format!("{summary}\n\n{}", tab.md()),
        files: vec![("case.json".into(), json + "\n")],
    }
}

/// The dot plot of an issue: one row per actor, sorted by position; circle area ∝ capability × salience.
pub fn position_chart(case: &Case, issue: &Issue) -> String {
    let mut ps: Vec<_> = issue.positions.iter().collect();
    ps.sort_by(|a, b| {
        a.position
            .value
            .total_cmp(&b.position.value)
            .then(a.actor.cmp(&b.actor))
    });
    let cs =
        |actor: &str, sal: f64| case.actor(actor).map_or(0.0, |a| a.capability.value) * sal / 100.0;
    let max_cs = ps
        .iter()
        .map(|p| cs(&p.actor, p.salience.value))
        .fold(0.0_f64, f64::max);
    let (left, right, top, row) = (240.0, 770.0, 30.0, 24.0);
    let height = top + row * ps.len().max(1) as f64 + 90.0;
    let mut svg = Svg::new(800.0, height);
    let x = |v: f64| left + 14.0 + (right - left - 14.0) * v.clamp(0.0, 100.0) / 100.0;
    let bottom = top + row * ps.len().max(1) as f64;
    // Grid and axis.
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        svg.line(
            (x(tick), top - 8.0),
            (x(tick), bottom),
            "#e3e3e3",
            1.0,
            None,
        );
        svg.text(x(tick), bottom + 16.0, &fmt(tick), 11.0, "middle", "#444");
        if let Some(u) = &issue.unit {
            svg.text(
                x(tick),
                bottom + 30.0,
                &fmt(u.to_unit(tick)),
                10.0,
                "middle",
                "#777",
            );
        }
    }
    svg.line((left + 14.0, bottom), (right, bottom), "#444", 1.0, None);
    let axis_label = match &issue.unit {
        Some(u) => format!("position (0–100; second row: {})", u.name),
        None => "position (0–100)".to_string(),
    };
    svg.text(
        (left + right) / 2.0,
        bottom + 48.0,
        &axis_label,
        11.0,
        "middle",
        "#444",
    );
    if let Some(sq) = &issue.status_quo {
        svg.line(
            (x(sq.value), top - 12.0),
            (x(sq.value), bottom),
            "#555",
            1.5,
            Some("5,4"),
        );
        svg.text_within(
            x(sq.value),
            top - 16.0,
            &format!("status quo {}", fmt(sq.value)),
            10.0,
            "#555",
            800.0,
        );
    }
    for (k, p) in ps.iter().enumerate() {
        let y = top + row * (k as f64 + 0.5);
        let actor = case.actor(&p.actor);
        let name = actor.map_or(p.actor.as_str(), |a| a.name.as_str());
        let short: String = if name.chars().count() > 34 {
            format!("{}…", name.chars().take(33).collect::<String>())
        } else {
            name.to_string()
        };
        svg.text(left, y + 4.0, &short, 11.0, "end", "#222");
        svg.line((left + 14.0, y), (right, y), "#f2f2f2", 1.0, None);
        let w = cs(&p.actor, p.salience.value);
        let r = if max_cs > 0.0 {
            3.0 + 8.0 * (w / max_cs).sqrt()
        } else {
            4.0
        };
        let color = side_color(case, actor.and_then(|a| a.side.as_deref()));
        let tip = format!(
            "{name}: position {}, salience {}, capability {}, capability × salience {}",
            fmt(p.position.value),
            fmt(p.salience.value),
            actor.map_or("?".into(), |a| fmt(a.capability.value)),
            fmt((w * 10.0).round() / 10.0)
        );
        svg.circle(x(p.position.value), y, r, color, &tip);
    }
    // Legend: one swatch per side present on this issue.
    let sides: BTreeSet<Option<&str>> = ps
        .iter()
        .map(|p| case.actor(&p.actor).and_then(|a| a.side.as_deref()))
        .collect();
    let mut lx = left + 14.0;
    let ly = bottom + 70.0;
    for side in sides {
        svg.circle(
            lx + 5.0,
            ly - 4.0,
            5.0,
            side_color(case, side),
            side.unwrap_or("no side"),
        );
        let label = side.unwrap_or("no side");
        svg.text(lx + 14.0, ly, label, 11.0, "start", "#333");
        lx += 24.0 + 7.0 * label.chars().count() as f64;
    }
    svg.finish(&format!("Positions on {}", issue.id))
}

fn unit_value(issue: &Issue, v: f64) -> String {
    issue.unit.as_ref().map_or(String::new(), |u| {
        fmt((u.to_unit(v) * 100.0).round() / 100.0)
    })
}

fn issues(case: &Case) -> Section {
    let mut html = String::from(
        "<p>Each chart places every actor on the issue's 0–100 scale; the circle's area is proportional to capability × salience (the actor's effective weight on the issue); colour marks the side. The dashed line is the status quo.</p>\n",
    );
    let mut md = String::from(
        "Each chart places every actor on the issue's 0–100 scale; circle area ∝ capability × salience; colour marks the side; the dashed line is the status quo.\n\n",
    );
    let mut files = Vec::new();
    let mut csv = String::from(
        "issue,actor,position,position_unit,unit,salience,capability,capability_x_salience,source\n",
    );
    for issue in &case.issues {
        let chart = position_chart(case, issue);
        let file = format!("issue-{}.svg", issue.id);
        let unit_note = issue.unit.as_ref().map_or(String::new(), |u| {
            format!(
                " Scale in {}: 0 = {}, 100 = {}.",
                u.name,
                fmt(u.at_0),
                fmt(u.at_100)
            )
        });
        let sq = issue
            .status_quo
            .as_ref()
            .map_or("not given".to_string(), |s| {
                let u = unit_value(issue, s.value);
                if u.is_empty() {
                    fmt(s.value)
                } else {
                    format!(
                        "{} ({u} {})",
                        fmt(s.value),
                        issue.unit.as_ref().map_or("", |x| x.name.as_str())
                    )
                }
            });
        let mut tab = Tab::new(&[
            "actor",
            "position",
            issue.unit.as_ref().map_or("unit", |u| u.name.as_str()),
            "salience",
            "capability × salience",
            "origin",
        ]);
        let mut ps: Vec<_> = issue.positions.iter().collect();
        ps.sort_by(|a, b| a.position.value.total_cmp(&b.position.value));
        for p in &ps {
            let cap = case.actor(&p.actor).map_or(0.0, |a| a.capability.value);
            let w = (cap * p.salience.value / 100.0 * 10.0).round() / 10.0;
            tab.row(vec![
                t(&p.actor),
                n(p.position.value),
                (unit_value(issue, p.position.value), true, None),
                n(p.salience.value),
                n(w),
                src(&p.position.prov),
            ]);
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{}",
                csv_field(&issue.id),
                csv_field(&p.actor),
                fmt(p.position.value),
                unit_value(issue, p.position.value),
                csv_field(issue.unit.as_ref().map_or("", |u| u.name.as_str())),
                fmt(p.salience.value),
                fmt(cap),
                fmt(w),
                csv_field(&p.position.prov.describe())
            );
        }
        let _ = write!(
            html,
            "<h3 id=\"issue-{id}\">{q}</h3>\n<p><b>0</b> = {lo}<br><b>100</b> = {hi}<br>Status quo: {sq}.{un}</p>\n<figure>{chart}<figcaption>Positions on <code>{id}</code>.</figcaption></figure>\n<details><summary>Positions and their origin</summary>\n{tab}</details>\n",
            id = esc(&issue.id),
            q = esc(&issue.question),
            lo = esc(&issue.low),
            hi = esc(&issue.high),
            sq = esc(&sq),
            un = esc(&unit_note),
            chart = chart,
            tab = tab.html()
        );
        let _ = write!(
            md,
            "### {q}\n\n- 0 = {lo}\n- 100 = {hi}\n- Status quo: {sq}.{un}\n\n![Positions on {id}]({file})\n\n{tab}\n",
            q = issue.question,
            lo = issue.low,
            hi = issue.high,
            id = issue.id,
            un = unit_note,
            tab = tab.md()
        );
        files.push((file, chart));
    }
    files.push(("positions.csv".into(), csv));
    Section {
        id: "issues".into(),
        title: "Issues and positions".into(),
        html,
        markdown: md,
        files,
    }
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Year columns per flows table: wider tables are cut off in print and hard to read on screen,
/// so the years are split into tables of at most this many columns.
const YEARS_PER_TABLE: usize = 8;

type Cell = (String, bool, Option<String>);

fn flows(case: &Case) -> Section {
    let years: Vec<i32> = case
        .flows
        .iter()
        .flat_map(|f| f.values.iter().map(|v| v.year))
        .chain(
            case.series
                .iter()
                .flat_map(|s| s.values.iter().map(|v| v.year)),
        )
        .collect::<BTreeSet<i32>>()
        .into_iter()
        .collect();
    let mut csv = String::from("kind,id,component,measure,unit,year,value,source\n");
    // Each record: its label cells, a cell per year (None: no value), its source.
    let mut rows: Vec<([Cell; 3], Vec<Option<Cell>>, Cell)> = Vec::new();
    let mut add = |id: &str,
                   kind: &str,
                   component: &str,
                   measure: &str,
                   unit: &str,
                   values: &[leverage_case::YearValue],
                   prov: &Provenance| {
        // GDP-sized numbers read better in billions.
        let big = values.iter().any(|v| v.value.value.abs() >= 1e9);
        let (scale, unit_shown) = if big {
            (1e-9, format!("{unit} bn"))
        } else {
            (1.0, unit.to_string())
        };
        let mut cells = Vec::new();
        for y in &years {
            let Some(v) = values.iter().find(|v| v.year == *y) else {
                cells.push(None);
                continue;
            };
            let shown = fmt((v.value.value * scale * 1000.0).round() / 1000.0);
            cells.push(Some((
                shown.clone(),
                true,
                Some(format!(
                    "<span title=\"{}\">{shown}</span>",
                    esc(&v.value.prov.describe()),
                )),
            )));
            let _ = writeln!(
                csv,
                "{kind},{},{},{},{},{},{},{}",
                csv_field(id),
                component,
                measure,
                csv_field(unit),
                y,
                v.value.value,
                csv_field(&v.value.prov.describe())
            );
        }
        rows.push(([t(id), t(measure), t(unit_shown)], cells, src(prov)));
    };
    for f in &case.flows {
        add(
            &f.id,
            "flow",
            f.component.as_str(),
            &f.measure,
            &f.unit,
            &f.values,
            &f.prov,
        );
    }
    for s in &case.series {
        add(&s.id, "series", "", &s.measure, &s.unit, &s.values, &s.prov);
    }
    let intro = "Yearly values of the economic ties the patron controls (flows) and of context series such as GDP. An empty cell is a gap in the sources, kept as a gap. Hover a value in the HTML report for its source row; flows.csv holds every value with its source.";
    let mut html = format!("<p>{}</p>\n", esc(intro));
    let mut md = format!("{intro}\n\n");
    let n_chunks = years.len().div_ceil(YEARS_PER_TABLE).max(1);
    for c in 0..n_chunks {
        let span = c * YEARS_PER_TABLE..((c + 1) * YEARS_PER_TABLE).min(years.len());
        let mut head: Vec<String> = vec!["flow / series".into(), "measure".into(), "unit".into()];
        head.extend(years[span.clone()].iter().map(|y| y.to_string()));
        head.push("source".into());
        let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut tab = Tab::new(&head_ref);
        for (labels, cells, source) in &rows {
            // A record with no value in these years is left out of this table.
            if cells[span.clone()].iter().all(Option::is_none) {
                continue;
            }
            let mut row: Vec<Cell> = labels.to_vec();
            row.extend(
                cells[span.clone()]
                    .iter()
                    .map(|c| c.clone().unwrap_or_else(|| t(""))),
            );
            row.push(source.clone());
            tab.row(row);
        }
        if n_chunks > 1 {
            let title = format!(
                "{}–{}",
                years[span.start],
                years[span.end.saturating_sub(1).max(span.start)]
            );
            let _ = writeln!(html, "<h3>{title}</h3>");
            let _ = write!(md, "### {title}\n\n");
        }
        let _ = writeln!(html, "<div class=\"wide\">{}</div>", tab.html());
        let _ = write!(md, "{}", tab.md());
    }
    Section {
        id: "flows".into(),
        title: "Economic flows and series".into(),
        html,
        markdown: md.trim_end().to_string() + "\n",
        files: vec![("flows.csv".into(), csv)],
    }
}

fn schedules_params(case: &Case) -> Section {
    let mut html = String::new();
    let mut md = String::new();
    if !case.schedules.is_empty() {
        let mut tab = Tab::new(&["schedule", "enacted", "unit", "values by year", "origin"]);
        for s in &case.schedules {
            let vals: Vec<String> = s
                .values
                .iter()
                .map(|v| format!("{}: {}", v.year, fmt(v.value.value)))
                .collect();
            tab.row(vec![
                t(&s.id),
                t(s.enacted.to_string()),
                t(&s.unit),
                t(vals.join(", ")),
                src(&s.prov),
            ]);
        }
        html.push_str(&format!("<h3>Policy schedules</h3>\n{}", tab.html()));
        md.push_str(&format!("### Policy schedules\n\n{}", tab.md()));
    }
    if !case.params.is_empty() {
        let mut tab = Tab::new(&[
            "parameter",
            "meaning",
            "distribution",
            "central value",
            "unit",
            "origin",
        ]);
        for p in &case.params {
            tab.row(vec![
                t(&p.id),
                t(&p.description),
                t(p.dist.describe()),
                match p.dist.central_option() {
                    Some(o) => t(o),
                    None => n(p.dist.central()),
                },
                t(&p.unit),
                src(&p.prov),
            ]);
        }
        html.push_str(&format!("<h3>Model parameters</h3>\n{}", tab.html()));
        md.push_str(&format!("### Model parameters\n\n{}", tab.md()));
    }
    Section {
        id: "schedules".into(),
        title: "Schedules and parameters".into(),
        html,
        markdown: md,
        files: Vec::new(),
    }
}

fn timeline(case: &Case) -> Section {
    let mut events: Vec<_> = case.events.iter().collect();
    events.sort_by_key(|e| e.date.earliest());
    let mut tab = Tab::new(&["date", "event", "actors", "origin"]);
    let mut csv = String::from("date,id,title,actors,tags,source,assumption\n");
    for e in &events {
        let title = if e.prov.assumption.is_some() {
            format!("{} (expected)", e.title)
        } else {
            e.title.clone()
        };
        let origin = match &e.prov.assumption {
            Some(a) => (
                format!("assumption: {a}"),
                false,
                Some(format!("<span class=\"src\">assumption: {}</span>", esc(a))),
            ),
            None => src(&e.prov),
        };
        tab.row(vec![
            t(e.date.to_string()),
            t(title),
            t(e.actors.join(", ")),
            origin,
        ]);
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{}",
            e.date,
            csv_field(&e.id),
            csv_field(&e.title),
            csv_field(&e.actors.join(" ")),
            csv_field(&e.tags.join(" ")),
            csv_field(e.prov.source.as_deref().unwrap_or("")),
            csv_field(e.prov.assumption.as_deref().unwrap_or(""))
        );
    }
    let as_of = case.case.as_of;
    let intro = format!(
        "Events up to the case's date of knowledge ({as_of}) are facts; later ones are marked as expected and enter only as assumptions."
    );
    Section {
        id: "timeline".into(),
        title: "Timeline".into(),
        html: format!("<p>{}</p>\n{}", esc(&intro), tab.html()),
        markdown: format!("{intro}\n\n{}", tab.md()),
        files: vec![("events.csv".into(), csv)],
    }
}

fn figures(case: &Case) -> Section {
    let mut tab = Tab::new(&["figure", "what", "period", "value", "unit", "origin"]);
    for f in &case.figures {
        let v = match (&f.value, &f.min, &f.max) {
            (Some(v), _, _) => fmt(v.value),
            (None, Some(a), Some(b)) => format!("{}–{}", fmt(a.value), fmt(b.value)),
            (None, Some(a), None) => format!("≥ {}", fmt(a.value)),
            (None, None, Some(b)) => format!("≤ {}", fmt(b.value)),
            _ => String::new(),
        };
        let p = f
            .value
            .as_ref()
            .or(f.min.as_ref())
            .map_or(&f.prov, |x: &Num| &x.prov);
        tab.row(vec![
            t(&f.id),
            t(&f.what),
            t(&f.period),
            (v, true, None),
            t(&f.unit),
            src(p),
        ]);
    }
    let intro = "Figures published by others, kept beside the case so the model's own numbers can be set against them.";
    Section {
        id: "figures".into(),
        title: "Published figures".into(),
        html: format!("<p>{}</p>\n{}", esc(intro), tab.html()),
        markdown: format!("{intro}\n\n{}", tab.md()),
        files: Vec::new(),
    }
}

fn scenarios(case: &Case) -> Section {
    let mut tab = Tab::new(&["scenario", "title", "description"]);
    for s in &case.scenarios {
        tab.row(vec![t(&s.id), t(&s.title), t(&s.description)]);
    }
    let intro = "The named outcomes a simulated path is classified into. Their probabilities arrive with the scenario engine.";
    Section {
        id: "scenarios".into(),
        title: "Scenarios".into(),
        html: format!("<p>{}</p>\n{}", esc(intro), tab.html()),
        markdown: format!("{intro}\n\n{}", tab.md()),
        files: Vec::new(),
    }
}

fn sources(case: &Case) -> Section {
    let mut html = String::from("<ol class=\"sources\">\n");
    let mut md = String::new();
    for s in &case.sources {
        let url = s.url.as_ref().map_or(String::new(), |u| {
            format!(" <a href=\"{}\">{}</a>", esc(u), esc(u))
        });
        let note = s.note.as_ref().map_or(String::new(), |n| {
            format!(" <span class=\"src\">{}</span>", esc(n))
        });
        let _ = writeln!(
            html,
            "<li id=\"src-{id}\"><code>{id}</code> {c}{url}{note}</li>",
            id = esc(&s.id),
            c = esc(&s.citation)
        );
        let _ = writeln!(
            md,
            "- `{}` {}{}{}",
            s.id,
            s.citation,
            s.url.as_ref().map_or(String::new(), |u| format!(" <{u}>")),
            s.note.as_ref().map_or(String::new(), |n| format!(" — {n}"))
        );
    }
    html.push_str("</ol>\n");
    Section {
        id: "sources".into(),
        title: "Sources".into(),
        html,
        markdown: md,
        files: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_numbers() {
        assert_eq!(fmt(127.0), "127");
        assert_eq!(fmt(0.8333), "0.833");
        assert_eq!(fmt(2.5), "2.5");
        assert_eq!(fmt(f64::NAN), "—");
    }
}
