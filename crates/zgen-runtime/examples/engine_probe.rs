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
//!
//! The side `ab` times both sides instead, interleaved
//! (`benches/support/interleave.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/blog.rs"]
mod blog;
#[path = "../benches/support/interleave.rs"]
mod interleave;

use blog::*;
use serde_json::{json, Value as Json};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, side) = (args[1].as_str(), args[2].as_str());
    let n: usize = args[3].parse().expect("iterations");
    let f = fixture();
    match side {
        "ab" => interleave::interleaved(op, ["engine", "raw"], n, |engine, i| {
            black_box(run(&f, op, engine, i));
        }),
        _ => {
            let engine = side == "engine";
            for i in 0..n {
                black_box(run(&f, op, engine, i));
            }
        }
    }
}

/// One operation as the criterion benchmark runs it: the engine side with
/// a new client, as a request would.
fn run(f: &Fixture, op: &str, engine: bool, i: usize) -> Json {
    if !engine {
        return match op {
            "find-unique" => raw_find_unique(&f.raw_conn, f.readable[i % f.readable.len()]),
            "find-many" => raw_find_page(&f.raw_conn),
            "create" => raw_create(&f.raw_conn, &format!("New post {i}"), ME),
            "update" => raw_update(&f.raw_conn, f.mine[i % f.mine.len()]),
            _ => panic!("unknown operation `{op}`"),
        };
    }
    let client = f.engine.client(&f.engine_conn, auth());
    let result = match op {
        "find-unique" => {
            let id = f.readable[i % f.readable.len()];
            client.run("Post", "findUnique", &json!({"where": {"id": id}}))
        }
        "find-many" => client.run(
            "Post",
            "findMany",
            &json!({"take": 100, "orderBy": {"id": "asc"}}),
        ),
        "create" => client.run(
            "Post",
            "create",
            &json!({"data": {"title": format!("New post {i}"), "content": "Hello", "authorId": ME}}),
        ),
        "update" => client.run(
            "Post",
            "update",
            &json!({"where": {"id": f.mine[i % f.mine.len()]}, "data": {"views": {"increment": 1}}}),
        ),
        _ => panic!("unknown operation `{op}`"),
    };
    result.expect("operation")
}
