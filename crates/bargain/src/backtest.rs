//! Backtests: run models on issues whose outcome is known and score them.
//!
//! Per model: the mean absolute error (MAE), the median absolute error, and the share of issues
//! forecast within ±10 points, each with a percentile bootstrap interval (resampling issues with
//! a ChaCha8 stream from a fixed seed, so the interval is the same on every machine).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::Serialize;

use crate::{Model, Problem};

/// One issue with a known outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Issue id.
    pub id: String,
    /// The problem.
    pub problem: Problem,
    /// What happened, on the same scale.
    pub outcome: f64,
}

/// A model's score over the items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The model.
    pub model: &'static str,
    /// Issues scored.
    pub n: usize,
    /// Mean absolute error.
    pub mae: f64,
    /// 95 % bootstrap interval of the MAE.
    pub mae_ci: (f64, f64),
    /// Median absolute error.
    pub median_error: f64,
    /// 95 % bootstrap interval of the median error.
    pub median_error_ci: (f64, f64),
    /// Share of issues within ±10 points.
    pub within_10: f64,
    /// 95 % bootstrap interval of that share.
    pub within_10_ci: (f64, f64),
}

/// Per-issue results: the outcome and each model's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueResult {
    /// Issue id.
    pub id: String,
    /// Recorded outcome.
    pub outcome: f64,
    /// (model, forecast) pairs in model order.
    pub forecasts: Vec<(&'static str, f64)>,
}

/// A whole backtest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// One score per model.
    pub scores: Vec<Score>,
    /// One row per issue.
    pub issues: Vec<IssueResult>,
    /// Bootstrap resamples used.
    pub resamples: usize,
    /// Seed of the bootstrap stream.
    pub seed: u64,
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn stats(errors: &[f64]) -> (f64, f64, f64) {
    let n = errors.len() as f64;
    let mae = errors.iter().sum::<f64>() / n;
    let mut e = errors.to_vec();
    let med = median(&mut e);
    let within = errors.iter().filter(|x| **x <= 10.0).count() as f64 / n;
    (mae, med, within)
}

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let k = ((v.len() - 1) as f64 * q).round() as usize;
    v[k]
}

/// Run every model on every item and score them.
pub fn backtest(items: &[Item], models: &[&dyn Model], resamples: usize, seed: u64) -> Backtest {
    let issues: Vec<IssueResult> = items
        .iter()
        .map(|it| IssueResult {
            id: it.id.clone(),
            outcome: it.outcome,
            forecasts: models
                .iter()
                .map(|m| (m.name(), m.forecast(&it.problem).outcome))
                .collect(),
        })
        .collect();
    let mut scores = Vec::new();
    for (k, m) in models.iter().enumerate() {
        let errors: Vec<f64> = issues
            .iter()
            .map(|r| (r.forecasts[k].1 - r.outcome).abs())
            .filter(|e| e.is_finite())
            .collect();
        if errors.is_empty() {
            continue;
        }
        let (mae, med, within) = stats(&errors);
        // Every model resamples the same issues: the same seed per model.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = errors.len();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let mut sample = vec![0.0; n];
        for _ in 0..resamples {
            for s in sample.iter_mut() {
                *s = errors[(rng.next_u64() % n as u64) as usize];
            }
            let (x, y, z) = stats(&sample);
            a.push(x);
            b.push(y);
            c.push(z);
        }
        let ci = |v: &mut Vec<f64>| {
            if v.is_empty() {
                (f64::NAN, f64::NAN)
            } else {
                (percentile(v, 0.025), percentile(v, 0.975))
            }
        };
        scores.push(Score {
            model: m.name(),
            n,
            mae,
            mae_ci: ci(&mut a),
            median_error: med,
            median_error_ci: ci(&mut b),
            within_10: within,
            within_10_ci: ci(&mut c),
        });
    }
    Backtest {
        scores,
        issues,
        resamples,
        seed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Player;
    use crate::compromise::Compromise;
    use crate::median::Median;

    fn item(id: &str, xs: &[(f64, f64, f64)], outcome: f64) -> Item {
        Item {
            id: id.into(),
            problem: Problem {
                names: xs
                    .iter()
                    .enumerate()
                    .map(|(i, _)| format!("a{i}"))
                    .collect(),
                players: xs
                    .iter()
                    .map(|&(c, x, s)| Player {
                        capability: c,
                        position: x,
                        salience: s,
                    })
                    .collect(),
                status_quo: None,
            },
            outcome,
        }
    }

    #[test]
    fn scores_by_hand() {
        let items = vec![
            item("a", &[(1.0, 0.0, 1.0), (1.0, 100.0, 1.0)], 50.0),
            item("b", &[(3.0, 0.0, 1.0), (1.0, 100.0, 1.0)], 0.0),
        ];
        let b = backtest(&items, &[&Compromise, &Median], 200, 7);
        // Compromise: 50 (error 0) and 25 (error 25) → MAE 12.5, median 12.5, within ±10: 1/2.
        let c = &b.scores[0];
        assert_eq!((c.mae, c.median_error, c.within_10), (12.5, 12.5, 0.5));
        assert!(c.mae_ci.0 <= c.mae && c.mae <= c.mae_ci.1);
        // Median: 0 (error 50) and 0 (error 0).
        assert_eq!(b.scores[1].mae, 25.0);
        // Same seed, same intervals.
        assert_eq!(b, backtest(&items, &[&Compromise, &Median], 200, 7));
    }
}
