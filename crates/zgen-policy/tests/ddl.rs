//! CREATE TABLE / INDEX statements: their exact text for a schema using
//! every storage feature, and that SQLite accepts them for every schema of
//! the real-world corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zgen_policy::ddl::{self, ColumnDefault};
use zgen_policy::sql::Sqlite;
use zgen_sema::Schema;

fn script(schema: &Schema) -> String {
    ddl::create_statements(schema)
        .iter()
        .map(|s| format!("{s};\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn execute(schema: &Schema) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    for stmt in ddl::create_statements(schema) {
        conn.execute_batch(&stmt)
            .unwrap_or_else(|e| panic!("{e}:\n{stmt}"));
    }
    conn
}

const FEATURES: &str = r#"
datasource db {
    provider = "sqlite"
}

enum Role {
    USER
    ADMIN  @map("admin")
}

type Address {
    street String
    city   String
}

model User {
    id        Int       @id @default(autoincrement())
    email     String    @unique
    handle    String    @unique(map: "user_handle_unique")
    name      String?   @map("full_name")
    role      Role      @default(ADMIN)
    active    Boolean   @default(true)
    score     Float     @default(1.5)
    big       BigInt    @default(0)
    money     Decimal?
    bio       String    @default("it's me")
    createdAt DateTime  @default(now())
    updatedAt DateTime  @updatedAt
    settings  Json      @default("{}")
    avatar    Bytes?
    address   Address?  @json
    posts     Post[]    @relation("author")
    edited    Post[]    @relation("editor")
    profile   Profile?
    manager   User?     @relation("reports", fields: [managerId], references: [id])
    managerId Int?
    reports   User[]    @relation("reports")
    groups    Group[]
    sessions  Session[]

    @@map("users")
}

model Profile {
    id     String @id @default(uuid())
    userId Int    @unique
    user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
    token  String @default(cuid())
}

model Post {
    id        String   @id @default(cuid())
    title     String
    slug      String
    published Boolean  @default(false)
    authorId  Int
    author    User     @relation("author", fields: [authorId], references: [id], onDelete: Cascade, onUpdate: Restrict)
    editorId  Int?
    editor    User?    @relation("editor", fields: [editorId], references: [id])
    tags      Tag[]

    @@unique([authorId, slug])
    @@unique([title, slug], name: "titleSlug", map: "post_title_slug")
    @@index([published, title(sort: Desc)])
}

model Tag {
    name  String @id
    posts Post[]
}

model Group {
    id      Int    @id
    members User[]
}

model Session {
    userId  Int
    device  String
    user    User   @relation(fields: [userId], references: [id], onDelete: SetNull, onUpdate: NoAction)
    seenAt  DateTime?

    @@id([userId, device])
    @@index([device])
}

model Legacy {
    id Int @id
    @@ignore
}

view UserNames {
    name String @unique
}
"#;

#[test]
fn create_statements_of_every_feature() {
    let schema = zgen_testkit::checked(FEATURES);
    insta::assert_snapshot!(script(&schema));
}

#[test]
fn the_feature_schema_runs_on_sqlite() {
    let schema = zgen_testkit::checked(FEATURES);
    let conn = execute(&schema);
    // Defaults are applied by the database; runtime-computed ones are not.
    conn.execute(
        "INSERT INTO users (email, handle, updatedAt) VALUES ('a@x', 'a', '2024-01-01T00:00:00.000Z')",
        [],
    )
    .unwrap();
    let (role, active, bio, settings, created): (String, i64, String, String, String) = conn
        .query_row(
            "SELECT role, active, bio, settings, createdAt FROM users",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (role.as_str(), active, bio.as_str(), settings.as_str()),
        ("admin", 1, "it's me", "{}")
    );
    // `YYYY-MM-DDTHH:MM:SS.sssZ`, as ZenStack stores DateTime on SQLite.
    assert_eq!(created.len(), 24, "{created}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    // No table for views and `@@ignore` models.
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        [
            "Group",
            "Post",
            "Profile",
            "Session",
            "Tag",
            "_GroupToUser",
            "_PostToTag",
            "sqlite_sequence",
            "users"
        ]
    );
}

#[test]
fn statements_are_deterministic() {
    let a = script(&zgen_testkit::checked(FEATURES));
    let b = script(&zgen_testkit::checked(FEATURES));
    assert_eq!(a, b);
}

#[test]
fn string_defaults_and_identifiers_are_escaped() {
    let schema = zgen_testkit::checked(
        r#"
datasource db { provider = "sqlite" }
model Odd {
    id   Int    @id
    note String @default("a'); DROP TABLE x; --") @map("we\"ird")
    @@map("od\"d")
}
"#,
    );
    let tables = ddl::tables(&schema, &Sqlite);
    assert_eq!(
        tables[0].columns[1].default,
        Some(ColumnDefault::Value("'a''); DROP TABLE x; --'".into()))
    );
    let conn = execute(&schema);
    conn.execute("INSERT INTO \"od\"\"d\" (id) VALUES (1)", [])
        .unwrap();
    let note: String = conn
        .query_row("SELECT \"we\"\"ird\" FROM \"od\"\"d\"", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "a'); DROP TABLE x; --");
}

#[test]
fn delegate_models_keep_inherited_fields_in_the_base_table() {
    let schema = zgen_testkit::checked(
        r#"
datasource db { provider = "sqlite" }
model Asset {
    id        Int      @id @default(autoincrement())
    createdAt DateTime @default(now())
    kind      String
    @@delegate(kind)
}
model Video extends Asset {
    url String @unique
}
"#,
    );
    let tables = ddl::tables(&schema, &Sqlite);
    let video = tables.iter().find(|t| t.name == "Video").unwrap();
    let columns: Vec<&str> = video.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["id", "url"]);
    assert!(!video.columns[0].autoincrement && video.columns[0].default.is_none());
    assert_eq!(video.foreign_keys[0].name, "Video_id_fkey");
    assert_eq!(video.foreign_keys[0].referenced_table, "Asset");
    execute(&schema);
}

#[test]
fn each_delegate_level_stores_its_own_fields_and_the_id() {
    let schema = zgen_testkit::checked(
        r#"
datasource db { provider = "sqlite" }
type Stamped {
    createdAt DateTime @default(now())
}
model Asset with Stamped {
    id    Int    @id @default(autoincrement())
    kind  String
    @@delegate(kind)
}
model Video extends Asset {
    duration  Int
    videoKind String
    @@delegate(videoKind)
}
model Movie extends Video {
    director String
}
"#,
    );
    let tables = ddl::tables(&schema, &Sqlite);
    let columns = |name: &str| -> Vec<String> {
        let table = tables.iter().find(|t| t.name == name).unwrap();
        table.columns.iter().map(|c| c.name.clone()).collect()
    };
    // a field the base takes from a mixin stays in the base's table
    assert_eq!(columns("Asset"), ["createdAt", "id", "kind"]);
    assert_eq!(columns("Video"), ["id", "duration", "videoKind"]);
    assert_eq!(columns("Movie"), ["id", "director"]);
    let movie = tables.iter().find(|t| t.name == "Movie").unwrap();
    assert_eq!(movie.foreign_keys[0].referenced_table, "Video");
    execute(&schema);
}

// ---- the corpus -------------------------------------------------------

/// Every entry schema of the corpus that checks clean: its statements run
/// on SQLite (they are SQLite's whatever the datasource provider says).
#[test]
fn corpus_statements_run_on_sqlite() {
    let entries = zgen_testkit::corpus_entries();
    if entries.is_empty() {
        return;
    }
    let (mut ran, mut skipped) = (0, Vec::new());
    let mut failures = Vec::new();
    for path in &entries {
        let name = path.display().to_string();
        let analysis = zgen_sema::analyze(&zgen_testkit::load(path));
        if analysis.diagnostics.has_errors() {
            skipped.push(name.clone());
            continue;
        }
        let first = script(&analysis.schema);
        assert_eq!(first, script(&analysis.schema), "{name}: not deterministic");
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for stmt in ddl::create_statements(&analysis.schema) {
            if let Err(e) = conn.execute_batch(&stmt) {
                failures.push(format!("{name}: {e}\n{stmt}"));
                break;
            }
        }
        ran += 1;
    }
    for name in &skipped {
        eprintln!("skipped (schema errors): {name}");
    }
    assert!(ran > 30, "only {ran} entry schemas ran");
    assert!(
        failures.is_empty(),
        "{} schemas failed on SQLite:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("ran the statements of {ran} corpus schemas");
}
