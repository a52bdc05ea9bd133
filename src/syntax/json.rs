//! JSON (a JSON DTL program, a configuration file) into the spanned tree.

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser;

use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::lexical::{char_span, line_col, unescape_string, MAX_DEPTH};
use crate::syntax::{Key, Node, NodeKind, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/json.pest"]
struct JsonGrammar;

/// Parses one JSON document, keeping spans, numbers as written and repeated keys.
pub fn parse_json(text: &str) -> Result<Node, Diagnostic> {
    check_structure(text)?;
    let mut pairs = JsonGrammar::parse(Rule::document, text).map_err(|e| explain(text, e))?;
    let document = pairs.next().ok_or_else(|| error(Span::new(0, 0), "empty document", "", ""))?;
    let value = document
        .into_inner()
        .find(|p| p.as_rule() != Rule::EOI)
        .ok_or_else(|| error(Span::new(0, 0), "empty document", "", ""))?;
    build(value)
}

fn error(span: Span, message: &str, label: &str, help: &str) -> Diagnostic {
    let d = Diagnostic::new(codes::JSON_SYNTAX, message).at(span, label);
    if help.is_empty() {
        d
    } else {
        d.help(help)
    }
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

fn build(pair: Pair<'_, Rule>) -> Result<Node, Diagnostic> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::null_lit => NodeKind::Null,
        Rule::true_lit => NodeKind::Bool(true),
        Rule::false_lit => NodeKind::Bool(false),
        Rule::number => NodeKind::Number(pair.as_str().to_string()),
        Rule::string | Rule::key => NodeKind::Str(unescape(pair)?),
        Rule::array => NodeKind::Array(
            pair.into_inner().filter(|p| !is_punctuation(p.as_rule())).map(build).collect::<Result<_, _>>()?,
        ),
        Rule::object => {
            let mut entries = Vec::new();
            for p in pair.into_inner().filter(|p| p.as_rule() == Rule::pair) {
                let mut parts = p.into_inner().filter(|p| !is_punctuation(p.as_rule()));
                let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
                    continue; // the grammar guarantees both
                };
                let key = Key { span: span_of(&key), name: unescape(key)? };
                entries.push((key, build(value)?));
            }
            NodeKind::Object(entries)
        }
        _ => return Err(error(span, "unexpected JSON syntax", "here", "")),
    };
    Ok(Node::new(kind, span))
}

fn is_punctuation(rule: Rule) -> bool {
    matches!(rule, Rule::comma | Rule::colon | Rule::close_array | Rule::close_object)
}

/// The text of a `string` or `key` pair, unescaped.
fn unescape(pair: Pair<'_, Rule>) -> Result<String, Diagnostic> {
    let body = pair.into_inner().next();
    let (text, start) = body.map_or(("", 0), |b| (b.as_str(), b.as_span().start()));
    unescape_string(text, start, false).map_err(|e| e.into_diagnostic(codes::JSON_SYNTAX))
}

/// Finds unclosed and mismatched brackets and unterminated strings before the grammar
/// runs, so those (the common mistakes) get a message that points at the cause, and
/// refuses nesting deep enough to endanger the stack.
fn check_structure(text: &str) -> Result<(), Diagnostic> {
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(error(
                                Span::new(start, start + 1),
                                "unterminated string",
                                "this string is never closed",
                                "add the closing `\"`",
                            ))
                        }
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            open @ (b'[' | b'{') => {
                stack.push((open, i));
                if stack.len() > MAX_DEPTH {
                    return Err(error(
                        Span::new(i, i + 1),
                        "nesting too deep",
                        "this is nested too deeply",
                        &format!("at most {MAX_DEPTH} levels of lists and objects are supported"),
                    ));
                }
            }
            close @ (b']' | b'}') => {
                let want = if close == b']' { b'[' } else { b'{' };
                match stack.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, at)) => {
                        let (line, col) = line_col(text, at);
                        let expected = if open == b'[' { ']' } else { '}' };
                        return Err(error(
                            Span::new(i, i + 1),
                            &format!("mismatched `{}`", close as char),
                            &format!("expected `{expected}` here"),
                            &format!("the `{}` opened at line {line}, column {col} must be closed first", open as char),
                        ));
                    }
                    None => {
                        return Err(error(
                            Span::new(i, i + 1),
                            &format!("unexpected `{}`", close as char),
                            "nothing is open here to close",
                            "remove it, or add the matching opening bracket",
                        ))
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    match stack.pop() {
        Some((open, at)) => {
            let (what, close) = if open == b'[' { ("list", ']') } else { ("object", '}') };
            Err(error(
                Span::new(at, at + 1),
                &format!("unclosed `{}`", open as char),
                &format!("this {what} is never closed"),
                &format!("a {what} opened here is never closed; add the matching `{close}`"),
            ))
        }
        None => Ok(()),
    }
}

/// Turns a grammar failure into a diagnostic that says what was expected.
fn explain(text: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // Point at the next significant character, and remember the one before it.
    let at = pos + text[pos..].len() - text[pos..].trim_start_matches([' ', '\t', '\r', '\n']).len();
    let prev = text[..at].trim_end_matches([' ', '\t', '\r', '\n']);
    let prev_char = prev.chars().last();
    let span = char_span(text, at);
    let found = match text[at..].chars().next() {
        None => "the end of the input".to_string(),
        Some(c) => format!("`{c}`"),
    };
    let has = |r: Rule| positives.contains(&r);
    let expects_value = positives.iter().any(|r| {
        matches!(
            r,
            Rule::document
                | Rule::object
                | Rule::array
                | Rule::string
                | Rule::number
                | Rule::true_lit
                | Rule::false_lit
                | Rule::null_lit
        )
    });
    if prev_char == Some(',') && (text[at..].starts_with(']') || text[at..].starts_with('}')) {
        let comma = prev.len() - 1;
        return error(
            Span::new(comma, comma + 1),
            "trailing comma",
            "this comma is followed by no item",
            "JSON does not allow a comma before `]` or `}`; remove it",
        );
    }
    if text[at..].starts_with('\'') {
        return error(
            span,
            "strings need double quotes",
            "found `'`",
            "JSON strings are written in double quotes: \"text\"",
        );
    }
    if expects_value {
        let help = if prev_char == Some(':') {
            "expected a value after the key"
        } else {
            "a value is an object, a list, a string in double quotes, a number, true, false or null"
        };
        return error(span, "expected a value", &format!("found {found}"), help);
    }
    if has(Rule::colon) {
        return error(
            span,
            "expected `:` after the key",
            &format!("found {found}"),
            "write an entry as \"key\": value",
        );
    }
    if has(Rule::key) || has(Rule::pair) {
        return error(
            span,
            "expected a key",
            &format!("found {found}"),
            "object keys are strings in double quotes: {\"key\": value}",
        );
    }
    if has(Rule::comma) && has(Rule::close_object) {
        return error(
            span,
            "expected `,` or `}`",
            &format!("found {found}"),
            "separate the entries of an object with `,`",
        );
    }
    if has(Rule::comma) && has(Rule::close_array) {
        return error(span, "expected `,` or `]`", &format!("found {found}"), "separate the items of a list with `,`");
    }
    if has(Rule::EOI) {
        return error(
            span,
            "unexpected text after the JSON value",
            &format!("found {found}"),
            "a JSON document holds exactly one value; wrap several in a list",
        );
    }
    error(span, "invalid JSON", &format!("found {found}"), "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::to_json_text;

    fn err(text: &str) -> Diagnostic {
        match parse_json(text) {
            Ok(n) => panic!("expected an error for {text:?}, got {}", to_json_text(&n)),
            Err(e) => {
                assert_eq!(e.code, codes::JSON_SYNTAX);
                e
            }
        }
    }

    fn span(text: &str) -> (usize, usize) {
        let s = err(text).span.expect("a span");
        (s.start, s.end)
    }

    #[test]
    fn values_and_spans() {
        let n = parse_json(r#" {"a": [1, -2.50, 1e3, true, false, null, "x\n"], "a": {}} "#).unwrap();
        assert_eq!(n.span, Span::new(1, 58));
        let NodeKind::Object(entries) = &n.kind else { panic!() };
        assert_eq!(entries.len(), 2, "repeated keys are kept");
        assert_eq!(entries[0].0.span, Span::new(2, 5));
        let items = entries[0].1.as_array().unwrap();
        assert!(matches!(&items[1].kind, NodeKind::Number(t) if t == "-2.50"));
        assert_eq!(items[1].span, Span::new(11, 16));
        assert_eq!(items[6].as_str(), Some("x\n"));
        let big = parse_json("123456789012345678901234567890").unwrap();
        assert!(matches!(&big.kind, NodeKind::Number(t) if t == "123456789012345678901234567890"));
        assert!(parse_json("\u{FEFF}[]").is_ok());
    }

    #[test]
    fn unclosed_and_mismatched() {
        assert_eq!(span(r#"{"a": [1, 2"#), (6, 7));
        assert!(err("[1, 2").help.unwrap().contains("never closed"));
        assert_eq!(span("[1, 2}"), (5, 6));
        assert_eq!(span("[1]]"), (3, 4));
        assert_eq!(span(r#"["abc"#), (1, 2));
    }

    #[test]
    fn expected_things() {
        let e = err(r#"{"a": }"#);
        assert_eq!(e.help.as_deref(), Some("expected a value after the key"));
        assert_eq!(e.span, Some(Span::new(6, 7)));
        assert_eq!(span(r#"{"a" 1}"#), (5, 6));
        assert_eq!(err(r#"{"a" 1}"#).message, "expected `:` after the key");
        assert_eq!(span("[1, 2,]"), (5, 6));
        assert_eq!(err("[1 2]").message, "expected `,` or `]`");
        assert_eq!(err("{a: 1}").message, "expected a key");
        assert_eq!(err("['a']").message, "strings need double quotes");
        assert_eq!(err("1 2").message, "unexpected text after the JSON value");
        assert_eq!(err("").message, "expected a value");
        assert_eq!(err("01").message, "unexpected text after the JSON value");
    }

    #[test]
    fn bad_strings() {
        assert_eq!(span(r#"["a\qb"]"#), (3, 5));
        assert_eq!(err(r#"["a\qb"]"#).message, "invalid escape `\\q` in a string");
        assert_eq!(span("[\"a\nb\"]"), (3, 4));
        assert_eq!(span(r#"["\ud800"]"#), (2, 8));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(err(&deep).message, "nesting too deep");
        let ok = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_json(&ok).is_ok());
    }
}
