//! `auth_keys`: the members of the auth value a schema reads. A typed
//! client sends only these, so every rule must bind the same with the
//! projected value as with the whole one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Map, Value as Json};
use std::collections::BTreeSet;
use zgen_policy::{auth_keys, bind, PolicySet};
use zgen_sema::{FieldTypeKind, ModelId, Scalar, Schema};

fn keys_of(models: &str) -> Option<Vec<String>> {
    let schema = zgen_testkit::checked(&format!(
        "datasource db {{\n provider = \"postgresql\"\n url = \"x\"\n}}\n{models}"
    ));
    let policies = PolicySet::compile(&schema);
    let keys = auth_keys(&schema, &policies)?;
    assert_binds_alike(&schema, &policies, &keys);
    Some(keys.into_iter().collect())
}

const USER: &str = "model User {
  id Int @id
  email String @unique
  role String
  tags String[]
  orgId Int?
  age Int?
  memberships Membership[]
  @@allow('all', true)
}
model Membership {
  id Int @id
  user User @relation(fields: [userId], references: [id])
  userId Int
  spaceId Int
  @@allow('all', true)
}";

#[test]
fn each_form_of_auth_reads_its_member() {
    let cases: &[(&str, &[&str])] = &[
        ("@@allow('read', auth() == author)", &["id"]),
        ("@@allow('read', auth() != null)", &[]),
        ("@@allow('read', auth().role == 'ADMIN')", &["role"]),
        ("@@allow('read', title in auth().tags)", &["tags"]),
        (
            "@@allow('read', auth().memberships?[spaceId == this.views])",
            &["memberships"],
        ),
        (
            "@@allow('read', auth() == author || auth().age > views)\n@@allow('update', true)\n@@deny('update', auth().email == null)",
            &["age", "email", "id"],
        ),
        ("secret String @allow('read', auth().role == 'x')", &["role"]),
        ("org Int? @default(auth().orgId)", &["orgId"]),
    ];
    for (extra, expected) in cases {
        let post = format!(
            "model Post {{\n  id Int @id\n  views Int\n  title String\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n  {extra}\n}}"
        );
        let user = USER.replace(
            "memberships Membership[]",
            "memberships Membership[]\n  posts Post[]",
        );
        let keys = keys_of(&format!("{user}\n{post}"))
            .unwrap_or_else(|| panic!("`{extra}` read the whole auth value"));
        assert_eq!(keys, *expected, "{extra}");
    }
}

#[test]
fn a_compound_id_is_read_whole() {
    let models = "model User {
  a Int
  b Int
  name String
  posts Post[]
  @@id([a, b])
}
model Post {
  id Int @id
  author User @relation(fields: [authorA, authorB], references: [a, b])
  authorA Int
  authorB Int
  @@allow('read', auth() == author)
}";
    assert_eq!(keys_of(models).unwrap(), ["a", "b"]);
}

/// Every rule of every corpus schema binds the same with the auth value
/// cut down to its read members as with the whole value.
#[test]
fn corpus_rules_bind_alike_with_only_the_read_members() {
    let entries = zgen_testkit::corpus_entries();
    if entries.is_empty() {
        println!("corpus not found: corpus_rules_bind_alike_with_only_the_read_members skipped");
        return;
    }
    let mut checked = 0;
    for path in &entries {
        let analysis = zgen_sema::analyze(&zgen_testkit::load(path));
        if analysis.diagnostics.has_errors() || analysis.schema.auth.is_none() {
            continue;
        }
        let schema = &analysis.schema;
        let policies = PolicySet::compile(schema);
        if let Some(keys) = auth_keys(schema, &policies) {
            assert_binds_alike(schema, &policies, &keys);
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} corpus schemas checked");
}

fn assert_binds_alike(schema: &Schema, policies: &PolicySet, keys: &BTreeSet<String>) {
    let Some(auth) = schema.auth else { return };
    let whole = value_of(schema, auth, 2);
    let projected = match &whole {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(k, _)| keys.contains(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    };
    for (id, model) in schema.data_models() {
        let Some(policy) = policies.model(id) else {
            continue;
        };
        for pred in policy.preds() {
            assert_eq!(
                bind(pred, Some(&whole)),
                bind(pred, Some(&projected)),
                "a rule of `{}` reads more than {keys:?}",
                model.name
            );
        }
    }
}

/// A value of `model` with every member set (relations `depth` deep),
/// each different from its neighbours' so that a lost member shows.
fn value_of(schema: &Schema, model: ModelId, depth: u32) -> Json {
    let mut out = Map::new();
    for (i, field) in schema.model(model).fields.iter().enumerate() {
        let seed = i64::try_from(i).unwrap() + 3;
        let one = match &field.ty.kind {
            FieldTypeKind::Scalar(s) => scalar(*s, seed),
            FieldTypeKind::Enum(e) => schema
                .enum_(*e)
                .values
                .last()
                .map_or(Json::Null, |v| json!(v.name)),
            FieldTypeKind::Model(m) | FieldTypeKind::TypeDef(m) if depth > 0 => {
                value_of(schema, *m, depth - 1)
            }
            _ => continue,
        };
        let value = if field.ty.list {
            json!([one.clone(), one])
        } else {
            one
        };
        out.insert(field.name.clone(), value);
    }
    Json::Object(out)
}

fn scalar(ty: Scalar, seed: i64) -> Json {
    match ty {
        Scalar::Boolean => json!(seed % 2 == 0),
        Scalar::Int | Scalar::BigInt => json!(seed),
        Scalar::Float | Scalar::Decimal => json!(seed as f64 / 2.0),
        Scalar::DateTime => json!(format!("2024-01-{:02}T00:00:00.000Z", seed % 28 + 1)),
        Scalar::String => json!(format!("s{seed}")),
        Scalar::Json => json!({ "k": seed }),
        Scalar::Bytes => json!("AQI="),
    }
}
