//! CREATE TABLE / CREATE INDEX statements for a schema, named the way
//! Prisma and ZenStack name them so an existing database matches.

use crate::compile::id_fields;
use crate::storage::join_table;
use zgen_sema::expr::{ExprKind, Literal};
use zgen_sema::{
    Field, FieldId, FieldTypeKind, ModelId, ModelKind, ReferentialAction, RelationKind, Scalar,
    Schema,
};

/// One statement, without a trailing semicolon.
pub type Statement = String;

/// Every statement that creates the schema's tables, in dependency-free
/// order (SQLite checks foreign keys lazily, so table order is free).
pub fn create_statements(schema: &Schema) -> Vec<Statement> {
    let mut out = Vec::new();
    for (id, model) in schema.data_models() {
        if model.kind == ModelKind::View || model.attribute("@@ignore").is_some() {
            continue;
        }
        out.push(create_table(schema, id));
        out.extend(indexes(schema, id));
    }
    let mut joins: Vec<(String, Statement, Vec<Statement>)> = Vec::new();
    for (id, model) in schema.data_models() {
        for (index, field) in model.fields.iter().enumerate() {
            let relation = FieldId {
                model: id,
                index: index as u32,
            };
            if field.relation.as_ref().and_then(|r| r.kind) != Some(RelationKind::ManyToMany) {
                continue;
            }
            if let Some(join) = join_table(schema, relation) {
                if joins.iter().all(|(t, _, _)| *t != join.table) {
                    let (table, idx) = create_join_table(schema, &join);
                    joins.push((join.table.clone(), table, idx));
                }
            }
        }
    }
    for (_, table, idx) in joins {
        out.push(table);
        out.extend(idx);
    }
    out
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn column_list(schema: &Schema, fields: &[FieldId]) -> String {
    fields
        .iter()
        .map(|f| quote(schema.field(*f).db_name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQLite column type Prisma uses for a field.
fn column_type(field: &Field) -> &'static str {
    match &field.ty.kind {
        FieldTypeKind::Scalar(s) => match s {
            Scalar::String => "TEXT",
            Scalar::Boolean => "BOOLEAN",
            Scalar::Int => "INTEGER",
            Scalar::BigInt => "BIGINT",
            Scalar::Float => "REAL",
            Scalar::Decimal => "DECIMAL",
            Scalar::DateTime => "DATETIME",
            Scalar::Json => "JSONB",
            Scalar::Bytes => "BLOB",
        },
        FieldTypeKind::Enum(_) => "TEXT",
        // Typed JSON is stored as JSON.
        FieldTypeKind::TypeDef(_) => "JSONB",
        FieldTypeKind::Unsupported(_) | FieldTypeKind::Model(_) | FieldTypeKind::Unresolved => {
            "BLOB"
        }
    }
}

fn is_autoincrement(field: &Field) -> bool {
    field
        .attribute("@default")
        .and_then(|d| d.arg(0))
        .is_some_and(|a| a.value.call_name() == Some("autoincrement"))
}

/// A literal `@default` as SQL, when the database can apply it itself.
fn default_clause(schema: &Schema, field: &Field) -> Option<String> {
    let value = &field.attribute("@default")?.arg(0)?.value;
    match &value.kind {
        ExprKind::Literal(Literal::String(s)) => Some(format!("'{}'", s.replace('\'', "''"))),
        ExprKind::Literal(Literal::Number(n)) => n.parse::<f64>().is_ok().then(|| n.clone()),
        ExprKind::Literal(Literal::Bool(b)) => Some(if *b { "true" } else { "false" }.into()),
        ExprKind::EnumValue { enum_id, index } => {
            let v = schema
                .enums
                .get(enum_id.index())?
                .values
                .get(*index as usize)?;
            Some(format!("'{}'", v.db_name().replace('\'', "''")))
        }
        _ => None,
    }
}

fn create_table(schema: &Schema, id: ModelId) -> Statement {
    let model = schema.model(id);
    let ids = id_fields(schema, id);
    let single_pk = ids.len() == 1 && model.fields.iter().any(|f| f.has_attribute("@id"));
    let mut lines = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        if field.is_relation() || field.is_computed() || field.has_attribute("@ignore") {
            continue;
        }
        let this = FieldId {
            model: id,
            index: index as u32,
        };
        let mut line = format!("    {} {}", quote(field.db_name()), column_type(field));
        if !field.ty.optional {
            line.push_str(" NOT NULL");
        }
        if single_pk && ids.first() == Some(&this) {
            line.push_str(" PRIMARY KEY");
            if is_autoincrement(field) {
                line.push_str(" AUTOINCREMENT");
            }
        }
        if let Some(default) = default_clause(schema, field) {
            line.push_str(&format!(" DEFAULT {default}"));
        }
        lines.push(line);
    }
    if !single_pk && model.attribute("@@id").is_some() {
        lines.push(format!(
            "    CONSTRAINT {} PRIMARY KEY ({})",
            quote(&format!("{}_pkey", model.db_name())),
            column_list(schema, &ids)
        ));
    }
    for field in model.fields.iter() {
        let Some(rel) = field.relation.as_ref().filter(|r| r.is_owner()) else {
            continue;
        };
        let Some(target) = field.related_model() else {
            continue;
        };
        let fk_names: Vec<&str> = rel
            .fields
            .iter()
            .map(|f| schema.field(*f).name.as_str())
            .collect();
        let optional = rel.fields.iter().any(|f| schema.field(*f).ty.optional);
        let on_delete = rel.on_delete.unwrap_or(if optional {
            ReferentialAction::SetNull
        } else {
            ReferentialAction::Restrict
        });
        let on_update = rel.on_update.unwrap_or(ReferentialAction::Cascade);
        lines.push(format!(
            "    CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
            quote(&format!("{}_{}_fkey", model.db_name(), fk_names.join("_"))),
            column_list(schema, &rel.fields),
            quote(schema.model(target).db_name()),
            column_list(schema, &rel.references),
            action(on_delete),
            action(on_update),
        ));
    }
    format!(
        "CREATE TABLE {} (\n{}\n)",
        quote(model.db_name()),
        lines.join(",\n")
    )
}

fn action(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

/// Field lists of `@@unique`/`@@index` style attributes.
fn listed_fields(app: &zgen_sema::AttributeApp) -> Vec<FieldId> {
    match app.arg(0).map(|a| &a.value.kind) {
        Some(ExprKind::Array(items)) => items.iter().filter_map(|i| i.as_field()).collect(),
        _ => Vec::new(),
    }
}

/// Unique constraints and indexes: `Model_a_b_key` and `Model_a_b_idx`.
fn indexes(schema: &Schema, id: ModelId) -> Vec<Statement> {
    let model = schema.model(id);
    let table = model.db_name();
    let mut out = Vec::new();
    let mut push = |unique: bool, fields: Vec<FieldId>, map: Option<&str>| {
        if fields.is_empty() {
            return;
        }
        let names: Vec<&str> = fields.iter().map(|f| schema.field(*f).db_name()).collect();
        let suffix = if unique { "key" } else { "idx" };
        let name = map
            .map(str::to_string)
            .unwrap_or_else(|| format!("{table}_{}_{suffix}", names.join("_")));
        out.push(format!(
            "CREATE {}INDEX {} ON {}({})",
            if unique { "UNIQUE " } else { "" },
            quote(&name),
            quote(table),
            column_list(schema, &fields)
        ));
    };
    for (index, field) in model.fields.iter().enumerate() {
        if let Some(u) = field.attribute("@unique") {
            let map = u.named_arg("map").and_then(|a| a.value.as_string());
            push(
                true,
                vec![FieldId {
                    model: id,
                    index: index as u32,
                }],
                map,
            );
        }
    }
    for app in &model.attributes {
        let unique = match app.name.as_str() {
            "@@unique" => true,
            "@@index" => false,
            _ => continue,
        };
        let map = app.named_arg("map").and_then(|a| a.value.as_string());
        push(unique, listed_fields(app), map);
    }
    out
}

fn create_join_table(
    schema: &Schema,
    join: &crate::storage::JoinTable,
) -> (Statement, Vec<Statement>) {
    let (a_model, b_model) = if join.near_column == "A" {
        (join.near_model, join.far_model)
    } else {
        (join.far_model, join.near_model)
    };
    let key = |m: ModelId| {
        id_fields(schema, m)
            .first()
            .map(|f| (schema.field(*f), schema.model(m).db_name()))
    };
    let (Some((a_id, a_table)), Some((b_id, b_table))) = (key(a_model), key(b_model)) else {
        return (String::new(), Vec::new());
    };
    let t = &join.table;
    let table = format!(
        "CREATE TABLE {} (\n    \"A\" {} NOT NULL,\n    \"B\" {} NOT NULL,\n    CONSTRAINT {} FOREIGN KEY (\"A\") REFERENCES {} ({}) ON DELETE CASCADE ON UPDATE CASCADE,\n    CONSTRAINT {} FOREIGN KEY (\"B\") REFERENCES {} ({}) ON DELETE CASCADE ON UPDATE CASCADE\n)",
        quote(t),
        column_type(a_id),
        column_type(b_id),
        quote(&format!("{t}_A_fkey")),
        quote(a_table),
        quote(a_id.db_name()),
        quote(&format!("{t}_B_fkey")),
        quote(b_table),
        quote(b_id.db_name()),
    );
    let indexes = vec![
        format!(
            "CREATE UNIQUE INDEX {} ON {}(\"A\", \"B\")",
            quote(&format!("{t}_AB_unique")),
            quote(t)
        ),
        format!(
            "CREATE INDEX {} ON {}(\"B\")",
            quote(&format!("{t}_B_index")),
            quote(t)
        ),
    ];
    (table, indexes)
}
