//! `status_edits` table: versions of edited statuses, oldest (the original) first.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_edits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub status_id: i64,
    /// Sanitised HTML of that version.
    pub content: String,
    pub source_text: Option<String>,
    pub spoiler_text: String,
    pub sensitive: bool,
    /// When this version was made (the original: when the status was posted).
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
