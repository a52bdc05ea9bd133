//! Printing the tree back as JSON or as `.dtl` text (what `dtl fmt` does).
//!
//! Both printers are lossless at the JSON level: parsing what they print gives the
//! same tree (spans aside). The `.dtl` printer chooses between a bare symbol and a
//! quoted string with the parser's rules in mind: in expression position a quoted
//! path-like string would be read back as `["literal", ...]`, so a path string
//! always prints bare (escaped if need be).

use crate::syntax::lexical::{escape_symbol, is_alias_field, is_plain_symbol, looks_like_path, quote_json};
use crate::syntax::{Node, NodeKind};

/// Lines of `.dtl` text are kept within this many columns where possible.
const DTL_WIDTH: usize = 90;
/// JSON lists are put on one line when they fit in this many columns.
const JSON_WIDTH: usize = 100;

/// Pretty JSON: two-space indent, lists on one line when they fit, numbers as written.
pub fn to_json_text(node: &Node) -> String {
    json_pretty(node, 0, 0)
}

/// Writes `node` as one-line JSON; stops early once `out` is longer than `limit`
/// bytes (the caller only needs to know it does not fit).
fn json_flat(node: &Node, out: &mut String, limit: usize) {
    if out.len() > limit {
        return;
    }
    match &node.kind {
        NodeKind::Null => out.push_str("null"),
        NodeKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeKind::Number(n) => out.push_str(n),
        NodeKind::Str(s) => out.push_str(&quote_json(s)),
        NodeKind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_flat(item, out, limit);
            }
            out.push(']');
        }
        NodeKind::Object(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote_json(&k.name));
                out.push_str(": ");
                json_flat(v, out, limit);
            }
            out.push('}');
        }
    }
}

/// `node` printed at nesting `indent`, starting at column `col`.
fn json_pretty(node: &Node, indent: usize, col: usize) -> String {
    let pad = |n: usize| " ".repeat(n);
    match &node.kind {
        NodeKind::Array(items) if !items.is_empty() => {
            // A char is at most 4 bytes, so past this many bytes it cannot fit.
            let limit = 4 * JSON_WIDTH;
            let mut flat = String::new();
            json_flat(node, &mut flat, limit);
            if flat.len() <= limit && col + width(&flat) <= JSON_WIDTH {
                return flat;
            }
            let inner: Vec<String> =
                items.iter().map(|item| pad(indent + 2) + &json_pretty(item, indent + 2, indent + 2)).collect();
            format!("[\n{}\n{}]", inner.join(",\n"), pad(indent))
        }
        NodeKind::Object(entries) if !entries.is_empty() => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    let key = quote_json(&k.name);
                    let value_col = indent + 2 + width(&key) + 2;
                    format!("{}{key}: {}", pad(indent + 2), json_pretty(v, indent + 2, value_col))
                })
                .collect();
            format!("{{\n{}\n{}}}", inner.join(",\n"), pad(indent))
        }
        _ => {
            let mut flat = String::new();
            json_flat(node, &mut flat, usize::MAX);
            flat
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// How strings are read where a node is printed (mirrors the parser's modes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Expression position: a quoted path-like string would read as a literal.
    Expr,
    /// Data (dict contents, the argument of `literal`): strings read as written.
    Data,
}

/// A rules object as a `.dtl` file: `(rule NAME transform...)` forms separated by
/// blank lines. Anything that is not an object prints as one expression.
pub fn to_dtl_text(rules: &Node) -> String {
    let NodeKind::Object(entries) = &rules.kind else {
        return expr_to_dtl_text(rules) + "\n";
    };
    let forms: Vec<String> = entries.iter().map(|(k, v)| rule_text(&k.name, v)).collect();
    let mut out = forms.join("\n\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn rule_text(name: &str, body: &Node) -> String {
    let name = if is_plain_symbol(name) { name.to_string() } else { quote_json(name) };
    let mut out = format!("(rule {name}");
    let transforms = match &body.kind {
        NodeKind::Array(items) => items.as_slice(),
        // Not a list of transforms: cannot be written as a rule body losslessly; print it as one.
        _ => std::slice::from_ref(body),
    };
    for t in transforms {
        out.push_str("\n  ");
        out.push_str(&pretty(t, Mode::Expr, false, 2));
    }
    out.push(')');
    out
}

/// One expression as `.dtl` text (no trailing newline).
pub fn expr_to_dtl_text(expr: &Node) -> String {
    pretty(expr, Mode::Expr, false, 0)
}

/// A string where it is read in `mode`; `prefer_bare` for names (function names,
/// the property names of `add`, `copy`, ...), which read better as symbols.
fn str_text(s: &str, mode: Mode, prefer_bare: bool) -> String {
    let bare = match mode {
        Mode::Expr if looks_like_path(s) => return escape_symbol(s),
        Mode::Expr => prefer_bare && is_plain_symbol(s),
        Mode::Data => (prefer_bare || looks_like_path(s) || is_alias_field(s)) && is_plain_symbol(s),
    };
    if bare {
        s.to_string()
    } else {
        quote_json(s)
    }
}

fn key_text(k: &str) -> String {
    if is_plain_symbol(k) {
        k.to_string()
    } else {
        quote_json(k)
    }
}

/// The head of a call, if `items` prints as `(head ...)` in `mode`.
fn call_head(items: &[Node], mode: Mode) -> Option<&str> {
    let head = items.first()?.as_str()?;
    // In data, only what reads as a function name (`eq`, not `_S.x` or `o.id`) makes a call.
    (mode == Mode::Expr || (is_plain_symbol(head) && !head.contains('.'))).then_some(head)
}

/// How argument `index` (1-based) of a call to `head` is read and printed.
fn arg_style(head: &str, index: usize, mode: Mode) -> (Mode, bool) {
    if mode == Mode::Data || (head == "literal" && index == 1) {
        return (Mode::Data, false);
    }
    let name_arg = match head {
        "add" | "default" | "apply" | "apply-hops" => index == 1,
        "copy" | "remove" => true,
        "rename" => index <= 2,
        _ => false,
    };
    (Mode::Expr, name_arg)
}

/// `node` on one line (all of it).
fn flat(node: &Node, mode: Mode, prefer_bare: bool) -> String {
    let mut out = String::new();
    flat_into(node, mode, prefer_bare, &mut out, usize::MAX);
    out
}

/// Writes `node` on one line; stops early once `out` is longer than `limit` bytes.
fn flat_into(node: &Node, mode: Mode, prefer_bare: bool, out: &mut String, limit: usize) {
    if out.len() > limit {
        return;
    }
    match &node.kind {
        NodeKind::Null => out.push_str("null"),
        NodeKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeKind::Number(n) => out.push_str(n),
        NodeKind::Str(s) => out.push_str(&str_text(s, mode, prefer_bare)),
        NodeKind::Array(items) => match call_head(items, mode) {
            Some(head) => {
                out.push('(');
                out.push_str(&str_text(head, mode, true));
                for (i, item) in items.iter().enumerate().skip(1) {
                    let (m, bare) = arg_style(head, i, mode);
                    out.push(' ');
                    flat_into(item, m, bare, out, limit);
                }
                out.push(')');
            }
            None => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    flat_into(item, mode, false, out, limit);
                }
                out.push(']');
            }
        },
        NodeKind::Object(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&key_text(&k.name));
                out.push(' ');
                flat_into(v, Mode::Data, false, out, limit);
            }
            out.push('}');
        }
    }
}

fn is_atom(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Array(items) => items.is_empty(),
        NodeKind::Object(entries) => entries.is_empty(),
        _ => true,
    }
}

/// `node` printed starting at column `col`, broken over lines when it does not fit.
fn pretty(node: &Node, mode: Mode, prefer_bare: bool, col: usize) -> String {
    if is_atom(node) {
        return flat(node, mode, prefer_bare);
    }
    // A char is at most 4 bytes, so past this many bytes it cannot fit.
    let limit = 4 * DTL_WIDTH;
    let mut one_line = String::new();
    flat_into(node, mode, prefer_bare, &mut one_line, limit);
    if one_line.len() <= limit && col + width(&one_line) <= DTL_WIDTH {
        return one_line;
    }
    let newline = |n: usize| format!("\n{}", " ".repeat(n));
    match &node.kind {
        NodeKind::Array(items) => match call_head(items, mode) {
            Some(head) => {
                // The head, and a first argument that is an atom, stay on the first line.
                let mut out = format!("({}", str_text(head, mode, true));
                let mut next = 1;
                if let Some(first) = items.get(1).filter(|n| is_atom(n)) {
                    let (m, bare) = arg_style(head, 1, mode);
                    out.push(' ');
                    out.push_str(&flat(first, m, bare));
                    next = 2;
                }
                for (i, item) in items.iter().enumerate().skip(next) {
                    let (m, bare) = arg_style(head, i, mode);
                    out.push_str(&newline(col + 2));
                    out.push_str(&pretty(item, m, bare, col + 2));
                }
                out.push(')');
                out
            }
            None => {
                let parts: Vec<String> = items.iter().map(|item| pretty(item, mode, false, col + 1)).collect();
                format!("[{}]", parts.join(&newline(col + 1)))
            }
        },
        NodeKind::Object(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    let key = key_text(&k.name);
                    let value = pretty(v, Mode::Data, false, col + 1 + width(&key) + 1);
                    format!("{key} {value}")
                })
                .collect();
            format!("{{{}}}", parts.join(&newline(col + 1)))
        }
        _ => flat(node, mode, prefer_bare),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_dtl, parse_dtl_expr, parse_json};

    fn json(text: &str) -> Node {
        parse_json(text).unwrap()
    }

    fn dtl(text: &str) -> String {
        expr_to_dtl_text(&json(text))
    }

    #[test]
    fn strings_bare_or_quoted() {
        assert_eq!(dtl(r#"["add", "type", "customer"]"#), r#"(add type "customer")"#);
        assert_eq!(dtl(r#"["copy", "_id", "name*"]"#), "(copy _id name*)");
        assert_eq!(dtl(r#"["eq", "_S.first name", "a b"]"#), r#"(eq _S.first\ name "a b")"#);
        assert_eq!(dtl(r#"["literal", "_S.x"]"#), "(literal _S.x)");
        assert_eq!(dtl(r#"["literal", ["_S.x", "y"]]"#), r#"(literal [_S.x "y"])"#);
        assert_eq!(dtl(r#"["add", "true", "1.50"]"#), r#"(add "true" "1.50")"#);
        assert_eq!(dtl(r#"["f", 1.50, true, null, "null"]"#), r#"(f 1.50 true null "null")"#);
        assert_eq!(dtl(r#"["", "x"]"#), r#"("" "x")"#);
        assert_eq!(dtl(r#"[1, ["f"], []]"#), "[1 (f) []]");
    }

    #[test]
    fn dicts_keep_data_bare_where_safe() {
        let text = r#"["apply-hops", "order", {"datasets": ["orders o"], "where": [["eq", "_S._id", "o.cust_id"]], "1": "a b"}]"#;
        assert_eq!(dtl(text), r#"(apply-hops order {datasets ["orders o"] where [(eq _S._id o.cust_id)] "1" "a b"})"#);
    }

    #[test]
    fn long_calls_break() {
        let text = r#"["add", "orders", ["sorted", "_.amount", ["apply-hops", "order", {"datasets": ["orders o"], "where": [["eq", "_S._id", "o.cust_id"]]}]]]"#;
        let out = dtl(text);
        assert_eq!(
            out,
            "(add orders\n  (sorted _.amount\n    (apply-hops order {datasets [\"orders o\"] where [(eq _S._id o.cust_id)]})))"
        );
        assert!(parse_dtl_expr(&out).unwrap().eq_ignoring_spans(&json(text)));
    }

    #[test]
    fn rules_files() {
        let rules = json(r#"{"default": [["copy", "_id"], ["add", "n", ["upper", "_S.name"]]], "x y": []}"#);
        let text = to_dtl_text(&rules);
        assert_eq!(text, "(rule default\n  (copy _id)\n  (add n (upper _S.name)))\n\n(rule \"x y\")\n");
        assert!(parse_dtl(&text).unwrap().eq_ignoring_spans(&rules));
        assert_eq!(to_dtl_text(&json("{}")), "");
    }

    #[test]
    fn json_pretty_printing() {
        let n = json(r#"{"a": [1, 2.50, "x\"y"], "b": {}, "c": {"d": null}, "e": []}"#);
        assert_eq!(
            to_json_text(&n),
            "{\n  \"a\": [1, 2.50, \"x\\\"y\"],\n  \"b\": {},\n  \"c\": {\n    \"d\": null\n  },\n  \"e\": []\n}"
        );
        let long: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let n = json(&format!("[{}]", long.join(",")));
        let text = to_json_text(&n);
        assert_eq!(text.lines().count(), 42);
        assert!(parse_json(&text).unwrap().eq_ignoring_spans(&n));
    }
}
