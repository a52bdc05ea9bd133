//! What builtins share: the argument accessor and the element-wise mapping rules.

use crate::compile::ir::{Call, Expr};
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::{Env, EvalResult};
use crate::syntax::Span;
use crate::value::Value;

/// A call's unevaluated arguments.
pub struct Args<'a> {
    pub(crate) call: &'a Call,
}

impl<'a> Args<'a> {
    /// How many arguments the call has.
    pub fn len(&self) -> usize {
        self.call.args.len()
    }

    /// Whether the call has no arguments.
    pub fn is_empty(&self) -> bool {
        self.call.args.is_empty()
    }

    /// Evaluates argument `i`.
    pub fn eval(&self, i: usize, env: &Env<'_>) -> EvalResult<Value> {
        self.call.args[i].eval(env)
    }

    /// Evaluates argument `i` as a function-expression, with `_` bound to `current`.
    pub fn eval_with(&self, i: usize, env: &Env<'_>, current: &Value) -> EvalResult<Value> {
        self.call.args[i].eval(&env.with_current(current))
    }

    /// Argument `i`, if it is a constant.
    pub fn constant(&self, i: usize) -> Option<&'a Value> {
        match &self.call.args[i] {
            Expr::Const(v) => Some(v),
            _ => None,
        }
    }

    /// The call (for the special forms that carry compiled data).
    pub(crate) fn call(&self) -> &'a Call {
        self.call
    }

    /// Where the call was written.
    pub fn span(&self) -> Span {
        self.call.span
    }

    /// A run-time error pointing at this call.
    pub fn error(&self, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::new(codes::RUNTIME, message)
                .at(self.call.span, format!("in this `{}`", self.call.builtin.name)),
        )
    }
}

/// Applies `f` element-wise: a list gives a list of the results that are `Some`
/// (the others are dropped); a single value gives its result or `null`.
/// Only the top-level list is mapped (nested lists are single elements).
pub fn map_values(values: &Value, mut f: impl FnMut(&Value) -> Option<Value>) -> Value {
    match values {
        Value::List(items) => Value::list(items.iter().filter_map(f).collect()),
        single => f(single).unwrap_or(Value::Null),
    }
}

/// Like [`map_values`], but an element `f` cannot handle is replaced by the
/// default-value expression in argument `default` (evaluated with `_` = the element)
/// when the call has one, instead of being dropped.
pub fn map_values_or_default(
    args: &Args<'_>,
    env: &Env<'_>,
    default: Option<usize>,
    values: &Value,
    mut f: impl FnMut(&Value) -> Option<Value>,
) -> EvalResult<Value> {
    let Some(default) = default else {
        return Ok(map_values(values, f));
    };
    let mut convert = |v: &Value| -> EvalResult<Value> {
        match f(v) {
            Some(out) => Ok(out),
            None => args.eval_with(default, env, v),
        }
    };
    match values {
        Value::List(items) => Ok(Value::list(items.iter().map(&mut convert).collect::<EvalResult<Vec<_>>>()?)),
        Value::Null => Ok(Value::Null),
        single => convert(single),
    }
}

/// What the builtins' unit tests share.
#[cfg(test)]
pub(super) mod testing {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::{equal, wire, Value};

    /// Evaluates a JSON DTL expression against an empty entity: `Ok(wire JSON)`, or
    /// `Err` with the text of a compile-time or run-time error.
    pub fn run(expr: &str) -> Result<String, String> {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let src = source("test", expr);
        let compiled = Program::compile_expression(&Node::from_json(&json), &src).map_err(|e| e.to_string())?;
        let empty = Value::dict(Default::default());
        compiled.evaluate(&empty, &empty).map(|v| v.to_string()).map_err(|e| e.to_string())
    }

    /// Asserts that `expr` evaluates to a value equal to, and of the type of, `expected` (wire JSON).
    pub fn check(expr: &str, expected: &str) {
        let got = run(expr).unwrap_or_else(|e| panic!("{expr} failed: {e}"));
        let (g, e) = (wire::parse(got.as_bytes()).unwrap(), wire::parse(expected.as_bytes()).unwrap());
        assert!(equal(&g, &e) && g.type_name() == e.type_name(), "{expr} gave {got}, expected {expected}");
    }
}
