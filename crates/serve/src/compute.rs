//! Running the pipeline for the dashboard: ensembles that grow in chunks and can be cancelled.
//!
//! An ensemble of N draws with seed S is the merge of its draws' aggregates in any split of
//! `0..N` ([`leverage_sim::ensemble::Partial`]), so the dashboard's quick answer (the first
//! draws) and its refinement (more draws) are one ensemble computed in chunks: the refinement
//! starts from the aggregates the quick answer left in a small cache, and between chunks it
//! checks whether a newer request of the same client has superseded it. The finished ensemble
//! is [`leverage_sim::pipeline::bundle_of`]'s, the bundle `run_case` (hence `simulate`) returns
//! for the same case, draws and seed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use leverage_case::Case;
use leverage_sim::ensemble::{self, Partial};
use leverage_sim::pipeline::{self, Bundle, Settings};
use leverage_sim::timeline::Spec;
use leverage_sim::wiring::{self, CaseSampler};

/// Draws per chunk: the grain of cancellation and of the cache.
pub const CHUNK: u64 = 2_000;

/// Cached aggregates kept at most.
const CACHE: usize = 6;

/// A wired case with the aggregates of its first draws under one seed.
struct Entry {
    key: (String, u64),
    spec: Arc<Spec>,
    sampler: Arc<CaseSampler>,
    partial: Partial,
}

/// Why a run did not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A newer request of the same client superseded it.
    Cancelled,
    /// The case cannot be simulated (the wiring's message).
    Wiring(String),
}

/// The dashboard's engine room: a thread pool, the cache of aggregates and each client's
/// latest request.
pub struct Engine {
    pool: rayon::ThreadPool,
    cache: Mutex<Vec<Entry>>,
    generations: Mutex<HashMap<String, Arc<AtomicU64>>>,
}

/// A ticket for one request of a client: stale once the client asks again.
pub struct Ticket {
    seq: u64,
    current: Arc<AtomicU64>,
}

impl Ticket {
    /// True when a newer request of the same client came in.
    pub fn stale(&self) -> bool {
        self.current.load(Ordering::SeqCst) != self.seq
    }
}

impl Engine {
    /// An engine running in `pool`.
    pub fn new(pool: rayon::ThreadPool) -> Self {
        Engine {
            pool,
            cache: Mutex::new(Vec::new()),
            generations: Mutex::new(HashMap::new()),
        }
    }

    /// The pool the engines run in.
    pub fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }

    /// A ticket for a new request of `client` with sequence number `seq` (the client's own
    /// count, increasing): every older request of the client becomes stale. A request older
    /// than one already seen is stale at once.
    pub fn ticket(&self, client: &str, seq: u64) -> Ticket {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        if g.len() > 1_000 && !g.contains_key(client) {
            g.clear();
        }
        let current = g
            .entry(client.to_string())
            .or_insert_with(|| Arc::new(AtomicU64::new(0)))
            .clone();
        current.fetch_max(seq, Ordering::SeqCst);
        Ticket { seq, current }
    }

    /// The ensemble-only bundle of `case` with `draws` draws and `seed`, computed in chunks of
    /// [`CHUNK`] draws from the cached aggregates of its first draws, checking `ticket` between
    /// chunks.
    pub fn ensemble(
        &self,
        case: &Case,
        case_hash: &str,
        draws: u64,
        seed: u64,
        ticket: &Ticket,
    ) -> Result<Bundle, Stop> {
        let key = (case_hash.to_string(), seed);
        let cached = {
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            // The entry with the most draws not beyond those asked for.
            c.iter()
                .position(|e| e.key == key && e.partial.draws() + e.partial.failed() <= draws)
                .map(|i| c.remove(i))
        };
        let mut entry = match cached {
            Some(e) => e,
            None => {
                let spec = wiring::spec(case).map_err(|e| Stop::Wiring(e.to_string()))?;
                let sampler = wiring::sampler(case).map_err(|e| Stop::Wiring(e.to_string()))?;
                let partial = Partial::empty(&spec);
                Entry {
                    key,
                    spec: Arc::new(spec),
                    sampler: Arc::new(sampler),
                    partial,
                }
            }
        };
        let mut done = entry.partial.draws() + entry.partial.failed();
        while done < draws {
            if ticket.stale() {
                self.keep(entry);
                return Err(Stop::Cancelled);
            }
            let end = (done + CHUNK).min(draws);
            let part = ensemble::run_range(
                &entry.spec,
                entry.sampler.as_ref(),
                seed,
                done..end,
                Some(&self.pool),
                &|_| {},
                None,
            );
            entry.partial.merge(&part);
            done = end;
        }
        let settings = Settings::ensemble(draws, seed);
        let bundle = pipeline::bundle_of(case, &entry.spec, &settings, &entry.partial)
            .ok_or_else(|| Stop::Wiring("the ensemble's aggregates do not fit the case".into()));
        self.keep(entry);
        bundle
    }

    fn keep(&self, e: Entry) {
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        c.insert(0, e);
        c.truncate(CACHE);
    }

    /// The full bundle of `case` (ensemble, single-run analyses and, with `sensitivity`, the
    /// tornado and the Sobol indices with the report's defaults): [`pipeline::run_case`], the
    /// same call `simulate` and `report` make.
    pub fn full(
        &self,
        case: &Case,
        draws: u64,
        seed: u64,
        sensitivity: bool,
    ) -> Result<Bundle, Stop> {
        let mut settings = leverage_report::default_settings();
        settings.draws = draws;
        settings.seed = seed;
        if !sensitivity {
            settings.tornado_draws = 0;
            settings.sobol_rows = 0;
        }
        pipeline::run_case(case, &settings, Some(&self.pool), &|_| {}, None)
            .map_err(|e| Stop::Wiring(e.to_string()))
    }
}
