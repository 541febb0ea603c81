//! Relation resolution (V-R*) and the model, field and attribute rules
//! (V-D*, V-A3..V-A6, V-S5): one failing and one passing case per rule,
//! the resolved relation metadata, and the real-schema corpus.

use zgen_diagnostics::Code;
use zgen_sema::{FieldId, ReferentialAction, RelationKind};

/// The codes these rules emit; other passes' findings are left out so the
/// cases stay about one rule.
const RULE_CODES: &[Code] = &[
    Code::RELATION_FIELDS,
    Code::SELF_RELATION_NAME,
    Code::MISSING_OPPOSITE_RELATION,
    Code::AMBIGUOUS_RELATION,
    Code::RELATION_OWNER,
    Code::RELATION_NOT_OPTIONAL,
    Code::ONE_TO_ONE_NOT_UNIQUE,
    Code::MISSING_UNIQUE_CRITERIA,
    Code::DUPLICATE_ID,
    Code::INVALID_ID_FIELD,
    Code::INVALID_FIELD_TYPE,
    Code::JSON_TYPE_FIELD,
    Code::DELEGATE_MAP,
    Code::ATTRIBUTE_ONCE,
    Code::DEPRECATED_ATTRIBUTE,
    Code::FIELD_REFERENCES,
    Code::PROVIDER_FEATURE,
    Code::VALIDATE_RELATION,
    Code::PASSWORD_ATTRIBUTE,
    Code::LIST_NOT_SUPPORTED,
    Code::ATTRIBUTE_TARGET,
];

/// The findings of these rules as (code id, underlined text).
fn check(schema: &str) -> Vec<(&'static str, String)> {
    zgen_testkit::findings(schema, RULE_CODES)
}

fn sqlite(body: &str) -> String {
    format!("datasource db {{\n  provider = 'sqlite'\n}}\n\n{body}")
}

fn postgres(body: &str) -> String {
    format!("datasource db {{\n  provider = 'postgresql'\n}}\n\n{body}")
}

fn expect(schema: &str, expected: &[(&str, &str)]) {
    zgen_testkit::assert_findings(schema, RULE_CODES, expected);
}

fn ok(schema: &str) {
    expect(schema, &[]);
}

const USER_POSTS: &str = "model User {\n  id    Int    @id\n  posts Post[]\n}\n";

// ---- V-R1

#[test]
fn relation_fields_must_come_with_references() {
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation(fields: [authorId])\n  authorId Int\n}}\n"
    ));
    expect(&schema, &[("Z0401", "@relation(fields: [authorId])")]);
}

#[test]
fn relation_fields_cannot_be_empty() {
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation(fields: [], references: [id])\n  authorId Int\n}}\n"
    ));
    expect(&schema, &[("Z0401", "[]")]);
}

#[test]
fn relation_fields_and_references_same_length_and_type() {
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation(fields: [a, b], references: [id])\n  a Int\n  b Int\n}}\n"
    ));
    expect(
        &schema,
        &[("Z0401", "@relation(fields: [a, b], references: [id])")],
    );
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId String\n}}\n"
    ));
    expect(&schema, &[("Z0401", "authorId")]);
}

#[test]
fn required_relation_with_optional_foreign_key() {
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int?\n}}\n"
    ));
    expect(&schema, &[("Z0401", "authorId")]);
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User? @relation(fields: [authorId], references: [id], onDelete: Cascade)\n  authorId Int?\n}}\n"
    ));
    ok(&schema);
}

// ---- V-R2

#[test]
fn self_relation_needs_a_name() {
    let schema = sqlite(
        "model Node {\n  id Int @id\n  parentId Int?\n  parent Node? @relation(fields: [parentId], references: [id])\n  children Node[]\n}\n",
    );
    expect(&schema, &[("Z0402", "parent"), ("Z0402", "children")]);
    let schema = sqlite(
        "model Node {\n  id Int @id\n  parentId Int?\n  parent Node? @relation('tree', fields: [parentId], references: [id])\n  children Node[] @relation('tree')\n}\n",
    );
    ok(&schema);
}

// ---- V-R3

#[test]
fn missing_opposite_relation() {
    let schema = sqlite(
        "model User {\n  id Int @id\n}\nmodel Post {\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n}\n",
    );
    expect(&schema, &[("Z0403", "author")]);
    ok(&sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n}}\n"
    )));
}

#[test]
fn ambiguous_opposite_relation() {
    let body = "model Post {\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n  editor User? @relation(fields: [editorId], references: [id])\n  editorId Int?\n}\n";
    expect(
        &sqlite(&format!("{USER_POSTS}{body}")),
        &[("Z0404", "posts")],
    );
    let named = "model User {\n  id Int @id\n  written Post[] @relation('author')\n  edited Post[] @relation('editor')\n}\nmodel Post {\n  id Int @id\n  author User @relation('author', fields: [authorId], references: [id])\n  authorId Int\n  editor User? @relation('editor', fields: [editorId], references: [id])\n  editorId Int?\n}\n";
    ok(&sqlite(named));
}

// ---- V-R4

#[test]
fn foreign_key_on_exactly_one_side() {
    let neither = "model User {\n  id Int @id\n  profile Profile?\n}\nmodel Profile {\n  id Int @id\n  user User?\n}\n";
    expect(&sqlite(neither), &[("Z0405", "profile")]);
    let both = "model User {\n  id Int @id\n  profileId Int? @unique\n  profile Profile? @relation(fields: [profileId], references: [id])\n}\nmodel Profile {\n  id Int @id\n  user User @relation(fields: [userId], references: [id])\n  userId Int @unique\n}\n";
    expect(&sqlite(both), &[("Z0405", "profile")]);
    let list_side = "model User {\n  id Int @id\n  posts Post[] @relation(fields: [id], references: [authorId])\n}\nmodel Post {\n  id Int @id\n  author User?\n  authorId Int?\n}\n";
    expect(&sqlite(list_side), &[("Z0405", "posts")]);
}

#[test]
fn implicit_many_to_many() {
    let with_fk = "model Post {\n  id Int @id\n  tags Tag[] @relation(fields: [id], references: [id])\n}\nmodel Tag {\n  id Int @id\n  posts Post[]\n}\n";
    expect(
        &sqlite(with_fk),
        &[("Z0405", "@relation(fields: [id], references: [id])")],
    );
    ok(&sqlite("model Post {\n  id Int @id\n  tags Tag[]\n}\nmodel Tag {\n  id Int @id\n  posts Post[]\n}\n"));
}

// ---- V-R5 and V-R6

#[test]
fn back_relation_must_be_optional_or_list() {
    let schema = "model User {\n  id Int @id\n  profile Profile\n}\nmodel Profile {\n  id Int @id\n  user User @relation(fields: [userId], references: [id])\n  userId Int @unique\n}\n";
    expect(&sqlite(schema), &[("Z0406", "profile")]);
    ok(&sqlite(
        &schema.replace("profile Profile\n", "profile Profile?\n"),
    ));
}

#[test]
fn one_to_one_foreign_key_must_be_unique() {
    let schema = "model User {\n  id Int @id\n  profile Profile?\n}\nmodel Profile {\n  id Int @id\n  user User @relation(fields: [userId], references: [id])\n  userId Int\n}\n";
    expect(&sqlite(schema), &[("Z0407", "user")]);
    ok(&sqlite(&schema.replace(
        "userId Int\n",
        "userId Int\n  @@unique([userId])\n",
    )));
    ok(&sqlite(
        &schema
            .replace("userId Int\n", "userId Int @id\n")
            .replace("  id Int @id\n  user", "  user"),
    ));
}

// ---- relation metadata

#[test]
fn relation_metadata_is_resolved() {
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  author User @relation('written', fields: [authorId], references: [id], onDelete: Cascade)\n  authorId Int\n}}\n"
    ))
    .replace("posts Post[]", "posts Post[] @relation('written')");
    let loaded = zgen_syntax::load_sources(&[("schema.zmodel", schema.as_str())]);
    let analysis = zgen_sema::analyze(&loaded);
    let s = &analysis.schema;
    let user = s.model_by_name("User").unwrap();
    let post = s.model_by_name("Post").unwrap();
    let (posts_index, posts) = s.model(user).field_by_name("posts").unwrap();
    let (author_index, author) = s.model(post).field_by_name("author").unwrap();
    let (fk_index, _) = s.model(post).field_by_name("authorId").unwrap();
    let (id_index, _) = s.model(user).field_by_name("id").unwrap();
    let rel = author.relation.as_ref().unwrap();
    assert_eq!(rel.name.as_deref(), Some("written"));
    assert_eq!(
        rel.fields,
        vec![FieldId {
            model: post,
            index: fk_index
        }]
    );
    assert_eq!(
        rel.references,
        vec![FieldId {
            model: user,
            index: id_index
        }]
    );
    assert_eq!(rel.on_delete, Some(ReferentialAction::Cascade));
    assert_eq!(
        rel.opposite,
        Some(FieldId {
            model: user,
            index: posts_index
        })
    );
    assert_eq!(rel.kind, Some(RelationKind::ManyToOne));
    assert!(rel.is_owner());
    let back = posts.relation.as_ref().unwrap();
    assert_eq!(
        back.opposite,
        Some(FieldId {
            model: post,
            index: author_index
        })
    );
    assert_eq!(back.kind, Some(RelationKind::OneToMany));
    assert!(!back.is_owner());
}

#[test]
fn delegate_sub_models_share_the_base_relation() {
    let schema = sqlite(
        "model User {\n  id Int @id\n  contents Content[]\n}\nmodel Content {\n  id Int @id\n  owner User @relation(fields: [ownerId], references: [id])\n  ownerId Int\n  type String\n  @@delegate(type)\n}\nmodel Post extends Content {\n  title String\n}\nmodel Video extends Content {\n  url String\n}\n",
    );
    assert_eq!(check(&schema), vec![]);
    let loaded = zgen_syntax::load_sources(&[("schema.zmodel", schema.as_str())]);
    let s = zgen_sema::analyze(&loaded).schema;
    let user = s.model_by_name("User").unwrap();
    let post = s.model_by_name("Post").unwrap();
    let (_, owner) = s.model(post).field_by_name("owner").unwrap();
    let rel = owner.relation.as_ref().unwrap();
    assert_eq!(rel.opposite.map(|o| o.model), Some(user));
    assert_eq!(rel.kind, Some(RelationKind::ManyToOne));
}

#[test]
fn mixin_relations_are_checked_in_each_user() {
    let schema = "type Owned {\n  owner User @relation(fields: [ownerId], references: [id])\n  ownerId Int\n}\nmodel User {\n  id Int @id\n  posts Post[]\n}\nmodel Post with Owned {\n  id Int @id\n}\nmodel Note with Owned {\n  id Int @id\n}\n";
    expect(&sqlite(schema), &[("Z0403", "owner")]);
    ok(&sqlite(
        &schema.replace("posts Post[]", "posts Post[]\n  notes Note[]"),
    ));
}

// ---- V-D1..V-D5

#[test]
fn unique_criteria() {
    expect(
        &sqlite("model Log {\n  message String\n}\n"),
        &[("Z0301", "Log")],
    );
    ok(&sqlite("model Log {\n  message String @unique\n}\n"));
    ok(&sqlite("model Log {\n  message String\n  @@ignore\n}\n"));
    ok(&sqlite(
        "type Id {\n  id Int @id\n}\nmodel Log with Id {\n  message String\n}\n",
    ));
}

#[test]
fn id_rules() {
    expect(
        &sqlite("model M {\n  a Int @id\n  b Int @id\n}\n"),
        &[("Z0302", "@id")],
    );
    expect(
        &sqlite("model M {\n  a Int @id\n  b Int\n  @@id([a, b])\n}\n"),
        &[("Z0302", "@@id([a, b])")],
    );
    expect(&sqlite("model M {\n  a Int? @id\n}\n"), &[("Z0303", "a")]);
    expect(
        &postgres("model M {\n  a Int[] @id\n}\n"),
        &[("Z0303", "a")],
    );
    ok(&sqlite(
        "model M {\n  a Int\n  b String\n  @@id([a, b])\n}\n",
    ));
}

#[test]
fn mixin_repeats_are_reported_once_at_the_mixin() {
    let schema = "type Ids {\n  a Int @id\n  b Int @id\n}\nmodel M with Ids {\n  x Int\n}\nmodel N with Ids {\n  y Int\n}\n";
    expect(&sqlite(schema), &[("Z0302", "@id")]);
}

#[test]
fn optional_list() {
    expect(
        &postgres("model M {\n  id Int @id\n  tags String[]?\n}\n"),
        &[("Z0304", "String[]?")],
    );
    // A typed-JSON shape may hold optional lists.
    ok(&postgres(
        "type Profile {\n  tags String[]?\n}\nmodel M {\n  id Int @id\n  profile Profile @json\n}\n",
    ));
}

#[test]
fn typed_json_fields() {
    let shape = "type Address {\n  city String\n}\n";
    expect(
        &sqlite(&format!(
            "{shape}model M {{\n  id Int @id\n  address Address\n}}\n"
        )),
        &[("Z0305", "address")],
    );
    ok(&sqlite(&format!(
        "{shape}model M {{\n  id Int @id\n  address Address @json\n}}\n"
    )));
    let with_relation = "model Tag {\n  id Int @id\n}\ntype Outer {\n  inner Inner\n}\ntype Inner {\n  tag Tag?\n}\nmodel M {\n  id Int @id\n  outer Outer @json\n}\n";
    expect(&sqlite(with_relation), &[("Z0305", "outer")]);
}

// ---- V-D8

#[test]
fn delegate_map() {
    let base = "model Content {\n  id Int @id\n  type String\n  @@delegate(type)\n}\n";
    ok(&sqlite(&format!(
        "{base}model Post extends Content {{\n  title String\n  @@delegateMap('post')\n}}\nmodel Video extends Content {{\n  url String\n}}\n"
    )));
    expect(
        &sqlite(&format!(
            "{base}model Post extends Content {{\n  title String\n  @@delegateMap('Video')\n}}\nmodel Video extends Content {{\n  url String\n}}\n"
        )),
        &[("Z0308", "Video")],
    );
    expect(
        &sqlite("model Post {\n  id Int @id\n  @@delegateMap('post')\n}\n"),
        &[("Z0308", "@@delegateMap('post')")],
    );
    let enum_base = "enum Kind {\n  POST\n  VIDEO\n}\nmodel Content {\n  id Int @id\n  type Kind\n  @@delegate(type)\n}\n";
    ok(&sqlite(&format!(
        "{enum_base}model Post extends Content {{\n  title String\n  @@delegateMap(POST)\n}}\nmodel Clip extends Content {{\n  url String\n  @@delegateMap('VIDEO')\n}}\n"
    )));
    expect(
        &sqlite(&format!("{enum_base}model Post extends Content {{\n  title String\n  @@delegateMap('ARTICLE')\n}}\n")),
        &[("Z0308", "'ARTICLE'")],
    );
}

// ---- V-D9

#[test]
fn attributes_applied_once() {
    expect(
        &sqlite("model M {\n  id Int @id\n  v Int @default(0) @default(1)\n}\n"),
        &[("Z0309", "@default(1)")],
    );
    expect(
        &sqlite("model M {\n  a Int\n  b Int\n  @@id([a, b])\n  @@id([b, a])\n}\n"),
        &[("Z0309", "@@id([b, a])")],
    );
    ok(&sqlite(
        "model M {\n  id Int @id @default(0)\n  a Int @unique\n  b Int @unique\n}\n",
    ));
}

#[test]
fn attributes_on_one_field_per_model() {
    let schema = "model M {\n  id Int @id\n  a DateTime? @deletedAt\n  b DateTime? @deletedAt\n}\n";
    expect(&sqlite(schema), &[("Z0309", "@deletedAt")]);
    ok(&sqlite(&schema.replace("  b DateTime? @deletedAt\n", "")));
}

// ---- V-S5 and @password

#[test]
fn scalar_lists_need_postgresql() {
    let body = "enum Role {\n  A\n}\nmodel M {\n  id Int @id\n  tags String[]\n  roles Role[]\n}\n";
    expect(&sqlite(body), &[("Z0206", "String[]"), ("Z0206", "Role[]")]);
    ok(&postgres(body));
}

#[test]
fn password_is_v2() {
    // One warning: the declaration's own deprecation is not repeated.
    expect(
        &sqlite("model User {\n  id Int @id\n  password String @password\n}\n"),
        &[("Z1002", "@password")],
    );
    ok(&sqlite(
        "model User {\n  id Int @id\n  password String\n}\n",
    ));
}

// ---- V-A3..V-A6

#[test]
fn deprecated_attribute() {
    let schema = sqlite(
        "attribute @old(_ name: String) @@@deprecated('use @map instead')\nmodel M {\n  id Int @id\n  name String @old('x')\n}\n",
    );
    expect(&schema, &[("Z0504", "@old")]);
    ok(&sqlite(
        "attribute @fresh(_ name: String)\nmodel M {\n  id Int @id\n  name String @fresh('x')\n}\n",
    ));
}

#[test]
fn constraint_field_lists() {
    expect(
        &sqlite("model M {\n  id Int @id\n  a Int\n  @@index([])\n}\n"),
        &[("Z0505", "[]")],
    );
    let base =
        "model Content {\n  id Int @id\n  slug String\n  type String\n  @@delegate(type)\n}\n";
    expect(
        &sqlite(&format!(
            "{base}model Post extends Content {{\n  title String\n  @@unique([slug])\n}}\n"
        )),
        &[("Z0505", "slug")],
    );
    ok(&sqlite(&format!(
        "{base}model Post extends Content {{\n  title String\n  @@unique([title])\n  @@index([title])\n}}\n"
    )));
}

#[test]
fn views_have_no_ids_or_indexes() {
    let schema = sqlite(
        "model M {\n  id Int @id\n}\nview V {\n  id Int @id\n  name String\n  @@index([name])\n}\n",
    );
    expect(&schema, &[("Z0501", "@id"), ("Z0501", "@@index([name])")]);
    ok(&sqlite("model M {\n  id Int @id\n}\nview V {\n  id Int @unique\n  name String\n  @@unique([name])\n}\n"));
}

#[test]
fn postgres_only_attributes() {
    expect(
        &sqlite("model M {\n  id Int @id\n  t String @fuzzy\n}\n"),
        &[("Z0506", "@fuzzy")],
    );
    ok(&postgres(
        "model M {\n  id Int @id\n  t String @fuzzy\n  u String @fullText\n}\n",
    ));
}

#[test]
fn schema_must_be_declared() {
    let ds = "datasource db {\n  provider = 'postgresql'\n  schemas = ['public', 'auth']\n}\n";
    ok(&format!(
        "{ds}model M {{\n  id Int @id\n  @@schema('auth')\n}}\n"
    ));
    expect(
        &format!("{ds}model M {{\n  id Int @id\n  @@schema('billing')\n}}\n"),
        &[("Z0506", "'billing'")],
    );
}

#[test]
fn validate_cannot_use_relations() {
    let schema = sqlite(&format!(
        "{USER_POSTS}model Post {{\n  id Int @id\n  n Int\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n  @@validate(author.id > 0)\n}}\n"
    ));
    expect(&schema, &[("Z0507", "author")]);
    ok(&schema.replace(
        "@@validate(author.id > 0)",
        "@@validate(n > 0 && authorId > 0)",
    ));
}
