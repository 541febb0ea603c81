//! The query engine: ZenStack's CRUD operations over SQLite, with the
//! schema's access rules compiled into every statement.
//!
//! ```text
//! JSON args ──args──► typed filters (policy IR) and selections
//!           ──read / write──► SQL with the bound rule of every table it touches
//!           ──value──► JSON result
//! ```
//!
//! `Engine` holds a checked schema and its compiled policies; a `Client`
//! pairs it with a connection and an auth value and runs operations by name
//! (`client.run("Post", "findMany", &args)`).

mod aggregate;
mod args;
mod auth_enums;
mod bound;
mod compiled;
mod defaults;
mod delegate;
mod engine;
mod error;
mod json_null;
mod keys;
mod operations;
mod password;
mod plan;
mod read;
mod row_json;
mod rows;
mod typed_json;
mod validate;
mod value;
mod write;

pub use engine::{Client, Engine};
pub use error::{DbError, Error, PolicyReason, Reason, Result};
pub use rows::DecodeError;
