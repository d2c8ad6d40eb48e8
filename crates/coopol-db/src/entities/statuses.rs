//! `statuses` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statuses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uri: String,
    pub url: String,
    pub account_id: i64,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_uri: Option<String>,
    pub in_reply_to_account_id: Option<i64>,
    /// Set on boosts: the boosted status.
    pub reblog_of_id: Option<i64>,
    /// Sanitised HTML.
    pub content: String,
    /// What the author typed, for local statuses.
    pub source_text: Option<String>,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: String,
    pub language: Option<String>,
    pub local: bool,
    pub created_at: ChronoDateTimeUtc,
    pub edited_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
