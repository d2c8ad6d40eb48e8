//! Reminders: local participants (accepted or maybe) of an event, local or remote, get a
//! `coopol.event_reminder` notification a configured time before it starts. A participation is
//! marked (`reminded_at`, only where still empty) before anyone is notified, so several
//! processes sharing a database never remind twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use coopol_db::entities::{accounts, event_participants, events};
use coopol_db::notifications::EVENT_REMINDER;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{Federation, FederationError};
use coopol_service::events::{ACCEPTED, TENTATIVE};

/// How often the worker looks for events about to start.
const INTERVAL: Duration = Duration::from_secs(30);

/// Reminds the local participants of events starting in (`now`, `now + before`]; returns how
/// many were reminded.
pub async fn remind_due(
    fed: &Federation,
    now: DateTime<Utc>,
    before: chrono::Duration,
) -> Result<usize, FederationError> {
    let soon = Query::select()
        .column(events::Column::Id)
        .from(events::Entity)
        .and_where(Expr::col(events::Column::StartsAt).gt(now))
        .and_where(Expr::col(events::Column::StartsAt).lte(now + before))
        .and_where(Expr::col(events::Column::Status).ne("cancelled"))
        .to_owned();
    let local = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .to_owned();
    let due = event_participants::Entity::find()
        .filter(event_participants::Column::EventId.in_subquery(soon))
        .filter(event_participants::Column::AccountId.in_subquery(local))
        .filter(event_participants::Column::State.is_in([ACCEPTED, TENTATIVE]))
        .filter(event_participants::Column::RemindedAt.is_null())
        .limit(500)
        .all(&fed.db)
        .await?;
    let mut reminded = 0;
    for p in due {
        // Only the process whose update marks the row notifies.
        let marked = event_participants::Entity::update_many()
            .col_expr(event_participants::Column::RemindedAt, Expr::value(now))
            .filter(event_participants::Column::Id.eq(p.id))
            .filter(event_participants::Column::RemindedAt.is_null())
            .exec(&fed.db)
            .await?
            .rows_affected;
        if marked != 1 {
            continue;
        }
        if let Some(e) = events::Entity::find_by_id(p.event_id).one(&fed.db).await? {
            coopol_service::stream::notify(fed, p.account_id, e.account_id, EVENT_REMINDER, Some(e.status_id)).await?;
            reminded += 1;
        }
    }
    Ok(reminded)
}

/// Runs forever, reminding `minutes` before events start; 0 turns reminders off.
pub async fn run(fed: Federation, minutes: u32) {
    if minutes == 0 {
        return;
    }
    let before = chrono::Duration::minutes(i64::from(minutes));
    loop {
        match remind_due(&fed, coopol_db::now(), before).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(participants = n, "sent event reminders"),
            Err(e) => tracing::warn!(error = %e, "sending event reminders failed"),
        }
        tokio::time::sleep(INTERVAL).await;
    }
}
