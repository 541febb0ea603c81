//! `zgen query`: operations through the policy engine on a pushed database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value as Json};
use std::path::Path;

fn zgen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zgen").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A temp project with the example blog schema, pushed to `blog.db`.
fn blog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schema = include_str!("../../../examples/blog/schema.zmodel");
    std::fs::write(dir.path().join("schema.zmodel"), schema).unwrap();
    zgen(dir.path())
        .args(["db", "push", "--url", "sqlite:blog.db"])
        .assert()
        .code(0);
    dir
}

fn query(
    dir: &Path,
    auth: Option<Json>,
    model: &str,
    op: &str,
    args: Json,
) -> assert_cmd::assert::Assert {
    let mut cmd = zgen(dir);
    cmd.args(["query", "--url", "sqlite:blog.db"]);
    if let Some(auth) = auth {
        cmd.args(["--auth", &auth.to_string()]);
    }
    cmd.args([model, op, &args.to_string()]).assert()
}

fn ok(dir: &Path, auth: Option<Json>, model: &str, op: &str, args: Json) -> Json {
    let out = query(dir, auth, model, op, args)
        .code(0)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn rules_apply_from_the_command_line() {
    let dir = blog();
    let d = dir.path();
    let alice = ok(
        d,
        None,
        "User",
        "create",
        json!({"data": {"email": "a@x.io"}}),
    );
    assert_eq!(alice["id"], json!(1));
    ok(
        d,
        None,
        "User",
        "create",
        json!({"data": {"email": "b@x.io"}}),
    );
    let as_alice = Some(json!({"id": 1}));
    let post = ok(
        d,
        as_alice.clone(),
        "Post",
        "create",
        json!({"data": {"title": "draft", "authorId": 1}}),
    );
    assert_eq!(post["published"], json!(false));
    assert!(post["createdAt"].as_str().unwrap().ends_with('Z'));
    // anonymous readers do not see the draft; its author does
    assert_eq!(ok(d, None, "Post", "findMany", json!({})), json!([]));
    assert_eq!(ok(d, as_alice, "Post", "count", json!({})), json!(1));
    // bob may not touch alice's post: it "does not exist" for him
    query(
        d,
        Some(json!({"id": 2})),
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"title": "x"}}),
    )
    .code(1)
    .stderr(predicate::str::contains(
        "error: not-found (Post): Record not found",
    ));
    query(
        d,
        None,
        "Post",
        "create",
        json!({"data": {"title": "x", "authorId": 1}}),
    )
    .code(1)
    .stderr(predicate::str::contains(
        "rejected-by-policy/no-access (Post)",
    ));
}

#[test]
fn usage_problems_exit_2() {
    let dir = blog();
    let d = dir.path();
    zgen(d)
        .args([
            "query",
            "--url",
            "sqlite:blog.db",
            "User",
            "findMany",
            "{not json",
        ])
        .assert()
        .code(2);
    zgen(d)
        .args([
            "query",
            "--url",
            "sqlite:blog.db",
            "--auth",
            "[1]",
            "User",
            "findMany",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--auth must be a JSON object"));
    zgen(d)
        .args(["query", "--url", "sqlite:missing.db", "User", "findMany"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!d.join("missing.db").exists());
    zgen(d)
        .args(["query", "--url", "postgres://x", "User", "findMany"])
        .assert()
        .code(2);
}
