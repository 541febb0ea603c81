//! zgen's built-in declarations, written in ZModel (`stdlib.zmodel`).
//!
//! The file is parsed at build time (`build.rs`) and embedded as postcard
//! bytes; a process decodes them once, which costs a small fraction of
//! parsing the file.

use std::sync::OnceLock;
use zgen_diagnostics::FileId;
use zgen_syntax::ast::SchemaFile;

/// The file id of the built-in declarations; it never names a user file, so
/// no diagnostic points into it.
pub const STDLIB_FILE: FileId = FileId(u32::MAX);

pub const SOURCE: &str = include_str!("stdlib.zmodel");

/// `zgen_syntax::parse(STDLIB_FILE, SOURCE)`, done by `build.rs`.
const PARSED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stdlib.postcard"));

/// The parsed built-ins.
pub fn files() -> &'static [SchemaFile] {
    static FILES: OnceLock<Vec<SchemaFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        // The bytes are produced and checked with this build, so decoding
        // only fails if that is broken; parsing then still gives the tree.
        let file = decode().unwrap_or_else(|| zgen_syntax::parse(STDLIB_FILE, SOURCE).0);
        vec![file]
    })
}

/// The embedded tree, decoded afresh ([`files`] does this once per process).
pub fn decode() -> Option<SchemaFile> {
    postcard::from_bytes(PARSED).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded tree cannot drift from the parser: spans, docs and
    /// comments included.
    #[test]
    fn embedded_tree_is_the_parsed_file() {
        let parsed = zgen_syntax::parse(STDLIB_FILE, SOURCE).0;
        assert_eq!(decode(), Some(parsed));
    }
}
