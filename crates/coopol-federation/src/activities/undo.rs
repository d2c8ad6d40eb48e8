//! `Undo` of a Follow, Like, Announce or Block. The undone activity must be the actor's own.

use coopol_db::entities::{accounts, blocks, favourites, follows, statuses};
use coopol_db::queries;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::wire::{embedded_actor, kind, object, object_id, simple};
use crate::{Federation, FederationError};

/// `Undo` of an activity `inner` (already built) by `actor`, addressed to `to`.
pub fn build(id: &str, actor: &str, mut inner: Value, to: &str) -> Value {
    // The undone activity is embedded: the context belongs on the outer document only.
    if let Some(m) = inner.as_object_mut() {
        m.remove("@context");
    }
    simple(id, "Undo", actor, inner, to)
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let inner = object(activity)?;
    if let Some(a) = embedded_actor(inner) {
        if a != actor.uri {
            return Err(FederationError::Unauthorized("undo of another actor's activity".into()));
        }
    }
    let inner_id = object_id(inner).unwrap_or_default().to_string();
    let inner_object = inner.get("object").and_then(object_id).map(String::from);
    match kind(inner) {
        "Follow" => {
            let mut removed = follows::Entity::delete_many()
                .filter(follows::Column::AccountId.eq(actor.id))
                .filter(follows::Column::Uri.eq(&inner_id))
                .exec(&fed.db)
                .await?
                .rows_affected;
            if removed == 0 {
                if let Some(target) = match inner_object {
                    Some(uri) => queries::account_by_uri(&fed.db, &uri).await?,
                    None => None,
                } {
                    removed = follows::Entity::delete_many()
                        .filter(follows::Column::AccountId.eq(actor.id))
                        .filter(follows::Column::TargetAccountId.eq(target.id))
                        .exec(&fed.db)
                        .await?
                        .rows_affected;
                }
            }
            tracing::debug!(actor = %actor.uri, removed, "undo follow");
        }
        "Like" => {
            let by_uri = favourites::Entity::delete_many()
                .filter(favourites::Column::AccountId.eq(actor.id))
                .filter(favourites::Column::Uri.eq(&inner_id))
                .exec(&fed.db)
                .await?;
            if by_uri.rows_affected == 0 {
                if let Some(s) = match inner_object {
                    Some(uri) => queries::status_by_uri(&fed.db, &uri).await?,
                    None => None,
                } {
                    favourites::Entity::delete_many()
                        .filter(favourites::Column::AccountId.eq(actor.id))
                        .filter(favourites::Column::StatusId.eq(s.id))
                        .exec(&fed.db)
                        .await?;
                }
            }
        }
        "Announce" => {
            statuses::Entity::delete_many()
                .filter(statuses::Column::AccountId.eq(actor.id))
                .filter(statuses::Column::Uri.eq(&inner_id))
                .filter(statuses::Column::ReblogOfId.is_not_null())
                .exec(&fed.db)
                .await?;
        }
        "Block" => {
            blocks::Entity::delete_many()
                .filter(blocks::Column::AccountId.eq(actor.id))
                .filter(blocks::Column::Uri.eq(&inner_id))
                .exec(&fed.db)
                .await?;
        }
        other => tracing::info!(kind = other, "ignoring Undo of an activity kind we do not handle"),
    }
    Ok(())
}

/// The `Follow` object of an `Undo(Follow)`.
pub fn follow_object(follow_uri: &str, actor: &str, target: &str) -> Value {
    json!({ "id": follow_uri, "type": "Follow", "actor": actor, "object": target })
}
