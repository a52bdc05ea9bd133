use super::*;

fn v(json: &str) -> Value {
    wire::parse(json.as_bytes()).unwrap()
}

/// A fresh, empty folder under the system temp dir (removed on drop).
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("dtl-store-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ids_and_offsets(values: &[Value]) -> Vec<(String, i64)> {
    values.iter().map(|e| (e.entity_id().unwrap().to_string(), e.get("_updated").unwrap().as_i64().unwrap())).collect()
}

#[test]
fn the_json_push_example_log() {
    // a@0, b@1, a'@2 (_previous 0), c@3, c deleted@4 (keeps content), a@5 = a's first content again.
    let dir = TempDir::new("push");
    let s = Store::open(&dir.0).unwrap();
    let r = s.write_batch("d", vec![v(r#"{"_id":"a","x":1}"#), v(r#"{"_id":"b","x":1}"#)]).unwrap();
    assert_eq!(r, BatchResult { written: 2, unchanged: 0, last_offset: Some(1) });
    let r = s
        .write_batch(
            "d",
            vec![
                v(r#"{"_id":"a","x":2}"#),
                v(r#"{"_id":"b","x":1,"_ts":3,"_tmp":"dropped"}"#),
                v(r#"{"_id":"c","name":"C"}"#),
            ],
        )
        .unwrap();
    assert_eq!(r, BatchResult { written: 2, unchanged: 1, last_offset: Some(3) });
    s.write_batch("d", vec![v(r#"{"_id":"c","name":"C","_deleted":true}"#), v(r#"{"_id":"a","x":1}"#)]).unwrap();
    let all = s.history("d", None).unwrap();
    assert_eq!(
        ids_and_offsets(&all),
        [("a", 0), ("b", 1), ("a", 2), ("c", 3), ("c", 4), ("a", 5)].map(|(i, o)| (i.to_string(), o))
    );
    let a = s.history("d", Some("a")).unwrap();
    assert_eq!(
        a.iter().map(|e| e.get("_previous").unwrap().clone()).collect::<Vec<_>>(),
        [Value::Null, v("0"), v("2")]
    );
    assert_eq!(a[0].get("_hash"), a[2].get("_hash"));
    assert_ne!(a[0].get("_hash"), a[1].get("_hash"));
    assert_eq!(a[0].get("_hash").unwrap().as_str().unwrap().len(), 32);
    assert!(a[0].get("_ts").unwrap().as_i64().unwrap() > 1_600_000_000_000_000);
    let c = s.get("d", "c").unwrap().unwrap();
    assert_eq!(c.get("name"), Some(&v(r#""C""#)));
    assert_eq!(c.get("_deleted"), Some(&Value::Bool(true)));
    let b = s.get("d", "b").unwrap().unwrap();
    assert_eq!(b.get("_tmp"), None);
    assert_eq!(b.get("_deleted"), Some(&Value::Bool(false)));
    assert_eq!(
        ids_and_offsets(&s.latest("d").unwrap()),
        [("a", 5), ("b", 1), ("c", 4)].map(|(i, o)| (i.to_string(), o))
    );
    assert_eq!(
        ids_and_offsets(&s.read_since("d", Some(2), Some(2)).unwrap()),
        [("c".to_string(), 3), ("c".to_string(), 4)]
    );
    assert_eq!(s.read_since("d", None, None).unwrap().len(), 6);
    assert_eq!(s.read_since("d", Some(5), None).unwrap().len(), 0);
    assert_eq!(s.last_offset("d"), Some(5));
    assert_eq!(s.last_offset("nope"), None);
}

#[test]
fn deletes_are_change_tracked_by_hash_like_any_version() {
    let dir = TempDir::new("del");
    let s = Store::open(&dir.0).unwrap();
    // A delete of a missing entity is a version (Sesam writes it; merge relies on it).
    let r = s.write_batch("d", vec![v(r#"{"_id":"x","_deleted":true}"#)]).unwrap();
    assert_eq!(r, BatchResult { written: 1, unchanged: 0, last_offset: Some(0) });
    s.write_batch("d", vec![v(r#"{"_id":"x","n":1}"#)]).unwrap();
    // The same deleted content twice writes once; different deleted content is a new version.
    let r = s
        .write_batch(
            "d",
            vec![
                v(r#"{"_id":"x","_deleted":true}"#),
                v(r#"{"_id":"x","_deleted":true}"#),
                v(r#"{"_id":"x","n":5,"_deleted":true}"#),
            ],
        )
        .unwrap();
    assert_eq!(r, BatchResult { written: 2, unchanged: 1, last_offset: Some(3) });
    // `_deleted` other than the literal true is not deleted; a resurrection is a new version.
    let r = s.write_batch("d", vec![v(r#"{"_id":"x","_deleted":"yes"}"#)]).unwrap();
    assert_eq!(r.written, 1);
    assert_eq!(s.get("d", "x").unwrap().unwrap().get("_deleted"), Some(&Value::Bool(false)));
}

#[test]
fn a_batch_with_a_non_entity_writes_nothing() {
    let dir = TempDir::new("bad");
    let s = Store::open(&dir.0).unwrap();
    let err = s.write_batch("d", vec![v(r#"{"_id":"a"}"#), v(r#"{"_id":1}"#)]).unwrap_err();
    assert_eq!(err.code, codes::INPUT_NOT_ENTITY);
    assert!(!s.exists("d"));
    assert!(s.history("d", None).unwrap().is_empty());
}

#[test]
fn everything_survives_a_reopen() {
    let dir = TempDir::new("reopen");
    {
        let s = Store::open(&dir.0).unwrap();
        s.write_batch_with_state(
            "d",
            vec![v(r#"{"_id":"a","x":"~t2020-01-01T00:00:00Z"}"#)],
            &[("pipe:p:since", v("7"))],
        )
        .unwrap();
        s.write_batch("e", vec![v(r#"{"_id":"b"}"#)]).unwrap();
        s.set_populated("d").unwrap();
        s.set_state(&[("k", v(r#"{"a":[1]}"#))]).unwrap();
        assert!(Store::open(&dir.0).is_err(), "a second open of the same folder is refused");
    }
    let s = Store::open(&dir.0).unwrap();
    assert_eq!(s.dataset_names(), ["d", "e"]);
    assert!(s.is_populated("d"));
    assert!(!s.is_populated("e"));
    assert_eq!(s.get_state("pipe:p:since"), Some(v("7")));
    assert_eq!(s.get_state("k"), Some(v(r#"{"a":[1]}"#)));
    assert_eq!(s.get_state("nope"), None);
    let a = s.get("d", "a").unwrap().unwrap();
    assert!(matches!(a.get("x"), Some(Value::DateTime(_))));
    // Unchanged content after a reopen is still unchanged; new offsets continue.
    let r = s.write_batch("d", vec![v(r#"{"_id":"a","x":"~t2020-01-01T00:00:00Z"}"#), v(r#"{"_id":"c"}"#)]).unwrap();
    assert_eq!(r, BatchResult { written: 1, unchanged: 1, last_offset: Some(1) });
    s.set_state(&[("k", Value::Null)]).unwrap();
    assert_eq!(s.get_state("k"), None);
}

#[test]
fn a_torn_or_uncommitted_tail_is_cut_off() {
    let dir = TempDir::new("torn");
    let log_path = dir.0.join(LOG_FILE);
    {
        let s = Store::open(&dir.0).unwrap();
        s.write_batch("d", vec![v(r#"{"_id":"a"}"#), v(r#"{"_id":"b"}"#)]).unwrap();
    }
    let good = std::fs::metadata(&log_path).unwrap().len();
    {
        let s = Store::open(&dir.0).unwrap();
        s.write_batch("d", vec![v(r#"{"_id":"c"}"#), v(r#"{"_id":"d"}"#)]).unwrap();
    }
    let full = std::fs::read(&log_path).unwrap();
    // Every cut inside the second batch (including just before its commit marker) loses
    // exactly that batch; garbage after the first batch is cut off too.
    for cut in (good as usize..full.len()).step_by(7).chain([full.len() - 1]) {
        std::fs::write(&log_path, &full[..cut]).unwrap();
        let s = Store::open(&dir.0).unwrap();
        assert_eq!(ids_and_offsets(&s.latest("d").unwrap()).len(), 2, "cut at {cut}");
        assert_eq!(std::fs::metadata(&log_path).unwrap().len(), good);
        drop(s);
    }
    let mut garbage = full[..good as usize].to_vec();
    garbage.extend_from_slice(&[0xFF; 100]);
    std::fs::write(&log_path, &garbage).unwrap();
    let s = Store::open(&dir.0).unwrap();
    assert_eq!(s.latest("d").unwrap().len(), 2);
    s.write_batch("d", vec![v(r#"{"_id":"z"}"#)]).unwrap();
    drop(s);
    let s = Store::open(&dir.0).unwrap();
    assert_eq!(s.latest("d").unwrap().len(), 3);
    // A flipped bit inside the committed batch makes it (and what follows) invisible.
    drop(s);
    let mut flipped = std::fs::read(&log_path).unwrap();
    let at = flipped.len() - 30;
    flipped[at] ^= 1;
    std::fs::write(&log_path, &flipped).unwrap();
    let s = Store::open(&dir.0).unwrap();
    assert_eq!(s.latest("d").unwrap().len(), 2);
}

#[test]
fn compaction_keeps_the_latest_versions_and_their_offsets() {
    let dir = TempDir::new("compact");
    let s = Store::open(&dir.0).unwrap();
    for n in 0..5 {
        s.write_batch(
            "d",
            vec![v(&format!(r#"{{"_id":"a","n":{n}}}"#)), v(&format!(r#"{{"_id":"b","n":{}}}"#, n / 2))],
        )
        .unwrap();
    }
    s.write_batch("other", vec![v(r#"{"_id":"o"}"#)]).unwrap();
    s.write_batch("gone", vec![v(r#"{"_id":"g"}"#)]).unwrap();
    s.set_populated("d").unwrap();
    s.set_state(&[("since", v("3"))]).unwrap();
    assert!(s.delete_dataset("gone").unwrap());
    assert!(!s.delete_dataset("gone").unwrap());
    let before = s.disk_bytes();
    // a: 0 2 3 5 6; b: 1 4 7
    assert_eq!(ids_and_offsets(&s.history("d", Some("b")).unwrap()).iter().map(|p| p.1).collect::<Vec<_>>(), [1, 4, 7]);
    let removed = s.compact("d", 2).unwrap();
    assert_eq!(removed, 4);
    assert!(s.disk_bytes() < before);
    let offsets = |s: &Store| ids_and_offsets(&s.history("d", None).unwrap()).iter().map(|p| p.1).collect::<Vec<_>>();
    assert_eq!(offsets(&s), [4, 5, 6, 7]);
    assert_eq!(s.compact("d", 2).unwrap(), 0);
    drop(s);
    let s = Store::open(&dir.0).unwrap();
    assert_eq!(offsets(&s), [4, 5, 6, 7]);
    assert_eq!(s.dataset_names(), ["d", "other"]);
    assert!(s.is_populated("d"));
    assert_eq!(s.get_state("since"), Some(v("3")));
    assert_eq!(s.get("other", "o").unwrap().unwrap().get("_updated"), Some(&v("0")));
    assert_eq!(s.write_batch("d", vec![v(r#"{"_id":"a","n":9}"#)]).unwrap().last_offset, Some(8));
    assert_eq!(s.compact("d", 1).unwrap(), 3);
    assert_eq!(offsets(&s), [7, 8]);
    assert_eq!(s.get("d", "a").unwrap().unwrap().get("_previous"), Some(&v("6")));
}

#[test]
fn hops_see_the_latest_live_versions_and_fresh_indexes() {
    let dir = TempDir::new("access");
    let s = Store::open(&dir.0).unwrap();
    s.write_batch("p", vec![v(r#"{"_id":"b","n":1}"#), v(r#"{"_id":"a","n":1}"#), v(r#"{"_id":"c"}"#)]).unwrap();
    s.write_batch("p", vec![v(r#"{"_id":"b","n":2}"#), v(r#"{"_id":"c","_deleted":true}"#)]).unwrap();
    assert!(s.has_dataset("p"));
    assert_eq!(s.lookup("p", "b").unwrap().unwrap().get("n"), Some(&v("2")));
    assert_eq!(s.lookup("p", "c").unwrap(), None);
    assert_eq!(s.lookup("q", "a"), Err(DatasetError::Unknown));
    let mut seen = Vec::new();
    s.scan("p", &mut |e| seen.push(e.entity_id().unwrap().to_string())).unwrap();
    assert_eq!(seen, ["a", "b"]);
    let built = s.indexes().get_or_build("p", 1, || Ok(crate::dataset::JoinIndex::new())).unwrap();
    let again = s.indexes().get_or_build("p", 1, || Ok(crate::dataset::JoinIndex::new())).unwrap();
    assert!(std::sync::Arc::ptr_eq(&built, &again));
    s.write_batch("p", vec![v(r#"{"_id":"b","n":2}"#)]).unwrap();
    let same = s.indexes().get_or_build("p", 1, || Ok(crate::dataset::JoinIndex::new())).unwrap();
    assert!(std::sync::Arc::ptr_eq(&built, &same), "an unchanged batch keeps the index");
    s.write_batch("p", vec![v(r#"{"_id":"d"}"#)]).unwrap();
    let fresh = s.indexes().get_or_build("p", 1, || Ok(crate::dataset::JoinIndex::new())).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&built, &fresh), "a write drops the index");
}

/// Five versions of `a` (offsets 0..=4, `n` 0..=4) and one of `b` (offset 5).
fn five_versions(s: &Store) {
    for n in 0..5 {
        s.write_batch("d", vec![v(&format!(r#"{{"_id":"a","n":{n}}}"#))]).unwrap();
    }
    s.write_batch("d", vec![v(r#"{"_id":"b"}"#)]).unwrap();
}

fn offsets_of(s: &Store, id: &str) -> Vec<i64> {
    ids_and_offsets(&s.history("d", Some(id)).unwrap()).iter().map(|p| p.1).collect()
}

#[test]
fn compaction_is_logged_and_survives_a_reopen_without_a_rewrite() {
    let dir = TempDir::new("forget");
    let s = Store::open(&dir.0).unwrap();
    // Lots of live data elsewhere, so dropping three small versions does not
    // make half the log garbage: the drop is only logged.
    let big: Vec<Value> = (0..200).map(|i| v(&format!(r#"{{"_id":"x{i}","t":"{}"}}"#, "z".repeat(200)))).collect();
    s.write_batch("big", big).unwrap();
    five_versions(&s);
    let before = s.disk_bytes();
    assert_eq!(s.compact("d", 2).unwrap(), 3);
    assert!(s.disk_bytes() > before, "logged, not rewritten");
    assert_eq!(offsets_of(&s, "a"), [3, 4]);
    assert_eq!(s.read_since("d", Some(0), Some(1)).unwrap()[0].get("_updated"), Some(&v("3")));
    drop(s);
    let s = Store::open(&dir.0).unwrap();
    assert_eq!(offsets_of(&s, "a"), [3, 4]);
    assert_eq!(offsets_of(&s, "b"), [5]);
    assert_eq!(s.write_batch("d", vec![v(r#"{"_id":"a","n":9}"#)]).unwrap().last_offset, Some(6));
    let before = s.disk_bytes();
    s.reclaim_space().unwrap();
    assert!(s.disk_bytes() < before);
    assert_eq!(offsets_of(&s, "a"), [3, 4, 6]);
}

#[test]
fn compaction_respects_the_tracking_horizon_and_the_time_threshold() {
    let dir = TempDir::new("retention");
    let s = Store::open(&dir.0).unwrap();
    five_versions(&s);
    // A tracker at offset 2 has not seen the versions replacing 2 and 3 yet.
    let r = Retention { keep_versions: 1, horizon: Some(2), keep_since_ts: None };
    assert_eq!(s.compact_with("d", r).unwrap(), 2);
    assert_eq!(offsets_of(&s, "a"), [2, 3, 4]);
    // Every version is younger than a cutoff in the past: nothing goes.
    let r = Retention { keep_versions: 1, horizon: None, keep_since_ts: Some(0) };
    assert_eq!(s.compact_with("d", r).unwrap(), 0);
    let r = Retention { keep_versions: 0, horizon: None, keep_since_ts: Some(i64::MAX) };
    assert_eq!(s.compact_with("d", r).unwrap(), 2, "keep_versions 0 still keeps the latest");
    assert_eq!(offsets_of(&s, "a"), [4]);
    assert_eq!(s.get("d", "a").unwrap().unwrap().get("n"), Some(&v("4")));
}

#[test]
fn a_forget_record_naming_a_latest_version_cannot_lose_the_entity() {
    let dir = TempDir::new("badforget");
    let s = Store::open(&dir.0).unwrap();
    five_versions(&s);
    let mut out = Vec::new();
    log::put_forget(&mut out, 0, &[0, 4, 5]);
    {
        let mut inner = s.write_inner();
        let seq = inner.seq;
        log::put_commit(&mut out, seq);
        inner.commit(&out).unwrap();
    }
    assert_eq!(offsets_of(&s, "a"), [1, 2, 3, 4]);
    assert_eq!(offsets_of(&s, "b"), [5]);
    assert_eq!(s.latest("d").unwrap().len(), 2);
}
