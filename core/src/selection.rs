//! Selections: the 十佳文明秀之星 monthly stars and the 千名优秀志愿者 annual
//! excellent volunteers, with the exact arithmetic both rankings share.
//!
//! - [`monthly_stars`] (module
//!   [`monthly`](crate::monthly)): online votes filtered by policy, judges'
//!   marks (optionally standardised per judge, trimmed), a weighted blend and
//!   the top 10 with a full breakdown.
//! - [`annual_selection`] (module
//!   [`annual`](crate::annual)): eligibility, a composite score, district
//!   quotas by [`apportion`](crate::apportion::apportion) and the
//!   public-notice list.
//!
//! Both produce [`Winner`] values, `(volunteer, kind, period)`, ready to be
//! written into the honours registry. Every fractional score is a [`Ratio`]:
//! an exact fraction of two `i128`s, compared by an overflow-free
//! continued-fraction walk rather than by floating point, and serialised as
//! text (`"1533/20"`) that Python's `fractions.Fraction` parses directly.
//!
//! ```
//! use zhiyuan::selection::Ratio;
//! let c = Ratio::new(1533, 20)?;
//! assert_eq!(c.to_string(), "1533/20");
//! assert_eq!(c.to_decimal(2), "76.65");
//! assert!(Ratio::new(175, 6)? > Ratio::new(29, 1)?);
//! assert_eq!(Ratio::new(172, 2)?, Ratio::integer(86));
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::VolunteerId;
use crate::time::Period;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub use crate::annual::{AnnualPolicy, annual_selection};
pub use crate::monthly::{MonthlyStarsPolicy, monthly_stars};

/// Which honour a selection confers: the honours registry's own kinds
/// (`monthly_star`, `annual_excellent`), so winners go straight into it.
pub use crate::honours::HonourKind as SelectionKind;

/// A selected volunteer, as the honours registry records it
/// ([`HonoursRegistry::record_selection`](crate::honours::HonoursRegistry::record_selection)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Winner {
    /// Who was selected.
    pub volunteer: VolunteerId,
    /// Which honour.
    pub kind: SelectionKind,
    /// The month (monthly stars) or year (annual) the honour is for.
    pub period: Period,
}

/// An exact fraction `num / den` with `den > 0`, always in lowest terms.
///
/// Equality and ordering are exact. Comparison never overflows: it walks the
/// two continued fractions instead of cross-multiplying, so any two ratios
/// of `i128`s compare correctly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

fn overflow() -> Error {
    Error::invalid_input("", "arithmetic overflow: inputs too large")
}

impl Ratio {
    /// Zero.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    /// `num / den` in lowest terms; an error when `den == 0`.
    pub fn new(num: i128, den: i128) -> Result<Ratio> {
        if den == 0 {
            return Err(Error::invalid_input("", "denominator must not be 0"));
        }
        if num == i128::MIN || den == i128::MIN {
            return Err(overflow());
        }
        let g = gcd(num, den);
        let s = if den < 0 { -1 } else { 1 };
        Ok(Ratio {
            num: s * num / g,
            den: s * den / g,
        })
    }

    /// The integer `n`.
    pub const fn integer(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// The numerator (lowest terms; carries the sign).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator (lowest terms; always positive).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// `self + other`, exactly; an error on `i128` overflow.
    pub fn checked_add(self, other: Ratio) -> Result<Ratio> {
        let g = gcd(self.den, other.den);
        let (bd, dd) = (self.den / g, other.den / g);
        let num = self
            .num
            .checked_mul(dd)
            .and_then(|a| other.num.checked_mul(bd).and_then(|b| a.checked_add(b)))
            .ok_or_else(overflow)?;
        let den = self.den.checked_mul(dd).ok_or_else(overflow)?;
        Ratio::new(num, den)
    }

    /// `self · n / d` for integers, exactly; an error on overflow or `d == 0`.
    pub fn checked_scale(self, n: i128, d: i128) -> Result<Ratio> {
        // Cancel before multiplying so intermediate values stay small.
        let g1 = gcd(n, self.den).max(1);
        let g2 = gcd(self.num, d).max(1);
        let num = (self.num / g2).checked_mul(n / g1).ok_or_else(overflow)?;
        let den = (self.den / g1).checked_mul(d / g2).ok_or_else(overflow)?;
        Ratio::new(num, den)
    }

    /// The smaller of `self` and `other`.
    pub fn min(self, other: Ratio) -> Ratio {
        if other < self { other } else { self }
    }

    /// The larger of `self` and `other`.
    pub fn max(self, other: Ratio) -> Ratio {
        if other > self { other } else { self }
    }

    /// The value rounded half away from zero to `places` decimals, as text
    /// (`"76.65"`, `"-0.1491"`). For display only; decisions compare ratios.
    pub fn to_decimal(self, places: u32) -> String {
        let neg = self.num < 0;
        let n = self.num.unsigned_abs();
        let d = self.den.unsigned_abs();
        let (int, frac) = (n / d, n % d);
        let scale = 10u128.pow(places.min(30));
        // frac < d, so frac · scale fits for any realistic `d`; fall back to
        // fewer digits rather than panicking if it would not.
        let scaled = match frac.checked_mul(scale) {
            Some(v) => v,
            None => return self.to_decimal(places / 2),
        };
        let mut digits = scaled / d;
        if (scaled % d) * 2 >= d {
            digits += 1;
        }
        let (int, digits) = if digits == scale {
            (int + 1, 0)
        } else {
            (int, digits)
        };
        let sign = if neg && (int != 0 || digits != 0) {
            "-"
        } else {
            ""
        };
        if places == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{digits:0w$}", w = places as usize)
        }
    }
}

/// Compares `a/b` with `c/d` for `a, c ≥ 0`, `b, d > 0` by their continued
/// fractions: integer parts first, then the reciprocals of the remainders.
fn cmp_nonneg(mut a: u128, mut b: u128, mut c: u128, mut d: u128) -> Ordering {
    loop {
        let (q1, q2) = (a / b, c / d);
        if q1 != q2 {
            return q1.cmp(&q2);
        }
        let (r1, r2) = (a % b, c % d);
        match (r1 == 0, r2 == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            // r1/b vs r2/d  ⇔  d/r2 vs b/r1
            (false, false) => {
                (a, b, c, d) = (d, r2, b, r1);
            }
        }
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> Ordering {
        let (sa, sb) = (self.num.signum(), other.num.signum());
        if sa != sb {
            return sa.cmp(&sb);
        }
        let mag = cmp_nonneg(
            self.num.unsigned_abs(),
            self.den.unsigned_abs(),
            other.num.unsigned_abs(),
            other.den.unsigned_abs(),
        );
        if sa < 0 { mag.reverse() } else { mag }
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Ratio {
    /// `num/den`, or just `num` when the value is an integer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl FromStr for Ratio {
    type Err = Error;
    fn from_str(s: &str) -> Result<Ratio> {
        let bad = || Error::invalid_input("", format!("{s:?} is not a fraction like 1533/20"));
        let (n, d) = match s.split_once('/') {
            Some((n, d)) => (n, d),
            None => (s, "1"),
        };
        let n: i128 = n.trim().parse().map_err(|_| bad())?;
        let d: i128 = d.trim().parse().map_err(|_| bad())?;
        Ratio::new(n, d).map_err(|_| bad())
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.reason()))
    }
}

/// `n`-th entry's path inside a list field, e.g. `votes[3]`.
pub(crate) fn at(field: &str, i: usize) -> String {
    format!("{field}[{i}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    #[test]
    fn compares_exactly_without_overflow() {
        assert!(r(175, 6) > r(2916, 100));
        assert!(r(175, 6) < r(2917, 100));
        assert!(r(-1, 3) < r(-1, 4));
        assert!(r(-1, 3) < Ratio::ZERO);
        let big = i128::MAX / 3;
        assert!(r(big, big - 1) < r(big - 1, big - 2));
        assert_eq!(r(6, -4), r(-3, 2));
    }

    #[test]
    fn decimals_round_half_away_from_zero() {
        assert_eq!(r(1533, 20).to_decimal(1), "76.7");
        assert_eq!(r(-1533, 20).to_decimal(1), "-76.7");
        assert_eq!(r(175, 6).to_decimal(4), "29.1667");
        assert_eq!(r(1999, 2000).to_decimal(2), "1.00");
        assert_eq!(r(-1, 3000).to_decimal(2), "0.00");
        assert_eq!(r(7, 2).to_decimal(0), "4");
    }

    #[test]
    fn arithmetic_and_text_round_trip() {
        let s = r(1, 6).checked_add(r(1, 3)).unwrap();
        assert_eq!(s, r(1, 2));
        assert_eq!(r(175, 6).checked_scale(3, 10).unwrap(), r(35, 4));
        assert_eq!("1533/20".parse::<Ratio>().unwrap(), r(1533, 20));
        assert_eq!("86".parse::<Ratio>().unwrap(), Ratio::integer(86));
        assert!("1/0".parse::<Ratio>().is_err());
        assert!(r(i128::MAX, 1).checked_add(r(1, 1)).is_err());
    }
}
