//! SuperJSON in requests (`meta.serialization` in bodies and in `meta`
//! beside `q`) and in responses, for DateTime, BigInt, Decimal and Bytes.

use crate::common::{encode_q, token_for, Server};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn typed_values_round_trip_through_superjson() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    let body = json!({
        "data": {"title": "typed", "authorId": 1, "createdAt": "2024-02-29T12:34:56.789Z",
                 "views": "9007199254740993", "price": "12.345", "blob": "AAEC/w=="},
        "select": {"createdAt": true, "views": true, "price": true, "blob": true, "title": true},
        "meta": {"serialization": {"values": {
            "data.createdAt": ["Date"], "data.views": ["bigint"],
            "data.price": [["custom", "Decimal"]], "data.blob": [["custom", "Bytes"]]}, "v": 1}}
    });
    let (status, created) = s.write("POST", "post/create", body, Some(&alice)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let expected = json!({
        "data": {"createdAt": "2024-02-29T12:34:56.789Z", "views": "9007199254740993",
                 "price": "12.345", "blob": [0, 1, 2, 255], "title": "typed"},
        "meta": {"serialization": {"values": {
            "createdAt": ["Date"], "views": ["bigint"],
            "price": [["custom", "Decimal"]], "blob": [["typed-array", "Uint8Array"]]}, "v": 1}}
    });
    assert_eq!(created, expected);

    // Stored as ZenStack stores them.
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let (at, views, blob): (String, i64, Vec<u8>) = conn
        .query_row(
            "SELECT createdAt, views, blob FROM Post WHERE title = 'typed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (at.as_str(), views, blob),
        (
            "2024-02-29T12:34:56.789Z",
            9_007_199_254_740_993,
            vec![0, 1, 2, 255]
        )
    );

    // A filter with a Date in `q`, its type in `meta`; nested rows annotated
    // at their paths.
    let q = json!({"where": {"createdAt": {"lt": "2025-01-01T00:00:00.000Z"}},
                   "select": {"id": true, "author": {"select": {"posts": {"select": {"views": true}, "where": {"title": "typed"}}}}}});
    let meta = json!({"serialization": {"values": {"where.createdAt.lt": ["Date"]}, "v": 1}});
    let uri = format!(
        "/api/model/post/findMany?q={}&meta={}",
        encode_q(&q.to_string()),
        encode_q(&meta.to_string())
    );
    let (status, found) = s.send("GET", &uri, None, Some(&alice)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        found,
        json!({"data": [{"id": 4, "author": {"posts": [{"views": "9007199254740993"}]}}],
               "meta": {"serialization": {"values": {"0.author.posts.0.views": ["bigint"]}, "v": 1}}})
    );

    // Aggregates are untyped in ZenStack 3.9 (numbers, strings), except
    // Bytes (a base64 Buffer); `by` fields of groups are typed as in rows.
    let (_, agg) = s
        .get("post/aggregate", json!({"where": {"title": "typed"}, "_sum": {"views": true}, "_max": {"createdAt": true, "price": true, "blob": true}}), Some(&alice))
        .await;
    assert_eq!(
        agg,
        json!({"data": {"_sum": {"views": 9_007_199_254_740_993_f64}, "_max": {"createdAt": "2024-02-29T12:34:56.789Z",
                "price": 12.345, "blob": "AAEC/w=="}},
               "meta": {"serialization": {"values": {"_max.blob": [["custom", "Bytes"]]}, "v": 1}}})
    );
    let (_, groups) = s
        .get(
            "post/groupBy",
            json!({"by": ["createdAt"], "where": {"title": "typed"}, "_max": {"views": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        groups,
        json!({"data": [{"createdAt": "2024-02-29T12:34:56.789Z", "_max": {"views": 9_007_199_254_740_993_i64}}],
               "meta": {"serialization": {"values": {"0.createdAt": ["Date"]}, "v": 1}}})
    );
}

#[tokio::test]
async fn plain_json_needs_no_meta_and_undefined_drops_a_key() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    // Without SuperJSON, the same values as plain strings are accepted.
    let (status, body) = s
        .write(
            "POST",
            "post/create",
            json!({"data": {"title": "plain", "authorId": 1, "views": 7,
            "createdAt": "2024-01-01T00:00:00Z"}, "select": {"views": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["data"], json!({"views": "7"}));
    // `undefined` removes the member it annotates (SuperJSON writes null).
    let (status, body) = s
        .write(
            "PATCH",
            "post/update",
            json!({"where": {"id": 2}, "data": {"title": null, "published": true},
            "select": {"title": true, "published": true},
            "meta": {"serialization": {"values": {"data.title": ["undefined"]}, "v": 1}}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({"data": {"title": "Draft", "published": true}})
        )
    );
    // A meta without serialization is dropped.
    let (status, _) = s
        .write(
            "PATCH",
            "post/update",
            json!({"where": {"id": 2}, "data": {"published": false}, "meta": {}}),
            Some(&alice),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unsupported_or_broken_serialization_is_400() {
    let s = Server::new();
    let cases = [
        json!({"values": {"data.x": ["map"]}, "v": 1}),
        json!({"values": {"data.nothing.here": ["Date"]}, "v": 1}),
        json!({"values": {"data.email": [["custom", "Bytes"]]}, "v": 1}),
        json!({"values": {"data\\x": ["Date"]}, "v": 1}),
        json!({"values": 3}),
    ];
    for serialization in cases {
        let (status, body) = s
            .write("POST", "user/create", json!({"data": {"email": "a@b.co", "x": 1}, "meta": {"serialization": serialization}}), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{serialization}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("failed to deserialize request payload: "),
            "{message}"
        );
    }
}

/// A row read through a delegate base carries its sub-model's fields,
/// annotated like the base's own (ZenStack returns them as JS values of
/// their types, so SuperJSON annotates them alike).
#[tokio::test]
async fn sub_model_fields_of_a_base_row_are_annotated() {
    let s = Server::with(|api| api);
    let data = json!({"data": {"at": "2024-01-02T03:04:05.000Z", "size": "9007199254740993",
        "price": "1.50", "raw": [1, 2], "taken": "2023-05-06T07:08:09.000Z"}});
    let (status, created) = s.write("POST", "photo/create", data, None).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, found) = s.get("asset/findMany", json!({}), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        found,
        json!({"data": [{"id": 1, "kind": "Photo", "at": "2024-01-02T03:04:05.000Z",
                "size": "9007199254740993", "price": "1.5", "raw": [1, 2], "taken": "2023-05-06T07:08:09.000Z"}],
               "meta": {"serialization": {"values": {"0.at": ["Date"], "0.size": ["bigint"],
                "0.price": [["custom", "Decimal"]], "0.raw": [["typed-array", "Uint8Array"]],
                "0.taken": ["Date"]}, "v": 1}}})
    );
}
