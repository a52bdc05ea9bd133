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
    /// `hops`/`apply-hops`: the compiled specifications.
    Hops(Box<HopsPlan>),
}

/// A compiled `hops` (or `apply-hops`) call: its specifications, run in a chain.
#[derive(Debug)]
pub struct HopsPlan {
    /// The specifications; the output of one is the input (`_S`) of the next.
    pub specs: Vec<HopsSpec>,
    /// `apply-hops`: the rule applied to every result.
    pub rule: Option<usize>,
}

/// One HOPS_SPEC dict, planned: the joins in the order they bind aliases, and the
/// filters placed right after the step that binds the last alias they need.
#[derive(Debug)]
pub struct HopsSpec {
    /// The datasets, in `datasets` order (alias `i` is `Var::Alias(i)`).
    pub datasets: Vec<HopsDataset>,
    /// The joins, each binding one new alias from an already bound one (or `_S`).
    pub steps: Vec<JoinStep>,
    /// `filters[k]`: the filters that can run once the first `k` steps have bound their aliases.
    pub filters: Vec<Vec<HopsFilter>>,
    /// What the spec gives.
    pub ret: HopsReturn,
    /// `recurse`.
    pub recurse: bool,
    /// `max_depth` (`None`: unbounded).
    pub max_depth: Option<u64>,
    /// `exclude_root`.
    pub exclude_root: bool,
    /// `track-dependencies` (kept for the pipe engine; joins do not depend on it).
    pub track_dependencies: bool,
    /// `trace` (kept for the pipe engine).
    pub trace: Option<String>,
}

/// One entry of `datasets`.
#[derive(Debug)]
pub struct HopsDataset {
    /// The dataset id.
    pub name: Str,
    /// The alias the clauses use.
    pub alias: String,
    /// `subsets`: the entities of the dataset that take part.
    pub subset: Option<Subset>,
}

/// A subset: the entities whose `expr` (with `_S` = the entity) shares a value with `value`.
#[derive(Debug)]
pub struct Subset {
    /// The index expression.
    pub expr: Expr,
    /// The literal it must match.
    pub value: Value,
}

/// A join that binds alias `alias`: its entities whose `key` shares a value with
/// `from` (evaluated over the bound side) join.
#[derive(Debug)]
pub struct JoinStep {
    /// The alias it binds.
    pub alias: usize,
    /// The side over `_S` or an already bound alias.
    pub from: Expr,
    /// The side over the new alias (what the index holds).
    pub key: Expr,
    /// Identifies the index of (`key`, subset) over the dataset, unique in the process.
    pub index_id: u64,
    /// The alias `from` reads (`None`: it reads `_S`).
    pub from_alias: Option<usize>,
    /// Identifies an index over `from` (dependency tracking walks joins backwards).
    pub from_index_id: u64,
}

/// A `where` condition that is not a join.
#[derive(Debug)]
pub enum HopsFilter {
    /// A condition that must be truthy.
    Condition(Expr),
    /// A join between two aliases bound by other joins: the sides must share a value.
    Overlap(Expr, Expr),
}

/// The `return` of a spec.
#[derive(Debug)]
pub enum HopsReturn {
    /// The entities of these aliases (the last alias when `return` is absent).
    Aliases(Vec<usize>),
    /// An expression over the aliases, one result per row; `uses_source`: it reads `_S`.
    Expr { expr: Expr, uses_source: bool },
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
