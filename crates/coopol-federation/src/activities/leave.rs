//! `Leave` of an event: a participant withdraws. When an accepted participant leaves a local
//! event, the oldest waitlisted one takes the place (and hears of it: `Accept`, or a
//! notification when local); the new counts federate in an `Update(Event)`.

use coopol_core::Intent;
use coopol_db::entities::{accounts, event_participants};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use serde_json::{json, Value};

use super::join::{next_waitlisted, participation, recount, NOTIFY_ACCEPTED};
use super::object;
use crate::event_objects::event_context;
use crate::event_store::{self, ACCEPTED};
use crate::notes::object_id;
use crate::{Federation, FederationError};

/// `Leave` of a remote event by a local person, to the event's owner.
pub fn build(id: &str, participant: &str, event_uri: &str, owner: &str) -> Value {
    let mut v = json!({ "id": id, "type": "Leave", "actor": participant, "object": event_uri, "to": [owner] });
    if let Some(m) = v.as_object_mut() {
        m.insert("@context".into(), event_context());
    }
    v
}

/// Removes `account_id`'s participation in the local event `event_id` and moves the waiting
/// list up when a place frees, in one transaction; returns the promoted participant. Shared by
/// the inbox and the API.
pub async fn leave_local_event(
    fed: &Federation,
    event_id: i64,
    account_id: i64,
) -> Result<Option<event_participants::Model>, FederationError> {
    let Some(event) = coopol_db::entities::events::Entity::find_by_id(event_id).one(&fed.db).await? else {
        return Ok(None);
    };
    let Some(p) = participation(&fed.db, event_id, account_id).await? else { return Ok(None) };
    let next = if p.state == ACCEPTED { next_waitlisted(&fed.db, event_id).await? } else { None };
    let promoted_is_remote = match &next {
        Some(n) => queries::account_by_id(&fed.db, n.account_id).await?.is_some_and(|a| a.domain.is_some()),
        None => false,
    };
    let txn = fed.db.begin().await?;
    event_participants::Entity::delete_by_id(p.id).exec(&txn).await?;
    let promoted = match next {
        Some(n) => {
            let mut m: event_participants::ActiveModel = n.into();
            m.state = Set(ACCEPTED.to_string());
            m.updated_at = Set(coopol_db::now());
            let n = m.update(&txn).await?;
            if promoted_is_remote {
                queries::record_intent(&txn, &Intent::AcceptParticipant { participant_id: n.id }).await?;
            }
            Some(n)
        }
        None => None,
    };
    recount(&txn, &event).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    if let Some(n) = &promoted {
        if !promoted_is_remote {
            crate::events::notify(fed, n.account_id, event.account_id, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
        }
    }
    Ok(promoted)
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let event_uri =
        object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Leave without object".into()))?;
    let Some(event) = event_store::event_by_uri(&fed.db, event_uri).await?.filter(|e| e.local) else {
        tracing::info!(actor = %actor.uri, event = event_uri, "Leave of an event that is not ours");
        return Ok(());
    };
    leave_local_event(fed, event.id, actor.id).await.map(|_| ())
}
