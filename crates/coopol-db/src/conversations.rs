//! Direct conversations: for each local participant of a direct status, one row per set of
//! other participants, pointing at the latest status and unread for everyone but its author.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{accounts, conversations, statuses};
use crate::queries::{mentioned_ids, Page};
use crate::DbError;

fn key(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// The participants of a conversation row, as account ids.
pub fn participant_ids(c: &conversations::Model) -> Vec<i64> {
    c.participants.split(',').filter_map(|s| s.parse().ok()).collect()
}

/// Records a direct status in its local participants' conversations; returns the rows touched.
/// Other statuses are ignored.
pub async fn record(db: &impl ConnectionTrait, status: &statuses::Model) -> Result<Vec<conversations::Model>, DbError> {
    if status.visibility != "direct" {
        return Ok(vec![]);
    }
    let mut everyone = mentioned_ids(db, status.id).await?;
    everyone.push(status.account_id);
    everyone.sort_unstable();
    everyone.dedup();
    let locals: Vec<i64> = accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .filter(accounts::Column::Id.is_in(everyone.clone()))
        .filter(accounts::Column::Domain.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let now = crate::now();
    let mut out = Vec::new();
    for me in locals {
        let others: Vec<i64> = everyone.iter().copied().filter(|i| *i != me).collect();
        let participants = key(&others);
        let unread = me != status.account_id;
        conversations::Entity::insert(conversations::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(me),
            participants: Set(participants.clone()),
            last_status_id: Set(status.id),
            unread: Set(unread),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([conversations::Column::AccountId, conversations::Column::Participants])
                .value(conversations::Column::LastStatusId, Expr::value(status.id))
                .value(conversations::Column::Unread, Expr::value(unread))
                .value(conversations::Column::UpdatedAt, Expr::value(now))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if let Some(c) = conversations::Entity::find()
            .filter(conversations::Column::AccountId.eq(me))
            .filter(conversations::Column::Participants.eq(participants))
            .one(db)
            .await?
        {
            out.push(c);
        }
    }
    Ok(out)
}

/// An account's conversations, latest activity first, paged by the last status id.
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<conversations::Model>, DbError> {
    let mut q = conversations::Entity::find().filter(conversations::Column::AccountId.eq(account_id));
    if let Some(m) = page.max_id {
        q = q.filter(conversations::Column::LastStatusId.lt(m));
    }
    if let Some(s) = page.since_id.or(page.min_id) {
        q = q.filter(conversations::Column::LastStatusId.gt(s));
    }
    Ok(q.order_by_desc(conversations::Column::LastStatusId).limit(page.limit.clamp(1, 40)).all(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<Option<conversations::Model>, DbError> {
    Ok(conversations::Entity::find_by_id(id).filter(conversations::Column::AccountId.eq(account_id)).one(db).await?)
}

pub async fn mark_read(db: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    conversations::Entity::update_many()
        .col_expr(conversations::Column::Unread, Expr::value(false))
        .filter(conversations::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn remove(db: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    conversations::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
