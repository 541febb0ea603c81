//! The harness's own SQL, outside the engine: seed rows in, every table's
//! rows out (the "final database state"), in the same JSON form as
//! `run.mjs`.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::{json, Map, Value as Json};

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A seed value as an SQLite value: Booleans as 0/1, `{"$bytes": [..]}` as
/// a blob, `{"$bigint": "…"}` as an integer, other objects as JSON text.
fn to_sql(value: &Json) -> Result<SqlValue, String> {
    Ok(match value {
        Json::Null => SqlValue::Null,
        Json::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => SqlValue::Text(s.clone()),
        Json::Object(map) if map.len() == 1 && map.contains_key("$bytes") => {
            let bytes = map["$bytes"]
                .as_array()
                .ok_or("`$bytes` is not an array")?
                .iter()
                .map(|b| {
                    b.as_u64()
                        .and_then(|b| u8::try_from(b).ok())
                        .ok_or("bad byte")
                })
                .collect::<Result<Vec<u8>, _>>()?;
            SqlValue::Blob(bytes)
        }
        Json::Object(map) if map.len() == 1 && map.contains_key("$bigint") => {
            let text = map["$bigint"].as_str().ok_or("`$bigint` is not text")?;
            SqlValue::Integer(text.parse().map_err(|e| format!("`$bigint`: {e}"))?)
        }
        other => SqlValue::Text(other.to_string()),
    })
}

/// Inserts `rows_by_table` (`{"Table": [{"col": value}]}`) in order.
pub fn seed(conn: &Connection, rows_by_table: &Map<String, Json>) -> Result<(), String> {
    for (table, rows) in rows_by_table {
        let rows = rows
            .as_array()
            .ok_or_else(|| format!("seed of `{table}` is not a list"))?;
        for row in rows {
            let row = row
                .as_object()
                .ok_or_else(|| format!("a seed row of `{table}` is not an object"))?;
            let columns: Vec<String> = row.keys().map(|c| quote(c)).collect();
            let marks = vec!["?"; columns.len()].join(", ");
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                quote(table),
                columns.join(", ")
            );
            let values = row.values().map(to_sql).collect::<Result<Vec<_>, _>>()?;
            conn.execute(&sql, rusqlite::params_from_iter(values))
                .map_err(|e| format!("seed `{table}`: {e}"))?;
        }
    }
    Ok(())
}

/// Every table's rows, as `run.mjs` prints them.
pub fn dump(conn: &Connection) -> Result<Json, String> {
    let err = |e: rusqlite::Error| e.to_string();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(err)?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let mut state = Map::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {}", quote(&table)))
            .map_err(err)?;
        let names: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
        let mut rows = stmt.query([]).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            let mut obj = Map::new();
            for (i, name) in names.iter().enumerate() {
                obj.insert(name.clone(), stored(row.get_ref(i).map_err(err)?));
            }
            out.push(Json::Object(obj));
        }
        state.insert(table, Json::Array(out));
    }
    Ok(Json::Object(state))
}

fn stored(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Json::from(f),
        ValueRef::Text(t) => Json::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => json!({ "$bytes": b }),
    }
}
