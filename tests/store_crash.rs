//! Crash safety of the dataset store: a child process writes numbered batches
//! (each with the pipe state "last batch" committed alongside) and reports every
//! committed batch on stdout; the parent SIGKILLs it mid-write, reopens the store
//! and checks that every reported batch is fully there, that no batch is partly
//! there, and that the state moved together with the batches. Several rounds on
//! the same store, killed after different numbers of batches, so each round also
//! reopens a store that a crash left behind.
//!
//! The child is this test binary itself, re-run with `STORE_CRASH_CHILD` set.

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

/// Runs the child until it reported `after` more commits, then SIGKILLs it;
/// returns every batch it reported as committed.
fn run_and_kill(dir: &Path, after: usize) -> Vec<u64> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
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
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("dtl-store-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut reported: Vec<u64> = Vec::new();
    for (round, after) in [1usize, 7, 3, 20, 12].into_iter().enumerate() {
        reported.extend(run_and_kill(&dir, after));
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
