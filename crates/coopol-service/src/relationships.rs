//! Relationships between accounts: follows (and follow requests), blocks, mutes.

use coopol_core::Intent;
use coopol_db::entities::{accounts, blocks, follows, mutes};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::{groups, stream, Service, ServiceError};

fn unprocessable(m: &str) -> ServiceError {
    ServiceError::Unprocessable(m.to_string())
}

/// Ends follows in both directions between two accounts (a block, by either side).
pub async fn end_follows(db: &impl ConnectionTrait, a: i64, b: i64) -> Result<(), ServiceError> {
    let one_way = |from: i64, to: i64| {
        Condition::all().add(follows::Column::AccountId.eq(from)).add(follows::Column::TargetAccountId.eq(to))
    };
    follows::Entity::delete_many().filter(Condition::any().add(one_way(a, b)).add(one_way(b, a))).exec(db).await?;
    Ok(())
}

/// Whether either account blocks the other.
async fn blocked_between(svc: &Service, a: i64, b: i64) -> Result<bool, ServiceError> {
    let one_way = |from: i64, to: i64| {
        Condition::all().add(blocks::Column::AccountId.eq(from)).add(blocks::Column::TargetAccountId.eq(to))
    };
    Ok(blocks::Entity::find()
        .filter(Condition::any().add(one_way(a, b)).add(one_way(b, a)))
        .one(&svc.db)
        .await?
        .is_some())
}

/// Follows an account: at once for unlocked local accounts, pending until the remote server
/// (or the locked account's owner) accepts otherwise. Following a local group is joining it.
pub async fn follow(svc: &Service, me: &accounts::Model, target: &accounts::Model) -> Result<(), ServiceError> {
    if me.id == target.id {
        return Err(unprocessable("you cannot follow yourself"));
    }
    if target.suspended || target.actor_type == "Application" {
        return Err(ServiceError::NotFound);
    }
    if target.actor_type == coopol_db::groups::GROUP && target.domain.is_none() {
        return groups::join::join_local(svc, me, target).await;
    }
    if blocked_between(svc, me.id, target.id).await? {
        return Err(unprocessable("a block stands between these accounts"));
    }
    if queries::follow_between(&svc.db, me.id, target.id).await?.is_some() {
        return Ok(());
    }
    let id = coopol_core::new_id();
    let state = if target.domain.is_none() && !target.locked { FOLLOW_ACCEPTED } else { FOLLOW_PENDING };
    let txn = svc.db.begin_write().await?;
    follows::ActiveModel {
        id: Set(id),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        uri: Set(svc.config.activity_url(&me.username, "follow", id)),
        state: Set(state.to_string()),
        created_at: Set(coopol_db::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if target.domain.is_some() {
        queries::record_intent(&txn, &Intent::Follow { follow_id: id }).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    stream::followed(svc, target, me.id, state == FOLLOW_PENDING).await?;
    Ok(())
}

/// Stops following (or withdraws a request; leaves a group).
pub async fn unfollow(svc: &Service, me: &accounts::Model, target: &accounts::Model) -> Result<(), ServiceError> {
    let Some(f) = queries::follow_between(&svc.db, me.id, target.id).await? else { return Ok(()) };
    let txn = svc.db.begin_write().await?;
    follows::Entity::delete_by_id(f.id).exec(&txn).await?;
    if target.actor_type == coopol_db::groups::GROUP && target.domain.is_none() {
        // A withdrawn request to join takes its message along.
        coopol_db::groups::drop_join_message(&txn, target.id, me.id).await?;
    }
    if target.domain.is_some() {
        queries::record_intent(
            &txn,
            &Intent::UndoFollow { account_id: me.id, target_account_id: target.id, follow_uri: f.uri },
        )
        .await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Sets the options of my follow of `target` (`notify`, `reblogs`), when given.
pub async fn set_follow_options(
    svc: &Service,
    me: &accounts::Model,
    target: &accounts::Model,
    notify: Option<bool>,
    reblogs: Option<bool>,
) -> Result<(), ServiceError> {
    if notify.is_none() && reblogs.is_none() {
        return Ok(());
    }
    let Some(f) = queries::follow_between(&svc.db, me.id, target.id).await? else { return Ok(()) };
    let mut m: follows::ActiveModel = f.into();
    if let Some(n) = notify {
        m.notify = Set(n);
    }
    if let Some(r) = reblogs {
        m.show_reblogs = Set(r);
    }
    m.update(&svc.db).await?;
    Ok(())
}

/// Accepts a pending request of `follower` to follow me; a remote follower is sent `Accept`.
pub async fn authorize_follow(
    svc: &Service,
    me: &accounts::Model,
    follower: &accounts::Model,
) -> Result<(), ServiceError> {
    let f = queries::follow_between(&svc.db, follower.id, me.id)
        .await?
        .filter(|f| f.state == FOLLOW_PENDING)
        .ok_or(ServiceError::NotFound)?;
    let id = f.id;
    let mut m: follows::ActiveModel = f.into();
    m.state = Set(FOLLOW_ACCEPTED.to_string());
    let txn = svc.db.begin_write().await?;
    m.update(&txn).await?;
    if follower.domain.is_some() {
        queries::record_intent(&txn, &Intent::AcceptFollow { follow_id: id }).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Refuses a pending request of `follower`; a remote follower is sent `Reject`.
pub async fn reject_follow(
    svc: &Service,
    me: &accounts::Model,
    follower: &accounts::Model,
) -> Result<(), ServiceError> {
    let f = queries::follow_between(&svc.db, follower.id, me.id)
        .await?
        .filter(|f| f.state == FOLLOW_PENDING)
        .ok_or(ServiceError::NotFound)?;
    let txn = svc.db.begin_write().await?;
    follows::Entity::delete_by_id(f.id).exec(&txn).await?;
    if follower.domain.is_some() {
        queries::record_intent(
            &txn,
            &Intent::RejectFollow { account_id: me.id, follower_account_id: follower.id, follow_uri: f.uri },
        )
        .await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Blocks an account: follows between the two end, and a remote account's server is told.
pub async fn block(svc: &Service, me: &accounts::Model, target: &accounts::Model) -> Result<(), ServiceError> {
    if me.id == target.id {
        return Err(unprocessable("you cannot block yourself"));
    }
    let exists = blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(me.id))
        .filter(blocks::Column::TargetAccountId.eq(target.id))
        .one(&svc.db)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let id = coopol_core::new_id();
    let txn = svc.db.begin_write().await?;
    end_follows(&txn, me.id, target.id).await?;
    blocks::ActiveModel {
        id: Set(id),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        uri: Set(svc.config.activity_url(&me.username, "block", id)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    if target.domain.is_some() {
        queries::record_intent(&txn, &Intent::Block { block_id: id }).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Removes a block.
pub async fn unblock(svc: &Service, me: &accounts::Model, target: &accounts::Model) -> Result<(), ServiceError> {
    let Some(b) = blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(me.id))
        .filter(blocks::Column::TargetAccountId.eq(target.id))
        .one(&svc.db)
        .await?
    else {
        return Ok(());
    };
    let txn = svc.db.begin_write().await?;
    blocks::Entity::delete_by_id(b.id).exec(&txn).await?;
    if target.domain.is_some() {
        queries::record_intent(
            &txn,
            &Intent::UndoBlock { account_id: me.id, target_account_id: target.id, block_uri: b.uri },
        )
        .await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Mutes an account (its posts leave my timelines; with `notifications`, its notifications
/// too), for `duration` seconds or for good (0 or `None`). Muting again updates the options.
pub async fn mute(
    svc: &Service,
    me: &accounts::Model,
    target: &accounts::Model,
    notifications: bool,
    duration: Option<u64>,
) -> Result<(), ServiceError> {
    if me.id == target.id {
        return Err(unprocessable("you cannot mute yourself"));
    }
    let expires_at = match duration.filter(|d| *d > 0) {
        Some(d) => {
            let d = i64::try_from(d).ok().filter(|d| *d <= 10 * 365 * 86_400);
            let d = d.ok_or_else(|| unprocessable("duration is too long"))?;
            Some(coopol_db::now() + chrono::Duration::seconds(d))
        }
        None => None,
    };
    let txn = svc.db.begin_write().await?;
    mutes::Entity::delete_many()
        .filter(mutes::Column::AccountId.eq(me.id))
        .filter(mutes::Column::TargetAccountId.eq(target.id))
        .exec(&txn)
        .await?;
    mutes::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        notifications: Set(notifications),
        expires_at: Set(expires_at),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn unmute(svc: &Service, me: &accounts::Model, target: &accounts::Model) -> Result<(), ServiceError> {
    mutes::Entity::delete_many()
        .filter(mutes::Column::AccountId.eq(me.id))
        .filter(mutes::Column::TargetAccountId.eq(target.id))
        .exec(&svc.db)
        .await?;
    Ok(())
}
