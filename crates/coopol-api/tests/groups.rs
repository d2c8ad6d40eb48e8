//! Contract tests of `/api/v1/coopol/groups` (local groups: create, join by join mode, roles,
//! member lists, posts the group announces, moderation and its log).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const GROUPS: &str = "/api/v1/coopol/groups";

async fn create(api: &Api, admin: &User, name: &str, extra: Value) -> Value {
    let mut body = json!({ "name": name });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    api.post(GROUPS, &admin.token, body).await.ok()
}

/// The group's boost of `status_id` in `user`'s home timeline.
async fn boosted_in_home(api: &Api, user: &User, status_id: &str) -> bool {
    let home = api.get("/api/v1/timelines/home", &user.token).await.ok();
    home.as_array().unwrap().iter().any(|s| s["reblog"]["id"] == status_id && s["account"]["group"] == true)
}

#[tokio::test]
async fn an_open_group_announces_its_members_posts() {
    for api in apis().await {
        let (mia, nina, olga) = (api.user("mia").await, api.user("nina").await, api.user("olga").await);
        let g = create(&api, &mia, "greens", json!({ "description": "ecology", "rules": "be kind" })).await;
        assert_eq!(g["role"], "admin", "{}", api.backend);
        assert_eq!(g["join_mode"], "open");
        assert_eq!(g["account"]["group"], true);
        assert_eq!(g["rules"], "be kind");
        let id = g["id"].as_str().unwrap().to_string();
        // Mastodon's follow is joining.
        let rel = api.post(&format!("/api/v1/accounts/{id}/follow"), &nina.token, json!({})).await.ok();
        assert_eq!(rel["following"], true, "{}", api.backend);
        let post = api.status(&nina, "@greens hello group").await;
        let post_id = post["id"].as_str().unwrap();
        assert!(boosted_in_home(&api, &mia, post_id).await, "{}: the group announces a member's post", api.backend);
        // olga does not follow: her post is not announced.
        let outsider = api.status(&olga, "@greens let me in").await;
        assert!(!boosted_in_home(&api, &mia, outsider["id"].as_str().unwrap()).await);
        // A reply in the group's thread is announced without mentioning the group.
        let reply = api
            .post("/api/v1/statuses", &mia.token, json!({ "status": "welcome", "in_reply_to_id": post_id }))
            .await
            .ok();
        assert!(boosted_in_home(&api, &nina, reply["id"].as_str().unwrap()).await, "{}", api.backend);
        // The group is listed, and shown as a Mastodon account with group: true.
        let list = api.get(GROUPS, &olga.token).await.ok();
        assert!(list.as_array().unwrap().iter().any(|x| x["id"] == id.as_str()));
        let acct = api.get(&format!("/api/v1/accounts/{id}"), &olga.token).await.ok();
        assert_eq!(acct["group"], true);
    }
}

#[tokio::test]
async fn approval_invitation_and_member_lists() {
    for api in apis().await {
        let (mia, nina, olga) = (api.user("mia").await, api.user("nina").await, api.user("olga").await);
        let g = create(&api, &mia, "council", json!({ "join_mode": "approval" })).await;
        let id = g["id"].as_str().unwrap().to_string();
        let rel = api.post(&format!("{GROUPS}/{id}/join"), &nina.token, json!({})).await.ok();
        assert_eq!(rel["requested"], true, "{}", api.backend);
        assert_eq!(rel["following"], false);
        // Member lists: moderators only (members_visible is off), never outsiders.
        api.get(&format!("{GROUPS}/{id}/members"), &olga.token).await.expect(StatusCode::FORBIDDEN);
        let people = api.get(&format!("{GROUPS}/{id}/members"), &mia.token).await.ok();
        let pending: Vec<&Value> = people.as_array().unwrap().iter().filter(|p| p["pending"] == true).collect();
        assert_eq!(pending.len(), 1, "{}", api.backend);
        assert_eq!(pending[0]["account"]["id"], nina.id());
        // A member cannot accept requests; a moderator can.
        let path = format!("{GROUPS}/{id}/requests/{}/accept", nina.id());
        api.post(&path, &olga.token, json!({})).await.expect(StatusCode::FORBIDDEN);
        api.post(&path, &mia.token, json!({})).await.ok();
        let g = api.get(&format!("{GROUPS}/{id}"), &nina.token).await.ok();
        assert_eq!(g["role"], "member", "{}", api.backend);
        // Sympathisers receive but cannot post.
        api.post(&format!("{GROUPS}/{id}/members/{}/role", nina.id()), &mia.token, json!({"role": "sympathiser"}))
            .await
            .ok();
        let post = api.status(&nina, "@council can I post?").await;
        assert!(!boosted_in_home(&api, &mia, post["id"].as_str().unwrap()).await, "{}", api.backend);
        // A moderator may not make moderators; unknown roles are refused clearly.
        let bad =
            api.post(&format!("{GROUPS}/{id}/members/{}/role", nina.id()), &mia.token, json!({"role": "owner"})).await;
        assert_eq!(bad.status, 422);
        assert!(bad.json["error"].as_str().unwrap().contains("owner"));

        // Invitation only: refused unless invited.
        let cell = create(&api, &mia, "cell", json!({ "join_mode": "invite", "private": true })).await;
        let cid = cell["id"].as_str().unwrap().to_string();
        api.post(&format!("{GROUPS}/{cid}/join"), &olga.token, json!({})).await.expect(StatusCode::FORBIDDEN);
        api.post(
            &format!("{GROUPS}/{cid}/invitations"),
            &mia.token,
            json!({"account_id": olga.id(), "role": "moderator"}),
        )
        .await
        .ok();
        let rel = api.post(&format!("{GROUPS}/{cid}/join"), &olga.token, json!({})).await.ok();
        assert_eq!(rel["following"], true, "{}", api.backend);
        assert_eq!(api.get(&format!("{GROUPS}/{cid}"), &olga.token).await.ok()["role"], "moderator");
    }
}

#[tokio::test]
async fn moderation_removes_bans_locks_and_logs() {
    for api in apis().await {
        let (mia, nina, olga) = (api.user("mia").await, api.user("nina").await, api.user("olga").await);
        let g = create(&api, &mia, "forum", json!({})).await;
        let id = g["id"].as_str().unwrap().to_string();
        for u in [&nina, &olga] {
            api.post(&format!("{GROUPS}/{id}/join"), &u.token, json!({})).await.ok();
        }
        let post = api.status(&nina, "@forum first").await;
        let pid = post["id"].as_str().unwrap().to_string();
        assert!(boosted_in_home(&api, &olga, &pid).await);
        // Lock the thread: olga's reply is not announced.
        api.post(&format!("{GROUPS}/{id}/statuses/{pid}/lock"), &mia.token, json!({})).await.ok();
        let reply =
            api.post("/api/v1/statuses", &olga.token, json!({ "status": "late", "in_reply_to_id": pid })).await.ok();
        assert!(!boosted_in_home(&api, &nina, reply["id"].as_str().unwrap()).await, "{}", api.backend);
        // Remove the post: the group's boost goes.
        api.post(&format!("{GROUPS}/{id}/statuses/{pid}/remove"), &olga.token, json!({}))
            .await
            .expect(StatusCode::FORBIDDEN);
        api.post(&format!("{GROUPS}/{id}/statuses/{pid}/remove"), &mia.token, json!({"reason": "spam"})).await.ok();
        assert!(!boosted_in_home(&api, &olga, &pid).await, "{}", api.backend);
        // Ban nina: she no longer follows, cannot join again, and her posts are not announced.
        api.post(&format!("{GROUPS}/{id}/bans"), &mia.token, json!({"account_id": nina.id(), "reason": "spam"}))
            .await
            .ok();
        api.post(&format!("{GROUPS}/{id}/join"), &nina.token, json!({})).await.expect(StatusCode::FORBIDDEN);
        let again = api.status(&nina, "@forum again").await;
        assert!(!boosted_in_home(&api, &olga, again["id"].as_str().unwrap()).await);
        // Members read the log; outsiders do not.
        let log = api.get(&format!("{GROUPS}/{id}/moderation_log"), &olga.token).await.ok();
        let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["ban", "remove_post", "lock_thread"], "{}", api.backend);
        assert_eq!(log[1]["reason"], "spam");
        api.get(&format!("{GROUPS}/{id}/moderation_log"), &nina.token).await.expect(StatusCode::FORBIDDEN);
        // A report reaches the moderators' log; members do not see who reported.
        api.post(
            &format!("{GROUPS}/{id}/reports"),
            &olga.token,
            json!({"status_ids": [again["id"]], "comment": "look"}),
        )
        .await
        .ok();
        let for_mods = api.get(&format!("{GROUPS}/{id}/moderation_log"), &mia.token).await.ok();
        assert_eq!(for_mods[0]["action"], "report", "{}", api.backend);
        assert_eq!(for_mods[0]["reason"], "look");
        assert_eq!(for_mods[0]["target_uri"], again["uri"]);
        let for_members = api.get(&format!("{GROUPS}/{id}/moderation_log"), &olga.token).await.ok();
        assert_eq!(for_members[0]["action"], "ban");
        // Bad input: unknown join mode, taken name, unknown group.
        let bad = api.post(GROUPS, &mia.token, json!({"name": "x1", "join_mode": "closed"})).await;
        assert_eq!(bad.status, 422);
        let taken = api.post(GROUPS, &mia.token, json!({"name": "forum"})).await;
        assert_eq!(taken.status, 422);
        api.get(&format!("{GROUPS}/12345"), &mia.token).await.expect(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_private_group_s_post_is_read_by_its_people_only_as_followers_only() {
    for api in apis().await {
        let (mia, nina, olga) = (api.user("mia").await, api.user("nina").await, api.user("olga").await);
        let cell = create(&api, &mia, "cell", json!({ "join_mode": "invite", "private": true })).await;
        let cid = cell["id"].as_str().unwrap().to_string();
        api.post(&format!("{GROUPS}/{cid}/invitations"), &mia.token, json!({"account_id": nina.id()})).await.ok();
        api.post(&format!("{GROUPS}/{cid}/join"), &nina.token, json!({})).await.ok();
        // olga follows mia, the author, but not the group.
        api.post(&format!("/api/v1/accounts/{}/follow", mia.id()), &olga.token, json!({})).await.ok();
        let post = api
            .post("/api/v1/statuses", &mia.token, json!({ "status": "@cell meeting at eight", "visibility": "direct" }))
            .await
            .ok();
        let post_id = post["id"].as_str().unwrap();
        assert!(boosted_in_home(&api, &nina, post_id).await, "{}: the group shares it with nina", api.backend);
        let seen = api.get(&format!("/api/v1/statuses/{post_id}"), &nina.token).await.ok();
        assert_eq!(seen["visibility"], "private", "{}: a members-only post reads as followers-only", api.backend);
        api.get(&format!("/api/v1/statuses/{post_id}"), &olga.token).await.expect(StatusCode::NOT_FOUND);
        assert!(!boosted_in_home(&api, &olga, post_id).await, "{}", api.backend);
        let public = api.get("/api/v1/timelines/public", &olga.token).await.ok();
        assert!(public.as_array().unwrap().iter().all(|s| s["id"] != post_id), "{}", api.backend);
    }
}
