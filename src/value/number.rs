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
            (Number::Int(a), Number::Float(b)) if a.unsigned_abs() < (1 << 53) => {
                compare_floats(a as f64, b)
            }
            (Number::Float(a), Number::Int(b)) if b.unsigned_abs() < (1 << 53) => {
                compare_floats(a, b as f64)
            }
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
    text.parse::<BigDecimal>()
        .ok()
        .or_else(|| BigDecimal::from_f64(f))
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
    fn float_to_decimal_uses_the_shortest_text() {
        assert_eq!(float_to_decimal(0.1).unwrap().to_string(), "0.1");
        assert!(float_to_decimal(f64::INFINITY).is_none());
    }
}
