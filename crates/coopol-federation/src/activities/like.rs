//! `Like`: a favourite of a local status.

use coopol_db::entities::{accounts, favourites};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::wire::{object, object_id, simple};
use crate::{Federation, FederationError};

pub fn build(id: &str, actor: &str, object_uri: &str, to: &str) -> Value {
    simple(id, "Like", actor, json!(object_uri), to)
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let uri = object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Like without object".into()))?;
    let Some(status) = queries::status_by_uri(&fed.db, uri).await? else {
        return Ok(());
    };
    let exists = favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(actor.id))
        .filter(favourites::Column::StatusId.eq(status.id))
        .one(&fed.db)
        .await?
        .is_some();
    if !exists {
        favourites::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(actor.id),
            status_id: Set(status.id),
            uri: Set(activity.get("id").and_then(Value::as_str).unwrap_or_default().to_string()),
            created_at: Set(coopol_db::now()),
        }
        .insert(&fed.db)
        .await?;
        if status.local {
            let kind = coopol_db::notifications::FAVOURITE;
            coopol_service::stream::notify(fed, status.account_id, actor.id, kind, Some(status.id)).await?;
        }
    }
    Ok(())
}
