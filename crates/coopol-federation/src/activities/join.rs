//! `Join` of an event (and `TentativeAccept`, "maybe", which goes the same way), and the
//! answers to it: `Accept` and `Reject`, whose object is the Join (by id), as Mobilizon does.
//! A local event decides with `coopol_service::events::join`, the RSVP path a local person's
//! goes through too; after every change of participation the event's counts federate in an
//! `Update(Event)`.

use coopol_db::entities::{accounts, event_participants, events};
use coopol_service::events::{event_by_uri, TENTATIVE};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::event_objects::event_context;
use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{object_id, with_context, Ref};
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

/// `Join` (or `TentativeAccept`) of a remote event by a local person, to the event's owner.
pub async fn send(fed: &Federation, participant_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(p) = event_participants::Entity::find_by_id(participant_id).one(&fed.db).await? else {
        return Ok(None);
    };
    let Some(e) = events::Entity::find_by_id(p.event_id).one(&fed.db).await? else { return Ok(None) };
    let (who, owner) = (account(fed, p.account_id).await?, account(fed, coopol_service::events::owner_id(&e)).await?);
    let maybe = p.state == TENTATIVE;
    Ok(Some(Outgoing {
        activity: build(&p.join_uri, maybe, &who.uri, &e.uri, &owner.uri),
        sender_account_id: who.id,
        inboxes: personal_inbox(&owner),
    }))
}

/// `Accept` (`accept`) or `Reject` of a participation in a local event, to the participant.
pub async fn send_answer(
    fed: &Federation,
    participant_id: i64,
    accept: bool,
) -> Result<Option<Outgoing>, FederationError> {
    let Some(p) = event_participants::Entity::find_by_id(participant_id).one(&fed.db).await? else {
        return Ok(None);
    };
    let Some(e) = events::Entity::find_by_id(p.event_id).one(&fed.db).await? else { return Ok(None) };
    let (who, owner) = (account(fed, p.account_id).await?, account(fed, coopol_service::events::owner_id(&e)).await?);
    let kind = if accept { "Accept" } else { "Reject" };
    let id = fed.config.activity_url(&owner.username, &kind.to_lowercase(), coopol_core::new_id());
    Ok(Some(Outgoing {
        activity: build_answer(kind, &id, &p, &who.uri, &e.uri, &owner.uri),
        sender_account_id: owner.id,
        inboxes: personal_inbox(&who),
    }))
}

/// A `Join`, or a `TentativeAccept` ("maybe", handled as a Join that does not take a place;
/// only Mobilizon-style events use it), of an event: `object` is the event.
#[derive(Debug, Deserialize)]
pub struct Participation {
    pub id: String,
    pub object: Ref,
}

impl Participation {
    /// The local event joined (`None`: not one of ours, ignored); writes nothing.
    pub async fn verify(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
    ) -> Result<Option<events::Model>, FederationError> {
        let event = event_by_uri(&fed.db, self.object.as_str()).await?.filter(|e| e.local);
        if event.is_none() {
            tracing::info!(actor = %actor.uri, event = self.object.as_str(), "Join of an event that is not ours");
        }
        Ok(event)
    }

    /// Decided by the event's rules, through the RSVP path a local person's takes too
    /// (`maybe`: a `TentativeAccept`).
    pub async fn receive(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
        event: Option<events::Model>,
        maybe: bool,
    ) -> Result<(), FederationError> {
        let Some(event) = event else { return Ok(()) };
        coopol_service::events::join(fed, &event, actor, maybe, Some(&self.id)).await?;
        Ok(())
    }
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
    let maybe = answered_kind == Some("TentativeAccept");
    coopol_service::events::answered(fed, p, &event, actor.id, Some(maybe)).await?;
    Ok(true)
}

/// A `Reject` of one of our participations; `Ok(false)` when it answers no Join of ours.
pub async fn receive_reject(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<bool, FederationError> {
    let Some((p, event)) = answered(fed, activity, actor).await? else { return Ok(false) };
    coopol_service::events::answered(fed, p, &event, actor.id, None).await?;
    Ok(true)
}
