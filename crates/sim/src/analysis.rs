//! Sensitivity of the scenario probabilities to the case's uncertain parameters: a
//! one-at-a-time tornado and variance-based (Sobol) indices, both on the timeline of
//! [`crate::timeline`].
//!
//! - **Tornado.** For each uncertain parameter, an ensemble with the parameter held at its
//!   10th and at its 90th percentile, every other parameter drawn as usual. The draws use the
//!   same streams in every ensemble (common random numbers), so the swing is the parameter's
//!   effect and not sampling noise. Output: the horizon probability of each scenario.
//! - **Sobol.** First-order and total indices (Saltelli et al. 2010; Jansen 1999; see
//!   [`crate::sensitivity`]) of the horizon's scenario indicators (whose variance decomposes
//!   the scenario probability) and of the final subsidy at stake. The indices assume
//!   independent inputs, so the case's rank correlations are not applied here; the
//!   year-to-year shocks of row *j* come from one stream shared by the row's evaluations.
//!
//! Every figure is the same on any thread count: ensembles count integers, and the Sobol
//! estimator evaluates into indexed buffers.

use rayon::prelude::*;
use serde::Serialize;

use crate::ensemble::{DrawBuffers, DrawSampler, run_draw};
use crate::sensitivity::{self, SobolResult, Tornado};
use crate::timeline::{self, Path, Scratch, Spec, UNCLASSIFIED};
use crate::wiring::CaseSampler;

/// How much work the sensitivity analysis does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Options {
    /// Draws per tornado ensemble (there are 2 per uncertain parameter, plus the base).
    pub tornado_draws: u64,
    /// Base rows of the Sobol design (evaluations: rows × (parameters + 2)).
    pub sobol_rows: usize,
    /// Bootstrap resamples of the Sobol indices.
    pub bootstrap: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tornado_draws: 2_000,
            sobol_rows: 1_024,
            bootstrap: 200,
            seed: 42,
        }
    }
}

/// Why the analysis could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// The case has no uncertain parameter.
    #[error("the case has no uncertain parameter: nothing to vary")]
    NothingUncertain,
    /// The estimator refused its inputs.
    #[error("{0}")]
    Estimator(String),
}

/// A sampler that holds one parameter at a value.
struct Pinned<'a> {
    inner: &'a CaseSampler,
    pin: Option<(usize, f64)>,
}

impl DrawSampler for Pinned<'_> {
    fn sample(
        &self,
        rng: &mut rand_chacha::ChaCha8Rng,
        scratch: &mut Vec<f64>,
        out: &mut [f64],
    ) -> bool {
        let ok = self.inner.sample(rng, scratch, out);
        if let Some((i, v)) = self.pin {
            out[i] = v;
        }
        ok
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
}

/// Horizon probability of each scenario over `draws` draws (common streams from `seed`).
fn horizon_probabilities(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    draws: u64,
    seed: u64,
) -> Vec<f64> {
    let ns = spec.rules.len();
    // The last count is the draws run (failed draws are left out of the shares).
    let counts = (0..draws)
        .into_par_iter()
        .fold(
            || (vec![0u64; ns + 1], DrawBuffers::default(), Path::new(spec)),
            |(mut c, mut buf, mut path), d| {
                if run_draw(spec, sampler, seed, d, &mut buf, &mut path) {
                    c[ns] += 1;
                    let k = path.final_scenario();
                    if k != UNCLASSIFIED {
                        c[k as usize] += 1;
                    }
                }
                (c, buf, path)
            },
        )
        .map(|(c, _, _)| c)
        .reduce(
            || vec![0u64; ns + 1],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    let run = counts[ns].max(1) as f64;
    counts[..ns].iter().map(|&c| c as f64 / run).collect()
}

/// The tornado of one scenario's horizon probability.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ScenarioTornado {
    /// The scenario id.
    pub scenario: String,
    /// The tornado (output index = the scenario's position among the rules).
    pub tornado: Tornado,
}

/// The tornado of every scenario's horizon probability, bars sorted by swing.
pub fn tornado(
    spec: &Spec,
    sampler: &CaseSampler,
    opts: &Options,
) -> Result<Vec<ScenarioTornado>, AnalysisError> {
    if sampler.uncertain.is_empty() {
        return Err(AnalysisError::NothingUncertain);
    }
    let names: Vec<String> = sampler
        .uncertain
        .iter()
        .map(|&i| sampler.ids[i].clone())
        .collect();
    let q = |i: usize, p: f64| {
        sampler
            .inner()
            .marginal(i)
            .map_or(f64::NAN, |m| m.quantile(p))
    };
    let low: Vec<f64> = sampler.uncertain.iter().map(|&i| q(i, 0.1)).collect();
    let high: Vec<f64> = sampler.uncertain.iter().map(|&i| q(i, 0.9)).collect();
    let bars = sensitivity::tornado(&names, &low, &high, |pin| {
        let pinned = Pinned {
            inner: sampler,
            pin: pin.map(|(k, v)| (sampler.uncertain[k], v)),
        };
        horizon_probabilities(spec, &pinned, opts.tornado_draws, opts.seed)
    })
    .map_err(|e| AnalysisError::Estimator(e.to_string()))?;
    Ok(bars
        .into_iter()
        .zip(&spec.rule_ids)
        .map(|(tornado, id)| ScenarioTornado {
            scenario: id.clone(),
            tornado,
        })
        .collect())
}

/// Sobol indices of the horizon's scenario indicators (outputs named by the scenario ids) and
/// of the final `subsidy_gdp` (output `subsidy_gdp`), over the uncertain parameters (inputs
/// named by their ids).
pub fn sobol(
    spec: &Spec,
    independent: &CaseSampler,
    opts: &Options,
) -> Result<(Vec<String>, Vec<String>, SobolResult), AnalysisError> {
    let d = independent.uncertain.len();
    if d == 0 {
        return Err(AnalysisError::NothingUncertain);
    }
    let n_all = independent.ids.len();
    let ns = spec.rules.len();
    let subsidy = spec.idx.subsidy_gdp;
    let model = |u: &[f64], row: u64| -> Vec<f64> {
        let mut full = vec![0.5; n_all];
        for (k, &i) in independent.uncertain.iter().enumerate() {
            full[i] = u[k];
        }
        let mut values = vec![0.0; n_all];
        let mut out = vec![0.0; ns + 1];
        if independent
            .inner()
            .map_uniforms(&full, &mut values)
            .is_err()
        {
            out.fill(f64::NAN);
            return out;
        }
        let mut rng = crate::stream::draw_rng(opts.seed.wrapping_add(1), row);
        let mut path = Path::new(spec);
        let mut scratch = Scratch::default();
        timeline::run(spec, &values, &mut rng, &mut scratch, &mut path);
        let k = path.final_scenario();
        if k != UNCLASSIFIED {
            out[k as usize] = 1.0;
        }
        out[ns] = path.state_at(spec.n_years() - 1)[subsidy];
        out
    };
    let result = sensitivity::sobol(d, opts.sobol_rows, opts.seed, model, opts.bootstrap)
        .map_err(|e| AnalysisError::Estimator(e.to_string()))?;
    let inputs = independent
        .uncertain
        .iter()
        .map(|&i| independent.ids[i].clone())
        .collect();
    let mut outputs = spec.rule_ids.clone();
    outputs.push("subsidy_gdp".into());
    Ok((inputs, outputs, result))
}

/// One year of an outcomes file against the ensemble.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredYear {
    /// The year.
    pub year: i32,
    /// The scenario that happened.
    pub realised: String,
    /// The ensemble's probability of it.
    pub probability: f64,
    /// This year's Brier term Σ_k (p_k − o_k)².
    pub brier: f64,
}

/// One realised issue position against the ensemble's forecast band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredPosition {
    /// The issue.
    pub issue: String,
    /// The year.
    pub year: i32,
    /// What happened, on the issue's 0–100 scale.
    pub realised: f64,
    /// The ensemble's forecast (median and bands).
    pub forecast: crate::score::IssueForecast,
    /// The error.
    pub error: crate::score::IssueError,
}

/// Scores of an ensemble against an outcomes file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreReport {
    /// The scenarios (categories), in the case's order.
    pub scenarios: Vec<String>,
    /// Scenario scores over the years the outcomes file gives (None if it gives none).
    pub summary: Option<crate::score::ScoreSummary>,
    /// Per year.
    pub years: Vec<ScoredYear>,
    /// Calibration of every (year, scenario) probability, 5 bins.
    pub calibration: Vec<crate::score::CalibrationBin>,
    /// Per realised position.
    pub positions: Vec<ScoredPosition>,
    /// Mean absolute error and band coverage of the positions (None if none).
    pub issues: Option<crate::score::IssueSummary>,
    /// Outcome years outside the simulated years (not scored).
    pub skipped_years: Vec<i32>,
}

/// Scores the ensemble's scenario probabilities and issue forecasts against `outcomes` (which
/// the caller has validated against the case).
pub fn score(
    e: &crate::ensemble::Ensemble,
    outcomes: &leverage_case::outcomes::Outcomes,
) -> Result<ScoreReport, AnalysisError> {
    let err = |e: crate::score::ScoreError| AnalysisError::Estimator(e.to_string());
    // Categories: the rule scenarios (the ensemble's last column is "unclassified").
    let k = e.scenarios.len().saturating_sub(1);
    let scenarios: Vec<String> = e.scenarios[..k].to_vec();
    let mut forecasts = Vec::new();
    let mut realised = Vec::new();
    let mut years = Vec::new();
    let mut skipped = Vec::new();
    for yo in &outcomes.years {
        let (Some(y), Some(c)) = (
            e.years.iter().position(|&y| y == yo.year),
            scenarios.iter().position(|s| *s == yo.scenario),
        ) else {
            skipped.push(yo.year);
            continue;
        };
        let p: Vec<f64> = e.probabilities[y][..k].iter().map(|p| p.p).collect();
        let brier = p
            .iter()
            .enumerate()
            .map(|(j, &pj)| {
                let o = if j == c { 1.0 } else { 0.0 };
                (pj - o) * (pj - o)
            })
            .sum();
        years.push(ScoredYear {
            year: yo.year,
            realised: yo.scenario.clone(),
            probability: p[c],
            brier,
        });
        forecasts.push(p);
        realised.push(c);
    }
    let (summary, calibration) = if forecasts.is_empty() {
        (None, Vec::new())
    } else {
        (
            Some(
                crate::score::score(&forecasts, &realised, crate::score::log_floor(e.draws))
                    .map_err(err)?,
            ),
            crate::score::calibration(&forecasts, &realised, 5).map_err(err)?,
        )
    };
    let mut positions = Vec::new();
    for po in &outcomes.positions {
        let Some(y) = e.years.iter().position(|&y| y == po.year) else {
            skipped.push(po.year);
            continue;
        };
        let name = format!("issue:{}", po.issue);
        let Some(j) = e.fan_variables.iter().position(|v| v.name == name) else {
            continue;
        };
        let b = e.fans[j][y];
        let forecast = crate::score::IssueForecast {
            median: b.p50,
            band50: (b.p25, b.p75),
            band90: (b.p05, b.p95),
        };
        let error = crate::score::issue_error(&forecast, po.position.value).map_err(err)?;
        positions.push(ScoredPosition {
            issue: po.issue.clone(),
            year: po.year,
            realised: po.position.value,
            forecast,
            error,
        });
    }
    let issues = if positions.is_empty() {
        None
    } else {
        let pairs: Vec<_> = positions.iter().map(|p| (p.forecast, p.realised)).collect();
        Some(crate::score::issue_summary(&pairs).map_err(err)?)
    };
    skipped.sort_unstable();
    skipped.dedup();
    Ok(ScoreReport {
        scenarios,
        summary,
        years,
        calibration,
        positions,
        issues,
        skipped_years: skipped,
    })
}
