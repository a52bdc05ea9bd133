//! Namespaced identifiers inside DTL (only when the program's config has
//! `namespaces`): how property-name arguments are written, read and matched.
//!
//! * `"::x"` is `x` verbatim; `":x"` is `x` in the current property namespace;
//!   a name with a `:` is qualified and used as is; any other name is unqualified.
//! * Writing (`add`, `add-if`, `default`, `make-ni`): an unqualified name gets the
//!   property namespace (names starting with `_` or `$` are left alone).
//! * Reading (`copy`, `remove`, `rename`, `path`, `make-ni`'s source): an unqualified
//!   name matches that identifier in every namespace, including none.
//! * A name's namespace is what precedes its **last** `:`.

use crate::compile::Namespaces;
use crate::value::{Str, Value};

use super::pattern::matches;

/// The identifier part of a property name: after the last `:` (the whole name if none).
pub fn identifier(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, id)| id)
}

/// The namespace part of a property name: before the last `:` (none if unqualified).
pub fn namespace(name: &str) -> Option<&str> {
    name.rsplit_once(':').map(|(ns, _)| ns)
}

/// A property-name argument of a reading function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// Exactly this key: `::x`, `:x` (resolved) or a qualified name.
    Exact(Str),
    /// This identifier in any namespace (an unqualified name).
    Any(Str),
}

impl Selector {
    /// Reads a name argument.
    pub fn new(name: &str, ns: &Namespaces) -> Selector {
        if let Some(rest) = name.strip_prefix("::") {
            Selector::Exact(Str::from(rest))
        } else if let Some(rest) = name.strip_prefix(':') {
            Selector::Exact(Str::from(format!("{}:{rest}", ns.property)))
        } else if name.contains(':') {
            Selector::Exact(Str::from(name))
        } else {
            Selector::Any(Str::from(name))
        }
    }

    /// Whether property `key` is selected.
    pub fn selects(&self, key: &str) -> bool {
        match self {
            Selector::Exact(name) => **name == *key,
            Selector::Any(id) => identifier(key) == &**id,
        }
    }

    /// Whether the name was unqualified (matches in every namespace).
    pub fn is_unqualified(&self) -> bool {
        matches!(self, Selector::Any(_))
    }
}

/// A wildcard pattern of `copy`/`remove`, namespace-aware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `::p`: the whole name matches `p`, without namespace handling.
    Whole(String),
    /// `ns:id` (last `:` splits): a qualified key whose parts match each.
    Qualified(String, String),
    /// `id`: the identifier part of any key (qualified or not) matches.
    Unqualified(String),
}

impl Pattern {
    /// Reads a pattern argument.
    pub fn new(pattern: &str, ns: &Namespaces) -> Pattern {
        if let Some(rest) = pattern.strip_prefix("::") {
            return Pattern::Whole(rest.to_string());
        }
        let resolved;
        let pattern = match pattern.strip_prefix(':') {
            Some(rest) => {
                resolved = format!("{}:{rest}", ns.property);
                &resolved
            }
            None => pattern,
        };
        match pattern.rsplit_once(':') {
            Some((n, id)) => Pattern::Qualified(n.to_string(), id.to_string()),
            None => Pattern::Unqualified(pattern.to_string()),
        }
    }

    /// Whether property `key` matches.
    pub fn matches(&self, key: &str) -> bool {
        match self {
            Pattern::Whole(p) => matches(p, key),
            Pattern::Qualified(n, id) => {
                key.rsplit_once(':').is_some_and(|(kn, kid)| matches(n, kn) && matches(id, kid))
            }
            Pattern::Unqualified(id) => matches(id, identifier(key)),
        }
    }
}

/// The key a writing function stores under.
pub fn write_name(name: &str, ns: &Namespaces) -> Str {
    if let Some(rest) = name.strip_prefix("::") {
        Str::from(rest)
    } else if let Some(rest) = name.strip_prefix(':') {
        Str::from(format!("{}:{rest}", ns.property))
    } else if name.contains(':') || name.starts_with(['_', '$']) {
        Str::from(name)
    } else {
        Str::from(format!("{}:{name}", ns.property))
    }
}

/// An `_id` text under the identity namespace: `::x` → `x`, `:x` and unqualified `x`
/// → `identity:x`, qualified text as is.
pub fn identity_text(id: &str, ns: &Namespaces) -> String {
    if let Some(rest) = id.strip_prefix("::") {
        rest.to_string()
    } else if let Some(rest) = id.strip_prefix(':') {
        format!("{}:{rest}", ns.identity)
    } else if id.contains(':') {
        id.to_string()
    } else {
        format!("{}:{id}", ns.identity)
    }
}

/// A value stored as `_id`: its strings (also inside a list) get the identity namespace.
pub fn identity_value(value: &Value, ns: &Namespaces) -> Value {
    match value {
        Value::Str(s) => Value::Str(Str::from(identity_text(s, ns))),
        Value::List(items) => Value::list(items.iter().map(|v| identity_value(v, ns)).collect()),
        other => other.clone(),
    }
}

/// `_S.$ids` of a source without `$ids`: its `_id` as a one-element list of NIs.
pub fn synthesized_ids(source: &Value, ns: &Namespaces) -> Option<Value> {
    if source.get("$ids").is_some() {
        return None;
    }
    let id = source.get("_id")?.as_str()?;
    Some(Value::list(vec![Value::Ni(Str::from(identity_text(id, ns)))]))
}

/// Where a value read from source key `key` goes when renamed to the unqualified
/// name `to` (`rename`, `make-ni`): the identifier part is replaced, the key's
/// namespace (or lack of one) is kept.
pub fn renamed(key: &str, to: &str) -> Str {
    match namespace(key) {
        Some(n) => Str::from(format!("{n}:{to}")),
        None => Str::from(to),
    }
}

/// Whether a target name is unqualified (no escape, no `:`).
pub fn is_unqualified(name: &str) -> bool {
    !name.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> Namespaces {
        Namespaces { identity: "foo".into(), property: "bar".into() }
    }

    #[test]
    fn escapes_in_written_names() {
        let ns = ns();
        assert_eq!(&*write_name("age", &ns), "bar:age");
        assert_eq!(&*write_name("person:age", &ns), "person:age");
        assert_eq!(&*write_name("::age", &ns), "age");
        assert_eq!(&*write_name("::foo:bar", &ns), "foo:bar");
        assert_eq!(&*write_name(":age", &ns), "bar:age");
        assert_eq!(&*write_name("_id", &ns), "_id");
        assert_eq!(&*write_name("$ids", &ns), "$ids");
    }

    #[test]
    fn identity_values() {
        let ns = ns();
        assert_eq!(identity_text("1", &ns), "foo:1");
        assert_eq!(identity_text(":1", &ns), "foo:1");
        assert_eq!(identity_text("::1", &ns), "1");
        assert_eq!(identity_text("x:1", &ns), "x:1");
        let ids = synthesized_ids(&crate::value::wire::parse(br#"{"_id":"7"}"#).unwrap(), &ns).unwrap();
        assert_eq!(ids.to_string(), r#"["~:foo:7"]"#);
        assert!(synthesized_ids(&crate::value::wire::parse(br#"{"_id":"7","$ids":[]}"#).unwrap(), &ns).is_none());
    }

    #[test]
    fn selectors_match_unqualified_names_in_every_namespace() {
        let ns = ns();
        let any = Selector::new("a", &ns);
        assert!(any.selects("a") && any.selects("foo:a") && any.selects("x:y:a"));
        assert!(!any.selects("ab") && !any.selects("a:b"));
        let exact = Selector::new("::a", &ns);
        assert!(exact.selects("a") && !exact.selects("bar:a"));
        let current = Selector::new(":a", &ns);
        assert!(current.selects("bar:a") && !current.selects("a") && !current.selects("foo:a"));
        let qualified = Selector::new("foo:a", &ns);
        assert!(qualified.selects("foo:a") && !qualified.selects("a"));
    }

    #[test]
    fn namespace_aware_wildcards() {
        let ns = ns();
        let p = |s: &str| Pattern::new(s, &ns);
        // Unqualified: the identifier part, in every namespace and none.
        assert!(p("age").matches("age") && p("age").matches("x:age") && p("age").matches("xyz:age"));
        assert!(p("a*").matches("x:age") && !p("a*").matches("a:x"));
        assert!(p("*").matches("anything:at:all"));
        // Qualified: last `:` of the pattern splits namespace and identifier patterns.
        assert!(p("x*:*e").matches("x:age") && p("x*:*e").matches("xyz:age") && !p("x*:*e").matches("age"));
        assert!(p("*y*:*e").matches("xyz:age") && !p("*y*:*e").matches("x:age"));
        assert!(p("x:age").matches("x:age") && !p("x:age").matches("age") && !p("x:age").matches("y:age"));
        assert!(p("*:age").matches("x:age") && !p("*:age").matches("age"));
        // Escapes.
        assert!(p("::age").matches("age") && !p("::age").matches("x:age"));
        assert!(p(":age").matches("bar:age") && !p(":age").matches("age"));
    }

    #[test]
    fn renaming_keeps_the_namespace() {
        assert_eq!(&*renamed("x:a", "b"), "x:b");
        assert_eq!(&*renamed("a", "b"), "b");
        assert_eq!(&*renamed("x:referee", "referee-ni"), "x:referee-ni");
    }
}
