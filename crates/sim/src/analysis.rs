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
    let rows = sobol_rows(spec, independent, opts, 0..opts.sobol_rows)?;
    sobol_from_rows(spec, independent, opts, rows)
}

/// The evaluations of rows `rows` of [`sobol`]'s design (`opts.sobol_rows` rows in all): each
/// row depends on its index and the seed alone, so the design can be split over processes
/// or machines and the rows put back in order for [`sobol_from_rows`].
pub fn sobol_rows(
    spec: &Spec,
    independent: &CaseSampler,
    opts: &Options,
    rows: std::ops::Range<usize>,
) -> Result<Vec<Vec<f64>>, AnalysisError> {
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
    sensitivity::sobol_rows(d, rows, opts.seed, model)
        .map_err(|e| AnalysisError::Estimator(e.to_string()))
}

/// [`sobol`]'s result from every row of its design, in row order ([`sobol_rows`]).
pub fn sobol_from_rows(
    spec: &Spec,
    independent: &CaseSampler,
    opts: &Options,
    rows: Vec<Vec<f64>>,
) -> Result<(Vec<String>, Vec<String>, SobolResult), AnalysisError> {
    let d = independent.uncertain.len();
    if d == 0 {
        return Err(AnalysisError::NothingUncertain);
    }
    let result = sensitivity::sobol_estimate(d, opts.seed, rows, opts.bootstrap)
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

/// One case of a library, scored: the model against two baselines on the same occasions (the
/// years its outcomes file gives inside the simulated years).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryCaseScore {
    /// The case's id.
    pub case: String,
    /// Number of scenarios (categories).
    pub categories: usize,
    /// Occasions scored (years).
    pub occasions: usize,
    /// The model's mean Brier score (0 best, 2 worst).
    pub brier: f64,
    /// The uniform forecast's.
    pub brier_uniform: f64,
    /// The base-rate forecast's (scenario types' shares in the other cases' outcomes).
    pub brier_base_rate: f64,
    /// The model's mean log score (lower is better).
    pub log: f64,
    /// The uniform forecast's.
    pub log_uniform: f64,
    /// The base-rate forecast's.
    pub log_base_rate: f64,
    /// Scenarios without a `type` (the base rate gives them the smoothing share only).
    pub untyped: Vec<String>,
}

/// Scores of a library of cases, per case and pooled over every occasion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryScore {
    /// Per case, in the order given.
    pub cases: Vec<LibraryCaseScore>,
    /// Occasions over the library.
    pub occasions: usize,
    /// Pooled mean Brier score of the model, the uniform and the base-rate forecasts.
    pub brier: (f64, f64, f64),
    /// Pooled mean log score of the model, the uniform and the base-rate forecasts.
    pub log: (f64, f64, f64),
    /// The probability floor of the log scores, 1/(2N) for the smallest ensemble.
    pub p_floor: f64,
}

/// One case of a library: its scenarios' types, the ensemble's probabilities by year and the
/// realised scenarios.
#[derive(Debug, Clone)]
pub struct LibraryEntry<'a> {
    /// The case.
    pub case: &'a leverage_case::Case,
    /// Its ensemble.
    pub ensemble: &'a crate::ensemble::Ensemble,
    /// Its outcomes (validated against the case).
    pub outcomes: &'a leverage_case::outcomes::Outcomes,
}

/// Scores every case of a library against its outcomes, beside two baselines on the same
/// occasions: the uniform forecast (1/K over the case's K scenarios) and a base-rate forecast,
/// each scenario's probability proportional to the share of its `type` among the realised
/// scenarios of the *other* cases (leave-one-case-out, so no case is scored on its own
/// outcomes; add-one smoothing over the seven types, a type's share split evenly among the
/// case's scenarios of that type). Brier and log scores are means over occasions (years); the
/// pooled scores are means over every occasion of the library.
///
/// # Errors
/// [`AnalysisError::Estimator`] when a case has no occasion to score.
pub fn library_score(entries: &[LibraryEntry<'_>]) -> Result<LibraryScore, AnalysisError> {
    use leverage_case::ScenarioType;
    let types = ScenarioType::ALL.len();
    // The realised type of each occasion of each case.
    let realised_types: Vec<Vec<Option<ScenarioType>>> = entries
        .iter()
        .map(|e| {
            e.outcomes
                .years
                .iter()
                .map(|y| e.case.scenarios.iter().find(|s| s.id == y.scenario)?.kind)
                .collect()
        })
        .collect();
    let p_floor = entries
        .iter()
        .map(|e| crate::score::log_floor(e.ensemble.draws))
        .fold(0.0_f64, f64::max);
    let mut out = Vec::with_capacity(entries.len());
    let (mut sb, mut sl, mut n) = ([0.0; 3], [0.0; 3], 0usize);
    for (i, e) in entries.iter().enumerate() {
        // Type counts over the other cases.
        let mut counts = vec![0usize; types];
        for (j, rt) in realised_types.iter().enumerate() {
            if j == i {
                continue;
            }
            for t in rt.iter().flatten() {
                counts[ScenarioType::ALL
                    .iter()
                    .position(|(_, x)| x == t)
                    .unwrap_or(0)] += 1;
            }
        }
        let total: usize = counts.iter().sum();
        let share = |t: Option<ScenarioType>| match t {
            Some(t) => {
                let k = ScenarioType::ALL
                    .iter()
                    .position(|(_, x)| *x == t)
                    .unwrap_or(0);
                (counts[k] as f64 + 1.0) / (total + types) as f64
            }
            None => 1.0 / (total + types) as f64,
        };
        let rep = score(e.ensemble, e.outcomes)?;
        // The categories in the ensemble's order, with their case records.
        let scen: Vec<&leverage_case::Scenario> = rep
            .scenarios
            .iter()
            .filter_map(|id| e.case.scenarios.iter().find(|s| s.id == *id))
            .collect();
        let same_type = |t: Option<ScenarioType>| {
            scen.iter()
                .filter(|s| s.kind.is_some() && s.kind == t)
                .count()
                .max(1) as f64
        };
        let mut base: Vec<f64> = scen
            .iter()
            .map(|s| share(s.kind) / same_type(s.kind))
            .collect();
        let z: f64 = base.iter().sum();
        base.iter_mut().for_each(|p| *p /= z);
        let k = scen.len();
        let uniform = vec![1.0 / k as f64; k];
        let mut model = Vec::new();
        let mut realised = Vec::new();
        for y in &rep.years {
            let Some(yi) = e.ensemble.years.iter().position(|&x| x == y.year) else {
                continue;
            };
            let Some(c) = rep.scenarios.iter().position(|s| *s == y.realised) else {
                continue;
            };
            model.push(
                e.ensemble.probabilities[yi][..k]
                    .iter()
                    .map(|p| p.p)
                    .collect::<Vec<_>>(),
            );
            realised.push(c);
        }
        if realised.is_empty() {
            return Err(AnalysisError::Estimator(format!(
                "case `{}`: its outcomes give no year inside the simulated years",
                e.case.case.id
            )));
        }
        let err = |x: crate::score::ScoreError| AnalysisError::Estimator(x.to_string());
        let m = realised.len();
        let uni = vec![uniform; m];
        let br = vec![base; m];
        let b = [
            crate::score::brier(&model, &realised).map_err(err)?,
            crate::score::brier(&uni, &realised).map_err(err)?,
            crate::score::brier(&br, &realised).map_err(err)?,
        ];
        let l = [
            crate::score::log_score(&model, &realised, p_floor).map_err(err)?,
            crate::score::log_score(&uni, &realised, p_floor).map_err(err)?,
            crate::score::log_score(&br, &realised, p_floor).map_err(err)?,
        ];
        for q in 0..3 {
            sb[q] += b[q] * m as f64;
            sl[q] += l[q] * m as f64;
        }
        n += m;
        out.push(LibraryCaseScore {
            case: e.case.case.id.clone(),
            categories: k,
            occasions: m,
            brier: b[0],
            brier_uniform: b[1],
            brier_base_rate: b[2],
            log: l[0],
            log_uniform: l[1],
            log_base_rate: l[2],
            untyped: scen
                .iter()
                .filter(|s| s.kind.is_none())
                .map(|s| s.id.clone())
                .collect(),
        });
    }
    let mean = |s: [f64; 3]| {
        let d = n.max(1) as f64;
        (s[0] / d, s[1] / d, s[2] / d)
    };
    Ok(LibraryScore {
        cases: out,
        occasions: n,
        brier: mean(sb),
        log: mean(sl),
        p_floor,
    })
}
