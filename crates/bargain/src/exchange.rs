//! The exchange model (after Stokman & Van Oosten 1994 and Arregui, Stokman & Thomson 2006):
//! actors trade support across issues they weigh differently, then the outcome of each issue is
//! the compromise (capability × salience weighted mean) of the positions after the trades.
//!
//! Two actors `i` and `j` can exchange on issues `a` and `b` when they stand on opposite sides of
//! the expected outcome (the weighted mean) on both, and `i` cares relatively more about `a`
//! while `j` cares relatively more about `b` (`s_ia s_jb > s_ib s_ja`). Then `j` moves toward the
//! outcome on `a` (helping `i`) and `i` moves toward the outcome on `b` (helping `j`). With
//! outcome shifts `A` on `a` and `B` on `b`, the gains are `s_ia A − s_ib B` for `i` and
//! `s_jb B − s_ja A` for `j`; the exchange rate that makes them equal is
//! `B = A (s_ia + s_ja) / (s_ib + s_jb)`, and each moves at most to the expected outcome. Trades
//! are made in order of gain, largest first; an actor's position on an issue moves at most once.
//!
//! This is where issue linkage becomes expressible: a patron that cares little about a price and
//! much about integration can trade relief on the first for movement on the second.

use crate::{Forecast, Problem, summarize, weighted_mean};

/// One executed trade.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trade {
    /// The actor who gives on issue `b` and gains on issue `a`.
    pub i: String,
    /// The actor who gives on issue `a` and gains on issue `b`.
    pub j: String,
    /// Issue index where `j` moves.
    pub a: usize,
    /// Issue index where `i` moves.
    pub b: usize,
    /// `j`'s new position on `a`.
    pub j_to: f64,
    /// `i`'s new position on `b`.
    pub i_to: f64,
    /// The (equal) utility gain of each.
    pub gain: f64,
}

/// Forecasts of every issue, and the trades behind them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExchangeRun {
    /// One forecast per issue: round 0 the input, round 1 after the trades.
    pub forecasts: Vec<Forecast>,
    /// The trades, in the order they were made.
    pub trades: Vec<Trade>,
}

/// Run the exchange model on several issues. Actors are matched across issues by name; an actor
/// missing from an issue simply does not trade on it.
pub fn exchange(issues: &[Problem]) -> ExchangeRun {
    let weights = |p: &Problem| -> Vec<f64> {
        p.players
            .iter()
            .map(|a| a.capability * a.salience)
            .collect()
    };
    let outcomes: Vec<f64> = issues
        .iter()
        .map(|p| {
            let x: Vec<f64> = p.players.iter().map(|a| a.position).collect();
            weighted_mean(&x, &weights(p))
        })
        .collect();
    let totals: Vec<f64> = issues.iter().map(|p| weights(p).iter().sum()).collect();
    let index = |p: &Problem, name: &str| p.names.iter().position(|n| n == name);
    // Every actor name appearing anywhere.
    let mut names: Vec<&str> = Vec::new();
    for p in issues {
        for n in &p.names {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let mut candidates: Vec<Trade> = Vec::new();
    for (ii, i) in names.iter().enumerate() {
        for j in names.iter().skip(ii + 1) {
            for a in 0..issues.len() {
                for b in 0..issues.len() {
                    if a == b {
                        continue;
                    }
                    let (pa, pb) = (&issues[a], &issues[b]);
                    let (Some(ia), Some(ja), Some(ib), Some(jb)) =
                        (index(pa, i), index(pa, j), index(pb, i), index(pb, j))
                    else {
                        continue;
                    };
                    let (xia, xja) = (pa.players[ia].position, pa.players[ja].position);
                    let (xib, xjb) = (pb.players[ib].position, pb.players[jb].position);
                    let (oa, ob) = (outcomes[a], outcomes[b]);
                    if (xia - oa) * (xja - oa) >= 0.0 || (xib - ob) * (xjb - ob) >= 0.0 {
                        continue; // not on opposite sides on both issues
                    }
                    let (sia, sja) = (pa.players[ia].salience, pa.players[ja].salience);
                    let (sib, sjb) = (pb.players[ib].salience, pb.players[jb].salience);
                    if sia * sjb <= sib * sja
                        || sib + sjb <= 0.0
                        || totals[a] <= 0.0
                        || totals[b] <= 0.0
                    {
                        continue; // i must care relatively more about a, j about b
                    }
                    let (cj, ci) = (pa.players[ja].capability, pb.players[ib].capability);
                    // Largest outcome shifts: j moves at most to oa, i at most to ob.
                    let a_max = cj * sja * (xja - oa).abs() / totals[a];
                    let rate = (sia + sja) / (sib + sjb);
                    let b_max = ci * sib * (xib - ob).abs() / totals[b];
                    let shift_a = a_max.min(b_max / rate);
                    if shift_a <= 0.0 {
                        continue;
                    }
                    let shift_b = shift_a * rate;
                    let gain = sia * shift_a - sib * shift_b;
                    // Position moves that produce those outcome shifts.
                    let tj = shift_a * totals[a] / (cj * sja);
                    let ti = shift_b * totals[b] / (ci * sib);
                    candidates.push(Trade {
                        i: (*i).to_string(),
                        j: (*j).to_string(),
                        a,
                        b,
                        j_to: xja + (oa - xja).signum() * tj,
                        i_to: xib + (ob - xib).signum() * ti,
                        gain,
                    });
                }
            }
        }
    }
    candidates.sort_by(|x, y| {
        y.gain
            .total_cmp(&x.gain)
            .then(x.i.cmp(&y.i))
            .then(x.j.cmp(&y.j))
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut moved: Vec<(String, usize)> = Vec::new();
    let mut positions: Vec<Vec<f64>> = issues
        .iter()
        .map(|p| p.players.iter().map(|a| a.position).collect())
        .collect();
    let mut trades = Vec::new();
    for t in candidates {
        let ja = (t.j.clone(), t.a);
        let ib = (t.i.clone(), t.b);
        if moved.contains(&ja) || moved.contains(&ib) {
            continue;
        }
        if let Some(k) = index(&issues[t.a], &t.j) {
            positions[t.a][k] = t.j_to;
        }
        if let Some(k) = index(&issues[t.b], &t.i) {
            positions[t.b][k] = t.i_to;
        }
        moved.push(ja);
        moved.push(ib);
        trades.push(t);
    }
    let forecasts = issues
        .iter()
        .zip(positions)
        .map(|(p, pos)| {
            let r0 = crate::round_zero(p);
            let r1 = summarize(p, pos);
            Forecast {
                model: "exchange".into(),
                outcome: r1.mean,
                rounds: vec![r0, r1],
                converged_after: Some(1),
            }
        })
        .collect();
    ExchangeRun { forecasts, trades }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Player;

    fn issue(players: &[(f64, f64, f64)]) -> Problem {
        Problem {
            names: vec!["patron".into(), "client".into()],
            players: players
                .iter()
                .map(|&(c, x, s)| Player {
                    capability: c,
                    position: x,
                    salience: s,
                })
                .collect(),
            status_quo: None,
        }
    }

    /// The patron cares about integration (issue 0), the client about the gas price (issue 1):
    /// each gives on the issue it cares less about, and both outcomes move its way.
    #[test]
    fn linkage_trades_price_for_integration() {
        let integration = issue(&[(1.0, 100.0, 0.9), (1.0, 0.0, 0.3)]);
        let price = issue(&[(1.0, 100.0, 0.2), (1.0, 0.0, 0.9)]);
        let before: Vec<f64> = [&integration, &price]
            .iter()
            .map(|p| crate::round_zero(p).mean)
            .collect();
        let run = exchange(&[integration, price]);
        assert_eq!(run.trades.len(), 1);
        let t = &run.trades[0];
        assert!(t.gain > 0.0);
        // Integration moves toward the patron, the price toward the client.
        assert!(run.forecasts[0].outcome > before[0]);
        assert!(run.forecasts[1].outcome < before[1]);
    }

    #[test]
    fn no_trade_without_different_priorities() {
        let a = issue(&[(1.0, 100.0, 0.5), (1.0, 0.0, 0.5)]);
        let b = issue(&[(1.0, 100.0, 0.5), (1.0, 0.0, 0.5)]);
        let run = exchange(&[a.clone(), b]);
        assert!(run.trades.is_empty());
        assert_eq!(run.forecasts[0].outcome, crate::round_zero(&a).mean);
    }

    #[test]
    fn moves_stop_at_the_expected_outcome() {
        let a = issue(&[(1.0, 100.0, 1.0), (1.0, 0.0, 0.1)]);
        let b = issue(&[(1.0, 100.0, 0.1), (1.0, 0.0, 1.0)]);
        let oa = crate::round_zero(&a).mean;
        let ob = crate::round_zero(&b).mean;
        let run = exchange(&[a, b]);
        for t in &run.trades {
            assert!(
                t.j_to >= 0.0 && t.j_to <= oa + 1e-9 && t.i_to <= 100.0 && t.i_to >= ob - 1e-9,
                "{t:?}"
            );
        }
    }
}
