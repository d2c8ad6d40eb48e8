//! `Join` of an event (and `TentativeAccept`, "maybe", which goes the same way), and the
//! answers to it: `Accept` and `Reject`, whose object is the Join (by id), as Mobilizon does.
//! A local event decides with `coopol_core::event` rules; after every change of participation
//! the event's counts federate in an `Update(Event)`.

use coopol_core::Intent;
use coopol_db::entities::{accounts, event_participants, events};
use coopol_db::queries;
use coopol_service::events::{
    count_in_state, event_by_uri, participation, recount, ACCEPTED, NOTIFY_ACCEPTED, NOTIFY_REQUEST, PENDING, REJECTED,
    TENTATIVE, WAITLISTED,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::{json, Value};

use super::{object, with_context};
use crate::event_objects::event_context;
use crate::notes::object_id;
use crate::{Federation, FederationError};

/// `Join` (or `TentativeAccept` when `maybe`) of a remote event by a local person, to the
/// event's owner.
pub fn build(join_uri: &str, maybe: bool, participant: &str, event_uri: &str, owner: &str) -> Value {
    let kind = if maybe { "TentativeAccept" } else { "Join" };
    let mut v = json!({
        "id": join_uri,
        "type": kind,
        "actor": participant,
        "object": event_uri,
        "to": [owner],
    });
    if let Some(m) = v.as_object_mut() {
        m.insert("@context".into(), event_context());
    }
    v
}

/// `Accept` or `Reject` (`kind`) of a participation in a local event, by its owner, to the
/// participant; the object is the participant's `Join` (or `TentativeAccept`), by id.
pub fn build_answer(
    kind: &str,
    answer_id: &str,
    participation: &event_participants::Model,
    participant: &str,
    event_uri: &str,
    owner: &str,
) -> Value {
    let join_kind = if participation.state == TENTATIVE { "TentativeAccept" } else { "Join" };
    let join = json!({ "id": participation.join_uri, "type": join_kind, "actor": participant, "object": event_uri });
    with_context(json!({ "id": answer_id, "type": kind, "actor": owner, "object": join, "to": [participant] }))
}

/// What the rules decide for a newcomer; `None`: refused.
fn decide(
    event: &events::Model,
    accepted: u64,
    is_member: bool,
    maybe: bool,
) -> Result<Option<&'static str>, FederationError> {
    use coopol_core::event::{EventJoinMode, EventStatus};
    let mode: EventJoinMode = event.join_mode.parse().map_err(|e| FederationError::Invalid(format!("{e}")))?;
    let status: EventStatus = event.status.parse().map_err(|e| FederationError::Invalid(format!("{e}")))?;
    Ok(coopol_core::event::decide_join(status, mode, event.capacity, accepted, is_member, maybe)
        .ok()
        .map(|s| s.as_str()))
}

/// Whether `actor` is a member of the event's group.
async fn is_member(fed: &Federation, event: &events::Model, actor: &accounts::Model) -> Result<bool, FederationError> {
    match event.group_id {
        Some(g) => Ok(coopol_db::groups::role_of(&fed.db, g, actor.id).await?.is_some()),
        None => Ok(false),
    }
}

/// A remote person joins (`maybe`: says maybe to) a local event.
pub async fn receive_participation(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
    maybe: bool,
) -> Result<(), FederationError> {
    let id =
        activity.get("id").and_then(Value::as_str).ok_or_else(|| FederationError::Invalid("Join without id".into()))?;
    let event_uri =
        object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Join without object".into()))?;
    let Some(event) = event_by_uri(&fed.db, event_uri).await?.filter(|e| e.local) else {
        tracing::info!(actor = %actor.uri, event = event_uri, "Join of an event that is not ours");
        return Ok(());
    };
    // Reads before the transaction (SQLite: a transaction must write first).
    let existing = participation(&fed.db, event.id, actor.id).await?;
    let mut accepted = count_in_state(&fed.db, event.id, ACCEPTED).await?;
    if existing.as_ref().is_some_and(|p| p.state == ACCEPTED) {
        accepted = accepted.saturating_sub(1);
    }
    let member = is_member(fed, &event, actor).await?;
    // A repeated Join in the same spirit (a lost Accept) keeps its place and is answered again.
    let kept =
        existing.as_ref().filter(|p| p.state != REJECTED && (p.state == TENTATIVE) == maybe).map(|p| p.state.clone());
    let state = match kept {
        Some(s) => s,
        None => decide(&event, accepted, member, maybe)?.unwrap_or(REJECTED).to_string(),
    };
    let now = coopol_db::now();
    let txn = fed.db.begin().await?;
    let row = match existing {
        Some(p) => {
            let mut m: event_participants::ActiveModel = p.into();
            m.state = Set(state.clone());
            m.join_uri = Set(id.to_string());
            m.updated_at = Set(now);
            m.update(&txn).await?
        }
        None => {
            event_participants::ActiveModel {
                id: Set(coopol_core::new_id()),
                event_id: Set(event.id),
                account_id: Set(actor.id),
                state: Set(state.clone()),
                join_uri: Set(id.to_string()),
                created_at: Set(now),
                updated_at: Set(now),
                reminded_at: Set(None),
            }
            .insert(&txn)
            .await?
        }
    };
    match state.as_str() {
        ACCEPTED | TENTATIVE => {
            queries::record_intent(&txn, &Intent::AcceptParticipant { participant_id: row.id }).await?
        }
        REJECTED => queries::record_intent(&txn, &Intent::RejectParticipant { participant_id: row.id }).await?,
        _ => {}
    }
    recount(&txn, &event).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    if state == PENDING {
        coopol_service::stream::notify(fed, event.account_id, actor.id, NOTIFY_REQUEST, Some(event.status_id)).await?;
    }
    Ok(())
}

/// Finds the participation of ours an `Accept`/`Reject` from `actor` answers: the object is
/// our Join or TentativeAccept, by id, and the actor speaks for the event.
async fn answered(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<Option<(event_participants::Model, events::Model)>, FederationError> {
    let Some(uri) = activity.get("object").and_then(object_id) else { return Ok(None) };
    let Some(p) =
        event_participants::Entity::find().filter(event_participants::Column::JoinUri.eq(uri)).one(&fed.db).await?
    else {
        return Ok(None);
    };
    let Some(event) = events::Entity::find_by_id(p.event_id).one(&fed.db).await? else { return Ok(None) };
    if event.local || (event.account_id != actor.id && event.group_id != Some(actor.id)) {
        return Err(FederationError::Unauthorized("answer to a participation by someone else".into()));
    }
    Ok(Some((p, event)))
}

/// An `Accept` of one of our participations; `Ok(false)` when it answers no Join of ours.
pub async fn receive_accept(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<bool, FederationError> {
    let Some((p, event)) = answered(fed, activity, actor).await? else { return Ok(false) };
    let answered_kind = activity.get("object").and_then(|o| o.get("type")).and_then(Value::as_str);
    let state = if p.state == TENTATIVE || answered_kind == Some("TentativeAccept") { TENTATIVE } else { ACCEPTED };
    if p.state != state {
        let was_waiting = matches!(p.state.as_str(), PENDING | WAITLISTED);
        let account_id = p.account_id;
        let mut m: event_participants::ActiveModel = p.into();
        m.state = Set(state.to_string());
        m.updated_at = Set(coopol_db::now());
        m.update(&fed.db).await?;
        if was_waiting {
            coopol_service::stream::notify(fed, account_id, actor.id, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
        }
    }
    Ok(true)
}

/// A `Reject` of one of our participations; `Ok(false)` when it answers no Join of ours.
pub async fn receive_reject(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<bool, FederationError> {
    let Some((p, _)) = answered(fed, activity, actor).await? else { return Ok(false) };
    if p.state != REJECTED {
        let mut m: event_participants::ActiveModel = p.into();
        m.state = Set(REJECTED.to_string());
        m.updated_at = Set(coopol_db::now());
        m.update(&fed.db).await?;
    }
    Ok(true)
}
