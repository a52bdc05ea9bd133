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
