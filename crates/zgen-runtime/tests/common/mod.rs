//! A real in-memory SQLite database per test, with the schema's tables.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rusqlite::Connection;
use serde_json::Value as Json;
use zgen_runtime::{Engine, Error, Reason};

pub struct Db {
    pub engine: Engine,
    pub conn: Connection,
}

impl Db {
    pub fn new(schema: &str) -> Db {
        let engine = Engine::from_source(schema).unwrap_or_else(|e| panic!("schema: {e}"));
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .expect("pragma");
        for stmt in zgen_policy::ddl::create_statements(engine.schema()) {
            conn.execute_batch(&stmt)
                .unwrap_or_else(|e| panic!("{e}: {stmt}"));
        }
        Db { engine, conn }
    }

    /// Runs as `auth` (`None`: anonymous).
    pub fn run(
        &self,
        auth: Option<Json>,
        model: &str,
        op: &str,
        args: Json,
    ) -> Result<Json, Error> {
        self.engine.client(&self.conn, auth).run(model, op, &args)
    }

    /// Runs and expects success.
    pub fn ok(&self, auth: Option<Json>, model: &str, op: &str, args: Json) -> Json {
        self.run(auth, model, op, args)
            .unwrap_or_else(|e| panic!("{model}.{op}: {e}"))
    }

    /// Plain SQL, bypassing the engine (what is really in the table).
    pub fn raw_count(&self, table: &str) -> i64 {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })
            .expect("count")
    }

    pub fn raw(&self, sql: &str) {
        self.conn
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
}

pub fn reason(r: Result<Json, Error>) -> String {
    match r {
        Ok(v) => format!("ok {v}"),
        Err(e) => match e.reason {
            Reason::RejectedByPolicy(sub) => format!("rejected-by-policy/{}", sub.as_str()),
            other => other.as_str().to_string(),
        },
    }
}

/// The `id`s of a list of rows, in order.
pub fn ids(rows: &Json) -> Vec<i64> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

pub const NO_ACCESS: &str = "rejected-by-policy/no-access";
pub const CANNOT_READ_BACK: &str = "rejected-by-policy/cannot-read-back";
