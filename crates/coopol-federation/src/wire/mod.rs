//! The wire: generic helpers for reading and writing ActivityStreams JSON, shared by every
//! activity and object module, and the serde types of what one property may hold (`Ref`,
//! `Ids`, `Embedded`: an object by id or embedded, one or many ids). A leaf: it uses nothing else of this crate, so that the modules
//! that build and read activities depend on it and never on one another for these helpers.

mod html;
mod refs;

use serde_json::{json, Value};

pub use html::sanitize_html;
pub use refs::{Embedded, Ids, MaybeRef, Ref, MAX_LIST};

/// What is missing or malformed in a document read from the wire.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// A required property is absent.
    #[error("activity without {0}")]
    Missing(&'static str),
}

/// The ActivityStreams JSON-LD context we send, with the extensions Mastodon peers expect.
pub fn ap_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "votersCount": "toot:votersCount",
            "blurhash": "toot:blurhash",
            "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" },
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// Wraps an activity body with our JSON-LD context.
pub fn with_context(mut activity: Value) -> Value {
    if let Some(m) = activity.as_object_mut() {
        m.insert("@context".into(), ap_context());
    }
    activity
}

/// A minimal activity addressed to one actor.
pub fn simple(id: &str, kind: &str, actor: &str, object: Value, to: &str) -> Value {
    with_context(json!({ "id": id, "type": kind, "actor": actor, "object": object, "to": [to] }))
}

/// The `type` of an activity or object.
pub fn kind(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("")
}

/// The `object` of an activity, required.
pub fn object(activity: &Value) -> Result<&Value, WireError> {
    activity.get("object").ok_or(WireError::Missing("object"))
}

/// The actor of an embedded activity (`Undo`'s, `Accept`'s object), which must be the same
/// as the outer activity's.
pub fn embedded_actor(v: &Value) -> Option<&str> {
    v.get("actor").and_then(object_id)
}

/// A JSON value that is one string or an array of strings (`to`, `cc`).
pub fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| {
                x.as_str().map(String::from).or_else(|| x.get("id").and_then(Value::as_str).map(String::from))
            })
            .take(10_000)
            .collect(),
        _ => vec![],
    }
}

/// The id of an object given inline or by reference.
pub fn object_id(v: &Value) -> Option<&str> {
    v.as_str().or_else(|| v.get("id").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_in_every_shape() {
        assert_eq!(string_list(Some(&json!("a"))), vec!["a"]);
        assert_eq!(string_list(Some(&json!(["a", {"id": "b"}, 3]))), vec!["a", "b"]);
        assert!(string_list(None).is_empty());
    }

    #[test]
    fn ids_inline_or_by_reference() {
        assert_eq!(object_id(&json!("https://a.example/1")), Some("https://a.example/1"));
        assert_eq!(object_id(&json!({"id": "https://a.example/2"})), Some("https://a.example/2"));
        assert_eq!(object_id(&json!(3)), None);
    }
}
