//! The RPC handler: `/{model}/{operation}`, checked in the order
//! `@zenstackhq/server` checks (path, operation and method, body or `q`,
//! SuperJSON, model), then run on a pooled connection.

use crate::response::{self, Failure};
use crate::superjson;
use crate::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{request::Parts, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use percent_encoding::percent_decode_str;
use rusqlite::Connection;
use serde_json::{Map, Value as Json};
use std::sync::{Arc, Mutex, PoisonError};
use zgen_sema::ModelId;

/// How an operation is called over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GET with `q`.
    Read,
    /// POST with a body; 201.
    Create,
    /// PUT or PATCH with a body.
    Update,
    /// DELETE with `q`.
    Delete,
}

/// The operations served, and how. The `OrThrow` reads are a zgen
/// addition (ZenStack's handler refuses them).
fn kind(op: &str) -> Option<Kind> {
    Some(match op {
        "findMany" | "findFirst" | "findUnique" | "aggregate" | "groupBy" | "count" | "exists"
        | "findFirstOrThrow" | "findUniqueOrThrow" => Kind::Read,
        "create" | "createMany" | "createManyAndReturn" | "upsert" => Kind::Create,
        "update" | "updateMany" | "updateManyAndReturn" => Kind::Update,
        "delete" | "deleteMany" => Kind::Delete,
        _ => return None,
    })
}

/// Whether an operation writes (and so takes the write lock up front).
pub(crate) fn writes(op: &str) -> bool {
    !matches!(kind(op), Some(Kind::Read) | None)
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    match serve(&shared, req).await {
        Ok(response) => response,
        Err(failure) => failure.into_response(),
    }
}

async fn serve(shared: &Arc<Shared>, req: Request) -> Result<Response, Failure> {
    let (parts, body) = req.into_parts();
    let auth = (shared.auth)(&parts)?;
    let segments: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let [model, op] = segments.as_slice() else {
        return Err(bad("invalid request path"));
    };
    if model == "$transaction" {
        let body = read_body(shared, &parts, body).await?;
        return crate::transaction::run(shared, &parts.method, op, body, auth).await;
    }
    let model = lower_first(model);
    let Some(kind) = kind(op) else {
        return Err(bad(format!("invalid operation: {op}")));
    };
    let method = &parts.method;
    let args = match kind {
        Kind::Create | Kind::Update => {
            let allowed = match kind {
                Kind::Create => *method == Method::POST,
                _ => *method == Method::PUT || *method == Method::PATCH,
            };
            if !allowed {
                return Err(bad(if kind == Kind::Create {
                    "invalid request method, only POST is supported"
                } else {
                    "invalid request method, only PUT or PATCH are supported"
                }));
            }
            match read_body(shared, &parts, body).await? {
                Some(args) if truthy(&args) => args,
                _ => return Err(bad("missing request body")),
            }
        }
        Kind::Read | Kind::Delete => {
            let (expected, name) = if kind == Kind::Read {
                (Method::GET, "GET")
            } else {
                (Method::DELETE, "DELETE")
            };
            if *method != expected {
                return Err(bad(format!(
                    "invalid request method, only {name} is supported"
                )));
            }
            query_args(&parts, kind)?
        }
    };
    let args = strip_meta(args)?;
    let Some(model_id) = find_model(shared, &model) else {
        return Err(bad(format!("unknown model name: {model}")));
    };
    let name = shared.engine.schema().model(model_id).name.clone();
    let op = op.clone();
    let write = writes(&op);
    let engine = Arc::clone(&shared.engine);
    let mut result = shared
        .run(write, move |conn| {
            let client = engine.client(conn, auth);
            let result = client.run(&name, &op, &args);
            commit(conn)?;
            Ok(result?)
        })
        .await?;
    let serialization = superjson::serialize(shared.engine.schema(), model_id, &mut result);
    let status = if kind == Kind::Create {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(response::data(status, result, serialization))
}

/// Ends the transaction a single operation ran in. The engine has already
/// undone a failed operation (its savepoint), and a `cannot-read-back`
/// error keeps its write, as in ZenStack, so the outcome is committed
/// either way.
fn commit(conn: &Connection) -> Result<(), Failure> {
    conn.execute_batch("COMMIT")
        .map_err(|e| Failure::Engine(e.into()))
}

/// `findMany` etc. take their arguments from `q` (JSON) and `meta`
/// (SuperJSON), as `unmarshalQ` reads them.
fn query_args(parts: &Parts, kind: Kind) -> Result<Json, Failure> {
    let query = parts.uri.query().unwrap_or("");
    let mut q = None;
    let mut meta = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "q" if q.is_none() => q = Some(value.into_owned()),
            "meta" if meta.is_none() => meta = Some(value.into_owned()),
            _ => {}
        }
    }
    let Some(q) = q.filter(|q| !q.is_empty()) else {
        return Ok(Json::Object(Map::new()));
    };
    let invalid_q = || bad("invalid \"q\" query parameter");
    let value: Json = serde_json::from_str(&q).map_err(|_| invalid_q())?;
    let Some(meta) = meta.filter(|m| !m.is_empty()) else {
        return Ok(value);
    };
    let meta: Json = serde_json::from_str(&meta).map_err(|_| {
        // ZenStack's read path reports any failure as a bad `q`.
        if kind == Kind::Read {
            invalid_q()
        } else {
            bad("invalid \"meta\" query parameter")
        }
    })?;
    match meta.get("serialization").filter(|s| truthy(s)) {
        Some(serialization) => superjson::deserialize(value, serialization).map_err(|e| {
            if kind == Kind::Read {
                invalid_q()
            } else {
                bad(e)
            }
        }),
        None => Ok(value),
    }
}

/// `{meta, ...rest}`: a top-level `meta` member is removed, and its
/// `serialization` applied to the rest.
pub(crate) fn strip_meta(args: Json) -> Result<Json, Failure> {
    let Json::Object(mut map) = args else {
        return Ok(args);
    };
    let Some(meta) = map.remove("meta") else {
        return Ok(Json::Object(map));
    };
    match meta.get("serialization").filter(|s| truthy(s)) {
        Some(serialization) => superjson::deserialize(Json::Object(map), serialization)
            .map_err(|e| bad(format!("failed to deserialize request payload: {e}"))),
        None => Ok(Json::Object(map)),
    }
}

/// The body as JSON; `None` when empty. Too large: 413; not JSON: 400.
pub(crate) async fn read_body(
    shared: &Shared,
    parts: &Parts,
    body: Body,
) -> Result<Option<Json>, Failure> {
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > shared.body_limit) {
        return Err(Failure::TooLarge);
    }
    let bytes = match Limited::new(body, shared.body_limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(Failure::TooLarge),
        Err(_) => return Err(bad("cannot read request body")),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| bad("invalid request body: not valid JSON"))
}

/// The declared model a URL names: ZenStack compares names with their
/// first letter lowered (`user` and `User` name `User`).
pub(crate) fn find_model(shared: &Shared, name: &str) -> Option<ModelId> {
    let wanted = lower_first(name);
    shared
        .engine
        .schema()
        .data_models()
        .find(|(_, m)| lower_first(&m.name) == wanted)
        .map(|(id, _)| id)
}

pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(_) | Json::Object(_) => true,
    }
}

pub(crate) fn bad(message: impl Into<String>) -> Failure {
    Failure::BadInput(message.into())
}

impl Shared {
    /// Runs `work` on a pooled connection inside a transaction (`BEGIN
    /// IMMEDIATE` for writes, so writers queue on the busy timeout instead
    /// of failing when they upgrade a read lock), on a blocking thread,
    /// bounded by the request timeout. On timeout the running statement is
    /// interrupted and the transaction rolled back.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        write: bool,
        work: impl FnOnce(&Connection) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        // The handle is present while the work runs; the worker clears it
        // before its connection goes back to the pool, so an interrupt can
        // never reach another request's statement.
        let running: Arc<Mutex<Option<rusqlite::InterruptHandle>>> = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&running);
        let pool = self.pool.clone();
        let job = async move {
            let pooled = pool
                .get()
                .await
                .map_err(|e| Failure::Internal(format!("cannot open a connection: {e}")))?;
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = pooled.interrupt_handle();
            tokio::task::spawn_blocking(move || {
                let out = match pooled.conn() {
                    Some(conn) => conn
                        .execute_batch(if write { "BEGIN IMMEDIATE" } else { "BEGIN" })
                        .map_err(|e| Failure::Engine(e.into()))
                        .and_then(|()| work(conn)),
                    None => Err(Failure::Internal("connection already returned".into())),
                };
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
                drop(pooled);
                out
            })
            .await
            .map_err(|e| Failure::Internal(format!("request worker failed: {e}")))?
        };
        match tokio::time::timeout(self.timeout, job).await {
            Ok(out) => out,
            Err(_) => {
                if let Some(handle) = running
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_ref()
                {
                    handle.interrupt();
                }
                Err(Failure::TimedOut)
            }
        }
    }
}
