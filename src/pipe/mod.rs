//! The pipe engine: a Sesam node configuration run offline.
//!
//! * [`config`] loads a node folder into [`config::Pipe`]s (with [`env`] for `$ENV`);
//! * [`store`] is the dataset storage the pump needs ([`store::PipeStore`]) and an
//!   in-memory implementation;
//! * [`pump`] runs one pipe once: source → transforms → sink;
//! * [`merge`] is the merge source;
//! * [`node`] runs every pipe until nothing changes;
//! * [`tester`] compares pipe output with `expected/` files as sesam-py does.

pub mod config;
pub mod env;
pub mod merge;
pub mod node;
pub mod pump;
pub mod store;
pub mod tester;

use std::path::Path;

use crate::diagnostic::Diagnostic;

pub use config::{load_node, NodeConfig, Pipe};
pub use node::{run_node, NodeReport};
pub use pump::Outputs;
pub use store::{MemoryStore, PipeState, PipeStore};

/// Opens the store for a node run. This is the one place that chooses the store.
///
/// `data_dir` is accepted for the persistent store; for now the store is in memory,
/// so every command starts from empty datasets.
pub fn open_store(data_dir: Option<&Path>) -> Result<Box<dyn PipeStore>, Box<Diagnostic>> {
    let _ = data_dir;
    Ok(Box::new(MemoryStore::new()))
}

/// Whether [`open_store`] keeps data between commands (false: in memory for now, so
/// `dtl dataset show`/`list` run the node first).
pub const STORE_IS_PERSISTENT: bool = false;
