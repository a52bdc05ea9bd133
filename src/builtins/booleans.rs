//! `boolean`, `is-boolean`.

use super::support::map_values_or_default;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

fn to_boolean(v: &Value) -> Option<Value> {
    match v {
        Value::Bool(b) => Some(Value::Bool(*b)),
        Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
        _ => None,
    }
}

fn boolean(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    map_values_or_default(args, env, (args.len() == 2).then_some(0), &values, to_boolean)
}

fn is_boolean(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Bool(_)))))
}

/// The booleans family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "boolean",
        family: Family::Booleans,
        signature: "DEFAULT(default-value-expression{0|1}) VALUES(value-expression{1})",
        summary:
            "Casts each value to a boolean (\"true\"/\"false\" in any case); others are dropped or replaced by DEFAULT.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["boolean", "false"]"#, result: "false" },
            Example {
                expr: r#"["boolean", ["list", "true", "~rhttp://www.example.org/", "True", false, 1234]]"#,
                result: "[true, true, false]",
            },
            Example {
                expr: r#"["boolean", ["string", "_."], ["list", "true", "~rhttp://www.example.org/", "False"]]"#,
                result: r#"[true, "http://www.example.org/", false]"#,
            },
        ],
        eval: boolean,
    },
    Builtin {
        name: "is-boolean",
        family: Family::Booleans,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a boolean.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-boolean", ["list", true, "12345"]]"#, result: "true" },
            Example { expr: r#"["is-boolean", "True"]"#, result: "false" },
        ],
        eval: is_boolean,
    },
];
