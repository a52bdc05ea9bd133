//! Math: the natural-order operators `+ - * / % ^`, the map-style `plus minus
//! multiply divide mod pow`, and `abs`, `ceil`, `floor`, `round`, `sqrt`, `sin`,
//! `cos`, `tan`.
//!
//! The operators take the first value of each argument and give one number or
//! null. The map-style functions apply the operation to every number in VALUES
//! with the element on the left (`["minus", 10, 12]` is 12 − 10); non-numbers and
//! failed operations (division by zero, overflow) are dropped.

use num_bigint::BigInt;
use num_traits::FromPrimitive;

use super::arith::{self, Op, Rounding, MAX_DIGITS};
use super::support::map_values;
use super::{Args, Builtin, EvalFn, Example, Family};
use crate::eval::{Env, EvalResult};
use crate::value::{Number, Value};

/// `a op b` on the first values of the two arguments.
fn natural(op: Op, args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let a = args.eval(0, env)?;
    let b = args.eval(1, env)?;
    Ok(match (a.first(), b.first()) {
        (Some(x), Some(y)) => arith::apply(op, x, y).unwrap_or(Value::Null),
        _ => Value::Null,
    })
}

/// `element op operand` for every number in VALUES (argument 1); the operand is
/// the first value of argument 0.
fn map_style(op: Op, args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let operand = args.eval(0, env)?;
    let values = args.eval(1, env)?;
    let Some(operand) = operand.first().filter(|v| v.is_number()) else { return Ok(Value::Null) };
    Ok(map_values(&values, |e| arith::apply(op, e, operand)))
}

/// The float value of a number (decimals correctly rounded); `None` if it overflows.
fn to_f64(v: &Value) -> Option<f64> {
    let f = match Number::of(v)? {
        Number::Decimal(d) if arith::is_tame(d) => arith::decimal_to_f64(d)?,
        n => n.to_f64(),
    };
    f.is_finite().then_some(f)
}

/// A float function applied element-wise; non-finite results are dropped.
fn float_fn(args: &Args<'_>, env: &Env<'_>, f: fn(f64) -> f64) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| {
        let r = f(to_f64(v)?);
        r.is_finite().then_some(Value::Float(r))
    }))
}

fn abs_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Int(i) => i.checked_abs().map_or_else(|| Value::from_bigint(-BigInt::from(*i)), Value::Int),
        Value::BigInt(b) => Value::from_bigint(num_traits::Signed::abs(b.as_ref())),
        Value::Float(f) => Value::Float(f.abs()),
        Value::Decimal(d) => Value::decimal(d.abs()),
        _ => return None,
    })
}

fn abs(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, abs_value))
}

/// An integral float as an integer value.
fn float_to_int(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.abs() < 9.0e18 {
        return Some(Value::Int(f as i64));
    }
    BigInt::from_f64(f).map(Value::from_bigint)
}

/// `v` rounded to `places` decimal places (`None`: to an integer).
/// The rounding is done on the decimal value (a float's shortest text).
pub fn round_number(v: &Value, places: Option<i64>, mode: Rounding) -> Option<Value> {
    if places.is_some_and(|p| p < -(MAX_DIGITS as i64)) {
        return None;
    }
    let places = places.filter(|&p| p != 0);
    match (Number::of(v)?, places) {
        (Number::Int(_) | Number::Big(_), None) => Some(v.clone()),
        (Number::Int(_) | Number::Big(_), Some(p)) if p > 0 => Some(v.clone()),
        (n @ (Number::Int(_) | Number::Big(_)), Some(p)) => {
            let d = arith::to_decimal(n)?;
            let r = arith::round_decimal(&d, p, mode);
            arith::decimal_to_bigint(&r, Rounding::Trunc).map(Value::from_bigint)
        }
        (Number::Float(f), None) => float_to_int(match mode {
            Rounding::Ceil => f.ceil(),
            Rounding::Floor => f.floor(),
            Rounding::HalfEven => f.round_ties_even(),
            Rounding::Trunc => f.trunc(),
        }),
        (n @ Number::Float(f), Some(p)) => {
            let d = arith::to_decimal(n)?;
            if d.fractional_digit_count() <= p {
                return Some(Value::Float(f));
            }
            arith::decimal_to_f64(&arith::round_decimal(&d, p, mode)).map(Value::Float)
        }
        (Number::Decimal(d), None) => arith::decimal_to_bigint(d, mode).map(Value::from_bigint),
        (Number::Decimal(d), Some(p)) => arith::is_tame(d).then(|| Value::decimal(arith::round_decimal(d, p, mode))),
    }
}

/// `ceil`/`floor`/`round`: 1 argument → VALUES; 2 → DIGITS, VALUES.
fn rounding(args: &Args<'_>, env: &Env<'_>, mode: Rounding) -> EvalResult<Value> {
    let places = if args.len() == 2 {
        match args.eval(0, env)?.first() {
            Some(Value::Int(p)) => Some(*p),
            _ => return Ok(Value::Null),
        }
    } else {
        None
    };
    let values = args.eval(args.len() - 1, env)?;
    Ok(map_values(&values, |v| round_number(v, places, mode)))
}

/// A math builtin taking `arity.0` to `arity.1` expressions.
const fn math_fn(
    name: &'static str,
    arity: (usize, usize),
    signature: &'static str,
    summary: &'static str,
    examples: &'static [Example],
    eval: EvalFn,
) -> Builtin {
    Builtin::plain(name, Family::Math, signature, (arity.0, Some(arity.1)), summary, examples, eval)
}

/// The signature of `ceil`, `floor` and `round`.
const DIGITS_SIGNATURE: &str = "DIGITS(numeric-expression{0|1}) VALUES(value-expression{1})";

/// The math family.
pub const BUILTINS: &[Builtin] = &[
    math_fn(
        "+",
        (2, 2),
        "VALUE1(value-expression{1}) VALUE2(value-expression{1})",
        "VALUE1 + VALUE2 on the first value of each; null if either is null or not a number.",
        &[
            Example { expr: r#"["+", 10, 3]"#, result: "13" },
            Example { expr: r#"["+", 10, ["list", 10, 20, 30]]"#, result: "20" },
            Example { expr: r#"["+", null, 1]"#, result: "null" },
        ],
        |args, env| natural(Op::Add, args, env),
    ),
    math_fn(
        "-",
        (2, 2),
        "VALUE1(value-expression{1}) VALUE2(value-expression{1})",
        "VALUE1 − VALUE2 on the first value of each; null if either is null or not a number.",
        &[
            Example { expr: r#"["-", 10, 12]"#, result: "-2" },
            Example { expr: r#"["-", 1, ["list", 1, 2, 3]]"#, result: "0" },
        ],
        |args, env| natural(Op::Sub, args, env),
    ),
    math_fn(
        "*",
        (2, 2),
        "VALUE(value-expression{1}) MULTIPLIER(value-expression{1})",
        "VALUE × MULTIPLIER on the first value of each; null if either is null or not a number.",
        &[
            Example { expr: r#"["*", 10, 20]"#, result: "200" },
            Example { expr: r#"["*", ["list", 2.3, 14], 2]"#, result: "4.6" },
        ],
        |args, env| natural(Op::Mul, args, env),
    ),
    math_fn(
        "/",
        (2, 2),
        "DIVIDEND(numeric-expression{1}) DIVISOR(value-expression{1})",
        "DIVIDEND / DIVISOR (true division; two integers give a decimal); null on division by zero.",
        &[
            Example { expr: r#"["/", 10, 20]"#, result: r#""~f0.5""# },
            Example { expr: r#"["/", 1.0, 4]"#, result: "0.25" },
            Example { expr: r#"["/", 5, 0]"#, result: "null" },
        ],
        |args, env| natural(Op::Div, args, env),
    ),
    math_fn(
        "%",
        (2, 2),
        "DIVIDEND(numeric-expression{1}) DIVISOR(value-expression{1})",
        "DIVIDEND modulo DIVISOR (Python's %: the sign of the divisor); null on division by zero.",
        &[
            Example { expr: r#"["%", 5, 3]"#, result: "2" },
            Example { expr: r#"["%", -7, 3]"#, result: "2" },
            Example { expr: r#"["%", 5, 0]"#, result: "null" },
        ],
        |args, env| natural(Op::Mod, args, env),
    ),
    math_fn(
        "^",
        (2, 2),
        "VALUE(value-expression{1}) EXPONENT(value-expression{1})",
        "VALUE raised to EXPONENT (a negative integer exponent gives a float); null if too large.",
        &[
            Example { expr: r#"["^", 5, 2]"#, result: "25" },
            Example { expr: r#"["^", 2, -1]"#, result: "0.5" },
            Example { expr: r#"["^", 10, 100000000]"#, result: "null" },
        ],
        |args, env| natural(Op::Pow, args, env),
    ),
    math_fn(
        "plus",
        (2, 2),
        "INCREMENT(numeric-expression{1}) VALUES(value-expression{1})",
        "Each number in VALUES plus INCREMENT; non-numbers are dropped.",
        &[
            Example { expr: r#"["plus", 10, ["list", 1, 2, 3]]"#, result: "[11, 12, 13]" },
            Example { expr: r#"["plus", 1, ["list", 1, "a", 2]]"#, result: "[2, 3]" },
        ],
        |args, env| map_style(Op::Add, args, env),
    ),
    math_fn(
        "minus",
        (2, 2),
        "DECREMENT(numeric-expression{1}) VALUES(value-expression{1})",
        "Each number in VALUES minus DECREMENT; non-numbers are dropped.",
        &[Example { expr: r#"["minus", 10, 12]"#, result: "2" }],
        |args, env| map_style(Op::Sub, args, env),
    ),
    math_fn(
        "multiply",
        (2, 2),
        "MULTIPLIER(numeric-expression{1}) VALUES(value-expression{1})",
        "Each number in VALUES times MULTIPLIER; non-numbers are dropped.",
        &[Example { expr: r#"["multiply", 2, ["list", 2, 4, 6]]"#, result: "[4, 8, 12]" }],
        |args, env| map_style(Op::Mul, args, env),
    ),
    math_fn(
        "divide",
        (2, 2),
        "DIVISOR(numeric-expression{1}) DIVIDENDS(value-expression{1})",
        "Each number in DIVIDENDS divided by DIVISOR (two integers give a decimal); division by zero drops.",
        &[
            Example { expr: r#"["divide", 2, ["list", 2, 4, 6]]"#, result: r#"["~f1", "~f2", "~f3"]"# },
            Example { expr: r#"["divide", ["list", 2, 8], 3]"#, result: r#""~f1.5""# },
        ],
        |args, env| map_style(Op::Div, args, env),
    ),
    math_fn(
        "mod",
        (2, 2),
        "DIVISOR(numeric-expression{1}) VALUES(value-expression{1})",
        "Each number in VALUES modulo DIVISOR (Python's %); non-numbers are dropped.",
        &[Example { expr: r#"["mod", 2, ["list", 2, 5, 6]]"#, result: "[0, 1, 0]" }],
        |args, env| map_style(Op::Mod, args, env),
    ),
    math_fn(
        "pow",
        (2, 2),
        "EXPONENT(numeric-expression{1}) VALUES(value-expression{1})",
        "Each number in VALUES raised to EXPONENT; non-numbers and too large results are dropped.",
        &[Example { expr: r#"["pow", 3, 10]"#, result: "1000" }],
        |args, env| map_style(Op::Pow, args, env),
    ),
    math_fn(
        "abs",
        (1, 1),
        "VALUE(numeric-expression{1})",
        "The absolute value of each number, type kept; non-numbers are dropped.",
        &[
            Example { expr: r#"["abs", ["list", -2, 4, -6]]"#, result: "[2, 4, 6]" },
            Example { expr: r#"["abs", -2.23]"#, result: "2.23" },
        ],
        abs,
    ),
    math_fn(
        "ceil",
        (1, 2),
        DIGITS_SIGNATURE,
        "Each number rounded up to DIGITS decimal places (default 0: an integer); non-numbers are dropped.",
        &[
            Example { expr: r#"["ceil", ["list", 2.2, 4.778, 6]]"#, result: "[3, 5, 6]" },
            Example { expr: r#"["ceil", 1, ["list", 2.2, 4.778, 6]]"#, result: "[2.2, 4.8, 6]" },
        ],
        |args, env| rounding(args, env, Rounding::Ceil),
    ),
    math_fn(
        "floor",
        (1, 2),
        DIGITS_SIGNATURE,
        "Each number rounded down to DIGITS decimal places (default 0: an integer); non-numbers are dropped.",
        &[
            Example { expr: r#"["floor", 2, 0.29]"#, result: "0.29" },
            Example { expr: r#"["floor", 2, 2.299]"#, result: "2.29" },
        ],
        |args, env| rounding(args, env, Rounding::Floor),
    ),
    math_fn(
        "round",
        (1, 2),
        DIGITS_SIGNATURE,
        "Each number rounded half-to-even to DIGITS decimal places (default 0: an integer).",
        &[
            Example { expr: r#"["round", ["list", 2.2, 3.5, 4.5, -4.5]]"#, result: "[2, 4, 4, -4]" },
            Example { expr: r#"["round", 2, 2.675]"#, result: "2.68" },
            Example { expr: r#"["round", 2, "~f2.299"]"#, result: r#""~f2.30""# },
        ],
        |args, env| rounding(args, env, Rounding::HalfEven),
    ),
    math_fn(
        "sqrt",
        (1, 1),
        "VALUE(numeric-expression{1})",
        "The square root of each number as a float; negative numbers give null (dropped from a list).",
        &[
            Example { expr: r#"["sqrt", ["list", 4, 9, 16]]"#, result: "[2.0, 3.0, 4.0]" },
            Example { expr: r#"["sqrt", -2]"#, result: "null" },
        ],
        // A negative input gives NaN, which is dropped (Python raises).
        |args, env| float_fn(args, env, f64::sqrt),
    ),
    math_fn(
        "sin",
        (1, 1),
        "VALUE(numeric-expression{1})",
        "The sine of each number (radians) as a float.",
        &[Example { expr: r#"["sin", 0.0]"#, result: "0.0" }],
        |args, env| float_fn(args, env, f64::sin),
    ),
    math_fn(
        "cos",
        (1, 1),
        "VALUE(numeric-expression{1})",
        "The cosine of each number (radians) as a float.",
        &[Example { expr: r#"["cos", ["list", 0, 0.0]]"#, result: "[1.0, 1.0]" }],
        |args, env| float_fn(args, env, f64::cos),
    ),
    math_fn(
        "tan",
        (1, 1),
        "VALUE(numeric-expression{1})",
        "The tangent of each number (radians) as a float; non-finite results give null.",
        &[Example { expr: r#"["tan", 0]"#, result: "0.0" }],
        |args, env| float_fn(args, env, f64::tan),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::wire;

    fn v(text: &str) -> Value {
        wire::parse(text.as_bytes()).unwrap()
    }

    fn r(value: &str, places: Option<i64>, mode: Rounding) -> String {
        round_number(&v(value), places, mode).map_or("none".into(), |x| x.to_string())
    }

    #[test]
    fn rounding_uses_the_decimal_value() {
        assert_eq!(r("0.29", Some(2), Rounding::Floor), "0.29");
        assert_eq!(r("2.675", Some(2), Rounding::HalfEven), "2.68");
        assert_eq!(r("2.2", Some(1), Rounding::Ceil), "2.2");
        assert_eq!(r("4.778", Some(1), Rounding::Ceil), "4.8");
        assert_eq!(r("2.299", None, Rounding::HalfEven), "2");
        assert_eq!(r("-4.5", None, Rounding::HalfEven), "-4");
        assert_eq!(r("6", Some(1), Rounding::Ceil), "6");
        assert_eq!(r("1250", Some(-2), Rounding::HalfEven), "1200");
        assert_eq!(r("1234.5", Some(-2), Rounding::Ceil), "1300.0");
        assert_eq!(r(r#""~f2.299""#, Some(2), Rounding::Ceil), r#""~f2.30""#);
        assert_eq!(r(r#""~f2.5""#, None, Rounding::HalfEven), "2");
        assert_eq!(r("1e300", None, Rounding::Floor).len(), 301);
        assert_eq!(r("1.5", Some(i64::MAX), Rounding::Floor), "1.5");
        assert_eq!(r("1.5", Some(i64::MIN), Rounding::Floor), "none");
        assert_eq!(r(r#""~f1e1000000000""#, None, Rounding::Floor), "none");
        assert_eq!(r("\"x\"", None, Rounding::Floor), "none");
    }

    #[test]
    fn absolute_values_keep_their_type() {
        assert_eq!(abs_value(&v("-9223372036854775808")).unwrap().to_string(), "9223372036854775808");
        assert_eq!(abs_value(&v(r#""~f-1.50""#)).unwrap().to_string(), r#""~f1.50""#);
        assert!(abs_value(&v("true")).is_none());
    }

    #[test]
    fn float_conversion_of_numbers() {
        assert_eq!(to_f64(&v(r#""~f0.1""#)), Some(0.1));
        assert_eq!(to_f64(&v("1e400").clone()), None);
        assert_eq!(to_f64(&v(&format!("1{}", "0".repeat(400)))), None);
    }
}

#[cfg(test)]
mod stress {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::Value;

    fn eval(expr: &str) -> String {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let src = source("stress", expr);
        let compiled = Program::compile_expression(&Node::from_json(&json), &src).unwrap();
        let empty = Value::dict(Default::default());
        compiled.evaluate(&empty, &empty).map_or_else(|e| format!("error: {e}"), |v| v.to_string())
    }

    #[test]
    fn hostile_inputs_neither_panic_nor_hang() {
        let start = std::time::Instant::now();
        let cases = [
            (r#"["^", 10, 100000000]"#, "null"),
            (r#"["^", 10, 1e300]"#, "null"),
            (r#"["^", 10.0, 100000000]"#, "null"),
            (r#"["^", "~f10", 100000000]"#, "null"),
            (r#"["^", "~f1.1", "~f1e18"]"#, "null"),
            (r#"["^", -8, 0.3333]"#, "null"),
            (r#"["pow", 100000000, ["list", 10, 1, "x"]]"#, "[1]"),
            (r#"["/", "~f1e-100000", "~f1e100000"]"#, "null"),
            (r#"["+", "~f1e100000", "~f1e-100000"]"#, "null"),
            (r#"["*", 1e308, 10]"#, "null"),
            (r#"["/", 0, 0]"#, "null"),
            (r#"["%", 0.0, 0]"#, "null"),
            (r#"["divide", 0, ["list", 1, 2]]"#, "[]"),
            (r#"["mod", 0, 5]"#, "null"),
            (r#"["sqrt", ["list", -1, 4, "x", null]]"#, "[2.0]"),
            (r#"["tan", 1e308]"#, "-0.5086861259107568"),
            (r#"["round", 1000000000000000000, 1.5]"#, "1.5"),
            (r#"["round", -1000000000000000000, 1.5]"#, "null"),
            (r#"["round", 1.5, 2.25]"#, "null"),
            (r#"["ceil", "~f1e200000"]"#, "null"),
            (r#"["floor", ["list", true, "1", null, 1.5]]"#, "[1]"),
            (r#"["abs", ["list", -9223372036854775808]]"#, "[9223372036854775808]"),
            (r#"["+", ["list"], 1]"#, "null"),
            (r#"["+", true, 1]"#, "null"),
            (r#"["integer", "0x"]"#, "null"),
        ];
        for (expr, expected) in cases {
            let got = eval(expr);
            assert_eq!(got, expected, "{expr}");
        }
        let big = eval(r#"["^", 7, 100000]"#);
        assert_eq!(big.len(), 84510);
        assert!(start.elapsed().as_secs() < 5, "too slow: {:?}", start.elapsed());
    }
}
