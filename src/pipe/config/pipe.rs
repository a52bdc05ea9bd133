//! A pipe object: its keys, its conditional components and component types.

use crate::compile::{suggest, Namespaces};
use crate::diagnostic::codes;
use crate::syntax::{Node, NodeKind};

use super::keys::{self, KeyTable};
use super::{as_bool, hop_datasets_of, Ctx, NodeDefaults, Pipe, SinkConfig, SourceConfig};

/// Types that talk to an outside system: refused offline unless a conditional replaces them.
const EXTERNAL_TYPES: &[&str] = &[
    "sql",
    "rest",
    "ldap",
    "http_endpoint",
    "csv",
    "kafka",
    "sparql",
    "xml",
    "elasticsearch",
    "mail",
    "sms",
    "solr",
    "rdf",
    "http",
    "template",
    "microservice",
    "sdshare",
    "neo4j",
    "mqtt",
    "excel",
    "azure_storage",
    "s3",
    "ftp",
    "sftp",
    "smb",
    "splitting",
    "binary",
    "properties",
    "mongodb",
];

impl Ctx<'_> {
    /// A pipe object, or `None` (with diagnostics) when anything in it is wrong.
    pub(super) fn pipe(&mut self, node: &Node, defaults: &NodeDefaults) -> Option<Pipe> {
        let NodeKind::Object(_) = &node.kind else {
            self.error(codes::CONFIG, "a pipe must be a JSON object", node.span, "this is not an object", "");
            return None;
        };
        let Some((id, id_span)) = self.string_key(node, "_id") else {
            self.error(codes::CONFIG, "a pipe needs an `_id`", node.span, "this pipe has no `_id`", "");
            return None;
        };
        if id.contains('/') {
            self.error(codes::CONFIG, "a pipe `_id` must not contain `/`", id_span, "here", "");
        }
        let errors_before = self.errors.len();
        self.check_keys(node, &keys::PIPE, &id);
        let namespaced = self.bool_key(node, "namespaced_identifiers", defaults.namespaced_identifiers);
        let namespaces = namespaced.then(|| {
            let ns = node.get("namespaces");
            let get = |k: &str| ns.and_then(|n| n.get(k)).and_then(Node::as_str).unwrap_or(&id).to_string();
            Namespaces { identity: get("identity"), property: get("property") }
        });

        let Some(source_node) = node.get("source") else {
            self.error(codes::CONFIG, format!("the pipe `{id}` has no `source`"), node.span, "no source here", "");
            return None;
        };
        let source_node = self.resolve_conditional(source_node, &id, "source")?;
        let (source, source_common) = self.source(source_node, &id, defaults.fail_if_source_empty)?;
        let add_default = matches!(source, SourceConfig::Entities(_));
        let pipe_add = self.bool_key(node, "add_namespaces", add_default);
        let add_namespaces = namespaced && self.bool_key(source_node, "add_namespaces", pipe_add);

        let mut transforms = Vec::new();
        let mut hop_datasets = Vec::new();
        if let Some(t) = node.get("transform") {
            let items: Vec<&Node> = match &t.kind {
                NodeKind::Array(items) => items.iter().collect(),
                _ => vec![t],
            };
            for item in items {
                let Some(item) = self.resolve_conditional(item, &id, "transform") else { continue };
                if let Some(stage) = self.transform(item, &id, &namespaces) {
                    if let Some(rules) = item.get("rules") {
                        hop_datasets_of(rules, &mut hop_datasets);
                    }
                    transforms.push(stage);
                }
            }
        }

        let sink = match node.get("sink") {
            None => SinkConfig::Dataset(self.dataset_sink(None, &id)),
            Some(s) => {
                let s = self.resolve_conditional(s, &id, "sink")?;
                self.sink(s, &id)?
            }
        };
        let remove_default = matches!(sink, SinkConfig::Json);
        let remove_namespaces = namespaced
            && node
                .get("sink")
                .map(|s| self.bool_key(s, "remove_namespaces", remove_default))
                .unwrap_or(remove_default);
        let remove_namespaces = self.bool_key(node, "remove_namespaces", remove_namespaces) && namespaced;

        let batch_size = match self.number_key(node, "batch_size") {
            Some(n) if n >= 1.0 => n as usize,
            Some(_) => {
                let at = node.get("batch_size").map_or(node.span, |n| n.span);
                self.error(codes::CONFIG, "`batch_size` must be at least 1", at, "here", "");
                100
            }
            None => 100,
        };
        let mut rescan_run_count = None;
        let mut disabled = false;
        let mut sink = sink;
        if let Some(pump) = node.get("pump") {
            self.check_keys(pump, &keys::PUMP, &id);
            rescan_run_count = self.number_key(pump, "rescan_run_count").map(|n| n.max(1.0) as u64);
            disabled = self.choice_key(pump, "mode", &["scheduled", "manual", "off"]).as_deref() == Some("off");
            if let (Some(dt), SinkConfig::Dataset(d)) = (pump.get("deletion_tracking"), &mut sink) {
                d.deletion_tracking = as_bool(dt).unwrap_or(d.deletion_tracking);
            }
        }
        let compaction = self.compaction(node, &id, defaults.compaction);
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Pipe {
            id,
            file: self.src.clone(),
            span: node.span,
            source,
            source_common,
            transforms,
            sink,
            batch_size,
            namespaces,
            add_namespaces,
            remove_namespaces,
            rescan_run_count,
            disabled,
            compaction,
            hop_datasets,
        })
    }
    /// Follows `conditional` components to the chosen alternative.
    pub(super) fn resolve_conditional<'n>(&mut self, node: &'n Node, pipe: &str, what: &str) -> Option<&'n Node> {
        if node.get("type").and_then(Node::as_str) != Some("conditional") {
            return Some(node);
        }
        self.check_keys(node, &keys::CONDITIONAL, pipe);
        let condition = match node.get("condition") {
            Some(c) => match &c.kind {
                NodeKind::Str(s) => s.clone(),
                _ => c.to_json().to_string(),
            },
            None => "test".to_string(),
        };
        let Some(alternatives) = node.get("alternatives") else {
            self.error(
                codes::CONFIG,
                format!("the conditional {what} of pipe `{pipe}` has no `alternatives`"),
                node.span,
                "here",
                "write \"alternatives\": {\"test\": {...}, \"prod\": {...}}",
            );
            return None;
        };
        match alternatives.get(&condition) {
            Some(chosen) => self.resolve_conditional(chosen, pipe, what),
            None => {
                let names: Vec<String> = match &alternatives.kind {
                    NodeKind::Object(e) => e.iter().map(|(k, _)| format!("`{}`", k.name)).collect(),
                    _ => Vec::new(),
                };
                self.error(
                    codes::CONFIG,
                    format!("the conditional {what} of pipe `{pipe}` has no alternative `{condition}`"),
                    node.get("condition").map_or(alternatives.span, |c| c.span),
                    "the condition",
                    &format!("the alternatives are {}", names.join(", ")),
                );
                None
            }
        }
    }

    /// The `type` of a source, sink or transform when it is one the engine runs
    /// offline (`known`), with its keys checked against `table(type)`.
    pub(super) fn component_type<'n>(
        &mut self,
        node: &'n Node,
        pipe: &str,
        what: &str,
        known: &[&str],
        table: fn(&str) -> Option<&'static KeyTable>,
    ) -> Option<&'n str> {
        let Some(ty) = node.get("type") else {
            self.error(codes::CONFIG, format!("the {what} of pipe `{pipe}` has no `type`"), node.span, "here", "");
            return None;
        };
        let Some(name) = ty.as_str() else {
            self.error(codes::CONFIG, format!("a {what} `type` must be a string"), ty.span, "here", "");
            return None;
        };
        if known.contains(&name) {
            if let Some(table) = table(name) {
                self.check_keys(node, table, pipe);
            }
            return Some(name);
        }
        if EXTERNAL_TYPES.contains(&name) {
            self.error(
                codes::NEEDS_SYSTEM,
                format!("the {what} of pipe `{pipe}` is of type `{name}`, which needs an outside system"),
                ty.span,
                "cannot run offline",
                &format!(
                    "make it a `conditional` {what} with a `test` alternative (an `embedded` source, a `null` sink, ...); the offline types are: {}",
                    known.join(", ")
                ),
            );
        } else {
            let help = match suggest(name, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the {what} types are: {}", known.join(", ")),
            };
            self.error(codes::UNKNOWN_COMPONENT_TYPE, format!("unknown {what} type `{name}`"), ty.span, "here", &help);
        }
        None
    }
}
