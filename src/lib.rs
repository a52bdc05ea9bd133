//! dtl — a compiler and interpreter for Sesam's Data Transformation Language.

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
