//! End-to-end tests of `zgen sql` and `zgen db push` on temporary
//! directories and SQLite files.

// Test code: a failed `expect` is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;
use rusqlite::Connection;
use std::path::Path;
use tempfile::TempDir;

const DATASOURCE: &str = "datasource db {\n  provider = \"sqlite\"\n}\n";

/// The blog schema with `extra` spliced into `User`.
fn blog(extra: &str) -> String {
    format!(
        "{DATASOURCE}
model User {{
  id        Int      @id @default(autoincrement())
  email     String   @unique
  name      String
{extra}  active    Boolean  @default(false)
  createdAt DateTime @default(now())
  posts     Post[]
}}

model Post {{
  id       Int    @id @default(autoincrement())
  title    String
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
  authorId Int
  tags     Tag[]

  @@index([authorId])
}}

model Tag {{
  name  String @id
  posts Post[]
}}
"
    )
}

fn project(schema: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_schema(dir.path(), schema);
    dir
}

fn write_schema(dir: &Path, schema: &str) {
    std::fs::write(dir.join("schema.zmodel"), schema).expect("write schema");
}

fn zgen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zgen").expect("zgen binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn push(dir: &Path) -> Command {
    let mut cmd = zgen(dir);
    cmd.args(["db", "push", "--url", "sqlite:dev.db"]);
    cmd
}

fn open(dir: &Path) -> Connection {
    Connection::open(dir.join("dev.db")).expect("open database")
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn tables(conn: &Connection) -> Vec<String> {
    strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    strings(
        conn,
        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    )
}

/// Everything SQLite knows about the schema, to tell "nothing changed".
fn dump(conn: &Connection) -> Vec<String> {
    strings(
        conn,
        "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name",
    )
}

fn seed(dir: &Path) {
    let conn = open(dir);
    conn.execute_batch(
        "INSERT INTO User (email, name) VALUES ('a@x.io', 'Ann'), ('b@x.io', 'Bob');
         INSERT INTO Post (title, authorId) VALUES ('hello', 1);",
    )
    .unwrap();
}

// ---- zgen sql ---------------------------------------------------------------

#[test]
fn sql_prints_the_create_statements() {
    let dir = project(&blog(""));
    let output = zgen(dir.path())
        .args(["sql", "--dialect", "sqlite"])
        .assert()
        .code(0)
        .stderr("")
        .get_output()
        .stdout
        .clone();
    let sql = String::from_utf8(output).unwrap();
    assert!(
        sql.starts_with(
            "CREATE TABLE \"User\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n"
        ),
        "{sql}"
    );
    for expected in [
        "\"active\" BOOLEAN NOT NULL DEFAULT 0,",
        "\"createdAt\" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        "CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");",
        "CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\" (\"id\") ON DELETE CASCADE ON UPDATE CASCADE",
        "CREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\");",
        "CREATE TABLE \"_PostToTag\" (",
        "CREATE UNIQUE INDEX \"_PostToTag_AB_unique\" ON \"_PostToTag\"(\"A\", \"B\");",
        "CREATE INDEX \"_PostToTag_B_index\" ON \"_PostToTag\"(\"B\");",
    ] {
        assert!(sql.contains(expected), "missing {expected}:\n{sql}");
    }
    // The script runs as printed.
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(&sql).unwrap();
    assert_eq!(tables(&conn), ["Post", "Tag", "User", "_PostToTag"]);
}

#[test]
fn sql_of_a_schema_with_errors_prints_errors_and_no_sql() {
    let dir = project(&format!(
        "{DATASOURCE}\nmodel User {{\n  id Int @id\n  boss Nobody\n}}\n"
    ));
    zgen(dir.path())
        .arg("sql")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("Nobody").and(predicate::str::contains("1 error")));
}

#[test]
fn sql_rejects_an_unknown_dialect() {
    let dir = project(&blog(""));
    zgen(dir.path())
        .args(["sql", "--dialect", "oracle"])
        .assert()
        .code(2)
        .stdout("");
}

// ---- zgen db push -----------------------------------------------------------

#[test]
fn push_creates_the_tables() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0).stdout(
        predicate::str::contains("created table `User` (1 index)")
            .and(predicate::str::contains(
                "created table `_PostToTag` (2 indexes)",
            ))
            .and(predicate::str::contains("applied 4 changes to `dev.db`")),
    );
    let conn = open(dir.path());
    assert_eq!(tables(&conn), ["Post", "Tag", "User", "_PostToTag"]);
    assert_eq!(
        columns(&conn, "User"),
        ["id", "email", "name", "active", "createdAt"]
    );
    // Defaults in ZenStack's encodings: Boolean 0/1, DateTime ISO-8601 text.
    seed(dir.path());
    let (active, created): (i64, String) = conn
        .query_row("SELECT active, createdAt FROM User WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(active, 0);
    assert!(created.len() == 24 && created.ends_with('Z'), "{created}");
}

#[test]
fn pushing_twice_changes_nothing() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    let before = dump(&open(dir.path()));
    push(dir.path())
        .assert()
        .code(0)
        .stdout("`dev.db` is already in sync with the schema\n");
    assert_eq!(dump(&open(dir.path())), before);
}

#[test]
fn adding_an_optional_field_adds_a_column_and_keeps_rows() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    write_schema(
        dir.path(),
        &blog("  bio       String?\n  level     Int      @default(3)\n"),
    );
    push(dir.path()).assert().code(0).stdout(
        predicate::str::contains("added column `User`.`bio`")
            .and(predicate::str::contains("added column `User`.`level`"))
            .and(predicate::str::contains("rebuilt").not()),
    );
    let conn = open(dir.path());
    let rows = strings(
        &conn,
        "SELECT email || ':' || name || ':' || COALESCE(bio, 'null') || ':' || level FROM User ORDER BY id",
    );
    assert_eq!(rows, ["a@x.io:Ann:null:3", "b@x.io:Bob:null:3"]);
    push(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("already in sync"));
}

#[test]
fn removing_a_field_is_refused_and_leaves_the_data() {
    let dir = project(&blog("  nick      String?\n"));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    let before = dump(&open(dir.path()));
    write_schema(dir.path(), &blog("").replace("  name      String\n", ""));
    push(dir.path()).assert().code(1).stdout("").stderr(
        predicate::str::contains("drop column `User`.`name` (2 values)")
            // An empty column loses nothing.
            .and(predicate::str::contains("nick").not())
            .and(predicate::str::contains("--accept-data-loss")),
    );
    let conn = open(dir.path());
    assert_eq!(dump(&conn), before);
    assert_eq!(
        strings(&conn, "SELECT name FROM User ORDER BY id"),
        ["Ann", "Bob"]
    );
}

#[test]
fn accepting_data_loss_rebuilds_the_table_and_keeps_the_other_columns() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    write_schema(dir.path(), &blog("").replace("  name      String\n", ""));
    push(dir.path())
        .arg("--accept-data-loss")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "rebuilt table `User`: dropped column `name`",
        ));
    let conn = open(dir.path());
    assert_eq!(
        columns(&conn, "User"),
        ["id", "email", "active", "createdAt"]
    );
    assert_eq!(
        strings(&conn, "SELECT id || ':' || email FROM User ORDER BY id"),
        ["1:a@x.io", "2:b@x.io"]
    );
    // Indexes, foreign keys and the post pointing at its author survive.
    assert_eq!(
        strings(
            &conn,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'User'"
        ),
        ["User_email_key"]
    );
    assert_eq!(
        strings(&conn, "SELECT title FROM Post WHERE authorId = 1"),
        ["hello"]
    );
    let violations: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
    // Keys of the rebuilt table keep counting from where they were.
    conn.execute_batch("DELETE FROM User WHERE id = 2").unwrap();
    drop(conn);
    write_schema(
        dir.path(),
        &blog("  bio       String?\n").replace("  name      String\n", ""),
    );
    push(dir.path()).assert().code(0);
    write_schema(dir.path(), &blog("").replace("  name      String\n", ""));
    push(dir.path()).arg("--accept-data-loss").assert().code(0);
    let conn = open(dir.path());
    conn.execute_batch("INSERT INTO User (email) VALUES ('c@x.io')")
        .unwrap();
    assert_eq!(
        strings(
            &conn,
            "SELECT CAST(id AS TEXT) FROM User WHERE email = 'c@x.io'"
        ),
        ["3"]
    );
    push(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("already in sync"));
}

#[test]
fn a_rebuild_keeps_views_on_the_table_working() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    open(dir.path())
        .execute_batch("CREATE VIEW Emails AS SELECT email FROM User")
        .unwrap();
    write_schema(dir.path(), &blog("  seenAt    DateTime @default(now())\n"));
    push(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "rebuilt table `User`: added column `seenAt`",
        ));
    assert_eq!(
        strings(&open(dir.path()), "SELECT email FROM Emails ORDER BY email"),
        ["a@x.io", "b@x.io"]
    );
}

#[test]
fn a_required_column_without_default_on_a_filled_table_is_data_loss() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    write_schema(dir.path(), &blog("  handle    String\n"));
    push(dir.path()).assert().code(1).stderr(predicate::str::contains(
        "add required column `User`.`handle` without a default: the 2 rows of `User` would be deleted",
    ));
    assert_eq!(columns(&open(dir.path()), "User").len(), 5);
    // On an empty table the same change is safe.
    let empty = project(&blog(""));
    push(empty.path()).assert().code(0);
    write_schema(empty.path(), &blog("  handle    String\n"));
    push(empty.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "rebuilt table `User`: added column `handle`",
        ));
}

#[test]
fn dropping_a_table_with_rows_is_data_loss_and_an_empty_one_is_not() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    seed(dir.path());
    open(dir.path())
        .execute_batch(
            "CREATE TABLE Old (id INTEGER PRIMARY KEY); INSERT INTO Old VALUES (1);
             CREATE TABLE Empty (id INTEGER PRIMARY KEY);
             CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY);",
        )
        .unwrap();
    push(dir.path()).assert().code(1).stderr(
        predicate::str::contains("drop table `Old` (1 row)")
            .and(predicate::str::contains("Empty").not()),
    );
    push(dir.path())
        .arg("--accept-data-loss")
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("dropped table `Old`")
                .and(predicate::str::contains("dropped table `Empty`")),
        );
    assert_eq!(
        tables(&open(dir.path())),
        ["Post", "Tag", "User", "_PostToTag", "_prisma_migrations"]
    );
}

#[test]
fn a_change_the_data_cannot_take_fails_and_changes_nothing() {
    let dir = project(&blog(""));
    push(dir.path()).assert().code(0);
    open(dir.path())
        .execute_batch("INSERT INTO User (email, name) VALUES ('a@x.io', 'Ann'), ('b@x.io', 'Ann')")
        .unwrap();
    let before = dump(&open(dir.path()));
    write_schema(
        dir.path(),
        &blog("").replace(
            "  name      String\n",
            "  name      String   @unique\n  bio       String?\n",
        ),
    );
    push(dir.path()).assert().code(1).stderr(
        predicate::str::contains("UNIQUE constraint failed")
            .and(predicate::str::contains("nothing was changed")),
    );
    assert_eq!(dump(&open(dir.path())), before);
}

/// A database made by Prisma (`prisma db push`, as ZenStack v3's CLI runs
/// it) for the same schema is already in sync: same names, same types;
/// `CURRENT_TIMESTAMP` and `false` are read as `now()` and 0.
#[test]
fn a_database_made_by_prisma_is_in_sync() {
    let dir = project(&blog(""));
    open(dir.path())
        .execute_batch(
            r#"
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE "Tag" (
    "name" TEXT NOT NULL PRIMARY KEY
);
CREATE TABLE "_PostToTag" (
    "A" INTEGER NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_PostToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_PostToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");
CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag"("A", "B");
CREATE INDEX "_PostToTag_B_index" ON "_PostToTag"("B");
CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL);
"#,
        )
        .unwrap();
    push(dir.path())
        .assert()
        .code(0)
        .stdout("`dev.db` is already in sync with the schema\n");
}

#[test]
fn an_invalid_schema_exits_1_without_creating_the_database() {
    let dir = project(&format!(
        "{DATASOURCE}\nmodel User {{\n  id Int @id\n  ??? what\n}}\n"
    ));
    push(dir.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error"));
    assert!(!dir.path().join("dev.db").exists());
}

#[test]
fn a_bad_url_exits_2() {
    let dir = project(&blog(""));
    for url in ["postgres://localhost/db", "sqlite:", "dev.db"] {
        zgen(dir.path())
            .args(["db", "push", "--url", url])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "unsupported database url `{url}`"
            )));
    }
    zgen(dir.path()).args(["db", "push"]).assert().code(2);
    assert!(!dir.path().join("dev.db").exists());
}

#[test]
fn an_unreadable_database_exits_2() {
    let dir = project(&blog(""));
    std::fs::write(
        dir.path().join("dev.db"),
        "this is not a database, just text",
    )
    .unwrap();
    push(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot use database `dev.db`"));
}

// ---- the corpus -------------------------------------------------------------

/// Every entry schema of the corpus that checks clean creates its tables
/// on an empty database, and a second push finds nothing to do: the
/// planner reads back exactly what the statements wrote.
#[test]
fn corpus_schemas_push_and_a_second_push_is_a_no_op() {
    let entries = zgen_testkit::corpus_entries();
    if entries.is_empty() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let mut pushed = 0;
    for (i, path) in entries.iter().enumerate() {
        let name = &path.display().to_string();
        let analysis = zgen_sema::analyze(&zgen_testkit::load(path));
        if analysis.diagnostics.has_errors() {
            eprintln!("skipped (schema errors): {name}");
            continue;
        }
        let url = format!("sqlite:{i}.db");
        zgen(work.path())
            .args(["db", "push", "--url", &url, name])
            .assert()
            .code(0);
        zgen(work.path())
            .args(["db", "push", "--url", &url, name])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("already in sync"));
        pushed += 1;
    }
    assert!(pushed > 30, "only {pushed} entry schemas pushed");
}
