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

/// The solution for players and a disagreement point. Two players with a say (the scenario
/// engine's patron and client, every year of every draw) get the closed form of
/// [`two_players`]; more players a golden-section search on the acceptable interval, where the
/// objective is concave.
pub fn solve(players: &[Player], d: f64) -> f64 {
    let mut say = players
        .iter()
        .filter(|a| a.salience > 0.0 && a.capability > 0.0);
    if let (Some(a), Some(b), None) = (say.next(), say.next(), say.next())
        && players.iter().all(|p| p.salience >= 0.0)
        && [a.position, b.position, d, a.capability, b.capability]
            .iter()
            .all(|x| x.is_finite())
    {
        return two_players(a, b, d);
    }
    search(players, d)
}

/// The Nash bargaining solution of two players with tent utilities, in closed form. Both gain
/// only on the side of `d` where both stand; with `p` the nearer position and `q` the farther,
/// the objective rises up to `p`, then `c_p ln(2p − d − x) + c_q ln(x − d)` peaks at
/// `d + 2 w_q (p − d)` (w_q = c_q / (c_p + c_q)), and beyond `q` both gains fall: so the
/// solution is that peak clamped to `[p, q]`. Saliences scale each gain and so do not move the
/// maximiser.
pub fn two_players(a: &Player, b: &Player, d: f64) -> f64 {
    let (ua, ub) = (a.position - d, b.position - d);
    // Opposite sides of d, or someone at d: only d is acceptable to both.
    if ua * ub <= 0.0 {
        return d;
    }
    let (near, far) = if ua.abs() <= ub.abs() { (a, b) } else { (b, a) };
    let w_far = far.capability / (near.capability + far.capability);
    let peak = d + 2.0 * w_far * (near.position - d);
    let (lo, hi) = if near.position <= far.position {
        (near.position, far.position)
    } else {
        (far.position, near.position)
    };
    peak.clamp(lo, hi)
}

fn search(players: &[Player], d: f64) -> f64 {
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

    /// The closed form agrees with the golden-section search on random two-player problems
    /// (to the search's precision).
    #[test]
    fn two_players_match_the_search() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::default();
        runner
            .run(
                &(
                    0.1..100.0f64,
                    0.0..100.0f64,
                    0.05..1.0f64,
                    0.1..100.0f64,
                    0.0..100.0f64,
                    0.05..1.0f64,
                    0.0..100.0f64,
                ),
                |(c1, x1, s1, c2, x2, s2, d)| {
                    let ps = [pl(c1, x1, s1), pl(c2, x2, s2)];
                    let fast = solve(&ps, d);
                    let slow = search(&ps, d);
                    // The search stops where the flat optimum hides differences below ~1e-5.
                    prop_assert!((fast - slow).abs() < 1e-4, "{fast} {slow}");
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn opposite_sides_of_status_quo_leave_it() {
        let ps = [pl(1.0, 20.0, 1.0), pl(1.0, 80.0, 1.0)];
        assert_eq!(solve(&ps, 50.0), 50.0);
    }
}
