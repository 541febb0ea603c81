//! The reference semantics: a bound predicate evaluated in memory over plain
//! rows, with SQL's three-valued logic. Property tests compare it with what
//! the database returns for the compiled SQL.

use crate::bind::compare_consts;
use crate::ir::{LikeKind, Pred, Quantifier, RowRef, Val, Value};
use crate::storage::{join_table, relation_keys};
use std::collections::BTreeMap;
use zgen_sema::{FieldId, ModelId, Schema};

/// One row: a value per field of its model (relation fields hold `Null`).
pub type Row = Vec<Value>;

/// A whole database in memory.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Rows per model, indexed by `ModelId`.
    pub tables: Vec<Vec<Row>>,
    /// Implicit many-to-many join tables: name → (`A`, `B`) pairs.
    pub join_rows: BTreeMap<String, Vec<(Value, Value)>>,
    /// What `now()` returns.
    pub now: Value,
}

impl Dataset {
    pub fn new(schema: &Schema) -> Dataset {
        Dataset {
            tables: vec![Vec::new(); schema.models.len()],
            ..Dataset::default()
        }
    }

    fn rows(&self, model: ModelId) -> &[Row] {
        self.tables
            .get(model.index())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// A located row: which table and which position.
type RowAt = (ModelId, usize);

/// Evaluates `pred` for row `this`; `None` is SQL NULL.
pub fn eval(
    schema: &Schema,
    data: &Dataset,
    pred: &Pred,
    this: RowAt,
    before: Option<&Row>,
) -> Option<bool> {
    let mut scopes = BTreeMap::new();
    scopes.insert(0, this);
    Evaluator {
        schema,
        data,
        before,
    }
    .pred(pred, &mut scopes)
}

struct Evaluator<'a> {
    schema: &'a Schema,
    data: &'a Dataset,
    before: Option<&'a Row>,
}

type Scopes = BTreeMap<u32, RowAt>;

impl Evaluator<'_> {
    fn pred(&self, p: &Pred, scopes: &mut Scopes) -> Option<bool> {
        match p {
            Pred::True => Some(true),
            Pred::False => Some(false),
            Pred::Unknown
            | Pred::Unsupported(_)
            | Pred::InAuth { .. }
            // only query filters read into JSON; rules never do
            | Pred::JsonContains { .. }
            | Pred::AuthCollection { .. } => None,
            Pred::And(items) => {
                let mut result = Some(true);
                for item in items {
                    match self.pred(item, scopes) {
                        Some(false) => return Some(false),
                        None => result = None,
                        Some(true) => {}
                    }
                }
                result
            }
            Pred::Or(items) => {
                let mut result = Some(false);
                for item in items {
                    match self.pred(item, scopes) {
                        Some(true) => return Some(true),
                        None => result = None,
                        Some(false) => {}
                    }
                }
                result
            }
            Pred::Not(inner) => self.pred(inner, scopes).map(|b| !b),
            Pred::FalseIfNull(inner) => Some(self.pred(inner, scopes).unwrap_or(false)),
            Pred::Cmp { op, lhs, rhs } => {
                compare_consts(*op, &self.val(lhs, scopes), &self.val(rhs, scopes))
            }
            Pred::IsNull(v) => Some(self.val(v, scopes) == Value::Null),
            Pred::IsNotNull(v) => Some(self.val(v, scopes) != Value::Null),
            Pred::Truthy(v) => match self.val(v, scopes) {
                Value::Null => None,
                Value::Bool(b) => Some(b),
                Value::Int(i) => Some(i != 0),
                Value::Float(f) => Some(f != 0.0),
                _ => Some(false),
            },
            Pred::In { lhs, list } => {
                let l = self.val(lhs, scopes);
                let mut result = Some(false);
                for v in list {
                    match compare_consts(crate::ir::CmpOp::Eq, &l, &self.val(v, scopes)) {
                        Some(true) => return Some(true),
                        None => result = None,
                        Some(false) => {}
                    }
                }
                result
            }
            Pred::Like {
                kind,
                value,
                search,
                ..
            } => {
                let value = self.val(value, scopes);
                let search = self.val(search, scopes);
                like(*kind, &value, &search)
            }
            Pred::RelationIsNull { row, negated } => {
                let found = self.locate(row, scopes).is_some();
                Some(found == *negated)
            }
            Pred::Collection {
                quantifier,
                row,
                relation,
                scope,
                condition,
            } => {
                let Some(owner) = self.locate(row, scopes) else {
                    // No owner row: the correlated count finds nothing.
                    return Some(*quantifier != Quantifier::Some);
                };
                let mut matching = 0;
                for element in self.related(owner, *relation) {
                    scopes.insert(*scope, element);
                    let c = self.pred(condition, scopes);
                    let counts = match quantifier {
                        Quantifier::Some | Quantifier::None => c == Some(true),
                        Quantifier::Every => c == Some(false),
                    };
                    matching += usize::from(counts);
                }
                scopes.remove(scope);
                Some(match quantifier {
                    Quantifier::Some => matching > 0,
                    Quantifier::Every | Quantifier::None => matching == 0,
                })
            }
            Pred::ToOne {
                row,
                relation,
                scope,
                condition,
            } => {
                let owner = self.locate(row, scopes)?;
                let target = self.related(owner, *relation).into_iter().next()?;
                scopes.insert(*scope, target);
                let result = self.pred(condition, scopes);
                scopes.remove(scope);
                result
            }
        }
    }

    fn val(&self, v: &Val, scopes: &Scopes) -> Value {
        match v {
            Val::Const(c) => c.clone(),
            Val::Now => self.data.now.clone(),
            Val::Auth { .. } | Val::JsonPath { .. } => Value::Null,
            Val::Before { field, .. } => self
                .before
                .and_then(|row| row.get(field.index as usize))
                .cloned()
                .unwrap_or(Value::Null),
            Val::Column { row, field, .. } => self
                .locate(row, scopes)
                .and_then(|at| self.cell(at, *field))
                .unwrap_or(Value::Null),
        }
    }

    fn cell(&self, (model, index): RowAt, field: FieldId) -> Option<Value> {
        self.data
            .rows(model)
            .get(index)?
            .get(field.index as usize)
            .cloned()
    }

    /// The row a reference reaches, following to-one hops.
    fn locate(&self, row: &RowRef, scopes: &Scopes) -> Option<RowAt> {
        let mut at = *scopes.get(&row.scope)?;
        for hop in &row.hops {
            at = self.related(at, *hop).into_iter().next()?;
        }
        Some(at)
    }

    /// The rows related to `at` through `relation`.
    fn related(&self, at: RowAt, relation: FieldId) -> Vec<RowAt> {
        let Some(target) = self.schema.field(relation).related_model() else {
            return Vec::new();
        };
        if let Some(join) = join_table(self.schema, relation) {
            return self.related_m2m(at, target, &join);
        }
        let keys = relation_keys(self.schema, relation);
        if keys.is_empty() {
            return Vec::new();
        }
        let near: Option<Vec<Value>> = keys
            .iter()
            .map(|(n, _)| self.cell(at, *n).filter(|v| *v != Value::Null))
            .collect();
        let Some(near) = near else { return Vec::new() };
        self.data
            .rows(target)
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                keys.iter().zip(&near).all(|((_, far), v)| {
                    r.get(far.index as usize)
                        .is_some_and(|x| compare_consts(crate::ir::CmpOp::Eq, x, v) == Some(true))
                })
            })
            .map(|(i, _)| (target, i))
            .collect()
    }

    fn related_m2m(
        &self,
        at: RowAt,
        target: ModelId,
        join: &crate::storage::JoinTable,
    ) -> Vec<RowAt> {
        let (Some(near_id), Some(far_id)) = (
            crate::compile::id_fields(self.schema, join.near_model)
                .first()
                .copied(),
            crate::compile::id_fields(self.schema, join.far_model)
                .first()
                .copied(),
        ) else {
            return Vec::new();
        };
        let Some(near_key) = self.cell(at, near_id) else {
            return Vec::new();
        };
        let pairs = self
            .data
            .join_rows
            .get(&join.table)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let far_keys: Vec<&Value> = pairs
            .iter()
            .filter_map(|(a, b)| {
                let (near, far) = if join.near_column == "A" {
                    (a, b)
                } else {
                    (b, a)
                };
                (*near == near_key).then_some(far)
            })
            .collect();
        self.data
            .rows(target)
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.get(far_id.index as usize)
                    .is_some_and(|v| far_keys.contains(&v))
            })
            .map(|(i, _)| (target, i))
            .collect()
    }
}

/// SQLite's LIKE on an escaped search: ASCII case-insensitive.
fn like(kind: LikeKind, value: &Value, search: &Value) -> Option<bool> {
    let Value::Text(value) = value else {
        return None;
    };
    let search = match search {
        Value::Text(s) => s.to_ascii_lowercase(),
        Value::Null => String::new(),
        _ => return None,
    };
    let value = value.to_ascii_lowercase();
    Some(match kind {
        LikeKind::Contains => value.contains(&search),
        LikeKind::StartsWith => value.starts_with(&search),
        LikeKind::EndsWith => value.ends_with(&search),
        LikeKind::Equals => value == search,
    })
}
