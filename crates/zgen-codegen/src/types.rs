//! What each field is in Rust: its value type, and which builders it
//! appears in.

use crate::names;
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
        ty: String,
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
        FieldTypeKind::Scalar(s) => scalar(*s, dt).to_string(),
        FieldTypeKind::Enum(e) => names::ty(&schema.enum_(*e).name, ""),
        FieldTypeKind::TypeDef(m) => names::ty(&schema.model(*m).name, ""),
        FieldTypeKind::Unsupported(_) | FieldTypeKind::Unresolved => {
            "zc::serde_json::Value".to_string()
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
        format!("Vec<{base}>")
    } else {
        base
    };
    Role::Value { ty, comparable }
}

/// The Rust type of a scalar, as the generated code spells it.
fn scalar(s: Scalar, dt: DateTimes) -> &'static str {
    match s {
        Scalar::String => "String",
        Scalar::Boolean => "bool",
        Scalar::Int => "i32",
        Scalar::BigInt => "i64",
        Scalar::Float => "f64",
        Scalar::Decimal => "zc::rust_decimal::Decimal",
        Scalar::DateTime => match dt {
            DateTimes::Chrono => "zc::chrono::DateTime<zc::chrono::Utc>",
            DateTimes::Time => "zc::time::OffsetDateTime",
        },
        Scalar::Json => "zc::serde_json::Value",
        Scalar::Bytes => "Vec<u8>",
    }
}

/// `with = "zc::datetime"` for DateTime fields (ZenStack's text in either
/// crate): one entry of a `#[serde(...)]` list.
pub fn serde_with(field: &Field) -> Option<String> {
    is_date(field).then(|| "with = \"zc::datetime\"".to_string())
}

/// A `DateTime` field (or a list of them): read and written as ZenStack's
/// text through `zgen_client::datetime`.
pub fn is_date(field: &Field) -> bool {
    matches!(field.ty.kind, FieldTypeKind::Scalar(Scalar::DateTime))
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
