//! The asynchronous client: operations run on tokio's blocking threads over
//! a small set of SQLite connections, so async handlers never block.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A few connections to one database, used in turn.
#[derive(Clone)]
pub struct AsyncPool {
    conns: Arc<[Mutex<rusqlite::Connection>]>,
    next: Arc<AtomicUsize>,
}

impl AsyncPool {
    /// A pool over these connections (at least one).
    pub fn new(conns: Vec<rusqlite::Connection>) -> Result<Self> {
        if conns.is_empty() {
            return Err(Error::Worker("a pool needs at least one connection".into()));
        }
        Ok(AsyncPool {
            conns: conns.into_iter().map(Mutex::new).collect(),
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `f` with a connection on a blocking thread.
    pub async fn run<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&rusqlite::Connection) -> Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let conns = Arc::clone(&self.conns);
        let index = self.next.fetch_add(1, Ordering::Relaxed) % conns.len();
        tokio::task::spawn_blocking(move || {
            let slot = &conns[index];
            let conn = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&conn)
        })
        .await
        .map_err(|e| Error::Worker(e.to_string()))?
    }
}
