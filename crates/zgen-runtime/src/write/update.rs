//! `update`, `updateMany`, `updateManyAndReturn`, `upsert`: the target
//! selected under the update rule on the pre-update row (P-110), field-level
//! update rules (P-164), the UPDATE, then the post-update rule on the new
//! row with `before()` bound to the old one (P-113, P-114).

use super::{data_arg, RowId, Written};
use crate::args::arg;
use crate::args::only_keys;
use crate::defaults::{now_iso, touch_updated_at};
use crate::engine::Client;
use crate::error::{Error, PolicyReason, Result};
use crate::password::hash_passwords;
use crate::validate::{validate, WriteKind};
use serde_json::{json, Map, Value as Json};
use zgen_policy::ir::{Pred, Value};
use zgen_policy::sql::Sql;
use zgen_sema::{FieldId, ModelId, Operation};

const NUMBER_OPS: &[&str] = &["increment", "decrement", "multiply", "divide"];

impl<'a> Client<'a> {
    pub(crate) fn update<'j>(
        &self,
        model: ModelId,
        args: &'j Map<String, Json>,
    ) -> Result<Written<'j>> {
        let name = self.model_name(model);
        only_keys(name, args, &["where", "data", "select", "include", "omit"])?;
        self.require_unique(model, arg(args, "where"))?;
        let data = data_arg(name, args)?;
        let result = self.result_args(model, args)?;
        if let Some(id) = self.update_in_one_statement(model, arg(args, "where"), data)? {
            return Ok(Written { id, result });
        }
        let id = self.atomically(|| {
            // a row the rule does not allow "does not exist" (P-110); data
            // that leaves the row's own columns alone issues no UPDATE, so
            // the row only needs to be readable (P-111a)
            let op = if self.changes_columns(model, data)? {
                Operation::Update
            } else {
                Operation::Read
            };
            let policy = self.target_rule(model, op)?;
            let id = self
                .target_ids(model, arg(args, "where"), policy, Some(1))?
                .pop()
                .ok_or_else(|| Error::not_found(name))?;
            self.update_row(model, &id, data)
        })?;
        Ok(Written { id, result })
    }

    pub(crate) fn update_many(
        &self,
        model: ModelId,
        args: &Map<String, Json>,
        and_return: bool,
    ) -> Result<Json> {
        let name = self.model_name(model);
        let allowed: &[&str] = if and_return {
            &["where", "data", "limit", "select", "omit"]
        } else {
            &["where", "data", "limit"]
        };
        only_keys(name, args, allowed)?;
        let data = data_arg(name, args)?;
        let limit = crate::args::count_arg(name, args, "limit")?.map(|n| n.max(0) as usize);
        self.reject_sub_model_limit(model, limit, "updating")?;
        let ids = self.atomically(|| {
            let policy = self.target_rule(model, Operation::Update)?;
            // rows the rule does not allow are skipped silently
            let ids = self.target_ids(model, arg(args, "where"), policy, limit)?;
            let mut updated = Vec::with_capacity(ids.len());
            for id in &ids {
                // a delegate sub-model's row also needs each touched level's rule
                if self.levels_allow_update(model, id, data)? {
                    updated.push(self.update_row(model, id, data)?);
                }
            }
            Ok(updated)
        })?;
        if !and_return {
            return Ok(json!({ "count": ids.len() }));
        }
        let result = self.result_args(model, args)?;
        let rows = self.read_back_many(model, &ids, &result)?;
        if rows.len() < ids.len() {
            // the update stays (P-112)
            return Err(Error::cannot_read_back(name));
        }
        Ok(Json::Array(rows))
    }

    /// Update the row if the update rule allows it, else create (P-130).
    pub(crate) fn upsert<'j>(
        &self,
        model: ModelId,
        args: &'j Map<String, Json>,
    ) -> Result<Written<'j>> {
        let name = self.model_name(model);
        only_keys(
            name,
            args,
            &["where", "create", "update", "select", "include", "omit"],
        )?;
        self.require_unique(model, arg(args, "where"))?;
        let (Some(create), Some(update)) = (arg(args, "create"), arg(args, "update")) else {
            return Err(Error::invalid_input(
                Some(name),
                "`upsert` needs `create` and `update`",
            ));
        };
        let result = self.result_args(model, args)?;
        let id = self.atomically(|| {
            let policy = self.policy(model, Operation::Update)?;
            match self
                .target_ids(model, arg(args, "where"), policy, Some(1))?
                .pop()
            {
                Some(id) => self.update_row(model, &id, update),
                None => self.create_row(model, create, &[]),
            }
        })?;
        Ok(Written { id, result })
    }

    /// Whether `data` sets a column of the row itself: a scalar, or a
    /// foreign key through an owned relation.
    fn changes_columns(&self, model: ModelId, data: &Json) -> Result<bool> {
        let split = self.split(model, data)?;
        // a nested `update` of an owned to-one leaves the key as it is
        let sets_key = |ops: &Json| {
            ops.as_object()
                .is_none_or(|o| o.keys().any(|k| k != "update"))
        };
        Ok(!split.scalars.is_empty()
            || split.relations.iter().any(|(relation, ops)| {
                let owner = self
                    .schema()
                    .field(*relation)
                    .relation
                    .as_ref()
                    .is_some_and(|r| r.is_owner());
                owner && sets_key(ops)
            }))
    }

    /// Applies `data` to the row `id`, already selected under the update
    /// rule; returns the row's id after the update.
    pub(crate) fn update_row(&self, model: ModelId, id: &RowId, data: &Json) -> Result<RowId> {
        let split = self.split(model, data)?;
        let mut scalars = self.resolve_operators(model, id, split.scalars)?;
        validate(self.schema(), model, &mut scalars, WriteKind::Update)?;
        hash_passwords(self.schema(), model, &mut scalars)?;
        let mut later = Vec::new();
        let mut keys = Vec::new();
        for (relation, ops) in split.relations {
            let owner = self
                .schema()
                .field(relation)
                .relation
                .as_ref()
                .is_some_and(|r| r.is_owner());
            if owner {
                keys.extend(self.owned_relation_on_update(relation, id, ops)?);
            } else {
                later.push((relation, ops));
            }
        }
        let new_id = if scalars.is_empty() && keys.is_empty() {
            id.clone()
        } else {
            touch_updated_at(self.schema(), model, &mut scalars, now_iso);
            let mut assignments = self.assignments(model, &scalars)?;
            assignments.extend(keys);
            self.check_field_updates(model, id, &assignments)?;
            self.update_checked(model, id, &assignments)?
        };
        for (relation, ops) in later {
            self.nested_for_parent(relation, &new_id, ops, true)?;
        }
        Ok(new_id)
    }

    /// `UPDATE` of `assignments` on the row `id` (selected under the right
    /// rule by the caller), then the model's post-update rule on the new row
    /// with `before()` reading the old one (P-113). The row's id after it.
    pub(crate) fn update_checked(
        &self,
        model: ModelId,
        id: &RowId,
        assignments: &[(FieldId, Value)],
    ) -> Result<RowId> {
        let post_rule = self.policy(model, Operation::PostUpdate)?;
        // the pre-update row matters only to a post-update rule
        let columns = if post_rule == Pred::True {
            &[][..]
        } else {
            self.columns(model)
        };
        let before = if columns.is_empty() {
            Vec::new()
        } else {
            self.select_columns(model, None, self.id_condition(id), columns, Some(1))?
                .into_iter()
                .next()
                .unwrap_or_default()
        };
        self.set_columns(model, id, assignments)?;
        let mut new_id = id.clone();
        for (field, value) in &mut new_id {
            if let Some((_, v)) = assignments.iter().find(|(f, _)| f == field) {
                *value = v.clone();
            }
        }
        self.check_post_update(model, id, &new_id, post_rule, columns, &before)?;
        Ok(new_id)
    }

    /// `{ set }`, `{ increment }`, … on number fields, resolved against the
    /// current value.
    fn resolve_operators(
        &self,
        model: ModelId,
        id: &RowId,
        scalars: Map<String, Json>,
    ) -> Result<Map<String, Json>> {
        let m = self.schema().model(model);
        let mut out = Map::with_capacity(scalars.len());
        for (key, value) in scalars {
            let Json::Object(ops) = &value else {
                out.insert(key, value);
                continue;
            };
            let Some((index, field)) = m.field_by_name(&key) else {
                continue;
            };
            let is_json = matches!(
                crate::value::Stored::of(field),
                Some(
                    crate::value::Stored::TypedJson
                        | crate::value::Stored::Scalar(zgen_sema::Scalar::Json)
                )
            );
            if is_json && !ops.contains_key("set") {
                out.insert(key, value);
                continue;
            }
            let (op, operand) = match ops.iter().next() {
                Some(kv) if ops.len() == 1 => kv,
                _ => {
                    return Err(Error::invalid_input(
                        Some(&m.name),
                        format!("`{key}` takes one update operator"),
                    ))
                }
            };
            if op == "set" {
                out.insert(key, operand.clone());
                continue;
            }
            if !NUMBER_OPS.contains(&op.as_str()) {
                return Err(Error::invalid_input(
                    Some(&m.name),
                    format!("unknown update operator `{op}` on `{key}`"),
                ));
            }
            let current = self
                .select_columns(
                    model,
                    None,
                    self.id_condition(id),
                    &[FieldId { model, index }],
                    Some(1),
                )?
                .into_iter()
                .next()
                .and_then(|r| r.into_iter().next())
                .unwrap_or(Value::Null);
            out.insert(
                key.clone(),
                arithmetic(&m.name, &key, op, &current, operand)?,
            );
        }
        Ok(out)
    }

    /// Field-level update rules of the assigned fields, on the pre-update
    /// row (P-164).
    pub(crate) fn check_field_updates(
        &self,
        model: ModelId,
        id: &RowId,
        assignments: &[(FieldId, Value)],
    ) -> Result<()> {
        for (field, rule) in self.field_policies(model, Operation::Update)? {
            if assignments.iter().any(|(f, _)| *f == field) && !self.holds(model, id, &rule)? {
                return Err(Error::rejected(
                    self.model_name(model),
                    PolicyReason::NoAccess,
                    "some rows cannot be updated due to field policies",
                ));
            }
        }
        Ok(())
    }

    /// The post-update rule on the updated row, `before()` reading the
    /// values it had (P-113..P-115).
    fn check_post_update(
        &self,
        model: ModelId,
        old_id: &RowId,
        new_id: &RowId,
        rule: Pred,
        columns: &[FieldId],
        before: &[Value],
    ) -> Result<()> {
        let name = self.model_name(model);
        if rule == Pred::True {
            return Ok(());
        }
        if rule.uses_before() && old_id != new_id {
            return Err(Error::rejected(
                name,
                PolicyReason::Other,
                "Before-update and after-update rows do not match. Post-update rules using `before()` need the id fields to stay unchanged.",
            ));
        }
        let d = self.dialect();
        let mut w = self.writer("t0").with_before("b0");
        let mut sql = Sql::default();
        sql.push("SELECT COUNT(1) FROM ");
        self.source(model, &mut sql);
        sql.push(" AS \"t0\", (SELECT ");
        for (i, (f, v)) in columns.iter().zip(before).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.param(d, v.clone());
            sql.push(" AS ");
            sql.ident(d, self.schema().field(*f).db_name());
        }
        if columns.is_empty() {
            sql.push("1");
        }
        sql.push(") AS \"b0\" WHERE ");
        w.pred(&Pred::And(vec![self.id_condition(new_id), rule]), &mut sql);
        let passed = matches!(
            self.query(&sql)?.first().and_then(|r| r.first()),
            Some(Value::Int(1))
        );
        if passed {
            Ok(())
        } else {
            Err(Error::rejected(
                name,
                PolicyReason::NoAccess,
                "some or all updated rows failed to pass post-update policy check",
            ))
        }
    }
}

fn arithmetic(model: &str, field: &str, op: &str, current: &Value, operand: &Json) -> Result<Json> {
    let bad = || Error::invalid_input(Some(model), format!("`{op}` on `{field}` needs a number"));
    let n = operand.as_f64().ok_or_else(bad)?;
    let integral = operand.is_i64() && !matches!(current, Value::Float(_)) && op != "divide";
    let value = match current {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Null => return Ok(Json::Null),
        _ => return Err(bad()),
    };
    let result = match op {
        "increment" => value + n,
        "decrement" => value - n,
        "multiply" => value * n,
        _ if n == 0.0 => {
            return Err(Error::invalid_input(
                Some(model),
                format!("`divide` on `{field}` by zero"),
            ))
        }
        _ => value / n,
    };
    Ok(
        if integral || (op == "divide" && matches!(current, Value::Int(_))) {
            json!(result.trunc() as i64)
        } else {
            json!(result)
        },
    )
}
