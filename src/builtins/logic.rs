//! `and`, `or`, `not`, `all`, `any`.

use super::{Args, Builtin, EvalFn, Example, Family};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// Whether some truth in `truths` equals `wanted`; stops at the first one that does
/// (so `and`/`or` evaluate no argument after it).
fn some_truth_is(wanted: bool, truths: impl Iterator<Item = EvalResult<bool>>) -> EvalResult<bool> {
    for truth in truths {
        if truth? == wanted {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The truth of each argument, evaluated one at a time.
fn argument_truths<'a>(args: &'a Args<'_>, env: &'a Env<'_>) -> impl Iterator<Item = EvalResult<bool>> + 'a {
    (0..args.len()).map(|i| Ok(args.eval(i, env)?.is_truthy()))
}

/// The truth of each value in VALUES (the last argument), or of FUNCTION (with `_`
/// bound to the value) when there are two arguments.
fn value_truths<'a>(
    args: &'a Args<'_>,
    env: &'a Env<'_>,
    values: &'a Value,
) -> impl Iterator<Item = EvalResult<bool>> + 'a {
    values
        .iter_list()
        .map(move |v| Ok(if args.len() == 2 { args.eval_with(0, env, v)?.is_truthy() } else { v.is_truthy() }))
}

fn and(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(!some_truth_is(false, argument_truths(args, env))?))
}

fn or(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(some_truth_is(true, argument_truths(args, env))?))
}

fn not(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(some_truth_is(false, argument_truths(args, env))?))
}

fn all(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    Ok(Value::Bool(!some_truth_is(false, value_truths(args, env, &values))?))
}

fn any(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    Ok(Value::Bool(some_truth_is(true, value_truths(args, env, &values))?))
}

/// `and`, `or`, `not`: any number of boolean expressions.
const fn connective(name: &'static str, summary: &'static str, examples: &'static [Example], eval: EvalFn) -> Builtin {
    Builtin::plain(name, Family::Logic, "boolean-expression{>0}", (1, None), summary, examples, eval)
}

/// `all`, `any`: an optional FUNCTION, then VALUES.
const fn quantifier(name: &'static str, summary: &'static str, examples: &'static [Example], eval: EvalFn) -> Builtin {
    let signature = "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})";
    Builtin::plain(name, Family::Logic, signature, (1, Some(2)), summary, examples, eval)
}

/// The boolean logic family.
pub const BUILTINS: &[Builtin] = &[
    connective(
        "and",
        "True when every argument is true.",
        &[
            Example { expr: r#"["and", true, 1]"#, result: "true" },
            Example { expr: r#"["and", true, null]"#, result: "false" },
        ],
        and,
    ),
    connective(
        "or",
        "True when any argument is true.",
        &[Example { expr: r#"["or", false, ["list"], "x"]"#, result: "true" }],
        or,
    ),
    connective(
        "not",
        "The negation of `and` over the arguments.",
        &[
            Example { expr: r#"["not", true, false]"#, result: "true" },
            Example { expr: r#"["not", null]"#, result: "true" },
        ],
        not,
    ),
    quantifier(
        "all",
        "True when every value (or FUNCTION result, with `_` bound) is true; true for an empty list.",
        &[
            Example { expr: r#"["all", ["gt", "_.", 2], ["list", 4, 5, 6]]"#, result: "true" },
            Example { expr: r#"["all", ["list", 1, null]]"#, result: "false" },
        ],
        all,
    ),
    quantifier(
        "any",
        "True when some value (or FUNCTION result, with `_` bound) is true; false for an empty list.",
        &[
            Example { expr: r#"["any", ["gt", "_.", 5], ["list", 4, 6, 8]]"#, result: "true" },
            Example { expr: r#"["any", ["list"]]"#, result: "false" },
        ],
        any,
    ),
];
