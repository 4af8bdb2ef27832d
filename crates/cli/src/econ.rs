//! `leverage subsidy` and `leverage maneuver`: the economics engine on a case.

use comfy_table::{Cell, CellAlignment};
use leverage_case::Case;
use leverage_econ::ledger::{Component, Input, Ledger};
use leverage_econ::maneuver::ManeuverPath;
use leverage_econ::{LedgerInputs, LedgerOptions, ManeuverOptions};
use serde_json::json;

use crate::args::Output;
use crate::show::{fmt_num, name_cell, table};
use crate::user;
use crate::{Failure, Result, pretty_json};

/// The ledger of a case over `from..=to` (default: the case's data years).
pub fn ledger_of(
    case: &Case,
    from: Option<i32>,
    to: Option<i32>,
    opts: &LedgerOptions,
) -> Result<(LedgerInputs, Ledger)> {
    let inputs = leverage_econ::ledger_inputs(case, opts).map_err(|e| user(e.to_string()))?;
    let (lo, hi) = leverage_econ::inputs::data_years(case);
    let ledger = leverage_econ::ledger(&inputs, from.unwrap_or(lo), to.unwrap_or(hi));
    Ok((inputs, ledger))
}

/// The components the case has (those absent in every row are left out of tables).
fn present(ledger: &leverage_econ::Ledger) -> Vec<Component> {
    Component::ALL
        .into_iter()
        .filter(|c| ledger.rows.iter().any(|r| !r.cell(*c).is_absent()))
        .collect()
}

fn bn(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.3}"))
}

fn input_name(i: Input) -> &'static str {
    match i {
        Input::GasPaid => "price paid",
        Input::GasReference => "reference price",
        Input::GasVolume => "volume",
        Input::CrudeVolume => "duty-free volume",
        Input::DutyPublished => "published average duty",
        Input::DutyComputed => "duty: oil price or K",
        Input::OilPrice => "oil price",
        Input::ReclearanceVolume => "volume",
        Input::ProductsKept => "duties kept",
        Input::ProductsTransferred => "duties transferred",
        Input::Loans => "disbursements",
        Input::LoanRate => "interest rate",
        Input::MarketRate => "market rate",
        Input::Discounts => "prices and volumes",
        Input::Transfers => "amounts",
    }
}

/// Print the ledger.
pub fn subsidy(
    case: &Case,
    from: Option<i32>,
    to: Option<i32>,
    opts: &LedgerOptions,
    output: Output,
) -> Result<()> {
    let (inputs, ledger) = ledger_of(case, from, to, opts)?;
    if ledger.rows.is_empty() {
        return Err(user(format!(
            "no years to show between {} and {}\n  help: the case has economic data for {:?}",
            from.unwrap_or(0),
            to.unwrap_or(0),
            leverage_econ::inputs::data_years(case)
        )));
    }
    match output {
        Output::Json => {
            let v = json!({
                "case": case.case.id,
                "unit": "USD bn",
                "rows": ledger.rows,
                "trend_usd_bn": ledger.trend_usd_bn,
                "trend_pct_gdp": ledger.trend_pct_gdp,
                "sources": inputs.sources,
            });
            println!("{}", pretty_json(&v)?);
        }
        Output::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let e = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
            w.write_record([
                "year",
                "component",
                "usd_bn",
                "gdp_usd_bn",
                "pct_gdp",
                "missing",
                "inputs",
            ])
            .map_err(e)?;
            let comps = present(&ledger);
            for r in &ledger.rows {
                for &c in &comps {
                    let cell = r.cell(c);
                    let used: Vec<String> = cell
                        .used
                        .iter()
                        .flatten()
                        .map(|u| {
                            format!(
                                "{}={} [{}]",
                                input_name(u.input),
                                fmt_num(u.value),
                                inputs.sources[u.src as usize]
                            )
                        })
                        .collect();
                    w.write_record([
                        r.year.to_string(),
                        c.label().to_string(),
                        cell.usd_bn.map_or(String::new(), |v| format!("{v:.6}")),
                        r.gdp_usd_bn.map_or(String::new(), |v| format!("{v:.3}")),
                        match (cell.usd_bn, r.gdp_usd_bn) {
                            (Some(v), Some(g)) => format!("{:.4}", 100.0 * v / g),
                            _ => String::new(),
                        },
                        cell.missing
                            .map_or(String::new(), |m| input_name(m).to_string()),
                        used.join("; "),
                    ])
                    .map_err(e)?;
                }
            }
            w.flush().map_err(|e| Failure::Internal(e.to_string()))?;
        }
        Output::Table => {
            let comps = present(&ledger);
            let mut head = vec!["year"];
            head.extend(comps.iter().map(|c| c.heading()));
            head.extend(["total", "GDP", "% GDP", "gaps"]);
            let mut t = table(&head);
            for r in &ledger.rows {
                let mut row = vec![Cell::new(r.year)];
                for &c in &comps {
                    row.push(Cell::new(bn(r.cell(c).usd_bn)).set_alignment(CellAlignment::Right));
                }
                row.push(Cell::new(bn(r.total_usd_bn)).set_alignment(CellAlignment::Right));
                row.push(
                    Cell::new(r.gdp_usd_bn.map_or("—".into(), |g| format!("{g:.1}")))
                        .set_alignment(CellAlignment::Right),
                );
                row.push(
                    Cell::new(r.total_pct_gdp.map_or("—".into(), |p| format!("{p:.2}")))
                        .set_alignment(CellAlignment::Right),
                );
                let gaps: Vec<String> = Component::ALL
                    .iter()
                    .filter_map(|c| {
                        r.cell(*c)
                            .missing
                            .map(|m| format!("{} ({})", c.heading(), input_name(m)))
                    })
                    .collect();
                row.push(Cell::new(gaps.join(", ")));
                t.add_row(row);
            }
            println!(
                "Integration subsidy, {} (USD bn). — marks a figure the sources cannot give; the gaps column names the missing input.\nThe total needs every main pillar the case has data for (gas, crude); it sums the components present.\n{t}",
                case.case.id
            );
            if let Some(tr) = ledger.trend_pct_gdp {
                println!(
                    "Linear trend of the total: {:+.2} percentage points of GDP a year, over the {} years with a total.",
                    tr.slope, tr.n
                );
            }
            println!("Every figure's inputs and sources: --output csv or --output json.");
        }
    }
    Ok(())
}

/// Build and print a maneuver path.
pub fn maneuver(case: &Case, opts: &ManeuverOptions, output: Output) -> Result<()> {
    let setup = leverage_econ::maneuver_inputs(case, opts).map_err(|e| {
        use leverage_econ::inputs::ManeuverSetupError as E;
        let hint = match e {
            E::NoSchedule | E::NoCoefficient | E::NoDutyLaw(_) => {
                "\n  help: `maneuver` models a patron's phased cut of its export duty on the client's crude; \
                 it needs the [econ] keys duty_multiplier, \
                 duty_coefficient, duty_threshold, duty_base, barrels_per_tonne, oil_price and \
                 crude_plan (docs/case-format.md). A pair without such a maneuver has no use for it."
            }
            _ => "",
        };
        user(format!("{e} (case {}){hint}", case.case.id))
    })?;
    let path = leverage_econ::simulate(&setup.inputs).map_err(|e| user(e.to_string()))?;
    print_maneuver(case, &path, &setup.price_origin, output)
}

fn print_maneuver(case: &Case, p: &ManeuverPath, origin: &[String], output: Output) -> Result<()> {
    match output {
        Output::Json => {
            let v = json!({
                "case": case.case.id,
                "unit": "USD bn",
                "years": p.years,
                "price_origin": origin,
                "cumulative_usd_bn": p.cumulative_usd_bn,
                "cumulative_refineries_usd_bn": p.cumulative_refineries_usd_bn,
                "cumulative_budget_usd_bn": p.cumulative_budget_usd_bn,
            });
            println!("{}", pretty_json(&v)?);
        }
        Output::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let e = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
            w.write_record([
                "year",
                "oil_usd_bbl",
                "price_origin",
                "full_duty_usd_t",
                "multiplier",
                "duty_usd_t",
                "dearer_usd_t",
                "volume_mt",
                "loss_usd_bn",
                "refineries_usd_bn",
                "budget_usd_bn",
                "loss_pct_gdp",
            ])
            .map_err(e)?;
            for (y, o) in p.years.iter().zip(origin) {
                w.write_record([
                    y.year.to_string(),
                    fmt_num(y.oil_usd_bbl),
                    o.clone(),
                    fmt_num(y.full_duty_usd_t),
                    fmt_num(y.multiplier),
                    fmt_num(y.duty_usd_t),
                    fmt_num(y.dearer_usd_t),
                    fmt_num(y.volume_mt),
                    format!("{:.6}", y.loss_usd_bn),
                    format!("{:.6}", y.refineries_usd_bn),
                    format!("{:.6}", y.budget_usd_bn),
                    y.loss_pct_gdp.map_or(String::new(), |v| format!("{v:.4}")),
                ])
                .map_err(e)?;
            }
            w.flush().map_err(|e| Failure::Internal(e.to_string()))?;
        }
        Output::Table => {
            let mut t = table(&[
                "year",
                "oil $/bbl",
                "full duty $/t",
                "multiplier",
                "duty $/t",
                "dearer $/t",
                "Mt",
                "loss",
                "refineries",
                "budget",
                "% GDP",
            ]);
            for (y, o) in p.years.iter().zip(origin) {
                let price = if o == "option" || o == "path" {
                    fmt_num(y.oil_usd_bbl)
                } else {
                    format!("{} ({o})", fmt_num(y.oil_usd_bbl))
                };
                t.add_row(vec![
                    Cell::new(y.year),
                    Cell::new(price),
                    Cell::new(fmt_num(y.full_duty_usd_t)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_num(y.multiplier)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_num(y.duty_usd_t)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_num(y.dearer_usd_t)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_num(y.volume_mt)).set_alignment(CellAlignment::Right),
                    Cell::new(format!("{:.3}", y.loss_usd_bn)).set_alignment(CellAlignment::Right),
                    Cell::new(format!("{:.3}", y.refineries_usd_bn))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(format!("{:.3}", y.budget_usd_bn))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(y.loss_pct_gdp.map_or("—".into(), |v| format!("{v:.2}")))
                        .set_alignment(CellAlignment::Right),
                ]);
            }
            println!(
                "Tax maneuver: {}'s loss against the regime before it, {} (USD bn)\n{t}",
                case.client_name(),
                case.case.id
            );
            println!(
                "Cumulative loss {}–{}: USD {:.2} bn (refineries {:.2}, budget {:.2}).",
                p.years.first().map_or(0, |y| y.year),
                p.years.last().map_or(0, |y| y.year),
                p.cumulative_usd_bn,
                p.cumulative_refineries_usd_bn,
                p.cumulative_budget_usd_bn
            );
        }
    }
    Ok(())
}

/// Read an oil-price path: CSV with `year` and `value` (or `usd_bbl`) columns.
pub fn read_oil_path(path: &std::path::Path) -> Result<Vec<(i32, f64)>> {
    let name = path.display().to_string();
    let text = crate::io::read_input_text(path).map_err(|e| {
        user(format!(
            "cannot read the oil path {name}: {e}\n  help: a CSV file with a header `year,value`"
        ))
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| user(format!("{name}:1: {e}")))?
        .clone();
    let col = |n: &[&str]| {
        headers
            .iter()
            .position(|h| n.contains(&h.to_lowercase().as_str()))
    };
    let (Some(yc), Some(vc)) = (col(&["year"]), col(&["value", "usd_bbl", "price"])) else {
        return Err(user(format!(
            "{name}:1: the header needs `year` and `value` columns\n  help: e.g.\n    year,value\n    2020,65"
        )));
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| user(format!("{name}: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        let y = rec.get(yc).unwrap_or("").parse::<i32>().map_err(|_| {
            user(format!(
                "{name}:{line}: {:?} is not a year",
                rec.get(yc).unwrap_or("")
            ))
        })?;
        let v = rec
            .get(vc)
            .unwrap_or("")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                user(format!(
                    "{name}:{line}: {:?} is not a price ≥ 0 in USD per barrel",
                    rec.get(vc).unwrap_or("")
                ))
            })?;
        out.push((y, v));
    }
    if out.is_empty() {
        return Err(user(format!(
            "{name}: no rows\n  help: one row per year: year,value"
        )));
    }
    Ok(out)
}

/// Print published figures against ours.
pub fn figures(case: &Case, output: Output) -> Result<()> {
    let (_, ledger) = ledger_of(case, None, None, &LedgerOptions::default())?;
    let cs = leverage_econ::compare::compare_all(case, &ledger);
    match output {
        Output::Json => {
            let v: Vec<_> = cs
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id, "what": c.what, "period": c.period, "unit": c.unit, "model": c.model,
                        "published_min": c.published.0, "published_max": c.published.1,
                        "ours": c.ours, "gap_pct": c.gap_pct(), "source": c.source, "note": c.note,
                    })
                })
                .collect();
            println!("{}", pretty_json(&v)?);
        }
        Output::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let e = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
            w.write_record([
                "id",
                "period",
                "unit",
                "published_min",
                "published_max",
                "ours",
                "gap_pct",
                "model",
                "note",
            ])
            .map_err(e)?;
            for c in &cs {
                w.write_record([
                    c.id.clone(),
                    c.period.clone(),
                    c.unit.clone(),
                    c.published.0.to_string(),
                    c.published.1.to_string(),
                    c.ours.map_or(String::new(), |v| format!("{v:.6}")),
                    c.gap_pct().map_or(String::new(), |g| format!("{g:.2}")),
                    c.model.clone(),
                    c.note.clone(),
                ])
                .map_err(e)?;
            }
            w.flush().map_err(|e| Failure::Internal(e.to_string()))?;
        }
        Output::Table => {
            let mut t = table(&["figure", "period", "published", "ours", "gap", "note"]);
            for c in &cs {
                let published = if c.published.0 == c.published.1 {
                    fmt_num(c.published.0)
                } else {
                    format!("{}–{}", fmt_num(c.published.0), fmt_num(c.published.1))
                };
                let gap = c.gap_pct().map_or(String::new(), |g| {
                    if g == 0.0 {
                        "within".into()
                    } else {
                        format!("{g:+.0} %")
                    }
                });
                t.add_row(vec![
                    name_cell(&format!("{} ({})\n[{}]", c.id, c.unit, c.model)),
                    Cell::new(&c.period),
                    Cell::new(published).set_alignment(CellAlignment::Right),
                    Cell::new(c.ours.map_or("—".into(), |v| format!("{v:.2}")))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(gap).set_alignment(CellAlignment::Right),
                    Cell::new(&c.note),
                ]);
            }
            println!("Published figures against ours, {}\n{t}", case.case.id);
        }
    }
    Ok(())
}
