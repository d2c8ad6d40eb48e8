//! Contract tests of accounts and relationships: profile updates, followers and following,
//! follow options, mutes, locked accounts and follow requests, familiar followers, filters of
//! an account's statuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use axum::http::Method;
use common::*;
use serde_json::json;

#[tokio::test]
async fn update_credentials_changes_the_profile() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        // Mastodon.py sends a form with fields_attributes[i][name].
        let me = api
            .form(
                Method::PATCH,
                "/api/v1/accounts/update_credentials",
                Some(&alice.token),
                "display_name=Alice+A.&note=Militante+%23climat&bot=true&fields_attributes[0][name]=Site&fields_attributes[0][value]=https://a.example/",
            )
            .await
            .ok();
        assert_keys(&me, ACCOUNT_KEYS, b);
        assert_eq!(me["display_name"], "Alice A.", "{b}");
        assert_eq!(me["bot"], true);
        assert!(me["note"].as_str().unwrap().contains("<p>Militante"), "{b}: {me}");
        assert_eq!(me["source"]["note"], "Militante #climat");
        assert_eq!(me["fields"][0]["name"], "Site");
        assert!(me["fields"][0]["value"].as_str().unwrap().contains("href=\"https://a.example/\""), "{b}: {me}");
        assert_eq!(me["source"]["fields"][0]["value"], "https://a.example/");
        // JSON, as toot and masto.js send it; fields kept when not sent.
        let me = api
            .call(
                Method::PATCH,
                "/api/v1/accounts/update_credentials",
                Some(&alice.token),
                Some(json!({"locked": true})),
            )
            .await
            .ok();
        assert_eq!(me["locked"], true, "{b}");
        assert_eq!(me["fields"].as_array().unwrap().len(), 1);
        let long = "x".repeat(101);
        let refused = api
            .call(
                Method::PATCH,
                "/api/v1/accounts/update_credentials",
                Some(&alice.token),
                Some(json!({"display_name": long})),
            )
            .await;
        assert_eq!(refused.status, 422, "{b}");
        // The change is federated to followers as Update of the actor.
        let intents = coopol_db::entities::outbox::Entity::find().all(&api.fed.db).await.unwrap();
        assert!(intents.iter().any(|o| o.intent.contains("update_account")), "{b}");
        let reader = api.user_with_scopes("reader", "read").await;
        let no_scope = api
            .call(Method::PATCH, "/api/v1/accounts/update_credentials", Some(&reader.token), Some(json!({"bot": true})))
            .await;
        assert_eq!(no_scope.status, 403, "{b}");
    }
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn a_locked_account_answers_follow_requests() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let carol = api.user("carol").await;
        api.call(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&alice.token),
            Some(json!({"locked": true})),
        )
        .await
        .ok();
        let rel = api.post(&format!("/api/v1/accounts/{}/follow", alice.id()), &bob.token, json!({})).await.ok();
        assert_eq!(rel["requested"], true, "{b}: {rel}");
        assert_eq!(rel["following"], false);
        api.post(&format!("/api/v1/accounts/{}/follow", alice.id()), &carol.token, json!({})).await.ok();
        let reqs = api.get("/api/v1/follow_requests", &alice.token).await;
        assert!(reqs.header("link").is_some(), "{b}");
        let reqs = reqs.ok();
        assert_eq!(reqs.as_array().unwrap().len(), 2, "{b}: {reqs}");
        let me = api.get("/api/v1/accounts/verify_credentials", &alice.token).await.ok();
        assert_eq!(me["source"]["follow_requests_count"], 2, "{b}");
        let ok =
            api.post(&format!("/api/v1/follow_requests/{}/authorize", bob.id()), &alice.token, json!({})).await.ok();
        assert_eq!(ok["followed_by"], true, "{b}: {ok}");
        let no =
            api.post(&format!("/api/v1/follow_requests/{}/reject", carol.id()), &alice.token, json!({})).await.ok();
        assert_eq!(no["requested_by"], false, "{b}");
        let again = api.post(&format!("/api/v1/follow_requests/{}/reject", carol.id()), &alice.token, json!({})).await;
        assert_eq!(again.status, 404, "{b}: nothing left to reject");
        let rel = api.get(&format!("/api/v1/accounts/relationships?id[]={}", alice.id()), &bob.token).await.ok();
        assert_eq!(rel[0]["following"], true, "{b}");
        let rel = api.get(&format!("/api/v1/accounts/relationships?id[]={}", alice.id()), &carol.token).await.ok();
        assert_eq!(rel[0]["requested"], false, "{b}");
        let followers = api.get(&format!("/api/v1/accounts/{}/followers", alice.id()), &carol.token).await.ok();
        assert_eq!(followers.as_array().unwrap().len(), 1, "{b}");
        assert_eq!(followers[0]["id"], bob.id());
        let following = api.get(&format!("/api/v1/accounts/{}/following", bob.id()), &carol.token).await.ok();
        assert_eq!(following[0]["id"], alice.id(), "{b}");
    }
}

#[tokio::test]
async fn follow_options_mutes_and_timelines() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let carol = api.user("carol").await;
        let rel = api
            .post(
                &format!("/api/v1/accounts/{}/follow", bob.id()),
                &alice.token,
                json!({"notify": true, "reblogs": false}),
            )
            .await
            .ok();
        assert_eq!(rel["following"], true, "{b}");
        assert_eq!(rel["notifying"], true, "{b}: {rel}");
        assert_eq!(rel["showing_reblogs"], false);
        api.post(&format!("/api/v1/accounts/{}/follow", carol.id()), &alice.token, json!({})).await.ok();
        let carols = api.status(&carol, "carol speaks").await;
        let boost = api
            .post(&format!("/api/v1/statuses/{}/reblog", carols["id"].as_str().unwrap()), &bob.token, json!({}))
            .await
            .ok();
        let bobs = api.status(&bob, "bob speaks").await;
        let home = api.get("/api/v1/timelines/home", &alice.token).await.ok();
        let ids: Vec<&str> = home.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&bobs["id"].as_str().unwrap()), "{b}");
        assert!(!ids.contains(&boost["id"].as_str().unwrap()), "{b}: reblogs=false hides bob's boosts");
        // Familiar followers: carol is followed by alice, and alice follows bob who... follows nobody.
        api.post(&format!("/api/v1/accounts/{}/follow", carol.id()), &bob.token, json!({})).await.ok();
        let fam = api.get(&format!("/api/v1/accounts/familiar_followers?id[]={}", carol.id()), &alice.token).await.ok();
        assert_eq!(fam[0]["id"], carol.id(), "{b}");
        assert_eq!(fam[0]["accounts"][0]["id"], bob.id(), "{b}: {fam}");
        // Mute carol: gone from home and public timelines, listed in /mutes.
        let rel = api
            .post(&format!("/api/v1/accounts/{}/mute", carol.id()), &alice.token, json!({"notifications": false}))
            .await
            .ok();
        assert_eq!(rel["muting"], true, "{b}");
        assert_eq!(rel["muting_notifications"], false);
        for path in ["/api/v1/timelines/home", "/api/v1/timelines/public"] {
            let tl = api.get(path, &alice.token).await.ok();
            assert!(
                !tl.as_array().unwrap().iter().any(|s| s["id"] == carols["id"]),
                "{b}: {path} still shows a muted account"
            );
        }
        let mutes = api.get("/api/v1/mutes", &alice.token).await.ok();
        assert_eq!(mutes[0]["id"], carol.id(), "{b}");
        let rel = api.post(&format!("/api/v1/accounts/{}/unmute", carol.id()), &alice.token, json!({})).await.ok();
        assert_eq!(rel["muting"], false);
        let public = api.get("/api/v1/timelines/public", &alice.token).await.ok();
        assert!(public.as_array().unwrap().iter().any(|s| s["id"] == carols["id"]), "{b}");
        // Blocks are listed too.
        api.post(&format!("/api/v1/accounts/{}/block", carol.id()), &alice.token, json!({})).await.ok();
        let blocks = api.get("/api/v1/blocks", &alice.token).await.ok();
        assert_eq!(blocks[0]["id"], carol.id(), "{b}");
    }
}

#[tokio::test]
async fn account_statuses_filters() {
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let bobs = api.status(&bob, "bob's").await;
        let own = api.status(&alice, "plain #tagged").await;
        let reply = api
            .post("/api/v1/statuses", &alice.token, json!({"status": "reply", "in_reply_to_id": bobs["id"]}))
            .await
            .ok();
        let boost = api
            .post(&format!("/api/v1/statuses/{}/reblog", bobs["id"].as_str().unwrap()), &alice.token, json!({}))
            .await
            .ok();
        let get = |q: &'static str| {
            let api = api.clone();
            let path = format!("/api/v1/accounts/{}/statuses{q}", alice.id());
            let token = bob.token.clone();
            async move {
                let v = api.get(&path, &token).await.ok();
                v.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
            }
        };
        let all = get("").await;
        assert_eq!(all.len(), 3, "{b}");
        let no_replies = get("?exclude_replies=true").await;
        assert!(!no_replies.contains(&reply["id"].as_str().unwrap().to_string()), "{b}");
        let no_boosts = get("?exclude_reblogs=true").await;
        assert!(!no_boosts.contains(&boost["id"].as_str().unwrap().to_string()), "{b}");
        assert_eq!(get("?tagged=tagged").await, vec![own["id"].as_str().unwrap().to_string()], "{b}");
        assert!(get("?only_media=true").await.is_empty(), "{b}");
        let page = api
            .get(&format!("/api/v1/accounts/{}/statuses?exclude_reblogs=true&limit=1", alice.id()), &bob.token)
            .await;
        let link = page.header("link").unwrap();
        assert!(link.contains("exclude_reblogs=true"), "{b}: the next page keeps the filter: {link}");
    }
}

fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "coopolBoundary42";
    let mut body = String::new();
    for (name, filename, value) in parts {
        body.push_str(&format!("--{boundary}\r\n"));
        match filename {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n"
            )),
            None => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn update_credentials_reads_multipart_and_refuses_images_whole() {
    use axum::body::Body;
    use axum::http::{header, Request};
    for api in apis().await {
        let b = api.backend;
        let alice = api.user("alice").await;
        let send = |parts: Vec<(&'static str, Option<&'static str>, &'static str)>| {
            let (ctype, body) = multipart(&parts);
            let req = Request::builder()
                .method(Method::PATCH)
                .uri("/api/v1/accounts/update_credentials")
                .header(header::HOST, "localhost:1")
                .header(header::AUTHORIZATION, format!("Bearer {}", alice.token))
                .header(header::CONTENT_TYPE, ctype)
                .body(Body::from(body))
                .unwrap();
            let api = api.clone();
            async move { api.send(req).await }
        };
        let ok = send(vec![
            ("display_name", None, "Multi Part"),
            ("fields_attributes[0][name]", None, "Ville"),
            ("fields_attributes[0][value]", None, "Lyon"),
        ])
        .await
        .ok();
        assert_eq!(ok["display_name"], "Multi Part", "{b}");
        assert_eq!(ok["fields"][0]["value"], "Lyon", "{b}");
        let refused = send(vec![("display_name", None, "Changed"), ("avatar", Some("a.png"), "PNGDATA")]).await;
        assert_eq!(refused.status, 422, "{b}: {}", refused.text);
        assert!(refused.json["error"].as_str().unwrap().contains("avatar"), "{b}");
        let me = api.get("/api/v1/accounts/verify_credentials", &alice.token).await.ok();
        assert_eq!(me["display_name"], "Multi Part", "{b}: a refused update changes nothing");
    }
}
