//! Access rules compiled into a typed policy IR, bound to a request's auth
//! value and lowered to SQL per dialect.
//!
//! ```text
//! sema rules ──compile──► PolicySet (per model and operation, auth symbolic)
//!            ──bind(auth)──► Pred with constants folded
//!            ──PredWriter──► SQL text + bound parameters
//! ```
//!
//! Architecture invariant: every value reaches the database as a bound
//! parameter and every identifier is quoted.

mod auth_keys;
mod bind;
mod compile;
pub mod ddl;
pub mod delegate;
pub mod eval;
pub mod ir;
mod policy_set;
pub mod sql;
pub mod storage;

pub use auth_keys::auth_keys;
pub use bind::{and, bind, bind_row, compare_consts, json_to_value, not, or, Auth};
pub use compile::{id_fields, is_many_to_many, scalar_of};
pub use policy_set::{ModelPolicy, PolicySet};
