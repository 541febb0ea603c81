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

#[path = "support/blog.rs"]
mod blog;

use blog::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use serde_json::json;
use std::hint::black_box;

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
