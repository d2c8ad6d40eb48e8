//! Rows for rendering a page, loaded in batches: a fixed number of statements whatever the
//! page's length (the client API turns them into Mastodon entities). Counts are grouped
//! queries over the page's ids, each bounded by the indexes on (key, id).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{
    account_profiles, accounts, bookmarks, favourites, follows, media_attachments, mentions, polls, profile_images,
    status_pins, status_tags, statuses,
};
use crate::queries::FOLLOW_ACCEPTED;
use crate::DbError;

/// What an Account entity shows beyond its row, for a set of accounts.
#[derive(Debug, Default)]
pub struct AccountFacts {
    pub followers: HashMap<i64, u64>,
    pub following: HashMap<i64, u64>,
    pub statuses: HashMap<i64, u64>,
    pub last_status_at: HashMap<i64, DateTime<Utc>>,
    /// (account, kind) → image.
    pub images: HashMap<(i64, String), profile_images::Model>,
    pub profiles: HashMap<i64, account_profiles::Model>,
    /// Accounts that moved, by uri: the targets of `moved_to_uri`.
    pub moved_to: HashMap<String, accounts::Model>,
}

fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// (key, count) for each key among `ids`, from a query grouped by `key`.
async fn counts<E: EntityTrait>(
    db: &impl ConnectionTrait,
    q: sea_orm::Select<E>,
    key: E::Column,
) -> Result<HashMap<i64, u64>, DbError> {
    let rows: Vec<(i64, i64)> = q
        .select_only()
        .column(key)
        .column_as(Expr::col(sea_orm::sea_query::Asterisk).count(), "n")
        .group_by(key)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or(0))).collect())
}

/// The accounts with these ids (any order).
pub async fn accounts(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, accounts::Model>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = accounts::Entity::find().filter(accounts::Column::Id.is_in(dedup(ids))).all(db).await?;
    Ok(rows.into_iter().map(|a| (a.id, a)).collect())
}

/// The statuses with these ids (any order).
pub async fn statuses(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, statuses::Model>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = statuses::Entity::find().filter(statuses::Column::Id.is_in(dedup(ids))).all(db).await?;
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

/// Counts, images, profiles and move targets of `list` (seven statements, fewer when empty).
pub async fn account_facts(db: &impl ConnectionTrait, list: &[&accounts::Model]) -> Result<AccountFacts, DbError> {
    let mut facts = AccountFacts::default();
    let uris: Vec<String> = list.iter().filter_map(|a| a.moved_to_uri.clone()).collect();
    if !uris.is_empty() {
        facts.moved_to = accounts::Entity::find()
            .filter(accounts::Column::Uri.is_in(uris))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.uri.clone(), a))
            .collect();
    }
    let ids = dedup(&list.iter().map(|a| a.id).chain(facts.moved_to.values().map(|a| a.id)).collect::<Vec<_>>());
    if ids.is_empty() {
        return Ok(facts);
    }
    facts.followers = counts(
        db,
        follows::Entity::find()
            .filter(follows::Column::TargetAccountId.is_in(ids.clone()))
            .filter(follows::Column::State.eq(FOLLOW_ACCEPTED)),
        follows::Column::TargetAccountId,
    )
    .await?;
    facts.following = counts(
        db,
        follows::Entity::find()
            .filter(follows::Column::AccountId.is_in(ids.clone()))
            .filter(follows::Column::State.eq(FOLLOW_ACCEPTED)),
        follows::Column::AccountId,
    )
    .await?;
    let per_author: Vec<(i64, i64, i64)> = statuses::Entity::find()
        .select_only()
        .column(statuses::Column::AccountId)
        .column_as(Expr::col(sea_orm::sea_query::Asterisk).count(), "n")
        .column_as(statuses::Column::Id.max(), "last")
        .filter(statuses::Column::AccountId.is_in(ids.clone()))
        .group_by(statuses::Column::AccountId)
        .into_tuple()
        .all(db)
        .await?;
    let last_ids: Vec<i64> = per_author.iter().map(|r| r.2).collect();
    facts.statuses = per_author.iter().map(|(a, n, _)| (*a, u64::try_from(*n).unwrap_or(0))).collect();
    if !last_ids.is_empty() {
        let times: HashMap<i64, DateTime<Utc>> = statuses::Entity::find()
            .select_only()
            .column(statuses::Column::Id)
            .column(statuses::Column::CreatedAt)
            .filter(statuses::Column::Id.is_in(last_ids))
            .into_tuple::<(i64, DateTime<Utc>)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (account, _, last) in &per_author {
            if let Some(t) = times.get(last) {
                facts.last_status_at.insert(*account, *t);
            }
        }
    }
    facts.images = profile_images::Entity::find()
        .filter(profile_images::Column::AccountId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|i| ((i.account_id, i.kind.clone()), i))
        .collect();
    facts.profiles = account_profiles::Entity::find()
        .filter(account_profiles::Column::AccountId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.account_id, p))
        .collect();
    Ok(facts)
}

/// What a Status entity shows beyond its row, for a set of statuses, as `viewer` sees them.
#[derive(Debug, Default)]
pub struct StatusFacts {
    /// status → mentioned accounts, in the order they were stored.
    pub mentions: HashMap<i64, Vec<i64>>,
    pub mentioned: HashMap<i64, accounts::Model>,
    pub tags: HashMap<i64, Vec<String>>,
    pub favourites: HashMap<i64, u64>,
    pub reblogs: HashMap<i64, u64>,
    pub replies: HashMap<i64, u64>,
    pub favourited: HashSet<i64>,
    pub reblogged: HashSet<i64>,
    pub bookmarked: HashSet<i64>,
    pub pinned: HashSet<i64>,
    /// status → attachments in order (at most `media::MAX_ATTACHMENTS`).
    pub media: HashMap<i64, Vec<media_attachments::Model>>,
    pub polls: HashMap<i64, polls::Model>,
}

/// Mentions, tags, counts, the viewer's flags, media and polls of the statuses `ids`.
pub async fn status_facts(db: &impl ConnectionTrait, ids: &[i64], viewer: Option<i64>) -> Result<StatusFacts, DbError> {
    let mut f = StatusFacts::default();
    let ids = dedup(ids);
    if ids.is_empty() {
        return Ok(f);
    }
    let mention_rows = mentions::Entity::find().filter(mentions::Column::StatusId.is_in(ids.clone())).all(db).await?;
    let mentioned_ids: Vec<i64> = mention_rows.iter().map(|m| m.account_id).collect();
    for m in mention_rows {
        f.mentions.entry(m.status_id).or_default().push(m.account_id);
    }
    f.mentioned = accounts(db, &mentioned_ids).await?;
    for t in status_tags::Entity::find()
        .filter(status_tags::Column::StatusId.is_in(ids.clone()))
        .order_by_asc(status_tags::Column::Id)
        .all(db)
        .await?
    {
        f.tags.entry(t.status_id).or_default().push(t.name);
    }
    f.favourites = counts(
        db,
        favourites::Entity::find().filter(favourites::Column::StatusId.is_in(ids.clone())),
        favourites::Column::StatusId,
    )
    .await?;
    f.reblogs = counts(
        db,
        statuses::Entity::find().filter(statuses::Column::ReblogOfId.is_in(ids.clone())),
        statuses::Column::ReblogOfId,
    )
    .await?;
    f.replies = counts(
        db,
        statuses::Entity::find().filter(statuses::Column::InReplyToId.is_in(ids.clone())),
        statuses::Column::InReplyToId,
    )
    .await?;
    if let Some(v) = viewer {
        f.favourited = favourites::Entity::find()
            .select_only()
            .column(favourites::Column::StatusId)
            .filter(favourites::Column::AccountId.eq(v))
            .filter(favourites::Column::StatusId.is_in(ids.clone()))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        f.reblogged = statuses::Entity::find()
            .select_only()
            .column(statuses::Column::ReblogOfId)
            .filter(statuses::Column::AccountId.eq(v))
            .filter(statuses::Column::ReblogOfId.is_in(ids.clone()))
            .into_tuple::<Option<i64>>()
            .all(db)
            .await?
            .into_iter()
            .flatten()
            .collect();
        f.bookmarked = bookmarks::Entity::find()
            .select_only()
            .column(bookmarks::Column::StatusId)
            .filter(bookmarks::Column::AccountId.eq(v))
            .filter(bookmarks::Column::StatusId.is_in(ids.clone()))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        f.pinned = status_pins::Entity::find()
            .select_only()
            .column(status_pins::Column::StatusId)
            .filter(status_pins::Column::AccountId.eq(v))
            .filter(status_pins::Column::StatusId.is_in(ids.clone()))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
    }
    for m in media_attachments::Entity::find()
        .filter(media_attachments::Column::StatusId.is_in(ids.clone()))
        .order_by_asc(media_attachments::Column::Position)
        .order_by_asc(media_attachments::Column::Id)
        .all(db)
        .await?
    {
        if let Some(s) = m.status_id {
            let list = f.media.entry(s).or_default();
            if list.len() < crate::media::MAX_ATTACHMENTS {
                list.push(m);
            }
        }
    }
    f.polls = polls::Entity::find()
        .filter(polls::Column::StatusId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.status_id, p))
        .collect();
    Ok(f)
}
