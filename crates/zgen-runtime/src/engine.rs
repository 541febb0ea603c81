//! The engine (a checked schema with its compiled policies, shared) and the
//! client (one connection and one auth value, per request).

use crate::bound::{BoundCache, BoundRules, FieldRules};
use crate::error::{Error, Result};
use crate::keys::{unique_keys, UniqueKey};
use serde_json::Value as Json;
use std::sync::Arc;
use zgen_policy::ir::Pred;
use zgen_policy::sql::{Dialect, PredWriter, Sql, Sqlite};
use zgen_policy::{id_fields, PolicySet};
use zgen_sema::{FieldId, ModelId, Operation, Schema};

/// A checked schema and its policies, compiled once and shared by every
/// client.
#[derive(Debug)]
pub struct Engine {
    pub(crate) schema: Schema,
    pub(crate) policies: PolicySet,
    pub(crate) bound: BoundCache,
    /// The columns the engine reads, per model (by model index).
    columns: Vec<Vec<FieldId>>,
    /// The fields a read returns when nothing selects or omits, per model.
    visible: Vec<Vec<FieldId>>,
    /// The unique criteria of each model (`@id`, `@unique`, `@@id`, `@@unique`).
    unique: Vec<Vec<UniqueKey>>,
    /// The fields that identify a row of each model ([`id_fields`]).
    ids: Vec<Vec<FieldId>>,
    /// Whether auth values need their enum members mapped for rules
    /// ([`crate::auth_enums`]).
    map_auth_enums: bool,
    /// Statements that no rule enters (INSERTs), written once per shape.
    texts: crate::plan::Texts,
}

impl Engine {
    /// The engine of a schema that checked without errors.
    pub fn new(schema: Schema) -> Engine {
        let policies = PolicySet::compile(&schema);
        Engine::assemble(schema, policies)
    }

    /// The engine of a schema and its compiled policies: what every
    /// request reuses is prepared here, once.
    pub(crate) fn assemble(schema: Schema, policies: PolicySet) -> Engine {
        let columns: Vec<Vec<FieldId>> = (0..schema.models.len())
            .map(|i| crate::args::read_columns(&schema, ModelId(i as u32)))
            .collect();
        let visible = columns
            .iter()
            .map(|fields| {
                let visible = |f: &&FieldId| crate::args::default_visible(schema.field(**f));
                fields.iter().filter(visible).copied().collect()
            })
            .collect();
        let unique = (0..schema.models.len())
            .map(|i| unique_keys(&schema, ModelId(i as u32)))
            .collect();
        let map_auth_enums = crate::auth_enums::any_mapped(&schema);
        let ids = (0..schema.models.len())
            .map(|i| id_fields(&schema, ModelId(i as u32)))
            .collect();
        Engine {
            schema,
            policies,
            bound: BoundCache::default(),
            columns,
            visible,
            unique,
            ids,
            map_auth_enums,
            texts: Default::default(),
        }
    }

    /// Parses and checks `source` (one file); errors are returned rendered
    /// as plain text.
    pub fn from_source(source: &str) -> std::result::Result<Engine, String> {
        let loaded = zgen_syntax::load_sources(&[("schema.zmodel", source)]);
        let analysis = zgen_sema::analyze(&loaded);
        if analysis.diagnostics.has_errors() {
            let messages: Vec<String> = analysis
                .diagnostics
                .errors()
                .map(|d| format!("{}: {}", d.code.id, d.message))
                .collect();
            return Err(messages.join("\n"));
        }
        Ok(Engine::new(analysis.schema))
    }

    /// The top-level members of the auth value that rules and defaults
    /// read; `None` when the value is read as a whole
    /// ([`zgen_policy::auth_keys`]).
    pub fn auth_keys(&self) -> Option<std::collections::BTreeSet<String>> {
        zgen_policy::auth_keys(&self.schema, &self.policies)
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// A client acting for `auth` (`None`: anonymous) on `conn`.
    pub fn client<'a>(&'a self, conn: &'a rusqlite::Connection, auth: Option<Json>) -> Client<'a> {
        let bound = self.bound.rules(auth.as_ref());
        let rule_auth = auth
            .as_ref()
            .filter(|_| self.map_auth_enums)
            .map(|a| crate::auth_enums::stored_form(&self.schema, a));
        Client {
            engine: self,
            conn,
            auth,
            rule_auth,
            bound,
        }
    }
}

/// Runs operations for one auth value over one connection. Rules bound to
/// the auth value come from the engine's cache, so binding happens once per
/// user, model and operation, not per request.
pub struct Client<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) conn: &'a rusqlite::Connection,
    pub(crate) auth: Option<Json>,
    /// The auth value as rules see it, where it differs from `auth`
    /// (enum members in stored form).
    rule_auth: Option<Json>,
    pub(crate) bound: Arc<BoundRules>,
}

pub(crate) const DIALECT: &Sqlite = &Sqlite;

impl<'a> Client<'a> {
    pub(crate) fn schema(&self) -> &'a Schema {
        &self.engine.schema
    }

    /// The text of a statement no rule enters, by its shape's key; written
    /// by `write` on first use.
    pub(crate) fn text(&self, key: Vec<u8>, write: impl FnOnce() -> String) -> Arc<str> {
        self.engine.texts.get_or_write(key, write)
    }

    /// The auth value rules are bound to.
    fn rule_auth(&self) -> Option<&Json> {
        self.rule_auth.as_ref().or(self.auth.as_ref())
    }

    pub(crate) fn dialect(&self) -> &'static dyn Dialect {
        DIALECT
    }

    /// The model named `name`, if the engine can serve it.
    pub(crate) fn model_id(&self, name: &str) -> Result<ModelId> {
        let schema = self.schema();
        let id = schema
            .model_by_name(name)
            .filter(|id| schema.model(*id).is_data_model())
            .ok_or_else(|| Error::invalid_input(None, format!("unknown model `{name}`")))?;
        Ok(id)
    }

    /// The columns the engine reads of `model`.
    pub(crate) fn columns(&self, model: ModelId) -> &'a [FieldId] {
        self.engine
            .columns
            .get(model.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The fields that identify a row of `model`: its id, or else its
    /// first unique criterion.
    pub(crate) fn ids(&self, model: ModelId) -> &'a [FieldId] {
        self.engine
            .ids
            .get(model.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The unique criteria of `model`.
    pub(crate) fn unique_keys(&self, model: ModelId) -> &'a [UniqueKey] {
        self.engine
            .unique
            .get(model.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The fields a read of `model` returns by default, in field order.
    pub(crate) fn visible(&self, model: ModelId) -> &'a [FieldId] {
        self.engine
            .visible
            .get(model.index())
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn model_name(&self, id: ModelId) -> &'a str {
        &self.schema().model(id).name
    }

    /// The model-level condition of `op` on `model`, bound to this client's
    /// auth value, about scope 0. A rule zgen cannot compile makes the
    /// operation fail with `not-supported` rather than run with a guess.
    pub(crate) fn policy(&self, model: ModelId, op: Operation) -> Result<Pred> {
        if let Some(p) = self.bound.models.get(model, op) {
            return Ok(p);
        }
        let compiled = self
            .engine
            .policies
            .model(model)
            .map(|p| p.get(op).clone())
            .unwrap_or(Pred::False);
        let bound = zgen_policy::bind(&compiled, self.rule_auth());
        if bound.contains_unsupported() {
            return Err(Error::not_supported(
                Some(self.model_name(model)),
                format!(
                    "a `{}` rule of this model uses an expression the engine cannot run",
                    op.name()
                ),
            ));
        }
        self.bound.models.put(model, op, bound.clone());
        Ok(bound)
    }

    /// Field-level conditions of `op` (read or update) for the fields of
    /// `model` that have rules, bound.
    pub(crate) fn field_policies(&self, model: ModelId, op: Operation) -> Result<FieldRules> {
        if let Some(list) = self.bound.fields.get(model, op) {
            return Ok(list);
        }
        let Some(policy) = self.engine.policies.model(model) else {
            return Ok(Vec::new());
        };
        let list = if op == Operation::Read {
            &policy.field_read
        } else {
            &policy.field_update
        };
        let mut out = Vec::with_capacity(list.len());
        for (field, pred) in list {
            let bound = zgen_policy::bind(pred, self.rule_auth());
            if bound.contains_unsupported() {
                return Err(Error::not_supported(
                    Some(self.model_name(model)),
                    format!(
                        "a rule of field `{}` uses an expression the engine cannot run",
                        self.schema().field(*field).name
                    ),
                ));
            }
            out.push((*field, bound));
        }
        self.bound.fields.put(model, op, out.clone());
        Ok(out)
    }

    /// A fresh writer for a query whose main row is aliased `alias`.
    pub(crate) fn writer(&self, alias: &str) -> PredWriter<'a> {
        PredWriter::new(self.schema(), DIALECT, alias)
    }

    /// Runs `f` inside a savepoint: everything or nothing (P-4). Works
    /// inside a transaction the caller opened, too.
    pub(crate) fn atomically<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.control("SAVEPOINT zgen_op")?;
        match f() {
            Ok(v) => {
                self.control("RELEASE zgen_op")?;
                Ok(v)
            }
            Err(e) => {
                // The original error matters more than a failed rollback.
                let _ = self
                    .control("ROLLBACK TO zgen_op")
                    .and_then(|()| self.control("RELEASE zgen_op"));
                Err(e)
            }
        }
    }

    /// A transaction-control statement, prepared once per connection
    /// (`execute_batch` would parse it on every operation).
    fn control(&self, sql: &str) -> Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    /// Runs a statement and returns its rows as IR values.
    pub(crate) fn query(&self, sql: &Sql) -> Result<Vec<Vec<zgen_policy::ir::Value>>> {
        self.query_text(&sql.text, &sql.params)
    }

    /// [`Self::query`] of a statement's text and parameters.
    pub(crate) fn query_text<'p>(
        &self,
        text: &str,
        params: impl IntoIterator<Item = &'p zgen_policy::ir::Value>,
    ) -> Result<Vec<Vec<zgen_policy::ir::Value>>> {
        self.query_map(text, params, |row| {
            let columns = row.as_ref().column_count();
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(crate::value::from_sql(None, row.get_ref(i)?));
            }
            Ok(values)
        })
    }

    /// Runs a statement and turns each row into a `T` with `f`.
    pub(crate) fn query_map<'p, T>(
        &self,
        text: &str,
        params: impl IntoIterator<Item = &'p zgen_policy::ir::Value>,
        mut f: impl FnMut(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(text)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.into_iter().map(Param)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(f(row)?);
        }
        Ok(out)
    }

    /// Runs a statement that returns no rows; the number of rows changed.
    pub(crate) fn execute(&self, sql: &Sql) -> Result<usize> {
        self.execute_text(&sql.text, &sql.params)
    }

    /// [`Self::execute`] of a statement's text and parameters.
    pub(crate) fn execute_text(
        &self,
        text: &str,
        params: &[zgen_policy::ir::Value],
    ) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(text)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter().map(Param)))?)
    }
}

/// An IR value bound by reference: text and bytes are not copied per call.
struct Param<'v>(&'v zgen_policy::ir::Value);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ValueRef;
        use zgen_policy::ir::Value;
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Bool(b) => ValueRef::Integer(i64::from(*b)),
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Float(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}
