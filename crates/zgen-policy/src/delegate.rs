//! How delegate models (`@@delegate`, `extends`) are stored: multi-table
//! inheritance, as ZenStack v3 lays it out (I-4). The root base's table
//! holds the base fields and the discriminator; each sub-model's table holds
//! its own fields and the same id, its row joined to its base's by id.
//!
//! Queries see a sub-model as one row source: [`write_source`] writes its
//! table joined with its bases', every merged field under its own column
//! name, so filters, rules and relation subqueries read inherited fields
//! like any other column.

use crate::compile::id_fields;
use crate::sql::{Dialect, Sql};
use zgen_sema::expr::ExprKind;
use zgen_sema::{FieldId, ModelId, Schema};

/// The model followed by its delegate bases, up to the root.
pub fn chain(schema: &Schema, model: ModelId) -> Vec<ModelId> {
    let mut out = vec![model];
    let mut next = schema.model(model).base;
    while let Some(base) = next.filter(|b| !out.contains(b)) {
        out.push(base);
        next = schema.model(base).base;
    }
    out
}

/// Whether the model's rows are spread over its table and its bases'.
pub fn has_base(schema: &Schema, model: ModelId) -> bool {
    schema.model(model).base.is_some()
}

/// Whether the model is a delegate base (`@@delegate`).
pub fn is_delegate(schema: &Schema, model: ModelId) -> bool {
    schema.model(model).attribute("@@delegate").is_some()
}

/// The models that extend `model`, directly or not, in declaration order.
pub fn descendants(schema: &Schema, model: ModelId) -> Vec<ModelId> {
    schema
        .data_models()
        .map(|(id, _)| id)
        .filter(|id| *id != model && chain(schema, *id).contains(&model))
        .collect()
}

/// Whether `field` comes from a delegate base of its model.
pub fn is_inherited(schema: &Schema, field: FieldId) -> bool {
    let name = &schema.field(field).name;
    chain(schema, field.model)
        .into_iter()
        .skip(1)
        .any(|base| schema.model(base).field_by_name(name).is_some())
}

/// The level of `field`'s model whose table holds its column: id fields are
/// in every level's table (the model's own is used), other fields in the
/// table of the highest base that has them.
pub fn storing_level(schema: &Schema, field: FieldId) -> ModelId {
    let model = field.model;
    if !has_base(schema, model) || id_fields(schema, model).contains(&field) {
        return model;
    }
    let name = &schema.field(field).name;
    chain(schema, model)
        .into_iter()
        .rev()
        .find(|level| schema.model(*level).field_by_name(name).is_some())
        .unwrap_or(model)
}

/// A sub-model's key when its delegate base's is an `@@id`, which the
/// sub-model does not inherit as an attribute (I-2): the base's key fields,
/// as seen from `model`. ZenStack keys every level's table by them.
pub fn base_key(schema: &Schema, model: ModelId) -> Option<Vec<FieldId>> {
    let base = schema.model(model).base?;
    let m = schema.model(model);
    id_fields(schema, base)
        .into_iter()
        .map(|f| {
            let (index, _) = m.field_by_name(&schema.field(f).name)?;
            Some(FieldId { model, index })
        })
        .collect::<Option<Vec<_>>>()
        .filter(|key| !key.is_empty())
}

/// The same field as seen from `level` (a base of its model), by name.
pub fn at_level(schema: &Schema, field: FieldId, level: ModelId) -> Option<FieldId> {
    let (index, _) = schema
        .model(level)
        .field_by_name(&schema.field(field).name)?;
    Some(FieldId {
        model: level,
        index,
    })
}

/// The discriminator field of the delegate base `base` (`@@delegate(field)`).
pub fn discriminator(schema: &Schema, base: ModelId) -> Option<FieldId> {
    let field = schema
        .model(base)
        .attribute("@@delegate")?
        .arg(0)?
        .value
        .as_field()?;
    at_level(schema, field, base)
}

/// The discriminator value of rows of `model`: its `@@delegateMap` value or
/// its name (I-3).
pub fn discriminator_value(schema: &Schema, model: ModelId) -> String {
    let m = schema.model(model);
    m.attribute("@@delegateMap")
        .and_then(|app| app.arg(0))
        .and_then(|arg| match &arg.value.kind {
            ExprKind::EnumValue { enum_id, index } => schema
                .enums
                .get(enum_id.index())
                .and_then(|e| e.values.get(*index as usize))
                .map(|v| v.db_name().to_string()),
            _ => arg.value.as_string().map(str::to_string),
        })
        .unwrap_or_else(|| m.name.clone())
}

/// Writes the rows of `model`: its table, or for a sub-model its table
/// joined with every base's, each merged field selected under its column
/// name.
pub fn write_source(schema: &Schema, dialect: &dyn Dialect, model: ModelId, out: &mut Sql) {
    let m = schema.model(model);
    if !has_base(schema, model) {
        out.ident(dialect, m.db_name());
        return;
    }
    out.push("(SELECT ");
    let mut first = true;
    for (index, field) in m.fields.iter().enumerate() {
        if field.is_relation() || field.is_computed() {
            continue;
        }
        let level = storing_level(
            schema,
            FieldId {
                model,
                index: index as u32,
            },
        );
        if !first {
            out.push(", ");
        }
        first = false;
        out.ident(dialect, schema.model(level).db_name());
        out.push(".");
        out.ident(dialect, field.db_name());
        // SQLite leaves a subquery's column names unspecified without `AS`
        out.push(" AS ");
        out.ident(dialect, field.db_name());
    }
    if first {
        out.push("1");
    }
    out.push(" FROM ");
    out.ident(dialect, m.db_name());
    let ids = id_fields(schema, model);
    for level in chain(schema, model).into_iter().skip(1) {
        out.push(" JOIN ");
        out.ident(dialect, schema.model(level).db_name());
        out.push(" ON ");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                out.push(" AND ");
            }
            let column = schema.field(*id).db_name();
            let base_column =
                at_level(schema, *id, level).map_or(column, |f| schema.field(f).db_name());
            out.ident(dialect, schema.model(level).db_name());
            out.push(".");
            out.ident(dialect, base_column);
            out.push(" = ");
            out.ident(dialect, m.db_name());
            out.push(".");
            out.ident(dialect, column);
        }
        if ids.is_empty() {
            out.push(dialect.bool_literal(false));
        }
    }
    out.push(")");
}
