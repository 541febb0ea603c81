//! `findMany`, `findUnique` and the single-row writes (`create`, `update`,
//! `upsert`) read into any serde type straight from the fetched rows, for
//! typed clients: the same arguments, rules and cached read plan
//! ([`crate::plan`]) as `run`, without building a JSON object per row that
//! the caller would take apart again. Each value is converted
//! exactly as the JSON result converts it (`value::into_json`); only the
//! objects around the values are not built. Reads with relations or
//! `_count` are shaped as JSON first (they nest other reads' rows).

use crate::args::object;
use crate::args::select::{find_args, many_keys, FindArgs, UNIQUE_KEYS};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::plan::{find_shape, read_back_shape, Shape};
use crate::value::into_json;
use crate::write::Written;
use serde::de::value::StrDeserializer;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use zgen_policy::ir::Value;
use zgen_sema::{Field, ModelId, Schema};

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
        let rows: std::result::Result<Vec<T>, _> =
            self.rows_as(id, &args, find_shape(self, id, "findUnique", raw))?;
        Ok(rows.map(|rows| rows.into_iter().next()))
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
        let rows: std::result::Result<Vec<T>, _> =
            self.rows_as(id, &written.result, Some(shape))?;
        Ok(match rows.map(|rows| rows.into_iter().next()) {
            Ok(Some(row)) => Ok(row),
            Ok(None) => return Err(Error::cannot_read_back(model)),
            Err(e) => Err(e),
        })
    }

    fn rows_as<T: DeserializeOwned>(
        &self,
        id: ModelId,
        args: &FindArgs<'_>,
        shape: Option<Shape>,
    ) -> Result<std::result::Result<T, DecodeError>> {
        let fetched = self.fetch_planned(id, shape, args)?;
        let selection = &args.selection;
        // relations and counts nest other reads' rows; a delegate base
        // merges its sub-models' fields
        if !selection.relations.is_empty()
            || !selection.counts.is_empty()
            || zgen_policy::delegate::is_delegate(self.schema(), id)
        {
            let rows = self.shape(id, selection, fetched)?;
            return Ok(T::deserialize(Json::Array(rows)));
        }
        let schema = self.schema();
        let slots = selection
            .scalars
            .iter()
            .map(|f| {
                let slot = fetched.columns.iter().position(|c| c == f);
                (schema.field(*f), slot)
            })
            .collect();
        Ok(T::deserialize(Rows {
            schema,
            slots,
            rows: fetched.rows.into_iter(),
        }))
    }
}

/// The rows as a sequence of maps: selected field name → value.
struct Rows<'s> {
    schema: &'s Schema,
    /// Each selected field and where it sits in a fetched row.
    slots: Vec<(&'s Field, Option<usize>)>,
    rows: std::vec::IntoIter<Vec<Value>>,
}

/// One row as a map; `next` is the slot whose key was read last.
struct Row<'r, 's> {
    schema: &'s Schema,
    slots: &'r [(&'s Field, Option<usize>)],
    values: Vec<Value>,
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
deserialize_as!(Row<'_, '_>, visit_map);

impl<'de> SeqAccess<'de> for Rows<'_> {
    type Error = DecodeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DecodeError> {
        let Some(values) = self.rows.next() else {
            return Ok(None);
        };
        let row = Row {
            schema: self.schema,
            slots: &self.slots,
            values,
            next: 0,
        };
        seed.deserialize(row).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.rows.len())
    }
}

impl<'de> MapAccess<'de> for Row<'_, '_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((field, _)) = self.slots.get(self.next) else {
            return Ok(None);
        };
        seed.deserialize(StrDeserializer::new(&field.name))
            .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        let value = match self.slots.get(self.next) {
            Some((field, slot)) => {
                let stored = slot
                    .and_then(|k| self.values.get_mut(k))
                    .map(std::mem::take)
                    .unwrap_or(Value::Null);
                into_json(self.schema, field, stored)
            }
            None => Json::Null,
        };
        self.next += 1;
        seed.deserialize(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.slots.len().saturating_sub(self.next))
    }
}
