//! Storage names shared with ZenStack/Prisma, so an existing database can be
//! served unchanged: tables and columns by model and field name (or
//! `@@map`/`@map`), implicit many-to-many join tables `_AToB` with columns
//! `A` and `B`.

use zgen_sema::{FieldId, ModelId, RelationKind, Schema};

/// The implicit join table of a many-to-many relation, seen from one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinTable {
    pub table: String,
    /// The model the relation field is on, and its column in the table.
    pub near_model: ModelId,
    pub near_column: &'static str,
    /// The other model and its column.
    pub far_model: ModelId,
    pub far_column: &'static str,
}

/// The join table behind a many-to-many relation field.
///
/// The relation name defaults to the two model names in order joined by
/// `To`; column `A` points at the model first in name order (for a
/// self-relation, the field first in name order), `B` at the other (P-144).
pub fn join_table(schema: &Schema, relation: FieldId) -> Option<JoinTable> {
    let field = schema.field(relation);
    let rel = field.relation.as_ref()?;
    if rel.kind != Some(RelationKind::ManyToMany) {
        return None;
    }
    let near = relation.model;
    let far = field.related_model()?;
    let (near_name, far_name) = (&schema.model(near).name, &schema.model(far).name);
    let near_is_a = if near == far {
        let opposite = rel
            .opposite
            .map(|o| schema.field(o).name.as_str())
            .unwrap_or("");
        field.name.as_str() <= opposite
    } else {
        near_name < far_name
    };
    let name = match &rel.name {
        Some(n) => n.clone(),
        None if near_is_a => format!("{near_name}To{far_name}"),
        None => format!("{far_name}To{near_name}"),
    };
    let (near_column, far_column) = if near_is_a { ("A", "B") } else { ("B", "A") };
    Some(JoinTable {
        table: format!("_{name}"),
        near_model: near,
        near_column,
        far_model: far,
        far_column,
    })
}

/// The (near field, far field) pairs that join a one-to-one or one-to-many
/// relation, whichever side holds the foreign key. Empty for many-to-many
/// and unresolved relations.
pub fn relation_keys(schema: &Schema, relation: FieldId) -> Vec<(FieldId, FieldId)> {
    let Some(rel) = &schema.field(relation).relation else {
        return Vec::new();
    };
    if rel.is_owner() {
        return rel
            .fields
            .iter()
            .copied()
            .zip(rel.references.iter().copied())
            .collect();
    }
    let Some(opposite) = rel.opposite.and_then(|o| schema.field(o).relation.as_ref()) else {
        return Vec::new();
    };
    // The far side owns the key: its `references` are near fields.
    opposite
        .references
        .iter()
        .copied()
        .zip(opposite.fields.iter().copied())
        .collect()
}
