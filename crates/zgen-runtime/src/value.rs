//! Conversions between JSON values (what clients send and receive) and the
//! values stored in the database, in ZenStack v3's SQLite encodings:
//! Boolean as 0/1, DateTime as ISO-8601 text with milliseconds and `Z`,
//! Json and typed JSON as text, Decimal as text, enums by their stored name.

use crate::json_null::JsonNull;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use rusqlite::types::ValueRef;
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
        (Stored::Scalar(Scalar::DateTime), Json::String(s)) if is_valid_canonical_datetime(s) => {
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
pub(crate) fn is_canonical_datetime(s: &str) -> bool {
    // Fixed positions rather than a per-byte pattern match: every read of a
    // DateTime column runs this.
    const SEPARATORS: [(usize, u8); 7] = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ];
    const DIGITS: [usize; 17] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
    let b = s.as_bytes();
    b.len() == 24
        && SEPARATORS.iter().all(|&(i, c)| b[i] == c)
        && DIGITS.iter().all(|&i| b[i].is_ascii_digit())
}

/// Whether `s` is already the stored form of a real instant, so a write
/// can keep it as it is instead of parsing and printing it again (what
/// every `now()` default and every value read back from a row look like).
fn is_valid_canonical_datetime(s: &str) -> bool {
    let number =
        |range: std::ops::Range<usize>| s.get(range).and_then(|digits| digits.parse::<u32>().ok());
    let valid = || -> Option<bool> {
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day);
        Some(date.is_some() && hour < 24 && minute < 60 && second < 60)
    };
    is_canonical_datetime(s) && valid() == Some(true)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_instants_in_the_stored_form_skip_parsing() {
        for s in ["2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00.000Z"] {
            assert!(is_valid_canonical_datetime(s), "{s}");
        }
        for s in [
            "2023-02-29T00:00:00.000Z", // not a leap year
            "2024-13-01T00:00:00.000Z",
            "2024-01-01T24:00:00.000Z",
            "2024-01-01T00:60:00.000Z",
            "2024-01-01T00:00:60.000Z",
            "2024-01-01T00:00:00.000+",
            "2024-01-01 00:00:00.000Z",
            "2024-01-01T00:00:00Z",
        ] {
            assert!(!is_valid_canonical_datetime(s), "{s}");
        }
        // what is not in the stored form still goes through the parser
        let datetime = |s: &str| {
            scalar_to_db(
                &Schema::default(),
                Stored::Scalar(Scalar::DateTime),
                &Json::from(s),
            )
        };
        assert_eq!(
            datetime("2024-01-01T01:00:00+01:00"),
            Some(Value::Text("2024-01-01T00:00:00.000Z".into()))
        );
        assert_eq!(datetime("2023-02-29T00:00:00.000Z"), None);
    }
}
