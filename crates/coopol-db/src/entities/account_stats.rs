//! `account_stats` table: an account's counters, kept by triggers (migration m0012). A missing
//! row means zero everywhere.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub statuses_count: i64,
    pub following_count: i64,
    pub followers_count: i64,
    /// The account's latest status (the highest id), if any.
    pub last_status_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
