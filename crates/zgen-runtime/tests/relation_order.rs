//! Ordering through chains of to-one relations and by relation `_count`s,
//! alone and with a cursor: each hop under the related model's read rule
//! and its foreign key's, an unseen row ordered as `null` (as in ZenStack).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{ids, Db};
use serde_json::{json, Value as Json};

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

model Country {
  id        Int       @id
  code      String
  companies Company[]
  @@allow('all', true)
}

model Company {
  id        Int      @id
  name      String?
  secret    Boolean  @default(false)
  country   Country? @relation(fields: [countryId], references: [id])
  countryId Int?     @allow('read', countryId != 3)
  users     User[]
  @@allow('read', !secret)
}

model User {
  id        Int      @id
  company   Company? @relation(fields: [companyId], references: [id])
  companyId Int?
  posts     Post[]
  @@allow('all', true)
}

model Post {
  id       Int  @id
  author   User @relation(fields: [authorId], references: [id])
  authorId Int
  @@allow('all', true)
}
"#;

/// Company 3 has no name, company 4 is secret (unreadable), company 5's
/// country key is masked; user 6 has no company; user 2 wrote two posts.
fn seeded() -> Db {
    let db = Db::new(SCHEMA);
    db.raw(
        "INSERT INTO \"Country\" (\"id\", \"code\") VALUES (1, 'fr'), (2, 'de'), (3, 'it');
         INSERT INTO \"Company\" (\"id\", \"name\", \"secret\", \"countryId\") VALUES
           (1, 'b', 0, 1), (2, 'a', 0, 2), (3, NULL, 0, 1), (4, 'c', 1, 2), (5, 'd', 0, 3);
         INSERT INTO \"User\" (\"id\", \"companyId\") VALUES
           (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, NULL);
         INSERT INTO \"Post\" (\"id\", \"authorId\") VALUES
           (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 2);",
    );
    db
}

/// `(model, findMany arguments, ids in order)`.
fn cases() -> Vec<(&'static str, Json, Vec<i64>)> {
    let name = |sort: Json| json!({"author": {"company": {"name": sort}}});
    let code = |sort: Json| json!({"author": {"company": {"country": {"code": sort}}}});
    vec![
        // two hops; null name, unreadable company and no company sort as null
        (
            "Post",
            json!({"orderBy": name(json!("asc"))}),
            vec![3, 4, 6, 2, 7, 1, 5],
        ),
        (
            "Post",
            json!({"orderBy": name(json!("desc"))}),
            vec![5, 1, 2, 7, 3, 4, 6],
        ),
        (
            "Post",
            json!({"orderBy": name(json!({"sort": "asc", "nulls": "last"}))}),
            vec![2, 7, 1, 5, 3, 4, 6],
        ),
        (
            "Post",
            json!({"orderBy": name(json!({"sort": "desc", "nulls": "first"}))}),
            vec![3, 4, 6, 5, 1, 2, 7],
        ),
        // three hops; a masked foreign key hides the country
        (
            "Post",
            json!({"orderBy": code(json!("asc"))}),
            vec![4, 5, 6, 2, 7, 1, 3],
        ),
        (
            "Post",
            json!({"orderBy": [code(json!("desc")), {"id": "desc"}]}),
            vec![3, 1, 7, 2, 6, 5, 4],
        ),
        (
            "User",
            json!({"orderBy": {"company": {"country": {"code": "asc"}}}}),
            vec![4, 5, 6, 2, 1, 3],
        ),
        // a `_count` through to-one hops; an unseen hop counts as null
        (
            "Post",
            json!({"orderBy": {"author": {"posts": {"_count": "desc"}}}}),
            vec![2, 7, 1, 3, 4, 5, 6],
        ),
        (
            "Post",
            json!({"orderBy": {"author": {"company": {"users": {"_count": "asc"}}}}}),
            vec![4, 6, 1, 2, 3, 5, 7],
        ),
        // a cursor under a relation ordering, forwards and backwards
        (
            "Post",
            json!({"orderBy": name(json!("asc")), "cursor": {"id": 6}, "take": 3}),
            vec![6, 2, 7],
        ),
        (
            "Post",
            json!({"orderBy": name(json!("asc")), "cursor": {"id": 6}, "skip": 1, "take": 2}),
            vec![2, 7],
        ),
        (
            "Post",
            json!({"orderBy": name(json!("asc")), "cursor": {"id": 2}, "take": -3}),
            vec![4, 6, 2],
        ),
        (
            "Post",
            json!({"orderBy": name(json!("asc")), "cursor": {"id": 7}}),
            vec![7, 1, 5],
        ),
        (
            "Post",
            json!({"orderBy": name(json!({"sort": "asc", "nulls": "last"})), "cursor": {"id": 5}, "take": 3}),
            vec![5, 3, 4],
        ),
        (
            "Post",
            json!({"orderBy": name(json!({"sort": "asc", "nulls": "last"})), "cursor": {"id": 4}, "take": -3}),
            vec![5, 3, 4],
        ),
        (
            "Post",
            json!({"orderBy": code(json!("desc")), "cursor": {"id": 2}, "take": 3}),
            vec![2, 7, 4],
        ),
        (
            "Post",
            json!({"orderBy": name(json!("asc")), "cursor": {"id": 99}, "take": 2}),
            vec![],
        ),
        // a cursor under a `_count` ordering
        (
            "User",
            json!({"orderBy": {"posts": {"_count": "desc"}}, "cursor": {"id": 3}, "take": 2}),
            vec![3, 4],
        ),
        (
            "User",
            json!({"orderBy": {"posts": {"_count": "desc"}}, "cursor": {"id": 1}, "take": -2}),
            vec![2, 1],
        ),
        (
            "User",
            json!({"orderBy": [{"company": {"name": "desc"}}, {"posts": {"_count": "asc"}}], "cursor": {"id": 2}}),
            vec![2, 3, 4, 6],
        ),
    ]
}

#[test]
fn orders_through_relations_with_and_without_a_cursor() {
    let db = seeded();
    for (model, args, expected) in cases() {
        let got = ids(&db.ok(None, model, "findMany", args.clone()));
        assert_eq!(got, expected, "{model} {args}");
    }
}
