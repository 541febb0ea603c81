//! The error of a typed operation: the engine's, or a result that does not
//! have the shape the caller asked for.

use std::fmt;
use zgen_runtime::{PolicyReason, Reason};

#[derive(Debug)]
pub enum Error {
    /// The engine refused or failed the operation (rules, not found,
    /// invalid input, database).
    Engine(zgen_runtime::Error),
    /// The result could not be read as the requested type (for example a
    /// `select` read into the full model struct).
    Decode(String),
    /// An asynchronous operation's worker thread failed.
    Worker(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The engine's reason, when the engine failed the operation.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Error::Engine(e) => Some(e.reason),
            Error::Decode(_) | Error::Worker(_) => None,
        }
    }

    /// Access rules rejected the operation.
    pub fn is_rejected_by_policy(&self) -> bool {
        matches!(self.reason(), Some(Reason::RejectedByPolicy(_)))
    }

    /// The row written could not be read back under the read rules.
    pub fn is_cannot_read_back(&self) -> bool {
        self.reason() == Some(Reason::RejectedByPolicy(PolicyReason::CannotReadBack))
    }

    /// The target row does not exist, or the rules hide it.
    pub fn is_not_found(&self) -> bool {
        self.reason() == Some(Reason::NotFound)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Engine(e) => e.fmt(f),
            Error::Decode(m) => write!(f, "result has an unexpected shape: {m}"),
            Error::Worker(m) => write!(f, "database worker failed: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<zgen_runtime::Error> for Error {
    fn from(e: zgen_runtime::Error) -> Self {
        Error::Engine(e)
    }
}
