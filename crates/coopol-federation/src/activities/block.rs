//! `Block`: a remote account blocks a local one. Follows between them end, both ways.

use coopol_db::entities::{accounts, blocks};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::wire::{object, object_id, simple};
use crate::{Federation, FederationError};

pub fn build(id: &str, actor: &str, target: &str) -> Value {
    simple(id, "Block", actor, json!(target), target)
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let uri = object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Block without object".into()))?;
    let Some(target) = queries::account_by_uri(&fed.db, uri).await?.filter(|a| a.domain.is_none()) else {
        return Ok(());
    };
    coopol_service::relationships::end_follows(&fed.db, actor.id, target.id).await?;
    let exists = blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(actor.id))
        .filter(blocks::Column::TargetAccountId.eq(target.id))
        .one(&fed.db)
        .await?
        .is_some();
    if !exists {
        blocks::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(actor.id),
            target_account_id: Set(target.id),
            uri: Set(activity.get("id").and_then(Value::as_str).unwrap_or_default().to_string()),
            created_at: Set(coopol_db::now()),
        }
        .insert(&fed.db)
        .await?;
    }
    Ok(())
}
