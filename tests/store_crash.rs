//! Crash safety of the dataset store: a child process writes numbered batches
//! (each with the pipe state "last batch" committed alongside) and reports every
//! committed batch on stdout; the parent SIGKILLs it mid-write, reopens the store
//! and checks that every reported batch is fully there, that no batch is partly
//! there, and that the state moved together with the batches. Several rounds on
//! the same store, killed after different numbers of batches, so each round also
//! reopens a store that a crash left behind.
//!
//! The same for compaction: a child that keeps adding versions and compacting
//! (which rewrites the whole log now and then) is killed at random points; no
//! committed version that compaction should keep may be lost.
//!
//! The child is this test binary itself, re-run with `STORE_CRASH_CHILD` (or
//! `STORE_COMPACT_CRASH_CHILD`) set.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dtl::dataset::store::Store;
use dtl::value::{wire, Value};

const CHILD_ENV: &str = "STORE_CRASH_CHILD";
const BATCH: usize = 150;

fn entity(batch: u64, i: usize) -> Value {
    let text = "x".repeat(300 + (i * 7) % 200);
    wire::parse(format!(r#"{{"_id":"b{batch}-{i}","batch":{batch},"i":{i},"text":"{text}"}}"#).as_bytes()).unwrap()
}

/// The child: writes batches from the one after the stored state on, forever.
#[test]
fn child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let store = Store::open(Path::new(&dir)).expect("child opens the store");
    let mut next = store.get_state("last_batch").and_then(|v| v.as_i64()).map_or(0, |b| b as u64 + 1);
    let mut out = std::io::stdout().lock();
    loop {
        let entities = (0..BATCH).map(|i| entity(next, i)).collect();
        store.write_batch_with_state("crash", entities, &[("last_batch", Value::Int(next as i64))]).expect("write");
        writeln!(out, "committed {next}").unwrap();
        out.flush().unwrap();
        next += 1;
    }
}

/// Runs the child test `child` (told the store folder through `env`) until it
/// reported `after` more commits, then SIGKILLs it; returns every batch it
/// reported as committed.
fn run_and_kill(dir: &Path, after: usize, child: &str, env: &str) -> Vec<u64> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child, "--nocapture", "--test-threads=1"])
        .env(env, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the child");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut committed = Vec::new();
    let mut line = String::new();
    while committed.len() < after {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("the child stopped early: {:?}", child.wait());
        }
        if let Some(n) = line.trim().strip_prefix("committed ") {
            committed.push(n.parse().unwrap());
        }
    }
    child.kill().expect("SIGKILL the child");
    child.wait().unwrap();
    // Whatever it managed to print before dying was committed too.
    for line in reader.lines().map_while(Result::ok) {
        if let Some(n) = line.trim().strip_prefix("committed ") {
            committed.push(n.parse().unwrap());
        }
    }
    committed
}

#[test]
fn committed_batches_survive_sigkill_and_no_partial_batch_is_visible() {
    if std::env::var(CHILD_ENV).is_ok() || std::env::var(COMPACT_CHILD_ENV).is_ok() {
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("dtl-store-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut reported: Vec<u64> = Vec::new();
    for (round, after) in [1usize, 7, 3, 20, 12].into_iter().enumerate() {
        reported.extend(run_and_kill(&dir, after, "child_writer", CHILD_ENV));
        let store = Store::open(&dir).expect("reopen after the crash");
        let last_batch = store.get_state("last_batch").and_then(|v| v.as_i64()).expect("state is there") as u64;
        let max_reported = *reported.iter().max().unwrap();
        assert!(last_batch >= max_reported, "round {round}: state {last_batch} lost reported batch {max_reported}");
        // At most the one batch whose commit was durable but not yet printed.
        assert!(last_batch <= max_reported + 1, "round {round}: state {last_batch} is ahead of the writes");
        let latest = store.latest("crash").unwrap();
        let mut per_batch = std::collections::BTreeMap::<u64, Vec<usize>>::new();
        for e in &latest {
            assert_eq!(e.get("_deleted"), Some(&Value::Bool(false)));
            let batch = e.get("batch").unwrap().as_i64().unwrap() as u64;
            let i = e.get("i").unwrap().as_i64().unwrap() as usize;
            assert_eq!(
                wire::to_string(&entity(batch, i).get("text").unwrap().clone()),
                wire::to_string(e.get("text").unwrap())
            );
            per_batch.entry(batch).or_default().push(i);
        }
        // Exactly batches 0..=last_batch, each complete.
        assert_eq!(
            per_batch.keys().copied().collect::<Vec<_>>(),
            (0..=last_batch).collect::<Vec<_>>(),
            "round {round}"
        );
        for (batch, items) in &per_batch {
            assert_eq!(items.len(), BATCH, "round {round}: batch {batch} is partial");
        }
        for b in &reported {
            assert!(per_batch.contains_key(b), "round {round}: reported batch {b} is missing");
        }
        // Offsets are dense and in batch order.
        let all = store.read_since("crash", None, None).unwrap();
        assert_eq!(all.len(), (last_batch as usize + 1) * BATCH);
        for (k, e) in all.iter().enumerate() {
            assert_eq!(e.get("_updated"), Some(&Value::Int(k as i64)));
        }
        assert_eq!(store.last_offset("crash"), Some(all.len() as u64 - 1));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ compaction

const COMPACT_CHILD_ENV: &str = "STORE_COMPACT_CRASH_CHILD";
const IDS: usize = 300;

fn version(batch: u64, i: usize) -> Value {
    let text = "y".repeat(200 + (i * 11) % 300);
    wire::parse(format!(r#"{{"_id":"e{i}","batch":{batch},"text":"{text}"}}"#).as_bytes()).unwrap()
}

/// The compacting child: every batch gives each of the same entities a new version,
/// then compacts to 2 versions (which rewrites the log whenever half of it is
/// garbage, about every other batch), forever.
#[test]
fn child_compactor() {
    let Ok(dir) = std::env::var(COMPACT_CHILD_ENV) else { return };
    let store = Store::open(Path::new(&dir)).expect("child opens the store");
    let mut next = store.get_state("last_batch").and_then(|v| v.as_i64()).map_or(0, |b| b as u64 + 1);
    let mut out = std::io::stdout().lock();
    loop {
        let entities = (0..IDS).map(|i| version(next, i)).collect();
        store.write_batch_with_state("c", entities, &[("last_batch", Value::Int(next as i64))]).expect("write");
        store.compact("c", 2).expect("compact");
        writeln!(out, "committed {next}").unwrap();
        out.flush().unwrap();
        next += 1;
    }
}

#[test]
fn a_kill_during_compaction_loses_nothing() {
    if std::env::var(CHILD_ENV).is_ok() || std::env::var(COMPACT_CHILD_ENV).is_ok() {
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("dtl-store-compact-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut reported: Vec<u64> = Vec::new();
    for (round, after) in [2usize, 5, 1, 9, 4, 13].into_iter().enumerate() {
        reported.extend(run_and_kill(&dir, after, "child_compactor", COMPACT_CHILD_ENV));
        let store = Store::open(&dir).expect("reopen after the crash");
        assert!(!dir.join("store.log.compact").exists(), "round {round}: the half-written copy is left");
        let last = store.get_state("last_batch").and_then(|v| v.as_i64()).expect("state is there") as u64;
        let max_reported = *reported.iter().max().unwrap();
        assert!(last >= max_reported && last <= max_reported + 1, "round {round}: state {last} vs {max_reported}");
        // Every entity's latest version is the last batch's, at its original offset.
        let latest = store.latest("c").unwrap();
        assert_eq!(latest.len(), IDS, "round {round}");
        for e in &latest {
            let i: usize = e.entity_id().unwrap()[1..].parse().unwrap();
            assert_eq!(e.get("batch"), Some(&Value::Int(last as i64)), "round {round}");
            assert_eq!(wire::to_string(e.get("text").unwrap()), wire::to_string(version(last, i).get("text").unwrap()));
            assert_eq!(e.get("_updated"), Some(&Value::Int((last as usize * IDS + i) as i64)), "round {round}");
        }
        assert_eq!(store.last_offset("c"), Some(((last + 1) as usize * IDS - 1) as u64));
        // At most one batch not compacted yet (killed between the write and the compaction).
        for e in &latest {
            let history = store.history("c", e.entity_id()).unwrap();
            let batches: Vec<i64> = history.iter().map(|v| v.get("batch").unwrap().as_i64().unwrap()).collect();
            let n = batches.len();
            let most = last as usize + 1;
            assert!(n >= 2.min(most) && n <= 3.min(most), "round {round}: {n} versions at batch {last}");
            assert_eq!(batches, (last as i64 + 1 - n as i64..=last as i64).collect::<Vec<_>>(), "round {round}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
