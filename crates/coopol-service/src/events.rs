//! Calendar events: participation in them (decided by `coopol_core::event`), the waiting list,
//! the counts that federate in an `Update(Event)`, and what participants hear of.

use coopol_core::Intent;
use coopol_db::entities::{accounts, event_participants, events, notifications};
use coopol_db::queries;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use crate::{stream, Service, ServiceError};

/// Participation states, as stored in `event_participants.state`.
pub const ACCEPTED: &str = "accepted";
pub const TENTATIVE: &str = "tentative";
pub const PENDING: &str = "pending";
pub const WAITLISTED: &str = "waitlisted";
pub const REJECTED: &str = "rejected";

/// Notification types of participation (documented in docs/mastodon-api.md).
pub const NOTIFY_REQUEST: &str = coopol_db::notifications::EVENT_PARTICIPATION_REQUEST;
pub const NOTIFY_ACCEPTED: &str = coopol_db::notifications::EVENT_PARTICIPATION_ACCEPTED;

/// The event whose companion status (or own id) is `uri`.
pub async fn event_by_uri(db: &impl ConnectionTrait, uri: &str) -> Result<Option<events::Model>, ServiceError> {
    Ok(events::Entity::find().filter(events::Column::Uri.eq(uri)).one(db).await?)
}

/// The event of a companion status, if the status is one.
pub async fn event_of_status(db: &impl ConnectionTrait, status_id: i64) -> Result<Option<events::Model>, ServiceError> {
    Ok(events::Entity::find().filter(events::Column::StatusId.eq(status_id)).one(db).await?)
}

/// The account that answers joins of an event: its group when it has one, else the organiser.
pub fn owner_id(e: &events::Model) -> i64 {
    e.group_id.unwrap_or(e.account_id)
}

/// Counts the event's participants in one state.
pub async fn count_in_state(db: &impl ConnectionTrait, event_id: i64, state: &str) -> Result<u64, ServiceError> {
    Ok(event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(event_id))
        .filter(event_participants::Column::State.eq(state))
        .count(db)
        .await?)
}

/// The participant row of an account in an event.
pub async fn participation(
    db: &impl ConnectionTrait,
    event_id: i64,
    account_id: i64,
) -> Result<Option<event_participants::Model>, ServiceError> {
    Ok(event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(event_id))
        .filter(event_participants::Column::AccountId.eq(account_id))
        .one(db)
        .await?)
}

/// The oldest waitlisted participant of an event, who moves up when a place frees.
pub async fn next_waitlisted(
    db: &impl ConnectionTrait,
    event_id: i64,
) -> Result<Option<event_participants::Model>, ServiceError> {
    Ok(event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(event_id))
        .filter(event_participants::Column::State.eq(WAITLISTED))
        .order_by_asc(event_participants::Column::CreatedAt)
        .order_by_asc(event_participants::Column::Id)
        .one(db)
        .await?)
}

/// Sets the event's `participants_count` to its accepted participants and records the
/// `Update(Event)` that tells everyone, inside the caller's transaction.
pub async fn recount(txn: &impl ConnectionTrait, event: &events::Model) -> Result<(), ServiceError> {
    let accepted = count_in_state(txn, event.id, ACCEPTED).await?;
    let mut m: events::ActiveModel = event.clone().into();
    m.participants_count = Set(i32::try_from(accepted).unwrap_or(i32::MAX));
    m.updated_at = Set(coopol_db::now());
    m.update(txn).await?;
    queries::record_intent(txn, &Intent::UpdateEvent { event_id: event.id }).await?;
    Ok(())
}

/// Removes `account_id`'s participation in the local event `event_id` and moves the waiting
/// list up when a place frees, in one transaction; returns the promoted participant (who hears
/// of it: an `Accept` when remote, a notification when local). Shared by the inbox (`Leave`)
/// and the API.
pub async fn leave(
    svc: &Service,
    event_id: i64,
    account_id: i64,
) -> Result<Option<event_participants::Model>, ServiceError> {
    let Some(event) = events::Entity::find_by_id(event_id).one(&svc.db).await? else {
        return Ok(None);
    };
    let Some(p) = participation(&svc.db, event_id, account_id).await? else { return Ok(None) };
    let next = if p.state == ACCEPTED { next_waitlisted(&svc.db, event_id).await? } else { None };
    let promoted_is_remote = match &next {
        Some(n) => queries::account_by_id(&svc.db, n.account_id).await?.is_some_and(|a| a.domain.is_some()),
        None => false,
    };
    let txn = svc.db.begin().await?;
    event_participants::Entity::delete_by_id(p.id).exec(&txn).await?;
    let promoted = match next {
        Some(n) => {
            let mut m: event_participants::ActiveModel = n.into();
            m.state = Set(ACCEPTED.to_string());
            m.updated_at = Set(coopol_db::now());
            let n = m.update(&txn).await?;
            if promoted_is_remote {
                queries::record_intent(&txn, &Intent::AcceptParticipant { participant_id: n.id }).await?;
            }
            Some(n)
        }
        None => None,
    };
    recount(&txn, &event).await?;
    txn.commit().await?;
    svc.intent_recorded();
    if let Some(n) = &promoted {
        if !promoted_is_remote {
            stream::notify(svc, n.account_id, event.account_id, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
        }
    }
    Ok(promoted)
}

/// Notifies the local accounts taking part in an event (accepted, maybe, waiting) with `kind`
/// about its companion status, from the organiser.
pub async fn notify_participants(svc: &Service, e: &events::Model, kind: &str) -> Result<(), ServiceError> {
    use sea_orm::sea_query::{Expr, Query};
    let local_ids = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .to_owned();
    let participants = event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(e.id))
        .filter(event_participants::Column::State.is_in([ACCEPTED, TENTATIVE, PENDING, WAITLISTED]))
        .filter(event_participants::Column::AccountId.in_subquery(local_ids))
        .all(&svc.db)
        .await?;
    for p in participants {
        // Each change is news: the notification of an earlier one makes way for it (the
        // notification helper keeps one per type, sender and status).
        notifications::Entity::delete_many()
            .filter(notifications::Column::AccountId.eq(p.account_id))
            .filter(notifications::Column::Kind.eq(kind))
            .filter(notifications::Column::StatusId.eq(e.status_id))
            .exec(&svc.db)
            .await?;
        stream::notify(svc, p.account_id, e.account_id, kind, Some(e.status_id)).await?;
    }
    Ok(())
}
