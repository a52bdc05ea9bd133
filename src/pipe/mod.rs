//! The pipe engine: a Sesam node configuration run offline.
//!
//! * [`config`] loads a node folder into [`config::Pipe`]s (with [`env`] for `$ENV`);
//! * [`store`] is the dataset storage the pump needs ([`store::PipeStore`]) and an
//!   in-memory implementation;
//! * [`pump`] runs one pipe once: source → transforms → sink;
//! * [`merge`] is the merge source;
//! * [`tracking`] is dependency tracking through hops;
//! * [`node`] runs every pipe until nothing changes;
//! * [`tester`] compares pipe output with `expected/` files as sesam-py does.

pub mod config;
pub mod env;
pub mod merge;
pub mod node;
pub mod pump;
pub mod store;
pub mod tester;
pub mod tracking;

use std::path::Path;

use crate::diagnostic::Diagnostic;

pub use config::{load_node, NodeConfig, Pipe};
pub use node::{run_node, NodeReport};
pub use pump::Outputs;
pub use store::{MemoryStore, PipeState, PipeStore};

/// Opens the store for a node run. This is the one place that chooses the store:
/// the persistent [`crate::dataset::store::Store`] in `data_dir` (created when
/// missing), or an in-memory store when there is none.
pub fn open_store(data_dir: Option<&Path>) -> Result<Box<dyn PipeStore>, Box<Diagnostic>> {
    match data_dir {
        Some(dir) => Ok(Box::new(crate::dataset::store::Store::open(dir)?)),
        None => Ok(Box::new(MemoryStore::new())),
    }
}

/// Whether [`open_store`] keeps data between commands (given a data folder): `dtl
/// node run` keeps its datasets in `DIR/.dtl-data`, and `dtl dataset show`/`list`
/// read them without running the node.
pub const STORE_IS_PERSISTENT: bool = true;
