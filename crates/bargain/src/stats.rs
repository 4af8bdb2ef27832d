//! Weighted summaries of positions.

/// Σ wᵢ xᵢ / Σ wᵢ; NaN when the weights sum to zero.
pub fn weighted_mean(x: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total
}

/// The weighted median: the smallest position at which the cumulative weight reaches half the
/// total (the Condorcet winner with linear utility). O(n log n). NaN when the weights sum to zero.
pub fn weighted_median(x: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 || x.is_empty() {
        return f64::NAN;
    }
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut acc = 0.0;
    for &i in &idx {
        acc += w[i];
        // A relative tolerance keeps an exact half from being missed by rounding.
        if acc >= total / 2.0 - 1e-12 * total {
            return x[i];
        }
    }
    x[idx[idx.len() - 1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_median() {
        // Schelling toy example: mean 27.6923, weighted median 20.
        let x = [10.0, 20.0, 60.0];
        let w = [40.0 * 50.0, 100.0 * 80.0, 50.0 * 60.0];
        assert!((weighted_mean(&x, &w) - 27.6923).abs() < 1e-4);
        assert_eq!(weighted_median(&x, &w), 20.0);
        assert!(weighted_median(&[], &[]).is_nan());
    }
}
