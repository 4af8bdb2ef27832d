//! The weighted median (median voter) model.

use crate::{Forecast, Model, Problem, round_zero, static_forecast};

/// The weighted-median model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Median;

impl Model for Median {
    fn name(&self) -> &'static str {
        "median"
    }
    fn forecast(&self, p: &Problem) -> Forecast {
        let r = round_zero(p);
        static_forecast("median", p, r.median)
    }
}
