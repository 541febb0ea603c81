//! Puts both sides' values into one form before comparing: tagged BigInts
//! and whole floats become integers, generated values (timestamps near
//! now, uuids, cuids) become placeholders, and lists of rows without a
//! requested order are sorted.

use regex::Regex;
use serde_json::{Map, Number, Value as Json};
use std::sync::OnceLock;

/// Placeholders for values that differ between two runs by design.
struct Patterns {
    timestamp: Regex,
    uuid: Regex,
    cuid: Regex,
}

fn patterns() -> Option<&'static Patterns> {
    static P: OnceLock<Option<Patterns>> = OnceLock::new();
    P.get_or_init(|| {
        Some(Patterns {
            timestamp: Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$").ok()?,
            uuid: Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
                .ok()?,
            cuid: Regex::new(r"^c[a-z0-9]{24}$").ok()?,
        })
    })
    .as_ref()
}

/// Timestamps within this many seconds of the run are "now".
const NOW_WINDOW_SECS: i64 = 6 * 3600;

pub struct Normalizer {
    now: i64,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new()
    }
}

impl Normalizer {
    pub fn new() -> Normalizer {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Normalizer { now }
    }

    /// `value` normalised; lists of objects sorted unless `ordered`.
    pub fn value(&self, value: &Json, ordered: bool) -> Json {
        match value {
            Json::Object(map) => {
                if let Some(n) = tagged_bigint(map) {
                    return n;
                }
                Json::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), self.value(v, ordered)))
                        .collect(),
                )
            }
            Json::Array(items) => {
                let mut out: Vec<Json> = items.iter().map(|v| self.value(v, ordered)).collect();
                if !ordered && out.iter().all(Json::is_object) {
                    out.sort_by_cached_key(canonical);
                }
                Json::Array(out)
            }
            Json::Number(n) => whole_number(n).unwrap_or_else(|| value.clone()),
            Json::String(s) => Json::String(self.string(s)),
            _ => value.clone(),
        }
    }

    fn string(&self, s: &str) -> String {
        let Some(p) = patterns() else {
            return s.to_string();
        };
        if p.timestamp.is_match(s) && self.is_near_now(s) {
            return "<now>".into();
        }
        if p.uuid.is_match(s) {
            return "<uuid>".into();
        }
        if p.cuid.is_match(s) {
            return "<cuid>".into();
        }
        s.to_string()
    }

    fn is_near_now(&self, s: &str) -> bool {
        epoch_seconds(s).is_some_and(|t| (t - self.now).abs() < NOW_WINDOW_SECS)
    }
}

/// `{"$bigint": "…"}` as a number (or the text when it does not fit).
fn tagged_bigint(map: &Map<String, Json>) -> Option<Json> {
    if map.len() != 1 {
        return None;
    }
    let text = map.get("$bigint")?.as_str()?;
    Some(match text.parse::<i64>() {
        Ok(n) => Json::from(n),
        Err(_) => Json::String(text.to_string()),
    })
}

/// `2.0` as `2`, so REAL columns and JS numbers compare.
fn whole_number(n: &Number) -> Option<Json> {
    let f = n.as_f64()?;
    if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Json::from(f as i64));
    }
    None
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS…Z` (no chrono needed).
fn epoch_seconds(s: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// JSON text with object keys sorted: the sort key for unordered lists.
pub fn canonical(value: &Json) -> String {
    match value {
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Json::String((*k).clone()), canonical(&map[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Json::Array(items) => {
            let parts: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn normalises_encodings_and_order() {
        let n = Normalizer { now: 1_700_000_000 };
        let a = json!([{"b": {"$bigint": "9007199254740993"}, "x": 2.0}, {"a": "2023-11-14T22:13:20.000Z"}]);
        let b = json!([{"a": "2023-11-14T22:13:21.500Z"}, {"x": 2, "b": 9007199254740993i64}]);
        assert_eq!(n.value(&a, false), n.value(&b, false));
        assert_ne!(n.value(&a, true), n.value(&b, true));
        assert_eq!(
            n.value(&json!("2001-01-01T00:00:00.000Z"), false),
            json!("2001-01-01T00:00:00.000Z")
        );
    }

    #[test]
    fn epoch_matches_known_dates() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            epoch_seconds("2023-11-14T22:13:20.000Z"),
            Some(1_700_000_000)
        );
    }
}
