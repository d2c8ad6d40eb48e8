//! `Block`: a remote account blocks a local one. Follows between them end, both ways.

use coopol_db::entities::{accounts, blocks};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{object, object_id, simple};
use crate::{Federation, FederationError};

pub fn build(id: &str, actor: &str, target: &str) -> Value {
    simple(id, "Block", actor, json!(target), target)
}

/// `Block` of an account by a local one, to the blocked account.
pub async fn send(fed: &Federation, block_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(b) = blocks::Entity::find_by_id(block_id).one(&fed.db).await? else { return Ok(None) };
    let (blocker, target) = (account(fed, b.account_id).await?, account(fed, b.target_account_id).await?);
    Ok(Some(Outgoing {
        activity: build(&b.uri, &blocker.uri, &target.uri),
        sender_account_id: blocker.id,
        inboxes: personal_inbox(&target),
    }))
}

/// `Undo(Block)`, to the account that was blocked.
pub async fn send_undo(
    fed: &Federation,
    account_id: i64,
    target_account_id: i64,
    block_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let (blocker, target) = (account(fed, account_id).await?, account(fed, target_account_id).await?);
    let inner = build(block_uri, &blocker.uri, &target.uri);
    Ok(Some(Outgoing {
        activity: super::undo::build(&format!("{block_uri}#undo"), &blocker.uri, inner, &target.uri),
        sender_account_id: blocker.id,
        inboxes: personal_inbox(&target),
    }))
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
