//! `Follow`, and the answers to it: `Accept` and `Reject`.

use coopol_core::Intent;
use coopol_db::entities::{accounts, blocks, follows};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{embedded_actor, object, object_id, simple};
use crate::{Federation, FederationError};

/// `Follow` from a local account to a remote one.
pub fn build(follow: &follows::Model, follower: &accounts::Model, target: &accounts::Model) -> Value {
    simple(&follow.uri, "Follow", &follower.uri, json!(target.uri), &target.uri)
}

/// `Accept` or `Reject` (`kind`) of a follow of a local account, sent to the follower.
pub fn build_answer(
    kind: &str,
    answer_id: &str,
    follow_uri: &str,
    follower: &accounts::Model,
    target: &accounts::Model,
) -> Value {
    let follow = json!({ "id": follow_uri, "type": "Follow", "actor": follower.uri, "object": target.uri });
    simple(answer_id, kind, &target.uri, follow, &follower.uri)
}

/// `Follow` of a remote account by a local one, to the target.
pub async fn send(fed: &Federation, follow_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(f) = follows::Entity::find_by_id(follow_id).one(&fed.db).await? else { return Ok(None) };
    let (follower, target) = (account(fed, f.account_id).await?, account(fed, f.target_account_id).await?);
    Ok(Some(Outgoing {
        activity: build(&f, &follower, &target),
        sender_account_id: follower.id,
        inboxes: personal_inbox(&target),
    }))
}

/// `Undo(Follow)`: unfollow, or a withdrawn request, to the target.
pub async fn send_undo(
    fed: &Federation,
    account_id: i64,
    target_account_id: i64,
    follow_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let (follower, target) = (account(fed, account_id).await?, account(fed, target_account_id).await?);
    let inner = super::undo::follow_object(follow_uri, &follower.uri, &target.uri);
    Ok(Some(Outgoing {
        activity: super::undo::build(&format!("{follow_uri}#undo"), &follower.uri, inner, &target.uri),
        sender_account_id: follower.id,
        inboxes: personal_inbox(&target),
    }))
}

/// `Accept` of a remote account's follow of a local one, to the follower.
pub async fn send_accept(fed: &Federation, follow_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(f) = follows::Entity::find_by_id(follow_id).one(&fed.db).await? else { return Ok(None) };
    let (follower, target) = (account(fed, f.account_id).await?, account(fed, f.target_account_id).await?);
    let id = fed.config.activity_url(&target.username, "accept", coopol_core::new_id());
    Ok(Some(Outgoing {
        activity: build_answer("Accept", &id, &f.uri, &follower, &target),
        sender_account_id: target.id,
        inboxes: personal_inbox(&follower),
    }))
}

/// `Reject` of a remote account's follow (`follow_uri`) of local `account_id`, to the follower.
pub async fn send_reject(
    fed: &Federation,
    account_id: i64,
    follower_account_id: i64,
    follow_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let (target, follower) = (account(fed, account_id).await?, account(fed, follower_account_id).await?);
    let id = fed.config.activity_url(&target.username, "reject", coopol_core::new_id());
    Ok(Some(Outgoing {
        activity: build_answer("Reject", &id, follow_uri, &follower, &target),
        sender_account_id: target.id,
        inboxes: personal_inbox(&follower),
    }))
}

/// A remote actor follows a local account: accepted at once unless the account is locked.
pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let id = activity.get("id").and_then(Value::as_str).unwrap_or_default();
    let target_uri =
        object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Follow without object".into()))?;
    let target = queries::account_by_uri(&fed.db, target_uri)
        .await?
        .filter(|a| a.domain.is_none() && a.actor_type != "Application")
        .ok_or(FederationError::NotFound)?;
    if target.actor_type == coopol_db::groups::GROUP {
        // What the follower's server runs decides the shape of the group's announces to it.
        crate::nodeinfo::learn(fed, &actor.uri).await?;
        return receive_group(fed, id, &target, actor).await;
    }
    let blocked = blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(target.id))
        .filter(blocks::Column::TargetAccountId.eq(actor.id))
        .one(&fed.db)
        .await?
        .is_some();
    // Read before the transaction: on SQLite a transaction must write first (see inbox.rs).
    let existing = queries::follow_between(&fed.db, actor.id, target.id).await?;
    // A follower or member listed in an archive imported into the target comes back without
    // waiting for approval: they followed the actor before it moved here.
    let returning = target.locked && coopol_db::moves::archive_role(&fed.db, target.id, &actor.uri).await?.is_some();
    let txn = fed.db.begin_write().await?;
    if blocked || target.suspended {
        queries::record_intent(
            &txn,
            &Intent::RejectFollow { account_id: target.id, follower_account_id: actor.id, follow_uri: id.to_string() },
        )
        .await?;
        txn.commit().await?;
        fed.outbox_ready.notify_one();
        return Ok(());
    }
    let is_new = existing.is_none();
    let follow = match existing {
        // A repeated Follow (lost Accept): answer again with the new activity id.
        Some(existing) => {
            let mut m: follows::ActiveModel = existing.into();
            m.uri = Set(id.to_string());
            m.update(&txn).await?
        }
        None => {
            follows::ActiveModel {
                id: Set(coopol_core::new_id()),
                account_id: Set(actor.id),
                target_account_id: Set(target.id),
                uri: Set(id.to_string()),
                state: Set(if target.locked && !returning { FOLLOW_PENDING } else { FOLLOW_ACCEPTED }.to_string()),
                created_at: Set(coopol_db::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    if follow.state == FOLLOW_ACCEPTED {
        queries::record_intent(&txn, &Intent::AcceptFollow { follow_id: follow.id }).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    if is_new {
        coopol_service::stream::followed(fed, &target, actor.id, follow.state == FOLLOW_PENDING).await?;
    }
    Ok(())
}

/// A remote actor asks to join a local group: decided by the group's join mode.
async fn receive_group(
    fed: &Federation,
    id: &str,
    group: &accounts::Model,
    actor: &accounts::Model,
) -> Result<(), FederationError> {
    let g = coopol_db::groups::settings(&fed.db, group.id).await?.ok_or(FederationError::NotFound)?;
    let decision = coopol_service::groups::join::decide(&fed.db, group, &g, actor).await?;
    let existing = queries::follow_between(&fed.db, actor.id, group.id).await?;
    // The first statement of `apply` is a write (SQLite).
    let txn = fed.db.begin_write().await?;
    coopol_service::groups::join::apply(&txn, group, actor, existing, id, decision).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Finds the local follow an `Accept`/`Reject` from `actor` answers.
async fn answered_follow(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<Option<follows::Model>, FederationError> {
    let obj = object(activity)?;
    if let Some(uri) = object_id(obj) {
        let by_uri = follows::Entity::find()
            .filter(follows::Column::Uri.eq(uri))
            .filter(follows::Column::TargetAccountId.eq(actor.id))
            .one(&fed.db)
            .await?;
        if by_uri.is_some() {
            return Ok(by_uri);
        }
    }
    // Some servers answer with their own rendering of our Follow: match by the pair.
    let follower = embedded_actor(obj).map(String::from);
    if let Some(follower_uri) = follower {
        if let Some(follower) = queries::account_by_uri(&fed.db, &follower_uri).await? {
            return Ok(queries::follow_between(&fed.db, follower.id, actor.id).await?);
        }
    }
    Ok(None)
}

/// The remote account accepted a local account's follow.
pub async fn receive_accept(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<(), FederationError> {
    if let Some(f) = answered_follow(fed, activity, actor).await? {
        if f.state != FOLLOW_ACCEPTED {
            let mut m: follows::ActiveModel = f.into();
            m.state = Set(FOLLOW_ACCEPTED.into());
            m.update(&fed.db).await?;
        }
    }
    Ok(())
}

/// The remote account refused (or removed) a local account's follow.
pub async fn receive_reject(
    fed: &Federation,
    activity: &Value,
    actor: &accounts::Model,
) -> Result<(), FederationError> {
    if let Some(f) = answered_follow(fed, activity, actor).await? {
        follows::Entity::delete_by_id(f.id).exec(&fed.db).await?;
    }
    Ok(())
}
