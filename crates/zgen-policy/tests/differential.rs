//! The compiled SQL of every rule agrees with the in-memory evaluator on
//! random databases and random auth values (Cedar-style differential test).
//!
//! For each schema below, proptest generates rows for every model and an
//! auth value (anonymous, partial, or full, with nested objects and lists),
//! then for every model and operation compares the ids the database returns
//! for `SELECT id FROM T WHERE <policy>` with the ids the evaluator accepts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::types::Value as SqlValue;
use serde_json::{json, Value as Json};
use zgen_policy::eval::{eval, Dataset, Row};
use zgen_policy::ir::Value;
use zgen_policy::sql::{PredWriter, Sql, Sqlite};
use zgen_policy::{bind, ddl, PolicySet};
use zgen_sema::{FieldTypeKind, ModelId, Operation, Scalar, Schema};

const CASES_PER_SCHEMA: u32 = 2_600;

/// A generated database: per model, rows of small random values.
#[derive(Debug, Clone)]
struct World {
    tables: Vec<Vec<Row>>,
    joins: Vec<(String, Vec<(Value, Value)>)>,
    auth: Option<Json>,
}

/// Small value domains make collisions (equal values, matching keys) common.
fn scalar_value(ty: Scalar, seed: u8) -> Value {
    match ty {
        Scalar::Boolean => Value::Bool(seed.is_multiple_of(2)),
        Scalar::Int | Scalar::BigInt => Value::Int(i64::from(seed % 5)),
        Scalar::Float | Scalar::Decimal => Value::Float(f64::from(seed % 5) / 2.0),
        Scalar::DateTime => Value::Text(format!("2024-01-0{}T00:00:00.000Z", 1 + seed % 5)),
        Scalar::String => Value::Text(
            ["a", "B", "ab%", "x_y", "ADMIN", "user"][usize::from(seed % 6)].to_string(),
        ),
        Scalar::Json | Scalar::Bytes => Value::Null,
    }
}

fn field_scalar(schema: &Schema, model: ModelId, index: usize) -> Option<Scalar> {
    match schema.model(model).fields[index].ty.kind {
        FieldTypeKind::Scalar(s) => Some(s),
        FieldTypeKind::Enum(_) => Some(Scalar::String),
        _ => None,
    }
}

fn world_strategy(
    schema: &'static Schema,
    auth: BoxedStrategy<Option<Json>>,
) -> impl Strategy<Value = World> {
    let models: Vec<ModelId> = schema.data_models().map(|(id, _)| id).collect();
    let table_count = schema.models.len();
    let tables = proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..5)
        .prop_map(move |rows| {
            // One seed vector per row; tables are filled in model order.
            rows
        });
    (
        proptest::collection::vec(tables, models.len()),
        proptest::collection::vec((any::<u8>(), any::<u8>()), 0..8),
        auth,
    )
        .prop_map(move |(seeds, join_seeds, auth)| {
            let mut tables = vec![Vec::new(); table_count];
            for (model, rows) in models.iter().zip(seeds) {
                let m = schema.model(*model);
                tables[model.index()] = rows
                    .into_iter()
                    .enumerate()
                    .map(|(row_index, seed)| {
                        (0..m.fields.len())
                            .map(|fi| {
                                let s = seed.get(fi).copied().unwrap_or(0);
                                let f = &m.fields[fi];
                                match field_scalar(schema, *model, fi) {
                                    _ if f.has_attribute("@id") => Value::Int(row_index as i64 + 1),
                                    Some(_) if f.ty.optional && s % 4 == 0 => Value::Null,
                                    // Keys stay in 1..=4 so relations match often.
                                    Some(Scalar::Int) => Value::Int(i64::from(s % 5)),
                                    Some(ty) => scalar_value(ty, s),
                                    None => Value::Null,
                                }
                            })
                            .collect()
                    })
                    .collect();
            }
            let joins = join_tables(schema)
                .into_iter()
                .map(|t| {
                    (
                        t,
                        join_seeds
                            .iter()
                            .map(|(a, b)| {
                                (Value::Int(i64::from(a % 5)), Value::Int(i64::from(b % 5)))
                            })
                            .collect(),
                    )
                })
                .collect();
            World {
                tables,
                joins,
                auth,
            }
        })
}

fn join_tables(schema: &Schema) -> Vec<String> {
    let mut names = Vec::new();
    for (id, m) in schema.data_models() {
        for index in 0..m.fields.len() {
            let f = zgen_sema::FieldId {
                model: id,
                index: index as u32,
            };
            if let Some(j) = zgen_policy::storage::join_table(schema, f) {
                if !names.contains(&j.table) {
                    names.push(j.table);
                }
            }
        }
    }
    names
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Int(i) => SqlValue::Integer(*i),
        Value::Float(f) => SqlValue::Real(*f),
        Value::Text(s) => SqlValue::Text(s.clone()),
        Value::Bytes(b) => SqlValue::Blob(b.clone()),
    }
}

fn load(schema: &Schema, world: &World) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().expect("open");
    for stmt in ddl::create_statements(schema) {
        conn.execute(&stmt, [])
            .unwrap_or_else(|e| panic!("{e}: {stmt}"));
    }
    // Generated keys may dangle on purpose: both sides must agree then too.
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .expect("pragma");
    for (id, m) in schema.data_models() {
        let columns: Vec<(usize, String)> = m
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| field_scalar(schema, id, *i).is_some() && !f.is_computed())
            .map(|(i, f)| (i, format!("\"{}\"", f.db_name())))
            .collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({})",
            m.db_name(),
            columns
                .iter()
                .map(|(_, c)| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            columns.iter().map(|_| "?").collect::<Vec<_>>().join(", ")
        );
        for row in &world.tables[id.index()] {
            let params: Vec<SqlValue> = columns.iter().map(|(i, _)| to_sql(&row[*i])).collect();
            // Unique constraints may reject a random row; the dataset must
            // then not hold it either, so such rows are skipped on both sides.
            let _ = conn.execute(&sql, rusqlite::params_from_iter(params));
        }
    }
    for (table, pairs) in &world.joins {
        for (a, b) in pairs {
            let _ = conn.execute(
                &format!("INSERT INTO \"{table}\" (\"A\", \"B\") VALUES (?, ?)"),
                [to_sql(a), to_sql(b)],
            );
        }
    }
    conn
}

/// The rows that made it into the database (unique constraints may have
/// rejected some), as the evaluator's dataset.
fn dataset(schema: &Schema, conn: &rusqlite::Connection, world: &World) -> Dataset {
    let mut data = Dataset::new(schema);
    for (id, m) in schema.data_models() {
        let ids: Vec<i64> = conn
            .prepare(&format!("SELECT \"id\" FROM \"{}\"", m.db_name()))
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("ids");
        data.tables[id.index()] = world.tables[id.index()]
            .iter()
            .filter(|row| matches!(row.first(), Some(Value::Int(i)) if ids.contains(i)))
            .cloned()
            .collect();
    }
    for (table, _) in &world.joins {
        let pairs: Vec<(i64, i64)> = conn
            .prepare(&format!("SELECT \"A\", \"B\" FROM \"{table}\""))
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("pairs");
        data.join_rows.insert(
            table.clone(),
            pairs
                .into_iter()
                .map(|(a, b)| (Value::Int(a), Value::Int(b)))
                .collect(),
        );
    }
    data.now = Value::Text("2024-01-03T00:00:00.000Z".into());
    data
}

fn check_world(schema: &Schema, policies: &PolicySet, world: &World) -> Result<(), TestCaseError> {
    let conn = load(schema, world);
    let data = dataset(schema, &conn, world);
    for (id, m) in schema.data_models() {
        let Some(policy) = policies.model(id) else {
            continue;
        };
        let mut checks: Vec<(String, zgen_policy::ir::Pred)> = [
            Operation::Read,
            Operation::Update,
            Operation::Delete,
            Operation::Create,
        ]
        .iter()
        .map(|op| (op.name().to_string(), policy.get(*op).clone()))
        .collect();
        checks.extend(
            policy
                .field_read
                .iter()
                .map(|(f, p)| (format!("read {}", schema.field(*f).name), p.clone())),
        );
        for (what, pred) in checks {
            let bound = bind(&pred, world.auth.as_ref());
            let mut sql = Sql::default();
            sql.push(&format!(
                "SELECT \"t0\".\"id\" FROM \"{}\" AS \"t0\" WHERE ",
                m.db_name()
            ));
            PredWriter::new(schema, &Sqlite, "t0").pred(&bound, &mut sql);
            sql.push(" ORDER BY 1");
            let from_db: Vec<i64> = conn
                .prepare(&sql.text)
                .and_then(|mut s| {
                    s.query_map(
                        rusqlite::params_from_iter(sql.params.iter().map(to_sql)),
                        |r| r.get(0),
                    )?
                    .collect()
                })
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", sql.text)))?;
            let from_eval: Vec<i64> = data.tables[id.index()]
                .iter()
                .enumerate()
                .filter(|(i, _)| eval(schema, &data, &bound, (id, *i), None) == Some(true))
                .filter_map(|(_, row)| match row.first() {
                    Some(Value::Int(i)) => Some(*i),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(
                &from_db,
                &from_eval,
                "{}.{} under auth {:?}\nsql: {}\nparams: {:?}",
                m.name,
                what,
                world.auth,
                sql.text,
                sql.params
            );
        }
    }
    Ok(())
}

fn run(schema_text: &str, auth: BoxedStrategy<Option<Json>>) {
    let schema: &'static Schema = Box::leak(Box::new(zgen_testkit::checked(schema_text)));
    let policies = PolicySet::compile(schema);
    let mut runner = TestRunner::new(Config {
        cases: CASES_PER_SCHEMA,
        ..Config::default()
    });
    let result = runner.run(&world_strategy(schema, auth), |world| {
        check_world(schema, &policies, &world)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Anonymous, empty, or a user object with some of `id`, `role`, `name`.
fn user_auth() -> BoxedStrategy<Option<Json>> {
    prop_oneof![
        Just(None),
        Just(Some(json!({}))),
        (
            0i64..5,
            proptest::option::of(prop_oneof![Just("ADMIN"), Just("user")]),
            proptest::option::of(prop_oneof![Just("a"), Just("B"), Just("ab%")])
        )
            .prop_map(|(id, role, name)| {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), json!(id));
                if let Some(r) = role {
                    o.insert("role".into(), json!(r));
                }
                if let Some(n) = name {
                    o.insert("name".into(), json!(n));
                }
                Some(Json::Object(o))
            }),
    ]
    .boxed()
}

#[test]
fn relations_and_nulls() {
    run(
        r#"
        datasource db { provider = 'sqlite' }
        model User {
            id     Int     @id
            name   String?
            role   String?
            banned Boolean?
            level  Int
            posts  Post[]
            @@allow('read', true)
            @@allow('update', auth() == this || auth().role == 'ADMIN')
            @@deny('delete', banned)
            @@allow('delete', level > 2 && name != null)
        }
        model Post {
            id        Int     @id
            title     String
            published Boolean
            rank      Int?
            authorId  Int?
            author    User?   @relation(fields: [authorId], references: [id])
            @@allow('read', published || auth() == author)
            @@deny('read', author.banned)
            @@allow('update', author.level >= rank && author.name == auth().name)
            @@allow('delete', auth().id == authorId)
            @@allow('create', contains(title, auth().name) || startsWith(title, 'a'))
        }
        "#,
        user_auth(),
    );
}

#[test]
fn collection_predicates() {
    run(
        r#"
        datasource db { provider = 'sqlite' }
        model User {
            id     Int          @id
            role   String?
            spaces Membership[]
            posts  Post[]
            @@allow('read', posts?[published])
            @@allow('update', posts![published])
            @@allow('delete', posts^[p, p.rank > 2 || p.rank == null])
        }
        model Space {
            id      Int          @id
            members Membership[]
            lists   Post[]
            @@allow('read', members?[userId == auth().id && role == 'ADMIN'])
            @@allow('update', members![m, m.role != null])
            @@allow('delete', lists?[l, l.author.spaces?[spaceId == this.id]])
        }
        model Membership {
            id      Int     @id
            role    String?
            userId  Int
            user    User    @relation(fields: [userId], references: [id])
            spaceId Int
            space   Space   @relation(fields: [spaceId], references: [id])
            @@allow('read', space.members?[userId == auth().id])
            @@allow('update', check(space, 'read'))
        }
        model Post {
            id        Int     @id
            published Boolean
            rank      Int?
            authorId  Int?
            author    User?   @relation(fields: [authorId], references: [id])
            spaceId   Int?
            space     Space?  @relation(fields: [spaceId], references: [id])
            @@allow('read', author.posts?[rank > 1] && !published)
        }
        "#,
        user_auth(),
    );
}

#[test]
fn auth_nesting_and_in() {
    let auth = prop_oneof![
        Just(None),
        Just(Some(json!({}))),
        (
            0i64..5,
            proptest::option::of(proptest::collection::vec(
                (0i64..5, prop_oneof![Just("admin"), Just("viewer")]),
                0..3
            )),
            proptest::option::of(0i64..5)
        )
            .prop_map(|(id, roles, age)| {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), json!(id));
                if let Some(roles) = roles {
                    o.insert(
                        "roles".into(),
                        json!(roles
                            .iter()
                            .map(|(s, n)| json!({"id": s, "name": n, "spaceId": s}))
                            .collect::<Vec<_>>()),
                    );
                }
                if let Some(age) = age {
                    o.insert("profile".into(), json!({"age": age}));
                }
                Some(Json::Object(o))
            })
    ]
    .boxed();
    run(
        r#"
        datasource db { provider = 'sqlite' }
        type Profile {
            age Int
        }
        model Role {
            id      Int    @id
            name    String
            spaceId Int
            userId  Int
            user    User   @relation(fields: [userId], references: [id])
            @@allow('all', true)
        }
        model User {
            id      Int      @id
            profile Profile? @json
            roles   Role[]
            @@allow('read', auth().roles?[name == 'admin'])
            @@allow('update', auth().roles![r, r.spaceId == this.id])
            @@allow('delete', auth().roles^[name == 'admin'] && auth().profile.age > 2)
        }
        model Doc {
            id      Int  @id
            ownerId Int?
            level   Int
            @@allow('read', auth().id == ownerId)
            @@allow('update', level in [1, 3] && auth().profile.age >= level)
            @@allow('delete', auth().roles?[spaceId == this.level])
        }
        "#,
        auth,
    );
}

#[test]
fn many_to_many_and_post_update_defaults() {
    run(
        r#"
        datasource db { provider = 'sqlite' }
        model Post {
            id    Int     @id
            title String
            tags  Tag[]
            @@allow('read', tags?[name == 'a'])
            @@allow('update', tags![t, t.name != 'B'])
            @@allow('delete', tags^[contains(name, auth().name)])
            @@deny('post-update', title == 'x_y')
        }
        model Tag {
            id    Int    @id
            name  String
            posts Post[]
            @@allow('read', posts?[p, contains(p.title, 'b')])
        }
        type User {
            id   Int
            role String?
            name String?
        }
        "#,
        user_auth(),
    );
}
