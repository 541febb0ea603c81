//! The checked ZModel schema.
