//! The compromise model: the outcome is the capability × salience weighted mean of positions.

use crate::{Forecast, Model, Problem, round_zero, static_forecast};

/// The compromise model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Compromise;

impl Model for Compromise {
    fn name(&self) -> &'static str {
        "compromise"
    }
    fn forecast(&self, p: &Problem) -> Forecast {
        let r = round_zero(p);
        static_forecast("compromise", p, r.mean)
    }
}
