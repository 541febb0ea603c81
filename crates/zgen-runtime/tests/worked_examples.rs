//! The worked examples of the spec (§3.13a), each outcome as the ZenStack
//! tests assert it, on a real SQLite database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{reason, Db, CANNOT_READ_BACK, NO_ACCESS};
use serde_json::json;

const DS: &str = "datasource db { provider = 'sqlite' }\n";

#[test]
fn a_update_rule_on_pre_update_row_gives_not_found() {
    let db = Db::new(&format!(
        "{DS}model Foo {{ id Int @id\n x Int\n @@allow('create,read', true)\n @@allow('update', x > 0) }}"
    ));
    db.ok(None, "Foo", "create", json!({"data": {"id": 1, "x": 0}}));
    let r = db.run(
        None,
        "Foo",
        "update",
        json!({"where": {"id": 1}, "data": {"x": 1}}),
    );
    assert_eq!(reason(r), "not-found");
    let row = db.ok(None, "Foo", "findUnique", json!({"where": {"id": 1}}));
    assert_eq!(row, json!({"id": 1, "x": 0}));
}

#[test]
fn b_unreadable_create_result_is_cannot_read_back_and_stays() {
    let db = Db::new(&format!(
        "{DS}model Foo {{ id Int @id\n x Int\n @@allow('create,update', true)\n @@allow('read', x > 0) }}"
    ));
    let r = db.run(None, "Foo", "create", json!({"data": {"id": 1, "x": 0}}));
    assert_eq!(reason(r), CANNOT_READ_BACK);
    assert_eq!(db.raw_count("Foo"), 1);
}

#[test]
fn c_post_update_with_before_is_all_or_nothing() {
    let db = Db::new(&format!(
        "{DS}model Foo {{ id Int @id\n x Int\n @@allow('all', true)\n @@allow('post-update', x > before().x) }}"
    ));
    db.ok(
        None,
        "Foo",
        "createMany",
        json!({"data": [{"id": 1, "x": 1}, {"id": 2, "x": 2}]}),
    );
    let r = db.run(None, "Foo", "updateMany", json!({"data": {"x": 0}}));
    assert_eq!(reason(r), NO_ACCESS);
    let rows = db.ok(None, "Foo", "findMany", json!({"orderBy": {"id": "asc"}}));
    assert_eq!(rows, json!([{"id": 1, "x": 1}, {"id": 2, "x": 2}]));
    let r = db.ok(None, "Foo", "updateMany", json!({"data": {"x": 3}}));
    assert_eq!(r, json!({"count": 2}));
}

#[test]
fn d_every_over_no_rows_is_true() {
    let db = Db::new(&format!(
        "{DS}model User {{ id Int @id\n posts Post[]\n @@allow('create,read', true)\n @@allow('update', posts![published]) }}
model Post {{ id Int @id\n published Boolean\n user User @relation(fields: [userId], references: [id])\n userId Int\n @@allow('all', true) }}"
    ));
    db.ok(None, "User", "create", json!({"data": {"id": 1}}));
    db.ok(
        None,
        "User",
        "create",
        json!({"data": {"id": 2, "posts": {"create": {"id": 10, "published": false}}}}),
    );
    db.ok(
        None,
        "User",
        "update",
        json!({"where": {"id": 1}, "data": {"id": 1}}),
    );
    let r = db.run(
        None,
        "User",
        "update",
        json!({"where": {"id": 2}, "data": {"id": 2}}),
    );
    assert_eq!(reason(r), "not-found");
}

#[test]
fn e_field_level_read_masks_and_counts() {
    let db = Db::new(&format!(
        "{DS}model M {{ id Int @id\n x Int\n y Int @allow('read', x > 0)\n @@allow('all', true) }}"
    ));
    db.ok(
        None,
        "M",
        "createMany",
        json!({"data": [{"id": 1, "x": 0, "y": 5}, {"id": 2, "x": 1, "y": 6}]}),
    );
    let row = db.ok(None, "M", "findUnique", json!({"where": {"id": 1}}));
    assert_eq!(row, json!({"id": 1, "x": 0, "y": null}));
    let row = db.ok(
        None,
        "M",
        "findUnique",
        json!({"where": {"id": 1}, "select": {"x": true}}),
    );
    assert_eq!(row, json!({"x": 0}));
    let n = db.ok(
        None,
        "M",
        "count",
        json!({"select": {"y": true, "_all": true}}),
    );
    assert_eq!(n, json!({"y": 1, "_all": 2}));
}

#[test]
fn f_anonymous_auth_matches_null_owner() {
    let db = Db::new(&format!(
        "{DS}model User {{ id Int @id\n @@allow('all', true) }}
model Doc {{ id Int @id\n ownerId Int?\n @@allow('create', true)\n @@allow('read', auth().id == ownerId) }}"
    ));
    db.ok(
        None,
        "Doc",
        "createMany",
        json!({"data": [{"id": 1}, {"id": 2, "ownerId": 7}]}),
    );
    let anon = db.ok(None, "Doc", "findMany", json!({}));
    assert_eq!(anon, json!([{"id": 1, "ownerId": null}]));
    let seven = db.ok(Some(json!({"id": 7})), "Doc", "findMany", json!({}));
    assert_eq!(seven, json!([{"id": 2, "ownerId": 7}]));
}
