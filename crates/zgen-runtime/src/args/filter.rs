//! `where` objects in Prisma's shape lowered into the policy IR, so a
//! filter and the rules it is combined with are written by one SQL writer.
//! Relation filters see only rows their model's read rules allow (P-102).

use crate::engine::Client;
use crate::error::{Error, Result};
use crate::json_null::JsonNull;
use crate::value::{scalar_to_db, Stored};
use serde_json::{Map, Value as Json};
use zgen_policy::ir::{CmpOp, LikeKind, Pred, Quantifier, RowRef, Val, Value};
use zgen_sema::{FieldId, ModelId, Operation, RelationKind};

mod json_path;

/// Hands out scope numbers for one statement: 0 is the statement's own
/// row; every relation filter and embedded policy gets fresh ones.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    next: u32,
}

impl Scopes {
    pub(crate) fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// `pred`, written about scope 0, re-homed to `scope` with fresh numbers
    /// for the scopes inside it.
    pub(crate) fn embed(&mut self, pred: &Pred, scope: u32) -> Pred {
        let offset = self.next;
        self.next += pred.max_scope() + 1;
        pred.map_scopes(&|s| if s == 0 { scope } else { offset + s })
    }
}

/// Lowers filters of one statement.
pub(crate) struct Filters<'c, 'a> {
    pub client: &'c Client<'a>,
    pub scopes: Scopes,
    /// Writing a plan: the top-level `where` entries that are slots get
    /// sentinels, in order ([`crate::plan`]).
    pub planning: bool,
}

impl<'c, 'a> Filters<'c, 'a> {
    pub(crate) fn new(client: &'c Client<'a>) -> Self {
        Filters {
            client,
            scopes: Scopes::default(),
            planning: false,
        }
    }

    /// The statement's own `where` (about scope 0). When planning, the
    /// entries [`crate::plan::shape`] made slots compare with sentinels.
    pub(crate) fn top_filter(&mut self, model: ModelId, json: Option<&Json>) -> Result<Pred> {
        let (true, Some(Json::Object(obj))) = (self.planning, json) else {
            return self.filter(model, 0, json);
        };
        let mut parts = Vec::with_capacity(obj.len());
        let mut slots = 0;
        for (key, value) in obj {
            let Some((field, ty, _)) = self.client.slot(model, key, value) else {
                parts.push(self.entry(model, 0, key, value)?);
                continue;
            };
            parts.push(Pred::Cmp {
                op: CmpOp::Eq,
                lhs: Val::Column {
                    row: RowRef::this(),
                    field,
                    ty,
                },
                rhs: Val::Const(crate::plan::sentinel(slots)),
            });
            slots += 1;
        }
        Ok(Pred::And(parts))
    }

    fn invalid(&self, model: ModelId, message: impl Into<String>) -> Error {
        Error::invalid_input(Some(self.client.model_name(model)), message)
    }

    /// The read rule of `model`, about the row of `scope`.
    pub(crate) fn readable(&mut self, model: ModelId, scope: u32) -> Result<Pred> {
        let policy = self.client.policy(model, Operation::Read)?;
        Ok(self.scopes.embed(&policy, scope))
    }

    /// A fresh scope for the rows of `relation` seen from the row of
    /// `scope`, and the condition for such a row to be seen at all: its read
    /// rule, and the read rules of the foreign key the join follows. A
    /// masked key hides the relation (P-163), so filters, `_count` and
    /// `orderBy` must not probe its value.
    pub(crate) fn through(&mut self, relation: FieldId, scope: u32) -> Result<(u32, Pred)> {
        let schema = self.client.schema();
        let field = schema.field(relation);
        let target = field.related_model().ok_or_else(|| {
            self.invalid(
                relation.model,
                format!("`{}` is not a relation", field.name),
            )
        })?;
        let element = self.scopes.fresh();
        let mut parts = vec![self.readable(target, element)?];
        let (keys, key_scope) = match &field.relation {
            Some(r) if r.is_owner() => (r.fields.clone(), scope),
            Some(r) => match r.opposite.and_then(|o| schema.field(o).relation.as_ref()) {
                Some(far) => (far.fields.clone(), element),
                None => (Vec::new(), element),
            },
            None => (Vec::new(), element),
        };
        parts.push(self.visible(&keys, key_scope)?);
        Ok((element, Pred::And(parts)))
    }

    /// The read rules of `fields` (all of one model), about the row of
    /// `scope`: whether the reader sees their values rather than `null`.
    pub(crate) fn visible(&mut self, fields: &[FieldId], scope: u32) -> Result<Pred> {
        let Some(first) = fields.first() else {
            return Ok(Pred::True);
        };
        let mut parts = Vec::new();
        for (masked, rule) in self.client.field_policies(first.model, Operation::Read)? {
            if fields.contains(&masked) {
                parts.push(self.scopes.embed(&rule, scope));
            }
        }
        Ok(Pred::And(parts))
    }

    /// A `where` object about the `model` row of `scope`. `null` or a
    /// missing `where` matches everything.
    pub(crate) fn filter(
        &mut self,
        model: ModelId,
        scope: u32,
        json: Option<&Json>,
    ) -> Result<Pred> {
        let obj = match json {
            None | Some(Json::Null) => return Ok(Pred::True),
            Some(Json::Object(obj)) => obj,
            Some(other) => {
                return Err(self.invalid(model, format!("`where` must be an object, got `{other}`")))
            }
        };
        let mut parts = Vec::with_capacity(obj.len());
        for (key, value) in obj {
            parts.push(self.entry(model, scope, key, value)?);
        }
        Ok(Pred::And(parts))
    }

    fn entry(&mut self, model: ModelId, scope: u32, key: &str, value: &Json) -> Result<Pred> {
        match key {
            "AND" => Ok(Pred::And(self.each(model, scope, value)?)),
            "OR" => match value {
                Json::Array(_) => Ok(Pred::Or(self.each(model, scope, value)?)),
                _ => Err(self.invalid(model, "`OR` expects an array of filters")),
            },
            "NOT" => Ok(Pred::negate(Pred::And(self.each(model, scope, value)?))),
            _ => {
                let schema = self.client.schema();
                let Some((index, field)) = schema.model(model).field_by_name(key) else {
                    return self.compound_key(model, scope, key, value);
                };
                let id = FieldId { model, index };
                if field.is_relation() {
                    self.relation(id, scope, value)
                } else {
                    self.scalar(id, scope, value)
                }
            }
        }
    }

    /// `email_orgId: { email, orgId }`: every field of a compound key.
    fn compound_key(
        &mut self,
        model: ModelId,
        scope: u32,
        key: &str,
        value: &Json,
    ) -> Result<Pred> {
        let schema = self.client.schema();
        let keys = self.client.unique_keys(model);
        let Some(k) = keys.iter().find(|k| k.name.as_deref() == Some(key)) else {
            return Err(self.invalid(model, format!("unknown field `{key}` in `where`")));
        };
        let Json::Object(values) = value else {
            return Err(self.invalid(model, format!("`{key}` expects an object of its fields")));
        };
        let mut parts = Vec::with_capacity(k.fields.len());
        for f in &k.fields {
            let name = &schema.field(*f).name;
            let Some(v) = values.get(name) else {
                return Err(self.invalid(model, format!("`{key}` is missing `{name}`")));
            };
            parts.push(self.scalar(*f, scope, v)?);
        }
        Ok(Pred::And(parts))
    }

    /// `AND`/`NOT` take an object or an array of objects.
    fn each(&mut self, model: ModelId, scope: u32, value: &Json) -> Result<Vec<Pred>> {
        match value {
            Json::Array(items) => items
                .iter()
                .map(|i| self.filter(model, scope, Some(i)))
                .collect(),
            other => Ok(vec![self.filter(model, scope, Some(other))?]),
        }
    }

    /// A filter on a scalar field. A field with a read rule is filtered by
    /// the value the reader sees: where the rule fails, the filter judges
    /// NULL (P-162), so filters cannot probe masked values.
    fn scalar(&mut self, field: FieldId, scope: u32, value: &Json) -> Result<Pred> {
        let schema = self.client.schema();
        let f = schema.field(field);
        let Some(stored) = Stored::of(f) else {
            return Err(self.invalid(field.model, format!("`{}` cannot be filtered", f.name)));
        };
        if f.ty.list {
            return Err(Error::not_supported(
                Some(self.client.model_name(field.model)),
                "list filters need PostgreSQL",
            ));
        }
        if value.is_null() && !f.ty.optional {
            // a required field is never null: the filter is a mistake
            return Err(self.invalid(
                field.model,
                format!("`{}` is required and cannot be compared with null", f.name),
            ));
        }
        let column = Val::Column {
            row: RowRef {
                scope,
                hops: Vec::new(),
            },
            field,
            ty: stored.scalar(),
        };
        let on_column = self.scalar_on(field, &column, stored, value)?;
        let mask = self
            .client
            .field_policies(field.model, Operation::Read)?
            .into_iter()
            .find(|(f, _)| *f == field);
        let Some((_, rule)) = mask else {
            return Ok(on_column);
        };
        let visible = Pred::FalseIfNull(Box::new(self.scopes.embed(&rule, scope)));
        let on_null = self.scalar_on(field, &Val::null(), stored, value)?;
        Ok(Pred::Or(vec![
            Pred::And(vec![visible.clone(), on_column]),
            Pred::And(vec![Pred::negate(visible), on_null]),
        ]))
    }

    /// A scalar filter applied to `column` (the column, or NULL).
    fn scalar_on(
        &mut self,
        field: FieldId,
        column: &Val,
        stored: Stored,
        value: &Json,
    ) -> Result<Pred> {
        let ops = match value {
            Json::Object(ops) if !is_json(stored) => ops,
            Json::Object(ops) if json_path::is_filter(ops) => {
                return self.json_filter(field, column, ops)
            }
            // ZenStack takes a Json field's nulls only through `equals`/`not`
            other
                if stored == Stored::Scalar(zgen_sema::Scalar::Json)
                    && (other.is_null() || JsonNull::of(other).is_some()) =>
            {
                return Err(self.invalid(
                    field.model,
                    format!(
                        "`{}` is compared with a null through `equals`",
                        self.client.schema().field(field).name
                    ),
                ));
            }
            // other objects on Json fields are values to compare with
            other => return self.compare(field, column, stored, CmpOp::Eq, other),
        };
        let insensitive = self.insensitive(field, ops)?;
        let mut parts = Vec::with_capacity(ops.len());
        for (op, operand) in ops {
            parts.push(self.operator(field, column, stored, op, operand, insensitive, ops)?);
        }
        Ok(Pred::And(parts))
    }

    #[allow(clippy::too_many_arguments)]
    fn operator(
        &mut self,
        field: FieldId,
        column: &Val,
        stored: Stored,
        op: &str,
        operand: &Json,
        insensitive: bool,
        all: &Map<String, Json>,
    ) -> Result<Pred> {
        let cmp = |op| (op, operand);
        match op {
            "mode" => Ok(Pred::True),
            "equals" if insensitive => self.like(field, column, LikeKind::Equals, operand, true),
            "equals" => self.compare(field, column, stored, CmpOp::Eq, operand),
            "not" => match operand {
                Json::Object(_) if !is_json(stored) => {
                    let mut nested = operand.clone();
                    if let (Some(mode), Json::Object(n)) = (all.get("mode"), &mut nested) {
                        n.entry("mode").or_insert_with(|| mode.clone());
                    }
                    Ok(Pred::negate(
                        self.scalar_on(field, column, stored, &nested)?,
                    ))
                }
                _ if insensitive => Ok(Pred::negate(self.like(
                    field,
                    column,
                    LikeKind::Equals,
                    operand,
                    true,
                )?)),
                _ => self.compare(field, column, stored, CmpOp::Ne, operand),
            },
            "in" | "notIn" => {
                let Json::Array(items) = operand else {
                    return Err(self.invalid(field.model, format!("`{op}` expects an array")));
                };
                let list = items
                    .iter()
                    .map(|i| self.constant(field, stored, i).map(Val::Const))
                    .collect::<Result<Vec<_>>>()?;
                let p = if list.is_empty() {
                    Pred::False
                } else {
                    Pred::In {
                        lhs: column.clone(),
                        list,
                    }
                };
                Ok(if op == "in" { p } else { Pred::negate(p) })
            }
            "lt" | "lte" | "gt" | "gte" => {
                let (op, operand) = cmp(match op {
                    "lt" => CmpOp::Lt,
                    "lte" => CmpOp::Le,
                    "gt" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                });
                self.compare(field, column, stored, op, operand)
            }
            "contains" => self.like(field, column, LikeKind::Contains, operand, insensitive),
            "startsWith" => self.like(field, column, LikeKind::StartsWith, operand, insensitive),
            "endsWith" => self.like(field, column, LikeKind::EndsWith, operand, insensitive),
            other => Err(self.invalid(
                field.model,
                format!(
                    "unknown filter `{other}` on `{}`",
                    self.client.schema().field(field).name
                ),
            )),
        }
    }

    /// Whether `ops` ask for case-insensitive matching (`mode`).
    fn insensitive(&self, field: FieldId, ops: &Map<String, Json>) -> Result<bool> {
        match ops.get("mode") {
            None => Ok(false),
            Some(Json::String(m)) if m == "insensitive" => Ok(true),
            Some(Json::String(m)) if m == "default" => Ok(false),
            Some(other) => Err(self.invalid(field.model, format!("invalid `mode` `{other}`"))),
        }
    }

    fn constant(&self, field: FieldId, stored: Stored, json: &Json) -> Result<Value> {
        scalar_to_db(self.client.schema(), stored, json).ok_or_else(|| {
            self.invalid(
                field.model,
                format!(
                    "`{}` cannot be compared with `{json}`",
                    self.client.schema().field(field).name
                ),
            )
        })
    }

    fn compare(
        &self,
        field: FieldId,
        column: &Val,
        stored: Stored,
        op: CmpOp,
        json: &Json,
    ) -> Result<Pred> {
        if let Some(null) = JsonNull::of(json).filter(|_| is_json(stored)) {
            let is = null.filter(column);
            return Ok(if op == CmpOp::Ne {
                Pred::negate(is)
            } else {
                is
            });
        }
        let value = self.constant(field, stored, json)?;
        Ok(match (op, &value) {
            (CmpOp::Eq, Value::Null) => Pred::IsNull(column.clone()),
            (CmpOp::Ne, Value::Null) => Pred::IsNotNull(column.clone()),
            _ => Pred::Cmp {
                op,
                lhs: column.clone(),
                rhs: Val::Const(value),
            },
        })
    }

    fn like(
        &self,
        field: FieldId,
        column: &Val,
        kind: LikeKind,
        json: &Json,
        insensitive: bool,
    ) -> Result<Pred> {
        let Json::String(search) = json else {
            return Err(self.invalid(field.model, "text filters expect a string"));
        };
        Ok(Pred::Like {
            kind,
            value: column.clone(),
            search: Val::Const(Value::Text(search.clone())),
            insensitive,
        })
    }

    fn relation(&mut self, field: FieldId, scope: u32, value: &Json) -> Result<Pred> {
        let schema = self.client.schema();
        let f = schema.field(field);
        let Some(target) = f.related_model() else {
            return Err(self.invalid(field.model, format!("`{}` is not a relation", f.name)));
        };
        let row = RowRef {
            scope,
            hops: Vec::new(),
        };
        let to_many = f.ty.list
            || matches!(
                f.relation.as_ref().and_then(|r| r.kind),
                Some(RelationKind::ManyToMany | RelationKind::OneToMany)
            );
        if to_many {
            let Json::Object(ops) = value else {
                return Err(self.invalid(
                    field.model,
                    format!("`{}` expects `some`, `every` or `none`", f.name),
                ));
            };
            let mut parts = Vec::with_capacity(ops.len());
            for (op, inner) in ops {
                let (element, readable) = self.through(field, scope)?;
                let cond = self.filter(target, element, Some(inner))?;
                // `every f` over readable rows is `none (readable ∧ ¬f)`
                let (quantifier, condition) = match op.as_str() {
                    "some" => (Quantifier::Some, Pred::And(vec![readable, cond])),
                    "none" => (Quantifier::None, Pred::And(vec![readable, cond])),
                    "every" => (
                        Quantifier::None,
                        Pred::And(vec![readable, Pred::negate(cond)]),
                    ),
                    other => {
                        return Err(
                            self.invalid(field.model, format!("unknown relation filter `{other}`"))
                        )
                    }
                };
                parts.push(Pred::Collection {
                    quantifier,
                    row: row.clone(),
                    relation: field,
                    scope: element,
                    condition: Box::new(condition),
                });
            }
            return Ok(Pred::And(parts));
        }
        // to-one: `is`, `isNot`, `null`, or the related row's filter itself
        let (inner, negated) = match value {
            Json::Object(ops) if ops.contains_key("is") || ops.contains_key("isNot") => {
                let mut parts = Vec::new();
                for (op, inner) in ops {
                    let negated = match op.as_str() {
                        "is" => false,
                        "isNot" => true,
                        other => {
                            return Err(self.invalid(
                                field.model,
                                format!("unknown relation filter `{other}`"),
                            ))
                        }
                    };
                    parts.push(self.related_one(field, target, scope, inner, negated)?);
                }
                return Ok(Pred::And(parts));
            }
            other => (other, false),
        };
        self.related_one(field, target, scope, inner, negated)
    }

    /// Whether a readable related row exists (and matches `inner`); `null`
    /// asks for no readable related row.
    fn related_one(
        &mut self,
        field: FieldId,
        target: ModelId,
        scope: u32,
        inner: &Json,
        negated: bool,
    ) -> Result<Pred> {
        let (element, readable) = self.through(field, scope)?;
        let (cond, negated) = if inner.is_null() {
            (Pred::True, !negated)
        } else {
            (self.filter(target, element, Some(inner))?, negated)
        };
        let exists = Pred::FalseIfNull(Box::new(Pred::ToOne {
            row: RowRef {
                scope,
                hops: Vec::new(),
            },
            relation: field,
            scope: element,
            condition: Box::new(Pred::And(vec![readable, cond])),
        }));
        Ok(if negated {
            Pred::negate(exists)
        } else {
            exists
        })
    }
}

fn is_json(stored: Stored) -> bool {
    matches!(
        stored,
        Stored::Scalar(zgen_sema::Scalar::Json) | Stored::TypedJson
    )
}
