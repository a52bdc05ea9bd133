//! Namespaced identifiers inside DTL: what changes when `ProgramConfig.namespaces`
//! is set, and that nothing changes when it is not.

use dtl::compile::{Namespaces, Program, ProgramConfig};
use dtl::diagnostic::source;
use dtl::eval::RunOptions;
use dtl::syntax::Node;
use dtl::value::{wire, Value};

fn v(json: &str) -> Value {
    wire::parse(json.as_bytes()).unwrap()
}

fn ni() -> Option<Namespaces> {
    Some(Namespaces { identity: "foo".into(), property: "bar".into() })
}

/// Runs `rules` on `entity` and gives the emitted target (as wire JSON).
fn run(rules: &str, entity: &str, namespaces: Option<Namespaces>) -> String {
    let json: serde_json::Value = serde_json::from_str(rules).unwrap();
    let config = ProgramConfig { namespaces, ..ProgramConfig::default() };
    let program = Program::compile(&Node::from_json(&json), config, &source("t", rules)).unwrap();
    let out = program.transform_with(&v(entity), &RunOptions::default(), None, None).unwrap();
    out.entities.last().map(Value::to_string).unwrap_or_default()
}

#[test]
fn adding_id_prefixes_its_value_with_the_identity_namespace() {
    let rules = r#"{"default": [["add", "_id", "_S.x"], ["add", "y", "_S.x"]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1", "x": "7"}"#, ni()), r#"{"_id":"foo:7","bar:y":"7"}"#);
    // Qualified and escaped values.
    assert_eq!(run(rules, r#"{"_id": "1", "x": "q:7"}"#, ni()), r#"{"_id":"q:7","bar:y":"q:7"}"#);
    assert_eq!(run(rules, r#"{"_id": "1", "x": "::7"}"#, ni()), r#"{"_id":"7","bar:y":"::7"}"#);
    // Off: nothing is prefixed.
    assert_eq!(run(rules, r#"{"_id": "1", "x": "7"}"#, None), r#"{"_id":"7","y":"7"}"#);
}

#[test]
fn source_ids_are_synthesized_only_with_namespaced_identifiers() {
    let rules = r#"{"default": [["copy", "_id"], ["add", "::ids", "_S.$ids"]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1"}"#, ni()), r#"{"_id":"1","ids":["~:foo:1"]}"#);
    assert_eq!(run(rules, r#"{"_id": "1", "$ids": ["~:x:9"]}"#, ni()), r#"{"_id":"1","ids":["~:x:9"]}"#);
    assert_eq!(run(rules, r#"{"_id": "1"}"#, None), r#"{"_id":"1","::ids":null}"#);
}

#[test]
fn path_strings_match_unqualified_names_in_every_namespace() {
    let rules = r#"{"default": [["copy", "_id"], ["add", "::all", "_S.a"], ["add", "::mine", "_S.:a"],
        ["add", "::plain", "_S.::a"], ["add", "::deep", "_S.o.b"]]}"#;
    let entity = r#"{"_id": "1", "a": 1, "foo:a": 2, "bar:a": [3, 4], "o": [{"b": 5, "x:b": 6}, {"y:b": [7]}]}"#;
    assert_eq!(run(rules, entity, ni()), r#"{"_id":"1","all":[1,2,3,4],"mine":[3,4],"plain":1,"deep":[5,6,7]}"#);
}

#[test]
fn nothing_changes_without_namespaced_identifiers() {
    let rules = r#"{"default": [["copy", "*", "x:*"], ["add", "age", 1], ["remove", "a"],
        ["rename", "a", "c"], ["make-ni", "n", "r"], ["add", "p", "_S.a"]]}"#;
    let entity = r#"{"_id": "1", "a": 1, "x:a": 2, "y:a": 3, "r": "z"}"#;
    assert_eq!(run(rules, entity, None), r#"{"_id":"1","y:a":3,"r":"z","age":1,"c":1,"r-ni":"~:n:z","p":1}"#);
}

#[test]
fn rename_and_make_ni_keep_or_collect_namespaces() {
    let entity = r#"{"_id": "1", "a": [1, 2], "x:a": 3, "r": ["b", "a"], "x:r": "c"}"#;
    let rename = r#"{"default": [["copy", "_id"], ["rename", "a", "::z"]]}"#;
    assert_eq!(run(rename, entity, ni()), r#"{"_id":"1","z":[1,2,3]}"#);
    let rename = r#"{"default": [["copy", "_id"], ["rename", "a", ":z"]]}"#;
    assert_eq!(run(rename, entity, ni()), r#"{"_id":"1","bar:z":[1,2,3]}"#);
    let make = r#"{"default": [["copy", "_id"], ["make-ni", "n", "r", "y:s"]]}"#;
    assert_eq!(run(make, entity, ni()), r#"{"_id":"1","y:s":["~:n:a","~:n:b","~:n:c"]}"#);
    let make = r#"{"default": [["copy", "_id"], ["make-ni", "n", "::r"]]}"#;
    assert_eq!(run(make, entity, ni()), r#"{"_id":"1","r-ni":["~:n:a","~:n:b"]}"#);
}

#[test]
fn default_checks_the_namespaced_name() {
    let rules = r#"{"default": [["copy", "*"], ["default", "age", 2], ["default", "x:age", 3]]}"#;
    assert_eq!(
        run(rules, r#"{"_id": "1", "age": 1, "x:age": 1}"#, ni()),
        r#"{"_id":"1","age":1,"x:age":1,"bar:age":2}"#
    );
}
