//! An `update` that one statement can do. When the data only sets the
//! row's own columns, and no field-level update rule or post-update rule
//! needs the row before or after, the whole update is
//!
//! ```sql
//! UPDATE "T" AS "t0" SET … WHERE <where> AND <update rule> RETURNING <id>
//! ```
//!
//! One statement is atomic by itself, so this path needs neither the
//! savepoint nor the SELECT of the target that the general path runs; a row
//! the rule does not allow is simply not matched, which is `not-found` as
//! on the general path (P-110). `increment`/`decrement` become SQL
//! arithmetic where SQL computes exactly what the general path computes.

use super::RowId;
use crate::args::filter::Filters;
use crate::defaults::{now_iso, touch_updated_at_also};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::password::hash_passwords;
use crate::plan::{self, Plan, ShapeKey};
use crate::validate::{has_number_checks, validate, WriteKind};
use crate::value::Stored;
use serde_json::{Map, Value as Json};
use std::sync::Arc;
use zgen_policy::delegate::{has_base, is_delegate};
use zgen_policy::ir::{Pred, Value};
use zgen_policy::sql::Sql;
use zgen_sema::{FieldId, ModelId, Operation, Scalar};

/// A statement to run: a plan with this call's parameters, or one written
/// for this call alone.
enum Statement {
    Planned(Arc<Plan>, Vec<Value>),
    Once(Sql),
}

impl Statement {
    fn text(&self) -> &str {
        match self {
            Statement::Planned(plan, _) => &plan.text,
            Statement::Once(sql) => &sql.text,
        }
    }

    fn params(&self) -> &[Value] {
        match self {
            Statement::Planned(_, params) => params,
            Statement::Once(sql) => &sql.params,
        }
    }
}

/// `column = column + operand` (or `-`), written in SQL.
struct Arithmetic {
    field: FieldId,
    sign: &'static str,
    operand: Value,
}

impl Client<'_> {
    /// Runs the update as one statement and returns the row's id after it,
    /// or `None`, having run nothing, when it needs the general path.
    pub(crate) fn update_in_one_statement(
        &self,
        model: ModelId,
        filter: Option<&Json>,
        data: &Json,
    ) -> Result<Option<RowId>> {
        let schema = self.schema();
        let ids = self.ids(model);
        let split = self.split(model, data)?;
        // a delegate hierarchy spreads a row over several tables
        let hierarchy = has_base(schema, model) || is_delegate(schema, model);
        if ids.is_empty()
            || hierarchy
            || !split.relations.is_empty()
            || split.scalars.is_empty()
            || self.policy(model, Operation::PostUpdate)? != Pred::True
            // a field whose update rule is `true` (what a field with only
            // a read rule gets) constrains nothing
            || self
                .field_policies(model, Operation::Update)?
                .iter()
                .any(|(_, rule)| *rule != Pred::True)
        {
            return Ok(None);
        }
        let Some((mut scalars, arithmetic)) = self.sql_arithmetic(model, split.scalars) else {
            return Ok(None);
        };
        validate(schema, model, &mut scalars, WriteKind::Update)?;
        hash_passwords(schema, model, &mut scalars)?;
        let computed: Vec<&str> = arithmetic
            .iter()
            .map(|a| schema.field(a.field).name.as_str())
            .collect();
        touch_updated_at_also(schema, model, &mut scalars, &computed, now_iso);
        let assignments = self.assignments(model, &scalars)?;
        let known_id = self.id_in_where(model, filter, ids).and_then(|mut id| {
            for (field, value) in &mut id {
                if arithmetic.iter().any(|a| a.field == *field) {
                    return None;
                }
                if let Some((_, new)) = assignments.iter().find(|(f, _)| f == field) {
                    *value = new.clone();
                }
            }
            Some(id)
        });

        // Where the `where` is the id itself, the id after the update is
        // known without `RETURNING` (which costs SQLite a temporary table).
        let returning = known_id.is_none().then_some(ids);
        let statement = self.update_statement(model, filter, assignments, arithmetic, returning)?;
        if let Some(id) = known_id {
            return match self.execute_text(statement.text(), statement.params())? {
                0 => Err(Error::not_found(self.model_name(model))),
                _ => Ok(Some(id)),
            };
        }
        let row = self
            .query_text(statement.text(), statement.params())?
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found(self.model_name(model)))?;
        Ok(Some(ids.iter().copied().zip(row).collect()))
    }

    /// The UPDATE's text and parameters, through the plan of its shape (the
    /// user's rule, the columns it sets and how, the shape of `where`),
    /// which is written once and then reused with new values.
    fn update_statement(
        &self,
        model: ModelId,
        filter: Option<&Json>,
        assignments: Vec<(FieldId, Value)>,
        arithmetic: Vec<Arithmetic>,
        returning: Option<&[FieldId]>,
    ) -> Result<Statement> {
        let mut key = ShapeKey::new("update", model);
        let mut slots = Vec::new();
        if filter
            .and_then(|f| key.filter(self, model, f, &mut slots))
            .is_none()
        {
            let sql =
                self.write_update(model, filter, false, assignments, arithmetic, returning)?;
            return Ok(Statement::Once(sql));
        }
        key.0.push(u8::from(returning.is_some()));
        for (field, _) in &assignments {
            key.field(*field);
        }
        for a in &arithmetic {
            key.field(a.field);
            key.name(a.sign);
        }
        let first = slots.len();
        let (fields, values): (Vec<FieldId>, Vec<Value>) = assignments.into_iter().unzip();
        slots.extend(values);
        let operands: Vec<Value> = arithmetic.iter().map(|a| a.operand.clone()).collect();
        slots.extend(operands);
        if let Some(plan) = self.bound.plans.get(&key.0) {
            let params = plan.params(&slots);
            return Ok(Statement::Planned(plan, params));
        }
        let stand_ins = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, plan::sentinel(first + i)))
            .collect();
        let arithmetic_stand_ins = arithmetic
            .iter()
            .enumerate()
            .map(|(i, a)| Arithmetic {
                field: a.field,
                sign: a.sign,
                operand: plan::sentinel(first + fields.len() + i),
            })
            .collect();
        let sql = self.write_update(
            model,
            filter,
            true,
            stand_ins,
            arithmetic_stand_ins,
            returning,
        )?;
        let Some(plan) = Plan::new(sql, slots.len()) else {
            let assignments = fields.into_iter().zip(slots.drain(first..)).collect();
            let sql =
                self.write_update(model, filter, false, assignments, arithmetic, returning)?;
            return Ok(Statement::Once(sql));
        };
        let plan = Arc::new(plan);
        self.bound.plans.put(key.0, Arc::clone(&plan));
        let params = plan.params(&slots);
        Ok(Statement::Planned(plan, params))
    }

    /// `UPDATE … SET … WHERE <update rule> AND <where> [RETURNING <id>]`;
    /// when `planning`, the slots of `where` compare with sentinels.
    fn write_update(
        &self,
        model: ModelId,
        filter: Option<&Json>,
        planning: bool,
        assignments: Vec<(FieldId, Value)>,
        arithmetic: Vec<Arithmetic>,
        returning: Option<&[FieldId]>,
    ) -> Result<Sql> {
        let schema = self.schema();
        let mut filters = Filters::new(self);
        filters.planning = planning;
        let condition = Pred::And(vec![
            filters
                .scopes
                .embed(&self.policy(model, Operation::Update)?, 0),
            filters.top_filter(model, filter)?,
        ]);
        let d = self.dialect();
        let mut sql = Sql::default();
        sql.push("UPDATE ");
        sql.ident(d, schema.model(model).db_name());
        sql.push(" AS \"t0\" SET ");
        let mut separator = "";
        for (field, value) in assignments {
            sql.push(separator);
            separator = ", ";
            sql.ident(d, schema.field(field).db_name());
            sql.push(" = ");
            sql.param(d, value);
        }
        for a in arithmetic {
            sql.push(separator);
            separator = ", ";
            let column = schema.field(a.field).db_name();
            sql.ident(d, column);
            sql.push(" = ");
            sql.ident(d, column);
            sql.push(a.sign);
            sql.param(d, a.operand);
        }
        sql.push(" WHERE ");
        self.writer("t0").pred(&condition, &mut sql);
        if let Some(ids) = returning {
            sql.push(" RETURNING ");
            for (i, f) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.ident(d, schema.field(*f).db_name());
            }
        }
        Ok(sql)
    }

    /// The id a `where` names when it is exactly the id fields, each with
    /// a plain value.
    fn id_in_where(&self, model: ModelId, filter: Option<&Json>, ids: &[FieldId]) -> Option<RowId> {
        let filter = filter?.as_object()?;
        if filter.len() != ids.len() {
            return None;
        }
        ids.iter()
            .map(|id| {
                let name = &self.schema().field(*id).name;
                let (field, _, value) = self.slot(model, name, filter.get(name)?)?;
                Some((field, value))
            })
            .collect()
    }

    /// `scalars` without the number operators SQL computes, and those
    /// operators; `None` when some operator needs the general path, which
    /// reads the current value (or reports the bad input).
    fn sql_arithmetic(
        &self,
        model: ModelId,
        scalars: Map<String, Json>,
    ) -> Option<(Map<String, Json>, Vec<Arithmetic>)> {
        let m = self.schema().model(model);
        // the general path validates the computed value
        let validated = m.attributes_named("@@validate").next().is_some();
        let mut plain = Map::with_capacity(scalars.len());
        let mut arithmetic = Vec::new();
        for (key, value) in scalars {
            let (index, field) = m.field_by_name(&key)?;
            let stored = Stored::of(field)?;
            let Json::Object(ops) = &value else {
                plain.insert(key, value);
                continue;
            };
            // an object is a Json field's value, unless it is `{set: …}`
            let is_json = matches!(stored, Stored::TypedJson | Stored::Scalar(Scalar::Json));
            if is_json && !ops.contains_key("set") {
                plain.insert(key, value);
                continue;
            }
            let (op, operand) = ops.iter().next().filter(|_| ops.len() == 1)?;
            if op == "set" {
                plain.insert(key, operand.clone());
                continue;
            }
            let sign = match op.as_str() {
                "increment" => " + ",
                "decrement" => " - ",
                _ => return None,
            };
            // Where SQL's arithmetic gives what the general path gives: an
            // integer operand on an integer column, any number on a Float.
            let operand = match stored {
                Stored::Scalar(Scalar::Int | Scalar::BigInt) => Value::Int(operand.as_i64()?),
                Stored::Scalar(Scalar::Float) => Value::Float(operand.as_f64()?),
                _ => return None,
            };
            if validated || has_number_checks(field) {
                return None;
            }
            arithmetic.push(Arithmetic {
                field: FieldId { model, index },
                sign,
                operand,
            });
        }
        Some((plain, arithmetic))
    }
}
