//! `Client::find_many_as`, `find_first_as`, `find_unique_as` and the
//! single-row writes' `create_as`, `update_as`, `upsert_as`: rows read straight into serde
//! types agree with `run`'s JSON, whatever the arguments, encodings and
//! rules.

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

// Writable by anyone, readable only while `n` is positive.
model Tally {
  id Int @id
  n  Int
  @@allow('create,update', true)
  @@allow('read', n > 0)
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
            let first: Option<Json> = client.find_first_as("Item", args).unwrap().unwrap();
            let expected = client.run("Item", "findFirst", args).unwrap();
            assert_eq!(first.unwrap_or_default(), expected, "first of {args}");
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

/// The same write on two copies of one database: through `run` and
/// through the typed `*_as` entry point.
fn same_write(
    op: &str,
    auth: Option<Json>,
    model: &str,
    args: &Json,
) -> (Result<Json, String>, Result<Json, String>, [Json; 2]) {
    let (json_db, typed_db) = (db(), db());
    let json_side = json_db.engine.client(&json_db.conn, auth.clone());
    let typed_side = typed_db.engine.client(&typed_db.conn, auth);
    let expected = json_side.run(model, op, args);
    let typed = match op {
        "create" => typed_side.create_as::<Json>(model, args),
        "update" => typed_side.update_as::<Json>(model, args),
        "upsert" => typed_side.upsert_as::<Json>(model, args),
        other => panic!("not a single-row write: {other}"),
    }
    .map(|decoded| decoded.unwrap());
    let everything = json!({"orderBy": {"id": "asc"}});
    let tables = [&json_db, &typed_db].map(|db| {
        let all = db.engine.client(&db.conn, Some(json!({"id": 1})));
        json!([
            all.run("Item", "findMany", &everything).unwrap(),
            db.raw_count("Tally"),
        ])
    });
    let reason = |r: Result<Json, zgen_runtime::Error>| r.map_err(|e| common::reason(Err(e)));
    (reason(typed), reason(expected), tables)
}

#[test]
fn written_rows_read_as_json_equal_the_json_result() {
    let item = |id: i64| {
        json!({"id": id, "title": "new", "at": "2024-06-01T00:00:00Z", "ownerId": 2,
            "secret": "s", "meta": {"k": [1]}, "big": 5, "price": "1.5"})
    };
    let cases = [
        ("create", json!({"data": item(10)})),
        (
            "create",
            json!({"data": item(11), "select": {"id": true, "secret": true}}),
        ),
        (
            "create",
            json!({"data": item(12), "include": {"owner": true}}),
        ),
        ("create", json!({"data": item(13), "omit": {"meta": true}})),
        ("create", json!({"data": item(1)})),
        ("create", json!({"data": {"id": 5, "n": 0}})),
        (
            "update",
            json!({"where": {"id": 2}, "data": {"title": "t", "done": true}}),
        ),
        (
            "update",
            json!({"where": {"id": 3}, "data": {"kind": "TASK"}, "select": {"kind": true}}),
        ),
        (
            "update",
            json!({"where": {"id": 4}, "data": {"ownerId": 1}, "include": {"owner": true}}),
        ),
        (
            "update",
            json!({"where": {"id": 99}, "data": {"title": "t"}}),
        ),
        (
            "upsert",
            json!({"where": {"id": 5}, "create": item(5), "update": {"title": "u"}}),
        ),
        (
            "upsert",
            json!({"where": {"id": 20}, "create": item(20), "update": {"title": "u"}}),
        ),
    ];
    for auth in [None, Some(json!({"id": 1}))] {
        for (op, args) in &cases {
            let model = if args["data"].get("n").is_some() {
                "Tally"
            } else {
                "Item"
            };
            let (typed, expected, [a, b]) = same_write(op, auth.clone(), model, args);
            assert_eq!(typed, expected, "{op} {args} as {auth:?}");
            assert_eq!(a, b, "the databases after {op} {args}");
        }
    }
}

#[test]
fn an_unreadable_written_row_stays_written() {
    for op in ["create", "upsert"] {
        let args = json!({"data": {"id": 1, "n": 0}, "where": {"id": 1},
            "create": {"id": 1, "n": 0}, "update": {"n": 0}});
        let mut args = args.as_object().unwrap().clone();
        if op == "create" {
            args.retain(|k, _| k == "data");
        } else {
            args.remove("data");
        }
        let (typed, expected, [a, b]) = same_write(op, None, "Tally", &Json::Object(args));
        let refused = Err("rejected-by-policy/cannot-read-back".to_string());
        assert_eq!(typed, refused, "{op}");
        assert_eq!(typed, expected);
        assert_eq!(a, b);
        assert_eq!(a[1], json!(1), "the {op} stays");
    }
}

#[test]
fn structs_of_other_field_orders_agree_with_the_json_result() {
    // fields in another order than the selection, some of it left out, a
    // renamed one
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        title: String,
        #[serde(rename = "ownerId")]
        owner: i64,
        id: i64,
        hidden: Option<String>,
    }
    let db = db();
    let client = db.engine.client(&db.conn, None);
    let args = json!({"orderBy": {"id": "desc"}});
    let typed: Vec<Item> = client.find_many_as("Item", &args).unwrap().unwrap();
    let expected: Vec<Item> =
        serde_json::from_value(client.run("Item", "findMany", &args).unwrap()).unwrap();
    assert_eq!(typed, expected);
    assert_eq!(typed.len(), 6);
    let selected = json!({"select": {"id": true, "ownerId": true}, "where": {"id": 3}});
    let partial: Option<Json> = client.find_unique_as("Item", &selected).unwrap().unwrap();
    assert_eq!(partial, Some(json!({"id": 3, "ownerId": 2})));
    let missing = client.find_unique_as::<Item>("Item", &selected).unwrap();
    assert!(missing
        .unwrap_err()
        .to_string()
        .contains("missing field `title`"));
}
