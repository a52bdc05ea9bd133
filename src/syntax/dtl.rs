//! `.dtl` text into the spanned tree (JSON DTL's data model).
//!
//! The grammar finds tokens and brackets; this module gives them meaning:
//! symbols become strings (or numbers and keywords), and a quoted string that DTL
//! would read as a path becomes `["literal", "..."]` — except where the text is data
//! (inside `{ }` and in the argument of `literal`), where strings stay strings.

use pest::iterators::Pair;
use pest::Parser;

use crate::diagnostic::{codes, Diagnostic, Diagnostics};
use crate::syntax::lexical::{
    char_span, is_json_number, line_col, looks_like_path, symbol_end, unescape_string, unescape_symbol, MAX_DEPTH,
};
use crate::syntax::{Key, Node, NodeKind, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/dtl.pest"]
struct DtlGrammar;

/// How quoted strings are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Expression position: a path-like quoted string is wrapped in `literal`.
    Expr,
    /// Data (dict literals, the argument of `literal`): strings are kept as they are.
    Data,
}

/// Parses a `.dtl` file: a sequence of `(rule NAME transform...)` forms, into an
/// object `{NAME: [transform...]}` (key span: the name; value span: the whole form).
pub fn parse_dtl(text: &str) -> Result<Node, Diagnostics> {
    let forms = parse_forms(text)?;
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    for form in forms {
        if let Some(rule) = build_rule(form, &mut errors) {
            rules.push(rule);
        }
    }
    if errors.is_empty() {
        Ok(Node::new(NodeKind::Object(rules), Span::new(0, text.len())))
    } else {
        Err(Diagnostics(errors))
    }
}

/// Parses exactly one `.dtl` expression (comments and whitespace around it are fine).
pub fn parse_dtl_expr(text: &str) -> Result<Node, Diagnostic> {
    let mut forms = parse_forms(text).map_err(|mut d| d.0.remove(0))?.into_iter();
    let Some(first) = forms.next() else {
        return Err(error(
            Span::new(text.len(), text.len()),
            "expected an expression",
            "the text ends here",
            "write an expression, e.g. (upper _S.name)",
        ));
    };
    if let Some(extra) = forms.next() {
        return Err(error(
            span_of(&extra),
            "more than one expression",
            "only one expression was expected",
            "wrap several values in a list: [a b]",
        ));
    }
    let mut errors = Vec::new();
    let node = build(first, Mode::Expr, &mut errors);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(node),
    }
}

fn error(span: Span, message: &str, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(codes::DTL_SYNTAX, message).at(span, label).help(help)
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// The top-level forms of the text, unbuilt.
fn parse_forms(text: &str) -> Result<Vec<Pair<'_, Rule>>, Diagnostics> {
    check_structure(text)?;
    let mut pairs = DtlGrammar::parse(Rule::file, text).map_err(|e| {
        let at = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        // check_structure catches what the grammar can reject; this is a fallback.
        error(char_span(text, at), "invalid .dtl syntax", "unexpected text here", "check the brackets and quotes")
    })?;
    let file = pairs.next().map(|f| f.into_inner().filter(|p| p.as_rule() != Rule::EOI).collect());
    Ok(file.unwrap_or_default())
}

/// A `(rule NAME transform...)` form, or an error saying what is wrong with it.
fn build_rule(form: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Option<(Key, Node)> {
    const HELP: &str = "a .dtl file is a sequence of (rule NAME transform...) forms";
    let span = span_of(&form);
    if form.as_rule() != Rule::list {
        errors.push(error(span, "expected a `(rule NAME ...)` form", "this is not a rule", HELP));
        return None;
    }
    let mut items = form.into_inner();
    let head = items.next();
    if head.as_ref().map(|h| (h.as_rule(), h.as_str())) != Some((Rule::symbol, "rule")) {
        let at = head.as_ref().map_or(span, span_of);
        errors.push(error(at, "expected a `(rule NAME ...)` form", "expected `rule` here", HELP));
        return None;
    }
    let Some(name) = items.next() else {
        errors.push(error(span, "a rule needs a name", "this rule has no name", "write (rule NAME transform...)"));
        return None;
    };
    let name_span = span_of(&name);
    let name_text = match name.as_rule() {
        Rule::symbol => unescape_symbol(name.as_str()),
        Rule::string => match string_text(name) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                return None;
            }
        },
        _ => {
            errors.push(error(
                name_span,
                "a rule name must be a symbol or a string",
                "not a name",
                "write (rule NAME transform...)",
            ));
            return None;
        }
    };
    let transforms = items.map(|t| build(t, Mode::Expr, errors)).collect();
    Some((Key { name: name_text, span: name_span }, Node::new(NodeKind::Array(transforms), span)))
}

/// The unescaped text of a `string` pair.
fn string_text(pair: Pair<'_, Rule>) -> Result<String, Diagnostic> {
    let body = pair.into_inner().next();
    let (text, start) = body.map_or(("", 0), |b| (b.as_str(), b.as_span().start()));
    unescape_string(text, start, true).map_err(|e| e.into_diagnostic(codes::DTL_SYNTAX))
}

/// Builds one form. Errors are collected (and a placeholder returned) so that one
/// pass reports them all.
fn build(pair: Pair<'_, Rule>, mode: Mode, errors: &mut Vec<Diagnostic>) -> Node {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::symbol => {
            let raw = pair.as_str();
            match raw {
                "null" => NodeKind::Null,
                "true" => NodeKind::Bool(true),
                "false" => NodeKind::Bool(false),
                _ if is_json_number(raw) => NodeKind::Number(raw.to_string()),
                _ => NodeKind::Str(unescape_symbol(raw)),
            }
        }
        Rule::string => match string_text(pair) {
            Ok(text) if mode == Mode::Expr && looks_like_path(&text) => NodeKind::Array(vec![
                Node::new(NodeKind::Str("literal".into()), span),
                Node::new(NodeKind::Str(text), span),
            ]),
            Ok(text) => NodeKind::Str(text),
            Err(e) => {
                errors.push(e);
                NodeKind::Null
            }
        },
        Rule::list | Rule::vector => {
            let mut items: Vec<Node> = Vec::new();
            for item in pair.into_inner() {
                // The argument of `literal` is data: never wrapped, at any depth.
                let is_literal_arg = items.len() == 1 && items[0].as_str() == Some("literal");
                let item_mode = if is_literal_arg { Mode::Data } else { mode };
                items.push(build(item, item_mode, errors));
            }
            NodeKind::Array(items)
        }
        Rule::dict => NodeKind::Object(build_dict(pair, errors)),
        _ => NodeKind::Null,
    };
    Node::new(kind, span)
}

fn build_dict(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Vec<(Key, Node)> {
    let mut entries = Vec::new();
    let mut items = pair.into_inner();
    while let Some(key) = items.next() {
        let key_span = span_of(&key);
        let name = match key.as_rule() {
            // Any symbol names a key as written, even one that looks like a number.
            Rule::symbol => Some(unescape_symbol(key.as_str())),
            Rule::string => string_text(key).map_err(|e| errors.push(e)).ok(),
            _ => {
                errors.push(error(
                    key_span,
                    "a dict key must be a symbol or a string",
                    "not a key",
                    "write a dict as {key value ...}",
                ));
                None
            }
        };
        let Some(value) = items.next() else {
            errors.push(error(
                key_span,
                "a dict key has no value",
                "this key has no value",
                "expected a value after the key: a dict is written {key value ...}",
            ));
            break;
        };
        let value = build(value, Mode::Data, errors);
        if let Some(name) = name {
            entries.push((Key { name, span: key_span }, value));
        }
    }
    entries
}

/// Finds unclosed and mismatched brackets and unterminated strings before the grammar
/// runs, so they get a message that points at the cause, and refuses nesting deep
/// enough to endanger the stack.
fn check_structure(text: &str) -> Result<(), Diagnostic> {
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match c {
            ';' => i += text[i..].find('\n').unwrap_or(text.len() - i),
            '"' => {
                let start = i;
                i += 1;
                loop {
                    match text[i..].chars().next() {
                        None => {
                            return Err(error(
                                Span::new(start, start + 1),
                                "unterminated string",
                                "this string is never closed",
                                "add the closing `\"`",
                            ))
                        }
                        Some('\\') => i += 1 + text[i + 1..].chars().next().map_or(0, char::len_utf8),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(c) => i += c.len_utf8(),
                    }
                }
            }
            '(' | '[' | '{' => {
                stack.push((c, i));
                if stack.len() > MAX_DEPTH {
                    return Err(error(
                        Span::new(i, i + 1),
                        "nesting too deep",
                        "this is nested too deeply",
                        &format!("at most {MAX_DEPTH} levels of lists and dicts are supported"),
                    ));
                }
                i += 1;
            }
            ')' | ']' | '}' => {
                match stack.pop() {
                    Some((open, _)) if closer(open) == c => {}
                    Some((open, at)) => {
                        let (line, col) = line_col(text, at);
                        return Err(error(
                            Span::new(i, i + 1),
                            &format!("mismatched `{c}`"),
                            &format!("expected `{}` here", closer(open)),
                            &format!("the `{open}` opened at line {line}, column {col} must be closed first"),
                        ));
                    }
                    None => {
                        return Err(error(
                            Span::new(i, i + 1),
                            &format!("unexpected `{c}`"),
                            "nothing is open here to close",
                            "remove it, or add the matching opening bracket",
                        ))
                    }
                }
                i += 1;
            }
            c if c.is_whitespace() => i += c.len_utf8(),
            _ => i = symbol_end(text, i).max(i + c.len_utf8()),
        }
    }
    match stack.pop() {
        Some((open, at)) => {
            let what = match open {
                '(' => "list",
                '[' => "data list",
                _ => "dict",
            };
            Err(error(
                Span::new(at, at + 1),
                &format!("unclosed `{open}`"),
                &format!("this {what} is never closed"),
                &format!("a {what} opened here is never closed; add the matching `{}`", closer(open)),
            ))
        }
        None => Ok(()),
    }
}

fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::to_json_text;

    /// Compact JSON with numbers as written.
    fn compact(n: &Node) -> String {
        match &n.kind {
            NodeKind::Array(items) => format!("[{}]", items.iter().map(compact).collect::<Vec<_>>().join(",")),
            NodeKind::Object(entries) => {
                let parts: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{}:{}", serde_json::json!(k.name), compact(v))).collect();
                format!("{{{}}}", parts.join(","))
            }
            NodeKind::Number(t) => t.clone(),
            _ => serde_json::to_string(&n.to_json()).unwrap(),
        }
    }

    fn expr(text: &str) -> String {
        match parse_dtl_expr(text) {
            Ok(n) => compact(&n),
            Err(e) => panic!("{text:?}: {e:?}"),
        }
    }

    fn expr_err(text: &str) -> Diagnostic {
        let e = parse_dtl_expr(text).err().unwrap_or_else(|| panic!("expected an error for {text:?}"));
        assert_eq!(e.code, codes::DTL_SYNTAX);
        e
    }

    fn file_err(text: &str) -> Vec<Diagnostic> {
        let e = parse_dtl(text).err().unwrap_or_else(|| panic!("expected an error for {text:?}"));
        assert!(e.0.iter().all(|d| d.code == codes::DTL_SYNTAX));
        e.0
    }

    fn span(d: &Diagnostic) -> (usize, usize) {
        let s = d.span.expect("a span");
        (s.start, s.end)
    }

    #[test]
    fn calls_lists_and_dicts() {
        assert_eq!(expr("(f a b)"), r#"["f","a","b"]"#);
        assert_eq!(expr("()"), "[]");
        assert_eq!(expr("[1 2 [3]]"), "[1,2,[3]]");
        assert_eq!(expr(r#"{k 1 "a b" [x]}"#), r#"{"k":1,"a b":["x"]}"#);
        assert_eq!(expr("{}"), "{}");
        assert_eq!(expr("  ; lead\n (f ; mid\n x) ; trail"), r#"["f","x"]"#);
    }

    #[test]
    fn symbols() {
        assert_eq!(expr("_S.name"), r#""_S.name""#);
        for s in ["*", "o.cust_id", "fail!", "+", "-", "sorted-descending", "12ab", "007", "1.", "-x"] {
            assert_eq!(expr(s), format!("\"{s}\""));
        }
        assert_eq!(expr("_S.foo.'john.doe''s'.bar"), r#""_S.foo.'john.doe''s'.bar""#);
        assert_eq!(expr("_S.'a (b) \"c\"; d'"), r#""_S.'a (b) \"c\"; d'""#);
        assert_eq!(expr(r"_S.first\ name"), r#""_S.first name""#);
        assert_eq!(expr(r"\true"), r#""true""#);
        assert_eq!(expr("don't"), r#""don't""#);
    }

    #[test]
    fn atoms() {
        assert_eq!(
            expr("[true false null 1 -2.50 1e3 123456789012345678901234567890]"),
            "[true,false,null,1,-2.50,1e3,123456789012345678901234567890]"
        );
        let n = parse_dtl_expr("1.50").unwrap();
        assert!(matches!(&n.kind, NodeKind::Number(t) if t == "1.50"));
        assert_eq!(expr("nil"), r#""nil""#);
    }

    #[test]
    fn quoted_strings_are_literal_text() {
        assert_eq!(expr(r#""customer""#), r#""customer""#);
        assert_eq!(expr(r#""_S.name""#), r#"["literal","_S.name"]"#);
        assert_eq!(expr(r#"(add x "_S.")"#), r#"["add","x",["literal","_S."]]"#);
        assert_eq!(expr(r#""_S""#), r#""_S""#);
        assert_eq!(expr(r#""a\"b\n\u00e9""#), r#""a\"b\né""#);
        // data: dict contents and the argument of `literal`
        assert_eq!(expr(r#"{k "_S.x" l [(eq "_T.y")]}"#), r#"{"k":"_S.x","l":[["eq","_T.y"]]}"#);
        assert_eq!(expr(r#"(literal "_S.x")"#), r#"["literal","_S.x"]"#);
        assert_eq!(expr(r#"(literal ["_S.x"])"#), r#"["literal",["_S.x"]]"#);
        assert_eq!(expr(r#"(literal "a" "_S.x")"#), r#"["literal","a",["literal","_S.x"]]"#);
        let n = parse_dtl_expr(r#"(f "_S.x")"#).unwrap();
        assert_eq!(n.as_array().unwrap()[1].span, Span::new(3, 9));
    }

    #[test]
    fn design_doc_example() {
        let text = r#"; person-with-orders.dtl — a comment runs from ';' to the end of the line
(rule default
  (copy _id)
  (add type "customer")
  (add name (upper _S.name))
  (add orders
    (sorted _.amount
      (apply-hops order {datasets ["orders o"]
                         where [(eq _S._id o.cust_id)]})))
  (add order_count (count _T.orders))
  (filter (gt _T.order_count 10)))

(rule order
  (copy _id)
  (add amount _S.amount))
"#;
        let rules = parse_dtl(text).unwrap();
        let json = compact(&rules);
        assert_eq!(
            json,
            r#"{"default":[["copy","_id"],["add","type","customer"],["add","name",["upper","_S.name"]],["add","orders",["sorted","_.amount",["apply-hops","order",{"datasets":["orders o"],"where":[["eq","_S._id","o.cust_id"]]}]]],["add","order_count",["count","_T.orders"]],["filter",["gt","_T.order_count",10]]],"order":[["copy","_id"],["add","amount","_S.amount"]]}"#
        );
        let NodeKind::Object(entries) = &rules.kind else { panic!() };
        let default_at = text.find("(rule default").unwrap();
        assert_eq!(entries[0].0.span, Span::new(default_at + 6, default_at + 13));
        assert_eq!(entries[0].1.span.start, default_at);
        assert_eq!(
            &text[entries[1].1.span.start..entries[1].1.span.end],
            "(rule order\n  (copy _id)\n  (add amount _S.amount))"
        );
    }

    #[test]
    fn rules_file_shapes() {
        let n = parse_dtl("(rule a) (rule a (copy x)) (rule \"b c\")").unwrap();
        assert_eq!(to_json_text(&n).lines().count(), 5, "repeated rules are kept: {}", to_json_text(&n));
        let NodeKind::Object(entries) = &n.kind else { panic!() };
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[2].0.name, "b c");
        assert!(matches!(parse_dtl("  ; nothing\n").unwrap().kind, NodeKind::Object(ref e) if e.is_empty()));
        assert!(parse_dtl("\u{FEFF}(rule a)").is_ok(), "a byte order mark is skipped");
    }

    #[test]
    fn top_level_junk() {
        let errs = file_err("(rule a (copy x))\nfoo\n(bar 1)\n(rule)\n(rule (x))");
        assert_eq!(errs.len(), 4);
        assert_eq!(span(&errs[0]), (18, 21));
        assert_eq!(errs[0].label.as_deref(), Some("this is not a rule"));
        assert_eq!(span(&errs[1]), (23, 26));
        assert_eq!(errs[2].message, "a rule needs a name");
        assert_eq!(errs[3].message, "a rule name must be a symbol or a string");
    }

    #[test]
    fn unbalanced() {
        let e = &file_err("(rule a\n  (add x (upper y))")[0];
        assert_eq!(span(e), (0, 1));
        assert!(e.help.as_deref().unwrap().contains("never closed"));
        let e = expr_err("(f [a b)");
        assert_eq!(span(&e), (7, 8));
        assert_eq!(e.message, "mismatched `)`");
        assert!(e.help.as_deref().unwrap().contains("line 1, column 4"));
        let e = expr_err("(f a))");
        assert_eq!((span(&e), e.message.as_str()), ((5, 6), "unexpected `)`"));
        // brackets inside strings, quoted segments and comments do not count
        assert_eq!(expr("(f \"(\" _S.'(' ; )\n)"), r#"["f","(","_S.'('"]"#);
    }

    #[test]
    fn unterminated_string() {
        let e = expr_err("(f \"abc)");
        assert_eq!((span(&e), e.message.as_str()), ((3, 4), "unterminated string"));
        let e = expr_err("\"abc\\\"");
        assert_eq!(span(&e), (0, 1));
    }

    #[test]
    fn bad_escape() {
        let e = expr_err(r#"(f "a\qb")"#);
        assert_eq!((span(&e), e.message.as_str()), ((5, 7), "invalid escape `\\q` in a string"));
        let errs = file_err(r#"(rule a (add x "\x") (add y "\u12"))"#);
        assert_eq!(errs.len(), 2, "all errors are reported");
    }

    #[test]
    fn odd_dict() {
        let e = expr_err("{a 1 b}");
        assert_eq!((span(&e), e.label.as_deref()), ((5, 6), Some("this key has no value")));
        assert!(e.help.as_deref().unwrap().contains("expected a value after the key"));
        let e = expr_err("{(a) 1}");
        assert_eq!(span(&e), (1, 4));
    }

    #[test]
    fn expression_count() {
        assert_eq!(expr_err("  ; only a comment").message, "expected an expression");
        let e = expr_err("a b");
        assert_eq!((span(&e), e.message.as_str()), ((2, 3), "more than one expression"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        assert_eq!(expr_err(&"(".repeat(100_000)).message, "nesting too deep");
        assert!(parse_dtl_expr(&format!("{}{}", "(".repeat(200), ")".repeat(200))).is_ok());
    }
}
