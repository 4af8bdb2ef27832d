//! `leverage watch`: what to watch, and what each sign would mean — the case's observables
//! ranked by how well they tell each scenario from the others (`leverage_sim::watch`).

use std::path::PathBuf;

use comfy_table::Cell;
use leverage_sim::watch::{self, Condition, Watch};
use leverage_sim::{signs, wiring};
use leverage_store::RunRef;

use crate::args::Output;
use crate::show::table;
use crate::sim::{open_store, pool, right, store_path, wiring_error};
use crate::user;
use crate::{Result, io, pretty_json};

/// The draws a command reads: a case file's (or the embedded case's) with a seed and a number
/// of draws, or a stored run's.
#[derive(Debug, clap::Args)]
pub struct Draws {
    /// The case file (default: the embedded case).
    #[arg(long, value_name = "FILE", conflicts_with = "run")]
    pub case: Option<PathBuf>,
    /// Number of draws [default: 20000] (a stored run has its own).
    #[arg(short = 'n', long = "draws", conflicts_with = "run")]
    pub draws: Option<u64>,
    /// Seed [default: 42] (a stored run has its own).
    #[arg(long, conflicts_with = "run")]
    pub seed: Option<u64>,
    /// Use a stored run instead (its case, seed and draws).
    #[arg(long, value_name = "N")]
    pub run: Option<String>,
    /// The run store, with --run.
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 4 × the cores).
    #[arg(long, value_parser = crate::args::threads)]
    pub threads: Option<usize>,
}

impl Draws {
    /// The case, seed, number of draws and the thread pool.
    pub fn load(&self) -> Result<(leverage_case::Loaded, u64, u64, rayon::ThreadPool)> {
        let pool = pool(self.threads)?;
        let (loaded, seed, draws) = match &self.run {
            Some(r) => {
                let s = open_store(&store_path(self.store.as_deref())?, false)?;
                let r: RunRef = r.parse().map_err(|e| {
                    user(format!(
                        "{e}\n  help: give a run id from `leverage runs list`, or `latest`"
                    ))
                })?;
                let run = s.show(r).map_err(|e| user(e.to_string()))?;
                let loaded = io::load_archived_case(&run.extras["case"])?;
                (loaded, run.meta.seed, run.meta.n_draws)
            }
            None => {
                let draws = self.draws.unwrap_or(20_000);
                if draws == 0 {
                    return Err(user("-n must be at least 1".into()));
                }
                let seed = self.seed.unwrap_or(42);
                (io::load_case(self.case.as_deref())?, seed, draws)
            }
        };
        Ok((loaded, seed, draws, pool))
    }
}

/// `leverage watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub draws: Draws,
    /// Signs shown per scenario.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// table (default) or json.
    #[arg(long, value_enum)]
    pub output: Option<Output>,
}

/// The case's observables, resolved for its wiring.
pub fn resolve_signs(
    case: &leverage_case::Case,
    spec: &leverage_sim::timeline::Spec,
    sampler: &wiring::CaseSampler,
) -> Result<Vec<signs::Sign>> {
    signs::resolve(case, spec, &sampler.ids).map_err(|e| {
        user(format!(
            "{e}\n  help: declare what can be observed with [[observable]] (docs/case-format.md)"
        ))
    })
}

/// Computes the signposts of a case.
pub fn compute(
    case: &leverage_case::Case,
    seed: u64,
    draws: u64,
    pool: &rayon::ThreadPool,
) -> Result<Watch> {
    let spec = wiring::spec(case).map_err(wiring_error)?;
    let sampler = wiring::sampler(case).map_err(wiring_error)?;
    let signs = resolve_signs(case, &spec, &sampler)?;
    Ok(watch::watch(
        &spec,
        &sampler,
        seed,
        draws,
        &signs,
        Some(pool),
    ))
}

/// A condition in words.
pub fn condition(c: &Condition) -> String {
    match c {
        Condition::Happens => "happens".into(),
        Condition::AtLeast(t) => format!("≥ {t:.2}"),
    }
}

/// `leverage watch`.
pub fn run(a: WatchArgs) -> Result<()> {
    let (loaded, seed, draws, pool) = a.draws.load()?;
    let case = &loaded.case;
    let w = compute(case, seed, draws, &pool)?;
    if a.output == Some(Output::Json) {
        println!("{}", pretty_json(&w)?);
        return Ok(());
    }
    println!(
        "What to watch in {} ({} draws, seed {}): for each scenario at {}, the signs that best tell it from the others. LR seen / not seen: how the odds of the scenario move when the sign is seen or is not; bits: what watching it tells on average; from: the first year a ratio reaches 2 or ½.",
        case.case.title,
        w.draws,
        w.seed,
        w.years.last().copied().unwrap_or_default()
    );
    for s in &w.scenarios {
        println!("\n{} ({:.1} % at the horizon)", s.scenario, 100.0 * s.p);
        let mut t = table(&[
            "sign",
            "year",
            "condition",
            "P(|scenario)",
            "P(|other)",
            "LR seen",
            "LR not seen",
            "bits",
            "from",
        ]);
        for sp in s.signs.iter().take(a.top) {
            t.add_row(vec![
                Cell::new(&sp.label),
                right(sp.year.to_string()),
                Cell::new(condition(&sp.condition)),
                right(format!("{:.2}", sp.p_given)),
                right(format!("{:.2}", sp.p_given_not)),
                right(format!("{:.2}", sp.lr_seen)),
                right(format!("{:.2}", sp.lr_not_seen)),
                right(format!("{:.3}", sp.bits)),
                right(sp.informative_from.map_or("—".into(), |y| y.to_string())),
            ]);
        }
        println!("{t}");
    }
    Ok(())
}
