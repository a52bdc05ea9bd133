//! Running a rule's transforms against a target.

use std::sync::Arc;

use crate::compile::ir::{AddMode, Branch, Expr, Rule, Transform};
use crate::compile::Namespaces;
use crate::diagnostic::{codes, Diagnostic};
use crate::value::{equal, Map, Str, Value};

use super::ni::{self, Pattern, Selector};
use super::pattern::matches;
use super::{EntityState, Env, EvalResult, Frame};

/// Whether a rule ran to its end or was stopped by `filter`/`discard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Carry on with the next transform.
    Continue,
    /// Stopped; `filtered` is true for `filter`, false for `discard`.
    Stop {
        /// Whether `filter` (not `discard`) stopped it.
        filtered: bool,
    },
}

/// The invocation a rule runs in: its source and its callers.
pub struct Invocation<'a> {
    /// `_S`
    pub source: &'a Value,
    /// The calling frame, for `_P` (none for the root rule).
    pub parent: Option<&'a Frame<'a>>,
    /// The root frame, for `_R` (none while running the root rule itself).
    pub root: Option<&'a Frame<'a>>,
    /// Per-entity state.
    pub state: &'a EntityState<'a>,
}

impl Invocation<'_> {
    /// Evaluates `f` with an environment whose `_T` is `target`.
    fn with_env<R>(&self, target: &Value, f: impl FnOnce(&Env<'_>) -> R) -> R {
        let frame = Frame { source: self.source, target, parent: self.parent };
        let env =
            Env { frame: &frame, root: self.root.unwrap_or(&frame), current: None, aliases: &[], state: self.state };
        f(&env)
    }

    fn eval(&self, target: &Value, expr: &Expr) -> EvalResult<Value> {
        self.with_env(target, |env| expr.eval(env))
    }

    /// Runs `rule` with a fresh empty target; returns the target and how the rule ended.
    pub fn run_rule(&self, rule: &Rule) -> EvalResult<(Value, Flow)> {
        let mut target = Value::dict(Map::default());
        let flow = self.run_all(&rule.body, &mut target)?;
        Ok((target, flow))
    }

    fn run_all(&self, transforms: &[Transform], target: &mut Value) -> EvalResult<Flow> {
        for t in transforms {
            if let Flow::Stop { filtered } = self.run_one(t, target)? {
                return Ok(Flow::Stop { filtered });
            }
        }
        Ok(Flow::Continue)
    }

    fn run_one(&self, t: &Transform, target: &mut Value) -> EvalResult<Flow> {
        match t {
            Transform::Add { property, value, mode, condition } => {
                self.add(target, property, value, *mode, condition.as_deref())?
            }
            Transform::Copy { include, exclude } => self.copy(target, include, exclude.as_ref())?,
            Transform::Remove { pattern } => {
                let patterns = names(&self.eval(target, pattern)?);
                match self.namespaces() {
                    None => map_mut(target).retain(|k, _| !patterns.iter().any(|p| matches(p, k))),
                    Some(ns) => {
                        let patterns: Vec<Pattern> = patterns.iter().map(|p| Pattern::new(p, ns)).collect();
                        map_mut(target).retain(|k, _| !patterns.iter().any(|p| p.matches(k)));
                    }
                }
            }
            Transform::Rename { from, to } => {
                let (from, to) = (names(&self.eval(target, from)?), names(&self.eval(target, to)?));
                for (f, t) in from.iter().zip(to.iter()) {
                    match self.namespaces() {
                        None => {
                            if let Some(v) = self.source.get(f) {
                                map_mut(target).insert(t.clone(), v.clone());
                            }
                        }
                        Some(ns) => self.rename_ni(target, f, t, ns),
                    }
                }
            }
            Transform::Merge { values, union } => {
                let values = self.eval(target, values)?;
                let map = map_mut(target);
                for item in values.iter_list() {
                    let Some(dict) = item.as_dict() else { continue };
                    for (k, v) in dict.iter().filter(|(k, _)| !k.starts_with('_')) {
                        let merged = match map.get(k) {
                            Some(existing) if *union => merge_union(existing, v),
                            _ => v.clone(),
                        };
                        map.insert(k.clone(), merged);
                    }
                }
            }
            Transform::Stop { condition, filter } => {
                let keep = match condition {
                    Some(c) => self.eval(target, c)?.is_truthy(),
                    None => false,
                };
                if !keep {
                    return Ok(Flow::Stop { filtered: *filter });
                }
            }
            Transform::Branch(branch) => return self.branch(branch, target),
            Transform::Create { values, span } => {
                let values = self.eval(target, values)?;
                let mut created = Vec::new();
                for v in values.iter_list() {
                    if v.entity_id().is_some() {
                        created.push(v.clone());
                    } else if self.state.program.config.id_required {
                        return Err(not_an_entity(*span, "create", v));
                    }
                }
                self.state.created.borrow_mut().extend(created);
            }
            Transform::CreateChild { values, span } => {
                let values = self.eval(target, values)?;
                let mut children = target.get("$children").map(Value::to_list).unwrap_or_default();
                for v in values.iter_list() {
                    if v.entity_id().is_some() {
                        if !children.iter().any(|c| equal(c, v)) {
                            children.push(v.clone());
                        }
                    } else if self.state.program.config.id_required {
                        return Err(not_an_entity(*span, "create-child", v));
                    }
                }
                map_mut(target).insert(Str::from("$children"), Value::list(children));
            }
            Transform::MakeNi { namespace, from, to } => self.make_ni(target, namespace, from, to.as_ref())?,
            Transform::Fail { message, trip, span } => {
                let message = self.eval(target, message)?;
                let text = message.as_str().map(str::to_string).unwrap_or_else(|| message.to_string());
                let (code, what) = if *trip { (codes::TRIP, "trip!") } else { (codes::FAIL, "fail!") };
                return Err(Box::new(
                    Diagnostic::new(code, format!("{what}: {text}"))
                        .at(*span, format!("`{what}` stopped the run here")),
                ));
            }
            Transform::Sleep { seconds } => {
                let seconds = self.eval(target, seconds)?;
                if self.state.options.sleep {
                    if let Some(s) = crate::value::Number::of(&seconds).map(|n| n.to_f64()).filter(|s| *s > 0.0) {
                        std::thread::sleep(std::time::Duration::from_secs_f64(s.min(86_400.0)));
                    }
                }
            }
        }
        Ok(Flow::Continue)
    }

    fn add(
        &self,
        target: &mut Value,
        property: &Expr,
        value: &Expr,
        mode: AddMode,
        condition: Option<&Expr>,
    ) -> EvalResult<()> {
        let mut properties = names(&self.eval(target, property)?);
        let ns = self.namespaces();
        if let Some(ns) = ns {
            for p in properties.iter_mut() {
                *p = ni::write_name(p, ns);
            }
        }
        if mode == AddMode::IfMissing && properties.iter().all(|p| target.get(p).is_some()) {
            return Ok(());
        }
        let value = self.eval(target, value)?;
        let keep = match mode {
            AddMode::Always | AddMode::IfMissing => true,
            AddMode::IfNotNull => !value.is_null(),
            AddMode::If => {
                let condition = condition.expect("add-if with a condition");
                self.with_env(target, |env| condition.eval(&env.with_current(&value)))?.is_truthy()
            }
        };
        if keep {
            let map = map_mut(target);
            for p in properties {
                if mode != AddMode::IfMissing || !map.contains_key(&p) {
                    let value = match ns {
                        Some(ns) if &*p == "_id" => ni::identity_value(&value, ns),
                        _ => value.clone(),
                    };
                    map.insert(p, value);
                }
            }
        }
        Ok(())
    }

    fn copy(&self, target: &mut Value, include: &Expr, exclude: Option<&Expr>) -> EvalResult<()> {
        let include = names(&self.eval(target, include)?);
        let exclude = match exclude {
            Some(e) => names(&self.eval(target, e)?),
            None => Vec::new(),
        };
        let Some(source) = self.source.as_dict() else { return Ok(()) };
        // Copying everything into an empty target shares the source's map.
        if exclude.is_empty() && include.iter().any(|p| &**p == "*") && target.as_dict().is_some_and(|m| m.is_empty()) {
            *target = self.source.clone();
            return Ok(());
        }
        let map = map_mut(target);
        match self.namespaces() {
            None => {
                for (k, v) in source.iter() {
                    if include.iter().any(|p| matches(p, k)) && !exclude.iter().any(|p| matches(p, k)) {
                        map.insert(k.clone(), v.clone());
                    }
                }
            }
            Some(ns) => {
                let include: Vec<Pattern> = include.iter().map(|p| Pattern::new(p, ns)).collect();
                let exclude: Vec<Pattern> = exclude.iter().map(|p| Pattern::new(p, ns)).collect();
                for (k, v) in source.iter() {
                    if include.iter().any(|p| p.matches(k)) && !exclude.iter().any(|p| p.matches(k)) {
                        map.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Ok(())
    }

    fn branch(&self, branch: &Branch, target: &mut Value) -> EvalResult<Flow> {
        let subject = match &branch.subject {
            Some(s) => Some(self.eval(target, s)?),
            None => None,
        };
        for (test, body) in &branch.arms {
            let test = self.eval(target, test)?;
            let hit = match &subject {
                Some(s) => crate::builtins::list_equal(s, &test),
                None => test.is_truthy(),
            };
            if hit {
                return self.run_all(body, target);
            }
        }
        self.run_all(&branch.otherwise, target)
    }

    fn make_ni(&self, target: &mut Value, namespace: &Expr, from: &Expr, to: Option<&Expr>) -> EvalResult<()> {
        let namespace = self.eval(target, namespace)?;
        let from = self.eval(target, from)?;
        let (Some(ns), Some(from)) = (namespace.as_str(), from.as_str()) else { return Ok(()) };
        if let Some(names) = self.namespaces() {
            return self.make_ni_ni(target, ns, from, to, names);
        }
        let to = match to {
            Some(t) => match self.eval(target, t)? {
                Value::Str(s) => s,
                _ => return Ok(()),
            },
            None => Str::from(format!("{from}-ni")),
        };
        if let Some(result) = self.source.get(from).and_then(|v| make_nis(ns, v)) {
            map_mut(target).insert(to, result);
        }
        Ok(())
    }

    /// `make-ni` with namespaced identifiers: FROM matches in every namespace when
    /// unqualified; each match keeps its namespace unless TO is qualified.
    fn make_ni_ni(
        &self,
        target: &mut Value,
        ns: &str,
        from: &str,
        to: Option<&Expr>,
        names: &Namespaces,
    ) -> EvalResult<()> {
        let to = match to {
            Some(t) => match self.eval(target, t)? {
                Value::Str(s) => Some(s),
                _ => return Ok(()),
            },
            None => None,
        };
        let Some(source) = self.source.as_dict() else { return Ok(()) };
        let selector = Selector::new(from, names);
        let matched = source.iter().filter(|(k, _)| selector.selects(k));
        match to.as_deref().filter(|t| !ni::is_unqualified(t)) {
            // Each match goes to its own key, in the key's namespace.
            None => {
                let mut out = Vec::new();
                for (k, v) in matched {
                    let key = match to.as_deref() {
                        None => Str::from(format!("{k}-ni")),
                        Some(t) => ni::renamed(k, t),
                    };
                    if let Some(result) = make_nis(ns, v) {
                        out.push((key, result));
                    }
                }
                map_mut(target).extend(out);
            }
            // A qualified (or escaped) TO collects every match.
            Some(to) => {
                let mut results: Vec<Value> = matched.filter_map(|(_, v)| make_nis(ns, v)).collect();
                let result = match results.len() {
                    0 => return Ok(()),
                    1 => results.pop().expect("one result"),
                    _ => {
                        let mut nis: Vec<Value> = results.iter().flat_map(Value::to_list).collect();
                        nis.sort_by(crate::value::compare);
                        Value::list(nis)
                    }
                };
                map_mut(target).insert(ni::write_name(to, names), result);
            }
        }
        Ok(())
    }

    /// `rename` with namespaced identifiers: an unqualified FROM matches in every
    /// namespace; an unqualified TO keeps each match's namespace, a qualified one
    /// collects the matched values (one level of lists spliced) into one property.
    fn rename_ni(&self, target: &mut Value, from: &str, to: &str, ns: &Namespaces) {
        let Some(source) = self.source.as_dict() else { return };
        let selector = Selector::new(from, ns);
        let matched: Vec<(&Str, &Value)> = source.iter().filter(|(k, _)| selector.selects(k)).collect();
        if matched.is_empty() {
            return;
        }
        let map = map_mut(target);
        if ni::is_unqualified(to) {
            for (k, v) in matched {
                map.insert(ni::renamed(k, to), v.clone());
            }
            return;
        }
        let key = ni::write_name(to, ns);
        let value = match matched.as_slice() {
            [(_, v)] => (*v).clone(),
            many => {
                let mut out = Vec::new();
                for (_, v) in many {
                    match v {
                        Value::List(items) => out.extend(items.iter().cloned()),
                        other => out.push((*other).clone()),
                    }
                }
                Value::list(out)
            }
        };
        map.insert(key, value);
    }

    /// The namespaces, when namespaced identifiers are on.
    fn namespaces(&self) -> Option<&Namespaces> {
        self.state.program.config.namespaces.as_ref()
    }
}

/// The target's map, for writing (copied first only if shared).
pub fn map_mut(target: &mut Value) -> &mut Map {
    if !matches!(target, Value::Dict(_)) {
        *target = Value::dict(Map::default());
    }
    match target {
        Value::Dict(map) => Arc::make_mut(map),
        _ => unreachable!("just made a dict"),
    }
}

/// Property names from an evaluated name argument: a string or a list of strings.
fn names(value: &Value) -> Vec<Str> {
    value
        .iter_list()
        .filter_map(|v| match v {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// `make-ni`'s value: each string of `value` as an NI in namespace `ns` (a list gives
/// the sorted list); `None` when nothing converts.
fn make_nis(ns: &str, value: &Value) -> Option<Value> {
    let ni = |v: &Value| v.as_str().map(|s| Value::Ni(Str::from(format!("{ns}:{s}"))));
    match value {
        Value::List(items) => {
            let mut nis: Vec<Value> = items.iter().filter_map(ni).collect();
            if nis.is_empty() {
                return None;
            }
            nis.sort_by(crate::value::compare);
            Some(Value::list(nis))
        }
        single => ni(single),
    }
}

/// `merge-union` of an existing value with a new one: both as lists, without repeats.
fn merge_union(existing: &Value, new: &Value) -> Value {
    let mut out = existing.to_list();
    for v in new.iter_list() {
        if !out.iter().any(|o| equal(o, v)) {
            out.push(v.clone());
        }
    }
    Value::list(out)
}

fn not_an_entity(span: crate::syntax::Span, what: &str, v: &Value) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(codes::ID_REQUIRED, format!("`{what}` was given a value that is not an entity: {v}"))
            .at(span, "this value has no string `_id`")
            .help("give every created value a string `_id`, or set `id_required` to false to ignore such values"),
    )
}
