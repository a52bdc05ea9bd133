//! `eq`, `neq`, `gt`, `gte`, `lt`, `lte`.

use std::cmp::Ordering;

use super::{Args, Builtin, EvalFn, Example, Family};
use crate::eval::{Env, EvalResult};
use crate::value::{compare, equal, Value};

/// `eq`'s equality: both sides as lists (null → empty, a single value → one element), compared whole.
pub fn list_equal(a: &Value, b: &Value) -> bool {
    let (a, b) = (a.iter_list(), b.iter_list());
    a.len() == b.len() && a.zip(b).all(|(x, y)| equal(x, y))
}

/// Orders the first values of two sides; `None` when either is missing or null,
/// or they are of kinds that do not compare (a number and a string, say).
pub fn order_first(a: &Value, b: &Value) -> Option<Ordering> {
    let (a, b) = (a.first()?, b.first()?);
    if a.is_null() || b.is_null() || !same_kind(a, b) {
        return None;
    }
    Some(compare(a, b))
}

fn same_kind(a: &Value, b: &Value) -> bool {
    (a.is_number() && b.is_number())
        || matches!((a, b), (Value::DateTime(_) | Value::Date(_), Value::DateTime(_) | Value::Date(_)))
        || std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn eq(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(list_equal(&args.eval(0, env)?, &args.eval(1, env)?)))
}

fn neq(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(!list_equal(&args.eval(0, env)?, &args.eval(1, env)?)))
}

fn ordered(args: &Args<'_>, env: &Env<'_>, accept: fn(Ordering) -> bool) -> EvalResult<Value> {
    let (a, b) = (args.eval(0, env)?, args.eval(1, env)?);
    Ok(Value::Bool(order_first(&a, &b).is_some_and(accept)))
}

/// A comparison: two value expressions.
const fn comparison(name: &'static str, summary: &'static str, examples: &'static [Example], eval: EvalFn) -> Builtin {
    Builtin::plain(name, Family::Comparisons, "value-expression{2}", (2, Some(2)), summary, examples, eval)
}

/// The comparisons family.
pub const BUILTINS: &[Builtin] = &[
    comparison(
        "eq",
        "Whether both sides, as lists, are equal (inside a hops `where` between aliases: a join).",
        &[
            Example { expr: r#"["eq", 42, ["list", 42]]"#, result: "true" },
            Example { expr: r#"["eq", ["list", 1, 2], ["list", 2, 1]]"#, result: "false" },
        ],
        eq,
    ),
    comparison("neq", "The negation of `eq`.", &[Example { expr: r#"["neq", 41, 42]"#, result: "true" }], neq),
    comparison(
        "gt",
        "Whether the first value of the left side is greater than the first of the right.",
        &[
            Example { expr: r#"["gt", ["list", 50, 1], 42]"#, result: "true" },
            Example { expr: r#"["gt", null, 1]"#, result: "false" },
        ],
        |args, env| ordered(args, env, Ordering::is_gt),
    ),
    comparison(
        "gte",
        "Greater than or equal, on first values.",
        &[Example { expr: r#"["gte", 42, 42]"#, result: "true" }],
        |args, env| ordered(args, env, Ordering::is_ge),
    ),
    comparison(
        "lt",
        "Less than, on first values.",
        &[Example { expr: r#"["lt", 5, ["list", 10, 1]]"#, result: "true" }],
        |args, env| ordered(args, env, Ordering::is_lt),
    ),
    comparison(
        "lte",
        "Less than or equal, on first values.",
        &[Example { expr: r#"["lte", 43, 42]"#, result: "false" }],
        |args, env| ordered(args, env, Ordering::is_le),
    ),
];
