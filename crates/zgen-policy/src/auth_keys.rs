//! The members of the auth value a schema ever reads, so that a typed
//! client can send the engine only those: a smaller value to build, hash
//! and compare per request, with the same result for every rule.
//!
//! The engine reads the auth value in two places: binding a compiled rule
//! ([`crate::bind`], which follows each [`Val::Auth`] path) and filling an
//! `@default(auth().x)`. Each read starts at a top-level member; keeping
//! those members whole keeps every read's answer.

use crate::ir::{AuthRoot, Pred, Val};
use crate::PolicySet;
use std::collections::BTreeSet;
use zgen_sema::expr::{Expr, ExprKind};
use zgen_sema::Schema;

/// The top-level members of the auth value that `schema`'s rules and
/// attributes read; `None` when something reads the value as a whole.
/// Testing `auth()` for null reads no member.
pub fn auth_keys(schema: &Schema, policies: &PolicySet) -> Option<BTreeSet<String>> {
    let mut keys = Keys::default();
    for (id, model) in schema.data_models() {
        if let Some(policy) = policies.model(id) {
            for pred in policy.preds() {
                keys.pred(pred);
            }
        }
        let attributes = model.fields.iter().flat_map(|f| &f.attributes);
        for attribute in model.attributes.iter().chain(attributes) {
            // rules are read from their compiled form above
            if matches!(
                attribute.name.as_str(),
                "@@allow" | "@@deny" | "@allow" | "@deny"
            ) {
                continue;
            }
            for arg in &attribute.args {
                keys.expr(schema, &arg.value);
            }
        }
    }
    (!keys.whole).then_some(keys.members)
}

#[derive(Default)]
struct Keys {
    members: BTreeSet<String>,
    whole: bool,
}

impl Keys {
    /// A read of `path` from the auth value (not from a list element).
    fn path(&mut self, root: AuthRoot, path: &[String]) {
        if root != AuthRoot::Auth {
            return;
        }
        match path.first() {
            Some(first) => {
                self.members.insert(first.clone());
            }
            None => self.whole = true,
        }
    }

    fn pred(&mut self, p: &Pred) {
        match p {
            Pred::And(items) | Pred::Or(items) => items.iter().for_each(|p| self.pred(p)),
            Pred::Not(p) | Pred::FalseIfNull(p) => self.pred(p),
            Pred::Collection { condition, .. } | Pred::ToOne { condition, .. } => {
                self.pred(condition)
            }
            Pred::AuthCollection {
                root,
                path,
                condition,
                ..
            } => {
                self.path(*root, path);
                self.pred(condition);
            }
            Pred::InAuth {
                lhs, root, path, ..
            } => {
                self.val(lhs);
                self.path(*root, path);
            }
            // `auth() == null`: whether there is a value, not what it holds
            Pred::IsNull(Val::Auth { path, .. }) | Pred::IsNotNull(Val::Auth { path, .. })
                if path.is_empty() => {}
            Pred::IsNull(v) | Pred::IsNotNull(v) | Pred::Truthy(v) => self.val(v),
            Pred::Cmp { lhs, rhs, .. } => {
                self.val(lhs);
                self.val(rhs);
            }
            Pred::In { lhs, list } => {
                self.val(lhs);
                list.iter().for_each(|v| self.val(v));
            }
            Pred::Like { value, search, .. } => {
                self.val(value);
                self.val(search);
            }
            Pred::JsonContains { array, item } => {
                self.val(array);
                self.val(item);
            }
            Pred::True
            | Pred::False
            | Pred::Unknown
            | Pred::RelationIsNull { .. }
            | Pred::Unsupported(_) => {}
        }
    }

    fn val(&mut self, v: &Val) {
        match v {
            Val::Auth { root, path, .. } => self.path(*root, path),
            Val::JsonPath { json, path, .. } => {
                self.val(json);
                self.val(path);
            }
            _ => {}
        }
    }

    /// `auth().x…` in an attribute reads `x`; `auth()` elsewhere, the
    /// whole value.
    fn expr(&mut self, schema: &Schema, e: &Expr) {
        let (mut calls, mut members) = (0, 0);
        e.walk(&mut |e| match &e.kind {
            ExprKind::Call { name, .. } if name == "auth" => calls += 1,
            ExprKind::Member { receiver, field } if receiver.call_name() == Some("auth") => {
                members += 1;
                self.members.insert(schema.field(*field).name.clone());
            }
            _ => {}
        });
        if calls > members {
            self.whole = true;
        }
    }
}
