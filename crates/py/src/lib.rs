//! The native half of the `leverage` Python package (`leverage._native`): cases and the engines
//! behind a small set of functions the pure-Python half (`python/leverage/__init__.py`) turns into
//! pandas DataFrames.
//!
//! This crate is a front end, as the CLI is: it reads case files (and the CSV files beside
//! them), calls the same library functions the CLI calls (`leverage_sim::pipeline::run_case`,
//! `leverage_econ::ledger`, …) and hands their results over as the same JSON the CLI prints
//! (serialised by the engines' own types) or as flat columns. Every long computation runs with
//! the GIL released. A case is picklable (its text, where it was read from and the what-if
//! values set on it), so it can be sent to the workers of a distributed engine such as Dask.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use leverage_case::{Case, DataFiles, Dist, Loaded, Problems};
use leverage_sim::ensemble::DrawSummary;
use leverage_sim::shard::{Shard, ShardRun};
use leverage_sim::{analysis, ensemble, pipeline, wiring};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

pyo3::create_exception!(
    _native,
    NativeCaseError,
    PyValueError,
    "A case with errors: args are (message, diagnostics as JSON)."
);

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string_pretty(v).map_err(value_error)
}

/// Data files relative to a case file's folder.
struct FsFiles {
    base: PathBuf,
}

impl DataFiles for FsFiles {
    fn read(&self, path: &str) -> Result<(String, String), String> {
        let p = self.base.join(path);
        let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", p.display()))?;
        Ok((p.display().to_string(), text))
    }
}

/// Where a case came from, enough to read it again (pickling).
#[derive(Clone)]
struct Origin {
    /// The file name diagnostics use; None: the default case.
    name: Option<String>,
    /// The case text.
    text: String,
    /// The folder its data files are read from.
    base: String,
    /// What-if values set on it, in order.
    overrides: Vec<(String, f64)>,
}

/// A validated case.
#[pyclass(frozen, name = "Case", module = "leverage._native")]
struct PyCase {
    case: Arc<Case>,
    warnings: String,
    origin: Origin,
}

fn problems_error(p: &Problems) -> PyErr {
    let errors: Vec<&leverage_case::Diagnostic> = p
        .diagnostics
        .iter()
        .filter(|d| d.severity == leverage_case::Severity::Error)
        .collect();
    let mut msg = String::new();
    for d in &errors {
        msg.push_str(&format!(
            "{}:{}:{}: {} [{}]",
            d.file, d.line, d.column, d.message, d.code
        ));
        if let Some(h) = &d.hint {
            msg.push_str(&format!("\n  help: {h}"));
        }
        msg.push('\n');
    }
    msg.push_str(&format!("the case has {} error(s)", errors.len()));
    let diags = serde_json::to_string(&p.diagnostics).unwrap_or_else(|_| "[]".into());
    NativeCaseError::new_err((msg, diags))
}

fn read(origin: Origin) -> PyResult<PyCase> {
    // Loaded as every front end loads a case: the format, the engines' link tables and checks.
    let loaded: Result<Loaded, Problems> = match &origin.name {
        None => leverage_sim::links::default_case(),
        Some(name) => leverage_sim::links::load(
            name,
            &origin.text,
            &FsFiles {
                base: PathBuf::from(&origin.base),
            },
        ),
    };
    let loaded = loaded.map_err(|p| problems_error(&p))?;
    let mut case = loaded.case;
    for (id, v) in &origin.overrides {
        set_param(&mut case, id, *v)?;
    }
    Ok(PyCase {
        case: Arc::new(case),
        warnings: serde_json::to_string(&loaded.warnings).map_err(value_error)?,
        origin,
    })
}

/// Fixes parameter `id` at `value` (a what-if), checked against the inputs it feeds.
fn set_param(case: &mut Case, id: &str, value: f64) -> PyResult<()> {
    let Some(p) = case.params.iter_mut().find(|p| p.id == id) else {
        let ids: Vec<&str> = case.params.iter().map(|p| p.id.as_str()).collect();
        let hint = leverage_case::did_you_mean(id, ids.iter().copied())
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default();
        return Err(PyKeyError::new_err(format!(
            "the case has no param {id:?}{hint}"
        )));
    };
    if !value.is_finite() {
        return Err(value_error(format!(
            "param {id}: {value} is not a finite number"
        )));
    }
    p.dist = Dist::Fixed { value };
    if let Some(problem) = wiring::check(case).into_iter().next() {
        return Err(value_error(format!(
            "param {id} = {value}: {}\n  help: {}",
            problem.message, problem.hint
        )));
    }
    Ok(())
}

#[pymethods]
impl PyCase {
    /// The case's id.
    #[getter]
    fn id(&self) -> String {
        self.case.case.id.clone()
    }
    /// The case's title.
    #[getter]
    fn title(&self) -> String {
        self.case.case.title.clone()
    }
    /// The what-if values set on this case, as (param, value) pairs.
    #[getter]
    fn overrides(&self) -> Vec<(String, f64)> {
        self.origin.overrides.clone()
    }
    /// The whole case as JSON (what `leverage case show --output json` prints).
    fn to_json(&self) -> PyResult<String> {
        json(&*self.case)
    }
    /// The warnings found when the case was read, as JSON.
    fn warnings_json(&self) -> String {
        self.warnings.clone()
    }
    /// A copy of the case with each param in `values` fixed at its value.
    fn with_params(&self, values: Vec<(String, f64)>) -> PyResult<PyCase> {
        let mut origin = self.origin.clone();
        origin.overrides.extend(values);
        let mut case = (*self.case).clone();
        for (id, v) in &origin.overrides[self.origin.overrides.len()..] {
            set_param(&mut case, id, *v)?;
        }
        Ok(PyCase {
            case: Arc::new(case),
            warnings: self.warnings.clone(),
            origin,
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "<leverage.Case {} ({} actors, {} issues, {} params{})>",
            self.case.case.id,
            self.case.actors.len(),
            self.case.issues.len(),
            self.case.params.len(),
            if self.origin.overrides.is_empty() {
                String::new()
            } else {
                format!(", {} what-if values", self.origin.overrides.len())
            }
        )
    }
    fn __reduce__(slf: &Bound<'_, Self>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let py = slf.py();
        let o = &slf.get().origin;
        let f = py.import("leverage._native")?.getattr("_case_from_state")?;
        let args = (
            o.name.clone(),
            o.text.clone(),
            o.base.clone(),
            o.overrides.clone(),
        );
        Ok((f.unbind(), args.into_pyobject(py)?.into_any().unbind()))
    }
}

/// Reads a case file (data files beside it), or the default case when `path` is None, or
/// `text` (data files relative to the working folder).
#[pyfunction]
#[pyo3(signature = (path=None, text=None))]
fn load_case(py: Python<'_>, path: Option<PathBuf>, text: Option<String>) -> PyResult<PyCase> {
    let origin = match (path, text) {
        (Some(p), None) => {
            let bytes = std::fs::read(&p).map_err(|e| {
                pyo3::exceptions::PyFileNotFoundError::new_err(format!(
                    "cannot read the case file {}: {e}",
                    p.display()
                ))
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| value_error(format!("{} is not UTF-8", p.display())))?;
            let base = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Origin {
                name: Some(p.display().to_string()),
                text,
                base: base.display().to_string(),
                overrides: Vec::new(),
            }
        }
        (None, Some(text)) => Origin {
            name: Some("<string>".into()),
            text,
            base: ".".into(),
            overrides: Vec::new(),
        },
        (None, None) => Origin {
            name: None,
            text: String::new(),
            base: String::new(),
            overrides: Vec::new(),
        },
        (Some(_), Some(_)) => return Err(value_error("give a path or a text, not both")),
    };
    py.detach(|| read(origin))
}

#[pyfunction]
fn _case_from_state(
    py: Python<'_>,
    name: Option<String>,
    text: String,
    base: String,
    overrides: Vec<(String, f64)>,
) -> PyResult<PyCase> {
    py.detach(|| {
        read(Origin {
            name,
            text,
            base,
            overrides,
        })
    })
}

fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(value_error("threads must be at least 1"));
        }
        b = b.num_threads(n);
    }
    b.build().map_err(value_error)
}

fn wired(case: &Case) -> PyResult<(leverage_sim::timeline::Spec, wiring::CaseSampler)> {
    let spec = wiring::spec(case).map_err(value_error)?;
    let sampler = wiring::sampler(case).map_err(value_error)?;
    Ok((spec, sampler))
}

/// Runs the pipeline (`run_case`) and returns the JSON `simulate --output json` prints and the
/// encoded bundle the run store keeps.
#[pyfunction]
#[pyo3(signature = (case, draws, seed, threads=None, tornado_draws=0, sobol_rows=0, bootstrap=0))]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    case: &PyCase,
    draws: u64,
    seed: u64,
    threads: Option<usize>,
    tornado_draws: u64,
    sobol_rows: usize,
    bootstrap: usize,
) -> PyResult<(String, Bound<'py, PyBytes>)> {
    if draws == 0 {
        return Err(value_error("draws must be at least 1"));
    }
    let c = case.case.clone();
    // As `leverage simulate` runs it: the single-run analyses in the bundle too.
    let settings = pipeline::Settings {
        draws,
        seed,
        tornado_draws,
        sobol_rows,
        bootstrap,
        analyses: true,
    };
    let sensitivity = tornado_draws > 0 || sobol_rows > 1;
    let (text, bytes) = py.detach(|| -> PyResult<(String, Vec<u8>)> {
        let pool = pool(threads)?;
        let b =
            pipeline::run_case(&c, &settings, Some(&pool), &|_| {}, None).map_err(value_error)?;
        Ok((
            json(&b.to_json(&c.case.id, sensitivity))?,
            b.encode().map_err(value_error)?,
        ))
    })?;
    Ok((text, PyBytes::new(py, &bytes)))
}

/// Flat columns of draws: their index, final scenario, sampled inputs and final values.
fn draw_columns<'py>(
    py: Python<'py>,
    spec: &leverage_sim::timeline::Spec,
    sampler: &wiring::CaseSampler,
    seed: u64,
    draws: &[DrawSummary],
) -> PyResult<Bound<'py, PyDict>> {
    use ensemble::DrawSampler;
    let mut inputs = Vec::with_capacity(draws.len() * sampler.uncertain.len());
    let mut values = vec![0.0; sampler.len()];
    let mut scratch = Vec::new();
    for d in draws {
        let mut rng = leverage_sim::stream::draw_rng(seed, d.draw);
        sampler.sample(&mut rng, &mut scratch, &mut values);
        inputs.extend(sampler.uncertain.iter().map(|&i| values[i]));
    }
    let name = |k: u8| {
        spec.rule_ids
            .get(k as usize)
            .cloned()
            .unwrap_or_else(|| "unclassified".into())
    };
    let out = PyDict::new(py);
    out.set_item("draw", draws.iter().map(|d| d.draw).collect::<Vec<_>>())?;
    out.set_item(
        "scenario",
        draws.iter().map(|d| name(d.scenario)).collect::<Vec<_>>(),
    )?;
    out.set_item(
        "inputs",
        sampler
            .uncertain
            .iter()
            .map(|&i| sampler.ids[i].clone())
            .collect::<Vec<_>>(),
    )?;
    out.set_item("input_values", inputs)?;
    out.set_item("outputs", ensemble::summary_names(spec))?;
    out.set_item(
        "output_values",
        draws
            .iter()
            .flat_map(|d| d.values.iter().copied())
            .collect::<Vec<f64>>(),
    )?;
    out.set_item(
        "paths",
        draws.iter().map(|d| d.path.clone()).collect::<Vec<_>>(),
    )?;
    Ok(out)
}

/// The draws `start..end` of the ensemble with `seed`: each one's sampled inputs and final
/// values, as flat columns.
#[pyfunction]
#[pyo3(signature = (case, seed, start, end, threads=None))]
fn draw_table<'py>(
    py: Python<'py>,
    case: &PyCase,
    seed: u64,
    start: u64,
    end: u64,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let c = case.case.clone();
    let (spec, sampler) = wired(&c)?;
    let draws = py.detach(|| -> PyResult<Vec<DrawSummary>> {
        let pool = pool(threads)?;
        let mut out = Vec::new();
        let mut sink = |d: &DrawSummary| out.push(d.clone());
        ensemble::run_range(
            &spec,
            &sampler,
            seed,
            start..end.max(start),
            Some(&pool),
            &|_| {},
            Some(&mut sink),
        );
        Ok(out)
    })?;
    draw_columns(py, &spec, &sampler, seed, &draws)
}

/// Shard `index` of `count` of the ensemble: its encoded [`ShardRun`] (the same file
/// `simulate --shard` writes, without a copy of the case files).
#[pyfunction]
#[pyo3(signature = (case, draws, seed, index, count, threads=None, keep_draws=true))]
#[allow(clippy::too_many_arguments)]
fn shard<'py>(
    py: Python<'py>,
    case: &PyCase,
    draws: u64,
    seed: u64,
    index: u64,
    count: u64,
    threads: Option<usize>,
    keep_draws: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let c = case.case.clone();
    let shard = Shard::new(index, count).map_err(value_error)?;
    let bytes = py.detach(|| -> PyResult<Vec<u8>> {
        let (spec, sampler) = wired(&c)?;
        let pool = pool(threads)?;
        let settings = pipeline::Settings {
            analyses: true,
            ..pipeline::Settings::ensemble(draws, seed)
        };
        leverage_sim::shard::run(
            &c,
            &spec,
            &sampler,
            &settings,
            shard,
            keep_draws,
            String::new(),
            Some(&pool),
        )
        .map_err(value_error)?
        .encode()
        .map_err(value_error)
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// Merges the shards of one run of `case` (from [`shard`] or `simulate --shard` files): the
/// JSON `simulate --output json` prints for the whole run, the encoded bundle, and the draws'
/// columns (as [`draw_table`]).
#[pyfunction]
fn merge<'py>(
    py: Python<'py>,
    case: &PyCase,
    shards: Vec<Vec<u8>>,
) -> PyResult<(String, Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
    let c = case.case.clone();
    let (spec, sampler) = wired(&c)?;
    let (text, bytes, merged) = py.detach(|| -> PyResult<_> {
        let runs = shards
            .iter()
            .enumerate()
            .map(|(i, b)| ShardRun::decode(b, &format!("shard #{i}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(value_error)?;
        let merged = leverage_sim::shard::merge(runs).map_err(value_error)?;
        if merged.case_hash != pipeline::case_hash(&c).map_err(value_error)? {
            return Err(value_error(
                "the shards were run on another case (or other what-if values) than this one",
            ));
        }
        let b = pipeline::bundle_of(&c, &spec, &merged.settings, &merged.aggregates)
            .ok_or_else(|| value_error("the shards' aggregates do not fit this case"))?;
        Ok((
            json(&b.to_json(&c.case.id, false))?,
            b.encode().map_err(value_error)?,
            merged,
        ))
    })?;
    let cols = draw_columns(py, &spec, &sampler, merged.settings.seed, &merged.draws)?;
    Ok((text, PyBytes::new(py, &bytes), cols))
}

fn sobol_options(seed: u64, rows: usize, bootstrap: usize) -> analysis::Options {
    analysis::Options {
        tornado_draws: 0,
        sobol_rows: rows,
        bootstrap,
        seed,
    }
}

/// Rows `start..end` of the Sobol design of `rows` rows with `seed` (each row's evaluations).
#[pyfunction]
fn sobol_rows(
    py: Python<'_>,
    case: &PyCase,
    seed: u64,
    rows: usize,
    start: usize,
    end: usize,
) -> PyResult<Vec<Vec<f64>>> {
    let c = case.case.clone();
    py.detach(|| {
        let spec = wiring::spec(&c).map_err(value_error)?;
        let ind = wiring::CaseSampler::independent(&c).map_err(value_error)?;
        analysis::sobol_rows(
            &spec,
            &ind,
            &sobol_options(seed, rows, 0),
            start..end.min(rows).max(start),
        )
        .map_err(value_error)
    })
}

/// The Sobol indices (as `simulate --sensitivity --output json` prints them under `sobol`) and
/// the inert inputs, from every row of the design in row order.
#[pyfunction]
fn sobol_from_rows(
    py: Python<'_>,
    case: &PyCase,
    seed: u64,
    bootstrap: usize,
    rows: Vec<Vec<f64>>,
) -> PyResult<(String, Vec<String>)> {
    let c = case.case.clone();
    py.detach(|| {
        let spec = wiring::spec(&c).map_err(value_error)?;
        let ind = wiring::CaseSampler::independent(&c).map_err(value_error)?;
        let n = rows.len();
        let (inputs, outputs, result) =
            analysis::sobol_from_rows(&spec, &ind, &sobol_options(seed, n, bootstrap), rows)
                .map_err(value_error)?;
        let s = pipeline::Sobol {
            inputs,
            outputs,
            result,
        };
        let inert = pipeline::inert_inputs(&s, spec.rule_ids.len());
        Ok((json(&s)?, inert))
    })
}

/// The subsidy ledger over `from..=to` (default: the case's data years), as JSON.
#[pyfunction]
#[pyo3(signature = (case, from_year=None, to_year=None))]
fn ledger(case: &PyCase, from_year: Option<i32>, to_year: Option<i32>) -> PyResult<String> {
    let c = &case.case;
    let inputs = leverage_econ::ledger_inputs(c, &leverage_econ::LedgerOptions::default())
        .map_err(value_error)?;
    let (lo, hi) = leverage_econ::inputs::data_years(c);
    let l = leverage_econ::ledger(&inputs, from_year.unwrap_or(lo), to_year.unwrap_or(hi));
    json(&serde_json::json!({
        "components": leverage_econ::ledger::Component::ALL,
        "ledger": l,
    }))
}

/// The tax maneuver's path at an oil price (USD/bbl) and crude volume (Mt), as JSON.
#[pyfunction]
#[pyo3(signature = (case, oil_price=None, volume=None))]
fn maneuver(case: &PyCase, oil_price: Option<f64>, volume: Option<f64>) -> PyResult<String> {
    let opts = leverage_econ::ManeuverOptions {
        oil_price,
        volume_mt: volume,
        ..Default::default()
    };
    let setup = leverage_econ::maneuver_inputs(&case.case, &opts).map_err(value_error)?;
    json(&leverage_econ::simulate(&setup.inputs).map_err(value_error)?)
}

/// Each issue's forecast by one model (`eu`, `smp`, `compromise`, `median`, `nbs`), as JSON.
#[pyfunction]
#[pyo3(signature = (case, model, issue=None))]
fn forecast(py: Python<'_>, case: &PyCase, model: &str, issue: Option<String>) -> PyResult<String> {
    use leverage_bargain::Model;
    let m: Box<dyn Model + Send + Sync> = match model {
        "eu" => Box::new(leverage_bargain::eu::ExpectedUtility::default()),
        "smp" => Box::new(leverage_bargain::smp::Smp::default()),
        "compromise" => Box::new(leverage_bargain::compromise::Compromise),
        "median" => Box::new(leverage_bargain::median::Median),
        "nbs" => Box::new(leverage_bargain::nbs::Nbs),
        other => {
            return Err(value_error(format!(
                "no model {other:?}: expected eu, smp, compromise, median or nbs"
            )));
        }
    };
    let c = case.case.clone();
    py.detach(|| {
        let issues: Vec<&leverage_case::Issue> = c
            .issues
            .iter()
            .filter(|i| issue.as_deref().is_none_or(|id| i.id == id))
            .collect();
        if issues.is_empty() {
            return Err(PyKeyError::new_err(format!(
                "the case has no issue {:?}",
                issue.unwrap_or_default()
            )));
        }
        let out: Vec<serde_json::Value> = issues
            .iter()
            .map(|i| {
                let problem = leverage_bargain::problem_from_issue(&c, i);
                let f = m.forecast(&problem);
                Ok(serde_json::json!({
                    "issue": i.id, "model": model, "actors": problem.names, "forecast": f,
                }))
            })
            .collect::<PyResult<_>>()?;
        json(&out)
    })
}

/// The case's integration ultimatum solved by `spe` or `qre` (at `lambda`, else traced to its
/// limit): each outcome reached, with its probability and payoffs, as JSON.
#[pyfunction]
#[pyo3(signature = (case, solver="spe", lambda_=None))]
fn game(case: &PyCase, solver: &str, lambda_: Option<f64>) -> PyResult<String> {
    use leverage_games::templates;
    let c = &case.case;
    let (inp, _) = wiring::ultimatum_inputs(c).map_err(value_error)?;
    inp.validate().map_err(value_error)?;
    let g = templates::try_ultimatum_between(&inp, c.patron_name(), c.client_name())
        .map_err(value_error)?;
    let profile = match solver {
        "spe" => {
            leverage_games::BackwardInduction::default()
                .solve_values(&g)
                .map_err(value_error)?
                .profile
        }
        "qre" => {
            match lambda_ {
                Some(l) => leverage_games::logit_at(&g, l),
                None => leverage_games::logit_limit(&g, &leverage_games::LimitOptions::default()),
            }
            .map_err(value_error)?
            .profile
        }
        other => {
            return Err(value_error(format!(
                "no solver {other:?}: expected spe or qre"
            )));
        }
    };
    let outs = leverage_games::labelled_outcomes(&g, &profile).map_err(value_error)?;
    let rows: Vec<serde_json::Value> = outs
        .iter()
        .map(|(label, p, u)| {
            serde_json::json!({
                "outcome": label,
                "outcome_type": templates::outcome_type_of(label),
                "probability": p,
                "payoffs": u,
            })
        })
        .collect();
    json(&rows)
}

/// The ensemble of `case` scored against an outcomes file (Brier and log scores, calibration,
/// issue errors), as JSON.
#[pyfunction]
#[pyo3(signature = (case, outcomes, draws, seed, threads=None))]
fn score(
    py: Python<'_>,
    case: &PyCase,
    outcomes: PathBuf,
    draws: u64,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let text = std::fs::read_to_string(&outcomes).map_err(|e| {
        pyo3::exceptions::PyFileNotFoundError::new_err(format!(
            "cannot read the outcomes file {}: {e}",
            outcomes.display()
        ))
    })?;
    let c = case.case.clone();
    let name = outcomes.display().to_string();
    py.detach(|| {
        let o = leverage_case::outcomes::parse(&text, &name)
            .and_then(|o| leverage_case::outcomes::validate_against(&o, &c).map(|()| o))
            .map_err(|p| problems_error(&p))?;
        let pool = pool(threads)?;
        let b = pipeline::run_case(
            &c,
            &pipeline::Settings::ensemble(draws, seed),
            Some(&pool),
            &|_| {},
            None,
        )
        .map_err(value_error)?;
        json(&analysis::score(&b.ensemble, &o).map_err(value_error)?)
    })
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCase>()?;
    m.add("NativeCaseError", m.py().get_type::<NativeCaseError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(load_case, m)?)?;
    m.add_function(wrap_pyfunction!(_case_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(draw_table, m)?)?;
    m.add_function(wrap_pyfunction!(shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(sobol_rows, m)?)?;
    m.add_function(wrap_pyfunction!(sobol_from_rows, m)?)?;
    m.add_function(wrap_pyfunction!(ledger, m)?)?;
    m.add_function(wrap_pyfunction!(maneuver, m)?)?;
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    m.add_function(wrap_pyfunction!(game, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    Ok(())
}
