//! The service end to end: tokens, rules, status codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum_blog::{db, router, token, AppState};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const SECRET: &[u8] = b"test secret";

fn app() -> (axum::Router, Vec<String>) {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    db::create_tables(&conn).unwrap();
    let anonymous = db::client(&conn).unwrap();
    let tokens = ["alice@example.com", "bob@example.com"]
        .iter()
        .map(|email| {
            let user = anonymous
                .user()
                .create(db::UserCreate::new().email(*email))
                .exec()
                .unwrap();
            token(SECRET, &user).unwrap()
        })
        .collect();
    let state = AppState {
        db: db::AsyncClient::new(vec![conn]).unwrap(),
        secret: Arc::new(SECRET.to_vec()),
    };
    (router(state), tokens)
}

async fn call(
    app: &axum::Router,
    token: Option<&str>,
    method: &str,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let auth = token.map(|t| ("authorization", format!("Bearer {t}")));
    request(app, method, "/posts", auth, body).await
}

/// One request with an optional header and JSON body; the JSON answer
/// (`null` when there is none).
async fn request(
    app: &axum::Router,
    method: &str,
    uri: &str,
    header: Option<(&str, String)>,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn drafts_are_visible_to_their_author_only() {
    let (app, tokens) = app();
    let (alice, bob) = (tokens[0].as_str(), tokens[1].as_str());
    let (status, _) = call(&app, Some(alice), "POST", Some(r#"{"title":"draft"}"#)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, _) = call(
        &app,
        Some(alice),
        "POST",
        Some(r#"{"title":"out","published":true}"#),
    )
    .await;
    let (_, mine) = call(&app, Some(alice), "GET", None).await;
    assert_eq!(mine.as_array().unwrap().len(), 2);
    let (_, theirs) = call(&app, Some(bob), "GET", None).await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    let (_, anon) = call(&app, None, "GET", None).await;
    assert_eq!(anon[0]["title"], "out");
}

#[tokio::test]
async fn anonymous_writes_and_bad_tokens_are_unauthorized() {
    let (app, _) = app();
    let (status, body) = call(&app, None, "POST", Some(r#"{"title":"x"}"#)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = call(&app, Some("not.a.token"), "GET", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let forged = token(
        b"another secret",
        &db::User {
            id: 1,
            email: "alice@example.com".into(),
            name: None,
            posts: None,
            relation_counts: None,
        },
    )
    .unwrap();
    let (status, _) = call(&app, Some(&forged), "GET", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The generated `api()`: ZenStack's RPC protocol over the same baked rules,
/// mounted under a prefix, with the auth value from the caller's function.
#[tokio::test]
async fn generated_rpc_api_applies_the_baked_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blog.db");
    {
        let conn = zgen_client::rusqlite::Connection::open(&path).unwrap();
        db::create_tables(&conn).unwrap();
    }
    let pool = zgen_client::zgen_server::Pool::open(&path, 2).unwrap();
    // a test stand-in for token verification: `x-user: ID` signs in as ID
    let api = db::api(pool).unwrap().auth(|parts| {
        Ok(parts
            .headers
            .get("x-user")
            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok())
            .map(|id| serde_json::json!({ "id": id })))
    });
    let app = axum::Router::new().nest("/api/model", api.router());
    let send = |method: &'static str, uri: &'static str, user: Option<&str>, body| {
        let header = user.map(|u| ("x-user", u.to_string()));
        request(&app, method, uri, header, body)
    };
    let (status, _) = send(
        "POST",
        "/api/model/user/create",
        None,
        Some(r#"{"data":{"id":1,"email":"a@x.io"}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let draft = r#"{"data":{"title":"draft","authorId":1}}"#;
    // anonymous may not post as user 1
    let (status, body) = send("POST", "/api/model/post/create", None, Some(draft)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["rejectedByPolicy"], true);
    let (status, _) = send("POST", "/api/model/post/create", Some("1"), Some(draft)).await;
    assert_eq!(status, StatusCode::CREATED);
    // the draft is the author's alone
    let (_, body) = send("GET", "/api/model/post/findMany", None, None).await;
    assert_eq!(body["data"], serde_json::json!([]));
    let (_, body) = send("GET", "/api/model/post/findMany", Some("1"), None).await;
    assert_eq!(body["data"][0]["title"], "draft");
}
