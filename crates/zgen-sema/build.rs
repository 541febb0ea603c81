//! Parses the built-in declarations (`src/stdlib.zmodel`) once, at build
//! time, and stores the tree as postcard bytes in `OUT_DIR`: a run decodes
//! them (a few hundred thousand instructions) instead of parsing the file
//! (~12.7 M). `stdlib.rs` tests that the decoded tree is exactly what
//! `zgen_syntax::parse` gives at run time.

use std::error::Error;
use std::path::PathBuf;
use zgen_diagnostics::FileId;

/// `stdlib::STDLIB_FILE`, which a build script cannot import from the crate
/// it builds; the test above catches a mismatch.
const STDLIB_FILE: FileId = FileId(u32::MAX);

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=src/stdlib.zmodel");
    let source = std::fs::read_to_string("src/stdlib.zmodel")?;
    let (file, diags) = zgen_syntax::parse(STDLIB_FILE, &source);
    if !diags.is_empty() {
        return Err(format!("src/stdlib.zmodel does not parse cleanly: {diags:#?}").into());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    std::fs::write(out.join("stdlib.postcard"), postcard::to_stdvec(&file)?)?;
    Ok(())
}
