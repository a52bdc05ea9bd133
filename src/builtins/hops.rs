//! The hops family: `hops`, `apply-hops` and `lookup-entity` (dataset access).

use crate::compile::ir::Special;
use crate::eval::hops::{dataset_error, missing_dataset, run};
use crate::eval::run::apply_rule;
use crate::eval::{Env, EvalResult};
use crate::value::Value;

use super::support::map_values;
use super::{Args, Builtin, Family, Form};

fn hops(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Special::Hops(plan) = &args.call().special else { unreachable!("hops is compiled with its plan") };
    Ok(Value::list(run(plan, env, args.span())?))
}

fn apply_hops(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Special::Hops(plan) = &args.call().special else { unreachable!("apply-hops is compiled with its plan") };
    let rule = plan.rule.expect("apply-hops is compiled with its rule");
    let mut out = Vec::new();
    for value in run(plan, env, args.span())? {
        if let Some(target) = apply_rule(env, rule, &value)? {
            out.push(target);
        }
    }
    Ok(Value::list(out))
}

fn lookup_entity(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let dataset = match args.eval(0, env)? {
        Value::Str(s) => s,
        other => return Err(args.error(format!("the dataset id must be a string, not {}", other.type_name()))),
    };
    let Some(data) = env.state.datasets.filter(|d| d.has_dataset(&dataset)) else {
        return Err(missing_dataset(&dataset, args.span()));
    };
    let ids = args.eval(1, env)?;
    let mut failed = None;
    let found = map_values(&ids, |id| match id {
        Value::Str(id) => data.lookup(&dataset, id).unwrap_or_else(|e| {
            failed.get_or_insert(e);
            None
        }),
        _ => None,
    });
    match failed {
        Some(e) => Err(dataset_error(&dataset, e, args.span())),
        None => Ok(found),
    }
}

/// The hops family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "hops",
        family: Family::Hops,
        signature: "HOPS_SPEC(dict{>=1})",
        summary: "Joins the source entity to entities of other datasets and gives the matches (a list).",
        min_args: 1,
        max_args: None,
        form: Form::Hops,
        examples: &[],
        eval: hops,
    },
    Builtin {
        name: "apply-hops",
        family: Family::Hops,
        signature: "RULE_ID(string{1}), HOPS_SPEC(dict{>=1})",
        summary: "Runs the named rule on every result of the hops and gives the resulting targets.",
        min_args: 2,
        max_args: None,
        form: Form::ApplyHops,
        examples: &[],
        eval: apply_hops,
    },
    Builtin {
        name: "lookup-entity",
        family: Family::Hops,
        signature: "DATASET_ID(string{1}), ENTITY_ID(string{1})",
        summary: "The entity with that `_id` in the dataset (latest, not deleted), or null.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[],
        eval: lookup_entity,
    },
];
