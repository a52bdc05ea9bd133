//! `coalesce`, `coalesce-args`, `if-null`, `is-null`, `is-not-null`.

use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// `is-null`'s notion of null: `null`, `[]`, or a list whose first element is null.
pub fn is_nullish(v: &Value) -> bool {
    matches!(v.first(), None | Some(Value::Null))
}

fn coalesce(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    for v in values.iter_list() {
        let hit = if args.len() == 2 { args.eval_with(0, env, v)?.is_truthy() } else { !v.is_null() };
        if hit {
            return Ok(v.clone());
        }
    }
    Ok(Value::Null)
}

fn coalesce_args(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    for i in 0..args.len() {
        let v = args.eval(i, env)?;
        if !v.is_null() {
            return Ok(v);
        }
    }
    Ok(Value::Null)
}

fn if_null(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let v = args.eval(0, env)?;
    if is_nullish(&v) {
        args.eval(1, env)
    } else {
        Ok(v)
    }
}

fn is_null(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(is_nullish(&args.eval(0, env)?)))
}

fn is_not_null(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(!is_nullish(&args.eval(0, env)?)))
}

/// The nulls family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "coalesce",
        family: Family::Nulls,
        signature: "FUNCTION(function-expression{0|1}), VALUES(value-expression{1})",
        summary: "The first non-null value (or the first for which FUNCTION is true), else null.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example { expr: r#"["coalesce", ["list", null, "a", "b"]]"#, result: r#""a""# }],
        eval: coalesce,
    },
    Builtin {
        name: "coalesce-args",
        family: Family::Nulls,
        signature: "VALUES(value-expression{>=1})",
        summary: "The first argument that is not null, evaluating no further ([] counts as a value).",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[Example { expr: r#"["coalesce-args", null, ["list"], 123]"#, result: "[]" }],
        eval: coalesce_args,
    },
    Builtin {
        name: "if-null",
        family: Family::Nulls,
        signature: "VALUE(value-expression{1}) FALLBACK-VALUE(value-expression{1})",
        summary: "VALUE unless it is null, [] or starts with null; then FALLBACK-VALUE.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["if-null", ["list", null, 123], 2]"#, result: "2" },
            Example { expr: r#"["if-null", 1, 2]"#, result: "1" },
        ],
        eval: if_null,
    },
    Builtin {
        name: "is-null",
        family: Family::Nulls,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value is null, [] or a list whose first element is null.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-null", ["list", null, 123]]"#, result: "true" },
            Example { expr: r#"["is-null", 1]"#, result: "false" },
        ],
        eval: is_null,
    },
    Builtin {
        name: "is-not-null",
        family: Family::Nulls,
        signature: "VALUES(value-expression{1})",
        summary: "The negation of `is-null`.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["is-not-null", ["list", 1, "12345"]]"#, result: "true" }],
        eval: is_not_null,
    },
];
