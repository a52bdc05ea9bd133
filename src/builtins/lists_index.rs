//! List functions that work with positions and numbers: `insert`, `nth`,
//! `range` and `slice` follow Python's index rules; `sum` follows the numeric tower.
//! The other list functions are in `lists.rs` and `lists_order.rs`.

use bigdecimal::BigDecimal;
use num_bigint::BigInt;

use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{Number, Value};

/// The most elements `range` builds (a guard against exhausting memory).
const MAX_RANGE_LEN: i128 = 10_000_000;

/// An integer argument as an `i64`; a big integer saturates (every index it
/// could stand for is out of range anyway). Anything else is not an integer.
fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::BigInt(b) => Some(if b.sign() == num_bigint::Sign::Minus { i64::MIN } else { i64::MAX }),
        _ => None,
    }
}

fn insert(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some(index) = int_arg(&args.eval(0, env)?) else { return Ok(Value::Null) };
    let mut items = args.eval(1, env)?.to_list();
    let object = args.eval(2, env)?;
    // Python's list.insert: a negative index counts from the end; out of range clamps.
    let len = items.len() as i128;
    let mut at = index as i128;
    if at < 0 {
        at += len;
    }
    items.insert(at.clamp(0, len) as usize, object);
    Ok(Value::list(items))
}

fn nth(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some(index) = int_arg(&args.eval(0, env)?) else { return Ok(Value::Null) };
    let values = args.eval(1, env)?;
    let items = values.iter_list().as_slice();
    let len = items.len() as i128;
    let at = if index < 0 { index as i128 + len } else { index as i128 };
    Ok(if (0..len).contains(&at) { items[at as usize].clone() } else { Value::Null })
}

fn range(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let mut bounds = [0i64, 0, 1];
    for (i, bound) in bounds.iter_mut().enumerate().take(args.len()) {
        match args.eval(i, env)? {
            Value::Int(n) => *bound = n,
            _ => return Ok(Value::Null),
        }
    }
    let [start, stop, step] = bounds.map(i128::from);
    if step == 0 {
        return Err(args.error("the STEP of `range` cannot be 0"));
    }
    let len = if step > 0 && start < stop {
        (stop - start + step - 1) / step
    } else if step < 0 && start > stop {
        (start - stop - step - 1) / -step
    } else {
        0
    };
    if len > MAX_RANGE_LEN {
        return Err(args.error(format!("`range` would have {len} elements; at most {MAX_RANGE_LEN} are allowed")));
    }
    // Every element lies between START and STOP, so it fits in an i64.
    Ok(Value::list((0..len).map(|i| Value::Int((start + i * step) as i64)).collect()))
}

/// The positions Python's `seq[start:stop:step]` picks from a sequence of `len`
/// elements (`None` stands for an omitted bound; `step` is not 0).
fn slice_positions(len: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> impl Iterator<Item = usize> {
    let len = len as i128;
    let step = i128::from(step);
    let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let adjust = |bound: Option<i64>, default: i128| match bound {
        None => default,
        Some(b) if b < 0 => (i128::from(b) + len).max(lower),
        Some(b) => i128::from(b).min(upper),
    };
    let start = adjust(start, if step > 0 { lower } else { upper });
    let stop = adjust(stop, if step > 0 { upper } else { lower });
    let mut at = start;
    std::iter::from_fn(move || {
        let inside = if step > 0 { at < stop } else { at > stop };
        if !inside {
            return None;
        }
        let here = at as usize;
        at += step;
        Some(here)
    })
}

fn slice(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    // START, [END, [STRIDE]], VALUES; a null bound means "omitted", as Python's None.
    let mut bounds = [None, None, None];
    for (i, bound) in bounds.iter_mut().enumerate().take(args.len() - 1) {
        match args.eval(i, env)? {
            Value::Null => {}
            v => match int_arg(&v) {
                Some(n) => *bound = Some(n),
                None => return Ok(Value::Null),
            },
        }
    }
    let step = bounds[2].unwrap_or(1);
    if step == 0 {
        return Err(args.error("the STRIDE of `slice` cannot be 0"));
    }
    let values = args.eval(args.len() - 1, env)?;
    let items = values.iter_list().as_slice();
    Ok(Value::list(slice_positions(items.len(), bounds[0], bounds[1], step).map(|i| items[i].clone()).collect()))
}

/// A running sum under the numeric tower: integers stay exact (growing into big
/// integers), a float makes the sum a float, a decimal makes it a decimal.
enum Sum {
    Int(i64),
    Big(BigInt),
    Float(f64),
    Decimal(BigDecimal),
}

impl Sum {
    fn add(self, n: Number<'_>) -> Sum {
        match (self, n) {
            (Sum::Int(a), Number::Int(b)) => match a.checked_add(b) {
                Some(c) => Sum::Int(c),
                None => Sum::Big(BigInt::from(a) + b),
            },
            (Sum::Int(a), Number::Big(b)) => Sum::Big(BigInt::from(a) + b),
            (Sum::Big(a), Number::Int(b)) => Sum::Big(a + b),
            (Sum::Big(a), Number::Big(b)) => Sum::Big(a + b),
            (Sum::Int(a), Number::Float(b)) => Sum::Float(a as f64 + b),
            (Sum::Big(a), Number::Float(b)) => Sum::Float(Number::Big(&a).to_f64() + b),
            (Sum::Float(a), Number::Decimal(b)) if !a.is_finite() => Sum::Float(a + Number::Decimal(b).to_f64()),
            (Sum::Float(a), Number::Int(_) | Number::Big(_) | Number::Float(_)) => Sum::Float(a + n.to_f64()),
            (Sum::Decimal(a), Number::Float(b)) if !b.is_finite() => Sum::Float(Number::Decimal(&a).to_f64() + b),
            (Sum::Decimal(a), _) => Sum::Decimal(a + n.to_decimal().unwrap_or_default()),
            (acc, Number::Decimal(b)) => Sum::Decimal(acc.to_decimal().unwrap_or_default() + b),
        }
    }

    fn to_decimal(&self) -> Option<BigDecimal> {
        match self {
            Sum::Int(i) => Number::Int(*i).to_decimal(),
            Sum::Big(b) => Number::Big(b).to_decimal(),
            Sum::Float(f) => Number::Float(*f).to_decimal(),
            Sum::Decimal(d) => Some(d.clone()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Sum::Int(i) => Value::Int(i),
            Sum::Big(b) => Value::from_bigint(b),
            Sum::Float(f) => Value::Float(f),
            Sum::Decimal(d) => Value::decimal(d),
        }
    }
}

fn sum(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(0, env)?;
    let total = values.iter_list().filter_map(Number::of).fold(Sum::Int(0), Sum::add);
    Ok(total.into_value())
}

/// The lists family: positions and numbers.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "insert",
        family: Family::Lists,
        signature: "INDEX(integer-expression{1}) VALUES(value-expression{1}) OBJECT(value-expression{1})",
        summary: "VALUES with OBJECT inserted as one element before INDEX (negative counts from the end).",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["insert", 1, ["list", 1, 2], ["list", 3, 4]]"#, result: "[1, [3, 4], 2]" },
            Example { expr: r#"["insert", -2, ["list", 1, 2, 3], 4]"#, result: "[1, 4, 2, 3]" },
            Example { expr: r#"["insert", 9, ["list", 1], 2]"#, result: "[1, 2]" },
        ],
        eval: insert,
    },
    Builtin {
        name: "nth",
        family: Family::Lists,
        signature: "INDEX(integer-expression{1}) VALUES(value-expression{1})",
        summary: "The element at zero-based INDEX (negative counts from the end); null when out of range.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["nth", 1, ["list", "a", "b", "c"]]"#, result: r#""b""# },
            Example { expr: r#"["nth", -1, ["list", "a", "b", "c"]]"#, result: r#""c""# },
            Example { expr: r#"["nth", 5, ["list", "a", "b", "c"]]"#, result: "null" },
        ],
        eval: nth,
    },
    Builtin {
        name: "range",
        family: Family::Lists,
        signature: "START(integer-expression{1}) STOP(integer-expression{1}) STEP(integer-expression{0|1})",
        summary: "The integers from START up to (not including) STOP by STEP (default 1, never 0).",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["range", 0, 4]"#, result: "[0, 1, 2, 3]" },
            Example { expr: r#"["range", 4, 0, -1]"#, result: "[4, 3, 2, 1]" },
        ],
        eval: range,
    },
    Builtin {
        name: "slice",
        family: Family::Lists,
        signature: "START(integer-expression{1}) END(integer-expression{0|1}) STRIDE(integer-expression{0|1}) VALUES(value-expression{1})",
        summary: "VALUES[START:END:STRIDE] as Python slices it (negative positions count from the end).",
        min_args: 2,
        max_args: Some(4),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["slice", 2, -2, 2, ["list", 0, 1, 2, 3, 4, 5, 6]]"#, result: "[2, 4]" },
            Example { expr: r#"["slice", 2, ["list", 0, 1, 2, 3, 4, 5, 6]]"#, result: "[2, 3, 4, 5, 6]" },
            Example { expr: r#"["slice", null, null, -1, ["list", 1, 2, 3]]"#, result: "[3, 2, 1]" },
        ],
        eval: slice,
    },
    Builtin {
        name: "sum",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "The sum of the numeric elements (others are ignored); 0 when there are none.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["sum", ["list", 2, 4, 6]]"#, result: "12" },
            Example { expr: r#"["sum", ["list", 1, "a", true, 2.5]]"#, result: "3.5" },
            Example { expr: r#"["sum", null]"#, result: "0" },
        ],
        eval: sum,
    },
];

#[cfg(test)]
mod tests {
    use super::super::support::testing::{check, run};

    #[test]
    fn slices_like_python() {
        let list = r#"["list", 0, 1, 2, 3, 4, 5, 6]"#;
        for (bounds, expected) in [
            ("-3", "[4, 5, 6]"),
            ("100", "[]"),
            ("-100", "[0, 1, 2, 3, 4, 5, 6]"),
            ("1, 3", "[1, 2]"),
            ("5, 2", "[]"),
            ("5, 2, -1", "[5, 4, 3]"),
            ("-1, -100, -2", "[6, 4, 2, 0]"),
            ("null, null, -3", "[6, 3, 0]"),
            ("100, null, -1", "[6, 5, 4, 3, 2, 1, 0]"),
            (r#"0, ["sum", ["list", 9223372036854775807, 9223372036854775807]], 3"#, "[0, 3, 6]"),
            (r#"["sum", ["list", -9223372036854775808, -9223372036854775808]], 2"#, "[0, 1]"),
        ] {
            check(&format!(r#"["slice", {bounds}, {list}]"#), expected);
        }
        check(r#"["slice", 0, "x"]"#, r#"["x"]"#);
        check(r#"["slice", 0, null]"#, "[]");
        check(r#"["slice", "a", ["list", 1]]"#, "null");
        check(r#"["slice", 1.0, ["list", 1]]"#, "null");
        assert!(run(r#"["slice", 0, 3, 0, ["list", 1]]"#).is_err());
    }

    #[test]
    fn ranges_like_python() {
        check(r#"["range", 0, 10, 3]"#, "[0, 3, 6, 9]");
        check(r#"["range", 10, 0, -3]"#, "[10, 7, 4, 1]");
        check(r#"["range", 5, 0]"#, "[]");
        check(r#"["range", 0, 5, -1]"#, "[]");
        check(r#"["range", -3, 0]"#, "[-3, -2, -1]");
        check(r#"["range", 9223372036854775806, 9223372036854775807]"#, "[9223372036854775806]");
        check(
            r#"["range", -9223372036854775808, 9223372036854775807, 9223372036854775807]"#,
            "[-9223372036854775808, -1, 9223372036854775806]",
        );
        check(r#"["range", 0, "4"]"#, "null");
        check(r#"["range", 0, 4.0]"#, "null");
        check(r#"["range", 0, ["sum", ["list", 9223372036854775807, 9223372036854775807]]]"#, "null");
        assert!(run(r#"["range", 0, 4, 0]"#).is_err());
        assert!(run(r#"["range", 0, 9223372036854775807]"#).is_err());
    }

    #[test]
    fn nth_and_insert_take_python_indices() {
        check(r#"["nth", -1, ["list", "a", "b"]]"#, r#""b""#);
        check(r#"["nth", -3, ["list", "a", "b"]]"#, "null");
        check(r#"["nth", -1, "a"]"#, r#""a""#);
        check(r#"["nth", 0, null]"#, "null");
        check(r#"["nth", "0", ["list", "a"]]"#, "null");
        check(r#"["nth", ["sum", ["list", 9223372036854775807, 9223372036854775807]], ["list", "a"]]"#, "null");
        check(r#"["nth", -9223372036854775808, ["list", "a"]]"#, "null");
        check(r#"["insert", 0, null, null]"#, "[null]");
        check(r#"["insert", -100, ["list", 1, 2], 0]"#, "[0, 1, 2]");
        check(r#"["insert", ["sum", ["list", 9223372036854775807, 9223372036854775807]], ["list", 1], 2]"#, "[1, 2]");
        check(r#"["insert", -9223372036854775808, ["list", 1], 2]"#, "[2, 1]");
        check(r#"["insert", null, ["list", 1], 2]"#, "null");
    }

    #[test]
    fn sums_follow_the_numeric_tower() {
        check(r#"["sum", ["list", 1, 2]]"#, "3");
        check(r#"["sum", ["list", 1, 2.5]]"#, "3.5");
        check(r#"["sum", ["list", 1, "~f2.5"]]"#, r#""~f3.5""#);
        check(r#"["sum", ["list", 0.1, "~f0.2"]]"#, r#""~f0.3""#);
        check(r#"["sum", ["list", "~f0.2", 0.5, 1]]"#, r#""~f1.7""#);
        check(r#"["sum", ["list", 9223372036854775807, 1]]"#, "9223372036854775808");
        check(r#"["sum", ["list", 9223372036854775807, 1, -2]]"#, "9223372036854775806");
        check(
            r#"["sum", ["list", ["sum", ["list", 9223372036854775807, 9223372036854775807]], 0.5]]"#,
            "1.8446744073709552e19",
        );
        check(r#"["sum", ["list", true, "1", null, {"a": 1}]]"#, "0");
        check(r#"["sum", 7]"#, "7");
        check(r#"["sum", ["list"]]"#, "0");
        // An overflowing float sum is infinite (whatever the wire makes of that), never a panic.
        assert!(run(r#"["sum", ["list", 1e308, 1e308, "~f1"]]"#).is_ok());
    }
}
