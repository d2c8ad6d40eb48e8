//! `archive_members` table: the members (with their role) listed in an archive imported into a
//! local group, who re-join with that role when they follow the group here.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "archive_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The local account (group) the archive was imported into.
    pub account_id: i64,
    /// The member's actor id.
    pub member_uri: String,
    pub role: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
