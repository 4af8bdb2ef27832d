//! `simulate --shard K/N --out FILE` and `runs merge`: one ensemble's draws split over
//! processes or machines, and the shards merged into the run one machine would have made (the
//! engine's side is `leverage_sim::shard`).

use std::path::PathBuf;
use std::time::Instant;

use leverage_case::Loaded;
use leverage_sim::shard::{self, Shard, ShardRun};
use leverage_sim::{pipeline, wiring};

use crate::args::Output;
use crate::sim::{self, SimArgs};
use crate::user;
use crate::{Failure, Result, io};

/// `simulate --shard K/N --out FILE`: runs the shard's draws and writes them with their
/// aggregates to FILE, for `runs merge`.
pub fn simulate(
    loaded: &Loaded,
    archive: &serde_json::Value,
    a: &SimArgs,
    shard: Shard,
) -> Result<()> {
    let out = a
        .out
        .as_deref()
        .ok_or_else(|| user("--shard needs --out FILE: the file the shard is written to".into()))?;
    if out.exists() && !a.force {
        return Err(io::refuse_overwrite(out, "--out"));
    }
    let case = &loaded.case;
    let settings = pipeline::Settings {
        analyses: true,
        ..pipeline::Settings::ensemble(a.draws, a.seed)
    };
    shard
        .check_draws(a.draws)
        .map_err(|e| user(format!("--shard {shard}: {e}")))?;
    let spec = wiring::spec(case).map_err(sim::wiring_error)?;
    let sampler = wiring::sampler(case).map_err(sim::wiring_error)?;
    let pool = sim::pool(a.threads)?;
    let t0 = Instant::now();
    let archive =
        serde_json::to_string(archive).map_err(|e| Failure::Internal(format!("JSON: {e}")))?;
    let run = shard::run(
        case,
        &spec,
        &sampler,
        &settings,
        shard,
        !a.no_draws,
        archive,
        Some(&pool),
    )
    .map_err(|e| user(format!("--shard {shard}: {e}")))?;
    let secs = t0.elapsed().as_secs_f64();
    let bytes = run
        .encode()
        .map_err(|e| Failure::Internal(format!("encoding the shard: {e}")))?;
    io::write_atomic(out, &bytes).map_err(|e| match e {
        Failure::Internal(m) => user(format!("cannot write the shard to {}: {m}", out.display())),
        f => f,
    })?;
    let r = shard.range(a.draws);
    eprintln!(
        "shard {shard} of {} draws (seed {}): draws {}–{} in {secs:.2} s; wrote {}",
        a.draws,
        a.seed,
        r.start,
        r.end.saturating_sub(1),
        out.display()
    );
    Ok(())
}

/// `runs merge FILE…`.
pub struct MergeArgs {
    pub files: Vec<PathBuf>,
    pub store: Option<PathBuf>,
    pub no_store: bool,
    pub output: Output,
}

/// `runs merge`: checks that the files are the N shards of one run, merges them, saves the run
/// (unless --no-store) and prints it as `simulate` prints the same run made on one machine.
pub fn merge(a: MergeArgs) -> Result<()> {
    let mut runs = Vec::new();
    for f in &a.files {
        let bytes = std::fs::read(f)
            .map_err(|e| user(format!("cannot read the shard file {}: {e}", f.display())))?;
        let run = ShardRun::decode(&bytes, &f.display().to_string()).map_err(|e| {
            user(format!(
                "{e}\n  help: shard files are written by `leverage simulate --shard K/N --out FILE`"
            ))
        })?;
        runs.push(run);
    }
    let merged = shard::merge(runs).map_err(|e| {
        user(format!(
            "{e}\n  help: pass every file written by `simulate --shard K/N` for K = 1 … N, with the same case, -n and --seed"
        ))
    })?;
    let archive: serde_json::Value = serde_json::from_str(&merged.case_archive)
        .map_err(|_| user("the shards keep no readable copy of their case".into()))?;
    let loaded = io::load_archived_case(&archive)?;
    let case = &loaded.case;
    if sim::case_hash(case)? != merged.case_hash {
        return Err(user(format!(
            "the case kept in the shards does not hash to the shards' case hash {}: the files are damaged",
            merged.case_hash
        )));
    }
    let spec = wiring::spec(case).map_err(sim::wiring_error)?;
    let settings = merged.settings;
    let bundle =
        pipeline::bundle_of(case, &spec, &settings, &merged.aggregates).ok_or_else(|| {
            user("the shards' aggregates do not fit their case: the files are damaged".into())
        })?;
    let mut note = String::new();
    if !a.no_store {
        let path = sim::store_path(a.store.as_deref())?;
        let mut store = sim::open_store(&path, true)?;
        let meta = sim::run_meta(case, &spec, &settings, 1, merged.keep_draws)?;
        let unclassified = (meta.scenarios.len() - 1) as u32;
        let mut draws = leverage_store::DrawSpool::new()
            .map_err(|e| Failure::Internal(format!("a temporary file for the draws: {e}")))?;
        for d in &merged.draws {
            draws
                .push(&sim::stored_draw(d, unclassified))
                .map_err(|e| {
                    user(format!(
                        "the draws could not be kept in a temporary file: {e}"
                    ))
                })?;
        }
        let id = sim::save_run(&mut store, meta, draws, &archive, &bundle, 0.0)?;
        note = format!("; saved as run {id} in {}", path.display());
    }
    eprintln!(
        "merged {} shards: {} draws of {}, seed {}{note}",
        merged.shards, settings.draws, case.case.id, settings.seed
    );
    sim::print_run(case, &spec, &bundle, a.output, false)
}
