//! A small pool of SQLite connections for blocking work.
//!
//! The engine is synchronous (rusqlite), so each request takes a connection
//! from here and runs on tokio's blocking threads. A semaphore bounds the
//! number of connections in use; idle ones are kept for reuse and opened
//! lazily up to the bound. Every connection runs in WAL mode (readers do not
//! block the writer) with a busy timeout (writers queue instead of failing
//! at once) and foreign keys on, as better-sqlite3 opens them for ZenStack.

use rusqlite::{Connection, InterruptHandle};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a statement waits for a lock held by another connection.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A bounded set of connections to one SQLite file.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("path", &self.inner.path)
            .field("available", &self.inner.permits.available_permits())
            .finish()
    }
}

impl Pool {
    /// A pool of at most `size` connections to the database at `path`. One
    /// connection is opened now, so a bad path fails here and WAL mode is
    /// set before the first request.
    pub fn open(path: impl AsRef<Path>, size: usize) -> rusqlite::Result<Pool> {
        let pool = Pool {
            inner: Arc::new(Inner {
                path: path.as_ref().to_path_buf(),
                busy_timeout: DEFAULT_BUSY_TIMEOUT,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(size.max(1))),
            }),
        };
        let first = pool.inner.connect()?;
        pool.inner.give_back(first);
        Ok(pool)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Waits for a free slot and returns a connection, opening one when no
    /// idle connection is left.
    pub async fn get(&self) -> rusqlite::Result<Pooled> {
        let permit = Arc::clone(&self.inner.permits)
            .acquire_owned()
            .await
            // The semaphore is never closed.
            .map_err(|_| rusqlite::Error::InvalidQuery)?;
        let idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.inner.connect()?,
        };
        Ok(Pooled {
            conn: Some(conn),
            pool: Arc::clone(&self.inner),
            _permit: permit,
        })
    }
}

impl Inner {
    fn connect(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(self.busy_timeout)?;
        // `journal_mode` answers with the mode; a file that cannot use WAL
        // (in memory) answers something else and still works.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
    }
}

/// A connection on loan; it goes back to the pool when dropped, unless it
/// is left inside a transaction it cannot roll back.
pub struct Pooled {
    conn: Option<Connection>,
    pool: Arc<Inner>,
    _permit: OwnedSemaphorePermit,
}

impl Pooled {
    pub fn conn(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    /// A handle that aborts the statement running on this connection.
    pub fn interrupt_handle(&self) -> Option<InterruptHandle> {
        self.conn.as_ref().map(Connection::get_interrupt_handle)
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        // A request that failed half-way (interrupted, panicked) must not
        // hand its open transaction to the next one.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return;
        }
        self.pool.give_back(conn);
    }
}
