//! `POST /$transaction/sequential`: an array of `{model, op, args}` run in
//! order in one SQLite transaction. The first failure rolls everything back
//! and is the response; otherwise the response is the array of results.

use crate::response::{self, Failure};
use crate::rpc::{bad, find_model, strip_meta, writes};
use crate::superjson;
use crate::Shared;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use rusqlite::Connection;
use serde_json::{Map, Value as Json};
use std::sync::Arc;
use zgen_sema::ModelId;

/// The operations a transaction may contain: ZenStack's core operations,
/// plus the `OrThrow` reads zgen also serves.
const OPERATIONS: [&str; 18] = [
    "findMany",
    "findUnique",
    "findFirst",
    "create",
    "createMany",
    "createManyAndReturn",
    "update",
    "updateMany",
    "updateManyAndReturn",
    "upsert",
    "delete",
    "deleteMany",
    "count",
    "aggregate",
    "groupBy",
    "exists",
    "findUniqueOrThrow",
    "findFirstOrThrow",
];

struct Step {
    model: ModelId,
    name: String,
    op: String,
    args: Json,
}

pub(crate) async fn run(
    shared: &Arc<Shared>,
    method: &Method,
    kind: &str,
    body: Option<Json>,
    auth: Option<Json>,
) -> Result<Response, Failure> {
    if *method != Method::POST {
        return Err(bad("invalid request method, only POST is supported"));
    }
    if kind != "sequential" {
        return Err(bad(format!("unsupported transaction type: {kind}")));
    }
    let items = match body {
        Some(Json::Array(items)) if !items.is_empty() => items,
        _ => return Err(bad("request body must be a non-empty array of operations")),
    };
    let steps = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| step(shared, i, item))
        .collect::<Result<Vec<Step>, Failure>>()?;
    let write = steps.iter().any(|s| writes(&s.op));
    let engine = Arc::clone(&shared.engine);
    let plan: Vec<(ModelId, String, String, Json)> = steps
        .into_iter()
        .map(|s| (s.model, s.name, s.op, s.args))
        .collect();
    let models: Vec<ModelId> = plan.iter().map(|p| p.0).collect();
    let results = shared
        .run(write, move |conn| {
            let client = engine.client(conn, auth);
            let mut results = Vec::with_capacity(plan.len());
            for (_, name, op, args) in &plan {
                match client.run(name, op, args) {
                    Ok(r) => results.push(r),
                    Err(e) => {
                        rollback(conn);
                        return Err(Failure::Engine(e));
                    }
                }
            }
            conn.execute_batch("COMMIT")
                .map_err(|e| Failure::Engine(e.into()))?;
            Ok(results)
        })
        .await?;
    let mut values = Map::new();
    let mut out = Vec::with_capacity(results.len());
    for (i, (mut result, model)) in results.into_iter().zip(models).enumerate() {
        superjson::annotate(
            shared.engine.schema(),
            model,
            &mut result,
            &i.to_string(),
            &mut values,
        );
        out.push(result);
    }
    Ok(response::data(
        StatusCode::OK,
        Json::Array(out),
        superjson::serialization(values),
    ))
}

/// One item checked as ZenStack checks it, with its arguments decoded.
fn step(shared: &Shared, i: usize, item: Json) -> Result<Step, Failure> {
    let Json::Object(mut item) = item else {
        return Err(bad(format!("operation at index {i} must be an object")));
    };
    let model = match item.get("model") {
        Some(Json::String(m)) if !m.is_empty() => m.clone(),
        _ => {
            return Err(bad(format!(
                "operation at index {i} is missing a valid \"model\" field"
            )))
        }
    };
    let op = match item.get("op") {
        Some(Json::String(o)) if !o.is_empty() => o.clone(),
        _ => {
            return Err(bad(format!(
                "operation at index {i} is missing a valid \"op\" field"
            )))
        }
    };
    if !OPERATIONS.contains(&op.as_str()) {
        return Err(bad(format!("operation at index {i} has invalid op: {op}")));
    }
    let Some(model_id) = find_model(shared, &model) else {
        return Err(bad(format!(
            "operation at index {i} has unknown model: {model}"
        )));
    };
    let args = match item.remove("args") {
        None | Some(Json::Null) => Json::Object(Map::new()),
        Some(args @ Json::Object(_)) => args,
        Some(_) => {
            return Err(bad(format!(
                "operation at index {i} has invalid \"args\" field"
            )))
        }
    };
    let args = strip_meta(args).map_err(|e| match e {
        Failure::BadInput(m) => bad(format!("operation at index {i}: {m}")),
        other => other,
    })?;
    Ok(Step {
        model: model_id,
        name: shared.engine.schema().model(model_id).name.clone(),
        op,
        args,
    })
}

/// Undoes the whole transaction; if even that fails, the pool discards the
/// connection when it comes back still inside a transaction.
fn rollback(conn: &Connection) {
    if let Err(e) = conn.execute_batch("ROLLBACK") {
        tracing::error!(error = %e, "cannot roll back a transaction");
    }
}
