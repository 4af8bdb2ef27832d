//! `exp` and `ln` that vectorise, with the same bits on every machine.
//!
//! The expected-utility round takes about 3n² exponentials and 3n² logarithms; one call of the
//! C library's `exp` or `log` costs about as much as the rest of a pair's arithmetic, and a call
//! in a loop keeps the loop scalar. These are branch-free polynomials on the IEEE bit patterns,
//! always inlined, so a loop that calls them becomes SIMD code: 2 lanes with the x86-64
//! baseline, 4 or 8 in the row kernels of [`crate::eu`] that `multiversion` compiles for AVX2
//! and AVX-512 and selects at run time. Rust never fuses a multiply and an add, and every step
//! is an IEEE add, multiply, divide, comparison or bit operation, so each lane computes exactly
//! the floats of a scalar call: the results depend neither on the CPU nor on its vector width
//! (the C library's `exp` has an FMA and a non-FMA path, whose last bits can differ).
//!
//! Accuracy, checked in the tests against the C library on random and edge inputs: within
//! 1 ulp over the whole range (normal and subnormal inputs and results, ±∞, NaN, zero).
//!
//! Method (textbook; no code taken from elsewhere): `exp` reduces x = k ln 2 + r with
//! |r| ≤ ln 2 / 2 (Cody–Waite two-part ln 2), takes the Taylor series of eʳ to degree 13
//! (truncation below 10⁻¹⁷) and scales by 2ᵏ in two steps so subnormal results stay exact up to
//! the final rounding. `ln` splits x = 2ᵉ m with m ∈ [√½, √2), writes f = m − 1 and
//! s = f/(2 + f), and uses ln(1 + f) = 2 atanh s = f − s(f − R), with R = Σ 2s²ᵏ/(2k + 1)
//! (k = 1..10, truncation below 10⁻¹⁷ relative), so the rounding of the division barely
//! reaches the result.

/// ln 2 in two parts: the high part has 21 trailing zero bits, so k · LN2_HI is exact for
/// |k| < 2²¹; the low part is the rest of ln 2 (ln 2 − LN2_HI to 53 bits, computed to 50
/// digits).
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// 1.5 · 2⁵²: adding and subtracting it rounds a float of magnitude below 2⁵¹ to the nearest
/// integer (ties to even), whose two's complement then sits in the low bits of the sum.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// Past these, exp(x) is +∞ or rounds to 0.
const EXP_HI: f64 = 709.782_712_893_384;
const EXP_LO: f64 = -745.2;

/// 2ᵏ for an integer-valued float k ∈ [−1022, 1023].
#[inline(always)]
fn pow2(k: f64) -> f64 {
    let bits = (k + SHIFT).to_bits().wrapping_sub(SHIFT.to_bits());
    f64::from_bits(bits.wrapping_add(1023) << 52)
}

/// eˣ (see the module docs for the method and accuracy).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Clamped so that k stays small; the edges are fixed up at the end.
    let xc = x.clamp(EXP_LO, EXP_HI);
    let k = (xc * std::f64::consts::LOG2_E + SHIFT) - SHIFT;
    let r = (xc - k * LN2_HI) - k * LN2_LO;
    // Taylor series of eʳ − 1 − r, Horner from degree 13 down to 2.
    let mut p = 1.0 / 6_227_020_800.0;
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    let e = 1.0 + (r + r * r * p);
    // 2ᵏ in two halves, each within the normal range.
    let k1 = (k * 0.5 + SHIFT) - SHIFT;
    let k2 = k - k1;
    let y = e * pow2(k1) * pow2(k2);
    if x > EXP_HI {
        f64::INFINITY
    } else if x.is_nan() {
        x
    } else {
        y
    }
}

/// ln x (see the module docs for the method and accuracy).
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    const MANT: u64 = (1 << 52) - 1;
    // Subnormals are scaled into the normal range first.
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18_014_398_509_481_984.0 } else { x };
    let bits = xs.to_bits();
    // The biased exponent as a float, through the bits of 2⁵² + biased (no integer
    // conversion, which baseline SIMD lacks).
    let biased =
        f64::from_bits(0x4330_0000_0000_0000 | ((bits >> 52) & 0x7FF)) - 4_503_599_627_370_496.0;
    // m ∈ [1, 2); halved above √2 so that f = m − 1 ∈ [√½ − 1, √2 − 1).
    let m1 = f64::from_bits((bits & MANT) | (1023 << 52));
    let high = m1 > std::f64::consts::SQRT_2;
    let m = if high { m1 * 0.5 } else { m1 };
    let e = (biased - 1023.0) + if high { 1.0 } else { 0.0 } - if sub { 54.0 } else { 0.0 };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let mut q = 2.0 / 21.0;
    q = q * z + 2.0 / 19.0;
    q = q * z + 2.0 / 17.0;
    q = q * z + 2.0 / 15.0;
    q = q * z + 2.0 / 13.0;
    q = q * z + 2.0 / 11.0;
    q = q * z + 2.0 / 9.0;
    q = q * z + 2.0 / 7.0;
    q = q * z + 2.0 / 5.0;
    q = q * z + 2.0 / 3.0;
    let big_r = z * q;
    let y = e * LN2_HI + ((f - s * (f - big_r)) + e * LN2_LO);
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if x < 0.0 || x.is_nan() {
        f64::NAN
    } else if x == f64::INFINITY {
        x
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place (same sign, finite).
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        let key = |v: f64| {
            let b = v.to_bits() as i64;
            if b < 0 { i64::MIN - b } else { b }
        };
        key(a).abs_diff(key(b))
    }

    fn lcg(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm() {
        let mut next = lcg(1);
        let mut worst = 0;
        for i in 0..400_000 {
            let x = match i % 4 {
                0 => (next() - 0.5) * 2.0 * 745.0,
                1 => (next() - 0.5) * 4.0,
                2 => -next() * 50.0,
                _ => (next() - 0.5) * 1e-6,
            };
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 1, "worst {worst} ulp");
    }

    #[test]
    fn exp_edges() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            709.78,
            EXP_HI,
            -708.3,
            -708.5,
            -730.0,
            -744.0,
            -745.1,
            f64::MIN_POSITIVE,
            1e-300,
        ] {
            assert!(
                ulps(exp(x), x.exp()) <= 1,
                "exp({x}) = {} vs {}",
                exp(x),
                x.exp()
            );
        }
        // Overflow at the same point as the C library (1 ulp below ∞ would pass `ulps`).
        for x in [EXP_HI, EXP_HI.next_down(), EXP_HI.next_up(), 709.79] {
            assert_eq!(exp(x).is_finite(), x.exp().is_finite(), "exp({x})");
        }
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(-746.0), 0.0);
        assert_eq!(exp(-1e300), 0.0);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn ln_is_within_one_ulp_of_libm() {
        let mut next = lcg(2);
        let mut worst = 0;
        for i in 0..400_000 {
            let x = match i % 5 {
                0 => next(),
                1 => 0.5 + next(),
                2 => next() * 1e6,
                3 => (next() * 1400.0 - 700.0).exp(),
                _ => 1.0 + (next() - 0.5) * 1e-9,
            };
            worst = worst.max(ulps(ln(x), x.ln()));
        }
        assert!(worst <= 1, "worst {worst} ulp");
    }

    #[test]
    fn ln_edges() {
        for x in [
            1.0,
            2.0,
            0.5,
            std::f64::consts::SQRT_2,
            f64::MIN_POSITIVE,
            5e-324,
            1e-310,
            f64::MAX,
            1.0 + f64::EPSILON,
            1.0 - f64::EPSILON / 2.0,
        ] {
            assert!(
                ulps(ln(x), x.ln()) <= 1,
                "ln({x}) = {} vs {}",
                ln(x),
                x.ln()
            );
        }
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(-0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!(ln(f64::NAN).is_nan());
        assert!(ln(f64::NEG_INFINITY).is_nan());
    }
}
