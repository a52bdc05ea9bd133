//! The two surface syntaxes — `.dtl` text and JSON DTL — parsed into one spanned
//! tree ([`Node`]), and printed back from it.

pub mod ast;

pub use ast::{Key, Node, NodeKind, Span};
