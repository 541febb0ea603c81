//! `select`, `include`, `omit` and the reading arguments of find
//! operations, nested to any depth.

use super::{count_arg, only_keys};
use crate::args::arg;
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::value::Stored;
use serde_json::{Map, Value as Json};
use zgen_sema::{Field, FieldId, ModelId, Schema};

/// What to read of a model and how.
#[derive(Debug, Default)]
pub(crate) struct FindArgs<'j> {
    pub filter: Option<&'j Json>,
    pub order_by: Option<&'j Json>,
    pub skip: Option<i64>,
    pub take: Option<i64>,
    pub cursor: Option<&'j Json>,
    pub distinct: Vec<FieldId>,
    pub selection: Selection<'j>,
}

/// The fields of each result row.
#[derive(Debug, Default)]
pub(crate) struct Selection<'j> {
    /// Scalar fields, in model order.
    pub scalars: Vec<FieldId>,
    /// Relations with their own reading arguments.
    pub relations: Vec<(FieldId, FindArgs<'j>)>,
    /// `_count` of to-many relations, with an optional `where`.
    pub counts: Vec<(FieldId, Option<&'j Json>)>,
    /// All fields (no `select`): rows read through a delegate base carry
    /// their sub-model's fields too.
    pub sub_models: bool,
}

const FIND_KEYS: &[&str] = &[
    "where", "select", "include", "omit", "orderBy", "skip", "take", "cursor", "distinct",
];

/// Whether a field is returned when nothing selects it: `@omit` and v2's
/// `@password` fields are not; `@ignore`d and computed fields have no column.
pub(crate) fn default_visible(field: &Field) -> bool {
    readable_column(field) && !field.has_attribute("@omit") && !crate::password::is_secret(field)
}

/// Whether a field is a column the engine reads.
pub(crate) fn readable_column(field: &Field) -> bool {
    Stored::of(field).is_some() && !field.has_attribute("@ignore") && !field.is_computed()
}

/// The columns the engine reads of `model`, in field order.
pub(crate) fn read_columns(schema: &Schema, model: ModelId) -> Vec<FieldId> {
    let m = schema.model(model);
    (0..m.fields.len() as u32)
        .map(|index| FieldId { model, index })
        .filter(|f| readable_column(schema.field(*f)))
        .collect()
}

pub(crate) fn find_args<'j>(
    client: &Client<'_>,
    model: ModelId,
    args: &'j Map<String, Json>,
    allowed: &[&str],
) -> Result<FindArgs<'j>> {
    only_keys(client.model_name(model), args, allowed)?;
    read_args(client, model, args)
}

/// The reading arguments of `args`, whatever other keys it has (a write's
/// `select`/`include`/`omit` beside its `data`).
pub(crate) fn read_args<'j>(
    client: &Client<'_>,
    model: ModelId,
    args: &'j Map<String, Json>,
) -> Result<FindArgs<'j>> {
    let name = client.model_name(model);
    let distinct = match arg(args, "distinct") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::String(s)) => vec![scalar_field(client, model, s)?],
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => scalar_field(client, model, s),
                other => Err(Error::invalid_input(
                    Some(name),
                    format!("invalid `distinct` entry `{other}`"),
                )),
            })
            .collect::<Result<_>>()?,
        Some(other) => {
            return Err(Error::invalid_input(
                Some(name),
                format!("invalid `distinct` `{other}`"),
            ))
        }
    };
    Ok(FindArgs {
        filter: arg(args, "where"),
        order_by: arg(args, "orderBy"),
        skip: match count_arg(name, args, "skip")? {
            Some(n) if n < 0 => {
                return Err(Error::invalid_input(
                    Some(name),
                    format!("`skip` must not be negative, got `{n}`"),
                ))
            }
            skip => skip,
        },
        take: count_arg(name, args, "take")?,
        cursor: match arg(args, "cursor").filter(|c| !c.is_null()) {
            Some(cursor) => {
                client.require_unique(model, Some(cursor))?;
                Some(cursor)
            }
            None => None,
        },
        distinct,
        selection: selection(client, model, args)?,
    })
}

/// The keys `findUnique` accepts.
pub(crate) const UNIQUE_KEYS: &[&str] = &["where", "select", "include", "omit"];

/// The find keys that operations reading many rows accept.
pub(crate) fn many_keys() -> &'static [&'static str] {
    FIND_KEYS
}

fn scalar_field(client: &Client<'_>, model: ModelId, name: &str) -> Result<FieldId> {
    let m = client.schema().model(model);
    match m.field_by_name(name) {
        Some((index, f)) if readable_column(f) => Ok(FieldId { model, index }),
        _ => Err(Error::invalid_input(
            Some(&m.name),
            format!("`{name}` is not a scalar field of `{}`", m.name),
        )),
    }
}

/// The selection that `select`/`include`/`omit` of `args` describe.
pub(crate) fn selection<'j>(
    client: &Client<'_>,
    model: ModelId,
    args: &'j Map<String, Json>,
) -> Result<Selection<'j>> {
    let schema = client.schema();
    let m = schema.model(model);
    let invalid = |msg: String| Error::invalid_input(Some(&m.name), msg);
    let select = object_arg(args, "select").map_err(invalid)?;
    let include = object_arg(args, "include").map_err(invalid)?;
    let omit = object_arg(args, "omit").map_err(invalid)?;
    if select.is_some() && (include.is_some() || omit.is_some()) {
        return Err(invalid(
            "`select` cannot be combined with `include` or `omit`".into(),
        ));
    }
    let mut out = Selection::default();
    let field_ids = (0..m.fields.len() as u32).map(|index| FieldId { model, index });
    match select {
        Some(select) => {
            if !select.values().any(truthy) {
                return Err(invalid("`select` must select at least one field".into()));
            }
            for (key, value) in select {
                if key == "_count" {
                    out.counts = counts(client, model, value)?;
                    continue;
                }
                let Some((index, f)) = m.field_by_name(key) else {
                    return Err(invalid(format!("unknown field `{key}` in `select`")));
                };
                let id = FieldId { model, index };
                if !truthy(value) {
                    continue;
                }
                if f.is_relation() {
                    out.relations.push((id, nested(client, id, value)?));
                } else if readable_column(f) && !crate::password::is_secret(f) {
                    out.scalars.push(id);
                } else {
                    return Err(invalid(format!("field `{key}` cannot be selected")));
                }
            }
            out.scalars.sort();
        }
        None => {
            out.sub_models = true;
            let omitted = |f: &Field| match omit.and_then(|o| o.get(&f.name)) {
                Some(v) => truthy(v),
                None => !default_visible(f) || !readable_column(f),
            };
            if let Some(o) = omit {
                if let Some(k) = o
                    .keys()
                    .find(|k| m.field_by_name(k).is_none_or(|(_, f)| !readable_column(f)))
                {
                    return Err(invalid(format!("unknown scalar field `{k}` in `omit`")));
                }
            }
            out.scalars = match omit {
                None => client.visible(model).to_vec(),
                Some(_) => field_ids
                    .filter(|id| {
                        let f = schema.field(*id);
                        readable_column(f) && !crate::password::is_secret(f) && !omitted(f)
                    })
                    .collect(),
            };
            for (key, value) in include.into_iter().flatten() {
                if key == "_count" {
                    out.counts = counts(client, model, value)?;
                    continue;
                }
                let Some((index, f)) = m.field_by_name(key) else {
                    return Err(invalid(format!("unknown field `{key}` in `include`")));
                };
                if !f.is_relation() {
                    return Err(invalid(format!(
                        "`{key}` is not a relation; only relations can be included"
                    )));
                }
                if truthy(value) {
                    let id = FieldId { model, index };
                    out.relations.push((id, nested(client, id, value)?));
                }
            }
        }
    }
    Ok(out)
}

/// `true`, or an object of nested arguments; `false` and `null` are off.
fn truthy(v: &Json) -> bool {
    !matches!(v, Json::Bool(false) | Json::Null)
}

fn object_arg<'j>(
    args: &'j Map<String, Json>,
    key: &str,
) -> std::result::Result<Option<&'j Map<String, Json>>, String> {
    match arg(args, key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(o)) => Ok(Some(o)),
        Some(other) => Err(format!("`{key}` must be an object, got `{other}`")),
    }
}

/// The arguments of an included relation: `true` or an object.
fn nested<'j>(client: &Client<'_>, relation: FieldId, value: &'j Json) -> Result<FindArgs<'j>> {
    let Some(target) = client.schema().field(relation).related_model() else {
        return Err(Error::invalid_input(None, "not a relation"));
    };
    match value {
        Json::Object(args) => {
            let to_many = client.schema().field(relation).ty.list;
            let allowed: &[&str] = if to_many {
                FIND_KEYS
            } else {
                &["select", "include", "omit"]
            };
            find_args(client, target, args, allowed)
        }
        _ => find_args(client, target, &EMPTY_ARGS, &[]),
    }
}

static EMPTY_ARGS: std::sync::LazyLock<Map<String, Json>> = std::sync::LazyLock::new(Map::new);

/// `_count: true` or `_count: { select: { rel: true | { where } } }`.
fn counts<'j>(
    client: &Client<'_>,
    model: ModelId,
    value: &'j Json,
) -> Result<Vec<(FieldId, Option<&'j Json>)>> {
    let m = client.schema().model(model);
    let invalid = |msg: String| Error::invalid_input(Some(&m.name), msg);
    let to_many = |(i, f): (usize, &Field)| {
        { f.ty.list && f.is_relation() }.then_some(FieldId {
            model,
            index: i as u32,
        })
    };
    match value {
        Json::Bool(true) => Ok(m
            .fields
            .iter()
            .enumerate()
            .filter_map(to_many)
            .map(|f| (f, None))
            .collect()),
        Json::Object(o) => {
            let Some(Json::Object(select)) = o.get("select") else {
                return Err(invalid(
                    "`_count` expects `true` or `{ select: { … } }`".into(),
                ));
            };
            let mut out = Vec::new();
            for (key, v) in select {
                let Some((index, f)) = m
                    .field_by_name(key)
                    .filter(|(_, f)| f.ty.list && f.is_relation())
                else {
                    return Err(invalid(format!("`{key}` is not a to-many relation")));
                };
                let _ = f;
                match v {
                    Json::Bool(false) | Json::Null => {}
                    Json::Bool(true) => out.push((FieldId { model, index }, None)),
                    Json::Object(args) => out.push((FieldId { model, index }, arg(args, "where"))),
                    other => return Err(invalid(format!("invalid `_count` entry `{other}`"))),
                }
            }
            Ok(out)
        }
        _ => Ok(Vec::new()),
    }
}
