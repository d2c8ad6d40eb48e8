//! `Update` of a note (an edit) or of the actor itself (profile change, key rotation).

use coopol_db::entities::accounts;
use coopol_db::queries;
use serde_json::{json, Value};

use crate::event_objects::event_activity;
use crate::notes::{note_for_status, update_remote_note};
use crate::recipients::{self, Outgoing};
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

/// `Update` of an edited local post (an event's companion status: of the `Event`), to its
/// audience and to whoever holds a copy: remote voters of its poll, the members of the private
/// groups that shared it, the followers of the public groups that announced it (FEP-1b12).
pub async fn send_status(fed: &Federation, status_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(s) = queries::status_by_id(&fed.db, status_id).await? else { return Ok(None) };
    let author = recipients::account(fed, s.account_id).await?;
    let note = note_for_status(fed, &s).await?;
    let id = fed.config.activity_url(&author.username, "update", coopol_core::new_id());
    let activity = if kind(&note) == "Event" {
        event_activity(&id, "Update", &author.uri, note)
    } else {
        build(&id, note, &author.uri)
    };
    let mut inboxes = recipients::post_inboxes(fed, &s).await?;
    // Remote voters hear of a poll's new counts even when they do not follow.
    inboxes.extend(crate::polls::voter_inboxes(fed, s.id).await?);
    // The members of a private group that shared it hold a copy to update.
    for group_id in coopol_db::groups::private_groups_of(&fed.db, s.id).await? {
        inboxes.extend(recipients::member_inboxes(fed, group_id).await?);
    }
    // So do the followers of a public group that announced it (FEP-1b12).
    for group_id in coopol_db::groups::public_groups_of(&fed.db, s.id).await? {
        inboxes.extend(recipients::follower_inboxes(fed, group_id).await?);
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(Some(Outgoing { activity, sender_account_id: author.id, inboxes }))
}

/// `Update` of a local event, to whoever hears of it (`recipients::event_inboxes`).
pub async fn send_event(fed: &Federation, event_id: i64) -> Result<Option<Outgoing>, FederationError> {
    crate::event_store::outgoing(fed, event_id, "Update").await
}

/// `Update` of a local actor (profile, images), to its followers' servers.
pub async fn send_actor(fed: &Federation, account_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let a = recipients::account(fed, account_id).await?;
    let ids = queries::accepted_follower_ids(&fed.db, a.id).await?;
    let id = fed.config.activity_url(&a.username, "update", coopol_core::new_id());
    let doc = actors::local_actor_doc(fed, &a).await?;
    Ok(Some(Outgoing {
        activity: build_actor(&id, doc, &a.uri, a.followers_url.as_deref()),
        sender_account_id: a.id,
        inboxes: queries::remote_inboxes(&fed.db, &ids).await?,
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
