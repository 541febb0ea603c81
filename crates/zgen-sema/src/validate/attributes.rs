//! Attribute applications: deprecation (V-A3), the field lists of `@@id`,
//! `@@unique` and `@@index` and what views allow (V-A4), provider-specific
//! attributes and `@@schema` (V-A5), and `@@validate` conditions (V-A6).
//!
//! Only attributes written in a declaration are checked there; inherited
//! copies were checked where they are written.

use crate::collect::Collected;
use crate::expr::{Expr, ExprKind};
use crate::model::{AttributeApp, Model, ModelId, ModelKind, Provider, Schema};
use crate::relations::{field_at, from_delegate_base};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};
use zgen_syntax::ast;

/// Attributes whose V-A rules live elsewhere: `@password` has its own
/// warning (see `models.rs`).
const OWN_WARNING: &[&str] = &["@password"];

/// PostgreSQL-only field attributes (V-A5).
const POSTGRES_ONLY: &[&str] = &["@fuzzy", "@fullText"];

pub(crate) fn run(schema: &Schema, collected: &Collected<'_>, diags: &mut Diagnostics) {
    let provider = super::provider(schema, collected);
    let schemas = datasource_schemas(collected);
    for (index, model) in schema.models.iter().enumerate() {
        let id = ModelId(index as u32);
        for field in model.fields.iter().filter(|f| f.inherited_from.is_none()) {
            for app in &field.attributes {
                check_deprecated(schema, app, diags);
                check_provider(app, provider, diags);
                if model.kind == ModelKind::View && app.name == "@id" {
                    diags.push(not_on_views(app));
                }
            }
        }
        for app in model
            .attributes
            .iter()
            .filter(|a| a.inherited_from.is_none())
        {
            check_deprecated(schema, app, diags);
            check_model_attribute(schema, id, model, app, schemas.as_ref(), diags);
        }
    }
    for e in &schema.enums {
        let value_apps = e.values.iter().flat_map(|v| v.attributes.iter());
        for app in e.attributes.iter().chain(value_apps) {
            check_deprecated(schema, app, diags);
            if app.name == "@@schema" {
                check_schema(app, schemas.as_ref(), diags);
            }
        }
    }
}

fn check_model_attribute(
    schema: &Schema,
    id: ModelId,
    model: &Model,
    app: &AttributeApp,
    schemas: Option<&DatasourceSchemas>,
    diags: &mut Diagnostics,
) {
    match app.name.as_str() {
        "@@id" | "@@unique" | "@@index" => {
            if model.kind == ModelKind::View && app.name != "@@unique" {
                diags.push(not_on_views(app));
            }
            check_field_list(schema, id, app, diags);
        }
        "@@schema" => check_schema(app, schemas, diags),
        "@@validate" => check_validate(schema, app, diags),
        _ => {}
    }
}

/// V-A3.
fn check_deprecated(schema: &Schema, app: &AttributeApp, diags: &mut Diagnostics) {
    if OWN_WARNING.contains(&app.name.as_str()) {
        return;
    }
    let Some(reason) = app
        .decl
        .and_then(|d| schema.attributes.get(d.index()))
        .and_then(|d| d.deprecated.as_deref())
    else {
        return;
    };
    let message = if reason.is_empty() {
        format!("attribute `{}` is deprecated", app.name)
    } else {
        format!("attribute `{}` is deprecated: {reason}", app.name)
    };
    diags.push(Diagnostic::warning(
        Code::DEPRECATED_ATTRIBUTE,
        app.name_span,
        message,
    ));
}

/// V-A5 for `@fuzzy` and `@fullText`.
fn check_provider(app: &AttributeApp, provider: Option<Provider>, diags: &mut Diagnostics) {
    let unsupported = provider.is_some_and(|p| p != Provider::Postgresql);
    if unsupported && POSTGRES_ONLY.contains(&app.name.as_str()) {
        diags.push(
            Diagnostic::error(
                Code::PROVIDER_FEATURE,
                app.name_span,
                format!(
                    "`{}` is only supported by the \"postgresql\" provider",
                    app.name
                ),
            )
            .with_help("remove it, or switch the datasource to `provider = \"postgresql\"`"),
        );
    }
}

/// V-A4: `@id`, `@@id` and `@@index` on a view.
fn not_on_views(app: &AttributeApp) -> Diagnostic {
    Diagnostic::error(
        Code::ATTRIBUTE_TARGET,
        app.span,
        format!("`{}` is not allowed for views", app.name),
    )
    .with_help(
        "a view has no primary key or index of its own; `@unique` and `@@unique` are allowed",
    )
}

/// V-A4: a non-empty list of fields stored in this model's own table.
fn check_field_list(schema: &Schema, model: ModelId, app: &AttributeApp, diags: &mut Diagnostics) {
    let Some(arg) = app.arg(0) else {
        return;
    };
    let ExprKind::Array(items) = &arg.value.kind else {
        // Not an array: the binder reported the argument type.
        return;
    };
    if items.is_empty() {
        diags.push(
            Diagnostic::error(
                Code::FIELD_REFERENCES,
                arg.value.span,
                format!("{} expects at least one field reference", app.name),
            )
            .with_help("list the fields, such as `[a, b]`"),
        );
        return;
    }
    for item in items {
        let Some(field) = item.as_field().and_then(|f| field_at(schema, f)) else {
            continue;
        };
        if from_delegate_base(schema, model, &field.name) {
            diags.push(
                Diagnostic::error(
                    Code::FIELD_REFERENCES,
                    item.span,
                    format!("cannot use fields inherited from a polymorphic base model in `{}`", app.name),
                )
                .with_help("the field is stored in the base model's table; declare the constraint on the base model"),
            );
        }
    }
}

/// V-A6: `@@validate` conditions see only the model's own columns.
fn check_validate(schema: &Schema, app: &AttributeApp, diags: &mut Diagnostics) {
    let Some(arg) = app.arg(0) else {
        return;
    };
    let mut relations: Vec<Span> = Vec::new();
    arg.value.walk(&mut |e: &Expr| {
        if let ExprKind::Field(f) = e.kind {
            if field_at(schema, f).is_some_and(|f| f.is_relation()) {
                relations.push(e.span);
            }
        }
    });
    for span in relations {
        diags.push(
            Diagnostic::error(Code::VALIDATE_RELATION, span, "`@@validate` condition cannot use relation fields")
                .with_help("validation runs on the input data alone; check related records in an access policy instead"),
        );
    }
}

/// The `schemas` of the datasource: `None` when there is no datasource.
struct DatasourceSchemas {
    names: Vec<String>,
}

fn datasource_schemas(collected: &Collected<'_>) -> Option<DatasourceSchemas> {
    let datasource = collected
        .config_asts
        .iter()
        .find(|c| c.kind == ast::ConfigKind::Datasource)?;
    let names = datasource
        .fields
        .iter()
        .filter(|f| f.name.name == "schemas")
        .flat_map(|f| match &f.value.kind {
            ast::ExprKind::Array(items) => items.iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .filter_map(|e| match &e.kind {
            ast::ExprKind::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    Some(DatasourceSchemas { names })
}

/// V-A5: `@@schema` names a schema listed in the datasource.
fn check_schema(app: &AttributeApp, schemas: Option<&DatasourceSchemas>, diags: &mut Diagnostics) {
    let (Some(schemas), Some(arg)) = (schemas, app.arg(0)) else {
        return;
    };
    let Some(name) = arg.value.as_string() else {
        return;
    };
    if !schemas.names.iter().any(|s| s == name) {
        diags.push(
            Diagnostic::error(
                Code::PROVIDER_FEATURE,
                arg.value.span,
                format!("schema \"{name}\" is not defined in the datasource"),
            )
            .with_help(format!(
                "add \"{name}\" to the datasource's `schemas` array"
            )),
        );
    }
}
