//! The error table of P-191: reason, sub-reason and ZenStack's message for
//! each situation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::{json, Value as Json};
use zgen_runtime::{Error, PolicyReason, Reason};

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

model User {
  id    Int    @id
  role  String @default('user') @allow('update', auth().role == 'admin')
  posts Post[]
  @@allow('all', true)
}

model Post {
  id       Int    @id
  title    String
  secret   Boolean @default(false)
  author   User?  @relation(fields: [authorId], references: [id])
  authorId Int?
  tags     Tag[]
  @@allow('create', title != 'denied')
  @@allow('read', !secret)
  @@allow('update', true)
  @@allow('post-update', title != 'bad' && (before().title != 'frozen' || title == 'frozen'))
  @@allow('delete', true)
}

model Tag {
  id    Int    @id
  posts Post[]
  @@allow('create,read', true)
}
"#;

fn err(r: Result<Json, Error>) -> Error {
    match r {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

fn check(e: &Error, reason: Reason, message: &str) {
    assert_eq!(e.reason, reason, "{e}");
    assert_eq!(e.message, message, "{e}");
}

#[test]
fn policy_errors_carry_zenstack_reasons_and_messages() {
    let db = Db::new(SCHEMA);
    db.ok(None, "User", "create", json!({"data": {"id": 1}}));
    db.ok(
        None,
        "Post",
        "create",
        json!({"data": {"id": 1, "title": "a", "authorId": 1}}),
    );
    db.ok(None, "Tag", "create", json!({"data": {"id": 1}}));
    let no_access = Reason::RejectedByPolicy(PolicyReason::NoAccess);

    let e = err(db.run(
        None,
        "Post",
        "create",
        json!({"data": {"id": 2, "title": "denied"}}),
    ));
    check(&e, no_access, "operation is rejected by access policies");
    assert_eq!(e.model.as_deref(), Some("Post"));

    let e = err(db.run(
        None,
        "User",
        "update",
        json!({"where": {"id": 1}, "data": {"role": "admin"}}),
    ));
    check(
        &e,
        no_access,
        "some rows cannot be updated due to field policies",
    );
    db.ok(
        Some(json!({"role": "admin"})),
        "User",
        "update",
        json!({"where": {"id": 1}, "data": {"role": "admin"}}),
    );

    let e = err(db.run(
        None,
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"title": "bad"}}),
    ));
    check(
        &e,
        no_access,
        "some or all updated rows failed to pass post-update policy check",
    );

    let e = err(db.run(
        None,
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"tags": {"connect": {"id": 1}}}}),
    ));
    check(
        &e,
        no_access,
        "many-to-many relation participant model \"Tag\" not updatable",
    );

    let e = err(db.run(
        None,
        "Post",
        "create",
        json!({"data": {"id": 3, "title": "s", "secret": true}}),
    ));
    check(
        &e,
        Reason::RejectedByPolicy(PolicyReason::CannotReadBack),
        "result is not allowed to be read back",
    );

    let e = err(db.run(
        None,
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"id": 10}}),
    ));
    assert_eq!(
        e.reason,
        Reason::RejectedByPolicy(PolicyReason::Other),
        "{e}"
    );
    assert!(
        e.message
            .starts_with("Before-update and after-update rows do not match."),
        "{e}"
    );

    let e = err(db.run(
        None,
        "Post",
        "update",
        json!({"where": {"id": 3}, "data": {"title": "x"}}),
    ));
    // id 3 exists but is secret: updates see it (the update rule allows),
    // then the read-back fails
    check(
        &e,
        Reason::RejectedByPolicy(PolicyReason::CannotReadBack),
        "result is not allowed to be read back",
    );
    let e = err(db.run(
        None,
        "Post",
        "update",
        json!({"where": {"id": 99}, "data": {"title": "x"}}),
    ));
    check(&e, Reason::NotFound, "Record not found");
    let e = err(db.run(
        None,
        "Post",
        "findUniqueOrThrow",
        json!({"where": {"id": 3}}),
    ));
    check(&e, Reason::NotFound, "Record not found");
    let e = err(db.run(
        None,
        "Post",
        "create",
        json!({"data": {"id": 4, "title": "c", "author": {"connect": {"id": 42}}}}),
    ));
    check(&e, Reason::NotFound, "Record not found");

    let e = err(db.run(None, "User", "create", json!({"data": {"id": 1}})));
    assert_eq!(e.reason, Reason::DbQueryError);
    assert!(e.message.starts_with("Failed to execute query: "), "{e}");
    assert_eq!(
        e.db_error.as_ref().map(|d| d.code.as_str()),
        Some("SQLITE_CONSTRAINT_PRIMARYKEY")
    );

    for (op, args) in [
        ("findMany", json!({"where": {"nope": 1}})),
        ("findMany", json!({"take": "ten"})),
        ("findUnique", json!({"where": {"title": "a"}})),
        ("create", json!({"data": {"id": "one", "title": "x"}})),
        ("frobnicate", json!({})),
    ] {
        let e = err(db.run(None, "Post", op, args));
        assert_eq!(e.reason, Reason::InvalidInput, "{op}: {e}");
    }
    let e = err(db.run(None, "Nope", "findMany", json!({})));
    assert_eq!(e.reason, Reason::InvalidInput);
}
