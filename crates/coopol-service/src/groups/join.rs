//! Joining a local group: a local person's follow, or a remote one's `Follow` through the inbox.
//! Open groups accept at once, groups on approval keep the follow pending for a moderator,
//! invitation-only groups accept only those invited (with the role of their invitation) and
//! reject the others. Banned accounts are rejected.

use coopol_core::group::{decide_join, JoinDecision};
use coopol_core::Intent;
use coopol_db::entities::{accounts, follows, groups};
use coopol_db::groups as gq;
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use crate::{Service, ServiceError};

/// What the group decides for `follower`, read before the transaction that applies it.
pub async fn decide(
    db: &impl ConnectionTrait,
    group: &accounts::Model,
    g: &groups::Model,
    follower: &accounts::Model,
) -> Result<JoinDecision, ServiceError> {
    let banned = gq::is_banned(db, group.id, follower.id).await?;
    let invited = match gq::invitation(db, group.id, follower.id).await? {
        Some(role) => Some(role),
        // Listed in an archive imported into the group (it moved here): back with its role.
        None => coopol_db::moves::archive_role(db, group.id, &follower.uri)
            .await?
            .map(|r| r.parse().unwrap_or(coopol_core::group::GroupRole::Member)),
    };
    Ok(decide_join(gq::join_mode(g), banned, invited, group.suspended))
}

/// Applies a join decision in the caller's transaction: the follow row (created, or updated
/// with the new activity id `uri`), the role, and the intent that answers a remote follower.
/// Returns the follow, `None` when rejected.
pub async fn apply(
    db: &impl ConnectionTrait,
    group: &accounts::Model,
    follower: &accounts::Model,
    existing: Option<follows::Model>,
    uri: &str,
    decision: JoinDecision,
) -> Result<Option<follows::Model>, ServiceError> {
    let remote = follower.domain.is_some();
    let role = match decision {
        JoinDecision::Reject => {
            if let Some(f) = existing {
                follows::Entity::delete_by_id(f.id).exec(db).await?;
            }
            if remote {
                let intent = Intent::RejectFollow {
                    account_id: group.id,
                    follower_account_id: follower.id,
                    follow_uri: uri.to_string(),
                };
                queries::record_intent(db, &intent).await?;
            }
            return Ok(None);
        }
        JoinDecision::Pending => None,
        JoinDecision::Accept(role) => Some(role),
    };
    // An accepted follow stays accepted when the same Follow comes again.
    let state = match (&existing, role) {
        (Some(f), None) if f.state == FOLLOW_ACCEPTED => FOLLOW_ACCEPTED,
        (_, None) => FOLLOW_PENDING,
        (_, Some(_)) => FOLLOW_ACCEPTED,
    };
    let follow = match existing {
        Some(f) => {
            let mut m: follows::ActiveModel = f.into();
            m.uri = Set(uri.to_string());
            m.state = Set(state.to_string());
            m.update(db).await?
        }
        None => {
            follows::ActiveModel {
                id: Set(coopol_core::new_id()),
                account_id: Set(follower.id),
                target_account_id: Set(group.id),
                uri: Set(uri.to_string()),
                state: Set(state.to_string()),
                created_at: Set(coopol_db::now()),
                notify: Set(false),
                show_reblogs: Set(true),
            }
            .insert(db)
            .await?
        }
    };
    if let Some(role) = role {
        gq::set_role(db, group.id, follower.id, role).await?;
        gq::take_invitation(db, group.id, follower.id).await?;
    }
    if remote && follow.state == FOLLOW_ACCEPTED {
        queries::record_intent(db, &Intent::AcceptFollow { follow_id: follow.id }).await?;
    }
    Ok(Some(follow))
}

/// Longest message with a request to join, in characters.
pub const MAX_JOIN_MESSAGE: usize = 1000;

/// A local person joins (follows) a local group, decided at once by its join mode. (A remote
/// group answers through its server: `relationships::follow`.)
pub async fn join_local(svc: &Service, me: &accounts::Model, group: &accounts::Model) -> Result<(), ServiceError> {
    ask_to_join(svc, me, group, "").await
}

/// `join_local` with a message for the moderators, kept while the request waits (a group on
/// approval); a group that accepts or refuses at once does not keep it.
pub async fn ask_to_join(
    svc: &Service,
    me: &accounts::Model,
    group: &accounts::Model,
    message: &str,
) -> Result<(), ServiceError> {
    if message.chars().count() > MAX_JOIN_MESSAGE {
        return Err(ServiceError::Unprocessable(format!("the message is longer than {MAX_JOIN_MESSAGE} characters")));
    }
    let g = gq::settings(&svc.db, group.id).await?.ok_or(ServiceError::NotFound)?;
    let decision = decide(&svc.db, group, &g, me).await?;
    if decision == JoinDecision::Reject {
        return Err(ServiceError::Forbidden("the group does not take this account".into()));
    }
    let existing = queries::follow_between(&svc.db, me.id, group.id).await?;
    if existing.as_ref().is_some_and(|f| f.state == FOLLOW_ACCEPTED) {
        return Ok(());
    }
    let uri = existing
        .as_ref()
        .map_or_else(|| svc.config.activity_url(&me.username, "follow", coopol_core::new_id()), |f| f.uri.clone());
    let txn = svc.db.begin_write().await?;
    let follow = apply(&txn, group, me, existing, &uri, decision).await?;
    if follow.is_some_and(|f| f.state != FOLLOW_ACCEPTED) {
        gq::set_join_message(&txn, group.id, me.id, message).await?;
    }
    txn.commit().await?;
    Ok(())
}
