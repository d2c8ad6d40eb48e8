//! Calendar feeds: which events a feed holds, and the tokens of personal feeds.
//!
//! A public feed holds only events whose companion status is public and whose organising
//! group (if any) is not private; a personal feed (opened with its owner's token) also holds
//! the events its owner organises or takes part in, whatever their visibility.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::{calendar_tokens, event_participants, events, groups, statuses};
use crate::DbError;

/// At most this many events in one feed: the soonest upcoming and most recent past ones.
pub const FEED_LIMIT: u64 = 500;
/// Past events older than this are left out of feeds.
pub const FEED_PAST_DAYS: i64 = 180;

/// Which events a feed is about.
#[derive(Debug, Clone, Copy)]
pub enum Feed {
    /// The instance's own events.
    Instance,
    /// Events organised by a group (its account id).
    Group(i64),
    /// Events organised by a person (their account id).
    Organiser(i64),
}

/// The public events of a feed, by start time.
pub async fn public_events(db: &impl ConnectionTrait, feed: Feed) -> Result<Vec<events::Model>, DbError> {
    let rows = feed_query(feed).all(db).await?;
    keep_public(db, rows).await
}

/// The personal feed of `account_id`: events they organise (any visibility) and those they
/// take part in (accepted or maybe), local or remote.
pub async fn personal_events(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<events::Model>, DbError> {
    let mut rows = feed_query(Feed::Organiser(account_id)).all(db).await?;
    let attending: Vec<i64> = event_participants::Entity::find()
        .filter(event_participants::Column::AccountId.eq(account_id))
        .filter(event_participants::Column::State.is_in(["accepted", "tentative"]))
        .select_only()
        .column(event_participants::Column::EventId)
        .into_tuple()
        .all(db)
        .await?;
    if !attending.is_empty() {
        let since = Utc::now() - Duration::days(FEED_PAST_DAYS);
        rows.extend(
            events::Entity::find()
                .filter(events::Column::Id.is_in(attending))
                .filter(events::Column::StartsAt.gte(since))
                .all(db)
                .await?,
        );
    }
    let mut seen = HashSet::new();
    rows.retain(|e| seen.insert(e.id));
    rows.sort_by_key(|e| (e.starts_at, e.id));
    rows.truncate(usize::try_from(FEED_LIMIT).unwrap_or(usize::MAX));
    Ok(rows)
}

/// One event if it may be shown to anyone.
pub async fn public_event(db: &impl ConnectionTrait, id: i64) -> Result<Option<events::Model>, DbError> {
    let Some(e) = events::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(keep_public(db, vec![e]).await?.into_iter().next())
}

fn feed_query(feed: Feed) -> sea_orm::Select<events::Entity> {
    let since = Utc::now() - Duration::days(FEED_PAST_DAYS);
    let q = events::Entity::find().filter(events::Column::StartsAt.gte(since));
    let q = match feed {
        Feed::Instance => q.filter(events::Column::Local.eq(true)),
        Feed::Group(id) => q.filter(events::Column::GroupId.eq(id)),
        Feed::Organiser(id) => q.filter(events::Column::AccountId.eq(id)),
    };
    q.order_by_asc(events::Column::StartsAt).order_by_asc(events::Column::Id).limit(FEED_LIMIT)
}

/// Drops events whose status is not public or whose group is private.
async fn keep_public(db: &impl ConnectionTrait, rows: Vec<events::Model>) -> Result<Vec<events::Model>, DbError> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let status_ids: Vec<i64> = rows.iter().map(|e| e.status_id).collect();
    let visibility: HashMap<i64, String> = statuses::Entity::find()
        .filter(statuses::Column::Id.is_in(status_ids))
        .select_only()
        .column(statuses::Column::Id)
        .column(statuses::Column::Visibility)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let group_ids: Vec<i64> = rows.iter().filter_map(|e| e.group_id).collect();
    let private_groups: HashSet<i64> = if group_ids.is_empty() {
        HashSet::new()
    } else {
        groups::Entity::find()
            .filter(groups::Column::AccountId.is_in(group_ids))
            .filter(groups::Column::Private.eq(true))
            .select_only()
            .column(groups::Column::AccountId)
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .filter(|e| visibility.get(&e.status_id).is_some_and(|v| v == "public"))
        .filter(|e| e.group_id.is_none_or(|g| !private_groups.contains(&g)))
        .collect())
}

/// Sets the calendar token (its hash) of an account, replacing any previous one.
pub async fn set_calendar_token(db: &impl ConnectionTrait, account_id: i64, token_hash: &str) -> Result<(), DbError> {
    // The first statement is a write (SQLite).
    calendar_tokens::Entity::delete_by_id(account_id).exec(db).await?;
    calendar_tokens::Model { account_id, token_hash: token_hash.to_string(), created_at: crate::now() }
        .into_active_model()
        .reset_all()
        .insert(db)
        .await?;
    Ok(())
}

/// The account whose calendar token hashes to `token_hash`.
pub async fn account_of_calendar_token(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<i64>, DbError> {
    Ok(calendar_tokens::Entity::find()
        .filter(calendar_tokens::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(|t| t.account_id))
}
