//! A served API over a real SQLite file per test, called in-process
//! through the router (`tower::ServiceExt::oneshot`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower::ServiceExt;
use zgen_runtime::Engine;
use zgen_server::{Api, JwtVerifier, Pool};

pub const SECRET: &[u8] = b"test-secret-of-enough-length-0123456789";

/// Users, posts with every SuperJSON-typed column, and rules; a delegate
/// base whose sub-model has typed columns of its own.
pub const SCHEMA: &str = r#"
datasource db {
  provider = "sqlite"
  url      = "file:./app.db"
}
model User {
  id    Int    @id @default(autoincrement())
  email String @unique @email
  name  String?
  posts Post[]
  @@allow('create', true)
  @@allow('read', auth() != null)
  @@allow('update,delete', auth().id == id)
}

model Post {
  id        Int      @id @default(autoincrement())
  title     String   @length(1, 100)
  published Boolean  @default(false)
  author    User?    @relation(fields: [authorId], references: [id])
  authorId  Int?
  createdAt DateTime @default(now())
  views     BigInt   @default(0)
  price     Decimal  @default(0)
  blob      Bytes?
  @@allow('read', published || auth().id == authorId)
  @@allow('create', auth() != null && auth().id == authorId)
  @@allow('update,delete', auth().id == authorId)
}

model Asset {
  id   Int      @id @default(autoincrement())
  kind String
  at   DateTime @default(now())
  @@delegate(kind)
  @@allow('all', true)
}

model Photo extends Asset {
  size  BigInt
  price Decimal
  raw   Bytes?
  taken DateTime
}
"#;

pub struct Server {
    pub dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub app: Router,
}

impl Server {
    /// A server verifying HS256 tokens signed with `SECRET`.
    pub fn new() -> Server {
        Server::with(|api| api.jwt(JwtVerifier::hs256(SECRET)))
    }

    /// A server whose `Api` (anonymous only, until `f` sets auth) is
    /// adjusted by `f`.
    pub fn with(f: impl FnOnce(Api) -> Api) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("app.db");
        let engine = Arc::new(Engine::from_source(SCHEMA).unwrap_or_else(|e| panic!("{e}")));
        let conn = rusqlite::Connection::open(&db).expect("open");
        for stmt in zgen_policy::ddl::create_statements(engine.schema()) {
            conn.execute_batch(&stmt).expect("ddl");
        }
        drop(conn);
        let pool = Pool::open(&db, 4).expect("pool");
        let api = f(Api::new(engine, pool));
        let app = Router::new()
            .merge(api.health_router())
            .nest("/api/model", api.router());
        Server { dir, db, app }
    }

    /// Sends a request; `token` becomes a bearer token.
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        body: Option<&str>,
        token: Option<&str>,
    ) -> (StatusCode, Json) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
        (status, json)
    }

    /// GET `/api/model/{path}` with `q` = `args`.
    pub async fn get(&self, path: &str, args: Json, token: Option<&str>) -> (StatusCode, Json) {
        let uri = format!("/api/model/{path}?q={}", encode_q(&args.to_string()));
        self.send("GET", &uri, None, token).await
    }

    /// `method` `/api/model/{path}` with `body`.
    pub async fn write(
        &self,
        method: &str,
        path: &str,
        body: Json,
        token: Option<&str>,
    ) -> (StatusCode, Json) {
        let uri = format!("/api/model/{path}");
        self.send(method, &uri, Some(&body.to_string()), token)
            .await
    }

    /// DELETE `/api/model/{path}` with `q` = `args`.
    pub async fn delete(&self, path: &str, args: Json, token: Option<&str>) -> (StatusCode, Json) {
        let uri = format!("/api/model/{path}?q={}", encode_q(&args.to_string()));
        self.send("DELETE", &uri, None, token).await
    }

    /// Rows of `table`, read directly, bypassing every rule.
    pub fn count(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        conn.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })
        .expect("count")
    }

    /// The rows of `seed`, written directly (for servers whose tokens the
    /// helpers cannot sign).
    pub fn seed_direct(&self) {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        conn.execute_batch(
            "INSERT INTO \"User\" (id, email, name) VALUES (1, 'alice@example.com', 'Alice'), (2, 'bob@example.com', 'Bob');
             INSERT INTO \"Post\" (id, title, published, authorId, createdAt, views, price)
             VALUES (1, 'Hello', 1, 1, '2024-01-01T00:00:00.000Z', 0, '0'),
                    (2, 'Draft', 0, 1, '2024-01-01T00:00:00.000Z', 0, '0'),
                    (3, 'Bob''s draft', 0, 2, '2024-01-01T00:00:00.000Z', 0, '0');",
        )
        .expect("seed");
    }

    /// Seeds users 1 (alice) and 2 (bob), and posts: 1 by alice published,
    /// 2 by alice draft, 3 by bob draft.
    pub async fn seed(&self) {
        // Signed in, so the new user can be read back.
        let someone = token_for(99);
        for (email, name) in [("alice@example.com", "Alice"), ("bob@example.com", "Bob")] {
            let (s, _) = self
                .write(
                    "POST",
                    "user/create",
                    json!({"data": {"email": email, "name": name}}),
                    Some(&someone),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED);
        }
        let alice = token_for(1);
        let bob = token_for(2);
        for (title, published, author, token) in [
            ("Hello", true, 1, &alice),
            ("Draft", false, 1, &alice),
            ("Bob's draft", false, 2, &bob),
        ] {
            let (s, body) = self
                .write(
                    "POST",
                    "post/create",
                    json!({"data": {"title": title, "published": published, "authorId": author}}),
                    Some(token),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }
    }
}

pub fn encode_q(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// A valid HS256 token for user `id`, for an hour.
pub fn token_for(id: i64) -> String {
    sign(Algorithm::HS256, &json!({"id": id, "exp": now() + 3600}))
}

/// `claims` signed with `SECRET` under `alg` (an HMAC algorithm).
pub fn sign(alg: Algorithm, claims: &Json) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(SECRET)).expect("sign")
}

/// ZenStack's 404 body for `model`.
pub fn not_found(model: &str) -> Json {
    json!({"error": {"message": "Record not found", "reason": "not-found", "model": model}})
}
