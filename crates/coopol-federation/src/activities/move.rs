//! `Move`: an actor (a person or a group) moved to another actor, usually on another server,
//! as Mastodon's account migration. The new actor first names the old one in `alsoKnownAs`
//! (an alias); the old actor then sets `movedTo` and sends `Move{actor: old, object: old,
//! target: new}` to its followers. A server that receives it checks, on a fresh copy of the
//! target, that the target names the old actor, then makes each of its local followers follow
//! the new actor and stop following the old one. What is done stays done: a later change on the
//! old server (movedTo removed, the old actor deleted) does not bring the followers back.

use coopol_core::Intent;
use coopol_db::entities::{accounts, blocks, follows};
use coopol_db::moves;
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use url::Url;

use crate::recipients::{account, Outgoing};
use crate::wire::{object, object_id, with_context};
use crate::{actors, Federation, FederationError};

/// The `Move` of `old` to `target_uri`, addressed to the old actor's followers.
/// `Move` of a local account to `target_uri`, to its followers' servers.
pub async fn send(fed: &Federation, account_id: i64, target_uri: &str) -> Result<Option<Outgoing>, FederationError> {
    let a = account(fed, account_id).await?;
    let id = fed.config.activity_url(&a.username, "move", coopol_core::new_id());
    let followers = queries::accepted_follower_ids(&fed.db, a.id).await?;
    Ok(Some(Outgoing {
        activity: build(&id, &a, target_uri),
        sender_account_id: a.id,
        inboxes: queries::remote_inboxes(&fed.db, &followers).await?,
    }))
}

pub fn build(id: &str, old: &accounts::Model, target_uri: &str) -> Value {
    let to: Vec<&str> = old.followers_url.as_deref().into_iter().collect();
    with_context(json!({
        "id": id,
        "type": "Move",
        "actor": old.uri,
        "object": old.uri,
        "target": target_uri,
        "to": to,
    }))
}

/// The target of a move of `old`, checked: another actor, not suspended, whose `alsoKnownAs`
/// names `old`. A remote target is fetched again now (never a cached copy), from its own origin.
pub async fn verified_target(
    fed: &Federation,
    old: &accounts::Model,
    target_uri: &str,
) -> Result<accounts::Model, FederationError> {
    if target_uri == old.uri {
        return Err(FederationError::Invalid("an actor cannot move to itself".into()));
    }
    Url::parse(target_uri).map_err(|_| FederationError::Invalid(format!("{target_uri} is not a URL")))?;
    let target = if fed.config.is_local(target_uri) {
        queries::account_by_uri(&fed.db, target_uri).await?.ok_or(FederationError::NotFound)?
    } else {
        actors::fetch_actor(fed, target_uri).await?
    };
    if target.suspended || target.actor_type == "Application" {
        return Err(FederationError::Refused(format!("{target_uri} cannot be moved to")));
    }
    if !moves::aliases(&target).iter().any(|a| a == &old.uri) {
        return Err(FederationError::Refused(format!(
            "{} does not name {} in alsoKnownAs: add the alias on the new actor first",
            target.uri, old.uri
        )));
    }
    Ok(target)
}

/// Makes every local follower of `old` follow `new` and stop following `old` (each in its own
/// transaction, with the `Follow` and `Undo(Follow)` to send). A follower that already follows
/// `new` just leaves `old`; one with a block between it and `new` keeps its follow of `old`.
/// Returns how many followers moved. Running it again changes nothing.
pub async fn move_local_followers(
    fed: &Federation,
    old: &accounts::Model,
    new: &accounts::Model,
) -> Result<usize, FederationError> {
    let mut moved = 0;
    for f in moves::local_follows_of(&fed.db, old.id).await? {
        if f.account_id == new.id {
            continue;
        }
        let blocked = blocks::Entity::find()
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(blocks::Column::AccountId.eq(f.account_id))
                            .add(blocks::Column::TargetAccountId.eq(new.id)),
                    )
                    .add(
                        Condition::all()
                            .add(blocks::Column::AccountId.eq(new.id))
                            .add(blocks::Column::TargetAccountId.eq(f.account_id)),
                    ),
            )
            .one(&fed.db)
            .await?
            .is_some();
        if blocked {
            continue;
        }
        let Some(follower) = queries::account_by_id(&fed.db, f.account_id).await? else { continue };
        let existing = queries::follow_between(&fed.db, follower.id, new.id).await?;
        // The delete comes first: on SQLite a transaction must begin with a write.
        let txn = fed.db.begin_write().await?;
        if follows::Entity::delete_by_id(f.id).exec(&txn).await?.rows_affected == 0 {
            txn.rollback().await?;
            continue;
        }
        if old.domain.is_some() {
            queries::record_intent(
                &txn,
                &Intent::UndoFollow { account_id: follower.id, target_account_id: old.id, follow_uri: f.uri.clone() },
            )
            .await?;
        }
        if existing.is_none() {
            let id = coopol_core::new_id();
            let state = if new.domain.is_none() && !new.locked { FOLLOW_ACCEPTED } else { FOLLOW_PENDING };
            follows::ActiveModel {
                id: Set(id),
                account_id: Set(follower.id),
                target_account_id: Set(new.id),
                uri: Set(fed.config.activity_url(&follower.username, "follow", id)),
                state: Set(state.to_string()),
                created_at: Set(coopol_db::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            if new.domain.is_some() {
                queries::record_intent(&txn, &Intent::Follow { follow_id: id }).await?;
            }
        }
        txn.commit().await?;
        moved += 1;
    }
    fed.outbox_ready.notify_one();
    Ok(moved)
}

/// A local account moves to `target_uri` (already resolved): checks the target, records
/// `movedTo` and the `Move` to send to its followers, and moves its local followers at once.
/// Returns the target and how many local followers moved.
pub async fn move_local_account(
    fed: &Federation,
    old: &accounts::Model,
    target_uri: &str,
) -> Result<(accounts::Model, usize), FederationError> {
    if old.domain.is_some() {
        return Err(FederationError::Invalid("only a local actor can be moved from here".into()));
    }
    let target = verified_target(fed, old, target_uri).await?;
    let txn = fed.db.begin_write().await?;
    moves::set_moved_to(&txn, old.id, &target.uri).await?;
    queries::record_intent(&txn, &Intent::Move { account_id: old.id, target_uri: target.uri.clone() }).await?;
    txn.commit().await?;
    let moved = move_local_followers(fed, old, &target).await?;
    Ok((target, moved))
}

/// Adds `old_uri` to the `alsoKnownAs` of a local account (idempotent, at most
/// `moves::MAX_ALIASES`). Returns the new list.
pub async fn add_alias(
    fed: &Federation,
    account: &accounts::Model,
    old_uri: &str,
) -> Result<Vec<String>, FederationError> {
    Url::parse(old_uri).map_err(|_| FederationError::Invalid(format!("{old_uri} is not a URL")))?;
    if old_uri == account.uri {
        return Err(FederationError::Invalid("an actor cannot be its own alias".into()));
    }
    Ok(moves::add_alias(&fed.db, account, old_uri).await?)
}

/// A remote actor moved: verified (the signer is the actor, the object is the actor itself, the
/// target names it), then its local followers follow the target.
pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let object_uri =
        object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Move without object".into()))?;
    if object_uri != actor.uri {
        return Err(FederationError::Unauthorized("a Move of another actor".into()));
    }
    let target_uri = activity
        .get("target")
        .and_then(object_id)
        .ok_or_else(|| FederationError::Invalid("Move without target".into()))?;
    if target_uri.len() > 2048 {
        return Err(FederationError::Invalid("Move target too long".into()));
    }
    let target = verified_target(fed, actor, target_uri).await?;
    moves::set_moved_to(&fed.db, actor.id, &target.uri).await?;
    let moved = move_local_followers(fed, actor, &target).await?;
    tracing::info!(from = %actor.uri, to = %target.uri, followers = moved, "an actor moved");
    Ok(())
}
