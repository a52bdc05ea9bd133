//! Transforms: the types the engine runs offline.

use crate::compile::{Namespaces, Program};
use crate::diagnostic::codes;
use crate::load::transform_config;
use crate::pipeline::Stage;
use crate::syntax::Node;

use super::{keys, Ctx};

/// The transform types the engine runs offline.
pub const TRANSFORM_TYPES: &[&str] = &["dtl", "emit_children", "conditional"];

impl Ctx<'_> {
    /// A transform (conditionals already resolved).
    pub(super) fn transform(&mut self, node: &Node, pipe: &str, namespaces: &Option<Namespaces>) -> Option<Stage> {
        let ty = self.component_type(node, pipe, "transform", TRANSFORM_TYPES, keys::transform)?;
        match ty {
            "dtl" => {
                let Some(rules) = node.get("rules") else {
                    self.error(codes::CONFIG, "a DTL transform needs `rules`", node.span, "here", "");
                    return None;
                };
                let mut config = match transform_config(node) {
                    Ok(c) => c,
                    Err(d) => {
                        self.errors.push(d.in_source(self.src));
                        return None;
                    }
                };
                config.namespaces = namespaces.clone();
                match Program::compile(rules, config, self.src) {
                    Ok(p) => Some(Stage::Dtl(p)),
                    Err(d) => {
                        self.errors.extend(d.0);
                        None
                    }
                }
            }
            "emit_children" => Some(Stage::EmitChildren),
            _ => unreachable!("conditionals are resolved first"),
        }
    }
}
