//! Scoring probabilistic forecasts against realised outcomes: how the tool is judged on what
//! really happened after a case's date.
//!
//! - **Brier score**, multi-category form of G. W. Brier (1950), "Verification of forecasts
//!   expressed in terms of probability", *Monthly Weather Review* 78(1): for one occasion with
//!   forecast p over K categories and realised category c, Σ_k (p_k − o_k)² with o_k = 1 if
//!   k = c else 0, averaged over occasions. Range **0 (perfect) to 2** (all probability on a
//!   wrong category); the "half-Brier" (divided by 2) has range 0..1 and equals the binary
//!   Brier score when K = 2.
//! - **Brier skill score** against the uniform (climatology-free) reference p_k = 1/K, whose
//!   Brier score is (1 − 1/K)² + (K − 1)/K² = (K − 1)/K on every occasion:
//!   BSS = 1 − BS / ((K − 1)/K); 1 is perfect, 0 no better than uniform, negative worse
//!   (D. S. Wilks (2011), *Statistical Methods in the Atmospheric Sciences*, 3rd ed., §8.4).
//! - **Log score** (ignorance), −ln p_c of the realised category (I. J. Good (1952), "Rational
//!   decisions", *JRSS B* 14; T. Gneiting & A. E. Raftery (2007), "Strictly proper scoring
//!   rules, prediction, and estimation", *JASA* 102). An ensemble of N draws cannot resolve
//!   probabilities below 1/N, and a realised category no draw reached would score +∞; the
//!   probability is therefore floored at `p_floor`, by convention 1/(2N) for an N-draw ensemble
//!   ([`log_floor`]), passed in by the caller.
//! - **Calibration table** (reliability diagram, Wilks 2011 §8.4.4): every (occasion, category)
//!   pair is a binary forecast; bins of forecast probability with count, mean forecast,
//!   observed frequency and its Wilson 95 % interval ([`crate::stats::wilson95`]).
//! - **Issue forecasts**: absolute error of the median and whether the realised value lies in
//!   the central 50 % and 90 % bands (interval coverage, Gneiting & Raftery 2007 §6).

use thiserror::Error;

use crate::stats::wilson95;

/// Tolerance on Σ_k p_k = 1.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// What can go wrong when scoring.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScoreError {
    /// Nothing to score.
    #[error("no forecasts to score")]
    Empty,
    /// Forecasts and outcomes differ in number.
    #[error("{forecasts} forecasts but {outcomes} outcomes")]
    Lengths {
        /// Forecasts.
        forecasts: usize,
        /// Outcomes.
        outcomes: usize,
    },
    /// Occasions must share the number of categories (at least 2).
    #[error("occasion {occasion} has {got} categories, expected {expected} (at least 2)")]
    Categories {
        /// The occasion.
        occasion: usize,
        /// Expected.
        expected: usize,
        /// Got.
        got: usize,
    },
    /// A probability is not in [0, 1] or not finite.
    #[error("occasion {occasion}, category {category}: probability {p} is not in [0, 1]")]
    BadProbability {
        /// The occasion.
        occasion: usize,
        /// The category.
        category: usize,
        /// The value.
        p: f64,
    },
    /// Probabilities do not sum to 1.
    #[error("occasion {occasion}: probabilities sum to {sum}, not 1")]
    NotNormalised {
        /// The occasion.
        occasion: usize,
        /// The sum.
        sum: f64,
    },
    /// The realised category index is out of range.
    #[error("occasion {occasion}: realised category {outcome} is not below {categories}")]
    Outcome {
        /// The occasion.
        occasion: usize,
        /// The index.
        outcome: usize,
        /// The number of categories.
        categories: usize,
    },
    /// The log-score floor must be in (0, 1).
    #[error("log-score floor {0} is not in (0, 1)")]
    BadFloor(f64),
    /// A calibration table needs at least one bin.
    #[error("a calibration table needs at least one bin")]
    NoBins,
    /// An issue forecast is not ordered (band90.0 ≤ band50.0 ≤ median ≤ band50.1 ≤ band90.1)
    /// or a value is not finite.
    #[error("issue forecast {index}: quantiles are not finite and ordered")]
    BadIssue {
        /// Index of the forecast.
        index: usize,
    },
}

fn check(forecasts: &[Vec<f64>], outcomes: &[usize]) -> Result<usize, ScoreError> {
    if forecasts.len() != outcomes.len() {
        return Err(ScoreError::Lengths {
            forecasts: forecasts.len(),
            outcomes: outcomes.len(),
        });
    }
    let k = forecasts.first().ok_or(ScoreError::Empty)?.len();
    for (occasion, (p, &c)) in forecasts.iter().zip(outcomes).enumerate() {
        if p.len() != k || k < 2 {
            return Err(ScoreError::Categories {
                occasion,
                expected: k,
                got: p.len(),
            });
        }
        if let Some(category) = p.iter().position(|x| !(0.0..=1.0).contains(x)) {
            return Err(ScoreError::BadProbability {
                occasion,
                category,
                p: p[category],
            });
        }
        let sum: f64 = p.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(ScoreError::NotNormalised { occasion, sum });
        }
        if c >= k {
            return Err(ScoreError::Outcome {
                occasion,
                outcome: c,
                categories: k,
            });
        }
    }
    Ok(k)
}

/// The mean multi-category Brier score (range 0..2) of `forecasts` (one probability vector per
/// occasion) against the realised category of each occasion.
pub fn brier(forecasts: &[Vec<f64>], outcomes: &[usize]) -> Result<f64, ScoreError> {
    check(forecasts, outcomes)?;
    let total: f64 = forecasts
        .iter()
        .zip(outcomes)
        .map(|(p, &c)| {
            p.iter()
                .enumerate()
                .map(|(k, &pk)| {
                    let o = if k == c { 1.0 } else { 0.0 };
                    (pk - o) * (pk - o)
                })
                .sum::<f64>()
        })
        .sum();
    Ok(total / forecasts.len() as f64)
}

/// The Brier score of the uniform forecast over `k` categories, (k − 1)/k.
pub fn uniform_brier(k: usize) -> f64 {
    (k as f64 - 1.0) / k as f64
}

/// The Brier skill score against the uniform forecast: 1 − BS/((K − 1)/K).
pub fn brier_skill(forecasts: &[Vec<f64>], outcomes: &[usize]) -> Result<f64, ScoreError> {
    let bs = brier(forecasts, outcomes)?;
    Ok(1.0 - bs / uniform_brier(forecasts[0].len()))
}

/// The conventional log-score floor of an N-draw ensemble, 1/(2N) (1/2 for N = 0).
pub fn log_floor(n_draws: u64) -> f64 {
    1.0 / (2.0 * n_draws.max(1) as f64)
}

/// The mean log score −ln max(p_c, p_floor) (lower is better; 0 is perfect).
pub fn log_score(
    forecasts: &[Vec<f64>],
    outcomes: &[usize],
    p_floor: f64,
) -> Result<f64, ScoreError> {
    check(forecasts, outcomes)?;
    if !(p_floor > 0.0 && p_floor < 1.0) {
        return Err(ScoreError::BadFloor(p_floor));
    }
    let total: f64 = forecasts
        .iter()
        .zip(outcomes)
        .map(|(p, &c)| -p[c].max(p_floor).ln())
        .sum();
    Ok(total / forecasts.len() as f64)
}

/// All scores of a set of categorical forecasts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ScoreSummary {
    /// Number of occasions.
    pub occasions: usize,
    /// Number of categories.
    pub categories: usize,
    /// Mean Brier score, 0..2.
    pub brier: f64,
    /// Half the Brier score, 0..1.
    pub half_brier: f64,
    /// The uniform forecast's Brier score, (K − 1)/K.
    pub brier_reference: f64,
    /// Brier skill score against the uniform forecast.
    pub brier_skill: f64,
    /// Mean log score with the given floor.
    pub log_score: f64,
    /// The floor used.
    pub p_floor: f64,
}

/// Brier, half-Brier, skill and log scores at once.
pub fn score(
    forecasts: &[Vec<f64>],
    outcomes: &[usize],
    p_floor: f64,
) -> Result<ScoreSummary, ScoreError> {
    let b = brier(forecasts, outcomes)?;
    let k = forecasts[0].len();
    Ok(ScoreSummary {
        occasions: forecasts.len(),
        categories: k,
        brier: b,
        half_brier: b / 2.0,
        brier_reference: uniform_brier(k),
        brier_skill: 1.0 - b / uniform_brier(k),
        log_score: log_score(forecasts, outcomes, p_floor)?,
        p_floor,
    })
}

/// One bin of a calibration table.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CalibrationBin {
    /// Lower edge of the bin (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive, except 1 for the last bin).
    pub hi: f64,
    /// Number of binary forecasts in the bin.
    pub count: u64,
    /// Number of them whose category was realised.
    pub hits: u64,
    /// Mean forecast probability (None if empty).
    pub mean_forecast: Option<f64>,
    /// Observed frequency hits/count (None if empty).
    pub observed: Option<f64>,
    /// Wilson 95 % interval of the observed frequency (None if empty).
    pub wilson95: Option<(f64, f64)>,
}

/// The calibration table of `forecasts` with `bins` equal bins of forecast probability; each
/// (occasion, category) pair counts as one binary forecast.
pub fn calibration(
    forecasts: &[Vec<f64>],
    outcomes: &[usize],
    bins: usize,
) -> Result<Vec<CalibrationBin>, ScoreError> {
    check(forecasts, outcomes)?;
    if bins == 0 {
        return Err(ScoreError::NoBins);
    }
    let mut count = vec![0u64; bins];
    let mut hits = vec![0u64; bins];
    let mut sum = vec![0.0f64; bins];
    for (p, &c) in forecasts.iter().zip(outcomes) {
        for (k, &pk) in p.iter().enumerate() {
            let b = ((pk * bins as f64) as usize).min(bins - 1);
            count[b] += 1;
            sum[b] += pk;
            if k == c {
                hits[b] += 1;
            }
        }
    }
    let w = 1.0 / bins as f64;
    Ok((0..bins)
        .map(|b| {
            let n = count[b];
            CalibrationBin {
                lo: b as f64 * w,
                hi: if b + 1 == bins {
                    1.0
                } else {
                    (b + 1) as f64 * w
                },
                count: n,
                hits: hits[b],
                mean_forecast: (n > 0).then(|| sum[b] / n as f64),
                observed: (n > 0).then(|| hits[b] as f64 / n as f64),
                wilson95: wilson95(hits[b], n),
            }
        })
        .collect())
}

/// A forecast of a continuous issue outcome: median and central 50 % and 90 % bands.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct IssueForecast {
    /// The median.
    pub median: f64,
    /// The 25th and 75th percentiles.
    pub band50: (f64, f64),
    /// The 5th and 95th percentiles.
    pub band90: (f64, f64),
}

/// The error of one issue forecast.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct IssueError {
    /// |median − realised|.
    pub abs_error: f64,
    /// The realised value lies in the 50 % band (inclusive).
    pub in_50: bool,
    /// The realised value lies in the 90 % band (inclusive).
    pub in_90: bool,
}

/// Errors over a set of issue forecasts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct IssueSummary {
    /// Number of forecasts.
    pub n: usize,
    /// Mean absolute error of the medians.
    pub mae: f64,
    /// Share of realised values inside the 50 % band (nominal 0.5).
    pub coverage_50: f64,
    /// Share inside the 90 % band (nominal 0.9).
    pub coverage_90: f64,
}

/// The error of `forecast` given the realised value.
pub fn issue_error(forecast: &IssueForecast, realised: f64) -> Result<IssueError, ScoreError> {
    issue_error_at(forecast, realised, 0)
}

fn issue_error_at(f: &IssueForecast, x: f64, index: usize) -> Result<IssueError, ScoreError> {
    let q = [f.band90.0, f.band50.0, f.median, f.band50.1, f.band90.1];
    if !x.is_finite() || q.iter().any(|v| !v.is_finite()) || q.windows(2).any(|w| w[0] > w[1]) {
        return Err(ScoreError::BadIssue { index });
    }
    Ok(IssueError {
        abs_error: (f.median - x).abs(),
        in_50: f.band50.0 <= x && x <= f.band50.1,
        in_90: f.band90.0 <= x && x <= f.band90.1,
    })
}

/// Mean absolute error and band coverage of (forecast, realised value) pairs.
pub fn issue_summary(pairs: &[(IssueForecast, f64)]) -> Result<IssueSummary, ScoreError> {
    if pairs.is_empty() {
        return Err(ScoreError::Empty);
    }
    let (mut sum, mut c50, mut c90) = (0.0, 0usize, 0usize);
    for (i, (f, x)) in pairs.iter().enumerate() {
        let e = issue_error_at(f, *x, i)?;
        sum += e.abs_error;
        c50 += usize::from(e.in_50);
        c90 += usize::from(e.in_90);
    }
    let n = pairs.len() as f64;
    Ok(IssueSummary {
        n: pairs.len(),
        mae: sum / n,
        coverage_50: c50 as f64 / n,
        coverage_90: c90 as f64 / n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three occasions over three categories.
    fn example() -> (Vec<Vec<f64>>, Vec<usize>) {
        (
            vec![
                vec![0.7, 0.2, 0.1],
                vec![0.5, 0.5, 0.0],
                vec![0.2, 0.6, 0.2],
            ],
            vec![0, 2, 1],
        )
    }

    #[test]
    fn brier_and_skill_by_hand() {
        let (f, o) = example();
        // Occasion 1, realised 0: (0.7 − 1)² + 0.2² + 0.1² = 0.09 + 0.04 + 0.01 = 0.14.
        // Occasion 2, realised 2: 0.5² + 0.5² + (0 − 1)² = 0.25 + 0.25 + 1 = 1.5.
        // Occasion 3, realised 1: 0.2² + (0.6 − 1)² + 0.2² = 0.04 + 0.16 + 0.04 = 0.24.
        // Mean = 1.88/3 = 0.626666…
        let b = brier(&f, &o).unwrap();
        assert!((b - 1.88 / 3.0).abs() < 1e-12, "{b}");
        // Uniform reference for K = 3: (1 − 1/3)² + 2·(1/3)² = 4/9 + 2/9 = 2/3.
        assert!((uniform_brier(3) - 2.0 / 3.0).abs() < 1e-15);
        // Skill = 1 − 0.626666…/0.666666… = 1 − 0.94 = 0.06.
        assert!((brier_skill(&f, &o).unwrap() - 0.06).abs() < 1e-12);
        // A perfect forecast scores 0 and skill 1; the worst scores 2.
        let perfect = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        assert_eq!(brier(&perfect, &[1, 0]).unwrap(), 0.0);
        assert_eq!(brier_skill(&perfect, &[1, 0]).unwrap(), 1.0);
        assert_eq!(brier(&perfect, &[0, 1]).unwrap(), 2.0);
    }

    #[test]
    fn log_score_by_hand() {
        let (f, o) = example();
        // Floor for N = 1000 draws: 1/2000 = 0.0005.
        let floor = log_floor(1000);
        assert_eq!(floor, 0.0005);
        // −ln 0.7 = 0.3566749439, −ln max(0, 0.0005) = 7.6009024595, −ln 0.6 = 0.5108256238;
        // sum 8.4684030272, mean 2.8228010091.
        let s = log_score(&f, &o, floor).unwrap();
        assert!((s - 2.822_801_009_1).abs() < 1e-9, "{s}");
        assert!(matches!(
            log_score(&f, &o, 0.0),
            Err(ScoreError::BadFloor(_))
        ));
        let all = score(&f, &o, floor).unwrap();
        assert!((all.half_brier - 0.94 / 3.0).abs() < 1e-12);
        assert_eq!((all.occasions, all.categories), (3, 3));
        assert_eq!(all.log_score, s);
    }

    #[test]
    fn calibration_by_hand() {
        let (f, o) = example();
        // 4 bins of width 0.25. Binary forecasts (p, hit):
        // (0.7,1) (0.2,0) (0.1,0) | (0.5,0) (0.5,0) (0.0,1) | (0.2,0) (0.6,1) (0.2,0).
        // Bin [0, 0.25): 0.2, 0.1, 0.0, 0.2, 0.2 → count 5, mean 0.7/5 = 0.14, hits 1 → 0.2.
        // Bin [0.5, 0.75): 0.7, 0.5, 0.5, 0.6 → count 4, mean 2.3/4 = 0.575, hits 2 → 0.5.
        let t = calibration(&f, &o, 4).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!((t[0].count, t[0].hits), (5, 1));
        assert!((t[0].mean_forecast.unwrap() - 0.14).abs() < 1e-12);
        assert_eq!(t[0].observed, Some(0.2));
        // Wilson 95 % for 1/5: (0.0362, 0.6245).
        let (lo, hi) = t[0].wilson95.unwrap();
        assert!(
            (lo - 0.0362).abs() < 1e-4 && (hi - 0.6245).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert_eq!((t[1].count, t[1].observed, t[1].wilson95), (0, None, None));
        assert_eq!((t[2].count, t[2].hits), (4, 2));
        assert!((t[2].mean_forecast.unwrap() - 0.575).abs() < 1e-12);
        assert_eq!(t[3].count, 0);
        assert_eq!((t[3].lo, t[3].hi), (0.75, 1.0));
        assert!(matches!(calibration(&f, &o, 0), Err(ScoreError::NoBins)));
    }

    #[test]
    fn issue_errors_by_hand() {
        let a = IssueForecast {
            median: 50.0,
            band50: (40.0, 60.0),
            band90: (20.0, 80.0),
        };
        let b = IssueForecast {
            median: 10.0,
            band50: (5.0, 12.0),
            band90: (0.0, 30.0),
        };
        // a: realised 65 → |50 − 65| = 15, outside [40, 60], inside [20, 80].
        let e = issue_error(&a, 65.0).unwrap();
        assert_eq!((e.abs_error, e.in_50, e.in_90), (15.0, false, true));
        // b: realised 11 → error 1, inside both. MAE (15 + 1)/2 = 8, coverage 1/2 and 2/2.
        let s = issue_summary(&[(a, 65.0), (b, 11.0)]).unwrap();
        assert_eq!(
            (s.n, s.mae, s.coverage_50, s.coverage_90),
            (2, 8.0, 0.5, 1.0)
        );
        let bad = IssueForecast { median: 70.0, ..a };
        assert!(matches!(
            issue_summary(&[(a, 1.0), (bad, 1.0)]),
            Err(ScoreError::BadIssue { index: 1 })
        ));
        assert!(matches!(issue_summary(&[]), Err(ScoreError::Empty)));
    }

    #[test]
    fn invalid_forecasts_are_errors() {
        let (f, o) = example();
        assert!(matches!(
            brier(&f, &o[..2]),
            Err(ScoreError::Lengths { .. })
        ));
        assert!(matches!(brier(&[], &[]), Err(ScoreError::Empty)));
        assert!(matches!(
            brier(&f, &[0, 3, 1]),
            Err(ScoreError::Outcome { occasion: 1, .. })
        ));
        let unnorm = vec![vec![0.5, 0.4]];
        assert!(matches!(
            brier(&unnorm, &[0]),
            Err(ScoreError::NotNormalised { .. })
        ));
        let neg = vec![vec![1.5, -0.5]];
        assert!(matches!(
            brier(&neg, &[0]),
            Err(ScoreError::BadProbability { category: 0, .. })
        ));
        let nan = vec![vec![f64::NAN, 1.0]];
        assert!(brier(&nan, &[0]).is_err());
        let ragged = vec![vec![0.5, 0.5], vec![1.0, 0.0, 0.0]];
        assert!(matches!(
            brier(&ragged, &[0, 0]),
            Err(ScoreError::Categories { occasion: 1, .. })
        ));
        let single = vec![vec![1.0]];
        assert!(matches!(
            brier(&single, &[0]),
            Err(ScoreError::Categories { .. })
        ));
    }
}
