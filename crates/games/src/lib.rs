//! # leverage-games: the crisis as a game tree
//!
//! The other engines say how much is at stake (the subsidy ledger) and where a negotiation
//! would land (the bargaining forecast). This crate asks what each side does about it when
//! moves are sequential, threats must be credible and one side does not know how resolved the
//! other is: it represents the crisis as a finite **extensive-form game** and solves it.
//!
//! - [`Game`] is a tree stored as a flat arena of nodes in preorder (the root first, every child
//!   after its parent), with players, decision nodes grouped into information sets whose
//!   actions are labelled, chance nodes with probabilities, and outcomes carrying one payoff per
//!   player. As in Gambit, outcomes may also sit on non-terminal nodes; payoffs add up along
//!   the path. Games are made with [`GameBuilder`], whose [`build`](GameBuilder::build) checks
//!   everything at once and returns every [`GameError`]: information sets whose nodes disagree
//!   on actions, chance probabilities that are negative or do not sum to 1 (within 1e-9),
//!   perfect recall violated, missing children, an empty tree, …
//! - [`Game::from_efg`] and [`Game::to_efg`] read and write Gambit's `.efg` format (the outcome
//!   and payoff format Gambit 16 reads and writes), so every equilibrium computed here can be
//!   checked against Gambit. Numbers may be integers, decimals or rationals (`1/3`) and are kept
//!   exact ([`Number`]); errors carry a line, a column, what was expected and a hint, and the
//!   reader never panics.
//! - [`Profile`] is a behaviour strategy profile (a probability for each action of each
//!   personal information set, flat in Gambit's order). [`outcome_distribution`],
//!   [`reach_probabilities`] and [`expected_payoffs`] say what a profile implies.
//! - Solvers implement [`Solver`]. [`BackwardInduction`] finds a subgame-perfect equilibrium of
//!   a perfect-information game (chance allowed) with a stated [`TieRule`];
//!   [`enumerate_pure_spe`] lists every pure subgame-perfect equilibrium. Both run without
//!   recursion, in one reverse pass over the arena, so a tree of millions of nodes neither
//!   overflows the stack nor takes long. Games with imperfect information are refused with
//!   [`SolveError::NotPerfectInformation`]; the sequence-form Lemke solver ([`Lcp`]) and the
//!   logit quantal response equilibrium ([`LogitSolver`]) take them, with the same trait and
//!   profile layout.
//!
//! Nothing here reads files, prints, or knows about the other engines: the templates that will
//! build the integration-ultimatum and International Interaction games take plain numbers.
#![deny(missing_docs)]

pub mod builder;
pub mod efg;
pub mod game;
pub mod lcp;
pub mod number;
pub mod profile;
pub mod qre;
pub mod solve;
pub mod templates;
pub mod ultimatum_fast;

pub use builder::{At, GameBuilder, GameError, InfosetRef, NodeRef, PROBABILITY_TOLERANCE};
pub use efg::{EfgError, LocatedGameError};
pub use game::{Game, Infoset, InfosetId, Mover, Node, NodeId, Outcome, OutcomeId};
pub use lcp::{Lcp, agent_regret, max_regret};
pub use number::{Number, Rational};
pub use profile::{
    Profile, ProfileError, expected_payoffs, labelled_outcomes, outcome_distribution,
    reach_probabilities,
};
pub use qre::{
    LimitOptions, LogitSolver, QreError, QreProfile, logit_at, logit_limit, logit_path,
    logit_path_traced, logit_residual,
};
pub use solve::{
    BackwardInduction, DEFAULT_SPE_LIMIT, SolveError, Solver, SpeSolution, TieRule, chosen_action,
    enumerate_pure_spe, enumerate_pure_spe_limited, require_perfect_information,
};
