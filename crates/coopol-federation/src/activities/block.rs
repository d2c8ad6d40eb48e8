//! `Block`: a remote account blocks a local one. Follows between them end, both ways.

use activitypub_federation::kinds::activity::BlockType;
use coopol_db::entities::{accounts, blocks};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{simple, Ref};
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

/// A `Block` received: a remote account blocks `object`.
#[derive(Debug, Deserialize)]
pub struct Block {
    #[serde(rename = "type")]
    pub kind: BlockType,
    pub id: String,
    pub object: Ref,
}

/// A checked `Block`: its local target, and whether it is stored already.
pub struct Blocking {
    target: accounts::Model,
    exists: bool,
}

impl Block {
    /// The blocked local account (`None`: not one of ours); writes nothing.
    pub async fn verify(&self, fed: &Federation, actor: &accounts::Model) -> Result<Option<Blocking>, FederationError> {
        let Some(target) = queries::account_by_uri(&fed.db, self.object.as_str()).await?.filter(|a| a.domain.is_none())
        else {
            return Ok(None);
        };
        let exists = blocks::Entity::find()
            .filter(blocks::Column::AccountId.eq(actor.id))
            .filter(blocks::Column::TargetAccountId.eq(target.id))
            .one(&fed.db)
            .await?
            .is_some();
        Ok(Some(Blocking { target, exists }))
    }

    /// Follows between them end, both ways; the block is stored.
    pub async fn receive(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
        blocking: Option<Blocking>,
    ) -> Result<(), FederationError> {
        let Some(Blocking { target, exists }) = blocking else { return Ok(()) };
        coopol_service::relationships::end_follows(&fed.db, actor.id, target.id).await?;
        if !exists {
            blocks::ActiveModel {
                id: Set(coopol_core::new_id()),
                account_id: Set(actor.id),
                target_account_id: Set(target.id),
                uri: Set(self.id.clone()),
                created_at: Set(coopol_db::now()),
            }
            .insert(&fed.db)
            .await?;
        }
        Ok(())
    }
}
