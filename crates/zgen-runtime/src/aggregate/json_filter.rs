//! Prisma's scalar filters (`equals`, `gt`, `in`, `contains`, …) applied
//! to JSON values in memory: `groupBy`'s `having` tests a group's keys and
//! aggregates, which exist only after grouping. SQL's null rules hold: a
//! comparison with `null` is false, only `equals: null` matches it.

use serde_json::Value as Json;
use std::cmp::Ordering;

/// Whether `value` passes `filter` (a plain value means `equals`).
/// `Err` carries a message for an operator this filter does not know.
pub(super) fn matches(value: &Json, filter: &Json) -> Result<bool, String> {
    let Json::Object(ops) = filter else {
        return Ok(equals(value, filter, false));
    };
    let insensitive = match ops.get("mode") {
        None => false,
        Some(Json::String(m)) if m == "insensitive" => true,
        Some(Json::String(m)) if m == "default" => false,
        Some(other) => return Err(format!("invalid `mode` `{other}`")),
    };
    for (op, operand) in ops {
        let ok = match op.as_str() {
            "mode" => true,
            "equals" => equals(value, operand, insensitive),
            "not" => match operand {
                Json::Object(_) => !value.is_null() && !matches(value, operand)?,
                Json::Null => !value.is_null(),
                _ => !value.is_null() && !equals(value, operand, insensitive),
            },
            "in" | "notIn" => {
                let Json::Array(items) = operand else {
                    return Err(format!("`{op}` expects a list"));
                };
                let found = items.iter().any(|i| equals(value, i, insensitive));
                !value.is_null() && (found == (op == "in"))
            }
            "lt" | "lte" | "gt" | "gte" => match compare(value, operand, insensitive) {
                None => false,
                Some(o) => match op.as_str() {
                    "lt" => o == Ordering::Less,
                    "lte" => o != Ordering::Greater,
                    "gt" => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                },
            },
            "contains" | "startsWith" | "endsWith" => match (value.as_str(), operand.as_str()) {
                (Some(v), Some(s)) => {
                    let (v, s) = if insensitive {
                        (v.to_lowercase(), s.to_lowercase())
                    } else {
                        (v.to_string(), s.to_string())
                    };
                    match op.as_str() {
                        "contains" => v.contains(&s),
                        "startsWith" => v.starts_with(&s),
                        _ => v.ends_with(&s),
                    }
                }
                _ => false,
            },
            other => return Err(format!("unknown filter `{other}`")),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn equals(value: &Json, operand: &Json, insensitive: bool) -> bool {
    match (value, operand) {
        (Json::Null, Json::Null) => true,
        (Json::Null, _) | (_, Json::Null) => false,
        _ => compare(value, operand, insensitive) == Some(Ordering::Equal),
    }
}

/// The order of two non-null values of one kind: numbers by value, strings
/// as instants when both are date-times, else by text.
pub(super) fn compare(a: &Json, b: &Json, insensitive: bool) -> Option<Ordering> {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        // Decimal aggregates come back as text; compare them as numbers
        (Json::String(x), Json::Number(y)) => x.parse::<f64>().ok()?.partial_cmp(&y.as_f64()?),
        (Json::Number(x), Json::String(y)) => x.as_f64()?.partial_cmp(&y.parse::<f64>().ok()?),
        (Json::String(x), Json::String(y)) => {
            let instant = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
            match (instant(x), instant(y)) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ if insensitive => Some(x.to_lowercase().cmp(&y.to_lowercase())),
                _ => Some(x.cmp(y)),
            }
        }
        (Json::Bool(x), Json::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalar_filters_follow_sql_null_rules() {
        let cases = [
            (json!(3), json!({"gt": 2, "lte": 3}), true),
            (json!(3), json!({"gt": 3}), false),
            (json!(null), json!({"not": 1}), false),
            (json!(null), json!(null), true),
            (json!(null), json!({"lt": 1}), false),
            (json!(2.5), json!({"in": [1, 2.5]}), true),
            (json!(2), json!({"notIn": [1, 3]}), true),
            (
                json!("Ab"),
                json!({"startsWith": "a", "mode": "insensitive"}),
                true,
            ),
            (json!("Ab"), json!({"startsWith": "a"}), false),
            (
                json!("2024-01-01T00:00:00.000Z"),
                json!({"equals": "2024-01-01T00:00:00Z"}),
                true,
            ),
            (json!("10.5"), json!({"gt": 10}), true),
            (json!(4), json!({"not": {"in": [4]}}), false),
        ];
        for (value, filter, expected) in cases {
            assert_eq!(matches(&value, &filter), Ok(expected), "{value} {filter}");
        }
        assert!(matches(&json!(1), &json!({"near": 1})).is_err());
    }
}
