//! Every builtin's documented examples run as tests: a builtin that describes
//! itself wrongly fails here.

use dtl::builtins;
use dtl::compile::Program;
use dtl::diagnostic::source;
use dtl::syntax::Node;
use dtl::value::{equal, wire, Value};

#[test]
fn every_builtin_example_evaluates_to_its_documented_result() {
    let mut failures = Vec::new();
    let mut count = 0;
    for b in builtins::all() {
        for ex in b.examples {
            count += 1;
            let json: serde_json::Value = serde_json::from_str(ex.expr)
                .unwrap_or_else(|e| panic!("{}: bad example JSON {}: {e}", b.name, ex.expr));
            let src = source(b.name, ex.expr);
            let result = Program::compile_expression(&Node::from_json(&json), &src)
                .map_err(|e| e.to_string())
                .and_then(|expr| {
                    expr.evaluate(&Value::dict(Default::default()), &Value::dict(Default::default()))
                        .map_err(|e| e.to_string())
                });
            let expected = wire::parse(ex.result.as_bytes())
                .unwrap_or_else(|e| panic!("{}: bad example result {}: {e}", b.name, ex.result));
            match result {
                Ok(v) if equal(&wire::parse(v.to_string().as_bytes()).unwrap(), &expected) => {}
                Ok(v) => failures.push(format!("{}: {} gave {v}, documented {}", b.name, ex.expr, ex.result)),
                Err(e) => failures.push(format!("{}: {} failed: {e}", b.name, ex.expr)),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} examples failed:\n{}", failures.len(), failures.join("\n"));
    assert!(count > 0);
}

#[test]
fn every_builtin_describes_itself() {
    for b in builtins::all() {
        assert!(!b.summary.is_empty(), "{} has no summary", b.name);
        assert!(!b.signature.is_empty(), "{} has no signature", b.name);
        assert!(b.max_args.is_none_or(|m| m >= b.min_args), "{} has max < min", b.name);
    }
}

/// Every call `[name, a, b, ...]` with an allowed number of arguments (at most
/// three; two beyond the least when there is no limit) taken from `pool`, in every
/// combination.
fn odd_calls(name: &str, min_args: usize, max_args: Option<usize>, pool: &[&str]) -> Vec<String> {
    let max = max_args.unwrap_or(min_args + 2).min(3);
    let mut calls = Vec::new();
    for n in min_args..=max {
        for k in 0..pool.len().pow(n as u32) {
            let mut call = format!("[\"{name}\"");
            let mut rest = k;
            for _ in 0..n {
                call.push_str(", ");
                call.push_str(pool[rest % pool.len()]);
                rest /= pool.len();
            }
            call.push(']');
            calls.push(call);
        }
    }
    calls
}

/// Odd arguments never crash a builtin: every function is called with every
/// combination of up to three values of many kinds, and must give a value or a
/// diagnostic. Functions that need a dataset,
/// a rule or a clock are included; their diagnostics are fine too.
#[test]
fn no_builtin_panics_on_odd_arguments() {
    const POOL: &[&str] = &[
        "null",
        "true",
        "0",
        "-1",
        "2.5",
        "123456789012345678901234567890",
        "\"\"",
        "\"abc\"",
        "\"~t2020-02-29T12:00:00Z\"",
        "\"~f-0.5\"",
        "[\"list\"]",
        "[\"list\", 1, \"a\", null, [\"list\", 2]]",
        "{\"a\": 1}",
        "\"_S\"",
        "\"_S.x\"",
        "1e300",
        "-9223372036854775808",
        "\"~bAAEC\"",
        "\"~uf81d4fae-7dec-11d0-a765-00a0c91e6bf6\"",
        "\"~:ns:id\"",
        "\"%Y-%m-%d\"",
    ];
    let source_entity = wire::parse(br#"{"_id": "1", "x": [3, "b", null], "y": {"z": 1}}"#).unwrap();
    let target = Value::dict(Default::default());
    let mut calls = 0;
    for b in builtins::all() {
        for expr in odd_calls(b.name, b.min_args, b.max_args, POOL) {
            let json: serde_json::Value = serde_json::from_str(&expr).unwrap();
            let src = source(b.name, expr.as_str());
            let outcome = std::panic::catch_unwind(|| {
                if let Ok(compiled) = Program::compile_expression(&Node::from_json(&json), &src) {
                    let _ = compiled.evaluate(&source_entity, &target);
                }
            });
            assert!(outcome.is_ok(), "{expr} panicked");
            calls += 1;
        }
    }
    assert!(calls > 10_000, "{calls} calls");
}

/// The same for transforms: each one, in a `default` rule, with every
/// combination of up to three odd arguments (a list of transforms among them),
/// compiles to a diagnostic or runs to entities or a diagnostic, never a panic.
/// `sleep!` is left out: its argument is a time to wait.
#[test]
fn no_transform_panics_on_odd_arguments() {
    const POOL: &[&str] = &[
        "null",
        "true",
        "-1",
        "2.5",
        "\"\"",
        "\"x\"",
        "\"*\"",
        "\"_S.x\"",
        "\"_id\"",
        "[\"list\", 1, null]",
        "{\"a\": 1}",
        "[\"eq\", 1, 1]",
        "[\"add\", \"b\", 1]",
        "[[\"add\", \"c\", 2]]",
        "\"~t2020-02-29T12:00:00Z\"",
    ];
    let source_entity = wire::parse(br#"{"_id": "1", "x": [3, "b", null], "y": {"z": 1}}"#).unwrap();
    let mut runs = 0;
    for t in dtl::compile::TRANSFORMS.iter().filter(|t| t.name != "sleep!") {
        for call in odd_calls(t.name, t.min_args, t.max_args, POOL) {
            let rules = format!(r#"{{"default": [["copy", "_id"], {call}], "other": [["copy", "*"]]}}"#);
            let outcome = std::panic::catch_unwind(|| {
                if let Ok(program) = Program::from_json_str(t.name, &rules) {
                    let _ = program.transform(&source_entity);
                }
            });
            assert!(outcome.is_ok(), "{call} panicked");
            runs += 1;
        }
    }
    assert!(runs > 10_000, "{runs} runs");
}
