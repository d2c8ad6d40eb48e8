//! `Delete` of a note (with a tombstone, so a late or replayed Create never brings it back) or
//! of the actor itself (account deletion).

use coopol_db::entities::{accounts, follows, statuses};
use coopol_db::queries;
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::wire::{object, object_id, with_context};
use crate::{Federation, FederationError};

/// `Delete` of a local note, as a Tombstone.
pub fn build(id: &str, actor: &str, object_uri: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    with_context(json!({
        "id": id,
        "type": "Delete",
        "actor": actor,
        "to": to,
        "cc": cc,
        "object": { "id": object_uri, "type": "Tombstone" },
    }))
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let uri =
        object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Delete without object id".into()))?;
    if uri == actor.uri {
        return delete_actor(fed, actor).await;
    }
    let (obj_url, actor_url) = match (Url::parse(uri), Url::parse(&actor.uri)) {
        (Ok(o), Ok(a)) => (o, a),
        _ => return Err(FederationError::Invalid("ids are not URLs".into())),
    };
    if !same_origin(&obj_url, &actor_url) {
        return Err(FederationError::Unauthorized("delete of an object on another origin".into()));
    }
    // Reads before the transaction: on SQLite a transaction must write first (see inbox.rs).
    let existing = queries::status_by_uri(&fed.db, uri).await?;
    // An event's group may delete it too (Mobilizon's groups do), though its organiser wrote it.
    let event_group = match &existing {
        Some(s) => coopol_service::events::event_of_status(&fed.db, s.id).await?.and_then(|e| e.group_id),
        None => None,
    };
    let event = match &existing {
        Some(s) => Some(coopol_service::stream::deleted(fed, s).await?),
        None => None,
    };
    let txn = fed.db.begin_write().await?;
    if let Some(s) = existing {
        if s.account_id != actor.id && event_group != Some(actor.id) {
            return Err(FederationError::Unauthorized("delete of another actor's note".into()));
        }
        coopol_service::statuses::delete_rows(&txn, s.id).await?;
    }
    // Recorded even when we never saw the note: a Delete that arrives first wins.
    queries::add_tombstone(&txn, uri).await?;
    txn.commit().await?;
    if let Some(e) = event {
        fed.stream.publish(e);
    }
    Ok(())
}

/// A remote account deleted itself: its posts and follows go, the account is kept suspended so
/// that its id is not reused.
async fn delete_actor(fed: &Federation, actor: &accounts::Model) -> Result<(), FederationError> {
    let ids: Vec<i64> = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(actor.id))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let txn = fed.db.begin_write().await?;
    for id in ids {
        coopol_service::statuses::delete_rows(&txn, id).await?;
    }
    follows::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(follows::Column::AccountId.eq(actor.id))
                .add(follows::Column::TargetAccountId.eq(actor.id)),
        )
        .exec(&txn)
        .await?;
    let mut m: accounts::ActiveModel = actor.clone().into();
    m.suspended = Set(true);
    m.update(&txn).await?;
    txn.commit().await?;
    fed.keys.forget_actor(&actor.uri);
    Ok(())
}
