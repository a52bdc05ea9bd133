//! The node runner and tester, end to end: the example nodes, bad configurations
//! (diagnostics and exit codes through the `dtl` binary) and pump semantics
//! (through the library, several runs against one store).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use dtl::pipe::{load_node, run_node, MemoryStore, Outputs, PipeStore};
use dtl::value::Value;

fn dtl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dtl")).args(args).env("NO_COLOR", "1").output().expect("runs dtl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nodes").join(name).display().to_string()
}

/// A node folder in a fresh temporary directory, with `files` (path, contents).
fn node(files: &[(&str, &str)]) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dtl-node-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, contents) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
    dir
}

fn run_err(dir: &Path, command: &str) -> String {
    let out = dtl(&["node", command, dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
    text(&out.stderr)
}

#[test]
fn the_small_example_passes_its_tests() {
    let out = dtl(&["node", "test", &example("small")]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("2 passed, 0 failed"), "{}", text(&out.stdout));
}

#[test]
fn the_crm_example_passes_its_tests() {
    let out = dtl(&["node", "test", &example("crm")]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("4 passed, 0 failed"), "{}", text(&out.stdout));
}

#[test]
fn node_run_prints_a_summary() {
    let data = node(&[]).join("data");
    let out = dtl(&["node", "run", &example("small"), "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("person-raw") && stdout.contains("settled after"), "{stdout}");
}

#[test]
fn node_run_says_which_hops_are_not_tracked_and_why() {
    let q = r#"{"_id": "q", "type": "pipe", "source": {"type": "dataset", "dataset": "people"},
  "transform": {"type": "dtl", "rules": {"default": [["copy", "_id"],
    ["add", "same", ["hops", {"datasets": ["people p"], "where": [["eq", "_S.name", "p.name"]],
                              "track-dependencies": false}]]]}}}"#;
    let dir = node(&[("pipes/people.conf.json", PEOPLE), ("pipes/q.conf.json", q)]);
    let data = dir.join("data");
    let out = dtl(&["node", "run", dir.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("note: pipe `q` does not track changes in dataset `people` (")
            && stderr.contains("q.conf.json:3:")
            && stderr.contains("`track-dependencies` is false"),
        "{stderr}"
    );
    assert!(!stderr.contains("pipe `people`"), "people hops into nothing: {stderr}");
}

#[test]
fn dataset_show_and_list() {
    let small = node(&[]).join("small");
    let small = small.to_str().unwrap();
    let crm = node(&[]).join("crm");
    let crm = crm.to_str().unwrap();
    let out = dtl(&["dataset", "show", &example("small"), "person", "--data-dir", small]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = dtl::value::wire::parse(&out.stdout).unwrap();
    let ids: Vec<&str> = shown.iter_list().filter_map(Value::entity_id).collect();
    assert_eq!(ids, ["1", "2"]);
    let out = dtl(&["dataset", "show", &example("crm"), "c", "--history", "--data-dir", crm]);
    let shown = dtl::value::wire::parse(&out.stdout).unwrap();
    assert_eq!(shown.as_list().unwrap().len(), 3);
    let out = dtl(&["dataset", "list", &example("crm"), "--data-dir", crm]);
    assert!(text(&out.stdout).contains("abc-merged: 3 entities, 2 deleted, 5 versions"), "{}", text(&out.stdout));
    let out = dtl(&["dataset", "show", &example("small"), "persn", "--data-dir", small]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E071") && text(&out.stderr).contains("did you mean `person`?"));
}

const PEOPLE: &str = r#"{"_id": "people", "type": "pipe",
  "source": {"type": "embedded", "entities": [{"_id": "1", "name": "Ada"}, {"_id": "2", "name": "Alan"}]}}"#;

#[test]
fn an_unknown_pipe_key_suggests_the_right_one() {
    let dir =
        node(&[("pipes/p.conf.json", r#"{"_id": "p", "type": "pipe", "batchsize": 10, "source": {"type": "empty"}}"#)]);
    let err = run_err(&dir, "run");
    assert!(err.contains("dtl::E061") && err.contains("unknown pipe key `batchsize`"), "{err}");
    assert!(err.contains("did you mean `batch_size`?"), "{err}");
    assert!(err.contains("p.conf.json"), "{err}");
}

#[test]
fn a_missing_dataset_is_reported_where_it_is_named() {
    let dir = node(&[
        ("pipes/people.conf.json", PEOPLE),
        ("pipes/q.conf.json", r#"{"_id": "q", "type": "pipe", "source": {"type": "dataset", "dataset": "peple"}}"#),
    ]);
    let err = run_err(&dir, "run");
    assert!(err.contains("dtl::E063") && err.contains("pipe `q` reads dataset `peple`"), "{err}");
    assert!(err.contains("did you mean `people`?") && err.contains("q.conf.json"), "{err}");
}

#[test]
fn a_folder_without_pipes_is_an_error_not_an_empty_success() {
    let dir = node(&[("README.md", "not a node")]);
    for command in ["run", "test"] {
        let err = run_err(&dir, command);
        assert!(
            err.contains("dtl::E060") && err.contains("holds no pipes") && err.contains("pipes/*.conf.json"),
            "{err}"
        );
    }
}

#[test]
fn an_expected_file_for_a_missing_pipe_suggests_the_right_one() {
    let dir = node(&[
        ("pipes/people.conf.json", PEOPLE),
        ("expected/x.test.json", r#"{"pipe": "peple"}"#),
        ("expected/x.json", "[]"),
    ]);
    let err = run_err(&dir, "test");
    assert!(err.contains("dtl::E060") && err.contains("tests pipe `peple`"), "{err}");
    assert!(err.contains("did you mean `people`?"), "{err}");
}

#[test]
fn malformed_json_points_into_the_file() {
    let dir = node(&[("pipes/bad.conf.json", "{\"_id\": \"bad\", \"source\": {\"type\": \"empty\"}")]);
    let err = run_err(&dir, "test");
    assert!(err.contains("dtl::E002") && err.contains("bad.conf.json"), "{err}");
}

#[test]
fn env_without_a_value_is_an_error_but_a_conditional_picks_test() {
    let dir = node(&[(
        "pipes/p.conf.json",
        r#"{"_id": "p", "type": "pipe", "source": {"type": "embedded", "entities": [{"_id": "$ENV(who)"}]}}"#,
    )]);
    let err = run_err(&dir, "run");
    assert!(err.contains("dtl::E062") && err.contains("`who` has no value") && err.contains("p.conf.json"), "{err}");
    let env = dir.join("env.json");
    std::fs::write(&env, r#"{"who": "me"}"#).unwrap();
    let out = dtl(&["node", "run", dir.to_str().unwrap(), "--env", env.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let dir = node(&[(
        "pipes/p.conf.json",
        r#"{"_id": "p", "type": "pipe", "source": {"type": "conditional", "condition": "$ENV(current-env)",
            "alternatives": {"prod": {"type": "sql", "table": "x"}, "test": {"type": "empty"}}}}"#,
    )]);
    assert!(dtl(&["node", "run", dir.to_str().unwrap()]).status.success());
    std::fs::write(dir.join("test-env.json"), r#"{"current-env": "prod"}"#).unwrap();
    let err = run_err(&dir, "run");
    assert!(err.contains("dtl::E064") && err.contains("pipe `p`") && err.contains("`sql`"), "{err}");
}

#[test]
fn a_failing_test_shows_a_diff_and_exits_1() {
    let dir = node(&[
        ("pipes/people.conf.json", PEOPLE),
        ("expected/people.json", r#"[{"_id": "1", "name": "Ada"}, {"_id": "2", "name": "Alan T"}]"#),
    ]);
    let out = dtl(&["node", "test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL people") && stdout.contains("0 passed, 1 failed"), "{stdout}");
    assert!(stdout.contains("-   \"name\": \"Alan T\"") && stdout.contains("+   \"name\": \"Alan\""), "{stdout}");
    assert!(text(&out.stderr).contains("dtl::E069"));
}

// ---- pump semantics, through the library ----

fn load(files: &[(&str, &str)]) -> dtl::pipe::NodeConfig {
    load_node(&node(files), None).unwrap_or_else(|d| panic!("{d}"))
}

fn run(config: &dtl::pipe::NodeConfig, store: &mut MemoryStore) -> Result<dtl::pipe::NodeReport, String> {
    run_node(config, store, &mut Outputs::default(), &mut std::io::sink()).map_err(|d| d.to_string())
}

fn live(store: &MemoryStore, dataset: &str) -> Vec<String> {
    store
        .latest_all(dataset)
        .unwrap()
        .iter()
        .filter(|e| !dtl::dataset::is_deleted(e))
        .filter_map(|e| e.entity_id().map(str::to_string))
        .collect()
}

fn embedded(id: &str, entities: &str) -> String {
    format!(r#"{{"_id": "{id}", "type": "pipe", "source": {{"type": "embedded", "entities": {entities}}}}}"#)
}

#[test]
fn full_runs_track_deletions_and_filtered_entities_delete() {
    let filter = r#"{"_id": "kept", "type": "pipe", "source": {"type": "dataset", "dataset": "raw"},
      "transform": {"type": "dtl", "rules": {"default": [["filter", "_S.keep"], ["copy", "*"]]}}}"#;
    let mut store = MemoryStore::new();
    let first = load(&[
        (
            "pipes/raw.conf.json",
            &embedded("raw", r#"[{"_id": "a", "keep": true}, {"_id": "b", "keep": true}, {"_id": "c", "keep": true}]"#),
        ),
        ("pipes/kept.conf.json", filter),
    ]);
    run(&first, &mut store).unwrap();
    assert_eq!(live(&store, "kept"), ["a", "b", "c"]);
    // c vanishes from the source (deletion tracking), b is now filtered (an incremental
    // run of `kept` sees b's new version and deletes it).
    let second = load(&[
        ("pipes/raw.conf.json", &embedded("raw", r#"[{"_id": "a", "keep": true}, {"_id": "b", "keep": false}]"#)),
        ("pipes/kept.conf.json", filter),
    ]);
    let report = run(&second, &mut store).unwrap();
    assert_eq!(live(&store, "raw"), ["a", "b"]);
    assert_eq!(live(&store, "kept"), ["a"]);
    let kept = report.pipes.iter().find(|(p, _)| p == "kept").unwrap();
    assert!(!kept.1.full, "the dataset source runs incrementally");
    // The deleted c of `kept` carries its last content.
    let c = store.latest("kept", "c").unwrap().unwrap();
    assert_eq!(c.get("keep"), Some(&Value::Bool(true)));
    // Running again changes nothing.
    let before = store.read_since("kept", None, usize::MAX).unwrap().len();
    assert_eq!(run(&second, &mut store).unwrap().rounds, 1);
    assert_eq!(store.read_since("kept", None, usize::MAX).unwrap().len(), before);
}

#[test]
fn the_circuit_breaker_stops_big_changes() {
    let pipe = |entities: &str| {
        format!(
            r#"{{"_id": "raw", "type": "pipe", "source": {{"type": "embedded", "entities": {entities}}},
              "sink": {{"type": "dataset", "circuit_breaker_threshold_count": 2}}}}"#
        )
    };
    let mut store = MemoryStore::new();
    run(&load(&[("pipes/raw.conf.json", &pipe(r#"[{"_id": "a"}, {"_id": "b"}, {"_id": "c"}]"#))]), &mut store).unwrap();
    let err = run(
        &load(&[(
            "pipes/raw.conf.json",
            &pipe(r#"[{"_id": "a", "x": 1}, {"_id": "b", "x": 1}, {"_id": "c", "x": 1}]"#),
        )]),
        &mut store,
    )
    .unwrap_err();
    assert!(err.contains("E067") && err.contains("circuit breaker"), "{err}");
    run(&load(&[("pipes/raw.conf.json", &pipe(r#"[{"_id": "a", "x": 1}, {"_id": "b"}, {"_id": "c"}]"#))]), &mut store)
        .unwrap();
}

#[test]
fn feedback_cycles_settle_or_are_reported() {
    let cycle = |expr: &str| {
        vec![
            ("pipes/seed.conf.json".to_string(), embedded("seed", r#"[{"_id": "x", "n": 0}]"#)),
            (
                "pipes/ping.conf.json".to_string(),
                format!(
                    r#"{{"_id": "ping", "type": "pipe", "source": {{"type": "union_datasets", "datasets": ["seed", "pong"], "prefix_ids": false}},
                    "transform": {{"type": "dtl", "rules": {{"default": [["copy", "_id"], ["add", "n", {expr}]]}}}}}}"#
                ),
            ),
            (
                "pipes/pong.conf.json".to_string(),
                r#"{"_id": "pong", "type": "pipe", "source": {"type": "dataset", "dataset": "ping"}}"#.to_string(),
            ),
        ]
    };
    let files = cycle(r#"["min", ["list", 5, ["+", "_S.n", 1]]]"#);
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut store = MemoryStore::new();
    run(&load(&files), &mut store).unwrap();
    assert_eq!(store.latest("pong", "x").unwrap().unwrap().get("n"), Some(&Value::Int(5)));

    let files = cycle(r#"["+", "_S.n", 1]"#);
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let err = run(&load(&files), &mut MemoryStore::new()).unwrap_err();
    assert!(err.contains("E066") && err.contains("`ping`"), "{err}");
}

#[test]
fn hops_wait_for_populated_datasets_and_see_the_store() {
    // `lookup` comes first in file order but hops into `people`, so it runs after it.
    let mut store = MemoryStore::new();
    let config = load(&[
        (
            "pipes/a-lookup.conf.json",
            r#"{"_id": "a-lookup", "type": "pipe", "source": {"type": "embedded", "entities": [{"_id": "x", "who": "1"}]},
              "transform": {"type": "dtl", "rules": {"default": [["copy", "_id"],
                ["add", "name", ["first", ["hops", {"datasets": ["people p"], "where": [["eq", "_S.who", "p._id"]], "return": "p.name"}]]]]}}}"#,
        ),
        ("pipes/people.conf.json", PEOPLE),
    ]);
    let report = run(&config, &mut store).unwrap();
    assert!(report.waiting.is_empty());
    assert_eq!(store.latest("a-lookup", "x").unwrap().unwrap().get("name"), Some(&Value::str("Ada")));
}

#[test]
fn emit_children_in_its_own_pipe() {
    let mut store = MemoryStore::new();
    let config = load(&[
        ("pipes/orders.conf.json", &embedded("orders", r#"[{"_id": "o1", "lines": [{"n": 1}, {"n": 2}]}]"#)),
        (
            "pipes/parents.conf.json",
            r#"{"_id": "parents", "type": "pipe", "source": {"type": "dataset", "dataset": "orders"},
              "transform": {"type": "dtl", "rules": {"default": [["copy", "_id"],
                ["create-child", ["apply", "line", "_S.lines"]]],
                "line": [["add", "_id", ["string", "_S.n"]], ["add", "n", "_S.n"]]}}}"#,
        ),
        (
            "pipes/lines.conf.json",
            r#"{"_id": "lines", "type": "pipe", "source": {"type": "dataset", "dataset": "parents"},
              "transform": {"type": "emit_children"}}"#,
        ),
    ]);
    run(&config, &mut store).unwrap();
    assert_eq!(live(&store, "lines").len(), 2, "{:?}", store.latest_all("parents"));
}

/// The `written` column of `dtl node run` output, per pipe.
fn written(stdout: &str) -> Vec<(String, usize)> {
    stdout
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("settled"))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].to_string(), cols[2].parse().unwrap())
        })
        .collect()
}

fn node_run(dir: &Path) -> String {
    let out = dtl(&["node", "run", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn show(dir: &Path, dataset: &str, extra: &[&str]) -> Value {
    let mut args = vec!["dataset", "show", dir.to_str().unwrap(), dataset];
    args.extend_from_slice(extra);
    let out = dtl(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dtl::value::wire::parse(&out.stdout).unwrap()
}

const UPPER: &str = r#"{"_id": "upper", "type": "pipe", "source": {"type": "dataset", "dataset": "people"},
  "transform": {"type": "dtl", "rules": {"default": [["copy", "*"], ["add", "big", ["upper", "_S.name"]]]}}}"#;

#[test]
fn node_run_is_persistent_and_a_second_run_writes_nothing() {
    let dir = node(&[("pipes/people.conf.json", PEOPLE), ("pipes/upper.conf.json", UPPER)]);
    let first = written(&node_run(&dir));
    assert_eq!(first, [("people".to_string(), 2), ("upper".to_string(), 2)]);
    assert!(dir.join(".dtl-data/store.log").is_file());
    let second = written(&node_run(&dir));
    assert_eq!(second, [("people".to_string(), 0), ("upper".to_string(), 0)]);
    // The data survives between processes: `dataset show` reads the store without
    // running the node (a changed config is not picked up until the next run).
    std::fs::write(dir.join("pipes/people.conf.json"), PEOPLE.replace("Ada", "Grace")).unwrap();
    let shown = show(&dir, "upper", &[]);
    assert_eq!(shown.as_list().unwrap()[0].get("big"), Some(&Value::str("ADA")));
    let third = written(&node_run(&dir));
    assert_eq!(third, [("people".to_string(), 1), ("upper".to_string(), 1)]);
    let history = show(&dir, "upper", &["--history"]);
    let bigs: Vec<&str> = history.iter_list().filter_map(|e| e.get("big")?.as_str()).collect();
    assert_eq!(bigs, ["ADA", "ALAN", "GRACE"]);
    let last = &history.as_list().unwrap()[2];
    assert_eq!(last.get("_previous"), Some(&Value::Int(0)));
    assert_eq!(last.get("_updated"), Some(&Value::Int(2)));
    let out = dtl(&["dataset", "list", dir.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("upper: 2 entities, 0 deleted, 3 versions"), "{}", text(&out.stdout));
}

#[test]
fn a_torn_store_tail_is_recovered() {
    let dir = node(&[("pipes/people.conf.json", PEOPLE), ("pipes/upper.conf.json", UPPER)]);
    node_run(&dir);
    let log = dir.join(".dtl-data/store.log");
    let before = std::fs::metadata(&log).unwrap().len();
    // A partial record after the last commit, as a crash mid-write leaves it.
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(&[0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, b'{', b'"']);
    std::fs::write(&log, bytes).unwrap();
    let shown = show(&dir, "upper", &[]);
    assert_eq!(shown.as_list().unwrap().len(), 2);
    assert_eq!(std::fs::metadata(&log).unwrap().len(), before, "opening truncates the torn tail");
    assert_eq!(written(&node_run(&dir)), [("people".to_string(), 0), ("upper".to_string(), 0)]);
}

#[test]
fn node_test_runs_from_empty_in_a_temporary_folder() {
    let dir = example("small");
    let data = node(&[]).join("kept");
    let out = dtl(&["node", "test", &dir, "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(data.join("store.log").is_file());
    // A second test into the same, no longer empty, folder is refused.
    let out = dtl(&["node", "test", &dir, "--data-dir", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not empty"), "{}", text(&out.stderr));
    assert!(!Path::new(&dir).join(".dtl-data").exists());
}

/// Stored data damaged after the store was opened (here: a byte of an entity
/// overwritten on disk) cannot be read back. Every way of reading it (the pump's
/// source read, a hop, `dataset show`) stops with a diagnostic naming the dataset;
/// nothing panics.
#[test]
fn stored_data_damaged_after_opening_is_a_diagnostic_not_a_panic() {
    use dtl::dataset::store::Store;
    let hop = r#"{"_id": "h", "type": "pipe", "source": {"type": "embedded", "entities": [{"_id": "1"}]},
      "transform": {"type": "dtl", "rules": {"default": [["copy", "_id"],
        ["add", "p", ["hops", {"datasets": ["people p"], "where": [["eq", "_S._id", "p._id"]]}]]]}}}"#;
    let reader = r#"{"_id": "r", "type": "pipe", "source": {"type": "dataset", "dataset": "people"}}"#;
    let people = node(&[("pipes/people.conf.json", PEOPLE)]);
    let data = people.join("data");
    let mut store = Store::open(&data).unwrap();
    let config = load_node(&people, None).unwrap();
    run_node(&config, &mut store, &mut Outputs::default(), &mut std::io::sink()).unwrap();

    // "Ada" becomes "Ad" and a control character: no longer valid JSON.
    let log = data.join("store.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let at = bytes.windows(5).position(|w| w == b"\"Ada\"").unwrap();
    bytes[at + 3] = 0x01;
    std::fs::write(&log, &bytes).unwrap();

    let e = store.latest_all("people").unwrap_err();
    assert!(e.code == "dtl::E050" && e.message.contains("not valid JSON"), "{e:?}");
    for (id, pipe) in [("r", reader), ("h", hop)] {
        let both = node(&[("pipes/people.conf.json", PEOPLE), (&format!("pipes/{id}.conf.json"), pipe)]);
        let config = load_node(&both, None).unwrap();
        let pipe = config.pipes.iter().find(|p| p.id == id).unwrap();
        let err = dtl::pipe::pump::run_pipe(pipe, &mut store, &mut Outputs::default()).unwrap_err();
        assert_eq!(err.code, "dtl::E050", "pipe {id}: {err:?}");
        assert!(err.message.contains("not valid JSON"), "pipe {id}: {}", err.message);
    }
}
