//! Parser behaviour case by case: precedence, doc comments, lexing,
//! recovery, nesting limits and imports.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zgen_diagnostics::{Code, Diagnostic, Diagnostics, FileId};
use zgen_syntax::ast::{
    ConfigKind, Decl, EnumMember, Expr, ExprKind, Model, ModelKind, SchemaFile, TypeName,
};

// ------------------------------------------------------------------ helpers

fn parse(src: &str) -> (SchemaFile, Diagnostics) {
    zgen_syntax::parse(FileId(0), src)
}

fn parse_clean(src: &str) -> SchemaFile {
    let (file, diags) = parse(src);
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for {src:?}:\n{}",
        show(&diags, src)
    );
    file
}

fn show(diags: &Diagnostics, src: &str) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "  {} {:?} `{}`: {}",
                d.code,
                d.span.range(),
                slice(src, d),
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn slice<'s>(src: &'s str, d: &Diagnostic) -> &'s str {
    src.get(d.span.range()).unwrap_or("<out of range>")
}

fn model<'f>(file: &'f SchemaFile, name: &str) -> &'f Model {
    file.decls
        .iter()
        .find_map(|d| match d {
            Decl::Model(m) if m.name.name == name => Some(m),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no model `{name}` in {:?}", names(file)))
}

fn names(file: &SchemaFile) -> Vec<&str> {
    file.decls.iter().map(|d| d.name().name.as_str()).collect()
}

/// The expression `src` as the only argument of a model attribute.
fn expr(src: &str) -> Expr {
    let file = parse_clean(&format!("model M {{\n  @@x({src})\n}}\n"));
    let m = model(&file, "M");
    let attr = m.attributes().next().expect("attribute");
    attr.args()[0].value.clone()
}

fn sexpr_of(src: &str) -> String {
    sexpr(&expr(src))
}

/// The tree as an S-expression: `(op lhs rhs)`, `(. recv member)`,
/// `(?[] coll [binding:] cond)`, `(call f args)`, `(ref name (k: v))`.
fn sexpr(e: &Expr) -> String {
    let args = |args: &[zgen_syntax::ast::Arg]| {
        args.iter()
            .map(|a| match &a.name {
                Some(n) => format!(" ({}: {})", n.name, sexpr(&a.value)),
                None => format!(" {}", sexpr(&a.value)),
            })
            .collect::<String>()
    };
    match &e.kind {
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Number(n) => n.clone(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::This => "this".into(),
        ExprKind::Ref { name, args: a } if a.is_empty() => name.name.clone(),
        ExprKind::Ref { name, args: a } => format!("(ref {}{})", name.name, args(a)),
        ExprKind::Call { callee, args: a } => format!("(call {}{})", callee.name, args(a)),
        ExprKind::Member { receiver, member } => format!("(. {} {})", sexpr(receiver), member.name),
        ExprKind::Not(x) => format!("(! {})", sexpr(x)),
        ExprKind::Binary { op, lhs, rhs, .. } => {
            format!("({} {} {})", op.as_str(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Collection {
            quantifier,
            collection,
            binding,
            condition,
        } => format!(
            "({}[] {} {}{})",
            quantifier.symbol(),
            sexpr(collection),
            binding
                .as_ref()
                .map(|b| format!("{}: ", b.name))
                .unwrap_or_default(),
            sexpr(condition)
        ),
        ExprKind::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(sexpr).collect::<Vec<_>>().join(" ")
            )
        }
        ExprKind::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|en| if en.quoted {
                    format!("{:?}: {}", en.key.name, sexpr(&en.value))
                } else {
                    format!("{}: {}", en.key.name, sexpr(&en.value))
                })
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ExprKind::Paren(x) => format!("(paren {})", sexpr(x)),
    }
}

fn codes(diags: &Diagnostics) -> Vec<Code> {
    diags.iter().map(|d| d.code).collect()
}

// ------------------------------------------------------------------ precedence

#[test]
fn logical_operators_share_one_level_left_assoc() {
    // E-4: unlike JavaScript
    assert_eq!(sexpr_of("a || b && c"), "(&& (|| a b) c)");
    assert_eq!(sexpr_of("a && b || c"), "(|| (&& a b) c)");
    assert_eq!(sexpr_of("a && b && c || d"), "(|| (&& (&& a b) c) d)");
    assert_eq!(sexpr_of("a || (b && c)"), "(|| a (paren (&& b c)))");
}

#[test]
fn unary_not_takes_a_member_operand() {
    // E-5
    assert_eq!(sexpr_of("!a.b == c"), "(== (! (. a b)) c)");
    assert_eq!(sexpr_of("!x in [1]"), "(in (! x) [1])");
    assert_eq!(sexpr_of("!!x"), "(! (! x))");
    assert_eq!(sexpr_of("! x && y"), "(&& (! x) y)");
    assert_eq!(sexpr_of("!(x && y)"), "(! (paren (&& x y)))");
}

#[test]
fn binary_levels_follow_e3() {
    // E-6: relational binds tighter than equality
    assert_eq!(sexpr_of("a == b > c"), "(== a (> b c))");
    assert_eq!(sexpr_of("a > b == c"), "(== (> a b) c)");
    assert_eq!(sexpr_of("a < b < c"), "(< (< a b) c)");
    assert_eq!(sexpr_of("a == b != c"), "(!= (== a b) c)");
    assert_eq!(sexpr_of("a <= b >= c"), "(>= (<= a b) c)");
    // `in` binds tighter than relational and equality
    assert_eq!(sexpr_of("x in [1, 2] == true"), "(== (in x [1 2]) true)");
    assert_eq!(sexpr_of("a > b in c"), "(> a (in b c))");
    assert_eq!(sexpr_of("a in b in c"), "(in (in a b) c)");
    assert_eq!(
        sexpr_of("a == 1 && b != 2 || c < 3"),
        "(|| (&& (== a 1) (!= b 2)) (< c 3))"
    );
}

#[test]
fn member_access_binds_tightest() {
    assert_eq!(sexpr_of("this.a.b.c"), "(. (. (. this a) b) c)");
    assert_eq!(
        sexpr_of("auth().org.id == org.id"),
        "(== (. (. (call auth) org) id) (. org id))"
    );
    assert_eq!(sexpr_of("future().owner"), "(. (call future) owner)");
    assert_eq!(sexpr_of("a.b?[c] in d"), "(in (?[] (. a b) c) d)");
    // soft keywords and type names are member names too
    assert_eq!(sexpr_of("x.type.in.String"), "(. (. (. x type) in) String)");
}

#[test]
fn collection_predicates() {
    // E-7
    assert_eq!(sexpr_of("posts?[published]"), "(?[] posts published)");
    assert_eq!(sexpr_of("posts![published]"), "(![] posts published)");
    assert_eq!(sexpr_of("posts^[published]"), "(^[] posts published)");
    assert_eq!(sexpr_of("a?[b![c^[d]]]"), "(?[] a (![] b (^[] c d)))");
    assert_eq!(
        sexpr_of("posts?[p, p.published && p.author == auth()]"),
        "(?[] posts p: (&& (. p published) (== (. p author) (call auth))))"
    );
    assert_eq!(
        sexpr_of("m.roles?[r, r.users![u, u.active]]"),
        "(?[] (. m roles) r: (![] (. r users) u: (. u active)))"
    );
    // postfix, repeatable, and tighter than `in` / `==`
    assert_eq!(sexpr_of("a?[x]![y]"), "(![] (?[] a x) y)");
    assert_eq!(sexpr_of("a?[x] == true"), "(== (?[] a x) true)");
    assert_eq!(
        sexpr_of("auth().posts?[p]"),
        "(?[] (. (call auth) posts) p)"
    );
    // `!=` is not a predicate
    assert_eq!(sexpr_of("a != [b]"), "(!= a [b])");
    assert_eq!(sexpr_of("a ! [b]"), "(![] a b)");
}

#[test]
fn literals_and_numbers() {
    assert_eq!(sexpr_of("x > -1"), "(> x -1)");
    assert_eq!(sexpr_of("+2.5"), "+2.5");
    assert_eq!(
        sexpr_of("[1, 'a', \"b\", true, false, null, this]"),
        "[1 \"a\" \"b\" true false null this]"
    );
    assert_eq!(sexpr_of(r"'it\'s \n \\ \q'"), r#""it's \n \\ q""#);
    assert_eq!(
        sexpr_of("{ a: 1, 'b c': [true], }"),
        "{a: 1 \"b c\": [true]}"
    );
    assert_eq!(sexpr_of("{}"), "{}");
    assert_eq!(sexpr_of("thisX"), "thisX");
    assert_eq!(sexpr_of("nullable"), "nullable");
}

#[test]
fn exponent_numbers_are_an_error() {
    let src = "model M {\n  id Int @id @default(1e3)\n}\n";
    let (_, diags) = parse(src);
    assert_eq!(codes(&diags), [Code::SYNTAX], "{}", show(&diags, src));
    let d = diags.iter().next().expect("one");
    let detail = &d.secondary[0];
    assert_eq!(&src[detail.span.range()], "e3");
    assert!(detail.message.contains("exponent"), "{}", detail.message);
}

#[test]
fn calls_and_references_with_arguments() {
    assert_eq!(sexpr_of("f()"), "(call f)");
    assert_eq!(
        sexpr_of("check(author, 'read')"),
        "(call check author \"read\")"
    );
    assert_eq!(
        sexpr_of("[name(sort: Desc), id]"),
        "[(ref name (sort: Desc)) id]"
    );
    assert_eq!(
        sexpr_of("[slug(ops: raw(\"gin_trgm_ops\"))]"),
        "[(ref slug (ops: (call raw \"gin_trgm_ops\")))]"
    );
}

#[test]
fn expression_spans() {
    let src = "model M {\n  @@allow('read', a.b || c && d)\n}\n";
    let file = parse_clean(src);
    let attr = model(&file, "M").attributes().next().expect("attr");
    assert_eq!(&src[attr.span.range()], "@@allow('read', a.b || c && d)");
    assert_eq!(&src[attr.name.span.range()], "@@allow");
    let arg = &attr.args()[1];
    assert_eq!(&src[arg.span.range()], "a.b || c && d");
    let ExprKind::Binary {
        op_span, lhs, rhs, ..
    } = &arg.value.kind
    else {
        panic!("binary")
    };
    assert_eq!(&src[op_span.range()], "&&");
    assert_eq!(&src[lhs.span.range()], "a.b || c");
    assert_eq!(&src[rhs.span.range()], "d");
    let ExprKind::Binary { lhs, op_span, .. } = &lhs.kind else {
        panic!("binary")
    };
    assert_eq!(&src[op_span.range()], "||");
    let ExprKind::Member { receiver, member } = &lhs.kind else {
        panic!("member")
    };
    assert_eq!(&src[receiver.span.range()], "a");
    assert_eq!(&src[member.span.range()], "b");
}

// ------------------------------------------------------------------ declarations

#[test]
fn every_declaration_kind() {
    let src = r#"
import "other"
import 'more';

datasource db {
    provider = 'postgresql'
    url = env('DATABASE_URL')
    extensions = [pg_trgm, postgis(version: "3.3.2")]
}
generator client { provider = "prisma-client-js" }
plugin openapi {
    provider = '@zenstackhq/openapi'
    securitySchemes = { basic: { type: 'http', scheme: 'basic' }, 'x-y': [1, 2] }
}
type Base with Extra Other {
    id String @id
}
model User with A, B extends Base {
    id      Int    @id @default(autoincrement())
    tags    String[]
    bio     String?
    geo     Unsupported("geometry")?
    email   String @db.VarChar(255) @unique
    @@allow('read', true)
    @@prisma.passthrough("x")
}
model Post extends Base with A {
    id Int @id
}
view Stats {
    n Int
}
abstract model Old {
    id Int @id
}
model New extends Old, Other {
    x Int
}
enum Role {
    ADMIN @map("admin")
    USER
    String
    @@map("roles")
}
function check(field: Any, operation: String?): Boolean {
} @@@expressionContext([AccessPolicy])
function two(): Int { 1 }
attribute @@allow(_ operation: String @@@completionHint(["'create'"]), _ condition: Boolean, override: Boolean?)
attribute @db.VarChar(_ x: Int?) @@@targetField([StringField]) @@@prisma
procedure getUser(id: Int): User
mutation procedure signUp(email: String, role: Role?, tags: String[]): Void
"#;
    let file = parse_clean(src);
    assert_eq!(file.imports.len(), 2);
    assert_eq!(file.imports[0].path, "other");
    assert_eq!(&src[file.imports[1].path_span.range()], "'more'");
    assert_eq!(
        names(&file),
        [
            "db",
            "client",
            "openapi",
            "Base",
            "User",
            "Post",
            "Stats",
            "Old",
            "New",
            "Role",
            "check",
            "two",
            "@@allow",
            "@db.VarChar",
            "getUser",
            "signUp"
        ]
    );
    let Decl::Config(db) = &file.decls[0] else {
        panic!("config")
    };
    assert_eq!(db.kind, ConfigKind::Datasource);
    assert_eq!(db.fields.len(), 3);
    assert_eq!(
        sexpr(&db.fields[2].value),
        "[pg_trgm (ref postgis (version: \"3.3.2\"))]"
    );
    let Decl::Config(plugin) = &file.decls[2] else {
        panic!("config")
    };
    assert_eq!(plugin.kind, ConfigKind::Plugin);
    assert_eq!(
        sexpr(&plugin.fields[1].value),
        "{basic: {type: \"http\" scheme: \"basic\"} \"x-y\": [1 2]}"
    );

    let base = model(&file, "Base");
    assert_eq!(base.kind, ModelKind::Type);
    assert_eq!(
        base.mixins
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Extra", "Other"]
    );
    let user = model(&file, "User");
    assert_eq!(user.mixins.len(), 2);
    assert_eq!(user.extends[0].name, "Base");
    assert!(!user.extends_first);
    assert!(model(&file, "Post").extends_first);
    let fields: Vec<_> = user.fields().collect();
    assert_eq!(fields.len(), 5);
    assert!(fields[1].ty.array && !fields[1].ty.optional);
    assert!(fields[2].ty.optional);
    assert!(matches!(&fields[3].ty.name, TypeName::Unsupported(e) if sexpr(e) == "\"geometry\""));
    assert!(fields[3].ty.optional);
    assert_eq!(fields[4].attributes[0].name.name, "@db.VarChar");
    assert_eq!(fields[4].attributes[0].level(), 1);
    assert!(fields[0].attributes[0].args.is_none());
    let attrs: Vec<_> = user.attributes().map(|a| a.name.name.as_str()).collect();
    assert_eq!(attrs, ["@@allow", "@@prisma.passthrough"]);
    assert_eq!(model(&file, "Stats").kind, ModelKind::View);
    assert_eq!(model(&file, "Old").kind, ModelKind::AbstractModel);
    assert_eq!(
        &src[model(&file, "Old").keyword_span.range()],
        "abstract model"
    );
    assert_eq!(model(&file, "New").extends.len(), 2);

    let Decl::Enum(role) = &file.decls[9] else {
        panic!("enum")
    };
    assert_eq!(role.members.len(), 4);
    assert!(matches!(&role.members[3], EnumMember::Attribute(a) if a.name.name == "@@map"));
    let Decl::Function(check) = &file.decls[10] else {
        panic!("function")
    };
    assert_eq!(check.params.len(), 2);
    assert!(check.params[1].ty.optional);
    assert!(check.body.is_none());
    assert_eq!(check.attributes[0].level(), 3);
    let Decl::Function(two) = &file.decls[11] else {
        panic!("function")
    };
    assert_eq!(two.body.as_ref().map(sexpr).as_deref(), Some("1"));
    let Decl::Attribute(allow) = &file.decls[12] else {
        panic!("attribute")
    };
    assert_eq!(allow.params.len(), 3);
    assert!(allow.params[0].positional && !allow.params[2].positional);
    assert_eq!(allow.params[0].attributes[0].name.name, "@@@completionHint");
    let Decl::Procedure(p) = &file.decls[14] else {
        panic!("procedure")
    };
    assert!(!p.mutation);
    let Decl::Procedure(p) = &file.decls[15] else {
        panic!("procedure")
    };
    assert!(p.mutation);
    assert!(p.params[2].ty.array);
    assert_eq!(
        &src[p.span.range()],
        "mutation procedure signUp(email: String, role: Role?, tags: String[]): Void"
    );
}

#[test]
fn legacy_syntax_parses() {
    // v1/v2 constructs still found in real projects; the checker warns later
    let src = r#"
model Post {
    id Int @id
    password String @password @omit
    @@allow('update', future().owner == owner, true)
    @@deny('all', auth() == null)
}
"#;
    let file = parse_clean(src);
    let post = model(&file, "Post");
    assert_eq!(post.attributes().next().map(|a| a.args().len()), Some(3));
}

#[test]
fn soft_keywords_are_names_and_reserved_words_are_not() {
    let file = parse_clean(
        "model type {\n  model String\n  enum Int\n  in Boolean\n  view Json\n  import Int\n  abstract Int\n  String Int\n}\nenum view { type model String }\n",
    );
    assert_eq!(model(&file, "type").fields().count(), 7);

    for word in [
        "with",
        "extends",
        "this",
        "null",
        "true",
        "false",
        "function",
        "procedure",
        "mutation",
        "generator",
        "Undefined",
        "FieldReference",
        "ContextType",
    ] {
        let src = format!("model M {{\n  {word} Int\n}}\n");
        let (file, diags) = parse(&src);
        assert_eq!(
            codes(&diags),
            [Code::SYNTAX],
            "`{word}`: {}",
            show(&diags, &src)
        );
        let d = diags.iter().next().expect("one");
        assert_eq!(slice(&src, d), word);
        assert!(d.message.contains("reserved"), "{}", d.message);
        // the field is still there
        assert_eq!(model(&file, "M").fields().count(), 1, "`{word}`");
    }
    // type keywords are not model names (L-3)
    let (_, diags) = parse("model String {\n  id Int @id\n}\n");
    assert_eq!(codes(&diags), [Code::SYNTAX]);
}

#[test]
fn grammar_restrictions_are_reported() {
    let (_, diags) = parse("enum E {}\n");
    assert_eq!(codes(&diags), [Code::SYNTAX]);
    let src = "view V with T {\n  id Int\n}\ntype T extends X {\n  id Int\n}\n";
    let (file, diags) = parse(src);
    assert_eq!(diags.len(), 2, "{}", show(&diags, src));
    let spans: Vec<_> = diags.iter().map(|d| slice(src, d)).collect();
    assert_eq!(spans, ["with T", "extends X"]);
    assert_eq!(names(&file), ["V", "T"]);
}

// ------------------------------------------------------------------ doc comments

#[test]
fn doc_comments_attach_to_the_next_element() {
    let src = r#"/// The database
datasource db {
    /// which one
    provider = 'sqlite'
}

/// A user.
/// Two lines.
// an ordinary comment in between
model User {
    /// the id
    id Int @id /// for the next field
    name String
    /// model rule
    @@allow('all', true)
}

/// roles
enum Role {
    /// admin
    ADMIN
}

function f(
    /// the param
    a: Int
): Boolean {}
"#;
    let file = parse_clean(src);
    let Decl::Config(db) = &file.decls[0] else {
        panic!("config")
    };
    assert_eq!(db.docs, [" The database"]);
    assert_eq!(db.fields[0].docs, [" which one"]);
    let user = model(&file, "User");
    assert_eq!(user.docs, [" A user.", " Two lines."]);
    let fields: Vec<_> = user.fields().collect();
    assert_eq!(fields[0].docs, [" the id"]);
    assert_eq!(fields[1].docs, [" for the next field"]);
    assert_eq!(
        user.attributes().next().map(|a| a.docs.clone()),
        Some(vec![" model rule".to_string()])
    );
    let Decl::Enum(role) = &file.decls[2] else {
        panic!("enum")
    };
    assert_eq!(role.docs, [" roles"]);
    assert!(matches!(&role.members[0], EnumMember::Value(v) if v.docs == [" admin"]));
    let Decl::Function(f) = &file.decls[3] else {
        panic!("function")
    };
    assert_eq!(f.params[0].docs, [" the param"]);
    // doc comments are not ordinary comments
    let comments: Vec<_> = file.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(comments, ["// an ordinary comment in between"]);
}

#[test]
fn dangling_doc_comments_are_reported() {
    let src = "model User {\n  id Int @id\n  /// nothing follows\n}\n";
    let (file, diags) = parse(src);
    assert_eq!(
        codes(&diags),
        [Code::DANGLING_DOC_COMMENT],
        "{}",
        show(&diags, src)
    );
    assert_eq!(
        slice(src, diags.iter().next().expect("one")),
        "/// nothing follows"
    );
    assert_eq!(model(&file, "User").fields().count(), 1);

    // between a field's attributes, and at the end of the file
    let src = "model User {\n  id Int @id\n    /// stray\n    @default(1)\n}\n/// end\n/// of file";
    let (_, diags) = parse(src);
    assert_eq!(
        codes(&diags),
        [Code::DANGLING_DOC_COMMENT, Code::DANGLING_DOC_COMMENT],
        "{}",
        show(&diags, src)
    );
    let spans: Vec<_> = diags.iter().map(|d| slice(src, d)).collect();
    assert_eq!(spans, ["/// stray", "/// end\n/// of file"]);
}

// ------------------------------------------------------------------ lexing

#[test]
fn crlf_bom_and_no_trailing_newline() {
    let src =
        "\u{FEFF}/// doc\r\nmodel A {\r\n  id Int @id // c\r\n  s String @default(\"a\\r\")\r\n}";
    let file = parse_clean(src);
    let a = model(&file, "A");
    assert_eq!(a.docs, [" doc"]);
    assert_eq!(
        &src[a.span.range()],
        "model A {\r\n  id Int @id // c\r\n  s String @default(\"a\\r\")\r\n}"
    );
    let f: Vec<_> = a.fields().collect();
    assert_eq!(&src[f[0].span.range()], "id Int @id");
    assert_eq!(file.comments[0].text, "// c");
}

#[test]
fn comments_in_odd_places() {
    let src = r#"model /* a */ User /* b */ {
    id /* c */ Int /* d */ ? /* e */ @id /* f */ @default( /* g */ 1 /* h */ )
    @@allow(
        // why
        'read',
        /* who */ a /* x */ . /* y */ b // trailing
        && c
    )
    s String @default("// not a comment /* nor this */")
}/* tail */"#;
    let file = parse_clean(src);
    let user = model(&file, "User");
    let id = user.fields().next().expect("field");
    assert!(id.ty.optional);
    assert_eq!(
        &src[id.span.range()],
        "id /* c */ Int /* d */ ? /* e */ @id /* f */ @default( /* g */ 1 /* h */ )"
    );
    let allow = user.attributes().next().expect("attr");
    assert_eq!(sexpr(&allow.args()[1].value), "(&& (. a b) c)");
    let s = user.fields().nth(1).expect("field");
    assert_eq!(
        sexpr(&s.attributes[0].args()[0].value),
        "\"// not a comment /* nor this */\""
    );
    let comments: Vec<_> = file.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        comments,
        [
            "/* a */",
            "/* b */",
            "/* c */",
            "/* d */",
            "/* e */",
            "/* f */",
            "/* g */",
            "/* h */",
            "// why",
            "/* who */",
            "/* x */",
            "/* y */",
            "// trailing",
            "/* tail */"
        ]
    );
    for c in &file.comments {
        assert_eq!(&src[c.span.range()], c.text);
    }
}

#[test]
fn non_ascii_in_comments_and_strings() {
    let src = "// Ünïcödé 日本語 🚀\nmodel A {\n  /* é */ s String @default('naïve ☃') /// ß\n  t Int\n}\n";
    let file = parse_clean(src);
    let a = model(&file, "A");
    let s = a.fields().next().expect("field");
    assert_eq!(sexpr(&s.attributes[0].args()[0].value), "\"naïve ☃\"");
    assert_eq!(
        a.fields().nth(1).map(|f| f.docs.clone()),
        Some(vec![" ß".to_string()])
    );
}

#[test]
fn unterminated_literals() {
    let src = "model A {\n  s String @default(\"abc)\n  t Int\n}\nmodel B {\n  id Int @id\n}\n/* never closed\nmodel C {}\n";
    let (file, diags) = parse(src);
    let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.contains(&"unterminated string literal"),
        "{}",
        show(&diags, src)
    );
    assert!(
        messages.contains(&"unterminated block comment"),
        "{}",
        show(&diags, src)
    );
    assert_eq!(names(&file), ["A", "B"]);
    assert_eq!(model(&file, "A").fields().count(), 2);
}

// ------------------------------------------------------------------ recovery

#[test]
fn three_independent_mistakes_are_three_diagnostics() {
    let src = "\
datasource db {
  provider = 'sqlite'
}

model User {
  id    Int    @id
  name: String
  age   Int
}

model Post {
  id Int @id
}

enum Role {
  ADMIN = 1
  USER
}

modle Broken {
  x Int
}

model Tag {
  id Int @id
}
";
    let (file, diags) = parse(src);
    let found: Vec<_> = diags.iter().map(|d| (d.code, slice(src, d))).collect();
    assert_eq!(
        found,
        [
            (Code::SYNTAX, "name: String"),
            (Code::SYNTAX, "ADMIN = 1"),
            (Code::SYNTAX, "modle"),
        ],
        "{}",
        show(&diags, src)
    );
    let starts: Vec<_> = diags.iter().map(|d| d.span.start as usize).collect();
    assert_eq!(
        starts,
        [
            src.find("name:").unwrap_or(0),
            src.find("ADMIN").unwrap_or(0),
            src.find("modle").unwrap_or(0)
        ]
    );
    // the valid declarations and members around the mistakes are all there
    assert_eq!(names(&file), ["db", "User", "Post", "Role", "Tag"]);
    let user: Vec<_> = model(&file, "User")
        .fields()
        .map(|f| f.name.name.as_str())
        .collect();
    assert_eq!(user, ["id", "age"]);
    // what parsed of a bad line stays
    let Decl::Enum(role) = &file.decls[3] else {
        panic!("enum")
    };
    assert_eq!(role.members.len(), 2);
}

#[test]
fn unclosed_body_ends_at_the_next_declaration() {
    let src = "model A {\n  id Int @id\n\nmodel B {\n  id Int @id\n}\nenum E {\n  X\n";
    let (file, diags) = parse(src);
    assert_eq!(names(&file), ["A", "B", "E"]);
    let found: Vec<_> = diags
        .iter()
        .map(|d| (slice(src, d), d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("{", "model `A` is missing its closing `}`"),
            ("{", "enum `E` is missing its closing `}`"),
        ]
    );
    assert_eq!(
        &src[model(&file, "A").span.range()],
        "model A {\n  id Int @id"
    );
}

#[test]
fn recovery_inside_config_blocks_and_multi_line_arguments() {
    let src = "\
datasource db {
  provider 'sqlite'
  url = env('X')
}
model A {
  id Int @id
  @@allow('read',
    a &&& b
  )
  name String
}
";
    let (file, diags) = parse(src);
    let spans: Vec<_> = diags.iter().map(|d| slice(src, d)).collect();
    assert_eq!(
        spans,
        ["provider 'sqlite'", "@@allow('read',\n    a &&& b\n  )"],
        "{}",
        show(&diags, src)
    );
    let Decl::Config(db) = &file.decls[0] else {
        panic!("config")
    };
    assert_eq!(db.fields.len(), 1);
    assert_eq!(model(&file, "A").fields().count(), 2);
    // the detail points at the exact token
    let detail = &diags.iter().nth(1).expect("two").secondary[0];
    assert_eq!(&src[detail.span.range()], "&");
}

#[test]
fn hard_errors_say_what_was_expected() {
    let src = "model A wth B {\n  id Int @id\n}\nmodel C {\n  id Int @id\n}\n";
    let (file, diags) = parse(src);
    assert_eq!(names(&file), ["C"]);
    let d = diags.iter().next().expect("one");
    assert_eq!(diags.len(), 1);
    assert_eq!(slice(src, d), "wth");
    assert_eq!(d.message, "expected `extends`, `with` or `{`, found `wth`");
    assert_eq!(
        &src[d.secondary[0].span.range()],
        "model A wth B {\n  id Int @id\n}"
    );
}

#[test]
fn imports_after_declarations() {
    let src = "import 'a'\nmodel A {\n  id Int @id\n}\nimport \"b\";\n";
    let (file, diags) = parse(src);
    assert_eq!(codes(&diags), [Code::IMPORT_ORDER]);
    assert_eq!(
        slice(src, diags.iter().next().expect("one")),
        "import \"b\";"
    );
    assert_eq!(file.imports.len(), 2);
}

// ------------------------------------------------------------------ limits

/// Runs `parse` on a thread with a 2 MiB stack (the default for tests) and
/// returns the declaration names and messages.
fn parse_on_small_stack(src: String) -> (Vec<String>, Vec<String>) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let (file, diags) = parse(&src);
            // spans stay inside the text
            for d in diags.iter() {
                assert!(d.span.end as usize <= src.len() && d.span.start <= d.span.end);
            }
            (
                file.decls.iter().map(|d| d.name().name.clone()).collect(),
                diags.iter().map(|d| d.message.clone()).collect(),
            )
        })
        .expect("thread")
        .join()
        .expect("parse must not panic or overflow")
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let n = 100_000;
    let wrap = |e: String| {
        format!(
            "model A {{\n  id Int @id\n  @@allow('all', {e})\n}}\nmodel B {{\n  id Int @id\n}}\n"
        )
    };
    let cases = [
        (
            "parens",
            wrap(format!("{}a{}", "(".repeat(n), ")".repeat(n))),
        ),
        ("open parens", wrap("(".repeat(n))),
        (
            "arrays",
            wrap(format!("{}a{}", "[".repeat(n), "]".repeat(n))),
        ),
        (
            "objects",
            wrap(format!("{}1{}", "{a:".repeat(n), "}".repeat(n))),
        ),
        (
            "calls",
            wrap(format!("{}1{}", "f(".repeat(n), ")".repeat(n))),
        ),
        (
            "predicates",
            wrap(format!("{}a{}", "a?[".repeat(n), "]".repeat(n))),
        ),
        ("member chain", wrap(format!("a{}", ".b".repeat(n)))),
        ("or chain", wrap(format!("a{}", " || a".repeat(n / 10)))),
        ("not chain", wrap(format!("{}a", "!".repeat(n)))),
        (
            "predicate chain",
            wrap(format!("a{}", "?[b]".repeat(n / 10))),
        ),
    ];
    for (what, src) in cases {
        let (decls, messages) = parse_on_small_stack(src);
        assert_eq!(decls, ["B"], "{what}");
        assert_eq!(messages, ["expression nested too deeply"], "{what}");
    }
}

#[test]
fn nesting_below_the_limit_parses() {
    let e = format!("{}a{}", "!(f([".repeat(30), "]))".repeat(30));
    let src = format!("model A {{\n  id Int @id\n  @@allow('all', {e})\n}}\n");
    let (decls, messages) = parse_on_small_stack(src);
    assert_eq!(decls, ["A"]);
    assert!(messages.is_empty(), "{messages:?}");
    let chain = format!("a{}", " || a".repeat(200));
    let (decls, messages) =
        parse_on_small_stack(format!("model A {{\n  @@allow('all', {chain})\n}}\n"));
    assert_eq!(decls, ["A"]);
    assert!(messages.is_empty(), "{messages:?}");
}

#[test]
fn top_level_garbage_never_panics() {
    for src in [
        "{".repeat(100_000),
        "}".repeat(10_000),
        "@#$%^&*".repeat(5_000),
        "\"\\\"\n".repeat(5_000),
        "/*".repeat(1000),
        "model".to_string(),
        "model A".to_string(),
        "model A {".to_string(),
        "model A { id".to_string(),
        "model A { id Int @default(".to_string(),
        "enum".to_string(),
        "\u{FEFF}".to_string(),
        "///".to_string(),
        "import".to_string(),
        "attribute @".to_string(),
        "function f(".to_string(),
        "'".to_string(),
        "\\".to_string(),
        "é".repeat(1000),
    ] {
        let _ = parse_on_small_stack(src);
    }
}

/// A deterministic mutation fuzz over a realistic schema: deleting,
/// duplicating and inserting bytes must never panic and spans stay in range.
#[test]
fn mutated_schemas_never_panic() {
    let base = "\
/// doc
datasource db { provider = 'sqlite' url = env(\"X\") }
model User with Base extends Root {
  id Int @id @default(autoincrement()) // c
  posts Post[]
  name String? @db.VarChar(255)
  @@allow('read', posts?[p, p.published && !p.deleted] || auth().role in [ADMIN, 'x'])
  /* block */
}
enum Role { ADMIN @map(\"a\") USER }
function f(a: Int[]): Boolean {}
mutation procedure p(x: String?): Void
";
    let inserts = [
        "(", ")", "[", "]", "{", "}", "\"", "'", "/*", "//", "///", "\n", "@", "?", "!", "é",
        "\r\n", ",", ":", "1e3",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..600 {
        let mut text = base.to_string();
        for _ in 0..(next() % 4 + 1) {
            let mut at = (next() as usize) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match next() % 3 {
                0 => {
                    let mut end = (at + (next() as usize) % 12).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                1 => text.insert_str(at, inserts[(next() as usize) % inserts.len()]),
                _ => {
                    let mut end = (at + (next() as usize) % 30).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    let piece = text[at..end].to_string();
                    text.insert_str(at, &piece);
                }
            }
        }
        let (file, diags) = parse(&text);
        for d in diags.iter() {
            assert!(
                d.span.end as usize <= text.len() && d.span.start <= d.span.end,
                "{text:?}"
            );
            assert!(
                text.get(d.span.range()).is_some(),
                "span not on a char boundary in {text:?}"
            );
            assert!(!d.message.ends_with('.'), "{}", d.message);
        }
        for decl in &file.decls {
            assert!(text.get(decl.span().range()).is_some());
        }
    }
}

// ------------------------------------------------------------------ imports

fn load(files: &[(&str, &str)], entry: &str) -> (zgen_syntax::LoadedSchema, Vec<String>) {
    let mut reads = Vec::new();
    let loaded = zgen_syntax::load(entry, &mut |path: &str| {
        reads.push(path.to_string());
        files
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| "no such file".to_string())
    });
    (loaded, reads)
}

fn file_names(loaded: &zgen_syntax::LoadedSchema) -> Vec<String> {
    loaded
        .sources
        .iter()
        .map(|(_, f)| f.name().to_string())
        .collect()
}

#[test]
fn imports_resolve_relative_to_the_importing_file() {
    let files = [
        (
            "app/schema.zmodel",
            "import './models/user'\nimport \"models/post.zmodel\";\nmodel S { id Int @id }",
        ),
        (
            "app/models/user.zmodel",
            "import '../shared/base'\nmodel User { id Int @id }",
        ),
        (
            "app/models/post.zmodel",
            "import './user'\nmodel Post { id Int @id }",
        ),
        ("app/shared/base.zmodel", "type Base { id Int }"),
    ];
    let (loaded, reads) = load(&files, "app/schema.zmodel");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(
        file_names(&loaded),
        [
            "app/schema.zmodel",
            "app/models/user.zmodel",
            "app/models/post.zmodel",
            "app/shared/base.zmodel"
        ]
    );
    // every file read once, under its normalised path
    assert_eq!(reads.len(), 4);
    assert_eq!(loaded.files.len(), 4);
    for (i, f) in loaded.files.iter().enumerate() {
        assert_eq!(f.file, FileId(i as u32));
    }
    assert_eq!(loaded.files[0].decls[0].name().name, "S");
}

#[test]
fn cyclic_and_self_imports_load_each_file_once() {
    let files = [
        ("./a.zmodel", ""),
        (
            "a.zmodel",
            "import 'b'\nimport './a'\nimport 'a.zmodel'\nmodel A { id Int @id }",
        ),
        (
            "b.zmodel",
            "import 'a'\nimport 'sub/../b'\nmodel B { id Int @id }",
        ),
    ];
    let (loaded, reads) = load(&files, "a.zmodel");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(file_names(&loaded), ["a.zmodel", "b.zmodel"]);
    assert_eq!(reads, ["a.zmodel", "b.zmodel"]);

    // the entry given with `./` is still recognised when imported back
    let files = [("./a.zmodel", "import 'b'"), ("b.zmodel", "import './a'")];
    let (loaded, reads) = load(&files, "./a.zmodel");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(file_names(&loaded), ["./a.zmodel", "b.zmodel"]);
    assert_eq!(reads.len(), 2);
}

#[test]
fn missing_imports_are_reported_at_the_path() {
    let src = "import './missing'\nimport 'dir/other.zmodel'\nmodel A { id Int @id }";
    let files = [("schema.zmodel", src)];
    let (loaded, _) = load(&files, "schema.zmodel");
    let found: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                loaded.sources.slice(d.span).to_string(),
                d.message.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                Code::IMPORT_NOT_FOUND,
                "'./missing'".to_string(),
                "cannot find model file `missing.zmodel`".to_string()
            ),
            (
                Code::IMPORT_NOT_FOUND,
                "'dir/other.zmodel'".to_string(),
                "cannot find model file `dir/other.zmodel`".to_string()
            ),
        ]
    );
    assert_eq!(loaded.files.len(), 1);
    assert_eq!(loaded.files[0].decls.len(), 1);

    // an unreadable entry still yields `files[0]`
    let (loaded, _) = load(&[], "nope.zmodel");
    assert_eq!(loaded.files.len(), 1);
    assert_eq!(codes(&loaded.diagnostics), [Code::IMPORT_NOT_FOUND]);
}

#[test]
fn diagnostics_of_imported_files_carry_their_file_id() {
    let files = [
        ("a.zmodel", "import 'b'\nmodel A { id Int @id }"),
        ("b.zmodel", "model B {\n  x: Int\n}"),
    ];
    let (loaded, _) = load(&files, "a.zmodel");
    let d = loaded.diagnostics.iter().next().expect("one");
    assert_eq!(d.span.file, FileId(1));
    assert_eq!(loaded.sources.slice(d.span), "x: Int");
}

#[test]
fn load_sources_resolves_among_the_given_names() {
    let loaded = zgen_syntax::load_sources(&[
        (
            "main.zmodel",
            "import 'lib/types'\nimport 'absent'\nmodel A { id Int @id }",
        ),
        ("lib/types.zmodel", "import '../main'\ntype T { x Int }"),
        ("unrelated.zmodel", "model U { id Int @id }"),
    ]);
    assert_eq!(
        file_names(&loaded),
        ["main.zmodel", "lib/types.zmodel", "unrelated.zmodel"]
    );
    assert_eq!(codes(&loaded.diagnostics), [Code::IMPORT_NOT_FOUND]);
    assert_eq!(
        loaded
            .sources
            .slice(loaded.diagnostics.iter().next().expect("one").span),
        "'absent'"
    );
}

/// Fuzzing found that n unclosed brackets in a broken line took 2^n steps
/// in the recovery rules (docs/fuzzing.md). These inputs ran for minutes;
/// they must now parse at once, each to one syntax error per broken line.
#[test]
fn unclosed_brackets_in_broken_lines_do_not_backtrack_exponentially() {
    let inputs = [
        format!("model A {{\n  x Int @relation{}\n}}\n", "[".repeat(40)),
        format!("model A {{\n  x Int @default{}\n}}\n", "(".repeat(40)),
        format!("model A {{\n{}}}\n", "  f Float[\n".repeat(40)),
        format!("model A {{{}", "[".repeat(5000)),
        "datasource db {g\n    galle[[[[[[[[[[[[[[[[[[n(fieldslee[]\n}\n".to_string(),
        format!("enum Role {{\n  \0\0\0\0{}re= ADMIN)\n}}\n", "(".repeat(40)),
    ];
    for src in &inputs {
        let (_, diags) = parse(src);
        assert!(
            codes(&diags).contains(&Code::SYNTAX),
            "{}",
            show(&diags, src)
        );
    }
}
