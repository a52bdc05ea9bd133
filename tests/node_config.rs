//! Node configuration checks through the `dtl` binary: unknown keys inside every
//! source, sink and transform type (with file, position and "did you mean"), the
//! documented-but-ignored keys, and that a broken configuration leaves the stored
//! data of an earlier run untouched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn dtl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dtl")).args(args).env("NO_COLOR", "1").output().expect("runs dtl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A node folder in a fresh temporary directory, with `files` (path, contents).
fn node(files: &[(&str, &str)]) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dtl-node-config-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    write(&dir, files);
    dir
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
}

fn run(dir: &Path) -> Output {
    dtl(&["node", "run", dir.to_str().unwrap()])
}

/// Runs the node, expects exit code 1, returns stderr.
fn run_err(dir: &Path) -> String {
    let out = run(dir);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
    text(&out.stderr)
}

/// The `line:column` miette prints for a byte offset of `file` in the node.
fn position(dir: &Path, file: &str, needle: &str) -> String {
    let contents = std::fs::read_to_string(dir.join(file)).unwrap();
    let at = contents.find(needle).unwrap_or_else(|| panic!("{needle} in {file}"));
    let line = contents[..at].matches('\n').count() + 1;
    let column = at - contents[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{file}:{line}:{column}")
}

const PEOPLE: &str = r#"{"_id": "people", "type": "pipe",
  "source": {"type": "embedded", "entities": [{"_id": "1", "name": "Ada"}, {"_id": "2", "name": "Alan"}]}}"#;

/// One pipe `p` (reading `people` where a dataset is needed) whose component has a
/// bad key; asserts the diagnostic names the file, the pipe, the key, its position,
/// and the suggestion (when given).
fn rejects(pipe: &str, key: &str, suggestion: Option<&str>) {
    let dir = node(&[("pipes/people.conf.json", PEOPLE), ("pipes/p.conf.json", pipe)]);
    let err = run_err(&dir);
    assert!(err.contains("dtl::E061"), "{err}");
    assert!(err.contains(&format!("unknown key `{key}`")) && err.contains("pipe `p`"), "{err}");
    let at = position(&dir, "pipes/p.conf.json", &format!("\"{key}\""));
    assert!(err.contains(&at), "expected the position {at}: {err}");
    match suggestion {
        Some(s) => assert!(err.contains(&format!("did you mean `{s}`?")), "{err}"),
        None => assert!(!err.contains("did you mean"), "{err}"),
    }
}

#[test]
fn every_source_type_rejects_unknown_keys() {
    let cases = [
        (
            r#"{"type": "dataset", "dataset": "people", "include_previous_version": true}"#,
            "include_previous_version",
            Some("include_previous_versions"),
        ),
        (r#"{"type": "embedded", "entitys": [], "entities": []}"#, "entitys", Some("entities")),
        (r#"{"type": "json", "url": "x.json", "frobnicate": 1}"#, "frobnicate", None),
        (r#"{"type": "empty", "dataset": "people"}"#, "dataset", None),
        (
            r#"{"type": "merge", "datasets": ["people p"], "equality": [], "identiy": "first"}"#,
            "identiy",
            Some("identity"),
        ),
        (r#"{"type": "union_datasets", "datasets": ["people"], "prefix_id": false}"#, "prefix_id", Some("prefix_ids")),
        (r#"{"type": "merge_datasets", "datasets": ["people"], "stratgy": "all"}"#, "stratgy", Some("strategy")),
        (
            r#"{"type": "conditional", "condition": "test", "alternatives": {"test": {"type": "empty"}}, "alternative": 1}"#,
            "alternative",
            Some("alternatives"),
        ),
    ];
    for (source, key, suggestion) in cases {
        rejects(&format!(r#"{{"_id": "p", "type": "pipe", "source": {source}}}"#), key, suggestion);
    }
}

#[test]
fn every_sink_type_rejects_unknown_keys() {
    let cases = [
        (
            r#"{"type": "dataset", "dataset": "out", "deletion_traking": false}"#,
            "deletion_traking",
            Some("deletion_tracking"),
        ),
        (r#"{"type": "json", "remove_namespace": true}"#, "remove_namespace", Some("remove_namespaces")),
        (r#"{"type": "null", "dataset": "x"}"#, "dataset", None),
        (
            r#"{"type": "conditional", "conditon": "test", "alternatives": {"test": {"type": "null"}}}"#,
            "conditon",
            Some("condition"),
        ),
    ];
    for (sink, key, suggestion) in cases {
        let pipe = format!(r#"{{"_id": "p", "type": "pipe", "source": {{"type": "empty"}}, "sink": {sink}}}"#);
        rejects(&pipe, key, suggestion);
    }
}

#[test]
fn every_transform_type_and_compaction_reject_unknown_keys() {
    let cases = [
        (r#"{"type": "dtl", "rules": {"default": [["copy", "*"]]}, "rule": {}}"#, "rule", Some("rules")),
        (r#"{"type": "emit_children", "rules": {}}"#, "rules", None),
        (
            r#"{"type": "conditional", "condition": "test", "alternatives": {"test": {"type": "emit_children"}}, "x": 1}"#,
            "x",
            None,
        ),
    ];
    for (transform, key, suggestion) in cases {
        let pipe =
            format!(r#"{{"_id": "p", "type": "pipe", "source": {{"type": "empty"}}, "transform": [{transform}]}}"#);
        rejects(&pipe, key, suggestion);
    }
    let pipe = r#"{"_id": "p", "type": "pipe", "source": {"type": "empty"}, "compaction": {"keep_version": 3}}"#;
    rejects(pipe, "keep_version", Some("keep_versions"));
    let pipe = r#"{"_id": "p", "type": "pipe", "source": {"type": "empty"}, "pump": {"rescan_runcount": 3}}"#;
    rejects(pipe, "rescan_runcount", Some("rescan_run_count"));
    // A key inside the chosen alternative of a conditional is checked too.
    let pipe = r#"{"_id": "p", "type": "pipe", "source": {"type": "conditional", "condition": "test",
      "alternatives": {"prod": {"type": "sql", "anything": 1}, "test": {"type": "embedded", "entites": []}}}}"#;
    rejects(pipe, "entites", Some("entities"));
}

#[test]
fn documented_keys_that_do_not_matter_offline_are_accepted() {
    let dir = node(&[
        ("pipes/people.conf.json", PEOPLE),
        (
            "pipes/p.conf.json",
            r#"{"_id": "p", "type": "pipe", "comment": "c",
              "source": {"type": "dataset", "dataset": "people", "supports_signalling": true, "comment": "x",
                         "completeness": false, "is_chronological": true},
              "transform": {"type": "dtl", "rules": {"default": [["copy", "*"]]}, "side_effects": false},
              "sink": {"type": "dataset", "dataset": "p", "bitset_commit_interval": 10, "indexes": ["$ids"],
                       "suppress_filtered": true, "max_entity_bytes_size": 1000},
              "compaction": {"growth_threshold": 1.0, "compaction_interval": 0, "retract": false}}"#,
        ),
        (
            "pipes/u.conf.json",
            r#"{"_id": "u", "type": "pipe",
              "source": {"type": "union_datasets", "datasets": ["people"], "ignore_non_existent_datasets": true},
              "sink": {"type": "null", "batch_size": 5}}"#,
        ),
    ]);
    let out = run(&dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn documented_keys_the_engine_does_not_implement_are_refused() {
    let dir = node(&[
        ("pipes/people.conf.json", PEOPLE),
        (
            "pipes/p.conf.json",
            r#"{"_id": "p", "type": "pipe", "source": {"type": "dataset", "dataset": "people", "subset": ["eq", "_S.x", 1]}}"#,
        ),
    ]);
    let err = run_err(&dir);
    assert!(err.contains("dtl::E060") && err.contains("`subset`") && err.contains("not supported offline"), "{err}");
    assert!(err.contains(&position(&dir, "pipes/p.conf.json", "\"subset\"")), "{err}");
}

#[test]
fn keys_with_a_fixed_set_of_values_refuse_others() {
    let cases = [
        (
            r#""source": {"type": "embedded", "entities": [], "if_source_empty": "fial"}"#,
            "\"fial\"",
            r#"the values are "accept", "fail""#,
        ),
        (r#""source": {"type": "empty"}, "pump": {"mode": "of"}"#, "\"of\"", "did you mean \"off\"?"),
        (r#""source": {"type": "empty"}, "pump": {"mode": 1}"#, "1}", "must be a string"),
    ];
    for (parts, value, help) in cases {
        let pipe = format!(r#"{{"_id": "p", "type": "pipe", {parts}}}"#);
        let dir = node(&[("pipes/p.conf.json", &pipe)]);
        let err = run_err(&dir);
        assert!(err.contains("dtl::E060") && err.contains(help), "{err}");
        assert!(err.contains(&position(&dir, "pipes/p.conf.json", value)), "{err}");
    }
}

#[test]
fn the_node_default_for_if_source_empty_applies_unless_the_source_says_otherwise() {
    let metadata = r#"{"_id": "node", "type": "metadata", "global_defaults": {"if_source_empty": "fail"}}"#;
    let empty = r#"{"_id": "p", "type": "pipe", "source": {"type": "embedded", "entities": []}}"#;
    let dir = node(&[("node-metadata.conf.json", metadata), ("pipes/p.conf.json", empty)]);
    let err = run_err(&dir);
    assert!(err.contains("dtl::E068") && err.contains("if_source_empty"), "{err}");
    let accepting =
        r#"{"_id": "p", "type": "pipe", "source": {"type": "embedded", "entities": [], "if_source_empty": "accept"}}"#;
    let dir = node(&[("node-metadata.conf.json", metadata), ("pipes/p.conf.json", accepting)]);
    let out = run(&dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The `empty` source has no such key: the node default does not fail it.
    let nothing = r#"{"_id": "p", "type": "pipe", "source": {"type": "empty"}}"#;
    let dir = node(&[("node-metadata.conf.json", metadata), ("pipes/p.conf.json", nothing)]);
    let out = run(&dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn show(dir: &Path, dataset: &str) -> String {
    let out = dtl(&["dataset", "show", dir.to_str().unwrap(), dataset, "--history"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// A broken configuration (each kind the issue lists) is reported with file and
/// position, and the data an earlier run stored reads exactly the same afterwards.
#[test]
fn a_broken_configuration_damages_nothing_already_stored() {
    let good = r#"{"_id": "q", "type": "pipe", "source": {"type": "dataset", "dataset": "people"}}"#;
    let dir = node(&[("pipes/people.conf.json", PEOPLE), ("pipes/q.conf.json", good)]);
    assert!(run(&dir).status.success());
    let before = (show(&dir, "people"), show(&dir, "q"));
    assert!(before.0.contains("Alan") && before.1.contains("Alan"), "{before:?}");
    let log = dir.join(".dtl-data/store.log");
    let bytes = std::fs::read(&log).unwrap();
    let broken = [
        (
            r#"{"_id": "q", "type": "pipe", "batchsize": 1, "source": {"type": "dataset", "dataset": "people"}}"#,
            "E061",
            "\"batchsize\"",
        ),
        (r#"{"_id": "q", "type": "pipe", "source": {"type": "dataset", "dataset": "peple"}}"#, "E063", "\"peple\""),
        (r#"{"_id": "q", "type": "pipe", "source": {"type": "dataset", "dataset": "people"}"#, "E002", ""),
        (
            r#"{"_id": "q", "type": "pipe", "source": {"type": "dataset", "dataset": "$ENV(ds)"}}"#,
            "E062",
            "\"$ENV(ds)\"",
        ),
    ];
    for (config, code, needle) in broken {
        write(&dir, &[("pipes/q.conf.json", config)]);
        let err = run_err(&dir);
        assert!(err.contains(code), "{config}: {err}");
        if needle.is_empty() {
            assert!(err.contains("q.conf.json:"), "{err}");
        } else {
            assert!(err.contains(&position(&dir, "pipes/q.conf.json", needle)), "{config}: {err}");
        }
        assert_eq!(std::fs::read(&log).unwrap(), bytes, "{config}: the store log changed");
        assert_eq!((show(&dir, "people"), show(&dir, "q")), before);
    }
    write(&dir, &[("pipes/q.conf.json", good)]);
    assert!(run(&dir).status.success());
    assert_eq!((show(&dir, "people"), show(&dir, "q")), before);
    let _ = std::fs::remove_dir_all(&dir);
}
