//! Interop fixtures: documents shaped as Mastodon, Lemmy, GoToSocial, Mitra, Mobilizon and
//! Misskey publish them (tests/fixtures/<software>/), read through the same code that reads
//! them off the network. Every interop bug adds a fixture here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use coopol_db::entities::{mentions, status_tags};
use coopol_db::queries;
use coopol_federation::actors;
use coopol_federation::note_store::store_remote_note;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

/// (fixture, username, domain, shared inbox, key id, locked)
type ActorCase = (&'static str, &'static str, &'static str, Option<&'static str>, &'static str, bool);

const ACTORS: &[ActorCase] = &[
    (
        "mastodon/person.json",
        "claire",
        "mastodon.example",
        Some("https://mastodon.example/inbox"),
        "https://mastodon.example/users/claire#main-key",
        false,
    ),
    (
        "lemmy/person.json",
        "dom",
        "lemmy.example",
        Some("https://lemmy.example/inbox"),
        "https://lemmy.example/u/dom#main-key",
        false,
    ),
    (
        "gotosocial/person.json",
        "eli",
        "gts.example",
        Some("https://gts.example/sharedInbox"),
        "https://gts.example/users/eli/main-key",
        true,
    ),
    ("mitra/person.json", "fatou", "mitra.example", None, "https://mitra.example/users/fatou#main-key", false),
    (
        "mobilizon/person.json",
        "gael",
        "mobilizon.example",
        Some("https://mobilizon.example/inbox"),
        "https://mobilizon.example/@gael#main-key",
        false,
    ),
    (
        "misskey/person.json",
        "hana",
        "misskey.example",
        Some("https://misskey.example/inbox"),
        "https://misskey.example/users/9abc#main-key",
        false,
    ),
];

#[tokio::test]
async fn actors_of_every_kind_are_read() {
    for (backend, fed) in common::federations(&["alice"]).await {
        for (file, username, domain, shared, key_id, locked) in ACTORS {
            let doc = fixture(file);
            let a = actors::upsert_remote_actor(&fed, &doc).await.unwrap_or_else(|e| panic!("{backend} {file}: {e}"));
            assert_eq!(a.username, *username, "{file}");
            assert_eq!(a.domain.as_deref(), Some(*domain), "{file}");
            assert_eq!(a.shared_inbox_url.as_deref(), *shared, "{file}");
            assert_eq!(a.public_key_id, *key_id, "{file}");
            assert_eq!(a.locked, *locked, "{file}");
            assert!(!a.note.contains("<script"), "{file}: bio not sanitised");
            // Read twice: the second time updates the same row.
            let again = actors::upsert_remote_actor(&fed, &doc).await.unwrap();
            assert_eq!(again.id, a.id, "{file}");
        }
        let mitra = queries::account_by_uri(&fed.db, "https://mitra.example/users/fatou").await.unwrap().unwrap();
        assert!(mitra.also_known_as.contains("https://old.example/users/fatou"));
    }
}

#[tokio::test]
async fn an_actor_claiming_a_key_of_another_origin_or_owner_is_refused() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let mut doc = fixture("mastodon/person.json");
        doc["publicKey"]["owner"] = Value::String("https://mastodon.example/users/other".into());
        assert!(actors::upsert_remote_actor(&fed, &doc).await.is_err(), "{backend}: foreign key owner");
        let mut doc = fixture("mastodon/person.json");
        doc["inbox"] = Value::String("https://elsewhere.example/inbox".into());
        assert!(actors::upsert_remote_actor(&fed, &doc).await.is_err(), "{backend}: inbox on another origin");
        let mut doc = fixture("mastodon/person.json");
        doc["id"] = Value::String("http://localhost:1/users/alice".into());
        assert!(actors::upsert_remote_actor(&fed, &doc).await.is_err(), "{backend}: claims a local id");
    }
}

/// (note fixture, author fixture, stored visibility, tags)
const NOTES: &[(&str, &str, &str, &[&str])] = &[
    ("mastodon/note.json", "mastodon/person.json", "public", &["manif"]),
    ("lemmy/page.json", "lemmy/person.json", "public", &[]),
    ("misskey/note.json", "misskey/person.json", "public", &[]),
];

#[tokio::test]
async fn notes_of_every_kind_are_read_and_sanitised() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        for (file, author_file, visibility, tags) in NOTES {
            let author = actors::upsert_remote_actor(&fed, &fixture(author_file)).await.unwrap();
            let note = fixture(file);
            let s = store_remote_note(&fed, &note, &author)
                .await
                .unwrap_or_else(|e| panic!("{backend} {file}: {e}"))
                .unwrap_or_else(|| panic!("{backend} {file}: not stored"));
            assert_eq!(s.visibility, *visibility, "{file}");
            assert!(!s.content.contains("onerror") && !s.content.contains("<img"), "{file}: {}", s.content);
            let mentioned: Vec<i64> = mentions::Entity::find()
                .filter(mentions::Column::StatusId.eq(s.id))
                .all(&fed.db)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.account_id)
                .collect();
            assert_eq!(mentioned, vec![alice.id], "{file}: the mention of a local account is linked");
            let stored_tags: Vec<String> = status_tags::Entity::find()
                .filter(status_tags::Column::StatusId.eq(s.id))
                .all(&fed.db)
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.name)
                .collect();
            assert_eq!(stored_tags, tags.iter().map(|t| t.to_string()).collect::<Vec<_>>(), "{file}");
            // The same note again has no second effect.
            assert!(store_remote_note(&fed, &note, &author).await.unwrap().is_none(), "{file}");
        }
        let mastodon = queries::status_by_uri(&fed.db, "https://mastodon.example/users/claire/statuses/1101").await;
        assert_eq!(mastodon.unwrap().unwrap().language.as_deref(), Some("fr"));
    }
}
