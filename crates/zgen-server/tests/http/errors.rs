//! Every error status with ZenStack's body shape; nothing internal leaks.

use crate::common::{encode_q, not_found, token_for, Server};
use axum::http::StatusCode;
use serde_json::{json, Value as Json};

fn message(text: &str) -> Json {
    json!({"error": {"message": text}})
}

#[tokio::test]
async fn bad_requests_are_400_with_a_message() {
    let s = Server::new();
    let cases: [(&str, &str, Option<&str>, &str); 14] = [
        ("GET", "/api/model/user", None, "invalid request path"),
        ("GET", "/api/model/a/b/c", None, "invalid request path"),
        (
            "GET",
            "/api/model/user/explode",
            None,
            "invalid operation: explode",
        ),
        (
            "GET",
            "/api/model/user/findManyOr",
            None,
            "invalid operation: findManyOr",
        ),
        (
            "POST",
            "/api/model/user/findMany",
            Some("{}"),
            "invalid request method, only GET is supported",
        ),
        (
            "GET",
            "/api/model/user/create",
            None,
            "invalid request method, only POST is supported",
        ),
        (
            "POST",
            "/api/model/user/update",
            Some("{}"),
            "invalid request method, only PUT or PATCH are supported",
        ),
        (
            "GET",
            "/api/model/user/delete",
            None,
            "invalid request method, only DELETE is supported",
        ),
        (
            "POST",
            "/api/model/user/create",
            None,
            "missing request body",
        ),
        (
            "POST",
            "/api/model/user/create",
            Some("null"),
            "missing request body",
        ),
        (
            "POST",
            "/api/model/user/create",
            Some("{\"data\":"),
            "invalid request body: not valid JSON",
        ),
        (
            "GET",
            "/api/model/user/findMany?q=%7Bnope",
            None,
            "invalid \"q\" query parameter",
        ),
        (
            "GET",
            "/api/model/nobody/findMany",
            None,
            "unknown model name: nobody",
        ),
        (
            "POST",
            "/api/model/$transaction/parallel",
            Some("[]"),
            "unsupported transaction type: parallel",
        ),
    ];
    for (method, uri, body, expected) in cases {
        let (status, got) = s.send(method, uri, body, None).await;
        assert_eq!(
            (status, got),
            (StatusCode::BAD_REQUEST, message(expected)),
            "{method} {uri}"
        );
    }
    let (status, got) = s
        .send(
            "DELETE",
            "/api/model/user/deleteMany?q=%7B%7D&meta=nope",
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, got),
        (
            StatusCode::BAD_REQUEST,
            message("invalid \"meta\" query parameter")
        )
    );
}

#[tokio::test]
async fn policy_rejection_is_403_with_reason_and_model() {
    let s = Server::new();
    s.seed().await;
    // Anonymous create of a post: the create rule says no.
    let (status, body) = s
        .write("POST", "post/create", json!({"data": {"title": "x"}}), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"error": {"message": "operation is rejected by access policies", "reason": "rejected-by-policy",
            "model": "Post", "rejectedByPolicy": true, "rejectReason": "no-access"}})
    );
    // A user can be created by anyone but read by no anonymous client.
    let (status, body) = s
        .write(
            "POST",
            "user/create",
            json!({"data": {"email": "c@example.com"}}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["rejectReason"], json!("cannot-read-back"));
    assert_eq!(
        s.count("User"),
        3,
        "cannot-read-back keeps the write, as ZenStack does"
    );
}

#[tokio::test]
async fn missing_targets_are_404() {
    let s = Server::new();
    s.seed().await;
    // Bob's draft does not exist for Alice's update.
    let (status, body) = s
        .write(
            "PUT",
            "post/update",
            json!({"where": {"id": 3}, "data": {"title": "mine"}}),
            Some(&token_for(1)),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, not_found("Post"));
}

#[tokio::test]
async fn invalid_input_is_422_rejected_by_validation() {
    let s = Server::new();
    let (status, body) = s
        .write(
            "POST",
            "user/create",
            json!({"data": {"email": "not an email"}}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["reason"], json!("invalid-input"));
    assert_eq!(body["error"]["rejectedByValidation"], json!(true));
    assert_eq!(body["error"]["model"], json!("User"));
    // Unknown arguments are invalid input too, never ignored.
    let (status, body) = s
        .get(
            "user/findMany",
            json!({"whereever": {}}),
            Some(&token_for(1)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn database_errors_are_400_with_the_code_and_no_sql() {
    let s = Server::new();
    s.seed().await;
    let (status, body) = s
        .write(
            "POST",
            "user/create",
            json!({"data": {"email": "alice@example.com"}}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["reason"], json!("db-query-error"));
    assert_eq!(
        body["error"]["dbErrorCode"],
        json!("SQLITE_CONSTRAINT_UNIQUE")
    );
    let text = body.to_string();
    for leak in ["SELECT", "INSERT", "\"t0\"", "VALUES"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[tokio::test]
async fn a_missing_table_is_a_database_error_without_detail() {
    let s = Server::new();
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.execute_batch("DROP TABLE \"Post\"").unwrap();
    let (status, body) = s.get("post/findMany", json!({}), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": {"message": "Failed to execute query", "reason": "db-query-error", "dbErrorCode": "SQLITE_ERROR"}})
    );
}

#[tokio::test]
async fn hostile_strings_are_data() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    let hostile = [
        "'; DROP TABLE \"Post\"; --",
        "\" OR 1=1 --",
        "Robert'); DELETE FROM \"User\" WHERE ('1'='1",
        "nul\u{0}byte",
        "emoji 🦀 and RTL \u{202e}",
        "%27%20OR%201%3D1",
        "<script>alert(1)</script>",
    ];
    for title in hostile {
        let (status, body) = s
            .write(
                "POST",
                "post/create",
                json!({"data": {"title": title, "authorId": 1}, "select": {"title": true}}),
                Some(&alice),
            )
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::CREATED, json!({"data": {"title": title}}))
        );
        let (_, found) = s
            .get(
                "post/findMany",
                json!({"where": {"title": title}, "select": {"title": true}}),
                Some(&alice),
            )
            .await;
        assert_eq!(found, json!({"data": [{"title": title}]}));
    }
    assert_eq!(s.count("User"), 2);
    assert_eq!(s.count("Post"), 3 + hostile.len() as i64);
    // Hostile model and operation names are plain 400s.
    for path in [
        "%22User%22%3B/findMany",
        "user/findMany%00",
        "..%2F..%2Fetc/passwd",
    ] {
        let (status, _) = s
            .send("GET", &format!("/api/model/{path}"), None, None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }
    // A filter value that looks like an operator is a value.
    let (status, body) = s
        .send(
            "GET",
            &format!(
                "/api/model/post/findMany?q={}",
                encode_q(r#"{"where":{"title":{"equals":"' OR '1'='1"}}}"#)
            ),
            None,
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"data": []})));
}
