//! The differential conformance suite's machinery: the scenarios of
//! `tests/zenstack/scenarios` (schema, seed rows, steps), run through
//! zgen's engine ([`engine_side`]), read back from ZenStack's run
//! (`tests/zenstack/run.mjs`, [`outcome::Outcome::from_zenstack`]),
//! normalised ([`normalize`]) and compared ([`compare`]).
//!
//! The test that ties them together is `tests/zenstack.rs`; what is compared
//! and how markers work is in `docs/conformance.md`.

pub mod compare;
pub mod engine_side;
pub mod normalize;
pub mod outcome;
pub mod scenario;
pub mod sqlite;

use std::path::PathBuf;

/// `tests/zenstack` of the repository.
pub fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("tests")
        .join("zenstack")
}
