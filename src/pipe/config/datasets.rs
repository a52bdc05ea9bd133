//! Which datasets pipes read and hop into, and the check that some pipe produces each.

use std::collections::BTreeMap;

use crate::compile::suggest;
use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::{Node, NodeKind, Span};

use super::{Pipe, SinkConfig, SourceConfig};

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
pub(super) fn check_datasets(pipes: &[Pipe], errors: &mut Vec<Diagnostic>) {
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
