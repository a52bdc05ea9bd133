//! A borrowed view of the three numeric types, for comparing and converting them
//! as one group (integers, floats and decimals compare by numeric value).

use std::cmp::Ordering;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_traits::{FromPrimitive, ToPrimitive};

use super::Value;

/// A number borrowed from a [`Value`].
#[derive(Clone, Copy, Debug)]
pub enum Number<'a> {
    /// A 64-bit integer.
    Int(i64),
    /// A big integer.
    Big(&'a BigInt),
    /// A float.
    Float(f64),
    /// A decimal.
    Decimal(&'a BigDecimal),
}

impl<'a> Number<'a> {
    /// The number in `value`, if it is one (booleans are not numbers).
    pub fn of(value: &'a Value) -> Option<Number<'a>> {
        match value {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::BigInt(b) => Some(Number::Big(b)),
            Value::Float(f) => Some(Number::Float(*f)),
            Value::Decimal(d) => Some(Number::Decimal(d)),
            _ => None,
        }
    }

    /// The nearest float.
    pub fn to_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Big(b) => b.to_f64().unwrap_or(f64::NAN),
            Number::Float(f) => f,
            Number::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
        }
    }

    /// The exact decimal value (`None` for a float that is not finite).
    pub fn to_decimal(self) -> Option<BigDecimal> {
        match self {
            Number::Int(i) => Some(BigDecimal::from(i)),
            Number::Big(b) => Some(BigDecimal::from(b.clone())),
            Number::Float(f) => float_to_decimal(f),
            Number::Decimal(d) => Some(d.clone()),
        }
    }

    /// The integer value, if this is an integer.
    pub fn to_bigint(self) -> Option<BigInt> {
        match self {
            Number::Int(i) => Some(BigInt::from(i)),
            Number::Big(b) => Some(b.clone()),
            _ => None,
        }
    }

    /// Compares by numeric value. A NaN orders below every other number.
    pub fn compare(self, other: Number<'_>) -> Ordering {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.cmp(&b),
            (Number::Float(a), Number::Float(b)) => compare_floats(a, b),
            (Number::Float(a), _) if !a.is_finite() => compare_floats(a, other.to_f64()),
            (_, Number::Float(b)) if !b.is_finite() => compare_floats(self.to_f64(), b),
            (Number::Int(a), Number::Float(b)) if a.unsigned_abs() < (1 << 53) => compare_floats(a as f64, b),
            (Number::Float(a), Number::Int(b)) if b.unsigned_abs() < (1 << 53) => compare_floats(a, b as f64),
            _ => match (self.to_decimal(), other.to_decimal()) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => compare_floats(self.to_f64(), other.to_f64()),
            },
        }
    }
}

/// Converts a float to the decimal its shortest text spells (`0.1` → `0.1`, as Python's
/// `Decimal(repr(x))` would), so mixed arithmetic does not surface binary noise.
pub fn float_to_decimal(f: f64) -> Option<BigDecimal> {
    if !f.is_finite() {
        return None;
    }
    let text = ryu::Buffer::new().format_finite(f).to_string();
    text.parse::<BigDecimal>().ok().or_else(|| BigDecimal::from_f64(f))
}

/// A float as Python's `repr` writes it: `1.0`, `124.4`, `1e+16`, `1.5e-05`, `nan`, `inf`.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // `{:e}` gives the shortest round-trip digits: "1.244e2", "-5e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let text = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{text}")
    } else {
        let mantissa = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits };
        format!("{sign}{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// Plain decimal notation: optional sign, digits with an optional fraction (at least
/// one digit overall), optional exponent. No `inf`/`nan`, no underscores.
pub fn is_decimal_text(s: &str) -> bool {
    is_decimal_text_capped(s, usize::MAX)
}

/// [`is_decimal_text`] with at most `max_exponent_digits` digits in the exponent, so a
/// caller can refuse texts like `1e999999999999999999999` before parsing them.
pub fn is_decimal_text_capped(s: &str, max_exponent_digits: usize) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    !(int.is_empty() && frac.is_empty())
        && digits(int)
        && digits(frac)
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.len() <= max_exponent_digits && digits(e)
        })
}

fn compare_floats(a: f64, b: f64) -> Ordering {
    match a.partial_cmp(&b) {
        Some(o) => o,
        None => a.is_nan().cmp(&b.is_nan()).reverse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_across_types() {
        let one = Value::Int(1);
        let one_f = Value::Float(1.0);
        let one_d = Value::decimal("1.0".parse().unwrap());
        let half = Value::Float(1.5);
        fn n(v: &Value) -> Number<'_> {
            Number::of(v).unwrap()
        }
        assert_eq!(n(&one).compare(n(&one_f)), Ordering::Equal);
        assert_eq!(n(&one_f).compare(n(&one_d)), Ordering::Equal);
        assert_eq!(n(&one).compare(n(&half)), Ordering::Less);
        let big = Value::from_bigint("100000000000000000000000".parse().unwrap());
        assert_eq!(n(&big).compare(n(&half)), Ordering::Greater);
        assert_eq!(n(&Value::Float(f64::NAN)).compare(n(&one)), Ordering::Less);
    }

    #[test]
    fn floats_print_like_python() {
        for (f, text) in [
            (1.0, "1.0"),
            (124.4, "124.4"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (-2.5, "-2.5"),
            (123456789012345.6, "123456789012345.6"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(python_float_repr(f), text);
        }
    }

    #[test]
    fn decimal_text_is_plain_notation_only() {
        for ok in ["1", "-1.5", "+.5", "5.", "1e10", "1.5E-3"] {
            assert!(is_decimal_text(ok), "{ok}");
        }
        for bad in ["", ".", "-", "1e", "1e+", "inf", "nan", "1_000", "1.2.3", "0x10", " 1"] {
            assert!(!is_decimal_text(bad), "{bad}");
        }
        assert!(is_decimal_text("1e1234567890123456789"));
        assert!(!is_decimal_text_capped("1e1234567890123456789", 18));
        assert!(is_decimal_text_capped("1e-123456789012345678", 18));
    }

    #[test]
    fn float_to_decimal_uses_the_shortest_text() {
        assert_eq!(float_to_decimal(0.1).unwrap().to_string(), "0.1");
        assert!(float_to_decimal(f64::INFINITY).is_none());
    }
}
