//! Compile-time checks of a call's arguments against the builtin's signature.
//!
//! After the arity check, each argument is given its slot from the signature
//! (optional slots filled by argument count). A constant argument (one that compiled
//! to a constant: a literal, not a path or a call) in a checked slot is checked now,
//! so a wrong time zone name or a number as a format string is a diagnostic with a
//! span, even in a branch that never runs. See `builtins::constant_args` for which
//! slots are checked.

use crate::builtins::constant_args::{self, Problem};
use crate::builtins::signature::{self, Slot};
use crate::builtins::Builtin;
use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::{Node, Span};
use crate::value::Value;

use super::expr::Compiler;
use super::ir::Expr;

/// The diagnostic for an argument count the arity allows but the signature does not
/// (`dict` takes 0, 1 or an even number of arguments).
pub(super) fn no_layout(builtin: &Builtin, n: usize, span: Span) -> Option<Diagnostic> {
    let sig = signature::of(builtin)?;
    if sig.layout(n).is_some() {
        return None;
    }
    Some(
        Diagnostic::new(codes::ARITY, format!("`{}` cannot take {n} arguments", builtin.name))
            .at(span, "in this call")
            .help(signature_help(builtin)),
    )
}

impl Compiler {
    /// Checks the constant arguments of a call; every wrong one is reported.
    pub(super) fn check_constant_arguments(&mut self, builtin: &'static Builtin, nodes: &[Node], args: &[Expr]) {
        let Some(slots) = signature::of(builtin).and_then(|s| s.layout(args.len())) else { return };
        for (i, ((node, arg), slot)) in nodes.iter().zip(args).zip(slots).enumerate() {
            let Expr::Const(v) = arg else { continue };
            if let Err(problem) = constant_args::check(builtin, slot, v) {
                self.diagnostics.push(wrong_constant(builtin, slot, i, v, problem, node.span));
            }
        }
    }
}

fn wrong_constant(builtin: &Builtin, slot: &Slot, i: usize, v: &Value, problem: Problem, span: Span) -> Diagnostic {
    let name = builtin.name;
    let slot_name = slot.name.map_or_else(|| format!("argument {}", i + 1), str::to_string);
    let expected = slot.kinds_text();
    match problem {
        Problem::Kind => Diagnostic::new(
            codes::ARGUMENT_KIND,
            format!("`{name}` needs {} as {slot_name}, not {}", with_article(&expected.replace('|', " or ")), found(v)),
        )
        .at(span, format!("{slot_name} must be {expected}"))
        .help(signature_help(builtin)),
        Problem::Value(why) => Diagnostic::new(codes::ARGUMENT_KIND, format!("`{name}`: {why}"))
            .at(span, format!("this {slot_name} is not usable"))
            .help(signature_help(builtin)),
    }
}

fn signature_help(builtin: &Builtin) -> String {
    format!("signature: {} {}", builtin.name, builtin.signature)
}

/// What a wrong constant is, for a message: `an integer`, `the string "md5"`.
fn found(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("the string \"{s}\""),
        other => with_article(other.type_name()),
    }
}

/// "a string", "an integer", "\"murmur3\"".
fn with_article(kind: &str) -> String {
    if kind.starts_with('"') {
        kind.to_string()
    } else if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}
