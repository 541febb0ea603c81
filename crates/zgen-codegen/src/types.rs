//! What each field is in Rust: its value type, and which builders it
//! appears in.

use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use zgen_sema::{Field, FieldTypeKind, Model, RelationKind, Scalar, Schema};

/// The Rust type of `DateTime` fields. Both are read and written as
/// ZenStack's text (`zgen_client::datetime`), so the stored values are the
/// same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateTimes {
    /// `chrono::DateTime<Utc>`.
    #[default]
    Chrono,
    /// `time::OffsetDateTime` (needs `zgen-client`'s `time` feature).
    Time,
}

/// How a field takes part in the generated API.
pub enum Role {
    /// A stored value (scalar, enum, typed JSON) of Rust type `ty`.
    Value {
        ty: TokenStream,
        /// Usable in `where` and `orderBy` (not JSON, not a list).
        comparable: bool,
    },
    /// A relation to another model.
    Relation { model: String, many: bool },
}

pub fn role(schema: &Schema, field: &Field, dt: DateTimes) -> Role {
    let base = match &field.ty.kind {
        FieldTypeKind::Model(m) => {
            let many = field.ty.list
                || field.relation.as_ref().and_then(|r| r.kind) == Some(RelationKind::OneToMany)
                || field.relation.as_ref().and_then(|r| r.kind) == Some(RelationKind::ManyToMany);
            return Role::Relation {
                model: schema.model(*m).name.clone(),
                many,
            };
        }
        FieldTypeKind::Scalar(s) => scalar(*s, dt),
        FieldTypeKind::Enum(e) => {
            let id = names::ty(&schema.enum_(*e).name, "");
            quote!(#id)
        }
        FieldTypeKind::TypeDef(m) => {
            let id = names::ty(&schema.model(*m).name, "");
            quote!(#id)
        }
        FieldTypeKind::Unsupported(_) | FieldTypeKind::Unresolved => {
            quote!(zc::serde_json::Value)
        }
    };
    let comparable = !field.ty.list
        && matches!(
            field.ty.kind,
            FieldTypeKind::Scalar(
                Scalar::String
                    | Scalar::Boolean
                    | Scalar::Int
                    | Scalar::BigInt
                    | Scalar::Float
                    | Scalar::Decimal
                    | Scalar::DateTime
                    | Scalar::Bytes
            ) | FieldTypeKind::Enum(_)
        );
    let ty = if field.ty.list {
        quote!(Vec<#base>)
    } else {
        base
    };
    Role::Value { ty, comparable }
}

fn scalar(s: Scalar, dt: DateTimes) -> TokenStream {
    match s {
        Scalar::String => quote!(String),
        Scalar::Boolean => quote!(bool),
        Scalar::Int => quote!(i32),
        Scalar::BigInt => quote!(i64),
        Scalar::Float => quote!(f64),
        Scalar::Decimal => quote!(zc::rust_decimal::Decimal),
        Scalar::DateTime => match dt {
            DateTimes::Chrono => quote!(zc::chrono::DateTime<zc::chrono::Utc>),
            DateTimes::Time => quote!(zc::time::OffsetDateTime),
        },
        Scalar::Json => quote!(zc::serde_json::Value),
        Scalar::Bytes => quote!(Vec<u8>),
    }
}

/// `with = "zc::datetime",` for DateTime fields (ZenStack's text in either
/// crate), else nothing: the rest of a `#[serde(...)]` list.
pub fn serde_with(field: &Field) -> TokenStream {
    if matches!(field.ty.kind, FieldTypeKind::Scalar(Scalar::DateTime)) {
        quote!(with = "zc::datetime",)
    } else {
        quote!()
    }
}

/// The field may be absent or null in a result: optional, omitted by
/// default (`@omit`), masked by a field-level read rule, or computed (the
/// SQLite engine has no column for it).
pub fn maybe_absent(field: &Field) -> bool {
    field.ty.optional
        || field.has_attribute("@omit")
        || !field.rules.is_empty()
        || field.is_computed()
}

/// Fields a client may write: not computed.
pub fn writable(field: &Field) -> bool {
    !field.is_computed()
}

/// The fields the generated API shows: relations to stored models and
/// stored values. Relations to `type`s (mixin-only holders) are left out.
pub fn visible<'a>(schema: &'a Schema, model: &'a Model) -> impl Iterator<Item = &'a Field> {
    // (Computed fields stay in the struct; `queryable` leaves them out of
    // the argument builders.)
    model.fields.iter().filter(move |f| match f.ty.kind {
        FieldTypeKind::Model(m) => schema.model(m).is_data_model(),
        _ => true,
    })
}

/// Fields the engine can filter, sort, select and omit: stored ones.
pub fn queryable(field: &Field) -> bool {
    !field.is_computed()
}
