//! v2's `@password(saltLength?: Int, salt?: String)`: the plaintext a client
//! writes is replaced by its bcrypt hash, and the field is never returned.
//!
//! ZenStack v3 removed the attribute (§6.2) but zgen still binds v2 schemas
//! (with a warning), so it keeps v2's behaviour: bcryptjs with `salt` (a full
//! bcrypt salt string) if given, else `saltLength` rounds (default 12).
//! Whatever is written is hashed, even text that already looks like a hash,
//! as v2 does. Run it after validation, so that `@length` and friends see the
//! plaintext.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use zgen_sema::expr::{ExprKind, Literal};
use zgen_sema::{AttributeApp, Field, ModelId, Schema};

/// v2's `DEFAULT_PASSWORD_SALT_LENGTH`.
const DEFAULT_COST: u32 = 12;

/// Replaces each present `@password` field's plaintext with a bcrypt hash
/// (`$2a$`, bcryptjs's format). Null, and anything but a string (or
/// `{set: string}`), is left alone for the caller's type check.
pub(crate) fn hash_passwords(
    schema: &Schema,
    model: ModelId,
    data: &mut Map<String, Value>,
) -> Result<()> {
    let m = schema.model(model);
    for field in &m.fields {
        let Some(attr) = field.attribute("@password") else {
            continue;
        };
        let Some(value) = data.get_mut(&field.name) else {
            continue;
        };
        let target = match value {
            Value::Object(o) if o.len() == 1 => o.get_mut("set"),
            v => Some(v),
        };
        if let Some(Value::String(plain)) = target {
            *plain = hash(plain, attr).map_err(|e| {
                Error::not_supported(Some(&m.name), format!("`{}`: {e}", field.name))
            })?;
        }
    }
    Ok(())
}

/// Whether a field is never returned to clients (`@password` fields; the lead also applies `@omit`).
pub(crate) fn is_secret(field: &Field) -> bool {
    field.has_attribute("@password")
}

fn hash(plain: &str, attr: &AttributeApp) -> Result<String, String> {
    if let Some(salt) = attr.named_arg("salt").and_then(|a| a.value.as_string()) {
        let (version, cost, salt) = parse_salt(salt)?;
        return bcrypt::hash_with_salt(plain, cost, salt)
            .map(|h| h.format_for_version(version))
            .map_err(|e| e.to_string());
    }
    let cost = attr
        .named_arg("saltLength")
        .and_then(|a| match &a.value.kind {
            ExprKind::Literal(Literal::Number(n)) => n.parse::<i64>().ok(),
            _ => None,
        })
        // bcryptjs clamps the rounds the same way.
        .map_or(DEFAULT_COST, |n| {
            u32::try_from(n.clamp(4, 31)).unwrap_or(DEFAULT_COST)
        });
    bcrypt::hash_with_result(plain, cost)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| e.to_string())
}

/// A bcrypt salt string, `$2a$10$` and 22 characters of bcrypt's base64,
/// as bcryptjs's `hash(s, salt)` takes it.
fn parse_salt(salt: &str) -> Result<(bcrypt::Version, u32, [u8; 16]), String> {
    let invalid = || format!("invalid `@password` salt `{salt}`");
    let mut parts = salt.split('$');
    let (Some(""), Some(version), Some(cost), Some(encoded), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(invalid());
    };
    let version = match version {
        "2a" => bcrypt::Version::TwoA,
        "2b" => bcrypt::Version::TwoB,
        "2y" => bcrypt::Version::TwoY,
        _ => return Err(invalid()),
    };
    let cost: u32 = cost.parse().map_err(|_| invalid())?;
    let bytes = decode_bcrypt_base64(encoded.get(..22).ok_or_else(invalid)?).ok_or_else(invalid)?;
    Ok((version, cost, bytes))
}

/// The 16 salt bytes from 22 characters of bcrypt's base64 alphabet
/// (`./A-Za-z0-9`, no padding; the last 4 bits are unused).
fn decode_bcrypt_base64(s: &str) -> Option<[u8; 16]> {
    const ALPHABET: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = [0u8; 16];
    let mut n = 0;
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)?;
        // Only the bits not yet emitted matter (fewer than 14).
        bits = ((bits << 6) | u32::try_from(v).ok()?) & 0xffff;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            if n < out.len() {
                out[n] = u8::try_from((bits >> nbits) & 0xff).ok()?;
                n += 1;
            }
        }
    }
    (n == out.len()).then_some(out)
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

    const SCHEMA: &str = r#"
        model User {
            id       Int     @id
            email    String
            password String  @password(saltLength: 4)
            pin      String? @password(salt: "$2a$04$N9qo8uLOickgx2ZMRZoMye")
        }
    "#;

    fn hashed(data: Value) -> Map<String, Value> {
        let s = analyze(SCHEMA);
        let id = s.model_by_name("User").unwrap();
        let mut data = data.as_object().unwrap().clone();
        hash_passwords(&s, id, &mut data).unwrap();
        data
    }

    #[test]
    fn hashes_with_the_given_rounds() {
        let d = hashed(json!({"email": "a@b.co", "password": "secret"}));
        let h = d["password"].as_str().unwrap();
        assert!(h.starts_with("$2a$04$") && h.len() == 60, "{h}");
        assert!(bcrypt::verify("secret", h).unwrap());
        assert!(!bcrypt::verify("other", h).unwrap());
        assert_eq!(d["email"], json!("a@b.co"));
        // Random salt: the same plaintext hashes differently each time.
        let again = hashed(json!({"password": "secret"}));
        assert_ne!(d["password"], again["password"]);
    }

    #[test]
    fn a_fixed_salt_is_deterministic() {
        let a = hashed(json!({"pin": "1234"}));
        let b = hashed(json!({"pin": "1234"}));
        let h = a["pin"].as_str().unwrap();
        assert_eq!(a["pin"], b["pin"]);
        assert!(h.starts_with("$2a$04$N9qo8uLOickgx2ZMRZoMy"), "{h}");
        assert!(bcrypt::verify("1234", h).unwrap());
    }

    #[test]
    fn hashes_whatever_is_written_and_skips_the_rest() {
        let already = bcrypt::hash_with_result("x", 4)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoA);
        let d = hashed(json!({"password": already.clone(), "pin": null}));
        assert_ne!(d["password"], json!(already));
        assert!(bcrypt::verify(&already, d["password"].as_str().unwrap()).unwrap());
        assert_eq!(d["pin"], Value::Null);
        let d = hashed(json!({"password": {"set": "s"}}));
        assert!(bcrypt::verify("s", d["password"]["set"].as_str().unwrap()).unwrap());
        assert!(hashed(json!({})).is_empty());
    }

    #[test]
    fn default_rounds_are_twelve() {
        let s = analyze(
            r#"model User {
                id       Int    @id
                password String @password
            }"#,
        );
        let attr = s.models[s.model_by_name("User").unwrap().index()].fields[1]
            .attribute("@password")
            .unwrap()
            .clone();
        // Checked on the cost field of the hash; hashing at 12 rounds takes
        // a moment but is what v2 stores.
        let h = hash("pw", &attr).unwrap();
        assert!(h.starts_with("$2a$12$"), "{h}");
    }

    #[test]
    fn secrets_are_password_fields() {
        let s = analyze(SCHEMA);
        let user = s.model(s.model_by_name("User").unwrap());
        let secret: Vec<&str> = user
            .fields
            .iter()
            .filter(|f| is_secret(f))
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(secret, ["password", "pin"]);
    }

    #[test]
    fn salt_strings_are_checked() {
        assert!(parse_salt("$2a$10$N9qo8uLOickgx2ZMRZoMye").is_ok());
        assert!(parse_salt("$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy").is_ok());
        for bad in [
            "",
            "abc",
            "$2c$10$N9qo8uLOickgx2ZMRZoMye",
            "$2a$xx$N9qo8uLOickgx2ZMRZoMye",
            "$2a$10$short",
            "$2a$10$N9qo8uLOickgx2ZMRZoM!e",
        ] {
            assert!(parse_salt(bad).is_err(), "{bad}");
        }
        let s = analyze(
            r#"model User {
                id       Int    @id
                password String @password(salt: "nope")
            }"#,
        );
        let id = s.model_by_name("User").unwrap();
        let mut data = json!({"password": "x"}).as_object().unwrap().clone();
        let err = hash_passwords(&s, id, &mut data).unwrap_err();
        assert_eq!(err.reason, crate::Reason::NotSupported);
    }
}
