//! What newly stored statuses cause for local accounts: a `mention` notification for each local
//! account named, the direct conversations of a direct one, a `status` notification for the
//! followers who rang the bell. One function for one status or a batch (the inbox stores many in
//! one transaction), with a fixed number of queries for the batch besides direct statuses.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{conversations as conversation_rows, mentions, notifications as notification_rows, statuses};
use crate::notifications::{self, Wanted};
use crate::{conversations, DbError};

/// The rows written for new statuses, for the streams to hear of once they are committed.
#[derive(Debug, Default)]
pub struct Arrivals {
    pub notifications: Vec<notification_rows::Model>,
    pub conversations: Vec<conversation_rows::Model>,
}

/// Records what `statuses` (just stored, their mentions with them) cause, in the caller's
/// transaction or on the pool. Boosts cause nothing here (their notification is the booster's
/// business).
pub async fn record(db: &impl ConnectionTrait, statuses: &[statuses::Model]) -> Result<Arrivals, DbError> {
    let originals: Vec<&statuses::Model> = statuses.iter().filter(|s| s.reblog_of_id.is_none()).collect();
    if originals.is_empty() {
        return Ok(Arrivals::default());
    }
    let mut mentioned: HashMap<i64, Vec<i64>> = HashMap::new();
    let rows: Vec<(i64, i64)> = mentions::Entity::find()
        .select_only()
        .column(mentions::Column::StatusId)
        .column(mentions::Column::AccountId)
        .filter(mentions::Column::StatusId.is_in(originals.iter().map(|s| s.id)))
        .into_tuple()
        .all(db)
        .await?;
    for (status, account) in rows {
        mentioned.entry(status).or_default().push(account);
    }
    let mut out = Arrivals::default();
    for s in originals.iter().filter(|s| s.visibility == "direct") {
        out.conversations.extend(conversations::record(db, s).await?);
    }
    // Followers who rang the bell hear of new posts they may see (not of replies to others).
    let belled: Vec<&statuses::Model> = originals
        .iter()
        .copied()
        .filter(|s| s.in_reply_to_account_id.is_none_or(|a| a == s.account_id) && s.visibility != "direct")
        .collect();
    let mut authors: Vec<i64> = belled.iter().map(|s| s.account_id).collect();
    authors.sort_unstable();
    authors.dedup();
    let mut bells: HashMap<i64, Vec<i64>> = HashMap::new();
    for (author, follower) in notifications::bell_followers_of(db, &authors).await? {
        bells.entry(author).or_default().push(follower);
    }
    let mut wanted = Vec::new();
    for s in &originals {
        for &m in mentioned.get(&s.id).into_iter().flatten() {
            wanted.push(Wanted {
                account_id: m,
                from_account_id: s.account_id,
                kind: notifications::MENTION,
                status_id: Some(s.id),
            });
        }
    }
    for s in belled {
        for &f in bells.get(&s.account_id).into_iter().flatten() {
            wanted.push(Wanted {
                account_id: f,
                from_account_id: s.account_id,
                kind: notifications::STATUS,
                status_id: Some(s.id),
            });
        }
    }
    out.notifications = notifications::notify_many(db, &wanted).await?;
    Ok(out)
}
