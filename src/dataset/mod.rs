//! Datasets as `hops` and `lookup-entity` see them: the latest version of each
//! entity, by `_id`, with join indexes built on demand.
//!
//! [`DatasetAccess`] is what evaluation needs; [`MemoryDatasets`] implements it
//! over entities held in memory (fixtures, `dtl run --dataset NAME=FILE`).

pub mod index;
pub mod memory;
pub mod store;

pub use index::{IndexCache, JoinIndex, JoinKey};
pub use memory::MemoryDatasets;

use crate::value::Value;

/// Why a dataset could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatasetError {
    /// The collection has no such dataset.
    Unknown,
    /// The stored data could not be read (an I/O error, or a corrupt record in a
    /// store that opened cleanly); the message says which.
    Unreadable(String),
}

/// Read access to a collection of datasets. `Sync`: a program runs from many threads.
///
/// Only latest versions are visible and deleted entities (`"_deleted": true`) are
/// invisible to both lookups and scans, so they never join.
pub trait DatasetAccess: Sync {
    /// Whether the collection has `dataset` (possibly empty).
    fn has_dataset(&self, dataset: &str) -> bool;

    /// The latest version of entity `id` of `dataset`; `None` when it is absent or deleted.
    fn lookup(&self, dataset: &str, id: &str) -> Result<Option<Value>, DatasetError>;

    /// Calls `visit` with the latest version of every non-deleted entity of `dataset`, in `_id` order.
    fn scan(&self, dataset: &str, visit: &mut dyn FnMut(&Value)) -> Result<(), DatasetError>;

    /// The join indexes built over this collection (dropped when a dataset changes).
    fn indexes(&self) -> &IndexCache;
}

/// Whether `entity` is a deleted version: only the literal `true` counts.
pub fn is_deleted(entity: &Value) -> bool {
    matches!(entity.get("_deleted"), Some(Value::Bool(true)))
}
