//! List functions.

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
];
