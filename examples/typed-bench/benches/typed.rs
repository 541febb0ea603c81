//! The engine benchmark (`crates/zgen-runtime/benches/engine.rs`) through
//! the generated client: the same schema, data and operations, each run
//! both as JSON through `zgen_runtime::Client::run` and through the typed
//! API (which builds the same JSON and decodes the result into structs), in
//! the same process on the same connection. Figures in
//! `docs/benchmarks.md` ("Generated code").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::hint::black_box;
use typed_bench::db::{self, PostCreate, PostOrderBy, PostUpdate, PostWhereUnique};
use zgen_client::{Sort, Update};

#[path = "../../../crates/zgen-runtime/benches/support/blog.rs"]
mod blog;

use blog::{open, POSTS, USERS};

const ME: i32 = 1;

/// The engine benchmark's tables and rows, the tables made by the
/// generated code.
fn seed(path: &std::path::Path) {
    let mut conn = open(path);
    db::create_tables(&conn).unwrap();
    blog::seed(&mut conn);
}

fn me() -> db::User {
    db::User {
        id: ME,
        email: "user1@example.com".into(),
        name: None,
        posts: None,
        relation_counts: None,
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blog.db");
    seed(&path);
    let conn = open(&path);
    let engine = db::engine().unwrap();
    let auth = Some(json!({"id": ME}));
    let readable: Vec<i32> = (1..=POSTS as i32)
        .filter(|id| id % 2 == 0 || (id - 1) % USERS as i32 + 1 == ME)
        .collect();
    let mine: Vec<i32> = (1..=POSTS as i32)
        .filter(|id| (id - 1) % USERS as i32 + 1 == ME)
        .collect();
    let user = me();

    let mut g = c.benchmark_group("findUnique");
    let mut i = 0;
    g.bench_function("engine", |b| {
        b.iter(|| {
            i += 1;
            let client = engine.client(&conn, auth.clone());
            let args = json!({"where": {"id": readable[i % readable.len()]}});
            black_box(client.run("Post", "findUnique", &args).unwrap())
        })
    });
    g.bench_function("typed", |b| {
        b.iter(|| {
            i += 1;
            let client = db::client(&conn).unwrap().with_auth(Some(&user));
            let id = readable[i % readable.len()];
            black_box(
                client
                    .post()
                    .find_unique(PostWhereUnique::id(id))
                    .exec()
                    .unwrap(),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group("findMany take 100");
    g.bench_function("engine", |b| {
        b.iter(|| {
            let client = engine.client(&conn, auth.clone());
            let args = json!({"take": 100, "orderBy": {"id": "asc"}});
            black_box(client.run("Post", "findMany", &args).unwrap())
        })
    });
    g.bench_function("typed", |b| {
        b.iter(|| {
            let client = db::client(&conn).unwrap().with_auth(Some(&user));
            black_box(
                client
                    .post()
                    .find_many()
                    .take(100)
                    .order_by(PostOrderBy::new().id(Sort::Asc))
                    .exec()
                    .unwrap(),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group("create");
    g.bench_function("engine", |b| {
        b.iter(|| {
            let client = engine.client(&conn, auth.clone());
            let args = json!({"data": {"title": "check", "content": "Hello", "authorId": ME}});
            black_box(client.run("Post", "create", &args).unwrap())
        })
    });
    g.bench_function("typed", |b| {
        b.iter(|| {
            let client = db::client(&conn).unwrap().with_auth(Some(&user));
            let data = PostCreate::new()
                .title("check")
                .content("Hello")
                .author_id(ME);
            black_box(client.post().create(data).exec().unwrap())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("update by id");
    g.bench_function("engine", |b| {
        b.iter(|| {
            i += 1;
            let client = engine.client(&conn, auth.clone());
            let args =
                json!({"where": {"id": mine[i % mine.len()]}, "data": {"views": {"increment": 1}}});
            black_box(client.run("Post", "update", &args).unwrap())
        })
    });
    g.bench_function("typed", |b| {
        b.iter(|| {
            i += 1;
            let client = db::client(&conn).unwrap().with_auth(Some(&user));
            let id = mine[i % mine.len()];
            black_box(
                client
                    .post()
                    .update(
                        PostWhereUnique::id(id),
                        PostUpdate::new().views(Update::increment(1)),
                    )
                    .exec()
                    .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(typed, benches);
criterion_main!(typed);
