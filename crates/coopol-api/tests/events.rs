//! Contract tests of `/api/v1/coopol/events` among local accounts: create (validated), the
//! companion status in the group's timeline, join by join mode with capacity and waiting list,
//! maybe, leave, approve/reject by organisers only, cancel, list by group and dates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};

const EVENTS: &str = "/api/v1/coopol/events";

fn event(extra: Value) -> Value {
    let mut body = json!({
        "title": "Assemblée générale",
        "description": "Ordre du jour : **le budget**",
        "starts_at": "2026-12-05T13:00:00Z",
        "ends_at": "2026-12-05T15:00:00Z",
        "timezone": "Europe/Paris",
        "location": { "name": "Bourse du travail", "locality": "Paris", "latitude": 48.87, "longitude": 2.36 },
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    body
}

async fn group(api: &Api, admin: &User, name: &str) -> String {
    let g = api.post("/api/v1/coopol/groups", &admin.token, json!({ "name": name })).await.ok();
    g["id"].as_str().unwrap().to_string()
}

async fn state(api: &Api, user: &User, id: &str) -> Value {
    api.get(&format!("{EVENTS}/{id}"), &user.token).await.ok()["participation"].clone()
}

#[tokio::test]
async fn bad_events_are_refused_with_the_reason() {
    for api in apis().await {
        let olivia = api.user("olivia").await;
        for (bad, why) in [
            (json!({ "title": "" }), "title"),
            (json!({ "ends_at": "2026-12-05T12:00:00Z" }), "ends_at"),
            (json!({ "timezone": "Mars/Olympus" }), "timezone"),
            (json!({ "capacity": 0 }), "capacity"),
            (json!({ "location": { "latitude": 91, "longitude": 0 } }), "latitude"),
            (json!({ "location": null }), "location"),
            (json!({ "location": null, "online_url": "ftp://x.example/" }), "online_url"),
            (json!({ "join_mode": "open" }), "join_mode"),
            (json!({ "starts_at": "tomorrow" }), "starts_at"),
        ] {
            let a = api.post(EVENTS, &olivia.token, event(bad.clone())).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(a.json["error"].as_str().unwrap().contains(why), "{}: {bad} → {}", api.backend, a.text);
        }
        // Only a group's admins and moderators organise for it.
        let mia = api.user("mia").await;
        let g = group(&api, &mia, "collectif").await;
        api.post(EVENTS, &olivia.token, event(json!({ "group_id": g }))).await.expect(StatusCode::FORBIDDEN);
        api.call(Method::POST, EVENTS, None, Some(event(json!({})))).await.expect(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_free_event_with_capacity_keeps_a_waiting_list() {
    for api in apis().await {
        let (mia, a, b, c, d) =
            (api.user("mia").await, api.user("a").await, api.user("b").await, api.user("c").await, api.user("d").await);
        let g = group(&api, &mia, "collectif").await;
        let e = api.post(EVENTS, &mia.token, event(json!({ "group_id": g, "capacity": 2 }))).await.ok();
        for key in ["id", "uri", "url", "participants_count", "status", "timezone", "organizer", "group", "status_id"] {
            assert!(e.get(key).is_some(), "{}: {key} missing in {e}", api.backend);
        }
        assert_eq!((e["status"].as_str(), e["participants_count"].as_i64()), (Some("confirmed"), Some(0)));
        assert!(e["description"].as_str().unwrap().contains("<strong>le budget</strong>"), "{e}");
        assert_eq!(e["description_source"], "Ordre du jour : **le budget**");
        let id = e["id"].as_str().unwrap().to_string();
        // The companion status shows the date in the event's zone, and the group announces it.
        let s = api.get(&format!("/api/v1/statuses/{}", e["status_id"].as_str().unwrap()), &a.token).await.ok();
        assert!(s["content"].as_str().unwrap().contains("Sat 5 Dec 2026, 14:00–16:00 (Europe/Paris)"), "{s}");
        let group_posts = api.get(&format!("/api/v1/accounts/{g}/statuses"), &a.token).await.ok();
        assert!(group_posts.as_array().unwrap().iter().any(|p| p["reblog"]["id"] == e["status_id"]), "{group_posts}");

        let join = |u: &User, maybe: bool| {
            let body = if maybe { json!({ "maybe": true }) } else { json!({}) };
            let (path, token) = (format!("{EVENTS}/{id}/join"), u.token.clone());
            let api = api.clone();
            async move { api.post(&path, &token, body).await.ok() }
        };
        assert_eq!(join(&a, false).await["participation"], "accepted", "{}", api.backend);
        assert_eq!(join(&b, true).await["participation"], "tentative");
        assert_eq!(join(&c, false).await["participation"], "accepted");
        let full = join(&d, false).await;
        assert_eq!(full["participation"], "waitlisted");
        assert_eq!((full["participants_count"].as_i64(), full["tentative_count"].as_i64()), (Some(2), Some(1)));
        assert_eq!((full["waitlist_count"].as_i64(), full["remaining_capacity"].as_i64()), (Some(1), Some(0)));
        // Participants are for organisers only.
        api.get(&format!("{EVENTS}/{id}/participants"), &a.token).await.expect(StatusCode::FORBIDDEN);
        let list = api.get(&format!("{EVENTS}/{id}/participants"), &mia.token).await.ok();
        assert_eq!(list.as_array().unwrap().len(), 4);
        // A leaves: d moves up and is told.
        api.post(&format!("{EVENTS}/{id}/leave"), &a.token, json!({})).await.ok();
        assert_eq!(state(&api, &d, &id).await, "accepted", "{}", api.backend);
        let n = api.get("/api/v1/notifications", &d.token).await.ok();
        assert!(n.as_array().unwrap().iter().any(|n| n["type"] == "coopol.event_participation_accepted"), "{n}");
        // Cancelled: participants are notified, nobody more may join.
        let cancelled = api.post(&format!("{EVENTS}/{id}/cancel"), &mia.token, json!({})).await.ok();
        assert_eq!(cancelled["status"], "cancelled");
        let n = api.get("/api/v1/notifications", &c.token).await.ok();
        assert!(n.as_array().unwrap().iter().any(|n| n["type"] == "update"), "{n}");
        api.post(&format!("{EVENTS}/{id}/join"), &a.token, json!({})).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        api.post(&format!("{EVENTS}/{id}/cancel"), &a.token, json!({})).await.expect(StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn approval_and_members_only_events() {
    for api in apis().await {
        let (mia, nina, olga) = (api.user("mia").await, api.user("nina").await, api.user("olga").await);
        let g = group(&api, &mia, "collectif").await;
        api.post(&format!("/api/v1/accounts/{g}/follow"), &nina.token, json!({})).await.ok();
        let e = api.post(EVENTS, &mia.token, event(json!({ "group_id": g, "join_mode": "approval" }))).await.ok();
        let id = e["id"].as_str().unwrap().to_string();
        assert_eq!(
            api.post(&format!("{EVENTS}/{id}/join"), &olga.token, json!({})).await.ok()["participation"],
            "pending"
        );
        let n = api.get("/api/v1/notifications", &mia.token).await.ok();
        assert!(n.as_array().unwrap().iter().any(|n| n["type"] == "coopol.event_participation_request"), "{n}");
        let approve = format!("{EVENTS}/{id}/participants/{}/approve", olga.id());
        api.post(&approve, &nina.token, json!({})).await.expect(StatusCode::FORBIDDEN);
        assert_eq!(api.post(&approve, &mia.token, json!({})).await.ok()["state"], "accepted", "{}", api.backend);
        assert_eq!(api.get(&format!("{EVENTS}/{id}"), &olga.token).await.ok()["participants_count"], 1);
        let reject = format!("{EVENTS}/{id}/participants/{}/reject", olga.id());
        assert_eq!(api.post(&reject, &mia.token, json!({})).await.ok()["state"], "rejected");
        assert_eq!(api.get(&format!("{EVENTS}/{id}"), &olga.token).await.ok()["participants_count"], 0);

        let m = api.post(EVENTS, &mia.token, event(json!({ "group_id": g, "join_mode": "members" }))).await.ok();
        let mid = m["id"].as_str().unwrap();
        api.post(&format!("{EVENTS}/{mid}/join"), &olga.token, json!({})).await.expect(StatusCode::FORBIDDEN);
        let joined = api.post(&format!("{EVENTS}/{mid}/join"), &nina.token, json!({})).await.ok();
        assert_eq!(joined["participation"], "accepted", "{}", api.backend);

        // Lists: by group, by dates.
        let by_group = api.get(&format!("{EVENTS}?group_id={g}"), &olga.token).await.ok();
        assert_eq!(by_group.as_array().unwrap().len(), 2);
        let later = api.get(&format!("{EVENTS}?from=2027-01-01T00:00:00Z"), &olga.token).await.ok();
        assert!(later.as_array().unwrap().is_empty());
        let dec = api.get(&format!("{EVENTS}?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z"), &olga.token).await;
        assert_eq!(dec.ok().as_array().unwrap().len(), 2);
    }
}
