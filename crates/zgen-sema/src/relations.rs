//! Pass 4: relation pairing, foreign keys and relation kinds (V-R1..V-R6).
//!
//! Every field typed by a model gets a [`Relation`]. The checks run in the
//! context of each stored model (a model or view): relation fields that a
//! model takes from a `type` mixin are checked where they are used, and
//! fields a sub-model inherits from its delegate base are checked once, at
//! the base. Problems of one pair of fields are reported once, at the field
//! met first.

use crate::collect::Collected;
use crate::expr::{Expr, ExprKind};
use crate::model::{
    AttributeApp, Field, FieldId, FieldTypeKind, ModelId, ReferentialAction, Relation,
    RelationKind, Schema,
};
use std::collections::{BTreeMap, BTreeSet};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};

/// What a field's `@relation` attribute says, with the spans to report at.
#[derive(Debug, Clone, Default)]
struct RelationSyntax {
    name: Option<String>,
    /// Span of the whole `@relation(...)`, when written.
    attr_span: Option<Span>,
    /// `fields:` items, when the argument is written.
    fields: Option<Vec<(FieldId, Span)>>,
    /// `references:` items, when the argument is written.
    references: Option<Vec<(FieldId, Span)>>,
    on_delete: Option<ReferentialAction>,
    on_update: Option<ReferentialAction>,
    /// False when the attribute is malformed: the error is already
    /// reported, so pairing checks stay quiet about this field.
    valid: bool,
}

impl RelationSyntax {
    /// Holds the foreign key: both `fields` and `references` are given.
    fn has_fk(&self) -> bool {
        self.fields.as_ref().is_some_and(|f| !f.is_empty())
            && self.references.as_ref().is_some_and(|r| !r.is_empty())
    }

    /// Mentions `fields` or `references` at all.
    fn mentions_fk(&self) -> bool {
        self.fields.is_some() || self.references.is_some()
    }
}

/// Relation syntax per model and field, aligned with `Model::fields`.
type SyntaxTable = Vec<Vec<Option<RelationSyntax>>>;

/// Fills `Field::relation` for every relation field and checks the pairing.
pub(crate) fn resolve(schema: &mut Schema, _collected: &Collected<'_>, diags: &mut Diagnostics) {
    let table = parse_all(schema);
    check_syntax(schema, &table, diags);
    let opposites = pair_all(schema, &table, diags);
    apply(schema, &table, &opposites);
}

/// The field at `id`, without panicking on a stale id.
pub(crate) fn field_at(schema: &Schema, id: FieldId) -> Option<&Field> {
    schema
        .models
        .get(id.model.index())?
        .fields
        .get(id.index as usize)
}

/// True when `model` takes its field `name` from its delegate base (the
/// column lives in the base's table).
pub(crate) fn from_delegate_base(schema: &Schema, model: ModelId, name: &str) -> bool {
    schema
        .models
        .get(model.index())
        .and_then(|m| m.base)
        .and_then(|b| schema.models.get(b.index()))
        .is_some_and(|base| base.field_by_name(name).is_some())
}

/// The model that stores field `name` of `model`: the model itself or the
/// delegate base it comes from.
pub(crate) fn storing_model(schema: &Schema, model: ModelId, name: &str) -> ModelId {
    let mut current = model;
    // Bounded: a cycle of bases was reported and cut, but never loop on one.
    for _ in 0..schema.models.len() {
        match schema.models.get(current.index()).and_then(|m| m.base) {
            Some(base) if from_delegate_base(schema, current, name) => current = base,
            _ => break,
        }
    }
    current
}

fn parse_all(schema: &Schema) -> SyntaxTable {
    schema
        .models
        .iter()
        .map(|m| {
            m.fields
                .iter()
                .map(|f| f.is_relation().then(|| parse(schema, f)))
                .collect()
        })
        .collect()
}

fn parse(schema: &Schema, field: &Field) -> RelationSyntax {
    let Some(attr) = field.attribute("@relation") else {
        return RelationSyntax {
            valid: true,
            ..RelationSyntax::default()
        };
    };
    let mut valid = true;
    let mut list = |name: &str| {
        let arg = attr.named_arg(name)?;
        let items = field_list(&arg.value);
        if items.is_none() {
            // Not an array of field references: the binder reported it.
            valid = false;
        }
        Some(items.unwrap_or_default())
    };
    let fields = list("fields");
    let references = list("references");
    RelationSyntax {
        name: attr
            .named_arg("name")
            .and_then(|a| a.value.as_string())
            .map(str::to_string),
        attr_span: Some(attr.span),
        fields,
        references,
        on_delete: action(schema, attr, "onDelete"),
        on_update: action(schema, attr, "onUpdate"),
        valid,
    }
}

/// The fields of an array of plain field references, or `None`.
fn field_list(value: &Expr) -> Option<Vec<(FieldId, Span)>> {
    match &value.kind {
        ExprKind::Array(items) => items
            .iter()
            .map(|item| match item.kind {
                ExprKind::Field(f) => Some((f, item.span)),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn action(schema: &Schema, attr: &AttributeApp, name: &str) -> Option<ReferentialAction> {
    let arg = attr.named_arg(name)?;
    match arg.value.kind {
        ExprKind::EnumValue { enum_id, index } => {
            let value = schema
                .enums
                .get(enum_id.index())?
                .values
                .get(index as usize)?;
            ReferentialAction::parse(&value.name)
        }
        _ => None,
    }
}

/// The stored models (models and views), which relation checks run in.
fn checked_models(schema: &Schema) -> impl Iterator<Item = ModelId> + '_ {
    schema.data_models().map(|(id, _)| id)
}

/// The fields of `model` that are checked in its context: relation fields
/// that are not inherited from a delegate base.
fn checked_fields<'a>(
    schema: &'a Schema,
    table: &'a SyntaxTable,
    model: ModelId,
) -> impl Iterator<Item = (FieldId, &'a Field, &'a RelationSyntax)> + 'a {
    let fields = schema
        .models
        .get(model.index())
        .map(|m| m.fields.as_slice())
        .unwrap_or_default();
    fields.iter().enumerate().filter_map(move |(i, f)| {
        let syntax = table.get(model.index())?.get(i)?.as_ref()?;
        if from_delegate_base(schema, model, &f.name) {
            return None;
        }
        let id = FieldId {
            model,
            index: i as u32,
        };
        Some((id, f, syntax))
    })
}

/// V-R1: the `@relation` arguments themselves.
fn check_syntax(schema: &Schema, table: &SyntaxTable, diags: &mut Diagnostics) {
    // A relation declared in a mixin is checked once, in its first user.
    let mut seen: BTreeSet<(ModelId, String)> = BTreeSet::new();
    for model in checked_models(schema) {
        for (_, field, syntax) in checked_fields(schema, table, model) {
            if seen.insert((field.inherited_from.unwrap_or(model), field.name.clone())) {
                check_relation_args(schema, field, syntax, diags);
            }
        }
    }
}

/// The attribute is well formed enough to pair on: `check_relation_args`
/// reported everything that makes this false.
fn relation_args_ok(syntax: &RelationSyntax) -> bool {
    if !syntax.valid {
        return false;
    }
    match (&syntax.fields, &syntax.references) {
        (Some(f), Some(r)) => !f.is_empty() && !r.is_empty() && f.len() == r.len(),
        (None, None) => true,
        _ => false,
    }
}

/// Reports what is wrong with `fields` and `references` (V-R1).
fn check_relation_args(
    schema: &Schema,
    field: &Field,
    syntax: &RelationSyntax,
    diags: &mut Diagnostics,
) {
    let Some(attr) = field.attribute("@relation") else {
        return;
    };
    if !syntax.valid {
        return;
    }
    let (fields, references) = match (&syntax.fields, &syntax.references) {
        (None, None) => return,
        (Some(f), Some(r)) => (f, r),
        (given, _) => {
            let (have, missing) = if given.is_some() {
                ("fields", "references")
            } else {
                ("references", "fields")
            };
            diags.push(
                Diagnostic::error(
                    Code::RELATION_FIELDS,
                    attr.span,
                    "\"fields\" and \"references\" must be provided together",
                )
                .with_help(format!(
                    "`{have}` lists the foreign key; add `{missing}: [...]` to pair it with the referenced fields"
                )),
            );
            return;
        }
    };
    for (name, items) in [("fields", fields), ("references", references)] {
        if items.is_empty() {
            let span = attr.named_arg(name).map_or(attr.span, |a| a.value.span);
            diags.push(
                Diagnostic::error(
                    Code::RELATION_FIELDS,
                    span,
                    format!("\"{name}\" value cannot be empty"),
                )
                .with_help("list at least one field"),
            );
            return;
        }
    }
    if fields.len() != references.len() {
        diags.push(
            Diagnostic::error(
                Code::RELATION_FIELDS,
                attr.span,
                "\"references\" and \"fields\" must have the same length",
            )
            .with_label(format!(
                "{} field(s) reference {} field(s)",
                fields.len(),
                references.len()
            ))
            .with_help("each foreign-key field in `fields` pairs with one referenced field in `references`"),
        );
        return;
    }
    for (&(fk, fk_span), &(target, _)) in fields.iter().zip(references) {
        let (Some(fk_field), Some(target_field)) = (field_at(schema, fk), field_at(schema, target))
        else {
            continue;
        };
        if !field.ty.optional && !field.ty.list && fk_field.ty.optional {
            diags.push(
                Diagnostic::error(
                    Code::RELATION_FIELDS,
                    fk_span,
                    format!(
                        "relation \"{}\" is not optional, but field \"{}\" is optional",
                        field.name, fk_field.name
                    ),
                )
                .with_secondary(fk_field.type_span, "declared optional here")
                .with_help(format!(
                    "make `{}` optional, or make `{}` required",
                    field.name, fk_field.name
                )),
            );
        }
        if !same_column_type(fk_field, target_field) {
            diags.push(
                Diagnostic::error(
                    Code::RELATION_FIELDS,
                    fk_span,
                    "values of \"references\" and \"fields\" must have the same type",
                )
                .with_label(format!(
                    "`{}` is `{}` but `{}` is `{}`",
                    fk_field.name,
                    type_text(schema, fk_field),
                    target_field.name,
                    type_text(schema, target_field)
                ))
                .with_help("give the foreign-key field the type of the field it references"),
            );
        }
    }
}

/// A foreign key and the field it references hold the same kind of value.
fn same_column_type(a: &Field, b: &Field) -> bool {
    let unknown = |f: &Field| matches!(f.ty.kind, FieldTypeKind::Unresolved);
    unknown(a) || unknown(b) || (a.ty.kind == b.ty.kind && a.ty.list == b.ty.list)
}

fn type_text(schema: &Schema, field: &Field) -> String {
    let base = match &field.ty.kind {
        FieldTypeKind::Scalar(s) => s.name().to_string(),
        FieldTypeKind::Enum(e) => schema
            .enums
            .get(e.index())
            .map(|e| e.name.clone())
            .unwrap_or_default(),
        FieldTypeKind::Model(m) | FieldTypeKind::TypeDef(m) => schema
            .models
            .get(m.index())
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        FieldTypeKind::Unsupported(_) => "Unsupported".to_string(),
        FieldTypeKind::Unresolved => "?".to_string(),
    };
    if field.ty.list {
        format!("{base}[]")
    } else {
        base
    }
}

/// Finds each checked relation field's opposite and checks every pair
/// (V-R2..V-R6). Returns the opposites found.
fn pair_all(
    schema: &Schema,
    table: &SyntaxTable,
    diags: &mut Diagnostics,
) -> BTreeMap<FieldId, FieldId> {
    let mut opposites = BTreeMap::new();
    let mut checked_pairs = BTreeSet::new();
    for model in checked_models(schema) {
        for (id, field, syntax) in checked_fields(schema, table, model) {
            if !relation_args_ok(syntax) || field.has_attribute("@ignore") {
                continue;
            }
            let Some(target) = field.related_model() else {
                continue;
            };
            let side = Side { id, field, syntax };
            if target == model && syntax.name.is_none() {
                diags.push(self_relation_unnamed(field));
                continue;
            }
            let Some(other) = find_opposite(schema, table, &side, target, diags) else {
                continue;
            };
            opposites.insert(id, other.id);
            let pair = (id.min(other.id), id.max(other.id));
            if checked_pairs.insert(pair) && relation_args_ok(other.syntax) {
                check_pair(schema, &side, &other, target == model, diags);
            }
        }
    }
    opposites
}

/// One end of a relation, as seen from the model it is checked in.
struct Side<'a> {
    id: FieldId,
    field: &'a Field,
    syntax: &'a RelationSyntax,
}

fn self_relation_unnamed(field: &Field) -> Diagnostic {
    Diagnostic::error(
        Code::SELF_RELATION_NAME,
        field.span,
        "self-relation field must have a name",
    )
    .with_help(
        "name the relation on both fields: `@relation(\"name\", ...)` and `@relation(\"name\")`",
    )
}

/// The single field of `target` that is the other end of `side`; reports
/// when there is none or more than one (V-R3).
fn find_opposite<'a>(
    schema: &'a Schema,
    table: &'a SyntaxTable,
    side: &Side<'_>,
    target: ModelId,
    diags: &mut Diagnostics,
) -> Option<Side<'a>> {
    let model = side.id.model;
    let target_model = schema.models.get(target.index())?;
    let candidates: Vec<Side<'a>> = target_model
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let id = FieldId {
                model: target,
                index: i as u32,
            };
            let syntax = table.get(target.index())?.get(i)?.as_ref()?;
            let matches = id != side.id
                && f.related_model() == Some(model)
                && syntax.name == side.syntax.name;
            matches.then_some(Side {
                id,
                field: f,
                syntax,
            })
        })
        .collect();
    let model_name = schema
        .models
        .get(model.index())
        .map_or("", |m| m.name.as_str());
    match candidates.len() {
        0 => {
            diags.push(missing_opposite(side, model_name, &target_model.name));
            None
        }
        1 => candidates.into_iter().next(),
        _ => {
            let names: Vec<String> = candidates
                .iter()
                .map(|c| format!("\"{}\"", c.field.name))
                .collect();
            let mut d = Diagnostic::error(
                Code::AMBIGUOUS_RELATION,
                side.field.span,
                format!(
                    "fields {} on model \"{}\" refer to the same relation to model \"{}\"",
                    names.join(", "),
                    target_model.name,
                    model_name
                ),
            )
            .with_help("give each relation a distinct name with `@relation(\"name\")` on both of its fields");
            for c in &candidates {
                d = d.with_secondary(c.field.span, "a candidate opposite field");
            }
            diags.push(d);
            None
        }
    }
}

fn missing_opposite(side: &Side<'_>, model_name: &str, target_name: &str) -> Diagnostic {
    let relation = match &side.syntax.name {
        Some(name) => format!(" with `@relation(\"{name}\")`"),
        None => String::new(),
    };
    Diagnostic::error(
        Code::MISSING_OPPOSITE_RELATION,
        side.field.span,
        format!(
            "the relation field \"{}\" on model \"{model_name}\" is missing an opposite relation field on model \"{target_name}\"",
            side.field.name
        ),
    )
    .with_help(format!(
        "add a field of type `{model_name}` or `{model_name}[]` to model `{target_name}`{relation}"
    ))
}

/// Checks one pair of relation fields (V-R4..V-R6); `first` is the field
/// met first and carries the pair's diagnostics.
fn check_pair(
    schema: &Schema,
    first: &Side<'_>,
    second: &Side<'_>,
    self_relation: bool,
    diags: &mut Diagnostics,
) {
    if first.field.ty.list && second.field.ty.list {
        for side in [first, second] {
            if side.syntax.mentions_fk() {
                diags.push(
                    Diagnostic::error(
                        Code::RELATION_OWNER,
                        side.syntax.attr_span.unwrap_or(side.field.span),
                        "implicit many-to-many relation cannot have \"fields\" or \"references\"",
                    )
                    .with_help(
                        "remove `fields` and `references`, or model the join table explicitly as its own model",
                    ),
                );
            }
        }
        return;
    }
    let (first_fk, second_fk) = (first.syntax.has_fk(), second.syntax.has_fk());
    if (first_fk && second.syntax.mentions_fk()) || (second_fk && first.syntax.mentions_fk()) {
        diags.push(fk_on_both_sides(first));
        return;
    }
    let (owner, other) = match (first_fk, second_fk) {
        (true, _) => (first, second),
        (false, true) => (second, first),
        (false, false) => {
            // ZenStack accepts self-relations without a foreign key side.
            if !self_relation {
                diags.push(fk_on_neither_side(first, second));
            }
            return;
        }
    };
    if owner.field.ty.list {
        diags.push(
            Diagnostic::error(
                Code::RELATION_OWNER,
                owner.field.span,
                "\"fields\" and \"references\" must be on the non-list side of a relation",
            )
            .with_secondary(
                other.field.span,
                "the single side, which holds the foreign key",
            )
            .with_help(format!(
                "move the `@relation(fields: ..., references: ...)` to `{}`",
                other.field.name
            )),
        );
        return;
    }
    if !other.field.ty.list && !other.field.ty.optional {
        diags.push(
            Diagnostic::error(
                Code::RELATION_NOT_OPTIONAL,
                other.field.span,
                "relation field needs to be list or optional",
            )
            .with_secondary(owner.field.span, "the foreign key is held here")
            .with_help(format!(
                "the side without the foreign key cannot be required: make `{}` optional or a list",
                other.field.name
            )),
        );
        return;
    }
    if !other.field.ty.list {
        check_one_to_one_unique(schema, owner, diags);
    }
}

fn fk_on_both_sides(first: &Side<'_>) -> Diagnostic {
    Diagnostic::error(
        Code::RELATION_OWNER,
        first.field.span,
        "\"fields\" and \"references\" must be provided only on one side of relation field",
    )
    .with_help("keep them on the side that stores the foreign key and remove them from the other")
}

fn fk_on_neither_side(first: &Side<'_>, second: &Side<'_>) -> Diagnostic {
    Diagnostic::error(
        Code::RELATION_OWNER,
        first.field.span,
        "field for one side of relation must carry @relation attribute with both \"fields\" and \"references\"",
    )
    .with_secondary(second.field.span, "the other side")
    .with_help(format!(
        "add `@relation(fields: [...], references: [...])` to `{}` or `{}`, whichever stores the foreign key",
        first.field.name, second.field.name
    ))
}

/// V-R6: every foreign-key field of a one-to-one relation is unique.
fn check_one_to_one_unique(schema: &Schema, owner: &Side<'_>, diags: &mut Diagnostics) {
    let Some(fields) = &owner.syntax.fields else {
        return;
    };
    for &(fk, _) in fields {
        let Some(fk_field) = field_at(schema, fk) else {
            continue;
        };
        if fk_field.has_attribute("@id") || fk_field.has_attribute("@unique") {
            continue;
        }
        let home = storing_model(schema, fk.model, &fk_field.name);
        if in_compound_unique(schema, fk.model, &fk_field.name)
            || in_compound_unique(schema, home, &fk_field.name)
        {
            continue;
        }
        diags.push(
            Diagnostic::error(
                Code::ONE_TO_ONE_NOT_UNIQUE,
                owner.field.span,
                format!(
                    "field \"{}\" is part of a one-to-one relation and must be marked as @unique or be part of a model-level @@unique attribute",
                    fk_field.name
                ),
            )
            .with_secondary(fk_field.span, "foreign-key field declared here")
            .with_help(format!(
                "add `@unique` to `{}`, or make the other side a list for a one-to-many relation",
                fk_field.name
            )),
        );
    }
}

/// `name` is listed in an `@@id` or `@@unique` of `model`.
fn in_compound_unique(schema: &Schema, model: ModelId, name: &str) -> bool {
    let Some(m) = schema.models.get(model.index()) else {
        return false;
    };
    m.attributes
        .iter()
        .filter(|a| a.name == "@@unique" || a.name == "@@id")
        .filter_map(|a| a.arg(0))
        .any(|arg| match &arg.value.kind {
            ExprKind::Array(items) => items
                .iter()
                .filter_map(Expr::as_field)
                .any(|f| field_at(schema, f).is_some_and(|f| f.name == name)),
            _ => false,
        })
}

/// Writes the relations into the schema. Fields inherited from a delegate
/// base share the base field's opposite.
fn apply(schema: &mut Schema, table: &SyntaxTable, opposites: &BTreeMap<FieldId, FieldId>) {
    let mut relations: Vec<(FieldId, Relation)> = Vec::new();
    for (mi, model) in schema.models.iter().enumerate() {
        let model_id = ModelId(mi as u32);
        for (fi, field) in model.fields.iter().enumerate() {
            let Some(syntax) = table
                .get(mi)
                .and_then(|m| m.get(fi))
                .and_then(Option::as_ref)
            else {
                continue;
            };
            let id = FieldId {
                model: model_id,
                index: fi as u32,
            };
            let opposite = if model.is_data_model() {
                opposite_of(schema, opposites, id, &field.name)
            } else {
                None
            };
            let kind = opposite
                .and_then(|o| field_at(schema, o))
                .map(|o| kind_of(field.ty.list, o.ty.list));
            let ids = |items: &Option<Vec<(FieldId, Span)>>| {
                items.iter().flatten().map(|(f, _)| *f).collect::<Vec<_>>()
            };
            let relation = Relation {
                name: syntax.name.clone(),
                fields: ids(&syntax.fields),
                references: ids(&syntax.references),
                on_delete: syntax.on_delete,
                on_update: syntax.on_update,
                opposite,
                kind,
            };
            relations.push((id, relation));
        }
    }
    for (id, relation) in relations {
        if let Some(field) = schema
            .models
            .get_mut(id.model.index())
            .and_then(|m| m.fields.get_mut(id.index as usize))
        {
            field.relation = Some(relation);
        }
    }
}

/// The opposite of field `id`, looked up at the model that stores it.
fn opposite_of(
    schema: &Schema,
    opposites: &BTreeMap<FieldId, FieldId>,
    id: FieldId,
    name: &str,
) -> Option<FieldId> {
    let home = storing_model(schema, id.model, name);
    if home == id.model {
        return opposites.get(&id).copied();
    }
    let (index, _) = schema.models.get(home.index())?.field_by_name(name)?;
    opposites.get(&FieldId { model: home, index }).copied()
}

fn kind_of(this_list: bool, other_list: bool) -> RelationKind {
    match (this_list, other_list) {
        (true, true) => RelationKind::ManyToMany,
        (true, false) => RelationKind::OneToMany,
        (false, true) => RelationKind::ManyToOne,
        (false, false) => RelationKind::OneToOne,
    }
}
