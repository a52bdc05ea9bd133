//! Round trips between JSON DTL and `.dtl` text, and parsers that never panic.

use dtl::syntax::{
    expr_to_dtl_text, parse_dtl, parse_dtl_expr, parse_json, to_dtl_text, to_json_text, Key, Node, NodeKind, Span,
};
use proptest::prelude::*;

fn node(kind: NodeKind) -> Node {
    Node::new(kind, Span::default())
}

fn key(name: String) -> Key {
    Key { name, span: Span::default() }
}

/// Strings that stress the printer's bare-or-quoted choice.
fn string() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "",
        "customer",
        "_S",
        "_S.",
        "_S.name",
        "_T.a.b",
        "_.amount",
        "_P.x",
        "_R.y",
        "_B.z",
        "o.cust_id",
        "_S.first name",
        "_S.foo.'john.doe''s'.bar",
        "_S.'a b'",
        "_S.x'",
        "_S.'",
        "_S.'''",
        "_S.a\\b",
        "_S.(x)",
        "_S.\"q\"",
        "_S.a;b",
        "_S.\n",
        "true",
        "false",
        "null",
        "1",
        "-2",
        "1.50",
        "007",
        "1e3",
        "+1",
        ".5",
        "-",
        "+",
        "*",
        "a b",
        "a;b",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "'",
        "''",
        "\"",
        "\\",
        "é",
        "日本",
        "😀",
        "\u{0}",
        "\t",
        "literal",
        "rule",
        "_id",
        "don't",
        "x.y",
        "_S.é",
        "_S.a\u{2028}b",
        "\u{a0}",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        3 => special,
        2 => "[a-z_][a-z0-9_.-]{0,8}",
        2 => "(_S|_T|_P|_R|_B|_)\\.[ -~]{0,8}",
        2 => "\\PC{0,8}",
        1 => any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,40})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,3})?",
        prop::sample::select(vec!["1.50", "0", "-0", "123456789012345678901234567890", "1e400", "0.000"])
            .prop_map(str::to_string),
    ]
}

fn function_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "add", "copy", "remove", "rename", "default", "apply", "apply-hops", "literal", "eq", "if", "upper",
            "sorted", "fail!", "+", "-", "is-null", "list", "dict", "filter", "sorted-descending",
        ])
        .prop_map(str::to_string),
        1 => string(),
    ]
}

/// Random JSON DTL trees: calls, data lists, dicts and atoms.
fn tree() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(node(NodeKind::Null)),
        any::<bool>().prop_map(|b| node(NodeKind::Bool(b))),
        number().prop_map(|n| node(NodeKind::Number(n))),
        string().prop_map(|s| node(NodeKind::Str(s))),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            (function_name(), prop::collection::vec(inner.clone(), 0..5)).prop_map(|(f, args)| {
                let mut items = vec![node(NodeKind::Str(f))];
                items.extend(args);
                node(NodeKind::Array(items))
            }),
            prop::collection::vec(inner.clone(), 0..5).prop_map(|items| node(NodeKind::Array(items))),
            prop::collection::vec((string(), inner), 0..4).prop_map(|entries| {
                node(NodeKind::Object(entries.into_iter().map(|(k, v)| (key(k), v)).collect()))
            }),
        ]
    })
}

fn rules() -> impl Strategy<Value = Node> {
    let name = prop_oneof![3 => "[a-z][a-z0-9_-]{0,8}", 1 => string()];
    prop::collection::vec((name, prop::collection::vec(tree(), 0..4)), 0..4).prop_map(|rules| {
        node(NodeKind::Object(rules.into_iter().map(|(k, ts)| (key(k), node(NodeKind::Array(ts)))).collect()))
    })
}

fn assert_same(a: &Node, b: &Node, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        a.eq_ignoring_spans(b),
        "not the same tree\n--- printed:\n{}\n--- original:\n{}\n--- read back:\n{}",
        text,
        to_json_text(a),
        to_json_text(b)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn expression_json_to_dtl_and_back(expr in tree()) {
        let text = expr_to_dtl_text(&expr);
        let back = parse_dtl_expr(&text).map_err(|e| TestCaseError::fail(format!("{e:?} in\n{text}")))?;
        assert_same(&expr, &back, &text)?;
    }

    #[test]
    fn json_text_round_trips(expr in tree()) {
        let text = to_json_text(&expr);
        let back = parse_json(&text).map_err(|e| TestCaseError::fail(format!("{e:?} in\n{text}")))?;
        assert_same(&expr, &back, &text)?;
    }

    #[test]
    fn rules_json_to_dtl_and_back(rules in rules()) {
        let text = to_dtl_text(&rules);
        let back = parse_dtl(&text).map_err(|e| TestCaseError::fail(format!("{e} in\n{text}")))?;
        assert_same(&rules, &back, &text)?;
        // .dtl -> JSON -> .dtl is a fixed point after one formatting
        let json = to_json_text(&back);
        let again = to_dtl_text(&parse_json(&json).map_err(|e| TestCaseError::fail(format!("{e:?}")))?);
        prop_assert_eq!(&again, &text);
    }

    #[test]
    fn parsers_never_panic(text in any::<String>()) {
        let _ = parse_dtl(&text);
        let _ = parse_dtl_expr(&text);
        let _ = parse_json(&text);
    }

    #[test]
    fn parsers_never_panic_on_syntax_soup(text in "[()\\[\\]{}\"';\\\\ a-z_.0-9:,\n-]{0,40}") {
        let _ = parse_dtl(&text);
        let _ = parse_dtl_expr(&text);
        let _ = parse_json(&text);
    }

    #[test]
    fn whatever_parses_prints_back_the_same(text in "[()\\[\\]{}\"' a-z_S.0-9\n-]{0,30}") {
        if let Ok(expr) = parse_dtl_expr(&text) {
            let printed = expr_to_dtl_text(&expr);
            let back = parse_dtl_expr(&printed).map_err(|e| TestCaseError::fail(format!("{e:?} in\n{printed}")))?;
            assert_same(&expr, &back, &printed)?;
        }
    }
}

const DESIGN_EXAMPLE: &str = r#"; person-with-orders.dtl — a comment runs from ';' to the end of the line
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

#[test]
fn design_doc_example_converts_both_ways() {
    let rules = parse_dtl(DESIGN_EXAMPLE).expect("the design example parses");
    let expected = parse_json(
        r#"{
          "default": [
            ["copy", "_id"],
            ["add", "type", "customer"],
            ["add", "name", ["upper", "_S.name"]],
            ["add", "orders", ["sorted", "_.amount",
              ["apply-hops", "order", {"datasets": ["orders o"], "where": [["eq", "_S._id", "o.cust_id"]]}]]],
            ["add", "order_count", ["count", "_T.orders"]],
            ["filter", ["gt", "_T.order_count", 10]]
          ],
          "order": [["copy", "_id"], ["add", "amount", "_S.amount"]]
        }"#,
    )
    .unwrap();
    assert!(rules.eq_ignoring_spans(&expected), "{}", to_json_text(&rules));

    let formatted = to_dtl_text(&rules);
    assert_eq!(
        formatted,
        r#"(rule default
  (copy _id)
  (add type "customer")
  (add name (upper _S.name))
  (add orders
    (sorted _.amount
      (apply-hops order {datasets ["orders o"] where [(eq _S._id o.cust_id)]})))
  (add order_count (count _T.orders))
  (filter (gt _T.order_count 10)))

(rule order
  (copy _id)
  (add amount _S.amount))
"#
    );
    assert!(parse_dtl(&formatted).unwrap().eq_ignoring_spans(&expected));
}

#[test]
fn quoted_paths_become_literals_and_print_back() {
    let expr = parse_dtl_expr(r#"(if (eq _S.kind "_S.kind") "yes" {k "_S.x"})"#).unwrap();
    let json = to_json_text(&expr);
    assert_eq!(json, r#"["if", ["eq", "_S.kind", ["literal", "_S.kind"]], "yes", {"k": "_S.x"}]"#);
    assert_eq!(expr_to_dtl_text(&expr), r#"(if (eq _S.kind (literal _S.kind)) "yes" {k _S.x})"#);
}
