//! The numeric tower the math and number functions share.
//!
//! Integers are unbounded, floats are IEEE doubles, decimals are exact. Mixed
//! operands take the "most precise" type (changelog 2016-10-04): int∘int → int
//! except division, which gives a decimal; float with int → float; a decimal with
//! anything → decimal (a float enters as the decimal its shortest text spells).
//!
//! Every operation answers `None` where Python would raise (division by zero,
//! float overflow, a complex result) and where the result would be absurdly large
//! (more than [`MAX_DIGITS`] digits): callers turn `None` into null or drop the
//! element, so no input can panic, hang or exhaust memory.

use std::cmp::Ordering;

use bigdecimal::BigDecimal;
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::value::{Number, Value};

/// Significant digits of an inexact decimal quotient (Python's default decimal context).
pub const PRECISION: u64 = 28;

/// The most digits an integer or decimal result may have (and the largest decimal
/// exponent); larger results are refused.
pub const MAX_DIGITS: u64 = 100_000;

/// [`MAX_DIGITS`] in bits (×log2 10).
const MAX_BITS: u64 = MAX_DIGITS * 3322 / 1000;

/// A binary arithmetic operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    /// True division (int/int gives a decimal).
    Div,
    /// Python's `%`: floored for ints and floats, truncated for decimals.
    Mod,
    Pow,
}

/// How to round a number to a given number of decimal places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Towards +∞.
    Ceil,
    /// Towards −∞.
    Floor,
    /// To nearest, ties to even.
    HalfEven,
    /// Towards zero.
    Trunc,
}

/// `a op b` for two numeric values; `None` for non-numbers and failures.
pub fn apply(op: Op, a: &Value, b: &Value) -> Option<Value> {
    let (x, y) = (Number::of(a)?, Number::of(b)?);
    match (x, y) {
        (Number::Decimal(_), _) | (_, Number::Decimal(_)) => {
            let (p, q) = (to_decimal(x)?, to_decimal(y)?);
            decimal_op(op, &p, &q).filter(is_tame).map(Value::decimal)
        }
        (Number::Float(_), _) | (_, Number::Float(_)) => float_op(op, x.to_f64(), y.to_f64()).map(Value::Float),
        (Number::Int(p), Number::Int(q)) => int_op_small(op, p, q),
        _ => int_op(op, &x.to_bigint()?, &y.to_bigint()?),
    }
}

/// A number as a decimal, if it is finite and of a sane size.
pub fn to_decimal(n: Number<'_>) -> Option<BigDecimal> {
    n.to_decimal().filter(is_tame)
}

/// Whether a decimal is small enough to compute with: at most [`MAX_DIGITS`]
/// digits and an exponent of at most [`MAX_DIGITS`] either way.
pub fn is_tame(d: &BigDecimal) -> bool {
    let (coefficient, scale) = d.as_bigint_and_exponent();
    scale.unsigned_abs() <= MAX_DIGITS && coefficient.bits() <= MAX_BITS
}

/// A float result, `None` unless finite (Python raises on overflow; NaN has no wire form).
fn finite(f: f64) -> Option<f64> {
    f.is_finite().then_some(f)
}

fn float_op(op: Op, a: f64, b: f64) -> Option<f64> {
    finite(match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div if b == 0.0 => return None,
        Op::Div => a / b,
        Op::Mod => float_mod(a, b)?,
        Op::Pow => a.powf(b),
    })
}

/// Python's float `%`: the result takes the divisor's sign.
fn float_mod(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        return None;
    }
    let r = a % b;
    Some(if r == 0.0 {
        0.0f64.copysign(b)
    } else if (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    })
}

fn int_op_small(op: Op, a: i64, b: i64) -> Option<Value> {
    let fast = match op {
        Op::Add => a.checked_add(b),
        Op::Sub => a.checked_sub(b),
        Op::Mul => a.checked_mul(b),
        Op::Mod if b == 0 => return None,
        Op::Mod => a.checked_rem(b).map(|r| if r != 0 && (r < 0) != (b < 0) { r + b } else { r }),
        Op::Pow if (0..64).contains(&b) => a.checked_pow(b as u32),
        Op::Div | Op::Pow => None,
    };
    match fast {
        Some(i) => Some(Value::Int(i)),
        None => int_op(op, &BigInt::from(a), &BigInt::from(b)),
    }
}

fn int_op(op: Op, a: &BigInt, b: &BigInt) -> Option<Value> {
    let n = match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => {
            let q = decimal_div(&BigDecimal::from(a.clone()), &BigDecimal::from(b.clone()))?;
            return is_tame(&q).then(|| Value::decimal(q));
        }
        Op::Mod => {
            if b.is_zero() {
                return None;
            }
            let r = a % b;
            if !r.is_zero() && r.is_negative() != b.is_negative() {
                r + b
            } else {
                r
            }
        }
        Op::Pow => return int_pow(a, b),
    };
    (n.bits() <= MAX_BITS).then(|| Value::from_bigint(n))
}

/// `a ^ b` for integers: an integer for `b ≥ 0`, else a float (as Python's `**`).
fn int_pow(a: &BigInt, b: &BigInt) -> Option<Value> {
    if b.is_negative() {
        if a.is_zero() {
            return None;
        }
        let x = finite(a.to_f64()?)?;
        return finite(x.powf(b.to_f64()?)).map(Value::Float);
    }
    if a.is_zero() || a.magnitude().is_one() {
        // 0^0 = 1; 0^n = 0; 1^n = 1; (−1)^n = ±1.
        let odd = b.bit(0);
        return Some(Value::Int(match (a.sign(), b.is_zero(), odd) {
            (_, true, _) => 1,
            (Sign::NoSign, _, _) => 0,
            (Sign::Minus, _, true) => -1,
            _ => 1,
        }));
    }
    let exponent = b.to_u64().filter(|&e| e.saturating_mul(a.bits() - 1) <= MAX_BITS)?;
    let n = a.pow(u32::try_from(exponent).ok()?);
    (n.bits() <= MAX_BITS).then(|| Value::from_bigint(n))
}

fn decimal_op(op: Op, a: &BigDecimal, b: &BigDecimal) -> Option<BigDecimal> {
    Some(match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => decimal_div(a, b)?,
        Op::Mod => decimal_mod(a, b)?,
        Op::Pow => decimal_pow(a, b)?,
    })
}

/// Python's `Decimal % Decimal`: the remainder of truncated division (sign of the dividend).
fn decimal_mod(a: &BigDecimal, b: &BigDecimal) -> Option<BigDecimal> {
    if b.is_zero() {
        return None;
    }
    let (ca, sa) = a.as_bigint_and_exponent();
    let (cb, sb) = b.as_bigint_and_exponent();
    let scale = sa.max(sb);
    let ca = ca * pow10((scale - sa) as u64);
    let cb = cb * pow10((scale - sb) as u64);
    Some(BigDecimal::new(ca % cb, scale))
}

/// `a ^ b` for decimals: exact for an integral exponent, else through floats.
fn decimal_pow(a: &BigDecimal, b: &BigDecimal) -> Option<BigDecimal> {
    if b.is_integer() {
        let (cb, sb) = b.as_bigint_and_exponent();
        let n = if sb >= 0 { cb / pow10(sb as u64) } else { cb * pow10(sb.unsigned_abs()) };
        let (ca, sa) = a.as_bigint_and_exponent();
        if n.is_zero() {
            return Some(BigDecimal::one());
        }
        if ca.is_zero() {
            return (!n.is_negative()).then(|| BigDecimal::new(BigInt::zero(), 0));
        }
        let e = n.magnitude().to_u64()?;
        let bits = ca.bits().max(1).saturating_mul(e);
        let scale = sa.checked_mul(i64::try_from(e).ok()?)?;
        if bits > MAX_BITS + 64 || scale.unsigned_abs() > MAX_DIGITS {
            // Only ±1 survives such a power.
            if ca.magnitude().is_one() && sa == 0 {
                let negative = ca.is_negative() && n.bit(0);
                return Some(BigDecimal::from(if negative { -1 } else { 1 }));
            }
            return None;
        }
        let p = BigDecimal::new(ca.pow(u32::try_from(e).ok()?), scale);
        return if n.is_negative() { decimal_div(&BigDecimal::one(), &p) } else { Some(p) };
    }
    if a.is_negative() {
        return None; // a complex number
    }
    let f = finite(decimal_to_f64(a)?.powf(decimal_to_f64(b)?))?;
    crate::value::Number::Float(f).to_decimal()
}

/// The nearest float to a decimal (`None` if it overflows).
pub fn decimal_to_f64(d: &BigDecimal) -> Option<f64> {
    let (c, scale) = d.as_bigint_and_exponent();
    finite(format!("{c}e{}", -scale).parse::<f64>().ok()?)
}

/// `a / b` as Python's decimal module divides: exact quotients keep the ideal
/// exponent (`20/10` → `2`, `10/20` → `0.5`), others round half-even to
/// [`PRECISION`] significant digits. `None` for division by zero.
pub fn decimal_div(a: &BigDecimal, b: &BigDecimal) -> Option<BigDecimal> {
    let (ca, sa) = a.as_bigint_and_exponent();
    let (cb, sb) = b.as_bigint_and_exponent();
    if cb.is_zero() {
        return None;
    }
    let ideal = sa - sb;
    if ca.is_zero() {
        return Some(BigDecimal::new(BigInt::zero(), ideal.max(0)));
    }
    let negative = ca.is_negative() != cb.is_negative();
    let (na, nb) = (ca.magnitude(), cb.magnitude());
    let shift = (PRECISION + 1 + digit_count(nb)).saturating_sub(digit_count(na));
    let scaled = na * pow10u(shift);
    let (mut q, r) = (&scaled / nb, &scaled % nb);
    let mut scale = ideal + shift as i64;
    let mut exact = r.is_zero();
    let digits = digit_count(&q);
    if digits > PRECISION {
        let dropped = digits - PRECISION;
        let unit = pow10u(dropped);
        let (kept, rest) = (&q / &unit, &q % &unit);
        let up = match (&rest * 2u32).cmp(&unit) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => !exact || kept.bit(0),
        };
        exact = exact && rest.is_zero();
        q = if up { kept + 1u32 } else { kept };
        scale -= dropped as i64;
    }
    if exact {
        let ten = BigUint::from(10u32);
        while scale > ideal && (&q % &ten).is_zero() {
            q /= &ten;
            scale -= 1;
        }
    }
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    Some(BigDecimal::new(BigInt::from_biguint(sign, q), scale))
}

/// Rounds `d` to `places` decimal places (negative: to tens, hundreds, …).
/// The result has exactly that scale.
pub fn round_decimal(d: &BigDecimal, places: i64, mode: Rounding) -> BigDecimal {
    let (c, scale) = d.as_bigint_and_exponent();
    if scale <= places {
        return d.clone();
    }
    let unit = pow10((scale - places) as u64);
    let (q, r) = (&c / &unit, &c % &unit);
    // BigInt division truncates: `r` has the sign of `c`.
    let step = match mode {
        Rounding::Trunc => 0,
        Rounding::Floor => -i32::from(r.is_negative()),
        Rounding::Ceil => i32::from(r.is_positive()),
        Rounding::HalfEven => match (r.magnitude() * 2u32).cmp(unit.magnitude()) {
            Ordering::Greater => c.signum().to_i32().unwrap_or(0),
            Ordering::Equal if q.bit(0) => c.signum().to_i32().unwrap_or(0),
            _ => 0,
        },
    };
    BigDecimal::new(q + step, places)
}

/// The integer part of a decimal rounded with `mode` (`None` when not tame).
pub fn decimal_to_bigint(d: &BigDecimal, mode: Rounding) -> Option<BigInt> {
    if !is_tame(d) {
        return None;
    }
    let rounded = round_decimal(d, 0, mode);
    let (c, scale) = rounded.as_bigint_and_exponent();
    Some(if scale < 0 { c * pow10(scale.unsigned_abs()) } else { c })
}

fn pow10(n: u64) -> BigInt {
    BigInt::from(pow10u(n))
}

fn pow10u(n: u64) -> BigUint {
    BigUint::from(10u32).pow(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The number of decimal digits of `n` (1 for zero).
fn digit_count(n: &BigUint) -> u64 {
    if n.is_zero() {
        return 1;
    }
    // 2^(bits−1) ≤ n < 2^bits, so the count is this estimate or one more.
    let estimate = ((n.bits() - 1) as f64 * std::f64::consts::LOG10_2).floor() as u64 + 1;
    if *n >= pow10u(estimate) {
        estimate + 1
    } else {
        estimate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::wire;

    fn v(text: &str) -> Value {
        wire::parse(text.as_bytes()).unwrap()
    }

    fn calc(op: Op, a: &str, b: &str) -> String {
        apply(op, &v(a), &v(b)).map_or("none".into(), |r| r.to_string())
    }

    #[test]
    fn integers_stay_integers_except_division() {
        assert_eq!(calc(Op::Add, "9223372036854775807", "1"), "9223372036854775808");
        assert_eq!(calc(Op::Mul, "-9223372036854775808", "-1"), "9223372036854775808");
        assert_eq!(calc(Op::Div, "10", "20"), r#""~f0.5""#);
        assert_eq!(calc(Op::Div, "20", "10"), r#""~f2""#);
        assert_eq!(calc(Op::Div, "1", "3"), r#""~f0.3333333333333333333333333333""#);
        assert_eq!(calc(Op::Div, "2", "3"), r#""~f0.6666666666666666666666666667""#);
        assert_eq!(calc(Op::Div, "5", "0"), "none");
        assert_eq!(calc(Op::Div, "-3", "2"), r#""~f-1.5""#);
    }

    #[test]
    fn modulo_follows_python() {
        assert_eq!(calc(Op::Mod, "-7", "3"), "2");
        assert_eq!(calc(Op::Mod, "7", "-3"), "-2");
        assert_eq!(calc(Op::Mod, "-9223372036854775808", "-1"), "0");
        assert_eq!(calc(Op::Mod, "5", "0"), "none");
        assert_eq!(calc(Op::Mod, "-7.5", "2"), "0.5");
        assert_eq!(calc(Op::Mod, "5", "0.0"), "none");
        assert_eq!(calc(Op::Mod, r#""~f-7""#, "3"), r#""~f-1""#);
        assert_eq!(calc(Op::Mod, r#""~f7.5""#, r#""~f0""#), "none");
    }

    #[test]
    fn powers_are_guarded() {
        assert_eq!(calc(Op::Pow, "2", "10"), "1024");
        assert_eq!(calc(Op::Pow, "2", "100"), "1267650600228229401496703205376");
        assert_eq!(calc(Op::Pow, "2", "-1"), "0.5");
        assert_eq!(calc(Op::Pow, "0", "-1"), "none");
        assert_eq!(calc(Op::Pow, "10", "100000000"), "none");
        assert_eq!(calc(Op::Pow, "1", "100000000000000000000000"), "1");
        assert_eq!(calc(Op::Pow, "-1", "100000000001"), "-1");
        assert_eq!(calc(Op::Pow, "0", "0"), "1");
        assert_eq!(calc(Op::Pow, "-8.0", "0.5"), "none");
        assert_eq!(calc(Op::Pow, "10.0", "400"), "none");
        assert_eq!(calc(Op::Pow, r#""~f1.5""#, "2"), r#""~f2.25""#);
        assert_eq!(calc(Op::Pow, r#""~f2""#, "-2"), r#""~f0.25""#);
        assert_eq!(calc(Op::Pow, r#""~f10""#, "100000000"), "none");
        assert_eq!(calc(Op::Pow, r#""~f-1""#, "100000000001"), r#""~f-1""#);
        assert_eq!(calc(Op::Pow, r#""~f-2""#, "0.5"), "none");
        assert_eq!(calc(Op::Pow, r#""~f4""#, "0.5"), r#""~f2.0""#);
    }

    #[test]
    fn mixed_types_take_the_most_precise() {
        assert_eq!(calc(Op::Mul, "2.3", "2"), "4.6");
        assert_eq!(calc(Op::Add, r#""~f0.1""#, "0.2"), r#""~f0.3""#);
        assert_eq!(calc(Op::Add, "1e308", "1e308"), "none");
        assert_eq!(calc(Op::Add, "1", "\"1\""), "none");
        assert_eq!(calc(Op::Add, "true", "1"), "none");
        assert_eq!(calc(Op::Div, "1.0", "0.0"), "none");
        assert_eq!(calc(Op::Div, r#""~f1.00""#, "4"), r#""~f0.25""#);
        assert_eq!(calc(Op::Div, r#""~f4.00""#, "2"), r#""~f2.00""#);
    }

    #[test]
    fn huge_decimals_are_refused() {
        assert_eq!(calc(Op::Add, r#""~f1e1000000000""#, "1"), "none");
        assert_eq!(calc(Op::Div, r#""~f1e-90000""#, r#""~f1e90000""#), "none");
    }

    #[test]
    fn rounding_modes() {
        let d = |s: &str| s.parse::<BigDecimal>().unwrap();
        let r = |s: &str, p: i64, m: Rounding| round_decimal(&d(s), p, m).to_plain_string();
        assert_eq!(r("2.299", 2, Rounding::Ceil), "2.30");
        assert_eq!(r("2.299", 2, Rounding::Floor), "2.29");
        assert_eq!(r("-2.291", 2, Rounding::Floor), "-2.30");
        assert_eq!(r("-2.299", 2, Rounding::Ceil), "-2.29");
        assert_eq!(r("2.675", 2, Rounding::HalfEven), "2.68");
        assert_eq!(r("-4.5", 0, Rounding::HalfEven), "-4");
        assert_eq!(r("-3.5", 0, Rounding::HalfEven), "-4");
        assert_eq!(r("1250", -2, Rounding::HalfEven), "1200");
        assert_eq!(r("-124.4", 0, Rounding::Trunc), "-124");
        assert_eq!(r("2.2", 5, Rounding::Ceil), "2.2");
    }

    #[test]
    fn digit_counts() {
        for (n, d) in [(0u64, 1), (9, 1), (10, 2), (99, 2), (100, 3), (u64::MAX, 20)] {
            assert_eq!(digit_count(&BigUint::from(n)), d);
        }
    }

    #[test]
    fn no_operand_pair_panics() {
        let values = [
            "0",
            "-0.0",
            "1",
            "-1",
            "2",
            "-2",
            "0.5",
            "-0.5",
            "1e308",
            "-1e308",
            "5e-324",
            "9223372036854775807",
            "-9223372036854775808",
            "123456789012345678901234567890",
            "-123456789012345678901234567890",
            r#""~f0""#,
            r#""~f-0.00""#,
            r#""~f1e-100000""#,
            r#""~f-1e100000""#,
            r#""~f1e200000""#,
            r#""~f3.5""#,
            r#""~f-2.5""#,
            r#""~f1e-28""#,
            "null",
            "true",
            r#""1""#,
            "[1]",
            "{}",
        ];
        for op in [Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Mod, Op::Pow] {
            for a in values {
                for b in values {
                    let _ = apply(op, &v(a), &v(b));
                }
            }
        }
    }
}
