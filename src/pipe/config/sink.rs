//! Sinks: the types the engine runs offline and their settings.

use crate::diagnostic::codes;
use crate::syntax::Node;

use super::{keys, Ctx};

/// The sink types the engine runs offline.
pub const SINK_TYPES: &[&str] = &["dataset", "json", "null", "conditional"];

/// When a dataset sink marks its dataset populated (`set_initial_offset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialOffset {
    /// After a run that consumed a populated source (the default).
    IfSourcePopulated,
    /// Never.
    Never,
    /// After every successful run.
    Always,
    /// At the start of a run.
    Initially,
    /// When the node is loaded.
    Onload,
}

/// A sink.
#[derive(Debug)]
pub enum SinkConfig {
    /// Writes a dataset with change tracking.
    Dataset(DatasetSink),
    /// The JSON push sink: offline, the entities are kept as the pipe's output.
    Json,
    /// Discards everything.
    Null,
}

/// The dataset sink's settings.
#[derive(Debug)]
pub struct DatasetSink {
    /// The dataset (default: the pipe id).
    pub dataset: String,
    /// `set_initial_offset`.
    pub initial_offset: InitialOffset,
    /// `deletion_tracking` (true).
    pub deletion_tracking: bool,
    /// `mark_deletion_tracked` (false).
    pub mark_deletion_tracked: bool,
    /// `circuit_breaker_threshold_factor`.
    pub breaker_factor: Option<f64>,
    /// `circuit_breaker_threshold_count`.
    pub breaker_count: Option<u64>,
}

impl Ctx<'_> {
    /// A sink (conditionals already resolved).
    pub(super) fn sink(&mut self, node: &Node, pipe: &str) -> Option<SinkConfig> {
        let ty = self.component_type(node, pipe, "sink", SINK_TYPES, keys::sink)?;
        Some(match ty {
            "dataset" => SinkConfig::Dataset(self.dataset_sink(Some(node), pipe)),
            "json" => SinkConfig::Json,
            "null" => SinkConfig::Null,
            _ => unreachable!("conditionals are resolved first"),
        })
    }

    /// The dataset sink's settings (`node`: `None` for the default sink).
    pub(super) fn dataset_sink(&mut self, node: Option<&Node>, pipe: &str) -> DatasetSink {
        let mut sink = DatasetSink {
            dataset: pipe.to_string(),
            initial_offset: InitialOffset::IfSourcePopulated,
            deletion_tracking: true,
            mark_deletion_tracked: false,
            breaker_factor: None,
            breaker_count: None,
        };
        let Some(node) = node else { return sink };
        if let Some((d, _)) = self.string_key(node, "dataset") {
            sink.dataset = d;
        }
        if let Some((mode, span)) = self.string_key(node, "set_initial_offset") {
            sink.initial_offset = match mode.as_str() {
                "if-source-populated" => InitialOffset::IfSourcePopulated,
                "never" => InitialOffset::Never,
                "always" => InitialOffset::Always,
                "initially" => InitialOffset::Initially,
                "onload" => InitialOffset::Onload,
                _ => {
                    self.error(
                        codes::CONFIG,
                        format!("unknown `set_initial_offset` mode `{mode}`"),
                        span,
                        "here",
                        "the modes are if-source-populated, never, always, initially, onload",
                    );
                    InitialOffset::IfSourcePopulated
                }
            };
        }
        sink.deletion_tracking = self.bool_key(node, "deletion_tracking", true);
        sink.mark_deletion_tracked = self.bool_key(node, "mark_deletion_tracked", false);
        sink.breaker_factor = self.number_key(node, "circuit_breaker_threshold_factor");
        sink.breaker_count = self.number_key(node, "circuit_breaker_threshold_count").map(|n| n as u64);
        sink
    }
}
