//! Running one pipe once: read the source (since the saved marker), transform in
//! batches, write the sink, deletion-track on full runs, save the marker with the
//! last batch, and mark the sink dataset populated.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::dataset::{is_deleted, DatasetAccess};
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::RunOptions;
use crate::pipeline::Stage;
use crate::value::{map_with_capacity, Map, Str, Value};

use super::config::{DatasetSink, InitialOffset, Pipe, SinkConfig, SourceConfig};
use super::merge;
use super::store::{content_hash, prepare, PipeState, PipeStore};
use super::tracking;
use crate::dataset::store::Retention;

/// What the entities of non-dataset sinks (`json`) looked like after the last runs,
/// per pipe, by `_id`: the offline stand-in for what was pushed.
pub type Outputs = HashMap<String, BTreeMap<String, Value>>;

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Source entities read.
    pub read: usize,
    /// Source entities reprocessed because entities they hop to changed (dependency tracking).
    pub tracked: usize,
    /// Versions written to the sink dataset (or entities sent to another sink).
    pub written: usize,
    /// Of those, deletes written by deletion tracking.
    pub deletion_tracked: usize,
    /// Old versions compaction dropped from the sink dataset afterwards.
    pub compacted: usize,
    /// Whether it was a full run.
    pub full: bool,
    /// Whether the run changed anything (a write, or the sink becoming populated).
    pub changed: bool,
    /// Why the pipe did not run, if it did not.
    pub waiting: Option<String>,
}

/// Runs `pipe` once against `store`, as if it were the node's only pipe. Use
/// [`run_pipe_among`] when other pipes may track the datasets it compacts.
pub fn run_pipe(pipe: &Pipe, store: &mut dyn PipeStore, outputs: &mut Outputs) -> Result<RunReport, Box<Diagnostic>> {
    run_pipe_among(pipe, std::slice::from_ref(pipe), store, outputs)
}

/// Runs `pipe` once against `store` as one of `node_pipes` (the node's pipes, `pipe`
/// among them): sink compaction keeps the versions their tracking offsets still need.
pub fn run_pipe_among(
    pipe: &Pipe,
    node_pipes: &[Pipe],
    store: &mut dyn PipeStore,
    outputs: &mut Outputs,
) -> Result<RunReport, Box<Diagnostic>> {
    let mut report = RunReport::default();
    if pipe.disabled {
        report.waiting = Some("its pump mode is `off`".into());
        return Ok(report);
    }
    if let Some((name, _)) = pipe.hop_datasets.iter().find(|(d, _)| !store.is_populated(d)) {
        report.waiting = Some(format!("it hops into dataset `{name}`, which is not populated"));
        return Ok(report);
    }
    if pipe.source_common.require_populated_input {
        if let Some((name, _)) = pipe.source.inputs().into_iter().find(|(d, _)| !store.is_populated(d)) {
            report.waiting = Some(format!("its input dataset `{name}` is not populated"));
            return Ok(report);
        }
    }
    let state = store.pipe_state(&pipe.id).unwrap_or_default();
    let rescan = pipe.rescan_run_count.is_some_and(|n| (state.runs + 1).is_multiple_of(n));
    let full = state.since.is_none() || !pipe.source.has_continuation() || rescan;
    report.full = full;
    let sink_dataset = match &pipe.sink {
        SinkConfig::Dataset(d) => Some(d),
        _ => None,
    };
    if let Some(d) = sink_dataset {
        if d.initial_offset == InitialOffset::Initially && !store.is_populated(&d.dataset) {
            store.set_populated(&d.dataset)?;
            report.changed = true;
        }
    }

    let since = if full { None } else { state.since.as_ref() };
    let mut read = read_source(pipe, &*store, since)?;
    report.read = read.entities.len();
    if full && read.entities.is_empty() && pipe.source_common.fail_if_empty {
        return Err(fail(pipe, "the source is empty and `if_source_empty` is \"fail\"".into()));
    }
    let tracking = tracking::Plan::of(pipe);
    let mut offsets = tracking::Offsets::new();
    if !full {
        let prepare = |e: &Value| if pipe.add_namespaces { add_namespaces(pipe, e.clone()) } else { e.clone() };
        let (tracked, saved) = tracking.changes(pipe, &*store, &state, &read.entities, &prepare)?;
        report.tracked = tracked.len();
        read.entities.extend(tracked);
        offsets = saved;
    }
    let options = RunOptions { emit_filtered: sink_dataset.is_some(), sleep: false };
    let mut seen: HashSet<String> = HashSet::new();
    let mut sent: BTreeMap<String, Value> = BTreeMap::new();
    let mut new_state = PipeState { since: read.since.clone(), runs: state.runs + 1, tracking: offsets };
    let batch_size = pipe.batch_size.max(1);
    let mut batches: Vec<Vec<Value>> = Vec::new();
    let mut entities = read.entities.into_iter().peekable();
    while entities.peek().is_some() {
        batches.push(entities.by_ref().take(batch_size).collect());
    }
    let mut breaker = Breaker::new(sink_dataset, &*store)?;
    let previous_from = previous_versions_of(pipe);
    for batch in batches {
        let mut out = Vec::new();
        for entity in batch {
            let entity = if pipe.add_namespaces { add_namespaces(pipe, entity) } else { entity };
            let previous = match previous_from {
                Some(dataset) => previous_version(&*store, dataset, &entity)?,
                None => None,
            };
            let produced = transform(pipe, entity, &options, &*store as &dyn DatasetAccess, previous.as_ref())?;
            out.extend(produced);
        }
        if pipe.remove_namespaces {
            out = out.into_iter().map(|e| remove_namespaces(&e)).collect();
        }
        for e in &out {
            if e.entity_id().is_none() {
                return Err(fail(pipe, format!("the transforms emitted an entity without a string `_id`: {e}")));
            }
        }
        match &pipe.sink {
            SinkConfig::Dataset(d) => {
                let writes = dataset_writes(d, &*store, out, &mut seen)?;
                breaker.check(pipe, &*store, &writes)?;
                report.written += store.append(&d.dataset, writes, None)?.written;
            }
            SinkConfig::Json => {
                for e in out {
                    let id = e.entity_id().unwrap_or_default().to_string();
                    report.written += 1;
                    sent.insert(id, e);
                }
            }
            SinkConfig::Null => report.written += out.len(),
        }
    }
    // A full run tracks changes from here on.
    if full {
        new_state.tracking = tracking.ends(&*store);
    }
    // Deletion tracking, then the state with the last write.
    let mut last: Vec<Value> = Vec::new();
    if let Some(d) = sink_dataset {
        if full && d.deletion_tracking {
            for e in store.latest_all(&d.dataset)? {
                let id = e.entity_id().unwrap_or_default();
                if !is_deleted(&e) && !seen.contains(id) {
                    let mut deleted = deleted_copy(&e);
                    if d.mark_deletion_tracked {
                        if let Value::Dict(m) = &mut deleted {
                            std::sync::Arc::make_mut(m).insert(Str::from("$deletion_tracked"), Value::Bool(true));
                        }
                    }
                    last.push(deleted);
                }
            }
            report.deletion_tracked = last.len();
            breaker.check(pipe, &*store, &last)?;
        }
        report.written += store.append(&d.dataset, last, Some((&pipe.id, new_state)))?.written;
        let populate = match d.initial_offset {
            InitialOffset::IfSourcePopulated => read.populated,
            InitialOffset::Always => true,
            _ => false,
        };
        if populate && !store.is_populated(&d.dataset) {
            store.set_populated(&d.dataset)?;
            report.changed = true;
        }
        if pipe.compaction.enabled {
            report.compacted = store.compact(&d.dataset, retention(pipe, node_pipes, &*store, &d.dataset))?;
        }
    } else {
        store.save_pipe_state(&pipe.id, new_state)?;
        if matches!(pipe.sink, SinkConfig::Json) {
            let previous = outputs.entry(pipe.id.clone()).or_default();
            let before = previous.clone();
            if full {
                *previous = sent;
            } else {
                previous.extend(sent);
            }
            report.written *= usize::from(*previous != before);
        } else {
            report.written = 0;
        }
    }
    report.changed |= report.written > 0;
    Ok(report)
}

/// What sink compaction keeps after a run (spec §1.2: `compaction.*`).
fn retention(pipe: &Pipe, node_pipes: &[Pipe], store: &dyn PipeStore, dataset: &str) -> Retention {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
    Retention {
        keep_versions: pipe.compaction.keep_versions,
        horizon: tracking_horizon(node_pipes, store, dataset),
        keep_since_ts: pipe.compaction.time_threshold_hours.map(|h| now - (h * 3_600_000_000.0) as i64),
    }
}

/// The lowest tracking offset any of `node_pipes` (disabled ones included) holds on
/// `dataset` (spec §1.7): compaction keeps every version replaced after it, since
/// that pipe has yet to walk back the old join values. A pipe that tracked the
/// dataset while it was empty (`None`) holds everything back (horizon 0: every
/// replacing version has an offset above 0).
fn tracking_horizon(node_pipes: &[Pipe], store: &dyn PipeStore, dataset: &str) -> Option<u64> {
    node_pipes
        .iter()
        .filter_map(|p| store.pipe_state(&p.id)?.tracking.get(dataset).map(|offset| offset.unwrap_or(0)))
        .min()
}

fn fail(pipe: &Pipe, message: String) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(codes::PIPE_FAILED, format!("pipe `{}` failed: {message}", pipe.id))
            .at(pipe.span, "this pipe")
            .in_source(&pipe.file),
    )
}

/// A deleted version with the content of `e`.
fn deleted_copy(e: &Value) -> Value {
    let mut m: Map = e.as_dict().cloned().unwrap_or_default();
    m.insert(Str::from("_deleted"), Value::Bool(true));
    Value::dict(m)
}

/// Turns sink input into store writes: `_filtered` entities delete a live stored
/// entity (and write nothing otherwise). Every id handed to the sink counts as seen.
fn dataset_writes(
    d: &DatasetSink,
    store: &dyn PipeStore,
    out: Vec<Value>,
    seen: &mut HashSet<String>,
) -> Result<Vec<Value>, Box<Diagnostic>> {
    let mut writes = Vec::with_capacity(out.len());
    for e in out {
        let id = e.entity_id().unwrap_or_default().to_string();
        if matches!(e.get("_filtered"), Some(Value::Bool(true))) {
            if let Some(stored) = store.latest(&d.dataset, &id)?.filter(|s| !is_deleted(s)) {
                writes.push(deleted_copy(&stored));
            }
        } else {
            writes.push(e);
        }
        seen.insert(id);
    }
    Ok(writes)
}

/// The circuit breaker of a populated dataset sink: the run stops, before writing,
/// at the batch that would take the run's writes over the limit.
struct Breaker {
    limit: Option<u64>,
    written: u64,
}

impl Breaker {
    fn new(sink: Option<&DatasetSink>, store: &dyn PipeStore) -> Result<Breaker, Box<Diagnostic>> {
        let Some(d) = sink.filter(|d| store.is_populated(&d.dataset)) else {
            return Ok(Breaker { limit: None, written: 0 });
        };
        let by_factor = match d.breaker_factor {
            Some(f) => Some((f * store.latest_all(&d.dataset)?.len() as f64).floor() as u64),
            None => None,
        };
        let limit = match (by_factor, d.breaker_count) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(Breaker { limit, written: 0 })
    }

    fn check(&mut self, pipe: &Pipe, store: &dyn PipeStore, writes: &[Value]) -> Result<(), Box<Diagnostic>> {
        let Some(limit) = self.limit else { return Ok(()) };
        let SinkConfig::Dataset(d) = &pipe.sink else { return Ok(()) };
        let mut changes = 0;
        for w in writes {
            let latest = store.latest(&d.dataset, w.entity_id().unwrap_or_default())?;
            if latest.and_then(|l| l.get("_hash").cloned()) != Some(Value::str(&content_hash(&prepare(w)))) {
                changes += 1;
            }
        }
        self.written += changes;
        if self.written > limit {
            return Err(Box::new(
                Diagnostic::new(
                    codes::CIRCUIT_BREAKER,
                    format!(
                        "the circuit breaker of pipe `{}` tripped: the run would write more than {limit} versions to dataset `{}`",
                        pipe.id, d.dataset
                    ),
                )
                .at(pipe.span, "this pipe")
                .help("the batch was not written; raise `circuit_breaker_threshold_*` on the sink if the change is intended")
                .in_source(&pipe.file),
            ));
        }
        Ok(())
    }
}

/// Runs one entity through the chain; `_filtered` entities skip later transforms.
fn transform(
    pipe: &Pipe,
    entity: Value,
    options: &RunOptions,
    datasets: &dyn DatasetAccess,
    previous: Option<&Value>,
) -> Result<Vec<Value>, Box<Diagnostic>> {
    let mut current = vec![entity];
    for (i, stage) in pipe.transforms.iter().enumerate() {
        let mut next = Vec::with_capacity(current.len());
        for e in &current {
            if matches!(e.get("_filtered"), Some(Value::Bool(true))) {
                next.push(e.clone());
                continue;
            }
            match stage {
                Stage::Dtl(program) => {
                    let prev = if i == 0 { previous } else { None };
                    let out = program.transform_with(e, options, Some(datasets), prev).map_err(|d| {
                        let mut d = *d;
                        d.message = format!("pipe `{}`: {}", pipe.id, d.message);
                        Box::new(d)
                    })?;
                    next.extend(out.entities);
                }
                Stage::EmitChildren => {
                    let children = e.get("$children").map(|c| c.iter_list().cloned().collect::<Vec<_>>());
                    next.extend(children.into_iter().flatten().filter(|c| c.entity_id().is_some()));
                }
            }
        }
        current = next;
    }
    Ok(current)
}

/// For `is-changed`: the dataset whose previous versions the run looks up — the
/// dataset source, when the first transform calls `is-changed` (else none).
fn previous_versions_of(pipe: &Pipe) -> Option<&str> {
    let SourceConfig::Dataset { dataset, .. } = &pipe.source else { return None };
    let first_needs = matches!(pipe.transforms.first(), Some(Stage::Dtl(p)) if p.needs_previous_version());
    first_needs.then_some(dataset.0.as_str())
}

/// The stored version an entity of `dataset` replaced (`_previous`), if still there.
fn previous_version(store: &dyn PipeStore, dataset: &str, entity: &Value) -> Result<Option<Value>, Box<Diagnostic>> {
    match entity.get("_previous").and_then(Value::as_i64).and_then(|p| u64::try_from(p).ok()) {
        Some(offset) => store.version_at(dataset, offset),
        None => Ok(None),
    }
}

/// What a source read.
struct Read {
    entities: Vec<Value>,
    /// The marker to save after the run.
    since: Option<Value>,
    /// Whether the source counts as populated.
    populated: bool,
}

fn read_source(pipe: &Pipe, store: &dyn PipeStore, since: Option<&Value>) -> Result<Read, Box<Diagnostic>> {
    Ok(match &pipe.source {
        SourceConfig::Dataset { dataset, include_previous_versions, include_replaced } => {
            let from = since.and_then(Value::as_i64).and_then(|s| u64::try_from(s).ok());
            let (entities, last) = read_dataset(store, &dataset.0, from, *include_previous_versions)?;
            let entities = if *include_replaced {
                entities
            } else {
                entities.into_iter().filter(|e| !matches!(e.get("$replaced"), Some(Value::Bool(true)))).collect()
            };
            let since = last.or(from).map(|o| Value::Int(o as i64));
            Read { entities, since: since.or(Some(Value::Int(-1))), populated: store.is_populated(&dataset.0) }
        }
        SourceConfig::Entities(entities) => Read { entities: entities.clone(), since: None, populated: true },
        SourceConfig::Empty => Read { entities: Vec::new(), since: None, populated: true },
        SourceConfig::Merge(m) => {
            let mut entities = m.compute(store)?;
            let live: Vec<Value> =
                entities.iter().filter(|e| !is_deleted(e)).filter_map(|e| e.entity_id().map(Value::str)).collect();
            if let Some(previous) = since.or(store.pipe_state(&pipe.id).and_then(|s| s.since).as_ref()) {
                let gone = merge::replaced(previous.get("emitted").unwrap_or(&Value::Null), &entities);
                entities.extend(gone);
            }
            let mut marker = map_with_capacity(1);
            marker.insert(Str::from("emitted"), Value::list(live));
            let populated = m.datasets.iter().all(|d| !store.has_dataset(&d.name.0) || store.is_populated(&d.name.0));
            Read { entities, since: Some(Value::dict(marker)), populated }
        }
        SourceConfig::Union { datasets, prefix_ids, include_previous_versions } => {
            let mut entities = Vec::new();
            let mut marker = map_with_capacity(datasets.len());
            for (name, _) in datasets {
                let from = marker_of(since, name);
                let (read, last) = read_dataset(store, name, from, *include_previous_versions)?;
                for e in read {
                    entities.push(if *prefix_ids { prefixed(&e, name) } else { e });
                }
                marker.insert(Str::from(name.as_str()), last.or(from).map_or(Value::Int(-1), |o| Value::Int(o as i64)));
            }
            let populated = datasets.iter().all(|(d, _)| !store.has_dataset(d) || store.is_populated(d));
            Read { entities, since: Some(Value::dict(marker)), populated }
        }
        SourceConfig::MergeDatasets { datasets, all } => {
            let mut changed: Vec<String> = Vec::new();
            let mut marker = map_with_capacity(datasets.len());
            for (name, _) in datasets {
                let from = marker_of(since, name);
                let (read, last) = read_dataset(store, name, from, true)?;
                changed.extend(read.iter().filter_map(|e| e.entity_id().map(str::to_string)));
                marker.insert(Str::from(name.as_str()), last.or(from).map_or(Value::Int(-1), |o| Value::Int(o as i64)));
            }
            changed.sort();
            changed.dedup();
            let mut out: Vec<(i64, Value)> = Vec::new();
            for id in changed {
                let mut versions: Vec<(&str, Value)> = Vec::with_capacity(datasets.len());
                for (d, _) in datasets {
                    if let Some(v) = store.latest(d, &id)? {
                        versions.push((d.as_str(), v));
                    }
                }
                let ts = |v: &Value| v.get("_ts").and_then(Value::as_i64).unwrap_or(0);
                let newest = versions.iter().map(|(_, v)| ts(v)).max().unwrap_or(0);
                let entity = if *all {
                    let mut m = map_with_capacity(versions.len() + 1);
                    m.insert(Str::from("_id"), Value::str(&id));
                    for (d, v) in &versions {
                        m.insert(Str::from(*d), v.clone());
                    }
                    if versions.iter().all(|(_, v)| is_deleted(v)) {
                        m.insert(Str::from("_deleted"), Value::Bool(true));
                    }
                    Value::dict(m)
                } else {
                    versions.iter().max_by_key(|(_, v)| ts(v)).map(|(_, v)| v.clone()).unwrap_or_default()
                };
                out.push((newest, entity));
            }
            out.sort_by_key(|(ts, _)| *ts);
            let populated = datasets.iter().all(|(d, _)| !store.has_dataset(d) || store.is_populated(d));
            Read { entities: out.into_iter().map(|(_, e)| e).collect(), since: Some(Value::dict(marker)), populated }
        }
    })
}

fn marker_of(since: Option<&Value>, name: &str) -> Option<u64> {
    since.and_then(|s| s.get(name)).and_then(Value::as_i64).and_then(|o| u64::try_from(o).ok())
}

/// Versions after `from`; without previous versions, only those that are still the latest.
/// Also gives the last offset read.
///
/// The read runs to the end of the log, so the latest version of every `_id` it
/// meets is among the versions read: it is the last one with that `_id`. No second
/// look-up per version is needed.
fn read_dataset(
    store: &dyn PipeStore,
    name: &str,
    from: Option<u64>,
    previous: bool,
) -> Result<(Vec<Value>, Option<u64>), Box<Diagnostic>> {
    let versions = store.read_since(name, from, usize::MAX)?;
    let last = versions.last().and_then(|v| v.get("_updated")).and_then(Value::as_i64).map(|o| o as u64);
    if previous {
        return Ok((versions, last));
    }
    let mut last_of: HashMap<&str, usize> = HashMap::with_capacity(versions.len());
    for (i, v) in versions.iter().enumerate() {
        last_of.insert(v.entity_id().unwrap_or_default(), i);
    }
    let mut keep = vec![false; versions.len()];
    for &i in last_of.values() {
        keep[i] = true;
    }
    drop(last_of);
    let kept = versions.into_iter().zip(keep).filter_map(|(v, k)| k.then_some(v)).collect();
    Ok((kept, last))
}

fn prefixed(e: &Value, prefix: &str) -> Value {
    let mut m: Map = e.as_dict().cloned().unwrap_or_default();
    let id = format!("{prefix}:{}", e.entity_id().unwrap_or_default());
    m.insert(Str::from("_id"), Value::str(&id));
    Value::dict(m)
}

/// `add_namespaces`: `_id` gets the identity namespace, root properties not starting
/// with `_` or `$` the property namespace.
fn add_namespaces(pipe: &Pipe, e: Value) -> Value {
    let Some(ns) = &pipe.namespaces else { return e };
    let Some(map) = e.as_dict() else { return e };
    let mut out = map_with_capacity(map.len());
    for (k, v) in map.iter() {
        if k.as_ref() == "_id" {
            let id = format!("{}:{}", ns.identity, v.as_str().unwrap_or_default());
            out.insert(k.clone(), Value::str(&id));
        } else if k.starts_with('_') || k.starts_with('$') {
            out.insert(k.clone(), v.clone());
        } else {
            out.insert(Str::from(format!("{}:{k}", ns.property).as_str()), v.clone());
        }
    }
    Value::dict(out)
}

/// `remove_namespaces`: the namespace is cut from `_id`, from root property names
/// and from namespaced-identifier values (which become their id, a string).
fn remove_namespaces(e: &Value) -> Value {
    let strip = |s: &str| s.split_once(':').map_or(s, |(_, rest)| rest).to_string();
    fn values(v: &Value) -> Value {
        match v {
            Value::Ni(s) => Value::str(s.split_once(':').map_or(s.as_ref(), |(_, rest)| rest)),
            Value::List(items) => Value::list(items.iter().map(values).collect()),
            Value::Dict(m) => Value::dict(m.iter().map(|(k, v)| (k.clone(), values(v))).collect()),
            other => other.clone(),
        }
    }
    let Some(map) = e.as_dict() else { return e.clone() };
    let mut out = map_with_capacity(map.len());
    for (k, v) in map.iter() {
        if k.as_ref() == "_id" {
            out.insert(k.clone(), Value::str(&strip(v.as_str().unwrap_or_default())));
        } else if k.starts_with('_') {
            out.insert(k.clone(), v.clone());
        } else {
            out.insert(Str::from(strip(k).as_str()), values(v));
        }
    }
    Value::dict(out)
}
