//! `findMany`, `findUnique` and the single-row writes (`create`, `update`,
//! `upsert`) read into any serde type straight from the fetched rows, for
//! typed clients: the same arguments, rules and cached read plan
//! ([`crate::plan`]) as `run`, without building a JSON object per row that
//! the caller would take apart again. Each value is converted
//! exactly as the JSON result converts it (`row_json`); only the objects
//! around the values are not built. Reads with relations or `_count` are
//! shaped as JSON first (they nest other reads' rows), as are the other
//! reads that `Client::find_planned_as` does not read flat.

use crate::args::object;
use crate::args::select::{find_args, many_keys, FindArgs, UNIQUE_KEYS};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::operations::first_args;
use crate::plan::{find_shape, read_back_shape, Shape};
use crate::row_json;
use crate::write::Written;
use serde::de::value::StrDeserializer;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::marker::PhantomData;
use zgen_sema::{FieldId, ModelId, Schema};

/// A result that did not fit the requested type.
pub type DecodeError = serde_json::Error;

impl Client<'_> {
    /// `findMany` on `model` with ZenStack's JSON arguments, its rows read
    /// into `T` (a sequence of structs or maps keyed by field name). The
    /// outer error is the engine's, the inner one the decoding's.
    pub fn find_many_as<T: DeserializeOwned>(
        &self,
        model: &str,
        args: &Json,
    ) -> Result<std::result::Result<T, DecodeError>> {
        let id = self.model_id(model)?;
        let raw = object(model, args)?;
        let args = find_args(self, id, raw, many_keys())?;
        self.rows_as(id, &args, find_shape(self, id, "findMany", raw))
    }

    /// `findUnique` on `model`, its row (if any) read into `T`, as
    /// [`Self::find_many_as`] reads rows.
    pub fn find_unique_as<T: DeserializeOwned>(
        &self,
        model: &str,
        args: &Json,
    ) -> Result<std::result::Result<Option<T>, DecodeError>> {
        let id = self.model_id(model)?;
        let raw = object(model, args)?;
        let args = find_args(self, id, raw, UNIQUE_KEYS)?;
        self.require_unique(id, args.filter)?;
        self.first_as(id, &args, find_shape(self, id, "findUnique", raw))
    }

    /// `findFirst` on `model`, its row (if any) read into `T`.
    pub fn find_first_as<T: DeserializeOwned>(
        &self,
        model: &str,
        args: &Json,
    ) -> Result<std::result::Result<Option<T>, DecodeError>> {
        let id = self.model_id(model)?;
        let raw = object(model, args)?;
        let args = first_args(self, id, raw)?;
        self.first_as(id, &args, find_shape(self, id, "findFirst", raw))
    }

    /// `create` on `model`, the created row read back into `T` as
    /// [`Self::find_unique_as`] reads rows.
    pub fn create_as<T: DeserializeOwned>(
        &self,
        model: &str,
        args: &Json,
    ) -> Result<std::result::Result<T, DecodeError>> {
        self.written_as(model, args, Client::create)
    }

    /// `update` on `model`, the updated row read back into `T`.
    pub fn update_as<T: DeserializeOwned>(
        &self,
        model: &str,
        args: &Json,
    ) -> Result<std::result::Result<T, DecodeError>> {
        self.written_as(model, args, Client::update)
    }

    /// `upsert` on `model`, the written row read back into `T`.
    pub fn upsert_as<T: DeserializeOwned>(
        &self,
        model: &str,
        args: &Json,
    ) -> Result<std::result::Result<T, DecodeError>> {
        self.written_as(model, args, Client::upsert)
    }

    /// Runs a single-row write, then reads the row back (P-95, P-111) as
    /// `read_back` does.
    fn written_as<'j, T: DeserializeOwned>(
        &self,
        model: &str,
        args: &'j Json,
        write: impl FnOnce(&Self, ModelId, &'j Map<String, Json>) -> Result<Written<'j>>,
    ) -> Result<std::result::Result<T, DecodeError>> {
        let id = self.model_id(model)?;
        let raw = object(model, args)?;
        let written = write(self, id, raw)?;
        let shape = read_back_shape(id, raw, &written.id);
        Ok(match self.first_as(id, &written.result, Some(shape))? {
            Ok(Some(row)) => Ok(row),
            Ok(None) => return Err(Error::cannot_read_back(model)),
            Err(e) => Err(e),
        })
    }

    /// The first row of a read, if any, read into `T`.
    fn first_as<T: DeserializeOwned>(
        &self,
        id: ModelId,
        args: &FindArgs<'_>,
        shape: Option<Shape>,
    ) -> Result<std::result::Result<Option<T>, DecodeError>> {
        let found = self.found(id, args, shape)?;
        let names = self.names(args);
        let first = found.into_iter().next();
        Ok(first.map(|row| row.read(PhantomData, names)).transpose())
    }

    fn rows_as<T: DeserializeOwned>(
        &self,
        id: ModelId,
        args: &FindArgs<'_>,
        shape: Option<Shape>,
    ) -> Result<std::result::Result<T, DecodeError>> {
        let found = self.found(id, args, shape)?;
        Ok(T::deserialize(Rows {
            names: self.names(args),
            rows: found.into_iter(),
        }))
    }

    /// The rows of a read: scalar-only rows as their values, others shaped.
    fn found(&self, id: ModelId, args: &FindArgs<'_>, shape: Option<Shape>) -> Result<Vec<Found>> {
        self.find_planned_as(
            id,
            shape,
            args,
            |schema, columns, row| Ok(Found::Values(row_json::values(schema, columns, row)?)),
            Found::Object,
        )
    }

    fn names<'s>(&'s self, args: &'s FindArgs<'_>) -> Names<'s> {
        Names {
            schema: self.schema(),
            fields: &args.selection.scalars,
        }
    }
}

/// A row as a planned read returns it.
enum Found {
    /// A scalar-only row: the selected fields' values, in order.
    Values(Vec<Json>),
    /// A row shaped as JSON (with relations, counts or sub-model fields).
    Object(Json),
}

impl Found {
    /// The row read by `seed`, a scalar-only row as a map keyed by `names`.
    fn read<'de, S: DeserializeSeed<'de>>(
        self,
        seed: S,
        names: Names<'_>,
    ) -> std::result::Result<S::Value, DecodeError> {
        match self {
            Found::Object(object) => seed.deserialize(object),
            Found::Values(values) => seed.deserialize(Row {
                names,
                values: values.into_iter(),
                next: 0,
            }),
        }
    }
}

/// The names of a scalar-only row's values, looked up as they are read.
#[derive(Clone, Copy)]
struct Names<'s> {
    schema: &'s Schema,
    /// The selected fields, in the order of a row's values.
    fields: &'s [FieldId],
}

/// The rows as a sequence of maps: selected field name → value.
struct Rows<'n> {
    names: Names<'n>,
    rows: std::vec::IntoIter<Found>,
}

/// One scalar-only row as a map; `next` is the index of the next key.
struct Row<'n> {
    names: Names<'n>,
    values: std::vec::IntoIter<Json>,
    next: usize,
}

/// A `Deserializer` that is always one kind of value: every request is
/// answered with `visitor.$visit(self)`.
macro_rules! deserialize_as {
    ($ty:ty, $visit:ident) => {
        impl<'de> Deserializer<'de> for $ty {
            type Error = DecodeError;

            fn deserialize_any<V: Visitor<'de>>(
                mut self,
                visitor: V,
            ) -> Result<V::Value, DecodeError> {
                visitor.$visit(&mut self)
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map struct enum identifier ignored_any
            }
        }
    };
}

deserialize_as!(Rows<'_>, visit_seq);
deserialize_as!(Row<'_>, visit_map);

impl<'de> SeqAccess<'de> for Rows<'_> {
    type Error = DecodeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DecodeError> {
        self.rows
            .next()
            .map(|row| row.read(seed, self.names))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.rows.len())
    }
}

impl<'de> MapAccess<'de> for Row<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some(field) = self.names.fields.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        let name = self.names.schema.field(*field).name.as_str();
        seed.deserialize(StrDeserializer::new(name)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        seed.deserialize(self.values.next().unwrap_or(Json::Null))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.names.fields.len().saturating_sub(self.next))
    }
}
