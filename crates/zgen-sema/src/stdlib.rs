//! zgen's built-in declarations, written in ZModel (`stdlib.zmodel`) and
//! parsed once per process.

use std::sync::OnceLock;
use zgen_diagnostics::FileId;
use zgen_syntax::ast::SchemaFile;

/// The file id of the built-in declarations; it never names a user file, so
/// no diagnostic points into it.
pub const STDLIB_FILE: FileId = FileId(u32::MAX);

pub const SOURCE: &str = include_str!("stdlib.zmodel");

/// The parsed built-ins.
pub fn files() -> &'static [SchemaFile] {
    static PARSED: OnceLock<Vec<SchemaFile>> = OnceLock::new();
    PARSED.get_or_init(|| vec![zgen_syntax::parse(STDLIB_FILE, SOURCE).0])
}

#[cfg(test)]
mod tests {
    #[test]
    fn stdlib_parses_cleanly() {
        let (_, diags) = zgen_syntax::parse(super::STDLIB_FILE, super::SOURCE);
        assert!(diags.is_empty(), "{diags:#?}");
    }
}
