//! What the instance's admin does beyond a person's actions: domain blocks and suspending a
//! local group. (Deleting an account is `accounts::delete`.)

use coopol_core::group::ModAction;
use coopol_core::Intent;
use coopol_db::entities::{accounts, domain_blocks};
use coopol_db::WriteTxn;
use coopol_db::{groups as gq, queries};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::{Service, ServiceError};

/// Blocks a domain (already normalised: host, with a port when not the default); its
/// activities are refused from now on. `false` when it was blocked already.
pub async fn block_domain(svc: &Service, domain: &str) -> Result<bool, ServiceError> {
    if domain_blocks::Entity::find_by_id(domain.to_string()).one(&svc.db).await?.is_some() {
        return Ok(false);
    }
    domain_blocks::ActiveModel {
        domain: Set(domain.to_string()),
        severity: Set("suspend".into()),
        created_at: Set(coopol_db::now()),
    }
    .insert(&svc.db)
    .await?;
    Ok(true)
}

/// Lifts a domain block; `false` when the domain was not blocked.
pub async fn unblock_domain(svc: &Service, domain: &str) -> Result<bool, ServiceError> {
    Ok(domain_blocks::Entity::delete_by_id(domain.to_string()).exec(&svc.db).await?.rows_affected > 0)
}

/// Suspends a local group: it is logged in its moderation log, and every server that knows it
/// receives its deletion. `false` when it was suspended already.
pub async fn suspend_group(svc: &Service, group: &accounts::Model) -> Result<bool, ServiceError> {
    if group.suspended {
        return Ok(false);
    }
    let txn = svc.db.begin_write().await?;
    let mut m: accounts::ActiveModel = group.clone().into();
    m.suspended = Set(true);
    m.updated_at = Set(coopol_db::now());
    m.update(&txn).await?;
    gq::log(&txn, group.id, None, ModAction::Suspend, None, None, "suspended by the instance admin").await?;
    queries::record_intent(&txn, &Intent::DeleteAccount { account_id: group.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok(true)
}
