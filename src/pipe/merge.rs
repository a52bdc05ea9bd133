//! The `merge` source: entities of several datasets that are "the same" (by
//! `equality` / `equality_sets` rules, transitively) become one entity.
//!
//! Offline the merge is recomputed from the latest versions of all inputs on each
//! run and the output diffed against the previous run's ids: ids that vanished are
//! emitted as deleted with `$replaced: true`. Sink change tracking suppresses the
//! rest of the no-ops.

use std::collections::{HashMap, HashSet};

use crate::compile::{Expression, Program};
use crate::dataset::{is_deleted, JoinKey};
use crate::diagnostic::{codes, Diagnostic, Source};
use crate::syntax::{Node, NodeKind, Span};
use crate::value::{equal, map_with_capacity, Map, Str, Value};

use super::store::PipeStore;

/// One input: `"<dataset> <alias>"`.
#[derive(Debug)]
pub struct MergeInput {
    /// The dataset and where it is named.
    pub name: (String, Span),
    /// The alias the rules use.
    pub alias: String,
}

/// How values of the same property are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// A list of all values (duplicates kept); a value only one entity has stays as is.
    Default,
    /// Like default, but deduplicated, empty lists dropped and singletons unwrapped.
    Compact,
    /// The merged entities in `$merged`.
    List,
}

/// One side of an equality: an expression over one alias, compiled with the alias as `_S`.
#[derive(Debug)]
struct Side {
    input: usize,
    expr: Expression,
}

/// A parsed `merge` source.
#[derive(Debug)]
pub struct MergeConfig {
    /// The inputs, in order (their position is the id prefix).
    pub datasets: Vec<MergeInput>,
    equalities: Vec<(Side, Side)>,
    /// `identity: "first"` (else composite).
    pub identity_first: bool,
    /// `strategy`.
    pub strategy: Strategy,
}

impl MergeConfig {
    /// Parses the source configuration, pushing problems to `errors`.
    pub fn parse(node: &Node, src: &Source, errors: &mut Vec<Diagnostic>) -> Option<MergeConfig> {
        let before = errors.len();
        let err = |at: Span, message: String, help: &str| {
            Diagnostic::new(codes::CONFIG, message).at(at, "here").help(help.to_string()).in_source(src)
        };
        let mut datasets = Vec::new();
        match node.get("datasets").and_then(Node::as_array) {
            Some(list) => {
                for d in list {
                    let parts: Vec<&str> = d.as_str().unwrap_or("").split_whitespace().collect();
                    match parts.as_slice() {
                        [name, alias] => {
                            datasets.push(MergeInput { name: (name.to_string(), d.span), alias: alias.to_string() })
                        }
                        _ => errors.push(err(
                            d.span,
                            "a merge dataset is written \"<dataset> <alias>\"".into(),
                            "e.g. \"crm-person p\"",
                        )),
                    }
                }
            }
            None => errors.push(err(node.span, "a merge source needs `datasets`".into(), "")),
        }
        let aliases: Vec<&str> = datasets.iter().map(|d| d.alias.as_str()).collect();
        let mut pairs: Vec<(&Node, &Node)> = Vec::new();
        for e in node.get("equality").and_then(Node::as_array).unwrap_or_default() {
            match e.as_array() {
                Some([op, a, b]) if op.as_str() == Some("eq") => pairs.push((a, b)),
                _ => errors.push(err(
                    e.span,
                    "an equality rule is [\"eq\", a, b]".into(),
                    "e.g. [\"eq\", \"a.email\", \"b.mail\"]",
                )),
            }
        }
        for set in node.get("equality_sets").and_then(Node::as_array).unwrap_or_default() {
            match set.as_array() {
                Some(items) if items.len() >= 2 => pairs.extend(items.windows(2).map(|w| (&w[0], &w[1]))),
                _ => errors.push(err(set.span, "an equality set is a list of two or more expressions".into(), "")),
            }
        }
        let mut equalities = Vec::new();
        for (a, b) in pairs {
            let (Some(a), Some(b)) = (side(a, &aliases, src, errors), side(b, &aliases, src, errors)) else { continue };
            equalities.push((a, b));
        }
        let identity_first = node.get("identity").and_then(Node::as_str) == Some("first");
        let strategy = match node.get("strategy").and_then(Node::as_str) {
            None | Some("default") => Strategy::Default,
            Some("compact") => Strategy::Compact,
            Some("list") => Strategy::List,
            Some(other) => {
                let at = node.get("strategy").map_or(node.span, |s| s.span);
                errors.push(err(
                    at,
                    format!("unknown merge strategy `{other}`"),
                    "the strategies are default, compact, list",
                ));
                Strategy::Default
            }
        };
        (errors.len() == before).then_some(MergeConfig { datasets, equalities, identity_first, strategy })
    }

    /// The merged entities of the current input state, deleted inputs standalone.
    pub fn compute(&self, store: &dyn PipeStore) -> Result<Vec<Value>, Box<Diagnostic>> {
        // Every input entity, by node number.
        let mut nodes: Vec<(usize, Value)> = Vec::new();
        let mut ranges = Vec::new();
        for (i, input) in self.datasets.iter().enumerate() {
            let start = nodes.len();
            nodes.extend(store.latest_all(&input.name.0)?.into_iter().map(|e| (i, e)));
            ranges.push(start..nodes.len());
        }
        let mut parent: Vec<usize> = (0..nodes.len()).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let empty = Value::dict(Map::default());
        let keys_of = |side: &Side, entity: &Value| -> Result<Vec<JoinKey>, Box<Diagnostic>> {
            let v = side.expr.evaluate(entity, &empty)?;
            let mut out = Vec::new();
            JoinKey::all(&v, &mut out);
            Ok(out)
        };
        for (a, b) in &self.equalities {
            let mut index: HashMap<JoinKey, Vec<usize>> = HashMap::new();
            for n in ranges[a.input].clone() {
                if is_deleted(&nodes[n].1) {
                    continue;
                }
                for k in keys_of(a, &nodes[n].1)? {
                    index.entry(k).or_default().push(n);
                }
            }
            for n in ranges[b.input].clone() {
                if is_deleted(&nodes[n].1) {
                    continue;
                }
                for k in keys_of(b, &nodes[n].1)? {
                    for &m in index.get(&k).map(Vec::as_slice).unwrap_or_default() {
                        let (x, y) = (find(&mut parent, n), find(&mut parent, m));
                        if x != y {
                            parent[x.max(y)] = x.min(y);
                        }
                    }
                }
            }
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<usize, usize> = HashMap::new();
        for (n, (_, entity)) in nodes.iter().enumerate() {
            let root = find(&mut parent, n);
            if is_deleted(entity) {
                groups.push(vec![n]);
                continue;
            }
            let g = *group_of.entry(root).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(n);
        }
        let mut out = Vec::with_capacity(groups.len());
        for mut members in groups {
            members.sort_by(|&x, &y| (nodes[x].0, nodes[x].1.entity_id()).cmp(&(nodes[y].0, nodes[y].1.entity_id())));
            out.push(self.merged(members.iter().map(|&n| (nodes[n].0, &nodes[n].1))));
        }
        Ok(out)
    }

    fn merged<'a>(&self, members: impl Iterator<Item = (usize, &'a Value)> + Clone) -> Value {
        let ids: Vec<String> = members.clone().map(|(i, e)| format!("{i}|{}", e.entity_id().unwrap_or(""))).collect();
        let id = if self.identity_first {
            members.clone().next().and_then(|(_, e)| e.entity_id()).unwrap_or("").to_string()
        } else {
            ids.join("|")
        };
        let mut all_ids: Vec<Value> = Vec::new();
        for (_, e) in members.clone() {
            match e.get("$ids") {
                Some(Value::List(list)) => all_ids.extend(list.iter().cloned()),
                _ => all_ids.push(Value::Ni(Str::from(e.entity_id().unwrap_or("")))),
            }
        }
        let mut seen = Vec::new();
        all_ids.retain(|v| {
            if seen.iter().any(|s| equal(s, v)) {
                false
            } else {
                seen.push(v.clone());
                true
            }
        });
        let mut map = map_with_capacity(8);
        map.insert(Str::from("_id"), Value::str(&id));
        let deleted = members.clone().any(|(_, e)| is_deleted(e));
        if self.strategy == Strategy::List {
            let merged: Vec<Value> = members.clone().map(|(_, e)| strip(e)).collect();
            map.insert(Str::from("$merged"), Value::list(merged));
        } else {
            let mut props: Vec<(Str, Vec<Value>)> = Vec::new();
            for (_, e) in members.clone() {
                for (k, v) in e.as_dict().into_iter().flat_map(|m| m.iter()) {
                    if k.starts_with('_') || k.as_ref() == "$ids" {
                        continue;
                    }
                    match props.iter_mut().find(|(p, _)| p == k) {
                        Some((_, vs)) => vs.push(v.clone()),
                        None => props.push((k.clone(), vec![v.clone()])),
                    }
                }
            }
            for (k, values) in props {
                let value = if values.len() == 1 && self.strategy == Strategy::Default {
                    values.into_iter().next().unwrap_or_default()
                } else {
                    let mut flat: Vec<Value> = values.iter().flat_map(|v| v.iter_list().cloned()).collect();
                    if self.strategy == Strategy::Compact {
                        let mut unique: Vec<Value> = Vec::new();
                        for v in flat {
                            if !unique.iter().any(|u| equal(u, &v)) {
                                unique.push(v);
                            }
                        }
                        flat = unique;
                        match flat.len() {
                            0 => continue,
                            1 => flat.pop().unwrap_or_default(),
                            _ => Value::list(flat),
                        }
                    } else {
                        Value::list(flat)
                    }
                };
                map.insert(k, value);
            }
        }
        map.insert(Str::from("$ids"), Value::list(all_ids));
        if deleted {
            map.insert(Str::from("_deleted"), Value::Bool(true));
        }
        Value::dict(map)
    }
}

/// An entity without its root `_` keys.
fn strip(e: &Value) -> Value {
    let mut map = map_with_capacity(8);
    for (k, v) in e.as_dict().into_iter().flat_map(|m| m.iter()) {
        if !k.starts_with('_') || k.as_ref() == "_id" {
            map.insert(k.clone(), v.clone());
        }
    }
    Value::dict(map)
}

/// Compiles one side of an equality: its alias references become `_S`.
fn side(node: &Node, aliases: &[&str], src: &Source, errors: &mut Vec<Diagnostic>) -> Option<Side> {
    let mut used = HashSet::new();
    let rewritten = rewrite(node, aliases, &mut used);
    if used.len() != 1 {
        errors.push(
            Diagnostic::new(codes::CONFIG, "each side of a merge equality must read exactly one dataset alias")
                .at(node.span, format!("this reads {} aliases", used.len()))
                .help(format!("the aliases are: {}", aliases.join(", ")))
                .in_source(src),
        );
        return None;
    }
    let input = used.into_iter().next()?;
    match Program::compile_expression(&rewritten, src) {
        Ok(expr) => Some(Side { input, expr }),
        Err(d) => {
            errors.extend(d.0);
            None
        }
    }
}

fn rewrite(node: &Node, aliases: &[&str], used: &mut HashSet<usize>) -> Node {
    let kind = match &node.kind {
        NodeKind::Str(s) => {
            let (head, rest) = s.split_once('.').map_or((s.as_str(), None), |(h, r)| (h, Some(r)));
            match aliases.iter().position(|a| *a == head) {
                Some(i) => {
                    used.insert(i);
                    NodeKind::Str(match rest {
                        Some(r) => format!("_S.{r}"),
                        None => "_S".into(),
                    })
                }
                None => NodeKind::Str(s.clone()),
            }
        }
        NodeKind::Array(items) => {
            let mut out: Vec<Node> = items.iter().map(|i| rewrite(i, aliases, used)).collect();
            // The function name itself is never an alias.
            if let (Some(first), Some(orig)) = (out.first_mut(), items.first()) {
                *first = orig.clone();
            }
            NodeKind::Array(out)
        }
        other => other.clone(),
    };
    Node::new(kind, node.span)
}

/// Previously emitted ids that this run does not emit: deleted with `$replaced: true`.
pub fn replaced(previous: &Value, current: &[Value]) -> Vec<Value> {
    let now: HashSet<&str> = current.iter().filter_map(Value::entity_id).collect();
    previous
        .iter_list()
        .filter_map(Value::as_str)
        .filter(|id| !now.contains(id))
        .map(|id| {
            let mut map = map_with_capacity(3);
            map.insert(Str::from("_id"), Value::str(id));
            map.insert(Str::from("_deleted"), Value::Bool(true));
            map.insert(Str::from("$replaced"), Value::Bool(true));
            Value::dict(map)
        })
        .collect()
}
