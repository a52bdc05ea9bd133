//! Compile-time checks of constant arguments against the builtins' signatures:
//! a wrong constant in a checked slot is a diagnostic pointing at that argument,
//! every one is reported, and expressions in those slots are left to run time.

use std::process::Command;

use dtl::{Diagnostics, Program, Value};

/// The diagnostics of a JSON DTL program, as (code, the text the span covers, message).
fn errors(rules: &str) -> Vec<(&'static str, String, String)> {
    match Program::from_json_str("p.json", rules) {
        Ok(_) => Vec::new(),
        Err(Diagnostics(ds)) => ds
            .into_iter()
            .map(|d| {
                let span = d.span.expect("a span");
                (d.code, rules[span.start..span.end].to_string(), d.message)
            })
            .collect(),
    }
}

/// A program with one rule that adds `expr` as property `x`.
fn rule(expr: &str) -> String {
    format!(r#"{{"default": [["copy", "_id"], ["add", "x", {expr}]]}}"#)
}

/// The value of `expr` for the source entity `source` (which needs an `_id`).
fn run(expr: &str, source: &str) -> Value {
    let program = Program::from_json_str("p.json", &rule(expr)).expect("compiles");
    let out = program.transform(&Value::from_json(source).unwrap()).expect("runs");
    out[0].as_dict().and_then(|d| d.get("x").cloned()).unwrap_or(Value::Null)
}

#[test]
fn every_wrong_constant_is_reported_at_its_argument() {
    let program = r#"{"default": [
        ["add", "a", ["datetime-format", 1, "%Y", "_S.t"]],
        ["add", "b", ["datetime-parse", "Europe/Olso", "%Y", "_S.t"]],
        ["add", "c", ["datetime-diff", "fortnight", "_S.t", "_S.t"]],
        ["add", "d", ["hash128", "md5", "_S.t"]],
        ["add", "e", ["datetime-format", "%Y-%Q", "_S.t"]],
        ["add", "f", ["phonenumber-format", "nope", "_S.t"]],
        ["add", "g", ["ni", 5, "_S.t"]],
        ["add", "h", ["apply-ns", {"bogus": true}, "_S.t"]],
        ["add", "i", ["datetime-shift", "UTC", ["literal", 7], "_S.t"]]
    ]}"#;
    let found = errors(program);
    let spans: Vec<&str> = found.iter().map(|(_, text, _)| text.as_str()).collect();
    assert_eq!(
        spans,
        [
            "1",
            r#""Europe/Olso""#,
            r#""fortnight""#,
            r#""md5""#,
            r#""%Y-%Q""#,
            r#""nope""#,
            "5",
            r#"{"bogus": true}"#,
            r#"["literal", 7]"#
        ],
        "{found:#?}"
    );
    assert!(found.iter().all(|(code, _, _)| *code == "dtl::E015"), "{found:#?}");
    let messages: Vec<&str> = found.iter().map(|(_, _, m)| m.as_str()).collect();
    assert_eq!(messages[0], "`datetime-format` needs a string as TIMEZONE_NAME, not an integer");
    assert!(messages[1].contains("did you mean `Europe/Oslo`"), "{}", messages[1]);
    assert!(messages[2].contains("unknown date part `fortnight`"), "{}", messages[2]);
    assert_eq!(messages[3], r#"`hash128` needs "murmur3" as ALGORITHM, not the string "md5""#);
    assert!(messages[4].contains("%Q"), "{}", messages[4]);
    assert!(messages[7].contains("bogus"), "{}", messages[7]);
    assert_eq!(messages[8], "`datetime-shift` needs a string as TO_TIMEZONE, not an integer");
}

#[test]
fn the_help_shows_the_signature() {
    let Err(Diagnostics(ds)) = Program::from_json_str("p.json", &rule(r#"["url-quote", 1, "_S.x"]"#)) else {
        panic!("compiled");
    };
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].help.as_deref(), Some("signature: url-quote SAFE_CHARS(string{0|1}) VALUES(value-expression{1})"));
    assert_eq!(ds[0].label.as_deref(), Some("SAFE_CHARS must be string"));
}

#[test]
fn spans_point_into_dtl_syntax_too() {
    let text =
        "(rule default\n  (add a (datetime-format \"Mars/Base\" \"%Y\" _S.t))\n  (add b (encrypt-pgp 12 _S.x)))\n";
    let Err(Diagnostics(ds)) = Program::from_dtl_str("p.dtl", text) else { panic!("compiled") };
    let spans: Vec<&str> = ds.iter().map(|d| &text[d.span.unwrap().start..d.span.unwrap().end]).collect();
    assert_eq!(spans, ["\"Mars/Base\"", "12"]);
}

#[test]
fn optional_leading_arguments_are_recognised_by_count() {
    // Two arguments: the first is FORMATSTRING, not a time zone.
    assert!(errors(&rule(r#"["datetime-format", "%Y", "_S.t"]"#)).is_empty());
    // Three: the first is TIMEZONE_NAME, and "%Y" is not a zone.
    let found = errors(&rule(r#"["datetime-format", "%Y", "%Y", "_S.t"]"#));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains("unknown time zone `%Y`"), "{found:?}");
    // `phonenumber-parse` takes null for "no default region".
    assert!(errors(&rule(r#"["phonenumber-parse", null, "_S.t"]"#)).is_empty());
    assert_eq!(errors(&rule(r#"["phonenumber-parse", 47, "_S.t"]"#)).len(), 1);
}

#[test]
fn a_branch_that_never_runs_is_still_checked() {
    let found = errors(&rule(r#"["if", false, ["datetime-format", "Nowhere/City", "%Y", "_S.t"], 1]"#));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, r#""Nowhere/City""#);
}

#[test]
fn correct_constants_and_expressions_compile() {
    let ok = [
        r#"["datetime-format", "Europe/Oslo", "%Y-%m-%d %H:%M:%S %z", "_S.t"]"#,
        r#"["datetime-parse", "UTC", "%Y-%m-%dT%H:%M:%S%z", "_S.t"]"#,
        r#"["datetime-plus", "day", 1, "_S.t"]"#,
        r#"["hash128", "murmur3", 7, "_S.t"]"#,
        r#"["apply-ns", {"property_namespace": "x", "recursive": false}, "_S.t"]"#,
        r#"["apply-ns", "foo", "_S.t"]"#,
        r#"["phonenumber-format", "e164", "_S.t"]"#,
        // Paths and calls in checked slots are left to run time.
        r#"["datetime-format", "_S.zone", "_S.format", "_S.t"]"#,
        r#"["datetime-diff", ["concat", "da", "y"], "_S.t", "_S.t"]"#,
        r#"["hash128", ["string", "_S.algorithm"], "_S.t"]"#,
        r#"["ni", ["string", 5], "_S.t"]"#,
    ];
    for expr in ok {
        assert!(errors(&rule(expr)).is_empty(), "{expr}: {:?}", errors(&rule(expr)));
    }
}

const ID: &str = r#"{"_id": "1"}"#;

#[test]
fn slots_where_a_wrong_value_is_null_are_not_compile_errors() {
    assert_eq!(run(r#"["join", 1, ["list", "a", "b"]]"#, ID), Value::Null);
    assert_eq!(run(r#"["ljust", "wide", "0", "x"]"#, ID), Value::Null);
    assert_eq!(run(r#"["substring", "1", "abc"]"#, ID), Value::Null);
    assert_eq!(run(r#"["if", 0, "yes", "no"]"#, ID), Value::from("yes"));
    // A computed zone that is unknown gives null at run time, as before.
    assert_eq!(
        run(
            r#"["datetime-format", "_S.zone", "%Y", "~t2020-01-01T00:00:00Z"]"#,
            r#"{"_id": "1", "zone": "Mars/Base"}"#
        ),
        Value::Null
    );
}

#[test]
fn dict_takes_no_odd_number_of_arguments_above_one() {
    let found = errors(&rule(r#"["dict", "a", 1, "b"]"#));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "dtl::E011");
    assert!(errors(&rule(r#"["dict", "a", 1, "b", 2]"#)).is_empty());
}

#[test]
fn dtl_check_reports_them_all_with_locations() {
    let dir = std::env::temp_dir().join(format!("dtl-argkinds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.dtl");
    std::fs::write(
        &path,
        "(rule default\n  (add a (datetime-format \"Europe/Olso\" \"%Y\" _S.t))\n  (add b (hash128 \"sha1\" _S.x)))\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dtl")).arg("check").arg(&path).output().expect("dtl runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("dtl::E015").count(), 2, "{err}");
    assert!(err.contains("p.dtl:2:27"), "the zone is at line 2, column 27: {err}");
    assert!(err.contains("p.dtl:3:19"), "the algorithm is at line 3, column 19: {err}");
    assert!(err.contains("did you mean"), "{err}");
    assert!(err.contains("help: signature: hash128 ALGORITHM(\"murmur3\")"), "{err}");
}
