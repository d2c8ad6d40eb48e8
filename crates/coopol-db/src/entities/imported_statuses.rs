//! `imported_statuses` table: the original id of each post imported from an archive.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imported_statuses")]
pub struct Model {
    /// The post's id on the instance it was exported from.
    #[sea_orm(primary_key, auto_increment = false)]
    pub original_uri: String,
    /// The local status it became.
    pub status_id: i64,
    /// The local account it was imported into.
    pub account_id: i64,
    pub imported_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
