//! Runs `findMany take 100` of the typed benchmark a fixed number of times,
//! for instruction counts that do not depend on the machine's load:
//!
//! ```sh
//! cargo build --release -p typed-bench --example typed_probe
//! valgrind --tool=callgrind target/release/examples/typed_probe typed 300
//! ```
//!
//! Subtract a run with 0 iterations to remove the setup. Sides: `engine`
//! (`Client::run`, JSON), `typed` (the generated client, `Vec<db::Post>`),
//! `typed-json` (the same, decoded from the engine's JSON by `exec_as`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use std::hint::black_box;
use typed_bench::db::{self, PostOrderBy};
use zgen_client::Sort;

#[path = "../../../crates/zgen-runtime/benches/support/blog.rs"]
mod blog;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let side = args[1].as_str();
    let n: usize = args[2].parse().expect("iterations");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blog.db");
    let mut conn = blog::open(&path);
    db::create_tables(&conn).unwrap();
    blog::seed(&mut conn);
    let engine = db::engine().unwrap();
    let user = db::User {
        id: 1,
        email: "user1@example.com".into(),
        name: None,
        posts: None,
        relation_counts: None,
    };
    for _ in 0..n {
        match side {
            "engine" => {
                let client = engine.client(&conn, Some(json!({"id": 1})));
                let args = json!({"take": 100, "orderBy": {"id": "asc"}});
                black_box(client.run("Post", "findMany", &args).unwrap());
            }
            "typed" | "typed-json" => {
                let client = db::client(&conn).unwrap().with_auth(Some(&user));
                let query = client
                    .post()
                    .find_many()
                    .take(100)
                    .order_by(PostOrderBy::new().id(Sort::Asc));
                let page = if side == "typed" {
                    query.exec().unwrap()
                } else {
                    query.exec_as::<Vec<db::Post>>().unwrap()
                };
                black_box(page);
            }
            _ => panic!("unknown side `{side}`"),
        }
    }
}
