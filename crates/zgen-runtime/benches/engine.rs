//! The query engine against hand-written SQL on the same data: a blog
//! schema with ZenStack's usual `Post` rules, 100 users and 10,000 posts in a
//! file-backed SQLite database, authenticated as user 1. The figures are
//! reported in `docs/benchmarks.md` (section "Query engine").
//!
//! Each group seeds a fresh database file (WAL, `synchronous = NORMAL`), then
//! measures the engine and the raw equivalent in the same run. The raw side
//! is honest: it applies the same access rules in its SQL (or, for the
//! create check, in Rust), uses `prepare_cached`, and builds the same
//! `serde_json::Value` the engine returns, so both sides pay for the JSON.
//! Engine and raw each get their own connection to the same file, opened
//! with the same settings, so their statement caches do not evict each
//! other.

// A benchmark that cannot set itself up should fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rusqlite::{params, Connection, Row};
use serde_json::{json, Map, Value as Json};
use std::hint::black_box;
use std::path::Path;
use zgen_runtime::Engine;

const SCHEMA: &str = r#"
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

const USERS: i64 = 100;
const POSTS: i64 = 10_000;
/// The authenticated user.
const ME: i64 = 1;

const READ_ONE: &str = "SELECT id, title, content, published, authorId, views, createdAt \
     FROM Post WHERE id = ?1 AND (published = 1 OR authorId = ?2)";
const READ_PAGE: &str = "SELECT id, title, content, published, authorId, views, createdAt \
     FROM Post WHERE (published = 1 OR authorId = ?1) ORDER BY id LIMIT 100";
const INSERT: &str = "INSERT INTO Post (title, content, published, authorId, views, createdAt) \
     VALUES (?1, ?2, 0, ?3, 0, ?4) RETURNING id";
const UPDATE: &str = "UPDATE Post SET views = views + 1 WHERE id = ?1 AND authorId = ?2";

/// One database file with the schema's tables, seeded; the engine and two
/// connections (engine's, raw's) with identical settings.
struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
    engine_conn: Connection,
    raw_conn: Connection,
    /// Posts user 1 can read (published or authored by user 1).
    readable: Vec<i64>,
    /// Posts authored by user 1.
    mine: Vec<i64>,
}

fn open(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )
    .expect("pragmas");
    conn
}

fn fixture() -> Fixture {
    let engine = Engine::from_source(SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("blog.db");
    let mut seed = open(&path);
    for stmt in zgen_policy::ddl::create_statements(engine.schema()) {
        seed.execute_batch(&stmt)
            .unwrap_or_else(|e| panic!("{e}: {stmt}"));
    }
    let tx = seed.transaction().expect("begin");
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
    drop(seed);

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

fn auth() -> Option<Json> {
    Some(json!({"id": ME}))
}

/// A `Post` row as the JSON object the engine returns.
fn post_json(row: &Row<'_>) -> rusqlite::Result<Json> {
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

fn raw_find_unique(conn: &Connection, id: i64) -> Json {
    let mut stmt = conn.prepare_cached(READ_ONE).expect("prepare");
    let mut rows = stmt.query(params![id, ME]).expect("query");
    match rows.next().expect("step") {
        Some(row) => post_json(row).expect("row"),
        None => Json::Null,
    }
}

fn raw_find_page(conn: &Connection) -> Json {
    let mut stmt = conn.prepare_cached(READ_PAGE).expect("prepare");
    let rows = stmt
        .query_map(params![ME], post_json)
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    Json::Array(rows)
}

fn raw_create(conn: &Connection, title: &str, author: i64) -> Json {
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

fn raw_update(conn: &Connection, id: i64) -> Json {
    let changed = conn
        .prepare_cached(UPDATE)
        .expect("prepare update")
        .execute(params![id, ME])
        .expect("update");
    assert_eq!(changed, 1, "update rejected");
    raw_find_unique(conn, id)
}

/// Engine and raw agree on the rows the benchmark uses.
fn check_equivalent(f: &Fixture) {
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

fn cycle(ids: &[i64]) -> impl FnMut() -> i64 + '_ {
    let mut i = 0;
    move || {
        let id = ids[i % ids.len()];
        i += 1;
        id
    }
}

fn find_unique(c: &mut Criterion) {
    let f = fixture();
    check_equivalent(&f);
    let mut g = c.benchmark_group("findUnique");
    g.bench_function(BenchmarkId::from_parameter("engine (client per op)"), |b| {
        let mut next = cycle(&f.readable);
        b.iter(|| {
            let client = f.engine.client(&f.engine_conn, auth());
            let args = json!({"where": {"id": next()}});
            black_box(client.run("Post", "findUnique", &args).expect("findUnique"))
        })
    });
    g.bench_function(BenchmarkId::from_parameter("engine (shared client)"), |b| {
        let client = f.engine.client(&f.engine_conn, auth());
        let mut next = cycle(&f.readable);
        b.iter(|| {
            let args = json!({"where": {"id": next()}});
            black_box(client.run("Post", "findUnique", &args).expect("findUnique"))
        })
    });
    g.bench_function(BenchmarkId::from_parameter("raw"), |b| {
        let mut next = cycle(&f.readable);
        b.iter(|| black_box(raw_find_unique(&f.raw_conn, next())))
    });
    g.finish();
}

fn find_many(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("findMany take 100");
    g.bench_function(BenchmarkId::from_parameter("engine (client per op)"), |b| {
        b.iter(|| {
            let client = f.engine.client(&f.engine_conn, auth());
            let args = json!({"take": 100, "orderBy": {"id": "asc"}});
            let rows = client.run("Post", "findMany", &args).expect("findMany");
            debug_assert_eq!(rows.as_array().map(Vec::len), Some(100));
            black_box(rows)
        })
    });
    g.bench_function(BenchmarkId::from_parameter("raw"), |b| {
        b.iter(|| black_box(raw_find_page(&f.raw_conn)))
    });
    g.finish();
}

fn create(c: &mut Criterion) {
    let f = fixture();
    // Equivalence of the created row (except id and createdAt).
    {
        let client = f.engine.client(&f.engine_conn, auth());
        let mut engine = client
            .run(
                "Post",
                "create",
                &json!({"data": {"title": "check", "content": "Hello", "authorId": ME}}),
            )
            .unwrap_or_else(|e| panic!("engine create: {e}"));
        let mut raw = raw_create(&f.raw_conn, "check", ME);
        for row in [&mut engine, &mut raw] {
            let m = row.as_object_mut().expect("object");
            assert!(m.remove("id").is_some_and(|v| v.is_i64()));
            assert!(m.remove("createdAt").is_some_and(|v| v.is_string()));
        }
        assert_eq!(engine, raw, "create");
    }
    let mut g = c.benchmark_group("create");
    g.bench_function(BenchmarkId::from_parameter("engine (client per op)"), |b| {
        let mut n = 0u64;
        b.iter(|| {
            n += 1;
            let client = f.engine.client(&f.engine_conn, auth());
            let args = json!({"data": {
                "title": format!("New post {n}"),
                "content": "Hello",
                "authorId": ME,
            }});
            black_box(client.run("Post", "create", &args).expect("create"))
        })
    });
    g.bench_function(BenchmarkId::from_parameter("raw"), |b| {
        let mut n = 0u64;
        b.iter(|| {
            n += 1;
            black_box(raw_create(&f.raw_conn, &format!("New post {n}"), ME))
        })
    });
    g.finish();
}

fn update(c: &mut Criterion) {
    let f = fixture();
    {
        let client = f.engine.client(&f.engine_conn, auth());
        let engine = client
            .run(
                "Post",
                "update",
                &json!({"where": {"id": 1}, "data": {"views": {"increment": 1}}}),
            )
            .unwrap_or_else(|e| panic!("engine update: {e}"));
        let raw = raw_update(&f.raw_conn, 1);
        assert_eq!(
            engine["views"].as_i64().map(|v| v + 1),
            raw["views"].as_i64()
        );
        let mut engine = engine;
        engine["views"] = raw["views"].clone();
        assert_eq!(engine, raw, "update");
    }
    let mut g = c.benchmark_group("update by id");
    g.bench_function(BenchmarkId::from_parameter("engine (client per op)"), |b| {
        let mut next = cycle(&f.mine);
        b.iter(|| {
            let client = f.engine.client(&f.engine_conn, auth());
            let args = json!({"where": {"id": next()}, "data": {"views": {"increment": 1}}});
            black_box(client.run("Post", "update", &args).expect("update"))
        })
    });
    g.bench_function(BenchmarkId::from_parameter("raw"), |b| {
        let mut next = cycle(&f.mine);
        b.iter(|| black_box(raw_update(&f.raw_conn, next())))
    });
    g.finish();
}

criterion_group!(benches, find_unique, find_many, create, update);
criterion_main!(benches);
