//! List functions: building, splicing, indexing, slicing and summing lists.
//! The ordering, grouping and dict-mapping ones are in `lists_order.rs`.
//!
//! VALUES arguments are coerced to lists (null → empty, a single value → one
//! element) unless a function's shape rule says otherwise.

use bigdecimal::BigDecimal;
use num_bigint::BigInt;

use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{equal, Number, Value};

/// The most elements `range` builds (a guard against exhausting memory).
const MAX_RANGE_LEN: i128 = 10_000_000;

fn list(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let items = (0..args.len()).map(|i| args.eval(i, env)).collect::<EvalResult<Vec<_>>>()?;
    Ok(Value::list(items))
}

fn first(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(args.eval(0, env)?.iter_list().next().cloned().unwrap_or(Value::Null))
}

fn last(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(args.eval(0, env)?.iter_list().next_back().cloned().unwrap_or(Value::Null))
}

fn count(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Int(args.eval(0, env)?.iter_list().len() as i64))
}

fn map(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(1, env)?;
    let mut out = Vec::new();
    for v in values.iter_list() {
        out.push(args.eval_with(0, env, v)?);
    }
    Ok(match values {
        Value::List(_) | Value::Null => Value::list(out),
        _ => out.pop().unwrap_or(Value::Null),
    })
}

fn in_(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let (values, items) = (args.eval(0, env)?, args.eval(1, env)?);
    let mut values = values.iter_list().peekable();
    let found = values.peek().is_some() && values.all(|v| items.iter_list().any(|i| equal(v, i)));
    Ok(Value::Bool(found))
}

fn is_empty(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(args.eval(0, env)?.iter_list().len() == 0))
}

fn is_not_empty(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(args.eval(0, env)?.iter_list().len() > 0))
}

/// An integer argument as an `i64`; a big integer saturates (every index it
/// could stand for is out of range anyway). Anything else is not an integer.
pub(super) fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::BigInt(b) => Some(if b.sign() == num_bigint::Sign::Minus { i64::MIN } else { i64::MAX }),
        _ => None,
    }
}

/// `start + i` as an integer value, growing into a big integer when needed.
fn offset(start: i64, i: usize) -> Value {
    match i64::try_from(i).ok().and_then(|i| start.checked_add(i)) {
        Some(n) => Value::Int(n),
        None => Value::from_bigint(BigInt::from(start) + BigInt::from(i)),
    }
}

fn combine(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let mut out = Vec::new();
    for i in 0..args.len() {
        out.extend(args.eval(i, env)?.iter_list().cloned());
    }
    Ok(Value::list(out))
}

fn enumerate(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let start = if args.len() == 2 {
        match args.eval(0, env)? {
            Value::Int(i) => i,
            Value::Null => 0,
            _ => return Ok(Value::Null),
        }
    } else {
        0
    };
    let entry = |i: usize, v: &Value| {
        let mut map = crate::value::map_with_capacity(2);
        map.insert("key".into(), offset(start, i));
        map.insert("value".into(), v.clone());
        Value::dict(map)
    };
    Ok(match args.eval(args.len() - 1, env)? {
        Value::List(items) => Value::list(items.iter().enumerate().map(|(i, v)| entry(i, v)).collect()),
        Value::Null => Value::Null,
        single => entry(0, &single),
    })
}

fn filter(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(1, env)?;
    let mut out = Vec::new();
    for v in values.iter_list() {
        if args.eval_with(0, env, v)?.is_truthy() {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

fn flatten(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(0, env)?;
    let mut out = Vec::new();
    for v in values.iter_list() {
        match v {
            Value::List(items) => out.extend(items.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::list(out))
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

fn is_list(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?, Value::List(_))))
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

fn reversed(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(match args.eval(0, env)? {
        Value::List(items) => Value::list(items.iter().rev().cloned().collect()),
        other => other,
    })
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

/// The lists family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "list",
        family: Family::Lists,
        signature: "VALUES(value-expression{>=0})",
        summary: "A list of the arguments' values (nested lists stay nested).",
        min_args: 0,
        max_args: None,
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["list", "a", ["list", "b"], "c"]"#, result: r#"["a", ["b"], "c"]"# },
            Example { expr: r#"["list"]"#, result: "[]" },
        ],
        eval: list,
    },
    Builtin {
        name: "first",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "The first element (a single value is its own first element); null for an empty list.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["first", ["list", "a", "b"]]"#, result: r#""a""# },
            Example { expr: r#"["first", ["list"]]"#, result: "null" },
        ],
        eval: first,
    },
    Builtin {
        name: "last",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "The last element (a single value is its own last element); null for an empty list.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["last", ["list", "a", "b"]]"#, result: r#""b""# },
            Example { expr: r#"["last", 123]"#, result: "123" },
        ],
        eval: last,
    },
    Builtin {
        name: "count",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "The number of elements: 0 for null, 1 for a single value.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["count", ["list", 2, 4, 6]]"#, result: "3" },
            Example { expr: r#"["count", null]"#, result: "0" },
        ],
        eval: count,
    },
    Builtin {
        name: "map",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{1}) VALUES(value-expression{1})",
        summary: "FUNCTION applied to each element (with `_` bound); list results are not flattened.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example { expr: r#"["map", ["upper", "_."], ["list", "a", "b"]]"#, result: r#"["A", "B"]"# }],
        eval: map,
    },
    Builtin {
        name: "in",
        family: Family::Lists,
        signature: "VALUES(value-expression{1}) ITEMS(value-expression{1})",
        summary: "Whether VALUES is non-empty and every one of its elements occurs in ITEMS.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["in", ["list", "a", "c"], ["list", "a", "b", "c"]]"#, result: "true" },
            Example { expr: r#"["in", null, ["list", null]]"#, result: "false" },
        ],
        eval: in_,
    },
    Builtin {
        name: "is-empty",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value is null or an empty list.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-empty", ["list"]]"#, result: "true" },
            Example { expr: r#"["is-empty", 0]"#, result: "false" },
        ],
        eval: is_empty,
    },
    Builtin {
        name: "is-not-empty",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value is neither null nor an empty list.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["is-not-empty", ["list", 1]]"#, result: "true" }],
        eval: is_not_empty,
    },
    Builtin {
        name: "combine",
        family: Family::Lists,
        signature: "VALUES(value-expression{>=1})",
        summary: "One list of all the arguments, list arguments spliced in one level; nulls contribute nothing.",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["combine", 1, ["list", 2, 3, ["list", 4]]]"#, result: "[1, 2, 3, [4]]" },
            Example { expr: r#"["combine", null]"#, result: "[]" },
        ],
        eval: combine,
    },
    Builtin {
        name: "enumerate",
        family: Family::Lists,
        signature: "START(integer-expression{0|1}) VALUES(value-expression{1})",
        summary: "Each element as {\"key\": counter, \"value\": element}, counting from START (default 0).",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["enumerate", 2, ["list", 17, 32]]"#,
                result: r#"[{"key": 2, "value": 17}, {"key": 3, "value": 32}]"#,
            },
            Example { expr: r#"["enumerate", "a"]"#, result: r#"{"key": 0, "value": "a"}"# },
        ],
        eval: enumerate,
    },
    Builtin {
        name: "filter",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{1}) VALUES(value-expression{1})",
        summary: "The elements for which FUNCTION (with `_` bound) is truthy, in order; always a list.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["filter", ["first", "_."], ["list", 0, null, ["list"], "", false]]"#, result: r#"[0, ""]"# },
            Example { expr: r#"["filter", "_.", null]"#, result: "[]" },
        ],
        eval: filter,
    },
    Builtin {
        name: "flatten",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "The elements with every list element replaced by its elements (one level).",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["flatten", ["list", ["list", 1, 2], ["list", 3, ["list", 4], 5], 6]]"#,
            result: "[1, 2, 3, [4], 5, 6]",
        }],
        eval: flatten,
    },
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
        name: "is-list",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value itself is a list (of any length).",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-list", ["list", "foo:bar"]]"#, result: "true" },
            Example { expr: r#"["is-list", "foo:bar"]"#, result: "false" },
        ],
        eval: is_list,
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
        name: "reversed",
        family: Family::Lists,
        signature: "VALUES(value-expression{1})",
        summary: "The elements in reverse order (a single value is returned as it is).",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["reversed", ["list", 1, 3, 2]]"#, result: "[2, 3, 1]" }],
        eval: reversed,
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
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::{equal, wire, Value};

    /// Evaluates a JSON DTL expression: `Ok(wire JSON)` or `Err` for a run-time error.
    fn run(expr: &str) -> Result<String, String> {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let src = source("test", expr);
        let compiled = Program::compile_expression(&Node::from_json(&json), &src).map_err(|e| e.to_string())?;
        let empty = Value::dict(Default::default());
        compiled.evaluate(&empty, &empty).map(|v| v.to_string()).map_err(|e| e.to_string())
    }

    fn check(expr: &str, expected: &str) {
        let got = run(expr).unwrap_or_else(|e| panic!("{expr} failed: {e}"));
        let (g, e) = (wire::parse(got.as_bytes()).unwrap(), wire::parse(expected.as_bytes()).unwrap());
        assert!(equal(&g, &e) && g.type_name() == e.type_name(), "{expr} gave {got}, expected {expected}");
    }

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

    #[test]
    fn other_shapes() {
        check(r#"["combine", ["list", null, 1], null, ["list"]]"#, "[null, 1]");
        check(r#"["enumerate", null]"#, "null");
        check(r#"["enumerate", "a", ["list", 1]]"#, "null");
        check(
            r#"["enumerate", 9223372036854775807, ["list", 1, 2]]"#,
            r#"[{"key": 9223372036854775807, "value": 1}, {"key": 9223372036854775808, "value": 2}]"#,
        );
        check(r#"["enumerate", -1, ["list"]]"#, "[]");
        check(r#"["filter", "_.", "x"]"#, r#"["x"]"#);
        check(r#"["filter", "_.", ["list", ["list", false], {}, 0]]"#, "[[false], {}, 0]");
        check(r#"["flatten", null]"#, "[]");
        check(r#"["flatten", "a"]"#, r#"["a"]"#);
        check(r#"["flatten", ["list", null, ["list", null]]]"#, "[null, null]");
        check(r#"["is-list", ["list"]]"#, "true");
        check(r#"["is-list", null]"#, "false");
        check(r#"["reversed", "a"]"#, r#""a""#);
        check(r#"["reversed", null]"#, "null");
    }
}
