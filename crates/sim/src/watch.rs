//! Signposts: which observables best tell each scenario from the others, by year.
//!
//! For every draw of a run (recomputed, `crate::signs::replay`) the scenario at the horizon is
//! the target and every observable of every year a candidate sign. A sign is a condition on an
//! observable: that a binary sign happened, or that a quantity reached a threshold (chosen among
//! its 10, 25, 50, 75 and 90 % quantiles over all draws). For scenario *k* and a sign *S* in
//! year *t* the likelihood ratios are
//! `LR⁺ = P(S | k) / P(S | not k)` (what seeing the sign does to the odds of *k*) and
//! `LR⁻ = P(not S | k) / P(not S | not k)` (what its absence does), each share smoothed by half
//! a draw so that a sign never seen under one side gets a large finite ratio, not an infinite
//! one. Signs are ranked by the mutual information between the sign and "the path ends in *k*"
//! (bits): the expected reduction of uncertainty about *k* from watching the sign, which weighs
//! a strong but rare sign against a weak but common one. A sign *becomes informative* in the
//! first year in which one of its ratios reaches 2 (or falls to ½).

use serde::{Deserialize, Serialize};

use crate::ensemble::DrawSampler;
use crate::signs::{Sign, replay, value};
use crate::timeline::{Spec, UNCLASSIFIED};

/// Ratios from this far from 1 (×2 or ×½) count as informative.
pub const INFORMATIVE_LR: f64 = 2.0;

/// Quantiles tried as thresholds of a quantity.
const THRESHOLDS: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// A condition on an observable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// The sign happened.
    Happens,
    /// The quantity is at least this.
    AtLeast(f64),
}

/// One signpost of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signpost {
    /// The observable's id.
    pub observable: String,
    /// Its label.
    pub label: String,
    /// How it is observed.
    pub how: String,
    /// The year it is read in.
    pub year: i32,
    /// The condition.
    pub condition: Condition,
    /// P(condition | the scenario at the horizon).
    pub p_given: f64,
    /// P(condition | another scenario).
    pub p_given_not: f64,
    /// Likelihood ratio when the condition is seen.
    pub lr_seen: f64,
    /// Likelihood ratio when it is not.
    pub lr_not_seen: f64,
    /// Mutual information with the scenario, bits.
    pub bits: f64,
    /// The first year in which this observable's best condition is informative (ratio ≥ 2 or
    /// ≤ ½), if any.
    pub informative_from: Option<i32>,
}

/// The signposts of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSigns {
    /// Scenario id.
    pub scenario: String,
    /// Its probability at the horizon.
    pub p: f64,
    /// The best sign of each observable (in its most informative year), most informative first.
    pub signs: Vec<Signpost>,
    /// `by_year[t]`: the best sign of each observable in year `t`, most informative first.
    pub by_year: Vec<Vec<Signpost>>,
}

/// Signposts of every scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watch {
    /// Draws used.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// Simulated years.
    pub years: Vec<i32>,
    /// One entry per scenario (in the case's order).
    pub scenarios: Vec<ScenarioSigns>,
}

fn entropy2(p: f64) -> f64 {
    let h = |x: f64| if x > 0.0 { -x * x.log2() } else { 0.0 };
    h(p) + h(1.0 - p)
}

/// Likelihood ratios and information of a condition held by `hits` of the draws in `k` (of
/// `nk`) and `hits_not` of the others (of `nn`).
fn score(hits: f64, nk: f64, hits_not: f64, nn: f64) -> (f64, f64, f64, f64, f64) {
    let p1 = (hits + 0.5) / (nk + 1.0);
    let p0 = (hits_not + 0.5) / (nn + 1.0);
    let n = nk + nn;
    // I(S; K) = H(S) − H(S | K), from the raw shares.
    let ps = (hits + hits_not) / n;
    let bits = entropy2(ps)
        - (nk / n) * entropy2(hits / nk.max(1.0))
        - (nn / n) * entropy2(hits_not / nn.max(1.0));
    (p1, p0, p1 / p0, (1.0 - p1) / (1.0 - p0), bits.max(0.0))
}

fn informative(lr_seen: f64, lr_not: f64) -> bool {
    let strong = |r: f64| r >= INFORMATIVE_LR || r <= 1.0 / INFORMATIVE_LR;
    strong(lr_seen) || strong(lr_not)
}

/// Ranks the signs of every scenario over draws `0..draws` of the run with `seed`.
pub fn watch(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    draws: u64,
    signs: &[Sign],
    pool: Option<&rayon::ThreadPool>,
) -> Watch {
    let ny = spec.n_years();
    let ns = signs.len();
    let recs: Vec<(u8, Vec<f64>)> = replay(spec, sampler, seed, 0, draws, pool, |_, v, path| {
        let mut vals = Vec::with_capacity(ns * ny);
        for s in signs {
            for y in 0..ny {
                vals.push(value(s.quantity, y, v, path));
            }
        }
        (path.final_scenario(), vals)
    })
    .into_iter()
    .flatten()
    .collect();
    let n_scen = spec.rules.len();
    let years: Vec<i32> = spec.years.iter().map(|y| y.year).collect();
    let n = recs.len() as f64;
    // Thresholds of each quantity in each year.
    let mut thresholds: Vec<Vec<f64>> = Vec::with_capacity(ns * ny);
    for (j, s) in signs.iter().enumerate() {
        for y in 0..ny {
            if s.is_binary() {
                thresholds.push(Vec::new());
                continue;
            }
            let mut xs: Vec<f64> = recs
                .iter()
                .map(|r| r.1[j * ny + y])
                .filter(|x| x.is_finite())
                .collect();
            xs.sort_by(f64::total_cmp);
            let mut t: Vec<f64> = THRESHOLDS
                .iter()
                .filter_map(|q| {
                    xs.get(((xs.len() as f64 - 1.0) * q).round() as usize)
                        .copied()
                })
                .collect();
            t.dedup();
            thresholds.push(t);
        }
    }
    let scenarios = (0..n_scen)
        .map(|k| {
            let in_k = |r: &(u8, Vec<f64>)| r.0 != UNCLASSIFIED && r.0 as usize == k;
            let nk = recs.iter().filter(|r| in_k(r)).count() as f64;
            let nn = n - nk;
            let mut by_year: Vec<Vec<Signpost>> = vec![Vec::new(); ny];
            let mut best: Vec<Signpost> = Vec::new();
            for (j, s) in signs.iter().enumerate() {
                let mut first: Option<i32> = None;
                let mut top: Option<Signpost> = None;
                for y in 0..ny {
                    let conds: Vec<Condition> = if s.is_binary() {
                        vec![Condition::Happens]
                    } else {
                        thresholds[j * ny + y]
                            .iter()
                            .map(|&c| Condition::AtLeast(c))
                            .collect()
                    };
                    let mut year_best: Option<Signpost> = None;
                    for c in conds {
                        let holds = |x: f64| match c {
                            Condition::Happens => x >= 0.5,
                            Condition::AtLeast(t) => x >= t,
                        };
                        let (mut hk, mut hn) = (0.0, 0.0);
                        for r in &recs {
                            if holds(r.1[j * ny + y]) {
                                if in_k(r) {
                                    hk += 1.0;
                                } else {
                                    hn += 1.0;
                                }
                            }
                        }
                        let (p1, p0, lr_seen, lr_not_seen, bits) = score(hk, nk, hn, nn);
                        let sp = Signpost {
                            observable: s.id.clone(),
                            label: s.label.clone(),
                            how: s.how.clone(),
                            year: years[y],
                            condition: c,
                            p_given: p1,
                            p_given_not: p0,
                            lr_seen,
                            lr_not_seen,
                            bits,
                            informative_from: None,
                        };
                        if year_best.as_ref().is_none_or(|b| sp.bits > b.bits) {
                            year_best = Some(sp);
                        }
                    }
                    let Some(yb) = year_best else { continue };
                    if first.is_none() && informative(yb.lr_seen, yb.lr_not_seen) {
                        first = Some(years[y]);
                    }
                    if top.as_ref().is_none_or(|t| yb.bits > t.bits) {
                        top = Some(yb.clone());
                    }
                    by_year[y].push(yb);
                }
                if let Some(mut t) = top {
                    t.informative_from = first;
                    best.push(t);
                }
                for row in by_year.iter_mut() {
                    if let Some(last) = row.last_mut().filter(|l| l.observable == s.id) {
                        last.informative_from = first;
                    }
                }
            }
            let order = |a: &Signpost, b: &Signpost| {
                b.bits
                    .total_cmp(&a.bits)
                    .then_with(|| a.observable.cmp(&b.observable))
            };
            best.sort_by(order);
            for row in by_year.iter_mut() {
                row.sort_by(order);
            }
            ScenarioSigns {
                scenario: spec.rule_ids[k].clone(),
                p: nk / n.max(1.0),
                signs: best,
                by_year,
            }
        })
        .collect();
    Watch {
        draws,
        seed,
        years,
        scenarios,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sign seen in every path of the scenario and in none of the others carries all of its
    /// entropy; one independent of the scenario carries none.
    #[test]
    fn information_of_perfect_and_useless_signs() {
        let (_, _, lr, lr_not, bits) = score(100.0, 100.0, 0.0, 300.0);
        assert!((bits - entropy2(0.25)).abs() < 1e-12);
        assert!(lr > 100.0 && lr_not < 0.01);
        let (p1, p0, lr, _, bits) = score(50.0, 100.0, 150.0, 300.0);
        assert!(bits.abs() < 1e-12);
        assert!((p1 - p0).abs() < 0.01 && (lr - 1.0).abs() < 0.02);
        assert!(!informative(lr, 1.0));
    }
}
