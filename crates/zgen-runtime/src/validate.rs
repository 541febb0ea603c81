//! Validation attributes applied to write data before the database is touched.
