//! Compaction (spec §1.2): dropping old versions of entities.
//!
//! Two steps, each crash-safe on its own:
//! 1. *logical*: the versions to drop are named in a `forget` record appended in
//!    one committed group, and leave the index at once — readers never see them
//!    again, surviving versions keep their offsets;
//! 2. *physical*: when at least half of the log file is garbage, the live records
//!    are copied into `store.log.compact`, which is fsynced and renamed over the
//!    log. A crash before the rename leaves the old log (the half-written copy is
//!    removed on open); after it, the new one. Rewriting only then keeps the cost
//!    of copying proportional to the garbage reclaimed.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;

use crate::diagnostic::Diagnostic;

use super::{io, log, sync_dir, Inner, Store, COMPACT_FILE, LOG_FILE};

/// Which versions compaction keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// The newest versions kept per `_id` (at least 1: the latest is never dropped).
    pub keep_versions: usize,
    /// Dependency tracking: a version replaced by a version at an offset greater
    /// than this is kept (the trackers still need its join values). `None`: no
    /// pipe tracks the dataset.
    pub horizon: Option<u64>,
    /// Versions whose `_ts` is at or after this time (µs since the epoch) are kept
    /// (`compaction.time_threshold_hours`).
    pub keep_since_ts: Option<i64>,
}

impl Retention {
    /// Keep the newest `keep_versions` of every entity, nothing else.
    pub fn versions(keep_versions: usize) -> Retention {
        Retention { keep_versions, horizon: None, keep_since_ts: None }
    }
}

impl Store {
    /// Keeps only the latest `keep_versions` versions (at least 1) of every entity of
    /// `dataset`. Returns the number of versions removed. See [`Store::compact_with`].
    pub fn compact(&self, dataset: &str, keep_versions: usize) -> Result<usize, Box<Diagnostic>> {
        self.compact_with(dataset, Retention::versions(keep_versions))
    }

    /// Drops the versions of `dataset` that `retention` does not keep. Kept versions
    /// keep their offsets (`_previous` may then point at a removed version); readers
    /// that are past an offset stay valid. Atomic: after a crash either all of the
    /// chosen versions are gone or none is. Returns the number removed.
    pub fn compact_with(&self, dataset: &str, retention: Retention) -> Result<usize, Box<Diagnostic>> {
        let keep = retention.keep_versions.max(1);
        let mut inner = self.write_inner();
        let Some(d) = inner.datasets.get(dataset) else { return Ok(0) };
        if d.versions.len() <= d.ids.len() {
            return Ok(0); // one version per entity: nothing to drop
        }
        let mut removed = Vec::new();
        for e in d.ids.values().filter(|e| e.offsets.len() > keep) {
            let droppable = e.offsets.len() - keep;
            for (i, &offset) in e.offsets[..droppable].iter().enumerate() {
                let replaced_at = e.offsets[i + 1];
                if retention.horizon.is_some_and(|h| replaced_at > h) {
                    break; // later ones are replaced even later
                }
                if let Some(cutoff) = retention.keep_since_ts {
                    let ver = d.ver(offset).expect("indexed version");
                    let ts = inner.read(ver)?.get("_ts").and_then(|t| t.as_i64()).unwrap_or(i64::MAX);
                    if ts >= cutoff {
                        break; // later versions are younger still
                    }
                }
                removed.push(offset);
            }
        }
        if removed.is_empty() {
            return Ok(0);
        }
        removed.sort_unstable();
        let mut out = Vec::with_capacity(removed.len() * 8 + 64);
        log::put_forget(&mut out, d.no, &removed);
        let seq = inner.seq;
        log::put_commit(&mut out, seq);
        inner.commit(&out)?;
        // Compaction only drops versions that are not the latest: indexes (latest
        // versions) stay valid.
        if inner.end >= 2 * inner.live {
            self.rewrite(&mut inner)?;
        }
        Ok(removed.len())
    }

    /// Rewrites the log now, whatever its garbage share: only the versions still in
    /// the index, the datasets, their flags and the current pipe state are kept.
    pub fn reclaim_space(&self) -> Result<(), Box<Diagnostic>> {
        let mut inner = self.write_inner();
        self.rewrite(&mut inner)
    }

    /// Copies the live part of the log into a new file, then swaps it in.
    pub(super) fn rewrite(&self, inner: &mut Inner) -> Result<(), Box<Diagnostic>> {
        let tmp = self.dir.join(COMPACT_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(io("create the compacted store log"))?;
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(log::MAGIC);
        let mut at = 0u64;
        let mut seq = 0u64;
        let flush = |out: &mut Vec<u8>, at: &mut u64| -> Result<(), Box<Diagnostic>> {
            file.write_all_at(out, *at).map_err(io("write the compacted store log"))?;
            *at += out.len() as u64;
            out.clear();
            Ok(())
        };
        for (name, d) in &inner.datasets {
            log::put_dataset(&mut out, d.no, name);
            if d.populated {
                log::put_populated(&mut out, d.no, true);
            }
        }
        for (key, value) in &inner.state {
            log::put_state(&mut out, key, value);
        }
        log::put_commit(&mut out, seq);
        seq += 1;
        let mut record = Vec::new();
        for d in inner.datasets.values() {
            let mut in_group = 0;
            for v in &d.versions {
                record.resize(log::FRAME + v.len as usize, 0);
                inner.file.read_exact_at(&mut record, v.pos).map_err(io("read the store log"))?;
                out.extend_from_slice(&record);
                in_group += 1;
                if in_group == 1000 {
                    log::put_commit(&mut out, seq);
                    seq += 1;
                    in_group = 0;
                }
                if out.len() >= 1 << 20 {
                    flush(&mut out, &mut at)?;
                }
            }
            if in_group > 0 {
                log::put_commit(&mut out, seq);
                seq += 1;
            }
        }
        flush(&mut out, &mut at)?;
        file.sync_all().map_err(io("sync the compacted store log"))?;
        std::fs::rename(&tmp, self.dir.join(LOG_FILE)).map_err(io("replace the store log"))?;
        sync_dir(&self.dir)?;
        *inner = Inner::load(file)?;
        self.indexes.clear();
        Ok(())
    }
}
