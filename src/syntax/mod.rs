//! The two surface syntaxes — `.dtl` text and JSON DTL — parsed into one spanned
//! tree ([`Node`]), and printed back from it.
//!
//! - [`parse_json`] reads any JSON document (JSON DTL, configuration), keeping spans.
//! - [`parse_dtl`] reads a `.dtl` file of `(rule NAME transform...)` forms into the
//!   same shape as a JSON DTL rules object; [`parse_dtl_expr`] reads one expression.
//! - [`to_json_text`], [`to_dtl_text`] and [`expr_to_dtl_text`] print a tree back;
//!   parsing the printed text gives the same tree (spans aside).

pub mod ast;
mod dtl;
mod json;
mod lexical;
mod print;
mod tree_eq;

pub use ast::{Key, Node, NodeKind, Span};
pub use dtl::{parse_dtl, parse_dtl_expr};
pub use json::parse_json;
pub(crate) use lexical::line_col;
pub use lexical::looks_like_path;
pub(crate) use lexical::write_json_str;
pub use print::{expr_to_dtl_text, to_dtl_text, to_json_text};
