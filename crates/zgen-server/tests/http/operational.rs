//! Limits, timeouts, health and concurrency.

use crate::common::{token_for, Server};
use axum::http::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn oversized_bodies_are_413() {
    let s = Server::with(|api| api.body_limit(1024));
    let big = "x".repeat(2000);
    let (status, body) = s
        .write("POST", "user/create", json!({"data": {"email": big}}), None)
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": {"message": "request body is too large"}})
        )
    );
    // Also when the length is not declared up front (streamed body).
    let chunks = futures_stream(big);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/model/user/create")
        .body(axum::body::Body::from_stream(chunks))
        .unwrap();
    let res = tower::ServiceExt::oneshot(s.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.count("User"), 0);
}

fn futures_stream(
    text: String,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = text
        .into_bytes()
        .chunks(100)
        .map(|c| Ok(c.to_vec()))
        .collect();
    tokio_stream::iter(chunks)
}

#[tokio::test]
async fn a_request_over_its_time_is_503_and_the_server_goes_on() {
    let s = Server::with(|api| api.timeout(Duration::from_millis(300)));
    // Another process holds the write lock, so the create waits (busy
    // timeout) past the request's time.
    let lock = rusqlite::Connection::open(&s.db).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (status, body) = s
        .write(
            "POST",
            "user/create",
            json!({"data": {"email": "late@example.com"}}),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": {"message": "request timed out"}})
        )
    );
    lock.execute_batch("ROLLBACK").unwrap();
    let (status, body) = s.send("GET", "/api/model/user/count", None, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"data": 0})));
    assert_eq!(s.count("User"), 0);
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let s = Server::new();
    let (status, body) = s.send("GET", "/health", None, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_and_reads_all_succeed() {
    let s = std::sync::Arc::new(Server::new());
    s.seed().await;
    let mut tasks = Vec::new();
    for i in 0..48 {
        let s = std::sync::Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let user = 1 + (i % 2);
            let token = token_for(user);
            if i % 3 == 0 {
                let (status, body) = s
                    .get(
                        "post/findMany",
                        json!({"select": {"authorId": true, "published": true}}),
                        Some(&token),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK);
                // Never someone else's draft.
                for row in body["data"].as_array().unwrap() {
                    assert!(
                        row["published"] == json!(true) || row["authorId"] == json!(user),
                        "{row}"
                    );
                }
            } else {
                let (status, body) = s
                    .write(
                        "POST",
                        "post/create",
                        json!({"data": {"title": format!("p{i}"), "authorId": user}}),
                        Some(&token),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(s.count("Post"), 3 + 32);
}
