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
///
/// Every pair of actors and ordered pair of issues is a possible trade (N² I² of them); each
/// is computed from per-issue tables indexed by actor (no name look-ups), kept as 16 bytes
/// (its gain and its packed actors and issues; the trade's positions are recomputed for the
/// few that are made), and the candidates are sorted in parallel. The trades, their order
/// and every number are those of a plain scan.
pub fn exchange(issues: &[Problem]) -> ExchangeRun {
    exchange_with(issues, None)
}

/// [`exchange`], calling `progress` with the share of candidate trades computed (0 to 1) as
/// the work goes (engines never print; a caller may show it).
pub fn exchange_with(issues: &[Problem], progress: Option<&(dyn Fn(f64) + Sync)>) -> ExchangeRun {
    use rayon::prelude::*;
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
    // Every actor name appearing anywhere, in order of first appearance.
    let mut names: Vec<&str> = Vec::new();
    let mut id_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in issues {
        for n in &p.names {
            if !id_of.contains_key(n.as_str()) {
                id_of.insert(n, names.len());
                names.push(n);
            }
        }
    }
    let na = names.len();
    let ni = issues.len();
    // slot[a][id]: actor id's player index on issue a (the first with that name).
    let mut slot = vec![vec![None; na]; ni];
    for (a, p) in issues.iter().enumerate() {
        for (k, n) in p.names.iter().enumerate() {
            let cell = &mut slot[a][id_of[n.as_str()]];
            if cell.is_none() {
                *cell = Some(k);
            }
        }
    }
    // Ties in gain are broken by the names of i and j, then the issues.
    let mut by_name: Vec<usize> = (0..na).collect();
    by_name.sort_by(|&x, &y| names[x].cmp(names[y]));
    let mut rank = vec![0u64; na];
    for (r, &id) in by_name.iter().enumerate() {
        rank[id] = r as u64;
    }
    let bits = |n: usize| usize::BITS - n.saturating_sub(1).leading_zeros();
    let (ab, ib) = (bits(na).max(1), bits(ni).max(1));
    assert!(
        2 * ab + 2 * ib <= 64,
        "too many actors and issues to pack a trade"
    );
    // (i, j, a, b) packed so that integer order is the tie order: rank of i, rank of j, a, b.
    let pack = |i: usize, j: usize, a: usize, b: usize| -> u64 {
        (((rank[i] << ab | rank[j]) << ib | a as u64) << ib) | b as u64
    };
    let unpack = |key: u64| -> (usize, usize, usize, usize) {
        let b = (key & ((1 << ib) - 1)) as usize;
        let a = ((key >> ib) & ((1 << ib) - 1)) as usize;
        let rj = ((key >> (2 * ib)) & ((1 << ab) - 1)) as usize;
        let ri = (key >> (2 * ib + ab)) as usize;
        (by_name[ri], by_name[rj], a, b)
    };
    // The trade of i and j over issues a and b, if they can make one: (gain, j_to, i_to).
    let trade = |i: usize, j: usize, a: usize, b: usize| -> Option<(f64, f64, f64)> {
        let (pa, pb) = (&issues[a], &issues[b]);
        let (ia, ja, ib_, jb) = (slot[a][i]?, slot[a][j]?, slot[b][i]?, slot[b][j]?);
        let (xia, xja) = (pa.players[ia].position, pa.players[ja].position);
        let (xib, xjb) = (pb.players[ib_].position, pb.players[jb].position);
        let (oa, ob) = (outcomes[a], outcomes[b]);
        if (xia - oa) * (xja - oa) >= 0.0 || (xib - ob) * (xjb - ob) >= 0.0 {
            return None; // not on opposite sides on both issues
        }
        let (sia, sja) = (pa.players[ia].salience, pa.players[ja].salience);
        let (sib, sjb) = (pb.players[ib_].salience, pb.players[jb].salience);
        if sia * sjb <= sib * sja || sib + sjb <= 0.0 || totals[a] <= 0.0 || totals[b] <= 0.0 {
            return None; // i must care relatively more about a, j about b
        }
        let (cj, ci) = (pa.players[ja].capability, pb.players[ib_].capability);
        // Largest outcome shifts: j moves at most to oa, i at most to ob.
        let a_max = cj * sja * (xja - oa).abs() / totals[a];
        let rate = (sia + sja) / (sib + sjb);
        let b_max = ci * sib * (xib - ob).abs() / totals[b];
        let shift_a = a_max.min(b_max / rate);
        if shift_a <= 0.0 {
            return None;
        }
        let shift_b = shift_a * rate;
        let gain = sia * shift_a - sib * shift_b;
        // Position moves that produce those outcome shifts.
        let tj = shift_a * totals[a] / (cj * sja);
        let ti = shift_b * totals[b] / (ci * sib);
        Some((
            gain,
            xja + (oa - xja).signum() * tj,
            xib + (ob - xib).signum() * ti,
        ))
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut candidates: Vec<(f64, u64)> = (0..na)
        .into_par_iter()
        .flat_map_iter(|i| {
            let mut out = Vec::new();
            for j in i + 1..na {
                for a in 0..ni {
                    for b in 0..ni {
                        if a == b {
                            continue;
                        }
                        if let Some((gain, _, _)) = trade(i, j, a, b) {
                            out.push((gain, pack(i, j, a, b)));
                        }
                    }
                }
            }
            if let Some(f) = progress {
                let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                f(k as f64 / na as f64);
            }
            out
        })
        .collect();
    candidates.par_sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut moved = vec![false; na * ni];
    let mut positions: Vec<Vec<f64>> = issues
        .iter()
        .map(|p| p.players.iter().map(|a| a.position).collect())
        .collect();
    let mut trades = Vec::new();
    for (gain, key) in candidates {
        let (i, j, a, b) = unpack(key);
        if moved[j * ni + a] || moved[i * ni + b] {
            continue;
        }
        let (_, j_to, i_to) = trade(i, j, a, b).expect("a candidate trade");
        if let Some(k) = slot[a][j] {
            positions[a][k] = j_to;
        }
        if let Some(k) = slot[b][i] {
            positions[b][k] = i_to;
        }
        moved[j * ni + a] = true;
        moved[i * ni + b] = true;
        trades.push(Trade {
            i: names[i].to_string(),
            j: names[j].to_string(),
            a,
            b,
            j_to,
            i_to,
            gain,
        });
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
