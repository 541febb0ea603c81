//! Pass 6: security lints, warnings that ZenStack does not give. Each points
//! at a rule that is valid but probably does not mean what its author thinks.

use crate::collect::Collected;
use crate::expr::{BinaryOp, Expr, ExprKind};
use crate::model::{ModelKind, Operation, PolicyRule, RuleKind, Schema};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, SourceMap};
use zgen_syntax::ast;

pub(crate) fn run(
    schema: &Schema,
    collected: &Collected<'_>,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) {
    for m in &collected.model_asts {
        for attr in m.members.iter().flat_map(member_attributes) {
            if is_policy_attribute(&attr.name.name) {
                for arg in attr.args() {
                    mixed_logical_operators(&arg.value, sources, diags);
                }
            }
        }
    }
    for (_, model) in schema.data_models() {
        let field_rules = model.fields.iter().flat_map(|f| f.rules.iter());
        for rule in model.rules.iter().chain(field_rules) {
            match rule.kind {
                RuleKind::Allow if !guarded_against_anonymous(rule, &model.rules) => {
                    anonymous_auth_match(&rule.condition, diags)
                }
                RuleKind::Allow => {}
                RuleKind::Deny => deny_fails_open(rule, diags),
            }
        }
    }
    no_allow_rules(schema, diags);
}

fn member_attributes(m: &ast::Member) -> Vec<&ast::Attribute> {
    match m {
        ast::Member::Attribute(a) => vec![a],
        ast::Member::Field(f) => f.attributes.iter().collect(),
    }
}

fn is_policy_attribute(name: &str) -> bool {
    matches!(name, "@@allow" | "@@deny" | "@allow" | "@deny")
}

/// Lint 1: `&&` and `||` mixed without parentheses (E-4 makes them one
/// left-associative level, unlike most languages).
fn mixed_logical_operators(e: &ast::Expr, sources: &SourceMap, diags: &mut Diagnostics) {
    visit_ast(e, &mut |e| {
        let ast::ExprKind::Binary { op, lhs, .. } = &e.kind else {
            return;
        };
        let ast::ExprKind::Binary {
            op: inner,
            lhs: a,
            rhs: b,
            ..
        } = &lhs.kind
        else {
            return;
        };
        let logical = |o: &BinaryOp| matches!(o, BinaryOp::And | BinaryOp::Or);
        if !logical(op) || !logical(inner) || op == inner {
            return;
        }
        let ast::ExprKind::Binary { rhs: c, .. } = &e.kind else {
            return;
        };
        let text = |x: &ast::Expr| sources.slice(x.span).to_string();
        let (a, b, c) = (text(a), text(b), text(c));
        let (outer, first) = (op.as_str(), inner.as_str());
        diags.push(
            Diagnostic::warning(
                Code::MIXED_LOGICAL_OPERATORS,
                e.span,
                "`&&` and `||` are mixed without parentheses",
            )
            .with_label(format!("this groups as `({a} {first} {b}) {outer} {c}`"))
            .with_help(format!(
                "in ZModel `&&` and `||` bind equally and group left to right; write `({a} {first} {b}) {outer} {c}` to keep this meaning, or `{a} {first} ({b} {outer} {c})`"
            )),
        );
    });
}

/// Calls `f` on `e` and every sub-expression of the syntax tree.
fn visit_ast(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    f(e);
    match &e.kind {
        ast::ExprKind::Binary { lhs, rhs, .. } => {
            visit_ast(lhs, f);
            visit_ast(rhs, f);
        }
        ast::ExprKind::Not(x)
        | ast::ExprKind::Paren(x)
        | ast::ExprKind::Member { receiver: x, .. } => visit_ast(x, f),
        ast::ExprKind::Collection {
            collection,
            condition,
            ..
        } => {
            visit_ast(collection, f);
            visit_ast(condition, f);
        }
        ast::ExprKind::Call { args, .. } | ast::ExprKind::Ref { args, .. } => {
            args.iter().for_each(|a| visit_ast(&a.value, f))
        }
        ast::ExprKind::Array(items) => items.iter().for_each(|i| visit_ast(i, f)),
        ast::ExprKind::Object(entries) => entries.iter().for_each(|en| visit_ast(&en.value, f)),
        ast::ExprKind::String(_)
        | ast::ExprKind::Number(_)
        | ast::ExprKind::Bool(_)
        | ast::ExprKind::Null
        | ast::ExprKind::This => {}
    }
}

/// True for `auth() != null` and `auth() == null` (either side).
fn is_auth_null_test(e: &Expr, op: BinaryOp) -> bool {
    let ExprKind::Binary { op: o, lhs, rhs } = &e.kind else {
        return false;
    };
    let is_auth = |x: &Expr| x.call_name() == Some("auth");
    *o == op
        && ((is_auth(lhs) && rhs.kind == ExprKind::Null)
            || (is_auth(rhs) && lhs.kind == ExprKind::Null))
}

/// The operands of a top-level `&&` chain.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Binary {
            op: BinaryOp::And,
            lhs,
            rhs,
        } => {
            let mut all = conjuncts(lhs);
            all.extend(conjuncts(rhs));
            all
        }
        _ => vec![e],
    }
}

/// An allow rule is guarded when it requires `auth() != null` itself, or
/// when a deny rule of the model covers every operation it allows with
/// `auth() == null`.
fn guarded_against_anonymous(rule: &PolicyRule, model_rules: &[PolicyRule]) -> bool {
    if conjuncts(&rule.condition)
        .iter()
        .any(|c| is_auth_null_test(c, BinaryOp::Ne))
    {
        return true;
    }
    Operation::ALL
        .iter()
        .filter(|op| rule.operations.contains(**op))
        .all(|op| {
            model_rules.iter().any(|d| {
                d.kind == RuleKind::Deny
                    && d.operations.contains(*op)
                    && conjuncts(&d.condition).len() == 1
                    && is_auth_null_test(&d.condition, BinaryOp::Eq)
            })
        })
}

/// A column (not a constant) that may hold null.
fn is_nullable_column(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Field(_) | ExprKind::Member { .. })
        && e.ty.nullable
        && !e.is_auth_rooted()
}

/// Lint 2: `auth().x == column` with a nullable column matches rows where the
/// column is null for anonymous users (P-24, P-26).
fn anonymous_auth_match(condition: &Expr, diags: &mut Diagnostics) {
    condition.walk(&mut |e| {
        let ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } = &e.kind else { return };
        let (auth_side, column) = if lhs.is_auth_rooted() {
            (lhs, rhs)
        } else if rhs.is_auth_rooted() {
            (rhs, lhs)
        } else {
            return;
        };
        let column_nullable = is_nullable_column(column)
            || (auth_side.call_name() == Some("auth") && column.ty.model().is_some() && column.ty.nullable);
        if column_nullable {
            diags.push(
                Diagnostic::warning(
                    Code::ANONYMOUS_AUTH_MATCH,
                    e.span,
                    "anonymous users match rows where this value is null",
                )
                .with_label("for an anonymous user `auth()` is null, so this compares null with null and holds")
                .with_help("require a signed-in user: `auth() != null && …`, or `@@deny('all', auth() == null)`"),
            );
        }
    });
}

/// Lint 3: a deny rule that can evaluate to null does not deny (P-15).
fn deny_fails_open(rule: &PolicyRule, diags: &mut Diagnostics) {
    if let Some(culprit) = null_source(&rule.condition) {
        diags.push(
            Diagnostic::warning(
                Code::DENY_FAILS_OPEN,
                rule.condition.span,
                "this deny rule can evaluate to null, and a null deny denies nothing",
            )
            .with_secondary(culprit.span, "null when this value is missing")
            .with_help("make a missing value deny explicitly, e.g. `x == null || <condition>`"),
        );
    }
}

/// The sub-expression that can make `e` null, if any. Comparisons with a
/// literal `null` are `IS [NOT] NULL` tests; collection predicates over
/// relations count rows; neither is ever null.
fn null_source(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Field(_) | ExprKind::Member { .. } => is_nullable_column(e).then_some(e),
        ExprKind::Not(inner) => null_source(inner),
        ExprKind::Binary { op, lhs, rhs } => match op {
            BinaryOp::Eq | BinaryOp::Ne
                if lhs.kind == ExprKind::Null || rhs.kind == ExprKind::Null =>
            {
                None
            }
            BinaryOp::Eq | BinaryOp::Ne if lhs.is_auth_rooted() || rhs.is_auth_rooted() => {
                // `col == auth().x` is null only through a nullable column.
                [lhs, rhs]
                    .into_iter()
                    .find(|s| is_nullable_column(s))
                    .map(|s| &**s)
            }
            // `c == null || <uses c>`: when `c` is null the guard decides
            BinaryOp::Or => guarded(lhs, rhs, BinaryOp::Eq),
            // `c != null && <uses c>`: likewise
            BinaryOp::And => guarded(lhs, rhs, BinaryOp::Ne),
            _ => null_source(lhs).or_else(|| null_source(rhs)),
        },
        ExprKind::Call { name, args, .. }
            if matches!(name.as_str(), "contains" | "startsWith" | "endsWith") =>
        {
            args.first().and_then(null_source)
        }
        ExprKind::Call { name, args, .. } if name == "check" => args
            .first()
            .filter(|a| a.ty.nullable && a.ty.model().is_some()),
        _ => None,
    }
}

/// The null source of `lhs op rhs` for `||`/`&&`, unless the other side
/// tests that very value with `guard` against `null` and so decides the
/// result whenever it is null.
fn guarded<'e>(lhs: &'e Expr, rhs: &'e Expr, guard: BinaryOp) -> Option<&'e Expr> {
    let unguarded =
        |culprit: &'e Expr, other: &Expr| (!tests_null(other, culprit, guard)).then_some(culprit);
    null_source(lhs)
        .and_then(|c| unguarded(c, rhs))
        .or_else(|| null_source(rhs).and_then(|c| unguarded(c, lhs)))
}

/// Whether `e` is `value <guard> null` (or holds such a test in a chain of
/// the operator that keeps it decisive: `||` for `==`, `&&` for `!=`).
fn tests_null(e: &Expr, value: &Expr, guard: BinaryOp) -> bool {
    let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
        return false;
    };
    let chain = if guard == BinaryOp::Eq {
        BinaryOp::Or
    } else {
        BinaryOp::And
    };
    if *op == chain {
        return tests_null(lhs, value, guard) || tests_null(rhs, value, guard);
    }
    *op == guard
        && ((rhs.kind == ExprKind::Null && same_value(lhs, value))
            || (lhs.kind == ExprKind::Null && same_value(rhs, value)))
}

/// Structural equality of field paths, ignoring spans.
fn same_value(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Field(x), ExprKind::Field(y)) => x == y,
        (ExprKind::This, ExprKind::This) => true,
        (
            ExprKind::Member {
                receiver: r1,
                field: f1,
            },
            ExprKind::Member {
                receiver: r2,
                field: f2,
            },
        ) => f1 == f2 && same_value(r1, r2),
        (ExprKind::Binding { depth: d1, .. }, ExprKind::Binding { depth: d2, .. }) => d1 == d2,
        (
            ExprKind::Call {
                name: n1, args: a1, ..
            },
            ExprKind::Call {
                name: n2, args: a2, ..
            },
        ) => n1 == n2 && a1.is_empty() && a2.is_empty(),
        _ => false,
    }
}

/// Lint 4: once some model has rules, a model with no allow rule at all is
/// closed to every operation through zgen (P-13).
fn no_allow_rules(schema: &Schema, diags: &mut Diagnostics) {
    let any_rules = schema.data_models().any(|(_, m)| !m.rules.is_empty());
    if !any_rules {
        return;
    }
    for (_, model) in schema.data_models() {
        // An `@@allow` whose operation did not check already has an error;
        // the lint would only repeat it.
        let has_allow = model.attributes.iter().any(|a| a.name == "@@allow")
            || model.rules.iter().any(|r| {
                r.kind == RuleKind::Allow && r.operations != crate::model::Operations::default()
            });
        let ignored = model.attributes.iter().any(|a| a.name == "@@ignore");
        if has_allow || ignored {
            continue;
        }
        let what = if model.kind == ModelKind::View {
            "view"
        } else {
            "model"
        };
        diags.push(
            Diagnostic::warning(
                Code::NO_ALLOW_RULES,
                model.span,
                format!(
                    "{what} `{}` has no allow rule, so every operation on it is denied",
                    model.name
                ),
            )
            .with_help(
                "add `@@allow(...)` rules, or `@@allow('all', true)` if it is meant to be open",
            ),
        );
    }
}
