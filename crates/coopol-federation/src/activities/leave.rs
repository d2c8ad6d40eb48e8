//! `Leave` of an event: a participant withdraws (`coopol_service::events::leave_local`: the waiting
//! list moves up, the new counts federate in an `Update(Event)`).

use activitypub_federation::kinds::activity::LeaveType;
use coopol_db::entities::{accounts, events};
use sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::event_objects::event_context;
use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::Ref;
use crate::{Federation, FederationError};

/// `Leave` of a remote event by a local person, to the event's owner.
pub fn build(id: &str, participant: &str, event_uri: &str, owner: &str) -> Value {
    let mut v = json!({ "id": id, "type": "Leave", "actor": participant, "object": event_uri, "to": [owner] });
    if let Some(m) = v.as_object_mut() {
        m.insert("@context".into(), event_context());
    }
    v
}

/// `Leave` of a remote event by a local person, to the event's owner.
pub async fn send(
    fed: &Federation,
    account_id: i64,
    event_id: i64,
    join_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let Some(e) = events::Entity::find_by_id(event_id).one(&fed.db).await? else {
        return Ok(None);
    };
    let (who, owner) = (account(fed, account_id).await?, account(fed, coopol_service::events::owner_id(&e)).await?);
    Ok(Some(Outgoing {
        activity: build(&format!("{join_uri}#leave"), &who.uri, &e.uri, &owner.uri),
        sender_account_id: who.id,
        inboxes: personal_inbox(&owner),
    }))
}

/// A `Leave` of an event, received: `object` is the event.
#[derive(Debug, Deserialize)]
pub struct Leave {
    #[serde(rename = "type")]
    pub kind: LeaveType,
    pub object: Ref,
}

impl Leave {
    /// The local event left (`None`: not one of ours, ignored); writes nothing.
    pub async fn verify(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
    ) -> Result<Option<events::Model>, FederationError> {
        let event = coopol_service::events::event_by_uri(&fed.db, self.object.as_str()).await?.filter(|e| e.local);
        if event.is_none() {
            tracing::info!(actor = %actor.uri, event = self.object.as_str(), "Leave of an event that is not ours");
        }
        Ok(event)
    }

    /// The participation ends; the waiting list moves up.
    pub async fn receive(
        fed: &Federation,
        actor: &accounts::Model,
        event: Option<events::Model>,
    ) -> Result<(), FederationError> {
        let Some(event) = event else { return Ok(()) };
        coopol_service::events::leave_local(fed, event.id, actor.id).await?;
        Ok(())
    }
}
