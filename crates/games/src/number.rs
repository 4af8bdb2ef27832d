//! Numbers as Gambit writes them: integers, decimals and rationals, kept exact.
//!
//! Every payoff and chance probability is a [`Number`]: its `f64` value (what the solvers use)
//! and, when the number is known exactly (it was written as `3`, `-0.25` or `1/3`, or built from
//! an integer or a [`Rational`]), the exact fraction on arbitrary-precision integers, so no
//! number read from a file is ever rounded. A number read from text also keeps the text it was
//! written as (unless it used an exponent or a `+` sign, which Gambit does not write), and a
//! game read from a `.efg` file is written back with the very same numbers: `1/3` stays `1/3`,
//! `0.50` stays `0.50` and `10888888888888.8888888` is not shortened to the nearest `f64`.
//!
//! Limits: a decimal's digits and its exponent are bounded ([`MAX_DIGITS`]) so that one number
//! cannot ask for an unbounded big integer; a longer number is refused by [`Number::parse`].

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// The most digits (and the largest power of ten) a number's text may ask for.
pub const MAX_DIGITS: usize = 1000;

/// An exact fraction in lowest terms with a positive denominator, on arbitrary-precision
/// integers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rational(BigRational);

impl Rational {
    /// `num/den` reduced to lowest terms; `None` if `den == 0`.
    pub fn new(num: i64, den: i64) -> Option<Self> {
        (den != 0).then(|| Rational(BigRational::new(BigInt::from(num), BigInt::from(den))))
    }

    /// The integer `n` as a fraction.
    pub fn integer(n: i64) -> Self {
        Rational(BigRational::from_integer(BigInt::from(n)))
    }

    /// The nearest `f64` (infinite if the magnitude is beyond `f64`).
    pub fn to_f64(&self) -> f64 {
        match self.0.to_f64() {
            Some(v) => v,
            None if self.0.is_negative() => f64::NEG_INFINITY,
            None => f64::INFINITY,
        }
    }

    /// Whether this is exactly one.
    pub fn is_one(&self) -> bool {
        self.0.is_one()
    }

    /// The exact sum.
    pub fn add(&self, other: &Rational) -> Rational {
        Rational(&self.0 + &other.0)
    }

    fn from_big(num: BigInt, den: BigInt) -> Option<Self> {
        (!den.is_zero()).then(|| Rational(BigRational::new(num, den)))
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.denom().is_one() {
            write!(f, "{}", self.0.numer())
        } else {
            write!(f, "{}/{}", self.0.numer(), self.0.denom())
        }
    }
}

/// A payoff or probability: its `f64` value and, when known, its exact value and the text it
/// was read from.
#[derive(Debug, Clone)]
pub struct Number {
    value: f64,
    exact: Option<Arc<Exact>>,
}

#[derive(Debug)]
struct Exact {
    ratio: Rational,
    /// The text the number was read from, written back as is.
    text: Option<Box<str>>,
}

impl PartialEq for Number {
    /// Two numbers are equal when their exact values are equal (both exact) or their `f64`
    /// values are equal.
    fn eq(&self, other: &Self) -> bool {
        match (&self.exact, &other.exact) {
            (Some(a), Some(b)) => a.ratio == b.ratio,
            _ => self.value == other.value,
        }
    }
}

impl Serialize for Number {
    /// The `f64` value (what every JSON reader can use).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value)
    }
}

impl Number {
    /// Zero (exact).
    pub fn zero() -> Number {
        Number::from(Rational::integer(0))
    }

    /// The `f64` value (what the solvers compute with).
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The exact value, if known.
    pub fn exact(&self) -> Option<&Rational> {
        self.exact.as_ref().map(|e| &e.ratio)
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
    /// `None` for anything else: a zero denominator, a magnitude beyond `f64`, or more than
    /// [`MAX_DIGITS`] digits (or a power of ten beyond it).
    pub fn parse(s: &str) -> Option<Number> {
        if s.is_empty() {
            return None;
        }
        let ratio = if let Some((a, b)) = s.split_once('/') {
            if b.starts_with(['-', '+']) {
                return None;
            }
            Rational::from_big(parse_int(a)?, parse_int(b)?)?
        } else {
            parse_decimal(s)?
        };
        let value = if s.contains('/') {
            ratio.to_f64()
        } else {
            // Rust's parser rounds a decimal correctly to the nearest `f64`.
            s.parse().ok()?
        };
        if !value.is_finite() {
            return None;
        }
        let gambit_text = !s.starts_with('+') && !s.contains(['e', 'E']);
        Some(Number {
            value,
            exact: Some(Arc::new(Exact {
                ratio,
                text: gambit_text.then(|| s.into()),
            })),
        })
    }
}

/// A decimal with an optional exponent, exactly.
fn parse_decimal(s: &str) -> Option<Rational> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (neg, body) = match mantissa.as_bytes().first() {
        Some(b'-') => (true, &mantissa[1..]),
        Some(b'+') => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
        || int_part.len() + frac_part.len() > MAX_DIGITS
    {
        return None;
    }
    let exp: i64 = match exponent {
        Some(e) => {
            let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6
            {
                return None;
            }
            e.parse().ok()?
        }
        None => 0,
    };
    let digits = format!("{int_part}{frac_part}");
    let mut n: BigInt = digits.parse().unwrap_or_default();
    if neg {
        n = -n;
    }
    if n.is_zero() {
        return Some(Rational::integer(0));
    }
    let scale = exp - frac_part.len() as i64;
    if scale.unsigned_abs() > MAX_DIGITS as u64 {
        return None;
    }
    let p = num_traits::pow(BigInt::from(10), scale.unsigned_abs() as usize);
    if scale >= 0 {
        Rational::from_big(n * p, BigInt::one())
    } else {
        Rational::from_big(n, p)
    }
}

fn parse_int(s: &str) -> Option<BigInt> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

impl From<Rational> for Number {
    fn from(r: Rational) -> Self {
        Number {
            value: r.to_f64(),
            exact: Some(Arc::new(Exact {
                ratio: r,
                text: None,
            })),
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
    /// A number read from text as that text; other exact numbers as `n` or `n/d`; the rest as
    /// the shortest decimal that reads back to the same `f64` (never in exponent notation,
    /// which Gambit does not read).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.exact {
            Some(e) => match &e.text {
                Some(t) => f.write_str(t),
                None => write!(f, "{}", e.ratio),
            },
            None => write!(f, "{}", self.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gambit_numbers() {
        let exact = |s: &str| Number::parse(s).unwrap().exact().cloned();
        assert_eq!(exact("1/3"), Rational::new(1, 3));
        assert_eq!(exact("-7/12"), Rational::new(-7, 12));
        assert_eq!(exact(".80"), Rational::new(4, 5));
        assert_eq!(exact("-4"), Rational::new(-4, 1));
        assert_eq!(exact("2.5e1"), Rational::new(25, 1));
        assert_eq!(Number::parse("1.").unwrap().value(), 1.0);
        for bad in [
            "", "-", ".", "1/0", "a", "1/-2", "1..2", "e5", "1e", "--1", "1/2/3", "1e999",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(Number::parse("1/3").unwrap().to_string(), "1/3");
        assert_eq!(Number::parse("0.50").unwrap().to_string(), "0.50");
        assert_eq!(Number::parse("2.5e1").unwrap().to_string(), "25");
        assert_eq!(Number::parse("+1.5").unwrap().to_string(), "3/2");
    }

    #[test]
    fn long_numbers_stay_exact() {
        let n = Number::parse("10888888888888.8888888").unwrap();
        assert_eq!(n.to_string(), "10888888888888.8888888");
        assert_eq!(
            n.exact().unwrap().to_string(),
            "13611111111111111111/1250000"
        );
        assert_eq!(n.value(), 10888888888888.889);
        let big = "1".repeat(40) + "/" + &"3".repeat(39);
        let b = Number::parse(&big).unwrap();
        assert_eq!(b.to_string(), big);
        assert!((b.value() - 1.0 / 0.3).abs() < 1e-12);
        // Beyond the digit limit: refused rather than rounded or grown without bound.
        assert!(Number::parse(&"9".repeat(MAX_DIGITS + 1)).is_none());
        assert!(Number::parse("1e-999999").is_none());
        // Equal values compare equal, whatever their text.
        assert_eq!(Number::parse("0.5").unwrap(), Number::parse("1/2").unwrap());
    }
}
