//! Which tokens `zgen serve` accepts: the key and checks of its JWT
//! verifier, from flags, a file or the environment. Secrets are read, never
//! printed.

use super::super::CliError;
use crate::cli::{JwtAlg, ServeArgs};
use zgen_server::JwtVerifier;

/// Where the HS256 secret is looked for when no flag names a source.
pub const DEFAULT_SECRET_ENV: &str = "ZGEN_JWT_SECRET";

/// Fewer bytes than this make an HS256 secret guessable offline.
const MIN_SECRET_LEN: usize = 32;

/// The verifier the flags describe, with a line saying what it accepts;
/// `None` when no key is configured (every request is anonymous).
pub fn verifier(args: &ServeArgs) -> Result<(Option<JwtVerifier>, String), CliError> {
    let (mut verifier, note) = match (args.jwt_alg, &args.jwt_public_key) {
        (JwtAlg::Hs256, Some(_)) => {
            return Err(CliError::new(
                "--jwt-public-key needs --jwt-alg RS256 or ES256",
            ))
        }
        (JwtAlg::Hs256, None) => {
            let Some((secret, source)) = secret(args)? else {
                return Ok((
                    None,
                    format!("no JWT key (set {DEFAULT_SECRET_ENV}): every request is anonymous, tokens are refused"),
                ));
            };
            if secret.len() < MIN_SECRET_LEN {
                eprintln!(
                    "warning: the HS256 secret from {source} is shorter than {MIN_SECRET_LEN} bytes"
                );
            }
            (
                JwtVerifier::hs256(&secret),
                format!("HS256 tokens, secret from {source}"),
            )
        }
        (alg, Some(path)) => {
            let pem = std::fs::read(path)
                .map_err(|e| CliError::new(format!("cannot read `{}`: {e}", path.display())))?;
            let verifier = match alg {
                JwtAlg::Rs256 => JwtVerifier::rs256_pem(&pem),
                _ => JwtVerifier::es256_pem(&pem),
            }
            .map_err(|e| CliError::new(format!("`{}`: {e}", path.display())))?;
            let name = if alg == JwtAlg::Rs256 {
                "RS256"
            } else {
                "ES256"
            };
            (verifier, format!("{name} tokens, key `{}`", path.display()))
        }
        (_, None) => {
            return Err(CliError::new(
                "--jwt-alg RS256 and ES256 need --jwt-public-key FILE",
            ))
        }
    };
    if let Some(claim) = &args.auth_claim {
        verifier = verifier.claim(claim);
    }
    if let Some(iss) = &args.jwt_issuer {
        verifier = verifier.issuer(iss);
    }
    if let Some(aud) = &args.jwt_audience {
        verifier = verifier.audience(aud);
    }
    Ok((Some(verifier), note))
}

/// The HS256 secret and where it came from; `None` when no source is
/// configured. A named source that is empty or missing is an error.
fn secret(args: &ServeArgs) -> Result<Option<(Vec<u8>, String)>, CliError> {
    if let Some(path) = &args.jwt_secret_file {
        let text = std::fs::read(path)
            .map_err(|e| CliError::new(format!("cannot read `{}`: {e}", path.display())))?;
        // A trailing newline from `echo` is not part of the secret.
        let secret = text.trim_ascii_end().to_vec();
        if secret.is_empty() {
            return Err(CliError::new(format!("`{}` is empty", path.display())));
        }
        return Ok(Some((secret, format!("`{}`", path.display()))));
    }
    let (name, named) = match &args.jwt_secret_env {
        Some(name) => (name.as_str(), true),
        None => (DEFAULT_SECRET_ENV, false),
    };
    match std::env::var_os(name) {
        Some(value) if !value.is_empty() => {
            Ok(Some((value.into_encoded_bytes(), format!("${name}"))))
        }
        _ if named => Err(CliError::new(format!(
            "environment variable `{name}` is not set or empty"
        ))),
        _ => Ok(None),
    }
}
