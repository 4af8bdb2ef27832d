//! Ensembles: N draws of the case's uncertain parameters, each run through the timeline, with
//! streaming aggregation.
//!
//! Draw *i* samples its parameters and its year-to-year shocks from its own random stream
//! ([`crate::stream::draw_rng`]`(seed, i)`), so its path does not depend on which thread runs it.
//! Draws are processed in fixed chunks of [`CHUNK`]; a batch of chunks runs in parallel (rayon)
//! and the chunk aggregates are merged in chunk order. Every aggregate is an integer count
//! (scenario counts, outcome counts, fixed-bin histograms), so the result is the same bytes on
//! one thread or many. Memory stays flat as N grows: only a batch of chunk aggregates is alive.

use rayon::prelude::*;
use serde::Serialize;

use crate::stats::{Histogram, wilson95};
use crate::timeline::{self, NO_DECISION, Path, Scratch, Spec, UNCLASSIFIED};
use leverage_games::ultimatum_fast::TERMINALS;

/// Implementation codes counted ([`crate::timeline::implementation`]).
const IMPLEMENTATION: usize = crate::timeline::implementation::NAMES.len();
/// Event bits counted ([`crate::timeline::event`]).
const EVENTS: usize = crate::timeline::event::NAMES.len();

/// Draws per chunk (the unit of parallel work and of ordered merging).
pub const CHUNK: u64 = 256;
/// Bins of the fan-chart histograms.
pub const BINS: usize = 400;

/// How to run an ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Number of draws.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
}

/// A draw's parameter sampler: fills `out` (one value per case parameter) from the draw's
/// stream.
pub trait DrawSampler: Sync {
    /// Writes one draw of every parameter into `out` (`scratch`: the sampler's own buffer);
    /// false if the draw failed (it is then counted as failed and not run).
    fn sample(
        &self,
        rng: &mut rand_chacha::ChaCha8Rng,
        scratch: &mut Vec<f64>,
        out: &mut [f64],
    ) -> bool;
    /// Number of parameters.
    fn len(&self) -> usize;
    /// True if there are no parameters.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What one draw leaves behind for the run store.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DrawSummary {
    /// Draw index.
    pub draw: u64,
    /// Scenario index at the horizon ([`UNCLASSIFIED`] if none).
    pub scenario: u8,
    /// Values named by [`Ensemble::summary_names`]: the final state, then the final forecast of
    /// every issue.
    pub values: Vec<f64>,
    /// The path, [`PATH_BYTES`] bytes a year: the scenario, the economic and the military
    /// track's terminal, what the client did with a signed deal, and the year's event bits
    /// (two bytes, little-endian).
    pub path: Vec<u8>,
}

/// Bytes a year of [`DrawSummary::path`].
pub const PATH_BYTES: usize = 6;

/// One year of a stored path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PathYear {
    /// Scenario index ([`UNCLASSIFIED`] if none).
    pub scenario: u8,
    /// The economic track's terminal ([`NO_DECISION`] if none).
    pub terminal: u8,
    /// The military track's terminal ([`NO_DECISION`] if none).
    pub military: u8,
    /// What the client did with a signed deal (`timeline::implementation`).
    pub implementation: u8,
    /// Event bits (`timeline::event`).
    pub events: u16,
}

/// Encodes a path's yearly decisions and scenarios.
pub fn encode_path(path: &Path, out: &mut Vec<u8>) {
    out.clear();
    for y in 0..path.scenario.len() {
        out.extend_from_slice(&[
            path.scenario[y],
            path.terminal[y],
            path.military_terminal[y],
            path.implementation[y],
        ]);
        out.extend_from_slice(&path.events[y].to_le_bytes());
    }
}

/// Decodes [`encode_path`]'s bytes (a trailing partial year is ignored).
pub fn decode_path(bytes: &[u8]) -> Vec<PathYear> {
    bytes
        .chunks_exact(PATH_BYTES)
        .map(|c| PathYear {
            scenario: c[0],
            terminal: c[1],
            military: c[2],
            implementation: c[3],
            events: u16::from_le_bytes([c[4], c[5]]),
        })
        .collect()
}

/// Integer aggregates of a set of draws.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
struct Agg {
    draws: u64,
    /// Draws whose parameters could not be sampled (not run, not counted in `draws`).
    failed: u64,
    /// `[year][scenario + 1]` (last: unclassified).
    scenarios: Vec<u64>,
    /// `[year][terminal + 1]` (last: no decision).
    terminals: Vec<u64>,
    /// The military track's terminals, as `terminals`.
    military: Vec<u64>,
    /// `[year][code]`: what the client did with a signed deal.
    implementation: Vec<u64>,
    /// `[year][event bit]`: paths with the event in the year.
    events: Vec<u64>,
    /// How many paths followed each sequence of yearly scenarios (stored sorted by sequence,
    /// so equal aggregates encode to equal bytes).
    #[serde(with = "sorted_counts")]
    sequences: std::collections::HashMap<Vec<u8>, u64>,
    /// `[year][variable]`: state variables, issue forecasts, subsidy USD bn, oil price.
    hist: Vec<Histogram>,
}

/// A map of counts (de)serialized as a list of pairs sorted by key.
mod sorted_counts {
    use std::collections::HashMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(m: &HashMap<Vec<u8>, u64>, s: S) -> Result<S::Ok, S::Error> {
        let mut v: Vec<(&Vec<u8>, &u64)> = m.iter().collect();
        v.sort();
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<HashMap<Vec<u8>, u64>, D::Error> {
        Ok(Vec::<(Vec<u8>, u64)>::deserialize(d)?.into_iter().collect())
    }
}

/// The variables with fan charts, and their ranges.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FanVariable {
    /// Name (`state:tension`, `issue:gas_price`, `subsidy_usd_bn`, `oil_price`).
    pub name: String,
    /// Range of the histogram.
    pub range: (f64, f64),
}

fn fan_variables(spec: &Spec) -> Vec<FanVariable> {
    let mut v: Vec<FanVariable> = spec
        .state_names
        .iter()
        .zip(&spec.bounds)
        .map(|(n, b)| FanVariable {
            name: format!("state:{n}"),
            range: *b,
        })
        .collect();
    for iss in &spec.issues {
        v.push(FanVariable {
            name: format!("issue:{}", iss.id),
            range: (0.0, 100.0),
        });
    }
    v.push(FanVariable {
        name: "subsidy_usd_bn".into(),
        range: (0.0, 20.0),
    });
    v.push(FanVariable {
        name: "oil_price".into(),
        range: (0.0, 200.0),
    });
    v
}

impl Agg {
    fn new(spec: &Spec, vars: &[FanVariable]) -> Self {
        let y = spec.n_years();
        let ns = spec.rules.len() + 1;
        Agg {
            draws: 0,
            failed: 0,
            scenarios: vec![0; y * ns],
            terminals: vec![0; y * (TERMINALS + 1)],
            military: vec![0; y * (TERMINALS + 1)],
            implementation: vec![0; y * IMPLEMENTATION],
            events: vec![0; y * EVENTS],
            sequences: std::collections::HashMap::new(),
            hist: (0..y)
                .flat_map(|_| vars.iter().map(|v| histogram(v.range)))
                .collect(),
        }
    }

    fn add(&mut self, spec: &Spec, path: &Path, n_vars: usize) {
        self.draws += 1;
        match self.sequences.get_mut(path.scenario.as_slice()) {
            Some(c) => *c += 1,
            None => {
                self.sequences.insert(path.scenario.clone(), 1);
            }
        }
        let ns = spec.rules.len() + 1;
        let n_state = spec.n_state();
        let n_issues = spec.issues.len();
        for y in 0..spec.n_years() {
            let sc = path.scenario[y];
            let k = if sc == UNCLASSIFIED {
                ns - 1
            } else {
                sc as usize
            };
            self.scenarios[y * ns + k] += 1;
            let t = path.terminal[y];
            let t = if t == NO_DECISION {
                TERMINALS
            } else {
                t as usize
            };
            self.terminals[y * (TERMINALS + 1) + t] += 1;
            let m = path.military_terminal[y];
            let m = if m == NO_DECISION {
                TERMINALS
            } else {
                m as usize
            };
            self.military[y * (TERMINALS + 1) + m] += 1;
            self.implementation[y * IMPLEMENTATION + path.implementation[y] as usize] += 1;
            let ev = path.events[y];
            for b in 0..EVENTS {
                if ev & (1 << b) != 0 {
                    self.events[y * EVENTS + b] += 1;
                }
            }
            let h = &mut self.hist[y * n_vars..(y + 1) * n_vars];
            for (j, &x) in path.state_at(y).iter().enumerate() {
                h[j].add(x);
            }
            for (j, &x) in path.forecast[y * n_issues..(y + 1) * n_issues]
                .iter()
                .enumerate()
            {
                if x.is_finite() {
                    h[n_state + j].add(x);
                }
            }
            h[n_state + n_issues].add(path.subsidy_usd_bn[y]);
            if path.oil_price[y].is_finite() {
                h[n_state + n_issues + 1].add(path.oil_price[y]);
            }
        }
    }

    fn merge(&mut self, other: &Agg) {
        // The layouts are equal by construction (one `Agg::new` for all chunks).
        self.draws += other.draws;
        self.failed += other.failed;
        for (a, b) in self.scenarios.iter_mut().zip(&other.scenarios) {
            *a += b;
        }
        for (a, b) in self.terminals.iter_mut().zip(&other.terminals) {
            *a += b;
        }
        for (a, b) in self.military.iter_mut().zip(&other.military) {
            *a += b;
        }
        for (a, b) in self.implementation.iter_mut().zip(&other.implementation) {
            *a += b;
        }
        for (a, b) in self.events.iter_mut().zip(&other.events) {
            *a += b;
        }
        for (k, c) in &other.sequences {
            *self.sequences.entry(k.clone()).or_insert(0) += c;
        }
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            let _ = a.merge(b);
        }
    }
}

/// How many of the most frequent scenario sequences an ensemble reports.
pub const SEQUENCES: usize = 12;

/// A sequence of yearly scenarios and how often the draws followed it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Sequence {
    /// The scenario id of each year.
    pub scenarios: Vec<String>,
    /// Draws that followed it.
    pub count: u64,
    /// Share of draws, with its Wilson 95 % interval.
    pub p: Probability,
}

impl Sequence {
    /// The sequence as runs of consecutive years in one scenario: (scenario, first year, last
    /// year), given the ensemble's years.
    pub fn runs(&self, years: &[i32]) -> Vec<(&str, i32, i32)> {
        let mut out: Vec<(&str, i32, i32)> = Vec::new();
        for (k, (sc, &yr)) in self.scenarios.iter().zip(years).enumerate() {
            match out.last_mut() {
                Some(last) if k > 0 && last.0 == sc => last.2 = yr,
                _ => out.push((sc, yr, yr)),
            }
        }
        out
    }
}

/// A scenario's probability in one year, with its Wilson 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Probability {
    /// Draws in the scenario.
    pub count: u64,
    /// Share of draws.
    pub p: f64,
    /// Wilson 95 % interval, lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// A fan chart's quantiles in one year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Band {
    /// 5 %.
    pub p05: f64,
    /// 25 %.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75 %.
    pub p75: f64,
    /// 95 %.
    pub p95: f64,
    /// Mean (from the histogram's bin centres).
    pub mean: f64,
}

/// The results of an ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Ensemble {
    /// Draws run (every probability is a share of these).
    pub draws: u64,
    /// Draws whose parameters could not be sampled: not run, reported, never filled in.
    pub failed: u64,
    /// Seed.
    pub seed: u64,
    /// Simulated years.
    pub years: Vec<i32>,
    /// Scenario ids (in the case's order), then `unclassified`.
    pub scenarios: Vec<String>,
    /// `probabilities[year][scenario]`.
    pub probabilities: Vec<Vec<Probability>>,
    /// Ultimatum outcomes: `terminal_counts[year][terminal]`, the last column "no decision".
    pub terminal_counts: Vec<Vec<u64>>,
    /// The military track's outcomes, as `terminal_counts`.
    pub military_counts: Vec<Vec<u64>>,
    /// What the client did with a signed deal: `implementation_counts[year][code]`
    /// (codes named by `implementation::NAMES`).
    pub implementation_counts: Vec<Vec<u64>>,
    /// Paths with each event: `event_counts[year][bit]` (bits named by `event::NAMES`).
    pub event_counts: Vec<Vec<u64>>,
    /// The most frequent sequences of yearly scenarios, most frequent first (ties in scenario
    /// order), at most [`SEQUENCES`]; with the number of distinct sequences seen.
    pub sequences: Vec<Sequence>,
    /// Distinct scenario sequences among the draws.
    pub distinct_sequences: u64,
    /// The fan-chart variables.
    pub fan_variables: Vec<FanVariable>,
    /// `fans[variable][year]`.
    pub fans: Vec<Vec<Band>>,
    /// Names of the per-draw summary values.
    pub summary_names: Vec<String>,
    /// Distribution of each issue's final-year forecast: 20 bins of 5 points, shares.
    pub issue_outcomes: Vec<(String, Vec<f64>)>,
}

impl Band {
    /// The median and the 50 % band mapped through an issue's unit, as (median, low, high)
    /// (a unit scale may run backwards, so low and high are ordered here).
    pub fn in_unit(&self, u: &leverage_case::UnitMap) -> (f64, f64, f64) {
        let (a, b) = (u.to_unit(self.p25), u.to_unit(self.p75));
        (u.to_unit(self.p50), a.min(b), a.max(b))
    }
}

impl Ensemble {
    /// Each issue's forecast band in year index `y`, in the case's issue order.
    pub fn issue_bands(&self, y: usize) -> Vec<(&str, Band)> {
        self.fan_variables
            .iter()
            .zip(&self.fans)
            .filter_map(|(v, f)| Some((v.name.strip_prefix("issue:")?, *f.get(y)?)))
            .collect()
    }
    /// Probability of scenario `k` at the horizon.
    pub fn final_probability(&self, k: usize) -> f64 {
        self.probabilities.last().map_or(f64::NAN, |r| r[k].p)
    }
}

/// A histogram on `range` with [`BINS`] bins (a degenerate range is widened to one unit).
fn histogram(range: (f64, f64)) -> Histogram {
    let (lo, hi) = range;
    Histogram::new(lo, hi, BINS)
        .or_else(|_| Histogram::new(lo, lo + 1.0, BINS))
        .or_else(|_| Histogram::new(0.0, 1.0, BINS))
        .expect("[0, 1] is a valid histogram range")
}

/// Mean of a histogram from its bin centres.
fn hist_mean(h: &Histogram, range: (f64, f64)) -> f64 {
    let n = h.count();
    if n == 0 {
        return f64::NAN;
    }
    let w = (range.1 - range.0) / h.counts().len() as f64;
    h.counts()
        .iter()
        .enumerate()
        .map(|(i, &c)| c as f64 * (range.0 + w * (i as f64 + 0.5)))
        .sum::<f64>()
        / n as f64
}

/// Shares of a histogram's counts in `k` equal groups of bins.
fn coarse_shares(h: &Histogram, k: usize) -> Vec<f64> {
    let n = h.count().max(1) as f64;
    let per = h.counts().len().div_ceil(k);
    h.counts()
        .chunks(per)
        .map(|c| c.iter().sum::<u64>() as f64 / n)
        .collect()
}

/// Per-thread buffers of [`run_draw`].
#[derive(Debug, Default)]
pub struct DrawBuffers {
    /// The draw's parameter values.
    pub values: Vec<f64>,
    /// The sampler's scratch.
    pub uniforms: Vec<f64>,
    /// The timeline's scratch.
    pub scratch: Scratch,
}

/// Runs the timeline for draw `draw`: samples the parameters from the draw's stream, then runs
/// the path with the rest of that stream. False (and the path untouched) if the parameters
/// could not be sampled.
pub fn run_draw(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    draw: u64,
    buf: &mut DrawBuffers,
    path: &mut Path,
) -> bool {
    let mut rng = crate::stream::draw_rng(seed, draw);
    buf.values.resize(sampler.len(), 0.0);
    if !sampler.sample(&mut rng, &mut buf.uniforms, &mut buf.values) {
        return false;
    }
    timeline::run(spec, &buf.values, &mut rng, &mut buf.scratch, path);
    true
}

/// Runs an ensemble in `pool` (or the current rayon pool). `progress` is called with the draws
/// done after each batch; `sink` receives every draw's summary in draw order on the calling
/// thread (pass `None` to skip them).
pub fn run(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    opts: &Options,
    pool: Option<&rayon::ThreadPool>,
    progress: &dyn Fn(u64),
    sink: Option<&mut dyn FnMut(&DrawSummary)>,
) -> Ensemble {
    let part = run_range(
        spec,
        sampler,
        opts.seed,
        0..opts.draws,
        pool,
        progress,
        sink,
    );
    finish(spec, opts, &part.vars, &part.agg)
}

/// The aggregates of a range of draws, before they become an [`Ensemble`]: what one shard of
/// an ensemble computes ([`crate::shard`]). Every aggregate is an integer count, so merging is
/// addition: any split of `0..N` into ranges, run anywhere and merged in any order, gives the
/// aggregates, hence the [`Ensemble`], of the whole run, bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Partial {
    vars: Vec<FanVariable>,
    agg: Agg,
}

impl Partial {
    /// Empty aggregates laid out for `spec`.
    pub fn empty(spec: &Spec) -> Self {
        let vars = fan_variables(spec);
        let agg = Agg::new(spec, &vars);
        Partial { vars, agg }
    }
    /// The same layout with every count zero.
    pub fn clear(&mut self) {
        let a = &mut self.agg;
        a.draws = 0;
        a.failed = 0;
        for v in [
            &mut a.scenarios,
            &mut a.terminals,
            &mut a.military,
            &mut a.implementation,
            &mut a.events,
        ] {
            v.fill(0);
        }
        a.sequences.clear();
        for (h, v) in a.hist.iter_mut().zip(self.vars.iter().cycle()) {
            *h = histogram(v.range);
        }
    }
    /// Draws run.
    pub fn draws(&self) -> u64 {
        self.agg.draws
    }
    /// Draws whose parameters could not be sampled.
    pub fn failed(&self) -> u64 {
        self.agg.failed
    }
    /// True if these aggregates have the layout `spec` gives them (the same fan variables,
    /// years, scenarios and histogram bins), so they can be merged and finished with it.
    pub fn fits(&self, spec: &Spec) -> bool {
        let e = Partial::empty(spec);
        let (a, b) = (&self.agg, &e.agg);
        self.vars == e.vars
            && a.scenarios.len() == b.scenarios.len()
            && a.terminals.len() == b.terminals.len()
            && a.military.len() == b.military.len()
            && a.implementation.len() == b.implementation.len()
            && a.events.len() == b.events.len()
            && a.hist.len() == b.hist.len()
            && a.hist
                .iter()
                .zip(&b.hist)
                .all(|(x, y)| x.counts().len() == y.counts().len() && x.range() == y.range())
            && a.sequences.keys().all(|k| k.len() == spec.n_years())
            && self.consistent()
    }
    /// Every year's scenario counts add up to the draws, and so do the sequence counts (a
    /// check on aggregates read from a file).
    fn consistent(&self) -> bool {
        let a = &self.agg;
        let total =
            |v: Vec<u64>| v.iter().try_fold(0u64, |s, &x| s.checked_add(x)) == Some(a.draws);
        let ns = a.scenarios.len() / self.years().max(1);
        ns > 0
            && a.scenarios.chunks(ns).all(|row| total(row.to_vec()))
            && total(a.sequences.values().copied().collect())
            && a.draws.checked_add(a.failed).is_some()
    }
    fn years(&self) -> usize {
        self.agg.hist.len() / self.vars.len().max(1)
    }
    /// Adds another range's aggregates (addition: the order of merging does not matter).
    /// False, and nothing changed, if the layouts differ.
    pub fn merge(&mut self, other: &Partial) -> bool {
        let same = self.vars == other.vars
            && self.agg.scenarios.len() == other.agg.scenarios.len()
            && self.agg.hist.len() == other.agg.hist.len();
        if same {
            self.agg.merge(&other.agg);
        }
        same
    }
    /// The ensemble of these aggregates (`opts`: the whole run's draws and seed).
    pub fn finish(&self, spec: &Spec, opts: &Options) -> Ensemble {
        finish(spec, opts, &self.vars, &self.agg)
    }
}

/// Runs the draws `range` of an ensemble with `seed`, as [`run`] runs `0..N`, and returns their
/// aggregates. `progress` is called with the draws of the range done; `sink` receives every
/// draw's summary in draw order on the calling thread.
pub fn run_range(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    range: std::ops::Range<u64>,
    pool: Option<&rayon::ThreadPool>,
    progress: &dyn Fn(u64),
    mut sink: Option<&mut dyn FnMut(&DrawSummary)>,
) -> Partial {
    let opts = Options {
        draws: range.end,
        seed,
    };
    let first = range.start.min(range.end);
    let vars = fan_variables(spec);
    let n_vars = vars.len();
    let chunks = (range.end - first).div_ceil(CHUNK);
    let threads = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let batch = (threads as u64 * 4).max(1);
    let want_summaries = sink.is_some();
    let mut total = Agg::new(spec, &vars);
    let mut c0 = 0;
    while c0 < chunks {
        let c1 = (c0 + batch).min(chunks);
        // Each worker folds its chunks into one aggregate (integer counts: the result does not
        // depend on which worker ran which chunk); summaries are kept per chunk and put back in
        // chunk order before they reach the sink.
        type Sums = Vec<(u64, Vec<DrawSummary>)>;
        type Part = (Option<Agg>, Sums);
        type Acc = (Option<Agg>, Sums, DrawBuffers, Option<Path>);
        let compute = || -> Part {
            (c0..c1)
                .into_par_iter()
                .fold(
                    || -> Acc { (None, Vec::new(), DrawBuffers::default(), None) },
                    |(agg, mut sums, mut buf, path), c| {
                        let mut agg = agg.unwrap_or_else(|| Agg::new(spec, &vars));
                        let mut path = path.unwrap_or_else(|| Path::new(spec));
                        let mut chunk = Vec::new();
                        let lo = first + c * CHUNK;
                        let hi = (first + (c + 1) * CHUNK).min(opts.draws);
                        for d in lo..hi {
                            if !run_draw(spec, sampler, opts.seed, d, &mut buf, &mut path) {
                                agg.failed += 1;
                                continue;
                            }
                            agg.add(spec, &path, n_vars);
                            if want_summaries {
                                chunk.push(summary(spec, d, &path));
                            }
                        }
                        if want_summaries {
                            sums.push((c, chunk));
                        }
                        (Some(agg), sums, buf, Some(path))
                    },
                )
                .map(|(agg, sums, _, _)| (agg, sums))
                .reduce(
                    || (None, Vec::new()),
                    |(a, mut sa), (b, sb)| {
                        let agg = match (a, b) {
                            (Some(mut a), Some(b)) => {
                                a.merge(&b);
                                Some(a)
                            }
                            (a, b) => a.or(b),
                        };
                        sa.extend(sb);
                        (agg, sa)
                    },
                )
        };
        let (agg, mut sums) = match pool {
            Some(p) => p.install(compute),
            None => compute(),
        };
        if let Some(agg) = &agg {
            total.merge(agg);
        }
        if let Some(s) = sink.as_mut() {
            sums.sort_by_key(|(c, _)| *c);
            for (_, chunk) in &sums {
                for d in chunk {
                    s(d);
                }
            }
        }
        c0 = c1;
        progress(total.draws + total.failed);
    }
    Partial { vars, agg: total }
}

/// The per-draw summary of a path.
pub fn summary(spec: &Spec, draw: u64, path: &Path) -> DrawSummary {
    let y = spec.n_years().saturating_sub(1);
    let n = spec.issues.len();
    let mut values = path.state_at(y).to_vec();
    values.extend_from_slice(&path.forecast[y * n..(y + 1) * n]);
    let mut bytes = Vec::with_capacity(PATH_BYTES * spec.n_years());
    encode_path(path, &mut bytes);
    DrawSummary {
        draw,
        scenario: path.final_scenario(),
        values,
        path: bytes,
    }
}

/// Names of [`DrawSummary::values`].
pub fn summary_names(spec: &Spec) -> Vec<String> {
    let mut v = spec.state_names.clone();
    v.extend(spec.issues.iter().map(|i| format!("issue:{}", i.id)));
    v
}

fn finish(spec: &Spec, opts: &Options, vars: &[FanVariable], total: &Agg) -> Ensemble {
    let ny = spec.n_years();
    let ns = spec.rules.len() + 1;
    let n_vars = vars.len();
    let n = total.draws.max(1);
    let mut scen_names: Vec<String> = spec.rule_ids.clone();
    scen_names.push("unclassified".into());
    let probabilities = (0..ny)
        .map(|y| {
            (0..ns)
                .map(|k| {
                    let c = total.scenarios[y * ns + k];
                    let (lo, hi) = wilson95(c, n).unwrap_or((f64::NAN, f64::NAN));
                    Probability {
                        count: c,
                        p: c as f64 / n as f64,
                        lo,
                        hi,
                    }
                })
                .collect()
        })
        .collect();
    let rows = |v: &[u64], w: usize| -> Vec<Vec<u64>> {
        (0..ny).map(|y| v[y * w..(y + 1) * w].to_vec()).collect()
    };
    let terminal_counts = rows(&total.terminals, TERMINALS + 1);
    let military_counts = rows(&total.military, TERMINALS + 1);
    let implementation_counts = rows(&total.implementation, IMPLEMENTATION);
    let event_counts = rows(&total.events, EVENTS);
    let mut seqs: Vec<(&Vec<u8>, u64)> = total.sequences.iter().map(|(k, &c)| (k, c)).collect();
    seqs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let name = |k: u8| {
        scen_names
            .get(k as usize)
            .cloned()
            .unwrap_or_else(|| "unclassified".to_string())
    };
    let sequences = seqs
        .iter()
        .take(SEQUENCES)
        .map(|(k, c)| {
            let (lo, hi) = wilson95(*c, n).unwrap_or((f64::NAN, f64::NAN));
            Sequence {
                scenarios: k.iter().map(|&x| name(x)).collect(),
                count: *c,
                p: Probability {
                    count: *c,
                    p: *c as f64 / n as f64,
                    lo,
                    hi,
                },
            }
        })
        .collect();
    let fans = (0..n_vars)
        .map(|j| {
            (0..ny)
                .map(|y| {
                    let h = &total.hist[y * n_vars + j];
                    let q = |p: f64| h.quantile(p).unwrap_or(f64::NAN);
                    Band {
                        p05: q(0.05),
                        p25: q(0.25),
                        p50: q(0.5),
                        p75: q(0.75),
                        p95: q(0.95),
                        mean: hist_mean(h, vars[j].range),
                    }
                })
                .collect()
        })
        .collect();
    let n_state = spec.n_state();
    let issue_outcomes = spec
        .issues
        .iter()
        .enumerate()
        .map(|(k, iss)| {
            let h = &total.hist[(ny - 1) * n_vars + n_state + k];
            (iss.id.clone(), coarse_shares(h, 20))
        })
        .collect();
    Ensemble {
        draws: total.draws,
        failed: total.failed,
        seed: opts.seed,
        years: spec.years.iter().map(|y| y.year).collect(),
        scenarios: scen_names,
        probabilities,
        terminal_counts,
        military_counts,
        implementation_counts,
        event_counts,
        sequences,
        distinct_sequences: total.sequences.len() as u64,
        fan_variables: vars.to_vec(),
        fans,
        summary_names: summary_names(spec),
        issue_outcomes,
    }
}
