//! Running a [`HopsPlan`]: index lookups outwards from `_S`, filters, projection,
//! recursion, and the chain from one specification to the next.
//!
//! Per input entity the spec builds rows — one value per alias — by joining step
//! by step: a step evaluates its bound side on each row, flattens it to keys
//! (`null`s dropped) and looks them up in the index of its key side over the
//! dataset, which holds only latest, non-deleted entities in `_id` order. So the
//! output order is deterministic and follows `_id` within each step.

use std::collections::HashSet;
use std::sync::Arc;

use crate::compile::ir::{HopsFilter, HopsPlan, HopsReturn, HopsSpec, JoinStep};
use crate::dataset::{DatasetAccess, DatasetError, JoinIndex, JoinKey};
use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::Span;
use crate::value::Value;

use super::{Env, EvalResult, Frame};

/// The values `plan` gives in `env` (always a list of results).
pub fn run(plan: &HopsPlan, env: &Env<'_>, span: Span) -> EvalResult<Vec<Value>> {
    let data = datasets(plan, env, span)?;
    let mut values = vec![env.frame.source.clone()];
    for spec in &plan.specs {
        if values.is_empty() {
            break;
        }
        values = if spec.recurse {
            recurse(spec, &values, env, data, span)?
        } else {
            run_spec(spec, &values, env, data, span)?
        };
    }
    Ok(values)
}

/// The dataset collection, once every dataset the plan names is known to be there.
fn datasets<'a>(plan: &HopsPlan, env: &Env<'a>, span: Span) -> EvalResult<&'a dyn DatasetAccess> {
    let names = plan.specs.iter().flat_map(|s| s.datasets.iter().map(|d| d.name.as_ref()));
    match env.state.datasets {
        Some(data) => match names.into_iter().find(|n| !data.has_dataset(n)) {
            Some(missing) => Err(missing_dataset(missing, span)),
            None => Ok(data),
        },
        None => {
            let first = plan.specs.iter().flat_map(|s| s.datasets.first()).next();
            Err(missing_dataset(first.map_or("?", |d| d.name.as_ref()), span))
        }
    }
}

/// A dataset that could not be read (`DatasetError`): missing, or unreadable on disk.
pub fn dataset_error(name: &str, error: DatasetError, span: Span) -> Box<Diagnostic> {
    match error {
        DatasetError::Unknown => missing_dataset(name, span),
        DatasetError::Unreadable(why) => unreadable_dataset(name, &why).at(span, "reading it here").into(),
    }
}

/// A stored dataset whose data cannot be read (the run stops; nothing is guessed).
pub fn unreadable_dataset(name: &str, why: &str) -> Diagnostic {
    Diagnostic::new(codes::IO, format!("the dataset `{name}` cannot be read: {why}")).help(
        "the data folder is damaged or was changed by another program; run the node again from an empty --data-dir",
    )
}

/// The diagnostic for a dataset that is not there.
pub fn missing_dataset(name: &str, span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(codes::MISSING_DATASET, format!("the dataset `{name}` is not available"))
            .at(span, format!("this needs the dataset `{name}`"))
            .help(format!(
                "provide it, e.g. `dtl run --dataset {name}=FILE` with FILE a JSON array or NDJSON of entities"
            )),
    )
}

/// A `recurse` spec: runs it on its own output until nothing new is found or
/// `max_depth` rounds have run; gives the inputs (unless `exclude_root`) and everything found.
fn recurse(
    spec: &HopsSpec,
    inputs: &[Value],
    env: &Env<'_>,
    data: &dyn DatasetAccess,
    span: Span,
) -> EvalResult<Vec<Value>> {
    let mut seen: HashSet<JoinKey> = inputs.iter().filter_map(identity).collect();
    let mut out = if spec.exclude_root { Vec::new() } else { inputs.to_vec() };
    let mut frontier = inputs.to_vec();
    let mut depth = 0;
    while !frontier.is_empty() && spec.max_depth.is_none_or(|max| depth < max) {
        let found = run_spec(spec, &frontier, env, data, span)?;
        frontier = found.into_iter().filter(|v| identity(v).is_some_and(|k| seen.insert(k))).collect();
        out.extend(frontier.iter().cloned());
        depth += 1;
    }
    Ok(out)
}

/// What makes a value the same one again during recursion: an entity's `_id`, else the value.
fn identity(value: &Value) -> Option<JoinKey> {
    match value.entity_id() {
        Some(id) => Some(JoinKey::Str(id.into())),
        None => JoinKey::of(value),
    }
}

/// A row of the join table: per alias its entity and its position in the step's index.
#[derive(Clone)]
struct Row {
    values: Vec<Value>,
    positions: Vec<u32>,
}

fn run_spec(
    spec: &HopsSpec,
    inputs: &[Value],
    env: &Env<'_>,
    data: &dyn DatasetAccess,
    span: Span,
) -> EvalResult<Vec<Value>> {
    let indexes = spec.steps.iter().map(|step| index(spec, step, env, data, span)).collect::<EvalResult<Vec<_>>>()?;
    let n = spec.datasets.len();
    let mut out = Vec::new();
    let mut seen_entities: HashSet<(usize, u32)> = HashSet::new();
    let mut seen_rows: HashSet<(usize, Vec<u32>)> = HashSet::new();
    let mut keys = Vec::new();
    for (input_no, input) in inputs.iter().enumerate() {
        let frame = Frame { source: input, target: env.frame.target, parent: env.frame.parent };
        let at = |row: &Row| -> EvalResult<bool> { passes(&spec.filters[0], &scoped(env, &frame, &row.values)) };
        let start = Row { values: vec![Value::Null; n], positions: vec![u32::MAX; n] };
        let mut rows = if at(&start)? { vec![start] } else { Vec::new() };
        for (k, (step, index)) in spec.steps.iter().zip(&indexes).enumerate() {
            let mut next = Vec::new();
            for row in &rows {
                keys.clear();
                JoinKey::all(&step.from.eval(&scoped(env, &frame, &row.values))?, &mut keys);
                for position in index.matches(&keys) {
                    let mut joined = row.clone();
                    joined.values[step.alias] = index.entity(position).clone();
                    joined.positions[step.alias] = position;
                    if passes(&spec.filters[k + 1], &scoped(env, &frame, &joined.values))? {
                        next.push(joined);
                    }
                }
            }
            rows = next;
            if rows.is_empty() {
                break;
            }
        }
        for row in rows {
            match &spec.ret {
                HopsReturn::Aliases(aliases) => {
                    for &a in aliases {
                        if seen_entities.insert((a, row.positions[a])) {
                            out.push(row.values[a].clone());
                        }
                    }
                }
                HopsReturn::Expr { expr, uses_source } => {
                    let key = (if *uses_source { input_no } else { 0 }, row.positions.clone());
                    if seen_rows.insert(key) {
                        let value = expr.eval(&scoped(env, &frame, &row.values))?;
                        out.extend(value.iter_list().filter(|v| !v.is_null()).cloned());
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The environment of a row: `_S` is the spec's input, the aliases are the row's entities.
fn scoped<'b>(env: &Env<'b>, frame: &'b Frame<'b>, aliases: &'b [Value]) -> Env<'b> {
    Env { frame, root: env.root, current: env.current, aliases, state: env.state }
}

fn passes(filters: &[HopsFilter], env: &Env<'_>) -> EvalResult<bool> {
    for filter in filters {
        let ok = match filter {
            HopsFilter::Condition(e) => e.eval(env)?.is_truthy(),
            HopsFilter::Overlap(a, b) => overlaps(&a.eval(env)?, &b.eval(env)?),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether two join sides share a value (`null`s never match).
fn overlaps(a: &Value, b: &Value) -> bool {
    let (mut ka, mut kb) = (Vec::new(), Vec::new());
    JoinKey::all(a, &mut ka);
    JoinKey::all(b, &mut kb);
    let ka: HashSet<JoinKey> = ka.into_iter().collect();
    kb.iter().any(|k| ka.contains(k))
}

/// The index of `step`'s key side over its dataset (restricted to the alias's subset), built once.
fn index(
    spec: &HopsSpec,
    step: &JoinStep,
    env: &Env<'_>,
    data: &dyn DatasetAccess,
    span: Span,
) -> EvalResult<Arc<JoinIndex>> {
    let dataset = &spec.datasets[step.alias];
    data.indexes().get_or_build(&dataset.name, step.index_id, || {
        let null = Value::Null;
        let mut aliases = vec![Value::Null; spec.datasets.len()];
        let mut index = JoinIndex::new();
        let mut keys = Vec::new();
        let mut error = None;
        let scanned = data.scan(&dataset.name, &mut |entity| {
            if error.is_some() {
                return;
            }
            let result = (|| -> EvalResult<()> {
                if let Some(subset) = &dataset.subset {
                    let frame = Frame { source: entity, target: &null, parent: None };
                    let at = Env { frame: &frame, root: &frame, current: None, aliases: &[], state: env.state };
                    if !overlaps(&subset.expr.eval(&at)?, &subset.value) {
                        return Ok(());
                    }
                }
                aliases[step.alias] = entity.clone();
                let frame = Frame { source: &null, target: &null, parent: None };
                let at = Env { frame: &frame, root: &frame, current: None, aliases: &aliases, state: env.state };
                keys.clear();
                JoinKey::all(&step.key.eval(&at)?, &mut keys);
                if !keys.is_empty() {
                    index.push(entity.clone(), keys.drain(..));
                }
                Ok(())
            })();
            if let Err(e) = result {
                error = Some(e);
            }
        });
        if let Err(e) = scanned {
            return Err(dataset_error(&dataset.name, e, span));
        }
        match error {
            Some(e) => Err(e),
            None => Ok(index),
        }
    })
}
