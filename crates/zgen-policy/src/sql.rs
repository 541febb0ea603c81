//! Lowering bound predicates to SQL text plus parameters, per dialect.
//!
//! Every constant becomes a bound parameter and every identifier is quoted;
//! no user-controlled text is ever spliced into the SQL (C-4, P-30, P-33).

use crate::compile::{id_fields, is_many_to_many};
use crate::ir::{CmpOp, LikeKind, Pred, Quantifier, RowRef, Val, Value};
use zgen_sema::{FieldId, ModelId, Scalar, Schema};

/// What differs between databases. Nothing outside this trait may assume a
/// particular database.
pub trait Dialect: Sync {
    fn name(&self) -> &'static str;
    /// Writes a parameter placeholder for the 1-based parameter `index`.
    fn placeholder(&self, index: usize, out: &mut String);
    /// A Boolean constant as the database spells it (C-5).
    fn bool_literal(&self, value: bool) -> &'static str;
    /// The current timestamp in the stored DateTime format.
    fn now(&self) -> &'static str;
    /// Whether plain `LIKE` ignores case (SQLite and MySQL do, P-60).
    fn like_ignores_case(&self) -> bool;
    /// The case-insensitive LIKE operator, where the database has one.
    fn ilike(&self) -> Option<&'static str>;

    /// The SQL around a JSON value and a bound JSONPath that reads the
    /// member there ([`Val::JsonPath`]): `[open, between, close]`.
    fn json_path(&self, unwrap: bool) -> [&'static str; 3];
    /// The SQL around a JSON array and a value that tests whether the array
    /// has an element equal to the value ([`Pred::JsonContains`]).
    fn json_array_contains(&self) -> [&'static str; 3];

    /// Writes `ident` quoted, doubling embedded quotes.
    fn quote(&self, ident: &str, out: &mut String) {
        out.push('"');
        if ident.contains('"') {
            out.push_str(&ident.replace('"', "\"\""));
        } else {
            out.push_str(ident);
        }
        out.push('"');
    }

    // ---- DDL (`crate::ddl`) ----------------------------------------------

    /// The declared type of a column storing `scalar` values.
    fn column_type(&self, scalar: Scalar) -> &'static str;
    /// The declared type of a column storing values of the enum `name`.
    fn enum_column_type(&self, name: &str) -> String;
    /// Whether a single-column primary key is declared on its column
    /// (`"id" TEXT NOT NULL PRIMARY KEY`) rather than as a table constraint.
    fn inline_primary_key(&self) -> bool;
    /// The declared type of an auto-incremented integer primary key
    /// (`@id @default(autoincrement())`) holding `scalar` values.
    fn autoincrement_type(&self, scalar: Scalar) -> &'static str;
    /// The keyword written after such a key's `PRIMARY KEY`, if any.
    fn autoincrement_keyword(&self) -> Option<&'static str>;
    /// The table constraint of a primary key, given the table name and the
    /// quoted, comma-separated key columns.
    fn primary_key_constraint(&self, table: &str, columns: &str) -> String;
    /// A string literal for DDL (defaults), quotes escaped. Only DDL may
    /// carry literals; queries bind every value.
    fn string_literal(&self, value: &str) -> String;
    /// The column default for `@default(now())`: the current time in the
    /// stored DateTime format, as a default expression.
    fn now_default(&self) -> String;
}

/// SQLite, the embedded default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn json_path(&self, unwrap: bool) -> [&'static str; 3] {
        ["(", if unwrap { " ->> " } else { " -> " }, ")"]
    }

    fn json_array_contains(&self) -> [&'static str; 3] {
        [
            "EXISTS (SELECT 1 FROM json_each(",
            ") WHERE json_each.value = ",
            ")",
        ]
    }

    fn placeholder(&self, index: usize, out: &mut String) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(out, "?{index}");
    }

    fn bool_literal(&self, value: bool) -> &'static str {
        if value {
            "1"
        } else {
            "0"
        }
    }

    fn now(&self) -> &'static str {
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    }

    fn like_ignores_case(&self) -> bool {
        true
    }

    fn ilike(&self) -> Option<&'static str> {
        None
    }

    /// Prisma's SQLite column types, so that a database made by either tool
    /// diffs clean against the other. The values are ZenStack's: DateTime
    /// as ISO-8601 text, Boolean 0/1, Json as text, BigInt as an integer.
    /// `BOOLEAN`, `DATETIME`, `DECIMAL` and `JSONB` have NUMERIC affinity,
    /// as in a Prisma-made database: text that reads as a number (a Decimal,
    /// a bare JSON number) is stored as one.
    fn column_type(&self, scalar: Scalar) -> &'static str {
        match scalar {
            Scalar::String => "TEXT",
            Scalar::Boolean => "BOOLEAN",
            Scalar::Int => "INTEGER",
            Scalar::BigInt => "BIGINT",
            Scalar::Float => "REAL",
            Scalar::Decimal => "DECIMAL",
            Scalar::DateTime => "DATETIME",
            Scalar::Json => "JSONB",
            Scalar::Bytes => "BLOB",
        }
    }

    fn enum_column_type(&self, _name: &str) -> String {
        "TEXT".into()
    }

    fn inline_primary_key(&self) -> bool {
        true
    }

    /// `AUTOINCREMENT` needs exactly `INTEGER PRIMARY KEY` (a rowid alias),
    /// whatever the integer width.
    fn autoincrement_type(&self, _scalar: Scalar) -> &'static str {
        "INTEGER"
    }

    fn autoincrement_keyword(&self) -> Option<&'static str> {
        Some("AUTOINCREMENT")
    }

    /// Unnamed, as Prisma writes it: SQLite keeps no primary key names.
    fn primary_key_constraint(&self, _table: &str, columns: &str) -> String {
        format!("PRIMARY KEY ({columns})")
    }

    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    fn now_default(&self) -> String {
        format!("({})", self.now())
    }
}

/// SQL text with its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

impl Default for Sql {
    /// Room for a typical statement, so that writing one does not
    /// reallocate as it grows.
    fn default() -> Self {
        Sql {
            text: String::with_capacity(512),
            params: Vec::with_capacity(8),
        }
    }
}

impl Sql {
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    pub fn param(&mut self, dialect: &dyn Dialect, value: Value) {
        self.params.push(value);
        dialect.placeholder(self.params.len(), &mut self.text);
    }

    pub fn ident(&mut self, dialect: &dyn Dialect, name: &str) {
        dialect.quote(name, &mut self.text);
    }

    /// An integer the engine computed (a `LIMIT` or `OFFSET`), written as a
    /// literal: SQLite re-prepares a cached statement on every use when its
    /// plan depends on a bound value, as it does for a bound `LIMIT`. Never
    /// for values from the user's data; those are always parameters.
    pub fn int(&mut self, n: i64) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{n}");
    }
}

/// Writes a bound predicate about rows aliased `this_alias`.
pub struct PredWriter<'a> {
    pub schema: &'a Schema,
    pub dialect: &'a dyn Dialect,
    /// Alias of each open scope, by scope number.
    aliases: Vec<(u32, String)>,
    /// Alias of the pre-update row (`before()`), when there is one.
    before_alias: Option<String>,
    /// Source of fresh subquery aliases.
    counter: usize,
}

impl<'a> PredWriter<'a> {
    pub fn new(schema: &'a Schema, dialect: &'a dyn Dialect, this_alias: &str) -> Self {
        PredWriter {
            schema,
            dialect,
            aliases: vec![(0, this_alias.to_string())],
            before_alias: None,
            counter: 0,
        }
    }

    /// Names the alias `before().x` columns are read from.
    pub fn with_before(mut self, alias: &str) -> Self {
        self.before_alias = Some(alias.to_string());
        self
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn alias(&self, scope: u32) -> &str {
        self.aliases
            .iter()
            .rev()
            .find(|(s, _)| *s == scope)
            .map_or("", |(_, a)| a.as_str())
    }

    fn qualified(&self, out: &mut Sql, alias: &str, column: &str) {
        out.ident(self.dialect, alias);
        out.push(".");
        out.ident(self.dialect, column);
    }

    pub fn pred(&mut self, p: &Pred, out: &mut Sql) {
        let d = self.dialect;
        match p {
            Pred::True => out.push(d.bool_literal(true)),
            Pred::False => out.push(d.bool_literal(false)),
            Pred::Unknown => out.push("NULL"),
            Pred::Unsupported(_) => out.push("NULL"),
            Pred::JsonContains { array, item } => {
                let [open, middle, close] = d.json_array_contains();
                out.push(open);
                self.val(array, out);
                out.push(middle);
                self.val(item, out);
                out.push(close);
            }
            Pred::And(items) => self.join(items, " AND ", d.bool_literal(true), out),
            Pred::Or(items) => self.join(items, " OR ", d.bool_literal(false), out),
            Pred::Not(inner) => {
                out.push("NOT (");
                self.pred(inner, out);
                out.push(")");
            }
            Pred::FalseIfNull(inner) => {
                out.push("COALESCE((");
                self.pred(inner, out);
                out.push("), ");
                out.push(d.bool_literal(false));
                out.push(")");
            }
            Pred::Cmp { op, lhs, rhs } => {
                out.push("(");
                self.val(lhs, out);
                out.push(match op {
                    CmpOp::Eq => " = ",
                    CmpOp::Ne => " <> ",
                    CmpOp::Lt => " < ",
                    CmpOp::Le => " <= ",
                    CmpOp::Gt => " > ",
                    CmpOp::Ge => " >= ",
                });
                self.val(rhs, out);
                out.push(")");
            }
            Pred::IsNull(v) | Pred::IsNotNull(v) => {
                out.push("(");
                self.val(v, out);
                out.push(if matches!(p, Pred::IsNull(_)) {
                    " IS NULL)"
                } else {
                    " IS NOT NULL)"
                });
            }
            Pred::Truthy(v) => {
                out.push("(");
                self.val(v, out);
                out.push(" = ");
                out.push(d.bool_literal(true));
                out.push(")");
            }
            Pred::In { lhs, list } => {
                out.push("(");
                self.val(lhs, out);
                out.push(" IN (");
                for (i, v) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(", ");
                    }
                    self.val(v, out);
                }
                out.push("))");
            }
            Pred::Like {
                kind,
                value,
                search,
                insensitive,
            } => self.like(*kind, value, search, *insensitive, out),
            Pred::RelationIsNull { row, negated } => {
                let target = row
                    .hops
                    .last()
                    .and_then(|hop| self.schema.field(*hop).related_model());
                let first_id = target.and_then(|t| id_fields(self.schema, t).into_iter().next());
                out.push("(");
                match first_id {
                    Some(id) => self.column(row, id, out),
                    None => out.push("NULL"),
                }
                out.push(if *negated {
                    " IS NOT NULL)"
                } else {
                    " IS NULL)"
                });
            }
            Pred::Collection {
                quantifier,
                row,
                relation,
                scope,
                condition,
            } => self.collection(*quantifier, row, *relation, *scope, condition, out),
            Pred::ToOne {
                row,
                relation,
                scope,
                condition,
            } => self.through_to_one(row, *relation, *scope, condition, out),
            // Binding removes these; an unbound one reads as NULL.
            Pred::InAuth { .. } | Pred::AuthCollection { .. } => out.push("NULL"),
        }
    }

    fn join(&mut self, items: &[Pred], sep: &str, empty: &str, out: &mut Sql) {
        if items.is_empty() {
            out.push(empty);
            return;
        }
        out.push("(");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(sep);
            }
            self.pred(item, out);
        }
        out.push(")");
    }

    fn like(
        &mut self,
        kind: LikeKind,
        value: &Val,
        search: &Val,
        insensitive: bool,
        out: &mut Sql,
    ) {
        let d = self.dialect;
        let lower = insensitive && !d.like_ignores_case() && d.ilike().is_none();
        out.push("(");
        if lower {
            out.push("LOWER(");
        }
        self.val(value, out);
        if lower {
            out.push(")");
        }
        out.push(match (insensitive, d.ilike()) {
            (true, Some(op)) => op,
            _ => " LIKE ",
        });
        if lower {
            out.push("LOWER(");
        }
        // Escape the search text in SQL so a column or a parameter works
        // the same way: `\`, `%` and `_` match literally (P-60).
        if matches!(kind, LikeKind::Contains | LikeKind::EndsWith) {
            out.push("'%' || ");
        }
        out.push("REPLACE(REPLACE(REPLACE(COALESCE(");
        self.val(search, out);
        out.push(", ''), '\\', '\\\\'), '%', '\\%'), '_', '\\_')");
        if matches!(kind, LikeKind::Contains | LikeKind::StartsWith) {
            out.push(" || '%'");
        }
        if lower {
            out.push(")");
        }
        out.push(" ESCAPE '\\')");
    }

    /// Writes a scalar term (a column, possibly through to-one hops, or a
    /// parameter).
    pub fn val(&mut self, v: &Val, out: &mut Sql) {
        match v {
            Val::Column { row, field, .. } => self.column(row, *field, out),
            Val::Before { field, .. } => {
                let column = self.schema.field(*field).db_name().to_string();
                let alias = self.before_alias.clone().unwrap_or_default();
                self.qualified(out, &alias, &column);
            }
            Val::Const(c) => out.param(self.dialect, c.clone()),
            Val::Now => out.push(self.dialect.now()),
            Val::JsonPath { json, path, unwrap } => {
                let [open, middle, close] = self.dialect.json_path(*unwrap);
                out.push(open);
                self.val(json, out);
                out.push(middle);
                self.val(path, out);
                out.push(close);
            }
            // Binding removes these; an unbound one reads as NULL.
            Val::Auth { .. } => out.push("NULL"),
        }
    }

    /// A column of the row `row` reaches: a plain qualified column, or one
    /// correlated scalar subquery per to-one hop (P-30).
    fn column(&mut self, row: &RowRef, field: FieldId, out: &mut Sql) {
        let schema = self.schema;
        let column = schema.field(field).db_name();
        let Some((&last, prefix)) = row.hops.split_last() else {
            self.qualified(out, self.alias(row.scope), column);
            return;
        };
        let prefix = RowRef {
            scope: row.scope,
            hops: prefix.to_vec(),
        };
        let target = self
            .schema
            .field(last)
            .related_model()
            .unwrap_or(field.model);
        let alias = self.fresh("h");
        out.push("(SELECT ");
        self.qualified(out, &alias, column);
        out.push(" FROM ");
        self.table(target, &alias, out);
        out.push(" WHERE ");
        self.join_condition(&prefix, last, &alias, out);
        out.push(")");
    }

    fn table(&self, model: ModelId, alias: &str, out: &mut Sql) {
        crate::delegate::write_source(self.schema, self.dialect, model, out);
        out.push(" AS ");
        out.ident(self.dialect, alias);
    }

    /// `alias` (a row of the related model) is related to `from` through the
    /// to-one or one-to-many `relation`.
    fn join_condition(&mut self, from: &RowRef, relation: FieldId, alias: &str, out: &mut Sql) {
        let pairs = crate::storage::relation_keys(self.schema, relation);
        if pairs.is_empty() {
            out.push(self.dialect.bool_literal(false));
            return;
        }
        for (i, (near, far)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push(" AND ");
            }
            let far_column = self.schema.field(*far).db_name();
            self.qualified(out, alias, far_column);
            out.push(" = ");
            self.column(from, *near, out);
        }
    }

    fn collection(
        &mut self,
        q: Quantifier,
        row: &RowRef,
        relation: FieldId,
        scope: u32,
        condition: &Pred,
        out: &mut Sql,
    ) {
        out.push("(");
        match q {
            Quantifier::Every => {
                let failing = Pred::negate(condition.clone());
                self.count_related(row, relation, scope, &failing, out);
            }
            Quantifier::Some | Quantifier::None => {
                self.count_related(row, relation, scope, condition, out)
            }
        }
        out.push(if q == Quantifier::Some {
            " > 0)"
        } else {
            " = 0)"
        });
    }

    /// `(SELECT COUNT(1) …)`: the rows of the to-many `relation` of `row`
    /// for which `condition` (about scope `scope`) holds.
    pub fn count_related(
        &mut self,
        row: &RowRef,
        relation: FieldId,
        scope: u32,
        condition: &Pred,
        out: &mut Sql,
    ) {
        let target = self
            .schema
            .field(relation)
            .related_model()
            .unwrap_or(relation.model);
        let alias = self.fresh("s");
        out.push("(SELECT COUNT(1) FROM ");
        self.table(target, &alias, out);
        out.push(" WHERE ");
        if is_many_to_many(self.schema, relation) {
            self.m2m_condition(row, relation, &alias, out);
        } else {
            self.join_condition(row, relation, &alias, out);
        }
        out.push(" AND ");
        self.aliases.push((scope, alias));
        self.pred(condition, out);
        self.aliases.pop();
        out.push(")");
    }

    /// Membership through an implicit join table `_Rel` with columns `A`/`B`.
    fn m2m_condition(&mut self, row: &RowRef, relation: FieldId, alias: &str, out: &mut Sql) {
        let Some(join) = crate::storage::join_table(self.schema, relation) else {
            out.push(self.dialect.bool_literal(false));
            return;
        };
        let near = join.near_model;
        let far = join.far_model;
        let (near_id, far_id) = match (
            id_fields(self.schema, near).first(),
            id_fields(self.schema, far).first(),
        ) {
            (Some(a), Some(b)) => (*a, *b),
            _ => {
                out.push(self.dialect.bool_literal(false));
                return;
            }
        };
        let j = self.fresh("j");
        out.push("EXISTS (SELECT 1 FROM ");
        out.ident(self.dialect, &join.table);
        out.push(" AS ");
        out.ident(self.dialect, &j);
        out.push(" WHERE ");
        self.qualified(out, &j, join.near_column);
        out.push(" = ");
        self.column(row, near_id, out);
        out.push(" AND ");
        self.qualified(out, &j, join.far_column);
        out.push(" = ");
        let far_column = self.schema.field(far_id).db_name().to_string();
        self.qualified(out, alias, &far_column);
        out.push(")");
    }

    fn through_to_one(
        &mut self,
        row: &RowRef,
        relation: FieldId,
        scope: u32,
        condition: &Pred,
        out: &mut Sql,
    ) {
        self.related_subquery(row, relation, scope, Selected::Pred(condition), None, out);
    }

    /// `(SELECT (SELECT … <end>) …)`: `end` of the row reached from `row`
    /// through the to-one relations of `path`, each hop's row seen as its
    /// scope and counted only when its condition holds; NULL when a hop
    /// finds no such row. Ordering by related fields and counts uses it.
    pub fn related_value(
        &mut self,
        row: &RowRef,
        path: &[(FieldId, u32, Pred)],
        end: &PathEnd,
        out: &mut Sql,
    ) {
        match path.split_first() {
            None => match end {
                PathEnd::Column(column) => self.column(row, *column, out),
                PathEnd::Count {
                    relation,
                    scope,
                    condition,
                } => self.count_related(row, *relation, *scope, condition, out),
            },
            Some(((relation, scope, condition), rest)) => self.related_subquery(
                row,
                *relation,
                *scope,
                Selected::Path(rest, end),
                Some(condition),
                out,
            ),
        }
    }

    /// `(SELECT <selected> FROM <target> WHERE <join> [AND <filter>])` over
    /// the row the to-one `relation` of `row` points to, as scope `scope`.
    fn related_subquery(
        &mut self,
        row: &RowRef,
        relation: FieldId,
        scope: u32,
        selected: Selected<'_>,
        filter: Option<&Pred>,
        out: &mut Sql,
    ) {
        let target = self
            .schema
            .field(relation)
            .related_model()
            .unwrap_or(relation.model);
        let alias = self.fresh("c");
        out.push("(SELECT ");
        self.aliases.push((scope, alias.clone()));
        match selected {
            Selected::Pred(p) => self.pred(p, out),
            Selected::Path(rest, end) => {
                let near = RowRef {
                    scope,
                    hops: Vec::new(),
                };
                self.related_value(&near, rest, end, out);
            }
        }
        out.push(" FROM ");
        self.table(target, &alias, out);
        out.push(" WHERE ");
        self.join_condition(row, relation, &alias, out);
        if let Some(filter) = filter {
            out.push(" AND ");
            self.pred(filter, out);
        }
        self.aliases.pop();
        out.push(")");
    }
}

/// What a to-one subquery selects.
enum Selected<'p> {
    Pred(&'p Pred),
    /// The value at the end of the remaining to-one hops.
    Path(&'p [(FieldId, u32, Pred)], &'p PathEnd),
}

/// What [`PredWriter::related_value`] reads at the end of its path.
#[derive(Debug, Clone)]
pub enum PathEnd {
    Column(FieldId),
    /// The number of rows of the to-many `relation`, seen as `scope`, for
    /// which `condition` holds.
    Count {
        relation: FieldId,
        scope: u32,
        condition: Pred,
    },
}
