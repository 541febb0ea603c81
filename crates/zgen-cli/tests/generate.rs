//! `zgen generate`: files written, unchanged files left alone, `--check`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn zgen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zgen").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schema = include_str!("../../../examples/blog/schema.zmodel");
    std::fs::write(dir.path().join("schema.zmodel"), schema).unwrap();
    dir
}

#[test]
fn generate_writes_the_root_model_files_and_the_compiled_schema() {
    let dir = project();
    zgen(dir.path())
        .args(["generate", "-o", "src/db"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("generated 4 files"));
    let out = dir.path().join("src/db");
    for file in ["mod.rs", "user.rs", "post.rs", "schema.bin"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let root = std::fs::read_to_string(out.join("mod.rs")).unwrap();
    assert!(root.starts_with("// @generated"), "{root}");
    assert!(root.contains("pub mod post;"), "{root}");
}

#[test]
fn http_api_is_generated_only_when_asked() {
    let dir = project();
    zgen(dir.path()).args(["generate"]).assert().code(0);
    let root = std::fs::read_to_string(dir.path().join("zgen/mod.rs")).unwrap();
    assert!(!root.contains("pub fn api("), "{root}");
    zgen(dir.path())
        .args(["generate", "--http-api"])
        .assert()
        .code(0);
    let root = std::fs::read_to_string(dir.path().join("zgen/mod.rs")).unwrap();
    assert!(
        root.contains("pub fn api(pool: zc::zgen_server::Pool)"),
        "{root}"
    );
}

#[test]
fn datetime_time_makes_datetime_fields_offset_date_times() {
    let dir = project();
    let post = |args: &[&str]| {
        zgen(dir.path()).args(args).assert().code(0);
        std::fs::read_to_string(dir.path().join("zgen/post.rs")).unwrap()
    };
    let chrono = post(&["generate"]);
    assert!(
        chrono.contains("pub created_at: zc::chrono::DateTime<zc::chrono::Utc>,"),
        "{chrono}"
    );
    let time = post(&["generate", "--datetime", "time"]);
    assert!(
        time.contains("pub created_at: zc::time::OffsetDateTime,"),
        "{time}"
    );
    zgen(dir.path())
        .args(["generate", "--datetime", "jiff"])
        .assert()
        .code(2);
}

#[test]
fn unchanged_files_are_not_rewritten() {
    let dir = project();
    zgen(dir.path()).args(["generate"]).assert().code(0);
    let post = dir.path().join("zgen/post.rs");
    let before = std::fs::metadata(&post).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    zgen(dir.path())
        .args(["generate"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("(0 changed)"));
    assert_eq!(
        std::fs::metadata(&post).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn check_exits_1_on_stale_output_and_0_when_current() {
    let dir = project();
    zgen(dir.path())
        .args(["generate", "--check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("mod.rs"));
    zgen(dir.path()).args(["generate"]).assert().code(0);
    zgen(dir.path())
        .args(["generate", "--check"])
        .assert()
        .code(0)
        .stdout("");
    std::fs::write(dir.path().join("zgen/user.rs"), "// edited\n").unwrap();
    zgen(dir.path())
        .args(["generate", "--check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("user.rs"));
}

#[test]
fn a_schema_with_errors_generates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.zmodel"),
        "model A {\n  id Int @id\n  b Nope\n}\n",
    )
    .unwrap();
    zgen(dir.path())
        .args(["generate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Nope"));
    assert!(!dir.path().join("zgen").exists());
}
