//! Dictionary functions.

use crate::compile::ir::Special;
use crate::eval::run::apply_rule;
use crate::eval::{Env, EvalResult};
use crate::value::{Map, Str, Value};

use super::{Args, Builtin, Example, Family, Form};

fn dict(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let mut map = Map::default();
    if args.len() == 1 {
        for pair in args.eval(0, env)?.iter_list() {
            if let Some([Value::Str(k), v]) = pair.as_list() {
                map.insert(k.clone(), v.clone());
            }
        }
    } else {
        for p in 0..args.len() / 2 {
            if let Value::Str(k) = args.eval(2 * p, env)? {
                map.insert(k, args.eval(2 * p + 1, env)?);
            }
        }
    }
    Ok(Value::dict(map))
}

fn path(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let steps: Vec<Str> = args
        .eval(0, env)?
        .iter_list()
        .filter_map(|v| match v {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    Ok(crate::eval::walk_path(args.eval(1, env)?, &steps))
}

fn apply(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Special::Rule(rule) = args.call().special else { unreachable!("apply is compiled with its rule") };
    let values = args.eval(1, env)?;
    let mut out = Vec::new();
    for v in values.iter_list() {
        if let Some(target) = apply_rule(env, rule, v)? {
            out.push(target);
        }
    }
    Ok(match values {
        Value::List(_) | Value::Null => Value::list(out),
        _ => out.pop().unwrap_or(Value::Null),
    })
}

/// The dictionaries family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "dict",
        family: Family::Dicts,
        signature: "EMPTY{0} or ITEMS(value-expression{1}) or (KEY, VALUE){>=0}",
        summary: "A dict from [key, value] pairs, or from alternating key and value arguments (last key wins).",
        min_args: 0,
        max_args: None,
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["dict", ["list", ["list", "A", 1], ["list", "B", 2]]]"#,
                result: r#"{"A": 1, "B": 2}"#,
            },
            Example {
                expr: r#"["dict", "a", ["upper", "a"], ["lower", "B"], "B"]"#,
                result: r#"{"a": "A", "b": "B"}"#,
            },
        ],
        eval: dict,
    },
    Builtin {
        name: "path",
        family: Family::Dicts,
        signature: "PROPERTY_PATH(value-expression{1}), VALUES(value-expression{1})",
        summary: "Follows a property path (a name or list of names) through the values, flattening lists.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["path", "age", ["list", {"age": 23}, {"age": 24}]]"#, result: "[23, 24]" },
            Example {
                expr: r#"["path", ["list", "a", "b"], ["list", {"a": {"b": 1}}, {"a": [{"b": 2}, {"b": 3}]}]]"#,
                result: "[1, 2, 3]",
            },
        ],
        eval: path,
    },
    Builtin {
        name: "apply",
        family: Family::Dicts,
        signature: "RULE_ID(string{1}), VALUES(value-expression{1})",
        summary: "Runs the named rule with each value as `_S` and gives the resulting targets.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Apply,
        examples: &[],
        eval: apply,
    },
];
