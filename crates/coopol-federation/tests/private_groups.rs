//! Private groups and their remote members, against a real database (SQLite, and PostgreSQL
//! when enabled): a post the group announced is served on a signed fetch to its accepted
//! members only, and its `Announce` goes to their inboxes, addressed to the members only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use coopol_core::{Intent, JoinMode};
use coopol_db::entities::{accounts, blocks, follows, mentions, statuses};
use coopol_db::{groups as gq, queries, Db};
use coopol_federation::actors::{create_local_group, NewGroup};
use coopol_federation::{outbox, routes, Federation};
use coopol_signatures::{generate_rsa_keypair, sign_request, SigningKey};
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use serde_json::Value;
use url::Url;

/// A remote person on `host`, with the key that signs their requests.
async fn remote_person(db: &Db, host: &str, name: &str) -> (accounts::Model, SigningKey) {
    let keys = generate_rsa_keypair().unwrap();
    let uri = format!("http://{host}/users/{name}");
    let key_id = format!("{uri}#main-key");
    let now = coopol_db::now();
    let a = accounts::ActiveModel {
        id: Set(coopol_core::new_id()),
        username: Set(name.into()),
        domain: Set(Some(host.into())),
        display_name: Set(name.into()),
        note: Set(String::new()),
        uri: Set(uri.clone()),
        url: Set(uri.clone()),
        actor_type: Set("Person".into()),
        inbox_url: Set(format!("{uri}/inbox")),
        shared_inbox_url: Set(Some(format!("http://{host}/inbox"))),
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

async fn follow(db: &Db, who: &accounts::Model, group: &accounts::Model, state: &str) {
    follows::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(who.id),
        target_account_id: Set(group.id),
        uri: Set(format!("{}/follows/{}", who.uri, coopol_core::new_id())),
        state: Set(state.into()),
        created_at: Set(coopol_db::now()),
        notify: Set(false),
        show_reblogs: Set(true),
    }
    .insert(db)
    .await
    .unwrap();
}

/// Everything the tests need: a private invite-only group `cell` administered by mia (who
/// wrote a post to it, which it announced), and remote people in every relation to it.
struct Rig {
    fed: Federation,
    post: statuses::Model,
    reblog_id: i64,
    member: SigningKey,
    pending: SigningKey,
    banned: SigningKey,
    outsider: SigningKey,
}

async fn rigs() -> Vec<(&'static str, Rig)> {
    let mut out = Vec::new();
    for (backend, db) in common::databases(&["mia"]).await {
        let config = common::config();
        let mia = queries::local_account(&db, "mia").await.unwrap().unwrap();
        let new = NewGroup {
            name: "cell",
            display_name: "Cell",
            description: "",
            rules: "",
            join_mode: JoinMode::Invite,
            private: true,
            members_visible: false,
        };
        let (group, settings) = create_local_group(&db, &config, &new, Some(&mia)).await.unwrap();
        let (member, member_key) = remote_person(&db, "a.test:1", "max").await;
        let (second, _) = remote_person(&db, "a.test:1", "meg").await;
        let (pending, pending_key) = remote_person(&db, "a.test:1", "pat").await;
        let (banned, banned_key) = remote_person(&db, "b.test:1", "ben").await;
        let (_, outsider_key) = remote_person(&db, "a.test:1", "nia").await;
        follow(&db, &member, &group, queries::FOLLOW_ACCEPTED).await;
        follow(&db, &second, &group, queries::FOLLOW_ACCEPTED).await;
        follow(&db, &pending, &group, queries::FOLLOW_PENDING).await;
        // A ban normally removes the follow; the group must stay shut even if one lingers.
        follow(&db, &banned, &group, queries::FOLLOW_ACCEPTED).await;
        blocks::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(group.id),
            target_account_id: Set(banned.id),
            uri: Set(format!("{}/blocks/1", group.uri)),
            created_at: Set(coopol_db::now()),
        }
        .insert(&db)
        .await
        .unwrap();
        // mia writes to the group: a direct post that mentions it.
        let id = coopol_core::new_id();
        let uri = config.status_url("mia", id);
        let post = statuses::ActiveModel {
            id: Set(id),
            uri: Set(uri.clone()),
            url: Set(uri),
            account_id: Set(mia.id),
            in_reply_to_id: Set(None),
            in_reply_to_uri: Set(None),
            in_reply_to_account_id: Set(None),
            reblog_of_id: Set(None),
            content: Set("<p>meeting at eight</p>".into()),
            source_text: Set(None),
            spoiler_text: Set(String::new()),
            sensitive: Set(false),
            visibility: Set("direct".into()),
            language: Set(None),
            local: Set(true),
            created_at: Set(coopol_db::now()),
            edited_at: Set(None),
        }
        .insert(&db)
        .await
        .unwrap();
        mentions::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(post.id), account_id: Set(group.id) }
            .insert(&db)
            .await
            .unwrap();
        let taking = gq::groups_taking(&db, &post, &[group.id]).await.unwrap();
        assert_eq!(taking.len(), 1, "{backend}: the private group takes its member's direct post");
        let txn = db.begin().await.unwrap();
        gq::announce_in_group(&txn, &group, &settings, post.id).await.unwrap();
        txn.commit().await.unwrap();
        let reblog_id = gq::group_post(&db, group.id, post.id).await.unwrap().unwrap().id;
        let fed = Federation::new(config, db).await.unwrap();
        out.push((
            backend,
            Rig {
                fed,
                post,
                reblog_id,
                member: member_key,
                pending: pending_key,
                banned: banned_key,
                outsider: outsider_key,
            },
        ));
    }
    out
}

/// GETs `path` as ActivityPub, signed by `key` when given; the status code.
async fn fetch(rig: &Rig, path: &str, key: Option<&SigningKey>) -> StatusCode {
    let mut headers = HeaderMap::new();
    if let Some(key) = key {
        let url = Url::parse(&format!("http://localhost:1{path}")).unwrap();
        for (k, v) in sign_request(key, &Method::GET, &url, None, SystemTime::now()).unwrap() {
            headers.insert(k, v);
        }
    }
    let mut req = Request::builder().method(Method::GET).uri(path).header("accept", "application/activity+json");
    for (k, v) in &headers {
        req = req.header(k, v);
    }
    let res =
        tower::ServiceExt::oneshot(routes::router(rig.fed.clone()), req.body(Body::empty()).unwrap()).await.unwrap();
    res.status()
}

#[tokio::test]
async fn a_private_group_s_post_is_served_to_its_accepted_members_only() {
    for (backend, rig) in rigs().await {
        let note = format!("/users/mia/statuses/{}", rig.post.id);
        let activity = format!("{note}/activity");
        for path in [&note, &activity] {
            assert_eq!(fetch(&rig, path, Some(&rig.member)).await, StatusCode::OK, "{backend}: member, {path}");
            assert_eq!(fetch(&rig, path, None).await, StatusCode::NOT_FOUND, "{backend}: anonymous, {path}");
            for (who, key) in [("non-member", &rig.outsider), ("pending", &rig.pending), ("banned", &rig.banned)] {
                assert_eq!(fetch(&rig, path, Some(key)).await, StatusCode::NOT_FOUND, "{backend}: {who}, {path}");
            }
        }
    }
}

#[tokio::test]
async fn a_private_group_announces_to_its_members_only() {
    for (backend, rig) in rigs().await {
        let out = outbox::build(&rig.fed, &Intent::Announce { reblog_id: rig.reblog_id }).await.unwrap().unwrap();
        let a: &Value = &out.activity;
        assert_eq!(a["type"], "Announce", "{backend}");
        assert_eq!(a["object"], rig.post.uri.as_str(), "{backend}: the post by reference");
        assert_eq!(a["to"], serde_json::json!(["http://localhost:1/users/cell/members"]), "{backend}");
        assert!(a.get("cc").is_none(), "{backend}: no followers, no Public: {a}");
        assert!(!a.to_string().contains(coopol_core::PUBLIC), "{backend}: {a}");
        // Two members on a.test share one inbox; the pending and the banned get nothing.
        assert_eq!(out.inboxes, vec!["http://a.test:1/inbox".to_string()], "{backend}");
        // A moderator's removal reaches the same people, and says no more.
        let announce_uri = a["id"].as_str().unwrap().to_string();
        let undo = Intent::UndoAnnounce { account_id: out.sender_account_id, status_id: rig.post.id, announce_uri };
        let out = outbox::build(&rig.fed, &undo).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Undo", "{backend}");
        assert_eq!(out.activity["to"], serde_json::json!(["http://localhost:1/users/cell/members"]), "{backend}");
        assert!(!out.activity.to_string().contains(coopol_core::PUBLIC), "{backend}: {}", out.activity);
        assert_eq!(out.inboxes, vec!["http://a.test:1/inbox".to_string()], "{backend}");
    }
}

#[tokio::test]
async fn edits_and_deletion_of_a_private_group_s_post_reach_its_members() {
    for (backend, rig) in rigs().await {
        let members = vec!["http://a.test:1/inbox".to_string()];
        let update = Intent::UpdateStatus { status_id: rig.post.id };
        let out = outbox::build(&rig.fed, &update).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Update", "{backend}");
        assert_eq!(out.inboxes, members, "{backend}: the members' copies are updated");
        let group = queries::local_account(&rig.fed.db, "cell").await.unwrap().unwrap();
        let delete = Intent::DeleteStatus {
            account_id: rig.post.account_id,
            uri: rig.post.uri.clone(),
            followers: false,
            mentioned: vec![group.id],
            replied_to: None,
            private_groups: gq::private_groups_of(&rig.fed.db, rig.post.id).await.unwrap(),
            public_groups: Vec::new(),
        };
        let out = outbox::build(&rig.fed, &delete).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Delete", "{backend}");
        assert!(out.activity["to"].as_array().unwrap().contains(&"http://localhost:1/users/cell/members".into()));
        assert!(!out.activity.to_string().contains(coopol_core::PUBLIC), "{backend}: {}", out.activity);
        assert_eq!(out.inboxes, members, "{backend}: the members' copies are deleted");
    }
}
