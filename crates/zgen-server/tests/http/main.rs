//! HTTP end-to-end tests: the router over a real SQLite file, one binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod common;
mod errors;
mod operational;
mod operations;
mod serialization;
mod transaction;
