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
//! `select!` shape).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use std::hint::black_box;
use typed_bench::db::{self, PostCreate, PostOrderBy, PostUpdate, PostWhereUnique};
use zgen_client::{Sort, Update};

#[path = "../../../crates/zgen-runtime/benches/support/blog.rs"]
mod blog;

const ME: i32 = 1;

zgen_client::select!(db::post => struct PostTitle { id, title });

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, side) = (args[1].as_str(), args[2].as_str());
    let n: usize = args[3].parse().expect("iterations");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blog.db");
    let mut conn = blog::open(&path);
    db::create_tables(&conn).unwrap();
    blog::seed(&mut conn);
    let engine = db::engine().unwrap();
    let user = db::User {
        id: ME,
        email: "user1@example.com".into(),
        name: None,
        posts: None,
        relation_counts: None,
    };
    let of = |id: i64| i32::try_from(id).unwrap();
    let readable: Vec<i32> = (1..=of(blog::POSTS))
        .filter(|id| id % 2 == 0 || (id - 1) % of(blog::USERS) + 1 == ME)
        .collect();
    let mine: Vec<i32> = (1..=of(blog::POSTS))
        .filter(|id| (id - 1) % of(blog::USERS) + 1 == ME)
        .collect();
    for i in 0..n {
        if side == "engine" {
            let client = engine.client(&conn, Some(json!({"id": ME})));
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
            continue;
        }
        let client = db::client(&conn).unwrap().with_auth(Some(&user));
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
}
