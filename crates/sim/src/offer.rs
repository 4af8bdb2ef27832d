//! What would it take: at each crisis a path plays, the least the patron must offer for the
//! client to accept, and the most the patron would pay, from the scenario engine's own game.
//!
//! The timeline plays the crisis game (`leverage_games::ultimatum_fast`) on annual equivalents
//! of discounted payoff streams — the subsidy at stake, the patron's value of the terms, the
//! client's sovereignty cost — built once, in `crate::timeline`. [`offers`] recomputes a run's
//! draws, takes the inputs of every game played (`crate::signs::replay_games`), and reads the
//! values of the client's answers by backward induction (`ultimatum_fast::answers`): there is
//! one payoff model, not a second one here.
//!
//! - The client accepts a side payment *s* when `accept + s ≥ max(stall, refuse)`, so the least
//!   the patron must offer is `client_min = max(stall, refuse) − accept` (client values at no
//!   payment; negative: the client would accept the terms as they stand). `−client_min` is the
//!   deal's value to the client.
//! - Without a payment the client would take its best other answer, worth `alt` to the patron;
//!   the patron could also make no demand (0). The most it would pay is
//!   `patron_max = accept − max(0, alt)` (patron values), the deal's value to the patron.
//!
//! A deal the two sides can both prefer exists where `client_min ≤ patron_max`. Per year and
//! track, over the draws that played a game then, the module reports the quantiles of both, the
//! share of draws with room for a deal, and the case's decision points.

use serde::{Deserialize, Serialize};

use crate::ensemble::DrawSampler;
use crate::signs::replay_games;
use crate::timeline::Spec;
use crate::update::weighted_quantiles;

/// Quantiles reported: 5, 25, 50, 75, 95 %.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// One year of one track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferYear {
    /// The year.
    pub year: i32,
    /// A decision point of the track in the case's calendar.
    pub decision_point: bool,
    /// Draws that played the track's game this year.
    pub games: u64,
    /// The least the patron must offer, USD bn a year: [`QUANTILES`].
    pub client_min: [f64; 5],
    /// The most the patron would pay, USD bn a year: [`QUANTILES`].
    pub patron_max: [f64; 5],
    /// Share of the games with room for a deal (`client_min ≤ patron_max`).
    pub zone: f64,
    /// What the game's inputs already offer at acceptance (the sweeteners or arms on offer),
    /// median, USD bn a year.
    pub offered: f64,
}

/// Offers on both tracks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offers {
    /// Draws recomputed.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// The economic track, by year.
    pub economic: Vec<OfferYear>,
    /// The military track, by year (empty without a military track).
    pub military: Vec<OfferYear>,
}

/// The least offer and the most payment of one game's inputs (side payment set aside).
pub fn offer_of(g: &leverage_games::templates::UltimatumInputs) -> (f64, f64) {
    let mut at_zero = *g;
    at_zero.side_payment = 0.0;
    let a = leverage_games::ultimatum_fast::answers(&at_zero);
    let (alt_client, alt_patron) = if a.stall[1] >= a.refuse[1] {
        (a.stall[1], a.stall[0])
    } else {
        (a.refuse[1], a.refuse[0])
    };
    (alt_client - a.accept[1], a.accept[0] - alt_patron.max(0.0))
}

/// Recomputes draws `0..draws` of the run with `seed` and prices every game they play.
pub fn offers(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    draws: u64,
    pool: Option<&rayon::ThreadPool>,
) -> Offers {
    type Row = (usize, bool, f64, f64, f64);
    let rows: Vec<Row> = replay_games(spec, sampler, seed, 0, draws, pool, |_, _, _, games| {
        games
            .iter()
            .map(|(y, m, g)| {
                let (c, p) = offer_of(g);
                (*y, *m, c, p, g.side_payment)
            })
            .collect::<Vec<Row>>()
    })
    .into_iter()
    .flatten()
    .flatten()
    .collect();
    let track = |military: bool| -> Vec<OfferYear> {
        if military && !rows.iter().any(|r| r.1) {
            return Vec::new();
        }
        spec.years
            .iter()
            .enumerate()
            .map(|(y, ey)| {
                let of: Vec<&Row> = rows
                    .iter()
                    .filter(|r| r.0 == y && r.1 == military)
                    .collect();
                let q = |pick: &dyn Fn(&Row) -> f64| -> [f64; 5] {
                    let mut v: Vec<(f64, f64)> = of.iter().map(|r| (pick(r), 1.0)).collect();
                    let q = weighted_quantiles(&mut v, &QUANTILES);
                    [q[0], q[1], q[2], q[3], q[4]]
                };
                let n = of.len();
                OfferYear {
                    year: ey.year,
                    decision_point: if military {
                        ey.military_decision
                    } else {
                        ey.decision
                    },
                    games: n as u64,
                    client_min: q(&|r| r.2),
                    patron_max: q(&|r| r.3),
                    zone: if n > 0 {
                        of.iter().filter(|r| r.2 <= r.3).count() as f64 / n as f64
                    } else {
                        f64::NAN
                    },
                    offered: q(&|r| r.4)[2],
                }
            })
            .collect()
    };
    Offers {
        draws,
        seed,
        economic: track(false),
        military: track(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leverage_games::templates::UltimatumInputs;

    /// The least offer makes the client indifferent: paying a little more makes the SPE an
    /// acceptance, a little less does not (when the patron demands at all).
    #[test]
    fn the_least_offer_is_the_client_s_indifference_point() {
        let mut g = UltimatumInputs::example();
        g.side_payment = 0.0;
        let (c, p) = offer_of(&g);
        assert!(c.is_finite() && p.is_finite());
        for (s, accepts) in [(c + 0.05, true), (c - 0.05, false)] {
            let mut h = g;
            h.side_payment = s.max(0.0);
            let a = leverage_games::ultimatum_fast::answers(&h);
            let best_other = a.stall[1].max(a.refuse[1]);
            if s >= 0.0 {
                assert_eq!(a.accept[1] > best_other, accepts, "s = {s}");
            }
        }
        // A higher sovereignty cost raises the least offer by the cost's change at the terms.
        let mut h = g;
        h.sovereignty_cost_client *= 2.0;
        assert!(offer_of(&h).0 > c);
    }
}
