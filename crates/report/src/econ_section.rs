//! The economics sections: the subsidy ledger with the paper's Figure 1 redrawn from our own
//! numbers, the gas subsidy under each reference price, the tax maneuver, published figures
//! against ours, and the dependence indices.

use std::fmt::Write;

use leverage_case::Case;
use leverage_econ::DependenceRow;
use leverage_econ::compare::Comparison;
use leverage_econ::ledger::{Component, Ledger};
use leverage_econ::maneuver::ManeuverPath;
use leverage_sim::analyses::EconResults;

use crate::Section;
use crate::case_section::{Tab, csv_field, fmt, n, t};
use crate::chart::{BarLineChart, BarSeries, LineSeries};
use crate::svg::esc;

const COLORS: [&str; 7] = [
    "#3b6fb6", "#2c2c2c", "#8c8c8c", "#d98c1f", "#6aa84f", "#b07aa1", "#9c755f",
];

/// The subsidy by component from our numbers (after IPM's Figure 1 for the default case):
/// stacked components (USD bn), total % of GDP and its trend.
pub fn figure1(case: &Case, ledger: &Ledger) -> String {
    let comps = Component::ALL;
    let bars = comps
        .iter()
        .zip(COLORS)
        .filter(|(c, _)| {
            ledger
                .rows
                .iter()
                .any(|r| r.cell(**c).usd_bn.is_some_and(|v| v != 0.0))
        })
        .map(|(c, color)| BarSeries {
            label: c.label(),
            color,
            values: ledger.rows.iter().map(|r| r.cell(*c).usd_bn).collect(),
        })
        .collect();
    let mut lines = vec![LineSeries {
        label: "total, % of GDP (right)",
        color: "#c0392b",
        dashed: false,
        values: ledger.rows.iter().map(|r| r.total_pct_gdp).collect(),
    }];
    if let Some(tr) = ledger.trend_pct_gdp {
        // Drawn over the years it was fitted on, not extrapolated.
        let with_total = ledger
            .rows
            .iter()
            .filter(|r| r.total_pct_gdp.is_some())
            .map(|r| r.year);
        let (first, last) = (
            with_total.clone().min().unwrap_or(0),
            with_total.max().unwrap_or(0),
        );
        lines.push(LineSeries {
            label: "linear trend of the total",
            color: "#c0392b",
            dashed: true,
            values: ledger
                .rows
                .iter()
                .map(|r| (first..=last).contains(&r.year).then(|| tr.at(r.year)))
                .collect(),
        });
    }
    let title = format!(
        "{}'s subsidy to {} by component, from this ledger",
        case.patron_name(),
        case.client_name()
    );
    BarLineChart {
        title: &title,
        categories: ledger.rows.iter().map(|r| r.year.to_string()).collect(),
        left_label: "USD bn",
        right_label: "% of GDP",
        bars,
        lines,
    }
    .svg()
}

/// The maneuver's yearly loss (refineries and budget) and its running total.
pub fn maneuver_chart(case: &Case, p: &ManeuverPath) -> String {
    let mut cum = 0.0;
    let title = format!(
        "The tax maneuver: {}'s loss against the regime before it",
        case.client_name()
    );
    BarLineChart {
        title: &title,
        categories: p.years.iter().map(|y| y.year.to_string()).collect(),
        left_label: "USD bn a year",
        right_label: "cumulative USD bn",
        bars: vec![
            BarSeries {
                label: "refineries",
                color: "#2c2c2c",
                values: p.years.iter().map(|y| Some(y.refineries_usd_bn)).collect(),
            },
            BarSeries {
                label: "budget (re-clearance and product duties)",
                color: "#d98c1f",
                values: p.years.iter().map(|y| Some(y.budget_usd_bn)).collect(),
            },
        ],
        lines: vec![LineSeries {
            label: "cumulative loss (right)",
            color: "#c0392b",
            dashed: false,
            values: p
                .years
                .iter()
                .map(|y| {
                    cum += y.loss_usd_bn;
                    Some(cum)
                })
                .collect(),
        }],
    }
    .svg()
}

fn bn(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{v:.2}"))
}

/// The sections, or none when the case has no economic data.
pub fn sections(case: &Case, r: &EconResults) -> Vec<Section> {
    let mut out = vec![ledger_section(case, r)];
    if let Some(m) = &r.maneuver {
        out.push(maneuver_section(case, r, &m.0, &m.1));
    }
    if !r.comparisons.is_empty() {
        out.push(comparison_section(&r.comparisons));
    }
    if r.dependence.iter().any(|d| {
        d.export_share.is_some() || d.debt_share.is_some() || d.energy_import_share.is_some()
    }) {
        out.push(dependence_section(&r.dependence));
    }
    out
}

fn ledger_section(case: &Case, r: &EconResults) -> Section {
    let l = &r.ledger;
    let fig = figure1(case, l);
    let reference = case
        .econ_link("gas_reference")
        .unwrap_or("the case's only gas reference-price flow");
    let intro = format!(
        "Per year and component: natural gas = (reference price − price paid) × volume, with the reference `{reference}`; crude = duty-free volume × the export duty not paid (the published annual average where there is one, else the law's formula on the annual oil price); oil products = product export duties kept − those transferred to the patron; re-clearance = re-cleared volume × the duty paid to the client's budget; loans = grant element of concessional credit; other discounts = (reference − price paid) × volume for electricity, food and other commodities; transfers = grants, budget support, military aid, basing and market-access rents paid. A pillar the case has no data for is left out. A dash is a figure the sources cannot give (the gaps column names the missing input): nothing is filled in. The total needs every main pillar the case has data for (gas, crude) and sums the components present; the trend is the least-squares line of the total as % of GDP over the years that have one."
    );
    let comps: Vec<Component> = Component::ALL
        .into_iter()
        .filter(|c| l.rows.iter().any(|r| !r.cell(*c).is_absent()))
        .collect();
    let mut head = vec!["year"];
    head.extend(comps.iter().map(Component::heading));
    head.extend(["total", "% of GDP", "gaps"]);
    let mut tab = Tab::new(&head);
    let mut csv = String::from("year,component,usd_bn,pct_gdp,missing,inputs\n");
    for row in &l.rows {
        let mut cells = vec![t(row.year.to_string())];
        for &c in &comps {
            let cell = row.cell(c);
            let working: Vec<String> = cell
                .used
                .iter()
                .flatten()
                .map(|u| {
                    format!(
                        "{} = {} ({})",
                        u.input.label(),
                        fmt((u.value * 1000.0).round() / 1000.0),
                        r.inputs.sources[u.src as usize]
                    )
                })
                .collect();
            let text = bn(cell.usd_bn);
            let html = format!(
                "<span title=\"{}\">{}</span>",
                esc(&working.join("; ")),
                esc(&text)
            );
            cells.push((text, true, Some(html)));
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{}",
                row.year,
                c.label(),
                cell.usd_bn.map_or(String::new(), |v| format!("{v:.6}")),
                match (cell.usd_bn, row.gdp_usd_bn) {
                    (Some(v), Some(g)) => format!("{:.4}", 100.0 * v / g),
                    _ => String::new(),
                },
                cell.missing.map_or("", |m| m.label()),
                csv_field(&working.join("; "))
            );
        }
        cells.push((bn(row.total_usd_bn), true, None));
        cells.push((
            row.total_pct_gdp.map_or("—".into(), |p| format!("{p:.1}")),
            true,
            None,
        ));
        let gaps: Vec<String> = Component::ALL
            .iter()
            .filter_map(|c| {
                row.cell(*c)
                    .missing
                    .map(|m| format!("{}: {}", c.label(), m.label()))
            })
            .collect();
        cells.push(t(gaps.join("; ")));
        tab.row(cells);
    }
    let trend = l.trend_pct_gdp.map_or(String::new(), |tr| {
        format!(
            " The linear trend of the total is {:+.2} percentage points of GDP a year over the {} years with a total.",
            tr.slope, tr.n
        )
    });
    // Gas under other references.
    let mut alt = String::new();
    let mut alt_md = String::new();
    if !r.gas_alternatives.is_empty() {
        let mut head = vec!["year".to_string(), format!("{reference} (used)")];
        head.extend(r.gas_alternatives.iter().map(|(n, _)| n.clone()));
        let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut gt = Tab::new(&head_ref);
        for (i, row) in l.rows.iter().enumerate() {
            let mut cells = vec![
                t(row.year.to_string()),
                (bn(row.cell(Component::Gas).usd_bn), true, None),
            ];
            for (_, other) in &r.gas_alternatives {
                cells.push((
                    bn(other
                        .rows
                        .get(i)
                        .and_then(|x| x.cell(Component::Gas).usd_bn)),
                    true,
                    None,
                ));
            }
            gt.row(cells);
        }
        let note = "The gas component (USD bn) under each reference price the case carries; prices quoted per MMBtu are converted at the case's MMBtu per 1000 m³. The choice of reference moves the gas subsidy more than any other input.";
        alt = format!(
            "<h3>Gas subsidy by reference price</h3>\n<p>{}</p>\n{}",
            esc(note),
            gt.html()
        );
        alt_md = format!(
            "### Gas subsidy by reference price\n\n{note}\n\n{}",
            gt.md()
        );
    }
    let problems = if r.problems.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"src\">Not computed: {}</p>",
            esc(&r.problems.join("; "))
        )
    };
    Section {
        id: "subsidy".into(),
        title: "Integration subsidies: the ledger".into(),
        html: format!(
            "<p>{}{}</p>\n<figure>{fig}<figcaption>Figure 1 of the paper (IPM Research Center's stacked components with the total as % of GDP and its linear trend), redrawn from this ledger. Hover a bar for its value. Files: figure1-subsidy.svg, figure1-subsidy.png.</figcaption></figure>\n<div style=\"overflow-x:auto\">{}</div>\n<p class=\"src\">Hover a figure for its inputs and their sources; subsidy.csv holds them all.</p>\n{alt}{problems}",
            esc(&intro),
            esc(&trend),
            tab.html()
        ),
        markdown: format!(
            "{intro}{trend}\n\n![Figure 1 from this ledger](figure1-subsidy.svg)\n\n{}\nEvery figure's inputs and sources: subsidy.csv.\n\n{alt_md}",
            tab.md()
        ),
        files: vec![
            ("figure1-subsidy.svg".into(), fig),
            ("subsidy.csv".into(), csv),
        ],
    }
}

fn maneuver_section(case: &Case, r: &EconResults, p: &ManeuverPath, origin: &[String]) -> Section {
    let (patron, client) = (case.patron_name(), case.client_name());
    let chart = maneuver_chart(case, p);
    let mut tab = Tab::new(&[
        "year",
        "oil USD/bbl",
        "price from",
        "duty without maneuver USD/t",
        "multiplier",
        "duty USD/t",
        "dearer USD/t",
        "Mt",
        "loss USD bn",
        "refineries",
        "budget",
        "% of GDP",
    ]);
    let mut csv = String::from(
        "year,oil_usd_bbl,price_origin,full_duty_usd_t,multiplier,duty_usd_t,dearer_usd_t,volume_mt,loss_usd_bn,refineries_usd_bn,budget_usd_bn,loss_pct_gdp\n",
    );
    for (y, o) in p.years.iter().zip(origin) {
        tab.row(vec![
            t(y.year.to_string()),
            n(y.oil_usd_bbl),
            t(o.clone()),
            n(y.full_duty_usd_t),
            n(y.multiplier),
            n(y.duty_usd_t),
            n((y.dearer_usd_t * 10.0).round() / 10.0),
            n(y.volume_mt),
            (format!("{:.2}", y.loss_usd_bn), true, None),
            (format!("{:.2}", y.refineries_usd_bn), true, None),
            (format!("{:.2}", y.budget_usd_bn), true, None),
            (
                y.loss_pct_gdp.map_or("—".into(), |v| format!("{v:.1}")),
                true,
                None,
            ),
        ]);
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{:.6},{:.6},{:.6},{}",
            y.year,
            y.oil_usd_bbl,
            csv_field(o),
            y.full_duty_usd_t,
            y.multiplier,
            y.duty_usd_t,
            y.dearer_usd_t,
            y.volume_mt,
            y.loss_usd_bn,
            y.refineries_usd_bn,
            y.budget_usd_bn,
            y.loss_pct_gdp.map_or(String::new(), |v| format!("{v:.4}"))
        );
    }
    let mut flat = Tab::new(&[
        "oil USD/bbl, every year",
        "cumulative loss USD bn",
        "refineries",
        "budget",
    ]);
    for (price, q) in &r.maneuver_at {
        flat.row(vec![
            n(*price),
            (format!("{:.2}", q.cumulative_usd_bn), true, None),
            (format!("{:.2}", q.cumulative_refineries_usd_bn), true, None),
            (format!("{:.2}", q.cumulative_budget_usd_bn), true, None),
        ]);
    }
    let (first, last) = (
        p.years.first().map_or(0, |y| y.year),
        p.years.last().map_or(0, |y| y.year),
    );
    let intro = format!(
        "{patron} phases its crude export duty out over {first}–{last} (multiplier by year from the case's schedule). {client}'s duty-free crude gets dearer by the duty it no longer escapes; the loss falls on the refineries and, for the re-cleared crude and the product duties that follow the crude duty down, on the budget. Prices after the last observed year are the case's assumption (the 'price from' column), not facts. Cumulative loss {first}–{last}: USD {:.2} bn (refineries {:.2}, budget {:.2}).",
        p.cumulative_usd_bn, p.cumulative_refineries_usd_bn, p.cumulative_budget_usd_bn
    );
    Section {
        id: "maneuver".into(),
        title: "The oil tax maneuver".into(),
        html: format!(
            "<p>{}</p>\n<figure>{chart}<figcaption>Yearly loss by who bears it, and the running total. Files: maneuver-loss.svg, maneuver-loss.png.</figcaption></figure>\n<div style=\"overflow-x:auto\">{}</div>\n<h3>At a flat oil price</h3>\n{}",
            esc(&intro),
            tab.html(),
            flat.html()
        ),
        markdown: format!(
            "{intro}\n\n![Tax maneuver losses](maneuver-loss.svg)\n\n{}\n### At a flat oil price\n\n{}",
            tab.md(),
            flat.md()
        ),
        files: vec![
            ("maneuver-loss.svg".into(), chart),
            ("maneuver.csv".into(), csv),
        ],
    }
}

fn comparison_section(cs: &[Comparison]) -> Section {
    let mut tab = Tab::new(&[
        "figure",
        "period",
        "published",
        "ours",
        "gap",
        "model quantity",
        "source",
        "note",
    ]);
    let mut csv =
        String::from("id,period,unit,published_min,published_max,ours,gap_pct,model,source,note\n");
    for c in cs {
        let published = if c.published.0 == c.published.1 {
            fmt(c.published.0)
        } else {
            format!("{}–{}", fmt(c.published.0), fmt(c.published.1))
        };
        let ours = c.ours.map_or("—".into(), |v| format!("{v:.2}"));
        let gap = c.gap_pct().map_or(String::new(), |g| {
            if g == 0.0 {
                "within".into()
            } else {
                format!("{g:+.0} %")
            }
        });
        tab.row(vec![
            t(format!("{} ({})", c.what, c.unit)),
            t(&c.period),
            (published.clone(), true, None),
            (ours.clone(), true, None),
            (gap.clone(), true, None),
            t(&c.model),
            t(&c.source),
            t(&c.note),
        ]);
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{}",
            csv_field(&c.id),
            csv_field(&c.period),
            csv_field(&c.unit),
            c.published.0,
            c.published.1,
            c.ours.map_or(String::new(), |v| format!("{v:.6}")),
            c.gap_pct().map_or(String::new(), |g| format!("{g:.2}")),
            csv_field(&c.model),
            csv_field(&c.source),
            csv_field(&c.note)
        );
    }
    let computed = cs.iter().filter(|c| c.ours.is_some()).count();
    let intro = format!(
        "Each published figure of the case that names a model quantity, beside the model's value over the same period ({computed} of {} computable). Money is summed over a period (averaged when the figure is per year); shares are averaged. 'Gap' is ours against the published value, or against the nearer end of a published range. A period with a year the sources cannot give has no value: partial sums are not shown as totals.",
        cs.len()
    );
    Section {
        id: "published".into(),
        title: "Published figures against ours".into(),
        html: format!(
            "<p>{}</p>\n<div style=\"overflow-x:auto\">{}</div>",
            esc(&intro),
            tab.html()
        ),
        markdown: format!("{intro}\n\n{}", tab.md()),
        files: vec![("published-vs-model.csv".into(), csv)],
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{v:.1}"))
}

fn dependence_section(rows: &[DependenceRow]) -> Section {
    let mut tab = Tab::new(&[
        "year",
        "energy imports from the patron %",
        "patron's share of exports %",
        "of imports %",
        "of external public debt %",
        "cost of defiance % of GDP",
    ]);
    for r in rows {
        if r.energy_import_share.is_none()
            && r.export_share.is_none()
            && r.import_share.is_none()
            && r.debt_share.is_none()
            && r.cost_of_defiance_pct_gdp.is_none()
        {
            continue;
        }
        tab.row(vec![
            t(r.year.to_string()),
            (pct(r.energy_import_share), true, None),
            (pct(r.export_share), true, None),
            (pct(r.import_share), true, None),
            (pct(r.debt_share), true, None),
            (pct(r.cost_of_defiance_pct_gdp), true, None),
        ]);
    }
    let intro = "Sensitivity (Keohane & Nye): how much of the client's energy, trade and debt runs through the patron (Hirschman's measure of the influence trade gives). Vulnerability: the cost of defiance, the subsidy the client would lose, as % of GDP. Each index is shown only where its data exist; docs/economics.md defines them.";
    Section {
        id: "dependence".into(),
        title: "Dependence and leverage".into(),
        html: format!("<p>{}</p>\n{}", esc(intro), tab.html()),
        markdown: format!("{intro}\n\n{}", tab.md()),
        files: Vec::new(),
    }
}
