//! Loading a node folder: `pipes/*.conf.json`, `systems/*.conf.json`,
//! `node-metadata.conf.json` and `test-env.json` (or `--env FILE`).
//!
//! Files are parsed with the span-keeping JSON reader (a repeated key: the last
//! wins), `$ENV(...)` is substituted ([`super::env`]), `conditional` components are
//! resolved, and every pipe becomes a [`Pipe`]. Every problem is a diagnostic with
//! its file and position; all of them are reported at once.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::compile::{suggest, Namespaces, Program};
use crate::diagnostic::{codes, source, Diagnostic, Diagnostics, Source};
use crate::load::transform_config;
use crate::pipeline::Stage;
use crate::syntax::{parse_json, Node, NodeKind, Span};
use crate::value::{wire, Value};

use super::env::{parse_env, substitute, Env};

/// The keys a pipe may have.
pub const PIPE_KEYS: &[&str] = &[
    "_id",
    "type",
    "name",
    "description",
    "comment",
    "permissions",
    "source",
    "transform",
    "sink",
    "pump",
    "metadata",
    "batch_size",
    "checkpoint_interval",
    "disable_set_last_seen",
    "enable_background_rescan",
    "rescan_when_config_changes",
    "reprocessing_policy",
    "infer_pipe_entity_types",
    "dependency_tracking",
    "namespaced_identifiers",
    "namespaces",
    "add_namespaces",
    "remove_namespaces",
    "exclude_completeness",
    "include_completeness",
    "compaction",
];

const SOURCE_TYPES: &[&str] =
    &["dataset", "embedded", "json", "conditional", "empty", "merge", "union_datasets", "merge_datasets"];
const TRANSFORM_TYPES: &[&str] = &["dtl", "emit_children", "conditional"];
const SINK_TYPES: &[&str] = &["dataset", "json", "null", "conditional"];
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

/// A loaded node configuration.
#[derive(Debug)]
pub struct NodeConfig {
    /// The node folder.
    pub dir: PathBuf,
    /// The pipes, in file order (files sorted by name).
    pub pipes: Vec<Pipe>,
    /// The system ids.
    pub systems: Vec<String>,
}

/// One pipe, ready to run.
#[derive(Debug)]
pub struct Pipe {
    /// `_id`.
    pub id: String,
    /// The file it was read from (diagnostics point into it).
    pub file: Source,
    /// The span of the pipe object.
    pub span: Span,
    /// Where entities come from.
    pub source: SourceConfig,
    /// Options every source has.
    pub source_common: SourceCommon,
    /// The transform chain.
    pub transforms: Vec<Stage>,
    /// Where entities go.
    pub sink: SinkConfig,
    /// Entities per batch (`batch_size`, default 100).
    pub batch_size: usize,
    /// Namespaces, when `namespaced_identifiers` is on.
    pub namespaces: Option<Namespaces>,
    /// Prefix `_id` and properties before the first transform.
    pub add_namespaces: bool,
    /// Strip namespaces after the last transform.
    pub remove_namespaces: bool,
    /// `pump.rescan_run_count`: every N-th run is a full rescan.
    pub rescan_run_count: Option<u64>,
    /// `pump.mode` is `off`.
    pub disabled: bool,
    /// Datasets named by `hops`, `apply-hops` and `lookup-entity`, with where.
    pub hop_datasets: Vec<(String, Span)>,
}

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
    Merge(super::merge::MergeConfig),
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

/// Loads the node in `dir`, with the environment from `env_file` or else `dir/test-env.json`.
pub fn load_node(dir: &Path, env_file: Option<&Path>) -> Result<NodeConfig, Diagnostics> {
    let mut errors = Vec::new();
    let env = load_env(dir, env_file)?;
    let mut metadata = None;
    let meta_path = dir.join("node-metadata.conf.json");
    if meta_path.exists() {
        if let Some((tree, src)) = read_tree(&meta_path, &env, &mut errors) {
            metadata = Some((tree, src));
        }
    }
    let namespaced_default =
        metadata.as_ref().and_then(|(t, _)| t.get("namespaced_identifiers")).and_then(as_bool).unwrap_or(false);
    let mut pipe_nodes = Vec::new();
    let mut systems = Vec::new();
    for sub in ["systems", "pipes"] {
        for path in conf_files(&dir.join(sub), &mut errors) {
            let Some((tree, src)) = read_tree(&path, &env, &mut errors) else { continue };
            let items = match tree.kind {
                NodeKind::Array(items) => items,
                _ => vec![tree],
            };
            for item in items {
                let ty = item.get("type").and_then(Node::as_str).unwrap_or("pipe");
                if ty.starts_with("system") {
                    if let Some(id) = item.get("_id").and_then(Node::as_str) {
                        systems.push(id.to_string());
                    }
                } else if ty == "pipe" {
                    pipe_nodes.push((item, src.clone()));
                } else if ty != "metadata" {
                    errors.push(
                        Diagnostic::new(codes::CONFIG, format!("unknown configuration type `{ty}`"))
                            .at(item.get("type").map_or(item.span, |t| t.span), "here")
                            .help("a configuration object is a `pipe` or a `system:...`")
                            .in_source(&src),
                    );
                }
            }
        }
    }
    let mut pipes = Vec::new();
    let mut ids: HashMap<String, Span> = HashMap::new();
    for (node, src) in &pipe_nodes {
        let mut ctx = Ctx { src, errors: &mut errors, dir };
        if let Some(pipe) = ctx.pipe(node, namespaced_default) {
            if ids.insert(pipe.id.clone(), pipe.span).is_some() {
                ctx.errors.push(
                    Diagnostic::new(codes::DUPLICATE_PIPE, format!("there are two pipes called `{}`", pipe.id))
                        .at(node.get("_id").map_or(node.span, |n| n.span), "the second one")
                        .in_source(src),
                );
                continue;
            }
            pipes.push(pipe);
        }
    }
    check_datasets(&pipes, &mut errors);
    if errors.is_empty() {
        Ok(NodeConfig { dir: dir.to_path_buf(), pipes, systems })
    } else {
        Err(Diagnostics(errors))
    }
}

fn load_env(dir: &Path, env_file: Option<&Path>) -> Result<Env, Diagnostics> {
    let path = match env_file {
        Some(p) => p.to_path_buf(),
        None => dir.join("test-env.json"),
    };
    if env_file.is_none() && !path.exists() {
        return Ok(Env::new());
    }
    let src = crate::load::read_source(&path)?;
    Ok(parse_env(&src)?)
}

/// The `*.conf.json` files of a folder, sorted (a missing folder has none).
fn conf_files(dir: &Path, errors: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in read {
        match entry {
            Ok(e) if e.file_name().to_string_lossy().ends_with(".conf.json") => files.push(e.path()),
            Ok(_) => {}
            Err(e) => errors.push(Diagnostic::new(codes::IO, format!("cannot read {}: {e}", dir.display()))),
        }
    }
    files.sort();
    files
}

fn read_tree(path: &Path, env: &Env, errors: &mut Vec<Diagnostic>) -> Option<(Node, Source)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(Diagnostic::new(codes::IO, format!("cannot read {}: {e}", path.display())));
            return None;
        }
    };
    let src = source(path.display().to_string(), text);
    let mut tree = match parse_json(src.inner()) {
        Ok(t) => t,
        Err(d) => {
            errors.push(d.in_source(&src));
            return None;
        }
    };
    substitute(&mut tree, env, &src, errors);
    Some((tree, src))
}

fn as_bool(n: &Node) -> Option<bool> {
    match n.kind {
        NodeKind::Bool(b) => Some(b),
        _ => None,
    }
}

/// A configuration value as a DTL value.
pub fn node_value(n: &Node) -> Value {
    wire::parse(n.to_json().to_string().as_bytes()).unwrap_or(Value::Null)
}

struct Ctx<'a> {
    src: &'a Source,
    errors: &'a mut Vec<Diagnostic>,
    dir: &'a Path,
}

impl Ctx<'_> {
    fn error(&mut self, code: &'static str, message: impl Into<String>, at: Span, label: &str, help: &str) {
        let mut d = Diagnostic::new(code, message).at(at, label).in_source(self.src);
        if !help.is_empty() {
            d = d.help(help);
        }
        self.errors.push(d);
    }

    fn bool_key(&mut self, node: &Node, key: &str, default: bool) -> bool {
        match node.get(key) {
            None | Some(Node { kind: NodeKind::Null, .. }) => default,
            Some(v) => as_bool(v).unwrap_or_else(|| {
                self.error(codes::CONFIG, format!("`{key}` must be true or false"), v.span, "not a boolean", "");
                default
            }),
        }
    }

    fn number_key(&mut self, node: &Node, key: &str) -> Option<f64> {
        let v = node.get(key)?;
        match &v.kind {
            NodeKind::Null => None,
            NodeKind::Number(n) => n.parse().ok(),
            _ => {
                self.error(codes::CONFIG, format!("`{key}` must be a number"), v.span, "not a number", "");
                None
            }
        }
    }

    fn string_key(&mut self, node: &Node, key: &str) -> Option<(String, Span)> {
        let v = node.get(key)?;
        match v.as_str() {
            Some(s) => Some((s.to_string(), v.span)),
            None => {
                self.error(codes::CONFIG, format!("`{key}` must be a string"), v.span, "not a string", "");
                None
            }
        }
    }

    fn pipe(&mut self, node: &Node, namespaced_default: bool) -> Option<Pipe> {
        let NodeKind::Object(entries) = &node.kind else {
            self.error(codes::CONFIG, "a pipe must be a JSON object", node.span, "this is not an object", "");
            return None;
        };
        for (key, _) in entries {
            if !PIPE_KEYS.contains(&key.name.as_str()) {
                let help = match suggest(&key.name, PIPE_KEYS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the pipe keys are: {}", PIPE_KEYS.join(", ")),
                };
                self.error(
                    codes::UNKNOWN_CONFIG_KEY,
                    format!("unknown pipe key `{}`", key.name),
                    key.span,
                    "not a pipe key",
                    &help,
                );
            }
        }
        let Some((id, id_span)) = self.string_key(node, "_id") else {
            self.error(codes::CONFIG, "a pipe needs an `_id`", node.span, "this pipe has no `_id`", "");
            return None;
        };
        if id.contains('/') {
            self.error(codes::CONFIG, "a pipe `_id` must not contain `/`", id_span, "here", "");
        }
        let errors_before = self.errors.len();
        let namespaced = self.bool_key(node, "namespaced_identifiers", namespaced_default);
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
        let (source, source_common) = self.source(source_node, &id)?;
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
                if let Some(stage) = self.transform(item, &namespaces) {
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
            rescan_run_count = self.number_key(pump, "rescan_run_count").map(|n| n.max(1.0) as u64);
            disabled = pump.get("mode").and_then(Node::as_str) == Some("off");
            if let (Some(dt), SinkConfig::Dataset(d)) = (pump.get("deletion_tracking"), &mut sink) {
                d.deletion_tracking = as_bool(dt).unwrap_or(d.deletion_tracking);
            }
        }
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
            hop_datasets,
        })
    }

    /// Follows `conditional` components to the chosen alternative.
    fn resolve_conditional<'n>(&mut self, node: &'n Node, pipe: &str, what: &str) -> Option<&'n Node> {
        if node.get("type").and_then(Node::as_str) != Some("conditional") {
            return Some(node);
        }
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

    fn component_type<'n>(&mut self, node: &'n Node, pipe: &str, what: &str, known: &[&str]) -> Option<&'n str> {
        let Some(ty) = node.get("type") else {
            self.error(codes::CONFIG, format!("the {what} of pipe `{pipe}` has no `type`"), node.span, "here", "");
            return None;
        };
        let Some(name) = ty.as_str() else {
            self.error(codes::CONFIG, format!("a {what} `type` must be a string"), ty.span, "here", "");
            return None;
        };
        if known.contains(&name) {
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

    fn source(&mut self, node: &Node, pipe: &str) -> Option<(SourceConfig, SourceCommon)> {
        let ty = self.component_type(node, pipe, "source", SOURCE_TYPES)?;
        let common = SourceCommon {
            fail_if_empty: node.get("if_source_empty").and_then(Node::as_str) == Some("fail"),
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
            "merge" => SourceConfig::Merge(super::merge::MergeConfig::parse(node, self.src, self.errors)?),
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

    fn transform(&mut self, node: &Node, namespaces: &Option<Namespaces>) -> Option<Stage> {
        let ty = self.component_type(node, "", "transform", TRANSFORM_TYPES)?;
        match ty {
            "dtl" => {
                let Some(rules) = node.get("rules") else {
                    self.error(codes::CONFIG, "a DTL transform needs `rules`", node.span, "here", "");
                    return None;
                };
                let mut config = match transform_config(node) {
                    Ok(c) => c,
                    Err(d) => {
                        self.errors.push(d.in_source(self.src));
                        return None;
                    }
                };
                config.namespaces = namespaces.clone();
                match Program::compile(rules, config, self.src) {
                    Ok(p) => Some(Stage::Dtl(p)),
                    Err(d) => {
                        self.errors.extend(d.0);
                        None
                    }
                }
            }
            "emit_children" => Some(Stage::EmitChildren),
            _ => unreachable!("conditionals are resolved first"),
        }
    }

    fn sink(&mut self, node: &Node, pipe: &str) -> Option<SinkConfig> {
        let ty = self.component_type(node, pipe, "sink", SINK_TYPES)?;
        Some(match ty {
            "dataset" => SinkConfig::Dataset(self.dataset_sink(Some(node), pipe)),
            "json" => SinkConfig::Json,
            "null" => SinkConfig::Null,
            _ => unreachable!("conditionals are resolved first"),
        })
    }

    fn dataset_sink(&mut self, node: Option<&Node>, pipe: &str) -> DatasetSink {
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

/// The datasets a DTL rules tree hops into or looks up (read from the syntax: a
/// `hops`/`apply-hops` spec's `datasets`, `lookup-entity`'s first argument).
pub fn hop_datasets_of(node: &Node, out: &mut Vec<(String, Span)>) {
    match &node.kind {
        NodeKind::Array(items) => {
            match items.first().and_then(Node::as_str) {
                Some("hops" | "apply-hops") => {
                    for spec in &items[1..] {
                        let specs: Vec<&Node> = match &spec.kind {
                            NodeKind::Array(s) => s.iter().collect(),
                            _ => vec![spec],
                        };
                        for s in specs {
                            for d in s.get("datasets").and_then(Node::as_array).unwrap_or_default() {
                                if let Some(name) = d.as_str().and_then(|t| t.split_whitespace().next()) {
                                    out.push((name.to_string(), d.span));
                                }
                            }
                        }
                    }
                }
                Some("lookup-entity") => {
                    if let Some(d) = items.get(1).and_then(|n| n.as_str().map(|s| (s, n.span))) {
                        out.push((d.0.to_string(), d.1));
                    }
                }
                _ => {}
            }
            items.iter().for_each(|i| hop_datasets_of(i, out));
        }
        NodeKind::Object(entries) => entries.iter().for_each(|(_, v)| hop_datasets_of(v, out)),
        _ => {}
    }
}

/// Every dataset a pipe reads or hops into must be produced by some pipe.
fn check_datasets(pipes: &[Pipe], errors: &mut Vec<Diagnostic>) {
    let mut produced: BTreeMap<&str, &str> = BTreeMap::new();
    for p in pipes {
        if let SinkConfig::Dataset(d) = &p.sink {
            if let Some(other) = produced.insert(&d.dataset, &p.id) {
                errors.push(
                    Diagnostic::new(
                        codes::DUPLICATE_PIPE,
                        format!("pipes `{other}` and `{}` both write dataset `{}`", p.id, d.dataset),
                    )
                    .at(p.span, "the second writer")
                    .help("give each pipe its own sink dataset")
                    .in_source(&p.file),
                );
            }
        }
    }
    let names: Vec<&str> = produced.keys().copied().collect();
    for p in pipes {
        let multi = matches!(
            p.source,
            SourceConfig::Merge(_) | SourceConfig::Union { .. } | SourceConfig::MergeDatasets { .. }
        );
        let mut wanted: Vec<(&(String, Span), &str)> = Vec::new();
        if !multi {
            wanted.extend(p.source.inputs().into_iter().map(|d| (d, "reads")));
        }
        wanted.extend(p.hop_datasets.iter().map(|d| (d, "hops into")));
        for ((name, span), verb) in wanted {
            if produced.contains_key(name.as_str()) {
                continue;
            }
            let help = match suggest(name, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    "a dataset exists when a pipe writes it (a dataset sink, by default named like its pipe)".into()
                }
            };
            errors.push(
                Diagnostic::new(
                    codes::UNKNOWN_INPUT_DATASET,
                    format!("pipe `{}` {verb} dataset `{name}`, which no pipe produces", p.id),
                )
                .at(*span, "unknown dataset")
                .help(help)
                .in_source(&p.file),
            );
        }
    }
}
