//! Small streaming statistics for ensembles: the Wilson score interval of a proportion, a
//! fixed-bin histogram for quantiles of bounded variables, and a mergeable mean/variance.
//!
//! Sources:
//! - Wilson score interval: E. B. Wilson (1927), "Probable inference, the law of succession, and
//!   statistical inference", *JASA* 22(158), 209–212; see also Brown, Cai & DasGupta (2001),
//!   "Interval estimation for a binomial proportion", *Statistical Science* 16(2), 101–133.
//! - Streaming mean and variance: B. P. Welford (1962), "Note on a method for calculating
//!   corrected sums of squares and products", *Technometrics* 4(3), 419–420; the merge of two
//!   partial results is Chan, Golub & LeVeque (1979), "Updating formulae and a pairwise algorithm
//!   for computing sample variances", Stanford CS report STAN-CS-79-773.
//!
//! Reproducibility: the [`Histogram`] holds integer counts, so merging partial histograms gives
//! the same result in any order. [`Moments`] holds floating-point sums; merging in a different
//! order can change the last bits, so a caller that wants identical bytes on any thread count
//! merges the partial results in a fixed order (e.g. by chunk index).

use thiserror::Error;

/// What can go wrong when building or merging the accumulators.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// The histogram range is empty, reversed or not finite.
    #[error("histogram range [{lo}, {hi}] must be finite with lo < hi")]
    BadRange {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// A histogram needs at least one bin.
    #[error("a histogram needs at least one bin")]
    NoBins,
    /// Two histograms with different layouts cannot be merged.
    #[error("cannot merge histograms with different ranges or bin counts")]
    LayoutMismatch,
}

/// The two-sided 95 % normal quantile, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for `successes` out of `n` trials with normal quantile `z`
/// (e.g. [`Z95`] for 95 %).
///
/// Returns `None` when `n == 0`, `successes > n` or `z` is negative or not finite.
/// The interval is `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`, clamped to [0, 1].
pub fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    let (lo, hi) = wilson_share(successes as f64 / n as f64, n as f64, z)?;
    // At the edges the formula gives exactly 0 or 1 in exact arithmetic.
    let lo = if successes == 0 { 0.0 } else { lo };
    let hi = if successes == n { 1.0 } else { hi };
    Some((lo, hi))
}

/// The Wilson score interval of a share `p` on an effective sample size `n` (not necessarily
/// whole: a weighted sample's Kish size), with normal quantile `z`; `None` when `n` is not
/// positive, `p` is outside [0, 1] or `z` is negative or not finite.
pub fn wilson_share(p: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if n.is_nan() || n <= 0.0 || !(0.0..=1.0).contains(&p) || !z.is_finite() || z < 0.0 {
        return None;
    }
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some((
        ((centre - half) / denom).max(0.0),
        ((centre + half) / denom).min(1.0),
    ))
}

/// The 95 % Wilson score interval (z = [`Z95`]).
pub fn wilson95(successes: u64, n: u64) -> Option<(f64, f64)> {
    wilson(successes, n, Z95)
}

/// A fixed-bin histogram on [lo, hi] for streaming quantiles of a bounded variable.
///
/// Values below `lo` are counted in the first bin and values above `hi` in the last (and also
/// in [`Histogram::below`] / [`Histogram::above`]); NaN is counted only in
/// [`Histogram::nan`]. Quantiles are exact to within one bin width for values in range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    lo: f64,
    hi: f64,
    counts: Vec<u64>,
    below: u64,
    above: u64,
    nan: u64,
}

impl Histogram {
    /// An empty histogram of `bins` equal bins on [lo, hi].
    pub fn new(lo: f64, hi: f64, bins: usize) -> Result<Self, StatsError> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(StatsError::BadRange { lo, hi });
        }
        if bins == 0 {
            return Err(StatsError::NoBins);
        }
        Ok(Histogram {
            lo,
            hi,
            counts: vec![0; bins],
            below: 0,
            above: 0,
            nan: 0,
        })
    }

    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        let bins = self.counts.len();
        let i = if x.is_nan() {
            self.nan += 1;
            return;
        } else if x < self.lo {
            self.below += 1;
            0
        } else if x > self.hi {
            self.above += 1;
            bins - 1
        } else {
            let t = (x - self.lo) / (self.hi - self.lo) * bins as f64;
            (t as usize).min(bins - 1)
        };
        self.counts[i] += 1;
    }

    /// Adds the counts of another histogram with the same layout.
    pub fn merge(&mut self, other: &Histogram) -> Result<(), StatsError> {
        if self.lo != other.lo || self.hi != other.hi || self.counts.len() != other.counts.len() {
            return Err(StatsError::LayoutMismatch);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
        self.nan += other.nan;
        Ok(())
    }

    /// The number of non-NaN values added (including the clamped ones).
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The number of values below `lo` (counted in the first bin).
    pub fn below(&self) -> u64 {
        self.below
    }

    /// The number of values above `hi` (counted in the last bin).
    pub fn above(&self) -> u64 {
        self.above
    }

    /// The number of NaN values seen (not in any bin).
    pub fn nan(&self) -> u64 {
        self.nan
    }

    /// The bin counts.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The range [lo, hi] the bins cover.
    pub fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// The `q`-quantile (0 ≤ q ≤ 1), interpolating linearly within the bin where the cumulative
    /// count reaches `q·count`. `None` if the histogram is empty or `q` is outside [0, 1].
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let target = q * total as f64;
        let width = (self.hi - self.lo) / self.counts.len() as f64;
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let next = cum + c;
            if next as f64 >= target {
                let frac = ((target - cum as f64) / c as f64).clamp(0.0, 1.0);
                return Some((self.lo + width * (i as f64 + frac)).min(self.hi));
            }
            cum = next;
        }
        Some(self.hi)
    }
}

/// Streaming count, mean, variance, minimum and maximum (Welford), with merge (Chan et al.).
///
/// NaN values are skipped and counted in [`Moments::nan`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    nan: u64,
}

impl Default for Moments {
    fn default() -> Self {
        Self::new()
    }
}

impl Moments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Moments {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            nan: 0,
        }
    }

    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            self.nan += 1;
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Merges another accumulator into this one. The result depends (in the last bits) on the
    /// order of merges; merge in a fixed order for reproducible bytes.
    pub fn merge(&mut self, other: &Moments) {
        self.nan += other.nan;
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            let nan = self.nan;
            *self = *other;
            self.nan = nan;
            return;
        }
        let na = self.n as f64;
        let nb = other.n as f64;
        let n = na + nb;
        let d = other.mean - self.mean;
        self.mean += d * nb / n;
        self.m2 += other.m2 + d * d * na * nb / n;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The number of (non-NaN) values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The number of NaN values skipped.
    pub fn nan(&self) -> u64 {
        self.nan
    }

    /// The mean, if any value was added.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// The sample variance (divisor n − 1), if at least two values were added.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| self.m2 / (self.n - 1) as f64)
    }

    /// The population variance (divisor n), if any value was added.
    pub fn population_variance(&self) -> Option<f64> {
        (self.n > 0).then(|| self.m2 / self.n as f64)
    }

    /// The smallest value, if any.
    pub fn min(&self) -> Option<f64> {
        (self.n > 0).then_some(self.min)
    }

    /// The largest value, if any.
    pub fn max(&self) -> Option<f64> {
        (self.n > 0).then_some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_reference_values() {
        // Brown, Cai & DasGupta (2001) style check, by hand: k = 10, n = 20, z = 1.96.
        // p = 0.5, z² = 3.8416, denom = 1 + 3.8416/20 = 1.19208,
        // centre = 0.5 + 3.8416/40 = 0.59604,
        // half = 1.96·√(0.25/20 + 3.8416/1600) = 1.96·√(0.0125 + 0.002401) = 1.96·0.122070 = 0.239258,
        // lo = (0.59604 − 0.239258)/1.19208 = 0.29930, hi = (0.59604 + 0.239258)/1.19208 = 0.70070.
        let (lo, hi) = wilson(10, 20, 1.96).unwrap();
        assert!((lo - 0.29930).abs() < 1e-4, "{lo}");
        assert!((hi - 0.70070).abs() < 1e-4, "{hi}");
        // k = 0, n = 10, z = 1.96: lo = 0, hi = z²/n / (1 + z²/n) = 0.38416/1.38416 = 0.27754.
        let (lo, hi) = wilson(0, 10, 1.96).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.277_54).abs() < 1e-4, "{hi}");
        // Symmetry: the interval for n − k is the mirror image.
        let (a, b) = wilson95(3, 17).unwrap();
        let (c, d) = wilson95(14, 17).unwrap();
        assert!((a - (1.0 - d)).abs() < 1e-12 && (b - (1.0 - c)).abs() < 1e-12);
        assert!(wilson95(1, 0).is_none());
        assert!(wilson95(5, 4).is_none());
        assert!(wilson(1, 4, f64::NAN).is_none());
    }

    #[test]
    fn histogram_quantiles_and_clamping() {
        let mut h = Histogram::new(0.0, 10.0, 10).unwrap();
        for i in 0..100 {
            h.add(i as f64 / 10.0 + 0.05); // 10 values in each bin [k, k+1)
        }
        assert_eq!(h.count(), 100);
        // Median: target 50 reached at the end of bin 4 → 5.0.
        assert!((h.quantile(0.5).unwrap() - 5.0).abs() < 1e-12);
        // q = 0.25: target 25 → bin 2, halfway → 2.5.
        assert!((h.quantile(0.25).unwrap() - 2.5).abs() < 1e-12);
        assert_eq!(h.quantile(1.0).unwrap(), 10.0);
        assert!(h.quantile(1.5).is_none());
        h.add(-3.0);
        h.add(99.0);
        h.add(f64::NAN);
        assert_eq!((h.below(), h.above(), h.nan()), (1, 1, 1));
        assert_eq!(h.counts()[0], 11);
        assert_eq!(h.counts()[9], 11);
        assert_eq!(h.count(), 102);
        assert!(Histogram::new(1.0, 1.0, 4).is_err());
        assert!(Histogram::new(0.0, 1.0, 0).is_err());
        assert!(Histogram::new(0.0, f64::INFINITY, 4).is_err());
        assert!(
            Histogram::new(0.0, 10.0, 10)
                .unwrap()
                .quantile(0.5)
                .is_none()
        );
    }

    #[test]
    fn histogram_merge_is_order_independent() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 100.0)
            .collect();
        let mut parts: Vec<Histogram> = (0..4)
            .map(|_| Histogram::new(0.0, 10.0, 50).unwrap())
            .collect();
        for (i, &x) in xs.iter().enumerate() {
            parts[i % 4].add(x);
        }
        let mut a = Histogram::new(0.0, 10.0, 50).unwrap();
        for p in &parts {
            a.merge(p).unwrap();
        }
        let mut b = Histogram::new(0.0, 10.0, 50).unwrap();
        for p in parts.iter().rev() {
            b.merge(p).unwrap();
        }
        let mut whole = Histogram::new(0.0, 10.0, 50).unwrap();
        xs.iter().for_each(|&x| whole.add(x));
        assert_eq!(a, b);
        assert_eq!(a, whole);
        let other = Histogram::new(0.0, 10.0, 49).unwrap();
        assert_eq!(a.merge(&other), Err(StatsError::LayoutMismatch));
    }

    #[test]
    fn moments_match_two_pass_and_merge() {
        // 1..=10: mean 5.5, sample variance Σ(x−5.5)²/9 = 82.5/9 = 9.1666…
        let mut m = Moments::new();
        (1..=10).for_each(|i| m.add(i as f64));
        assert!((m.mean().unwrap() - 5.5).abs() < 1e-12);
        assert!((m.variance().unwrap() - 82.5 / 9.0).abs() < 1e-12);
        assert!((m.population_variance().unwrap() - 8.25).abs() < 1e-12);
        assert_eq!((m.min(), m.max()), (Some(1.0), Some(10.0)));
        let mut a = Moments::new();
        let mut b = Moments::new();
        (1..=3).for_each(|i| a.add(i as f64));
        (4..=10).for_each(|i| b.add(i as f64));
        b.add(f64::NAN);
        a.merge(&b);
        assert!((a.mean().unwrap() - 5.5).abs() < 1e-12);
        assert!((a.variance().unwrap() - 82.5 / 9.0).abs() < 1e-12);
        assert_eq!(a.count(), 10);
        assert_eq!(a.nan(), 1);
        let mut e = Moments::new();
        e.merge(&m);
        assert_eq!(e, m);
        assert!(Moments::new().mean().is_none());
        assert!(Moments::new().variance().is_none());
        // Welford keeps precision with a large offset: values 1e9 + {4, 7, 13, 16} → variance 30.
        let mut big = Moments::new();
        [4.0, 7.0, 13.0, 16.0].iter().for_each(|x| big.add(1e9 + x));
        assert!((big.variance().unwrap() - 30.0).abs() < 1e-6);
    }
}
