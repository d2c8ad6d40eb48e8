//! Groups of other software, shaped as they publish them (tests/fixtures/{lemmy,mobilizon,
//! friendica}/), against a real database and a loopback peer that serves their documents: a
//! local person follows a Lemmy community, a Mobilizon group and a Friendica forum and sees
//! what they announce; a Lemmy user joins a local group and posts to it; a suspended group
//! neither takes members nor announces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use coopol_core::{Intent, JoinMode};
use coopol_db::entities::{accounts, follows, group_posts, outbox, statuses};
use coopol_db::queries::{self, Page, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_federation::actors::{self, NewGroup};
use coopol_federation::{activities, Federation};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait};
use serde_json::Value;

/// Documents a peer serves, by path; tests remove some to make them 404.
type Docs = Arc<Mutex<HashMap<String, Value>>>;

/// Paths whose next answer waits: `asked` is signalled when the request comes, and the answer
/// goes once `go` is, so a test can act while a fetch is under way.
type Held = Arc<Mutex<HashMap<String, (Arc<Notify>, Arc<Notify>)>>>;

/// A fixture with `host` (e.g. `https://lemmy.example`) rewritten to the peer's base URL.
fn fixture(path: &str, host: &str, base: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap().replace(host, base);
    serde_json::from_str(&text).unwrap()
}

/// A loopback peer standing for `host`, serving the given fixtures at their ids' paths.
struct Peer {
    host: &'static str,
    base: String,
    docs: Docs,
    held: Held,
}

impl Peer {
    async fn start(host: &'static str, files: &[&str]) -> Peer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        let docs: Docs = Arc::default();
        for f in files {
            let doc = fixture(f, host, &base);
            let path = doc["id"].as_str().unwrap().strip_prefix(&base).unwrap().to_string();
            docs.lock().unwrap().insert(path, doc);
        }
        let (served, held) = (docs.clone(), Held::default());
        let holds = held.clone();
        let app = Router::new().fallback(move |uri: Uri| {
            let (served, holds) = (served.clone(), holds.clone());
            async move {
                let gate = holds.lock().unwrap().remove(uri.path());
                if let Some((asked, go)) = gate {
                    asked.notify_one();
                    go.notified().await;
                }
                let doc = served.lock().unwrap().get(uri.path()).cloned();
                match doc {
                    Some(doc) => {
                        ([(header::CONTENT_TYPE, "application/activity+json")], doc.to_string()).into_response()
                    }
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Peer { host, base, docs, held }
    }

    /// Holds the next answer for `path`: returns (`asked`, `go`), see `Held`.
    fn hold(&self, path: &str) -> (Arc<Notify>, Arc<Notify>) {
        let gate = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        self.held.lock().unwrap().insert(path.into(), gate.clone());
        gate
    }

    /// Serves NodeInfo saying the peer runs `software`.
    fn serve_nodeinfo(&self, software: &str) {
        let links = serde_json::json!({"links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": self.url("/nodeinfo/2.0.json")},
        ]});
        let doc = serde_json::json!({"version": "2.0", "software": {"name": software, "version": "1.0"},
            "protocols": ["activitypub"], "usage": {"users": {}}, "openRegistrations": false});
        let mut docs = self.docs.lock().unwrap();
        docs.insert("/.well-known/nodeinfo".into(), links);
        docs.insert("/nodeinfo/2.0.json".into(), doc);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn doc(&self, file: &str) -> Value {
        fixture(file, self.host, &self.base)
    }

    /// An answer to a local follow, its `FOLLOW_ID` placeholder replaced.
    fn answer(&self, file: &str, follow_uri: &str) -> Value {
        let text = self.doc(file).to_string().replace("FOLLOW_ID", follow_uri);
        serde_json::from_str(&text).unwrap()
    }

    fn forget(&self, path: &str) {
        self.docs.lock().unwrap().remove(path);
    }
}

/// A pending follow of `target` by a local account, and the `Follow` we send for it.
async fn follow(fed: &Federation, me: &accounts::Model, target: &accounts::Model) -> (follows::Model, Value) {
    let id = coopol_core::new_id();
    let f = follows::ActiveModel {
        id: Set(id),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        uri: Set(fed.config.activity_url(&me.username, "follow", id)),
        state: Set(FOLLOW_PENDING.into()),
        created_at: Set(coopol_db::now()),
        notify: Set(false),
        show_reblogs: Set(true),
    }
    .insert(&fed.db)
    .await
    .unwrap();
    let out = coopol_federation::outbox::build(fed, &Intent::Follow { follow_id: f.id }).await.unwrap().unwrap();
    assert_eq!(out.inboxes, vec![target.inbox_url.clone()], "the Follow goes to the group's inbox");
    (f, out.activity)
}

async fn state(fed: &Federation, f: &follows::Model) -> Option<String> {
    follows::Entity::find_by_id(f.id).one(&fed.db).await.unwrap().map(|f| f.state)
}

/// The boosts `booster` made that `me` sees at home, as the uris of the posts boosted.
async fn boosted_at_home(fed: &Federation, me: &accounts::Model, booster: &accounts::Model) -> Vec<String> {
    let mut out = Vec::new();
    for s in queries::home_timeline(&fed.db, me.id, Page { limit: 40, ..Page::default() }).await.unwrap() {
        if let (true, Some(orig)) = (s.account_id == booster.id, s.reblog_of_id) {
            out.push(queries::status_by_id(&fed.db, orig).await.unwrap().unwrap().uri);
        }
    }
    out
}

async fn intents(fed: &Federation) -> Vec<Intent> {
    let rows = outbox::Entity::find().all(&fed.db).await.unwrap();
    rows.iter().map(|r| serde_json::from_str(&r.intent).unwrap()).collect()
}

#[tokio::test]
async fn a_local_person_follows_a_lemmy_community_and_reads_its_posts() {
    let files = ["lemmy/community.json", "lemmy/person.json", "lemmy/page.json", "lemmy/page_link.json"];
    for (backend, fed) in common::federations(&["alice"]).await {
        let lemmy = Peer::start("https://lemmy.example", &files).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let community = actors::resolve_actor(&fed, &lemmy.url("/c/ecologie")).await.unwrap();
        assert_eq!(community.actor_type, "Group", "{backend}");
        assert_eq!(community.username, "ecologie", "{backend}");
        assert_eq!(community.shared_inbox_url.as_deref(), Some(lemmy.url("/inbox").as_str()), "{backend}");
        assert!(community.note.contains("soyez courtois"), "{backend}: the sidebar (rules) is the summary");
        let (avatar, header) = coopol_db::profile_images::images_of(&fed.db, community.id).await.unwrap();
        assert!(avatar.unwrap().url.ends_with("/pictrs/image/ecologie-icon.png"), "{backend}");
        assert!(header.unwrap().url.ends_with("/pictrs/image/ecologie-banner.png"), "{backend}");

        let (f, sent) = follow(&fed, &alice, &community).await;
        assert_eq!(sent["type"], "Follow", "{backend}");
        assert_eq!(sent["object"], community.uri, "{backend}");
        assert_eq!(sent["actor"], alice.uri, "{backend}");
        // Lemmy answers with its own rendering of our Follow, embedded.
        let accept = lemmy.answer("lemmy/accept_follow.json", &f.uri);
        activities::receive(&fed, &accept, &community).await.unwrap();
        assert_eq!(state(&fed, &f).await.as_deref(), Some(FOLLOW_ACCEPTED), "{backend}: the Accept is applied");

        // Announce(Create(Page)): the post is fetched from its origin (the embedded copy is not
        // trusted), stored with its title, and the community's boost is in alice's home.
        let post = lemmy.url("/post/77");
        activities::receive(&fed, &lemmy.doc("lemmy/announce_create_page.json"), &community).await.unwrap();
        let s = queries::status_by_uri(&fed.db, &post).await.unwrap().expect("the announced Page is stored");
        assert!(s.content.starts_with("<p><strong>Pétition transports</strong></p>"), "{backend}: {}", s.content);
        assert!(s.content.contains("Signez ici"), "{backend}");
        assert_eq!(s.visibility, "public", "{backend}");
        let dom = queries::account_by_uri(&fed.db, &lemmy.url("/u/dom")).await.unwrap().unwrap();
        assert_eq!(s.account_id, dom.id, "{backend}: by its author, not by the community");
        assert_eq!(boosted_at_home(&fed, &alice, &community).await, vec![post.clone()], "{backend}");

        // Announce(Page) with `audience`: the link post, with its title and link.
        activities::receive(&fed, &lemmy.doc("lemmy/announce_page.json"), &community).await.unwrap();
        let link = queries::status_by_uri(&fed.db, &lemmy.url("/post/78")).await.unwrap().unwrap();
        assert!(
            link.content.contains("<strong>Vélo &amp; train : le comparatif</strong>"),
            "{backend}: {}",
            link.content
        );
        assert!(link.content.contains("href=\"https://velo.example/comparatif\""), "{backend}: {}", link.content);
        assert_eq!(boosted_at_home(&fed, &alice, &community).await.len(), 2, "{backend}");

        // Announce(Update(Page)): the post is read again from its origin, not from the
        // embedded copy (here a forged one): the origin now serves an edited text.
        let mut edited = lemmy.doc("lemmy/page_link.json");
        edited["content"] = Value::String("<p>Lisez le lien (corrigé)</p>".into());
        lemmy.docs.lock().unwrap().insert("/post/78".into(), edited);
        activities::receive(&fed, &lemmy.doc("lemmy/announce_update.json"), &community).await.unwrap();
        let link = queries::status_by_uri(&fed.db, &lemmy.url("/post/78")).await.unwrap().unwrap();
        assert!(link.content.contains("(corrigé)"), "{backend}: {}", link.content);
        assert!(!link.content.contains("falsifié") && !link.content.contains("faux titre"), "{backend}");
        assert!(link.edited_at.is_some(), "{backend}");

        // Announce(Like) is ignored, without error and without effect.
        activities::receive(&fed, &lemmy.doc("lemmy/announce_like.json"), &community).await.unwrap();
        assert_eq!(boosted_at_home(&fed, &alice, &community).await.len(), 2, "{backend}");

        // Announce(Delete) while the post is still served: kept (the embedded Delete is not
        // trusted); once its origin answers 404, the post goes and never comes back.
        let delete = lemmy.doc("lemmy/announce_delete.json");
        activities::receive(&fed, &delete, &community).await.unwrap();
        assert!(queries::status_by_uri(&fed.db, &post).await.unwrap().is_some(), "{backend}: still served");
        lemmy.forget("/post/77");
        activities::receive(&fed, &delete, &community).await.unwrap();
        assert!(queries::status_by_uri(&fed.db, &post).await.unwrap().is_none(), "{backend}: deleted");
        assert!(queries::is_tombstoned(&fed.db, &post).await.unwrap(), "{backend}");
        assert_eq!(boosted_at_home(&fed, &alice, &community).await.len(), 1, "{backend}");
    }
}

async fn local_group(fed: &Federation, admin: &accounts::Model, name: &str) -> accounts::Model {
    let new = NewGroup {
        name,
        display_name: "Greens",
        description: "ecology",
        rules: "be kind",
        join_mode: JoinMode::Open,
        private: false,
        members_visible: false,
    };
    actors::create_local_group(&fed.db, &fed.config, &new, Some(admin)).await.unwrap().0
}

#[tokio::test]
async fn a_lemmy_user_joins_a_local_group_and_posts_a_page_the_group_announces() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let lemmy = Peer::start("https://lemmy.example", &["lemmy/person.json"]).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let greens = local_group(&fed, &alice, "greens").await;
        let dom = actors::resolve_actor(&fed, &lemmy.url("/u/dom")).await.unwrap();

        activities::receive(&fed, &lemmy.doc("lemmy/follow_group.json"), &dom).await.unwrap();
        let f = queries::follow_between(&fed.db, dom.id, greens.id).await.unwrap().unwrap();
        assert_eq!(f.state, FOLLOW_ACCEPTED, "{backend}: an open group takes the Lemmy user");
        let accept = Intent::AcceptFollow { follow_id: f.id };
        assert!(intents(&fed).await.contains(&accept), "{backend}: Lemmy gets an Accept");
        let out = coopol_federation::outbox::build(&fed, &accept).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Accept", "{backend}");
        assert_eq!(out.activity["actor"], greens.uri, "{backend}");

        // Create(Page) with `audience` and `to` the group: stored with its title, announced.
        activities::receive(&fed, &lemmy.doc("lemmy/create_page_in_group.json"), &dom).await.unwrap();
        let s = queries::status_by_uri(&fed.db, &lemmy.url("/post/80")).await.unwrap().expect("stored");
        assert!(s.content.contains("<strong>Réunion jeudi</strong>"), "{backend}: {}", s.content);
        let announced = group_posts::Entity::find()
            .filter(group_posts::Column::GroupAccountId.eq(greens.id))
            .filter(group_posts::Column::StatusId.eq(s.id))
            .one(&fed.db)
            .await
            .unwrap()
            .expect("the group announces the member's Page");
        let intent = Intent::Announce { reblog_id: announced.id };
        assert!(intents(&fed).await.contains(&intent), "{backend}");
        let out = coopol_federation::outbox::build(&fed, &intent).await.unwrap().unwrap();
        assert_eq!(out.activity["type"], "Announce", "{backend}");
        assert_eq!(out.activity["actor"], greens.uri, "{backend}");
        assert_eq!(out.activity["object"], s.uri, "{backend}");
        assert!(out.inboxes.contains(&lemmy.url("/inbox")), "{backend}: the Lemmy member's server gets it");
        // The group's local admin sees it at home, boosted by the group.
        assert_eq!(boosted_at_home(&fed, &alice, &greens).await, vec![s.uri.clone()], "{backend}");
    }
}

#[tokio::test]
async fn a_suspended_group_keeps_its_roles_but_takes_no_member_and_announces_nothing() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let lemmy = Peer::start("https://lemmy.example", &["lemmy/person.json"]).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let greens = local_group(&fed, &alice, "greens").await;
        let dom = actors::resolve_actor(&fed, &lemmy.url("/u/dom")).await.unwrap();
        activities::receive(&fed, &lemmy.doc("lemmy/follow_group.json"), &dom).await.unwrap();
        assert!(coopol_db::groups::role_of(&fed.db, greens.id, dom.id).await.unwrap().is_some(), "{backend}");

        // What `coopol admin group suspend` does.
        let mut m = greens.clone().into_active_model();
        m.suspended = Set(true);
        let greens = m.update(&fed.db).await.unwrap();
        assert!(coopol_db::groups::role_of(&fed.db, greens.id, dom.id).await.unwrap().is_some(), "{backend}: kept");

        activities::receive(&fed, &lemmy.doc("lemmy/create_page_in_group.json"), &dom).await.unwrap();
        let announced = group_posts::Entity::find()
            .filter(group_posts::Column::GroupAccountId.eq(greens.id))
            .all(&fed.db)
            .await
            .unwrap();
        assert!(announced.is_empty(), "{backend}: a suspended group announces nothing");

        // A new Follow is rejected.
        let mut join = lemmy.doc("lemmy/follow_group.json");
        join["id"] = Value::String(lemmy.url("/activities/follow/second"));
        follows::Entity::delete_many().filter(follows::Column::AccountId.eq(dom.id)).exec(&fed.db).await.unwrap();
        activities::receive(&fed, &join, &dom).await.unwrap();
        assert!(queries::follow_between(&fed.db, dom.id, greens.id).await.unwrap().is_none(), "{backend}");
        let reject = Intent::RejectFollow {
            account_id: greens.id,
            follower_account_id: dom.id,
            follow_uri: lemmy.url("/activities/follow/second"),
        };
        assert!(intents(&fed).await.contains(&reject), "{backend}: Lemmy is told no");
    }
}

#[tokio::test]
async fn a_mobilizon_group_is_stored_as_a_group_and_followed() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let mobilizon = Peer::start("https://mobilizon.example", &["mobilizon/group.json"]).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let group = actors::resolve_actor(&fed, &mobilizon.url("/@climat")).await.unwrap();
        assert_eq!(group.actor_type, "Group", "{backend}");
        assert_eq!(group.username, "climat", "{backend}");
        assert_eq!(group.display_name, "Collectif Climat", "{backend}");
        assert!(group.note.contains("Actions locales"), "{backend}");
        assert_eq!(group.shared_inbox_url.as_deref(), Some(mobilizon.url("/inbox").as_str()), "{backend}");
        let (avatar, _) = coopol_db::profile_images::images_of(&fed.db, group.id).await.unwrap();
        assert_eq!(avatar.unwrap().content_type, "image/png", "{backend}");

        let (f, _) = follow(&fed, &alice, &group).await;
        // Mobilizon's Accept names our Follow by id.
        activities::receive(&fed, &mobilizon.answer("mobilizon/accept_follow.json", &f.uri), &group).await.unwrap();
        assert_eq!(state(&fed, &f).await.as_deref(), Some(FOLLOW_ACCEPTED), "{backend}");
    }
}

#[tokio::test]
async fn a_friendica_forum_is_followed_and_its_announces_accepted() {
    let files = ["friendica/forum.json", "friendica/person.json", "friendica/note.json"];
    for (backend, fed) in common::federations(&["alice"]).await {
        let friendica = Peer::start("https://friendica.example", &files).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let forum = actors::resolve_actor(&fed, &friendica.url("/profile/forum")).await.unwrap();
        assert_eq!(forum.actor_type, "Group", "{backend}");
        assert_eq!(forum.followers_url.as_deref(), Some(friendica.url("/followers/forum").as_str()), "{backend}");

        let (f, _) = follow(&fed, &alice, &forum).await;
        activities::receive(&fed, &friendica.answer("friendica/accept_follow.json", &f.uri), &forum).await.unwrap();
        assert_eq!(state(&fed, &f).await.as_deref(), Some(FOLLOW_ACCEPTED), "{backend}");

        // The forum announces a member's note by id: fetched, stored, boosted at alice's home.
        activities::receive(&fed, &friendica.doc("friendica/announce.json"), &forum).await.unwrap();
        let note = friendica.url("/objects/0c1d2e3f-4455-6677-8899-aabbccddeeff");
        let s = queries::status_by_uri(&fed.db, &note).await.unwrap().expect("stored");
        assert!(s.content.contains("Vide-grenier dimanche"), "{backend}");
        let sam = queries::account_by_uri(&fed.db, &friendica.url("/profile/sam")).await.unwrap().unwrap();
        assert_eq!(s.account_id, sam.id, "{backend}");
        assert_eq!(boosted_at_home(&fed, &alice, &forum).await, vec![note], "{backend}");
        // The same Announce again has no second effect.
        activities::receive(&fed, &friendica.doc("friendica/announce.json"), &forum).await.unwrap();
        assert_eq!(boosted_at_home(&fed, &alice, &forum).await.len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn a_forums_boost_is_kept_when_the_authors_create_is_applied_during_the_fetch() {
    // Activities of different actors are applied side by side: the author's `Create` may store
    // the note while the forum's `Announce` is fetching it. The boost must not be lost.
    let files = ["friendica/forum.json", "friendica/person.json", "friendica/note.json"];
    for (backend, fed) in common::federations(&["alice"]).await {
        let friendica = Peer::start("https://friendica.example", &files).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let forum = actors::resolve_actor(&fed, &friendica.url("/profile/forum")).await.unwrap();
        let (f, _) = follow(&fed, &alice, &forum).await;
        activities::receive(&fed, &friendica.answer("friendica/accept_follow.json", &f.uri), &forum).await.unwrap();

        let path = "/objects/0c1d2e3f-4455-6677-8899-aabbccddeeff";
        let (asked, go) = friendica.hold(path);
        let announce = friendica.doc("friendica/announce.json");
        let receiving = tokio::spawn({
            let (fed, forum) = (fed.clone(), forum.clone());
            async move { activities::receive(&fed, &announce, &forum).await }
        });
        asked.notified().await;
        let sam = actors::resolve_actor(&fed, &friendica.url("/profile/sam")).await.unwrap();
        let note = friendica.doc("friendica/note.json");
        let created = coopol_federation::note_store::store_remote_note(&fed, &note, &sam).await.unwrap();
        assert!(created.is_some(), "{backend}: the author's Create stores the note first");
        go.notify_one();
        receiving.await.unwrap().unwrap();
        assert_eq!(boosted_at_home(&fed, &alice, &forum).await, vec![friendica.url(path)], "{backend}");
    }
}

/// A public post by a local account, written to `group` and announced by it; the boost's id.
async fn post_to_group(
    fed: &Federation,
    author: &accounts::Model,
    group: &accounts::Model,
    html: &str,
) -> (statuses::Model, i64) {
    let id = coopol_core::new_id();
    let uri = fed.config.status_url(&author.username, id);
    let post = statuses::ActiveModel {
        id: Set(id),
        uri: Set(uri.clone()),
        url: Set(uri),
        account_id: Set(author.id),
        in_reply_to_id: Set(None),
        in_reply_to_uri: Set(None),
        in_reply_to_account_id: Set(None),
        reblog_of_id: Set(None),
        content: Set(html.into()),
        source_text: Set(None),
        spoiler_text: Set(String::new()),
        sensitive: Set(false),
        visibility: Set("public".into()),
        language: Set(None),
        local: Set(true),
        created_at: Set(coopol_db::now()),
        edited_at: Set(None),
    }
    .insert(&fed.db)
    .await
    .unwrap();
    let settings = coopol_db::groups::settings(&fed.db, group.id).await.unwrap().unwrap();
    let txn = fed.db.begin().await.unwrap();
    coopol_db::groups::announce_in_group(&txn, group, &settings, post.id).await.unwrap();
    txn.commit().await.unwrap();
    let reblog_id = coopol_db::groups::group_post(&fed.db, group.id, post.id).await.unwrap().unwrap().id;
    (post, reblog_id)
}

#[tokio::test]
async fn lemmy_servers_get_a_groups_posts_as_announced_creates_and_mastodon_the_post_id() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let lemmy = Peer::start("https://lemmy.example", &["lemmy/person.json"]).await;
        lemmy.serve_nodeinfo("lemmy");
        let mastodon = Peer::start("https://mastodon.example", &["mastodon/person.json"]).await;
        mastodon.serve_nodeinfo("mastodon");
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let greens = local_group(&fed, &alice, "greens").await;
        let dom = actors::resolve_actor(&fed, &lemmy.url("/u/dom")).await.unwrap();
        let claire = actors::resolve_actor(&fed, &mastodon.url("/users/claire")).await.unwrap();
        activities::receive(&fed, &lemmy.doc("lemmy/follow_group.json"), &dom).await.unwrap();
        let follow = serde_json::json!({"id": mastodon.url("/follows/1"), "type": "Follow",
            "actor": claire.uri, "object": greens.uri});
        activities::receive(&fed, &follow, &claire).await.unwrap();

        let html = "<p>Réunion <strong>jeudi</strong> à 19 h</p><p>Salle des fêtes</p>";
        let (post, reblog_id) = post_to_group(&fed, &alice, &greens, html).await;
        let outs = coopol_federation::outbox::build_all(&fed, &Intent::Announce { reblog_id }).await.unwrap();
        assert_eq!(outs.len(), 2, "{backend}: one shape per kind of server");
        let lemmy_inbox = lemmy.url("/inbox");
        let (to_lemmy, to_others): (Vec<_>, Vec<_>) = outs.iter().partition(|o| o.inboxes.contains(&lemmy_inbox));

        // Lemmy: Announce(Create(Page)), which it reads as a post of the community.
        let a = &to_lemmy[0].activity;
        assert_eq!(to_lemmy[0].inboxes, vec![lemmy_inbox.clone()], "{backend}");
        assert_eq!(a["type"], "Announce", "{backend}");
        assert_eq!(a["actor"], greens.uri, "{backend}");
        assert!(a["to"].as_array().unwrap().iter().any(|v| v == coopol_core::PUBLIC), "{backend}: public");
        let create = &a["object"];
        assert_eq!(create["type"], "Create", "{backend}");
        assert_eq!(create["actor"], alice.uri, "{backend}: the member's Create, not the group's");
        let page = &create["object"];
        assert_eq!(page["id"], post.uri, "{backend}");
        assert_eq!(page["type"], "Page", "{backend}");
        assert_eq!(page["name"], "Réunion jeudi à 19 h", "{backend}: the first line is the title");
        assert_eq!(page["audience"], greens.uri, "{backend}");
        assert_eq!(page["attributedTo"], alice.uri, "{backend}");
        assert!(page["content"].as_str().unwrap().contains("Salle des fêtes"), "{backend}");
        assert!(page["inReplyTo"].is_null(), "{backend}: Lemmy parses a post only without inReplyTo");
        let create_id = url::Url::parse(create["id"].as_str().unwrap()).unwrap();
        let author = url::Url::parse(&alice.uri).unwrap();
        assert_eq!(create_id.origin(), author.origin(), "{backend}: Lemmy checks the Create is the author's");

        // Everyone else: the Mastodon way, the post's id.
        let o = to_others[0];
        assert!(o.inboxes.contains(&mastodon.url("/inbox")) && !o.inboxes.contains(&lemmy_inbox), "{backend}");
        assert_eq!(o.activity["object"], post.uri, "{backend}");
        assert_ne!(o.activity["id"], a["id"], "{backend}: two activities, two ids");

        // alice edits her post. claire follows the group, not alice: she holds the group's
        // boost and hears of the edit all the same; Lemmy gets it announced by the group.
        let mut m: statuses::ActiveModel = post.clone().into();
        m.content = Set("<p>Réunion vendredi à 19 h</p>".into());
        m.edited_at = Set(Some(coopol_db::now()));
        let edited = m.update(&fed.db).await.unwrap();
        let outs =
            coopol_federation::outbox::build_all(&fed, &Intent::UpdateStatus { status_id: edited.id }).await.unwrap();
        let (to_lemmy, to_others): (Vec<_>, Vec<_>) = outs.iter().partition(|o| o.inboxes.contains(&lemmy_inbox));
        assert_eq!(to_lemmy.len(), 1, "{backend}");
        let a = &to_lemmy[0].activity;
        assert_eq!((&a["type"], &a["actor"]), (&"Announce".into(), &greens.uri.clone().into()), "{backend}");
        assert_eq!(a["object"]["type"], "Update", "{backend}");
        assert_eq!(a["object"]["actor"], alice.uri, "{backend}");
        assert_eq!(a["object"]["object"]["type"], "Page", "{backend}");
        assert_eq!(a["object"]["object"]["name"], "Réunion vendredi à 19 h", "{backend}");
        assert_eq!(to_others.len(), 1, "{backend}");
        assert_eq!(to_others[0].activity["type"], "Update", "{backend}");
        assert!(to_others[0].inboxes.contains(&mastodon.url("/inbox")), "{backend}: the group's follower");

        // alice deletes it: the same two ways.
        let delete = Intent::DeleteStatus {
            account_id: alice.id,
            uri: post.uri.clone(),
            followers: true,
            mentioned: vec![],
            replied_to: None,
            private_groups: vec![],
            public_groups: coopol_db::groups::public_groups_of(&fed.db, post.id).await.unwrap(),
        };
        let outs = coopol_federation::outbox::build_all(&fed, &delete).await.unwrap();
        let (to_lemmy, to_others): (Vec<_>, Vec<_>) = outs.iter().partition(|o| o.inboxes.contains(&lemmy_inbox));
        let a = &to_lemmy[0].activity;
        assert_eq!(a["object"]["type"], "Delete", "{backend}");
        assert_eq!(a["object"]["object"], post.uri, "{backend}");
        assert!(a["object"]["to"].as_array().unwrap().iter().any(|v| v == coopol_core::PUBLIC), "{backend}");
        assert_eq!(to_others[0].activity["type"], "Delete", "{backend}");
        assert!(to_others[0].inboxes.contains(&mastodon.url("/inbox")), "{backend}: the group's follower");
        assert!(!to_others[0].inboxes.contains(&lemmy_inbox), "{backend}");

        // Had she not deleted it: alice, the group's admin, takes it out of the group. Lemmy
        // gets her removal (a moderator's Delete) announced by the group, the others the
        // group's Undo(Announce).
        let settings = coopol_db::groups::settings(&fed.db, greens.id).await.unwrap().unwrap();
        let txn = fed.db.begin().await.unwrap();
        let action = coopol_core::group::ModAction::RemovePost;
        coopol_db::groups::log(&txn, greens.id, Some(alice.id), action, Some(alice.id), Some(&post.uri), "hors sujet")
            .await
            .unwrap();
        let undo = coopol_db::groups::remove_post(&txn, &settings, post.id).await.unwrap().unwrap().unwrap();
        txn.commit().await.unwrap();
        let outs = coopol_federation::outbox::build_all(&fed, &undo).await.unwrap();
        let (to_lemmy, to_others): (Vec<_>, Vec<_>) = outs.iter().partition(|o| o.inboxes.contains(&lemmy_inbox));
        let a = &to_lemmy[0].activity;
        assert_eq!((&a["type"], &a["actor"]), (&"Announce".into(), &greens.uri.clone().into()), "{backend}");
        assert_eq!(a["object"]["type"], "Delete", "{backend}");
        assert_eq!(a["object"]["actor"], alice.uri, "{backend}: the moderator, a person of the group's server");
        assert_eq!(a["object"]["object"], post.uri, "{backend}");
        assert_eq!(a["object"]["summary"], "hors sujet", "{backend}");
        assert_eq!(to_others[0].activity["type"], "Undo", "{backend}");
        assert!(to_others[0].inboxes.contains(&mastodon.url("/inbox")), "{backend}");
    }
}

#[tokio::test]
async fn a_group_whose_followers_run_no_lemmy_sends_one_announce() {
    for (backend, fed) in common::federations(&["alice"]).await {
        // No NodeInfo at all: taken as not Lemmy, and asked again only after a week.
        let lemmy_less = Peer::start("https://lemmy.example", &["lemmy/person.json"]).await;
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let greens = local_group(&fed, &alice, "greens").await;
        let dom = actors::resolve_actor(&fed, &lemmy_less.url("/u/dom")).await.unwrap();
        activities::receive(&fed, &lemmy_less.doc("lemmy/follow_group.json"), &dom).await.unwrap();
        lemmy_less.serve_nodeinfo("lemmy");
        assert_eq!(coopol_federation::nodeinfo::learn(&fed, &dom.uri).await.unwrap(), None, "{backend}: cached");

        let (post, reblog_id) = post_to_group(&fed, &alice, &greens, "<p>Tract</p>").await;
        let outs = coopol_federation::outbox::build_all(&fed, &Intent::Announce { reblog_id }).await.unwrap();
        assert_eq!(outs.len(), 1, "{backend}");
        assert_eq!(outs[0].activity["object"], post.uri, "{backend}");
        assert_eq!(outs[0].inboxes, vec![lemmy_less.url("/inbox")], "{backend}");
    }
}
