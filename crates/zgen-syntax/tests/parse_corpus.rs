//! Every schema of the shared corpus (`../shared/corpus`, outside the
//! repository) parses without a diagnostic. Skipped with a notice when the
//! corpus is absent.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use zgen_diagnostics::FileId;
use zgen_syntax::ast::Decl;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn corpus() -> Option<PathBuf> {
    let root = PathBuf::from(CORPUS);
    if root.is_dir() {
        Some(root)
    } else {
        println!("notice: schema corpus not found at {CORPUS}; skipping");
        None
    }
}

fn zmodel_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            zmodel_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "zmodel") {
            out.push(path);
        }
    }
}

/// Some corpus files are git symlinks checked out as text: a single line
/// holding the path of the real schema, relative to where the link lived in
/// its repository (e.g. `../../shared/schema.zmodel`). Those are followed:
/// the target without its leading `../` is looked up from each ancestor.
fn read_schema(path: &Path) -> Option<(PathBuf, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let trimmed = text.trim();
    if trimmed.ends_with(".zmodel") && !trimmed.contains(char::is_whitespace) {
        let rest = trimmed.trim_start_matches("../").trim_start_matches("./");
        let target = path
            .ancestors()
            .skip(1)
            .map(|dir| dir.join(rest))
            .find(|candidate| candidate.is_file() && candidate != path)?;
        return read_schema(&target);
    }
    Some((path.to_path_buf(), text))
}

#[test]
fn every_corpus_file_parses_cleanly() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    zmodel_files(&root, &mut files);
    assert!(
        files.len() > 50,
        "expected the whole corpus, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let mut decls = 0;
    for path in &files {
        let Some((real, text)) = read_schema(path) else {
            failures.push(format!("{}: unreadable", path.display()));
            continue;
        };
        let (file, diags) = zgen_syntax::parse(FileId(0), &text);
        decls += file.decls.len();
        for d in diags.iter() {
            let line = text[..d.span.start as usize].matches('\n').count() + 1;
            failures.push(format!(
                "{}:{line}: {} [{}] {:?}",
                real.display(),
                d.message,
                d.code,
                d.secondary.first().map(|l| &l.message)
            ));
        }
        assert!(
            !file.decls.is_empty() || text.trim().is_empty(),
            "{}: no declarations",
            real.display()
        );
    }
    assert!(
        failures.is_empty(),
        "corpus diagnostics:\n{}",
        failures.join("\n")
    );
    assert!(decls > 500, "only {decls} declarations in the corpus");
}

#[test]
fn corpus_spans_are_accurate() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    zmodel_files(&root, &mut files);
    for path in &files {
        let Some((real, text)) = read_schema(path) else {
            continue;
        };
        let (file, _) = zgen_syntax::parse(FileId(0), &text);
        for decl in &file.decls {
            let span = decl.span();
            let name = decl.name();
            let src = &text[span.range()];
            assert_eq!(&text[name.span.range()], name.name, "{}", real.display());
            assert!(
                src.ends_with('}')
                    || !matches!(decl, Decl::Model(_) | Decl::Enum(_) | Decl::Config(_)),
                "{}: declaration span of `{}` does not end at `}}`",
                real.display(),
                name.name
            );
            if let Decl::Model(m) = decl {
                for f in m.fields() {
                    assert_eq!(&text[f.name.span.range()], f.name.name);
                    assert!(text[f.span.range()].starts_with(&f.name.name));
                    for a in &f.attributes {
                        assert!(text[a.span.range()].starts_with(&a.name.name));
                    }
                }
            }
        }
        for c in &file.comments {
            assert_eq!(&text[c.span.range()], c.text);
            assert!(c.text.starts_with("//") || c.text.starts_with("/*"));
            assert!(!c.text.starts_with("///"));
        }
    }
}

#[test]
fn rally_loads_with_all_its_imports() {
    let Some(root) = corpus() else { return };
    let dir = root.join("v3/apps/rally");
    let mut read = |path: &str| -> Result<String, String> {
        std::fs::read_to_string(dir.join(path)).map_err(|e| e.to_string())
    };
    let loaded = zgen_syntax::load("schema.zmodel", &mut read);
    let names: Vec<_> = loaded
        .sources
        .iter()
        .map(|(_, f)| f.name().to_string())
        .collect();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(names.len(), 9, "{names:?}");
    assert_eq!(names[0], "schema.zmodel");
    for expected in [
        "models/user.zmodel",
        "models/space.zmodel",
        "models/poll.zmodel",
        "models/instance-settings.zmodel",
        "models/licensing.zmodel",
        "models/integrations.zmodel",
        "models/event.zmodel",
        "models/billing.zmodel",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    assert_eq!(loaded.files.len(), 9);
    for (i, f) in loaded.files.iter().enumerate() {
        assert_eq!(f.file, FileId(i as u32));
    }
    let models: usize = loaded.files.iter().map(|f| f.decls.len()).sum();
    assert!(models > 20, "only {models} declarations");
}

#[test]
fn v2_multi_file_schema_loads_with_its_cycle() {
    let Some(root) = corpus() else { return };
    let dir = root.join("v2/schema/mutil-files");
    let mut reads = Vec::new();
    let mut read = |path: &str| -> Result<String, String> {
        reads.push(path.to_string());
        std::fs::read_to_string(dir.join(path)).map_err(|e| e.to_string())
    };
    let loaded = zgen_syntax::load("schema.zmodel", &mut read);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.files.len(), 2);
    assert_eq!(reads, ["schema.zmodel", "user.zmodel"]);
}
