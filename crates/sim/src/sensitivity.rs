//! Sensitivity of model outputs to uncertain parameters: variance-based Sobol indices over the
//! unit hypercube, and a one-at-a-time tornado.
//!
//! Sobol indices (I. M. Sobol′ (2001), "Global sensitivity indices for nonlinear mathematical
//! models and their Monte Carlo estimates", *Math. Comput. Simul.* 55) are estimated from two
//! independent n×d matrices A and B of uniforms and the d matrices A_B^i (A with column i taken
//! from B), n·(d + 2) model evaluations in all:
//! - first order, the estimator of A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto &
//!   S. Tarantola (2010), "Variance based sensitivity analysis of model output. Design and
//!   estimator for the total sensitivity index", *Comput. Phys. Commun.* 181(2), 259–270,
//!   Table 2 (b): V_i ≈ (1/n) Σ_j f(B)_j · (f(A_B^i)_j − f(A)_j);
//! - total, the estimator of M. J. W. Jansen (1999), "Analysis of variance designs for model
//!   output", *Comput. Phys. Commun.* 117, 35–43 (Saltelli et al. 2010, Table 2 (f)):
//!   V_Ti ≈ (1/2n) Σ_j (f(A)_j − f(A_B^i)_j)²;
//! - S_i = V_i / V and S_Ti = V_Ti / V with V the variance of the 2n outputs f(A), f(B).
//!   Outputs are centred on their sample mean before the first-order product (this leaves the
//!   estimator's expectation unchanged and reduces its variance when the mean is large).
//!
//! Confidence intervals are percentile bootstrap intervals (B. Efron & R. Tibshirani (1993),
//! *An Introduction to the Bootstrap*, ch. 13) over resampled rows j, as in G. Archer,
//! A. Saltelli & I. Sobol′ (1997), "Sensitivity measures, ANOVA-like techniques and the use of
//! bootstrap", *J. Stat. Comput. Simul.* 58. Reference values for the test function of
//! T. Ishigami & T. Homma (1990) are in Saltelli et al. (2010) / the SALib documentation.
//!
//! Neither estimator is bounded: on a small design, or an output that varies in few runs (a rare
//! scenario), an estimate can fall below 0 or above 1. Nothing is clamped: each estimate comes
//! with its bootstrap interval, and [`Estimate::text`] marks one outside [0, 1] (explained by
//! [`OUTSIDE_UNIT_NOTE`]) wherever indices are shown.
//!
//! Reproducibility: row j's uniforms come from [`crate::stream::draw_rng`]`(seed, j)` and bootstrap
//! replicate k from [`crate::stream::aux_rng`]`(seed, k)`; rows and replicates are evaluated in
//! parallel into indexed buffers and reduced sequentially, so results are bit-identical on any
//! number of threads. Memory: n·(d + 2)·m doubles for m outputs.

use leverage_case::Dist;
use rand::Rng;
use rayon::prelude::*;
use thiserror::Error;

use crate::sample::quantile;
use crate::stream::{aux_rng, draw_rng, fill_uniforms};

/// What can go wrong in a sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SensitivityError {
    /// Sobol needs d ≥ 1 and n ≥ 2.
    #[error("Sobol indices need d ≥ 1 inputs and n ≥ 2 rows (got d = {d}, n = {n})")]
    TooSmall {
        /// Inputs.
        d: usize,
        /// Rows.
        n: usize,
    },
    /// The model returned a different number of outputs than on the first evaluation.
    #[error("the model returned {got} outputs, expected {expected}")]
    OutputCount {
        /// Expected.
        expected: usize,
        /// Got.
        got: usize,
    },
    /// The model returned a NaN or infinite output.
    #[error("output {output} is not finite (row or parameter {at})")]
    NonFinite {
        /// Which output.
        output: usize,
        /// The row (Sobol) or parameter (tornado) being evaluated.
        at: usize,
    },
    /// Names, low and high values must have one entry per parameter.
    #[error("{names} names, {low} low and {high} high values: need one each per parameter")]
    Lengths {
        /// Number of names.
        names: usize,
        /// Number of low values.
        low: usize,
        /// Number of high values.
        high: usize,
    },
    /// A requested percentile is outside (0, 1) or a distribution is invalid.
    #[error("cannot take percentile {q} of distribution {index}")]
    BadPercentile {
        /// The distribution.
        index: usize,
        /// The percentile.
        q: f64,
    },
}

/// An index estimate with its bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// The 95 % percentile bootstrap interval, if bootstrap replicates were requested.
    pub ci95: Option<(f64, f64)>,
}

/// The note that goes with estimates marked by [`Estimate::text`] as outside [0, 1].
pub const OUTSIDE_UNIT_NOTE: &str = "† outside [0, 1], where every Sobol index lies: at this \
    design size the estimate is Monte Carlo noise (its 95 % interval shows how much; a rare \
    outcome has a small variance and the noisiest indices). Nothing is clamped; more Sobol \
    rows narrow the intervals.";

impl Estimate {
    /// Whether the point estimate lies outside [0, 1]. Every Sobol index lies in [0, 1]; the
    /// estimators are unbiased, not bounded, so an estimate outside it is sampling noise.
    pub fn outside_unit(&self) -> bool {
        !(0.0..=1.0).contains(&self.value)
    }

    /// `0.123 (0.100–0.150)`, with a `†` after an estimate outside [0, 1] (see
    /// [`OUTSIDE_UNIT_NOTE`]).
    pub fn text(&self) -> String {
        let mark = if self.outside_unit() { " †" } else { "" };
        match self.ci95 {
            Some((lo, hi)) => format!("{:.3}{mark} ({lo:.3}–{hi:.3})", self.value),
            None => format!("{:.3}{mark}", self.value),
        }
    }
}

/// Sobol indices of one output.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SobolOutput {
    /// Sample mean of f(A) and f(B).
    pub mean: f64,
    /// Sample variance (divisor 2n) of f(A) and f(B).
    pub variance: f64,
    /// True if the output was the same in every evaluation; its indices are then all 0.
    pub constant: bool,
    /// First-order indices S_i, one per input.
    pub first: Vec<Estimate>,
    /// Total indices S_Ti, one per input.
    pub total: Vec<Estimate>,
}

/// The result of [`sobol`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SobolResult {
    /// Number of inputs.
    pub d: usize,
    /// Number of rows of A and B.
    pub n: usize,
    /// Number of model evaluations, n·(d + 2).
    pub evaluations: usize,
    /// Number of bootstrap replicates.
    pub bootstrap: usize,
    /// One entry per model output.
    pub outputs: Vec<SobolOutput>,
}

/// Raw (unnormalised) estimates for one output over a set of rows.
struct Raw {
    mean: f64,
    var: f64,
    vi: Vec<f64>,
    vti: Vec<f64>,
}

/// Evaluations of one row: f(A), f(B), f(A_B^1), …, f(A_B^d), each m outputs, flattened.
fn raw_estimates(evals: &[Vec<f64>], rows: &[usize], d: usize, m: usize, k: usize) -> Raw {
    let n = rows.len() as f64;
    let at = |j: usize, block: usize| evals[j][block * m + k];
    let mut sum = 0.0;
    for &j in rows {
        sum += at(j, 0) + at(j, 1);
    }
    let mean = sum / (2.0 * n);
    let mut var = 0.0;
    for &j in rows {
        let (a, b) = (at(j, 0) - mean, at(j, 1) - mean);
        var += a * a + b * b;
    }
    var /= 2.0 * n;
    let mut vi = vec![0.0; d];
    let mut vti = vec![0.0; d];
    for &j in rows {
        let fa = at(j, 0) - mean;
        let fb = at(j, 1) - mean;
        for i in 0..d {
            let fab = at(j, 2 + i) - mean;
            vi[i] += fb * (fab - fa);
            vti[i] += (fa - fab) * (fa - fab);
        }
    }
    for i in 0..d {
        vi[i] /= n;
        vti[i] /= 2.0 * n;
    }
    Raw { mean, var, vi, vti }
}

fn ratio(v: f64, var: f64) -> f64 {
    if var > 0.0 { v / var } else { 0.0 }
}

/// The q-quantile of sorted values (linear interpolation between order statistics).
fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let f = pos - i as f64;
    if i + 1 < sorted.len() {
        sorted[i] + f * (sorted[i + 1] - sorted[i])
    } else {
        sorted[i]
    }
}

/// First-order (Saltelli 2010) and total (Jansen 1999) Sobol indices of every output of `model`
/// over the unit hypercube [0, 1]^d, with `bootstrap` percentile-bootstrap replicates (0 for
/// none; 200–1000 is usual).
///
/// `model(x, row)` gets a point of the hypercube and the row index j; the d + 2 points of row j
/// share it, so a stochastic model can seed its own randomness from it (common random numbers).
pub fn sobol<F>(
    d: usize,
    n: usize,
    seed: u64,
    model: F,
    bootstrap: usize,
) -> Result<SobolResult, SensitivityError>
where
    F: Fn(&[f64], u64) -> Vec<f64> + Sync,
{
    if d == 0 || n < 2 {
        return Err(SensitivityError::TooSmall { d, n });
    }
    let rows = sobol_rows(d, 0..n, seed, model)?;
    sobol_estimate(d, seed, rows, bootstrap)
}

/// The evaluations of the design rows `rows` of [`sobol`]: row j is f(A_j), f(B_j), f(A_B^1_j),
/// …, f(A_B^d_j) flattened, each block the model's outputs. A row depends on j and the seed
/// alone, so the rows of one design can be evaluated in parts, anywhere, and put back in row
/// order for [`sobol_estimate`], which then gives what [`sobol`] gives, bit for bit.
pub fn sobol_rows<F>(
    d: usize,
    rows: std::ops::Range<usize>,
    seed: u64,
    model: F,
) -> Result<Vec<Vec<f64>>, SensitivityError>
where
    F: Fn(&[f64], u64) -> Vec<f64> + Sync,
{
    let evals: Vec<(Vec<f64>, usize, Option<usize>)> = rows
        .into_par_iter()
        .map(|j| {
            let mut rng = draw_rng(seed, j as u64);
            let mut ab = vec![0.0; 2 * d];
            fill_uniforms(&mut rng, &mut ab);
            let (a, b) = ab.split_at(d);
            let mut out = model(a, j as u64);
            let m = out.len();
            let mut ragged = None;
            let mut push = |out: &mut Vec<f64>, v: Vec<f64>| {
                if v.len() != m && ragged.is_none() {
                    ragged = Some(v.len());
                }
                out.extend(v);
            };
            push(&mut out, model(b, j as u64));
            let mut x = a.to_vec();
            for i in 0..d {
                x[i] = b[i];
                push(&mut out, model(&x, j as u64));
                x[i] = a[i];
            }
            (out, m, ragged)
        })
        .collect();
    let Some(m) = evals.first().map(|e| e.1) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(evals.len());
    for (row, mj, ragged) in evals {
        if let Some(got) = ragged.or((mj != m).then_some(mj)) {
            return Err(SensitivityError::OutputCount { expected: m, got });
        }
        out.push(row);
    }
    Ok(out)
}

/// The indices of [`sobol`] from every row of its design, in row order (as [`sobol_rows`]
/// evaluates them; n is the number of rows).
pub fn sobol_estimate(
    d: usize,
    seed: u64,
    evals: Vec<Vec<f64>>,
    bootstrap: usize,
) -> Result<SobolResult, SensitivityError> {
    let n = evals.len();
    if d == 0 || n < 2 {
        return Err(SensitivityError::TooSmall { d, n });
    }
    let m = evals[0].len() / (d + 2);
    if let Some(row) = evals.iter().find(|r| r.len() != m * (d + 2)) {
        return Err(SensitivityError::OutputCount {
            expected: m,
            got: row.len() / (d + 2),
        });
    }
    for (j, row) in evals.iter().enumerate() {
        if let Some(p) = row.iter().position(|v| !v.is_finite()) {
            return Err(SensitivityError::NonFinite {
                output: p % m.max(1),
                at: j,
            });
        }
    }
    let all: Vec<usize> = (0..n).collect();
    // Bootstrap replicates: resampled row sets, in parallel, collected in replicate order.
    let reps: Vec<Vec<(Vec<f64>, Vec<f64>)>> = (0..bootstrap)
        .into_par_iter()
        .map(|r| {
            let mut rng = aux_rng(seed, r as u64);
            let rows: Vec<usize> = (0..n)
                .map(|_| ((rng.next_u64() as u128 * n as u128) >> 64) as usize)
                .collect();
            (0..m)
                .map(|k| {
                    let raw = raw_estimates(&evals, &rows, d, m, k);
                    (
                        raw.vi.iter().map(|v| ratio(*v, raw.var)).collect(),
                        raw.vti.iter().map(|v| ratio(*v, raw.var)).collect(),
                    )
                })
                .collect()
        })
        .collect();
    let mut outputs = Vec::with_capacity(m);
    for k in 0..m {
        let first_value = evals[0][k];
        let constant = evals
            .iter()
            .all(|row| (0..d + 2).all(|blk| row[blk * m + k] == first_value));
        let raw = raw_estimates(&evals, &all, d, m, k);
        let ci = |vals: &mut Vec<f64>| -> Option<(f64, f64)> {
            if vals.is_empty() {
                return None;
            }
            vals.sort_by(f64::total_cmp);
            Some((sorted_quantile(vals, 0.025), sorted_quantile(vals, 0.975)))
        };
        let mut first = Vec::with_capacity(d);
        let mut total = Vec::with_capacity(d);
        for i in 0..d {
            if constant {
                let ci95 = (bootstrap > 0).then_some((0.0, 0.0));
                first.push(Estimate { value: 0.0, ci95 });
                total.push(Estimate { value: 0.0, ci95 });
                continue;
            }
            let mut fs: Vec<f64> = reps.iter().map(|rep| rep[k].0[i]).collect();
            let mut ts: Vec<f64> = reps.iter().map(|rep| rep[k].1[i]).collect();
            first.push(Estimate {
                value: ratio(raw.vi[i], raw.var),
                ci95: ci(&mut fs),
            });
            total.push(Estimate {
                value: ratio(raw.vti[i], raw.var),
                ci95: ci(&mut ts),
            });
        }
        outputs.push(SobolOutput {
            mean: if constant { first_value } else { raw.mean },
            variance: if constant { 0.0 } else { raw.var },
            constant,
            first,
            total,
        });
    }
    Ok(SobolResult {
        d,
        n,
        evaluations: n * (d + 2),
        bootstrap,
        outputs,
    })
}

/// One parameter's bar in a tornado.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TornadoBar {
    /// Index of the parameter.
    pub param: usize,
    /// Its name.
    pub name: String,
    /// The parameter's low value.
    pub low_value: f64,
    /// The parameter's high value.
    pub high_value: f64,
    /// The output with the parameter at its low value (others at baseline).
    pub output_low: f64,
    /// The output with the parameter at its high value.
    pub output_high: f64,
    /// |output_high − output_low|.
    pub swing: f64,
}

/// The tornado of one output: bars sorted by decreasing swing (ties by parameter index).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tornado {
    /// Index of the output.
    pub output: usize,
    /// The output at the baseline.
    pub baseline: f64,
    /// The bars, widest first.
    pub bars: Vec<TornadoBar>,
}

/// The `lo_q` and `hi_q` quantiles of each distribution (e.g. 0.1 and 0.9), for the low and
/// high values of a tornado.
pub fn percentile_bounds(
    dists: &[Dist],
    lo_q: f64,
    hi_q: f64,
) -> Result<(Vec<f64>, Vec<f64>), SensitivityError> {
    let mut lo = Vec::with_capacity(dists.len());
    let mut hi = Vec::with_capacity(dists.len());
    for (index, d) in dists.iter().enumerate() {
        for (q, out) in [(lo_q, &mut lo), (hi_q, &mut hi)] {
            let v = quantile(d, q);
            if !(q > 0.0 && q < 1.0 && v.is_finite()) {
                return Err(SensitivityError::BadPercentile { index, q });
            }
            out.push(v);
        }
    }
    Ok((lo, hi))
}

/// One-at-a-time tornado: `eval(None)` is the baseline, `eval(Some((i, v)))` the outputs with
/// parameter `i` set to `v` and the others at baseline. Evaluates 2·p + 1 times (sequentially;
/// `eval` may itself run an ensemble in parallel) and returns one [`Tornado`] per output.
pub fn tornado<F>(
    names: &[String],
    low: &[f64],
    high: &[f64],
    mut eval: F,
) -> Result<Vec<Tornado>, SensitivityError>
where
    F: FnMut(Option<(usize, f64)>) -> Vec<f64>,
{
    let p = names.len();
    if low.len() != p || high.len() != p {
        return Err(SensitivityError::Lengths {
            names: p,
            low: low.len(),
            high: high.len(),
        });
    }
    let check = |v: &[f64], m: usize, at: usize| -> Result<(), SensitivityError> {
        if v.len() != m {
            return Err(SensitivityError::OutputCount {
                expected: m,
                got: v.len(),
            });
        }
        match v.iter().position(|x| !x.is_finite()) {
            Some(output) => Err(SensitivityError::NonFinite { output, at }),
            None => Ok(()),
        }
    };
    let base = eval(None);
    let m = base.len();
    check(&base, m, 0)?;
    let mut lows = Vec::with_capacity(p);
    let mut highs = Vec::with_capacity(p);
    for i in 0..p {
        let l = eval(Some((i, low[i])));
        check(&l, m, i)?;
        let h = eval(Some((i, high[i])));
        check(&h, m, i)?;
        lows.push(l);
        highs.push(h);
    }
    Ok((0..m)
        .map(|k| {
            let mut bars: Vec<TornadoBar> = (0..p)
                .map(|i| TornadoBar {
                    param: i,
                    name: names[i].clone(),
                    low_value: low[i],
                    high_value: high[i],
                    output_low: lows[i][k],
                    output_high: highs[i][k],
                    swing: (highs[i][k] - lows[i][k]).abs(),
                })
                .collect();
            bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
            Tornado {
                output: k,
                baseline: base[k],
                bars,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn ishigami(u: &[f64], _row: u64) -> Vec<f64> {
        let (a, b) = (7.0, 0.1);
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        vec![x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()]
    }

    #[test]
    fn ishigami_reference_indices() {
        // Analytic (a = 7, b = 0.1): S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437),
        // V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2 = 13.8446.
        let r = sobol(3, 1 << 14, 2024, ishigami, 200).unwrap();
        assert_eq!(r.evaluations, (1 << 14) * 5);
        let o = &r.outputs[0];
        println!("Ishigami n = 2^14, seed 2024: V = {:.4}", o.variance);
        for i in 0..3 {
            println!(
                "S{} = {:.4} {:?}, ST{} = {:.4} {:?}",
                i + 1,
                o.first[i].value,
                o.first[i].ci95,
                i + 1,
                o.total[i].value,
                o.total[i].ci95
            );
        }
        assert!(!o.constant);
        assert!((o.variance - 13.8446).abs() < 0.4, "V = {}", o.variance);
        let s = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let (f, t) = (o.first[i], o.total[i]);
            // At this n and seed every estimate is within 0.005 of the analytic value.
            assert!((f.value - s[i]).abs() < 0.015, "S{} = {}", i + 1, f.value);
            assert!((t.value - st[i]).abs() < 0.015, "ST{} = {}", i + 1, t.value);
            // The 95 % bootstrap intervals contain the estimate and the analytic value.
            let (lo, hi) = f.ci95.unwrap();
            assert!(lo <= f.value && f.value <= hi && hi - lo < 0.05);
            assert!(lo <= s[i] && s[i] <= hi, "S{} CI ({lo}, {hi})", i + 1);
            let (lo, hi) = t.ci95.unwrap();
            assert!(lo <= t.value && t.value <= hi && hi - lo < 0.05);
            assert!(lo <= st[i] && st[i] <= hi, "ST{} CI ({lo}, {hi})", i + 1);
        }
    }

    #[test]
    fn linear_additive_model() {
        // f = x1 + 2·x2 + 3·x3 + 0·x4 with independent U(0, 1): V_i = c_i²/12,
        // S_i = ST_i = c_i²/Σc² = (1, 4, 9, 0)/14. A second output is constant.
        let f = |u: &[f64], _: u64| vec![u[0] + 2.0 * u[1] + 3.0 * u[2], 5.0];
        let r = sobol(4, 1 << 14, 1, f, 0).unwrap();
        let o = &r.outputs[0];
        assert!((o.variance - 14.0 / 12.0).abs() < 0.03);
        for (i, c2) in [1.0, 4.0, 9.0, 0.0].iter().enumerate() {
            let want = c2 / 14.0;
            assert!((o.first[i].value - want).abs() < 0.02, "S{i}");
            assert!((o.total[i].value - want).abs() < 0.02, "ST{i}");
            assert!(o.first[i].ci95.is_none());
        }
        // x4 has no effect at all: A and A_B^4 give identical outputs, so ST4 is exactly 0.
        assert_eq!(o.total[3].value, 0.0);
        let c = &r.outputs[1];
        assert!(c.constant);
        assert_eq!((c.mean, c.variance), (5.0, 0.0));
        assert!(c.first.iter().chain(&c.total).all(|e| e.value == 0.0));
    }

    #[test]
    fn linear_model_indices_within_their_bootstrap_intervals() {
        // f = x1 + 2·x2 + 3·x3: S_i = ST_i = (1, 4, 9)/14, in range and inside each interval.
        let f = |u: &[f64], _: u64| vec![u[0] + 2.0 * u[1] + 3.0 * u[2]];
        let r = sobol(3, 4096, 11, f, 300).unwrap();
        let o = &r.outputs[0];
        for (i, c2) in [1.0, 4.0, 9.0].iter().enumerate() {
            let want = c2 / 14.0;
            for e in [o.first[i], o.total[i]] {
                let (lo, hi) = e.ci95.unwrap();
                assert!(
                    lo <= want && want <= hi,
                    "index {i}: {want} not in ({lo}, {hi})"
                );
                assert!(!e.outside_unit(), "{e:?}");
                assert!(!e.text().contains('†'));
            }
        }
    }

    #[test]
    fn noisy_estimates_are_marked_not_clamped() {
        // A rare outcome (1 % of the cube) on a small design: indices outside [0, 1] appear,
        // are kept as estimated and marked.
        let f = |u: &[f64], _: u64| vec![f64::from(u8::from(u[0] > 0.9 && u[1] > 0.9))];
        let r = sobol(4, 40, 5, f, 100).unwrap();
        let all: Vec<Estimate> = r.outputs[0]
            .first
            .iter()
            .chain(&r.outputs[0].total)
            .copied()
            .collect();
        let out: Vec<&Estimate> = all.iter().filter(|e| e.outside_unit()).collect();
        assert!(!out.is_empty(), "{all:?}");
        for e in out {
            assert!(e.text().contains('†'), "{}", e.text());
        }
        let e = Estimate {
            value: -0.25,
            ci95: Some((-0.5, 0.1)),
        };
        assert_eq!(e.text(), "-0.250 † (-0.500–0.100)");
    }

    fn bits(r: &SobolResult) -> Vec<u64> {
        let mut v = Vec::new();
        for o in &r.outputs {
            v.push(o.mean.to_bits());
            v.push(o.variance.to_bits());
            for e in o.first.iter().chain(&o.total) {
                v.push(e.value.to_bits());
                let (lo, hi) = e.ci95.unwrap();
                v.push(lo.to_bits());
                v.push(hi.to_bits());
            }
        }
        v
    }

    #[test]
    fn sobol_is_thread_count_independent() {
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| sobol(3, 4096, 9, ishigami, 50).unwrap())
        };
        assert_eq!(bits(&run(1)), bits(&run(2)));
    }

    #[test]
    fn sobol_rejects_bad_input() {
        assert!(matches!(
            sobol(0, 10, 0, ishigami, 0),
            Err(SensitivityError::TooSmall { .. })
        ));
        let ragged = |u: &[f64], _: u64| vec![0.0; if u[0] < 0.5 { 1 } else { 2 }];
        assert!(matches!(
            sobol(1, 100, 0, ragged, 0),
            Err(SensitivityError::OutputCount { .. })
        ));
        let nan = |u: &[f64], _: u64| vec![u[0].ln() * 0.0 / u[0].floor()];
        assert!(matches!(
            sobol(1, 100, 0, nan, 0),
            Err(SensitivityError::NonFinite { .. })
        ));
    }

    #[test]
    fn tornado_orders_bars_by_swing() {
        // y0 = 10 + 2a − 5b + c², y1 = a·b; baseline a = 1, b = 2, c = 0.
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let low = [0.0, 1.0, -3.0];
        let high = [2.0, 4.0, 1.0];
        let mut calls = 0;
        let t = tornado(&names, &low, &high, |set| {
            calls += 1;
            let mut x = [1.0, 2.0, 0.0];
            if let Some((i, v)) = set {
                x[i] = v;
            }
            vec![10.0 + 2.0 * x[0] - 5.0 * x[1] + x[2] * x[2], x[0] * x[1]]
        })
        .unwrap();
        assert_eq!(calls, 7);
        // Output 0: baseline 10 + 2 − 10 = 2. a: 10 + 0 − 10 = 0, 10 + 4 − 10 = 4,
        // swing 4; b: 10 + 2 − 5 = 7, 10 + 2 − 20 = −8, swing 15; c: 2 + 9 = 11, 2 + 1 = 3,
        // swing 8. Order b, c, a.
        assert_eq!(t[0].baseline, 2.0);
        let order: Vec<&str> = t[0].bars.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(order, ["b", "c", "a"]);
        assert_eq!(
            (
                t[0].bars[0].output_low,
                t[0].bars[0].output_high,
                t[0].bars[0].swing
            ),
            (7.0, -8.0, 15.0)
        );
        assert_eq!(t[0].bars[1].swing, 8.0);
        assert_eq!(t[0].bars[2].swing, 4.0);
        // Output 1 = a·b, baseline 2: a swings 0..4 (4), b swings 1..4 (3), c 0. Order a, b, c.
        let order: Vec<usize> = t[1].bars.iter().map(|b| b.param).collect();
        assert_eq!(order, [0, 1, 2]);
        assert_eq!(t[1].bars[2].swing, 0.0);
        assert!(matches!(
            tornado(&names, &low[..2], &high, |_| vec![0.0]),
            Err(SensitivityError::Lengths { .. })
        ));
    }

    #[test]
    fn percentile_bounds_of_dists() {
        // Uniform(0, 10): 10th and 90th percentiles 1 and 9; Normal(0, 1): ∓1.2815515655446004.
        let dists = [
            Dist::Uniform {
                min: 0.0,
                max: 10.0,
            },
            Dist::Normal { mean: 0.0, sd: 1.0 },
        ];
        let (lo, hi) = percentile_bounds(&dists, 0.1, 0.9).unwrap();
        assert!((lo[0] - 1.0).abs() < 1e-12 && (hi[0] - 9.0).abs() < 1e-12);
        assert!((lo[1] + 1.281_551_565_544_600_4).abs() < 1e-12);
        assert!((hi[1] - 1.281_551_565_544_600_4).abs() < 1e-12);
        assert!(percentile_bounds(&dists, 0.0, 0.9).is_err());
    }
}
