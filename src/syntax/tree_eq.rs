//! Comparing trees by content.

use crate::syntax::{Node, NodeKind};

impl Node {
    /// Whether two trees hold the same JSON, ignoring spans: numbers compare by their
    /// written text, object keys in order, repeated keys included.
    pub fn eq_ignoring_spans(&self, other: &Node) -> bool {
        match (&self.kind, &other.kind) {
            (NodeKind::Null, NodeKind::Null) => true,
            (NodeKind::Bool(a), NodeKind::Bool(b)) => a == b,
            (NodeKind::Number(a), NodeKind::Number(b)) | (NodeKind::Str(a), NodeKind::Str(b)) => a == b,
            (NodeKind::Array(a), NodeKind::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignoring_spans(y))
            }
            (NodeKind::Object(a), NodeKind::Object(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka.name == kb.name && va.eq_ignoring_spans(vb))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::parse_json;

    #[test]
    fn spans_do_not_matter_but_text_does() {
        let a = parse_json(r#"{"a": [1.50, "x"]}"#).unwrap();
        let b = parse_json(r#"  {"a":[1.50,"x"]}"#).unwrap();
        let c = parse_json(r#"{"a": [1.5, "x"]}"#).unwrap();
        let d = parse_json(r#"{"b": [1.50, "x"]}"#).unwrap();
        assert!(a.eq_ignoring_spans(&b));
        assert!(!a.eq_ignoring_spans(&c));
        assert!(!a.eq_ignoring_spans(&d));
    }
}
