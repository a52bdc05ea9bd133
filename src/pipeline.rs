//! A chain of transforms, as a pipe's `transform` list runs them: each stage's
//! output entities are the next stage's input.

use crate::compile::Program;
use crate::diagnostic::Diagnostic;
use crate::eval::{DatasetAccess, RunOptions};
use crate::value::Value;

/// One transform of a chain.
#[derive(Debug)]
pub enum Stage {
    /// A DTL transform.
    Dtl(Program),
    /// `emit_children`: emits the entities in each entity's `$children`, not the entity itself.
    EmitChildren,
}

/// Transforms in order.
#[derive(Debug, Default)]
pub struct Pipeline {
    /// The stages, first to last.
    pub stages: Vec<Stage>,
}

impl Pipeline {
    /// A chain of one DTL program.
    pub fn single(program: Program) -> Pipeline {
        Pipeline { stages: vec![Stage::Dtl(program)] }
    }

    /// Runs one source entity through every stage. Borrows the entity so a caller
    /// can still name it (by `_id`) if a stage fails.
    pub fn transform(
        &self,
        entity: &Value,
        options: &RunOptions,
        datasets: Option<&dyn DatasetAccess>,
    ) -> Result<Vec<Value>, Box<Diagnostic>> {
        let mut current: Vec<Value> = Vec::new();
        for (i, stage) in self.stages.iter().enumerate() {
            let inputs = if i == 0 { std::slice::from_ref(entity) } else { &current[..] };
            let mut next = Vec::with_capacity(inputs.len());
            for e in inputs {
                match stage {
                    Stage::Dtl(program) => next.extend(program.transform_with(e, options, datasets, None)?.entities),
                    Stage::EmitChildren => {
                        let children = e.get("$children").map(|c| c.iter_list().cloned().collect::<Vec<_>>());
                        next.extend(children.into_iter().flatten().filter(|c| c.entity_id().is_some()));
                    }
                }
            }
            current = next;
        }
        if self.stages.is_empty() {
            current.push(entity.clone());
        }
        Ok(current)
    }
}
