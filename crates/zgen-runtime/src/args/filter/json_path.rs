//! Filters on Json fields in ZenStack's shape: `{path: '$.a[0]', equals,
//! not, string_contains, string_starts_with, string_ends_with,
//! array_contains, array_starts_with, array_ends_with, mode}`. The member
//! at `path` (the whole value without one) is compared as JSON text, the
//! way ZenStack does on SQLite; array elements as SQL values.

use super::Filters;
use crate::error::{Error, Result};
use crate::value::Stored;
use serde_json::{Map, Value as Json};
use zgen_policy::ir::{CmpOp, LikeKind, Pred, Val, Value};
use zgen_sema::{FieldId, Scalar};

/// The keys that make an object on a Json field a filter rather than a
/// value to compare with.
const KEYS: [&str; 9] = [
    "path",
    "equals",
    "not",
    "string_contains",
    "string_starts_with",
    "string_ends_with",
    "array_contains",
    "array_starts_with",
    "array_ends_with",
];

/// Whether `ops`, given to a Json field, is a filter.
pub(super) fn is_filter(ops: &Map<String, Json>) -> bool {
    KEYS.iter().any(|k| ops.contains_key(*k))
}

impl Filters<'_, '_> {
    /// The Json filter `ops` on `column`.
    pub(super) fn json_filter(
        &mut self,
        field: FieldId,
        column: &Val,
        ops: &Map<String, Json>,
    ) -> Result<Pred> {
        let insensitive = self.insensitive(field, ops)?;
        let member = |unwrap: bool, path: &str| Val::JsonPath {
            json: Box::new(column.clone()),
            path: Box::new(Val::Const(Value::Text(path.to_string()))),
            unwrap,
        };
        let target = match ops.get("path") {
            None => column.clone(),
            Some(Json::String(path)) => member(false, path),
            Some(other) => {
                return Err(self.invalid(
                    field.model,
                    format!("`path` expects a string, got `{other}`"),
                ))
            }
        };
        let field_def = self.client.schema().field(field);
        if !field_def.ty.optional && !ops.contains_key("path") {
            // ZenStack: a required Json field is never SQL NULL
            if let Some(op) = ["equals", "not"]
                .iter()
                .find(|op| ops.get(**op) == Some(&Json::Null))
            {
                return Err(self.invalid(
                    field.model,
                    format!(
                        "`{}` is required and cannot be compared with null in `{op}`",
                        field_def.name
                    ),
                ));
            }
        }
        let json = Stored::Scalar(Scalar::Json);
        let mut parts = Vec::with_capacity(ops.len());
        for (op, operand) in ops {
            parts.push(match op.as_str() {
                "path" | "mode" => Pred::True,
                "equals" => self.compare(field, &target, json, CmpOp::Eq, operand)?,
                "not" => Pred::negate(self.compare(field, &target, json, CmpOp::Eq, operand)?),
                "string_contains" | "string_starts_with" | "string_ends_with" => {
                    self.json_string(field, &target, op, operand, insensitive)?
                }
                "array_contains" => {
                    if operand.is_array() {
                        return Err(Error::not_supported(
                            Some(self.client.model_name(field.model)),
                            "`array_contains` with a list needs PostgreSQL",
                        ));
                    }
                    Pred::JsonContains {
                        array: target.clone(),
                        item: Val::Const(sql_value(operand)),
                    }
                }
                "array_starts_with" | "array_ends_with" => {
                    let index = if op == "array_starts_with" {
                        "$[0]"
                    } else {
                        "$[#-1]"
                    };
                    Pred::Cmp {
                        op: CmpOp::Eq,
                        lhs: Val::JsonPath {
                            json: Box::new(target.clone()),
                            path: Box::new(Val::Const(Value::Text(index.into()))),
                            unwrap: true,
                        },
                        rhs: Val::Const(sql_value(operand)),
                    }
                }
                other => {
                    return Err(self.invalid(field.model, format!("unknown Json filter `{other}`")))
                }
            });
        }
        Ok(Pred::And(parts))
    }

    /// `string_*` on JSON text: the value is a JSON string (quoted) and its
    /// text, as written in JSON, contains, starts or ends with `operand`.
    fn json_string(
        &self,
        field: FieldId,
        target: &Val,
        op: &str,
        operand: &Json,
        insensitive: bool,
    ) -> Result<Pred> {
        let Json::String(search) = operand else {
            return Err(self.invalid(field.model, format!("`{op}` expects a string")));
        };
        let like = |kind, search: String| Pred::Like {
            kind,
            value: target.clone(),
            search: Val::Const(Value::Text(search)),
            insensitive,
        };
        let quote = || "\"".to_string();
        Ok(Pred::And(match op {
            "string_starts_with" => vec![
                like(LikeKind::StartsWith, format!("\"{search}")),
                like(LikeKind::EndsWith, quote()),
            ],
            "string_ends_with" => vec![
                like(LikeKind::StartsWith, quote()),
                like(LikeKind::EndsWith, format!("{search}\"")),
            ],
            _ => vec![
                like(LikeKind::StartsWith, quote()),
                like(LikeKind::EndsWith, quote()),
                like(LikeKind::Contains, search.clone()),
            ],
        }))
    }
}

/// A JSON value as SQLite's JSON functions return an element: strings
/// without quotes, Booleans as 0/1, objects and lists as JSON text.
fn sql_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Int(i64::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => n.as_f64().map_or(Value::Null, Value::Float),
        },
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}
