//! Avatars and headers of accounts (`profile_images`).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::profile_images;
use crate::DbError;

pub const AVATAR: &str = "avatar";
pub const HEADER: &str = "header";

/// The avatar and header of an account, when set.
pub async fn images_of(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<(Option<profile_images::Model>, Option<profile_images::Model>), DbError> {
    let rows = profile_images::Entity::find().filter(profile_images::Column::AccountId.eq(account_id)).all(db).await?;
    let pick = |k: &str| rows.iter().find(|r| r.kind == k).cloned();
    Ok((pick(AVATAR), pick(HEADER)))
}

/// Sets an account's image of a kind (the caller reads the previous one first, to remove its file).
pub async fn set_image(
    db: &impl ConnectionTrait,
    account_id: i64,
    kind: &str,
    url: &str,
    content_type: &str,
    file_key: Option<&str>,
) -> Result<(), DbError> {
    let row = profile_images::ActiveModel {
        account_id: sea_orm::Set(account_id),
        kind: sea_orm::Set(kind.to_string()),
        url: sea_orm::Set(url.to_string()),
        content_type: sea_orm::Set(content_type.to_string()),
        file_key: sea_orm::Set(file_key.map(str::to_string)),
        updated_at: sea_orm::Set(crate::now()),
    };
    profile_images::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([profile_images::Column::AccountId, profile_images::Column::Kind])
                .update_columns([
                    profile_images::Column::Url,
                    profile_images::Column::ContentType,
                    profile_images::Column::FileKey,
                    profile_images::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Removes an account's image of a kind.
pub async fn remove_image(db: &impl ConnectionTrait, account_id: i64, kind: &str) -> Result<(), DbError> {
    profile_images::Entity::delete_by_id((account_id, kind.to_string())).exec(db).await?;
    Ok(())
}
