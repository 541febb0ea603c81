//! The synchronous client: one connection and one auth value.

use serde_json::Value as Json;
use std::cell::{Cell, OnceCell};
use zgen_runtime::Engine;

/// Runs typed operations for one auth value over one borrowed connection.
/// Generated `Client` types wrap it and add one accessor per model.
pub struct Session<'c> {
    engine: &'c Engine,
    conn: &'c rusqlite::Connection,
    /// The auth value until the client takes it.
    auth: Cell<Option<Json>>,
    /// Made on first use: `client(&conn).with_auth(…)` never pays for the
    /// anonymous client it starts from.
    client: OnceCell<zgen_runtime::Client<'c>>,
}

impl<'c> Session<'c> {
    /// `auth`: the auth value as JSON (`None`: anonymous).
    pub fn new(engine: &'c Engine, conn: &'c rusqlite::Connection, auth: Option<Json>) -> Self {
        Session {
            engine,
            conn,
            auth: Cell::new(auth),
            client: OnceCell::new(),
        }
    }

    /// The same connection acting for `auth`.
    pub fn with_auth(&self, auth: Option<Json>) -> Session<'c> {
        Session::new(self.engine, self.conn, auth)
    }

    /// The engine client: operations by name with JSON arguments.
    pub fn engine_client(&self) -> &zgen_runtime::Client<'c> {
        self.client
            .get_or_init(|| self.engine.client(self.conn, self.auth.take()))
    }

    pub fn connection(&self) -> &'c rusqlite::Connection {
        self.conn
    }
}
