//! Walking property paths: a dict gives the property's value, a list is mapped
//! and flattened one level, anything else (or a missing property) gives `null`.
//!
//! With namespaced identifiers (`ns` is `Some`) a step is a [`Selector`]: an
//! unqualified step gives the union of that identifier in every namespace.

use crate::compile::ir::Var;
use crate::compile::Namespaces;
use crate::value::{Map, Str, Value};

use super::ni::{synthesized_ids, Selector};
use super::{var_value, Env, Frame};

/// Resolves `var.steps…` in `env`.
pub fn resolve(env: &Env<'_>, var: Var, steps: &[Str]) -> Value {
    let ns = env.state.program.config.namespaces.as_ref();
    match var {
        // Walk the frame chain without building the `_P`/`_R` dicts.
        Var::Parent | Var::Root => {
            let frame = if var == Var::Parent { env.frame.parent } else { Some(env.root) };
            match (frame, steps.split_first()) {
                (Some(frame), Some((first, rest))) => frame_path(frame, var == Var::Parent, first, rest, ns),
                _ => walk(var_value(env, var), steps, ns),
            }
        }
        Var::Source => source_path(env.frame.source, steps, ns),
        Var::Target => walk_ref(env.frame.target, steps, ns),
        Var::Current => match env.current {
            Some(v) => walk_ref(v, steps, ns),
            None => Value::Null,
        },
        Var::Alias(i) => match env.aliases.get(i) {
            Some(v) => walk_ref(v, steps, ns),
            None => Value::Null,
        },
        Var::Params => Value::Null,
    }
}

fn frame_path(frame: &Frame<'_>, has_parent_key: bool, first: &str, rest: &[Str], ns: Option<&Namespaces>) -> Value {
    match first {
        "_S" => source_path(frame.source, rest, ns),
        "_T" => walk_ref(frame.target, rest, ns),
        "_P" if has_parent_key => match (frame.parent, rest.split_first()) {
            (Some(parent), Some((next, rest))) => frame_path(parent, true, next, rest, ns),
            (Some(parent), None) => super::parent_dict(parent),
            (None, _) => Value::Null,
        },
        _ => Value::Null,
    }
}

/// A path from a source entity: with namespaced identifiers, `$ids` of a source
/// without one is its `_id` as an NI.
fn source_path(source: &Value, steps: &[Str], ns: Option<&Namespaces>) -> Value {
    if let (Some(ns), Some((first, rest))) = (ns, steps.split_first()) {
        if &**first == "$ids" {
            if let Some(ids) = synthesized_ids(source, ns) {
                return walk(ids, rest, Some(ns));
            }
        }
    }
    walk_ref(source, steps, ns)
}

/// Walks `steps` from a borrowed start, cloning only what the result holds.
pub fn walk_ref(start: &Value, steps: &[Str], ns: Option<&Namespaces>) -> Value {
    let mut current = start;
    for (i, step) in steps.iter().enumerate() {
        match current {
            Value::Dict(map) => match ns {
                None => match map.get(step.as_ref()) {
                    Some(v) => current = v,
                    None => return Value::Null,
                },
                Some(ns) => match selected(map, &Selector::new(step, ns)) {
                    Found::None => return Value::Null,
                    Found::One(v) => current = v,
                    Found::Many(values) => return walk(Value::list(spliced(values)), &steps[i + 1..], Some(ns)),
                },
            },
            Value::List(_) => return walk(current.clone(), &steps[i..], ns),
            _ => return Value::Null,
        }
    }
    current.clone()
}

/// Walks `steps` from an owned start.
pub fn walk(start: Value, steps: &[Str], ns: Option<&Namespaces>) -> Value {
    let mut current = start;
    for step in steps {
        current = match ns {
            None => step_into(&current, step),
            Some(ns) => step_into_ni(&current, &Selector::new(step, ns)),
        };
    }
    current
}

/// One step: a property of a dict, or of every dict in a list (flattened one level).
pub fn step_into(value: &Value, key: &str) -> Value {
    match value {
        Value::Dict(map) => map.get(key).cloned().unwrap_or(Value::Null),
        Value::List(items) => {
            let mut out = Vec::new();
            for item in items.iter() {
                if let Some(v) = item.get(key) {
                    match v {
                        Value::List(inner) => out.extend(inner.iter().cloned()),
                        other => out.push(other.clone()),
                    }
                }
            }
            Value::list(out)
        }
        _ => Value::Null,
    }
}

/// One namespace-aware step.
fn step_into_ni(value: &Value, step: &Selector) -> Value {
    match value {
        Value::Dict(map) => match selected(map, step) {
            Found::None => Value::Null,
            Found::One(v) => v.clone(),
            Found::Many(values) => Value::list(spliced(values)),
        },
        Value::List(items) => {
            let mut out = Vec::new();
            for item in items.iter() {
                if let Value::Dict(map) = item {
                    out.extend(spliced(map.iter().filter(|(k, _)| step.selects(k)).map(|(_, v)| v)));
                }
            }
            Value::list(out)
        }
        _ => Value::Null,
    }
}

enum Found<'a> {
    None,
    One(&'a Value),
    Many(Vec<&'a Value>),
}

/// The values of the properties of `map` a selector picks, in key order.
fn selected<'a>(map: &'a Map, step: &Selector) -> Found<'a> {
    match step {
        Selector::Exact(key) => map.get(&**key).map_or(Found::None, Found::One),
        Selector::Any(_) => {
            let mut values: Vec<&Value> = map.iter().filter(|(k, _)| step.selects(k)).map(|(_, v)| v).collect();
            match values.len() {
                0 => Found::None,
                1 => Found::One(values.pop().expect("one value")),
                _ => Found::Many(values),
            }
        }
    }
}

/// Values with list values spliced in (one level).
fn spliced<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for v in values {
        match v {
            Value::List(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    out
}
