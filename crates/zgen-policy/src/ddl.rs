//! CREATE TABLE / CREATE INDEX statements for a schema, named the way
//! Prisma and ZenStack name them so that an existing database matches:
//! tables and columns by model and field name (or `@@map`/`@map`), unique
//! indexes `Table_col_key`, indexes `Table_col_idx`, foreign keys
//! `Table_col_fkey`, implicit many-to-many join tables `_AToB` with columns
//! `A`/`B` and indexes `_AToB_AB_unique` and `_AToB_B_index`.
//!
//! [`tables`] describes every table as data (what `db push` diffs against a
//! database); [`Table::create_table`] and [`Table::create_indexes`] write
//! it. Everything database-specific goes through [`Dialect`].

use crate::delegate;
use crate::sql::{Dialect, Sqlite};
use crate::storage::{join_table, JoinTable};
use zgen_sema::expr::{Expr, ExprKind, Literal};
use zgen_sema::{
    AttributeApp, Field, FieldId, FieldTypeKind, ModelId, ModelKind, ReferentialAction,
    RelationKind, Scalar, Schema,
};

/// One statement, without a trailing semicolon.
pub type Statement = String;

/// A table as the schema wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// In field order.
    pub columns: Vec<Column>,
    /// Primary key columns in key order; empty when the model has no `@id`
    /// or `@@id` (the table then keys on SQLite's rowid).
    pub primary_key: Vec<String>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<Index>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The declared type, as the dialect spells it.
    pub ty: String,
    pub not_null: bool,
    pub default: Option<ColumnDefault>,
    /// `@id @default(autoincrement())` on the single key column.
    pub autoincrement: bool,
}

/// A default the database applies itself. Function defaults the runtime
/// computes (`uuid()`, `cuid()`, `nanoid()`, `ulid()`, `auth().x`) and
/// `dbgenerated(...)` have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnDefault {
    /// A literal: string, number, Boolean, enum value, or a list as JSON.
    Value(String),
    /// `now()`: the dialect's current-time expression.
    Now(String),
}

impl ColumnDefault {
    /// The default as SQL text.
    pub fn sql(&self) -> &str {
        match self {
            ColumnDefault::Value(s) | ColumnDefault::Now(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub columns: Vec<IndexColumn>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexColumn {
    pub name: String,
    /// `sort: Desc`.
    pub descending: bool,
}

/// Every statement that creates the schema's tables, on SQLite.
pub fn create_statements(schema: &Schema) -> Vec<Statement> {
    create_statements_with(schema, &Sqlite)
}

/// Every statement that creates the schema's tables: each table followed
/// by its indexes, model tables in declaration order, then join tables.
/// Table order ignores foreign keys (SQLite checks them lazily).
pub fn create_statements_with(schema: &Schema, dialect: &dyn Dialect) -> Vec<Statement> {
    let mut out = Vec::new();
    for table in tables(schema, dialect) {
        out.push(table.create_table(dialect));
        out.extend(table.create_indexes(dialect));
    }
    out
}

/// The tables of the schema: one per model (not views, `type`s, abstract
/// or `@@ignore` models), then the join table of each implicit
/// many-to-many relation, in order of first appearance.
pub fn tables(schema: &Schema, dialect: &dyn Dialect) -> Vec<Table> {
    let mut out: Vec<Table> = schema
        .data_models()
        .filter(|(id, _)| has_table(schema, *id))
        .map(|(id, _)| model_table(schema, dialect, id))
        .collect();
    let mut joins: Vec<Table> = Vec::new();
    for (id, model) in schema.data_models() {
        if !has_table(schema, id) {
            continue;
        }
        for (index, field) in model.fields.iter().enumerate() {
            if field.relation.as_ref().and_then(|r| r.kind) != Some(RelationKind::ManyToMany) {
                continue;
            }
            let relation = FieldId {
                model: id,
                index: index as u32,
            };
            let Some(join) = join_table(schema, relation) else {
                continue;
            };
            if joins.iter().any(|t| t.name == join.table) {
                continue;
            }
            if let Some(table) = join_table_def(schema, dialect, &join) {
                joins.push(table);
            }
        }
    }
    out.extend(joins);
    out
}

/// Whether the model is stored in a table of its own.
fn has_table(schema: &Schema, id: ModelId) -> bool {
    let model = schema.model(id);
    model.kind == ModelKind::Model && model.attribute("@@ignore").is_none()
}

/// The fields of the model's primary key: `@id` fields, else `@@id`, else
/// (a delegate sub-model) its base's key.
fn primary_key_fields(schema: &Schema, id: ModelId) -> Vec<u32> {
    let model = schema.model(id);
    let own: Vec<u32> = model
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.has_attribute("@id"))
        .map(|(i, _)| i as u32)
        .collect();
    if !own.is_empty() {
        return own;
    }
    match model.attribute("@@id") {
        Some(app) => listed_fields(schema, id, app)
            .into_iter()
            .map(|(i, _)| i)
            .collect(),
        None => delegate::base_key(schema, id)
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.index)
            .collect(),
    }
}

/// Whether the field has a column in the model's table. Non-key fields a
/// concrete model inherits from a `@@delegate` base live in the base's
/// table, as ZenStack lays delegates out.
fn is_stored(schema: &Schema, id: ModelId, index: u32) -> bool {
    let field = &schema.model(id).fields[index as usize];
    !field.is_relation()
        && !field.is_computed()
        && delegate::storing_level(schema, FieldId { model: id, index }) == id
}

/// A field inherited from a `@@delegate` base (its relation, or its key).
fn from_delegate(schema: &Schema, id: ModelId, index: usize) -> bool {
    delegate::is_inherited(
        schema,
        FieldId {
            model: id,
            index: index as u32,
        },
    )
}

fn quoted(dialect: &dyn Dialect, name: &str) -> String {
    let mut out = String::new();
    dialect.quote(name, &mut out);
    out
}

fn quoted_list<'a>(dialect: &dyn Dialect, names: impl IntoIterator<Item = &'a String>) -> String {
    names
        .into_iter()
        .map(|n| quoted(dialect, n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The declared column type of a field.
fn column_type(schema: &Schema, dialect: &dyn Dialect, field: &Field) -> String {
    // Scalar lists and typed JSON (`@json`) are stored as JSON.
    if field.ty.list {
        return dialect.column_type(Scalar::Json).into();
    }
    match &field.ty.kind {
        FieldTypeKind::Scalar(s) => dialect.column_type(*s).into(),
        FieldTypeKind::Enum(e) => dialect.enum_column_type(&schema.enum_(*e).name),
        FieldTypeKind::TypeDef(_) => dialect.column_type(Scalar::Json).into(),
        // The database type named in `Unsupported("...")`, when it is a
        // plain type name; it is schema text, but never spliced unchecked.
        FieldTypeKind::Unsupported(name) if is_plain_type_name(name) => name.clone(),
        FieldTypeKind::Unsupported(_) | FieldTypeKind::Model(_) | FieldTypeKind::Unresolved => {
            dialect.column_type(Scalar::Bytes).into()
        }
    }
}

fn is_plain_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '(' | ')' | ','))
}

fn default_arg(field: &Field) -> Option<&Expr> {
    Some(&field.attribute("@default")?.arg(0)?.value)
}

fn is_autoincrement(field: &Field) -> bool {
    default_arg(field).and_then(Expr::call_name) == Some("autoincrement")
}

/// The `@default` the database can apply itself.
fn column_default(schema: &Schema, dialect: &dyn Dialect, field: &Field) -> Option<ColumnDefault> {
    let value = default_arg(field)?;
    if value.call_name() == Some("now") {
        return Some(ColumnDefault::Now(dialect.now_default()));
    }
    if field.ty.list {
        // Lists are stored as JSON arrays.
        let ExprKind::Array(items) = &value.kind else {
            return None;
        };
        let items: Option<Vec<serde_json::Value>> =
            items.iter().map(|i| json_literal(schema, i)).collect();
        let text = serde_json::Value::Array(items?).to_string();
        return Some(ColumnDefault::Value(dialect.string_literal(&text)));
    }
    let sql = match &value.kind {
        ExprKind::Literal(Literal::String(s)) => dialect.string_literal(s),
        // Only text that reads as a number reaches the SQL.
        ExprKind::Literal(Literal::Number(n)) => {
            n.parse::<f64>().ok().filter(|f| f.is_finite())?;
            n.clone()
        }
        ExprKind::Literal(Literal::Bool(b)) => dialect.bool_literal(*b).into(),
        ExprKind::EnumValue { .. } => dialect.string_literal(enum_value(schema, value)?),
        _ => return None,
    };
    Some(ColumnDefault::Value(sql))
}

/// The stored value of an enum value expression.
fn enum_value<'a>(schema: &'a Schema, e: &Expr) -> Option<&'a str> {
    let ExprKind::EnumValue { enum_id, index } = &e.kind else {
        return None;
    };
    schema
        .enums
        .get(enum_id.index())?
        .values
        .get(*index as usize)
        .map(|v| v.db_name())
}

fn json_literal(schema: &Schema, e: &Expr) -> Option<serde_json::Value> {
    Some(match &e.kind {
        ExprKind::Literal(Literal::String(s)) => s.clone().into(),
        ExprKind::Literal(Literal::Number(n)) => serde_json::from_str(n).ok()?,
        ExprKind::Literal(Literal::Bool(b)) => (*b).into(),
        ExprKind::EnumValue { .. } => enum_value(schema, e)?.into(),
        _ => return None,
    })
}

/// The fields an index-like attribute lists (`@@id`, `@@unique`,
/// `@@index`), as indexes into the model's fields with their descending
/// flag. Inherited attributes are matched by field name.
fn listed_fields(schema: &Schema, id: ModelId, app: &AttributeApp) -> Vec<(u32, bool)> {
    let model = schema.model(id);
    let Some(ExprKind::Array(items)) = app.arg(0).map(|a| &a.value.kind) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let field = item.as_field()?;
            let (index, _) = model.field_by_name(&schema.field(field).name)?;
            let descending = match &item.kind {
                ExprKind::FieldWithArgs { args, .. } => args
                    .iter()
                    .any(|(name, value)| name == "sort" && is_desc(schema, value)),
                _ => false,
            };
            Some((index, descending))
        })
        .collect()
}

fn is_desc(schema: &Schema, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::EnumValue { enum_id, index } => schema
            .enums
            .get(enum_id.index())
            .and_then(|en| en.values.get(*index as usize))
            .is_some_and(|v| v.name == "Desc"),
        _ => false,
    }
}

fn model_table(schema: &Schema, dialect: &dyn Dialect, id: ModelId) -> Table {
    let model = schema.model(id);
    let keys = primary_key_fields(schema, id);
    let single_key = (keys.len() == 1).then(|| keys[0]);
    let stored = |i: u32| is_stored(schema, id, i);

    let mut columns = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        let index = index as u32;
        if !stored(index) {
            continue;
        }
        // A key inherited from a delegate base gets its value from the
        // base row, never a default of its own.
        let inherited_key = from_delegate(schema, id, index as usize);
        let autoincrement = single_key == Some(index) && is_autoincrement(field) && !inherited_key;
        let default = if autoincrement || inherited_key {
            None
        } else {
            column_default(schema, dialect, field)
        };
        let ty = match &field.ty.kind {
            FieldTypeKind::Scalar(s) if autoincrement => dialect.autoincrement_type(*s).into(),
            _ => column_type(schema, dialect, field),
        };
        columns.push(Column {
            name: field.db_name().to_string(),
            ty,
            not_null: !field.ty.optional,
            default,
            autoincrement,
        });
    }
    let primary_key = keys
        .iter()
        .map(|i| model.fields[*i as usize].db_name().to_string())
        .collect();

    let mut foreign_keys = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        let Some(rel) = field.relation.as_ref().filter(|r| r.is_owner()) else {
            continue;
        };
        if from_delegate(schema, id, index) {
            continue;
        }
        let Some(target) = field.related_model().filter(|t| has_table(schema, *t)) else {
            continue;
        };
        let columns: Vec<String> = rel
            .fields
            .iter()
            .map(|f| schema.field(*f).db_name().to_string())
            .collect();
        let referenced_columns = rel
            .references
            .iter()
            .map(|f| schema.field(*f).db_name().to_string())
            .collect();
        let optional = rel.fields.iter().any(|f| schema.field(*f).ty.optional);
        foreign_keys.push(ForeignKey {
            name: format!("{}_{}_fkey", model.db_name(), columns.join("_")),
            columns,
            referenced_table: schema.model(target).db_name().to_string(),
            referenced_columns,
            on_delete: rel.on_delete.unwrap_or(if optional {
                ReferentialAction::SetNull
            } else {
                ReferentialAction::Restrict
            }),
            on_update: rel.on_update.unwrap_or(ReferentialAction::Cascade),
        });
    }
    // A concrete model's row belongs to its delegate base's row.
    if let Some(base) = model.base.filter(|b| has_table(schema, *b)) {
        let base_keys = primary_key_fields(schema, base);
        let base_model = schema.model(base);
        let referenced_columns: Vec<String> = base_keys
            .iter()
            .map(|i| base_model.fields[*i as usize].db_name().to_string())
            .collect();
        let columns: Vec<String> = base_keys
            .iter()
            .filter_map(|i| model.field_by_name(&base_model.fields[*i as usize].name))
            .map(|(_, f)| f.db_name().to_string())
            .collect();
        if !columns.is_empty() && columns.len() == referenced_columns.len() {
            foreign_keys.push(ForeignKey {
                name: format!("{}_{}_fkey", model.db_name(), columns.join("_")),
                columns,
                referenced_table: base_model.db_name().to_string(),
                referenced_columns,
                on_delete: ReferentialAction::Cascade,
                on_update: ReferentialAction::Cascade,
            });
        }
    }

    let table = model.db_name().to_string();
    let mut indexes: Vec<Index> = Vec::new();
    let mut push = |unique: bool, fields: Vec<(u32, bool)>, map: Option<&str>| {
        if fields.is_empty() || fields.iter().any(|(i, _)| !stored(*i)) {
            return;
        }
        let columns: Vec<IndexColumn> = fields
            .iter()
            .map(|(i, descending)| IndexColumn {
                name: model.fields[*i as usize].db_name().to_string(),
                descending: *descending,
            })
            .collect();
        let name = map.map(str::to_string).unwrap_or_else(|| {
            let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            let suffix = if unique { "key" } else { "idx" };
            format!("{table}_{}_{suffix}", names.join("_"))
        });
        // The same name twice would fail; the first declaration wins.
        if indexes.iter().all(|i| i.name != name) {
            indexes.push(Index {
                name,
                unique,
                columns,
            });
        }
    };
    for (index, field) in model.fields.iter().enumerate() {
        if let Some(app) = field.attribute("@unique") {
            let map = app.named_arg("map").and_then(|a| a.value.as_string());
            let desc = app
                .named_arg("sort")
                .is_some_and(|a| is_desc(schema, &a.value));
            push(true, vec![(index as u32, desc)], map);
        }
    }
    for app in &model.attributes {
        let unique = match app.name.as_str() {
            "@@unique" => true,
            "@@index" => false,
            _ => continue,
        };
        let map = app.named_arg("map").and_then(|a| a.value.as_string());
        push(unique, listed_fields(schema, id, app), map);
    }

    Table {
        name: table,
        columns,
        primary_key,
        foreign_keys,
        indexes,
    }
}

fn join_table_def(schema: &Schema, dialect: &dyn Dialect, join: &JoinTable) -> Option<Table> {
    let (a_model, b_model) = if join.near_column == "A" {
        (join.near_model, join.far_model)
    } else {
        (join.far_model, join.near_model)
    };
    if !has_table(schema, a_model) || !has_table(schema, b_model) {
        return None;
    }
    let key = |m: ModelId| {
        let first = *primary_key_fields(schema, m).first()?;
        let field = &schema.model(m).fields[first as usize];
        Some((
            field.db_name().to_string(),
            column_type(schema, dialect, field),
        ))
    };
    let ((a_key, a_type), (b_key, b_type)) = (key(a_model)?, key(b_model)?);
    let t = &join.table;
    let column = |name: &str, ty: String| Column {
        name: name.into(),
        ty,
        not_null: true,
        default: None,
        autoincrement: false,
    };
    let foreign_key = |name: &str, model: ModelId, key: String| ForeignKey {
        name: format!("{t}_{name}_fkey"),
        columns: vec![name.into()],
        referenced_table: schema.model(model).db_name().to_string(),
        referenced_columns: vec![key],
        on_delete: ReferentialAction::Cascade,
        on_update: ReferentialAction::Cascade,
    };
    let index_column = |name: &str| IndexColumn {
        name: name.into(),
        descending: false,
    };
    Some(Table {
        name: t.clone(),
        columns: vec![column("A", a_type), column("B", b_type)],
        primary_key: Vec::new(),
        foreign_keys: vec![
            foreign_key("A", a_model, a_key),
            foreign_key("B", b_model, b_key),
        ],
        indexes: vec![
            Index {
                name: format!("{t}_AB_unique"),
                unique: true,
                columns: vec![index_column("A"), index_column("B")],
            },
            Index {
                name: format!("{t}_B_index"),
                unique: false,
                columns: vec![index_column("B")],
            },
        ],
    })
}

impl Table {
    /// Whether the single key column is declared on the column itself.
    fn inline_key(&self, dialect: &dyn Dialect) -> bool {
        self.primary_key.len() == 1 && dialect.inline_primary_key()
    }

    /// `CREATE TABLE` under the table's own name.
    pub fn create_table(&self, dialect: &dyn Dialect) -> Statement {
        self.create_table_as(dialect, &self.name)
    }

    /// `CREATE TABLE` of this definition under another name (the first
    /// step of rebuilding a table). Foreign keys keep their names and
    /// self-references keep pointing at the real name.
    pub fn create_table_as(&self, dialect: &dyn Dialect, name: &str) -> Statement {
        let mut lines: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("    {}", self.column_definition(dialect, c)))
            .collect();
        if !self.primary_key.is_empty() && !self.inline_key(dialect) {
            lines.push(format!(
                "    {}",
                dialect
                    .primary_key_constraint(&self.name, &quoted_list(dialect, &self.primary_key))
            ));
        }
        for fk in &self.foreign_keys {
            lines.push(format!(
                "    CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
                quoted(dialect, &fk.name),
                quoted_list(dialect, &fk.columns),
                quoted(dialect, &fk.referenced_table),
                quoted_list(dialect, &fk.referenced_columns),
                action(fk.on_delete),
                action(fk.on_update),
            ));
        }
        format!(
            "CREATE TABLE {} (\n{}\n)",
            quoted(dialect, name),
            lines.join(",\n")
        )
    }

    /// A column as written in `CREATE TABLE` and `ADD COLUMN`: name, type,
    /// `NOT NULL`, an inline primary key, default.
    pub fn column_definition(&self, dialect: &dyn Dialect, column: &Column) -> String {
        let mut out = quoted(dialect, &column.name);
        out.push(' ');
        out.push_str(&column.ty);
        if column.not_null {
            out.push_str(" NOT NULL");
        }
        if self.inline_key(dialect) && self.primary_key.first() == Some(&column.name) {
            out.push_str(" PRIMARY KEY");
        }
        if let Some(keyword) = dialect
            .autoincrement_keyword()
            .filter(|_| column.autoincrement)
        {
            out.push(' ');
            out.push_str(keyword);
        }
        if let Some(default) = &column.default {
            out.push_str(" DEFAULT ");
            out.push_str(default.sql());
        }
        out
    }

    /// The `CREATE [UNIQUE] INDEX` statements of the table.
    pub fn create_indexes(&self, dialect: &dyn Dialect) -> Vec<Statement> {
        self.indexes
            .iter()
            .map(|i| self.create_index(dialect, i))
            .collect()
    }

    pub fn create_index(&self, dialect: &dyn Dialect, index: &Index) -> Statement {
        let columns: Vec<String> = index
            .columns
            .iter()
            .map(|c| {
                let mut s = quoted(dialect, &c.name);
                if c.descending {
                    s.push_str(" DESC");
                }
                s
            })
            .collect();
        format!(
            "CREATE {}INDEX {} ON {}({})",
            if index.unique { "UNIQUE " } else { "" },
            quoted(dialect, &index.name),
            quoted(dialect, &self.name),
            columns.join(", ")
        )
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A referential action as SQL spells it.
pub fn action(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}
