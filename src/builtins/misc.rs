//! `literal`, `tuples`, `is-changed`, `completeness`, `hash128`.

use super::support::map_values;
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

/// MurmurHash3 x64-128 of `data` as an unsigned integer: `h1 + (h2 << 64)`.
fn murmur3_128(data: &[u8], seed: u32) -> u128 {
    // Reading from a slice cannot fail.
    murmur3::murmur3_x64_128(&mut std::io::Cursor::new(data), seed).unwrap_or(0)
}

fn hash128(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let algorithm = args.eval(0, env)?;
    if algorithm.as_str() != Some("murmur3") {
        return Err(args.error(format!("unsupported hash algorithm {algorithm}; only \"murmur3\" is supported")));
    }
    // The seed is an unsigned 32-bit integer; any other seed gives null.
    let seed = if args.len() == 3 {
        match args.eval(1, env)?.first() {
            Some(Value::Int(i)) if u32::try_from(*i).is_ok() => *i as u32,
            _ => return Ok(Value::Null),
        }
    } else {
        0
    };
    let values = args.eval(args.len() - 1, env)?;
    Ok(map_values(&values, |v| {
        let bytes: &[u8] = match v {
            Value::Str(s) => s.as_bytes(),
            Value::Bytes(b) => b,
            _ => return None,
        };
        Some(Value::from_bigint(murmur3_128(bytes, seed).into()))
    }))
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
    Builtin {
        name: "hash128",
        family: Family::Misc,
        signature: "ALGORITHM(\"murmur3\") SEED(integer-expression{0|1}) VALUES(value-expression{1})",
        summary: "The 128-bit MurmurHash3 (x64) of each string (UTF-8) or bytes value, as an unsigned integer.",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["hash128", "murmur3", "abc"]"#, result: "79267961763742113019008347020647561319" },
            Example {
                expr: r#"["hash128", "murmur3", ["list", "abc", 123, "def"]]"#,
                result: "[79267961763742113019008347020647561319, 114697464648834432121201791580882983835]",
            },
        ],
        eval: hash128,
    },
];

#[cfg(test)]
mod tests {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::Value;

    fn eval(expr: &str) -> String {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let src = source("test", expr);
        let compiled = match Program::compile_expression(&Node::from_json(&json), &src) {
            Ok(compiled) => compiled,
            Err(e) => return format!("error: {e}"),
        };
        let empty = Value::dict(Default::default());
        compiled.evaluate(&empty, &empty).map_or_else(|e| format!("error: {e}"), |v| v.to_string())
    }

    #[test]
    fn hash128_seeds_bytes_and_bad_arguments() {
        // Expected values from the reference MurmurHash3 x64-128 (seeded, multi-block, bytes).
        let cases = [
            (r#"["hash128", "murmur3", 7, ["list", "abc", null, 1]]"#, "[283621838945566173610818292246053386279]"),
            (r#"["hash128", "murmur3", "~b/wA="]"#, "146609327901718755663537808168961111407"),
            (r#"["hash128", "murmur3", 42, "æøåæøåæøåæøåæøåæøåæøå"]"#, "237515894670235340075818034777062757829"),
            (r#"["hash128", "murmur3", -1, "abc"]"#, "null"),
            (r#"["hash128", "murmur3", 4294967296, "abc"]"#, "null"),
            (r#"["hash128", "murmur3", "x", "abc"]"#, "null"),
            (r#"["hash128", "murmur3", null]"#, "null"),
        ];
        for (expr, expected) in cases {
            assert_eq!(eval(expr), expected, "{expr}");
        }
        assert!(eval(r#"["hash128", "sha1", "abc"]"#).starts_with("error"));
        assert!(eval(r#"["hash128", ["string", "sha1"], "abc"]"#).starts_with("error"));
    }
}
