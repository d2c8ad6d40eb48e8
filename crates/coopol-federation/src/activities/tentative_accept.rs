//! `TentativeAccept` of an event: "maybe". Handled as a `Join` that does not take a place
//! (see `join`); only Mobilizon-style events use it, so any other object is ignored.

use coopol_db::entities::accounts;
use serde_json::Value;

use crate::{Federation, FederationError};

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    super::join::receive_participation(fed, activity, actor, true).await
}
