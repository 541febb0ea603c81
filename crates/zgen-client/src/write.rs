//! Number operators and nested writes in `data`.

use crate::args::{Args, Model};
use crate::value::{Assign, FieldValue};
use serde_json::{json, Value as Json};
use std::marker::PhantomData;

/// An update of a number field: `.views(Update::increment(1))`.
pub struct Update<T> {
    json: Json,
    ty: PhantomData<fn() -> T>,
}

impl<T: FieldValue> Update<T> {
    fn op(op: &str, value: T) -> Self {
        Update {
            json: json!({ op: value.to_json() }),
            ty: PhantomData,
        }
    }

    pub fn set(value: T) -> Self {
        Self::op("set", value)
    }

    pub fn increment(value: T) -> Self {
        Self::op("increment", value)
    }

    pub fn decrement(value: T) -> Self {
        Self::op("decrement", value)
    }

    pub fn multiply(value: T) -> Self {
        Self::op("multiply", value)
    }

    pub fn divide(value: T) -> Self {
        Self::op("divide", value)
    }
}

impl<T: FieldValue> Assign<T> for Update<T> {
    fn into_json(self) -> Json {
        self.json
    }
}

/// A nested write on a relation field inside `create` or `update` data.
/// Combine several with [`Write::and`].
pub struct Write<M: Model> {
    map: crate::Map,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> Write<M> {
    fn op(op: &str, value: Json) -> Self {
        let mut map = crate::Map::new();
        map.insert(op.to_string(), value);
        Write {
            map,
            model: PhantomData,
        }
    }

    /// Creates a related row (one; see [`Write::create_all`] for a list).
    pub fn create(data: M::Create) -> Self {
        Self::op("create", data.into_json())
    }

    pub fn create_all(data: impl IntoIterator<Item = M::Create>) -> Self {
        Self::op("create", data.into_iter().map(Args::into_json).collect())
    }

    pub fn create_many(data: impl IntoIterator<Item = M::Create>) -> Self {
        let rows: Json = data.into_iter().map(Args::into_json).collect();
        Self::op("createMany", json!({ "data": rows }))
    }

    pub fn connect(target: M::WhereUnique) -> Self {
        Self::op("connect", target.into_json())
    }

    pub fn connect_all(targets: impl IntoIterator<Item = M::WhereUnique>) -> Self {
        Self::op(
            "connect",
            targets.into_iter().map(Args::into_json).collect(),
        )
    }

    pub fn connect_or_create(target: M::WhereUnique, data: M::Create) -> Self {
        Self::op(
            "connectOrCreate",
            json!({ "where": target.into_json(), "create": data.into_json() }),
        )
    }

    /// Disconnects the related row of a to-one relation.
    pub fn disconnect_current() -> Self {
        Self::op("disconnect", Json::Bool(true))
    }

    /// Disconnects one row of a to-many relation.
    pub fn disconnect(target: M::WhereUnique) -> Self {
        Self::op("disconnect", target.into_json())
    }

    /// Replaces the related rows of a to-many relation.
    pub fn set(targets: impl IntoIterator<Item = M::WhereUnique>) -> Self {
        Self::op("set", targets.into_iter().map(Args::into_json).collect())
    }

    /// Updates the related row of a to-one relation.
    pub fn update(data: M::Update) -> Self {
        Self::op("update", data.into_json())
    }

    /// Updates one row of a to-many relation.
    pub fn update_where(target: M::WhereUnique, data: M::Update) -> Self {
        Self::op(
            "update",
            json!({ "where": target.into_json(), "data": data.into_json() }),
        )
    }

    pub fn update_many(filter: M::Where, data: M::Update) -> Self {
        Self::op(
            "updateMany",
            json!({ "where": filter.into_json(), "data": data.into_json() }),
        )
    }

    /// Creates or updates the related row of a to-one relation.
    pub fn upsert(create: M::Create, update: M::Update) -> Self {
        Self::op(
            "upsert",
            json!({ "create": create.into_json(), "update": update.into_json() }),
        )
    }

    /// Creates or updates one row of a to-many relation.
    pub fn upsert_where(target: M::WhereUnique, create: M::Create, update: M::Update) -> Self {
        Self::op(
            "upsert",
            json!({
                "where": target.into_json(),
                "create": create.into_json(),
                "update": update.into_json(),
            }),
        )
    }

    /// Deletes the related row of a to-one relation.
    pub fn delete_current() -> Self {
        Self::op("delete", Json::Bool(true))
    }

    /// Deletes one row of a to-many relation.
    pub fn delete(target: M::WhereUnique) -> Self {
        Self::op("delete", target.into_json())
    }

    pub fn delete_many(filter: M::Where) -> Self {
        Self::op("deleteMany", filter.into_json())
    }

    /// Both writes, in one operation.
    pub fn and(mut self, other: Write<M>) -> Self {
        self.map.extend(other.map);
        self
    }

    pub fn into_json(self) -> Json {
        Json::Object(self.map)
    }
}
