//! Dictionary functions.

use crate::compile::ir::Special;
use crate::eval::run::apply_rule;
use crate::eval::{Env, EvalResult};
use crate::value::{Map, Str, Value};

use super::support::map_values;
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
    Ok(crate::eval::walk_path(args.eval(1, env)?, &steps, env.program().config().namespaces.as_ref()))
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

/// The result shape of the functions that give several outputs per input dict
/// (`items`, `keys`, `values`, `key-values`): a list input gives the flat list of
/// all outputs; a single input gives its only output unwrapped, `null` for none,
/// and a list for several (the docs' `key-values` of a one-pair dict is a dict).
fn outputs_for(input: &Value, mut outputs: Vec<Value>) -> Value {
    match input {
        Value::List(_) => Value::list(outputs),
        _ if outputs.len() == 1 => outputs.pop().unwrap_or(Value::Null),
        _ if outputs.is_empty() => Value::Null,
        _ => Value::list(outputs),
    }
}

/// Applies `f` to every (key, value) pair of every dict in argument 0.
fn per_pair(args: &Args<'_>, env: &Env<'_>, f: impl Fn(&Str, &Value) -> Value) -> EvalResult<Value> {
    let dicts = args.eval(0, env)?;
    let outputs = dicts.iter_list().filter_map(Value::as_dict).flat_map(|d| d.iter().map(|(k, v)| f(k, v))).collect();
    Ok(outputs_for(&dicts, outputs))
}

fn items(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    per_pair(args, env, |k, v| Value::list(vec![Value::Str(k.clone()), v.clone()]))
}

fn key_values(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    per_pair(args, env, |k, v| {
        let mut map = Map::default();
        map.insert(Str::from("key"), Value::Str(k.clone()));
        map.insert(Str::from("value"), v.clone());
        Value::dict(map)
    })
}

fn keys(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    per_pair(args, env, |k, _| Value::Str(k.clone()))
}

fn values(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    per_pair(args, env, |_, v| v.clone())
}

fn has_key(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let (key, values) = (args.eval(0, env)?, args.eval(1, env)?);
    let Some(Value::Dict(dict)) = values.first() else { return Ok(Value::Null) };
    Ok(Value::Bool(matches!(key.first(), Some(Value::Str(k)) if dict.contains_key(k))))
}

fn is_dict(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Dict(_)))))
}

/// `apply-ns` settings.
pub(super) struct NsConfig {
    property: Option<Str>,
    identity: Option<Str>,
    skip_underscore: bool,
    skip_dollar: bool,
    recursive: bool,
}

impl NsConfig {
    /// Reads the first argument: a namespace string or a settings dict.
    pub(super) fn read(v: &Value) -> Result<NsConfig, String> {
        let mut config =
            NsConfig { property: None, identity: None, skip_underscore: true, skip_dollar: true, recursive: true };
        match v {
            Value::Str(ns) => {
                config.property = Some(ns.clone());
                config.identity = Some(ns.clone());
            }
            Value::Dict(settings) => {
                for (key, value) in settings.iter() {
                    let namespace = || match value {
                        Value::Null => Ok(None),
                        Value::Str(s) => Ok(Some(s.clone())),
                        _ => Err(format!("apply-ns setting `{key}` must be a string or null")),
                    };
                    let flag = || match value {
                        Value::Bool(b) => Ok(*b),
                        _ => Err(format!("apply-ns setting `{key}` must be a boolean")),
                    };
                    match key.as_ref() {
                        "property_namespace" => config.property = namespace()?,
                        "identity_namespace" => config.identity = namespace()?,
                        "skip_underscore" => config.skip_underscore = flag()?,
                        "skip_dollar" => config.skip_dollar = flag()?,
                        "recursive" => config.recursive = flag()?,
                        other => return Err(format!("unknown apply-ns setting `{other}`")),
                    }
                }
            }
            other => {
                return Err(format!("apply-ns needs a namespace string or a settings dict, not {}", other.type_name()))
            }
        }
        Ok(config)
    }

    /// `key` with the property namespace, unless it already has a namespace.
    fn key(&self, key: &Str) -> Str {
        match &self.property {
            Some(ns) if !key.contains(':') => Str::from(format!("{ns}:{key}")),
            _ => key.clone(),
        }
    }

    fn dict(&self, dict: &Map) -> Map {
        let mut out = crate::value::map_with_capacity(dict.len());
        for (key, value) in dict {
            let (key, value) = if key.as_ref() == "_id" {
                let id = match (value, &self.identity) {
                    (Value::Str(id), Some(ns)) if !id.contains(':') => Value::from(format!("{ns}:{id}")),
                    _ => value.clone(),
                };
                (if self.skip_underscore { key.clone() } else { self.key(key) }, id)
            } else if (self.skip_underscore && key.starts_with('_')) || (self.skip_dollar && key.starts_with('$')) {
                (key.clone(), value.clone())
            } else {
                (self.key(key), self.nested(value))
            };
            out.insert(key, value);
        }
        out
    }

    fn nested(&self, value: &Value) -> Value {
        match value {
            _ if !self.recursive => value.clone(),
            Value::Dict(d) => Value::dict(self.dict(d)),
            Value::List(items) => Value::list(items.iter().map(|v| self.nested(v)).collect()),
            other => other.clone(),
        }
    }
}

fn apply_ns(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let config = NsConfig::read(&args.eval(0, env)?).map_err(|message| args.error(message))?;
    Ok(map_values(&args.eval(1, env)?, |v| v.as_dict().map(|d| Value::dict(config.dict(d)))))
}

/// `key` without its namespace (the text up to the first `:`).
fn strip_key(key: &Str) -> Str {
    match key.split_once(':') {
        Some((_, id)) => Str::from(id),
        None => key.clone(),
    }
}

fn strip_nested(value: &Value) -> Value {
    match value {
        Value::Dict(d) => Value::dict(d.iter().map(|(k, v)| (strip_key(k), strip_nested(v))).collect()),
        Value::List(items) => Value::list(items.iter().map(strip_nested).collect()),
        other => other.clone(),
    }
}

fn strip_ns(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_dict().map(|_| strip_nested(v))))
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
    Builtin {
        name: "has-key",
        family: Family::Dicts,
        signature: "KEY(value-expression{1}) VALUES(value-expression{1})",
        summary: "Whether the dict (or a list's first element) has KEY; null when that is not a dict.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["has-key", "a", ["list", {"a": 1}, 123]]"#, result: "true" },
            Example { expr: r#"["has-key", "b", {"a": 1}]"#, result: "false" },
            Example { expr: r#"["has-key", "a", ["list", 123, {"a": 1}]]"#, result: "null" },
        ],
        eval: has_key,
    },
    Builtin {
        name: "is-dict",
        family: Family::Dicts,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a dict.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-dict", ["list", {"a": 1}, 123]]"#, result: "true" },
            Example { expr: r#"["is-dict", "abc"]"#, result: "false" },
        ],
        eval: is_dict,
    },
    Builtin {
        name: "items",
        family: Family::Dicts,
        signature: "DICTS(value-expression{1})",
        summary: "The [key, value] pairs of all the dicts, in one flat list; non-dicts are ignored.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["items", ["list", {"A": 1, "B": 2}, "X", {"C": 3}]]"#,
            result: r#"[["A", 1], ["B", 2], ["C", 3]]"#,
        }],
        eval: items,
    },
    Builtin {
        name: "key-values",
        family: Family::Dicts,
        signature: "DICTS(value-expression{1})",
        summary:
            "The pairs of all the dicts as {\"key\": k, \"value\": v} dicts; a single one-pair dict gives one dict.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["key-values", ["list", {"A": 1}, 123, {"C": 3}]]"#,
                result: r#"[{"key": "A", "value": 1}, {"key": "C", "value": 3}]"#,
            },
            Example { expr: r#"["key-values", {"hello": "world"}]"#, result: r#"{"key": "hello", "value": "world"}"# },
        ],
        eval: key_values,
    },
    Builtin {
        name: "keys",
        family: Family::Dicts,
        signature: "DICTS(value-expression{1})",
        summary: "The keys of all the dicts, in order, duplicates kept; non-dicts are ignored.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["keys", ["list", {"A": 1, "B": 2}, {"A": 1, "C": 3}]]"#,
            result: r#"["A", "B", "A", "C"]"#,
        }],
        eval: keys,
    },
    Builtin {
        name: "values",
        family: Family::Dicts,
        signature: "DICTS(value-expression{1})",
        summary: "The values of all the dicts, in order, duplicates kept; non-dicts are ignored.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["values", ["list", {"A": 1, "B": [2]}, "X", {"A": 1, "C": 3}]]"#,
            result: "[1, [2], 1, 3]",
        }],
        eval: values,
    },
    Builtin {
        name: "apply-ns",
        family: Family::Dicts,
        signature: "NAMESPACE_OR_CONFIGDICT(string|dict) VALUES(value-expression{1})",
        summary: "Adds the property namespace to each dict's keys and the identity namespace to `_id` values.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["apply-ns", "myns", {"_id": "123", "foo": 1, "$bar": {"baz": 2}}]"#,
                result: r#"{"_id": "myns:123", "myns:foo": 1, "$bar": {"baz": 2}}"#,
            },
            Example {
                expr: r#"["apply-ns", {"identity_namespace": null, "property_namespace": "p", "skip_dollar": false}, {"_id": "1", "a": {"b": 1}, "$c": 2}]"#,
                result: r#"{"_id": "1", "p:a": {"p:b": 1}, "p:$c": 2}"#,
            },
        ],
        eval: apply_ns,
    },
    Builtin {
        name: "strip-ns",
        family: Family::Dicts,
        signature: "VALUES(value-expression{1})",
        summary: "Removes the namespace (up to the first `:`) from every key of each dict, recursively.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["strip-ns", {"ns1:b": 1, "ns2:c": 2}]"#, result: r#"{"b": 1, "c": 2}"# },
            Example { expr: r#"["strip-ns", {"a:x": [{"b:y": 1}]}]"#, result: r#"{"x": [{"y": 1}]}"# },
        ],
        eval: strip_ns,
    },
];

#[cfg(test)]
mod tests {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::{equal, wire, Value};

    fn eval(expr: &str) -> Result<Value, String> {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let program =
            Program::compile_expression(&Node::from_json(&json), &source("test", expr)).map_err(|e| e.to_string())?;
        program.evaluate(&Value::dict(Default::default()), &Value::dict(Default::default())).map_err(|e| e.to_string())
    }

    fn check(expr: &str, expected: &str) {
        let got = eval(expr).unwrap();
        let want = wire::parse(expected.as_bytes()).unwrap();
        assert!(equal(&got, &want), "{expr}: got {got}, expected {expected}");
    }

    #[test]
    fn multi_output_shapes() {
        check(r#"["keys", {"a": 1}]"#, r#""a""#);
        check(r#"["keys", {"a": 1, "b": 2}]"#, r#"["a", "b"]"#);
        check(r#"["keys", ["list", {"a": 1}]]"#, r#"["a"]"#);
        check(r#"["keys", {}]"#, "null");
        check(r#"["keys", ["list"]]"#, "[]");
        check(r#"["keys", null]"#, "null");
        check(r#"["keys", 12]"#, "null");
        check(r#"["values", {"a": [1, 2]}]"#, "[1, 2]");
        check(r#"["values", ["list", {"a": [1, 2]}]]"#, "[[1, 2]]");
        check(r#"["items", {"a": 1}]"#, r#"["a", 1]"#);
        check(r#"["key-values", ["list", {"a": 1}]]"#, r#"[{"key": "a", "value": 1}]"#);
    }

    #[test]
    fn has_key_and_is_dict_edges() {
        check(r#"["has-key", "a", ["list"]]"#, "null");
        check(r#"["has-key", "a", null]"#, "null");
        check(r#"["has-key", 1, {"a": 1}]"#, "false");
        check(r#"["has-key", null, {"a": 1}]"#, "false");
        check(r#"["has-key", ["list", "a", "b"], {"a": 1}]"#, "true");
        check(r#"["is-dict", ["list"]]"#, "false");
        check(r#"["is-dict", null]"#, "false");
    }

    #[test]
    fn apply_ns_settings() {
        // Lists inside dicts are recursed into; underscore keys other than _id are left alone.
        check(
            r#"["apply-ns", "n", {"_id": "x:1", "_deleted": false, "a": [{"_id": "2", "b": 1}, 3]}]"#,
            r#"{"_id": "x:1", "_deleted": false, "n:a": [{"_id": "n:2", "n:b": 1}, 3]}"#,
        );
        check(r#"["apply-ns", {"property_namespace": "p"}, {"_id": "1", "a": 1}]"#, r#"{"_id": "1", "p:a": 1}"#);
        check(r#"["apply-ns", {}, {"_id": "1", "a": 1}]"#, r#"{"_id": "1", "a": 1}"#);
        check(r#"["apply-ns", "n", ["list", {"a": 1}, 2, {"b": 2}]]"#, r#"[{"n:a": 1}, {"n:b": 2}]"#);
        check(r#"["apply-ns", "n", "abc"]"#, "null");
        check(r#"["apply-ns", "n", {"_id": 5}]"#, r#"{"_id": 5}"#);
        for bad in [
            r#"["apply-ns", 1, {"a": 1}]"#,
            r#"["apply-ns", {"recursive": "yes"}, {"a": 1}]"#,
            r#"["apply-ns", {"property_namespace": 1}, {"a": 1}]"#,
            r#"["apply-ns", {"bogus": true}, {"a": 1}]"#,
            // Computed settings are checked when the call runs.
            r#"["apply-ns", ["dict", "bogus", true], {"a": 1}]"#,
        ] {
            assert!(eval(bad).is_err(), "{bad} should be an error");
        }
    }

    #[test]
    fn strip_ns_keys_recursively() {
        check(r#"["strip-ns", {"a:b:c": 1, "d": {"e:f": [{"g:h": 2}]}}]"#, r#"{"b:c": 1, "d": {"f": [{"h": 2}]}}"#);
        check(r#"["strip-ns", {"x:a": 1, "y:a": 2}]"#, r#"{"a": 2}"#);
        check(r#"["strip-ns", {"_id": "ns:1"}]"#, r#"{"_id": "ns:1"}"#);
        check(r#"["strip-ns", ["list", {"x:a": 1}, 5]]"#, r#"[{"a": 1}]"#);
        check(r#"["strip-ns", 5]"#, "null");
    }
}
