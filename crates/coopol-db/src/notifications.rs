//! Notifications of local accounts, written where the event happens (the inbox's activity
//! handlers and the API's service) and read by the client API. One notification per event:
//! the same type, from the same account, about the same status is stored once.

use std::collections::HashSet;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{accounts, blocks, notifications, statuses};
use crate::queries::Page;
use crate::DbError;

pub const MENTION: &str = "mention";
pub const STATUS: &str = "status";
pub const REBLOG: &str = "reblog";
pub const FOLLOW: &str = "follow";
pub const FOLLOW_REQUEST: &str = "follow_request";
pub const FAVOURITE: &str = "favourite";
pub const POLL: &str = "poll";
pub const UPDATE: &str = "update";
/// Someone asks to take part in an event one organises (approval mode).
pub const EVENT_PARTICIPATION_REQUEST: &str = "coopol.event_participation_request";
/// One's participation, pending or waitlisted, is accepted.
pub const EVENT_PARTICIPATION_ACCEPTED: &str = "coopol.event_participation_accepted";
/// An event one takes part in starts soon.
pub const EVENT_REMINDER: &str = "coopol.event_reminder";

/// Every type this server creates.
pub const KINDS: &[&str] = &[
    MENTION,
    STATUS,
    REBLOG,
    FOLLOW,
    FOLLOW_REQUEST,
    FAVOURITE,
    POLL,
    UPDATE,
    EVENT_PARTICIPATION_REQUEST,
    EVENT_PARTICIPATION_ACCEPTED,
    EVENT_REMINDER,
];

/// Records a notification for the local account `account_id`; returns it when it is new
/// (`None`: the same one exists already, the recipient is not local, or it would notify
/// someone of their own action).
pub async fn notify(
    db: &impl ConnectionTrait,
    account_id: i64,
    from_account_id: i64,
    kind: &str,
    status_id: Option<i64>,
) -> Result<Option<notifications::Model>, DbError> {
    let wanted = Wanted { account_id, from_account_id, kind, status_id };
    Ok(notify_many(db, &[wanted]).await?.into_iter().next())
}

/// A notification to record with [`notify_many`].
#[derive(Debug, Clone, Copy)]
pub struct Wanted<'a> {
    pub account_id: i64,
    pub from_account_id: i64,
    pub kind: &'a str,
    pub status_id: Option<i64>,
}

/// Most rows in one insert (7 columns each: well within both databases' bound parameters).
const INSERT_CHUNK: usize = 1000;

/// Records notifications by the rules of [`notify`], with one query for the recipients and
/// one insert per thousand rows whatever their number; returns the new ones.
pub async fn notify_many(
    db: &impl ConnectionTrait,
    wanted: &[Wanted<'_>],
) -> Result<Vec<notifications::Model>, DbError> {
    // One's own actions notify no one, except the end of one's own poll (as Mastodon does) and
    // the reminder of one's own event.
    let wanted: Vec<&Wanted<'_>> = wanted
        .iter()
        .filter(|w| {
            (w.account_id != w.from_account_id || w.kind == POLL || w.kind == EVENT_REMINDER) && KINDS.contains(&w.kind)
        })
        .collect();
    if wanted.is_empty() {
        return Ok(vec![]);
    }
    let mut recipients: Vec<i64> = wanted.iter().map(|w| w.account_id).collect();
    recipients.sort_unstable();
    recipients.dedup();
    let local: HashSet<i64> = accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .filter(accounts::Column::Id.is_in(recipients))
        .filter(accounts::Column::Domain.is_null())
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let now = crate::now();
    let mut keys = HashSet::new();
    let rows: Vec<notifications::ActiveModel> = wanted
        .into_iter()
        .filter(|w| local.contains(&w.account_id))
        .filter_map(|w| {
            let dedup_key = format!(
                "{}:{}:{}:{}",
                w.account_id,
                w.kind,
                w.from_account_id,
                w.status_id.map(|s| s.to_string()).unwrap_or_default()
            );
            keys.insert(dedup_key.clone()).then(|| notifications::ActiveModel {
                id: Set(coopol_core::new_id()),
                account_id: Set(w.account_id),
                from_account_id: Set(w.from_account_id),
                kind: Set(w.kind.to_string()),
                status_id: Set(w.status_id),
                dedup_key: Set(dedup_key),
                created_at: Set(now),
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(INSERT_CHUNK).collect();
        match notifications::Entity::insert_many(chunk)
            .on_conflict(OnConflict::column(notifications::Column::DedupKey).do_nothing().to_owned())
            .exec_with_returning_many(db)
            .await
        {
            Ok(new) => out.extend(new),
            // Every one existed already.
            Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// `update` notifications for the local accounts that boosted an edited status.
pub async fn notify_boosters_of_edit(
    db: &impl ConnectionTrait,
    status: &statuses::Model,
) -> Result<Vec<notifications::Model>, DbError> {
    let boosters: Vec<i64> = statuses::Entity::find()
        .select_only()
        .column(statuses::Column::AccountId)
        .filter(statuses::Column::ReblogOfId.eq(status.id))
        .filter(statuses::Column::Local.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let mut out = Vec::new();
    for b in boosters {
        // An edit is a new event each time: the key carries the edit time.
        let kind_key = status.edited_at.map(|t| t.timestamp_millis()).unwrap_or_default();
        if let Some(n) = notify_keyed(db, b, status.account_id, UPDATE, status.id, kind_key).await? {
            out.push(n);
        }
    }
    Ok(out)
}

async fn notify_keyed(
    db: &impl ConnectionTrait,
    account_id: i64,
    from_account_id: i64,
    kind: &str,
    status_id: i64,
    extra: i64,
) -> Result<Option<notifications::Model>, DbError> {
    if account_id == from_account_id {
        return Ok(None);
    }
    let row = notifications::Model {
        id: coopol_core::new_id(),
        account_id,
        from_account_id,
        kind: kind.to_string(),
        status_id: Some(status_id),
        dedup_key: format!("{account_id}:{kind}:{from_account_id}:{status_id}:{extra}"),
        created_at: crate::now(),
    };
    let inserted = notifications::Entity::insert(notifications::ActiveModel {
        id: Set(row.id),
        account_id: Set(row.account_id),
        from_account_id: Set(row.from_account_id),
        kind: Set(row.kind.clone()),
        status_id: Set(row.status_id),
        dedup_key: Set(row.dedup_key.clone()),
        created_at: Set(row.created_at),
    })
    .on_conflict(OnConflict::column(notifications::Column::DedupKey).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok((inserted > 0).then_some(row))
}

/// Which notifications a client asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these types (empty: all).
    pub types: Vec<String>,
    /// Not these types.
    pub exclude_types: Vec<String>,
    /// Only from this account.
    pub from_account_id: Option<i64>,
}

/// A page of an account's notifications, newest first; none from accounts it blocks.
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    filter: &Filter,
    page: Page,
) -> Result<Vec<notifications::Model>, DbError> {
    let blocked = sea_orm::sea_query::Query::select()
        .column(blocks::Column::TargetAccountId)
        .from(blocks::Entity)
        .and_where(blocks::Column::AccountId.eq(account_id))
        .to_owned();
    let mut q = notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(account_id))
        .filter(notifications::Column::FromAccountId.not_in_subquery(blocked));
    if !filter.types.is_empty() {
        q = q.filter(notifications::Column::Kind.is_in(filter.types.clone()));
    }
    if !filter.exclude_types.is_empty() {
        q = q.filter(notifications::Column::Kind.is_not_in(filter.exclude_types.clone()));
    }
    if let Some(a) = filter.from_account_id {
        q = q.filter(notifications::Column::FromAccountId.eq(a));
    }
    if let Some(max) = page.max_id {
        q = q.filter(notifications::Column::Id.lt(max));
    }
    if let Some(since) = page.since_id {
        q = q.filter(notifications::Column::Id.gt(since));
    }
    let limit = page.limit.clamp(1, 80);
    if let Some(min) = page.min_id {
        let mut rows = q
            .filter(notifications::Column::Id.gt(min))
            .order_by_asc(notifications::Column::Id)
            .limit(limit)
            .all(db)
            .await?;
        rows.reverse();
        Ok(rows)
    } else {
        Ok(q.order_by_desc(notifications::Column::Id).limit(limit).all(db).await?)
    }
}

/// One notification of an account.
pub async fn get(db: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<Option<notifications::Model>, DbError> {
    Ok(notifications::Entity::find_by_id(id).filter(notifications::Column::AccountId.eq(account_id)).one(db).await?)
}

/// Dismisses one notification; whether it existed.
pub async fn dismiss(db: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<bool, DbError> {
    let r = notifications::Entity::delete_many()
        .filter(notifications::Column::Id.eq(id))
        .filter(notifications::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Dismisses every notification of an account.
pub async fn clear(db: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbError> {
    let r =
        notifications::Entity::delete_many().filter(notifications::Column::AccountId.eq(account_id)).exec(db).await?;
    Ok(r.rows_affected)
}

/// Notifications newer than `after` (the notifications read marker), counted up to `cap`.
pub async fn unread_count(
    db: &impl ConnectionTrait,
    account_id: i64,
    after: Option<i64>,
    cap: u64,
) -> Result<u64, DbError> {
    let mut q = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::Id)
        .filter(notifications::Column::AccountId.eq(account_id));
    if let Some(a) = after {
        q = q.filter(notifications::Column::Id.gt(a));
    }
    let ids: Vec<i64> = q.limit(cap).into_tuple().all(db).await?;
    Ok(ids.len() as u64)
}

/// Removes the notifications about a status (it was deleted).
pub async fn delete_for_status(db: &impl ConnectionTrait, status_id: i64) -> Result<(), DbError> {
    notifications::Entity::delete_many().filter(notifications::Column::StatusId.eq(status_id)).exec(db).await?;
    Ok(())
}

/// Local accounts that follow `author_id` with `notify` on (the bell of Mastodon's apps): they
/// get a `status` notification for each new post.
pub async fn bell_followers(db: &impl ConnectionTrait, author_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(bell_followers_of(db, &[author_id]).await?.into_iter().map(|(_, f)| f).collect())
}

/// [`bell_followers`] of several authors in one query, as (author, follower) pairs.
pub async fn bell_followers_of(db: &impl ConnectionTrait, authors: &[i64]) -> Result<Vec<(i64, i64)>, DbError> {
    use crate::entities::follows;
    use sea_orm::sea_query::{Expr, Query};
    if authors.is_empty() {
        return Ok(vec![]);
    }
    let local_ids = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .to_owned();
    Ok(follows::Entity::find()
        .select_only()
        .column(follows::Column::TargetAccountId)
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.is_in(authors.iter().copied()))
        .filter(follows::Column::Notify.eq(true))
        .filter(follows::Column::State.eq(crate::queries::FOLLOW_ACCEPTED))
        .filter(follows::Column::AccountId.in_subquery(local_ids))
        .into_tuple()
        .all(db)
        .await?)
}
