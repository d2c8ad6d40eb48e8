//! Contract tests of notifications, lists, markers, conversations, the tag and list timelines,
//! streaming and rate limits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request};
use common::*;
use futures::StreamExt;
use serde_json::{json, Value};

const NOTIFICATION_KEYS: &[&str] = &["id", "type", "created_at", "account"];

#[tokio::test]
async fn local_follow_favourite_reblog_and_mention_notify_once() {
    for api in apis().await {
        let b = api.backend;
        let (alice, bob) = (api.user("alice").await, api.user("bob").await);
        api.post(&format!("/api/v1/accounts/{}/follow", alice.id()), &bob.token, json!({})).await.ok();
        let s = api.status(&alice, "hello").await;
        let sid = s["id"].as_str().unwrap();
        for _ in 0..2 {
            api.post(&format!("/api/v1/statuses/{sid}/favourite"), &bob.token, json!({})).await.ok();
        }
        api.post(&format!("/api/v1/statuses/{sid}/reblog"), &bob.token, json!({})).await.ok();
        api.post("/api/v1/statuses", &bob.token, json!({"status": "hi @alice"})).await.ok();
        // Her own actions notify nobody.
        api.post(&format!("/api/v1/statuses/{sid}/favourite"), &alice.token, json!({})).await.ok();

        let page = api.get("/api/v1/notifications", &alice.token).await;
        assert!(page.header("link").is_some_and(|l| l.contains("max_id=")), "{b}: Link header");
        let list = page.ok();
        let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|n| n["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["mention", "reblog", "favourite", "follow"], "{b}: newest first, each once");
        for n in list.as_array().unwrap() {
            assert_keys(n, NOTIFICATION_KEYS, b);
            assert_eq!(n["account"]["id"], bob.id(), "{b}");
            assert_keys(&n["account"], ACCOUNT_KEYS, b);
        }
        assert_eq!(list[2]["status"]["id"], sid, "{b}: a favourite carries the status");
        assert_keys(&list[2]["status"], STATUS_KEYS, b);
        assert!(list[3].get("status").is_none(), "{b}: a follow has no status");

        let only = api.get("/api/v1/notifications?types[]=follow&types[]=mention", &alice.token).await.ok();
        assert_eq!(only.as_array().unwrap().len(), 2, "{b}");
        let without = api.get("/api/v1/notifications?exclude_types[]=favourite", &alice.token).await.ok();
        assert_eq!(without.as_array().unwrap().len(), 3, "{b}");
        let limited = api.get("/api/v1/notifications?limit=1", &alice.token).await.ok();
        let next = api
            .get(&format!("/api/v1/notifications?max_id={}", limited[0]["id"].as_str().unwrap()), &alice.token)
            .await
            .ok();
        assert_eq!(next.as_array().unwrap().len(), 3, "{b}: paging by max_id");

        let id = list[0]["id"].as_str().unwrap();
        assert_eq!(api.get(&format!("/api/v1/notifications/{id}"), &alice.token).await.ok()["type"], "mention");
        assert_eq!(api.get(&format!("/api/v1/notifications/{id}"), &bob.token).await.status, 404, "{b}: not his");

        assert_eq!(api.get("/api/v1/notifications/unread_count", &alice.token).await.ok()["count"], 4, "{b}");
        let marked = api
            .post("/api/v1/markers", &alice.token, json!({"notifications": {"last_read_id": list[1]["id"]}}))
            .await
            .ok();
        assert_eq!(marked["notifications"]["version"], 1, "{b}");
        assert_eq!(api.get("/api/v1/notifications/unread_count", &alice.token).await.ok()["count"], 1, "{b}");

        api.post(&format!("/api/v1/notifications/{id}/dismiss"), &alice.token, json!({})).await.ok();
        assert_eq!(api.get(&format!("/api/v1/notifications/{id}"), &alice.token).await.status, 404, "{b}");
        assert_eq!(api.post(&format!("/api/v1/notifications/{id}/dismiss"), &alice.token, json!({})).await.status, 404);
        api.post("/api/v1/notifications/clear", &alice.token, json!({})).await.ok();
        assert_eq!(api.get("/api/v1/notifications", &alice.token).await.ok(), json!([]), "{b}");

        let no_scope = api.user_with_scopes("carol", "read:accounts").await;
        assert_eq!(api.get("/api/v1/notifications", &no_scope.token).await.status, 403, "{b}");
        assert_eq!(api.call(Method::GET, "/api/v1/notifications", None, None).await.status, 401, "{b}");
    }
}

#[tokio::test]
async fn a_deleted_status_takes_its_notifications_along() {
    for api in apis().await {
        let (alice, bob) = (api.user("alice").await, api.user("bob").await);
        let s = api.post("/api/v1/statuses", &bob.token, json!({"status": "hey @alice"})).await.ok();
        assert_eq!(api.get("/api/v1/notifications", &alice.token).await.ok().as_array().unwrap().len(), 1);
        api.call(Method::DELETE, &format!("/api/v1/statuses/{}", s["id"].as_str().unwrap()), Some(&bob.token), None)
            .await
            .ok();
        assert_eq!(api.get("/api/v1/notifications", &alice.token).await.ok(), json!([]), "{}", api.backend);
    }
}

#[tokio::test]
async fn notifications_from_a_blocked_account_are_not_shown() {
    for api in apis().await {
        let (alice, bob) = (api.user("alice").await, api.user("bob").await);
        api.post("/api/v1/statuses", &bob.token, json!({"status": "hey @alice"})).await.ok();
        assert_eq!(api.get("/api/v1/notifications", &alice.token).await.ok().as_array().unwrap().len(), 1);
        api.post(&format!("/api/v1/accounts/{}/block", bob.id()), &alice.token, json!({})).await.ok();
        assert_eq!(api.get("/api/v1/notifications", &alice.token).await.ok(), json!([]), "{}", api.backend);
    }
}

#[tokio::test]
async fn a_locked_account_gets_a_follow_request() {
    for api in apis().await {
        let (alice, bob) = (api.user("alice").await, api.user("bob").await);
        let mut m: coopol_db::entities::accounts::ActiveModel = alice.account.clone().into();
        m.locked = sea_orm::Set(true);
        sea_orm::ActiveModelTrait::update(m, &api.fed.db).await.unwrap();
        api.post(&format!("/api/v1/accounts/{}/follow", alice.id()), &bob.token, json!({})).await.ok();
        let list = api.get("/api/v1/notifications", &alice.token).await.ok();
        assert_eq!(list[0]["type"], "follow_request", "{}", api.backend);
    }
}

#[tokio::test]
async fn lists_crud_members_and_timeline() {
    for api in apis().await {
        let b = api.backend;
        let (alice, bob, carol) = (api.user("alice").await, api.user("bob").await, api.user("carol").await);
        let l = api.post("/api/v1/lists", &alice.token, json!({"title": "Section nord"})).await.ok();
        assert_eq!(l["title"], "Section nord");
        assert_eq!(l["replies_policy"], "list");
        assert_eq!(l["exclusive"], false);
        let lid = l["id"].as_str().unwrap().to_string();
        assert_eq!(api.post("/api/v1/lists", &alice.token, json!({"title": " "})).await.status, 422, "{b}");
        assert_eq!(
            api.post("/api/v1/lists", &alice.token, json!({"title": "x", "replies_policy": "all"})).await.status,
            422
        );
        let renamed = api
            .call(
                Method::PUT,
                &format!("/api/v1/lists/{lid}"),
                Some(&alice.token),
                Some(json!({"title": "Nord", "replies_policy": "followed"})),
            )
            .await
            .ok();
        assert_eq!(renamed["title"], "Nord");
        assert_eq!(renamed["replies_policy"], "followed");
        assert_eq!(api.get("/api/v1/lists", &alice.token).await.ok().as_array().unwrap().len(), 1, "{b}");
        assert_eq!(api.get(&format!("/api/v1/lists/{lid}"), &bob.token).await.status, 404, "{b}: not his list");

        // Only accounts one follows can be added.
        let refused = api
            .form(
                Method::POST,
                &format!("/api/v1/lists/{lid}/accounts"),
                Some(&alice.token),
                &format!("account_ids[]={}", bob.id()),
            )
            .await;
        assert_eq!(refused.status, 422, "{b}: {}", refused.text);
        api.post(&format!("/api/v1/accounts/{}/follow", bob.id()), &alice.token, json!({})).await.ok();
        api.post(&format!("/api/v1/accounts/{}/follow", carol.id()), &alice.token, json!({})).await.ok();
        api.form(
            Method::POST,
            &format!("/api/v1/lists/{lid}/accounts"),
            Some(&alice.token),
            &format!("account_ids[]={}", bob.id()),
        )
        .await
        .ok();
        let members = api.get(&format!("/api/v1/lists/{lid}/accounts"), &alice.token).await.ok();
        assert_eq!(members.as_array().unwrap().len(), 1, "{b}");
        assert_keys(&members[0], ACCOUNT_KEYS, b);
        let of_bob = api.get(&format!("/api/v1/accounts/{}/lists", bob.id()), &alice.token).await.ok();
        assert_eq!(of_bob[0]["id"], lid.as_str(), "{b}");

        let in_list = api.status(&bob, "from bob").await;
        api.status(&carol, "from carol").await;
        api.post("/api/v1/statuses", &bob.token, json!({"status": "secret @carol", "visibility": "direct"})).await.ok();
        let tl = api.get(&format!("/api/v1/timelines/list/{lid}"), &alice.token).await.ok();
        let ids: Vec<&str> = tl.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![in_list["id"].as_str().unwrap()], "{b}: members only, never a direct post");

        api.call(
            Method::DELETE,
            &format!("/api/v1/lists/{lid}/accounts?account_ids[]={}", bob.id()),
            Some(&alice.token),
            None,
        )
        .await
        .ok();
        assert_eq!(api.get(&format!("/api/v1/timelines/list/{lid}"), &alice.token).await.ok(), json!([]), "{b}");
        api.call(Method::DELETE, &format!("/api/v1/lists/{lid}"), Some(&alice.token), None).await.ok();
        assert_eq!(api.get(&format!("/api/v1/lists/{lid}"), &alice.token).await.status, 404, "{b}");
    }
}

#[tokio::test]
async fn markers_are_saved_by_form_and_json_and_versioned() {
    for api in apis().await {
        let alice = api.user("alice").await;
        assert_eq!(api.get("/api/v1/markers?timeline[]=home", &alice.token).await.ok(), json!({}));
        api.form(Method::POST, "/api/v1/markers", Some(&alice.token), "home[last_read_id]=100").await.ok();
        let m = api.post("/api/v1/markers", &alice.token, json!({"home": {"last_read_id": "105"}})).await.ok();
        assert_eq!(m["home"]["last_read_id"], "105", "{}", api.backend);
        assert_eq!(m["home"]["version"], 2, "{}", api.backend);
        assert!(m["home"]["updated_at"].is_string());
        let got = api.get("/api/v1/markers?timeline[]=home&timeline[]=notifications", &alice.token).await.ok();
        assert_eq!(got["home"]["last_read_id"], "105");
        assert!(got.get("notifications").is_none());
        assert_eq!(api.post("/api/v1/markers", &alice.token, json!({})).await.status, 422);
        assert_eq!(api.post("/api/v1/markers", &alice.token, json!({"home": {"last_read_id": "x"}})).await.status, 422);
    }
}

#[tokio::test]
async fn direct_messages_become_conversations() {
    for api in apis().await {
        let b = api.backend;
        let (alice, bob, carol) = (api.user("alice").await, api.user("bob").await, api.user("carol").await);
        let first = api
            .post("/api/v1/statuses", &alice.token, json!({"status": "@bob on se voit ?", "visibility": "direct"}))
            .await
            .ok();
        let answer = api
            .post(
                "/api/v1/statuses",
                &bob.token,
                json!({"status": "@alice oui", "visibility": "direct", "in_reply_to_id": first["id"]}),
            )
            .await
            .ok();
        let convs = api.get("/api/v1/conversations", &alice.token).await.ok();
        assert_eq!(convs.as_array().unwrap().len(), 1, "{b}: one thread");
        let c = &convs[0];
        assert_keys(c, &["id", "unread", "accounts", "last_status"], b);
        assert_eq!(c["unread"], true, "{b}");
        assert_eq!(c["accounts"][0]["id"], bob.id());
        assert_eq!(c["last_status"]["id"], answer["id"]);
        assert_eq!(api.get("/api/v1/conversations", &carol.token).await.ok(), json!([]), "{b}: carol sees nothing");
        let cid = c["id"].as_str().unwrap();
        let read = api.post(&format!("/api/v1/conversations/{cid}/read"), &alice.token, json!({})).await.ok();
        assert_eq!(read["unread"], false);
        assert_eq!(api.post(&format!("/api/v1/conversations/{cid}/read"), &bob.token, json!({})).await.status, 404);
        api.call(Method::DELETE, &format!("/api/v1/conversations/{cid}"), Some(&alice.token), None).await.ok();
        assert_eq!(api.get("/api/v1/conversations", &alice.token).await.ok(), json!([]));
        assert_eq!(api.get("/api/v1/conversations", &bob.token).await.ok().as_array().unwrap().len(), 1, "{b}");
    }
}

#[tokio::test]
async fn the_tag_timeline_shows_public_tagged_posts() {
    for api in apis().await {
        let alice = api.user("alice").await;
        let tagged = api.status(&alice, "manif samedi #Greve").await;
        api.status(&alice, "rien").await;
        api.post("/api/v1/statuses", &alice.token, json!({"status": "#greve en privé", "visibility": "private"}))
            .await
            .ok();
        let tl = api.call(Method::GET, "/api/v1/timelines/tag/greve", None, None).await.ok();
        let ids: Vec<&str> = tl.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![tagged["id"].as_str().unwrap()], "{}", api.backend);
        assert_eq!(api.call(Method::GET, "/api/v1/timelines/tag/greve?remote=true", None, None).await.ok(), json!([]));
    }
}

/// Reads SSE frames until one with `event: NAME` arrives; returns its data.
async fn next_sse_event(
    body: &mut (impl futures::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
    name: &str,
) -> String {
    let mut buf = String::new();
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let chunk = body.next().await.expect("stream ended").unwrap();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let frame: String = buf.drain(..end + 2).collect();
                let mut event = None;
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(e) = line.strip_prefix("event: ") {
                        event = Some(e.to_string());
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data.push_str(d);
                    }
                }
                if event.as_deref() == Some(name) {
                    return data;
                }
            }
        }
    })
    .await
    .expect("no event in time")
}

#[tokio::test]
async fn server_sent_events_carry_updates_notifications_and_deletes_but_no_private_posts() {
    for api in apis().await {
        let b = api.backend;
        let (alice, bob, carol) = (api.user("alice").await, api.user("bob").await, api.user("carol").await);
        api.post(&format!("/api/v1/accounts/{}/follow", bob.id()), &alice.token, json!({})).await.ok();
        let req = Request::get("/api/v1/streaming/user")
            .header(header::AUTHORIZATION, format!("Bearer {}", alice.token))
            .body(Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(api.router.clone(), req).await.unwrap();
        assert_eq!(res.status(), 200, "{b}");
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/event-stream"));
        let mut body = res.into_body().into_data_stream();

        // carol's post is not alice's business; bob's followers-only post is.
        api.status(&carol, "pas pour alice").await;
        let s = api
            .post("/api/v1/statuses", &bob.token, json!({"status": "pour mes abonnés", "visibility": "private"}))
            .await
            .ok();
        let data = next_sse_event(&mut body, "update").await;
        let got: Value = serde_json::from_str(&data).unwrap();
        assert_eq!(got["id"], s["id"], "{b}: the first update is bob's");
        assert_keys(&got, STATUS_KEYS, b);

        api.post("/api/v1/statuses", &carol.token, json!({"status": "coucou @alice"})).await.ok();
        let n: Value = serde_json::from_str(&next_sse_event(&mut body, "notification").await).unwrap();
        assert_eq!(n["type"], "mention", "{b}");

        api.call(Method::DELETE, &format!("/api/v1/statuses/{}", s["id"].as_str().unwrap()), Some(&bob.token), None)
            .await
            .ok();
        assert_eq!(next_sse_event(&mut body, "delete").await, s["id"].as_str().unwrap(), "{b}");

        // The public stream never carries a followers-only post.
        let res = tower::ServiceExt::oneshot(
            api.router.clone(),
            Request::get("/api/v1/streaming/public").body(Body::empty()).unwrap(),
        )
        .await
        .unwrap();
        let mut public = res.into_body().into_data_stream();
        api.post("/api/v1/statuses", &bob.token, json!({"status": "privé", "visibility": "private"})).await.ok();
        let open = api.status(&bob, "public").await;
        let got: Value = serde_json::from_str(&next_sse_event(&mut public, "update").await).unwrap();
        assert_eq!(got["id"], open["id"], "{b}: the private post was skipped");

        // Private streams need a token; unknown streams and lists of others are refused.
        assert_eq!(api.call(Method::GET, "/api/v1/streaming/user", None, None).await.status, 401, "{b}");
        assert_eq!(api.call(Method::GET, "/api/v1/streaming/hashtag", None, None).await.status, 400, "{b}");
        assert_eq!(api.get("/api/v1/streaming/list?list=12", &alice.token).await.status, 404, "{b}");
        assert_eq!(api.call(Method::GET, "/api/v1/streaming/health", None, None).await.text, "OK");
    }
}

#[tokio::test]
async fn a_websocket_client_subscribes_and_receives_mastodon_messages() {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let api = apis().await.into_iter().next().unwrap();
    let (alice, bob) = (api.user("alice").await, api.user("bob").await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = api.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let url = format!("ws://{addr}/api/v1/streaming?access_token={}&stream=user", alice.token);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.send(Message::Text(json!({"type": "subscribe", "stream": "hashtag", "tag": "greve"}).to_string().into()))
        .await
        .unwrap();
    ws.send(Message::Text(json!({"type": "subscribe", "stream": "direct"}).to_string().into())).await.unwrap();
    ws.send(Message::Text("not json".into())).await.unwrap();
    let mut next_json = async || -> Value {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .expect("a message in time")
                .unwrap()
                .unwrap();
            if let Message::Text(t) = m {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    };
    let err = next_json().await;
    assert_eq!(err["status"], 400, "{err}");
    // Let the subscriptions land before posting.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let s = api.status(&bob, "tous en #greve").await;
    let msg = next_json().await;
    assert_eq!(msg["stream"], json!(["hashtag", "greve"]));
    assert_eq!(msg["event"], "update");
    let payload: Value = serde_json::from_str(msg["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], s["id"]);
    api.post("/api/v1/statuses", &bob.token, json!({"status": "@alice en privé", "visibility": "direct"})).await.ok();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let m = next_json().await;
        seen.push((m["stream"][0].as_str().unwrap().to_string(), m["event"].as_str().unwrap().to_string()));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("direct".to_string(), "conversation".to_string()),
            ("user".to_string(), "notification".to_string()),
            ("user".to_string(), "update".to_string()),
        ]
    );
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let api = apis().await.into_iter().next().unwrap();
    let alice = api.user("alice").await;
    let res = api.get("/api/v1/notifications", &alice.token).await;
    assert_eq!(res.header("x-ratelimit-limit").as_deref(), Some("3000"));
    assert!(res.header("x-ratelimit-remaining").is_some());
    assert!(chrono::DateTime::parse_from_rfc3339(&res.header("x-ratelimit-reset").unwrap()).is_ok());

    let limited = coopol_api::router_with(
        api.fed.clone(),
        coopol_api::ratelimit::RateLimit { requests: 2, period: Duration::from_secs(60) },
    );
    let call = |token: &str| {
        Request::get("/api/v1/notifications")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    for _ in 0..2 {
        assert_eq!(tower::ServiceExt::oneshot(limited.clone(), call(&alice.token)).await.unwrap().status(), 200);
    }
    let refused = tower::ServiceExt::oneshot(limited.clone(), call(&alice.token)).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["x-ratelimit-remaining"], "0");
    let body = axum::body::to_bytes(refused.into_body(), 1024).await.unwrap();
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["error"].is_string());
    let bob = api.user("bob").await;
    assert_eq!(tower::ServiceExt::oneshot(limited, call(&bob.token)).await.unwrap().status(), 200, "per token");
}

#[tokio::test]
async fn the_bell_notifies_new_posts_and_edits_notify_boosters() {
    for api in apis().await {
        let alice = api.user("alice").await;
        let bob = api.user("bob").await;
        let carol = api.user("carol").await;
        api.post(&format!("/api/v1/accounts/{}/follow", alice.id()), &bob.token, json!({"notify": true})).await.ok();
        api.post(&format!("/api/v1/accounts/{}/follow", alice.id()), &carol.token, json!({})).await.ok();
        let s = api.status(&alice, "a new post").await;
        let bob_sees = api.get("/api/v1/notifications?types[]=status", &bob.token).await.ok();
        assert_eq!(bob_sees.as_array().unwrap().len(), 1, "{}: {bob_sees}", api.backend);
        assert_eq!(bob_sees[0]["status"]["id"], s["id"]);
        let carol_sees = api.get("/api/v1/notifications?types[]=status", &carol.token).await.ok();
        assert_eq!(carol_sees.as_array().unwrap().len(), 0, "{}: no bell, no notification", api.backend);

        // carol boosts it, alice edits it: carol hears of the edit.
        api.post(&format!("/api/v1/statuses/{}/reblog", s["id"].as_str().unwrap()), &carol.token, json!({})).await.ok();
        api.call(
            axum::http::Method::PUT,
            &format!("/api/v1/statuses/{}", s["id"].as_str().unwrap()),
            Some(&alice.token),
            Some(json!({"status": "a new post, corrected"})),
        )
        .await
        .ok();
        let updates = api.get("/api/v1/notifications?types[]=update", &carol.token).await.ok();
        assert_eq!(updates.as_array().unwrap().len(), 1, "{}: {updates}", api.backend);
    }
}
