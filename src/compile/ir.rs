//! The compiled form of a program: functions resolved, paths pre-split, literals
//! decoded. Nothing here is looked up by name or parsed while entities flow.

use crate::builtins::Builtin;
use crate::syntax::Span;
use crate::value::{Str, Value};

/// A compiled expression.
#[derive(Debug)]
pub enum Expr {
    /// A constant value (a literal, a decoded `~` string, a dict literal).
    Const(Value),
    /// A property path over a variable.
    Path(Box<Path>),
    /// A function call.
    Call(Box<Call>),
}

/// A variable a path starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// `_S`: the source entity.
    Source,
    /// `_T`: the target entity.
    Target,
    /// `_P`: the calling rule's context.
    Parent,
    /// `_R`: the root context.
    Root,
    /// `_B`: request parameters (empty offline).
    Params,
    /// `_`: the current element of a function-expression.
    Current,
    /// A hops dataset alias, by position in its spec.
    Alias(usize),
}

/// `VAR.step.step…`
#[derive(Debug)]
pub struct Path {
    /// The starting variable.
    pub var: Var,
    /// The property names to walk (empty for `"_S."`).
    pub steps: Box<[Str]>,
}

/// A function call with its builtin resolved.
#[derive(Debug)]
pub struct Call {
    /// The function.
    pub builtin: &'static Builtin,
    /// The compiled arguments.
    pub args: Box<[Expr]>,
    /// Where it was written.
    pub span: Span,
    /// Compiled data of special forms.
    pub special: Special,
}

/// Data the special forms need beyond their arguments.
#[derive(Debug)]
pub enum Special {
    /// Nothing.
    None,
    /// `apply`/`apply-hops`: the rule to run.
    Rule(usize),
}

/// A compiled transform.
#[derive(Debug)]
pub enum Transform {
    /// `add`, `default`, `add-if`.
    Add { property: Expr, value: Expr, mode: AddMode, condition: Option<Box<Expr>> },
    /// `copy`.
    Copy { include: Expr, exclude: Option<Expr> },
    /// `remove`.
    Remove { pattern: Expr },
    /// `rename`.
    Rename { from: Expr, to: Expr },
    /// `merge` / `merge-union`.
    Merge { values: Expr, union: bool },
    /// `filter` / `discard`: stop unless the condition holds.
    Stop { condition: Option<Expr>, filter: bool },
    /// `if`, `case` and `case-eq` transforms.
    Branch(Box<Branch>),
    /// `create`.
    Create { values: Expr, span: Span },
    /// `create-child`.
    CreateChild { values: Expr, span: Span },
    /// `make-ni`.
    MakeNi { namespace: Expr, from: Expr, to: Option<Expr> },
    /// `fail!` / `trip!`.
    Fail { message: Expr, trip: bool, span: Span },
    /// `sleep!`.
    Sleep { seconds: Expr },
}

/// How `add`-like transforms treat an existing property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddMode {
    /// `add`: always set.
    Always,
    /// `default`: set only when the target lacks the property.
    IfMissing,
    /// `add-if` without a condition: set unless the value is `null`.
    IfNotNull,
    /// `add-if` with a condition (the condition expression).
    If,
}

/// The conditional transforms, normalised.
#[derive(Debug)]
pub struct Branch {
    /// `case-eq`'s value; `None` for `if`/`case`.
    pub subject: Option<Expr>,
    /// `(condition or match value, transforms)` in order.
    pub arms: Vec<(Expr, Vec<Transform>)>,
    /// The ELSE transforms (empty when absent).
    pub otherwise: Vec<Transform>,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// Its transforms in order.
    pub body: Vec<Transform>,
}
