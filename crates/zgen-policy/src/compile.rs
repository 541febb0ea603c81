//! Checked rule expressions into policy IR (spec §3.2–3.5).
//!
//! The compiler runs once per schema. It only reshapes: `auth()` values stay
//! symbolic, and every rule of a model and operation becomes one [`Pred`]
//! following P-11..P-16 (allows OR-ed, each deny applied as
//! `NOT COALESCE(deny, false)`, default deny, default-allow post-update).

use crate::ir::{AuthRoot, CmpOp, LikeKind, Pred, Quantifier, RowRef, Val, Value};
use zgen_sema::expr::{BinaryOp, Expr, ExprKind, Literal, TyKind};
use zgen_sema::{
    FieldId, FieldTypeKind, ModelId, Operation, PolicyRule, RelationKind, RuleKind, Scalar, Schema,
};

/// How a rule term is used: a row (model value), a scalar, an auth object,
/// a list, or a condition.
#[derive(Debug, Clone)]
enum Term {
    /// A model row reached from a scope through to-one hops.
    Row(RowRef, ModelId),
    /// The auth object (or an element of an auth list) at a path.
    AuthObject(AuthRoot, Vec<String>, ModelId),
    /// The rows of a to-many relation.
    RowList(RowRef, FieldId),
    /// A list inside the auth value.
    AuthList(AuthRoot, Vec<String>, ModelId),
    /// `before()`.
    BeforeRow,
    Val(Val),
    Cond(Pred),
    Array(Vec<Val>),
}

/// Where bare names and bindings point while compiling one rule.
#[derive(Debug, Clone)]
struct Frame {
    /// The scope number of the element row, or the auth element depth.
    target: FrameTarget,
}

#[derive(Debug, Clone, Copy)]
enum FrameTarget {
    Scope(u32, ModelId),
    AuthElement(u32, ModelId),
}

pub(crate) struct Compiler<'s> {
    pub schema: &'s Schema,
    /// The model the rule is written for (`currentModel()`).
    model: ModelId,
    /// The operation being compiled (`currentOperation()`, `check()` default).
    op: Operation,
    /// The scope number of `this`.
    this_scope: u32,
    /// The next free scope number.
    next_scope: u32,
    frames: Vec<Frame>,
    auth_depth: u32,
    /// v2 `future()` rules: plain fields are the old row, `future()` the new.
    future_rewrite: bool,
}

impl<'s> Compiler<'s> {
    pub fn new(schema: &'s Schema, model: ModelId, op: Operation) -> Self {
        Compiler {
            schema,
            model,
            op,
            this_scope: 0,
            next_scope: 1,
            frames: Vec::new(),
            auth_depth: 0,
            future_rewrite: false,
        }
    }

    /// The combined model-level condition for `op` (P-11..P-14).
    pub fn model_policy(&mut self) -> Pred {
        let model = self.schema.model(self.model);
        let rules: Vec<&PolicyRule> = model.rules.iter().collect();
        let default = if self.op == Operation::PostUpdate {
            Pred::True
        } else {
            Pred::False
        };
        self.combine(&rules, default)
    }

    /// The field-level condition of `field` for `op` (P-160): allowed by
    /// default, denies still apply.
    pub fn field_policy(&mut self, field: FieldId) -> Pred {
        let rules: Vec<&PolicyRule> = self.schema.field(field).rules.iter().collect();
        self.combine(&rules, Pred::True)
    }

    fn combine(&mut self, rules: &[&PolicyRule], no_allow: Pred) -> Pred {
        let applies = |r: &&&PolicyRule| self.rule_applies(r);
        let allows: Vec<&PolicyRule> = rules
            .iter()
            .filter(applies)
            .filter(|r| r.kind == RuleKind::Allow)
            .copied()
            .collect();
        let denies: Vec<&PolicyRule> = rules
            .iter()
            .filter(applies)
            .filter(|r| r.kind == RuleKind::Deny)
            .copied()
            .collect();
        let allow = if allows.is_empty() {
            // Without an allow rule denies are irrelevant, except for the
            // default-allow cases (P-13, P-14, P-160).
            if no_allow == Pred::False {
                return Pred::False;
            }
            no_allow
        } else {
            Pred::Or(allows.iter().map(|r| self.rule_condition(r)).collect())
        };
        let mut parts = vec![allow];
        for deny in denies {
            let condition = self.rule_condition(deny);
            parts.push(Pred::negate(Pred::FalseIfNull(Box::new(condition))));
        }
        Pred::And(parts)
    }

    /// Whether a rule governs the operation being compiled. v2 update rules
    /// that use `future()` are post-update rules in disguise.
    fn rule_applies(&self, rule: &PolicyRule) -> bool {
        let uses_future = uses_future(&rule.condition);
        match self.op {
            Operation::Update if uses_future => false,
            Operation::PostUpdate if uses_future => rule.operations.contains(Operation::Update),
            op => rule.operations.contains(op),
        }
    }

    fn rule_condition(&mut self, rule: &PolicyRule) -> Pred {
        self.future_rewrite = uses_future(&rule.condition);
        let p = self.cond(&rule.condition);
        self.future_rewrite = false;
        p
    }

    /// Compiles an expression used as a condition.
    fn cond(&mut self, e: &Expr) -> Pred {
        match self.term(e) {
            Term::Cond(p) => p,
            Term::Val(Val::Const(Value::Bool(b))) => {
                if b {
                    Pred::True
                } else {
                    Pred::False
                }
            }
            Term::Val(v) => Pred::Truthy(v),
            _ => Pred::Unsupported("a non-Boolean value used as a condition"),
        }
    }

    fn val(&mut self, e: &Expr) -> Val {
        match self.term(e) {
            Term::Val(v) => v,
            _ => Val::null(),
        }
    }

    fn term(&mut self, e: &Expr) -> Term {
        match &e.kind {
            ExprKind::Literal(Literal::Bool(b)) => Term::Val(Val::Const(Value::Bool(*b))),
            ExprKind::Literal(Literal::String(s)) => Term::Val(Val::Const(Value::Text(s.clone()))),
            ExprKind::Literal(Literal::Number(n)) => Term::Val(Val::Const(number(n))),
            ExprKind::Null => Term::Val(Val::null()),
            ExprKind::EnumValue { enum_id, index } => {
                let name = self
                    .schema
                    .enums
                    .get(enum_id.index())
                    .and_then(|en| en.values.get(*index as usize))
                    .map(|v| v.db_name().to_string())
                    .unwrap_or_default();
                Term::Val(Val::Const(Value::Text(name)))
            }
            ExprKind::This => {
                Term::Row(self.scope_row(self.this_scope), self.model_of_scope_this())
            }
            ExprKind::Field(field) => {
                let target = self.frames.last().map(|f| f.target);
                match target {
                    Some(FrameTarget::AuthElement(depth, _)) => {
                        self.auth_member(AuthRoot::Element(depth), Vec::new(), *field)
                    }
                    Some(FrameTarget::Scope(scope, _)) => {
                        self.member(Term::Row(self.scope_row(scope), field.model), *field)
                    }
                    None if self.future_rewrite => self.before_member(*field),
                    None => self.member(
                        Term::Row(self.scope_row(self.this_scope), field.model),
                        *field,
                    ),
                }
            }
            ExprKind::Binding { depth, .. } => {
                match self.frames.get(*depth as usize).map(|f| f.target) {
                    Some(FrameTarget::Scope(scope, model)) => {
                        Term::Row(self.scope_row(scope), model)
                    }
                    Some(FrameTarget::AuthElement(d, model)) => {
                        Term::AuthObject(AuthRoot::Element(d), Vec::new(), model)
                    }
                    None => Term::Val(Val::null()),
                }
            }
            ExprKind::Member { receiver, field } => {
                let receiver = self.term(receiver);
                self.member(receiver, *field)
            }
            ExprKind::Call { name, args, .. } => self.call(name, args),
            ExprKind::Not(inner) => Term::Cond(Pred::negate(self.cond(inner))),
            ExprKind::Binary { op, lhs, rhs } => Term::Cond(self.binary(*op, lhs, rhs)),
            ExprKind::Collection {
                quantifier,
                collection,
                condition,
                ..
            } => Term::Cond(self.collection(*quantifier, collection, condition)),
            ExprKind::Array(items) => Term::Array(items.iter().map(|i| self.val(i)).collect()),
            ExprKind::Param(_)
            | ExprKind::Object(_)
            | ExprKind::FieldWithArgs { .. }
            | ExprKind::Error => Term::Cond(Pred::Unsupported("an expression zgen cannot compile")),
        }
    }

    fn model_of_scope_this(&self) -> ModelId {
        self.model
    }

    fn scope_row(&self, scope: u32) -> RowRef {
        RowRef {
            scope,
            hops: Vec::new(),
        }
    }

    /// `receiver.field`.
    fn member(&mut self, receiver: Term, field: FieldId) -> Term {
        let f = self.schema.field(field);
        match receiver {
            Term::Row(row, _) => match (&f.ty.kind, f.ty.list) {
                (FieldTypeKind::Model(target), false) => {
                    let mut row = row;
                    row.hops.push(field);
                    Term::Row(row, *target)
                }
                (FieldTypeKind::Model(_), true) => Term::RowList(row, field),
                _ => Term::Val(self.column(row, field)),
            },
            Term::AuthObject(root, path, _) => self.auth_member(root, path, field),
            Term::BeforeRow => self.before_member(field),
            _ => Term::Val(Val::null()),
        }
    }

    /// A column, reading an owned relation's key straight from its foreign
    /// key instead of through a subquery.
    fn column(&self, mut row: RowRef, field: FieldId) -> Val {
        let ty = scalar_of(self.schema, field);
        if let Some(&last) = row.hops.last() {
            let relation = self.schema.field(last).relation.as_ref();
            if let Some(rel) = relation.filter(|r| r.is_owner()) {
                if let Some(pos) = rel.references.iter().position(|r| *r == field) {
                    if let Some(&fk) = rel.fields.get(pos) {
                        row.hops.pop();
                        return Val::Column { row, field: fk, ty };
                    }
                }
            }
        }
        Val::Column { row, field, ty }
    }

    fn auth_member(&self, root: AuthRoot, mut path: Vec<String>, field: FieldId) -> Term {
        let f = self.schema.field(field);
        path.push(f.name.clone());
        match (&f.ty.kind, f.ty.list) {
            (FieldTypeKind::Model(m) | FieldTypeKind::TypeDef(m), false) => {
                Term::AuthObject(root, path, *m)
            }
            (FieldTypeKind::Model(m) | FieldTypeKind::TypeDef(m), true) => {
                Term::AuthList(root, path, *m)
            }
            (_, true) => Term::AuthList(root, path, field.model),
            _ => Term::Val(Val::Auth {
                root,
                path,
                ty: scalar_of(self.schema, field),
            }),
        }
    }

    fn before_member(&self, field: FieldId) -> Term {
        Term::Val(Val::Before {
            field,
            ty: scalar_of(self.schema, field),
        })
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Term {
        match name {
            "auth" => match self.schema.auth {
                Some(m) => Term::AuthObject(AuthRoot::Auth, Vec::new(), m),
                None => Term::Val(Val::null()),
            },
            "before" => Term::BeforeRow,
            // v2: `future()` is the row after the update, i.e. the row the
            // post-update rule sees.
            "future" => Term::Row(self.scope_row(self.this_scope), self.model),
            "now" => Term::Val(Val::Now),
            "currentModel" => {
                let name = self.schema.model(self.model).name.clone();
                Term::Val(Val::Const(Value::Text(apply_casing(
                    &name,
                    string_arg(args, 0),
                ))))
            }
            "currentOperation" => Term::Val(Val::Const(Value::Text(apply_casing(
                self.op.name(),
                string_arg(args, 0),
            )))),
            "contains" | "startsWith" | "endsWith" => {
                let kind = match name {
                    "contains" => LikeKind::Contains,
                    "startsWith" => LikeKind::StartsWith,
                    _ => LikeKind::EndsWith,
                };
                let value = args.first().map(|a| self.val(a)).unwrap_or_else(Val::null);
                let search = args.get(1).map(|a| self.val(a)).unwrap_or_else(Val::null);
                let insensitive = args.get(2).and_then(Expr::as_bool).unwrap_or(false);
                Term::Cond(Pred::Like {
                    kind,
                    value,
                    search,
                    insensitive,
                })
            }
            "check" => Term::Cond(self.check(args)),
            "has" | "hasSome" | "hasEvery" | "isEmpty" => {
                Term::Cond(Pred::Unsupported("list functions need PostgreSQL"))
            }
            _ => Term::Cond(Pred::Unsupported("a function zgen cannot compile into SQL")),
        }
    }

    /// `check(relation, op?)`: the related model's own policy (P-70).
    fn check(&mut self, args: &[Expr]) -> Pred {
        let Some(relation) = args.first() else {
            return Pred::Unsupported("`check()` without a relation");
        };
        let Term::Row(mut row, target) = self.term(relation) else {
            return Pred::Unsupported("`check()` on something other than a to-one relation");
        };
        let Some(last) = row.hops.pop() else {
            return Pred::Unsupported("`check()` on something other than a relation");
        };
        let op = match args.get(1).and_then(Expr::as_string) {
            Some("create") => Operation::Create,
            Some("update") => Operation::Update,
            Some("delete") => Operation::Delete,
            Some(_) => Operation::Read,
            None => self.op,
        };
        let scope = self.fresh_scope();
        let mut nested = Compiler {
            schema: self.schema,
            model: target,
            op,
            this_scope: scope,
            next_scope: scope + 1,
            frames: Vec::new(),
            auth_depth: self.auth_depth,
            future_rewrite: false,
        };
        let condition = nested.model_policy();
        self.next_scope = self.next_scope.max(nested.next_scope);
        Pred::ToOne {
            row,
            relation: last,
            scope,
            condition: Box::new(condition),
        }
    }

    fn fresh_scope(&mut self) -> u32 {
        let s = self.next_scope;
        self.next_scope += 1;
        s
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Pred {
        match op {
            BinaryOp::And => Pred::And(vec![self.cond(lhs), self.cond(rhs)]),
            BinaryOp::Or => Pred::Or(vec![self.cond(lhs), self.cond(rhs)]),
            BinaryOp::In => {
                let l = self.val(lhs);
                match self.term(rhs) {
                    Term::Array(list) => Pred::In { lhs: l, list },
                    Term::AuthList(root, path, _) => {
                        let ty = scalar_of_expr(lhs);
                        Pred::InAuth {
                            lhs: l,
                            root,
                            path,
                            ty,
                        }
                    }
                    Term::Val(Val::Auth { root, path, ty }) => Pred::InAuth {
                        lhs: l,
                        root,
                        path,
                        ty,
                    },
                    _ => Pred::Unsupported("`in` over a list column needs PostgreSQL"),
                }
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let (l, r) = (self.term(lhs), self.term(rhs));
                self.compare(cmp_op(op), l, r)
            }
        }
    }

    fn compare(&mut self, op: CmpOp, lhs: Term, rhs: Term) -> Pred {
        let negate = |p: Pred| if op == CmpOp::Ne { Pred::negate(p) } else { p };
        match (lhs, rhs) {
            (Term::Val(l), Term::Val(r)) => compare_vals(op, l, r),
            (Term::Cond(c), Term::Val(v)) | (Term::Val(v), Term::Cond(c)) => match v {
                Val::Const(Value::Bool(b)) => negate(if b { c } else { Pred::negate(c) }),
                other => negate(equivalent(c, Pred::Truthy(other))),
            },
            (Term::Cond(a), Term::Cond(b)) => negate(equivalent(a, b)),
            // `relation == null`, `auth() == null` (P-25, P-31).
            (Term::Row(row, _), Term::Val(v)) | (Term::Val(v), Term::Row(row, _))
                if v.is_null_const() =>
            {
                if row.hops.is_empty() {
                    // `this` is never null.
                    return if op == CmpOp::Eq {
                        Pred::False
                    } else {
                        Pred::True
                    };
                }
                Pred::RelationIsNull {
                    row,
                    negated: op == CmpOp::Ne,
                }
            }
            (Term::AuthObject(root, path, m), Term::Val(v))
            | (Term::Val(v), Term::AuthObject(root, path, m))
                if v.is_null_const() =>
            {
                let _ = m;
                let auth = Val::Auth {
                    root,
                    path,
                    ty: Scalar::Json,
                };
                if op == CmpOp::Eq {
                    Pred::IsNull(auth)
                } else {
                    Pred::IsNotNull(auth)
                }
            }
            // `auth() == this`, `auth() == owner`: every id field (P-26).
            (Term::AuthObject(root, path, auth_model), Term::Row(row, _))
            | (Term::Row(row, _), Term::AuthObject(root, path, auth_model)) => {
                let ids = id_fields(self.schema, auth_model);
                let parts = ids
                    .into_iter()
                    .map(|k| {
                        let mut p = path.clone();
                        p.push(self.schema.field(k).name.clone());
                        let auth = Val::Auth {
                            root,
                            path: p,
                            ty: scalar_of(self.schema, k),
                        };
                        let col = self.row_field_by_name(&row, k);
                        compare_vals(CmpOp::Eq, auth, col)
                    })
                    .collect();
                negate(Pred::And(parts))
            }
            // Member forms of model comparison: the first id field (P-28).
            (Term::Row(a, am), Term::Row(b, _)) => {
                let Some(&k) = id_fields(self.schema, am).first() else {
                    return Pred::Unsupported("a model without id fields");
                };
                let l = self.row_field_by_name(&a, k);
                let r = self.row_field_by_name(&b, k);
                compare_vals(op, l, r)
            }
            _ => Pred::Unsupported("a comparison zgen cannot compile"),
        }
    }

    /// The column of `row`'s model named like `field` (same model in
    /// practice; looked up by name so mixin copies match).
    fn row_field_by_name(&self, row: &RowRef, field: FieldId) -> Val {
        let model = self.row_model(row);
        let name = &self.schema.field(field).name;
        match self.schema.model(model).field_by_name(name) {
            Some((index, _)) => self.column(row.clone(), FieldId { model, index }),
            None => Val::null(),
        }
    }

    /// The model a row reference lands on.
    fn row_model(&self, row: &RowRef) -> ModelId {
        match row.hops.last() {
            Some(&hop) => self.schema.field(hop).related_model().unwrap_or(self.model),
            None => self.scope_model(row.scope),
        }
    }

    fn scope_model(&self, scope: u32) -> ModelId {
        if scope == self.this_scope {
            return self.model;
        }
        self.frames
            .iter()
            .find_map(|f| match f.target {
                FrameTarget::Scope(s, m) if s == scope => Some(m),
                _ => None,
            })
            .unwrap_or(self.model)
    }

    fn collection(
        &mut self,
        quantifier: zgen_sema::expr::Quantifier,
        collection: &Expr,
        condition: &Expr,
    ) -> Pred {
        let quantifier = match quantifier {
            zgen_sema::expr::Quantifier::Some => Quantifier::Some,
            zgen_sema::expr::Quantifier::Every => Quantifier::Every,
            zgen_sema::expr::Quantifier::None => Quantifier::None,
        };
        match self.term(collection) {
            Term::RowList(row, relation) => {
                let element = self
                    .schema
                    .field(relation)
                    .related_model()
                    .unwrap_or(self.model);
                let scope = self.fresh_scope();
                self.frames.push(Frame {
                    target: FrameTarget::Scope(scope, element),
                });
                let condition = self.cond(condition);
                self.frames.pop();
                Pred::Collection {
                    quantifier,
                    row,
                    relation,
                    scope,
                    condition: Box::new(condition),
                }
            }
            Term::AuthList(root, path, element) => {
                let depth = self.auth_depth;
                self.auth_depth += 1;
                self.frames.push(Frame {
                    target: FrameTarget::AuthElement(depth, element),
                });
                let condition = self.cond(condition);
                self.frames.pop();
                self.auth_depth -= 1;
                Pred::AuthCollection {
                    quantifier,
                    root,
                    path,
                    depth,
                    condition: Box::new(condition),
                }
            }
            _ => Pred::Unsupported(
                "a collection predicate over something that is not a relation list",
            ),
        }
    }
}

fn uses_future(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| found |= x.call_name() == Some("future"));
    found
}

fn string_arg(args: &[Expr], index: usize) -> Option<&str> {
    args.get(index).and_then(Expr::as_string)
}

/// `currentModel()` / `currentOperation()` casings (P-63).
fn apply_casing(name: &str, casing: Option<&str>) -> String {
    let mut chars = name.chars();
    match casing {
        Some("upper") => name.to_uppercase(),
        Some("lower") => name.to_lowercase(),
        Some("capitalize") => chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default(),
        Some("uncapitalize") => chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default(),
        _ => name.to_string(),
    }
}

fn number(text: &str) -> Value {
    match text.parse::<i64>() {
        Ok(i) => Value::Int(i),
        Err(_) => text.parse::<f64>().map(Value::Float).unwrap_or(Value::Null),
    }
}

fn cmp_op(op: BinaryOp) -> CmpOp {
    match op {
        BinaryOp::Eq => CmpOp::Eq,
        BinaryOp::Ne => CmpOp::Ne,
        BinaryOp::Lt => CmpOp::Lt,
        BinaryOp::Le => CmpOp::Le,
        BinaryOp::Gt => CmpOp::Gt,
        _ => CmpOp::Ge,
    }
}

/// A comparison of two scalar values; `== null` is an `IS NULL` test (P-22).
fn compare_vals(op: CmpOp, l: Val, r: Val) -> Pred {
    match (op, l.is_null_const(), r.is_null_const()) {
        (CmpOp::Eq, true, true) => Pred::True,
        (CmpOp::Ne, true, true) => Pred::False,
        (CmpOp::Eq, true, false) => Pred::IsNull(r),
        (CmpOp::Eq, false, true) => Pred::IsNull(l),
        (CmpOp::Ne, true, false) => Pred::IsNotNull(r),
        (CmpOp::Ne, false, true) => Pred::IsNotNull(l),
        (_, true, _) | (_, _, true) => Pred::Unknown,
        _ => Pred::Cmp { op, lhs: l, rhs: r },
    }
}

/// `a == b` for two conditions, NULL when either is NULL.
fn equivalent(a: Pred, b: Pred) -> Pred {
    Pred::Or(vec![
        Pred::And(vec![a.clone(), b.clone()]),
        Pred::And(vec![Pred::negate(a), Pred::negate(b)]),
    ])
}

/// The id fields of a model (P-4a): `@id`/`@@id`, else the first unique.
pub fn id_fields(schema: &Schema, model: ModelId) -> Vec<FieldId> {
    let m = schema.model(model);
    let field_id = |name: &str| {
        m.field_by_name(name)
            .map(|(index, _)| FieldId { model, index })
    };
    let own: Vec<FieldId> = m
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.has_attribute("@id"))
        .map(|(i, _)| FieldId {
            model,
            index: i as u32,
        })
        .collect();
    if !own.is_empty() {
        return own;
    }
    let listed = |attr: &str| -> Option<Vec<FieldId>> {
        let app = m.attribute(attr)?;
        match &app.arg(0)?.value.kind {
            ExprKind::Array(items) => items
                .iter()
                .map(|i| i.as_field())
                .map(|f| f.and_then(|f| field_id(&schema.field(f).name)))
                .collect(),
            _ => None,
        }
    };
    if let Some(ids) = listed("@@id").or_else(|| crate::delegate::base_key(schema, model)) {
        return ids;
    }
    if let Some((i, _)) = m
        .fields
        .iter()
        .enumerate()
        .find(|(_, f)| f.has_attribute("@unique") && !f.is_relation())
    {
        return vec![FieldId {
            model,
            index: i as u32,
        }];
    }
    listed("@@unique").unwrap_or_default()
}

/// How a field's values are stored, as a scalar (enums are text).
pub fn scalar_of(schema: &Schema, field: FieldId) -> Scalar {
    match schema.field(field).ty.kind {
        FieldTypeKind::Scalar(s) => s,
        FieldTypeKind::Enum(_) => Scalar::String,
        _ => Scalar::Json,
    }
}

fn scalar_of_expr(e: &Expr) -> Scalar {
    match e.ty.kind {
        TyKind::Scalar(s) => s,
        _ => Scalar::String,
    }
}

/// Whether a relation is stored through an implicit join table.
pub fn is_many_to_many(schema: &Schema, relation: FieldId) -> bool {
    schema
        .field(relation)
        .relation
        .as_ref()
        .and_then(|r| r.kind)
        == Some(RelationKind::ManyToMany)
}
