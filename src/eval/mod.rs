//! The interpreter: evaluation contexts, expressions and paths.
//!
//! Per source entity a fresh empty target is built by running the `default` rule's
//! transforms in order (see [`run`]). Expressions see the context through an
//! [`Env`]: the current frame (`_S`, `_T`), its callers (`_P`), the root (`_R`),
//! the current element (`_`) and any hops aliases.

pub mod hops;
pub mod ni;
mod path;
pub mod pattern;
pub mod run;
pub(crate) mod tracking;
mod transform;

use std::cell::RefCell;

use crate::compile::ir::{Expr, Var};
use crate::compile::Program;
use crate::diagnostic::Diagnostic;
use crate::value::{Map, Str, Value};

pub use crate::dataset::DatasetAccess;
pub use path::walk as walk_path;
pub use run::{EntityOutput, RunOptions};

/// The result of evaluating something: a value or a diagnostic.
pub type EvalResult<T> = Result<T, Box<Diagnostic>>;

/// One rule invocation's variables: its source and target, and who called it.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    /// `_S`
    pub source: &'a Value,
    /// `_T`
    pub target: &'a Value,
    /// The calling frame (`_P`), if this rule was applied.
    pub parent: Option<&'a Frame<'a>>,
}

/// State shared by everything evaluated for one source entity.
pub struct EntityState<'a> {
    /// The program being run.
    pub program: &'a Program,
    /// Entities `create` emitted, in order.
    pub created: RefCell<Vec<Value>>,
    /// Dataset access, when the run has datasets.
    pub datasets: Option<&'a dyn DatasetAccess>,
    /// The previous version of the source entity, when known (`is-changed`).
    pub previous: Option<&'a Value>,
    /// How the run behaves.
    pub options: &'a RunOptions,
}

/// Everything an expression can see.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// The current rule invocation.
    pub frame: &'a Frame<'a>,
    /// The root invocation (`_R`).
    pub root: &'a Frame<'a>,
    /// `_`, inside function-expressions.
    pub current: Option<&'a Value>,
    /// Values of hops aliases, inside hops clauses.
    pub aliases: &'a [Value],
    /// Per-entity state.
    pub state: &'a EntityState<'a>,
}

impl<'a> Env<'a> {
    /// The same environment with `_` bound to `value`.
    pub fn with_current<'b>(&self, value: &'b Value) -> Env<'b>
    where
        'a: 'b,
    {
        Env { current: Some(value), ..*self }
    }

    /// The program being run.
    pub fn program(&self) -> &'a Program {
        self.state.program
    }
}

impl Expr {
    /// Evaluates the expression.
    pub fn eval(&self, env: &Env<'_>) -> EvalResult<Value> {
        match self {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Path(p) => Ok(path::resolve(env, p.var, &p.steps)),
            Expr::Call(call) => (call.builtin.eval)(&crate::builtins::Args { call }, env),
        }
    }
}

/// Builds the dict `_P` stands for (only when a path needs `_P` itself).
fn parent_dict(frame: &Frame<'_>) -> Value {
    let mut map = Map::default();
    map.insert(Str::from("_S"), frame.source.clone());
    map.insert(Str::from("_T"), frame.target.clone());
    if let Some(parent) = frame.parent {
        map.insert(Str::from("_P"), parent_dict(parent));
    }
    Value::dict(map)
}

/// The value of a variable on its own (`"_S."`).
fn var_value(env: &Env<'_>, var: Var) -> Value {
    match var {
        Var::Source => env.frame.source.clone(),
        Var::Target => env.frame.target.clone(),
        Var::Parent => env.frame.parent.map(parent_dict).unwrap_or(Value::Null),
        Var::Root => {
            let mut map = Map::default();
            map.insert(Str::from("_S"), env.root.source.clone());
            map.insert(Str::from("_T"), env.root.target.clone());
            Value::dict(map)
        }
        Var::Params => Value::dict(Map::default()),
        Var::Current => env.current.cloned().unwrap_or(Value::Null),
        Var::Alias(i) => env.aliases.get(i).cloned().unwrap_or(Value::Null),
    }
}
