//! One builder for every operation: `client.post().find_many().take(5).exec()`.
//! Which setters an operation has, and what `exec` returns, follow from
//! its marker type in [`ops`]; the type of each returned row is the model
//! struct, or the [`Shape`] set with [`Query::shape`].

use crate::args::{Args, Model};
use crate::error::{Error, Result};
use crate::shape::{RelationArgs, Shape};
use crate::Map;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::marker::PhantomData;

/// The operations of one model for one client.
pub struct ModelClient<'a, M> {
    client: &'a zgen_runtime::Client<'a>,
    model: PhantomData<fn() -> M>,
}

/// An operation being built; run it with [`Query::exec`]. Its rows are
/// read as `R`: the model struct, or a [`Shape`] of it.
pub struct Query<'a, M, O, R = M> {
    client: &'a zgen_runtime::Client<'a>,
    args: Map,
    marker: Marker<M, O, R>,
}

/// What a query is for: its model, operation and row type.
type Marker<M, O, R> = PhantomData<fn() -> (M, O, R)>;

/// Operation markers: the engine's operation name, the setters it has and
/// the result type.
pub mod ops {
    use super::*;

    /// An operation: its engine name and how its result is read, rows
    /// as `R`.
    pub trait Op<M: Model> {
        const NAME: &'static str;
        type Output<R>;
        fn decode<R: DeserializeOwned>(result: Json) -> Result<Self::Output<R>>;

        /// Runs the operation: the engine's JSON result, decoded.
        fn run<R: DeserializeOwned>(
            client: &zgen_runtime::Client<'_>,
            args: &Json,
        ) -> Result<Self::Output<R>> {
            Self::decode(client.run(M::NAME, Self::NAME, args)?)
        }
    }

    /// Operations with `where`.
    pub trait Filtered {}
    /// Operations with `orderBy`, `skip`, `take`, `cursor`, `distinct`.
    pub trait Paged {}
    /// Operations with `select`, `include`, `omit`.
    pub trait Shaped {}

    pub(crate) fn decode<T: DeserializeOwned>(result: Json) -> Result<T> {
        serde_json::from_value(result).map_err(|e| Error::Decode(e.to_string()))
    }

    /// What the engine's `…_as` reads return: its error, or the decoder's.
    fn decoded<T>(
        read: zgen_runtime::Result<std::result::Result<T, zgen_runtime::DecodeError>>,
    ) -> Result<T> {
        read?.map_err(|e| Error::Decode(e.to_string()))
    }

    /// `{count: n}` of the bulk writes.
    fn count(result: Json) -> Result<i64> {
        result
            .get("count")
            .and_then(Json::as_i64)
            .ok_or_else(|| Error::Decode(format!("expected `{{count}}`, got `{result}`")))
    }

    /// An operation marker. With `rows: read`, its rows are read straight
    /// into `R` by the engine's `read` (`find_many_as` and its siblings)
    /// without a JSON object per row; `or_throw: read` does the same with
    /// a read of at most one row, which must be there. Otherwise the
    /// engine's JSON result goes through `decode`.
    macro_rules! op {
        ($(#[$doc:meta])* $marker:ident, $name:literal, $out:ty, $decode:expr
         $(, rows: $read:ident)? $(, or_throw: $one:ident)?; $($cap:ident),*) => {
            $(#[$doc])*
            pub struct $marker;
            impl<M: Model> Op<M> for $marker {
                const NAME: &'static str = $name;
                type Output<R> = $out;
                fn decode<R: DeserializeOwned>(result: Json) -> Result<$out> {
                    $decode(result)
                }
                $(
                    fn run<R: DeserializeOwned>(
                        client: &zgen_runtime::Client<'_>,
                        args: &Json,
                    ) -> Result<$out> {
                        decoded(client.$read(M::NAME, args))
                    }
                )?
                $(
                    fn run<R: DeserializeOwned>(
                        client: &zgen_runtime::Client<'_>,
                        args: &Json,
                    ) -> Result<$out> {
                        decoded(client.$one(M::NAME, args))?
                            .ok_or_else(|| zgen_runtime::Error::not_found(M::NAME).into())
                    }
                )?
            }
            $(impl $cap for $marker {})*
        };
    }

    op!(FindMany, "findMany", Vec<R>, decode, rows: find_many_as; Filtered, Paged, Shaped);
    op!(FindUnique, "findUnique", Option<R>, decode, rows: find_unique_as; Shaped);
    op!(FindFirst, "findFirst", Option<R>, decode, rows: find_first_as; Filtered, Paged, Shaped);
    op!(FindFirstOrThrow, "findFirstOrThrow", R, decode, or_throw: find_first_as; Filtered, Paged, Shaped);

    op!(FindUniqueOrThrow, "findUniqueOrThrow", R, decode, or_throw: find_unique_as; Shaped);
    op!(Count, "count", i64, decode; Filtered, Paged);
    op!(Exists, "exists", bool, decode; Filtered);
    op!(
        /// The result is the engine's JSON (`{_count, _sum, ...}`).
        Aggregate, "aggregate", Json, Ok; Filtered, Paged);
    op!(
        /// The result is the engine's JSON, one object per group.
        GroupBy, "groupBy", Vec<Json>, decode; Filtered, Paged);
    op!(Create, "create", R, decode, rows: create_as; Shaped);
    op!(CreateMany, "createMany", i64, count;);
    op!(CreateManyAndReturn, "createManyAndReturn", Vec<R>, decode; Shaped);
    op!(Update, "update", R, decode, rows: update_as; Shaped);
    op!(UpdateMany, "updateMany", i64, count; Filtered);
    op!(UpdateManyAndReturn, "updateManyAndReturn", Vec<R>, decode; Filtered, Shaped);
    op!(Upsert, "upsert", R, decode, rows: upsert_as; Shaped);
    op!(Delete, "delete", R, decode; Shaped);
    op!(DeleteMany, "deleteMany", i64, count; Filtered);
}

use ops::{Filtered, Op, Paged, Shaped};

impl<'a, M: Model> ModelClient<'a, M> {
    pub fn new(client: &'a zgen_runtime::Client<'a>) -> Self {
        ModelClient {
            client,
            model: PhantomData,
        }
    }

    fn query<O>(&self) -> Query<'a, M, O> {
        Query {
            client: self.client,
            args: Map::new(),
            marker: PhantomData,
        }
    }

    pub fn find_many(&self) -> Query<'a, M, ops::FindMany> {
        self.query()
    }

    pub fn find_first(&self) -> Query<'a, M, ops::FindFirst> {
        self.query()
    }

    pub fn find_first_or_throw(&self) -> Query<'a, M, ops::FindFirstOrThrow> {
        self.query()
    }

    pub fn find_unique(&self, target: M::WhereUnique) -> Query<'a, M, ops::FindUnique> {
        self.query().arg("where", target.into_json())
    }

    pub fn find_unique_or_throw(
        &self,
        target: M::WhereUnique,
    ) -> Query<'a, M, ops::FindUniqueOrThrow> {
        self.query().arg("where", target.into_json())
    }

    pub fn count(&self) -> Query<'a, M, ops::Count> {
        self.query()
    }

    pub fn exists(&self) -> Query<'a, M, ops::Exists> {
        self.query()
    }

    /// `_count`, `_sum`, `_avg`, `_min`, `_max` go in with [`Query::arg`].
    pub fn aggregate(&self) -> Query<'a, M, ops::Aggregate> {
        self.query()
    }

    /// `by` is a list of field names; aggregates and `having` go in with
    /// [`Query::arg`].
    pub fn group_by(&self, by: &[&str]) -> Query<'a, M, ops::GroupBy> {
        self.query()
            .arg("by", by.iter().map(|f| Json::from(*f)).collect())
    }

    pub fn create(&self, data: M::Create) -> Query<'a, M, ops::Create> {
        self.query().arg("data", data.into_json())
    }

    pub fn create_many(
        &self,
        data: impl IntoIterator<Item = M::Create>,
    ) -> Query<'a, M, ops::CreateMany> {
        self.query().arg("data", rows(data))
    }

    pub fn create_many_and_return(
        &self,
        data: impl IntoIterator<Item = M::Create>,
    ) -> Query<'a, M, ops::CreateManyAndReturn> {
        self.query().arg("data", rows(data))
    }

    pub fn update(&self, target: M::WhereUnique, data: M::Update) -> Query<'a, M, ops::Update> {
        self.query()
            .arg("where", target.into_json())
            .arg("data", data.into_json())
    }

    pub fn update_many(&self, data: M::Update) -> Query<'a, M, ops::UpdateMany> {
        self.query().arg("data", data.into_json())
    }

    pub fn update_many_and_return(
        &self,
        data: M::Update,
    ) -> Query<'a, M, ops::UpdateManyAndReturn> {
        self.query().arg("data", data.into_json())
    }

    pub fn upsert(
        &self,
        target: M::WhereUnique,
        create: M::Create,
        update: M::Update,
    ) -> Query<'a, M, ops::Upsert> {
        self.query()
            .arg("where", target.into_json())
            .arg("create", create.into_json())
            .arg("update", update.into_json())
    }

    pub fn delete(&self, target: M::WhereUnique) -> Query<'a, M, ops::Delete> {
        self.query().arg("where", target.into_json())
    }

    pub fn delete_many(&self) -> Query<'a, M, ops::DeleteMany> {
        self.query()
    }
}

fn rows<A: Args>(data: impl IntoIterator<Item = A>) -> Json {
    data.into_iter().map(Args::into_json).collect()
}

impl<'a, M: Model, O: Op<M>, R: DeserializeOwned> Query<'a, M, O, R> {
    /// Sets an argument as raw JSON: for what has no typed setter
    /// (`_sum`, `having`, `skipDuplicates`, `limit`). The engine still
    /// checks it.
    pub fn arg(mut self, key: &str, value: Json) -> Self {
        self.args.insert(key.to_string(), value);
        self
    }

    /// The arguments as the engine takes them.
    pub fn args(&self) -> &Map {
        &self.args
    }

    /// Runs the operation under the client's rules.
    pub fn exec(self) -> Result<O::Output<R>> {
        O::run::<R>(self.client, &Json::Object(self.args))
    }

    /// Runs the operation and reads the result as `T`: for a `select` or
    /// `omit` that leaves out fields the model struct requires.
    pub fn exec_as<T: DeserializeOwned>(self) -> Result<T> {
        ops::decode(self.exec_json()?)
    }

    /// Runs the operation and returns the engine's JSON.
    pub fn exec_json(self) -> Result<Json> {
        let args = Json::Object(self.args);
        Ok(self.client.run(M::NAME, O::NAME, &args)?)
    }
}

impl<'a, M: Model, O: Op<M> + Filtered, R: DeserializeOwned> Query<'a, M, O, R> {
    pub fn where_(self, filter: M::Where) -> Self {
        self.arg("where", filter.into_json())
    }
}

impl<'a, M: Model, O: Op<M> + Paged, R: DeserializeOwned> Query<'a, M, O, R> {
    /// Adds a sort key (later keys break ties of earlier ones).
    pub fn order_by(mut self, order: M::OrderBy) -> Self {
        let entry = self
            .args
            .entry("orderBy")
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(list) = entry {
            list.push(order.into_json());
        }
        self
    }

    pub fn skip(self, n: u64) -> Self {
        self.arg("skip", Json::from(n))
    }

    /// At most `n` rows; negative: the last `-n`.
    pub fn take(self, n: i64) -> Self {
        self.arg("take", Json::from(n))
    }

    pub fn cursor(self, at: M::WhereUnique) -> Self {
        self.arg("cursor", at.into_json())
    }

    pub fn distinct(self, fields: &[&str]) -> Self {
        self.arg("distinct", fields.iter().map(|f| Json::from(*f)).collect())
    }
}

impl<'a, M: Model, O: Op<M> + Shaped> Query<'a, M, O> {
    /// Rows as the shape `S` (declared with [`select!`](crate::select) or
    /// [`include!`](crate::include)): sets its `select` or `include`, and
    /// `exec` returns `S` where it would return the model struct.
    pub fn shape<S: Shape<Model = M>>(self) -> Query<'a, M, O, S> {
        let Query { client, args, .. } = self.arg(S::KEY, Json::Object(S::args()));
        Query {
            client,
            args,
            marker: PhantomData,
        }
    }

    /// Which fields to return, untyped: prefer [`Query::shape`]; read the
    /// result with [`Query::exec_as`] or [`Query::exec_json`] when it
    /// leaves out required fields.
    pub fn select(self, select: M::Select) -> Self {
        self.arg("select", select.into_json())
    }

    /// Relations to load into the model struct's relation fields.
    pub fn include(self, include: M::Include) -> Self {
        self.arg("include", include.into_json())
    }

    pub fn omit(self, omit: M::Omit) -> Self {
        self.arg("omit", omit.into_json())
    }
}

impl<'a, M: Model, O: Op<M> + Shaped, S: Shape<Model = M>> Query<'a, M, O, S> {
    /// Reading arguments known only at run time for a to-many relation of
    /// the shape: `.with(Author::posts(Nested::new().take(n)))`. They
    /// replace the shape's own for the keys they set.
    pub fn with(mut self, args: RelationArgs<S>) -> Self {
        if let Some(Json::Object(shape)) = self.args.get_mut(S::KEY) {
            args.apply(shape);
        }
        self
    }
}
