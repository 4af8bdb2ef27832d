//! Wiring a case to the engine: find the records that feed each input, turn them into the
//! dense yearly arrays the ledger and the maneuver read, and keep every value's source.
//!
//! A record is found through the case's `[econ]` table, or else as the only flow with the
//! expected component and measure (the only series with the expected measure). Parameters enter
//! at their central value (mode, mean or fixed value); ensembles draw them instead.

use std::collections::HashMap;

use leverage_case::{Case, Component as CaseComponent, YearValue};

use crate::dependence::DependenceInputs;
use crate::duty::DutyLaw;
use crate::ledger::{GasReference, LedgerInputs, Yearly};
use crate::maneuver::ManeuverInputs;

/// Why the case cannot feed the engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Two or more records could feed an input and `[econ]` does not say which.
    #[error(
        "several records could be `{key}` ({candidates}); say which in the case's [econ] table: {key} = \"<id>\""
    )]
    Ambiguous {
        /// The input.
        key: &'static str,
        /// The records that fit.
        candidates: String,
    },
    /// A reference price per MMBtu needs a conversion factor.
    #[error(
        "the gas reference `{id}` is quoted per MMBtu; link a [[param]] as [econ] mmbtu_per_tcm to convert it"
    )]
    NeedsConversion {
        /// The reference's id.
        id: String,
    },
    /// An input the case's data needs is not linked.
    #[error("[econ] `{key}` is not linked: {why}")]
    Missing {
        /// The key.
        key: &'static str,
        /// Why it is needed.
        why: &'static str,
    },
    /// A record has a unit the engine cannot use.
    #[error("`{id}` is in {unit:?}; the engine expects {expected}")]
    Unit {
        /// The record.
        id: String,
        /// Its unit.
        unit: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// Choices a user makes for the ledger beyond what the case says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerOptions {
    /// Use this flow or series as the gas reference instead of the case's link.
    pub gas_reference: Option<String>,
    /// Use a netback reference: (export duty rate, transport cost USD per 1000 m³).
    pub netback: Option<(f64, f64)>,
}

/// Source strings, deduplicated; index 0 is "not given".
#[derive(Default)]
struct Sources {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Sources {
    fn new() -> Self {
        Self {
            list: vec![String::new()],
            index: HashMap::new(),
        }
    }
    fn id(&mut self, s: String) -> u32 {
        if let Some(i) = self.index.get(&s) {
            return *i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.clone());
        self.index.insert(s, i);
        i
    }
}

/// A record found for an input: its id, unit and values.
type Picked<'c> = Option<(&'c str, &'c str, &'c [YearValue])>;

fn pick_flow<'c>(
    case: &'c Case,
    key: &'static str,
    component: CaseComponent,
    measure: &str,
) -> Result<Picked<'c>, InputError> {
    if let Some(id) = case.econ_link(key) {
        if let Some(f) = case.flow(id) {
            return Ok(Some((&f.id, &f.unit, &f.values)));
        }
        if let Some(s) = case.series(id) {
            return Ok(Some((&s.id, &s.unit, &s.values)));
        }
        return Ok(None);
    }
    let found: Vec<_> = case
        .flows
        .iter()
        .filter(|f| f.component == component && f.measure == measure)
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [f] => Ok(Some((&f.id, &f.unit, &f.values))),
        many => Err(InputError::Ambiguous {
            key,
            candidates: many
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn pick_series<'c>(
    case: &'c Case,
    key: &'static str,
    measure: &str,
) -> Result<Picked<'c>, InputError> {
    if let Some(id) = case.econ_link(key) {
        return Ok(case
            .series(id)
            .map(|s| (s.id.as_str(), s.unit.as_str(), s.values.as_slice())));
    }
    let client = case.case.client.as_deref();
    let found: Vec<_> = case
        .series
        .iter()
        .filter(|s| {
            s.measure == measure
                && (measure != "gdp" || client.is_none() || s.of.as_deref() == client)
        })
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [s] => Ok(Some((&s.id, &s.unit, &s.values))),
        many => Err(InputError::Ambiguous {
            key,
            candidates: many
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn schedule_values<'c>(case: &'c Case, key: &str) -> Option<&'c [YearValue]> {
    case.econ_link(key)
        .and_then(|id| case.schedule(id))
        .map(|s| s.values.as_slice())
}

/// The duty law's top-bracket constants from the case's `[econ]` links (`duty_threshold`,
/// `duty_base`, `barrels_per_tonne`); `Ok(None)` when the case links none of them (it then
/// computes no duty), an error naming the first missing one when it links some.
pub fn duty_law(case: &Case) -> Result<Option<DutyLaw>, InputError> {
    const WHY: &str = "the export duty is computed from the case's duty-law constants: link all three of duty_threshold, duty_base and barrels_per_tonne";
    let keys = ["duty_threshold", "duty_base", "barrels_per_tonne"];
    let vals: Vec<Option<f64>> = keys.iter().map(|k| param_central(case, k)).collect();
    if vals.iter().all(Option::is_none) {
        return Ok(None);
    }
    let get = |i: usize| {
        vals[i].ok_or(InputError::Missing {
            key: keys[i],
            why: WHY,
        })
    };
    Ok(Some(DutyLaw {
        threshold_usd_t: get(0)?,
        base_usd_t: get(1)?,
        barrels_per_tonne: get(2)?,
    }))
}

fn param_central(case: &Case, key: &str) -> Option<f64> {
    case.econ_link(key)
        .and_then(|id| case.param(id))
        .map(|p| p.dist.central())
}

fn fill(start: i32, n: usize, values: &[YearValue], scale: f64, src: &mut Sources) -> Yearly {
    let mut y = Yearly::gaps(n);
    for v in values {
        let i = v.year - start;
        if i >= 0 && (i as usize) < n {
            y.values[i as usize] = Some(v.value.value * scale);
            y.src[i as usize] = src.id(v.value.prov.describe());
        }
    }
    y
}

/// Scale to USD bn from a unit string (`USD bn`, `USD mn`, `USD`).
fn usd_bn_scale(id: &str, unit: &str) -> Result<f64, InputError> {
    let u = unit.to_lowercase();
    if u.contains("bn") || u.contains("billion") {
        Ok(1.0)
    } else if u.contains("mn") || u.contains("million") {
        Ok(1e-3)
    } else if u.trim() == "usd" {
        Ok(1e-9)
    } else {
        Err(InputError::Unit {
            id: id.into(),
            unit: unit.into(),
            expected: "USD bn, USD mn or USD",
        })
    }
}

/// How many of the price's units one of the volume's units is: a price "USD per MWh" and a
/// volume "TWh" give 1e6. Both units may carry a prefix (k, M, G, T; thousand, million,
/// billion, bn) on the same base unit.
fn volume_factor(price_unit: &str, volume_unit: &str) -> Option<f64> {
    let p = price_unit.trim();
    let per = p
        .strip_prefix("USD per ")
        .or_else(|| p.strip_prefix("USD/"))
        .or_else(|| p.strip_prefix("usd per "))?
        .trim();
    // Every reading of a unit as (prefix factor, base unit).
    let readings = |u: &str| -> Vec<(f64, String)> {
        let u = u.trim();
        let mut out = vec![(1.0, u.to_string())];
        for (prefix, f) in [
            ("thousand ", 1e3),
            ("million ", 1e6),
            ("billion ", 1e9),
            ("bn ", 1e9),
            ("k", 1e3),
            ("M", 1e6),
            ("G", 1e9),
            ("T", 1e12),
        ] {
            if let Some(rest) = u.strip_prefix(prefix).filter(|r| !r.trim().is_empty()) {
                out.push((f, rest.trim().to_string()));
            }
        }
        out
    };
    let (pr, vr) = (readings(per), readings(volume_unit));
    pr.iter()
        .find_map(|(fp, bp)| vr.iter().find(|(_, bv)| bv == bp).map(|(fv, _)| fv / fp))
}

/// The price discounts on the commodities besides gas and crude (electricity, food, any other
/// commodity), USD bn a year: for each component with flows of all three measures,
/// (reference-price − price-paid) × volume; a year is a gap when a commodity that has data
/// lacks one of the three. Gaps everywhere when the case has none.
fn discounts(case: &Case, start: i32, n: usize, src: &mut Sources) -> Result<Yearly, InputError> {
    let mut out = Yearly::gaps(n);
    let mut any = false;
    for comp in CaseComponent::DISCOUNTS {
        let one = |measure: &str| -> Result<Option<&leverage_case::Flow>, InputError> {
            let found: Vec<_> = case
                .flows
                .iter()
                .filter(|f| f.component == comp && f.measure == measure)
                .collect();
            match found.as_slice() {
                [] => Ok(None),
                [f] => Ok(Some(*f)),
                many => Err(InputError::Ambiguous {
                    key: "a commodity discount (one flow per measure and component)",
                    candidates: many
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }),
            }
        };
        let (Some(paid), Some(reference), Some(volume)) =
            (one("price-paid")?, one("reference-price")?, one("volume")?)
        else {
            continue;
        };
        let unit = |f: &leverage_case::Flow| f.unit.clone();
        if unit(paid) != unit(reference) {
            return Err(InputError::Unit {
                id: reference.id.clone(),
                unit: reference.unit.clone(),
                expected: "the unit of the price paid",
            });
        }
        let factor = volume_factor(&paid.unit, &volume.unit).ok_or_else(|| InputError::Unit {
            id: volume.id.clone(),
            unit: volume.unit.clone(),
            expected: "the unit the price is quoted per, optionally with a prefix (k, M, G, T)",
        })?;
        let (p, r, v) = (
            fill(start, n, &paid.values, 1.0, src),
            fill(start, n, &reference.values, 1.0, src),
            fill(start, n, &volume.values, factor * 1e-9, src),
        );
        for i in 0..n {
            let this = match (p.get(i), r.get(i), v.get(i)) {
                (Some(p), Some(r), Some(v)) => Some(((r.0 - p.0) * v.0, p.1)),
                _ => None,
            };
            match (this, any) {
                (Some((x, s)), false) => {
                    out.values[i] = Some(x);
                    out.src[i] = s;
                }
                (Some((x, _)), true) => out.values[i] = out.values[i].map(|y| y + x),
                (None, _) => out.values[i] = None,
            }
        }
        any = true;
    }
    Ok(out)
}

/// Transfers the patron pays the client in money (grants and budget support, military aid,
/// basing rents, market-access rents given as amounts), USD bn a year: the sum of the
/// `amount` flows of those components; a year without every one of them is a gap.
fn transfers(case: &Case, start: i32, n: usize, src: &mut Sources) -> Result<Yearly, InputError> {
    let flows: Vec<_> = case
        .flows
        .iter()
        .filter(|f| CaseComponent::TRANSFERS.contains(&f.component) && f.measure == "amount")
        .collect();
    let mut out = Yearly::gaps(n);
    for (k, f) in flows.iter().enumerate() {
        let y = fill(start, n, &f.values, usd_bn_scale(&f.id, &f.unit)?, src);
        for i in 0..n {
            out.values[i] = match (k, out.values[i], y.get(i)) {
                (0, _, Some((x, s))) => {
                    out.src[i] = s;
                    Some(x)
                }
                (_, Some(a), Some((x, _))) => Some(a + x),
                _ => None,
            };
        }
    }
    Ok(out)
}

/// The years the case has economic data for: from the first flow or series year to `as_of`.
pub fn data_years(case: &Case) -> (i32, i32) {
    let first = case
        .flows
        .iter()
        .flat_map(|f| f.values.iter().map(|v| v.year))
        .chain(
            case.series
                .iter()
                .flat_map(|s| s.values.iter().map(|v| v.year)),
        )
        .min()
        .unwrap_or(case.case.as_of.year);
    (first, case.case.as_of.year.max(first))
}

/// Build the ledger's inputs from a case.
pub fn ledger_inputs(case: &Case, opts: &LedgerOptions) -> Result<LedgerInputs, InputError> {
    let (start, end) = data_years(case);
    let n = (end - start + 1) as usize;
    let mut src = Sources::new();
    let flow = |key, comp, measure, scale: f64, src: &mut Sources| -> Result<Yearly, InputError> {
        Ok(match pick_flow(case, key, comp, measure)? {
            Some((_, _, v)) => fill(start, n, v, scale, src),
            None => Yearly::gaps(n),
        })
    };
    let gas_paid = flow(
        "gas_price_paid",
        CaseComponent::Gas,
        "price-paid",
        1.0,
        &mut src,
    )?;
    let gas_volume_bcm = flow("gas_volume", CaseComponent::Gas, "volume", 1.0, &mut src)?;
    let crude_duty_free_mt = flow(
        "crude_duty_free",
        CaseComponent::Crude,
        "duty-free-volume",
        1.0,
        &mut src,
    )?;
    let crude_duty_published = flow("crude_duty", CaseComponent::Crude, "duty", 1.0, &mut src)?;
    let reclearance_mt = flow(
        "reclearance_volume",
        CaseComponent::Reclearance,
        "reclearance-volume",
        1.0,
        &mut src,
    )?;
    let money = |key, comp, measure, src: &mut Sources| -> Result<Yearly, InputError> {
        Ok(match pick_flow(case, key, comp, measure)? {
            Some((id, unit, v)) => fill(start, n, v, usd_bn_scale(id, unit)?, src),
            None => Yearly::gaps(n),
        })
    };
    let products_kept_bn = money(
        "product_duties_kept",
        CaseComponent::Products,
        "duties-kept",
        &mut src,
    )?;
    let products_transferred_bn = money(
        "product_duties_transferred",
        CaseComponent::Products,
        "duties-transferred",
        &mut src,
    )?;
    let loans_bn = money("loan_disbursed", CaseComponent::Loan, "principal", &mut src)?;
    let loan_rate_pct = flow(
        "loan_rate",
        CaseComponent::Loan,
        "interest-rate",
        1.0,
        &mut src,
    )?;
    let market_rate_pct = flow(
        "market_rate",
        CaseComponent::Loan,
        "market-rate",
        1.0,
        &mut src,
    )?;

    // Gas reference: the option, the link, or the only gas reference-price flow.
    let reference = match &opts.gas_reference {
        Some(id) => case
            .flow(id)
            .map(|f| (f.id.as_str(), f.unit.as_str(), f.values.as_slice()))
            .or_else(|| {
                case.series(id)
                    .map(|s| (s.id.as_str(), s.unit.as_str(), s.values.as_slice()))
            }),
        None => pick_flow(case, "gas_reference", CaseComponent::Gas, "reference-price")?,
    };
    let gas_reference = match reference {
        None => Yearly::gaps(n),
        Some((id, unit, values)) => {
            let scale = if unit.to_lowercase().contains("mmbtu") {
                param_central(case, "mmbtu_per_tcm")
                    .ok_or_else(|| InputError::NeedsConversion { id: id.into() })?
            } else {
                1.0
            };
            fill(start, n, values, scale, &mut src)
        }
    };
    let gdp_usd = match pick_series(case, "gdp", "gdp")? {
        Some((id, unit, v)) => fill(start, n, v, usd_bn_scale(id, unit)? * 1e9, &mut src),
        None => Yearly::gaps(n),
    };
    let oil_usd_bbl = match pick_series(case, "oil_price", "oil-price")? {
        Some((_, _, v)) => fill(start, n, v, 1.0, &mut src),
        None => Yearly::gaps(n),
    };
    // The loans' grant element needs their maturity: a case with loans links it (no default
    // taken from any case).
    let loan_maturity_years = match param_central(case, "loan_maturity") {
        Some(m) => m,
        None if loans_bn.values.iter().any(|v| v.is_some_and(|x| x != 0.0)) => {
            return Err(InputError::Missing {
                key: "loan_maturity",
                why: "the case has concessional loans, whose grant element depends on their maturity",
            });
        }
        None => f64::NAN,
    };
    let discounts_bn = discounts(case, start, n, &mut src)?;
    let transfers_bn = transfers(case, start, n, &mut src)?;
    let duty_k = schedule_values(case, "duty_coefficient")
        .map_or_else(|| Yearly::gaps(n), |v| fill(start, n, v, 1.0, &mut src));
    let duty_multiplier = schedule_values(case, "duty_multiplier")
        .map_or_else(|| Yearly::gaps(n), |v| fill(start, n, v, 1.0, &mut src));
    let duty_law = duty_law(case)?;
    Ok(LedgerInputs {
        start,
        years: n,
        duty_law,
        gdp_usd,
        gas_paid,
        gas_reference,
        gas_method: match opts.netback {
            Some((export_duty_rate, transport_usd_tcm)) => GasReference::Netback {
                export_duty_rate,
                transport_usd_tcm,
            },
            None => GasReference::Direct,
        },
        gas_volume_bcm,
        crude_duty_free_mt,
        crude_duty_published,
        oil_usd_bbl,
        duty_k,
        duty_multiplier,
        reclearance_mt,
        products_kept_bn,
        products_transferred_bn,
        loans_bn,
        loan_rate_pct,
        market_rate_pct,
        loan_maturity_years,
        loan_grace_years: param_central(case, "loan_grace").unwrap_or(0.0),
        discounts_bn,
        transfers_bn,
        sources: src.list,
    })
}

/// How to build a maneuver path from a case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManeuverOptions {
    /// First year (default: the first year whose multiplier is below 1).
    pub from: Option<i32>,
    /// Last year (default: the first year whose multiplier reaches 0).
    pub to: Option<i32>,
    /// One price for every year, USD per barrel.
    pub oil_price: Option<f64>,
    /// A price per year (overrides `oil_price` for the years it covers).
    pub oil_path: Vec<(i32, f64)>,
    /// Total crude volume per year, Mt (default: the case's crude plan).
    pub volume_mt: Option<f64>,
    /// Re-cleared volume per year, Mt (default: the case's re-clearance plan, 0 where it ends).
    pub reclearance_mt: Option<f64>,
}

/// What a maneuver built from a case used, beyond the numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ManeuverSetup {
    /// The inputs.
    pub inputs: ManeuverInputs,
    /// Where each year's oil price came from (`option`, `path`, the series id, or the param id).
    pub price_origin: Vec<String>,
}

/// Why a maneuver path cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ManeuverSetupError {
    /// No multiplier schedule.
    #[error("the case links no tax-maneuver multiplier schedule ([econ] duty_multiplier)")]
    NoSchedule,
    /// No schedule of the duty's coefficient K.
    #[error(
        "the case links no schedule of the export duty's coefficient ([econ] duty_coefficient)"
    )]
    NoCoefficient,
    /// No price for a year.
    #[error(
        "no oil price for {0}: link an [econ] oil_price series covering it (the `maneuver` command also takes --oil-price or --oil-path)"
    )]
    NoPrice(i32),
    /// No volume for a year.
    #[error(
        "no crude volume for {0}: link an [econ] crude_plan schedule covering it (the `maneuver` command also takes --volume)"
    )]
    NoVolume(i32),
    /// The range is empty.
    #[error("the years {0}–{1} are an empty range")]
    Empty(i32, i32),
    /// The duty law's constants are not all linked.
    #[error(
        "the case links no duty-law constants: link [econ] duty_threshold, duty_base and barrels_per_tonne to [[param]]s ({0})"
    )]
    NoDutyLaw(String),
}

/// Build maneuver inputs from a case and options.
pub fn maneuver_inputs(
    case: &Case,
    opts: &ManeuverOptions,
) -> Result<ManeuverSetup, ManeuverSetupError> {
    let mult = schedule_values(case, "duty_multiplier").ok_or(ManeuverSetupError::NoSchedule)?;
    let get = |v: Option<&[YearValue]>, y: i32| {
        v.and_then(|v| v.iter().find(|x| x.year == y))
            .map(|x| x.value.value)
    };
    let from = opts
        .from
        .or_else(|| {
            mult.iter()
                .filter(|v| v.value.value < 1.0)
                .map(|v| v.year)
                .min()
        })
        .ok_or(ManeuverSetupError::NoSchedule)?;
    let to = opts
        .to
        .or_else(|| {
            mult.iter()
                .filter(|v| v.value.value <= 0.0)
                .map(|v| v.year)
                .min()
        })
        .unwrap_or(case.case.horizon);
    if to < from {
        return Err(ManeuverSetupError::Empty(from, to));
    }
    let k_sched = schedule_values(case, "duty_coefficient");
    let crude_plan = schedule_values(case, "crude_plan");
    let recl_plan = schedule_values(case, "reclearance_plan");
    let series = pick_series(case, "oil_price", "oil-price").ok().flatten();
    let price_param = case
        .econ_link("oil_price_path")
        .and_then(|id| case.param(id));
    let gdp = pick_series(case, "gdp", "gdp").ok().flatten();
    let gdp_scale = gdp
        .and_then(|(id, unit, _)| usd_bn_scale(id, unit).ok())
        .unwrap_or(1e-9)
        * 1e9;
    let law = match duty_law(case) {
        Ok(Some(l)) => l,
        Ok(None) => return Err(ManeuverSetupError::NoDutyLaw("none is linked".into())),
        Err(e) => return Err(ManeuverSetupError::NoDutyLaw(e.to_string())),
    };
    let mut inp = ManeuverInputs {
        duty_law: law,
        years: Vec::new(),
        oil_usd_bbl: Vec::new(),
        refinery_mt: Vec::new(),
        reclearance_mt: Vec::new(),
        k: Vec::new(),
        multiplier: Vec::new(),
        product_exports_mt: param_central(case, "product_exports").unwrap_or(0.0),
        product_duty_ratio: param_central(case, "product_duty_ratio").unwrap_or(0.0),
        gdp_usd: Vec::new(),
    };
    let mut origin = Vec::new();
    // The duty's coefficient K comes from the case's schedule (the law's own constant is not
    // assumed): after the schedule's last year its last value stays in force.
    let last_k = k_sched
        .and_then(|v| v.iter().max_by_key(|x| x.year))
        .map(|x| x.value.value)
        .ok_or(ManeuverSetupError::NoCoefficient)?;
    for y in from..=to {
        let (price, o) = if let Some((_, p)) = opts.oil_path.iter().find(|(yy, _)| *yy == y) {
            (*p, "path".to_string())
        } else if let Some(p) = opts.oil_price {
            (p, "option".to_string())
        } else if let Some(p) = get(series.map(|s| s.2), y) {
            (p, series.map_or(String::new(), |s| s.0.to_string()))
        } else if let Some(p) = price_param {
            (p.dist.central(), p.id.clone())
        } else {
            return Err(ManeuverSetupError::NoPrice(y));
        };
        let total = opts
            .volume_mt
            .or_else(|| get(crude_plan, y))
            .ok_or(ManeuverSetupError::NoVolume(y))?;
        let recl = opts
            .reclearance_mt
            .or_else(|| get(recl_plan, y))
            .unwrap_or(0.0)
            .min(total);
        inp.years.push(y);
        inp.oil_usd_bbl.push(price);
        inp.refinery_mt.push(total - recl);
        inp.reclearance_mt.push(recl);
        inp.k.push(get(k_sched, y).unwrap_or(last_k));
        // After the schedule ends the last multiplier stays in force (0 once the duty is gone).
        let m = get(Some(mult), y)
            .or_else(|| {
                mult.iter()
                    .filter(|v| v.year < y)
                    .max_by_key(|v| v.year)
                    .map(|v| v.value.value)
            })
            .unwrap_or(1.0);
        inp.multiplier.push(m);
        inp.gdp_usd
            .push(projected_gdp(case, gdp.map(|g| g.2), gdp_scale, y));
        origin.push(o);
    }
    Ok(ManeuverSetup {
        inputs: inp,
        price_origin: origin,
    })
}

/// GDP in a year: observed, or projected from the last observed year at the case's `[econ]
/// gdp_growth` parameter (central value, % per year); `None` without either.
fn projected_gdp(case: &Case, gdp: Option<&[YearValue]>, scale: f64, year: i32) -> Option<f64> {
    let gdp = gdp?;
    if let Some(v) = gdp.iter().find(|v| v.year == year) {
        return Some(v.value.value * scale);
    }
    let last = gdp
        .iter()
        .filter(|v| v.year < year)
        .max_by_key(|v| v.year)?;
    let g = param_central(case, "gdp_growth")? / 100.0;
    Some(last.value.value * scale * (1.0 + g).powi(year - last.year))
}

/// Build the dependence indices' inputs from a case (series linked in `[econ]`).
pub fn dependence_inputs(case: &Case) -> DependenceInputs {
    let (start, end) = data_years(case);
    let n = (end - start + 1) as usize;
    let mut src = Sources::new();
    let mut get = |key: &str| {
        case.econ_link(key)
            .and_then(|id| case.series(id))
            .map_or_else(
                || Yearly::gaps(n),
                |s| fill(start, n, &s.values, 1.0, &mut src),
            )
    };
    DependenceInputs {
        start,
        energy_import_share: get("energy_import_share"),
        export_share: get("export_share"),
        import_share: get("import_share"),
        debt_share: get("debt_share"),
    }
}
