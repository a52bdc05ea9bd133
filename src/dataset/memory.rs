//! Datasets held in memory: the latest version of each entity, by `_id`.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{codes, Diagnostic};
use crate::value::{wire, Value};

use super::{is_deleted, DatasetAccess, DatasetError, IndexCache};

/// A collection of named in-memory datasets.
///
/// Each dataset keeps the latest version of every `_id` (a later version replaces
/// an earlier one). Deleted versions are kept — they replace what they delete — but
/// are invisible to lookups, scans and therefore joins.
#[derive(Debug, Default)]
pub struct MemoryDatasets {
    datasets: HashMap<String, BTreeMap<String, Value>>,
    indexes: IndexCache,
}

impl MemoryDatasets {
    /// An empty collection.
    pub fn new() -> MemoryDatasets {
        MemoryDatasets::default()
    }

    /// Adds `entities` to dataset `name` (creating it, even when `entities` is empty),
    /// in order: a later version of an `_id` replaces the earlier one.
    ///
    /// Fails, adding nothing, when a value is not an entity (a dict with a string `_id`);
    /// the diagnostic gives its position.
    pub fn insert(&mut self, name: impl Into<String>, entities: Vec<Value>) -> Result<(), Box<Diagnostic>> {
        let name = name.into();
        if let Some(position) = entities.iter().position(|e| e.entity_id().is_none()) {
            return Err(Box::new(
                Diagnostic::new(
                    codes::INPUT_NOT_ENTITY,
                    format!("entity {} of dataset `{name}` is not an entity: {}", position + 1, entities[position]),
                )
                .help("every dataset entity must be a JSON object with a string `_id`"),
            ));
        }
        let dataset = self.datasets.entry(name.clone()).or_default();
        for entity in entities {
            let id = entity.entity_id().unwrap_or_default().to_string();
            dataset.insert(id, entity);
        }
        self.indexes.invalidate(&name);
        Ok(())
    }

    /// Adds entities given as wire JSON: one JSON array of entities, or one entity per line (NDJSON).
    pub fn insert_json(&mut self, name: impl Into<String>, text: &[u8]) -> Result<(), Box<Diagnostic>> {
        let name = name.into();
        let bad = |line: Option<usize>, e: &dyn std::fmt::Display| {
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            Box::new(
                Diagnostic::new(codes::INPUT_JSON, format!("dataset `{name}`{at} is not valid JSON: {e}"))
                    .help("give a JSON array of entities, or one JSON entity per line"),
            )
        };
        let first = text.iter().find(|b| !b.is_ascii_whitespace());
        let entities = if first == Some(&b'[') {
            match wire::parse(text) {
                Ok(Value::List(items)) => items.as_ref().clone(),
                Ok(other) => vec![other],
                Err(e) => return Err(bad(None, &e)),
            }
        } else {
            let mut out = Vec::new();
            for (i, line) in text.split(|b| *b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                out.push(wire::parse(line).map_err(|e| bad(Some(i + 1), &e))?);
            }
            out
        };
        self.insert(name, entities)
    }

    /// The dataset names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.datasets.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The latest version of every `_id` of `name`, deleted ones included, in `_id` order.
    pub fn entities(&self, name: &str) -> Option<impl Iterator<Item = &Value>> {
        self.datasets.get(name).map(|d| d.values())
    }
}

impl DatasetAccess for MemoryDatasets {
    fn has_dataset(&self, dataset: &str) -> bool {
        self.datasets.contains_key(dataset)
    }

    fn lookup(&self, dataset: &str, id: &str) -> Result<Option<Value>, DatasetError> {
        let dataset = self.datasets.get(dataset).ok_or(DatasetError::Unknown)?;
        Ok(dataset.get(id).filter(|e| !is_deleted(e)).cloned())
    }

    fn scan(&self, dataset: &str, visit: &mut dyn FnMut(&Value)) -> Result<(), DatasetError> {
        let dataset = self.datasets.get(dataset).ok_or(DatasetError::Unknown)?;
        dataset.values().filter(|e| !is_deleted(e)).for_each(visit);
        Ok(())
    }

    fn indexes(&self) -> &IndexCache {
        &self.indexes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        wire::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn the_latest_version_wins_and_deleted_ones_are_invisible() {
        let mut d = MemoryDatasets::new();
        d.insert("p", vec![v(r#"{"_id":"b","n":1}"#), v(r#"{"_id":"a","n":1}"#), v(r#"{"_id":"b","n":2}"#)]).unwrap();
        assert_eq!(d.lookup("p", "b").unwrap(), Some(v(r#"{"_id":"b","n":2}"#)));
        d.insert("p", vec![v(r#"{"_id":"a","_deleted":true}"#)]).unwrap();
        assert_eq!(d.lookup("p", "a").unwrap(), None);
        let mut seen = Vec::new();
        d.scan("p", &mut |e| seen.push(e.entity_id().unwrap().to_string())).unwrap();
        assert_eq!(seen, ["b"]);
        assert_eq!(d.lookup("q", "a"), Err(DatasetError::Unknown));
    }

    #[test]
    fn scans_are_in_id_order() {
        let mut d = MemoryDatasets::new();
        d.insert_json("p", b"{\"_id\":\"c\"}\n{\"_id\":\"a\"}\n\n{\"_id\":\"b\"}\n").unwrap();
        let mut seen = Vec::new();
        d.scan("p", &mut |e| seen.push(e.entity_id().unwrap().to_string())).unwrap();
        assert_eq!(seen, ["a", "b", "c"]);
        d.insert_json("q", br#"[{"_id":"x"}]"#).unwrap();
        assert_eq!(d.names(), ["p", "q"]);
    }

    #[test]
    fn non_entities_are_refused() {
        let mut d = MemoryDatasets::new();
        let err = d.insert("p", vec![v(r#"{"_id":"a"}"#), v(r#"{"x":1}"#)]).unwrap_err();
        assert_eq!(err.code, codes::INPUT_NOT_ENTITY);
        assert!(err.message.contains("entity 2"));
        assert!(d.insert_json("p", b"{nope").is_err());
        assert!(d.names().is_empty());
    }
}
