//! `ni`, `ni-id`, `ni-ns`, `is-ni`.

use std::sync::Arc;

use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// The namespaces every Sesam service declares (`namespaces.default` built-ins).
/// `gs` is also built in, but its prefix is not documented, so it is left out.
const BUILTIN_NAMESPACES: &[(&str, &str)] = &[
    ("_", "http://example.org/"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("wgs84", "http://www.w3.org/2003/01/geo/wgs84_pos#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("dcterms", "http://purl.org/dc/terms/"),
];

/// Collapses a URI to an NI's text: the longest declared namespace prefix is
/// replaced by `namespace:`. A URI no declared prefix matches becomes an NI of
/// its whole text (its scheme reads as the namespace, as for `http:`/`https:`
/// in `ni-collapse`): the pipe id and per-pipe counter Sesam uses to invent a
/// namespace are not available to an expression.
pub(crate) fn collapse_uri(uri: &str) -> String {
    BUILTIN_NAMESPACES
        .iter()
        .filter(|(_, prefix)| uri.starts_with(prefix))
        .max_by_key(|(_, prefix)| prefix.len())
        .map(|(ns, prefix)| format!("{ns}:{}", &uri[prefix.len()..]))
        .unwrap_or_else(|| uri.to_string())
}

/// An NI's (or string's) namespace and identifier, split at the first `:`;
/// without a `:` the namespace is empty.
pub(crate) fn split_ni(text: &str) -> (&str, &str) {
    text.split_once(':').unwrap_or(("", text))
}

fn ni(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    if args.len() == 2 {
        let namespace = match args.eval(0, env)? {
            Value::Str(s) => s,
            other => return Err(args.error(format!("NAMESPACE must be a string, not {}", other.type_name()))),
        };
        let values = args.eval(1, env)?;
        return Ok(map_values(&values, |v| v.as_str().map(|s| Value::Ni(Arc::from(format!("{namespace}:{s}"))))));
    }
    Ok(map_values(&args.eval(0, env)?, |v| match v {
        Value::Str(s) => Some(Value::Ni(Arc::clone(s))),
        Value::Uri(u) => Some(Value::Ni(Arc::from(collapse_uri(u)))),
        Value::Ni(_) => Some(v.clone()),
        _ => None,
    }))
}

fn ni_part(args: &Args<'_>, env: &Env<'_>, id: bool) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| match v {
        Value::Str(s) | Value::Ni(s) => {
            let (ns, local) = split_ni(s);
            Some(Value::str(if id { local } else { ns }))
        }
        _ => None,
    }))
}

fn ni_id(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    ni_part(args, env, true)
}

fn ni_ns(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    ni_part(args, env, false)
}

fn is_ni(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Ni(_)))))
}

/// The namespaced-identifier family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "ni",
        family: Family::Ni,
        signature: "NAMESPACE(string{0|1}) VALUES(value-expression{1})",
        summary: "Each string as a namespaced identifier (in NAMESPACE, else global); without NAMESPACE URIs are collapsed by the declared namespaces.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["ni", "foo", "bar"]"#, result: r#""~:foo:bar""# },
            Example { expr: r#"["ni", "bar"]"#, result: r#""~:bar""# },
            Example { expr: r#"["ni", "foo", ["list", "bar", "x:y", 1]]"#, result: r#"["~:foo:bar", "~:foo:x:y"]"# },
            Example { expr: r#"["ni", "foo", ["uri", "http://example.org/"]]"#, result: "null" },
            Example { expr: r#"["ni", ["uri", "http://example.org/bar"]]"#, result: r#""~:_:bar""# },
        ],
        eval: ni,
    },
    Builtin {
        name: "ni-id",
        family: Family::Ni,
        signature: "VALUES(value-expression{1})",
        summary: "The identifier part (after the first `:`) of each NI or string; other values are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["ni-id", "~:foo:bar"]"#, result: r#""bar""# },
            Example { expr: r#"["ni-id", "bar"]"#, result: r#""bar""# },
            Example { expr: r#"["ni-id", ["list", "foo:x:y", 1, "~:bar:baz"]]"#, result: r#"["x:y", "baz"]"# },
        ],
        eval: ni_id,
    },
    Builtin {
        name: "ni-ns",
        family: Family::Ni,
        signature: "VALUES(value-expression{1})",
        summary: "The namespace part (before the first `:`, else \"\") of each NI or string; other values are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["ni-ns", "~:foo:bar"]"#, result: r#""foo""# },
            Example { expr: r#"["ni-ns", "foo"]"#, result: r#""""# },
            Example { expr: r#"["ni-ns", ["list", "foo:bar", "~:bar:baz"]]"#, result: r#"["foo", "bar"]"# },
        ],
        eval: ni_ns,
    },
    Builtin {
        name: "is-ni",
        family: Family::Ni,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a namespaced identifier.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-ni", ["ni", "foo:bar"]]"#, result: "true" },
            Example { expr: r#"["is-ni", "foo:bar"]"#, result: "false" },
            Example { expr: r#"["is-ni", ["list", 1, ["ni", "foo:bar"]]]"#, result: "false" },
        ],
        eval: is_ni,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn collapsing() {
        assert_eq!(collapse_uri("http://example.org/bar"), "_:bar");
        assert_eq!(collapse_uri("http://example.org/"), "_:");
        assert_eq!(collapse_uri("http://www.w3.org/2000/01/rdf-schema#label"), "rdfs:label");
        assert_eq!(collapse_uri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), "rdf:type");
        assert_eq!(collapse_uri("http://purl.org/dc/terms/title"), "dcterms:title");
        assert_eq!(collapse_uri("http://unknown.org/something/baz"), "http://unknown.org/something/baz");
        assert_eq!(collapse_uri(""), "");
    }

    #[test]
    fn splitting() {
        assert_eq!(split_ni("foo:bar"), ("foo", "bar"));
        assert_eq!(split_ni("foo:x:y"), ("foo", "x:y"));
        assert_eq!(split_ni("bar"), ("", "bar"));
        assert_eq!(split_ni(":bar"), ("", "bar"));
        assert_eq!(split_ni("foo:"), ("foo", ""));
        assert_eq!(split_ni(""), ("", ""));
    }

    /// Compiles and evaluates an expression against an empty source.
    fn eval(expr: &str) -> Result<String, String> {
        use crate::compile::Program;
        use crate::diagnostic::source;
        use crate::syntax::Node;
        let json: serde_json::Value = serde_json::from_str(expr).map_err(|e| e.to_string())?;
        let compiled =
            Program::compile_expression(&Node::from_json(&json), &source("test", expr)).map_err(|e| e.to_string())?;
        let empty = Value::dict(Default::default());
        compiled.evaluate(&empty, &empty).map(|v| v.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn odd_arguments_give_null_or_an_error_never_a_panic() {
        let odd = [
            "null",
            "1",
            "1.5",
            "true",
            r#"{"a": 1}"#,
            r#"["list"]"#,
            r#"["list", null, ["list", "a"], {"b": 2}]"#,
            r#""~bYWJj""#,
            r#""~u531a379e-31bb-4ce1-8690-158dceb64be6""#,
            r#""~:a:b""#,
            r#""~rhttp://x/""#,
            r#""~t2015-01-01T00:00:00Z""#,
            r#""""#,
            r#"":""#,
            r#""%""#,
            r#""é%C3""#,
        ];
        let one_arg = [
            "bytes",
            "base64-decode",
            "base64-encode",
            "is-bytes",
            "uri",
            "url-quote",
            "url-unquote",
            "is-uri",
            "uuid",
            "is-uuid",
            "ni",
            "ni-id",
            "ni-ns",
            "is-ni",
        ];
        for f in one_arg {
            for v in odd {
                let _ = eval(&format!(r#"["{f}", {v}]"#));
            }
        }
        for f in ["url-quote", "ni"] {
            for first in odd {
                for v in odd {
                    let _ = eval(&format!(r#"["{f}", {first}, {v}]"#));
                }
            }
        }
        assert_eq!(eval(r#"["ni", 1, "x"]"#).ok(), None);
        assert_eq!(eval(r#"["url-quote", null, "x"]"#).ok(), None);
        assert_eq!(eval(r#"["ni", "", "x"]"#).ok().as_deref(), Some(r#""~::x""#));
        assert_eq!(eval(r#"["ni", ["list"]]"#).ok().as_deref(), Some("[]"));
        assert_eq!(eval(r#"["ni-id", null]"#).ok().as_deref(), Some("null"));
        assert_eq!(eval(r#"["is-ni", ["list"]]"#).ok().as_deref(), Some("false"));
        assert_eq!(eval(r#"["ni", "~:a:b"]"#).ok().as_deref(), Some(r#""~:a:b""#));
    }

    proptest! {
        #[test]
        fn collapse_and_split_never_panic(s in ".*") {
            let (ns, id) = split_ni(&s);
            prop_assert!(ns.len() + id.len() + 1 >= s.len());
            let _ = collapse_uri(&s);
        }
    }
}
