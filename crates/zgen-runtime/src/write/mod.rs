//! Writes. Every statement runs under the policy of the table it touches
//! (P-140), inside one savepoint per operation, so a rejected nested write
//! leaves nothing behind (P-4).

mod create;
mod delete;
mod one_statement;
mod relations;
mod update;

use crate::args::arg;
use crate::args::filter::Filters;
use crate::args::select::{read_args, FindArgs};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::plan::read_back_shape;
use crate::value::to_db;
use serde_json::{Map, Value as Json};
use zgen_policy::ir::{CmpOp, Pred, RowRef, Val, Value};
use zgen_policy::sql::Sql;
use zgen_sema::{FieldId, ModelId};

/// The id values of one row, in [`id_fields`] order.
pub(crate) type RowId = Vec<(FieldId, Value)>;

/// A single-row write done (`create`, `update`, `upsert`): the row, and
/// the selection its result is read back with, checked before the write.
pub(crate) struct Written<'j> {
    pub id: RowId,
    pub result: FindArgs<'j>,
}

/// `data` split into column values and relation operations.
pub(crate) struct Split<'j> {
    /// Scalar and enum fields, keyed by field name, as JSON.
    pub scalars: Map<String, Json>,
    pub relations: Vec<(FieldId, &'j Json)>,
}

impl<'a> Client<'a> {
    pub(crate) fn split<'j>(&self, model: ModelId, data: &'j Json) -> Result<Split<'j>> {
        let name = self.model_name(model);
        let Json::Object(obj) = data else {
            return Err(Error::invalid_input(Some(name), "`data` must be an object"));
        };
        let schema = self.schema();
        let m = schema.model(model);
        // only a delegate hierarchy has discriminators
        let hierarchy = zgen_policy::delegate::has_base(schema, model)
            || zgen_policy::delegate::is_delegate(schema, model);
        let mut split = Split {
            scalars: Map::with_capacity(obj.len()),
            relations: Vec::new(),
        };
        for (key, value) in obj {
            let Some((index, field)) = m.field_by_name(key) else {
                return Err(Error::invalid_input(
                    Some(name),
                    format!("unknown field `{key}` in `data`"),
                ));
            };
            if hierarchy && self.is_discriminator(model, key) {
                return Err(Error::invalid_input(
                    Some(name),
                    format!("discriminator `{key}` is set by the engine and cannot be written"),
                ));
            } else if field.is_relation() {
                split.relations.push((FieldId { model, index }, value));
            } else if field.is_computed() {
                return Err(Error::invalid_input(
                    Some(name),
                    format!("computed field `{key}` cannot be written"),
                ));
            } else if value.is_null() && !field.ty.optional && !field.ty.list {
                return Err(Error::invalid_input(
                    Some(name),
                    format!("`{key}` is required and cannot be null"),
                ));
            } else {
                split.scalars.insert(key.clone(), value.clone());
            }
        }
        // nested writes run in the schema's field order, as ZenStack's do,
        // whatever order the data's keys come in
        split.relations.sort_by_key(|(relation, _)| *relation);
        Ok(split)
    }

    /// Column values of `scalars` (already validated and defaulted).
    pub(crate) fn assignments(
        &self,
        model: ModelId,
        scalars: &Map<String, Json>,
    ) -> Result<Vec<(FieldId, Value)>> {
        let m = self.schema().model(model);
        let mut out = Vec::with_capacity(scalars.len());
        for (key, value) in scalars {
            let Some((index, field)) = m.field_by_name(key) else {
                return Err(Error::invalid_input(
                    Some(&m.name),
                    format!("unknown field `{key}`"),
                ));
            };
            let v = to_db(self.schema(), field, value)
                .map_err(|e| Error::invalid_input(Some(&m.name), e))?;
            out.push((FieldId { model, index }, v));
        }
        Ok(out)
    }

    /// `t0.id = ? AND …` for a row id.
    pub(crate) fn id_condition(&self, id: &RowId) -> Pred {
        Pred::And(
            id.iter()
                .map(|(f, v)| self.column_is(*f, v.clone()))
                .collect(),
        )
    }

    /// `t0.<field> = value`.
    pub(crate) fn column_is(&self, field: FieldId, value: Value) -> Pred {
        Pred::Cmp {
            op: CmpOp::Eq,
            lhs: Val::Column {
                row: RowRef::this(),
                field,
                ty: zgen_policy::scalar_of(self.schema(), field),
            },
            rhs: Val::Const(value),
        }
    }

    /// The ids of the rows of `model` matching `filter`, further restricted
    /// by `condition` (a bound policy about scope 0).
    pub(crate) fn target_ids(
        &self,
        model: ModelId,
        filter: Option<&Json>,
        condition: Pred,
        limit: Option<usize>,
    ) -> Result<Vec<RowId>> {
        let ids = self.ids(model);
        if ids.is_empty() {
            return Err(Error::not_supported(
                Some(self.model_name(model)),
                "models without id or unique fields cannot be written",
            ));
        }
        Ok(self
            .select_columns(model, filter, condition, ids, limit)?
            .into_iter()
            .map(|row| ids.iter().copied().zip(row).collect())
            .collect())
    }

    /// The values of `columns` of the rows of `model` matching `filter` and
    /// `condition` (about scope 0).
    pub(crate) fn select_columns(
        &self,
        model: ModelId,
        filter: Option<&Json>,
        condition: Pred,
        columns: &[FieldId],
        limit: Option<usize>,
    ) -> Result<Vec<Vec<Value>>> {
        let mut filters = Filters::new(self);
        let condition = Pred::And(vec![
            filters.scopes.embed(&condition, 0),
            filters.filter(model, 0, filter)?,
        ]);
        let mut w = self.writer("t0");
        let mut sql = Sql::default();
        sql.push("SELECT ");
        for (i, f) in columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            w.val(
                &Val::Column {
                    row: RowRef::this(),
                    field: *f,
                    ty: zgen_policy::scalar_of(self.schema(), *f),
                },
                &mut sql,
            );
        }
        if columns.is_empty() {
            sql.push("1");
        }
        sql.push(" FROM ");
        self.source(model, &mut sql);
        sql.push(" AS \"t0\" WHERE ");
        w.pred(&condition, &mut sql);
        if let Some(n) = limit {
            sql.push(" LIMIT ");
            sql.int(n as i64);
        }
        self.query(&sql)
    }

    /// Whether `pred` (about scope 0) holds for the row `id` of `model`.
    pub(crate) fn holds(&self, model: ModelId, id: &RowId, pred: &Pred) -> Result<bool> {
        match pred {
            Pred::True => return Ok(true),
            Pred::False | Pred::Unknown => return Ok(false),
            _ => {}
        }
        Ok(!self
            .target_ids(
                model,
                None,
                Pred::And(vec![pred.clone(), self.id_condition(id)]),
                Some(1),
            )?
            .is_empty())
    }

    /// The selection arguments (`select`, `include`, `omit`) of a write.
    pub(crate) fn result_args<'j>(
        &self,
        model: ModelId,
        args: &'j Map<String, Json>,
    ) -> Result<FindArgs<'j>> {
        let mut result = read_args(self, model, args)?;
        // only the selection matters here: `where` is the write's
        result.filter = None;
        result.order_by = None;
        result.skip = None;
        result.take = None;
        Ok(result)
    }

    /// Reads a written row back under the read rule (P-95, P-111): an
    /// unreadable result is `cannot-read-back`; the write stays.
    /// `raw` are the write's arguments.
    pub(crate) fn read_back(
        &self,
        model: ModelId,
        raw: &Map<String, Json>,
        written: Written<'_>,
    ) -> Result<Json> {
        let shape = read_back_shape(model, raw, &written.id);
        let row = self.find_planned(model, Some(shape), &written.result)?;
        row.into_iter()
            .next()
            .ok_or_else(|| Error::cannot_read_back(self.model_name(model)))
    }

    /// Reads written rows back; the unreadable ones are left out.
    pub(crate) fn read_back_many(
        &self,
        model: ModelId,
        ids: &[RowId],
        args: &FindArgs<'_>,
    ) -> Result<Vec<Json>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let any = Pred::Or(ids.iter().map(|id| self.id_condition(id)).collect());
        self.find(model, args, Filters::new(self), vec![any])
    }
}

/// The `data` argument of a write.
pub(crate) fn data_arg<'j>(model: &str, args: &'j Map<String, Json>) -> Result<&'j Json> {
    arg(args, "data").ok_or_else(|| Error::invalid_input(Some(model), "`data` is required"))
}
