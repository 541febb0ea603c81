//! Field values as the engine's JSON, in ZenStack's encodings.

use crate::datetime::{self, DateTimeValue};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value as Json;

/// A value a scalar field can hold, as the engine takes it.
pub trait FieldValue {
    fn to_json(&self) -> Json;
}

impl FieldValue for String {
    fn to_json(&self) -> Json {
        Json::String(self.clone())
    }
}

impl FieldValue for bool {
    fn to_json(&self) -> Json {
        Json::Bool(*self)
    }
}

impl FieldValue for i32 {
    fn to_json(&self) -> Json {
        Json::from(*self)
    }
}

impl FieldValue for i64 {
    fn to_json(&self) -> Json {
        Json::from(*self)
    }
}

impl FieldValue for f64 {
    fn to_json(&self) -> Json {
        Json::from(*self)
    }
}

fn datetime_json(value: &impl DateTimeValue) -> Json {
    Json::String(datetime::text(value).unwrap_or_else(|| datetime::OUT_OF_RANGE.to_string()))
}

impl FieldValue for DateTime<Utc> {
    fn to_json(&self) -> Json {
        datetime_json(self)
    }
}

#[cfg(feature = "time")]
impl FieldValue for time::OffsetDateTime {
    fn to_json(&self) -> Json {
        datetime_json(self)
    }
}

impl FieldValue for Decimal {
    fn to_json(&self) -> Json {
        Json::String(self.to_string())
    }
}

impl FieldValue for Vec<u8> {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(|b| Json::from(*b)).collect())
    }
}

impl FieldValue for Json {
    fn to_json(&self) -> Json {
        self.clone()
    }
}

/// What may be written into a field of type `T`: a `T`, a `&str` for a
/// string, `None` for null, or (for numbers) an [`crate::Update`].
pub trait Assign<T> {
    fn into_json(self) -> Json;
}

impl<T: FieldValue> Assign<T> for T {
    fn into_json(self) -> Json {
        self.to_json()
    }
}

impl Assign<String> for &str {
    fn into_json(self) -> Json {
        Json::String(self.to_string())
    }
}

impl<T: FieldValue> Assign<T> for Option<T> {
    fn into_json(self) -> Json {
        self.map_or(Json::Null, |v| v.to_json())
    }
}

impl Assign<String> for Option<&str> {
    fn into_json(self) -> Json {
        self.map_or(Json::Null, |v| Json::String(v.to_string()))
    }
}
