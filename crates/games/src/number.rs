//! Numbers as Gambit writes them: integers, decimals and rationals, kept exact when possible.
//!
//! Every payoff and chance probability is a [`Number`]: its `f64` value (what the solvers use)
//! and, when the number is known exactly (it was written as `3`, `-0.25` or `1/3`, or built from
//! an integer or a [`Rational`]), the exact fraction, so a game read from a `.efg` file is written
//! back with the same values Gambit read (`1/3` stays `1/3`, not `0.3333333333333333`).

use serde::Serialize;
use std::fmt;

/// A fraction `num/den` in lowest terms with `den > 0`, on 64-bit integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rational {
    num: i64,
    den: i64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Rational {
    /// `num/den` reduced to lowest terms; `None` if `den == 0` or the result does not fit `i64`.
    pub fn new(num: i64, den: i64) -> Option<Self> {
        Self::from_i128(i128::from(num), i128::from(den))
    }

    /// `num/den` from wide integers, reduced; `None` if `den == 0` or it does not fit `i64`.
    pub fn from_i128(num: i128, den: i128) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let (mut n, mut d) = if den < 0 {
            (num.checked_neg()?, den.checked_neg()?)
        } else {
            (num, den)
        };
        let g = gcd128(n.unsigned_abs(), d.unsigned_abs());
        if g > 1 {
            n /= g as i128;
            d /= g as i128;
        }
        Some(Rational {
            num: i64::try_from(n).ok()?,
            den: i64::try_from(d).ok()?,
        })
    }

    /// The integer `n` as a fraction.
    pub const fn integer(n: i64) -> Self {
        Rational { num: n, den: 1 }
    }

    /// Numerator (carries the sign).
    pub fn numer(&self) -> i64 {
        self.num
    }

    /// Denominator (always positive).
    pub fn denom(&self) -> i64 {
        self.den
    }

    /// The nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Exact sum, `None` on overflow.
    pub fn checked_add(&self, other: &Rational) -> Option<Rational> {
        let n = i128::from(self.num) * i128::from(other.den)
            + i128::from(other.num) * i128::from(self.den);
        let d = i128::from(self.den) * i128::from(other.den);
        Self::from_i128(n, d)
    }
}

fn gcd128(a: u128, b: u128) -> u128 {
    if a <= u128::from(u64::MAX) && b <= u128::from(u64::MAX) {
        return u128::from(gcd(a as u64, b as u64));
    }
    let (mut a, mut b) = (a, b);
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// A payoff or probability: its `f64` value and, when known, its exact value.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Number {
    value: f64,
    exact: Option<Rational>,
}

impl PartialEq for Number {
    /// Two numbers are equal when their exact values are equal (both exact) or their `f64`
    /// values are equal.
    fn eq(&self, other: &Self) -> bool {
        match (self.exact, other.exact) {
            (Some(a), Some(b)) => a == b,
            _ => self.value == other.value,
        }
    }
}

impl Number {
    /// Zero (exact).
    pub const ZERO: Number = Number {
        value: 0.0,
        exact: Some(Rational::integer(0)),
    };

    /// The `f64` value (what the solvers compute with).
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The exact value, if known.
    pub fn exact(&self) -> Option<Rational> {
        self.exact
    }

    /// A number known only as a float (integers that fit are made exact).
    pub fn from_f64(v: f64) -> Number {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            return Number::from(Rational::integer(v as i64));
        }
        Number {
            value: v,
            exact: None,
        }
    }

    /// Parses Gambit's number syntax: an integer (`-4`), a decimal (`0.25`, `.8`, `-1.`), a
    /// rational (`1/3`, `-7/12`), optionally with an exponent on decimals (`1e-3`). Returns
    /// `None` for anything else (including a zero denominator).
    pub fn parse(s: &str) -> Option<Number> {
        if s.is_empty() {
            return None;
        }
        if let Some((a, b)) = s.split_once('/') {
            let n = parse_int(a)?;
            let d = parse_int(b)?;
            if d == 0 || b.starts_with(['-', '+']) {
                return None;
            }
            return Some(match Rational::from_i128(n, d) {
                Some(r) => Number::from(r),
                None => Number {
                    value: n as f64 / d as f64,
                    exact: None,
                },
            });
        }
        // Decimal with optional exponent.
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (neg, body) = match mantissa.as_bytes().first() {
            Some(b'-') => (true, &mantissa[1..]),
            Some(b'+') => (false, &mantissa[1..]),
            _ => (false, mantissa),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let exp: i32 = match exponent {
            Some(e) => {
                let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
                if digits.is_empty()
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                    || digits.len() > 6
                {
                    return None;
                }
                e.parse().ok()?
            }
            None => 0,
        };
        let value: f64 = s.parse().ok()?;
        if !value.is_finite() {
            return None;
        }
        // Exact value: digits / 10^frac_len * 10^exp, if it fits.
        let exact = (|| {
            let digits = format!("{int_part}{frac_part}");
            let digits = digits.trim_start_matches('0');
            if digits.len() > 30 {
                return None;
            }
            let mut n: i128 = if digits.is_empty() {
                0
            } else {
                digits.parse().ok()?
            };
            if neg {
                n = -n;
            }
            let scale = exp - frac_part.len() as i32;
            if !(-30..=30).contains(&scale) {
                return if n == 0 {
                    Some(Rational::integer(0))
                } else {
                    None
                };
            }
            let p = 10i128.checked_pow(scale.unsigned_abs())?;
            if scale >= 0 {
                Rational::from_i128(n.checked_mul(p)?, 1)
            } else {
                Rational::from_i128(n, p)
            }
        })();
        Some(match exact {
            Some(r) => Number::from(r),
            None => Number { value, exact: None },
        })
    }
}

fn parse_int(s: &str) -> Option<i128> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || digits.len() > 36 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl From<Rational> for Number {
    fn from(r: Rational) -> Self {
        Number {
            value: r.to_f64(),
            exact: Some(r),
        }
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number::from(Rational::integer(n))
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Self {
        Number::from(i64::from(n))
    }
}

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::from_f64(v)
    }
}

impl fmt::Display for Number {
    /// Exact numbers as `n` or `n/d`; others as the shortest decimal that reads back to the
    /// same `f64` (never in exponent notation, which Gambit does not read).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exact {
            Some(r) => write!(f, "{r}"),
            None => write!(f, "{}", self.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gambit_numbers() {
        assert_eq!(Number::parse("1/3").unwrap().exact(), Rational::new(1, 3));
        assert_eq!(
            Number::parse("-7/12").unwrap().exact(),
            Rational::new(-7, 12)
        );
        assert_eq!(Number::parse(".80").unwrap().exact(), Rational::new(4, 5));
        assert_eq!(Number::parse("-4").unwrap().exact(), Rational::new(-4, 1));
        assert_eq!(
            Number::parse("2.5e1").unwrap().exact(),
            Rational::new(25, 1)
        );
        assert_eq!(Number::parse("1.").unwrap().value(), 1.0);
        for bad in [
            "", "-", ".", "1/0", "a", "1/-2", "1..2", "e5", "1e", "--1", "1/2/3",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(Number::parse("1/3").unwrap().to_string(), "1/3");
        assert_eq!(Number::parse("0.5").unwrap().to_string(), "1/2");
    }
}
