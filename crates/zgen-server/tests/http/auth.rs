//! Bearer tokens: verified payloads become `auth()`, everything else 401.

use crate::common::{now, sign, token_for, Server, SECRET};
use axum::http::StatusCode;
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value as Json};
use zgen_server::JwtVerifier;

fn b64(v: &Json) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

async fn refused(s: &Server, token: &str) -> Json {
    let (status, body) = s
        .send("GET", "/api/model/post/count", None, Some(token))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}: {body}");
    body
}

#[tokio::test]
async fn a_verified_token_is_auth_and_no_token_is_anonymous() {
    let s = Server::new();
    s.seed().await;
    let (_, body) = s.send("GET", "/api/model/post/count", None, None).await;
    assert_eq!(body, json!({"data": 1}));
    let (_, body) = s
        .send("GET", "/api/model/post/count", None, Some(&token_for(1)))
        .await;
    assert_eq!(body, json!({"data": 2}));
}

#[tokio::test]
async fn bad_tokens_are_401() {
    let s = Server::new();
    s.seed().await;
    let claims = json!({"id": 1, "exp": now() + 3600});
    let good = sign(Algorithm::HS256, &claims);

    // Signed with another secret; a payload swapped under a valid signature.
    let other = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"other"),
    )
    .unwrap();
    let body = refused(&s, &other).await;
    assert_eq!(
        body,
        json!({"error": {"message": "invalid token signature"}})
    );
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged = b64(&json!({"id": 2, "exp": now() + 3600}));
    parts[1] = &forged;
    refused(&s, &parts.join(".")).await;

    // Expired, and not yet valid (both beyond the leeway).
    let body = refused(
        &s,
        &sign(Algorithm::HS256, &json!({"id": 1, "exp": now() - 3600})),
    )
    .await;
    assert_eq!(body["error"]["message"], json!("token has expired"));
    let body = refused(
        &s,
        &sign(
            Algorithm::HS256,
            &json!({"id": 1, "exp": now() + 7200, "nbf": now() + 3600}),
        ),
    )
    .await;
    assert_eq!(body["error"]["message"], json!("token is not valid yet"));
    // No expiry at all.
    refused(&s, &sign(Algorithm::HS256, &json!({"id": 1}))).await;

    // Another algorithm, even with the right secret.
    let body = refused(&s, &sign(Algorithm::HS384, &claims)).await;
    assert_eq!(
        body["error"]["message"],
        json!("token algorithm is not accepted")
    );
    // `alg: none` with an empty signature, and with the real one.
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims)
    );
    refused(&s, &none).await;
    let signature = good.rsplit('.').next().unwrap();
    refused(&s, &format!("{none}{signature}")).await;

    // Garbage and malformed headers.
    for token in ["", "abc", "a.b.c", "...."] {
        let (status, _) = s
            .send("GET", "/api/model/post/count", None, Some(token))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
    }
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"] {
        let req = axum::http::Request::builder()
            .uri("/api/model/post/count")
            .header("authorization", header)
            .body(axum::body::Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(s.app.clone(), req)
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{header}");
        assert!(res.headers().contains_key("www-authenticate"));
    }
}

#[tokio::test]
async fn a_nested_claim_can_be_the_auth_value() {
    let s = Server::with(|api| api.jwt(JwtVerifier::hs256(SECRET).claim("app.user")));
    s.seed_direct();
    let nested = sign(
        Algorithm::HS256,
        &json!({"app": {"user": {"id": 1}}, "exp": now() + 60}),
    );
    let (_, body) = s
        .send("GET", "/api/model/post/count", None, Some(&nested))
        .await;
    assert_eq!(body, json!({"data": 2}));
    // The claim must be there, and be an object.
    refused(
        &s,
        &sign(Algorithm::HS256, &json!({"id": 1, "exp": now() + 60})),
    )
    .await;
    refused(
        &s,
        &sign(
            Algorithm::HS256,
            &json!({"app": {"user": 1}, "exp": now() + 60}),
        ),
    )
    .await;
}

#[tokio::test]
async fn es256_public_keys_verify_and_refuse_hmac_confusion() {
    let public = include_bytes!("../keys/es256-public.pem");
    let private = include_bytes!("../keys/es256-private.pem");
    let s = Server::with(|api| api.jwt(JwtVerifier::es256_pem(public).unwrap()));
    s.seed_direct();
    let claims = json!({"id": 1, "exp": now() + 60});
    let token = encode(
        &Header::new(Algorithm::ES256),
        &claims,
        &EncodingKey::from_ec_pem(private).unwrap(),
    )
    .unwrap();
    let (_, body) = s
        .send("GET", "/api/model/post/count", None, Some(&token))
        .await;
    assert_eq!(body, json!({"data": 2}));
    // The public key used as an HMAC secret: the classic confusion attack.
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(public),
    )
    .unwrap();
    refused(&s, &confused).await;
}

#[tokio::test]
async fn without_a_verifier_any_token_is_refused() {
    let s = Server::with(|api| api);
    let body = refused(&s, &token_for(1)).await;
    assert_eq!(
        body,
        json!({"error": {"message": "this server accepts no tokens"}})
    );
    // A custom auth function decides alone.
    let s = Server::with(|api| {
        api.auth(|parts| match parts.headers.get("x-user") {
            Some(_) => Err(zgen_server::Unauthorized::new("no headers as identity")),
            None => Ok(Some(json!({"id": 1}))),
        })
    });
    // Reading a user back needs a non-null auth value.
    let (status, body) = s
        .write(
            "POST",
            "user/create",
            json!({"data": {"email": "x@example.com"}, "select": {"id": true}}),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::CREATED, json!({"data": {"id": 1}}))
    );
    let req = axum::http::Request::builder()
        .uri("/api/model/user/count")
        .header("x-user", "1")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(s.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn rs256_public_keys_verify_and_refuse_other_algorithms() {
    let public = include_bytes!("../keys/rs256-public.pem");
    let private = include_bytes!("../keys/rs256-private.pem");
    let s = Server::with(|api| api.jwt(JwtVerifier::rs256_pem(public).unwrap()));
    s.seed_direct();
    let claims = json!({"id": 2, "exp": now() + 60});
    let key = EncodingKey::from_rsa_pem(private).unwrap();
    let token = encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap();
    let (_, body) = s
        .send("GET", "/api/model/post/count", None, Some(&token))
        .await;
    // The published post and Bob's own draft.
    assert_eq!(body, json!({"data": 2}));
    // Same key, another RSA algorithm; and the public key as an HMAC secret.
    let rs512 = encode(&Header::new(Algorithm::RS512), &claims, &key).unwrap();
    refused(&s, &rs512).await;
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(public),
    )
    .unwrap();
    refused(&s, &confused).await;
    assert!(JwtVerifier::rs256_pem(b"not a key").is_err());
}
