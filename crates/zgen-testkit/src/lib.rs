//! Test support shared by zgen's crates. Tests only: a failure here is a
//! failing test, so checked helpers panic with the reason.

#![allow(clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use zgen_diagnostics::Code;
use zgen_sema::Schema;
use zgen_syntax::LoadedSchema;

/// The real-schema corpus (`../shared/corpus` beside the repository), or
/// `None` after printing a notice when it is absent: corpus tests skip then.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    match std::fs::canonicalize(&dir) {
        Ok(dir) => Some(dir),
        Err(_) => {
            println!(
                "notice: schema corpus not found at {}; skipping",
                dir.display()
            );
            None
        }
    }
}

/// The text of `../shared/spec/<name>`, or `None` with a printed notice.
pub fn spec_text(name: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/spec")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            println!("notice: spec not found at {}; skipping", path.display());
            None
        }
    }
}

/// Every `.zmodel` file below `dir`, sorted.
pub fn zmodel_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "zmodel") {
            out.push(path);
        }
    }
}

/// A git symlink checked out as a text file holding the target's path; the
/// target is checked in its own right.
pub fn is_link_stub(text: &str) -> bool {
    let t = text.trim();
    !t.contains('\n') && t.ends_with(".zmodel")
}

/// Loads a schema file and its imports from disk.
pub fn load(path: &Path) -> LoadedSchema {
    zgen_syntax::load(&path.display().to_string(), &mut |p: &str| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    })
}

/// The entry schemas of the corpus: every file but link stubs and files
/// that are only imported by others (those are checked through their
/// importers). Empty when the corpus is absent.
pub fn corpus_entries() -> Vec<PathBuf> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let files = zmodel_files(&dir);
    let mut imported = BTreeSet::new();
    for file in &files {
        for (_, source) in load(file).sources.iter().skip(1) {
            imported.insert(PathBuf::from(source.name()));
        }
    }
    files
        .into_iter()
        .filter(|f| !imported.contains(f))
        .filter(|f| !std::fs::read_to_string(f).is_ok_and(|t| is_link_stub(&t)))
        .collect()
}

/// Checks one schema text and returns its model; panics listing the errors.
pub fn checked(source: &str) -> Schema {
    let loaded = zgen_syntax::load_sources(&[("schema.zmodel", source)]);
    let analysis = zgen_sema::analyze(&loaded);
    let errors: Vec<String> = analysis
        .diagnostics
        .errors()
        .map(|d| format!("{}: {}", d.code.id, d.message))
        .collect();
    if !errors.is_empty() {
        panic!("schema does not check:\n{}", errors.join("\n"));
    }
    analysis.schema
}

/// The findings with one of `codes` when checking `source`, as (code id,
/// underlined text): what a case about those rules asserts.
pub fn findings(source: &str, codes: &[Code]) -> Vec<(&'static str, String)> {
    let loaded = zgen_syntax::load_sources(&[("schema.zmodel", source)]);
    let analysis = zgen_sema::analyze(&loaded);
    analysis
        .diagnostics
        .iter()
        .filter(|d| codes.contains(&d.code))
        .map(|d| (d.code.id, loaded.sources.slice(d.span).to_string()))
        .collect()
}

/// Asserts that `source` gives exactly `expected` among `codes`.
pub fn assert_findings(source: &str, codes: &[Code], expected: &[(&str, &str)]) {
    let actual = findings(source, codes);
    let expected: Vec<(&str, String)> = expected.iter().map(|(c, t)| (*c, t.to_string())).collect();
    assert_eq!(actual, expected, "schema:\n{source}");
}
