//! `admin_log` table: what the instance's admin did.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "admin_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The local account that acted; `None` for the command line on the server.
    pub actor_account_id: Option<i64>,
    /// `domain_block`, `domain_unblock`, `account_suspend`... (`coopol_service::admin::AdminAction`).
    pub action: String,
    /// What it was done to: a domain, `@name`, `!group`.
    pub target: String,
    pub reason: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
