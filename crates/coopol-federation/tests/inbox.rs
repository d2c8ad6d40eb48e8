//! The inbox against a real database (SQLite, and PostgreSQL when enabled): what is refused
//! leaves no trace, duplicates have no second effect, a Delete that arrives first wins.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, Method, Uri};
use coopol_db::entities::{accounts, follows, inbox_jobs, received_activities, statuses};
use coopol_db::queue::{self, QueueTable};
use coopol_db::{queries, Db};
use coopol_federation::inbox::{accept, Accepted};
use coopol_federation::{activities, Federation, FederationError};
use coopol_signatures::{generate_rsa_keypair, sign_request, SigningKey};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::{json, Value};
use url::Url;

const REMOTE: &str = "http://remote.test:9";

struct Rig {
    fed: Federation,
    alice: accounts::Model,
    remote: accounts::Model,
    key: SigningKey,
}

async fn remote_account(db: &Db, name: &str) -> (accounts::Model, SigningKey) {
    let keys = generate_rsa_keypair().unwrap();
    let uri = format!("{REMOTE}/users/{name}");
    let key_id = format!("{uri}#main-key");
    let now = coopol_db::now();
    let a = accounts::ActiveModel {
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
        public_key_id: Set(key_id.clone()),
        public_key_pem: Set(keys.public_pem),
        private_key_pem: Set(None),
        locked: Set(false),
        bot: Set(false),
        suspended: Set(false),
        moved_to_uri: Set(None),
        also_known_as: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        fetched_at: Set(Some(now)),
    }
    .insert(db)
    .await
    .unwrap();
    (a, SigningKey::from_pkcs8_pem(&key_id, &keys.private_pem).unwrap())
}

async fn rigs() -> Vec<(&'static str, Rig)> {
    let mut out = Vec::new();
    for (name, db) in common::databases(&["alice"]).await {
        let alice = queries::local_account(&db, "alice").await.unwrap().unwrap();
        let (remote, key) = remote_account(&db, "rob").await;
        let fed = Federation::new(common::config(), db).await.unwrap();
        out.push((name, Rig { fed, alice, remote, key }));
    }
    out
}

fn signed(key: &SigningKey, body: &[u8], at: SystemTime) -> HeaderMap {
    let url = Url::parse("http://localhost:1/inbox").unwrap();
    let mut h = HeaderMap::new();
    for (k, v) in sign_request(key, &Method::POST, &url, Some(body), at).unwrap() {
        h.insert(k, v);
    }
    h
}

async fn post(rig: &Rig, body: &Value, headers: HeaderMap) -> Result<Accepted, FederationError> {
    let bytes = serde_json::to_vec(body).unwrap();
    accept(&rig.fed, &Method::POST, &Uri::from_static("/inbox"), &headers, &bytes).await
}

fn follow(rig: &Rig, n: u32) -> Value {
    json!({"id": format!("{}/follows/{n}", rig.remote.uri), "type": "Follow", "actor": rig.remote.uri, "object": rig.alice.uri})
}

async fn stored(db: &Db) -> (u64, u64) {
    (received_activities::Entity::find().count(db).await.unwrap(), inbox_jobs::Entity::find().count(db).await.unwrap())
}

#[tokio::test]
async fn refused_requests_leave_no_trace() {
    for (backend, rig) in rigs().await {
        let body = follow(&rig, 1);
        let bytes = serde_json::to_vec(&body).unwrap();
        let now = SystemTime::now();

        let unsigned = post(&rig, &body, HeaderMap::new()).await;
        assert!(matches!(unsigned, Err(FederationError::Unauthorized(_))), "{backend}: unsigned");

        let mut tampered_body = body.clone();
        tampered_body["object"] = json!(format!("{}/users/other", REMOTE));
        let tampered = post(&rig, &tampered_body, signed(&rig.key, &bytes, now)).await;
        assert!(matches!(tampered, Err(FederationError::Unauthorized(_))), "{backend}: tampered");

        let stale = post(&rig, &body, signed(&rig.key, &bytes, now - Duration::from_secs(7200))).await;
        assert!(matches!(stale, Err(FederationError::Unauthorized(_))), "{backend}: stale date");

        // Signed by rob, claiming to be someone else on the same server.
        let (_, other_key) = remote_account(&rig.fed.db, "eve").await;
        let mismatch = post(&rig, &body, signed(&other_key, &bytes, now)).await;
        assert!(matches!(mismatch, Err(FederationError::Unauthorized(_))), "{backend}: key/actor mismatch");

        let mut foreign_id = body.clone();
        foreign_id["id"] = json!("http://elsewhere.test/activities/1");
        let foreign_bytes = serde_json::to_vec(&foreign_id).unwrap();
        let foreign = post(&rig, &foreign_id, signed(&rig.key, &foreign_bytes, now)).await;
        assert!(matches!(foreign, Err(FederationError::Invalid(_))), "{backend}: id on another origin");

        assert_eq!(stored(&rig.fed.db).await, (0, 0), "{backend}: nothing stored");

        // The same request, correctly signed, goes through: the refusals above were real.
        assert_eq!(post(&rig, &body, signed(&rig.key, &bytes, now)).await.unwrap(), Accepted::Queued, "{backend}");
        assert_eq!(stored(&rig.fed.db).await, (1, 1), "{backend}");
    }
}

#[tokio::test]
async fn duplicates_have_no_second_effect() {
    for (backend, rig) in rigs().await {
        let body = follow(&rig, 2);
        let bytes = serde_json::to_vec(&body).unwrap();
        assert_eq!(post(&rig, &body, signed(&rig.key, &bytes, SystemTime::now())).await.unwrap(), Accepted::Queued);
        assert_eq!(
            post(&rig, &body, signed(&rig.key, &bytes, SystemTime::now())).await.unwrap(),
            Accepted::Ignored,
            "{backend}"
        );
        assert_eq!(stored(&rig.fed.db).await, (1, 1), "{backend}");

        // Applying the same Follow twice leaves one follow.
        activities::receive(&rig.fed, &body, &rig.remote).await.unwrap();
        activities::receive(&rig.fed, &body, &rig.remote).await.unwrap();
        assert_eq!(follows::Entity::find().count(&rig.fed.db).await.unwrap(), 1, "{backend}");
        let f = queries::follow_between(&rig.fed.db, rig.remote.id, rig.alice.id).await.unwrap().unwrap();
        assert_eq!(f.state, queries::FOLLOW_ACCEPTED, "{backend}: unlocked accounts accept at once");
    }
}

#[tokio::test]
async fn a_delete_that_arrives_first_wins() {
    for (backend, rig) in rigs().await {
        // alice follows rob, so rob's notes are relevant here.
        follows::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(rig.alice.id),
            target_account_id: Set(rig.remote.id),
            uri: Set("http://localhost:1/f/1".into()),
            state: Set(queries::FOLLOW_ACCEPTED.into()),
            created_at: Set(coopol_db::now()),
            ..Default::default()
        }
        .insert(&rig.fed.db)
        .await
        .unwrap();
        let note_id = format!("{}/notes/1", rig.remote.uri);
        let note = json!({
            "id": note_id, "type": "Note", "attributedTo": rig.remote.uri, "content": "<p>hi</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [format!("{}/followers", rig.remote.uri)],
        });
        let create =
            json!({"id": format!("{note_id}/activity"), "type": "Create", "actor": rig.remote.uri, "object": note});
        let delete = json!({"id": format!("{note_id}#delete"), "type": "Delete", "actor": rig.remote.uri, "object": {"id": note_id, "type": "Tombstone"}});

        activities::receive(&rig.fed, &delete, &rig.remote).await.unwrap();
        activities::receive(&rig.fed, &create, &rig.remote).await.unwrap();
        assert!(
            queries::status_by_uri(&rig.fed.db, &note_id).await.unwrap().is_none(),
            "{backend}: tombstoned id recreated"
        );

        // A second note arrives, twice: stored once; then deleted.
        let note2 = note_id.replace("/1", "/2");
        let mut create2 = create.clone();
        create2["object"]["id"] = json!(note2);
        activities::receive(&rig.fed, &create2, &rig.remote).await.unwrap();
        activities::receive(&rig.fed, &create2, &rig.remote).await.unwrap();
        assert_eq!(statuses::Entity::find().count(&rig.fed.db).await.unwrap(), 1, "{backend}");
        let mut delete2 = delete.clone();
        delete2["object"]["id"] = json!(note2);
        activities::receive(&rig.fed, &delete2, &rig.remote).await.unwrap();
        assert_eq!(statuses::Entity::find().count(&rig.fed.db).await.unwrap(), 0, "{backend}");
    }
}

#[tokio::test]
async fn a_note_by_someone_else_or_from_elsewhere_is_refused() {
    for (backend, rig) in rigs().await {
        let note = json!({
            "id": "http://elsewhere.test/notes/1", "type": "Note", "attributedTo": rig.remote.uri, "content": "x",
            "to": [rig.alice.uri],
        });
        let create =
            json!({"id": format!("{}/a/1", rig.remote.uri), "type": "Create", "actor": rig.remote.uri, "object": note});
        assert!(activities::receive(&rig.fed, &create, &rig.remote).await.is_err(), "{backend}: foreign note id");
        let forged = json!({
            "id": format!("{}/notes/9", rig.remote.uri), "type": "Note", "attributedTo": rig.alice.uri, "content": "x", "to": [rig.alice.uri],
        });
        let create = json!({"id": format!("{}/a/2", rig.remote.uri), "type": "Create", "actor": rig.remote.uri, "object": forged});
        assert!(activities::receive(&rig.fed, &create, &rig.remote).await.is_err(), "{backend}: forged author");
        assert_eq!(statuses::Entity::find().count(&rig.fed.db).await.unwrap(), 0, "{backend}");
    }
}

#[tokio::test]
async fn queue_claims_are_exclusive_and_leases_expire() {
    for (backend, rig) in rigs().await {
        let db = &rig.fed.db;
        for n in 0..10 {
            let body = follow(&rig, 100 + n);
            let bytes = serde_json::to_vec(&body).unwrap();
            post(&rig, &body, signed(&rig.key, &bytes, SystemTime::now())).await.unwrap();
        }
        let now = chrono::Utc::now();
        let lease = now + chrono::Duration::seconds(60);
        let a = queue::claim(db, QueueTable::Inbox, now, lease, 6).await.unwrap();
        let b = queue::claim(db, QueueTable::Inbox, now, lease, 6).await.unwrap();
        assert_eq!(a.len(), 6, "{backend}");
        assert_eq!(b.len(), 4, "{backend}");
        assert!(a.iter().all(|id| !b.contains(id)), "{backend}: a job claimed twice");
        assert!(queue::claim(db, QueueTable::Inbox, now, lease, 6).await.unwrap().is_empty(), "{backend}");
        // A worker that died: its lease ends and the jobs are due again.
        let later = now + chrono::Duration::seconds(61);
        let again =
            queue::claim(db, QueueTable::Inbox, later, later + chrono::Duration::seconds(60), 20).await.unwrap();
        assert_eq!(again.len(), 10, "{backend}");
        assert_eq!(queue::len(db, QueueTable::Inbox).await.unwrap(), 10, "{backend}");
    }
}

#[tokio::test]
async fn a_direct_message_addressed_by_bcc_alone_reaches_its_recipient() {
    for (backend, rig) in rigs().await {
        let note_id = format!("{}/notes/dm", rig.remote.uri);
        let note = json!({
            "id": note_id, "type": "Note", "attributedTo": rig.remote.uri, "content": "<p>psst</p>",
            "to": [], "bcc": [rig.alice.uri],
        });
        let create =
            json!({"id": format!("{note_id}/activity"), "type": "Create", "actor": rig.remote.uri, "object": note});
        activities::receive(&rig.fed, &create, &rig.remote).await.unwrap();
        let s = queries::status_by_uri(&rig.fed.db, &note_id).await.unwrap().expect("stored");
        assert_eq!(s.visibility, "direct", "{backend}");
        let home = queries::home_timeline(&rig.fed.db, rig.alice.id, queries::Page { limit: 20, ..Default::default() })
            .await
            .unwrap();
        assert_eq!(home.iter().map(|h| h.uri.clone()).collect::<Vec<_>>(), vec![note_id], "{backend}");
    }
}

#[tokio::test]
async fn concurrent_copies_of_one_activity_are_recorded_once() {
    for (backend, rig) in rigs().await {
        let copies = (0..20).map(|n| {
            let fed = rig.fed.clone();
            let id = if n % 2 == 0 {
                "http://remote.test:9/a/same".to_string()
            } else {
                format!("http://remote.test:9/a/{n}")
            };
            async move { fed.recorder.record(id, "http://remote.test:9/users/rob".into(), "{}".into()).await.unwrap() }
        });
        let recorded = futures::future::join_all(copies).await;
        assert_eq!(recorded.iter().filter(|r| **r).count(), 11, "{backend}: 10 distinct ids and one of 10 copies");
        assert_eq!(stored(&rig.fed.db).await, (11, 11), "{backend}");
    }
}

#[tokio::test]
async fn a_remote_edit_keeps_the_previous_version() {
    for (backend, rig) in rigs().await {
        let note_id = format!("{}/notes/7", rig.remote.uri);
        let note = json!({
            "id": note_id, "type": "Note", "attributedTo": rig.remote.uri, "content": "<p>before</p>",
            "to": [rig.alice.uri],
        });
        let create =
            json!({"id": format!("{note_id}/activity"), "type": "Create", "actor": rig.remote.uri, "object": note});
        activities::receive(&rig.fed, &create, &rig.remote).await.unwrap();
        let mut edited = note.clone();
        edited["content"] = json!("<p>after</p><script>x</script>");
        edited["summary"] = json!("cw");
        let update = |n: u32, object: &Value| json!({"id": format!("{note_id}#update/{n}"), "type": "Update", "actor": rig.remote.uri, "object": object});
        activities::receive(&rig.fed, &update(1, &edited), &rig.remote).await.unwrap();
        // The same content again is no new version.
        activities::receive(&rig.fed, &update(2, &edited), &rig.remote).await.unwrap();
        let s = queries::status_by_uri(&rig.fed.db, &note_id).await.unwrap().unwrap();
        assert_eq!(s.content, "<p>after</p>", "{backend}: sanitised new content");
        assert!(s.edited_at.is_some());
        let versions = coopol_db::social::edits(&rig.fed.db, s.id).await.unwrap();
        let contents: Vec<&str> = versions.iter().map(|v| v.content.as_str()).collect();
        assert_eq!(contents, vec!["<p>before</p>", "<p>after</p>"], "{backend}");
        assert_eq!(versions[1].spoiler_text, "cw");
        // An Update of someone else's note changes nothing.
        let (other, _) = remote_account(&rig.fed.db, "eve").await;
        let mut forged = edited.clone();
        forged["content"] = json!("<p>forged</p>");
        assert!(activities::receive(&rig.fed, &update(3, &forged), &other).await.is_err(), "{backend}");
        assert_eq!(coopol_db::social::edits(&rig.fed.db, s.id).await.unwrap().len(), 2, "{backend}");
    }
}

#[tokio::test]
async fn a_remote_actor_s_profile_fields_are_kept_sanitised_and_bounded() {
    for (backend, rig) in rigs().await {
        let r = &rig.remote;
        let mut attachment: Vec<Value> = (0..30)
            .map(|n| json!({"type": "PropertyValue", "name": format!("f{n}"), "value": format!("<a href=\"https://x.example/{n}\" onclick=\"evil()\">x</a><script>1</script>")}))
            .collect();
        attachment.insert(0, json!({"type": "Link", "href": "https://ignored.example/"}));
        let actor = json!({
            "id": r.uri, "type": "Person", "preferredUsername": r.username, "inbox": r.inbox_url,
            "publicKey": {"id": r.public_key_id, "owner": r.uri, "publicKeyPem": r.public_key_pem},
            "attachment": attachment,
        });
        let update = json!({"id": format!("{}#update/1", r.uri), "type": "Update", "actor": r.uri, "object": actor});
        activities::receive(&rig.fed, &update, r).await.unwrap();
        let p = coopol_db::social::profile(&rig.fed.db, r.id).await.unwrap().expect("fields stored");
        let fields: Vec<Value> = serde_json::from_str(&p.fields).unwrap();
        assert_eq!(fields.len(), 10, "{backend}: at most 10 fields");
        assert_eq!(fields[0]["name"], "f0");
        let v = fields[0]["value"].as_str().unwrap();
        assert!(v.contains("href=\"https://x.example/0\"") && !v.contains("onclick") && !v.contains("script"), "{v}");
    }
}

#[tokio::test]
async fn received_activities_notify_once_and_reach_the_stream() {
    use coopol_db::notifications;
    use coopol_service::stream::Message;
    for (backend, rig) in rigs().await {
        let mut stream = rig.fed.stream.subscribe();
        let f = follow(&rig, 1);
        activities::receive(&rig.fed, &f, &rig.remote).await.unwrap();
        activities::receive(&rig.fed, &f, &rig.remote).await.unwrap();
        let note_id = format!("{}/notes/n1", rig.remote.uri);
        let note = json!({
            "id": note_id, "type": "Note", "attributedTo": rig.remote.uri, "content": "<p>hi @alice</p>",
            "to": [coopol_core::PUBLIC], "cc": [rig.alice.uri],
            "tag": [{"type": "Mention", "href": rig.alice.uri, "name": "@alice"}],
        });
        let create =
            json!({"id": format!("{note_id}/activity"), "type": "Create", "actor": rig.remote.uri, "object": note});
        activities::receive(&rig.fed, &create, &rig.remote).await.unwrap();
        let s = queries::status_by_uri(&rig.fed.db, &note_id).await.unwrap().expect("stored");
        // alice boosts it, then it is edited: she hears of the edit.
        let boost_uri = format!("{}/statuses/1/activity", rig.alice.uri);
        queries::boost_row(coopol_core::new_id(), &boost_uri, rig.alice.id, s.id, true)
            .insert(&rig.fed.db)
            .await
            .unwrap();
        let mut edited = note.clone();
        edited["content"] = json!("<p>edited</p>");
        let update =
            json!({"id": format!("{note_id}#update/1"), "type": "Update", "actor": rig.remote.uri, "object": edited});
        activities::receive(&rig.fed, &update, &rig.remote).await.unwrap();

        let page = queries::Page { limit: 40, ..Default::default() };
        let got =
            notifications::page(&rig.fed.db, rig.alice.id, &notifications::Filter::default(), page).await.unwrap();
        let mut kinds: Vec<&str> = got.iter().map(|n| n.kind.as_str()).collect();
        kinds.sort_unstable();
        assert_eq!(kinds, vec!["follow", "mention", "update"], "{backend}: one of each, the repeated Follow adds none");
        assert!(got.iter().all(|n| n.from_account_id == rig.remote.id), "{backend}");

        let mut seen = Vec::new();
        while let Ok(e) = stream.try_recv() {
            seen.push(e);
        }
        assert!(seen.contains(&Message::StatusCreated { status_id: s.id }), "{backend}: {seen:?}");
        assert!(seen.contains(&Message::StatusUpdated { status_id: s.id }), "{backend}: {seen:?}");
        assert_eq!(seen.iter().filter(|e| matches!(e, Message::Notification { .. })).count(), 3, "{backend}: {seen:?}");
    }
}

/// Records an activity as the inbox does after its checks (the worker's input).
async fn queue_activity(rig: &Rig, activity: &Value) {
    let id = activity["id"].as_str().unwrap().to_string();
    let actor = activity["actor"].as_str().unwrap().to_string();
    assert!(rig.fed.recorder.record(id, actor, activity.to_string()).await.unwrap());
}

/// A Create of a public note by `actor` that mentions alice, optionally answering `reply_to`.
fn mention_note(rig: &Rig, actor: &str, n: &str, reply_to: Option<&str>) -> Value {
    let note_id = format!("{actor}/notes/{n}");
    json!({"id": format!("{note_id}/activity"), "type": "Create", "actor": actor, "object": {
        "id": note_id, "type": "Note", "attributedTo": actor, "content": format!("<p>{n} @alice</p>"),
        "inReplyTo": reply_to, "to": [coopol_core::PUBLIC], "cc": [rig.alice.uri],
        "tag": [{"type": "Mention", "href": rig.alice.uri, "name": "@alice"}, {"type": "Hashtag", "name": "#Batch"}],
    }})
}

#[tokio::test]
async fn the_worker_applies_bursts_in_batches_and_keeps_each_actor_s_order() {
    use coopol_db::entities::{mentions, notifications, status_tags};
    for (backend, rig) in rigs().await {
        let (sue, _) = remote_account(&rig.fed.db, "sue").await;
        let rob = rig.remote.uri.clone();
        let mut events = rig.fed.stream.subscribe();
        // Interleaved: rob's notes 0..30, sue's notes 0..30, sue answering rob's first note, a
        // note rob refuses as his (attributed to sue), a note created, deleted and created again,
        // and a Follow between two Creates.
        let mut expected = Vec::new();
        for n in 0..30 {
            for actor in [&rob, &sue.uri] {
                queue_activity(&rig, &mention_note(&rig, actor, &format!("n{n}"), None)).await;
                expected.push(format!("{actor}/notes/n{n}"));
            }
            if n == 5 {
                let first = format!("{rob}/notes/n0");
                queue_activity(&rig, &mention_note(&rig, &sue.uri, "reply", Some(&first))).await;
                expected.push(format!("{}/notes/reply", sue.uri));
                let mut forged = mention_note(&rig, &rob, "forged", None);
                forged["object"]["attributedTo"] = json!(sue.uri);
                queue_activity(&rig, &forged).await;
            }
            if n == 10 {
                let gone = mention_note(&rig, &rob, "gone", None);
                queue_activity(&rig, &gone).await;
                let note_id = format!("{rob}/notes/gone");
                queue_activity(&rig, &json!({"id": format!("{note_id}#delete"), "type": "Delete", "actor": rob, "object": {"id": note_id, "type": "Tombstone"}})).await;
                let mut again = gone.clone();
                again["id"] = json!(format!("{note_id}/again"));
                queue_activity(&rig, &again).await;
                queue_activity(&rig, &follow(&rig, 7)).await;
            }
            if n == 20 {
                // An edit of an earlier note is an Update, applied after it, not a Create.
                let mut update = mention_note(&rig, &rob, "n3", None);
                update["type"] = json!("Update");
                update["id"] = json!(format!("{rob}/notes/n3#update"));
                update["object"]["content"] = json!("<p>edited</p>");
                queue_activity(&rig, &update).await;
            }
        }
        let worker = tokio::spawn(coopol_federation::inbox_worker::run(rig.fed.clone()));
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while queue::len(&rig.fed.db, QueueTable::Inbox).await.unwrap() > 0 {
            assert!(std::time::Instant::now() < deadline, "{backend}: the queue was not applied");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        worker.abort();

        let db = &rig.fed.db;
        let stored = statuses::Entity::find().all(db).await.unwrap();
        let mut uris: Vec<&str> = stored.iter().map(|s| s.uri.as_str()).collect();
        uris.sort_unstable();
        let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
        want.sort_unstable();
        assert_eq!(uris, want, "{backend}: the forged note and the deleted one are not stored");
        // Each actor's statuses have ids in the order their Creates arrived.
        for actor in [&rob, &sue.uri] {
            let mut mine: Vec<&statuses::Model> = stored.iter().filter(|s| s.uri.starts_with(actor.as_str())).collect();
            mine.sort_by_key(|s| s.id);
            let order: Vec<&str> = mine.iter().map(|s| s.uri.as_str()).collect();
            let arrival: Vec<&str> =
                expected.iter().filter(|u| u.starts_with(actor.as_str())).map(String::as_str).collect();
            assert_eq!(order, arrival, "{backend}: {actor}'s order");
        }
        let edited = stored.iter().find(|s| s.uri == format!("{rob}/notes/n3")).unwrap();
        assert_eq!(edited.content, "<p>edited</p>", "{backend}: the Update is applied");
        let reply = stored.iter().find(|s| s.uri.ends_with("/notes/reply")).unwrap();
        let first = stored.iter().find(|s| s.uri == format!("{rob}/notes/n0")).unwrap();
        assert_eq!(reply.in_reply_to_id, Some(first.id), "{backend}: a reply to a note of the same burst is linked");
        assert_eq!(mentions::Entity::find().count(db).await.unwrap(), stored.len() as u64, "{backend}");
        assert_eq!(status_tags::Entity::find().count(db).await.unwrap(), stored.len() as u64, "{backend}");
        let mentioned = notifications::Entity::find().all(db).await.unwrap();
        assert_eq!(
            mentioned.iter().filter(|n| n.kind == "mention").count(),
            stored.len(),
            "{backend}: one mention notification per stored note"
        );
        assert!(queries::follow_between(db, rig.remote.id, rig.alice.id).await.unwrap().is_some(), "{backend}");
        let mut created = 0;
        while let Ok(e) = events.try_recv() {
            if matches!(e, coopol_service::stream::Message::StatusCreated { .. }) {
                created += 1;
            }
        }
        // The Follow and the note created then deleted reach the bus too.
        assert!(created >= stored.len(), "{backend}: {created} StatusCreated events");
    }
}

/// A peer whose key cannot be fetched (404): many activities signed with it make one fetch, not
/// one each (`fetch_guard`), and are all refused with nothing stored.
#[tokio::test]
async fn a_key_that_cannot_be_fetched_is_not_fetched_again_for_each_request() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    let peer = axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { axum::http::StatusCode::NOT_FOUND }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, peer).await.unwrap() });

    let ghost = format!("http://{addr}/users/ghost");
    let keys = generate_rsa_keypair().unwrap();
    let key = SigningKey::from_pkcs8_pem(&format!("{ghost}#main-key"), &keys.private_pem).unwrap();
    for (name, rig) in rigs().await {
        let before = fetches.load(Ordering::SeqCst);
        for n in 0..20 {
            let body = json!({"id": format!("{ghost}/follows/{name}{n}"), "type": "Follow",
                "actor": ghost, "object": rig.alice.uri});
            let bytes = serde_json::to_vec(&body).unwrap();
            let answer = post(&rig, &body, signed(&key, &bytes, SystemTime::now())).await;
            assert!(matches!(answer, Err(FederationError::Unauthorized(_))), "{name}: {answer:?}");
        }
        assert_eq!(
            fetches.load(Ordering::SeqCst) - before,
            1,
            "{name}: the key's URL was fetched once for 20 requests"
        );
        assert_eq!(stored(&rig.fed.db).await, (0, 0), "{name}");
    }
}
