//! Queries of groups: settings, roles, invitations, locked threads, the posts a group accepted,
//! the moderation log. A group is an `accounts` row (`actor_type = "Group"`); its members are
//! its accepted followers, whose role is in `group_members` (a follower without a row is a
//! plain member); a ban is a `blocks` row by the group.

use coopol_core::group::{self, GroupRole, JoinMode, ModAction};
use coopol_core::{Intent, Visibility};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{
    accounts, blocks, follows, group_invitations, group_join_messages, group_members, group_moderation_log,
    group_posts, group_thread_locks, groups, statuses,
};
use crate::queries::{self, FOLLOW_ACCEPTED};
use crate::DbError;

/// The actor type of groups.
pub const GROUP: &str = "Group";

/// Settings of a local group, by its account id.
pub async fn settings(db: &impl ConnectionTrait, group_id: i64) -> Result<Option<groups::Model>, DbError> {
    Ok(groups::Entity::find_by_id(group_id).one(db).await?)
}

/// The join mode of a local group, as stored.
pub fn join_mode(g: &groups::Model) -> JoinMode {
    g.join_mode.parse().unwrap_or(JoinMode::Approval)
}

/// Local groups (their accounts and settings), newest first.
pub async fn local_groups(db: &impl ConnectionTrait) -> Result<Vec<(accounts::Model, groups::Model)>, DbError> {
    let settings = groups::Entity::find().order_by_desc(groups::Column::CreatedAt).all(db).await?;
    let ids: Vec<i64> = settings.iter().map(|g| g.account_id).collect();
    let accounts = accounts::Entity::find().filter(accounts::Column::Id.is_in(ids)).all(db).await?;
    Ok(settings
        .into_iter()
        .filter_map(|g| accounts.iter().find(|a| a.id == g.account_id).cloned().map(|a| (a, g)))
        .collect())
}

/// The groups of other servers that `account_id` follows or asked to join (accounts with
/// `actor_type = "Group"` and a domain), by name.
pub async fn followed_remote_groups(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<accounts::Model>, DbError> {
    let followed = sea_orm::sea_query::Query::select()
        .column(follows::Column::TargetAccountId)
        .from(follows::Entity)
        .and_where(follows::Column::AccountId.eq(account_id))
        .to_owned();
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Id.in_subquery(followed))
        .filter(accounts::Column::ActorType.eq(GROUP))
        .filter(accounts::Column::Domain.is_not_null())
        .filter(accounts::Column::Suspended.eq(false))
        .order_by_asc(accounts::Column::Username)
        .all(db)
        .await?)
}

/// The role of `account_id` in a group: `None` unless they follow it (accepted).
pub async fn role_of(db: &impl ConnectionTrait, group_id: i64, account_id: i64) -> Result<Option<GroupRole>, DbError> {
    let follows = queries::follow_between(db, account_id, group_id).await?.is_some_and(|f| f.state == FOLLOW_ACCEPTED);
    if !follows {
        return Ok(None);
    }
    let row = group_members::Entity::find()
        .filter(group_members::Column::GroupAccountId.eq(group_id))
        .filter(group_members::Column::AccountId.eq(account_id))
        .one(db)
        .await?;
    Ok(Some(row.and_then(|r| r.role.parse().ok()).unwrap_or(GroupRole::Member)))
}

/// Sets the role of `account_id` in a group (whether or not they follow it yet).
pub async fn set_role(
    db: &impl ConnectionTrait,
    group_id: i64,
    account_id: i64,
    role: GroupRole,
) -> Result<(), DbError> {
    group_members::Entity::insert(group_members::ActiveModel {
        id: Set(coopol_core::new_id()),
        group_account_id: Set(group_id),
        account_id: Set(account_id),
        role: Set(role.as_str().to_string()),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::columns([group_members::Column::GroupAccountId, group_members::Column::AccountId])
            .update_column(group_members::Column::Role)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Forgets the role of `account_id` in a group (they left or were removed).
pub async fn remove_role(db: &impl ConnectionTrait, group_id: i64, account_id: i64) -> Result<(), DbError> {
    group_members::Entity::delete_many()
        .filter(group_members::Column::GroupAccountId.eq(group_id))
        .filter(group_members::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// One person of a group: their account, role, and whether their follow is still pending.
#[derive(Debug, Clone)]
pub struct Person {
    pub account: accounts::Model,
    pub role: GroupRole,
    pub pending: bool,
}

/// The followers of a group (accepted and pending) with their roles, oldest first, at most
/// `limit`.
pub async fn people(db: &impl ConnectionTrait, group_id: i64, limit: u64) -> Result<Vec<Person>, DbError> {
    people_where(db, group_id, None, limit).await
}

/// The pending requests to join a group, oldest first, at most `limit` (however many members
/// the group has).
pub async fn requests(db: &impl ConnectionTrait, group_id: i64, limit: u64) -> Result<Vec<Person>, DbError> {
    people_where(db, group_id, Some(crate::queries::FOLLOW_PENDING), limit).await
}

async fn people_where(
    db: &impl ConnectionTrait,
    group_id: i64,
    state: Option<&str>,
    limit: u64,
) -> Result<Vec<Person>, DbError> {
    let mut q = follows::Entity::find().filter(follows::Column::TargetAccountId.eq(group_id));
    if let Some(state) = state {
        q = q.filter(follows::Column::State.eq(state));
    }
    let follows = q.order_by_asc(follows::Column::Id).limit(limit).all(db).await?;
    let ids: Vec<i64> = follows.iter().map(|f| f.account_id).collect();
    let accounts = accounts::Entity::find().filter(accounts::Column::Id.is_in(ids.clone())).all(db).await?;
    let roles = group_members::Entity::find()
        .filter(group_members::Column::GroupAccountId.eq(group_id))
        .filter(group_members::Column::AccountId.is_in(ids))
        .all(db)
        .await?;
    Ok(follows
        .into_iter()
        .filter_map(|f| {
            let account = accounts.iter().find(|a| a.id == f.account_id)?.clone();
            let role = roles
                .iter()
                .find(|r| r.account_id == f.account_id)
                .and_then(|r| r.role.parse().ok())
                .unwrap_or(GroupRole::Member);
            Some(Person { account, role, pending: f.state != FOLLOW_ACCEPTED })
        })
        .collect())
}

/// Keeps what `account_id` wrote when asking to join a group (replacing an earlier message);
/// a blank message keeps none.
pub async fn set_join_message(
    db: &impl ConnectionTrait,
    group_id: i64,
    account_id: i64,
    message: &str,
) -> Result<(), DbError> {
    drop_join_message(db, group_id, account_id).await?;
    if message.trim().is_empty() {
        return Ok(());
    }
    group_join_messages::ActiveModel {
        id: Set(coopol_core::new_id()),
        group_account_id: Set(group_id),
        account_id: Set(account_id),
        message: Set(message.trim().to_string()),
        created_at: Set(crate::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Forgets the message of a request to join (answered, withdrawn, or the person banned).
pub async fn drop_join_message(db: &impl ConnectionTrait, group_id: i64, account_id: i64) -> Result<(), DbError> {
    group_join_messages::Entity::delete_many()
        .filter(group_join_messages::Column::GroupAccountId.eq(group_id))
        .filter(group_join_messages::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The messages of the requests of `account_ids` to join a group, by account.
pub async fn join_messages(
    db: &impl ConnectionTrait,
    group_id: i64,
    account_ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbError> {
    if account_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(group_join_messages::Entity::find()
        .filter(group_join_messages::Column::GroupAccountId.eq(group_id))
        .filter(group_join_messages::Column::AccountId.is_in(account_ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.account_id, m.message))
        .collect())
}

/// Whether a group banned (blocks) an account.
pub async fn is_banned(db: &impl ConnectionTrait, group_id: i64, account_id: i64) -> Result<bool, DbError> {
    Ok(blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(group_id))
        .filter(blocks::Column::TargetAccountId.eq(account_id))
        .one(db)
        .await?
        .is_some())
}

/// The role an invitation to a group offers `account_id`, if they were invited.
pub async fn invitation(
    db: &impl ConnectionTrait,
    group_id: i64,
    account_id: i64,
) -> Result<Option<GroupRole>, DbError> {
    Ok(group_invitations::Entity::find()
        .filter(group_invitations::Column::GroupAccountId.eq(group_id))
        .filter(group_invitations::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .and_then(|i| i.role.parse().ok()))
}

/// Invites `account_id` to a group with `role` (replacing an earlier invitation).
pub async fn invite(
    db: &impl ConnectionTrait,
    group_id: i64,
    account_id: i64,
    role: GroupRole,
    by: i64,
) -> Result<(), DbError> {
    group_invitations::Entity::insert(group_invitations::ActiveModel {
        id: Set(coopol_core::new_id()),
        group_account_id: Set(group_id),
        account_id: Set(account_id),
        role: Set(role.as_str().to_string()),
        invited_by: Set(by),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::columns([group_invitations::Column::GroupAccountId, group_invitations::Column::AccountId])
            .update_column(group_invitations::Column::Role)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Uses up an invitation (the invited person joined).
pub async fn take_invitation(db: &impl ConnectionTrait, group_id: i64, account_id: i64) -> Result<(), DbError> {
    group_invitations::Entity::delete_many()
        .filter(group_invitations::Column::GroupAccountId.eq(group_id))
        .filter(group_invitations::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes an entry of a group's moderation log.
pub async fn log(
    db: &impl ConnectionTrait,
    group_id: i64,
    actor: Option<i64>,
    action: ModAction,
    target_account: Option<i64>,
    target_uri: Option<&str>,
    reason: &str,
) -> Result<(), DbError> {
    group_moderation_log::ActiveModel {
        id: Set(coopol_core::new_id()),
        group_account_id: Set(group_id),
        actor_account_id: Set(actor),
        action: Set(action.as_str().to_string()),
        target_account_id: Set(target_account),
        target_uri: Set(target_uri.map(String::from)),
        reason: Set(reason.chars().take(1000).collect()),
        created_at: Set(crate::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A group's moderation log, newest first, at most `limit` entries older than `max_id`.
pub async fn moderation_log(
    db: &impl ConnectionTrait,
    group_id: i64,
    max_id: Option<i64>,
    limit: u64,
) -> Result<Vec<group_moderation_log::Model>, DbError> {
    let mut q = group_moderation_log::Entity::find().filter(group_moderation_log::Column::GroupAccountId.eq(group_id));
    if let Some(max) = max_id {
        q = q.filter(group_moderation_log::Column::Id.lt(max));
    }
    Ok(q.order_by_desc(group_moderation_log::Column::Id).limit(limit.clamp(1, 80)).all(db).await?)
}

/// Whether a thread is locked in a group: the status or one of its ancestors (up to 32 up).
pub async fn thread_locked(db: &impl ConnectionTrait, group_id: i64, status_id: i64) -> Result<bool, DbError> {
    let mut current = Some(status_id);
    for _ in 0..32 {
        let Some(id) = current else { break };
        let locked = group_thread_locks::Entity::find()
            .filter(group_thread_locks::Column::GroupAccountId.eq(group_id))
            .filter(group_thread_locks::Column::StatusId.eq(id))
            .one(db)
            .await?
            .is_some();
        if locked {
            return Ok(true);
        }
        current = queries::status_by_id(db, id).await?.and_then(|s| s.in_reply_to_id);
    }
    Ok(false)
}

/// Locks (or unlocks) a thread of a group. Returns whether anything changed.
pub async fn set_thread_lock(
    db: &impl ConnectionTrait,
    group_id: i64,
    status_id: i64,
    locked: bool,
) -> Result<bool, DbError> {
    if locked {
        let r = group_thread_locks::Entity::insert(group_thread_locks::ActiveModel {
            id: Set(coopol_core::new_id()),
            group_account_id: Set(group_id),
            status_id: Set(status_id),
            created_at: Set(crate::now()),
        })
        .on_conflict(
            OnConflict::columns([group_thread_locks::Column::GroupAccountId, group_thread_locks::Column::StatusId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        Ok(r > 0)
    } else {
        let r = group_thread_locks::Entity::delete_many()
            .filter(group_thread_locks::Column::GroupAccountId.eq(group_id))
            .filter(group_thread_locks::Column::StatusId.eq(status_id))
            .exec(db)
            .await?;
        Ok(r.rows_affected > 0)
    }
}

/// The post of a group that holds `status_id`, if the group announced it.
pub async fn group_post(
    db: &impl ConnectionTrait,
    group_id: i64,
    status_id: i64,
) -> Result<Option<group_posts::Model>, DbError> {
    Ok(group_posts::Entity::find()
        .filter(group_posts::Column::GroupAccountId.eq(group_id))
        .filter(group_posts::Column::StatusId.eq(status_id))
        .one(db)
        .await?)
}

/// Whether `status_id` was announced by some local private group (such posts are served only
/// to its people).
pub async fn private_groups_of(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<i64>, DbError> {
    groups_that_shared(db, status_id, true).await
}

/// The local public groups that announced a status: their followers hold a boost of it.
pub async fn public_groups_of(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<i64>, DbError> {
    groups_that_shared(db, status_id, false).await
}

async fn groups_that_shared(db: &impl ConnectionTrait, status_id: i64, private: bool) -> Result<Vec<i64>, DbError> {
    let ids: Vec<i64> = group_posts::Entity::find()
        .select_only()
        .column(group_posts::Column::GroupAccountId)
        .filter(group_posts::Column::StatusId.eq(status_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(groups::Entity::find()
        .filter(groups::Column::AccountId.is_in(ids))
        .filter(groups::Column::Private.eq(private))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.account_id)
        .collect())
}

/// The local groups that take a new status: those it mentions or addresses (`addressed`),
/// and the group whose thread it answers, when their rules let the author post there (see
/// `coopol_core::group::may_post`). A public group takes public and unlisted posts; a private
/// group takes only posts that are not public, so that nothing of it is ever public. Reads
/// only: on SQLite, call it before the transaction that announces.
pub async fn groups_taking(
    db: &impl ConnectionTrait,
    status: &statuses::Model,
    addressed: &[i64],
) -> Result<Vec<(accounts::Model, groups::Model)>, DbError> {
    if status.reblog_of_id.is_some() {
        return Ok(vec![]);
    }
    let mut candidates: Vec<i64> = addressed.to_vec();
    if let Some(parent) = status.in_reply_to_id {
        candidates.extend(
            group_posts::Entity::find()
                .select_only()
                .column(group_posts::Column::GroupAccountId)
                .filter(group_posts::Column::StatusId.eq(parent))
                .into_tuple::<i64>()
                .all(db)
                .await?,
        );
    }
    candidates.sort_unstable();
    candidates.dedup();
    let settings = groups::Entity::find().filter(groups::Column::AccountId.is_in(candidates)).all(db).await?;
    let visibility: Visibility = status.visibility.parse().unwrap_or(Visibility::Direct);
    let mut out = Vec::new();
    for g in settings {
        let Some(group) = queries::account_by_id(db, g.account_id).await? else { continue };
        if group.suspended || status.account_id == group.id || g.private == visibility.is_public() {
            continue;
        }
        if group_post(db, group.id, status.id).await?.is_some() {
            continue;
        }
        let role = role_of(db, group.id, status.account_id).await?;
        let banned = is_banned(db, group.id, status.account_id).await?;
        let locked = match status.in_reply_to_id {
            Some(p) => thread_locked(db, group.id, p).await?,
            None => false,
        };
        if group::may_post(role, banned, locked) {
            out.push((group, g));
        }
    }
    Ok(out)
}

/// A group announces a post it takes: a `group_posts` row (written first), a boost row by the
/// group (what its local followers see; followers-only for a private group) and an `Announce`
/// intent for its remote followers (FEP-1b12; for a private group, to its members only and
/// only for posts written here). In the caller's transaction.
pub async fn announce_in_group(
    db: &impl ConnectionTrait,
    group: &accounts::Model,
    g: &groups::Model,
    status_id: i64,
) -> Result<(), DbError> {
    let id = coopol_core::new_id();
    let announce_uri = format!("{}/announces/{id}", group.uri);
    group_posts::ActiveModel {
        id: Set(id),
        group_account_id: Set(group.id),
        status_id: Set(status_id),
        announce_uri: Set(announce_uri.clone()),
        created_at: Set(crate::now()),
    }
    .insert(db)
    .await?;
    let mut boost = queries::boost_row(id, &announce_uri, group.id, status_id, true);
    if g.private {
        boost.visibility = Set(Visibility::Private.as_str().to_string());
    }
    boost.insert(db).await?;
    // A private group tells its remote members only of posts written on this instance: only
    // here can a member's signed fetch be checked against the group's membership.
    let announce = !g.private || queries::status_by_id(db, status_id).await?.is_some_and(|s| s.local);
    if announce {
        queries::record_intent(db, &Intent::Announce { reblog_id: id }).await?;
    }
    Ok(())
}

/// The accounts a private group's posts go to: its accepted followers (members, sympathisers,
/// moderators), never pending ones, never banned ones.
pub async fn member_ids(db: &impl ConnectionTrait, group_id: i64) -> Result<Vec<i64>, DbError> {
    let banned: Vec<i64> = blocks::Entity::find()
        .select_only()
        .column(blocks::Column::TargetAccountId)
        .filter(blocks::Column::AccountId.eq(group_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut ids = queries::accepted_follower_ids(db, group_id).await?;
    ids.retain(|id| !banned.contains(id));
    Ok(ids)
}

/// Whether `viewer_id` may fetch a post that a local private group announced: an accepted
/// member (of any role) of one of those groups, not banned by it.
pub async fn member_of_group_sharing(
    db: &impl ConnectionTrait,
    status_id: i64,
    viewer_id: i64,
) -> Result<bool, DbError> {
    for group_id in private_groups_of(db, status_id).await? {
        if role_of(db, group_id, viewer_id).await?.is_some() && !is_banned(db, group_id, viewer_id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The boosts of a status that a group (local or remote) shared with its members only
/// (followers-only boosts by a `Group` actor): a private group's posts.
async fn private_group_shares(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<i64>, DbError> {
    group_boosters(db, status_id, Some(Visibility::Private)).await
}

/// Which of the statuses `ids` a private group shared with its members (they then read as
/// followers-only), in one statement for a whole page.
pub async fn shared_by_private_groups(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let query = sea_orm::sea_query::Query::select()
        .distinct()
        .column((statuses::Entity, statuses::Column::ReblogOfId))
        .from(statuses::Entity)
        .inner_join(
            accounts::Entity,
            sea_orm::sea_query::Expr::col((accounts::Entity, accounts::Column::Id))
                .equals((statuses::Entity, statuses::Column::AccountId)),
        )
        .and_where(
            sea_orm::sea_query::Expr::col((statuses::Entity, statuses::Column::ReblogOfId)).is_in(ids.iter().copied()),
        )
        .and_where(
            sea_orm::sea_query::Expr::col((statuses::Entity, statuses::Column::Visibility))
                .eq(Visibility::Private.as_str()),
        )
        .and_where(sea_orm::sea_query::Expr::col((accounts::Entity, accounts::Column::ActorType)).eq(GROUP))
        .to_owned();
    let mut out = std::collections::HashSet::new();
    for row in db.query_all(db.get_database_backend().build(&query)).await? {
        out.insert(row.try_get_by_index::<i64>(0)?);
    }
    Ok(out)
}

/// Whether `viewer_id` follows (accepted) a group that shared a status with its members only:
/// the local members of a private group read its posts.
pub async fn shared_with(db: &impl ConnectionTrait, status_id: i64, viewer_id: i64) -> Result<bool, DbError> {
    for group_id in private_group_shares(db, status_id).await? {
        if queries::follow_between(db, viewer_id, group_id).await?.is_some_and(|f| f.state == FOLLOW_ACCEPTED) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a status is in a thread of a local group (the group announced it).
pub async fn in_group_thread(db: &impl ConnectionTrait, status_id: i64) -> Result<bool, DbError> {
    Ok(group_posts::Entity::find().filter(group_posts::Column::StatusId.eq(status_id)).one(db).await?.is_some())
}

/// Who last took the post `uri` out of a group, and why (from the moderation log); `None`
/// for the instance admin, or when it was never removed.
pub async fn remover_of(db: &impl ConnectionTrait, group_id: i64, uri: &str) -> Result<Option<(i64, String)>, DbError> {
    let row = group_moderation_log::Entity::find()
        .filter(group_moderation_log::Column::GroupAccountId.eq(group_id))
        .filter(group_moderation_log::Column::Action.eq(ModAction::RemovePost.as_str()))
        .filter(group_moderation_log::Column::TargetUri.eq(uri))
        .order_by_desc(group_moderation_log::Column::Id)
        .one(db)
        .await?;
    Ok(row.and_then(|r| r.actor_account_id.map(|a| (a, r.reason))))
}

/// Takes a post out of a group: its `group_posts` row and the group's boost. Returns the
/// intent that tells the group's followers (`Undo(Announce)`), `None` when nothing was
/// announced remotely (a private group's post written elsewhere) or the post was not in the
/// group.
pub async fn remove_post(
    db: &impl ConnectionTrait,
    group: &groups::Model,
    status_id: i64,
) -> Result<Option<Option<Intent>>, DbError> {
    let Some(p) = group_post(db, group.account_id, status_id).await? else { return Ok(None) };
    group_posts::Entity::delete_by_id(p.id).exec(db).await?;
    statuses::Entity::delete_by_id(p.id).exec(db).await?;
    let undo = Intent::UndoAnnounce { account_id: group.account_id, status_id, announce_uri: p.announce_uri };
    // As in `announce_in_group`: a private group announced remotely only posts written here.
    let announced = !group.private || queries::status_by_id(db, status_id).await?.is_some_and(|s| s.local);
    Ok(Some(announced.then_some(undo)))
}

/// The groups (local or remote) that boosted a status: a reply to it belongs to their threads,
/// so they hear of the reply (FEP-1b12).
pub async fn groups_boosting(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<i64>, DbError> {
    group_boosters(db, status_id, None).await
}

/// The `Group` actors among the (first 100) boosters of a status, of boosts with the given
/// visibility when one is given.
async fn group_boosters(
    db: &impl ConnectionTrait,
    status_id: i64,
    visibility: Option<Visibility>,
) -> Result<Vec<i64>, DbError> {
    let mut boosts = statuses::Entity::find()
        .select_only()
        .column(statuses::Column::AccountId)
        .filter(statuses::Column::ReblogOfId.eq(status_id));
    if let Some(v) = visibility {
        boosts = boosts.filter(statuses::Column::Visibility.eq(v.as_str()));
    }
    let boosters: Vec<i64> = boosts.limit(100).into_tuple().all(db).await?;
    Ok(accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .filter(accounts::Column::Id.is_in(boosters))
        .filter(accounts::Column::ActorType.eq(GROUP))
        .into_tuple()
        .all(db)
        .await?)
}
