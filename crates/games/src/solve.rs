//! Equilibrium solvers behind one trait, and the enumeration of pure subgame-perfect equilibria.

use crate::game::{Game, InfosetId, Mover, NodeId};
use crate::profile::Profile;
use serde::Serialize;

/// Why a solver could not solve a game.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum SolveError {
    /// The solver needs perfect information (every personal information set a single node) and
    /// the game has a larger information set.
    #[error(
        "backward induction needs perfect information, but information set {infoset} of {player} holds {nodes} nodes; \
         use an equilibrium notion for imperfect information (sequential equilibrium, logit QRE, sequence-form LCP)"
    )]
    NotPerfectInformation {
        /// The information set's label.
        infoset: String,
        /// Whose it is.
        player: String,
        /// How many nodes it holds.
        nodes: usize,
    },
    /// More equilibria than the limit asked for.
    #[error(
        "more than {limit} pure subgame-perfect equilibria (in the subgame at node {node}); raise the limit or break ties"
    )]
    TooManyEquilibria {
        /// The limit.
        limit: usize,
        /// The node whose subgame exceeded it.
        node: u32,
    },
    /// The solver cannot handle this game (wrong number of players, a numerical failure, …).
    #[error("{solver}: {reason}")]
    Unsupported {
        /// The solver.
        solver: &'static str,
        /// Why.
        reason: String,
    },
}

/// An equilibrium solver.
pub trait Solver {
    /// Short name (`spe-backward-induction`, …).
    fn name(&self) -> &'static str;
    /// The equilibria found, as behaviour profiles.
    fn solve(&self, game: &Game) -> Result<Vec<Profile>, SolveError>;
}

/// How backward induction chooses among actions whose values tie (within the tolerance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum TieRule {
    /// The first tied action in the order the actions are listed (the file's order).
    #[default]
    FirstAction,
    /// The last tied action in that order.
    LastAction,
    /// All tied actions with equal probability (a behaviour-strategy SPE, not a pure one).
    Uniform,
}

/// Subgame-perfect equilibrium by backward induction, for perfect-information games (chance
/// nodes allowed: their value is the expectation).
///
/// Each decision node's mover takes the action whose subgame value is highest for them; values
/// within `tolerance` (absolute) of the highest tie and are broken by `tie`. With
/// [`TieRule::FirstAction`] (the default) the result is the pure SPE that, at every tie, picks
/// the action listed first. Runs in one reverse pass over the preorder arena (children come after
/// their parent), with no recursion: time and memory are linear in the number of nodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BackwardInduction {
    /// The tie-breaking rule.
    pub tie: TieRule,
    /// Values closer than this (absolute) are ties.
    pub tolerance: f64,
}

impl Default for BackwardInduction {
    fn default() -> Self {
        BackwardInduction {
            tie: TieRule::FirstAction,
            tolerance: 1e-9,
        }
    }
}

/// Backward induction's answer: the profile and every node's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeSolution {
    /// The equilibrium.
    pub profile: Profile,
    /// Each node's subgame value per player, flattened (`node * num_players + player`),
    /// including the payoffs of outcomes at and below the node (not those above it).
    pub values: Vec<f64>,
    num_players: usize,
}

impl SpeSolution {
    /// The value of the subgame at a node, per player.
    pub fn value(&self, node: NodeId) -> &[f64] {
        &self.values[node.index() * self.num_players..(node.index() + 1) * self.num_players]
    }

    /// The equilibrium payoffs (the root's value).
    pub fn payoffs(&self) -> &[f64] {
        self.value(NodeId(0))
    }
}

/// Checks that every personal information set is a single node.
pub fn require_perfect_information(game: &Game) -> Result<(), SolveError> {
    for h in game.personal_infosets() {
        if h.nodes.len() > 1 {
            let player = match h.mover {
                Mover::Player(p) => game.players()[p].clone(),
                Mover::Chance => "chance".into(),
            };
            return Err(SolveError::NotPerfectInformation {
                infoset: format!("{} \"{}\"", h.number, h.label),
                player,
                nodes: h.nodes.len(),
            });
        }
    }
    Ok(())
}

impl BackwardInduction {
    /// Backward induction with this tie rule and the default tolerance.
    pub fn new(tie: TieRule) -> Self {
        BackwardInduction {
            tie,
            ..Default::default()
        }
    }

    /// Solves and returns the profile with every node's value.
    pub fn solve_values(&self, game: &Game) -> Result<SpeSolution, SolveError> {
        require_perfect_information(game)?;
        let np = game.num_players();
        let nodes = game.nodes();
        let infosets = game.infosets();
        let mut val = game.flat_node_payoffs();
        let mut probs = vec![0.0; game.num_profile_actions()];
        let mut acc = vec![0.0; np];
        let tol = self.tolerance;
        for i in (0..nodes.len()).rev() {
            let Some(h) = nodes[i].infoset else { continue };
            let inf = &infosets[h.index()];
            let children = game.children(NodeId(i as u32));
            acc.iter_mut().for_each(|x| *x = 0.0);
            match inf.mover {
                Mover::Chance => {
                    for (c, p) in children.iter().zip(&inf.probs) {
                        let p = p.value();
                        let cv = &val[c.index() * np..c.index() * np + np];
                        for (a, v) in acc.iter_mut().zip(cv) {
                            *a += p * v;
                        }
                    }
                }
                Mover::Player(p) => {
                    let mut best = f64::NEG_INFINITY;
                    for c in children {
                        best = best.max(val[c.index() * np + p]);
                    }
                    let tied = |c: &NodeId| val[c.index() * np + p] >= best - tol;
                    let chosen = match self.tie {
                        TieRule::FirstAction => children.iter().position(tied),
                        TieRule::LastAction => children.iter().rposition(tied),
                        TieRule::Uniform => None,
                    };
                    match chosen {
                        Some(a) => {
                            probs[inf.offset + a] = 1.0;
                            let c = children[a].index();
                            acc.copy_from_slice(&val[c * np..c * np + np]);
                        }
                        None => {
                            let k = children.iter().filter(|c| tied(c)).count();
                            let w = 1.0 / k as f64;
                            for (a, c) in children.iter().enumerate() {
                                if tied(c) {
                                    probs[inf.offset + a] = w;
                                    let cv = &val[c.index() * np..c.index() * np + np];
                                    for (x, v) in acc.iter_mut().zip(cv) {
                                        *x += w * v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (x, a) in val[i * np..i * np + np].iter_mut().zip(&acc) {
                *x += a;
            }
        }
        let profile =
            Profile::from_flat(game, probs).expect("backward induction builds a valid profile");
        Ok(SpeSolution {
            profile,
            values: val,
            num_players: np,
        })
    }
}

impl Solver for BackwardInduction {
    fn name(&self) -> &'static str {
        "spe-backward-induction"
    }

    fn solve(&self, game: &Game) -> Result<Vec<Profile>, SolveError> {
        Ok(vec![self.solve_values(game)?.profile])
    }
}

/// Default cap on the number of equilibria [`enumerate_pure_spe`] returns.
pub const DEFAULT_SPE_LIMIT: usize = 10_000;

/// Every pure subgame-perfect equilibrium of a perfect-information game (chance nodes allowed),
/// as pure behaviour profiles (an action at every decision node, on and off the path). Values
/// within 1e-9 count as ties. Errors if there are more than [`DEFAULT_SPE_LIMIT`].
pub fn enumerate_pure_spe(game: &Game) -> Result<Vec<Profile>, SolveError> {
    enumerate_pure_spe_limited(game, DEFAULT_SPE_LIMIT, 1e-9)
}

#[derive(Clone, Copy)]
struct Sol {
    value: usize,
    action: u32,
    picks: usize,
}

/// [`enumerate_pure_spe`] with an explicit cap (per subgame) and tie tolerance.
///
/// Works bottom-up without recursion: each node keeps the list of its subgame's pure SPEs
/// (value, action, and which SPE of each child subgame), built from its children's lists. At a
/// decision node an SPE is a choice of SPE in every child subgame plus an action that is a best
/// reply to them; at a chance node, any combination of the children's SPEs.
pub fn enumerate_pure_spe_limited(
    game: &Game,
    limit: usize,
    tolerance: f64,
) -> Result<Vec<Profile>, SolveError> {
    require_perfect_information(game)?;
    let np = game.num_players();
    let nodes = game.nodes();
    let own = game.flat_node_payoffs();
    let mut values: Vec<f64> = Vec::new();
    let mut picks: Vec<u32> = Vec::new();
    let mut sols: Vec<Vec<Sol>> = vec![Vec::new(); nodes.len()];
    let mut combo: Vec<usize> = Vec::new();
    let mut lists: Vec<Vec<u32>> = Vec::new();
    for i in (0..nodes.len()).rev() {
        let own_i = &own[i * np..i * np + np];
        let Some(h) = nodes[i].infoset else {
            let value = values.len();
            values.extend_from_slice(own_i);
            sols[i].push(Sol {
                value,
                action: 0,
                picks: 0,
            });
            continue;
        };
        let inf = game.infoset(h);
        let children = game.children(NodeId(i as u32));
        let k = children.len();
        let mut out: Vec<Sol> = Vec::new();
        // Each task: candidate lists per child, and the action (None: chance).
        let mut tasks: Vec<(Option<usize>, Vec<Vec<u32>>)> = Vec::new();
        match inf.mover {
            Mover::Chance => {
                tasks.push((
                    None,
                    children
                        .iter()
                        .map(|c| (0..sols[c.index()].len() as u32).collect())
                        .collect(),
                ));
            }
            Mover::Player(p) => {
                for (a, c) in children.iter().enumerate() {
                    for (si, s) in sols[c.index()].iter().enumerate() {
                        let t = values[s.value + p];
                        lists.clear();
                        let mut ok = true;
                        for (j, cj) in children.iter().enumerate() {
                            if j == a {
                                lists.push(vec![si as u32]);
                            } else {
                                let l: Vec<u32> = sols[cj.index()]
                                    .iter()
                                    .enumerate()
                                    .filter(|(_, sj)| values[sj.value + p] <= t + tolerance)
                                    .map(|(x, _)| x as u32)
                                    .collect();
                                ok &= !l.is_empty();
                                lists.push(l);
                            }
                        }
                        if ok {
                            tasks.push((Some(a), lists.clone()));
                        }
                    }
                }
            }
        }
        for (action, lists) in &tasks {
            combo.clear();
            combo.resize(k, 0);
            loop {
                if out.len() >= limit {
                    return Err(SolveError::TooManyEquilibria {
                        limit,
                        node: i as u32,
                    });
                }
                let value = values.len();
                let start = picks.len();
                let mut v = own_i.to_vec();
                for (j, c) in children.iter().enumerate() {
                    let s = sols[c.index()][lists[j][combo[j]] as usize];
                    picks.push(lists[j][combo[j]]);
                    let w = match action {
                        None => inf.probs[j].value(),
                        Some(a) if *a == j => 1.0,
                        Some(_) => 0.0,
                    };
                    if w != 0.0 {
                        for (x, cv) in v.iter_mut().zip(&values[s.value..s.value + np]) {
                            *x += w * cv;
                        }
                    }
                }
                values.extend_from_slice(&v);
                out.push(Sol {
                    value,
                    action: action.unwrap_or(0) as u32,
                    picks: start,
                });
                // Next combination (odometer).
                let mut j = 0;
                while j < k {
                    combo[j] += 1;
                    if combo[j] < lists[j].len() {
                        break;
                    }
                    combo[j] = 0;
                    j += 1;
                }
                if j == k {
                    break;
                }
            }
        }
        // Children's lists are no longer needed except through `picks`; keep them for expansion.
        sols[i] = out;
    }
    // Expand each root SPE into a profile.
    let mut result = Vec::with_capacity(sols[0].len());
    let mut choices = vec![0usize; game.num_personal_infosets()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for r in 0..sols[0].len() {
        stack.push((0, r));
        while let Some((n, si)) = stack.pop() {
            let Some(h) = nodes[n].infoset else { continue };
            let s = sols[n][si];
            if h.index() < game.num_personal_infosets() {
                choices[h.index()] = s.action as usize;
            }
            for (j, c) in game.children(NodeId(n as u32)).iter().enumerate() {
                stack.push((c.index(), picks[s.picks + j] as usize));
            }
        }
        result.push(Profile::pure(game, &choices).expect("choices are in range"));
    }
    Ok(result)
}

/// The pure choice a profile makes at a decision node's information set (convenience for
/// reading a path).
pub fn chosen_action(game: &Game, profile: &Profile, node: NodeId) -> Option<usize> {
    let h: InfosetId = game.node(node).infoset?;
    (h.index() < game.num_personal_infosets())
        .then(|| profile.pure_choice(h))
        .flatten()
}
