//! Planning `hops`: HOPS_SPEC dicts become [`HopsPlan`]s.
//!
//! The `where` conjuncts are split into joins and filters (language-core §3.11):
//! an `eq` whose two sides each read exactly one of `_S` and the aliases — two
//! different ones — is a join, unless an earlier join already linked the same
//! pair. Joins are then ordered by walking outwards from `_S`, so that each binds
//! one new alias from a bound one and runs as an index lookup; a join between two
//! aliases bound by other joins becomes an overlap filter. Every other condition is
//! a filter, placed right after the step that binds the last alias it reads.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::{Node, NodeKind, Span};
use crate::value::Str;

use super::expr::{literal_value, Compiler};
use super::ir::{Expr, HopsDataset, HopsFilter, HopsPlan, HopsReturn, HopsSpec, JoinStep, Special, Subset, Var};
use super::suggest::closest;

/// The keys a HOPS_SPEC may have (`prefilters` is the deprecated name of `subsets`).
const SPEC_KEYS: &[&str] = &[
    "datasets",
    "where",
    "return",
    "recurse",
    "max_depth",
    "exclude_root",
    "subsets",
    "prefilters",
    "track-dependencies",
    "trace",
];

/// The default `max_depth` of a recursive spec (CL 2017-05-29).
const DEFAULT_MAX_DEPTH: u64 = 10;

static NEXT_INDEX_ID: AtomicU64 = AtomicU64::new(1);

/// What an expression reads: `_S`, which aliases, and whether it reads the caller's
/// context (`_T`, `_P`, `_R`, `_B`), which no index can hold.
#[derive(Clone, Debug, Default)]
pub(super) struct Refs {
    source: bool,
    aliases: Vec<usize>,
    context: bool,
}

impl Refs {
    pub(super) fn of(expr: &Expr) -> Refs {
        let mut refs = Refs::default();
        refs.collect(expr);
        refs
    }

    fn collect(&mut self, expr: &Expr) {
        match expr {
            Expr::Const(_) => {}
            Expr::Path(p) => match p.var {
                Var::Source => self.source = true,
                Var::Alias(i) => {
                    if !self.aliases.contains(&i) {
                        self.aliases.push(i);
                    }
                }
                Var::Target | Var::Parent | Var::Root | Var::Params => self.context = true,
                Var::Current => {}
            },
            Expr::Call(call) => {
                // A nested hops reads `_S` implicitly (its input) and its clauses are its own.
                if matches!(call.special, Special::Hops(_)) {
                    self.source = true;
                }
                call.args.iter().for_each(|a| self.collect(a));
            }
        }
    }

    /// The graph nodes it reads: 0 for `_S`, `i + 1` for alias `i`.
    fn nodes(&self) -> Vec<usize> {
        let mut nodes: Vec<usize> = self.aliases.iter().map(|a| a + 1).collect();
        if self.source {
            nodes.push(0);
        }
        nodes
    }

    /// The one node a join side reads, if it reads exactly one and nothing of the context.
    fn single_node(&self) -> Option<usize> {
        match self.nodes()[..] {
            [node] if !self.context => Some(node),
            _ => None,
        }
    }
}

/// A `where` conjunct, classified.
enum Condition {
    Join { nodes: [usize; 2], sides: [Expr; 2] },
    Filter(Expr),
}

impl Compiler {
    /// Compiles the HOPS_SPEC arguments of `hops` / `apply-hops`.
    pub(super) fn hops_plan(&mut self, specs: &[Node], rule: Option<usize>) -> Special {
        let count = specs.len();
        let specs = specs.iter().enumerate().filter_map(|(i, s)| self.hops_spec(s, i + 1 == count)).collect();
        Special::Hops(Box::new(HopsPlan { specs, rule }))
    }

    fn spec_error(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>, help: &str) {
        self.diagnostics.push(Diagnostic::new(codes::HOPS_SPEC, message).at(span, label).help(help));
    }

    fn hops_spec(&mut self, node: &Node, last: bool) -> Option<HopsSpec> {
        let NodeKind::Object(entries) = &node.kind else {
            self.spec_error(
                node.span,
                "a hops specification must be a dict",
                format!("this is {}", node.kind_name()),
                "write {\"datasets\": [\"<dataset> <alias>\"], \"where\": [[\"eq\", \"_S.ref\", \"<alias>._id\"]]}",
            );
            return None;
        };
        for (key, _) in entries {
            if !SPEC_KEYS.contains(&key.name.as_str()) {
                let help = match closest(&key.name, SPEC_KEYS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys are: {}", SPEC_KEYS.join(", ")),
                };
                self.spec_error(key.span, format!("unknown hops key `{}`", key.name), "not a hops key", &help);
            }
        }
        let mut datasets = self.hops_datasets(node)?;
        let names: Vec<String> = datasets.iter().map(|d| d.alias.clone()).collect();
        self.aliases.push(names.clone());
        let planned = self.plan_where(node, &names);
        let ret = self.hops_return(node.get("return"), &names, last);
        self.aliases.pop();
        self.hops_subsets(node, &names, &mut datasets);
        let (steps, filters) = planned?;
        let recurse = self.spec_bool(node, "recurse", false);
        let exclude_root = self.spec_bool(node, "exclude_root", false);
        let track_dependencies = self.spec_bool(node, "track-dependencies", true);
        let max_depth = match node.get("max_depth") {
            None => Some(DEFAULT_MAX_DEPTH),
            Some(Node { kind: NodeKind::Null, .. }) => None,
            Some(n) => match &n.kind {
                NodeKind::Number(text) if text.parse::<u64>().is_ok() => text.parse().ok(),
                _ => {
                    self.spec_error(n.span, "`max_depth` must be a whole number or null", "here", "e.g. 5");
                    None
                }
            },
        };
        let trace = node.get("trace").and_then(Node::as_str).map(str::to_string);
        if recurse && node.get("return").is_some() {
            self.spec_error(
                node.get("return").map_or(node.span, |n| n.span),
                "`return` cannot be combined with `recurse`",
                "this return",
                "put the `return` on a following, non-recursive specification",
            );
        }
        Some(HopsSpec {
            datasets,
            steps,
            filters,
            ret: ret?,
            recurse,
            max_depth,
            exclude_root,
            track_dependencies,
            trace,
        })
    }

    fn spec_bool(&mut self, node: &Node, key: &str, default: bool) -> bool {
        match node.get(key) {
            None => default,
            Some(Node { kind: NodeKind::Bool(b), .. }) => *b,
            Some(n) => {
                self.spec_error(n.span, format!("`{key}` must be true or false"), "here", "write true or false");
                default
            }
        }
    }

    fn hops_datasets(&mut self, node: &Node) -> Option<Vec<HopsDataset>> {
        const HELP: &str = "write \"datasets\": [\"<dataset-id> <alias>\", ...]";
        let Some(list) = node.get("datasets") else {
            self.spec_error(node.span, "the hops specification has no `datasets`", "in this specification", HELP);
            return None;
        };
        let Some(items) = list.as_array().filter(|items| !items.is_empty()) else {
            self.spec_error(list.span, "`datasets` must be a non-empty list", "here", HELP);
            return None;
        };
        let mut datasets: Vec<HopsDataset> = Vec::new();
        for item in items {
            let parts: Vec<&str> = item.as_str().map(|s| s.split_whitespace().collect()).unwrap_or_default();
            let [name, alias] = parts[..] else {
                self.spec_error(item.span, "a `datasets` entry must be \"<dataset-id> <alias>\"", "here", HELP);
                continue;
            };
            if datasets.iter().any(|d| d.alias == alias) || alias.starts_with('_') {
                self.spec_error(
                    item.span,
                    format!("the alias `{alias}` is already taken"),
                    "here",
                    "give every dataset its own alias, not starting with `_`",
                );
                continue;
            }
            datasets.push(HopsDataset { name: Str::from(name), alias: alias.to_string(), subset: None });
        }
        (datasets.len() == items.len()).then_some(datasets)
    }

    /// Splits `where` into joins and filters and orders the joins outwards from `_S`.
    #[allow(clippy::type_complexity)]
    fn plan_where(&mut self, node: &Node, aliases: &[String]) -> Option<(Vec<JoinStep>, Vec<Vec<HopsFilter>>)> {
        let mut conjuncts = Vec::new();
        if let Some(w) = node.get("where") {
            where_conjuncts(w, &mut conjuncts);
        }
        let mut conditions = Vec::new();
        let mut linked: HashSet<[usize; 2]> = HashSet::new();
        for c in conjuncts {
            let expr = self.expr(c);
            conditions.push(classify(expr, &mut linked));
        }
        // Bind aliases outwards from `_S` (node 0), taking the first usable join each time.
        let mut bound_at: Vec<Option<usize>> = vec![None; aliases.len() + 1];
        bound_at[0] = Some(0);
        let mut steps = Vec::new();
        loop {
            let found = conditions.iter().position(|c| match c {
                Condition::Join { nodes: [a, b], .. } => bound_at[*a].is_some() != bound_at[*b].is_some(),
                Condition::Filter(_) => false,
            });
            let Some(pos) = found else { break };
            let Condition::Join { nodes: [a, b], sides: [sa, sb] } = conditions.remove(pos) else { unreachable!() };
            let (new, bound, from, key) = if bound_at[a].is_some() { (b, a, sa, sb) } else { (a, b, sb, sa) };
            steps.push(JoinStep {
                alias: new - 1,
                from,
                key,
                index_id: NEXT_INDEX_ID.fetch_add(1, Ordering::Relaxed),
                from_alias: bound.checked_sub(1),
                from_index_id: NEXT_INDEX_ID.fetch_add(1, Ordering::Relaxed),
            });
            bound_at[new] = Some(steps.len());
        }
        if let Some(missing) = (1..bound_at.len()).find(|&n| bound_at[n].is_none()) {
            let alias = &aliases[missing - 1];
            self.spec_error(
                node.get("where").map_or(node.span, |w| w.span),
                format!("the alias `{alias}` is not joined to `_S`"),
                format!("no join reaches `{alias}` from `_S` here"),
                &format!(
                    "every alias needs a join chain from `_S`, e.g. [\"eq\", \"_S.ref\", \"{alias}._id\"] \
                     (a join is an `eq` whose two sides each read one different alias)"
                ),
            );
            return None;
        }
        let mut filters: Vec<Vec<HopsFilter>> = (0..=steps.len()).map(|_| Vec::new()).collect();
        for c in conditions {
            let (filter, nodes) = match c {
                Condition::Join { nodes, sides: [a, b] } => (HopsFilter::Overlap(a, b), nodes.to_vec()),
                Condition::Filter(e) => {
                    let nodes = Refs::of(&e).nodes();
                    (HopsFilter::Condition(e), nodes)
                }
            };
            let at = nodes.iter().filter_map(|&n| bound_at[n]).max().unwrap_or(0);
            filters[at].push(filter);
        }
        Some((steps, filters))
    }

    fn hops_return(&mut self, node: Option<&Node>, aliases: &[String], last: bool) -> Option<HopsReturn> {
        let Some(node) = node else { return Some(HopsReturn::Aliases(vec![aliases.len() - 1])) };
        if !last {
            self.spec_error(
                node.span,
                "only the last hops specification may have a `return`",
                "this return",
                "move the `return` to the last specification",
            );
        }
        if let Some(text) = node.as_str() {
            let named: Option<Vec<usize>> =
                text.split(',').map(|t| aliases.iter().position(|a| a == t.trim())).collect();
            if let Some(named) = named {
                return Some(HopsReturn::Aliases(named));
            }
        }
        let expr = self.expr(node);
        let uses_source = Refs::of(&expr).source;
        Some(HopsReturn::Expr { expr, uses_source })
    }

    fn hops_subsets(&mut self, node: &Node, aliases: &[String], datasets: &mut [HopsDataset]) {
        const HELP: &str = "write \"subsets\": {\"<alias>\": [\"eq\", \"_S.<property>\", <literal>]}";
        let Some(subsets) = node.get("subsets").or_else(|| node.get("prefilters")) else { return };
        let NodeKind::Object(entries) = &subsets.kind else {
            self.spec_error(subsets.span, "`subsets` must be a dict of alias → subset expression", "here", HELP);
            return;
        };
        for (key, value) in entries {
            let Some(i) = aliases.iter().position(|a| *a == key.name) else {
                self.spec_error(
                    key.span,
                    format!("`{}` is not an alias of this specification", key.name),
                    "here",
                    HELP,
                );
                continue;
            };
            let parts = value.as_array().unwrap_or_default();
            if parts.len() != 3 || parts[0].as_str() != Some("eq") {
                self.spec_error(value.span, "a subset must be [\"eq\", INDEX_EXPRESSION, VALUE]", "here", HELP);
                continue;
            }
            // Inside the index expression `_S` is the subsetted dataset's entity.
            self.aliases.push(Vec::new());
            let expr = self.expr(&parts[1]);
            self.aliases.pop();
            match literal_value(&parts[2]) {
                Ok(value) => datasets[i].subset = Some(Subset { expr, value }),
                Err(d) => self.diagnostics.push(d),
            }
        }
    }
}

/// The conditions of a `where`: one expression, a list of them, or `and`s of them.
fn where_conjuncts<'n>(node: &'n Node, out: &mut Vec<&'n Node>) {
    match node.as_array() {
        Some([first, ..]) if first.as_array().is_some() => {
            node.as_array().unwrap_or_default().iter().for_each(|n| where_conjuncts(n, out));
        }
        Some([head, rest @ ..]) if head.as_str() == Some("and") => rest.iter().for_each(|n| where_conjuncts(n, out)),
        Some([]) => {}
        _ => out.push(node),
    }
}

/// A join when it is an `eq` between two different single nodes not linked before.
fn classify(expr: Expr, linked: &mut HashSet<[usize; 2]>) -> Condition {
    let nodes = match &expr {
        Expr::Call(call) if call.builtin.name == "eq" && call.args.len() == 2 => {
            match (Refs::of(&call.args[0]).single_node(), Refs::of(&call.args[1]).single_node()) {
                (Some(a), Some(b)) if a != b && linked.insert([a.min(b), a.max(b)]) => [a, b],
                _ => return Condition::Filter(expr),
            }
        }
        _ => return Condition::Filter(expr),
    };
    let Expr::Call(call) = expr else { unreachable!() };
    let Ok([a, b]) = <[Expr; 2]>::try_from(Vec::from(call.args)) else { unreachable!() };
    Condition::Join { nodes, sides: [a, b] }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn plan(spec: &str) -> HopsSpec {
        let json: serde_json::Value = serde_json::from_str(spec).unwrap();
        let mut c = Compiler::new(HashMap::new());
        let Special::Hops(mut plan) = c.hops_plan(&[Node::from_json(&json)], None) else { unreachable!() };
        c.finish().unwrap();
        plan.specs.remove(0)
    }

    #[test]
    fn joins_are_ordered_outwards_from_the_source_and_filters_placed_early() {
        // Written "backwards": c is joined via a, which is joined from _S.
        let spec = plan(
            r#"{"datasets": ["A a", "C c"], "where": [
                 ["eq", "c._id", "a.country"], ["eq", "c.name", "x"], ["eq", "a.type", "t"],
                 ["eq", "_S.address", "a._id"], ["eq", "_S.kind", 1]]}"#,
        );
        let bound: Vec<usize> = spec.steps.iter().map(|s| s.alias).collect();
        assert_eq!(bound, [0, 1]);
        let counts: Vec<usize> = spec.filters.iter().map(Vec::len).collect();
        assert_eq!(counts, [1, 1, 1], "_S filter first, then a's, then c's");
        assert!(matches!(spec.ret, HopsReturn::Aliases(ref a) if a == &[1]));
        assert_eq!(spec.max_depth, Some(DEFAULT_MAX_DEPTH));
    }

    #[test]
    fn only_the_first_eq_per_pair_is_a_join() {
        let spec = plan(r#"{"datasets": ["A a"], "where": [["eq", "_S.x", "a.x"], ["eq", "a.y", "_S.y"]]}"#);
        assert_eq!(spec.steps.len(), 1);
        assert!(matches!(spec.filters[1][..], [HopsFilter::Condition(_)]));
    }

    #[test]
    fn a_return_naming_aliases_projects_them_else_it_is_an_expression() {
        let spec = plan(
            r#"{"datasets": ["A a", "B b"], "where": [["eq", "_S.x", "a.x"], ["eq", "_S.y", "b.y"]], "return": "b, a"}"#,
        );
        assert!(matches!(spec.ret, HopsReturn::Aliases(ref a) if a == &[1, 0]));
        let spec = plan(r#"{"datasets": ["A a"], "where": ["eq", "_S.x", "a.x"], "return": "a.name"}"#);
        assert!(matches!(spec.ret, HopsReturn::Expr { uses_source: false, .. }));
    }
}
