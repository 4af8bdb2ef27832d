//! Updating a run with evidence: importance weights on its paths, the effective sample size,
//! and fresh draws when the weights degenerate.
//!
//! A run's draws are a sample from the model's prior over paths. An observation *e* of a sign
//! (`crate::signs`) has a likelihood `L(e | path)` under each path: a normal density around the
//! path's value for a quantity measured with error, an indicator for a quantity known to lie in a
//! range, `1 − ε` or `ε` for a sign reported with error rate ε (1 or 0 when exact). Observations
//! are independent given the path, so a draw's weight is the product of its likelihoods, and
//! the posterior probability of scenario *k* in year *t* is the self-normalised estimate
//! `Σ wᵢ 1[sᵢₜ = k] / Σ wᵢ`.
//!
//! The accuracy of that estimate is measured by Kish's effective sample size
//! `ESS = (Σ wᵢ)² / Σ wᵢ²`. When evidence the model thought unlikely leaves the ESS below a
//! target, [`update`] adds fresh draws of the same run (indices after the last one, on their own
//! streams, so the run stays reproducible) and weights them the same way, until the target is
//! met or a draw budget is spent. This is importance sampling with a growing sample, not an
//! MCMC move: it stays exact in the limit and needs no tuning, and its cost grows as one over
//! the prior probability of the evidence (`docs/updating.md`).
//!
//! Every sum runs in draw order on one thread after the draws are recomputed in parallel, so
//! the result is the same bytes on any number of threads.

use serde::{Deserialize, Serialize};

use crate::ensemble::DrawSampler;
use crate::signs::{Quantity, Sign, replay, value};
use crate::stats::{Z95, wilson_share};
use crate::timeline::{Spec, UNCLASSIFIED};

/// How an observation weighs a path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Likelihood {
    /// A quantity measured with a normal error of standard deviation `sd`.
    Normal {
        /// What was measured.
        value: f64,
        /// Standard deviation of the measurement error.
        sd: f64,
    },
    /// A quantity known to lie in `[lo, hi]`.
    Range {
        /// Lower end (−∞: open).
        lo: f64,
        /// Upper end (+∞: open).
        hi: f64,
    },
    /// A sign reported as happened (`true`) or not, wrong with probability `error`.
    Sign {
        /// What was reported.
        happened: bool,
        /// Probability that the report is wrong (0: exact).
        error: f64,
    },
}

/// One observation, as the engine reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obs {
    /// The sign's id (for messages).
    pub id: String,
    /// What it reads.
    pub quantity: Quantity,
    /// The year index it reads (ignored for a parameter).
    pub year: usize,
    /// How it weighs a path.
    pub likelihood: Likelihood,
}

impl Obs {
    /// The log-likelihood of the observation under a path (−∞ when the path rules it out).
    pub fn log_likelihood(&self, values: &[f64], path: &crate::timeline::Path) -> f64 {
        let x = value(self.quantity, self.year, values, path);
        log_likelihood(&self.likelihood, x)
    }
}

/// The log-likelihood of seeing `l` when the path's value is `x` (NaN: the path has no value,
/// which rules the observation out).
pub fn log_likelihood(l: &Likelihood, x: f64) -> f64 {
    if x.is_nan() {
        return f64::NEG_INFINITY;
    }
    match *l {
        Likelihood::Normal { value, sd } => {
            let z = (value - x) / sd;
            -0.5 * z * z - sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        }
        Likelihood::Range { lo, hi } => {
            if x >= lo && x <= hi {
                0.0
            } else {
                f64::NEG_INFINITY
            }
        }
        Likelihood::Sign { happened, error } => {
            let p = if (x >= 0.5) == happened {
                1.0 - error
            } else {
                error
            };
            p.ln()
        }
    }
}

/// Builds the engine's observations from an evidence file already checked against `case`
/// (`leverage_case::evidence::validate_against`); `signs` are the case's resolved observables.
pub fn observations(
    case: &leverage_case::Case,
    signs: &[Sign],
    evidence: &leverage_case::evidence::Evidence,
) -> Vec<Obs> {
    use leverage_case::evidence::Observed;
    let first = case.first_simulated_year();
    evidence
        .observations
        .iter()
        .filter_map(|o| {
            let sign = signs.iter().find(|s| s.id == o.observable)?;
            let error = o.error_for(case);
            let likelihood = match o.observed {
                Observed::Value(v) => Likelihood::Normal {
                    value: v,
                    sd: error.unwrap_or(f64::NAN),
                },
                Observed::Range(lo, hi) => Likelihood::Range { lo, hi },
                Observed::Sign(b) => Likelihood::Sign {
                    happened: b,
                    error: error.unwrap_or(0.0),
                },
            };
            Some(Obs {
                id: sign.id.clone(),
                quantity: sign.quantity,
                year: (o.date.year - first).max(0) as usize,
                likelihood,
            })
        })
        .collect()
}

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Below this effective sample size, fresh draws are added.
    pub min_ess: f64,
    /// The most draws (the run's own and fresh ones together) an update may use.
    pub max_draws: u64,
}

/// A probability estimated from a (weighted) sample: its value, Monte Carlo standard error and
/// Wilson 95 % interval on the effective sample size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    pub p: f64,
    /// Monte Carlo standard error (delta method for a self-normalised weighted mean).
    pub se: f64,
    /// Lower end of the 95 % interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// The result of an update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Draws of the run updated (`0..prior_draws`).
    pub prior_draws: u64,
    /// Draws used in all, fresh ones included (`0..draws`).
    pub draws: u64,
    /// Effective sample size on the run's own draws.
    pub ess_prior_draws: f64,
    /// Effective sample size of the answer.
    pub ess: f64,
    /// The target.
    pub min_ess: f64,
    /// Whether the target was met within the draw budget.
    pub target_met: bool,
    /// Log of the mean likelihood: the evidence's prior probability (density).
    pub log_evidence: f64,
    /// Simulated years.
    pub years: Vec<i32>,
    /// Scenario ids, then `unclassified`.
    pub scenarios: Vec<String>,
    /// `prior[year][scenario]` on the run's own draws.
    pub prior: Vec<Vec<Estimate>>,
    /// `posterior[year][scenario]`.
    pub posterior: Vec<Vec<Estimate>>,
    /// Per observation: its prior predictive mean (for a sign, the prior probability it
    /// happens) and its posterior mean, on the same draws.
    pub observed: Vec<(String, f64, f64)>,
    /// Prior and posterior bands of the final state and subsidy.
    pub bands: Vec<Bands>,
    /// The final scenario of each of the run's own draws as recomputed (`UNCLASSIFIED` as the
    /// last index), to check against the stored run; not serialised.
    #[serde(skip)]
    pub final_scenarios: Vec<u8>,
}

impl Update {
    /// The weighted sample's health in one sentence: the ESS against its target, the fresh
    /// draws, the evidence's log-probability.
    pub fn health(&self) -> String {
        format!(
            "Effective sample size {:.0} of {} draws ({} of the run updated, {} fresh; target {:.0}, {}); on the run's own draws {:.0}. Log-probability of the evidence under the model: {:.3}.",
            self.ess,
            self.draws,
            self.prior_draws,
            self.draws - self.prior_draws,
            self.min_ess,
            if self.target_met {
                "met"
            } else {
                "NOT met within the draw budget (--max-draws)"
            },
            self.ess_prior_draws,
            self.log_evidence
        )
    }
}

/// Why an update failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// Every draw gives the evidence probability zero.
    #[error(
        "no draw of {draws} is consistent with the evidence (every weight is zero): the model gives it probability zero, or less than about 1/{draws}"
    )]
    Impossible {
        /// Draws tried.
        draws: u64,
    },
    /// The run has no draws.
    #[error("the run has no draws to update")]
    Empty,
}

/// One draw as an update sees it: its log-weight, the values the observations read, the
/// scenario of each year, and the values whose posterior bands are reported.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawRecord {
    /// Log of the draw's likelihood of the evidence.
    pub lw: f64,
    /// The value each observation read.
    pub seen: Vec<f64>,
    /// Scenario index per year (`UNCLASSIFIED` if none).
    pub scenarios: Vec<u8>,
    /// The banded values ([`Layout::banded`]).
    pub banded: Vec<f64>,
}

/// What the draws of an update are about: years, scenario ids (with `unclassified` last), the
/// names of the banded values and of the observations.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Simulated years.
    pub years: Vec<i32>,
    /// Scenario ids, `unclassified` last.
    pub scenarios: Vec<String>,
    /// Names of [`DrawRecord::banded`].
    pub banded: Vec<String>,
    /// Observation ids.
    pub observations: Vec<String>,
}

/// The records of draws `from..to` of a run, recomputed: the observations' values and
/// log-likelihoods, each year's scenario, and the final state and subsidy as banded values.
#[allow(clippy::too_many_arguments)]
pub fn records(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    from: u64,
    to: u64,
    obs: &[Obs],
    pool: Option<&rayon::ThreadPool>,
) -> Vec<Option<DrawRecord>> {
    let last = spec.n_years().saturating_sub(1);
    replay(spec, sampler, seed, from, to, pool, |_, values, path| {
        let mut lw = 0.0;
        let mut seen = Vec::with_capacity(obs.len());
        for o in obs {
            let x = value(o.quantity, o.year, values, path);
            seen.push(x);
            lw += log_likelihood(&o.likelihood, x);
        }
        let mut banded = path.state_at(last).to_vec();
        banded.push(path.subsidy_usd_bn[last]);
        DrawRecord {
            lw,
            seen,
            scenarios: path.scenario.clone(),
            banded,
        }
    })
}

/// The layout of [`records`] for `spec` and `obs`.
pub fn layout(spec: &Spec, obs: &[Obs]) -> Layout {
    let mut scenarios = spec.rule_ids.clone();
    scenarios.push("unclassified".into());
    let mut banded: Vec<String> = spec
        .state_names
        .iter()
        .map(|n| format!("state:{n}"))
        .collect();
    banded.push("subsidy_usd_bn".into());
    Layout {
        years: spec.years.iter().map(|y| y.year).collect(),
        scenarios,
        banded,
        observations: obs.iter().map(|o| o.id.clone()).collect(),
    }
}

/// Kish's effective sample size of weights `exp(lw − shift)`.
fn ess(recs: &[Option<DrawRecord>], shift: f64) -> f64 {
    let (mut s, mut s2) = (0.0, 0.0);
    for r in recs.iter().flatten() {
        let w = (r.lw - shift).exp();
        s += w;
        s2 += w * w;
    }
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

fn max_lw(recs: &[Option<DrawRecord>]) -> f64 {
    recs.iter()
        .flatten()
        .map(|r| r.lw)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Scenario shares by year with weights `w(rec)`.
fn shares(
    recs: &[Option<DrawRecord>],
    n_years: usize,
    n_scen: usize,
    w: &dyn Fn(&DrawRecord) -> f64,
) -> Vec<Vec<Estimate>> {
    let total: f64 = recs.iter().flatten().map(w).sum();
    let sq: f64 = recs.iter().flatten().map(|r| w(r) * w(r)).sum();
    let n_eff = if sq > 0.0 { total * total / sq } else { 0.0 };
    let scen = |r: &DrawRecord, y: usize| {
        let s = r.scenarios[y];
        if s == UNCLASSIFIED {
            n_scen - 1
        } else {
            (s as usize).min(n_scen - 1)
        }
    };
    (0..n_years)
        .map(|y| {
            let mut mass = vec![0.0; n_scen];
            for r in recs.iter().flatten() {
                mass[scen(r, y)] += w(r);
            }
            let p: Vec<f64> = mass.iter().map(|m| m / total).collect();
            let mut var = vec![0.0; n_scen];
            for r in recs.iter().flatten() {
                let wi = w(r) / total;
                let k = scen(r, y);
                for (j, v) in var.iter_mut().enumerate() {
                    let d = if j == k { 1.0 } else { 0.0 } - p[j];
                    *v += wi * wi * d * d;
                }
            }
            (0..n_scen)
                .map(|k| {
                    let (lo, hi) = wilson_share(p[k].clamp(0.0, 1.0), n_eff, Z95)
                        .unwrap_or((f64::NAN, f64::NAN));
                    Estimate {
                        p: p[k],
                        se: var[k].sqrt(),
                        lo,
                        hi,
                    }
                })
                .collect()
        })
        .collect()
}

/// A value's 5 %, 50 % and 95 % quantiles, prior (the run's own draws) and posterior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    /// The value's name.
    pub name: String,
    /// Prior 5 %, 50 %, 95 %.
    pub prior: [f64; 3],
    /// Posterior 5 %, 50 %, 95 %.
    pub posterior: [f64; 3],
}

/// Weighted quantiles `qs` of `(value, weight)` pairs (NaN values left out): the smallest value
/// whose cumulative weight reaches `q` of the total.
pub fn weighted_quantiles(pairs: &mut [(f64, f64)], qs: &[f64]) -> Vec<f64> {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    qs.iter()
        .map(|&q| {
            if total <= 0.0 {
                return f64::NAN;
            }
            let mut acc = 0.0;
            for &(x, w) in pairs.iter() {
                acc += w;
                if acc >= q * total {
                    return x;
                }
            }
            pairs.last().map_or(f64::NAN, |p| p.0)
        })
        .collect()
}

/// Updates draws `0..prior_draws` of the run with `seed` by the observations `obs`, adding fresh
/// draws (indices `prior_draws..`) while the effective sample size is below `opts.min_ess` and
/// the budget `opts.max_draws` allows.
pub fn update(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    prior_draws: u64,
    obs: &[Obs],
    opts: &Options,
    pool: Option<&rayon::ThreadPool>,
) -> Result<Update, UpdateError> {
    let source = |from: u64, to: u64| records(spec, sampler, seed, from, to, obs, pool);
    update_with(&source, &layout(spec, obs), prior_draws, opts)
}

/// [`update`] on any source of draw records (`source(from, to)` gives draws `from..to` in
/// order): the importance weights, the fresh draws, the summaries.
pub fn update_with(
    source: &dyn Fn(u64, u64) -> Vec<Option<DrawRecord>>,
    layout: &Layout,
    prior_draws: u64,
    opts: &Options,
) -> Result<Update, UpdateError> {
    if prior_draws == 0 {
        return Err(UpdateError::Empty);
    }
    let mut recs = source(0, prior_draws);
    let budget = opts.max_draws.max(prior_draws);
    loop {
        let n = recs.len() as u64;
        let shift = max_lw(&recs);
        let e = if shift.is_finite() {
            ess(&recs, shift)
        } else {
            0.0
        };
        if e >= opts.min_ess || n >= budget {
            break;
        }
        // Draws needed at the current ESS per draw, with a margin; doubling when no draw fits.
        let want = if e > 0.0 {
            ((opts.min_ess / (e / n as f64)) * 1.1).ceil() as u64
        } else {
            2 * n
        };
        let to = want.max(n + crate::ensemble::CHUNK).min(budget);
        recs.extend(source(n, to));
    }
    summarise(&recs, layout, prior_draws, opts)
}

/// The posterior of weighted records (draws `0..prior_draws` are the run's own).
fn summarise(
    recs: &[Option<DrawRecord>],
    layout: &Layout,
    prior_draws: u64,
    opts: &Options,
) -> Result<Update, UpdateError> {
    let draws = recs.len() as u64;
    let shift = max_lw(recs);
    if !shift.is_finite() {
        return Err(UpdateError::Impossible { draws });
    }
    let ess_prior_draws = {
        let own = &recs[..prior_draws as usize];
        let s = max_lw(own);
        if s.is_finite() { ess(own, s) } else { 0.0 }
    };
    let n_years = layout.years.len();
    let n_scen = layout.scenarios.len();
    let weight = |r: &DrawRecord| (r.lw - shift).exp();
    let posterior = shares(recs, n_years, n_scen, &weight);
    let own = &recs[..prior_draws as usize];
    let prior = shares(own, n_years, n_scen, &|_| 1.0);
    let total: f64 = recs.iter().flatten().map(weight).sum();
    let n_ok = recs.iter().flatten().count().max(1) as f64;
    let log_evidence = shift + (total / n_ok).ln();
    let observed = layout
        .observations
        .iter()
        .enumerate()
        .map(|(j, id)| {
            let (mut a, mut na) = (0.0, 0.0);
            for r in own.iter().flatten() {
                if r.seen[j].is_finite() {
                    a += r.seen[j];
                    na += 1.0;
                }
            }
            let (mut b, mut wb) = (0.0, 0.0);
            for r in recs.iter().flatten() {
                if r.seen[j].is_finite() {
                    b += weight(r) * r.seen[j];
                    wb += weight(r);
                }
            }
            (id.clone(), a / na, b / wb)
        })
        .collect();
    let qs = [0.05, 0.5, 0.95];
    let bands = layout
        .banded
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let pick = |rs: &[Option<DrawRecord>], w: &dyn Fn(&DrawRecord) -> f64| {
                let mut v: Vec<(f64, f64)> = rs
                    .iter()
                    .flatten()
                    .filter(|r| !r.banded[j].is_nan())
                    .map(|r| (r.banded[j], w(r)))
                    .collect();
                let q = weighted_quantiles(&mut v, &qs);
                [q[0], q[1], q[2]]
            };
            Bands {
                name: name.clone(),
                prior: pick(own, &|_| 1.0),
                posterior: pick(recs, &weight),
            }
        })
        .collect();
    let final_scenarios = own
        .iter()
        .map(|r| {
            r.as_ref().map_or(UNCLASSIFIED, |r| {
                *r.scenarios.last().unwrap_or(&UNCLASSIFIED)
            })
        })
        .collect();
    let e = ess(recs, shift);
    Ok(Update {
        prior_draws,
        draws,
        ess_prior_draws,
        ess: e,
        min_ess: opts.min_ess,
        target_met: e >= opts.min_ess,
        log_evidence,
        years: layout.years.clone(),
        scenarios: layout.scenarios.clone(),
        prior,
        posterior,
        observed,
        bands,
        final_scenarios,
    })
}
