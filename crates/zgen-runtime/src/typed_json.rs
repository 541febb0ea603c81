//! Typed JSON (`type` + `@json`) values checked against their type on
//! write, the way ZenStack's Zod schema for a type does: every required
//! member present and not null, every member of its declared type (lists
//! element by element, nested types recursively). Members not in the type
//! are kept unless the type is `@@strict`. Validation attributes on a
//! type's members are not applied: ZenStack builds member schemas without
//! them.

use crate::json_null::JsonNull;
use crate::value::normalize_datetime;
use serde_json::Value;
use zgen_sema::{Field, FieldTypeKind, ModelId, Scalar, Schema};

/// Pushes "`path`: problem" for each way `v`, written to the typed-JSON
/// field `field`, does not fit the field's type. Null, `DbNull` and
/// `JsonNull` are the caller's business (the field's own optionality);
/// `AnyNull` is checked as the object it is, as ZenStack does.
pub(crate) fn check(schema: &Schema, field: &Field, v: &Value, out: &mut Vec<String>) {
    let written_null = matches!(JsonNull::of(v), Some(JsonNull::Db | JsonNull::Json));
    let null = v.is_null() || (written_null && field.ty.optional);
    if !null {
        member(schema, &field.name, field, v, out);
    }
}

/// Checks one present, non-null value of `field` at `path`.
fn member(schema: &Schema, path: &str, field: &Field, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) if field.ty.list => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                if item.is_null() {
                    out.push(format!(
                        "`{at}`: expected {}, got null",
                        expected(schema, field)
                    ));
                } else {
                    element(schema, &at, field, item, out);
                }
            }
        }
        _ if field.ty.list => out.push(format!("`{path}`: expected a list, got `{v}`")),
        _ => element(schema, path, field, v, out),
    }
}

/// Checks one non-null, non-list value of `field`'s type.
fn element(schema: &Schema, path: &str, field: &Field, v: &Value, out: &mut Vec<String>) {
    let fits = match (&field.ty.kind, v) {
        (FieldTypeKind::TypeDef(ty), Value::Object(_)) => {
            return object(schema, path, *ty, v, out);
        }
        (FieldTypeKind::Enum(e), Value::String(s)) => {
            schema.enum_(*e).values.iter().any(|x| x.name == *s)
        }
        (FieldTypeKind::Scalar(s), _) => scalar_fits(*s, v),
        _ => false,
    };
    if !fits {
        out.push(format!(
            "`{path}`: expected {}, got `{v}`",
            expected(schema, field)
        ));
    }
}

/// Checks an object against the type `ty`'s members.
fn object(schema: &Schema, path: &str, ty: ModelId, v: &Value, out: &mut Vec<String>) {
    let Value::Object(members) = v else { return };
    let t = schema.model(ty);
    for f in &t.fields {
        let at = format!("{path}.{}", f.name);
        match members.get(&f.name) {
            None | Some(Value::Null) if f.ty.optional => {}
            None | Some(Value::Null) => out.push(format!("`{at}`: is required")),
            Some(value) => member(schema, &at, f, value, out),
        }
    }
    if t.attributes_named("@@strict").next().is_some() {
        for key in members
            .keys()
            .filter(|k| t.fields.iter().all(|f| f.name != **k))
        {
            out.push(format!("`{path}.{key}`: is not a member of `{}`", t.name));
        }
    }
}

/// Whether a JSON value is one of `scalar`'s values as ZenStack accepts
/// them in JSON: integers for Int and BigInt (no strings), numbers or
/// decimal strings for Decimal, ISO-8601 date-times or dates for DateTime
/// (what a DateTime field takes; the string is stored as written, as
/// ZenStack does). Bytes fit nothing JSON can carry.
fn scalar_fits(scalar: Scalar, v: &Value) -> bool {
    match (scalar, v) {
        (Scalar::String, Value::String(_)) => true,
        (Scalar::DateTime, Value::String(s)) => normalize_datetime(s).is_some(),
        (Scalar::Boolean, Value::Bool(_)) => true,
        (Scalar::Int | Scalar::BigInt, Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (Scalar::Float, Value::Number(_)) => true,
        (Scalar::Decimal, Value::Number(_)) => true,
        (Scalar::Decimal, Value::String(s)) => is_decimal(s),
        (Scalar::Json, _) => true,
        _ => false,
    }
}

/// Whether `s` is a number as decimal.js reads one: a sign, then decimal
/// digits with an optional fraction and exponent, a `0x`/`0b`/`0o`
/// integer, `Infinity` or `NaN`; no spaces.
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if matches!(s, "Infinity" | "NaN") {
        return true;
    }
    let radix = |prefix: [&str; 2], radix: u32| {
        prefix
            .iter()
            .find_map(|p| s.strip_prefix(p))
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(radix)))
    };
    if radix(["0x", "0X"], 16) || radix(["0b", "0B"], 2) || radix(["0o", "0O"], 8) {
        return true;
    }
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (s, None),
    };
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok =
        (!whole.is_empty() || !fraction.is_empty()) && digits(whole) && digits(fraction);
    mantissa_ok && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// The expected type, for messages.
fn expected(schema: &Schema, field: &Field) -> String {
    match &field.ty.kind {
        FieldTypeKind::Scalar(s) => format!("`{s:?}`"),
        FieldTypeKind::Enum(e) => format!("`{}`", schema.enum_(*e).name),
        FieldTypeKind::TypeDef(m) => format!("`{}`", schema.model(*m).name),
        _ => "a value".into(),
    }
}
