//! `group_moderation_log` table: What moderators of local groups did (and reports received); members may read it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_moderation_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub group_account_id: i64,
    /// Who acted (a moderator, a reporter); `None` for the instance admin.
    pub actor_account_id: Option<i64>,
    /// `coopol_core::group::ModAction` name.
    pub action: String,
    pub target_account_id: Option<i64>,
    pub target_uri: Option<String>,
    pub reason: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
