//! Enum values in the auth value, in their stored form for rules.
//!
//! A client sends enum values by name (`{"role": "ADMIN"}`), while rules
//! compare with stored values: an enum literal compiles to its `@map` name,
//! as do the columns it meets. Before binding, the engine therefore maps
//! the auth value's enum members (through its relations too) to their
//! stored names, so that `auth().role == ADMIN` holds for an admin and
//! `auth().role != BANNED` does not hold for a banned user. Schemas whose
//! enums map no value skip all of this.

use serde_json::Value as Json;
use zgen_sema::{FieldTypeKind, ModelId, Schema};

/// Whether some enum value is stored under another name.
pub(crate) fn any_mapped(schema: &Schema) -> bool {
    schema.auth.is_some()
        && schema
            .enums
            .iter()
            .flat_map(|e| &e.values)
            .any(|v| v.db_name() != v.name)
}

/// `auth` with the enum members of the auth type (and of related models
/// it carries) replaced by their stored names.
pub(crate) fn stored_form(schema: &Schema, auth: &Json) -> Json {
    match schema.auth {
        Some(model) => map_object(schema, model, auth),
        None => auth.clone(),
    }
}

fn map_object(schema: &Schema, model: ModelId, value: &Json) -> Json {
    let Json::Object(members) = value else {
        return value.clone();
    };
    let m = schema.model(model);
    let members = members
        .iter()
        .map(|(key, v)| {
            let kind = m.field_by_name(key).map(|(_, f)| &f.ty.kind);
            let mapped = match kind {
                Some(FieldTypeKind::Enum(e)) => each(v, &|v| {
                    let name = v.as_str()?;
                    let values = &schema.enums[e.index()].values;
                    let value = values.iter().find(|x| x.name == name)?;
                    Some(Json::String(value.db_name().to_string()))
                }),
                Some(FieldTypeKind::Model(related) | FieldTypeKind::TypeDef(related)) => {
                    each(v, &|v| Some(map_object(schema, *related, v)))
                }
                _ => v.clone(),
            };
            (key.clone(), mapped)
        })
        .collect();
    Json::Object(members)
}

/// `f` applied to a value or to each element of a list; a value `f`
/// declines stays as it is.
fn each(value: &Json, f: &dyn Fn(&Json) -> Option<Json>) -> Json {
    match value {
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|i| f(i).unwrap_or_else(|| i.clone()))
                .collect(),
        ),
        other => f(other).unwrap_or_else(|| other.clone()),
    }
}
