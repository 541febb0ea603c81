//! Operand checks of binary operators (V-E2 to V-E7).

use super::{Resolver, Scope};
use crate::expr::{assignable, Expr, ExprKind, Ty, TyKind};
use crate::model::{ExpressionContext, Scalar};
use zgen_diagnostics::{Code, Span};
use zgen_syntax::ast::BinaryOp;

impl Resolver<'_> {
    pub(super) fn check_binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope,
    ) {
        if lhs.ty.is_unresolved() || rhs.ty.is_unresolved() {
            return;
        }
        match op {
            BinaryOp::And | BinaryOp::Or => {
                for side in [lhs, rhs] {
                    if !side.ty.is_boolean_like() {
                        self.error(
                            Code::LOGICAL_OPERANDS,
                            side.span,
                            format!("invalid operand type for `{}` operator", op.as_str()),
                        )
                        .help = Some("both sides must be Boolean conditions".into());
                    }
                }
            }
            BinaryOp::In => self.check_in(lhs, rhs),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                self.check_ordering(op, op_span, lhs, rhs)
            }
            BinaryOp::Eq | BinaryOp::Ne => self.check_equality(op_span, lhs, rhs, scope),
        }
    }

    fn check_in(&mut self, lhs: &Expr, rhs: &Expr) {
        let scalar_like = matches!(
            lhs.ty.kind,
            TyKind::Scalar(_) | TyKind::Enum(_) | TyKind::Any | TyKind::Null
        );
        if lhs.ty.list || !scalar_like {
            self.error(
                Code::IN_OPERANDS,
                lhs.span,
                "left operand of `in` must be of scalar type",
            );
        }
        if !rhs.ty.list && !rhs.ty.is_any() {
            self.error(
                Code::IN_OPERANDS,
                rhs.span,
                "right operand of `in` must be an array",
            );
        }
    }

    fn check_ordering(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) {
        let mut ok = true;
        for side in [lhs, rhs] {
            if side.ty.list {
                self.error(
                    Code::ORDERING_OPERANDS,
                    side.span,
                    "operand cannot be an array",
                );
                ok = false;
            } else if !matches!(
                side.ty.checker_kind(),
                TyKind::Scalar(Scalar::Int | Scalar::Float | Scalar::DateTime) | TyKind::Any
            ) {
                self.error(
                    Code::ORDERING_OPERANDS,
                    side.span,
                    format!("invalid operand type for `{}` operator", op.as_str()),
                )
                .help = Some("only numbers and DateTime values are ordered".into());
                ok = false;
            }
            if !ok {
                // one report per comparison: the other side is usually fine
                // or wrong for the same reason
                break;
            }
        }
        let is_date = |t: Ty| t.kind == TyKind::Scalar(Scalar::DateTime);
        if ok && is_date(lhs.ty) != is_date(rhs.ty) && !lhs.ty.is_any() && !rhs.ty.is_any() {
            self.error(
                Code::ORDERING_OPERANDS,
                op_span,
                "incompatible operand types",
            )
            .help = Some("a DateTime compares only with another DateTime".into());
        }
    }

    fn check_equality(&mut self, op_span: Span, lhs: &Expr, rhs: &Expr, scope: &Scope) {
        let (l, r) = (lhs.ty, rhs.ty);
        // Enums are not type-checked (V-E5a).
        if matches!(l.kind, TyKind::Enum(_)) || matches!(r.kind, TyKind::Enum(_)) {
            return;
        }
        if l.kind == TyKind::Null || r.kind == TyKind::Null {
            let other = if l.kind == TyKind::Null { rhs } else { lhs };
            let validation = scope.context == Some(ExpressionContext::ValidationRule);
            let may_be_null = other.ty.nullable
                || other.ty.kind == TyKind::Null
                || other.ty.is_any()
                || other.ty.model().is_some()
                || validation;
            if !may_be_null {
                self.error(
                    Code::INCOMPATIBLE_OPERANDS,
                    op_span,
                    "incompatible operand types",
                )
                .help = Some(format!(
                    "`{}` is never null; compare it with a value, or make the field optional",
                    describe(other)
                ));
            }
            return;
        }
        if l.list != r.list && !l.is_any() && !r.is_any() {
            self.error(
                Code::INCOMPATIBLE_OPERANDS,
                op_span,
                "incompatible operand types",
            )
            .help = Some("a list compares only with a list".into());
            return;
        }
        match (l.model(), r.model()) {
            (Some(a), Some(b)) => {
                if a != b {
                    self.error(
                        Code::INCOMPATIBLE_OPERANDS,
                        op_span,
                        "incompatible operand types",
                    )
                    .help = Some(format!(
                        "`{}` and `{}` are different models",
                        self.schema.model(a).name,
                        self.schema.model(b).name
                    ));
                } else if is_bare_model_ref(lhs) && is_bare_model_ref(rhs) {
                    self.error(
                        Code::MODEL_COMPARISON,
                        op_span,
                        "comparison between models is not supported",
                    )
                    .help = Some("compare their id fields, or compare with `auth()`".into());
                }
            }
            (Some(_), None) | (None, Some(_)) => {
                if !l.is_any() && !r.is_any() {
                    self.error(
                        Code::INCOMPATIBLE_OPERANDS,
                        op_span,
                        "incompatible operand types",
                    )
                    .help = Some("a model compares only with the same model or `null`".into());
                }
            }
            (None, None) => {
                let (a, b) = (l.checker_kind(), r.checker_kind());
                if !assignable(a, b) && !assignable(b, a) {
                    self.error(
                        Code::INCOMPATIBLE_OPERANDS,
                        op_span,
                        "incompatible operand types",
                    )
                    .help = Some(format!(
                        "`{}` and `{}` cannot be compared",
                        describe(lhs),
                        describe(rhs)
                    ));
                }
            }
        }
    }
}

/// A relation-field reference or `this`, as opposed to `auth()` or a member
/// chain (V-E6: only those forms may be compared).
fn is_bare_model_ref(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::This | ExprKind::Field(_))
}

fn describe(e: &Expr) -> String {
    let base = match e.ty.kind {
        TyKind::Scalar(s) => s.name().to_string(),
        TyKind::Null => "null".into(),
        TyKind::Any => "Any".into(),
        TyKind::Object => "Object".into(),
        TyKind::Enum(_) => "enum".into(),
        TyKind::Model(_) => "model".into(),
        TyKind::Unresolved => "unresolved".into(),
    };
    if e.ty.list {
        format!("{base}[]")
    } else {
        base
    }
}
