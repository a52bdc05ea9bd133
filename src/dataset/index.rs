//! Join indexes: for one (dataset, join expression) pair, every value the
//! expression gives on each entity, mapped to the entities that give it.
//!
//! A join then costs a hash lookup per value instead of a scan of the dataset.
//! Indexes are built lazily, once, and shared between threads.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, OnceLock, RwLock};

use bigdecimal::BigDecimal;
use num_traits::ToPrimitive;

use crate::diagnostic::Diagnostic;
use crate::value::{wire, Number, Str, Value};

/// A value as a hash key, equal exactly when [`crate::value::equal`] says the
/// values are (numbers by value across types, dicts regardless of key order).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum JoinKey {
    /// A string.
    Str(Str),
    /// An integral number that fits 64 bits (whatever its type).
    Int(i64),
    /// Anything else, as canonical text with a type tag.
    Other(String),
}

impl JoinKey {
    /// The key of one value; `None` for `null`, which never joins.
    pub fn of(value: &Value) -> Option<JoinKey> {
        Some(match value {
            Value::Null => return None,
            Value::Str(s) => JoinKey::Str(s.clone()),
            Value::Int(i) => JoinKey::Int(*i),
            Value::BigInt(_) | Value::Float(_) | Value::Decimal(_) => match integral(value) {
                Some(i) => JoinKey::Int(i),
                None => JoinKey::Other(canonical(value)),
            },
            other => JoinKey::Other(canonical(other)),
        })
    }

    /// The keys of a join side: a list gives one per element, `null`s give none.
    pub fn all(value: &Value, out: &mut Vec<JoinKey>) {
        out.extend(value.iter_list().filter_map(JoinKey::of));
    }
}

fn integral(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        Value::Decimal(d) if d.is_integer() => d.to_i64(),
        _ => None,
    }
}

fn decimal_of(value: &Value) -> Option<BigDecimal> {
    Number::of(value).and_then(|n| n.to_decimal())
}

fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Str(s) => {
            out.push('s');
            let mut bytes = Vec::new();
            wire::write_str(s, &mut bytes);
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Decimal(_) => match integral(value) {
            Some(i) => {
                let _ = write!(out, "n{i}");
            }
            None => match decimal_of(value) {
                Some(d) => {
                    let _ = write!(out, "n{}", d.normalized());
                }
                None => {
                    let _ = write!(out, "f{}", wire::to_string(value));
                }
            },
        },
        Value::List(items) => {
            out.push('[');
            for item in items.iter() {
                write_canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Dict(map) => {
            let mut keys: Vec<&Str> = map.keys().collect();
            keys.sort();
            out.push('{');
            for k in keys {
                write_canonical(&Value::Str(k.clone()), out);
                out.push(':');
                write_canonical(&map[k], out);
                out.push(',');
            }
            out.push('}');
        }
        other => {
            out.push_str(other.type_name());
            out.push(':');
            out.push_str(&wire::to_string(other));
        }
    }
}

/// The entities of a dataset (in `_id` order) and, per key, which of them give it.
#[derive(Debug, Default)]
pub struct JoinIndex {
    entities: Vec<Value>,
    postings: HashMap<JoinKey, Vec<u32>>,
}

impl JoinIndex {
    /// An empty index.
    pub fn new() -> JoinIndex {
        JoinIndex::default()
    }

    /// Adds an entity (after all earlier ones) under `keys`.
    pub fn push(&mut self, entity: Value, keys: impl IntoIterator<Item = JoinKey>) {
        let position = u32::try_from(self.entities.len()).expect("fewer than 2^32 entities per dataset");
        self.entities.push(entity);
        for key in keys {
            let list = self.postings.entry(key).or_default();
            if list.last() != Some(&position) {
                list.push(position);
            }
        }
    }

    /// The positions of the entities that give any of `keys`, ascending, without repeats.
    pub fn matches(&self, keys: &[JoinKey]) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        for key in keys {
            if let Some(list) = self.postings.get(key) {
                found.extend_from_slice(list);
            }
        }
        if keys.len() > 1 {
            found.sort_unstable();
            found.dedup();
        }
        found
    }

    /// The entity at `position`.
    pub fn entity(&self, position: u32) -> &Value {
        &self.entities[position as usize]
    }

    /// How many entities the index covers.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether the index covers no entity.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }
}

type Slot = Arc<OnceLock<Result<Arc<JoinIndex>, Box<Diagnostic>>>>;

/// The indexes built over a collection of datasets, by (dataset, index id).
///
/// Each index is built once even when many threads ask at the same time: the map
/// lock is held only to find the slot, the build runs under the slot's `OnceLock`.
#[derive(Debug, Default)]
pub struct IndexCache {
    slots: RwLock<HashMap<(Str, u64), Slot>>,
}

impl IndexCache {
    /// An empty cache.
    pub fn new() -> IndexCache {
        IndexCache::default()
    }

    /// The index `id` over `dataset`, built by `build` if it is not there yet.
    pub fn get_or_build(
        &self,
        dataset: &str,
        id: u64,
        build: impl FnOnce() -> Result<JoinIndex, Box<Diagnostic>>,
    ) -> Result<Arc<JoinIndex>, Box<Diagnostic>> {
        let key = (Str::from(dataset), id);
        let existing = self.slots.read().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        let slot = match existing {
            Some(slot) => slot,
            None => self.slots.write().unwrap_or_else(|e| e.into_inner()).entry(key).or_default().clone(),
        };
        slot.get_or_init(|| build().map(Arc::new)).clone()
    }

    /// Forgets the indexes over `dataset` (it changed).
    pub fn invalidate(&self, dataset: &str) {
        self.slots.write().unwrap_or_else(|e| e.into_inner()).retain(|(name, _), _| name.as_ref() != dataset);
    }

    /// Forgets every index.
    pub fn clear(&self) {
        self.slots.write().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        wire::parse(json.as_bytes()).unwrap()
    }

    fn keys(json: &str) -> Vec<JoinKey> {
        let mut out = Vec::new();
        JoinKey::all(&v(json), &mut out);
        out
    }

    #[test]
    fn keys_are_equal_when_values_are() {
        assert_eq!(keys("1"), keys("1.0"));
        assert_eq!(keys("1"), keys("\"~f1.00\""));
        assert_eq!(keys("\"~f1.5\""), keys("1.5"));
        assert_eq!(keys(r#"{"a":1,"b":[2]}"#), keys(r#"{"b":[2.0],"a":1}"#));
        assert_ne!(keys("\"1\""), keys("1"));
        assert_ne!(keys("\"http://x\""), keys("\"~rhttp://x\""));
        assert_ne!(keys("true"), keys("1"));
    }

    #[test]
    fn lists_give_every_element_and_nulls_none() {
        assert_eq!(keys("[1, null, \"a\"]").len(), 2);
        assert!(keys("null").is_empty());
        assert_eq!(keys("[[1, 2]]").len(), 1, "a nested list (a tuple) is one key");
    }

    #[test]
    fn matches_are_ascending_and_distinct() {
        let mut index = JoinIndex::new();
        index.push(v(r#"{"_id":"a"}"#), keys("[1, 2]"));
        index.push(v(r#"{"_id":"b"}"#), keys("[2, 2]"));
        index.push(v(r#"{"_id":"c"}"#), keys("3"));
        assert_eq!(index.matches(&keys("[2, 1, 3]")), vec![0, 1, 2]);
        assert_eq!(index.matches(&keys("2")), vec![0, 1]);
        assert!(index.matches(&keys("9")).is_empty());
    }

    #[test]
    fn the_cache_builds_once_and_forgets_on_invalidate() {
        let cache = IndexCache::new();
        let mut builds = 0;
        for _ in 0..3 {
            cache
                .get_or_build("d", 7, || {
                    builds += 1;
                    Ok(JoinIndex::new())
                })
                .unwrap();
        }
        assert_eq!(builds, 1);
        cache.invalidate("d");
        cache.get_or_build("d", 7, || Ok(JoinIndex::new())).unwrap();
        cache.invalidate("other");
        assert_eq!(cache.slots.read().unwrap().len(), 1);
    }
}
