//! The policy IR: rule conditions as typed predicates over rows.
//!
//! A condition is evaluated for one row of a model (scope 0). Collection
//! predicates and `check()` open a new scope for the related row; values name
//! the scope they read from, so `this.x`, bare element fields and bindings
//! all become plain [`Val::Column`]s. `auth()` values stay symbolic
//! ([`Val::Auth`]) until [`crate::bind`] replaces them with the request's
//! values; only then is the predicate lowered to SQL.

use serde::{Deserialize, Serialize};
use zgen_sema::{FieldId, Scalar};

/// A constant value, typed the way the database stores it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// A path from a scope's row through to-one relations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The member of the JSON value `json` at the JSONPath `path` (`$.a[0]`,
    /// a bound text): as JSON text, or with `unwrap` as an SQL value (a
    /// string without its quotes). NULL where the member is missing.
    JsonPath {
        json: Box<Val>,
        path: Box<Val>,
        unwrap: bool,
    },
}

impl Val {
    pub fn null() -> Val {
        Val::Const(Value::Null)
    }

    pub fn is_null_const(&self) -> bool {
        matches!(self, Val::Const(Value::Null))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `contains`, `startsWith`, `endsWith`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LikeKind {
    Contains,
    StartsWith,
    EndsWith,
    /// Whole-value match: case-insensitive equality of query filters
    /// (`mode: 'insensitive'`).
    Equals,
}

/// The three collection quantifiers (P-33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantifier {
    Some,
    Every,
    None,
}

/// A condition with SQL's three-valued semantics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Whether the JSON array `array` has an element equal to the SQL value
    /// `item` (Json filters' `array_contains`).
    JsonContains {
        array: Val,
        item: Val,
    },
    /// A construct the dialect cannot express (array functions on SQLite);
    /// using the rule raises `not-supported`.
    Unsupported(#[serde(deserialize_with = "interned")] Reason),
}

/// A fixed message. An alias, so that serde does not borrow it from the
/// input (which would tie decoding to `'static` bytes).
pub type Reason = &'static str;

/// Decodes the reason of [`Pred::Unsupported`]: a handful of distinct
/// messages, each leaked once and then shared, so decoding compiled
/// policies any number of times allocates a bounded amount.
fn interned<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static SEEN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let text = String::deserialize(d)?;
    let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = seen.get(text.as_str()) {
        return Ok(known);
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(leaked);
    Ok(leaked)
}

/// Where an auth path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl Pred {
    /// Whether any part is [`Pred::Unsupported`]: the engine refuses to run
    /// such a policy (`not-supported`) rather than guess.
    pub fn contains_unsupported(&self) -> bool {
        match self {
            Pred::Unsupported(_) => true,
            Pred::And(items) | Pred::Or(items) => items.iter().any(Pred::contains_unsupported),
            Pred::Not(p) | Pred::FalseIfNull(p) => p.contains_unsupported(),
            Pred::Collection { condition, .. }
            | Pred::ToOne { condition, .. }
            | Pred::AuthCollection { condition, .. } => condition.contains_unsupported(),
            _ => false,
        }
    }

    /// The same predicate with every scope number `s` renamed to `f(s)`, so
    /// one model's policy can be embedded inside a query about another row
    /// (the related rows of a relation filter or include).
    pub fn map_scopes(&self, f: &impl Fn(u32) -> u32) -> Pred {
        let row = |r: &RowRef| RowRef {
            scope: f(r.scope),
            hops: r.hops.clone(),
        };
        let val = |v: &Val| v.map_scopes(f);
        match self {
            Pred::And(items) => Pred::And(items.iter().map(|p| p.map_scopes(f)).collect()),
            Pred::Or(items) => Pred::Or(items.iter().map(|p| p.map_scopes(f)).collect()),
            Pred::Not(p) => Pred::Not(Box::new(p.map_scopes(f))),
            Pred::FalseIfNull(p) => Pred::FalseIfNull(Box::new(p.map_scopes(f))),
            Pred::Cmp { op, lhs, rhs } => Pred::Cmp {
                op: *op,
                lhs: val(lhs),
                rhs: val(rhs),
            },
            Pred::IsNull(v) => Pred::IsNull(val(v)),
            Pred::IsNotNull(v) => Pred::IsNotNull(val(v)),
            Pred::Truthy(v) => Pred::Truthy(val(v)),
            Pred::In { lhs, list } => Pred::In {
                lhs: val(lhs),
                list: list.iter().map(val).collect(),
            },
            Pred::InAuth {
                lhs,
                root,
                path,
                ty,
            } => Pred::InAuth {
                lhs: val(lhs),
                root: *root,
                path: path.clone(),
                ty: *ty,
            },
            Pred::Like {
                kind,
                value,
                search,
                insensitive,
            } => Pred::Like {
                kind: *kind,
                value: val(value),
                search: val(search),
                insensitive: *insensitive,
            },
            Pred::JsonContains { array, item } => Pred::JsonContains {
                array: val(array),
                item: val(item),
            },
            Pred::RelationIsNull { row: r, negated } => Pred::RelationIsNull {
                row: row(r),
                negated: *negated,
            },
            Pred::Collection {
                quantifier,
                row: r,
                relation,
                scope,
                condition,
            } => Pred::Collection {
                quantifier: *quantifier,
                row: row(r),
                relation: *relation,
                scope: f(*scope),
                condition: Box::new(condition.map_scopes(f)),
            },
            Pred::ToOne {
                row: r,
                relation,
                scope,
                condition,
            } => Pred::ToOne {
                row: row(r),
                relation: *relation,
                scope: f(*scope),
                condition: Box::new(condition.map_scopes(f)),
            },
            Pred::AuthCollection {
                quantifier,
                root,
                path,
                depth,
                condition,
            } => Pred::AuthCollection {
                quantifier: *quantifier,
                root: *root,
                path: path.clone(),
                depth: *depth,
                condition: Box::new(condition.map_scopes(f)),
            },
            Pred::True | Pred::False | Pred::Unknown | Pred::Unsupported(_) => self.clone(),
        }
    }

    /// Whether the predicate reads the pre-update row (`before()`).
    pub fn uses_before(&self) -> bool {
        let val = |v: &Val| matches!(v, Val::Before { .. });
        match self {
            Pred::And(items) | Pred::Or(items) => items.iter().any(Pred::uses_before),
            Pred::Not(p) | Pred::FalseIfNull(p) => p.uses_before(),
            Pred::Collection { condition, .. }
            | Pred::ToOne { condition, .. }
            | Pred::AuthCollection { condition, .. } => condition.uses_before(),
            Pred::Cmp { lhs, rhs, .. } => val(lhs) || val(rhs),
            Pred::IsNull(v) | Pred::IsNotNull(v) | Pred::Truthy(v) => val(v),
            Pred::In { lhs, list } => val(lhs) || list.iter().any(val),
            Pred::InAuth { lhs, .. } => val(lhs),
            Pred::Like { value, search, .. } => val(value) || val(search),
            Pred::JsonContains { array, item } => val(array) || val(item),
            _ => false,
        }
    }

    /// The largest scope number used.
    pub fn max_scope(&self) -> u32 {
        let max = std::cell::Cell::new(0);
        self.map_scopes(&|s| {
            max.set(max.get().max(s));
            s
        });
        max.get()
    }
}

impl Val {
    fn map_scopes(&self, f: &impl Fn(u32) -> u32) -> Val {
        match self {
            Val::Column { row, field, ty } => Val::Column {
                row: RowRef {
                    scope: f(row.scope),
                    hops: row.hops.clone(),
                },
                field: *field,
                ty: *ty,
            },
            Val::JsonPath { json, path, unwrap } => Val::JsonPath {
                json: Box::new(json.map_scopes(f)),
                path: Box::new(path.map_scopes(f)),
                unwrap: *unwrap,
            },
            other => other.clone(),
        }
    }
}
