//! Sink compaction through `dtl node run` (spec §1.2, acceptance C4/keep-versions):
//! versions beyond `keep_versions` leave the log after a run, the latest stays at
//! its offset, the log file shrinks, and incremental readers downstream still work.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use dtl::value::{wire, Value};

fn dtl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dtl")).args(args).env("NO_COLOR", "1").output().expect("runs dtl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A node whose pipe `x-price` holds one entity `A` priced `$ENV(price)`, and a pipe
/// `copy` that reads it incrementally. `compaction`: the `compaction` key, if any.
fn price_node(compaction: Option<&str>, metadata: Option<&str>) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dtl-compaction-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pipes")).unwrap();
    let compaction = compaction.map_or(String::new(), |c| format!(r#", "compaction": {c}"#));
    std::fs::write(
        dir.join("pipes/x-price.conf.json"),
        format!(
            r#"{{"_id": "x-price", "type": "pipe",
  "source": {{"type": "embedded", "entities": [{{"_id": "A", "price": "$ENV(price)"}}, {{"_id": "B"}}]}}{compaction}}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("pipes/copy.conf.json"),
        r#"{"_id": "copy", "type": "pipe", "source": {"type": "dataset", "dataset": "x-price"},
  "transform": {"type": "dtl", "rules": {"default": [["copy", "*"], ["add", "seen", "_S._updated"]]}}}"#,
    )
    .unwrap();
    if let Some(m) = metadata {
        std::fs::write(dir.join("node-metadata.conf.json"), m).unwrap();
    }
    dir
}

/// Runs the node with `price` as `$ENV(price)`.
fn run(dir: &Path, price: &str) {
    let env = dir.join("env.json");
    std::fs::write(&env, format!(r#"{{"price": "{price}"}}"#)).unwrap();
    let out = dtl(&["node", "run", dir.to_str().unwrap(), "--env", env.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `dataset show` (with `--history`): (`_id`, `_updated`, price) of each version.
fn show(dir: &Path, dataset: &str, history: bool) -> Vec<(String, i64, Option<String>)> {
    let mut args = vec!["dataset", "show", dir.to_str().unwrap(), dataset];
    if history {
        args.push("--history");
    }
    let out = dtl(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = wire::parse(&out.stdout).unwrap();
    shown
        .iter_list()
        .map(|e| {
            (
                e.entity_id().unwrap().to_string(),
                e.get("_updated").and_then(Value::as_i64).unwrap(),
                e.get("price").and_then(Value::as_str).map(str::to_string),
            )
        })
        .collect()
}

fn a_versions(dir: &Path) -> Vec<(i64, String)> {
    show(dir, "x-price", true).into_iter().filter(|v| v.0 == "A").map(|v| (v.1, v.2.unwrap())).collect()
}

fn log_bytes(dir: &Path) -> u64 {
    std::fs::metadata(dir.join(".dtl-data/store.log")).unwrap().len()
}

/// Prices 10, 12, 12, 15 over four runs (the spec's C4 acceptance): A gets versions
/// at offsets 0 (10), 2 (12) and 3 (15); B is offset 1 and never changes.
fn four_runs(dir: &Path) {
    for price in ["10", "12", "12", "15"] {
        run(dir, price);
    }
}

#[test]
fn the_default_keeps_two_versions_and_the_latest_stays() {
    let dir = price_node(None, None);
    run(&dir, "10");
    run(&dir, "12");
    assert_eq!(a_versions(&dir), [(0, "10".to_string()), (2, "12".to_string())]);
    run(&dir, "12");
    run(&dir, "15");
    assert_eq!(a_versions(&dir), [(2, "12".to_string()), (3, "15".to_string())]);
    // B's only version and the latest of A keep their offsets.
    assert_eq!(
        show(&dir, "x-price", false),
        [("A".to_string(), 3, Some("15".to_string())), ("B".to_string(), 1, None)]
    );
    let out = dtl(&["dataset", "list", dir.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("x-price: 2 entities, 0 deleted, 3 versions"), "{}", text(&out.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compaction_off_keeps_every_version_and_the_log_is_bigger() {
    let off = price_node(Some(r#"{"sink": false, "automatic": false}"#), None);
    four_runs(&off);
    let all: Vec<i64> = a_versions(&off).iter().map(|v| v.0).collect();
    assert_eq!(all, [0, 2, 3]);
    let on = price_node(None, None);
    four_runs(&on);
    assert!(log_bytes(&on) < log_bytes(&off), "compacted {} vs kept {}", log_bytes(&on), log_bytes(&off));
    let _ = std::fs::remove_dir_all(&on);
    let _ = std::fs::remove_dir_all(&off);
}

#[test]
fn keep_versions_comes_from_the_pipe_or_the_node_defaults() {
    let one = price_node(Some(r#"{"keep_versions": 1}"#), None);
    four_runs(&one);
    assert_eq!(a_versions(&one), [(3, "15".to_string())]);
    let three = price_node(
        None,
        Some(r#"{"_id": "node", "type": "metadata", "global_defaults": {"compaction_keep_versions": 3}}"#),
    );
    run(&three, "1");
    four_runs(&three);
    let offsets: Vec<i64> = a_versions(&three).iter().map(|v| v.0).collect();
    assert_eq!(offsets, [2, 3, 4]);
    let background = price_node(
        None,
        Some(r#"{"_id": "node", "type": "metadata", "global_defaults": {"default_compaction_type": "background"}}"#),
    );
    four_runs(&background);
    assert_eq!(a_versions(&background).len(), 3, "no background compaction offline");
    for dir in [one, three, background] {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn incremental_readers_still_work_after_compaction() {
    let dir = price_node(Some(r#"{"keep_versions": 1}"#), None);
    run(&dir, "10");
    assert_eq!(show(&dir, "copy", false).len(), 2);
    for (k, price) in ["11", "12", "13"].into_iter().enumerate() {
        run(&dir, price);
        let copy = show(&dir, "copy", false);
        let a = copy.iter().find(|v| v.0 == "A").unwrap();
        assert_eq!(a.2.as_deref(), Some(price), "run {k}");
        // `copy` compacts too, with the default 2: A's two newest and B's one.
        assert_eq!(show(&dir, "copy", true).len(), 3, "run {k}");
        assert_eq!(a_versions(&dir).len(), 1, "run {k}");
    }
    // Its marker is past the last offset of x-price: another run reads nothing new.
    let out = dtl(&["node", "run", dir.to_str().unwrap(), "--env", dir.join("env.json").to_str().unwrap()]);
    let summary = text(&out.stdout);
    let copy_line = summary.lines().find(|l| l.starts_with("copy")).unwrap();
    assert_eq!(copy_line.split_whitespace().nth(1), Some("0"), "{summary}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_compaction_settings_are_diagnosed() {
    let dir = price_node(Some(r#"{"keep_versions": 0}"#), None);
    std::fs::write(dir.join("env.json"), r#"{"price": "1"}"#).unwrap();
    let out = dtl(&["node", "run", dir.to_str().unwrap(), "--env", dir.join("env.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("`keep_versions` 0 needs a `time_threshold_hours`") && err.contains("x-price.conf.json"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
