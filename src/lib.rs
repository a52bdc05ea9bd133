//! dtl — a compiler and interpreter for Sesam's Data Transformation Language.

pub mod diagnostic;
pub mod syntax;
pub mod value;
