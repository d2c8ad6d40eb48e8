//! Contract tests of avatars and headers (`update_credentials` with image parts,
//! `DELETE /api/v1/profile/avatar|header`, the actor's `icon`/`image`) and of `only_media`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use coopol_api::media::store::LocalDiskStore;
use coopol_api::media::{Media, MediaLimits};
use serde_json::Value;

async fn media_apis() -> Vec<Api> {
    let mut out = Vec::new();
    for mut api in apis().await {
        let dir = std::env::temp_dir().join(format!("coopol-profile-test-{}", coopol_core::new_id()));
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
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A multipart `PATCH /api/v1/accounts/update_credentials`, as Mastodon.py sends it.
async fn update(api: &Api, token: &str, files: &[(&str, &[u8])], fields: &[(&str, &str)]) -> Answer {
    let boundary = "coopolprofileboundary42";
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
        .uri("/api/v1/accounts/update_credentials")
        .header(header::HOST, "localhost:1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    api.send(req.body(Body::from(body)).unwrap()).await
}

fn local_path(url: &Value) -> String {
    url.as_str().unwrap().strip_prefix("http://localhost:1").unwrap().to_string()
}

#[tokio::test]
async fn avatars_and_headers_are_stored_shown_replaced_and_removed() {
    for api in media_apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let before = api.get("/api/v1/accounts/verify_credentials", &alice.token).await.ok();
        let missing = before["avatar"].clone();
        assert!(missing.as_str().unwrap().ends_with("/static/missing.png"), "{b}: {missing}");

        let me = update(
            &api,
            &alice.token,
            &[("avatar", &png(800, 600)), ("header", &png(2000, 2000))],
            &[("display_name", "Alice A.")],
        )
        .await
        .ok();
        assert_eq!(me["display_name"], "Alice A.", "{b}");
        let avatar = me["avatar"].clone();
        assert_ne!(avatar, missing, "{b}");
        assert_eq!(me["avatar_static"], avatar, "{b}");
        assert_ne!(me["header"], missing, "{b}");
        // Served, with the type of the re-encoded file, and cropped to Mastodon's sizes.
        let file = api.get(&local_path(&avatar), &alice.token).await.expect(StatusCode::OK);
        assert_eq!(file.header("content-type").as_deref(), Some("image/jpeg"), "{b}");
        assert_eq!(api.get(&local_path(&me["header"]), &alice.token).await.status, StatusCode::OK, "{b}");
        // Others see it on the account too.
        let bob = api.user("bob").await;
        let seen = api.get(&format!("/api/v1/accounts/{}", alice.id()), &bob.token).await.ok();
        assert_eq!(seen["avatar"], avatar, "{b}");
        assert_eq!(seen["header"], me["header"], "{b}");
        // The actor document carries them as `icon` and `image`.
        let doc = coopol_federation::actors::local_actor_doc(&api.fed, &alice.account).await.unwrap();
        assert_eq!(doc["icon"]["type"], "Image", "{b}");
        assert_eq!(doc["icon"]["mediaType"], "image/jpeg", "{b}");
        assert_eq!(doc["icon"]["url"], avatar, "{b}");
        assert_eq!(doc["image"]["url"], me["header"], "{b}");

        // A new avatar takes a new URL; the old file is gone.
        let me2 = update(&api, &alice.token, &[("avatar", &png(40, 40))], &[]).await.ok();
        assert_ne!(me2["avatar"], avatar, "{b}");
        assert_eq!(me2["header"], me["header"], "{b}");
        assert_eq!(api.get(&local_path(&avatar), &alice.token).await.status, StatusCode::NOT_FOUND, "{b}");
        assert_eq!(api.get(&local_path(&me2["avatar"]), &alice.token).await.status, StatusCode::OK, "{b}");

        // A non-image is refused, and the whole update with it.
        let refused =
            update(&api, &alice.token, &[("avatar", b"%PDF-1.4 not an image")], &[("display_name", "X")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {}", refused.text);
        assert!(refused.json["error"].is_string(), "{b}");
        let still = api.get("/api/v1/accounts/verify_credentials", &alice.token).await.ok();
        assert_eq!(still["display_name"], "Alice A.", "{b}");
        assert_eq!(still["avatar"], me2["avatar"], "{b}");
        // Bytes that claim PNG but do not decode are refused too.
        let mut broken = png(20, 20);
        broken.truncate(60);
        let refused = update(&api, &alice.token, &[("header", &broken)], &[]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {}", refused.text);

        // DELETE /api/v1/profile/avatar and /header: back to the default, files removed.
        let after = api.call(Method::DELETE, "/api/v1/profile/avatar", Some(&alice.token), None).await.ok();
        assert_eq!(after["avatar"], missing, "{b}");
        assert_eq!(after["header"], me["header"], "{b}");
        assert_eq!(api.get(&local_path(&me2["avatar"]), &alice.token).await.status, StatusCode::NOT_FOUND, "{b}");
        let after = api.call(Method::DELETE, "/api/v1/profile/header", Some(&alice.token), None).await.ok();
        assert_eq!(after["header"], missing, "{b}");
        // Deleting what is not there is fine (Mastodon answers 200 too).
        api.call(Method::DELETE, "/api/v1/profile/header", Some(&alice.token), None).await.ok();
        let doc = coopol_federation::actors::local_actor_doc(&api.fed, &alice.account).await.unwrap();
        assert!(doc.get("icon").is_none() && doc.get("image").is_none(), "{b}: {doc}");
        // Without a token: 401.
        let anon = api.call(Method::DELETE, "/api/v1/profile/avatar", None, None).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{b}");
    }
}

#[tokio::test]
async fn only_media_keeps_statuses_with_attachments() {
    for api in media_apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let plain = api.status(&alice, "just words #coop").await;
        let boundary = "coopolmediaboundary9";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&png(30, 30));
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v2/media")
            .header(header::HOST, "localhost:1")
            .header(header::AUTHORIZATION, format!("Bearer {}", alice.token))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
        let m = api.send(req.body(Body::from(body)).unwrap()).await.ok();
        let with_media = api
            .form(
                Method::POST,
                "/api/v1/statuses",
                Some(&alice.token),
                &format!("status=a+picture+%23coop&media_ids[]={}", m["id"].as_str().unwrap()),
            )
            .await
            .ok();
        let ids = |v: Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
        };
        let all = api.get(&format!("/api/v1/accounts/{}/statuses", alice.id()), &alice.token).await.ok();
        assert_eq!(ids(all).len(), 2, "{b}");
        let only = api.get(&format!("/api/v1/accounts/{}/statuses?only_media=true", alice.id()), &alice.token).await;
        assert_eq!(ids(only.json.clone()), vec![with_media["id"].as_str().unwrap().to_string()], "{b}");
        let tag = api.get("/api/v1/timelines/tag/coop", &alice.token).await.ok();
        assert_eq!(ids(tag).len(), 2, "{b}");
        let tag = api.get("/api/v1/timelines/tag/coop?only_media=true", &alice.token).await;
        assert!(tag.header("link").unwrap().contains("only_media=true&max_id="), "{b}: the next page keeps the filter");
        assert_eq!(ids(tag.json), vec![with_media["id"].as_str().unwrap().to_string()], "{b}");
        let only = api.get(&format!("/api/v1/accounts/{}/statuses?only_media=true", alice.id()), &alice.token).await;
        assert!(only.header("link").unwrap().contains("only_media=true"), "{b}");
        assert_ne!(plain["id"], with_media["id"]);
    }
}
