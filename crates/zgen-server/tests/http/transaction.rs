//! `POST /$transaction/sequential`: all or nothing.

use crate::common::{token_for, Server};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_sequential_transaction_returns_every_result() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    let ops = json!([
        {"model": "Post", "op": "create", "args": {"data": {"title": "t1", "authorId": 1}, "select": {"id": true}}},
        {"model": "post", "op": "update", "args": {"where": {"id": 2}, "data": {"published": true}, "select": {"published": true}}},
        {"model": "post", "op": "count"},
        {"model": "post", "op": "findFirst", "args": {"where": {"id": 1}, "select": {"createdAt": true}}}
    ]);
    let (status, body) = s
        .write("POST", "$transaction/sequential", ops, Some(&alice))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"][0], json!({"id": 4}));
    assert_eq!(body["data"][1], json!({"published": true}));
    assert_eq!(body["data"][2], json!(3));
    assert_eq!(
        body["meta"]["serialization"]["values"],
        json!({"3.createdAt": ["Date"]})
    );
}

#[tokio::test]
async fn a_failing_step_rolls_back_the_earlier_ones() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    let ops = json!([
        {"model": "Post", "op": "create", "args": {"data": {"title": "kept?", "authorId": 1}}},
        {"model": "Post", "op": "deleteMany", "args": {}},
        {"model": "Post", "op": "update", "args": {"where": {"id": 3}, "data": {"title": "not mine"}}}
    ]);
    let (status, body) = s
        .write("POST", "$transaction/sequential", ops, Some(&alice))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["reason"], json!("not-found"));
    assert_eq!(s.count("Post"), 3);
    // A policy rejection and a database error roll back the same way.
    for last in [
        json!({"model": "Post", "op": "create", "args": {"data": {"title": "as bob", "authorId": 2}}}),
        json!({"model": "User", "op": "create", "args": {"data": {"email": "bob@example.com"}}}),
    ] {
        let ops = json!([{"model": "Post", "op": "deleteMany"}, last]);
        let (status, _) = s
            .write("POST", "$transaction/sequential", ops, Some(&alice))
            .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::BAD_REQUEST,
            "{status}"
        );
        assert_eq!(s.count("Post"), 3);
        assert_eq!(s.count("User"), 2);
    }
}

#[tokio::test]
async fn malformed_transactions_are_400() {
    let s = Server::new();
    let cases = [
        (
            "GET",
            "[]",
            "invalid request method, only POST is supported",
        ),
        (
            "POST",
            "[]",
            "request body must be a non-empty array of operations",
        ),
        (
            "POST",
            "{}",
            "request body must be a non-empty array of operations",
        ),
        ("POST", "[1]", "operation at index 0 must be an object"),
        (
            "POST",
            r#"[{"op": "count"}]"#,
            "operation at index 0 is missing a valid \"model\" field",
        ),
        (
            "POST",
            r#"[{"model": "User"}]"#,
            "operation at index 0 is missing a valid \"op\" field",
        ),
        (
            "POST",
            r#"[{"model": "User", "op": "drop"}]"#,
            "operation at index 0 has invalid op: drop",
        ),
        (
            "POST",
            r#"[{"model": "Nope", "op": "count"}]"#,
            "operation at index 0 has unknown model: Nope",
        ),
        (
            "POST",
            r#"[{"model": "User", "op": "count", "args": [1]}]"#,
            "operation at index 0 has invalid \"args\" field",
        ),
    ];
    for (method, body, message) in cases {
        let (status, got) = s
            .send(
                method,
                "/api/model/$transaction/sequential",
                Some(body),
                None,
            )
            .await;
        assert_eq!(
            (status, got),
            (
                StatusCode::BAD_REQUEST,
                json!({"error": {"message": message}})
            ),
            "{body}"
        );
    }
}
