//! Reading program files: a `.dtl` file, or JSON holding DTL rules, a DTL
//! transform (`{"type": "dtl", "rules": {...}}`) or a whole pipe configuration
//! (whose `transform`, one or a list, runs in order).

use std::path::Path;

use crate::compile::{Program, ProgramConfig, Trigger};
use crate::diagnostic::{codes, source, Diagnostic, Diagnostics, Source};
use crate::pipeline::{Pipeline, Stage};
use crate::syntax::{parse_dtl, parse_json, Node, NodeKind};

/// The two surface syntaxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `.dtl` text.
    Dtl,
    /// JSON DTL (or a configuration holding it).
    Json,
}

impl Syntax {
    /// The syntax a file name implies: `.dtl` is text, anything else JSON.
    pub fn of_path(path: &Path) -> Syntax {
        if path.extension().is_some_and(|e| e == "dtl") {
            Syntax::Dtl
        } else {
            Syntax::Json
        }
    }
}

/// Reads a file for a diagnostic-friendly source.
pub fn read_source(path: &Path) -> Result<Source, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::new(codes::IO, format!("cannot read {}: {e}", path.display()))
            .help("check the path and permissions")
    })?;
    Ok(source(path.display().to_string(), text))
}

/// Loads and compiles a program file.
pub fn load_program_file(path: &Path) -> Result<Pipeline, Diagnostics> {
    let src = read_source(path)?;
    load_program(&src, Syntax::of_path(path))
}

/// Parses a program text into its syntax tree, without compiling.
pub fn parse_program(src: &Source, syntax: Syntax) -> Result<Node, Diagnostics> {
    let text = src.inner();
    match syntax {
        Syntax::Dtl => parse_dtl(text).map_err(|d| d.in_source(src)),
        Syntax::Json => parse_json(text).map_err(|d| Diagnostics::from(d.in_source(src))),
    }
}

/// Compiles a program text.
pub fn load_program(src: &Source, syntax: Syntax) -> Result<Pipeline, Diagnostics> {
    let tree = parse_program(src, syntax)?;
    let stages = match syntax {
        Syntax::Dtl => vec![Stage::Dtl(Program::compile(&tree, ProgramConfig::default(), src)?)],
        Syntax::Json => json_stages(&tree, src)?,
    };
    Ok(Pipeline { stages })
}

/// Finds the DTL rules in a JSON document: rules, a DTL transform, or a pipe.
pub fn rules_node(tree: &Node) -> Option<&Node> {
    if let Some(transform) = tree.get("transform") {
        return match &transform.kind {
            NodeKind::Array(items) => items.iter().find_map(|t| t.get("rules")),
            _ => transform.get("rules"),
        };
    }
    tree.get("rules").or(Some(tree))
}

fn json_stages(tree: &Node, src: &Source) -> Result<Vec<Stage>, Diagnostics> {
    let shape_error = |node: &Node, message: &str| -> Diagnostics {
        Diagnostic::new(codes::PROGRAM_SHAPE, message.to_string())
            .at(node.span, format!("this is {}", node.kind_name()))
            .help("give DTL rules ({\"default\": [...]}), a DTL transform ({\"type\": \"dtl\", \"rules\": {...}}) or a pipe with a `transform`")
            .in_source(src)
            .into()
    };
    match &tree.kind {
        NodeKind::Object(_) if tree.get("transform").is_some() => {
            let transform = tree.get("transform").expect("checked");
            match &transform.kind {
                NodeKind::Array(items) => items.iter().map(|t| transform_stage(t, src)).collect(),
                NodeKind::Object(_) => Ok(vec![transform_stage(transform, src)?]),
                _ => Err(shape_error(transform, "a pipe's `transform` must be a transform or a list of them")),
            }
        }
        NodeKind::Object(_) if tree.get("type").is_some() => Ok(vec![transform_stage(tree, src)?]),
        NodeKind::Object(_) => Ok(vec![Stage::Dtl(Program::compile(tree, ProgramConfig::default(), src)?)]),
        NodeKind::Array(items) => items.iter().map(|t| transform_stage(t, src)).collect(),
        _ => Err(shape_error(tree, "this file does not hold a DTL program")),
    }
}

/// One pipe transform configuration.
fn transform_stage(node: &Node, src: &Source) -> Result<Stage, Diagnostics> {
    let kind = node.get("type").and_then(Node::as_str);
    match kind {
        Some("dtl") => {
            let Some(rules) = node.get("rules") else {
                return Err(Diagnostic::new(codes::PROGRAM_SHAPE, "a DTL transform needs `rules`")
                    .at(node.span, "this transform has no rules")
                    .in_source(src)
                    .into());
            };
            let config = transform_config(node).map_err(|d| Diagnostics::from(d.in_source(src)))?;
            Ok(Stage::Dtl(Program::compile(rules, config, src)?))
        }
        Some("emit_children") => Ok(Stage::EmitChildren),
        Some(other) => {
            let at = node.get("type").map(|n| n.span).unwrap_or(node.span);
            Err(Diagnostic::new(codes::PROGRAM_SHAPE, format!("the transform type `{other}` cannot run offline"))
                .at(at, "unsupported transform type")
                .help("`dtl run` runs `dtl` and `emit_children` transforms")
                .in_source(src)
                .into())
        }
        None => {
            // `[["copy", "*"], ...]` is a rule's body given where a list of transform configurations belongs.
            let looks_like_a_rule_body = matches!(&node.kind, NodeKind::Array(items)
                if items.first().is_some_and(|head| head.as_str().is_some()));
            let help = if looks_like_a_rule_body {
                "this looks like a DTL transform such as [\"copy\", \"*\"]: put the rule's transforms in a rules object, {\"default\": [[\"copy\", \"*\"], ...]}"
            } else {
                "write {\"type\": \"dtl\", \"rules\": {...}}"
            };
            Err(Diagnostic::new(codes::PROGRAM_SHAPE, "a transform needs a `type`")
                .at(node.span, "no `type` here")
                .help(help)
                .in_source(src)
                .into())
        }
    }
}

/// `id_required` and `trigger_on` of a DTL transform.
pub fn transform_config(node: &Node) -> Result<ProgramConfig, Diagnostic> {
    let mut config = ProgramConfig::default();
    if let Some(v) = node.get("id_required") {
        match v.kind {
            NodeKind::Bool(b) => config.id_required = b,
            _ => {
                return Err(Diagnostic::new(codes::PROGRAM_SHAPE, "`id_required` must be true or false")
                    .at(v.span, format!("this is {}", v.kind_name())))
            }
        }
    }
    if let Some(t) = node.get("trigger_on") {
        let key = t.get("key").and_then(Node::as_str).unwrap_or("_trigger");
        let Some(pattern) = t.get("value").and_then(Node::as_str) else {
            return Err(Diagnostic::new(codes::PROGRAM_SHAPE, "`trigger_on` needs a string `value` pattern")
                .at(t.span, "here")
                .help("write {\"key\": \"_trigger\", \"value\": \"*\"}"));
        };
        config.trigger_on =
            Some(Trigger { key: key.split('.').map(Into::into).collect(), pattern: pattern.to_string() });
    }
    Ok(config)
}
