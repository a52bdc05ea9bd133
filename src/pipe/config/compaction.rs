//! The `compaction` pipe key (spec §1.2) with the node's `global_defaults`.

use crate::diagnostic::codes;
use crate::syntax::{Node, NodeKind};

use super::keys;
use super::Ctx;

/// How the sink dataset of a pipe is compacted after each run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compaction {
    /// Whether the sink compacts at all: `automatic` and `sink` both true. With
    /// `sink: false` Sesam compacts in the background; offline there is no
    /// background, so the dataset keeps every version.
    pub enabled: bool,
    /// `keep_versions` (2): the newest versions kept per `_id` (never fewer than 1).
    pub keep_versions: usize,
    /// `time_threshold_hours`: versions younger than this are kept.
    pub time_threshold_hours: Option<f64>,
}

/// The node-wide defaults (`global_defaults` in `node-metadata.conf.json`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompactionDefaults {
    /// `default_compaction_type`: "sink" (the default) or "background".
    pub sink: bool,
    /// `compaction_keep_versions` (2).
    pub keep_versions: usize,
}

impl Default for CompactionDefaults {
    fn default() -> Self {
        CompactionDefaults { sink: true, keep_versions: 2 }
    }
}

impl Ctx<'_> {
    /// Reads the compaction defaults from the node metadata.
    pub(super) fn compaction_defaults(&mut self, metadata: &Node) -> CompactionDefaults {
        let mut out = CompactionDefaults::default();
        let Some(defaults) = metadata.get("global_defaults") else { return out };
        if let Some(ty) = self.choice_key(defaults, "default_compaction_type", &["sink", "background"]) {
            out.sink = ty == "sink";
        }
        if let Some(n) = self.count_key(defaults, "compaction_keep_versions") {
            out.keep_versions = n;
        }
        out
    }

    /// The pipe's `compaction` settings over the node defaults.
    pub(super) fn compaction(&mut self, pipe: &Node, id: &str, defaults: CompactionDefaults) -> Compaction {
        let mut out =
            Compaction { enabled: defaults.sink, keep_versions: defaults.keep_versions, time_threshold_hours: None };
        let Some(node) = pipe.get("compaction") else { return out };
        if !matches!(node.kind, NodeKind::Object(_)) {
            self.error(codes::CONFIG, "`compaction` must be an object", node.span, "not an object", "");
            return out;
        }
        self.check_keys(node, &keys::COMPACTION, id);
        let automatic = self.bool_key(node, "automatic", true);
        let sink = self.bool_key(node, "sink", defaults.sink);
        out.enabled = automatic && sink;
        if let Some(n) = self.count_key(node, "keep_versions") {
            out.keep_versions = n;
        }
        out.time_threshold_hours = self.number_key(node, "time_threshold_hours");
        if out.keep_versions == 0 && out.time_threshold_hours.is_none() {
            let at = node.get("keep_versions").map_or(node.span, |n| n.span);
            self.error(
                codes::CONFIG,
                format!("pipe `{id}`: `keep_versions` 0 needs a `time_threshold_hours`"),
                at,
                "here",
                "without a time threshold every version but the latest would go at once; keep at least 1",
            );
        }
        out
    }

    /// A non-negative whole number key.
    fn count_key(&mut self, node: &Node, key: &str) -> Option<usize> {
        let n = self.number_key(node, key)?;
        if n < 0.0 || n.fract() != 0.0 {
            let at = node.get(key).map_or(node.span, |v| v.span);
            self.error(codes::CONFIG, format!("`{key}` must be a whole number ≥ 0"), at, "here", "");
            return None;
        }
        Some(n as usize)
    }
}
