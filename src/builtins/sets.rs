//! Set functions (`difference`, `intersection`, `intersects`, `union`) and
//! [`ValueIndex`], the hashed membership index the list functions share.
//!
//! Membership is [`equal`]: numbers compare by value across integer, float and
//! decimal, dicts regardless of key order, and a string never equals a URI or NI.
//! The hash below agrees with that equality, so deduplicating is linear time.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use num_traits::ToPrimitive;

use super::{Args, Builtin, EvalFn, Example, Family};
use crate::eval::{Env, EvalResult};
use crate::value::{equal, Number, Value};

/// Integers below this magnitude are hashed as `i64`; every number of that
/// magnitude that is integral hashes the same way whatever its type.
const SMALL: u64 = 1 << 53;

/// Feeds a number into `h` so that numbers [`equal`] calls equal hash alike.
fn hash_number(n: Number<'_>, h: &mut impl Hasher) {
    match n {
        Number::Int(i) if i.unsigned_abs() < SMALL => {
            0u8.hash(h);
            i.hash(h);
            return;
        }
        // A NaN equals nothing, so any hash will do.
        Number::Float(f) if f.is_nan() => return 3u8.hash(h),
        Number::Float(f) if f.is_infinite() => {
            2u8.hash(h);
            return (f > 0.0).hash(h);
        }
        Number::Float(f) if f.fract() == 0.0 && f.abs() < SMALL as f64 => {
            0u8.hash(h);
            return (f as i64).hash(h);
        }
        _ => {}
    }
    // Everything else compares through its exact decimal value (a float through
    // its shortest text), so hash the normalised decimal.
    let Some(d) = n.to_decimal() else { return 3u8.hash(h) };
    if d.is_integer() {
        if let Some(i) = d.to_i64().filter(|i| i.unsigned_abs() < SMALL) {
            0u8.hash(h);
            return i.hash(h);
        }
    }
    let (digits, exponent) = d.normalized().into_bigint_and_exponent();
    1u8.hash(h);
    digits.hash(h);
    exponent.hash(h);
}

/// Feeds a kind tag and then `x` into `h`.
fn tagged(tag: u8, x: &impl Hash, h: &mut impl Hasher) {
    tag.hash(h);
    x.hash(h);
}

/// Feeds a value into `h`, consistently with [`equal`].
fn hash_value(v: &Value, h: &mut impl Hasher) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => tagged(1, b, h),
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Decimal(_) => {
            2u8.hash(h);
            if let Some(n) = Number::of(v) {
                hash_number(n, h);
            }
        }
        Value::Str(s) => tagged(3, s, h),
        Value::Uri(s) => tagged(4, s, h),
        Value::Ni(s) => tagged(5, s, h),
        Value::Uuid(u) => tagged(6, u, h),
        Value::Bytes(b) => tagged(7, b, h),
        Value::DateTime(dt) => tagged(8, &dt.epoch_nanos(), h),
        Value::Date(d) => tagged(9, d, h),
        Value::List(items) => {
            10u8.hash(h);
            items.len().hash(h);
            for item in items.iter() {
                hash_value(item, h);
            }
        }
        Value::Dict(map) => {
            // Key order does not matter for equality: combine the entries' hashes
            // with an order-independent sum.
            11u8.hash(h);
            map.len().hash(h);
            let mut sum = 0u64;
            for (k, item) in map.iter() {
                let mut eh = DefaultHasher::new();
                k.hash(&mut eh);
                hash_value(item, &mut eh);
                sum = sum.wrapping_add(eh.finish());
            }
            sum.hash(h);
        }
    }
}

fn hash_of(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    hash_value(v, &mut h);
    h.finish()
}

/// A set of distinct values (under [`equal`]), each numbered in insertion order.
#[derive(Default)]
pub(super) struct ValueIndex {
    buckets: HashMap<u64, Vec<(Value, usize)>>,
    len: usize,
}

impl ValueIndex {
    /// An empty index.
    pub(super) fn new() -> ValueIndex {
        ValueIndex::default()
    }

    /// An index of the values in `values` (G1-coerced).
    pub(super) fn of(values: &Value) -> ValueIndex {
        let mut index = ValueIndex::new();
        for v in values.iter_list() {
            index.insert(v);
        }
        index
    }

    /// The number of a value equal to `v`, if there is one.
    pub(super) fn find(&self, v: &Value) -> Option<usize> {
        self.buckets.get(&hash_of(v))?.iter().find(|(w, _)| equal(v, w)).map(|(_, i)| *i)
    }

    /// Whether a value equal to `v` is in the set.
    pub(super) fn contains(&self, v: &Value) -> bool {
        self.find(v).is_some()
    }

    /// Adds `v` unless an equal value is there; returns the number of the value
    /// and whether it was new.
    pub(super) fn insert(&mut self, v: &Value) -> (usize, bool) {
        let bucket = self.buckets.entry(hash_of(v)).or_default();
        if let Some((_, i)) = bucket.iter().find(|(w, _)| equal(v, w)) {
            return (*i, false);
        }
        let i = self.len;
        bucket.push((v.clone(), i));
        self.len += 1;
        (i, true)
    }
}

/// The elements of VALUES1 whose membership in VALUES2 is `member`, in order.
fn filter_by_membership(args: &Args<'_>, env: &Env<'_>, member: bool) -> EvalResult<Value> {
    let (values1, values2) = (args.eval(0, env)?, args.eval(1, env)?);
    let index = ValueIndex::of(&values2);
    Ok(Value::list(values1.iter_list().filter(|v| index.contains(v) == member).cloned().collect()))
}

fn difference(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    filter_by_membership(args, env, false)
}

fn intersection(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    filter_by_membership(args, env, true)
}

fn intersects(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let (values1, values2) = (args.eval(0, env)?, args.eval(1, env)?);
    let index = ValueIndex::of(&values2);
    Ok(Value::Bool(values1.iter_list().any(|v| index.contains(v))))
}

fn union(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let (values1, values2) = (args.eval(0, env)?, args.eval(1, env)?);
    let mut index = ValueIndex::new();
    let out = values1.iter_list().chain(values2.iter_list()).filter(|v| index.insert(v).1).cloned().collect();
    Ok(Value::list(out))
}

/// A set function: two value expressions.
const fn set_fn(name: &'static str, summary: &'static str, examples: &'static [Example], eval: EvalFn) -> Builtin {
    let signature = "VALUES1(value-expression{1}) VALUES2(value-expression{1})";
    Builtin::plain(name, Family::Sets, signature, (2, Some(2)), summary, examples, eval)
}

/// The sets family.
pub const BUILTINS: &[Builtin] = &[
    set_fn(
        "difference",
        "The elements of VALUES1 that are not in VALUES2, in order, duplicates kept.",
        &[
            Example {
                expr: r#"["difference", ["list", "D", "A", "D", "E", "B"], ["list", "A", "F", "B", "C"]]"#,
                result: r#"["D", "D", "E"]"#,
            },
            Example { expr: r#"["difference", "A", ["list", "B", "C"]]"#, result: r#"["A"]"# },
            Example { expr: r#"["difference", ["list", 1, 2.5, 3], ["list", 1.0, 3]]"#, result: "[2.5]" },
        ],
        difference,
    ),
    set_fn(
        "intersection",
        "The elements of VALUES1 that are also in VALUES2, in order, duplicates kept.",
        &[
            Example {
                expr: r#"["intersection", ["list", "B", "C", "B", "D", "A"], ["list", "A", "F", "B", "E", "C"]]"#,
                result: r#"["B", "C", "B", "A"]"#,
            },
            Example { expr: r#"["intersection", "A", ["list", "B", "C"]]"#, result: "[]" },
        ],
        intersection,
    ),
    set_fn(
        "intersects",
        "Whether VALUES1 and VALUES2 have an element in common.",
        &[
            Example { expr: r#"["intersects", "B", ["list", "B", "C"]]"#, result: "true" },
            Example { expr: r#"["intersects", null, ["list", "B", "C"]]"#, result: "false" },
        ],
        intersects,
    ),
    set_fn(
        "union",
        "VALUES1 followed by VALUES2, keeping only the first occurrence of each value.",
        &[
            Example {
                expr: r#"["union", ["list", "B", "C", "B", "D", "A"], ["list", "A", "F", "F", "B", "E"]]"#,
                result: r#"["B", "C", "D", "A", "F", "E"]"#,
            },
            Example { expr: r#"["union", "A", ["list", "B", "C"]]"#, result: r#"["A", "B", "C"]"# },
        ],
        union,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::wire;

    fn v(json: &str) -> Value {
        wire::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn equal_values_hash_alike() {
        let groups = [
            vec!["1", "1.0", "\"~f1\"", "\"~f1.000\""],
            vec!["0", "-0.0", "0.0", "\"~f0.00\""],
            vec!["0.1", "\"~f0.1\"", "\"~f0.10\""],
            vec!["9007199254740992", "9007199254740992.0", "\"~f9007199254740992\""],
            vec!["100000000000000000000000", "\"~f1E+23\"", "\"~f100000000000000000000000.0\""],
            vec!["1e300", "\"~f1E+300\""],
            vec![r#"{"a": 1, "b": [1, 2.0]}"#, r#"{"b": [1.0, 2], "a": "~f1"}"#],
        ];
        for group in groups {
            let values: Vec<Value> = group.iter().map(|t| v(t)).collect();
            for a in &values {
                for b in &values {
                    assert!(equal(a, b), "{a} should equal {b}");
                    assert_eq!(hash_of(a), hash_of(b), "{a} and {b} should hash alike");
                }
            }
        }
    }

    #[test]
    fn index_keeps_types_apart_and_numbers_together() {
        let mut index = ValueIndex::new();
        assert!(index.insert(&v("\"http://x\"")).1);
        assert!(index.insert(&v("\"~rhttp://x\"")).1);
        assert!(index.insert(&v("1")).1);
        assert!(!index.insert(&v("1.0")).1);
        assert!(index.insert(&v("true")).1);
        assert_eq!(index.find(&v("\"~f1.0\"")), Some(2));
        assert!(!index.contains(&v("\"~f1.5\"")));
    }

    #[test]
    fn nan_is_never_a_member() {
        let mut index = ValueIndex::new();
        let nan = Value::Float(f64::NAN);
        assert!(index.insert(&nan).1);
        assert!(index.insert(&nan).1);
        assert!(!index.contains(&nan));
    }
}
