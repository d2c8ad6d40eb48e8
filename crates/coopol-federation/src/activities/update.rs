//! `Update` of a note (an edit) or of the actor itself (profile change, key rotation).

use coopol_db::entities::accounts;
use serde_json::{json, Value};

use crate::notes::update_remote_note;
use crate::wire::{kind, object, with_context};
use crate::{actors, Federation, FederationError};

/// `Update` of a local note; addressed as the note is.
pub fn build(id: &str, note: Value, actor: &str) -> Value {
    with_context(json!({
        "id": id,
        "type": "Update",
        "actor": actor,
        "to": note.get("to"),
        "cc": note.get("cc"),
        "object": note,
    }))
}

/// `Update` of a local actor (profile change), public, cc its followers.
pub fn build_actor(id: &str, actor_doc: Value, actor: &str, followers: Option<&str>) -> Value {
    let mut doc = actor_doc;
    if let Some(m) = doc.as_object_mut() {
        m.remove("@context");
    }
    with_context(json!({
        "id": id,
        "type": "Update",
        "actor": actor,
        "to": [coopol_core::PUBLIC],
        "cc": followers.map(|f| vec![f]).unwrap_or_default(),
        "object": doc,
    }))
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let obj = object(activity)?;
    match kind(obj) {
        "Note" | "Article" | "Page" | "Question" => {
            update_remote_note(fed, obj, actor).await?;
            let id = obj.get("id").and_then(Value::as_str).unwrap_or_default();
            match coopol_db::queries::status_by_uri(&fed.db, id).await? {
                Some(s) if s.account_id == actor.id => Ok(coopol_service::stream::status_updated(fed, &s).await?),
                _ => Ok(()),
            }
        }
        "Event" => crate::event_store::update_remote_event(fed, obj, actor).await.map(|_| ()),
        "Person" | "Service" | "Application" | "Group" | "Organization" => {
            if obj.get("id").and_then(Value::as_str) != Some(actor.uri.as_str()) {
                return Err(FederationError::Unauthorized("update of another actor".into()));
            }
            actors::upsert_remote_actor(fed, obj).await.map(|_| ())
        }
        other => {
            tracing::info!(kind = other, "ignoring Update of an object kind we do not handle");
            Ok(())
        }
    }
}
