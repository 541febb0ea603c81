//! SuperJSON, as ZenStack's clients and server use it to carry values that
//! JSON has no type for.
//!
//! A payload is plain JSON plus `meta.serialization = {values, v}`, where
//! `values` maps paths (`items.0.createdAt`, dots in keys escaped as `\.`)
//! to a leaf `[type]`: `["Date"]` (ISO string), `["bigint"]` (decimal
//! string), `[["custom", "Decimal"]]` (string) and `[["custom", "Bytes"]]`
//! (base64), the last two registered by `@zenstackhq/server`, as are
//! `[["custom", "DbNull"]]` (and `JsonNull`, `AnyNull`: any value). A node can
//! also be `[type, {child paths}]` (a transformed container) or an object
//! of child paths; `v: 1` marks escaped paths.
//!
//! Requests: the annotated values are turned into the JSON the engine
//! takes (dates and decimals stay strings, bigints become strings the engine
//! parses, bytes become byte arrays, the Json nulls `{"__brand": "DbNull"}`
//! and so on, `undefined` removes the key). Types the
//! engine has no use for (`Map`, `Set`, `RegExp`, `NaN`, …) are refused.
//!
//! Responses: the engine's JSON is walked along the schema (the model of
//! the operation, its relations, aggregate groups), and DateTime, BigInt,
//! Decimal and Bytes values are written and annotated exactly as ZenStack
//! 3.9's server writes them (see `annotate_scalar`), so a SuperJSON client
//! gets the same `Date`, `bigint`, `Decimal` and `Uint8Array` values.

use base64::Engine as _;
use serde_json::{json, Map, Value as Json};
use zgen_policy::delegate;
use zgen_sema::{FieldId, FieldTypeKind, ModelId, Scalar, Schema};

/// Applies `meta.serialization` (`{values, v}`) to `json`.
pub fn deserialize(mut json: Json, serialization: &Json) -> Result<Json, String> {
    let legacy = serialization.get("v").and_then(Json::as_u64).unwrap_or(0) < 1;
    if let Some(values) = serialization.get("values") {
        apply_tree(&mut json, &[], values, legacy)?;
    }
    Ok(json)
}

/// Applies one annotation tree at `path`: children first, then the node.
fn apply_tree(root: &mut Json, path: &[String], tree: &Json, legacy: bool) -> Result<(), String> {
    let (node_type, children) = match tree {
        Json::Array(items) => (items.first(), items.get(1)),
        Json::Object(_) => (None, Some(tree)),
        _ => return Err("invalid annotation tree".into()),
    };
    if let Some(Json::Object(children)) = children {
        for (key, child) in children {
            let mut full = path.to_vec();
            full.extend(parse_path(key, legacy)?);
            apply_tree(root, &full, child, legacy)?;
        }
    }
    if let Some(ty) = node_type {
        transform_at(root, path, ty)?;
    }
    Ok(())
}

/// SuperJSON's path syntax: segments split on `.`; in version 1, `\.` is a
/// dot inside a key and `\\` a backslash.
fn parse_path(text: &str, legacy: bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut segment = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                segment.push('.');
            }
            '\\' if !legacy => match chars.next() {
                Some('\\') => segment.push('\\'),
                _ => return Err("invalid path".into()),
            },
            '.' => out.push(std::mem::take(&mut segment)),
            c => segment.push(c),
        }
    }
    out.push(segment);
    Ok(out)
}

/// Replaces the value at `path` with what the engine takes for a value of
/// annotation `ty`.
fn transform_at(root: &mut Json, path: &[String], ty: &Json) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        let value = std::mem::take(root);
        *root = untransform(value, ty)?.unwrap_or(Json::Null);
        return Ok(());
    };
    let mut node = root;
    for key in parents {
        node = child_mut(node, key).ok_or_else(|| format!("no value at `{}`", path.join(".")))?;
    }
    match node {
        Json::Object(map) => {
            // JSON drops `undefined` object members, so only their
            // annotation is left.
            let value = match map.remove(last) {
                Some(value) => value,
                None if ty.as_str() == Some("undefined") => return Ok(()),
                None => return Err(format!("no value at `{}`", path.join("."))),
            };
            if let Some(v) = untransform(value, ty)? {
                map.insert(last.clone(), v);
            }
        }
        Json::Array(items) => {
            let slot = last
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get_mut(i))
                .ok_or_else(|| format!("no value at `{}`", path.join(".")))?;
            let value = std::mem::take(slot);
            *slot = untransform(value, ty)?.unwrap_or(Json::Null);
        }
        _ => return Err(format!("no value at `{}`", path.join("."))),
    }
    Ok(())
}

fn child_mut<'a>(node: &'a mut Json, key: &str) -> Option<&'a mut Json> {
    match node {
        Json::Object(map) => map.get_mut(key),
        Json::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

/// One value back from its SuperJSON form; `None` is JavaScript's
/// `undefined` (the key is dropped).
fn untransform(value: Json, ty: &Json) -> Result<Option<Json>, String> {
    let simple = ty.as_str();
    let custom = match ty {
        Json::Array(parts) if parts.first().and_then(Json::as_str) == Some("custom") => {
            parts.get(1).and_then(Json::as_str)
        }
        _ => None,
    };
    let typed_array = match ty {
        Json::Array(parts) if parts.first().and_then(Json::as_str) == Some("typed-array") => {
            parts.get(1).and_then(Json::as_str)
        }
        _ => None,
    };
    match (simple, custom, typed_array, &value) {
        (Some("undefined"), _, _, _) => Ok(None),
        (Some("Date" | "bigint"), _, _, Json::String(_)) => Ok(Some(value)),
        (_, Some("Decimal"), _, Json::String(_)) => Ok(Some(value)),
        // Json fields' null sentinels, as the engine takes them
        (_, Some(name @ ("DbNull" | "JsonNull" | "AnyNull")), _, _) => {
            Ok(Some(json!({ "__brand": name })))
        }
        (_, Some("Bytes"), _, Json::String(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map(|bytes| Some(bytes.into_iter().map(Json::from).collect()))
            .map_err(|_| "invalid base64 in a `Bytes` value".to_string()),
        (_, _, Some("Uint8Array"), Json::Array(_)) => Ok(Some(value)),
        _ => Err(format!("unsupported serialized value of type `{ty}`")),
    }
}

/// Where a value sits in a result: ZenStack types row values, while
/// aggregate values (`_sum`, `_min`, …) come from the driver untyped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Row,
    Aggregate,
}

/// What the engine's JSON for a value of a scalar type becomes, and its
/// annotation, as ZenStack 3.9 serializes it: in rows, DateTime is a
/// `Date`, BigInt a `bigint`, Decimal a `Decimal` and Bytes a `Uint8Array`;
/// in aggregates, BigInt and Decimal are plain numbers, DateTime a plain
/// string and Bytes a `Buffer` (base64).
fn annotate_scalar(scalar: Scalar, place: Place, value: &mut Json) -> Option<Json> {
    if value.is_null() {
        return None;
    }
    match (scalar, place) {
        (Scalar::DateTime, Place::Row) if value.is_string() => Some(json!(["Date"])),
        (Scalar::BigInt, Place::Row) => {
            if let Json::Number(n) = value {
                *value = Json::String(n.to_string());
            }
            value.is_string().then(|| json!(["bigint"]))
        }
        (Scalar::Decimal, Place::Row) => {
            if let Json::Number(n) = value {
                *value = Json::String(n.to_string());
            }
            value.is_string().then(|| json!([["custom", "Decimal"]]))
        }
        (Scalar::BigInt | Scalar::Decimal, Place::Aggregate) => {
            let number = value
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .and_then(serde_json::Number::from_f64);
            if let Some(n) = number {
                *value = Json::Number(n);
            }
            None
        }
        (Scalar::Bytes, Place::Row) => value
            .is_array()
            .then(|| json!([["typed-array", "Uint8Array"]])),
        (Scalar::Bytes, Place::Aggregate) => {
            let bytes: Option<Vec<u8>> = value.as_array().and_then(|items| {
                items
                    .iter()
                    .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                    .collect()
            });
            *value = Json::String(base64::engine::general_purpose::STANDARD.encode(bytes?));
            Some(json!([["custom", "Bytes"]]))
        }
        _ => None,
    }
}

/// Annotates an engine result whose rows are of `model` (rows, a row, an
/// aggregate, groups, counts). Returns `meta.serialization`, if anything
/// needed an annotation.
pub fn serialize(schema: &Schema, model: ModelId, value: &mut Json) -> Option<Json> {
    let mut values = Map::new();
    annotate(schema, model, value, "", &mut values);
    serialization(values)
}

/// `meta.serialization` from collected annotations.
pub fn serialization(values: Map<String, Json>) -> Option<Json> {
    (!values.is_empty()).then(|| json!({"values": values, "v": 1}))
}

/// Walks `value` as data of `model`, adding `path → annotation` entries.
pub fn annotate(
    schema: &Schema,
    model: ModelId,
    value: &mut Json,
    path: &str,
    out: &mut Map<String, Json>,
) {
    match value {
        Json::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                annotate(schema, model, item, &join(path, &i.to_string()), out);
            }
        }
        Json::Object(map) => {
            let m = schema.model(concrete_model(schema, model, map));
            for (key, v) in map.iter_mut() {
                let here = join(path, key);
                match key.as_str() {
                    "_min" | "_max" | "_sum" | "_avg" => {
                        annotate_aggregate(schema, model, v, &here, out);
                    }
                    _ => match m.field_by_name(key).map(|(_, f)| &f.ty.kind) {
                        Some(FieldTypeKind::Scalar(s)) => {
                            if let Some(a) = annotate_scalar(*s, Place::Row, v) {
                                out.insert(here, a);
                            }
                        }
                        Some(FieldTypeKind::Model(related)) => {
                            annotate(schema, *related, v, &here, out);
                        }
                        _ => {}
                    },
                }
            }
        }
        _ => {}
    }
}

/// The model a row of `model` really is: for a delegate base, the
/// sub-model its discriminator names, level by level, so that the fields
/// merged in from sub-models are typed like the base's own.
fn concrete_model(schema: &Schema, model: ModelId, row: &Map<String, Json>) -> ModelId {
    let mut current = model;
    while let Some(child) = delegate::discriminator(schema, current).and_then(|d| {
        let value = row.get(&schema.field(d).name)?.as_str()?;
        schema.data_models().map(|(id, _)| id).find(|id| {
            schema.model(*id).base == Some(current)
                && discriminator_in_results(schema, d, *id) == value
        })
    }) {
        current = child;
    }
    current
}

/// The discriminator value of `model`'s rows as results show it: an enum
/// value by its name, not its stored (`@map`) name.
fn discriminator_in_results(schema: &Schema, field: FieldId, model: ModelId) -> String {
    let stored = delegate::discriminator_value(schema, model);
    match schema.field(field).ty.kind {
        FieldTypeKind::Enum(e) => schema
            .enum_(e)
            .values
            .iter()
            .find(|v| v.db_name() == stored)
            .map_or(stored, |v| v.name.clone()),
        _ => stored,
    }
}

/// The values of `_min`, `_max`, `_sum` or `_avg`, keyed by field.
fn annotate_aggregate(
    schema: &Schema,
    model: ModelId,
    value: &mut Json,
    path: &str,
    out: &mut Map<String, Json>,
) {
    let Json::Object(fields) = value else {
        return;
    };
    let m = schema.model(model);
    for (key, v) in fields.iter_mut() {
        let Some(FieldTypeKind::Scalar(s)) = m.field_by_name(key).map(|(_, f)| &f.ty.kind) else {
            continue;
        };
        if let Some(a) = annotate_scalar(*s, Place::Aggregate, v) {
            out.insert(join(path, key), a);
        }
    }
}

/// `parent.key`, with the key escaped as SuperJSON (v1) escapes it.
fn join(parent: &str, key: &str) -> String {
    let escaped = if key.contains(['.', '\\']) {
        key.replace('\\', "\\\\").replace('.', "\\.")
    } else {
        key.to_string()
    };
    if parent.is_empty() {
        escaped
    } else {
        format!("{parent}.{escaped}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_base_are_typed_by_the_sub_model_their_discriminator_names() {
        let source = "datasource db { provider = 'sqlite' }
            enum Kind { PHOTO @map('photo') CLIP }
            model Asset { id Int @id  kind Kind  @@delegate(kind) }
            model Photo extends Asset { taken DateTime  @@delegateMap(PHOTO) }
            model Clip extends Asset { taken BigInt  @@delegateMap(CLIP) }";
        let engine = zgen_runtime::Engine::from_source(source);
        let Ok(engine) = engine else {
            panic!("schema");
        };
        let schema = engine.schema();
        let Some((asset, _)) = schema.data_models().find(|(_, m)| m.name == "Asset") else {
            panic!("Asset");
        };
        let mut rows = json!([{"id": 1, "kind": "PHOTO", "taken": "2024-01-02T03:04:05.000Z"},
                              {"id": 2, "kind": "CLIP", "taken": 5}, {"id": 3, "kind": "other", "taken": 5}]);
        assert_eq!(
            serialize(schema, asset, &mut rows),
            Some(json!({"values": {"0.taken": ["Date"], "1.taken": ["bigint"]}, "v": 1}))
        );
    }

    #[test]
    fn paths_split_on_unescaped_dots() {
        assert_eq!(
            parse_path(r"a.b\.c.d\\e", false).ok(),
            Some(vec!["a".into(), "b.c".into(), r"d\e".into()])
        );
        assert!(parse_path(r"a\x", false).is_err());
        assert_eq!(join("", "a.b"), r"a\.b");
        assert_eq!(join("x", r"a\b"), r"x.a\\b");
    }

    #[test]
    fn request_values_become_engine_json() {
        let json = json!({"data": {"at": "2024-01-02T03:04:05.000Z", "big": "9007199254740993",
            "dec": "1.50", "raw": "AAEC", "gone": null, "list": [1, "Infinity", "JsonNull"]}});
        let meta = json!({"values": {"data.at": ["Date"], "data.big": ["bigint"],
            "data.dec": [["custom", "Decimal"]], "data.raw": [["custom", "Bytes"]],
            "data.gone": ["undefined"], "data.list.2": [["custom", "JsonNull"]]}, "v": 1});
        let out = deserialize(json, &meta);
        assert_eq!(
            out,
            Ok(
                json!({"data": {"at": "2024-01-02T03:04:05.000Z", "big": "9007199254740993",
                "dec": "1.50", "raw": [0, 1, 2], "list": [1, "Infinity", {"__brand": "JsonNull"}]}})
            )
        );
        let bad = deserialize(json!({"x": "NaN"}), &json!({"values": {"x": ["number"]}}));
        assert!(bad.is_err());
        let missing = deserialize(json!({}), &json!({"values": {"x.y": ["Date"]}}));
        assert!(missing.is_err());
    }
}
