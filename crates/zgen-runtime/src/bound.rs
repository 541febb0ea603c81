//! Rules bound to an auth value, shared by every client of that value.
//!
//! Binding folds the auth value into a compiled rule (`zgen_policy::bind`).
//! The result depends only on the rule and the auth value, so the engine
//! keeps it: a user's second request, on any connection or thread, reuses
//! the bound rules of the first instead of binding them again.

use crate::plan::Plans;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, PoisonError, RwLock};
use zgen_policy::ir::Pred;
use zgen_sema::{FieldId, ModelId, Operation};

/// Bound field-level rules of one model and operation.
pub(crate) type FieldRules = Vec<(FieldId, Pred)>;

/// Auth values whose bound rules are kept; past this many distinct users
/// the cache starts over rather than grow without bound.
const MAX_USERS: usize = 4096;

/// The bound rules of every auth value seen, by a structural hash of the
/// value (no JSON text is written per request) and then by equality.
#[derive(Debug, Default)]
pub(crate) struct BoundCache {
    users: RwLock<Users>,
    hasher: foldhash::fast::RandomState,
}

type Users = HashMap<u64, Vec<(Option<Json>, Arc<BoundRules>)>, foldhash::fast::RandomState>;

/// The bound rules of one auth value, filled as operations need them.
#[derive(Debug, Default)]
pub(crate) struct BoundRules {
    pub(crate) models: Shelf<Pred>,
    pub(crate) fields: Shelf<FieldRules>,
    /// Statements written under these rules, by argument shape.
    pub(crate) plans: Plans,
}

/// A concurrent map from (model, operation) to a bound rule. A user
/// touches a handful of models, so a short list beats hashing.
#[derive(Debug)]
pub(crate) struct Shelf<T>(RwLock<Vec<((ModelId, Operation), T)>>);

impl<T> Default for Shelf<T> {
    fn default() -> Self {
        Shelf(RwLock::new(Vec::new()))
    }
}

impl<T: Clone> Shelf<T> {
    pub(crate) fn get(&self, model: ModelId, op: Operation) -> Option<T> {
        // A poisoned lock only means another thread panicked; every entry
        // in the list is complete.
        let list = self.0.read().unwrap_or_else(PoisonError::into_inner);
        list.iter()
            .find(|(key, _)| *key == (model, op))
            .map(|(_, value)| value.clone())
    }

    pub(crate) fn put(&self, model: ModelId, op: Operation, value: T) {
        let mut list = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if !list.iter().any(|(key, _)| *key == (model, op)) {
            list.push(((model, op), value));
        }
    }
}

impl BoundCache {
    /// The bound rules of `auth` (`None`: anonymous).
    pub(crate) fn rules(&self, auth: Option<&Json>) -> Arc<BoundRules> {
        let hash = self.hash(auth);
        let users = self.users.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(rules) = find(&users, hash, auth) {
            return rules;
        }
        drop(users);
        let mut users = self.users.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(rules) = find(&users, hash, auth) {
            return rules;
        }
        if users.len() >= MAX_USERS {
            users.clear();
        }
        let rules = Arc::new(BoundRules::default());
        users
            .entry(hash)
            .or_default()
            .push((auth.cloned(), Arc::clone(&rules)));
        rules
    }

    fn hash(&self, auth: Option<&Json>) -> u64 {
        let mut h = self.hasher.build_hasher();
        if let Some(auth) = auth {
            self.feed(&mut h, auth);
        }
        h.finish()
    }

    /// Hashes `value` consistently with `Json`'s equality, under which an
    /// object's entries are unordered.
    fn feed(&self, h: &mut impl Hasher, value: &Json) {
        match value {
            Json::Null => h.write_u8(0),
            Json::Bool(b) => h.write_u8(1 + u8::from(*b)),
            Json::Number(n) => {
                h.write_u8(3);
                n.hash(h);
            }
            Json::String(s) => {
                h.write_u8(4);
                s.hash(h);
            }
            Json::Array(items) => {
                h.write_u8(5);
                h.write_usize(items.len());
                for item in items {
                    self.feed(h, item);
                }
            }
            Json::Object(map) => {
                h.write_u8(6);
                h.write_usize(map.len());
                let entries = map.iter().fold(0u64, |sum, (k, v)| {
                    let mut e = self.hasher.build_hasher();
                    k.hash(&mut e);
                    self.feed(&mut e, v);
                    sum.wrapping_add(e.finish())
                });
                h.write_u64(entries);
            }
        }
    }
}

fn find(users: &Users, hash: u64, auth: Option<&Json>) -> Option<Arc<BoundRules>> {
    let same = |a: &Option<Json>| match (a, auth) {
        (Some(a), Some(b)) => same_json(a, b),
        (a, b) => a.as_ref() == b,
    };
    users
        .get(&hash)?
        .iter()
        .find(|(a, _)| same(a))
        .map(|(_, rules)| Arc::clone(rules))
}

/// `a == b`, without hashing every key of `b`'s objects when both list
/// the same keys in the same order (as a user's auth value usually does,
/// request after request).
fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            let in_order = x.len() == y.len() && x.keys().zip(y.keys()).all(|(k, l)| k == l);
            if !in_order {
                return a == b;
            }
            x.values().zip(y.values()).all(|(v, w)| same_json(v, w))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_json(v, w))
        }
        _ => a == b,
    }
}
