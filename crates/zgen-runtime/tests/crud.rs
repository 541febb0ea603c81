//! ZenStack's CRUD operations under a blog schema's rules: reads filtered
//! per model, nested writes atomic, relation filters and includes under the
//! related model's read rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{ids, reason, Db, NO_ACCESS};
use serde_json::{json, Value as Json};

const BLOG: &str = r#"
datasource db { provider = 'sqlite' }

model User {
  id      Int     @id
  email   String  @unique
  name    String?
  posts   Post[]
  profile Profile?
  @@allow('create,read', true)
  @@allow('update,delete', auth() == this)
}

model Profile {
  id     Int    @id
  bio    String
  user   User   @relation(fields: [userId], references: [id])
  userId Int    @unique
  @@allow('all', auth().id == userId)
}

model Post {
  id        Int       @id
  title     String
  published Boolean   @default(false)
  views     Int       @default(0)
  author    User      @relation(fields: [authorId], references: [id])
  authorId  Int
  tags      Tag[]
  comments  Comment[]
  @@allow('read', published || auth() == author)
  @@allow('create,update,delete', auth() == author)
  @@deny('update', title == 'locked')
}

model Comment {
  id     Int    @id
  body   String
  post   Post   @relation(fields: [postId], references: [id], onDelete: Cascade)
  postId Int
  @@allow('all', true)
}

model Tag {
  id    Int    @id
  name  String @unique
  posts Post[]
  @@allow('all', true)
}
"#;

fn alice() -> Option<Json> {
    Some(json!({"id": 1}))
}

fn bob() -> Option<Json> {
    Some(json!({"id": 2}))
}

fn seeded() -> Db {
    let db = Db::new(BLOG);
    db.ok(
        None,
        "User",
        "create",
        json!({"data": {"id": 1, "email": "a@x.io", "name": "Alice"}}),
    );
    db.ok(
        None,
        "User",
        "create",
        json!({"data": {"id": 2, "email": "b@x.io"}}),
    );
    db.ok(
        alice(),
        "Post",
        "createMany",
        json!({"data": [
            {"id": 1, "title": "Hello", "published": true, "authorId": 1, "views": 10},
            {"id": 2, "title": "Draft", "authorId": 1, "views": 3},
            {"id": 3, "title": "hello again", "published": true, "authorId": 1, "views": 7},
        ]}),
    );
    db
}

#[test]
fn reads_see_only_readable_rows() {
    let db = seeded();
    assert_eq!(ids(&db.ok(None, "Post", "findMany", json!({}))), [1, 3]);
    assert_eq!(
        ids(&db.ok(alice(), "Post", "findMany", json!({}))),
        [1, 2, 3]
    );
    assert_eq!(
        db.ok(bob(), "Post", "findUnique", json!({"where": {"id": 2}})),
        Json::Null
    );
    let r = db.run(
        bob(),
        "Post",
        "findUniqueOrThrow",
        json!({"where": {"id": 2}}),
    );
    assert_eq!(reason(r), "not-found");
    assert_eq!(db.ok(None, "Post", "count", json!({})), json!(2));
    assert_eq!(
        db.ok(None, "Post", "exists", json!({"where": {"id": 2}})),
        json!(false)
    );
    let agg = db.ok(
        None,
        "Post",
        "aggregate",
        json!({"_sum": {"views": true}, "_max": {"views": true}, "_count": true}),
    );
    assert_eq!(
        agg,
        json!({"_count": 2, "_max": {"views": 10}, "_sum": {"views": 17}})
    );
    let groups = db.ok(
        alice(),
        "Post",
        "groupBy",
        json!({"by": ["published"], "_count": {"_all": true}}),
    );
    let mut groups = groups.as_array().unwrap().clone();
    groups.sort_by_key(|g| g["published"].as_bool());
    assert_eq!(
        groups,
        vec![
            json!({"published": false, "_count": {"_all": 1}}),
            json!({"published": true, "_count": {"_all": 2}})
        ]
    );
}

#[test]
fn group_by_having_order_and_pages() {
    let db = seeded();
    let group_by = |args: Json| db.ok(alice(), "Post", "groupBy", args);
    // alice reads posts 1 (published, 10 views), 2 (draft, 3) and 3 (published, 7)
    assert_eq!(
        group_by(json!({
            "by": "published",
            "_count": true,
            "_sum": {"views": true},
            "_avg": {"views": true},
            "orderBy": {"_sum": {"views": "desc"}}
        })),
        json!([
            {"published": true, "_count": 2, "_sum": {"views": 17}, "_avg": {"views": 8.5}},
            {"published": false, "_count": 1, "_sum": {"views": 3}, "_avg": {"views": 3}}
        ])
    );
    let published = |args: Json| -> Vec<Json> {
        group_by(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["published"].clone())
            .collect()
    };
    let by = json!("published");
    assert_eq!(
        published(json!({"by": by, "having": {"views": {"_sum": {"gt": 5}}}})),
        [json!(true)]
    );
    assert_eq!(
        published(json!({"by": by, "having": {"published": false}})),
        [json!(false)]
    );
    assert_eq!(
        published(json!({"by": by, "having": {"OR": [
            {"views": {"_max": {"gte": 10}}},
            {"views": {"_min": {"lt": 4}}}
        ]}, "orderBy": {"published": "asc"}})),
        [json!(false), json!(true)]
    );
    assert_eq!(
        published(json!({"by": by, "having": {"NOT": {"views": {"_count": 2}}}})),
        [json!(false)]
    );
    assert_eq!(
        published(json!({"by": by, "orderBy": {"_count": {"id": "asc"}}, "take": 1})),
        [json!(false)]
    );
    assert_eq!(
        published(json!({"by": by, "orderBy": {"published": "asc"}, "skip": 1})),
        [json!(true)]
    );
    assert_eq!(
        published(json!({"by": by, "orderBy": {"published": "asc"}, "take": -1})),
        [json!(true)]
    );
    // a field outside `by` only through aggregates, as ZenStack validates
    for args in [
        json!({"by": by, "having": {"views": {"gt": 1}}}),
        json!({"by": by, "orderBy": {"views": "asc"}}),
        json!({"by": by, "select": {"views": true}}),
    ] {
        assert_eq!(
            reason(db.run(alice(), "Post", "groupBy", args)),
            "invalid-input"
        );
    }
}

#[test]
fn filters_order_and_pagination() {
    let db = seeded();
    let a = alice();
    let q = |args: Json| ids(&db.ok(a.clone(), "Post", "findMany", args));
    assert_eq!(q(json!({"where": {"title": {"contains": "ello"}}})), [1, 3]);
    assert_eq!(
        q(json!({"where": {"title": {"startsWith": "HELLO", "mode": "insensitive"}}})),
        [1, 3]
    );
    assert_eq!(
        q(json!({"where": {"title": {"equals": "hello", "mode": "insensitive"}}})),
        [1]
    );
    assert_eq!(q(json!({"where": {"views": {"gt": 3, "lte": 10}}})), [1, 3]);
    assert_eq!(q(json!({"where": {"id": {"in": [2, 3]}}})), [2, 3]);
    assert_eq!(q(json!({"where": {"id": {"notIn": [2, 3]}}})), [1]);
    assert_eq!(
        q(json!({"where": {"OR": [{"id": 1}, {"views": 3}]}})),
        [1, 2]
    );
    assert_eq!(q(json!({"where": {"NOT": {"published": true}}})), [2]);
    assert_eq!(q(json!({"where": {"title": {"not": "Draft"}}})), [1, 3]);
    assert_eq!(q(json!({"orderBy": {"views": "desc"}})), [1, 3, 2]);
    assert_eq!(
        q(json!({"orderBy": {"views": "desc"}, "skip": 1, "take": 1})),
        [3]
    );
    assert_eq!(q(json!({"orderBy": {"views": "desc"}, "take": -2})), [3, 2]);
    assert_eq!(
        q(json!({"orderBy": {"views": "asc"}, "cursor": {"id": 3}})),
        [3, 1]
    );
    assert_eq!(
        q(json!({"distinct": ["published"], "orderBy": {"id": "asc"}})),
        [1, 2]
    );
    // a filter on a field that does not exist is an error, not a no-op
    let r = db.run(
        a.clone(),
        "Post",
        "findMany",
        json!({"where": {"titel": "x"}}),
    );
    assert_eq!(reason(r), "invalid-input");
    // values are bound: quotes and wildcards are data
    assert_eq!(
        q(json!({"where": {"title": "x' OR '1'='1"}})),
        Vec::<i64>::new()
    );
    assert_eq!(
        q(json!({"where": {"title": {"contains": "%"}}})),
        Vec::<i64>::new()
    );
}

#[test]
fn relation_filters_and_includes_respect_the_related_rules() {
    let db = seeded();
    // anonymous users see only published posts, also through relations
    let users = db.ok(
        None,
        "User",
        "findMany",
        json!({
            "where": {"posts": {"some": {"title": "Draft"}}}
        }),
    );
    assert_eq!(users, json!([]));
    let users = db.ok(
        alice(),
        "User",
        "findMany",
        json!({
            "where": {"posts": {"some": {"title": "Draft"}}}, "select": {"id": true}
        }),
    );
    assert_eq!(users, json!([{"id": 1}]));
    let every = db.ok(
        None,
        "User",
        "findMany",
        json!({"where": {"posts": {"every": {"published": true}}}, "select": {"id": true}}),
    );
    assert_eq!(every, json!([{"id": 1}, {"id": 2}]));
    let none = db.ok(
        None,
        "User",
        "findMany",
        json!({"where": {"posts": {"none": {}}}, "select": {"id": true}}),
    );
    assert_eq!(none, json!([{"id": 2}]));
    let user = db.ok(None, "User", "findUnique", json!({
        "where": {"id": 1},
        "include": {"posts": {"orderBy": {"id": "desc"}, "select": {"id": true}}, "_count": {"select": {"posts": true}}}
    }));
    assert_eq!(user["posts"], json!([{"id": 3}, {"id": 1}]));
    assert_eq!(user["_count"], json!({"posts": 2}));
    let posts = db.ok(None, "Post", "findMany", json!({"where": {"author": {"is": {"name": "Alice"}}}, "select": {"id": true, "author": {"select": {"email": true}}}}));
    assert_eq!(
        posts,
        json!([{"id": 1, "author": {"email": "a@x.io"}}, {"id": 3, "author": {"email": "a@x.io"}}])
    );
    // a to-one relation the reader may not see is null (P-101)
    db.ok(
        alice(),
        "Profile",
        "create",
        json!({"data": {"id": 1, "bio": "hi", "userId": 1}}),
    );
    let u = db.ok(
        bob(),
        "User",
        "findUnique",
        json!({"where": {"id": 1}, "include": {"profile": true}}),
    );
    assert_eq!(u["profile"], Json::Null);
    let u = db.ok(
        alice(),
        "User",
        "findUnique",
        json!({"where": {"email": "a@x.io"}, "include": {"profile": true}}),
    );
    assert_eq!(u["profile"]["bio"], json!("hi"));
}

#[test]
fn creates_are_checked_before_insert_and_nested_writes_are_atomic() {
    let db = seeded();
    // bob cannot create a post as alice
    let r = db.run(
        bob(),
        "Post",
        "create",
        json!({"data": {"id": 9, "title": "x", "authorId": 1}}),
    );
    assert_eq!(reason(r), NO_ACCESS);
    let r = db.run(
        None,
        "Post",
        "create",
        json!({"data": {"id": 9, "title": "x", "author": {"connect": {"id": 2}}}}),
    );
    assert_eq!(reason(r), NO_ACCESS);
    // a user with a post they may not create: nothing is left behind
    let r = db.run(
        bob(),
        "User",
        "create",
        json!({"data": {
            "id": 5, "email": "e@x.io",
            "posts": {"create": [{"id": 20, "title": "mine?"}]}
        }}),
    );
    assert_eq!(reason(r), NO_ACCESS);
    assert_eq!(db.raw_count("User"), 2);
    // as the new user it works, and the result includes the children
    let u = db.ok(Some(json!({"id": 5})), "User", "create", json!({
        "data": {"id": 5, "email": "e@x.io", "posts": {"create": [{"id": 20, "title": "mine"}]}},
        "include": {"posts": true}
    }));
    assert_eq!(
        u["posts"],
        json!([{"id": 20, "title": "mine", "published": false, "views": 0, "authorId": 5}])
    );
    // nested create on the owner side
    let p = db.ok(
        Some(json!({"id": 6})),
        "Post",
        "create",
        json!({
            "data": {"id": 21, "title": "t", "author": {"create": {"id": 6, "email": "f@x.io"}}},
            "select": {"id": true, "authorId": true}
        }),
    );
    assert_eq!(p, json!({"id": 21, "authorId": 6}));
    // unique violations are database errors, and leave nothing behind
    let r = db.run(
        None,
        "User",
        "create",
        json!({"data": {"id": 7, "email": "a@x.io"}}),
    );
    assert_eq!(reason(r), "db-query-error");
    assert_eq!(db.raw_count("User"), 4);
}

#[test]
fn updates_deletes_and_upserts_follow_the_rules() {
    let db = seeded();
    let r = db.run(
        bob(),
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"title": "mine"}}),
    );
    assert_eq!(reason(r), "not-found");
    let p = db.ok(
        alice(),
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"views": {"increment": 5}}}),
    );
    assert_eq!(p["views"], json!(15));
    // a deny rule on the pre-update row
    db.ok(
        alice(),
        "Post",
        "update",
        json!({"where": {"id": 2}, "data": {"title": "locked"}}),
    );
    let r = db.run(
        alice(),
        "Post",
        "update",
        json!({"where": {"id": 2}, "data": {"title": "open"}}),
    );
    assert_eq!(reason(r), "not-found");
    let n = db.ok(alice(), "Post", "updateMany", json!({"data": {"views": 0}}));
    assert_eq!(n, json!({"count": 2}));
    let n = db.ok(bob(), "Post", "deleteMany", json!({}));
    assert_eq!(n, json!({"count": 0}));
    let r = db.run(bob(), "Post", "delete", json!({"where": {"id": 1}}));
    assert_eq!(reason(r), "not-found");
    let deleted = db.ok(
        alice(),
        "Post",
        "delete",
        json!({"where": {"id": 3}, "select": {"title": true}}),
    );
    assert_eq!(deleted, json!({"title": "hello again"}));
    assert_eq!(db.raw_count("Post"), 2);
    // upsert: not updatable by bob, so it tries to create and hits the key
    let r = db.run(bob(), "Post", "upsert", json!({"where": {"id": 1}, "create": {"id": 1, "title": "b", "authorId": 2}, "update": {"title": "b"}}));
    assert_eq!(reason(r), "db-query-error");
    let p = db.ok(bob(), "Post", "upsert", json!({"where": {"id": 30}, "create": {"id": 30, "title": "b", "authorId": 2}, "update": {"title": "c"}}));
    assert_eq!(p["title"], json!("b"));
    let p = db.ok(bob(), "Post", "upsert", json!({"where": {"id": 30}, "create": {"id": 30, "title": "b", "authorId": 2}, "update": {"title": "c"}}));
    assert_eq!(p["title"], json!("c"));
}

#[test]
fn nested_relation_updates_and_many_to_many() {
    let db = seeded();
    db.ok(
        None,
        "Tag",
        "createMany",
        json!({"data": [{"id": 1, "name": "rust"}, {"id": 2, "name": "sql"}]}),
    );
    let p = db.ok(alice(), "Post", "update", json!({
        "where": {"id": 1},
        "data": {"tags": {"connect": [{"id": 1}, {"name": "sql"}]}, "comments": {"create": {"id": 1, "body": "nice"}}},
        "include": {"tags": {"orderBy": {"name": "asc"}}, "comments": true}
    }));
    assert_eq!(
        p["tags"],
        json!([{"id": 1, "name": "rust"}, {"id": 2, "name": "sql"}])
    );
    assert_eq!(
        p["comments"],
        json!([{"id": 1, "body": "nice", "postId": 1}])
    );
    let tag = db.ok(
        None,
        "Tag",
        "findUnique",
        json!({"where": {"id": 2}, "include": {"posts": {"select": {"id": true}}}}),
    );
    assert_eq!(tag["posts"], json!([{"id": 1}]));
    // bob may not update the post, so he cannot tag it (P-144)
    let r = db.run(
        bob(),
        "Tag",
        "update",
        json!({"where": {"id": 1}, "data": {"posts": {"connect": {"id": 3}}}}),
    );
    assert_eq!(reason(r), NO_ACCESS);
    let p = db.ok(
        alice(),
        "Post",
        "update",
        json!({
            "where": {"id": 1},
            "data": {"tags": {"disconnect": {"id": 1}}, "comments": {"deleteMany": {}}},
            "include": {"tags": true, "comments": true}
        }),
    );
    assert_eq!(p["tags"], json!([{"id": 2, "name": "sql"}]));
    assert_eq!(p["comments"], json!([]));
    let p = db.ok(
        alice(),
        "Post",
        "update",
        json!({
            "where": {"id": 1}, "data": {"tags": {"set": []}}, "include": {"tags": true}
        }),
    );
    assert_eq!(p["tags"], json!([]));
    // nested upsert: updates the linked child, else creates one
    let p = db.ok(
        alice(),
        "Post",
        "update",
        json!({
            "where": {"id": 1},
            "data": {"comments": {"upsert": [
                {"where": {"id": 7}, "create": {"id": 7, "body": "new"}, "update": {"body": "x"}},
            ]}},
            "include": {"comments": true}
        }),
    );
    assert_eq!(
        p["comments"],
        json!([{"id": 7, "body": "new", "postId": 1}])
    );
    let p = db.ok(alice(), "Post", "update", json!({
        "where": {"id": 1},
        "data": {"comments": {"upsert": {"where": {"id": 7}, "create": {"id": 8, "body": "n"}, "update": {"body": "edited"}}}},
        "include": {"comments": true}
    }));
    assert_eq!(
        p["comments"],
        json!([{"id": 7, "body": "edited", "postId": 1}])
    );
}

/// P-111a: data that leaves the parent's columns alone issues no UPDATE of
/// the parent, so the parent only needs to be readable; the nested writes
/// answer to their own tables' rules.
#[test]
fn relation_only_updates_need_a_readable_parent() {
    let db = seeded();
    db.ok(
        None,
        "Tag",
        "create",
        json!({"data": {"id": 1, "name": "rust"}}),
    );
    // post 3 is published (bob reads it) and alice's (bob cannot update it)
    let r = db.run(
        bob(),
        "Post",
        "update",
        json!({"where": {"id": 3}, "data": {"title": "mine now"}}),
    );
    assert_eq!(reason(r), "not-found");
    let r = db.run(
        bob(),
        "Post",
        "update",
        json!({"where": {"id": 3}, "data": {"tags": {"connect": {"id": 1}}}}),
    );
    assert_eq!(
        reason(r),
        NO_ACCESS,
        "the join row needs both ends updatable"
    );
    let p = db.ok(
        bob(),
        "Post",
        "update",
        json!({
            "where": {"id": 3},
            "data": {"comments": {"create": {"id": 9, "body": "hi"}}},
            "include": {"comments": true}
        }),
    );
    assert_eq!(p["comments"], json!([{"id": 9, "body": "hi", "postId": 3}]));
    // an unreadable parent still does not exist
    let r = db.run(
        bob(),
        "Post",
        "update",
        json!({"where": {"id": 2}, "data": {"comments": {"create": {"id": 10, "body": "x"}}}}),
    );
    assert_eq!(reason(r), "not-found");
    assert_eq!(db.raw_count("Comment"), 1);
}

/// Bad create data is `invalid-input` before any rule or statement runs:
/// a missing required field, or a foreign key the parent relation sets.
#[test]
fn create_data_is_checked_before_the_rules() {
    let db = seeded();
    let r = db.run(
        alice(),
        "Post",
        "create",
        json!({"data": {"id": 9, "authorId": 1}}),
    );
    assert_eq!(reason(r), "invalid-input");
    // bob may not create alice's post, but the input is wrong first
    let r = db.run(
        bob(),
        "Post",
        "create",
        json!({"data": {"id": 9, "authorId": 1}}),
    );
    assert_eq!(reason(r), "invalid-input");
    let r = db.run(
        alice(),
        "User",
        "update",
        json!({"where": {"id": 1}, "data": {"posts": {"createMany": {"data": [
            {"id": 9, "title": "t", "authorId": 1}
        ]}}}}),
    );
    assert_eq!(reason(r), "invalid-input");
    let r = db.run(
        alice(),
        "User",
        "update",
        json!({"where": {"id": 1}, "data": {"posts": {"create": {"id": 9, "title": "t", "authorId": 2}}}}),
    );
    assert_eq!(reason(r), "invalid-input");
    assert_eq!(db.raw_count("Post"), 3);
    db.ok(
        alice(),
        "User",
        "update",
        json!({"where": {"id": 1}, "data": {"posts": {"create": {"id": 9, "title": "t"}}}}),
    );
    assert_eq!(db.raw_count("Post"), 4);
}

#[test]
fn create_many_skips_duplicates_only_when_asked() {
    let db = seeded();
    let tags =
        json!([{"id": 1, "name": "rust"}, {"id": 2, "name": "rust"}, {"id": 3, "name": "sql"}]);
    let r = db.run(None, "Tag", "createMany", json!({"data": tags}));
    assert_eq!(reason(r), "db-query-error");
    assert_eq!(db.raw_count("Tag"), 0, "the failed createMany left nothing");
    let r = db.ok(
        None,
        "Tag",
        "createManyAndReturn",
        json!({"data": tags, "skipDuplicates": true}),
    );
    assert_eq!(
        r,
        json!([{"id": 1, "name": "rust"}, {"id": 3, "name": "sql"}])
    );
    // nested, under the parent's key
    db.ok(
        alice(),
        "Post",
        "update",
        json!({"where": {"id": 1}, "data": {"comments": {"createMany": {
            "data": [{"id": 1, "body": "a"}, {"id": 1, "body": "b"}, {"id": 2, "body": "c"}],
            "skipDuplicates": true
        }}}}),
    );
    assert_eq!(db.raw_count("Comment"), 2);
    // the create rule still applies to every row, skipped or not
    let r = db.run(
        bob(),
        "Post",
        "createMany",
        json!({"data": [{"id": 1, "title": "x", "authorId": 1}], "skipDuplicates": true}),
    );
    assert_eq!(reason(r), "rejected-by-policy/no-access");
}

const CARDS: &str = r#"
datasource db { provider = 'sqlite' }
model Person {
  id     Int    @id
  card   Card?  @relation(fields: [cardId], references: [id])
  cardId Int?   @unique
  @@allow('all', true)
}
model Card {
  id     Int     @id @default(autoincrement())
  number String
  locked Boolean @default(false)
  person Person?
  @@allow('create,read', true)
  @@allow('update,delete', !locked)
}
"#;

#[test]
fn nested_upsert_and_delete_of_an_owned_to_one() {
    let db = Db::new(CARDS);
    db.ok(None, "Person", "create", json!({"data": {"id": 1}}));
    let card = |op: Json| {
        db.run(
            None,
            "Person",
            "update",
            json!({"where": {"id": 1}, "data": {"card": op}, "include": {"card": true}}),
        )
    };
    let number = |r: Result<Json, zgen_runtime::Error>| r.unwrap()["card"]["number"].clone();
    let upsert = json!({"upsert": {"create": {"number": "A"}, "update": {"number": "B"}}});
    assert_eq!(
        number(card(upsert.clone())),
        json!("A"),
        "created and linked"
    );
    assert_eq!(
        number(card(upsert.clone())),
        json!("B"),
        "the linked card updated"
    );
    assert_eq!(
        reason(card(json!({"delete": {"number": "A"}}))),
        "not-found",
        "a filter the linked card fails"
    );
    let deleted = card(json!({"delete": true})).unwrap();
    assert_eq!(
        (deleted["cardId"].clone(), deleted["card"].clone()),
        (Json::Null, Json::Null)
    );
    assert_eq!(db.raw_count("Card"), 0);
    // a card the update and delete rules refuse is not-found, and nothing changes
    card(upsert.clone()).unwrap();
    db.raw("UPDATE \"Card\" SET \"locked\" = 1");
    for op in [
        upsert,
        json!({"update": {"number": "C"}}),
        json!({"delete": true}),
    ] {
        assert_eq!(reason(card(op)), "not-found");
    }
    assert_eq!(number(card(json!({}))), json!("A"));
    assert_eq!(db.raw_count("Card"), 1);
}
