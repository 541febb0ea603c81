//! Operation arguments in ZenStack/Prisma's JSON shape, checked against the
//! schema and turned into typed values.

pub(crate) mod filter;
pub(crate) mod select;

pub(crate) use select::{default_visible, read_columns};

use crate::error::{Error, Result};
use serde_json::{Map, Value as Json};

/// The arguments object of an operation (`{}` when omitted).
pub(crate) fn object<'j>(model: &str, args: &'j Json) -> Result<&'j Map<String, Json>> {
    static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
    match args {
        Json::Object(map) => Ok(map),
        Json::Null => Ok(EMPTY.get_or_init(Map::new)),
        other => Err(Error::invalid_input(
            Some(model),
            format!("arguments must be an object, got `{other}`"),
        )),
    }
}

/// `args[key]` found by comparing keys: an arguments object has a handful
/// of them, and comparing is cheaper than hashing the key with the SipHash
/// of serde_json's ordered maps.
/// (A map of one entry is looked up without hashing already.)
#[inline]
pub(crate) fn arg<'j>(args: &'j Map<String, Json>, key: &str) -> Option<&'j Json> {
    if args.len() < 2 || args.len() > 8 {
        return args.get(key);
    }
    args.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// Rejects keys an operation does not take, so a typo is an error rather
/// than a silently ignored filter.
pub(crate) fn only_keys(model: &str, args: &Map<String, Json>, allowed: &[&str]) -> Result<()> {
    match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Error::invalid_input(
            Some(model),
            format!("unexpected argument `{k}`"),
        )),
        None => Ok(()),
    }
}

/// A non-negative integer argument such as `skip`.
pub(crate) fn count_arg(model: &str, args: &Map<String, Json>, key: &str) -> Result<Option<i64>> {
    match arg(args, key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
        Some(other) => Err(Error::invalid_input(
            Some(model),
            format!("`{key}` must be an integer, got `{other}`"),
        )),
    }
}
