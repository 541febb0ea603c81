//! Resolved, typed expressions: what attribute arguments and rule conditions
//! become after name resolution. The policy compiler consumes these.

use crate::model::{EnumId, FieldId, FunctionId, ModelId, Scalar};
use serde::{Deserialize, Serialize};
use zgen_diagnostics::Span;
pub use zgen_syntax::ast::{BinaryOp, Quantifier};

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ty {
    pub kind: TyKind,
    pub list: bool,
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TyKind {
    Scalar(Scalar),
    Null,
    Any,
    Object,
    Enum(EnumId),
    /// A model, view or `type` value.
    Model(ModelId),
    /// Could not be typed; a diagnostic was reported (or will be).
    Unresolved,
}

impl Ty {
    pub const UNRESOLVED: Ty = Ty::of(TyKind::Unresolved);
    pub const ANY: Ty = Ty::of(TyKind::Any);
    pub const NULL: Ty = Ty::of(TyKind::Null);
    pub const BOOLEAN: Ty = Ty::scalar(Scalar::Boolean);

    pub const fn of(kind: TyKind) -> Ty {
        Ty {
            kind,
            list: false,
            nullable: false,
        }
    }

    pub const fn scalar(s: Scalar) -> Ty {
        Ty::of(TyKind::Scalar(s))
    }

    pub fn list(mut self, list: bool) -> Ty {
        self.list = list;
        self
    }

    pub fn nullable(mut self, nullable: bool) -> Ty {
        self.nullable = nullable;
        self
    }

    pub fn is_unresolved(self) -> bool {
        self.kind == TyKind::Unresolved
    }

    pub fn is_any(self) -> bool {
        self.kind == TyKind::Any
    }

    /// Boolean or Any, not a list (a usable condition).
    pub fn is_boolean_like(self) -> bool {
        !self.list && matches!(self.kind, TyKind::Scalar(Scalar::Boolean) | TyKind::Any)
    }

    pub fn model(self) -> Option<ModelId> {
        match self.kind {
            TyKind::Model(m) => Some(m),
            _ => None,
        }
    }

    /// The kind as ZenStack's type checker sees it: BigInt is Int, Decimal is
    /// Float, Json and Bytes are Any.
    pub fn checker_kind(self) -> TyKind {
        match self.kind {
            TyKind::Scalar(Scalar::BigInt) => TyKind::Scalar(Scalar::Int),
            TyKind::Scalar(Scalar::Decimal) => TyKind::Scalar(Scalar::Float),
            TyKind::Scalar(Scalar::Json | Scalar::Bytes) => TyKind::Any,
            k => k,
        }
    }
}

/// `to` accepts a value of type `from`, list-ness aside.
pub fn assignable(to: TyKind, from: TyKind) -> bool {
    match (to, from) {
        (TyKind::Any, _) | (_, TyKind::Any) => true,
        (TyKind::Unresolved, _) | (_, TyKind::Unresolved) => true,
        (TyKind::Scalar(Scalar::Float), TyKind::Scalar(Scalar::Int)) => true,
        (a, b) => a == b,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Literal {
    String(String),
    /// Number literals keep their text; `is_integer` tells `1` from `1.5`.
    Number(String),
    Bool(bool),
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    Literal(Literal),
    Null,
    /// The model that owns the rule.
    This,
    /// A bare field name: a field of the context model, or of the element
    /// model inside a collection predicate.
    Field(FieldId),
    EnumValue {
        enum_id: EnumId,
        index: u32,
    },
    /// A collection-predicate binding; `depth` counts enclosing predicates
    /// from the outermost (0).
    Binding {
        name: String,
        depth: u32,
    },
    /// A parameter inside a function body.
    Param(String),
    /// A function call with arguments in written order.
    Call {
        function: Option<FunctionId>,
        name: String,
        args: Vec<Expr>,
    },
    /// `receiver.field`.
    Member {
        receiver: Box<Expr>,
        field: FieldId,
    },
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Collection {
        quantifier: Quantifier,
        collection: Box<Expr>,
        binding: Option<String>,
        condition: Box<Expr>,
    },
    Array(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    /// A reference with named arguments in an index list:
    /// `@@index([name(sort: Desc)])`.
    FieldWithArgs {
        field: FieldId,
        args: Vec<(String, Expr)>,
    },
    /// Could not be resolved; a diagnostic was reported.
    Error,
}

impl Expr {
    pub fn error(span: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            ty: Ty::UNRESOLVED,
            span,
        }
    }

    pub fn as_string(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Literal(Literal::String(s)) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            ExprKind::Literal(Literal::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The name of the called function, if this is a call.
    pub fn call_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Call { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The field this expression directly names (`x`, `x(sort: Desc)`).
    pub fn as_field(&self) -> Option<FieldId> {
        match &self.kind {
            ExprKind::Field(f) | ExprKind::FieldWithArgs { field: f, .. } => Some(*f),
            _ => None,
        }
    }

    /// True when this is `auth()` or a member chain starting at `auth()`.
    pub fn is_auth_rooted(&self) -> bool {
        match &self.kind {
            ExprKind::Call { name, .. } => name == "auth",
            ExprKind::Member { receiver, .. } => receiver.is_auth_rooted(),
            _ => false,
        }
    }

    /// True when this is `before()` or a member chain starting at it.
    pub fn is_before_rooted(&self) -> bool {
        match &self.kind {
            ExprKind::Call { name, .. } => name == "before",
            ExprKind::Member { receiver, .. } => receiver.is_before_rooted(),
            _ => false,
        }
    }

    /// Calls `f` on this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Call { args, .. } | ExprKind::Array(args) => {
                args.iter().for_each(|a| a.walk(f))
            }
            ExprKind::Member { receiver, .. } => receiver.walk(f),
            ExprKind::Not(e) => e.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Collection {
                collection,
                condition,
                ..
            } => {
                collection.walk(f);
                condition.walk(f);
            }
            ExprKind::Object(entries) | ExprKind::FieldWithArgs { args: entries, .. } => {
                entries.iter().for_each(|(_, e)| e.walk(f))
            }
            ExprKind::Literal(_)
            | ExprKind::Null
            | ExprKind::This
            | ExprKind::Field(_)
            | ExprKind::EnumValue { .. }
            | ExprKind::Binding { .. }
            | ExprKind::Param(_)
            | ExprKind::Error => {}
        }
    }
}
