//! Hops over in-memory datasets: joins, recursion, subsets, return forms, deleted
//! entities, missing datasets, and that joins use an index rather than a scan.

use std::time::{Duration, Instant};

use dtl::compile::{Program, ProgramConfig};
use dtl::dataset::MemoryDatasets;
use dtl::diagnostic::{codes, source};
use dtl::eval::RunOptions;
use dtl::syntax::Node;
use dtl::value::{wire, Value};

fn v(json: &str) -> Value {
    wire::parse(json.as_bytes()).unwrap()
}

fn program(rules: &str) -> Result<Program, String> {
    let json: serde_json::Value = serde_json::from_str(rules).unwrap();
    Program::compile(&Node::from_json(&json), ProgramConfig::default(), &source("t", rules))
        .map_err(|d| d.0.iter().map(|d| format!("{}: {}", d.code, d.message)).collect::<Vec<_>>().join("\n"))
}

fn datasets(sets: &[(&str, &str)]) -> MemoryDatasets {
    let mut d = MemoryDatasets::new();
    for (name, json) in sets {
        d.insert_json(*name, json.as_bytes()).unwrap();
    }
    d
}

/// Runs the program on one entity and gives the property `out` of the target.
fn out(rules: &str, data: &MemoryDatasets, entity: &str) -> Value {
    let p = program(rules).unwrap();
    let res = p.transform_with(&v(entity), &RunOptions::default(), Some(data), None).unwrap();
    res.entities.last().and_then(|t| t.get("out").cloned()).unwrap_or(Value::Null)
}

fn hops_rule(spec: &str) -> String {
    format!(r#"{{"default": [["copy", "_id"], ["add", "out", ["hops", {spec}]]]}}"#)
}

fn ids(value: &Value) -> Vec<String> {
    value.iter_list().map(|e| e.entity_id().unwrap_or("?").to_string()).collect()
}

const PEOPLE: &str = r#"[
  {"_id": "p1", "gender": "female", "children": ["p3"], "hobbies": ["h1"]},
  {"_id": "p2", "gender": "male", "children": ["p4"], "hobbies": ["h3"]},
  {"_id": "p3", "gender": "female", "children": ["p5"], "hobbies": ["h2"]},
  {"_id": "p4", "gender": "female", "hobbies": ["h4"]},
  {"_id": "p5", "gender": "female", "children": ["p1"], "hobbies": ["h1"]}
]"#;
const HOBBIES: &str = r#"[{"_id": "h1", "name": "chess"}, {"_id": "h2", "name": "golf"},
  {"_id": "h3", "name": "soccer"}, {"_id": "h4", "name": "tennis"}]"#;

#[test]
fn recursion_follows_the_chain_includes_the_root_and_stops_at_cycles() {
    let data = datasets(&[("Person", PEOPLE), ("Hobby", HOBBIES)]);
    let spec = r#"{"datasets": ["Person p"], "where": [["eq", "_S.children", "p._id"], ["eq", "p.gender", "female"]], "recurse": true}"#;
    // p5's child is p1 again: the cycle ends the recursion.
    assert_eq!(
        ids(&out(&hops_rule(spec), &data, r#"{"_id": "root", "children": ["p1", "p2"]}"#)),
        ["root", "p1", "p3", "p5"]
    );
    let excluded = spec.replace("\"recurse\": true", "\"recurse\": true, \"exclude_root\": true");
    assert_eq!(ids(&out(&hops_rule(&excluded), &data, r#"{"_id": "root", "children": ["p1"]}"#)), ["p1", "p3", "p5"]);
    let shallow = spec.replace("\"recurse\": true", "\"recurse\": true, \"max_depth\": 2");
    assert_eq!(ids(&out(&hops_rule(&shallow), &data, r#"{"_id": "root", "children": ["p1"]}"#)), ["root", "p1", "p3"]);
    // Chained: the hobbies of the daughters, granddaughters, ...; shared hobbies once.
    let chained =
        format!(r#"{spec}, {{"datasets": ["Hobby h"], "where": ["eq", "_S.hobbies", "h._id"], "return": "h.name"}}"#);
    assert_eq!(out(&hops_rule(&chained), &data, r#"{"_id": "root", "children": ["p1"]}"#), v(r#"["chess", "golf"]"#));
}

#[test]
fn return_forms() {
    let data = datasets(&[("Person", PEOPLE), ("Hobby", HOBBIES)]);
    let entity = r#"{"_id": "x", "kids": ["p1", "p2"]}"#;
    let spec = |ret: &str| {
        hops_rule(&format!(
            r#"{{"datasets": ["Person p", "Hobby h"], "where": [["eq", "_S.kids", "p._id"], ["eq", "p.hobbies", "h._id"]]{ret}}}"#
        ))
    };
    assert_eq!(ids(&out(&spec(""), &data, entity)), ["h1", "h3"], "absent: the last alias");
    assert_eq!(ids(&out(&spec(r#", "return": "p""#), &data, entity)), ["p1", "p2"]);
    assert_eq!(ids(&out(&spec(r#", "return": "p, h""#), &data, entity)), ["p1", "h1", "p2", "h3"]);
    assert_eq!(out(&spec(r#", "return": "h.name""#), &data, entity), v(r#"["chess", "soccer"]"#));
    assert_eq!(
        out(&spec(r#", "return": ["list", "_S._id", "p._id", "h.name"]"#), &data, entity),
        v(r#"["x", "p1", "chess", "x", "p2", "soccer"]"#),
        "a list result per row is flattened one level"
    );
    assert_eq!(
        out(&spec(r#", "return": ["list", ["list", "p._id", "h.name"]]"#), &data, entity),
        v(r#"[["p1", "chess"], ["p2", "soccer"]]"#)
    );
}

#[test]
fn single_matches_are_one_element_lists_and_no_match_is_empty() {
    let data = datasets(&[("Person", PEOPLE)]);
    let rule = hops_rule(r#"{"datasets": ["Person p"], "where": ["eq", "_S.ref", "p._id"]}"#);
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "x", "ref": "p2"}"#)), ["p2"]);
    assert_eq!(out(&rule, &data, r#"{"_id": "x", "ref": "nope"}"#), v("[]"));
    assert_eq!(out(&rule, &data, r#"{"_id": "x"}"#), v("[]"), "a null key joins nothing");
}

#[test]
fn subsets_restrict_an_alias() {
    let data = datasets(&[(
        "orders",
        r#"[{"_id": "o1", "c": "c1", "shop": "a"}, {"_id": "o2", "c": "c1", "shop": "b"}, {"_id": "o3", "c": "c1", "shop": ["b", "a"]}]"#,
    )]);
    let rule = hops_rule(
        r#"{"datasets": ["orders o"], "where": ["eq", "_S._id", "o.c"], "subsets": {"o": ["eq", "_S.shop", "a"]}}"#,
    );
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "c1"}"#)), ["o1", "o3"]);
}

#[test]
fn deleted_entities_never_join_and_later_versions_win() {
    let data = datasets(&[(
        "orders",
        r#"[{"_id": "o1", "c": "c1"}, {"_id": "o2", "c": "c1"}, {"_id": "o2", "c": "c1", "_deleted": true},
            {"_id": "o3", "c": "c2"}, {"_id": "o3", "c": "c1"}]"#,
    )]);
    let rule = hops_rule(r#"{"datasets": ["orders o"], "where": ["eq", "_S._id", "o.c"]}"#);
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "c1"}"#)), ["o1", "o3"]);
    let lookup = r#"{"default": [["copy", "_id"], ["add", "out", ["list", ["lookup-entity", "orders", "o1"], ["lookup-entity", "orders", "o2"]]]]}"#;
    let found = out(lookup, &data, r#"{"_id": "x"}"#);
    assert_eq!(found, v(r#"[{"_id": "o1", "c": "c1"}, null]"#), "a deleted entity looks up as null");
}

#[test]
fn filters_joins_between_bound_aliases_and_repeated_pairs() {
    let data = datasets(&[
        ("A", r#"[{"_id": "a1", "k": 1, "t": "x"}, {"_id": "a2", "k": 2, "t": "y"}]"#),
        ("B", r#"[{"_id": "b1", "k": 1, "t": "x"}, {"_id": "b2", "k": 2, "t": "z"}]"#),
    ]);
    // The second eq between a and b is an exact comparison, not a second join.
    let rule = hops_rule(
        r#"{"datasets": ["A a", "B b"], "where": [["eq", "_S.refs", "a._id"], ["eq", "a.k", "b.k"], ["eq", "a.t", "b.t"]]}"#,
    );
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "s", "refs": ["a1", "a2"]}"#)), ["b1"]);
    // Both aliases bound from _S; the a-b eq is then checked per row as an overlap.
    let rule = hops_rule(
        r#"{"datasets": ["A a", "B b"], "where": [["eq", "_S.refs", "a._id"], ["eq", "_S.refs", "b._id"], ["eq", "a.k", "b.k"]]}"#,
    );
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "s", "refs": ["a1", "a2", "b2"]}"#)), ["b2"]);
    // A filter on _S alone, and an `and` of joins.
    let rule =
        hops_rule(r#"{"datasets": ["A a"], "where": ["and", ["eq", "_S.refs", "a._id"], ["eq", "_S.on", true]]}"#);
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "s", "refs": "a1", "on": true}"#)), ["a1"]);
    assert_eq!(ids(&out(&rule, &data, r#"{"_id": "s", "refs": "a1"}"#)), Vec::<String>::new());
}

#[test]
fn apply_hops_applies_the_rule_to_each_result() {
    let data = datasets(&[("orders", r#"[{"_id": "o2", "c": "c1", "n": 2}, {"_id": "o1", "c": "c1", "n": 1}]"#)]);
    let rules = r#"{"default": [["copy", "_id"], ["add", "out", ["apply-hops", "line", {"datasets": ["orders o"], "where": ["eq", "_S._id", "o.c"]}]]],
                    "line": [["add", "n", "_S.n"], ["add", "parent", "_P._S._id"]]}"#;
    assert_eq!(out(rules, &data, r#"{"_id": "c1"}"#), v(r#"[{"n": 1, "parent": "c1"}, {"n": 2, "parent": "c1"}]"#));
}

#[test]
fn a_missing_dataset_is_a_diagnostic_naming_it() {
    let data = datasets(&[("orders", "[]")]);
    for rules in [
        hops_rule(r#"{"datasets": ["nowhere o"], "where": ["eq", "_S._id", "o.c"]}"#),
        r#"{"default": [["copy", "_id"], ["add", "out", ["lookup-entity", "nowhere", "x"]]]}"#.to_string(),
    ] {
        let p = program(&rules).unwrap();
        for d in [Some(&data), None] {
            let err =
                p.transform_with(&v(r#"{"_id": "x"}"#), &RunOptions::default(), d.map(|d| d as _), None).unwrap_err();
            assert_eq!(err.code, codes::MISSING_DATASET);
            assert!(err.message.contains("nowhere"), "{}", err.message);
        }
    }
}

#[test]
fn malformed_specs_are_compile_errors() {
    let cases = [
        (r#"{"datasets": ["A a", "B b"], "where": ["eq", "_S.x", "a._id"]}"#, "alias `b` is not joined"),
        (r#"{"datasets": ["A a"], "where": ["eq", "a.x", "constant"]}"#, "alias `a` is not joined"),
        (r#"{"datasets": ["A"], "where": ["eq", "_S.x", "a._id"]}"#, "<dataset-id> <alias>"),
        (r#"{"where": ["eq", "_S.x", "a._id"]}"#, "no `datasets`"),
        (r#"{"datasets": ["A a"], "wher": ["eq", "_S.x", "a._id"]}"#, "unknown hops key `wher`"),
        (r#"{"datasets": ["A a"], "where": ["eq", "_S.x", "a._id"], "recurse": true, "return": "a"}"#, "recurse"),
        (r#"{"datasets": ["A a", "B a"], "where": ["eq", "_S.x", "a._id"]}"#, "already taken"),
    ];
    for (spec, expected) in cases {
        let err = program(&hops_rule(spec)).unwrap_err();
        assert!(err.contains(codes::HOPS_SPEC) && err.contains(expected), "{spec}: {err}");
    }
}

#[test]
fn a_join_is_an_index_lookup_not_a_scan() {
    let orders: Vec<Value> = (0..100_000)
        .map(|i| v(&format!(r#"{{"_id": "o{i:06}", "customer": "c{}", "amount": {i}}}"#, i % 10_000)))
        .collect();
    let mut data = MemoryDatasets::new();
    data.insert("orders", orders).unwrap();
    let p = program(&hops_rule(
        r#"{"datasets": ["orders o"], "where": ["eq", "_S._id", "o.customer"], "return": "o.amount"}"#,
    ))
    .unwrap();
    let started = Instant::now();
    let mut total = 0;
    for c in 0..10_000 {
        let res =
            p.transform_with(&v(&format!(r#"{{"_id": "c{c}"}}"#)), &RunOptions::default(), Some(&data), None).unwrap();
        let found = res.entities[0].get("out").unwrap().as_list().unwrap().len();
        assert_eq!(found, 10);
        total += found;
    }
    assert_eq!(total, 100_000);
    // A scan per source would be 10^9 key evaluations; the index makes it ~10^5.
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[test]
fn indexes_are_shared_between_threads() {
    use rayon::prelude::*;
    let data = datasets(&[("Person", PEOPLE)]);
    let p = program(&hops_rule(r#"{"datasets": ["Person p"], "where": ["eq", "_S.ref", "p._id"]}"#)).unwrap();
    let found: Vec<usize> = (0..1000)
        .into_par_iter()
        .map(|i| {
            let e = v(&format!(r#"{{"_id": "x", "ref": "p{}"}}"#, i % 7));
            let res = p.transform_with(&e, &RunOptions::default(), Some(&data), None).unwrap();
            res.entities[0].get("out").unwrap().as_list().unwrap().len()
        })
        .collect();
    assert_eq!(found.iter().sum::<usize>(), (0..1000).filter(|i| (1..=5).contains(&(i % 7))).count());
}
