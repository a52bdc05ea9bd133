//! Compiling expressions: strings become paths or constants, arrays become calls,
//! objects become constant dicts.

use std::collections::HashMap;

use crate::builtins::{self, Form};
use crate::diagnostic::{codes, Diagnostic, Diagnostics};
use crate::syntax::{Node, NodeKind, Span};
use crate::value::{wire, Map, Str, Value};

use super::argcheck;
use super::ir::{Call, Expr, Path, Special, Var};
use super::path::split_steps;
use super::suggest::closest;
use super::transform::TRANSFORMS;

/// Compilation state: the rules that can be applied, the hops aliases in scope,
/// and the diagnostics found so far.
pub struct Compiler {
    pub(super) rule_index: HashMap<String, usize>,
    pub(super) aliases: Vec<Vec<String>>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Whether an `is-changed` call was compiled (the run then needs previous versions).
    pub(super) uses_is_changed: bool,
}

impl Compiler {
    pub fn new(rule_index: HashMap<String, usize>) -> Compiler {
        Compiler { rule_index, aliases: Vec::new(), diagnostics: Vec::new(), uses_is_changed: false }
    }

    /// All diagnostics, or `Ok` when there were none.
    pub fn finish(self) -> Result<(), Diagnostics> {
        if self.diagnostics.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(self.diagnostics))
        }
    }

    pub(super) fn error(&mut self, d: Diagnostic) -> Expr {
        self.diagnostics.push(d);
        Expr::Const(Value::Null)
    }

    /// Compiles an expression.
    pub fn expr(&mut self, node: &Node) -> Expr {
        match &node.kind {
            NodeKind::Str(s) => self.string(s, node.span),
            NodeKind::Array(items) => self.call(items, node.span),
            _ => match literal_value(node) {
                Ok(v) => Expr::Const(v),
                Err(d) => self.error(d),
            },
        }
    }

    /// A string in expression position: a path when it starts with a bound variable, else literal text.
    fn string(&mut self, s: &str, span: Span) -> Expr {
        let Some((head, rest)) = s.split_once('.') else {
            return Expr::Const(wire::decode_string(s));
        };
        let Some(var) = self.variable(head) else {
            return Expr::Const(wire::decode_string(s));
        };
        match split_steps(rest) {
            Ok(steps) => Expr::Path(Box::new(Path { var, steps: steps.into_boxed_slice() })),
            Err(offset) => {
                let at = span.start + 1 + head.len() + 1 + offset;
                self.error(
                    Diagnostic::new(codes::BAD_PATH, format!("unbalanced quote in the path \"{s}\""))
                        .at(Span::new(at.min(span.end), (at + 1).min(span.end)), "this quote is not closed")
                        .help("a quoted path element must start and end with `'` (write `''` for a quote inside it)"),
                )
            }
        }
    }

    fn variable(&self, name: &str) -> Option<Var> {
        Some(match name {
            "_S" => Var::Source,
            "_T" => Var::Target,
            "_P" => Var::Parent,
            "_R" => Var::Root,
            "_B" => Var::Params,
            "_" => Var::Current,
            alias => {
                let scope = self.aliases.last()?;
                Var::Alias(scope.iter().position(|a| a == alias)?)
            }
        })
    }

    fn call(&mut self, items: &[Node], span: Span) -> Expr {
        let Some((head, args)) = items.split_first() else {
            return self.error(
                Diagnostic::new(codes::ARGUMENT_KIND, "an empty list is not an expression")
                    .at(span, "a list in expression position is a function call")
                    .help("write `[\"list\"]` for an empty list"),
            );
        };
        let Some(name) = head.as_str() else {
            return self.error(
                Diagnostic::new(codes::ARGUMENT_KIND, "a list in expression position must start with a function name")
                    .at(head.span, format!("this is {}, not a function name", head.kind_name()))
                    .help("a JSON list is always a function call; write `[\"list\", ...]` for a list of values"),
            );
        };
        let Some(builtin) = builtins::lookup(name) else {
            if TRANSFORMS.iter().any(|t| t.name == name) {
                return self.error(
                    Diagnostic::new(
                        codes::TRANSFORM_AS_EXPRESSION,
                        format!("`{name}` is a transform, not an expression function"),
                    )
                    .at(head.span, "a transform cannot produce a value")
                    .help("transforms go directly in a rule's list (or in THEN/ELSE of `if`/`case`)"),
                );
            }
            return self.error(unknown_function(name, head.span));
        };
        self.uses_is_changed |= builtin.name == "is-changed";
        if args.len() < builtin.min_args || builtin.max_args.is_some_and(|m| args.len() > m) {
            return self.error(
                Diagnostic::new(
                    codes::ARITY,
                    format!(
                        "`{name}` takes {} argument{}, but {} {} given",
                        builtin.arity_text(),
                        plural(builtin.arity_text() == "1"),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .at(span, "in this call")
                .help(format!("signature: {name} {}", builtin.signature)),
            );
        }
        if let Some(d) = argcheck::no_layout(builtin, args.len(), span) {
            return self.error(d);
        }
        let (args, special) = match builtin.form {
            Form::Plain => {
                let compiled = args.iter().map(|a| self.expr(a)).collect::<Vec<_>>();
                self.check_constant_arguments(builtin, args, &compiled);
                (compiled, Special::None)
            }
            Form::Literal => match literal_value(&args[0]) {
                Ok(v) => return Expr::Const(v),
                Err(d) => return self.error(d),
            },
            Form::Apply => {
                let rule = self.rule_ref(&args[0]);
                (vec![Expr::Const(Value::Null), self.expr(&args[1])], Special::Rule(rule))
            }
            Form::Hops => (Vec::new(), self.hops_plan(args, None)),
            Form::ApplyHops => {
                let rule = self.rule_ref(&args[0]);
                (Vec::new(), self.hops_plan(&args[1..], Some(rule)))
            }
        };
        Expr::Call(Box::new(Call { builtin, args: args.into_boxed_slice(), span, special }))
    }

    /// Resolves a rule name argument of `apply`/`apply-hops`.
    fn rule_ref(&mut self, node: &Node) -> usize {
        let Some(name) = node.as_str() else {
            self.error(
                Diagnostic::new(codes::ARGUMENT_KIND, "the rule to apply must be named by a string")
                    .at(node.span, format!("this is {}", node.kind_name())),
            );
            return 0;
        };
        if let Some(i) = self.rule_index.get(name) {
            return *i;
        }
        let mut d = Diagnostic::new(codes::UNKNOWN_RULE, format!("there is no rule called `{name}`"))
            .at(node.span, "unknown rule");
        let names: Vec<&str> = self.rule_index.keys().map(String::as_str).collect();
        d = match closest(name, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if names.is_empty() => d.help("`apply` needs a program with named rules"),
            None => d.help(format!("the rules are: {}", sorted(names).join(", "))),
        };
        self.error(d);
        0
    }
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v
}

fn plural(one: bool) -> &'static str {
    if one {
        ""
    } else {
        "s"
    }
}

/// The diagnostic for a call to an unknown function.
pub fn unknown_function(name: &str, span: Span) -> Diagnostic {
    let candidates = builtins::names().chain(TRANSFORMS.iter().map(|t| t.name));
    let d =
        Diagnostic::new(codes::UNKNOWN_FUNCTION, format!("unknown function `{name}`")).at(span, "not a DTL function");
    match closest(name, candidates) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("`dtl functions` lists every function"),
    }
}

/// A node taken as data: numbers and strings decoded (`~` tags), arrays and objects as values.
pub fn literal_value(node: &Node) -> Result<Value, Diagnostic> {
    Ok(match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Number(text) => {
            let is_float = text.contains(['.', 'e', 'E']);
            match wire::number_from_text(text, is_float) {
                Value::Null => {
                    return Err(Diagnostic::new(codes::BAD_NUMBER, format!("`{text}` is not a number"))
                        .at(node.span, "cannot read this number"))
                }
                v => v,
            }
        }
        NodeKind::Str(s) => wire::decode_string(s),
        NodeKind::Array(items) => Value::list(items.iter().map(literal_value).collect::<Result<_, _>>()?),
        NodeKind::Object(entries) => {
            let mut map = Map::default();
            for (k, v) in entries {
                map.insert(Str::from(k.name.as_str()), literal_value(v)?);
            }
            Value::dict(map)
        }
    })
}
