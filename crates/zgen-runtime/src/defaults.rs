//! `@default` values the engine fills in before an insert, and `@updatedAt`.
