//! Compiling transforms (the statements of a rule).

use crate::diagnostic::{codes, Diagnostic};
use crate::syntax::{Node, NodeKind, Span};

use super::expr::{unknown_function, Compiler};
use super::ir::{AddMode, Branch, Expr, Transform};

/// A transform function's description (for `dtl functions`, `dtl help` and arity checks).
#[derive(Clone, Copy, Debug)]
pub struct TransformInfo {
    /// Its name.
    pub name: &'static str,
    /// Its signature in the docs' notation.
    pub signature: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`None`: no limit).
    pub max_args: Option<usize>,
}

const fn t(
    name: &'static str,
    signature: &'static str,
    summary: &'static str,
    min_args: usize,
    max_args: Option<usize>,
) -> TransformInfo {
    TransformInfo { name, signature, summary, min_args, max_args }
}

/// Every transform function.
pub const TRANSFORMS: &[TransformInfo] = &[
    t("add", "PROPERTY(string{1}) VALUES(value-expression{1})", "Sets a target property to a value.", 2, Some(2)),
    t("add-if", "PROPERTY(string{1}) CONDITION(boolean-expression{0|1}) VALUES(value-expression{1})", "Sets a target property when the value is not null (or the condition, with `_` = the value, holds).", 2, Some(3)),
    t("case", "(VALUE(value-expression{1}), THEN(transforms{1}))+, ELSE(transforms{0|1})", "Applies the transforms of the first true condition, else ELSE.", 2, None),
    t("case-eq", "VALUE(value-expression{1}), (VALUE_N(value-expression{1}), THEN(transforms{1}))+, ELSE(transforms{0|1})", "Applies the transforms of the first value equal to VALUE, else ELSE.", 3, None),
    t("comment", "COMMENTS(value-expression{>=0})", "Does nothing; its arguments are not evaluated.", 0, None),
    t("copy", "INCLUDE_PROPERTIES(wildcard-string-list{1}) EXCLUDE_PROPERTIES(wildcard-string-list{0|1})", "Copies matching source properties onto the target.", 1, Some(2)),
    t("create", "VALUES(value-expression{1})", "Emits each entity of VALUES as an extra output entity.", 1, Some(1)),
    t("create-child", "VALUES(value-expression{1})", "Adds each entity of VALUES to the target's `$children`.", 1, Some(1)),
    t("default", "PROPERTY(string{1}) VALUES(value-expression{1})", "Sets a target property unless the target already has it.", 2, Some(2)),
    t("discard", "UNLESS_CONDITION(boolean-expression{0|1})", "Stops the rule and drops the target unless the condition holds.", 0, Some(1)),
    t("fail!", "MESSAGE(string{1})", "Fails the run with a message.", 1, Some(1)),
    t("filter", "UNLESS_CONDITION(boolean-expression{0|1})", "Stops the rule unless the condition holds; the target is not emitted (a dataset sink gets it marked `_filtered`).", 0, Some(1)),
    t("if", "CONDITION(boolean-expression{1}), THEN(transforms{1}), ELSE(transforms{0|1})", "Applies THEN when the condition holds, else ELSE.", 2, Some(3)),
    t("make-ni", "NAMESPACE(string{1}) FROM_PROPERTY(string{1}) TO_PROPERTY(string{0|1})", "Turns a source property's strings into namespaced identifiers on the target.", 2, Some(3)),
    t("merge", "VALUES(value-expression{1})", "Copies the properties of each dict onto the target (later wins; `_` keys skipped).", 1, Some(1)),
    t("merge-union", "VALUES(value-expression{1})", "Like merge, but collects clashing values into lists.", 1, Some(1)),
    t("remove", "PROPERTY(wildcard-string{1})", "Removes matching properties from the target.", 1, Some(1)),
    t("rename", "PROPERTY1(string{1}) PROPERTY2(string{1})", "Copies source property PROPERTY1 to target property PROPERTY2.", 2, Some(2)),
    t("sleep!", "PERIOD(integer{1})", "Pauses processing for PERIOD seconds.", 1, Some(1)),
    t("trip!", "MESSAGE(string{1})", "Fails the run and trips the sink's circuit breaker.", 1, Some(1)),
];

impl Compiler {
    /// Compiles a rule's body: a list of transforms.
    pub fn rule_body(&mut self, node: &Node) -> Vec<Transform> {
        match &node.kind {
            NodeKind::Array(items) => items.iter().filter_map(|t| self.transform(t)).collect(),
            _ => {
                self.diagnostics.push(
                    Diagnostic::new(codes::PROGRAM_SHAPE, "a rule must be a list of transforms")
                        .at(node.span, format!("this is {}", node.kind_name()))
                        .help("write the rule as `[[\"copy\", \"_id\"], ...]`"),
                );
                Vec::new()
            }
        }
    }

    /// A `transforms` argument (THEN/ELSE): one transform, or a list of them.
    fn transforms(&mut self, node: &Node) -> Vec<Transform> {
        match node.as_array() {
            Some([first, ..]) if first.as_str().is_some() => self.transform(node).into_iter().collect(),
            Some(_) => self.rule_body(node),
            None => {
                self.not_a_transform(node);
                Vec::new()
            }
        }
    }

    fn not_a_transform(&mut self, node: &Node) {
        self.diagnostics.push(
            Diagnostic::new(codes::EXPRESSION_AS_TRANSFORM, "expected a transform")
                .at(node.span, format!("this is {}", node.kind_name()))
                .help("a transform is a list starting with a transform name, e.g. [\"add\", \"name\", \"_S.name\"]"),
        );
    }

    /// Compiles one transform.
    fn transform(&mut self, node: &Node) -> Option<Transform> {
        let (name, head_span, args) = match node.as_array() {
            Some([head, args @ ..]) if head.as_str().is_some() => (head.as_str()?, head.span, args),
            _ => {
                self.not_a_transform(node);
                return None;
            }
        };
        let Some(info) = TRANSFORMS.iter().find(|t| t.name == name) else {
            let d = if crate::builtins::lookup(name).is_some() {
                Diagnostic::new(
                    codes::EXPRESSION_AS_TRANSFORM,
                    format!("`{name}` is an expression function, not a transform"),
                )
                .at(head_span, "its value would be lost here")
                .help(format!("use it inside a transform, e.g. [\"add\", \"result\", [\"{name}\", ...]]"))
            } else {
                unknown_function(name, head_span)
            };
            self.diagnostics.push(d);
            return None;
        };
        if args.len() < info.min_args || info.max_args.is_some_and(|m| args.len() > m) {
            let arity = match info.max_args {
                Some(m) if m == info.min_args => format!("{m}"),
                Some(m) => format!("{}–{m}", info.min_args),
                None => format!("at least {}", info.min_args),
            };
            self.diagnostics.push(
                Diagnostic::new(
                    codes::ARITY,
                    format!("`{name}` takes {arity} argument(s), but {} were given", args.len()),
                )
                .at(node.span, "in this transform")
                .help(format!("signature: {name} {}", info.signature)),
            );
            return None;
        }
        Some(self.transform_of(name, args, node.span))
    }

    fn transform_of(&mut self, name: &str, args: &[Node], span: Span) -> Transform {
        let e = |c: &mut Compiler, i: usize| c.expr(&args[i]);
        match name {
            "add" | "default" => Transform::Add {
                property: e(self, 0),
                value: e(self, 1),
                mode: if name == "add" { AddMode::Always } else { AddMode::IfMissing },
                condition: None,
            },
            "add-if" if args.len() == 2 => {
                Transform::Add { property: e(self, 0), value: e(self, 1), mode: AddMode::IfNotNull, condition: None }
            }
            "add-if" => Transform::Add {
                property: e(self, 0),
                condition: Some(Box::new(e(self, 1))),
                value: e(self, 2),
                mode: AddMode::If,
            },
            "copy" => Transform::Copy { include: e(self, 0), exclude: (args.len() > 1).then(|| e(self, 1)) },
            "remove" => Transform::Remove { pattern: e(self, 0) },
            "rename" => Transform::Rename { from: e(self, 0), to: e(self, 1) },
            "merge" | "merge-union" => Transform::Merge { values: e(self, 0), union: name == "merge-union" },
            "filter" | "discard" => {
                Transform::Stop { condition: args.first().map(|a| self.expr(a)), filter: name == "filter" }
            }
            "if" => Transform::Branch(Box::new(Branch {
                subject: None,
                arms: vec![(e(self, 0), self.transforms(&args[1]))],
                otherwise: args.get(2).map(|a| self.transforms(a)).unwrap_or_default(),
            })),
            "case" => {
                let (arms, otherwise) = self.arms(args);
                Transform::Branch(Box::new(Branch { subject: None, arms, otherwise }))
            }
            "case-eq" => {
                let subject = Some(e(self, 0));
                let (arms, otherwise) = self.arms(&args[1..]);
                Transform::Branch(Box::new(Branch { subject, arms, otherwise }))
            }
            "create" => Transform::Create { values: e(self, 0), span },
            "create-child" => Transform::CreateChild { values: e(self, 0), span },
            "make-ni" => {
                Transform::MakeNi { namespace: e(self, 0), from: e(self, 1), to: (args.len() > 2).then(|| e(self, 2)) }
            }
            "fail!" | "trip!" => Transform::Fail { message: e(self, 0), trip: name == "trip!", span },
            "sleep!" => Transform::Sleep { seconds: e(self, 0) },
            "comment" => Transform::Branch(Box::new(Branch { subject: None, arms: Vec::new(), otherwise: Vec::new() })),
            other => unreachable!("transform {other} is in TRANSFORMS but not compiled"),
        }
    }

    /// `(test, transforms)+ [else]` pairs of `case`/`case-eq`.
    fn arms(&mut self, args: &[Node]) -> (Vec<(Expr, Vec<super::ir::Transform>)>, Vec<super::ir::Transform>) {
        let mut arms = Vec::new();
        let mut pairs = args.chunks_exact(2);
        for pair in pairs.by_ref() {
            arms.push((self.expr(&pair[0]), self.transforms(&pair[1])));
        }
        let otherwise = pairs.remainder().first().map(|a| self.transforms(a)).unwrap_or_default();
        (arms, otherwise)
    }
}
