//! Data-driven validation tests: one test per `tests/fixtures/**/*.zmodel`.
//!
//! A fixture is a schema followed by a trailing comment block listing the
//! diagnostics it must produce, one per line:
//!
//! ```text
//! // expect: error Z0402 `parent`: self-relation field must have a name
//! ```
//!
//! The underlined source text sits in backticks. `UPDATE_EXPECT=1 cargo test
//! --test fixtures` rewrites the blocks from the actual output. A fixture
//! named `Z0402-…` must produce at least one `Z0402`, so a bad refresh cannot
//! bless a fixture that lost its point. Every code of the catalogue must have
//! a fixture (see `every_code_has_a_fixture`).

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use zgen_diagnostics::Code;

const MARKER: &str = "// expect: ";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "zmodel") {
            out.push(path);
        }
    }
}

/// Splits a fixture into its schema and its expectation lines.
fn split(text: &str) -> (&str, Vec<String>) {
    let schema_end = text.find(MARKER).unwrap_or(text.len());
    let expected = text[schema_end..]
        .lines()
        .filter_map(|l| l.strip_prefix(MARKER))
        .map(str::to_string)
        .collect();
    (&text[..schema_end], expected)
}

/// Checks a fixture's schema as a single file.
fn actual(path: &Path, schema: &str) -> Vec<String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("schema.zmodel");
    let loaded = zgen_syntax::load_sources(&[(name, schema)]);
    let analysis = zgen_sema::analyze(&loaded);
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let underlined = loaded.sources.slice(d.span).replace('\n', "⏎");
            format!(
                "{} {} `{}`: {}",
                d.severity.as_str(),
                d.code.id,
                underlined,
                d.message
            )
        })
        .collect()
}

fn run(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let (schema, expected) = split(&text);
    let actual = actual(path, schema);
    let expected: Vec<String> = expected.into_iter().filter(|l| l != "nothing").collect();
    if expected == actual {
        // fine as it is
    } else if std::env::var_os("UPDATE_EXPECT").is_some() {
        // keep the file's own line endings (CRLF fixtures stay CRLF)
        let eol = if schema.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let mut updated = schema.trim_end().to_string();
        updated.push_str(eol);
        updated.push_str(eol);
        for line in &actual {
            updated.push_str(MARKER);
            updated.push_str(line);
            updated.push_str(eol);
        }
        if actual.is_empty() {
            updated.push_str(MARKER);
            updated.push_str("nothing");
            updated.push_str(eol);
        }
        std::fs::write(path, updated).map_err(|e| format!("cannot write: {e}"))?;
    } else {
        return Err(format!(
            "diagnostics differ (UPDATE_EXPECT=1 refreshes)\n--- expected\n{}\n--- actual\n{}",
            expected.join("\n"),
            actual.join("\n")
        )
        .into());
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if let Some(code) = stem.split('-').next().and_then(Code::find) {
        if !actual.iter().any(|l| l.split(' ').nth(1) == Some(code.id)) {
            return Err(format!("fixture is named for {} but does not produce it", code.id).into());
        }
    }
    Ok(())
}

/// Every catalogue code is exercised by some fixture named for it.
fn every_code_has_a_fixture(paths: &[PathBuf]) -> Result<(), Failed> {
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| {
            !paths.iter().any(|p| {
                p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.split('-').next() == Some(code.id))
            })
        })
        .map(|c| c.id)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("codes without a fixture: {}", missing.join(", ")).into())
    }
}

/// Every validation rule of the spec (`**V-…**`) is named in the doc comment
/// of some diagnostic code, and every code has a fixture: so every rule is
/// exercised by a fixture.
fn every_spec_rule_has_a_code() -> Result<(), Failed> {
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/zenstack-semantics.md");
    let Ok(spec) = std::fs::read_to_string(&spec) else {
        println!("notice: spec not found at {}; skipping", spec.display());
        return Ok(());
    };
    let codes = include_str!("../../zgen-diagnostics/src/codes.rs");
    let mentioned = |id: &str| {
        codes
            .match_indices(id)
            .any(|(at, _)| !codes[at + id.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()))
    };
    let missing: Vec<&str> = spec
        .split("**")
        .filter(|s| s.starts_with("V-") && s.len() < 8 && !s.contains(' '))
        .filter(|id| !mentioned(id))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("spec rules without a code: {}", missing.join(", ")).into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut paths = Vec::new();
    collect(&fixtures_dir(), &mut paths);
    let root = fixtures_dir();
    let mut trials: Vec<Trial> = paths
        .iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(path)
                .to_string_lossy()
                .trim_end_matches(".zmodel")
                .replace(['/', '\\'], "::");
            let path = path.clone();
            Trial::test(name, move || run(&path))
        })
        .collect();
    trials.push(Trial::test("every_code_has_a_fixture", move || {
        every_code_has_a_fixture(&paths)
    }));
    trials.push(Trial::test(
        "every_spec_rule_has_a_code",
        every_spec_rule_has_a_code,
    ));
    libtest_mimic::run(&args, trials).exit();
}
