//! Groups: joining (by a local person or, through the inbox, a remote one), and what their
//! moderators do: answer requests, set roles, invite, remove posts, ban, lock threads; and
//! reports to a group's moderators. The rules are `coopol_core::group`'s; each write is one
//! transaction that records its `Intent` when another server must hear of it.

pub mod join;
pub mod members;

use coopol_core::group::{GroupRole, ModAction};
use coopol_core::Intent;
use coopol_db::entities::{accounts, blocks, follows, groups as group_rows};
use coopol_db::groups::{self as gq, GROUP};
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::{statuses, Service, ServiceError};

fn forbidden(why: &str) -> ServiceError {
    ServiceError::Forbidden(why.to_string())
}

/// A local group by account id: its account and settings.
pub async fn local(svc: &Service, id: i64) -> Result<(accounts::Model, group_rows::Model), ServiceError> {
    let a = queries::account_by_id(&svc.db, id)
        .await?
        .filter(|a| a.actor_type == GROUP && a.domain.is_none() && !a.suspended)
        .ok_or(ServiceError::NotFound)?;
    let g = gq::settings(&svc.db, a.id).await?.ok_or(ServiceError::NotFound)?;
    Ok((a, g))
}

/// Requires `me` to be an admin of the group.
pub async fn require_admin(svc: &Service, group_id: i64, me: &accounts::Model) -> Result<(), ServiceError> {
    match gq::role_of(&svc.db, group_id, me.id).await? {
        Some(GroupRole::Admin) => Ok(()),
        _ => Err(forbidden("group admins only")),
    }
}

/// Requires `me` to moderate the group; returns my role.
pub async fn require_moderator(svc: &Service, group_id: i64, me: &accounts::Model) -> Result<GroupRole, ServiceError> {
    match gq::role_of(&svc.db, group_id, me.id).await? {
        Some(r) if r.can_moderate() => Ok(r),
        _ => Err(forbidden("group moderators only")),
    }
}

/// Longest name and description of a group (as of an actor).
pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;

/// What a group's admins may change of its profile (`None`: unchanged).
#[derive(Debug, Default, Clone)]
pub struct GroupUpdate {
    pub display_name: Option<String>,
    /// Plain text, shown as the actor's summary.
    pub description: Option<String>,
    /// Plain text, stored with the group's settings and shown after the description.
    pub rules: Option<String>,
}

/// Changes a local group's name, description or rules, and tells its followers' servers
/// (`Update` of the actor). The caller checks who asks (`require_admin`).
pub async fn update_profile(
    svc: &Service,
    group: &accounts::Model,
    g: &group_rows::Model,
    u: &GroupUpdate,
) -> Result<(accounts::Model, group_rows::Model), ServiceError> {
    let too_long = u.display_name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME)
        || u.description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
        || u.rules.as_ref().is_some_and(|r| r.chars().count() > coopol_core::group::MAX_RULES);
    if too_long {
        return Err(ServiceError::Unprocessable("group name, description or rules too long".into()));
    }
    let mut a: accounts::ActiveModel = group.clone().into();
    if let Some(n) = &u.display_name {
        a.display_name = Set(if n.trim().is_empty() { group.username.clone() } else { n.trim().to_string() });
    }
    if let Some(d) = &u.description {
        a.note = Set(coopol_core::text::escape(d));
    }
    a.updated_at = Set(coopol_db::now());
    let txn = svc.db.begin_write().await?;
    let account = a.update(&txn).await?;
    let settings = match &u.rules {
        Some(r) => {
            let mut m: group_rows::ActiveModel = g.clone().into();
            m.rules = Set(r.clone());
            m.update(&txn).await?
        }
        None => g.clone(),
    };
    queries::record_intent(&txn, &Intent::UpdateAccount { account_id: group.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok((account, settings))
}

fn parse_role(role: &str) -> Result<GroupRole, ServiceError> {
    role.parse().map_err(|e: coopol_core::CoreError| ServiceError::Unprocessable(e.to_string()))
}

/// Accepts or rejects a pending request to join.
pub async fn answer_request(
    svc: &Service,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    accept: bool,
) -> Result<(), ServiceError> {
    require_moderator(svc, group.id, me).await?;
    let f = queries::follow_between(&svc.db, account_id, group.id)
        .await?
        .filter(|f| f.state != FOLLOW_ACCEPTED)
        .ok_or(ServiceError::NotFound)?;
    let follower = queries::account_by_id(&svc.db, account_id).await?.ok_or(ServiceError::NotFound)?;
    let txn = svc.db.begin_write().await?;
    if accept {
        let mut m: follows::ActiveModel = f.clone().into();
        m.state = Set(FOLLOW_ACCEPTED.into());
        m.update(&txn).await?;
        gq::set_role(&txn, group.id, account_id, GroupRole::Member).await?;
        if follower.domain.is_some() {
            queries::record_intent(&txn, &Intent::AcceptFollow { follow_id: f.id }).await?;
        }
    } else {
        follows::Entity::delete_by_id(f.id).exec(&txn).await?;
        if follower.domain.is_some() {
            let intent =
                Intent::RejectFollow { account_id: group.id, follower_account_id: account_id, follow_uri: f.uri };
            queries::record_intent(&txn, &intent).await?;
        }
    }
    gq::drop_join_message(&txn, group.id, account_id).await?;
    let action = if accept { ModAction::AcceptMember } else { ModAction::RejectMember };
    gq::log(&txn, group.id, Some(me.id), action, Some(account_id), None, "").await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Changes the role of a person of the group.
pub async fn set_role(
    svc: &Service,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    role: &str,
) -> Result<(), ServiceError> {
    let mine = require_moderator(svc, group.id, me).await?;
    let to = parse_role(role)?;
    let from = gq::role_of(&svc.db, group.id, account_id).await?.ok_or(ServiceError::NotFound)?;
    if !mine.may_set_role(from, to) {
        return Err(forbidden("this role change is not yours to make"));
    }
    let txn = svc.db.begin_write().await?;
    gq::set_role(&txn, group.id, account_id, to).await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::SetRole, Some(account_id), None, to.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

/// Invites an account (local or remote, already known here) with a role.
pub async fn invite(
    svc: &Service,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    role: &str,
) -> Result<(), ServiceError> {
    let mine = require_moderator(svc, group.id, me).await?;
    let role = parse_role(role)?;
    if !mine.may_set_role(GroupRole::Member, role) {
        return Err(forbidden("this role is not yours to give"));
    }
    queries::account_by_id(&svc.db, account_id)
        .await?
        .filter(|a| a.actor_type != "Application" && !a.suspended)
        .ok_or(ServiceError::NotFound)?;
    let txn = svc.db.begin_write().await?;
    gq::invite(&txn, group.id, account_id, role, me.id).await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::Invite, Some(account_id), None, role.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

/// Takes a post out of the group: the group's boost goes, and its remote followers get
/// `Undo(Announce)`.
pub async fn remove_post(
    svc: &Service,
    group: &accounts::Model,
    g: &group_rows::Model,
    me: &accounts::Model,
    status_id: i64,
    reason: &str,
) -> Result<(), ServiceError> {
    require_moderator(svc, group.id, me).await?;
    let s = queries::status_by_id(&svc.db, status_id).await?.ok_or(ServiceError::NotFound)?;
    gq::group_post(&svc.db, group.id, s.id).await?.ok_or(ServiceError::NotFound)?;
    let txn = svc.db.begin_write().await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::RemovePost, Some(s.account_id), Some(&s.uri), reason).await?;
    if let Some(Some(intent)) = gq::remove_post(&txn, g, s.id).await? {
        queries::record_intent(&txn, &intent).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Bans an account: it stops being a follower, its later posts are not announced, its follows
/// are rejected, and its server gets the group's `Block`.
pub async fn ban(
    svc: &Service,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    reason: &str,
) -> Result<(), ServiceError> {
    let mine = require_moderator(svc, group.id, me).await?;
    let target = queries::account_by_id(&svc.db, account_id).await?.ok_or(ServiceError::NotFound)?;
    if target.id == me.id || target.id == group.id {
        return Err(ServiceError::Unprocessable("you cannot ban yourself".into()));
    }
    if let Some(r) = gq::role_of(&svc.db, group.id, target.id).await? {
        if !mine.may_act_against(r) {
            return Err(forbidden("this member is not yours to ban"));
        }
    }
    if gq::is_banned(&svc.db, group.id, target.id).await? {
        return Ok(());
    }
    let follow = queries::follow_between(&svc.db, target.id, group.id).await?;
    let id = coopol_core::new_id();
    let txn = svc.db.begin_write().await?;
    blocks::ActiveModel {
        id: Set(id),
        account_id: Set(group.id),
        target_account_id: Set(target.id),
        uri: Set(svc.config.activity_url(&group.username, "block", id)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    if let Some(f) = follow {
        follows::Entity::delete_by_id(f.id).exec(&txn).await?;
    }
    gq::remove_role(&txn, group.id, target.id).await?;
    gq::drop_join_message(&txn, group.id, target.id).await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::Ban, Some(target.id), None, reason).await?;
    if target.domain.is_some() {
        queries::record_intent(&txn, &Intent::Block { block_id: id }).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Locks or unlocks a thread (a post of the group and the replies under it).
pub async fn lock_thread(
    svc: &Service,
    group: &accounts::Model,
    me: &accounts::Model,
    status_id: i64,
    locked: bool,
) -> Result<(), ServiceError> {
    require_moderator(svc, group.id, me).await?;
    let s = queries::status_by_id(&svc.db, status_id).await?.ok_or(ServiceError::NotFound)?;
    gq::group_post(&svc.db, group.id, s.id).await?.ok_or(ServiceError::NotFound)?;
    let txn = svc.db.begin_write().await?;
    if gq::set_thread_lock(&txn, group.id, s.id, locked).await? {
        let action = if locked { ModAction::LockThread } else { ModAction::UnlockThread };
        gq::log(&txn, group.id, Some(me.id), action, Some(s.account_id), Some(&s.uri), "").await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Reports posts (or just the situation) to a group's moderators: written to a local group's
/// log, sent as `Flag` to a remote one.
pub async fn report(
    svc: &Service,
    me: &accounts::Model,
    group: &accounts::Model,
    status_ids: &[i64],
    comment: &str,
) -> Result<(), ServiceError> {
    if comment.chars().count() > 1000 {
        return Err(ServiceError::Unprocessable("the comment is longer than 1000 characters".into()));
    }
    let mut uris = Vec::new();
    for id in status_ids.iter().take(20) {
        uris.push(statuses::visible(svc, *id, Some(me.id)).await?.uri);
    }
    let txn = svc.db.begin_write().await?;
    if group.domain.is_none() {
        let target = uris.first().map(String::as_str);
        gq::log(&txn, group.id, Some(me.id), ModAction::Report, None, target, comment).await?;
    } else {
        let intent = Intent::GroupFlag {
            account_id: me.id,
            group_account_id: group.id,
            status_uris: uris,
            comment: comment.to_string(),
        };
        queries::record_intent(&txn, &intent).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}
