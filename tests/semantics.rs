//! Pins the choices recorded in docs/semantics.md ("The language core" and
//! "Values and the wire format") that no conformance case decides.

use dtl::compile::{Program, ProgramConfig};
use dtl::diagnostic::source;
use dtl::eval::RunOptions;
use dtl::syntax::parse_json;
use dtl::Value;

fn eval(expr: &str) -> Result<String, String> {
    let src = source("t", expr);
    let node = parse_json(expr).map_err(|d| d.to_string())?;
    let e = Program::compile_expression(&node, &src).map_err(|d| d.to_string())?;
    let empty = Value::from_json("{}").unwrap();
    e.evaluate(&empty, &empty).map(|v| v.to_string()).map_err(|d| d.to_string())
}

fn run_with(rules: &str, config: ProgramConfig, options: &RunOptions, input: &str) -> Result<String, String> {
    let src = source("t", rules);
    let program = Program::compile(&parse_json(rules).unwrap(), config, &src).map_err(|d| d.to_string())?;
    let out =
        program.transform_with(&Value::from_json(input).unwrap(), options, None, None).map_err(|d| d.to_string())?;
    Ok(Value::list(out.entities).to_string())
}

fn run(rules: &str, input: &str) -> Result<String, String> {
    run_with(rules, ProgramConfig::default(), &RunOptions::default(), input)
}

#[test]
fn dict_literals_are_data() {
    assert_eq!(
        eval(r#"["list", {"a": "_S.x", "tags": ["a", "b"], "t": "~t2020-01-01T00:00:00Z"}]"#).unwrap(),
        r#"[{"a":"_S.x","tags":["a","b"],"t":"~t2020-01-01T00:00:00Z"}]"#
    );
}

#[test]
fn a_variable_without_a_dot_is_literal_text() {
    assert_eq!(eval(r#""_S""#).unwrap(), r#""_S""#);
}

#[test]
fn an_empty_array_is_not_an_expression() {
    assert!(eval("[]").unwrap_err().contains("empty list"));
}

#[test]
fn eq_reads_null_as_an_empty_list() {
    assert_eq!(eval(r#"["eq", null, ["list"]]"#).unwrap(), "true");
    assert_eq!(eval(r#"["eq", null, ["list", null]]"#).unwrap(), "false");
}

#[test]
fn ordering_comparisons_of_different_kinds_are_false() {
    assert_eq!(eval(r#"["gt", "b", 1]"#).unwrap(), "false");
    assert_eq!(eval(r#"["lt", "b", 1]"#).unwrap(), "false");
    assert_eq!(eval(r#"["gt", "b", "a"]"#).unwrap(), "true");
    assert_eq!(eval(r#"["lt", 1, "~f1.5"]"#).unwrap(), "true");
}

#[test]
fn all_and_any_of_nothing() {
    assert_eq!(eval(r#"["all", ["list"]]"#).unwrap(), "true");
    assert_eq!(eval(r#"["any", ["list"]]"#).unwrap(), "false");
    assert_eq!(eval(r#"["all", 1]"#).unwrap(), "true");
}

#[test]
fn coalesce_args_skips_only_plain_null() {
    assert_eq!(eval(r#"["coalesce-args", null, ["list", null], 1]"#).unwrap(), "[null]");
}

#[test]
fn tags_without_a_valid_payload_stay_strings() {
    assert_eq!(eval(r#"["is-datetime", "~tgarbage"]"#).unwrap(), "false");
    assert_eq!(eval(r#""~~foo""#).unwrap(), r#""~~foo""#);
}

#[test]
fn default_does_not_evaluate_values_when_it_skips() {
    let rules = r#"{"default": [["copy", "_id"], ["add", "a", 1], ["default", "a", ["range", 0, 10, 0]]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1"}"#).unwrap(), r#"[{"_id":"1","a":1}]"#);
}

#[test]
fn default_counts_a_null_property_as_present() {
    let rules = r#"{"default": [["copy", "_id"], ["add", "a", null], ["default", "a", 2]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1"}"#).unwrap(), r#"[{"_id":"1","a":null}]"#);
}

#[test]
fn rename_of_an_absent_property_does_nothing() {
    let rules = r#"{"default": [["copy", "_id"], ["rename", "nope", "b"]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1"}"#).unwrap(), r#"[{"_id":"1"}]"#);
}

#[test]
fn merge_union_splices_lists_without_repeats() {
    let rules =
        r#"{"default": [["copy", "_id"], ["merge-union", ["list", {"a": [1, 2]}, {"a": [2, 3], "_x": 1}, 4]]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1"}"#).unwrap(), r#"[{"_id":"1","a":[1,2,3]}]"#);
}

#[test]
fn copy_star_copies_underscore_properties() {
    let rules = r#"{"default": [["copy", "*"]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1", "_updated": 5, "a": 1}"#).unwrap(), r#"[{"_id":"1","_updated":5,"a":1}]"#);
}

#[test]
fn filter_marks_the_target_for_dataset_sinks() {
    let rules = r#"{"default": [["add", "x", 1], ["filter", false]]}"#;
    let options = RunOptions { emit_filtered: true, ..RunOptions::default() };
    let out = run_with(rules, ProgramConfig::default(), &options, r#"{"_id": "1"}"#).unwrap();
    assert_eq!(out, r#"[{"x":1,"_filtered":true,"_id":"1"}]"#);
    assert_eq!(run(rules, r#"{"_id": "1"}"#).unwrap(), "[]");
}

#[test]
fn without_id_required_a_target_without_id_is_dropped() {
    let config = ProgramConfig { id_required: false, ..ProgramConfig::default() };
    let out = run_with(r#"{"default": [["add", "x", 1]]}"#, config, &RunOptions::default(), r#"{"_id": "1"}"#);
    assert_eq!(out.unwrap(), "[]");
}

#[test]
fn apply_leaves_out_filtered_targets_and_keeps_created_entities() {
    let rules = r#"{"default": [["copy", "_id"], ["add", "kids", ["apply", "kid", "_S.kids"]]],
                    "kid": [["create", {"_id": "made"}], ["add", "n", "_S.n"], ["filter", ["gt", "_S.n", 1]]]}"#;
    let out = run(rules, r#"{"_id": "1", "kids": [{"n": 1}, {"n": 2}]}"#).unwrap();
    assert_eq!(out, r#"[{"_id":"made"},{"_id":"made"},{"_id":"1","kids":[{"n":2}]}]"#);
}

#[test]
fn repeated_keys_keep_the_last_value_at_the_first_position() {
    assert_eq!(Value::from_json(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap().to_string(), r#"{"a":3,"b":2}"#);
    let rules = r#"{"default": [["add", "x", 1]], "default": [["copy", "_id"]]}"#;
    assert_eq!(run(rules, r#"{"_id": "1"}"#).unwrap(), r#"[{"_id":"1"}]"#);
}

#[test]
fn dates_order_with_datetimes_as_midnight() {
    assert_eq!(
        eval(r#"["sorted", ["list", "~t2020-01-02T00:00:00Z", "~t2020-01-01", "~t2020-01-01T12:00:00Z"]]"#).unwrap(),
        r#"["~t2020-01-01","~t2020-01-01T12:00:00Z","~t2020-01-02T00:00:00Z"]"#
    );
}
