//! What `zgen_client::select!` and `zgen_client::include!` need to know
//! about one model, in its module: `__fields!`, a table with one rule per
//! field (the JSON key and the kind of value, which decides its serde
//! attributes), and `__ty`, the Rust type of every field by name, a
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
    let mut list: Vec<String> = stored
        .iter()
        .filter(|m| matches!(m.role, Role::Value { .. }) && !m.field.has_attribute("@omit"))
        .map(|m| m.ident.clone())
        .collect();
    // The brackets cling to the first and last names, as prettyplease
    // prints them.
    match list.as_mut_slice() {
        [] => list.push("[]".to_string()),
        [one] => *one = format!("[{one}]"),
        [first, .., last] => {
            *first = format!("[{first}");
            *last = format!("{last}]");
        }
    }
    let mut all = vec!["::zgen_client::__shape!", "{", "all", "$s"];
    all.extend(list.iter().map(String::as_str));
    all.push("}");
    rule(w, "(all $s:tt)", &all);
    for m in &stored {
        let (name, kind) = (format!("[{}", m.ident), format!("{}]", kind(m)));
        let words = [
            "::zgen_client::__shape!",
            "{",
            "got",
            "$s",
            &name,
            &m.key,
            &kind,
            "}",
        ];
        rule(w, &format!("($s:tt {})", m.ident), &words);
    }
    let model_name = string(&model.name);
    let unknown = [
        "::zgen_client::__shape!",
        "{",
        "unknown",
        &model_name,
        "$f",
        "}",
    ];
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

/// `(head) => { words };`, the words filled as prettyplease fills them.
fn rule(w: &mut Rust, head: &str, words: &[&str]) {
    w.open(&[head, " =>"]);
    w.words(words);
    w.close_with("};");
}

/// The kind the table gives a field: how `__shape!` types and reads it.
fn kind(m: &Member<'_>) -> &'static str {
    let date = matches!(m.field.ty.kind, FieldTypeKind::Scalar(Scalar::DateTime));
    match (&m.role, maybe_absent(m.field), date) {
        (Role::Relation { many: true, .. }, ..) => "many",
        (Role::Relation { many: false, .. }, ..) => "one",
        (Role::Value { .. }, false, false) => "val",
        (Role::Value { .. }, true, false) => "opt",
        (Role::Value { .. }, false, true) => "date",
        (Role::Value { .. }, true, true) => "opt_date",
    }
}
