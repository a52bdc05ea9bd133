//! `if`, `case`, `case-eq` as expressions (the transform forms live in the compiler).

use super::compare::list_equal;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

fn if_(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    if args.eval(0, env)?.is_truthy() {
        args.eval(1, env)
    } else if args.len() > 2 {
        args.eval(2, env)
    } else {
        Ok(Value::Null)
    }
}

fn case(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let pairs = args.len() / 2;
    for p in 0..pairs {
        if args.eval(2 * p, env)?.is_truthy() {
            return args.eval(2 * p + 1, env);
        }
    }
    if args.len() % 2 == 1 {
        args.eval(args.len() - 1, env)
    } else {
        Ok(Value::Null)
    }
}

fn case_eq(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let subject = args.eval(0, env)?;
    let rest = args.len() - 1;
    for p in 0..rest / 2 {
        if list_equal(&subject, &args.eval(1 + 2 * p, env)?) {
            return args.eval(2 + 2 * p, env);
        }
    }
    if rest % 2 == 1 {
        args.eval(args.len() - 1, env)
    } else {
        Ok(Value::Null)
    }
}

/// The conditionals family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "if",
        family: Family::Conditionals,
        signature: "CONDITION(boolean-expression{1}), THEN(value-expression{1}), ELSE(value-expression{0|1})",
        summary: "THEN's value when the condition is true, else ELSE's (or null).",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["if", ["gt", 43, 42], 1, 2]"#, result: "1" },
            Example { expr: r#"["if", false, 1]"#, result: "null" },
        ],
        eval: if_,
    },
    Builtin {
        name: "case",
        family: Family::Conditionals,
        signature: "(VALUE(value-expression{1}), THEN(value-expression{1}))+, ELSE(value-expression{0|1})",
        summary: "The THEN of the first true condition, else ELSE (or null).",
        min_args: 2,
        max_args: None,
        form: Form::Plain,
        examples: &[Example { expr: r#"["case", false, "a", true, "b", "c"]"#, result: r#""b""# }],
        eval: case,
    },
    Builtin {
        name: "case-eq",
        family: Family::Conditionals,
        signature: "VALUE(value-expression{1}), (VALUE_N(value-expression{1}), THEN(value-expression{1}))+, ELSE(value-expression{0|1})",
        summary: "The THEN of the first VALUE_N equal to VALUE, else ELSE (or null).",
        min_args: 3,
        max_args: None,
        form: Form::Plain,
        examples: &[Example { expr: r#"["case-eq", "SE", "NO", "Norway", "SE", "Sweden", "Other"]"#, result: r#""Sweden""# }],
        eval: case_eq,
    },
];
