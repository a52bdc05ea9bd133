//! Walking property paths: a dict gives the property's value, a list is mapped
//! and flattened one level, anything else (or a missing property) gives `null`.

use crate::compile::ir::Var;
use crate::value::{Str, Value};

use super::{var_value, Env, Frame};

/// Resolves `var.steps…` in `env`.
pub fn resolve(env: &Env<'_>, var: Var, steps: &[Str]) -> Value {
    match var {
        // Walk the frame chain without building the `_P`/`_R` dicts.
        Var::Parent | Var::Root => {
            let frame = if var == Var::Parent { env.frame.parent } else { Some(env.root) };
            match (frame, steps.split_first()) {
                (Some(frame), Some((first, rest))) => frame_path(frame, var == Var::Parent, first, rest),
                _ => walk(var_value(env, var), steps),
            }
        }
        Var::Source => walk_ref(env.frame.source, steps),
        Var::Target => walk_ref(env.frame.target, steps),
        Var::Current => match env.current {
            Some(v) => walk_ref(v, steps),
            None => Value::Null,
        },
        Var::Alias(i) => match env.aliases.get(i) {
            Some(v) => walk_ref(v, steps),
            None => Value::Null,
        },
        Var::Params => Value::Null,
    }
}

fn frame_path(frame: &Frame<'_>, has_parent_key: bool, first: &str, rest: &[Str]) -> Value {
    match first {
        "_S" => walk_ref(frame.source, rest),
        "_T" => walk_ref(frame.target, rest),
        "_P" if has_parent_key => match (frame.parent, rest.split_first()) {
            (Some(parent), Some((next, rest))) => frame_path(parent, true, next, rest),
            (Some(parent), None) => super::parent_dict(parent),
            (None, _) => Value::Null,
        },
        _ => Value::Null,
    }
}

/// Walks `steps` from a borrowed start, cloning only what the result holds.
pub fn walk_ref(start: &Value, steps: &[Str]) -> Value {
    let mut current = start;
    for (i, step) in steps.iter().enumerate() {
        match current {
            Value::Dict(map) => match map.get(step.as_ref()) {
                Some(v) => current = v,
                None => return Value::Null,
            },
            Value::List(_) => return walk(current.clone(), &steps[i..]),
            _ => return Value::Null,
        }
    }
    current.clone()
}

/// Walks `steps` from an owned start.
pub fn walk(start: Value, steps: &[Str]) -> Value {
    let mut current = start;
    for step in steps {
        current = step_into(&current, step);
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
