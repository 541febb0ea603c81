//! Json filters with `path` and typed JSON checked against its type, on
//! real SQLite databases (the ZenStack comparison is the conformance
//! suite's `65-json.json`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{reason, Db};
use serde_json::{json, Value as Json};

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

type Point {
  x  Int
  y  Float?
  at DateTime?
  n  Decimal?
}

type Shape {
  label  String
  origin Point
  points Point[]
}

type Exact {
  a Int
  @@strict
}

model Doc {
  id    Int    @id
  data  Json?
  shape Shape? @json
  exact Exact? @json
  @@allow('all', true)
}
"#;

const HOSTILE: [&str; 7] = [
    "'",
    "\"",
    "'; DROP TABLE \"Doc\"; --",
    "%",
    "_",
    "\\",
    "') OR 1=1 --",
];

fn seeded() -> Db {
    let db = Db::new(SCHEMA);
    let rows = [
        json!({"a": 1, "s": "hello", "arr": [1, 2, 3], "o": {"b": "deep"}}),
        json!({"a": 2, "s": "a%b_c", "arr": [3, 2, 1], "o": {"b": "x"}}),
        json!({"a": "1", "s": 5, "arr": []}),
        Json::Null,
        json!([1, "two", true]),
    ];
    for (i, data) in rows.into_iter().enumerate() {
        db.ok(
            None,
            "Doc",
            "create",
            json!({"data": {"id": i + 1, "data": data}}),
        );
    }
    for (i, s) in HOSTILE.iter().enumerate() {
        let data = json!({"s": s, (*s): i});
        db.ok(
            None,
            "Doc",
            "create",
            json!({"data": {"id": 100 + i, "data": data}}),
        );
    }
    db
}

fn ids(db: &Db, filter: Json) -> Vec<i64> {
    common::ids(&db.ok(
        None,
        "Doc",
        "findMany",
        json!({"where": {"data": filter}, "orderBy": {"id": "asc"}, "select": {"id": true}}),
    ))
}

#[test]
fn path_filters_select_the_rows_zenstack_does() {
    let db = seeded();
    let cases: &[(Json, &[i64])] = &[
        (json!({"path": "$.a", "equals": 1}), &[1]),
        (json!({"path": "$.a", "equals": "1"}), &[3]),
        (json!({"path": "$.a", "not": 1}), &[2, 3]),
        (json!({"path": "$.o", "equals": {"b": "deep"}}), &[1]),
        (json!({"path": "$.o.b", "equals": "deep"}), &[1]),
        (json!({"path": "$.arr[0]", "equals": 3}), &[2]),
        (json!({"path": "$.s", "string_contains": "ell"}), &[1]),
        (json!({"path": "$.s", "string_contains": "%"}), &[2, 103]),
        (json!({"path": "$.s", "string_starts_with": "he"}), &[1]),
        (json!({"path": "$.s", "string_ends_with": "_c"}), &[2]),
        (json!({"path": "$.arr", "array_contains": 3}), &[1, 2]),
        (json!({"path": "$.arr", "array_starts_with": 3}), &[2]),
        (json!({"path": "$.arr", "array_ends_with": 3}), &[1]),
        (json!({"array_contains": "two"}), &[5]),
        (json!({"array_ends_with": true}), &[5]),
        (json!({"path": "$.missing", "equals": 1}), &[]),
    ];
    for (filter, want) in cases {
        assert_eq!(ids(&db, filter.clone()), *want, "{filter}");
    }
}

#[test]
fn hostile_values_and_path_elements_are_data() {
    let db = seeded();
    for (i, s) in HOSTILE.iter().enumerate() {
        let id = 100 + i as i64;
        assert_eq!(ids(&db, json!({"path": "$.s", "equals": s})), [id], "{s:?}");
        // `string_*` search the string as written in JSON (escapes and all)
        let written = json!(s).to_string();
        let written = &written[1..written.len() - 1];
        let found = ids(&db, json!({"path": "$.s", "string_contains": written}));
        assert!(found.contains(&id), "{s:?}: {found:?}");
        // a member named by the hostile string: quoted in a JSONPath, or
        // bare (SQLite's `->` reads a path without `$` as a member name)
        let quoted = format!("$.\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        for path in [quoted, s.to_string()] {
            let r = db.run(
                None,
                "Doc",
                "findMany",
                json!({"where": {"data": {"path": path, "equals": i}}, "select": {"id": true}}),
            );
            // SQLite finds that member or rejects the path: never more rows
            if let Ok(rows) = r {
                assert!(rows.as_array().unwrap().len() <= 1, "{path:?}: {rows}");
            }
        }
    }
    assert_eq!(db.raw_count("Doc"), 5 + HOSTILE.len() as i64);
}

#[test]
fn path_filter_mistakes_are_invalid_input() {
    let db = seeded();
    for filter in [
        json!({"path": 5, "equals": 1}),
        json!({"path": "$.a", "gt": 1}),
        json!({"path": "$.s", "string_contains": 1}),
        json!({"path": "$.a", "mode": "loud", "equals": 1}),
    ] {
        let r = db.run(None, "Doc", "findMany", json!({"where": {"data": filter}}));
        assert_eq!(reason(r), "invalid-input", "{filter}");
    }
    let r = db.run(
        None,
        "Doc",
        "findMany",
        json!({"where": {"data": {"array_contains": [1, 2]}}}),
    );
    assert_eq!(reason(r), "not-supported");
}

#[test]
fn typed_json_is_checked_against_its_type_before_the_write() {
    let db = Db::new(SCHEMA);
    let shape = json!({"label": "a", "origin": {"x": 1}, "points": [{"x": 1, "y": 2.5}]});
    let with = |k: &str, v: Json| {
        let mut s = shape.clone();
        s[k] = v;
        s
    };
    let accepted = [
        json!({"shape": shape}),
        json!({"shape": with("more", json!("kept"))}),
        json!({"shape": with("origin", json!({"x": 2, "y": null}))}),
        json!({"shape": with("origin", json!({"x": 2, "at": "2024-01-02T03:04:05+02:00", "n": "-1.5e3"}))}),
        json!({"shape": with("origin", json!({"x": 2, "at": "2024-01-02", "n": "0x1F"}))}),
        json!({"exact": {"a": 1}}),
    ];
    for (i, data) in accepted.iter().enumerate() {
        let mut data = data.clone();
        data["id"] = json!(i);
        db.ok(None, "Doc", "create", json!({"data": data}));
    }
    let rejected = [
        json!({"shape": {"label": "a", "points": []}}),
        json!({"shape": with("label", json!(null))}),
        json!({"shape": with("label", json!(5))}),
        json!({"shape": with("origin", json!({"x": 1.5}))}),
        json!({"shape": with("points", json!({"x": 1}))}),
        json!({"shape": with("points", json!([{"x": "1"}]))}),
        json!({"shape": with("points", json!([null]))}),
        json!({"shape": 5}),
        json!({"shape": with("origin", json!({"x": 1, "at": "not a date"}))}),
        json!({"shape": with("origin", json!({"x": 1, "at": ""}))}),
        json!({"shape": with("origin", json!({"x": 1, "at": "2024-13-45T00:00:00Z"}))}),
        json!({"shape": with("origin", json!({"x": 1, "at": 12345}))}),
        json!({"shape": with("origin", json!({"x": 1, "n": " 1 "}))}),
        json!({"shape": with("origin", json!({"x": 1, "n": "1e"}))}),
        json!({"shape": with("origin", json!({"x": 1, "n": "infinity"}))}),
        json!({"exact": {"a": 1, "b": 2}}),
    ];
    for data in &rejected {
        let mut create = data.clone();
        create["id"] = json!(50);
        let r = db.run(None, "Doc", "create", json!({"data": create}));
        assert_eq!(reason(r), "invalid-input", "create {data}");
        let r = db.run(
            None,
            "Doc",
            "update",
            json!({"where": {"id": 0}, "data": data}),
        );
        assert_eq!(reason(r), "invalid-input", "update {data}");
        let r = db.run(None, "Doc", "createMany", json!({"data": [create]}));
        assert_eq!(reason(r), "invalid-input", "createMany {data}");
    }
    assert_eq!(db.raw_count("Doc"), accepted.len() as i64);
    let stored = db.ok(None, "Doc", "findUnique", json!({"where": {"id": 0}}));
    assert_eq!(stored["shape"], shape);
}

/// What each null is stored as (checked against ZenStack in the
/// conformance suite's `66-json-null.json`).
#[test]
fn json_nulls_are_stored_as_zenstack_stores_them() {
    let db = Db::new(SCHEMA);
    let shape = json!({"label": "a", "origin": {"x": 1}, "points": []});
    let writes = [
        (
            json!({"shape": null, "data": {"__brand": "JsonNull"}}),
            "null",
            "null",
        ),
        (
            json!({"shape": {"__brand": "DbNull"}, "data": {"__brand": "DbNull"}}),
            "NULL",
            "NULL",
        ),
        (
            json!({"shape": {"__brand": "JsonNull"}, "data": null}),
            "null",
            "NULL",
        ),
        (
            json!({"shape": shape, "data": {"__brand": "x"}}),
            "object",
            "object",
        ),
    ];
    for (i, (data, shape_is, data_is)) in writes.iter().enumerate() {
        let mut create = data.clone();
        create["id"] = json!(i);
        db.ok(None, "Doc", "create", json!({"data": create}));
        let stored: (String, String) = db
            .conn
            .query_row(
                "SELECT coalesce(shape, 'NULL'), coalesce(data, 'NULL') FROM Doc WHERE id = ?",
                [i as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let kind = |t: &str| {
            if t.starts_with('{') {
                "object".to_string()
            } else {
                t.to_string()
            }
        };
        assert_eq!(
            (kind(&stored.0), kind(&stored.1)),
            (shape_is.to_string(), data_is.to_string()),
            "{data}"
        );
        let read = db.ok(None, "Doc", "findUnique", json!({"where": {"id": i}}));
        assert_eq!(read["shape"].is_null(), *shape_is != "object");
    }
    let count = |filter: Json| {
        let rows = db.ok(None, "Doc", "findMany", json!({"where": filter}));
        common::ids(&rows)
    };
    assert_eq!(
        count(json!({"data": {"equals": {"__brand": "DbNull"}}})),
        vec![1, 2]
    );
    assert_eq!(
        count(json!({"data": {"equals": {"__brand": "JsonNull"}}})),
        vec![0]
    );
    assert_eq!(
        count(json!({"data": {"equals": {"__brand": "AnyNull"}}})),
        vec![0, 1, 2]
    );
    assert_eq!(
        count(json!({"data": {"not": {"__brand": "JsonNull"}}})),
        vec![1, 2, 3]
    );
    assert_eq!(count(json!({"shape": null})), vec![1]);
    assert_eq!(
        count(json!({"shape": {"__brand": "AnyNull"}})),
        vec![0, 1, 2]
    );
    for bad in [
        json!({"data": null}),
        json!({"data": {"__brand": "DbNull"}}),
    ] {
        let r = db.run(None, "Doc", "findMany", json!({"where": bad}));
        assert_eq!(reason(r), "invalid-input", "{bad}");
    }
    let r = db.run(
        None,
        "Doc",
        "create",
        json!({"data": {"id": 9, "data": {"__brand": "AnyNull"}}}),
    );
    assert_eq!(reason(r), "invalid-input");
}
