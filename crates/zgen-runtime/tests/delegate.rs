//! Delegate models (spec I-2..I-4, P-93, P-161): multi-table inheritance
//! as ZenStack v3 stores it, on real SQLite databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{reason, Db, NO_ACCESS};
use serde_json::json;

const MEDIA: &str = r#"
datasource db { provider = 'sqlite' }

model User {
  id     Int     @id
  assets Asset[]
  @@allow('all', true)
}

model Asset {
  id        Int     @id @default(autoincrement())
  kind      String
  title     String
  published Boolean @default(false)
  owner     User?   @relation(fields: [ownerId], references: [id])
  ownerId   Int?
  secret    String? @allow('read', auth() == owner)
  @@delegate(kind)
  @@allow('all', auth() == owner)
  @@allow('read', published)
}

model Video extends Asset {
  duration  Int
  codec     String?
  videoKind String
  @@delegate(videoKind)
  @@deny('update', duration > 100)
}

model Movie extends Video {
  director String
  @@delegateMap('film')
}

model Image extends Asset {
  width Int
  @@deny('create', width > 1000)
}
"#;

fn media() -> Db {
    let db = Db::new(MEDIA);
    db.ok(None, "User", "create", json!({"data": {"id": 1}}));
    db.ok(None, "User", "create", json!({"data": {"id": 2}}));
    db
}

/// Creates a row of `model` as user 1.
fn create(db: &Db, model: &str, data: serde_json::Value) -> serde_json::Value {
    db.ok(u(1), model, "create", json!({ "data": data }))
}

fn u(id: i64) -> Option<serde_json::Value> {
    Some(json!({ "id": id }))
}

#[test]
fn i_4_a_sub_model_row_is_stored_in_its_table_and_its_bases() {
    let db = media();
    let video = create(
        &db,
        "Movie",
        json!({"title": "v", "duration": 5, "director": "d", "owner": {"connect": {"id": 1}}}),
    );
    assert_eq!(
        video,
        json!({"id": 1, "kind": "Video", "title": "v", "published": false,
               "ownerId": 1, "secret": null, "duration": 5, "director": "d", "codec": null, "videoKind": "film"})
    );
    assert_eq!(db.raw_count("Asset"), 1);
    assert_eq!(db.raw_count("Video"), 1);
    assert_eq!(db.raw_count("Movie"), 1);
    let (kind, title): (String, String) = db
        .conn
        .query_row("SELECT kind, title FROM Asset WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((kind.as_str(), title.as_str()), ("Video", "v"));
}

#[test]
fn i_3_each_base_discriminator_names_the_level_below() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"title": "m", "duration": 90, "director": "d", "ownerId": 1}),
    );
    assert_eq!(db.raw_count("Asset"), 1);
    assert_eq!(db.raw_count("Video"), 1);
    assert_eq!(db.raw_count("Movie"), 1);
    let kind: String = db
        .conn
        .query_row("SELECT kind FROM Asset", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "Video");
    let video_kind: String = db
        .conn
        .query_row("SELECT videoKind FROM Video", [], |r| r.get(0))
        .unwrap();
    assert_eq!(video_kind, "film");
    let movie = db.ok(u(1), "Movie", "findFirst", json!({"where": {"title": "m"}}));
    assert_eq!(movie["director"], json!("d"));
    assert_eq!(movie["duration"], json!(90));
    assert_eq!(movie["kind"], json!("Video"));
}

#[test]
fn a_delegate_base_cannot_be_created_directly() {
    let db = media();
    let create = |model: &str, data| db.run(u(1), model, "create", json!({ "data": data }));
    assert_eq!(
        reason(create("Asset", json!({"title": "t"}))),
        "not-supported"
    );
    // a middle level is a delegate base too
    let video = json!({"title": "t", "duration": 1});
    assert_eq!(reason(create("Video", video)), "not-supported");
    // the input is checked first: discriminators are the engine's
    let r = create("Asset", json!({"kind": "x", "title": "t"}));
    assert_eq!(reason(r), "invalid-input");
    let r = create("Image", json!({"kind": "x", "title": "t", "width": 1}));
    assert_eq!(reason(r), "invalid-input");
    assert_eq!(db.raw_count("Asset"), 0);
}

#[test]
fn limits_on_sub_model_bulk_writes_are_refused() {
    let db = media();
    let r = db.run(
        u(1),
        "Movie",
        "updateMany",
        json!({"data": {"title": "t"}, "limit": 1}),
    );
    assert_eq!(reason(r), "not-supported");
    let r = db.run(u(1), "Movie", "deleteMany", json!({"limit": 1}));
    assert_eq!(reason(r), "not-supported");
    let n = db.ok(u(1), "Asset", "deleteMany", json!({"limit": 1}));
    assert_eq!(n, json!({"count": 0}));
}

#[test]
fn reads_through_the_base_carry_the_sub_model_fields() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"title": "v", "duration": 5, "director": "d", "ownerId": 1}),
    );
    create(
        &db,
        "Image",
        json!({"title": "i", "width": 7, "ownerId": 1}),
    );
    create(
        &db,
        "Movie",
        json!({"title": "m", "duration": 9, "director": "d", "ownerId": 1}),
    );
    let all = db.ok(u(1), "Asset", "findMany", json!({"orderBy": {"id": "asc"}}));
    assert_eq!(all[0]["duration"], json!(5));
    assert_eq!(all[0].get("width"), None);
    assert_eq!(all[1]["width"], json!(7));
    assert_eq!(all[2]["director"], json!("d"));
    assert_eq!(all[2]["duration"], json!(9));
    let selected = db.ok(
        u(1),
        "Asset",
        "findMany",
        json!({"select": {"id": true}, "orderBy": {"id": "asc"}}),
    );
    assert_eq!(selected, json!([{"id": 1}, {"id": 2}, {"id": 3}]));
    // through a relation declared on the other side
    let user = db.ok(
        u(1),
        "User",
        "findUnique",
        json!({"where": {"id": 1}, "include": {"assets": true}}),
    );
    assert_eq!(user["assets"][1]["width"], json!(7));
}

#[test]
fn filters_and_order_on_inherited_fields() {
    let db = media();
    for (title, duration) in [("b", 1), ("a", 2), ("c", 3)] {
        create(
            &db,
            "Movie",
            json!({"title": title, "duration": duration, "director": "d", "ownerId": 1}),
        );
    }
    let found = db.ok(
        u(1),
        "Movie",
        "findMany",
        json!({"where": {"title": {"not": "c"}, "owner": {"id": 1}}, "orderBy": {"title": "asc"}, "select": {"title": true, "duration": true}}),
    );
    assert_eq!(
        found,
        json!([{"title": "a", "duration": 2}, {"title": "b", "duration": 1}])
    );
    let count = db.ok(
        u(1),
        "Movie",
        "count",
        json!({"where": {"duration": {"gt": 1}}}),
    );
    assert_eq!(count, json!(2));
}

#[test]
fn i_2_base_rules_are_inherited_and_combined() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"id": 10, "title": "v", "duration": 5, "director": "d", "ownerId": 1}),
    );
    // the base's read rule applies to the sub-model
    assert_eq!(db.ok(u(2), "Movie", "findMany", json!({})), json!([]));
    db.raw("UPDATE Asset SET published = 1");
    assert_eq!(db.ok(u(2), "Movie", "count", json!({})), json!(1));
    // the base's create rule: only for one's own assets
    let r = db.run(
        u(2),
        "Movie",
        "create",
        json!({"data": {"title": "x", "duration": 1, "director": "d", "ownerId": 1}}),
    );
    assert_eq!(reason(r), NO_ACCESS);
    // the sub-model's own deny, on top of the base's allow
    let r = db.run(
        u(1),
        "Image",
        "create",
        json!({"data": {"title": "x", "width": 2000, "ownerId": 1}}),
    );
    assert_eq!(reason(r), NO_ACCESS);
    assert_eq!(db.raw_count("Asset"), 1);
}

#[test]
fn p_161_field_rules_of_the_base_are_inherited() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"title": "v", "duration": 5, "director": "d", "ownerId": 1, "secret": "s", "published": true}),
    );
    assert_eq!(
        db.ok(u(1), "Movie", "findFirst", json!({}))["secret"],
        json!("s")
    );
    assert_eq!(
        db.ok(u(2), "Movie", "findFirst", json!({}))["secret"],
        json!(null)
    );
}

#[test]
fn update_sets_each_column_in_its_table() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"id": 1, "title": "v", "duration": 5, "director": "d", "ownerId": 1}),
    );
    let v = db.ok(
        u(1),
        "Movie",
        "update",
        json!({"where": {"id": 1}, "data": {"title": "w", "duration": {"increment": 1}}}),
    );
    assert_eq!(
        (v["title"].clone(), v["duration"].clone()),
        (json!("w"), json!(6))
    );
    // each table the update touches checks its own level's rule: Video's
    // deny guards Video's columns, not the base's
    let update = |data: serde_json::Value| {
        db.run(
            u(1),
            "Movie",
            "update",
            json!({"where": {"id": 1}, "data": data}),
        )
    };
    update(json!({"duration": 200})).unwrap();
    assert_eq!(reason(update(json!({"duration": 1}))), "not-found");
    assert!(update(json!({"title": "z"})).is_ok());
    let n = db.ok(u(1), "Movie", "updateMany", json!({"data": {"codec": "x"}}));
    assert_eq!(n, json!({"count": 0}));
    // the discriminators are the engine's
    assert_eq!(reason(update(json!({"kind": "Image"}))), "invalid-input");
    let n = db.ok(
        u(1),
        "Asset",
        "updateMany",
        json!({"data": {"published": true}}),
    );
    assert_eq!(n, json!({"count": 1}));
}

#[test]
fn delete_removes_every_level() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"id": 1, "title": "m", "duration": 9, "director": "d", "ownerId": 1}),
    );
    create(
        &db,
        "Image",
        json!({"id": 2, "title": "i", "width": 1, "ownerId": 1}),
    );
    let gone = db.ok(u(1), "Movie", "delete", json!({"where": {"id": 1}}));
    assert_eq!(gone["director"], json!("d"));
    assert_eq!(
        (
            db.raw_count("Asset"),
            db.raw_count("Video"),
            db.raw_count("Movie")
        ),
        (1, 0, 0)
    );
    db.ok(u(1), "Asset", "deleteMany", json!({}));
    assert_eq!((db.raw_count("Asset"), db.raw_count("Image")), (0, 0));
}

#[test]
fn p_70_check_on_a_relation_declared_on_the_base() {
    let db = Db::new(
        r#"
datasource db { provider = 'sqlite' }
model User {
  id     Int     @id
  name   String
  assets Asset[]
  @@allow('create', true)
  @@allow('read', name != 'hidden')
}
model Asset {
  id      Int    @id
  kind    String
  owner   User   @relation(fields: [ownerId], references: [id])
  ownerId Int
  @@delegate(kind)
  @@allow('create', true)
}
model Video extends Asset {
  duration Int
  @@allow('read', check(owner) && owner.name != 'ann')
}
"#,
    );
    // createMany: no read-back, so unreadable rows can be created
    for (id, name) in [(1, "ann"), (2, "bob"), (3, "hidden")] {
        db.ok(
            None,
            "User",
            "createMany",
            json!({"data": {"id": id, "name": name}}),
        );
        db.ok(
            None,
            "Video",
            "createMany",
            json!({"data": {"id": id, "duration": id, "ownerId": id}}),
        );
    }
    let ids = db.ok(None, "Video", "findMany", json!({"select": {"id": true}}));
    assert_eq!(ids, json!([{"id": 2}]));
    // the base has no read rule of its own: its rows stay hidden
    assert_eq!(db.ok(None, "Asset", "count", json!({})), json!(0));
}

#[test]
fn create_many_skips_a_duplicate_at_the_root() {
    let db = media();
    let row = json!({"id": 1, "title": "i", "width": 1, "ownerId": 1});
    create(&db, "Image", row.clone());
    let n = db.ok(
        u(1),
        "Image",
        "createMany",
        json!({"data": [row, {"id": 2, "title": "j", "width": 2, "ownerId": 1}], "skipDuplicates": true}),
    );
    assert_eq!(n, json!({"count": 1}));
    assert_eq!((db.raw_count("Asset"), db.raw_count("Image")), (2, 2));
}

#[test]
fn rows_read_as_json_carry_the_sub_model_fields() {
    let db = media();
    create(
        &db,
        "Movie",
        json!({"title": "m", "duration": 90, "director": "d", "ownerId": 1}),
    );
    create(
        &db,
        "Image",
        json!({"title": "i", "width": 5, "ownerId": 1}),
    );
    let client = db.engine.client(&db.conn, u(1));
    for model in ["Asset", "Video"] {
        let args = json!({"orderBy": {"id": "asc"}});
        let typed: serde_json::Value = client.find_many_as(model, &args).unwrap().unwrap();
        assert_eq!(
            typed,
            client.run(model, "findMany", &args).unwrap(),
            "{model}"
        );
        let one = json!({"where": {"id": 1}});
        let typed: Option<serde_json::Value> = client.find_unique_as(model, &one).unwrap().unwrap();
        assert_eq!(
            typed.unwrap(),
            client.run(model, "findUnique", &one).unwrap()
        );
    }
    let update = json!({"where": {"id": 1}, "data": {"title": "n"}});
    let typed: serde_json::Value = client.update_as("Asset", &update).unwrap().unwrap();
    assert_eq!(typed["director"], json!("d"), "{typed}");
}
