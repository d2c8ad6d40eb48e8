//! `groups` table: Settings of a local group (its `accounts` row has `actor_type = "Group"`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    /// The group's account id.
    pub account_id: i64,
    /// `open`, `approval` or `invite` (`coopol_core::JoinMode`).
    pub join_mode: String,
    /// Posts go to members only, never announced publicly nor served to others.
    pub private: bool,
    /// Members (not only moderators) may list the members.
    pub members_visible: bool,
    pub rules: String,
    pub creator_account_id: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
