//! Published figures against the model's own: each `[[figure]]` of a case that names a model
//! quantity (`model = "subsidy.gas"`, `model = "maneuver.loss oil_price=70"`) is evaluated over
//! its period and set beside the published value.
//!
//! Money is summed over a multi-year period, or averaged when the figure's unit says "per
//! year"; shares of GDP are averaged. A period with a year the model cannot compute gives no
//! number, and says which years are missing: a partial sum is never passed off as a total.

use serde::{Deserialize, Serialize};

use leverage_case::{Case, Figure};

use crate::inputs::{ManeuverOptions, maneuver_inputs};
use crate::ledger::{Component, Ledger};
use crate::maneuver::simulate;

/// A published figure and the model's value for the same quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The figure's id.
    pub id: String,
    /// What it measures.
    pub what: String,
    /// Its period.
    pub period: String,
    /// Its unit.
    pub unit: String,
    /// The model quantity.
    pub model: String,
    /// The published value, or the range's ends.
    pub published: (f64, f64),
    /// Who published it.
    pub source: String,
    /// The model's value, when it can be computed.
    pub ours: Option<f64>,
    /// Why there is no value, or how it was computed.
    pub note: String,
}

impl Comparison {
    /// Ours relative to the published value (or to the nearer end of a range), in %; 0 inside a range.
    pub fn gap_pct(&self) -> Option<f64> {
        let o = self.ours?;
        let (lo, hi) = self.published;
        let target = if o < lo {
            lo
        } else if o > hi {
            hi
        } else {
            return Some(0.0);
        };
        (target != 0.0).then(|| 100.0 * (o - target) / target.abs())
    }
}

/// The years of a period string: `"2017"`, `"2005-2015"`, `"2019–2024"`.
pub fn period_years(p: &str) -> Option<(i32, i32)> {
    let p = p.trim();
    let (a, b) = p.split_once(['-', '–']).unwrap_or((p, p));
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}

fn ledger_value(
    ledger: &Ledger,
    name: &str,
    years: (i32, i32),
    per_year: bool,
) -> Result<(f64, String), String> {
    let mut values = Vec::new();
    // (year, what is missing for it)
    let mut missing: Vec<(i32, String)> = Vec::new();
    let mut left_out = std::collections::BTreeSet::new();
    for y in years.0..=years.1 {
        let row = ledger.rows.iter().find(|r| r.year == y);
        let v = row.and_then(|r| {
            // Like the total: needs gas and crude, sums the energy components present.
            let energy = || -> Option<f64> {
                r.total_usd_bn?;
                Some(
                    [
                        Component::Gas,
                        Component::Crude,
                        Component::Products,
                        Component::Reclearance,
                    ]
                    .iter()
                    .filter_map(|c| r.cell(*c).usd_bn)
                    .sum(),
                )
            };
            if name.starts_with("subsidy.total") || name.starts_with("subsidy.energy") {
                for c in &r.partial {
                    if *c != Component::Loans || name.starts_with("subsidy.total") {
                        left_out.insert(c.label());
                    }
                }
            }
            match name {
                "subsidy.total" => r.total_usd_bn,
                "subsidy.energy" => energy(),
                "subsidy.gas" => r.cell(Component::Gas).usd_bn,
                "subsidy.crude" => r.cell(Component::Crude).usd_bn,
                "subsidy.products" => r.cell(Component::Products).usd_bn,
                "subsidy.reclearance" => r.cell(Component::Reclearance).usd_bn,
                "subsidy.loans" => r.cell(Component::Loans).usd_bn,
                "subsidy.total_pct_gdp" => r.total_pct_gdp,
                "subsidy.energy_pct_gdp" => Some(100.0 * energy()? / r.gdp_usd_bn?),
                _ => None,
            }
        });
        match v {
            Some(v) => values.push(v),
            None => missing.push((y, missing_inputs(row, name))),
        }
    }
    if !missing.is_empty() {
        // Years grouped by what they lack: "not computable: 2005–2012 lack the gas price paid".
        let mut by_reason: Vec<(String, Vec<i32>)> = Vec::new();
        for (y, why) in missing {
            match by_reason.iter_mut().find(|(w, _)| *w == why) {
                Some((_, ys)) => ys.push(y),
                None => by_reason.push((why, vec![y])),
            }
        }
        let parts: Vec<String> = by_reason
            .iter()
            .map(|(why, ys)| {
                let (is, lack) = if ys.len() > 1 {
                    ("are", "lack")
                } else {
                    ("is", "lacks")
                };
                let why = why.replace("{is}", is).replace("{lack}", lack);
                format!("{} {why}", join_years(ys))
            })
            .collect();
        return Err(format!("not computable: {}", parts.join("; ")));
    }
    let sum: f64 = values.iter().sum();
    let note = if left_out.is_empty() {
        String::new()
    } else {
        format!(
            "without {} (not computable)",
            left_out.into_iter().collect::<Vec<_>>().join(", ")
        )
    };
    Ok((
        if per_year || name.ends_with("_pct_gdp") {
            sum / values.len() as f64
        } else {
            sum
        },
        note,
    ))
}

/// What a ledger year lacks for the quantity `name`: the missing input of each component it
/// needs ("{lack} the gas volume (natural gas)"), a component the case has no data for, or
/// GDP; `{lack}` and `{is}` are put in the number of the years that share the reason.
fn missing_inputs(row: Option<&crate::ledger::Row>, name: &str) -> String {
    let Some(r) = row else {
        return "{is} outside the years the case has economic data for".into();
    };
    let base = name.trim_end_matches("_pct_gdp");
    let components: &[Component] = match base {
        "subsidy.total" | "subsidy.energy" => &[Component::Gas, Component::Crude],
        "subsidy.gas" => &[Component::Gas],
        "subsidy.crude" => &[Component::Crude],
        "subsidy.products" => &[Component::Products],
        "subsidy.reclearance" => &[Component::Reclearance],
        "subsidy.loans" => &[Component::Loans],
        _ => return format!("unknown quantity {name:?}"),
    };
    let mut lacks: Vec<String> = Vec::new();
    for c in components {
        let cell = r.cell(*c);
        if let Some(i) = cell.missing {
            lacks.push(format!("the {} ({})", i.label(), c.label()));
        } else if cell.is_absent() {
            lacks.push(format!("any {} data", c.label()));
        }
    }
    if name.ends_with("_pct_gdp") && r.gdp_usd_bn.is_none() {
        lacks.push("GDP".into());
    }
    if lacks.is_empty() {
        "{lack} an input".into()
    } else {
        format!("{{lack}} {}", lacks.join(" and "))
    }
}

fn join_years(ys: &[i32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ys.len() {
        let mut j = i;
        while j + 1 < ys.len() && ys[j + 1] == ys[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            ys[i].to_string()
        } else {
            format!("{}–{}", ys[i], ys[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

fn maneuver_value(
    case: &Case,
    name: &str,
    opts_text: &[&str],
    years: (i32, i32),
) -> Result<(f64, String), String> {
    let mut opts = ManeuverOptions {
        from: Some(years.0),
        to: Some(years.1),
        ..ManeuverOptions::default()
    };
    for o in opts_text {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| format!("bad option {o:?}"))?;
        let v: f64 = v.parse().map_err(|_| format!("bad number in {o:?}"))?;
        match k {
            "oil_price" => opts.oil_price = Some(v),
            "volume" => opts.volume_mt = Some(v),
            "reclearance" => opts.reclearance_mt = Some(v),
            _ => return Err(format!("unknown option {k:?}")),
        }
    }
    let setup = maneuver_inputs(case, &opts).map_err(|e| e.to_string())?;
    let path = simulate(&setup.inputs).map_err(|e| e.to_string())?;
    let prices: Vec<String> = setup
        .inputs
        .oil_usd_bbl
        .iter()
        .map(|p| format!("{p:.0}"))
        .collect();
    let mut uniq = prices.clone();
    uniq.dedup();
    let how = format!(
        "oil at USD {}/bbl, {} Mt a year",
        if uniq.len() == 1 {
            uniq[0].clone()
        } else {
            prices.join("/")
        },
        setup
            .inputs
            .refinery_mt
            .first()
            .zip(setup.inputs.reclearance_mt.first())
            .map_or(0.0, |(a, b)| a + b)
    );
    let v = match name {
        "maneuver.loss" => path.cumulative_usd_bn,
        "maneuver.budget" => path.cumulative_budget_usd_bn,
        "maneuver.refineries" => path.cumulative_refineries_usd_bn,
        "maneuver.dearer" => path.years.last().map_or(0.0, |y| y.dearer_usd_t),
        _ => return Err(format!("unknown quantity {name:?}")),
    };
    Ok((v, how))
}

/// Evaluate one figure, if it names a model quantity.
pub fn compare_figure(case: &Case, ledger: &Ledger, f: &Figure) -> Option<Comparison> {
    let model = f.model.as_ref()?;
    let mut words = model.split_whitespace();
    let name = words.next().unwrap_or("");
    let options: Vec<&str> = words.collect();
    let published = match (&f.value, &f.min, &f.max) {
        (Some(v), _, _) => (v.value, v.value),
        (None, Some(a), Some(b)) => (a.value, b.value),
        (None, Some(a), None) => (a.value, a.value),
        (None, None, Some(b)) => (b.value, b.value),
        _ => return None,
    };
    let source = f
        .value
        .as_ref()
        .or(f.min.as_ref())
        .map_or_else(|| f.prov.describe(), |n| n.prov.describe());
    let per_year = f.unit.contains("per year");
    let (ours, note) = match period_years(&f.period) {
        None => (
            None,
            format!("period {:?} is not a year or a range of years", f.period),
        ),
        Some(years) if name.starts_with("subsidy.") => {
            match ledger_value(ledger, name, years, per_year) {
                Ok((v, note)) => (Some(v), note),
                Err(why) => (None, why),
            }
        }
        Some(years) => match maneuver_value(case, name, &options, years) {
            Ok((v, how)) => (
                Some(if per_year {
                    v / f64::from(years.1 - years.0 + 1)
                } else {
                    v
                }),
                how,
            ),
            Err(why) => (None, why),
        },
    };
    Some(Comparison {
        id: f.id.clone(),
        what: f.what.clone(),
        period: f.period.clone(),
        unit: f.unit.clone(),
        model: model.clone(),
        published,
        source,
        ours,
        note,
    })
}

/// Every figure of the case that names a model quantity, evaluated.
pub fn compare_all(case: &Case, ledger: &Ledger) -> Vec<Comparison> {
    case.figures
        .iter()
        .filter_map(|f| compare_figure(case, ledger, f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(period_years("2017"), Some((2017, 2017)));
        assert_eq!(period_years("2005-2015"), Some((2005, 2015)));
        assert_eq!(period_years("2019–2024"), Some((2019, 2024)));
        assert_eq!(period_years("the 2000s"), None);
        assert_eq!(join_years(&[2005, 2006, 2007, 2009]), "2005–2007, 2009");
    }
}
