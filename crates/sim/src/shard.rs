//! Sharded ensembles: one run's draws split over processes or machines, merged back into the
//! run a single machine would have made.
//!
//! Shard *K* of *N* (1 ≤ K ≤ N) runs the draws `⌊(K−1)·D/N⌋ .. ⌊K·D/N⌋` of a D-draw ensemble:
//! contiguous, disjoint, covering `0..D` whether or not N divides D. Draw *i* uses its own random
//! stream ([`crate::stream::draw_rng`]`(seed, i)`), so it is the same draw on whichever shard runs
//! it, and the ensemble's aggregates are integer counts ([`crate::ensemble::Partial`]), so the
//! merged aggregates are the whole run's, bit for bit. A [`ShardRun`] is what one shard leaves:
//! its aggregates, its draws' summaries (in draw order) and what identifies the run (the case's
//! hash, the settings, the shard), encoded as CBOR. [`merge`] checks that a set of shard runs
//! are the N shards of one run, each once, and combines them; the front end then finishes the
//! bundle with [`crate::pipeline::bundle_of`] on the case it reads back from the shards.
//!
//! A shard runs the ensemble only: the tornado and the Sobol indices are separate designs
//! (the Sobol rows can be split with [`crate::analysis::sobol_rows`]).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::ensemble::{DrawSummary, Partial};
use crate::pipeline::Settings;

/// What a shard file says it is; a file without it is not a shard.
pub const FORMAT: &str = "leverage-shard/1";

/// Why shards could not be made or merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// `K/N` could not be read.
    #[error("expected a shard as K/N (K from 1 to N, e.g. 2/4), got {0:?}")]
    Syntax(String),
    /// K is outside 1..=N, or N is 0.
    #[error("shard {index}/{count}: K must be from 1 to N, and N at least 1")]
    OutOfRange {
        /// K.
        index: u64,
        /// N.
        count: u64,
    },
    /// More shards than draws.
    #[error("{count} shards of {draws} draws: some shards would run no draw")]
    TooMany {
        /// N.
        count: u64,
        /// Draws of the run.
        draws: u64,
    },
    /// The settings ask for a sensitivity analysis, which shards do not run.
    #[error(
        "a sharded run is an ensemble only: the tornado and the Sobol indices are not split into shards"
    )]
    Sensitivity,
    /// Not a shard file, or a damaged one.
    #[error("{what} cannot be read as a shard of this version ({FORMAT}): {reason}")]
    Decode {
        /// Which file or input.
        what: String,
        /// What went wrong.
        reason: String,
    },
    /// Nothing to merge.
    #[error("no shard to merge")]
    Empty,
    /// Two shards of different runs.
    #[error("{what} of shard {a} differs from shard {b}'s: they are not shards of one run")]
    Mismatch {
        /// What differs (case, seed, draws, …).
        what: &'static str,
        /// One shard.
        a: Shard,
        /// The other.
        b: Shard,
    },
    /// A shard given twice.
    #[error("shard {0} is given twice")]
    Duplicate(Shard),
    /// Shards missing from the set.
    #[error("shards missing: {} (of {count})", .missing.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))]
    Missing {
        /// The missing K's.
        missing: Vec<u64>,
        /// N.
        count: u64,
    },
    /// The case could not be hashed.
    #[error("the case could not be hashed: {0}")]
    Hash(String),
    /// A shard's aggregates do not match its draws.
    #[error("shard {0} is inconsistent: its aggregates or draws do not match its range")]
    Inconsistent(Shard),
}

/// Shard K of N (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// K, from 1 to `count`.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl Shard {
    /// Shard `index` of `count`, checked.
    pub fn new(index: u64, count: u64) -> Result<Self, ShardError> {
        if count == 0 || index == 0 || index > count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }
    /// The whole run as one shard.
    pub fn whole() -> Self {
        Shard { index: 1, count: 1 }
    }
    /// The draws of this shard in a run of `draws` draws.
    pub fn range(&self, draws: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(draws) * u128::from(k) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
    /// Checks that every shard of `draws` draws split `count` ways runs at least one draw.
    pub fn check_draws(&self, draws: u64) -> Result<(), ShardError> {
        if self.count > draws {
            return Err(ShardError::TooMany {
                count: self.count,
                draws,
            });
        }
        Ok(())
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Self, ShardError> {
        let syntax = || ShardError::Syntax(s.to_string());
        let (k, n) = s.trim().split_once('/').ok_or_else(syntax)?;
        let k = k.trim().parse::<u64>().map_err(|_| syntax())?;
        let n = n.trim().parse::<u64>().map_err(|_| syntax())?;
        Shard::new(k, n)
    }
}

/// What one shard of a run leaves behind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRun {
    /// [`FORMAT`].
    pub format: String,
    /// The version of the program that ran it.
    pub version: String,
    /// The case's id.
    pub case_id: String,
    /// The case's hash ([`crate::pipeline::case_hash`]).
    pub case_hash: String,
    /// What the front end needs to read the case again (the CLI: the case text and its data
    /// files as JSON); empty when it keeps none.
    pub case_archive: String,
    /// The whole run's settings (its draws, not the shard's).
    pub settings: Settings,
    /// Which shard.
    pub shard: Shard,
    /// Whether the draws' summaries were kept.
    pub keep_draws: bool,
    /// The aggregates of the shard's draws.
    pub aggregates: Partial,
    /// The summaries of the shard's draws, in draw order (empty unless `keep_draws`).
    pub draws: Vec<DrawSummary>,
}

impl ShardRun {
    /// The shard run as bytes (CBOR).
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }
    /// A shard run from [`ShardRun::encode`]'s bytes; `what` names the input in errors.
    pub fn decode(bytes: &[u8], what: &str) -> Result<ShardRun, ShardError> {
        let decode = |reason: String| ShardError::Decode {
            what: what.to_string(),
            reason,
        };
        let run: ShardRun = ciborium::from_reader(bytes).map_err(|e| {
            decode(match e {
                ciborium::de::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    format!(
                        "it ends early, after {} bytes (a file cut short in copying?)",
                        bytes.len()
                    )
                }
                ciborium::de::Error::Io(e) => e.to_string(),
                ciborium::de::Error::Syntax(at) => format!("it is not CBOR at byte {at}"),
                ciborium::de::Error::Semantic(Some(at), what) => format!("{what} (at byte {at})"),
                ciborium::de::Error::Semantic(None, what) => what,
                ciborium::de::Error::RecursionLimitExceeded => "it is nested too deeply".into(),
            })
        })?;
        if run.format != FORMAT {
            return Err(decode(format!("it says it is {:?}", run.format)));
        }
        Shard::new(run.shard.index, run.shard.count).map_err(|e| decode(e.to_string()))?;
        Ok(run)
    }
}

/// Runs shard `shard` of the ensemble `settings` describes on `case` (wired as `spec` and
/// `sampler`) and returns what it leaves: its aggregates, its draws' summaries when
/// `keep_draws`, and the run's identity (`case_archive`: what the front end needs to read the
/// case again, or empty).
#[allow(clippy::too_many_arguments)]
pub fn run(
    case: &leverage_case::Case,
    spec: &crate::timeline::Spec,
    sampler: &crate::wiring::CaseSampler,
    settings: &Settings,
    shard: Shard,
    keep_draws: bool,
    case_archive: String,
    pool: Option<&rayon::ThreadPool>,
) -> Result<ShardRun, ShardError> {
    let mut draws = Vec::new();
    let mut sink = |d: &DrawSummary| {
        if keep_draws {
            draws.push(d.clone());
        }
    };
    let aggregates = crate::pipeline::run_shard(
        spec,
        sampler,
        settings,
        shard,
        pool,
        &|_| {},
        Some(&mut sink),
    )?;
    Ok(ShardRun {
        format: FORMAT.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        case_id: case.case.id.clone(),
        case_hash: crate::pipeline::case_hash(case).map_err(ShardError::Hash)?,
        case_archive,
        settings: *settings,
        shard,
        keep_draws,
        aggregates,
        draws,
    })
}

/// N shards merged: the run's identity, its aggregates and every draw's summary in draw order.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The case's id.
    pub case_id: String,
    /// The case's hash.
    pub case_hash: String,
    /// The case archive of the first shard.
    pub case_archive: String,
    /// The run's settings.
    pub settings: Settings,
    /// Whether the draws were kept.
    pub keep_draws: bool,
    /// The number of shards.
    pub shards: u64,
    /// The merged aggregates.
    pub aggregates: Partial,
    /// Every draw's summary, in draw order.
    pub draws: Vec<DrawSummary>,
}

/// Merges the N shards of one run, given in any order: checks that they agree on the case, the
/// settings and N, that each K from 1 to N is there once, and that each shard's draws are its
/// range's; adds their aggregates and concatenates their draws in draw order.
pub fn merge(mut shards: Vec<ShardRun>) -> Result<Merged, ShardError> {
    shards.sort_by_key(|s| s.shard.index);
    let first = shards.first().ok_or(ShardError::Empty)?;
    let count = first.shard.count;
    for s in &shards[1..] {
        let mismatch = |what| ShardError::Mismatch {
            what,
            a: first.shard,
            b: s.shard,
        };
        if s.shard.count != count {
            return Err(mismatch("the number of shards"));
        }
        if s.case_hash != first.case_hash || s.case_id != first.case_id {
            return Err(mismatch("the case"));
        }
        if s.settings != first.settings {
            return Err(mismatch("the settings (draws, seed)"));
        }
        if s.keep_draws != first.keep_draws {
            return Err(mismatch("whether draws were kept"));
        }
    }
    for w in shards.windows(2) {
        if w[0].shard.index == w[1].shard.index {
            return Err(ShardError::Duplicate(w[1].shard));
        }
    }
    let have: Vec<u64> = shards.iter().map(|s| s.shard.index).collect();
    let missing: Vec<u64> = (1..=count).filter(|k| !have.contains(k)).collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing { missing, count });
    }
    let draws = first.settings.draws;
    let mut aggregates = first.aggregates.clone();
    aggregates.clear();
    let mut all = Vec::new();
    for s in &shards {
        let r = s.shard.range(draws);
        let n = s.aggregates.draws().checked_add(s.aggregates.failed());
        let draws_ok = !s.keep_draws
            || (s.draws.len() as u64 == s.aggregates.draws()
                && s.draws.iter().all(|d| r.contains(&d.draw))
                && s.draws.windows(2).all(|w| w[0].draw < w[1].draw));
        if n != Some(r.end - r.start) || !draws_ok || !aggregates.merge(&s.aggregates) {
            return Err(ShardError::Inconsistent(s.shard));
        }
        all.extend(s.draws.iter().cloned());
    }
    let first = &shards[0];
    Ok(Merged {
        case_id: first.case_id.clone(),
        case_hash: first.case_hash.clone(),
        case_archive: first.case_archive.clone(),
        settings: first.settings,
        keep_draws: first.keep_draws,
        shards: count,
        aggregates,
        draws: all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_draws_once_whether_or_not_n_divides_them() {
        for draws in [1u64, 7, 256, 1000, 1001] {
            for n in 1..=draws.min(9) {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard::new(k, n).unwrap().range(draws);
                    assert_eq!(r.start, next, "{k}/{n} of {draws}");
                    assert!(r.end > r.start, "{k}/{n} of {draws} is empty");
                    next = r.end;
                }
                assert_eq!(next, draws);
            }
        }
    }

    #[test]
    fn bad_shard_arguments_are_errors() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 4 / 4 ".parse::<Shard>(), Ok(Shard { index: 4, count: 4 }));
        for bad in ["", "2", "0/4", "5/4", "1/0", "a/b", "-1/4", "1/4/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad:?}");
        }
        assert!(Shard::new(1, 5).unwrap().check_draws(4).is_err());
        assert!(Shard::new(1, 4).unwrap().check_draws(4).is_ok());
    }

    /// Runs every shard of `n` (on `threads` threads), through the encoded form, and merges.
    fn sharded(
        case: &leverage_case::Case,
        settings: &Settings,
        n: u64,
        threads: usize,
    ) -> (crate::pipeline::Bundle, Vec<DrawSummary>) {
        let spec = crate::wiring::spec(case).unwrap();
        let sampler = crate::wiring::sampler(case).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        // Run the shards last to first: the order shards finish in must not matter.
        let runs: Vec<ShardRun> = (1..=n)
            .rev()
            .map(|k| {
                let shard = Shard::new(k, n).unwrap();
                let mut draws = Vec::new();
                let mut sink = |d: &DrawSummary| draws.push(d.clone());
                let aggregates = crate::pipeline::run_shard(
                    &spec,
                    &sampler,
                    settings,
                    shard,
                    Some(&pool),
                    &|_| {},
                    Some(&mut sink),
                )
                .unwrap();
                let run = ShardRun {
                    format: FORMAT.into(),
                    version: "test".into(),
                    case_id: case.case.id.clone(),
                    case_hash: crate::pipeline::case_hash(case).unwrap(),
                    case_archive: String::new(),
                    settings: *settings,
                    shard,
                    keep_draws: true,
                    aggregates,
                    draws,
                };
                ShardRun::decode(&run.encode().unwrap(), "test").unwrap()
            })
            .collect();
        let merged = merge(runs).unwrap();
        let bundle = crate::pipeline::bundle_of(case, &spec, settings, &merged.aggregates).unwrap();
        (bundle, merged.draws)
    }

    #[test]
    fn merged_shards_are_the_single_run_bit_for_bit() {
        let case = crate::links::default_case().unwrap().case;
        // 1000 draws: not a multiple of 3, 7 or the 256-draw chunk.
        let settings = Settings::ensemble(1000, 7);
        let mut whole_draws = Vec::new();
        let mut sink = |d: &DrawSummary| whole_draws.push(d.clone());
        let whole =
            crate::pipeline::run_case(&case, &settings, None, &|_| {}, Some(&mut sink)).unwrap();
        let bytes = whole.encode().unwrap();
        for (n, threads) in [(1, 2), (3, 1), (4, 2), (7, 3)] {
            let (b, draws) = sharded(&case, &settings, n, threads);
            assert!(b.encode().unwrap() == bytes, "{n} shards: another bundle");
            assert!(draws == whole_draws, "{n} shards: other draws");
        }
    }

    #[test]
    fn sets_that_are_not_one_run_are_refused() {
        let case = crate::links::default_case().unwrap().case;
        let spec = crate::wiring::spec(&case).unwrap();
        let sampler = crate::wiring::sampler(&case).unwrap();
        let settings = Settings::ensemble(40, 1);
        let run = |k: u64, n: u64, settings: &Settings| ShardRun {
            format: FORMAT.into(),
            version: "test".into(),
            case_id: case.case.id.clone(),
            case_hash: "h".into(),
            case_archive: String::new(),
            settings: *settings,
            shard: Shard::new(k, n).unwrap(),
            keep_draws: false,
            aggregates: crate::pipeline::run_shard(
                &spec,
                &sampler,
                settings,
                Shard::new(k, n).unwrap(),
                None,
                &|_| {},
                None,
            )
            .unwrap(),
            draws: Vec::new(),
        };
        assert!(matches!(
            merge(vec![run(1, 3, &settings), run(3, 3, &settings)]),
            Err(ShardError::Missing { ref missing, count: 3 }) if missing == &[2]
        ));
        assert!(matches!(
            merge(vec![run(1, 2, &settings), run(1, 2, &settings)]),
            Err(ShardError::Duplicate(_))
        ));
        assert!(matches!(
            merge(vec![run(1, 2, &settings), run(2, 3, &settings)]),
            Err(ShardError::Mismatch { .. })
        ));
        let other = Settings::ensemble(40, 2);
        assert!(matches!(
            merge(vec![run(1, 2, &settings), run(2, 2, &other)]),
            Err(ShardError::Mismatch { .. })
        ));
        // A shard whose aggregates hold another range's draws.
        let good = run(2, 2, &settings);
        let mut short = run(1, 4, &settings);
        short.shard = Shard::new(1, 2).unwrap();
        assert!(matches!(
            merge(vec![short, good]),
            Err(ShardError::Inconsistent(_))
        ));
        assert!(matches!(merge(vec![]), Err(ShardError::Empty)));
        let sens = Settings {
            tornado_draws: 10,
            ..settings
        };
        assert!(matches!(
            crate::pipeline::run_shard(&spec, &sampler, &sens, Shard::whole(), None, &|_| {}, None),
            Err(ShardError::Sensitivity)
        ));
    }

    #[test]
    fn garbage_is_not_a_shard() {
        for bytes in [&b""[..], b"\x00\x01", b"{\"format\":1}"] {
            assert!(matches!(
                ShardRun::decode(bytes, "x"),
                Err(ShardError::Decode { .. })
            ));
        }
    }
}
