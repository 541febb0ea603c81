//! Datasource and plugin blocks (V-S1..V-S3, V-S7), access-policy rules
//! (V-P1..V-P6), function arguments (V-F3..V-F6), v2 leftovers (`future()`,
//! v2 plugins) and reserved procedure names: one failing and one passing case
//! per rule, the quirks the spec records, and the real-schema corpus.

use zgen_diagnostics::Code;
use zgen_sema::Provider;

/// The codes these rules emit; other passes' findings are left out so the
/// cases stay about one rule.
const RULE_CODES: &[Code] = &[
    Code::MULTIPLE_DATASOURCES,
    Code::MISSING_DATASOURCE,
    Code::DATASOURCE_PROVIDER,
    Code::DATASOURCE_FIELD,
    Code::GENERATOR_UNUSED,
    Code::UNKNOWN_PLUGIN,
    Code::LEGACY_PLUGIN,
    Code::POLICY_OPERATION,
    Code::POLICY_CONDITION,
    Code::CREATE_NON_OWNED_RELATION,
    Code::BEFORE_CONTEXT,
    Code::FIELD_POLICY_TARGET,
    Code::BEFORE_RELATION,
    Code::CASING_ARGUMENT,
    Code::ID_GENERATOR_ARGUMENT,
    Code::VALIDATION_FUNCTION_ARGUMENT,
    Code::CHECK_ARGUMENT,
    Code::CHECK_CYCLE,
    Code::FUTURE_FUNCTION,
    Code::RESERVED_NAME,
];

fn expect(schema: &str, expected: &[(&str, &str)]) {
    zgen_testkit::assert_findings(schema, RULE_CODES, expected);
}

fn ok(schema: &str) {
    expect(schema, &[]);
}

fn sqlite(body: &str) -> String {
    format!("datasource db {{\n  provider = 'sqlite'\n}}\n\n{body}")
}

/// `User` and `Post` (owned `author`, non-owned `posts`) plus `extra` in
/// `Post`'s body.
fn blog(post_extra: &str) -> String {
    sqlite(&format!(
        "model User {{
  id      Int      @id
  admin   Boolean
  role    String?
  posts   Post[]
  profile Profile?
  @@allow('all', true)
}}

model Profile {{
  id     Int  @id
  user   User @relation(fields: [userId], references: [id])
  userId Int  @unique
  @@allow('all', true)
}}

model Post {{
  id        Int     @id
  title     String
  views     Int
  published Boolean
  author    User    @relation(fields: [authorId], references: [id])
  authorId  Int
  {post_extra}
}}
"
    ))
}

// ---- V-S1..V-S3, V-S7: datasource and generator

#[test]
fn datasource_is_recorded() {
    let loaded = zgen_syntax::load_sources(&[(
        "schema.zmodel",
        "datasource db {\n  provider = 'postgresql'\n}\n",
    )]);
    let analysis = zgen_sema::analyze(&loaded);
    let ds = analysis
        .schema
        .datasource
        .as_ref()
        .map(|d| (d.name.as_str(), d.provider));
    assert_eq!(ds, Some(("db", Some(Provider::Postgresql))));
}

#[test]
fn one_datasource() {
    expect(
        "datasource a {\n  provider = 'sqlite'\n}\ndatasource b {\n  provider = 'sqlite'\n}\n",
        &[("Z0201", "b")],
    );
    expect("model User {\n  id Int @id\n}\n", &[("Z0202", "")]);
    ok("datasource a {\n  provider = 'sqlite'\n}\n");
}

#[test]
fn datasource_across_files() {
    // One datasource for the merged schema: an imported file may hold it.
    let loaded = zgen_syntax::load_sources(&[
        (
            "schema.zmodel",
            "import 'db'\nmodel User {\n  id Int @id\n}\n",
        ),
        ("db.zmodel", "datasource db {\n  provider = 'sqlite'\n}\n"),
    ]);
    let analysis = zgen_sema::analyze(&loaded);
    assert!(
        !analysis
            .diagnostics
            .iter()
            .any(|d| RULE_CODES.contains(&d.code)),
        "{:?}",
        analysis.diagnostics
    );
    let loaded = zgen_syntax::load_sources(&[
        (
            "schema.zmodel",
            "import 'db'\ndatasource main {\n  provider = 'sqlite'\n}\n",
        ),
        ("db.zmodel", "datasource db {\n  provider = 'sqlite'\n}\n"),
    ]);
    let analysis = zgen_sema::analyze(&loaded);
    let codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|d| RULE_CODES.contains(&d.code))
        .map(|d| d.code.id)
        .collect();
    assert_eq!(codes, ["Z0201"]);
}

#[test]
fn datasource_provider() {
    expect("datasource db {\n  url = 'file:x'\n}\n", &[("Z0203", "db")]);
    expect(
        "datasource db {\n  provider = env('P')\n}\n",
        &[("Z0203", "env('P')")],
    );
    expect(
        "datasource db {\n  provider = 'mongodb'\n}\n",
        &[("Z0203", "'mongodb'")],
    );
    ok("datasource db {\n  provider = \"mysql\"\n  url = env('DATABASE_URL')\n}\n");
}

#[test]
fn datasource_url() {
    expect(
        "datasource db {\n  provider = 'sqlite'\n  url = 42\n}\n",
        &[("Z0204", "42")],
    );
    expect(
        "datasource db {\n  provider = 'sqlite'\n  url = now()\n}\n",
        &[("Z0204", "now()")],
    );
    ok("datasource db {\n  provider = 'sqlite'\n  url = 'file:./dev.db'\n}\n");
}

#[test]
fn datasource_schemas() {
    let pg = |fields: &str, body: &str| {
        format!("datasource db {{\n  provider = 'postgresql'\n{fields}}}\n{body}")
    };
    expect(
        "datasource db {\n  provider = 'mysql'\n  defaultSchema = 'x'\n}\n",
        &[("Z0204", "defaultSchema")],
    );
    expect(
        &pg("  schemas = ['public', 1]\n", ""),
        &[("Z0204", "['public', 1]")],
    );
    expect(&pg("  schemas = 'public'\n", ""), &[("Z0204", "'public'")]);
    expect(
        &pg("  schemas = ['a']\n  defaultSchema = 'b'\n", ""),
        &[("Z0204", "'b'")],
    );
    expect(&pg("  defaultSchema = 1\n", ""), &[("Z0204", "1")]);
    // A model without `@@schema` lives in "public".
    let model = "model User {\n  id Int @id\n}\n";
    expect(
        &pg("  schemas = ['auth']\n", model),
        &[("Z0204", "['auth']")],
    );
    ok(&pg("  schemas = ['auth', 'public']\n", model));
    ok(&pg(
        "  schemas = ['auth']\n",
        "model User {\n  id Int @id\n  @@schema('auth')\n}\n",
    ));
    ok(&pg(
        "  schemas = ['auth']\n  defaultSchema = 'auth'\n",
        model,
    ));
}

#[test]
fn duplicate_datasource_field() {
    let loaded = zgen_syntax::load_sources(&[(
        "schema.zmodel",
        "datasource db {\n  provider = 'sqlite'\n  provider = 'mysql'\n}\n",
    )]);
    let analysis = zgen_sema::analyze(&loaded);
    let dup: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::DUPLICATE_FIELD)
        .map(|d| loaded.sources.slice(d.span))
        .collect();
    assert_eq!(dup, ["provider"]);
}

#[test]
fn generator_is_unused() {
    expect(
        &sqlite("generator client {\n  provider = 'prisma-client-js'\n}\n"),
        &[("Z0207", "client")],
    );
}

// ---- plugins

#[test]
fn plugins() {
    let plugin = |provider: &str| sqlite(&format!("plugin p {{\n  provider = '{provider}'\n}}\n"));
    ok(&plugin("@zenstackhq/plugin-policy"));
    ok(&plugin("@core/typescript"));
    ok(&plugin("@core/prisma"));
    ok(&plugin(
        "../node_modules/@zenstackhq/plugin-policy/plugins/policy/plugin.zmodel",
    ));
    expect(&plugin("my-plugin"), &[("Z0208", "p")]);
    expect(&plugin("@zenstackhq/trpc"), &[("Z0208", "p")]);
    for legacy in [
        "@core/access-policy",
        "@core/zod",
        "@core/openapi",
        "@zenstackhq/swr",
        "@zenstackhq/tanstack-query",
    ] {
        expect(&plugin(legacy), &[("Z1005", &format!("'{legacy}'"))]);
    }
    expect(
        &sqlite("plugin p {\n  output = 'x'\n}\n"),
        &[("Z0208", "p")],
    );
}

#[test]
fn plugins_are_recorded() {
    let loaded = zgen_syntax::load_sources(&[(
        "schema.zmodel",
        &sqlite(
            "plugin a {\n  provider = '@core/typescript'\n}\nplugin b {\n  provider = 'x'\n}\n",
        ),
    )]);
    let analysis = zgen_sema::analyze(&loaded);
    let plugins: Vec<(&str, Option<&str>)> = analysis
        .schema
        .plugins
        .iter()
        .map(|p| (p.name.as_str(), p.provider.as_deref()))
        .collect();
    assert_eq!(plugins, [("a", Some("@core/typescript")), ("b", Some("x"))]);
}

#[test]
fn legacy_access_policy_help() {
    let loaded = zgen_syntax::load_sources(&[(
        "schema.zmodel",
        &sqlite("plugin p {\n  provider = '@core/access-policy'\n}\n"),
    )]);
    let analysis = zgen_sema::analyze(&loaded);
    let d = analysis
        .diagnostics
        .iter()
        .find(|d| d.code == Code::LEGACY_PLUGIN);
    let help = d.and_then(|d| d.help.as_deref()).unwrap_or_default();
    assert!(
        help.contains("policies are built into zgen, remove the block"),
        "{help}"
    );
}

// ---- V-P1: operation lists

#[test]
fn operation_must_be_a_literal() {
    expect(
        &blog("@@allow(currentOperation(), true)"),
        &[("Z0601", "currentOperation()")],
    );
}

#[test]
fn operation_items() {
    expect(&blog("@@allow('write', true)"), &[("Z0601", "'write'")]);
    expect(&blog("@@allow('read,', true)"), &[("Z0601", "'read,'")]);
    expect(
        &blog("@@allow('read, updte, x', true)"),
        &[("Z0601", "'read, updte, x'"), ("Z0601", "'read, updte, x'")],
    );
    ok(&blog(
        "@@allow(' create , read,update,post-update,delete ', true)",
    ));
    ok(&blog("@@deny('all', false)"));
}

#[test]
fn field_operation_items() {
    expect(
        &blog("subtitle String @allow('create', true)"),
        &[("Z0601", "'create'")],
    );
    expect(
        &blog("subtitle String @allow('post-update', true)"),
        &[("Z0601", "'post-update'")],
    );
    ok(&blog(
        "subtitle String @allow('read,update', true) @deny('all', false)",
    ));
}

// ---- V-P2: condition type

#[test]
fn condition_is_boolean() {
    expect(&blog("@@allow('read', views)"), &[("Z0602", "views")]);
    expect(&blog("@@allow('read', 'yes')"), &[("Z0602", "'yes'")]);
    expect(
        &blog("subtitle String @allow('read', views)"),
        &[("Z0602", "views")],
    );
    ok(&blog("@@allow('read', published && views > 0)"));
    ok(&blog("@@allow('read', auth().role == null)"));
}

#[test]
fn condition_type_is_not_also_an_argument_error() {
    let loaded = zgen_syntax::load_sources(&[("schema.zmodel", &blog("@@allow('read', views)"))]);
    let analysis = zgen_sema::analyze(&loaded);
    assert!(!analysis
        .diagnostics
        .iter()
        .any(|d| d.code == Code::ARGUMENT_TYPE));
}

// ---- V-P3: non-owned relations in create rules

#[test]
fn create_rule_non_owned_relation() {
    let user = |rule: &str| {
        sqlite(&format!(
            "model User {{
  id    Int    @id
  posts Post[]
  {rule}
}}

model Post {{
  id        Int     @id
  published Boolean
  author    User    @relation(fields: [authorId], references: [id])
  authorId  Int
  @@allow('all', true)
}}
"
        ))
    };
    expect(
        &user("@@allow('create', posts?[published])"),
        &[("Z0603", "posts")],
    );
    expect(
        &user("@@allow('all', posts?[published])"),
        &[("Z0603", "posts")],
    );
    // Quirk: only the exact strings 'create' and 'all' are checked.
    ok(&user("@@allow('create,read', posts?[published])"));
    ok(&user("@@allow('read', posts?[published])"));
    // Through `auth()` it is not a relation query.
    ok(&user("@@allow('create', auth().posts?[published])"));
    // `this.` member access is not a direct field reference.
    ok(&user("@@allow('create', this.posts?[published])"));
}

#[test]
fn create_rule_ignores_inherited_relations() {
    // As in ZenStack, only relations declared in the rule's own model count.
    let schema = sqlite(
        "type HasPosts {
  posts Post[]
  @@allow('create', posts?[published])
}

model User with HasPosts {
  id Int @id
  @@allow('create', posts?[published])
}

model Post {
  id        Int     @id
  published Boolean
  author    User    @relation(fields: [authorId], references: [id])
  authorId  Int
  @@allow('all', true)
}
",
    );
    ok(&schema);
}

#[test]
fn create_rule_owned_relation() {
    ok(&blog(
        "@@allow('create', author.admin && author.posts?[published])",
    ));
    expect(
        &blog("@@allow('all', true)\n  @@allow('create', author.admin)"),
        &[],
    );
}

#[test]
fn create_rule_inside_auth_predicate() {
    let schema = sqlite(
        "model User {
  id      Int    @id
  friends User[] @relation('friends')
  of      User[] @relation('friends')
  @@allow('create', auth().friends?[friends?[id == 1]])
  @@allow('read', true)
}
",
    );
    ok(&schema);
}

// ---- V-P4: before()

#[test]
fn before_only_in_post_update() {
    expect(
        &blog("@@allow('update', before().views == views)"),
        &[("Z0604", "before()")],
    );
    // Quirk: a list containing post-update is rejected too.
    expect(
        &blog("@@deny('update,post-update', before().views != views)"),
        &[("Z0604", "before()")],
    );
    expect(
        &blog("@@deny(' post-update', before().views != views)"),
        &[("Z0604", "before()")],
    );
    expect(
        &blog("subtitle String @allow('update', before().views == views)"),
        &[("Z0604", "before()")],
    );
    ok(&blog("@@deny('post-update', before().views > views)"));
}

// ---- V-P5: field-level rule targets

#[test]
fn field_policy_targets() {
    expect(&blog("editor User? @relation('e', fields: [editorId], references: [id]) @allow('read', true)\n  editorId Int?"), &[("Z0605", "@allow('read', true)")]);
    expect(
        &blog("words Int @computed @deny('read', true)"),
        &[("Z0605", "@deny('read', true)")],
    );
    ok(&blog(
        "secret String @allow('read', auth() == author)\n  other Int @deny('update', true)",
    ));
}

// ---- V-P6: relations through before()

#[test]
fn before_relation() {
    expect(
        &blog("@@deny('post-update', before().author.admin)"),
        &[("Z0606", "author")],
    );
    ok(&blog(
        "@@deny('post-update', before().authorId != authorId)",
    ));
}

// ---- future()

#[test]
fn future_is_v2() {
    expect(
        &blog("@@allow('update', future().views > views)"),
        &[("Z1003", "future")],
    );
    ok(&blog("@@allow('post-update', views > before().views)"));
}

// ---- mixins: reported once, where written

#[test]
fn mixin_rules_report_once() {
    let schema = sqlite(
        "type Owned {
  ownerId Int
  @@allow('write', true)
  @@allow('update', before().ownerId == ownerId)
}

model A with Owned {
  id Int @id
}

model B with Owned {
  id Int @id
}
",
    );
    expect(&schema, &[("Z0601", "'write'"), ("Z0604", "before()")]);
}

// ---- V-F3..V-F5

#[test]
fn casing_argument() {
    expect(
        &blog("@@allow('read', currentModel('snake') == title)"),
        &[("Z0803", "'snake'")],
    );
    expect(
        &blog("@@allow('read', currentOperation('Upper') == title)"),
        &[("Z0803", "'Upper'")],
    );
    ok(&blog(
        "@@allow('read', currentModel('uncapitalize') == title || currentOperation() == 'read')",
    ));
}

#[test]
fn id_generators() {
    let model = |default: &str| {
        sqlite(&format!(
            "model M {{\n  id String @id @default({default})\n}}\n"
        ))
    };
    expect(&model("uuid(5)"), &[("Z0804", "5")]);
    expect(&model("cuid(3)"), &[("Z0804", "3")]);
    expect(&model("nanoid(0)"), &[("Z0804", "0")]);
    expect(&model("nanoid(-2)"), &[("Z0804", "-2")]);
    expect(&model("ulid('x')"), &[("Z0804", "'x'")]);
    expect(&model("uuid(4, 'a\\\\%s')"), &[("Z0804", "'a\\\\%s'")]);
    for good in [
        "uuid()",
        "uuid(7)",
        "cuid(1)",
        "cuid(2, 'c%s')",
        "nanoid(8, 'n_%s')",
        "ulid('%s')",
        "uuid(4, '\\\\%s-%s')",
    ] {
        ok(&model(good));
    }
}

#[test]
fn validation_functions() {
    let model = |rule: &str| {
        sqlite(&format!(
            "model M {{\n  id Int @id\n  name String\n  tags String[]\n  age Int\n  @@validate({rule})\n}}\n"
        ))
    };
    expect(&model("length(age) > 1"), &[("Z0805", "age")]);
    expect(&model("regex(name, name)"), &[("Z0805", "name")]);
    expect(&model("regex(name, '(a')"), &[("Z0805", "'(a'")]);
    expect(&model("regex(name, '[z-a]')"), &[("Z0805", "'[z-a]'")]);
    ok(&model("length(name) > 1 && length(tags) < 5"));
    ok(&model("regex(name, '^[a-z]{2,}(?:-[a-z]+)*$')"));
}

// ---- V-F6: check()

#[test]
fn check_arguments() {
    expect(
        &blog("@@allow('read', check(title))"),
        &[("Z0806", "title")],
    );
    expect(
        &blog("@@allow('read', check(author.profile))"),
        &[("Z0806", "author.profile")],
    );
    expect(
        &blog("@@allow('read', check(author, 'all'))"),
        &[("Z0806", "'all'")],
    );
    expect(
        &blog("@@allow('read', check(author, 'post-update'))"),
        &[("Z0806", "'post-update'")],
    );
    expect(
        &blog("@@allow('read', check(author, title))"),
        &[("Z0806", "title")],
    );
    ok(&blog(
        "@@allow('read', check(author) && check(author, 'update'))",
    ));
}

#[test]
fn check_list_argument() {
    let schema = sqlite(
        "model User {
  id    Int    @id
  posts Post[]
  @@allow('read', check(posts))
}

model Post {
  id       Int  @id
  author   User @relation(fields: [authorId], references: [id])
  authorId Int
  @@allow('all', true)
}
",
    );
    expect(&schema, &[("Z0806", "posts")]);
}

fn chain(user_rule: &str, profile_rule: &str, details_rule: &str) -> String {
    sqlite(&format!(
        "model User {{
  id      Int      @id
  profile Profile?
  details Details?
  {user_rule}
}}

model Profile {{
  id      Int      @id
  user    User     @relation(fields: [userId], references: [id])
  userId  Int      @unique
  details Details?
  {profile_rule}
}}

model Details {{
  id        Int     @id
  profile   Profile @relation(fields: [profileId], references: [id])
  profileId Int     @unique
  user      User    @relation(fields: [userId], references: [id])
  userId    Int     @unique
  {details_rule}
}}
"
    ))
}

#[test]
fn check_cycles() {
    // Each cycle is reported once, at its first call.
    expect(
        &chain(
            "@@allow('read', check(profile))",
            "@@allow('read', check(user))",
            "@@allow('read', true)",
        ),
        &[("Z0807", "check(profile)")],
    );
    expect(
        &chain(
            "@@allow('read', check(profile))",
            "@@allow('read', check(details))",
            "@@allow('read', check(user))",
        ),
        &[("Z0807", "check(profile)")],
    );
    // Entering a cycle from outside is not itself a cycle.
    expect(
        &chain(
            "@@allow('read', check(profile))",
            "@@allow('read', check(details))",
            "@@allow('read', check(profile))",
        ),
        &[("Z0807", "check(details)")],
    );
    ok(&chain(
        "@@allow('read', check(profile))",
        "@@allow('read', check(details))",
        "@@allow('read', true)",
    ));
}

#[test]
fn check_self_cycle() {
    let schema = sqlite(
        "model Node {
  id       Int    @id
  parent   Node?  @relation('tree', fields: [parentId], references: [id])
  parentId Int?
  children Node[] @relation('tree')
  @@allow('read', check(parent))
}
",
    );
    expect(&schema, &[("Z0807", "check(parent)")]);
}

// ---- reserved procedure names

#[test]
fn reserved_procedure_names() {
    expect(
        &sqlite("procedure prototype(): Void\n"),
        &[("Z0108", "prototype")],
    );
    expect(
        &sqlite("mutation procedure constructor(): Void\n"),
        &[("Z0108", "constructor")],
    );
    ok(&sqlite("procedure proto(): Void\n"));
}

// ---- robustness

#[test]
fn policy_without_condition_does_not_panic() {
    ok(&blog(
        "@@allow('read')\n  @@deny()\n  subtitle String @allow()",
    ));
}
