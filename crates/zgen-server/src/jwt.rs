//! `Authorization: Bearer <JWT>`: the verified payload becomes `auth()`.
//!
//! Only signatures made with the one configured algorithm and key are
//! accepted: a token signed with another algorithm (including `none`, which
//! the decoder does not even parse) is refused, as are expired and
//! not-yet-valid tokens (`exp`, `nbf`, with a small leeway for clock skew)
//! and, when configured, tokens for another audience or issuer. There is no
//! path by which an unverified payload reaches the engine.

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value as Json;

use crate::Unauthorized;

/// Seconds of clock skew tolerated on `exp` and `nbf`.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;

/// Verifies bearer tokens with one key and algorithm.
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
    claim: Vec<String>,
}

impl std::fmt::Debug for JwtVerifier {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("algorithms", &self.validation.algorithms)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// HS256 with a shared secret.
    pub fn hs256(secret: &[u8]) -> JwtVerifier {
        JwtVerifier::new(DecodingKey::from_secret(secret), Algorithm::HS256)
    }

    /// RS256 with an RSA public key in PEM.
    pub fn rs256_pem(pem: &[u8]) -> Result<JwtVerifier, String> {
        DecodingKey::from_rsa_pem(pem)
            .map(|key| JwtVerifier::new(key, Algorithm::RS256))
            .map_err(|e| format!("invalid RSA public key: {e}"))
    }

    /// ES256 with an EC (P-256) public key in PEM.
    pub fn es256_pem(pem: &[u8]) -> Result<JwtVerifier, String> {
        DecodingKey::from_ec_pem(pem)
            .map(|key| JwtVerifier::new(key, Algorithm::ES256))
            .map_err(|e| format!("invalid EC public key: {e}"))
    }

    fn new(key: DecodingKey, algorithm: Algorithm) -> JwtVerifier {
        let mut validation = Validation::new(algorithm);
        validation.leeway = DEFAULT_LEEWAY_SECS;
        validation.validate_nbf = true;
        // Tokens without `exp` are refused (the default of the decoder).
        validation.validate_aud = false;
        JwtVerifier {
            key,
            validation,
            claim: Vec::new(),
        }
    }

    /// Takes `auth()` from a claim of the payload instead of the whole
    /// payload; dots reach into nested objects (`app.user`).
    pub fn claim(mut self, path: &str) -> JwtVerifier {
        self.claim = path
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        self
    }

    /// Accepts only tokens whose `aud` includes `audience`.
    pub fn audience(mut self, audience: &str) -> JwtVerifier {
        self.validation.set_audience(&[audience]);
        self.validation.validate_aud = true;
        self
    }

    /// Accepts only tokens whose `iss` is `issuer`.
    pub fn issuer(mut self, issuer: &str) -> JwtVerifier {
        self.validation.set_issuer(&[issuer]);
        self
    }

    /// Tolerated clock skew on `exp` and `nbf`, in seconds.
    pub fn leeway(mut self, seconds: u64) -> JwtVerifier {
        self.validation.leeway = seconds;
        self
    }

    /// The auth value of a token: its verified payload (or the configured
    /// claim of it), which must be a JSON object.
    pub fn verify(&self, token: &str) -> Result<Json, Unauthorized> {
        let data = jsonwebtoken::decode::<Json>(token, &self.key, &self.validation)
            .map_err(|e| Unauthorized::new(reason(e.kind())))?;
        let mut value = &data.claims;
        for key in &self.claim {
            value = value
                .get(key)
                .ok_or_else(|| Unauthorized::new("token has no auth claim"))?;
        }
        if !value.is_object() {
            return Err(Unauthorized::new("token's auth claim is not an object"));
        }
        Ok(value.clone())
    }

    /// The auth value of a request: anonymous (`None`) without an
    /// `Authorization` header; the verified token with `Bearer <token>`;
    /// refused for anything else.
    pub fn authenticate(&self, parts: &Parts) -> Result<Option<Json>, Unauthorized> {
        match bearer_token(parts)? {
            None => Ok(None),
            Some(token) => self.verify(token).map(Some),
        }
    }
}

/// The token of `Authorization: Bearer <token>`; `None` without the header.
pub fn bearer_token(parts: &Parts) -> Result<Option<&str>, Unauthorized> {
    let mut values = parts.headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Unauthorized::new("more than one authorization header"));
    }
    let text = value
        .to_str()
        .map_err(|_| Unauthorized::new("malformed authorization header"))?;
    let (scheme, token) = text
        .split_once(' ')
        .ok_or_else(|| Unauthorized::new("expected `Bearer <token>`"))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(Unauthorized::new("expected `Bearer <token>`"));
    }
    Ok(Some(token))
}

/// What the client is told: enough to fix its side, nothing about keys.
fn reason(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "token has expired",
        ErrorKind::ImmatureSignature => "token is not valid yet",
        ErrorKind::InvalidSignature => "invalid token signature",
        ErrorKind::InvalidAlgorithm => "token algorithm is not accepted",
        ErrorKind::InvalidAudience => "token audience is not accepted",
        ErrorKind::InvalidIssuer => "token issuer is not accepted",
        ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
        _ => "malformed token",
    }
}
