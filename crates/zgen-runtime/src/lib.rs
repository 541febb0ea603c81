//! The query engine: ZenStack's CRUD operations over SQLite, with the
//! schema's access rules compiled into every statement.
//!
//! ```text
//! JSON args ──args──► typed Filter / Selection / write data
//!           ──read / write──► SQL with the bound policy of every table it touches
//!           ──value──► JSON result
//! ```

mod defaults;
mod error;
mod validate;
mod value;

pub use error::{Error, PolicyReason, Reason, Result};
