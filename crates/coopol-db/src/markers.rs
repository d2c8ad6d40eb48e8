//! Read markers: where a user stopped reading `home` and `notifications`, shared by their apps.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::markers;
use crate::DbError;

/// The timelines that have markers.
pub const TIMELINES: &[&str] = &["home", "notifications"];

pub async fn get(
    db: &impl ConnectionTrait,
    account_id: i64,
    timelines: &[String],
) -> Result<Vec<markers::Model>, DbError> {
    Ok(markers::Entity::find()
        .filter(markers::Column::AccountId.eq(account_id))
        .filter(markers::Column::Timeline.is_in(timelines.to_vec()))
        .all(db)
        .await?)
}

/// Sets a marker (one statement: insert, or update with the version incremented).
pub async fn set(
    db: &impl ConnectionTrait,
    account_id: i64,
    timeline: &str,
    last_read_id: i64,
) -> Result<Option<markers::Model>, DbError> {
    let now = crate::now();
    markers::Entity::insert(markers::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(account_id),
        timeline: Set(timeline.to_string()),
        last_read_id: Set(last_read_id),
        version: Set(1),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([markers::Column::AccountId, markers::Column::Timeline])
            .value(markers::Column::LastReadId, Expr::value(last_read_id))
            .value(markers::Column::UpdatedAt, Expr::value(now))
            .value(markers::Column::Version, Expr::col((markers::Entity, markers::Column::Version)).add(1))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(get(db, account_id, &[timeline.to_string()]).await?.into_iter().next())
}
