//! dtl — a compiler and interpreter for Sesam's Data Transformation Language (DTL),
//! with the dataset engine its hops need.
//!
//! Compile once, then transform entities as often as you like, from as many
//! threads as you like ([`Program`] is `Send + Sync`):
//!
//! ```
//! use dtl::{Program, Value};
//!
//! let program = Program::from_dtl_str("example.dtl", r#"
//!     (rule default
//!       (copy _id)
//!       (add name (upper _S.name)))
//! "#).expect("the program compiles");
//! let entity = Value::from_json(r#"{"_id": "1", "name": "ada"}"#).unwrap();
//! let output = program.transform(&entity).expect("the entity transforms");
//! assert_eq!(output[0].to_string(), r#"{"_id":"1","name":"ADA"}"#);
//! ```
//!
//! Errors are [`Diagnostic`]s with a stable code, a span into the program and a
//! help line; they render with `miette`. The library never panics on input and
//! never prints.

#![warn(missing_docs)]

pub mod builtins;
pub mod compile;
pub mod dataset;
pub mod diagnostic;
pub mod eval;
pub mod load;
pub mod pipe;
pub mod pipeline;
pub mod stream;
pub mod syntax;
pub mod value;

pub use builtins::list_equal;
pub use compile::{Expression, Program, ProgramConfig};
pub use diagnostic::{Diagnostic, Diagnostics};
pub use eval::RunOptions;
pub use pipeline::Pipeline;
pub use value::Value;
