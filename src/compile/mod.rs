//! The compiler: spanned syntax tree → IR ([`ir`]).
//!
//! Function names are resolved once, arities checked, paths pre-split and
//! literals decoded. Errors are collected, so a program with several mistakes
//! reports all of them.

mod argcheck;
mod expr;
mod hops;
pub(crate) mod ir;
mod path;
mod suggest;
pub(crate) mod tracking;
mod transform;

use std::collections::HashMap;

use crate::diagnostic::{codes, Diagnostic, Diagnostics, Source};
use crate::syntax::{Node, NodeKind};
use crate::value::Str;

pub use suggest::closest as suggest;
pub use transform::{TransformInfo, TRANSFORMS};

/// Settings of the DTL transform that change how rules run.
#[derive(Clone, Debug)]
pub struct ProgramConfig {
    /// Fail when an emitted entity lacks a string `_id` (default true).
    pub id_required: bool,
    /// Only transform entities whose `key` matches `pattern`; pass others through.
    pub trigger_on: Option<Trigger>,
    /// The pipe's namespaced-identifier settings, when `namespaced_identifiers` is on.
    pub namespaces: Option<Namespaces>,
}

impl Default for ProgramConfig {
    fn default() -> Self {
        ProgramConfig { id_required: true, trigger_on: None, namespaces: None }
    }
}

/// The current namespaces of a pipe with namespaced identifiers (both default to the pipe id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespaces {
    /// Prefixed to `_id` values (`namespaces.identity`).
    pub identity: String,
    /// Prefixed to property names (`namespaces.property`).
    pub property: String,
}

/// `trigger_on`: a property path and a wildcard pattern.
#[derive(Clone, Debug)]
pub struct Trigger {
    /// The path into the source entity.
    pub key: Vec<Str>,
    /// The pattern its value must match.
    pub pattern: String,
}

/// A compiled DTL program: its rules, `default` first. `Send + Sync`: compile once,
/// transform from many threads.
#[derive(Debug)]
pub struct Program {
    pub(crate) rules: Vec<ir::Rule>,
    pub(crate) config: ProgramConfig,
    pub(crate) source: Source,
    /// Whether it calls `is-changed`, which compares with the previous version.
    pub(crate) uses_is_changed: bool,
}

impl Program {
    /// Whether running it needs the previous version of each source entity
    /// (it calls `is-changed`); callers may skip looking that version up otherwise.
    pub fn needs_previous_version(&self) -> bool {
        self.uses_is_changed
    }

    /// Compiles a rules object (`{"default": [...], "other": [...]}`).
    pub fn compile(rules: &Node, config: ProgramConfig, source: &Source) -> Result<Program, Diagnostics> {
        let NodeKind::Object(entries) = &rules.kind else {
            return Err(Diagnostic::new(codes::PROGRAM_SHAPE, "the rules must be an object of named rules")
                .at(rules.span, format!("this is {}", rules.kind_name()))
                .help("write `{\"default\": [ ...transforms... ]}`")
                .in_source(source)
                .into());
        };
        // The last definition of a repeated rule name wins, as in Sesam's JSON reader.
        let mut order: Vec<&str> = Vec::new();
        let mut bodies: HashMap<&str, &Node> = HashMap::default();
        for (key, body) in entries {
            if bodies.insert(&key.name, body).is_none() {
                order.push(&key.name);
            }
        }
        let Some(default_pos) = order.iter().position(|n| *n == "default") else {
            return Err(Diagnostic::new(codes::NO_DEFAULT_RULE, "the program has no `default` rule")
                .at(rules.span, "these rules")
                .help("every DTL program needs a rule called `default`: it runs for every entity")
                .in_source(source)
                .into());
        };
        order.swap(0, default_pos);
        let rule_index: HashMap<String, usize> = order.iter().enumerate().map(|(i, n)| (n.to_string(), i)).collect();
        let mut compiler = expr::Compiler::new(rule_index);
        let rules = order
            .iter()
            .map(|name| ir::Rule { name: name.to_string(), body: compiler.rule_body(bodies[name]) })
            .collect();
        let uses_is_changed = compiler.uses_is_changed;
        compiler.finish().map_err(|d| d.in_source(source))?;
        Ok(Program { rules, config, source: source.clone(), uses_is_changed })
    }

    /// Compiles `.dtl` text (a file of `(rule NAME ...)` forms). `name` labels diagnostics.
    pub fn from_dtl_str(name: &str, text: &str) -> Result<Program, Diagnostics> {
        let src = crate::diagnostic::source(name, text);
        let rules = crate::syntax::parse_dtl(text).map_err(|d| d.in_source(&src))?;
        Program::compile(&rules, ProgramConfig::default(), &src)
    }

    /// Compiles JSON DTL rules (`{"default": [...], ...}`). `name` labels diagnostics.
    pub fn from_json_str(name: &str, text: &str) -> Result<Program, Diagnostics> {
        let src = crate::diagnostic::source(name, text);
        let rules = crate::syntax::parse_json(text).map_err(|d| Diagnostics::from(d.in_source(&src)))?;
        Program::compile(&rules, ProgramConfig::default(), &src)
    }

    /// Compiles a single expression (for `dtl eval`), with no rules to apply.
    pub fn compile_expression(expr: &Node, source: &Source) -> Result<Expression, Diagnostics> {
        Program::compile_expression_with(expr, ProgramConfig::default(), source)
    }

    /// Compiles a single expression that runs under `config` (e.g. with namespaced identifiers).
    pub fn compile_expression_with(
        expr: &Node,
        config: ProgramConfig,
        source: &Source,
    ) -> Result<Expression, Diagnostics> {
        let mut compiler = expr::Compiler::new(HashMap::default());
        let compiled = compiler.expr(expr);
        let uses_is_changed = compiler.uses_is_changed;
        compiler.finish().map_err(|d| d.in_source(source))?;
        let program = Program {
            rules: vec![ir::Rule { name: "default".into(), body: Vec::new() }],
            config,
            source: source.clone(),
            uses_is_changed,
        };
        Ok(Expression { expr: compiled, program })
    }

    /// The names of the rules, `default` first.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }

    /// The transform's settings.
    pub fn config(&self) -> &ProgramConfig {
        &self.config
    }
}

/// A compiled stand-alone expression.
#[derive(Debug)]
pub struct Expression {
    pub(crate) expr: ir::Expr,
    pub(crate) program: Program,
}

// Checked here so a change that breaks thread-sharing fails to build.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Program>();
    assert_send_sync::<Expression>();
};
