//! Writing generated files: only those whose bytes changed, so timestamps
//! (and cargo's rebuilds) follow real changes.

use std::path::{Path, PathBuf};
use zgen_codegen::GeneratedFile;

/// Writes `files` under `dir` (created if missing), skipping files whose
/// contents are already the same; returns the paths written.
pub fn write_files(dir: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for file in stale_files(dir, files) {
        let path = dir.join(&file.path);
        std::fs::write(&path, &file.contents)?;
        written.push(path);
    }
    Ok(written)
}

/// The files whose copy under `dir` is missing or different.
pub fn stale_files<'a>(dir: &Path, files: &'a [GeneratedFile]) -> Vec<&'a GeneratedFile> {
    files
        .iter()
        .filter(|f| std::fs::read(dir.join(&f.path)).ok().as_deref() != Some(&f.contents[..]))
        .collect()
}
