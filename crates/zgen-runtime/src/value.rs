//! Conversions between JSON values (what clients send and receive) and the
//! values stored in the database, in ZenStack v3's SQLite encodings:
//! Boolean as 0/1, DateTime as ISO-8601 text with milliseconds and `Z`,
//! Json and typed JSON as text, Decimal as text, enums by their stored name.
