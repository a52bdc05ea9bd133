//! Dependency tracking, compile side (engine spec §1.7): which `hops` of a program
//! can be inverted, and how.
//!
//! A pipe that reads dataset S and hops into D must reprocess the S entities whose
//! joins reach an entity of D when that entity changes. Every alias of a hops
//! specification is bound by one join step from `_S` or from another alias, so
//! walking those steps backwards leads from a changed D entity to the source: a
//! [`TrackedHop`] is that walk, a chain of [`Link`]s. The walk continues across
//! specifications (the input `_S` of one is an entity the previous one returned)
//! and into rules run by `apply-hops` (whose `_S` is a hops result).
//!
//! Hops whose `_S` is not a value the engine can re-derive from a stored source
//! entity — inside a rule run by `apply`, after a `recurse` specification, after a
//! specification returning values, nested inside another hops clause, reading an
//! outer `_` — are listed as [`Untracked`] with the reason.

use crate::syntax::Span;

use super::ir::{Expr, HopsDataset, HopsFilter, HopsPlan, HopsReturn, HopsSpec, Special, Transform, Var};
use super::Program;

/// Where the entity a link expression is evaluated over is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// As `_S`.
    Source,
    /// As alias `index` of a specification with `count` aliases.
    Alias { index: usize, count: usize },
}

/// Which entities a link looks among.
#[derive(Clone, Copy, Debug)]
pub enum Landing<'p> {
    /// The latest entities of a hopped dataset (within its subset).
    Dataset(&'p HopsDataset),
    /// The pipe's source entities: the walk ends.
    Source,
}

/// One join step walked backwards: the keys `key` gives on an entity (bound at
/// `key_slot`) select the entities of `to` on which `from` (bound at `from_slot`)
/// gives one of them.
#[derive(Clone, Debug)]
pub struct Link<'p> {
    /// The join side over the entity we come from.
    pub key: &'p Expr,
    /// Where that entity is bound.
    pub key_slot: Slot,
    /// The join side over the entities we go to.
    pub from: &'p Expr,
    /// Where those entities are bound.
    pub from_slot: Slot,
    /// Which entities those are.
    pub to: Landing<'p>,
    /// Identifies the index over `from` on `to`'s entities.
    pub index_id: u64,
}

/// A hopped dataset and the chain of joins from its entities back to the source.
#[derive(Clone, Debug)]
pub struct TrackedHop<'p> {
    /// The hopped dataset (with its `subsets` restriction).
    pub dataset: &'p HopsDataset,
    /// The joins, from the hopped dataset's entities to the source; the last lands on it.
    pub links: Vec<Link<'p>>,
}

/// A hopped dataset whose changes are not tracked, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Untracked {
    /// The dataset.
    pub dataset: String,
    /// The `hops` call.
    pub span: Span,
    /// Why it is not tracked.
    pub reason: String,
}

/// The dependency tracking a program allows.
#[derive(Debug, Default)]
pub struct Tracking<'p> {
    /// The chains to walk, one per (hop alias, way back to the source).
    pub hops: Vec<TrackedHop<'p>>,
    /// Hopped datasets that are not tracked.
    pub untracked: Vec<Untracked>,
}

/// What `_S` is where an expression runs.
#[derive(Clone, Debug)]
enum Input<'p> {
    /// The pipe's source entity.
    Source,
    /// An entity of one of these datasets, each with the links from it back to the source.
    Entities(Vec<(&'p HopsDataset, Vec<Link<'p>>)>),
    /// Something that cannot be traced back (why).
    Opaque(String),
}

impl Program {
    /// The hops of the `default` rule (and the rules `apply-hops` runs from it) whose
    /// changes can be traced back to the source entity, as when this program is the
    /// first transform of a pipe with a dataset source.
    pub(crate) fn tracked_hops(&self) -> Tracking<'_> {
        let mut walk = Walk { program: self, out: Tracking::default(), stack: Vec::new(), opaque_done: Vec::new() };
        walk.rule(0, &Input::Source);
        walk.out
    }

    /// Every hopped dataset of the program, untracked for `reason` (e.g. a later transform).
    pub(crate) fn untracked_hops(&self, reason: &str) -> Vec<Untracked> {
        let mut walk = Walk { program: self, out: Tracking::default(), stack: Vec::new(), opaque_done: Vec::new() };
        walk.rule(0, &Input::Opaque(reason.to_string()));
        walk.out.untracked
    }
}

struct Walk<'p> {
    program: &'p Program,
    out: Tracking<'p>,
    /// The rules being walked (a rule reached again through `apply-hops` is recursion).
    stack: Vec<usize>,
    /// Rules already walked with an opaque input (once is enough).
    opaque_done: Vec<usize>,
}

impl<'p> Walk<'p> {
    fn rule(&mut self, rule: usize, input: &Input<'p>) {
        let opaque = matches!(input, Input::Opaque(_));
        if opaque {
            if self.opaque_done.contains(&rule) {
                return;
            }
            self.opaque_done.push(rule);
        } else if self.stack.contains(&rule) {
            let why = "its rule is reached recursively through `apply-hops`".to_string();
            return self.rule(rule, &Input::Opaque(why));
        }
        let Some(r) = self.program.rules.get(rule) else { return };
        self.stack.push(rule);
        for t in &r.body {
            self.transform(t, input);
        }
        self.stack.pop();
    }

    fn transform(&mut self, t: &'p Transform, input: &Input<'p>) {
        match t {
            Transform::Add { property, value, condition, .. } => {
                self.expr(property, input);
                self.expr(value, input);
                if let Some(c) = condition {
                    self.expr(c, input);
                }
            }
            Transform::Copy { include, exclude } => {
                self.expr(include, input);
                if let Some(e) = exclude {
                    self.expr(e, input);
                }
            }
            Transform::Remove { pattern } => self.expr(pattern, input),
            Transform::Rename { from, to } => {
                self.expr(from, input);
                self.expr(to, input);
            }
            Transform::Merge { values, .. } => self.expr(values, input),
            Transform::Stop { condition, .. } => {
                if let Some(c) = condition {
                    self.expr(c, input);
                }
            }
            Transform::Branch(b) => {
                if let Some(s) = &b.subject {
                    self.expr(s, input);
                }
                for (cond, body) in &b.arms {
                    self.expr(cond, input);
                    body.iter().for_each(|t| self.transform(t, input));
                }
                b.otherwise.iter().for_each(|t| self.transform(t, input));
            }
            Transform::Create { values, .. } | Transform::CreateChild { values, .. } => self.expr(values, input),
            Transform::MakeNi { namespace, from, to } => {
                self.expr(namespace, input);
                self.expr(from, input);
                if let Some(to) = to {
                    self.expr(to, input);
                }
            }
            Transform::Fail { message, .. } => self.expr(message, input),
            Transform::Sleep { seconds } => self.expr(seconds, input),
        }
    }

    fn expr(&mut self, e: &'p Expr, input: &Input<'p>) {
        let Expr::Call(call) = e else { return };
        call.args.iter().for_each(|a| self.expr(a, input));
        match &call.special {
            Special::None => {}
            Special::Rule(rule) => {
                self.rule(*rule, &Input::Opaque("its `_S` is a value handed to `apply`".into()));
            }
            Special::Hops(plan) => self.plan(plan, call.span, input),
        }
    }

    fn plan(&mut self, plan: &'p HopsPlan, span: Span, input: &Input<'p>) {
        let mut input = input.clone();
        for spec in &plan.specs {
            self.clauses(spec);
            for (a, dataset) in spec.datasets.iter().enumerate() {
                let untracked = |reason: String| Untracked { dataset: dataset.name.to_string(), span, reason };
                if !spec.track_dependencies {
                    self.out.untracked.push(untracked("`track-dependencies` is false".into()));
                } else if spec.recurse {
                    self.out.untracked.push(untracked("its hops specification recurses".into()));
                } else {
                    match alias_chains(spec, a, &input) {
                        Ok(chains) => {
                            self.out.hops.extend(chains.into_iter().map(|links| TrackedHop { dataset, links }))
                        }
                        Err(reason) => self.out.untracked.push(untracked(reason)),
                    }
                }
            }
            input = output(spec, &input);
        }
        if let Some(rule) = plan.rule {
            self.rule(rule, &input);
        }
    }

    /// Hops nested inside a specification's clauses: their `_S` is the spec's input
    /// while the clause runs, which is not worth tracing.
    fn clauses(&mut self, spec: &'p HopsSpec) {
        let nested = Input::Opaque("it is nested inside another hops specification".into());
        for step in &spec.steps {
            self.expr(&step.from, &nested);
            self.expr(&step.key, &nested);
        }
        for filter in spec.filters.iter().flatten() {
            match filter {
                HopsFilter::Condition(e) => self.expr(e, &nested),
                HopsFilter::Overlap(a, b) => {
                    self.expr(a, &nested);
                    self.expr(b, &nested);
                }
            }
        }
        if let HopsReturn::Expr { expr, .. } = &spec.ret {
            self.expr(expr, &nested);
        }
        for d in &spec.datasets {
            if let Some(subset) = &d.subset {
                self.expr(&subset.expr, &nested);
            }
        }
    }
}

/// What the output values of `spec` (the next spec's `_S`) are, given its input.
fn output<'p>(spec: &'p HopsSpec, input: &Input<'p>) -> Input<'p> {
    if spec.recurse {
        return Input::Opaque("it follows a recursive hops specification".into());
    }
    let HopsReturn::Aliases(aliases) = &spec.ret else {
        return Input::Opaque("it follows a hops specification whose `return` gives values, not entities".into());
    };
    let mut entities = Vec::new();
    for &a in aliases {
        match alias_chains(spec, a, input) {
            Ok(chains) => entities.extend(chains.into_iter().map(|links| (&spec.datasets[a], links))),
            Err(reason) => return Input::Opaque(reason),
        }
    }
    Input::Entities(entities)
}

/// The ways back from an entity of alias `alias` of `spec` to the source.
fn alias_chains<'p>(spec: &'p HopsSpec, alias: usize, input: &Input<'p>) -> Result<Vec<Vec<Link<'p>>>, String> {
    let count = spec.datasets.len();
    let mut chains = Vec::new();
    let mut current = alias;
    let mut prefix: Vec<Link<'p>> = Vec::new();
    // Every alias is bound by exactly one step, from an alias bound earlier, so this ends.
    loop {
        let Some(step) = spec.steps.iter().find(|s| s.alias == current) else {
            return Err("its alias is not joined to `_S`".into());
        };
        if reads_outer_current(&step.from) || reads_outer_current(&step.key) {
            return Err("a join reads `_` from around the hops".into());
        }
        let key_slot = Slot::Alias { index: current, count };
        match step.from_alias {
            Some(from) => {
                prefix.push(Link {
                    key: &step.key,
                    key_slot,
                    from: &step.from,
                    from_slot: Slot::Alias { index: from, count },
                    to: Landing::Dataset(&spec.datasets[from]),
                    index_id: step.from_index_id,
                });
                current = from;
            }
            None => {
                let last = |to| Link {
                    key: &step.key,
                    key_slot,
                    from: &step.from,
                    from_slot: Slot::Source,
                    to,
                    index_id: step.from_index_id,
                };
                match input {
                    Input::Source => chains.push(prefix.iter().cloned().chain([last(Landing::Source)]).collect()),
                    Input::Entities(ways) => {
                        for (dataset, rest) in ways {
                            let mut chain = prefix.clone();
                            chain.push(last(Landing::Dataset(dataset)));
                            chain.extend(rest.iter().cloned());
                            chains.push(chain);
                        }
                    }
                    Input::Opaque(reason) => return Err(reason.clone()),
                }
                return Ok(chains);
            }
        }
    }
}

/// Whether `e` reads `_` bound outside it. Arguments of functions that take a
/// function-expression count as bound by that function.
fn reads_outer_current(e: &Expr) -> bool {
    match e {
        Expr::Const(_) => false,
        Expr::Path(p) => p.var == Var::Current,
        Expr::Call(call) => {
            !call.builtin.signature.contains("function-expression") && call.args.iter().any(reads_outer_current)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(rules: &str) -> Program {
        Program::from_json_str("test", rules).unwrap_or_else(|d| panic!("{d}"))
    }

    fn chain(t: &TrackedHop<'_>) -> Vec<String> {
        t.links
            .iter()
            .map(|l| match l.to {
                Landing::Dataset(d) => d.name.to_string(),
                Landing::Source => "_S".into(),
            })
            .collect()
    }

    #[test]
    fn a_join_chain_through_an_alias_walks_back_to_the_source() {
        let p = program(
            r#"{"default": [["add", "x", ["hops", {"datasets": ["A a", "B b"],
                "where": [["eq", "a.ref", "b._id"], ["eq", "_S.a", "a._id"]]}]]]}"#,
        );
        let t = p.tracked_hops();
        assert!(t.untracked.is_empty(), "{:?}", t.untracked);
        let found: Vec<(String, Vec<String>)> = t.hops.iter().map(|h| (h.dataset.name.to_string(), chain(h))).collect();
        assert_eq!(
            found,
            [("A".into(), vec!["_S".to_string()]), ("B".into(), vec!["A".to_string(), "_S".to_string()])]
        );
        let b = &t.hops[1];
        assert_eq!(b.links[0].key_slot, Slot::Alias { index: 1, count: 2 });
        assert_eq!(b.links[0].from_slot, Slot::Alias { index: 0, count: 2 });
        assert_eq!(b.links[1].from_slot, Slot::Source);
    }

    #[test]
    fn chained_specs_and_apply_hops_continue_the_walk() {
        let p = program(
            r#"{"default": [["add", "x", ["apply-hops", "r",
                  {"datasets": ["A a"], "where": ["eq", "_S.a", "a._id"]},
                  {"datasets": ["B b"], "where": ["eq", "_S.b", "b._id"]}]]],
                "r": [["add", "c", ["hops", {"datasets": ["C c"], "where": ["eq", "_S.c", "c._id"]}]]]}"#,
        );
        let t = p.tracked_hops();
        let found: Vec<Vec<String>> = t.hops.iter().map(chain).collect();
        assert_eq!(found, [vec!["_S"], vec!["A", "_S"], vec!["B", "A", "_S"]]);
        assert_eq!(t.hops[2].dataset.name.as_ref(), "C");
    }

    #[test]
    fn untraceable_hops_say_why() {
        let p = program(
            r#"{"default": [
                 ["add", "a", ["hops", {"datasets": ["A a"], "where": ["eq", "_S.a", "a._id"], "track-dependencies": false}]],
                 ["add", "b", ["apply", "r", "_S.items"]],
                 ["add", "c", ["hops", {"datasets": ["C c"], "where": ["eq", "_S.c", "c._id"], "recurse": true}]],
                 ["add", "d", ["apply-hops", "s", {"datasets": ["D d"], "where": ["eq", "_S.d", "d._id"], "return": "d.x"}]],
                 ["add", "f", ["map", ["hops", {"datasets": ["F f"], "where": ["eq", ["concat", "_S.f", "_."], "f._id"]}], "_S.l"]],
                 ["add", "g", ["lookup-entity", "G", "x"]]],
               "r": [["add", "b", ["hops", {"datasets": ["B b"], "where": ["eq", "_S.b", "b._id"]}]]],
               "s": [["add", "e", ["hops", {"datasets": ["E e"], "where": ["eq", "_S.", "e._id"]}]]]}"#,
        );
        let t = p.tracked_hops();
        let tracked: Vec<&str> = t.hops.iter().map(|h| h.dataset.name.as_ref()).collect();
        assert_eq!(tracked, ["D"]);
        let why: Vec<(&str, &str)> = t.untracked.iter().map(|u| (u.dataset.as_str(), u.reason.as_str())).collect();
        assert_eq!(why.len(), 5, "{why:?}");
        assert!(why[0].0 == "A" && why[0].1.contains("track-dependencies"), "{why:?}");
        assert!(why[1].0 == "B" && why[1].1.contains("apply"), "{why:?}");
        assert!(why[2].0 == "C" && why[2].1.contains("recurses"), "{why:?}");
        assert!(why[3].0 == "E" && why[3].1.contains("values"), "{why:?}");
        assert!(why[4].0 == "F" && why[4].1.contains("`_`"), "{why:?}");
        assert_eq!(p.untracked_hops("later transform").len(), 6);
    }
}
