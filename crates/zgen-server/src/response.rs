//! Response bodies and statuses, as `@zenstackhq/server`'s RPC handler
//! writes them (spec P-193):
//!
//! | failure | status | `error` body |
//! |---|---|---|
//! | bad request (path, method, JSON, model, operation) | 400 | `{message}` |
//! | `not-found` | 404 | `{message, reason, model}` |
//! | `invalid-input` | 422 | `{message, reason, model, rejectedByValidation: true}` |
//! | `rejected-by-policy` | 403 | `{message, reason, model, rejectedByPolicy: true, rejectReason}` |
//! | `db-query-error` | 400 | `{message, reason, dbErrorCode}` |
//! | `not-supported` | 400 | `{message, reason}` |
//! | anything else | 500 | `{message: "internal server error"}` |
//!
//! zgen adds 401 (token refused), 413 (body too large) and 503 (timed
//! out). Internal details (SQL, driver messages other than constraint
//! violations, panics) are logged, never sent.

use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value as Json};
use zgen_runtime::{Error as EngineError, Reason};

/// A request whose credentials were refused: 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unauthorized {
    message: String,
}

impl Unauthorized {
    pub fn new(message: impl Into<String>) -> Unauthorized {
        Unauthorized {
            message: message.into(),
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut response = body(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"message": self.message}}),
        );
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        response
    }
}

/// Why a request failed.
#[derive(Debug)]
pub enum Failure {
    /// 400 `{error: {message}}`.
    BadInput(String),
    /// The engine's error, mapped by reason.
    Engine(EngineError),
    Unauthorized(Unauthorized),
    TooLarge,
    TimedOut,
    /// 500; the detail is logged only.
    Internal(String),
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Failure {
        Failure::Engine(e)
    }
}

impl From<Unauthorized> for Failure {
    fn from(e: Unauthorized) -> Failure {
        Failure::Unauthorized(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let message = |m: &str| json!({"error": {"message": m}});
        match self {
            Failure::BadInput(m) => body(StatusCode::BAD_REQUEST, message(&m)),
            Failure::Engine(e) => engine_error(e),
            Failure::Unauthorized(u) => u.into_response(),
            Failure::TooLarge => body(
                StatusCode::PAYLOAD_TOO_LARGE,
                message("request body is too large"),
            ),
            Failure::TimedOut => body(
                StatusCode::SERVICE_UNAVAILABLE,
                message("request timed out"),
            ),
            Failure::Internal(detail) => {
                tracing::error!(detail = %detail, "internal error");
                body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    message("internal server error"),
                )
            }
        }
    }
}

fn engine_error(e: EngineError) -> Response {
    let mut error = Map::new();
    let mut message = e.message.clone();
    let status = match e.reason {
        Reason::NotFound => StatusCode::NOT_FOUND,
        Reason::InvalidInput => {
            error.insert("rejectedByValidation".into(), Json::Bool(true));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Reason::RejectedByPolicy(sub) => {
            error.insert("rejectedByPolicy".into(), Json::Bool(true));
            error.insert("rejectReason".into(), Json::from(sub.as_str()));
            StatusCode::FORBIDDEN
        }
        Reason::DbQueryError => {
            let code = e.db_error.as_ref().map(|d| d.code.clone());
            message = db_message(&e);
            error.insert("dbErrorCode".into(), code.map_or(Json::Null, Json::String));
            StatusCode::BAD_REQUEST
        }
        Reason::NotSupported => StatusCode::BAD_REQUEST,
    };
    // ZenStack names the model for all but database errors.
    if e.reason != Reason::DbQueryError {
        if let Some(model) = &e.model {
            error.insert("model".into(), Json::String(model.clone()));
        }
    }
    error.insert("reason".into(), Json::from(e.reason.as_str()));
    error.insert("message".into(), Json::String(message));
    body(status, json!({ "error": sort(error) }))
}

/// The message of a database error. Constraint violations name the table
/// and columns (`SqliteError: UNIQUE constraint failed: User.email`, as
/// ZenStack words it), which the client
/// needs; any other driver message may carry SQL or paths, so it is logged
/// and replaced.
fn db_message(e: &EngineError) -> String {
    match &e.db_error {
        Some(db) if db.code.starts_with("SQLITE_CONSTRAINT") => {
            // better-sqlite3's error class, as ZenStack's message has it.
            format!("Failed to execute query: SqliteError: {}", db.message)
        }
        Some(db) if db.code == "SQLITE_BUSY" || db.code == "SQLITE_LOCKED" => {
            "Failed to execute query: database is busy".to_string()
        }
        _ => {
            tracing::error!(error = %e, "database error");
            "Failed to execute query".to_string()
        }
    }
}

/// `message` first, then the rest in ZenStack's order.
fn sort(map: Map<String, Json>) -> Map<String, Json> {
    const ORDER: [&str; 7] = [
        "message",
        "reason",
        "rejectedByValidation",
        "rejectedByPolicy",
        "model",
        "rejectReason",
        "dbErrorCode",
    ];
    let mut out = Map::new();
    for key in ORDER {
        if let Some(v) = map.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    out
}

/// A successful result: `{data, meta?: {serialization}}`.
pub fn data(status: StatusCode, data: Json, serialization: Option<Json>) -> Response {
    let mut out = Map::new();
    out.insert("data".into(), data);
    if let Some(s) = serialization {
        out.insert("meta".into(), json!({ "serialization": s }));
    }
    body(status, Json::Object(out))
}

/// A JSON response.
pub fn body(status: StatusCode, value: Json) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
