//! Conversions between JSON values (what clients send and receive) and the
//! values stored in the database, in ZenStack v3's SQLite encodings:
//! Boolean as 0/1, DateTime as ISO-8601 text with milliseconds and `Z`,
//! Json and typed JSON as text, Decimal as text, enums by their stored name.

use crate::json_null::JsonNull;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value as Json;
use zgen_policy::ir::Value;
use zgen_sema::{EnumId, Field, FieldTypeKind, Scalar, Schema};

/// What a stored column holds, from its field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stored {
    Scalar(Scalar),
    Enum(EnumId),
    /// A `type` stored as JSON (`@json`).
    TypedJson,
}

impl Stored {
    pub(crate) fn of(field: &Field) -> Option<Stored> {
        match field.ty.kind {
            FieldTypeKind::Scalar(s) => Some(Stored::Scalar(s)),
            FieldTypeKind::Enum(e) => Some(Stored::Enum(e)),
            FieldTypeKind::TypeDef(_) => Some(Stored::TypedJson),
            _ => None,
        }
    }

    /// The scalar the policy IR compares this column as.
    pub(crate) fn scalar(self) -> Scalar {
        match self {
            Stored::Scalar(s) => s,
            Stored::Enum(_) => Scalar::String,
            Stored::TypedJson => Scalar::Json,
        }
    }
}

/// A client's JSON value for `field`, as the database stores it. The error
/// is the reason, for an `invalid-input` message.
pub(crate) fn to_db(schema: &Schema, field: &Field, json: &Json) -> Result<Value, String> {
    if let Some(stored @ (Stored::Scalar(Scalar::Json) | Stored::TypedJson)) = Stored::of(field) {
        if let Some(v) = json_null_to_db(field, stored, json)? {
            return Ok(v);
        }
    }
    if json.is_null() {
        return Ok(Value::Null);
    }
    if field.ty.list {
        return Err(format!(
            "`{}`: list fields are stored only on PostgreSQL",
            field.name
        ));
    }
    let Some(stored) = Stored::of(field) else {
        return Err(format!("`{}` is not a stored field", field.name));
    };
    scalar_to_db(schema, stored, json).ok_or_else(|| {
        format!(
            "`{}` expects {}, got `{json}`",
            field.name,
            expected(schema, stored)
        )
    })
}

/// A null written to a Json or typed-JSON field, as ZenStack stores it:
/// `DbNull` as SQL NULL, `JsonNull` as the text `null`, and a plain `null`
/// as SQL NULL on a Json field (ZenStack refuses it there,
/// docs/differences.md) but as the text `null` on a typed-JSON field, as
/// ZenStack does. `None` when `json` is no null at all.
fn json_null_to_db(field: &Field, stored: Stored, json: &Json) -> Result<Option<Value>, String> {
    let null = match JsonNull::of(json) {
        Some(null) => null,
        None if json.is_null() && stored == Stored::TypedJson => JsonNull::Json,
        None if json.is_null() => JsonNull::Db,
        None => return Ok(None),
    };
    match null {
        JsonNull::Any => Err(format!(
            "`{}`: `AnyNull` is a filter value and cannot be written",
            field.name
        )),
        // a required Json field may hold the JSON `null`; a typed one not
        JsonNull::Db | JsonNull::Json
            if !field.ty.optional && (null == JsonNull::Db || stored == Stored::TypedJson) =>
        {
            Err(format!(
                "`{}` is required and cannot be `{}`",
                field.name,
                null.name()
            ))
        }
        JsonNull::Db => Ok(Some(Value::Null)),
        JsonNull::Json => Ok(Some(Value::Text("null".into()))),
    }
}

fn expected(schema: &Schema, stored: Stored) -> String {
    match stored {
        Stored::Scalar(Scalar::DateTime) => "an ISO-8601 date-time string".into(),
        Stored::Scalar(s) => format!("a {}", s.name()),
        Stored::Enum(e) => {
            let values: Vec<String> = schema.enums[e.index()]
                .values
                .iter()
                .map(|v| format!("`{}`", v.name))
                .collect();
            format!("one of {}", values.join(", "))
        }
        Stored::TypedJson => "a JSON object".into(),
    }
}

/// A JSON value as `stored`, or `None` when it does not fit.
pub(crate) fn scalar_to_db(schema: &Schema, stored: Stored, json: &Json) -> Option<Value> {
    Some(match (stored, json) {
        (_, Json::Null) => Value::Null,
        (Stored::Scalar(Scalar::String), Json::String(s)) => Value::Text(s.clone()),
        (Stored::Scalar(Scalar::Boolean), Json::Bool(b)) => Value::Bool(*b),
        (Stored::Scalar(Scalar::Int), Json::Number(n)) => {
            Value::Int(i64::from(i32::try_from(n.as_i64()?).ok()?))
        }
        (Stored::Scalar(Scalar::BigInt), Json::Number(n)) => Value::Int(n.as_i64()?),
        (Stored::Scalar(Scalar::BigInt), Json::String(s)) => Value::Int(s.parse().ok()?),
        (Stored::Scalar(Scalar::Float), Json::Number(n)) => Value::Float(n.as_f64()?),
        (Stored::Scalar(Scalar::Decimal), Json::Number(n)) => Value::Text(n.to_string()),
        (Stored::Scalar(Scalar::Decimal), Json::String(s)) => {
            s.parse::<f64>().ok()?;
            Value::Text(s.clone())
        }
        (Stored::Scalar(Scalar::DateTime), Json::String(s)) => Value::Text(normalize_datetime(s)?),
        (Stored::Scalar(Scalar::Json) | Stored::TypedJson, j) => Value::Text(j.to_string()),
        (Stored::Scalar(Scalar::Bytes), Json::Array(items)) => Value::Bytes(
            items
                .iter()
                .map(|i| i.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect::<Option<Vec<u8>>>()?,
        ),
        (Stored::Enum(e), Json::String(s)) => {
            let value = schema.enums[e.index()]
                .values
                .iter()
                .find(|v| v.name == *s)?;
            Value::Text(value.db_name().to_string())
        }
        _ => return None,
    })
}

/// A date-time string in ZenStack's stored form,
/// `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC. Accepts RFC 3339 with any offset, a
/// date-time without offset (read as UTC), and a bare date.
pub(crate) fn normalize_datetime(s: &str) -> Option<String> {
    let utc = if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        t.with_timezone(&Utc)
    } else if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        Utc.from_utc_datetime(&t)
    } else if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f") {
        Utc.from_utc_datetime(&t)
    } else {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?)
    };
    Some(utc.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Whether `s` is already `YYYY-MM-DDTHH:MM:SS.sssZ` (digits in place),
/// as the engine stores every DateTime it writes: such values are returned
/// without parsing. A shape check only, so it serves output, never input.
fn is_canonical_datetime(s: &str) -> bool {
    const SHAPE: &[u8; 24] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    let b = s.as_bytes();
    b.len() == SHAPE.len()
        && b.iter().zip(SHAPE).all(|(c, want)| match want {
            b'd' => c.is_ascii_digit(),
            _ => c == want,
        })
}

/// A policy/IR value as a rusqlite parameter (Booleans as 0/1, C-5).
pub(crate) fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Int(i) => SqlValue::Integer(*i),
        Value::Float(f) => SqlValue::Real(*f),
        Value::Text(t) => SqlValue::Text(t.clone()),
        Value::Bytes(b) => SqlValue::Blob(b.clone()),
    }
}

/// A stored value back as the IR value it was written as.
pub(crate) fn from_sql(stored: Option<Stored>, v: ValueRef<'_>) -> Value {
    match (stored, v) {
        (_, ValueRef::Null) => Value::Null,
        (Some(Stored::Scalar(Scalar::Boolean)), ValueRef::Integer(i)) => Value::Bool(i != 0),
        (_, ValueRef::Integer(i)) => Value::Int(i),
        (_, ValueRef::Real(f)) => Value::Float(f),
        (_, ValueRef::Text(t)) => Value::Text(match std::str::from_utf8(t) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(t).into_owned(),
        }),
        (_, ValueRef::Blob(b)) => Value::Bytes(b.to_vec()),
    }
}

/// A stored value as the JSON a client receives for `field`.
pub(crate) fn to_json(schema: &Schema, field: &Field, v: &Value) -> Json {
    into_json(schema, field, v.clone())
}

/// [`to_json`], taking the value so that text moves instead of copying.
pub(crate) fn into_json(schema: &Schema, field: &Field, v: Value) -> Json {
    let stored = Stored::of(field);
    match (stored, v) {
        (_, Value::Null) => Json::Null,
        (Some(Stored::Scalar(Scalar::Boolean)), Value::Int(i)) => Json::Bool(i != 0),
        (_, Value::Bool(b)) => Json::Bool(b),
        (Some(Stored::Scalar(Scalar::DateTime)), Value::Int(ms)) => Utc
            .timestamp_millis_opt(ms)
            .single()
            .map(|t| Json::String(t.to_rfc3339_opts(SecondsFormat::Millis, true)))
            .unwrap_or(Json::Null),
        (Some(Stored::Scalar(Scalar::DateTime)), Value::Text(t)) => {
            if is_canonical_datetime(&t) {
                Json::String(t)
            } else {
                Json::String(normalize_datetime(&t).unwrap_or(t))
            }
        }
        (Some(Stored::Scalar(Scalar::Decimal)), Value::Int(i)) => Json::String(i.to_string()),
        (Some(Stored::Scalar(Scalar::Decimal)), Value::Float(f)) => Json::String(f.to_string()),
        (Some(Stored::Scalar(Scalar::Json) | Stored::TypedJson), Value::Text(t)) => {
            serde_json::from_str(&t).unwrap_or(Json::String(t))
        }
        (Some(Stored::Enum(e)), Value::Text(t)) => Json::String(
            schema.enums[e.index()]
                .values
                .iter()
                .find(|v| v.db_name() == t)
                .map_or(t, |v| v.name.clone()),
        ),
        (_, Value::Int(i)) => Json::from(i),
        (_, Value::Float(f)) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        (_, Value::Text(t)) => Json::String(t),
        (_, Value::Bytes(b)) => Json::Array(b.into_iter().map(Json::from).collect()),
    }
}
