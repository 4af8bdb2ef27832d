//! Economics: the subsidy at stake, projected each year with the economics engine's formula
//! ([`leverage_econ::ledger::formula`]): gas and crude priced below market, the re-clearance
//! transfer, the tax maneuver's duty, market access and loans, less what the patron has cut;
//! and the discounted streams the two leaders weigh.

use super::{Econ, Mechanism, PathState, Year, annual_equivalent};
use crate::inputs::MechanismId;
use crate::timeline::{Spec, implementation};
use rand::RngExt;
use rand_distr::StandardNormal;

/// The subsidy mechanism.
pub struct Economics;

impl Mechanism for Economics {
    fn id(&self) -> MechanismId {
        MechanismId::Economics
    }
    fn writes(&self) -> &'static [&'static str] {
        &["subsidy_gdp"]
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            "oil_price_path",
            "oil_volatility",
            "gas_reference_path",
            "gas_price_paid_path",
            "gdp_growth",
            "client_gdp",
            "market_access_rent",
            "loan_need",
            "loan_rate",
            "market_rate",
            "loan_maturity",
            "loan_grace",
            "gas_netback_duty_rate",
            "gas_netback_transport",
            "subsidy_relief_share",
            "stall_withholding",
            "discount_rate_client",
            "discount_rate_patron",
        ]
    }
    fn passage(&self) -> &'static str {
        "§3-4: the subsidy is energy below market, market access and loans; the tax maneuver \
         takes the crude discount away"
    }

    fn start(&self, p: &mut PathState<'_>) {
        use leverage_econ::ledger::{GasReference, formula};
        let (spec, v) = (p.spec, &p.v);
        let gas_method = if p.method == 1 {
            GasReference::Netback {
                export_duty_rate: v.gas_netback_duty_rate,
                transport_usd_tcm: v.gas_netback_transport,
            }
        } else {
            GasReference::Direct
        };
        let e = Econ {
            gdp: v.client_gdp,
            oil_level: v.oil_price_path.max(0.0),
            oil_sd: v.oil_volatility.max(0.0) * std::f64::consts::FRAC_1_SQRT_2,
            gas_reference_price: formula::gas_reference_price(gas_method, v.gas_reference_path),
            gas_paid: v.gas_price_paid_path,
            growth: v.gdp_growth / 100.0,
            // No market-access pillar in a case that does not declare one (NaN: not linked).
            market_rent: if v.market_access_rent.is_nan() {
                0.0
            } else {
                v.market_access_rent.max(0.0)
            },
            loans_grant: if v.loan_need.is_nan() {
                // No loans in this case's deal.
                0.0
            } else {
                formula::loans(
                    v.loan_need.max(0.0),
                    v.loan_rate / 100.0,
                    v.market_rate / 100.0,
                    v.loan_maturity,
                    // No grace period unless the case links one.
                    if v.loan_grace.is_nan() {
                        0.0
                    } else {
                        v.loan_grace
                    },
                )
                .max(0.0)
            },
        };
        // The base year's subsidy at stake: the ledger's total plus market access (loans are
        // in the ledger); the state starts from it, so the first year follows the base year on
        // the same formula. Without economics links, the case's initial share.
        let base_pct = match spec.econ.fixed_pct {
            Some(pct) => pct + 100.0 * e.market_rent / e.gdp.max(1e-9),
            None => {
                let base_ledger = spec.econ.ledger[p.method as usize]
                    .or(spec.econ.ledger[0])
                    .map_or(0.0, |b| b.total());
                100.0 * (base_ledger + e.market_rent) / spec.econ.gdp_usd_bn.max(1e-9)
            }
        };
        let ix = spec.idx.subsidy_gdp;
        p.s[ix] = base_pct.clamp(spec.bounds[ix].0, spec.bounds[ix].1);
        p.econ = e;
        p.base_pct = base_pct;
    }

    fn step(&self, p: &mut PathState<'_>, yr: &mut Year) {
        let (spec, v, e) = (p.spec, &p.v, &p.econ);
        let (y, ey) = (yr.y, &yr.ey);
        let oil = if spec.enabled.ledger {
            let z: f64 = p.rng.sample(StandardNormal);
            e.oil_level * (e.oil_sd * z - 0.5 * e.oil_sd * e.oil_sd).exp()
        } else {
            f64::NAN
        };
        let gdp = if spec.econ.fixed_pct.is_some() {
            e.gdp
        } else {
            spec.econ.gdp_usd_bn * (1.0 + e.growth).powi(ey.year - spec.econ.year)
        };
        let (disc, maneuver) = discretionary(spec, e, y, oil);
        let relief_share = v.subsidy_relief_share.clamp(0.0, 1.0);
        let relief = relief_share * maneuver;
        // The patron withholds a share of the sweeteners while the client stalls.
        let stalled_last = y > 0 && p.out.implementation[y - 1] == implementation::STALL;
        let withheld = if stalled_last {
            1.0 - v.stall_withholding.clamp(0.0, 1.0)
        } else {
            1.0
        };
        let sweeteners = if p.deal {
            (relief + e.loans_grant) * withheld
        } else {
            0.0
        };
        let levers = p.levers;
        let subsidy = levers.keep * disc + levers.open * e.market_rent + sweeteners;
        let subsidy_pct = if gdp > 0.0 {
            100.0 * subsidy / gdp
        } else {
            0.0
        };
        p.s[spec.idx.subsidy_gdp] = subsidy_pct;
        p.out.subsidy_usd_bn[y] = subsidy;
        p.out.oil_price[y] = oil;
        yr.gdp = gdp;
        yr.subsidy_pct = subsidy_pct;

        // The streams as the leaders see them this year, oil held at this year's price. What
        // is at stake in a confrontation is what coercion actually takes (the share of the
        // discretionary subsidy the patron cuts and of the market it closes: the deal's
        // transitions), not the whole subsidy, much of which the tax maneuver removes anyway.
        let remaining = yr.remaining;
        let proj = &mut p.scratch.projection;
        proj.clear();
        for k in 0..remaining {
            proj.push(discretionary(spec, e, y + k, oil));
        }
        let proj = &p.scratch.projection;
        let threat = |k: usize| levers.taken(proj[k].0, e.market_rent);
        yr.at_stake_eq = annual_equivalent(v.discount_rate_client, remaining, threat);
        yr.sweet_eq = annual_equivalent(v.discount_rate_client, remaining, |k| {
            relief_share * proj[k].1 + e.loans_grant
        });
        yr.recapture_ratio = if yr.at_stake_eq > 0.0 {
            annual_equivalent(v.discount_rate_patron, remaining, threat) / yr.at_stake_eq
        } else {
            1.0
        };
    }
}

/// The discretionary subsidy in year `y` at oil price `oil` (USD bn), and what the tax maneuver
/// takes from the client in the year: gas and crude the patron prices below market, the
/// re-clearance transfer, and the other discounts and transfers at their base-year level.
fn discretionary(spec: &Spec, e: &Econ, y: usize, oil: f64) -> (f64, f64) {
    use leverage_econ::ledger::formula;
    if let Some(pct) = spec.econ.fixed_pct {
        return (pct / 100.0 * e.gdp, 0.0);
    }
    let ey = &spec.years[y.min(spec.years.len() - 1)];
    let gas = formula::gas(e.gas_reference_price, e.gas_paid, spec.econ.gas_volume_bcm).max(0.0);
    // The crude pillar, on the case's duty law (none without a crude pillar).
    let (crude, recl, maneuver) = match &spec.econ.duty_law {
        Some(law) => {
            let p_t = law.usd_per_tonne(oil);
            let now = law.duty(p_t, ey.k, ey.multiplier);
            let full = law.duty(p_t, ey.k, 1.0);
            (
                formula::duty_free(ey.refinery_mt, now),
                formula::duty_free(ey.reclearance_mt, now),
                // What the maneuver takes from the client in the year: the duty it no longer
                // saves.
                formula::duty_free(ey.refinery_mt + ey.reclearance_mt, full - now),
            )
        }
        None => (0.0, 0.0, 0.0),
    };
    let other = spec.econ.ledger[0].map_or(0.0, |b| b.other);
    (gas + crude + recl + other, maneuver)
}
