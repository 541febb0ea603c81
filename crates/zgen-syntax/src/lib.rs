//! ZModel syntax: the pest grammar (`grammar/zmodel.pest`), the typed AST
//! with spans, multi-file import loading and the formatter.
//!
//! Architecture invariant: nothing here fails or touches the disk. Parsing
//! returns a tree plus diagnostics; [`load`] reads files only through the
//! callback its caller passes in.

pub mod ast;
mod comments;
mod format;
mod imports;
mod parser;

pub use format::format_file;
pub use imports::{load, load_sources, LoadedSchema};
pub use parser::parse;
