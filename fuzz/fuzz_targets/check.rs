//! Parse and check arbitrary text: must never panic, overflow or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Two files so imports between them are exercised too.
    let (first, second) = text.split_at(text.find("\u{1}").unwrap_or(text.len()));
    let loaded = zgen_syntax::load_sources(&[("schema.zmodel", first), ("other.zmodel", second)]);
    let _ = zgen_sema::analyze(&loaded);
});
