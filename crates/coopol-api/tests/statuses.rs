//! Contract tests of statuses: edits with history and source, idempotent posting, bookmarks,
//! pins, favourited_by / reblogged_by, delete and redraft, context, search.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request};
use common::*;
use serde_json::json;

#[tokio::test]
async fn an_edit_keeps_history_and_source_and_is_federated() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let s = api.status(&alice, "first draft #one").await;
        let id = s["id"].as_str().unwrap().to_string();
        // Never edited: one version, the status itself.
        let h = api.get(&format!("/api/v1/statuses/{id}/history"), &bob.token).await.ok();
        assert_eq!(h.as_array().unwrap().len(), 1, "{b}: {h}");
        let edited = api
            .call(
                Method::PUT,
                &format!("/api/v1/statuses/{id}"),
                Some(&alice.token),
                Some(json!({"status": "second take #two", "spoiler_text": "cw"})),
            )
            .await
            .ok();
        assert_keys(&edited, STATUS_KEYS, b);
        assert_eq!(edited["id"], id);
        assert!(edited["edited_at"].is_string(), "{b}: {edited}");
        assert!(edited["content"].as_str().unwrap().contains("second take"));
        assert_eq!(edited["spoiler_text"], "cw");
        assert_eq!(edited["sensitive"], true, "a content warning makes it sensitive");
        assert_eq!(edited["tags"][0]["name"], "two", "{b}: tags follow the new text");
        let h = api.get(&format!("/api/v1/statuses/{id}/history"), &bob.token).await.ok();
        let versions = h.as_array().unwrap();
        assert_eq!(versions.len(), 2, "{b}: {h}");
        assert!(versions[0]["content"].as_str().unwrap().contains("first draft"));
        assert!(versions[1]["content"].as_str().unwrap().contains("second take"));
        for v in versions {
            assert_keys(
                v,
                &["content", "spoiler_text", "sensitive", "created_at", "account", "media_attachments", "emojis"],
                b,
            );
        }
        let src = api.get(&format!("/api/v1/statuses/{id}/source"), &alice.token).await.ok();
        assert_eq!(src, json!({"id": id, "text": "second take #two", "spoiler_text": "cw"}), "{b}");
        // Only the author edits; a bad edit is refused.
        let other = api
            .call(Method::PUT, &format!("/api/v1/statuses/{id}"), Some(&bob.token), Some(json!({"status": "x"})))
            .await;
        assert_eq!(other.status, 404, "{b}");
        let blank = api
            .call(Method::PUT, &format!("/api/v1/statuses/{id}"), Some(&alice.token), Some(json!({"status": " "})))
            .await;
        assert_eq!(blank.status, 422, "{b}");
        assert!(blank.json["error"].is_string());
        // The edit waits in the outbox as an Update.
        let intents = coopol_db::entities::outbox::Entity::find().all(&api.fed.db).await.unwrap();
        assert!(intents.iter().any(|o| o.intent.contains("update_status")), "{b}: no Update intent");
    }
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn the_same_idempotency_key_posts_once() {
    for api in apis().await {
        let alice = api.user("alice").await;
        let post = |key: &'static str| {
            let api = api.clone();
            let token = alice.token.clone();
            async move {
                let req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/statuses")
                    .header(header::HOST, "localhost:1")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header("Idempotency-Key", key)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("status=only+once"))
                    .unwrap();
                api.send(req).await.ok()
            }
        };
        let a = post("k-1").await;
        let b = post("k-1").await;
        let c = post("k-2").await;
        assert_eq!(a["id"], b["id"], "{}: same key, same status", api.backend);
        assert_ne!(a["id"], c["id"], "{}: another key, another status", api.backend);
        let mine = api.get(&format!("/api/v1/accounts/{}/statuses", alice.id()), &alice.token).await.ok();
        assert_eq!(mine.as_array().unwrap().len(), 2, "{}", api.backend);
    }
}

#[tokio::test]
async fn bookmarks_pins_and_who_favourited() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let s = api.status(&alice, "pin me").await;
        let id = s["id"].as_str().unwrap();
        let marked = api.post(&format!("/api/v1/statuses/{id}/bookmark"), &bob.token, json!({})).await.ok();
        assert_eq!(marked["bookmarked"], true, "{b}");
        let list = api.get("/api/v1/bookmarks", &bob.token).await;
        assert!(list.header("link").is_some(), "{b}: bookmarks are paged");
        assert_eq!(list.ok()[0]["id"], id);
        let un = api.post(&format!("/api/v1/statuses/{id}/unbookmark"), &bob.token, json!({})).await.ok();
        assert_eq!(un["bookmarked"], false);
        assert_eq!(api.get("/api/v1/bookmarks", &bob.token).await.ok(), json!([]), "{b}");

        // Pins: mine only, shown with pinned=true.
        let not_mine = api.post(&format!("/api/v1/statuses/{id}/pin"), &bob.token, json!({})).await;
        assert_eq!(not_mine.status, 422, "{b}");
        let pinned = api.post(&format!("/api/v1/statuses/{id}/pin"), &alice.token, json!({})).await.ok();
        assert_eq!(pinned["pinned"], true, "{b}");
        api.status(&alice, "not pinned").await;
        let shown = api.get(&format!("/api/v1/accounts/{}/statuses?pinned=true", alice.id()), &bob.token).await.ok();
        assert_eq!(shown.as_array().unwrap().len(), 1, "{b}: {shown}");
        assert_eq!(shown[0]["id"], id);
        for n in 0..4 {
            let extra = api.status(&alice, &format!("extra {n}")).await;
            api.post(&format!("/api/v1/statuses/{}/pin", extra["id"].as_str().unwrap()), &alice.token, json!({}))
                .await
                .ok();
        }
        let sixth = api.status(&alice, "one too many").await;
        let refused =
            api.post(&format!("/api/v1/statuses/{}/pin", sixth["id"].as_str().unwrap()), &alice.token, json!({})).await;
        assert_eq!(refused.status, 422, "{b}: five pins at most");
        let unpinned = api.post(&format!("/api/v1/statuses/{id}/unpin"), &alice.token, json!({})).await.ok();
        assert_eq!(unpinned["pinned"], false);

        // Favourited by, reblogged by.
        api.post(&format!("/api/v1/statuses/{id}/favourite"), &bob.token, json!({})).await.ok();
        api.post(&format!("/api/v1/statuses/{id}/reblog"), &bob.token, json!({})).await.ok();
        let favs = api.get(&format!("/api/v1/statuses/{id}/favourited_by"), &alice.token).await.ok();
        assert_eq!(favs.as_array().unwrap().len(), 1, "{b}");
        assert_keys(&favs[0], ACCOUNT_KEYS, b);
        assert_eq!(favs[0]["id"], bob.id());
        let boosts = api.get(&format!("/api/v1/statuses/{id}/reblogged_by"), &alice.token).await.ok();
        assert_eq!(boosts[0]["id"], bob.id(), "{b}");
        let my_favs = api.get("/api/v1/favourites", &bob.token).await.ok();
        assert_eq!(my_favs[0]["id"], id, "{b}");
        // A token without the scope is refused.
        let reader = api.user_with_scopes("reader", "read").await;
        let no_scope = api.post(&format!("/api/v1/statuses/{id}/bookmark"), &reader.token, json!({})).await;
        assert_eq!(no_scope.status, 403, "{b}");
    }
}

#[tokio::test]
async fn delete_returns_the_source_and_context_shows_the_thread() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let root = api.status(&alice, "root").await;
        let rid = root["id"].as_str().unwrap();
        let reply =
            api.post("/api/v1/statuses", &bob.token, json!({"status": "a reply", "in_reply_to_id": rid})).await.ok();
        let deeper = api
            .post("/api/v1/statuses", &alice.token, json!({"status": "deeper", "in_reply_to_id": reply["id"]}))
            .await
            .ok();
        let ctx =
            api.get(&format!("/api/v1/statuses/{}/context", reply["id"].as_str().unwrap()), &alice.token).await.ok();
        assert_eq!(ctx["ancestors"][0]["id"], rid, "{b}: {ctx}");
        assert_eq!(ctx["descendants"][0]["id"], deeper["id"], "{b}: {ctx}");
        let gone = api
            .call(
                Method::DELETE,
                &format!("/api/v1/statuses/{}", deeper["id"].as_str().unwrap()),
                Some(&alice.token),
                None,
            )
            .await
            .ok();
        assert_eq!(gone["text"], "deeper", "{b}: delete and redraft needs the source");
        let missing = api.get(&format!("/api/v1/statuses/{}", deeper["id"].as_str().unwrap()), &alice.token).await;
        assert_eq!(missing.status, 404);
    }
}

#[tokio::test]
async fn search_finds_accounts_posts_and_hashtags() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        api.status(&alice, "Manifestation samedi #Greve2026").await;
        api.post("/api/v1/statuses", &alice.token, json!({"status": "secret manifestation", "visibility": "direct"}))
            .await
            .ok();
        let r = api.get("/api/v2/search?q=manifestation", &bob.token).await.ok();
        assert_eq!(r["statuses"].as_array().unwrap().len(), 1, "{b}: only what bob may see: {r}");
        let r = api.get("/api/v2/search?q=%23greve&type=hashtags", &bob.token).await.ok();
        assert_eq!(r["hashtags"][0]["name"], "greve2026", "{b}: {r}");
        assert!(r["accounts"].as_array().unwrap().is_empty());
        let r = api.get("/api/v2/search?q=ali&type=accounts", &bob.token).await.ok();
        assert_eq!(r["accounts"][0]["id"], alice.id(), "{b}");
        let r = api.get("/api/v1/accounts/search?q=ali", &bob.token).await.ok();
        assert_eq!(r[0]["acct"], "alice", "{b}");
        let bad = api.get("/api/v2/search?q=x&type=nonsense", &bob.token).await;
        assert_eq!(bad.status, 400, "{b}");
    }
}

#[tokio::test]
async fn tokens_without_the_read_scope_are_refused_and_the_instance_counts() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let writer = api.user_with_scopes("writer", "write").await;
        let s = api.status(&alice, "hello").await;
        let id = s["id"].as_str().unwrap();
        for path in [
            format!("/api/v1/statuses/{id}"),
            format!("/api/v1/statuses/{id}/context"),
            format!("/api/v1/statuses/{id}/history"),
            format!("/api/v1/accounts/{}/statuses", alice.id()),
            format!("/api/v1/accounts/{}/followers", alice.id()),
            "/api/v1/timelines/public".to_string(),
            "/api/v2/search?q=hello".to_string(),
        ] {
            assert_eq!(api.get(&path, &writer.token).await.status, 403, "{b}: {path} with a write-only token");
            let anonymous = api.call(Method::GET, &path, None, None).await;
            assert_ne!(anonymous.status, 403, "{b}: {path} is public");
        }
        let v1 = api.call(Method::GET, "/api/v1/instance", None, None).await.ok();
        assert_eq!(v1["stats"]["status_count"], 1, "{b}: {v1}");
    }
}
