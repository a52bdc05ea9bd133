//! `and`, `or`, `not`, `all`, `any`.

use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

fn and(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    for i in 0..args.len() {
        if !args.eval(i, env)?.is_truthy() {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn or(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    for i in 0..args.len() {
        if args.eval(i, env)?.is_truthy() {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn not(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    match and(args, env)? {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        _ => unreachable!("and returns a boolean"),
    }
}

/// Counts truthy values (or FUNCTION results) of `all`/`any`, stopping as soon as `stop_on` is seen.
fn quantify(args: &Args<'_>, env: &Env<'_>, stop_on: bool) -> EvalResult<bool> {
    let values = args.eval(args.len() - 1, env)?;
    for v in values.iter_list() {
        let truth = if args.len() == 2 { args.eval_with(0, env, v)?.is_truthy() } else { v.is_truthy() };
        if truth == stop_on {
            return Ok(true);
        }
    }
    Ok(false)
}

fn all(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(!quantify(args, env, false)?))
}

fn any(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(quantify(args, env, true)?))
}

/// The boolean logic family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "and",
        family: Family::Logic,
        signature: "boolean-expression{>0}",
        summary: "True when every argument is true.",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["and", true, 1]"#, result: "true" },
            Example { expr: r#"["and", true, null]"#, result: "false" },
        ],
        eval: and,
    },
    Builtin {
        name: "or",
        family: Family::Logic,
        signature: "boolean-expression{>0}",
        summary: "True when any argument is true.",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[Example { expr: r#"["or", false, ["list"], "x"]"#, result: "true" }],
        eval: or,
    },
    Builtin {
        name: "not",
        family: Family::Logic,
        signature: "boolean-expression{>0}",
        summary: "The negation of `and` over the arguments.",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["not", true, false]"#, result: "true" },
            Example { expr: r#"["not", null]"#, result: "true" },
        ],
        eval: not,
    },
    Builtin {
        name: "all",
        family: Family::Logic,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "True when every value (or FUNCTION result, with `_` bound) is true; true for an empty list.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["all", ["gt", "_.", 2], ["list", 4, 5, 6]]"#, result: "true" },
            Example { expr: r#"["all", ["list", 1, null]]"#, result: "false" },
        ],
        eval: all,
    },
    Builtin {
        name: "any",
        family: Family::Logic,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "True when some value (or FUNCTION result, with `_` bound) is true; false for an empty list.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["any", ["gt", "_.", 5], ["list", 4, 6, 8]]"#, result: "true" },
            Example { expr: r#"["any", ["list"]]"#, result: "false" },
        ],
        eval: any,
    },
];
