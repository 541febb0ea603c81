//! End-to-end tests of the `zgen` binary on temporary directories.

// Test code: a failed `expect` is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::TempDir;

const DATASOURCE: &str =
    "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n";

const USER: &str = "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n\n  @@allow('read', true)\n  @@allow('update', auth() == this)\n}\n";

/// A valid schema.
fn valid() -> String {
    format!("{DATASOURCE}\n{USER}")
}

/// A schema whose line 8 does not parse.
fn broken() -> String {
    format!("{DATASOURCE}\nmodel User {{\n  id Int @id @default(autoincrement())\n  ??? what\n}}\n")
}

/// Writes `files` (relative path, text) into a fresh temporary directory.
fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, text).expect("write schema");
    }
    dir
}

fn zgen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zgen").expect("zgen binary");
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).expect("read back")
}

fn json_of(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

// ---- check ----------------------------------------------------------------

#[test]
fn check_valid_schema_exits_0() {
    let dir = project(&[("schema.zmodel", &valid())]);
    zgen(dir.path())
        .args(["check", "schema.zmodel"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no problems found in 1 file"));
}

#[test]
fn the_blog_example_is_clean_and_formatted() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/blog/schema.zmodel");
    zgen(Path::new(env!("CARGO_MANIFEST_DIR")))
        .arg("check")
        .arg(&example)
        .assert()
        .code(0);
    zgen(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["fmt", "--check"])
        .arg(&example)
        .assert()
        .code(0);
}

#[test]
fn check_syntax_error_exits_1_with_code_location_and_summary() {
    let dir = project(&[("schema.zmodel", &broken())]);
    zgen(dir.path())
        .args(["check", "--color", "never", "schema.zmodel"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("Z0001"))
        .stderr(predicate::str::contains("schema.zmodel:8:"))
        .stderr(predicate::str::is_match(r"\d+ errors?\n$").expect("regex"));
}

#[test]
fn check_json_has_documented_keys_and_one_based_positions() {
    let dir = project(&[("schema.zmodel", &broken())]);
    let out = zgen(dir.path())
        .args(["check", "--format", "json", "schema.zmodel"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    let diagnostics = doc["diagnostics"].as_array().expect("diagnostics array");
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        for key in [
            "severity",
            "code",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "help",
        ] {
            assert!(d.get(key).is_some(), "missing `{key}` in {d}");
        }
    }
    let first = &diagnostics[0];
    assert_eq!(first["code"], "Z0001");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "schema.zmodel");
    assert_eq!(first["line"], 8, "{first}");
    assert!(first["column"].as_u64().expect("column") >= 1);
    assert!(first["end_line"].as_u64() >= first["line"].as_u64());
    assert_eq!(doc["errors"].as_u64(), Some(diagnostics.len() as u64));
    assert_eq!(doc["warnings"], 0);
}

#[test]
fn check_json_on_a_clean_schema_is_an_empty_report() {
    let dir = project(&[("schema.zmodel", &valid())]);
    let out = zgen(dir.path())
        .args(["check", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
    assert_eq!(
        (doc["errors"].as_u64(), doc["warnings"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn check_github_prints_workflow_annotations() {
    let dir = project(&[("schema.zmodel", &broken())]);
    let out = zgen(dir.path())
        .args(["check", "--format", "github", "schema.zmodel"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(
            line.starts_with("::error file=schema.zmodel,line=8,"),
            "{line}"
        );
    }
}

#[test]
fn deny_warnings_turns_a_warning_into_exit_1() {
    let schema = format!(
        "{}\ngenerator client {{\n  provider = \"prisma-client-js\"\n}}\n",
        valid()
    );
    let dir = project(&[("schema.zmodel", &schema)]);
    zgen(dir.path())
        .args(["check", "--color", "never"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("Z0207"))
        .stderr(predicate::str::ends_with("1 warning\n"));
    let out = zgen(dir.path())
        .args(["check", "--deny-warnings", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["diagnostics"][0]["code"], "Z0207");
    assert_eq!(doc["diagnostics"][0]["severity"], "error");
    assert_eq!(
        (doc["errors"].as_u64(), doc["warnings"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn missing_file_exits_2_with_one_line() {
    let dir = project(&[]);
    zgen(dir.path())
        .args(["check", "nope.zmodel"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: schema file `nope.zmodel` does not exist\n");
}

#[test]
fn a_missing_file_among_several_prints_no_partial_report() {
    let dir = project(&[("schema.zmodel", &broken())]);
    zgen(dir.path())
        .args(["check", "--format", "json", "schema.zmodel", "nope.zmodel"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn usage_errors_exit_2() {
    let dir = project(&[("schema.zmodel", &valid())]);
    zgen(dir.path())
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    zgen(dir.path()).args(["frobnicate"]).assert().code(2);
}

#[test]
fn default_paths_are_schema_zmodel_then_zenstack() {
    // Only `zenstack/schema.zmodel`: it is checked.
    let dir = project(&[("zenstack/schema.zmodel", &broken())]);
    let out = zgen(dir.path())
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        json_of(&out.stdout)["diagnostics"][0]["file"],
        "zenstack/schema.zmodel"
    );

    // Both: `schema.zmodel` wins.
    let dir = project(&[
        ("schema.zmodel", &valid()),
        ("zenstack/schema.zmodel", &broken()),
    ]);
    zgen(dir.path()).arg("check").assert().code(0);

    // Neither: a usage error.
    let dir = project(&[("other.zmodel", &valid())]);
    zgen(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no schema found"));
}

#[test]
fn imports_are_checked_through_the_entry() {
    let entry = format!("import \"models\"\n\n{DATASOURCE}");
    let dir = project(&[("schema.zmodel", &entry), ("models.zmodel", USER)]);
    zgen(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no problems found in 2 files"));

    // An error in the imported file is reported against that file.
    let bad_user = "model User {\n  id Int @id\n  ??? what\n}\n";
    std::fs::write(dir.path().join("models.zmodel"), bad_user).expect("write");
    let out = zgen(dir.path())
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["diagnostics"][0]["code"], "Z0001");
    assert_eq!(doc["diagnostics"][0]["file"], "models.zmodel");
    assert_eq!(doc["diagnostics"][0]["line"], 3);
}

#[test]
fn several_files_give_one_json_document() {
    let dir = project(&[
        ("a.zmodel", &broken()),
        ("b.zmodel", &broken()),
        ("c.zmodel", &valid()),
    ]);
    let out = zgen(dir.path())
        .args([
            "check", "--format", "json", "a.zmodel", "b.zmodel", "c.zmodel",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc = json_of(&out.stdout);
    let files: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(
        files.contains(&"a.zmodel") && files.contains(&"b.zmodel"),
        "{files:?}"
    );
    assert!(!files.contains(&"c.zmodel"), "{files:?}");
}

#[test]
fn color_follows_the_flag() {
    let dir = project(&[("schema.zmodel", &broken())]);
    zgen(dir.path())
        .args(["check", "--color", "never"])
        .assert()
        .stderr(predicate::str::contains("\u{1b}[").not());
    zgen(dir.path())
        .args(["check", "--color", "always"])
        .assert()
        .stderr(predicate::str::contains("\u{1b}["));
    // `auto` with stderr captured by the test: no color.
    zgen(dir.path())
        .arg("check")
        .assert()
        .stderr(predicate::str::contains("\u{1b}[").not());
}

// ---- fmt ------------------------------------------------------------------

/// A valid schema in a bad layout.
const MESSY: &str = "datasource db {\nprovider=\"sqlite\"\n     url = \"file:./dev.db\"\n}\nmodel   User{\nid Int @id @default(autoincrement())\n      email    String @unique\n@@allow('read',true)\n}\n";

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
}

/// Sets a file's modification time far into the past, so that a rewrite
/// is visible even within the file system's time resolution.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(old))
        .expect("set mtime");
    old
}

#[test]
fn fmt_rewrites_a_messy_file_and_then_changes_nothing() {
    let dir = project(&[("schema.zmodel", MESSY)]);
    zgen(dir.path())
        .args(["fmt", "schema.zmodel"])
        .assert()
        .code(0)
        .stdout("");
    let once = read(dir.path(), "schema.zmodel");
    assert_ne!(once, MESSY);
    assert!(once.contains("model User {"), "{once}");

    let path: PathBuf = dir.path().join("schema.zmodel");
    let old = age(&path);
    zgen(dir.path()).arg("fmt").assert().code(0);
    assert_eq!(read(dir.path(), "schema.zmodel"), once);
    assert_eq!(mtime(&path), old, "an unchanged file was rewritten");

    // The formatted file still checks clean.
    zgen(dir.path()).arg("check").assert().code(0);
}

#[test]
fn fmt_check_lists_files_and_exits_1_until_formatted() {
    let dir = project(&[("a.zmodel", MESSY), ("b.zmodel", MESSY)]);
    zgen(dir.path()).args(["fmt", "b.zmodel"]).assert().code(0);
    zgen(dir.path())
        .args(["fmt", "--check", "a.zmodel", "b.zmodel"])
        .assert()
        .code(1)
        .stdout("a.zmodel\n");
    assert_eq!(read(dir.path(), "a.zmodel"), MESSY, "--check wrote a file");

    zgen(dir.path()).args(["fmt", "a.zmodel"]).assert().code(0);
    zgen(dir.path())
        .args(["fmt", "--check", "a.zmodel", "b.zmodel"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_untouched() {
    let messy_and_broken = format!("{MESSY}model   Post{{\n  ??? what\n}}\n");
    let dir = project(&[("bad.zmodel", &messy_and_broken), ("good.zmodel", MESSY)]);
    zgen(dir.path())
        .args(["fmt", "--color", "never", "bad.zmodel", "good.zmodel"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Z0001"))
        .stderr(predicate::str::contains("bad.zmodel:"));
    assert_eq!(read(dir.path(), "bad.zmodel"), messy_and_broken);
    // The good file is formatted all the same.
    assert_ne!(read(dir.path(), "good.zmodel"), MESSY);
}

#[test]
fn fmt_formats_only_the_named_files_not_their_imports() {
    let entry = "import \"models\"\n\ndatasource db {\nprovider=\"sqlite\"\n}\n";
    let models = "model   User{\nid Int @id\n}\n";
    let dir = project(&[("schema.zmodel", entry), ("models.zmodel", models)]);
    zgen(dir.path()).arg("fmt").assert().code(0);
    assert_ne!(read(dir.path(), "schema.zmodel"), entry);
    assert_eq!(read(dir.path(), "models.zmodel"), models);
}

#[test]
fn fmt_missing_file_exits_2_and_writes_nothing() {
    let dir = project(&[("schema.zmodel", MESSY)]);
    zgen(dir.path())
        .args(["fmt", "schema.zmodel", "nope.zmodel"])
        .assert()
        .code(2)
        .stderr("error: schema file `nope.zmodel` does not exist\n");
    assert_eq!(read(dir.path(), "schema.zmodel"), MESSY);
}
