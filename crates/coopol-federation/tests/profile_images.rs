//! Remote actors' avatars and headers (`icon`, `image`) are kept when the actor is read, and
//! follow its updates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use coopol_db::profile_images::images_of;
use coopol_federation::actors;
use serde_json::{json, Value};

fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

#[tokio::test]
async fn a_remote_actors_icon_and_image_are_kept_and_follow_updates() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let mut doc = fixture("mastodon/person.json");
        doc["image"] =
            json!({"type": "Image", "mediaType": "image/jpeg", "url": "https://files.mastodon.example/h.jpg"});
        let a = actors::upsert_remote_actor(&fed, &doc).await.unwrap();
        let (avatar, header) = images_of(&fed.db, a.id).await.unwrap();
        let avatar = avatar.unwrap();
        assert_eq!(avatar.url, "https://files.mastodon.example/a.png", "{backend}");
        assert_eq!(avatar.content_type, "image/png", "{backend}");
        assert_eq!(avatar.file_key, None, "{backend}: remote images are never fetched");
        assert_eq!(header.unwrap().url, "https://files.mastodon.example/h.jpg", "{backend}");

        // A new avatar replaces the old one; a header that is not a web URL is dropped.
        doc["icon"]["url"] = json!("https://files.mastodon.example/b.png");
        doc["image"]["url"] = json!("javascript:alert(1)");
        actors::upsert_remote_actor(&fed, &doc).await.unwrap();
        let (avatar, header) = images_of(&fed.db, a.id).await.unwrap();
        assert_eq!(avatar.unwrap().url, "https://files.mastodon.example/b.png", "{backend}");
        assert!(header.is_none(), "{backend}");

        // An actor without an icon any more has none.
        doc.as_object_mut().unwrap().remove("icon");
        actors::upsert_remote_actor(&fed, &doc).await.unwrap();
        assert_eq!(images_of(&fed.db, a.id).await.unwrap(), (None, None), "{backend}");
    }
}
