//! List functions that order, deduplicate or group elements, or map over dicts:
//! `distinct`, `group`, `group-by`, `map-dict`, `map-values`, `max`, `min`,
//! `sorted`, `sorted-descending`.
//!
//! Ordering is the mixed-type order of [`compare`]; equality is [`equal`]
//! (through [`ValueIndex`]). Sorting is a stable merge sort written here so that
//! no comparison result can make it panic.

use std::cmp::Ordering;

use indexmap::IndexMap;

use super::json::json_text;
use super::sets::ValueIndex;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{compare, wire, Str, Value};

/// The sort keys of `items`: FUNCTION (argument `function`) applied to each, or
/// `None` when the call has no FUNCTION (the items are their own keys).
fn keys(args: &Args<'_>, env: &Env<'_>, function: Option<usize>, items: &[Value]) -> EvalResult<Option<Vec<Value>>> {
    let Some(function) = function else { return Ok(None) };
    items.iter().map(|v| args.eval_with(function, env, v)).collect::<EvalResult<Vec<_>>>().map(Some)
}

/// The FUNCTION argument of a `FUNCTION{0|1} VALUES` call.
fn optional_function(args: &Args<'_>) -> Option<usize> {
    (args.len() == 2).then_some(0)
}

/// The positions `0..n` in the stable order `cmp` gives (bottom-up merge sort).
/// Elements `cmp` calls equal keep their relative order.
fn stable_order(n: usize, mut cmp: impl FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            // Already in order: the two runs just follow each other.
            if mid < hi && cmp(order[mid], order[mid - 1]) != Ordering::Less {
                i = mid;
                merged[lo..mid].copy_from_slice(&order[lo..mid]);
                k = mid;
            }
            while i < mid && j < hi {
                // Take from the right run only when strictly smaller: stability.
                if cmp(order[j], order[i]) == Ordering::Less {
                    merged[k] = order[j];
                    j += 1;
                } else {
                    merged[k] = order[i];
                    i += 1;
                }
                k += 1;
            }
            merged[k..k + (mid - i)].copy_from_slice(&order[i..mid]);
            k += mid - i;
            merged[k..k + (hi - j)].copy_from_slice(&order[j..hi]);
            lo = hi;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

fn sort(args: &Args<'_>, env: &Env<'_>, descending: bool) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let Value::List(items) = &values else { return Ok(values) };
    let keys = keys(args, env, optional_function(args), items)?;
    let key = |i: usize| keys.as_ref().map_or(&items[i], |k| &k[i]);
    let order =
        stable_order(items.len(), |a, b| if descending { compare(key(b), key(a)) } else { compare(key(a), key(b)) });
    Ok(Value::list(order.into_iter().map(|i| items[i].clone()).collect()))
}

fn sorted(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    sort(args, env, false)
}

fn sorted_descending(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    sort(args, env, true)
}

/// The first element whose key is the greatest (`want` = Greater) or smallest (Less).
fn extreme(args: &Args<'_>, env: &Env<'_>, want: Ordering) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let Value::List(items) = &values else { return Ok(values) };
    let keys = keys(args, env, optional_function(args), items)?;
    let key = |i: usize| keys.as_ref().map_or(&items[i], |k| &k[i]);
    let mut best: Option<usize> = None;
    for i in 0..items.len() {
        if best.is_none_or(|b| compare(key(i), key(b)) == want) {
            best = Some(i);
        }
    }
    Ok(best.map_or(Value::Null, |i| items[i].clone()))
}

fn max(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    extreme(args, env, Ordering::Greater)
}

fn min(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    extreme(args, env, Ordering::Less)
}

fn distinct(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let Value::List(items) = &values else { return Ok(values) };
    let function = optional_function(args);
    let mut seen = ValueIndex::new();
    let mut out = Vec::new();
    for v in items.iter() {
        let new = match function {
            Some(f) => seen.insert(&args.eval_with(f, env, v)?).1,
            None => seen.insert(v).1,
        };
        if new {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

fn group(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(2, env)?;
    let mut index = ValueIndex::new();
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for v in values.iter_list() {
        let key = args.eval_with(0, env, v)?;
        let value = args.eval_with(1, env, v)?;
        match index.insert(&key) {
            (_, true) => groups.push((key, vec![value])),
            (i, false) => groups[i].1.push(value),
        }
    }
    Ok(Value::list(groups.into_iter().map(|(k, vs)| Value::list(vec![k, Value::list(vs)])).collect()))
}

/// A group key as `json-transit` renders it: special types as their bare tagged
/// text, everything else as JSON (so a string keeps its quotes).
fn transit_key(v: &Value) -> String {
    wire::tagged_text(v).unwrap_or_else(|| json_text(v, true))
}

fn group_by(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let key_function = (args.len() >= 2).then_some(0);
    let string_function = (args.len() == 3).then_some(1);
    let mut groups: IndexMap<Str, Vec<Value>> = IndexMap::new();
    for v in values.iter_list() {
        let key = match key_function {
            Some(f) => args.eval_with(f, env, v)?,
            None => v.clone(),
        };
        let name: Str = match string_function {
            Some(f) => match args.eval_with(f, env, &key)? {
                Value::Str(s) => s,
                // Dict keys must be strings: an element whose key does not render to one is left out.
                _ => continue,
            },
            None => transit_key(&key).into(),
        };
        groups.entry(name).or_default().push(v.clone());
    }
    Ok(Value::dict(groups.into_iter().map(|(k, vs)| (k, Value::list(vs))).collect()))
}

fn map_dict(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(2, env)?;
    let mut out = Vec::new();
    for v in values.iter_list() {
        let Value::Dict(map) = v else { continue };
        let mut new = crate::value::map_with_capacity(map.len());
        for (k, item) in map.iter() {
            // Keys for which KEY_FUNCTION gives no string are left out.
            let Value::Str(key) = args.eval_with(0, env, &Value::Str(k.clone()))? else { continue };
            new.insert(key, args.eval_with(1, env, item)?);
        }
        if !new.is_empty() {
            out.push(Value::dict(new));
        }
    }
    Ok(match values {
        Value::List(_) => Value::list(out),
        _ => out.pop().unwrap_or(Value::Null),
    })
}

fn map_values(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(1, env)?;
    let mut out = Vec::new();
    for map in values.iter_list().filter_map(Value::as_dict) {
        for item in map.values() {
            out.push(args.eval_with(0, env, item)?);
        }
    }
    Ok(Value::list(out))
}

/// The ordering and grouping list functions.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "distinct",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "The elements without duplicates (by FUNCTION's result when given), first occurrence kept.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["distinct", ["list", 4, 2, 5, 4, 3, 2.0]]"#, result: "[4, 2, 5, 3]" },
            Example {
                expr: r#"["distinct", ["first", "_."], ["list", ["list", 1, "a"], ["list", 2, "b"], ["list", 1, "c"]]]"#,
                result: r#"[[1, "a"], [2, "b"]]"#,
            },
        ],
        eval: distinct,
    },
    Builtin {
        name: "group",
        family: Family::Lists,
        signature: "KEY_FUNCTION(function-expression{1}) VALUE_FUNCTION(function-expression{1}) VALUES(value-expression{1})",
        summary: "A list of [key, [values]] pairs: elements grouped by KEY_FUNCTION, mapped by VALUE_FUNCTION.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["group", ["first", "_."], ["nth", 1, "_."], ["list", ["list", "a1", "A"], ["list", "a2", "B"], ["list", "a2", "C"]]]"#,
            result: r#"[["a1", ["A"]], ["a2", ["B", "C"]]]"#,
        }],
        eval: group,
    },
    Builtin {
        name: "group-by",
        family: Family::Lists,
        signature: "KEY_FUNCTION(function-expression{0|1}) STRING_FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "A dict from each key (as transit JSON, or STRING_FUNCTION of the key) to its elements.",
        min_args: 1,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["group-by", ["first", "_."], ["list", ["list", 3, "a"], ["list", 5, "b"], ["list", 3, "c"]]]"#,
                result: r#"{"3": [[3, "a"], [3, "c"]], "5": [[5, "b"]]}"#,
            },
            Example { expr: r#"["group-by", ["list", "a", "b", "a"]]"#, result: r#"{"\"a\"": ["a", "a"], "\"b\"": ["b"]}"# },
        ],
        eval: group_by,
    },
    Builtin {
        name: "map-dict",
        family: Family::Lists,
        signature: "KEY_FUNCTION(function-expression{1}) VALUE_FUNCTION(function-expression{1}) VALUES(value-expression{1})",
        summary: "Each dict rebuilt with KEY_FUNCTION on its keys and VALUE_FUNCTION on its values; non-string keys and empty dicts are left out.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["map-dict", "_.", ["list", "_."], {"a": 1, "b": 2}]"#, result: r#"{"a": [1], "b": [2]}"# },
            Example { expr: r#"["map-dict", 1, "_.", {"a": 1}]"#, result: "null" },
        ],
        eval: map_dict,
    },
    Builtin {
        name: "map-values",
        family: Family::Lists,
        signature: "VALUE_FUNCTION(function-expression{1}) VALUES(value-expression{1})",
        summary: "VALUE_FUNCTION applied to every value of every dict, in one flat list; non-dicts are ignored.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["map-values", ["list", "_."], ["list", {"k1": "A", "k2": "B"}, 100, {"k": "C"}]]"#,
            result: r#"[["A"], ["B"], ["C"]]"#,
        }],
        eval: map_values,
    },
    Builtin {
        name: "max",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "The greatest element in mixed-type order (ranked by FUNCTION when given); null for an empty list.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["max", ["list", {"x": 1}, "b", 2, "a"]]"#, result: r#"{"x": 1}"# },
            Example { expr: r#"["max", "_.n", ["list", {"n": 1}, {"n": 3}, {"n": 2}]]"#, result: r#"{"n": 3}"# },
        ],
        eval: max,
    },
    Builtin {
        name: "min",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "The smallest element in mixed-type order (ranked by FUNCTION when given); null for an empty list.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["min", ["list", "B", "b", "A", "a"]]"#, result: r#""A""# },
            Example { expr: r#"["min", ["list"]]"#, result: "null" },
        ],
        eval: min,
    },
    Builtin {
        name: "sorted",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "The elements in ascending mixed-type order (by FUNCTION's result when given); stable.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["sorted", ["list", "b", 2, {"x": 1}, "a", 1.5]]"#, result: r#"[1.5, 2, "a", "b", {"x": 1}]"# },
            Example { expr: r#"["sorted", 5]"#, result: "5" },
        ],
        eval: sorted,
    },
    Builtin {
        name: "sorted-descending",
        family: Family::Lists,
        signature: "FUNCTION(function-expression{0|1}) VALUES(value-expression{1})",
        summary: "The elements in descending mixed-type order (by FUNCTION's result when given); equal keys keep their order.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example {
            expr: r#"["sorted-descending", "_.n", ["list", {"n": 1, "i": 1}, {"n": 2}, {"n": 1, "i": 2}]]"#,
            result: r#"[{"n": 2}, {"n": 1, "i": 1}, {"n": 1, "i": 2}]"#,
        }],
        eval: sorted_descending,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::equal;

    fn check(expr: &str, expected: &str) {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let src = source("test", expr);
        let compiled = Program::compile_expression(&Node::from_json(&json), &src).unwrap();
        let empty = Value::dict(Default::default());
        let got = compiled.evaluate(&empty, &empty).unwrap_or_else(|e| panic!("{expr} failed: {e}")).to_string();
        let (g, e) = (wire::parse(got.as_bytes()).unwrap(), wire::parse(expected.as_bytes()).unwrap());
        assert!(equal(&g, &e), "{expr} gave {got}, expected {expected}");
        assert_eq!(got, e.to_string(), "{expr}: same value, different types or key order");
    }

    #[test]
    fn ordering_functions() {
        check(r#"["sorted", null]"#, "null");
        check(r#"["sorted", ["list"]]"#, "[]");
        check(r#"["sorted", ["list", 2, null, true, 1.5, "~f1.25"]]"#, r#"[null, true, "~f1.25", 1.5, 2]"#);
        check(r#"["sorted", ["list", ["list", 2], ["list", 1, 5], ["list", 1]]]"#, "[[1], [1, 5], [2]]");
        check(
            r#"["sorted", "_.k", ["list", {"k": 1, "i": 1}, {"i": 2}, {"k": 1.0, "i": 3}, {"k": 0}]]"#,
            r#"[{"i": 2}, {"k": 0}, {"k": 1, "i": 1}, {"k": 1.0, "i": 3}]"#,
        );
        check(r#"["sorted-descending", ["list", 1, 1.0, "~f1"]]"#, r#"[1, 1.0, "~f1"]"#);
        check(r#"["sorted-descending", null]"#, "null");
        check(r#"["max", ["list", 1, 1.0]]"#, "1");
        check(r#"["min", ["list", 1.0, 1]]"#, "1.0");
        check(r#"["min", ["list", 3, null]]"#, "null");
        check(r#"["max", null]"#, "null");
        check(r#"["max", "a"]"#, r#""a""#);
        check(r#"["max", "_.n", ["list"]]"#, "null");
        check(r#"["max", "_.n", ["list", {"n": 1}, {"m": 5}]]"#, r#"{"n": 1}"#);
    }

    #[test]
    fn dedup_and_grouping() {
        check(r#"["distinct", null]"#, "null");
        check(r#"["distinct", "a"]"#, r#""a""#);
        check(
            r#"["distinct", ["list", 1, 1.0, "1", "~r1", {"a": 1}, {"a": 1.0}, ["list", 1], ["list", 1]]]"#,
            r#"[1, "1", "~r1", {"a": 1}, [1]]"#,
        );
        check(r#"["group", "_.", "_.", null]"#, "[]");
        check(
            r#"["group", "_.k", "_.v", ["list", {"k": {"a": 1}, "v": 1}, {"k": {"a": 1.0}, "v": 2}, {"v": 3}]]"#,
            r#"[[{"a": 1}, [1, 2]], [null, [3]]]"#,
        );
        check(r#"["group-by", null]"#, "{}");
        check(
            r#"["group-by", "_.k", ["list", {"k": null}, {"k": 1.5}, {"k": "~rhttp://x/"}, {"k": "~f2.0"}, {"k": true}]]"#,
            r#"{"null": [{"k": null}], "1.5": [{"k": 1.5}], "~rhttp://x/": [{"k": "~rhttp://x/"}], "~f2.0": [{"k": "~f2.0"}], "true": [{"k": true}]}"#,
        );
        check(
            r#"["group-by", "_.k", ["list", {"k": {"b": 1, "a": ["x"]}}]]"#,
            r#"{"{\"a\": [\"x\"], \"b\": 1}": [{"k": {"b": 1, "a": ["x"]}}]}"#,
        );
        check(r#"["group-by", "_.", "_.", ["list", "a", 1, "b", "a"]]"#, r#"{"a": ["a", "a"], "b": ["b"]}"#);
        check(r#"["group-by", "_.", ["list", "_."], ["list", "a"]]"#, "{}");
    }

    #[test]
    fn dict_mapping() {
        check(r#"["map-dict", "_.", "_.", null]"#, "null");
        check(r#"["map-dict", "_.", "_.", ["list", 1, {}, {"a": null}]]"#, r#"[{"a": null}]"#);
        check(r#"["map-dict", "x", "_.", {"a": 1, "b": 2}]"#, r#"{"x": 2}"#);
        check(r#"["map-dict", "_.", "_.", {}]"#, "null");
        check(r#"["map-values", "_.", null]"#, "[]");
        check(r#"["map-values", "_.", {"a": 1}]"#, "[1]");
    }

    #[test]
    fn stable_order_sorts_and_keeps_ties_in_order() {
        let keys = [3, 1, 2, 1, 3, 0, 2, 2, 1];
        let order = stable_order(keys.len(), |a, b| keys[a].cmp(&keys[b]));
        assert_eq!(order, vec![5, 1, 3, 8, 2, 6, 7, 0, 4]);
        for n in 0..40 {
            let keys: Vec<u32> = (0..n).map(|i| (i * 7919 % 13) as u32).collect();
            let mut expected: Vec<usize> = (0..n).collect();
            expected.sort_by_key(|&i| keys[i]);
            assert_eq!(stable_order(n, |a, b| keys[a].cmp(&keys[b])), expected);
        }
    }

    #[test]
    fn stable_order_survives_an_inconsistent_comparison() {
        let mut flip = false;
        let order = stable_order(100, |_, _| {
            flip = !flip;
            if flip {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        });
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
}
