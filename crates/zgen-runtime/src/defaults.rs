//! `@default` values the engine fills in before an insert, and `@updatedAt`.
//!
//! ZenStack computes these on the client, not in the database, so that the
//! pre-create policy check sees them (P-90): literals, enum values, `now()`,
//! the id generators, `auth().x` and `@updatedAt`. Only `autoincrement()`
//! and `dbgenerated()` are left to the database.
//!
//! Fields are filled on the concrete model's merged field list, delegate-base
//! fields included: call [`fill_create_defaults`] once on the whole row before
//! it is split between base and sub-model tables, so that both get the same
//! generated id.

use crate::error::{Error, Result};
use chrono::SecondsFormat;
use serde_json::{Map, Value};
use zgen_sema::expr::{Expr, ExprKind, Literal};
use zgen_sema::{Field, FieldTypeKind, ModelId, Scalar, Schema};

/// What computed defaults depend on besides the schema.
pub(crate) struct DefaultContext<'a> {
    /// The `auth()` object, `None` when anonymous (A-3).
    pub auth: Option<&'a Value>,
    /// The time `now()` and `@updatedAt` use, from [`now_iso`]; one value per
    /// operation so that every row and field of it agrees.
    pub now: &'a str,
}

/// The current time as ZenStack stores it on SQLite: `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC).
pub(crate) fn now_iso() -> String {
    chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Fills every field missing from `data` whose `@default` the engine computes:
/// literals (string/number/boolean/enum value → enum value NAME as a JSON string),
/// `now()`, `uuid()` (v4; `uuid(7)` v7), `cuid()` (`cuid(2)` cuid2), `nanoid()`/`nanoid(n)`, `ulid()`,
/// `auth()` / `auth().x.y` (missing auth or member → the field stays missing, so a required field
/// then fails later as the DB decides), and `@updatedAt` fields (set to now). `autoincrement()` and
/// `dbgenerated()` are left to the database (field stays missing). Also list/array literal defaults.
///
/// A key present in `data`, even with `null`, counts as given. A field with
/// both `@default` and `@updatedAt` takes its `@default`, as in ZenStack.
pub(crate) fn fill_create_defaults(
    schema: &Schema,
    model: ModelId,
    data: &mut Map<String, Value>,
    cx: &DefaultContext<'_>,
) -> Result<()> {
    let m = schema.model(model);
    for field in &m.fields {
        if !is_stored_scalar(field) || crate::args::arg(data, &field.name).is_some() {
            continue;
        }
        let value = match field.attribute("@default").and_then(|a| a.arg(0)) {
            Some(arg) => default_value(schema, field, &arg.value, cx)
                .map_err(|msg| Error::not_supported(Some(&m.name), msg))?,
            None if field.has_attribute("@updatedAt") => Some(Value::String(cx.now.to_string())),
            None => None,
        };
        if let Some(value) = value {
            data.insert(field.name.clone(), value);
        }
    }
    Ok(())
}

/// On update: sets every `@updatedAt` field not explicitly given to `now`.
///
/// As in ZenStack, only when the update writes at least one scalar field
/// that the attribute's `ignore:` list does not name; an update of ignored
/// fields only (or of relations only, which never reach `data`) leaves the
/// timestamp alone.
pub(crate) fn touch_updated_at(
    schema: &Schema,
    model: ModelId,
    data: &mut Map<String, Value>,
    now: impl Fn() -> String,
) {
    touch_updated_at_also(schema, model, data, &[], now);
}

/// [`touch_updated_at`] when the update also writes `also` (fields whose
/// new value SQL computes, so they are not in `data`).
pub(crate) fn touch_updated_at_also(
    schema: &Schema,
    model: ModelId,
    data: &mut Map<String, Value>,
    also: &[&str],
    now: impl Fn() -> String,
) {
    let m = schema.model(model);
    if !m.fields.iter().any(|f| f.has_attribute("@updatedAt")) {
        return;
    }
    // Decided on the keys the caller wrote, before any timestamp is added.
    let written: Vec<String> = data
        .keys()
        .map(String::as_str)
        .chain(also.iter().copied())
        .filter(|k| m.field_by_name(k).is_some_and(|(_, f)| is_stored_scalar(f)))
        .map(str::to_string)
        .collect();
    // one timestamp for every `@updatedAt` field of the row
    let mut stamp = None;
    for field in &m.fields {
        let Some(attr) = field.attribute("@updatedAt") else {
            continue;
        };
        if data.contains_key(&field.name) {
            continue;
        }
        let ignored: Vec<&str> = attr
            .named_arg("ignore")
            .map(|a| field_names(schema, &a.value))
            .unwrap_or_default();
        if written.iter().any(|k| !ignored.contains(&k.as_str())) {
            let now = stamp.get_or_insert_with(&now);
            data.insert(field.name.clone(), Value::String(now.clone()));
        }
    }
}

/// A column of the model's own table or a delegate base's: not a relation,
/// not computed, not `@ignore`d.
fn is_stored_scalar(field: &Field) -> bool {
    matches!(
        field.ty.kind,
        FieldTypeKind::Scalar(_) | FieldTypeKind::Enum(_) | FieldTypeKind::TypeDef(_)
    ) && !field.is_computed()
        && !field.has_attribute("@ignore")
}

/// The names of the fields an `ignore: [a, b]` list references.
fn field_names<'a>(schema: &'a Schema, e: &Expr) -> Vec<&'a str> {
    let items: &[Expr] = match &e.kind {
        ExprKind::Array(items) => items,
        _ => std::slice::from_ref(e),
    };
    items
        .iter()
        .filter_map(|i| i.as_field())
        .map(|f| schema.field(f).name.as_str())
        .collect()
}

/// The value `@default(e)` gives `field`; `None` leaves the field to the
/// database (or missing). The error is a not-supported message.
fn default_value(
    schema: &Schema,
    field: &Field,
    e: &Expr,
    cx: &DefaultContext<'_>,
) -> Result<Option<Value>, String> {
    let is_json = matches!(field.ty.kind, FieldTypeKind::Scalar(Scalar::Json));
    Ok(Some(match &e.kind {
        ExprKind::Literal(lit) => literal(lit, is_json),
        ExprKind::Null => Value::Null,
        ExprKind::EnumValue { enum_id, index } => {
            let name = schema
                .enum_(*enum_id)
                .values
                .get(*index as usize)
                .map(|v| v.name.clone())
                .ok_or("`@default` names an unknown enum value")?;
            Value::String(name)
        }
        ExprKind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match default_value(schema, field, item, cx)? {
                    Some(v) => out.push(v),
                    None => return Err("`@default` list items must be literals".into()),
                }
            }
            Value::Array(out)
        }
        ExprKind::Call { name, args, .. } => return call_default(name, args, cx),
        ExprKind::Member { .. } if e.is_auth_rooted() => return Ok(auth_member(e, schema, cx)),
        _ => {
            return Err(format!(
                "`@default` of `{}` is not a value zgen can compute",
                field.name
            ))
        }
    }))
}

/// A literal as JSON. A Json field's default is a JSON document in a string
/// (V-A2); text that does not parse stays a string.
fn literal(lit: &Literal, is_json: bool) -> Value {
    match lit {
        Literal::String(s) if is_json => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Literal::String(s) => Value::String(s.clone()),
        Literal::Number(n) => number(n),
        Literal::Bool(b) => Value::Bool(*b),
    }
}

/// Number literal text as a JSON number: an integer when it reads as one.
fn number(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(text.to_string()), Value::Number)
}

fn call_default(
    name: &str,
    args: &[Expr],
    cx: &DefaultContext<'_>,
) -> Result<Option<Value>, String> {
    let int_arg = |i: usize| -> Option<i64> {
        match &args.get(i)?.kind {
            ExprKind::Literal(Literal::Number(n)) => n.parse().ok(),
            _ => None,
        }
    };
    let format_arg = |i: usize| args.get(i).and_then(Expr::as_string);
    let id = match name {
        "now" => return Ok(Some(Value::String(cx.now.to_string()))),
        "autoincrement" | "dbgenerated" => return Ok(None),
        "uuid" => {
            let id = match int_arg(0) {
                Some(7) => uuid::Uuid::now_v7(),
                _ => uuid::Uuid::new_v4(),
            };
            format_id(&id.to_string(), format_arg(1))
        }
        "cuid" => {
            let id = match int_arg(0) {
                Some(2) => cuid::cuid2(),
                _ => cuid::cuid1(),
            };
            format_id(&id, format_arg(1))
        }
        "nanoid" => {
            let len = int_arg(0)
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0)
                .unwrap_or(21);
            format_id(&nanoid::nanoid!(len), format_arg(1))
        }
        "ulid" => format_id(&ulid::Ulid::generate().to_string(), format_arg(0)),
        // `auth()` itself is a model value, never a column's default.
        _ => return Err(format!("`{name}()` is not supported in `@default`")),
    };
    Ok(Some(Value::String(id)))
}

/// Applies an id generator's `format`: each `%s` not preceded by a
/// backslash becomes the id, and `\%s` becomes a literal `%s` (V-F4).
fn format_id(id: &str, format: Option<&str>) -> String {
    let Some(format) = format else {
        return id.to_string();
    };
    let mut out = String::with_capacity(format.len() + id.len());
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("\\%s") {
            out.push_str("%s");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("%s") {
            out.push_str(id);
            rest = after;
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

/// `auth().a.b` read from the auth object; `None` (field left missing) when
/// anonymous or when any member on the way is missing or null, since no
/// database lookup happens (A-3).
fn auth_member(e: &Expr, schema: &Schema, cx: &DefaultContext<'_>) -> Option<Value> {
    let mut path = Vec::new();
    let mut cur = e;
    while let ExprKind::Member { receiver, field } = &cur.kind {
        path.push(schema.field(*field).name.as_str());
        cur = receiver;
    }
    let mut value = cx.auth?;
    for name in path.iter().rev() {
        value = value.as_object()?.get(*name)?;
    }
    (!value.is_null()).then(|| value.clone())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn analyze(src: &str) -> Schema {
        // Lists need PostgreSQL; the checks themselves are dialect-free.
        zgen_testkit::checked(&format!(
            "datasource db {{\n provider = \"postgresql\"\n url = \"x\"\n}}\n{src}"
        ))
    }

    const NOW: &str = "2024-05-06T07:08:09.123Z";

    fn fill(schema: &Schema, model: &str, data: Value, auth: Option<&Value>) -> Map<String, Value> {
        let id = schema.model_by_name(model).unwrap();
        let mut data = data.as_object().unwrap().clone();
        let cx = DefaultContext { auth, now: NOW };
        fill_create_defaults(schema, id, &mut data, &cx).unwrap();
        data
    }

    const SCHEMA: &str = r#"
        enum Role { USER ADMIN }
        model User {
            id    Int    @id
            orgId String?
            profile Profile? @json
        }
        type Profile { level Int }
        model Item {
            id       Int      @id @default(autoincrement())
            name     String   @default("unnamed")
            count    Int      @default(3)
            ratio    Float    @default(1.5)
            neg      Int      @default(-2)
            flag     Boolean  @default(true)
            role     Role     @default(ADMIN)
            meta     Json     @default("{\"a\": 1}")
            created  DateTime @default(now())
            updated  DateTime @updatedAt
            both     DateTime @default("2020-01-01T00:00:00.000Z") @updatedAt
            u4       String   @default(uuid())
            u7       String   @default(uuid(7))
            c1       String   @default(cuid())
            c2       String   @default(cuid(2))
            n        String   @default(nanoid())
            n8       String   @default(nanoid(8))
            ul       String   @default(ulid())
            fmt      String   @default(uuid(4, "item_%s"))
            esc      String   @default(nanoid(4, "\\%s-%s"))
            db       String   @default(dbgenerated("lower(hex(randomblob(4)))"))
            org      String?  @default(auth().orgId)
            lvl      Int?     @default(auth().profile.level)
            plain    String?
            tags     String[] @default(["a", "b"])
            empty    Int[]    @default([])
        }
    "#;

    #[test]
    fn fills_literals_enums_json_and_lists() {
        let s = analyze(SCHEMA);
        let d = fill(&s, "Item", json!({}), None);
        assert_eq!(d["name"], json!("unnamed"));
        assert_eq!(d["count"], json!(3));
        assert_eq!(d["ratio"], json!(1.5));
        assert_eq!(d["neg"], json!(-2));
        assert_eq!(d["flag"], json!(true));
        assert_eq!(d["role"], json!("ADMIN"));
        assert_eq!(d["meta"], json!({"a": 1}));
        assert_eq!(d["tags"], json!(["a", "b"]));
        assert_eq!(d["empty"], json!([]));
        assert!(!d.contains_key("plain"));
    }

    #[test]
    fn database_generated_defaults_stay_missing() {
        let s = analyze(SCHEMA);
        let d = fill(&s, "Item", json!({}), None);
        assert!(!d.contains_key("id"));
        assert!(!d.contains_key("db"));
    }

    #[test]
    fn now_and_updated_at_use_the_context_time() {
        let s = analyze(SCHEMA);
        let d = fill(&s, "Item", json!({}), None);
        assert_eq!(d["created"], json!(NOW));
        assert_eq!(d["updated"], json!(NOW));
        // `@default` wins over `@updatedAt` on create.
        assert_eq!(d["both"], json!("2020-01-01T00:00:00.000Z"));
    }

    #[test]
    fn given_values_and_explicit_nulls_are_kept() {
        let s = analyze(SCHEMA);
        let d = fill(
            &s,
            "Item",
            json!({"name": "x", "count": null, "updated": "2000-01-01T00:00:00.000Z"}),
            None,
        );
        assert_eq!(d["name"], json!("x"));
        assert_eq!(d["count"], Value::Null);
        assert_eq!(d["updated"], json!("2000-01-01T00:00:00.000Z"));
    }

    #[test]
    fn id_generators_have_their_shapes() {
        let s = analyze(SCHEMA);
        let d = fill(&s, "Item", json!({}), None);
        let u4 = uuid::Uuid::parse_str(d["u4"].as_str().unwrap()).unwrap();
        assert_eq!(u4.get_version_num(), 4);
        let u7 = uuid::Uuid::parse_str(d["u7"].as_str().unwrap()).unwrap();
        assert_eq!(u7.get_version_num(), 7);
        let c1 = d["c1"].as_str().unwrap();
        assert!(c1.starts_with('c') && c1.len() == 25, "{c1}");
        assert!(cuid::is_cuid2(d["c2"].as_str().unwrap()));
        assert_eq!(d["n"].as_str().unwrap().chars().count(), 21);
        assert_eq!(d["n8"].as_str().unwrap().chars().count(), 8);
        assert!(ulid::Ulid::from_string(d["ul"].as_str().unwrap()).is_ok());
        let fmt = d["fmt"].as_str().unwrap();
        assert!(
            fmt.starts_with("item_") && uuid::Uuid::parse_str(&fmt[5..]).is_ok(),
            "{fmt}"
        );
        let esc = d["esc"].as_str().unwrap();
        assert!(esc.starts_with("%s-") && esc.len() == 7, "{esc}");
        // Each call generates a fresh id.
        let again = fill(&s, "Item", json!({}), None);
        assert_ne!(d["u4"], again["u4"]);
    }

    #[test]
    fn auth_defaults_follow_the_auth_object() {
        let s = analyze(SCHEMA);
        let auth = json!({"id": 1, "orgId": "o1", "profile": {"level": 7}});
        let d = fill(&s, "Item", json!({}), Some(&auth));
        assert_eq!(d["org"], json!("o1"));
        assert_eq!(d["lvl"], json!(7));

        let anonymous = fill(&s, "Item", json!({}), None);
        assert!(!anonymous.contains_key("org") && !anonymous.contains_key("lvl"));

        let partial = json!({"id": 1, "orgId": null});
        let d = fill(&s, "Item", json!({}), Some(&partial));
        assert!(!d.contains_key("org") && !d.contains_key("lvl"));
    }

    #[test]
    fn format_replaces_unescaped_placeholders_only() {
        assert_eq!(format_id("ID", None), "ID");
        assert_eq!(format_id("ID", Some("a_%s")), "a_ID");
        assert_eq!(format_id("ID", Some("%s/%s")), "ID/ID");
        assert_eq!(format_id("ID", Some("\\%s:%s")), "%s:ID");
        assert_eq!(format_id("ID", Some("ü%sü")), "üIDü");
    }

    #[test]
    fn now_iso_has_the_stored_shape() {
        let now = now_iso();
        assert_eq!(now.len(), 24, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T' && now.as_bytes()[19] == b'.');
    }

    const UPDATED: &str = r#"
        model Post {
            id       Int      @id
            title    String
            views    Int
            author   User     @relation(fields: [authorId], references: [id])
            authorId Int
            updated  DateTime @updatedAt(ignore: [views])
            touched  DateTime @updatedAt
        }
        model User {
            id    Int    @id
            posts Post[]
        }
    "#;

    fn touch(schema: &Schema, data: Value) -> Map<String, Value> {
        let id = schema.model_by_name("Post").unwrap();
        let mut data = data.as_object().unwrap().clone();
        touch_updated_at(schema, id, &mut data, || NOW.to_string());
        data
    }

    #[test]
    fn updated_at_is_touched_by_scalar_writes() {
        let s = analyze(UPDATED);
        let d = touch(&s, json!({"title": "t"}));
        assert_eq!(d["updated"], json!(NOW));
        assert_eq!(d["touched"], json!(NOW));
        let d = touch(&s, json!({"authorId": 2}));
        assert_eq!(d["updated"], json!(NOW));
    }

    #[test]
    fn updated_at_respects_ignore_and_explicit_values() {
        let s = analyze(UPDATED);
        let d = touch(&s, json!({"views": 3}));
        assert!(!d.contains_key("updated"));
        assert_eq!(d["touched"], json!(NOW));
        let d = touch(
            &s,
            json!({"title": "t", "updated": "2000-01-01T00:00:00.000Z"}),
        );
        assert_eq!(d["updated"], json!("2000-01-01T00:00:00.000Z"));
        assert_eq!(d["touched"], json!(NOW));
        let d = touch(&s, json!({}));
        assert!(d.is_empty());
    }
}
