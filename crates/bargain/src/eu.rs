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
//! (of w and w·x, or of each actor's risk-weighted votes), so every pair costs O(1) amortised
//! and a round O(n² + n log n) time and O(n²) memory, not O(n³).
//!
//! Degenerate inputs do not panic: with fewer than two actors, all actors at one position
//! (range 0) or no salience, nobody moves. When the capability × salience weights sum to zero
//! the round summaries fall back to unweighted ones, so the forecast is never NaN for finite
//! positions. Positions stay within the input range.

use serde::Serialize;

use crate::{Forecast, Model, Problem, Round, round_zero, summarize};

/// A1: whose salience is the probability that the challenged actor resists, in E^i(U_ji).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Security {
    /// Column sum Σ_{j≠i} E(U_ji): what the others expect from challenging i (Scholz et al.'s
    /// "danger", jmckib's `danger_level`). The default; it reproduces jmckib's round-1 rᵢ.
    Column,
    /// Row sum Σ_{j≠i} E(U_ij): what i expects from challenging the others.
    Row,
}

/// A3: which side of the (+, −) quadrant is a compromise and which a capitulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConflictRule {
    /// The actor with the lower EU moves fully to the other's position (Scholz et al.; jmckib).
    /// The default.
    LoserMoves,
    /// Nobody moves (conflicts are costly stand-offs).
    NobodyMoves,
}

/// A6: the denominator of the probability P^i that i beats j.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProbabilityDenominator {
    /// Σ_k w_k |a_k| over the pair's own votes, so P^i + P^j = 1 (BDM 1994; the README formula).
    Pair,
    /// Σ_k w_k Σ_{a,b} |a_k(a, b)| over every ordered pair of actors: Scholz et al.'s code as
    /// transcribed by jmckib; probabilities are tiny. The default (it reproduces Table 2 and
    /// jmckib's risk exponents).
    AllPairs,
}

/// A7: what the model's central position μ is (the forecast, and T in the Q < 1 term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Centre {
    /// The capability × salience weighted median (the Condorcet winner under linear utility):
    /// BDM, Scholz et al. The default.
    Median,
    /// The capability × salience weighted mean.
    Mean,
}

/// A8: the position range R that normalises distances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RangeRule {
    /// The input range, fixed for the whole run (jmckib). The default.
    Fixed,
    /// Recomputed from the current positions every round.
    Recomputed,
}

/// A9: whose risk exponent an actor uses for the other's expected utility E^i(U_ji).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Perspective {
    /// Actor i evaluates both E^i(U_ij) and E^i(U_ji) with its own rᵢ (BDM's "perceptions";
    /// Scholz et al.; jmckib). The default.
    OwnRisk,
    /// E(U_ji) is evaluated with rⱼ (each actor's utility with its own exponent).
    EachOwn,
}

/// How voters' utilities enter P^i in the second pass (an ambiguity beyond A1–A9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EuRun {
    /// The forecast.
    pub forecast: Forecast,
    /// One entry per round played (so `rounds[t]` led to `forecast.rounds[t + 1]`).
    pub rounds: Vec<EuRound>,
}

/// The expected-utility model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
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
            let (mut next, diag) = one_round(o, &st, keep);
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
                model: "eu",
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
            us: 2.0 - 4.0 * (0.5 - 0.5 * d).max(0.0).powf(r),
            uf: 2.0 - 4.0 * (0.5 + 0.5 * d).powf(r),
        }
    }
}

#[inline]
fn u_sq(r: f64) -> f64 {
    2.0 - 4.0 * 0.5f64.powf(r)
}

/// The status-quo part Q·U_sq + (1 − Q)[T U_b + (1 − T) U_w] for challenger position xc.
#[inline]
fn status_quo_term(q: f64, r: f64, xc: f64, xt: f64, st: &RoundInput) -> f64 {
    let mut v = q * u_sq(r);
    if q != 1.0 {
        let dm = (xc - st.centre).abs();
        let dt = (xc - xt).abs();
        let e = 0.25 * (dm + dt) / st.range;
        let ub = 2.0 - 4.0 * (0.5 - e).max(0.0).powf(r);
        let uw = 2.0 - 4.0 * (0.5 + e).powf(r);
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

/// One round: the new positions and, if asked, the diagnostics.
fn one_round(o: &EuOptions, st: &RoundInput, keep: bool) -> (Vec<f64>, Option<EuRound>) {
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
    let p1 = Probabilities::new(x, st.w, None, range, o.denominator);
    let sq1 = |c: usize, t: usize| {
        if o.q == 1.0 {
            0.0
        } else {
            status_quo_term(o.q, 1.0, x[c], x[t], st)
        }
    };
    let mut security = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let d = (x[i] - x[j]).abs() / range;
            let u = utilities(d, 1.0);
            match o.security {
                // j challenging i.
                Security::Column => {
                    security[i] += eu(u, p1.get(i, j).1, st.s[i], sq1(j, i));
                }
                Security::Row => {
                    security[i] += eu(u, p1.get(i, j).0, st.s[j], sq1(i, j));
                }
            }
        }
    }
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
        VoteUtility::VoterRisk => Probabilities::new(x, st.w, Some(&risk), range, o.denominator),
    };
    // ln(0.5 ∓ 0.5 d_ij), symmetric: computed once per unordered pair.
    let mut logs = vec![(0.0, 0.0); n * n];
    for i in 0..n {
        for j in i + 1..n {
            let d = (x[i] - x[j]).abs() / range;
            let v = ((0.5 - 0.5 * d).max(0.0).ln(), (0.5 + 0.5 * d).ln());
            logs[i * n + j] = v;
            logs[j * n + i] = v;
        }
    }
    let mut next = x.to_vec();
    let mut accepted = vec![None; n];
    let mut matrix = if keep {
        Vec::with_capacity(n)
    } else {
        Vec::new()
    };
    let mut row = Vec::new();
    for i in 0..n {
        let ri = risk[i];
        let sq_i = u_sq(ri);
        let mut best: Option<Candidate> = None;
        if keep {
            row = Vec::with_capacity(n);
        }
        for j in 0..n {
            if i == j || x[i] == x[j] {
                if keep {
                    row.push(stalemate());
                }
                continue;
            }
            let d = (x[i] - x[j]).abs() / range;
            let (lns, lnf) = logs[i * n + j];
            let ui = Utilities {
                us: 2.0 - 4.0 * (ri * lns).exp(),
                uf: 2.0 - 4.0 * (ri * lnf).exp(),
            };
            let (pij, pji) = p2.get(i, j);
            let sq_a = if o.q == 1.0 {
                sq_i
            } else {
                status_quo_term(o.q, ri, x[i], x[j], st)
            };
            let a = eu(ui, pij, st.s[j], sq_a);
            let rb = match o.perspective {
                Perspective::OwnRisk => ri,
                Perspective::EachOwn => risk[j],
            };
            let (uj, sq_b) = if rb == ri && o.q == 1.0 {
                (ui, sq_i)
            } else {
                (utilities(d, rb), status_quo_term(o.q, rb, x[j], x[i], st))
            };
            let resist_b = match o.resist_salience {
                ResistSalience::Challenged => st.s[i],
                ResistSalience::AsPrinted => st.s[j],
            };
            let b = eu(uj, pji, resist_b, sq_b);
            let c = classify(o, a, b, x[i], x[j]);
            if let Some(pos) = c.offer {
                let cand = Candidate {
                    class: class_rank(c.relation),
                    proposer: j,
                    pos,
                    a,
                    b,
                };
                best = Some(match best {
                    None => cand,
                    Some(old) => choose(o.offer_choice, old, cand, x[i], x[j], x),
                });
            }
            if keep {
                row.push(c);
            }
        }
        if let Some(b) = best {
            next[i] = b.pos;
            accepted[i] = Some((b.proposer, b.pos));
        }
        if keep {
            matrix.push(std::mem::take(&mut row));
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

/// The better of two offers to the actor at xi (`old` came first: ties keep it).
fn choose(
    rule: OfferChoice,
    old: Candidate,
    new: Candidate,
    xi: f64,
    _xj: f64,
    x: &[f64],
) -> Candidate {
    match rule {
        OfferChoice::MostEnforceable => {
            if new.b > old.b {
                new
            } else {
                old
            }
        }
        OfferChoice::LeastMove | OfferChoice::ScholzCode => {
            if new.class != old.class {
                return if new.class < old.class { new } else { old };
            }
            let key = |c: &Candidate| {
                if rule == OfferChoice::ScholzCode && c.class == 1 {
                    let (ea, eb) = (c.a.abs(), c.b.abs());
                    (ea * xi + eb * x[c.proposer]) / (ea + eb)
                } else {
                    (c.pos - xi).abs()
                }
            };
            if key(&new) < key(&old) { new } else { old }
        }
    }
}

/// P^i(j) for all ordered pairs, by prefix sums over the actors sorted by position: for each i
/// the others are visited in position order, so the voters left of the midpoint are found by a
/// pointer that only moves forward (O(n²) per pass once sorted).
struct Probabilities {
    n: usize,
    /// `p[i * n + j]` = (P^i(j), P^j(i)), actor indices.
    p: Vec<(f64, f64)>,
}

impl Probabilities {
    fn new(
        x: &[f64],
        w: &[f64],
        r: Option<&[f64]>,
        range: f64,
        den: ProbabilityDenominator,
    ) -> Self {
        let n = x.len();
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let xs: Vec<f64> = idx.iter().map(|&k| x[k]).collect();
        let ws: Vec<f64> = idx.iter().map(|&k| w[k]).collect();
        let mut rank = vec![0; n];
        for (t, &k) in idx.iter().enumerate() {
            rank[k] = t;
        }
        // Risk-weighted votes: f[a * n + t] = w_t (|xs[t] − xs[a]|/R)^{r_t} (sorted indices),
        // with the logarithm of the (symmetric) distance computed once per unordered pair.
        let f: Option<Vec<f64>> = r.map(|r| {
            let rs: Vec<f64> = idx.iter().map(|&k| r[k]).collect();
            let mut f = vec![0.0; n * n];
            for a in 0..n {
                for t in a + 1..n {
                    let u = (xs[t] - xs[a]) / range;
                    if u > 0.0 {
                        let l = u.ln();
                        f[a * n + t] = ws[t] * (rs[t] * l).exp();
                        f[t * n + a] = ws[a] * (rs[a] * l).exp();
                    }
                }
            }
            f
        });
        let vote = |a: usize, t: usize| -> f64 {
            match &f {
                None => ws[t] * (xs[t] - xs[a]).abs(),
                Some(f) => f[a * n + t],
            }
        };
        let all = if den == ProbabilityDenominator::AllPairs {
            let mut total = 0.0;
            let mut order = Vec::with_capacity(n);
            for t in 0..n {
                if ws[t] == 0.0 {
                    continue;
                }
                // Actors by ascending distance from voter t: merge the two sides.
                order.clear();
                let (mut l, mut rr) = (t as isize, t + 1);
                while l >= 0 || rr < n {
                    let dl = if l >= 0 {
                        xs[t] - xs[l as usize]
                    } else {
                        f64::INFINITY
                    };
                    let dr = if rr < n {
                        xs[rr] - xs[t]
                    } else {
                        f64::INFINITY
                    };
                    if dl <= dr {
                        order.push(l as usize);
                        l -= 1;
                    } else {
                        order.push(rr);
                        rr += 1;
                    }
                }
                // Σ_{a,b} |v_a − v_b| over ordered pairs = 2 Σ_m v_(m) (2m − n + 1), the v
                // ascending because a voter's utility loss grows with distance.
                let mut acc = 0.0;
                for (m, &a) in order.iter().enumerate() {
                    acc += vote(a, t) * (2.0 * m as f64 - n as f64 + 1.0);
                }
                total += 2.0 * acc;
            }
            total
        } else {
            0.0
        };
        // Prefix sums: linear votes need Σw and Σw·x; risk votes a row of prefixes per actor.
        let mut pw = vec![0.0; n + 1];
        let mut pwx = vec![0.0; n + 1];
        for t in 0..n {
            pw[t + 1] = pw[t] + ws[t];
            pwx[t + 1] = pwx[t] + ws[t] * xs[t];
        }
        let g: Vec<f64> = match &f {
            None => Vec::new(),
            Some(f) => {
                let mut g = vec![0.0; n * (n + 1)];
                for a in 0..n {
                    let row = &mut g[a * (n + 1)..(a + 1) * (n + 1)];
                    for t in 0..n {
                        row[t + 1] = row[t] + f[a * n + t];
                    }
                }
                g
            }
        };
        // Ranks: number of positions < and ≤ each sorted position.
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
        let mut p = vec![(0.0, 0.0); n * n];
        for (i, row) in p.chunks_mut(n.max(1)).enumerate().take(n) {
            let si = rank[i];
            let xi = xs[si];
            // Pointers: lm = #(x < m), rm = #(x ≤ m), nondecreasing in m.
            let (mut lm, mut rm) = (0usize, 0usize);
            for sj in 0..n {
                let xj = xs[sj];
                let m = 0.5 * (xi + xj);
                while lm < n && xs[lm] < m {
                    lm += 1;
                }
                rm = rm.max(lm);
                while rm < n && xs[rm] <= m {
                    rm += 1;
                }
                if xi == xj {
                    continue;
                }
                let (slo, shi) = if xi < xj { (si, sj) } else { (sj, si) };
                let (lo, hi) = (xs[slo], xs[shi]);
                let (support_lo, support_hi) = if f.is_none() {
                    let (a_end, d_start) = (le_rank[slo], lt_rank[shi]);
                    let span = hi - lo;
                    let sum_w = |a: usize, b: usize| pw[b] - pw[a];
                    let sum_wx = |a: usize, b: usize| pwx[b] - pwx[a];
                    // x_k ≤ lo: margin span; lo < x_k < m: lo + hi − 2x_k.
                    let left = span * sum_w(0, a_end) + (lo + hi) * sum_w(a_end, lm)
                        - 2.0 * sum_wx(a_end, lm);
                    // m < x_k < hi: 2x_k − lo − hi; x_k ≥ hi: span.
                    let right = span * sum_w(d_start, n) + 2.0 * sum_wx(rm, d_start)
                        - (lo + hi) * sum_w(rm, d_start);
                    (left.max(0.0), right.max(0.0))
                } else {
                    let row = |a: usize, t: usize| g[a * (n + 1) + t];
                    // Left voters: (loss at hi) − (loss at lo) > 0; right voters the reverse.
                    let left = (row(shi, lm) - row(slo, lm)).max(0.0);
                    let right =
                        ((row(slo, n) - row(slo, rm)) - (row(shi, n) - row(shi, rm))).max(0.0);
                    (left, right)
                };
                let (num_i, num_j) = if xi < xj {
                    (support_lo, support_hi)
                } else {
                    (support_hi, support_lo)
                };
                let d = match den {
                    ProbabilityDenominator::Pair => support_lo + support_hi,
                    ProbabilityDenominator::AllPairs => all,
                };
                let ratio = |v: f64| {
                    if d > 0.0 {
                        (v / d).clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                };
                row[idx[sj]] = (ratio(num_i), ratio(num_j));
            }
        }
        Probabilities { n, p }
    }

    /// (P^i, P^j): the probabilities that i beats j and that j beats i.
    #[inline]
    fn get(&self, i: usize, j: usize) -> (f64, f64) {
        self.p[i * self.n + j]
    }
}

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
        let fast = Probabilities::new(x, w, r, range, den);
        let slow = naive(x, w, r, range, den);
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                let (a, b) = (fast.get(i, j).0, slow[i * n + j]);
                let (c, e) = (fast.get(i, j).1, slow[j * n + i]);
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
}
