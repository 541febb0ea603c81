//! Snapshots of the generated code, determinism, and corpus schemas.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use zgen_codegen::{generate, DateTimes, GeneratedFile, Layout, Options};

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

/// Every Rust file: the header, a blank line, then code that parses and
/// that prettyplease prints exactly as it is (the writer lays the text out
/// as prettyplease would, so the output is "formatted with prettyplease").
fn assert_well_formed(files: &[GeneratedFile]) {
    for file in files.iter().filter(|f| f.path.ends_with(".rs")) {
        let text = text(file);
        let code = text
            .strip_prefix(zgen_codegen::HEADER)
            .and_then(|t| t.strip_prefix('\n'))
            .unwrap_or_else(|| panic!("{}: no header", file.path));
        let parsed = syn::parse_file(code).unwrap_or_else(|e| panic!("{}: {e}", file.path));
        let printed = prettyplease::unparse(&parsed);
        if printed != code {
            let line = printed
                .lines()
                .zip(code.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let around = |t: &str| {
                t.lines()
                    .skip(line.saturating_sub(3))
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "{}: not in prettyplease's layout at line {}\nprettyplease:\n{}\ngenerated:\n{}",
                file.path,
                line + 1,
                around(&printed),
                around(code)
            );
        }
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

/// Names long enough that signatures, calls, attribute lists, match arms,
/// macro input and `include!` paths break over lines; keywords as names;
/// docs with quotes and backslashes. Every layout of every option.
#[test]
fn long_lines_break_as_prettyplease_breaks_them() {
    let path = fixture("long_names.zmodel");
    let layouts = [
        Layout::Modules,
        Layout::OutDir {
            subdir: "zgen".to_string(),
        },
        Layout::OutDir {
            subdir: "a_generated_code_folder_whose_name_is_long_enough_to_break_the_line"
                .to_string(),
        },
    ];
    for layout in layouts {
        for (async_client, http_api) in [(true, false), (false, true), (true, true)] {
            for datetime in [DateTimes::Chrono, DateTimes::Time] {
                let options = Options {
                    layout: layout.clone(),
                    async_client,
                    http_api,
                    datetime,
                };
                assert_well_formed(&generate(schema_of(&path), &options));
                assert_well_formed(&generate(schema_of(&fixture("shop.zmodel")), &options));
            }
        }
    }
    let files = files_of(&path);
    for file in &files {
        if file.path.ends_with(".rs") {
            insta::assert_snapshot!(format!("long_names__{}", file.path), text(file));
        }
    }
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

/// The name of a model file's shape table (`__zgen_<model>_<tag>`).
fn table_name(text: &str) -> Option<String> {
    let start = text.find("__zgen_")?;
    let len = text[start..].find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(text[start..start + len].to_string())
}

/// `DateTimes::Time`: DateTime fields (struct, filters, data) are
/// `time::OffsetDateTime`, read and written as ZenStack's text; nothing
/// else changes.
#[test]
fn time_option_changes_only_datetime_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/blog/schema.zmodel");
    let chrono = files_of(&path);
    let options = Options {
        datetime: DateTimes::Time,
        ..Options::default()
    };
    let time = generate(schema_of(&path), &options);
    assert_well_formed(&time);
    for (c, t) in chrono.iter().zip(&time) {
        if !t.path.ends_with(".rs") {
            assert_eq!(c, t);
            continue;
        }
        // (Longer types wrap lines differently, with trailing commas; the
        // shape table's name carries a hash of the options.)
        let tokens = |s: &str| {
            let s = s.split_whitespace().collect::<String>().replace(",)", ")");
            match table_name(&s) {
                Some(name) => s.replace(&name, "__zgen_TABLE"),
                None => s,
            }
        };
        let expected = text(c).replace(
            "zc::chrono::DateTime<zc::chrono::Utc>",
            "zc::time::OffsetDateTime",
        );
        assert_eq!(tokens(text(t)), tokens(&expected), "{}", t.path);
    }
    let post = text(time.iter().find(|f| f.path == "post.rs").unwrap());
    assert!(post.contains("created_at \"createdAt\" date"), "{post}");
    assert!(
        post.contains("pub created_at: zc::time::OffsetDateTime,"),
        "{post}"
    );
}
