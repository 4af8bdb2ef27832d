//! # leverage-bargain: where will the negotiation land?
//!
//! Collective-decision models on one issue (a 0–100 scale): each actor has a capability, a
//! position and a salience; a model moves positions round by round and forecasts the outcome.
//! All models implement [`Model`] and return a [`Forecast`] with every round's positions and the
//! round's capability × salience weighted median and mean, so they can be set side by side:
//!
//! - [`compromise`]: the capability × salience weighted mean (the compromise model, hard to beat
//!   on DEU for twenty years);
//! - [`median`]: the weighted median (the median voter; with linear utility, the Condorcet winner);
//! - [`nbs`]: the Nash bargaining solution with the status quo as disagreement point;
//! - [`eu`]: Bueno de Mesquita's expected-utility model as reconstructed by Scholz, Calbert &
//!   Smith (2011), with each known ambiguity a named option.
//!
//! [`backtest`] scores models on issues whose outcome is known (the DEU data). Nothing here
//! reads files or prints; [`problem_from_issue`] builds a [`Problem`] from a case.
#![deny(missing_docs)]

pub mod backtest;
pub mod compromise;
pub mod eu;
pub mod exchange;
pub mod median;
pub mod nbs;
pub mod smp;
pub mod stats;
mod vmath;

use serde::{Deserialize, Serialize};

pub use stats::{weighted_mean, weighted_median};

/// One actor on one issue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Player {
    /// Capability (any positive scale).
    pub capability: f64,
    /// Position on the issue's scale.
    pub position: f64,
    /// Salience, 0–1.
    pub salience: f64,
}

/// One issue to forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Actor names, in the order of `players`.
    pub names: Vec<String>,
    /// The actors.
    pub players: Vec<Player>,
    /// Where things stand (the disagreement point), if known.
    pub status_quo: Option<f64>,
}

/// One round: every actor's position and the round's summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Positions after the round, in actor order.
    pub positions: Vec<f64>,
    /// Capability × salience weighted median of the positions.
    pub median: f64,
    /// Capability × salience weighted mean of the positions.
    pub mean: f64,
}

/// A model's forecast: the rounds (round 0 is the input) and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The model.
    pub model: String,
    /// Round 0 (the input) and every round played.
    pub rounds: Vec<Round>,
    /// The forecast outcome on the issue's scale.
    pub outcome: f64,
    /// The round after which positions stopped moving, if they did.
    pub converged_after: Option<usize>,
}

/// A collective-decision model.
pub trait Model {
    /// Short name (`eu`, `compromise`, …).
    fn name(&self) -> &'static str;
    /// Forecast one issue.
    fn forecast(&self, problem: &Problem) -> Forecast;
}

/// Round 0 of any forecast: the input positions and their summaries.
pub fn round_zero(p: &Problem) -> Round {
    let positions: Vec<f64> = p.players.iter().map(|a| a.position).collect();
    summarize(p, positions)
}

/// A round's summaries for given positions.
pub fn summarize(p: &Problem, positions: Vec<f64>) -> Round {
    let w: Vec<f64> = p
        .players
        .iter()
        .map(|a| a.capability * a.salience)
        .collect();
    Round {
        median: weighted_median(&positions, &w),
        mean: weighted_mean(&positions, &w),
        positions,
    }
}

/// A one-round forecast at a fixed point (the static models).
pub fn static_forecast(model: &'static str, p: &Problem, outcome: f64) -> Forecast {
    Forecast {
        model: model.into(),
        rounds: vec![round_zero(p)],
        outcome,
        converged_after: Some(0),
    }
}

/// A problem from a case's issue: capability from the actor, salience scaled to 0–1.
pub fn problem_from_issue(case: &leverage_case::Case, issue: &leverage_case::Issue) -> Problem {
    let mut names = Vec::new();
    let mut players = Vec::new();
    for pos in &issue.positions {
        let Some(a) = case.actor(&pos.actor) else {
            continue;
        };
        names.push(pos.actor.clone());
        players.push(Player {
            capability: a.capability.value,
            position: pos.position.value,
            salience: pos.salience.value / 100.0,
        });
    }
    Problem {
        names,
        players,
        status_quo: issue.status_quo.as_ref().map(|n| n.value),
    }
}
