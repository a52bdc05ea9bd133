//! The persistent dataset store: per dataset an append-only versioned log of
//! entities (spec Part 1.2), plus populated flags and pipe state, in one
//! crash-safe log file per store folder.
//!
//! Every write is one atomic group of records ending in a commit marker, written
//! with one `write` and made durable with one `fsync`. On open the log is
//! replayed into an in-memory index (where each version lives, the latest
//! version of every `_id`); a torn or uncommitted tail is truncated. Entity bodies
//! stay on disk and are read back (`pread`) and parsed on demand.
//!
//! See `README.md` beside this file for the engine choice and its numbers.

mod compact;
mod hash;
mod log;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::diagnostic::{codes, Diagnostic};
use crate::value::{map_with_capacity, wire, Str, Value};

use super::{is_deleted, DatasetAccess, DatasetError, IndexCache};

pub use compact::Retention;
pub use hash::content_hash;

const LOG_FILE: &str = "store.log";
const COMPACT_FILE: &str = "store.log.compact";
const LOCK_FILE: &str = "LOCK";

/// What one batch write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchResult {
    /// Versions appended.
    pub written: usize,
    /// Entities that made no new version (same content hash as the latest version).
    pub unchanged: usize,
    /// The dataset's highest offset after the batch (`None`: it has no versions).
    pub last_offset: Option<u64>,
}

/// Where one version lives in the log.
#[derive(Clone, Copy, Debug)]
struct Ver {
    offset: u64,
    /// Start of the record in the file.
    pos: u64,
    /// Payload length of the record.
    len: u32,
    /// Start of the JSON body within the record.
    body: u32,
}

/// The versions of one `_id` still in the log, and what its latest one is.
#[derive(Debug)]
struct Entry {
    offsets: Vec<u64>,
    hash: u128,
    deleted: bool,
}

#[derive(Debug)]
struct Ds {
    no: u32,
    populated: bool,
    /// Every version in the log, in offset order.
    versions: Vec<Ver>,
    ids: BTreeMap<Str, Entry>,
    next_offset: u64,
}

impl Ds {
    fn new(no: u32) -> Ds {
        Ds { no, populated: false, versions: Vec::new(), ids: BTreeMap::new(), next_offset: 0 }
    }

    fn ver(&self, offset: u64) -> Option<Ver> {
        self.versions.binary_search_by_key(&offset, |v| v.offset).ok().map(|i| self.versions[i])
    }

    fn last_offset(&self) -> Option<u64> {
        self.next_offset.checked_sub(1)
    }

    /// Removes versions `offsets` from the index (never the latest of an `_id`:
    /// the caller chose them so); returns the bytes their records took.
    fn forget(&mut self, offsets: &[u64]) -> u64 {
        let mut gone: HashSet<u64> = offsets.iter().copied().collect();
        for e in self.ids.values_mut() {
            let latest = *e.offsets.last().unwrap();
            // Never the latest: even a bad record cannot make an entity vanish.
            gone.remove(&latest);
            if e.offsets.len() > 1 {
                e.offsets.retain(|o| *o == latest || !gone.contains(o));
            }
        }
        let mut bytes = 0;
        self.versions.retain(|v| {
            let keep = !gone.contains(&v.offset);
            if !keep {
                bytes += record_bytes(v);
            }
            keep
        });
        bytes
    }
}

fn record_bytes(v: &Ver) -> u64 {
    log::FRAME as u64 + v.len as u64
}

#[derive(Debug)]
struct Inner {
    file: File,
    /// End of the committed log.
    end: u64,
    seq: u64,
    datasets: BTreeMap<String, Ds>,
    names: HashMap<u32, String>,
    next_ds: u32,
    state: BTreeMap<String, Value>,
    /// Bytes of the version records still in the index (the rest of the file is
    /// bookkeeping or garbage that a rewrite reclaims).
    live: u64,
}

impl Inner {
    fn apply(&mut self, pos: u64, len: u32, record: log::Record) {
        use log::Record as R;
        match record {
            R::Version { ds, offset, hash, deleted, id, body } => {
                let Some(d) = self.names.get(&ds).and_then(|n| self.datasets.get_mut(n)) else { return };
                d.versions.push(Ver { offset, pos, len, body });
                self.live += log::FRAME as u64 + len as u64;
                let entry = d.ids.entry(id).or_insert_with(|| Entry { offsets: Vec::new(), hash, deleted });
                entry.offsets.push(offset);
                entry.hash = hash;
                entry.deleted = deleted;
                d.next_offset = d.next_offset.max(offset + 1);
            }
            R::State { key, value } => {
                if value.is_null() {
                    self.state.remove(&key);
                } else {
                    self.state.insert(key, value);
                }
            }
            R::Commit => self.seq += 1,
            R::Dataset { ds, name } => {
                self.next_ds = self.next_ds.max(ds + 1);
                if let Some(old) = self.datasets.insert(name.clone(), Ds::new(ds)) {
                    self.names.remove(&old.no);
                }
                self.names.insert(ds, name);
            }
            R::Populated { ds, flag } => {
                if let Some(d) = self.names.get(&ds).and_then(|n| self.datasets.get_mut(n)) {
                    d.populated = flag;
                }
            }
            R::Drop { ds } => {
                if let Some(d) = self.names.remove(&ds).and_then(|name| self.datasets.remove(&name)) {
                    self.live -= d.versions.iter().map(record_bytes).sum::<u64>();
                }
            }
            R::Forget { ds, offsets } => {
                let Some(d) = self.names.get(&ds).and_then(|n| self.datasets.get_mut(n)) else { return };
                self.live -= d.forget(&offsets);
            }
        }
    }

    /// Replays the log file `file` (validated magic, torn tail cut off).
    fn load(file: File) -> Result<Inner, Box<Diagnostic>> {
        let mut bytes = Vec::new();
        {
            use std::io::{Read, Seek};
            let mut f = &file;
            f.seek(std::io::SeekFrom::Start(0)).map_err(io("read the store log"))?;
            f.read_to_end(&mut bytes).map_err(io("read the store log"))?;
        }
        let mut inner = Inner {
            file,
            end: log::MAGIC.len() as u64,
            seq: 0,
            datasets: BTreeMap::new(),
            names: HashMap::new(),
            next_ds: 0,
            state: BTreeMap::new(),
            live: 0,
        };
        if bytes.len() < log::MAGIC.len() {
            // Created but the magic never made it to disk: start afresh.
            inner.file.set_len(0).map_err(io("reset the store log"))?;
            inner.file.write_all_at(log::MAGIC, 0).map_err(io("write the store log"))?;
            inner.file.sync_all().map_err(io("sync the store log"))?;
            return Ok(inner);
        }
        if &bytes[..log::MAGIC.len()] != log::MAGIC {
            return Err(Box::new(
                Diagnostic::new(codes::IO, "the store log does not start with the store's magic bytes")
                    .help("this folder holds something else than a dtl dataset store"),
            ));
        }
        let mut pending = Vec::new();
        let mut committed = inner.end;
        log::scan(&bytes[log::MAGIC.len()..], log::MAGIC.len() as u64, &mut |pos, len, record| {
            let is_commit = matches!(record, log::Record::Commit);
            pending.push((pos, len, record));
            if is_commit {
                for (pos, len, record) in pending.drain(..) {
                    inner.apply(pos, len, record);
                }
                committed = pos + (log::FRAME as u64) + len as u64;
            }
        });
        inner.end = committed;
        if committed < bytes.len() as u64 {
            inner.file.set_len(committed).map_err(io("truncate the torn tail of the store log"))?;
            inner.file.sync_all().map_err(io("sync the store log"))?;
        }
        Ok(inner)
    }

    /// Appends `bytes` (complete record groups) at the end, durably, then applies them.
    fn commit(&mut self, bytes: &[u8]) -> Result<(), Box<Diagnostic>> {
        let end = self.end;
        let written = self.file.write_all_at(bytes, end).and_then(|_| self.file.sync_data());
        if let Err(e) = written {
            // Best effort: leave no partial group behind (open would cut it off anyway).
            let _ = self.file.set_len(end);
            return Err(io("append to the store log")(e));
        }
        self.end = end + bytes.len() as u64;
        log::scan(bytes, end, &mut |pos, len, record| self.apply(pos, len, record));
        Ok(())
    }

    fn read(&self, ver: Ver) -> Result<Value, Box<Diagnostic>> {
        let start = ver.pos + ver.body as u64;
        let mut buf = vec![0u8; log::FRAME + ver.len as usize - ver.body as usize];
        self.file.read_exact_at(&mut buf, start).map_err(io("read the store log"))?;
        wire::parse(&buf).map_err(|e| {
            Box::new(Diagnostic::new(codes::IO, format!("a stored entity at byte {start} is not valid JSON: {e}")))
        })
    }
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> Box<Diagnostic> {
    move |e| Box::new(Diagnostic::new(codes::IO, format!("cannot {what}: {e}")))
}

fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

fn sync_dir(dir: &Path) -> Result<(), Box<Diagnostic>> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io("sync the store folder"))
}

/// The entity as stored: root `_` keys other than `_id` dropped, `_deleted` a boolean.
/// The stored form of an entity (a dict) before bookkeeping, and whether it is deleted:
/// root `_` keys other than `_id` are dropped and `_deleted` becomes a boolean.
pub(crate) fn stored_form(entity: &Value) -> (Value, bool) {
    let map = entity.as_dict().expect("checked to be an entity");
    let deleted = is_deleted(entity);
    let mut out = map_with_capacity(map.len() + 6);
    for (k, v) in map.iter() {
        if !k.starts_with('_') || &**k == "_id" {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert(Str::from("_deleted"), Value::Bool(deleted));
    (Value::dict(out), deleted)
}

/// A persistent collection of datasets in one folder. See the module docs.
///
/// All methods take `&self`: reads share a lock, writes are serialized.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    inner: RwLock<Inner>,
    indexes: IndexCache,
    /// Held (with an exclusive file lock) for as long as the store is open.
    _lock: File,
}

impl Store {
    /// Opens the store in `dir`, creating the folder and an empty store if needed.
    ///
    /// Every batch whose write returned is there; a batch cut short by a crash is
    /// not (the torn tail of the log is truncated). Fails when another `Store`
    /// (in this or another process) has the folder open.
    pub fn open(dir: &Path) -> Result<Store, Box<Diagnostic>> {
        std::fs::create_dir_all(dir).map_err(io("create the store folder"))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(io("open the store lock file"))?;
        lock.try_lock().map_err(|e| {
            Box::new(
                Diagnostic::new(codes::IO, format!("the store in {} is in use: {e}", dir.display()))
                    .help("only one process (and one Store) may open a store folder at a time"),
            )
        })?;
        let _ = std::fs::remove_file(dir.join(COMPACT_FILE));
        let path = dir.join(LOG_FILE);
        let fresh = !path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("open the store log"))?;
        if fresh {
            file.write_all_at(log::MAGIC, 0).map_err(io("write the store log"))?;
            file.sync_all().map_err(io("sync the store log"))?;
            sync_dir(dir)?;
        }
        let inner = Inner::load(file)?;
        Ok(Store { dir: dir.to_path_buf(), inner: RwLock::new(inner), indexes: IndexCache::new(), _lock: lock })
    }

    fn read_inner(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_inner(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes a batch of entities to `dataset` (created if missing), atomically.
    ///
    /// For each entity in order: root `_` keys other than `_id`/`_deleted` are dropped,
    /// `_deleted` becomes a boolean, and the content hash is compared with the latest
    /// version of its `_id` (including versions earlier in the same batch). A new
    /// version (with `_updated`, `_previous`, `_ts`, `_hash`) is appended only when
    /// the hash differs (deletes included: a delete of a missing `_id` is a version).
    /// Fails, writing nothing, when a value is not an entity.
    pub fn write_batch(&self, dataset: &str, entities: Vec<Value>) -> Result<BatchResult, Box<Diagnostic>> {
        self.write_batch_with_state(dataset, entities, &[])
    }

    /// [`Store::write_batch`] plus pipe state committed in the same atomic group:
    /// after a crash either both the batch and the state are there or neither is.
    /// A `null` value removes the key.
    pub fn write_batch_with_state(
        &self,
        dataset: &str,
        entities: Vec<Value>,
        state: &[(&str, Value)],
    ) -> Result<BatchResult, Box<Diagnostic>> {
        if let Some(position) = entities.iter().position(|e| e.entity_id().is_none()) {
            return Err(Box::new(
                Diagnostic::new(
                    codes::INPUT_NOT_ENTITY,
                    format!("entity {} for dataset `{dataset}` is not an entity: {}", position + 1, entities[position]),
                )
                .help("every dataset entity must be a JSON object with a string `_id`"),
            ));
        }
        let mut inner = self.write_inner();
        let mut out = Vec::with_capacity(entities.len() * 600 + 64);
        let (no, mut next, existing) = match inner.datasets.get(dataset) {
            Some(d) => (d.no, d.next_offset, true),
            None => {
                let no = inner.next_ds;
                log::put_dataset(&mut out, no, dataset);
                (no, 0, false)
            }
        };
        let ts = now_micros();
        let mut batch_latest: HashMap<Str, (u64, u128, bool)> = HashMap::new();
        let mut scratch = Vec::new();
        let mut result = BatchResult::default();
        for entity in &entities {
            let (stored, deleted) = stored_form(entity);
            let id: Str = match stored.get("_id") {
                Some(Value::Str(s)) => s.clone(),
                _ => unreachable!("checked to be an entity"),
            };
            let hash = hash::content_hash(&stored, &mut scratch);
            let previous = batch_latest.get(&id).copied().or_else(|| {
                inner
                    .datasets
                    .get(dataset)
                    .and_then(|d| d.ids.get(&id))
                    .map(|e| (*e.offsets.last().unwrap(), e.hash, e.deleted))
            });
            let unchanged = matches!(previous, Some((_, h, _)) if h == hash);
            if unchanged {
                result.unchanged += 1;
                continue;
            }
            let Value::Dict(mut map) = stored else { unreachable!() };
            let m = std::sync::Arc::make_mut(&mut map);
            m.insert(Str::from("_hash"), Value::from(format!("{hash:032x}")));
            m.insert(Str::from("_previous"), previous.map_or(Value::Null, |p| Value::Int(p.0 as i64)));
            m.insert(Str::from("_ts"), Value::Int(ts));
            m.insert(Str::from("_updated"), Value::Int(next as i64));
            log::put_version(&mut out, no, next, hash, deleted, &id, &Value::Dict(map));
            batch_latest.insert(id, (next, hash, deleted));
            next += 1;
            result.written += 1;
        }
        for (key, value) in state {
            log::put_state(&mut out, key, value);
        }
        if !out.is_empty() {
            let seq = inner.seq;
            log::put_commit(&mut out, seq);
            inner.commit(&out)?;
        }
        result.last_offset = inner.datasets.get(dataset).and_then(Ds::last_offset);
        if result.written > 0 || !existing {
            self.indexes.invalidate(dataset);
        }
        Ok(result)
    }

    /// Commits pipe state alone (atomically).
    pub fn set_state(&self, state: &[(&str, Value)]) -> Result<(), Box<Diagnostic>> {
        if state.is_empty() {
            return Ok(());
        }
        let mut inner = self.write_inner();
        let mut out = Vec::new();
        for (key, value) in state {
            log::put_state(&mut out, key, value);
        }
        let seq = inner.seq;
        log::put_commit(&mut out, seq);
        inner.commit(&out)
    }

    /// A pipe state value.
    pub fn get_state(&self, key: &str) -> Option<Value> {
        self.read_inner().state.get(key).cloned()
    }

    /// Every pipe state key with its value, in key order.
    pub fn states(&self) -> Vec<(String, Value)> {
        self.read_inner().state.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Marks `dataset` populated (creating it, empty, if missing).
    pub fn set_populated(&self, dataset: &str) -> Result<(), Box<Diagnostic>> {
        let mut inner = self.write_inner();
        let mut out = Vec::new();
        let no = match inner.datasets.get(dataset) {
            Some(d) if d.populated => return Ok(()),
            Some(d) => d.no,
            None => {
                let no = inner.next_ds;
                log::put_dataset(&mut out, no, dataset);
                no
            }
        };
        log::put_populated(&mut out, no, true);
        let seq = inner.seq;
        log::put_commit(&mut out, seq);
        inner.commit(&out)
    }

    /// Whether `dataset` exists and is populated.
    pub fn is_populated(&self, dataset: &str) -> bool {
        self.read_inner().datasets.get(dataset).is_some_and(|d| d.populated)
    }

    /// Whether `dataset` exists (possibly empty).
    pub fn exists(&self, dataset: &str) -> bool {
        self.read_inner().datasets.contains_key(dataset)
    }

    /// The dataset names, sorted.
    pub fn dataset_names(&self) -> Vec<String> {
        self.read_inner().datasets.keys().cloned().collect()
    }

    /// The highest offset written to `dataset` (`None`: missing or never written).
    pub fn last_offset(&self, dataset: &str) -> Option<u64> {
        self.read_inner().datasets.get(dataset).and_then(Ds::last_offset)
    }

    /// The number of versions of `dataset` still in the log.
    pub fn version_count(&self, dataset: &str) -> usize {
        self.read_inner().datasets.get(dataset).map_or(0, |d| d.versions.len())
    }

    /// Versions of `dataset` with offset (`_updated`) greater than `since` (all when
    /// `None`), in offset order, at most `limit` of them. Empty for a missing dataset.
    pub fn read_since(
        &self,
        dataset: &str,
        since: Option<u64>,
        limit: Option<usize>,
    ) -> Result<Vec<Value>, Box<Diagnostic>> {
        let inner = self.read_inner();
        let Some(d) = inner.datasets.get(dataset) else { return Ok(Vec::new()) };
        let start = match since {
            Some(s) => d.versions.partition_point(|v| v.offset <= s),
            None => 0,
        };
        let end = limit.map_or(d.versions.len(), |l| start.saturating_add(l).min(d.versions.len()));
        d.versions[start..end].iter().map(|v| inner.read(*v)).collect()
    }

    /// The latest version of every `_id` of `dataset`, deleted ones included, in `_id` order.
    pub fn latest(&self, dataset: &str) -> Result<Vec<Value>, Box<Diagnostic>> {
        let inner = self.read_inner();
        let Some(d) = inner.datasets.get(dataset) else { return Ok(Vec::new()) };
        d.ids.values().map(|e| inner.read(d.ver(*e.offsets.last().unwrap()).unwrap())).collect()
    }

    /// The latest version of entity `id` of `dataset` (deleted or not).
    pub fn get(&self, dataset: &str, id: &str) -> Result<Option<Value>, Box<Diagnostic>> {
        let inner = self.read_inner();
        let Some(d) = inner.datasets.get(dataset) else { return Ok(None) };
        let Some(e) = d.ids.get(id) else { return Ok(None) };
        inner.read(d.ver(*e.offsets.last().unwrap()).unwrap()).map(Some)
    }

    /// Every version still in the log — of entity `id`, or of all entities when
    /// `None` — in offset order.
    pub fn history(&self, dataset: &str, id: Option<&str>) -> Result<Vec<Value>, Box<Diagnostic>> {
        let inner = self.read_inner();
        let Some(d) = inner.datasets.get(dataset) else { return Ok(Vec::new()) };
        match id {
            None => d.versions.iter().map(|v| inner.read(*v)).collect(),
            Some(id) => match d.ids.get(id) {
                None => Ok(Vec::new()),
                Some(e) => e.offsets.iter().map(|o| inner.read(d.ver(*o).unwrap())).collect(),
            },
        }
    }

    /// Deletes `dataset` with all its versions and its populated flag. Returns
    /// whether it existed. The space is reclaimed by the next [`Store::compact`].
    pub fn delete_dataset(&self, dataset: &str) -> Result<bool, Box<Diagnostic>> {
        let mut inner = self.write_inner();
        let Some(no) = inner.datasets.get(dataset).map(|d| d.no) else { return Ok(false) };
        let mut out = Vec::new();
        log::put_drop(&mut out, no);
        let seq = inner.seq;
        log::put_commit(&mut out, seq);
        inner.commit(&out)?;
        self.indexes.invalidate(dataset);
        Ok(true)
    }

    /// Bytes the log takes on disk.
    pub fn disk_bytes(&self) -> u64 {
        self.read_inner().end
    }
}

impl DatasetAccess for Store {
    fn has_dataset(&self, dataset: &str) -> bool {
        self.exists(dataset)
    }

    fn lookup(&self, dataset: &str, id: &str) -> Result<Option<Value>, DatasetError> {
        let inner = self.read_inner();
        let d = inner.datasets.get(dataset).ok_or(DatasetError::Unknown)?;
        match d.ids.get(id) {
            Some(e) if !e.deleted => {
                let v = d.ver(*e.offsets.last().unwrap()).unwrap();
                inner.read(v).map(Some).map_err(|e| DatasetError::Unreadable(e.message))
            }
            _ => Ok(None),
        }
    }

    fn scan(&self, dataset: &str, visit: &mut dyn FnMut(&Value)) -> Result<(), DatasetError> {
        let inner = self.read_inner();
        let d = inner.datasets.get(dataset).ok_or(DatasetError::Unknown)?;
        for e in d.ids.values().filter(|e| !e.deleted) {
            let v = d.ver(*e.offsets.last().unwrap()).unwrap();
            visit(&inner.read(v).map_err(|e| DatasetError::Unreadable(e.message))?);
        }
        Ok(())
    }

    fn indexes(&self) -> &IndexCache {
        &self.indexes
    }
}

#[cfg(test)]
mod tests;
