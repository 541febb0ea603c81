//! Name resolution and typing of expressions (R-*, V-E*, V-F1, V-F2).
//!
//! One [`Resolver`] walks one syntax expression inside a [`Scope`] and returns
//! the typed [`Expr`]. It reports what cannot be resolved or typed and keeps
//! going: an unresolvable part becomes [`ExprKind::Error`] with an unresolved
//! type, which later checks treat as "anything", so one mistake is reported
//! once.

mod operators;

use crate::expr::{Expr, ExprKind, Literal, Ty, TyKind};
use crate::model::{
    EnumId, ExpressionContext, FieldId, FieldTypeKind, FunctionId, ModelId, ParamType,
    ParamTypeKind, Schema,
};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};
use zgen_syntax::ast;

/// Where an expression stands, which decides what names mean.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// The model `this` and bare names refer to.
    pub this: Option<ModelId>,
    /// The function context of the enclosing attribute, if it has one.
    pub context: Option<ExpressionContext>,
    /// Enum searched first for bare enum values.
    pub preferred_enum: Option<EnumId>,
    /// Parameters visible inside a function body.
    pub params: Vec<(String, Ty)>,
    /// Enclosing collection predicates, outermost first.
    frames: Vec<Frame>,
}

#[derive(Debug, Clone)]
struct Frame {
    element: ModelId,
    binding: Option<String>,
}

impl Scope {
    pub fn model(this: ModelId, context: Option<ExpressionContext>) -> Scope {
        Scope {
            this: Some(this),
            context,
            ..Scope::default()
        }
    }
}

/// What a bare name resolved to.
enum Named {
    Field(FieldId, Ty),
    Binding { name: String, depth: u32, ty: Ty },
    Param(String, Ty),
    EnumValue(EnumId, u32),
}

pub(crate) struct Resolver<'s> {
    pub schema: &'s Schema,
    pub diags: &'s mut Diagnostics,
}

impl<'s> Resolver<'s> {
    pub fn new(schema: &'s Schema, diags: &'s mut Diagnostics) -> Self {
        Resolver { schema, diags }
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push_mut(Diagnostic::error(code, span, message))
    }

    /// Resolves and types `e`.
    pub fn expr(&mut self, e: &ast::Expr, scope: &mut Scope) -> Expr {
        self.expr_inner(e, scope, false)
    }

    /// `receiver` is true when `e` is the left side of a member access, the
    /// only place a bare binding may stand.
    fn expr_inner(&mut self, e: &ast::Expr, scope: &mut Scope, receiver: bool) -> Expr {
        let span = e.span;
        let typed = |kind, ty| Expr { kind, ty, span };
        match &e.kind {
            ast::ExprKind::String(s) => typed(
                ExprKind::Literal(Literal::String(s.clone())),
                Ty::scalar(crate::model::Scalar::String),
            ),
            ast::ExprKind::Number(n) => {
                // Every number literal is typed `Int` (L-5).
                typed(
                    ExprKind::Literal(Literal::Number(n.clone())),
                    Ty::scalar(crate::model::Scalar::Int),
                )
            }
            ast::ExprKind::Bool(b) => typed(ExprKind::Literal(Literal::Bool(*b)), Ty::BOOLEAN),
            ast::ExprKind::Null => typed(ExprKind::Null, Ty::NULL),
            ast::ExprKind::This => match scope.this {
                Some(m) => typed(ExprKind::This, Ty::of(TyKind::Model(m))),
                None => {
                    self.error(
                        Code::UNRESOLVED_REFERENCE,
                        span,
                        "`this` cannot be used here",
                    )
                    .help = Some("`this` refers to the model a rule is written in".into());
                    Expr::error(span)
                }
            },
            ast::ExprKind::Paren(inner) => {
                let mut inner = self.expr_inner(inner, scope, receiver);
                inner.span = span;
                inner
            }
            ast::ExprKind::Ref { name, args } => self.reference(name, args, scope, receiver, span),
            ast::ExprKind::Call { callee, args } => self.call(callee, args, scope, span),
            ast::ExprKind::Member {
                receiver: recv,
                member,
            } => {
                let recv = self.expr_inner(recv, scope, true);
                self.member(recv, member, span)
            }
            ast::ExprKind::Not(operand) => {
                let operand = self.expr(operand, scope);
                if !operand.ty.is_unresolved() && !operand.ty.is_boolean_like() {
                    self.error(
                        Code::NOT_OPERAND,
                        operand.span,
                        "operand of `!` must be of Boolean type",
                    );
                }
                typed(ExprKind::Not(Box::new(operand)), Ty::BOOLEAN)
            }
            ast::ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                let lhs = self.expr(lhs, scope);
                let rhs = self.expr(rhs, scope);
                self.check_binary(*op, *op_span, &lhs, &rhs, scope);
                typed(
                    ExprKind::Binary {
                        op: *op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    Ty::BOOLEAN,
                )
            }
            ast::ExprKind::Collection {
                quantifier,
                collection,
                binding,
                condition,
            } => self.collection(
                *quantifier,
                collection,
                binding.as_ref(),
                condition,
                scope,
                span,
            ),
            ast::ExprKind::Array(items) => {
                let items: Vec<Expr> = items.iter().map(|i| self.expr(i, scope)).collect();
                let ty = items
                    .first()
                    .map(|first| first.ty)
                    .unwrap_or(Ty::ANY)
                    .list(true);
                typed(ExprKind::Array(items), ty)
            }
            ast::ExprKind::Object(entries) => {
                let entries = entries
                    .iter()
                    .map(|entry| (entry.key.name.clone(), self.expr(&entry.value, scope)))
                    .collect();
                typed(ExprKind::Object(entries), Ty::of(TyKind::Object))
            }
        }
    }

    fn reference(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Arg],
        scope: &mut Scope,
        receiver: bool,
        span: Span,
    ) -> Expr {
        let Some(named) = self.lookup(&name.name, scope) else {
            self.error(
                Code::UNRESOLVED_REFERENCE,
                name.span,
                format!("cannot resolve `{}`", name.name),
            )
            .help = Some(self.reference_help(scope));
            return Expr::error(span);
        };
        match named {
            Named::Field(field, ty) if !args.is_empty() => {
                let args = args
                    .iter()
                    .map(|a| {
                        let key = a.name.as_ref().map(|n| n.name.clone()).unwrap_or_default();
                        (key, self.expr(&a.value, scope))
                    })
                    .collect();
                Expr {
                    kind: ExprKind::FieldWithArgs { field, args },
                    ty,
                    span,
                }
            }
            Named::Field(field, ty) => Expr {
                kind: ExprKind::Field(field),
                ty,
                span,
            },
            Named::Binding {
                name: bound,
                depth,
                ty,
            } => {
                if !receiver {
                    self.error(
                        Code::BARE_BINDING,
                        span,
                        "collection predicate binding cannot be used without a member access",
                    )
                    .help = Some(format!("compare a field instead, such as `{bound}.id`"));
                }
                Expr {
                    kind: ExprKind::Binding { name: bound, depth },
                    // after an error the type is unknown, so no follow-on errors
                    ty: if receiver { ty } else { Ty::UNRESOLVED },
                    span,
                }
            }
            Named::Param(p, ty) => Expr {
                kind: ExprKind::Param(p),
                ty,
                span,
            },
            Named::EnumValue(enum_id, index) => Expr {
                kind: ExprKind::EnumValue { enum_id, index },
                ty: Ty::of(TyKind::Enum(enum_id)),
                span,
            },
        }
    }

    fn reference_help(&self, scope: &Scope) -> String {
        match (scope.frames.last(), scope.this) {
            (Some(frame), _) => format!(
                "inside `[...]` bare names are fields of `{}`; use `this.` for fields of the rule's model",
                self.schema.model(frame.element).name
            ),
            (None, Some(m)) => format!("`{}` has no field of that name", self.schema.model(m).name),
            (None, None) => "no field, parameter or enum value has that name".into(),
        }
    }

    /// Bare-name lookup in order.
    fn lookup(&self, name: &str, scope: &Scope) -> Option<Named> {
        // in `@default` of an enum field, the field's own enum comes
        // before fields (`role Role @default(email)` with a field `email`)
        if let Some(found) = scope
            .preferred_enum
            .and_then(|e| self.enum_value(name, Some(e)))
            .filter(|n| matches!(n, Named::EnumValue(id, _) if Some(*id) == scope.preferred_enum))
        {
            return Some(found);
        }
        if let Some(frame) = scope.frames.last() {
            if let Some(found) = self.field_of(frame.element, name, false) {
                return Some(found);
            }
            for (depth, f) in scope.frames.iter().enumerate().rev() {
                if f.binding.as_deref() == Some(name) {
                    return Some(Named::Binding {
                        name: name.to_string(),
                        depth: depth as u32,
                        ty: Ty::of(TyKind::Model(f.element)),
                    });
                }
            }
        } else if let Some(found) = scope.this.and_then(|m| self.field_of(m, name, false)) {
            return Some(found);
        }
        if let Some((p, ty)) = scope.params.iter().find(|(p, _)| p == name) {
            return Some(Named::Param(p.clone(), *ty));
        }
        self.enum_value(name, scope.preferred_enum)
    }

    fn field_of(&self, model: ModelId, name: &str, nullable: bool) -> Option<Named> {
        let m = self.schema.models.get(model.index())?;
        let (index, field) = m.field_by_name(name)?;
        let ty = field_ty(&field.ty).nullable(nullable || field.ty.optional);
        Some(Named::Field(FieldId { model, index }, ty))
    }

    fn enum_value(&self, name: &str, preferred: Option<EnumId>) -> Option<Named> {
        let find = |id: EnumId| {
            self.schema.enums.get(id.index()).and_then(|e| {
                e.values
                    .iter()
                    .position(|v| v.name == name)
                    .map(|i| Named::EnumValue(id, i as u32))
            })
        };
        preferred.and_then(find).or_else(|| {
            // User enums win over built-in ones of the same value name.
            let mut ids: Vec<EnumId> = (0..self.schema.enums.len() as u32).map(EnumId).collect();
            ids.sort_by_key(|id| self.schema.enum_(*id).builtin);
            ids.into_iter().find_map(find)
        })
    }

    fn member(&mut self, receiver: Expr, member: &ast::Ident, span: Span) -> Expr {
        if receiver.ty.is_unresolved() {
            return Expr::error(span);
        }
        let target = match receiver.ty.kind {
            TyKind::Model(m) if !receiver.ty.list => Some(m),
            _ => None,
        };
        let Some(model) = target else {
            self.error(
                Code::UNRESOLVED_REFERENCE,
                member.span,
                format!("cannot resolve member `{}`", member.name),
            )
            .help = Some(if receiver.ty.list {
                "a list has no members; use a collection predicate such as `list?[...]`".into()
            } else {
                "only models and types have members".into()
            });
            return Expr::error(span);
        };
        // Members reached through `auth()` are always nullable.
        let nullable = receiver.ty.nullable || receiver.is_auth_rooted();
        match self.field_of(model, &member.name, nullable) {
            Some(Named::Field(field, ty)) => Expr {
                kind: ExprKind::Member {
                    receiver: Box::new(receiver),
                    field,
                },
                ty,
                span,
            },
            _ => {
                self.error(
                    Code::UNRESOLVED_REFERENCE,
                    member.span,
                    format!(
                        "`{}` has no field `{}`",
                        self.schema.model(model).name,
                        member.name
                    ),
                );
                Expr::error(span)
            }
        }
    }

    fn collection(
        &mut self,
        quantifier: ast::Quantifier,
        collection: &ast::Expr,
        binding: Option<&ast::Ident>,
        condition: &ast::Expr,
        scope: &mut Scope,
        span: Span,
    ) -> Expr {
        let collection = self.expr(collection, scope);
        let element = match collection.ty.kind {
            TyKind::Model(m) if collection.ty.list => Some(m),
            _ => None,
        };
        if element.is_none() && !collection.ty.is_unresolved() {
            self.error(
                Code::COLLECTION_PREDICATE_TARGET,
                collection.span,
                "collection predicate can only be used on an array of model type",
            );
        }
        let condition = match element {
            Some(element) => {
                scope.frames.push(Frame {
                    element,
                    binding: binding.map(|b| b.name.clone()),
                });
                let c = self.expr(condition, scope);
                scope.frames.pop();
                c
            }
            // Without an element model the body cannot be resolved
            // meaningfully; skip it rather than report follow-on errors.
            None => Expr::error(condition.span),
        };
        if !condition.ty.is_unresolved() && !condition.ty.is_boolean_like() {
            self.error(
                Code::POLICY_CONDITION,
                condition.span,
                "collection predicate condition must be of Boolean type",
            );
        }
        let ty = if element.is_some() {
            Ty::BOOLEAN
        } else {
            Ty::UNRESOLVED
        };
        Expr {
            kind: ExprKind::Collection {
                quantifier,
                collection: Box::new(collection),
                binding: binding.map(|b| b.name.clone()),
                condition: Box::new(condition),
            },
            ty,
            span,
        }
    }

    fn call(
        &mut self,
        callee: &ast::Ident,
        args: &[ast::Arg],
        scope: &mut Scope,
        span: Span,
    ) -> Expr {
        let args: Vec<Expr> = args.iter().map(|a| self.expr(&a.value, scope)).collect();
        let Some(id) = self.function_id(&callee.name) else {
            self.error(
                Code::UNRESOLVED_FUNCTION,
                callee.span,
                format!("function `{}` cannot be resolved", callee.name),
            );
            return Expr {
                kind: ExprKind::Call {
                    function: None,
                    name: callee.name.clone(),
                    args,
                },
                ty: Ty::UNRESOLVED,
                span,
            };
        };
        let function = self.schema.function(id);
        if let Some(context) = scope.context {
            if !function.contexts.contains(&context) {
                self.error(
                    Code::FUNCTION_CONTEXT,
                    callee.span,
                    format!(
                        "function `{}` is not allowed in the current context: {}",
                        callee.name,
                        context.name()
                    ),
                );
            }
        }
        self.check_call_args(id, &args, callee, span);
        let ty = match callee.name.as_str() {
            "auth" => {
                match self.schema.auth {
                    Some(m) => Ty::of(TyKind::Model(m)).nullable(true),
                    None => {
                        self.error(
                        Code::AUTH_UNRESOLVED,
                        span,
                        "cannot resolve `auth()`: no model or type has `@@auth` or is named `User`",
                    )
                    .help = Some("add `@@auth` to the model or type that describes the signed-in user".into());
                        Ty::UNRESOLVED
                    }
                }
            }
            "before" | "future" => scope
                .this
                .map(|m| Ty::of(TyKind::Model(m)))
                .unwrap_or(Ty::UNRESOLVED),
            _ => param_ty(&function.return_type),
        };
        Expr {
            kind: ExprKind::Call {
                function: Some(id),
                name: callee.name.clone(),
                args,
            },
            ty,
            span,
        }
    }

    fn function_id(&self, name: &str) -> Option<FunctionId> {
        // User declarations come after built-ins and win over them.
        self.schema
            .functions
            .iter()
            .rposition(|f| f.name == name)
            .map(|i| FunctionId(i as u32))
    }

    /// Missing and mistyped arguments (V-F1); extra ones are accepted (F-2).
    fn check_call_args(&mut self, id: FunctionId, args: &[Expr], callee: &ast::Ident, span: Span) {
        let params = self.schema.function(id).params.clone();
        for (index, param) in params.iter().enumerate() {
            match args.get(index) {
                None if !param.ty.optional => {
                    self.error(
                        Code::FUNCTION_ARGUMENTS,
                        span,
                        format!(
                            "missing argument for parameter `{}` of `{}`",
                            param.name, callee.name
                        ),
                    );
                }
                Some(arg) if !arg_assignable(&param.ty, arg) => {
                    self.error(
                        Code::FUNCTION_ARGUMENTS,
                        arg.span,
                        format!("argument is not assignable to parameter `{}`", param.name),
                    );
                }
                None | Some(_) => {}
            }
        }
    }
}

/// The expression type of a declared field type.
pub(crate) fn field_ty(ty: &crate::model::FieldType) -> Ty {
    let kind = match &ty.kind {
        FieldTypeKind::Scalar(s) => TyKind::Scalar(*s),
        FieldTypeKind::Enum(e) => TyKind::Enum(*e),
        FieldTypeKind::Model(m) | FieldTypeKind::TypeDef(m) => TyKind::Model(*m),
        FieldTypeKind::Unsupported(_) => TyKind::Any,
        FieldTypeKind::Unresolved => TyKind::Unresolved,
    };
    Ty::of(kind).list(ty.list).nullable(ty.optional)
}

/// The expression type of a declared parameter or return type.
pub(crate) fn param_ty(ty: &ParamType) -> Ty {
    let kind = match &ty.kind {
        ParamTypeKind::Scalar(s) => TyKind::Scalar(*s),
        ParamTypeKind::Null => TyKind::Null,
        ParamTypeKind::Object => TyKind::Object,
        ParamTypeKind::Enum(e) => TyKind::Enum(*e),
        ParamTypeKind::Model(m) => TyKind::Model(*m),
        ParamTypeKind::Unresolved => TyKind::Unresolved,
        ParamTypeKind::Any
        | ParamTypeKind::Void
        | ParamTypeKind::Undefined
        | ParamTypeKind::Unsupported
        | ParamTypeKind::FieldReference
        | ParamTypeKind::TransitiveFieldReference
        | ParamTypeKind::ContextType => TyKind::Any,
    };
    Ty::of(kind).list(ty.list).nullable(ty.optional)
}

/// A function argument fits its parameter. An ISO date-time string
/// literal counts as `DateTime` here.
pub(crate) fn arg_assignable(param: &ParamType, arg: &Expr) -> bool {
    let want = param_ty(param);
    if arg.ty.is_unresolved() || want.is_any() {
        return true;
    }
    if arg.ty.kind == TyKind::Null {
        return param.optional;
    }
    if arg.ty.list != want.list && !arg.ty.is_any() {
        // An empty array literal fits any list.
        return matches!(&arg.kind, ExprKind::Array(items) if items.is_empty()) && want.list;
    }
    if want.kind == TyKind::Scalar(crate::model::Scalar::DateTime) && is_iso_datetime(arg) {
        return true;
    }
    crate::expr::assignable(want.checker_kind(), arg.ty.checker_kind())
}

/// A string literal in ISO 8601 date or date-time form.
pub(crate) fn is_iso_datetime(e: &Expr) -> bool {
    let Some(s) = e.as_string() else { return false };
    let bytes = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        bytes
            .get(r)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && (bytes.len() == 10 || matches!(bytes.get(10), Some(b'T' | b' ')))
}
