//! The SQL shapes of the spec's worked examples (§3.3–3.5, §3.13a), bound to
//! concrete auth values. Snapshots make a change in lowering visible.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use zgen_policy::sql::{PredWriter, Sql, Sqlite};
use zgen_policy::{bind, PolicySet};
use zgen_sema::{Operation, Schema};

fn sql(schema: &Schema, model: &str, op: Operation, auth: Option<serde_json::Value>) -> String {
    let id = schema.model_by_name(model).expect("model");
    let policies = PolicySet::compile(schema);
    let pred = policies.model(id).expect("policy").get(op);
    let bound = bind(pred, auth.as_ref());
    let mut out = Sql::default();
    PredWriter::new(schema, &Sqlite, "t0").pred(&bound, &mut out);
    format!("{}\n-- params: {:?}", out.text, out.params)
}

const BLOG: &str = r#"
datasource db { provider = 'sqlite' }
model User {
    id    Int     @id
    role  String?
    posts Post[]
    @@allow('read', true)
}
model Post {
    id        Int     @id
    title     String
    published Boolean
    authorId  Int?
    author    User?   @relation(fields: [authorId], references: [id])
    @@allow('read', published || auth() == author)
    @@allow('create,update,delete', auth() == author)
    @@deny('delete', author.role == 'LOCKED')
}
"#;

#[test]
fn read_with_user() {
    let schema = zgen_testkit::checked(BLOG);
    insta::assert_snapshot!(sql(
        &schema,
        "Post",
        Operation::Read,
        Some(json!({"id": 7}))
    ));
}

#[test]
fn read_anonymous_matches_null_owner() {
    // P-26: anonymously `auth() == author` is `authorId IS NULL`.
    let schema = zgen_testkit::checked(BLOG);
    insta::assert_snapshot!(sql(&schema, "Post", Operation::Read, None));
}

#[test]
fn delete_deny_is_coalesced() {
    let schema = zgen_testkit::checked(BLOG);
    insta::assert_snapshot!(sql(
        &schema,
        "Post",
        Operation::Delete,
        Some(json!({"id": 1}))
    ));
}

#[test]
fn post_update_defaults_to_allow() {
    let schema = zgen_testkit::checked(BLOG);
    assert_eq!(
        sql(&schema, "Post", Operation::PostUpdate, None),
        "1\n-- params: []"
    );
}

#[test]
fn collection_and_check() {
    let schema = zgen_testkit::checked(
        r#"
        datasource db { provider = 'sqlite' }
        model User {
            id     Int          @id
            spaces Membership[]
            @@allow('read', true)
        }
        model Space {
            id      Int          @id
            members Membership[]
            @@allow('read', members?[userId == auth().id && role == 'ADMIN'])
        }
        model Membership {
            id      Int    @id
            role    String
            userId  Int
            user    User   @relation(fields: [userId], references: [id])
            spaceId Int
            space   Space  @relation(fields: [spaceId], references: [id])
            @@allow('read', check(space))
        }
        "#,
    );
    insta::assert_snapshot!(sql(
        &schema,
        "Membership",
        Operation::Read,
        Some(json!({"id": "u1"}))
    ));
}

#[test]
fn relation_to_a_delegate_sub_model_reads_its_joined_row() {
    // I-4: the inherited `title` lives in the base's table.
    let schema = zgen_testkit::checked(
        r#"
        datasource db { provider = 'sqlite' }
        model Asset {
            id    Int    @id
            kind  String
            title String
            @@delegate(kind)
            @@allow('read', true)
        }
        model Video extends Asset {
            duration Int
            clip     Clip?
        }
        model Clip {
            id      Int   @id
            videoId Int   @unique
            video   Video @relation(fields: [videoId], references: [id])
            @@allow('read', video.title == 'public' && video.duration > 1)
        }
        "#,
    );
    insta::assert_snapshot!(sql(&schema, "Clip", Operation::Read, None));
}
