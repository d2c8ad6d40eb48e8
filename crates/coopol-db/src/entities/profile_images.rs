//! `profile_images` table: an account's avatar (`kind` "avatar") or header ("header").
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profile_images")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// Where apps load the image: the media store's URL, or a remote actor's.
    pub url: String,
    pub content_type: String,
    /// The key in the media store of a local account's file (none for remote accounts).
    pub file_key: Option<String>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
