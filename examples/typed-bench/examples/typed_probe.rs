//! Runs one operation of the typed benchmark a fixed number of times, for
//! instruction counts that do not depend on the machine's load:
//!
//! ```sh
//! cargo build --release -p typed-bench --example typed_probe
//! valgrind --tool=callgrind target/release/examples/typed_probe find-many typed 300
//! ```
//!
//! Subtract a run with 0 iterations to remove the setup. Operations:
//! `find-unique`, `find-many`, `create`, `update`. Sides: `engine`
//! (`Client::run`, JSON), `typed` (the generated client, into `db::Post`),
//! `typed-json` (find-many only: decoded from the engine's JSON by
//! `exec_as`), `typed-shape` (find-many only: `id` and `title` into a
//! `select!` shape). A typed side ending in `-jsonauth` acts for
//! `{"id": 1}` given as JSON (`with_auth_json`), the engine side's auth
//! value, instead of the `User` struct. The side `ab` times `typed`
//! against `engine` instead, interleaved (`benches/support/interleave.rs`
//! of zgen-runtime); `AB=side1,side2` picks two other sides.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use std::hint::black_box;
use typed_bench::db::{self, PostCreate, PostOrderBy, PostUpdate, PostWhereUnique};
use zgen_client::{Sort, Update};

#[path = "../../../crates/zgen-runtime/benches/support/blog.rs"]
mod blog;
#[path = "../../../crates/zgen-runtime/benches/support/interleave.rs"]
mod interleave;

const ME: i32 = 1;

zgen_client::select!(db::post => struct PostTitle { id, title });

struct Fixture {
    conn: zgen_client::rusqlite::Connection,
    engine: &'static zgen_client::zgen_runtime::Engine,
    user: db::User,
    readable: Vec<i32>,
    mine: Vec<i32>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, side) = (args[1].as_str(), args[2].as_str());
    let n: usize = args[3].parse().expect("iterations");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blog.db");
    let mut conn = blog::open(&path);
    db::create_tables(&conn).unwrap();
    blog::seed(&mut conn);
    let of = |id: i64| i32::try_from(id).unwrap();
    let f = Fixture {
        conn,
        engine: db::engine().unwrap(),
        user: db::User {
            id: ME,
            email: "user1@example.com".into(),
            name: None,
            posts: None,
            relation_counts: None,
        },
        readable: (1..=of(blog::POSTS))
            .filter(|id| id % 2 == 0 || (id - 1) % of(blog::USERS) + 1 == ME)
            .collect(),
        mine: (1..=of(blog::POSTS))
            .filter(|id| (id - 1) % of(blog::USERS) + 1 == ME)
            .collect(),
    };
    if side == "ab" {
        let sides = std::env::var("AB").unwrap_or("typed,engine".into());
        let (a, b) = sides.split_once(',').unwrap();
        return interleave::interleaved(op, [a, b], n, |first, i| {
            step(&f, op, if first { a } else { b }, i);
        });
    }
    for i in 0..n {
        step(&f, op, side, i);
    }
}

/// Operation `i` of one side, with a new client as a request would make.
fn step(f: &Fixture, op: &str, side: &str, i: usize) {
    let (readable, mine) = (&f.readable, &f.mine);
    if side == "engine" {
        let client = f.engine.client(&f.conn, Some(json!({"id": ME})));
        let (operation, args) = match op {
            "find-unique" => (
                "findUnique",
                json!({"where": {"id": readable[i % readable.len()]}}),
            ),
            "find-many" => ("findMany", json!({"take": 100, "orderBy": {"id": "asc"}})),
            "create" => (
                "create",
                json!({"data": {"title": "check", "content": "Hello", "authorId": ME}}),
            ),
            "update" => (
                "update",
                json!({"where": {"id": mine[i % mine.len()]}, "data": {"views": {"increment": 1}}}),
            ),
            _ => panic!("unknown operation `{op}`"),
        };
        black_box(client.run("Post", operation, &args).unwrap());
        return;
    }
    let (client, side) = match side.strip_suffix("-jsonauth") {
        Some(side) => (
            db::client(&f.conn)
                .unwrap()
                .with_auth_json(Some(json!({"id": ME}))),
            side,
        ),
        None => (db::client(&f.conn).unwrap().with_auth(Some(&f.user)), side),
    };
    let posts = client.post();
    match (op, side) {
        ("find-unique", "typed") => {
            let id = readable[i % readable.len()];
            black_box(posts.find_unique(PostWhereUnique::id(id)).exec().unwrap());
        }
        ("find-many", "typed-shape") => {
            let query = posts
                .find_many()
                .shape::<PostTitle>()
                .take(100)
                .order_by(PostOrderBy::new().id(Sort::Asc));
            black_box(query.exec().unwrap());
        }
        ("find-many", "typed" | "typed-json") => {
            let query = posts
                .find_many()
                .take(100)
                .order_by(PostOrderBy::new().id(Sort::Asc));
            black_box(if side == "typed" {
                query.exec().unwrap()
            } else {
                query.exec_as::<Vec<db::Post>>().unwrap()
            });
        }
        ("create", "typed") => {
            let data = PostCreate::new()
                .title("check")
                .content("Hello")
                .author_id(ME);
            black_box(posts.create(data).exec().unwrap());
        }
        ("update", "typed") => {
            let id = mine[i % mine.len()];
            let data = PostUpdate::new().views(Update::increment(1));
            black_box(posts.update(PostWhereUnique::id(id), data).exec().unwrap());
        }
        _ => panic!("unknown operation `{op}` or side `{side}`"),
    }
}
