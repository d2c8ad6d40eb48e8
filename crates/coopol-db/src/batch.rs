//! Rows for rendering a page, loaded in batches: a fixed number of statements whatever the
//! page's length (the client API turns them into Mastodon entities). Counts are read from the
//! counters that triggers keep (`account_stats`, `status_stats`), never counted here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{
    account_profiles, account_stats, accounts, media_attachments, mentions, polls, profile_images, status_stats,
    status_tags, statuses,
};
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
    let (counters, images, profiles) = futures::try_join!(
        account_counters(db, &ids),
        profile_images::Entity::find().filter(profile_images::Column::AccountId.is_in(ids.clone())).all(db),
        account_profiles::Entity::find().filter(account_profiles::Column::AccountId.is_in(ids.clone())).all(db),
    )?;
    for (account, [statuses, following, followers], last) in counters {
        facts.statuses.insert(account, statuses);
        facts.following.insert(account, following);
        facts.followers.insert(account, followers);
        if let Some(t) = last {
            facts.last_status_at.insert(account, t);
        }
    }
    facts.images = images.into_iter().map(|i| ((i.account_id, i.kind.clone()), i)).collect();
    facts.profiles = profiles.into_iter().map(|p| (p.account_id, p)).collect();
    Ok(facts)
}

/// (account, [statuses, following, followers], date of the last status) for the accounts `ids`
/// that have counters, in one statement.
async fn account_counters(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, [u64; 3], Option<DateTime<Utc>>)>, DbErr> {
    let query = Query::select()
        .columns([
            (account_stats::Entity, account_stats::Column::AccountId),
            (account_stats::Entity, account_stats::Column::StatusesCount),
            (account_stats::Entity, account_stats::Column::FollowingCount),
            (account_stats::Entity, account_stats::Column::FollowersCount),
        ])
        .column((statuses::Entity, statuses::Column::CreatedAt))
        .from(account_stats::Entity)
        .left_join(
            statuses::Entity,
            Expr::col((statuses::Entity, statuses::Column::Id))
                .equals((account_stats::Entity, account_stats::Column::LastStatusId)),
        )
        .and_where(Expr::col((account_stats::Entity, account_stats::Column::AccountId)).is_in(ids.iter().copied()))
        .to_owned();
    let mut out = vec![];
    for row in db.query_all(db.get_database_backend().build(&query)).await? {
        let count = |i: usize| row.try_get_by_index::<i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
        out.push((row.try_get_by_index(0)?, [count(1)?, count(2)?, count(3)?], row.try_get_by_index(4)?));
    }
    Ok(out)
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

/// Which of `ids` the viewer favourited, boosted, bookmarked and pinned (one statement):
/// (flag, status id) pairs.
async fn viewer_flags(
    db: &impl ConnectionTrait,
    ids: &[i64],
    viewer: Option<i64>,
) -> Result<Vec<(String, i64)>, DbErr> {
    let Some(viewer) = viewer else { return Ok(vec![]) };
    let of = |kind: &str, table: &str, column: &str| {
        Query::select()
            .expr(Expr::val(kind))
            .expr(Expr::col(Alias::new(column)))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("account_id")).eq(viewer))
            .and_where(Expr::col(Alias::new(column)).is_in(ids.iter().copied()))
            .to_owned()
    };
    let query = of("favourited", "favourites", "status_id")
        .union(UnionType::All, of("reblogged", "statuses", "reblog_of_id"))
        .union(UnionType::All, of("bookmarked", "bookmarks", "status_id"))
        .union(UnionType::All, of("pinned", "status_pins", "status_id"))
        .to_owned();
    let mut out = vec![];
    for row in db.query_all(db.get_database_backend().build(&query)).await? {
        out.push((row.try_get_by_index(0)?, row.try_get_by_index(1)?));
    }
    Ok(out)
}

/// Mentions, tags, counts, the viewer's flags, media and polls of the statuses `ids`.
pub async fn status_facts(db: &impl ConnectionTrait, ids: &[i64], viewer: Option<i64>) -> Result<StatusFacts, DbError> {
    let mut f = StatusFacts::default();
    let ids = dedup(ids);
    if ids.is_empty() {
        return Ok(f);
    }
    // Independent reads, sent together: on PostgreSQL a page then waits for about one round
    // trip instead of one per read.
    let (mention_rows, tag_rows, stats, flags, media, polls) = futures::try_join!(
        mentions::Entity::find().filter(mentions::Column::StatusId.is_in(ids.clone())).all(db),
        status_tags::Entity::find()
            .filter(status_tags::Column::StatusId.is_in(ids.clone()))
            .order_by_asc(status_tags::Column::Id)
            .all(db),
        status_stats::Entity::find().filter(status_stats::Column::StatusId.is_in(ids.clone())).all(db),
        viewer_flags(db, &ids, viewer),
        media_attachments::Entity::find()
            .filter(media_attachments::Column::StatusId.is_in(ids.clone()))
            .order_by_asc(media_attachments::Column::Position)
            .order_by_asc(media_attachments::Column::Id)
            .all(db),
        polls::Entity::find().filter(polls::Column::StatusId.is_in(ids.clone())).all(db),
    )?;
    let mentioned_ids: Vec<i64> = mention_rows.iter().map(|m| m.account_id).collect();
    for m in mention_rows {
        f.mentions.entry(m.status_id).or_default().push(m.account_id);
    }
    f.mentioned = accounts(db, &mentioned_ids).await?;
    for t in tag_rows {
        f.tags.entry(t.status_id).or_default().push(t.name);
    }
    for st in stats {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        f.replies.insert(st.status_id, count(st.replies_count));
        f.reblogs.insert(st.status_id, count(st.reblogs_count));
        f.favourites.insert(st.status_id, count(st.favourites_count));
    }
    for (kind, id) in flags {
        let set = match kind.as_str() {
            "favourited" => &mut f.favourited,
            "reblogged" => &mut f.reblogged,
            "bookmarked" => &mut f.bookmarked,
            _ => &mut f.pinned,
        };
        set.insert(id);
    }
    for m in media {
        if let Some(s) = m.status_id {
            let list = f.media.entry(s).or_default();
            if list.len() < crate::media::MAX_ATTACHMENTS {
                list.push(m);
            }
        }
    }
    f.polls = polls.into_iter().map(|p| (p.status_id, p)).collect();
    Ok(f)
}
