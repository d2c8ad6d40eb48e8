//! Avatars and headers in actor documents: `icon` and `image` (`{"type": "Image", "mediaType",
//! "url"}`) of local actors, and those of remote actors read (never fetched) and kept so apps
//! show them.

use coopol_db::entities::accounts;
use coopol_db::profile_images::{self, AVATAR, HEADER};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use url::Url;

use crate::{Federation, FederationError};

/// Longest image URL kept from a remote actor.
pub const MAX_IMAGE_URL: usize = 2048;
/// Longest media type kept from a remote actor.
const MAX_MEDIA_TYPE: usize = 100;

/// Adds `icon` (avatar) and `image` (header) to a local actor's document, when set.
pub async fn add_to_actor(fed: &Federation, a: &accounts::Model, doc: &mut Value) -> Result<(), FederationError> {
    let (avatar, header) = profile_images::images_of(&fed.db, a.id).await?;
    if let Some(map) = doc.as_object_mut() {
        for (field, img) in [("icon", avatar), ("image", header)] {
            if let Some(img) = img {
                map.insert(field.into(), json!({ "type": "Image", "mediaType": img.content_type, "url": img.url }));
            }
        }
    }
    Ok(())
}

/// The URL and media type of an actor's `icon` or `image`: an `Image` object (or a list of
/// them, the first kept) whose `url` is an http(s) URL of bounded length, or a bare URL.
pub fn remote_image(doc: &Value, field: &str) -> Option<(String, String)> {
    let v = match doc.get(field)? {
        Value::Array(items) => items.first()?,
        v => v,
    };
    let (url, media_type) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(o) => {
            let url = match o.get("url")? {
                Value::String(s) => s.as_str(),
                Value::Object(l) => l.get("href")?.as_str()?,
                Value::Array(a) => match a.first()? {
                    Value::String(s) => s.as_str(),
                    Value::Object(l) => l.get("href")?.as_str()?,
                    _ => return None,
                },
                _ => return None,
            };
            (url, o.get("mediaType").and_then(Value::as_str))
        }
        _ => return None,
    };
    if url.len() > MAX_IMAGE_URL {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return None;
    }
    let media_type = media_type
        .filter(|m| m.len() <= MAX_MEDIA_TYPE && m.starts_with("image/") && m.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("image/jpeg");
    Some((parsed.to_string(), media_type.to_string()))
}

/// Keeps (or forgets) the avatar and header a remote actor announces.
pub async fn store_remote(db: &impl ConnectionTrait, account_id: i64, doc: &Value) -> Result<(), FederationError> {
    for (field, kind) in [("icon", AVATAR), ("image", HEADER)] {
        match remote_image(doc, field) {
            Some((url, media_type)) => profile_images::set_image(db, account_id, kind, &url, &media_type, None).await?,
            None => profile_images::remove_image(db, account_id, kind).await?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_read_bounded_and_web_only() {
        let doc = json!({
            "icon": {"type": "Image", "mediaType": "image/png", "url": "https://remote.example/a.png"},
            "image": [{"type": "Image", "url": {"type": "Link", "href": "https://remote.example/h.jpg"}}],
        });
        assert_eq!(remote_image(&doc, "icon"), Some(("https://remote.example/a.png".into(), "image/png".into())));
        assert_eq!(remote_image(&doc, "image"), Some(("https://remote.example/h.jpg".into(), "image/jpeg".into())));
        for bad in [
            json!({"icon": {"type": "Image", "url": "javascript:alert(1)"}}),
            json!({"icon": {"type": "Image", "url": "file:///etc/passwd"}}),
            json!({"icon": {"type": "Image", "url": format!("https://remote.example/{}", "a".repeat(3000))}}),
            json!({"icon": {"type": "Image"}}),
            json!({"icon": 42}),
            json!({}),
        ] {
            assert_eq!(remote_image(&bad, "icon"), None, "{bad}");
        }
        let odd_type = json!({"icon": {"url": "http://remote.example/a", "mediaType": "text/html"}});
        assert_eq!(remote_image(&odd_type, "icon").map(|(_, t)| t), Some("image/jpeg".into()));
    }
}
