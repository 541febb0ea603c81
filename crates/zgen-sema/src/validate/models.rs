//! Models and fields: unique criteria and ids (V-D1..V-D3), field types
//! (V-D4, V-D5, V-S5), `@@delegateMap` (V-D8), attributes applied too often
//! (V-D9) and the removed `@password`.
//!
//! A problem that a model inherits from a parent is the parent's to report:
//! each declaration is checked once, where it is written.

use super::provider;
use crate::collect::Collected;
use crate::expr::{ExprKind, Literal};
use crate::model::{
    AttributeApp, AttributeDecl, EnumId, Field, FieldTypeKind, Model, ModelId, ModelKind, Provider,
    Scalar, Schema,
};
use crate::relations::field_at;
use std::collections::{BTreeMap, BTreeSet};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};

pub(crate) fn run(schema: &Schema, collected: &Collected<'_>, diags: &mut Diagnostics) {
    for (index, model) in schema.models.iter().enumerate() {
        let id = ModelId(index as u32);
        for field in model.fields.iter().filter(|f| f.inherited_from.is_none()) {
            check_field_attributes(schema, field, diags);
            if stores_columns(model.kind) {
                check_field_type(schema, field, diags);
            }
        }
        check_ids(model, diags);
        check_once_in_model(schema, model, diags);
        check_model_attributes_once(schema, model, diags);
        if model.kind == ModelKind::Model && parents_resolved(collected, id, model) {
            check_unique_criteria(schema, id, model, diags);
        }
        if model.is_data_model() {
            check_delegate_map(schema, model, diags);
        }
    }
    check_lists(schema, provider(schema, collected), diags);
    check_delegate_map_siblings(schema, diags);
}

/// Declarations whose fields are table columns (not `type`s, whose fields
/// may live inside JSON).
fn stores_columns(kind: ModelKind) -> bool {
    matches!(
        kind,
        ModelKind::Model | ModelKind::View | ModelKind::AbstractModel
    )
}

/// Which spans to report for attributes or fields that may appear once.
/// Repeats written in this model are reported where written; repeats that
/// only meet through inheritance are reported at the model; repeats that
/// all come from one parent are that parent's to report.
fn repeat_spans(items: &[(Option<ModelId>, Span)], model_span: Span) -> Vec<Span> {
    let Some(&(first_origin, _)) = items.first() else {
        return Vec::new();
    };
    if items.len() < 2 {
        return Vec::new();
    }
    let own: Vec<Span> = items
        .iter()
        .skip(1)
        .filter(|(origin, _)| origin.is_none())
        .map(|(_, span)| *span)
        .collect();
    if !own.is_empty() {
        return own;
    }
    if first_origin.is_some() && items.iter().all(|(origin, _)| *origin == first_origin) {
        return Vec::new();
    }
    vec![model_span]
}

fn decl_of<'a>(schema: &'a Schema, app: &AttributeApp) -> Option<&'a AttributeDecl> {
    app.decl.and_then(|d| schema.attributes.get(d.index()))
}

/// V-D9 (per field) and the `@password` warning.
fn check_field_attributes(schema: &Schema, field: &Field, diags: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    for app in &field.attributes {
        if app.name == "@password" {
            diags.push(
                Diagnostic::warning(Code::PASSWORD_ATTRIBUTE, app.name_span, "`@password` was removed in v3")
                    .with_help(
                        "hash passwords in application code before saving them; zgen still hashes `@password` fields on write for now",
                    ),
            );
        }
        let once = decl_of(schema, app).is_some_and(|d| d.once);
        if once && !seen.insert(app.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::ATTRIBUTE_ONCE,
                    app.span,
                    format!("attribute {} can only be applied once", app.name),
                )
                .with_help("remove the repeated attribute"),
            );
        }
    }
}

/// V-D4 and V-D5 for a field of a model or view.
fn check_field_type(schema: &Schema, field: &Field, diags: &mut Diagnostics) {
    if field.ty.list && field.ty.optional {
        diags.push(
            Diagnostic::error(
                Code::INVALID_FIELD_TYPE,
                field.type_span,
                "optional lists are not supported",
            )
            .with_help("use either `Type[]` (possibly empty) or `Type?`"),
        );
    }
    let FieldTypeKind::TypeDef(typedef) = field.ty.kind else {
        return;
    };
    if !field.has_attribute("@json") {
        diags.push(
            Diagnostic::error(
                Code::JSON_TYPE_FIELD,
                field.span,
                "custom-typed field must have @json attribute",
            )
            .with_help("add `@json` to store the value as typed JSON"),
        );
    }
    if let Some(path) = relation_inside(schema, typedef, &mut BTreeSet::new()) {
        diags.push(
            Diagnostic::error(
                Code::JSON_TYPE_FIELD,
                field.span,
                "type used as JSON field type cannot have relation fields",
            )
            .with_label(format!("`{path}` is a relation"))
            .with_help(
                "a JSON value cannot hold a relation; use a separate type without relation fields",
            ),
        );
    }
}

/// The first relation field reachable inside `typedef`, as a dotted path.
fn relation_inside(
    schema: &Schema,
    typedef: ModelId,
    visited: &mut BTreeSet<ModelId>,
) -> Option<String> {
    if !visited.insert(typedef) {
        return None;
    }
    let model = schema.models.get(typedef.index())?;
    for field in &model.fields {
        match field.ty.kind {
            FieldTypeKind::Model(_) => return Some(format!("{}.{}", model.name, field.name)),
            FieldTypeKind::TypeDef(inner) => {
                if let Some(path) = relation_inside(schema, inner, visited) {
                    return Some(path);
                }
            }
            _ => {}
        }
    }
    None
}

/// V-D2 and V-D3.
fn check_ids(model: &Model, diags: &mut Diagnostics) {
    for f in model.fields.iter().filter(|f| f.inherited_from.is_none()) {
        check_id_field(f, diags);
    }
    let id_apps: Vec<(Option<ModelId>, Span)> = model
        .fields
        .iter()
        .filter_map(|f| f.attribute("@id").map(|a| (f.inherited_from, a.span)))
        .collect();
    if let (Some(&(field_origin, field_span)), Some(compound)) =
        (id_apps.first(), model.attribute("@@id"))
    {
        // Report where the clash is written; a clash within one parent is
        // the parent's.
        let span = match (compound.inherited_from, field_origin) {
            (None, _) => Some(compound.span),
            (Some(_), None) => Some(field_span),
            (Some(a), Some(b)) if a != b => Some(model.span),
            _ => None,
        };
        if let Some(span) = span {
            diags.push(
                Diagnostic::error(
                    Code::DUPLICATE_ID,
                    span,
                    "model cannot have both field-level @id and model-level @@id attributes",
                )
                .with_help("keep either the `@id` field or the compound `@@id`"),
            );
        }
        return;
    }
    for span in repeat_spans(&id_apps, model.span) {
        diags.push(
            Diagnostic::error(
                Code::DUPLICATE_ID,
                span,
                "model can include at most one field with @id attribute",
            )
            .with_help("use `@@id([a, b])` for a compound id"),
        );
    }
}

/// V-D3 for one field written in this model.
fn check_id_field(field: &Field, diags: &mut Diagnostics) {
    if !field.has_attribute("@id") {
        return;
    }
    if field.ty.optional {
        diags.push(
            Diagnostic::error(
                Code::INVALID_ID_FIELD,
                field.span,
                "field with @id attribute must not be optional",
            )
            .with_help(format!("make `{}` required", field.name)),
        );
    }
    let scalar = matches!(
        field.ty.kind,
        FieldTypeKind::Scalar(_) | FieldTypeKind::Enum(_)
    );
    let unknown = matches!(field.ty.kind, FieldTypeKind::Unresolved);
    if field.ty.list || (!scalar && !unknown) {
        diags.push(
            Diagnostic::error(
                Code::INVALID_ID_FIELD,
                field.span,
                "field with @id attribute must be of scalar or enum type",
            )
            .with_help("an id is a single scalar or enum value; put `@id` on the foreign-key field instead"),
        );
    }
}

/// Every `with` and `extends` of the model resolved: an unresolved parent
/// may hold the id, so V-D1 would only repeat that error.
fn parents_resolved(collected: &Collected<'_>, id: ModelId, model: &Model) -> bool {
    collected.model_asts.get(id.index()).is_some_and(|ast| {
        ast.mixins.len() + ast.extends.len()
            == model.mixins.len() + usize::from(model.base.is_some())
    })
}

/// V-D1: a model needs something that identifies a row.
fn check_unique_criteria(schema: &Schema, id: ModelId, model: &Model, diags: &mut Diagnostics) {
    if model.attribute("@@ignore").is_some() {
        return;
    }
    // A sub-model shares its delegate base's id.
    let mut current = Some(id);
    for _ in 0..schema.models.len() {
        let Some(m) = current.and_then(|c| schema.models.get(c.index())) else {
            break;
        };
        if has_unique_criteria(m) {
            return;
        }
        current = m.base;
    }
    diags.push(
        Diagnostic::error(
            Code::MISSING_UNIQUE_CRITERIA,
            model.span,
            "model must have at least one unique criteria",
        )
        .with_help("mark a field with `@id` or `@unique`, or add `@@id([...])` or `@@unique([...])` to the model"),
    );
}

fn has_unique_criteria(model: &Model) -> bool {
    model
        .fields
        .iter()
        .any(|f| f.has_attribute("@id") || f.has_attribute("@unique"))
        || model.attribute("@@id").is_some()
        || model.attribute("@@unique").is_some()
}

/// V-D9 for model-level attributes, inherited copies included.
/// `@@delegateMap` has its own message (V-D8).
fn check_model_attributes_once(schema: &Schema, model: &Model, diags: &mut Diagnostics) {
    let mut groups: BTreeMap<&str, Vec<(Option<ModelId>, Span)>> = BTreeMap::new();
    for app in &model.attributes {
        if app.name != "@@delegateMap" && decl_of(schema, app).is_some_and(|d| d.once) {
            groups
                .entry(app.name.as_str())
                .or_default()
                .push((app.inherited_from, app.span));
        }
    }
    for (name, items) in groups {
        for span in repeat_spans(&items, model.span) {
            diags.push(
                Diagnostic::error(
                    Code::ATTRIBUTE_ONCE,
                    span,
                    format!("attribute {name} can only be applied once"),
                )
                .with_help("remove the repeated attribute"),
            );
        }
    }
}

/// V-D9 for `@@@onceInModel` field attributes.
fn check_once_in_model(schema: &Schema, model: &Model, diags: &mut Diagnostics) {
    let mut groups: BTreeMap<&str, Vec<(Option<ModelId>, Span)>> = BTreeMap::new();
    for field in &model.fields {
        for app in &field.attributes {
            if decl_of(schema, app).is_some_and(|d| d.once_in_model) {
                groups
                    .entry(app.name.as_str())
                    .or_default()
                    .push((field.inherited_from, app.span));
            }
        }
    }
    for (name, items) in groups {
        for span in repeat_spans(&items, model.span) {
            diags.push(
                Diagnostic::error(
                    Code::ATTRIBUTE_ONCE,
                    span,
                    format!("attribute {name} can only be applied to one field per model"),
                )
                .with_help("keep it on one field"),
            );
        }
    }
}

/// V-S5: lists need PostgreSQL: scalar lists and, as ZenStack 3.9.4 checks
/// it, typed-JSON lists (`Foo[] @json`) too, though they would be stored as
/// JSON. Lists inside a `type` are JSON members and fine anywhere.
fn check_lists(schema: &Schema, provider: Option<Provider>, diags: &mut Diagnostics) {
    let Some(provider) = provider.filter(|p| *p != Provider::Postgresql) else {
        return;
    };
    let mut seen = BTreeSet::new();
    for (id, model) in schema.data_models() {
        for field in &model.fields {
            let scalar_list = field.ty.list
                && matches!(
                    field.ty.kind,
                    FieldTypeKind::Scalar(_)
                        | FieldTypeKind::Enum(_)
                        | FieldTypeKind::TypeDef(_)
                        | FieldTypeKind::Unsupported(_)
                );
            let origin = field.inherited_from.unwrap_or(id);
            if !scalar_list || !seen.insert((origin, field.name.as_str())) {
                continue;
            }
            let model_name = schema
                .models
                .get(origin.index())
                .map_or(model.name.as_str(), |m| m.name.as_str());
            diags.push(
                Diagnostic::error(
                    Code::LIST_NOT_SUPPORTED,
                    field.type_span,
                    format!(
                        "list type is not supported for \"{}\" provider (model: {model_name}, field: {})",
                        provider_name(provider),
                        field.name
                    ),
                )
                .with_help("only \"postgresql\" stores lists; use a `Json` field or a related model instead"),
            );
        }
    }
}

fn provider_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Sqlite => "sqlite",
        Provider::Postgresql => "postgresql",
        Provider::Mysql => "mysql",
    }
}

/// The own `@@delegateMap` attributes of a model.
fn own_delegate_maps(model: &Model) -> impl Iterator<Item = &AttributeApp> {
    model
        .attributes_named("@@delegateMap")
        .filter(|a| a.inherited_from.is_none())
}

/// V-D8 for one model: once, only on sub-models, a value that fits the
/// discriminator.
fn check_delegate_map(schema: &Schema, model: &Model, diags: &mut Diagnostics) {
    let mut maps = own_delegate_maps(model);
    let Some(first) = maps.next() else {
        return;
    };
    for extra in maps {
        diags.push(
            Diagnostic::error(
                Code::DELEGATE_MAP,
                extra.span,
                "@@delegateMap can only be applied once",
            )
            .with_secondary(first.span, "first applied here"),
        );
    }
    let Some(base) = model.base.and_then(|b| schema.models.get(b.index())) else {
        diags.push(
            Diagnostic::error(
                Code::DELEGATE_MAP,
                first.span,
                "@@delegateMap can only be used on a sub-model of a delegate model",
            )
            .with_help(
                "it sets the discriminator value of a model that `extends` a `@@delegate` model",
            ),
        );
        return;
    };
    let Some(value) = first.arg(0).map(|a| &a.value) else {
        return;
    };
    let Some(discriminator) = base
        .attribute("@@delegate")
        .and_then(|d| d.arg(0))
        .and_then(|a| a.value.as_field())
        .and_then(|f| field_at(schema, f))
    else {
        return;
    };
    if let Some(message) = delegate_map_mismatch(schema, discriminator, &value.kind) {
        diags.push(
            Diagnostic::error(Code::DELEGATE_MAP, value.span, message)
                .with_secondary(discriminator.span, "the discriminator field"),
        );
    }
}

/// Why a `@@delegateMap` value does not fit the discriminator, if it doesn't.
fn delegate_map_mismatch(
    schema: &Schema,
    discriminator: &Field,
    value: &ExprKind,
) -> Option<String> {
    let member_of = |e: EnumId| {
        let name = schema.enums.get(e.index()).map_or("", |e| e.name.as_str());
        format!("@@delegateMap value must be a member of enum `{name}`")
    };
    let has_value = |e: EnumId, s: &str| {
        schema
            .enums
            .get(e.index())
            .is_some_and(|e| e.values.iter().any(|v| v.name == s))
    };
    match (&discriminator.ty.kind, value) {
        (_, ExprKind::Error) | (FieldTypeKind::Unresolved, _) => None,
        (FieldTypeKind::Enum(want), ExprKind::EnumValue { enum_id, .. }) => {
            (want != enum_id).then(|| member_of(*want))
        }
        // A string naming a member of the discriminator's enum is accepted.
        (FieldTypeKind::Enum(want), ExprKind::Literal(Literal::String(s))) => {
            (!has_value(*want, s)).then(|| member_of(*want))
        }
        (FieldTypeKind::Scalar(Scalar::String), ExprKind::Literal(Literal::String(_))) => None,
        (FieldTypeKind::Scalar(Scalar::String), ExprKind::EnumValue { .. }) => Some(
            "@@delegateMap enum value cannot be used when the discriminator field is String".into(),
        ),
        (FieldTypeKind::Scalar(Scalar::String) | FieldTypeKind::Enum(_), _) => {
            Some("@@delegateMap expects a string literal or enum value".into())
        }
        _ => Some("@@delegateMap needs a String or enum discriminator field".into()),
    }
}

/// V-D8 across siblings: sub-models of one base store distinct values.
fn check_delegate_map_siblings(schema: &Schema, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(ModelId, String), &Model> = BTreeMap::new();
    for (_, model) in schema.data_models() {
        let Some(base) = model.base else {
            continue;
        };
        let app = own_delegate_maps(model).next();
        let value_arg = app.and_then(|a| a.arg(0));
        let value = match value_arg.map(|a| &a.value.kind) {
            Some(ExprKind::Literal(Literal::String(s))) => s.clone(),
            Some(ExprKind::EnumValue { enum_id, index }) => schema
                .enums
                .get(enum_id.index())
                .and_then(|e| e.values.get(*index as usize))
                .map_or_else(String::new, |v| v.name.clone()),
            Some(_) => continue,
            None => model.name.clone(),
        };
        match seen.get(&(base, value.clone())) {
            Some(first) => {
                let span = value_arg.map_or(model.span, |a| a.value.span);
                diags.push(
                    Diagnostic::error(
                        Code::DELEGATE_MAP,
                        span,
                        format!(
                            "@@delegateMap value \"{value}\" is already used by `{}`",
                            first.name
                        ),
                    )
                    .with_secondary(first.span, "the other sub-model")
                    .with_help(
                        "each sub-model of a delegate model needs its own discriminator value",
                    ),
                );
            }
            None => {
                seen.insert((base, value), model);
            }
        }
    }
}
