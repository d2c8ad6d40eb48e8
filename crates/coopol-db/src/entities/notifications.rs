//! `notifications` table: what happened to a local account (mention, follow, favourite...).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The local account notified.
    pub account_id: i64,
    /// Who caused it.
    pub from_account_id: i64,
    /// Mastodon's notification type (`mention`, `follow`, ...).
    pub kind: String,
    pub status_id: Option<i64>,
    #[sea_orm(unique)]
    pub dedup_key: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
