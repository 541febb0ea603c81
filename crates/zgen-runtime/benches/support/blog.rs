//! The blog fixture of the engine benchmark, shared with the
//! `engine_probe` example (which runs one operation a fixed number of times,
//! for instruction counts under callgrind): the schema, the seeded database,
//! and the hand-written raw SQL side.

// Fixture setup that cannot succeed should fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use rusqlite::{params, Connection, Row};
use serde_json::{json, Map, Value as Json};
use std::path::Path;
use zgen_runtime::Engine;

pub const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  posts Post[]
  @@allow('all', true)
}

model Post {
  id        Int      @id @default(autoincrement())
  title     String
  content   String?
  published Boolean  @default(false)
  author    User     @relation(fields: [authorId], references: [id])
  authorId  Int
  views     Int      @default(0)
  createdAt DateTime @default(now())
  @@allow('read', published || auth() == author)
  @@allow('create,update,delete', auth() == author)
}
"#;

pub const USERS: i64 = 100;
pub const POSTS: i64 = 10_000;
/// The authenticated user.
pub const ME: i64 = 1;

pub const READ_ONE: &str = "SELECT id, title, content, published, authorId, views, createdAt \
     FROM Post WHERE id = ?1 AND (published = 1 OR authorId = ?2)";
pub const READ_PAGE: &str = "SELECT id, title, content, published, authorId, views, createdAt \
     FROM Post WHERE (published = 1 OR authorId = ?1) ORDER BY id LIMIT 100";
pub const INSERT: &str =
    "INSERT INTO Post (title, content, published, authorId, views, createdAt) \
     VALUES (?1, ?2, 0, ?3, 0, ?4) RETURNING id";
pub const UPDATE: &str = "UPDATE Post SET views = views + 1 WHERE id = ?1 AND authorId = ?2";

/// One database file with the schema's tables, seeded; the engine and two
/// connections (engine's, raw's) with identical settings.
pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub engine: Engine,
    pub engine_conn: Connection,
    pub raw_conn: Connection,
    /// Posts user 1 can read (published or authored by user 1).
    pub readable: Vec<i64>,
    /// Posts authored by user 1.
    pub mine: Vec<i64>,
}

pub fn open(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )
    .expect("pragmas");
    conn
}

pub fn fixture() -> Fixture {
    let engine = Engine::from_source(SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("blog.db");
    let mut conn = open(&path);
    for stmt in zgen_policy::ddl::create_statements(engine.schema()) {
        conn.execute_batch(&stmt)
            .unwrap_or_else(|e| panic!("{e}: {stmt}"));
    }
    seed(&mut conn);
    drop(conn);

    let readable = (1..=POSTS)
        .filter(|id| id % 2 == 0 || (id - 1) % USERS + 1 == ME)
        .collect();
    let mine = (1..=POSTS)
        .filter(|id| (id - 1) % USERS + 1 == ME)
        .collect();
    Fixture {
        engine_conn: open(&path),
        raw_conn: open(&path),
        _dir: dir,
        engine,
        readable,
        mine,
    }
}

pub fn auth() -> Option<Json> {
    Some(json!({"id": ME}))
}

/// A `Post` row as the JSON object the engine returns.
pub fn post_json(row: &Row<'_>) -> rusqlite::Result<Json> {
    let mut m = Map::with_capacity(7);
    m.insert("id".into(), Json::from(row.get::<_, i64>(0)?));
    m.insert("title".into(), Json::String(row.get(1)?));
    m.insert(
        "content".into(),
        row.get::<_, Option<String>>(2)?
            .map_or(Json::Null, Json::String),
    );
    m.insert("published".into(), Json::Bool(row.get::<_, i64>(3)? != 0));
    m.insert("authorId".into(), Json::from(row.get::<_, i64>(4)?));
    m.insert("views".into(), Json::from(row.get::<_, i64>(5)?));
    m.insert("createdAt".into(), Json::String(row.get(6)?));
    Ok(Json::Object(m))
}

pub fn raw_find_unique(conn: &Connection, id: i64) -> Json {
    let mut stmt = conn.prepare_cached(READ_ONE).expect("prepare");
    let mut rows = stmt.query(params![id, ME]).expect("query");
    match rows.next().expect("step") {
        Some(row) => post_json(row).expect("row"),
        None => Json::Null,
    }
}

pub fn raw_find_page(conn: &Connection) -> Json {
    let mut stmt = conn.prepare_cached(READ_PAGE).expect("prepare");
    let rows = stmt
        .query_map(params![ME], post_json)
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    Json::Array(rows)
}

pub fn raw_create(conn: &Connection, title: &str, author: i64) -> Json {
    // The create rule is `auth() == author`: with `authorId` given, the
    // pre-check is a comparison.
    assert_eq!(author, ME, "rejected by policy");
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let id: i64 = conn
        .prepare_cached(INSERT)
        .expect("prepare insert")
        .query_row(params![title, "Hello", author, now], |r| r.get(0))
        .expect("insert");
    raw_find_unique(conn, id)
}

pub fn raw_update(conn: &Connection, id: i64) -> Json {
    let changed = conn
        .prepare_cached(UPDATE)
        .expect("prepare update")
        .execute(params![id, ME])
        .expect("update");
    assert_eq!(changed, 1, "update rejected");
    raw_find_unique(conn, id)
}

/// Engine and raw agree on the rows the benchmark uses.
pub fn check_equivalent(f: &Fixture) {
    let client = f.engine.client(&f.engine_conn, auth());
    for id in [1, 2, 3, 101, 5000] {
        let engine = client
            .run("Post", "findUnique", &json!({"where": {"id": id}}))
            .unwrap_or_else(|e| panic!("engine findUnique {id}: {e}"));
        assert_eq!(engine, raw_find_unique(&f.raw_conn, id), "findUnique {id}");
    }
    let engine = client
        .run(
            "Post",
            "findMany",
            &json!({"take": 100, "orderBy": {"id": "asc"}}),
        )
        .unwrap_or_else(|e| panic!("engine findMany: {e}"));
    assert_eq!(engine, raw_find_page(&f.raw_conn), "findMany");
}

/// The benchmark's rows: 100 users and 10,000 posts (every other one
/// published, authors round-robin), in one transaction on tables that exist.
pub fn seed(conn: &mut Connection) {
    let tx = conn.transaction().expect("begin");
    {
        let mut user = tx
            .prepare("INSERT INTO User (id, email, name) VALUES (?1, ?2, ?3)")
            .expect("prepare user");
        for id in 1..=USERS {
            user.execute(params![
                id,
                format!("user{id}@example.com"),
                format!("User {id}")
            ])
            .expect("insert user");
        }
        let mut post = tx
            .prepare(
                "INSERT INTO Post (id, title, content, published, authorId, views, createdAt) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .expect("prepare post");
        for id in 1..=POSTS {
            let author = (id - 1) % USERS + 1;
            let content =
                (id % 10 != 0).then(|| format!("Body of post {id}. {}", "lorem ipsum ".repeat(8)));
            let created = format!(
                "2024-01-{:02}T{:02}:{:02}:00.000Z",
                id % 28 + 1,
                id % 24,
                id % 60
            );
            post.execute(params![
                id,
                format!("Post number {id}"),
                content,
                id % 2 == 0,
                author,
                id % 1000,
                created
            ])
            .expect("insert post");
        }
    }
    tx.commit().expect("commit");
}
