//! `dtl node test`: each pipe's output against `expected/<pipe>.json`, with
//! sesam-py's rules.
//!
//! Specs are `expected/*.test.json` (`pipe` and `file` default from the file name);
//! an `expected/<pipe>.json` without a spec is tested with the defaults. Both sides
//! are filtered: keys starting with `_` are dropped (at every level) except `_id`
//! and `_deleted: true`; `blacklist` paths are dropped (`fnmatch` patterns over
//! dotted paths, `[].` read as `.`, `\.` a literal dot); floats with no fraction
//! become integers. With `ignore_deletes` (default true) deleted entities of the
//! output are dropped unless the expected output has that `_id` deleted. Both sides
//! are sorted by `fields_to_sort_by` (default `["_id"]`), then by their canonical JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dataset::is_deleted;
use crate::diagnostic::{codes, source, Diagnostic, Diagnostics};
use crate::syntax::{parse_json, Node, NodeKind};
use crate::value::{map_with_capacity, wire, Str, Value};

use super::config::{node_value, NodeConfig, SinkConfig};
use super::pump::Outputs;
use super::store::{canonical, PipeStore};

/// One test: a pipe and its expected output.
#[derive(Debug)]
pub struct TestSpec {
    /// The pipe tested.
    pub pipe: String,
    /// The expected-output file.
    pub file: PathBuf,
    /// `ignore`: skip this test.
    pub ignore: bool,
    /// `ignore_deletes` (true).
    pub ignore_deletes: bool,
    /// `blacklist` patterns.
    pub blacklist: Vec<String>,
    /// `fields_to_sort_by` (`["_id"]`).
    pub sort_by: Vec<String>,
}

/// The result of a test run.
#[derive(Debug, Default)]
pub struct TestOutcome {
    /// Pipes whose output matched.
    pub passed: Vec<String>,
    /// Pipes whose output did not, with a readable diff.
    pub failed: Vec<(String, String)>,
    /// Specs skipped (`ignore: true`).
    pub ignored: Vec<String>,
}

/// Reads the specs of `dir/expected`.
pub fn load_specs(dir: &Path) -> Result<Vec<TestSpec>, Diagnostics> {
    let expected = dir.join("expected");
    let Ok(read) = std::fs::read_dir(&expected) else { return Ok(Vec::new()) };
    let mut names: Vec<String> =
        read.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for name in &names {
        if let Some(stem) = name.strip_suffix(".test.json") {
            let path = expected.join(name);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Diagnostic::new(codes::IO, format!("cannot read {}: {e}", path.display())))?;
            let src = source(path.display().to_string(), text);
            let tree = match parse_json(src.inner()) {
                Ok(t) => t,
                Err(d) => {
                    errors.push(d.in_source(&src));
                    continue;
                }
            };
            if !matches!(tree.kind, NodeKind::Object(_)) {
                errors.push(
                    Diagnostic::new(codes::CONFIG, "a test spec must be a JSON object")
                        .at(tree.span, "here")
                        .in_source(&src),
                );
                continue;
            }
            let str_of = |k: &str| tree.get(k).and_then(Node::as_str).map(str::to_string);
            let list_of = |k: &str| -> Option<Vec<String>> {
                tree.get(k)
                    .and_then(Node::as_array)
                    .map(|l| l.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
            };
            let bool_of = |k: &str, d: bool| match tree.get(k).map(|n| &n.kind) {
                Some(NodeKind::Bool(b)) => *b,
                _ => d,
            };
            let pipe = str_of("pipe").unwrap_or_else(|| stem.to_string());
            let file = expected.join(str_of("file").unwrap_or_else(|| format!("{stem}.json")));
            if let Some(endpoint) = tree.get("endpoint").filter(|e| e.as_str() != Some("json")) {
                errors.push(
                    Diagnostic::new(codes::CONFIG, "only the `json` endpoint can be tested offline")
                        .at(endpoint.span, "here")
                        .in_source(&src),
                );
                continue;
            }
            specs.push(TestSpec {
                pipe,
                file,
                ignore: bool_of("ignore", false),
                ignore_deletes: bool_of("ignore_deletes", true),
                blacklist: list_of("blacklist").unwrap_or_default(),
                sort_by: list_of("fields_to_sort_by").unwrap_or_else(|| vec!["_id".into()]),
            });
        }
    }
    for name in &names {
        let Some(stem) = name.strip_suffix(".json") else { continue };
        if stem.ends_with(".test") || specs.iter().any(|s| s.file == expected.join(name)) {
            continue;
        }
        if names.contains(&format!("{stem}.test.json")) {
            continue;
        }
        specs.push(TestSpec {
            pipe: stem.to_string(),
            file: expected.join(name),
            ignore: false,
            ignore_deletes: true,
            blacklist: Vec::new(),
            sort_by: vec!["_id".into()],
        });
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(Diagnostics(errors))
    }
}

/// A pipe's output: its sink dataset's latest versions, or what a `json` sink got.
/// `None`: the node has no such pipe.
pub fn pipe_output(
    node: &NodeConfig,
    store: &dyn PipeStore,
    outputs: &Outputs,
    pipe: &str,
) -> Result<Option<Vec<Value>>, Box<Diagnostic>> {
    let Some(p) = node.pipes.iter().find(|p| p.id == pipe) else { return Ok(None) };
    Ok(Some(match &p.sink {
        SinkConfig::Dataset(d) => store.latest_all(&d.dataset)?,
        SinkConfig::Json => outputs.get(pipe).map(|m| m.values().cloned().collect()).unwrap_or_default(),
        SinkConfig::Null => Vec::new(),
    }))
}

/// Runs every spec against the node's current output.
pub fn run_tests(
    node: &NodeConfig,
    specs: &[TestSpec],
    store: &dyn PipeStore,
    outputs: &Outputs,
) -> Result<TestOutcome, Diagnostics> {
    let mut outcome = TestOutcome::default();
    let mut errors = Vec::new();
    for spec in specs {
        if spec.ignore {
            outcome.ignored.push(spec.pipe.clone());
            continue;
        }
        let Some(actual) = pipe_output(node, store, outputs, &spec.pipe).map_err(|d| Diagnostics::from(*d))? else {
            let d = Diagnostic::new(
                codes::CONFIG,
                format!("{} tests pipe `{}`, which the node does not have", spec.file.display(), spec.pipe),
            );
            errors.push(match crate::compile::suggest(&spec.pipe, node.pipes.iter().map(|p| p.id.as_str())) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("name the pipe with `pipe` in a .test.json file, or name the file after the pipe"),
            });
            continue;
        };
        let expected = match read_expected(&spec.file) {
            Ok(e) => e,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        match compare(spec, actual, expected) {
            None => outcome.passed.push(spec.pipe.clone()),
            Some(diff) => outcome.failed.push((spec.pipe.clone(), diff)),
        }
    }
    if errors.is_empty() {
        Ok(outcome)
    } else {
        Err(Diagnostics(errors))
    }
}

fn read_expected(path: &Path) -> Result<Vec<Value>, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::new(codes::IO, format!("cannot read {}: {e}", path.display()))
            .help("write the expected output as a JSON array of entities")
    })?;
    let src = source(path.display().to_string(), text);
    let tree = parse_json(src.inner()).map_err(|d| d.in_source(&src))?;
    match node_value(&tree) {
        Value::List(items) => Ok(items.as_ref().clone()),
        _ => Err(Diagnostic::new(codes::CONFIG, "an expected-output file must hold a JSON array")
            .at(tree.span, format!("this is {}", tree.kind_name()))
            .in_source(&src)),
    }
}

/// `None` when equal, else a readable diff.
pub fn compare(spec: &TestSpec, actual: Vec<Value>, expected: Vec<Value>) -> Option<String> {
    let expected: Vec<Value> = expected.iter().map(|e| filter(e, spec, &mut Vec::new())).collect();
    let deleted_expected: Vec<&str> = expected.iter().filter(|e| is_deleted(e)).filter_map(Value::entity_id).collect();
    let actual: Vec<Value> = actual
        .iter()
        .filter(|e| {
            !spec.ignore_deletes || !is_deleted(e) || e.entity_id().is_some_and(|id| deleted_expected.contains(&id))
        })
        .map(|e| filter(e, spec, &mut Vec::new()))
        .collect();
    let expected = sorted(expected, &spec.sort_by);
    let actual = sorted(actual, &spec.sort_by);
    let (a, e) = (pretty_list(&actual), pretty_list(&expected));
    if a == e {
        return None;
    }
    Some(describe(&actual, &expected))
}

/// sesam-py's `filter_entity`, plus float normalisation.
fn filter(v: &Value, spec: &TestSpec, path: &mut Vec<String>) -> Value {
    match v {
        Value::Dict(map) => {
            let mut out = map_with_capacity(map.len());
            for (k, item) in map.iter() {
                if k.starts_with('_') {
                    let keep = k.as_ref() == "_id" || (k.as_ref() == "_deleted" && matches!(item, Value::Bool(true)));
                    if keep {
                        out.insert(k.clone(), item.clone());
                    }
                    continue;
                }
                path.push(k.replace('.', "\\."));
                if !blacklisted(&path.join("."), &spec.blacklist) {
                    out.insert(Str::from(k.as_ref()), filter(item, spec, path));
                }
                path.pop();
            }
            Value::dict(out)
        }
        Value::List(items) => Value::list(items.iter().map(|i| filter(i, spec, path)).collect()),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(*f as i64),
        other => other.clone(),
    }
}

fn blacklisted(path: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| fnmatch(&p.replace("[].", "."), path))
}

/// Shell-style matching: `*` any run of characters, `?` one character.
pub fn fnmatch(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn sorted(mut list: Vec<Value>, fields: &[String]) -> Vec<Value> {
    let key = |e: &Value| -> (Vec<String>, String) {
        let fields = fields.iter().map(|f| e.get(f).map(to_canonical).unwrap_or_default()).collect();
        (fields, to_canonical(e))
    };
    list.sort_by_cached_key(key);
    list
}

fn to_canonical(v: &Value) -> String {
    let mut out = Vec::new();
    canonical(v, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// JSON with sorted keys, two-space indentation.
pub fn pretty(v: &Value) -> String {
    let mut out = String::new();
    write_pretty(v, 0, &mut out);
    out
}

fn pretty_list(list: &[Value]) -> String {
    pretty(&Value::list(list.to_vec()))
}

fn write_pretty(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Dict(map) if !map.is_empty() => {
            let mut keys: Vec<(&Str, &Value)> = map.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            out.push_str("{\n");
            for (i, (k, item)) in keys.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&wire::to_string(&Value::str(k)));
                out.push_str(": ");
                write_pretty(item, indent + 1, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::List(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_pretty(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        other => out.push_str(&wire::to_string(other)),
    }
}

/// Differences entity by entity (by `_id`), with a line diff for changed entities.
fn describe(actual: &[Value], expected: &[Value]) -> String {
    let by_id = |list: &[Value]| -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in list {
            m.entry(e.entity_id().unwrap_or("<no _id>").to_string()).or_default().push(pretty(e));
        }
        m
    };
    let (a, e) = (by_id(actual), by_id(expected));
    let mut out = format!("  expected {} entities, got {}\n", expected.len(), actual.len());
    for (id, exp) in &e {
        match a.get(id) {
            None => out.push_str(&format!("  missing entity {}: {}\n", quote(id), one_line(&exp[0]))),
            Some(act) if act != exp => {
                out.push_str(&format!("  entity {} differs (- expected, + actual):\n", quote(id)));
                out.push_str(&line_diff(&exp.join("\n"), &act.join("\n")));
            }
            Some(_) => {}
        }
    }
    for (id, act) in &a {
        if !e.contains_key(id) {
            out.push_str(&format!("  unexpected entity {}: {}\n", quote(id), one_line(&act[0])));
        }
    }
    out
}

fn quote(s: &str) -> String {
    wire::to_string(&Value::str(s))
}

fn one_line(pretty: &str) -> String {
    pretty.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// A minimal line diff (longest common subsequence), changed lines only.
fn line_diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("    + {}\n", b[j].trim_end()));
            j += 1;
        } else {
            out.push_str(&format!("    - {}\n", a[i].trim_end()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        wire::parse(json.as_bytes()).unwrap()
    }

    fn spec() -> TestSpec {
        TestSpec {
            pipe: "p".into(),
            file: "x".into(),
            ignore: false,
            ignore_deletes: true,
            blacklist: vec!["meta.*".into(), "a\\.b".into()],
            sort_by: vec!["_id".into()],
        }
    }

    #[test]
    fn reserved_keys_blacklist_and_deletes_are_filtered() {
        let actual = vec![
            v(r#"{"_id":"b","x":1.0,"_updated":3,"_deleted":false,"meta":{"t":1},"a.b":2}"#),
            v(r#"{"_id":"a","y":[{"_x":1,"z":2}]}"#),
            v(r#"{"_id":"c","_deleted":true}"#),
        ];
        let expected = vec![v(r#"{"_id":"a","y":[{"z":2}]}"#), v(r#"{"_id":"b","x":1,"meta":{}}"#)];
        assert_eq!(compare(&spec(), actual.clone(), expected), None);
        let mut strict = spec();
        strict.ignore_deletes = false;
        let diff = compare(&strict, actual, vec![]).unwrap();
        assert!(diff.contains("unexpected entity \"c\""), "{diff}");
    }

    #[test]
    fn a_changed_entity_gets_a_line_diff() {
        let diff = compare(&spec(), vec![v(r#"{"_id":"a","n":2}"#)], vec![v(r#"{"_id":"a","n":1}"#)]).unwrap();
        assert!(diff.contains("-   \"n\": 1"), "{diff}");
        assert!(diff.contains("+   \"n\": 2"), "{diff}");
    }

    #[test]
    fn fnmatch_globs() {
        assert!(fnmatch("a.*", "a.b.c"));
        assert!(fnmatch("a?c", "abc"));
        assert!(!fnmatch("a.*", "ab"));
        assert!(fnmatch("*", ""));
    }
}
