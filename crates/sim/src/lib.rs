//! The scenario engine: the strategic deal as a yearly process.
//!
//! Each draw of an ensemble samples the case's uncertain parameters, runs the timeline from the
//! case's `as_of` to its horizon (economics → salience and positions → bargaining → the crisis
//! game at decision points → state transition) and classifies the final state into the case's
//! named scenarios with their rules. Draw *i* uses its own random stream derived from the seed
//! and *i*, so results do not depend on the number of threads.
//!
//! Modules:
//! - `inputs`: every input the mechanisms read (key, unit, range, meaning), declared once.
//! - `wiring`: from a case to the timeline's plain inputs and the parameter sampler.
//! - `timeline`: one path, year by year.
//! - `ensemble`: N paths in parallel with order-independent streaming aggregates.
//! - `pipeline`: `run_case`, from a case to the results bundle every front end renders.
//! - `analysis`: tornado and Sobol indices of the scenario probabilities.
//! - `shard`: one ensemble's draws split into shards and merged back, bit for bit.
//! - `sample`: quantile sampling of the case's distributions, rank correlation.
//! - `sensitivity`: one-at-a-time tornado and Sobol indices (generic estimators).
//! - `score`: Brier and log scores, calibration, issue errors against realised outcomes.
//! - `offer`: the least the patron must offer and the most it would pay, at every crisis played.
//! - `signs`: the case's observables as quantities of a path; recomputing draws of a run.
//! - `update`: a run's paths reweighted by evidence, with fresh draws when the weights degenerate.
//! - `watch`: signposts, the observables that best tell each scenario from the others, by year.
//! - `stream`: per-draw random streams (ChaCha8 stream number = draw index).
//! - `stats`: Wilson intervals, mergeable histograms and moments.

pub mod analyses;
pub mod analysis;
pub mod ensemble;
pub mod inputs;
pub mod links;
pub mod mechanisms;
pub mod offer;
pub mod pipeline;
pub mod sample;
pub mod score;
pub mod sensitivity;
pub mod shard;
pub mod signs;
pub mod stats;
pub mod stream;
pub mod timeline;
pub mod update;
pub mod watch;
pub mod wiring;
