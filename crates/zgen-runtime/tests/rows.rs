//! `Client::find_many_as` and `find_unique_as`: rows read straight into
//! serde types agree with `run("findMany")`'s and `run("findUnique")`'s
//! JSON, whatever the arguments, encodings and rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::{json, Value as Json};

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

enum Kind {
  NOTE @map('note')
  TASK
}

model User {
  id    Int    @id
  name  String
  items Item[]
  @@allow('all', true)
}

model Item {
  id       Int      @id
  title    String
  kind     Kind     @default(NOTE)
  done     Boolean  @default(false)
  at       DateTime
  big      BigInt?
  price    Decimal?
  meta     Json?
  blob     Bytes?
  secret   String?  @allow('read', auth().id == ownerId)
  hidden   String?  @omit
  owner    User     @relation(fields: [ownerId], references: [id])
  ownerId  Int
  @@allow('all', true)
}
"#;

fn db() -> Db {
    let db = Db::new(SCHEMA);
    db.ok(
        None,
        "User",
        "createMany",
        json!({"data": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}),
    );
    for i in 1..=6 {
        db.ok(
            None,
            "Item",
            "create",
            json!({"data": {
                "id": i,
                "title": format!("item {}", i % 3),
                "kind": if i % 2 == 0 { "TASK" } else { "NOTE" },
                "done": i % 3 == 0,
                "at": format!("2024-05-0{i}T10:00:00+02:00"),
                "big": if i % 2 == 0 { json!(9_007_199_254_740_993_i64) } else { Json::Null },
                "price": if i > 3 { json!("12.50") } else { Json::Null },
                "meta": {"n": i, "tags": ["x"]},
                "blob": [i, 0, 255],
                "secret": format!("s{i}"),
                "hidden": "h",
                "ownerId": 1 + i % 2,
            }}),
        );
    }
    // A DateTime stored in another form than the engine writes.
    db.raw("UPDATE Item SET at = '2024-05-01 08:00:00' WHERE id = 1");
    db
}

#[test]
fn rows_read_as_json_equal_the_json_result() {
    let db = db();
    let cases = [
        json!({}),
        json!({"where": {"kind": "TASK"}, "orderBy": {"id": "desc"}}),
        json!({"select": {"id": true, "at": true, "secret": true}}),
        json!({"omit": {"meta": true}, "take": -2, "orderBy": {"id": "asc"}}),
        json!({"omit": {"hidden": false}, "skip": 1, "take": 3}),
        json!({"distinct": ["title"], "orderBy": {"id": "asc"}}),
        json!({"include": {"owner": true}}),
        json!({"select": {"id": true, "owner": {"select": {"name": true}}}}),
        json!({"where": {"id": 99}}),
        // The shapes above again with other values: the cached read plan
        // runs with these parameters.
        json!({"where": {"kind": "NOTE"}, "orderBy": {"id": "desc"}}),
        json!({"where": {"id": 2}}),
    ];
    // Both paths share the read plans of one auth value; each side writes
    // the plans first for one of the two.
    for (auth, typed_first) in [(None, true), (Some(json!({"id": 1})), false)] {
        let client = db.engine.client(&db.conn, auth.clone());
        for args in &cases {
            let typed = || -> Json { client.find_many_as("Item", args).unwrap().unwrap() };
            let first = typed_first.then(typed);
            let expected = client.run("Item", "findMany", args).unwrap();
            let rows = first.unwrap_or_else(typed);
            assert_eq!(rows, expected, "{args} as {auth:?}");
        }
    }
}

#[test]
fn a_unique_row_read_as_json_equals_the_json_result() {
    let db = db();
    for auth in [None, Some(json!({"id": 1})), Some(json!({"id": 2}))] {
        let client = db.engine.client(&db.conn, auth.clone());
        for id in 0..=7 {
            for args in [
                json!({"where": {"id": id}}),
                json!({"where": {"id": id}, "select": {"id": true, "secret": true, "at": true}}),
                json!({"where": {"id": id}, "include": {"owner": true}}),
                json!({"where": {"id": id}, "omit": {"meta": true}}),
            ] {
                let typed: Option<Json> = client.find_unique_as("Item", &args).unwrap().unwrap();
                let expected = client.run("Item", "findUnique", &args).unwrap();
                assert_eq!(typed.unwrap_or(Json::Null), expected, "{args} as {auth:?}");
            }
        }
        // the same checks as `findUnique`'s
        let not_unique = client.find_unique_as::<Json>("Item", &json!({"where": {"title": "x"}}));
        assert_eq!(
            common::reason(not_unique.map(|r| r.unwrap_or_default().unwrap_or_default())),
            "invalid-input"
        );
    }
}

#[test]
fn engine_errors_and_decode_errors_are_told_apart() {
    let db = db();
    let client = db.engine.client(&db.conn, None);
    let bad = client.find_many_as::<Json>("Item", &json!({"take": "x"}));
    assert!(bad.is_err());
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        title: i64,
    }
    let wrong = client
        .find_many_as::<Vec<Wrong>>("Item", &json!({}))
        .unwrap();
    assert!(wrong.is_err());
}
