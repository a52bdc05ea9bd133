//! The native function library, one file per family.
//!
//! Every builtin describes itself ([`Builtin`]): name, family, signature in the
//! docs' notation, arity, a one-line summary and examples. The examples run as
//! tests, and `dtl functions` / `dtl help NAME` print the descriptions.
//!
//! A builtin receives its arguments *unevaluated* ([`Args`]) so that lazy
//! arguments (conditionals, `coalesce-args`) and function-expressions (evaluated
//! per element with `_` bound) need no special machinery: most builtins just call
//! [`Args::eval`] on each argument.

mod arith;
mod booleans;
mod bytes;
mod compare;
mod conditionals;
pub mod constant_args;
mod crypto;
mod crypto_pgp;
mod datetime;
pub(crate) mod datetime_civil;
mod datetime_format;
mod dicts;
mod hops;
mod json;
mod lists;
mod lists_index;
mod lists_order;
mod logic;
mod math;
mod misc;
mod ni;
mod nulls;
mod numbers;
mod phone;
mod sets;
pub mod signature;
mod strings;
mod support;
mod uris;
mod uuids;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use compare::list_equal;
pub use support::Args;

use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// The family a builtin belongs to (the docs' grouping; `dtl functions` lists by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `if`, `case`, `case-eq`.
    Conditionals,
    /// `and`, `or`, `not`, `all`, `any`.
    Logic,
    /// `boolean`, `is-boolean`.
    Booleans,
    /// `eq`, `neq`, `gt`, `gte`, `lt`, `lte`.
    Comparisons,
    /// `coalesce`, `if-null`, `is-null`, ...
    Nulls,
    /// `json`, `json-parse`, ...
    Json,
    /// `hash128`, `literal`, `tuples`, ...
    Misc,
    /// List functions.
    Lists,
    /// Dictionary functions.
    Dicts,
    /// Set functions.
    Sets,
    /// String functions.
    Strings,
    /// Number conversions and predicates.
    Numbers,
    /// Arithmetic.
    Math,
    /// Dates and times.
    DateTime,
    /// Bytes and base64.
    Bytes,
    /// URIs.
    Uris,
    /// UUIDs.
    Uuids,
    /// Phone numbers.
    Phone,
    /// Namespaced identifiers.
    Ni,
    /// Encryption.
    Crypto,
    /// Hops and dataset lookups.
    Hops,
}

impl Family {
    /// The heading `dtl functions` prints.
    pub fn title(self) -> &'static str {
        match self {
            Family::Conditionals => "conditionals",
            Family::Logic => "boolean logic",
            Family::Booleans => "booleans",
            Family::Comparisons => "comparisons",
            Family::Nulls => "nulls",
            Family::Json => "json",
            Family::Misc => "misc",
            Family::Lists => "lists",
            Family::Dicts => "dictionaries",
            Family::Sets => "sets",
            Family::Strings => "strings",
            Family::Numbers => "numbers",
            Family::Math => "math",
            Family::DateTime => "date and time",
            Family::Bytes => "bytes",
            Family::Uris => "uris",
            Family::Uuids => "uuids",
            Family::Phone => "phone numbers",
            Family::Ni => "namespaced identifiers",
            Family::Crypto => "encryption",
            Family::Hops => "hops",
        }
    }
}

/// How the compiler must treat a builtin's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Every argument is an expression.
    Plain,
    /// `literal`: the argument is data, not evaluated.
    Literal,
    /// `apply`: the first argument names a rule.
    Apply,
    /// `apply-hops`: a rule name, then hops specifications.
    ApplyHops,
    /// `hops`: hops specifications.
    Hops,
}

/// The function that evaluates a call.
pub type EvalFn = fn(&Args<'_>, &Env<'_>) -> EvalResult<Value>;

/// A documented example: an expression (JSON DTL) and its result in wire JSON.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// The expression, as JSON DTL text.
    pub expr: &'static str,
    /// The expected result, as wire JSON text.
    pub result: &'static str,
}

/// A builtin function's description and implementation.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    /// The name DTL calls it by.
    pub name: &'static str,
    /// Its family.
    pub family: Family,
    /// The signature in the docs' notation, e.g. `FUNCTION(function-expression{0|1}) VALUES(value-expression{1})`.
    pub signature: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// The fewest arguments it takes.
    pub min_args: usize,
    /// The most arguments it takes (`None`: no limit).
    pub max_args: Option<usize>,
    /// How its arguments are compiled.
    pub form: Form,
    /// Examples that run as tests.
    pub examples: &'static [Example],
    /// The implementation.
    pub eval: EvalFn,
}

impl Builtin {
    /// A builtin whose arguments are all expressions ([`Form::Plain`]), taking
    /// `arity.0` to `arity.1` of them (`None`: no limit).
    pub const fn plain(
        name: &'static str,
        family: Family,
        signature: &'static str,
        arity: (usize, Option<usize>),
        summary: &'static str,
        examples: &'static [Example],
        eval: EvalFn,
    ) -> Builtin {
        let (min_args, max_args) = arity;
        Builtin { name, family, signature, summary, min_args, max_args, form: Form::Plain, examples, eval }
    }

    /// The arity as the docs would say it ("2", "1–2", "at least 1").
    pub fn arity_text(&self) -> String {
        match self.max_args {
            Some(max) if max == self.min_args => format!("{max}"),
            Some(max) => format!("{}–{}", self.min_args, max),
            None => format!("at least {}", self.min_args),
        }
    }
}

/// Every family's builtins (a slice, so adding a family touches one line).
const FAMILIES: &[&[Builtin]] = &[
    conditionals::BUILTINS,
    logic::BUILTINS,
    booleans::BUILTINS,
    compare::BUILTINS,
    nulls::BUILTINS,
    json::BUILTINS,
    misc::BUILTINS,
    lists::BUILTINS,
    lists_index::BUILTINS,
    lists_order::BUILTINS,
    sets::BUILTINS,
    dicts::BUILTINS,
    strings::BUILTINS,
    bytes::BUILTINS,
    uris::BUILTINS,
    uuids::BUILTINS,
    ni::BUILTINS,
    numbers::BUILTINS,
    math::BUILTINS,
    datetime::BUILTINS,
    hops::BUILTINS,
    phone::BUILTINS,
    crypto::BUILTINS,
    crypto_pgp::BUILTINS,
];

fn registry() -> &'static HashMap<&'static str, &'static Builtin> {
    static REGISTRY: OnceLock<HashMap<&'static str, &'static Builtin>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut map = HashMap::default();
        for family in FAMILIES {
            for b in family.iter() {
                let previous = map.insert(b.name, b);
                assert!(previous.is_none(), "builtin {} registered twice", b.name);
            }
        }
        map
    })
}

/// The builtin called `name`, if there is one.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    registry().get(name).copied()
}

/// Every builtin, sorted by family then name.
pub fn all() -> Vec<&'static Builtin> {
    let mut list: Vec<_> = registry().values().copied().collect();
    list.sort_by_key(|b| (b.family, b.name));
    list
}

/// Every builtin name (for "did you mean" suggestions).
pub fn names() -> impl Iterator<Item = &'static str> {
    registry().keys().copied()
}
