//! `Serialize` and `Deserialize` of the model structs, through one generic
//! path instead of serde's derives: [`record!`](crate::record) writes each
//! impl as one line per field, so a crate holding generated code
//! type-checks a few calls per field rather than serde's visitor, field
//! enum and `with` wrappers per struct.
//!
//! Reading collects the object's values by key (as JSON values), then
//! builds the struct from them field by field; writing is serde's
//! `serialize_struct`. The JSON is what the derives read and wrote: the
//! same keys, unknown keys ignored, a missing `Option` field `None`, a
//! missing required one the error "missing field `key`", and the fields
//! of kind `skip` left out when `None`. (A key given twice is read as its
//! last value, where the derive failed.)

use crate::datetime::{self, DateTimeField};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Error, Map, Value as Json};
use std::fmt;
use std::marker::PhantomData;

/// Implements `Serialize` and `Deserialize` for a model struct:
///
/// ```ignore
/// zc::record! {
///     Post, "Post", id "id" value, created_at "createdAt" date, author "author" skip
/// }
/// ```
///
/// Each field is its name, its JSON key and its kind: `value` (serde's
/// own form), `date` (DateTimes as [`datetime`](crate::datetime) text) or
/// `skip` (an `Option` left out of the output when `None`).
#[macro_export]
macro_rules! record {
    ($ty:ident, $name:literal, $($field:ident $key:literal $kind:ident),* $(,)?) => {
        impl $crate::serde::Serialize for $ty {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let len = 0 $(+ $crate::__record_len!($kind self.$field))*;
                let mut w = $crate::record::Writer::new(s, $name, len)?;
                $(w.$kind($key, &self.$field)?;)*
                w.end()
            }
        }
        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::record::read(d, $name, &[$($key),*], |r| {
                    Ok($ty { $($field: r.$kind()?,)* })
                })
            }
        }
    };
}

/// How many entries a field adds to the serialized struct.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_len {
    (skip $value:expr) => {
        usize::from($value.is_some())
    };
    ($kind:ident $value:expr) => {
        1
    };
}

/// Reads a struct named `name` with fields `keys` from `d`: collects the
/// values by key, then hands them to `build`, which takes them in the
/// order of `keys`.
pub fn read<'de, D, T, F>(
    d: D,
    name: &'static str,
    keys: &'static [&'static str],
    build: F,
) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    F: FnOnce(&mut Fields) -> Result<T, Error>,
{
    let visitor = RecordVisitor {
        name,
        keys,
        build,
        ty: PhantomData,
    };
    d.deserialize_struct(name, keys, visitor)
}

struct RecordVisitor<F, T> {
    name: &'static str,
    keys: &'static [&'static str],
    build: F,
    ty: PhantomData<fn() -> T>,
}

impl<'de, F, T> Visitor<'de> for RecordVisitor<F, T>
where
    F: FnOnce(&mut Fields) -> Result<T, Error>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        // the values of a struct of up to `ON_STACK` fields wait on the
        // stack: no allocation per row
        const ON_STACK: usize = 24;
        let mut stack: [Option<Json>; ON_STACK] = Default::default();
        let mut heap = Vec::new();
        let n = self.keys.len();
        let values = match stack.get_mut(..n) {
            Some(values) => values,
            None => {
                heap.resize(n, None);
                &mut heap[..]
            }
        };
        let mut fields = Fields {
            keys: self.keys,
            values,
            next: 0,
        };
        let mut hint = 0;
        while let Some(slot) = map.next_key_seed(Key {
            keys: self.keys,
            hint,
        })? {
            match slot {
                Some(i) => {
                    let value = map.next_value::<Json>()?;
                    if let Some(slot) = fields.values.get_mut(i) {
                        *slot = Some(value);
                    }
                    hint = i + 1;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let built = (self.build)(&mut fields).map_err(de::Error::custom);
        if fields.next >= n {
            // `build` took every value: the slots are all `None`, and
            // skipping their drop keeps its code out of the hot path
            std::mem::forget(stack);
        }
        built
    }
}

/// Finds a key's field: first where the previous key's field was
/// followed (results list fields in order), else anywhere. An unknown key
/// is `None`.
struct Key {
    keys: &'static [&'static str],
    hint: usize,
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        if self.keys.get(self.hint) == Some(&key) {
            return Ok(Some(self.hint));
        }
        Ok(self.keys.iter().position(|k| *k == key))
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Option<usize>, E> {
        Ok(usize::try_from(index).ok().filter(|i| *i < self.keys.len()))
    }
}

/// The values of one struct, by field; each kind's method takes the next
/// field's value.
pub struct Fields<'v> {
    keys: &'static [&'static str],
    values: &'v mut [Option<Json>],
    next: usize,
}

impl Fields<'_> {
    /// Runs `read` on the next field's value, or on [`Missing`] when the
    /// input had none.
    fn next<T>(
        &mut self,
        read: impl FnOnce(Json) -> Result<T, Error>,
        missing: impl FnOnce(Missing) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let i = self.next;
        self.next += 1;
        match self.values.get_mut(i).and_then(Option::take) {
            Some(value) => read(value),
            None => missing(Missing(self.keys.get(i).copied().unwrap_or("?"))),
        }
    }

    pub fn value<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        self.next(T::deserialize, T::deserialize)
    }

    pub fn date<T: DateTimeField>(&mut self) -> Result<T, Error> {
        self.next(datetime::deserialize, datetime::deserialize)
    }

    pub fn skip<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        self.value()
    }
}

/// The value of a field the input left out: `None` for an `Option`,
/// else the error "missing field `key`" (as serde's derive says it).
struct Missing(&'static str);

impl<'de> de::Deserializer<'de> for Missing {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(de::Error::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Writes one struct, a method per field kind.
pub struct Writer<S: Serializer>(S::SerializeStruct);

impl<S: Serializer> Writer<S> {
    pub fn new(s: S, name: &'static str, len: usize) -> Result<Self, S::Error> {
        s.serialize_struct(name, len).map(Writer)
    }

    pub fn value<T: Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), S::Error> {
        self.0.serialize_field(key, value)
    }

    pub fn date<T: DateTimeField>(&mut self, key: &'static str, value: &T) -> Result<(), S::Error> {
        self.0.serialize_field(key, &datetime::AsText(value))
    }

    pub fn skip<T: Serialize>(
        &mut self,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), S::Error> {
        match value {
            Some(value) => self.0.serialize_field(key, value),
            None => self.0.skip_field(key),
        }
    }

    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

/// Builds a struct's JSON object directly, a method per field kind, with
/// the values [`Writer`] writes: for the auth value, which a client sends
/// the engine as JSON on every request.
pub struct Object(Map<String, Json>);

impl Object {
    pub fn with_capacity(len: usize) -> Self {
        Object(Map::with_capacity(len))
    }

    pub fn value<T: Serialize>(&mut self, key: &'static str, value: &T) {
        self.0.insert(key.to_owned(), to_json(value));
    }

    pub fn date<T: DateTimeField>(&mut self, key: &'static str, value: &T) {
        self.value(key, &datetime::AsText(value));
    }

    pub fn skip<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.value(key, value);
        }
    }

    pub fn end(self) -> Json {
        Json::Object(self.0)
    }
}

/// `value` as JSON; `null` where serde_json cannot represent it (a map
/// with keys that are not strings), which model fields never hold.
fn to_json<T: Serialize>(value: &T) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{DateTime, Utc};
    use serde_json::{json, Value as Json};

    #[derive(Debug, Clone, PartialEq)]
    struct Post {
        id: i32,
        created_at: DateTime<Utc>,
        edited_at: Option<DateTime<Utc>>,
        title: Option<String>,
        author: Option<Box<Post>>,
    }
    crate::record! {
        Post, "Post", id "id" value, created_at "createdAt" date, edited_at "editedAt" date,
        title "title" value, author "author" skip
    }

    fn read(value: Json) -> Result<Post, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn fields_are_read_by_key_in_any_order() {
        let post = read(json!({
            "title": "hi",
            "unknown": [1, 2],
            "createdAt": "2024-01-02T03:04:05.006Z",
            "id": 7,
            "author": {"id": 8, "createdAt": "2024-01-01T00:00:00.000Z", "editedAt": null},
        }))
        .unwrap();
        assert_eq!(post.id, 7);
        assert_eq!(post.title.as_deref(), Some("hi"));
        assert_eq!(
            post.created_at.to_rfc3339(),
            "2024-01-02T03:04:05.006+00:00"
        );
        assert_eq!(post.edited_at, None);
        let author = post.author.unwrap();
        assert_eq!((author.id, author.title, author.author), (8, None, None));
    }

    #[test]
    fn a_missing_required_field_is_named() {
        assert_eq!(
            read(json!({"id": 1})).unwrap_err(),
            "missing field `createdAt`"
        );
        let err = read(json!({"createdAt": "2024-01-01T00:00:00.000Z"})).unwrap_err();
        assert_eq!(err, "missing field `id`");
        let err = read(json!({"id": "1", "createdAt": "2024-01-01T00:00:00.000Z"})).unwrap_err();
        assert!(
            err.starts_with("invalid type: string \"1\", expected i32"),
            "{err}"
        );
        let err = read(json!({"id": 1, "createdAt": "yesterday"})).unwrap_err();
        assert_eq!(err, "invalid date-time `yesterday`");
        assert_eq!(
            read(json!([1])).unwrap_err(),
            "invalid type: sequence, expected struct Post"
        );
    }

    #[test]
    fn writing_leaves_out_only_absent_skip_fields() {
        let post = read(json!({"id": 1, "createdAt": "2024-01-01T00:00:00.000Z"})).unwrap();
        let written = serde_json::to_value(&post).unwrap();
        let expected = json!({
            "id": 1,
            "createdAt": "2024-01-01T00:00:00.000Z",
            "editedAt": null,
            "title": null,
        });
        assert_eq!(written, expected);
        let nested = Post {
            author: Some(Box::new(post.clone())),
            ..post
        };
        let again = serde_json::to_value(&nested).unwrap();
        assert_eq!(again["author"], expected);
        let mut object = super::Object::with_capacity(5);
        object.value("id", &nested.id);
        object.date("createdAt", &nested.created_at);
        object.date("editedAt", &nested.edited_at);
        object.value("title", &nested.title);
        object.skip("author", &nested.author);
        assert_eq!(object.end(), again);
        assert_eq!(read(again).unwrap(), nested);
    }
}
