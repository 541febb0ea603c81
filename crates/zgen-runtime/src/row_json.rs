//! Rows straight to JSON objects for scalar-only reads. How each column
//! becomes JSON is decided once per statement, not once per value; the
//! common kinds (integers, Booleans, text, canonical date-times) skip the
//! intermediate IR value.

use crate::value::{from_sql, into_json, is_canonical_datetime, Stored};
use rusqlite::types::ValueRef;
use serde_json::{Map, Value as Json};
use zgen_sema::{Field, FieldId, Scalar, Schema};

/// One selected field: where its value is in the row and how it is read.
pub(crate) struct Column<'s> {
    field: &'s Field,
    /// Its index among the statement's columns; `None` reads as null.
    slot: Option<usize>,
    read: Read,
}

#[derive(Clone, Copy)]
enum Read {
    Int,
    Bool,
    Text,
    DateTime,
    /// Anything else: through [`from_sql`] and [`into_json`].
    General(Option<Stored>),
}

/// The columns of `selected` fields in a statement returning `columns`.
pub(crate) fn plan<'s>(
    schema: &'s Schema,
    columns: &[FieldId],
    selected: &[FieldId],
) -> Vec<Column<'s>> {
    selected
        .iter()
        .map(|f| {
            let field = schema.field(*f);
            let read = match Stored::of(field) {
                Some(Stored::Scalar(Scalar::Int | Scalar::BigInt)) => Read::Int,
                Some(Stored::Scalar(Scalar::Boolean)) => Read::Bool,
                Some(Stored::Scalar(Scalar::String)) => Read::Text,
                Some(Stored::Scalar(Scalar::DateTime)) => Read::DateTime,
                stored => Read::General(stored),
            };
            Column {
                field,
                slot: columns.iter().position(|c| c == f),
                read,
            }
        })
        .collect()
}

/// One row as the JSON object a client receives.
pub(crate) fn object(
    schema: &Schema,
    columns: &[Column<'_>],
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<Json> {
    let mut obj = Map::with_capacity(columns.len());
    for column in columns {
        obj.insert(column.field.name.clone(), value(schema, column, row)?);
    }
    Ok(Json::Object(obj))
}

/// One row's values as JSON, in the columns' order, without the object
/// around them (for the typed client's decoder).
pub(crate) fn values(
    schema: &Schema,
    columns: &[Column<'_>],
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<Vec<Json>> {
    let mut values = Vec::with_capacity(columns.len());
    for column in columns {
        values.push(value(schema, column, row)?);
    }
    Ok(values)
}

// `value` and `read` are inlined into both callers: as calls they cost
// the engine's JSON rows ≈ 1–2 % of a findMany (callgrind).
#[inline(always)]
fn value(schema: &Schema, column: &Column<'_>, row: &rusqlite::Row<'_>) -> rusqlite::Result<Json> {
    Ok(match column.slot {
        Some(k) => read(schema, column, row.get_ref(k)?),
        None => Json::Null,
    })
}

#[inline(always)]
fn read(schema: &Schema, column: &Column<'_>, value: ValueRef<'_>) -> Json {
    let text = |t: &[u8]| std::str::from_utf8(t).ok().map(str::to_owned);
    let fast = match (column.read, value) {
        (_, ValueRef::Null) => Some(Json::Null),
        (Read::Int, ValueRef::Integer(i)) => Some(Json::from(i)),
        (Read::Bool, ValueRef::Integer(i)) => Some(Json::Bool(i != 0)),
        (Read::Text, ValueRef::Text(t)) => text(t).map(Json::String),
        (Read::DateTime, ValueRef::Text(t)) => std::str::from_utf8(t)
            .ok()
            .filter(|s| is_canonical_datetime(s))
            .map(|s| Json::String(s.to_owned())),
        _ => None,
    };
    fast.unwrap_or_else(|| {
        let stored = match column.read {
            Read::General(stored) => stored,
            _ => Stored::of(column.field),
        };
        into_json(schema, column.field, from_sql(stored, value))
    })
}
