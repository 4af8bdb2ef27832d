//! The Nash bargaining solution with the status quo as disagreement point: the outcome x
//! maximises Π (uᵢ(x) − uᵢ(d))^{cᵢ} over the points every actor weakly prefers to d, with linear
//! loss utility uᵢ(x) = −sᵢ |x − xᵢ|. The objective's logarithm is concave on that interval, so a
//! golden-section search finds the maximum; when only d itself is acceptable to all, d is the
//! solution. Without a status quo the model uses the weighted mean as disagreement point.

use crate::{Forecast, Model, Player, Problem, static_forecast, weighted_mean};

/// The Nash bargaining solution.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nbs;

fn gain(a: &Player, x: f64, d: f64) -> f64 {
    a.salience * ((d - a.position).abs() - (x - a.position).abs())
}

/// The interval of outcomes no actor likes less than d (a convex set: an intersection of
/// intervals around each actor's position).
fn acceptable(players: &[Player], d: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    for a in players.iter().filter(|a| a.salience > 0.0) {
        let r = (d - a.position).abs();
        lo = lo.max(a.position - r);
        hi = hi.min(a.position + r);
    }
    (lo, hi)
}

/// Σ cᵢ ln gainᵢ(x), −∞ where some gain is not positive.
fn objective(players: &[Player], x: f64, d: f64) -> f64 {
    let mut s = 0.0;
    for a in players
        .iter()
        .filter(|a| a.salience > 0.0 && a.capability > 0.0)
    {
        let g = gain(a, x, d);
        if g <= 0.0 {
            return f64::NEG_INFINITY;
        }
        s += a.capability * g.ln();
    }
    s
}

/// The solution for players and a disagreement point.
pub fn solve(players: &[Player], d: f64) -> f64 {
    let (lo, hi) = acceptable(players, d);
    if (hi - lo).is_nan() || hi - lo <= 1e-9 {
        return d;
    }
    // Golden-section search on the open interval.
    let (mut a, mut b) = (lo, hi);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut e = a + g * (b - a);
    for _ in 0..200 {
        if objective(players, c, d) < objective(players, e, d) {
            a = c;
        } else {
            b = e;
        }
        c = b - g * (b - a);
        e = a + g * (b - a);
        if (b - a).abs() < 1e-10 {
            break;
        }
    }
    (a + b) / 2.0
}

impl Model for Nbs {
    fn name(&self) -> &'static str {
        "nbs"
    }
    fn forecast(&self, p: &Problem) -> Forecast {
        let d = p.status_quo.unwrap_or_else(|| {
            let x: Vec<f64> = p.players.iter().map(|a| a.position).collect();
            let w: Vec<f64> = p
                .players
                .iter()
                .map(|a| a.capability * a.salience)
                .collect();
            weighted_mean(&x, &w)
        });
        static_forecast("nbs", p, solve(&p.players, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pl(c: f64, x: f64, s: f64) -> Player {
        Player {
            capability: c,
            position: x,
            salience: s,
        }
    }

    #[test]
    fn two_equal_actors_split_the_difference_on_their_side() {
        // d = 0; both prefer more: the acceptable set is [0, 2·min]; equal weights → symmetric optimum.
        let ps = [pl(1.0, 40.0, 1.0), pl(1.0, 60.0, 1.0)];
        let x = solve(&ps, 0.0);
        assert!((x - 40.0).abs() < 1e-6 || (40.0..=60.0).contains(&x), "{x}");
    }

    #[test]
    fn status_quo_when_someone_wants_it() {
        let ps = [pl(1.0, 0.0, 1.0), pl(1.0, 100.0, 1.0)];
        assert_eq!(solve(&ps, 0.0), 0.0);
    }

    #[test]
    fn opposite_sides_of_status_quo_leave_it() {
        let ps = [pl(1.0, 20.0, 1.0), pl(1.0, 80.0, 1.0)];
        assert_eq!(solve(&ps, 50.0), 50.0);
    }
}
