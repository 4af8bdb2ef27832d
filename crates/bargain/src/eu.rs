//! Bueno de Mesquita's expected-utility (EU) model as reconstructed by Scholz, Calbert & Smith
//! (2011, "Unravelling Bueno de Mesquita's group decision model", J. Theoretical Politics 23(4);
//! ICAART 2011), with each ambiguity between published implementations a named option of
//! [`EuOptions`].
//!
//! Each round:
//!
//! 1. a first pass with every risk exponent rᵢ = 1 gives the EU matrix, each actor's security
//!    (the sum of the EUs of the others challenging it, A2) and from it the risk exponents
//!    rᵢ = (1 − Rᵢ/3)/(1 + Rᵢ/3) ∈ [0.5, 2];
//! 2. a second pass with the new rᵢ gives, for every ordered pair (i, j), i's view of its own
//!    expected utility of challenging j, E^i(U_ij), and of j challenging i, E^i(U_ji);
//! 3. each pair is classified (conflict, compromise, capitulation, stalemate); the offers i
//!    receives are the positions the relation asks it to move to; i accepts one (A4);
//! 4. everybody moves at once.
//!
//! The probability that i beats j is P^i = Σ_{k: a_k>0} w_k a_k / denominator (A6) with
//! w_k = c_k s_k and a_k = |x_k − x_j| − |x_k − x_i| (or the voter's risk-weighted version,
//! [`VoteUtility`]). The sums are computed with the actors sorted by position and prefix sums
//! (of w and w·x, or of each actor's risk-weighted votes), so every pair costs O(1) amortised.
//!
//! Cost per round with n actors: O(n² + n log n) time, not O(n³). The first pass sorts once
//! and keeps O(n) prefix sums. The second pass fills an (n + 1) × n table of risk-weighted vote
//! prefix sums (n² `ln` and `exp`), laid out by position so a row reads consecutive actors.
//! The supports of each unordered pair (the vote sums behind its two probabilities) are
//! computed once, into the upper triangle of the matrix by position, stored in 16 × 16 tiles
//! (`Tri`); the AllPairs denominator is twice their sum. Each block of 16 position-adjacent
//! actors then assembles its full rows (mirroring the lower part from the tiles of its
//! columns, so every read is a contiguous tile), divides them into probabilities and applies
//! the security sum or the decisions (2n² `ln` and `exp`). The arithmetic of a row (votes,
//! utilities, EUs, probabilities, security terms) runs in row kernels that vectorise, with the
//! `exp` and `ln` of the crate's `vmath` module inline, compiled for AVX-512 and AVX2 as well
//! as the baseline and chosen at run time (`multiversion`); every lane computes the floats of
//! the scalar code, so the results are the same on every machine. From 128 actors every step
//! runs in parallel (rayon): the triangle one block-row per task, the vote table and the
//! decisions one block per task, the prefix sums in column strips; every float is computed by
//! the same sequence of operations as on one thread, and sums run in a fixed order. The
//! decisions visit the others in position order, so their inputs are read in sequence.
//! Memory: the vote table and the support triangle (about 16 n² bytes), kept in a workspace
//! reused from round to round, plus the challenge matrix when the diagnostics are kept. The
//! pre-optimisation round is kept as a test oracle (`eu/reference.rs`), and the optimised one
//! is checked to be bit-identical to it (so the vector kernels to the scalar code), with and
//! without diagnostics.
//!
//! Degenerate inputs do not panic: with fewer than two actors, all actors at one position
//! (range 0) or no salience, nobody moves. When the capability × salience weights sum to zero
//! the round summaries fall back to unweighted ones, so the forecast is never NaN for finite
//! positions. Positions stay within the input range.

use multiversion::multiversion;
use serde::{Deserialize, Serialize};

use crate::{Forecast, Model, Problem, Round, round_zero, summarize, vmath};

/// A1: whose salience is the probability that the challenged actor resists, in E^i(U_ji).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResistSalience {
    /// The salience of the challenged actor: s_j in E^i(U_ij), s_i in E^i(U_ji). Scholz et al.'s
    /// code as transcribed by jmckib (GitHub jmckib/bdm-scholz-expected-utility-model); the
    /// default.
    Challenged,
    /// As printed in Scholz et al. (2011): s_j in both E^i(U_ij) and E^j(U_ji) (a misprint by
    /// most readings; kept to show its effect).
    AsPrinted,
}

/// A2: how an actor's security (exposure to challenges) is summed from the first-pass EU matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Security {
    /// Column sum Σ_{j≠i} E(U_ji): what the others expect from challenging i (Scholz et al.'s
    /// "danger", jmckib's `danger_level`). The default; it reproduces jmckib's round-1 rᵢ.
    Column,
    /// Row sum Σ_{j≠i} E(U_ij): what i expects from challenging the others.
    Row,
}

/// A3: which side of the (+, −) quadrant is a compromise and which a capitulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompromiseRule {
    /// With a = E^i(U_ij) < 0 < b = E^i(U_ji): |b| > |a| is a compromise (i moves the fraction
    /// |a/b| of the way to x_j), |a| > |b| a capitulation (i moves to x_j). Scholz et al. (2011)
    /// and the README reconstruction. The default (on the EC case no pair falls in the
    /// capitulation region, so it gives the same rounds as jmckib's code).
    Standard,
    /// The mirror reading: |a| > |b| is a compromise (i moves the fraction |b/a|), |b| > |a| a
    /// capitulation.
    Swapped,
    /// As [`CompromiseRule::Standard`] but a capitulation yields no offer: jmckib's code (its
    /// capitulation test `eu_ji < abs(eu_ji)` is never true).
    NoCapitulation,
}

/// A4: which of the offers it receives an actor accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferChoice {
    /// Classes in the order conflict, compromise, capitulation; within the first non-empty
    /// class, the offer that moves the actor least (Scholz et al. 2011's text, BDM 1994).
    LeastMove,
    /// As [`OfferChoice::LeastMove`], except that among compromises the one with the smallest
    /// EU-weighted position (|a| xᵢ + |b| xⱼ)/(|a| + |b|) is taken: Scholz et al.'s code as
    /// transcribed by jmckib. The default (it reproduces Table 2).
    ScholzCode,
    /// Any class: the offer whose proposer has the largest expected utility E^i(U_ji), the most
    /// enforceable one.
    MostEnforceable,
}

/// A5: what happens in a conflict (both expect to gain from challenging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConflictRule {
    /// The actor with the lower EU moves fully to the other's position (Scholz et al.; jmckib).
    /// The default.
    LoserMoves,
    /// Nobody moves (conflicts are costly stand-offs).
    NobodyMoves,
}

/// A6: the denominator of the probability P^i that i beats j.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProbabilityDenominator {
    /// Σ_k w_k |a_k| over the pair's own votes, so P^i + P^j = 1 (BDM 1994; the README formula).
    Pair,
    /// Σ_k w_k Σ_{a,b} |a_k(a, b)| over every ordered pair of actors: Scholz et al.'s code as
    /// transcribed by jmckib; probabilities are tiny. The default (it reproduces Table 2 and
    /// jmckib's risk exponents).
    AllPairs,
}

/// A7: what the model's central position μ is (the forecast, and T in the Q < 1 term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Centre {
    /// The capability × salience weighted median (the Condorcet winner under linear utility):
    /// BDM, Scholz et al. The default.
    Median,
    /// The capability × salience weighted mean.
    Mean,
}

/// A8: the position range R that normalises distances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeRule {
    /// The input range, fixed for the whole run (jmckib). The default.
    Fixed,
    /// Recomputed from the current positions every round.
    Recomputed,
}

/// A9: whose risk exponent an actor uses for the other's expected utility E^i(U_ji).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Perspective {
    /// Actor i evaluates both E^i(U_ij) and E^i(U_ji) with its own rᵢ (BDM's "perceptions";
    /// Scholz et al.; jmckib). The default.
    OwnRisk,
    /// E(U_ji) is evaluated with rⱼ (each actor's utility with its own exponent).
    EachOwn,
}

/// How voters' utilities enter P^i in the second pass (an ambiguity beyond A1–A9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteUtility {
    /// Linear votes a_k = |x_k − x_j| − |x_k − x_i| (the README formula; always used in the
    /// first pass). On the EC case it misses Scholz's round-6 median by 0.12.
    Linear,
    /// In the second pass each voter weighs distances with its own exponent,
    /// a_k = (|x_k − x_j|/R)^{r_k} − (|x_k − x_i|/R)^{r_k} (jmckib's code, which reproduces
    /// its published rounds to 1e-6 and Scholz's Table 2 but for round 2). The default.
    /// O(n²) memory per round.
    VoterRisk,
}

/// When to stop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum StopRule {
    /// Play exactly [`EuOptions::rounds`] rounds.
    FixedRounds,
    /// Stop once μ has moved less than `tolerance` in each of `rounds` consecutive rounds (or
    /// after [`EuOptions::rounds`] rounds at most).
    MedianStable {
        /// Largest move of μ that counts as stable.
        tolerance: f64,
        /// Consecutive stable rounds needed.
        rounds: usize,
    },
}

/// The model's options: one field per known ambiguity (A1–A9 of the reference README), plus
/// the number of rounds, the stop rule and Q. The default reproduces Scholz et al. (2011)
/// Table 2 on the EC car-emissions case (see the crate's `tests/eu.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EuOptions {
    /// A1: whose salience is the resistance probability in E^i(U_ji).
    pub resist_salience: ResistSalience,
    /// A2: security as column or row sum.
    pub security: Security,
    /// A3: compromise versus capitulation.
    pub compromise: CompromiseRule,
    /// A4: which offer an actor accepts.
    pub offer_choice: OfferChoice,
    /// A5: conflict outcome.
    pub conflict: ConflictRule,
    /// A6: the denominator of P^i.
    pub denominator: ProbabilityDenominator,
    /// A7: μ as median or mean (also the forecast).
    pub centre: Centre,
    /// A8: R fixed or recomputed.
    pub range: RangeRule,
    /// A9: whose risk exponent in E^i(U_ji).
    pub perspective: Perspective,
    /// Voters' utilities in P^i in the second pass.
    pub votes: VoteUtility,
    /// Maximum number of rounds (default 8, as in Scholz et al.'s Table 2).
    pub rounds: usize,
    /// Stop rule (default [`StopRule::FixedRounds`]).
    pub stop: StopRule,
    /// Weight of the status quo in the EU of a challenge; Scholz et al. use Q = 1 (default).
    pub q: f64,
}

impl Default for EuOptions {
    fn default() -> Self {
        EuOptions {
            resist_salience: ResistSalience::Challenged,
            security: Security::Column,
            compromise: CompromiseRule::Standard,
            offer_choice: OfferChoice::ScholzCode,
            conflict: ConflictRule::LoserMoves,
            denominator: ProbabilityDenominator::AllPairs,
            centre: Centre::Median,
            range: RangeRule::Fixed,
            perspective: Perspective::OwnRisk,
            votes: VoteUtility::VoterRisk,
            rounds: 8,
            stop: StopRule::FixedRounds,
            q: 1.0,
        }
    }
}

/// The relation between two actors, from the first one's point of view (the quadrant chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relation {
    /// Both expect to gain from a challenge; the one expecting less loses.
    Conflict,
    /// One expects to gain, the other to lose less: the loser moves part of the way.
    Compromise,
    /// One expects to gain, the other to lose more: the loser moves all the way.
    Capitulation,
    /// Neither expects to gain (or both stand at the same position).
    Stalemate,
}

/// One cell of the challenge matrix: row actor i, column actor j, seen by i.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// E^i(U_ij): i's expected utility of challenging j.
    pub eu: f64,
    /// E^i(U_ji): i's estimate of j's expected utility of challenging i.
    pub eu_other: f64,
    /// The relation (quadrant).
    pub relation: Relation,
    /// Whether i is the side that gives way.
    pub yields: bool,
    /// The position j offers i (where i would move), if any.
    pub offer: Option<f64>,
}

/// One round's diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EuRound {
    /// The range R used this round.
    pub range: f64,
    /// μ at the start of the round.
    pub centre: f64,
    /// Security (first pass, r = 1) by actor.
    pub security: Vec<f64>,
    /// The risk exponents rᵢ used in the second pass.
    pub risk: Vec<f64>,
    /// `challenges[i][j]`: i's view of the pair (i, j); the diagonal is a stalemate.
    pub challenges: Vec<Vec<Challenge>>,
    /// The offer each actor accepted: (proposer index, position), if any.
    pub accepted: Vec<Option<(usize, f64)>>,
}

/// A run with its diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EuRun {
    /// The forecast.
    pub forecast: Forecast,
    /// One entry per round played (so `rounds[t]` led to `forecast.rounds[t + 1]`).
    pub rounds: Vec<EuRound>,
}

/// The expected-utility model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpectedUtility {
    /// The options.
    pub options: EuOptions,
}

impl Model for ExpectedUtility {
    fn name(&self) -> &'static str {
        "eu"
    }
    fn forecast(&self, p: &Problem) -> Forecast {
        self.play(p, false).forecast
    }
}

/// Summaries that never turn NaN for finite positions: unweighted when the weights vanish.
fn round_of(p: &Problem, positions: Vec<f64>) -> Round {
    let mut r = summarize(p, positions);
    fix_nan(&mut r);
    r
}

fn fix_nan(r: &mut Round) {
    if r.median.is_nan() || r.mean.is_nan() {
        let ones = vec![1.0; r.positions.len()];
        let (m, a) = if r.positions.is_empty() {
            (0.0, 0.0)
        } else {
            (
                crate::weighted_median(&r.positions, &ones),
                crate::weighted_mean(&r.positions, &ones),
            )
        };
        if r.median.is_nan() {
            r.median = m;
        }
        if r.mean.is_nan() {
            r.mean = a;
        }
    }
}

impl ExpectedUtility {
    /// A model with the given options.
    pub fn new(options: EuOptions) -> Self {
        ExpectedUtility { options }
    }

    /// Run the model and keep every round's risk exponents and challenge matrix.
    pub fn run(&self, p: &Problem) -> EuRun {
        self.play(p, true)
    }

    fn play(&self, p: &Problem, keep: bool) -> EuRun {
        let o = &self.options;
        let mut r0 = round_zero(p);
        fix_nan(&mut r0);
        let mut rounds = vec![r0];
        let mut diags = Vec::new();
        let mut ws = Workspace::default();
        let w: Vec<f64> = p
            .players
            .iter()
            .map(|a| weight(a.capability * a.salience))
            .collect();
        let s: Vec<f64> = p.players.iter().map(|a| clamp01(a.salience)).collect();
        let (lo, hi) = bounds(&rounds[0].positions);
        let range0 = hi - lo;
        let mut converged_after = None;
        let mut stable = 0usize;
        for t in 0..o.rounds {
            let prev = &rounds[t];
            let centre = match o.centre {
                Centre::Median => prev.median,
                Centre::Mean => prev.mean,
            };
            let range = match o.range {
                RangeRule::Fixed => range0,
                RangeRule::Recomputed => {
                    let (a, b) = bounds(&prev.positions);
                    b - a
                }
            };
            let st = RoundInput {
                x: &prev.positions,
                w: &w,
                s: &s,
                range,
                centre,
            };
            let (mut next, diag) = one_round(o, &st, keep, &mut ws);
            for v in &mut next {
                *v = v.clamp(lo, hi);
            }
            let moved = next.iter().zip(&prev.positions).any(|(a, b)| a != b);
            let prev_mu = match o.centre {
                Centre::Median => prev.median,
                Centre::Mean => prev.mean,
            };
            let round = round_of(p, next);
            if !moved && converged_after.is_none() {
                converged_after = Some(t);
            } else if moved {
                converged_after = None;
            }
            let mu = match o.centre {
                Centre::Median => round.median,
                Centre::Mean => round.mean,
            };
            rounds.push(round);
            if let Some(d) = diag {
                diags.push(d);
            }
            if let StopRule::MedianStable {
                tolerance,
                rounds: k,
            } = o.stop
            {
                if (mu - prev_mu).abs() < tolerance {
                    stable += 1;
                } else {
                    stable = 0;
                }
                if stable >= k.max(1) {
                    break;
                }
            }
        }
        let last = rounds.last().expect("round 0 exists");
        let outcome = match o.centre {
            Centre::Median => last.median,
            Centre::Mean => last.mean,
        };
        EuRun {
            forecast: Forecast {
                model: "eu".into(),
                rounds,
                outcome,
                converged_after,
            },
            rounds: diags,
        }
    }
}

fn weight(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

fn clamp01(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn bounds(x: &[f64]) -> (f64, f64) {
    let lo = x
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = x
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if lo > hi { (0.0, 0.0) } else { (lo, hi) }
}

struct RoundInput<'a> {
    x: &'a [f64],
    w: &'a [f64],
    s: &'a [f64],
    range: f64,
    centre: f64,
}

/// The pieces of an EU that depend on the distance and the exponent only.
#[derive(Clone, Copy)]
struct Utilities {
    us: f64,
    uf: f64,
}

#[inline]
fn utilities(d: f64, r: f64) -> Utilities {
    if r == 1.0 {
        Utilities {
            us: 2.0 * d,
            uf: -2.0 * d,
        }
    } else {
        Utilities {
            us: 2.0 - 4.0 * pow((0.5 - 0.5 * d).max(0.0), r),
            uf: 2.0 - 4.0 * pow(0.5 + 0.5 * d, r),
        }
    }
}

/// bʳ as e^{r ln b} with the [`vmath`] functions, as the row kernels take it, so that no power
/// of the round depends on the C library (whose `pow` differs in the last bit between CPUs).
#[inline(always)]
fn pow(b: f64, r: f64) -> f64 {
    vmath::exp(r * vmath::ln(b))
}

#[inline]
fn u_sq(r: f64) -> f64 {
    2.0 - 4.0 * pow(0.5, r)
}

/// The status-quo part Q·U_sq + (1 − Q)[T U_b + (1 − T) U_w] for challenger position xc.
#[inline]
fn status_quo_term(q: f64, r: f64, xc: f64, xt: f64, st: &RoundInput) -> f64 {
    let mut v = q * u_sq(r);
    if q != 1.0 {
        let dm = (xc - st.centre).abs();
        let dt = (xc - xt).abs();
        let e = 0.25 * (dm + dt) / st.range;
        let ub = 2.0 - 4.0 * pow((0.5 - e).max(0.0), r);
        let uw = 2.0 - 4.0 * pow(0.5 + e, r);
        let tt = if dm < dt { 1.0 } else { 0.0 };
        v += (1.0 - q) * (tt * ub + (1.0 - tt) * uw);
    }
    v
}

/// E(U) of a challenge given the utilities, P of success and the resistance probability.
#[inline]
fn eu(u: Utilities, p: f64, resist: f64, sq: f64) -> f64 {
    resist * (p * u.us + (1.0 - p) * u.uf) + (1.0 - resist) * u.us - sq
}

/// The O(n²) buffers of a round, reused from one round to the next of a run.
#[derive(Default)]
struct Workspace {
    /// The second pass's risk-weighted vote prefix sums ((n + 1) × n, see [`Probabilities`]).
    votes: Vec<f64>,
    /// The upper triangle of the pairs' supports by sorted index (see [`map_rows`]).
    upper: Tri<(f64, f64)>,
}

/// The upper triangle (cells a < b) of an n × n table by sorted index, stored in
/// [`BLOCK`] × [`BLOCK`] tiles, block-row after block-row: half the memory of the square, and a
/// block of rows reads both its own rows and its columns (the mirrored lower part) as
/// contiguous tiles.
#[derive(Default)]
struct Tri<T> {
    n: usize,
    cells: Vec<T>,
}

impl<T: Copy + Send + Sync> Tri<T> {
    /// The number of blocks.
    fn blocks(&self) -> usize {
        self.n.div_ceil(BLOCK)
    }

    /// Offset of tile (bi, bj), bi ≤ bj.
    fn tile(&self, bi: usize, bj: usize) -> usize {
        let nb = self.blocks();
        (bi * nb - bi * bi.saturating_sub(1) / 2 + (bj - bi)) * BLOCK * BLOCK
    }

    /// Size the table for n, reusing the buffer when it fits (cells are overwritten by
    /// [`Tri::fill`], so they are not cleared).
    fn reset(&mut self, n: usize, zero: T) {
        let nb = n.div_ceil(BLOCK);
        let len = nb * (nb + 1) / 2 * BLOCK * BLOCK;
        if self.cells.len() != len {
            // A fresh zeroed allocation (no memset of the O(n²) buffer).
            self.cells = vec![zero; len];
        }
        self.n = n;
    }

    /// Every cell: `f(a, out)` writes the cells (a, b) for b > a into `out[b − a − 1]` (a
    /// scratch row, copied into the tiles); its results are returned in row order. One
    /// block-row per task from [`PARALLEL_ROWS`] actors.
    fn fill<R: Send>(&mut self, zero: T, f: impl Fn(usize, &mut [T]) -> R + Sync) -> Vec<R> {
        use rayon::prelude::*;
        let (n, nb) = (self.n, self.blocks());
        let mut rest = &mut self.cells[..];
        let mut rows = Vec::with_capacity(nb);
        for bi in 0..nb {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut((nb - bi) * BLOCK * BLOCK);
            rows.push((bi, head));
            rest = tail;
        }
        let block_row = |scratch: &mut Vec<T>, (bi, tiles): (usize, &mut [T])| {
            let mut results = Vec::with_capacity(BLOCK);
            for a in bi * BLOCK..((bi + 1) * BLOCK).min(n) {
                scratch.resize(n - a - 1, zero);
                results.push(f(a, scratch));
                let k = a - bi * BLOCK;
                for bj in bi..nb {
                    let (c0, c1) = ((bj * BLOCK).max(a + 1), ((bj + 1) * BLOCK).min(n));
                    if c0 >= c1 {
                        continue;
                    }
                    let at = (bj - bi) * BLOCK * BLOCK + k * BLOCK;
                    tiles[at + c0 - bj * BLOCK..at + c1 - bj * BLOCK]
                        .copy_from_slice(&scratch[c0 - a - 1..c1 - a - 1]);
                }
            }
            results
        };
        let results: Vec<Vec<R>> = if n >= PARALLEL_ROWS {
            rows.into_par_iter().map_init(Vec::new, block_row).collect()
        } else {
            let mut scratch = Vec::new();
            rows.into_iter()
                .map(|r| block_row(&mut scratch, r))
                .collect()
        };
        results.into_iter().flatten().collect()
    }

    /// The full rows of block bi into `out` (rows × n): the lower part is `mirror` of the
    /// transposed cell, `diag` on the diagonal.
    fn assemble(&self, bi: usize, diag: T, mirror: impl Fn(T) -> T, out: &mut Vec<T>) {
        let (n, nb) = (self.n, self.blocks());
        let (s0, s1) = (bi * BLOCK, ((bi + 1) * BLOCK).min(n));
        let rows = s1 - s0;
        // Every cell is written below, so the buffer is not cleared.
        out.resize(rows * n, diag);
        let cells = &self.cells;
        for bj in 0..bi {
            let tile = &cells[self.tile(bj, bi)..][..BLOCK * BLOCK];
            for (r, run) in tile.chunks(BLOCK).enumerate() {
                let sj = bj * BLOCK + r;
                for (k, &v) in run[..rows].iter().enumerate() {
                    out[k * n + sj] = mirror(v);
                }
            }
        }
        let tile = &cells[self.tile(bi, bi)..][..BLOCK * BLOCK];
        for k in 0..rows {
            out[k * n + s0 + k] = diag;
            for k2 in k + 1..rows {
                let v = tile[k * BLOCK + k2];
                out[k * n + s0 + k2] = v;
                out[k2 * n + s0 + k] = mirror(v);
            }
        }
        for bj in bi + 1..nb {
            let tile = &cells[self.tile(bi, bj)..][..BLOCK * BLOCK];
            let cols = BLOCK.min(n - bj * BLOCK);
            for k in 0..rows {
                out[k * n + bj * BLOCK..][..cols].copy_from_slice(&tile[k * BLOCK..][..cols]);
            }
        }
    }
}

/// Below this many actors the work runs on the calling thread (a task would be too small to
/// share).
const PARALLEL_ROWS: usize = 128;

/// Actors per block of probability rows. The actors of a block are adjacent in position order,
/// so their midpoint pointers stay within a band of about `BLOCK / 2` rows of the vote table:
/// the block's reads of one column share cache lines with the next column's.
const BLOCK: usize = 16;

/// `f(scratch, i, row)` for every actor i, where `row[sj]` = (P^i(j), P^j(i)) for the actor j
/// at sorted index sj; `scratch` is one per task; the results are returned in actor order. First the upper
/// triangle of the pairs' supports by sorted index is filled into `upper` (reused), one
/// block-row per task, and the AllPairs denominator summed from it; then each block of
/// [`BLOCK`] position-adjacent actors assembles its full rows from the tiles, divides them into
/// probabilities and applies `f`. Every float is computed sequentially by
/// one task, so the results are bit-identical however the tasks are scheduled; from
/// [`PARALLEL_ROWS`] actors both steps run on the rayon pool.
fn map_rows<T: Send, S: Default + Send>(
    p: &Probabilities,
    upper: &mut Tri<(f64, f64)>,
    f: impl Fn(&mut S, usize, &[(f64, f64)]) -> T + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let n = p.n;
    if n == 0 {
        return Vec::new();
    }
    let parallel = n >= PARALLEL_ROWS;
    upper.reset(n, (0.0, 0.0));
    let sums = upper.fill((0.0, 0.0), |si, out| p.upper_row(si, out));
    // The AllPairs denominator Σ_k Σ_{a,b} |v_k(a) − v_k(b)| over ordered pairs: twice the sum
    // of every unordered pair's two supports, summed by row (each row by one task), then over
    // the rows in order, so it is the same on any thread count.
    let all = 2.0 * sums.iter().fold(0.0, |acc, &v| acc + v);
    let pair = p.den == ProbabilityDenominator::Pair;
    let upper = &*upper;
    type Rows<S> = (Vec<(f64, f64)>, S);
    let block = |(rows, scratch): &mut Rows<S>, b: usize| -> Vec<(usize, T)> {
        let (s0, s1) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        upper.assemble(b, (0.0, 0.0), |(a, c)| (c, a), rows);
        probabilities(rows, pair, all);
        (s0..s1)
            .zip(rows.chunks(n))
            .map(|(s, row)| (p.idx[s], f(scratch, p.idx[s], row)))
            .collect()
    };
    let blocks = n.div_ceil(BLOCK);
    let parts: Vec<Vec<(usize, T)>> = if parallel {
        (0..blocks)
            .into_par_iter()
            .map_init(Rows::<S>::default, block)
            .collect()
    } else {
        let mut rows = Rows::<S>::default();
        (0..blocks).map(|b| block(&mut rows, b)).collect()
    };
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for (i, v) in parts.into_iter().flatten() {
        slots[i] = Some(v);
    }
    slots
        .into_iter()
        .map(|v| v.expect("every actor belongs to exactly one block"))
        .collect()
}

/// One round: the new positions and, if asked, the diagnostics.
fn one_round(
    o: &EuOptions,
    st: &RoundInput,
    keep: bool,
    ws: &mut Workspace,
) -> (Vec<f64>, Option<EuRound>) {
    let n = st.x.len();
    let x = st.x;
    let trivial = n < 2 || st.range.is_nan() || st.range <= 0.0 || !st.range.is_finite();
    if trivial {
        let diag = keep.then(|| EuRound {
            range: st.range,
            centre: st.centre,
            security: vec![0.0; n],
            risk: vec![1.0; n],
            challenges: vec![vec![stalemate(); n]; n],
            accepted: vec![None; n],
        });
        return (x.to_vec(), diag);
    }
    let range = st.range;
    // First pass, r = 1: probabilities with linear votes, security, risk.
    let p1 = Probabilities::new(x, st.w, None, o.denominator, Vec::new());
    // The first pass's status-quo term for challenger and target positions xc, xt.
    let sq1 = |xc: f64, xt: f64| {
        if o.q == 1.0 {
            0.0
        } else {
            status_quo_term(o.q, 1.0, xc, xt, st)
        }
    };
    // Each term in position order (a loop that vectorises), then the sum in actor order.
    let s_sorted: Vec<f64> = p1.idx.iter().map(|&k| st.s[k]).collect();
    let security = map_rows(&p1, &mut ws.upper, |terms: &mut Vec<f64>, i, row| {
        let xi = x[i];
        // The status-quo terms first (none when Q = 1), then the EUs.
        terms.clear();
        let column = o.security == Security::Column;
        terms.extend(p1.xs.iter().map(|&xj| match column {
            // j challenging i.
            true => sq1(xj, xi),
            false => sq1(xi, xj),
        }));
        security_row(xi, range, (&p1.xs, &s_sorted), row, st.s[i], column, terms);
        let mut sec = 0.0;
        for (j, &sj) in p1.rank.iter().enumerate() {
            if j != i {
                sec += terms[sj];
            }
        }
        sec
    });
    let (smin, smax) = bounds(&security);
    let risk: Vec<f64> = security
        .iter()
        .map(|&sec| {
            let big_r = if smax > smin {
                (2.0 * sec - smax - smin) / (smax - smin)
            } else {
                0.0
            };
            (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
        })
        .collect();
    // Second pass.
    let p2 = match o.votes {
        VoteUtility::Linear => p1,
        VoteUtility::VoterRisk => Probabilities::new(
            x,
            st.w,
            Some((&risk, range)),
            o.denominator,
            std::mem::take(&mut ws.votes),
        ),
    };
    let order = SortedRound::new(&p2, st.s, &risk);
    let rows = map_rows(&p2, &mut ws.upper, |sc, i, p| {
        let row_i = RowOf { p, order: &order };
        decide(o, st, row_i, i, keep, sc)
    });
    if o.votes == VoteUtility::VoterRisk {
        ws.votes = p2.into_buffer();
    }
    let mut next = x.to_vec();
    let mut accepted = vec![None; n];
    let mut matrix = if keep {
        Vec::with_capacity(n)
    } else {
        Vec::new()
    };
    for (i, (best, row)) in rows.into_iter().enumerate() {
        if let Some(b) = best {
            next[i] = b.pos;
            accepted[i] = Some((b.proposer, b.pos));
        }
        if keep {
            matrix.push(row);
        }
    }
    let diag = keep.then_some(EuRound {
        range,
        centre: st.centre,
        security,
        risk,
        challenges: matrix,
        accepted,
    });
    (next, diag)
}

/// Actor i's row of probabilities by sorted index, with the round's sorted order.
#[derive(Clone, Copy)]
struct RowOf<'a> {
    p: &'a [(f64, f64)],
    order: &'a SortedRound<'a>,
}

/// The round's inputs by sorted index, for the decisions.
struct SortedRound<'a> {
    /// The second pass's sorted order (its `idx`, `rank` and `xs`).
    p: &'a Probabilities,
    /// Saliences and risk exponents by sorted index.
    s: Vec<f64>,
    risk: Vec<f64>,
}

impl<'a> SortedRound<'a> {
    fn new(p: &'a Probabilities, s: &[f64], risk: &[f64]) -> Self {
        SortedRound {
            p,
            s: p.idx.iter().map(|&k| s[k]).collect(),
            risk: p.idx.iter().map(|&k| risk[k]).collect(),
        }
    }
}

/// The first pass's EUs (r = 1) behind actor i's security, against each actor by sorted index
/// (positions `xs`, saliences `s`, probabilities `p`): with `column`, E(U_ji) of j challenging
/// i (resistance s_i), else E(U_ij) (resistance s_j). `terms` holds the status-quo terms on
/// entry and the EUs on return. The floats of [`eu`] and [`utilities`], in a loop that
/// vectorises.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn security_row(
    xi: f64,
    range: f64,
    (xs, s): (&[f64], &[f64]),
    p: &[(f64, f64)],
    s_i: f64,
    column: bool,
    terms: &mut [f64],
) {
    for (term, ((&xj, &s_j), &(pij, pji))) in terms.iter_mut().zip(xs.iter().zip(s).zip(p)) {
        let d = (xi - xj).abs() / range;
        let u = utilities(d, 1.0);
        *term = if column {
            eu(u, pji, s_i, *term)
        } else {
            eu(u, pij, s_j, *term)
        };
    }
}

/// The risk-weighted votes of the voter at xt (weight w, exponent r) against the actor at each
/// position of `xs`: `row[a]` = w d^r = w e^{r ln d} with d = |xt − x_a| / range, and 0 where
/// d is not positive (the voter's own position) or NaN (the logarithm and exponential inline,
/// so the loop vectorises).
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn vote_row(w: f64, r: f64, (xt, range): (f64, f64), xs: &[f64], row: &mut [f64]) {
    for (cell, &xa) in row.iter_mut().zip(xs) {
        let d = (xt - xa).abs() / range;
        let v = w * vmath::exp(r * vmath::ln(d));
        *cell = if d > 0.0 { v } else { 0.0 };
    }
}

/// Supports to probabilities: each (lo, hi) divided by lo + hi if `pair`, else by `all`, and
/// clamped to [0, 1]; 0 where the denominator is not positive. Branch-free, so it vectorises.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn probabilities(cells: &mut [(f64, f64)], pair: bool, all: f64) {
    for cell in cells {
        let (lo, hi) = *cell;
        let d = if pair { lo + hi } else { all };
        let (p, q) = ((lo / d).clamp(0.0, 1.0), (hi / d).clamp(0.0, 1.0));
        *cell = if d > 0.0 { (p, q) } else { (0.0, 0.0) };
    }
}

/// The utilities of success and failure of the actor at xi with risk exponent ri against the
/// actor at each position of `xs`: `us` = 2 − 4 (0.5 − 0.5 d)^ri and `uf` = 2 − 4 (0.5 + 0.5 d)^ri
/// with d = |xi − xj| / range, the powers as e^{ri ln(·)} (the logarithms and exponentials
/// inline, so the loop vectorises with the widest instructions of the machine, as in
/// [`vmath`]).
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn utility_row(xi: f64, ri: f64, range: f64, xs: &[f64], us: &mut [f64], uf: &mut [f64]) {
    for ((s, f), &xj) in us.iter_mut().zip(uf.iter_mut()).zip(xs) {
        let d = (xi - xj).abs() / range;
        let ls = vmath::ln((0.5 - 0.5 * d).max(0.0));
        let lf = vmath::ln(0.5 + 0.5 * d);
        *s = 2.0 - 4.0 * vmath::exp(ri * ls);
        *f = 2.0 - 4.0 * vmath::exp(ri * lf);
    }
}

/// a[sj] = E^i(U_ij) and b[sj] = E^i(U_ji) with i's utilities (`us`, `uf`) and status-quo term
/// `sq` for both, `p[sj]` = (P^i(j), P^j(i)) and `s[sj]` the saliences; the resistance in b is
/// s_i, or s_j if `resist_j` ([`ResistSalience`]). The floats of [`eu`], in a loop that
/// vectorises.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn eu_row(
    sq: f64,
    s_i: f64,
    resist_j: bool,
    (us, uf): (&[f64], &[f64]),
    p: &[(f64, f64)],
    s: &[f64],
    (a, b): (&mut [f64], &mut [f64]),
) {
    let rows = us.iter().zip(uf).zip(p.iter().zip(s));
    for ((a, b), ((&us, &uf), (&(pij, pji), &s_j))) in a.iter_mut().zip(b.iter_mut()).zip(rows) {
        let u = Utilities { us, uf };
        *a = eu(u, pij, s_j, sq);
        *b = eu(u, pji, if resist_j { s_j } else { s_i }, sq);
    }
}

/// Per-task scratch rows of [`decide`].
#[derive(Default)]
struct DecideRows {
    us: Vec<f64>,
    uf: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
}

/// Actor i's row of the second pass: its view of every pair (i, j) and the offer it accepts.
/// The others are visited in position order, so every input is read in sequence. First, for
/// all of them at once, i's utilities (the exponentials with [`vmath::exp`]) and the two EUs
/// a = E^i(U_ij) and b = E^i(U_ji), in loops that vectorise; then the pairs are classified, and
/// without the diagnostics only those where b > 0 (the others make no offer, see
/// [`classify`]). Of equally good offers the one from the lowest actor index is kept (see
/// [`better`]). The challenge row (by actor index) is empty unless `keep`.
fn decide(
    o: &EuOptions,
    st: &RoundInput,
    row_i: RowOf,
    i: usize,
    keep: bool,
    sc: &mut DecideRows,
) -> (Option<Candidate>, Vec<Challenge>) {
    let ord = row_i.order;
    let (xs, idx) = (&ord.p.xs, &ord.p.idx);
    let n = xs.len();
    let si = ord.p.rank[i];
    let (xi, ri, s_i) = (xs[si], ord.risk[si], ord.s[si]);
    let sq_i = u_sq(ri);
    let DecideRows { us, uf, a, b } = sc;
    for v in [&mut *us, &mut *uf, &mut *a, &mut *b] {
        v.resize(n, 0.0);
    }
    utility_row(xi, ri, st.range, xs, us, uf);
    let resist_b = |s_j: f64| match o.resist_salience {
        ResistSalience::Challenged => s_i,
        ResistSalience::AsPrinted => s_j,
    };
    let ui_of = |sj: usize| Utilities {
        us: us[sj],
        uf: uf[sj],
    };
    if o.q == 1.0 && o.perspective == Perspective::OwnRisk {
        // Both EUs with i's utilities and status quo.
        let resist_j = o.resist_salience == ResistSalience::AsPrinted;
        eu_row(sq_i, s_i, resist_j, (us, uf), row_i.p, &ord.s, (a, b));
    } else {
        for (sj, (a, b)) in a.iter_mut().zip(b.iter_mut()).enumerate() {
            let (xj, s_j, (pij, pji)) = (xs[sj], ord.s[sj], row_i.p[sj]);
            let ui = ui_of(sj);
            let sq_a = if o.q == 1.0 {
                sq_i
            } else {
                status_quo_term(o.q, ri, xi, xj, st)
            };
            *a = eu(ui, pij, s_j, sq_a);
            let rb = match o.perspective {
                Perspective::OwnRisk => ri,
                Perspective::EachOwn => ord.risk[sj],
            };
            let (uj, sq_b) = if rb == ri && o.q == 1.0 {
                (ui, sq_i)
            } else {
                let d = (xi - xj).abs() / st.range;
                (utilities(d, rb), status_quo_term(o.q, rb, xj, xi, st))
            };
            *b = eu(uj, pji, resist_b(s_j), sq_b);
        }
    }
    let mut best: Option<Candidate> = None;
    let mut row = if keep {
        vec![stalemate(); n]
    } else {
        Vec::new()
    };
    for (sj, (&a, &b)) in a.iter().zip(b.iter()).enumerate() {
        // Without b > 0 nothing is offered to i, which is all that counts without `keep`.
        if !(keep || b > 0.0) {
            continue;
        }
        let xj = xs[sj];
        if sj == si || xi == xj {
            continue;
        }
        let c = classify(o, a, b, xi, xj);
        let j = idx[sj];
        if let Some(pos) = c.offer {
            let cand = Candidate {
                class: class_rank(c.relation),
                proposer: j,
                pos,
                a,
                b,
            };
            if best.is_none_or(|old| better(o.offer_choice, &cand, &old, xi, st.x)) {
                best = Some(cand);
            }
        }
        if keep {
            row[j] = c;
        }
    }
    (best, row)
}

fn stalemate() -> Challenge {
    Challenge {
        eu: 0.0,
        eu_other: 0.0,
        relation: Relation::Stalemate,
        yields: false,
        offer: None,
    }
}

/// Classify the pair seen by i, with a = E^i(U_ij) and b = E^i(U_ji).
fn classify(o: &EuOptions, a: f64, b: f64, xi: f64, xj: f64) -> Challenge {
    let mut c = Challenge {
        eu: a,
        eu_other: b,
        relation: Relation::Stalemate,
        yields: false,
        offer: None,
    };
    if a > 0.0 && b > 0.0 {
        c.relation = Relation::Conflict;
        if b > a {
            c.yields = true;
            if o.conflict == ConflictRule::LoserMoves {
                c.offer = Some(xj);
            }
        }
    } else if a > 0.0 || b > 0.0 {
        // Opposite signs (or one zero): the side expecting to gain is the winner.
        let (gain, loss) = if b > 0.0 { (b, a.abs()) } else { (a, b.abs()) };
        let compromise = match o.compromise {
            CompromiseRule::Standard | CompromiseRule::NoCapitulation => gain > loss,
            CompromiseRule::Swapped => loss > gain,
        };
        c.relation = if compromise {
            Relation::Compromise
        } else {
            Relation::Capitulation
        };
        if b > 0.0 {
            c.yields = true;
            c.offer = if compromise {
                let f = match o.compromise {
                    CompromiseRule::Swapped => gain / loss,
                    _ => loss / gain,
                };
                Some(xi + (xj - xi) * f)
            } else if o.compromise == CompromiseRule::NoCapitulation {
                None
            } else {
                Some(xj)
            };
        }
    }
    c
}

#[derive(Clone, Copy)]
struct Candidate {
    class: u8,
    proposer: usize,
    pos: f64,
    a: f64,
    b: f64,
}

fn class_rank(r: Relation) -> u8 {
    match r {
        Relation::Conflict => 0,
        Relation::Compromise => 1,
        Relation::Capitulation => 2,
        Relation::Stalemate => 3,
    }
}

/// Whether offer `new` to the actor at xi beats `old`: by class (conflict, compromise,
/// capitulation), then by the key of the rule (the least move, or Scholz's EU-weighted position
/// for compromises), or by the proposer's EU for [`OfferChoice::MostEnforceable`]; equally good
/// offers go to the lower proposer index, whatever order they are visited in.
fn better(rule: OfferChoice, new: &Candidate, old: &Candidate, xi: f64, x: &[f64]) -> bool {
    let earlier = new.proposer < old.proposer;
    match rule {
        OfferChoice::MostEnforceable => new.b > old.b || (new.b == old.b && earlier),
        OfferChoice::LeastMove | OfferChoice::ScholzCode => {
            if new.class != old.class {
                return new.class < old.class;
            }
            let key = |c: &Candidate| {
                if rule == OfferChoice::ScholzCode && c.class == 1 {
                    let (ea, eb) = (c.a.abs(), c.b.abs());
                    (ea * xi + eb * x[c.proposer]) / (ea + eb)
                } else {
                    (c.pos - xi).abs()
                }
            };
            let (kn, ko) = (key(new), key(old));
            kn < ko || (kn == ko && earlier)
        }
    }
}

/// The vote sums behind P^i(j), by prefix sums over the actors sorted by position. Built once
/// per pass in O(n log n) (linear votes) or O(n²) (risk-weighted votes);
/// [`Probabilities::upper_row`] then gives one actor's probabilities against all those above it
/// in O(n): the others are visited in position order, so the voters left of the midpoint are
/// found by a pointer that only moves forward.
struct Probabilities {
    n: usize,
    /// Sorted index → actor.
    idx: Vec<usize>,
    /// Actor → sorted index.
    rank: Vec<usize>,
    /// Positions and weights in sorted order.
    xs: Vec<f64>,
    /// Prefix sums of the sorted weights and weights × positions (linear votes).
    pw: Vec<f64>,
    pwx: Vec<f64>,
    /// Number of sorted positions < and ≤ each sorted position.
    lt_rank: Vec<usize>,
    le_rank: Vec<usize>,
    /// Risk-weighted votes, if any: `g[t * n + a]` = Σ_{u<t} f(a, u) with
    /// f(a, u) = w_u (|x_u − x_a|/R)^{r_u} (sorted indices), t = 0..=n. Laid out by t, so the
    /// row loop reads consecutive actors a at a fixed t.
    g: Vec<f64>,
    risk: bool,
    den: ProbabilityDenominator,
}

impl Probabilities {
    /// `buf` is reused for the (n + 1) × n risk-vote table (pass `Vec::new()` for none). Risk
    /// votes come with the voters' exponents and the range that normalises the distances.
    fn new(
        x: &[f64],
        w: &[f64],
        r: Option<(&[f64], f64)>,
        den: ProbabilityDenominator,
        mut g: Vec<f64>,
    ) -> Self {
        use rayon::prelude::*;
        let n = x.len();
        let parallel = n >= PARALLEL_ROWS;
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let xs: Vec<f64> = idx.iter().map(|&k| x[k]).collect();
        let ws: Vec<f64> = idx.iter().map(|&k| w[k]).collect();
        let mut rank = vec![0; n];
        for (t, &k) in idx.iter().enumerate() {
            rank[k] = t;
        }
        // Risk-weighted votes: first f(a, t) into g[(t + 1) * n + a], then the prefix sums.
        if r.is_none() {
            g.clear();
        }
        if let Some((r, range)) = r {
            let rs: Vec<f64> = idx.iter().map(|&k| r[k]).collect();
            // Row t + 1 holds voter t's votes, a block of voters per task. Every cell is
            // written, so the reused buffer is not cleared.
            if g.len() != (n + 1) * n {
                g = vec![0.0; (n + 1) * n];
            }
            let (head, votes) = g.split_at_mut(n);
            head.fill(0.0);
            let block = |(b, out): (usize, &mut [f64])| {
                let s0 = b * BLOCK;
                for (t, row) in (s0..).zip(out.chunks_mut(n)) {
                    vote_row(ws[t], rs[t], (xs[t], range), &xs, row);
                }
            };
            if parallel {
                votes.par_chunks_mut(BLOCK * n).enumerate().for_each(block);
            } else {
                votes.chunks_mut(BLOCK * n).enumerate().for_each(block);
            }
        }
        let risk = r.is_some();
        // Prefix sums: linear votes need Σw and Σw·x; risk votes one prefix per actor, summed
        // over t in order (g[t + 1][·] = g[t][·] + f(·, t), a vectorisable row sweep).
        let mut pw = vec![0.0; n + 1];
        let mut pwx = vec![0.0; n + 1];
        for t in 0..n {
            pw[t + 1] = pw[t] + ws[t];
            pwx[t + 1] = pwx[t] + ws[t] * xs[t];
        }
        if risk {
            // Each column's sums run down the rows in order, so splitting the columns among
            // tasks changes no float (f + prefix: IEEE addition commutes exactly).
            let sweep = |rows: &mut [&mut [f64]]| {
                for t in 1..rows.len() {
                    let (done, rest) = rows.split_at_mut(t);
                    for (c, p) in rest[0].iter_mut().zip(done[t - 1].iter()) {
                        *c += *p;
                    }
                }
            };
            const COLUMNS: usize = 64;
            let mut strips: Vec<Vec<&mut [f64]>> = (0..n.div_ceil(COLUMNS))
                .map(|_| Vec::with_capacity(n + 1))
                .collect();
            for row in g.chunks_mut(n) {
                for (strip, piece) in strips.iter_mut().zip(row.chunks_mut(COLUMNS)) {
                    strip.push(piece);
                }
            }
            if parallel {
                strips.par_iter_mut().for_each(|s| sweep(s));
            } else {
                strips.iter_mut().for_each(|s| sweep(s));
            }
        }
        let mut lt_rank = vec![0usize; n];
        let mut le_rank = vec![0usize; n];
        for t in 0..n {
            lt_rank[t] = if t > 0 && xs[t - 1] == xs[t] {
                lt_rank[t - 1]
            } else {
                t
            };
        }
        for t in (0..n).rev() {
            le_rank[t] = if t + 1 < n && xs[t + 1] == xs[t] {
                le_rank[t + 1]
            } else {
                t + 1
            };
        }
        Probabilities {
            n,
            idx,
            rank,
            xs,
            pw,
            pwx,
            lt_rank,
            le_rank,
            g,
            risk,
            den,
        }
    }

    /// The risk-vote table, for reuse in the next round.
    fn into_buffer(self) -> Vec<f64> {
        self.g
    }

    /// Row si of the upper triangle by sorted index: `out[sj − si − 1]` = the supports of the
    /// lower and the upper position (the vote sums behind P^i(j) and P^j(i), before the
    /// denominator) for every sj > si (so x_i ≤ x_j), and (0, 0) where x_i = x_j; returns their
    /// sum over the row. Each unordered pair is computed once: j's view is the same two floats
    /// swapped, since the midpoint 0.5 (x_i + x_j), the pointers and both supports are
    /// symmetric in the pair.
    fn upper_row(&self, si: usize, out: &mut [(f64, f64)]) -> f64 {
        let n = self.n;
        if self.risk {
            let g = &self.g;
            let total = &g[n * n..];
            self.upper_row_with(si, out, |sj, _, lm, rm| {
                let at = |t: usize, a: usize| g[t * n + a];
                // Left voters: (loss at x_j) − (loss at x_i) > 0; right voters the reverse.
                let left = (at(lm, sj) - at(lm, si)).max(0.0);
                let right = ((total[si] - at(rm, si)) - (total[sj] - at(rm, sj))).max(0.0);
                (left, right)
            })
        } else {
            let (pw, pwx) = (&self.pw, &self.pwx);
            let sum_w = |a: usize, b: usize| pw[b] - pw[a];
            let sum_wx = |a: usize, b: usize| pwx[b] - pwx[a];
            let lo = self.xs[si];
            let a_end = self.le_rank[si];
            self.upper_row_with(si, out, |sj, hi, lm, rm| {
                let d_start = self.lt_rank[sj];
                let span = hi - lo;
                // x_k ≤ lo: margin span; lo < x_k < m: lo + hi − 2x_k.
                let left =
                    span * sum_w(0, a_end) + (lo + hi) * sum_w(a_end, lm) - 2.0 * sum_wx(a_end, lm);
                // m < x_k < hi: 2x_k − lo − hi; x_k ≥ hi: span.
                let right = span * sum_w(d_start, n) + 2.0 * sum_wx(rm, d_start)
                    - (lo + hi) * sum_w(rm, d_start);
                (left.max(0.0), right.max(0.0))
            })
        }
    }

    /// The loop of [`Probabilities::upper_row`] around `support(sj, x_j, lm, rm)`, the votes
    /// for the lower and the upper position, with lm and rm the numbers of positions below
    /// and at most at the midpoint.
    #[inline(always)]
    fn upper_row_with(
        &self,
        si: usize,
        out: &mut [(f64, f64)],
        support: impl Fn(usize, f64, usize, usize) -> (f64, f64),
    ) -> f64 {
        let (n, xs) = (self.n, &self.xs);
        let xi = xs[si];
        // Ties with x_i come first in sorted order.
        let first = self.le_rank[si];
        let (ties, rest) = out.split_at_mut(first - si - 1);
        ties.fill((0.0, 0.0));
        // Pointers: lm = #(x < m), rm = #(x ≤ m), nondecreasing in m ≥ x_i.
        let (mut lm, mut rm) = (self.lt_rank[si], self.lt_rank[si]);
        let mut sum = 0.0;
        for (cell, (sj, &xj)) in rest.iter_mut().zip(xs.iter().enumerate().skip(first)) {
            let m = 0.5 * (xi + xj);
            while lm < n && xs[lm] < m {
                lm += 1;
            }
            rm = rm.max(lm);
            while rm < n && xs[rm] <= m {
                rm += 1;
            }
            let (lo, hi) = support(sj, xj, lm, rm);
            sum += lo + hi;
            *cell = (lo, hi);
        }
        sum
    }

    /// The full matrix, `p[i * n + j]` = (P^i(j), P^j(i)) by actor index (tests).
    #[cfg(test)]
    fn matrix(&self) -> Vec<(f64, f64)> {
        let n = self.n;
        let rows = map_rows(self, &mut Tri::default(), |_: &mut (), _, row| row.to_vec());
        let mut p = Vec::with_capacity(n * n);
        for row in rows {
            p.extend((0..n).map(|j| row[self.rank[j]]));
        }
        p
    }
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The O(n³) oracle: P^i(j) straight from the definition.
    fn naive(
        x: &[f64],
        w: &[f64],
        r: Option<&[f64]>,
        range: f64,
        den: ProbabilityDenominator,
    ) -> Vec<f64> {
        let n = x.len();
        let vote = |k: usize, a: f64, b: f64| -> f64 {
            // Voter k's preference for a over b.
            let (da, db) = ((x[k] - a).abs(), (x[k] - b).abs());
            match r {
                None => w[k] * (db - da),
                Some(r) => w[k] * ((db / range).powf(r[k]) - (da / range).powf(r[k])),
            }
        };
        let mut all = 0.0;
        if den == ProbabilityDenominator::AllPairs {
            for k in 0..n {
                for a in 0..n {
                    for b in 0..n {
                        all += vote(k, x[a], x[b]).abs();
                    }
                }
            }
        }
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if x[i] == x[j] {
                    continue;
                }
                let mut num = 0.0;
                let mut pair = 0.0;
                for k in 0..n {
                    let v = vote(k, x[i], x[j]);
                    num += v.max(0.0);
                    pair += v.abs();
                }
                let d = match den {
                    ProbabilityDenominator::Pair => pair,
                    ProbabilityDenominator::AllPairs => all,
                };
                out[i * n + j] = if d > 0.0 { num / d } else { 0.0 };
            }
        }
        out
    }

    fn check(x: &[f64], w: &[f64], r: Option<&[f64]>, den: ProbabilityDenominator) {
        let (lo, hi) = bounds(x);
        let range = (hi - lo).max(1e-9);
        let fast = Probabilities::new(x, w, r.map(|r| (r, range)), den, Vec::new()).matrix();
        let slow = naive(x, w, r, range, den);
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                let (a, b) = (fast[i * n + j].0, slow[i * n + j]);
                let (c, e) = (fast[i * n + j].1, slow[j * n + i]);
                assert!((c - e).abs() < 1e-9, "P[{j}][{i}] fast {c} naive {e}");
                assert!((a - b).abs() < 1e-9, "P[{i}][{j}] fast {a} naive {b}");
            }
        }
    }

    #[test]
    fn fast_probability_matches_oracle_on_ec_case() {
        let x = [4.0, 7.0, 4.0, 4.0, 10.0, 10.0, 10.0, 7.0, 4.0, 7.0];
        let w = [
            0.064, 0.032, 0.006, 0.128, 0.096, 0.096, 0.144, 0.005, 0.05, 0.056,
        ];
        let r = [1.4, 0.75, 0.5, 1.4, 1.05, 1.05, 1.96, 0.5, 2.0, 1.1];
        for den in [
            ProbabilityDenominator::Pair,
            ProbabilityDenominator::AllPairs,
        ] {
            check(&x, &w, None, den);
            check(&x, &w, Some(&r), den);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The O(n² log n) probabilities equal the O(n³) definition to 1e-9.
        #[test]
        fn fast_probability_matches_oracle(
            actors in prop::collection::vec((0u8..12, 0.0f64..1.0, 0.5f64..2.0), 1..14),
            pair in any::<bool>(),
        ) {
            // Positions on a coarse grid, so ties and midpoints on actors happen.
            let x: Vec<f64> = actors.iter().map(|a| f64::from(a.0) * 2.5).collect();
            let w: Vec<f64> = actors.iter().map(|a| a.1).collect();
            let r: Vec<f64> = actors.iter().map(|a| a.2).collect();
            let den = if pair { ProbabilityDenominator::Pair } else { ProbabilityDenominator::AllPairs };
            check(&x, &w, None, den);
            check(&x, &w, Some(&r), den);
        }
    }

    /// Options from small integers, so proptest can shrink them.
    fn options_from(k: [u8; 10], q: bool) -> EuOptions {
        EuOptions {
            resist_salience: [ResistSalience::Challenged, ResistSalience::AsPrinted]
                [usize::from(k[0] % 2)],
            security: [Security::Column, Security::Row][usize::from(k[1] % 2)],
            compromise: [
                CompromiseRule::Standard,
                CompromiseRule::Swapped,
                CompromiseRule::NoCapitulation,
            ][usize::from(k[2] % 3)],
            offer_choice: [
                OfferChoice::LeastMove,
                OfferChoice::ScholzCode,
                OfferChoice::MostEnforceable,
            ][usize::from(k[3] % 3)],
            conflict: [ConflictRule::LoserMoves, ConflictRule::NobodyMoves][usize::from(k[4] % 2)],
            denominator: [
                ProbabilityDenominator::AllPairs,
                ProbabilityDenominator::Pair,
            ][usize::from(k[5] % 2)],
            centre: [Centre::Median, Centre::Mean][usize::from(k[6] % 2)],
            range: [RangeRule::Fixed, RangeRule::Recomputed][usize::from(k[7] % 2)],
            perspective: [Perspective::OwnRisk, Perspective::EachOwn][usize::from(k[8] % 2)],
            votes: [VoteUtility::VoterRisk, VoteUtility::Linear][usize::from(k[9] % 2)],
            q: if q { 1.0 } else { 0.7 },
            ..EuOptions::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The optimised round (row-wise probabilities, transposed vote table, tiled fills,
        /// reused buffers) gives bit-identical positions and diagnostics to the reference round
        /// in `eu/reference.rs`, round after round, under every option.
        #[test]
        fn optimised_round_is_bit_identical_to_reference(
            actors in prop::collection::vec((0u16..1000, 0.0f64..1.0, 0.0f64..1.0), 1..24),
            grid in any::<bool>(),
            k in prop::array::uniform10(0u8..6),
            q in any::<bool>(),
        ) {
            let o = options_from(k, q);
            // On a coarse grid ties and midpoints on actors happen; otherwise positions are
            // continuous.
            let mut x: Vec<f64> = actors
                .iter()
                .map(|a| if grid { f64::from(a.0 % 12) * 2.5 } else { f64::from(a.0) * 0.1037 })
                .collect();
            let w: Vec<f64> = actors.iter().map(|a| a.1).collect();
            let s: Vec<f64> = actors.iter().map(|a| a.2).collect();
            let (lo, hi) = bounds(&x);
            let mut ws = Workspace::default();
            for _ in 0..4 {
                let centre = crate::weighted_median(&x, &w);
                let st = RoundInput { x: &x, w: &w, s: &s, range: hi - lo, centre };
                let (fast, fd) = one_round(&o, &st, true, &mut ws);
                let (slow, sd) = reference::one_round(&o, &st, true);
                let (lean, _) = one_round(&o, &st, false, &mut ws);
                let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&fast), bits(&slow));
                prop_assert_eq!(bits(&lean), bits(&slow));
                let (fd, sd) = (fd.unwrap_or_else(|| unreachable!()), sd.unwrap_or_else(|| unreachable!()));
                prop_assert_eq!(bits(&fd.security), bits(&sd.security));
                prop_assert_eq!(bits(&fd.risk), bits(&sd.risk));
                prop_assert_eq!(&fd.accepted, &sd.accepted);
                prop_assert_eq!(&fd.challenges, &sd.challenges);
                x = fast;
            }
        }
    }

    /// A NaN position (an API caller's, the case reader rejects them) neither hangs nor panics
    /// the round, on the serial and the parallel path.
    #[test]
    fn nan_position_terminates() {
        for n in [5usize, 150] {
            let mut x: Vec<f64> = (0..n).map(|k| (k % 7) as f64).collect();
            x[1] = f64::NAN;
            let w = vec![1.0; n];
            let s = vec![0.5; n];
            let st = RoundInput {
                x: &x,
                w: &w,
                s: &s,
                range: 6.0,
                centre: 3.0,
            };
            let (next, _) = one_round(&EuOptions::default(), &st, false, &mut Workspace::default());
            assert_eq!(next.len(), n);
        }
    }

    /// Bit-identity at a size that takes the parallel path over several blocks (n = 150), with
    /// ties.
    #[test]
    fn optimised_round_is_bit_identical_across_tiles() {
        let n = 150;
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut x: Vec<f64> = (0..n).map(|_| (next() * 400.0).round() / 4.0).collect();
        let w: Vec<f64> = (0..n).map(|_| next()).collect();
        let s: Vec<f64> = (0..n).map(|_| next()).collect();
        let (lo, hi) = bounds(&x);
        for k in [[0u8; 10], [1; 10], [0, 1, 2, 0, 1, 1, 0, 1, 1, 0]] {
            let o = options_from(k, k[0] == 0);
            let mut ws = Workspace::default();
            for _ in 0..2 {
                let centre = crate::weighted_median(&x, &w);
                let st = RoundInput {
                    x: &x,
                    w: &w,
                    s: &s,
                    range: hi - lo,
                    centre,
                };
                let (fast, fd) = one_round(&o, &st, true, &mut ws);
                let (slow, sd) = reference::one_round(&o, &st, true);
                let (lean, _) = one_round(&o, &st, false, &mut ws);
                let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&fast), bits(&slow));
                assert_eq!(bits(&lean), bits(&slow));
                assert_eq!(fd, sd);
                x = fast;
            }
        }
    }
}
