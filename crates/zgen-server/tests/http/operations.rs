//! Every operation over HTTP, with the method and status ZenStack uses.

use crate::common::{not_found, token_for, Server};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn reads_answer_get_with_q_under_the_read_rule() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);

    // Anonymous: only the published post; users unreadable.
    let (status, body) = s
        .get("post/findMany", json!({"select": {"title": true}}), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"data": [{"title": "Hello"}]}));
    let (_, body) = s.get("user/findMany", json!({}), None).await;
    assert_eq!(body, json!({"data": []}));

    // Alice: her two posts; no q means no arguments.
    let (_, body) = s
        .send("GET", "/api/model/post/count", None, Some(&alice))
        .await;
    assert_eq!(body, json!({"data": 2}));
    let (_, body) = s
        .get(
            "post/findFirst",
            json!({"where": {"published": false}, "select": {"title": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(body, json!({"data": {"title": "Draft"}}));
    let (_, body) = s
        .get("post/findUnique", json!({"where": {"id": 3}}), Some(&alice))
        .await;
    assert_eq!(body, json!({"data": null}));
    let (_, body) = s
        .get("post/exists", json!({"where": {"id": 2}}), Some(&alice))
        .await;
    assert_eq!(body, json!({"data": true}));
    let (_, body) = s
        .get(
            "post/aggregate",
            json!({"_count": {"_all": true}, "_max": {"id": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        body,
        json!({"data": {"_count": {"_all": 2}, "_max": {"id": 2}}})
    );
    let (_, body) = s
        .get(
            "post/groupBy",
            json!({"by": ["published"], "_count": {"_all": true}, "orderBy": {"published": "asc"}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        body,
        json!({"data": [{"published": false, "_count": {"_all": 1}}, {"published": true, "_count": {"_all": 1}}]})
    );
    // Relations come back under their own rule.
    let (_, body) = s
        .get(
            "user/findUnique",
            json!({"where": {"id": 1}, "select": {"name": true, "posts": {"select": {"id": true}}}}),
            Some(&token_for(2)),
        )
        .await;
    assert_eq!(
        body,
        json!({"data": {"name": "Alice", "posts": [{"id": 1}]}})
    );
}

#[tokio::test]
async fn or_throw_reads_are_served_and_404_when_nothing_is_readable() {
    let s = Server::new();
    s.seed().await;
    let (status, body) = s
        .get(
            "post/findUniqueOrThrow",
            json!({"where": {"id": 1}, "select": {"id": true}}),
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"data": {"id": 1}})));
    let (status, body) = s
        .get(
            "post/findFirstOrThrow",
            json!({"where": {"id": 3}}),
            Some(&token_for(1)),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, not_found("Post"));
}

#[tokio::test]
async fn creates_answer_post_with_201() {
    let s = Server::new();
    let (status, body) = s
        .write(
            "POST",
            "user/create",
            json!({"data": {"email": "a@example.com"}, "select": {"id": true}}),
            Some(&token_for(9)),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::CREATED, json!({"data": {"id": 1}}))
    );
    let alice = token_for(1);
    let (status, body) = s
        .write(
            "POST",
            "post/createMany",
            json!({"data": [{"title": "A", "authorId": 1}, {"title": "B", "authorId": 1}]}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::CREATED, json!({"data": {"count": 2}}))
    );
    let (status, body) = s
        .write(
            "POST",
            "post/createManyAndReturn",
            json!({"data": [{"title": "C", "authorId": 1}], "select": {"title": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::CREATED, json!({"data": [{"title": "C"}]}))
    );
    let (status, body) = s
        .write(
            "POST",
            "post/upsert",
            json!({"where": {"id": 1}, "create": {"title": "new", "authorId": 1},
                   "update": {"title": "A2"}, "select": {"title": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::CREATED, json!({"data": {"title": "A2"}}))
    );
    assert_eq!(s.count("Post"), 3);
}

#[tokio::test]
async fn updates_answer_put_and_patch() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    for (method, title) in [("PUT", "put"), ("PATCH", "patch")] {
        let (status, body) = s
            .write(
                method,
                "post/update",
                json!({"where": {"id": 2}, "data": {"title": title}, "select": {"title": true}}),
                Some(&alice),
            )
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({"data": {"title": title}}))
        );
    }
    // Only the rows the update rule allows are touched.
    let (_, body) = s
        .write(
            "PATCH",
            "post/updateMany",
            json!({"data": {"published": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(body, json!({"data": {"count": 2}}));
    let (_, body) = s
        .write(
            "PUT",
            "post/updateManyAndReturn",
            json!({"data": {"views": 5}, "select": {"id": true}}),
            Some(&token_for(2)),
        )
        .await;
    assert_eq!(body, json!({"data": [{"id": 3}]}));
}

#[tokio::test]
async fn deletes_answer_delete_with_q() {
    let s = Server::new();
    s.seed().await;
    let alice = token_for(1);
    let (status, body) = s
        .delete(
            "post/delete",
            json!({"where": {"id": 2}, "select": {"title": true}}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"data": {"title": "Draft"}}))
    );
    // Bob's post is not Alice's to delete.
    let (_, body) = s.delete("post/deleteMany", json!({}), Some(&alice)).await;
    assert_eq!(body, json!({"data": {"count": 1}}));
    assert_eq!(s.count("Post"), 1);
}

#[tokio::test]
async fn model_names_are_lower_camel_or_as_declared() {
    let s = Server::new();
    s.seed().await;
    for path in ["Post/count", "post/count"] {
        let (status, body) = s
            .send("GET", &format!("/api/model/{path}"), None, None)
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({"data": 1})),
            "{path}"
        );
    }
}
