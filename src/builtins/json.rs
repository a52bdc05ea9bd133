//! `json`, `json-transit`, `json-parse`, `json-transit-parse`.
//!
//! The text follows Python's `json.dumps` defaults, as the docs' examples show:
//! keys sorted, `", "` and `": "` separators, non-ASCII escaped.

use super::support::{map_values, map_values_or_default};
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::syntax::write_json_str;
use crate::value::{python_float_repr, wire, Value};

/// Python-style JSON text of a value. `transit` writes tagged strings (`~r…`) for
/// the special types; otherwise their plain text.
pub fn json_text(v: &Value, transit: bool) -> String {
    let mut out = String::new();
    write_json(v, transit, &mut out);
    out
}

/// The text `json` gives for one element: special types at the top level are their bare text.
fn element_text(v: &Value, transit: bool) -> String {
    match special_text(v, transit) {
        Some(text) => text,
        None => json_text(v, transit),
    }
}

fn special_text(v: &Value, transit: bool) -> Option<String> {
    let tagged = wire::tagged_text(v)?;
    if matches!(v, Value::Decimal(_)) && !transit {
        return Some(tagged[2..].to_string());
    }
    Some(if transit { tagged } else { tagged[2..].to_string() })
}

fn write_json(v: &Value, transit: bool, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::BigInt(b) => out.push_str(&b.to_string()),
        Value::Float(f) => out.push_str(&python_float_repr(*f)),
        Value::Decimal(d) if !transit => out.push_str(&wire::format_decimal(d)),
        Value::Str(s) => write_json_str(s, true, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(item, transit, out);
            }
            out.push(']');
        }
        Value::Dict(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_str(k, true, out);
                out.push_str(": ");
                write_json(item, transit, out);
            }
            out.push('}');
        }
        special => write_json_str(&special_text(special, transit).unwrap_or_default(), true, out),
    }
}

fn json(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| Some(Value::from(element_text(v, false)))))
}

fn json_transit(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| Some(Value::from(element_text(v, true)))))
}

fn parse(args: &Args<'_>, env: &Env<'_>, transit: bool) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    map_values_or_default(args, env, (args.len() == 2).then_some(0), &values, |v| {
        let text = v.as_str()?;
        let parsed = if transit { wire::parse(text.as_bytes()) } else { wire::parse_plain(text.as_bytes()) };
        parsed.ok()
    })
}

fn json_parse(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    parse(args, env, false)
}

fn json_transit_parse(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    parse(args, env, true)
}

/// The json family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "json",
        family: Family::Json,
        signature: "VALUES(value-expression{1})",
        summary: "Each value as JSON text (sorted keys, Python spacing, no transit tags).",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["json", {"b": 2, "a": 1}]"#, result: r#""{\"a\": 1, \"b\": 2}""# },
            Example { expr: r#"["json", ["list", ["list", 1, 2, 3]]]"#, result: r#"["[1, 2, 3]"]"# },
        ],
        eval: json,
    },
    Builtin {
        name: "json-transit",
        family: Family::Json,
        signature: "VALUES(value-expression{1})",
        summary: "Each value as JSON text with transit tags for the special types.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["json-transit", ["list", ["list", "~rhttp://x/"]]]"#,
            result: r#"["[\"~rhttp://x/\"]"]"#,
        }],
        eval: json_transit,
    },
    Builtin {
        name: "json-parse",
        family: Family::Json,
        signature: "DEFAULT(default-value-expression{0|1}) VALUES(value-expression{1})",
        summary: "Parses each JSON text (no transit decoding); invalid text is dropped or replaced by DEFAULT.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["json-parse", "{\"a\": 1}"]"#, result: r#"{"a": 1}"# },
            Example { expr: r#"["json-parse", "no-value", "hello"]"#, result: r#""no-value""# },
        ],
        eval: json_parse,
    },
    Builtin {
        name: "json-transit-parse",
        family: Family::Json,
        signature: "DEFAULT(default-value-expression{0|1}) VALUES(value-expression{1})",
        summary: "Parses each JSON text and decodes transit tags; invalid text is dropped or replaced by DEFAULT.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example { expr: r#"["json-transit-parse", "\"~f1.5\""]"#, result: r#""~f1.5""# }],
        eval: json_transit_parse,
    },
];
