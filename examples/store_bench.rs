//! Dataset store write benchmark: 200,000 entities of ~500 bytes in batches of
//! 1000 (one fsync each) into a fresh store; prints entities/s and bytes/entity,
//! then the time to reopen the store (rebuilding its index) and to rewrite the
//! same entities unchanged (hash comparison only).
//!
//! `cargo run --release --example store_bench [ENTITIES]`

use std::time::Instant;

use dtl::dataset::store::Store;
use dtl::value::{wire, Value};

fn entity(i: usize, round: usize) -> Value {
    let filler: String = (0..380).map(|k| (b'a' + ((i * 7 + k * 13 + round) % 26) as u8) as char).collect();
    let json = format!(
        r#"{{"_id":"entity-{i:08}","name":"Entity number {i}","n":{i},"round":{round},"active":{},"tags":["alpha","beta","t{}"],"text":"{filler}"}}"#,
        i.is_multiple_of(3),
        i % 17
    );
    wire::parse(json.as_bytes()).expect("valid JSON")
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let batch = 1000;
    let dir = std::env::temp_dir().join(format!("dtl-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let entities: Vec<Value> = (0..n).map(|i| entity(i, 0)).collect();
    let payload: usize = entities.iter().map(|e| wire::to_string(e).len()).sum();

    let store = Store::open(&dir).expect("open the store");
    let start = Instant::now();
    for chunk in entities.chunks(batch) {
        store.write_batch("bench", chunk.to_vec()).expect("write a batch");
    }
    let secs = start.elapsed().as_secs_f64();
    let bytes = store.disk_bytes();
    println!(
        "store write: {n} entities in {secs:.2} s = {:.0} entities/s; {:.0} bytes/entity on disk (payload {:.0} bytes/entity)",
        n as f64 / secs,
        bytes as f64 / n as f64,
        payload as f64 / n as f64
    );
    let start = Instant::now();
    for chunk in entities.chunks(batch) {
        store.write_batch("bench", chunk.to_vec()).expect("write a batch");
    }
    let secs = start.elapsed().as_secs_f64();
    println!("store rewrite unchanged: {:.0} entities/s", n as f64 / secs);
    drop(store);

    let start = Instant::now();
    let store = Store::open(&dir).expect("reopen the store");
    println!("store reopen (index rebuild): {:.3} s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let all = store.read_since("bench", None, None).expect("read");
    println!("store read all: {:.0} entities/s", all.len() as f64 / start.elapsed().as_secs_f64());
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
