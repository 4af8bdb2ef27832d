//! # leverage-econ: the arithmetic of subsidies for loyalty
//!
//! A patron buys a client's loyalty with cheap energy, market access and credit; analysts price
//! that in spreadsheets. This crate does it reproducibly, from a case's sourced series:
//!
//! - [`duty`]: the patron's crude export duty exactly as Russian law computes it (price brackets,
//!   the coefficient K, the tax maneuver's multiplier, truncation to 0.1 USD/t);
//! - [`ledger`](mod@ledger): the subsidy per year and component (gas, crude, oil products, re-clearance,
//!   loans) in dollars and % of GDP, each figure with the inputs and sources it came from, gaps
//!   kept as gaps, and the linear trend of the total;
//! - [`maneuver`]: what the phase-out of the export duty costs the client along a price and
//!   volume path, split between refineries and budget;
//! - [`dependence`](mod@dependence): Hirschman's and Keohane & Nye's dependence indices — how much leverage the
//!   ties give the patron;
//! - [`inputs`]: wiring a case to the engine (which record feeds which input);
//! - [`compare`]: the case's published figures set beside the model's own numbers.
//!
//! The computing functions take plain numbers and allocate only their output: they sit in the
//! inner loop of the Monte Carlo. Nothing here reads files or prints.
#![deny(missing_docs)]

pub mod compare;
pub mod dependence;
pub mod duty;
pub mod inputs;
pub mod ledger;
pub mod links;
pub mod maneuver;

pub use dependence::{DependenceInputs, DependenceRow, dependence};
pub use inputs::{
    InputError, LedgerOptions, ManeuverOptions, dependence_inputs, ledger_inputs, maneuver_inputs,
};
pub use ledger::{Component, Ledger, LedgerInputs, ledger};
pub use maneuver::{ManeuverInputs, ManeuverPath, simulate};
