//! Transforming one source entity: the per-entity run model.

use std::cell::RefCell;

use crate::compile::Program;
use crate::diagnostic::{codes, Diagnostic};
use crate::value::{Str, Value};

use super::transform::{map_mut, Flow, Invocation};
use super::{DatasetAccess, EntityState, EvalResult};

/// How a run behaves where DTL leaves it to the pipe.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Emit a target stopped by `filter` with `"_filtered": true` (what a dataset sink wants).
    pub emit_filtered: bool,
    /// Whether `sleep!` really sleeps (tests turn it off).
    pub sleep: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { emit_filtered: false, sleep: true }
    }
}

/// What one source entity produced.
#[derive(Debug, Default)]
pub struct EntityOutput {
    /// The emitted entities in order: created entities first, then the target.
    pub entities: Vec<Value>,
}

impl Program {
    /// Transforms one source entity with default options and no datasets.
    pub fn transform(&self, source: &Value) -> Result<Vec<Value>, Box<Diagnostic>> {
        self.transform_with(source, &RunOptions::default(), None, None).map(|o| o.entities)
    }

    /// Transforms one source entity.
    pub fn transform_with(
        &self,
        source: &Value,
        options: &RunOptions,
        datasets: Option<&dyn DatasetAccess>,
        previous: Option<&Value>,
    ) -> Result<EntityOutput, Box<Diagnostic>> {
        if !self.triggers_on(source) {
            return Ok(EntityOutput { entities: vec![source.clone()] });
        }
        let state = EntityState { program: self, created: RefCell::new(Vec::new()), datasets, previous, options };
        let result = self.run_default(source, &state);
        result.map_err(|d| Box::new(d.in_source(&self.source)))
    }

    fn run_default(&self, source: &Value, state: &EntityState<'_>) -> EvalResult<EntityOutput> {
        let invocation = Invocation { source, parent: None, root: None, state };
        let (mut target, flow) = invocation.run_rule(&self.rules[0])?;
        let mut entities = state.created.take();
        match flow {
            Flow::Continue => {
                if target.entity_id().is_some() {
                    entities.push(target);
                } else if self.config.id_required {
                    return Err(missing_id(&target));
                }
            }
            Flow::Stop { filtered: true } if state.options.emit_filtered => {
                map_mut(&mut target).insert(Str::from("_filtered"), Value::Bool(true));
                if target.entity_id().is_none() {
                    if let Some(id) = source.get("_id") {
                        map_mut(&mut target).insert(Str::from("_id"), id.clone());
                    }
                }
                entities.push(target);
            }
            Flow::Stop { .. } => {}
        }
        Ok(EntityOutput { entities })
    }

    /// `trigger_on`: entities whose key is absent or does not match pass through untouched.
    fn triggers_on(&self, source: &Value) -> bool {
        let Some(trigger) = &self.config.trigger_on else { return true };
        let value = super::path::walk_ref(source, &trigger.key, None);
        match value.first() {
            Some(Value::Str(s)) => super::pattern::matches(&trigger.pattern, s),
            Some(Value::Null) | None => false,
            Some(other) => super::pattern::matches(&trigger.pattern, &other.to_string()),
        }
    }
}

fn missing_id(target: &Value) -> Box<Diagnostic> {
    let what = match target.get("_id") {
        None => "has no `_id`".to_string(),
        Some(id) => format!("has a non-string `_id` ({id})"),
    };
    Box::new(
        Diagnostic::new(codes::ID_REQUIRED, format!("the target entity {what}: {target}"))
            .help("add `[\"copy\", \"_id\"]` (or `(copy _id)`) to the default rule, or set `id_required` to false"),
    )
}

/// Runs rule number `rule` with `source` as `_S`, called from `env` (`apply`).
/// Gives the target, or `None` when the rule stopped at a `filter`/`discard`.
pub(crate) fn apply_rule(env: &super::Env<'_>, rule: usize, source: &Value) -> EvalResult<Option<Value>> {
    let invocation = Invocation { source, parent: Some(env.frame), root: Some(env.root), state: env.state };
    let (target, flow) = invocation.run_rule(&env.program().rules[rule])?;
    Ok((flow == Flow::Continue).then_some(target))
}

impl crate::compile::Expression {
    /// Evaluates the expression with `_S` = `source` and `_T` = `target`.
    pub fn evaluate(&self, source: &Value, target: &Value) -> Result<Value, Box<Diagnostic>> {
        self.evaluate_with(source, target, None)
    }

    /// Evaluates the expression, with datasets for `hops` and `lookup-entity`.
    pub fn evaluate_with(
        &self,
        source: &Value,
        target: &Value,
        datasets: Option<&dyn DatasetAccess>,
    ) -> Result<Value, Box<Diagnostic>> {
        let options = RunOptions { sleep: false, ..RunOptions::default() };
        let state = EntityState {
            program: &self.program,
            created: RefCell::new(Vec::new()),
            datasets,
            previous: None,
            options: &options,
        };
        let frame = super::Frame { source, target, parent: None };
        let env = super::Env { frame: &frame, root: &frame, current: None, aliases: &[], state: &state };
        self.expr.eval(&env).map_err(|d| Box::new(d.in_source(&self.program.source)))
    }
}
