//! `zgen serve`: the schema compiled at start-up, ZenStack's RPC API over
//! HTTP on a pool of SQLite connections, until SIGTERM or SIGINT.

mod auth;

use super::db::{database_path, sync};
use super::{CliError, SchemaSource, Verdict};
use crate::cli::ServeArgs;
use crate::files;
use std::sync::Arc;
use std::time::Duration;
use zgen_server::{Api, Pool};

pub fn run(args: &ServeArgs, color: bool) -> Result<Verdict, CliError> {
    let path = database_path(&args.db)?;
    let prefix = prefix(&args.prefix)?;
    let (verifier, auth_note) = auth::verifier(args)?;
    let given: Vec<_> = args.file.iter().cloned().collect();
    let schema_path = files::schema_paths(&given)?;
    let Some(schema_path) = schema_path.first() else {
        return Err(CliError::new("no schema file"));
    };
    let Some(schema) = SchemaSource::read(schema_path)?.check(color) else {
        return Ok(Verdict::Failed);
    };
    if args.push {
        if sync(&schema, path, false)? == Verdict::Failed {
            return Ok(Verdict::Failed);
        }
    } else if !std::path::Path::new(path).exists() {
        // A typo in the path should not serve an empty new database.
        return Err(CliError::new(format!(
            "database `{path}` does not exist; create it with `zgen db push` or pass --push"
        )));
    }
    let pool = Pool::open(path, args.pool_size)
        .map_err(|e| CliError::new(format!("cannot use database `{path}`: {e}")))?;
    let mut api = Api::new(Arc::new(zgen_runtime::Engine::new(schema)), pool)
        .body_limit(args.body_limit)
        .timeout(Duration::from_secs(args.timeout));
    if let Some(verifier) = verifier {
        api = api.jwt(verifier);
    }
    let app = match prefix.as_str() {
        "" => api.health_router().merge(api.router()),
        p => api.health_router().nest(p, api.router()),
    };

    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(color)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the server: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| CliError::new(format!("cannot listen on `{}`: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::new(e.to_string()))?;
        eprintln!("auth: {auth_note}");
        eprintln!("listening on http://{addr}{prefix}");
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| CliError::new(format!("server failed: {e}")))
    })?;
    eprintln!("stopped");
    Ok(Verdict::Clean)
}

/// `/api/model` as given, `/api/model/` and `api/model` alike; `/` alone is
/// the root.
fn prefix(given: &str) -> Result<String, CliError> {
    let trimmed = given.trim_matches('/');
    if trimmed.contains(['?', '#', '{', '}', '*']) {
        return Err(CliError::new(format!("invalid --prefix `{given}`")));
    }
    Ok(if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM; the server then stops accepting
/// connections and finishes the requests in flight.
async fn shutdown_signal() {
    let interrupt = async {
        // Without a handler, waiting on SIGTERM alone is still right.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    eprintln!("shutting down: finishing requests in flight");
}
