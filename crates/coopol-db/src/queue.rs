//! Durable job queues (deliveries, received activities) in the database. A worker claims due
//! jobs with a lease; a job whose worker died (kill -9) becomes due again when its lease ends
//! (or at once when its process starts again: `release_all`),
//! so nothing is lost, at the price of a possible second attempt (receivers dedupe by id).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{Db, DbError};

/// The two queue tables; both have `id`, `next_attempt_at` and `locked_until`.
#[derive(Debug, Clone, Copy)]
pub enum QueueTable {
    Deliveries,
    Inbox,
}

impl QueueTable {
    fn name(self) -> &'static str {
        match self {
            QueueTable::Deliveries => "delivery_jobs",
            QueueTable::Inbox => "inbox_jobs",
        }
    }
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// Claims up to `limit` due jobs until `lease_until` and returns their ids, oldest due first.
/// The claim is one `UPDATE ... WHERE id IN (due) AND unlocked RETURNING id`, so two processes
/// sharing a PostgreSQL database never claim the same job twice.
pub async fn claim(
    db: &Db,
    table: QueueTable,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<i64>, DbError> {
    let t = Alias::new(table.name());
    let unlocked = Expr::col(Alias::new("locked_until")).is_null().or(Expr::col(Alias::new("locked_until")).lt(now));
    let due = Query::select()
        .column(Alias::new("id"))
        .from(t.clone())
        .and_where(Expr::col(Alias::new("next_attempt_at")).lte(now))
        .and_where(unlocked.clone())
        .order_by(Alias::new("next_attempt_at"), sea_orm::sea_query::Order::Asc)
        // Ties (a batch recorded at once) in the order of their ids, which is arrival order.
        .order_by(Alias::new("id"), sea_orm::sea_query::Order::Asc)
        .limit(limit)
        .to_owned();
    let update = Query::update()
        .table(t)
        .value(Alias::new("locked_until"), lease_until)
        .and_where(Expr::col(Alias::new("id")).in_subquery(due))
        .and_where(unlocked)
        .returning_col(Alias::new("id"))
        .to_owned();
    let backend = db.get_database_backend();
    let rows = IdRow::find_by_statement(backend.build(&update)).all(db).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Deletes jobs, in the caller's transaction when it is one, and returns the ids that were
/// still there: a transaction that applies jobs deletes them first (a write first, for SQLite)
/// and applies only those it deleted, so a job is applied once and removed with its effects.
pub async fn remove(db: &impl ConnectionTrait, table: QueueTable, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    let backend = db.get_database_backend();
    for chunk in ids.chunks(1000) {
        let delete = Query::delete()
            .from_table(Alias::new(table.name()))
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()))
            .returning_col(Alias::new("id"))
            .to_owned();
        out.extend(IdRow::find_by_statement(backend.build(&delete)).all(db).await?.into_iter().map(|r| r.id));
    }
    Ok(out)
}

/// Releases every lease: called when a worker starts, so jobs held by a process that died
/// are sent again at once instead of when their lease would end. If another process sharing
/// the database holds some, they may be sent twice; receivers dedupe by activity id.
pub async fn release_all(db: &Db, table: QueueTable) -> Result<u64, DbError> {
    let q = Query::update()
        .table(Alias::new(table.name()))
        .value(Alias::new("locked_until"), Option::<DateTime<Utc>>::None)
        .and_where(Expr::col(Alias::new("locked_until")).is_not_null())
        .to_owned();
    let backend = db.get_database_backend();
    Ok(db.execute(backend.build(&q)).await?.rows_affected())
}

/// Counts jobs in a queue (for admin output and tests).
pub async fn len(db: &Db, table: QueueTable) -> Result<u64, DbError> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let q = Query::select()
        .expr_as(Expr::col(Alias::new("id")).count(), Alias::new("n"))
        .from(Alias::new(table.name()))
        .to_owned();
    let backend = db.get_database_backend();
    let row = Count::find_by_statement(backend.build(&q)).one(db).await?;
    Ok(row.map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
}
