//! Binding a request's auth value into a compiled predicate, then folding
//! what became constant (P-22..P-25, P-29, P-37).
//!
//! After binding no [`Val::Auth`] and no [`Pred::AuthCollection`] remain; the
//! result is ready for SQL lowering or in-memory evaluation.

use crate::ir::{AuthRoot, CmpOp, Pred, Quantifier, Val, Value};
use serde_json::Value as Json;
use zgen_sema::{FieldId, Scalar};

/// The auth value of a request: `None` is anonymous.
pub type Auth<'a> = Option<&'a Json>;

/// Replaces auth values by constants and folds the predicate.
pub fn bind(pred: &Pred, auth: Auth<'_>) -> Pred {
    Binder {
        auth,
        elements: Vec::new(),
        row: None,
    }
    .pred(pred)
}

/// Replaces the columns of the rule's own row (scope 0, no hops) by the
/// values `row` gives and folds: a rule about the row's own fields then
/// becomes `True`, `False` or `Unknown` without a query. Terms that need
/// other rows stay as they are. `pred` must be bound already.
pub fn bind_row(pred: &Pred, row: &dyn Fn(FieldId) -> Value) -> Pred {
    Binder {
        auth: None,
        elements: Vec::new(),
        row: Some(row),
    }
    .pred(pred)
}

struct Binder<'a> {
    auth: Auth<'a>,
    /// The current element of each enclosing auth collection predicate.
    elements: Vec<&'a Json>,
    /// The values of the rule's own row, when they are known.
    row: Option<&'a dyn Fn(FieldId) -> Value>,
}

impl<'a> Binder<'a> {
    fn lookup(&self, root: AuthRoot, path: &[String]) -> Option<&'a Json> {
        let start = match root {
            AuthRoot::Auth => self.auth?,
            AuthRoot::Element(depth) => *self.elements.get(depth as usize)?,
        };
        path.iter()
            .try_fold(start, |v, key| v.get(key))
            .filter(|v| !v.is_null())
    }

    fn val(&self, v: &Val) -> Val {
        match v {
            Val::Auth { root, path, ty } => Val::Const(
                self.lookup(*root, path)
                    .map(|j| json_to_value(j, *ty))
                    .unwrap_or(Value::Null),
            ),
            Val::Column { row, field, .. } if row.scope == 0 && row.hops.is_empty() => {
                match self.row {
                    Some(values) => Val::Const(values(*field)),
                    None => v.clone(),
                }
            }
            Val::JsonPath { json, path, unwrap } => Val::JsonPath {
                json: Box::new(self.val(json)),
                path: Box::new(self.val(path)),
                unwrap: *unwrap,
            },
            other => other.clone(),
        }
    }

    fn pred(&mut self, p: &Pred) -> Pred {
        match p {
            Pred::True | Pred::False | Pred::Unknown | Pred::Unsupported(_) => p.clone(),
            Pred::And(items) => and(items.iter().map(|i| self.pred(i)).collect()),
            Pred::Or(items) => or(items.iter().map(|i| self.pred(i)).collect()),
            Pred::Not(inner) => not(self.pred(inner)),
            Pred::FalseIfNull(inner) => match self.pred(inner) {
                Pred::Unknown => Pred::False,
                c @ (Pred::True | Pred::False) => c,
                other => Pred::FalseIfNull(Box::new(other)),
            },
            Pred::Cmp { op, lhs, rhs } => compare(*op, self.val(lhs), self.val(rhs)),
            Pred::IsNull(v) => match self.val(v) {
                Val::Const(c) => truth(c == Value::Null),
                other => Pred::IsNull(other),
            },
            Pred::IsNotNull(v) => match self.val(v) {
                Val::Const(c) => truth(c != Value::Null),
                other => Pred::IsNotNull(other),
            },
            Pred::Truthy(v) => match self.val(v) {
                Val::Const(Value::Null) => Pred::Unknown,
                Val::Const(Value::Bool(b)) => truth(b),
                Val::Const(Value::Int(i)) => truth(i != 0),
                other => Pred::Truthy(other),
            },
            Pred::In { lhs, list } => {
                in_list(self.val(lhs), list.iter().map(|v| self.val(v)).collect())
            }
            Pred::InAuth {
                lhs,
                root,
                path,
                ty,
            } => {
                let list = match self.lookup(*root, path) {
                    Some(Json::Array(items)) => items
                        .iter()
                        .map(|j| Val::Const(json_to_value(j, *ty)))
                        .collect(),
                    // A missing list: `x in null` is NULL.
                    _ => return Pred::Unknown,
                };
                in_list(self.val(lhs), list)
            }
            Pred::Like {
                kind,
                value,
                search,
                insensitive,
            } => {
                // A NULL search matches any non-null value (P-60).
                let search = match self.val(search) {
                    Val::Const(Value::Null) => Val::Const(Value::Text(String::new())),
                    other => other,
                };
                match self.val(value) {
                    Val::Const(Value::Null) => Pred::Unknown,
                    value => Pred::Like {
                        kind: *kind,
                        value,
                        search,
                        insensitive: *insensitive,
                    },
                }
            }
            Pred::JsonContains { array, item } => Pred::JsonContains {
                array: self.val(array),
                item: self.val(item),
            },
            Pred::RelationIsNull { .. } => p.clone(),
            Pred::Collection {
                quantifier,
                row,
                relation,
                scope,
                condition,
            } => Pred::Collection {
                quantifier: *quantifier,
                row: row.clone(),
                relation: *relation,
                scope: *scope,
                condition: Box::new(self.pred(condition)),
            },
            Pred::ToOne {
                row,
                relation,
                scope,
                condition,
            } => Pred::ToOne {
                row: row.clone(),
                relation: *relation,
                scope: *scope,
                condition: Box::new(self.pred(condition)),
            },
            Pred::AuthCollection {
                quantifier,
                root,
                path,
                depth,
                condition,
            } => self.auth_collection(*quantifier, *root, path, *depth, condition),
        }
    }

    /// Expands a predicate over an auth list element by element (P-37): a
    /// missing list is NULL; `?` is an OR, `!` an AND, `^` a NOT-OR.
    fn auth_collection(
        &mut self,
        q: Quantifier,
        root: AuthRoot,
        path: &[String],
        depth: u32,
        condition: &Pred,
    ) -> Pred {
        let Some(Json::Array(items)) = self.lookup(root, path) else {
            return Pred::Unknown;
        };
        let mut per_element = Vec::with_capacity(items.len());
        for item in items {
            self.elements.truncate(depth as usize);
            self.elements.push(item);
            per_element.push(self.pred(condition));
        }
        self.elements.truncate(depth as usize);
        match q {
            Quantifier::Some => or(per_element),
            Quantifier::Every => and(per_element),
            Quantifier::None => not(or(per_element)),
        }
    }
}

fn truth(b: bool) -> Pred {
    if b {
        Pred::True
    } else {
        Pred::False
    }
}

/// Three-valued AND with constants folded away.
pub fn and(items: Vec<Pred>) -> Pred {
    let mut out = Vec::with_capacity(items.len());
    let mut unknown = false;
    for item in items.into_iter().flat_map(flatten_and) {
        match item {
            Pred::False => return Pred::False,
            Pred::True => {}
            Pred::Unknown => unknown = true,
            other => out.push(other),
        }
    }
    if unknown {
        out.push(Pred::Unknown);
    }
    match out.len() {
        0 => Pred::True,
        1 => out.pop().unwrap_or(Pred::True),
        _ => Pred::And(out),
    }
}

/// Three-valued OR with constants folded away.
pub fn or(items: Vec<Pred>) -> Pred {
    let mut out = Vec::with_capacity(items.len());
    let mut unknown = false;
    for item in items.into_iter().flat_map(flatten_or) {
        match item {
            Pred::True => return Pred::True,
            Pred::False => {}
            Pred::Unknown => unknown = true,
            other => out.push(other),
        }
    }
    if unknown {
        out.push(Pred::Unknown);
    }
    match out.len() {
        0 => Pred::False,
        1 => out.pop().unwrap_or(Pred::False),
        _ => Pred::Or(out),
    }
}

fn flatten_and(p: Pred) -> Vec<Pred> {
    match p {
        Pred::And(items) => items,
        other => vec![other],
    }
}

fn flatten_or(p: Pred) -> Vec<Pred> {
    match p {
        Pred::Or(items) => items,
        other => vec![other],
    }
}

pub fn not(p: Pred) -> Pred {
    match p {
        Pred::True => Pred::False,
        Pred::False => Pred::True,
        Pred::Unknown => Pred::Unknown,
        Pred::Not(inner) => *inner,
        other => Pred::Not(Box::new(other)),
    }
}

/// A comparison after binding: a NULL constant on one side turns `==`/`!=`
/// into an IS [NOT] NULL test (P-24); constants on both sides fold.
fn compare(op: CmpOp, l: Val, r: Val) -> Pred {
    match (&l, &r) {
        (Val::Const(a), Val::Const(b)) => match compare_consts(op, a, b) {
            Some(b) => truth(b),
            None => Pred::Unknown,
        },
        (Val::Const(Value::Null), other) | (other, Val::Const(Value::Null)) => match op {
            CmpOp::Eq => Pred::IsNull(other.clone()),
            CmpOp::Ne => Pred::IsNotNull(other.clone()),
            _ => Pred::Unknown,
        },
        _ => Pred::Cmp { op, lhs: l, rhs: r },
    }
}

fn in_list(lhs: Val, list: Vec<Val>) -> Pred {
    match &lhs {
        // A NULL constant on the left folds to false (P-38).
        Val::Const(Value::Null) => Pred::False,
        Val::Const(c) if list.iter().all(|v| matches!(v, Val::Const(_))) => {
            let mut unknown = false;
            for v in &list {
                match v {
                    Val::Const(item) => match compare_consts(CmpOp::Eq, c, item) {
                        Some(true) => return Pred::True,
                        None => unknown = true,
                        Some(false) => {}
                    },
                    _ => unknown = true,
                }
            }
            if unknown {
                Pred::Unknown
            } else {
                Pred::False
            }
        }
        _ if list.is_empty() => Pred::False,
        _ => Pred::In { lhs, list },
    }
}

/// Compares two constants as the database would; `None` is NULL.
pub fn compare_consts(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    use std::cmp::Ordering;
    let ordering = match (a, b) {
        (Value::Null, _) | (_, Value::Null) => return None,
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Bytes(x), Value::Bytes(y)) => x.cmp(y),
        (x, y) => {
            let (x, y) = (numeric(x)?, numeric(y)?);
            x.partial_cmp(&y)?
        }
    };
    Some(match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
    })
}

fn numeric(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Converts a JSON auth value to the database value of a field type (P-29).
pub fn json_to_value(j: &Json, ty: Scalar) -> Value {
    match (ty, j) {
        (_, Json::Null) => Value::Null,
        (Scalar::Boolean, Json::Bool(b)) => Value::Bool(*b),
        (Scalar::Int | Scalar::BigInt, Json::Number(n)) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| n.as_f64().map(Value::Float).unwrap_or(Value::Null)),
        (Scalar::Int | Scalar::BigInt, Json::String(s)) => {
            s.parse().map(Value::Int).unwrap_or(Value::Text(s.clone()))
        }
        (Scalar::Float | Scalar::Decimal, Json::Number(n)) => {
            n.as_f64().map(Value::Float).unwrap_or(Value::Null)
        }
        (Scalar::Float | Scalar::Decimal, Json::String(s)) => s
            .parse()
            .map(Value::Float)
            .unwrap_or(Value::Text(s.clone())),
        (Scalar::Json, v) => Value::Text(v.to_string()),
        (_, Json::String(s)) => Value::Text(s.clone()),
        (_, Json::Bool(b)) => Value::Bool(*b),
        (_, Json::Number(n)) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
        (_, other) => Value::Text(other.to_string()),
    }
}
