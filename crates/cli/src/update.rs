//! `leverage update`: a stored run reweighted by an evidence file, saved as a new run linked to
//! its parent (docs/updating.md).
//!
//! The run's case comes from the store (the files it was read from are archived with it), its
//! draws are recomputed from the seed (and checked against the stored ones), the evidence is
//! read and checked against the case, and `leverage_sim::update` does the arithmetic. An updated
//! run can be updated again: its evidence and the new file are applied together to the draws it
//! used, which equals updating in two steps.

use std::path::PathBuf;
use std::time::Instant;

use comfy_table::Cell;
use leverage_case::evidence::{self, Evidence, Observed};
use leverage_sim::update::{self, Update};
use leverage_sim::wiring;
use leverage_store::{RunRef, Store};
use serde_json::json;

use crate::args::Output;
use crate::show::table;
use crate::sim::{open_store, pool, right, store_path, wiring_error};
use crate::user;
use crate::{Failure, Result, diagnostics, io, pretty_json};

/// `leverage update`.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The run to update: an id from `leverage runs list`, or `latest`.
    #[arg(long, value_name = "N")]
    pub run: String,
    /// The evidence file (TOML; docs/updating.md).
    #[arg(long, value_name = "FILE")]
    pub evidence: PathBuf,
    /// Below this effective sample size, fresh draws of the run are added.
    #[arg(long, default_value_t = 1_000.0)]
    pub min_ess: f64,
    /// The most draws the update may use, the run's own included (default: 10 × the run's).
    #[arg(long, value_name = "N")]
    pub max_draws: Option<u64>,
    /// Worker threads (default: all cores; at most 4 × the cores).
    #[arg(long, value_parser = crate::args::threads)]
    pub threads: Option<usize>,
    /// The run store (default: $LEVERAGE_STORE, else ~/.local/share/leverage/runs.sqlite).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Do not save the updated run.
    #[arg(long)]
    pub no_store: bool,
    /// table (default) or json.
    #[arg(long, value_enum)]
    pub output: Option<Output>,
}

/// Reads an evidence text and checks it against the case.
fn read_evidence(text: &str, name: &str, case: &leverage_case::Case) -> Result<Evidence> {
    evidence::parse(text, name)
        .and_then(|e| evidence::validate_against(&e, case).map(|()| e))
        .map_err(|p| {
            let mut msg = diagnostics::render(&p);
            msg.push_str(&format!("error: {name} has {} error(s)\n", p.error_count()));
            Failure::User(msg)
        })
}

/// What an updated run keeps in its extras under `"update"`.
fn chain(run: &leverage_store::Run) -> (i64, Vec<(String, String)>) {
    let u = &run.extras["update"];
    let root = u["root"].as_i64().unwrap_or(run.id.0);
    let files = u["evidence"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    Some((
                        f["name"].as_str()?.to_string(),
                        f["text"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    (root, files)
}

/// Checks the recomputed draws against the ones the root run stored: the same engine made them.
fn check_draws(store: &Store, root: i64, u: &Update) -> Result<()> {
    let last = (u.scenarios.len() - 1) as u32;
    let mut mismatch = None;
    store
        .for_each_draw(RunRef::from(root), |d| {
            if let Some(&s) = u.final_scenarios.get(d.draw as usize) {
                let s = if s == leverage_sim::timeline::UNCLASSIFIED {
                    last
                } else {
                    u32::from(s)
                };
                if s != d.scenario && mismatch.is_none() {
                    mismatch = Some((d.draw, d.scenario, s));
                }
            }
            Ok::<(), leverage_store::StoreError>(())
        })
        .map_err(|e| user(e.to_string()))?;
    match mismatch {
        None => Ok(()),
        Some((draw, stored, now)) => Err(user(format!(
            "run {root}'s draw {draw} ended in scenario {stored} when stored and {now} when recomputed: this version of the engine does not reproduce the run\n  help: run the case again (`leverage simulate`) and update the new run"
        ))),
    }
}

/// Refuses a new evidence file (the last) that observes an observable on a date the run's
/// earlier evidence already observed: applied twice, one reading would count double.
fn refuse_repeats(
    evidences: &[Evidence],
    files: &[(String, String)],
    parent: i64,
    root: i64,
) -> Result<()> {
    let Some((new, earlier)) = evidences.split_last() else {
        return Ok(());
    };
    for o in &new.observations {
        let seen = earlier.iter().zip(files).find(|(e, _)| {
            e.observations
                .iter()
                .any(|p| p.observable == o.observable && p.date == o.date)
        });
        if let Some((_, (name, _))) = seen {
            return Err(user(format!(
                "{}: {} on {} is already in run {parent}'s evidence (from {name}); applied again it would count twice\n  help: update run {parent} with new observations only; to correct a reading, update run {root} (before any evidence) with the corrected files",
                files[files.len() - 1].0,
                o.observable,
                o.date
            )));
        }
    }
    Ok(())
}

/// `leverage update`.
pub fn run(a: UpdateArgs) -> Result<()> {
    let t0 = Instant::now();
    let path = store_path(a.store.as_deref())?;
    let mut store = open_store(&path, !a.no_store)?;
    let run_ref: RunRef = a.run.parse().map_err(|e| {
        user(format!(
            "{e}\n  help: give a run id from `leverage runs list`, or `latest`"
        ))
    })?;
    let parent = store.show(run_ref).map_err(|e| user(e.to_string()))?;
    let loaded = io::load_archived_case(&parent.extras["case"])?;
    let case = &loaded.case;
    let (root, mut files) = chain(&parent);
    let text = crate::io::read_input_text(&a.evidence).map_err(|e| {
        user(format!(
            "cannot read the evidence file {}: {e}\n  help: check the path",
            a.evidence.display()
        ))
    })?;
    files.push((a.evidence.display().to_string(), text));
    let mut evidences = Vec::new();
    for (name, text) in &files {
        evidences.push(read_evidence(text, name, case)?);
    }
    refuse_repeats(&evidences, &files, parent.id.0, root)?;
    let spec = wiring::spec(case).map_err(wiring_error)?;
    let sampler = wiring::sampler(case).map_err(wiring_error)?;
    let signs = crate::watch::resolve_signs(case, &spec, &sampler)?;
    let obs: Vec<update::Obs> = evidences
        .iter()
        .flat_map(|e| update::observations(case, &signs, e))
        .collect();
    if a.min_ess.is_nan() || a.min_ess < 0.0 {
        return Err(user("--min-ess must be a number at least 0".into()));
    }
    let prior_draws = parent.meta.n_draws;
    let opts = update::Options {
        min_ess: a.min_ess,
        max_draws: a.max_draws.unwrap_or(prior_draws.saturating_mul(10)),
    };
    let pool = pool(a.threads)?;
    let u = update::update(
        &spec,
        &sampler,
        parent.meta.seed,
        prior_draws,
        &obs,
        &opts,
        Some(&pool),
    )
    .map_err(|e| {
        user(format!(
            "{e}\n  help: check the evidence's values and errors against the run (`leverage watch` shows what the model expects); a wider error admits more draws"
        ))
    })?;
    check_draws(&store, root, &u)?;
    let secs = t0.elapsed().as_secs_f64();
    let mut saved = None;
    if !a.no_store {
        let mut meta = parent.meta.clone();
        meta.n_draws = u.draws;
        meta.keep_draws = false;
        meta.command_line = std::env::args().collect();
        meta.started_unix_ms = leverage_store::now_unix_ms();
        let bundle = store
            .bundle(RunRef::Id(parent.id))
            .map_err(|e| user(e.to_string()))?;
        let mut new = leverage_store::NewRun {
            meta,
            draws: leverage_store::DrawSpool::new()
                .map_err(|e| Failure::Internal(format!("a temporary file: {e}")))?,
            extras: Some(json!({
                "case": parent.extras["case"],
                "update": {
                    "parent": parent.id.0,
                    "root": root,
                    "evidence": files.iter().map(|(n, t)| json!({"name": n, "text": t})).collect::<Vec<_>>(),
                    "result": u,
                },
            })),
            bundle,
            aggregates: parent.aggregates.clone(),
            timings: json!({ "update_s": secs }),
        };
        saved = Some(store.save(&mut new).map_err(|e| user(e.to_string()))?);
    }
    eprintln!(
        "updated run {} with {} observation(s) in {:.2} s on {} thread(s){}",
        parent.id,
        obs.len(),
        secs,
        pool.current_num_threads(),
        match saved {
            Some(id) => format!("; saved as run {id} in {}", path.display()),
            None => String::new(),
        }
    );
    match a.output.unwrap_or(Output::Table) {
        Output::Json => println!(
            "{}",
            pretty_json(
                &json!({"parent": parent.id.0, "run": saved.map(|i| i.0), "update": u, "evidence": evidences})
            )?
        ),
        _ => print(case, &u, &evidences, parent.id.0, saved.map(|i| i.0)),
    }
    Ok(())
}

fn pct(e: &update::Estimate) -> String {
    format!(
        "{:.1} ({:.1}–{:.1})",
        100.0 * e.p,
        100.0 * e.lo,
        100.0 * e.hi
    )
}

/// Prints an update: what was observed, the sample's health, prior against posterior.
pub fn print(
    case: &leverage_case::Case,
    u: &Update,
    evidences: &[Evidence],
    parent: i64,
    saved: Option<i64>,
) {
    println!(
        "{} updated with evidence{}: run {parent}{}.",
        case.case.title,
        if evidences.len() > 1 {
            " (all files of the chain)"
        } else {
            ""
        },
        saved.map_or(String::new(), |s| format!(" → run {s}"))
    );
    let mut t = table(&[
        "observable",
        "date",
        "observed",
        "error",
        "origin",
        "prior",
        "posterior",
    ]);
    let mut j = 0;
    for e in evidences {
        for o in &e.observations {
            let (prior, post) = u
                .observed
                .get(j)
                .map_or((f64::NAN, f64::NAN), |x| (x.1, x.2));
            j += 1;
            let binary = matches!(o.observed, Observed::Sign(_));
            let f = |x: f64| {
                if binary {
                    format!("{:.1} %", 100.0 * x)
                } else {
                    format!("{x:.2}")
                }
            };
            t.add_row(vec![
                Cell::new(&o.observable),
                Cell::new(o.date.to_string()),
                Cell::new(o.observed_text()),
                Cell::new(o.error_text(case)),
                Cell::new(o.origin_text()),
                right(f(prior)),
                right(f(post)),
            ]);
        }
    }
    println!("{t}");
    println!("{}", u.health());
    let last = u.years.len() - 1;
    let mut t = table(&[
        "scenario, %",
        &format!("{} prior (95 %)", u.years[last]),
        &format!("{} posterior (95 %)", u.years[last]),
    ]);
    for (k, name) in u.scenarios.iter().enumerate() {
        t.add_row(vec![
            Cell::new(name),
            right(pct(&u.prior[last][k])),
            right(pct(&u.posterior[last][k])),
        ]);
    }
    println!("Scenario probabilities at the horizon, prior against posterior:");
    println!("{t}");
    let mut headers = vec!["prior → posterior, %".to_string()];
    headers.extend(u.years.iter().map(|y| y.to_string()));
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = table(&h);
    for (k, name) in u.scenarios.iter().enumerate() {
        let mut row = vec![Cell::new(name)];
        for y in 0..u.years.len() {
            row.push(right(format!(
                "{:.1} → {:.1}",
                100.0 * u.prior[y][k].p,
                100.0 * u.posterior[y][k].p
            )));
        }
        t.add_row(row);
    }
    println!("By year:");
    println!("{t}");
    let mut t = table(&["at the horizon", "prior 5–50–95 %", "posterior 5–50–95 %"]);
    for b in &u.bands {
        let f = |q: &[f64; 3]| format!("{:.2} · {:.2} · {:.2}", q[0], q[1], q[2]);
        t.add_row(vec![
            Cell::new(&b.name),
            right(f(&b.prior)),
            right(f(&b.posterior)),
        ]);
    }
    println!("{t}");
}

/// The update a stored run keeps, with its evidence files (`None` for a run not updated).
pub fn stored(
    run: &leverage_store::Run,
    case: &leverage_case::Case,
) -> Result<Option<(Update, Vec<Evidence>)>> {
    let u = &run.extras["update"];
    if u.is_null() {
        return Ok(None);
    }
    let result: Update = serde_json::from_value(u["result"].clone()).map_err(|e| {
        Failure::Internal(format!("run {}: its update cannot be read: {e}", run.id))
    })?;
    let mut evidences = Vec::new();
    for (name, text) in &chain(run).1 {
        evidences.push(read_evidence(text, name, case)?);
    }
    Ok(Some((result, evidences)))
}

/// `runs show` of an updated run: the same tables, from what the run keeps.
pub fn show_updated(run: &leverage_store::Run) -> Result<bool> {
    let loaded = io::load_archived_case(&run.extras["case"])?;
    let Some((result, evidences)) = stored(run, &loaded.case)? else {
        return Ok(false);
    };
    let parent = run.extras["update"]["parent"].as_i64().unwrap_or(0);
    print(&loaded.case, &result, &evidences, parent, Some(run.id.0));
    Ok(true)
}
