//! One file per model: the model struct, its `zc::model!` line (the
//! argument builders and the `Model` implementation) and the builders'
//! field setters.

use crate::names;
use crate::shape::shape_table;
use crate::types::{is_date, maybe_absent, queryable, role, visible, writable, DateTimes, Role};
use crate::writer::{string, Rust};
use zgen_sema::{Field, Model, ModelId, Schema};

/// The names of a model's struct and builders.
struct Names {
    model: String,
    where_: String,
    unique: String,
    order: String,
    select: String,
    include: String,
    omit: String,
    create: String,
    update: String,
}

impl Names {
    fn of(model: &Model) -> Self {
        let t = |suffix: &str| names::ty(&model.name, suffix);
        Names {
            model: t(""),
            where_: t("Where"),
            unique: t("WhereUnique"),
            order: t("OrderBy"),
            select: t("Select"),
            include: t("Include"),
            omit: t("Omit"),
            create: t("Create"),
            update: t("Update"),
        }
    }
}

/// The file of model `id`; `tag` tells its shape table apart from other
/// schemas' (see [`shape_table`]).
pub fn model_file(schema: &Schema, id: ModelId, dt: DateTimes, tag: &str) -> Vec<u8> {
    let model = schema.model(id);
    let fields: Vec<&Field> = visible(schema, model).collect();
    let n = Names::of(model);
    let mut w = Rust::new(crate::HEADER);
    w.line(&["use super::*;"]);
    let members: Vec<Member<'_>> = fields.iter().map(|f| Member::new(schema, f, dt)).collect();
    record(&mut w, model, &n.model, &members);
    w.fill(
        "zc::model! {",
        &[
            &n.model,
            &string(&model.name),
            &n.where_,
            &n.unique,
            &n.order,
            &n.select,
            &n.include,
            &n.omit,
            &n.create,
            &n.update,
        ],
        "}",
    );
    let stored: Vec<&Member<'_>> = members.iter().filter(|m| queryable(m.field)).collect();
    let mut m = Methods::new();
    where_methods(&mut m, &stored);
    m.emit(&mut w, &n.where_);
    unique_methods(&mut m, schema, model, id, dt);
    m.emit(&mut w, &n.unique);
    order_methods(&mut m, &stored);
    m.emit(&mut w, &n.order);
    shape_methods(&mut m, &stored, Shape::Select);
    m.emit(&mut w, &n.select);
    shape_methods(&mut m, &stored, Shape::Include);
    m.emit(&mut w, &n.include);
    shape_methods(&mut m, &stored, Shape::Omit);
    m.emit(&mut w, &n.omit);
    data_methods(&mut m, &members);
    let data = m.take();
    w.block(&["impl ", &n.create], &data);
    w.block(&["impl ", &n.update], &data);
    shape_table(&mut w, model, &members, tag);
    w.finish()
}

/// The model struct, as results deserialize into it, and its
/// `zc::record!` line: serde through `zgen_client::record`'s generic path
/// (one call per field) rather than serde's derives, which cost a crate
/// holding the generated code most of its type and borrow checking.
fn record(w: &mut Rust, model: &Model, name: &str, members: &[Member<'_>]) {
    docs(w, &model.docs);
    w.line(&["#[derive(Debug, Clone, PartialEq)]"]);
    w.open(&["pub struct ", name]);
    let mut has_many = false;
    let mut fields = Vec::new();
    for m in members {
        docs(w, &m.field.docs);
        let (ty, kind) = match &m.role {
            Role::Relation { model, many } => {
                has_many |= many;
                let other = names::ty(model, "");
                let ty = if *many {
                    format!("Option<Vec<{other}>>")
                } else {
                    format!("Option<Box<{other}>>")
                };
                (ty, "skip")
            }
            Role::Value { ty, .. } => {
                let kind = record_kind(m);
                if maybe_absent(m.field) {
                    (format!("Option<{ty}>"), kind)
                } else {
                    (ty.clone(), kind)
                }
            }
        };
        w.field(&m.ident, &ty);
        fields.push([m.ident.clone(), m.key.clone(), kind.to_string()]);
    }
    if has_many {
        w.doc(" Related-row counts, when `_count` is included.");
        w.field("relation_counts", "Option<zc::serde_json::Value>");
        fields.push(["relation_counts", "\"_count\"", "skip"].map(str::to_string));
    }
    w.close();
    // `Post, "Post", id "id" value, …`: the words of each field, the
    // fields separated by commas as `Rust::fill` separates its tokens.
    let fields: Vec<String> = fields.iter().map(|f| f.join(" ")).collect();
    let quoted = string(&model.name);
    let mut tokens: Vec<&str> = vec![name, &quoted];
    tokens.extend(fields.iter().map(String::as_str));
    w.fill("zc::record! {", &tokens, "}");
}

/// How `zc::record!` (and `zgen_client::record::Object`) treat a field:
/// `skip` for a relation (left out when absent), `date` or `value`.
pub fn record_kind(m: &Member<'_>) -> &'static str {
    match m.role {
        Role::Relation { .. } => "skip",
        Role::Value { .. } if is_date(m.field) => "date",
        Role::Value { .. } => "value",
    }
}

/// The attributes of a struct that results (or JSON values) deserialize
/// into.
pub fn serde_struct(w: &mut Rust) {
    w.line(&["#[derive(Debug, Clone, PartialEq, zc::serde::Serialize, zc::serde::Deserialize)]"]);
    w.line(&["#[serde(crate = \"zc::serde\")]"]);
}

/// `///` lines for a declaration's documentation comments.
pub fn docs(w: &mut Rust, lines: &[String]) {
    for l in lines {
        w.doc(&format!(" {}", l.trim_start_matches('/').trim()));
    }
}

/// Names the builders use for their own methods; a field that would clash
/// gets a `_field` suffix.
const RESERVED: &[&str] = &[
    "new",
    "and",
    "or",
    "not",
    "into_json",
    "set",
    "into_map",
    "from_map",
];

fn setter(f: &Field, suffix: &str) -> String {
    let base = names::snake(&f.name);
    if suffix.is_empty() && RESERVED.contains(&base.as_str()) {
        names::method(&f.name, "_field")
    } else {
        names::method(&f.name, suffix)
    }
}

/// A field as the builders use it, worked out once.
pub struct Member<'s> {
    pub field: &'s Field,
    pub role: Role,
    /// The struct field's name.
    pub ident: String,
    /// The setter's name.
    setter: String,
    /// The field's name as a string literal: the JSON key.
    pub key: String,
}

impl<'s> Member<'s> {
    pub fn new(schema: &Schema, field: &'s Field, dt: DateTimes) -> Self {
        Member {
            field,
            role: role(schema, field, dt),
            ident: names::field(&field.name),
            setter: setter(field, ""),
            key: string(&field.name),
        }
    }
}

/// The methods of one builder's `impl` block, written into a buffer so
/// that create and update can share the text and an empty block is left
/// out.
struct Methods {
    w: Rust,
}

impl Methods {
    fn new() -> Self {
        Methods { w: Self::block() }
    }

    fn block() -> Rust {
        let mut w = Rust::new("");
        w.nest();
        w
    }

    /// Opens a `Self`-returning method; its body follows in `self.w`.
    /// A method that is not generic gets `#[inline]`: a debug build then
    /// compiles only the setters a program calls (as it does for generic
    /// ones anyway), not every setter of every model.
    fn open(&mut self, name: &str, params: &[&str]) {
        if !params.iter().any(|p| p.contains("impl ")) {
            self.w.line(&["#[inline]"]);
        }
        self.w.open_fn(&["pub fn ", name, "("], params, " -> Self");
    }

    /// Ends a method with `zc::Args::set(target, key, value)`, `key` a
    /// string literal.
    fn set(&mut self, target: &str, key: &str, value: &str) {
        self.w.call("zc::Args::set", &[target, key, value], "");
        self.w.close();
    }

    /// A method that only sets `key` of `self` to `value`.
    fn setter(&mut self, name: &str, param: Option<&str>, key: &str, value: &str) {
        match param {
            Some(param) => self.open(name, &["self", param]),
            None => self.open(name, &["self"]),
        }
        self.set("self", key, value);
    }

    /// The text written since the last `take`, without the empty line
    /// [`Rust::new`] starts with.
    fn take(&mut self) -> String {
        let w = std::mem::replace(&mut self.w, Self::block());
        let mut text = String::from_utf8(w.finish()).unwrap_or_default();
        text.remove(0);
        text
    }

    /// `impl ty { … }` with the methods written since the last call, if any.
    fn emit(&mut self, w: &mut Rust, ty: &str) {
        let body = self.take();
        w.block(&["impl ", ty], &body);
    }
}

fn where_methods(m: &mut Methods, fields: &[&Member<'_>]) {
    for f in fields {
        let (param, value) = match &f.role {
            Role::Value {
                ty,
                comparable: true,
            } => (
                format!("filter: impl Into<zc::Filter<{ty}>>"),
                "filter.into().into_json()",
            ),
            Role::Relation { model, many } => {
                let kind = if *many { "ListFilter" } else { "ToOneFilter" };
                let other = names::ty(model, "");
                (format!("filter: zc::{kind}<{other}>"), "filter.into_json()")
            }
            Role::Value { .. } => continue,
        };
        m.setter(&f.setter, Some(&param), &f.key, value);
    }
}

/// Constructors, one per unique key: `@id`/`@unique` fields and
/// `@@id`/`@@unique` field lists.
fn unique_methods(m: &mut Methods, schema: &Schema, model: &Model, id: ModelId, dt: DateTimes) {
    let single = model
        .fields
        .iter()
        .filter(|f| f.has_attribute("@id") || f.has_attribute("@unique"));
    for f in single {
        if let Role::Value { ty, .. } = role(schema, f, dt) {
            m.open(&setter(f, ""), &[&format!("value: impl Into<{ty}>")]);
            let value = "zc::FieldValue::to_json(&value.into())";
            m.set("Self::default()", &string(&f.name), value);
        }
    }
    let compound = model
        .attributes
        .iter()
        .filter(|a| a.name == "@@id" || a.name == "@@unique");
    // `@@id` and `@@unique` on the same fields are one key.
    let mut seen = std::collections::BTreeSet::new();
    for attr in compound {
        let Some(list) = attr.arg(0) else { continue };
        let zgen_sema::expr::ExprKind::Array(items) = &list.value.kind else {
            continue;
        };
        let parts: Vec<&Field> = items
            .iter()
            .filter_map(|e| e.as_field())
            .filter(|f| f.model == id)
            .map(|f| schema.field(f))
            .collect();
        if parts.len() != items.len() || parts.is_empty() {
            continue;
        }
        let key = attr
            .named_arg("name")
            .and_then(|a| a.value.as_string())
            .map(str::to_string)
            .unwrap_or_else(|| {
                parts
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            });
        if !seen.insert(key.clone()) {
            continue;
        }
        let values: Vec<(&Field, String)> = parts
            .iter()
            .filter_map(|f| match role(schema, f, dt) {
                Role::Value { ty, .. } => Some((*f, ty)),
                Role::Relation { .. } => None,
            })
            .collect();
        let params: Vec<String> = values
            .iter()
            .map(|(f, ty)| format!("{}: impl Into<{ty}>", names::field(&f.name)))
            .collect();
        let params: Vec<&str> = params.iter().map(String::as_str).collect();
        m.open(&names::field(&key), &params);
        m.w.line(&["let mut map = zc::Map::new();"]);
        for (f, _) in &values {
            let args = [
                format!("{}.to_string()", string(&f.name)),
                format!("zc::FieldValue::to_json(&{}.into())", names::field(&f.name)),
            ];
            m.w.call("map.insert", &args, ";");
        }
        let value = "zc::serde_json::Value::Object(map)";
        m.set("Self::default()", &string(&key), value);
    }
}

fn order_methods(m: &mut Methods, fields: &[&Member<'_>]) {
    for f in fields {
        match &f.role {
            Role::Value {
                comparable: true, ..
            } => m.setter(
                &f.setter,
                Some("sort: zc::Sort"),
                &f.key,
                "sort.into_json()",
            ),
            Role::Relation { model, many: false } => {
                let param = format!("order: {}", names::ty(model, "OrderBy"));
                m.setter(
                    &f.setter,
                    Some(&param),
                    &f.key,
                    "zc::Args::into_json(order)",
                );
            }
            Role::Relation { many: true, .. } => {
                m.w.doc(" By the number of related rows.");
                m.open(&setter(f.field, "_count"), &["self", "sort: zc::Sort"]);
                m.w.line(&["let mut count = zc::Map::new();"]);
                m.w.line(&["count.insert(\"_count\".to_string(), sort.into_json());"]);
                m.set("self", &f.key, "zc::serde_json::Value::Object(count)");
            }
            Role::Value { .. } => {}
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Select,
    Include,
    Omit,
}

/// Methods of `select`, `include` and `omit`.
fn shape_methods(m: &mut Methods, fields: &[&Member<'_>], shape: Shape) {
    const TRUE: &str = "zc::serde_json::Value::Bool(true)";
    let mut has_many = false;
    for f in fields {
        match (&f.role, shape) {
            (Role::Relation { model, many }, Shape::Select | Shape::Include) => {
                has_many |= many;
                m.setter(&f.setter, None, &f.key, TRUE);
                let args = format!("args: zc::Nested<{}>", names::ty(model, ""));
                let with = setter(f.field, "_with");
                m.setter(&with, Some(&args), &f.key, "args.into_json()");
            }
            (Role::Value { .. }, Shape::Select) => m.setter(&f.setter, None, &f.key, TRUE),
            (Role::Value { .. }, Shape::Omit) => {
                let value = "zc::serde_json::Value::Bool(omit)";
                m.setter(&f.setter, Some("omit: bool"), &f.key, value);
            }
            _ => {}
        }
    }
    if has_many {
        m.w.doc(" `_count` of every to-many relation.");
        m.setter("relation_counts", None, "\"_count\"", TRUE);
    }
}

/// Setters of create and update data: values, number operators (through
/// `Assign`), and nested writes on relations.
fn data_methods(m: &mut Methods, fields: &[Member<'_>]) {
    for f in fields.iter().filter(|f| writable(f.field)) {
        let (param, value) = match &f.role {
            Role::Value { ty, .. } => (
                format!("value: impl zc::Assign<{ty}>"),
                "zc::Assign::into_json(value)",
            ),
            Role::Relation { model, .. } => (
                format!("write: zc::Write<{}>", names::ty(model, "")),
                "write.into_json()",
            ),
        };
        m.setter(&f.setter, Some(&param), &f.key, value);
    }
}
