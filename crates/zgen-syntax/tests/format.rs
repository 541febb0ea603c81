//! Formatter tests.
//!
//! - Fixture pairs under `tests/format/`: `name.zmodel` formats to
//!   `name.formatted.zmodel` (run with `UPDATE_EXPECT=1` to rewrite the
//!   expected files). Each input is also formatted with CRLF line ends, and
//!   every expected file must be a fixed point.
//! - The shared corpus (`../shared/corpus`, outside the repository): every
//!   schema formats idempotently, keeps its meaning (same tree, spans
//!   ignored) and keeps every comment. Skipped with a notice when absent.

use std::path::{Path, PathBuf};

use zgen_diagnostics::FileId;
use zgen_syntax::ast::SchemaFile;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/format");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn parse(text: &str) -> Result<SchemaFile, String> {
    let (file, diags) = zgen_syntax::parse(FileId(0), text);
    if diags.has_errors() {
        let msgs: Vec<String> = diags
            .errors()
            .map(|d| format!("{:?}: {}", d.span, d.message))
            .collect();
        return Err(msgs.join("\n"));
    }
    Ok(file)
}

fn format(text: &str) -> Result<String, String> {
    let file = parse(text)?;
    Ok(zgen_syntax::format_file(&file, text))
}

/// `Debug` output with every `Span { .. }` replaced by `Span`.
fn erase_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span {") {
        out.push_str(rest.get(..at).unwrap_or(""));
        out.push_str("Span");
        let after = rest.get(at..).unwrap_or("");
        let close = after.find('}').map_or(after.len(), |c| c + 1);
        rest = after.get(close..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The tree of a file without spans and comments, as comparable text.
fn shape(file: &SchemaFile) -> String {
    erase_spans(&format!("{:?} {:?}", file.imports, file.decls))
}

fn comment_texts(file: &SchemaFile) -> Vec<String> {
    file.comments
        .iter()
        .map(|c| {
            // The formatter drops whitespace at the ends of comment lines.
            let lines: Vec<&str> = c.text.lines().map(str::trim_end).collect();
            lines.join("\n")
        })
        .collect()
}

/// Every property a formatting of `original` must have. Returns the
/// formatted text.
fn check_properties(name: &str, original: &str) -> Result<String, String> {
    let before = parse(original).map_err(|e| format!("{name}: input does not parse:\n{e}"))?;
    let once = zgen_syntax::format_file(&before, original);
    let after =
        parse(&once).map_err(|e| format!("{name}: output does not parse:\n{e}\n---\n{once}"))?;
    let twice = zgen_syntax::format_file(&after, &once);
    if once != twice {
        return Err(format!(
            "{name}: not idempotent\n{}",
            first_difference(&once, &twice)
        ));
    }
    if shape(&before) != shape(&after) {
        return Err(format!(
            "{name}: the formatted tree differs from the original\n{}",
            first_difference(&shape(&before), &shape(&after))
        ));
    }
    let (c1, c2) = (comment_texts(&before), comment_texts(&after));
    if c1 != c2 {
        return Err(format!(
            "{name}: comments changed: {} before, {} after\nbefore: {c1:?}\nafter:  {c2:?}",
            c1.len(),
            c2.len()
        ));
    }
    if once.contains('\r') && !original.contains('\r') {
        return Err(format!("{name}: output holds a carriage return"));
    }
    if !once.is_empty() && (!once.ends_with('\n') || once.ends_with("\n\n")) {
        return Err(format!("{name}: output must end with exactly one newline"));
    }
    // `///` docs are part of the tree and keep their text verbatim.
    let trailing_ws = once
        .lines()
        .find(|l| l.ends_with([' ', '\t']) && !l.trim_start().starts_with("///"));
    if let Some(line) = trailing_ws {
        return Err(format!("{name}: trailing whitespace on `{line}`"));
    }
    Ok(once)
}

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  {x}\n  {y}", i + 1);
        }
    }
    format!(
        "lengths differ: {} vs {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

fn fixture_inputs() -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "zmodel")
                        && !p.to_string_lossy().ends_with(".formatted.zmodel")
                })
                .collect()
        })
        .unwrap_or_default();
    inputs.sort();
    inputs
}

fn expected_path(input: &Path) -> PathBuf {
    input.with_extension("formatted.zmodel")
}

#[test]
fn fixtures_format_as_expected() {
    let inputs = fixture_inputs();
    assert!(inputs.len() >= 10, "fixtures missing in {FIXTURES}");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let Ok(text) = std::fs::read_to_string(input) else {
            failures.push(format!("{name}: unreadable"));
            continue;
        };
        let actual = match check_properties(&name, &text) {
            Ok(out) => out,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let expected_file = expected_path(input);
        if update {
            if let Err(e) = std::fs::write(&expected_file, &actual) {
                failures.push(format!("{name}: cannot write expected file: {e}"));
            }
            continue;
        }
        let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{name}: output differs from {}\n{}\n--- actual ---\n{actual}",
                expected_file.display(),
                first_difference(&expected, &actual)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn expected_fixtures_are_fixed_points() {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        return; // the expected files are being rewritten concurrently
    }
    let mut failures = Vec::new();
    for input in fixture_inputs() {
        let expected_file = expected_path(&input);
        let Ok(expected) = std::fs::read_to_string(&expected_file) else {
            failures.push(format!("{}: missing", expected_file.display()));
            continue;
        };
        match format(&expected) {
            Ok(out) if out == expected => {}
            Ok(out) => failures.push(format!(
                "{}: not a fixed point\n{}",
                expected_file.display(),
                first_difference(&expected, &out)
            )),
            Err(e) => failures.push(format!("{}: {e}", expected_file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn crlf_input_formats_like_lf_input() {
    let mut failures = Vec::new();
    for input in fixture_inputs() {
        let Ok(text) = std::fs::read_to_string(&input) else {
            continue;
        };
        let lf = text.replace("\r\n", "\n");
        let crlf = lf.replace('\n', "\r\n");
        let name = format!("{} (CRLF)", input.display());
        match (format(&lf), check_properties(&name, &crlf)) {
            (Ok(a), Ok(b)) if a == b => {}
            (Ok(a), Ok(b)) => failures.push(format!("{name}\n{}", first_difference(&a, &b))),
            (Err(e), _) | (_, Err(e)) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn crlf_fixture_really_has_crlf() {
    // `crlf.zmodel` is stored with CRLF line ends (the test above also
    // converts every fixture to CRLF).
    let path = Path::new(FIXTURES).join("crlf.zmodel");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        text.contains("\r\n"),
        "{} lost its CRLF line ends",
        path.display()
    );
    let out = format(&text).unwrap_or_default();
    assert!(!out.contains('\r'));
    assert!(out.ends_with("}\n"));
}

fn zmodel_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            zmodel_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "zmodel") {
            out.push(path);
        }
    }
}

/// Some corpus files are git symlinks checked out as a one-line path; the
/// schema they point at is in the corpus too.
fn is_link_stub(text: &str) -> bool {
    let t = text.trim();
    t.ends_with(".zmodel") && !t.contains(char::is_whitespace)
}

#[test]
fn corpus_formats_idempotently_and_keeps_meaning_and_comments() {
    let root = PathBuf::from(CORPUS);
    if !root.is_dir() {
        println!("notice: schema corpus not found at {CORPUS}; skipping");
        return;
    }
    let mut files = Vec::new();
    zmodel_files(&root, &mut files);
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut comments = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if is_link_stub(&text) {
            continue;
        }
        let name = path.display().to_string();
        match check_properties(&name, &text) {
            Ok(_) => {
                checked += 1;
                comments += parse(&text).map_or(0, |f| f.comments.len());
            }
            Err(e) => failures.push(e),
        }
    }
    println!("formatted {checked} corpus files holding {comments} comments");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 50, "only {checked} corpus files checked");
    assert!(comments > 100, "only {comments} comments in the corpus");
}

#[test]
fn erase_spans_removes_only_spans() {
    let s = "Ident { name: \"a\", span: Span { file: FileId(0), start: 1, end: 2 } }";
    assert_eq!(erase_spans(s), "Ident { name: \"a\", span: Span }");
}

/// Offsets of whitespace between tokens (outside strings and comments).
fn gaps(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while bytes.get(i).is_some()
                    && !(bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                i += 2;
            }
            b'"' | b'\'' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b {
                        break;
                    }
                }
            }
            b' ' | b'\n' => {
                out.push(i);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// `text` with `count` comments (alternating block and line comments)
/// inserted at pseudo-random gaps between tokens.
/// Line comments end the line, so where one lands between a field's name
/// and its type the schema no longer parses; `line_comments: false` injects
/// only block comments.
fn inject_comments(text: &str, seed: u64, count: usize, line_comments: bool) -> String {
    let gaps = gaps(text);
    if gaps.is_empty() {
        return text.to_string();
    }
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut picks: Vec<(usize, usize)> = (0..count)
        .map(|k| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let idx = usize::try_from(state >> 33).unwrap_or(0) % gaps.len();
            (gaps.get(idx).copied().unwrap_or(0), k)
        })
        .collect();
    picks.sort_unstable();
    let mut out = String::with_capacity(text.len() + count * 12);
    let mut last = 0;
    for (at, k) in picks {
        out.push_str(text.get(last..at).unwrap_or(""));
        if k % 2 == 0 || !line_comments {
            out.push_str(&format!(" /* k{k} */ "));
        } else {
            out.push_str(&format!(" // k{k}\n"));
        }
        last = at;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

#[test]
fn corpus_with_injected_comments_keeps_every_property() {
    let root = PathBuf::from(CORPUS);
    if !root.is_dir() {
        println!("notice: schema corpus not found at {CORPUS}; skipping");
        return;
    }
    let mut files = Vec::new();
    zmodel_files(&root, &mut files);
    let mut failures = Vec::new();
    let (mut checked, mut rejected) = (0, 0);
    for (n, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if is_link_stub(&text) {
            continue;
        }
        for variant in 0..2u64 {
            let seed = (n as u64) * 31 + variant;
            let count = 8 + text.len() / 400;
            let mut injected = inject_comments(&text, seed, count, true);
            if parse(&injected).is_err() {
                injected = inject_comments(&text, seed, count, false);
            }
            if parse(&injected).is_err() {
                rejected += 1;
                continue;
            }
            let name = format!("{} (seed {seed})", path.display());
            match check_properties(&name, &injected) {
                Ok(_) => checked += 1,
                Err(e) => failures.push(e),
            }
        }
    }
    println!("checked {checked} variants, {rejected} did not parse");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked > 100, "only {checked} variants checked");
}
