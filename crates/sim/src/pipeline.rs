//! One pipeline from a case to the results bundle every front end renders.
//!
//! [`run_case`] wires the case, runs the single-run analyses when asked ([`crate::analyses`]:
//! ledger, forecasts, game), runs the ensemble (handing each draw's summary and path to an
//! optional sink, which the CLI uses to save them) and, when asked, the tornado and the Sobol
//! indices, and returns a [`Bundle`]. The CLI prints a bundle, the run store keeps it
//! ([`Bundle::encode`]: CBOR, which keeps every float, NaN included, bit for bit), and the report
//! renders it, fresh or decoded from a stored run, so a stored run reports the same bytes as a
//! fresh run with the same seed.

use serde::{Deserialize, Serialize};

use crate::analyses::{self, Analyses};
use crate::analysis::{self, ScenarioTornado};
use crate::ensemble::{self, DrawSummary, Ensemble};
use crate::sensitivity::SobolResult;
use crate::timeline::Spec;
use crate::wiring::{self, CaseSampler, WiringError};

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Draws of the ensemble.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// Draws per tornado ensemble (0: no tornado).
    pub tornado_draws: u64,
    /// Base rows of the Sobol design (0 or 1: no Sobol indices).
    pub sobol_rows: usize,
    /// Bootstrap resamples of the Sobol indices.
    pub bootstrap: usize,
    /// Whether to run the single-run analyses too ([`crate::analyses`]: ledger, forecasts,
    /// game), so that the bundle holds everything a report shows.
    #[serde(default)]
    pub analyses: bool,
}

impl Settings {
    /// An ensemble alone, without sensitivity analysis.
    pub fn ensemble(draws: u64, seed: u64) -> Self {
        Settings {
            draws,
            seed,
            tornado_draws: 0,
            sobol_rows: 0,
            bootstrap: 0,
            analyses: false,
        }
    }
}

/// The Sobol indices of a run, with the names of their inputs and outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sobol {
    /// The sampled inputs, in the order of the indices.
    pub inputs: Vec<String>,
    /// The outputs: each scenario's horizon indicator, then the final subsidy.
    pub outputs: Vec<String>,
    /// The estimates.
    pub result: SobolResult,
}

/// Below this total Sobol index for every scenario, a sampled input is flagged as inert.
pub const INERT_TOTAL_INDEX: f64 = 0.01;

/// Everything a run produces that a front end shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// What was run.
    pub settings: Settings,
    /// The ensemble.
    pub ensemble: Ensemble,
    /// The tornado, when run (an error message when it failed).
    pub tornado: Option<Result<Vec<ScenarioTornado>, String>>,
    /// The Sobol indices, when run (an error message when they failed).
    pub sobol: Option<Result<Sobol, String>>,
    /// Sampled inputs whose total Sobol index is below [`INERT_TOTAL_INDEX`] for every scenario
    /// (empty without Sobol indices).
    pub inert: Vec<String>,
    /// The single-run analyses, when the settings asked for them (a run saved by an older
    /// version has none).
    #[serde(default)]
    pub analyses: Option<Analyses>,
}

impl Bundle {
    /// The bundle as bytes (CBOR), for the run store.
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }
    /// A bundle from [`Bundle::encode`]'s bytes.
    pub fn decode(bytes: &[u8]) -> Result<Bundle, String> {
        ciborium::from_reader(bytes).map_err(|e| e.to_string())
    }
}

impl Bundle {
    /// The bundle as the JSON document `simulate --output json` prints: the case id, the
    /// ensemble and, when `sensitivity`, the tornado, the Sobol indices and the inert inputs
    /// (one implementation for every front end).
    pub fn to_json(&self, case_id: &str, sensitivity: bool) -> serde_json::Value {
        let mut v = serde_json::json!({
            "case": case_id,
            "ensemble": self.ensemble,
        });
        if sensitivity {
            v["tornado"] = serde_json::json!(self.tornado.as_ref().and_then(|t| t.as_ref().ok()));
            v["sobol"] = serde_json::json!(self.sobol.as_ref().and_then(|s| s.as_ref().ok()));
            v["inert"] = serde_json::json!(self.inert);
        }
        v
    }
}

/// The hash of a case: SHA-256 of its canonical JSON (every value, including those read from
/// CSV files), in hex, so two files that say the same thing hash the same.
pub fn case_hash(case: &leverage_case::Case) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(case).map_err(|e| e.to_string())?;
    Ok(Sha256::digest(&json)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Runs shard `shard` of the ensemble the settings describe: the shard's draws (each draw's
/// summary to `sink`, in draw order) and their aggregates, to be merged with the other shards'
/// ([`crate::shard::merge`]) and finished by [`bundle_of`].
#[allow(clippy::too_many_arguments)]
pub fn run_shard(
    spec: &Spec,
    sampler: &CaseSampler,
    settings: &Settings,
    shard: crate::shard::Shard,
    pool: Option<&rayon::ThreadPool>,
    progress: &dyn Fn(u64),
    sink: Option<&mut dyn FnMut(&DrawSummary)>,
) -> Result<ensemble::Partial, crate::shard::ShardError> {
    if settings.tornado_draws > 0 || settings.sobol_rows > 1 {
        return Err(crate::shard::ShardError::Sensitivity);
    }
    shard.check_draws(settings.draws)?;
    Ok(ensemble::run_range(
        spec,
        sampler,
        settings.seed,
        shard.range(settings.draws),
        pool,
        progress,
        sink,
    ))
}

/// The bundle of an ensemble-only run from its merged aggregates: the same bundle
/// [`run_case`] returns for these settings. None if the aggregates do not fit the spec or do
/// not hold the settings' draws.
pub fn bundle_of(
    case: &leverage_case::Case,
    spec: &Spec,
    settings: &Settings,
    aggregates: &ensemble::Partial,
) -> Option<Bundle> {
    let whole = aggregates.draws().checked_add(aggregates.failed()) == Some(settings.draws);
    let ensemble_only = settings.tornado_draws == 0 && settings.sobol_rows <= 1;
    if !(whole && ensemble_only && aggregates.fits(spec)) {
        return None;
    }
    let ensemble = aggregates.finish(
        spec,
        &ensemble::Options {
            draws: settings.draws,
            seed: settings.seed,
        },
    );
    Some(Bundle {
        settings: *settings,
        ensemble,
        tornado: None,
        sobol: None,
        inert: Vec::new(),
        analyses: settings
            .analyses
            .then(|| analyses::analyse_run(case, settings, None)),
    })
}

/// Runs the case: the ensemble (each draw's summary to `sink`, in draw order), then the
/// sensitivity analysis the settings ask for, in `pool` (or the current rayon pool).
pub fn run_case(
    case: &leverage_case::Case,
    settings: &Settings,
    pool: Option<&rayon::ThreadPool>,
    progress: &dyn Fn(u64),
    sink: Option<&mut dyn FnMut(&DrawSummary)>,
) -> Result<Bundle, WiringError> {
    let spec = wiring::spec(case)?;
    let sampler = wiring::sampler(case)?;
    run_spec(case, &spec, &sampler, settings, pool, progress, sink)
}

/// [`run_case`] on an already wired case.
#[allow(clippy::too_many_arguments)]
pub fn run_spec(
    case: &leverage_case::Case,
    spec: &Spec,
    sampler: &CaseSampler,
    settings: &Settings,
    pool: Option<&rayon::ThreadPool>,
    progress: &dyn Fn(u64),
    sink: Option<&mut dyn FnMut(&DrawSummary)>,
) -> Result<Bundle, WiringError> {
    let ensemble = ensemble::run(
        spec,
        sampler,
        &ensemble::Options {
            draws: settings.draws,
            seed: settings.seed,
        },
        pool,
        progress,
        sink,
    );
    let o = analysis::Options {
        tornado_draws: settings.tornado_draws,
        sobol_rows: settings.sobol_rows,
        bootstrap: settings.bootstrap,
        seed: settings.seed,
    };
    let analyse = || {
        let tornado = (settings.tornado_draws > 0)
            .then(|| analysis::tornado(spec, sampler, &o).map_err(|e| e.to_string()));
        let sobol = (settings.sobol_rows > 1).then(|| {
            CaseSampler::independent(case)
                .map_err(|e| e.to_string())
                .and_then(|ind| analysis::sobol(spec, &ind, &o).map_err(|e| e.to_string()))
                .map(|(inputs, outputs, result)| Sobol {
                    inputs,
                    outputs,
                    result,
                })
        });
        (tornado, sobol)
    };
    let (tornado, sobol) = match pool {
        Some(p) => p.install(analyse),
        None => analyse(),
    };
    let inert = match &sobol {
        Some(Ok(s)) => inert_inputs(s, spec.rule_ids.len()),
        _ => Vec::new(),
    };
    let analyses = settings
        .analyses
        .then(|| analyses::analyse_wired(case, spec, sampler, settings, pool));
    Ok(Bundle {
        settings: *settings,
        ensemble,
        tornado,
        sobol,
        inert,
        analyses,
    })
}

/// Inputs whose total index is below [`INERT_TOTAL_INDEX`] (or not a number) for each of the
/// first `scenarios` outputs.
pub fn inert_inputs(s: &Sobol, scenarios: usize) -> Vec<String> {
    s.inputs
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            s.result
                .outputs
                .iter()
                .take(scenarios)
                .filter(|o| !o.constant)
                .all(|o| {
                    let v = o.total[*i].value;
                    v.is_nan() || v < INERT_TOTAL_INDEX
                })
        })
        .map(|(_, name)| name.clone())
        .collect()
}
