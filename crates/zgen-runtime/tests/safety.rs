//! Hostile values are data, never SQL; a write rejected deep inside a
//! nested operation leaves the database exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{reason, Db, NO_ACCESS};
use serde_json::{json, Value as Json};

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

model Note {
  id    Int    @id
  text  String
  data  Json?
  blob  Bytes?
  kind  Kind   @default(PLAIN)
  tasks Task[]
  @@allow('all', true)
}

enum Kind {
  PLAIN
  RICH
}

model Task {
  id     Int    @id
  title  String
  note   Note   @relation(fields: [noteId], references: [id])
  noteId Int
  steps  Step[]
  @@allow('all', true)
}

model Step {
  id     Int    @id
  label  String
  task   Task   @relation(fields: [taskId], references: [id])
  taskId Int
  @@allow('read', true)
  @@allow('create', label != 'forbidden')
}
"#;

fn hostile() -> Vec<String> {
    vec![
        "'".into(),
        "\"".into(),
        "'; DROP TABLE \"Note\"; --".into(),
        "%".into(),
        "_".into(),
        "\\".into(),
        "a%b_c\\d".into(),
        "nul\0byte".into(),
        "ünïcödé ✓ 😀".into(),
        "x".repeat(100_000),
        "\u{FEFF}bom".into(),
        "line\r\nbreak".into(),
    ]
}

#[test]
fn hostile_strings_round_trip_verbatim_in_every_position() {
    let db = Db::new(SCHEMA);
    for (i, s) in hostile().into_iter().enumerate() {
        let id = i as i64 + 1;
        let data = json!({"s": s, "nested": [s.clone(), {"k": s.clone()}]});
        let created = db.ok(
            None,
            "Note",
            "create",
            json!({"data": {"id": id, "text": s, "data": data}}),
        );
        assert_eq!(created["text"], json!(s));
        assert_eq!(created["data"], data);
        // as a filter value, equality finds exactly that row
        let found = db.ok(
            None,
            "Note",
            "findMany",
            json!({"where": {"text": s}, "select": {"id": true}}),
        );
        assert_eq!(found, json!([{"id": id}]), "equals {s:?}");
        // as a LIKE search, wildcards are literal (SQLite caps patterns at
        // 50,000 bytes; longer searches are the database's error)
        if s.len() > 50_000 {
            let r = db.run(
                None,
                "Note",
                "findMany",
                json!({"where": {"text": {"contains": s}}}),
            );
            assert_eq!(reason(r), "db-query-error");
            continue;
        }
        let found = db.ok(
            None,
            "Note",
            "findMany",
            json!({"where": {"text": {"contains": s}}, "select": {"id": true}}),
        );
        assert!(
            found.as_array().unwrap().contains(&json!({"id": id})),
            "contains {s:?}"
        );
        if s.contains('%') || s.contains('_') {
            assert!(
                found.as_array().unwrap().len() <= 2,
                "{s:?} matched as a pattern: {found}"
            );
        }
    }
    for (i, s) in hostile().into_iter().enumerate() {
        let updated = db.ok(
            None,
            "Note",
            "update",
            json!({"where": {"id": i + 1}, "data": {"text": format!("{s}!")}}),
        );
        assert_eq!(updated["text"], json!(format!("{s}!")));
    }
    assert_eq!(db.raw_count("Note"), hostile().len() as i64);
    // hostile names are errors, not SQL
    for key in ["id\" = 1 OR \"1", "x; DROP TABLE Note"] {
        let r = db.run(None, "Note", "findMany", json!({"where": {key: 1}}));
        assert_eq!(reason(r), "invalid-input");
        let r = db.run(None, "Note", "findMany", json!({"orderBy": {key: "asc"}}));
        assert_eq!(reason(r), "invalid-input");
    }
    let r = db.run(
        None,
        "Note",
        "create",
        json!({"data": {"id": 999, "text": "t", "kind": "'; DROP"}}),
    );
    assert_eq!(reason(r), "invalid-input");
}

/// Bytes are the one place non-UTF-8 data goes in: every byte value, the
/// invalid UTF-8 sequences among them, survives a round trip and a filter.
#[test]
fn non_utf8_bytes_round_trip_verbatim() {
    let db = Db::new(SCHEMA);
    let all: Vec<u8> = (0..=255).rev().collect();
    let invalid = vec![0xC3, 0x28, 0xFF, 0x00, 0xED, 0xA0, 0x80];
    for (id, bytes) in [(1, &all), (2, &invalid)] {
        let created = db.ok(
            None,
            "Note",
            "create",
            json!({"data": {"id": id, "text": "b", "blob": bytes}}),
        );
        assert_eq!(created["blob"], json!(bytes));
        let found = db.ok(
            None,
            "Note",
            "findMany",
            json!({"where": {"blob": bytes}, "select": {"id": true}}),
        );
        assert_eq!(found, json!([{"id": id}]));
    }
    let stored: Vec<u8> = db
        .conn
        .query_row("SELECT blob FROM Note WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, invalid);
}

/// Every row of every table, in a stable order.
fn dump(db: &Db) -> Vec<Vec<String>> {
    let mut tables: Vec<String> = {
        let mut stmt = db
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = db
            .conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>();
        out.push(std::iter::once(t).chain(rows).collect());
    }
    out
}

#[test]
fn a_rejection_at_the_deepest_step_leaves_the_database_identical() {
    let db = Db::new(SCHEMA);
    db.ok(None, "Note", "create", json!({"data": {"id": 1, "text": "keep", "tasks": {"create": {"id": 1, "title": "t", "steps": {"create": {"id": 1, "label": "ok"}}}}}}));
    let before = dump(&db);
    let deep = |step: Json| {
        json!({"data": {"id": 2, "text": "new", "tasks": {"create": [
            {"id": 2, "title": "a", "steps": {"create": [{"id": 2, "label": "fine"}]}},
            {"id": 3, "title": "b", "steps": {"create": [{"id": 3, "label": "fine"}, step]}}
        ]}}})
    };
    let r = db.run(
        None,
        "Note",
        "create",
        deep(json!({"id": 4, "label": "forbidden"})),
    );
    assert_eq!(reason(r), NO_ACCESS);
    assert_eq!(dump(&db), before);
    // the same through an update of the existing note
    let r = db.run(None, "Note", "update", json!({"where": {"id": 1}, "data": {"text": "changed", "tasks": {"create": {"id": 5, "title": "c", "steps": {"create": {"id": 6, "label": "forbidden"}}}}}}));
    assert_eq!(reason(r), NO_ACCESS);
    assert_eq!(dump(&db), before);
    // and it commits when the deepest step is allowed
    db.ok(
        None,
        "Note",
        "create",
        deep(json!({"id": 4, "label": "fine"})),
    );
    assert_eq!(db.raw_count("Step"), 4);
}
