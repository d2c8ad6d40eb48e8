//! Contract tests of a group's profile: `PATCH /api/v1/coopol/groups/:id` (name, description,
//! rules, avatar and header) and `DELETE /api/v1/coopol/groups/:id/avatar|header`, by the
//! group's admins only; the group actor's `icon`, `image`, `summary` and `rules`, and the
//! `Update` its followers' servers get.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use coopol_api::media::store::LocalDiskStore;
use coopol_api::media::{Media, MediaLimits};
use coopol_core::Intent;
use coopol_db::entities::outbox;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

const GROUPS: &str = "/api/v1/coopol/groups";

async fn media_apis() -> Vec<Api> {
    let mut out = Vec::new();
    for mut api in apis().await {
        let dir = std::env::temp_dir().join(format!("coopol-group-profile-test-{}", coopol_core::new_id()));
        let store = LocalDiskStore::new(&dir, &api.fed.config.base_url()).unwrap();
        let media = Media { store: Arc::new(store), limits: MediaLimits::default() };
        api.router = coopol_api::router(api.fed.clone())
            .merge(coopol_api::media_router(api.fed.clone(), media.clone()))
            .layer(axum::Extension(media));
        out.push(api);
    }
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A multipart `PATCH` of the group, as an app sends it.
async fn patch(api: &Api, token: &str, id: &str, files: &[(&str, &[u8])], fields: &[(&str, &str)]) -> Answer {
    let boundary = "coopolgroupboundary7";
    let mut body: Vec<u8> = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.png\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::PATCH)
        .uri(format!("{GROUPS}/{id}"))
        .header(header::HOST, "localhost:1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    api.send(req.body(Body::from(body)).unwrap()).await
}

fn local_path(url: &Value) -> String {
    url.as_str().unwrap().strip_prefix("http://localhost:1").unwrap().to_string()
}

/// How many `Update` intents of the group wait in the outbox; each one builds an `Update` of
/// the `Group` actor, sent by the group.
async fn updates_queued(api: &Api, group_id: i64) -> usize {
    let mut n = 0;
    for row in outbox::Entity::find().all(&api.fed.db).await.unwrap() {
        let intent: Intent = serde_json::from_str(&row.intent).unwrap();
        if intent != (Intent::UpdateAccount { account_id: group_id }) {
            continue;
        }
        let out = coopol_federation::outbox::build(&api.fed, &intent).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Update");
        assert_eq!(out.activity["object"]["type"], "Group");
        assert_eq!(out.sender_account_id, group_id);
        n += 1;
    }
    n
}

#[tokio::test]
async fn a_group_admin_sets_the_avatar_header_description_and_rules() {
    for api in media_apis().await {
        let b = api.backend;
        let (mia, nina) = (api.user("mia").await, api.user("nina").await);
        let g = api.post(GROUPS, &mia.token, json!({ "name": "greens", "description": "ecology" })).await.ok();
        let id = g["id"].as_str().unwrap().to_string();
        let group_id: i64 = id.parse().unwrap();
        let missing = g["account"]["avatar"].clone();
        api.post(&format!("/api/v1/accounts/{id}/follow"), &nina.token, json!({})).await.ok();

        // A member who is not an admin may change nothing.
        let refused = patch(&api, &nina.token, &id, &[("avatar", &png(50, 50))], &[("rules", "mine")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{b}: {}", refused.text);
        assert!(refused.json["error"].is_string(), "{b}");
        let refused = api.call(Method::DELETE, &format!("{GROUPS}/{id}/avatar"), Some(&nina.token), None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{b}");
        assert_eq!(updates_queued(&api, group_id).await, 0, "{b}: nothing sent for a refused change");

        let before = updates_queued(&api, group_id).await;
        let done = patch(
            &api,
            &mia.token,
            &id,
            &[("avatar", &png(900, 700)), ("header", &png(2000, 1000))],
            &[("display_name", "The Greens"), ("description", "ecology & co"), ("rules", "be kind\nno ads")],
        )
        .await
        .ok();
        assert_eq!(done["account"]["display_name"], "The Greens", "{b}");
        assert_eq!(done["rules"], "be kind\nno ads", "{b}");
        let avatar = done["account"]["avatar"].clone();
        assert_ne!(avatar, missing, "{b}");
        assert_ne!(done["account"]["header"], missing, "{b}");
        // Served, cropped to 400×400.
        let file = api.get(&local_path(&avatar), &mia.token).await.expect(StatusCode::OK);
        assert_eq!(file.header("content-type").as_deref(), Some("image/jpeg"), "{b}");
        // Everyone sees the new profile.
        let seen = api.get(&format!("/api/v1/accounts/{id}"), &nina.token).await.ok();
        assert_eq!(seen["avatar"], avatar, "{b}");
        assert!(seen["note"].as_str().unwrap().contains("ecology &amp; co"), "{b}: {}", seen["note"]);
        // The actor document carries the images, and the rules after the description.
        let group = coopol_db::queries::account_by_id(&api.fed.db, group_id).await.unwrap().unwrap();
        let doc = coopol_federation::actors::local_actor_doc(&api.fed, &group).await.unwrap();
        assert_eq!(doc["type"], "Group", "{b}");
        assert_eq!(doc["icon"]["url"], avatar, "{b}");
        assert_eq!(doc["image"]["url"], done["account"]["header"], "{b}");
        assert_eq!(doc["name"], "The Greens", "{b}");
        assert_eq!(doc["summary"], "<p>ecology &amp; co</p><hr><p>be kind</p><p>no ads</p>", "{b}");
        assert_eq!(doc["rules"], "be kind\nno ads", "{b}");
        // Followers' servers are told: an Update of the group actor is queued.
        assert!(updates_queued(&api, group_id).await > before, "{b}: Update(Group) queued");

        // A refused image refuses the whole change.
        let bad = patch(&api, &mia.token, &id, &[("header", b"%PDF-1.4 no")], &[("display_name", "X")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {}", bad.text);
        let still = api.get(&format!("{GROUPS}/{id}"), &mia.token).await.ok();
        assert_eq!(still["account"]["display_name"], "The Greens", "{b}");
        // Too long rules are refused with a message.
        let long = "r".repeat(coopol_core::group::MAX_RULES + 1);
        let path = format!("{GROUPS}/{id}");
        let bad = api.call(Method::PATCH, &path, Some(&mia.token), Some(json!({ "rules": long }))).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(bad.json["error"].is_string(), "{b}");

        // JSON works as well as multipart.
        let j = api.call(Method::PATCH, &path, Some(&mia.token), Some(json!({ "rules": "" }))).await;
        assert_eq!(j.ok()["rules"], "", "{b}");
        let doc = coopol_federation::actors::local_actor_doc(&api.fed, &group).await.unwrap();
        assert!(doc.get("rules").is_none(), "{b}: no rules, no rules field");

        // Removing the avatar: the default again, the file gone, the actor without icon.
        let queued = updates_queued(&api, group_id).await;
        let after = api.call(Method::DELETE, &format!("{GROUPS}/{id}/avatar"), Some(&mia.token), None).await.ok();
        assert_eq!(after["account"]["avatar"], missing, "{b}");
        assert_ne!(after["account"]["header"], missing, "{b}");
        assert_eq!(api.get(&local_path(&avatar), &mia.token).await.status, StatusCode::NOT_FOUND, "{b}");
        let doc = coopol_federation::actors::local_actor_doc(&api.fed, &group).await.unwrap();
        assert!(doc.get("icon").is_none(), "{b}");
        assert!(doc.get("image").is_some(), "{b}");
        assert!(updates_queued(&api, group_id).await > queued, "{b}: the removal is sent too");
        // Another instance's group or an unknown id is not found.
        let unknown = api.call(Method::PATCH, &format!("{GROUPS}/12345"), Some(&mia.token), Some(json!({}))).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{b}");
    }
}
