//! Nested relation writes. Each statement runs under the rule of the table
//! it changes (P-140..P-144): a connect on the child side is an update of
//! the child, a join-table row needs both ends updatable.

use super::RowId;
use crate::args::only_keys;
use crate::engine::Client;
use crate::error::{Error, PolicyReason, Result};
use serde_json::{Map, Value as Json};
use zgen_policy::ir::{CmpOp, Pred, Quantifier, RowRef, Val, Value};
use zgen_policy::is_many_to_many;
use zgen_policy::sql::Sql;
use zgen_policy::storage::{join_table, relation_keys};
use zgen_sema::{FieldId, ModelId, Operation};

/// An object or an array of objects, as nested operations take.
fn each(v: &Json) -> Vec<&Json> {
    match v {
        Json::Array(items) => items.iter().collect(),
        one => vec![one],
    }
}

fn ops_object<'j>(model: &str, relation: &str, ops: &'j Json) -> Result<&'j Map<String, Json>> {
    match ops {
        Json::Object(o) => Ok(o),
        other => Err(Error::invalid_input(
            Some(model),
            format!("`{relation}` expects nested operations, got `{other}`"),
        )),
    }
}

impl<'a> Client<'a> {
    /// The values of `fields` of the row `id`.
    pub(crate) fn values_of(
        &self,
        model: ModelId,
        id: &RowId,
        fields: &[FieldId],
    ) -> Result<Vec<Value>> {
        if fields.iter().all(|f| id.iter().any(|(k, _)| k == f)) {
            return Ok(fields
                .iter()
                .filter_map(|f| id.iter().find(|(k, _)| k == f).map(|(_, v)| v.clone()))
                .collect());
        }
        Ok(self
            .select_columns(model, None, self.id_condition(id), fields, Some(1))?
            .into_iter()
            .next()
            .unwrap_or_default())
    }

    /// The one row of `model` a unique `where` names, if `op`'s rule allows.
    fn find_one(&self, model: ModelId, filter: &Json, op: Operation) -> Result<Option<RowId>> {
        self.require_unique(model, Some(filter))?;
        let policy = self.policy(model, op)?;
        Ok(self
            .target_ids(model, Some(filter), policy, Some(1))?
            .into_iter()
            .next())
    }

    /// Foreign-key values for an owned to-one relation of create data.
    pub(crate) fn owned_relation_on_create(
        &self,
        relation: FieldId,
        ops: &Json,
    ) -> Result<Vec<(FieldId, Value)>> {
        let field = self.schema().field(relation);
        let model = self.model_name(relation.model);
        let ops = ops_object(model, &field.name, ops)?;
        let mut keys = Vec::new();
        for (op, arg) in ops {
            let target = self.owned_target(relation, op, arg)?;
            keys = self.foreign_keys(relation, target.as_ref())?;
        }
        Ok(keys)
    }

    /// The related row an owned to-one operation points the key at.
    fn owned_target(&self, relation: FieldId, op: &str, arg: &Json) -> Result<Option<RowId>> {
        let field = self.schema().field(relation);
        let target = field.related_model().unwrap_or(relation.model);
        let target_name = self.model_name(target);
        match op {
            "connect" => self
                .find_one(target, arg, Operation::Read)?
                .map(Some)
                .ok_or_else(|| Error::not_found(target_name)),
            "create" => Ok(Some(self.create_row(target, arg, &[])?)),
            "connectOrCreate" => {
                let (filter, create) = (arg.get("where"), arg.get("create"));
                let (Some(filter), Some(create)) = (filter, create) else {
                    return Err(Error::invalid_input(
                        Some(target_name),
                        "`connectOrCreate` needs `where` and `create`",
                    ));
                };
                match self.find_one(target, filter, Operation::Read)? {
                    Some(id) => Ok(Some(id)),
                    None => Ok(Some(self.create_row(target, create, &[])?)),
                }
            }
            "disconnect" if arg == &Json::Bool(true) => Ok(None),
            "disconnect" if arg == &Json::Bool(false) => {
                Err(Error::invalid_input(Some(target_name), "nothing to do"))
            }
            other => Err(Error::invalid_input(
                Some(self.model_name(relation.model)),
                format!("nested `{other}` is not available on `{}`", field.name),
            )),
        }
    }

    /// The foreign-key assignments that point `relation` at `target`
    /// (`None`: disconnect, the keys become NULL).
    fn foreign_keys(
        &self,
        relation: FieldId,
        target: Option<&RowId>,
    ) -> Result<Vec<(FieldId, Value)>> {
        let rel = self.schema().field(relation).relation.as_ref();
        let (fields, references) = rel
            .map(|r| (r.fields.clone(), r.references.clone()))
            .unwrap_or_default();
        let values = match target {
            Some(id) => self.values_of(
                self.schema()
                    .field(relation)
                    .related_model()
                    .unwrap_or(relation.model),
                id,
                &references,
            )?,
            None => vec![Value::Null; fields.len()],
        };
        Ok(fields.into_iter().zip(values).collect())
    }

    /// Foreign-key assignments of owned to-one operations in update data;
    /// `update` of the related row runs here too.
    pub(crate) fn owned_relation_on_update(
        &self,
        relation: FieldId,
        parent: &RowId,
        ops: &Json,
    ) -> Result<Vec<(FieldId, Value)>> {
        let field = self.schema().field(relation);
        let model = self.model_name(relation.model);
        let target = field.related_model().unwrap_or(relation.model);
        let mut keys = Vec::new();
        for (op, arg) in ops_object(model, &field.name, ops)? {
            if !field.ty.optional && matches!(op.as_str(), "delete" | "disconnect") {
                // a required relation cannot be left empty
                return Err(Error::invalid_input(
                    Some(model),
                    format!(
                        "`{op}` is not available on the required relation `{}`",
                        field.name
                    ),
                ));
            }
            match op.as_str() {
                "update" => {
                    let data = arg.get("data").unwrap_or(arg);
                    let id = self.owned_under(relation, parent, Operation::Update, None)?;
                    self.update_row(target, &id, data)?;
                }
                "upsert" => {
                    let (Some(create), Some(update)) = (arg.get("create"), arg.get("update"))
                    else {
                        return Err(Error::invalid_input(
                            Some(model),
                            "`upsert` needs `create` and `update`",
                        ));
                    };
                    if self.linked_owned(relation, parent)?.is_some() {
                        let id = self.owned_under(relation, parent, Operation::Update, None)?;
                        self.update_row(target, &id, update)?;
                    } else {
                        let id = self.create_row(target, create, &[])?;
                        keys = self.foreign_keys(relation, Some(&id))?;
                    }
                }
                // the parent's key follows the database's referential action
                "delete" => {
                    let filter = match arg {
                        Json::Bool(true) => None,
                        Json::Object(_) => Some(arg),
                        _ => {
                            return Err(Error::invalid_input(
                                Some(model),
                                format!("invalid `delete` argument `{arg}`"),
                            ))
                        }
                    };
                    let id = self.owned_under(relation, parent, Operation::Delete, filter)?;
                    self.delete_by_id(target, &id)?;
                }
                _ => {
                    let t = self.owned_target(relation, op, arg)?;
                    keys = self.foreign_keys(relation, t.as_ref())?;
                }
            }
        }
        Ok(keys)
    }

    /// The row an owned to-one relation of `parent` points at, if `op`'s
    /// rule allows it and it matches `filter`; otherwise `not-found`, as
    /// for a top-level write.
    fn owned_under(
        &self,
        relation: FieldId,
        parent: &RowId,
        op: Operation,
        filter: Option<&Json>,
    ) -> Result<RowId> {
        let target = self
            .schema()
            .field(relation)
            .related_model()
            .unwrap_or(relation.model);
        let not_found = || Error::not_found(self.model_name(target));
        let current = self.linked_owned(relation, parent)?.ok_or_else(not_found)?;
        let condition = Pred::And(vec![self.policy(target, op)?, self.id_condition(&current)]);
        self.target_ids(target, filter, condition, Some(1))?
            .pop()
            .ok_or_else(not_found)
    }

    /// The row an owned to-one relation of `parent` points at.
    fn linked_owned(&self, relation: FieldId, parent: &RowId) -> Result<Option<RowId>> {
        let target = self
            .schema()
            .field(relation)
            .related_model()
            .unwrap_or(relation.model);
        let pairs = relation_keys(self.schema(), relation);
        let near: Vec<FieldId> = pairs.iter().map(|(n, _)| *n).collect();
        let values = self.values_of(relation.model, parent, &near)?;
        if values.iter().any(Value::is_null) {
            return Ok(None);
        }
        let condition = Pred::And(
            pairs
                .iter()
                .zip(values)
                .map(|((_, far), v)| eq(self, *far, v))
                .collect(),
        );
        Ok(self
            .target_ids(target, None, condition, Some(1))?
            .into_iter()
            .next())
    }

    /// Operations on relations whose key is on the other side (or in a
    /// join table), after the parent row `parent` exists.
    pub(crate) fn nested_for_parent(
        &self,
        relation: FieldId,
        parent: &RowId,
        ops: &Json,
        updating: bool,
    ) -> Result<()> {
        let schema = self.schema();
        let field = schema.field(relation);
        let model = self.model_name(relation.model);
        let child = field.related_model().unwrap_or(relation.model);
        let m2m = is_many_to_many(schema, relation);
        let pairs = relation_keys(schema, relation);
        let near: Vec<FieldId> = pairs.iter().map(|(n, _)| *n).collect();
        let near_values = if m2m {
            Vec::new()
        } else {
            self.values_of(relation.model, parent, &near)?
        };
        let fixed: Vec<(FieldId, Value)> = pairs
            .iter()
            .map(|(_, far)| *far)
            .zip(near_values.iter().cloned())
            .collect();
        let linked = self.linked_condition(relation, parent, &fixed)?;
        // Through a join table, nested writes reach only the children the
        // caller can read, as ZenStack's do; `set` still replaces them all.
        let reachable = if m2m {
            Pred::And(vec![linked.clone(), self.policy(child, Operation::Read)?])
        } else {
            linked.clone()
        };
        for (op, arg) in ops_object(model, &field.name, ops)? {
            match op.as_str() {
                "create" => {
                    for data in each(arg) {
                        if m2m {
                            let id = self.create_row(child, data, &[])?;
                            self.link(relation, parent, &id)?;
                        } else {
                            self.create_row(child, data, &fixed)?;
                        }
                    }
                }
                "createMany" if !m2m => {
                    let Json::Object(many) = arg else {
                        return Err(Error::invalid_input(
                            Some(model),
                            "`createMany` needs `data`",
                        ));
                    };
                    only_keys(model, many, &["data", "skipDuplicates"])?;
                    let rows = many.get("data").ok_or_else(|| {
                        Error::invalid_input(Some(model), "`createMany` needs `data`")
                    })?;
                    let skip = super::create::skip_duplicates(model, many)?;
                    for data in each(rows) {
                        self.insert_row(child, data, &fixed, skip)?;
                    }
                }
                "connect" => {
                    for filter in each(arg) {
                        self.connect(relation, parent, child, filter, &fixed)?;
                    }
                }
                "connectOrCreate" => {
                    for item in each(arg) {
                        let (Some(filter), Some(create)) = (item.get("where"), item.get("create"))
                        else {
                            return Err(Error::invalid_input(
                                Some(model),
                                "`connectOrCreate` needs `where` and `create`",
                            ));
                        };
                        if self.find_one(child, filter, Operation::Read)?.is_some() {
                            self.connect(relation, parent, child, filter, &fixed)?;
                        } else if m2m {
                            let id = self.create_row(child, create, &[])?;
                            self.link(relation, parent, &id)?;
                        } else {
                            self.create_row(child, create, &fixed)?;
                        }
                    }
                }
                "disconnect" if updating => {
                    self.disconnect(relation, parent, child, arg, &reachable, &fixed)?
                }
                "set" if updating && field.ty.list => {
                    // children staying in the relation are not disconnected
                    // first: their update rule may depend on the link
                    let mut keep = Vec::new();
                    for filter in each(arg) {
                        let id = self
                            .find_one(child, filter, Operation::Read)?
                            .ok_or_else(|| Error::not_found(self.model_name(child)))?;
                        keep.push(self.id_condition(&id));
                    }
                    let leaving = Pred::And(vec![linked.clone(), Pred::negate(Pred::Or(keep))]);
                    self.disconnect(relation, parent, child, &Json::Bool(true), &leaving, &fixed)?;
                    for filter in each(arg) {
                        self.connect(relation, parent, child, filter, &fixed)?;
                    }
                }
                "update" | "updateMany" if updating => {
                    let many = op == "updateMany";
                    for item in each(arg) {
                        let (filter, data) = match (item.get("data"), field.ty.list) {
                            (Some(data), _) => (item.get("where"), data),
                            (None, false) => (None, item),
                            (None, true) => {
                                return Err(Error::invalid_input(
                                    Some(model),
                                    format!("`{op}` needs `where` and `data`"),
                                ))
                            }
                        };
                        let policy = self.policy(child, Operation::Update)?;
                        let ids = self.target_ids(
                            child,
                            filter,
                            Pred::And(vec![policy, reachable.clone()]),
                            None,
                        )?;
                        if ids.is_empty() && !many {
                            return Err(Error::not_found(self.model_name(child)));
                        }
                        for id in ids.iter().take(if many { usize::MAX } else { 1 }) {
                            self.update_row(child, id, data)?;
                        }
                    }
                }
                "upsert" if updating => {
                    for item in each(arg) {
                        let (Some(create), Some(update)) = (item.get("create"), item.get("update"))
                        else {
                            return Err(Error::invalid_input(
                                Some(model),
                                "`upsert` needs `create` and `update`",
                            ));
                        };
                        // P-130: update if the child's update rule allows, else create
                        let policy = self.policy(child, Operation::Update)?;
                        let found = self
                            .target_ids(
                                child,
                                item.get("where"),
                                Pred::And(vec![policy, reachable.clone()]),
                                Some(1),
                            )?
                            .pop();
                        match found {
                            Some(id) => {
                                self.update_row(child, &id, update)?;
                            }
                            None if m2m => {
                                let id = self.create_row(child, create, &[])?;
                                self.link(relation, parent, &id)?;
                            }
                            None => {
                                self.create_row(child, create, &fixed)?;
                            }
                        }
                    }
                }
                "delete" | "deleteMany" if updating => {
                    let many = op == "deleteMany";
                    for item in each(arg) {
                        let filter = match item {
                            Json::Bool(true) => None,
                            Json::Object(_) => Some(item),
                            _ => {
                                return Err(Error::invalid_input(
                                    Some(model),
                                    format!("invalid `{op}` argument `{item}`"),
                                ))
                            }
                        };
                        let policy = self.policy(child, Operation::Delete)?;
                        let ids = self.target_ids(
                            child,
                            filter,
                            Pred::And(vec![policy, reachable.clone()]),
                            None,
                        )?;
                        if ids.is_empty() && !many {
                            return Err(Error::not_found(self.model_name(child)));
                        }
                        for id in ids.iter().take(if many { usize::MAX } else { 1 }) {
                            self.delete_by_id(child, id)?;
                        }
                    }
                }
                other => {
                    return Err(Error::invalid_input(
                        Some(model),
                        format!("nested `{other}` is not available on `{}`", field.name),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Children of `relation` currently related to `parent`, as a
    /// condition about the child row (scope 0).
    fn linked_condition(
        &self,
        relation: FieldId,
        parent: &RowId,
        fixed: &[(FieldId, Value)],
    ) -> Result<Pred> {
        if !is_many_to_many(self.schema(), relation) {
            return Ok(Pred::And(
                fixed.iter().map(|(f, v)| eq(self, *f, v.clone())).collect(),
            ));
        }
        let opposite = self
            .schema()
            .field(relation)
            .relation
            .as_ref()
            .and_then(|r| r.opposite)
            .ok_or_else(|| {
                Error::not_supported(
                    Some(self.model_name(relation.model)),
                    "relation without an opposite field",
                )
            })?;
        // the join's own scope; a policy it is combined with numbers its
        // scopes inside their own subqueries, so they cannot clash
        let scope = 1;
        Ok(Pred::Collection {
            quantifier: Quantifier::Some,
            row: RowRef::this(),
            relation: opposite,
            scope,
            condition: Box::new(Pred::And(
                parent
                    .iter()
                    .map(|(f, v)| Pred::Cmp {
                        op: CmpOp::Eq,
                        lhs: Val::Column {
                            row: RowRef {
                                scope,
                                hops: Vec::new(),
                            },
                            field: *f,
                            ty: zgen_policy::scalar_of(self.schema(), *f),
                        },
                        rhs: Val::Const(v.clone()),
                    })
                    .collect(),
            )),
        })
    }

    /// Relates `child` matching `filter` to `parent`: an update of the
    /// child's key under its update rule (P-142), or a join row (P-144).
    fn connect(
        &self,
        relation: FieldId,
        parent: &RowId,
        child: ModelId,
        filter: &Json,
        fixed: &[(FieldId, Value)],
    ) -> Result<()> {
        if is_many_to_many(self.schema(), relation) {
            let id = self
                .find_one(child, filter, Operation::Read)?
                .ok_or_else(|| Error::not_found(self.model_name(child)))?;
            return self.link(relation, parent, &id);
        }
        let id = self
            .find_one(child, filter, Operation::Update)?
            .ok_or_else(|| Error::not_found(self.model_name(child)))?;
        self.check_field_updates(child, &id, fixed)?;
        self.update_checked(child, &id, fixed).map(drop)
    }

    /// Disconnects children matching `arg` (`true`: all, for `set` and
    /// to-one); ones the child's update rule does not allow are skipped.
    fn disconnect(
        &self,
        relation: FieldId,
        parent: &RowId,
        child: ModelId,
        arg: &Json,
        linked: &Pred,
        fixed: &[(FieldId, Value)],
    ) -> Result<()> {
        let filters: Vec<Option<&Json>> = match arg {
            Json::Bool(true) => vec![None],
            Json::Bool(false) => Vec::new(),
            other => each(other).into_iter().map(Some).collect(),
        };
        let m2m = is_many_to_many(self.schema(), relation);
        let child_rule = self.policy(child, Operation::Update)?;
        for filter in filters {
            let ids = self.target_ids(
                child,
                filter,
                Pred::And(vec![child_rule.clone(), linked.clone()]),
                None,
            )?;
            for id in ids {
                if m2m {
                    if self.holds(
                        relation.model,
                        parent,
                        &self.policy(relation.model, Operation::Update)?,
                    )? {
                        self.unlink(relation, parent, &id)?;
                    }
                } else {
                    let nulls: Vec<(FieldId, Value)> =
                        fixed.iter().map(|(f, _)| (*f, Value::Null)).collect();
                    self.check_field_updates(child, &id, &nulls)?;
                    self.update_checked(child, &id, &nulls)?;
                }
            }
        }
        Ok(())
    }

    /// `UPDATE … SET <assignments> WHERE <id>`, no rule of its own: callers
    /// have selected `id` under the right one.
    pub(crate) fn set_columns(
        &self,
        model: ModelId,
        id: &RowId,
        assignments: &[(FieldId, Value)],
    ) -> Result<()> {
        if assignments.is_empty() {
            return Ok(());
        }
        // a delegate sub-model's columns are spread over its bases' tables
        for (table, id, assignments) in self.assignments_by_level(model, id, assignments)? {
            let d = self.dialect();
            let mut sql = Sql::default();
            sql.push("UPDATE ");
            sql.ident(d, self.schema().model(table).db_name());
            sql.push(" SET ");
            for (i, (f, v)) in assignments.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.ident(d, self.schema().field(*f).db_name());
                sql.push(" = ");
                sql.param(d, v.clone());
            }
            sql.push(" WHERE ");
            write_id(self, &id, &mut sql);
            self.execute(&sql)?;
        }
        Ok(())
    }

    /// Inserts a join-table row; both ends must be updatable (P-144).
    fn link(&self, relation: FieldId, parent: &RowId, child: &RowId) -> Result<()> {
        let schema = self.schema();
        let join = join_table(schema, relation).ok_or_else(|| {
            Error::not_supported(
                Some(self.model_name(relation.model)),
                "many-to-many relation without a join table",
            )
        })?;
        for (model, id) in [(join.near_model, parent), (join.far_model, child)] {
            if !self.holds(model, id, &self.policy(model, Operation::Update)?)? {
                return Err(Error::rejected(
                    self.model_name(model),
                    PolicyReason::NoAccess,
                    format!(
                        "many-to-many relation participant model \"{}\" not updatable",
                        self.model_name(model)
                    ),
                ));
            }
        }
        let (near, far) = (first_id(parent), first_id(child));
        let d = self.dialect();
        let mut sql = Sql::default();
        sql.push("INSERT INTO ");
        sql.ident(d, &join.table);
        sql.push(" (");
        sql.ident(d, join.near_column);
        sql.push(", ");
        sql.ident(d, join.far_column);
        sql.push(") VALUES (");
        sql.param(d, near);
        sql.push(", ");
        sql.param(d, far);
        sql.push(") ON CONFLICT DO NOTHING");
        self.execute(&sql)?;
        Ok(())
    }

    fn unlink(&self, relation: FieldId, parent: &RowId, child: &RowId) -> Result<()> {
        let Some(join) = join_table(self.schema(), relation) else {
            return Ok(());
        };
        let d = self.dialect();
        let mut sql = Sql::default();
        sql.push("DELETE FROM ");
        sql.ident(d, &join.table);
        sql.push(" WHERE ");
        sql.ident(d, join.near_column);
        sql.push(" = ");
        sql.param(d, first_id(parent));
        sql.push(" AND ");
        sql.ident(d, join.far_column);
        sql.push(" = ");
        sql.param(d, first_id(child));
        self.execute(&sql)?;
        Ok(())
    }
}

fn first_id(id: &RowId) -> Value {
    id.first().map(|(_, v)| v.clone()).unwrap_or(Value::Null)
}

fn eq(client: &Client<'_>, field: FieldId, value: Value) -> Pred {
    Pred::Cmp {
        op: CmpOp::Eq,
        lhs: Val::Column {
            row: RowRef::this(),
            field,
            ty: zgen_policy::scalar_of(client.schema(), field),
        },
        rhs: Val::Const(value),
    }
}

/// `"id" = ? AND …` on the bare table (UPDATE and DELETE have no alias).
pub(crate) fn write_id(client: &Client<'_>, id: &RowId, sql: &mut Sql) {
    let d = client.dialect();
    if id.is_empty() {
        sql.push(d.bool_literal(false));
    }
    for (i, (f, v)) in id.iter().enumerate() {
        if i > 0 {
            sql.push(" AND ");
        }
        sql.ident(d, client.schema().field(*f).db_name());
        sql.push(" = ");
        sql.param(d, v.clone());
    }
}
