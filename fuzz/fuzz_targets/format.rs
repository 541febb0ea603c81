//! Format whatever parses cleanly: must never panic, the output must parse
//! cleanly, and formatting it again must change nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zgen_syntax::{format_file, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (ast, diags) = parse(Default::default(), &text);
    if !diags.is_empty() {
        return;
    }
    let once = format_file(&ast, &text);
    let (again, diags) = parse(Default::default(), &once);
    assert!(diags.is_empty(), "formatted output does not parse:\n{once}");
    assert_eq!(format_file(&again, &once), once, "formatting is not idempotent");
});
