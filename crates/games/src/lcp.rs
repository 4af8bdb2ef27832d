//! Nash equilibrium of a two-player extensive game with imperfect information: the sequence
//! form and Lemke's algorithm (Koller, Megiddo & von Stengel 1996; von Stengel 1996), which is
//! what Gambit's `lcp` solver does on a tree. Also the regret measures used to check any
//! profile: [`max_regret`] (gain from the best deviation in the whole game, Nash) and
//! [`agent_regret`] (gain from changing the play at one information set, given beliefs).
//!
//! ## The sequence form
//! A *sequence* of a player is the empty sequence or a pair (own information set, action); by
//! perfect recall every node and every information set of the player is preceded by a unique
//! last own sequence. A *realization plan* `x` gives each sequence the probability that the
//! player's own moves follow it; it satisfies `x ≥ 0`, `E x = e`: `x[∅] = 1` and, for each
//! information set `h` with parent sequence `σ(h)`, `Σₐ x[(h, a)] = x[σ(h)]`. Every node with
//! an outcome contributes (chance probability of the path) × (its payoffs) to the entry of the
//! pair of sequences (one per player) leading to it, so `xᵀ A y` and `xᵀ B y` are the expected
//! payoffs, exactly as [`crate::expected_payoffs`] counts them (outcomes on non-terminal nodes
//! count wherever the node is reached).
//!
//! ## The LCP and Lemke's algorithm
//! Payoffs are turned into strictly positive costs per terminal node: a terminal node `t`
//! reached with chance probability `c(t)` costs `c(t)·(K − u(t))`, where `u(t)` is the payoff
//! summed along the path and `K` is one more than the largest such payoff of either player
//! (the same shift Gambit uses). With cost matrices `C₁`, `C₂` (`≥ 0`) the equilibrium
//! conditions are the linear complementarity problem, with duals `p, q ≥ 0`,
//!
//! ```text
//! w_x = C₁ y − Eᵀ p ≥ 0 ⊥ x ≥ 0        w_p = E x − e ≥ 0 ⊥ p ≥ 0
//! w_y = C₂ᵀ x − Fᵀ q ≥ 0 ⊥ y ≥ 0       w_q = F y − f ≥ 0 ⊥ q ≥ 0
//! ```
//!
//! (the formulation of Gambit's `efglcp`: the equalities `E x = e` are written as `E x ≥ e`,
//! which the positive costs make tight wherever they matter). Lemke's algorithm adds an
//! artificial variable `z₀` with covering vector `(1, …, 1)`, makes it basic in the row of
//! player 1's empty sequence (the row Gambit starts from) and pivots complementarily until
//! `z₀` leaves the basis. Ties in the minimum-ratio test are broken lexicographically on the
//! rows of the basis inverse (columns in order), Eaves' rule as in Gambit's `SF_ExitIndex`;
//! with the same start, shift and tie rule the path is Gambit's, and on the four reference
//! games the profile found is exactly Gambit's `lcp` answer. The arithmetic is `f64` with
//! explicit tolerances, and every result is checked afterwards in `f64` by [`max_regret`]; an
//! error is returned if the check fails.
//!
//! ## Three starts
//! The path from Gambit's start grows exponentially on some games: an escalation ladder with
//! one-sided incomplete information (the README's timing games) takes 289 pivots at 153 nodes
//! and 19 499 at 313 nodes (pygambit's float `lcp` ran 277 s there and returned nothing). So
//! the solver tries, in order ([`LcpSolution::start`] says which one succeeded):
//! 1. **Gambit's start**, with a short budget of `2n + 100` pivots (dimension `n`), so that
//!    small games still give Gambit's answer;
//! 2. the **tracing start** (van den Elzen–Talman, in the sequence-form version of von
//!    Stengel, van den Elzen & Talman 2002): a fixed, generic, totally mixed profile `(x̄, ȳ)`;
//!    the covering vector is each sequence's cost against it (`C₁ ȳ`, `C₂ᵀ x̄`, zero in the
//!    constraint rows); the first basis is the complementary basis of both players' pure best
//!    replies to it (installed by Gauss–Jordan pivots), which is feasible for all large `z₀`;
//!    `z₀` is lowered until a basic variable hits zero, enters there, and complementary
//!    pivoting follows. The path is the linear tracing procedure from `(x̄, ȳ)`: 247 pivots at
//!    313 nodes, 1 015 at 1 273, 2 035 at 2 553 nodes of the ladder;
//! 3. player 2's empty-sequence row with the covering vector of ones (strictly lexicographic
//!    from the start, so no cycling in exact arithmetic), with the full budget.
//!
//! ## Limits
//! The tableau is dense, `n × 2n`: about 7 ms per pivot and 130 MB at `n ≈ 2 800` (the 2 553-node
//! ladder, 15 s). Games of tens of thousands of nodes would need a sparse, refactorised basis:
//! a game whose LCP has more than [`MAX_DIMENSION`] rows is refused ([`LcpError::TooLarge`])
//! before anything is allocated for it.
//!
//! ## From realization plans to behaviour
//! At an information set `h` the behaviour probabilities are `x[(h, a)] / Σ_b x[(h, b)]`.
//! Where the player's own plan reaches `h` with probability zero, the plan says nothing and
//! the profile plays **uniformly** at `h` (Gambit's `UndefinedToCentroid` does the same). Such
//! play is never on the path, so the profile stays a Nash equilibrium whatever is chosen
//! there; it need not be subgame perfect or sequential (check with [`agent_regret`] if that
//! matters).

use crate::game::{Game, InfosetId, Mover};
use crate::profile::{Profile, expected_payoffs, reach_probabilities};
use crate::solve::{SolveError, Solver};
use serde::Serialize;
use std::collections::HashMap;

/// The largest LCP dimension (sequences plus constraint rows of both players) the dense tableau
/// takes on: `n × 2n` doubles, about 260 MB, and minutes of pivoting at this size.
pub const MAX_DIMENSION: usize = 4_000;

/// Why the sequence-form LCP could not produce an equilibrium.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum LcpError {
    /// The game is too large for the dense tableau.
    #[error(
        "the game is too large for the sequence-form LCP: its tableau would have {dimension} rows \
         (at most {limit}: the dense tableau needs 16·n² bytes); use backward induction (perfect \
         information) or logit QRE on a smaller game"
    )]
    TooLarge {
        /// The LCP's dimension.
        dimension: usize,
        /// [`MAX_DIMENSION`].
        limit: usize,
    },
    /// The game does not have exactly two players.
    #[error(
        "the sequence-form LCP (Lemke) solves two-player games only, and this game has {players} player(s)"
    )]
    NotTwoPlayers {
        /// The game's number of players.
        players: usize,
    },
    /// Lemke's algorithm ended on a secondary ray (should not happen with positive costs; a
    /// sign of numerical trouble).
    #[error("Lemke's algorithm ended on a ray after {pivots} pivots (numerical trouble?)")]
    Ray {
        /// Pivots made.
        pivots: usize,
    },
    /// The pivot limit was reached.
    #[error("Lemke's algorithm did not finish within {pivots} pivots")]
    PivotLimit {
        /// The limit.
        pivots: usize,
    },
    /// The floating-point result failed the equilibrium check.
    #[error(
        "Lemke's algorithm finished but the profile is not an equilibrium within tolerance: max regret {max_regret:e}"
    )]
    Inaccurate {
        /// The regret found.
        max_regret: f64,
    },
}

/// One nonzero entry of the sequence-form payoff matrices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SequencePayoff {
    /// The pair of sequences (player 1's, player 2's).
    pub seq: [usize; 2],
    /// Chance-weighted payoffs of each player (entries of `A` and `B`).
    pub payoff: [f64; 2],
    /// Sum of the chance probabilities of the terminal nodes with this pair of sequences.
    pub terminal_mass: f64,
    /// Chance-weighted payoffs of those terminal nodes summed along their paths (the same
    /// totals as `payoff`, attributed to terminal nodes only; used for the cost shift).
    pub terminal_payoff: [f64; 2],
}

/// The sequence form of a two-player game with perfect recall.
///
/// Sequences of player `j` are numbered `0` (the empty sequence) and then `1 + k` for the
/// `k`-th action of the player in the flat profile order (information set by information set,
/// as in [`Profile`]). Constraint rows are numbered `0` (the empty sequence's row `x[∅] = 1`)
/// and then `1 + i` for the player's `i`-th information set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceForm {
    /// Number of sequences of each player (including the empty one).
    pub num_sequences: [usize; 2],
    /// Number of constraint rows of each player (1 + number of information sets).
    pub num_rows: [usize; 2],
    /// The constraint matrices `E` and `F`, as (row, sequence, coefficient) triples.
    pub constraints: [Vec<(usize, usize, f64)>; 2],
    /// The payoff matrices `A`, `B` (sparse, one entry per pair of sequences reaching a node
    /// with an outcome or a terminal node).
    pub payoffs: Vec<SequencePayoff>,
    /// The personal information sets of each player, in profile order.
    pub infosets: [Vec<InfosetId>; 2],
    /// The parent sequence of each of the player's information sets (same order as `infosets`).
    pub parent: [Vec<usize>; 2],
    /// Position in the flat profile of each player's first action.
    pub first_action: [usize; 2],
}

fn mover_of(game: &Game, h: InfosetId) -> Mover {
    game.infoset(h).mover
}

impl SequenceForm {
    /// Builds the sequence form; the game must have exactly two players.
    pub fn new(game: &Game) -> Result<SequenceForm, LcpError> {
        if game.num_players() != 2 {
            return Err(LcpError::NotTwoPlayers {
                players: game.num_players(),
            });
        }
        let mut infosets: [Vec<InfosetId>; 2] = [Vec::new(), Vec::new()];
        for i in 0..game.num_personal_infosets() {
            let h = InfosetId(i as u32);
            if let Mover::Player(p) = mover_of(game, h) {
                infosets[p].push(h);
            }
        }
        let first_action = [
            0,
            infosets[0]
                .iter()
                .map(|&h| game.infoset(h).actions.len())
                .sum(),
        ];
        let num_sequences = [
            1 + first_action[1],
            1 + game.num_profile_actions() - first_action[1],
        ];
        let num_rows = [1 + infosets[0].len(), 1 + infosets[1].len()];

        // Forward pass: each node's last own sequence per player and chance probability.
        let nodes = game.nodes();
        let mut seq = vec![[0usize; 2]; nodes.len()];
        let mut chance = vec![1.0f64; nodes.len()];
        for i in 1..nodes.len() {
            let parent = nodes[i].parent.expect("non-root").index();
            let h = nodes[parent]
                .infoset
                .expect("a parent has an information set");
            let a = nodes[i].action_in_parent as usize;
            let inf = game.infoset(h);
            seq[i] = seq[parent];
            chance[i] = chance[parent];
            match inf.mover {
                Mover::Chance => chance[i] *= inf.probs[a].value(),
                Mover::Player(p) => {
                    let off = game.profile_offset(h).expect("personal");
                    seq[i][p] = 1 + off + a - first_action[p];
                }
            }
        }

        let mut constraints: [Vec<(usize, usize, f64)>; 2] = [vec![(0, 0, 1.0)], vec![(0, 0, 1.0)]];
        let mut parent: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
        for p in 0..2 {
            for (r, &h) in infosets[p].iter().enumerate() {
                let inf = game.infoset(h);
                let sigma = seq[inf.nodes[0].index()][p];
                parent[p].push(sigma);
                constraints[p].push((1 + r, sigma, -1.0));
                let off = game.profile_offset(h).expect("personal");
                for a in 0..inf.actions.len() {
                    constraints[p].push((1 + r, 1 + off + a - first_action[p], 1.0));
                }
            }
        }

        // Payoff entries.
        let own = game.flat_node_payoffs();
        let mut index: HashMap<(usize, usize), usize> = HashMap::new();
        let mut payoffs: Vec<SequencePayoff> = Vec::new();
        let mut path = vec![[0.0f64; 2]; nodes.len()];
        for i in 0..nodes.len() {
            let mut here = [own[2 * i], own[2 * i + 1]];
            if let Some(p) = nodes[i].parent {
                here[0] += path[p.index()][0];
                here[1] += path[p.index()][1];
            }
            path[i] = here;
            let terminal = nodes[i].infoset.is_none();
            let has_outcome = nodes[i].outcome.is_some();
            if !(terminal || has_outcome) || chance[i] == 0.0 {
                continue;
            }
            let key = (seq[i][0], seq[i][1]);
            let k = *index.entry(key).or_insert_with(|| {
                payoffs.push(SequencePayoff {
                    seq: [key.0, key.1],
                    payoff: [0.0; 2],
                    terminal_mass: 0.0,
                    terminal_payoff: [0.0; 2],
                });
                payoffs.len() - 1
            });
            let e = &mut payoffs[k];
            if has_outcome {
                e.payoff[0] += chance[i] * own[2 * i];
                e.payoff[1] += chance[i] * own[2 * i + 1];
            }
            if terminal {
                e.terminal_mass += chance[i];
                e.terminal_payoff[0] += chance[i] * here[0];
                e.terminal_payoff[1] += chance[i] * here[1];
            }
        }
        Ok(SequenceForm {
            num_sequences,
            num_rows,
            constraints,
            payoffs,
            infosets,
            parent,
            first_action,
        })
    }

    /// The sequence of player `p` that ends with action `a` at `h` (one of `p`'s sets).
    pub fn sequence(&self, game: &Game, h: InfosetId, a: usize) -> usize {
        let p = match mover_of(game, h) {
            Mover::Player(p) => p,
            Mover::Chance => panic!("a chance information set has no sequences"),
        };
        1 + game.profile_offset(h).expect("personal") + a - self.first_action[p]
    }

    /// Player `p`'s realization plan under a behaviour profile of the game.
    pub fn realization_plan(&self, game: &Game, profile: &Profile, p: usize) -> Vec<f64> {
        let mut x = vec![0.0; self.num_sequences[p]];
        x[0] = 1.0;
        // Information sets in profile order come after their parent sequences' sets.
        for (r, &h) in self.infosets[p].iter().enumerate() {
            let base = x[self.parent[p][r]];
            for (a, &pr) in profile.action_probs(h).iter().enumerate() {
                x[self.sequence(game, h, a)] = base * pr;
            }
        }
        x
    }

    /// Expected payoffs `(xᵀ A y, xᵀ B y)` of two realization plans.
    pub fn payoffs_of(&self, x: &[f64], y: &[f64]) -> [f64; 2] {
        let mut out = [0.0; 2];
        for e in &self.payoffs {
            let w = x[e.seq[0]] * y[e.seq[1]];
            out[0] += w * e.payoff[0];
            out[1] += w * e.payoff[1];
        }
        out
    }

    /// The behaviour profile of two realization plans: `x[(h, a)] / Σ_b x[(h, b)]` at each
    /// information set, uniform where the player's own plan gives the set probability zero
    /// (parent sequence below `1e-13`). Entries below `1e-12` times the parent sequence's
    /// value count as zero (floating-point dust from pivoting).
    pub fn behaviour(&self, game: &Game, plans: [&[f64]; 2]) -> Profile {
        let mut probs = vec![0.0; game.num_profile_actions()];
        for p in 0..2 {
            for (r, &h) in self.infosets[p].iter().enumerate() {
                let k = game.infoset(h).actions.len();
                let off = game.profile_offset(h).expect("personal");
                let base = plans[p][self.parent[p][r]];
                let vals: Vec<f64> = (0..k)
                    .map(|a| {
                        let v = plans[p][self.sequence(game, h, a)];
                        if v > 1e-12 * base { v } else { 0.0 }
                    })
                    .collect();
                let sum: f64 = vals.iter().sum();
                for a in 0..k {
                    probs[off + a] = if base > 1e-13 && sum > 0.0 {
                        vals[a] / sum
                    } else {
                        1.0 / k as f64
                    };
                }
            }
        }
        Profile::from_flat(game, probs).expect("normalised distributions")
    }
}

/// Lemke's algorithm on the sequence form (Gambit's `lcp` on a tree): one Nash equilibrium of
/// a two-player game with perfect recall (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lcp {
    /// Maximum number of pivots; `None`: `50 · n + 1000` for an LCP of dimension `n`.
    pub max_pivots: Option<usize>,
    /// The result must have [`max_regret`] at most this, relative to the payoff range
    /// (`max(1, largest |payoff|)`), or [`LcpError::Inaccurate`] is returned.
    pub check_tolerance: f64,
}

impl Default for Lcp {
    fn default() -> Self {
        Lcp {
            max_pivots: None,
            check_tolerance: 1e-7,
        }
    }
}

/// What [`Lcp::solve_game`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LcpSolution {
    /// The equilibrium as a behaviour profile (uniform at information sets the player's own
    /// plan does not reach).
    pub profile: Profile,
    /// The realization plans found by Lemke's algorithm (player 1's, player 2's).
    pub plans: [Vec<f64>; 2],
    /// The number of pivots (including the first one, which brings in `z₀`).
    pub pivots: usize,
    /// The dimension of the LCP (sequences plus constraint rows of both players).
    pub dimension: usize,
    /// [`max_regret`] of the profile (the floating-point check).
    pub max_regret: f64,
    /// `false`: found from Gambit's start (the profile then matches Gambit's `lcp`);
    /// `true`: that path was too long or failed the numerical check, and another start
    /// ([`LcpSolution::start`]) was used instead.
    pub fallback: bool,
    /// Which start the equilibrium was found from.
    pub start: LcpStart,
}

/// Where Lemke's path started (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LcpStart {
    /// Covering vector (1, …, 1), `z₀` entering in player 1's empty-sequence row (Gambit's).
    Gambit,
    /// The tracing start: best replies to a fixed totally mixed profile, covering vector the
    /// costs against it (van den Elzen–Talman / von Stengel, van den Elzen & Talman 2002).
    Tracing,
    /// Covering vector (1, …, 1), `z₀` entering in player 2's empty-sequence row.
    Player2Row,
}

impl Lcp {
    /// Solves and returns the profile with the realization plans and diagnostics.
    pub fn solve_game(&self, game: &Game) -> Result<LcpSolution, LcpError> {
        let sf = SequenceForm::new(game)?;
        let [n1, n2] = sf.num_sequences;
        let [m1, m2] = sf.num_rows;
        let n = n1 + n2 + m1 + m2;
        if n > MAX_DIMENSION {
            return Err(LcpError::TooLarge {
                dimension: n,
                limit: MAX_DIMENSION,
            });
        }
        let (px, py, pp, pq) = (0, n1, n1 + n2, n1 + n2 + m1);

        // The shift K: one more than the largest payoff of either player at a terminal node.
        let mut k_shift = f64::NEG_INFINITY;
        let mut scale = 1.0f64;
        for t in game.terminals() {
            for v in game.path_payoffs(t) {
                k_shift = k_shift.max(v);
                scale = scale.max(v.abs());
            }
        }
        let k_shift = if k_shift.is_finite() {
            k_shift + 1.0
        } else {
            1.0
        };

        let limit = self.max_pivots.unwrap_or(50 * n + 1000);
        // Cost = mass·K − (chance-weighted payoff summed along the path, so the payoffs of
        // non-terminal outcomes are included): (sequence 1, sequence 2, C₁ entry, C₂ entry).
        let costs: Vec<(usize, usize, f64, f64)> = sf
            .payoffs
            .iter()
            .filter(|e| e.terminal_mass != 0.0)
            .map(|e| {
                (
                    e.seq[0],
                    e.seq[1],
                    e.terminal_mass * k_shift - e.terminal_payoff[0],
                    e.terminal_mass * k_shift - e.terminal_payoff[1],
                )
            })
            .collect();
        let build = |cover: &[f64]| {
            let mut tab = Tableau::new(n);
            for &(s1, s2, c1, c2) in &costs {
                // Row x_s: w = C₁ y − Eᵀ p, tableau entries are −M.
                tab.add(px + s1, tab.z(py + s2), -c1);
                tab.add(py + s2, tab.z(px + s1), -c2);
            }
            for &(r, s, v) in &sf.constraints[0] {
                // Row x_s: M = −Eᵀ → tableau +E; row p_r: M = E → tableau −E.
                tab.add(px + s, tab.z(pp + r), v);
                tab.add(pp + r, tab.z(px + s), -v);
            }
            for &(r, s, v) in &sf.constraints[1] {
                tab.add(py + s, tab.z(pq + r), v);
                tab.add(pq + r, tab.z(py + s), -v);
            }
            tab.set_rhs(pp, -1.0);
            tab.set_rhs(pq, -1.0);
            for (i, &d) in cover.iter().enumerate() {
                tab.set(i, tab.z0(), -d);
            }
            tab
        };
        let ones = vec![1.0; n];
        let check = |z: Vec<f64>, pivots: usize| -> Result<(Vec<f64>, usize), LcpError> {
            let plans = [z[px..px + n1].to_vec(), z[py..py + n2].to_vec()];
            let profile = sf.behaviour(game, [&plans[0], &plans[1]]);
            let regret = max_regret(game, &profile);
            if regret <= self.check_tolerance * scale {
                Ok((z, pivots))
            } else {
                Err(LcpError::Inaccurate { max_regret: regret })
            }
        };
        // Lemke with covering vector (1, …, 1), z₀ entering in row `start`.
        let attempt = |start: usize, limit: usize| -> Result<(Vec<f64>, usize), LcpError> {
            let mut tab = build(&ones);
            let (pivots, z) = tab.lemke(start, limit)?;
            check(z, pivots)
        };
        // The tracing start: each player's best reply to a fixed, generic, totally mixed
        // profile; the covering vector is the cost of each sequence against that profile.
        let tracing = |limit: usize| -> Result<Option<(Vec<f64>, usize)>, LcpError> {
            let (cover, target) = tracing_start(game, &sf, &costs, n);
            let mut tab = build(&cover);
            let Some(installed) = tab.install(&target) else {
                return Ok(None);
            };
            match tab.lemke_from_basis(installed, limit)? {
                Some((pivots, z)) => check(z, pivots).map(Some),
                None => Ok(None),
            }
        };
        // Gambit's start (player 1's empty-sequence row) first, so that small games give
        // Gambit's `lcp` answer; its paths grow exponentially on some games (19 499 pivots at
        // 313 nodes of the escalation ladder), so it gets a short budget. Then the tracing
        // start with the full budget; then the strictly lexicographic row start (player 2's).
        let short = limit.min(2 * n + 100);
        let (z, pivots, start) = match attempt(pp, short) {
            Ok((z, p)) => (z, p, LcpStart::Gambit),
            Err(first) => match tracing(limit) {
                Ok(Some((z, p))) => (z, p, LcpStart::Tracing),
                Ok(None) | Err(_) => match attempt(pq, limit) {
                    Ok((z, p)) => (z, p, LcpStart::Player2Row),
                    Err(_) => return Err(first),
                },
            },
        };
        let fallback = start != LcpStart::Gambit;
        let plans = [z[px..px + n1].to_vec(), z[py..py + n2].to_vec()];
        let profile = sf.behaviour(game, [&plans[0], &plans[1]]);
        let regret = max_regret(game, &profile);
        Ok(LcpSolution {
            profile,
            plans,
            pivots,
            dimension: n,
            max_regret: regret,
            fallback,
            start,
        })
    }
}

/// The tracing start: a fixed, generic, totally mixed profile (at each information set,
/// weights `1 + 0.5·frac(0.618…·(i + 1))` over the flat action index `i`, normalised), each
/// player's pure best reply to it in the sequence form (ties to the first action), the
/// covering vector (the cost of each sequence against the profile, zero in the constraint
/// rows) and the complementary basis of the best replies, as tableau columns: for each
/// player, `x` of the empty sequence and of the chosen action at every information set
/// (reached or not), `w` of the other sequences, and every dual `p`.
fn tracing_start(
    game: &Game,
    sf: &SequenceForm,
    costs: &[(usize, usize, f64, f64)],
    n: usize,
) -> (Vec<f64>, Vec<usize>) {
    let [n1, n2] = sf.num_sequences;
    let [m1, _] = sf.num_rows;
    let (px, py, pp, pq) = (0, n1, n1 + n2, n1 + n2 + m1);
    let weights: Vec<f64> = (0..game.num_profile_actions())
        .map(|i| 1.0 + 0.5 * ((i as f64 + 1.0) * 0.618_033_988_749_895).fract())
        .collect();
    let mut probs = vec![0.0; weights.len()];
    for inf in game.personal_infosets() {
        let k = inf.actions.len();
        let total: f64 = weights[inf.offset..inf.offset + k].iter().sum();
        for a in 0..k {
            probs[inf.offset + a] = weights[inf.offset + a] / total;
        }
    }
    let profile = Profile::from_flat(game, probs).expect("normalised distributions");
    let xbar = sf.realization_plan(game, &profile, 0);
    let ybar = sf.realization_plan(game, &profile, 1);
    let mut cover = vec![0.0; n];
    for &(s1, s2, c1, c2) in costs {
        cover[px + s1] += c1 * ybar[s2];
        cover[py + s2] += c2 * xbar[s1];
    }
    let mut target = Vec::with_capacity(n);
    let columns = [(px, pp, sf.num_sequences[0]), (py, pq, sf.num_sequences[1])];
    for (p, &(base, dual, count)) in columns.iter().enumerate() {
        // Best reply by backward induction over the player's information sets (a set comes
        // after its parent sequence's set in profile order).
        let mut value: Vec<f64> = cover[base..base + count].to_vec();
        let mut chosen = vec![false; count];
        chosen[0] = true;
        for (r, &h) in sf.infosets[p].iter().enumerate().rev() {
            let k = game.infoset(h).actions.len();
            let mut best = sf.sequence(game, h, 0);
            for a in 1..k {
                let s = sf.sequence(game, h, a);
                if value[s] < value[best] {
                    best = s;
                }
            }
            chosen[best] = true;
            value[sf.parent[p][r]] += value[best];
        }
        for (s, &c) in chosen.iter().enumerate() {
            target.push(if c { n + base + s } else { base + s });
        }
        for r in 0..sf.num_rows[p] {
            target.push(n + dual + r);
        }
    }
    (cover, target)
}

impl Solver for Lcp {
    fn name(&self) -> &'static str {
        "lcp"
    }

    /// One equilibrium; a game without exactly two players, or a numerical failure, is a
    /// [`SolveError::Unsupported`] with the reason.
    fn solve(&self, game: &Game) -> Result<Vec<Profile>, SolveError> {
        self.solve_game(game)
            .map(|s| vec![s.profile])
            .map_err(|e| SolveError::Unsupported {
                solver: "lcp",
                reason: e.to_string(),
            })
    }
}

/// Entries below this (absolute) are set to zero after a pivot.
const ZERO: f64 = 1e-14;
/// Pivot elements must exceed this.
const PIVOT_TOL: f64 = 1e-9;
/// Relative tolerance for ties in the ratio test.
const TIE_TOL: f64 = 1e-9;

/// Dense Lemke tableau `w − M z − d z₀ = q`: columns `w₀..w_{n−1}`, `z₀..z_{n−1}`, `z₀`
/// (artificial), right-hand side. The `w` columns hold the basis inverse (used for the
/// lexicographic ratio test).
struct Tableau {
    n: usize,
    width: usize,
    t: Vec<f64>,
    basis: Vec<usize>,
    nz: Vec<usize>,
}

impl Tableau {
    fn new(n: usize) -> Tableau {
        let width = 2 * n + 2;
        let mut t = vec![0.0; n * width];
        for i in 0..n {
            t[i * width + i] = 1.0;
        }
        Tableau {
            n,
            width,
            t,
            basis: (0..n).collect(),
            nz: Vec::new(),
        }
    }
    fn w(&self, i: usize) -> usize {
        i
    }
    fn z(&self, i: usize) -> usize {
        self.n + i
    }
    fn z0(&self) -> usize {
        2 * self.n
    }
    fn rhs(&self) -> usize {
        2 * self.n + 1
    }
    fn complement(&self, v: usize) -> usize {
        if v < self.n { v + self.n } else { v - self.n }
    }
    fn add(&mut self, row: usize, col: usize, v: f64) {
        self.t[row * self.width + col] += v;
    }
    fn set(&mut self, row: usize, col: usize, v: f64) {
        self.t[row * self.width + col] = v;
    }
    fn set_rhs(&mut self, row: usize, v: f64) {
        let c = self.rhs();
        self.set(row, c, v);
    }
    fn at(&self, row: usize, col: usize) -> f64 {
        self.t[row * self.width + col]
    }

    fn pivot(&mut self, r: usize, c: usize) {
        let w = self.width;
        let piv = self.t[r * w + c];
        let inv = 1.0 / piv;
        self.nz.clear();
        {
            let row = &mut self.t[r * w..(r + 1) * w];
            for (j, v) in row.iter_mut().enumerate() {
                if *v != 0.0 {
                    *v *= inv;
                    if v.abs() < ZERO {
                        *v = 0.0;
                    } else {
                        self.nz.push(j);
                    }
                }
            }
            row[c] = 1.0;
        }
        let (before, rest) = self.t.split_at_mut(r * w);
        let (prow, after) = rest.split_at_mut(w);
        let update = |row: &mut [f64]| {
            let f = row[c];
            if f == 0.0 {
                return;
            }
            for &j in &self.nz {
                let v = row[j] - f * prow[j];
                row[j] = if v.abs() < ZERO { 0.0 } else { v };
            }
            row[c] = 0.0;
        };
        for row in before.chunks_exact_mut(w) {
            update(row);
        }
        for row in after.chunks_exact_mut(w) {
            update(row);
        }
        self.basis[r] = c;
    }

    /// Lemke's algorithm: `z₀` enters in row `start`, then complementary pivots until `z₀`
    /// leaves. Returns the number of pivots and the values of `z`.
    fn lemke(&mut self, start: usize, limit: usize) -> Result<(usize, Vec<f64>), LcpError> {
        self.pivot(start, self.z0());
        self.run(1, self.w(start), limit)
    }

    /// Complementary pivoting from a basis holding `z₀`, with `leaving` the variable that last
    /// left (its complement enters next), until `z₀` leaves.
    fn run(
        &mut self,
        mut pivots: usize,
        mut leaving: usize,
        limit: usize,
    ) -> Result<(usize, Vec<f64>), LcpError> {
        loop {
            if pivots >= limit {
                return Err(LcpError::PivotLimit { pivots: limit });
            }
            let entering = self.complement(leaving);
            let Some(r) = self.ratio_test(entering) else {
                return Err(LcpError::Ray { pivots });
            };
            leaving = self.basis[r];
            self.pivot(r, entering);
            pivots += 1;
            if leaving == self.z0() {
                return Ok((pivots, self.z_values()));
            }
        }
    }

    /// Makes the columns `target` (one per row, a nonsingular set) the basis, by Gauss–Jordan
    /// pivots with partial pivoting over the rows whose basic variable is not in `target`.
    /// Returns the number of pivots, or `None` if the set is (numerically) singular.
    fn install(&mut self, target: &[usize]) -> Option<usize> {
        let mut wanted = vec![false; self.width];
        for &v in target {
            wanted[v] = true;
        }
        let mut pivots = 0;
        for &v in target {
            if self.basis.contains(&v) {
                continue;
            }
            let mut best = (0.0, usize::MAX);
            for i in 0..self.n {
                let a = self.at(i, v).abs();
                if !wanted[self.basis[i]] && a > best.0 {
                    best = (a, i);
                }
            }
            if best.0 <= PIVOT_TOL {
                return None;
            }
            self.pivot(best.1, v);
            pivots += 1;
        }
        Some(pivots)
    }

    /// Lemke's algorithm from a complementary basis that is feasible for all large `z₀` (the
    /// tracing start): `z₀` is lowered from +∞ until a basic variable reaches zero, enters the
    /// basis there, and complementary pivoting follows. `Ok(None)` if the basis is not
    /// feasible for large `z₀` (the caller then uses another start).
    fn lemke_from_basis(
        &mut self,
        first: usize,
        limit: usize,
    ) -> Result<Option<(usize, Vec<f64>)>, LcpError> {
        let (rhs, c) = (self.rhs(), self.z0());
        // Basic variable i is rhs_i + g_i z₀ with g_i = −(column z₀).
        let mut best: Option<(f64, usize)> = None;
        for i in 0..self.n {
            let (r, g) = (self.at(i, rhs), -self.at(i, c));
            if g > PIVOT_TOL {
                let z = -r / g;
                let better = match best {
                    None => true,
                    Some((b, k)) => {
                        let tol = TIE_TOL * b.abs().max(1.0);
                        z > b + tol || (z >= b - tol && self.lex_less(k, i, c))
                    }
                };
                if better {
                    best = Some((z, i));
                }
            } else if g < -PIVOT_TOL || r < -1e-9 {
                return Ok(None);
            }
        }
        let Some((z, row)) = best else {
            return Ok(None);
        };
        if z <= 0.0 {
            // Already an equilibrium at z₀ = 0.
            return Ok(Some((first, self.z_values())));
        }
        let leaving = self.basis[row];
        self.pivot(row, c);
        self.run(first + 1, leaving, limit).map(Some)
    }

    /// The leaving row for entering column `c`: minimum ratio, ties broken lexicographically
    /// on the basis inverse (columns `w₀` to `w_{n−1}`, as Gambit's `SF_ExitIndex`).
    fn ratio_test(&self, c: usize) -> Option<usize> {
        let rhs = self.rhs();
        let mut best = f64::INFINITY;
        let mut cands: Vec<(usize, f64)> = Vec::new();
        for i in 0..self.n {
            let a = self.at(i, c);
            if a > PIVOT_TOL {
                let ratio = self.at(i, rhs).max(0.0) / a;
                cands.push((i, ratio));
                if ratio < best {
                    best = ratio;
                }
            }
        }
        if cands.is_empty() {
            return None;
        }
        let tol = TIE_TOL * best.abs().max(1.0);
        let tied: Vec<usize> = cands
            .iter()
            .filter(|(_, r)| *r <= best + tol)
            .map(|&(i, _)| i)
            .collect();
        if tied.len() == 1 {
            return Some(tied[0]);
        }
        let mut winner = tied[0];
        for &i in &tied[1..] {
            if self.lex_less(i, winner, c) {
                winner = i;
            }
        }
        Some(winner)
    }

    /// Is row `i` divided by its entry in column `c` lexicographically smaller than row `k`'s?
    fn lex_less(&self, i: usize, k: usize, c: usize) -> bool {
        let (ai, ak) = (self.at(i, c), self.at(k, c));
        for col in 0..self.n {
            let (vi, vk) = (self.at(i, col) / ai, self.at(k, col) / ak);
            let scale = vi.abs().max(vk.abs()).max(1.0);
            if (vi - vk).abs() > TIE_TOL * scale {
                return vi < vk;
            }
        }
        false
    }

    /// Values of `z₀..z_{n−1}` in the current basic solution (clamped at zero).
    fn z_values(&self) -> Vec<f64> {
        let mut z = vec![0.0; self.n];
        for (i, &b) in self.basis.iter().enumerate() {
            if b >= self.n && b < 2 * self.n {
                z[b - self.n] = self.at(i, self.rhs()).max(0.0);
            }
        }
        z
    }
}

/// For each node and player: the flat index of the player's last own action on the path
/// (`usize::MAX` if none).
fn last_own_actions(game: &Game) -> Vec<usize> {
    let np = game.num_players();
    let nodes = game.nodes();
    let mut last = vec![usize::MAX; nodes.len() * np];
    for i in 1..nodes.len() {
        let parent = nodes[i].parent.expect("non-root").index();
        let (src, dst) = last.split_at_mut(i * np);
        dst[..np].copy_from_slice(&src[parent * np..parent * np + np]);
        let h = nodes[parent]
            .infoset
            .expect("a parent has an information set");
        if let Some(off) = game.profile_offset(h) {
            if let Mover::Player(p) = game.infoset(h).mover {
                dst[p] = off + nodes[i].action_in_parent as usize;
            }
        }
    }
    last
}

/// Each player's regret: what they gain by switching to a best response in the whole game
/// while the others keep their strategies (the best response is found by backward induction
/// over the player's own information sets on the sequence form). Works for any number of
/// players.
///
/// # Panics
/// If the profile was made for another game.
pub fn regrets(game: &Game, profile: &Profile) -> Vec<f64> {
    let np = game.num_players();
    let current = expected_payoffs(game, profile).expect("profile of this game");
    let nodes = game.nodes();
    // others[node * np + i]: probability that chance and the players other than i play to node.
    let mut others = vec![1.0f64; nodes.len() * np];
    for i in 1..nodes.len() {
        let parent = nodes[i].parent.expect("non-root").index();
        let h = nodes[parent]
            .infoset
            .expect("a parent has an information set");
        let a = nodes[i].action_in_parent as usize;
        let inf = game.infoset(h);
        let (pr, mover) = match inf.mover {
            Mover::Chance => (inf.probs[a].value(), None),
            Mover::Player(p) => (profile.prob(h, a), Some(p)),
        };
        for j in 0..np {
            let v = others[parent * np + j];
            others[i * np + j] = if mover == Some(j) { v } else { v * pr };
        }
    }
    let last = last_own_actions(game);
    let own = game.flat_node_payoffs();
    let na = game.num_profile_actions();
    let mut out = Vec::with_capacity(np);
    for i in 0..np {
        // acc[a]: value collected at sequence ending with flat action a; acc[na]: empty sequence.
        let mut acc = vec![0.0f64; na + 1];
        for (v, node) in nodes.iter().enumerate() {
            if node.outcome.is_none() {
                continue;
            }
            let w = others[v * np + i];
            if w == 0.0 {
                continue;
            }
            let s = last[v * np + i];
            let s = if s == usize::MAX { na } else { s };
            acc[s] += w * own[v * np + i];
        }
        for hi in (0..game.num_personal_infosets()).rev() {
            let h = InfosetId(hi as u32);
            let inf = game.infoset(h);
            if inf.mover != Mover::Player(i) {
                continue;
            }
            let off = game.profile_offset(h).expect("personal");
            let best = acc[off..off + inf.actions.len()]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let parent = last[inf.nodes[0].index() * np + i];
            let parent = if parent == usize::MAX { na } else { parent };
            acc[parent] += best;
        }
        out.push((acc[na] - current[i]).max(0.0));
    }
    out
}

/// The largest gain any player can get by deviating to a best response in the whole game,
/// the others' strategies fixed (pygambit's `max_regret`): zero exactly at a Nash equilibrium.
///
/// # Panics
/// If the profile was made for another game.
pub fn max_regret(game: &Game, profile: &Profile) -> f64 {
    regrets(game, profile).into_iter().fold(0.0, f64::max)
}

/// For each personal information set: the gain, conditional on reaching the set, from
/// switching to the best action there (play elsewhere unchanged), with beliefs over the set's
/// nodes given by Bayes' rule from the profile. `None` where the profile reaches the set with
/// probability zero (beliefs are not defined there).
///
/// # Panics
/// If the profile was made for another game.
pub fn infoset_regrets(game: &Game, profile: &Profile) -> Vec<Option<f64>> {
    let np = game.num_players();
    let reach = reach_probabilities(game, profile).expect("profile of this game");
    let nodes = game.nodes();
    // Continuation values per node (payoffs at and below the node).
    let mut val = game.flat_node_payoffs();
    for v in (0..nodes.len()).rev() {
        let Some(h) = nodes[v].infoset else { continue };
        let inf = game.infoset(h);
        let children = game.children(crate::game::NodeId(v as u32));
        for (a, c) in children.iter().enumerate() {
            let pr = match inf.mover {
                Mover::Chance => inf.probs[a].value(),
                Mover::Player(_) => profile.prob(h, a),
            };
            if pr != 0.0 {
                for j in 0..np {
                    val[v * np + j] += pr * val[c.index() * np + j];
                }
            }
        }
    }
    let mut out = Vec::with_capacity(game.num_personal_infosets());
    for hi in 0..game.num_personal_infosets() {
        let h = InfosetId(hi as u32);
        let inf = game.infoset(h);
        let Mover::Player(p) = inf.mover else {
            out.push(None);
            continue;
        };
        let total: f64 = inf.nodes.iter().map(|v| reach[v.index()]).sum();
        if total <= 0.0 {
            out.push(None);
            continue;
        }
        let k = inf.actions.len();
        let mut action_values = vec![0.0; k];
        for v in &inf.nodes {
            let b = reach[v.index()] / total;
            if b == 0.0 {
                continue;
            }
            for (a, c) in game.children(*v).iter().enumerate() {
                action_values[a] += b * val[c.index() * np + p];
            }
        }
        let current: f64 = action_values
            .iter()
            .zip(profile.action_probs(h))
            .map(|(v, pr)| v * pr)
            .sum();
        let best = action_values
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        out.push(Some((best - current).max(0.0)));
    }
    out
}

/// The largest gain from changing the action distribution at a single information set, given
/// beliefs (Bayes' rule) and conditional on reaching it; information sets the profile does not
/// reach are skipped (see [`infoset_regrets`]). Zero at a sequential equilibrium's on-path
/// information sets; for a Nash equilibrium, zero at every information set reached with
/// positive probability.
///
/// # Panics
/// If the profile was made for another game.
pub fn agent_regret(game: &Game, profile: &Profile) -> f64 {
    infoset_regrets(game, profile)
        .into_iter()
        .flatten()
        .fold(0.0, f64::max)
}
