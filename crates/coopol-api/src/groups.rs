//! What the group endpoints do (`/api/v1/coopol/groups`): create, join, leave, members and
//! roles, join requests, invitations, moderation. The rules are `coopol_core::group`'s; each
//! write is one transaction that records its `Intent` when another server must hear of it.

use coopol_core::group::{self as rules, GroupRole, JoinDecision, ModAction};
use coopol_core::{Intent, JoinMode};
use coopol_db::entities::{accounts, blocks, follows, groups as group_rows};
use coopol_db::groups::{self as gq, GROUP};
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use coopol_federation::actors::{self, GroupUpdate, NewGroup};
use coopol_federation::Federation;
use coopol_service::groups::join;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use serde_json::{json, Value};

use crate::media::Media;
use crate::{mastodon, profile_images, ApiError};

/// A local group by account id: its account and settings.
pub async fn local_group(fed: &Federation, id: i64) -> Result<(accounts::Model, group_rows::Model), ApiError> {
    let a = queries::account_by_id(&fed.db, id)
        .await?
        .filter(|a| a.actor_type == GROUP && a.domain.is_none() && !a.suspended)
        .ok_or(ApiError::NotFound)?;
    let g = gq::settings(&fed.db, a.id).await?.ok_or(ApiError::NotFound)?;
    Ok((a, g))
}

/// The group as the API shows it: a Mastodon account (`group: true`) with coopol's settings
/// and the viewer's role.
pub async fn group_json(
    fed: &Federation,
    a: &accounts::Model,
    g: &group_rows::Model,
    viewer: Option<i64>,
) -> Result<Value, ApiError> {
    let role = match viewer {
        Some(v) => gq::role_of(&fed.db, a.id, v).await?,
        None => None,
    };
    let pending = match viewer {
        Some(v) => queries::follow_between(&fed.db, v, a.id).await?.is_some_and(|f| f.state != FOLLOW_ACCEPTED),
        None => false,
    };
    Ok(json!({
        "id": a.id.to_string(),
        "account": mastodon::account(fed, a).await?,
        "join_mode": gq::join_mode(g).as_str(),
        "private": g.private,
        "members_visible": g.members_visible,
        "rules": g.rules,
        "role": role.map(GroupRole::as_str),
        "requested": pending,
    }))
}

/// What a client asks to create.
pub struct CreateGroup<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    pub description: &'a str,
    pub rules: &'a str,
    pub join_mode: &'a str,
    pub private: bool,
    pub members_visible: bool,
}

pub async fn create(
    fed: &Federation,
    admin: &accounts::Model,
    c: CreateGroup<'_>,
) -> Result<(accounts::Model, group_rows::Model), ApiError> {
    let join_mode: JoinMode =
        c.join_mode.parse().map_err(|e: coopol_core::CoreError| ApiError::Unprocessable(e.to_string()))?;
    let new = NewGroup {
        name: c.name,
        display_name: c.display_name,
        description: c.description,
        rules: c.rules,
        join_mode,
        private: c.private,
        members_visible: c.members_visible,
    };
    Ok(actors::create_local_group(&fed.db, &fed.config, &new, Some(admin)).await?)
}

/// The viewer's role in a local group, required to be an admin's.
async fn group_admin(fed: &Federation, group_id: i64, me: &accounts::Model) -> Result<(), ApiError> {
    match gq::role_of(&fed.db, group_id, me.id).await? {
        Some(GroupRole::Admin) => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// Changes a group's name, description, rules, avatar or header (its admins only). Images are
/// checked and converted before anything is written: a refused image refuses the whole update.
/// Followers' servers get `Update` of the group.
pub async fn update(
    fed: &Federation,
    media: Option<&Media>,
    group: &accounts::Model,
    g: &group_rows::Model,
    me: &accounts::Model,
    u: GroupUpdate,
    images: Vec<(String, axum::body::Bytes)>,
) -> Result<(accounts::Model, group_rows::Model), ApiError> {
    group_admin(fed, group.id, me).await?;
    let images = match (media, images.is_empty()) {
        (_, true) => vec![],
        (Some(m), false) => profile_images::process_all(m, images).await?,
        (None, false) => return Err(ApiError::Unprocessable("images cannot be stored on this server".into())),
    };
    let changed = u.display_name.is_some() || u.description.is_some() || u.rules.is_some();
    let (a, g) = if changed {
        let done = actors::update_local_group(&fed.db, group, g, &u).await?;
        fed.outbox_ready.notify_one();
        done
    } else {
        (group.clone(), g.clone())
    };
    if let Some(m) = media {
        profile_images::store(fed, m, &a, images).await?;
    }
    Ok((a, g))
}

/// Removes a group's avatar or header (its admins only).
pub async fn remove_image(
    fed: &Federation,
    media: &Media,
    group: &accounts::Model,
    me: &accounts::Model,
    kind: &str,
) -> Result<(), ApiError> {
    group_admin(fed, group.id, me).await?;
    profile_images::remove(fed, media, group, kind).await
}

/// Joins (follows) a local group, decided at once by its join mode. (A remote group answers
/// through its server: `service::follow`.)
pub async fn join_group(fed: &Federation, me: &accounts::Model, group: &accounts::Model) -> Result<(), ApiError> {
    let g = gq::settings(&fed.db, group.id).await?.ok_or(ApiError::NotFound)?;
    let decision = join::decide(&fed.db, group, &g, me).await?;
    if decision == JoinDecision::Reject {
        return Err(ApiError::Forbidden);
    }
    let existing = queries::follow_between(&fed.db, me.id, group.id).await?;
    if existing.as_ref().is_some_and(|f| f.state == FOLLOW_ACCEPTED) {
        return Ok(());
    }
    let uri = existing
        .as_ref()
        .map_or_else(|| fed.config.activity_url(&me.username, "follow", coopol_core::new_id()), |f| f.uri.clone());
    let txn = fed.db.begin().await?;
    join::apply(&txn, group, me, existing, &uri, decision).await?;
    txn.commit().await?;
    Ok(())
}

/// The viewer's role in a local group, required to be a moderator's.
async fn moderator(fed: &Federation, group_id: i64, me: &accounts::Model) -> Result<GroupRole, ApiError> {
    match gq::role_of(&fed.db, group_id, me.id).await? {
        Some(r) if r.can_moderate() => Ok(r),
        _ => Err(ApiError::Forbidden),
    }
}

/// The people of a group (members, sympathisers, moderators, pending requests), for those the
/// group lets see them.
pub async fn people(fed: &Federation, group_id: i64, me: &accounts::Model) -> Result<Vec<Value>, ApiError> {
    let g = gq::settings(&fed.db, group_id).await?.ok_or(ApiError::NotFound)?;
    let role = gq::role_of(&fed.db, group_id, me.id).await?;
    if !rules::may_list_members(role, g.members_visible) {
        return Err(ApiError::Forbidden);
    }
    let moderator = role.is_some_and(GroupRole::can_moderate);
    let mut out = Vec::new();
    for p in gq::people(&fed.db, group_id, 1000).await? {
        // Pending requests are the moderators' business.
        if p.pending && !moderator {
            continue;
        }
        out.push(json!({
            "account": mastodon::account(fed, &p.account).await?,
            "role": p.role.as_str(),
            "pending": p.pending,
        }));
    }
    Ok(out)
}

/// Accepts or rejects a pending request to join.
pub async fn answer_request(
    fed: &Federation,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    accept: bool,
) -> Result<(), ApiError> {
    moderator(fed, group.id, me).await?;
    let f = queries::follow_between(&fed.db, account_id, group.id)
        .await?
        .filter(|f| f.state != FOLLOW_ACCEPTED)
        .ok_or(ApiError::NotFound)?;
    let follower = queries::account_by_id(&fed.db, account_id).await?.ok_or(ApiError::NotFound)?;
    let txn = fed.db.begin().await?;
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
    let action = if accept { ModAction::AcceptMember } else { ModAction::RejectMember };
    gq::log(&txn, group.id, Some(me.id), action, Some(account_id), None, "").await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Changes the role of a person of the group.
pub async fn set_role(
    fed: &Federation,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    role: &str,
) -> Result<(), ApiError> {
    let mine = moderator(fed, group.id, me).await?;
    let to: GroupRole = role.parse().map_err(|e: coopol_core::CoreError| ApiError::Unprocessable(e.to_string()))?;
    let from = gq::role_of(&fed.db, group.id, account_id).await?.ok_or(ApiError::NotFound)?;
    if !mine.may_set_role(from, to) {
        return Err(ApiError::Forbidden);
    }
    let txn = fed.db.begin().await?;
    gq::set_role(&txn, group.id, account_id, to).await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::SetRole, Some(account_id), None, to.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

/// Invites an account (local or remote, already known here) with a role.
pub async fn invite(
    fed: &Federation,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    role: &str,
) -> Result<(), ApiError> {
    let mine = moderator(fed, group.id, me).await?;
    let role: GroupRole = role.parse().map_err(|e: coopol_core::CoreError| ApiError::Unprocessable(e.to_string()))?;
    if !mine.may_set_role(GroupRole::Member, role) {
        return Err(ApiError::Forbidden);
    }
    queries::account_by_id(&fed.db, account_id)
        .await?
        .filter(|a| a.actor_type != "Application" && !a.suspended)
        .ok_or(ApiError::NotFound)?;
    let txn = fed.db.begin().await?;
    gq::invite(&txn, group.id, account_id, role, me.id).await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::Invite, Some(account_id), None, role.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

/// Takes a post out of the group: the group's boost goes, and its remote followers get
/// `Undo(Announce)`.
pub async fn remove_post(
    fed: &Federation,
    group: &accounts::Model,
    g: &group_rows::Model,
    me: &accounts::Model,
    status_id: i64,
    reason: &str,
) -> Result<(), ApiError> {
    moderator(fed, group.id, me).await?;
    let s = queries::status_by_id(&fed.db, status_id).await?.ok_or(ApiError::NotFound)?;
    gq::group_post(&fed.db, group.id, s.id).await?.ok_or(ApiError::NotFound)?;
    let txn = fed.db.begin().await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::RemovePost, Some(s.account_id), Some(&s.uri), reason).await?;
    if let Some(Some(intent)) = gq::remove_post(&txn, g, s.id).await? {
        queries::record_intent(&txn, &intent).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Bans an account: it stops being a follower, its later posts are not announced, its follows
/// are rejected, and its server gets the group's `Block`.
pub async fn ban(
    fed: &Federation,
    group: &accounts::Model,
    me: &accounts::Model,
    account_id: i64,
    reason: &str,
) -> Result<(), ApiError> {
    let mine = moderator(fed, group.id, me).await?;
    let target = queries::account_by_id(&fed.db, account_id).await?.ok_or(ApiError::NotFound)?;
    if target.id == me.id || target.id == group.id {
        return Err(ApiError::Unprocessable("you cannot ban yourself".into()));
    }
    if let Some(r) = gq::role_of(&fed.db, group.id, target.id).await? {
        if !mine.may_act_against(r) {
            return Err(ApiError::Forbidden);
        }
    }
    if gq::is_banned(&fed.db, group.id, target.id).await? {
        return Ok(());
    }
    let follow = queries::follow_between(&fed.db, target.id, group.id).await?;
    let id = coopol_core::new_id();
    let txn = fed.db.begin().await?;
    blocks::ActiveModel {
        id: Set(id),
        account_id: Set(group.id),
        target_account_id: Set(target.id),
        uri: Set(fed.config.activity_url(&group.username, "block", id)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    if let Some(f) = follow {
        follows::Entity::delete_by_id(f.id).exec(&txn).await?;
    }
    gq::remove_role(&txn, group.id, target.id).await?;
    gq::log(&txn, group.id, Some(me.id), ModAction::Ban, Some(target.id), None, reason).await?;
    if target.domain.is_some() {
        queries::record_intent(&txn, &Intent::Block { block_id: id }).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Locks or unlocks a thread (a post of the group and the replies under it).
pub async fn lock_thread(
    fed: &Federation,
    group: &accounts::Model,
    me: &accounts::Model,
    status_id: i64,
    locked: bool,
) -> Result<(), ApiError> {
    moderator(fed, group.id, me).await?;
    let s = queries::status_by_id(&fed.db, status_id).await?.ok_or(ApiError::NotFound)?;
    gq::group_post(&fed.db, group.id, s.id).await?.ok_or(ApiError::NotFound)?;
    let txn = fed.db.begin().await?;
    if gq::set_thread_lock(&txn, group.id, s.id, locked).await? {
        let action = if locked { ModAction::LockThread } else { ModAction::UnlockThread };
        gq::log(&txn, group.id, Some(me.id), action, Some(s.account_id), Some(&s.uri), "").await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The moderation log, for the group's members (not sympathisers, not outsiders); reports
/// are shown to moderators only.
pub async fn moderation_log(
    fed: &Federation,
    group_id: i64,
    me: &accounts::Model,
    max_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Value>, ApiError> {
    let moderator = match gq::role_of(&fed.db, group_id, me.id).await? {
        Some(r) if r.can_post() => r.can_moderate(),
        _ => return Err(ApiError::Forbidden),
    };
    let rows = gq::moderation_log(&fed.db, group_id, max_id, limit).await?;
    let mut out = Vec::new();
    // Reports name who reported: moderators only see them.
    for e in rows.into_iter().filter(|e| moderator || e.action != ModAction::Report.as_str()) {
        let name = |id: Option<i64>| async move {
            match id {
                Some(id) => queries::account_by_id(&fed.db, id).await.map(|a| a.map(|a| mastodon::acct(&a))),
                None => Ok(None),
            }
        };
        out.push(json!({
            "id": e.id.to_string(),
            "action": e.action,
            "actor": name(e.actor_account_id).await?,
            "target_account": name(e.target_account_id).await?,
            "target_uri": e.target_uri,
            "reason": e.reason,
            "created_at": mastodon::time(e.created_at),
        }));
    }
    Ok(out)
}

/// Reports posts (or just the situation) to a group's moderators: written to a local group's
/// log, sent as `Flag` to a remote one.
pub async fn report(
    fed: &Federation,
    me: &accounts::Model,
    group: &accounts::Model,
    status_ids: &[i64],
    comment: &str,
) -> Result<(), ApiError> {
    if comment.chars().count() > 1000 {
        return Err(ApiError::Unprocessable("the comment is longer than 1000 characters".into()));
    }
    let mut uris = Vec::new();
    for id in status_ids.iter().take(20) {
        let s = crate::service::visible_status(fed, *id, Some(me.id)).await?;
        uris.push(s.uri);
    }
    let txn = fed.db.begin().await?;
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
    fed.outbox_ready.notify_one();
    Ok(())
}
