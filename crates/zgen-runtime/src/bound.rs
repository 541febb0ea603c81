//! Rules bound to an auth value, shared by every client of that value.
//!
//! Binding folds the auth value into a compiled rule (`zgen_policy::bind`).
//! The result depends only on the rule and the auth value, so the engine
//! keeps it: a user's second request, on any connection or thread, reuses
//! the bound rules of the first instead of binding them again.

use crate::plan::Plans;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use zgen_policy::ir::Pred;
use zgen_sema::{FieldId, ModelId, Operation};

/// Bound field-level rules of one model and operation.
pub(crate) type FieldRules = Vec<(FieldId, Pred)>;

/// Auth values whose bound rules are kept; past this many distinct users
/// the cache starts over rather than grow without bound.
const MAX_USERS: usize = 4096;

/// The bound rules of every auth value seen, by its JSON text.
#[derive(Debug, Default)]
pub(crate) struct BoundCache {
    users: RwLock<HashMap<String, Arc<BoundRules>, foldhash::fast::RandomState>>,
}

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
        let key = auth.map_or_else(String::new, Json::to_string);
        if let Some(rules) = self
            .users
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(rules);
        }
        let mut users = self.users.write().unwrap_or_else(PoisonError::into_inner);
        if users.len() >= MAX_USERS {
            users.clear();
        }
        Arc::clone(users.entry(key).or_default())
    }
}
