//! The two traits generated code implements: [`Model`] for each model
//! struct and [`Args`] for each argument builder.

use crate::filter::Sort;
use crate::Map;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::marker::PhantomData;

/// An argument builder: a typed face over one JSON object.
pub trait Args: Default {
    fn into_map(self) -> Map;
    fn from_map(map: Map) -> Self;

    /// Sets `key`; what generated setters call.
    fn set(self, key: &str, value: Json) -> Self {
        let mut map = self.into_map();
        map.insert(key.to_string(), value);
        Self::from_map(map)
    }

    fn into_json(self) -> Json {
        Json::Object(self.into_map())
    }
}

/// A stored model: its name in the schema and the builders of its
/// arguments.
pub trait Model: DeserializeOwned + 'static {
    /// The model's name in the schema (not its table name).
    const NAME: &'static str;
    type Where: Args;
    type WhereUnique: Args;
    type OrderBy: Args;
    type Select: Args;
    type Include: Args;
    type Omit: Args;
    type Create: Args;
    type Update: Args;
}

/// The arguments of a relation inside `include` or `select`: which related
/// rows, in which order, with which fields.
pub struct Nested<M: Model> {
    map: Map,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> Default for Nested<M> {
    fn default() -> Self {
        Nested {
            map: Map::new(),
            model: PhantomData,
        }
    }
}

impl<M: Model> Nested<M> {
    pub fn new() -> Self {
        Self::default()
    }

    fn with(mut self, key: &str, value: Json) -> Self {
        self.map.insert(key.to_string(), value);
        self
    }

    pub fn where_(self, filter: M::Where) -> Self {
        self.with("where", filter.into_json())
    }

    pub fn order_by(self, order: M::OrderBy) -> Self {
        let list = match self.map.get("orderBy") {
            Some(Json::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let mut list = list;
        list.push(order.into_json());
        self.with("orderBy", Json::Array(list))
    }

    pub fn skip(self, n: u64) -> Self {
        self.with("skip", Json::from(n))
    }

    pub fn take(self, n: i64) -> Self {
        self.with("take", Json::from(n))
    }

    pub fn select(self, select: M::Select) -> Self {
        self.with("select", select.into_json())
    }

    pub fn include(self, include: M::Include) -> Self {
        self.with("include", include.into_json())
    }

    pub fn omit(self, omit: M::Omit) -> Self {
        self.with("omit", omit.into_json())
    }

    pub fn into_json(self) -> Json {
        Json::Object(self.map)
    }
}

impl Sort {
    pub fn into_json(self) -> Json {
        Json::String(self.as_str().to_string())
    }
}
