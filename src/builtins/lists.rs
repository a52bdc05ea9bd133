//! List functions: building, testing, filtering, mapping and flattening lists.
//! The index, range and sum ones are in `lists_index.rs`; the ordering, grouping
//! and dict-mapping ones in `lists_order.rs`.
//!
//! VALUES arguments are coerced to lists (null → empty, a single value → one
//! element) unless a function's shape rule says otherwise.

use num_bigint::BigInt;

use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{equal, Value};

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

fn is_list(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?, Value::List(_))))
}

fn reversed(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(match args.eval(0, env)? {
        Value::List(items) => Value::list(items.iter().rev().cloned().collect()),
        other => other,
    })
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
            Example {
                expr: r#"["filter", ["first", "_."], ["list", 0, null, ["list"], "", false]]"#,
                result: r#"[0, ""]"#,
            },
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
];

#[cfg(test)]
mod tests {
    use super::super::support::testing::check;

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
