//! Arguments of specific functions: casings (V-F3), id generators (V-F4),
//! `length()` and `regex()` (V-F5), `check()` and its cycles (V-F6), plus
//! reserved procedure names.
//!
//! Calls are checked in the attributes they are written in; inherited
//! copies are skipped, so each call is reported once.

use super::js_regex::js_regex_error;
use crate::expr::{Expr, ExprKind, Literal, TyKind};
use crate::model::{AttributeApp, FieldTypeKind, ModelId, Scalar, Schema};
use crate::relations::field_at;
use crate::stdlib::STDLIB_FILE;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};

const CASINGS: &[&str] = &["original", "upper", "lower", "capitalize", "uncapitalize"];
const CHECK_OPERATIONS: &[&str] = &["read", "create", "update", "delete"];
const RESERVED_PROCEDURE_NAMES: &[&str] = &["__proto__", "prototype", "constructor"];

pub(crate) fn run(schema: &Schema, diags: &mut Diagnostics) {
    for app in own_attributes(schema) {
        for arg in &app.args {
            arg.value.walk(&mut |e| {
                if let ExprKind::Call {
                    function: Some(_),
                    name,
                    args,
                } = &e.kind
                {
                    check_call(schema, e, name, args, diags);
                }
            });
        }
    }
    check_cycles(schema, diags);
    check_procedure_names(schema, diags);
}

/// Every attribute application where it is written.
fn own_attributes(schema: &Schema) -> impl Iterator<Item = &AttributeApp> {
    let models = schema.models.iter().flat_map(|m| {
        let fields = m
            .fields
            .iter()
            .filter(|f| f.inherited_from.is_none())
            .flat_map(|f| f.attributes.iter());
        m.attributes
            .iter()
            .filter(|a| a.inherited_from.is_none())
            .chain(fields)
    });
    let enums = schema.enums.iter().flat_map(|e| {
        e.attributes
            .iter()
            .chain(e.values.iter().flat_map(|v| v.attributes.iter()))
    });
    models.chain(enums)
}

fn check_call(schema: &Schema, call: &Expr, name: &str, args: &[Expr], diags: &mut Diagnostics) {
    match name {
        "currentModel" | "currentOperation" => check_casing(args, diags),
        "uuid" => check_version(args, &[4.0, 7.0], "uuid version must be 4 or 7", diags),
        "cuid" => check_version(args, &[1.0, 2.0], "cuid version must be 1 or 2", diags),
        "nanoid" => check_nanoid_length(args, diags),
        "length" => check_length(args, diags),
        "regex" => check_regex(args, diags),
        "check" => check_check(args, diags),
        _ => {}
    }
    if matches!(name, "uuid" | "cuid" | "nanoid" | "ulid") {
        check_format(schema, call, args, diags);
    }
}

fn number(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Literal(Literal::Number(n)) => n.parse().ok(),
        _ => None,
    }
}

/// V-F3.
fn check_casing(args: &[Expr], diags: &mut Diagnostics) {
    let Some(arg) = args.first() else { return };
    let Some(casing) = arg.as_string() else {
        return;
    };
    if CASINGS.contains(&casing) {
        return;
    }
    let listed = CASINGS
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    diags.push(
        Diagnostic::error(
            Code::CASING_ARGUMENT,
            arg.span,
            format!("argument must be one of: {listed}"),
        )
        .with_help("casings are case-sensitive and written in lower case"),
    );
}

/// V-F4: the version argument of `uuid` and `cuid`.
fn check_version(args: &[Expr], allowed: &[f64], message: &str, diags: &mut Diagnostics) {
    let Some(arg) = args.first() else { return };
    match number(arg) {
        Some(v) if !allowed.contains(&v) => {
            diags.push(Diagnostic::error(
                Code::ID_GENERATOR_ARGUMENT,
                arg.span,
                message,
            ));
        }
        _ => {}
    }
}

/// V-F4: `nanoid(length)` with a positive length.
fn check_nanoid_length(args: &[Expr], diags: &mut Diagnostics) {
    let Some(arg) = args.first() else { return };
    if number(arg).is_some_and(|n| n <= 0.0) {
        diags.push(Diagnostic::error(
            Code::ID_GENERATOR_ARGUMENT,
            arg.span,
            "nanoid length must be positive",
        ));
    }
}

/// V-F4: a `format` argument holds an unescaped `%s`.
fn check_format(schema: &Schema, call: &Expr, args: &[Expr], diags: &mut Diagnostics) {
    let ExprKind::Call {
        function: Some(id), ..
    } = &call.kind
    else {
        return;
    };
    let Some(function) = schema.functions.get(id.index()) else {
        return;
    };
    let Some(index) = function.params.iter().position(|p| p.name == "format") else {
        return;
    };
    let Some(arg) = args.get(index) else { return };
    let Some(format) = arg.as_string() else {
        return;
    };
    if !has_placeholder(format) {
        diags.push(
            Diagnostic::error(Code::ID_GENERATOR_ARGUMENT, arg.span, "argument must include \"%s\"")
                .with_help("`%s` is replaced by the generated id, such as `'user_%s'`; `\\\\%s` is a literal `%s`"),
        );
    }
}

/// An `%s` not preceded by a backslash.
fn has_placeholder(format: &str) -> bool {
    format
        .match_indices("%s")
        .any(|(i, _)| !format[..i].ends_with('\\'))
}

/// V-F5: `length()` takes a String or list field.
fn check_length(args: &[Expr], diags: &mut Diagnostics) {
    let Some(arg) = args.first() else { return };
    if arg.ty.is_unresolved() {
        return;
    }
    let ok = matches!(arg.kind, ExprKind::Field(_))
        && match arg.ty.kind {
            TyKind::Model(_) => false,
            TyKind::Scalar(Scalar::String) => true,
            _ => arg.ty.list,
        };
    if !ok {
        diags.push(
            Diagnostic::error(
                Code::VALIDATION_FUNCTION_ARGUMENT,
                arg.span,
                "argument must be a string or list field",
            )
            .with_help("pass a field of this model, such as `length(name)`"),
        );
    }
}

/// V-F5: `regex()` takes a valid pattern literal.
fn check_regex(args: &[Expr], diags: &mut Diagnostics) {
    let Some(arg) = args.get(1) else { return };
    if arg.ty.is_unresolved() {
        return;
    }
    let Some(pattern) = arg.as_string() else {
        diags.push(
            Diagnostic::error(
                Code::VALIDATION_FUNCTION_ARGUMENT,
                arg.span,
                "regex pattern must be a string literal",
            )
            .with_help("the pattern is compiled when the schema is generated"),
        );
        return;
    };
    if let Some(problem) = js_regex_error(pattern) {
        diags.push(
            Diagnostic::error(
                Code::VALIDATION_FUNCTION_ARGUMENT,
                arg.span,
                "invalid regular expression",
            )
            .with_label(problem)
            .with_help("patterns follow JavaScript `RegExp` syntax"),
        );
    }
}

/// V-F6: `check(field, op?)`.
fn check_check(args: &[Expr], diags: &mut Diagnostics) {
    if let Some(arg) = args.first().filter(|a| !a.ty.is_unresolved()) {
        if !matches!(
            (&arg.kind, arg.ty.kind),
            (ExprKind::Field(_), TyKind::Model(_))
        ) {
            diags.push(
                Diagnostic::error(
                    Code::CHECK_ARGUMENT,
                    arg.span,
                    "argument must be a relation field",
                )
                .with_help("pass a relation field of this model, such as `check(author)`"),
            );
        }
        if arg.ty.list {
            diags.push(
                Diagnostic::error(Code::CHECK_ARGUMENT, arg.span, "argument cannot be an array field")
                    .with_help("`check()` follows a to-one relation; for a list, use a collection predicate such as `posts?[...]`"),
            );
        }
    }
    if let Some(op) = args
        .get(1)
        .filter(|op| !op.ty.is_unresolved() && !valid_check_operation(op))
    {
        diags.push(
            Diagnostic::error(
                Code::CHECK_ARGUMENT,
                op.span,
                "argument must be a \"read\", \"create\", \"update\", or \"delete\"",
            )
            .with_help("`check()` cannot delegate `post-update` or `all`"),
        );
    }
}

fn valid_check_operation(op: &Expr) -> bool {
    op.as_string()
        .is_some_and(|s| CHECK_OPERATIONS.contains(&s))
}

/// The model a valid `check()` call delegates to.
fn check_target(schema: &Schema, args: &[Expr]) -> Option<ModelId> {
    let ExprKind::Field(id) = args.first()?.kind else {
        return None;
    };
    if args.get(1).is_some_and(|op| !valid_check_operation(op)) {
        return None;
    }
    let field = field_at(schema, id)?;
    match field.ty.kind {
        FieldTypeKind::Model(m) if !field.ty.list => Some(m),
        _ => None,
    }
}

/// A `check()` call in a model-level rule: the model it is in, the model it
/// delegates to, and where it is written.
#[derive(Debug, Clone, Copy)]
struct Edge {
    from: ModelId,
    to: ModelId,
    span: Span,
}

fn check_edges(schema: &Schema) -> Vec<Edge> {
    let mut edges = Vec::new();
    for (from, model) in schema.data_models() {
        for rule in &model.rules {
            rule.condition.walk(&mut |e| {
                if let ExprKind::Call {
                    function: Some(_),
                    name,
                    args,
                } = &e.kind
                {
                    if name == "check" {
                        if let Some(to) = check_target(schema, args) {
                            edges.push(Edge {
                                from,
                                to,
                                span: e.span,
                            });
                        }
                    }
                }
            });
        }
    }
    edges
}

/// V-F6: `check()` calls that lead back to where they started. Each cycle is
/// reported once, at its first call in source order.
fn check_cycles(schema: &Schema, diags: &mut Diagnostics) {
    let edges = check_edges(schema);
    let mut adjacency: BTreeMap<ModelId, Vec<usize>> = BTreeMap::new();
    for (i, e) in edges.iter().enumerate() {
        adjacency.entry(e.from).or_default().push(i);
    }
    let reach: BTreeMap<ModelId, BTreeSet<ModelId>> = adjacency
        .keys()
        .map(|m| (*m, reachable(&edges, &adjacency, *m)))
        .collect();
    let reaches = |a: ModelId, b: ModelId| reach.get(&a).is_some_and(|r| r.contains(&b));
    // Edges on a cycle, grouped by strongly connected component (keyed by
    // its smallest model).
    let mut cycles: BTreeMap<ModelId, Vec<&Edge>> = BTreeMap::new();
    for e in edges.iter().filter(|e| reaches(e.to, e.from)) {
        let component = reach
            .get(&e.from)
            .into_iter()
            .flatten()
            .copied()
            .filter(|m| reaches(*m, e.from))
            .min()
            .unwrap_or(e.from);
        cycles.entry(component).or_default().push(e);
    }
    for members in cycles.values() {
        let Some(edge) = members.iter().min_by_key(|e| (e.span.file, e.span.start)) else {
            continue;
        };
        let back = path(&edges, &adjacency, edge.to, edge.from).unwrap_or_default();
        diags.push(cycle_diagnostic(schema, edge, &back, &edges));
    }
}

/// Every model reachable from `from` in one or more steps.
fn reachable(
    edges: &[Edge],
    adjacency: &BTreeMap<ModelId, Vec<usize>>,
    from: ModelId,
) -> BTreeSet<ModelId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        for e in adjacency
            .get(&node)
            .into_iter()
            .flatten()
            .filter_map(|i| edges.get(*i))
        {
            if seen.insert(e.to) {
                stack.push(e.to);
            }
        }
    }
    seen
}

/// The edges of a shortest path `from` → `to` (empty when they are equal).
fn path(
    edges: &[Edge],
    adjacency: &BTreeMap<ModelId, Vec<usize>>,
    from: ModelId,
    to: ModelId,
) -> Option<Vec<usize>> {
    let mut parent: BTreeMap<ModelId, Option<usize>> = BTreeMap::from([(from, None)]);
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut out = Vec::new();
            let mut at = node;
            while let Some(Some(i)) = parent.get(&at).copied() {
                out.push(i);
                at = edges.get(i).map(|e| e.from).unwrap_or(from);
            }
            out.reverse();
            return Some(out);
        }
        for &i in adjacency.get(&node).map(Vec::as_slice).unwrap_or_default() {
            let Some(next) = edges.get(i).map(|e| e.to) else {
                continue;
            };
            if let std::collections::btree_map::Entry::Vacant(slot) = parent.entry(next) {
                slot.insert(Some(i));
                queue.push_back(next);
            }
        }
    }
    None
}

fn cycle_diagnostic(schema: &Schema, edge: &Edge, back: &[usize], edges: &[Edge]) -> Diagnostic {
    let name = |m: ModelId| {
        schema
            .models
            .get(m.index())
            .map(|x| format!("`{}`", x.name))
            .unwrap_or_default()
    };
    let mut chain = vec![name(edge.from), name(edge.to)];
    let mut d = Diagnostic::error(
        Code::CHECK_CYCLE,
        edge.span,
        "cyclic dependency detected when following the `check()` call",
    );
    for e in back.iter().filter_map(|i| edges.get(*i)) {
        chain.push(name(e.to));
        d = d.with_secondary(e.span, "the chain continues here");
    }
    d.with_help(format!(
        "the rules loop {}; replace one `check()` with an explicit condition",
        chain.join(" -> ")
    ))
}

/// Procedure names that would clash with JavaScript object internals.
fn check_procedure_names(schema: &Schema, diags: &mut Diagnostics) {
    for p in schema
        .procedures
        .iter()
        .filter(|p| p.span.file != STDLIB_FILE)
    {
        if RESERVED_PROCEDURE_NAMES.contains(&p.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::RESERVED_NAME,
                    p.span,
                    format!("`{}` is a reserved name", p.name),
                )
                .with_help("procedures become keys of a JavaScript object; rename it"),
            );
        }
    }
}
