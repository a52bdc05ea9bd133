//! String functions.

use super::json::json_text;
use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{python_float_repr, wire, Value};

/// The text `string` gives a value: strings as they are, numbers in decimal,
/// special types as their bare text, lists and dicts as JSON.
pub fn to_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::Str(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(b) => b.to_string(),
        Value::Float(f) => python_float_repr(*f),
        Value::Decimal(d) => wire::format_decimal(d),
        Value::Uri(s) | Value::Ni(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::List(_) | Value::Dict(_) => json_text(v, false),
        other => wire::tagged_text(other).map(|t| t[2..].to_string()).unwrap_or_default(),
    })
}

fn string(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| to_text(v).map(Value::from)))
}

fn concat(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let mut out = String::new();
    for i in 0..args.len() {
        for v in args.eval(i, env)?.iter_list() {
            if let Value::Str(s) = v {
                out.push_str(s);
            }
        }
    }
    Ok(Value::from(out))
}

fn upper(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().map(|s| Value::from(s.to_uppercase()))))
}

fn lower(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().map(|s| Value::from(s.to_lowercase()))))
}

/// The strings family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "concat",
        family: Family::Strings,
        signature: "VALUES(value-expression{>=1})",
        summary: "Joins the strings among the arguments (lists are flattened one level; non-strings are ignored).",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[Example { expr: r#"["concat", "a", ["list", "b", "c"], "d", 123]"#, result: r#""abcd""# }],
        eval: concat,
    },
    Builtin {
        name: "upper",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Each string in upper case; non-strings are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["upper", ["list", "a", 1, "b"]]"#, result: r#"["A", "B"]"# }],
        eval: upper,
    },
    Builtin {
        name: "lower",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Each string in lower case; non-strings are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["lower", "John"]"#, result: r#""john""# }],
        eval: lower,
    },
    Builtin {
        name: "string",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Each value as text: numbers in decimal, special types as bare text, lists and dicts as JSON.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["string", 1]"#, result: r#""1""# },
            Example {
                expr: r#"["string", ["list", {"b": 2, "a": 1}, 124.4]]"#,
                result: r#"["{\"a\": 1, \"b\": 2}", "124.4"]"#,
            },
        ],
        eval: string,
    },
];
