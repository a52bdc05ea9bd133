//! The keys each pipe component may have, and the check that rejects the others.
//!
//! Every table lists the keys the offline engine *uses*, the documented keys it
//! *accepts but ignores* (they only matter to a live Sesam node: scheduling,
//! signalling, connection details, performance tuning), and the documented keys it
//! does *not support* yet (ignoring them would change the results, so they are
//! errors). Anything else is a typo or a key of another component type: an error
//! with a "did you mean" where one is close.

use crate::compile::suggest;
use crate::diagnostic::codes;
use crate::syntax::{Node, NodeKind};

use super::Ctx;

/// The keys one component type may have.
pub struct KeyTable {
    /// What the diagnostics call it ("dataset source").
    pub what: &'static str,
    /// Keys the offline engine reads.
    pub used: &'static [&'static str],
    /// Documented keys accepted without effect offline.
    pub ignored: &'static [&'static str],
    /// Documented keys whose effect the offline engine does not implement.
    pub unsupported: &'static [&'static str],
}

impl KeyTable {
    fn all(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.used.iter().chain(self.ignored).chain(self.unsupported).copied()
    }
}

/// The keys a pipe may have.
pub const PIPE: KeyTable = KeyTable {
    what: "pipe",
    used: &[
        "_id",
        "type",
        "source",
        "transform",
        "sink",
        "pump",
        "batch_size",
        "namespaced_identifiers",
        "namespaces",
        "add_namespaces",
        "remove_namespaces",
        "compaction",
    ],
    ignored: &[
        "name",
        "description",
        "comment",
        "permissions",
        "metadata",
        "checkpoint_interval",
        "disable_set_last_seen",
        "enable_background_rescan",
        "rescan_when_config_changes",
        "reprocessing_policy",
        "infer_pipe_entity_types",
        "dependency_tracking",
        "exclude_completeness",
        "include_completeness",
    ],
    unsupported: &[],
};

/// The keys of the pipe's `pump` object (spec §1.6). Scheduling, retries and
/// logging only matter to a live node; the offline runner runs every pipe until
/// the node settles.
pub const PUMP: KeyTable = KeyTable {
    what: "pump",
    used: &["mode", "rescan_run_count", "deletion_tracking"],
    ignored: &[
        "comment",
        "schedule_interval",
        "cron_expression",
        "rescan_cron_expression",
        "partial_rescan_run_count",
        "partial_rescan_delta",
        "run_at_startup",
        "run_at_startup_if_not_populated",
        "max_read_retries",
        "read_retry_delay",
        "write_retry_delay",
        "max_retries_per_entity",
        "max_consecutive_write_errors",
        "max_write_errors_in_retry_dataset",
        "batch_retries",
        "fallback_to_single_entities_on_batch_fail",
        "dead_letter_dataset",
        "track_dead_letters",
        "max_seconds_per_entity",
        "log_events_noop_runs",
        "log_events_noop_runs_changes_only",
        "notification_granularity",
    ],
    unsupported: &[],
};

/// The keys of the pipe's `compaction` object (spec §1.2).
pub const COMPACTION: KeyTable = KeyTable {
    what: "`compaction` settings",
    used: &["automatic", "sink", "keep_versions", "time_threshold_hours"],
    ignored: &[
        "time_threshold_hours_pump",
        "growth_threshold",
        "compaction_interval",
        "ttl_deletes_hours",
        "ttl_deletes_timeout_seconds",
        "retract",
        "retract_timeout_seconds",
    ],
    unsupported: &[],
};

/// The key table of a source type (`None`: not an offline source type).
pub fn source(ty: &str) -> Option<&'static KeyTable> {
    const DATASET: KeyTable = KeyTable {
        what: "dataset source",
        used: &[
            "type",
            "dataset",
            "include_previous_versions",
            "include_replaced",
            "require_populated_input",
            "if_source_empty",
            "add_namespaces",
        ],
        ignored: &[
            "comment",
            "supports_signalling",
            "completeness",
            "initial_completeness",
            "supports_since",
            "is_since_comparable",
            "is_chronological",
            "initial_since_value",
        ],
        unsupported: &["subset"],
    };
    const EMBEDDED: KeyTable = KeyTable {
        what: "embedded source",
        used: &["type", "entities", "if_source_empty", "add_namespaces"],
        ignored: &[
            "comment",
            "system",
            "supports_since",
            "is_since_comparable",
            "is_chronological",
            "initial_since_value",
        ],
        unsupported: &[],
    };
    const JSON: KeyTable = KeyTable {
        what: "json source",
        used: &["type", "url", "file", "if_source_empty", "add_namespaces"],
        ignored: &[
            "comment",
            "system",
            "headers",
            "page_size",
            "supports_signalling",
            "supports_since",
            "is_since_comparable",
            "is_chronological",
            "initial_since_value",
        ],
        unsupported: &["subset"],
    };
    const EMPTY: KeyTable = KeyTable { what: "empty source", used: &["type"], ignored: &["comment"], unsupported: &[] };
    const MERGE: KeyTable = KeyTable {
        what: "merge source",
        used: &[
            "type",
            "datasets",
            "equality",
            "equality_sets",
            "identity",
            "strategy",
            "require_populated_input",
            "if_source_empty",
            "add_namespaces",
        ],
        ignored: &[
            "comment",
            "version",
            "max_merged",
            "supports_signalling",
            "initial_datasets",
            "ignore_non_existent_datasets",
            "supports_since",
            "is_since_comparable",
            "is_chronological",
            "initial_since_value",
        ],
        unsupported: &["include_internal_properties"],
    };
    const UNION: KeyTable = KeyTable {
        what: "union_datasets source",
        used: &[
            "type",
            "datasets",
            "prefix_ids",
            "include_previous_versions",
            "require_populated_input",
            "if_source_empty",
            "add_namespaces",
        ],
        ignored: &[
            "comment",
            "supports_signalling",
            "initial_datasets",
            "ignore_non_existent_datasets",
            "supports_since",
            "is_since_comparable",
            "is_chronological",
            "initial_since_value",
        ],
        unsupported: &[],
    };
    const MERGE_DATASETS: KeyTable = KeyTable {
        what: "merge_datasets source",
        used: &["type", "datasets", "strategy", "require_populated_input", "if_source_empty", "add_namespaces"],
        ignored: &[
            "comment",
            "supports_signalling",
            "initial_datasets",
            "ignore_non_existent_datasets",
            "supports_since",
            "is_since_comparable",
            "is_chronological",
            "initial_since_value",
        ],
        unsupported: &[],
    };
    Some(match ty {
        "dataset" => &DATASET,
        "embedded" => &EMBEDDED,
        "json" => &JSON,
        "empty" => &EMPTY,
        "merge" => &MERGE,
        "union_datasets" => &UNION,
        "merge_datasets" => &MERGE_DATASETS,
        "conditional" => &CONDITIONAL,
        _ => return None,
    })
}

/// The key table of a sink type.
pub fn sink(ty: &str) -> Option<&'static KeyTable> {
    const DATASET: KeyTable = KeyTable {
        what: "dataset sink",
        used: &[
            "type",
            "dataset",
            "set_initial_offset",
            "deletion_tracking",
            "mark_deletion_tracked",
            "circuit_breaker_threshold_factor",
            "circuit_breaker_threshold_count",
            "remove_namespaces",
        ],
        ignored: &[
            "comment",
            "batch_size",
            "indexes",
            "bitset_commit_interval",
            "suppress_filtered",
            "max_entity_bytes_size",
        ],
        unsupported: &["track_children", "prevent_multiple_versions", "enable_optimistic_locking"],
    };
    const JSON: KeyTable = KeyTable {
        what: "json sink",
        used: &["type", "remove_namespaces"],
        ignored: &["comment", "system", "url", "headers", "batch_size"],
        unsupported: &[],
    };
    const NULL: KeyTable =
        KeyTable { what: "null sink", used: &["type"], ignored: &["comment", "batch_size"], unsupported: &[] };
    Some(match ty {
        "dataset" => &DATASET,
        "json" => &JSON,
        "null" => &NULL,
        "conditional" => &CONDITIONAL,
        _ => return None,
    })
}

/// The key table of a transform type.
pub fn transform(ty: &str) -> Option<&'static KeyTable> {
    const DTL: KeyTable = KeyTable {
        what: "dtl transform",
        used: &["type", "rules", "id_required", "trigger_on"],
        ignored: &["comment", "side_effects"],
        unsupported: &[],
    };
    const EMIT_CHILDREN: KeyTable = KeyTable {
        what: "emit_children transform",
        used: &["type"],
        ignored: &["comment", "side_effects"],
        unsupported: &[],
    };
    Some(match ty {
        "dtl" => &DTL,
        "emit_children" => &EMIT_CHILDREN,
        "conditional" => &CONDITIONAL,
        _ => return None,
    })
}

/// A `conditional` source, sink or transform.
pub const CONDITIONAL: KeyTable = KeyTable {
    what: "conditional",
    used: &["type", "condition", "alternatives"],
    ignored: &["comment"],
    unsupported: &[],
};

impl Ctx<'_> {
    /// Reports every key of `node` (an object) that `table` does not know, and every
    /// key it lists as unsupported. `pipe` is the pipe's id, for the message.
    pub(super) fn check_keys(&mut self, node: &Node, table: &KeyTable, pipe: &str) {
        let NodeKind::Object(entries) = &node.kind else { return };
        for (key, _) in entries {
            if table.unsupported.contains(&key.name.as_str()) {
                self.error(
                    codes::CONFIG,
                    format!("the {} key `{}` (pipe `{pipe}`) is not supported offline", table.what, key.name),
                    key.span,
                    "not supported",
                    "the offline engine does not implement it, and ignoring it would change the results",
                );
                continue;
            }
            if table.used.contains(&key.name.as_str()) || table.ignored.contains(&key.name.as_str()) {
                continue;
            }
            let help = match suggest(&key.name, table.all()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    let mut all: Vec<&str> = table.all().collect();
                    all.sort_unstable();
                    format!("the {} keys are: {}", table.what, all.join(", "))
                }
            };
            let message = if table.what == "pipe" {
                format!("unknown pipe key `{}` in pipe `{pipe}`", key.name)
            } else {
                format!("unknown key `{}` in the {} of pipe `{pipe}`", key.name, table.what)
            };
            self.error(codes::UNKNOWN_CONFIG_KEY, message, key.span, "unknown key", &help);
        }
    }
}
