//! What `zgen_client::select!` and `zgen_client::include!` need to know
//! about one model, in its module: `__fields!`, a table with one rule per
//! field (its JSON key, whether it is a value or a to-one or to-many
//! relation, and its serde attributes) and one for all the fields a query
//! returns by default; and `__ty`, the Rust type of every field by name, a
//! relation naming the related model's module. The macros in
//! `zgen-client` do the rest, so each model adds a few lines per field
//! and no type until a program declares a shape.

use crate::model::Member;
use crate::names;
use crate::types::{maybe_absent, queryable, Role};
use crate::writer::{string, Rust};
use zgen_sema::{FieldTypeKind, Model, Scalar};

/// The table macro and the type module of `model`. `tag` makes the
/// macro's name, which `#[macro_export]` puts at the crate root, unique
/// across the schemas one crate may include.
pub fn shape_table(w: &mut Rust, model: &Model, members: &[Member<'_>], tag: &str) {
    let stored: Vec<&Member<'_>> = members.iter().filter(|m| queryable(m.field)).collect();
    let table = format!("__zgen_{}_{tag}", names::snake(&model.name));
    w.line(&["#[doc(hidden)]"]);
    w.line(&["#[macro_export]"]);
    w.open(&["macro_rules! ", &table]);
    // Every field a query returns by default, at once.
    let mut all = String::from("::zgen_client::__shape! { all $s");
    let defaults = stored
        .iter()
        .filter(|m| matches!(m.role, Role::Value { .. }) && !m.field.has_attribute("@omit"));
    for m in defaults {
        let (_, serde) = class(m);
        all.push_str(&format!(" [{} {}{serde}]", m.ident, m.key));
    }
    all.push_str(" }");
    rule(w, "(all $s:tt)", &all);
    for m in &stored {
        let (class, serde) = class(m);
        let words = format!(
            "::zgen_client::__shape! {{ got $s [{} {} {class}{serde}] }}",
            m.ident, m.key
        );
        rule(w, &format!("($s:tt {})", m.ident), &words);
    }
    let model_name = string(&model.name);
    let unknown = format!("::zgen_client::__shape! {{ unknown {model_name} $f }}");
    rule(w, "($s:tt $f:ident)", &unknown);
    w.close();
    w.line(&["#[doc(hidden)]"]);
    w.line(&["pub use ", &table, " as __fields;"]);
    w.line(&["#[doc(hidden)]"]);
    w.line(&["#[allow(non_camel_case_types)]"]);
    w.open(&["pub mod __ty"]);
    w.line(&["use super::*;"]);
    w.line(&["pub type __Model = ", &names::ty(&model.name, ""), ";"]);
    for m in &stored {
        match &m.role {
            Role::Value { ty, .. } if maybe_absent(m.field) => {
                w.alias(&m.ident, &format!("Option<{ty}>"));
            }
            Role::Value { ty, .. } => w.alias(&m.ident, ty),
            Role::Relation { model, .. } => {
                let module = names::ident(&names::snake(model));
                w.line(&["pub use super::super::", &module, " as ", &m.ident, ";"]);
            }
        }
    }
    w.close();
}

/// `(head) => { tokens };`, the tokens (spaced as prettyplease spaces
/// them) filled into lines as prettyplease fills them.
fn rule(w: &mut Rust, head: &str, tokens: &str) {
    w.open(&[head, " =>"]);
    w.words(&tokens.split(' ').collect::<Vec<_>>());
    w.close_with("};");
}

/// How `__shape!` reads a field: its class (`value`, `one`, `many`) and
/// its serde attributes, which follow the key's `rename`.
fn class(m: &Member<'_>) -> (&'static str, &'static str) {
    const DATE: &str = "[, with = \"::zgen_client::datetime\"]";
    const OPT_DATE: &str = "[, with = \"::zgen_client::datetime\", default]";
    let date = matches!(m.field.ty.kind, FieldTypeKind::Scalar(Scalar::DateTime));
    match (&m.role, maybe_absent(m.field), date) {
        (Role::Relation { many: true, .. }, ..) => ("many", "[, default]"),
        (Role::Relation { many: false, .. }, ..) => ("one", "[, default]"),
        (Role::Value { .. }, false, false) => ("value", "[]"),
        (Role::Value { .. }, true, false) => ("value", "[, default]"),
        (Role::Value { .. }, false, true) => ("value", DATE),
        (Role::Value { .. }, true, true) => ("value", OPT_DATE),
    }
}
