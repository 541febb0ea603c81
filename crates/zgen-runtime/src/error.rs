//! The one error type of the engine, carrying ZenStack's reasons (P-190,
//! P-191) so that callers and the HTTP layer can map them one to one.

use std::fmt;

/// Why an operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The target row does not exist, or fails the policy and so "does not
    /// exist" (P-110, P-120).
    NotFound,
    /// Access rules rejected the operation.
    RejectedByPolicy(PolicyReason),
    /// Arguments or data are malformed, or fail validation attributes.
    InvalidInput,
    /// The database refused the statement (constraint violation, …).
    DbQueryError,
    /// A construct zgen cannot run (on this dialect).
    NotSupported,
}

/// The sub-reason of [`Reason::RejectedByPolicy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyReason {
    NoAccess,
    CannotReadBack,
    Other,
}

impl Reason {
    /// ZenStack's spelling of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "not-found",
            Reason::RejectedByPolicy(_) => "rejected-by-policy",
            Reason::InvalidInput => "invalid-input",
            Reason::DbQueryError => "db-query-error",
            Reason::NotSupported => "not-supported",
        }
    }
}

impl PolicyReason {
    /// ZenStack's spelling of the sub-reason.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyReason::NoAccess => "no-access",
            PolicyReason::CannotReadBack => "cannot-read-back",
            PolicyReason::Other => "other",
        }
    }
}

/// An engine error: a reason, the model it concerns, and a message. Messages
/// are ZenStack's, so clients of either see the same text (P-191).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub reason: Reason,
    pub model: Option<String>,
    pub message: String,
    /// For `db-query-error`: the driver's code (`SQLITE_CONSTRAINT_UNIQUE`)
    /// and message, as ZenStack's `dbErrorCode`/`dbErrorMessage`.
    pub db_error: Option<DbError>,
}

/// The database's own account of a failed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    pub code: String,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(reason: Reason, model: Option<&str>, message: impl Into<String>) -> Error {
        Error {
            reason,
            model: model.map(str::to_string),
            message: message.into(),
            db_error: None,
        }
    }

    /// `not-found`: "Record not found".
    pub fn not_found(model: &str) -> Error {
        Error::new(Reason::NotFound, Some(model), "Record not found")
    }

    /// `rejected-by-policy` / `no-access` (P-94).
    pub fn no_access(model: &str) -> Error {
        Error::new(
            Reason::RejectedByPolicy(PolicyReason::NoAccess),
            Some(model),
            "operation is rejected by access policies",
        )
    }

    /// `rejected-by-policy` with another sub-reason and message.
    pub fn rejected(model: &str, sub: PolicyReason, message: impl Into<String>) -> Error {
        Error::new(Reason::RejectedByPolicy(sub), Some(model), message)
    }

    /// `rejected-by-policy` / `cannot-read-back` (P-95).
    pub fn cannot_read_back(model: &str) -> Error {
        Error::rejected(
            model,
            PolicyReason::CannotReadBack,
            "result is not allowed to be read back",
        )
    }

    pub fn invalid_input(model: Option<&str>, message: impl Into<String>) -> Error {
        Error::new(Reason::InvalidInput, model, message)
    }

    pub fn not_supported(model: Option<&str>, message: impl Into<String>) -> Error {
        Error::new(Reason::NotSupported, model, message)
    }

    /// The policy sub-reason, when rejected by policy.
    pub fn policy_reason(&self) -> Option<PolicyReason> {
        match self.reason {
            Reason::RejectedByPolicy(sub) => Some(sub),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    /// `rejected-by-policy/no-access (Post): operation is rejected by access policies`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason.as_str())?;
        if let Some(sub) = self.policy_reason() {
            write!(f, "/{}", sub.as_str())?;
        }
        if let Some(model) = &self.model {
            write!(f, " ({model})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        let message = e.to_string();
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => sqlite_code(f.extended_code),
            _ => "SQLITE_ERROR".to_string(),
        };
        Error {
            db_error: Some(DbError {
                code,
                message: message.clone(),
            }),
            ..Error::new(
                Reason::DbQueryError,
                None,
                format!("Failed to execute query: {message}"),
            )
        }
    }
}

/// The name of an SQLite result code, as better-sqlite3 reports it.
fn sqlite_code(extended: std::os::raw::c_int) -> String {
    let name = match extended {
        275 => "SQLITE_CONSTRAINT_CHECK",
        531 => "SQLITE_CONSTRAINT_COMMITHOOK",
        787 => "SQLITE_CONSTRAINT_FOREIGNKEY",
        1043 => "SQLITE_CONSTRAINT_FUNCTION",
        1299 => "SQLITE_CONSTRAINT_NOTNULL",
        1555 => "SQLITE_CONSTRAINT_PRIMARYKEY",
        1811 => "SQLITE_CONSTRAINT_TRIGGER",
        2067 => "SQLITE_CONSTRAINT_UNIQUE",
        2323 => "SQLITE_CONSTRAINT_VTAB",
        2579 => "SQLITE_CONSTRAINT_ROWID",
        19 => "SQLITE_CONSTRAINT",
        1 => "SQLITE_ERROR",
        9 => "SQLITE_INTERRUPT",
        5 => "SQLITE_BUSY",
        6 => "SQLITE_LOCKED",
        8 => "SQLITE_READONLY",
        13 => "SQLITE_FULL",
        _ => return format!("SQLITE_ERROR_{extended}"),
    };
    name.to_string()
}
