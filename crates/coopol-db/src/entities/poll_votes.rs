//! `poll_votes` table: one row per voter and chosen option.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "poll_votes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub poll_id: i64,
    pub account_id: i64,
    /// Index of the chosen option.
    pub choice: i32,
    /// The vote's ActivityPub id (the `Note` that carries it).
    pub uri: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
