//! Logit quantal response equilibrium (agent form), found by following the principal branch
//! from λ = 0.
//!
//! # The equilibrium
//!
//! In an agent logit QRE (McKelvey and Palfrey 1998) each personal information set `h` is played
//! by its own agent, who chooses action `a` with probability proportional to `exp(λ · v(h, a))`,
//! where `v(h, a)` is the mover's expected payoff of taking `a` at `h` and following the profile
//! afterwards, **conditioned on reaching `h`**: the members of `h` are weighted by the beliefs
//! `μ(x) = ρ(x) / Σ_{y∈h} ρ(y)`, with `ρ` the probability of reaching a node under the profile
//! and the chance probabilities. At λ = 0 play is uniform; as λ → ∞ the principal branch
//! converges to a sequential equilibrium (for generic perfect-information games, the
//! subgame-perfect one). λ is measured in units of 1/payoff: doubling every payoff is the same as
//! doubling λ.
//!
//! Every profile with λ < ∞ is totally mixed, so every information set is reached, except ones
//! that lie behind a chance action of probability zero. Among members of an information set,
//! beliefs are computed from log-reach probabilities, so members that are reached only through
//! a zero-probability chance action get belief 0 when another member is reachable; if **no**
//! member is reachable, beliefs are uniform over the members. That is what Gambit does (its
//! `LogBehavProfile` sets uniform beliefs at information sets of realisation probability zero),
//! and any choice is consistent there: those information sets do not affect anyone's payoff.
//!
//! # The computation
//!
//! The unknowns are the logarithms `x(a) = ln σ(a)` of all action probabilities (flat, in the
//! [`Profile`] order) and λ. At each information set with actions `a₀, a₁, …` the equations are
//! the ones Gambit's `logit` solves (Turocy 2005, 2010):
//!
//! ```text
//! Σ_a exp x(a) − 1 = 0,      x(aₖ) − x(a₀) − λ · (v(h, aₖ) − v(h, a₀)) = 0   (k ≥ 1),
//! ```
//!
//! `n` equations in `n + 1` unknowns, whose solutions near λ = 0 form a curve starting at the
//! uniform profile. The curve is followed by **pseudo-arclength continuation**: an Euler
//! predictor along the unit tangent, then Newton's method on the equations plus the hyperplane
//! through the predicted point orthogonal to the tangent, with the step length adapted to the
//! size of the first Newton step and the contraction rate of the second (Allgower and Georg's
//! rule, as in Gambit's path tracer). The arclength parametrisation passes turning points in λ
//! without trouble; the result depends on nothing but the game and λ (there is no starting
//! guess beyond λ = 0). When the path crosses a requested λ, the point between the two accepted
//! points is polished by Newton's method at that fixed λ, to about 1e-14 in `x`.
//!
//! The Jacobian is **analytic** (forward-mode derivatives of the reach, belief and value passes,
//! one pass over the arena per action), and the log parametrisation keeps it well conditioned
//! as probabilities go to zero: reach probabilities are carried as logarithms too, so beliefs at
//! information sets that are reached with probability `e^-1000` are still exact. The linear
//! algebra is dense (an `(n+1) × (n+1)` LU factorisation per Newton step), which suits the game
//! sizes of the case templates (tens of actions); games with thousands of actions would want a
//! sparse solver.
//!
//! In a **perfect-information** game (chance allowed) the conditional values at a node depend
//! only on play below it, so the QRE is unique at every λ and the principal branch is simply
//! logit backward induction: [`logit_path`] and [`logit_limit`] compute it in one reverse pass
//! per λ (microseconds for the case templates). [`logit_path_traced`] forces path following for
//! such games too; the tests check that the two agree to 1e-10.
//!
//! [`logit_at`] and [`logit_path`] give the QRE at given λ; [`logit_limit`] traces until the
//! profile stops moving (or λ reaches a cap) and returns that end point, which approximates the
//! sequential equilibrium the branch selects. [`LogitSolver`] wraps them as a [`Solver`].

use crate::game::{Game, Mover};
use crate::profile::Profile;
use crate::solve::{SolveError, Solver};
use serde::Serialize;

/// Why a logit QRE could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum QreError {
    /// λ must be finite and non-negative.
    #[error("λ = {lambda} is not a valid logit precision (it must be finite and ≥ 0)")]
    InvalidLambda {
        /// The value given.
        lambda: f64,
    },
    /// The game is too large to follow the path in memory (its dense Jacobian has `actions²`
    /// entries); perfect-information games of any size are solved without it.
    #[error(
        "the game has {actions} actions; following the logit path needs dense matrices of actions² numbers, so it is limited to games of {limit} actions (perfect-information games of any size are solved by logit backward induction)"
    )]
    TooLarge {
        /// Actions of the game.
        actions: usize,
        /// [`MAX_TRACED_ACTIONS`].
        limit: usize,
    },
    /// The path could not be followed (the step length collapsed, the Jacobian was singular, or
    /// the step budget ran out).
    #[error("the logit path could not be followed beyond λ = {lambda}: {reason}")]
    PathFailed {
        /// The last λ reached.
        lambda: f64,
        /// What went wrong.
        reason: String,
    },
}

/// The most actions a game may have for its logit path to be followed (games with imperfect
/// information): the tracer's dense matrices then take about 3 × 8 × 3 000² bytes, 216 MB.
pub const MAX_TRACED_ACTIONS: usize = 3_000;

/// A logit quantal response equilibrium at one λ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QreProfile {
    /// The precision λ.
    pub lambda: f64,
    /// The behaviour profile (flat in Gambit's order, like pygambit's `q[i]`).
    pub profile: Profile,
    /// Natural logarithms of the action probabilities, in the profile's order. Exact where the
    /// probabilities themselves underflow to 0 (large λ).
    pub log_probs: Vec<f64>,
    /// Beliefs: for each personal information set, the probability of each member node given
    /// that the set is reached, aligned with [`Infoset::nodes`](crate::Infoset::nodes).
    pub beliefs: Vec<Vec<f64>>,
    /// For each action (profile order), the mover's expected payoff of taking it, conditioned on
    /// reaching its information set (payoffs of outcomes already passed included, as in
    /// Gambit's action values).
    pub action_values: Vec<f64>,
}

/// When [`logit_limit`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LimitOptions {
    /// Stop at this λ at the latest.
    pub lambda_max: f64,
    /// Stop earlier when no probability moves faster than this per unit of `ln λ`
    /// (`max_a λ·|dσ(a)/dλ| < tolerance`), once `λ · (payoff range) ≥ 1`.
    pub tolerance: f64,
}

impl Default for LimitOptions {
    /// λ up to 10⁶, tolerance 1e-8.
    fn default() -> Self {
        LimitOptions {
            lambda_max: 1e6,
            tolerance: 1e-8,
        }
    }
}

/// The logit QRE on the principal branch at `lambda`.
pub fn logit_at(game: &Game, lambda: f64) -> Result<QreProfile, QreError> {
    let mut out = logit_path(game, &[lambda])?;
    Ok(out.pop().expect("one λ in, one profile out"))
}

/// The logit QRE on the principal branch at each of `lambdas` (any order; the answer is in the
/// same order). The branch is traced once from λ = 0 up to the largest value; where it turns
/// back in λ, each λ gets the first point at which the branch reaches it.
///
/// In a perfect-information game (chance allowed) every agent's conditional values depend only
/// on play below it, so the QRE is unique at every λ and is computed directly, bottom-up, in one
/// pass over the tree (logit backward induction); the principal branch is made of these points.
pub fn logit_path(game: &Game, lambdas: &[f64]) -> Result<Vec<QreProfile>, QreError> {
    for &l in lambdas {
        check_lambda(l)?;
    }
    if game.is_perfect_information() {
        let mut tracer = Tracer::new(game);
        return lambdas
            .iter()
            .map(|&l| {
                let x = tracer.sys.backward_induction(l);
                tracer.finish(&x, l)
            })
            .collect();
    }
    logit_path_traced(game, lambdas)
}

/// [`logit_path`] by path following even for perfect-information games (where [`logit_path`]
/// uses logit backward induction, which gives the same profiles: the QRE of such a game is
/// unique at every λ). For cross-checks and benchmarks.
pub fn logit_path_traced(game: &Game, lambdas: &[f64]) -> Result<Vec<QreProfile>, QreError> {
    for &l in lambdas {
        check_lambda(l)?;
    }
    let mut order: Vec<usize> = (0..lambdas.len()).collect();
    order.sort_by(|&i, &j| lambdas[i].total_cmp(&lambdas[j]));
    let mut found: Vec<Option<QreProfile>> = vec![None; lambdas.len()];
    let mut tracer = Tracer::new(game);
    tracer.prepare_tracing()?;
    let n = tracer.sys.n;
    let mut next = 0;
    // λ = 0 (and games without decisions, where nothing depends on λ).
    while next < order.len() && (lambdas[order[next]] == 0.0 || n == 0) {
        let l = lambdas[order[next]];
        found[order[next]] = Some(tracer.finish(&tracer.start.clone(), l)?);
        next += 1;
    }
    if next < order.len() {
        tracer.update_tangent()?;
    }
    while next < order.len() {
        let previous = tracer.y.clone();
        tracer.step()?;
        while next < order.len() && lambdas[order[next]] <= tracer.y[n] {
            let l = lambdas[order[next]];
            let x = tracer.solve_between(&previous, l)?;
            found[order[next]] = Some(tracer.finish(&x, l)?);
            next += 1;
        }
        if next < order.len() {
            tracer.update_tangent()?;
        }
    }
    Ok(found
        .into_iter()
        .map(|q| q.expect("every λ was reached"))
        .collect())
}

/// The end point of the principal branch: traced from λ = 0 until the profile stops moving or λ
/// reaches `options.lambda_max`, then polished at that λ. For the reference games it agrees
/// with the subgame-perfect (games a, b, b2) and sequential (game c) equilibria to within the
/// distance the QRE at that λ has from them (about `1/λ` for mixed components).
pub fn logit_limit(game: &Game, options: &LimitOptions) -> Result<QreProfile, QreError> {
    check_lambda(options.lambda_max)?;
    let mut tracer = Tracer::new(game);
    let n = tracer.sys.n;
    let scale = payoff_range(game);
    if n == 0 || scale == 0.0 || options.lambda_max == 0.0 {
        return tracer.finish(&tracer.start.clone(), 0.0);
    }
    if game.is_perfect_information() {
        // Double λ from λ·range = 1 until the profile moves less than `tolerance` per unit of
        // ln λ (estimated over the doubling) or λ reaches the cap.
        let mut lambda = (1.0 / scale).min(options.lambda_max);
        let mut x = tracer.sys.backward_induction(lambda);
        while lambda < options.lambda_max {
            let next = (2.0 * lambda).min(options.lambda_max);
            let y = tracer.sys.backward_induction(next);
            let moved = x
                .iter()
                .zip(&y)
                .map(|(a, b)| (a.exp() - b.exp()).abs())
                .fold(0.0, f64::max);
            let rate = moved / (next / lambda).ln();
            lambda = next;
            x = y;
            if rate < options.tolerance {
                break;
            }
        }
        return tracer.finish(&x, lambda);
    }
    tracer.prepare_tracing()?;
    tracer.update_tangent()?;
    loop {
        let lambda = tracer.y[n];
        if lambda * scale >= 1.0 && tracer.t[n] > 0.0 {
            let rate = (0..n)
                .map(|a| (tracer.y[a].exp() * tracer.t[a]).abs())
                .fold(0.0, f64::max)
                * lambda
                / tracer.t[n];
            if rate < options.tolerance {
                let y = tracer.y.clone();
                let x = tracer.solve_between(&y, lambda)?;
                return tracer.finish(&x, lambda);
            }
        }
        let previous = tracer.y.clone();
        tracer.step()?;
        if tracer.y[n] >= options.lambda_max {
            let x = tracer.solve_between(&previous, options.lambda_max)?;
            return tracer.finish(&x, options.lambda_max);
        }
        tracer.update_tangent()?;
    }
}

/// How far `profile` is from being a logit QRE at `lambda`: the largest difference, over all
/// actions, between its probability and the logit response `exp(λ v(h,a)) / Σ_b exp(λ v(h,b))`
/// to the profile itself. Computed in probability space, independently of the solver (beliefs
/// uniform at information sets reached with probability 0).
pub fn logit_residual(game: &Game, profile: &Profile, lambda: f64) -> Result<f64, QreError> {
    check_lambda(lambda)?;
    let reach =
        crate::profile::reach_probabilities(game, profile).map_err(|e| QreError::PathFailed {
            lambda,
            reason: e.to_string(),
        })?;
    let np = game.num_players();
    let mut val = game.flat_node_payoffs();
    let nodes = game.nodes();
    let flat = profile.as_flat();
    for i in (0..nodes.len()).rev() {
        let Some(h) = nodes[i].infoset else { continue };
        let inf = game.infoset(h);
        for (a, c) in game.children(crate::NodeId(i as u32)).iter().enumerate() {
            let w = match inf.mover {
                Mover::Chance => inf.probs[a].value(),
                Mover::Player(_) => flat[inf.offset + a],
            };
            for p in 0..np {
                let v = val[c.index() * np + p];
                val[i * np + p] += w * v;
            }
        }
    }
    let mut worst: f64 = 0.0;
    for inf in game.personal_infosets() {
        let Mover::Player(p) = inf.mover else {
            continue;
        };
        let total: f64 = inf.nodes.iter().map(|m| reach[m.index()]).sum();
        let k = inf.actions.len();
        let values: Vec<f64> = (0..k)
            .map(|a| {
                inf.nodes
                    .iter()
                    .map(|m| {
                        let b = if total > 0.0 {
                            reach[m.index()] / total
                        } else {
                            1.0 / inf.nodes.len() as f64
                        };
                        b * val[game.children(*m)[a].index() * np + p]
                    })
                    .sum()
            })
            .collect();
        let best = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = values.iter().map(|v| (lambda * (v - best)).exp()).collect();
        let sum: f64 = weights.iter().sum();
        for (a, w) in weights.iter().enumerate() {
            worst = worst.max((flat[inf.offset + a] - w / sum).abs());
        }
    }
    Ok(worst)
}

/// The logit QRE as a [`Solver`]: at `lambda`, or the limit of the principal branch
/// ([`logit_limit`] with default options) when `lambda` is `None`.
///
/// [`Solver::solve`] returns the one profile found, or no profile when the QRE cannot be
/// computed (an invalid λ or a path that could not be followed); [`LogitSolver::solve_qre`] says
/// why.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct LogitSolver {
    /// The precision; `None` for the limit λ → ∞.
    pub lambda: Option<f64>,
}

impl LogitSolver {
    /// The QRE with beliefs and action values, or why it could not be computed.
    pub fn solve_qre(&self, game: &Game) -> Result<QreProfile, QreError> {
        match self.lambda {
            Some(l) => logit_at(game, l),
            None => logit_limit(game, &LimitOptions::default()),
        }
    }
}

impl Solver for LogitSolver {
    fn name(&self) -> &'static str {
        "logit-qre"
    }

    fn solve(&self, game: &Game) -> Result<Vec<Profile>, SolveError> {
        self.solve_qre(game)
            .map(|q| vec![q.profile])
            .map_err(|e| SolveError::Unsupported {
                solver: "logit-qre",
                reason: e.to_string(),
            })
    }
}

fn check_lambda(lambda: f64) -> Result<(), QreError> {
    if lambda.is_finite() && lambda >= 0.0 {
        Ok(())
    } else {
        Err(QreError::InvalidLambda { lambda })
    }
}

/// Largest minus smallest payoff any player can end with (outcomes summed along paths).
fn payoff_range(game: &Game) -> f64 {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for t in game.terminals() {
        for v in game.path_payoffs(t) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi >= lo { hi - lo } else { 0.0 }
}

// ---------------------------------------------------------------------------------------------
// The equation system.

const NO_ACTION: u32 = u32::MAX;

struct PersonalSet {
    offset: usize,
    len: usize,
    player: usize,
    members: Vec<u32>,
}

/// The game flattened for the evaluation passes, with scratch space.
struct System {
    /// Number of profile actions (unknowns besides λ).
    n: usize,
    np: usize,
    parent: Vec<u32>,
    /// The profile index of the action leading to the node, or `NO_ACTION` (root, chance).
    edge_action: Vec<u32>,
    /// Chance probability of the edge (1 at the root and under personal moves).
    edge_prob: Vec<f64>,
    edge_log_prob: Vec<f64>,
    child_start: Vec<u32>,
    child_len: Vec<u32>,
    child_list: Vec<u32>,
    /// Own outcome payoffs (`node * np + player`).
    own: Vec<f64>,
    sets: Vec<PersonalSet>,
    sigma: Vec<f64>,
    log_reach: Vec<f64>,
    belief: Vec<f64>,
    value: Vec<f64>,
    act: Vec<f64>,
    d_log_reach: Vec<f64>,
    d_belief: Vec<f64>,
    d_value: Vec<f64>,
    d_act: Vec<f64>,
}

impl System {
    fn new(game: &Game) -> System {
        let nodes = game.nodes();
        let nn = nodes.len();
        let np = game.num_players();
        let mut parent = vec![u32::MAX; nn];
        let mut edge_action = vec![NO_ACTION; nn];
        let mut edge_prob = vec![1.0; nn];
        let mut edge_log_prob = vec![0.0; nn];
        let mut child_start = vec![0u32; nn];
        let mut child_len = vec![0u32; nn];
        let mut child_list = Vec::with_capacity(nn);
        for (i, node) in nodes.iter().enumerate() {
            let children = game.children(crate::NodeId(i as u32));
            child_start[i] = child_list.len() as u32;
            child_len[i] = children.len() as u32;
            child_list.extend(children.iter().map(|c| c.0));
            let Some(h) = node.infoset else { continue };
            let inf = game.infoset(h);
            for (a, c) in children.iter().enumerate() {
                let c = c.index();
                parent[c] = i as u32;
                match inf.mover {
                    Mover::Chance => {
                        let p = inf.probs[a].value();
                        edge_prob[c] = p;
                        edge_log_prob[c] = p.ln();
                    }
                    Mover::Player(_) => edge_action[c] = (inf.offset + a) as u32,
                }
            }
        }
        let sets = game
            .personal_infosets()
            .iter()
            .map(|inf| PersonalSet {
                offset: inf.offset,
                len: inf.actions.len(),
                player: match inf.mover {
                    Mover::Player(p) => p,
                    Mover::Chance => unreachable!("personal information sets have a player"),
                },
                members: inf.nodes.iter().map(|m| m.0).collect(),
            })
            .collect();
        let n = game.num_profile_actions();
        System {
            n,
            np,
            parent,
            edge_action,
            edge_prob,
            edge_log_prob,
            child_start,
            child_len,
            child_list,
            own: game.flat_node_payoffs(),
            sets,
            sigma: vec![0.0; n],
            log_reach: vec![0.0; nn],
            belief: vec![0.0; nn],
            value: vec![0.0; nn * np],
            act: vec![0.0; n],
            d_log_reach: vec![0.0; nn],
            d_belief: vec![0.0; nn],
            d_value: vec![0.0; nn * np],
            d_act: vec![0.0; n],
        }
    }

    fn child(&self, node: u32, action: usize) -> usize {
        self.child_list[self.child_start[node as usize] as usize + action] as usize
    }

    /// Probability of the edge into node `c` (chance or profile).
    fn edge_weight(&self, c: usize) -> f64 {
        match self.edge_action[c] {
            NO_ACTION => self.edge_prob[c],
            a => self.sigma[a as usize],
        }
    }

    /// Probabilities, log-reach, beliefs, node values and conditional action values at `x`;
    /// writes the equations' values into `residual` (length `n`).
    fn evaluate(&mut self, x: &[f64], lambda: f64, residual: &mut [f64]) {
        let np = self.np;
        for (s, &xi) in self.sigma.iter_mut().zip(x) {
            *s = xi.exp();
        }
        let nn = self.parent.len();
        self.log_reach[0] = 0.0;
        for i in 1..nn {
            let p = self.parent[i] as usize;
            let step = match self.edge_action[i] {
                NO_ACTION => self.edge_log_prob[i],
                a => x[a as usize],
            };
            self.log_reach[i] = self.log_reach[p] + step;
        }
        for i in (0..nn).rev() {
            let base = i * np;
            self.value[base..base + np].copy_from_slice(&self.own[base..base + np]);
            let s = self.child_start[i] as usize;
            for k in s..s + self.child_len[i] as usize {
                let c = self.child_list[k] as usize;
                let w = self.edge_weight(c);
                for p in 0..np {
                    self.value[base + p] += w * self.value[c * np + p];
                }
            }
        }
        for h in 0..self.sets.len() {
            let set = &self.sets[h];
            let max = set
                .members
                .iter()
                .map(|&m| self.log_reach[m as usize])
                .fold(f64::NEG_INFINITY, f64::max);
            if max == f64::NEG_INFINITY {
                let u = 1.0 / set.members.len() as f64;
                for &m in &set.members {
                    self.belief[m as usize] = u;
                }
            } else {
                let mut total = 0.0;
                for &m in &set.members {
                    let w = (self.log_reach[m as usize] - max).exp();
                    self.belief[m as usize] = w;
                    total += w;
                }
                for &m in &set.members {
                    self.belief[m as usize] /= total;
                }
            }
            for a in 0..set.len {
                let mut v = 0.0;
                for &m in &set.members {
                    v += self.belief[m as usize] * self.value[self.child(m, a) * np + set.player];
                }
                self.act[set.offset + a] = v;
            }
        }
        for set in &self.sets {
            let o = set.offset;
            residual[o] = self.sigma[o..o + set.len].iter().sum::<f64>() - 1.0;
            for a in 1..set.len {
                residual[o + a] = x[o + a] - x[o] - lambda * (self.act[o + a] - self.act[o]);
            }
        }
    }

    /// The logit QRE of a perfect-information game at `lambda`, as log-probabilities: one
    /// reverse pass, each node's mover answering the values of its children's subgames.
    fn backward_induction(&mut self, lambda: f64) -> Vec<f64> {
        let np = self.np;
        let nn = self.parent.len();
        let mut x = vec![0.0; self.n];
        let mut node_set = vec![usize::MAX; nn];
        for (h, set) in self.sets.iter().enumerate() {
            node_set[set.members[0] as usize] = h;
        }
        for i in (0..nn).rev() {
            let base = i * np;
            let s = self.child_start[i] as usize;
            let k = self.child_len[i] as usize;
            if node_set[i] != usize::MAX {
                let set = &self.sets[node_set[i]];
                let o = set.offset;
                let value =
                    |c: usize| self.value[self.child_list[s + c] as usize * np + set.player];
                let best = (0..k).map(value).fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = (0..k).map(|c| (lambda * (value(c) - best)).exp()).sum();
                let log_total = total.ln();
                for c in 0..k {
                    x[o + c] = lambda * (value(c) - best) - log_total;
                    self.sigma[o + c] = x[o + c].exp();
                }
            }
            for p in 0..np {
                self.value[base + p] = self.own[base + p];
            }
            for j in s..s + k {
                let c = self.child_list[j] as usize;
                let w = self.edge_weight(c);
                for p in 0..np {
                    self.value[base + p] += w * self.value[c * np + p];
                }
            }
        }
        x
    }

    /// The Jacobian of the equations at the point last evaluated, written row-major into `jac`
    /// with row stride `stride` (columns `0..n` for `x`, column `n` for λ).
    fn jacobian(&mut self, lambda: f64, jac: &mut [f64], stride: usize) {
        let n = self.n;
        let np = self.np;
        let nn = self.parent.len();
        for set in &self.sets {
            let o = set.offset;
            jac[o * stride + n] = 0.0;
            for a in 1..set.len {
                jac[(o + a) * stride + n] = -(self.act[o + a] - self.act[o]);
            }
        }
        // Information sets none of whose members can be reached (all behind a chance action of
        // probability zero) have uniform beliefs whatever the profile: their beliefs have
        // derivative zero, not the log-reach formula's.
        let unreached: Vec<bool> = self
            .sets
            .iter()
            .map(|set| {
                set.members
                    .iter()
                    .all(|&m| self.log_reach[m as usize] == f64::NEG_INFINITY)
            })
            .collect();
        for b in 0..n {
            let b32 = b as u32;
            self.d_log_reach[0] = 0.0;
            for i in 1..nn {
                let hit = if self.edge_action[i] == b32 { 1.0 } else { 0.0 };
                self.d_log_reach[i] = self.d_log_reach[self.parent[i] as usize] + hit;
            }
            let sb = self.sigma[b];
            for i in (0..nn).rev() {
                let base = i * np;
                self.d_value[base..base + np].fill(0.0);
                let s = self.child_start[i] as usize;
                for k in s..s + self.child_len[i] as usize {
                    let c = self.child_list[k] as usize;
                    let w = self.edge_weight(c);
                    let dw = if self.edge_action[c] == b32 { sb } else { 0.0 };
                    for p in 0..np {
                        self.d_value[base + p] +=
                            dw * self.value[c * np + p] + w * self.d_value[c * np + p];
                    }
                }
            }
            for (set, &fixed) in self.sets.iter().zip(&unreached) {
                if fixed {
                    // Beliefs stay uniform while no member can be reached.
                    for &m in &set.members {
                        self.d_belief[m as usize] = 0.0;
                    }
                } else {
                    let mean: f64 = set
                        .members
                        .iter()
                        .map(|&m| self.belief[m as usize] * self.d_log_reach[m as usize])
                        .sum();
                    for &m in &set.members {
                        let m = m as usize;
                        self.d_belief[m] = self.belief[m] * (self.d_log_reach[m] - mean);
                    }
                }
                for a in 0..set.len {
                    let mut d = 0.0;
                    for &m in &set.members {
                        let c = self.child(m, a) * np + set.player;
                        d += self.d_belief[m as usize] * self.value[c]
                            + self.belief[m as usize] * self.d_value[c];
                    }
                    self.d_act[set.offset + a] = d;
                }
            }
            for set in &self.sets {
                let o = set.offset;
                let inside = (o..o + set.len).contains(&b);
                jac[o * stride + b] = if inside { self.sigma[b] } else { 0.0 };
                for a in 1..set.len {
                    let mut v = -lambda * (self.d_act[o + a] - self.d_act[o]);
                    if b == o + a {
                        v += 1.0;
                    }
                    if b == o {
                        v -= 1.0;
                    }
                    jac[(o + a) * stride + b] = v;
                }
            }
        }
    }
}

/// LU factorisation with partial pivoting, in place (`a` is `m × m` row-major; `perm[k]` is the
/// row swapped with row `k` at elimination step `k`). `false` if singular.
fn lu_factor(a: &mut [f64], m: usize, perm: &mut [usize]) -> bool {
    for k in 0..m {
        let mut piv = k;
        let mut best = a[k * m + k].abs();
        for r in k + 1..m {
            let v = a[r * m + k].abs();
            if v > best {
                best = v;
                piv = r;
            }
        }
        if best == 0.0 || !best.is_finite() {
            return false;
        }
        perm[k] = piv;
        if piv != k {
            for c in 0..m {
                a.swap(k * m + c, piv * m + c);
            }
        }
        let d = a[k * m + k];
        let (top, rest) = a.split_at_mut((k + 1) * m);
        let pivot_row = &top[k * m..(k + 1) * m];
        for row in rest.chunks_exact_mut(m) {
            let f = row[k] / d;
            row[k] = f;
            if f != 0.0 {
                for (x, p) in row[k + 1..].iter_mut().zip(&pivot_row[k + 1..]) {
                    *x -= f * p;
                }
            }
        }
    }
    true
}

/// Solves `a · z = b` with the factors of [`lu_factor`]; `b` becomes `z`. `false` if the
/// solution is not finite.
fn lu_solve(lu: &[f64], m: usize, perm: &[usize], b: &mut [f64]) -> bool {
    for (k, &p) in perm.iter().enumerate().take(m) {
        b.swap(k, p);
    }
    for k in 0..m {
        let bk = b[k];
        if bk != 0.0 {
            for r in k + 1..m {
                b[r] -= lu[r * m + k] * bk;
            }
        }
    }
    for k in (0..m).rev() {
        let row = &lu[k * m..(k + 1) * m];
        let s: f64 = row[k + 1..]
            .iter()
            .zip(&b[k + 1..])
            .map(|(a, z)| a * z)
            .sum();
        b[k] = (b[k] - s) / row[k];
    }
    b.iter().all(|v| v.is_finite())
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

// ---------------------------------------------------------------------------------------------
// The path tracer.

/// First arclength step.
const FIRST_STEP: f64 = 0.3;
/// Largest acceptable first corrector step (Euclidean, in `(x, λ)`); the target is 0.4.
const MAX_DIST: f64 = 1.0;
const TARGET_DIST: f64 = 0.4;
/// Largest acceptable contraction ratio of the (chord) corrector; the target is 0.5.
const MAX_CONTRACTION: f64 = 0.8;
const TARGET_CONTRACTION: f64 = 0.5;
/// The step length grows at most this much per step.
const MAX_ACCEL: f64 = 3.0;
const MIN_STEP: f64 = 1e-12;
const MAX_STEPS: usize = 20_000;
const CORRECTOR_ITERATIONS: usize = 12;
const CORRECTOR_TOLERANCE: f64 = 1e-8;
const POLISH_ITERATIONS: usize = 40;
const POLISH_TOLERANCE: f64 = 1e-14;

struct Tracer<'g> {
    game: &'g Game,
    sys: System,
    /// The uniform profile in logs.
    start: Vec<f64>,
    /// Current point `(x, λ)` and unit tangent.
    y: Vec<f64>,
    t: Vec<f64>,
    h: f64,
    steps: usize,
    residual: Vec<f64>,
    /// LU factors of `[J(y); t_previous]`, `(n+1) × (n+1)`, and the pivots.
    lu: Vec<f64>,
    perm: Vec<usize>,
    rhs: Vec<f64>,
    predicted: Vec<f64>,
    trial: Vec<f64>,
}

impl<'g> Tracer<'g> {
    fn new(game: &'g Game) -> Tracer<'g> {
        let sys = System::new(game);
        let n = sys.n;
        let mut start = vec![0.0; n];
        for set in &sys.sets {
            let l = -(set.len as f64).ln();
            start[set.offset..set.offset + set.len].fill(l);
        }
        let mut y = start.clone();
        y.push(0.0);
        let mut t = vec![0.0; n + 1];
        t[n] = 1.0;
        Tracer {
            game,
            sys,
            start,
            y,
            t,
            h: FIRST_STEP,
            steps: 0,
            residual: vec![0.0; n],
            // Allocated when the path is first followed (never for perfect information).
            lu: Vec::new(),
            perm: vec![0; n + 1],
            rhs: vec![0.0; n + 1],
            predicted: vec![0.0; n + 1],
            trial: vec![0.0; n + 1],
        }
    }

    /// Refuses a game whose path would not fit in memory ([`MAX_TRACED_ACTIONS`]), and
    /// allocates the factors of one that does.
    fn prepare_tracing(&mut self) -> Result<(), QreError> {
        let n = self.sys.n;
        if n > MAX_TRACED_ACTIONS {
            return Err(QreError::TooLarge {
                actions: n,
                limit: MAX_TRACED_ACTIONS,
            });
        }
        self.lu.resize((n + 1) * (n + 1), 0.0);
        Ok(())
    }

    fn fail(&self, reason: impl Into<String>) -> QreError {
        QreError::PathFailed {
            lambda: self.y[self.sys.n],
            reason: reason.into(),
        }
    }

    /// The unit tangent at `y`, oriented like the previous one (initially +λ): the solution of
    /// `[J(y); t_previous] · t = e_{n+1}`, normalised. Keeps the factors for the corrector.
    fn update_tangent(&mut self) -> Result<(), QreError> {
        let n = self.sys.n;
        let m = n + 1;
        let (x, lambda) = self.y.split_at(n);
        self.sys.evaluate(x, lambda[0], &mut self.residual);
        self.sys.jacobian(lambda[0], &mut self.lu, m);
        self.lu[n * m..].copy_from_slice(&self.t);
        if !lu_factor(&mut self.lu, m, &mut self.perm) {
            return Err(self.fail("singular Jacobian while computing the tangent"));
        }
        self.rhs.fill(0.0);
        self.rhs[n] = 1.0;
        if !lu_solve(&self.lu, m, &self.perm, &mut self.rhs) {
            return Err(self.fail("singular Jacobian while computing the tangent"));
        }
        let norm = norm2(&self.rhs);
        for (t, r) in self.t.iter_mut().zip(&self.rhs) {
            *t = r / norm;
        }
        Ok(())
    }

    /// One predictor–corrector step along the tangent; adapts the step length.
    ///
    /// The corrector is Newton's method on `H = 0` restricted to the hyperplane through the
    /// predicted point orthogonal to `t`, with the Jacobian frozen at `y` (a chord method): with
    /// `J(y) t = 0` and `z` solving `[J(y); t_previous] z = (−H, 0)`, the step `z − (t·z) t`
    /// solves `J(y) Δ = −H`, `t·Δ = 0`, from the factors the tangent already needed.
    fn step(&mut self) -> Result<(), QreError> {
        let n = self.sys.n;
        let m = n + 1;
        loop {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Err(self.fail(format!("no convergence within {MAX_STEPS} steps")));
            }
            for i in 0..m {
                self.predicted[i] = self.y[i] + self.h * self.t[i];
            }
            self.trial.copy_from_slice(&self.predicted);
            let mut first = 0.0;
            let mut contraction: f64 = 0.0;
            let mut previous = 0.0;
            let mut ok = false;
            for it in 0..CORRECTOR_ITERATIONS {
                let (x, lambda) = self.trial.split_at(n);
                self.sys.evaluate(x, lambda[0], &mut self.residual);
                for i in 0..n {
                    self.rhs[i] = -self.residual[i];
                }
                self.rhs[n] = 0.0;
                if !lu_solve(&self.lu, m, &self.perm, &mut self.rhs) {
                    break;
                }
                let tz: f64 = self.t.iter().zip(&self.rhs).map(|(a, b)| a * b).sum();
                for (r, t) in self.rhs.iter_mut().zip(&self.t) {
                    *r -= tz * t;
                }
                let d = norm2(&self.rhs);
                if it == 0 {
                    first = d;
                    if d > MAX_DIST {
                        break;
                    }
                } else {
                    let c = d / previous;
                    contraction = contraction.max(c);
                    if c > MAX_CONTRACTION && d > CORRECTOR_TOLERANCE {
                        break;
                    }
                }
                for i in 0..m {
                    self.trial[i] += self.rhs[i];
                }
                if d <= CORRECTOR_TOLERANCE * (1.0 + norm_inf(&self.trial)) {
                    ok = true;
                    break;
                }
                previous = d;
            }
            if ok && self.trial[n] >= 0.0 {
                self.y.copy_from_slice(&self.trial);
                let decel = (first / TARGET_DIST)
                    .sqrt()
                    .max((contraction / TARGET_CONTRACTION).sqrt())
                    .clamp(1.0 / MAX_ACCEL, 2.0);
                self.h /= decel;
                return Ok(());
            }
            self.h *= 0.5;
            if self.h < MIN_STEP {
                return Err(self.fail("the step length collapsed"));
            }
        }
    }

    /// Newton's method at fixed `lambda`, starting from the point of the chord between
    /// `previous` and the current point at that λ. The Jacobian is refreshed only when the
    /// iteration stops contracting fast.
    fn solve_between(&mut self, previous: &[f64], lambda: f64) -> Result<Vec<f64>, QreError> {
        let n = self.sys.n;
        let (l0, l1) = (previous[n], self.y[n]);
        let theta = if l1 != l0 {
            ((lambda - l0) / (l1 - l0)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let mut x: Vec<f64> = (0..n)
            .map(|i| previous[i] + theta * (self.y[i] - previous[i]))
            .collect();
        let mut jac = vec![0.0; n * (n + 1)];
        let mut square = vec![0.0; n * n];
        let mut perm = vec![0; n];
        let mut rhs = vec![0.0; n];
        let mut fresh = false;
        let mut last = f64::INFINITY;
        let mut converged = false;
        for it in 0..POLISH_ITERATIONS {
            self.sys.evaluate(&x, lambda, &mut self.residual);
            if it == 0 || !fresh {
                self.sys.jacobian(lambda, &mut jac, n + 1);
                for r in 0..n {
                    square[r * n..(r + 1) * n].copy_from_slice(&jac[r * (n + 1)..r * (n + 1) + n]);
                }
                if !lu_factor(&mut square, n, &mut perm) {
                    return Err(self.fail(format!("singular Jacobian at λ = {lambda}")));
                }
                fresh = true;
            }
            for (r, h) in rhs.iter_mut().zip(&self.residual) {
                *r = -h;
            }
            if !lu_solve(&square, n, &perm, &mut rhs) {
                return Err(self.fail(format!("singular Jacobian at λ = {lambda}")));
            }
            for (xi, d) in x.iter_mut().zip(&rhs) {
                *xi += d;
            }
            let d = norm_inf(&rhs);
            if d <= POLISH_TOLERANCE * (1.0 + norm_inf(&x)) {
                converged = true;
                break;
            }
            // Refresh the Jacobian next time unless the steps shrink by 10 or more.
            if d > 0.1 * last {
                fresh = false;
            }
            last = d;
        }
        self.sys.evaluate(&x, lambda, &mut self.residual);
        let r = norm_inf(&self.residual);
        if !converged && r > 1e-9 * (1.0 + lambda) {
            return Err(self.fail(format!(
                "Newton's method at λ = {lambda} did not converge (residual {r:e})"
            )));
        }
        Ok(x)
    }
    /// The QRE at `x`, `lambda`.
    fn finish(&mut self, x: &[f64], lambda: f64) -> Result<QreProfile, QreError> {
        let n = self.sys.n;
        self.sys.evaluate(x, lambda, &mut self.residual);
        let sys = &self.sys;
        let np = sys.np;
        let mut probs = vec![0.0; n];
        let mut log_probs = vec![0.0; n];
        let mut beliefs = Vec::with_capacity(sys.sets.len());
        let mut action_values = vec![0.0; n];
        // Payoffs of outcomes at and above each node.
        let nn = sys.parent.len();
        let mut above = sys.own.clone();
        for i in 1..nn {
            let p = sys.parent[i] as usize;
            for q in 0..np {
                above[i * np + q] += above[p * np + q];
            }
        }
        for set in &sys.sets {
            let o = set.offset;
            let max = x[o..o + set.len]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = x[o..o + set.len].iter().map(|v| (v - max).exp()).sum();
            let log_sum = max + sum.ln();
            for a in 0..set.len {
                log_probs[o + a] = x[o + a] - log_sum;
                probs[o + a] = log_probs[o + a].exp();
            }
            let b: Vec<f64> = set
                .members
                .iter()
                .map(|&m| sys.belief[m as usize])
                .collect();
            let passed: f64 = set
                .members
                .iter()
                .map(|&m| sys.belief[m as usize] * above[m as usize * np + set.player])
                .sum();
            for a in 0..set.len {
                action_values[o + a] = sys.act[o + a] + passed;
            }
            beliefs.push(b);
        }
        let profile = Profile::from_flat(self.game, probs).map_err(|e| self.fail(e.to_string()))?;
        Ok(QreProfile {
            lambda,
            profile,
            log_probs,
            beliefs,
            action_values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analytic Jacobian against central finite differences, at a totally mixed point.
    fn jacobian_error(game: &Game, lambda: f64) -> f64 {
        let mut sys = System::new(game);
        let n = sys.n;
        let x: Vec<f64> = (0..n).map(|i| -0.3 - 0.4 * ((i * 7) % 5) as f64).collect();
        let mut r0 = vec![0.0; n];
        sys.evaluate(&x, lambda, &mut r0);
        let mut jac = vec![0.0; n * (n + 1)];
        sys.jacobian(lambda, &mut jac, n + 1);
        let (mut plus, mut minus) = (vec![0.0; n], vec![0.0; n]);
        let eps = 1e-6;
        let mut worst: f64 = 0.0;
        for b in 0..=n {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            let (mut lp, mut lm) = (lambda, lambda);
            if b < n {
                xp[b] += eps;
                xm[b] -= eps;
            } else {
                lp += eps;
                lm -= eps;
            }
            sys.evaluate(&xp, lp, &mut plus);
            sys.evaluate(&xm, lm, &mut minus);
            for r in 0..n {
                let fd = (plus[r] - minus[r]) / (2.0 * eps);
                worst = worst.max((fd - jac[r * (n + 1) + b]).abs() / (1.0 + fd.abs()));
            }
        }
        worst
    }

    // Regression (cross-check game g113): an information set all of whose members lie behind a
    // chance action of probability zero keeps uniform beliefs, but the Jacobian differentiated
    // them as if reached; the chord corrector then contracted at a constant rate ~0.5 whatever
    // the step, the step length shrank geometrically and the path stalled at λ ≈ 6.95 after
    // 20 000 steps.
    #[test]
    fn jacobian_is_exact_at_unreached_information_sets() {
        let g113 = Game::from_efg(include_str!("../tests/fixtures/qre_g113.efg")).unwrap();
        for lambda in [0.5, 3.0, 7.0] {
            let e = jacobian_error(&g113, lambda);
            assert!(e < 1e-6, "g113 at λ = {lambda}: Jacobian off by {e:e}");
        }
        // The smallest such game: nature never takes c0; below it, player 1 does not see
        // player 2's move.
        let small = Game::from_efg(
            r#"EFG 2 R "unreached" { "P1" "P2" } ""
c "" 1 "" { "c0" 0 "c1" 1 } 0
p "" 2 1 "" { "l" "r" } 0
p "" 1 1 "" { "x" "y" } 0
t "" 1 "" { 1 -1 }
t "" 2 "" { 0 2 }
p "" 1 1 "" { "x" "y" } 0
t "" 3 "" { 2 0 }
t "" 4 "" { -1 1 }
p "" 1 2 "" { "u" "d" } 0
t "" 5 "" { 3 1 }
t "" 6 "" { 1 3 }
"#,
        )
        .unwrap();
        let e = jacobian_error(&small, 2.0);
        assert!(e < 1e-6, "small game: Jacobian off by {e:e}");
    }
}
