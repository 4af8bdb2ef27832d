//! The plain round, kept as a test oracle: an n × n probability matrix built up front, the
//! risk-weighted votes in an actor-major matrix, one allocation per use, scalar loops. It is the
//! pre-optimisation code with two deliberate changes that the optimised round shares: the
//! powers are e^{r ln b} with the crate's `vmath` functions, and the AllPairs denominator is
//! twice the sum of the pairs' supports (by sorted row, then over the rows; the naive O(n³)
//! definition is checked separately in `eu.rs`). The tests in `eu.rs` check that the optimised
//! round gives bit-identical positions and diagnostics on random problems under every option.

use super::*;

/// One round: the new positions and, if asked, the diagnostics.
pub(super) fn one_round(o: &EuOptions, st: &RoundInput, keep: bool) -> (Vec<f64>, Option<EuRound>) {
    let n = st.x.len();
    let x = st.x;
    let trivial = n < 2 || st.range.is_nan() || st.range <= 0.0 || !st.range.is_finite();
    if trivial {
        let diag = keep.then(|| EuRound {
            range: st.range,
            centre: st.centre,
            security: vec![0.0; n],
            risk: vec![1.0; n],
            challenges: vec![vec![stalemate(); n]; n],
            accepted: vec![None; n],
        });
        return (x.to_vec(), diag);
    }
    let range = st.range;
    // First pass, r = 1: probabilities with linear votes, security, risk.
    let p1 = RefProbabilities::new(x, st.w, None, range, o.denominator);
    let sq1 = |c: usize, t: usize| {
        if o.q == 1.0 {
            0.0
        } else {
            status_quo_term(o.q, 1.0, x[c], x[t], st)
        }
    };
    let mut security = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let d = (x[i] - x[j]).abs() / range;
            let u = utilities(d, 1.0);
            match o.security {
                // j challenging i.
                Security::Column => {
                    security[i] += eu(u, p1.get(i, j).1, st.s[i], sq1(j, i));
                }
                Security::Row => {
                    security[i] += eu(u, p1.get(i, j).0, st.s[j], sq1(i, j));
                }
            }
        }
    }
    let (smin, smax) = bounds(&security);
    let risk: Vec<f64> = security
        .iter()
        .map(|&sec| {
            let big_r = if smax > smin {
                (2.0 * sec - smax - smin) / (smax - smin)
            } else {
                0.0
            };
            (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
        })
        .collect();
    // Second pass.
    let p2 = match o.votes {
        VoteUtility::Linear => p1,
        VoteUtility::VoterRisk => RefProbabilities::new(x, st.w, Some(&risk), range, o.denominator),
    };
    // ln(0.5 ∓ 0.5 d_ij), symmetric: computed once per unordered pair.
    let mut logs = vec![(0.0, 0.0); n * n];
    for i in 0..n {
        for j in i + 1..n {
            let d = (x[i] - x[j]).abs() / range;
            let v = (
                vmath::ln((0.5 - 0.5 * d).max(0.0)),
                vmath::ln(0.5 + 0.5 * d),
            );
            logs[i * n + j] = v;
            logs[j * n + i] = v;
        }
    }
    let mut next = x.to_vec();
    let mut accepted = vec![None; n];
    let mut matrix = if keep {
        Vec::with_capacity(n)
    } else {
        Vec::new()
    };
    let mut row = Vec::new();
    for i in 0..n {
        let ri = risk[i];
        let sq_i = u_sq(ri);
        let mut best: Option<Candidate> = None;
        if keep {
            row = Vec::with_capacity(n);
        }
        for j in 0..n {
            if i == j || x[i] == x[j] {
                if keep {
                    row.push(stalemate());
                }
                continue;
            }
            let d = (x[i] - x[j]).abs() / range;
            let (lns, lnf) = logs[i * n + j];
            let ui = Utilities {
                us: 2.0 - 4.0 * vmath::exp(ri * lns),
                uf: 2.0 - 4.0 * vmath::exp(ri * lnf),
            };
            let (pij, pji) = p2.get(i, j);
            let sq_a = if o.q == 1.0 {
                sq_i
            } else {
                status_quo_term(o.q, ri, x[i], x[j], st)
            };
            let a = eu(ui, pij, st.s[j], sq_a);
            let rb = match o.perspective {
                Perspective::OwnRisk => ri,
                Perspective::EachOwn => risk[j],
            };
            let (uj, sq_b) = if rb == ri && o.q == 1.0 {
                (ui, sq_i)
            } else {
                (utilities(d, rb), status_quo_term(o.q, rb, x[j], x[i], st))
            };
            let resist_b = match o.resist_salience {
                ResistSalience::Challenged => st.s[i],
                ResistSalience::AsPrinted => st.s[j],
            };
            let b = eu(uj, pji, resist_b, sq_b);
            let c = classify(o, a, b, x[i], x[j]);
            if let Some(pos) = c.offer {
                let cand = Candidate {
                    class: class_rank(c.relation),
                    proposer: j,
                    pos,
                    a,
                    b,
                };
                best = Some(match best {
                    None => cand,
                    Some(old) => choose(o.offer_choice, old, cand, x[i], x[j], x),
                });
            }
            if keep {
                row.push(c);
            }
        }
        if let Some(b) = best {
            next[i] = b.pos;
            accepted[i] = Some((b.proposer, b.pos));
        }
        if keep {
            matrix.push(std::mem::take(&mut row));
        }
    }
    let diag = keep.then_some(EuRound {
        range,
        centre: st.centre,
        security,
        risk,
        challenges: matrix,
        accepted,
    });
    (next, diag)
}

/// P^i(j) for all ordered pairs, by prefix sums over the actors sorted by position: for each i
/// the others are visited in position order, so the voters left of the midpoint are found by a
/// pointer that only moves forward (O(n²) per pass once sorted).
struct RefProbabilities {
    n: usize,
    /// `p[i * n + j]` = (P^i(j), P^j(i)), actor indices.
    p: Vec<(f64, f64)>,
}

impl RefProbabilities {
    fn new(
        x: &[f64],
        w: &[f64],
        r: Option<&[f64]>,
        range: f64,
        den: ProbabilityDenominator,
    ) -> Self {
        let n = x.len();
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let xs: Vec<f64> = idx.iter().map(|&k| x[k]).collect();
        let ws: Vec<f64> = idx.iter().map(|&k| w[k]).collect();
        let mut rank = vec![0; n];
        for (t, &k) in idx.iter().enumerate() {
            rank[k] = t;
        }
        // Risk-weighted votes: f[a * n + t] = w_t (|xs[t] − xs[a]|/R)^{r_t} (sorted indices),
        // with the logarithm of the (symmetric) distance computed once per unordered pair.
        let f: Option<Vec<f64>> = r.map(|r| {
            let rs: Vec<f64> = idx.iter().map(|&k| r[k]).collect();
            let mut f = vec![0.0; n * n];
            for a in 0..n {
                for t in a + 1..n {
                    let u = (xs[t] - xs[a]) / range;
                    if u > 0.0 {
                        let l = vmath::ln(u);
                        f[a * n + t] = ws[t] * vmath::exp(rs[t] * l);
                        f[t * n + a] = ws[a] * vmath::exp(rs[a] * l);
                    }
                }
            }
            f
        });
        // Prefix sums: linear votes need Σw and Σw·x; risk votes a row of prefixes per actor.
        let mut pw = vec![0.0; n + 1];
        let mut pwx = vec![0.0; n + 1];
        for t in 0..n {
            pw[t + 1] = pw[t] + ws[t];
            pwx[t + 1] = pwx[t] + ws[t] * xs[t];
        }
        let g: Vec<f64> = match &f {
            None => Vec::new(),
            Some(f) => {
                let mut g = vec![0.0; n * (n + 1)];
                for a in 0..n {
                    let row = &mut g[a * (n + 1)..(a + 1) * (n + 1)];
                    for t in 0..n {
                        row[t + 1] = row[t] + f[a * n + t];
                    }
                }
                g
            }
        };
        // Ranks: number of positions < and ≤ each sorted position.
        let mut lt_rank = vec![0usize; n];
        let mut le_rank = vec![0usize; n];
        for t in 0..n {
            lt_rank[t] = if t > 0 && xs[t - 1] == xs[t] {
                lt_rank[t - 1]
            } else {
                t
            };
        }
        for t in (0..n).rev() {
            le_rank[t] = if t + 1 < n && xs[t + 1] == xs[t] {
                le_rank[t + 1]
            } else {
                t + 1
            };
        }
        let mut p = vec![(0.0, 0.0); n * n];
        for (i, row) in p.chunks_mut(n.max(1)).enumerate().take(n) {
            let si = rank[i];
            let xi = xs[si];
            // Pointers: lm = #(x < m), rm = #(x ≤ m), nondecreasing in m.
            let (mut lm, mut rm) = (0usize, 0usize);
            for sj in 0..n {
                let xj = xs[sj];
                let m = 0.5 * (xi + xj);
                while lm < n && xs[lm] < m {
                    lm += 1;
                }
                rm = rm.max(lm);
                while rm < n && xs[rm] <= m {
                    rm += 1;
                }
                if xi == xj {
                    continue;
                }
                let (slo, shi) = if xi < xj { (si, sj) } else { (sj, si) };
                let (lo, hi) = (xs[slo], xs[shi]);
                let (support_lo, support_hi) = if f.is_none() {
                    let (a_end, d_start) = (le_rank[slo], lt_rank[shi]);
                    let span = hi - lo;
                    let sum_w = |a: usize, b: usize| pw[b] - pw[a];
                    let sum_wx = |a: usize, b: usize| pwx[b] - pwx[a];
                    // x_k ≤ lo: margin span; lo < x_k < m: lo + hi − 2x_k.
                    let left = span * sum_w(0, a_end) + (lo + hi) * sum_w(a_end, lm)
                        - 2.0 * sum_wx(a_end, lm);
                    // m < x_k < hi: 2x_k − lo − hi; x_k ≥ hi: span.
                    let right = span * sum_w(d_start, n) + 2.0 * sum_wx(rm, d_start)
                        - (lo + hi) * sum_w(rm, d_start);
                    (left.max(0.0), right.max(0.0))
                } else {
                    let row = |a: usize, t: usize| g[a * (n + 1) + t];
                    // Left voters: (loss at hi) − (loss at lo) > 0; right voters the reverse.
                    let left = (row(shi, lm) - row(slo, lm)).max(0.0);
                    let right =
                        ((row(slo, n) - row(slo, rm)) - (row(shi, n) - row(shi, rm))).max(0.0);
                    (left, right)
                };
                let (num_i, num_j) = if xi < xj {
                    (support_lo, support_hi)
                } else {
                    (support_hi, support_lo)
                };
                row[idx[sj]] = (num_i, num_j);
            }
        }
        // The AllPairs denominator Σ_k Σ_{a,b} |v_k(a) − v_k(b)| over ordered pairs: twice the
        // sum of every unordered pair's two supports, summed by sorted row, then over the rows.
        let mut all = 0.0;
        if den == ProbabilityDenominator::AllPairs {
            for si in 0..n {
                let mut sum = 0.0;
                for sj in si + 1..n {
                    let (lo, hi) = p[idx[si] * n + idx[sj]];
                    sum += lo + hi;
                }
                all += sum;
            }
            all *= 2.0;
        }
        for cell in &mut p {
            let (num_i, num_j) = *cell;
            let d = match den {
                ProbabilityDenominator::Pair => num_i + num_j,
                ProbabilityDenominator::AllPairs => all,
            };
            let ratio = |v: f64| {
                if d > 0.0 {
                    (v / d).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            };
            *cell = (ratio(num_i), ratio(num_j));
        }
        RefProbabilities { n, p }
    }

    /// (P^i, P^j): the probabilities that i beats j and that j beats i.
    #[inline]
    fn get(&self, i: usize, j: usize) -> (f64, f64) {
        self.p[i * self.n + j]
    }
}

/// The better of two offers to the actor at xi (`old` came first: ties keep it).
fn choose(
    rule: OfferChoice,
    old: Candidate,
    new: Candidate,
    xi: f64,
    _xj: f64,
    x: &[f64],
) -> Candidate {
    match rule {
        OfferChoice::MostEnforceable => {
            if new.b > old.b {
                new
            } else {
                old
            }
        }
        OfferChoice::LeastMove | OfferChoice::ScholzCode => {
            if new.class != old.class {
                return if new.class < old.class { new } else { old };
            }
            let key = |c: &Candidate| {
                if rule == OfferChoice::ScholzCode && c.class == 1 {
                    let (ea, eb) = (c.a.abs(), c.b.abs());
                    (ea * xi + eb * x[c.proposer]) / (ea + eb)
                } else {
                    (c.pos - xi).abs()
                }
            };
            if key(&new) < key(&old) { new } else { old }
        }
    }
}
