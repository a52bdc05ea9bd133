//! The conformance suite: every case of `tests/conformance/*.json` (taken from the
//! published DTL documentation; format in `tests/conformance/CASES.md`).
//!
//! Prints `N passed, M failed` per file and in total, and fails when the number of
//! passing cases drops below the floor in `tests/conformance_floor.txt` (a ratchet:
//! raise it as more cases pass). `DTL_CONFORMANCE_VERBOSE=1` lists every failure;
//! `DTL_CONFORMANCE_FILTER=text` runs only cases whose id contains `text`.

use std::path::Path;

use dtl::compile::{Namespaces, Program, ProgramConfig, Trigger};
use dtl::dataset::MemoryDatasets;
use dtl::diagnostic::source;
use dtl::eval::RunOptions;
use dtl::syntax::Node;
use dtl::value::{equal, wire, Value};
use serde_json::Value as Json;

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    certain_passed: usize,
    certain_total: usize,
}

enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

fn wire_value(json: &Json) -> Value {
    wire::parse(json.to_string().as_bytes()).expect("serde_json writes valid JSON")
}

fn node(json: &Json) -> Node {
    Node::from_json(json)
}

fn same(got: &Value, expected: &Json) -> bool {
    // Compare on the wire: a plain string "~r…" and a URI are the same there.
    let got = wire::parse(got.to_string().as_bytes()).expect("our own output parses");
    equal(&got, &wire_value(expected))
}

fn config_of(case: &Json) -> Result<ProgramConfig, String> {
    let mut config = ProgramConfig::default();
    let Some(c) = case.get("config").and_then(Json::as_object) else { return Ok(config) };
    for (key, value) in c {
        match key.as_str() {
            "namespaced_identifiers" => {
                config.namespaces = value.as_bool().unwrap_or(false).then(|| {
                    // Both namespaces default to the pipe id; cases have no pipe, so use "pipe".
                    let of = |name: &str| {
                        c.get("namespaces").and_then(|n| n.get(name)).and_then(Json::as_str).unwrap_or("pipe").into()
                    };
                    Namespaces { identity: of("identity"), property: of("property") }
                });
            }
            "namespaces" => {}
            "id_required" => config.id_required = value.as_bool().unwrap_or(true),
            "trigger_on" => {
                let key = value.get("key").and_then(Json::as_str).unwrap_or("_trigger");
                let pattern = value.get("value").and_then(Json::as_str).unwrap_or("*");
                config.trigger_on =
                    Some(Trigger { key: key.split('.').map(Into::into).collect(), pattern: pattern.into() });
            }
            other => return Err(format!("config `{other}` not supported by this runner")),
        }
    }
    Ok(config)
}

/// The case's `"datasets"` (`{"name": [entities]}`), loaded for hops and `lookup-entity`.
fn datasets_of(case: &Json) -> Result<MemoryDatasets, String> {
    let mut datasets = MemoryDatasets::new();
    for (name, entities) in case.get("datasets").and_then(Json::as_object).into_iter().flatten() {
        let entities = entities.as_array().into_iter().flatten().map(wire_value).collect();
        datasets.insert(name.as_str(), entities).map_err(|e| e.to_string())?;
    }
    Ok(datasets)
}

fn run_expr(case: &Json) -> Outcome {
    let config = match config_of(case) {
        Ok(c) => c,
        Err(e) => return Outcome::Skip(e),
    };
    let src = source("case", case["expr"].to_string());
    let compiled = Program::compile_expression_with(&node(&case["expr"]), config, &src);
    let expect_error = case.get("expect_error").and_then(Json::as_bool).unwrap_or(false);
    let source_entity = case.get("source").map(wire_value).unwrap_or_else(|| Value::dict(Default::default()));
    let target = case.get("target").map(wire_value).unwrap_or_else(|| Value::dict(Default::default()));
    let result = match compiled {
        Err(e) => Err(e.to_string()),
        Ok(expr) => match datasets_of(case) {
            Ok(datasets) => expr.evaluate_with(&source_entity, &target, Some(&datasets)).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        },
    };
    match (result, expect_error) {
        (Err(_), true) => Outcome::Pass,
        (Ok(v), true) => Outcome::Fail(format!("expected an error, got {v}")),
        (Err(e), false) => Outcome::Fail(format!("error: {e}")),
        (Ok(v), false) if same(&v, &case["expect"]) => Outcome::Pass,
        (Ok(v), false) => Outcome::Fail(format!("got {v}, expected {}", case["expect"])),
    }
}

fn run_rules(case: &Json) -> Outcome {
    let datasets = match datasets_of(case) {
        Ok(d) => d,
        Err(e) => return Outcome::Fail(e),
    };
    let config = match config_of(case) {
        Ok(c) => c,
        Err(e) => return Outcome::Skip(e),
    };
    let src = source("case", case["rules"].to_string());
    let expect_error = case.get("expect_error").and_then(Json::as_bool).unwrap_or(false);
    let options = RunOptions { sleep: false, ..RunOptions::default() };
    let run = || -> Result<Vec<Value>, String> {
        let program = Program::compile(&node(&case["rules"]), config, &src).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for entity in case["input"].as_array().into_iter().flatten() {
            let output = program
                .transform_with(&wire_value(entity), &options, Some(&datasets), None)
                .map_err(|e| e.to_string())?;
            out.extend(output.entities);
        }
        Ok(out)
    };
    match (run(), expect_error) {
        (Err(_), true) => Outcome::Pass,
        (Ok(v), true) => Outcome::Fail(format!("expected an error, got {}", Value::list(v))),
        (Err(e), false) => Outcome::Fail(format!("error: {e}")),
        (Ok(v), false) => {
            let got = Value::list(v);
            if same(&got, &case["expect_output"]) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("got {got}, expected {}", case["expect_output"]))
            }
        }
    }
}

fn main() {
    let verbose = std::env::var("DTL_CONFORMANCE_VERBOSE").is_ok();
    let filter = std::env::var("DTL_CONFORMANCE_FILTER").ok();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = Tally::default();
    for file in files {
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(&file).expect("readable case file"))
            .expect("case file is JSON");
        let mut tally = Tally::default();
        for case in doc["cases"].as_array().expect("cases list") {
            let id = case["id"].as_str().unwrap_or("?");
            if filter.as_ref().is_some_and(|f| !id.contains(f.as_str())) {
                continue;
            }
            let certain = !case.get("uncertain").and_then(Json::as_bool).unwrap_or(false);
            let outcome = match case["kind"].as_str() {
                Some("expr") => run_expr(case),
                Some("rules") => run_rules(case),
                other => Outcome::Skip(format!("unknown kind {other:?}")),
            };
            tally.certain_total += usize::from(certain);
            match outcome {
                Outcome::Pass => {
                    tally.passed += 1;
                    tally.certain_passed += usize::from(certain);
                }
                Outcome::Fail(why) => {
                    tally.failed += 1;
                    if verbose {
                        println!("  FAIL {id}{}: {why}", if certain { "" } else { " (uncertain)" });
                    }
                }
                Outcome::Skip(why) => {
                    tally.skipped += 1;
                    if verbose {
                        println!("  skip {id}: {why}");
                    }
                }
            }
        }
        let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
        println!(
            "{name:<24} {} passed, {} failed, {} skipped (certain: {}/{})",
            tally.passed, tally.failed, tally.skipped, tally.certain_passed, tally.certain_total
        );
        total.passed += tally.passed;
        total.failed += tally.failed;
        total.skipped += tally.skipped;
        total.certain_passed += tally.certain_passed;
        total.certain_total += tally.certain_total;
    }
    println!(
        "total: {} passed, {} failed, {} skipped (certain: {}/{})",
        total.passed, total.failed, total.skipped, total.certain_passed, total.certain_total
    );
    if filter.is_some() {
        return;
    }
    let floor_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance_floor.txt");
    let floor: usize = std::fs::read_to_string(&floor_file)
        .ok()
        .and_then(|t| t.lines().find(|l| !l.starts_with('#')).and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    if total.passed < floor {
        eprintln!("conformance dropped below the floor: {} passed, floor is {floor}", total.passed);
        std::process::exit(1);
    }
    if total.passed > floor {
        println!("(the floor is {floor}; raise tests/conformance_floor.txt to {})", total.passed);
    }
}
