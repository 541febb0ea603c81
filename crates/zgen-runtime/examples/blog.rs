//! The main job on the embedded default: check the example blog schema,
//! create its tables in a fresh SQLite file, and run a few operations as
//! different users, printing what each may see and do.
//!
//! ```sh
//! cargo run -p zgen-runtime --example blog
//! ```

use serde_json::{json, Value as Json};
use std::process::ExitCode;
use zgen_runtime::Engine;

const SCHEMA: &str = include_str!("../../../examples/blog/schema.zmodel");

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::from_source(SCHEMA)?;
    let path = std::env::temp_dir().join(format!("zgen-blog-{}.db", std::process::id()));
    let conn = rusqlite::Connection::open(&path)?;
    for statement in zgen_policy::ddl::create_statements(engine.schema()) {
        conn.execute_batch(&statement)?;
    }
    println!(
        "examples/blog/schema.zmodel checked; tables created in {}\n",
        path.display()
    );

    let anonymous = engine.client(&conn, None);
    let alice = engine.client(&conn, Some(json!({"id": 1})));
    let bob = engine.client(&conn, Some(json!({"id": 2})));

    #[rustfmt::skip]
    let steps: [(&str, &zgen_runtime::Client<'_>, &str, &str, &str, Json); 10] = [
        ("anyone", &anonymous, "signs up alice", "User", "create",
            json!({"data": {"email": "alice@example.com", "name": "Alice"}})),
        ("anyone", &anonymous, "signs up bob", "User", "create",
            json!({"data": {"email": "bob@example.com"}})),
        ("alice", &alice, "writes a draft", "Post", "create",
            json!({"data": {"title": "Draft", "authorId": 1}, "select": {"id": true, "title": true}})),
        ("alice", &alice, "publishes a post", "Post", "create",
            json!({"data": {"title": "Hello", "published": true, "authorId": 1}, "select": {"id": true, "title": true}})),
        ("bob", &bob, "posts as alice", "Post", "create",
            json!({"data": {"title": "Forged", "authorId": 1}})),
        ("anyone", &anonymous, "lists posts", "Post", "findMany",
            json!({"select": {"title": true}})),
        ("alice", &alice, "lists posts", "Post", "findMany",
            json!({"select": {"title": true}})),
        ("bob", &bob, "edits alice's draft", "Post", "update",
            json!({"where": {"id": 1}, "data": {"title": "Mine"}})),
        ("alice", &alice, "lists authors with drafts", "User", "findMany",
            json!({"where": {"posts": {"some": {"published": false}}}, "select": {"email": true, "_count": {"select": {"posts": true}}}})),
        ("bob", &bob, "lists authors with drafts", "User", "findMany",
            json!({"where": {"posts": {"some": {"published": false}}}, "select": {"email": true}})),
    ];
    for (who, client, what, model, operation, args) in &steps {
        println!("{who:>9} {what}");
        match client.run(model, operation, args) {
            Ok(value) => println!("          → {value}"),
            Err(e) => println!("          ✗ {e}"),
        }
    }

    drop(conn);
    std::fs::remove_file(&path)?;
    Ok(())
}
