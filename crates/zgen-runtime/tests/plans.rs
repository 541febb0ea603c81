//! Read plans (`plan.rs`) and one-statement writes give what the general
//! path gives. Reads with `skip: 0` are never planned, so each planned read
//! is compared with the same read unplanned, for several users, values and
//! shapes, in both orders of first use.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{reason, Db};
use serde_json::{json, Value as Json};

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

model User {
  id    Int    @id
  email String @unique
  role  String @default('user')
  posts Post[]
  @@allow('all', true)
}

model Post {
  id        Int     @id
  title     String
  published Boolean @default(false)
  views     Int     @default(0)
  score     Float   @default(0)
  stars     Int     @default(0) @gte(0)
  note      String? @allow('read', auth().role == 'admin')
  author    User    @relation(fields: [authorId], references: [id])
  authorId  Int
  @@allow('read', published || auth() == author)
  @@allow('create,update', auth() == author)
}
"#;

fn seeded() -> Db {
    let db = Db::new(SCHEMA);
    for (id, email, role) in [(1, "a@x", "user"), (2, "b@x", "admin"), (3, "c@x", "user")] {
        db.ok(
            None,
            "User",
            "create",
            json!({"data": {"id": id, "email": email, "role": role}}),
        );
    }
    for id in 1..=12 {
        let author = id % 3 + 1;
        db.ok(
            Some(json!({"id": author})),
            "Post",
            "create",
            json!({"data": {"id": id, "title": format!("post {id}"), "published": id % 2 == 0,
                   "note": format!("note {id}"), "authorId": author}}),
        );
    }
    db
}

fn users() -> Vec<Option<Json>> {
    vec![
        None,
        Some(json!({"id": 1, "role": "user"})),
        Some(json!({"id": 2, "role": "admin"})),
        Some(json!({"id": 3, "role": "user"})),
    ]
}

fn unplanned(args: &Json) -> Json {
    let mut args = args.clone();
    args["skip"] = json!(0);
    args
}

#[test]
fn planned_reads_match_unplanned_reads() {
    let db = seeded();
    let shapes: Vec<Box<dyn Fn(i64) -> Json>> = vec![
        Box::new(|v| json!({"where": {"authorId": v}})),
        Box::new(|v| json!({"where": {"authorId": v, "published": true}})),
        Box::new(|v| json!({"where": {"id": v}, "select": {"id": true, "note": true}})),
        Box::new(|v| json!({"where": {"note": format!("note {v}")}})),
        Box::new(|v| json!({"where": {"id": {"gt": v}, "authorId": v % 3 + 1}, "take": 3})),
        Box::new(|v| json!({"where": {"authorId": v}, "include": {"author": true}})),
        Box::new(
            |v| json!({"where": {"OR": [{"id": v}, {"authorId": v}]}, "orderBy": {"id": "desc"}}),
        ),
    ];
    let mut compared = 0;
    for (i, shape) in shapes.iter().enumerate() {
        for auth in users() {
            // alternate which path sees a shape first
            let values: Vec<i64> = if i % 2 == 0 {
                (1..=4).collect()
            } else {
                (1..=4).rev().collect()
            };
            for v in values {
                let args = shape(v);
                let planned = db.ok(auth.clone(), "Post", "findMany", args.clone());
                let general = db.ok(auth.clone(), "Post", "findMany", unplanned(&args));
                assert_eq!(planned, general, "{args} as {auth:?}");
                let first = db.ok(auth.clone(), "Post", "findFirst", args.clone());
                assert_eq!(
                    first,
                    general.get(0).cloned().unwrap_or(Json::Null),
                    "{args}"
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 7 * 4 * 4);
}

#[test]
fn find_unique_plans_bind_each_callers_values() {
    let db = seeded();
    for auth in users() {
        for id in 1..=12 {
            let one = db.ok(
                auth.clone(),
                "Post",
                "findUnique",
                json!({"where": {"id": id}}),
            );
            let many = db.ok(
                auth.clone(),
                "Post",
                "findMany",
                json!({"where": {"id": id}, "skip": 0}),
            );
            assert_eq!(
                one,
                many.get(0).cloned().unwrap_or(Json::Null),
                "id {id} as {auth:?}"
            );
        }
    }
}

#[test]
fn one_statement_updates_keep_the_rules_and_the_arithmetic() {
    let db = seeded();
    let me = Some(json!({"id": 2}));
    // post 1's author is user 2
    let updated = db.ok(
        me.clone(),
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"views": {"increment": 5}, "score": {"decrement": 1.5}}}),
    );
    assert_eq!(
        (updated["views"].clone(), updated["score"].clone()),
        (json!(5), json!(-1.5))
    );
    let again = db.ok(
        me.clone(),
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"views": {"decrement": 2}, "title": "t"}}),
    );
    assert_eq!(
        (again["views"].clone(), again["title"].clone()),
        (json!(3), json!("t"))
    );
    // someone else's post: not found, and unchanged
    let other = db.run(
        me.clone(),
        "Post",
        "update",
        json!({"where": {"id": 2}, "data": {"views": {"increment": 1}}}),
    );
    assert_eq!(reason(other), "not-found");
    let before = db.ok(
        Some(json!({"id": 3})),
        "Post",
        "findUnique",
        json!({"where": {"id": 2}}),
    );
    assert_eq!(before["views"], json!(0));
    // a unique key other than the id
    let user = db.ok(
        None,
        "User",
        "update",
        json!({"where": {"email": "a@x"}, "data": {"email": "a2@x"}}),
    );
    assert_eq!(user["email"], json!("a2@x"));
    // `@gte(0)` needs the computed value: the general path rejects it
    let checked = db.run(
        me,
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"stars": {"decrement": 1}}}),
    );
    assert_eq!(reason(checked), "invalid-input");
}
