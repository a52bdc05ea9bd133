//! Dependency tracking, evaluation side: from versions of a hopped dataset's
//! entities back to the source entities whose joins reach them, walking a
//! [`TrackedHop`]'s links with join indexes over the *other* side of each join.
//!
//! Each link evaluates its key side on the entities in hand, then looks the keys
//! up in an index of its `from` side over the entities it lands on (the latest,
//! non-deleted ones, within the alias's subset). The last link lands on the
//! pipe's source dataset, indexed on the `_S` side of the join, so no step scans.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use crate::compile::tracking::{Landing, Link, Slot, TrackedHop};
use crate::compile::Program;
use crate::dataset::{DatasetAccess, DatasetError, JoinIndex, JoinKey};
use crate::value::Value;

use super::hops::unreadable_dataset;
use super::{EntityState, Env, EvalResult, Frame, RunOptions};

/// What the walk needs besides the hop: the program the hop belongs to, the
/// datasets, and the pipe's source dataset with the preparation the pump gives its
/// entities before the transform (e.g. `add_namespaces`).
pub struct Walker<'a> {
    /// The program the tracked hops come from.
    pub program: &'a Program,
    /// The datasets (the store).
    pub datasets: &'a dyn DatasetAccess,
    /// The pipe's source dataset.
    pub source: &'a str,
    /// Turns a stored source entity into the `_S` the transform sees.
    pub prepare: &'a (dyn Fn(&Value) -> Value + Sync),
}

impl Walker<'_> {
    /// The stored source entities (latest, not deleted) that reach any of `versions`
    /// (versions of entities of the hop's dataset) through `hop`, in `_id` order.
    pub fn reached(&self, hop: &TrackedHop<'_>, versions: &[Value]) -> EvalResult<Vec<Value>> {
        let options = RunOptions { emit_filtered: false, sleep: false };
        let state = EntityState {
            program: self.program,
            created: RefCell::new(Vec::new()),
            datasets: Some(self.datasets),
            previous: None,
            options: &options,
        };
        let mut frontier: Vec<Value> = Vec::new();
        for v in versions {
            if self.in_subset(hop.dataset.subset.as_ref(), v, &state)? {
                frontier.push(v.clone());
            }
        }
        for link in &hop.links {
            let mut keys = Vec::new();
            for entity in &frontier {
                JoinKey::all(&eval_at(link.key, link.key_slot, entity, &state)?, &mut keys);
            }
            let keys: Vec<JoinKey> = keys.into_iter().collect::<HashSet<_>>().into_iter().collect();
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let index = self.index(link, &state)?;
            frontier = index.matches(&keys).into_iter().map(|p| index.entity(p).clone()).collect();
            if matches!(link.to, Landing::Source) {
                return Ok(frontier);
            }
        }
        Ok(Vec::new())
    }

    fn in_subset(
        &self,
        subset: Option<&crate::compile::ir::Subset>,
        entity: &Value,
        state: &EntityState<'_>,
    ) -> EvalResult<bool> {
        let Some(subset) = subset else { return Ok(true) };
        let value = eval_at(&subset.expr, Slot::Source, entity, state)?;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        JoinKey::all(&value, &mut a);
        JoinKey::all(&subset.value, &mut b);
        Ok(a.iter().any(|k| b.contains(k)))
    }

    /// The index of `link.from` over the entities `link` lands on, built once per
    /// version of that dataset (the cache forgets it when the dataset changes).
    fn index(&self, link: &Link<'_>, state: &EntityState<'_>) -> EvalResult<Arc<JoinIndex>> {
        let (name, subset) = match link.to {
            Landing::Dataset(d) => (d.name.as_ref(), d.subset.as_ref()),
            Landing::Source => (self.source, None),
        };
        self.datasets.indexes().get_or_build(name, link.index_id, || {
            let mut index = JoinIndex::new();
            let mut keys = Vec::new();
            let mut failed = None;
            let scanned = self.datasets.scan(name, &mut |stored| {
                if failed.is_some() {
                    return;
                }
                let prepared;
                let entity = match link.to {
                    Landing::Source => {
                        prepared = (self.prepare)(stored);
                        &prepared
                    }
                    Landing::Dataset(_) => stored,
                };
                let result = (|| -> EvalResult<()> {
                    if !self.in_subset(subset, entity, state)? {
                        return Ok(());
                    }
                    keys.clear();
                    JoinKey::all(&eval_at(link.from, link.from_slot, entity, state)?, &mut keys);
                    if !keys.is_empty() {
                        // The stored entity: it is what the pump reprocesses.
                        index.push(stored.clone(), keys.drain(..));
                    }
                    Ok(())
                })();
                if let Err(e) = result {
                    failed = Some(e);
                }
            });
            // A dataset not there yet has nothing to reach (the cache forgets this
            // index when the dataset is created).
            match scanned {
                Err(DatasetError::Unknown) => return Ok(JoinIndex::new()),
                Err(DatasetError::Unreadable(why)) => return Err(Box::new(unreadable_dataset(name, &why))),
                Ok(()) => {}
            }
            failed.map_or(Ok(index), Err)
        })
    }
}

/// Evaluates `expr` with `entity` bound at `slot` (nothing else bound).
fn eval_at(expr: &crate::compile::ir::Expr, slot: Slot, entity: &Value, state: &EntityState<'_>) -> EvalResult<Value> {
    let null = Value::Null;
    let (source, aliases) = match slot {
        Slot::Source => (entity, Vec::new()),
        Slot::Alias { index, count } => {
            let mut aliases = vec![Value::Null; count];
            if let Some(a) = aliases.get_mut(index) {
                *a = entity.clone();
            }
            (&null, aliases)
        }
    };
    let frame = Frame { source, target: &null, parent: None };
    let env = Env { frame: &frame, root: &frame, current: None, aliases: &aliases, state };
    expr.eval(&env)
}
