//! Contract tests of media attachments and polls: uploads (`/api/v1/media`, `/api/v2/media`),
//! the served files, statuses with `media_ids` and `poll`, `/api/v1/polls`, and the Note a
//! status federates as (`Document` attachments, `Question`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use coopol_api::media::store::LocalDiskStore;
use coopol_api::media::{Media, MediaLimits};
use serde_json::{json, Value};

/// Keys of Mastodon's MediaAttachment entity.
const MEDIA_KEYS: &[&str] = &["id", "type", "url", "preview_url", "remote_url", "meta", "description", "blurhash"];
/// Keys of Mastodon's Poll entity.
const POLL_KEYS: &[&str] = &[
    "id",
    "expires_at",
    "expired",
    "multiple",
    "votes_count",
    "voters_count",
    "options",
    "emojis",
    "voted",
    "own_votes",
];

/// Instances whose router also has the media routes, over a fresh directory; `limits` small
/// enough for tests to pass them.
async fn media_apis(limits: MediaLimits) -> Vec<Api> {
    let mut out = Vec::new();
    for mut api in apis().await {
        let dir = std::env::temp_dir().join(format!("coopol-media-test-{}", coopol_core::new_id()));
        let store = LocalDiskStore::new(&dir, &api.fed.config.base_url()).unwrap();
        let media = Media { store: Arc::new(store), limits };
        api.router = coopol_api::router(api.fed.clone())
            .merge(coopol_api::media_router(api.fed.clone(), media.clone()))
            .layer(axum::Extension(media));
        out.push(api);
    }
    out
}

/// A PNG of noise (so that it does not compress to nothing).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut seed: u32 = 0x1234_5678;
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [a, b, c, _] = seed.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

const PDF: &[u8] =
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// Sends a multipart upload, as Mastodon.py does: the file, then optional text fields.
async fn upload(api: &Api, path: &str, token: Option<&str>, file: &[u8], fields: &[(&str, &str)]) -> Answer {
    let boundary = "coopolboundary7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n");
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, "localhost:1")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    api.send(req.body(Body::from(body)).unwrap()).await
}

/// The path of a URL this instance serves.
fn local_path(url: &Value) -> String {
    url.as_str().unwrap().strip_prefix("http://localhost:1").unwrap().to_string()
}

#[tokio::test]
async fn an_image_upload_is_sniffed_thumbnailed_and_served_safely() {
    for api in media_apis(MediaLimits::default()).await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let m = upload(
            &api,
            "/api/v2/media",
            Some(&alice.token),
            &png(1200, 600),
            &[("description", "a banner"), ("focus", "0.5,-0.5")],
        )
        .await
        .ok();
        assert_keys(&m, MEDIA_KEYS, b);
        assert_eq!(m["type"], "image", "{b}");
        assert_eq!(m["description"], "a banner");
        assert_eq!(m["meta"]["original"], json!({"width": 1200, "height": 600, "size": "1200x600", "aspect": 2.0}));
        assert_eq!(m["meta"]["small"]["width"], 640);
        assert_eq!(m["meta"]["small"]["height"], 320);
        assert_eq!(m["meta"]["focus"], json!({"x": 0.5, "y": -0.5}));
        assert!(m["blurhash"].as_str().unwrap().len() >= 6);
        assert!(m["remote_url"].is_null());

        let file = api.get(&local_path(&m["url"]), &alice.token).await.expect(StatusCode::OK);
        assert_eq!(file.header("content-type").as_deref(), Some("image/png"));
        assert_eq!(file.header("x-content-type-options").as_deref(), Some("nosniff"));
        let thumb = api.get(&local_path(&m["preview_url"]), &alice.token).await.expect(StatusCode::OK);
        assert_eq!(thumb.header("content-type").as_deref(), Some("image/jpeg"));
        assert_eq!(api.get("/media/../../etc/passwd", &alice.token).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.get("/media/1/original.png", &alice.token).await.status, StatusCode::NOT_FOUND);

        // Shown to its owner only, and editable by them.
        let id = m["id"].as_str().unwrap();
        assert_eq!(api.get(&format!("/api/v1/media/{id}"), &alice.token).await.ok()["id"], id);
        let bob = api.user("bob").await;
        assert_eq!(api.get(&format!("/api/v1/media/{id}"), &bob.token).await.status, StatusCode::NOT_FOUND);
        let put = |token: String, body: Value| {
            let api = api.clone();
            let path = format!("/api/v1/media/{id}");
            async move { api.call(Method::PUT, &path, Some(&token), Some(body)).await }
        };
        let edited = put(alice.token.clone(), json!({"description": "new words", "focus": "-1,1"})).await.ok();
        assert_eq!(edited["description"], "new words");
        assert_eq!(edited["meta"]["focus"], json!({"x": -1.0, "y": 1.0}));
        assert_eq!(put(alice.token.clone(), json!({"focus": "3,0"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            put(alice.token.clone(), json!({"description": "x".repeat(1501)})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(put(bob.token.clone(), json!({"description": "mine now"})).await.status, StatusCode::NOT_FOUND);

        // The legacy route answers the same way.
        let legacy = upload(&api, "/api/v1/media", Some(&alice.token), &png(10, 10), &[]).await.ok();
        assert_eq!(legacy["type"], "image");
    }
}

#[tokio::test]
async fn dangerous_unknown_and_oversized_files_are_refused() {
    let limits = MediaLimits { image: 4096, video: 8192 };
    for api in media_apis(limits).await {
        let alice = api.user("alice").await;
        let tok = Some(alice.token.as_str());
        for bad in [
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec(),
            br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            b"just some text".to_vec(),
        ] {
            let a = upload(&api, "/api/v2/media", tok, &bad, &[]).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {}", api.backend, a.text);
            assert!(a.json["error"].as_str().unwrap().contains("not supported"), "{}", a.text);
        }
        // A PDF is a document: type `unknown`, no preview.
        let pdf = upload(&api, "/api/v2/media", tok, PDF, &[]).await.ok();
        assert_eq!(pdf["type"], "unknown");
        assert!(pdf["preview_url"].is_null());
        let served = api.get(&local_path(&pdf["url"]), &alice.token).await.expect(StatusCode::OK);
        assert_eq!(served.header("content-type").as_deref(), Some("application/pdf"));
        // Over the image limit: 413, and nothing stored.
        let big = upload(&api, "/api/v2/media", tok, &png(200, 200), &[]).await;
        assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", big.text);
        assert!(big.json["error"].is_string());
        // A PNG that is not one: its bytes say PNG, but it does not decode.
        let mut broken = png(40, 40);
        broken.truncate(60);
        assert_eq!(upload(&api, "/api/v2/media", tok, &broken, &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(upload(&api, "/api/v2/media", None, PDF, &[]).await.status, StatusCode::UNAUTHORIZED);
        let read_only = api.user_with_scopes("reader", "read").await;
        assert_eq!(upload(&api, "/api/v2/media", Some(&read_only.token), PDF, &[]).await.status, StatusCode::FORBIDDEN);
        let not_multipart = api.post("/api/v2/media", &alice.token, json!({"file": "x"})).await;
        assert_eq!(not_multipart.status, StatusCode::UNPROCESSABLE_ENTITY);
        let no_file = upload(&api, "/api/v2/media", tok, b"", &[]).await;
        assert_eq!(no_file.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn statuses_carry_their_media_and_federate_them_as_documents() {
    for api in media_apis(MediaLimits::default()).await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let tok = Some(alice.token.as_str());
        let m1 = upload(&api, "/api/v2/media", tok, &png(30, 20), &[("description", "first"), ("focus", "0.1,0.2")])
            .await
            .ok();
        let m2 = upload(&api, "/api/v2/media", tok, PDF, &[]).await.ok();
        // Media alone make a post (Mastodon.py sends media_ids[] in a form).
        let form =
            format!("status=&media_ids[]={}&media_ids[]={}", m1["id"].as_str().unwrap(), m2["id"].as_str().unwrap());
        let s = api.form(Method::POST, "/api/v1/statuses", tok, &form).await.ok();
        assert_keys(&s, STATUS_KEYS, b);
        let atts = s["media_attachments"].as_array().unwrap();
        assert_eq!(atts.len(), 2, "{b}");
        assert_eq!(atts[0]["id"], m1["id"]);
        assert_eq!(atts[1]["type"], "unknown");
        assert_keys(&atts[0], MEDIA_KEYS, b);
        let shown = api.get(&format!("/api/v1/statuses/{}", s["id"].as_str().unwrap()), &bob.token).await.ok();
        assert_eq!(shown["media_attachments"], s["media_attachments"]);

        // Already attached, someone else's, unknown, too many: refused.
        let again = api.post("/api/v1/statuses", &alice.token, json!({"status": "x", "media_ids": [m1["id"]]})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.text);
        let bobs = upload(&api, "/api/v2/media", Some(&bob.token), PDF, &[]).await.ok();
        let stolen =
            api.post("/api/v1/statuses", &alice.token, json!({"status": "x", "media_ids": [bobs["id"]]})).await;
        assert_eq!(stolen.status, StatusCode::UNPROCESSABLE_ENTITY);
        let unknown = api.post("/api/v1/statuses", &alice.token, json!({"status": "x", "media_ids": ["12345"]})).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut five = Vec::new();
        for _ in 0..5 {
            five.push(upload(&api, "/api/v2/media", tok, PDF, &[]).await.ok()["id"].clone());
        }
        let many = api.post("/api/v1/statuses", &alice.token, json!({"status": "x", "media_ids": five})).await;
        assert_eq!(many.status, StatusCode::UNPROCESSABLE_ENTITY);
        let both = api
            .post(
                "/api/v1/statuses",
                &alice.token,
                json!({"status": "x", "media_ids": [five[0]], "poll": {"options": ["a", "b"], "expires_in": 600}}),
            )
            .await;
        assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The Note that other servers receive.
        let row = coopol_db::queries::status_by_id(&api.fed.db, s["id"].as_str().unwrap().parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let note = coopol_federation::notes::note_for_status(&api.fed, &row).await.unwrap();
        assert_eq!(note["type"], "Note");
        let docs = note["attachment"].as_array().unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["type"], "Document");
        assert_eq!(docs[0]["mediaType"], "image/png");
        assert_eq!(docs[0]["url"], m1["url"]);
        assert_eq!(docs[0]["name"], "first");
        assert_eq!(docs[0]["blurhash"], m1["blurhash"]);
        assert_eq!((docs[0]["width"].as_u64(), docs[0]["height"].as_u64()), (Some(30), Some(20)));
        assert_eq!(docs[0]["focalPoint"], json!([0.1, 0.2]));
        assert_eq!(docs[1]["mediaType"], "application/pdf");

        // Deleting the status removes its attachments.
        api.call(Method::DELETE, &format!("/api/v1/statuses/{}", s["id"].as_str().unwrap()), tok, None).await.ok();
        let gone = api.get(&format!("/api/v1/media/{}", m1["id"].as_str().unwrap()), &alice.token).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        for url in [&m1["url"], &m1["preview_url"], &m2["url"]] {
            assert_eq!(api.get(&local_path(url), &alice.token).await.status, StatusCode::NOT_FOUND, "{url} removed");
        }
    }
}

#[tokio::test]
async fn polls_are_created_voted_and_counted() {
    for api in media_apis(MediaLimits::default()).await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let carol = api.user("carol").await;
        // Form encoding, as Mastodon.py sends it.
        let s = api
            .form(
                Method::POST,
                "/api/v1/statuses",
                Some(&alice.token),
                "status=Which+day%3F&poll[options][]=Saturday&poll[options][]=Sunday&poll[expires_in]=3600&poll[multiple]=0",
            )
            .await
            .ok();
        let poll = &s["poll"];
        assert_keys(poll, POLL_KEYS, b);
        assert_eq!(
            poll["options"],
            json!([{"title": "Saturday", "votes_count": 0}, {"title": "Sunday", "votes_count": 0}])
        );
        assert_eq!(poll["multiple"], false);
        assert_eq!(poll["expired"], false);
        assert_eq!(poll["voted"], false);
        assert!(poll["expires_at"].as_str().unwrap().ends_with('Z'));
        let id = poll["id"].as_str().unwrap().to_string();
        let votes = format!("/api/v1/polls/{id}/votes");

        let voted = api.form(Method::POST, &votes, Some(&bob.token), "choices[]=1").await.ok();
        assert_eq!(voted["voted"], true, "{b}");
        assert_eq!(voted["own_votes"], json!([1]));
        assert_eq!(voted["votes_count"], 1);
        assert_eq!(voted["voters_count"], 1);
        assert_eq!(voted["options"][1]["votes_count"], 1);
        // Once per voter; one choice in a single-choice poll; a real option; not one's own poll.
        assert_eq!(
            api.post(&votes, &bob.token, json!({"choices": ["0"]})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            api.post(&votes, &carol.token, json!({"choices": ["0", "1"]})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            api.post(&votes, &carol.token, json!({"choices": ["7"]})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            api.post(&votes, &carol.token, json!({"choices": []})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            api.post(&votes, &alice.token, json!({"choices": ["0"]})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        api.post(&votes, &carol.token, json!({"choices": [0]})).await.ok();
        let seen = api.get(&format!("/api/v1/polls/{id}"), &alice.token).await.ok();
        assert_eq!(seen["votes_count"], 2);
        assert_eq!(seen["voted"], false);
        assert_eq!(seen["options"][0]["votes_count"], 1);
        let anon = api.call(Method::GET, &format!("/api/v1/polls/{id}"), None, None).await.ok();
        assert!(anon["voted"].is_null() && anon["own_votes"].is_null());
        assert_eq!(api.get("/api/v1/polls/999", &alice.token).await.status, StatusCode::NOT_FOUND);

        // A local vote on a local poll updates the Question for other servers.
        let row = coopol_db::queries::status_by_id(&api.fed.db, s["id"].as_str().unwrap().parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let q = coopol_federation::notes::note_for_status(&api.fed, &row).await.unwrap();
        assert_eq!(q["type"], "Question");
        assert_eq!(q["oneOf"][0]["name"], "Saturday");
        assert_eq!(q["oneOf"][0]["replies"]["totalItems"], 1);
        assert_eq!(q["oneOf"][1]["replies"]["totalItems"], 1);
        assert_eq!(q["votersCount"], 2);
        assert!(q["endTime"].is_string());

        // JSON, multiple choice, hidden totals.
        let m = api
            .post(
                "/api/v1/statuses",
                &alice.token,
                json!({"status": "Topics?", "poll": {"options": ["a", "b", "c"], "expires_in": 600, "multiple": true, "hide_totals": true}}),
            )
            .await
            .ok();
        let mid = m["poll"]["id"].as_str().unwrap();
        let mv = api.post(&format!("/api/v1/polls/{mid}/votes"), &bob.token, json!({"choices": ["0", "2"]})).await.ok();
        assert_eq!(mv["own_votes"], json!([0, 2]));
        assert!(mv["votes_count"].is_null(), "totals hidden until the end: {mv}");
        let own = api.get(&format!("/api/v1/polls/{mid}"), &alice.token).await.ok();
        assert_eq!(own["votes_count"], 2);
        assert_eq!(own["voters_count"], 1);
        let q = coopol_federation::notes::note_for_status(
            &api.fed,
            &coopol_db::queries::status_by_id(&api.fed.db, m["id"].as_str().unwrap().parse().unwrap())
                .await
                .unwrap()
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(q["anyOf"].as_array().unwrap().len(), 3);

        // Bad polls.
        for bad in [
            json!({"status": "x", "poll": {"options": ["only"], "expires_in": 600}}),
            json!({"status": "x", "poll": {"options": ["a", "b"], "expires_in": 5}}),
            json!({"status": "x", "poll": {"options": ["a", "b"]}}),
            json!({"status": "x", "poll": {"options": ["a", "x".repeat(51)], "expires_in": 600}}),
        ] {
            assert_eq!(api.post("/api/v1/statuses", &alice.token, bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
}

#[tokio::test]
async fn the_instance_announces_the_limits_in_force() {
    for api in media_apis(MediaLimits { image: 1_000_000, video: 2_000_000 }).await {
        let alice = api.user("alice").await;
        for path in ["/api/v1/instance", "/api/v2/instance"] {
            let i = api.get(path, &alice.token).await.ok();
            let m = &i["configuration"]["media_attachments"];
            assert_eq!(m["image_size_limit"], 1_000_000, "{path}");
            assert_eq!(m["video_size_limit"], 2_000_000);
            assert!(m["supported_mime_types"].as_array().unwrap().contains(&json!("application/pdf")));
            assert_eq!(i["configuration"]["polls"]["max_options"], 4);
            assert_eq!(i["configuration"]["statuses"]["max_media_attachments"], 4);
        }
    }
}

/// A remote actor known to the instance (as if its document had been fetched).
async fn remote_account(api: &Api, name: &str) -> coopol_db::entities::accounts::Model {
    use coopol_db::entities::accounts;
    use sea_orm::{ActiveModelTrait, Set};
    let uri = format!("http://remote.test:9/users/{name}");
    let now = coopol_db::now();
    accounts::ActiveModel {
        id: Set(coopol_core::new_id()),
        username: Set(name.into()),
        domain: Set(Some("remote.test:9".into())),
        display_name: Set(name.into()),
        note: Set(String::new()),
        uri: Set(uri.clone()),
        url: Set(uri.clone()),
        actor_type: Set("Person".into()),
        inbox_url: Set(format!("{uri}/inbox")),
        shared_inbox_url: Set(None),
        outbox_url: Set(None),
        followers_url: Set(Some(format!("{uri}/followers"))),
        following_url: Set(None),
        public_key_id: Set(format!("{uri}#main-key")),
        public_key_pem: Set(String::new()),
        private_key_pem: Set(None),
        locked: Set(false),
        bot: Set(false),
        suspended: Set(false),
        moved_to_uri: Set(None),
        also_known_as: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        fetched_at: Set(None),
    }
    .insert(&api.fed.db)
    .await
    .unwrap()
}

/// The intents waiting in the outbox (no worker runs in these tests).
async fn intents(api: &Api) -> Vec<coopol_core::Intent> {
    use sea_orm::EntityTrait;
    coopol_db::entities::outbox::Entity::find()
        .all(&api.fed.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| serde_json::from_str(&r.intent).unwrap())
        .collect()
}

fn vote_note(id: &str, voter: &str, question: &str, name: &str) -> Value {
    json!({"type": "Create", "actor": voter, "id": format!("{id}/activity"),
        "object": {"id": id, "type": "Note", "name": name, "attributedTo": voter, "inReplyTo": question, "to": []}})
}

#[tokio::test]
async fn remote_questions_and_votes_through_the_federation_handlers() {
    use coopol_db::entities::follows;
    use coopol_federation::activities::{create, update};
    use sea_orm::{ActiveModelTrait, Set};
    for api in media_apis(MediaLimits::default()).await {
        let b = api.backend;
        let fed = &api.fed;
        let alice = api.user("alice").await;
        let rita = remote_account(&api, "rita").await;
        follows::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(alice.account.id),
            target_account_id: Set(rita.id),
            uri: Set(format!("{}#follows/1", alice.account.uri)),
            state: Set("accepted".into()),
            created_at: Set(coopol_db::now()),
            notify: Set(false),
            show_reblogs: Set(true),
        }
        .insert(&fed.db)
        .await
        .unwrap();

        // A remote Question with an image and a hostile attachment arrives.
        let qid = "http://remote.test:9/users/rita/statuses/1";
        let end = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let question = json!({"id": qid, "type": "Question", "attributedTo": rita.uri, "content": "<p>Which day?</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [rita.followers_url],
            "endTime": end, "votersCount": 4,
            "oneOf": [{"type": "Note", "name": "Sat", "replies": {"type": "Collection", "totalItems": 3}},
                      {"type": "Note", "name": "Sun", "replies": {"type": "Collection", "totalItems": 1}}],
            "attachment": [{"type": "Document", "mediaType": "image/jpeg", "url": "http://remote.test:9/m/1.jpg",
                            "name": "poster", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "width": 800, "height": 600},
                           {"type": "Document", "mediaType": "text/html", "url": "javascript:alert(1)"}]});
        let create_q =
            json!({"type": "Create", "actor": rita.uri, "id": format!("{qid}/activity"), "object": question});
        create::receive(fed, &create_q, &rita).await.unwrap();
        let row = coopol_db::queries::status_by_uri(&fed.db, qid).await.unwrap().expect("the Question is stored");
        let s = api.get(&format!("/api/v1/statuses/{}", row.id), &alice.token).await.ok();
        let [att] = s["media_attachments"].as_array().unwrap().as_slice() else { panic!("{b}: {s}") };
        assert_eq!(att["type"], "image");
        assert_eq!(att["remote_url"], "http://remote.test:9/m/1.jpg");
        assert_eq!(att["description"], "poster");
        assert_eq!(att["meta"]["original"]["width"], 800);
        let poll = &s["poll"];
        assert_eq!(poll["options"], json!([{"title": "Sat", "votes_count": 3}, {"title": "Sun", "votes_count": 1}]));
        assert_eq!(poll["voters_count"], 4);

        // alice votes: the vote goes to rita's server as Create(Note) with the option's name.
        let pid = poll["id"].as_str().unwrap();
        let v = api.post(&format!("/api/v1/polls/{pid}/votes"), &alice.token, json!({"choices": ["1"]})).await.ok();
        assert_eq!(v["own_votes"], json!([1]));
        let vote_intent = intents(&api)
            .await
            .into_iter()
            .find(|i| matches!(i, coopol_core::Intent::PollVote { .. }))
            .expect("a PollVote intent");
        let out = coopol_federation::outbox::build(fed, &vote_intent).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Create");
        assert_eq!(out.activity["object"]["name"], "Sun");
        assert_eq!(out.activity["object"]["inReplyTo"], qid);
        assert_eq!(out.activity["object"]["attributedTo"], alice.account.uri);
        assert_eq!(out.inboxes, vec![rita.inbox_url.clone()]);

        // rita's server announces new counts.
        let mut updated = question.clone();
        updated["oneOf"][1]["replies"]["totalItems"] = json!(2);
        updated["votersCount"] = json!(5);
        let upd = json!({"type": "Update", "actor": rita.uri, "id": format!("{qid}#updates/1"), "object": updated});
        update::receive(fed, &upd, &rita).await.unwrap();
        let p = api.get(&format!("/api/v1/polls/{pid}"), &alice.token).await.ok();
        assert_eq!(p["options"][1]["votes_count"], 2, "{b}");
        assert_eq!(p["voters_count"], 5);

        // rita votes in alice's poll: counted once, whatever she repeats.
        let mine = api
            .post(
                "/api/v1/statuses",
                &alice.token,
                json!({"status": "Where?", "poll": {"options": ["here", "there"], "expires_in": 600}}),
            )
            .await
            .ok();
        let my_q = mine["uri"].as_str().unwrap();
        let my_pid = mine["poll"]["id"].as_str().unwrap();
        let vote_id = "http://remote.test:9/users/rita#votes/1";
        create::receive(fed, &vote_note(vote_id, &rita.uri, my_q, "there"), &rita).await.unwrap();
        create::receive(fed, &vote_note(vote_id, &rita.uri, my_q, "there"), &rita).await.unwrap();
        create::receive(fed, &vote_note("http://remote.test:9/users/rita#votes/2", &rita.uri, my_q, "here"), &rita)
            .await
            .unwrap();
        create::receive(fed, &vote_note("http://remote.test:9/users/rita#votes/3", &rita.uri, my_q, "nowhere"), &rita)
            .await
            .unwrap();
        // A vote whose id is on another server is refused.
        assert!(create::receive(fed, &vote_note("http://elsewhere.test/v/1", &rita.uri, my_q, "here"), &rita)
            .await
            .is_err());
        let counted = api.get(&format!("/api/v1/polls/{my_pid}"), &alice.token).await.ok();
        assert_eq!(
            counted["options"],
            json!([{"title": "here", "votes_count": 0}, {"title": "there", "votes_count": 1}])
        );
        assert_eq!(counted["voters_count"], 1);
        // The vote is not a post.
        assert!(coopol_db::queries::status_by_uri(&fed.db, vote_id).await.unwrap().is_none());
        // alice's server sends the new counts, to rita too although she does not follow alice.
        let update_intent = intents(&api)
            .await
            .into_iter()
            .find(|i| matches!(i, coopol_core::Intent::UpdateStatus { status_id } if status_id.to_string() == mine["id"].as_str().unwrap()))
            .expect("an UpdateStatus intent");
        let out = coopol_federation::outbox::build(fed, &update_intent).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Update");
        assert_eq!(out.activity["object"]["type"], "Question");
        assert_eq!(out.activity["object"]["oneOf"][1]["replies"]["totalItems"], 1);
        assert_eq!(out.inboxes, vec![rita.inbox_url.clone()]);
    }
}

#[tokio::test]
async fn the_end_of_a_poll_notifies_its_voters_and_author_once() {
    use coopol_db::entities::polls;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    for api in media_apis(MediaLimits::default()).await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let carol = api.user("carol").await;
        let s = api
            .post(
                "/api/v1/statuses",
                &alice.token,
                json!({"status": "When?", "poll": {"options": ["now", "later"], "expires_in": 300}}),
            )
            .await
            .ok();
        let poll_id: i64 = s["poll"]["id"].as_str().unwrap().parse().unwrap();
        api.post(&format!("/api/v1/polls/{poll_id}/votes"), &bob.token, json!({"choices": ["0"]})).await.ok();

        // Not ended yet: nothing to announce.
        assert_eq!(coopol_federation::polls::announce_ended_polls(&api.fed).await.unwrap(), 0, "{b}");
        // Time passes: the poll ends.
        let mut p: polls::ActiveModel =
            polls::Entity::find_by_id(poll_id).one(&api.fed.db).await.unwrap().unwrap().into();
        p.expires_at = Set(Some(coopol_db::now() - chrono::Duration::seconds(1)));
        p.update(&api.fed.db).await.unwrap();
        assert_eq!(coopol_federation::polls::announce_ended_polls(&api.fed).await.unwrap(), 1, "{b}");
        assert_eq!(coopol_federation::polls::announce_ended_polls(&api.fed).await.unwrap(), 0, "{b}: once");

        for (who, expected) in [(&alice, 1), (&bob, 1), (&carol, 0)] {
            let got = api.get("/api/v1/notifications?types[]=poll", &who.token).await.ok();
            let got = got.as_array().unwrap();
            assert_eq!(got.len(), expected, "{b}: {} {got:?}", who.account.username);
            if let Some(n) = got.first() {
                assert_eq!(n["status"]["id"], s["id"], "{b}");
                assert_eq!(n["status"]["poll"]["expired"], true, "{b}");
            }
        }
    }
}
