//! Statement plans: the SQL of a read written once per user and argument
//! shape, then reused with new values.
//!
//! A read's SQL depends on the bound rules (one set per auth value), the
//! schema, and the arguments. Two calls whose arguments differ only in the
//! values of plain equality filters at the top of `where` (`{id: 7}` vs
//! `{id: 8}`) get the same text and differ in those parameters only. Such
//! values are the plan's *slots*: the plan is written once with a sentinel
//! in each slot, and every later call with the same shape binds its own
//! values there. Everything else in the arguments is part of the shape, so
//! any parameter that is not a slot is the same for every call of that shape.
//!
//! Sentinels carry a random per-process nonce, so no value from a request
//! or a rule can be mistaken for one; a plan in which the sentinels do not
//! come out exactly once each is not kept.

use crate::args::arg;
use crate::engine::Client;
use crate::value::{scalar_to_db, Stored};
use crate::write::RowId;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use zgen_policy::ir::Value;
use zgen_policy::sql::Sql;
use zgen_sema::{FieldId, ModelId, Scalar};

/// Plans kept per auth value; past this many shapes the set starts over.
const MAX_PLANS: usize = 256;

/// A statement's text and where each parameter comes from.
#[derive(Debug)]
pub(crate) struct Plan {
    pub text: String,
    params: Vec<Param>,
}

#[derive(Debug)]
enum Param {
    Fixed(Value),
    Slot(usize),
}

impl Plan {
    /// The plan of `sql`, written with [`sentinel`]s for `slots` values;
    /// `None` unless each sentinel occurs exactly once.
    pub(crate) fn new(sql: Sql, slots: usize) -> Option<Plan> {
        let mut seen = vec![false; slots];
        let mut params = Vec::with_capacity(sql.params.len());
        for value in sql.params {
            match slot_of(&value) {
                Some(i) if i < slots && !seen[i] => {
                    seen[i] = true;
                    params.push(Param::Slot(i));
                }
                Some(_) => return None,
                None => params.push(Param::Fixed(value)),
            }
        }
        seen.iter().all(|s| *s).then_some(Plan {
            text: sql.text,
            params,
        })
    }

    /// The parameters of one call, `slots` in their places.
    pub(crate) fn params(&self, slots: &[Value]) -> Vec<Value> {
        self.params
            .iter()
            .map(|p| match p {
                Param::Fixed(v) => v.clone(),
                Param::Slot(i) => slots.get(*i).cloned().unwrap_or(Value::Null),
            })
            .collect()
    }
}

/// The plans of one auth value, by shape. foldhash (seeded per process)
/// hashes the shape in a fraction of SipHash's time.
#[derive(Debug, Default)]
pub(crate) struct Plans(RwLock<HashMap<Vec<u8>, Arc<Plan>, foldhash::fast::RandomState>>);

impl Plans {
    pub(crate) fn get(&self, shape: &[u8]) -> Option<Arc<Plan>> {
        let plans = self.0.read().unwrap_or_else(PoisonError::into_inner);
        plans.get(shape).cloned()
    }

    pub(crate) fn put(&self, shape: Vec<u8>, plan: Arc<Plan>) {
        let mut plans = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if plans.len() >= MAX_PLANS {
            plans.clear();
        }
        plans.insert(shape, plan);
    }
}

/// Statement texts that do not depend on the user, by shape key; past
/// [`MAX_PLANS`] × 4 shapes the set starts over.
#[derive(Debug, Default)]
pub(crate) struct Texts(RwLock<HashMap<Vec<u8>, Arc<str>, foldhash::fast::RandomState>>);

impl Texts {
    pub(crate) fn get_or_write(&self, key: Vec<u8>, write: impl FnOnce() -> String) -> Arc<str> {
        if let Some(text) = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(text);
        }
        let text: Arc<str> = write().into();
        let mut texts = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if texts.len() >= MAX_PLANS * 4 {
            texts.clear();
        }
        texts.insert(key, Arc::clone(&text));
        text
    }
}

static NONCE: LazyLock<[u8; 16]> = LazyLock::new(|| *uuid::Uuid::new_v4().as_bytes());

/// The stand-in for slot `i` while a plan is written.
pub(crate) fn sentinel(i: usize) -> Value {
    let mut bytes = NONCE.to_vec();
    bytes.extend_from_slice(&(i as u64).to_le_bytes());
    Value::Bytes(bytes)
}

fn slot_of(value: &Value) -> Option<usize> {
    let Value::Bytes(bytes) = value else {
        return None;
    };
    let index = bytes.strip_prefix(NONCE.as_slice())?;
    let index: [u8; 8] = index.try_into().ok()?;
    usize::try_from(u64::from_le_bytes(index)).ok()
}

/// A read's shape and the values of its slots: first the top-level
/// `where` equalities, then one per field of `keyed`, which the read
/// compares with them (a written row's id, for its read-back).
#[derive(Debug)]
pub(crate) struct Shape {
    pub key: Vec<u8>,
    pub slots: Vec<Value>,
    pub keyed: Vec<FieldId>,
}

/// The shape of a find's arguments; `None` when the find should not be
/// planned (a cursor, `skip` or `distinct` make shapes that rarely repeat).
pub(crate) fn find_shape(
    client: &Client<'_>,
    model: ModelId,
    operation: &str,
    args: &Map<String, Json>,
) -> Option<Shape> {
    let mut key = ShapeKey::new(operation, model);
    let mut slots = Vec::new();
    for (name, value) in args {
        match name.as_str() {
            "cursor" | "skip" | "distinct" => return None,
            "where" => key.filter(client, model, value, &mut slots)?,
            _ => {
                key.name(name);
                key.value(value);
            }
        }
    }
    Some(Shape {
        key: key.0,
        slots,
        keyed: Vec::new(),
    })
}

/// The shape of the read-back of the row `id` after a write whose
/// arguments are `args` (only their selection matters).
pub(crate) fn read_back_shape(model: ModelId, args: &Map<String, Json>, id: &RowId) -> Shape {
    let mut key = ShapeKey::new("readBack", model);
    for name in ["select", "include", "omit"] {
        if let Some(value) = arg(args, name) {
            key.name(name);
            key.value(value);
        }
    }
    Shape {
        key: key.0,
        slots: id.iter().map(|(_, v)| v.clone()).collect(),
        keyed: id.iter().map(|(f, _)| *f).collect(),
    }
}

/// A shape's key: the operation and model, then argument names (each
/// length-prefixed, so no name can run into the next) and JSON values.
pub(crate) struct ShapeKey(pub Vec<u8>);

impl ShapeKey {
    pub(crate) fn new(operation: &str, model: ModelId) -> ShapeKey {
        let mut key = ShapeKey(Vec::with_capacity(64));
        key.name(operation);
        key.0.extend_from_slice(&model.0.to_le_bytes());
        key
    }

    pub(crate) fn name(&mut self, name: &str) {
        self.0.extend_from_slice(&(name.len() as u64).to_le_bytes());
        self.0.extend_from_slice(name.as_bytes());
    }

    pub(crate) fn field(&mut self, field: FieldId) {
        self.0.extend_from_slice(&field.index.to_le_bytes());
    }

    pub(crate) fn value(&mut self, value: &Json) {
        self.0.push(b'=');
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.0, value);
    }

    /// A top-level `where`: its entries, each a slot (its value pushed to
    /// `slots`, in the order [`crate::args::filter::Filters::top_filter`]
    /// numbers them) or part of the shape. `None` unless it is an object.
    pub(crate) fn filter(
        &mut self,
        client: &Client<'_>,
        model: ModelId,
        filter: &Json,
        slots: &mut Vec<Value>,
    ) -> Option<()> {
        let Json::Object(filter) = filter else {
            return None;
        };
        self.name("where");
        for (field, v) in filter {
            self.name(field);
            match client.slot(model, field, v) {
                Some((_, _, slot)) => {
                    self.0.push(b'?');
                    slots.push(slot);
                }
                None => self.value(v),
            }
        }
        Some(())
    }
}

impl Client<'_> {
    /// The value of a top-level `where` entry that can be a slot: plain
    /// equality with a non-null value on a scalar field without a read
    /// rule (a masked field's filter is more than `column = value`): the
    /// field, the type it compares as, and the value as stored.
    pub(crate) fn slot(
        &self,
        model: ModelId,
        name: &str,
        value: &Json,
    ) -> Option<(FieldId, Scalar, Value)> {
        if !matches!(value, Json::String(_) | Json::Number(_) | Json::Bool(_)) {
            return None;
        }
        let (index, field) = self.schema().model(model).field_by_name(name)?;
        if field.is_relation() || field.ty.list {
            return None;
        }
        let stored = Stored::of(field)?;
        if matches!(stored, Stored::TypedJson | Stored::Scalar(Scalar::Json)) {
            return None;
        }
        let id = FieldId { model, index };
        // The compiled list names the same fields as the bound one.
        let masked = self
            .engine
            .policies
            .model(model)
            .is_some_and(|p| p.field_read.iter().any(|(f, _)| *f == id));
        if masked {
            return None;
        }
        let value = scalar_to_db(self.schema(), stored, value)?;
        Some((id, stored.scalar(), value))
    }
}
