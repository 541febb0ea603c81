//! `create`, `createMany`, `createManyAndReturn`: a pre-create check of
//! every row against the create rule (P-90, P-91), then the INSERT, then
//! nested writes, then a read-back under the read rule (P-95).

use super::{data_arg, RowId, Written};
use crate::args::only_keys;
use crate::defaults::{fill_create_defaults, now_iso, DefaultContext};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::password::hash_passwords;
use crate::plan::ShapeKey;
use crate::validate::{validate, WriteKind};
use serde_json::{json, Map, Value as Json};
use zgen_policy::ir::{Pred, Value};
use zgen_policy::sql::Sql;
use zgen_sema::{FieldId, ModelId, Operation};

impl<'a> Client<'a> {
    pub(crate) fn create<'j>(
        &self,
        model: ModelId,
        args: &'j Map<String, Json>,
    ) -> Result<Written<'j>> {
        let name = self.model_name(model);
        only_keys(name, args, &["data", "select", "include", "omit"])?;
        let data = data_arg(name, args)?;
        let result = self.result_args(model, args)?;
        let hierarchy = zgen_policy::delegate::has_base(self.schema(), model);
        let id = if !hierarchy && !self.has_relations(model, data) {
            self.create_flat(model, data)?
        } else {
            self.atomically(|| self.create_row(model, data, &[]))?
        };
        Ok(Written { id, result })
    }

    /// A create without nested writes: one INSERT, which is atomic by
    /// itself. Only a create rule that needs a query opens a savepoint, so
    /// that the rule and the INSERT see the same rows.
    fn create_flat(&self, model: ModelId, data: &Json) -> Result<RowId> {
        let split = self.split(model, data)?;
        self.reject_delegate_create(model)?;
        let values = self.row_values(model, split.scalars, Vec::new(), &[])?;
        let inserted = match self.create_check(model, &values)? {
            None => self.insert(model, &values, false)?,
            Some(check) => self.atomically(|| {
                self.run_create_check(model, &check)?;
                self.insert(model, &values, false)
            })?,
        };
        inserted.ok_or_else(|| Error::not_found(self.model_name(model)))
    }

    pub(crate) fn create_many(
        &self,
        model: ModelId,
        args: &Map<String, Json>,
        and_return: bool,
    ) -> Result<Json> {
        let name = self.model_name(model);
        let allowed: &[&str] = if and_return {
            &["data", "select", "omit", "skipDuplicates"]
        } else {
            &["data", "skipDuplicates"]
        };
        only_keys(name, args, allowed)?;
        let skip_duplicates = skip_duplicates(name, args)?;
        let rows: Vec<&Json> = match data_arg(name, args)? {
            Json::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let ids = self.atomically(|| {
            let mut ids = Vec::with_capacity(rows.len());
            for row in &rows {
                if self.has_relations(model, row) {
                    return Err(Error::invalid_input(
                        Some(name),
                        "`createMany` data cannot hold relations",
                    ));
                }
                ids.extend(self.insert_row(model, row, &[], skip_duplicates)?);
            }
            Ok(ids)
        })?;
        if and_return {
            // unreadable rows stay created and are left out (P-97)
            let result = self.result_args(model, args)?;
            Ok(Json::Array(self.read_back_many(model, &ids, &result)?))
        } else {
            Ok(json!({ "count": ids.len() }))
        }
    }

    /// Whether the `data` object names a relation field (a nested write).
    fn has_relations(&self, model: ModelId, data: &Json) -> bool {
        let m = self.schema().model(model);
        data.as_object().is_some_and(|o| {
            o.keys()
                .any(|k| m.field_by_name(k).is_some_and(|(_, f)| f.is_relation()))
        })
    }

    /// Inserts one row of `model` with its nested writes; `fixed` holds
    /// foreign-key values a parent write sets. Returns the new row's id.
    pub(crate) fn create_row(
        &self,
        model: ModelId,
        data: &Json,
        fixed: &[(FieldId, Value)],
    ) -> Result<RowId> {
        self.insert_row(model, data, fixed, false)?
            .ok_or_else(|| Error::not_found(self.model_name(model)))
    }

    /// [`Self::create_row`]; with `skip_duplicates` a row that would break
    /// a unique constraint is left out (`None`), as `createMany`'s
    /// `skipDuplicates` asks. The create rule is still checked first.
    pub(crate) fn insert_row(
        &self,
        model: ModelId,
        data: &Json,
        fixed: &[(FieldId, Value)],
        skip_duplicates: bool,
    ) -> Result<Option<RowId>> {
        // the data is checked first, as ZenStack validates its input first
        let split = self.split(model, data)?;
        self.reject_delegate_create(model)?;
        self.reject_parent_keys(model, &split.scalars, fixed)?;
        let scalars = split.scalars;
        // Owned to-one relations come first: they give foreign-key values
        // (P-92, the owner side of an FK is inserted after its target).
        let mut keys: Vec<(FieldId, Value)> = Vec::new();
        let mut later = Vec::new();
        for (relation, ops) in split.relations {
            let owner = self
                .schema()
                .field(relation)
                .relation
                .as_ref()
                .is_some_and(|r| r.is_owner());
            if owner {
                keys.extend(self.owned_relation_on_create(relation, ops)?);
            } else {
                later.push((relation, ops));
            }
        }
        let values = self.row_values(model, scalars, keys, fixed)?;
        let Some(id) = self.insert_checked(model, &values, skip_duplicates)? else {
            return Ok(None);
        };
        for (relation, ops) in later {
            self.nested_for_parent(relation, &id, ops, false)?;
        }
        Ok(Some(id))
    }

    /// The column values of a new row: `scalars` validated, hashed and
    /// defaulted, then the foreign keys of owned relations (`keys`) and of
    /// the parent write (`fixed`).
    fn row_values(
        &self,
        model: ModelId,
        mut scalars: Map<String, Json>,
        keys: Vec<(FieldId, Value)>,
        fixed: &[(FieldId, Value)],
    ) -> Result<Vec<(FieldId, Value)>> {
        validate(self.schema(), model, &mut scalars, WriteKind::Create)?;
        hash_passwords(self.schema(), model, &mut scalars)?;
        let now = now_iso();
        let cx = DefaultContext {
            auth: self.auth.as_ref(),
            now: &now,
        };
        fill_create_defaults(self.schema(), model, &mut scalars, &cx)?;
        let mut values = self.assignments(model, &scalars)?;
        for (field, value) in keys.into_iter().chain(fixed.iter().cloned()) {
            match values.iter_mut().find(|(f, _)| *f == field) {
                Some(slot) => slot.1 = value,
                None => values.push((field, value)),
            }
        }
        self.set_discriminators(model, &mut values);
        self.require_columns(model, &values)?;
        Ok(values)
    }

    /// A nested create may not set the foreign key its parent relation
    /// sets (ZenStack's input schema leaves it out).
    fn reject_parent_keys(
        &self,
        model: ModelId,
        scalars: &Map<String, Json>,
        fixed: &[(FieldId, Value)],
    ) -> Result<()> {
        match fixed
            .iter()
            .map(|(f, _)| &self.schema().field(*f).name)
            .find(|name| scalars.contains_key(name.as_str()))
        {
            Some(name) => Err(Error::invalid_input(
                Some(self.model_name(model)),
                format!("`{name}` is set by the parent relation and cannot be given here"),
            )),
            None => Ok(()),
        }
    }

    /// Every required column without a default has a value: a missing one
    /// is bad input, reported before any rule or statement runs on it.
    fn require_columns(&self, model: ModelId, values: &[(FieldId, Value)]) -> Result<()> {
        let missing = self.columns(model).iter().find(|f| {
            let field = self.schema().field(**f);
            !field.ty.optional
                && !field.ty.list
                && !field.has_attribute("@default")
                && !field.has_attribute("@updatedAt")
                && !values.iter().any(|(v, _)| v == *f)
        });
        match missing {
            Some(f) => Err(Error::invalid_input(
                Some(self.model_name(model)),
                format!(
                    "missing value for required field `{}`",
                    self.schema().field(*f).name
                ),
            )),
            None => Ok(()),
        }
    }

    /// The pre-create check (P-90): the create rule evaluated on the
    /// candidate row, every column present (NULL when not supplied). A rule
    /// about the row's own fields is decided here; otherwise the query that
    /// decides it, for [`Self::run_create_check`].
    fn create_check(&self, model: ModelId, values: &[(FieldId, Value)]) -> Result<Option<Sql>> {
        let policy = self.policy(model, Operation::Create)?;
        let value_of = |field| {
            values
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(Value::Null, |(_, v)| v.clone())
        };
        let policy = match policy {
            Pred::True => return Ok(None),
            // P-16: no allow rule, or a literal deny: no query needed
            Pred::False | Pred::Unknown => return Err(Error::no_access(self.model_name(model))),
            policy => match zgen_policy::bind_row(&policy, &value_of) {
                Pred::True => return Ok(None),
                Pred::False | Pred::Unknown => {
                    return Err(Error::no_access(self.model_name(model)))
                }
                _ => policy,
            },
        };
        let d = self.dialect();
        let mut sql = Sql::default();
        sql.push("SELECT ");
        self.writer("t0")
            .pred(&Pred::FalseIfNull(Box::new(policy)), &mut sql);
        sql.push(" FROM (SELECT ");
        let columns = self.columns(model);
        for (i, field) in columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.param(d, value_of(*field));
            sql.push(" AS ");
            sql.ident(d, self.schema().field(*field).db_name());
        }
        if columns.is_empty() {
            sql.push("1");
        }
        sql.push(") AS \"t0\"");
        Ok(Some(sql))
    }

    /// The pre-create check of `values`, by a query where needed.
    pub(crate) fn check_create(&self, model: ModelId, values: &[(FieldId, Value)]) -> Result<()> {
        match self.create_check(model, values)? {
            Some(check) => self.run_create_check(model, &check),
            None => Ok(()),
        }
    }

    /// Runs a check from [`Self::create_check`]: `no-access` unless the
    /// rule holds.
    fn run_create_check(&self, model: ModelId, check: &Sql) -> Result<()> {
        let allowed = matches!(
            self.query(check)?.first().and_then(|r| r.first()),
            Some(Value::Int(1) | Value::Bool(true))
        );
        if allowed {
            Ok(())
        } else {
            Err(Error::no_access(self.model_name(model)))
        }
    }

    /// `INSERT … RETURNING <ids>`; `None` when `skip_duplicates` skipped
    /// the row.
    pub(crate) fn insert(
        &self,
        model: ModelId,
        values: &[(FieldId, Value)],
        skip_duplicates: bool,
    ) -> Result<Option<RowId>> {
        let ids = self.ids(model);
        // The text depends on the columns only: written once per column set.
        let mut key = ShapeKey::new("insert", model);
        key.0.push(u8::from(skip_duplicates));
        for (field, _) in values {
            key.field(*field);
        }
        let text = self.text(key.0, || {
            let d = self.dialect();
            let mut sql = Sql::default();
            sql.push("INSERT INTO ");
            sql.ident(d, self.schema().model(model).db_name());
            if values.is_empty() {
                sql.push(" DEFAULT VALUES");
            } else {
                sql.push(" (");
                for (i, (f, _)) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.ident(d, self.schema().field(*f).db_name());
                }
                sql.push(") VALUES (");
                for (i, (_, v)) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.param(d, v.clone());
                }
                sql.push(")");
            }
            if skip_duplicates {
                sql.push(" ON CONFLICT DO NOTHING");
            }
            sql.push(" RETURNING ");
            for (i, f) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.ident(d, self.schema().field(*f).db_name());
            }
            if ids.is_empty() {
                sql.push("1");
            }
            sql.text
        });
        Ok(self
            .query_text(&text, values.iter().map(|(_, v)| v))?
            .into_iter()
            .next()
            .map(|row| ids.iter().copied().zip(row).collect()))
    }
}

/// `skipDuplicates` of a `createMany`: absent, `true` or `false`.
pub(crate) fn skip_duplicates(model: &str, args: &Map<String, Json>) -> Result<bool> {
    match args.get("skipDuplicates") {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(other) => Err(Error::invalid_input(
            Some(model),
            format!("`skipDuplicates` must be a boolean, got `{other}`"),
        )),
    }
}
