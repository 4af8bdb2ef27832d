//! Behaviour strategy profiles and what they imply: reach probabilities, the distribution over
//! terminal nodes, expected payoffs.

use crate::builder::PROBABILITY_TOLERANCE;
use crate::game::{Game, InfosetId, Mover, NodeId};
use serde::{Deserialize, Serialize};

/// A problem with a profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum ProfileError {
    /// The profile was made for a game of another shape.
    #[error("the profile has {found} action probabilities but the game has {expected}")]
    WrongShape {
        /// The game's number of personal actions.
        expected: usize,
        /// The profile's.
        found: usize,
    },
    /// Not a personal information set of the game.
    #[error("there is no personal information set {infoset}")]
    NoSuchInfoset {
        /// The index asked for.
        infoset: usize,
    },
    /// Wrong number of probabilities for an information set.
    #[error(
        "information set {infoset} has {expected} actions but {found} probabilities were given"
    )]
    WrongLength {
        /// The information set.
        infoset: usize,
        /// Its number of actions.
        expected: usize,
        /// Probabilities given.
        found: usize,
    },
    /// Probabilities that are not a distribution.
    #[error(
        "information set {infoset}: the probabilities {probs:?} are not a distribution (non-negative, summing to 1)"
    )]
    NotDistribution {
        /// The information set.
        infoset: usize,
        /// The probabilities.
        probs: Vec<f64>,
    },
    /// A pure choice outside the action list.
    #[error("information set {infoset} has {actions} actions; there is no action {action}")]
    NoSuchAction {
        /// The information set.
        infoset: usize,
        /// Its number of actions.
        actions: usize,
        /// The action asked for.
        action: usize,
    },
}

/// A behaviour strategy profile: for each personal information set, a probability for each
/// action. Stored flat in Gambit's order (player, information set in order of first
/// appearance, action), the order of pygambit's `q[i]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    probs: Vec<f64>,
    offsets: Vec<usize>,
}

fn is_distribution(p: &[f64]) -> bool {
    let sum: f64 = p.iter().sum();
    p.iter()
        .all(|&x| x.is_finite() && x >= -PROBABILITY_TOLERANCE)
        && (sum - 1.0).abs() <= PROBABILITY_TOLERANCE
}

impl Profile {
    fn offsets(game: &Game) -> Vec<usize> {
        let mut o: Vec<usize> = game.personal_infosets().iter().map(|h| h.offset).collect();
        o.push(game.num_profile_actions());
        o
    }

    /// Every action of every information set equally likely.
    pub fn uniform(game: &Game) -> Profile {
        let mut probs = Vec::with_capacity(game.num_profile_actions());
        for h in game.personal_infosets() {
            let k = h.actions.len();
            probs.extend(std::iter::repeat_n(1.0 / k as f64, k));
        }
        Profile {
            probs,
            offsets: Self::offsets(game),
        }
    }

    /// A pure profile: `choices[h]` is the action (0-based) at personal information set `h`.
    pub fn pure(game: &Game, choices: &[usize]) -> Result<Profile, ProfileError> {
        if choices.len() != game.num_personal_infosets() {
            return Err(ProfileError::WrongShape {
                expected: game.num_personal_infosets(),
                found: choices.len(),
            });
        }
        let mut p = Profile {
            probs: vec![0.0; game.num_profile_actions()],
            offsets: Self::offsets(game),
        };
        for (h, &a) in choices.iter().enumerate() {
            let k = p.offsets[h + 1] - p.offsets[h];
            if a >= k {
                return Err(ProfileError::NoSuchAction {
                    infoset: h,
                    actions: k,
                    action: a,
                });
            }
            p.probs[p.offsets[h] + a] = 1.0;
        }
        Ok(p)
    }

    /// A profile from the flat vector (Gambit's order), checked.
    pub fn from_flat(game: &Game, probs: Vec<f64>) -> Result<Profile, ProfileError> {
        if probs.len() != game.num_profile_actions() {
            return Err(ProfileError::WrongShape {
                expected: game.num_profile_actions(),
                found: probs.len(),
            });
        }
        let p = Profile {
            probs,
            offsets: Self::offsets(game),
        };
        for h in 0..p.num_infosets() {
            let slice = p.action_probs(InfosetId(h as u32));
            if !is_distribution(slice) {
                return Err(ProfileError::NotDistribution {
                    infoset: h,
                    probs: slice.to_vec(),
                });
            }
        }
        Ok(p)
    }

    /// The flat vector of probabilities.
    pub fn as_flat(&self) -> &[f64] {
        &self.probs
    }

    /// Number of personal information sets covered.
    pub fn num_infosets(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The probabilities of the actions at personal information set `h` (panics if `h` is not
    /// a personal information set of the profile's game).
    pub fn action_probs(&self, h: InfosetId) -> &[f64] {
        &self.probs[self.offsets[h.index()]..self.offsets[h.index() + 1]]
    }

    /// The probability of action `a` at information set `h`.
    pub fn prob(&self, h: InfosetId, a: usize) -> f64 {
        self.action_probs(h)[a]
    }

    /// Sets the probabilities at information set `h` (checked: a distribution of the right length).
    pub fn set(&mut self, h: InfosetId, probs: &[f64]) -> Result<(), ProfileError> {
        let i = h.index();
        if i >= self.num_infosets() {
            return Err(ProfileError::NoSuchInfoset { infoset: i });
        }
        let k = self.offsets[i + 1] - self.offsets[i];
        if probs.len() != k {
            return Err(ProfileError::WrongLength {
                infoset: i,
                expected: k,
                found: probs.len(),
            });
        }
        if !is_distribution(probs) {
            return Err(ProfileError::NotDistribution {
                infoset: i,
                probs: probs.to_vec(),
            });
        }
        self.probs[self.offsets[i]..self.offsets[i + 1]].copy_from_slice(probs);
        Ok(())
    }

    /// The action played for sure at `h`, if the profile is pure there.
    pub fn pure_choice(&self, h: InfosetId) -> Option<usize> {
        let p = self.action_probs(h);
        let a = p.iter().position(|&x| x == 1.0)?;
        p.iter()
            .enumerate()
            .all(|(i, &x)| i == a || x == 0.0)
            .then_some(a)
    }

    /// Is the profile pure (one action for sure at every information set)?
    pub fn is_pure(&self) -> bool {
        (0..self.num_infosets()).all(|h| self.pure_choice(InfosetId(h as u32)).is_some())
    }

    fn check_shape(&self, game: &Game) -> Result<(), ProfileError> {
        if self.probs.len() != game.num_profile_actions()
            || self.num_infosets() != game.num_personal_infosets()
        {
            return Err(ProfileError::WrongShape {
                expected: game.num_profile_actions(),
                found: self.probs.len(),
            });
        }
        Ok(())
    }
}

/// The probability that play reaches each node (indexed by node), under the profile and the
/// chance probabilities.
pub fn reach_probabilities(game: &Game, profile: &Profile) -> Result<Vec<f64>, ProfileError> {
    profile.check_shape(game)?;
    let nodes = game.nodes();
    let mut reach = vec![0.0; nodes.len()];
    reach[0] = 1.0;
    for i in 1..nodes.len() {
        let node = &nodes[i];
        let parent = node.parent.expect("non-root").index();
        let h = nodes[parent]
            .infoset
            .expect("a parent has an information set");
        let a = node.action_in_parent as usize;
        let inf = game.infoset(h);
        let p = match inf.mover {
            Mover::Chance => inf.probs[a].value(),
            Mover::Player(_) => profile.probs[inf.offset + a],
        };
        reach[i] = reach[parent] * p;
    }
    Ok(reach)
}

/// The probability of each terminal node (in preorder) under the profile.
pub fn outcome_distribution(
    game: &Game,
    profile: &Profile,
) -> Result<Vec<(NodeId, f64)>, ProfileError> {
    let reach = reach_probabilities(game, profile)?;
    Ok(game.terminals().map(|t| (t, reach[t.index()])).collect())
}

/// The outcomes reached with a positive probability (above 10⁻¹²) under the profile, in
/// preorder: each terminal's outcome label (else the node's label), probability and payoffs.
pub fn labelled_outcomes(
    game: &Game,
    profile: &Profile,
) -> Result<Vec<(String, f64, Vec<f64>)>, ProfileError> {
    Ok(outcome_distribution(game, profile)?
        .into_iter()
        .filter(|(_, p)| *p > 1e-12)
        .map(|(t, p)| {
            let node = game.node(t);
            let label = node
                .outcome
                .map(|o| game.outcome(o).label.clone())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| node.label.clone());
            (label, p, game.node_payoffs(t))
        })
        .collect())
}

/// Each player's expected payoff under the profile (outcomes on non-terminal nodes count
/// whenever the node is reached, as in Gambit).
pub fn expected_payoffs(game: &Game, profile: &Profile) -> Result<Vec<f64>, ProfileError> {
    let reach = reach_probabilities(game, profile)?;
    let mut total = vec![0.0; game.num_players()];
    for (i, node) in game.nodes().iter().enumerate() {
        if let Some(o) = node.outcome {
            if reach[i] != 0.0 {
                for (t, p) in total.iter_mut().zip(&game.outcome(o).payoffs) {
                    *t += reach[i] * p.value();
                }
            }
        }
    }
    Ok(total)
}
