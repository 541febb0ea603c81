//! Unique criteria of a model: what `findUnique`, `update`, `delete` and
//! `connect` may name, including compound keys (`email_orgId: {…}`).

use crate::engine::Client;
use crate::error::{Error, Result};
use serde_json::Value as Json;
use zgen_sema::expr::ExprKind;
use zgen_sema::{FieldId, ModelId, Schema};

/// One unique criterion: its compound name (for `@@id`/`@@unique`) and its
/// fields.
#[derive(Debug, Clone)]
pub(crate) struct UniqueKey {
    pub name: Option<String>,
    pub fields: Vec<FieldId>,
}

/// Every unique criterion of `model`: `@id`, `@unique`, `@@id` (its own or
/// its delegate base's), `@@unique`.
pub(crate) fn unique_keys(schema: &Schema, model: ModelId) -> Vec<UniqueKey> {
    let m = schema.model(model);
    let mut keys = Vec::new();
    for (index, f) in m.fields.iter().enumerate() {
        if (f.has_attribute("@id") || f.has_attribute("@unique")) && !f.is_relation() {
            keys.push(UniqueKey {
                name: None,
                fields: vec![FieldId {
                    model,
                    index: index as u32,
                }],
            });
        }
    }
    // a delegate base's `@@id` keys its sub-models too, though they do not
    // inherit the attribute (I-2); its fields are found by name below
    let ids = zgen_policy::delegate::chain(schema, model)
        .into_iter()
        .map(|level| schema.model(level).attributes_named("@@id"))
        .find_map(|mut ids| ids.next());
    for attr in ids.into_iter().chain(m.attributes_named("@@unique")) {
        let Some(ExprKind::Array(items)) = attr.arg(0).map(|a| &a.value.kind) else {
            continue;
        };
        let fields: Option<Vec<FieldId>> = items
            .iter()
            .map(|i| {
                i.as_field()
                    .and_then(|f| m.field_by_name(&schema.field(f).name))
                    .map(|(index, _)| FieldId { model, index })
            })
            .collect();
        let Some(fields) = fields else { continue };
        let name = attr
            .named_arg("name")
            .and_then(|a| a.value.as_string())
            .map(str::to_string)
            .unwrap_or_else(|| {
                fields
                    .iter()
                    .map(|f| schema.field(*f).name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            });
        keys.push(UniqueKey {
            name: Some(name),
            fields,
        });
    }
    keys
}

impl Client<'_> {
    /// Checks that a `where` names a unique criterion with plain values, as
    /// `findUnique`, `update`, `delete` and `upsert` require.
    pub(crate) fn require_unique(&self, model: ModelId, filter: Option<&Json>) -> Result<()> {
        let schema = self.schema();
        let m = schema.model(model);
        let Some(Json::Object(obj)) = filter else {
            return Err(Error::invalid_input(
                Some(&m.name),
                "a `where` naming a unique field is required",
            ));
        };
        let given = |f: &FieldId| {
            obj.get(&schema.field(*f).name)
                .is_some_and(|v| !v.is_object() && !v.is_null() || v.get("equals").is_some())
        };
        let ok = self.unique_keys(model).iter().any(|k| {
            k.fields.iter().all(given)
                || k.name
                    .as_ref()
                    .is_some_and(|n| obj.get(n).is_some_and(Json::is_object))
        });
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_input(
                Some(&m.name),
                "`where` must name a unique field or compound key with a value",
            ))
        }
    }
}
