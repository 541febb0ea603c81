//! Access-policy attributes: operation lists (V-P1), condition types (V-P2),
//! non-owned relations in create rules (V-P3), `before()` (V-P4, V-P6),
//! field-level targets (V-P5) and v2's `future()`.
//!
//! Each attribute is checked where it is written; inherited copies are
//! skipped, so a mixin's mistake is reported once.

use crate::expr::{Expr, ExprKind};
use crate::model::{AttributeApp, Field, FieldTypeKind, ModelId, Schema};
use crate::relations::field_at;
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};

const MODEL_OPERATIONS: &[&str] = &["create", "read", "update", "post-update", "delete", "all"];
const FIELD_OPERATIONS: &[&str] = &["read", "update", "all"];

/// Where a policy attribute is written.
#[derive(Clone, Copy)]
enum Level<'a> {
    Model(ModelId),
    Field(&'a Field),
}

pub(crate) fn run(schema: &Schema, diags: &mut Diagnostics) {
    for (index, model) in schema.models.iter().enumerate() {
        let id = ModelId(index as u32);
        let own = model
            .attributes
            .iter()
            .filter(|a| a.inherited_from.is_none());
        for app in own.filter(|a| matches!(a.name.as_str(), "@@allow" | "@@deny")) {
            check_policy(schema, app, Level::Model(id), diags);
        }
        for field in model.fields.iter().filter(|f| f.inherited_from.is_none()) {
            for app in field
                .attributes
                .iter()
                .filter(|a| matches!(a.name.as_str(), "@allow" | "@deny"))
            {
                check_policy(schema, app, Level::Field(field), diags);
            }
        }
    }
}

fn check_policy(schema: &Schema, app: &AttributeApp, level: Level<'_>, diags: &mut Diagnostics) {
    let operations = app.arg(0).map(|a| &a.value);
    let text = operations.and_then(|op| check_operations(op, level, diags));
    if let Level::Field(field) = level {
        check_field_target(field, app, diags);
    }
    // A missing condition is reported when the attribute is bound (V-A2).
    let Some(condition) = app.arg(1).map(|a| &a.value) else {
        return;
    };
    check_condition_type(condition, diags);
    check_before(schema, condition, level, text, diags);
    report_future(condition, diags);
    if let (Level::Model(model), Some("create" | "all")) = (level, text) {
        check_non_owned(schema, model, condition, diags);
    }
}

/// V-P1. Returns the operation text when it is a string literal.
fn check_operations<'e>(
    op: &'e Expr,
    level: Level<'_>,
    diags: &mut Diagnostics,
) -> Option<&'e str> {
    if matches!(op.kind, ExprKind::Error) {
        return None;
    }
    let Some(text) = op.as_string() else {
        diags.push(
            Diagnostic::error(Code::POLICY_OPERATION, op.span, "expects a string literal")
                .with_help("write the operations as a literal, such as `'create,update'`"),
        );
        return None;
    };
    let allowed = match level {
        Level::Model(_) => MODEL_OPERATIONS,
        Level::Field(_) => FIELD_OPERATIONS,
    };
    let listed = allowed
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    for item in text
        .split(',')
        .map(str::trim)
        .filter(|i| !allowed.contains(i))
    {
        let help = match (level, item) {
            (_, "") => "remove the empty item (a leading, trailing or doubled comma)",
            (Level::Field(_), i) if MODEL_OPERATIONS.contains(&i) => {
                "field-level rules govern reading and updating the field only"
            }
            _ => "separate operations with commas, such as `'create,update'`",
        };
        diags.push(
            Diagnostic::error(
                Code::POLICY_OPERATION,
                op.span,
                format!("invalid policy rule kind: \"{item}\", allowed: {listed}"),
            )
            .with_help(help),
        );
    }
    Some(text)
}

/// V-P2: the condition is Boolean (or Any).
fn check_condition_type(condition: &Expr, diags: &mut Diagnostics) {
    if condition.ty.is_unresolved() || condition.ty.is_boolean_like() {
        return;
    }
    diags.push(
        Diagnostic::error(
            Code::POLICY_CONDITION,
            condition.span,
            "invalid argument type",
        )
        .with_label("expected a Boolean condition")
        .with_help("compare the value instead, such as `views > 0`"),
    );
}

/// V-P5: field-level rules only on plain and foreign-key scalar fields.
fn check_field_target(field: &Field, app: &AttributeApp, diags: &mut Diagnostics) {
    if field.is_relation() {
        diags.push(
            Diagnostic::error(
                Code::FIELD_POLICY_TARGET,
                app.span,
                "field-level policies are not allowed for relation fields",
            )
            .with_help("put the rule on the related model, or on the foreign-key field"),
        );
    }
    if field.is_computed() {
        diags.push(
            Diagnostic::error(
                Code::FIELD_POLICY_TARGET,
                app.span,
                "field-level policies are not allowed for computed fields",
            )
            .with_help("restrict the fields the computation reads instead"),
        );
    }
}

fn first_call<'e>(e: &'e Expr, name: &str) -> Option<&'e Expr> {
    let mut found = None;
    e.walk(&mut |x| {
        if found.is_none() && x.call_name() == Some(name) {
            found = Some(x);
        }
    });
    found
}

/// V-P4 (`before()` only in exact `'post-update'` model rules) and V-P6
/// (no relation through `before()`).
fn check_before(
    schema: &Schema,
    condition: &Expr,
    level: Level<'_>,
    text: Option<&str>,
    diags: &mut Diagnostics,
) {
    let Some(call) = first_call(condition, "before") else {
        return;
    };
    match level {
        Level::Field(_) => diags.push(
            Diagnostic::error(
                Code::BEFORE_CONTEXT,
                call.span,
                "\"before()\" is not allowed in field-level policies",
            )
            .with_help("compare old and new values in a model-level `post-update` rule"),
        ),
        // The operation text must be exactly `post-update`: a list such as
        // `'update,post-update'` is rejected too.
        Level::Model(_) if text.is_some_and(|t| t != "post-update") => diags.push(
            Diagnostic::error(
                Code::BEFORE_CONTEXT,
                call.span,
                "\"before()\" is only allowed in \"post-update\" policy rules",
            )
            .with_help("move the condition into its own `'post-update'` rule"),
        ),
        Level::Model(_) => {}
    }
    condition.walk(&mut |x| {
        if let ExprKind::Member { receiver, field } = &x.kind {
            let relation = field_at(schema, *field).filter(|f| matches!(f.ty.kind, FieldTypeKind::Model(_)));
            if let (Some("before"), Some(f)) = (receiver.call_name(), relation) {
                diags.push(
                    Diagnostic::error(
                        Code::BEFORE_RELATION,
                        member_name_span(x.span, &f.name),
                        "relation fields cannot be accessed from `before()`",
                    )
                    .with_help("`before()` holds the row's own columns only; compare the foreign key instead"),
                );
            }
        }
    });
}

/// The span of `name` at the end of a member access.
fn member_name_span(span: Span, name: &str) -> Span {
    let range = span.range();
    match range.end.checked_sub(name.len()) {
        Some(start) if start >= range.start => Span::new(span.file, start, range.end),
        _ => span,
    }
}

/// v2's `future()`: accepted, read as the post-update row, with a warning.
fn report_future(condition: &Expr, diags: &mut Diagnostics) {
    condition.walk(&mut |x| {
        if x.call_name() == Some("future") {
            let range = x.span.range();
            let callee = Span::new(x.span.file, range.start, (range.start + "future".len()).min(range.end));
            diags.push(
                Diagnostic::warning(
                    Code::FUTURE_FUNCTION,
                    callee,
                    "`future()` is v2 syntax; use a `post-update` rule with `before()`",
                )
                .with_help("zgen reads `future().x` as the value after the update; in a `post-update` rule that is plain `x`, and `before().x` is the old value"),
            );
        }
    });
}

/// V-P3: a rule whose operation text is exactly `'create'` or `'all'` may
/// not name a relation declared in its own model that has no foreign key on
/// this side. References under `auth()` are exempt. Like ZenStack, rules of
/// `type`s and relations inherited from a parent are not checked.
fn check_non_owned(schema: &Schema, model: ModelId, condition: &Expr, diags: &mut Diagnostics) {
    if !schema
        .models
        .get(model.index())
        .is_some_and(|m| m.is_data_model())
    {
        return;
    }
    let mut found = Vec::new();
    non_owned_refs(schema, model, condition, false, &mut found);
    for (span, name) in found {
        diags.push(
            Diagnostic::error(
                Code::CREATE_NON_OWNED_RELATION,
                span,
                "non-owned relation fields are not allowed in \"create\" rules",
            )
            .with_help(format!(
                "`{name}` has no `@relation(fields: ...)` on this side, so a row being created cannot be linked to it yet"
            )),
        );
    }
}

/// Collects offending references. `exempt` is true inside a collection
/// predicate over an `auth()` chain.
fn non_owned_refs(
    schema: &Schema,
    model: ModelId,
    e: &Expr,
    exempt: bool,
    out: &mut Vec<(Span, String)>,
) {
    match &e.kind {
        ExprKind::Field(id) if !exempt && id.model == model => {
            if let Some(field) = field_at(schema, *id).filter(|f| is_non_owned(f)) {
                out.push((e.span, field.name.clone()));
            }
        }
        ExprKind::Collection {
            collection,
            condition,
            ..
        } => {
            // A bare collection keeps the outer scope; one nested deeper is
            // inside this predicate.
            let inner = collection.is_auth_rooted();
            let collection_exempt = if matches!(collection.kind, ExprKind::Field(_)) {
                exempt
            } else {
                inner
            };
            non_owned_refs(schema, model, collection, collection_exempt, out);
            non_owned_refs(schema, model, condition, inner, out);
        }
        _ => for_each_child(e, &mut |child| {
            non_owned_refs(schema, model, child, exempt, out)
        }),
    }
}

/// A relation field, declared here, without `fields:` in its `@relation`.
fn is_non_owned(field: &Field) -> bool {
    field.inherited_from.is_none()
        && matches!(field.ty.kind, FieldTypeKind::Model(_))
        && field
            .attribute("@relation")
            .is_none_or(|r| r.named_arg("fields").is_none())
}

/// Calls `f` on each direct sub-expression.
fn for_each_child<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    match &e.kind {
        ExprKind::Call { args, .. } | ExprKind::Array(args) => args.iter().for_each(f),
        ExprKind::Member { receiver, .. } => f(receiver),
        ExprKind::Not(inner) => f(inner),
        ExprKind::Binary { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        ExprKind::Collection {
            collection,
            condition,
            ..
        } => {
            f(collection);
            f(condition);
        }
        ExprKind::Object(entries) | ExprKind::FieldWithArgs { args: entries, .. } => {
            entries.iter().for_each(|(_, x)| f(x))
        }
        ExprKind::Literal(_)
        | ExprKind::Null
        | ExprKind::This
        | ExprKind::Field(_)
        | ExprKind::EnumValue { .. }
        | ExprKind::Binding { .. }
        | ExprKind::Param(_)
        | ExprKind::Error => {}
    }
}
