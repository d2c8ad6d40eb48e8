//! Timelines whose work per page is bounded, whatever the size of the instance (see
//! ARCHITECTURE.md, "Timelines"). A page is either read from an index in id order, stopping
//! after the page (public, local, an account's statuses), or driven by a list of candidate
//! ids kept in order (`home_feed` for home timelines, `status_tags` for hashtags) and checked
//! against the visibility rules in a few bounded rounds.

use sea_orm::sea_query::{Alias, Expr, Order, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::statuses;
use crate::queries::Page;
use crate::DbError;

/// Candidates read in the first round of a driven page, as a multiple of the page's length;
/// each further round reads twice as many.
const FIRST_ROUND: u64 = 2;
/// Rounds at most: past them a page may come back shorter than asked (with `limit` 20, about
/// 1,200 candidates were filtered out), which clients read as the end of the timeline.
const ROUNDS: usize = 5;

/// A page of the statuses whose ids `table.column` lists for the rows matching `key`, newest
/// first (oldest first with `min_id`, then reversed, as Mastodon), keeping those that pass
/// `filter`. The candidates are read from an index on (key, column) in order, so a page reads
/// at most a few times its length.
pub async fn driven_page(
    db: &impl ConnectionTrait,
    table: &str,
    column: &str,
    key: Condition,
    filter: Condition,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let limit = usize::try_from(page.limit.clamp(1, 40)).unwrap_or(20);
    let ascending = page.min_id.is_some();
    let mut upper = page.max_id;
    let mut lower = match (page.since_id, page.min_id) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let col = Alias::new(column);
    let mut batch = page.limit.clamp(1, 40) * FIRST_ROUND;
    let mut out: Vec<statuses::Model> = Vec::with_capacity(limit);
    for _ in 0..ROUNDS {
        let mut q = Query::select();
        q.column(col.clone()).from(Alias::new(table)).cond_where(key.clone());
        if let Some(u) = upper {
            q.and_where(Expr::col(col.clone()).lt(u));
        }
        if let Some(l) = lower {
            q.and_where(Expr::col(col.clone()).gt(l));
        }
        q.order_by(col.clone(), if ascending { Order::Asc } else { Order::Desc }).limit(batch);
        let rows = db.query_all(db.get_database_backend().build(&q)).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get_by_index::<i64>(0)).collect::<Result<_, _>>()?;
        let Some(last) = ids.last().copied() else { break };
        let found = statuses::Entity::find()
            .filter(statuses::Column::Id.is_in(ids.clone()))
            .filter(filter.clone())
            .all(db)
            .await?;
        for id in &ids {
            if out.len() >= limit {
                break;
            }
            if out.iter().any(|s| s.id == *id) {
                continue;
            }
            if let Some(s) = found.iter().find(|s| s.id == *id) {
                out.push(s.clone());
            }
        }
        if out.len() >= limit || (ids.len() as u64) < batch {
            break;
        }
        if ascending {
            lower = Some(last);
        } else {
            upper = Some(last);
        }
        batch *= 2;
    }
    if ascending {
        out.reverse();
    }
    Ok(out)
}

/// `visibility = 'public' AND reblog_of_id IS NULL` written as literals, so that both databases
/// can use the partial indexes `statuses_public` and `statuses_public_local` (a bound parameter
/// would not prove the index's condition).
pub fn public_originals() -> Condition {
    Condition::all()
        .add(Expr::cust("\"statuses\".\"visibility\" = 'public'"))
        .add(Expr::cust("\"statuses\".\"reblog_of_id\" IS NULL"))
}
