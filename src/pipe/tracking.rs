//! Dependency tracking through hops (engine spec §1.7), as the pump runs it.
//!
//! A pipe with a `dataset` source keeps, per hopped dataset it tracks, the offset
//! of the last change it has handled ([`PipeState::tracking`]). A full run sets
//! every offset to the dataset's end. An incremental run first reads the versions
//! written since, takes each changed entity's new *and* previous version (the join
//! values it had and has), walks the compiled join chains back to the source
//! ([`crate::eval::tracking::Walker`]) and reprocesses the latest source entities
//! found, each once, in the same run. The offsets are saved with the run's commit.
//!
//! Only the first transform is tracked, when it is DTL: later transforms see
//! transformed entities, which the engine cannot re-derive from the stored source.

use std::collections::{BTreeMap, HashSet};

use crate::compile::tracking::{TrackedHop, Untracked};
use crate::compile::Program;
use crate::dataset::is_deleted;
use crate::diagnostic::Diagnostic;
use crate::eval::tracking::Walker;
use crate::pipeline::Stage;
use crate::syntax::Span;
use crate::value::Value;

use super::config::{Pipe, SourceConfig};
use super::store::{PipeState, PipeStore};

/// Per hopped dataset, the offset of the last change handled.
pub type Offsets = BTreeMap<String, Option<u64>>;

/// What a pipe tracks: the program whose hops are tracked, and those hops.
pub struct Plan<'p> {
    program: Option<&'p Program>,
    hops: Vec<TrackedHop<'p>>,
    untracked: Vec<Untracked>,
}

/// A hopped dataset whose changes do not make the pipe reprocess anything, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UntrackedHop {
    /// The dataset.
    pub dataset: String,
    /// Why its changes are not tracked.
    pub reason: String,
    /// The `hops` call (in the pipe's file).
    pub span: Span,
}

impl UntrackedHop {
    /// A one-line note for `pipe`'s user: which dataset, where the `hops` call is, and why.
    pub fn note(&self, pipe: &Pipe) -> String {
        let (line, col) = crate::syntax::line_col(pipe.file.inner(), self.span.start);
        format!(
            "pipe `{}` does not track changes in dataset `{}` ({}:{line}:{col}): {}",
            pipe.id,
            self.dataset,
            pipe.file.name(),
            self.reason
        )
    }
}

impl<'p> Plan<'p> {
    /// The dependency tracking of `pipe`.
    pub fn of(pipe: &'p Pipe) -> Plan<'p> {
        let mut plan = Plan { program: None, hops: Vec::new(), untracked: Vec::new() };
        let dataset_source = matches!(pipe.source, SourceConfig::Dataset { .. });
        for (i, stage) in pipe.transforms.iter().enumerate() {
            let Stage::Dtl(program) = stage else { continue };
            if !dataset_source {
                plan.untracked.extend(program.untracked_hops("the pipe's source is not a `dataset` source"));
            } else if i > 0 {
                plan.untracked.extend(program.untracked_hops("it is not in the pipe's first transform"));
            } else {
                let tracking = program.tracked_hops();
                plan.program = Some(program);
                plan.hops = tracking.hops;
                plan.untracked = tracking.untracked;
            }
        }
        plan
    }

    /// The hopped datasets it tracks, sorted, each once.
    pub fn datasets(&self) -> Vec<&'p str> {
        let mut names: Vec<&str> = self.hops.iter().map(|h| h.dataset.name.as_ref()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The hopped datasets it does not track, and why (one entry per hops alias).
    pub fn untracked(&self) -> Vec<UntrackedHop> {
        self.untracked
            .iter()
            .map(|u| UntrackedHop { dataset: u.dataset.clone(), reason: u.reason.clone(), span: u.span })
            .collect()
    }

    /// The offsets after a full run: every tracked dataset's end.
    pub fn ends(&self, store: &dyn PipeStore) -> Offsets {
        self.datasets().into_iter().map(|d| (d.to_string(), store.last_offset(d))).collect()
    }

    /// The source entities an incremental run must reprocess because entities of
    /// tracked datasets changed after `state.tracking`, except those in `read` (read
    /// anyway), and the offsets to save. A dataset without a saved offset (a hop
    /// added since the last run) starts tracking at its end.
    pub fn changes(
        &self,
        pipe: &Pipe,
        store: &dyn PipeStore,
        state: &PipeState,
        read: &[Value],
        prepare: &(dyn Fn(&Value) -> Value + Sync),
    ) -> Result<(Vec<Value>, Offsets), Box<Diagnostic>> {
        let SourceConfig::Dataset { dataset: source, include_replaced, .. } = &pipe.source else {
            return Ok((Vec::new(), Offsets::new()));
        };
        let Some(program) = self.program else { return Ok((Vec::new(), Offsets::new())) };
        let walker = Walker { program, datasets: store, source: &source.0, prepare };
        let mut done: HashSet<String> = read.iter().filter_map(|e| e.entity_id().map(str::to_string)).collect();
        let mut found = Vec::new();
        let mut offsets = Offsets::new();
        for dataset in self.datasets() {
            let Some(&since) = state.tracking.get(dataset) else {
                offsets.insert(dataset.to_string(), store.last_offset(dataset));
                continue;
            };
            let changed = store.read_since(dataset, since, usize::MAX)?;
            let last = changed.last().and_then(offset_of).or(since);
            offsets.insert(dataset.to_string(), last);
            if changed.is_empty() {
                continue;
            }
            let versions = with_previous(store, dataset, changed)?;
            for hop in self.hops.iter().filter(|h| h.dataset.name.as_ref() == dataset) {
                let reached = walker.reached(hop, &versions).map_err(|d| {
                    let mut d = *d;
                    d.message = format!("pipe `{}`, dependency tracking of `{dataset}`: {}", pipe.id, d.message);
                    Box::new(d.in_source(&pipe.file))
                })?;
                for entity in reached {
                    let replaced = matches!(entity.get("$replaced"), Some(Value::Bool(true)));
                    if is_deleted(&entity) || (replaced && !include_replaced) {
                        continue;
                    }
                    if entity.entity_id().is_some_and(|id| done.insert(id.to_string())) {
                        found.push(entity);
                    }
                }
            }
        }
        Ok((found, offsets))
    }
}

/// The `_updated` offset of a stored version.
fn offset_of(version: &Value) -> Option<u64> {
    version.get("_updated").and_then(Value::as_i64).and_then(|o| u64::try_from(o).ok())
}

/// The changed versions and, for each, the version it replaced (when still in the
/// log: compaction may have removed it), each once.
fn with_previous(store: &dyn PipeStore, dataset: &str, changed: Vec<Value>) -> Result<Vec<Value>, Box<Diagnostic>> {
    let mut seen: HashSet<u64> = changed.iter().filter_map(offset_of).collect();
    let mut previous = Vec::new();
    for v in &changed {
        let Some(p) = v.get("_previous").and_then(Value::as_i64).and_then(|p| u64::try_from(p).ok()) else {
            continue;
        };
        if !seen.insert(p) {
            continue;
        }
        if let Some(old) = store.version_at(dataset, p)? {
            previous.push(old);
        }
    }
    let mut versions = changed;
    versions.extend(previous);
    Ok(versions)
}
