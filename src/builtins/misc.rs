//! `literal`, `tuples`, `is-changed`, `completeness`.

use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{equal, Value};

fn literal(_: &Args<'_>, _: &Env<'_>) -> EvalResult<Value> {
    unreachable!("`literal` is compiled to a constant")
}

fn tuples(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    if args.is_empty() {
        return Ok(Value::empty_list());
    }
    let mut columns = Vec::with_capacity(args.len());
    for i in 0..args.len() {
        let column: Vec<Value> = args.eval(i, env)?.iter_list().filter(|v| !v.is_null()).cloned().collect();
        columns.push(column);
    }
    // Cartesian product; the first argument varies slowest.
    let mut rows: Vec<Vec<Value>> = vec![Vec::new()];
    for column in &columns {
        rows = rows
            .iter()
            .flat_map(|row| column.iter().map(move |v| [row.as_slice(), std::slice::from_ref(v)].concat()))
            .collect();
    }
    Ok(Value::list(rows.into_iter().map(Value::list).collect()))
}

fn is_changed(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some(previous) = env.state.previous else { return Ok(Value::Null) };
    let current = env.frame.source;
    let deleted = |v: &Value| matches!(v.get("_deleted"), Some(Value::Bool(true)));
    if deleted(current) || deleted(previous) {
        return Ok(Value::Bool(true));
    }
    let now = args.eval_with(0, env, current)?;
    let before = args.eval_with(0, env, previous)?;
    Ok(Value::Bool(!equal(&now, &before)))
}

fn completeness(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    // Offline there is no completeness bookkeeping: every lookup is unknown.
    args.eval(0, env)?;
    args.eval(1, env)?;
    Ok(Value::Null)
}

/// The misc family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "literal",
        family: Family::Misc,
        signature: "VALUE(value{1})",
        summary: "Its argument exactly as written, not evaluated.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Literal,
        examples: &[
            Example { expr: r#"["literal", "_S.foo"]"#, result: r#""_S.foo""# },
            Example { expr: r#"["literal", ["upper", "hello"]]"#, result: r#"["upper", "hello"]"# },
        ],
        eval: literal,
    },
    Builtin {
        name: "tuples",
        family: Family::Misc,
        signature: "VALUES(value-expression{>=0})",
        summary: "The cartesian product of the arguments (as lists, nulls dropped), first varying slowest.",
        min_args: 0,
        max_args: None,
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["tuples", ["list", 1, 2], ["list", 3, null, 4]]"#,
                result: "[[1, 3], [1, 4], [2, 3], [2, 4]]",
            },
            Example { expr: r#"["tuples"]"#, result: "[]" },
        ],
        eval: tuples,
    },
    Builtin {
        name: "is-changed",
        family: Family::Misc,
        signature: "FUNCTION(function-expression{1})",
        summary: "Whether FUNCTION differs between the source entity and its previous version (null when unknown).",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["is-changed", "_.name"]"#, result: "null" }],
        eval: is_changed,
    },
    Builtin {
        name: "completeness",
        family: Family::Misc,
        signature: "VIA_DATASET_ID(string{1}) DATASET_ID(string{1})",
        summary: "The completeness timestamp of a dataset as seen through another; null offline (no bookkeeping).",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example { expr: r#"["completeness", "pipe1", "pipe1"]"#, result: "null" }],
        eval: completeness,
    },
];
