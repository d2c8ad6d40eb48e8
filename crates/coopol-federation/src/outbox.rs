//! The outbox worker: turns recorded intents into activities and one delivery job per distinct
//! inbox, in one transaction with the intent's removal, so each intent is delivered once. What
//! an intent sends, and to whom, is decided by its verb's module (`activities::<kind>::send`):
//! this one dispatches.

use coopol_db::WriteTxn;
use std::time::Duration;

use coopol_core::{Audience, Intent};
use coopol_db::entities::{accounts, delivery_jobs, outbox, statuses};
use coopol_db::queries;
use sea_orm::{EntityTrait, QueryOrder, QuerySelect, Set};
use url::Url;

use crate::activities::groups::flag;
use crate::activities::{announce, block, create, delete, follow, join, leave, like, r#move, update};
use crate::config::authority;
use crate::recipients::{account, local_public_group, Outgoing};
use crate::{Federation, FederationError};

/// Builds the activity and recipients of an intent: each verb's module decides its own. `None`:
/// nothing to send any more (the object is gone, or nobody remote is concerned).
pub async fn build(fed: &Federation, intent: &Intent) -> Result<Option<Outgoing>, FederationError> {
    match intent {
        Intent::CreateStatus { status_id } => create::send_status(fed, *status_id).await,
        Intent::UpdateStatus { status_id } => update::send_status(fed, *status_id).await,
        Intent::DeleteStatus { account_id, uri, followers, mentioned, replied_to, private_groups, public_groups } => {
            let deleted = delete::DeletedStatus {
                account_id: *account_id,
                uri,
                audience: Audience { followers: *followers, mentioned: mentioned.clone() },
                replied_to: *replied_to,
                private_groups,
                public_groups,
            };
            delete::send_status(fed, &deleted).await
        }
        Intent::Follow { follow_id } => follow::send(fed, *follow_id).await,
        Intent::UndoFollow { account_id, target_account_id, follow_uri } => {
            follow::send_undo(fed, *account_id, *target_account_id, follow_uri).await
        }
        Intent::AcceptFollow { follow_id } => follow::send_accept(fed, *follow_id).await,
        Intent::RejectFollow { account_id, follower_account_id, follow_uri } => {
            follow::send_reject(fed, *account_id, *follower_account_id, follow_uri).await
        }
        Intent::Like { favourite_id } => like::send(fed, *favourite_id).await,
        Intent::UndoLike { account_id, status_id, like_uri } => {
            like::send_undo(fed, *account_id, *status_id, like_uri).await
        }
        Intent::Announce { reblog_id } => announce::send(fed, *reblog_id).await,
        Intent::UndoAnnounce { account_id, status_id, announce_uri } => {
            announce::send_undo(fed, *account_id, *status_id, announce_uri).await
        }
        Intent::Block { block_id } => block::send(fed, *block_id).await,
        Intent::UndoBlock { account_id, target_account_id, block_uri } => {
            block::send_undo(fed, *account_id, *target_account_id, block_uri).await
        }
        Intent::CreateEvent { event_id } => create::send_event(fed, *event_id).await,
        Intent::UpdateEvent { event_id } => update::send_event(fed, *event_id).await,
        Intent::JoinEvent { participant_id } => join::send(fed, *participant_id).await,
        Intent::LeaveEvent { account_id, event_id, join_uri } => {
            leave::send(fed, *account_id, *event_id, join_uri).await
        }
        Intent::AcceptParticipant { participant_id } => join::send_answer(fed, *participant_id, true).await,
        Intent::RejectParticipant { participant_id } => join::send_answer(fed, *participant_id, false).await,
        Intent::PollVote { vote_id } => create::send_vote(fed, *vote_id).await,
        Intent::GroupFlag { account_id, group_account_id, status_uris, comment } => {
            flag::send(fed, *account_id, *group_account_id, status_uris, comment).await
        }
        Intent::DeleteAccount { account_id } => delete::send_account(fed, *account_id).await,
        Intent::UpdateAccount { account_id } => update::send_actor(fed, *account_id).await,
        Intent::Move { account_id, target_uri } => r#move::send(fed, *account_id, target_uri).await,
    }
}

/// Everything an intent sends: one activity, except where a local public group's followers on
/// Lemmy servers get their own shape of it (see `lemmy`): the group's announce of a post, the
/// author's edit or deletion of it, a moderator's removal of it.
pub async fn build_all(fed: &Federation, intent: &Intent) -> Result<Vec<Outgoing>, FederationError> {
    let Some(out) = build(fed, intent).await? else { return Ok(Vec::new()) };
    match intent {
        Intent::Announce { reblog_id } => {
            if let Some((r, s)) = public_group_boost(fed, *reblog_id).await? {
                return crate::lemmy::split_group_announce(fed, out, &r.uri, &s).await;
            }
        }
        Intent::UpdateStatus { status_id } => {
            let groups = coopol_db::groups::public_groups_of(&fed.db, *status_id).await?;
            if let (false, Some(s)) = (groups.is_empty(), queries::status_by_id(&fed.db, *status_id).await?) {
                return crate::lemmy::split_group_change(fed, out, &groups, crate::lemmy::Change::Edited(&s)).await;
            }
        }
        Intent::DeleteStatus { uri, public_groups, .. } if !public_groups.is_empty() => {
            return crate::lemmy::split_group_change(fed, out, public_groups, crate::lemmy::Change::Deleted(uri)).await;
        }
        Intent::UndoAnnounce { account_id, status_id, .. } => {
            if let Some((uri, moderator, reason)) = removal_by_local_moderator(fed, *account_id, *status_id).await? {
                let change = crate::lemmy::Change::Removed { uri: &uri, moderator: &moderator, reason: &reason };
                return crate::lemmy::split_group_change(fed, out, &[*account_id], change).await;
            }
        }
        _ => {}
    }
    Ok(vec![out])
}

/// When `group_id` is a local public group whose moderator here took `status_id` out of it:
/// the post's id, the moderator and the reason.
async fn removal_by_local_moderator(
    fed: &Federation,
    group_id: i64,
    status_id: i64,
) -> Result<Option<(String, accounts::Model, String)>, FederationError> {
    if !local_public_group(fed, &account(fed, group_id).await?).await? {
        return Ok(None);
    }
    let Some(s) = queries::status_by_id(&fed.db, status_id).await? else { return Ok(None) };
    let Some((moderator_id, reason)) = coopol_db::groups::remover_of(&fed.db, group_id, &s.uri).await? else {
        return Ok(None);
    };
    let moderator = account(fed, moderator_id).await?;
    Ok(moderator.domain.is_none().then_some((s.uri, moderator, reason)))
}

/// The boost `reblog_id` and the post it shares, when a local public group made it.
async fn public_group_boost(
    fed: &Federation,
    reblog_id: i64,
) -> Result<Option<(statuses::Model, statuses::Model)>, FederationError> {
    let Some(r) = queries::status_by_id(&fed.db, reblog_id).await? else { return Ok(None) };
    if !local_public_group(fed, &account(fed, r.account_id).await?).await? {
        return Ok(None);
    }
    let Some(orig) = r.reblog_of_id else { return Ok(None) };
    Ok(queries::status_by_id(&fed.db, orig).await?.map(|s| (r, s)))
}

/// Processes pending intents until none is left. Returns how many were processed.
pub async fn drain(fed: &Federation) -> Result<usize, FederationError> {
    let mut done = 0;
    loop {
        let batch = outbox::Entity::find().order_by_asc(outbox::Column::Id).limit(64).all(&fed.db).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for row in batch {
            let intent: Result<Intent, _> = serde_json::from_str(&row.intent);
            let outgoing = match intent {
                Ok(i) => match build_all(fed, &i).await {
                    Ok(o) => o,
                    Err(FederationError::Db(e)) => return Err(FederationError::Db(e)),
                    Err(e) => {
                        tracing::warn!(intent = %row.intent, error = %e, "dropping an intent that cannot be built");
                        Vec::new()
                    }
                },
                Err(e) => {
                    tracing::error!(intent = %row.intent, error = %e, "dropping an unreadable intent");
                    Vec::new()
                }
            };
            // Taking the intent out first makes the transaction write first (SQLite) and lets
            // only one process deliver it when several share the database.
            let txn = fed.db.begin_write().await?;
            if outbox::Entity::delete_by_id(row.id).exec(&txn).await?.rows_affected == 0 {
                txn.rollback().await?;
                continue;
            }
            for o in &outgoing {
                enqueue(&txn, o).await?;
            }
            txn.commit().await?;
            done += 1;
        }
        fed.delivery_ready.notify_waiters();
    }
}

/// Queues one delivery job per inbox of `o`.
pub async fn enqueue(db: &impl sea_orm::ConnectionTrait, o: &Outgoing) -> Result<(), FederationError> {
    let payload = serde_json::to_string(&o.activity).map_err(|e| FederationError::Invalid(e.to_string()))?;
    let now = coopol_db::now();
    let mut rows = Vec::new();
    for inbox in &o.inboxes {
        let Some(domain) = Url::parse(inbox).ok().as_ref().and_then(authority) else { continue };
        rows.push(delivery_jobs::ActiveModel {
            id: Set(coopol_core::new_id()),
            inbox_url: Set(inbox.clone()),
            domain: Set(domain),
            sender_account_id: Set(o.sender_account_id),
            payload: Set(payload.clone()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
        });
    }
    for chunk in rows.chunks(200) {
        delivery_jobs::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(())
}

/// Runs forever: drains the outbox whenever woken, and every few seconds in case a wake-up
/// was missed (another process sharing the database).
pub async fn run(fed: Federation) {
    loop {
        if let Err(e) = drain(&fed).await {
            tracing::error!(error = %e, "outbox worker");
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), fed.outbox_ready.notified()).await;
    }
}
