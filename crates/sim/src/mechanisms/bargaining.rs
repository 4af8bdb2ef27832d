//! Bargaining: each path's coded positions (moved by a coding error once per path), the year's
//! salience (the client's follows the subsidy at stake, the patron's its resolve), and every
//! issue's forecast by the bargaining engine's models under the draw's actor weighting and
//! model of the terms.

use super::{Mechanism, PathState, Year};
use crate::inputs::MechanismId;
use crate::timeline::{Group, IssueSpec, Side, Spec};
use leverage_bargain::Player;
use rand::RngExt;
use rand_distr::StandardNormal;

/// The bargaining mechanism.
pub struct Bargaining;

impl Mechanism for Bargaining {
    fn id(&self) -> MechanismId {
        MechanismId::Bargaining
    }
    fn writes(&self) -> &'static [&'static str] {
        // The forecasts are outputs of the path; the tracks turn them into state.
        &[]
    }
    fn reads(&self) -> &'static [&'static str] {
        &["position_noise", "resolve_patron", "resolve_peak_year"]
    }
    fn passage(&self) -> &'static str {
        "§8: the patron links relief to integration and its domestic needs raise its resolve; \
         the client's stakes follow the subsidy"
    }

    fn start(&self, p: &mut PathState<'_>) {
        // Positions of this path: the case's, each moved by a normal coding error.
        let noise = p.v.position_noise.max(0.0);
        let positions = &mut p.scratch.positions;
        positions.resize_with(p.spec.issues.len(), Vec::new);
        for (iss, pos) in p.spec.issues.iter().zip(positions.iter_mut()) {
            pos.clear();
            for &x in &iss.position {
                let e: f64 = if noise > 0.0 {
                    p.rng.sample::<f64, _>(StandardNormal) * noise
                } else {
                    0.0
                };
                pos.push((x + e).clamp(0.0, 100.0));
            }
        }
    }

    fn step(&self, p: &mut PathState<'_>, yr: &mut Year) {
        let (spec, v, s) = (p.spec, &p.v, &p.s);
        let ix = spec.idx;
        let base_year = spec.first_year - 1;
        let ramp = ((yr.ey.year - base_year) as f64
            / (v.resolve_peak_year - base_year as f64).max(1.0))
        .clamp(0.0, 1.0);
        let resolve = 1.0 + (v.resolve_patron - 1.0) * ramp;
        let energy_factor = if p.base_pct > 0.0 {
            (yr.subsidy_pct / p.base_pct).clamp(0.25, 2.0)
        } else {
            1.0
        };
        let n_issues = spec.issues.len();
        let scratch = &mut *p.scratch;
        let mut military_forecast = 0.0;
        let mut military_n = 0;
        for (k, iss) in spec.issues.iter().enumerate() {
            scratch.weights.clear();
            for (j, &a) in iss.actors.iter().enumerate() {
                let f = match (iss.group, spec.sides[a]) {
                    (Group::Integration, Side::Patron) => resolve,
                    (Group::Energy, Side::Client) => energy_factor,
                    _ => 1.0,
                };
                scratch
                    .weights
                    .push(iss.capability[j] * iss.salience[j] * f);
            }
            let disagreement = if k == spec.terms_issue {
                s[ix.econ_signed]
            } else if iss.group == Group::Military {
                s[ix.military_integration]
            } else {
                iss.status_quo.unwrap_or(50.0)
            };
            let f = forecast_issue(
                spec,
                iss,
                &scratch.positions[k],
                &scratch.weights,
                p.weighting,
                p.model,
                disagreement,
                &mut scratch.agg_pos,
                &mut scratch.agg_w,
            );
            let f = if f.is_finite() {
                f.clamp(0.0, 100.0)
            } else {
                f64::NAN
            };
            p.out.forecast[yr.y * n_issues + k] = f;
            if iss.group == Group::Military && f.is_finite() {
                military_forecast += f;
                military_n += 1;
            }
        }
        yr.resolve = resolve;
        yr.military_forecast = if military_n > 0 {
            military_forecast / military_n as f64
        } else {
            f64::NAN
        };
    }
}

/// The forecast of issue `iss` under the draw's weighting and model.
#[allow(clippy::too_many_arguments)]
fn forecast_issue(
    spec: &Spec,
    iss: &IssueSpec,
    positions: &[f64],
    weights: &[f64],
    weighting: u8,
    model: u8,
    disagreement: f64,
    agg_pos: &mut Vec<f64>,
    agg_w: &mut Vec<f64>,
) -> f64 {
    agg_pos.clear();
    agg_w.clear();
    match weighting {
        // No outsiders: only the two sides' actors count.
        1 => {
            for (j, &a) in iss.actors.iter().enumerate() {
                if spec.sides[a] != Side::Other {
                    agg_pos.push(positions[j]);
                    agg_w.push(weights[j]);
                }
            }
            if agg_w.iter().sum::<f64>() <= 0.0 {
                agg_pos.clear();
                agg_w.clear();
                agg_pos.extend_from_slice(positions);
                agg_w.extend_from_slice(weights);
            }
        }
        // Each state once: a side's actors become one, at their weighted mean position with the
        // weight of the side's strongest voice; outsiders count as they are.
        2 => {
            for side in [Side::Patron, Side::Client] {
                let (mut sw, mut swx, mut top) = (0.0, 0.0, 0.0f64);
                for (j, &a) in iss.actors.iter().enumerate() {
                    if spec.sides[a] == side {
                        sw += weights[j];
                        swx += weights[j] * positions[j];
                        top = top.max(weights[j]);
                    }
                }
                if sw > 0.0 {
                    agg_pos.push(swx / sw);
                    agg_w.push(top);
                }
            }
            for (j, &a) in iss.actors.iter().enumerate() {
                if spec.sides[a] == Side::Other {
                    agg_pos.push(positions[j]);
                    agg_w.push(weights[j]);
                }
            }
        }
        _ => {
            agg_pos.extend_from_slice(positions);
            agg_w.extend_from_slice(weights);
        }
    }
    match model {
        1 => leverage_bargain::weighted_median(agg_pos, agg_w),
        2 => {
            // Nash bargaining between the two sides (each at its weighted mean position), the
            // status quo as the disagreement point: the terms both would accept.
            let mut players = [Player {
                capability: 0.0,
                position: 0.0,
                salience: 1.0,
            }; 2];
            for (pl, side) in players.iter_mut().zip([Side::Patron, Side::Client]) {
                let (mut sw, mut swx) = (0.0, 0.0);
                for (j, &a) in iss.actors.iter().enumerate() {
                    if spec.sides[a] == side {
                        sw += weights[j];
                        swx += weights[j] * positions[j];
                    }
                }
                if sw > 0.0 {
                    pl.capability = sw;
                    pl.position = swx / sw;
                }
            }
            if players.iter().all(|pl| pl.capability > 0.0) {
                leverage_bargain::nbs::solve(&players, disagreement)
            } else {
                leverage_bargain::weighted_mean(agg_pos, agg_w)
            }
        }
        _ => leverage_bargain::weighted_mean(agg_pos, agg_w),
    }
}
