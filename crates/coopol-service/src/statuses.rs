//! Statuses: what is posted, edited, deleted, favourited, boosted.

use coopol_db::entities::{event_participants, events, favourites, mentions, status_tags, statuses};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::ServiceError;

/// Removes a status and what hangs off it, inside the caller's transaction: its mentions, tags,
/// favourites, media, notifications, the event it carries (with its participations) and the
/// boosts of it. Replies stay, detached, as in Mastodon.
pub async fn delete_rows(db: &impl ConnectionTrait, status_id: i64) -> Result<(), ServiceError> {
    mentions::Entity::delete_many().filter(mentions::Column::StatusId.eq(status_id)).exec(db).await?;
    status_tags::Entity::delete_many().filter(status_tags::Column::StatusId.eq(status_id)).exec(db).await?;
    favourites::Entity::delete_many().filter(favourites::Column::StatusId.eq(status_id)).exec(db).await?;
    coopol_db::media::delete_status_media(db, status_id).await?;
    coopol_db::notifications::delete_for_status(db, status_id).await?;
    // An event's companion status takes the event and its participations with it.
    let event_ids: Vec<i64> = events::Entity::find()
        .filter(events::Column::StatusId.eq(status_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    if !event_ids.is_empty() {
        event_participants::Entity::delete_many()
            .filter(event_participants::Column::EventId.is_in(event_ids.clone()))
            .exec(db)
            .await?;
        events::Entity::delete_many().filter(events::Column::Id.is_in(event_ids)).exec(db).await?;
    }
    statuses::Entity::delete_many().filter(statuses::Column::ReblogOfId.eq(status_id)).exec(db).await?;
    statuses::Entity::delete_by_id(status_id).exec(db).await?;
    Ok(())
}
