//! ZenStack's RPC protocol over HTTP, served by the zgen engine.
//!
//! ```text
//! request ──auth fn──► auth value ──rpc──► model, operation, args (SuperJSON decoded)
//!         ──pool + blocking thread──► Engine client, one SQLite transaction
//!         ──superjson──► {data, meta: {serialization}} or {error: {...}}
//! ```
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let engine = Arc::new(zgen_runtime::Engine::from_source(&std::fs::read_to_string("schema.zmodel")?)?);
//! let pool = zgen_server::Pool::open("app.db", 8)?;
//! let verifier = zgen_server::JwtVerifier::hs256(b"secret");
//! let api = zgen_server::Api::new(engine, pool).auth(move |parts| verifier.authenticate(parts));
//! let app = axum::Router::new().nest("/api/model", api.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! The router serves `/{model}/{operation}` relative to where it is mounted;
//! `Api::health_router` serves `GET /health`. See `docs/server.md`.

mod jwt;
mod pool;
mod response;
mod rpc;
pub mod superjson;
mod transaction;

pub use jwt::{bearer_token, JwtVerifier, DEFAULT_LEEWAY_SECS};
pub use pool::{Pool, Pooled, DEFAULT_BUSY_TIMEOUT};
pub use response::Unauthorized;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::TraceLayer;
use tracing::Span;
use zgen_runtime::Engine;

/// Turns a request into its auth value: `Ok(None)` is anonymous, `Err` is
/// a 401.
pub type AuthFn = Arc<dyn Fn(&Parts) -> Result<Option<Json>, Unauthorized> + Send + Sync>;

/// Bodies larger than this are refused with 413 unless configured.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Requests taking longer are answered with 503 and their statement
/// interrupted, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) engine: Arc<Engine>,
    pub(crate) pool: Pool,
    pub(crate) auth: AuthFn,
    pub(crate) body_limit: usize,
    pub(crate) timeout: Duration,
}

/// The RPC API of one engine over one database.
#[derive(Clone)]
pub struct Api {
    engine: Arc<Engine>,
    pool: Pool,
    auth: AuthFn,
    body_limit: usize,
    timeout: Duration,
}

impl Api {
    /// An API where every request is anonymous; a request that carries an
    /// `Authorization` header is refused (401), since nothing can verify it.
    pub fn new(engine: Arc<Engine>, pool: Pool) -> Api {
        Api {
            engine,
            pool,
            auth: Arc::new(|parts: &Parts| match bearer_token(parts)? {
                None => Ok(None),
                Some(_) => Err(Unauthorized::new("this server accepts no tokens")),
            }),
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// How a request's auth value is found.
    pub fn auth(
        mut self,
        f: impl Fn(&Parts) -> Result<Option<Json>, Unauthorized> + Send + Sync + 'static,
    ) -> Api {
        self.auth = Arc::new(f);
        self
    }

    /// Bearer tokens verified by `verifier` become `auth()`.
    pub fn jwt(self, verifier: JwtVerifier) -> Api {
        self.auth(move |parts| verifier.authenticate(parts))
    }

    pub fn body_limit(mut self, bytes: usize) -> Api {
        self.body_limit = bytes;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Api {
        self.timeout = timeout;
        self
    }

    fn shared(&self) -> Arc<Shared> {
        Arc::new(Shared {
            engine: Arc::clone(&self.engine),
            pool: self.pool.clone(),
            auth: Arc::clone(&self.auth),
            body_limit: self.body_limit,
            timeout: self.timeout,
        })
    }

    /// The RPC routes, to mount anywhere (`Router::nest("/api/model", …)`),
    /// with request logging.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/{*path}", any(rpc::handle))
            .fallback(rpc::handle)
            .with_state(self.shared())
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_request(())
                    .on_response(log_response),
            )
    }

    /// `GET /health`: 200 `{"status":"ok"}` when the database answers, 503
    /// otherwise.
    pub fn health_router(&self) -> Router {
        Router::new()
            .route("/health", get(health))
            .with_state(self.shared())
    }
}

/// The RPC router of `engine` over `pool`, with `auth` finding each
/// request's auth value.
pub fn router(
    engine: Arc<Engine>,
    pool: Pool,
    auth: impl Fn(&Parts) -> Result<Option<Json>, Unauthorized> + Send + Sync + 'static,
) -> Router {
    Api::new(engine, pool).auth(auth).router()
}

async fn health(axum::extract::State(shared): axum::extract::State<Arc<Shared>>) -> Response {
    let answer = shared
        .run(false, |conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))
                .and_then(|()| conn.execute_batch("COMMIT"))
                .map_err(|e| response::Failure::Internal(e.to_string()))
        })
        .await;
    match answer {
        Ok(()) => response::body(StatusCode::OK, json!({"status": "ok"})),
        Err(_) => response::body(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "unavailable"}),
        ),
    }
}

/// One span per request with its method and path (never the query, which
/// carries the arguments, nor any header).
fn request_span(req: &Request<Body>) -> Span {
    // Mounted under a prefix, the router sees the rest of the path; the log
    // shows the path the client asked for.
    let uri = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or(req.uri(), |o| &o.0);
    tracing::info_span!("request", method = %req.method(), path = %uri.path())
}

/// One event per response with its status and latency.
fn log_response(res: &Response, latency: Duration, _: &Span) {
    tracing::info!(
        status = res.status().as_u16(),
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        "response"
    );
}
