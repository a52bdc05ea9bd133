//! `$ENV(name)` substitution in configuration trees.
//!
//! A string that is exactly `$ENV(name)` becomes the variable's JSON value (which
//! may be a number, a list, ...); a string that only contains it gets the value's
//! text spliced in. A variable without a value is a diagnostic pointing at the
//! string. The `condition` of a `conditional` source, sink or transform is the one
//! exception: with no value it reads as `"test"` (the offline alternative).

use std::collections::BTreeMap;

use crate::diagnostic::{codes, Diagnostic, Source};
use crate::syntax::{Node, NodeKind, Span};

/// Environment variables: name → JSON value.
pub type Env = BTreeMap<String, Node>;

/// Reads an environment file (a JSON object).
pub fn parse_env(src: &Source) -> Result<Env, Diagnostic> {
    let tree = crate::syntax::parse_json(src.inner()).map_err(|d| d.in_source(src))?;
    let NodeKind::Object(entries) = tree.kind else {
        return Err(Diagnostic::new(codes::CONFIG, "an environment file must be a JSON object")
            .at(tree.span, format!("this is {}", tree.kind_name()))
            .help("write {\"name\": \"value\", ...}")
            .in_source(src));
    };
    Ok(entries.into_iter().map(|(k, v)| (k.name, v)).collect())
}

/// Replaces every `$ENV(...)` in `node`; problems are pushed to `errors`.
pub fn substitute(node: &mut Node, env: &Env, src: &Source, errors: &mut Vec<Diagnostic>) {
    match &mut node.kind {
        NodeKind::Str(s) if s.contains("$ENV(") => match expand(s, node.span, env) {
            Ok(Expanded::Whole(value)) => *node = respan(value, node.span),
            Ok(Expanded::Text(text)) => *s = text,
            Err(d) => errors.push(d.in_source(src)),
        },
        NodeKind::Array(items) => items.iter_mut().for_each(|i| substitute(i, env, src, errors)),
        NodeKind::Object(entries) => {
            let conditional = entries.iter().any(|(k, v)| k.name == "type" && v.as_str() == Some("conditional"));
            for (key, value) in entries.iter_mut() {
                if conditional && key.name == "condition" {
                    if let NodeKind::Str(s) = &value.kind {
                        if s.contains("$ENV(") {
                            match expand(s, value.span, env) {
                                Ok(Expanded::Whole(v)) => *value = respan(v, value.span),
                                Ok(Expanded::Text(t)) => value.kind = NodeKind::Str(t),
                                Err(_) => value.kind = NodeKind::Str("test".into()),
                            }
                            continue;
                        }
                    }
                }
                substitute(value, env, src, errors);
            }
        }
        _ => {}
    }
}

enum Expanded {
    Whole(Node),
    Text(String),
}

fn expand(s: &str, span: Span, env: &Env) -> Result<Expanded, Diagnostic> {
    let mut out = String::new();
    let mut rest = s;
    let mut offset = 0;
    while let Some(start) = rest.find("$ENV(") {
        let Some(len) = rest[start..].find(')') else {
            return Err(Diagnostic::new(codes::CONFIG, "an unclosed `$ENV(`")
                .at(span, "here")
                .help("write $ENV(name)"));
        };
        let name = &rest[start + 5..start + len];
        // The span of `$ENV(name)` inside the quoted string (+1 for the quote; exact without escapes).
        let at = Span::new(span.start + 1 + offset + start, span.start + 1 + offset + start + len + 1);
        let at = if at.end <= span.end { at } else { span };
        let Some(value) = env.get(name) else {
            return Err(Diagnostic::new(codes::ENV_MISSING, format!("the environment variable `{name}` has no value"))
                .at(at, "used here")
                .help(format!("add \"{name}\" to the node's test-env.json (or the file given with --env)")));
        };
        if start == 0 && len + 1 == rest.len() && offset == 0 {
            return Ok(Expanded::Whole(value.clone()));
        }
        out.push_str(&rest[..start]);
        match &value.kind {
            NodeKind::Str(t) => out.push_str(t),
            NodeKind::Number(n) => out.push_str(n),
            _ => out.push_str(&value.to_json().to_string()),
        }
        offset += start + len + 1;
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(Expanded::Text(out))
}

/// `node` with every span set to `span` (a value from the environment shows where it was used).
fn respan(mut node: Node, span: Span) -> Node {
    node.span = span;
    match &mut node.kind {
        NodeKind::Array(items) => {
            let taken = std::mem::take(items);
            *items = taken.into_iter().map(|n| respan(n, span)).collect();
        }
        NodeKind::Object(entries) => {
            for (k, v) in entries.iter_mut() {
                k.span = span;
                *v = respan(std::mem::replace(v, Node::new(NodeKind::Null, span)), span);
            }
        }
        _ => {}
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::source;
    use crate::syntax::parse_json;

    fn env() -> Env {
        let src = source("env", r#"{"name": "x", "n": 3, "current-env": "prod"}"#);
        parse_env(&src).unwrap()
    }

    fn run(text: &str) -> (Node, Vec<Diagnostic>) {
        let src = source("c", text);
        let mut node = parse_json(text).unwrap();
        let mut errors = Vec::new();
        substitute(&mut node, &env(), &src, &mut errors);
        (node, errors)
    }

    #[test]
    fn whole_strings_take_the_value_and_parts_are_spliced() {
        let (node, errors) = run(r#"{"a": "$ENV(n)", "b": "pre-$ENV(name)-$ENV(n)"}"#);
        assert!(errors.is_empty());
        assert_eq!(node.to_json().to_string(), r#"{"a":3,"b":"pre-x-3"}"#);
    }

    #[test]
    fn a_missing_variable_points_at_it() {
        let text = r#"{"a": "x $ENV(nope)"}"#;
        let (_, errors) = run(text);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, codes::ENV_MISSING);
        let span = errors[0].span.unwrap();
        assert_eq!(&text[span.start..span.end], "$ENV(nope)");
    }

    #[test]
    fn a_conditional_without_a_value_picks_test() {
        let (node, errors) = run(r#"{"type": "conditional", "condition": "$ENV(unset)"}"#);
        assert!(errors.is_empty());
        assert_eq!(node.get("condition").unwrap().as_str(), Some("test"));
        let (node, _) = run(r#"{"type": "conditional", "condition": "$ENV(current-env)"}"#);
        assert_eq!(node.get("condition").unwrap().as_str(), Some("prod"));
    }
}
