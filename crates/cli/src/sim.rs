//! `leverage simulate`, `leverage runs` and `leverage score`: the scenario engine's ensembles,
//! the run store, and scoring against outcomes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use comfy_table::{Cell, CellAlignment};
use leverage_case::Case;
use leverage_sim::ensemble::{self, Ensemble};
use leverage_sim::{analysis, pipeline, wiring};
use leverage_store::{RunMeta, RunRef, Store};
use serde_json::json;

use crate::args::Output;
use crate::show::table;
use crate::user;
use crate::{Failure, Result, diagnostics, io, pretty_json};

/// Where runs are saved: `--store`, else `$LEVERAGE_STORE`, else
/// `$XDG_DATA_HOME/leverage/runs.sqlite` (`~/.local/share/leverage/runs.sqlite`).
pub fn store_path(arg: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = arg {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("LEVERAGE_STORE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| {
            user(
                "no place for the run store: set LEVERAGE_STORE or HOME, or pass --store FILE"
                    .into(),
            )
        })?;
    Ok(base.join("leverage").join("runs.sqlite"))
}

pub fn open_store(path: &Path, create: bool) -> Result<Store> {
    if create {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                user(format!(
                    "cannot create the folder of the run store {}: {e}\n  help: pass --store FILE or set LEVERAGE_STORE",
                    path.display()
                ))
            })?;
        }
        Store::open(path)
    } else {
        // `runs list|show|diff|export` and `report --run` only read: open read-only.
        Store::open_read_only(path)
    }
    .map_err(|e| user(e.to_string()))
}

/// The hash of a case: SHA-256 of its canonical JSON (every value, including those read from
/// CSV files), so two files that say the same thing hash the same.
pub fn case_hash(case: &Case) -> Result<String> {
    pipeline::case_hash(case).map_err(|e| Failure::Internal(format!("JSON: {e}")))
}

fn correlation_json(case: &Case) -> serde_json::Value {
    let m = case.correlation_matrix();
    json!({"params": m.params, "rho": m.rho})
}

/// Everything `simulate` needs.
pub struct SimArgs {
    pub case: Option<PathBuf>,
    pub draws: u64,
    pub seed: u64,
    pub threads: Option<usize>,
    pub output: Output,
    pub store: Option<PathBuf>,
    pub no_store: bool,
    pub no_draws: bool,
    pub sensitivity: bool,
    pub explain: Option<u64>,
    /// Run only this shard and write it to `out` (`--shard K/N --out FILE`).
    pub shard: Option<leverage_sim::shard::Shard>,
    pub out: Option<PathBuf>,
    pub force: bool,
}

/// A rayon pool with `threads` threads (default: all cores), checked as `--threads` is.
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        crate::args::threads(&n.to_string()).map_err(|e| user(format!("--threads {n}: {e}")))?;
        b = b.num_threads(n);
    }
    b.build()
        .map_err(|e| Failure::Internal(format!("thread pool: {e}")))
}

pub(crate) fn wiring_error(e: impl std::fmt::Display) -> Failure {
    user(format!(
        "{e}\n  help: docs/simulation.md lists what the timeline needs from a case"
    ))
}

/// Settings of the sensitivity analysis `--sensitivity` runs (the analysis defaults).
fn sensitivity_settings(draws: u64, seed: u64, on: bool) -> pipeline::Settings {
    if !on {
        return pipeline::Settings {
            analyses: true,
            ..pipeline::Settings::ensemble(draws, seed)
        };
    }
    let o = analysis::Options::default();
    pipeline::Settings {
        draws,
        seed,
        tornado_draws: o.tornado_draws,
        sobol_rows: o.sobol_rows,
        bootstrap: o.bootstrap,
        analyses: true,
    }
}

/// The run's record in the store.
pub fn run_meta(
    case: &Case,
    spec: &leverage_sim::timeline::Spec,
    settings: &pipeline::Settings,
    threads: usize,
    keep_draws: bool,
) -> Result<RunMeta> {
    let parameters = json!({
        "params": case.params.iter().map(|p| json!({
            "id": p.id, "dist": p.dist, "central": p.dist.central(), "unit": p.unit,
        })).collect::<Vec<_>>(),
        "coefficients": wiring::coefficient_origins(case)
            .into_iter()
            .map(|(k, v)| json!({"coefficient": k, "origin": v}))
            .collect::<Vec<_>>(),
        "correlation": correlation_json(case),
        "settings": settings,
    });
    let mut scenarios = spec.rule_ids.clone();
    scenarios.push("unclassified".into());
    Ok(RunMeta {
        case_id: case.case.id.clone(),
        case_hash: case_hash(case)?,
        case_title: case.case.title.clone(),
        parameters,
        seed: settings.seed,
        n_draws: settings.draws,
        threads: threads as u32,
        version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: std::env::args().collect(),
        started_unix_ms: leverage_store::now_unix_ms(),
        scenarios,
        value_names: ensemble::summary_names(spec),
        keep_draws,
    })
}

/// Runs the pipeline on a case and, with a store, saves the run (its meta, every draw's
/// summary and path unless `keep_draws` is false, the case it was read from, the bundle) in
/// one transaction. Returns the bundle and the run id.
#[allow(clippy::too_many_arguments)]
pub fn run_and_save(
    case: &Case,
    archive: &serde_json::Value,
    settings: &pipeline::Settings,
    pool: &rayon::ThreadPool,
    store: Option<&mut Store>,
    keep_draws: bool,
    progress: &dyn Fn(u64),
) -> Result<(pipeline::Bundle, Option<leverage_store::RunId>, f64)> {
    let spec = wiring::spec(case).map_err(wiring_error)?;
    let sampler = wiring::sampler(case).map_err(wiring_error)?;
    let t0 = Instant::now();
    let Some(store) = store else {
        let b = pipeline::run_spec(case, &spec, &sampler, settings, Some(pool), progress, None)
            .map_err(wiring_error)?;
        return Ok((b, None, t0.elapsed().as_secs_f64()));
    };
    let meta = run_meta(
        case,
        &spec,
        settings,
        pool.current_num_threads(),
        keep_draws,
    )?;
    let unclassified = (meta.scenarios.len() - 1) as u32;
    // Simulate first, keeping the draws; then save the run in one short transaction, so the
    // store's write lock is held for the copy, not for the simulation.
    // The draws wait in a temporary file, so memory stays flat however many there are.
    let mut draws = leverage_store::DrawSpool::new()
        .map_err(|e| Failure::Internal(format!("a temporary file for the draws: {e}")))?;
    let mut spool_error = None;
    let mut sink = |d: &ensemble::DrawSummary| {
        if keep_draws && spool_error.is_none() {
            if let Err(e) = draws.push(&stored_draw(d, unclassified)) {
                spool_error = Some(e);
            }
        }
    };
    let bundle = pipeline::run_spec(
        case,
        &spec,
        &sampler,
        settings,
        Some(pool),
        progress,
        Some(&mut sink),
    )
    .map_err(wiring_error)?;
    if let Some(e) = spool_error {
        return Err(user(format!(
            "the draws could not be kept in a temporary file ({e}); nothing was saved\n  help: free space in the temporary folder (TMPDIR), or run with --no-draws"
        )));
    }
    let secs = t0.elapsed().as_secs_f64();
    let id = save_run(store, meta, draws, archive, &bundle, secs)?;
    Ok((bundle, Some(id), t0.elapsed().as_secs_f64()))
}

/// A draw's summary as the run store keeps it (`unclassified`: the index the store gives the
/// draws no scenario claimed).
pub fn stored_draw(d: &ensemble::DrawSummary, unclassified: u32) -> leverage_store::DrawSummary {
    leverage_store::DrawSummary {
        draw: d.draw,
        scenario: if d.scenario == leverage_sim::timeline::UNCLASSIFIED {
            unclassified
        } else {
            u32::from(d.scenario)
        },
        values: d.values.clone(),
        path: d.path.clone(),
    }
}

/// Saves a computed run (its meta, draws, the case archive and the bundle) in one transaction;
/// a run the store refuses is written to a store file of its own.
pub fn save_run(
    store: &mut Store,
    meta: RunMeta,
    draws: leverage_store::DrawSpool,
    archive: &serde_json::Value,
    bundle: &pipeline::Bundle,
    secs: f64,
) -> Result<leverage_store::RunId> {
    let mut run = leverage_store::NewRun {
        meta,
        draws,
        extras: Some(json!({ "case": archive })),
        bundle: Some(
            bundle
                .encode()
                .map_err(|e| Failure::Internal(format!("encoding the run: {e}")))?,
        ),
        aggregates: serde_json::to_value(&bundle.ensemble)
            .map_err(|e| Failure::Internal(format!("JSON: {e}")))?,
        timings: json!({ "run_s": secs }),
    };
    let id = store.save(&mut run).map_err(|e| {
        // Never lose a computed run: write it to a store file of its own and say where.
        match leverage_store::save_elsewhere(&mut run, store.path()) {
            Ok(file) => user(format!(
                "the run could not be saved in the run store: {e}\n  it was saved in {} instead\n  help: read it with `leverage runs show latest --store {}`",
                file.display(),
                file.display()
            )),
            Err(e2) => user(format!(
                "the run could not be saved in the run store: {e}; nor in a file of its own: {e2}"
            )),
        }
    })?;
    Ok(id)
}

/// `leverage simulate`.
pub fn simulate(a: SimArgs) -> Result<()> {
    if a.draws == 0 {
        return Err(user("-n must be at least 1".into()));
    }
    let (loaded, archive) = io::load_case_archived(a.case.as_deref())?;
    diagnostics::print_warnings(&loaded);
    let case = &loaded.case;
    if let Some(k) = a.explain {
        return explain(case, a.seed, k, a.output);
    }
    if let Some(shard) = a.shard {
        return crate::shard::simulate(&loaded, &archive, &a, shard);
    }
    let pool = pool(a.threads)?;
    let threads = pool.current_num_threads();
    let mut store = None;
    let mut store_file = None;
    if !a.no_store {
        let path = store_path(a.store.as_deref())?;
        store = Some(open_store(&path, true)?);
        store_file = Some(path);
    }
    let settings = sensitivity_settings(a.draws, a.seed, a.sensitivity);
    let bar = progress_bar(a.draws);
    let (bundle, run_id, secs) = run_and_save(
        case,
        &archive,
        &settings,
        &pool,
        store.as_mut(),
        !a.no_draws,
        &|done| bar.set_position(done.min(a.draws)),
    )?;
    bar.finish_and_clear();
    let spec = wiring::spec(case).map_err(wiring_error)?;

    // Timing and the store go to stderr: stdout is the same bytes on any thread count.
    eprintln!(
        "{} draws in {:.2} s ({:.0} draws/s on {} thread{}){}",
        a.draws,
        secs,
        a.draws as f64 / secs.max(1e-9),
        threads,
        if threads == 1 { "" } else { "s" },
        match (&run_id, &store_file) {
            (Some(id), Some(f)) => format!("; saved as run {id} in {}", f.display()),
            _ => String::new(),
        }
    );
    print_run(case, &spec, &bundle, a.output, a.sensitivity)
}

/// Prints a run's bundle as `simulate` does (`runs merge` prints a merged run the same way).
pub fn print_run(
    case: &Case,
    spec: &leverage_sim::timeline::Spec,
    bundle: &pipeline::Bundle,
    output: Output,
    sensitivity: bool,
) -> Result<()> {
    let result = &bundle.ensemble;
    match output {
        Output::Json => println!(
            "{}",
            pretty_json(&bundle.to_json(&case.case.id, sensitivity))?
        ),
        Output::Csv => print!("{}", probabilities_csv(result)),
        Output::Table => {
            print_tables(case, spec, result);
            if sensitivity {
                print_sensitivity(bundle);
            }
        }
    }
    Ok(())
}

/// A crisis game's outcome in words: the client's answer, then what followed.
fn outcome_story(t: usize) -> String {
    use leverage_games::ultimatum_fast::{Answer, Kind, terminal_kind};
    let (kind, answer) = terminal_kind(t);
    let said = match answer {
        Answer::None => "",
        Answer::Stall => "stalled",
        Answer::RefuseSupported => "refused, with outside support",
        Answer::RefuseAlone => "refused, alone",
    };
    let then = match kind {
        Kind::NoDemand => return "not pressed".into(),
        Kind::Accept => return "accepted".into(),
        Kind::BackDown => "the patron backed down",
        Kind::CapitulateEconomic => "coerced, gave in",
        Kind::ResistEconomic => "coerced, resisted (subsidy cut)",
        Kind::CapitulatePressure => "pressured, gave in",
        Kind::ResistPressure => "pressured, resisted; the patron relented",
        Kind::Intervene => "pressured, resisted; the patron intervened",
    };
    format!("{said}; {then}")
}

/// `simulate --explain K`: draw K's story, year by year (the same draw as in the ensemble with
/// this seed).
fn explain(case: &Case, seed: u64, k: u64, output: Output) -> Result<()> {
    use leverage_sim::timeline::{NO_DECISION, event, implementation};
    let spec = wiring::spec(case).map_err(wiring_error)?;
    let sampler = wiring::sampler(case).map_err(wiring_error)?;
    let mut buf = ensemble::DrawBuffers::default();
    let mut path = leverage_sim::timeline::Path::new(&spec);
    if !ensemble::run_draw(&spec, &sampler, seed, k, &mut buf, &mut path) {
        return Err(user(format!(
            "draw {k} failed: its parameters could not be sampled"
        )));
    }
    let scenario = |x: u8| {
        spec.rule_ids
            .get(x as usize)
            .map_or("unclassified", String::as_str)
    };
    let terminal = |t: u8| (t != NO_DECISION).then(|| outcome_story(t as usize));
    let choices = {
        let names = |opts: &[&'static str], i: u8| opts.get(i as usize).copied().unwrap_or("?");
        json!({
            "actor_weighting": names(leverage_sim::inputs::WEIGHTING, path.choices[0]),
            "terms_model": names(leverage_sim::inputs::TERMS_MODEL, path.choices[1]),
            "gas_reference_method": names(leverage_sim::inputs::GAS_METHOD, path.choices[2]),
        })
    };
    let years: Vec<serde_json::Value> = spec
        .years
        .iter()
        .enumerate()
        .map(|(y, ey)| {
            let state: serde_json::Map<String, serde_json::Value> = spec
                .state_names
                .iter()
                .zip(path.state_at(y))
                .map(|(n, v)| (n.clone(), json!(v)))
                .collect();
            let events: Vec<&str> = event::NAMES
                .iter()
                .enumerate()
                .filter(|(b, _)| path.events[y] & (1 << b) != 0)
                .map(|(_, n)| *n)
                .collect();
            json!({
                "year": ey.year,
                "scenario": scenario(path.scenario[y]),
                "demand": path.demand[y].is_finite().then_some(path.demand[y]),
                "economic_track": terminal(path.terminal[y]),
                "military_demand": path.military_demand[y].is_finite().then_some(path.military_demand[y]),
                "military_track": terminal(path.military_terminal[y]),
                "implementation": implementation::NAMES[path.implementation[y] as usize],
                "events": events,
                "subsidy_usd_bn": path.subsidy_usd_bn[y],
                "oil_price": path.oil_price[y].is_finite().then_some(path.oil_price[y]),
                "state": state,
            })
        })
        .collect();
    let values: serde_json::Map<String, serde_json::Value> = case
        .params
        .iter()
        .zip(&buf.values)
        .filter(|(p, _)| !matches!(p.dist, leverage_case::Dist::Fixed { .. }))
        .map(|(p, v)| {
            let shown = match p.dist.options() {
                Some(o) => json!(o.get(*v as usize)),
                None => json!(v),
            };
            (p.id.clone(), shown)
        })
        .collect();
    if let Output::Json = output {
        let v = json!({"case": case.case.id, "seed": seed, "draw": k, "choices": choices,
            "parameters": values, "years": years});
        println!("{}", pretty_json(&v)?);
        return Ok(());
    }
    println!(
        "Draw {k} of case {} (seed {seed}): actors weighted {}, terms by the {} model, gas priced {}.",
        case.case.id,
        choices["actor_weighting"].as_str().unwrap_or("?"),
        choices["terms_model"].as_str().unwrap_or("?"),
        choices["gas_reference_method"].as_str().unwrap_or("?"),
    );
    for y in &years {
        let mut line = format!(
            "{}: {} · subsidy USD {:.2} bn",
            y["year"],
            y["scenario"].as_str().unwrap_or("?"),
            y["subsidy_usd_bn"].as_f64().unwrap_or(f64::NAN)
        );
        if let (Some(d), Some(t)) = (y["demand"].as_f64(), y["economic_track"].as_str()) {
            line.push_str(&format!(" · demand {d:.1} → {t}"));
        }
        if let (Some(d), Some(t)) = (y["military_demand"].as_f64(), y["military_track"].as_str()) {
            line.push_str(&format!(" · military demand {d:.1} → {t}"));
        }
        let imp = y["implementation"].as_str().unwrap_or("none");
        if imp != "none" {
            line.push_str(&format!(" · signed terms: {imp}"));
        }
        if let Some(ev) = y["events"].as_array().filter(|e| !e.is_empty()) {
            let ev: Vec<&str> = ev.iter().filter_map(|e| e.as_str()).collect();
            line.push_str(&format!(" · {}", ev.join(", ")));
        }
        println!("{line}");
        let state: Vec<String> = spec
            .state_names
            .iter()
            .map(|k| format!("{k} {:.1}", y["state"][k].as_f64().unwrap_or(f64::NAN)))
            .collect();
        println!("      {}", state.join(", "));
    }
    println!("Sampled inputs of this draw (--output json lists them all).");
    Ok(())
}

fn progress_bar(n: u64) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} simulating {bar:40} {human_pos}/{human_len} draws ({eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

/// `year,scenario,p,lo,hi,count` rows.
pub fn probabilities_csv(e: &Ensemble) -> String {
    let mut s = String::from("year,scenario,probability,wilson95_lo,wilson95_hi,count,draws\n");
    for (y, row) in e.years.iter().zip(&e.probabilities) {
        for (name, p) in e.scenarios.iter().zip(row) {
            s.push_str(&format!(
                "{y},{name},{:.6},{:.6},{:.6},{},{}\n",
                p.p, p.lo, p.hi, p.count, e.draws
            ));
        }
    }
    s
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}", 100.0 * x)
    } else {
        "—".into()
    }
}

pub(crate) fn right(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

fn print_tables(case: &Case, spec: &leverage_sim::timeline::Spec, e: &Ensemble) {
    println!(
        "Ensemble of {}: {} draws, seed {}, {}–{}.",
        case.case.id,
        e.draws,
        e.seed,
        e.years.first().copied().unwrap_or_default(),
        e.years.last().copied().unwrap_or_default()
    );
    println!(
        "Probability of each scenario at the end of each year, % (under it, the Wilson 95 % interval):"
    );
    let mut headers = vec!["scenario".to_string()];
    headers.extend(e.years.iter().map(|y| y.to_string()));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = table(&hdr);
    for (k, name) in e.scenarios.iter().enumerate() {
        let any = e.probabilities.iter().any(|r| r[k].count > 0);
        if name == "unclassified" && !any {
            continue;
        }
        let mut row = vec![Cell::new(name)];
        for r in &e.probabilities {
            let p = r[k];
            row.push(right(format!("{}\n{}–{}", pct(p.p), pct(p.lo), pct(p.hi))));
        }
        t.add_row(row);
    }
    println!("{t}");

    println!("Fan charts by year: the median, under it the 50 % band, then the 90 % band:");
    let mut fan_headers = vec!["variable"];
    fan_headers.extend(hdr.iter().skip(1));
    let mut t = table(&fan_headers);
    for (j, v) in e.fan_variables.iter().enumerate() {
        // Every level state variable (flags are in the scenario table), the subsidy and the
        // oil price when the case projects them.
        let flag = v
            .name
            .strip_prefix("state:")
            .and_then(|id| case.state(id))
            .is_some_and(|s| matches!(s.kind, leverage_case::StateKind::Flag));
        let shown =
            !flag && !v.name.starts_with("issue:") && e.fans[j].iter().any(|b| b.p50.is_finite());
        if !shown {
            continue;
        }
        let mut row = vec![Cell::new(v.name.trim_start_matches("state:"))];
        for b in &e.fans[j] {
            row.push(right(format!(
                "{:.1}\n{:.1}–{:.1}\n{:.1}–{:.1}",
                b.p50, b.p25, b.p75, b.p05, b.p95
            )));
        }
        t.add_row(row);
    }
    println!("{t}");

    let last = e.years.len().saturating_sub(1);
    println!(
        "Issue forecasts in {} (each draw's actor weighting and terms model): median [50 %] {{90 %}}:",
        e.years.last().copied().unwrap_or_default()
    );
    let mut t = table(&["issue", "forecast", "unit"]);
    for (id, b) in e.issue_bands(last) {
        let unit = case
            .issue(id)
            .and_then(|i| i.unit.as_ref())
            .map(|u| {
                let (m, lo, hi) = b.in_unit(u);
                format!("{m:.0} [{lo:.0}–{hi:.0}] {}", u.name)
            })
            .unwrap_or_default();
        t.add_row(vec![
            Cell::new(id),
            right(format!(
                "{:.1} [{:.1}–{:.1}] {{{:.1}–{:.1}}}",
                b.p50, b.p25, b.p75, b.p05, b.p95
            )),
            Cell::new(unit),
        ]);
    }
    println!("{t}");

    if e.failed > 0 {
        println!(
            "{} draw(s) failed (their parameters could not be sampled) and are left out of every share above.",
            e.failed
        );
    }
    println!(
        "The most frequent paths ({} distinct sequences of yearly scenarios):",
        e.distinct_sequences
    );
    let mut t = table(&["path", "share, % (95 % CI)"]);
    for sq in e.sequences.iter().take(8) {
        // Consecutive years in one scenario are shown once, with their years.
        let parts: Vec<String> = sq
            .runs(&e.years)
            .iter()
            .map(|(sc, a, b)| {
                if a == b {
                    format!("{sc} {a}")
                } else {
                    format!("{sc} {a}–{b}")
                }
            })
            .collect();
        t.add_row(vec![
            Cell::new(parts.join(" → ")),
            right(format!(
                "{} ({}–{})",
                pct(sq.p.p),
                pct(sq.p.lo),
                pct(sq.p.hi)
            )),
        ]);
    }
    println!("{t}");

    // How the crisis games ended, over all years, on each track.
    for (title, counts) in [
        ("economic track", &e.terminal_counts),
        ("military track", &e.military_counts),
    ] {
        let mut totals = [0u64; leverage_games::ultimatum_fast::TERMINALS + 1];
        for row in counts {
            for (a, b) in totals.iter_mut().zip(row) {
                *a += b;
            }
        }
        let decisions: u64 = totals[..leverage_games::ultimatum_fast::TERMINALS]
            .iter()
            .sum();
        if decisions == 0 {
            continue;
        }
        println!(
            "Crisis games on the {title}: {:.2} per path; how they ended (share of games):",
            decisions as f64 / e.draws.max(1) as f64
        );
        let mut t = table(&["outcome", "share, %"]);
        let mut rows: Vec<(usize, u64)> = totals[..leverage_games::ultimatum_fast::TERMINALS]
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (k, c) in rows.iter().take(6) {
            t.add_row(vec![
                Cell::new(outcome_story(*k)),
                right(pct(*c as f64 / decisions.max(1) as f64)),
            ]);
        }
        println!("{t}");
    }
    // What happened to signed terms, and the events, by year (share of paths).
    let mut headers = vec!["share of paths, %".to_string()];
    headers.extend(e.years.iter().map(|y| y.to_string()));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = table(&hdr);
    let n = e.draws.max(1) as f64;
    for (k, name) in leverage_sim::timeline::implementation::NAMES
        .iter()
        .enumerate()
        .skip(1)
    {
        let row: Vec<u64> = e.implementation_counts.iter().map(|r| r[k]).collect();
        if row.iter().any(|&c| c > 0) {
            let mut cells = vec![Cell::new(format!("signed terms: {name}"))];
            cells.extend(row.iter().map(|&c| right(pct(c as f64 / n))));
            t.add_row(cells);
        }
    }
    for (b, name) in leverage_sim::timeline::event::NAMES.iter().enumerate() {
        let row: Vec<u64> = e.event_counts.iter().map(|r| r[b]).collect();
        if row.iter().any(|&c| c > 0) {
            let mut cells = vec![Cell::new(*name)];
            cells.extend(row.iter().map(|&c| right(pct(c as f64 / n))));
            t.add_row(cells);
        }
    }
    println!("Signed terms and events by year:");
    println!("{t}");
    let _ = spec;
}

fn print_sensitivity(b: &pipeline::Bundle) {
    match &b.tornado {
        Some(Ok(ts)) => {
            println!(
                "Tornado: horizon probability (%) with each parameter at its 10th and 90th percentile, the 5 widest per scenario:"
            );
            let mut tab = table(&["scenario", "base", "parameter", "at p10", "at p90", "swing"]);
            for st in ts {
                for (i, b) in st.tornado.bars.iter().take(5).enumerate() {
                    tab.add_row(vec![
                        Cell::new(if i == 0 { st.scenario.as_str() } else { "" }),
                        right(if i == 0 {
                            pct(st.tornado.baseline)
                        } else {
                            String::new()
                        }),
                        Cell::new(&b.name),
                        right(pct(b.output_low)),
                        right(pct(b.output_high)),
                        right(pct(b.swing)),
                    ]);
                }
            }
            println!("{tab}");
        }
        Some(Err(e)) => println!("Tornado: not computed ({e})"),
        None => {}
    }
    match &b.sobol {
        Some(Ok(pipeline::Sobol {
            inputs,
            outputs,
            result: r,
        })) => {
            println!(
                "Sobol indices (first order S1 / total ST; {} evaluations, {} bootstrap resamples), the 5 largest ST per output:",
                r.evaluations, r.bootstrap
            );
            let mut tab = table(&["output", "parameter", "S1 (95 % CI)", "ST (95 % CI)"]);
            let mut outside = false;
            for (o, name) in r.outputs.iter().zip(outputs) {
                if o.constant {
                    tab.add_row(vec![
                        Cell::new(name),
                        Cell::new("(constant)"),
                        Cell::new(""),
                        Cell::new(""),
                    ]);
                    continue;
                }
                let mut idx: Vec<usize> = (0..inputs.len()).collect();
                idx.sort_by(|&a, &b| {
                    o.total[b]
                        .value
                        .total_cmp(&o.total[a].value)
                        .then(a.cmp(&b))
                });
                for (n, &i) in idx.iter().take(5).enumerate() {
                    outside |= o.first[i].outside_unit() || o.total[i].outside_unit();
                    tab.add_row(vec![
                        Cell::new(if n == 0 { name.as_str() } else { "" }),
                        Cell::new(&inputs[i]),
                        right(o.first[i].text()),
                        right(o.total[i].text()),
                    ]);
                }
            }
            println!("{tab}");
            if outside {
                println!("{}", leverage_sim::sensitivity::OUTSIDE_UNIT_NOTE);
            }
            if b.inert.is_empty() {
                println!(
                    "Every sampled input has a total index of at least {} for some scenario.",
                    pipeline::INERT_TOTAL_INDEX
                );
            } else {
                println!(
                    "Inert: {} sampled input(s) with a total index below {} for every scenario: {}",
                    b.inert.len(),
                    pipeline::INERT_TOTAL_INDEX,
                    b.inert.join(", ")
                );
            }
        }
        Some(Err(e)) => println!("Sobol indices: not computed ({e})"),
        None => {}
    }
}

/// `leverage score`.
/// The ensemble of a case with nothing else (no sensitivity analysis), quietly.
pub(crate) fn plain_ensemble(
    case: &Case,
    draws: u64,
    seed: u64,
    pool: &rayon::ThreadPool,
) -> Result<Ensemble> {
    let spec = wiring::spec(case).map_err(wiring_error)?;
    let sampler = wiring::sampler(case).map_err(wiring_error)?;
    pipeline::run_spec(
        case,
        &spec,
        &sampler,
        &pipeline::Settings::ensemble(draws, seed),
        Some(pool),
        &|_| {},
        None,
    )
    .map(|b| b.ensemble)
    .map_err(wiring_error)
}

/// Reads an outcomes file and checks it against its case.
pub(crate) fn load_outcomes(
    outcomes_path: &Path,
    case: &Case,
) -> Result<leverage_case::outcomes::Outcomes> {
    let text = crate::io::read_input_text(outcomes_path).map_err(|e| {
        user(format!(
            "cannot read the outcomes file {}: {e}\n  help: check the path",
            outcomes_path.display()
        ))
    })?;
    let name = outcomes_path.display().to_string();
    leverage_case::outcomes::parse(&text, &name)
        .and_then(|o| leverage_case::outcomes::validate_against(&o, case).map(|()| o))
        .map_err(|p| {
            let mut msg = diagnostics::render(&p);
            msg.push_str(&format!("error: {name} has {} error(s)\n", p.error_count()));
            Failure::User(msg)
        })
}

pub fn score(
    case_path: Option<&Path>,
    outcomes_path: &Path,
    draws: u64,
    seed: u64,
    threads: Option<usize>,
    output: Output,
) -> Result<()> {
    let loaded = io::load_case(case_path)?;
    let case = &loaded.case;
    let outcomes = load_outcomes(outcomes_path, case)?;
    if draws == 0 {
        return Err(user("-n must be at least 1".into()));
    }
    let ensemble = plain_ensemble(case, draws, seed, &pool(threads)?)?;
    let report = analysis::score(&ensemble, &outcomes).map_err(|e| user(e.to_string()))?;
    match output {
        Output::Json => println!("{}", pretty_json(&report)?),
        _ => print_score(case, &report, draws, seed),
    }
    Ok(())
}

fn print_score(case: &Case, r: &analysis::ScoreReport, draws: u64, seed: u64) {
    println!(
        "Scores of case {} ({} draws, seed {}) against the outcomes:",
        case.case.id, draws, seed
    );
    if let Some(s) = &r.summary {
        println!(
            "  scenarios: {} year(s), {} categories; Brier {:.4} (0 best, 2 worst; uniform forecast {:.4}), skill {:+.3}; log score {:.4} (p floored at {:.2e})",
            s.occasions,
            s.categories,
            s.brier,
            s.brier_reference,
            s.brier_skill,
            s.log_score,
            s.p_floor
        );
        let mut t = table(&["year", "realised", "p(realised), %", "Brier term"]);
        for y in &r.years {
            t.add_row(vec![
                right(y.year.to_string()),
                Cell::new(&y.realised),
                right(pct(y.probability)),
                right(format!("{:.4}", y.brier)),
            ]);
        }
        println!("{t}");
        let mut t = table(&[
            "forecast bin",
            "forecasts",
            "mean forecast",
            "observed",
            "Wilson 95 %",
        ]);
        for b in &r.calibration {
            t.add_row(vec![
                Cell::new(format!("{:.0}–{:.0} %", 100.0 * b.lo, 100.0 * b.hi)),
                right(b.count.to_string()),
                right(b.mean_forecast.map_or("—".into(), pct)),
                right(b.observed.map_or("—".into(), pct)),
                right(
                    b.wilson95
                        .map_or("—".into(), |(lo, hi)| format!("{}–{}", pct(lo), pct(hi))),
                ),
            ]);
        }
        println!("Calibration:");
        println!("{t}");
    } else {
        println!("  scenarios: the outcomes file gives no year inside the simulated years");
    }
    if let Some(s) = &r.issues {
        println!(
            "  issues: {} position(s); mean absolute error {:.2} points; in the 50 % band {:.0} %, in the 90 % band {:.0} %",
            s.n,
            s.mae,
            100.0 * s.coverage_50,
            100.0 * s.coverage_90
        );
        let mut t = table(&["issue", "year", "realised", "median [50 %] {90 %}", "error"]);
        for p in &r.positions {
            t.add_row(vec![
                Cell::new(&p.issue),
                right(p.year.to_string()),
                right(format!("{:.1}", p.realised)),
                right(format!(
                    "{:.1} [{:.1}–{:.1}] {{{:.1}–{:.1}}}",
                    p.forecast.median,
                    p.forecast.band50.0,
                    p.forecast.band50.1,
                    p.forecast.band90.0,
                    p.forecast.band90.1
                )),
                right(format!("{:.1}", p.error.abs_error)),
            ]);
        }
        println!("{t}");
    }
    if !r.skipped_years.is_empty() {
        println!(
            "  not scored (outside the simulated years): {:?}",
            r.skipped_years
        );
    }
}

/// `leverage runs list|show|diff|export`.
pub mod runs {
    use super::*;

    /// `runs list`.
    pub fn list(store: Option<&Path>, output: Output) -> Result<()> {
        let path = store_path(store)?;
        if !path.exists() {
            if output == Output::Json {
                println!("[]");
            } else {
                println!(
                    "No runs yet: {} does not exist (run `leverage simulate`).",
                    path.display()
                );
            }
            return Ok(());
        }
        let s = open_store(&path, false)?;
        let runs = s.list().map_err(|e| user(e.to_string()))?;
        match output {
            Output::Json => println!("{}", pretty_json(&runs)?),
            Output::Csv => {
                println!("id,created,case_id,case_hash,seed,draws,draws_stored,version,duration_s");
                for r in &runs {
                    println!(
                        "{},{},{},{},{},{},{},{},{:.3}",
                        r.id,
                        r.created,
                        r.case_id,
                        r.case_hash_short,
                        r.seed,
                        r.n_draws,
                        r.draws_stored,
                        r.version,
                        r.duration_s
                    );
                }
            }
            Output::Table => {
                let mut t = table(&[
                    "id", "created", "case", "hash", "seed", "draws", "stored", "version", "s",
                ]);
                for r in &runs {
                    t.add_row(vec![
                        right(r.id.to_string()),
                        Cell::new(&r.created),
                        Cell::new(&r.case_id),
                        Cell::new(&r.case_hash_short),
                        right(r.seed.to_string()),
                        right(r.n_draws.to_string()),
                        right(r.draws_stored.to_string()),
                        Cell::new(&r.version),
                        right(format!("{:.2}", r.duration_s)),
                    ]);
                }
                println!("{} run(s) in {}", runs.len(), path.display());
                println!("{t}");
            }
        }
        Ok(())
    }

    fn parse_ref(s: &str) -> Result<RunRef> {
        s.parse::<RunRef>().map_err(|e| {
            user(format!(
                "{e}\n  help: give a run id from `leverage runs list`, or `latest`"
            ))
        })
    }

    /// `runs show`.
    pub fn show(store: Option<&Path>, run: &str, output: Output) -> Result<()> {
        let s = open_store(&store_path(store)?, false)?;
        let run = s.show(parse_ref(run)?).map_err(|e| user(e.to_string()))?;
        match output {
            Output::Json => {
                let mut v = serde_json::to_value(&run)
                    .map_err(|e| Failure::Internal(format!("JSON: {e}")))?;
                if !run.extras["update"].is_null() {
                    // An updated run: its parent, evidence and posterior.
                    v["update"] = run.extras["update"].clone();
                }
                println!("{}", pretty_json(&v)?)
            }
            _ => {
                println!(
                    "Run {} of case {} ({}), hash {}: {} draws, seed {}, {} thread(s), version {}, {}",
                    run.id,
                    run.meta.case_id,
                    run.meta.case_title,
                    run.meta.case_hash,
                    run.meta.n_draws,
                    run.meta.seed,
                    run.meta.threads,
                    run.meta.version,
                    run.created
                );
                if !crate::update::show_updated(&run)? {
                    print!("{}", probabilities_csv(&crate::diff::ensemble_of(&run)?));
                }
            }
        }
        Ok(())
    }

    /// `runs diff`.
    pub fn diff(store: Option<&Path>, a: &str, b: &str, output: Output) -> Result<()> {
        let s = open_store(&store_path(store)?, false)?;
        crate::diff::run(&s, parse_ref(a)?, parse_ref(b)?, output)
    }

    /// Opens an existing store to change it (a missing one is an error, not created).
    fn open_to_change(store: Option<&Path>) -> Result<Store> {
        Store::open_existing(store_path(store)?).map_err(|e| user(e.to_string()))
    }

    /// A size in bytes for people: `812 bytes`, `3.4 kB`, `12.1 MB`.
    fn bytes(n: u64) -> String {
        match n {
            0..1_000 => format!("{n} bytes"),
            1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
            _ => format!("{:.1} MB", n as f64 / 1e6),
        }
    }

    /// What a removal took out, for the user.
    fn removed_line(r: &leverage_store::Removed, store: &Path) -> String {
        format!(
            "{} per-draw row(s) removed; {} freed inside {} for later runs (the file keeps its size)",
            r.draws,
            bytes(r.bytes_freed),
            store.display()
        )
    }

    /// `runs delete`.
    pub fn delete(store: Option<&Path>, run: &str) -> Result<()> {
        let run = parse_ref(run)?;
        let mut s = open_to_change(store)?;
        let shown = s.show(run).map_err(|e| user(e.to_string()))?;
        let r = s
            .delete_run(RunRef::Id(shown.id))
            .map_err(|e| user(e.to_string()))?;
        println!(
            "Deleted run {} (case {}, {} draws, seed {}, {}).",
            shown.id, shown.meta.case_id, shown.meta.n_draws, shown.meta.seed, shown.created
        );
        println!("{}", removed_line(&r, s.path()));
        Ok(())
    }

    /// `runs prune`.
    pub fn prune(store: Option<&Path>, keep: u64, force: bool) -> Result<()> {
        let path = store_path(store)?;
        if keep == 0 && !force {
            return Err(user(format!(
                "--keep 0 would delete every run in {}\n  help: keep at least 1 run (--keep 1), or pass --force to delete them all",
                path.display()
            )));
        }
        let mut s = open_to_change(Some(&path))?;
        let r = s.prune(keep).map_err(|e| user(e.to_string()))?;
        let left = s.list().map_err(|e| user(e.to_string()))?.len();
        let ids: Vec<String> = r.runs.iter().map(ToString::to_string).collect();
        let ids = if ids.len() > 10 {
            format!("{}, …, {}", ids[0], ids[ids.len() - 1])
        } else {
            ids.join(", ")
        };
        if r.runs.is_empty() {
            println!("Removed 0 runs: the store holds {left}, no more than --keep {keep}.");
        } else {
            println!(
                "Removed {} run(s) (ids {ids}); kept the {left} most recent.",
                r.runs.len()
            );
        }
        println!("{}", removed_line(&r, &path));
        Ok(())
    }

    /// `runs export`.
    pub fn export(store: Option<&Path>, run: &str, output: Output) -> Result<()> {
        if output == Output::Table {
            return Err(user(
                "runs export writes csv or json, not a table\n  help: use --output csv or --output json; `leverage runs show` prints a run's summary".into(),
            ));
        }
        let s = open_store(&store_path(store)?, false)?;
        let run = s.show(parse_ref(run)?).map_err(|e| user(e.to_string()))?;
        if run.draws_stored == 0 {
            let why = match run.extras["update"]["parent"].as_i64() {
                Some(p) => format!("it updates run {p} and keeps its posterior alone"),
                None => "it was saved with --no-draws".into(),
            };
            eprintln!(
                "note: run {} stores no per-draw rows ({why}), so the export has no draws\n  help: `leverage runs show {}` prints its results",
                run.id.0, run.id.0
            );
        }
        // Each draw's path: its scenario by year, by id (runs saved without paths give none).
        let scenarios = run.meta.scenarios.clone();
        let path_of = |bytes: &[u8]| -> Vec<String> {
            ensemble::decode_path(bytes)
                .iter()
                .map(|y| {
                    scenarios
                        .get(y.scenario as usize)
                        .cloned()
                        .unwrap_or_else(|| "unclassified".into())
                })
                .collect()
        };
        use std::io::Write;
        // The draws are streamed from the store as they are written: a run of millions of
        // draws is exported in constant memory.
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let json_err = |e: serde_json::Error| Failure::Internal(format!("JSON: {e}"));
        let export = |f: &mut dyn FnMut(leverage_store::DrawRecord) -> Result<()>| {
            s.export_each(RunRef::Id(run.id), f)
        };
        match output {
            Output::Json => {
                // The run's fields as one pretty JSON object, its draws spliced in one by one.
                let head = leverage_store::RunExport {
                    value_names: run.meta.value_names.clone(),
                    run: run.clone(),
                    draws: Vec::new(),
                };
                let text = pretty_json(&serde_json::to_value(&head).map_err(json_err)?)?;
                let (before, after) = text
                    .split_once("\n  \"draws\": []")
                    .ok_or_else(|| Failure::Internal("the export has no draws field".into()))?;
                write!(out, "{before}\n  \"draws\": [")?;
                let mut first = true;
                export(&mut |rec| {
                    let mut d = serde_json::to_value(&rec).map_err(json_err)?;
                    d["path"] = json!(path_of(&rec.path));
                    let item = pretty_json(&d)?;
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    for (i, line) in item.lines().enumerate() {
                        if i > 0 {
                            out.write_all(b"\n")?;
                        }
                        write!(out, "    {line}")?;
                    }
                    Ok(())
                })?;
                if !first {
                    out.write_all(b"\n  ")?;
                }
                writeln!(out, "]{after}")?;
            }
            Output::Csv | Output::Table => {
                let mut w = csv::Writer::from_writer(out);
                let csv_err = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
                let mut header = leverage_store::RunExport::header_of(&run.meta.value_names);
                header.push("path".into());
                w.write_record(header).map_err(csv_err)?;
                export(&mut |d| {
                    let mut fields = d.csv_fields();
                    fields.push(path_of(&d.path).join(" "));
                    w.write_record(fields).map_err(csv_err)
                })?;
                w.flush()?;
                return Ok(());
            }
        }
        out.flush()?;
        Ok(())
    }
}
