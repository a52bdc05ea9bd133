//! Numbers: `decimal`, `float`, `integer` (conversions with an optional default
//! expression), `hex`, `is-decimal`, `is-float`, `is-integer`.

use bigdecimal::BigDecimal;
use num_bigint::{BigInt, BigUint};
use num_traits::FromPrimitive;

use super::arith::{self, Rounding, MAX_DIGITS};
use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{is_decimal_text_capped, Number, Value};

/// Longest exponent accepted in number text; a longer one is refused before parsing.
const MAX_EXPONENT_DIGITS: usize = 18;

/// Text too long to be a sane number.
fn too_long(s: &str) -> bool {
    s.len() as u64 > MAX_DIGITS
}

fn parse_decimal(s: &str) -> Option<BigDecimal> {
    let s = s.trim();
    if too_long(s) || !is_decimal_text_capped(s, MAX_EXPONENT_DIGITS) {
        return None;
    }
    s.parse::<BigDecimal>().ok().filter(arith::is_tame)
}

/// `decimal` of one value.
fn to_decimal(v: &Value) -> Option<Value> {
    match v {
        Value::Str(s) => parse_decimal(s),
        Value::Decimal(_) => return Some(v.clone()),
        _ => arith::to_decimal(Number::of(v)?),
    }
    .map(Value::decimal)
}

/// `float` of one value.
fn to_float(v: &Value) -> Option<Value> {
    let f = match v {
        Value::Str(s) => {
            let s = s.trim();
            if too_long(s) || !is_decimal_text_capped(s, MAX_EXPONENT_DIGITS) {
                return None;
            }
            s.parse::<f64>().ok()?
        }
        Value::Decimal(d) if arith::is_tame(d) => arith::decimal_to_f64(d)?,
        _ => Number::of(v)?.to_f64(),
    };
    f.is_finite().then_some(Value::Float(f))
}

/// Two's-complement hex digits: the top bit of the given digits is the sign
/// (`ff` → −1, `00ff` → 255, `8` → −8).
fn parse_hex(digits: &str) -> Option<BigInt> {
    if digits.is_empty() || too_long(digits) || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let n = BigInt::from(BigUint::parse_bytes(digits.as_bytes(), 16)?);
    let negative = u8::from_str_radix(&digits[..1], 16).ok()? >= 8;
    Some(if negative { n - (BigInt::from(1) << (4 * digits.len())) } else { n })
}

fn parse_integer(s: &str) -> Option<BigInt> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return parse_hex(hex);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || too_long(digits) || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

/// `integer` of one value: floats and decimals are truncated towards zero.
fn to_integer(v: &Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Some(v.clone()),
        Value::Str(s) => parse_integer(s).map(Value::from_bigint),
        Value::Float(f) if f.is_finite() => {
            let t = f.trunc();
            if t.abs() < 9.0e18 {
                Some(Value::Int(t as i64))
            } else {
                BigInt::from_f64(t).map(Value::from_bigint)
            }
        }
        Value::Decimal(d) => arith::decimal_to_bigint(d, Rounding::Trunc).map(Value::from_bigint),
        _ => None,
    }
}

/// A conversion: 1 argument → VALUES; 2 → DEFAULT, VALUES. Null elements are
/// skipped; an element that fails is dropped, or replaced by DEFAULT evaluated
/// with `_` bound to it (its value used as is).
fn convert(args: &Args<'_>, env: &Env<'_>, f: fn(&Value) -> Option<Value>) -> EvalResult<Value> {
    let default = (args.len() == 2).then_some(0);
    let values = args.eval(args.len() - 1, env)?;
    let one = |v: &Value| -> EvalResult<Option<Value>> {
        match (f(v), default) {
            (Some(out), _) => Ok(Some(out)),
            (None, Some(d)) => args.eval_with(d, env, v).map(Some),
            (None, None) => Ok(None),
        }
    };
    match &values {
        Value::Null => Ok(Value::Null),
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for v in items.iter().filter(|v| !v.is_null()) {
                if let Some(x) = one(v)? {
                    out.push(x);
                }
            }
            Ok(Value::list(out))
        }
        single => Ok(one(single)?.unwrap_or(Value::Null)),
    }
}

fn decimal(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    convert(args, env, to_decimal)
}

fn float(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    convert(args, env, to_float)
}

fn integer(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    convert(args, env, to_integer)
}

/// `"0x"` + the fewest whole bytes of two's complement that hold the integer.
fn hex_text(v: &Value) -> Option<Value> {
    let bytes = match v {
        Value::Int(i) => BigInt::from(*i).to_signed_bytes_be(),
        Value::BigInt(b) => b.to_signed_bytes_be(),
        _ => return None,
    };
    let mut text = String::with_capacity(2 + 2 * bytes.len());
    text.push_str("0x");
    for b in &bytes {
        text.push_str(&format!("{b:02x}"));
    }
    if bytes.is_empty() {
        text.push_str("00");
    }
    Some(Value::from(text))
}

fn hex(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, hex_text))
}

/// A type predicate on the value, or on the first element of a list.
fn first_is(args: &Args<'_>, env: &Env<'_>, test: fn(&Value) -> bool) -> EvalResult<Value> {
    let v = args.eval(0, env)?;
    Ok(Value::Bool(v.first().is_some_and(test)))
}

fn is_decimal(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    first_is(args, env, |v| matches!(v, Value::Decimal(_)))
}

fn is_float(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    first_is(args, env, |v| matches!(v, Value::Float(_)))
}

fn is_integer(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    first_is(args, env, |v| matches!(v, Value::Int(_) | Value::BigInt(_)))
}

const CONVERSION: &str = "DEFAULT(default-value-expression{0|1}) VALUES(value-expression{1})";

/// The numbers family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "decimal",
        family: Family::Numbers,
        signature: CONVERSION,
        summary: "Each value as a decimal; failures are dropped, or replaced by DEFAULT (with `_` = the value).",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["decimal", "1.0"]"#, result: r#""~f1.0""# },
            Example {
                expr: r#"["decimal", ["string", "_."], ["list", "1.0", 2.2, "~rhttp://www.example.org/", "one"]]"#,
                result: r#"["~f1.0", "~f2.2", "http://www.example.org/", "one"]"#,
            },
        ],
        eval: decimal,
    },
    Builtin {
        name: "float",
        family: Family::Numbers,
        signature: CONVERSION,
        summary: "Each value as a float; failures are dropped, or replaced by DEFAULT (with `_` = the value).",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["float", ["list", "1.0", "~rhttp://www.example.org/", 2, "one"]]"#,
                result: "[1.0, 2.0]",
            },
            Example { expr: r#"["float", ["boolean", false], ["list", "1e3", "nan"]]"#, result: "[1000.0, false]" },
        ],
        eval: float,
    },
    Builtin {
        name: "integer",
        family: Family::Numbers,
        signature: CONVERSION,
        summary: "Each value as an integer (truncated; \"0x\" strings are two's-complement hex); failures \
                  are dropped, or replaced by DEFAULT (with `_` = the value).",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["integer", ["list", "1", "~rhttp://www.example.org/", 124.4, 12345]]"#,
                result: "[1, 124, 12345]",
            },
            Example { expr: r#"["integer", ["integer", 0], ["list", "1", "10^2"]]"#, result: "[1, 0]" },
            Example { expr: r#"["integer", ["list", "0x00ff", "0xff"]]"#, result: "[255, -1]" },
        ],
        eval: integer,
    },
    Builtin {
        name: "hex",
        family: Family::Numbers,
        signature: "VALUES(value-expression{1})",
        summary: "Each integer as \"0x\" + its two's-complement hex in whole bytes; non-integers are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["hex", 255]"#, result: r#""0x00ff""# },
            Example { expr: r#"["hex", ["list", 1, -1, 124.4, 12345]]"#, result: r#"["0x01", "0xff", "0x3039"]"# },
        ],
        eval: hex,
    },
    Builtin {
        name: "is-decimal",
        family: Family::Numbers,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a decimal.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-decimal", ["decimal", "1.23"]]"#, result: "true" },
            Example { expr: r#"["is-decimal", 1.0]"#, result: "false" },
        ],
        eval: is_decimal,
    },
    Builtin {
        name: "is-float",
        family: Family::Numbers,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a float.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-float", ["list", 1.0, "12345"]]"#, result: "true" },
            Example { expr: r#"["is-float", 1]"#, result: "false" },
        ],
        eval: is_float,
    },
    Builtin {
        name: "is-integer",
        family: Family::Numbers,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is an integer.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-integer", ["list", 1, "12345"]]"#, result: "true" },
            Example { expr: r#"["is-integer", "1"]"#, result: "false" },
        ],
        eval: is_integer,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::wire;

    fn v(text: &str) -> Value {
        wire::parse(text.as_bytes()).unwrap()
    }

    fn show(f: fn(&Value) -> Option<Value>, text: &str) -> String {
        f(&v(text)).map_or("none".into(), |x| x.to_string())
    }

    #[test]
    fn integers_from_text() {
        assert_eq!(show(to_integer, r#""0xff""#), "-1");
        assert_eq!(show(to_integer, r#""0x00ff""#), "255");
        assert_eq!(show(to_integer, r#""0x8""#), "-8");
        assert_eq!(show(to_integer, r#""0x""#), "none");
        assert_eq!(show(to_integer, r#""0xfg""#), "none");
        assert_eq!(show(to_integer, r#"" +12 ""#), "12");
        assert_eq!(show(to_integer, r#""-12""#), "-12");
        assert_eq!(show(to_integer, r#""1.5""#), "none");
        assert_eq!(show(to_integer, r#""-""#), "none");
        assert_eq!(show(to_integer, r#""10^2""#), "none");
        assert_eq!(show(to_integer, r#""123456789012345678901234567890""#), "123456789012345678901234567890");
        assert_eq!(show(to_integer, "true"), "none");
        assert_eq!(show(to_integer, "-124.9"), "-124");
        assert_eq!(show(to_integer, "1e300").len(), 301);
        assert_eq!(show(to_integer, r#""~f-2.99""#), "-2");
        assert_eq!(show(to_integer, r#""~f1e1000000000""#), "none");
        let long = format!("\"{}\"", "9".repeat(200_000));
        assert_eq!(show(to_integer, &long), "none");
    }

    #[test]
    fn floats_and_decimals_from_text() {
        assert_eq!(show(to_float, r#""1e3""#), "1000.0");
        assert_eq!(show(to_float, r#""nan""#), "none");
        assert_eq!(show(to_float, r#""inf""#), "none");
        assert_eq!(show(to_float, r#""1e400""#), "none");
        assert_eq!(show(to_float, r#""~f0.1""#), "0.1");
        assert_eq!(show(to_float, "false"), "none");
        assert_eq!(show(to_decimal, r#""1.0""#), r#""~f1.0""#);
        assert_eq!(show(to_decimal, "2.0"), r#""~f2.0""#);
        assert_eq!(show(to_decimal, "2.2"), r#""~f2.2""#);
        assert_eq!(show(to_decimal, "7"), r#""~f7""#);
        assert_eq!(show(to_decimal, r#""1e1000000000""#), "none");
        assert_eq!(show(to_decimal, r#""1e99999999999999999999""#), "none");
        assert_eq!(show(to_decimal, r#""Infinity""#), "none");
        assert_eq!(show(to_decimal, r#""one""#), "none");
        assert_eq!(show(to_decimal, r#""~rhttp://x/""#), "none");
        for text in ["1e-999999999999999999", ".1e999999999999999999", "-.e1", "+", "1e", "1e+", "..1", " ", ""] {
            let s = Value::str(text);
            assert!(to_decimal(&s).is_none(), "{text}");
            let _ = (to_float(&s), to_integer(&s));
        }
    }

    #[test]
    fn hex_uses_whole_bytes() {
        for (n, text) in [
            ("0", "0x00"),
            ("1", "0x01"),
            ("127", "0x7f"),
            ("128", "0x0080"),
            ("255", "0x00ff"),
            ("-1", "0xff"),
            ("-128", "0x80"),
            ("-129", "0xff7f"),
            ("12345", "0x3039"),
        ] {
            assert_eq!(show(hex_text, n), format!("\"{text}\""));
            // hex and integer round-trip.
            assert_eq!(show(to_integer, &format!("\"{text}\"")), n);
        }
        assert_eq!(show(hex_text, "1.0"), "none");
        assert_eq!(show(hex_text, "\"12\""), "none");
    }
}
