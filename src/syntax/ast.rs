//! The spanned syntax tree shared by both surface syntaxes.
//!
//! A `.dtl` file and a JSON DTL file parse into the same tree: JSON's data model
//! (null, booleans, numbers, strings, arrays, objects) with a source span on every
//! node. The `.dtl` parser desugars its extras while parsing (a quoted string that
//! DTL would read as a path becomes `["literal", "..."]`), so everything after
//! parsing sees plain JSON DTL.

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end.saturating_sub(s.start)).into()
    }
}

/// One node of the syntax tree.
#[derive(Clone, Debug)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Where it was written.
    pub span: Span,
}

/// The JSON data model, with numbers kept as written so printing is lossless.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number exactly as written (`1`, `-2.50`, `1e3`, `123456789012345678901234567890`).
    Number(String),
    /// A string (already unescaped).
    Str(String),
    /// A JSON array: a function call or transform in expression position, data elsewhere.
    Array(Vec<Node>),
    /// A JSON object, keys in written order; a repeated key is kept (the last one wins when read).
    Object(Vec<(Key, Node)>),
}

/// An object key with its span.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key was written.
    pub span: Span,
}

impl Node {
    /// A node with a span.
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node { kind, span }
    }

    /// The string, if this node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this node is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value of `key` in an object node (the last one if repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Object(entries) => entries.iter().rev().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the node's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Number(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Array(_) => "a list",
            NodeKind::Object(_) => "an object",
        }
    }

    /// Converts to `serde_json::Value` (repeated keys: last wins). Numbers that do
    /// not fit JSON's usual types keep their text through `serde_json::Number` parsing
    /// where possible and otherwise become strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            NodeKind::Null => J::Null,
            NodeKind::Bool(b) => J::Bool(*b),
            NodeKind::Number(n) => {
                serde_json::from_str::<serde_json::Number>(n).map(J::Number).unwrap_or_else(|_| J::String(n.clone()))
            }
            NodeKind::Str(s) => J::String(s.clone()),
            NodeKind::Array(items) => J::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Object(entries) => {
                let mut map = serde_json::Map::default();
                for (k, v) in entries {
                    map.insert(k.name.clone(), v.to_json());
                }
                J::Object(map)
            }
        }
    }

    /// Builds a span-less tree from `serde_json::Value` (used for programs built in code).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let kind = match value {
            J::Null => NodeKind::Null,
            J::Bool(b) => NodeKind::Bool(*b),
            J::Number(n) => NodeKind::Number(n.to_string()),
            J::String(s) => NodeKind::Str(s.clone()),
            J::Array(items) => NodeKind::Array(items.iter().map(Node::from_json).collect()),
            J::Object(map) => NodeKind::Object(
                map.iter().map(|(k, v)| (Key { name: k.clone(), span: Span::default() }, Node::from_json(v))).collect(),
            ),
        };
        Node::new(kind, Span::default())
    }
}
