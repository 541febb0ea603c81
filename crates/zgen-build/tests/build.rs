//! `zgen-build`: generation into a folder, the files to watch, and errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const MAIN: &str = "import 'user'\n\ndatasource db {\n  provider = \"sqlite\"\n}\n\nmodel Post {\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n  @@allow('all', true)\n}\n";
const USER: &str = "model User {\n  id Int @id\n  posts Post[]\n  @@allow('all', true)\n}\n";

#[test]
fn load_lists_the_schema_and_every_imported_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "schema.zmodel", MAIN);
    write(dir.path(), "user.zmodel", USER);
    let (files, schema) = zgen_build::load(&dir.path().join("schema.zmodel"), false);
    assert!(schema.is_ok());
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("schema.zmodel"));
    assert!(files[1].ends_with("user.zmodel"));
}

#[test]
fn compile_writes_into_the_folder_and_leaves_unchanged_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "schema.zmodel", MAIN);
    write(dir.path(), "user.zmodel", USER);
    let out = dir.path().join("out");
    let config = zgen_build::Config::new().out_dir(&out);
    config.compile(dir.path().join("schema.zmodel")).unwrap();
    for file in ["mod.rs", "post.rs", "user.rs", "schema.bin"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let before = std::fs::metadata(out.join("post.rs"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    config.compile(dir.path().join("schema.zmodel")).unwrap();
    let after = std::fs::metadata(out.join("post.rs"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn errors_are_rendered_with_the_source_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "schema.zmodel",
        "datasource db {\n  provider = \"sqlite\"\n}\n\nmodel A {\n  id Int @id\n  b Nope\n}\n",
    );
    let out = dir.path().join("out");
    let err = zgen_build::Config::new()
        .out_dir(&out)
        .compile(dir.path().join("schema.zmodel"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("Nope"), "{err}");
    assert!(err.contains("has 1 error"), "{err}");
    assert!(!out.exists());
}
