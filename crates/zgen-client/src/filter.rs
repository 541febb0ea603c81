//! Filters on scalar fields and relations, as `where` takes them.

use crate::args::{Args, Model};
use crate::value::FieldValue;
use serde_json::{json, Value as Json};
use std::marker::PhantomData;

/// A condition on a field of type `T`. A plain value means equality:
/// `.title("x")` is `.title(Filter::equals("x"))`.
pub struct Filter<T> {
    json: Json,
    ty: PhantomData<fn() -> T>,
}

impl<T> Filter<T> {
    fn op(op: &str, value: Json) -> Self {
        Filter {
            json: json!({ op: value }),
            ty: PhantomData,
        }
    }

    /// The filter as `where` takes it.
    pub fn into_json(self) -> Json {
        self.json
    }

    /// The field is null.
    pub fn null() -> Self {
        Filter {
            json: Json::Null,
            ty: PhantomData,
        }
    }

    /// The field is not null.
    pub fn not_null() -> Self {
        Self::op("not", Json::Null)
    }

    /// Every condition of `self` and of `other` (`{gt: 1, lt: 5}`).
    pub fn and(self, other: Filter<T>) -> Self {
        let mut json = self.json;
        if let (Json::Object(a), Json::Object(b)) = (&mut json, other.json) {
            a.extend(b);
        }
        Filter {
            json,
            ty: PhantomData,
        }
    }
}

impl<T: FieldValue> Filter<T> {
    pub fn equals(value: impl Into<T>) -> Self {
        Self::op("equals", value.into().to_json())
    }

    pub fn not(value: impl Into<T>) -> Self {
        Self::op("not", value.into().to_json())
    }

    pub fn in_(values: impl IntoIterator<Item = T>) -> Self {
        Self::op("in", values.into_iter().map(|v| v.to_json()).collect())
    }

    pub fn not_in(values: impl IntoIterator<Item = T>) -> Self {
        Self::op("notIn", values.into_iter().map(|v| v.to_json()).collect())
    }

    pub fn lt(value: impl Into<T>) -> Self {
        Self::op("lt", value.into().to_json())
    }

    pub fn lte(value: impl Into<T>) -> Self {
        Self::op("lte", value.into().to_json())
    }

    pub fn gt(value: impl Into<T>) -> Self {
        Self::op("gt", value.into().to_json())
    }

    pub fn gte(value: impl Into<T>) -> Self {
        Self::op("gte", value.into().to_json())
    }
}

impl Filter<String> {
    pub fn contains(text: impl Into<String>) -> Self {
        Self::op("contains", Json::String(text.into()))
    }

    pub fn starts_with(text: impl Into<String>) -> Self {
        Self::op("startsWith", Json::String(text.into()))
    }

    pub fn ends_with(text: impl Into<String>) -> Self {
        Self::op("endsWith", Json::String(text.into()))
    }

    /// Compare ignoring case (`mode: 'insensitive'`).
    pub fn insensitive(self) -> Self {
        self.and(Self::op("mode", Json::String("insensitive".into())))
    }
}

impl<T: FieldValue> From<T> for Filter<T> {
    fn from(value: T) -> Self {
        Filter {
            json: value.to_json(),
            ty: PhantomData,
        }
    }
}

impl From<&str> for Filter<String> {
    fn from(value: &str) -> Self {
        Filter {
            json: Json::String(value.to_string()),
            ty: PhantomData,
        }
    }
}

/// A condition on a to-one relation.
pub struct ToOneFilter<M: Model> {
    json: Json,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> ToOneFilter<M> {
    fn op(op: &str, value: Json) -> Self {
        ToOneFilter {
            json: json!({ op: value }),
            model: PhantomData,
        }
    }

    /// The related row exists and matches.
    pub fn is(filter: M::Where) -> Self {
        Self::op("is", filter.into_json())
    }

    /// The related row is absent or does not match.
    pub fn is_not(filter: M::Where) -> Self {
        Self::op("isNot", filter.into_json())
    }

    /// There is no related row.
    pub fn null() -> Self {
        Self::op("is", Json::Null)
    }

    pub fn into_json(self) -> Json {
        self.json
    }
}

/// A condition on a to-many relation.
pub struct ListFilter<M: Model> {
    json: Json,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> ListFilter<M> {
    fn op(op: &str, filter: M::Where) -> Self {
        ListFilter {
            json: json!({ op: filter.into_json() }),
            model: PhantomData,
        }
    }

    /// At least one related row matches.
    pub fn some(filter: M::Where) -> Self {
        Self::op("some", filter)
    }

    /// Every related row matches (true when there are none).
    pub fn every(filter: M::Where) -> Self {
        Self::op("every", filter)
    }

    /// No related row matches.
    pub fn none(filter: M::Where) -> Self {
        Self::op("none", filter)
    }

    pub fn into_json(self) -> Json {
        self.json
    }
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Asc,
    Desc,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Asc => "asc",
            Sort::Desc => "desc",
        }
    }
}
