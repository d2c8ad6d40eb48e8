//! Queries of media attachments and polls, shared by the API and federation crates.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{media_attachments, poll_votes, polls};
use crate::DbError;

/// Most attachments a status carries (local and remote).
pub const MAX_ATTACHMENTS: usize = 4;

pub async fn attachment_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<media_attachments::Model>, DbError> {
    Ok(media_attachments::Entity::find_by_id(id).one(db).await?)
}

/// The attachments of a status, in order.
pub async fn attachments_of_status(
    db: &impl ConnectionTrait,
    status_id: i64,
) -> Result<Vec<media_attachments::Model>, DbError> {
    Ok(media_attachments::Entity::find()
        .filter(media_attachments::Column::StatusId.eq(status_id))
        .order_by_asc(media_attachments::Column::Position)
        .order_by_asc(media_attachments::Column::Id)
        .limit(MAX_ATTACHMENTS as u64)
        .all(db)
        .await?)
}

pub async fn poll_of_status(db: &impl ConnectionTrait, status_id: i64) -> Result<Option<polls::Model>, DbError> {
    Ok(polls::Entity::find().filter(polls::Column::StatusId.eq(status_id)).one(db).await?)
}

pub async fn poll_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<polls::Model>, DbError> {
    Ok(polls::Entity::find_by_id(id).one(db).await?)
}

/// The option titles of a poll.
pub fn poll_options(p: &polls::Model) -> Vec<String> {
    serde_json::from_str(&p.options).unwrap_or_default()
}

/// The votes recorded here, per option, and the number of distinct voters.
pub async fn counted_votes(db: &impl ConnectionTrait, p: &polls::Model) -> Result<(Vec<u64>, u64), DbError> {
    let options = poll_options(p).len();
    let rows: Vec<(i64, i32)> = poll_votes::Entity::find()
        .select_only()
        .column(poll_votes::Column::AccountId)
        .column(poll_votes::Column::Choice)
        .filter(poll_votes::Column::PollId.eq(p.id))
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = vec![0u64; options];
    let mut voters: Vec<i64> = Vec::new();
    for (account, choice) in rows {
        if let Some(c) = usize::try_from(choice).ok().and_then(|i| counts.get_mut(i)) {
            *c += 1;
        }
        voters.push(account);
    }
    voters.sort_unstable();
    voters.dedup();
    Ok((counts, voters.len() as u64))
}

/// Votes per option and voters as shown: counted here for a local poll; for a remote one, what
/// its origin last announced (never less than what was counted here).
pub async fn poll_results(
    db: &impl ConnectionTrait,
    p: &polls::Model,
    local: bool,
) -> Result<(Vec<u64>, u64), DbError> {
    let (counted, voters) = counted_votes(db, p).await?;
    if local {
        return Ok((counted, voters));
    }
    let cached: Vec<u64> = serde_json::from_str(&p.cached_counts).unwrap_or_default();
    let counts = counted.iter().enumerate().map(|(i, c)| cached.get(i).copied().unwrap_or(0).max(*c)).collect();
    let voters = p.cached_voters.and_then(|v| u64::try_from(v).ok()).unwrap_or(0).max(voters);
    Ok((counts, voters))
}

/// The options `account_id` chose in a poll.
pub async fn own_votes(db: &impl ConnectionTrait, poll_id: i64, account_id: i64) -> Result<Vec<i32>, DbError> {
    let mut v: Vec<i32> = poll_votes::Entity::find()
        .select_only()
        .column(poll_votes::Column::Choice)
        .filter(poll_votes::Column::PollId.eq(poll_id))
        .filter(poll_votes::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(db)
        .await?;
    v.sort_unstable();
    Ok(v)
}

/// Whether `account_id` voted in a poll.
pub async fn has_voted(db: &impl ConnectionTrait, poll_id: i64, account_id: i64) -> Result<bool, DbError> {
    Ok(poll_votes::Entity::find()
        .filter(poll_votes::Column::PollId.eq(poll_id))
        .filter(poll_votes::Column::AccountId.eq(account_id))
        .count(db)
        .await?
        > 0)
}

/// Removes the attachments, poll and votes of a status (when the status goes).
pub async fn delete_status_media(db: &impl ConnectionTrait, status_id: i64) -> Result<(), DbError> {
    media_attachments::Entity::delete_many().filter(media_attachments::Column::StatusId.eq(status_id)).exec(db).await?;
    if let Some(p) = poll_of_status(db, status_id).await? {
        poll_votes::Entity::delete_many().filter(poll_votes::Column::PollId.eq(p.id)).exec(db).await?;
        polls::Entity::delete_by_id(p.id).exec(db).await?;
    }
    Ok(())
}

/// Polls that ended by `now` and whose end was not announced yet, oldest first, at most `limit`.
pub async fn ended_unannounced_polls(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<polls::Model>, DbError> {
    Ok(polls::Entity::find()
        .filter(polls::Column::EndNotified.eq(false))
        .filter(polls::Column::ExpiresAt.lte(now))
        .order_by_asc(polls::Column::ExpiresAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// The distinct accounts that voted in a poll.
pub async fn voter_ids(db: &impl ConnectionTrait, poll_id: i64) -> Result<Vec<i64>, DbError> {
    let mut ids: Vec<i64> = poll_votes::Entity::find()
        .filter(poll_votes::Column::PollId.eq(poll_id))
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.account_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Marks a poll's end as announced; false when another worker did it first.
pub async fn mark_poll_end_notified(db: &impl ConnectionTrait, poll_id: i64) -> Result<bool, DbError> {
    use sea_orm::sea_query::Expr;
    let res = polls::Entity::update_many()
        .col_expr(polls::Column::EndNotified, Expr::value(true))
        .filter(polls::Column::Id.eq(poll_id))
        .filter(polls::Column::EndNotified.eq(false))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The ids of statuses that carry media attachments (for `only_media` filters).
pub fn with_media() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(media_attachments::Column::StatusId)
        .from(media_attachments::Entity)
        .and_where(media_attachments::Column::StatusId.is_not_null())
        .to_owned()
}

/// The tag timeline restricted to statuses with media attachments.
pub async fn tag_media_timeline(
    db: &impl ConnectionTrait,
    tag: &str,
    local: Option<bool>,
    page: crate::queries::Page,
) -> Result<Vec<crate::entities::statuses::Model>, DbError> {
    use crate::entities::{status_tags, statuses};
    let tagged = sea_orm::sea_query::Query::select()
        .column(status_tags::Column::StatusId)
        .from(status_tags::Entity)
        .and_where(status_tags::Column::Name.eq(tag.to_lowercase()))
        .to_owned();
    let mut q = statuses::Entity::find()
        .filter(statuses::Column::Id.in_subquery(tagged))
        .filter(statuses::Column::Id.in_subquery(with_media()))
        .filter(statuses::Column::Visibility.eq("public"))
        .filter(statuses::Column::ReblogOfId.is_null());
    if let Some(l) = local {
        q = q.filter(statuses::Column::Local.eq(l));
    }
    crate::queries::run_page(db, q, page).await
}
