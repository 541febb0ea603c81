//! Snapshots of the generated code, determinism, and corpus schemas.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use zgen_codegen::{generate, GeneratedFile, Options};

fn schema_of(path: &Path) -> zgen_sema::Schema {
    let loaded = zgen_testkit::load(path);
    let analysis = zgen_sema::analyze(&loaded);
    assert!(
        !analysis.diagnostics.has_errors(),
        "{}: {:?}",
        path.display(),
        analysis
            .diagnostics
            .errors()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    analysis.schema
}

fn files_of(path: &Path) -> Vec<GeneratedFile> {
    generate(schema_of(path), &Options::default())
}

fn text(file: &GeneratedFile) -> &str {
    std::str::from_utf8(&file.contents).unwrap()
}

/// Every Rust file: a header, then code that parses.
fn assert_well_formed(files: &[GeneratedFile]) {
    for file in files.iter().filter(|f| f.path.ends_with(".rs")) {
        let text = text(file);
        assert!(text.starts_with(zgen_codegen::HEADER), "{}", file.path);
        syn::parse_file(text).unwrap_or_else(|e| panic!("{}: {e}", file.path));
    }
}

fn snapshot_all(name: &str, path: &Path) {
    let files = files_of(path);
    assert_well_formed(&files);
    for file in &files {
        if file.path.ends_with(".rs") {
            insta::assert_snapshot!(format!("{name}__{}", file.path), text(file));
        }
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn shop_snapshot() {
    snapshot_all("shop", &fixture("shop.zmodel"));
}

#[test]
fn blog_snapshot() {
    snapshot_all(
        "blog",
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/blog/schema.zmodel"),
    );
}

#[test]
fn output_is_deterministic() {
    let path = fixture("shop.zmodel");
    let first = files_of(&path);
    for _ in 0..3 {
        assert_eq!(files_of(&path), first);
    }
    let paths: Vec<&str> = first.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["mod.rs", "account.rs", "order.rs", "line.rs", "schema.bin"]
    );
}

#[test]
fn headers_carry_no_version_or_time() {
    for file in files_of(&fixture("shop.zmodel"))
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
    {
        let first = text(file).lines().next().unwrap();
        assert_eq!(first, zgen_codegen::HEADER.trim_end());
        assert!(!first.chars().any(|c| c.is_ascii_digit()), "{first}");
    }
}

#[test]
fn baked_bytes_decode_to_the_runtime_compiled_engine() {
    let path = fixture("shop.zmodel");
    let files = files_of(&path);
    let bin = files.iter().find(|f| f.path == "schema.bin").unwrap();
    let decoded = zgen_runtime::Engine::from_compiled(&bin.contents).unwrap();
    let compiled = zgen_runtime::Engine::new(schema_of(&path));
    assert_eq!(
        format!("{:?}", decoded.schema()),
        format!("{:?}", compiled.schema())
    );
    assert_eq!(
        format!("{:?}", decoded.policies()),
        format!("{:?}", compiled.policies())
    );
    assert_eq!(decoded.to_compiled(), bin.contents);
}

/// Corpus schemas: a summary (files, line counts) rather than the code,
/// which is derived from third-party schemas.
#[test]
fn corpus_snapshots() {
    // `ZGEN_CORPUS_DIR` points elsewhere (a worktree without `../shared`).
    let dir = std::env::var_os("ZGEN_CORPUS_DIR")
        .map(std::path::PathBuf::from)
        .or_else(zgen_testkit::corpus_dir);
    let Some(dir) = dir else {
        eprintln!("corpus not found (../shared/corpus): skipping corpus snapshots");
        return;
    };
    for project in ["cal.com", "trigger.dev", "formbricks"] {
        let path = dir
            .join("v3/github-repos")
            .join(project)
            .join("schema.zmodel");
        if !path.is_file() {
            eprintln!("{} not found: skipping", path.display());
            continue;
        }
        let files = files_of(&path);
        assert_well_formed(&files);
        let mut summary = String::new();
        for file in &files {
            let size = if file.path.ends_with(".rs") {
                format!("{} lines", text(file).lines().count())
            } else {
                format!("{} bytes", file.contents.len())
            };
            summary.push_str(&format!("{}: {size}\n", file.path));
        }
        insta::assert_snapshot!(format!("corpus__{project}"), summary);
    }
}

/// A `@computed` field is read-only: results have it, data builders do not.
#[test]
fn computed_fields_have_no_data_setter() {
    let files = files_of(&fixture("shop.zmodel"));
    let account = text(files.iter().find(|f| f.path == "account.rs").unwrap());
    assert!(account.contains("pub post_count: Option<i32>"), "{account}");
    for data in ["impl AccountCreate {", "impl AccountUpdate {"] {
        let start = account.find(data).unwrap();
        let block = &account[start..];
        let block = &block[..block.find("\n}\n").unwrap()];
        assert!(block.contains("pub fn email("), "{block}");
        assert!(!block.contains("fn post_count("), "{block}");
    }
}

/// `DateTimes::Time`: DateTime fields (struct, filters, data) are
/// `time::OffsetDateTime`, read and written as ZenStack's text; nothing
/// else changes.
#[test]
fn time_option_changes_only_datetime_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/blog/schema.zmodel");
    let chrono = files_of(&path);
    let options = Options {
        datetime: zgen_codegen::DateTimes::Time,
        ..Options::default()
    };
    let time = generate(schema_of(&path), &options);
    assert_well_formed(&time);
    for (c, t) in chrono.iter().zip(&time) {
        if !t.path.ends_with(".rs") {
            assert_eq!(c, t);
            continue;
        }
        // (Longer types wrap lines differently, with trailing commas.)
        let tokens = |s: &str| s.split_whitespace().collect::<String>().replace(",)", ")");
        let expected = text(c).replace(
            "zc::chrono::DateTime<zc::chrono::Utc>",
            "zc::time::OffsetDateTime",
        );
        assert_eq!(tokens(text(t)), tokens(&expected), "{}", t.path);
    }
    let post = text(time.iter().find(|f| f.path == "post.rs").unwrap());
    assert!(
        post.contains("#[serde(rename = \"createdAt\", with = \"zc::datetime\")]"),
        "{post}"
    );
    assert!(
        post.contains("pub created_at: zc::time::OffsetDateTime,"),
        "{post}"
    );
}
