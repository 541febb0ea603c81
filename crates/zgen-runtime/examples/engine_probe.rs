//! Runs one operation of the engine benchmark a fixed number of times, for
//! instruction counts that do not depend on the machine's load:
//!
//! ```sh
//! cargo build --release -p zgen-runtime --example engine_probe
//! valgrind --tool=callgrind target/release/examples/engine_probe find-unique engine 2000
//! ```
//!
//! Subtract a run with 0 iterations to remove the setup. Operations:
//! `find-unique`, `find-many`, `create`, `update`; sides: `engine`, `raw`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/blog.rs"]
mod blog;

use blog::*;
use serde_json::json;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, side) = (args[1].as_str(), args[2].as_str());
    let n: usize = args[3].parse().expect("iterations");
    let f = fixture();
    let engine = side == "engine";
    for i in 0..n {
        let client = f.engine.client(&f.engine_conn, auth());
        let result = match (op, engine) {
            ("find-unique", true) => {
                let id = f.readable[i % f.readable.len()];
                client.run("Post", "findUnique", &json!({"where": {"id": id}}))
            }
            ("find-unique", false) => Ok(raw_find_unique(
                &f.raw_conn,
                f.readable[i % f.readable.len()],
            )),
            ("find-many", true) => client.run(
                "Post",
                "findMany",
                &json!({"take": 100, "orderBy": {"id": "asc"}}),
            ),
            ("find-many", false) => Ok(raw_find_page(&f.raw_conn)),
            ("create", true) => client.run(
                "Post",
                "create",
                &json!({"data": {"title": format!("New post {i}"), "content": "Hello", "authorId": ME}}),
            ),
            ("create", false) => Ok(raw_create(&f.raw_conn, &format!("New post {i}"), ME)),
            ("update", true) => client.run(
                "Post",
                "update",
                &json!({"where": {"id": f.mine[i % f.mine.len()]}, "data": {"views": {"increment": 1}}}),
            ),
            ("update", false) => Ok(raw_update(&f.raw_conn, f.mine[i % f.mine.len()])),
            _ => panic!("unknown operation `{op}`"),
        };
        black_box(result.expect("operation"));
    }
}
