//! Enum values in the auth value are compared in their stored form: a
//! client sends `{"role": "ADMIN"}`, the rule's `ADMIN` and the columns
//! hold the `@map` name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{ids, Db};
use serde_json::json;

const SCHEMA: &str = r#"
datasource db { provider = 'sqlite' }

enum Role {
  ADMIN  @map('admin')
  MEMBER @map('member')
  BANNED @map('banned')
}

model User {
  id    Int    @id
  role  Role   @default(MEMBER)
  org   Org?   @relation(fields: [orgId], references: [id])
  orgId Int?
  @@allow('all', true)
}

model Org {
  id    Int    @id
  tier  Role
  users User[]
  @@allow('all', true)
}

model Doc {
  id       Int    @id
  audience Role
  @@allow('create', true)
  @@allow('read', auth().role == ADMIN)
  @@allow('read', auth().role != BANNED && audience == auth().role)
  @@allow('read', auth().org.tier == ADMIN)
}
"#;

#[test]
fn auth_enum_members_compare_as_stored() {
    let db = Db::new(SCHEMA);
    db.ok(
        None,
        "Doc",
        "createMany",
        json!({"data": [{"id": 1, "audience": "ADMIN"}, {"id": 2, "audience": "MEMBER"},
                        {"id": 3, "audience": "BANNED"}]}),
    );
    let read = |auth: serde_json::Value| {
        ids(&db.ok(
            Some(auth),
            "Doc",
            "findMany",
            json!({"orderBy": {"id": "asc"}}),
        ))
    };
    assert_eq!(read(json!({"id": 1, "role": "ADMIN"})), vec![1, 2, 3]);
    assert_eq!(read(json!({"id": 2, "role": "MEMBER"})), vec![2]);
    // `auth().role != BANNED` must not hold for a banned user
    assert_eq!(read(json!({"id": 3, "role": "BANNED"})), Vec::<i64>::new());
    // through a relation of the auth value
    assert_eq!(
        read(json!({"id": 4, "role": "BANNED", "org": {"id": 1, "tier": "ADMIN"}})),
        vec![1, 2, 3]
    );
}
