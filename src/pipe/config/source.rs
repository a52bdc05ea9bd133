//! Sources: the types the engine runs offline and their settings.

use crate::diagnostic::{codes, source};
use crate::syntax::{parse_json, Node, NodeKind, Span};
use crate::value::Value;

use super::{keys, node_value, Ctx};

/// The source types the engine runs offline.
pub const SOURCE_TYPES: &[&str] =
    &["dataset", "embedded", "json", "conditional", "empty", "merge", "union_datasets", "merge_datasets"];

/// Options shared by all sources.
#[derive(Debug, Default, Clone)]
pub struct SourceCommon {
    /// `if_source_empty: "fail"`.
    pub fail_if_empty: bool,
    /// `require_populated_input`.
    pub require_populated_input: bool,
}

/// A source.
#[derive(Debug)]
pub enum SourceConfig {
    /// Reads a dataset, incrementally by offset.
    Dataset {
        /// The dataset and where it is named.
        dataset: (String, Span),
        /// `include_previous_versions` (false).
        include_previous_versions: bool,
        /// `include_replaced` (true).
        include_replaced: bool,
    },
    /// Entities written in the configuration (or in a JSON file for the `json` source).
    Entities(Vec<Value>),
    /// Nothing.
    Empty,
    /// The merge source.
    Merge(crate::pipe::merge::MergeConfig),
    /// `union_datasets`.
    Union {
        /// The datasets, in order.
        datasets: Vec<(String, Span)>,
        /// `prefix_ids` (true).
        prefix_ids: bool,
        /// `include_previous_versions` (false).
        include_previous_versions: bool,
    },
    /// `merge_datasets`.
    MergeDatasets {
        /// The datasets.
        datasets: Vec<(String, Span)>,
        /// `strategy: "all"` (else "latest").
        all: bool,
    },
}

impl SourceConfig {
    /// The datasets the source reads.
    pub fn inputs(&self) -> Vec<&(String, Span)> {
        match self {
            SourceConfig::Dataset { dataset, .. } => vec![dataset],
            SourceConfig::Merge(m) => m.datasets.iter().map(|d| &d.name).collect(),
            SourceConfig::Union { datasets, .. } | SourceConfig::MergeDatasets { datasets, .. } => {
                datasets.iter().collect()
            }
            SourceConfig::Entities(_) | SourceConfig::Empty => Vec::new(),
        }
    }

    /// Whether the source keeps a continuation marker (runs after the first are incremental).
    pub fn has_continuation(&self) -> bool {
        matches!(self, SourceConfig::Dataset { .. } | SourceConfig::Union { .. } | SourceConfig::MergeDatasets { .. })
    }
}

impl Ctx<'_> {
    /// A source (conditionals already resolved).
    /// `fail_if_empty` is the node's default for `if_source_empty`.
    pub(super) fn source(
        &mut self,
        node: &Node,
        pipe: &str,
        fail_if_empty: bool,
    ) -> Option<(SourceConfig, SourceCommon)> {
        let ty = self.component_type(node, pipe, "source", SOURCE_TYPES, keys::source)?;
        let common = SourceCommon {
            // The node default applies only to source types that have the key (not `empty`).
            fail_if_empty: match self.choice_key(node, "if_source_empty", &["accept", "fail"]) {
                Some(choice) => choice == "fail",
                None => fail_if_empty && keys::source(ty).is_some_and(|t| t.used.contains(&"if_source_empty")),
            },
            require_populated_input: self.bool_key(node, "require_populated_input", false),
        };
        let source = match ty {
            "dataset" => {
                let Some(dataset) = self.string_key(node, "dataset") else {
                    self.error(codes::CONFIG, "a dataset source needs a `dataset`", node.span, "here", "");
                    return None;
                };
                SourceConfig::Dataset {
                    dataset,
                    include_previous_versions: self.bool_key(node, "include_previous_versions", false),
                    include_replaced: self.bool_key(node, "include_replaced", true),
                }
            }
            "embedded" => {
                let Some(entities) = node.get("entities") else {
                    self.error(codes::CONFIG, "an embedded source needs `entities`", node.span, "here", "");
                    return None;
                };
                SourceConfig::Entities(self.entities(entities)?)
            }
            "json" => self.json_source(node, pipe)?,
            "empty" => SourceConfig::Empty,
            "merge" => SourceConfig::Merge(crate::pipe::merge::MergeConfig::parse(node, self.src, self.errors)?),
            "union_datasets" | "merge_datasets" => {
                let datasets = self.dataset_list(node)?;
                if ty == "union_datasets" {
                    SourceConfig::Union {
                        datasets,
                        prefix_ids: self.bool_key(node, "prefix_ids", true),
                        include_previous_versions: self.bool_key(node, "include_previous_versions", false),
                    }
                } else {
                    let all = node.get("strategy").and_then(Node::as_str) == Some("all");
                    SourceConfig::MergeDatasets { datasets, all }
                }
            }
            _ => unreachable!("checked by component_type"),
        };
        Some((source, common))
    }

    fn dataset_list(&mut self, node: &Node) -> Option<Vec<(String, Span)>> {
        let list = node.get("datasets").and_then(Node::as_array);
        let Some(list) = list else {
            self.error(codes::CONFIG, "this source needs a `datasets` list", node.span, "here", "");
            return None;
        };
        let mut out = Vec::new();
        for d in list {
            match d.as_str() {
                Some(s) => out.push((s.split_whitespace().next().unwrap_or("").to_string(), d.span)),
                None => self.error(codes::CONFIG, "a dataset name must be a string", d.span, "here", ""),
            }
        }
        Some(out)
    }

    fn entities(&mut self, node: &Node) -> Option<Vec<Value>> {
        let items: Vec<&Node> = match &node.kind {
            NodeKind::Array(items) => items.iter().collect(),
            NodeKind::Object(_) => vec![node],
            _ => {
                self.error(codes::CONFIG, "entities must be a list of objects", node.span, "here", "");
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items {
            let value = node_value(item);
            if value.entity_id().is_none() {
                self.error(
                    codes::CONFIG,
                    "an entity must be an object with a string `_id`",
                    item.span,
                    "not an entity",
                    "",
                );
                return None;
            }
            out.push(value);
        }
        Some(out)
    }

    fn json_source(&mut self, node: &Node, pipe: &str) -> Option<SourceConfig> {
        let (path, span) = self.string_key(node, "file").or_else(|| self.string_key(node, "url")).or_else(|| {
            self.error(
                codes::CONFIG,
                "a json source needs a `url` (offline: a file in the node folder)",
                node.span,
                "here",
                "",
            );
            None
        })?;
        if path.starts_with("http://") || path.starts_with("https://") {
            self.error(
                codes::NEEDS_SYSTEM,
                format!("the json source of pipe `{pipe}` reads `{path}`, an outside system"),
                span,
                "cannot run offline",
                "give a file path relative to the node folder, or use a `conditional` source",
            );
            return None;
        }
        let file = self.dir.join(&path);
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                self.error(
                    codes::IO,
                    format!("cannot read {}: {e}", file.display()),
                    span,
                    "this file",
                    "json source paths are relative to the node folder",
                );
                return None;
            }
        };
        let data_src = source(file.display().to_string(), text);
        let tree = match parse_json(data_src.inner()) {
            Ok(t) => t,
            Err(d) => {
                self.errors.push(d.in_source(&data_src));
                return None;
            }
        };
        let mut inner = Ctx { src: &data_src, errors: self.errors, dir: self.dir };
        inner.entities(&tree).map(SourceConfig::Entities)
    }
}
