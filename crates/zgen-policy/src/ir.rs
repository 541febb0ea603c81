//! The policy IR: rule conditions as typed predicates over rows.
//!
//! A condition is evaluated for one row of a model (scope 0). Collection
//! predicates and `check()` open a new scope for the related row; values name
//! the scope they read from, so `this.x`, bare element fields and bindings
//! all become plain [`Val::Column`]s. `auth()` values stay symbolic
//! ([`Val::Auth`]) until [`crate::bind`] replaces them with the request's
//! values; only then is the predicate lowered to SQL.

use zgen_sema::{FieldId, Scalar};

/// A constant value, typed the way the database stores it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A path from a scope's row through to-one relations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowRef {
    /// 0 is the row the rule is about; `n` is the n-th enclosing collection
    /// predicate or `check()` row, outermost first.
    pub scope: u32,
    /// To-one relation fields to follow, in order.
    pub hops: Vec<FieldId>,
}

impl RowRef {
    pub fn this() -> RowRef {
        RowRef {
            scope: 0,
            hops: Vec::new(),
        }
    }
}

/// A scalar-valued term.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A column of the row `row` reaches; NULL when a hop finds no row.
    Column {
        row: RowRef,
        field: FieldId,
        ty: Scalar,
    },
    /// A member path of the auth value: `auth().a.b` is `["a", "b"]`, the
    /// empty path is the auth object itself. The type converts the JSON
    /// value for the database.
    Auth {
        root: AuthRoot,
        path: Vec<String>,
        ty: Scalar,
    },
    /// A column of the row before the update (`before().x`, post-update only).
    Before {
        field: FieldId,
        ty: Scalar,
    },
    Const(Value),
    /// The database's current time.
    Now,
}

impl Val {
    pub fn null() -> Val {
        Val::Const(Value::Null)
    }

    pub fn is_null_const(&self) -> bool {
        matches!(self, Val::Const(Value::Null))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `contains`, `startsWith`, `endsWith`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LikeKind {
    Contains,
    StartsWith,
    EndsWith,
}

/// The three collection quantifiers (P-33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    Some,
    Every,
    None,
}

/// A condition with SQL's three-valued semantics.
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    True,
    False,
    /// SQL NULL as a condition: an allow that is NULL fails, a deny that is
    /// NULL does not deny.
    Unknown,
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    /// `COALESCE(p, false)`: how deny rules are applied (P-15).
    FalseIfNull(Box<Pred>),
    Cmp {
        op: CmpOp,
        lhs: Val,
        rhs: Val,
    },
    IsNull(Val),
    IsNotNull(Val),
    /// A Boolean value used as a condition.
    Truthy(Val),
    In {
        lhs: Val,
        list: Vec<Val>,
    },
    /// `x in auth().list`: the list comes from the auth value.
    InAuth {
        lhs: Val,
        root: AuthRoot,
        path: Vec<String>,
        ty: Scalar,
    },
    Like {
        kind: LikeKind,
        value: Val,
        search: Val,
        insensitive: bool,
    },
    /// Whether the to-one relation at `row` has a related row.
    RelationIsNull {
        row: RowRef,
        negated: bool,
    },
    /// A predicate over the rows of the to-many relation `relation` of `row`;
    /// `condition` sees the element as scope `scope`.
    Collection {
        quantifier: Quantifier,
        row: RowRef,
        relation: FieldId,
        scope: u32,
        condition: Box<Pred>,
    },
    /// `condition` evaluated on the row the to-one `relation` of `row`
    /// points to, as scope `scope`; NULL when there is none (`check()`, P-70).
    ToOne {
        row: RowRef,
        relation: FieldId,
        scope: u32,
        condition: Box<Pred>,
    },
    /// A collection predicate over a list inside the auth value (P-37),
    /// evaluated element by element when the auth value is bound; inside
    /// `condition`, [`AuthRoot::Element`] `depth` reads the element.
    AuthCollection {
        quantifier: Quantifier,
        root: AuthRoot,
        path: Vec<String>,
        depth: u32,
        condition: Box<Pred>,
    },
    /// A construct the dialect cannot express (array functions on SQLite);
    /// using the rule raises `not-supported`.
    Unsupported(&'static str),
}

/// Where an auth path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthRoot {
    /// `auth()` itself.
    Auth,
    /// The current element of the auth collection predicate at `depth`
    /// (0 is the outermost one).
    Element(u32),
}

impl Pred {
    pub fn and(items: Vec<Pred>) -> Pred {
        Pred::And(items)
    }

    pub fn or(items: Vec<Pred>) -> Pred {
        Pred::Or(items)
    }

    pub fn negate(p: Pred) -> Pred {
        Pred::Not(Box::new(p))
    }
}
