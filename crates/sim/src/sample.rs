//! Sampling the case's uncertain parameters: inverse-CDF quantiles of each distribution, and a
//! [`Sampler`] that turns a draw's independent uniforms into parameter values with optional rank
//! correlation through a Gaussian copula.
//!
//! Formulas and sources:
//! - **Beta-PERT** with λ = 4 (Malcolm, Roseboom, Clark & Fazar (1959), "Application of a
//!   technique for research and development program evaluation", *Operations Research* 7(5);
//!   the shape parametrisation of D. Vose (2008), *Risk Analysis*, 3rd ed., §9.1):
//!   α = 1 + 4(mode − min)/(max − min), β = 1 + 4(max − mode)/(max − min), scaled to [min, max];
//!   mean (min + 4·mode + max)/6.
//! - **Beta quantile**: the regularised incomplete beta function Iₓ(α, β) of `statrs`
//!   (continued fraction) inverted by Newton's method safeguarded by bisection. The exact
//!   inversion costs microseconds, so a [`Marginal`] built once per distribution tabulates the
//!   quantile function: 1024 equal steps in u on [1/16, 15/16], and in each tail 256 equal steps
//!   of ln Q against ln u down to u = 2⁻⁶⁰ (nearly linear there, since Q ∝ u^(1/α) near 0; the
//!   upper tail through Q_{α,β}(u) = 1 − Q_{β,α}(1 − u)). Both are monotone cubic Hermite splines
//!   with exact node derivatives (Q′(u) = 1/f(Q(u))), limited by Fritsch & Carlson (1980),
//!   "Monotone piecewise cubic interpolation", *SIAM J. Numer. Anal.* 17(2); beyond 2⁻⁶⁰ from
//!   either end it inverts exactly. Measured accuracy (test `beta_table_accuracy`, against the
//!   exact inversion on 20 000 points plus the far tails): absolute error ≤ 5·10⁻⁹ of
//!   (max − min) for PERT shapes and ≤ 10⁻⁸ for beta shapes in [0.5, 20]. Building a table costs
//!   about 1 600 exact inversions (see the `sample` benchmark).
//! - **Normal quantile**: Φ⁻¹(u) = −√2 · erfc⁻¹(2u) and Φ(z) = erfc(−z/√2)/2 with `statrs`'s
//!   error functions (rational approximations after Boost.Math). Measured: Φ⁻¹ agrees with
//!   tables to 1e-13; statrs's `erfc` gives Φ(1.96) with an absolute error of about 1e-12, ample
//!   for a copula.
//! - **Triangular quantile**: the closed form, e.g. J. R. van Dorp & S. Kotz (2002), "A novel
//!   extension of the triangular distribution", *The Statistician* 51(1).
//! - **Choice** (categorical over named options): the value is the option's index, the
//!   generalised inverse of the step CDF over indices in declaration order (the first index
//!   whose cumulative weight exceeds u). The order of the options carries no meaning, so a choice
//!   cannot join a rank-correlation block.
//! - **Rank correlation**: a Gaussian (normal) copula — R. T. Clemen & T. Reilly (1999),
//!   "Correlations and copulas for decision and risk analysis", *Management Science* 45(2).
//!   A Spearman correlation ρ between two margins corresponds to the normal-copula correlation
//!   r = 2 sin(πρ/6) (K. Pearson (1907), "On further methods of determining correlation";
//!   W. Kruskal (1958), *JASA* 53, eq. for the bivariate normal), exactly for continuous margins.
//!   The matrix of r is factored once by Cholesky (error if not positive definite); per draw
//!   ε = Φ⁻¹(u), z = L·ε, u′ = Φ(z), x = Q(u′).

use leverage_case::{Dist, dist_problem};
use rand::Rng;
use statrs::function::beta::{beta_reg, ln_beta};
use statrs::function::erf::{erfc, erfc_inv};
use thiserror::Error;

use crate::stream::open_uniform;

/// What can go wrong when preparing distributions or correlations.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SampleError {
    /// A distribution is invalid.
    #[error("distribution {index} ({name}): {problem}")]
    BadDist {
        /// Index of the distribution in the list.
        index: usize,
        /// Its TOML name.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A buffer has the wrong length.
    #[error("expected {expected} values, got {got}")]
    Length {
        /// The expected length.
        expected: usize,
        /// The given length.
        got: usize,
    },
    /// A correlation block is malformed (not square, asymmetric, diagonal ≠ 1, entry outside
    /// [−1, 1], parameter index out of range or repeated).
    #[error("rank-correlation block {block}: {problem}")]
    BadCorrelation {
        /// Index of the block.
        block: usize,
        /// What is wrong.
        problem: String,
    },
    /// The normal-copula matrix of a block is not positive definite.
    #[error(
        "rank-correlation block {block}: the copula matrix is not positive definite (pivot {pivot})"
    )]
    NotPositiveDefinite {
        /// Index of the block.
        block: usize,
        /// The row where the Cholesky factorisation failed.
        pivot: usize,
    },
}

const SQRT_2: f64 = std::f64::consts::SQRT_2;

/// The standard normal quantile Φ⁻¹(u); ±∞ at u = 0 / 1, NaN outside [0, 1].
#[inline]
pub fn norm_quantile(u: f64) -> f64 {
    if !(0.0..=1.0).contains(&u) {
        return f64::NAN;
    }
    -SQRT_2 * erfc_inv(2.0 * u)
}

/// The standard normal CDF Φ(z).
#[inline]
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// The Beta-PERT shapes (λ = 4) of `min`, `mode`, `max`.
pub fn pert_shapes(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let r = max - min;
    (1.0 + 4.0 * (mode - min) / r, 1.0 + 4.0 * (max - mode) / r)
}

/// The density of Beta(a, b) on [0, 1] at x, given ln B(a, b).
#[inline]
fn beta_pdf(a: f64, b: f64, lnb: f64, x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return match (x <= 0.0, a.partial_cmp(&1.0)) {
            (true, Some(std::cmp::Ordering::Less)) => f64::INFINITY,
            (true, Some(std::cmp::Ordering::Equal)) => (-lnb).exp(),
            (true, _) => 0.0,
            (false, _) => match b.partial_cmp(&1.0) {
                Some(std::cmp::Ordering::Less) => f64::INFINITY,
                Some(std::cmp::Ordering::Equal) => (-lnb).exp(),
                _ => 0.0,
            },
        };
    }
    ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - lnb).exp()
}

/// The quantile of Beta(a, b) on [0, 1] at u (exact to about 1e-14): Newton on Iₓ(a, b) − u,
/// safeguarded by bisection, started at `x0` (clamped into the bracket).
fn beta_quantile_from(a: f64, b: f64, lnb: f64, u: f64, x0: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = if x0 > 0.0 && x0 < 1.0 { x0 } else { 0.5 };
    for _ in 0..200 {
        let f = beta_reg(a, b, x) - u;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let d = beta_pdf(a, b, lnb, x);
        let mut next = x - f / d;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 1e-15 * x.max(1e-300) || hi - lo <= 1e-16 * hi {
            return next;
        }
        x = next;
    }
    x
}

/// The exact quantile of Beta(a, b) on [0, 1].
pub fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() && (0.0..=1.0).contains(&u)) {
        return f64::NAN;
    }
    beta_quantile_sym(a, b, ln_beta(a, b), u)
}

/// Exact beta quantile, solving in the nearer tail: for u > 1/2 through
/// Q_{a,b}(u) = 1 − Q_{b,a}(1 − u), so that u near 1 keeps its precision.
fn beta_quantile_sym(a: f64, b: f64, lnb: f64, u: f64) -> f64 {
    if u > 0.5 {
        1.0 - beta_quantile_from(b, a, lnb, 1.0 - u, b / (a + b))
    } else {
        beta_quantile_from(a, b, lnb, u, a / (a + b))
    }
}

fn triangular_quantile(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let r = max - min;
    let fc = (mode - min) / r;
    if u < fc {
        min + (u * r * (mode - min)).sqrt()
    } else {
        max - ((1.0 - u) * r * (max - mode)).sqrt()
    }
}

/// The quantile (inverse CDF) of `dist` at `u` ∈ [0, 1], computed exactly.
///
/// Returns NaN if the distribution is invalid (see [`leverage_case::dist_problem`]) or `u` is
/// outside [0, 1] or NaN. Beta and PERT invert the incomplete beta function on every call (about
/// a microsecond); for repeated sampling build a [`Marginal`] (or a [`Sampler`]), which
/// tabulates them. Discrete distributions return the smallest value whose cumulative weight
/// reaches `u` (values taken in increasing order), so the quantile is non-decreasing in `u`.
/// A choice returns the index (as a number) of the first option whose cumulative weight exceeds
/// `u`, or for `u` at or beyond the total the last option with a positive weight: option k is
/// drawn for u in [W_{k−1}, W_k), a share of [0, 1) equal to its weight, and never if its
/// weight is 0.
pub fn quantile(dist: &Dist, u: f64) -> f64 {
    if !(0.0..=1.0).contains(&u) || dist_problem(dist).is_some() {
        return f64::NAN;
    }
    match dist {
        Dist::Fixed { value } => *value,
        Dist::Uniform { min, max } => min + u * (max - min),
        Dist::Triangular { min, mode, max } => triangular_quantile(*min, *mode, *max, u),
        Dist::Normal { mean, sd } => mean + sd * norm_quantile(u),
        Dist::Lognormal { mu, sigma } => (mu + sigma * norm_quantile(u)).exp(),
        Dist::Pert { min, mode, max } => {
            let (a, b) = pert_shapes(*min, *mode, *max);
            min + (max - min) * beta_quantile(a, b, u)
        }
        Dist::Beta {
            alpha,
            beta,
            min,
            max,
        } => min + (max - min) * beta_quantile(*alpha, *beta, u),
        Dist::Discrete { values, weights } => {
            // Without allocating: the smallest value v with W(≤ v) ≥ u·W.
            let total: f64 = weights.iter().sum();
            let target = u * total;
            let mut best = f64::NAN;
            for &v in values {
                let cum: f64 = values
                    .iter()
                    .zip(weights)
                    .filter(|(x, _)| **x <= v)
                    .map(|(_, w)| *w)
                    .sum();
                if cum >= target && (best.is_nan() || v < best) {
                    best = v;
                }
            }
            best
        }
        Dist::Choice { weights, .. } => {
            // The first index whose cumulative weight exceeds u·W.
            let target = u * weights.iter().fold(0.0, |a, w| a + w);
            let mut acc = 0.0;
            let mut last = f64::NAN;
            for (k, &w) in weights.iter().enumerate() {
                acc += w;
                if w > 0.0 {
                    if acc > target {
                        return k as f64;
                    }
                    last = k as f64;
                }
            }
            last
        }
    }
}

/// Cumulative weights of a choice, unnormalised: `cum[k]` = w₀ + … + w_k, summed in index order
/// as [`quantile`] sums them, so both pick the same option for every u.
fn choice_cum(weights: &[f64]) -> Vec<f64> {
    weights
        .iter()
        .scan(0.0, |acc, &w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

/// Cells of the central part of a beta quantile table, u ∈ [1/16, 15/16].
pub const BETA_TABLE_CELLS: usize = 1024;
/// Cells of each tail table, ln u ∈ [ln 2⁻⁶⁰, ln(1/16)].
pub const BETA_TAIL_CELLS: usize = 256;
const U_TAIL: f64 = 1.0 / 16.0;
const LN_U_MIN: f64 = -60.0 * std::f64::consts::LN_2;

/// A monotone cubic Hermite interpolant on equal steps of x.
#[derive(Debug, Clone)]
struct Hermite {
    x0: f64,
    inv_dx: f64,
    /// Node values and slopes scaled by the step.
    nodes: Vec<[f64; 2]>,
}

impl Hermite {
    /// From node values `y` and derivatives `dy` at x0 + k·dx; Fritsch–Carlson limited.
    /// `None` if a value is not finite or the values decrease.
    fn new(x0: f64, dx: f64, y: &[f64], dy: &[f64]) -> Option<Self> {
        let n = y.len();
        if y.iter().chain(dy).any(|v| !v.is_finite()) {
            return None;
        }
        let mut m: Vec<f64> = dy.iter().map(|d| d.max(0.0) * dx).collect();
        for k in 0..n - 1 {
            let delta = y[k + 1] - y[k];
            if delta < 0.0 {
                return None;
            }
            if delta == 0.0 {
                m[k] = 0.0;
                m[k + 1] = 0.0;
                continue;
            }
            let (al, be) = (m[k] / delta, m[k + 1] / delta);
            let s = al * al + be * be;
            if s > 9.0 {
                let t = 3.0 / s.sqrt();
                m[k] = t * al * delta;
                m[k + 1] = t * be * delta;
            }
        }
        Some(Hermite {
            x0,
            inv_dx: 1.0 / dx,
            nodes: y.iter().zip(&m).map(|(a, b)| [*a, *b]).collect(),
        })
    }

    #[inline]
    fn eval(&self, x: f64) -> f64 {
        let s = ((x - self.x0) * self.inv_dx).max(0.0);
        let k = (s as usize).min(self.nodes.len() - 2);
        let t = (s - k as f64).min(1.0);
        let [y0, m0] = self.nodes[k];
        let [y1, m1] = self.nodes[k + 1];
        let t2 = t * t;
        let t3 = t2 * t;
        (2.0 * t3 - 3.0 * t2 + 1.0) * y0
            + (t3 - 2.0 * t2 + t) * m0
            + (3.0 * t2 - 2.0 * t3) * y1
            + (t3 - t2) * m1
    }
}

/// A tabulated beta quantile function on [0, 1]: a Hermite table in u on the centre, and in
/// the tails tables of ln Q against ln u (nearly linear there, as Q ∝ u^(1/α) near 0), the upper
/// tail through Q_{α,β}(u) = 1 − Q_{β,α}(1 − u). Falls back to the exact inversion for u below
/// 2⁻⁶⁰ from either end, or for every u if the table could not be built (extreme shapes).
#[derive(Debug, Clone)]
struct BetaTable {
    a: f64,
    b: f64,
    lnb: f64,
    tables: Option<(Hermite, Hermite, Hermite)>,
}

/// Exact quantiles of Beta(a, b) at `us` (increasing), each Newton solve started at the last.
fn march(a: f64, b: f64, lnb: f64, us: &[f64]) -> Vec<f64> {
    let mut prev = a / (a + b);
    us.iter()
        .map(|&u| {
            prev = beta_quantile_from(a, b, lnb, u, prev);
            prev
        })
        .collect()
}

/// The lower-tail table of Beta(a, b): ln Q against ln u.
fn tail_table(a: f64, b: f64, lnb: f64) -> Option<Hermite> {
    let n = BETA_TAIL_CELLS;
    let dt = (U_TAIL.ln() - LN_U_MIN) / n as f64;
    // March down from the top of the tail, where the starting guess is good.
    let ts: Vec<f64> = (0..=n).rev().map(|k| LN_U_MIN + k as f64 * dt).collect();
    let us: Vec<f64> = ts.iter().map(|t| t.exp()).collect();
    let mut qs = march(a, b, lnb, &us);
    qs.reverse();
    let (mut y, mut dy) = (Vec::with_capacity(n + 1), Vec::with_capacity(n + 1));
    for (k, &q) in qs.iter().enumerate() {
        if q <= 0.0 {
            return None;
        }
        let u = (LN_U_MIN + k as f64 * dt).exp();
        y.push(q.ln());
        // d ln Q / d ln u = u / (Q f(Q)); 1/a in the limit u → 0.
        let f = beta_pdf(a, b, lnb, q);
        dy.push(if f > 0.0 && f.is_finite() {
            u / (q * f)
        } else {
            1.0 / a
        });
    }
    Hermite::new(LN_U_MIN, dt, &y, &dy)
}

impl BetaTable {
    fn new(a: f64, b: f64) -> Self {
        let lnb = ln_beta(a, b);
        let n = BETA_TABLE_CELLS;
        let h = (1.0 - 2.0 * U_TAIL) / n as f64;
        let us: Vec<f64> = (0..=n).map(|k| U_TAIL + k as f64 * h).collect();
        let xs = march(a, b, lnb, &us);
        let dq: Vec<f64> = xs
            .iter()
            .map(|&x| {
                let f = beta_pdf(a, b, lnb, x);
                if f > 0.0 { 1.0 / f } else { f64::INFINITY }
            })
            .collect();
        let tables = Hermite::new(U_TAIL, h, &xs, &dq)
            .and_then(|c| Some((c, tail_table(a, b, lnb)?, tail_table(b, a, lnb)?)));
        BetaTable { a, b, lnb, tables }
    }

    #[inline]
    fn eval(&self, u: f64) -> f64 {
        let exact = || beta_quantile_sym(self.a, self.b, self.lnb, u);
        let Some((centre, lower, upper)) = &self.tables else {
            return exact();
        };
        if u < U_TAIL {
            let t = u.ln();
            if t < LN_U_MIN {
                return exact();
            }
            lower.eval(t).exp().min(centre.nodes[0][0])
        } else if u > 1.0 - U_TAIL {
            let t = (1.0 - u).ln();
            if t < LN_U_MIN {
                return exact();
            }
            (1.0 - upper.eval(t).exp()).max(centre.nodes[centre.nodes.len() - 1][0])
        } else {
            centre.eval(u)
        }
    }
}

#[derive(Debug, Clone)]
enum Kind {
    Fixed(f64),
    Uniform {
        min: f64,
        width: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    Lognormal {
        mu: f64,
        sigma: f64,
    },
    Beta {
        min: f64,
        width: f64,
        table: BetaTable,
    },
    Discrete {
        values: Vec<f64>,
        cum: Vec<f64>,
    },
    Choice {
        /// Unnormalised cumulative weights (see [`choice_cum`]).
        cum: Vec<f64>,
        /// Their total.
        total: f64,
        /// The last option with a positive weight, for u at or beyond the total.
        last: usize,
    },
}

/// A distribution prepared for fast repeated quantiles (beta and PERT tabulated, discrete
/// values sorted with cumulative weights, a choice's cumulative weights in option order).
#[derive(Debug, Clone)]
pub struct Marginal {
    kind: Kind,
}

impl Marginal {
    /// Prepares `dist`; errors if it is invalid. `index` is only used in the error.
    pub fn new(dist: &Dist, index: usize) -> Result<Self, SampleError> {
        let bad = |problem: String| SampleError::BadDist {
            index,
            name: dist.name(),
            problem,
        };
        if let Some(p) = dist_problem(dist) {
            return Err(bad(p.problem));
        }
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let kind = match dist {
            Dist::Fixed { value } if finite(&[*value]) => Kind::Fixed(*value),
            Dist::Uniform { min, max } if finite(&[*min, *max]) => Kind::Uniform {
                min: *min,
                width: max - min,
            },
            Dist::Triangular { min, mode, max } if finite(&[*min, *mode, *max]) => {
                Kind::Triangular {
                    min: *min,
                    mode: *mode,
                    max: *max,
                }
            }
            Dist::Normal { mean, sd } if finite(&[*mean, *sd]) => Kind::Normal {
                mean: *mean,
                sd: *sd,
            },
            Dist::Lognormal { mu, sigma } if finite(&[*mu, *sigma]) => Kind::Lognormal {
                mu: *mu,
                sigma: *sigma,
            },
            Dist::Pert { min, mode, max } if finite(&[*min, *mode, *max]) => {
                let (a, b) = pert_shapes(*min, *mode, *max);
                Kind::Beta {
                    min: *min,
                    width: max - min,
                    table: BetaTable::new(a, b),
                }
            }
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
            } if finite(&[*alpha, *beta, *min, *max]) => Kind::Beta {
                min: *min,
                width: max - min,
                table: BetaTable::new(*alpha, *beta),
            },
            Dist::Discrete { values, weights } if finite(values) && finite(weights) => {
                let mut pairs: Vec<(f64, f64)> = values
                    .iter()
                    .copied()
                    .zip(weights.iter().copied())
                    .collect();
                pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                let mut vals = Vec::with_capacity(pairs.len());
                let mut cum = Vec::with_capacity(pairs.len());
                for (v, w) in pairs {
                    acc += w;
                    if w > 0.0 {
                        vals.push(v);
                        cum.push(acc / total);
                    }
                }
                if let Some(last) = cum.last_mut() {
                    *last = 1.0;
                }
                Kind::Discrete { values: vals, cum }
            }
            Dist::Choice { weights, .. } if finite(weights) => {
                let cum = choice_cum(weights);
                let total = cum.last().copied().unwrap_or(0.0);
                let last = weights.iter().rposition(|w| *w > 0.0).unwrap_or(0);
                Kind::Choice { cum, total, last }
            }
            _ => return Err(bad("a parameter is not finite".into())),
        };
        Ok(Marginal { kind })
    }

    /// The quantile at `u` (clamped into [0, 1]; NaN gives NaN).
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        if u.is_nan() {
            return f64::NAN;
        }
        let u = u.clamp(0.0, 1.0);
        match &self.kind {
            Kind::Fixed(v) => *v,
            Kind::Uniform { min, width } => min + u * width,
            Kind::Triangular { min, mode, max } => triangular_quantile(*min, *mode, *max, u),
            Kind::Normal { mean, sd } => mean + sd * norm_quantile(u),
            Kind::Lognormal { mu, sigma } => (mu + sigma * norm_quantile(u)).exp(),
            Kind::Beta { min, width, table } => min + width * table.eval(u),
            Kind::Discrete { values, cum } => {
                let i = cum.partition_point(|&c| c < u).min(values.len() - 1);
                values[i]
            }
            Kind::Choice { cum, total, last } => {
                // The first k with cum[k] > u·W: zero-weight options (cum equal to the one
                // before) are never the first, and u·W at or past the last cum gives `last`.
                let i = cum.partition_point(|&c| c <= u * total);
                i.min(*last) as f64
            }
        }
    }
}

/// A rank-correlation block: Spearman correlations between the listed parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct RankCorrelation {
    /// Indices of the parameters (into the sampler's distribution list), all distinct.
    pub params: Vec<usize>,
    /// The Spearman matrix, `params.len()` rows of `params.len()` entries; symmetric, unit
    /// diagonal, entries in [−1, 1].
    pub rho: Vec<Vec<f64>>,
}

#[derive(Debug, Clone)]
struct Block {
    params: Vec<usize>,
    /// Lower-triangular Cholesky factor of the copula matrix, row-major k×k.
    chol: Vec<f64>,
}

/// Maps a draw's vector of independent uniforms to parameter values (see the module docs).
#[derive(Debug, Clone)]
pub struct Sampler {
    marginals: Vec<Marginal>,
    blocks: Vec<Block>,
    independent: Vec<usize>,
}

impl Sampler {
    /// Prepares the distributions and the rank-correlation blocks (disjoint sets of parameters;
    /// parameters in no block are independent).
    pub fn new(dists: &[Dist], correlations: &[RankCorrelation]) -> Result<Self, SampleError> {
        let marginals = dists
            .iter()
            .enumerate()
            .map(|(i, d)| Marginal::new(d, i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut used = vec![false; dists.len()];
        let mut blocks = Vec::with_capacity(correlations.len());
        for (bi, c) in correlations.iter().enumerate() {
            let bad = |problem: String| SampleError::BadCorrelation { block: bi, problem };
            let k = c.params.len();
            if c.rho.len() != k || c.rho.iter().any(|r| r.len() != k) {
                return Err(bad(format!("the matrix is not {k}×{k}")));
            }
            for &p in &c.params {
                if p >= dists.len() {
                    return Err(bad(format!("parameter index {p} is out of range")));
                }
                if used[p] {
                    return Err(bad(format!("parameter {p} appears twice")));
                }
                if let Dist::Choice { .. } = dists[p] {
                    return Err(bad(format!(
                        "parameter {p} is a choice among named options, which has no rank to correlate"
                    )));
                }
                used[p] = true;
            }
            let mut r = vec![0.0; k * k];
            for i in 0..k {
                for j in 0..k {
                    let v = c.rho[i][j];
                    if !(-1.0..=1.0).contains(&v) {
                        return Err(bad(format!("entry ({i}, {j}) = {v} is outside [−1, 1]")));
                    }
                    if i == j && v != 1.0 {
                        return Err(bad(format!("diagonal entry {i} is {v}, not 1")));
                    }
                    if (v - c.rho[j][i]).abs() > 1e-12 {
                        return Err(bad(format!("entries ({i}, {j}) and ({j}, {i}) differ")));
                    }
                    r[i * k + j] = 2.0 * (std::f64::consts::PI * v / 6.0).sin();
                }
            }
            let chol = cholesky(&r, k)
                .map_err(|pivot| SampleError::NotPositiveDefinite { block: bi, pivot })?;
            blocks.push(Block {
                params: c.params.clone(),
                chol,
            });
        }
        let independent = (0..dists.len()).filter(|&i| !used[i]).collect();
        Ok(Sampler {
            marginals,
            blocks,
            independent,
        })
    }

    /// The number of parameters (= uniforms per draw).
    pub fn dim(&self) -> usize {
        self.marginals.len()
    }

    /// The prepared marginal of parameter `i`.
    pub fn marginal(&self, i: usize) -> Option<&Marginal> {
        self.marginals.get(i)
    }

    /// Maps independent uniforms in (0, 1) to parameter values, writing into `out`. Both slices
    /// must have length [`Sampler::dim`]. No allocation.
    pub fn map_uniforms(&self, u: &[f64], out: &mut [f64]) -> Result<(), SampleError> {
        let d = self.dim();
        if u.len() != d || out.len() != d {
            return Err(SampleError::Length {
                expected: d,
                got: if u.len() != d { u.len() } else { out.len() },
            });
        }
        for &i in &self.independent {
            out[i] = self.marginals[i].quantile(u[i]);
        }
        // Φ(z) can round to 0 or 1 for |z| > 8; keep it strictly inside (0, 1).
        const U_MIN: f64 = 1.0 / (1u64 << 54) as f64;
        const U_MAX: f64 = 1.0 - 1.0 / (1u64 << 53) as f64;
        for b in &self.blocks {
            let k = b.params.len();
            for &p in &b.params {
                out[p] = norm_quantile(u[p]);
            }
            // z = L·ε in place: row i needs ε_0..ε_i, so go from the last row up.
            for i in (0..k).rev() {
                let row = &b.chol[i * k..i * k + i + 1];
                let mut z = 0.0;
                for (j, l) in row.iter().enumerate() {
                    z += l * out[b.params[j]];
                }
                out[b.params[i]] = z;
            }
            for &p in &b.params {
                let v = norm_cdf(out[p]).clamp(U_MIN, U_MAX);
                out[p] = self.marginals[p].quantile(v);
            }
        }
        Ok(())
    }

    /// Draws one parameter vector from `rng` into `out` (uses `scratch` for the uniforms; both
    /// of length [`Sampler::dim`]). No allocation.
    pub fn draw<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        scratch: &mut [f64],
        out: &mut [f64],
    ) -> Result<(), SampleError> {
        for u in scratch.iter_mut() {
            *u = open_uniform(rng);
        }
        self.map_uniforms(scratch, out)
    }
}

/// Cholesky factor (row-major lower triangle) of a symmetric k×k matrix; `Err(row)` if a pivot
/// is not positive.
fn cholesky(a: &[f64], k: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[i * k + j];
            for m in 0..j {
                s -= l[i * k + m] * l[j * k + m];
            }
            if i == j {
                if s.is_nan() || s <= 1e-12 {
                    return Err(i);
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::draw_rng;
    use proptest::prelude::*;

    fn pert(min: f64, mode: f64, max: f64) -> Dist {
        Dist::Pert { min, mode, max }
    }

    /// Mean and population variance of `n` draws of a marginal from seed 1.
    fn sample_moments(dist: &Dist, n: usize) -> (f64, f64) {
        let s = Sampler::new(std::slice::from_ref(dist), &[]).unwrap();
        let mut rng = draw_rng(1, 0);
        let (mut scratch, mut out) = ([0.0], [0.0]);
        let mut m = crate::stats::Moments::new();
        for _ in 0..n {
            s.draw(&mut rng, &mut scratch, &mut out).unwrap();
            m.add(out[0]);
        }
        (m.mean().unwrap(), m.population_variance().unwrap())
    }

    fn check_moments(dist: Dist, mean: f64, var: f64) {
        let n = 200_000;
        let (m, v) = sample_moments(&dist, n);
        let se_mean = (var / n as f64).sqrt();
        assert!(
            (m - mean).abs() < 4.0 * se_mean,
            "{dist:?}: mean {m} vs {mean}"
        );
        // Variance: relative tolerance 2 % (SE of a sample variance ≈ var·√((κ−1)/n) < 0.5 %).
        assert!((v - var).abs() < 0.02 * var, "{dist:?}: var {v} vs {var}");
    }

    #[test]
    fn sample_moments_match_analytic() {
        // PERT(0, 2, 10): α = 1 + 4·0.2 = 1.8, β = 4.2; mean (0 + 8 + 10)/6 = 3;
        // var = αβ(max−min)²/((α+β)²(α+β+1)) = 1.8·4.2·100/(36·7) = 3.
        check_moments(pert(0.0, 2.0, 10.0), 3.0, 3.0);
        // Symmetric PERT(−1, 0, 1): α = β = 3, mean 0, var = 9·4/(36·7) = 1/7.
        check_moments(pert(-1.0, 0.0, 1.0), 0.0, 1.0 / 7.0);
        // Beta(2, 5) on [0, 1]: mean 2/7, var 10/(49·8) = 0.025510204.
        check_moments(
            Dist::Beta {
                alpha: 2.0,
                beta: 5.0,
                min: 0.0,
                max: 1.0,
            },
            2.0 / 7.0,
            10.0 / 392.0,
        );
        // Beta(0.5, 0.5) on [10, 20] (arcsine): mean 15, var 100·0.25/(1·2) = 12.5.
        check_moments(
            Dist::Beta {
                alpha: 0.5,
                beta: 0.5,
                min: 10.0,
                max: 20.0,
            },
            15.0,
            12.5,
        );
        // Lognormal(0, 0.5): mean e^{0.125} = 1.1331485, var (e^{0.25} − 1)e^{0.25} = 0.3646958.
        check_moments(
            Dist::Lognormal {
                mu: 0.0,
                sigma: 0.5,
            },
            0.125f64.exp(),
            (0.25f64.exp() - 1.0) * 0.25f64.exp(),
        );
        // Triangular(1, 2, 6): mean 3, var (1 + 4 + 36 − 2 − 6 − 12)/18 = 21/18.
        check_moments(
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 6.0,
            },
            3.0,
            21.0 / 18.0,
        );
        // Normal(5, 2) and Uniform(−1, 3): var 16/12.
        check_moments(Dist::Normal { mean: 5.0, sd: 2.0 }, 5.0, 4.0);
        check_moments(
            Dist::Uniform {
                min: -1.0,
                max: 3.0,
            },
            1.0,
            16.0 / 12.0,
        );
    }

    #[test]
    fn quantile_reference_values() {
        // Φ⁻¹(0.975) = 1.959963984540054, Φ⁻¹(0.001) = −3.090232306167813 (standard tables).
        assert!((norm_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-13);
        assert!((norm_quantile(0.001) + 3.090_232_306_167_813).abs() < 1e-12);
        let c = norm_cdf(1.959_963_984_540_054);
        assert!((c - 0.975).abs() < 1e-11, "{c}");
        // Closed forms: Beta(2, 1) has Q(u) = √u; Beta(1, 3) has Q(u) = 1 − (1 − u)^{1/3}.
        for &u in &[1e-9, 0.001, 0.1, 0.37, 0.5, 0.9, 0.999_999] {
            assert!((beta_quantile(2.0, 1.0, u) - u.sqrt()).abs() < 1e-13, "{u}");
            let q13 = 1.0 - (1.0 - u).powf(1.0 / 3.0);
            assert!((beta_quantile(1.0, 3.0, u) - q13).abs() < 1e-13, "{u}");
            // Round trip through the incomplete beta for a skewed shape.
            let x = beta_quantile(2.5, 7.0, u);
            assert!(
                (beta_reg(2.5, 7.0, x) - u).abs() < 1e-12 * u.max(1e-3),
                "{u}"
            );
        }
        // Symmetric PERT: median is the mode.
        assert!((quantile(&pert(0.0, 5.0, 10.0), 0.5) - 5.0).abs() < 1e-12);
        // Triangular(0, 0, 1): Q(u) = 1 − √(1 − u).
        let tri = Dist::Triangular {
            min: 0.0,
            mode: 0.0,
            max: 1.0,
        };
        assert!((quantile(&tri, 0.75) - 0.5).abs() < 1e-15);
        // Discrete: values 3, 1, 2 with weights 0.2, 0.5, 0.3 → sorted cumulative 0.5, 0.8, 1.
        let disc = Dist::Discrete {
            values: vec![3.0, 1.0, 2.0],
            weights: vec![0.2, 0.5, 0.3],
        };
        assert_eq!(quantile(&disc, 0.4), 1.0);
        assert_eq!(quantile(&disc, 0.6), 2.0);
        assert_eq!(quantile(&disc, 0.81), 3.0);
        let m = Marginal::new(&disc, 0).unwrap();
        assert_eq!(
            (m.quantile(0.4), m.quantile(0.6), m.quantile(0.81)),
            (1.0, 2.0, 3.0)
        );
        // Invalid input → NaN, not a panic.
        assert!(
            quantile(
                &Dist::Normal {
                    mean: 0.0,
                    sd: -1.0
                },
                0.5
            )
            .is_nan()
        );
        assert!(quantile(&pert(0.0, 1.0, 2.0), 1.5).is_nan());
        assert!(quantile(&pert(0.0, 1.0, 2.0), f64::NAN).is_nan());
    }

    #[test]
    fn beta_table_accuracy() {
        // Worst absolute error of the table against the exact inversion over a grid of u that
        // includes the end cells, in units of the [0, 1] support.
        let worst = |a: f64, b: f64| {
            let t = BetaTable::new(a, b);
            let mut w: f64 = 0.0;
            let mut wu = 0.0;
            for i in 0..=20_000 {
                let u = (i as f64 + 0.5) / 20_001.0;
                let e = (t.eval(u) - beta_quantile(a, b, u)).abs();
                if e > w {
                    wu = u;
                }
                w = w.max(e);
            }
            for &u in &[1e-12, 1e-6, 1e-4, 0.9999, 1.0 - 1e-6, 1.0 - 1e-12] {
                w = w.max((t.eval(u) - beta_quantile(a, b, u)).abs());
            }
            println!("Beta({a}, {b}): worst table error {w:.2e} near u = {wu}");
            w
        };
        let mut pert_worst: f64 = 0.0;
        for &m in &[0.0, 0.05, 0.2, 0.5, 0.8, 1.0] {
            let (a, b) = pert_shapes(0.0, m, 1.0);
            pert_worst = pert_worst.max(worst(a, b));
        }
        assert!(pert_worst < 5e-9, "PERT table error {pert_worst}");
        let mut beta_worst: f64 = 0.0;
        for &(a, b) in &[
            (0.5, 0.5),
            (0.5, 3.0),
            (2.0, 5.0),
            (20.0, 2.0),
            (20.0, 20.0),
        ] {
            beta_worst = beta_worst.max(worst(a, b));
        }
        assert!(beta_worst < 1e-8, "beta table error {beta_worst}");
    }

    #[test]
    fn achieved_spearman_matches_target() {
        let dists = vec![
            pert(0.0, 2.0, 10.0),
            Dist::Lognormal {
                mu: 0.0,
                sigma: 1.0,
            },
            Dist::Normal { mean: 0.0, sd: 1.0 },
            Dist::Uniform { min: 0.0, max: 1.0 },
        ];
        let rho = vec![
            vec![1.0, 0.6, -0.4],
            vec![0.6, 1.0, 0.0],
            vec![-0.4, 0.0, 1.0],
        ];
        let s = Sampler::new(
            &dists,
            &[RankCorrelation {
                params: vec![0, 1, 3],
                rho: rho.clone(),
            }],
        )
        .unwrap();
        let n = 100_000;
        let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
        let (mut scratch, mut out) = ([0.0; 4], [0.0; 4]);
        for i in 0..n {
            let mut rng = draw_rng(7, i as u64);
            s.draw(&mut rng, &mut scratch, &mut out).unwrap();
            for j in 0..4 {
                cols[j].push(out[j]);
            }
        }
        let idx = [0, 1, 3];
        for a in 0..3 {
            for b in a + 1..3 {
                let got = spearman(&cols[idx[a]], &cols[idx[b]]);
                assert!(
                    (got - rho[a][b]).abs() < 0.02,
                    "pair ({a},{b}): {got} vs {}",
                    rho[a][b]
                );
            }
        }
        // The independent parameter stays uncorrelated.
        assert!(spearman(&cols[2], &cols[0]).abs() < 0.02);
    }

    fn ranks(x: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut r = vec![0.0; x.len()];
        for (rank, &i) in idx.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    }

    fn spearman(x: &[f64], y: &[f64]) -> f64 {
        let (rx, ry) = (ranks(x), ranks(y));
        let n = x.len() as f64;
        let mean = (n - 1.0) / 2.0;
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in rx.iter().zip(&ry) {
            sxy += (a - mean) * (b - mean);
            sxx += (a - mean) * (a - mean);
            syy += (b - mean) * (b - mean);
        }
        sxy / (sxx * syy).sqrt()
    }

    #[test]
    fn discrete_frequencies() {
        let d = Dist::Discrete {
            values: vec![3.0, 1.0, 2.0, 9.0],
            weights: vec![2.0, 5.0, 3.0, 0.0],
        };
        let s = Sampler::new(&[d], &[]).unwrap();
        let n = 100_000;
        let mut counts = std::collections::BTreeMap::new();
        let (mut scratch, mut out) = ([0.0], [0.0]);
        let mut rng = draw_rng(3, 0);
        for _ in 0..n {
            s.draw(&mut rng, &mut scratch, &mut out).unwrap();
            *counts.entry(out[0] as i64).or_insert(0usize) += 1;
        }
        assert!(!counts.contains_key(&9), "a zero-weight value was drawn");
        for (v, p) in [(1, 0.5), (2, 0.3), (3, 0.2)] {
            let f = counts[&v] as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((f - p).abs() < 4.0 * se, "value {v}: {f} vs {p}");
        }
    }

    fn choice(weights: &[f64]) -> Dist {
        let options = (0..weights.len()).map(|k| format!("o{k}")).collect();
        Dist::choice(options, Some(weights.to_vec()))
    }

    /// How often each index is drawn over the grid u = (i + offset)/n, i = 0 … n − 1.
    fn grid_counts(q: impl Fn(f64) -> f64, k: usize, n: usize, offset: f64) -> Vec<usize> {
        let mut counts = vec![0; k];
        for i in 0..n {
            let x = q((i as f64 + offset) / n as f64);
            assert!(x >= 0.0 && x.fract() == 0.0 && (x as usize) < k, "{x}");
            counts[x as usize] += 1;
        }
        counts
    }

    #[test]
    fn choice_quantile_gives_each_option_its_weight_of_the_unit_interval() {
        let n = 100_000;
        for w in [
            vec![0.5, 0.25, 0.25],
            vec![0.2, 0.0, 0.3, 0.5],
            vec![0.0, 0.6, 0.4, 0.0],
            vec![1.0],
            vec![1.0, 1.0, 1.0],
            vec![0.001, 0.998, 0.001],
        ] {
            let d = choice(&w);
            let Dist::Choice { weights, .. } = &d else {
                unreachable!()
            };
            let m = Marginal::new(&d, 0).unwrap();
            // Left ends and mid-points of the grid cells: the exact quantile and the prepared
            // marginal agree everywhere, and each index takes its weight's share of the cells
            // (to one cell at each boundary).
            for offset in [0.0, 0.5] {
                let exact = grid_counts(|u| quantile(&d, u), w.len(), n, offset);
                let fast = grid_counts(|u| m.quantile(u), w.len(), n, offset);
                assert_eq!(exact, fast, "{w:?}");
                for (k, (&c, &p)) in exact.iter().zip(weights).enumerate() {
                    let f = c as f64 / n as f64;
                    assert!(
                        (f - p).abs() <= 2.0 / n as f64,
                        "{w:?}: option {k}: {f} vs {p}"
                    );
                    if p == 0.0 {
                        assert_eq!(c, 0, "{w:?}: a zero-weight option was drawn");
                    }
                }
            }
        }
    }

    #[test]
    fn choice_quantile_endpoints() {
        let d = choice(&[0.0, 0.5, 0.25, 0.25, 0.0]);
        let m = Marginal::new(&d, 0).unwrap();
        for (u, k) in [
            // u = 0: the first option with a positive weight.
            (0.0, 1.0),
            (1e-300, 1.0),
            // Cumulative weights 0, 0.5, 0.75, 1, 1: a boundary belongs to the next option.
            (0.5 - 1e-12, 1.0),
            (0.5, 2.0),
            (0.75, 3.0),
            (1.0 - 1e-16, 3.0),
            // u = 1 (and beyond the rounded total): the last option with a positive weight.
            (1.0, 3.0),
        ] {
            assert_eq!(quantile(&d, u), k, "exact at {u}");
            assert_eq!(m.quantile(u), k, "marginal at {u}");
        }
        assert!(quantile(&d, 1.5).is_nan());
        assert!(quantile(&d, -0.1).is_nan());
        assert!(m.quantile(f64::NAN).is_nan());
        // Weights that do not sum exactly to 1 in floating point (ten tenths).
        let d = choice(&[0.1; 10]);
        let m = Marginal::new(&d, 0).unwrap();
        assert_eq!((quantile(&d, 0.0), m.quantile(0.0)), (0.0, 0.0));
        assert_eq!((quantile(&d, 1.0), m.quantile(1.0)), (9.0, 9.0));
        // Unnormalised weights (built directly, not through the reader) work the same.
        let raw = Dist::Choice {
            options: vec!["a".into(), "b".into()],
            weights: vec![3.0, 1.0],
        };
        assert_eq!(quantile(&raw, 0.74), 0.0);
        assert_eq!(quantile(&raw, 0.75), 1.0);
        assert_eq!(Marginal::new(&raw, 0).unwrap().quantile(0.75), 1.0);
        // An invalid choice gives NaN or an error, never a panic.
        let bad = choice(&[0.0, 0.0]);
        assert!(quantile(&bad, 0.5).is_nan());
        assert!(matches!(
            Marginal::new(&bad, 3),
            Err(SampleError::BadDist { index: 3, .. })
        ));
    }

    #[test]
    fn choice_frequencies_and_no_rank_correlation() {
        let d = choice(&[0.5, 0.0, 0.2, 0.3]);
        let s = Sampler::new(std::slice::from_ref(&d), &[]).unwrap();
        let n = 100_000;
        let mut counts = [0usize; 4];
        let (mut scratch, mut out) = ([0.0], [0.0]);
        let mut rng = draw_rng(5, 0);
        for _ in 0..n {
            s.draw(&mut rng, &mut scratch, &mut out).unwrap();
            counts[out[0] as usize] += 1;
        }
        assert_eq!(counts[1], 0, "a zero-weight option was drawn");
        for (k, p) in [(0, 0.5), (2, 0.2), (3, 0.3)] {
            let f = counts[k] as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((f - p).abs() < 4.0 * se, "option {k}: {f} vs {p}");
        }
        // A choice cannot be in a rank-correlation block, but sits beside one.
        let dists = vec![pert(0.0, 1.0, 2.0), d, Dist::Normal { mean: 0.0, sd: 1.0 }];
        let block = |params: Vec<usize>| RankCorrelation {
            params,
            rho: vec![vec![1.0, 0.5], vec![0.5, 1.0]],
        };
        assert!(matches!(
            Sampler::new(&dists, &[block(vec![0, 1])]),
            Err(SampleError::BadCorrelation { block: 0, .. })
        ));
        let s = Sampler::new(&dists, &[block(vec![0, 2])]).unwrap();
        let mut out = [0.0; 3];
        s.map_uniforms(&[0.3, 0.6, 0.9], &mut out).unwrap();
        assert_eq!(out[1], 2.0);
    }

    #[test]
    fn sampler_rejects_bad_input() {
        let d = vec![pert(0.0, 1.0, 2.0), Dist::Normal { mean: 0.0, sd: 1.0 }];
        let corr = |rho: Vec<Vec<f64>>, params: Vec<usize>| RankCorrelation { params, rho };
        // ρ = 1 off the diagonal: r = 2 sin(π/6) = 1, singular.
        let e = Sampler::new(
            &d,
            &[corr(vec![vec![1.0, 1.0], vec![1.0, 1.0]], vec![0, 1])],
        );
        assert!(matches!(e, Err(SampleError::NotPositiveDefinite { .. })));
        let e = Sampler::new(
            &d,
            &[corr(vec![vec![1.0, 0.5], vec![0.4, 1.0]], vec![0, 1])],
        );
        assert!(matches!(e, Err(SampleError::BadCorrelation { .. })));
        let e = Sampler::new(
            &d,
            &[corr(vec![vec![1.0, 0.5], vec![0.5, 1.0]], vec![0, 5])],
        );
        assert!(matches!(e, Err(SampleError::BadCorrelation { .. })));
        let e = Sampler::new(
            &d,
            &[corr(vec![vec![1.0, 0.5], vec![0.5, 1.0]], vec![1, 1])],
        );
        assert!(matches!(e, Err(SampleError::BadCorrelation { .. })));
        let e = Sampler::new(&d, &[corr(vec![vec![1.0]], vec![0, 1])]);
        assert!(matches!(e, Err(SampleError::BadCorrelation { .. })));
        // Three pairwise ρ = −0.9 cannot hold together.
        let d3 = vec![Dist::Normal { mean: 0.0, sd: 1.0 }; 3];
        let m = vec![
            vec![1.0, -0.9, -0.9],
            vec![-0.9, 1.0, -0.9],
            vec![-0.9, -0.9, 1.0],
        ];
        let e = Sampler::new(&d3, &[corr(m, vec![0, 1, 2])]);
        assert!(matches!(e, Err(SampleError::NotPositiveDefinite { .. })));
        let e = Sampler::new(&[Dist::Normal { mean: 0.0, sd: 0.0 }], &[]);
        assert!(matches!(e, Err(SampleError::BadDist { index: 0, .. })));
        let e = Sampler::new(
            &[Dist::Uniform {
                min: 0.0,
                max: f64::INFINITY,
            }],
            &[],
        );
        assert!(matches!(e, Err(SampleError::BadDist { .. })));
        let s = Sampler::new(&d, &[]).unwrap();
        let mut out = [0.0; 2];
        assert!(matches!(
            s.map_uniforms(&[0.5], &mut out),
            Err(SampleError::Length { .. })
        ));
    }

    fn arb_dist() -> impl Strategy<Value = Dist> {
        prop_oneof![
            (-100.0..100.0f64, 0.0..1.0f64, 0.01..50.0f64).prop_map(|(min, f, w)| Dist::Pert {
                min,
                mode: min + f * w,
                max: min + w
            }),
            (-100.0..100.0f64, 0.0..1.0f64, 0.01..50.0f64).prop_map(|(min, f, w)| {
                Dist::Triangular {
                    min,
                    mode: min + f * w,
                    max: min + w,
                }
            }),
            (-10.0..10.0f64, 0.01..5.0f64).prop_map(|(mean, sd)| Dist::Normal { mean, sd }),
            (-3.0..3.0f64, 0.01..2.0f64).prop_map(|(mu, sigma)| Dist::Lognormal { mu, sigma }),
            (0.3..30.0f64, 0.3..30.0f64).prop_map(|(alpha, beta)| Dist::Beta {
                alpha,
                beta,
                min: 0.0,
                max: 1.0
            }),
            proptest::collection::vec((-5.0..5.0f64, 0.0..1.0f64), 1..6).prop_map(|vw| {
                let (values, mut weights): (Vec<f64>, Vec<f64>) = vw.into_iter().unzip();
                weights[0] += 0.1;
                Dist::Discrete { values, weights }
            }),
            arb_choice(),
        ]
    }

    /// A choice of 1 to 8 options, some with zero weight, at least one positive.
    fn arb_choice() -> impl Strategy<Value = Dist> {
        proptest::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], 1..8)
            .prop_flat_map(|w| (Just(w.clone()), 0..w.len()))
            .prop_map(|(mut w, k)| {
                w[k] += 0.5;
                choice(&w)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn quantiles_are_monotone(d in arb_dist(), mut us in proptest::collection::vec(0.0..=1.0f64, 2..40)) {
            us.sort_by(f64::total_cmp);
            let m = Marginal::new(&d, 0).unwrap();
            let exact: Vec<f64> = us.iter().map(|&u| quantile(&d, u)).collect();
            let fast: Vec<f64> = us.iter().map(|&u| m.quantile(u)).collect();
            for w in exact.windows(2) {
                prop_assert!(w[0] <= w[1], "exact {:?}", w);
            }
            for w in fast.windows(2) {
                prop_assert!(w[0] <= w[1], "table {:?}", w);
            }
        }

        #[test]
        fn a_choice_draws_an_option_with_positive_weight(d in arb_choice(), us in proptest::collection::vec(0.0..=1.0f64, 1..40)) {
            let Dist::Choice { options, weights } = &d else { unreachable!() };
            let m = Marginal::new(&d, 0).unwrap();
            let s = Sampler::new(std::slice::from_ref(&d), &[]).unwrap();
            for &u in us.iter().chain(&[0.0, 1.0]) {
                let x = quantile(&d, u);
                prop_assert_eq!(x, m.quantile(u), "u = {}", u);
                let mut out = [f64::NAN];
                s.map_uniforms(&[u], &mut out).unwrap();
                prop_assert_eq!(out[0], x);
                prop_assert!(x >= 0.0 && x.fract() == 0.0, "{} at u = {}", x, u);
                let k = x as usize;
                prop_assert!(k < options.len() && weights[k] > 0.0, "option {} of {:?} at u = {}", k, weights, u);
                prop_assert_eq!(d.option_name(x), Some(options[k].as_str()));
            }
        }
    }
}
