//! ZenStack's three nulls of a Json field: `DbNull` (SQL NULL), `JsonNull`
//! (the JSON text `null`) and `AnyNull` (either, in filters only). In the
//! engine's JSON they are the objects ZenStack's sentinels serialize to,
//! `{"__brand": "DbNull"}` and so on; the HTTP API also takes SuperJSON's
//! `["custom","DbNull"]` annotation (docs/engine.md, docs/server.md).

use serde_json::Value as Json;
use zgen_policy::ir::{CmpOp, Pred, Val, Value};

/// One of the three sentinels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonNull {
    Db,
    Json,
    Any,
}

impl JsonNull {
    /// The sentinel `v` stands for, if it is one: an object whose only
    /// member is `__brand` with one of the three names.
    pub(crate) fn of(v: &Json) -> Option<JsonNull> {
        let Json::Object(members) = v else {
            return None;
        };
        if members.len() != 1 {
            return None;
        }
        match members.get("__brand")?.as_str()? {
            "DbNull" => Some(JsonNull::Db),
            "JsonNull" => Some(JsonNull::Json),
            "AnyNull" => Some(JsonNull::Any),
            _ => None,
        }
    }

    /// The name ZenStack gives it, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonNull::Db => "DbNull",
            JsonNull::Json => "JsonNull",
            JsonNull::Any => "AnyNull",
        }
    }

    /// `value` is this null, as ZenStack's filter tests it: `DbNull` is SQL
    /// NULL, `JsonNull` the text `null` (and not SQL NULL, so its negation
    /// holds for SQL NULL), `AnyNull` either.
    pub(crate) fn filter(self, value: &Val) -> Pred {
        let is_db = || Pred::IsNull(value.clone());
        let is_json = || {
            Pred::And(vec![
                Pred::IsNotNull(value.clone()),
                Pred::Cmp {
                    op: CmpOp::Eq,
                    lhs: value.clone(),
                    rhs: Val::Const(Value::Text("null".into())),
                },
            ])
        };
        match self {
            JsonNull::Db => is_db(),
            JsonNull::Json => is_json(),
            JsonNull::Any => Pred::Or(vec![is_db(), is_json()]),
        }
    }
}
