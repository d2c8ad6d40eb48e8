//! `status_stats` table: a status's replies, boosts and favourites, kept by triggers (migration
//! m0012). A missing row means zero everywhere.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub status_id: i64,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
