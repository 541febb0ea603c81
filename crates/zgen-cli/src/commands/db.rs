//! `zgen db push`: bring a SQLite database's tables in line with the
//! schema, in one transaction.
//!
//! The database is read (`sqlite_master` and the table pragmas), compared
//! with the tables the schema wants (`zgen_policy::ddl::tables`), and the
//! difference becomes a plan of steps. Missing tables and indexes are
//! created; a missing column that SQLite can add in place (nullable or with
//! a constant default, not part of a key) is added with `ALTER TABLE ADD
//! COLUMN`; any other change rebuilds the table the way SQLite documents:
//! create the new table, copy the common columns, drop the old one, rename.
//! Steps that would lose data are refused unless `--accept-data-loss`.

use super::{count, CliError, SchemaSource, Verdict};
use crate::cli::DbPushArgs;
use crate::files;
use rusqlite::{Connection, TransactionBehavior};
use zgen_policy::ddl::{self, Column, ColumnDefault, Index, Table};
use zgen_policy::sql::{Dialect, Sqlite};
use zgen_sema::ModelKind;

/// Tables no schema describes that are never dropped.
const INTERNAL_TABLES: [&str; 1] = ["_prisma_migrations"];

pub fn push(args: &DbPushArgs, color: bool) -> Result<Verdict, CliError> {
    let path = database_path(&args.url)?;
    let given: Vec<_> = args.file.iter().cloned().collect();
    let paths = files::schema_paths(&given)?;
    let Some(schema_path) = paths.first() else {
        return Err(CliError::new("no schema file given"));
    };
    let source = SchemaSource::read(schema_path)?;
    // A schema with errors never reaches the database.
    let Some(schema) = source.check(color) else {
        return Ok(Verdict::Failed);
    };
    sync(&schema, path, args.accept_data_loss)
}

/// Brings the database at `path` in line with `schema` (also used by
/// `zgen serve --push`); changes that lose data need `accept_data_loss`.
pub(super) fn sync(
    schema: &zgen_sema::Schema,
    path: &str,
    accept_data_loss: bool,
) -> Result<Verdict, CliError> {
    let dialect = Sqlite;
    let wanted = ddl::tables(schema, &dialect);
    // Tables named by views and `@@ignore` models belong to the schema but
    // are not managed: never dropped.
    let ignored: Vec<String> = schema
        .data_models()
        .filter(|(_, m)| m.attribute("@@ignore").is_some() || m.kind == ModelKind::View)
        .map(|(_, m)| m.db_name().to_string())
        .collect();

    let db_error = |e: rusqlite::Error| CliError::new(format!("cannot use database `{path}`: {e}"));
    let mut conn = Connection::open(path).map_err(db_error)?;
    // Rebuilding a table drops it while other tables and views still
    // point at it: foreign keys are off (a no-op inside a transaction, so
    // set first), and the final rename must not re-check views against the
    // dropped table (`legacy_alter_table`, as SQLite's rebuild procedure
    // advises).
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON")
        .map_err(db_error)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)?;
    let existing = read_tables(&tx).map_err(db_error)?;
    let plan = Planner {
        conn: &tx,
        dialect: &dialect,
        plan: Plan::default(),
    }
    .run(&wanted, &existing, &ignored)
    .map_err(db_error)?;

    if !plan.losses.is_empty() && !accept_data_loss {
        eprintln!("error: these changes would lose data:");
        for loss in &plan.losses {
            eprintln!("  - {loss}");
        }
        eprintln!("nothing was changed; rerun with --accept-data-loss to apply them anyway");
        return Ok(Verdict::Failed);
    }
    if plan.steps.is_empty() {
        println!("`{path}` is already in sync with the schema");
        return Ok(Verdict::Clean);
    }
    for step in &plan.steps {
        for statement in &step.statements {
            if let Err(e) = tx.execute_batch(statement) {
                // Dropping the transaction rolls every step back.
                eprintln!("error: cannot apply the changes: {e}");
                eprintln!("  step: {}", step.summary);
                eprintln!("  statement: {statement}");
                eprintln!("nothing was changed");
                return Ok(Verdict::Failed);
            }
        }
    }
    tx.commit().map_err(db_error)?;
    for step in &plan.steps {
        println!("{}", step.summary);
    }
    println!("applied {} to `{path}`", count(plan.steps.len(), "change"));
    Ok(Verdict::Clean)
}

/// The file of a `sqlite:PATH` (also `sqlite://PATH` and Prisma's
/// `file:PATH`) URL, without a `?query`.
pub(super) fn database_path(url: &str) -> Result<&str, CliError> {
    let path = ["sqlite://", "sqlite:", "file:"]
        .iter()
        .find_map(|prefix| url.strip_prefix(prefix))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|p| !p.is_empty());
    path.ok_or_else(|| {
        CliError::new(format!(
            "unsupported database url `{url}`: expected `sqlite:PATH` or `file:PATH`"
        ))
    })
}

// ---- what the database has ------------------------------------------------

#[derive(Debug)]
struct DbTable {
    name: String,
    /// The `CREATE TABLE` text SQLite keeps.
    sql: String,
    columns: Vec<DbColumn>,
    primary_key: Vec<String>,
    foreign_keys: Vec<DbForeignKey>,
    /// Indexes made by `CREATE INDEX` (not those of UNIQUE/PRIMARY KEY
    /// constraints, which belong to the table definition).
    indexes: Vec<DbIndex>,
}

#[derive(Debug)]
struct DbColumn {
    name: String,
    ty: String,
    not_null: bool,
    default: Option<String>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct DbForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
    on_delete: String,
    on_update: String,
}

#[derive(Debug, PartialEq, Eq)]
struct DbIndex {
    name: String,
    unique: bool,
    /// Column name (none for an expression) and descending flag.
    columns: Vec<(Option<String>, bool)>,
}

impl DbTable {
    fn column(&self, name: &str) -> Option<&DbColumn> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

fn read_tables(conn: &Connection) -> rusqlite::Result<Vec<DbTable>> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let names: Vec<(String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut tables = Vec::new();
    for (name, sql) in names {
        if INTERNAL_TABLES.contains(&name.as_str()) {
            continue;
        }
        let mut columns = Vec::new();
        let mut keyed = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
        )?;
        let mut rows = stmt.query([&name])?;
        while let Some(r) = rows.next()? {
            let column = DbColumn {
                name: r.get(0)?,
                ty: r.get(1)?,
                not_null: r.get::<_, i64>(2)? != 0,
                default: r.get(3)?,
            };
            let pk: i64 = r.get(4)?;
            if pk > 0 {
                keyed.push((pk, column.name.clone()));
            }
            columns.push(column);
        }
        keyed.sort();

        let mut foreign_keys: Vec<DbForeignKey> = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )?;
        let mut rows = stmt.query([&name])?;
        let mut last_id = None;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let from: String = r.get(2)?;
            let to: Option<String> = r.get(3)?;
            if last_id != Some(id) {
                last_id = Some(id);
                foreign_keys.push(DbForeignKey {
                    columns: Vec::new(),
                    table: r.get(1)?,
                    references: Vec::new(),
                    on_update: r.get(4)?,
                    on_delete: r.get(5)?,
                });
            }
            if let Some(fk) = foreign_keys.last_mut() {
                fk.columns.push(from);
                fk.references.push(to.unwrap_or_default());
            }
        }

        let mut indexes = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT name, \"unique\" FROM pragma_index_list(?1) WHERE origin = 'c' ORDER BY name",
        )?;
        let list: Vec<(String, bool)> = stmt
            .query_map([&name], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)))?
            .collect::<Result<_, _>>()?;
        for (index, unique) in list {
            let mut stmt = conn.prepare(
                "SELECT name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
            )?;
            let columns = stmt
                .query_map([&index], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)))?
                .collect::<Result<_, _>>()?;
            indexes.push(DbIndex {
                name: index,
                unique,
                columns,
            });
        }

        tables.push(DbTable {
            name,
            sql: sql.unwrap_or_default(),
            columns,
            primary_key: keyed.into_iter().map(|(_, c)| c).collect(),
            foreign_keys,
            indexes,
        });
    }
    Ok(tables)
}

// ---- the plan -------------------------------------------------------------

#[derive(Debug, Default)]
struct Plan {
    steps: Vec<Step>,
    /// What would lose data, one line each.
    losses: Vec<String>,
}

#[derive(Debug)]
struct Step {
    /// One line for the summary: `created table `User``.
    summary: String,
    statements: Vec<String>,
}

struct Planner<'a> {
    conn: &'a Connection,
    dialect: &'a dyn Dialect,
    plan: Plan,
}

/// How the rows of a rebuilt table are carried over.
struct RowCopy {
    /// Destination columns and the expression that fills each.
    columns: Vec<(String, String)>,
    /// Rows failing these conditions cannot be kept.
    conditions: Vec<String>,
    /// No row can be kept.
    none: bool,
}

impl Planner<'_> {
    fn run(
        mut self,
        wanted: &[Table],
        existing: &[DbTable],
        ignored: &[String],
    ) -> rusqlite::Result<Plan> {
        for table in wanted {
            match existing
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&table.name))
            {
                None => self.create(table),
                Some(current) => self.update(table, current)?,
            }
        }
        for current in existing {
            let known = wanted
                .iter()
                .map(|t| &t.name)
                .chain(ignored)
                .any(|n| n.eq_ignore_ascii_case(&current.name));
            if known {
                continue;
            }
            let rows = self.scalar(&format!("SELECT COUNT(*) FROM {}", self.q(&current.name)))?;
            if rows > 0 {
                self.plan.losses.push(format!(
                    "drop table `{}` ({})",
                    current.name,
                    count(rows as usize, "row")
                ));
            }
            self.step(
                format!("dropped table `{}`", current.name),
                vec![format!("DROP TABLE {}", self.q(&current.name))],
            );
        }
        Ok(self.plan)
    }

    fn q(&self, ident: &str) -> String {
        let mut out = String::new();
        self.dialect.quote(ident, &mut out);
        out
    }

    fn scalar(&self, sql: &str) -> rusqlite::Result<i64> {
        self.conn.query_row(sql, [], |r| r.get(0))
    }

    fn step(&mut self, summary: String, statements: Vec<String>) {
        self.plan.steps.push(Step {
            summary,
            statements,
        });
    }

    fn create(&mut self, table: &Table) {
        let mut statements = vec![table.create_table(self.dialect)];
        statements.extend(table.create_indexes(self.dialect));
        let summary = match table.indexes.len() {
            0 => format!("created table `{}`", table.name),
            n => format!(
                "created table `{}` ({})",
                table.name,
                if n == 1 {
                    "1 index".to_string()
                } else {
                    format!("{n} indexes")
                }
            ),
        };
        self.step(summary, statements);
    }

    fn update(&mut self, table: &Table, current: &DbTable) -> rusqlite::Result<()> {
        let name = &table.name;
        let q_table = self.q(&current.name);
        let rows = self.scalar(&format!("SELECT COUNT(*) FROM {q_table}"))?;
        // Reasons to rebuild, for the summary; empty: altered in place.
        let mut changes: Vec<String> = Vec::new();
        let mut additions: Vec<&Column> = Vec::new();
        let mut copy = RowCopy {
            columns: Vec::new(),
            conditions: Vec::new(),
            none: false,
        };

        for column in &table.columns {
            let c = &column.name;
            let Some(old) = current.column(c) else {
                let required = column.not_null && column.default.is_none();
                if required && rows > 0 {
                    self.plan.losses.push(format!(
                        "add required column `{name}`.`{c}` without a default: the {} of `{name}` would be deleted",
                        count(rows as usize, "row")
                    ));
                    copy.none = true;
                }
                if addable(table, column) {
                    additions.push(column);
                } else {
                    changes.push(format!("added column `{c}`"));
                }
                continue;
            };
            let q_old = self.q(&old.name);
            let mut value = q_old.clone();
            if !old.ty.trim().eq_ignore_ascii_case(&column.ty) {
                let values = self.scalar(&format!("SELECT COUNT({q_old}) FROM {q_table}"))?;
                if values > 0 {
                    self.plan.losses.push(format!(
                        "change the type of column `{name}`.`{c}` from `{}` to `{}` ({})",
                        old.ty,
                        column.ty,
                        count(values as usize, "value")
                    ));
                }
                changes.push(format!("changed the type of `{c}`"));
            }
            if column.not_null && !old.not_null {
                let nulls = self.scalar(&format!(
                    "SELECT COUNT(*) FROM {q_table} WHERE {q_old} IS NULL"
                ))?;
                match &column.default {
                    Some(default) => value = format!("COALESCE({q_old}, {})", default.sql()),
                    None if nulls > 0 => {
                        self.plan.losses.push(format!(
                            "make column `{name}`.`{c}` required: {} without a value would be deleted",
                            count(nulls as usize, "row")
                        ));
                        copy.conditions.push(format!("{q_old} IS NOT NULL"));
                    }
                    None => {}
                }
                changes.push(format!("made `{c}` required"));
            } else if !column.not_null && old.not_null {
                changes.push(format!("made `{c}` optional"));
            }
            if !same_default(
                column.default.as_ref(),
                old.default.as_deref(),
                self.dialect,
            ) {
                changes.push(format!("changed the default of `{c}`"));
            }
            copy.columns.push((column.name.clone(), value));
        }
        for old in &current.columns {
            if !table
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(&old.name))
            {
                let q_old = self.q(&old.name);
                let values = self.scalar(&format!("SELECT COUNT({q_old}) FROM {q_table}"))?;
                if values > 0 {
                    self.plan.losses.push(format!(
                        "drop column `{name}`.`{}` ({})",
                        old.name,
                        count(values as usize, "value")
                    ));
                }
                changes.push(format!("dropped column `{}`", old.name));
            }
        }
        if !same_names(&table.primary_key, &current.primary_key) {
            changes.push("changed the primary key".into());
        }
        let autoincrement = table.columns.iter().any(|c| c.autoincrement);
        if autoincrement != current.sql.to_ascii_uppercase().contains("AUTOINCREMENT") {
            changes.push("changed autoincrement".into());
        }
        if !same_foreign_keys(table, current) {
            changes.push("changed foreign keys".into());
        }

        if !changes.is_empty() {
            // Columns added in place would be added by the rebuild too.
            let mut list: Vec<String> = additions
                .iter()
                .map(|c| format!("added column `{}`", c.name))
                .collect();
            list.extend(changes);
            let sequence = if autoincrement {
                self.sequence(&current.name)?
            } else {
                None
            };
            self.rebuild(table, current, rows, &copy, sequence, &list);
            return Ok(());
        }
        for column in additions {
            self.step(
                format!("added column `{name}`.`{}`", column.name),
                vec![format!(
                    "ALTER TABLE {q_table} ADD COLUMN {}",
                    table.column_definition(self.dialect, column)
                )],
            );
        }
        self.update_indexes(table, current);
        Ok(())
    }

    /// The last key an `AUTOINCREMENT` table handed out.
    fn sequence(&self, table: &str) -> rusqlite::Result<Option<i64>> {
        let exists = self.scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
        )?;
        if exists == 0 {
            return Ok(None);
        }
        self.conn.query_row(
            "SELECT MAX(seq) FROM sqlite_sequence WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
    }

    /// SQLite's table rebuild: new table, copy, drop, rename, indexes. An
    /// `AUTOINCREMENT` table keeps its high-water mark, so that keys of
    /// deleted rows are not handed out again.
    fn rebuild(
        &mut self,
        table: &Table,
        current: &DbTable,
        rows: i64,
        copy: &RowCopy,
        sequence: Option<i64>,
        changes: &[String],
    ) {
        let temporary = format!("_zgen_new_{}", table.name);
        let mut statements = vec![table.create_table_as(self.dialect, &temporary)];
        if rows > 0 && !copy.none && !copy.columns.is_empty() {
            let into: Vec<String> = copy.columns.iter().map(|(c, _)| self.q(c)).collect();
            let from: Vec<&str> = copy.columns.iter().map(|(_, v)| v.as_str()).collect();
            let mut insert = format!(
                "INSERT INTO {} ({}) SELECT {} FROM {}",
                self.q(&temporary),
                into.join(", "),
                from.join(", "),
                self.q(&current.name)
            );
            if !copy.conditions.is_empty() {
                insert.push_str(" WHERE ");
                insert.push_str(&copy.conditions.join(" AND "));
            }
            statements.push(insert);
        }
        statements.push(format!("DROP TABLE {}", self.q(&current.name)));
        statements.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            self.q(&temporary),
            self.q(&table.name)
        ));
        if let Some(seq) = sequence {
            let name = self.dialect.string_literal(&table.name);
            statements.push(format!(
                "UPDATE sqlite_sequence SET seq = MAX(seq, {seq}) WHERE name = {name}"
            ));
            statements.push(format!(
                "INSERT INTO sqlite_sequence (name, seq) SELECT {name}, {seq} \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {name})"
            ));
        }
        statements.extend(table.create_indexes(self.dialect));
        self.step(
            format!("rebuilt table `{}`: {}", table.name, changes.join(", ")),
            statements,
        );
    }

    fn update_indexes(&mut self, table: &Table, current: &DbTable) {
        for index in &table.indexes {
            let old = current
                .indexes
                .iter()
                .find(|i| i.name.eq_ignore_ascii_case(&index.name));
            match old {
                None => self.step(
                    format!("created index `{}`", index.name),
                    vec![table.create_index(self.dialect, index)],
                ),
                Some(old) if !same_index(index, old) => self.step(
                    format!("recreated index `{}`", index.name),
                    vec![
                        format!("DROP INDEX {}", self.q(&old.name)),
                        table.create_index(self.dialect, index),
                    ],
                ),
                Some(_) => {}
            }
        }
        for old in &current.indexes {
            if !table
                .indexes
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(&old.name))
            {
                self.step(
                    format!("dropped index `{}`", old.name),
                    vec![format!("DROP INDEX {}", self.q(&old.name))],
                );
            }
        }
    }
}

/// Whether SQLite can add the column with `ALTER TABLE ADD COLUMN`: not a
/// key or foreign key column, no expression default, and a default when it
/// is required.
fn addable(table: &Table, column: &Column) -> bool {
    !column.autoincrement
        && !table.primary_key.contains(&column.name)
        && !table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.contains(&column.name))
        && !matches!(column.default, Some(ColumnDefault::Now(_)))
        && (!column.not_null || column.default.is_some())
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn same_index(index: &Index, old: &DbIndex) -> bool {
    index.unique == old.unique
        && index.columns.len() == old.columns.len()
        && index
            .columns
            .iter()
            .zip(&old.columns)
            .all(|(c, (name, desc))| {
                name.as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&c.name))
                    && c.descending == *desc
            })
}

fn same_foreign_keys(table: &Table, current: &DbTable) -> bool {
    let lower = |v: &[String]| v.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>();
    let mut wanted: Vec<DbForeignKey> = table
        .foreign_keys
        .iter()
        .map(|fk| DbForeignKey {
            columns: lower(&fk.columns),
            table: fk.referenced_table.to_ascii_lowercase(),
            references: lower(&fk.referenced_columns),
            on_delete: ddl::action(fk.on_delete).into(),
            on_update: ddl::action(fk.on_update).into(),
        })
        .collect();
    let mut have: Vec<DbForeignKey> = current
        .foreign_keys
        .iter()
        .map(|fk| DbForeignKey {
            columns: lower(&fk.columns),
            table: fk.table.to_ascii_lowercase(),
            references: lower(&fk.references),
            on_delete: fk.on_delete.to_ascii_uppercase(),
            on_update: fk.on_update.to_ascii_uppercase(),
        })
        .collect();
    wanted.sort();
    have.sort();
    wanted == have
}

/// Defaults compared by meaning where spellings differ: `true`/`1`,
/// `false`/`0`, and Prisma's `CURRENT_TIMESTAMP` for `now()`.
fn same_default(wanted: Option<&ColumnDefault>, have: Option<&str>, dialect: &dyn Dialect) -> bool {
    const NOW: &str = "now()";
    let normalize = |text: &str| -> String {
        let mut t = text.trim();
        while t.len() >= 2 && t.starts_with('(') && t.ends_with(')') {
            t = t[1..t.len() - 1].trim();
        }
        match t.to_ascii_lowercase().as_str() {
            "true" => "1".into(),
            "false" => "0".into(),
            "current_timestamp" => NOW.into(),
            _ => t.into(),
        }
    };
    let wanted = wanted.map(|d| match d {
        ColumnDefault::Now(_) => NOW.to_string(),
        ColumnDefault::Value(v) => normalize(v),
    });
    let have = have.map(|h| {
        let n = normalize(h);
        if n == normalize(&dialect.now_default()) {
            NOW.to_string()
        } else {
            n
        }
    });
    wanted == have
}
