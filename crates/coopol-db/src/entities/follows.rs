//! `follows` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The follower.
    pub account_id: i64,
    pub target_account_id: i64,
    /// The Follow activity id.
    pub uri: String,
    /// `pending` or `accepted`.
    pub state: String,
    pub created_at: ChronoDateTimeUtc,
    /// The follower wants a notification for each new post (local followers only).
    pub notify: bool,
    /// The follower sees this account's boosts in their home timeline.
    pub show_reblogs: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
