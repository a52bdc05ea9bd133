//! What the pump needs from dataset storage: the [`PipeStore`] trait, and
//! [`MemoryStore`], an in-memory implementation.
//!
//! A dataset is an append-only log of entity versions. Every appended version gets
//! the next offset as `_updated`, `_previous` (the offset of the version it
//! replaces), `_ts` (microseconds) and `_hash` (a content hash). Writing is
//! change-tracked: a version is appended only when its content differs from the
//! latest stored version of its `_id` (see [`prepare`] and [`content_hash`]).
//!
//! The store is also the [`DatasetAccess`] that `hops` and `lookup-entity` read: the
//! latest non-deleted version of each entity.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::dataset::store::{Retention, Store};
use crate::dataset::{is_deleted, DatasetAccess, DatasetError, IndexCache};
use crate::diagnostic::Diagnostic;
use crate::value::{map_with_capacity, wire, Map, Str, Value};

/// What a pipe remembers between runs. Saved together with a batch, so the marker
/// never runs ahead of (or behind) what was written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PipeState {
    /// The continuation marker (`last_seen`): `None` means the next run is a full run.
    /// A dataset source keeps its offset; multi-dataset sources keep a dict.
    pub since: Option<Value>,
    /// How many runs completed (drives `pump.rescan_run_count`).
    pub runs: u64,
    /// Dependency tracking: per hopped dataset, the offset of the last version
    /// whose change has been handled (`None`: none, the dataset was empty).
    pub tracking: BTreeMap<String, Option<u64>>,
}

/// What an append did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Appended {
    /// New versions written (changed, new or deleted entities).
    pub written: usize,
    /// Entities whose content equalled the latest version (nothing written).
    pub unchanged: usize,
}

/// Dataset storage as the pump uses it. Datasets are created by the first append.
///
/// Offsets start at 0 and grow by one per appended version; they are never
/// reused. Reads see committed data only: an append is atomic.
pub trait PipeStore: DatasetAccess + Send {
    /// Every dataset name, sorted.
    fn dataset_names(&self) -> Vec<String>;

    /// Appends `entities` to `dataset` (creating it), with change tracking: each
    /// entity is reduced by [`prepare`] and written only when its [`content_hash`]
    /// differs from the latest version of its `_id`. When `state` is given, the
    /// pipe's state is saved in the same atomic step. Entities must carry a string `_id`.
    fn append(
        &mut self,
        dataset: &str,
        entities: Vec<Value>,
        state: Option<(&str, PipeState)>,
    ) -> Result<Appended, Box<Diagnostic>>;

    /// Up to `limit` versions of `dataset` with an offset greater than `since` (all
    /// when `since` is `None`), in offset order, deleted ones included. Unknown
    /// datasets read as empty. The reads below fail only when stored data cannot
    /// be read back (an I/O error, a damaged file).
    fn read_since(&self, dataset: &str, since: Option<u64>, limit: usize) -> Result<Vec<Value>, Box<Diagnostic>>;

    /// The latest version of `id` in `dataset`, deleted or not.
    fn latest(&self, dataset: &str, id: &str) -> Result<Option<Value>, Box<Diagnostic>>;

    /// The offset of the last version written to `dataset` (`None`: none, or no such dataset).
    fn last_offset(&self, dataset: &str) -> Option<u64>;

    /// The latest version of every `_id` of `dataset`, deleted ones included, in `_id` order.
    fn latest_all(&self, dataset: &str) -> Result<Vec<Value>, Box<Diagnostic>>;

    /// The version of `dataset` at `offset`, if compaction has not dropped it.
    fn version_at(&self, dataset: &str, offset: u64) -> Result<Option<Value>, Box<Diagnostic>> {
        let next = self.read_since(dataset, offset.checked_sub(1), 1)?.into_iter().next();
        let at = |v: &Value| v.get("_updated").and_then(Value::as_i64).and_then(|o| u64::try_from(o).ok());
        Ok(next.filter(|v| at(v) == Some(offset)))
    }

    /// The saved state of `pipe` (`None` before its first committed run).
    fn pipe_state(&self, pipe: &str) -> Option<PipeState>;

    /// Saves the state of `pipe` on its own (a run that wrote nothing).
    fn save_pipe_state(&mut self, pipe: &str, state: PipeState) -> Result<(), Box<Diagnostic>>;

    /// Whether `dataset` is populated (its producer has set the initial offset).
    fn is_populated(&self, dataset: &str) -> bool;

    /// Marks `dataset` populated (creating it, empty, when needed).
    fn set_populated(&mut self, dataset: &str) -> Result<(), Box<Diagnostic>>;

    /// Drops the versions of `dataset` that `retention` does not keep (never the
    /// latest of an `_id`); kept versions keep their offsets. Atomic. Returns the
    /// number of versions dropped.
    fn compact(&mut self, dataset: &str, retention: Retention) -> Result<usize, Box<Diagnostic>>;
}

/// The stored form of an incoming entity, before bookkeeping: root keys that start
/// with `_` are dropped except `_id` and `_deleted`, and `_deleted` becomes a
/// boolean (only the literal `true` means deleted). The same function the
/// persistent store uses.
pub fn prepare(entity: &Value) -> Value {
    if entity.as_dict().is_some() {
        return crate::dataset::store::stored_form(entity).0;
    }
    let mut out = map_with_capacity(1);
    out.insert(Str::from("_deleted"), Value::Bool(is_deleted(entity)));
    Value::dict(out)
}

/// The content hash of an entity as 32 hex digits (the `_hash` property): the
/// persistent store's hash ([`crate::dataset::store::content_hash`], MurmurHash3
/// x64-128 of a typed canonical serialization of every root key not starting with
/// `_`, plus `_id` and `_deleted`). Give it a [`prepare`]d entity.
pub fn content_hash(entity: &Value) -> String {
    let mut scratch = Vec::with_capacity(128);
    format!("{:032x}", crate::dataset::store::content_hash(entity, &mut scratch))
}

/// Wire JSON with dict keys sorted at every level (the tester's comparison form;
/// not used for hashing).
pub fn canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Dict(map) => {
            let mut keys: Vec<(&Str, &Value)> = map.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, item)) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                wire::write_str(k, out);
                out.push(b':');
                canonical(item, out);
            }
            out.push(b'}');
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, out);
            }
            out.push(b']');
        }
        other => wire::write(other, out),
    }
}

#[derive(Debug, Default)]
struct Dataset {
    /// Every version, by offset (`None`: compacted away).
    log: Vec<Option<Value>>,
    /// `_id` → offset of its latest version.
    latest: BTreeMap<String, usize>,
    populated: bool,
}

/// Datasets and pipe states held in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    datasets: BTreeMap<String, Dataset>,
    states: HashMap<String, PipeState>,
    indexes: IndexCache,
    last_ts: i64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A strictly increasing wall-clock time in microseconds.
    fn now(&mut self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        self.last_ts = now.max(self.last_ts + 1);
        self.last_ts
    }
}

impl DatasetAccess for MemoryStore {
    fn has_dataset(&self, dataset: &str) -> bool {
        self.datasets.contains_key(dataset)
    }

    fn lookup(&self, dataset: &str, id: &str) -> Result<Option<Value>, DatasetError> {
        let d = self.datasets.get(dataset).ok_or(DatasetError::Unknown)?;
        Ok(d.latest.get(id).and_then(|&o| d.log[o].as_ref()).filter(|e| !is_deleted(e)).cloned())
    }

    fn scan(&self, dataset: &str, visit: &mut dyn FnMut(&Value)) -> Result<(), DatasetError> {
        let d = self.datasets.get(dataset).ok_or(DatasetError::Unknown)?;
        d.latest.values().filter_map(|&o| d.log[o].as_ref()).filter(|e| !is_deleted(e)).for_each(visit);
        Ok(())
    }

    fn indexes(&self) -> &IndexCache {
        &self.indexes
    }
}

impl PipeStore for MemoryStore {
    fn dataset_names(&self) -> Vec<String> {
        self.datasets.keys().cloned().collect()
    }

    fn append(
        &mut self,
        dataset: &str,
        entities: Vec<Value>,
        state: Option<(&str, PipeState)>,
    ) -> Result<Appended, Box<Diagnostic>> {
        if let Some(bad) = entities.iter().find(|e| e.entity_id().is_none()) {
            return Err(Box::new(Diagnostic::new(
                crate::diagnostic::codes::INPUT_NOT_ENTITY,
                format!("cannot write a value without a string `_id` to dataset `{dataset}`: {bad}"),
            )));
        }
        let mut result = Appended::default();
        let mut versions = Vec::with_capacity(entities.len());
        for entity in &entities {
            let prepared = prepare(entity);
            let hash = content_hash(&prepared);
            versions.push((prepared, hash));
        }
        let ts_needed = !versions.is_empty();
        let ts = if ts_needed { self.now() } else { 0 };
        let d = self.datasets.entry(dataset.to_string()).or_default();
        for (prepared, hash) in versions {
            let id = prepared.entity_id().unwrap_or_default().to_string();
            let previous = d.latest.get(&id).copied();
            let unchanged =
                previous.and_then(|p| d.log[p].as_ref()).and_then(|l| l.get("_hash")).and_then(Value::as_str)
                    == Some(hash.as_str());
            if unchanged {
                result.unchanged += 1;
                continue;
            }
            let offset = d.log.len();
            let Value::Dict(map) = prepared else { unreachable!("prepare gives a dict") };
            let mut map: Map = Arc::unwrap_or_clone(map);
            map.insert(Str::from("_hash"), Value::str(&hash));
            map.insert(Str::from("_previous"), previous.map_or(Value::Null, |p| Value::Int(p as i64)));
            map.insert(Str::from("_ts"), Value::Int(ts));
            map.insert(Str::from("_updated"), Value::Int(offset as i64));
            d.log.push(Some(Value::dict(map)));
            d.latest.insert(id, offset);
            result.written += 1;
        }
        if result.written > 0 {
            self.indexes.invalidate(dataset);
        }
        if let Some((pipe, state)) = state {
            self.states.insert(pipe.to_string(), state);
        }
        Ok(result)
    }

    fn read_since(&self, dataset: &str, since: Option<u64>, limit: usize) -> Result<Vec<Value>, Box<Diagnostic>> {
        let Some(d) = self.datasets.get(dataset) else { return Ok(Vec::new()) };
        let start = since.map_or(0, |s| (s as usize).saturating_add(1)).min(d.log.len());
        Ok(d.log[start..].iter().flatten().take(limit).cloned().collect())
    }

    fn latest(&self, dataset: &str, id: &str) -> Result<Option<Value>, Box<Diagnostic>> {
        let Some(d) = self.datasets.get(dataset) else { return Ok(None) };
        Ok(d.latest.get(id).and_then(|&o| d.log[o].clone()))
    }

    fn last_offset(&self, dataset: &str) -> Option<u64> {
        self.datasets.get(dataset).and_then(|d| d.log.len().checked_sub(1)).map(|o| o as u64)
    }

    fn latest_all(&self, dataset: &str) -> Result<Vec<Value>, Box<Diagnostic>> {
        let Some(d) = self.datasets.get(dataset) else { return Ok(Vec::new()) };
        Ok(d.latest.values().filter_map(|&o| d.log[o].clone()).collect())
    }

    fn pipe_state(&self, pipe: &str) -> Option<PipeState> {
        self.states.get(pipe).cloned()
    }

    fn save_pipe_state(&mut self, pipe: &str, state: PipeState) -> Result<(), Box<Diagnostic>> {
        self.states.insert(pipe.to_string(), state);
        Ok(())
    }

    fn is_populated(&self, dataset: &str) -> bool {
        self.datasets.get(dataset).is_some_and(|d| d.populated)
    }

    fn set_populated(&mut self, dataset: &str) -> Result<(), Box<Diagnostic>> {
        self.datasets.entry(dataset.to_string()).or_default().populated = true;
        Ok(())
    }

    fn compact(&mut self, dataset: &str, retention: Retention) -> Result<usize, Box<Diagnostic>> {
        let Some(d) = self.datasets.get_mut(dataset) else { return Ok(0) };
        let keep = retention.keep_versions.max(1);
        // The offsets of each `_id`, oldest first.
        let mut per_id: HashMap<&str, Vec<usize>> = HashMap::new();
        for (offset, version) in d.log.iter().enumerate() {
            if let Some(id) = version.as_ref().and_then(Value::entity_id) {
                per_id.entry(id).or_default().push(offset);
            }
        }
        let mut removed = Vec::new();
        for offsets in per_id.values().filter(|o| o.len() > keep) {
            for (i, &offset) in offsets[..offsets.len() - keep].iter().enumerate() {
                if retention.horizon.is_some_and(|h| offsets[i + 1] as u64 > h) {
                    break;
                }
                let ts = d.log[offset].as_ref().and_then(|v| v.get("_ts")).and_then(Value::as_i64);
                if retention.keep_since_ts.is_some_and(|cutoff| ts.unwrap_or(i64::MAX) >= cutoff) {
                    break;
                }
                removed.push(offset);
            }
        }
        for &offset in &removed {
            d.log[offset] = None;
        }
        Ok(removed.len())
    }
}

/// The state key of a pipe in the persistent store.
fn state_key(pipe: &str) -> String {
    format!("pipe:{pipe}")
}

/// The persistent store ([`Store`]) as the pump uses it. Pipe state is kept under
/// the state key `pipe:<id>` as `{"since": marker, "runs": n}`.
impl PipeStore for Store {
    fn dataset_names(&self) -> Vec<String> {
        Store::dataset_names(self)
    }

    fn append(
        &mut self,
        dataset: &str,
        entities: Vec<Value>,
        state: Option<(&str, PipeState)>,
    ) -> Result<Appended, Box<Diagnostic>> {
        let saved = state.map(|(pipe, s)| (state_key(pipe), state_value(&s)));
        let state: Vec<(&str, Value)> = saved.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let r = self.write_batch_with_state(dataset, entities, &state)?;
        Ok(Appended { written: r.written, unchanged: r.unchanged })
    }

    fn read_since(&self, dataset: &str, since: Option<u64>, limit: usize) -> Result<Vec<Value>, Box<Diagnostic>> {
        Store::read_since(self, dataset, since, Some(limit))
    }

    fn latest(&self, dataset: &str, id: &str) -> Result<Option<Value>, Box<Diagnostic>> {
        self.get(dataset, id)
    }

    fn last_offset(&self, dataset: &str) -> Option<u64> {
        Store::last_offset(self, dataset)
    }

    fn latest_all(&self, dataset: &str) -> Result<Vec<Value>, Box<Diagnostic>> {
        Store::latest(self, dataset)
    }

    fn pipe_state(&self, pipe: &str) -> Option<PipeState> {
        let v = self.get_state(&state_key(pipe))?;
        let since = v.get("since").filter(|s| !matches!(s, Value::Null)).cloned();
        let runs = v.get("runs").and_then(Value::as_i64).unwrap_or(0).max(0) as u64;
        let tracking = v
            .get("tracking")
            .and_then(Value::as_dict)
            .map(|m| m.iter().map(|(d, o)| (d.to_string(), o.as_i64().and_then(|o| u64::try_from(o).ok()))).collect())
            .unwrap_or_default();
        Some(PipeState { since, runs, tracking })
    }

    fn save_pipe_state(&mut self, pipe: &str, state: PipeState) -> Result<(), Box<Diagnostic>> {
        self.set_state(&[(&state_key(pipe), state_value(&state))])
    }

    fn is_populated(&self, dataset: &str) -> bool {
        Store::is_populated(self, dataset)
    }

    fn set_populated(&mut self, dataset: &str) -> Result<(), Box<Diagnostic>> {
        Store::set_populated(self, dataset)
    }

    fn compact(&mut self, dataset: &str, retention: Retention) -> Result<usize, Box<Diagnostic>> {
        self.compact_with(dataset, retention)
    }
}

fn state_value(state: &PipeState) -> Value {
    let mut m = map_with_capacity(3);
    m.insert(Str::from("since"), state.since.clone().unwrap_or(Value::Null));
    m.insert(Str::from("runs"), Value::Int(state.runs as i64));
    if !state.tracking.is_empty() {
        let mut offsets = map_with_capacity(state.tracking.len());
        for (dataset, offset) in &state.tracking {
            offsets.insert(Str::from(dataset.as_str()), Value::Int(offset.map_or(-1, |o| o as i64)));
        }
        m.insert(Str::from("tracking"), Value::dict(offsets));
    }
    Value::dict(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        wire::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn change_tracking_appends_only_changes() {
        let mut s = MemoryStore::new();
        let r = s.append("d", vec![v(r#"{"_id":"a","x":1}"#), v(r#"{"_id":"b","x":1,"_tmp":2}"#)], None).unwrap();
        assert_eq!(r, Appended { written: 2, unchanged: 0 });
        let r = s.append("d", vec![v(r#"{"_id":"a","x":1,"_ts":5}"#), v(r#"{"_id":"a","x":2}"#)], None).unwrap();
        assert_eq!(r, Appended { written: 1, unchanged: 1 });
        let a = s.latest("d", "a").unwrap().unwrap();
        assert_eq!(a.get("_updated"), Some(&Value::Int(2)));
        assert_eq!(a.get("_previous"), Some(&Value::Int(0)));
        assert!(s.latest("d", "b").unwrap().unwrap().get("_tmp").is_none());
        // Back to the first content: a new version with the first version's hash.
        s.append("d", vec![v(r#"{"_id":"a","x":1}"#)], None).unwrap();
        let first = s.read_since("d", None, 1).unwrap().remove(0);
        assert_eq!(s.latest("d", "a").unwrap().unwrap().get("_hash"), first.get("_hash"));
        assert_eq!(s.read_since("d", Some(1), usize::MAX).unwrap().len(), 2);
    }

    #[test]
    fn deletes_are_versions_and_hide_entities_from_hops() {
        let mut s = MemoryStore::new();
        s.append("d", vec![v(r#"{"_id":"a","x":1}"#)], None).unwrap();
        let r = s.append("d", vec![v(r#"{"_id":"a","x":1,"_deleted":true}"#)], None).unwrap();
        assert_eq!(r.written, 1);
        assert_eq!(s.lookup("d", "a").unwrap(), None);
        let r = s.append("d", vec![v(r#"{"_id":"a","x":1,"_deleted":true}"#)], None).unwrap();
        assert_eq!(r.written, 0);
        assert_eq!(s.latest_all("d").unwrap().len(), 1);
    }

    #[test]
    fn state_is_saved_with_the_batch() {
        let mut s = MemoryStore::new();
        let state = PipeState { since: Some(Value::Int(3)), runs: 1, tracking: BTreeMap::new() };
        s.append("d", vec![], Some(("p", state.clone()))).unwrap();
        assert_eq!(s.pipe_state("p"), Some(state));
        assert!(!s.is_populated("d"));
        s.set_populated("d").unwrap();
        assert!(s.is_populated("d"));
    }

    #[test]
    fn compaction_keeps_offsets_and_the_latest() {
        let mut s = MemoryStore::new();
        for n in 0..4 {
            s.append("d", vec![v(&format!(r#"{{"_id":"a","n":{n}}}"#)), v(r#"{"_id":"b"}"#)], None).unwrap();
        }
        // a: 0 2 3 4, b: 1
        assert_eq!(s.compact("d", Retention::versions(2)).unwrap(), 2);
        let offsets = |s: &MemoryStore| -> Vec<Value> {
            s.read_since("d", None, usize::MAX).unwrap().iter().map(|e| e.get("_updated").unwrap().clone()).collect()
        };
        assert_eq!(offsets(&s), [Value::Int(1), Value::Int(3), Value::Int(4)]);
        assert_eq!(s.read_since("d", Some(1), 1).unwrap()[0].get("_updated"), Some(&Value::Int(3)));
        assert_eq!(s.latest("d", "a").unwrap().unwrap().get("n"), Some(&Value::Int(3)));
        let r = s.append("d", vec![v(r#"{"_id":"a","n":3}"#)], None).unwrap();
        assert_eq!(r.written, 0, "change tracking still sees the latest");
        let r = Retention { keep_versions: 1, horizon: Some(3), keep_since_ts: None };
        assert_eq!(s.compact("d", r).unwrap(), 0, "replaced at 4, after the horizon");
        assert_eq!(s.compact("d", Retention::versions(1)).unwrap(), 1);
        assert_eq!(offsets(&s), [Value::Int(1), Value::Int(4)]);
    }

    #[test]
    fn the_hash_ignores_key_order_but_not_types() {
        assert_eq!(content_hash(&v(r#"{"_id":"a","x":1,"y":2}"#)), content_hash(&v(r#"{"y":2,"_id":"a","x":1}"#)));
        assert_ne!(content_hash(&v(r#"{"_id":"a","x":1}"#)), content_hash(&v(r#"{"_id":"a","x":1.0}"#)));
        assert_eq!(content_hash(&v(r#"{"_id":"a"}"#)).len(), 32);
    }
}
