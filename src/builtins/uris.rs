//! `uri`, `url-quote`, `url-unquote`, `is-uri`.

use std::sync::Arc;

use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// Characters `url-quote` never encodes (RFC 3986 unreserved, as Python 3.7+'s `quote`).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes the UTF-8 bytes of `text`, leaving unreserved characters and
/// the ASCII characters in `safe` as they are (non-ASCII in `safe` has no effect).
pub(crate) fn quote(text: &str, safe: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if is_unreserved(b) || (b.is_ascii() && safe.as_bytes().contains(&b)) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
    out
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `%XX` escapes (either case of hex); malformed escapes stay as they
/// are, `+` stays `+`, and byte sequences that are not UTF-8 become U+FFFD.
pub(crate) fn unquote(text: &str) -> String {
    let b = text.as_bytes();
    if !b.contains(&b'%') {
        return text.to_string();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_digit(b[i + 1]), hex_digit(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn uri(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| match v {
        Value::Str(s) => Some(Value::Uri(Arc::clone(s))),
        Value::Uri(_) => Some(v.clone()),
        _ => None,
    }))
}

fn url_quote(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let safe = if args.len() == 2 {
        match args.eval(0, env)? {
            Value::Str(s) => s,
            other => {
                return Err(args.error(format!("SAFE_CHARS must be a string, not {}", other.type_name())));
            }
        }
    } else {
        Arc::from("")
    };
    let values = args.eval(args.len() - 1, env)?;
    Ok(map_values(&values, |v| v.as_str().map(|s| Value::from(quote(s, &safe)))))
}

fn url_unquote(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().map(|s| Value::from(unquote(s)))))
}

fn is_uri(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Uri(_)))))
}

/// The URI family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "uri",
        family: Family::Uris,
        signature: "VALUES(value-expression{1})",
        summary: "Each string as a URI, verbatim (no escaping or validation); URIs pass through, others are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["uri", "http://www.example.org/"]"#, result: r#""~rhttp://www.example.org/""# },
            Example {
                expr: r#"["uri", ["list", "http://www.example.org/", "http://www.sesam.io/", 12345]]"#,
                result: r#"["~rhttp://www.example.org/", "~rhttp://www.sesam.io/"]"#,
            },
        ],
        eval: uri,
    },
    Builtin {
        name: "url-quote",
        family: Family::Uris,
        signature: "SAFE_CHARS(string{0|1}) VALUES(value-expression{1})",
        summary: "Percent-encodes each string's UTF-8 bytes except letters, digits, `-_.~` and SAFE_CHARS (default none); non-strings are dropped.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["url-quote", "/foo bar/baz"]"#, result: r#""%2Ffoo%20bar%2Fbaz""# },
            Example { expr: r#"["url-quote", "/", "/foo bar/baz"]"#, result: r#""/foo%20bar/baz""# },
            Example {
                expr: r#"["url-quote", ["list", "å", 1, 2, ["uri", "http://example.com"], "foo bar"]]"#,
                result: r#"["%C3%A5", "foo%20bar"]"#,
            },
        ],
        eval: url_quote,
    },
    Builtin {
        name: "url-unquote",
        family: Family::Uris,
        signature: "VALUES(value-expression{1})",
        summary: "Decodes the `%XX` escapes (as UTF-8) in each string; `+` stays `+`; non-strings are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["url-unquote", "%2Ffoo%20bar%2Fbaz"]"#, result: r#""/foo bar/baz""# },
            Example {
                expr: r#"["url-unquote", ["list", 1, "%C3%A5", ["uri", "http://example.com"], "foo%20bar"]]"#,
                result: r#"["å", "foo bar"]"#,
            },
        ],
        eval: url_unquote,
    },
    Builtin {
        name: "is-uri",
        family: Family::Uris,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a URI.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-uri", ["uri", "foo:bar"]]"#, result: "true" },
            Example { expr: r#"["is-uri", "foo:bar"]"#, result: "false" },
            Example { expr: r#"["is-uri", ["list", 1, ["uri", "foo:bar"]]]"#, result: "false" },
        ],
        eval: is_uri,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("/foo bar/baz", ""), "%2Ffoo%20bar%2Fbaz");
        assert_eq!(quote("/foo bar/baz", "/"), "/foo%20bar/baz");
        assert_eq!(quote("a-b_c.d~e", ""), "a-b_c.d~e");
        assert_eq!(quote("a+b&c=d", ""), "a%2Bb%26c%3Dd");
        assert_eq!(quote("a+b&c=d", "+&="), "a+b&c=d");
        assert_eq!(quote("å", "å"), "%C3%A5");
        assert_eq!(quote("", ""), "");
        assert_eq!(quote("%", ""), "%25");
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote("%2Ffoo%20bar%2Fbaz"), "/foo bar/baz");
        assert_eq!(unquote("%c3%a5"), "å");
        assert_eq!(unquote("a+b"), "a+b");
        assert_eq!(unquote("100%"), "100%");
        assert_eq!(unquote("%2"), "%2");
        assert_eq!(unquote("%zz%4"), "%zz%4");
        assert_eq!(unquote("%%41"), "%A");
        assert_eq!(unquote("%C3"), "\u{FFFD}");
        assert_eq!(unquote("%C3x%A5"), "\u{FFFD}x\u{FFFD}");
        assert_eq!(unquote("å%20"), "å ");
    }

    proptest! {
        #[test]
        fn unquote_never_panics(s in ".*") {
            let _ = unquote(&s);
        }

        #[test]
        fn unquote_percent_heavy_text_never_panics(s in "[%0-9a-fA-FzZ ]{0,16}") {
            let _ = unquote(&s);
        }

        #[test]
        // (`%` in SAFE_CHARS would make the quoting ambiguous, so the safe set excludes it.)
        fn quote_round_trips(s in ".*", safe in "[ -$&-~]{0,4}") {
            let q = quote(&s, &safe);
            prop_assert!(q.is_ascii());
            prop_assert_eq!(unquote(&q), s);
        }
    }
}
