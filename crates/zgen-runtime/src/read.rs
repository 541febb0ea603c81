//! Reads: one SELECT per model level with the read rule of every table it
//! touches, then related rows loaded level by level in batches, each under
//! its own model's read rule (P-100, P-101). Field-level read rules mask
//! columns to NULL (P-162).

use crate::args::filter::Filters;
use crate::args::select::{readable_column, FindArgs, Selection};
use crate::engine::{Client, DIALECT};
use crate::error::{Error, Result};
use crate::plan::{self, Plan, Shape};
use crate::row_json;
use crate::value::into_json;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::sync::Arc;
use zgen_policy::ir::{CmpOp, Pred, RowRef, Val, Value};
use zgen_policy::sql::{PathEnd, PredWriter, Sql};
use zgen_policy::storage::{join_table, relation_keys};
use zgen_policy::{id_fields, is_many_to_many};
use zgen_sema::{Field, FieldId, ModelId, Operation, Schema};

/// Keys per batch when loading related rows (well under SQLite's limit on
/// bound parameters).
pub(crate) const BATCH: usize = 400;

/// Rows of one model: every readable column, in [`Client::columns`] order,
/// plus the `_count`s the selection asked for.
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    pub columns: Vec<FieldId>,
    pub rows: Vec<Vec<Value>>,
    pub counts: Vec<Vec<i64>>,
}

impl Fetched {
    pub(crate) fn value(&self, row: usize, field: FieldId) -> &Value {
        self.columns
            .iter()
            .position(|c| *c == field)
            .and_then(|i| self.rows.get(row).and_then(|r| r.get(i)))
            .unwrap_or(&Value::Null)
    }
}

/// One `ORDER BY` term.
struct OrderTerm {
    expr: OrderExpr,
    desc: bool,
    nulls_first: Option<bool>,
}

enum OrderExpr {
    Column(FieldId),
    /// A field or a to-many relation's `_count` of the row reached
    /// through to-one relations: each hop's `(relation, scope, condition
    /// for its row to be seen)`, none for the row's own `_count`. NULL when
    /// a hop's row is missing or unseen, or the field is masked.
    Related {
        path: Vec<(FieldId, u32, Pred)>,
        end: PathEnd,
    },
}

/// How a read with a known argument shape runs.
enum Planned {
    /// The cached statement, with this read's parameters.
    Statement(Arc<Plan>, Vec<Value>),
    /// A fresh SELECT with these predicates added.
    Unplanned(Vec<Pred>),
}

impl<'a> Client<'a> {
    /// Readable rows of `model` matching `args` and `extra` (predicates
    /// about scope 0 built by `filters`), shaped as the selection asks.
    pub(crate) fn find(
        &self,
        model: ModelId,
        args: &FindArgs<'_>,
        filters: Filters<'_, 'a>,
        extra: Vec<Pred>,
    ) -> Result<Vec<Json>> {
        let fetched = self.fetch(model, args, filters, extra, true)?;
        self.shape(model, &args.selection, fetched)
    }

    /// The SELECT behind every read.
    pub(crate) fn fetch(
        &self,
        model: ModelId,
        args: &FindArgs<'_>,
        filters: Filters<'_, 'a>,
        extra: Vec<Pred>,
        paginate: bool,
    ) -> Result<Fetched> {
        let sql = self.select(model, args, filters, extra, paginate)?;
        self.fetch_rows(model, args, &sql.text, &sql.params, paginate)
    }

    /// Readable rows of `model` matching `args`, shaped as the selection
    /// asks, through the plan for the arguments' shape ([`crate::plan`]);
    /// without a shape, as [`Self::find`] does.
    pub(crate) fn find_planned(
        &self,
        model: ModelId,
        shape: Option<Shape>,
        args: &FindArgs<'_>,
    ) -> Result<Vec<Json>> {
        self.find_planned_as(model, shape, args, row_json::object, |row| row)
    }

    /// [`Self::find_planned`] with each row built by `flat` straight from
    /// the statement's columns when the read is scalar-only (no relations,
    /// counts, `distinct`, backwards `take` or sub-models to merge); other
    /// rows are shaped as JSON objects first and handed to `shaped`.
    pub(crate) fn find_planned_as<R>(
        &self,
        model: ModelId,
        shape: Option<Shape>,
        args: &FindArgs<'_>,
        flat: impl Fn(&Schema, &[row_json::Column<'_>], &rusqlite::Row<'_>) -> rusqlite::Result<R>,
        shaped: impl FnMut(Json) -> R,
    ) -> Result<Vec<R>> {
        let selection = &args.selection;
        let rows = match self.plan(model, shape, args)? {
            Planned::Statement(plan, params) => {
                let is_flat = selection.relations.is_empty()
                    && selection.counts.is_empty()
                    && args.distinct.is_empty()
                    && args.take.is_none_or(|t| t >= 0)
                    && !zgen_policy::delegate::is_delegate(self.schema(), model);
                if is_flat {
                    let schema = self.schema();
                    let columns = row_json::plan(schema, self.columns(model), &selection.scalars);
                    return self
                        .query_map(&plan.text, &params, |row| Ok(flat(schema, &columns, row)?));
                }
                let fetched = self.fetch_rows(model, args, &plan.text, &params, true)?;
                self.shape(model, selection, fetched)?
            }
            Planned::Unplanned(extra) => self.find(model, args, Filters::new(self), extra)?,
        };
        Ok(rows.into_iter().map(shaped).collect())
    }

    /// The cached plan for the arguments' shape (written on first use) and
    /// its parameters; or, without a shape or when the shape cannot be
    /// planned, the predicates to add to an unplanned read.
    fn plan(&self, model: ModelId, shape: Option<Shape>, args: &FindArgs<'_>) -> Result<Planned> {
        let Some(shape) = shape else {
            return Ok(Planned::Unplanned(Vec::new()));
        };
        let keyed = |value: &dyn Fn(usize) -> Value| -> Vec<Pred> {
            let first = shape.slots.len() - shape.keyed.len();
            shape
                .keyed
                .iter()
                .enumerate()
                .map(|(i, field)| self.column_is(*field, value(first + i)))
                .collect()
        };
        let plan = match self.bound.plans.get(&shape.key) {
            Some(plan) => plan,
            None => {
                let mut filters = Filters::new(self);
                filters.planning = true;
                let sql = self.select(model, args, filters, keyed(&plan::sentinel), true)?;
                let Some(plan) = Plan::new(sql, shape.slots.len()) else {
                    return Ok(Planned::Unplanned(keyed(&|i| shape.slots[i].clone())));
                };
                let plan = Arc::new(plan);
                self.bound.plans.put(shape.key.clone(), Arc::clone(&plan));
                plan
            }
        };
        let params = plan.params(&shape.slots);
        Ok(Planned::Statement(plan, params))
    }

    /// The text and parameters of [`Self::fetch`]'s SELECT.
    fn select(
        &self,
        model: ModelId,
        args: &FindArgs<'_>,
        mut filters: Filters<'_, 'a>,
        extra: Vec<Pred>,
        paginate: bool,
    ) -> Result<Sql> {
        let columns = self.columns(model);
        let mut conditions = vec![
            filters.readable(model, 0)?,
            filters.top_filter(model, args.filter)?,
        ];
        conditions.extend(extra);
        let masks: Vec<(FieldId, Pred)> = self
            .field_policies(model, Operation::Read)?
            .into_iter()
            .map(|(f, p)| (f, filters.scopes.embed(&p, 0)))
            .collect();
        let mut counts = Vec::with_capacity(args.selection.counts.len());
        for (relation, filter) in &args.selection.counts {
            counts.push(self.count_condition(&mut filters, *relation, *filter)?);
        }
        let mut order = self.order_terms(&mut filters, model, args.order_by)?;
        let backwards = args.take.is_some_and(|t| t < 0);
        if backwards {
            for t in &mut order {
                t.desc = !t.desc;
                t.nulls_first = t.nulls_first.map(|n| !n);
            }
        }
        let cursor = match args.cursor {
            Some(cursor) => {
                match self.cursor_values(&mut filters, model, cursor, &order, &masks)? {
                    Some(at) => Some(at),
                    None => {
                        conditions.push(Pred::False);
                        None
                    }
                }
            }
            None => None,
        };

        let mut w = self.writer("t0");
        let mut sql = Sql::default();
        sql.push("SELECT ");
        for (i, field) in columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.write_sort_value(&mut w, &OrderExpr::Column(*field), &masks, &mut sql);
        }
        for (relation, scope, condition) in &counts {
            sql.push(", ");
            w.count_related(&RowRef::this(), *relation, *scope, condition, &mut sql);
        }
        if columns.is_empty() && counts.is_empty() {
            sql.push("1");
        }
        sql.push(" FROM ");
        self.source(model, &mut sql);
        sql.push(" AS \"t0\" WHERE ");
        w.pred(&Pred::And(conditions), &mut sql);
        if let Some(at) = &cursor {
            self.write_cursor(&mut w, &order, &masks, at, &mut sql);
        }
        self.write_order(&mut w, &order, &masks, &mut sql);
        if paginate && args.distinct.is_empty() {
            self.write_limit(args.skip, args.take.map(i64::abs), &mut sql);
        }
        Ok(sql)
    }

    /// Runs a SELECT from [`Self::select`] and applies what SQL did not:
    /// `distinct`, and the order of a backwards `take`.
    fn fetch_rows(
        &self,
        model: ModelId,
        args: &FindArgs<'_>,
        text: &str,
        params: &[Value],
        paginate: bool,
    ) -> Result<Fetched> {
        let columns = self.columns(model);
        let backwards = args.take.is_some_and(|t| t < 0);
        let in_memory = !args.distinct.is_empty();
        let raw = self.query_text(text, params)?;
        let mut fetched = Fetched {
            columns: columns.to_vec(),
            ..Fetched::default()
        };
        for mut row in raw {
            let count_values: Vec<i64> = row
                .split_off(columns.len())
                .into_iter()
                .map(|v| if let Value::Int(n) = v { n } else { 0 })
                .collect();
            let row = row
                .into_iter()
                .zip(columns)
                .map(|(v, f)| self.typed(*f, v))
                .collect();
            fetched.rows.push(row);
            fetched.counts.push(count_values);
        }
        if in_memory {
            self.distinct(&mut fetched, &args.distinct);
            if paginate {
                paginate_in_memory(&mut fetched, args.skip, args.take.map(i64::abs));
            }
        }
        if backwards {
            fetched.rows.reverse();
            fetched.counts.reverse();
        }
        Ok(fetched)
    }

    /// A stored value read back with its field's type (Booleans).
    fn typed(&self, field: FieldId, v: Value) -> Value {
        match (zgen_policy::scalar_of(self.schema(), field), v) {
            (zgen_sema::Scalar::Boolean, Value::Int(i)) => Value::Bool(i != 0),
            (_, v) => v,
        }
    }

    fn distinct(&self, fetched: &mut Fetched, fields: &[FieldId]) {
        let mut seen = Vec::<Vec<String>>::new();
        let mut keep = Vec::with_capacity(fetched.rows.len());
        for i in 0..fetched.rows.len() {
            let key: Vec<String> = fields
                .iter()
                .map(|f| format!("{:?}", fetched.value(i, *f)))
                .collect();
            keep.push(!seen.contains(&key));
            if !seen.contains(&key) {
                seen.push(key);
            }
        }
        let mut k = keep.iter();
        fetched.rows.retain(|_| k.next().copied().unwrap_or(false));
        let mut k = keep.iter();
        fetched
            .counts
            .retain(|_| k.next().copied().unwrap_or(false));
    }

    fn write_limit(&self, skip: Option<i64>, take: Option<i64>, sql: &mut Sql) {
        if skip.is_none() && take.is_none() {
            return;
        }
        sql.push(" LIMIT ");
        sql.int(take.unwrap_or(-1));
        sql.push(" OFFSET ");
        sql.int(skip.unwrap_or(0).max(0));
    }

    /// The `(relation, scope, condition)` of a `_count` column.
    fn count_condition(
        &self,
        filters: &mut Filters<'_, 'a>,
        relation: FieldId,
        filter: Option<&Json>,
    ) -> Result<(FieldId, u32, Pred)> {
        let target = self
            .schema()
            .field(relation)
            .related_model()
            .ok_or_else(|| Error::invalid_input(None, "`_count` of a non-relation"))?;
        let (scope, readable) = filters.through(relation, 0)?;
        let filter = filters.filter(target, scope, filter)?;
        Ok((relation, scope, Pred::And(vec![readable, filter])))
    }

    fn order_terms(
        &self,
        filters: &mut Filters<'_, 'a>,
        model: ModelId,
        order_by: Option<&Json>,
    ) -> Result<Vec<OrderTerm>> {
        let name = self.model_name(model);
        let items: Vec<&Json> = match order_by {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
        };
        let mut terms = Vec::new();
        for item in items {
            let Json::Object(obj) = item else {
                return Err(Error::invalid_input(
                    Some(name),
                    format!("invalid `orderBy` entry `{item}`"),
                ));
            };
            for (key, value) in obj {
                terms.push(self.order_term(filters, model, key, value)?);
            }
        }
        // Ties broken by id, so pages and cursors are stable.
        for id in id_fields(self.schema(), model) {
            if !terms
                .iter()
                .any(|t| matches!(t.expr, OrderExpr::Column(f) if f == id))
            {
                terms.push(OrderTerm {
                    expr: OrderExpr::Column(id),
                    desc: false,
                    nulls_first: None,
                });
            }
        }
        Ok(terms)
    }

    fn order_term(
        &self,
        filters: &mut Filters<'_, 'a>,
        model: ModelId,
        key: &str,
        value: &Json,
    ) -> Result<OrderTerm> {
        let schema = self.schema();
        let name = self.model_name(model);
        let invalid = |msg: String| Error::invalid_input(Some(name), msg);
        let Some((index, field)) = schema.model(model).field_by_name(key) else {
            return Err(invalid(format!("unknown field `{key}` in `orderBy`")));
        };
        let id = FieldId { model, index };
        if !field.is_relation() {
            if !readable_column(field) {
                return Err(invalid(format!("cannot order by `{key}`")));
            }
            let (desc, nulls_first) = direction(value)
                .ok_or_else(|| invalid(format!("invalid sort order for `{key}`")))?;
            if nulls_first.is_some() && !field.ty.optional {
                return Err(invalid(format!(
                    "`nulls` applies to optional fields only, `{key}` is required"
                )));
            }
            return Ok(OrderTerm {
                expr: OrderExpr::Column(id),
                desc,
                nulls_first,
            });
        }
        if field.related_model().is_none() {
            return Err(invalid(format!("cannot order by `{key}`")));
        }
        self.related_order(filters, id, value)
    }

    /// Ordering by what the `relation` of the row of scope 0 leads to: a
    /// to-many relation's `_count`, or through a chain of to-one relations
    /// a field or a further `_count`; each hop under its model's read rule
    /// and its foreign key's.
    fn related_order(
        &self,
        filters: &mut Filters<'_, 'a>,
        mut relation: FieldId,
        mut value: &Json,
    ) -> Result<OrderTerm> {
        let schema = self.schema();
        let name = self.model_name(relation.model);
        let invalid = |msg: String| Error::invalid_input(Some(name), msg);
        let mut path = Vec::new();
        let mut scope = 0;
        loop {
            let field = schema.field(relation);
            let key = &field.name;
            let (inner_key, inner_value) = single_entry(name, key, value)?;
            let (hop, readable) = filters.through(relation, scope)?;
            if field.ty.list {
                if inner_key != "_count" {
                    return Err(invalid(format!(
                        "a to-many relation orders only by `_count`, not `{inner_key}`"
                    )));
                }
                let (desc, nulls_first) =
                    direction(inner_value).ok_or_else(|| invalid("invalid sort order".into()))?;
                let end = PathEnd::Count {
                    relation,
                    scope: hop,
                    condition: readable,
                };
                return Ok(OrderTerm {
                    expr: OrderExpr::Related { path, end },
                    desc,
                    nulls_first,
                });
            }
            scope = hop;
            path.push((relation, scope, readable));
            let target = field
                .related_model()
                .ok_or_else(|| invalid(format!("cannot order by `{key}`")))?;
            let Some((index, far)) = schema.model(target).field_by_name(inner_key) else {
                return Err(invalid(format!("unknown field `{inner_key}` in `orderBy`")));
            };
            let far_id = FieldId {
                model: target,
                index,
            };
            if far.is_relation() {
                relation = far_id;
                value = inner_value;
                continue;
            }
            if !readable_column(far) {
                return Err(invalid(format!("cannot order by `{inner_key}`")));
            }
            let (desc, nulls_first) =
                direction(inner_value).ok_or_else(|| invalid("invalid sort order".into()))?;
            // a masked column sorts as `null`, like a missing row
            let masked = filters.visible(&[far_id], scope)?;
            if let Some((_, _, readable)) = path.last_mut() {
                *readable = Pred::And(vec![std::mem::replace(readable, Pred::True), masked]);
            }
            return Ok(OrderTerm {
                expr: OrderExpr::Related {
                    path,
                    end: PathEnd::Column(far_id),
                },
                desc,
                nulls_first,
            });
        }
    }

    /// `ORDER BY`; a masked column sorts by the value the reader sees.
    fn write_order(
        &self,
        w: &mut PredWriter<'a>,
        order: &[OrderTerm],
        masks: &[(FieldId, Pred)],
        sql: &mut Sql,
    ) {
        if order.is_empty() {
            return;
        }
        sql.push(" ORDER BY ");
        for (i, t) in order.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.write_sort_value(w, &t.expr, masks, sql);
            sql.push(if t.desc { " DESC" } else { " ASC" });
            match t.nulls_first {
                Some(true) => sql.push(" NULLS FIRST"),
                Some(false) => sql.push(" NULLS LAST"),
                None => {}
            }
        }
    }

    /// The value of one `ORDER BY` term for the row `t0`, as the reader
    /// sees it (a masked column is NULL); also how columns are selected.
    fn write_sort_value(
        &self,
        w: &mut PredWriter<'a>,
        expr: &OrderExpr,
        masks: &[(FieldId, Pred)],
        sql: &mut Sql,
    ) {
        match expr {
            OrderExpr::Column(f) => {
                let column = Val::Column {
                    row: RowRef::this(),
                    field: *f,
                    ty: zgen_policy::scalar_of(self.schema(), *f),
                };
                match masks.iter().find(|(m, _)| m == f) {
                    Some((_, mask)) => {
                        sql.push("CASE WHEN ");
                        w.pred(mask, sql);
                        sql.push(" THEN ");
                        w.val(&column, sql);
                        sql.push(" ELSE NULL END");
                    }
                    None => w.val(&column, sql),
                }
            }
            OrderExpr::Related { path, end } => w.related_value(&RowRef::this(), path, end, sql),
        }
    }

    /// The sort values of the cursor row (read under the read rule, as the
    /// reader sees them), or `None` when the reader sees no such row.
    fn cursor_values(
        &self,
        filters: &mut Filters<'_, 'a>,
        model: ModelId,
        cursor: &Json,
        order: &[OrderTerm],
        masks: &[(FieldId, Pred)],
    ) -> Result<Option<Vec<Value>>> {
        let condition = Pred::And(vec![
            filters.readable(model, 0)?,
            filters.top_filter(model, Some(cursor))?,
        ]);
        let mut w = self.writer("t0");
        let mut sql = Sql::default();
        sql.push("SELECT ");
        for (i, t) in order.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            self.write_sort_value(&mut w, &t.expr, masks, &mut sql);
        }
        sql.push(" FROM ");
        self.source(model, &mut sql);
        sql.push(" AS \"t0\" WHERE ");
        w.pred(&condition, &mut sql);
        sql.push(" LIMIT 1");
        Ok(self.query(&sql)?.into_iter().next())
    }

    /// ` AND (…)`: rows at or after the cursor row, whose sort values are
    /// `at`, in the sort order (Prisma's cursor is inclusive):
    /// `(a after va) ∨ (a = va ∧ b after vb) ∨ … ∨ (all equal)`, `null`s
    /// placed where `ORDER BY` places them. Each value is bound whether or
    /// not it is `null`, so the text depends on the ordering alone.
    fn write_cursor(
        &self,
        w: &mut PredWriter<'a>,
        order: &[OrderTerm],
        masks: &[(FieldId, Pred)],
        at: &[Value],
        sql: &mut Sql,
    ) {
        sql.push(" AND (");
        for i in 0..=order.len() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(1");
            for (t, v) in order[..i].iter().zip(at) {
                sql.push(" AND ");
                self.write_sort_value(w, &t.expr, masks, sql);
                sql.push(" IS ");
                sql.param(DIALECT, v.clone());
            }
            if let (Some(t), Some(v)) = (order.get(i), at.get(i)) {
                // SQLite sorts nulls first unless told otherwise
                let nulls_first = t.nulls_first.unwrap_or(!t.desc);
                sql.push(" AND (");
                self.write_sort_value(w, &t.expr, masks, sql);
                sql.push(if t.desc { " < " } else { " > " });
                sql.param(DIALECT, v.clone());
                sql.push(" OR ");
                self.write_sort_value(w, &t.expr, masks, sql);
                sql.push(if nulls_first {
                    " IS NOT NULL AND "
                } else {
                    " IS NULL AND "
                });
                sql.param(DIALECT, v.clone());
                sql.push(if nulls_first {
                    " IS NULL)"
                } else {
                    " IS NOT NULL)"
                });
            }
            sql.push(")");
        }
        sql.push(")");
    }

    /// Result objects of `fetched` with the selected fields and relations.
    pub(crate) fn shape(
        &self,
        model: ModelId,
        selection: &Selection<'_>,
        fetched: Fetched,
    ) -> Result<Vec<Json>> {
        let schema = self.schema();
        // Relations read the parent keys, so they load before the rows are
        // taken apart.
        let mut related = Vec::with_capacity(selection.relations.len());
        for (relation, args) in &selection.relations {
            related.push(
                self.load_related(model, *relation, args, &fetched)?
                    .into_iter(),
            );
        }
        // Where each selected scalar sits in a fetched row.
        let slots: Vec<(&Field, Option<usize>)> = selection
            .scalars
            .iter()
            .map(|f| {
                (
                    schema.field(*f),
                    fetched.columns.iter().position(|c| c == f),
                )
            })
            .collect();
        let mut sub_fields = self
            .sub_model_fields(model, selection, &fetched)?
            .into_iter();
        let mut out = Vec::with_capacity(fetched.rows.len());
        for (i, mut row) in fetched.rows.into_iter().enumerate() {
            let mut obj = Map::with_capacity(slots.len() + related.len() + 1);
            for (field, slot) in &slots {
                let value = slot
                    .and_then(|k| row.get_mut(k))
                    .map(std::mem::take)
                    .unwrap_or(Value::Null);
                obj.insert(field.name.clone(), into_json(schema, field, value));
            }
            for ((relation, _), values) in selection.relations.iter().zip(&mut related) {
                let name = schema.field(*relation).name.clone();
                obj.insert(name, values.next().unwrap_or(Json::Null));
            }
            if !selection.counts.is_empty() {
                let counts: Map<String, Json> = selection
                    .counts
                    .iter()
                    .enumerate()
                    .map(|(k, (rel, _))| {
                        let n = fetched
                            .counts
                            .get(i)
                            .and_then(|c| c.get(k))
                            .copied()
                            .unwrap_or(0);
                        (schema.field(*rel).name.clone(), Json::from(n))
                    })
                    .collect();
                obj.insert("_count".into(), Json::Object(counts));
            }
            obj.extend(sub_fields.next().unwrap_or_default());
            out.push(Json::Object(obj));
        }
        Ok(out)
    }

    /// The value of `relation` for every parent row: a list, an object or
    /// `null` (an unreadable to-one is `null`, P-101).
    fn load_related(
        &self,
        model: ModelId,
        relation: FieldId,
        args: &FindArgs<'_>,
        parents: &Fetched,
    ) -> Result<Vec<Json>> {
        let schema = self.schema();
        let field = schema.field(relation);
        let target = field
            .related_model()
            .ok_or_else(|| Error::invalid_input(Some(self.model_name(model)), "not a relation"))?;
        let to_many = field.ty.list;
        // parent index → child row indexes in order
        let (children, groups) = if is_many_to_many(schema, relation) {
            self.load_many_to_many(relation, target, args, parents)?
        } else {
            self.load_by_keys(relation, target, args, parents)?
        };
        let shaped = self.shape(target, &args.selection, children)?;
        Ok(groups
            .into_iter()
            .map(|rows| {
                if to_many {
                    let mut items: Vec<Json> = rows
                        .iter()
                        .filter_map(|r| shaped.get(*r).cloned())
                        .collect();
                    slice(&mut items, args.skip, args.take);
                    Json::Array(items)
                } else {
                    rows.first()
                        .and_then(|r| shaped.get(*r).cloned())
                        .unwrap_or(Json::Null)
                }
            })
            .collect())
    }

    /// Related rows through a foreign key on either side.
    fn load_by_keys(
        &self,
        relation: FieldId,
        target: ModelId,
        args: &FindArgs<'_>,
        parents: &Fetched,
    ) -> Result<(Fetched, Vec<Vec<usize>>)> {
        let pairs = relation_keys(self.schema(), relation);
        let key_of = |row: usize| -> Option<Vec<Value>> {
            let key: Vec<Value> = pairs
                .iter()
                .map(|(near, _)| parents.value(row, *near).clone())
                .collect();
            (!key.contains(&Value::Null)).then_some(key)
        };
        let mut keys: Vec<Vec<Value>> = Vec::new();
        for row in 0..parents.rows.len() {
            if let Some(k) = key_of(row) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        let far: Vec<FieldId> = pairs.iter().map(|(_, f)| *f).collect();
        let children = self.fetch_in(target, args, &far, &keys)?;
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for i in 0..children.rows.len() {
            let key: Vec<Value> = far.iter().map(|f| children.value(i, *f).clone()).collect();
            by_key.entry(format!("{key:?}")).or_default().push(i);
        }
        let groups = (0..parents.rows.len())
            .map(|row| {
                key_of(row)
                    .and_then(|k| by_key.get(&format!("{k:?}")).cloned())
                    .unwrap_or_default()
            })
            .collect();
        Ok((children, groups))
    }

    /// Related rows through an implicit join table; a join row counts only
    /// when both ends are readable (P-103): the parent was read under its
    /// rule, the child is read under its own.
    fn load_many_to_many(
        &self,
        relation: FieldId,
        target: ModelId,
        args: &FindArgs<'_>,
        parents: &Fetched,
    ) -> Result<(Fetched, Vec<Vec<usize>>)> {
        let schema = self.schema();
        let (Some(join), Some(near_id), Some(far_id)) = (
            join_table(schema, relation),
            id_fields(schema, relation.model).first().copied(),
            id_fields(schema, target).first().copied(),
        ) else {
            return Err(Error::not_supported(
                Some(self.model_name(relation.model)),
                "many-to-many relation without single ids",
            ));
        };
        let parent_ids: Vec<Value> = (0..parents.rows.len())
            .map(|r| parents.value(r, near_id).clone())
            .collect();
        let mut pairs: Vec<(Value, Value)> = Vec::new();
        for chunk in parent_ids.chunks(BATCH) {
            let mut sql = Sql::default();
            let d = self.dialect();
            sql.push("SELECT ");
            sql.ident(d, join.near_column);
            sql.push(", ");
            sql.ident(d, join.far_column);
            sql.push(" FROM ");
            sql.ident(d, &join.table);
            sql.push(" WHERE ");
            sql.ident(d, join.near_column);
            sql.push(" IN (");
            for (i, v) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.param(d, v.clone());
            }
            sql.push(")");
            for row in self.query(&sql)? {
                if let [a, b] = row.as_slice() {
                    pairs.push((a.clone(), b.clone()));
                }
            }
        }
        let mut child_keys: Vec<Vec<Value>> = Vec::new();
        for (_, b) in &pairs {
            let k = vec![b.clone()];
            if !child_keys.contains(&k) {
                child_keys.push(k);
            }
        }
        let children = self.fetch_in(target, args, &[far_id], &child_keys)?;
        let position: HashMap<String, usize> = (0..children.rows.len())
            .map(|i| (format!("{:?}", children.value(i, far_id)), i))
            .collect();
        let groups = parent_ids
            .iter()
            .map(|pid| {
                let mut rows: Vec<usize> = pairs
                    .iter()
                    .filter(|(a, _)| same(a, pid))
                    .filter_map(|(_, b)| position.get(&format!("{b:?}")).copied())
                    .collect();
                // keep the children's query order
                rows.sort_unstable();
                rows
            })
            .collect();
        Ok((children, groups))
    }

    /// Rows of `target` whose `fields` take one of `keys`, in batches, all
    /// in the order the arguments ask for (pagination is per parent).
    fn fetch_in(
        &self,
        target: ModelId,
        args: &FindArgs<'_>,
        fields: &[FieldId],
        keys: &[Vec<Value>],
    ) -> Result<Fetched> {
        let mut all = Fetched {
            columns: self.columns(target).to_vec(),
            ..Fetched::default()
        };
        for chunk in keys.chunks(BATCH) {
            let column = |f: FieldId| Val::Column {
                row: RowRef::this(),
                field: f,
                ty: zgen_policy::scalar_of(self.schema(), f),
            };
            let restriction = if let [f] = fields {
                Pred::In {
                    lhs: column(*f),
                    list: chunk
                        .iter()
                        .filter_map(|k| k.first().cloned())
                        .map(Val::Const)
                        .collect(),
                }
            } else {
                Pred::Or(
                    chunk
                        .iter()
                        .map(|k| {
                            Pred::And(
                                fields
                                    .iter()
                                    .zip(k)
                                    .map(|(f, v)| Pred::Cmp {
                                        op: CmpOp::Eq,
                                        lhs: column(*f),
                                        rhs: Val::Const(v.clone()),
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            };
            let part = self.fetch(target, args, Filters::new(self), vec![restriction], false)?;
            all.rows.extend(part.rows);
            all.counts.extend(part.counts);
        }
        Ok(all)
    }
}

/// The one `field: value` entry of the `orderBy` object of relation `key`.
fn single_entry<'j>(model: &str, key: &str, value: &'j Json) -> Result<(&'j String, &'j Json)> {
    let invalid = |msg: String| Error::invalid_input(Some(model), msg);
    let Json::Object(inner) = value else {
        return Err(invalid(format!(
            "`orderBy` of relation `{key}` expects an object"
        )));
    };
    match inner.iter().next() {
        Some(kv) if inner.len() == 1 => Ok(kv),
        _ => Err(invalid(format!(
            "`orderBy` of `{key}` takes exactly one field"
        ))),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// `'asc'`, `'desc'` or `{ sort, nulls }`.
pub(crate) fn direction(v: &Json) -> Option<(bool, Option<bool>)> {
    match v {
        Json::String(s) if s == "asc" => Some((false, None)),
        Json::String(s) if s == "desc" => Some((true, None)),
        Json::Object(o) => {
            let (desc, _) = direction(o.get("sort")?)?;
            let nulls = match o.get("nulls") {
                None => None,
                Some(Json::String(n)) if n == "first" => Some(true),
                Some(Json::String(n)) if n == "last" => Some(false),
                Some(_) => return None,
            };
            Some((desc, nulls))
        }
        _ => None,
    }
}

fn slice(items: &mut Vec<Json>, skip: Option<i64>, take: Option<i64>) {
    let skip = usize::try_from(skip.unwrap_or(0)).unwrap_or(0);
    items.drain(..skip.min(items.len()));
    match take {
        Some(t) if t >= 0 => items.truncate(usize::try_from(t).unwrap_or(usize::MAX)),
        Some(t) => {
            let keep = usize::try_from(t.unsigned_abs()).unwrap_or(usize::MAX);
            let drop = items.len().saturating_sub(keep);
            items.drain(..drop);
        }
        None => {}
    }
}

fn paginate_in_memory(fetched: &mut Fetched, skip: Option<i64>, take: Option<i64>) {
    let skip = usize::try_from(skip.unwrap_or(0))
        .unwrap_or(0)
        .min(fetched.rows.len());
    fetched.rows.drain(..skip);
    fetched.counts.drain(..skip.min(fetched.counts.len()));
    if let Some(t) = take.and_then(|t| usize::try_from(t).ok()) {
        fetched.rows.truncate(t);
        fetched.counts.truncate(t);
    }
}
