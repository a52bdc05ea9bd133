//! Pipe run benchmark against the persistent store: a dataset pipe with a DTL
//! transform reads 200,000 entities (~500 bytes) and writes 200,000 to its sink
//! dataset in batches of 100 (the default `batch_size`, or BATCH_SIZE; one fsync each).
//!
//! Prints, each on its own line:
//! * the first run (200,000 new entities): entities/s and sink disk bytes per entity;
//! * a second run with nothing new to read;
//! * two update runs after every source entity changed: the first adds a second
//!   version of each sink entity, the second a third one, so sink compaction
//!   (`keep_versions` 2) drops 200,000 old versions;
//! * reclaiming the space of the dropped versions (rewriting the log).
//!
//! `cargo run --release --example pipe_bench [ENTITIES [BATCH_SIZE]]`

use std::time::Instant;

use dtl::dataset::store::Store;
use dtl::pipe::{load_node, run_node, NodeConfig, Outputs, PipeStore};
use dtl::value::{wire, Value};

fn entity(i: usize, round: usize) -> Value {
    let filler: String = (0..380).map(|k| (b'a' + ((i * 7 + k * 13) % 26) as u8) as char).collect();
    let json = format!(
        r#"{{"_id":"entity-{i:08}","name":"Entity number {i}","n":{i},"round":{round},"active":{},"tags":["alpha","beta","t{}"],"text":"{filler}"}}"#,
        i.is_multiple_of(3),
        i % 17
    );
    wire::parse(json.as_bytes()).expect("valid JSON")
}

const PIPE: &str = r#"{"_id": "out", "type": "pipe", "batch_size": BATCH, "source": {"type": "dataset", "dataset": "raw"},
  "transform": {"type": "dtl", "rules": {"default": [["copy", "*"], ["add", "upper", ["upper", "_S.name"]],
    ["add", "double", ["*", "_S.n", 2]]]}}}"#;

/// The producer of `raw`, which the benchmark writes straight into the store: off.
const RAW: &str = r#"{"_id": "raw", "type": "pipe", "source": {"type": "empty"}, "pump": {"mode": "off"}}"#;

/// Writes round `round` of every source entity straight into the store.
fn load_source(store: &Store, n: usize, round: usize) {
    for start in (0..n).step_by(1000) {
        store.write_batch("raw", (start..n.min(start + 1000)).map(|i| entity(i, round)).collect()).unwrap();
    }
    store.compact("raw", 2).unwrap();
}

/// Runs the node; returns (seconds, versions written, versions compacted away).
fn run(node: &NodeConfig, store: &mut Store) -> (f64, usize, usize) {
    let start = Instant::now();
    let report = run_node(node, store as &mut dyn PipeStore, &mut Outputs::default(), &mut std::io::sink())
        .unwrap_or_else(|d| panic!("{d}"));
    let r = &report.pipes.iter().find(|(p, _)| p == "out").expect("pipe out ran").1;
    (start.elapsed().as_secs_f64(), r.written, r.compacted)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let root = std::env::temp_dir().join(format!("dtl-pipe-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("node/pipes")).unwrap();
    let batch: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    std::fs::write(root.join("node/pipes/out.conf.json"), PIPE.replace("BATCH", &batch.to_string())).unwrap();
    std::fs::write(root.join("node/pipes/raw.conf.json"), RAW).unwrap();
    let node = load_node(&root.join("node"), None).unwrap_or_else(|d| panic!("{d}"));
    let mut store = Store::open(&root.join("data")).unwrap();
    load_source(&store, n, 0);
    store.set_populated("raw").unwrap();

    let before = store.disk_bytes();
    let (secs, written, _) = run(&node, &mut store);
    assert_eq!(written, n);
    let bytes = store.disk_bytes() - before;
    println!("pipe run, {n} new entities: {secs:.2} s = {:.0} entities/s", n as f64 / secs);
    println!("sink disk: {:.0} bytes/entity", bytes as f64 / n as f64);

    let (secs, written, _) = run(&node, &mut store);
    assert_eq!(written, 0);
    println!("pipe run, nothing new: {secs:.3} s");

    load_source(&store, n, 1);
    let (secs, written, compacted) = run(&node, &mut store);
    assert_eq!((written, compacted), (n, 0));
    println!("pipe run, {n} changed (2nd versions): {:.0} entities/s", n as f64 / secs);

    load_source(&store, n, 2);
    let (secs, written, compacted) = run(&node, &mut store);
    assert_eq!((written, compacted), (n, n));
    println!("pipe run, {n} changed (3rd versions, compaction drops {n}): {:.0} entities/s", n as f64 / secs);

    let before = store.disk_bytes();
    let start = Instant::now();
    store.reclaim_space().unwrap();
    println!(
        "reclaim space: {:.2} s, log {:.0} MB -> {:.0} MB",
        start.elapsed().as_secs_f64(),
        before as f64 / 1e6,
        store.disk_bytes() as f64 / 1e6
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&root);
}
