//! Loading a node folder: `pipes/*.conf.json`, `systems/*.conf.json`,
//! `node-metadata.conf.json` and `test-env.json` (or `--env FILE`).
//!
//! Files are parsed with the span-keeping JSON reader (a repeated key: the last
//! wins), `$ENV(...)` is substituted ([`super::env`]), `conditional` components are
//! resolved, and every pipe becomes a [`Pipe`]. Every problem is a diagnostic with
//! its file and position; all of them are reported at once.
//!
//! * [`keys`]: the keys each pipe, source, sink and transform type may have;
//! * `pipe`: a pipe object, its conditionals and component types;
//! * `source`, `sink`, `transform`, `compaction`: the parts of a pipe;
//! * `datasets`: which datasets pipes read and hop into, and that they exist.

mod compaction;
mod datasets;
pub mod keys;
mod pipe;
mod sink;
mod source;
mod transform;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::compile::Namespaces;
use crate::diagnostic::{codes, source, Diagnostic, Diagnostics, Source};
use crate::pipeline::Stage;
use crate::syntax::{parse_json, Node, NodeKind, Span};
use crate::value::{wire, Value};

use super::env::{parse_env, substitute, Env};

pub use compaction::{Compaction, CompactionDefaults};
pub use datasets::hop_datasets_of;
pub use sink::{DatasetSink, InitialOffset, SinkConfig};
pub use source::{SourceCommon, SourceConfig};

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
    /// How the sink dataset is compacted after a run.
    pub compaction: Compaction,
    /// Datasets named by `hops`, `apply-hops` and `lookup-entity`, with where.
    pub hop_datasets: Vec<(String, Span)>,
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
    let defaults = match &metadata {
        Some((tree, src)) => Ctx { src, errors: &mut errors, dir }.node_defaults(tree),
        None => NodeDefaults::default(),
    };
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
    if pipe_nodes.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::new(codes::CONFIG, format!("{} holds no pipes", dir.display()))
                .help("a node folder has its pipe configurations in pipes/*.conf.json"),
        );
    }
    let mut pipes = Vec::new();
    let mut ids: HashMap<String, Span> = HashMap::new();
    for (node, src) in &pipe_nodes {
        let mut ctx = Ctx { src, errors: &mut errors, dir };
        if let Some(pipe) = ctx.pipe(node, &defaults) {
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
    datasets::check_datasets(&pipes, &mut errors);
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

/// What the node metadata sets for every pipe that does not say otherwise.
#[derive(Clone, Copy, Debug, Default)]
struct NodeDefaults {
    /// `namespaced_identifiers` (false).
    namespaced_identifiers: bool,
    /// `global_defaults.if_source_empty` is `"fail"` (default `"accept"`).
    fail_if_source_empty: bool,
    /// `global_defaults.default_compaction_type`, `compaction_keep_versions`.
    compaction: CompactionDefaults,
}

struct Ctx<'a> {
    src: &'a Source,
    errors: &'a mut Vec<Diagnostic>,
    dir: &'a Path,
}

impl Ctx<'_> {
    /// Reads the defaults from the node metadata. Its keys are not checked: a live
    /// node's metadata holds many settings that do not concern the offline engine.
    fn node_defaults(&mut self, metadata: &Node) -> NodeDefaults {
        let namespaced_identifiers = self.bool_key(metadata, "namespaced_identifiers", false);
        let fail_if_source_empty = match metadata.get("global_defaults") {
            Some(defaults) => {
                self.choice_key(defaults, "if_source_empty", &["accept", "fail"]).as_deref() == Some("fail")
            }
            None => false,
        };
        NodeDefaults { namespaced_identifiers, fail_if_source_empty, compaction: self.compaction_defaults(metadata) }
    }

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

    /// A string key that must be one of `choices`; anything else is reported (with
    /// "did you mean") and read as absent.
    fn choice_key(&mut self, node: &Node, key: &str, choices: &[&str]) -> Option<String> {
        let (value, span) = self.string_key(node, key)?;
        if choices.contains(&value.as_str()) {
            return Some(value);
        }
        let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
        let help = match crate::compile::suggest(&value, choices.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("the values are {}", quoted.join(", ")),
        };
        self.error(codes::CONFIG, format!("`{key}` cannot be \"{value}\""), span, "not one of the values", &help);
        None
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
}
